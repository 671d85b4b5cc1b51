/* test-mime-charsets.c: charsets in real-world mail (issue 17)
 *
 * Each test reads one message of tests/data/corpus/cs-*.eml, written byte by
 * byte by cs-make.sh there, and checks what the reader would show: raw
 * 8-bit headers (cause 2), bodies without a charset (3), base64 without its
 * final padding (4), UTF-7 (7), raw ISO-2022-JP file names (9) and
 * byte-order marks (12).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "lb-address.h"
#include "lb-mime-message.h"

static LbMimeMessage *
load (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("LB_TEST_SRCDIR"), "tests", "data", "corpus",
                                            name, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GBytes) bytes = NULL;
  LbMimeMessage *message;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  bytes = g_bytes_new (data, len);
  message = lb_mime_message_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static const char *
from_name (LbMimeMessage *m)
{
  GPtrArray *from = lb_mime_message_get_from (m);
  LbAddress *a;

  g_assert_cmpuint (from->len, ==, 1);
  a = g_ptr_array_index (from, 0);
  return a->name;
}

static void
assert_body_has (LbMimeMessage *m,
                 const char    *line)
{
  const char *text = lb_mime_message_get_text (m);

  g_test_message ("body: %s", text);
  g_assert_nonnull (strstr (text, line));
}

/* Cause 2 --------------------------------------------------------------- */

static void
test_latin1_raw_headers (void)
{
  g_autoptr(LbMimeMessage) m = load ("cs-latin1-raw-headers.eml");

  g_assert_cmpstr (lb_mime_message_get_subject (m), ==, "Frösche und Kröten");
  g_assert_cmpstr (from_name (m), ==, "Jörg Lütkebohle");
}

static void
test_8bit_in_encoded_word (void)
{
  g_autoptr(LbMimeMessage) m = load ("cs-8bit-in-encoded-word.eml");

  g_assert_cmpstr (lb_mime_message_get_subject (m), ==, "Frösche");
  g_assert_cmpstr (from_name (m), ==, "Jörg Lütkebohle");
}

static void
test_raw_big5_headers (void)
{
  g_autoptr(LbMimeMessage) m = load ("cs-raw-big5-headers.eml");

  g_assert_cmpstr (lb_mime_message_get_subject (m), ==, "關於下週會議的通知");
  g_assert_cmpstr (from_name (m), ==, "陳大文");
  assert_body_has (m, "您好，附件是本季度的銷售報告，請查收。");
}

/* The text part's charset decides for the headers before the detector,
 * which alone would read short Latin-2 as Windows-1252. */
static void
test_raw_headers_declared_charset (void)
{
  g_autoptr(LbMimeMessage) m = load ("cs-raw-latin2-declared.eml");

  g_assert_cmpstr (lb_mime_message_get_subject (m), ==, "Zażółć gęślą jaźń");
  g_assert_cmpstr (from_name (m), ==, "Małgorzata Wójcik");
}

/* Cause 3 --------------------------------------------------------------- */

static void
test_bodies_without_charset (void)
{
  static const struct { const char *file; const char *line; } cases[] = {
    { "cs-thai-nocharset.eml", "ขอส่งเอกสารการประชุมมาให้ตรวจสอบ" },
    { "cs-eucjp-nocharset.eml", "いつもお世話になっております。" },
    { "cs-euckr-nocharset.eml", "지난번 말씀하신 자료를 첨부합니다." },
    { "cs-latin2-nocharset.eml", "przesyłam w załączniku sprawozdanie za ostatni kwartał" },
    /* Bodies of GMime's charset filter tests. */
    { "cs-gmime-cp1252-nocharset.eml", "Maître Renard, par l’odeur alléché," },
    { "cs-gmime-big5-nocharset.eml", "意愛需免室要身代打邸政開。" },
    { "cs-gmime-sjis-nocharset.eml", "格ヌ込都広フこ海者じあー女石タカ聞罪ル産表" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LbMimeMessage) m = load (cases[i].file);

      g_test_message ("%s", cases[i].file);
      assert_body_has (m, cases[i].line);
    }
}

