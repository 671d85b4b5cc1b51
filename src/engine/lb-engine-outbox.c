/* lb-engine-outbox.c: LbEngine's outbox (declared in lb-engine.h)
 *
 * Sending, retrying and discarding queued messages, and the outbox list model.  The
 * blocking work (SMTP, the Sent copy) is lb-outbox.c's, run as jobs on the account's
 * worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-account-private.h"
#include "lb-engine-private.h"
#include "lb-error.h"
#include "lb-outbox.h"
#include "lb-outbox-item-private.h"
#include "lb-provider-db.h"
#include "lb-quirks.h"
#include "lb-secrets.h"

static void
free_weak_ref_cb (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

#define OUTBOX_MODEL_KEY "lb-outbox-model"

/* Main thread: reloads the outbox model from the read-only store (the outbox is small). */
static void
outbox_refresh (LbEngine *engine)
{
  GListStore *store = g_object_get_data (G_OBJECT (engine), OUTBOX_MODEL_KEY);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) items = NULL;

  if (store == NULL)
    return;
  rows = lb_engine_list_outbox (engine);
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (items, _lb_outbox_item_new (g_ptr_array_index (rows, i)));
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                       items->pdata, items->len);
}

static gboolean
outbox_refresh_idle (gpointer data)
{
  g_autoptr(LbEngine) engine = g_weak_ref_get (data);

  if (engine != NULL)
    outbox_refresh (engine);
  return G_SOURCE_REMOVE;
}

/* Any thread: the outbox changed; refresh the model on the main context. */
static void
outbox_changed (GWeakRef *engine_ref)
{
  g_autoptr(LbEngine) engine = g_weak_ref_get (engine_ref);
  GWeakRef *ref;

  if (engine == NULL)
    return;
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, engine);
  g_main_context_invoke_full (g_main_context_default (), G_PRIORITY_DEFAULT, outbox_refresh_idle,
                              ref, (GDestroyNotify) free_weak_ref_cb);
}

/**
 * lb_engine_get_outbox:
 *
 * The outbox of every account, for the sidebar's Outbox row: its number of items is the
 * count to show, and items-changed says when it changes.
 *
 * Returns: (transfer none) (element-type LbOutboxItem): the outbox
 */
GListModel *
lb_engine_get_outbox (LbEngine *self)
{
  GListStore *store;

  g_return_val_if_fail (LB_IS_ENGINE (self), NULL);
  store = g_object_get_data (G_OBJECT (self), OUTBOX_MODEL_KEY);
  if (store == NULL)
    {
      store = g_list_store_new (LB_TYPE_OUTBOX_ITEM);
      g_object_set_data_full (G_OBJECT (self), OUTBOX_MODEL_KEY, store, g_object_unref);
      outbox_refresh (self);
    }
  return G_LIST_MODEL (store);
}

typedef struct {
  GBytes  *message;
  char   **recipients;
  gint64   item_id;      /* 0: queue @message first */
  gboolean all_due;      /* process every due item instead */
  gboolean ignore_backoff;
  GWeakRef engine;
  gboolean *queued;      /* rc box shared with the task: set for a temporary failure */
} SendJob;

static void
send_job_free (SendJob *job)
{
  g_clear_pointer (&job->message, g_bytes_unref);
  g_strfreev (job->recipients);
  g_weak_ref_clear (&job->engine);
  g_clear_pointer (&job->queued, g_atomic_rc_box_release);
  g_free (job);
}

static const char *
authenticated_address (const LbStoreAccount *row)
{
  /* The login name when it is an address (it is what QQ and Yandex compare MAIL FROM
   * with), else the account's address. */
  if (row->username != NULL && strchr (row->username, '@') != NULL)
    return row->username;
  return row->email;
}

static gboolean
retry_due (gpointer data)
{
  GWeakRef *ref = data;
  g_autoptr(LbEngine) engine = g_weak_ref_get (ref);

  if (engine != NULL)
    lb_engine_flush_outbox (engine, FALSE);
  return G_SOURCE_REMOVE;
}


