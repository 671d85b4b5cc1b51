/* lb-outbox-view.h: the Outbox's messages, in place of the message list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"

G_BEGIN_DECLS

#define LB_TYPE_OUTBOX_VIEW (lb_outbox_view_get_type ())

G_DECLARE_FINAL_TYPE (LbOutboxView, lb_outbox_view, LB, OUTBOX_VIEW, GtkWidget)

GtkWidget *lb_outbox_view_new         (void);
void       lb_outbox_view_show        (LbOutboxView *self,
                                       LbEngine     *engine,
                                       gint64        account_id);
char      *lb_outbox_view_state_text  (LbOutboxItem *item);

G_END_DECLS
