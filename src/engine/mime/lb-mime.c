/* lb-mime.c: GMime set-up and header decoding
 *
 * Header decoding is done here rather than by g_mime_utils_header_decode_text()
 * for two reasons found by testing GMime 3.2.13: it decodes gb2312-labelled
 * words with glibc's GBK, which turns four-byte GB18030 characters into "?",
 * and a character split across two base64 words is lost, with everything
 * after it, when the first word ends in '=' padding.  Both happen in real
 * Chinese mail.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-mime.h"

static GMimeParserOptions *parser_options;
static GMimeFormatOptions *format_options;

static gpointer
init_once (gpointer data)
{
  static const char *fallback[] = { "utf-8", "gb18030", "iso-8859-1", NULL };

  g_mime_init ();
  parser_options = g_mime_parser_options_new ();
  g_mime_parser_options_set_fallback_charsets (parser_options, fallback);
  g_mime_parser_options_set_rfc2047_compliance_mode (parser_options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode (parser_options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode (parser_options, GMIME_RFC_COMPLIANCE_LOOSE);
  format_options = g_mime_format_options_new ();
  return NULL;
}

void
lb_mime_init (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_once, NULL);
}

GMimeParserOptions *
lb_mime_get_parser_options (void)
{
  lb_mime_init ();
  return parser_options;
}

GMimeFormatOptions *
lb_mime_get_format_options (void)
{
  lb_mime_init ();
  return format_options;
}

typedef struct
{
  const char *charset;   /* not NUL-terminated */
  gsize charset_len;
  char encoding;         /* 'B' or 'Q' */
  const char *text;
  gsize text_len;
  const char *end;       /* just after "?=" */
} EncodedWord;

static gboolean
parse_encoded_word (const char  *p,
                    EncodedWord *ew)
{
  const char *q;

  if (p[0] != '=' || p[1] != '?')
    return FALSE;
  q = p + 2;
  ew->charset = q;
  while (*q != '\0' && *q != '?' && *q != ' ' && *q != '\t' && *q != '=' && q - ew->charset < 76)
    q++;
  if (*q != '?' || q == ew->charset)
    return FALSE;
  ew->charset_len = q - ew->charset;
  q++;
  if (*q != 'B' && *q != 'b' && *q != 'Q' && *q != 'q')
    return FALSE;
  ew->encoding = g_ascii_toupper (*q);
  q++;
  if (*q != '?')
    return FALSE;
  q++;
  ew->text = q;
  /* Some mailers put literal spaces in Q words; base64 never has any. */
  while (*q != '\0' && *q != '?' && !(ew->encoding == 'B' && (*q == ' ' || *q == '\t')))
    q++;
  if (q[0] != '?' || q[1] != '=')
    return FALSE;
  ew->text_len = q - ew->text;
  ew->end = q + 2;
  return TRUE;
}

static int
base64_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Decodes base64 leniently: padding and junk are skipped and every complete
 * byte is kept, so unpadded and over-padded words both work. */
static void
decode_b (GByteArray *out,
          const char *text,
          gsize       len)
{
  guint old_len = out->len;
  guint32 bits = 0;
  int n_bits = 0;
  guint8 *o;

  g_byte_array_set_size (out, old_len + len * 3 / 4 + 3);
  o = out->data + old_len;
  for (gsize i = 0; i < len; i++)
    {
      int v = base64_value (text[i]);

      /* Padding ends a group: the bits left over are not data, and a
       * second base64 text may follow (concatenated parts). */
      if (text[i] == '=')
        bits = 0, n_bits = 0;
      if (v < 0)
        continue;
      bits = (bits << 6) | (guint32) v;
      n_bits += 6;
      if (n_bits >= 8)
        {
          *o++ = (bits >> (n_bits - 8)) & 0xff;
          n_bits -= 8;
        }
    }
  g_byte_array_set_size (out, o - out->data);
}

GBytes *
lb_mime_base64_decode (const char *text,
                       gsize       len)
{
  GByteArray *out = g_byte_array_new ();

  decode_b (out, text, len);
  return g_byte_array_free_to_bytes (out);
}

static void
decode_q (GByteArray *out,
          const char *text,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 byte = (guint8) text[i];

      if (byte == '_')
        byte = ' ';
      else if (byte == '=' && i + 2 < len && g_ascii_isxdigit (text[i + 1])
               && g_ascii_isxdigit (text[i + 2]))
        {
          byte = (guint8) (g_ascii_xdigit_value (text[i + 1]) * 16 + g_ascii_xdigit_value (text[i + 2]));
          i += 2;
        }
      g_byte_array_append (out, &byte, 1);
    }
}

static void
flush_pending (GString    *out,
               GByteArray *pending,
               char      **pending_charset)
{
  if (*pending_charset != NULL)
    {
      g_autofree char *utf8 = lb_charset_to_utf8 ((const char *) pending->data, pending->len,
                                                  *pending_charset);

      g_string_append (out, utf8);
    }
  g_byte_array_set_size (pending, 0);
  g_clear_pointer (pending_charset, g_free);
}

static gboolean
is_blank (const char *p,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (p[i] != ' ' && p[i] != '\t')
      return FALSE;
  return TRUE;
}

