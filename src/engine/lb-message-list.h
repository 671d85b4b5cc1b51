/* lb-message-list.h: a lazy list of one folder's messages, or of all inboxes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-message-list
 * @title: LbMessageList
 *
 * A lazy #GListModel of #LbMessage over one folder, all inboxes (the unified inbox) or a
 * search.  It holds only the ordered message ids; rows become objects when asked for
 * and are cached in a small window, so a list of a million messages costs a few bytes
 * per row.  Reloads read the store on a thread and emit #GListModel::items-changed on the
 * main thread with the smallest ranges they can.  Lists come from lb_engine_open_folder() and
 * lb_engine_search() (new references) and lb_engine_get_unified_inbox() (borrowed:
 * owned by the engine).
 */
#pragma once

#include <gio/gio.h>

#include "lb-message.h"

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
gint64    lb_message_list_get_total      (LbMessageList *self,
                                          gboolean      *out_estimated);
int       lb_message_list_get_indexing   (LbMessageList *self);
void      lb_message_list_set_conversations (LbMessageList *self,
                                             gboolean       conversations);
gboolean  lb_message_list_get_conversations (LbMessageList *self);
GPtrArray *lb_message_list_get_conversation (LbMessageList *self,
                                             LbMessage     *message,
                                             GError       **error);
GPtrArray *lb_message_list_expand_conversations (LbMessageList *self,
                                                 GPtrArray     *rows);

void      lb_message_list_search_server_async  (LbMessageList        *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean  lb_message_list_search_server_finish (LbMessageList        *self,
                                                GAsyncResult         *result,
                                                guint                *out_n_new,
                                                GError              **error);

G_END_DECLS
