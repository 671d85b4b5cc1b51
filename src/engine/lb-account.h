/* lb-account.h: one mail account and its background sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-folder.h"
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
GListModel      *lb_account_get_folders      (LbAccount           *self);
LbFolder        *lb_account_find_folder      (LbAccount           *self,
                                              LbFolderRole         role);
LbFolder        *lb_account_get_folder       (LbAccount           *self,
                                              gint64               folder_id);
guint            lb_account_get_inbox_unread (LbAccount           *self);

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
gboolean         lb_account_is_started       (LbAccount           *self);

G_END_DECLS
