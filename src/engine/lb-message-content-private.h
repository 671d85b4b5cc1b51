/* lb-message-content-private.h: between the public message types and mime/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-message-content.h"
#include "lb-mime-message.h"

G_BEGIN_DECLS

GPtrArray        *lb_mailboxes_from_addresses (GPtrArray        *addresses);
LbAttachment     *lb_attachment_new_for_part  (LbMimeAttachment *part);
LbMimeAttachment *lb_attachment_get_part      (LbAttachment     *self);
LbMimeMessage    *lb_message_content_get_mime (LbMessageContent *self);

G_END_DECLS
