/* lb-mime-text.c: plain text and HTML helpers for the list, search and reader
 *
 * All three functions run on whatever a hostile sender puts in a message: none of them
 * recurses.  HTML is parsed by libxml2; the others are single passes over their input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

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

/* libxml2's HTML parser does the parsing (it is lenient as browsers are: an unclosed
 * <head> ends where the body starts, entities are HTML's, and it is fuzzed
 * continuously); the tree is then walked without recursion, so that nesting as deep as
 * a hostile sender likes costs no stack. */

/* What an element does to the text around it.  libxml2 gives element names in lower
 * case. */
typedef enum
{
  TAG_INLINE,
  TAG_HIDDEN,      /* never text the user sees: its content is skipped */
  TAG_PARAGRAPH,   /* a blank line around it */
  TAG_BLOCK,       /* a line break around it */
  TAG_CELL,        /* a space around it */
  TAG_BR,
  TAG_PRE,
} TagClass;

static gpointer
build_tag_classes (gpointer data)
{
  static const char *const hidden[] = { "script", "style", "head", "title", "template",
                                        "noscript", NULL };
  static const char *const paragraphs[] = { "p", "h1", "h2", "h3", "h4", "h5", "h6", "table",
                                            "blockquote", "ul", "ol", "hr", NULL };
  static const char *const blocks[] = { "div", "tr", "li", "dt", "dd", "dl", "section",
                                        "article", "header", "footer", "nav", "aside", "center",
                                        "address", "form", "fieldset", "figure", "main",
                                        "caption", "tbody", "thead", "tfoot", NULL };
  GHashTable *classes = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; hidden[i] != NULL; i++)
    g_hash_table_insert (classes, (gpointer) hidden[i], GINT_TO_POINTER (TAG_HIDDEN));
  for (guint i = 0; paragraphs[i] != NULL; i++)
    g_hash_table_insert (classes, (gpointer) paragraphs[i], GINT_TO_POINTER (TAG_PARAGRAPH));
  for (guint i = 0; blocks[i] != NULL; i++)
    g_hash_table_insert (classes, (gpointer) blocks[i], GINT_TO_POINTER (TAG_BLOCK));
  g_hash_table_insert (classes, (gpointer) "td", GINT_TO_POINTER (TAG_CELL));
  g_hash_table_insert (classes, (gpointer) "th", GINT_TO_POINTER (TAG_CELL));
  g_hash_table_insert (classes, (gpointer) "br", GINT_TO_POINTER (TAG_BR));
  g_hash_table_insert (classes, (gpointer) "pre", GINT_TO_POINTER (TAG_PRE));
  return classes;
}

static TagClass
tag_class (const xmlChar *name)
{
  static GOnce once = G_ONCE_INIT;
  /* Built once and only read afterwards, so any thread may look up. */
  GHashTable *classes = g_once (&once, build_tag_classes, NULL);

  return (TagClass) GPOINTER_TO_INT (g_hash_table_lookup (classes, name));
}

typedef struct
{
  GString *out;
  guint newlines;   /* line breaks owed before the next character */
  gboolean space;   /* a space owed before the next character */
  guint pre;        /* depth of <pre> elements */
  guint hidden;     /* depth inside an element whose content is skipped */
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
  if (c < 0x80)
    g_string_append_c (sink->out, (char) c);
  else
    g_string_append_unichar (sink->out, c);
}

static void
sink_newline (TextSink *sink,
              guint     n)
{
  sink->newlines = MAX (sink->newlines, n);
  sink->space = FALSE;
}

static void
sink_text (TextSink   *sink,
           const char *text,
           gsize       len)
{
  const char *end = text + len;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = (guchar) *p < 0x80 ? (gunichar) *p : g_utf8_get_char (p);

      if (sink->pre > 0 && c == '\n')
        sink->newlines = MIN (sink->newlines + 1, 2);
      else if (is_space (c))
        sink->space = TRUE;
      else if (c < 0x20 || c == 0x7f)
        ;   /* control characters */
      else
        sink_char (sink, c);
    }
}

