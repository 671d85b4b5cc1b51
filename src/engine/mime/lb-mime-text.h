/* lb-mime-text.h: plain text and HTML helpers for the list, search and reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * lb_mime_html_to_text:
 * @html: (nullable): HTML, UTF-8 (invalid bytes are replaced)
 *
 * A small, linear-time HTML to plain text conversion for previews and
 * search.  Tags are dropped; `script`, `style`, `head`, `title`, `template`
 * and comments are skipped with their content; block elements and `<br>`
 * become line breaks; entities (named ones in common use, decimal and
 * hexadecimal) are decoded; runs of whitespace collapse to one space, and
 * blank lines to one.  Thread-safe; never fails.
 *
 * Returns: (transfer full): UTF-8 text
 */
char *lb_mime_html_to_text (const char *html);

/**
 * lb_mime_preview:
 * @text: (nullable): a plain-text body, UTF-8
 * @max_chars: the most characters to return (200 is usual)
 *
 * A one-line preview: quoted lines (`>`) and reply attributions ("On … wrote:",
 * "在 … 写道：") are skipped, and the text stops at a signature separator
 * ("-- ") or a forwarded/original-message separator ("-----Original Message-----",
 * QQ's "------------------ 原始邮件 ------------------").  Whitespace is
 * collapsed and the result is cut at a character boundary.
 *
 * Returns: (transfer full): UTF-8, possibly empty
 */
char *lb_mime_preview (const char *text,
                       gsize       max_chars);

/**
 * lb_mime_text_to_html:
 * @text: (nullable): a plain-text body, UTF-8
 *
 * Turns plain text into an HTML fragment for the reader: everything is
 * escaped, http:, https: and mailto: URLs become links (nothing else does;
 * `javascript:` stays text), runs of quoted lines (`>`) are wrapped in
 * `<div class="quote">` (nested, one per level) without their `>` marks,
 * which the div's bar replaces, line breaks become `<br>` and runs of spaces
 * are kept.  The output never contains markup other than `a`, `br` and `div`.
 *
 * Returns: (transfer full): an HTML fragment
 */
char *lb_mime_text_to_html (const char *text);

G_END_DECLS
