/* lb-rich-editor.c: the composer's body: a text view with formatting
 *
 * Why a GtkTextView with tags rather than an editable WebKit view: the text view is GTK's
 * own, so input methods (IBus, Fcitx: preedit, candidate window) go through the
 * GtkIMContext exactly as in every other GTK text field; there is no web process (about
 * 140 MB) per composer and no JavaScript anywhere; and the HTML that goes out is written
 * here, from a handful of tags, so it is always the same simple, inline-styled markup
 * (div, b, i, u, a, ul/ol/li, blockquote, img) that every mail client renders alike,
 * with a text/plain part written from the same walk.  WebKit's editing writes whatever
 * its commands produce (spans with styles, nested divs) and needs a sanitiser after it.
 *
 * The model: inline tags (bold, italic, underline, one tag per link carrying its URL)
 * and paragraph tags (quote; list items), where a list item's line starts with a marker
 * ("• " or "1. ") that is real text under a marker tag, so that the cursor, selection
 * and input methods need nothing special.  Images are paintables in the buffer, each
 * carrying the bytes and Content-ID it is sent with.  Formatted drafts and quoted
 * formatted mail are read back through lb_draft_simplify_html() and GMarkup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "lb-draft.h"
#include "lb-rich-editor.h"
#include "lb-ui-types.h"

/* Images wider than this are shown (and sent, with a width attribute) at this width;
 * the part keeps the full image. */
#define MAX_IMAGE_WIDTH 480

struct _LbRichEditor
{
  GtkWidget      parent_instance;

  GtkWidget     *toolbar;
  GtkWidget     *format_buttons;
  GtkWidget     *formatted_button;
  GtkPopover    *link_popover;
  GtkEntry      *link_entry;
  GtkTextView   *view;
  GtkTextBuffer *buffer;

  GtkTextTag    *bold_tag;
  GtkTextTag    *italic_tag;
  GtkTextTag    *underline_tag;
  GtkTextTag    *quote_tag;
  GtkTextTag    *list_tag;
  GtkTextTag    *quoted_list_tag; /* a list item in a quote: indented past the quote */
  int            quote_pending_line; /* an empty line that Return left in a quote (it has
                                      * no character to carry the tag yet), or -1 */
  GtkTextTag    *bullet_tag;
  GtkTextTag    *number_tag;

  gboolean       formatted;
  gboolean       bold;           /* what typing writes: the state at the cursor, or toggled */
  gboolean       italic;
  gboolean       underline;
  guint          busy;           /* the editor's own changes: no typing state applied */
  guint          renumber_id;
};

enum {
  PROP_0,
  PROP_FORMATTED,
  PROP_BOLD,
  PROP_ITALIC,
  PROP_UNDERLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LbRichEditor, lb_rich_editor, GTK_TYPE_WIDGET)

/* ---- Lines ------------------------------------------------------------------------ */

static void
line_bounds (LbRichEditor *self,
             int           line,
             GtkTextIter  *start,
             GtkTextIter  *end)
{
  gtk_text_buffer_get_iter_at_line (self->buffer, start, line);
  *end = *start;
  if (!gtk_text_iter_ends_line (end))
    gtk_text_iter_forward_to_line_end (end);
}

/* The marker tag a line starts with (a list item), or NULL. */
static GtkTextTag *
line_marker (LbRichEditor *self,
             int           line)
{
  GtkTextIter start, end;

  line_bounds (self, line, &start, &end);
  if (gtk_text_iter_has_tag (&start, self->bullet_tag))
    return self->bullet_tag;
  if (gtk_text_iter_has_tag (&start, self->number_tag))
    return self->number_tag;
  return NULL;
}

/* Where the line's text starts: after its marker, if it has one. */
static void
line_content_start (LbRichEditor *self,
                    int           line,
                    GtkTextIter  *iter)
{
  GtkTextTag *marker = line_marker (self, line);

  gtk_text_buffer_get_iter_at_line (self->buffer, iter, line);
  if (marker != NULL)
    gtk_text_iter_forward_to_tag_toggle (iter, marker);
}

static gboolean
line_is_quoted (LbRichEditor *self,
                int           line)
{
  GtkTextIter start, end;

  line_bounds (self, line, &start, &end);
  return gtk_text_iter_has_tag (&start, self->quote_tag);
}

/* The line range the selection (or the cursor) covers. */
static void
selected_lines (LbRichEditor *self,
                int          *first,
                int          *last)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_selection_bounds (self->buffer, &start, &end);
  if (gtk_text_iter_compare (&start, &end) != 0 && gtk_text_iter_starts_line (&end)
      && gtk_text_iter_get_line (&end) > gtk_text_iter_get_line (&start))
    gtk_text_iter_backward_char (&end);
  *first = gtk_text_iter_get_line (&start);
  *last = gtk_text_iter_get_line (&end);
}

/* Applies @tag to the whole of @line, its line end included, so that the paragraph
 * properties hold however the line is edited. */
static void
tag_line (LbRichEditor *self,
          GtkTextTag   *tag,
          int           line,
          gboolean      apply)
{
  GtkTextIter start, end;

  line_bounds (self, line, &start, &end);
  gtk_text_iter_forward_line (&end);
  if (apply)
    gtk_text_buffer_apply_tag (self->buffer, tag, &start, &end);
  else
    gtk_text_buffer_remove_tag (self->buffer, tag, &start, &end);
}

/* ---- Lists ------------------------------------------------------------------------ */

static void
remove_marker (LbRichEditor *self,
               int           line)
{
  GtkTextIter start, end;

  if (line_marker (self, line) == NULL)
    return;
  gtk_text_buffer_get_iter_at_line (self->buffer, &start, line);
  line_content_start (self, line, &end);
  gtk_text_buffer_delete (self->buffer, &start, &end);
  tag_line (self, self->list_tag, line, FALSE);
}

static void
insert_marker (LbRichEditor *self,
               int           line,
               GtkTextTag   *marker,
               int           number)
{
  GtkTextIter start;
  g_autofree char *text = marker == self->bullet_tag ? g_strdup ("• ")
                                                     : g_strdup_printf ("%d. ", number);
  gboolean quoted = line_is_quoted (self, line);

  gtk_text_buffer_get_iter_at_line (self->buffer, &start, line);
  gtk_text_buffer_insert_with_tags (self->buffer, &start, text, -1, marker, NULL);
  tag_line (self, self->list_tag, line, TRUE);
  if (quoted)
    tag_line (self, self->quote_tag, line, TRUE);
}

