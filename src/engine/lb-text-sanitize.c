/* lb-text-sanitize.c: making text that a server sent safe to show or log
 *
 * A hostile or broken server controls these bytes.  Printed verbatim by the CLI they can
 * move the cursor, retitle the terminal or hide the rest of a message; shown in a label
 * they can break the layout; invalid UTF-8 makes GLib and GTK warn.  So the text is
 * decoded first, then every escape sequence and control character is taken out, on
 * characters rather than bytes, since C1 controls are two bytes in UTF-8.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-text-sanitize.h"

/* Enough for any real server text; more is only ever an attack or garbage. */
#define MAX_INPUT_BYTES (16 * 1024)

static char *
decode (const char *bytes,
        gsize       len)
{
  char *converted;

  if (g_utf8_validate (bytes, (gssize) len, NULL))
    return g_strndup (bytes, len);
  converted = g_convert (bytes, (gssize) len, "UTF-8", "GB18030", NULL, NULL, NULL);
  if (converted != NULL && g_utf8_validate (converted, -1, NULL))
    return converted;
  g_free (converted);
  return g_utf8_make_valid (bytes, (gssize) len);
}

/* C0, DEL and C1, and the invisible format characters, among them the bidirectional
 * overrides and isolates, which can make text read differently from what it is
 * ("txt.exe" shown as "exe.txt"). */
static gboolean
is_control (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || g_unichar_type (c) == G_UNICODE_FORMAT;
}

/* Skips the escape sequence that starts at @p (ESC, or the C1 CSI/OSC introducers),
 * and returns where the text goes on. */
static const char *
skip_escape (const char *p)
{
  gunichar c = g_utf8_get_char (p);
  gboolean csi = c == 0x9b;
  gboolean osc = c == 0x9d;

  p = g_utf8_next_char (p);
  if (c == 0x1b)
    {
      if (*p == '[')
        csi = TRUE;
      else if (*p == ']' || *p == 'P' || *p == '_' || *p == '^' || *p == 'X')
        osc = TRUE;   /* OSC, DCS, APC, PM and SOS all end with ST (or BEL) */
      else if (*p != '\0')
        return g_utf8_next_char (p);   /* a two-character escape such as ESC c */
      else
        return p;
      p++;
    }
  if (csi)
    {
      /* Parameter and intermediate bytes, then one final byte in 0x40..0x7e. */
      while (*p != '\0' && (guchar) *p >= 0x20 && (guchar) *p <= 0x3f)
        p++;
      if (*p != '\0' && (guchar) *p >= 0x40 && (guchar) *p <= 0x7e)
        p++;
      return p;
    }
  if (osc)
    {
      while (*p != '\0')
        {
          gunichar d = g_utf8_get_char (p);

          p = g_utf8_next_char (p);
          if (d == 0x07 || d == 0x9c)
            break;
          if (d == 0x1b && *p == '\\')
            {
              p++;
              break;
            }
        }
    }
  return p;
}

char *
lb_text_sanitize_server (const char *bytes,
                         gssize      len)
{
  g_autofree char *text = NULL;
  GString *out;
  gsize n;
  guint chars = 0;
  gboolean space = FALSE;
  const char *p;

  if (bytes == NULL)
    return g_strdup ("");
  n = len < 0 ? strlen (bytes) : strnlen (bytes, (gsize) len);
  text = decode (bytes, MIN (n, MAX_INPUT_BYTES));

  out = g_string_sized_new (MIN (strlen (text), 4 * LB_TEXT_SANITIZE_MAX_CHARS) + 4);
  for (p = text; *p != '\0';)
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0x1b || c == 0x9b || c == 0x9d)
        {
          p = skip_escape (p);
          continue;
        }
      p = g_utf8_next_char (p);
      if (is_control (c) || g_unichar_isspace (c))
        {
          space = out->len > 0;
          continue;
        }
      if (chars + (space ? 1 : 0) >= LB_TEXT_SANITIZE_MAX_CHARS)
        {
          g_string_append (out, "…");
          break;
        }
      if (space)
        {
          g_string_append_c (out, ' ');
          chars++;
          space = FALSE;
        }
      g_string_append_unichar (out, c);
      chars++;
    }
  return g_string_free (out, FALSE);
}
