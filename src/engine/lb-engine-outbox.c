/* lb-engine-outbox.c: LbEngine's outbox (declared in lb-engine.h)
 *
 * Sending, retrying and discarding queued messages, and the outbox list model.  The
 * job bodies (SMTP, the Sent copy) are worker/lb-outbox-jobs.c's, run on the account's
 * worker thread on plain data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-account-private.h"
#include "lb-engine-private.h"
#include "lb-outbox-jobs.h"
#include "lb-outbox-item-private.h"

/* What the outbox's jobs hold of the engine: a weak reference and the engine's main
 * context, never a strong reference.  A worker that held one could drop the last, and
 * the engine's dispose, run on that worker, would join the worker's own thread.  Shared
 * between threads, so an atomic reference-counted box. */
typedef struct {
  GWeakRef      engine;
  GMainContext *context;
} OutboxLink;

static void
outbox_link_clear (OutboxLink *link)
{
  g_weak_ref_clear (&link->engine);
  g_main_context_unref (link->context);
}

static OutboxLink *
outbox_link_new (LbEngine *engine)
{
  OutboxLink *link = g_atomic_rc_box_new0 (OutboxLink);

  g_weak_ref_init (&link->engine, engine);
  link->context = g_main_context_ref (engine->main_context);
  return link;
}

static void
outbox_link_release (gpointer link)
{
  g_atomic_rc_box_release_full (link, (GDestroyNotify) outbox_link_clear);
}

/* Any thread: runs @func later on the engine's main context, with the link. */
static void
outbox_link_attach (OutboxLink  *link,
                    GSource     *source,
                    GSourceFunc  func)
{
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, g_atomic_rc_box_acquire (link), outbox_link_release);
  g_source_attach (source, link->context);
}

/* What a worker read of one account's outbox, on its way to the main context. */
typedef struct {
  OutboxLink *link;
  gint64      account_id;
  GPtrArray  *rows;       /* LbStoreOutboxItem, without the message bytes */
} OutboxNews;

static void
outbox_news_free (gpointer data)
{
  OutboxNews *news = data;

  outbox_link_release (news->link);
  g_ptr_array_unref (news->rows);
  g_free (news);
}

/* Main thread: puts @items in place of @account_id's items in the model.  Each account's
 * items stay together, in the order the store lists them. */
static void
outbox_replace_account (LbEngine  *engine,
                        gint64     account_id,
                        GPtrArray *items)
{
  GListModel *model = G_LIST_MODEL (engine->outbox);
  guint n = g_list_model_get_n_items (model);
  guint first = n;
  guint count = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbOutboxItem) item = g_list_model_get_item (model, i);

      if (lb_outbox_item_get_account_id (item) != account_id)
        continue;
      if (count == 0)
        first = i;
      count++;
    }
  if (count == 0 && (items == NULL || items->len == 0))
    return;
  g_list_store_splice (engine->outbox, first, count, items != NULL ? items->pdata : NULL,
                       items != NULL ? items->len : 0);
}

static gboolean
outbox_news_idle (gpointer data)
{
  OutboxNews *news = data;
  g_autoptr(LbEngine) engine = g_weak_ref_get (&news->link->engine);
  g_autoptr(GPtrArray) items = NULL;

  /* The account may have been removed meanwhile: its rows are not shown then. */
  if (engine == NULL || engine->outbox == NULL ||
      lb_engine_get_account (engine, news->account_id) == NULL)
    return G_SOURCE_REMOVE;
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < news->rows->len; i++)
    g_ptr_array_add (items, _lb_outbox_item_new (g_ptr_array_index (news->rows, i)));
  outbox_replace_account (engine, news->account_id, items);
  return G_SOURCE_REMOVE;
}

/* Worker thread: the account's outbox changed, and @rows is how it is now (read with the
 * worker's own connection).  Only the model's update runs on the main context. */
static void
outbox_changed (gint64     account_id,
                GPtrArray *rows,
                gpointer   data)
{
  g_autoptr(GSource) source = g_idle_source_new ();
  OutboxNews *news = g_new0 (OutboxNews, 1);

  news->link = g_atomic_rc_box_acquire (data);
  news->account_id = account_id;
  news->rows = rows;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, outbox_news_idle, news, outbox_news_free);
  g_source_attach (source, news->link->context);
}