/* What an element's start or end tag does to the text around it. */
static void
sink_tag (TextSink *sink,
          TagClass  tag,
          gboolean  closing)
{
  switch (tag)
    {
    case TAG_BR:
      /* <br><br> is a blank line, unlike two closing </div>s.  A <br> has no end. */
      if (closing)
        return;
      if (sink->newlines == 0 && sink->out->len > 0)
        sink->newlines = 1;
      else
        sink->newlines = MIN (sink->newlines + 1, 2);
      sink->space = FALSE;
      break;
    case TAG_PRE:
      sink_newline (sink, 2);
      sink->pre = closing ? (sink->pre > 0 ? sink->pre - 1 : 0) : sink->pre + 1;
      break;
    case TAG_PARAGRAPH:
      sink_newline (sink, 2);
      break;
    case TAG_BLOCK:
      sink_newline (sink, 1);
      break;
    case TAG_CELL:
      sink->space = TRUE;
      break;
    case TAG_INLINE:
    case TAG_HIDDEN:
    default:
      break;
    }
}

/* A named reference without its ';' ("&amp" at the end, "&nbsp" before a space), which
 * browsers decode and libxml2 leaves as text: the length of its name, or 0. */
static gsize
unterminated_entity (const char *p)
{
  char name[12];
  gsize n = 0;

  while (g_ascii_isalnum (p[n]) && n < sizeof name - 1)
    {
      name[n] = p[n];
      n++;
    }
  name[n] = '\0';
  if (n == 0 || p[n] == ';' || g_ascii_isalnum (p[n]))
    return 0;
  return htmlEntityLookup ((const xmlChar *) name) != NULL ? n : 0;
}

/* Rewrites what libxml2 reads differently from a browser.  libxml2 drops numeric
 * references it cannot use ("&#;", "&#0;", "&#xD800;"), where a browser shows "&#;" as
 * it is and U+FFFD for the others, and keeps named ones without their ';' as text.  They
 * are rewritten the browser's way before parsing; a valid reference stays a reference
 * (decoding it here could turn "&#60;" into markup). */
