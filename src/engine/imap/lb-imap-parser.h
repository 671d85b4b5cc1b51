/* lb-imap-parser.h: incremental, byte-exact IMAP response parser and syntax helpers
 *
 * Pure code, no I/O: the connection feeds whatever bytes arrive from the socket
 * and takes complete responses out, so the parser can be driven by transcripts
 * in tests and by a fuzzer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lb-imap-response.h"

G_BEGIN_DECLS

/* Default limits; see the setters below. */
#define LB_IMAP_PARSER_DEFAULT_MAX_LITERAL (100 * 1024 * 1024)
#define LB_IMAP_PARSER_DEFAULT_MAX_LINE    (64 * 1024 * 1024)
#define LB_IMAP_PARSER_DEFAULT_MAX_DEPTH   64

typedef struct _LbImapParser LbImapParser;

/**
 * lb_imap_parser_new:
 *
 * Creates a parser with the default limits.  A parser is not thread-safe; use
 * one per connection.
 *
 * Returns: (transfer full): a new parser
 */
LbImapParser   *lb_imap_parser_new  (void);
void            lb_imap_parser_free (LbImapParser *parser);

/**
 * lb_imap_parser_set_max_literal_size:
 * @parser: a parser
 * @max: the largest `{N}` literal accepted, in bytes
 *
 * A larger literal is a fatal error (see lb_imap_parser_next()) raised as soon
 * as its `{N}` is seen, before anything is allocated for it.
 */
void            lb_imap_parser_set_max_literal_size (LbImapParser *parser,
                                                     gsize         max);
/**
 * lb_imap_parser_set_max_line_length:
 * @parser: a parser
 * @max: the longest line (literals not counted) accepted, in bytes
 */
void            lb_imap_parser_set_max_line_length  (LbImapParser *parser,
                                                     gsize         max);
/**
 * lb_imap_parser_set_max_depth:
 * @parser: a parser
 * @max: the deepest nesting of parenthesised lists accepted
 *
 * A deeper response is a (non-fatal) parse error.
 */
void            lb_imap_parser_set_max_depth        (LbImapParser *parser,
                                                     guint         max);

/**
 * lb_imap_parser_feed:
 * @parser: a parser
 * @data: bytes as received, split anywhere
 * @len: length of @data
 *
 * Appends bytes to the parser's buffer.  Nothing is parsed until
 * lb_imap_parser_next() is called.
 */
void            lb_imap_parser_feed  (LbImapParser *parser,
                                      const char   *data,
                                      gsize         len);

/**
 * lb_imap_parser_next:
 * @parser: a parser
 * @error: return location for a %LB_ERROR_PARSE error
 *
 * Takes the next complete response out of the buffer.  Call it in a loop
 * after each lb_imap_parser_feed() until it returns %NULL.
 *
 * Responses are framed by reading line ends and `{N}`, `{N+}` and `~{N}`
 * literals by count (a line that ends in `{N}` is always followed by N bytes of
 * literal), so framing never depends on understanding the response.  Then:
 *
 * - a response whose syntax is malformed (unterminated quote, nesting deeper
 *   than the limit, garbage) is dropped and reported as an error; the next
 *   call goes on with the following response, so one bad line does not
 *   desynchronise the stream;
 * - a framing error (a literal larger than the limit or whose length does not
 *   fit in 64 bits, a line longer than the limit) is fatal: it is returned now
 *   and by every later call until lb_imap_parser_reset(), because the stream
 *   cannot be followed any more; drop the connection;
 * - untagged responses of unknown kinds are returned as
 *   %LB_IMAP_RESPONSE_UNKNOWN, and unknown FETCH items or response codes are
 *   skipped or kept raw.
 *
 * Returns: (transfer full) (nullable): the next response, or %NULL with @error
 *   unset when more bytes are needed
 */
LbImapResponse *lb_imap_parser_next  (LbImapParser  *parser,
                                      GError       **error);

/**
 * lb_imap_parser_reset:
 * @parser: a parser
 *
 * Drops all buffered bytes and any fatal error (for a new connection).
 */
void            lb_imap_parser_reset (LbImapParser *parser);

/**
 * lb_imap_parser_has_failed:
 * @parser: a parser
 *
 * Returns: %TRUE after a fatal framing error: lb_imap_parser_next() will only
 *   repeat it until lb_imap_parser_reset()
 */
gboolean        lb_imap_parser_has_failed (LbImapParser *parser);

/**
 * lb_imap_parser_get_buffered:
 * @parser: a parser
 *
 * Returns: the number of bytes fed but not yet returned as responses (the part
 *   of a response still incomplete)
 */
gsize           lb_imap_parser_get_buffered (LbImapParser *parser);

/**
 * lb_imap_parser_get_literal_bytes:
 * @parser: a parser
 *
 * The connection gives a command time in proportion to the data the server announces
 * (see lb_imap_session_set_deadline_scale()): this is where it learns how much.
 *
 * Returns: the sum of the lengths of every `{N}` literal framed so far (counted as
 *   soon as its `{N}` line end is seen, before its bytes arrive), not reset by
 *   lb_imap_parser_reset()
 */
guint64         lb_imap_parser_get_literal_bytes (LbImapParser *parser);

