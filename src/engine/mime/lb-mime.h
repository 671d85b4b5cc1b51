/* lb-mime.h: GMime set-up and header decoding
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gmime/gmime.h>

#include "lb-charset.h"

G_BEGIN_DECLS

/**
 * lb_mime_init:
 *
 * Initialises GMime once for the whole process, with parser options suited to
 * Chinese mail: raw 8-bit headers are tried as UTF-8, then GB18030, then
 * ISO-8859-1, and RFC 2047/2231 parsing stays in loose mode.  Idempotent and
 * thread-safe; every other function of this module calls it.
 */
void lb_mime_init (void);

/**
 * lb_mime_get_parser_options:
 *
 * Returns: (transfer none): the process-wide parser options; never modify them
 */
GMimeParserOptions *lb_mime_get_parser_options (void);

/**
 * lb_mime_get_format_options:
 *
 * Returns: (transfer none): the process-wide format options; never modify them
 */
GMimeFormatOptions *lb_mime_get_format_options (void);

/**
 * lb_mime_decode_header:
 * @raw: (nullable): a raw header value (Subject, a display name, an IMAP
 *   ENVELOPE string), possibly folded, possibly raw 8-bit in any charset
 *
 * Decodes RFC 2047 encoded-words (B and Q).  Adjacent encoded-words in the
 * same charset are decoded to bytes and converted together, so characters
 * split across words (common in Chinese mail) survive, even when a word
 * ends in base64 padding.  Whitespace between encoded-words is dropped; other
 * text is kept.  Charsets go through lb_charset_to_utf8(), so GB2312 labels
 * on GBK/GB18030 text and raw GBK bytes come out right.  Line folding is
 * undone, control characters become spaces and the ends are trimmed.
 * Thread-safe.
 *
 * Returns: (transfer full) (nullable): valid UTF-8, or %NULL if @raw is %NULL
 */
char *lb_mime_decode_header (const char *raw);


G_END_DECLS
