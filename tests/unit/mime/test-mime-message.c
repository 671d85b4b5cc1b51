/* test-mime-message.c: decoding whole messages for the reader and the store
 *
 * The GBK bytes and base64 payloads were produced with Python
 * (str.encode('gbk'), base64.b64encode) and pasted byte-exact.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "lb-error.h"
#include "lb-address.h"
#include "lb-mime.h"
#include "lb-mime-message.h"

/* 你好，\r\n这是一封测试邮件，请查收附件中的报告。\r\n谢谢！\r\n in GBK */
#define GBK_BODY \
  "\xc4\xe3\xba\xc3\xa3\xac\x0d\x0a\xd5\xe2\xca\xc7\xd2\xbb\xb7\xe2\xb2\xe2\xca\xd4\xd3\xca" \
  "\xbc\xfe\xa3\xac\xc7\xeb\xb2\xe9\xca\xd5\xb8\xbd\xbc\xfe\xd6\xd0\xb5\xc4\xb1\xa8\xb8\xe6" \
  "\xa1\xa3\x0d\x0a\xd0\xbb\xd0\xbb\xa3\xa1\x0d\x0a"
#define GBK_BODY_B64 "xOO6w6OsDQrV4srH0ru34rLiytTTyrz+o6zH67LpytW4vbz+1tC1xLGouOahow0K0LvQu6OhDQo="
#define BODY_UTF8 "你好，\n这是一封测试邮件，请查收附件中的报告。\n谢谢！\n"

