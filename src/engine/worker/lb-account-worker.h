/* lb-account-worker.h: what runs on an account's threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-imap-sync.h"
#include "lb-oauth2-credentials.h"
#include "lb-provider.h"
#include "lb-server-config.h"
#include "lb-store.h"
#include "lb-types.h"
#include "lb-worker.h"

G_BEGIN_DECLS

typedef struct _LbAccountWorker LbAccountWorker;

/**
 * LbAccountWorkerData:
 * @worker: the account worker, to queue follow-up jobs
 * @row: the account's settings (owned by the account worker)
 * @store: the account's write connection, used on the worker thread only
 * @sync: the account's IMAP sync and its session, used on the worker thread only
 *
 * The worker-thread state handed to every job of the account.
 */
typedef struct {
  LbAccountWorker      *worker;
  const LbStoreAccount *row;
  LbStore              *store;
  LbImapSync           *sync;
} LbAccountWorkerData;

/**
 * LbAccountWorkerCallbacks:
 * @status: the account's state changed; @error_text is the reason of an error
 * @folders_changed: the folder list changed
 * @messages_changed: messages of @folder_id changed
 *
 * Called on the worker or the IDLE thread: the receiver forwards them to its own
 * main context.
 */
typedef struct {
  void (*status)           (LbAccountStatus  status,
                            const char      *error_text,
                            gpointer         user_data);
  void (*folders_changed)  (gpointer         user_data);
  void (*messages_changed) (gint64           folder_id,
                            gpointer         user_data);
} LbAccountWorkerCallbacks;

gboolean         lb_account_worker_get_needs_sign_in (LbAccountWorker  *self);
void             lb_account_worker_set_rotated_func (LbAccountWorker     *self,
                                                     LbOAuth2RotatedFunc  func,
                                                     gpointer             user_data);
LbAccountWorker *lb_account_worker_new   (const LbStoreAccount           *row,
                                          const char                     *store_path,
                                          LbProvider                     *provider,
                                          LbImapPasswordFunc              password_func,
                                          gpointer                        password_data,
                                          const LbAccountWorkerCallbacks *callbacks,
                                          gpointer                        user_data,
                                          GError                        **error);
void             lb_account_worker_free  (LbAccountWorker                *self);
void             lb_account_worker_start (LbAccountWorker                *self);
void             lb_account_worker_stop  (LbAccountWorker                *self);
LbServerConfig  *lb_account_worker_imap_config (const LbStoreAccount     *row);
void             lb_account_worker_push  (LbAccountWorker                *self,
                                          LbJobPriority                   priority,
                                          const char                     *key,
                                          LbJobFunc                       func,
                                          gpointer                        job_data,
                                          GDestroyNotify                  job_data_free,
                                          GDestroyNotify                  result_free,
                                          GTask                          *task);
void             lb_account_worker_queue_sync (LbAccountWorker           *self,
                                          gint64                          folder_id,
                                          LbJobPriority                   priority,
                                          GTask                          *task);
void             lb_account_worker_queue_pushed_sync (LbAccountWorker    *self,
                                          gint64                          folder_id);
void             lb_account_worker_queue_fetch_body (LbAccountWorker     *self,
                                          gint64                          message_id,
                                          GTask                          *task);
void             lb_account_worker_queue_replay (LbAccountWorker         *self);
gpointer         lb_account_worker_download_now_job (gpointer         worker_data,
                                          gpointer                        job_data,
                                          GCancellable                   *cancellable,
                                          GError                        **error);
guint            lb_account_worker_get_pending (LbAccountWorker          *self);

G_END_DECLS
