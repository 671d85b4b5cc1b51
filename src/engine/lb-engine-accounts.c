/* lb-engine-accounts.c: adding, changing and removing accounts
 *
 * The store and the keyring are written by the engine's local worker (the job bodies
 * are in worker/lb-local-jobs.c); the account objects change here, on the main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-account-private.h"
#include "lb-engine-private.h"

LbAccountSettings *
lb_account_settings_new (void)
{
  return g_new0 (LbAccountSettings, 1);
}

void
lb_account_settings_free (LbAccountSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->email);
  g_free (settings->display_name);
  g_free (settings->provider_id);
  g_free (settings->oauth2_provider);
  g_free (settings->signature);
  g_clear_pointer (&settings->aliases, g_ptr_array_unref);
  g_free (settings->goa_id);
  lb_server_config_free (settings->imap);
  lb_server_config_free (settings->smtp);
  g_free (settings);
}

/* The tasks given to the local worker have no source object: the worker thread must
 * never hold the engine, or its last reference, dropped there, would run the engine's
 * dispose on the thread that dispose joins.  The caller's task (the callbacks' user
 * data) holds it, and is only touched on the main context. */

static LbLocalAccountJob *
account_job_new (void)
{
  LbLocalAccountJob *d = g_new0 (LbLocalAccountJob, 1);

  d->secret_key = _lb_account_secret_key;
  return d;
}

static LbStoreAccount *
row_from_settings (const LbAccountSettings *settings)
{
  LbStoreAccount *row = lb_store_account_new ();

  row->email = g_strdup (settings->email);
  row->display_name = g_strdup (settings->display_name);
  row->provider_id = g_strdup (settings->provider_id);
  row->imap_host = g_strdup (settings->imap->host);
  row->imap_port = settings->imap->port;
  row->imap_security = settings->imap->security;
  row->username = g_strdup (settings->imap->username != NULL ? settings->imap->username
                                                              : settings->email);
  row->ca_file = g_strdup (settings->imap->ca_file);
  row->proxy = g_strdup (settings->imap->proxy);
  row->auth = settings->imap->auth;
  if (row->auth == LB_AUTH_OAUTH2)
    row->oauth2_provider = g_strdup (settings->oauth2_provider);
  row->signature = g_strdup (settings->signature);
  row->aliases = lb_identity_array_copy (settings->aliases);
  if (row->auth == LB_AUTH_GOA)
    row->goa_id = g_strdup (settings->goa_id);
  row->offline_days = settings->offline_days;
  row->offline_max_mb = settings->offline_max_mb;
  if (settings->smtp != NULL)
    {
      row->smtp_host = g_strdup (settings->smtp->host);
      row->smtp_port = settings->smtp->port;
      row->smtp_security = settings->smtp->security;
    }
  return row;
}

static void
add_account_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStoreAccount) row = g_task_propagate_pointer (G_TASK (result), &error);
  LbAccount *account;

  if (row == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  account = _lb_engine_adopt_account (self, row, &error);
  if (account == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->started)
    lb_account_start (account);
  g_task_return_pointer (task, g_object_ref (account), g_object_unref);
}

/**
 * lb_engine_add_account_async:
 * @secret: (nullable): the password, app password or OAuth2 refresh token; it is written
 *   to the keyring and nowhere else.  %NULL only for an Online Accounts account
 *   (%LB_AUTH_GOA), whose grant Online Accounts keeps
 *
 * Saves a new account (checking the servers is the caller's business: see the account
 * wizard) and, if the engine runs, starts its first sync.
 */
void
lb_engine_add_account_async (LbEngine                *self,
                             const LbAccountSettings *settings,
                             const char              *secret,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;
  LbLocalAccountJob *d;

  g_return_if_fail (settings != NULL && settings->email != NULL && settings->imap != NULL);
  g_return_if_fail ((secret != NULL) != (settings->imap->auth == LB_AUTH_GOA));

  g_task_set_source_tag (task, lb_engine_add_account_async);
  d = account_job_new ();
  d->row = row_from_settings (settings);
  d->secret = g_strdup (secret);

  inner = g_task_new (NULL, cancellable, add_account_done, task);
  lb_worker_push (self->local, LB_JOB_PRIORITY_USER, NULL, lb_local_add_account_job, d,
                  (GDestroyNotify) lb_local_account_job_free, (GDestroyNotify) lb_store_account_free, inner);
}

/**
 * lb_engine_add_account_finish:
 *
 * Returns: (transfer full): the new account
 */
