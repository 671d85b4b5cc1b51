/* lb-mime-message.c: a message decoded for the reader and the store
 *
 * The whole message is decoded at construction, on the worker thread, into
 * plain C values; afterwards nothing refers to GMime, which is why the object
 * can be passed to the main thread and read from anywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lb-error.h"
#include "lb-address.h"
#include "lb-mime.h"
#include "lb-mime-message.h"
#include "lb-mime-text.h"

/* Real mail nests a handful of levels; anything deeper is an attack on the
 * stack or on patience. */
#define MAX_DEPTH 32

struct _LbMimeMessage
{
  GObject parent_instance;

  char *subject;
  GPtrArray *from;
  GPtrArray *to;
  GPtrArray *cc;
  GPtrArray *bcc;
  GPtrArray *reply_to;
  GDateTime *date;
  char *message_id;
  char *in_reply_to;
  GStrv references;

  char *text;
  char *html;
  GPtrArray *attachments;
  GHashTable *cids;   /* content-id -> LbMimeAttachment */
  gboolean is_signed;
};

G_DEFINE_FINAL_TYPE (LbMimeMessage, lb_mime_message, G_TYPE_OBJECT)

static void
lb_mime_message_finalize (GObject *object)
{
  LbMimeMessage *self = LB_MIME_MESSAGE (object);

  g_free (self->subject);
  g_clear_pointer (&self->from, g_ptr_array_unref);
  g_clear_pointer (&self->to, g_ptr_array_unref);
  g_clear_pointer (&self->cc, g_ptr_array_unref);
  g_clear_pointer (&self->bcc, g_ptr_array_unref);
  g_clear_pointer (&self->reply_to, g_ptr_array_unref);
  g_clear_pointer (&self->date, g_date_time_unref);
  g_free (self->message_id);
  g_free (self->in_reply_to);
  g_strfreev (self->references);
  g_free (self->text);
  g_free (self->html);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_clear_pointer (&self->cids, g_hash_table_unref);

  G_OBJECT_CLASS (lb_mime_message_parent_class)->finalize (object);
}

static void
lb_mime_message_class_init (LbMimeMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_mime_message_finalize;
}

static void
lb_mime_message_init (LbMimeMessage *self)
{
  self->attachments = g_ptr_array_new_with_free_func (g_object_unref);
  self->cids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/* Decoding helpers ------------------------------------------------------ */

/* The encoded text of a base64 part, decoded here rather than by GMime,
 * whose decoder drops the last one or two bytes when the final padding is
 * missing (and an ISO-2022-JP body then fails to convert). */
static GBytes *
part_bytes_base64 (GMimeDataWrapper *content)
{
  GMimeStream *raw = g_mime_data_wrapper_get_stream (content);
  GMimeStream *stream = g_mime_stream_mem_new ();
  GByteArray *array;
  GBytes *bytes;

  g_mime_stream_reset (raw);
  g_mime_stream_write_to_stream (raw, stream);
  g_mime_stream_reset (raw);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  bytes = lb_mime_base64_decode ((const char *) array->data, array->len);
  g_object_unref (stream);
  return bytes;
}

static GBytes *
part_bytes (GMimePart *part)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  GMimeStream *stream;
  GByteArray *array;

  if (content == NULL)
    return g_bytes_new (NULL, 0);
  if (g_mime_data_wrapper_get_encoding (content) == GMIME_CONTENT_ENCODING_BASE64
      && g_mime_data_wrapper_get_stream (content) != NULL)
    return part_bytes_base64 (content);
  stream = g_mime_stream_mem_new ();
  g_mime_data_wrapper_write_to_stream (content, stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_object_unref (stream);
  return g_byte_array_free_to_bytes (array);
}

static GBytes *
object_bytes (GMimeObject *object)
{
  GMimeStream *stream = g_mime_stream_mem_new ();
  GByteArray *array;

  g_mime_object_write_to_stream (object, lb_mime_get_format_options (), stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_object_unref (stream);
  return g_byte_array_free_to_bytes (array);
}

/* The charset a <meta> declares, for HTML parts whose Content-Type has none. */
static char *
sniff_html_charset (const char *data,
                    gsize       len)
{
  g_autofree char *head = g_ascii_strdown (data, MIN (len, 4096));
  const char *p = head;

  /* g_ascii_strdown stops at a NUL, which is fine: so does the search. */
  while ((p = strstr (p, "charset")) != NULL)
    {
      const char *start;

      p += strlen ("charset");
      while (*p == ' ')
        p++;
      if (*p != '=')
        continue;
      p++;
      while (*p == ' ' || *p == '"' || *p == '\'')
        p++;
      start = p;
      while (g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.' || *p == ':')
        p++;
      if (p > start)
        return g_strndup (start, p - start);
    }
  return NULL;
}

/* Undoes RFC 3676 format=flowed, so that paragraphs wrap in the reader. */
static char *
unflow (const char *text,
        gboolean    delsp)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_sized_new (strlen (text));
  gboolean continuing = FALSE;
  guint prev_depth = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);
      guint depth = 0;
      gboolean flowed;

      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
      if (lines[i + 1] == NULL && len == 0)
        break;
      while (line[depth] == '>')
        depth++;
      line += depth;
      len -= depth;
      if (line[0] == ' ')
        line++, len--;

      flowed = len > 0 && line[len - 1] == ' ' && strcmp (line, "-- ") != 0;
      if (flowed && delsp)
        line[--len] = '\0';

      if (!(continuing && depth == prev_depth))
        {
          if (i > 0)
            g_string_append_c (out, '\n');
          for (guint d = 0; d < depth; d++)
            g_string_append_c (out, '>');
          if (depth > 0)
            g_string_append_c (out, ' ');
        }
      g_string_append (out, line);
      continuing = flowed;
      prev_depth = depth;
    }
  return g_string_free (out, FALSE);
}

