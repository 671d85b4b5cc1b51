/* lb-mime-attachment.h: one attachment or inline part of a decoded message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define LB_TYPE_MIME_ATTACHMENT (lb_mime_attachment_get_type ())

G_DECLARE_FINAL_TYPE (LbMimeAttachment, lb_mime_attachment, LB, MIME_ATTACHMENT, GObject)

/**
 * lb_mime_attachment_new:
 * @filename: (nullable): the decoded file name; %NULL picks a generic name
 *   from @mime_type ("attachment.pdf")
 * @mime_type: (nullable): "type/subtype" (%NULL: application/octet-stream)
 * @content_id: (nullable): the Content-ID without angle brackets
 * @is_inline: whether the part was marked inline
 * @bytes: the decoded content (transfer encoding undone)
 *
 * An immutable value: safe to hand from a worker thread to the main thread.
 *
 * Returns: (transfer full): a new attachment
 */
LbMimeAttachment *lb_mime_attachment_new (const char *filename,
                                          const char *mime_type,
                                          const char *content_id,
                                          gboolean    is_inline,
                                          GBytes     *bytes);

/**
 * lb_mime_attachment_get_filename:
 *
 * Returns: (transfer none): the file name, UTF-8, never %NULL or empty, and
 *   free of '/' and control characters so it can be offered for saving
 */
const char *lb_mime_attachment_get_filename   (LbMimeAttachment *self);

/**
 * lb_mime_attachment_get_mime_type:
 *
 * Returns: (transfer none): the lower-case "type/subtype"
 */
const char *lb_mime_attachment_get_mime_type  (LbMimeAttachment *self);

/**
 * lb_mime_attachment_get_content_id:
 *
 * Returns: (transfer none) (nullable): the Content-ID without angle brackets
 */
const char *lb_mime_attachment_get_content_id (LbMimeAttachment *self);
gboolean    lb_mime_attachment_get_is_inline  (LbMimeAttachment *self);

/**
 * lb_mime_attachment_get_size:
 *
 * Returns: the decoded size in bytes
 */
gsize       lb_mime_attachment_get_size       (LbMimeAttachment *self);

/**
 * lb_mime_attachment_get_bytes:
 *
 * Returns: (transfer none): the decoded content
 */
GBytes     *lb_mime_attachment_get_bytes      (LbMimeAttachment *self);

G_END_DECLS