LbAccount *
lb_engine_add_account_finish (LbEngine      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * lb_account_dup_settings:
 *
 * Returns: (transfer full): the account's servers and names, for editing
 */
LbAccountSettings *
lb_account_dup_settings (LbAccount *account)
{
  const LbStoreAccount *row = _lb_account_get_row (account);
  LbAccountSettings *s = lb_account_settings_new ();

  s->email = g_strdup (row->email);
  s->display_name = g_strdup (row->display_name);
  s->provider_id = g_strdup (row->provider_id);
  s->imap = lb_server_config_new (row->imap_host, row->imap_port, row->imap_security, row->username);
  s->imap->ca_file = g_strdup (row->ca_file);
  s->imap->proxy = g_strdup (row->proxy);
  s->imap->auth = row->auth;
  s->oauth2_provider = g_strdup (row->oauth2_provider);
  s->signature = g_strdup (row->signature);
  s->aliases = lb_identity_array_copy (row->aliases);
  s->goa_id = g_strdup (row->goa_id);
  s->offline_days = row->offline_days;
  s->offline_max_mb = row->offline_max_mb;
  if (row->smtp_host != NULL)
    {
      s->smtp = lb_server_config_new (row->smtp_host, row->smtp_port, row->smtp_security,
                                      row->username);
      s->smtp->ca_file = g_strdup (row->ca_file);
      s->smtp->proxy = g_strdup (row->proxy);
      s->smtp->auth = row->auth;
    }
  return s;
}

static void
update_account_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStoreAccount) row = g_task_propagate_pointer (G_TASK (result), &error);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  LbAccount *account = NULL;

  if (row == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The account object is rebuilt around the same id: its folders, cached mail and
   * queued changes stay, and its threads restart with the new servers. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      if (lb_account_get_id (a) == row->id)
        {
          lb_account_stop (a);
          g_list_store_remove (self->accounts, i);
          break;
        }
    }
  account = _lb_engine_adopt_account (self, row, &error);
  if (account == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->started)
    lb_account_start (account);
  g_task_return_pointer (task, g_object_ref (account), g_object_unref);
}

/**
 * lb_engine_update_account_async:
 * @secret: (nullable): a new secret for the keyring, or %NULL to keep the stored one
 *
 * Changes an account's servers, names or secret in place: its id, folders and cached
 * mail stay.  The address itself cannot change (add another account for that).  For an
 * OAuth2 account, a new refresh token is signing in again: it ends the needs-sign-in
 * state (lb_account_get_needs_sign_in()).
 */
void
lb_engine_update_account_async (LbEngine                *self,
                                LbAccount               *account,
                                const LbAccountSettings *settings,
                                const char              *secret,
                                GCancellable            *cancellable,
                                GAsyncReadyCallback      callback,
                                gpointer                 user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = g_task_new (NULL, cancellable, update_account_done, task);
  LbLocalAccountJob *d = account_job_new ();

  g_return_if_fail (settings != NULL && settings->imap != NULL);

  g_task_set_source_tag (task, lb_engine_update_account_async);
  d->row = row_from_settings (settings);
  d->row->id = lb_account_get_id (account);
  g_free (d->row->email);
  d->row->email = g_strdup (lb_account_get_email (account));
  d->row->color = g_strdup (_lb_account_get_row (account)->color);
  d->row->created = _lb_account_get_row (account)->created;
  /* An Online Accounts account rebuilt asks Online Accounts again (lb-account-worker.c),
   * which sets the state again if it still refuses. */
  d->row->needs_sign_in = secret == NULL && settings->imap->auth != LB_AUTH_GOA &&
                          lb_account_get_needs_sign_in (account);
  d->secret = g_strdup (secret);
  lb_worker_push (self->local, LB_JOB_PRIORITY_USER, NULL, lb_local_update_account_job, d,
                  (GDestroyNotify) lb_local_account_job_free, (GDestroyNotify) lb_store_account_free,
                  inner);
}

/**
 * lb_engine_update_account_finish:
 *
 * Returns: (transfer full): the account as it is now (a new object with the same id)
 */
LbAccount *
lb_engine_update_account_finish (LbEngine      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
remove_account_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gint64 id = GPOINTER_TO_SIZE (g_task_get_task_data (task));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  if (g_task_propagate_pointer (G_TASK (result), &error) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      if (lb_account_get_id (a) == id)
        {
          g_list_store_remove (self->accounts, i);
          break;
        }
    }
  {
    g_autoptr(GArray) none = g_array_new (FALSE, FALSE, sizeof (gint64));
    _lb_engine_emit_changed (self, none);
  }
  g_task_return_boolean (task, TRUE);
}

/**
 * lb_engine_remove_account_async:
 *
 * Stops the account, deletes its cached mail and removes its secret from the keyring.
 */
void
lb_engine_remove_account_async (LbEngine            *self,
                                LbAccount           *account,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = g_task_new (NULL, cancellable, remove_account_done, task);
  gint64 id = lb_account_get_id (account);
  LbLocalAccountJob *d;

  g_task_set_source_tag (task, lb_engine_remove_account_async);
  g_task_set_task_data (task, GSIZE_TO_POINTER ((gsize) id), NULL);
  lb_account_stop (account);
  d = account_job_new ();
  d->row = lb_store_account_new ();
  d->row->id = id;
  lb_worker_push (self->local, LB_JOB_PRIORITY_USER, NULL, lb_local_remove_account_job, d,
                  (GDestroyNotify) lb_local_account_job_free, NULL, inner);
}

gboolean
lb_engine_remove_account_finish (LbEngine      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
