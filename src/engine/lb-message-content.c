/* lb-message-content.c: the public face of a parsed message (mime/ does the work)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-compose.h"
#include "lb-error.h"
#include "lb-message-content-private.h"
#include "lb-mime-text.h"

/* ---- LbMailbox ---------------------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (LbMailbox, lb_mailbox, lb_mailbox_copy, lb_mailbox_free)

/**
 * lb_mailbox_new:
 * @name: (nullable): the display name
 * @address: the bare address
 *
 * Returns: (transfer full): a new address
 */
LbMailbox *
lb_mailbox_new (const char *name,
                const char *address)
{
  LbMailbox *mailbox = g_new0 (LbMailbox, 1);

  mailbox->name = g_strdup (name);
  mailbox->address = g_strdup (address != NULL ? address : "");
  return mailbox;
}

/**
 * lb_mailbox_copy:
 * @mailbox: an address
 *
 * Returns: (transfer full): a copy
 */
LbMailbox *
lb_mailbox_copy (const LbMailbox *mailbox)
{
  LbMailbox *copy;

  g_return_val_if_fail (mailbox != NULL, NULL);

  copy = g_new0 (LbMailbox, 1);
  copy->name = g_strdup (mailbox->name);
  copy->address = g_strdup (mailbox->address);
  return copy;
}

/**
 * lb_mailbox_free:
 * @mailbox: (transfer full) (nullable): an address
 */
void
lb_mailbox_free (LbMailbox *mailbox)
{
  if (mailbox == NULL)
    return;
  g_free (mailbox->name);
  g_free (mailbox->address);
  g_free (mailbox);
}

/**
 * lb_mailbox_to_string:
 * @mailbox: an address
 *
 * Returns: (transfer full): the address as one writes it in a header or an address
 *   field: `"Doe, Jane" <jane@example.com>`, the name quoted where it needs it
 */
char *
lb_mailbox_to_string (const LbMailbox *mailbox)
{
  g_autoptr(LbAddress) address = NULL;

  g_return_val_if_fail (mailbox != NULL, NULL);

  address = lb_address_new (mailbox->name, mailbox->address);
  return lb_address_to_string (address);
}

/**
 * lb_mailbox_parse_list:
 * @text: what the user typed in an address field: addresses separated by commas, with
 *   or without names
 *
 * Any thread.
 *
 * Returns: (transfer full) (element-type LbMailbox): the addresses found, possibly none;
 *   check each with lb_mailbox_is_valid_address()
 */
GPtrArray *
lb_mailbox_parse_list (const char *text)
{
  g_autoptr(GPtrArray) addresses = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  addresses = lb_address_parse (text);
  return lb_mailboxes_from_addresses (addresses);
}

/**
 * lb_mailbox_is_valid_address:
 * @address: a bare address
 *
 * Returns: whether @address can be sent to: a local part, "@" and a domain of two labels
 *   or more (so that `user@localhost` typos are caught)
 */
gboolean
lb_mailbox_is_valid_address (const char *address)
{
  return address != NULL && lb_address_is_valid (address);
}

/* Engine-internal: LbAddress → LbMailbox, for the public API. */
GPtrArray *
lb_mailboxes_from_addresses (GPtrArray *addresses)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_mailbox_free);

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      const LbAddress *a = g_ptr_array_index (addresses, i);
      LbMailbox *m = g_new0 (LbMailbox, 1);

      m->name = g_strdup (a->name);
      m->address = g_strdup (a->address != NULL ? a->address : "");
      g_ptr_array_add (list, m);
    }
  return list;
}

/* ---- LbAttachment ------------------------------------------------------------------- */

struct _LbAttachment
{
  GObject           parent_instance;
  LbMimeAttachment *part;
};

G_DEFINE_FINAL_TYPE (LbAttachment, lb_attachment, G_TYPE_OBJECT)

static void
lb_attachment_finalize (GObject *object)
{
  LbAttachment *self = LB_ATTACHMENT (object);

  g_clear_object (&self->part);
  G_OBJECT_CLASS (lb_attachment_parent_class)->finalize (object);
}

static void
lb_attachment_class_init (LbAttachmentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_attachment_finalize;
}