/* Numbered items count from 1 in each run of consecutive numbered lines; list items in
 * a quote are indented past it. */
static gboolean
renumber (gpointer data)
{
  LbRichEditor *self = data;
  int lines = gtk_text_buffer_get_line_count (self->buffer);
  int n = 0;

  self->renumber_id = 0;
  self->busy++;
  for (int line = 0; line < lines; line++)
    {
      GtkTextIter start, end;
      g_autofree char *have = NULL;
      g_autofree char *want = NULL;
      GtkTextTag *marker = line_marker (self, line);

      tag_line (self, self->quoted_list_tag, line, marker != NULL && line_is_quoted (self, line));
      if (marker != self->number_tag)
        {
          n = 0;
          continue;
        }
      want = g_strdup_printf ("%d. ", ++n);
      gtk_text_buffer_get_iter_at_line (self->buffer, &start, line);
      line_content_start (self, line, &end);
      have = gtk_text_buffer_get_text (self->buffer, &start, &end, TRUE);
      if (g_str_equal (have, want))
        continue;
      gtk_text_buffer_delete (self->buffer, &start, &end);
      gtk_text_buffer_insert_with_tags (self->buffer, &start, want, -1, self->number_tag, NULL);
    }
  self->busy--;
  return G_SOURCE_REMOVE;
}

static void
queue_renumber (LbRichEditor *self)
{
  if (self->renumber_id == 0)
    self->renumber_id = g_idle_add (renumber, self);
}

static void
toggle_list (LbRichEditor *self,
             GtkTextTag   *marker)
{
  int first, last;
  gboolean all = TRUE;

  selected_lines (self, &first, &last);
  for (int line = first; line <= last; line++)
    if (line_marker (self, line) != marker)
      all = FALSE;
  self->busy++;
  for (int line = first; line <= last; line++)
    {
      remove_marker (self, line);
      if (!all)
        insert_marker (self, line, marker, line - first + 1);
    }
  self->busy--;
  queue_renumber (self);
}

static void
toggle_quote (LbRichEditor *self)
{
  int first, last;
  gboolean all = TRUE;

  selected_lines (self, &first, &last);
  for (int line = first; line <= last; line++)
    if (!line_is_quoted (self, line))
      all = FALSE;
  for (int line = first; line <= last; line++)
    tag_line (self, self->quote_tag, line, !all);
  queue_renumber (self);
}

/* ---- Typing ----------------------------------------------------------------------- */

static void
apply_typing_state (LbRichEditor *self,
                    GtkTextIter  *start,
                    GtkTextIter  *end)
{
  GtkTextTag *tags[] = { self->bold_tag, self->italic_tag, self->underline_tag };
  gboolean on[] = { self->bold, self->italic, self->underline };

  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    if (on[i])
      gtk_text_buffer_apply_tag (self->buffer, tags[i], start, end);
}

/* Return at the end of a list item starts the next item; Return on an empty item ends
 * the list, as in every word processor. */
static void
continue_list (LbRichEditor *self,
               int           line)
{
  GtkTextTag *marker = line_marker (self, line);
  GtkTextIter content, end;

  if (marker == NULL)
    return;
  line_content_start (self, line, &content);
  line_bounds (self, line, &end, &end);
  self->busy++;
  if (gtk_text_iter_equal (&content, &end))
    {
      GtkTextIter next;

      remove_marker (self, line);
      /* The Return itself goes too: the empty item becomes an ordinary line. */
      line_bounds (self, line, &end, &next);
      gtk_text_iter_forward_char (&next);
      gtk_text_buffer_delete (self->buffer, &end, &next);
      tag_line (self, self->list_tag, line, FALSE);
    }
  else
    insert_marker (self, line + 1, marker, 1);
  self->busy--;
  queue_renumber (self);
}

/* Return in a quote continues it on the new line; Return on an empty quoted line ends the
 * quote, as an empty list item ends the list: the line stays, unquoted, without the
 * Return.  (A list item in a quote is continue_list()'s.) */
static void
continue_quote (LbRichEditor *self,
                int           line)
{
  GtkTextIter start, end;

  if (!line_is_quoted (self, line))
    return;
  self->busy++;
  if (line_marker (self, line) != NULL)
    tag_line (self, self->quote_tag, line + 1, TRUE);
  else
    {
      line_bounds (self, line, &start, &end);
      if (gtk_text_iter_equal (&start, &end))
        {
          GtkTextIter next = end;

          gtk_text_iter_forward_char (&next);
          gtk_text_buffer_delete (self->buffer, &end, &next);
          tag_line (self, self->quote_tag, line, FALSE);
        }
      else
        {
          tag_line (self, self->quote_tag, line + 1, TRUE);
          self->quote_pending_line = line + 1;
        }
    }
  self->busy--;
}

static void
after_insert_text (GtkTextBuffer *buffer,
                   GtkTextIter   *location,
                   const char    *text,
                   int            len,
                   LbRichEditor  *self)
{
  GtkTextIter start = *location;
  GtkTextIter line_start;
  int line;
  int pending = self->quote_pending_line;

  if (self->busy > 0 || !self->formatted)
    return;
  self->quote_pending_line = -1;
  gtk_text_iter_backward_chars (&start, (int) g_utf8_strlen (text, len));
  line = gtk_text_iter_get_line (&start);
  apply_typing_state (self, &start, location);
  /* Tags are not inherited: typed text takes its line's paragraph formatting. */
  gtk_text_buffer_get_iter_at_line (buffer, &line_start, line);
  if (gtk_text_iter_has_tag (&line_start, self->quote_tag) || line == pending)
    gtk_text_buffer_apply_tag (buffer, self->quote_tag, &start, location);
  if (line_marker (self, line) != NULL)
    gtk_text_buffer_apply_tag (buffer, self->list_tag, &start, location);
  if (len == 1 && text[0] == '\n')
    {
      int offset = gtk_text_iter_get_offset (location);
      gboolean was_quoted = line_is_quoted (self, line);
      gboolean empty_item = FALSE;

      if (line_marker (self, line) != NULL)
        {
          GtkTextIter content, end;

          line_content_start (self, line, &content);
          line_bounds (self, line, &end, &end);
          empty_item = gtk_text_iter_equal (&content, &end);
        }
      continue_list (self, line);
      /* An empty list item in a quote ends the list, not the quote. */
      if (was_quoted && !empty_item)
        {
          int before = gtk_text_buffer_get_char_count (buffer);

          continue_quote (self, line);
          offset -= before - gtk_text_buffer_get_char_count (buffer);
        }
      /* The handlers after this one expect @location to stay valid: it is where the
       * Return ended, moved past a new marker if one was inserted there. */
      gtk_text_buffer_get_iter_at_offset (buffer, location, offset);
      if (line_marker (self, gtk_text_iter_get_line (location)) != NULL)
        line_content_start (self, gtk_text_iter_get_line (location), location);
    }
}