/* The charset declared on the nearest multipart enclosing @target (some
 * mailers put it there rather than on the text part), or NULL. */
static const char *
enclosing_charset (GMimeObject *object,
                   GMimeObject *target,
                   const char  *inherited,
                   guint        depth,
                   gboolean    *found)
{
  const char *own;

  if (object == target)
    {
      *found = TRUE;
      return inherited;
    }
  if (!GMIME_IS_MULTIPART (object) || depth > MAX_DEPTH)
    return NULL;
  own = g_mime_object_get_content_type_parameter (object, "charset");
  if (own != NULL)
    inherited = own;
  for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (object)); i++)
    {
      const char *charset = enclosing_charset (g_mime_multipart_get_part (GMIME_MULTIPART (object), i),
                                               target, inherited, depth + 1, found);

      if (*found)
        return charset;
    }
  return NULL;
}

static char *
part_text (GMimeObject *object,
           GMimeObject *root,
           gboolean     is_html)
{
  g_autoptr(GBytes) bytes = part_bytes (GMIME_PART (object));
  g_autofree char *charset = NULL;
  const char *label = g_mime_object_get_content_type_parameter (object, "charset");
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  const char *format;
  gboolean found = FALSE;
  char *text;

  if (label == NULL && is_html && data != NULL)
    label = charset = sniff_html_charset (data, len);
  if (label == NULL && root != NULL)
    label = enclosing_charset (root, object, NULL, 0, &found);
  text = lb_charset_to_utf8 (data != NULL ? data : "", len, label);

  /* Line ends arrive as CRLF; the reader, the preview and search want LF. */
  {
    gsize r = 0;

    for (gsize i = 0; text[i] != '\0'; i++)
      if (!(text[i] == '\r' && text[i + 1] == '\n'))
        text[r++] = text[i];
    text[r] = '\0';
  }

  format = g_mime_object_get_content_type_parameter (object, "format");
  if (!is_html && format != NULL && g_ascii_strcasecmp (format, "flowed") == 0)
    {
      const char *delsp = g_mime_object_get_content_type_parameter (object, "delsp");
      char *unflowed = unflow (text, delsp != NULL && g_ascii_strcasecmp (delsp, "yes") == 0);

      g_free (text);
      text = unflowed;
    }
  return text;
}

/* Whether the raw Content-Type is a bare `text` (no subtype), which RFC 2045 does not
 * allow but old mailers write.  GMime turns it into application/octet-stream. */
static gboolean
is_bare_text (GMimeObject *object)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (object);
  GMimeHeader *header = list != NULL ? g_mime_header_list_get_header (list, "Content-Type") : NULL;
  const char *raw = header != NULL ? g_mime_header_get_raw_value (header) : NULL;

  if (raw == NULL)
    return FALSE;
  while (g_ascii_isspace (*raw))
    raw++;
  if (g_ascii_strncasecmp (raw, "text", 4) != 0)
    return FALSE;
  raw += 4;
  while (*raw == ' ' || *raw == '\t')
    raw++;
  return *raw == '\0' || *raw == ';' || *raw == '\r' || *raw == '\n';
}