static gboolean
retry_due (gpointer data)
{
  OutboxLink *link = data;
  g_autoptr(LbEngine) engine = g_weak_ref_get (&link->engine);

  if (engine != NULL)
    lb_engine_flush_outbox (engine, FALSE);
  return G_SOURCE_REMOVE;
}

/* Worker thread: queued items are due again in @seconds. */
static void
job_schedule_retry (gint64   seconds,
                    gpointer data)
{
  g_autoptr(GSource) source = g_timeout_source_new_seconds ((guint) MAX (seconds, 1));

  outbox_link_attach (data, source, retry_due);
}

static void
notify_init (LbOutboxNotify *notify,
             LbEngine       *engine)
{
  notify->changed = outbox_changed;
  notify->retry = job_schedule_retry;
  notify->user_data = outbox_link_new (engine);
  notify->user_data_free = outbox_link_release;
}

/* The account's worker thread: the body is lb-outbox-jobs.c's, on plain data. */
static gpointer
send_job_run (gpointer       worker_data,
              gpointer       job_data,
              GCancellable  *cancellable,
              GError       **error)
{
  LbAccountWorkerData *w = worker_data;

  return lb_outbox_send_job_run (w->store, w->sync, w->row, job_data, cancellable, error);
}

/* A send job for @account: one message (@message and @recipients), or, with both %NULL,
 * whatever of the outbox is due. */
static LbOutboxSendJob *
send_job_new (LbEngine           *engine,
              LbAccount          *account,
              GBytes             *message,
              const char * const *recipients)
{
  LbOutboxSendJob *job = lb_outbox_send_job_new ();

  job->secret_key = _lb_account_secret_key (lb_account_get_id (account));
  notify_init (&job->notify, engine);
  if (message != NULL)
    job->message = g_bytes_ref (message);
  job->recipients = g_strdupv ((char **) recipients);
  return job;
}

/* Queues one message on @account's worker: sent at once, or with @hold only put into the
 * outbox held.  A send's task learns whether a failed message is still queued ("lb-queued",
 * read by lb_engine_send_finish()); a hold's result is the new item's id. */
static void
push_send_job (LbEngine           *self,
               LbAccount          *account,
               GBytes             *message,
               const char * const *recipients,
               gboolean            hold,
               GTask              *task)
{
  LbOutboxSendJob *job = send_job_new (self, account, message, recipients);
  g_autoptr(GTask) inner = NULL;

  job->hold = hold;
  if (!hold)
    {
      job->queued = g_atomic_rc_box_new0 (gboolean);
      g_object_set_data_full (G_OBJECT (task), "lb-queued", g_atomic_rc_box_acquire (job->queued),
                              g_atomic_rc_box_release);
    }
  inner = _lb_engine_relay_task (task, hold ? g_free : NULL);
  _lb_account_push (account, LB_JOB_PRIORITY_USER, NULL, send_job_run, job,
                    (GDestroyNotify) lb_outbox_send_job_free, hold ? g_free : NULL, inner);
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

  g_return_if_fail (LB_IS_ENGINE (self));
  g_return_if_fail (LB_IS_ACCOUNT (account));
  g_return_if_fail (message != NULL);
  g_return_if_fail (recipients != NULL && recipients[0] != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_engine_send_async);
  push_send_job (self, account, message, recipients, FALSE, task);
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

/**
 * lb_engine_hold_async:
 * @account: the account to send from
 * @message: the message as built by lb_mime_build()
 * @recipients: (array zero-terminated=1): envelope recipients
 *
 * Puts the message into the outbox held (%LB_OUTBOX_HELD) and sends nothing: for Undo
 * Send, which releases it with lb_engine_outbox_retry() when the delay is over, or
 * discards it.  Until then nothing leaves the machine, and a quit or crash leaves it in
 * the outbox, unsent.
 */
void
lb_engine_hold_async (LbEngine            *self,
                      LbAccount           *account,
                      GBytes              *message,
                      const char * const  *recipients,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_ENGINE (self));
  g_return_if_fail (LB_IS_ACCOUNT (account));
  g_return_if_fail (message != NULL);
  g_return_if_fail (recipients != NULL && recipients[0] != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_engine_hold_async);
  push_send_job (self, account, message, recipients, TRUE, task);
}

