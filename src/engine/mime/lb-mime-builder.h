/* lb-mime-builder.h: building outgoing messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "lb-address.h"
#include "lb-mime-attachment.h"

G_BEGIN_DECLS

/**
 * LbMimeDraft:
 * @from: the sender (name and address)
 * @to: (element-type LbAddress): recipients
 * @cc: (element-type LbAddress): copies
 * @bcc: (element-type LbAddress): blind copies: envelope recipients, never a header of a
 *   message that is sent
 * @subject: (nullable): UTF-8
 * @body: (nullable): the plain-text body, UTF-8, "\n" line ends
 * @in_reply_to: (nullable): the replied-to Message-ID, without angle brackets
 * @references: (nullable): ids without angle brackets, oldest first
 * @attachments: (element-type LbMimeAttachment): files to attach, with their content
 * @date: (nullable): the Date header; %NULL means now (tests set it)
 * @message_id: (nullable): without angle brackets; %NULL means a new one at the sender's
 *   domain (tests set it)
 * @body_html: (nullable): the formatted body, a whole HTML document in UTF-8; when set
 *   the message is multipart/alternative with @body as its text/plain part
 * @inline_parts: (element-type LbMimeAttachment): images the HTML shows by `cid:`, each
 *   with its Content-ID; they go in a multipart/related with the HTML
 *
 * A message being written, in plain data, so that worker threads can build it.
 */
typedef struct {
  LbAddress  *from;
  GPtrArray  *to;
  GPtrArray  *cc;
  GPtrArray  *bcc;
  char       *subject;
  char       *body;
  char       *in_reply_to;
  char      **references;
  GPtrArray  *attachments;
  GDateTime  *date;
  char       *message_id;
  char       *body_html;
  GPtrArray  *inline_parts;
} LbMimeDraft;

LbMimeDraft *lb_mime_draft_new            (void);
void         lb_mime_draft_free           (LbMimeDraft       *draft);
char       **lb_mime_draft_dup_recipients (const LbMimeDraft *draft);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbMimeDraft, lb_mime_draft_free)

/**
 * LbMimeBuildFlags:
 * @LB_MIME_BUILD_DEFAULT: a message to send: no Bcc header
 * @LB_MIME_BUILD_KEEP_BCC: keep the Bcc header (a draft saved for later editing)
 */
typedef enum {
  LB_MIME_BUILD_DEFAULT  = 0,
  LB_MIME_BUILD_KEEP_BCC = 1 << 0,
} LbMimeBuildFlags;

GBytes *lb_mime_build (const LbMimeDraft  *draft,
                       LbMimeBuildFlags    flags,
                       char              **out_message_id);

char   *lb_mime_generate_message_id (const char *sender_address);

G_END_DECLS
