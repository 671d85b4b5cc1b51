/* lb-message-drag.h: dragging messages from the list to a sidebar folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lb-message-list-view.h"

G_BEGIN_DECLS

void       lb_message_drag_attach      (LbMessageListView *view);
char      *lb_message_drag_text        (GPtrArray         *messages);
GtkWidget *lb_message_drag_icon_new    (guint              n_messages);

G_END_DECLS
