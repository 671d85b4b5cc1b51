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

/* Issue 17, cause 2: short undeclared text.  The detector decides between
 * Latin and CJK; the pairs of a CJK reading must be common characters. */
static void
test_guess_short_latin (void)
{
  static const char *const locales[] = { "C", "zh_CN", "zh_TW", "ja_JP", "de_DE" };

  for (gsize i = 0; i < G_N_ELEMENTS (locales); i++)
    {
      g_setenv ("LANGUAGE", locales[i], TRUE);
      g_test_message ("locale %s", locales[i]);
      assert_converts ("Fr\xf6sche", -1, NULL, "Frösche");
      assert_converts ("J\xf6rg L\xfctkebohle", -1, NULL, "Jörg Lütkebohle");
      assert_converts ("\xc5sa \xd6" "berg", -1, NULL, "Åsa Öberg");
      assert_converts ("Gr\xfc\xdf" "e aus K\xf6ln", -1, NULL, "Grüße aus Köln");
      assert_converts ("M\xfcller, J\xfcrgen", -1, NULL, "Müller, Jürgen");
    }
  g_unsetenv ("LANGUAGE");
}

static void
test_guess_short_cjk (void)
{
  g_setenv ("LANGUAGE", "C", TRUE);
  assert_converts ("\xb9\xd8\xd3\xda\xcf\xc2\xd6\xdc\xbb\xe1\xd2\xe9\xb5\xc4\xcd\xa8\xd6\xaa", -1, NULL,
                   "关于下周会议的通知");
  assert_converts ("\xc3\xf6\xa9\xf3\xa4U\xb6g\xb7|\xc4\xb3\xaa\xba\xb3q\xaa\xbe", -1, NULL,
                   "關於下週會議的通知");
  assert_converts ("\x89\xef\x8b" "c\x82\xcc\x82\xa8\x92m\x82\xe7\x82\xb9", -1, NULL, "会議のお知らせ");
  assert_converts ("\xb2\xf1\xb5\xc4\xa4\xce\xa4\xaa\xc3\xce\xa4\xe9\xa4\xbb", -1, NULL, "会議のお知らせ");
  assert_converts ("\xb4\xd9\xc0\xbd \xc1\xd6 \xc8\xb8\xc0\xc7 \xbe\xc8\xb3\xbb", -1, NULL, "다음 주 회의 안내");
  /* A three-character Big5 name: its pairs are common Big5, rare GBK. */
  assert_converts ("\xb3\xaf\xa4j\xa4\xe5", -1, NULL, "陳大文");
  g_unsetenv ("LANGUAGE");
}

/* A genuine tie (a three-hangul name also reads as three common hanzi)
 * goes to the user's locale, and to GB18030 when the locale says nothing. */
static void
test_guess_locale_tie (void)
{
  static const char name[] = "\xb1\xe8\xc3\xb6\xbc\xf6";   /* 김철수 in EUC-KR */

  g_setenv ("LANGUAGE", "ko_KR", TRUE);
  assert_converts (name, -1, NULL, "김철수");
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  assert_converts (name, -1, NULL, "辫枚荐");
  g_setenv ("LANGUAGE", "C", TRUE);
  assert_converts (name, -1, NULL, "辫枚荐");
  g_unsetenv ("LANGUAGE");
}

/* A long undeclared body is detected from its start, cut between
 * characters, and converted whole. */
static void
test_guess_long_body (void)
{
  g_autoptr(GString) gbk = g_string_new (NULL);
  g_autoptr(GString) utf8 = g_string_new (NULL);
  g_autofree char *got = NULL;

  for (int i = 0; i < 3000; i++)
    {
      g_string_append (gbk, GBK_LONG_A GBK_LONG_B "\r\n");
      g_string_append (utf8, "这是一封测试邮件，请查收附件中的报告。谢谢！\r\n");
    }
  got = lb_charset_to_utf8 (gbk->str, gbk->len, NULL);
  g_assert_true (got != NULL && strcmp (got, utf8->str) == 0);
}

/* Cause 7: UTF-7 under both its labels. */
static void
test_utf7 (void)
{
  assert_converts ("+ZeVnLIqe-", -1, "utf-7", "日本語");
  assert_converts ("+ZeVnLIqe-", -1, "UNICODE-1-1-UTF-7", "日本語");
  assert_converts ("Hi +AKM-1", -1, "unicode-1-1-utf-7", "Hi £1");
}

/* Cause 9: raw ISO-2022-JP (a file name, an old Japanese subject). */
static void
test_raw_iso2022jp (void)
{
  assert_converts ("\x1b$B%F%9%H\x1b(B.txt", -1, NULL, "テスト.txt");
  assert_converts ("\x1b$B%F%9%H\x1b(B.txt", -1, "us-ascii", "テスト.txt");
  /* Cut short (cause 4's lost last byte): the rest is still Japanese. */
  assert_converts ("\x1b$B%F%9%H%", -1, "iso-2022-jp", "テスト\xef\xbf\xbd");
}

/* Cause 12: byte-order marks are dropped, and say the charset. */
static void
test_bom (void)
{
  assert_converts ("\xef\xbb\xbfHello", -1, NULL, "Hello");
  assert_converts ("\xef\xbb\xbf\xe4\xb8\xad\xe6\x96\x87", -1, "utf-8", "中文");
  assert_converts ("\xef\xbb\xbf\xe4\xb8\xad\xe6\x96\x87", -1, "gb2312", "中文");
  assert_converts ("\xff\xfeH\0i\0", 6, NULL, "Hi");
  assert_converts ("\xfe\xff\0H\0i", 6, "utf-16", "Hi");
  assert_converts ("\xff\xfeH\0i\0", 6, "utf-16le", "Hi");
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
  g_test_add_func ("/mime/charset/guess-short-latin", test_guess_short_latin);
  g_test_add_func ("/mime/charset/guess-short-cjk", test_guess_short_cjk);
  g_test_add_func ("/mime/charset/guess-locale-tie", test_guess_locale_tie);
  g_test_add_func ("/mime/charset/guess-long-body", test_guess_long_body);
  g_test_add_func ("/mime/charset/utf7", test_utf7);
  g_test_add_func ("/mime/charset/raw-iso2022jp", test_raw_iso2022jp);
  g_test_add_func ("/mime/charset/bom", test_bom);

  return g_test_run ();
}