/* Raw 8-bit bytes inside an encoded-word belong to that word's charset, so
 * they are escaped as =XX (a Q word) or dropped (a B word, where they are
 * not base64) before the text around the words is converted. */
static void
append_word_escaped (GString           *out,
                     const char        *p,
                     const EncodedWord *ew)
{
  for (const char *q = p; q < ew->end; q++)
    {
      guchar c = (guchar) *q;

      if (c < 0x80)
        g_string_append_c (out, *q);
      else if (ew->encoding == 'Q' && q >= ew->text && q < ew->text + ew->text_len)
        g_string_append_printf (out, "=%02X", c);
    }
}

static gboolean
word_is_clean_outside_text (const char        *p,
                            const EncodedWord *ew)
{
  for (const char *q = p; q < ew->text; q++)
    if ((guchar) *q >= 0x80)
      return FALSE;
  return TRUE;
}

char *
lb_mime_header_to_utf8 (const char *raw,
                        gssize      len,
                        const char *fallback_charset)
{
  g_autoptr(GString) escaped = NULL;
  g_autofree char *fallback = lb_charset_normalize (fallback_charset);
  g_autofree char *copy = NULL;
  const char *p, *end;

  if (raw == NULL)
    return NULL;
  if (len < 0)
    len = strlen (raw);
  /* parse_encoded_word() stops at a NUL, so it needs one at the end. */
  copy = g_strndup (raw, len);
  end = copy + len;

  escaped = g_string_sized_new (len + 16);
  for (p = copy; p < end;)
    {
      EncodedWord ew;

      if (p[0] == '=' && p[1] == '?' && parse_encoded_word (p, &ew) && word_is_clean_outside_text (p, &ew))
        {
          append_word_escaped (escaped, p, &ew);
          p = ew.end;
          continue;
        }
      g_string_append_c (escaped, *p);
      p++;
    }

  /* The charset the message declares for its text parts comes before the
   * detector, but only an ASCII-compatible one: the encoded-words must
   * come through the conversion unchanged. */
  if (fallback != NULL
      && (g_str_has_prefix (fallback, "UTF-16") || g_str_has_prefix (fallback, "UTF-32")
          || g_str_has_prefix (fallback, "UTF-7") || g_str_has_prefix (fallback, "UCS")
          || g_str_has_prefix (fallback, "ISO-2022") || g_str_has_prefix (fallback, "HZ")))
    g_clear_pointer (&fallback, g_free);
  return lb_charset_to_utf8 (escaped->str, escaped->len, fallback);
}

char *
lb_mime_decode_header (const char *raw)
{
  return lb_mime_decode_header_with_fallback (raw, NULL);
}

char *
lb_mime_decode_header_with_fallback (const char *raw,
                                     const char *fallback_charset)
{
  g_autoptr(GString) unfolded = NULL;
  g_autoptr(GByteArray) pending = NULL;
  g_autofree char *pending_charset = NULL;
  g_autofree char *text = NULL;
  GString *out;
  const char *p, *literal;

  if (raw == NULL)
    return NULL;

  /* Unfold: a line break before whitespace disappears; a stray one (from a
   * broken ENVELOPE literal, say) becomes a space. */
  unfolded = g_string_sized_new (strlen (raw));
  for (p = raw; *p != '\0'; p++)
    {
      if (*p == '\r' || *p == '\n')
        {
          while (p[1] == '\r' || p[1] == '\n')
            p++;
          if (p[1] != ' ' && p[1] != '\t')
            g_string_append_c (unfolded, ' ');
          continue;
        }
      g_string_append_c (unfolded, *p);
    }

  /* Raw 8-bit bytes (GBK From names from old mailers) are converted once
   * for the whole value; encoded-words come through as ASCII. */
  text = lb_mime_header_to_utf8 (unfolded->str, unfolded->len, fallback_charset);

  out = g_string_sized_new (unfolded->len);
  pending = g_byte_array_new ();
  literal = text;
  for (p = text; *p != '\0';)
    {
      EncodedWord ew;
      gsize literal_len = p - literal;

      if (p[0] != '=' || p[1] != '?' || !parse_encoded_word (p, &ew))
        {
          p++;
          continue;
        }

      /* Whitespace between two encoded-words is not part of the text. */
      if (pending_charset == NULL || !is_blank (literal, literal_len))
        {
          flush_pending (out, pending, &pending_charset);
          g_string_append_len (out, literal, literal_len);
        }

      if (pending_charset != NULL
          && (strlen (pending_charset) != ew.charset_len
              || g_ascii_strncasecmp (pending_charset, ew.charset, ew.charset_len) != 0))
        flush_pending (out, pending, &pending_charset);
      if (pending_charset == NULL)
        pending_charset = g_strndup (ew.charset, ew.charset_len);

      if (ew.encoding == 'B')
        decode_b (pending, ew.text, ew.text_len);
      else
        decode_q (pending, ew.text, ew.text_len);

      p = ew.end;
      literal = p;
    }
  flush_pending (out, pending, &pending_charset);
  g_string_append (out, literal);

  for (gsize i = 0; i < out->len; i++)
    if ((guchar) out->str[i] < 0x20 || out->str[i] == 0x7f)
      out->str[i] = ' ';

  return g_strstrip (g_string_free (out, FALSE));
}
