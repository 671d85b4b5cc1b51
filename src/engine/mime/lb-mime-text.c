/* lb-mime-text.c: plain text and HTML helpers for the list, search and reader
 *
 * All three functions are single passes over their input with no recursion,
 * because they run on whatever a hostile sender puts in a message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-mime-text.h"

static char *
ensure_utf8 (const char *text)
{
  if (text == NULL)
    return g_strdup ("");
  if (g_utf8_validate (text, -1, NULL))
    return g_strdup (text);
  return g_utf8_make_valid (text, -1);
}

/* Characters that render as nothing.  Marketing mail pads its preheader
 * with them so that clients show no preview text after it. */
static gboolean
is_invisible (gunichar c)
{
  return c == 0x00ad || c == 0x034f || (c >= 0x200b && c <= 0x200f) || c == 0x2060
         || c == 0xfeff || (c >= 0x202a && c <= 0x202e);
}

static gboolean
is_space (gunichar c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x00a0
         || c == 0x3000 || (c >= 0x2000 && c <= 0x200a);
}

/* HTML to text ---------------------------------------------------------- */

typedef struct
{
  const char *name;
  gunichar value;
} Entity;

static const Entity entities[] = {
  { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
  { "nbsp", 0xa0 }, { "ensp", 0x2002 }, { "emsp", 0x2003 }, { "thinsp", 0x2009 },
  { "zwnj", 0x200c }, { "zwj", 0x200d }, { "shy", 0xad }, { "copy", 0xa9 }, { "reg", 0xae },
  { "trade", 0x2122 }, { "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 },
  { "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "ldquo", 0x201c }, { "rdquo", 0x201d },
  { "sbquo", 0x201a }, { "bdquo", 0x201e }, { "laquo", 0xab }, { "raquo", 0xbb },
  { "middot", 0xb7 }, { "bull", 0x2022 }, { "euro", 0x20ac }, { "yen", 0xa5 }, { "pound", 0xa3 },
  { "cent", 0xa2 }, { "times", 0xd7 }, { "divide", 0xf7 }, { "deg", 0xb0 }, { "plusmn", 0xb1 },
  { "sect", 0xa7 }, { "para", 0xb6 }, { "iexcl", 0xa1 }, { "iquest", 0xbf }, { "larr", 0x2190 },
  { "rarr", 0x2192 }, { "uarr", 0x2191 }, { "darr", 0x2193 }, { "agrave", 0xe0 },
  { "aacute", 0xe1 }, { "acirc", 0xe2 }, { "auml", 0xe4 }, { "ccedil", 0xe7 }, { "egrave", 0xe8 },
  { "eacute", 0xe9 }, { "ecirc", 0xea }, { "euml", 0xeb }, { "iacute", 0xed }, { "ntilde", 0xf1 },
  { "oacute", 0xf3 }, { "ouml", 0xf6 }, { "uacute", 0xfa }, { "uuml", 0xfc }, { "szlig", 0xdf },
  { "Auml", 0xc4 }, { "Ouml", 0xd6 }, { "Uuml", 0xdc }, { "Eacute", 0xc9 },
};

/* Decodes the entity at @p (which points at '&').  Returns the number of
 * bytes consumed, or 0 if this is a literal ampersand. */
static gsize
decode_entity (const char *p,
               gunichar   *out)
{
  const char *q = p + 1;

  if (*q == '#')
    {
      gboolean hex = (q[1] == 'x' || q[1] == 'X');
      guint64 value = 0;
      int n_digits = 0;

      q += hex ? 2 : 1;
      while (hex ? g_ascii_isxdigit (*q) : g_ascii_isdigit (*q))
        {
          if (value <= 0x10ffff)
            value = value * (hex ? 16 : 10) + (hex ? g_ascii_xdigit_value (*q) : *q - '0');
          n_digits++;
          q++;
        }
      if (n_digits == 0)
        return 0;
      if (*q == ';')
        q++;
      if (value == 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
        *out = 0xfffd;
      else
        *out = (gunichar) value;
      return q - p;
    }

  while (g_ascii_isalnum (*q) && q - p <= 10)
    q++;
  if (q == p + 1)
    return 0;
  for (gsize i = 0; i < G_N_ELEMENTS (entities); i++)
    {
      gsize n = strlen (entities[i].name);

      if ((gsize) (q - p - 1) == n && strncmp (p + 1, entities[i].name, n) == 0)
        {
          *out = entities[i].value;
          return (*q == ';') ? (gsize) (q - p + 1) : (gsize) (q - p);
        }
    }
  return 0;
}

static gboolean
tag_in (const char        *tag,
        const char *const *set)
{
  for (; *set != NULL; set++)
    if (strcmp (tag, *set) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  GString *out;
  guint newlines;   /* line breaks owed before the next character */
  gboolean space;   /* a space owed before the next character */
} TextSink;

static void
sink_char (TextSink *sink,
           gunichar  c)
{
  if (is_invisible (c))
    return;
  if (sink->out->len > 0)
    {
      if (sink->newlines > 0)
        {
          for (guint i = 0; i < MIN (sink->newlines, 2); i++)
            g_string_append_c (sink->out, '\n');
        }
      else if (sink->space)
        g_string_append_c (sink->out, ' ');
    }
  sink->newlines = 0;
  sink->space = FALSE;
  g_string_append_unichar (sink->out, c);
}

static void
sink_newline (TextSink *sink,
              guint     n)
{
  sink->newlines = MAX (sink->newlines, n);
  sink->space = FALSE;
}

/* Finds "</name" case-insensitively; returns a pointer to the '<' or NULL. */
static const char *
find_closing_tag (const char *p,
                  const char *name)
{
  gsize n = strlen (name);

  for (; (p = strchr (p, '<')) != NULL; p++)
    if (p[1] == '/' && g_ascii_strncasecmp (p + 2, name, n) == 0 && !g_ascii_isalnum (p[2 + n]))
      return p;
  return NULL;
}

/* Returns the position after the '>' ending the tag that starts before @p,
 * honouring quoted attribute values. */
static const char *
skip_tag (const char *p)
{
  char quote = 0;

  for (; *p != '\0'; p++)
    {
      if (quote != 0)
        {
          if (*p == quote)
            quote = 0;
        }
      else if (*p == '"' || *p == '\'')
        quote = *p;
      else if (*p == '>')
        return p + 1;
    }
  return p;
}

char *
lb_mime_html_to_text (const char *html)
{
  static const char *const skipped[] = { "script", "style", "head", "title", "template", NULL };
  static const char *const paragraphs[] = { "p", "h1", "h2", "h3", "h4", "h5", "h6", "table",
                                            "blockquote", "ul", "ol", "pre", "hr", NULL };
  static const char *const blocks[] = { "div", "tr", "li", "dt", "dd", "dl", "section",
                                        "article", "header", "footer", "nav", "aside", "center",
                                        "address", "form", "fieldset", "figure", "main",
                                        "caption", "tbody", "thead", "tfoot", NULL };
  g_autofree char *text = ensure_utf8 (html);
  TextSink sink = { g_string_sized_new (strlen (text) / 2), 0, FALSE };
  const char *p = text;
  guint pre = 0;

  while (*p != '\0')
    {
      if (*p == '<')
        {
          char tag[16];
          gsize n = 0;
          gboolean closing = (p[1] == '/');
          const char *name = p + 1 + (closing ? 1 : 0);

          if (strncmp (p, "<!--", 4) == 0)
            {
              const char *end = strstr (p + 4, "-->");
              p = end != NULL ? end + 3 : p + strlen (p);
              continue;
            }
          if (p[1] == '!' || p[1] == '?')
            {
              p = skip_tag (p + 1);
              continue;
            }
          if (!g_ascii_isalpha (*name))
            {
              sink_char (&sink, '<');   /* "a < b" is text */
              p++;
              continue;
            }
          while (g_ascii_isalnum (name[n]) && n < sizeof tag - 1)
            {
              tag[n] = g_ascii_tolower (name[n]);
              n++;
            }
          tag[n] = '\0';
          p = skip_tag (name + n);

          if (!closing && tag_in (tag, skipped))
            {
              const char *end = find_closing_tag (p, tag);
              p = end != NULL ? skip_tag (end + 1) : p + strlen (p);
              continue;
            }
          if (strcmp (tag, "br") == 0)
            {
              /* <br><br> is a blank line, unlike two closing </div>s. */
              if (sink.newlines == 0 && sink.out->len > 0)
                sink.newlines = 1;
              else
                sink.newlines = MIN (sink.newlines + 1, 2);
              sink.space = FALSE;
            }
          else if (tag_in (tag, paragraphs))
            sink_newline (&sink, 2);
          else if (tag_in (tag, blocks))
            sink_newline (&sink, 1);
          else if (strcmp (tag, "td") == 0 || strcmp (tag, "th") == 0)
            sink.space = TRUE;
          if (strcmp (tag, "pre") == 0)
            pre = closing ? (pre > 0 ? pre - 1 : 0) : pre + 1;
          continue;
        }

      if (*p == '&')
        {
          gunichar c;
          gsize used = decode_entity (p, &c);

          if (used > 0)
            {
              if (is_space (c))
                sink.space = TRUE;
              else
                sink_char (&sink, c);
              p += used;
              continue;
            }
        }

      {
        gunichar c = g_utf8_get_char (p);

        if (pre > 0 && c == '\n')
          sink.newlines = MIN (sink.newlines + 1, 2);
        else if (is_space (c))
          sink.space = TRUE;
        else if (c < 0x20 || c == 0x7f)
          ;   /* control characters */
        else
          sink_char (&sink, c);
        p = g_utf8_next_char (p);
      }
    }

  return g_string_free (sink.out, FALSE);
}

/* Preview --------------------------------------------------------------- */

static gboolean
str_has_suffix_ci (const char *s,
                   const char *suffix)
{
  gsize n = strlen (s), m = strlen (suffix);

  return n >= m && g_ascii_strcasecmp (s + n - m, suffix) == 0;
}

static gboolean
is_attribution (const char *line)
{
  return str_has_suffix_ci (line, "wrote:") || g_str_has_suffix (line, "写道：")
         || g_str_has_suffix (line, "写道:") || g_str_has_suffix (line, "寫道：")
         || g_str_has_suffix (line, "寫道:") || str_has_suffix_ci (line, "a écrit :")
         || str_has_suffix_ci (line, "schrieb:");
}

/* Lines after which everything is the quoted original, without '>' marks. */
static gboolean
is_original_separator (const char *line)
{
  gsize n_underscores = 0;

  if (line[0] == '-' && (strstr (line, "Original Message") != NULL
                         || strstr (line, "原始邮件") != NULL
                         || strstr (line, "原始郵件") != NULL))
    return TRUE;
  for (const char *p = line; *p == '_'; p++)
    n_underscores++;
  return n_underscores >= 10 && line[n_underscores] == '\0';
}

static char *
strip_line (const char *line)
{
  const char *start = line, *end = line + strlen (line);

  while (*start != '\0' && is_space (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);
      if (!is_space (g_utf8_get_char (prev)))
        break;
      end = prev;
    }
  return g_strndup (start, end - start);
}

char *
lb_mime_preview (const char *text,
                 gsize       max_chars)
{
  g_autofree char *valid = ensure_utf8 (text);
  g_auto(GStrv) lines = g_strsplit (valid, "\n", -1);
  GString *out = g_string_new (NULL);
  gsize n_chars = 0;
  gboolean space = FALSE;

  for (guint i = 0; lines[i] != NULL && n_chars < max_chars; i++)
    {
      g_autofree char *line = NULL;
      const char *raw = lines[i];
      gsize raw_len = strlen (raw);

      if (raw_len > 0 && raw[raw_len - 1] == '\r')
        lines[i][--raw_len] = '\0';
      /* The signature separator is exactly "-- " (or "--" once the space
       * has been eaten by a mail gateway). */
      if (strcmp (raw, "-- ") == 0 || strcmp (raw, "--") == 0)
        break;

      line = strip_line (raw);
      if (line[0] == '>')
        continue;
      if (is_original_separator (line))
        break;
      if (is_attribution (line))
        continue;
      /* "On Mon, 1 Jan 2024, Somebody <long@address>\nwrote:" is folded
       * over two lines by many clients. */
      if (g_str_has_prefix (line, "On ") && lines[i + 1] != NULL)
        {
          g_autofree char *next = strip_line (lines[i + 1]);

          if (is_attribution (next))
            {
              i++;
              continue;
            }
        }

      for (const char *p = line; *p != '\0' && n_chars < max_chars; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (is_space (c) || c < 0x20 || c == 0x7f)
            {
              space = TRUE;
              continue;
            }
          if (is_invisible (c))
            continue;
          if (space && out->len > 0)
            {
              g_string_append_c (out, ' ');
              n_chars++;
              if (n_chars >= max_chars)
                break;
            }
          space = FALSE;
          g_string_append_unichar (out, c);
          n_chars++;
        }
      space = TRUE;
    }

  /* A cut can leave a trailing space. */
  while (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

/* Plain text to HTML ---------------------------------------------------- */

static void
append_escaped (GString    *out,
                const char *p,
                gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      switch (p[i])
        {
        case '&': g_string_append (out, "&amp;"); break;
        case '<': g_string_append (out, "&lt;"); break;
        case '>': g_string_append (out, "&gt;"); break;
        case '"': g_string_append (out, "&quot;"); break;
        case '\'': g_string_append (out, "&#39;"); break;
        default:
          if ((guchar) p[i] >= 0x20 && p[i] != 0x7f)
            g_string_append_c (out, p[i]);
        }
    }
}

static gboolean
is_url_char (char c)
{
  /* ASCII only: a URL in Chinese text usually runs straight into the next
   * Chinese character with no space ("详情请看:http://x.com/a请..."). */
  return (guchar) c > 0x20 && (guchar) c < 0x7f && strchr ("<>\"'`{}|\\^", c) == NULL;
}

/* Returns the length of the link at @p, or 0 if there is none. */
static gsize
url_length (const char *line,
            const char *p)
{
  static const char *const schemes[] = { "https://", "http://", "mailto:", NULL };
  gsize scheme_len = 0, n;
  gboolean has_open_paren = FALSE;

  if (p > line && g_ascii_isalnum (p[-1]))
    return 0;
  for (guint i = 0; schemes[i] != NULL; i++)
    if (g_ascii_strncasecmp (p, schemes[i], strlen (schemes[i])) == 0)
      {
        scheme_len = strlen (schemes[i]);
        break;
      }
  if (scheme_len == 0 || (!g_ascii_isalnum (p[scheme_len]) && p[scheme_len] != '['))
    return 0;

  n = scheme_len;
  while (is_url_char (p[n]))
    {
      if (p[n] == '(')
        has_open_paren = TRUE;
      n++;
    }
  /* Sentence punctuation after a URL is not part of it. */
  while (n > scheme_len
         && (strchr (".,;:!?]", p[n - 1]) != NULL || (p[n - 1] == ')' && !has_open_paren)))
    n--;
  return n > scheme_len ? n : 0;
}

static void
append_line (GString    *out,
             const char *line)
{
  const char *p = line;
  gboolean at_start = TRUE;

  while (*p != '\0')
    {
      gsize n = 0;

      if ((*p == 'h' || *p == 'H' || *p == 'm' || *p == 'M') && (n = url_length (line, p)) > 0)
        {
          g_string_append (out, "<a href=\"");
          append_escaped (out, p, n);
          g_string_append (out, "\">");
          append_escaped (out, p, n);
          g_string_append (out, "</a>");
          p += n;
          at_start = FALSE;
          continue;
        }
      if (*p == ' ')
        {
          /* Keep runs of spaces (indentation, ASCII tables): every other
           * one, and one at the start of a line, is non-breaking. */
          if (at_start || p[1] == ' ')
            g_string_append (out, "&nbsp;");
          else
            g_string_append_c (out, ' ');
          at_start = FALSE;
          p++;
          continue;
        }
      if (*p == '\t')
        {
          g_string_append (out, "&nbsp;&nbsp;&nbsp; ");
          p++;
          continue;
        }
      append_escaped (out, p, 1);
      at_start = FALSE;
      p++;
    }
}

char *
lb_mime_text_to_html (const char *text)
{
  g_autofree char *valid = ensure_utf8 (text);
  g_auto(GStrv) lines = g_strsplit (valid, "\n", -1);
  GString *out = g_string_sized_new (strlen (valid) + strlen (valid) / 4 + 16);
  gboolean in_quote = FALSE;
  guint n_lines = g_strv_length (lines);

  /* A trailing newline does not make an extra empty line. */
  if (n_lines > 1 && lines[n_lines - 1][0] == '\0')
    n_lines--;

  for (guint i = 0; i < n_lines; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);
      const char *q = line;
      gboolean quoted;

      if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
      while (*q == ' ')
        q++;
      quoted = (*q == '>');

      if (quoted && !in_quote)
        g_string_append (out, "<div class=\"quote\">");
      else if (!quoted && in_quote)
        g_string_append (out, "</div>");
      in_quote = quoted;

      append_line (out, line);
      g_string_append (out, "<br>\n");
    }
  if (in_quote)
    g_string_append (out, "</div>");
  return g_string_free (out, FALSE);
}