/* A line whose marker was deleted is no longer a list item. */
static void
after_delete_range (GtkTextBuffer *buffer,
                    GtkTextIter   *start,
                    GtkTextIter   *end,
                    LbRichEditor  *self)
{
  int line = gtk_text_iter_get_line (start);
  GtkTextIter line_start, line_end;

  if (self->busy > 0)
    return;
  line_bounds (self, line, &line_start, &line_end);
  if (line_marker (self, line) == NULL && gtk_text_iter_has_tag (&line_start, self->list_tag))
    gtk_text_buffer_remove_tag (buffer, self->list_tag, &line_start, &line_end);
  queue_renumber (self);
}

/* The buttons show the formatting where the cursor is. */
static void
on_mark_set (GtkTextBuffer *buffer,
             GtkTextIter   *location,
             GtkTextMark   *mark,
             LbRichEditor  *self)
{
  GtkTextIter at = *location;
  gboolean bold, italic, underline;

  if (mark != gtk_text_buffer_get_insert (buffer) || self->busy > 0)
    return;
  if (!gtk_text_iter_starts_line (&at))
    gtk_text_iter_backward_char (&at);
  bold = gtk_text_iter_has_tag (&at, self->bold_tag);
  italic = gtk_text_iter_has_tag (&at, self->italic_tag);
  underline = gtk_text_iter_has_tag (&at, self->underline_tag);
  if (bold != self->bold)
    {
      self->bold = bold;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOLD]);
    }
  if (italic != self->italic)
    {
      self->italic = italic;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITALIC]);
    }
  if (underline != self->underline)
    {
      self->underline = underline;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNDERLINE]);
    }
}

/* Toggling bold, italic or underline: the selection changes, and what is typed next. */
static void
set_inline (LbRichEditor *self,
            gboolean     *field,
            GtkTextTag   *tag,
            gboolean      on,
            GParamSpec   *pspec)
{
  GtkTextIter start, end;

  if (gtk_text_buffer_get_selection_bounds (self->buffer, &start, &end))
    {
      if (on)
        gtk_text_buffer_apply_tag (self->buffer, tag, &start, &end);
      else
        gtk_text_buffer_remove_tag (self->buffer, tag, &start, &end);
    }
  if (*field != on)
    {
      *field = on;
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
    }
}

/* ---- Links and images ------------------------------------------------------------- */

static const char *
tag_href (GtkTextTag *tag)
{
  return g_object_get_data (G_OBJECT (tag), "lb-href");
}

/* The links the editor writes: ones a reader can follow without running anything (no
 * javascript: or data: URL ever goes out, whatever is typed). */
static gboolean
is_safe_href (const char *href)
{
  return g_ascii_strncasecmp (href, "http://", 7) == 0
         || g_ascii_strncasecmp (href, "https://", 8) == 0
         || g_ascii_strncasecmp (href, "mailto:", 7) == 0;
}

static const char *
href_at (const GtkTextIter *iter)
{
  g_autoptr(GSList) tags = gtk_text_iter_get_tags (iter);

  for (GSList *l = tags; l != NULL; l = l->next)
    if (tag_href (l->data) != NULL)
      return tag_href (l->data);
  return NULL;
}

static GtkTextTag *
new_link_tag (LbRichEditor *self,
              const char   *url)
{
  GtkTextTag *tag = gtk_text_buffer_create_tag (self->buffer, NULL,
                                                "foreground", "#3584e4",
                                                "underline", PANGO_UNDERLINE_SINGLE,
                                                NULL);

  g_object_set_data_full (G_OBJECT (tag), "lb-href", g_strdup (url), g_free);
  return tag;
}

static void
remove_links (LbRichEditor *self,
              GtkTextIter  *start,
              GtkTextIter  *end)
{
  GtkTextIter i = *start;

  while (gtk_text_iter_compare (&i, end) < 0)
    {
      g_autoptr(GSList) tags = gtk_text_iter_get_tags (&i);

      for (GSList *l = tags; l != NULL; l = l->next)
        if (tag_href (l->data) != NULL)
          gtk_text_buffer_remove_tag (self->buffer, l->data, start, end);
      if (!gtk_text_iter_forward_to_tag_toggle (&i, NULL))
        break;
    }
}

void
lb_rich_editor_set_link (LbRichEditor *self,
                         const char   *url)
{
  GtkTextIter start, end;
  GtkTextTag *tag;

  g_return_if_fail (LB_IS_RICH_EDITOR (self));
  g_return_if_fail (url != NULL);

  /* An empty address takes the link off the selection. */
  if (*url == '\0')
    {
      if (gtk_text_buffer_get_selection_bounds (self->buffer, &start, &end))
        remove_links (self, &start, &end);
      return;
    }
  if (!is_safe_href (url))
    return;
  tag = new_link_tag (self, url);
  if (gtk_text_buffer_get_selection_bounds (self->buffer, &start, &end))
    {
      remove_links (self, &start, &end);
      gtk_text_buffer_apply_tag (self->buffer, tag, &start, &end);
      return;
    }
  self->busy++;
  gtk_text_buffer_insert_with_tags (self->buffer, &start, url, -1, tag, NULL);
  self->busy--;
}

static char *
new_content_id (void)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("%s@letterbox", uuid);
}

/* What the buffer shows: the image itself, or a smaller copy when it is wide. */
static GdkTexture *
display_texture (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) scaled = NULL;
  guchar *pixels;
  g_autoptr(GBytes) bytes = NULL;

  if (width <= MAX_IMAGE_WIDTH)
    return g_object_ref (texture);
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  bytes = g_bytes_new_take (pixels, (gsize) width * height * 4);
  /* gdk_texture_download writes premultiplied BGRA on little-endian machines (Cairo's
   * ARGB32); the scaled copy is only for the screen, so the channel order is put right
   * and the premultiplication left (it only darkens translucent edges slightly). */
  for (gsize k = 0; k < (gsize) width * height * 4; k += 4)
    {
      guchar t = pixels[k];
      pixels[k] = pixels[k + 2];
      pixels[k + 2] = t;
    }
  pixbuf = gdk_pixbuf_new_from_bytes (bytes, GDK_COLORSPACE_RGB, TRUE, 8, width, height, width * 4);
  scaled = gdk_pixbuf_scale_simple (pixbuf, MAX_IMAGE_WIDTH,
                                    MAX (1, (int) ((gint64) height * MAX_IMAGE_WIDTH / width)),
                                    GDK_INTERP_BILINEAR);
  return gdk_texture_new_for_pixbuf (scaled);
}

