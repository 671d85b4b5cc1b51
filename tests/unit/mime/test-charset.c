/* test-charset.c: charset labels, conversion and repair
 *
 * The byte strings are real encodings produced with Python's codecs
 * ('朱镕基和张喆'.encode('gbk') and so on) and pasted as C escapes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "lb-charset.h"

/* 朱镕基和张喆: 镕 (E9 46) and 喆 (86 B4) are in GBK but not in GB2312. */
#define GBK_NAMES "\xd6\xec\xe9\x46\xbb\xf9\xba\xcd\xd5\xc5\x86\xb4"
/* 中文邮件测试 */
#define GBK_SUBJECT "\xd6\xd0\xce\xc4\xd3\xca\xbc\xfe\xb2\xe2\xca\xd4"
/* 这是一封测试邮件，请查收附件中的报告。谢谢！ */
#define GBK_LONG_A "\xd5\xe2\xca\xc7\xd2\xbb\xb7\xe2\xb2\xe2\xca\xd4\xd3\xca\xbc\xfe\xa3\xac"
#define GBK_LONG_B "\xc7\xeb\xb2\xe9\xca\xd5\xb8\xbd\xbc\xfe\xd6\xd0\xb5\xc4\xb1\xa8\xb8\xe6\xa1\xa3" \
                   "\xd0\xbb\xd0\xbb\xa3\xa1"
/* 𠀀 (U+20000) in GB18030: a four-byte sequence glibc's GBK rejects. */
#define GB18030_4BYTE "\x95\x32\x82\x36"

