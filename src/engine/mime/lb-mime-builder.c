/* lb-mime-builder.c: building outgoing messages with GMime
 *
 * What goes out is 7-bit clean and has CRLF line ends, so that SMTP servers neither
 * rewrite it (which would break the byte-for-byte copy in Sent) nor refuse it:
 * - headers are UTF-8 encoded as RFC 2047 words (GMime folds them);
 * - attachment names use RFC 2231 (filename*=UTF-8''...), which is what GMime's default
 *   parameter encoding writes for non-ASCII names;
 * - text is quoted-printable or base64, whichever GMime finds shorter for the content;
 *   every other part is base64.
 * The multipart boundary is derived from the Message-ID, so a draft with a fixed date and
 * Message-ID always gives the same bytes (tests rely on that).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-address.h"
#include "lb-mime.h"
#include "lb-mime-builder.h"

LbMimeDraft *
lb_mime_draft_new (void)
{
  LbMimeDraft *draft = g_new0 (LbMimeDraft, 1);

  draft->to = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_address_free);
  draft->cc = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_address_free);
  draft->bcc = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_address_free);
  draft->attachments = g_ptr_array_new_with_free_func (g_object_unref);
  draft->inline_parts = g_ptr_array_new_with_free_func (g_object_unref);
  return draft;
}

void
lb_mime_draft_free (LbMimeDraft *draft)
{
  if (draft == NULL)
    return;
  g_clear_pointer (&draft->from, lb_address_free);
  g_clear_pointer (&draft->to, g_ptr_array_unref);
  g_clear_pointer (&draft->cc, g_ptr_array_unref);
  g_clear_pointer (&draft->bcc, g_ptr_array_unref);
  g_free (draft->subject);
  g_free (draft->body);
  g_free (draft->in_reply_to);
  g_strfreev (draft->references);
  g_clear_pointer (&draft->attachments, g_ptr_array_unref);
  g_clear_pointer (&draft->date, g_date_time_unref);
  g_free (draft->message_id);
  g_free (draft->body_html);
  g_clear_pointer (&draft->inline_parts, g_ptr_array_unref);
  g_free (draft);
}

static void
add_recipients (GPtrArray  *out,
                GHashTable *seen,
                GPtrArray  *list)
{
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      LbAddress *a = g_ptr_array_index (list, i);
      g_autofree char *key = NULL;

      if (a->address == NULL || *a->address == '\0')
        continue;
      key = g_utf8_casefold (a->address, -1);
      if (g_hash_table_add (seen, g_steal_pointer (&key)))
        g_ptr_array_add (out, g_strdup (a->address));
    }
}

/**
 * lb_mime_draft_dup_recipients:
 *
 * The envelope recipients: To, Cc and Bcc, each address once (compared without case).
 *
 * Returns: (transfer full): a %NULL-terminated vector, possibly empty
 */
char **
lb_mime_draft_dup_recipients (const LbMimeDraft *draft)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *out = g_ptr_array_new ();

  add_recipients (out, seen, draft->to);
  add_recipients (out, seen, draft->cc);
  add_recipients (out, seen, draft->bcc);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/**
 * lb_mime_generate_message_id:
 * @sender_address: the From address; its domain becomes the id's right-hand side
 *
 * Returns: (transfer full): a new Message-ID without angle brackets
 */
char *
lb_mime_generate_message_id (const char *sender_address)
{
  const char *at = sender_address != NULL ? strrchr (sender_address, '@') : NULL;
  const char *domain = at != NULL && at[1] != '\0' ? at + 1 : "letterbox.invalid";

  return g_mime_utils_generate_message_id (domain);
}

static void
add_mailboxes (GMimeMessage     *message,
               GMimeAddressType  type,
               GPtrArray        *list)
{
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      LbAddress *a = g_ptr_array_index (list, i);

      if (a->address == NULL || *a->address == '\0')
        continue;
      g_mime_message_add_mailbox (message, type,
                                  a->name != NULL && *a->name != '\0' ? a->name : NULL,
                                  a->address);
    }
}

/* Drops CRs: GMime's DOS newline output adds one to every line end, and a stray CR in
 * the text would otherwise become a bare CR on the wire. */
static char *
normalise_text (const char *text)
{
  GString *s = g_string_sized_new (text != NULL ? strlen (text) + 1 : 1);

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          if (p[1] != '\n')
            g_string_append_c (s, '\n');
          continue;
        }
      g_string_append_c (s, *p);
    }
  if (s->len > 0 && s->str[s->len - 1] != '\n')
    g_string_append_c (s, '\n');
  return g_string_free (s, FALSE);
}