static gboolean
is_plain_text (GMimeObject *object)
{
  GMimeContentType *ct = g_mime_object_get_content_type (object);

  if (ct == NULL)
    return FALSE;
  return g_mime_content_type_is_type (ct, "text", "plain")
         || (g_mime_content_type_is_type (ct, "application", "octet-stream") && is_bare_text (object));
}

static char *
mime_type_of (GMimeObject *object)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);
  g_autofree char *joined = NULL;
  const char *t, *s;

  if (type == NULL)
    return g_strdup ("application/octet-stream");
  if (is_plain_text (object))
    return g_strdup ("text/plain");
  t = g_mime_content_type_get_media_type (type);
  s = g_mime_content_type_get_media_subtype (type);
  joined = g_strconcat (t != NULL ? t : "application", "/", s != NULL ? s : "octet-stream", NULL);
  return g_ascii_strdown (joined, -1);
}

static gboolean
is_type (GMimeObject *object,
         const char  *type,
         const char  *subtype)
{
  GMimeContentType *ct = g_mime_object_get_content_type (object);

  return ct != NULL && g_mime_content_type_is_type (ct, type, subtype);
}

/* Builder --------------------------------------------------------------- */

typedef struct
{
  LbMimeMessage *self;
  GString *text;
  GString *html;
  GMimeObject *root;          /* the message's top part, for enclosing charsets */
  const char *charset_hint;   /* the charset the text parts declare, or NULL */
} Builder;

static void walk (Builder     *b,
                  GMimeObject *object,
                  guint        depth,
                  gboolean     in_alternative);

/* The raw value of a plain (not RFC 2231) parameter of a raw header. */
static char *
raw_parameter (GMimeObject *object,
               const char  *header_name,
               const char  *param)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (object);
  GMimeHeader *header = list != NULL ? g_mime_header_list_get_header (list, header_name) : NULL;
  const char *raw = header != NULL ? g_mime_header_get_raw_value (header) : NULL;
  gsize n = strlen (param);

  for (const char *p = raw; p != NULL && *p != '\0'; p++)
    {
      GString *value;

      if (g_ascii_strncasecmp (p, param, n) != 0 || p[n] != '='
          || (p > raw && p[-1] != ';' && !g_ascii_isspace (p[-1])))
        continue;
      p += n + 1;
      value = g_string_new (NULL);
      if (*p == '"')
        {
          for (p++; *p != '\0' && *p != '"'; p++)
            {
              if (*p == '\\' && p[1] != '\0')
                p++;
              if (*p != '\r' && *p != '\n')
                g_string_append_c (value, *p);
            }
        }
      else
        for (; *p != '\0' && *p != ';' && !g_ascii_isspace (*p); p++)
          g_string_append_c (value, *p);
      return g_string_free (value, FALSE);
    }
  return NULL;
}

/* GMime decodes encoded-words in file names itself, with the flaws described
 * in lb-mime.c (truncation after a padded split word, GBK for GB2312), so
 * names that hold encoded-words are decoded again here. */
static gboolean
has_8bit_or_escape (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s >= 0x80 || *s == 0x1b)
      return TRUE;
  return FALSE;
}

/* Raw 8-bit names (and raw ISO-2022-JP ones, "\e$B%F%9%H\e(B") are taken
 * from the header too: GMime would convert them with its fixed fallback
 * list, and strips the escapes. */
static char *
part_filename (GMimeObject *object,
               const char  *charset_hint)
{
  static const char *const where[][2] = { { "Content-Disposition", "filename" },
                                          { "Content-Type", "name" } };
  const char *decoded = g_mime_part_get_filename (GMIME_PART (object));

  for (gsize i = 0; i < G_N_ELEMENTS (where); i++)
    {
      g_autofree char *raw = raw_parameter (object, where[i][0], where[i][1]);

      if (raw != NULL && (strstr (raw, "=?") != NULL || has_8bit_or_escape (raw)))
        return lb_mime_decode_header_with_fallback (raw, charset_hint);
      if (raw != NULL && *raw != '\0')
        break;
    }
  return decoded != NULL ? lb_charset_to_utf8 (decoded, -1, NULL) : NULL;
}