static char *
fix_references (const char *text)
{
  GString *out;
  const char *p = text;

  out = g_string_sized_new (strlen (text) + 16);
  while (*p != '\0')
    {
      gsize plain = strcspn (p, "&<");
      const char *q;
      gboolean hex;
      guint64 value = 0;
      int digits = 0;
      gsize name_len;

      if (plain > 0)
        {
          g_string_append_len (out, p, plain);
          p += plain;
          continue;
        }
      if (p[0] == '&' && (name_len = unterminated_entity (p + 1)) > 0)
        {
          g_string_append_len (out, p, name_len + 1);
          g_string_append_c (out, ';');
          p += name_len + 1;
          continue;
        }
      /* As in a browser, "<" not followed by a letter, "/", "!" or "?" is text ("1 < 2",
       * a lone "<"), which libxml2 would drop. */
      if (p[0] == '<' && !g_ascii_isalpha (p[1]) && p[1] != '/' && p[1] != '!' && p[1] != '?')
        {
          g_string_append (out, "&lt;");
          p++;
          continue;
        }
      if (p[0] != '&' || p[1] != '#')
        {
          g_string_append_c (out, *p++);
          continue;
        }
      hex = p[2] == 'x' || p[2] == 'X';
      q = p + (hex ? 3 : 2);
      for (; hex ? g_ascii_isxdigit (*q) : g_ascii_isdigit (*q); q++, digits++)
        if (value <= 0x10ffff)
          value = value * (hex ? 16 : 10) + (guint64) (hex ? g_ascii_xdigit_value (*q) : *q - '0');
      if (digits == 0)
        g_string_append (out, "&amp;#");   /* not a reference: literal text */
      else if (value == 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
        g_string_append (out, "&#xFFFD;");
      else
        {
          g_string_append_len (out, p, q - p);
          if (*q != ';')
            g_string_append_c (out, ';');
        }
      if (digits > 0 && *q == ';')
        q++;
      p = digits == 0 ? p + 2 : q;
    }
  return g_string_free (out, FALSE);
}

/* The parser's SAX callbacks: the text is written as the parser goes, with no tree.
 * libxml2 reports every element it opens, implied ones too (the <body> that ends an
 * unclosed <head>), with a matching end. */
static TextSink *
sink_of (void *ctx)
{
  return ((htmlParserCtxtPtr) ctx)->_private;
}

static void
on_start_element (void           *ctx,
                  const xmlChar  *name,
                  const xmlChar **attributes)
{
  TextSink *sink = sink_of (ctx);
  TagClass tag = tag_class (name);

  if (sink->hidden > 0 || tag == TAG_HIDDEN)
    sink->hidden++;
  else
    sink_tag (sink, tag, FALSE);
}

static void
on_end_element (void          *ctx,
                const xmlChar *name)
{
  TextSink *sink = sink_of (ctx);

  if (sink->hidden > 0)
    sink->hidden--;
  else
    sink_tag (sink, tag_class (name), TRUE);
}

static void
on_characters (void          *ctx,
               const xmlChar *text,
               int            len)
{
  TextSink *sink = sink_of (ctx);

  if (sink->hidden == 0 && len > 0)
    sink_text (sink, (const char *) text, (gsize) len);
}

char *
lb_mime_html_to_text (const char *html)
{
  g_autofree char *utf8 = ensure_utf8 (html);
  g_autofree char *text = fix_references (utf8);
  TextSink sink = { g_string_sized_new (strlen (text) / 2), 0, FALSE, 0, 0 };
  htmlParserCtxtPtr ctxt;
  htmlSAXHandler sax = { 0 };

  if (*text == '\0')
    return g_string_free (sink.out, FALSE);
  sax.startElement = on_start_element;
  sax.endElement = on_end_element;
  sax.characters = on_characters;
  sax.cdataBlock = on_characters;
  sax.ignorableWhitespace = on_characters;
  ctxt = htmlCreateMemoryParserCtxt (text, (int) MIN (strlen (text), G_MAXINT));
  if (ctxt == NULL)
    return g_string_free (sink.out, FALSE);
  *ctxt->sax = sax;
  ctxt->_private = &sink;
  /* UTF-8 whatever a <meta> says (the caller converted it), never the network, no
   * messages on stderr.  NOIMPLIED is not used: the implied <body> is what closes an
   * unclosed <head>. */
  htmlCtxtUseOptions (ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR
                            | HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC);
  xmlSwitchEncoding (ctxt, XML_CHAR_ENCODING_UTF8);
  htmlParseDocument (ctxt);
  if (ctxt->myDoc != NULL)
    xmlFreeDoc (ctxt->myDoc);
  htmlFreeParserCtxt (ctxt);
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

/* How many quote marks start @line ("> > x" and ">> x" are both 2); *rest is set to
 * the text after them and one space. */
static guint
quote_depth (const char  *line,
             const char **rest)
{
  const char *p = line;
  const char *after = line;
  guint depth = 0;

  for (;;)
    {
      while (*p == ' ')
        p++;
      if (*p != '>')
        break;
      depth++;
      after = ++p;
    }
  if (depth > 0 && *after == ' ')
    after++;
  *rest = depth > 0 ? after : line;
  return depth;
}

char *
lb_mime_text_to_html (const char *text)
{
  g_autofree char *valid = ensure_utf8 (text);
  g_auto(GStrv) lines = g_strsplit (valid, "\n", -1);
  GString *out = g_string_sized_new (strlen (valid) + strlen (valid) / 4 + 16);
  guint open = 0;
  guint n_lines = g_strv_length (lines);

  /* A trailing newline does not make an extra empty line. */
  if (n_lines > 1 && lines[n_lines - 1][0] == '\0')
    n_lines--;

  for (guint i = 0; i < n_lines; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);
      const char *rest;
      guint depth;

      if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
      /* The quote bar (one per level, nested divs) stands for the marks: they are not
       * shown as well. */
      depth = quote_depth (line, &rest);
      for (; open < depth; open++)
        g_string_append (out, "<div class=\"quote\">");
      for (; open > depth; open--)
        g_string_append (out, "</div>");

      append_line (out, rest);
      g_string_append (out, "<br>\n");
    }
  for (; open > 0; open--)
    g_string_append (out, "</div>");
  return g_string_free (out, FALSE);
}