/**
 * lb_engine_hold_finish:
 *
 * Returns: the held item's id, or 0 with @error set
 */
gint64
lb_engine_hold_finish (LbEngine      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_autofree gint64 *id = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  id = g_task_propagate_pointer (G_TASK (result), error);
  return id != NULL ? *id : 0;
}

static void
flush_account (LbEngine  *self,
               LbAccount *account,
               gboolean   ignore_backoff,
               GTask     *task)
{
  LbOutboxSendJob *job = send_job_new (self, account, NULL, NULL);
  g_autoptr(GTask) inner = _lb_engine_relay_task (task, NULL);

  job->all_due = TRUE;
  job->ignore_backoff = ignore_backoff;
  _lb_account_push (account, LB_JOB_PRIORITY_USER, ignore_backoff ? "outbox-now" : "outbox",
                    send_job_run, job, (GDestroyNotify) lb_outbox_send_job_free, NULL, inner);
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

static gpointer
change_job_run (gpointer       worker_data,
                gpointer       job_data,
                GCancellable  *cancellable,
                GError       **error)
{
  LbAccountWorkerData *w = worker_data;

  return lb_outbox_change_job_run (w->store, job_data, error);
}

static void
push_change (LbEngine  *self,
             LbAccount *account,
             gint64     item_id,
             gboolean   discard,
             GTask     *task)
{
  LbOutboxChangeJob *job = lb_outbox_change_job_new ();
  g_autoptr(GTask) inner = _lb_engine_relay_task (task, NULL);

  job->account_id = lb_account_get_id (account);
  job->item_id = item_id;
  job->discard = discard;
  notify_init (&job->notify, self);
  _lb_account_push (account, LB_JOB_PRIORITY_USER, NULL, change_job_run, job,
                    (GDestroyNotify) lb_outbox_change_job_free, NULL, inner);
}

/* Reads @account's outbox on its worker, for the model. */
static void
push_report (LbEngine  *self,
             LbAccount *account)
{
  push_change (self, account, 0, FALSE, NULL);
}

/**
 * lb_engine_reload_outbox_async:
 * @account: the account whose items to read
 *
 * Reads @account's outbox again into lb_engine_get_outbox()'s model, on the account's
 * worker; once the callback runs, the model holds what the store held (for the CLI and
 * tests, which need the model complete before they look).  Finish with
 * lb_engine_outbox_change_finish().
 */
void
lb_engine_reload_outbox_async (LbEngine            *self,
                               LbAccount           *account,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_ENGINE (self));
  g_return_if_fail (LB_IS_ACCOUNT (account));

  lb_engine_get_outbox (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_engine_reload_outbox_async);
  /* The model's update is scheduled on the main context before the job completes, so it
   * runs before this task's callback. */
  push_change (self, account, 0, FALSE, task);
}

/* Main thread: accounts came or went.  A new account's outbox is read on its worker; a
 * removed account's items leave the model. */
static void
outbox_accounts_changed (GListModel *accounts,
                         guint       position,
                         guint       removed,
                         guint       added,
                         LbEngine   *self)
{
  GListModel *model = G_LIST_MODEL (self->outbox);

  for (guint i = g_list_model_get_n_items (model); i > 0; i--)
    {
      g_autoptr(LbOutboxItem) item = g_list_model_get_item (model, i - 1);

      if (lb_engine_get_account (self, lb_outbox_item_get_account_id (item)) == NULL)
        g_list_store_remove (self->outbox, i - 1);
    }
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LbAccount) account = g_list_model_get_item (accounts, i);
      push_report (self, account);
    }
}