/* Inserts an image that is sent as @bytes (@mime_type) under @content_id. */
static void
insert_image (LbRichEditor *self,
              GtkTextIter  *where,
              GdkTexture   *texture,
              GBytes       *bytes,
              const char   *mime_type,
              const char   *content_id)
{
  g_autoptr(GdkTexture) shown = display_texture (texture);

  g_object_set_data_full (G_OBJECT (shown), "lb-bytes", g_bytes_ref (bytes),
                          (GDestroyNotify) g_bytes_unref);
  g_object_set_data_full (G_OBJECT (shown), "lb-mime-type", g_strdup (mime_type), g_free);
  g_object_set_data_full (G_OBJECT (shown), "lb-content-id", g_strdup (content_id), g_free);
  gtk_text_buffer_insert_paintable (self->buffer, where, GDK_PAINTABLE (shown));
}

void
lb_rich_editor_insert_texture (LbRichEditor *self,
                               GdkTexture   *texture)
{
  g_autoptr(GBytes) png = NULL;
  g_autofree char *cid = new_content_id ();
  GtkTextIter where;

  g_return_if_fail (LB_IS_RICH_EDITOR (self));
  g_return_if_fail (GDK_IS_TEXTURE (texture));

  png = gdk_texture_save_to_png_bytes (texture);
  gtk_text_buffer_get_iter_at_mark (self->buffer, &where, gtk_text_buffer_get_insert (self->buffer));
  insert_image (self, &where, texture, png, "image/png", cid);
}

static void
texture_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LbRichEditor) self = user_data;
  g_autoptr(GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source),
                                                                     result, NULL);

  if (texture != NULL)
    lb_rich_editor_insert_texture (self, texture);
}

/* Pasting an image (a screenshot, an image copied in a browser) inserts it; text is
 * left to the text view. */
static void
on_paste (GtkTextView  *view,
          LbRichEditor *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (view));
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (!self->formatted || !gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE)
      || gdk_content_formats_contain_gtype (formats, G_TYPE_STRING))
    return;
  g_signal_stop_emission_by_name (view, "paste-clipboard");
  gdk_clipboard_read_texture_async (clipboard, NULL, texture_read, g_object_ref (self));
}

static gboolean
on_drop_texture (GtkDropTarget *target,
                 const GValue  *value,
                 double         x,
                 double         y,
                 LbRichEditor  *self)
{
  int bx, by;
  GtkTextIter where;

  if (!self->formatted || !G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE))
    return FALSE;
  gtk_text_view_window_to_buffer_coords (self->view, GTK_TEXT_WINDOW_WIDGET, (int) x, (int) y,
                                         &bx, &by);
  gtk_text_view_get_iter_at_location (self->view, &where, bx, by);
  gtk_text_buffer_place_cursor (self->buffer, &where);
  lb_rich_editor_insert_texture (self, g_value_get_object (value));
  return TRUE;
}

/* ---- Writing it out --------------------------------------------------------------- */

typedef struct {
  GString    *out;
  const char *href;      /* the open link, or NULL */
  gboolean    b, i, u;   /* open, nested as a > b > i > u */
} Inline;

static void
close_inline (Inline  *st,
              gboolean keep_link)
{
  if (st->u)
    g_string_append (st->out, "</u>");
  if (st->i)
    g_string_append (st->out, "</i>");
  if (st->b)
    g_string_append (st->out, "</b>");
  st->b = st->i = st->u = FALSE;
  if (!keep_link && st->href != NULL)
    {
      g_string_append (st->out, "</a>");
      st->href = NULL;
    }
}

/* Brings the open elements to what @iter has: closing as little as the nesting allows. */
static void
open_inline (LbRichEditor      *self,
             Inline            *st,
             const GtkTextIter *iter)
{
  const char *href = href_at (iter);
  gboolean b = gtk_text_iter_has_tag (iter, self->bold_tag);
  gboolean i = gtk_text_iter_has_tag (iter, self->italic_tag);
  gboolean u = gtk_text_iter_has_tag (iter, self->underline_tag);

  if (g_strcmp0 (href, st->href) != 0)
    close_inline (st, FALSE);
  else if ((st->b && !b) || (st->i && !i) || (st->u && !u) || (b && !st->b && (st->i || st->u))
           || (i && !st->i && st->u))
    close_inline (st, TRUE);
  if (href != NULL && st->href == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (href, -1);

      g_string_append_printf (st->out, "<a href=\"%s\">", escaped);
      st->href = href;
    }
  if (b && !st->b)
    g_string_append (st->out, "<b>");
  if (i && !st->i)
    g_string_append (st->out, "<i>");
  if (u && !st->u)
    g_string_append (st->out, "<u>");
  st->b = b;
  st->i = i;
  st->u = u;
}

static void
append_image_html (GString    *out,
                   GdkPaintable *paintable,
                   GPtrArray  *inline_images)
{
  const char *cid = g_object_get_data (G_OBJECT (paintable), "lb-content-id");
  const char *mime_type = g_object_get_data (G_OBJECT (paintable), "lb-mime-type");
  GBytes *bytes = g_object_get_data (G_OBJECT (paintable), "lb-bytes");
  g_autofree char *escaped = NULL;
  const char *slash;
  g_autofree char *name = NULL;

  if (cid == NULL || bytes == NULL)
    return;
  escaped = g_markup_escape_text (cid, -1);
  g_string_append_printf (out, "<img src=\"cid:%s\" width=\"%d\" alt=\"\" "
                          "style=\"max-width:100%%;height:auto\">",
                          escaped, gdk_paintable_get_intrinsic_width (paintable));
  if (inline_images == NULL)
    return;
  for (guint k = 0; k < inline_images->len; k++)
    if (g_strcmp0 (lb_attachment_get_content_id (g_ptr_array_index (inline_images, k)), cid) == 0)
      return;
  slash = strchr (mime_type, '/');
  name = g_strdup_printf ("image-%u.%s", inline_images->len + 1, slash != NULL ? slash + 1 : "png");
  g_ptr_array_add (inline_images, lb_attachment_new_inline (name, mime_type, cid, bytes));
}