/**
 * lb_imap_parse_response:
 * @data: exactly one complete response, with or without its final CRLF
 * @len: length of @data, or -1 if NUL-terminated
 * @error: return location for a %LB_ERROR_PARSE error
 *
 * Parses one response with default limits.  Trailing bytes after the first
 * response are an error.
 *
 * Returns: (transfer full) (nullable): the response, or %NULL on error
 */
LbImapResponse *lb_imap_parse_response (const char  *data,
                                        gssize       len,
                                        GError     **error);

/* -- Sequence sets ------------------------------------------------------- */

/**
 * lb_imap_seqset_parse:
 * @text: a sequence set such as "1:5,7,9:*"
 * @len: length of @text, or -1 if NUL-terminated
 * @error: return location for a %LB_ERROR_PARSE error
 *
 * Parses a sequence set as a client writes it (RFC 3501 `sequence-set`, also `$` is
 * refused).  Numbers must be 1..4294967295; `*` becomes %LB_IMAP_SEQ_STAR, so here
 * 4294967295 and `*` cannot be told apart: never use it on what a server sent.
 * `a:b` with a > b is the same range as `b:a`.
 *
 * Returns: (transfer full) (nullable): a #GArray of #LbImapRange
 */
GArray  *lb_imap_seqset_parse  (const char   *text,
                                gssize        len,
                                GError      **error);

/**
 * lb_imap_seqset_parse_uids:
 * @text: a set as a server sends it, such as "1:5,7,4294967295:9"
 * @len: length of @text, or -1 if NUL-terminated
 * @error: return location for a %LB_ERROR_PARSE error
 *
 * Parses a set of UIDs or numbers in a server response (RFC 9051 `uid-set`; ESEARCH
 * ALL, VANISHED, COPYUID and APPENDUID, MODIFIED).  `*` is an error there; every
 * number, 4294967295 included, stands for itself, and `a:b` with a > b is the same
 * range as `b:a`, so each #LbImapRange has @first <= @last.
 *
 * Returns: (transfer full) (nullable): a #GArray of #LbImapRange
 */
GArray  *lb_imap_seqset_parse_uids (const char   *text,
                                    gssize        len,
                                    GError      **error);

/**
 * lb_imap_seqset_format:
 * @uids: numbers, ideally sorted ascending (unsorted input is sorted on a copy)
 * @n_uids: how many
 *
 * Formats numbers as the shortest set of ranges: {1,2,3,5,7,8} is "1:3,5,7:8".
 * Duplicates and zeros are dropped.
 *
 * Returns: (transfer full) (nullable): the set, or %NULL if there is no number
 */
char    *lb_imap_seqset_format (const guint32 *uids,
                                gsize          n_uids);

/**
 * lb_imap_seqset_format_ranges:
 * @ranges: a #GArray of #LbImapRange
 *
 * Formats ranges as they are (no sorting or merging); %LB_IMAP_SEQ_STAR is `*`.
 *
 * Returns: (transfer full) (nullable): the set, or %NULL if @ranges is empty
 */
char    *lb_imap_seqset_format_ranges (const GArray *ranges);

/**
 * lb_imap_seqset_count:
 * @ranges: a #GArray of #LbImapRange without `*`
 *
 * Returns: how many numbers the ranges cover (overlaps counted twice)
 */
guint64  lb_imap_seqset_count  (const GArray *ranges);

/**
 * lb_imap_seqset_contains:
 * @ranges: a #GArray of #LbImapRange
 * @n: a number
 *
 * Returns: %TRUE if a range covers @n (`*` taken as "no upper bound")
 */
gboolean lb_imap_seqset_contains (const GArray *ranges,
                                  guint32       n);

/* -- Writing command arguments ------------------------------------------ */

typedef enum {
  LB_IMAP_QUOTE_DEFAULT     = 0,
  LB_IMAP_QUOTE_FORCE       = 1 << 0,   /* never write a bare atom */
  LB_IMAP_QUOTE_ALLOW_UTF8  = 1 << 1,   /* 8-bit bytes may be quoted (UTF8=ACCEPT) */
} LbImapQuoteFlags;

typedef enum {
  LB_IMAP_QUOTED_ATOM,      /* written as a bare atom */
  LB_IMAP_QUOTED_STRING,    /* written as a quoted string */
  LB_IMAP_QUOTED_LITERAL,   /* nothing written: the caller must send a literal */
} LbImapQuoted;

/**
 * lb_imap_append_astring:
 * @out: where to append
 * @data: the bytes of the argument
 * @len: length of @data, or -1 if NUL-terminated
 * @flags: #LbImapQuoteFlags
 *
 * Appends @data as an IMAP astring: a bare atom when every byte is an
 * ATOM-CHAR (and it is not "NIL" and not empty), else a quoted string with `"`
 * and `\` escaped.  If @data holds NUL, CR, LF, or 8-bit bytes (without
 * %LB_IMAP_QUOTE_ALLOW_UTF8), or is longer than 1024 bytes, nothing is
 * appended and %LB_IMAP_QUOTED_LITERAL says that the caller must send it as a
 * literal (`{N}` and wait for `+`, or `{N+}` with LITERAL+).
 *
 * Returns: how @data was written
 */
LbImapQuoted lb_imap_append_astring (GString          *out,
                                     const char       *data,
                                     gssize            len,
                                     LbImapQuoteFlags  flags);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbImapParser, lb_imap_parser_free)

G_END_DECLS
