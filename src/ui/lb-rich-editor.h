/* lb-rich-editor.h: the composer's body: a text view with formatting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LB_TYPE_RICH_EDITOR (lb_rich_editor_get_type ())
G_DECLARE_FINAL_TYPE (LbRichEditor, lb_rich_editor, LB, RICH_EDITOR, GtkWidget)

/* The text view inside (named "body"): the composer inserts signatures and quotes there. */
GtkTextView *lb_rich_editor_get_text_view  (LbRichEditor *self);

/* The "formatted" property: FALSE is plain text (no toolbar; switching to it turns the
 * formatting into its plain-text form: "- " items, "> " quotes, "text <url>" links). */
gboolean     lb_rich_editor_get_formatted  (LbRichEditor *self);
void         lb_rich_editor_set_formatted  (LbRichEditor *self,
                                            gboolean      formatted);

/* The text/plain body: lists as "- " and "1. ", links as "text <url>", quotes with "> ". */
char        *lb_rich_editor_dup_text       (LbRichEditor *self);

/* The text/html body, simple and inline-styled, and in @inline_images (element-type
 * LbAttachment) the images it shows by cid:. */
char        *lb_rich_editor_dup_html       (LbRichEditor *self,
                                            GPtrArray    *inline_images);

/* Replaces the content with @html (any HTML: it is simplified first); images come from
 * @inline_images (element-type LbAttachment, nullable) by Content-ID.  Not an edit. */
void         lb_rich_editor_load_html      (LbRichEditor *self,
                                            const char   *html,
                                            GPtrArray    *inline_images);

/* Inserts an image at the cursor, sent as an inline part (PNG). */
void         lb_rich_editor_insert_texture (LbRichEditor *self,
                                            GdkTexture   *texture);

/* Reads @file (without blocking) and inserts it at the cursor as an inline image. */
void         lb_rich_editor_insert_image_file (LbRichEditor *self,
                                               GFile        *file);

/* Makes the selection a link to @url (or, with no selection, inserts @url as one); an
 * empty @url removes the selection's links.  Only http:, https: and mailto: links are
 * made; any other @url is ignored. */
void         lb_rich_editor_set_link       (LbRichEditor *self,
                                            const char   *url);

G_END_DECLS