/* The line's text after its marker, as HTML. */
static void
append_line_html (LbRichEditor *self,
                  int           line,
                  GString      *out,
                  GPtrArray    *inline_images)
{
  GtkTextIter i, end;
  Inline st = { out, NULL, FALSE, FALSE, FALSE };
  gsize before = out->len;

  line_content_start (self, line, &i);
  line_bounds (self, line, &end, &end);
  while (gtk_text_iter_compare (&i, &end) < 0)
    {
      gunichar c = gtk_text_iter_get_char (&i);
      GdkPaintable *paintable = c == 0xFFFC ? gtk_text_iter_get_paintable (&i) : NULL;

      /* The formatting only changes where a tag starts or ends. */
      if (out->len == before || gtk_text_iter_toggles_tag (&i, NULL))
        open_inline (self, &st, &i);
      if (paintable != NULL)
        append_image_html (out, paintable, inline_images);
      else if (c == '<')
        g_string_append (out, "&lt;");
      else if (c == '>')
        g_string_append (out, "&gt;");
      else if (c == '&')
        g_string_append (out, "&amp;");
      else if (c == ' ' && (gtk_text_iter_starts_line (&i) || out->str[out->len - 1] == ' '))
        g_string_append (out, "&nbsp;");   /* runs of spaces stay as typed */
      else if (c != 0xFFFC)
        g_string_append_unichar (out, c);
      gtk_text_iter_forward_char (&i);
    }
  close_inline (&st, FALSE);
  if (out->len == before)
    g_string_append (out, "<br>");
}

char *
lb_rich_editor_dup_html (LbRichEditor *self,
                         GPtrArray    *inline_images)
{
  GString *out;
  int lines;
  gboolean quoted = FALSE;
  GtkTextTag *list = NULL;

  g_return_val_if_fail (LB_IS_RICH_EDITOR (self), NULL);

  out = g_string_new ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n");
  lines = gtk_text_buffer_get_line_count (self->buffer);
  for (int line = 0; line < lines; line++)
    {
      gboolean q = line_is_quoted (self, line);
      GtkTextTag *marker = line_marker (self, line);

      if (line == lines - 1 && line > 0 && gtk_text_buffer_get_char_count (self->buffer) > 0)
        {
          GtkTextIter s, e;

          line_bounds (self, line, &s, &e);
          if (gtk_text_iter_equal (&s, &e) && marker == NULL)
            break;   /* the empty line after a final newline */
        }
      if (list != NULL && (marker != list || q != quoted))
        {
          g_string_append (out, list == self->bullet_tag ? "</ul>\n" : "</ol>\n");
          list = NULL;
        }
      if (q != quoted)
        {
          g_string_append (out, q ? "<blockquote style=\"margin:0 0 0 0.8ex;border-left:2px solid #ccc;"
                                    "padding-left:1ex\">\n"
                                  : "</blockquote>\n");
          quoted = q;
        }
      if (marker != NULL && list == NULL)
        {
          g_string_append (out, marker == self->bullet_tag ? "<ul style=\"margin:0;padding-left:2em\">\n"
                                                            : "<ol style=\"margin:0;padding-left:2em\">\n");
          list = marker;
        }
      g_string_append (out, marker != NULL ? "<li>" : "<div>");
      append_line_html (self, line, out, inline_images);
      g_string_append (out, marker != NULL ? "</li>\n" : "</div>\n");
    }
  if (list != NULL)
    g_string_append (out, list == self->bullet_tag ? "</ul>\n" : "</ol>\n");
  if (quoted)
    g_string_append (out, "</blockquote>\n");
  g_string_append (out, "</body></html>\n");
  return g_string_free (out, FALSE);
}

/* The line's text after its marker, links written "text <url>". */
static void
append_line_text (LbRichEditor *self,
                  int           line,
                  GString      *out)
{
  GtkTextIter i, end;
  const char *href = NULL;
  gsize link_start = 0;

  line_content_start (self, line, &i);
  line_bounds (self, line, &end, &end);
  for (gboolean first = TRUE;; gtk_text_iter_forward_char (&i), first = FALSE)
    {
      gboolean at_end = gtk_text_iter_compare (&i, &end) >= 0;
      const char *h = at_end ? NULL
                             : first || gtk_text_iter_toggles_tag (&i, NULL) ? href_at (&i) : href;

      if (g_strcmp0 (h, href) != 0 && href != NULL)
        {
          const char *shown = href;

          if (g_ascii_strncasecmp (shown, "mailto:", 7) == 0)
            shown += 7;
          /* A link whose text is its address is written once. */
          if (strcmp (out->str + link_start, shown) != 0 && strcmp (out->str + link_start, href) != 0)
            g_string_append_printf (out, " <%s>", href);
        }
      if (g_strcmp0 (h, href) != 0)
        {
          href = h;
          link_start = out->len;
        }
      if (at_end)
        break;
      if (gtk_text_iter_get_char (&i) != 0xFFFC)
        g_string_append_unichar (out, gtk_text_iter_get_char (&i));
    }
}

char *
lb_rich_editor_dup_text (LbRichEditor *self)
{
  GString *out;
  int lines;
  int number = 0;

  g_return_val_if_fail (LB_IS_RICH_EDITOR (self), NULL);

  out = g_string_new (NULL);
  lines = gtk_text_buffer_get_line_count (self->buffer);
  for (int line = 0; line < lines; line++)
    {
      GtkTextTag *marker = line_marker (self, line);
      gsize start = out->len;

      if (line > 0)
        g_string_append_c (out, '\n');
      start = out->len;
      if (line_is_quoted (self, line))
        g_string_append (out, "> ");
      number = marker == self->number_tag ? number + 1 : 0;
      if (marker == self->bullet_tag)
        g_string_append (out, "- ");
      else if (marker == self->number_tag)
        g_string_append_printf (out, "%d. ", number);
      append_line_text (self, line, out);
      /* A quoted empty line is ">" alone, as mailers write it. */
      if (g_str_equal (out->str + start, "> "))
        g_string_truncate (out, start + 1);
    }
  return g_string_free (out, FALSE);
}

/* ---- Reading HTML in ---------------------------------------------------------------- */

