/* lb-account.h: one mail account and its background sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-account
 * @title: LbAccount
 *
 * One mail account: its settings, its folders (a #GListModel of #LbFolder, borrowed
 * from the account), its status, and its background sync.  Accounts are made and
 * removed by #LbEngine; they are never constructed directly.
 *
 * Threads: the object lives on the main thread.  lb_account_start() starts the
 * account's worker thread (one job queue: user actions first, then the visible folder,
 * then background sync) and its IDLE or polling thread; their results reach the main
 * thread as property notifications (#LbAccount:status, #LbAccount:last-error,
 * #LbAccount:inbox-unread) and the signals #LbAccount::messages-changed (folder id)
 * and #LbAccount::folders-changed, coalesced into one emission per batch.
 *
 * `_async` functions queue a job on the worker; their callbacks run on the main
 * context.  Returned strings are owned by the account and valid until the next change
 * notification of the matching property.
 */
#pragma once

#include <gio/gio.h>

#include "lb-folder.h"
#include "lb-identity.h"
#include "lb-server-config.h"
#include "lb-types.h"

G_BEGIN_DECLS

#define LB_TYPE_ACCOUNT (lb_account_get_type ())

G_DECLARE_FINAL_TYPE (LbAccount, lb_account, LB, ACCOUNT, GObject)

gint64           lb_account_get_id           (LbAccount           *self);
const char      *lb_account_get_email        (LbAccount           *self);
const char      *lb_account_get_display_name (LbAccount           *self);
const char      *lb_account_get_color        (LbAccount           *self);
const char      *lb_account_get_provider_id  (LbAccount           *self);
LbAccountStatus  lb_account_get_status       (LbAccount           *self);
const char      *lb_account_get_last_error   (LbAccount           *self);
LbAuthKind       lb_account_get_auth         (LbAccount           *self);
gboolean         lb_account_get_needs_sign_in (LbAccount          *self);
GListModel      *lb_account_get_folders      (LbAccount           *self);
LbFolder        *lb_account_find_folder      (LbAccount           *self,
                                              LbFolderRole         role);
LbFolder        *lb_account_get_folder       (LbAccount           *self,
                                              gint64               folder_id);
guint            lb_account_get_inbox_unread (LbAccount           *self);
const char      *lb_account_get_signature    (LbAccount           *self);
GPtrArray       *lb_account_get_aliases      (LbAccount           *self);
const char      *lb_account_get_proxy        (LbAccount           *self);
const LbIdentity *lb_account_find_identity   (LbAccount           *self,
                                              const char          *email);

void             lb_account_sync_async       (LbAccount           *self,
                                              gint64               folder_id,
                                              LbJobPriority        priority,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean         lb_account_sync_finish      (LbAccount           *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void             lb_account_fetch_body_async (LbAccount           *self,
                                              gint64               message_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GBytes          *lb_account_fetch_body_finish (LbAccount          *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void             lb_account_start            (LbAccount           *self);
void             lb_account_stop             (LbAccount           *self);

G_END_DECLS