static void
lb_attachment_init (LbAttachment *self)
{
}

/* Engine-internal: the public face of a MIME part. */
LbAttachment *
lb_attachment_new_for_part (LbMimeAttachment *part)
{
  LbAttachment *self = g_object_new (LB_TYPE_ATTACHMENT, NULL);

  self->part = g_object_ref (part);
  return self;
}

/* Engine-internal: the MIME part behind @self. */
LbMimeAttachment *
lb_attachment_get_part (LbAttachment *self)
{
  return self->part;
}

/**
 * lb_attachment_new:
 * @filename: the name the recipient sees
 * @mime_type: the content type, such as "application/pdf"
 * @bytes: the contents
 *
 * An attachment for a draft.
 *
 * Returns: (transfer full): the attachment
 */
LbAttachment *
lb_attachment_new (const char *filename,
                   const char *mime_type,
                   GBytes     *bytes)
{
  g_autoptr(LbMimeAttachment) part = NULL;

  g_return_val_if_fail (filename != NULL && mime_type != NULL && bytes != NULL, NULL);

  part = lb_mime_attachment_new (filename, mime_type, NULL, FALSE, bytes);
  return lb_attachment_new_for_part (part);
}

/**
 * lb_attachment_new_inline:
 * @filename: the name the recipient sees if they save it
 * @mime_type: the content type, such as "image/png"
 * @content_id: the Content-ID, without angle brackets, that the HTML body refers to
 *   as `cid:`
 * @bytes: the contents
 *
 * An image shown inside a formatted draft (see #LbDraft's inline_images).
 *
 * Returns: (transfer full): the inline part
 */
LbAttachment *
lb_attachment_new_inline (const char *filename,
                          const char *mime_type,
                          const char *content_id,
                          GBytes     *bytes)
{
  g_autoptr(LbMimeAttachment) part = NULL;

  g_return_val_if_fail (filename != NULL && mime_type != NULL, NULL);
  g_return_val_if_fail (content_id != NULL && bytes != NULL, NULL);

  part = lb_mime_attachment_new (filename, mime_type, content_id, TRUE, bytes);
  return lb_attachment_new_for_part (part);
}

/**
 * lb_attachment_get_content_id:
 * @self: an attachment
 *
 * Returns: (nullable): the Content-ID without angle brackets, if it has one
 */
const char *
lb_attachment_get_content_id (LbAttachment *self)
{
  g_return_val_if_fail (LB_IS_ATTACHMENT (self), NULL);

  return lb_mime_attachment_get_content_id (self->part);
}

/**
 * lb_attachment_get_filename:
 * @self: an attachment
 *
 * Returns: the file name to save it under: the sender's, made safe (no directories),
 *   or one made up from the type
 */
const char *
lb_attachment_get_filename (LbAttachment *self)
{
  g_return_val_if_fail (LB_IS_ATTACHMENT (self), NULL);

  return lb_mime_attachment_get_filename (self->part);
}

/**
 * lb_attachment_get_mime_type:
 * @self: an attachment
 *
 * Returns: the content type, such as "application/pdf"
 */
const char *
lb_attachment_get_mime_type (LbAttachment *self)
{
  g_return_val_if_fail (LB_IS_ATTACHMENT (self), NULL);

  return lb_mime_attachment_get_mime_type (self->part);
}

/**
 * lb_attachment_get_size:
 * @self: an attachment
 *
 * Returns: the decoded size in bytes
 */
gsize
lb_attachment_get_size (LbAttachment *self)
{
  g_return_val_if_fail (LB_IS_ATTACHMENT (self), 0);

  return lb_mime_attachment_get_size (self->part);
}

/**
 * lb_attachment_get_bytes:
 * @self: an attachment
 *
 * Returns: (transfer none): the decoded contents
 */
GBytes *
lb_attachment_get_bytes (LbAttachment *self)
{
  g_return_val_if_fail (LB_IS_ATTACHMENT (self), NULL);

  return lb_mime_attachment_get_bytes (self->part);
}

/* ---- LbMessageContent --------------------------------------------------------------- */

