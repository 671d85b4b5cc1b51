/* lb-outbox-jobs.h: the outbox's jobs on an account's worker thread
 *
 * LbEngine's outbox API (lb-engine-outbox.c) queues these on the account's worker; they
 * take plain data only and tell the main thread about changes through #LbOutboxNotify.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-imap-sync.h"
#include "lb-store.h"

G_BEGIN_DECLS

/**
 * LbOutboxNotify:
 * @changed: the outbox changed: its model must be reloaded
 * @retry: queued items are due again in @seconds
 * @user_data_free: (nullable): frees @user_data when the job is freed
 *
 * How a job reports to its owner.  Both functions are called on the worker thread; they
 * must only hand the news over to the owner's thread.
 */
typedef struct {
  /* The account's outbox changed; @summaries (LbStoreOutboxItem, without the message
   * bytes, owned by the callee) is how it is now, read on the worker thread. */
  void           (*changed) (gint64     account_id,
                             GPtrArray *summaries,
                             gpointer   user_data);
  void           (*retry)   (gint64   seconds,
                             gpointer user_data);
  gpointer         user_data;
  GDestroyNotify   user_data_free;
} LbOutboxNotify;

/**
 * LbOutboxSendJob:
 * @message: (nullable): a message to queue first (then @item_id is its item)
 * @recipients: the envelope recipients of @message
 * @item_id: the item to send, when not @all_due
 * @all_due: process every due item of the account instead
 * @ignore_backoff: with @all_due, send items waiting for their next attempt too
 * @queued: (nullable): set to %TRUE when the item stays queued after a failure
 * @secret_key: the keyring key of the account's secret
 */
typedef struct {
  GBytes          *message;
  char           **recipients;
  gint64           item_id;
  gboolean         all_due;
  gboolean         ignore_backoff;
  gboolean         hold;          /* only write the item, held (LB_OUTBOX_HELD); returns its id */
  gboolean        *queued;        /* an atomic rc box shared with the caller */
  char            *secret_key;
  LbOutboxNotify   notify;
} LbOutboxSendJob;

/**
 * LbOutboxChangeJob:
 *
 * Puts an item back in the queue, due now, or discards it.
 */
typedef struct {
  gint64           account_id;
  gint64           item_id;       /* 0: change nothing, only report the outbox */
  gboolean         discard;
  LbOutboxNotify   notify;
} LbOutboxChangeJob;

LbOutboxSendJob   *lb_outbox_send_job_new      (void);
void               lb_outbox_send_job_free     (LbOutboxSendJob       *job);
gpointer           lb_outbox_send_job_run      (LbStore               *store,
                                                LbImapSync            *sync,
                                                const LbStoreAccount  *account,
                                                LbOutboxSendJob       *job,
                                                GCancellable          *cancellable,
                                                GError               **error);
LbOutboxChangeJob *lb_outbox_change_job_new    (void);
void               lb_outbox_change_job_free   (LbOutboxChangeJob     *job);
gpointer           lb_outbox_change_job_run    (LbStore               *store,
                                                LbOutboxChangeJob     *job,
                                                GError               **error);

G_END_DECLS
