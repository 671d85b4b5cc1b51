/* lb-mime-message.h: a message decoded for the reader and the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "lb-address.h"
#include "lb-mime-attachment.h"

G_BEGIN_DECLS

#define LB_TYPE_MIME_MESSAGE (lb_mime_message_get_type ())

G_DECLARE_FINAL_TYPE (LbMimeMessage, lb_mime_message, LB, MIME_MESSAGE, GObject)

/**
 * lb_mime_message_new_from_bytes:
 * @raw: the RFC 822 message as fetched (BODY[])
 * @error: return location for an %LB_ERROR_PARSE error
 *
 * Parses and decodes a message completely: headers, the text and HTML
 * bodies (converted to UTF-8 with charset repair), inline `cid:` parts and
 * attachments (with decoded content).  The result is immutable and keeps no
 * GMime objects, so it may be created on a worker thread and read anywhere.
 * Hostile input (deep nesting, broken base64, missing boundaries, huge
 * headers) gives a best-effort result, never a crash; nesting deeper than
 * 32 levels is not descended into.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if @raw is not
 *   a message at all
 */
LbMimeMessage *lb_mime_message_new_from_bytes (GBytes  *raw,
                                               GError **error);

/**
 * lb_mime_message_get_subject:
 *
 * Returns: (transfer none): the decoded subject, "" if there is none
 */
const char *lb_mime_message_get_subject (LbMimeMessage *self);

/**
 * lb_mime_message_get_from:
 *
 * Returns: (transfer none) (element-type LbAddress): the From addresses, possibly empty.
 *   The same holds for the To, Cc, Bcc and Reply-To getters (only a saved draft has a
 *   Bcc header).
 */
GPtrArray  *lb_mime_message_get_from     (LbMimeMessage *self);
GPtrArray  *lb_mime_message_get_to       (LbMimeMessage *self);
GPtrArray  *lb_mime_message_get_cc       (LbMimeMessage *self);
GPtrArray  *lb_mime_message_get_bcc      (LbMimeMessage *self);
GPtrArray  *lb_mime_message_get_reply_to (LbMimeMessage *self);

/**
 * lb_mime_message_get_date:
 *
 * Returns: (transfer none) (nullable): the Date header, or %NULL if it is
 *   missing or cannot be parsed
 */
GDateTime  *lb_mime_message_get_date (LbMimeMessage *self);

/**
 * lb_mime_message_get_message_id:
 *
 * Returns: (transfer none) (nullable): the Message-ID without angle brackets
 */
const char *lb_mime_message_get_message_id (LbMimeMessage *self);

/**
 * lb_mime_message_get_in_reply_to:
 *
 * Returns: (transfer none) (nullable): the first id of In-Reply-To, without angle brackets
 */
const char *lb_mime_message_get_in_reply_to (LbMimeMessage *self);

/**
 * lb_mime_message_get_references:
 *
 * Returns: (transfer none): the ids of References, oldest first, without
 *   angle brackets; an empty vector if there are none
 */
const char *const *lb_mime_message_get_references (LbMimeMessage *self);

/**
 * lb_mime_message_get_text:
 *
 * The best plain-text body, UTF-8.  When the message has only HTML this is
 * derived from it with lb_mime_html_to_text().  Inline text parts that
 * follow the body in a multipart/mixed (mailing-list footers) are appended.
 *
 * Returns: (transfer none): the text, "" if there is none
 */
const char *lb_mime_message_get_text (LbMimeMessage *self);

/**
 * lb_mime_message_get_html:
 *
 * The HTML body, converted to UTF-8 (load it into WebKit as "UTF-8": a
 * `<meta charset>` inside may still name the original charset).
 *
 * Returns: (transfer none) (nullable): the HTML body, or %NULL if there is none
 */
const char *lb_mime_message_get_html (LbMimeMessage *self);

/**
 * lb_mime_message_dup_preview:
 * @max_chars: the most characters to return
 *
 * Returns: (transfer full): lb_mime_preview() of the text body
 */
char       *lb_mime_message_dup_preview (LbMimeMessage *self,
                                         gsize          max_chars);

/**
 * lb_mime_message_dup_reader_html:
 *
 * Returns: (transfer full): the HTML body if there is one, else the text body
 *   through lb_mime_text_to_html()
 */
char       *lb_mime_message_dup_reader_html (LbMimeMessage *self);

/**
 * lb_mime_message_lookup_cid:
 * @cid: a `cid:` URI (percent-encoded or not), a Content-ID with or
 *   without angle brackets
 * @mime_type: (out) (optional) (transfer none): the part's MIME type
 *
 * Finds an inline part for a `cid:` URI scheme handler.
 *
 * Returns: (transfer none) (nullable): the decoded content, or %NULL
 */
GBytes     *lb_mime_message_lookup_cid (LbMimeMessage *self,
                                        const char    *cid,
                                        const char   **mime_type);

/**
 * lb_mime_message_get_attachments:
 *
 * Attachments, in order.  Parts of a multipart/related that the HTML refers
 * to by Content-ID are not attachments; they are only found through
 * lb_mime_message_lookup_cid().  An attached message (message/rfc822) is one
 * attachment named after its subject.
 *
 * Returns: (transfer none) (element-type LbMimeAttachment): the attachments
 */
GPtrArray  *lb_mime_message_get_attachments (LbMimeMessage *self);
gboolean    lb_mime_message_has_attachments (LbMimeMessage *self);

/**
 * lb_mime_message_get_signed:
 *
 * Whether the message is signed (its body is a multipart/signed, RFC 1847).  The
 * signature is not verified.
 *
 * Returns: %TRUE if the message carries a signature
 */
gboolean    lb_mime_message_get_signed      (LbMimeMessage *self);

G_END_DECLS
