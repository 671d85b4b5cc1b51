/* lb-text-sanitize.h: making text that a server sent safe to show or log
 *
 * A leaf unit (GLib only) shared by the IMAP and SMTP code: whatever a server says
 * (BYE, NO and BAD texts, [ALERT]s, SMTP replies) goes through here before it reaches a
 * GError, and so the CLI's output, the UI or a log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest text kept, in characters; longer text is cut there and "…" added. */
#define LB_TEXT_SANITIZE_MAX_CHARS 400

/**
 * lb_text_sanitize_server:
 * @bytes: (nullable): text as the server sent it, in any encoding
 * @len: length of @bytes, or -1 if NUL-terminated
 *
 * Makes server text safe to show: valid UTF-8 is kept, other text is read as GB18030
 * (servers in China answer in GBK) and bytes that still do not decode become U+FFFD;
 * terminal escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL/ST`, and any other
 * `ESC x`) are removed; every other C0 or C1 control character, DEL and the invisible
 * format characters (bidirectional overrides, zero-width spaces) become a space; runs of white space become one space; leading and trailing
 * space is dropped; and text longer than %LB_TEXT_SANITIZE_MAX_CHARS characters is cut
 * there, with "…" added.  An embedded NUL ends the
 * text.  Thread-safe.
 *
 * Returns: (transfer full): the sanitised text, never %NULL ("" for %NULL @bytes)
 */
char *lb_text_sanitize_server (const char *bytes,
                               gssize      len);

G_END_DECLS
