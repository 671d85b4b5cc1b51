/* lb-message.h: one message as the list and the reader see it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-message
 * @title: LbMessage
 *
 * One message as the message list and the reader see it: envelope fields decoded for
 * display and the flags.  Made by #LbMessageList and lb_engine_lookup_message(); main
 * thread only.  Flags change in place (with notifications) when a local change or a
 * sync touches them.  Strings and the #GDateTime are owned by the message.
 */
#pragma once

#include <gio/gio.h>

#include "lb-types.h"

G_BEGIN_DECLS

#define LB_TYPE_MESSAGE (lb_message_get_type ())

G_DECLARE_FINAL_TYPE (LbMessage, lb_message, LB, MESSAGE, GObject)

gint64       lb_message_get_id              (LbMessage *self);
gint64       lb_message_get_account_id      (LbMessage *self);
gint64       lb_message_get_folder_id       (LbMessage *self);
guint32      lb_message_get_uid             (LbMessage *self);
GDateTime   *lb_message_get_date            (LbMessage *self);
gint64       lb_message_get_date_unix       (LbMessage *self);
const char  *lb_message_get_from_name       (LbMessage *self);
const char  *lb_message_get_from_address    (LbMessage *self);
const char  *lb_message_get_sender          (LbMessage *self);
const char  *lb_message_get_subject         (LbMessage *self);
const char  *lb_message_get_preview         (LbMessage *self);
guint        lb_message_get_flags           (LbMessage *self);
gboolean     lb_message_get_unread          (LbMessage *self);
gboolean     lb_message_get_flagged         (LbMessage *self);
gboolean     lb_message_get_has_attachments (LbMessage *self);
const char  *lb_message_get_account_name    (LbMessage *self);
const char  *lb_message_get_account_color   (LbMessage *self);
const char  *lb_message_get_to              (LbMessage *self);
char        *lb_message_dup_recipient_names (LbMessage *self);
LbFolderRole lb_message_get_folder_role     (LbMessage *self);
const char  *lb_message_get_folder_name     (LbMessage *self);
gboolean     lb_message_get_is_outgoing     (LbMessage *self);
const char  *lb_message_get_search_sentence (LbMessage *self);

gint64       lb_message_get_thread_id       (LbMessage *self);
guint        lb_message_get_conversation_count (LbMessage *self);
guint        lb_message_get_conversation_unread (LbMessage *self);
gboolean     lb_message_get_conversation_flagged (LbMessage *self);
gboolean     lb_message_get_conversation_has_attachments (LbMessage *self);
const char  *lb_message_get_participants    (LbMessage *self);
const char  *lb_message_get_conversation_subject (LbMessage *self);
const char  *lb_message_get_conversation_preview (LbMessage *self);
gint64       lb_message_get_conversation_date_unix (LbMessage *self);

G_END_DECLS