static void
add_attachment (Builder     *b,
                GMimeObject *object,
                gboolean     as_attachment,
                gboolean     as_cid,
                const char  *fallback_name)
{
  g_autoptr(LbMimeAttachment) attachment = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *mime_type = mime_type_of (object);
  g_autofree char *filename = NULL;
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (object);
  const char *content_id = g_mime_object_get_content_id (object);
  gboolean is_inline;

  is_inline = disposition != NULL && !g_mime_content_disposition_is_attachment (disposition);

  if (GMIME_IS_MESSAGE_PART (object))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));

      if (inner != NULL)
        {
          const char *raw = g_mime_object_get_header (GMIME_OBJECT (inner), "Subject");
          g_autofree char *subject = lb_mime_decode_header (raw);

          bytes = object_bytes (GMIME_OBJECT (inner));
          if (subject != NULL && *subject != '\0')
            filename = g_strconcat (subject, ".eml", NULL);
        }
      else
        bytes = g_bytes_new (NULL, 0);
    }
  else if (GMIME_IS_PART (object))
    {
      bytes = part_bytes (GMIME_PART (object));
      filename = part_filename (object, b->charset_hint);
    }
  else
    return;

  if ((filename == NULL || *filename == '\0') && fallback_name != NULL)
    {
      g_free (filename);
      filename = g_strdup (fallback_name);
    }
  attachment = lb_mime_attachment_new (filename, mime_type, content_id, is_inline, bytes);
  if (as_cid && content_id != NULL && *content_id != '\0'
      && !g_hash_table_contains (b->self->cids, content_id))
    g_hash_table_insert (b->self->cids, g_strdup (content_id), g_object_ref (attachment));
  if (as_attachment)
    g_ptr_array_add (b->self->attachments, g_steal_pointer (&attachment));
}

typedef enum
{
  NOT_BODY,
  BODY,           /* an unnamed inline text part */
  BODY_AND_FILE,  /* a named inline text part: the body, and a file to save too */
} BodyRole;

static BodyRole
body_role (Builder     *b,
           GMimeObject *object)
{
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (object);

  if (!GMIME_IS_PART (object))
    return NOT_BODY;
  if (!is_plain_text (object) && !is_type (object, "text", "html"))
    return NOT_BODY;
  if (disposition != NULL && g_mime_content_disposition_is_attachment (disposition))
    return NOT_BODY;
  if (g_mime_part_get_filename (GMIME_PART (object)) == NULL)
    return BODY;
  /* Some mailers name the text they mean as the body ("name=" with an inline or no
   * disposition).  It is the body when there is no other; after a body it is a file
   * (an inline log or patch), not a footer. */
  return b->text->len == 0 && b->html->len == 0 ? BODY_AND_FILE : NOT_BODY;
}

static void
walk_leaf (Builder     *b,
           GMimeObject *object,
           gboolean     in_alternative)
{
  BodyRole role = body_role (b, object);

  if (role != NOT_BODY)
    {
      gboolean is_html = is_type (object, "text", "html");
      GString *body = is_html ? b->html : b->text;
      g_autofree char *text = NULL;

      /* A second inline text part in a multipart/mixed (a mailing-list
       * footer) is part of the body; inside an alternative it is a
       * duplicate. */
      if (body->len == 0 || !in_alternative)
        {
          text = part_text (object, b->root, is_html);
          if (body->len > 0 && *text != '\0')
            {
              if (is_html)
                g_string_append (body, "\n<hr>\n");
              else
                g_string_append (body, body->str[body->len - 1] == '\n' ? "\n" : "\n\n");
            }
          g_string_append (body, text);
          if (role == BODY_AND_FILE)
            add_attachment (b, object, TRUE, FALSE, NULL);
          return;
        }
    }
  add_attachment (b, object, TRUE, TRUE, NULL);
}

static void
walk_alternative (Builder        *b,
                  GMimeMultipart *multipart,
                  guint           depth)
{
  GMimeObject *plain = NULL, *rich = NULL;
  int n = g_mime_multipart_get_count (multipart);

  /* The plain part feeds the text body; the last HTML-bearing part (HTML
   * itself, or a related/mixed around it) is the richest version. */
  for (int i = 0; i < n; i++)
    {
      GMimeObject *child = g_mime_multipart_get_part (multipart, i);

      if (plain == NULL && GMIME_IS_PART (child) && is_plain_text (child))
        plain = child;
      else if ((GMIME_IS_PART (child) && is_type (child, "text", "html")) || GMIME_IS_MULTIPART (child))
        rich = child;
    }
  if (plain == NULL && rich == NULL && n > 0)
    rich = g_mime_multipart_get_part (multipart, n - 1);
  if (plain != NULL)
    walk (b, plain, depth + 1, TRUE);
  if (rich != NULL)
    walk (b, rich, depth + 1, TRUE);
}