typedef struct {
  LbRichEditor *self;
  GPtrArray    *images;     /* LbAttachment, or NULL */
  GPtrArray    *inline_tags; /* GtkTextTag, open b/i/u/a, in order */
  GArray       *lists;      /* GtkTextTag *: the open lists, innermost last */
  guint         quote_depth;
} Reader;

static gboolean
line_is_empty_at_end (LbRichEditor *self)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (self->buffer, &end);
  return gtk_text_iter_starts_line (&end);
}

static void
insert_at_end (Reader     *r,
               const char *text,
               GtkTextTag *extra)
{
  LbRichEditor *self = r->self;
  GtkTextIter start, end;
  int offset;

  gtk_text_buffer_get_end_iter (self->buffer, &end);
  offset = gtk_text_iter_get_offset (&end);
  gtk_text_buffer_insert (self->buffer, &end, text, -1);
  gtk_text_buffer_get_iter_at_offset (self->buffer, &start, offset);
  gtk_text_buffer_get_end_iter (self->buffer, &end);
  for (guint i = 0; i < r->inline_tags->len && extra == NULL; i++)
    gtk_text_buffer_apply_tag (self->buffer, g_ptr_array_index (r->inline_tags, i), &start, &end);
  if (extra != NULL)
    gtk_text_buffer_apply_tag (self->buffer, extra, &start, &end);
  if (r->quote_depth > 0)
    gtk_text_buffer_apply_tag (self->buffer, self->quote_tag, &start, &end);
  if (r->lists->len > 0)
    gtk_text_buffer_apply_tag (self->buffer, self->list_tag, &start, &end);
}

/* Block boundaries end the current line, unless it is empty already. */
static void
break_line (Reader *r)
{
  if (!line_is_empty_at_end (r->self))
    insert_at_end (r, "\n", NULL);
}

static void
read_image (Reader       *r,
            const char  **names,
            const char  **values)
{
  const char *src = NULL;

  for (guint k = 0; names[k] != NULL; k++)
    if (g_str_equal (names[k], "src"))
      src = values[k];
  if (src == NULL || r->images == NULL || g_ascii_strncasecmp (src, "cid:", 4) != 0)
    return;
  for (guint k = 0; k < r->images->len; k++)
    {
      LbAttachment *a = g_ptr_array_index (r->images, k);
      g_autofree char *cid = g_uri_unescape_string (src + 4, NULL);
      g_autoptr(GdkTexture) texture = NULL;
      GtkTextIter end;

      if (g_strcmp0 (lb_attachment_get_content_id (a), cid) != 0)
        continue;
      texture = gdk_texture_new_from_bytes (lb_attachment_get_bytes (a), NULL);
      if (texture == NULL)
        return;
      gtk_text_buffer_get_end_iter (r->self->buffer, &end);
      insert_image (r->self, &end, texture, lb_attachment_get_bytes (a),
                    lb_attachment_get_mime_type (a), cid);
      return;
    }
}

static void
on_start (GMarkupParseContext  *context,
          const char           *name,
          const char          **names,
          const char          **values,
          gpointer              data,
          GError              **error)
{
  Reader *r = data;
  LbRichEditor *self = r->self;
  GtkTextTag *tag = NULL;

  if (g_str_equal (name, "b"))
    tag = self->bold_tag;
  else if (g_str_equal (name, "i"))
    tag = self->italic_tag;
  else if (g_str_equal (name, "u"))
    tag = self->underline_tag;
  else if (g_str_equal (name, "a"))
    tag = names[0] != NULL ? new_link_tag (self, values[0]) : self->underline_tag;
  if (tag != NULL)
    {
      g_ptr_array_add (r->inline_tags, tag);
      return;
    }
  if (g_str_equal (name, "br"))
    insert_at_end (r, "\n", NULL);
  else if (g_str_equal (name, "img"))
    read_image (r, names, values);
  else if (g_str_equal (name, "blockquote"))
    {
      break_line (r);
      r->quote_depth++;
    }
  else if (g_str_equal (name, "ul") || g_str_equal (name, "ol"))
    {
      GtkTextTag *marker = name[0] == 'u' ? self->bullet_tag : self->number_tag;

      break_line (r);
      g_array_append_val (r->lists, marker);
    }
  else if (g_str_equal (name, "li"))
    {
      GtkTextTag *marker = r->lists->len > 0 ? g_array_index (r->lists, GtkTextTag *, r->lists->len - 1)
                                             : self->bullet_tag;

      break_line (r);
      if (r->lists->len == 0)
        g_array_append_val (r->lists, marker);   /* a stray item: a one-item list */
      insert_at_end (r, marker == self->bullet_tag ? "• " : "1. ", marker);
    }
  else if (g_str_equal (name, "div"))
    break_line (r);
}

static void
on_end (GMarkupParseContext  *context,
        const char           *name,
        gpointer              data,
        GError              **error)
{
  Reader *r = data;

  if (g_str_equal (name, "b") || g_str_equal (name, "i") || g_str_equal (name, "u")
      || g_str_equal (name, "a"))
    {
      if (r->inline_tags->len > 0)
        g_ptr_array_remove_index (r->inline_tags, r->inline_tags->len - 1);
    }
  else if (g_str_equal (name, "blockquote"))
    {
      break_line (r);
      if (r->quote_depth > 0)
        r->quote_depth--;
    }
  else if (g_str_equal (name, "ul") || g_str_equal (name, "ol"))
    {
      break_line (r);
      if (r->lists->len > 0)
        g_array_remove_index (r->lists, r->lists->len - 1);
    }
  else if (g_str_equal (name, "li") || g_str_equal (name, "div"))
    break_line (r);
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 len,
         gpointer              data,
         GError              **error)
{
  Reader *r = data;
  g_autofree char *copy = g_strndup (text, len);
  const char *p = copy;
  char *nbsp;

  /* No-break spaces are how HTML keeps runs of spaces: here they are spaces again. */
  while ((nbsp = strstr (copy, "\xc2\xa0")) != NULL)
    memmove (nbsp, nbsp + 1, strlen (nbsp + 1) + 1), *nbsp = ' ';

  /* White space at the start of a line is the markup's layout, not text. */
  if (line_is_empty_at_end (r->self))
    while (*p == ' ')
      p++;
  if (*p != '\0')
    insert_at_end (r, p, NULL);
}

