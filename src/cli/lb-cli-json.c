/* lb-cli-json.c: a small streaming JSON writer for --json output
 *
 * Strings are written as valid UTF-8 (invalid bytes become U+FFFD) with the escapes
 * RFC 8259 requires, so a subject from a broken message never breaks a script's parser.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "lb-cli-json.h"

struct _LbJson {
  GString *out;
  GArray  *first;   /* gboolean per open container: no comma needed yet */
};

LbJson *
lb_json_new (void)
{
  LbJson *j = g_new0 (LbJson, 1);
  gboolean top = TRUE;

  j->out = g_string_new (NULL);
  j->first = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_array_append_val (j->first, top);
  return j;
}

void
lb_json_free (LbJson *j)
{
  if (j == NULL)
    return;
  g_string_free (j->out, TRUE);
  g_array_unref (j->first);
  g_free (j);
}

static void
escape (GString    *out,
        const char *s)
{
  g_autofree char *valid = g_utf8_make_valid (s, -1);

  g_string_append_c (out, '"');
  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static void
separator (LbJson     *j,
           const char *key)
{
  gboolean *first = &g_array_index (j->first, gboolean, j->first->len - 1);

  if (!*first)
    g_string_append_c (j->out, ',');
  *first = FALSE;
  if (key != NULL)
    {
      escape (j->out, key);
      g_string_append_c (j->out, ':');
    }
}

static void
open_container (LbJson     *j,
                const char *key,
                char        c)
{
  gboolean first = TRUE;

  separator (j, key);
  g_string_append_c (j->out, c);
  g_array_append_val (j->first, first);
}

static void
close_container (LbJson *j,
                 char    c)
{
  g_array_set_size (j->first, j->first->len - 1);
  g_string_append_c (j->out, c);
}

void lb_json_begin_object (LbJson *j) { open_container (j, NULL, '{'); }
void lb_json_end_object (LbJson *j) { close_container (j, '}'); }
void lb_json_begin_array (LbJson *j) { open_container (j, NULL, '['); }
void lb_json_end_array (LbJson *j) { close_container (j, ']'); }

/* An object or array as the value of KEY inside an object. */
void lb_json_begin_member_object (LbJson *j, const char *key) { open_container (j, key, '{'); }
void lb_json_begin_member_array (LbJson *j, const char *key) { open_container (j, key, '['); }

void
lb_json_string (LbJson     *j,
                const char *key,
                const char *value)
{
  separator (j, key);
  if (value == NULL)
    g_string_append (j->out, "null");
  else
    escape (j->out, value);
}

void
lb_json_int (LbJson     *j,
             const char *key,
             gint64      value)
{
  separator (j, key);
  g_string_append_printf (j->out, "%" G_GINT64_FORMAT, value);
}

void
lb_json_uint (LbJson     *j,
              const char *key,
              guint64     value)
{
  separator (j, key);
  g_string_append_printf (j->out, "%" G_GUINT64_FORMAT, value);
}

void
lb_json_bool (LbJson     *j,
              const char *key,
              gboolean    value)
{
  separator (j, key);
  g_string_append (j->out, value ? "true" : "false");
}

void
lb_json_print (LbJson *j)
{
  fputs (j->out->str, stdout);
  fputc ('\n', stdout);
}