/* The Content-IDs that HTML refers to with `cid:` URLs (percent-encoded or not),
 * lowercased, since some mailers change the case between the HTML and the header. */
static GHashTable *
html_cid_references (const char *html)
{
  GHashTable *refs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *p = html;

  while (p != NULL && (p = g_strstr_len (p, -1, "cid:")) != NULL)
    {
      const char *start = p + 4;
      const char *end = start;
      g_autofree char *raw = NULL;
      g_autofree char *id = NULL;

      while (*end != '\0' && strchr ("\"'<> \t\r\n)", *end) == NULL)
        end++;
      raw = g_strndup (start, end - start);
      id = g_uri_unescape_string (raw, NULL);
      g_hash_table_add (refs, g_ascii_strdown (id != NULL ? id : raw, -1));
      p = end;
    }
  return refs;
}

static gboolean
references_cid (GHashTable *refs,
                const char *content_id)
{
  g_autofree char *id = g_ascii_strdown (content_id, -1);

  return g_hash_table_contains (refs, id);
}

static GMimeObject *
related_root (GMimeMultipart *multipart)
{
  const char *start = g_mime_object_get_content_type_parameter (GMIME_OBJECT (multipart), "start");
  GMimeObject *root = NULL;

  if (start != NULL)
    {
      g_autofree char *id = g_strdup (start);

      g_strstrip (id);
      if (id[0] == '<')
        {
          char *gt = strchr (id, '>');
          if (gt != NULL)
            *gt = '\0';
          memmove (id, id + 1, strlen (id));
        }
      root = g_mime_multipart_get_subpart_from_content_id (multipart, id);
    }
  if (root == NULL && g_mime_multipart_get_count (multipart) > 0)
    root = g_mime_multipart_get_part (multipart, 0);
  return root;
}

static void
walk_related (Builder        *b,
              GMimeMultipart *multipart,
              guint           depth,
              gboolean        in_alternative)
{
  GMimeObject *root = related_root (multipart);
  int n = g_mime_multipart_get_count (multipart);
  gsize html_before = b->html->len;
  g_autoptr(GHashTable) refs = NULL;

  if (root != NULL)
    walk (b, root, depth + 1, in_alternative);
  /* Only the HTML of this root shows the related parts (a plain-text root shows none:
   * Eudora does that with signature images). */
  refs = html_cid_references (b->html->str + MIN (html_before, b->html->len));

  for (int i = 0; i < n; i++)
    {
      GMimeObject *child = g_mime_multipart_get_part (multipart, i);
      const char *cid = g_mime_object_get_content_id (child);

      if (child == root)
        continue;
      /* A part the HTML does not show must still be reachable: it is listed as an
       * attachment (Outlook puts pasted images there that the HTML never uses). */
      if (cid != NULL && GMIME_IS_PART (child))
        add_attachment (b, child, !references_cid (refs, cid), TRUE, NULL);
      else
        walk (b, child, depth + 1, in_alternative);
    }
}

/* The name a signature part is saved under when it has none. */
static const char *
signature_name (GMimeObject *object)
{
  if (is_type (object, "application", "pkcs7-signature")
      || is_type (object, "application", "x-pkcs7-signature"))
    return "smime.p7s";
  return "signature.asc";
}

static void
walk_signed (Builder        *b,
             GMimeMultipart *multipart,
             guint           depth,
             gboolean        in_alternative)
{
  int n = g_mime_multipart_get_count (multipart);

  /* RFC 1847: the first part is the content, the second the signature.  The signature
   * is not verified here, but the reader says the message is signed and lists the
   * signature so that the user can check it elsewhere. */
  b->self->is_signed = TRUE;
  walk (b, g_mime_multipart_get_part (multipart, 0), depth + 1, in_alternative);
  for (int i = 1; i < n; i++)
    {
      GMimeObject *child = g_mime_multipart_get_part (multipart, i);

      if (GMIME_IS_PART (child))
        add_attachment (b, child, TRUE, FALSE, signature_name (child));
      else
        walk (b, child, depth + 1, in_alternative);
    }
}

