/* lb-mime-attachment.c: one attachment or inline part of a decoded message
 *
 * The content is decoded once, on the worker thread that parsed the message,
 * so that the object never touches GMime again and can be used from any
 * thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-mime-attachment.h"

struct _LbMimeAttachment
{
  GObject parent_instance;

  char *filename;
  char *mime_type;
  char *content_id;
  gboolean is_inline;
  GBytes *bytes;
};

G_DEFINE_FINAL_TYPE (LbMimeAttachment, lb_mime_attachment, G_TYPE_OBJECT)

static void
lb_mime_attachment_finalize (GObject *object)
{
  LbMimeAttachment *self = LB_MIME_ATTACHMENT (object);

  g_free (self->filename);
  g_free (self->mime_type);
  g_free (self->content_id);
  g_bytes_unref (self->bytes);

  G_OBJECT_CLASS (lb_mime_attachment_parent_class)->finalize (object);
}

static void
lb_mime_attachment_class_init (LbMimeAttachmentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_mime_attachment_finalize;
}

static void
lb_mime_attachment_init (LbMimeAttachment *self)
{
}

static const char *
extension_for (const char *mime_type)
{
  static const struct { const char *type; const char *ext; } table[] = {
    { "text/plain", ".txt" }, { "text/html", ".html" }, { "text/calendar", ".ics" },
    { "image/png", ".png" }, { "image/jpeg", ".jpg" }, { "image/gif", ".gif" },
    { "image/webp", ".webp" }, { "application/pdf", ".pdf" }, { "message/rfc822", ".eml" },
    { "application/zip", ".zip" }, { "application/pgp-signature", ".asc" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    if (strcmp (mime_type, table[i].type) == 0)
      return table[i].ext;
  return ".bin";
}

/* A name from a stranger must not walk out of the download folder or hide
 * its real extension behind control characters. */
static char *
sanitize_filename (const char *name)
{
  GString *s;

  if (name == NULL)
    return NULL;
  s = g_string_new (NULL);
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || (c >= 0x202a && c <= 0x202e)
          || (c >= 0x2066 && c <= 0x2069))
        g_string_append_c (s, c == '/' || c == '\\' ? '_' : ' ');
      else
        g_string_append_unichar (s, c);
    }
  g_strstrip (s->str);
  s->len = strlen (s->str);
  while (s->str[0] == '.')
    g_string_erase (s, 0, 1);
  if (s->len == 0)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

LbMimeAttachment *
lb_mime_attachment_new (const char *filename,
                        const char *mime_type,
                        const char *content_id,
                        gboolean    is_inline,
                        GBytes     *bytes)
{
  LbMimeAttachment *self;
  g_autofree char *valid_name = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);

  self = g_object_new (LB_TYPE_MIME_ATTACHMENT, NULL);
  self->mime_type = g_ascii_strdown (mime_type != NULL ? mime_type : "application/octet-stream", -1);
  if (filename != NULL)
    valid_name = g_utf8_make_valid (filename, -1);
  self->filename = sanitize_filename (valid_name);
  if (self->filename == NULL)
    self->filename = g_strconcat ("attachment", extension_for (self->mime_type), NULL);
  self->content_id = (content_id != NULL && *content_id != '\0') ? g_strdup (content_id) : NULL;
  self->is_inline = is_inline;
  self->bytes = g_bytes_ref (bytes);
  return self;
}

const char *
lb_mime_attachment_get_filename (LbMimeAttachment *self)
{
  g_return_val_if_fail (LB_IS_MIME_ATTACHMENT (self), NULL);
  return self->filename;
}

const char *
lb_mime_attachment_get_mime_type (LbMimeAttachment *self)
{
  g_return_val_if_fail (LB_IS_MIME_ATTACHMENT (self), NULL);
  return self->mime_type;
}

const char *
lb_mime_attachment_get_content_id (LbMimeAttachment *self)
{
  g_return_val_if_fail (LB_IS_MIME_ATTACHMENT (self), NULL);
  return self->content_id;
}

gboolean
lb_mime_attachment_get_is_inline (LbMimeAttachment *self)
{
  g_return_val_if_fail (LB_IS_MIME_ATTACHMENT (self), FALSE);
  return self->is_inline;
}

gsize
lb_mime_attachment_get_size (LbMimeAttachment *self)
{
  g_return_val_if_fail (LB_IS_MIME_ATTACHMENT (self), 0);
  return g_bytes_get_size (self->bytes);
}

GBytes *
lb_mime_attachment_get_bytes (LbMimeAttachment *self)
{
  g_return_val_if_fail (LB_IS_MIME_ATTACHMENT (self), NULL);
  return self->bytes;
}
