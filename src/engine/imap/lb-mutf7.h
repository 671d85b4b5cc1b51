/* lb-mutf7.h: IMAP modified UTF-7 mailbox names (RFC 3501 section 5.1.3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * lb_mutf7_decode:
 * @in: a mailbox name as the server sent it (NUL-terminated raw bytes)
 * @error: return location for a %LB_ERROR_PARSE error
 *
 * Decodes a modified UTF-7 mailbox name to UTF-8, e.g. `&XfJT0ZAB-` to 已发送 and
 * `&-` to `&`.
 *
 * Malformed input is an error and never guessed at: a byte outside printable
 * ASCII, a character outside the modified base64 alphabet inside `&...-`, a run
 * that is not closed by `-`, leftover non-zero bits, an unpaired UTF-16
 * surrogate or an encoded NUL.  Callers that only need a display name can fall
 * back to the raw name (which they must keep for the wire anyway).
 *
 * Printable ASCII encoded in base64 (which RFC 3501 forbids but some old
 * servers emit) is accepted, so decoding is lenient there and
 * lb_mutf7_encode (lb_mutf7_decode (x)) is not always @x byte for byte.
 *
 * Returns: (transfer full) (nullable): the UTF-8 name, or %NULL on error
 */
char *lb_mutf7_decode (const char  *in,
                       GError     **error);

/**
 * lb_mutf7_encode:
 * @utf8: a mailbox name in UTF-8
 *
 * Encodes a UTF-8 mailbox name to modified UTF-7 (the canonical form: ASCII
 * 0x20..0x7e is written directly, `&` as `&-`, every other run as one
 * `&base64-` run of UTF-16BE, so emoji become surrogate pairs).
 *
 * Returns: (transfer full) (nullable): the encoded name, or %NULL if @utf8 is
 *   not valid UTF-8
 */
char *lb_mutf7_encode (const char  *utf8);

G_END_DECLS