static GMimeObject *
build_text_part (const char *body,
                 const char *subtype)
{
  GMimeTextPart *part = g_mime_text_part_new_with_subtype (subtype);
  g_autofree char *text = normalise_text (body);

  g_mime_text_part_set_text (part, text);
  g_mime_text_part_set_charset (part, "utf-8");
  g_mime_part_set_content_encoding (GMIME_PART (part),
                                    g_mime_part_get_best_content_encoding (GMIME_PART (part),
                                                                           GMIME_ENCODING_CONSTRAINT_7BIT));
  return GMIME_OBJECT (part);
}

static GMimeObject *
build_attachment_part (LbMimeAttachment *attachment)
{
  const char *mime_type = lb_mime_attachment_get_mime_type (attachment);
  GMimeContentType *ct = g_mime_content_type_parse (NULL, mime_type != NULL && *mime_type != '\0'
                                                          ? mime_type : "application/octet-stream");
  GMimePart *part = g_mime_part_new_with_type (g_mime_content_type_get_media_type (ct),
                                               g_mime_content_type_get_media_subtype (ct));
  GBytes *bytes = lb_mime_attachment_get_bytes (attachment);
  gsize len = 0;
  const guint8 *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;
  GByteArray *array = g_byte_array_sized_new (len);
  GMimeStream *stream;
  GMimeDataWrapper *wrapper;
  const char *filename = lb_mime_attachment_get_filename (attachment);

  g_object_unref (ct);
  if (len > 0)
    g_byte_array_append (array, data, len);
  stream = g_mime_stream_mem_new_with_byte_array (array);
  wrapper = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content (part, wrapper);
  g_object_unref (wrapper);
  g_object_unref (stream);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  if (lb_mime_attachment_get_content_id (attachment) != NULL)
    {
      g_mime_object_set_disposition (GMIME_OBJECT (part), GMIME_DISPOSITION_INLINE);
      g_mime_object_set_content_id (GMIME_OBJECT (part),
                                    lb_mime_attachment_get_content_id (attachment));
    }
  else
    g_mime_object_set_disposition (GMIME_OBJECT (part), GMIME_DISPOSITION_ATTACHMENT);
  if (filename != NULL && *filename != '\0')
    g_mime_part_set_filename (part, filename);
  return GMIME_OBJECT (part);
}

static GMimeMultipart *
new_multipart (const char *subtype,
               const char *message_id)
{
  GMimeMultipart *multipart = g_mime_multipart_new_with_subtype (subtype);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, message_id, -1);
  /* Each level gets its own boundary, still derived from the Message-ID. */
  g_autofree char *boundary = g_str_equal (subtype, "mixed")
                              ? g_strdup_printf ("=-lb-%.24s", hash)
                              : g_strdup_printf ("=-lb-%s-%.20s", subtype, hash);

  g_mime_multipart_set_boundary (multipart, boundary);
  return multipart;
}

/* The body: text/plain alone, or the text and the HTML as alternatives, the HTML in a
 * multipart/related with the images it shows by cid:.  Readers that show HTML take the
 * last alternative, so the text goes first. */
static GMimeObject *
build_body (const LbMimeDraft *draft,
            const char        *message_id)
{
  GMimeObject *text = build_text_part (draft->body, "plain");
  GMimeMultipart *alternative;
  GMimeObject *html;

  if (draft->body_html == NULL)
    return text;
  alternative = new_multipart ("alternative", message_id);
  g_mime_multipart_add (alternative, text);
  g_object_unref (text);
  html = build_text_part (draft->body_html, "html");
  if (draft->inline_parts != NULL && draft->inline_parts->len > 0)
    {
      GMimeMultipart *related = new_multipart ("related", message_id);

      g_mime_object_set_content_type_parameter (GMIME_OBJECT (related), "type", "text/html");
      g_mime_multipart_add (related, html);
      g_object_unref (html);
      for (guint i = 0; i < draft->inline_parts->len; i++)
        {
          GMimeObject *part = build_attachment_part (g_ptr_array_index (draft->inline_parts, i));

          g_mime_multipart_add (related, part);
          g_object_unref (part);
        }
      html = GMIME_OBJECT (related);
    }
  g_mime_multipart_add (alternative, html);
  g_object_unref (html);
  return GMIME_OBJECT (alternative);
}

/* GMime writes a subject without spaces (Chinese) as one encoded-word of any length;
 * RFC 2047 allows 75 characters per word, and long words are cut or refused by some
 * servers and readers.  So the value is written here: words of at most 39 bytes of
 * UTF-8 (52 base64 characters), cut between characters, one per folded line. */