static void
walk (Builder     *b,
      GMimeObject *object,
      guint        depth,
      gboolean     in_alternative)
{
  if (object == NULL || depth > MAX_DEPTH)
    return;

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int n = g_mime_multipart_get_count (multipart);

      if (is_type (object, "multipart", "alternative"))
        walk_alternative (b, multipart, depth);
      else if (is_type (object, "multipart", "related"))
        walk_related (b, multipart, depth, in_alternative);
      else if (is_type (object, "multipart", "signed") && n > 0)
        walk_signed (b, multipart, depth, in_alternative);
      else
        for (int i = 0; i < n; i++)
          walk (b, g_mime_multipart_get_part (multipart, i), depth + 1, in_alternative);
    }
  else if (GMIME_IS_MESSAGE_PART (object))
    add_attachment (b, object, TRUE, FALSE, NULL);
  else if (GMIME_IS_PART (object))
    walk_leaf (b, object, in_alternative);
}

/* Repair --------------------------------------------------------------- */

static GMimeMessage *
construct_message (const char *data,
                   gsize       len)
{
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (data != NULL ? data : "", len);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *message;

  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  message = g_mime_parser_construct_message (parser, lb_mime_get_parser_options ());
  g_object_unref (parser);
  g_object_unref (stream);
  return message;
}

static void
collect_boundaries (GMimeObject *object,
                    GPtrArray   *boundaries,
                    guint        depth)
{
  if (object == NULL || depth > MAX_DEPTH)
    return;
  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      /* Not g_mime_multipart_get_boundary(): without a boundary it makes one up and
       * rewrites the Content-Type header, which GMime 3.2 can take minutes and
       * gigabytes over when that header holds 8-bit parameter garbage (found by
       * fuzz-mime). */
      const char *boundary = g_mime_object_get_content_type_parameter (object, "boundary");

      if (boundary != NULL && *boundary != '\0')
        g_ptr_array_add (boundaries, g_strconcat ("--", boundary, NULL));
      for (int i = 0; i < g_mime_multipart_get_count (multipart); i++)
        collect_boundaries (g_mime_multipart_get_part (multipart, i), boundaries, depth + 1);
    }
  else if (GMIME_IS_MESSAGE_PART (object))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));

      if (inner != NULL)
        collect_boundaries (g_mime_message_get_mime_part (inner), boundaries, depth + 1);
    }
}

static gboolean
is_boundary_line (GPtrArray  *boundaries,
                  const char *line,
                  gsize       len)
{
  if (len < 2 || line[0] != '-' || line[1] != '-')
    return FALSE;
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
    len--;
  for (guint i = 0; i < boundaries->len; i++)
    {
      const char *b = g_ptr_array_index (boundaries, i);
      gsize n = strlen (b);

      if (len >= n && memcmp (line, b, n) == 0 && (len == n || (len == n + 2 && memcmp (line + n, "--", 2) == 0)))
        return TRUE;
    }
  return FALSE;
}

/* A header field, or the folded continuation of one. */
static gboolean
is_header_line (const char *line,
                gsize       len)
{
  gsize i = 0;

  if (len > 0 && (line[0] == ' ' || line[0] == '\t'))
    return TRUE;
  while (i < len && line[i] > ' ' && line[i] < 127 && line[i] != ':')
    i++;
  if (i == 0)
    return FALSE;
  while (i < len && (line[i] == ' ' || line[i] == '\t'))
    i++;
  return i < len && line[i] == ':';
}

/* Some mailers start a part's content right after its headers, without the blank line
 * (RFC 2046 requires it).  GMime then takes the content for broken headers and the part
 * comes out empty: the attachment is lost.  This puts the blank line back where a line
 * after a boundary's headers is not a header, and returns the repaired message, or NULL
 * when nothing needed repair (the usual case: then it costs one scan of the lines). */
