/* test-mime-header.c: RFC 2047 and raw 8-bit header decoding
 *
 * Base64 payloads were made with Python:
 * base64.b64encode('朱镕基和张喆'.encode('gbk')) == b'1uzpRrv5us3VxYa0'.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "lb-mime.h"

static void
assert_decodes (const char *raw,
                const char *expected)
{
  g_autofree char *got = lb_mime_decode_header (raw);

  g_test_message ("raw: %s", raw);
  g_assert_nonnull (got);
  g_assert_true (g_utf8_validate (got, -1, NULL));
  g_assert_cmpstr (got, ==, expected);
}

static void
test_gb2312_word_with_gbk_chars (void)
{
  assert_decodes ("=?gb2312?B?1uzpRrv5us3VxYa0?=", "朱镕基和张喆");
  assert_decodes ("=?GB2312?b?1uzpRrv5us3VxYa0?=", "朱镕基和张喆");
  /* A four-byte GB18030 character under a GB2312 label (GMime gives "?2?6"). */
  assert_decodes ("=?gb2312?B?lTKCNg==?=", "𠀀");
  /* UTF-8 text under a GB2312 label. */
  assert_decodes ("=?gb2312?B?5Lit5paH6YKu5Lu2?=", "中文邮件");
}

static void
test_split_words (void)
{
  /* 镕 (E9 46) is split between the words, at a base64 quantum boundary. */
  assert_decodes ("=?gb2312?B?1uzp?= =?gb2312?B?Rrv5us3VxYa0?=", "朱镕基和张喆");
  /* The same split with '=' padding in the first word: GMime 3.2.13 loses
   * everything after it; bytes must be joined, not base64 text. */
  assert_decodes ("=?gb2312?B?1uzpRrs=?= =?gb2312?B?+brN1cWGtA==?=", "朱镕基和张喆");
  /* Folded between the words. */
  assert_decodes ("=?gb2312?B?1uzpRrs=?=\r\n =?gb2312?B?+brN1cWGtA==?=", "朱镕基和张喆");
  assert_decodes ("=?gb2312?B?1uzpRrs=?=\n\t=?gb2312?B?+brN1cWGtA==?=", "朱镕基和张喆");
  /* UTF-8 split inside a character, in Q and across B and Q. */
  assert_decodes ("=?utf-8?Q?=E4=B8?= =?utf-8?Q?=AD=E6=96=87?=", "中文");
  assert_decodes ("=?utf-8?B?5Li?= =?UTF-8?Q?=AD?=", "中");
  /* Adjacent words with no whitespace at all. */
  assert_decodes ("=?utf-8?B?5Lit?==?utf-8?B?5paH?=", "中文");
  /* Different charsets side by side. */
  assert_decodes ("=?utf-8?B?5Lit?= =?gbk?B?zsQ=?=", "中文");
}

static void
test_whitespace_rules (void)
{
  assert_decodes ("=?utf-8?B?5Lit?= abc =?utf-8?B?5paH?=", "中 abc 文");
  assert_decodes ("Re: =?utf-8?B?5Lit?=", "Re: 中");
  assert_decodes ("Re:=?utf-8?B?5Lit?=x", "Re:中x");
  assert_decodes ("=?utf-8?q?hello_world?=", "hello world");
  assert_decodes ("Hello\r\n World", "Hello World");
  assert_decodes ("  padded  ", "padded");
  /* Control characters from a Q word or an ENVELOPE literal become spaces. */
  assert_decodes ("=?utf-8?Q?a=0D=0Ab?=", "a  b");
  assert_decodes ("a\r\nb", "a b");
}

static void
test_labels (void)
{
  assert_decodes ("=?x-gbk?B?1uzpRrv5us3VxYa0?=", "朱镕基和张喆");
  assert_decodes ("=?unknown-8bit?B?1uzpRrv5us3VxYa0?=", "朱镕基和张喆");
  assert_decodes ("=?bogus?B?1uzpRrv5us3VxYa0?=", "朱镕基和张喆");
  assert_decodes ("=?utf-8*zh-cn?B?5Lit?=", "中");
  assert_decodes ("=?GBK?B?u+HS6c2o1qqjusP3zOzPws7nyP214w==?=", "会议通知：明天下午三点");
}

static void
test_raw_8bit (void)
{
  /* 中文邮件测试 as raw GBK bytes, as old mailers send it. */
  assert_decodes ("\xd6\xd0\xce\xc4\xd3\xca\xbc\xfe\xb2\xe2\xca\xd4", "中文邮件测试");
  assert_decodes ("Re: \xd6\xd0\xce\xc4 =?utf-8?B?5paH?=", "Re: 中文 文");
  assert_decodes ("中文邮件测试", "中文邮件测试");
}

/* Issue 17, cause 2: raw bytes inside an encoded-word are that word's
 * charset, whatever the text around it is; raw text outside words takes
 * the message's declared charset before the detector. */
