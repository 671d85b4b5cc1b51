/* lb-engine-goa.c: adding a GNOME Online Accounts account to the engine
 *
 * One step for the wizard's chooser and the CLI: the account's servers from Online
 * Accounts, a token from it (EnsureCredentials, GetAccessToken; on a thread, as both are
 * D-Bus calls that may wait for the network), the same check as any OAuth2 account (a
 * command after the login: a server may accept a token of another user), then the
 * account is saved with its GOA id and no secret: Online Accounts keeps the grant.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-account-check.h"
#include "lb-engine-goa.h"
#include "lb-error.h"

typedef struct {
  char              *goa_id;
  char              *ca_file;
  LbAccountSettings *settings;
  char              *token;
} AddGoa;

static void
add_goa_free (AddGoa *d)
{
  g_free (d->goa_id);
  g_free (d->ca_file);
  lb_account_settings_free (d->settings);
  g_free (d->token);
  g_free (d);
}

/* On a thread: the settings and a token, from Online Accounts. */
static void
fetch_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  AddGoa *d = task_data;
  GError *error = NULL;
  g_autoptr(LbGoaAccount) a = lb_goa_find_account_sync (d->goa_id, cancellable, &error);
  LbAccountSettings *s;

  if (a == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  d->token = lb_goa_get_access_token_sync (a->id, cancellable, &error);
  if (d->token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  s = d->settings = lb_account_settings_new ();
  s->email = g_strdup (a->email);
  s->display_name = g_strdup (a->name != NULL && a->name[0] != '\0' ? a->name : NULL);
  s->imap = lb_server_config_copy (a->imap);
  s->smtp = lb_server_config_copy (a->smtp);
  s->imap->ca_file = g_strdup (d->ca_file);
  s->smtp->ca_file = g_strdup (d->ca_file);
  s->goa_id = g_strdup (a->id);
  g_task_return_boolean (task, TRUE);
}

/* The account that adding or updating it gave, as the task's result (both finish
 * functions are g_task_propagate_pointer() on a task of the engine). */
static void
account_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  LbAccount *account = g_task_propagate_pointer (G_TASK (result), &error);

  if (account == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, account, g_object_unref);
}

static void
checked (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddGoa *d = g_task_get_task_data (task);
  LbEngine *engine = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(LbAccountCheckResult) check = lb_account_check_finish (result, &error);

  g_clear_pointer (&d->token, g_free);
  if (check == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!check->ok)
    {
      g_task_return_new_error (task, LB_ERROR, LB_ERROR_AUTH, "%s", check->message);
      return;
    }
  lb_engine_add_account_async (engine, d->settings, NULL, g_task_get_cancellable (task),
                               account_done, g_object_ref (task));
}

static void
fetched (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddGoa *d = g_task_get_task_data (task);
  LbEngine *engine = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (lb_engine_find_account (engine, d->settings->email) != NULL)
    {
      g_task_return_new_error (task, LB_ERROR, LB_ERROR_FAILED,
                               _("%s already has an account in Letterbox"), d->settings->email);
      return;
    }
  lb_account_check_async (d->settings, d->token, g_task_get_cancellable (task), checked,
                          g_object_ref (task));
}

/**
 * lb_engine_add_goa_account_async:
 * @goa_id: an id from lb_goa_list_accounts_sync()
 * @ca_file: (nullable): an extra CA certificate to trust for both servers (tests,
 *   self-hosted servers)
 *
 * Adds the Online Accounts account @goa_id (IMAP and SMTP, auth %LB_AUTH_GOA) after
 * checking that its token signs in; if the engine runs, its first sync starts.  Fails with
 * %LB_ERROR_SIGN_IN_REQUIRED when Online Accounts refuses (NOT_AUTHORIZED: the fix is in
 * Settings) or no longer has the account.
 */
void
lb_engine_add_goa_account_async (LbEngine            *self,
                                 const char          *goa_id,
                                 const char          *ca_file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) fetch = NULL;
  AddGoa *d = g_new0 (AddGoa, 1);

  g_return_if_fail (LB_IS_ENGINE (self));
  g_return_if_fail (goa_id != NULL);

  g_task_set_source_tag (task, lb_engine_add_goa_account_async);
  d->goa_id = g_strdup (goa_id);
  d->ca_file = g_strdup (ca_file);
  g_task_set_task_data (task, d, (GDestroyNotify) add_goa_free);
  /* The thread's task has no source object (see lb-engine-accounts.c): it shares @d. */
  fetch = g_task_new (NULL, cancellable, fetched, g_object_ref (task));
  g_task_set_task_data (fetch, d, NULL);
  g_task_run_in_thread (fetch, fetch_thread);
}

/**
 * lb_engine_add_goa_account_finish:
 *
 * Returns: (transfer full): the new account
 */
LbAccount *
lb_engine_add_goa_account_finish (LbEngine      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Signing in again --------------------------------------------------------------- */

static void
ask_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;
  g_autofree char *token = lb_goa_get_access_token_sync (task_data, cancellable, &error);

  if (token == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
asked (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbEngine *engine = g_task_get_source_object (task);
  LbAccount *account = g_task_get_task_data (task);
  g_autoptr(LbAccountSettings) s = NULL;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  s = lb_account_dup_settings (account);
  lb_engine_update_account_async (engine, account, s, NULL, g_task_get_cancellable (task),
                                  account_done, g_object_ref (task));
}

/**
 * lb_engine_retry_goa_account_async:
 * @account: an account of auth %LB_AUTH_GOA, usually one that needs sign-in
 *
 * "Sign In Again" for an Online Accounts account, once the user fixed it in Settings:
 * asks Online Accounts for a token and, when it gives one, rebuilds the account (same id
 * and mail) without the needs-sign-in state.  Fails with %LB_ERROR_SIGN_IN_REQUIRED while
 * Online Accounts still refuses.
 */
void
lb_engine_retry_goa_account_async (LbEngine            *self,
                                   LbAccount           *account,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) ask = NULL;
  g_autoptr(LbAccountSettings) s = NULL;

  g_return_if_fail (LB_IS_ENGINE (self));
  g_return_if_fail (lb_account_get_auth (account) == LB_AUTH_GOA);

  g_task_set_source_tag (task, lb_engine_retry_goa_account_async);
  g_task_set_task_data (task, g_object_ref (account), g_object_unref);
  s = lb_account_dup_settings (account);
  ask = g_task_new (NULL, cancellable, asked, g_object_ref (task));
  g_task_set_task_data (ask, g_strdup (s->goa_id), g_free);
  g_task_run_in_thread (ask, ask_thread);
}

/**
 * lb_engine_retry_goa_account_finish:
 *
 * Returns: (transfer full): the account as it is now (a new object with the same id)
 */
LbAccount *
lb_engine_retry_goa_account_finish (LbEngine      *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