static void
set_encoded_subject (GMimeMessage *message,
                     const char   *subject)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (GMIME_OBJECT (message));
  GMimeHeader *header = g_mime_header_list_get_header (list, "Subject");
  GString *raw = g_string_new (NULL);
  const char *p = subject;
  gboolean ascii = TRUE;

  for (const char *q = subject; *q != '\0'; q++)
    if ((guchar) *q >= 0x80)
      ascii = FALSE;
  if (header == NULL || ascii)
    {
      g_string_free (raw, TRUE);
      return;
    }
  while (*p != '\0')
    {
      const char *end = p;
      g_autofree char *b64 = NULL;

      while (*end != '\0')
        {
          const char *next = g_utf8_next_char (end);
          if (next - p > 39)
            break;
          end = next;
        }
      if (end == p)
        end = g_utf8_next_char (p);
      b64 = g_base64_encode ((const guchar *) p, end - p);
      g_string_append_printf (raw, "%s=?UTF-8?B?%s?=", raw->len > 0 ? "\n " : " ", b64);
      p = end;
    }
  g_string_append_c (raw, '\n');
  g_mime_header_set_raw_value (header, raw->str);
  g_string_free (raw, TRUE);
}

static char *
join_ids (const char * const *ids)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      if (*ids[i] == '\0')
        continue;
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append_printf (s, "<%s>", ids[i]);
    }
  return g_string_free (s, s->len == 0);
}

/**
 * lb_mime_build:
 * @flags: #LbMimeBuildFlags
 * @out_message_id: (out) (optional) (transfer full): the Message-ID used, without brackets
 *
 * Builds the message as it goes on the wire: 7-bit, CRLF line ends.
 *
 * Returns: (transfer full): the message
 */
GBytes *
lb_mime_build (const LbMimeDraft  *draft,
               LbMimeBuildFlags    flags,
               char              **out_message_id)
{
  GMimeMessage *message;
  GMimeObject *text;
  GMimeFormatOptions *options;
  g_autoptr(GDateTime) now = NULL;
  GMimeStream *stream;
  g_autofree char *message_id = NULL;
  g_autofree char *references = NULL;
  GByteArray *array;

  g_return_val_if_fail (draft != NULL && draft->from != NULL, NULL);

  lb_mime_init ();
  message = g_mime_message_new (TRUE);
  g_mime_message_add_mailbox (message, GMIME_ADDRESS_TYPE_FROM,
                              draft->from->name != NULL && *draft->from->name != '\0'
                              ? draft->from->name : NULL,
                              draft->from->address);
  add_mailboxes (message, GMIME_ADDRESS_TYPE_TO, draft->to);
  add_mailboxes (message, GMIME_ADDRESS_TYPE_CC, draft->cc);
  if (flags & LB_MIME_BUILD_KEEP_BCC)
    add_mailboxes (message, GMIME_ADDRESS_TYPE_BCC, draft->bcc);
  g_mime_message_set_subject (message, draft->subject != NULL ? draft->subject : "", "utf-8");
  if (draft->subject != NULL && g_utf8_validate (draft->subject, -1, NULL))
    set_encoded_subject (message, draft->subject);

  if (draft->date == NULL)
    now = g_date_time_new_now_local ();
  g_mime_message_set_date (message, draft->date != NULL ? draft->date : now);

  message_id = draft->message_id != NULL ? g_strdup (draft->message_id)
                                         : lb_mime_generate_message_id (draft->from->address);
  g_mime_message_set_message_id (message, message_id);

  if (draft->in_reply_to != NULL && *draft->in_reply_to != '\0')
    {
      g_autofree char *v = g_strdup_printf ("<%s>", draft->in_reply_to);
      g_mime_object_set_header (GMIME_OBJECT (message), "In-Reply-To", v, NULL);
    }
  references = join_ids ((const char * const *) draft->references);
  if (references != NULL)
    g_mime_object_set_header (GMIME_OBJECT (message), "References", references, NULL);

  text = build_body (draft, message_id);
  if (draft->attachments == NULL || draft->attachments->len == 0)
    g_mime_message_set_mime_part (message, text);
  else
    {
      GMimeMultipart *mixed = new_multipart ("mixed", message_id);

      g_mime_multipart_add (mixed, text);
      for (guint i = 0; i < draft->attachments->len; i++)
        {
          GMimeObject *part = build_attachment_part (g_ptr_array_index (draft->attachments, i));
          g_mime_multipart_add (mixed, part);
          g_object_unref (part);
        }
      g_mime_message_set_mime_part (message, GMIME_OBJECT (mixed));
      g_object_unref (mixed);
    }

  options = g_mime_format_options_clone (lb_mime_get_format_options ());
  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_format_options_set_param_encoding_method (options, GMIME_PARAM_ENCODING_METHOD_RFC2231);

  array = g_byte_array_new ();
  stream = g_mime_stream_mem_new_with_byte_array (array);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_mime_object_write_to_stream (GMIME_OBJECT (message), options, stream);
  g_mime_stream_flush (stream);
  g_object_unref (stream);
  g_mime_format_options_free (options);
  g_object_unref (text);
  g_object_unref (message);

  if (out_message_id != NULL)
    *out_message_id = g_steal_pointer (&message_id);
  return g_byte_array_free_to_bytes (array);
}
