/* lb-conversation-stack.h: the messages of a conversation, above the reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lb-message.h"

G_BEGIN_DECLS

#define LB_TYPE_CONVERSATION_STACK (lb_conversation_stack_get_type ())

G_DECLARE_FINAL_TYPE (LbConversationStack, lb_conversation_stack, LB, CONVERSATION_STACK, GtkWidget)

GtkWidget *lb_conversation_stack_new          (void);
void       lb_conversation_stack_set_messages (LbConversationStack *self,
                                               GPtrArray           *messages,
                                               LbMessage           *current);
LbMessage *lb_conversation_stack_pick         (GPtrArray           *messages);
guint      lb_conversation_stack_get_n_entries (LbConversationStack *self);
gboolean   lb_conversation_stack_is_expanded  (LbConversationStack *self,
                                               guint                index);

G_END_DECLS