static LbMimeMessage *
parse (const char *raw,
       gssize      len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (raw, len < 0 ? strlen (raw) : (gsize) len);
  g_autoptr(GError) error = NULL;
  LbMimeMessage *message = lb_mime_message_new_from_bytes (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static void
test_headers (void)
{
  g_autoptr(LbMimeMessage) m = parse (
    "From: \xd5\xc5\xc6\xf4 <zhang@qq.com>\r\n"
    "To: =?gb2312?B?1uzpRrv5?= <zhu@163.com>, bob@example.com\r\n"
    "Cc: \"Doe, John\" <john@example.com>\r\n"
    "Reply-To: list@example.org\r\n"
    "Subject: =?gb2312?B?1uzpRrs=?=\r\n =?gb2312?B?+brN1cWGtA==?=\r\n"
    "Date: Sat, 01 Jun 2024 10:30:00 +0800\r\n"
    "Message-ID: <abc123@mail.qq.com>\r\n"
    "In-Reply-To: <parent@example.com>\r\n"
    "References: <root@example.com>\r\n <parent@example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "hello\r\n", -1);
  const char *const *refs = lb_mime_message_get_references (m);
  GDateTime *date = lb_mime_message_get_date (m);
  LbAddress *a;

  g_assert_cmpstr (lb_mime_message_get_subject (m), ==, "朱镕基和张喆");
  g_assert_cmpuint (lb_mime_message_get_from (m)->len, ==, 1);
  a = g_ptr_array_index (lb_mime_message_get_from (m), 0);
  g_assert_cmpstr (a->name, ==, "张启");
  g_assert_cmpstr (a->address, ==, "zhang@qq.com");
  g_assert_cmpuint (lb_mime_message_get_to (m)->len, ==, 2);
  a = g_ptr_array_index (lb_mime_message_get_to (m), 0);
  g_assert_cmpstr (a->name, ==, "朱镕基");
  a = g_ptr_array_index (lb_mime_message_get_cc (m), 0);
  g_assert_cmpstr (a->name, ==, "Doe, John");
  a = g_ptr_array_index (lb_mime_message_get_reply_to (m), 0);
  g_assert_cmpstr (a->address, ==, "list@example.org");
  g_assert_nonnull (date);
  g_assert_cmpint (g_date_time_to_unix (date), ==, 1717209000);
  g_assert_cmpstr (lb_mime_message_get_message_id (m), ==, "abc123@mail.qq.com");
  g_assert_cmpstr (lb_mime_message_get_in_reply_to (m), ==, "parent@example.com");
  g_assert_cmpuint (g_strv_length ((GStrv) refs), ==, 2);
  g_assert_cmpstr (refs[0], ==, "root@example.com");
  g_assert_cmpstr (refs[1], ==, "parent@example.com");
  g_assert_cmpstr (lb_mime_message_get_text (m), ==, "hello\n");
  g_assert_null (lb_mime_message_get_html (m));
  g_assert_false (lb_mime_message_has_attachments (m));
  g_assert_finalize_object (g_steal_pointer (&m));
}

static void
test_raw_gbk_subject (void)
{
  g_autoptr(LbMimeMessage) m = parse (
    "Subject: \xd6\xd0\xce\xc4\xd3\xca\xbc\xfe\xb2\xe2\xca\xd4\r\n"
    "From: a@b.cn\r\n\r\nx\r\n", -1);

  g_assert_cmpstr (lb_mime_message_get_subject (m), ==, "中文邮件测试");
  g_assert_null (lb_mime_message_get_date (m));
  g_assert_null (lb_mime_message_get_message_id (m));
  g_assert_cmpuint (g_strv_length ((GStrv) lb_mime_message_get_references (m)), ==, 0);
}

static void
test_gbk_body_without_charset (void)
{
  g_autoptr(LbMimeMessage) eight = parse (
    "Subject: x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" GBK_BODY, -1);
  g_autoptr(LbMimeMessage) b64 = parse (
    "Subject: x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    GBK_BODY_B64 "\r\n", -1);
  g_autoptr(LbMimeMessage) no_type = parse ("Subject: x\r\n\r\n" GBK_BODY, -1);
  g_autoptr(LbMimeMessage) wrong = parse (
    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    GBK_BODY_B64 "\r\n", -1);
  g_autofree char *preview = lb_mime_message_dup_preview (eight, 200);

  g_assert_cmpstr (lb_mime_message_get_text (eight), ==, BODY_UTF8);
  g_assert_cmpstr (lb_mime_message_get_text (b64), ==, BODY_UTF8);
  g_assert_cmpstr (lb_mime_message_get_text (no_type), ==, BODY_UTF8);
  g_assert_cmpstr (lb_mime_message_get_text (wrong), ==, BODY_UTF8);
  g_assert_cmpstr (preview, ==, "你好， 这是一封测试邮件，请查收附件中的报告。 谢谢！");
}

static void
test_x_gbk_quoted_printable (void)
{
  g_autoptr(LbMimeMessage) m = parse (
    "Content-Type: text/plain; charset=\"x-gbk\"\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    "=BB=E1=D2=E9=CD=A8=D6=AA=A3=BA=C3=F7=CC=EC=CF=C2=CE=E7=C8=FD=B5=E3\r\n", -1);

  g_assert_cmpstr (lb_mime_message_get_text (m), ==, "会议通知：明天下午三点\n");
}

static void
test_alternative (void)
{
  g_autoptr(LbMimeMessage) m = parse (
    "Content-Type: multipart/alternative; boundary=\"ALT\"\r\n\r\n"
    "--ALT\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    GBK_BODY_B64 "\r\n"
    "--ALT\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "PGh0bWw+PGhlYWQ+PG1ldGEgaHR0cC1lcXVpdj0iQ29udGVudC1UeXBlIiBjb250ZW50PSJ0ZXh0L2h0bWw7IGNo"
    "YXJzZXQ9Z2IyMzEyIj48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9oZWFkPjxib2R5PjxwPtbs6Ua7+brN1cWG"
    "tDwvcD48L2JvZHk+PC9odG1sPg==\r\n"
    "--ALT--\r\n", -1);
  const char *html = lb_mime_message_get_html (m);
  g_autofree char *reader = lb_mime_message_dup_reader_html (m);

  g_assert_cmpstr (lb_mime_message_get_text (m), ==, BODY_UTF8);
  /* The HTML had no charset parameter: its <meta> said gb2312. */
  g_assert_nonnull (html);
  g_assert_nonnull (strstr (html, "<p>朱镕基和张喆</p>"));
  g_assert_cmpstr (reader, ==, html);
  g_assert_false (lb_mime_message_has_attachments (m));
}

static void
test_html_only (void)
{
  g_autoptr(LbMimeMessage) m = parse (
    "Content-Type: text/html; charset=utf-8\r\n\r\n"
    "<html><head><style>p{}</style></head><body><p>你好&nbsp;世界</p>"
    "<script>evil()</script><p>第二段</p></body></html>\r\n", -1);
  g_autofree char *preview = lb_mime_message_dup_preview (m, 200);

  g_assert_cmpstr (lb_mime_message_get_text (m), ==, "你好 世界\n\n第二段");
  g_assert_cmpstr (preview, ==, "你好 世界 第二段");
}

static void
test_text_reader_html (void)
{
  g_autoptr(LbMimeMessage) m = parse (
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "see http://example.com/\r\n> <b>quoted</b>\r\n", -1);
  g_autofree char *reader = lb_mime_message_dup_reader_html (m);

  g_assert_cmpstr (reader, ==,
                   "see <a href=\"http://example.com/\">http://example.com/</a><br>\n"
                   "<div class=\"quote\">&lt;b&gt;quoted&lt;/b&gt;<br>\n</div>");
}

static void
test_related_cid (void)
{
  g_autoptr(LbMimeMessage) m = parse (
    "Content-Type: multipart/related; boundary=REL; type=\"text/html\"\r\n\r\n"
    "--REL\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<p><img src=\"cid:logo@example.com\"></p>\r\n"
    "--REL\r\nContent-Type: image/png\r\nContent-ID: <logo@example.com>\r\n"
    "Content-Transfer-Encoding: base64\r\nContent-Disposition: inline; filename=logo.png\r\n\r\n"
    "iVBORw0KGgpmYWtl\r\n"
    "--REL--\r\n", -1);
  const char *type = NULL;
  GBytes *bytes = lb_mime_message_lookup_cid (m, "cid:logo@example.com", &type);

  g_assert_nonnull (bytes);
  g_assert_cmpstr (type, ==, "image/png");
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "\x89PNG\r\n\x1a\nfake", 12);
  g_assert_true (lb_mime_message_lookup_cid (m, "<logo@example.com>", NULL) == bytes);
  g_assert_true (lb_mime_message_lookup_cid (m, "cid:logo%40example.com", NULL) == bytes);
  g_assert_true (lb_mime_message_lookup_cid (m, "CID:LOGO@example.com", NULL) == bytes);
  g_assert_null (lb_mime_message_lookup_cid (m, "cid:other", NULL));
  g_assert_false (lb_mime_message_has_attachments (m));
  g_assert_nonnull (strstr (lb_mime_message_get_html (m), "cid:logo@example.com"));
}

static void
test_attachments (void)
{
  g_autoptr(LbMimeMessage) m = parse (
    "Content-Type: multipart/mixed; boundary=\"MIX\"\r\n\r\n"
    "preamble\r\n"
    "--MIX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n"
    "--MIX\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment;\r\n filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf\r\n\r\n"
    "JVBERi0xLjQgZmFrZQ==\r\n"
    "--MIX\r\nContent-Type: text/plain; name=\"=?gb2312?B?uL28/i50eHQ=?=\"\r\n"
    "Content-Disposition: attachment\r\n\r\nattached text\r\n"
    "--MIX\r\nContent-Type: application/msword\r\n"
    "Content-Disposition: attachment; filename=\"\xb1\xa8\xb8\xe6\x2e\x64\x6f\x63\"\r\n\r\nDOC\r\n"
    "--MIX\r\nContent-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename=\"../../etc/passwd\"\r\n\r\nx\r\n"
    "--MIX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n"
    " filename=\"=?gb2312?B?1uzpRrs=?= =?gb2312?B?+brN1cWGtA==?=.zip\"\r\n\r\nzip\r\n"
    "--MIX\r\nContent-Type: message/rfc822\r\n\r\n"
    "Subject: =?utf-8?B?5Lit5paH?=\r\nFrom: a@b.cn\r\n\r\ninner body\r\n"
    "--MIX--\r\n", -1);
  GPtrArray *atts = lb_mime_message_get_attachments (m);
  LbMimeAttachment *pdf, *txt, *doc, *evil, *split, *eml;

  g_assert_cmpstr (lb_mime_message_get_text (m), ==, "body");
  g_assert_true (lb_mime_message_has_attachments (m));
  g_assert_cmpuint (atts->len, ==, 6);
  pdf = g_ptr_array_index (atts, 0);
  txt = g_ptr_array_index (atts, 1);
  doc = g_ptr_array_index (atts, 2);
  evil = g_ptr_array_index (atts, 3);
  split = g_ptr_array_index (atts, 4);
  eml = g_ptr_array_index (atts, 5);

  g_assert_cmpstr (lb_mime_attachment_get_filename (pdf), ==, "报告.pdf");
  g_assert_cmpstr (lb_mime_attachment_get_mime_type (pdf), ==, "application/pdf");
  g_assert_cmpuint (lb_mime_attachment_get_size (pdf), ==, 13);
  g_assert_cmpmem (g_bytes_get_data (lb_mime_attachment_get_bytes (pdf), NULL), 13, "%PDF-1.4 fake", 13);
  g_assert_false (lb_mime_attachment_get_is_inline (pdf));

  g_assert_cmpstr (lb_mime_attachment_get_filename (txt), ==, "附件.txt");
  g_assert_cmpstr (lb_mime_attachment_get_filename (doc), ==, "报告.doc");
  g_assert_null (strchr (lb_mime_attachment_get_filename (evil), '/'));
  /* Split mid-character over a padded word: GMime alone gives "朱镕.zip". */
  g_assert_cmpstr (lb_mime_attachment_get_filename (split), ==, "朱镕基和张喆.zip");
  g_assert_cmpstr (lb_mime_attachment_get_filename (eml), ==, "中文.eml");
  g_assert_cmpstr (lb_mime_attachment_get_mime_type (eml), ==, "message/rfc822");
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (lb_mime_attachment_get_bytes (eml), NULL),
                                  lb_mime_attachment_get_size (eml), "inner body"));
}

static void
test_mixed_footer_and_signed (void)
{
  g_autoptr(LbMimeMessage) footer = parse (
    "Content-Type: multipart/mixed; boundary=M\r\n\r\n"
    "--M\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nmain text\r\n"
    "--M\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Disposition: inline\r\n\r\n"
    "list footer\r\n--M--\r\n", -1);
  g_autoptr(LbMimeMessage) signed_msg = parse (
    "Content-Type: multipart/signed; boundary=S; protocol=\"application/pgp-signature\"\r\n\r\n"
    "--S\r\nContent-Type: text/plain\r\n\r\nsigned text\r\n"
    "--S\r\nContent-Type: application/pgp-signature\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\n"
    "--S--\r\n", -1);

  g_assert_cmpstr (lb_mime_message_get_text (footer), ==, "main text\n\nlist footer");
  g_assert_false (lb_mime_message_has_attachments (footer));
  g_assert_cmpstr (lb_mime_message_get_text (signed_msg), ==, "signed text");
  /* The signature is listed (issue 17, cause 13), and the message says it is signed. */
  g_assert_true (lb_mime_message_has_attachments (signed_msg));
  g_assert_true (lb_mime_message_get_signed (signed_msg));
}

static void
test_format_flowed (void)
{
  g_autoptr(LbMimeMessage) m = parse (
    "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=no\r\n\r\n"
    "This is a long \r\nparagraph.\r\n> quoted \r\n> line\r\n -- \r\n", -1);

  g_assert_cmpstr (lb_mime_message_get_text (m), ==, "This is a long paragraph.\n> quoted line\n-- ");
}

static void
test_hostile (void)
{
  GString *deep = g_string_new ("Content-Type: multipart/mixed; boundary=b0\r\n\r\n");
  GString *huge = g_string_new ("Subject: ");
  GString *rfc822 = g_string_new (NULL);
  static const char *const broken[] = {
    "",
    "\r\n\r\n",
    "no headers at all",
    "Content-Type: multipart/mixed\r\n\r\n--x\r\nno boundary param\r\n",
    "Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nunterminated",
    "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!@@@###===abc=\r\n=\r\n",
    "Content-Type: text/plain; charset=\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=Z=\r\n=",
    "Content-Type: /\r\nContent-Disposition: ;;;filename*0*=''%\r\n\r\n",
    "Content-Type: multipart/related; start=\"<\"\r\n\r\n",
    "From: <<<>>>,,,\"\r\nTo: (((\r\nDate: yesterday\r\nReferences: <<<\r\n\r\n",
  };

  for (int i = 0; i < 5000; i++)
    g_string_append_printf (deep, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i, i + 1);
  g_string_append (deep, "--b5000\r\nContent-Type: text/plain\r\n\r\ndeep\r\n");
  for (int i = 0; i < 200000; i++)
    g_string_append (huge, "=?utf-8?B?5Lit?= ");
  g_string_append (huge, "\r\n\r\nbody\r\n");
  for (int i = 0; i < 2000; i++)
    g_string_append (rfc822, "Content-Type: message/rfc822\r\n\r\n");

  {
    g_autoptr(LbMimeMessage) m = parse (deep->str, deep->len);
    g_assert_cmpstr (lb_mime_message_get_text (m), ==, "");
  }
  {
    g_autoptr(LbMimeMessage) m = parse (huge->str, huge->len);
    g_assert_true (g_str_has_prefix (lb_mime_message_get_subject (m), "中中中"));
  }
  {
    g_autoptr(LbMimeMessage) m = parse (rfc822->str, rfc822->len);
    g_assert_true (g_utf8_validate (lb_mime_message_get_text (m), -1, NULL));
  }
  for (gsize i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (broken[i], strlen (broken[i]));
      g_autoptr(GError) error = NULL;
      g_autoptr(LbMimeMessage) m = lb_mime_message_new_from_bytes (bytes, &error);

      g_test_message ("broken input %" G_GSIZE_FORMAT, i);
      if (m == NULL)
        {
          g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
          continue;
        }
      g_assert_true (g_utf8_validate (lb_mime_message_get_subject (m), -1, NULL));
      g_assert_true (g_utf8_validate (lb_mime_message_get_text (m), -1, NULL));
    }
  g_string_free (deep, TRUE);
  g_string_free (huge, TRUE);
  g_string_free (rfc822, TRUE);
}

static gpointer
parse_in_thread (gpointer data)
{
  GBytes *raw = data;

  for (int i = 0; i < 100; i++)
    {
      g_autoptr(LbMimeMessage) m = lb_mime_message_new_from_bytes (raw, NULL);

      if (m == NULL || g_strcmp0 (lb_mime_message_get_text (m), BODY_UTF8) != 0)
        return GINT_TO_POINTER (1);
    }
  return NULL;
}

static void
test_threads (void)
{
  static const char raw[] = "Subject: =?gb2312?B?1uzpRrv5?=\r\nContent-Type: text/plain\r\n\r\n" GBK_BODY;
  g_autoptr(GBytes) bytes = g_bytes_new_static (raw, sizeof raw - 1);
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("parse", parse_in_thread, bytes);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_null (g_thread_join (threads[i]));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mime/message/headers", test_headers);
  g_test_add_func ("/mime/message/raw-gbk-subject", test_raw_gbk_subject);
  g_test_add_func ("/mime/message/gbk-body-without-charset", test_gbk_body_without_charset);
  g_test_add_func ("/mime/message/x-gbk-quoted-printable", test_x_gbk_quoted_printable);
  g_test_add_func ("/mime/message/alternative", test_alternative);
  g_test_add_func ("/mime/message/html-only", test_html_only);
  g_test_add_func ("/mime/message/text-reader-html", test_text_reader_html);
  g_test_add_func ("/mime/message/related-cid", test_related_cid);
  g_test_add_func ("/mime/message/attachments", test_attachments);
  g_test_add_func ("/mime/message/mixed-footer-and-signed", test_mixed_footer_and_signed);
  g_test_add_func ("/mime/message/format-flowed", test_format_flowed);
  g_test_add_func ("/mime/message/hostile", test_hostile);
  g_test_add_func ("/mime/message/threads", test_threads);

  return g_test_run ();
}