static void
test_normalize (void)
{
  static const struct { const char *label; const char *expected; } cases[] = {
    { "gb2312", "GB18030" }, { "GB2312", "GB18030" }, { "gb_2312-80", "GB18030" },
    { "GB_2312-80", "GB18030" }, { "gbk", "GB18030" }, { "x-gbk", "GB18030" },
    { "cp936", "GB18030" }, { "euc-cn", "GB18030" }, { "chinese", "GB18030" },
    { "csgb2312", "GB18030" }, { "\"gb2312\"", "GB18030" }, { " gbk ", "GB18030" },
    { "gb18030", "GB18030" }, { "big5", "BIG5-HKSCS" }, { "Big5-HKSCS", "BIG5-HKSCS" },
    { "x-x-big5", "BIG5-HKSCS" }, { "shift_jis", "CP932" }, { "utf8", "UTF-8" },
    { "UTF-8", "UTF-8" }, { "utf-8*zh-cn", "UTF-8" }, { "iso-8859-1", "WINDOWS-1252" },
    { "us-ascii", NULL }, { "unknown-8bit", NULL }, { "x-unknown", NULL }, { "", NULL },
    { "koi8-r", "KOI8-R" }, { "bogus<script>", NULL },
  };

  g_assert_null (lb_charset_normalize (NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = lb_charset_normalize (cases[i].label);

      g_test_message ("label %s", cases[i].label);
      g_assert_cmpstr (got, ==, cases[i].expected);
    }
}

static void
assert_converts (const char *bytes,
                 gssize      len,
                 const char *label,
                 const char *expected)
{
  g_autofree char *got = lb_charset_to_utf8 (bytes, len, label);

  g_test_message ("label %s", label != NULL ? label : "(none)");
  g_assert_true (g_utf8_validate (got, -1, NULL));
  g_assert_cmpstr (got, ==, expected);
}

static void
test_gb2312_label_gbk_chars (void)
{
  /* The GB2312 label is wrong for these names, as it very often is. */
  assert_converts (GBK_NAMES, -1, "gb2312", "朱镕基和张喆");
  assert_converts (GBK_NAMES, -1, "GB_2312-80", "朱镕基和张喆");
  assert_converts (GB18030_4BYTE, -1, "gb2312", "𠀀");
  assert_converts (GB18030_4BYTE, -1, "gbk", "𠀀");
}

static void
test_gbk_labels (void)
{
  assert_converts (GBK_SUBJECT, -1, "x-gbk", "中文邮件测试");
  assert_converts (GBK_SUBJECT, -1, "cp936", "中文邮件测试");
  assert_converts (GBK_SUBJECT, -1, "euc-cn", "中文邮件测试");
  assert_converts (GBK_SUBJECT, -1, "\"GBK\"", "中文邮件测试");
}

static void
test_missing_and_bogus_labels (void)
{
  assert_converts (GBK_SUBJECT, -1, NULL, "中文邮件测试");
  assert_converts (GBK_SUBJECT, -1, "", "中文邮件测试");
  assert_converts (GBK_SUBJECT, -1, "unknown-8bit", "中文邮件测试");
  assert_converts (GBK_SUBJECT, -1, "us-ascii", "中文邮件测试");
  assert_converts (GBK_SUBJECT, -1, "x-no-such-charset", "中文邮件测试");
  assert_converts (GBK_SUBJECT, -1, "bogus\"label", "中文邮件测试");
  assert_converts (GBK_LONG_A GBK_LONG_B, -1, NULL, "这是一封测试邮件，请查收附件中的报告。谢谢！");
}

static void
test_wrong_labels (void)
{
  /* GBK bytes labelled UTF-8. */
  assert_converts (GBK_SUBJECT, -1, "utf-8", "中文邮件测试");
  /* UTF-8 labelled GB2312: reading it as GB18030 would give 涓枃 mojibake. */
  assert_converts ("中文邮件测试", -1, "gb2312", "中文邮件测试");
  /* UTF-8 labelled Latin-1. */
  assert_converts ("café", -1, "iso-8859-1", "café");
}

static void
test_other_charsets (void)
{
  assert_converts ("caf\xe9 cr\xe8me", -1, "iso-8859-1", "café crème");
  assert_converts ("\x80", -1, "windows-1252", "€");
  assert_converts ("\xc1\x63\xc5\xe9\xa4\xa4\xa4\xe5", -1, "big5", "繁體中文");
  assert_converts ("\x93\xfa\x96\x7b\x8c\xea\x82\xcc\x83\x65\x83\x4c\x83\x58\x83\x67", -1,
                   "shift_jis", "日本語のテキスト");
  assert_converts ("plain ascii", -1, "gb2312", "plain ascii");
  assert_converts ("中文", -1, NULL, "中文");
  assert_converts ("caf\xe9 au lait", -1, NULL, "café au lait");
}

static void
test_bad_byte_keeps_rest (void)
{
  /* One corrupt byte costs one U+FFFD; the text after it survives. */
  assert_converts (GBK_LONG_A "\xff" GBK_LONG_B, -1, "gbk",
                   "这是一封测试邮件，\xef\xbf\xbd请查收附件中的报告。谢谢！");
  assert_converts (GBK_LONG_A "\xff" GBK_LONG_B, -1, NULL,
                   "这是一封测试邮件，\xef\xbf\xbd请查收附件中的报告。谢谢！");
  /* A truncated character at the end. */
  assert_converts (GBK_LONG_A GBK_LONG_B "\xd6", -1, "gb2312",
                   "这是一封测试邮件，请查收附件中的报告。谢谢！\xef\xbf\xbd");
  /* Damaged UTF-8 stays UTF-8. */
  assert_converts ("这是一封测试邮件\xff请查收附件中的报告", -1, "utf-8",
                   "这是一封测试邮件\xef\xbf\xbd请查收附件中的报告");
}

static void
test_nul_and_empty (void)
{
  assert_converts ("a\0b", 3, NULL, "ab");
  assert_converts (GBK_SUBJECT "\0", sizeof GBK_SUBJECT, "gbk", "中文邮件测试");
  assert_converts ("", 0, "gbk", "");
  assert_converts (NULL, 0, NULL, "");
}

static void
test_random_bytes_valid (void)
{
  static const char *labels[] = { NULL, "utf-8", "gb2312", "big5", "shift_jis", "iso-2022-jp",
                                  "utf-16", "iso-8859-1", "nonsense" };
  GRand *rand = g_rand_new_with_seed (20240601);

  for (int i = 0; i < 500; i++)
    {
      guint8 buf[64];
      gsize len = g_rand_int_range (rand, 0, sizeof buf);
      g_autofree char *out = NULL;

      for (gsize j = 0; j < len; j++)
        buf[j] = g_rand_int_range (rand, 0, 256);
      out = lb_charset_to_utf8 ((const char *) buf, len, labels[i % G_N_ELEMENTS (labels)]);
      g_assert_true (g_utf8_validate (out, -1, NULL));
    }
  g_rand_free (rand);
}

static void
test_server_text (void)
{
  /* QQ's older SMTP 535: "535 Error: " + GBK 请使用授权码登录。详情请看: + URL. */
  static const char reply[] =
    "535 Error: \xc7\xeb\xca\xb9\xd3\xc3\xca\xda\xc8\xa8\xc2\xeb\xb5\xc7\xc2\xbc\xa1\xa3"
    "\xcf\xea\xc7\xe9\xc7\xeb\xbf\xb4: http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256\r\n";
  g_autofree char *text = lb_charset_decode_server_text (reply, -1);
  g_autofree char *utf8 = lb_charset_decode_server_text ("535 Login Fail. Please enter your authorization code\r\n", -1);

  g_assert_cmpstr (text, ==,
                   "535 Error: 请使用授权码登录。详情请看: "
                   "http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256");
  g_assert_cmpstr (utf8, ==, "535 Login Fail. Please enter your authorization code");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mime/charset/normalize", test_normalize);
  g_test_add_func ("/mime/charset/gb2312-label-gbk-chars", test_gb2312_label_gbk_chars);
  g_test_add_func ("/mime/charset/gbk-labels", test_gbk_labels);
  g_test_add_func ("/mime/charset/missing-and-bogus-labels", test_missing_and_bogus_labels);
  g_test_add_func ("/mime/charset/wrong-labels", test_wrong_labels);
  g_test_add_func ("/mime/charset/other-charsets", test_other_charsets);
  g_test_add_func ("/mime/charset/bad-byte-keeps-rest", test_bad_byte_keeps_rest);
  g_test_add_func ("/mime/charset/nul-and-empty", test_nul_and_empty);
  g_test_add_func ("/mime/charset/random-bytes-valid", test_random_bytes_valid);
  g_test_add_func ("/mime/charset/server-text", test_server_text);

  return g_test_run ();
}
