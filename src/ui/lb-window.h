/* lb-window.h: the main window with its three panes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"
#include "lb-message-list-view.h"
#include "lb-sidebar.h"

G_BEGIN_DECLS

#define LB_TYPE_WINDOW (lb_window_get_type ())

G_DECLARE_FINAL_TYPE (LbWindow, lb_window, LB, WINDOW, AdwApplicationWindow)

LbWindow          *lb_window_new               (GtkApplication *application,
                                                LbEngine       *engine);
gboolean           lb_window_get_has_accounts  (LbWindow       *self);
void               lb_window_set_has_accounts  (LbWindow       *self,
                                                gboolean        has_accounts);
LbEngine          *lb_window_get_engine        (LbWindow *self);
LbSidebar         *lb_window_get_sidebar       (LbWindow *self);
LbMessageListView *lb_window_get_message_list  (LbWindow *self);
LbMessage         *lb_window_get_shown_message (LbWindow *self);
void               lb_window_open_message      (LbWindow *self,
                                                gint64    message_id);

G_END_DECLS