static void
schedule_retry (SendJob *job,
                gint64   seconds)
{
  g_autoptr(LbEngine) engine = g_weak_ref_get (&job->engine);
  g_autoptr(GSource) source = NULL;
  GWeakRef *ref;

  if (engine == NULL)
    return;
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, engine);
  source = g_timeout_source_new_seconds (MAX (seconds, 1));
  g_source_set_callback (source, retry_due, ref, free_weak_ref_cb);
  g_source_attach (source, g_main_context_default ());
}

static gpointer
send_job_run (gpointer       worker_data,
              gpointer       job_data,
              GCancellable  *cancellable,
              GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  SendJob *job = job_data;
  const LbStoreAccount *row = w->row;
  g_autoptr(LbProvider) provider = NULL;
  g_autofree char *key = _lb_account_secret_key (row->id);
  LbSecret *password = NULL;
  g_autoptr(GPtrArray) items = NULL;
  LbOutboxContext context = { 0 };
  LbQuirks quirks;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 retry_in = 0;
  gboolean ok = TRUE;
  gboolean sent_any = FALSE;

  if (job->message != NULL)
    {
      job->item_id = lb_outbox_queue_sync (w->store, row->id, job->message,
                                           authenticated_address (row),
                                           (const char * const *) job->recipients, NULL, error);
      if (job->item_id == 0)
        return NULL;
      outbox_changed (&job->engine);
    }
  if (job->all_due)
    lb_outbox_recover_sync (w->store, row->id);

  if (row->provider_id != NULL)
    {
      LbProvider *p = lb_provider_db_lookup_id (lb_provider_db_get_default (), row->provider_id);
      provider = p != NULL ? lb_provider_ref (p) : NULL;
    }
  lb_quirks_init (&quirks);
  if (provider != NULL)
    lb_provider_get_quirks (provider, &quirks);

  context.store = w->store;
  context.sync = w->sync;
  context.account = row;
  context.provider = provider;
  context.server_saves_sent_copy = quirks.server_saves_sent_copy;

  items = lb_store_outbox_list (w->store, row->id, error);
  if (items == NULL)
    return NULL;
  for (guint i = 0; i < items->len && ok; i++)
    {
      LbStoreOutboxItem *item = g_ptr_array_index (items, i);
      g_autoptr(GError) local_error = NULL;

      if (job->all_due ? FALSE : item->id != job->item_id)
        continue;
      if (item->state == LB_STORE_OUTBOX_QUEUED)
        {
          if (job->all_due && !job->ignore_backoff && item->next_attempt > now)
            {
              retry_in = retry_in == 0 ? item->next_attempt - now : MIN (retry_in, item->next_attempt - now);
              continue;
            }
          if (password == NULL)
            {
              password = lb_secrets_lookup_sync (key, cancellable, &local_error);
              if (password == NULL)
                {
                  /* The keyring may be locked: the item stays queued for the next try. */
                  if (job->queued != NULL)
                    *job->queued = TRUE;
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  return NULL;
                }
              context.password = password;
            }
          switch (lb_outbox_send_item_sync (&context, item, cancellable, &local_error))
            {
            case LB_SMTP_OK:
              sent_any = TRUE;
              break;
            case LB_SMTP_TEMPORARY:
              retry_in = retry_in == 0 ? item->next_attempt - now : MIN (retry_in, item->next_attempt - now);
              /* Read by lb_engine_send_finish() after this job returns. */
              if (job->queued != NULL)
                *job->queued = TRUE;
              G_GNUC_FALLTHROUGH;
            case LB_SMTP_PERMANENT:
            default:
              if (!job->all_due)
                {
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  ok = FALSE;
                }
              continue;
            }
        }
      if (item->state == LB_STORE_OUTBOX_SENT)
        {
          /* The message is out; a failed copy is retried by the next flush. */
          if (!lb_outbox_copy_to_sent_sync (&context, item, cancellable, &local_error))
            g_warning ("Could not keep a copy in Sent: %s", local_error->message);
        }
    }
  if (password != NULL)
    lb_secrets_free (password);
  outbox_changed (&job->engine);
  if (retry_in > 0)
    schedule_retry (job, retry_in);
  if (sent_any)
    {
      /* Show the new copy in Sent soon. */
      gint64 sent = lb_imap_sync_find_folder (w->sync, LB_FOLDER_ROLE_SENT);
      if (sent > 0)
        lb_imap_sync_folder (w->sync, sent, cancellable, NULL);
    }
  if (!ok)
    return NULL;
  if (!job->all_due && job->item_id != 0)
    {
      /* The item is gone once it was sent and copied, or kept in SENT for the copy. */
      g_autoptr(GPtrArray) after = lb_store_outbox_list (w->store, row->id, NULL);
      for (guint i = 0; after != NULL && i < after->len; i++)
        {
          LbStoreOutboxItem *item = g_ptr_array_index (after, i);
          if (item->id == job->item_id && item->state != LB_STORE_OUTBOX_SENT)
            {
              g_set_error_literal (error, LB_ERROR, LB_ERROR_FAILED,
                                   item->last_error != NULL ? item->last_error : _("Not sent"));
              return NULL;
            }
        }
    }
  return GINT_TO_POINTER (1);
}