/* A three-hangul name alone is a tie the locale would give to GB18030; the
 * charset on the enclosing multipart says it is Korean. */
static void
test_multipart_charset (void)
{
  g_autoptr(LbMimeMessage) m = load ("cs-multipart-charset.eml");

  g_assert_cmpstr (lb_mime_message_get_text (m), ==, "김철수");
}

/* Cause 4 --------------------------------------------------------------- */

static void
test_base64_without_padding (void)
{
  static const guint8 seven[] = { 0, 37, 74, 111, 148, 185, 222 };
  g_autoptr(LbMimeMessage) m = load ("cs-base64-nopad.eml");
  GPtrArray *attachments = lb_mime_message_get_attachments (m);
  LbMimeAttachment *a;
  GBytes *bytes;

  g_assert_cmpstr (lb_mime_message_get_subject (m), ==, "テスト");
  g_assert_cmpstr (lb_mime_message_get_text (m), ==, "Hi! テスト");
  g_assert_cmpuint (attachments->len, ==, 1);
  a = g_ptr_array_index (attachments, 0);
  g_assert_cmpstr (lb_mime_attachment_get_filename (a), ==, "seven.bin");
  bytes = lb_mime_attachment_get_bytes (a);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), seven, sizeof seven);
}

/* Cause 7, 9, 12 --------------------------------------------------------- */

static void
test_utf7 (void)
{
  g_autoptr(LbMimeMessage) m = load ("cs-utf7.eml");

  g_assert_cmpstr (lb_mime_message_get_subject (m), ==, "日本語 test");
  g_assert_cmpstr (from_name (m), ==, "日本語");
  g_assert_cmpstr (lb_mime_message_get_text (m), ==, "日本語 £1\n");
}

static void
test_iso2022jp_filename (void)
{
  g_autoptr(LbMimeMessage) m = load ("cs-iso2022jp-filename.eml");
  GPtrArray *attachments = lb_mime_message_get_attachments (m);

  g_assert_cmpuint (attachments->len, ==, 1);
  g_assert_cmpstr (lb_mime_attachment_get_filename (g_ptr_array_index (attachments, 0)), ==, "テスト.txt");
}

static void
test_bom (void)
{
  g_autoptr(LbMimeMessage) m8 = load ("cs-bom-utf8.eml");
  g_autoptr(LbMimeMessage) m16 = load ("cs-bom-utf16.eml");
  g_autofree char *preview = lb_mime_message_dup_preview (m8, 100);

  g_assert_cmpstr (lb_mime_message_get_text (m8), ==, "Hello 你好\n");
  g_assert_cmpstr (lb_mime_message_get_text (m16), ==, "Hello 你好\n");
  g_assert_true (g_str_has_prefix (preview, "Hello"));
}

int
main (int   argc,
      char *argv[])
{
  /* The tie-breaks depend on the locale; these messages must not. */
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mime/charsets/latin1-raw-headers", test_latin1_raw_headers);
  g_test_add_func ("/mime/charsets/8bit-in-encoded-word", test_8bit_in_encoded_word);
  g_test_add_func ("/mime/charsets/raw-big5-headers", test_raw_big5_headers);
  g_test_add_func ("/mime/charsets/raw-headers-declared-charset", test_raw_headers_declared_charset);
  g_test_add_func ("/mime/charsets/bodies-without-charset", test_bodies_without_charset);
  g_test_add_func ("/mime/charsets/multipart-charset", test_multipart_charset);
  g_test_add_func ("/mime/charsets/base64-without-padding", test_base64_without_padding);
  g_test_add_func ("/mime/charsets/utf7", test_utf7);
  g_test_add_func ("/mime/charsets/iso2022jp-filename", test_iso2022jp_filename);
  g_test_add_func ("/mime/charsets/bom", test_bom);

  return g_test_run ();
}