struct _LbMessageContent
{
  GObject        parent_instance;
  LbMimeMessage *mime;
  /* Converted once, so that the getters can return them without transfer. */
  GPtrArray     *from;
  GPtrArray     *to;
  GPtrArray     *cc;
  GPtrArray     *attachments;
};

G_DEFINE_FINAL_TYPE (LbMessageContent, lb_message_content, G_TYPE_OBJECT)

static void
lb_message_content_finalize (GObject *object)
{
  LbMessageContent *self = LB_MESSAGE_CONTENT (object);

  g_clear_object (&self->mime);
  g_clear_pointer (&self->from, g_ptr_array_unref);
  g_clear_pointer (&self->to, g_ptr_array_unref);
  g_clear_pointer (&self->cc, g_ptr_array_unref);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  G_OBJECT_CLASS (lb_message_content_parent_class)->finalize (object);
}

static void
lb_message_content_class_init (LbMessageContentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_message_content_finalize;
}

static void
lb_message_content_init (LbMessageContent *self)
{
}

/**
 * lb_message_content_new_from_bytes:
 * @raw: the message as the server sent it (RFC 5322)
 * @error: %LB_ERROR_PARSE if @raw is not a mail message
 *
 * Parses @raw.  Blocking (a large message takes a while): call it on a thread of your
 * own, or use lb_message_content_parse_async().
 *
 * Returns: (transfer full) (nullable): the content, or %NULL with @error set
 */
LbMessageContent *
lb_message_content_new_from_bytes (GBytes  *raw,
                                   GError **error)
{
  g_autoptr(LbMimeMessage) mime = NULL;
  GPtrArray *parts;
  LbMessageContent *self;

  g_return_val_if_fail (raw != NULL, NULL);

  mime = lb_mime_message_new_from_bytes (raw, error);
  if (mime == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, LB_ERROR, LB_ERROR_PARSE, _("This is not a mail message."));
      return NULL;
    }

  self = g_object_new (LB_TYPE_MESSAGE_CONTENT, NULL);
  self->mime = g_steal_pointer (&mime);
  self->from = lb_mailboxes_from_addresses (lb_mime_message_get_from (self->mime));
  self->to = lb_mailboxes_from_addresses (lb_mime_message_get_to (self->mime));
  self->cc = lb_mailboxes_from_addresses (lb_mime_message_get_cc (self->mime));
  self->attachments = g_ptr_array_new_with_free_func (g_object_unref);
  parts = lb_mime_message_get_attachments (self->mime);
  for (guint i = 0; parts != NULL && i < parts->len; i++)
    g_ptr_array_add (self->attachments, lb_attachment_new_for_part (g_ptr_array_index (parts, i)));
  return self;
}

static void
parse_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  LbMessageContent *content = lb_message_content_new_from_bytes (task_data, &error);

  if (content == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, content, g_object_unref);
}

/**
 * lb_message_content_parse_async:
 * @raw: the message as the server sent it
 * @cancellable: (nullable): drops the result
 * @callback: called on the thread-default main context of the caller
 * @user_data: for @callback
 *
 * Runs lb_message_content_new_from_bytes() on a thread.
 */
void
lb_message_content_parse_async (GBytes              *raw,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (raw != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_message_content_parse_async);
  g_task_set_task_data (task, g_bytes_ref (raw), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, parse_thread);
}

/**
 * lb_message_content_parse_finish:
 * @result: the result passed to the callback
 * @error: %LB_ERROR_PARSE, or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full) (nullable): the content, or %NULL with @error set
 */
LbMessageContent *
lb_message_content_parse_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Engine-internal: the parsed message behind @self. */
LbMimeMessage *
lb_message_content_get_mime (LbMessageContent *self)
{
  return self->mime;
}

/**
 * lb_message_content_get_subject:
 * @self: a message
 *
 * Returns: (nullable): the decoded subject
 */
const char *
lb_message_content_get_subject (LbMessageContent *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (self), NULL);

  return lb_mime_message_get_subject (self->mime);
}

/**
 * lb_message_content_get_date:
 * @self: a message
 *
 * Returns: (transfer none) (nullable): the Date header, or %NULL if it is missing or
 *   unreadable
 */
