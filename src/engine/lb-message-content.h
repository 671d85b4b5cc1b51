/* lb-message-content.h: a mail message taken apart for showing it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-message-content
 * @title: LbMessageContent
 *
 * A message parsed for the reader (LbMessageContent), its addresses (LbMailbox) and its
 * attachments (LbAttachment).  Parsing blocks and belongs on a thread
 * (lb_message_content_parse_async() does that); afterwards every object is immutable and
 * may be read on any thread.  Getters return data owned by the object.  No signals.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * LbMailbox:
 * @name: (nullable): the display name, decoded to UTF-8, or %NULL
 * @address: the bare address (`bob@example.org`); may be empty for a group or a
 *   malformed header
 *
 * One address of a header.  A boxed type (copy and free).
 */
typedef struct {
  char *name;
  char *address;
} LbMailbox;

#define LB_TYPE_MAILBOX (lb_mailbox_get_type ())

GType      lb_mailbox_get_type             (void) G_GNUC_CONST;
LbMailbox *lb_mailbox_new                  (const char      *name,
                                            const char      *address);
LbMailbox *lb_mailbox_copy                 (const LbMailbox *mailbox);
void       lb_mailbox_free                 (LbMailbox       *mailbox);
char      *lb_mailbox_to_string            (const LbMailbox *mailbox);
GPtrArray *lb_mailbox_parse_list           (const char      *text);
gboolean   lb_mailbox_is_valid_address     (const char      *address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbMailbox, lb_mailbox_free)

/**
 * LbAttachment:
 *
 * A file attached to a message (or inline in it), with its decoded contents.
 * Immutable: any thread may read it.
 */
#define LB_TYPE_ATTACHMENT (lb_attachment_get_type ())

G_DECLARE_FINAL_TYPE (LbAttachment, lb_attachment, LB, ATTACHMENT, GObject)

LbAttachment *lb_attachment_new         (const char   *filename,
                                         const char   *mime_type,
                                         GBytes       *bytes);
LbAttachment *lb_attachment_new_inline  (const char   *filename,
                                         const char   *mime_type,
                                         const char   *content_id,
                                         GBytes       *bytes);
const char *lb_attachment_get_content_id (LbAttachment *self);
const char *lb_attachment_get_filename  (LbAttachment *self);
const char *lb_attachment_get_mime_type (LbAttachment *self);
gsize       lb_attachment_get_size      (LbAttachment *self);
GBytes     *lb_attachment_get_bytes     (LbAttachment *self);

/**
 * LbMessageContent:
 *
 * A message parsed for the reader: the headers it shows, the text and HTML bodies, the
 * attachments and the inline parts that the HTML refers to (`cid:`).  Parsing blocks,
 * so lb_message_content_new_from_bytes() belongs on a thread of the caller's own (or use
 * lb_message_content_parse_async()); the object is immutable afterwards and may be used
 * on any thread.  It emits no signals.
 */
#define LB_TYPE_MESSAGE_CONTENT (lb_message_content_get_type ())

G_DECLARE_FINAL_TYPE (LbMessageContent, lb_message_content, LB, MESSAGE_CONTENT, GObject)

LbMessageContent *lb_message_content_new_from_bytes    (GBytes              *raw,
                                                        GError             **error);
void              lb_message_content_parse_async       (GBytes              *raw,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
LbMessageContent *lb_message_content_parse_finish      (GAsyncResult        *result,
                                                        GError             **error);

const char       *lb_message_content_get_subject       (LbMessageContent    *self);
GDateTime        *lb_message_content_get_date          (LbMessageContent    *self);
GPtrArray        *lb_message_content_get_from          (LbMessageContent    *self);
GPtrArray        *lb_message_content_get_to            (LbMessageContent    *self);
GPtrArray        *lb_message_content_get_cc            (LbMessageContent    *self);
const char       *lb_message_content_get_text          (LbMessageContent    *self);
const char       *lb_message_content_get_html          (LbMessageContent    *self);
char             *lb_message_content_dup_text_as_html  (LbMessageContent    *self);
GPtrArray        *lb_message_content_get_attachments   (LbMessageContent    *self);
gboolean          lb_message_content_get_signed        (LbMessageContent    *self);
GBytes           *lb_message_content_lookup_cid        (LbMessageContent    *self,
                                                        const char          *cid,
                                                        const char         **mime_type);
char             *lb_message_content_format_date       (LbMessageContent    *self);

G_END_DECLS