static SendJob *
send_job_new (LbEngine *engine)
{
  SendJob *job = g_new0 (SendJob, 1);

  g_weak_ref_init (&job->engine, engine);
  return job;
}

/**
 * lb_engine_send_async:
 * @account: the account to send from; the envelope sender is its authenticated address
 * @message: the message as built by lb_mime_build() (CRLF, 7-bit)
 * @recipients: (array zero-terminated=1): envelope recipients (To, Cc and Bcc)
 *
 * Puts the message into the outbox and sends it on the account's worker.  The outbox
 * row is written before the first byte is sent, so a message is never lost; see
 * lb-outbox.h for the states.  A temporary failure keeps it queued and retries with
 * exponential backoff while the engine runs.
 */
void
lb_engine_send_async (LbEngine            *self,
                      LbAccount           *account,
                      GBytes              *message,
                      const char * const  *recipients,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SendJob *job;

  g_return_if_fail (LB_IS_ENGINE (self));
  g_return_if_fail (LB_IS_ACCOUNT (account));
  g_return_if_fail (message != NULL);
  g_return_if_fail (recipients != NULL && recipients[0] != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_engine_send_async);
  job = send_job_new (self);
  job->message = g_bytes_ref (message);
  job->recipients = g_strdupv ((char **) recipients);
  job->queued = g_atomic_rc_box_new0 (gboolean);
  g_object_set_data_full (G_OBJECT (task), "lb-queued", g_atomic_rc_box_acquire (job->queued),
                          g_atomic_rc_box_release);
  _lb_account_push (account, LB_JOB_PRIORITY_USER, NULL, send_job_run, job,
                    (GDestroyNotify) send_job_free, NULL, task);
}

/**
 * lb_engine_send_finish:
 * @out_queued: (out) (optional): on failure, %TRUE when the message is still queued and
 *   will be retried (a temporary failure), %FALSE when it needs the user (FAILED)
 *
 * Returns: %TRUE when the server accepted the message
 */
