/* lb-message-row.h: one row of the message list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"

G_BEGIN_DECLS

#define LB_TYPE_MESSAGE_ROW (lb_message_row_get_type ())

G_DECLARE_FINAL_TYPE (LbMessageRow, lb_message_row, LB, MESSAGE_ROW, GtkWidget)

GtkWidget *lb_message_row_new              (void);
LbMessage *lb_message_row_get_message      (LbMessageRow *self);
void       lb_message_row_set_message      (LbMessageRow *self,
                                            LbMessage    *message);
gboolean   lb_message_row_get_show_account (LbMessageRow *self);
void       lb_message_row_set_show_account (LbMessageRow *self,
                                            gboolean      show_account);
void       lb_message_row_set_show_folder  (LbMessageRow *self,
                                            gboolean      show_folder);
guint      lb_message_row_get_position     (LbMessageRow *self);
const char *lb_message_row_get_highlight   (LbMessageRow *self);
void       lb_message_row_set_highlight    (LbMessageRow *self,
                                            const char   *highlight);
const char *lb_message_row_get_sender_text (LbMessageRow *self);
GtkLabel  *lb_message_row_get_sender_label (LbMessageRow *self);
GtkLabel  *lb_message_row_get_subject_label (LbMessageRow *self);
GtkLabel  *lb_message_row_get_preview_label (LbMessageRow *self);
const char *lb_message_row_get_account_text (LbMessageRow *self);

char      *lb_format_relative_date         (GDateTime    *date,
                                            GDateTime    *now);

G_END_DECLS
