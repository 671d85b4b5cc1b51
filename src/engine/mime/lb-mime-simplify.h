/* lb-mime-simplify.h: any HTML reduced to the few elements the composer edits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * lb_mime_html_simplify:
 * @html: (nullable): HTML, UTF-8, from anyone
 * @keep_cid_images: whether `<img src="cid:…">` stays (a draft's own images); other
 *   images never do
 *
 * Reduces @html to a well-formed XML fragment (no root element) made of `div`, `br`,
 * `b`, `i`, `u`, `a href` (http, https and mailto only), `ul`, `ol`, `li`,
 * `blockquote` and, if asked, `img src="cid:…"`, with no attribute besides those.
 * Scripts, styles, the head, frames, forms and remote images are dropped with their
 * content; other elements are dropped and their text kept.  Bold, italic and underline
 * written as CSS on a span are kept as `b`, `i` and `u`.  Runs of white space become one
 * space.  It does not recurse, whatever the nesting.
 *
 * Returns: (transfer full): the fragment, possibly empty
 */
char *lb_mime_html_simplify (const char *html,
                             gboolean    keep_cid_images);

G_END_DECLS