/**
 * lb_engine_get_outbox:
 *
 * The outbox of every account, for the sidebar's Outbox row: its number of items is the
 * count to show, and items-changed says when it changes.  The accounts' workers fill it
 * (lb_engine_new() makes it, so that each reads it before anything else it does); it
 * is complete once the main context has run after their first jobs.
 *
 * Returns: (transfer none) (element-type LbOutboxItem): the outbox
 */
GListModel *
lb_engine_get_outbox (LbEngine *self)
{
  GListModel *accounts;

  g_return_val_if_fail (LB_IS_ENGINE (self), NULL);
  if (self->outbox != NULL)
    return G_LIST_MODEL (self->outbox);

  self->outbox = g_list_store_new (LB_TYPE_OUTBOX_ITEM);
  accounts = lb_engine_get_accounts (self);
  g_signal_connect_object (accounts, "items-changed", G_CALLBACK (outbox_accounts_changed), self,
                           0);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) account = g_list_model_get_item (accounts, i);
      push_report (self, account);
    }
  return G_LIST_MODEL (self->outbox);
}

/**
 * lb_engine_outbox_retry:
 *
 * Puts a failed, waiting or held outbox item back in the queue, due now, and sends it.
 */
void
lb_engine_outbox_retry (LbEngine  *self,
                        LbAccount *account,
                        gint64     item_id)
{
  lb_engine_outbox_retry_async (self, account, item_id, NULL, NULL, NULL);
}

/**
 * lb_engine_outbox_retry_async:
 *
 * lb_engine_outbox_retry() with completion: the callback runs once the send attempt is
 * over (lb_engine_outbox_change_finish()); the outbox then says how it went (the item is
 * gone or SENT once the server accepted it).
 */
void
lb_engine_outbox_retry_async (LbEngine            *self,
                              LbAccount           *account,
                              gint64               item_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_ENGINE (self));
  g_return_if_fail (LB_IS_ACCOUNT (account));
  if (callback != NULL)
    {
      task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_source_tag (task, lb_engine_outbox_retry_async);
    }
  push_change (self, account, item_id, FALSE, NULL);
  flush_account (self, account, TRUE, task);
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
  lb_engine_outbox_discard_async (self, account, item_id, NULL, NULL, NULL);
}

/**
 * lb_engine_outbox_discard_async:
 *
 * lb_engine_outbox_discard() with completion (lb_engine_outbox_change_finish()).
 */
void
lb_engine_outbox_discard_async (LbEngine            *self,
                                LbAccount           *account,
                                gint64               item_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_ENGINE (self));
  g_return_if_fail (LB_IS_ACCOUNT (account));
  if (callback != NULL)
    {
      task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_source_tag (task, lb_engine_outbox_discard_async);
    }
  push_change (self, account, item_id, TRUE, task);
}

gboolean
lb_engine_outbox_change_finish (LbEngine      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

static gpointer
load_job_run (gpointer       worker_data,
              gpointer       job_data,
              GCancellable  *cancellable,
              GError       **error)
{
  LbAccountWorkerData *w = worker_data;

  return lb_store_outbox_get_raw (w->store, *(gint64 *) job_data, error);
}

/**
 * lb_engine_outbox_load_message_async:
 * @account: the item's account
 * @item_id: the item (lb_outbox_item_get_id())
 *
 * Reads an outbox item's message (to edit it again) on the account's worker: the outbox
 * model holds no message bytes.
 */
void
lb_engine_outbox_load_message_async (LbEngine            *self,
                                     LbAccount           *account,
                                     gint64               item_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;

  g_return_if_fail (LB_IS_ENGINE (self));
  g_return_if_fail (LB_IS_ACCOUNT (account));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_engine_outbox_load_message_async);
  inner = _lb_engine_relay_task (task, (GDestroyNotify) g_bytes_unref);
  _lb_account_push (account, LB_JOB_PRIORITY_USER, NULL, load_job_run,
                    g_memdup2 (&item_id, sizeof item_id), g_free,
                    (GDestroyNotify) g_bytes_unref, inner);
}

/**
 * lb_engine_outbox_load_message_finish:
 *
 * Returns: (transfer full): the message as it was queued, or %NULL with @error set
 */
GBytes *
lb_engine_outbox_load_message_finish (LbEngine      *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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
