/* fuzz-mime.c: everything the reader and the store decode from a raw message
 *
 * The input is parsed as a message and every getter the reader, the list and
 * search use is called.  The same bytes also go through the header decoder,
 * the charset converter (with a label picked by the first byte), the charset
 * detector (with a locale picked by the second byte), the header and address
 * decoders with a declared charset, the lenient base64 decoder and the text
 * helpers, which all must return valid UTF-8 whatever they are given.  The bytes are
 * also parsed as the parts of a multipart/related and of a multipart/signed, so that
 * the fuzzer reaches the related-part rules, the signature listing and the repair of
 * parts without a blank line after their headers without first having to find the
 * multipart syntax; and HTML goes through libxml2's parser (lb_mime_html_to_text), and
 * through the composer's simplifier, whose output must be well-formed for GMarkup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lb-address.h"
#include "lb-mime.h"
#include "lb-mime-message.h"
#include "lb-mime-simplify.h"
#include "lb-mime-text.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_utf8 (const char *s)
{
  if (s != NULL && !g_utf8_validate (s, -1, NULL))
    abort ();
}

static void
check_addresses (GPtrArray *list)
{
  g_autofree char *display = lb_address_list_to_display (list);

  check_utf8 (display);
  for (guint i = 0; i < list->len; i++)
    {
      LbAddress *a = g_ptr_array_index (list, i);

      check_utf8 (a->name);
      check_utf8 (a->address);
    }
}

/* What the composer's editor reads must be valid UTF-8 and well-formed. */
static void
check_simplified (const char *html)
{
  static const GMarkupParser none = { 0 };
  g_autofree char *simple = lb_mime_html_simplify (html, TRUE);
  g_autofree char *doc = g_strconcat ("<body>", simple, "</body>", NULL);
  GMarkupParseContext *ctx = g_markup_parse_context_new (&none, 0, NULL, NULL);
  gboolean ok;

  check_utf8 (simple);
  ok = g_markup_parse_context_parse (ctx, doc, -1, NULL) && g_markup_parse_context_end_parse (ctx, NULL);
  g_markup_parse_context_free (ctx);
  if (!ok)
    abort ();
}

/* Every getter the reader, the list and search use must work and give valid UTF-8. */
static void
check_message (LbMimeMessage *message)
{
  GPtrArray *attachments = lb_mime_message_get_attachments (message);
  g_autofree char *preview = lb_mime_message_dup_preview (message, 200);
  g_autofree char *reader = lb_mime_message_dup_reader_html (message);
  const char *html = lb_mime_message_get_html (message);
  GDateTime *date = lb_mime_message_get_date (message);

  check_utf8 (lb_mime_message_get_subject (message));
  check_utf8 (lb_mime_message_get_text (message));
  check_utf8 (html);
  check_utf8 (preview);
  check_utf8 (reader);
  check_utf8 (lb_mime_message_get_message_id (message));
  check_utf8 (lb_mime_message_get_in_reply_to (message));
  for (const char *const *r = lb_mime_message_get_references (message); *r != NULL; r++)
    check_utf8 (*r);
  check_addresses (lb_mime_message_get_from (message));
  check_addresses (lb_mime_message_get_to (message));
  check_addresses (lb_mime_message_get_cc (message));
  check_addresses (lb_mime_message_get_reply_to (message));
  if (date != NULL)
    g_free (g_date_time_format_iso8601 (date));
  if (html != NULL)
    {
      g_autofree char *text = lb_mime_html_to_text (html);
      check_utf8 (text);
      check_simplified (html);
    }
  (void) lb_mime_message_get_signed (message);
  for (guint i = 0; i < attachments->len; i++)
    {
      LbMimeAttachment *a = g_ptr_array_index (attachments, i);

      check_utf8 (lb_mime_attachment_get_filename (a));
      if (*lb_mime_attachment_get_filename (a) == '\0')
        abort ();
      if (lb_mime_attachment_get_size (a) != g_bytes_get_size (lb_mime_attachment_get_bytes (a)))
        abort ();
      if (lb_mime_attachment_get_content_id (a) != NULL)
        lb_mime_message_lookup_cid (message, lb_mime_attachment_get_content_id (a), NULL);
    }
  lb_mime_message_lookup_cid (message, "cid:%", NULL);
}

/* The input as the parts of a multipart of TYPE (its first bytes are the first part's
 * headers, a "--F" line inside starts another part). */
static void
check_wrapped (const uint8_t *data,
               size_t         size,
               const char    *type)
{
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LbMimeMessage) message = NULL;
  g_autofree char *head = g_strdup_printf ("Content-Type: %s; boundary=F\r\n\r\n--F\r\n", type);

  g_byte_array_append (raw, (const guint8 *) head, strlen (head));
  g_byte_array_append (raw, data, size);
  g_byte_array_append (raw, (const guint8 *) "\r\n--F--\r\n", 9);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&raw));
  message = lb_mime_message_new_from_bytes (bytes, NULL);
  if (message != NULL)
    check_message (message);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char *labels[] = { NULL, "gb2312", "utf-8", "big5", "x-gbk", "iso-2022-jp",
                                  "utf-16", "shift_jis", "iso-8859-1", "unknown-8bit", "utf-7",
                                  "unicode-1-1-utf-7", "euc-kr", "euc-jp", "tis-620", "iso-8859-2",
                                  "utf-16le" };
  static const char *locales[] = { NULL, "C", "zh_CN.UTF-8", "zh_TW", "ja_JP", "ko_KR", "pl_PL",
                                   "ru_RU", "th_TH", "tr" };
  const char *label = labels[size > 0 ? data[0] % G_N_ELEMENTS (labels) : 0];
  const char *locale = locales[size > 1 ? data[1] % G_N_ELEMENTS (locales) : 0];
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(LbMimeMessage) message = NULL;
  g_autofree char *string = g_strndup ((const char *) data, size);

  message = lb_mime_message_new_from_bytes (bytes, NULL);
  if (message != NULL)
    check_message (message);
  check_wrapped (data, size, "multipart/related; type=\"text/html\"");
  check_wrapped (data, size, "multipart/signed; protocol=\"application/pgp-signature\"");

  {
    g_autofree char *header = lb_mime_decode_header (string);
    g_autofree char *converted = lb_charset_to_utf8 ((const char *) data, size, label);
    g_autofree char *hinted = lb_mime_decode_header_with_fallback (string, label);
    g_autofree char *raw_header = lb_mime_header_to_utf8 ((const char *) data, size, label);
    g_autoptr(GPtrArray) addresses = lb_address_list_decode_with_fallback (string, label, NULL);
    g_autoptr(GBytes) base64 = lb_mime_base64_decode ((const char *) data, size);
    const char *guess = size > 0 ? lb_charset_guess ((const char *) data, size, locale) : "UTF-8";
    g_autofree char *server = lb_charset_decode_server_text ((const char *) data, size);
    g_autofree char *text = lb_mime_html_to_text (string);
    g_autofree char *preview = lb_mime_preview (converted, 200);
    g_autofree char *html = lb_mime_text_to_html (converted);

    check_utf8 (header);
    check_utf8 (converted);
    check_utf8 (hinted);
    check_utf8 (raw_header);
    check_addresses (addresses);
    if (guess == NULL || g_bytes_get_size (base64) > size * 3 / 4 + 3)
      abort ();
    check_utf8 (server);
    check_utf8 (text);
    check_utf8 (preview);
    check_utf8 (html);
    if (strstr (html, "<script") != NULL)
      abort ();
  }
  return 0;
}