static void
test_raw_8bit_in_words (void)
{
  assert_decodes ("=?iso-8859-1?Q?Fr\xf6sche?=", "Frösche");
  assert_decodes ("=?ISO-8859-1?Q?J\xf6rg_L\xfctkebohle?= <j@example.de>", "Jörg Lütkebohle <j@example.de>");
  assert_decodes ("\xd6\xd0\xce\xc4 =?iso-8859-1?Q?caf\xe9?=", "中文 café");
  {
    g_autofree char *latin2 = lb_mime_decode_header_with_fallback ("Za\xbf\xf3\xb3\xe6 g\xea\xb6l\xb1", "iso-8859-2");
    g_autofree char *wrong = lb_mime_decode_header_with_fallback ("\xd6\xd0\xce\xc4\xd3\xca\xbc\xfe", "utf-8");
    g_autofree char *utf16 = lb_mime_decode_header_with_fallback ("Fr\xf6sche =?utf-8?B?5paH?=", "utf-16");

    g_assert_cmpstr (latin2, ==, "Zażółć gęślą");
    /* A declared charset the bytes disagree with is not used. */
    g_assert_cmpstr (wrong, ==, "中文邮件");
    /* Nor one in which the encoded-words would not survive. */
    g_assert_cmpstr (utf16, ==, "Frösche 文");
  }
}

static void
test_broken (void)
{
  g_assert_null (lb_mime_decode_header (NULL));
  assert_decodes ("", "");
  /* Not encoded-words: kept as text. */
  assert_decodes ("=?utf-8?B?5Lit", "=?utf-8?B?5Lit");
  assert_decodes ("=?utf-8?X?abc?=", "=?utf-8?X?abc?=");
  assert_decodes ("=??B?abc?=", "=??B?abc?=");
  assert_decodes ("=?", "=?");
  /* Broken payloads decode to something valid. */
  {
    g_autofree char *got = lb_mime_decode_header ("=?utf-8?B?!!!invalid@@@?= =?utf-8?Q?=ZZ=F?=");
    g_assert_true (g_utf8_validate (got, -1, NULL));
  }
  {
    /* A lone 0x81 fits no charset we try: U+FFFD. */
    g_autofree char *got = lb_mime_decode_header ("=?utf-8?B?gQ==?=");
    g_assert_cmpstr (got, ==, "\xef\xbf\xbd");
  }
}

static void
test_huge (void)
{
  GString *s = g_string_new ("Subject ");
  g_autofree char *got = NULL;

  for (int i = 0; i < 50000; i++)
    g_string_append (s, "=?gb2312?B?1uzpRrv5us3VxYa0?= ");
  got = lb_mime_decode_header (s->str);
  g_assert_true (g_utf8_validate (got, -1, NULL));
  g_assert_true (g_str_has_prefix (got, "Subject 朱镕基和张喆朱镕基和张喆"));
  g_assert_cmpuint (strlen (got), ==, strlen ("Subject ") + 50000 * strlen ("朱镕基和张喆"));
  g_string_free (s, TRUE);
}

static void
test_init_options (void)
{
  GMimeParserOptions *options;
  const char **fallback;

  lb_mime_init ();
  lb_mime_init ();
  options = lb_mime_get_parser_options ();
  g_assert_nonnull (options);
  g_assert_true (options == lb_mime_get_parser_options ());
  g_assert_nonnull (lb_mime_get_format_options ());
  fallback = g_mime_parser_options_get_fallback_charsets (options);
  g_assert_cmpstr (fallback[0], ==, "utf-8");
  g_assert_cmpstr (fallback[1], ==, "gb18030");
  g_assert_cmpstr (fallback[2], ==, "iso-8859-1");
}

static gpointer
decode_in_thread (gpointer data)
{
  for (int i = 0; i < 200; i++)
    {
      g_autofree char *got = lb_mime_decode_header ("=?gb2312?B?1uzpRrs=?= =?gb2312?B?+brN1cWGtA==?=");
      if (g_strcmp0 (got, "朱镕基和张喆") != 0)
        return GINT_TO_POINTER (1);
    }
  return NULL;
}

static void
test_threads (void)
{
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("decode", decode_in_thread, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_null (g_thread_join (threads[i]));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mime/header/gb2312-word-gbk-chars", test_gb2312_word_with_gbk_chars);
  g_test_add_func ("/mime/header/split-words", test_split_words);
  g_test_add_func ("/mime/header/whitespace", test_whitespace_rules);
  g_test_add_func ("/mime/header/labels", test_labels);
  g_test_add_func ("/mime/header/raw-8bit", test_raw_8bit);
  g_test_add_func ("/mime/header/raw-8bit-in-words", test_raw_8bit_in_words);
  g_test_add_func ("/mime/header/broken", test_broken);
  g_test_add_func ("/mime/header/huge", test_huge);
  g_test_add_func ("/mime/header/init-options", test_init_options);
  g_test_add_func ("/mime/header/threads", test_threads);

  return g_test_run ();
}