static GBytes *
repair_part_headers (GMimeMessage *message,
                     const char   *data,
                     gsize         len)
{
  g_autoptr(GPtrArray) boundaries = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = NULL;
  gboolean in_headers = FALSE;
  const char *p = data, *end = data + len, *copied = data;

  collect_boundaries (g_mime_message_get_mime_part (message), boundaries, 0);
  if (boundaries->len == 0)
    return NULL;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *next = nl != NULL ? nl + 1 : end;
      gsize line_len = (nl != NULL ? nl : end) - p;
      gsize content_len = line_len > 0 && p[line_len - 1] == '\r' ? line_len - 1 : line_len;

      if (is_boundary_line (boundaries, p, line_len))
        in_headers = TRUE;
      else if (in_headers && content_len == 0)
        in_headers = FALSE;
      else if (in_headers && !is_header_line (p, content_len))
        {
          if (out == NULL)
            out = g_string_sized_new (len + 64);
          g_string_append_len (out, copied, p - copied);
          g_string_append (out, content_len < line_len ? "\r\n" : "\n");
          copied = p;
          in_headers = FALSE;
        }
      p = next;
    }
  if (out == NULL)
    return NULL;
  g_string_append_len (out, copied, end - copied);
  return g_string_free_to_bytes (g_steal_pointer (&out));
}

/* Headers --------------------------------------------------------------- */

static const char *
raw_header (GMimeObject *object,
            const char  *name)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (object);
  GMimeHeader *header = list != NULL ? g_mime_header_list_get_header (list, name) : NULL;

  return header != NULL ? g_mime_header_get_raw_value (header) : NULL;
}

static GPtrArray *
parse_references (const char *raw)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  GMimeReferences *refs;

  if (raw == NULL)
    return ids;
  refs = g_mime_references_parse (lb_mime_get_parser_options (), raw);
  if (refs != NULL)
    {
      for (int i = 0; i < g_mime_references_length (refs); i++)
        {
          const char *id = g_mime_references_get_message_id (refs, i);

          if (id != NULL && *id != '\0' && g_utf8_validate (id, -1, NULL))
            g_ptr_array_add (ids, g_strdup (id));
        }
      g_mime_references_free (refs);
    }
  return ids;
}

static GPtrArray *
address_header (GMimeObject *object,
                const char  *name,
                const char  *charset_hint)
{
  return lb_address_list_decode_with_fallback (raw_header (object, name), charset_hint, NULL);
}

/* The charset the message declares for its text parts (the first text part
 * that declares one), which raw 8-bit headers are most likely written in. */
static const char *
declared_charset (GMimeObject *object,
                  guint        depth)
{
  if (object == NULL || depth > MAX_DEPTH)
    return NULL;
  if (GMIME_IS_MULTIPART (object))
    {
      for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (object)); i++)
        {
          const char *charset = declared_charset (g_mime_multipart_get_part (GMIME_MULTIPART (object), i),
                                                  depth + 1);

          if (charset != NULL)
            return charset;
        }
      return g_mime_object_get_content_type_parameter (object, "charset");
    }
  if (GMIME_IS_PART (object) && is_type (object, "text", "*"))
    return g_mime_object_get_content_type_parameter (object, "charset");
  return NULL;
}

LbMimeMessage *
lb_mime_message_new_from_bytes (GBytes  *raw,
                                GError **error)
{
  g_autoptr(LbMimeMessage) self = NULL;
  GMimeMessage *message;
  g_autoptr(GPtrArray) refs = NULL;
  g_autoptr(GPtrArray) in_reply_to = NULL;
  GMimeObject *object;
  GDateTime *date;
  const char *id, *hint;
  gsize len;
  const void *data;
  Builder b;

  g_return_val_if_fail (raw != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lb_mime_init ();
  data = g_bytes_get_data (raw, &len);
  message = construct_message ((const char *) data, len);
  if (message != NULL)
    {
      g_autoptr(GBytes) repaired = repair_part_headers (message, (const char *) data, len);

      if (repaired != NULL)
        {
          g_object_unref (message);
          data = g_bytes_get_data (repaired, &len);
          message = construct_message ((const char *) data, len);
        }
    }
  if (message == NULL)
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_PARSE, _("The message could not be parsed"));
      return NULL;
    }
  object = GMIME_OBJECT (message);

  self = g_object_new (LB_TYPE_MIME_MESSAGE, NULL);
  hint = declared_charset (g_mime_message_get_mime_part (message), 0);
  self->subject = lb_mime_decode_header_with_fallback (raw_header (object, "Subject"), hint);
  if (self->subject == NULL)
    self->subject = g_strdup ("");
  self->from = address_header (object, "From", hint);
  self->to = address_header (object, "To", hint);
  self->cc = address_header (object, "Cc", hint);
  /* Only a saved draft has one (LB_MIME_BUILD_KEEP_BCC). */
  self->bcc = address_header (object, "Bcc", hint);
  self->reply_to = address_header (object, "Reply-To", hint);

  date = g_mime_message_get_date (message);
  self->date = date != NULL ? g_date_time_ref (date) : NULL;

  id = g_mime_message_get_message_id (message);
  if (id != NULL && *id != '\0')
    self->message_id = lb_charset_to_utf8 (id, -1, NULL);
  in_reply_to = parse_references (raw_header (object, "In-Reply-To"));
  if (in_reply_to->len > 0)
    self->in_reply_to = g_strdup (g_ptr_array_index (in_reply_to, 0));
  refs = parse_references (raw_header (object, "References"));
  g_ptr_array_add (refs, NULL);
  self->references = (GStrv) g_ptr_array_free (g_steal_pointer (&refs), FALSE);

  b.self = self;
  b.text = g_string_new (NULL);
  b.html = g_string_new (NULL);
  b.root = g_mime_message_get_mime_part (message);
  b.charset_hint = hint;
  walk (&b, g_mime_message_get_mime_part (message), 0, FALSE);

  self->html = b.html->len > 0 ? g_string_free (b.html, FALSE) : (g_string_free (b.html, TRUE), NULL);
  if (b.text->len == 0 && self->html != NULL)
    {
      g_string_free (b.text, TRUE);
      self->text = lb_mime_html_to_text (self->html);
    }
  else
    self->text = g_string_free (b.text, FALSE);

  g_object_unref (message);
  return g_steal_pointer (&self);
}

