/* lb-mime-simplify.c: any HTML reduced to the few elements the composer edits
 *
 * The composer quotes formatted mail formatted and reopens formatted drafts.  Whatever
 * the original holds, what reaches the editor is the small vocabulary it can show and
 * write back (see the header), so that nothing a sender wrote can run or load anything,
 * and so that the UI can read it with GMarkup.  libxml2's lenient HTML parser does the
 * parsing, through SAX callbacks with an explicit stack: no recursion and no tree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "lb-mime-simplify.h"

typedef struct {
  GString   *out;
  GPtrArray *closers;   /* per open element: what its end writes (static strings) */
  guint      hidden;    /* depth inside an element whose content is dropped */
  gboolean   keep_cid_images;
  gboolean   space;     /* the last character written was white space */
} Simplifier;

static const char * const hidden_tags[] = {
  "script", "style", "head", "title", "noscript", "template", "iframe", "frame",
  "frameset", "object", "embed", "applet", "svg", "math", "select", "textarea",
  "button", "audio", "video", "canvas", "map",
};

static const char * const block_tags[] = {
  "p", "div", "tr", "center", "pre", "address", "section", "article", "header",
  "footer", "table", "dl", "dt", "dd", "form", "fieldset", "figure", "hr", "main",
  "nav", "aside", "caption",
};

