/* lb-charset.h: charset labels and conversion to UTF-8 with repair
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * lb_charset_normalize:
 * @label: (nullable): a charset label as found in mail (`gb2312`, `"x-gbk"`, `UTF8`, ...)
 *
 * Maps a label to the iconv name Letterbox converts with.  Every GB label
 * (gb2312, gb_2312-80, gbk, x-gbk, cp936, euc-cn, chinese, csgb2312, ...)
 * becomes `GB18030`, a strict superset, because mail labelled GB2312 very
 * often holds GBK or GB18030 text.  Big5 labels become `BIG5-HKSCS`, Shift_JIS
 * labels `CP932`, and ASCII/Latin-1 labels `WINDOWS-1252` (as browsers do).
 *
 * Returns: (transfer full) (nullable): the iconv name, or %NULL when the label
 *   is missing or carries no information (`unknown-8bit`, `x-unknown`, `default`, ...).
 *   Labels Letterbox does not know are returned upper-cased, unchecked.
 */
char *lb_charset_normalize (const char *label);

/**
 * lb_charset_guess:
 * @bytes: (array length=len): undeclared text
 * @len: length of @bytes, or -1 if it is NUL-terminated
 * @locale: (nullable): a locale name (`zh_CN.UTF-8`, `ja`) whose charsets win
 *   a tie, or %NULL for the user's locale
 *
 * Guesses the charset of text that declares none, with a statistical
 * detector (uchardet) checked against the bytes: a multi-byte guess must
 * decode them without error, and for short text (a name, a subject) a Latin
 * guess becomes the locale's Latin charset.  When the detector cannot
 * decide, the locale's own charsets are tried first, then GB18030, Big5,
 * Shift_JIS, EUC-JP, EUC-KR and Windows-1252.  Valid UTF-8 is `UTF-8`, 7-bit
 * text with ISO-2022 escapes `ISO-2022-JP-2`.  Thread-safe.
 *
 * Returns: (transfer none): an iconv charset name
 */
const char *lb_charset_guess (const char *bytes,
                              gssize      len,
                              const char *locale);

/**
 * lb_charset_to_utf8:
 * @bytes: (array length=len): text in some charset; may contain NUL bytes if @len is given
 * @len: length of @bytes, or -1 if it is NUL-terminated
 * @label: (nullable): the declared charset label, if any
 *
 * Converts text to UTF-8, trusting @label only as far as the bytes agree
 * with it.  Valid UTF-8 labelled as a legacy charset is taken as UTF-8.  When
 * the label is missing, unknown or wrong, the bytes are tried as UTF-8, then
 * as lb_charset_guess() says.  A leading byte-order mark sets the charset
 * (UTF-8, or UTF-16 when the label allows it) and is dropped.  Undecodable
 * bytes become U+FFFD and decoding resumes after them, so the rest of the
 * text is never lost.  NUL characters are dropped.  Thread-safe.
 *
 * Returns: (transfer full) (not nullable): valid UTF-8
 */
char *lb_charset_to_utf8 (const char *bytes,
                          gssize      len,
                          const char *label);

/**
 * lb_charset_decode_server_text:
 * @bytes: (array length=len): a server reply text (IMAP NO/BAD text, SMTP reply)
 * @len: length of @bytes, or -1 if it is NUL-terminated
 *
 * Decodes a server's human-readable text, which has no declared charset and
 * is sometimes GBK (QQ's older SMTP `535 Error: 请使用授权码登录…`).
 * Control characters (including CR/LF) become spaces and the result is
 * trimmed.
 *
 * Returns: (transfer full) (not nullable): valid UTF-8
 */
char *lb_charset_decode_server_text (const char *bytes,
                                     gssize      len);

G_END_DECLS