const char *
lb_mime_message_get_subject (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return self->subject;
}

GPtrArray *
lb_mime_message_get_from (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return self->from;
}

GPtrArray *
lb_mime_message_get_to (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return self->to;
}

GPtrArray *
lb_mime_message_get_cc (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return self->cc;
}

GPtrArray *
lb_mime_message_get_bcc (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return self->bcc;
}

GPtrArray *
lb_mime_message_get_reply_to (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return self->reply_to;
}

GDateTime *
lb_mime_message_get_date (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return self->date;
}

const char *
lb_mime_message_get_message_id (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return self->message_id;
}

const char *
lb_mime_message_get_in_reply_to (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return self->in_reply_to;
}

const char *const *
lb_mime_message_get_references (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return (const char *const *) self->references;
}

const char *
lb_mime_message_get_text (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return self->text;
}

const char *
lb_mime_message_get_html (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return self->html;
}

char *
lb_mime_message_dup_preview (LbMimeMessage *self,
                             gsize          max_chars)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return lb_mime_preview (self->text, max_chars);
}

char *
lb_mime_message_dup_reader_html (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  if (self->html != NULL)
    return g_strdup (self->html);
  return lb_mime_text_to_html (self->text);
}

GBytes *
lb_mime_message_lookup_cid (LbMimeMessage *self,
                            const char    *cid,
                            const char   **mime_type)
{
  g_autofree char *id = NULL;
  LbMimeAttachment *part;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  g_return_val_if_fail (cid != NULL, NULL);

  if (g_ascii_strncasecmp (cid, "cid:", 4) == 0)
    {
      cid += 4;
      id = g_uri_unescape_string (cid, NULL);
    }
  if (id == NULL)
    id = g_strdup (cid);
  g_strstrip (id);
  if (id[0] == '<' && id[strlen (id) - 1] == '>')
    {
      id[strlen (id) - 1] = '\0';
      memmove (id, id + 1, strlen (id));
    }

  part = g_hash_table_lookup (self->cids, id);
  if (part == NULL)
    {
      /* Content-IDs are case-sensitive, but some mailers change the case
       * between the HTML and the header. */
      g_hash_table_iter_init (&iter, self->cids);
      while (part == NULL && g_hash_table_iter_next (&iter, &key, &value))
        if (g_ascii_strcasecmp (key, id) == 0)
          part = value;
    }
  if (part == NULL)
    return NULL;
  if (mime_type != NULL)
    *mime_type = lb_mime_attachment_get_mime_type (part);
  return lb_mime_attachment_get_bytes (part);
}

GPtrArray *
lb_mime_message_get_attachments (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), NULL);
  return self->attachments;
}

gboolean
lb_mime_message_has_attachments (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), FALSE);
  return self->attachments->len > 0;
}

gboolean
lb_mime_message_get_signed (LbMimeMessage *self)
{
  g_return_val_if_fail (LB_IS_MIME_MESSAGE (self), FALSE);
  return self->is_signed;
}