void
lb_rich_editor_load_html (LbRichEditor *self,
                          const char   *html,
                          GPtrArray    *inline_images)
{
  static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  g_autofree char *simple = lb_draft_simplify_html (html, TRUE);
  Reader r = { self, inline_images, g_ptr_array_new (), g_array_new (FALSE, FALSE, sizeof (GtkTextTag *)), 0 };
  GMarkupParseContext *context = g_markup_parse_context_new (&parser, 0, &r, NULL);
  GtkTextIter start, end;

  g_return_if_fail (LB_IS_RICH_EDITOR (self));

  self->busy++;
  gtk_text_buffer_set_text (self->buffer, "", -1);
  if (!g_markup_parse_context_parse (context, simple, -1, NULL)
      || !g_markup_parse_context_end_parse (context, NULL))
    g_debug ("The formatted body could not be read whole");
  /* The last block's line end is not a line of its own. */
  gtk_text_buffer_get_end_iter (self->buffer, &end);
  start = end;
  if (gtk_text_iter_backward_char (&start) && gtk_text_iter_get_char (&start) == '\n')
    gtk_text_buffer_delete (self->buffer, &start, &end);
  gtk_text_buffer_get_start_iter (self->buffer, &start);
  gtk_text_buffer_place_cursor (self->buffer, &start);
  self->busy--;
  renumber (self);
  g_markup_parse_context_free (context);
  g_ptr_array_unref (r.inline_tags);
  g_array_unref (r.lists);
}

/* ---- Plain text and formatted ------------------------------------------------------- */

gboolean
lb_rich_editor_get_formatted (LbRichEditor *self)
{
  g_return_val_if_fail (LB_IS_RICH_EDITOR (self), FALSE);

  return self->formatted;
}

static void
update_actions (LbRichEditor *self)
{
  static const char * const names[] = {
    "editor.bold", "editor.italic", "editor.underline", "editor.bullets",
    "editor.numbers", "editor.quote", "editor.link", "editor.image",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), names[i], self->formatted);
  gtk_widget_set_visible (self->format_buttons, self->formatted);
}

void
lb_rich_editor_set_formatted (LbRichEditor *self,
                              gboolean      formatted)
{
  g_return_if_fail (LB_IS_RICH_EDITOR (self));

  formatted = !!formatted;
  if (self->formatted == formatted)
    return;
  if (!formatted)
    {
      /* What was formatted is written the way the text part writes it, so nothing the
       * user wrote (a list, a quote, a link's address) is lost. */
      g_autofree char *text = lb_rich_editor_dup_text (self);
      GtkTextIter start, end;

      self->busy++;
      gtk_text_buffer_set_text (self->buffer, text, -1);
      gtk_text_buffer_get_bounds (self->buffer, &start, &end);
      gtk_text_buffer_remove_all_tags (self->buffer, &start, &end);
      gtk_text_buffer_place_cursor (self->buffer, &start);
      self->busy--;
      self->bold = self->italic = self->underline = FALSE;
    }
  self->formatted = formatted;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FORMATTED]);
}

GtkTextView *
lb_rich_editor_get_text_view (LbRichEditor *self)
{
  g_return_val_if_fail (LB_IS_RICH_EDITOR (self), NULL);

  return self->view;
}

/* ---- Actions ------------------------------------------------------------------------ */

static void
list_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  LbRichEditor *self = LB_RICH_EDITOR (widget);

  if (g_str_equal (name, "editor.bullets"))
    toggle_list (self, self->bullet_tag);
  else if (g_str_equal (name, "editor.numbers"))
    toggle_list (self, self->number_tag);
  else
    toggle_quote (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

static void
link_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  LbRichEditor *self = LB_RICH_EDITOR (widget);

  gtk_popover_popup (self->link_popover);
}

static void
on_link_popover_show (LbRichEditor *self)
{
  GtkTextIter start, end;
  const char *href;

  gtk_text_buffer_get_selection_bounds (self->buffer, &start, &end);
  href = href_at (&start);
  gtk_editable_set_text (GTK_EDITABLE (self->link_entry), href != NULL ? href : "");
  gtk_widget_grab_focus (GTK_WIDGET (self->link_entry));
}

static void
on_link_activate (LbRichEditor *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->link_entry))));

  /* A bare address is meant as a web page or a mail address, as a browser reads it. */
  if (*url != '\0' && !is_safe_href (url))
    {
      char *full = g_strconcat (strchr (url, '@') != NULL ? "mailto:" : "https://", url, NULL);

      g_free (url);
      url = full;
    }
  gtk_popover_popdown (self->link_popover);
  lb_rich_editor_set_link (self, url);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

static void
image_loaded (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LbRichEditor) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &len, NULL, NULL))
    return;
  bytes = g_bytes_new_take (contents, len);
  texture = gdk_texture_new_from_bytes (bytes, NULL);
  if (texture != NULL)
    lb_rich_editor_insert_texture (self, texture);
}

void
lb_rich_editor_insert_image_file (LbRichEditor *self,
                                  GFile        *file)
{
  g_return_if_fail (LB_IS_RICH_EDITOR (self));
  g_return_if_fail (G_IS_FILE (file));

  g_file_load_contents_async (file, NULL, image_loaded, g_object_ref (self));
}

