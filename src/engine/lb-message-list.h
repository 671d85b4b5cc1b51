/* lb-message-list.h: a lazy list of one folder's messages, or of all inboxes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LB_TYPE_MESSAGE_LIST (lb_message_list_get_type ())

G_DECLARE_FINAL_TYPE (LbMessageList, lb_message_list, LB, MESSAGE_LIST, GObject)

gint64    lb_message_list_get_folder_id  (LbMessageList *self);
gboolean  lb_message_list_is_unified     (LbMessageList *self);
guint     lb_message_list_get_unread     (LbMessageList *self);
void      lb_message_list_reload         (LbMessageList *self);
gboolean  lb_message_list_is_loading     (LbMessageList *self);
const char *lb_message_list_get_query   (LbMessageList *self);
const GError *lb_message_list_get_error (LbMessageList *self);
gboolean  lb_message_list_get_incomplete (LbMessageList *self);

void      lb_message_list_search_server_async  (LbMessageList        *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean  lb_message_list_search_server_finish (LbMessageList        *self,
                                                GAsyncResult         *result,
                                                guint                *out_n_new,
                                                GError              **error);

G_END_DECLS
