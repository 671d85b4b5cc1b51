/* lb-provider-info.c: the public face of a provider database entry
 *
 * The provider database (providers/) holds much the UI has no business with: server
 * patterns, folder names, quirks.  LbProviderInfo passes on what the UI shows, and merges
 * in what autoconfig said for a domain the database does not know.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-provider-db.h"
#include "lb-provider-info-private.h"
#include "lb-quirks.h"

struct _LbProviderInfo
{
  gatomicrefcount   ref_count;
  LbProvider       *provider;        /* the database entry, or NULL */
  /* What autoconfig said, for a provider the database does not know. */
  char             *display_name;
  char             *help_url;
  LbCredentialKind  credential;
};

G_DEFINE_BOXED_TYPE (LbProviderInfo, lb_provider_info, lb_provider_info_ref, lb_provider_info_unref)

static LbProviderInfo *
lb_provider_info_alloc (void)
{
  LbProviderInfo *info = g_new0 (LbProviderInfo, 1);

  g_atomic_ref_count_init (&info->ref_count);
  info->credential = LB_CREDENTIAL_PASSWORD;
  return info;
}

/**
 * lb_provider_info_ref:
 * @info: a provider
 *
 * Returns: (transfer full): @info
 */
LbProviderInfo *
lb_provider_info_ref (LbProviderInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  g_atomic_ref_count_inc (&info->ref_count);
  return info;
}

/**
 * lb_provider_info_unref:
 * @info: (transfer full): a provider
 */
void
lb_provider_info_unref (LbProviderInfo *info)
{
  g_return_if_fail (info != NULL);

  if (!g_atomic_ref_count_dec (&info->ref_count))
    return;
  g_clear_pointer (&info->provider, lb_provider_unref);
  g_free (info->display_name);
  g_free (info->help_url);
  g_free (info);
}

/* Engine-internal: the info for a database entry. */
LbProviderInfo *
lb_provider_info_new_for_provider (LbProvider *provider)
{
  LbProviderInfo *info = lb_provider_info_alloc ();

  g_return_val_if_fail (provider != NULL, NULL);

  info->provider = lb_provider_ref (provider);
  info->credential = lb_provider_get_credential_kind (provider);
  return info;
}

/* Engine-internal: the info for what discovery found; the database entry wins where
 * discovery matched one, autoconfig's name, help page and credential fill in otherwise. */
LbProviderInfo *
lb_provider_info_new_for_config (const LbProviderConfig *config)
{
  LbProviderInfo *info;

  g_return_val_if_fail (config != NULL, NULL);

  info = config->provider != NULL ? lb_provider_info_new_for_provider (config->provider)
                                  : lb_provider_info_alloc ();
  info->display_name = g_strdup (config->display_name);
  info->help_url = g_strdup (config->documentation_url);
  if (config->provider == NULL)
    info->credential = config->credential;
  return info;
}

/**
 * lb_provider_info_lookup:
 * @provider_id: (nullable): a provider id, as lb_account_get_provider_id() returns
 *
 * Looks a provider up in the bundled database.  Any thread.
 *
 * Returns: (transfer full) (nullable): the provider, or %NULL if @provider_id is %NULL
 *   or unknown
 */
LbProviderInfo *
lb_provider_info_lookup (const char *provider_id)
{
  LbProvider *provider;

  if (provider_id == NULL)
    return NULL;
  provider = lb_provider_db_lookup_id (lb_provider_db_get_default (), provider_id);
  return provider != NULL ? lb_provider_info_new_for_provider (provider) : NULL;
}

/**
 * lb_provider_info_get_id:
 * @info: a provider
 *
 * Returns: (nullable): the database id (such as "qq"), stored with an account; %NULL for
 *   a provider only autoconfig knows
 */
const char *
lb_provider_info_get_id (const LbProviderInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  return info->provider != NULL ? lb_provider_get_id (info->provider) : NULL;
}

/**
 * lb_provider_info_get_name:
 * @info: a provider
 * @language: (nullable): a language such as "zh_CN", or %NULL for the default name
 *
 * Returns: (nullable): the provider's name in @language (such as "QQ 邮箱"), or %NULL if
 *   it has none
 */
const char *
lb_provider_info_get_name (const LbProviderInfo *info,
                           const char           *language)
{
  g_return_val_if_fail (info != NULL, NULL);

  if (info->provider != NULL)
    return lb_provider_get_name (info->provider, language);
  return info->display_name;
}

/**
 * lb_provider_info_get_oauth2_id:
 * @info: a provider
 *
 * Returns: (nullable): the id of the provider's browser sign-in ("microsoft", "google"),
 *   for lb_account_sign_in_async(); %NULL when it has none or only autoconfig knows it
 */
const char *
lb_provider_info_get_oauth2_id (const LbProviderInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  return info->provider != NULL ? lb_provider_get_oauth2_id (info->provider) : NULL;
}

/**
 * lb_provider_info_get_credential_kind:
 * @info: a provider
 *
 * Returns: what the provider wants as the password
 */
LbCredentialKind
lb_provider_info_get_credential_kind (const LbProviderInfo *info)
{
  g_return_val_if_fail (info != NULL, LB_CREDENTIAL_PASSWORD);

  return info->credential;
}

/**
 * lb_provider_info_get_help_url:
 * @info: a provider
 *
 * Returns: (nullable): the page that explains how to get the password (or authorization
 *   code), or %NULL if none is known
 */
const char *
lb_provider_info_get_help_url (const LbProviderInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  if (info->provider != NULL && lb_provider_get_help_url (info->provider) != NULL)
    return lb_provider_get_help_url (info->provider);
  return info->help_url;
}

/**
 * lb_provider_info_get_secret_term:
 * @info: a provider
 * @language: (nullable): a language such as "zh_CN", or %NULL for the default
 *
 * Returns: (nullable): what the provider calls the secret (such as "授权码"), or %NULL
 *   if it uses the plain word "password"
 */
const char *
lb_provider_info_get_secret_term (const LbProviderInfo *info,
                                  const char           *language)
{
  g_return_val_if_fail (info != NULL, NULL);

  return info->provider != NULL ? lb_provider_get_secret_term (info->provider, language) : NULL;
}

/**
 * lb_provider_info_get_help_steps:
 * @info: a provider
 * @language: (nullable): a language such as "zh_CN", or %NULL for the default
 *
 * Returns: (nullable) (array zero-terminated=1): the steps to get the secret, in order,
 *   or %NULL if none are known
 */
const char *const *
lb_provider_info_get_help_steps (const LbProviderInfo *info,
                                 const char           *language)
{
  g_return_val_if_fail (info != NULL, NULL);

  return info->provider != NULL ? lb_provider_get_help_steps (info->provider, language) : NULL;
}

/**
 * lb_provider_info_get_max_message_size:
 * @info: a provider
 *
 * Returns: the largest message the provider accepts, in bytes as sent, or 0 if unknown
 */
guint64
lb_provider_info_get_max_message_size (const LbProviderInfo *info)
{
  LbQuirks quirks;

  g_return_val_if_fail (info != NULL, 0);

  lb_quirks_init (&quirks);
  if (info->provider != NULL)
    lb_provider_get_quirks (info->provider, &quirks);
  return quirks.max_message_size;
}
