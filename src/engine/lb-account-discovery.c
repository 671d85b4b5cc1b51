/* lb-account-discovery.c: the provider database, autoconfig, SRV and guesses as one call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-account-discovery.h"
#include "lb-autoconfig.h"
#include "lb-discovery.h"
#include "lb-provider-db.h"
#include "lb-provider-info-private.h"

struct _LbAccountDiscovery
{
  LbServerConfig *imap;
  LbServerConfig *smtp;
  LbProviderInfo *provider;
};

G_DEFINE_BOXED_TYPE (LbAccountDiscovery, lb_account_discovery,
                     lb_account_discovery_copy, lb_account_discovery_free)

static LbAccountDiscovery *
lb_account_discovery_new_for_config (const LbProviderConfig *config)
{
  LbAccountDiscovery *discovery = g_new0 (LbAccountDiscovery, 1);

  discovery->imap = config->imap != NULL ? lb_server_config_copy (config->imap) : NULL;
  discovery->smtp = config->smtp != NULL ? lb_server_config_copy (config->smtp) : NULL;
  discovery->provider = lb_provider_info_new_for_config (config);
  return discovery;
}

/**
 * lb_account_discovery_copy:
 * @discovery: what was found
 *
 * Returns: (transfer full): a copy
 */
LbAccountDiscovery *
lb_account_discovery_copy (const LbAccountDiscovery *discovery)
{
  LbAccountDiscovery *copy;

  g_return_val_if_fail (discovery != NULL, NULL);

  copy = g_new0 (LbAccountDiscovery, 1);
  copy->imap = discovery->imap != NULL ? lb_server_config_copy (discovery->imap) : NULL;
  copy->smtp = discovery->smtp != NULL ? lb_server_config_copy (discovery->smtp) : NULL;
  copy->provider = lb_provider_info_ref (discovery->provider);
  return copy;
}

/**
 * lb_account_discovery_free:
 * @discovery: (transfer full): what was found
 */
void
lb_account_discovery_free (LbAccountDiscovery *discovery)
{
  if (discovery == NULL)
    return;
  g_clear_pointer (&discovery->imap, lb_server_config_free);
  g_clear_pointer (&discovery->smtp, lb_server_config_free);
  g_clear_pointer (&discovery->provider, lb_provider_info_unref);
  g_free (discovery);
}

/**
 * lb_account_discovery_get_imap:
 * @discovery: what was found
 *
 * Returns: (transfer none) (nullable): the incoming server, with the user name to log in
 *   with; %NULL if none was found
 */
const LbServerConfig *
lb_account_discovery_get_imap (const LbAccountDiscovery *discovery)
{
  g_return_val_if_fail (discovery != NULL, NULL);

  return discovery->imap;
}

/**
 * lb_account_discovery_get_smtp:
 * @discovery: what was found
 *
 * Returns: (transfer none) (nullable): the outgoing server; %NULL if none was found
 */
const LbServerConfig *
lb_account_discovery_get_smtp (const LbAccountDiscovery *discovery)
{
  g_return_val_if_fail (discovery != NULL, NULL);

  return discovery->smtp;
}

/**
 * lb_account_discovery_get_provider:
 * @discovery: what was found
 *
 * Returns: (transfer none): the provider: its database entry if one matched, else what
 *   autoconfig said about it (a name, a help page, the kind of password)
 */
LbProviderInfo *
lb_account_discovery_get_provider (const LbAccountDiscovery *discovery)
{
  g_return_val_if_fail (discovery != NULL, NULL);

  return discovery->provider;
}

static void
on_discovery_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(LbProviderConfig) config = NULL;
  GError *error = NULL;

  config = lb_discovery_run_finish (result, &error);
  if (config == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, lb_account_discovery_new_for_config (config),
                           (GDestroyNotify) lb_account_discovery_free);
}

static void
on_test_file_loaded (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(LbProviderConfig) config = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  GError *error = NULL;

  if (g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    config = lb_autoconfig_parse (contents, length, g_task_get_task_data (task), &error);
  /* The file stands in for the provider's servers only: an address the database knows
   * keeps its provider (its name, its kind of secret, its browser sign-in), so that a
   * test can run the Outlook.com or Gmail pages against the fixtures. */
  if (config != NULL && config->provider == NULL)
    {
      LbProvider *known = lb_provider_db_lookup_address (lb_provider_db_get_default (),
                                                         g_task_get_task_data (task));

      if (known != NULL)
        {
          config->provider = lb_provider_ref (known);
          config->credential = lb_provider_get_credential_kind (known);
        }
    }
  if (config == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, lb_account_discovery_new_for_config (config),
                           (GDestroyNotify) lb_account_discovery_free);
}

/**
 * lb_account_discover_async:
 * @address: the e-mail address
 * @cancellable: (nullable): cancels the look-up
 * @callback: called on the thread-default main context of the caller
 * @user_data: for @callback
 *
 * Finds the IMAP and SMTP settings for @address, as the account wizard needs them: the
 * bundled provider database (by domain, then by MX), autoconfig, SRV records, then
 * guesses that are probed.  Nothing blocks the calling thread.
 *
 * For tests, %LB_TEST_DISCOVERY_FILE_ENV names an autoconfig file read instead.
 */
void
lb_account_discover_async (const char          *address,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *test_file = g_getenv (LB_TEST_DISCOVERY_FILE_ENV);

  g_return_if_fail (address != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_account_discover_async);
  g_task_set_task_data (task, g_strdup (address), g_free);
  if (test_file != NULL && test_file[0] != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (test_file);

      g_file_load_contents_async (file, cancellable, on_test_file_loaded,
                                  g_steal_pointer (&task));
      return;
    }
  lb_discovery_run_async (address, NULL, cancellable, on_discovery_done, g_steal_pointer (&task));
}

/**
 * lb_account_discover_finish:
 * @result: the result passed to the callback
 * @error: %G_IO_ERROR_CANCELLED when cancelled, or why nothing was found
 *
 * Returns: (transfer full) (nullable): what was found, or %NULL with @error set
 */
LbAccountDiscovery *
lb_account_discover_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
