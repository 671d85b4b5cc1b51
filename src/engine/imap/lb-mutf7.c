/* lb-mutf7.c: IMAP modified UTF-7 mailbox names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-error.h"
#include "lb-mutf7.h"

/* RFC 3501 uses base64 with ',' in place of '/' and no '=' padding. */
static const char b64_chars[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
b64_value (guchar c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == ',')
    return 63;
  return -1;
}

static char *
fail (GString     *out,
      GError     **error,
      const char  *in,
      const char  *why)
{
  g_autofree char *escaped = g_strescape (in, NULL);

  g_string_free (out, TRUE);
  g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
               "Invalid modified UTF-7 mailbox name “%s”: %s", escaped, why);
  return NULL;
}

char *
lb_mutf7_decode (const char  *in,
                 GError     **error)
{
  const guchar *p;
  GString *out;

  g_return_val_if_fail (in != NULL, NULL);

  out = g_string_sized_new (strlen (in) + 8);
  p = (const guchar *) in;
  while (*p != '\0')
    {
      guint32 bits = 0;
      guint nbits = 0;
      gunichar2 high = 0;

      if (*p != '&')
        {
          if (*p < 0x20 || *p > 0x7e)
            return fail (out, error, in, "byte outside printable ASCII");
          g_string_append_c (out, (char) *p++);
          continue;
        }

      p++;
      if (*p == '-')
        {
          g_string_append_c (out, '&');
          p++;
          continue;
        }

      for (; *p != '\0' && *p != '-'; p++)
        {
          int v = b64_value (*p);
          guint16 unit;

          if (v < 0)
            return fail (out, error, in, "character outside the base64 alphabet");
          bits = (bits << 6) | (guint32) v;
          nbits += 6;
          if (nbits < 16)
            continue;

          nbits -= 16;
          unit = (guint16) (bits >> nbits);
          bits &= (1u << nbits) - 1;

          if (high != 0)
            {
              gunichar c;

              if (unit < 0xdc00 || unit > 0xdfff)
                return fail (out, error, in, "unpaired UTF-16 surrogate");
              c = 0x10000 + (((gunichar) high - 0xd800) << 10) + (unit - 0xdc00);
              g_string_append_unichar (out, c);
              high = 0;
            }
          else if (unit >= 0xd800 && unit <= 0xdbff)
            high = unit;
          else if (unit >= 0xdc00 && unit <= 0xdfff)
            return fail (out, error, in, "unpaired UTF-16 surrogate");
          else if (unit == 0)
            return fail (out, error, in, "encoded NUL");
          else
            g_string_append_unichar (out, unit);
        }

      if (*p != '-')
        return fail (out, error, in, "unterminated encoded run");
      if (high != 0)
        return fail (out, error, in, "unpaired UTF-16 surrogate");
      /* What is left must be the zero padding of the last base64 character. */
      if (nbits >= 6 || bits != 0)
        return fail (out, error, in, "truncated or badly padded encoded run");
      p++;
    }

  return g_string_free (out, FALSE);
}

static void
flush_run (GString *out,
           guint32 *bits,
           guint   *nbits)
{
  if (*nbits > 0)
    {
      g_string_append_c (out, b64_chars[(*bits << (6 - *nbits)) & 0x3f]);
      *bits = 0;
      *nbits = 0;
    }
  g_string_append_c (out, '-');
}

static void
push_unit (GString  *out,
           guint16   unit,
           guint32  *bits,
           guint    *nbits)
{
  *bits = (*bits << 16) | unit;
  *nbits += 16;
  while (*nbits >= 6)
    {
      *nbits -= 6;
      g_string_append_c (out, b64_chars[(*bits >> *nbits) & 0x3f]);
    }
  *bits &= (1u << *nbits) - 1;
}

char *
lb_mutf7_encode (const char *utf8)
{
  const char *p;
  GString *out;
  gboolean in_run = FALSE;
  guint32 bits = 0;
  guint nbits = 0;

  g_return_val_if_fail (utf8 != NULL, NULL);

  if (!g_utf8_validate (utf8, -1, NULL))
    return NULL;

  out = g_string_sized_new (strlen (utf8) + 8);
  for (p = utf8; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x20 && c <= 0x7e)
        {
          if (in_run)
            {
              flush_run (out, &bits, &nbits);
              in_run = FALSE;
            }
          if (c == '&')
            g_string_append (out, "&-");
          else
            g_string_append_c (out, (char) c);
          continue;
        }

      if (!in_run)
        {
          g_string_append_c (out, '&');
          in_run = TRUE;
        }
      if (c >= 0x10000)
        {
          c -= 0x10000;
          push_unit (out, (guint16) (0xd800 + (c >> 10)), &bits, &nbits);
          push_unit (out, (guint16) (0xdc00 + (c & 0x3ff)), &bits, &nbits);
        }
      else
        push_unit (out, (guint16) c, &bits, &nbits);
    }
  if (in_run)
    flush_run (out, &bits, &nbits);

  return g_string_free (out, FALSE);
}