static gboolean
name_in (const char         *name,
         const char * const *list,
         gsize               n)
{
  for (gsize i = 0; i < n; i++)
    if (g_ascii_strcasecmp (name, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static const char *
attribute (const xmlChar **attributes,
           const char     *name)
{
  for (guint i = 0; attributes != NULL && attributes[i] != NULL; i += 2)
    if (g_ascii_strcasecmp ((const char *) attributes[i], name) == 0)
      return attributes[i + 1] != NULL ? (const char *) attributes[i + 1] : "";
  return NULL;
}

static void
append_attribute_value (GString    *out,
                        const char *value)
{
  g_autofree char *escaped = g_markup_escape_text (value, -1);

  g_string_append_c (out, '"');
  g_string_append (out, escaped);
  g_string_append_c (out, '"');
}

/* Only links a reader can follow without running anything. */
static gboolean
is_safe_href (const char *href)
{
  return g_ascii_strncasecmp (href, "http://", 7) == 0
         || g_ascii_strncasecmp (href, "https://", 8) == 0
         || g_ascii_strncasecmp (href, "mailto:", 7) == 0;
}

/* Bold, italic and underline written as CSS, as many mailers do: the elements that say
 * the same, opened in @out, and their closers. */
static const char *
style_markup (const char *style,
              GString    *out)
{
  g_autofree char *flat = g_ascii_strdown (style, -1);
  gboolean bold, italic, underline;
  char *w = flat;

  /* "font-weight : bold" and "font-weight:bold" alike. */
  for (const char *r = flat; *r != '\0'; r++)
    if (!g_ascii_isspace (*r))
      *w++ = *r;
  *w = '\0';
  bold = strstr (flat, "font-weight:bold") != NULL || strstr (flat, "font-weight:700") != NULL
         || strstr (flat, "font-weight:800") != NULL || strstr (flat, "font-weight:900") != NULL;
  italic = strstr (flat, "font-style:italic") != NULL;
  underline = strstr (flat, "text-decoration:underline") != NULL
              || strstr (flat, "text-decoration-line:underline") != NULL;
  if (bold)
    g_string_append (out, "<b>");
  if (italic)
    g_string_append (out, "<i>");
  if (underline)
    g_string_append (out, "<u>");
  if (bold && italic && underline)
    return "</u></i></b>";
  if (bold && italic)
    return "</i></b>";
  if (bold && underline)
    return "</u></b>";
  if (italic && underline)
    return "</u></i>";
  return bold ? "</b>" : italic ? "</i>" : underline ? "</u>" : "";
}

static void
simplify_image (Simplifier     *s,
                const xmlChar **attributes)
{
  const char *src = attribute (attributes, "src");
  const char *alt = attribute (attributes, "alt");

  if (s->keep_cid_images && src != NULL && g_ascii_strncasecmp (src, "cid:", 4) == 0)
    {
      g_string_append (s->out, "<img src=");
      append_attribute_value (s->out, src);
      g_string_append (s->out, "/>");
      s->space = FALSE;
    }
  else if (alt != NULL && *alt != '\0')
    {
      g_autofree char *escaped = g_markup_escape_text (alt, -1);

      g_string_append_printf (s->out, "[%s]", escaped);
      s->space = FALSE;
    }
}

/* Writes the start of one element and returns what its end writes. */
static const char *
simplify_start (Simplifier     *s,
                const char     *name,
                const xmlChar **attributes)
{
  const char *style = attribute (attributes, "style");

  if (g_ascii_strcasecmp (name, "b") == 0 || g_ascii_strcasecmp (name, "strong") == 0)
    return g_string_append (s->out, "<b>"), "</b>";
  if (g_ascii_strcasecmp (name, "i") == 0 || g_ascii_strcasecmp (name, "em") == 0)
    return g_string_append (s->out, "<i>"), "</i>";
  if (g_ascii_strcasecmp (name, "u") == 0 || g_ascii_strcasecmp (name, "ins") == 0)
    return g_string_append (s->out, "<u>"), "</u>";
  if (g_ascii_strcasecmp (name, "a") == 0)
    {
      const char *href = attribute (attributes, "href");

      if (href == NULL || !is_safe_href (href))
        return "";
      g_string_append (s->out, "<a href=");
      append_attribute_value (s->out, href);
      g_string_append_c (s->out, '>');
      return "</a>";
    }
  if (g_ascii_strcasecmp (name, "br") == 0)
    {
      g_string_append (s->out, "<br/>");
      s->space = TRUE;
      return "";
    }
  if (g_ascii_strcasecmp (name, "img") == 0)
    {
      simplify_image (s, attributes);
      return "";
    }
  s->space = TRUE;
  if (g_ascii_strcasecmp (name, "ul") == 0)
    return g_string_append (s->out, "<ul>"), "</ul>";
  if (g_ascii_strcasecmp (name, "ol") == 0)
    return g_string_append (s->out, "<ol>"), "</ol>";
  if (g_ascii_strcasecmp (name, "li") == 0)
    return g_string_append (s->out, "<li>"), "</li>";
  if (g_ascii_strcasecmp (name, "blockquote") == 0)
    return g_string_append (s->out, "<blockquote>"), "</blockquote>";
  if (strlen (name) == 2 && g_ascii_tolower (name[0]) == 'h' && name[1] >= '1' && name[1] <= '6')
    return g_string_append (s->out, "<div><b>"), "</b></div>";
  if (name_in (name, block_tags, G_N_ELEMENTS (block_tags)))
    {
      GString *inner = g_string_new (NULL);
      const char *closer = style != NULL ? style_markup (style, inner) : "";

      g_string_append (s->out, "<div>");
      g_string_append (s->out, inner->str);
      g_string_free (inner, TRUE);
      /* The closers are static strings, one per combination. */
      if (*closer == '\0')
        return "</div>";
      if (g_str_equal (closer, "</b>"))
        return "</b></div>";
      if (g_str_equal (closer, "</i>"))
        return "</i></div>";
      if (g_str_equal (closer, "</u>"))
        return "</u></div>";
      if (g_str_equal (closer, "</i></b>"))
        return "</i></b></div>";
      if (g_str_equal (closer, "</u></b>"))
        return "</u></b></div>";
      if (g_str_equal (closer, "</u></i>"))
        return "</u></i></div>";
      return "</u></i></b></div>";
    }
  s->space = FALSE;
  return style != NULL ? style_markup (style, s->out) : "";
}

static Simplifier *
simplifier_of (void *ctx)
{
  return ((htmlParserCtxtPtr) ctx)->_private;
}

static void
on_start_element (void           *ctx,
                  const xmlChar  *name,
                  const xmlChar **attributes)
{
  Simplifier *s = simplifier_of (ctx);

  if (s->hidden > 0 || name_in ((const char *) name, hidden_tags, G_N_ELEMENTS (hidden_tags)))
    {
      s->hidden++;
      return;
    }
  g_ptr_array_add (s->closers, (gpointer) simplify_start (s, (const char *) name, attributes));
}

static void
on_end_element (void          *ctx,
                const xmlChar *name)
{
  Simplifier *s = simplifier_of (ctx);

  if (s->hidden > 0)
    {
      s->hidden--;
      return;
    }
  if (s->closers->len == 0)
    return;
  g_string_append (s->out, g_ptr_array_steal_index (s->closers, s->closers->len - 1));
}

static void
on_characters (void          *ctx,
               const xmlChar *text,
               int            len)
{
  Simplifier *s = simplifier_of (ctx);
  const char *p = (const char *) text;
  const char *end = p + len;

  if (s->hidden > 0)
    return;
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      const char *next = g_utf8_find_next_char (p, end);

      if (next == NULL)
        next = end;
      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
        {
          if (!s->space)
            g_string_append_c (s->out, ' ');
          s->space = TRUE;
        }
      else if (c == '<')
        g_string_append (s->out, "&lt;"), s->space = FALSE;
      else if (c == '>')
        g_string_append (s->out, "&gt;"), s->space = FALSE;
      else if (c == '&')
        g_string_append (s->out, "&amp;"), s->space = FALSE;
      else if (c >= 0x20 || c == 0x09)
        g_string_append_len (s->out, p, next - p), s->space = FALSE;
      p = next;
    }
}

char *
lb_mime_html_simplify (const char *html,
                       gboolean    keep_cid_images)
{
  g_autofree char *utf8 = g_utf8_make_valid (html != NULL ? html : "", -1);
  Simplifier s = { g_string_new (NULL), g_ptr_array_new (), 0, keep_cid_images, TRUE };
  htmlParserCtxtPtr ctxt;
  htmlSAXHandler sax = { 0 };

  if (*utf8 == '\0')
    goto out;
  sax.startElement = on_start_element;
  sax.endElement = on_end_element;
  sax.characters = on_characters;
  sax.cdataBlock = on_characters;
  sax.ignorableWhitespace = on_characters;
  ctxt = htmlCreateMemoryParserCtxt (utf8, (int) MIN (strlen (utf8), G_MAXINT));
  if (ctxt == NULL)
    goto out;
  *ctxt->sax = sax;
  ctxt->_private = &s;
  htmlCtxtUseOptions (ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR
                            | HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC);
  xmlSwitchEncoding (ctxt, XML_CHAR_ENCODING_UTF8);
  htmlParseDocument (ctxt);
  if (ctxt->myDoc != NULL)
    xmlFreeDoc (ctxt->myDoc);
  htmlFreeParserCtxt (ctxt);
  /* Whatever libxml2 left open is closed, so the fragment stays well-formed. */
  while (s.closers->len > 0)
    g_string_append (s.out, g_ptr_array_steal_index (s.closers, s.closers->len - 1));

out:
  g_ptr_array_unref (s.closers);
  return g_string_free (s.out, FALSE);
}
