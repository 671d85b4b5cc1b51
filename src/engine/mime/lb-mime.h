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

/**
 * lb_mime_decode_header_with_fallback:
 * @raw: (nullable): a raw header value, as for lb_mime_decode_header()
 * @fallback_charset: (nullable): the charset the message declares for its
 *   text parts, if any
 *
 * Like lb_mime_decode_header(), but raw 8-bit text outside encoded-words is
 * taken as UTF-8 if valid, else as @fallback_charset if the bytes agree with
 * it, else as lb_charset_guess() says.  Raw bytes inside an encoded-word
 * belong to that word's charset.
 *
 * Returns: (transfer full) (nullable): valid UTF-8, or %NULL if @raw is %NULL
 */
char *lb_mime_decode_header_with_fallback (const char *raw,
                                           const char *fallback_charset);

/**
 * lb_mime_header_to_utf8:
 * @raw: (nullable): a raw header value, possibly raw 8-bit
 * @len: length of @raw, or -1 if it is NUL-terminated
 * @fallback_charset: (nullable): as for lb_mime_decode_header_with_fallback()
 *
 * Converts the text of a raw header to UTF-8 but leaves its encoded-words
 * encoded, as ASCII: raw 8-bit bytes inside a Q word become `=XX` escapes,
 * so that they are later decoded in that word's charset.  For parsers (the
 * address parser) that must see the structure before decoding the words.
 *
 * Returns: (transfer full) (nullable): valid UTF-8, or %NULL if @raw is %NULL
 */
char *lb_mime_header_to_utf8 (const char *raw,
                              gssize      len,
                              const char *fallback_charset);

/**
 * lb_mime_base64_decode:
 * @text: (array length=len): base64 text
 * @len: length of @text
 *
 * Decodes base64 leniently: line breaks, junk and padding are skipped and
 * every complete byte is kept, so a body that lost its final padding keeps
 * its last bytes (GMime's decoder drops them).
 *
 * Returns: (transfer full): the decoded bytes
 */
GBytes *lb_mime_base64_decode (const char *text,
                               gsize       len);

G_END_DECLS
