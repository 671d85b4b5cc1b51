/* lb-message-list-view.h: the message list pane: a folder, All Inboxes or a search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"
#include "lb-message-list.h"

G_BEGIN_DECLS

#define LB_TYPE_MESSAGE_LIST_VIEW (lb_message_list_view_get_type ())

G_DECLARE_FINAL_TYPE (LbMessageListView, lb_message_list_view, LB, MESSAGE_LIST_VIEW, GtkWidget)

GtkWidget         *lb_message_list_view_new             (void);
void               lb_message_list_view_show_folder     (LbMessageListView *self,
                                                         LbEngine          *engine,
                                                         gint64             folder_id);
LbMessageList     *lb_message_list_view_get_list        (LbMessageListView *self);
GtkSelectionModel *lb_message_list_view_get_selection   (LbMessageListView *self);
GPtrArray         *lb_message_list_view_get_selected    (LbMessageListView *self);
guint              lb_message_list_view_get_n_selected  (LbMessageListView *self);
gboolean           lb_message_list_view_select_relative (LbMessageListView *self,
                                                         int                delta);
void               lb_message_list_view_select_position (LbMessageListView *self,
                                                         guint              position);
void               lb_message_list_view_set_syncing     (LbMessageListView *self,
                                                         gboolean           syncing);
void               lb_message_list_view_start_search    (LbMessageListView *self);
void               lb_message_list_view_stop_search     (LbMessageListView *self);
gboolean           lb_message_list_view_get_searching   (LbMessageListView *self);
const char        *lb_message_list_view_get_state       (LbMessageListView *self);
GtkListView       *lb_message_list_view_get_list_view   (LbMessageListView *self);
const char        *lb_message_list_view_get_search_query (LbMessageListView *self);
void               lb_message_list_view_set_context_menu_model (LbMessageListView *self,
                                                                GMenuModel        *model);
GtkPopover        *lb_message_list_view_get_context_menu (LbMessageListView *self);
gboolean           lb_message_list_view_popup_context_menu_at (LbMessageListView *self,
                                                               double             x,
                                                               double             y);
gboolean           lb_message_list_view_popup_context_menu (LbMessageListView *self);
void               lb_message_list_view_search_server   (LbMessageListView *self);
const char        *lb_message_list_view_get_server_search_state (LbMessageListView *self);
void               lb_message_list_view_search_everywhere (LbMessageListView *self);
void               lb_message_list_view_set_scope_title (LbMessageListView *self,
                                                         const char        *title);

void           lb_message_list_view_set_conversations (LbMessageListView *self,
                                                       gboolean           conversations);

G_END_DECLS
