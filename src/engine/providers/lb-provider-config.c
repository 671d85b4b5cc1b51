/* lb-provider-config.c: complete IMAP + SMTP settings for one address, and where they came from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-provider-config.h"

G_DEFINE_BOXED_TYPE (LbProviderConfig, lb_provider_config,
                     lb_provider_config_copy, lb_provider_config_free)

/**
 * lb_provider_config_new:
 *
 * Returns: (transfer full): an empty configuration, without servers
 */
LbProviderConfig *
lb_provider_config_new (void)
{
  LbProviderConfig *config = g_new0 (LbProviderConfig, 1);

  config->imap_auth = LB_AUTH_METHOD_PASSWORD_CLEARTEXT;
  config->smtp_auth = LB_AUTH_METHOD_PASSWORD_CLEARTEXT;
  config->credential = LB_CREDENTIAL_PASSWORD;
  return config;
}

/**
 * lb_provider_config_new_for_provider:
 * @provider: a database entry
 * @address: the user's e-mail address
 *
 * Returns: (transfer full): the entry's servers, with user names for @address
 */
LbProviderConfig *
lb_provider_config_new_for_provider (LbProvider *provider,
                                     const char *address)
{
  LbProviderConfig *config;
  const LbProviderServer *imap, *smtp;
  g_autofree char *imap_user = NULL;
  g_autofree char *smtp_user = NULL;
  LbAuthMethods auth;

  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  imap = lb_provider_get_imap (provider);
  smtp = lb_provider_get_smtp (provider);
  imap_user = lb_provider_make_username (provider, FALSE, address);
  smtp_user = lb_provider_make_username (provider, TRUE, address);

  config = lb_provider_config_new ();
  config->imap = lb_server_config_new (imap->host, imap->port, imap->security, imap_user);
  config->smtp = lb_server_config_new (smtp->host, smtp->port, smtp->security, smtp_user);
  config->credential = lb_provider_get_credential_kind (provider);
  auth = config->credential == LB_CREDENTIAL_OAUTH2_ONLY
         ? LB_AUTH_METHOD_OAUTH2 : LB_AUTH_METHOD_PASSWORD_CLEARTEXT;
  config->imap_auth = auth;
  config->smtp_auth = auth;
  config->provider = lb_provider_ref (provider);
  config->display_name = g_strdup (lb_provider_get_name (provider, NULL));
  config->documentation_url = g_strdup (lb_provider_get_help_url (provider));
  return config;
}

/**
 * lb_provider_config_copy:
 *
 * Returns: (transfer full): a deep copy
 */
LbProviderConfig *
lb_provider_config_copy (const LbProviderConfig *config)
{
  LbProviderConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_new0 (LbProviderConfig, 1);
  *copy = *config;
  copy->imap = config->imap != NULL ? lb_server_config_copy (config->imap) : NULL;
  copy->smtp = config->smtp != NULL ? lb_server_config_copy (config->smtp) : NULL;
  copy->provider = config->provider != NULL ? lb_provider_ref (config->provider) : NULL;
  copy->display_name = g_strdup (config->display_name);
  copy->documentation_url = g_strdup (config->documentation_url);
  return copy;
}

void
lb_provider_config_free (LbProviderConfig *config)
{
  if (config == NULL)
    return;
  g_clear_pointer (&config->imap, lb_server_config_free);
  g_clear_pointer (&config->smtp, lb_server_config_free);
  g_clear_pointer (&config->provider, lb_provider_unref);
  g_free (config->display_name);
  g_free (config->documentation_url);
  g_free (config);
}

/**
 * lb_discovery_source_to_string:
 *
 * Returns: a stable name for logs and the CLI, such as "database-mx"
 */
const char *
lb_discovery_source_to_string (LbDiscoverySource source)
{
  switch (source)
    {
    case LB_DISCOVERY_SOURCE_DATABASE_DOMAIN:
      return "database-domain";
    case LB_DISCOVERY_SOURCE_DATABASE_MX:
      return "database-mx";
    case LB_DISCOVERY_SOURCE_AUTOCONFIG:
      return "autoconfig";
    case LB_DISCOVERY_SOURCE_SRV:
      return "srv";
    case LB_DISCOVERY_SOURCE_GUESS:
      return "guess";
    case LB_DISCOVERY_SOURCE_NONE:
    default:
      return "none";
    }
}