GDateTime *
lb_message_content_get_date (LbMessageContent *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (self), NULL);

  return lb_mime_message_get_date (self->mime);
}

/**
 * lb_message_content_get_from:
 * @self: a message
 *
 * Returns: (transfer none) (element-type LbMailbox): the senders, possibly none
 */
GPtrArray *
lb_message_content_get_from (LbMessageContent *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (self), NULL);

  return self->from;
}

/**
 * lb_message_content_get_to:
 * @self: a message
 *
 * Returns: (transfer none) (element-type LbMailbox): the To addresses, possibly none
 */
GPtrArray *
lb_message_content_get_to (LbMessageContent *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (self), NULL);

  return self->to;
}

/**
 * lb_message_content_get_cc:
 * @self: a message
 *
 * Returns: (transfer none) (element-type LbMailbox): the Cc addresses, possibly none
 */
GPtrArray *
lb_message_content_get_cc (LbMessageContent *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (self), NULL);

  return self->cc;
}

/**
 * lb_message_content_get_text:
 * @self: a message
 *
 * Returns: (nullable): the plain-text body (made from the HTML if the message has no
 *   text part), decoded to UTF-8
 */
const char *
lb_message_content_get_text (LbMessageContent *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (self), NULL);

  return lb_mime_message_get_text (self->mime);
}

/**
 * lb_message_content_get_html:
 * @self: a message
 *
 * Returns: (nullable): the HTML body as the sender wrote it (not sanitised: show it only
 *   in a view that runs no scripts and loads nothing remote), or %NULL for text mail
 */
const char *
lb_message_content_get_html (LbMessageContent *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (self), NULL);

  return lb_mime_message_get_html (self->mime);
}

/**
 * lb_message_content_dup_text_as_html:
 * @self: a message
 *
 * The plain-text body as an HTML fragment: escaped, line breaks kept, links made
 * clickable.  It loads nothing.
 *
 * Returns: (transfer full): the fragment, empty for a message without text
 */
char *
lb_message_content_dup_text_as_html (LbMessageContent *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (self), NULL);

  return lb_mime_text_to_html (lb_mime_message_get_text (self->mime));
}

/**
 * lb_message_content_get_attachments:
 * @self: a message
 *
 * Returns: (transfer none) (element-type LbAttachment): the attachments, possibly none
 */
GPtrArray *
lb_message_content_get_attachments (LbMessageContent *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (self), NULL);

  return self->attachments;
}

/**
 * lb_message_content_get_signed:
 * @self: a message
 *
 * Whether the message carries a digital signature (multipart/signed: OpenPGP or S/MIME).
 * The signature is not verified; it is also one of the attachments.
 *
 * Returns: %TRUE for a signed message
 */
gboolean
lb_message_content_get_signed (LbMessageContent *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (self), FALSE);

  return lb_mime_message_get_signed (self->mime);
}

/**
 * lb_message_content_lookup_cid:
 * @self: a message
 * @cid: a `cid:` URI or a bare Content-ID
 * @mime_type: (out) (optional) (transfer none): the part's content type
 *
 * Finds the inline part an HTML body refers to, such as an embedded image.
 *
 * Returns: (transfer none) (nullable): the part's contents, or %NULL if there is none
 */
GBytes *
lb_message_content_lookup_cid (LbMessageContent  *self,
                               const char        *cid,
                               const char       **mime_type)
{
  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (self), NULL);

  return lb_mime_message_lookup_cid (self->mime, cid, mime_type);
}

/**
 * lb_message_content_format_date:
 * @self: a message
 *
 * The message's date in local time, as the line above a quoted reply says it, with the
 * weekday and month translated by Letterbox ("Sat, 21 Nov 2026 at 10:00", "2026年11月21日
 * 周六 10:00"): g_date_time_format()'s names follow LC_TIME, which is often English where
 * only LANGUAGE is Chinese.
 *
 * Returns: (transfer full) (nullable): the date, or %NULL if the message has none
 */
char *
lb_message_content_format_date (LbMessageContent *self)
{
  GDateTime *date;

  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (self), NULL);

  date = lb_message_content_get_date (self);
  return date != NULL ? lb_compose_format_attribution_date (date) : NULL;
}