gboolean
lb_engine_send_finish (LbEngine      *self,
                       GAsyncResult  *result,
                       gboolean      *out_queued,
                       GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  ok = g_task_propagate_pointer (G_TASK (result), &local_error) != NULL;
  if (out_queued != NULL)
    {
      gboolean *queued = g_object_get_data (G_OBJECT (result), "lb-queued");
      *out_queued = !ok && queued != NULL && *queued;
    }
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

static void
flush_account (LbEngine  *self,
               LbAccount *account,
               gboolean   ignore_backoff,
               GTask     *task)
{
  SendJob *job = send_job_new (self);

  job->all_due = TRUE;
  job->ignore_backoff = ignore_backoff;
  _lb_account_push (account, LB_JOB_PRIORITY_USER, ignore_backoff ? "outbox-now" : "outbox",
                    send_job_run, job, (GDestroyNotify) send_job_free, NULL, task);
}

/**
 * lb_engine_flush_outbox:
 * @ignore_backoff: send queued messages now, even those waiting for their next attempt
 *
 * For every account: marks items interrupted by a crash as failed (see lb-outbox.h),
 * sends the queued items that are due and makes the missing Sent copies.  Call it at
 * start-up and when the network comes back.
 */
void
lb_engine_flush_outbox (LbEngine *self,
                        gboolean  ignore_backoff)
{
  GListModel *accounts;

  g_return_if_fail (LB_IS_ENGINE (self));
  accounts = lb_engine_get_accounts (self);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) account = g_list_model_get_item (accounts, i);
      flush_account (self, account, ignore_backoff, NULL);
    }
}

/**
 * lb_engine_flush_outbox_async:
 *
 * lb_engine_flush_outbox() for one account, with completion (for the CLI and tests).
 */
void
lb_engine_flush_outbox_async (LbEngine            *self,
                              LbAccount           *account,
                              gboolean             ignore_backoff,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lb_engine_flush_outbox_async);
  flush_account (self, account, ignore_backoff, task);
}

gboolean
lb_engine_flush_outbox_finish (LbEngine      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

typedef struct {
  gint64   item_id;
  gboolean discard;
  GWeakRef engine;
} ChangeJob;

static void
change_job_free (ChangeJob *job)
{
  g_weak_ref_clear (&job->engine);
  g_free (job);
}

static gpointer
change_job_run (gpointer       worker_data,
                gpointer       job_data,
                GCancellable  *cancellable,
                GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  ChangeJob *job = job_data;
  gboolean ok;

  if (job->discard)
    ok = lb_store_outbox_remove (w->store, job->item_id, error);
  else
    ok = lb_store_outbox_update (w->store, job->item_id, LB_STORE_OUTBOX_QUEUED, 0, 0, NULL, error);
  outbox_changed (&job->engine);
  return ok ? GINT_TO_POINTER (1) : NULL;
}

/**
 * lb_engine_outbox_retry:
 *
 * Puts a failed (or waiting) outbox item back in the queue, due now, and sends it.
 */
void
lb_engine_outbox_retry (LbEngine  *self,
                        LbAccount *account,
                        gint64     item_id)
{
  ChangeJob *job = g_new0 (ChangeJob, 1);

  job->item_id = item_id;
  g_weak_ref_init (&job->engine, self);
  _lb_account_push (account, LB_JOB_PRIORITY_USER, NULL, change_job_run, job,
                    (GDestroyNotify) change_job_free, NULL, NULL);
  flush_account (self, account, TRUE, NULL);
}

/**
 * lb_engine_outbox_discard:
 *
 * Removes an outbox item that is not being sent.
 */
void
lb_engine_outbox_discard (LbEngine  *self,
                          LbAccount *account,
                          gint64     item_id)
{
  ChangeJob *job = g_new0 (ChangeJob, 1);

  job->item_id = item_id;
  job->discard = TRUE;
  g_weak_ref_init (&job->engine, self);
  _lb_account_push (account, LB_JOB_PRIORITY_USER, NULL, change_job_run, job,
                    (GDestroyNotify) change_job_free, NULL, NULL);
}

/**
 * lb_engine_list_outbox:
 *
 * Reads the outbox (every account) from the main thread's read-only store.
 *
 * Returns: (transfer full) (element-type LbStoreOutboxItem): the items, oldest first
 */
GPtrArray *
lb_engine_list_outbox (LbEngine *self)
{
  GListModel *accounts = lb_engine_get_accounts (self);
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_outbox_item_free);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) account = g_list_model_get_item (accounts, i);
      g_autoptr(GPtrArray) items = lb_store_outbox_list (_lb_engine_get_read_store (self),
                                                         lb_account_get_id (account), NULL);

      if (items != NULL)
        g_ptr_array_extend_and_steal (all, g_steal_pointer (&items));
    }
  return all;
}