static void
image_chosen (GtkNativeDialog *dialog,
              int              response,
              LbRichEditor    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      lb_rich_editor_insert_image_file (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
image_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Insert Image"),
                                                              GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                              GTK_FILE_CHOOSER_ACTION_OPEN,
                                                              _("_Insert"), NULL);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_add_pixbuf_formats (filter);
  gtk_file_filter_set_name (filter, _("Images"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  /* The editor stays alive while the dialog is open, even if its window closes. */
  g_signal_connect_data (dialog, "response", G_CALLBACK (image_chosen), g_object_ref (widget),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- The object ------------------------------------------------------------------- */

static void
lb_rich_editor_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbRichEditor *self = LB_RICH_EDITOR (object);

  switch (prop_id)
    {
    case PROP_FORMATTED:
      g_value_set_boolean (value, self->formatted);
      break;
    case PROP_BOLD:
      g_value_set_boolean (value, self->bold);
      break;
    case PROP_ITALIC:
      g_value_set_boolean (value, self->italic);
      break;
    case PROP_UNDERLINE:
      g_value_set_boolean (value, self->underline);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
has_images (LbRichEditor *self)
{
  GtkTextIter i;

  for (gtk_text_buffer_get_start_iter (self->buffer, &i); !gtk_text_iter_is_end (&i);
       gtk_text_iter_forward_char (&i))
    if (gtk_text_iter_get_paintable (&i) != NULL)
      return TRUE;
  return FALSE;
}

static void
on_plain_response (AdwMessageDialog *dialog,
                   const char       *response,
                   LbRichEditor     *self)
{
  if (g_str_equal (response, "plain"))
    lb_rich_editor_set_formatted (self, FALSE);
}

/* The user turned formatting off (the Formatted button, through the property): plain text
 * cannot carry the message's images, so they are only dropped once the user agrees.  The
 * button goes back on meanwhile (the property did not change). */
static void
ask_plain (LbRichEditor *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Switch to Plain Text?"),
                                                       _("Plain text cannot show images: the "
                                                         "images in this message will be "
                                                         "removed.")));
  gtk_widget_set_name (GTK_WIDGET (dialog), "plain-text-dialog");
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"),
                                    "plain", _("_Remove Images"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "plain", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_plain_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FORMATTED]);
}

static void
lb_rich_editor_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LbRichEditor *self = LB_RICH_EDITOR (object);

  switch (prop_id)
    {
    case PROP_FORMATTED:
      if (self->formatted && !g_value_get_boolean (value) && has_images (self))
        ask_plain (self);
      else
        lb_rich_editor_set_formatted (self, g_value_get_boolean (value));
      break;
    case PROP_BOLD:
      set_inline (self, &self->bold, self->bold_tag, g_value_get_boolean (value), pspec);
      break;
    case PROP_ITALIC:
      set_inline (self, &self->italic, self->italic_tag, g_value_get_boolean (value), pspec);
      break;
    case PROP_UNDERLINE:
      set_inline (self, &self->underline, self->underline_tag, g_value_get_boolean (value), pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_rich_editor_dispose (GObject *object)
{
  LbRichEditor *self = LB_RICH_EDITOR (object);
  GtkWidget *child;

  g_clear_handle_id (&self->renumber_id, g_source_remove);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (lb_rich_editor_parent_class)->dispose (object);
}

static void
add_shortcut (GtkWidgetClass *widget_class,
              guint           key,
              const char     *action)
{
  gtk_widget_class_add_binding_action (widget_class, key, GDK_CONTROL_MASK, action, NULL);
}

static void
lb_rich_editor_class_init (LbRichEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lb_rich_editor_get_property;
  object_class->set_property = lb_rich_editor_set_property;
  object_class->dispose = lb_rich_editor_dispose;

  properties[PROP_FORMATTED] =
    g_param_spec_boolean ("formatted", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BOLD] =
    g_param_spec_boolean ("bold", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ITALIC] =
    g_param_spec_boolean ("italic", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_UNDERLINE] =
    g_param_spec_boolean ("underline", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, LB_RESOURCE_PATH "/ui/lb-rich-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, LbRichEditor, toolbar);
  gtk_widget_class_bind_template_child (widget_class, LbRichEditor, format_buttons);
  gtk_widget_class_bind_template_child (widget_class, LbRichEditor, formatted_button);
  gtk_widget_class_bind_template_child (widget_class, LbRichEditor, link_popover);
  gtk_widget_class_bind_template_child (widget_class, LbRichEditor, link_entry);
  gtk_widget_class_bind_template_child (widget_class, LbRichEditor, view);
  gtk_widget_class_bind_template_callback (widget_class, on_link_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_link_activate);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);

  gtk_widget_class_install_property_action (widget_class, "editor.formatted", "formatted");
  gtk_widget_class_install_property_action (widget_class, "editor.bold", "bold");
  gtk_widget_class_install_property_action (widget_class, "editor.italic", "italic");
  gtk_widget_class_install_property_action (widget_class, "editor.underline", "underline");
  gtk_widget_class_install_action (widget_class, "editor.bullets", NULL, list_action);
  gtk_widget_class_install_action (widget_class, "editor.numbers", NULL, list_action);
  gtk_widget_class_install_action (widget_class, "editor.quote", NULL, list_action);
  gtk_widget_class_install_action (widget_class, "editor.link", NULL, link_action);
  gtk_widget_class_install_action (widget_class, "editor.image", NULL, image_action);
  /* Bubbling shortcuts: the text view and its input method see every key first. */
  add_shortcut (widget_class, GDK_KEY_b, "editor.bold");
  add_shortcut (widget_class, GDK_KEY_i, "editor.italic");
  add_shortcut (widget_class, GDK_KEY_u, "editor.underline");
  add_shortcut (widget_class, GDK_KEY_k, "editor.link");
}

static void
create_tags (LbRichEditor *self)
{
  self->bold_tag = gtk_text_buffer_create_tag (self->buffer, "bold", "weight", PANGO_WEIGHT_BOLD, NULL);
  self->italic_tag = gtk_text_buffer_create_tag (self->buffer, "italic", "style", PANGO_STYLE_ITALIC, NULL);
  self->underline_tag = gtk_text_buffer_create_tag (self->buffer, "underline",
                                                    "underline", PANGO_UNDERLINE_SINGLE, NULL);
  /* A translucent grey reads as a quote on light and dark backgrounds alike. */
  self->quote_tag = gtk_text_buffer_create_tag (self->buffer, "quote",
                                                "left-margin", 28,
                                                "paragraph-background-rgba",
                                                &(GdkRGBA) { 0.5, 0.5, 0.5, 0.15 },
                                                NULL);
  self->list_tag = gtk_text_buffer_create_tag (self->buffer, "list", "indent", -14, "left-margin", 34, NULL);
  self->quoted_list_tag = gtk_text_buffer_create_tag (self->buffer, "quoted-list",
                                                      "indent", -14, "left-margin", 62, NULL);
  self->bullet_tag = gtk_text_buffer_create_tag (self->buffer, "bullet", NULL);
  self->number_tag = gtk_text_buffer_create_tag (self->buffer, "number", NULL);
}

static void
lb_rich_editor_init (LbRichEditor *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->quote_pending_line = -1;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  self->buffer = gtk_text_view_get_buffer (self->view);
  self->formatted = TRUE;
  create_tags (self);
  g_signal_connect_after (self->buffer, "insert-text", G_CALLBACK (after_insert_text), self);
  g_signal_connect_after (self->buffer, "delete-range", G_CALLBACK (after_delete_range), self);
  g_signal_connect (self->buffer, "mark-set", G_CALLBACK (on_mark_set), self);
  g_signal_connect (self->view, "paste-clipboard", G_CALLBACK (on_paste), self);

  drop = gtk_drop_target_new (GDK_TYPE_TEXTURE, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop_texture), self);
  gtk_widget_add_controller (GTK_WIDGET (self->view), GTK_EVENT_CONTROLLER (drop));
}
