/* test-mime-text.c: HTML to text, previews and plain text to HTML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "lb-mime-text.h"

static void
assert_text (const char *html,
             const char *expected)
{
  g_autofree char *got = lb_mime_html_to_text (html);

  g_test_message ("html: %s", html);
  g_assert_true (g_utf8_validate (got, -1, NULL));
  g_assert_cmpstr (got, ==, expected);
}

static void
test_html_strip (void)
{
  assert_text ("<html><head><title>T</title><style>p{color:red}</style>"
               "<script>alert('x')</script></head>"
               "<body><p>你好，<b>世界</b>！</p><script type=\"text/javascript\">var a = '<p>';</script>"
               "<div>第二段</div></body></html>",
               "你好，世界！\n\n第二段");
  assert_text ("<p>one</p><p>two</p>", "one\n\ntwo");
  assert_text ("a<br>b<br><br>c", "a\nb\n\nc");
  assert_text ("  lots   of\n\n  space\t here  ", "lots of space here");
  assert_text ("<!-- hidden <p>x</p> -->shown", "shown");
  assert_text ("<a href=\"x\" title='a > b'>link</a>", "link");
  assert_text ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc");
  assert_text ("<STYLE>body{}</STYLE><SCRIPT>x</SCRIPT>ok", "ok");
  assert_text ("<pre>line 1\nline 2</pre>", "line 1\nline 2");
  assert_text ("1 < 2 and 3 > 2", "1 < 2 and 3 > 2");
}

static void
test_html_entities (void)
{
  assert_text ("&amp;&lt;&gt;&quot;&apos;", "&<>\"'");
  assert_text ("&#20013;&#x6587;&#X6587;", "中文文");
  assert_text ("a&nbsp;b&nbsp;&nbsp;c", "a b c");
  assert_text ("&copy; 2024 &mdash; &hellip;", "© 2024 — …");
  assert_text ("&unknown; & &; &#; &#xZZ;", "&unknown; & &; &#; &#xZZ;");
  assert_text ("&#0;&#xD800;&#x110000;", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  assert_text ("&amp", "&");
  assert_text ("pre&zwnj;&#8203;header", "preheader");
}

static void
test_html_hostile (void)
{
  GString *s = g_string_new (NULL);
  g_autofree char *got = NULL;

  assert_text ("<script>never closed", "");
  assert_text ("<", "<");
  assert_text ("<a", "");
  assert_text ("<!--", "");
  assert_text ("text<\xff>more\xfe", "text<\xef\xbf\xbd>more\xef\xbf\xbd");
  assert_text (NULL, "");
  for (int i = 0; i < 100000; i++)
    g_string_append (s, "<div><span>&#x4e2d;");
  got = lb_mime_html_to_text (s->str);
  g_assert_true (g_utf8_validate (got, -1, NULL));
  g_string_free (s, TRUE);
}

/* Issue 17, cause 8: an unclosed <head> ends where the body's content starts, as in a
 * browser; the hand-written scanner skipped everything up to a "</head>" that never came. */
static void
test_html_unclosed_head (void)
{
  assert_text ("<html><head><title>Weekly</title><meta charset=\"utf-8\">"
               "<body><p>Hello there</p><p>第二段</p></body></html>",
               "Hello there\n\n第二段");
  assert_text ("<head><style>p { color: red }</style><p>Body without a body tag", "Body without a body tag");
  assert_text ("<HTML><HEAD><TITLE>t</TITLE>\n<DIV>Outlook &amp; co</DIV>", "Outlook & co");
  /* What the head holds is still hidden. */
  assert_text ("<head><title>secret title</title><script>var x;</script>visible", "visible");
}

static void
assert_preview (const char *text,
                gsize       max,
                const char *expected)
{
  g_autofree char *got = lb_mime_preview (text, max);

  g_test_message ("text: %s", text);
  g_assert_cmpstr (got, ==, expected);
}

static void
test_preview (void)
{
  assert_preview ("Sounds good.\n\nSee you   there.\n", 200, "Sounds good. See you there.");
  assert_preview ("好的，明天见。\n\n在 2024年6月1日 周六 10:00，张三 <zs@qq.com> 写道：\n> 明天开会吗？\n> 下午三点\n",
                  200, "好的，明天见。");
  assert_preview ("On Mon, 3 Jun 2024 at 10:00, Bob <bob@example.com> wrote:\n> hi\nInline answer\n", 200,
                  "Inline answer");
  assert_preview ("Thanks!\nOn Mon, 3 Jun 2024 at 10:00, Bob Example\n<bob@example.com> wrote:\n> hi\n", 200,
                  "Thanks!");
  assert_preview ("Body\n-- \nJohn Doe\nACME", 200, "Body");
  assert_preview ("收到\n\n------------------ 原始邮件 ------------------\n发件人: x\n", 200, "收到");
  assert_preview ("Reply\n-----Original Message-----\nFrom: x\n", 200, "Reply");
  assert_preview ("  >> deeply quoted\n> quoted\n", 200, "");
  assert_preview ("一二三四五六七八九十", 4, "一二三四");
  assert_preview ("ab cd", 3, "ab");
  assert_preview (NULL, 200, "");
  assert_preview ("a\r\nb\r\n", 200, "a b");
}

static void
assert_html (const char *text,
             const char *expected)
{
  g_autofree char *got = lb_mime_text_to_html (text);

  g_test_message ("text: %s", text);
  g_assert_cmpstr (got, ==, expected);
}

static void
test_text_to_html (void)
{
  assert_html ("a < b & c > \"d\" 'e'", "a &lt; b &amp; c &gt; &quot;d&quot; &#39;e&#39;<br>\n");
  assert_html ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;<br>\n");
  assert_html ("see https://example.com/a?b=1&c=2.", 
               "see <a href=\"https://example.com/a?b=1&amp;c=2\">https://example.com/a?b=1&amp;c=2</a>.<br>\n");
  assert_html ("详情请看:http://service.mail.qq.com/cgi-bin/help?id=28请登录",
               "详情请看:<a href=\"http://service.mail.qq.com/cgi-bin/help?id=28\">"
               "http://service.mail.qq.com/cgi-bin/help?id=28</a>请登录<br>\n");
  assert_html ("(mailto:bob@example.com)",
               "(<a href=\"mailto:bob@example.com\">mailto:bob@example.com</a>)<br>\n");
  assert_html ("https://en.wikipedia.org/wiki/Foo_(bar)",
               "<a href=\"https://en.wikipedia.org/wiki/Foo_(bar)\">https://en.wikipedia.org/wiki/Foo_(bar)</a><br>\n");
  /* Only http, https and mailto become links. */
  assert_html ("javascript:alert(1) file:///etc/passwd data:text/html,x",
               "javascript:alert(1) file:///etc/passwd data:text/html,x<br>\n");
  assert_html ("xhttp://example.com http:// https://\"onmouseover=\"x",
               "xhttp://example.com http:// https://&quot;onmouseover=&quot;x<br>\n");
  /* The quote bar replaces the marks: one nested div per level, no ">" left. */
  assert_html ("hi\n> quoted\n> more\nreply",
               "hi<br>\n<div class=\"quote\">quoted<br>\nmore<br>\n</div>reply<br>\n");
  assert_html ("> last", "<div class=\"quote\">last<br>\n</div>");
  assert_html ("> a\n>> b\n> > c\n>\nd",
               "<div class=\"quote\">a<br>\n<div class=\"quote\">b<br>\nc<br>\n</div>"
               "<br>\n</div>d<br>\n");
  assert_html ("1 > 0", "1 &gt; 0<br>\n");
  assert_html ("a  b\n  c", "a&nbsp; b<br>\n&nbsp; c<br>\n");
  assert_html ("", "");
}

static void
test_text_to_html_no_markup_injection (void)
{
  g_autofree char *got = lb_mime_text_to_html ("<img src=x onerror=alert(1)> http://a.b/<script> \x01\x7f");

  g_assert_null (strstr (got, "<img"));
  g_assert_null (strstr (got, "<script"));
  g_assert_null (strstr (got, "\x01"));
  g_assert_nonnull (strstr (got, "<a href=\"http://a.b/\">"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mime/text/html-strip", test_html_strip);
  g_test_add_func ("/mime/text/html-entities", test_html_entities);
  g_test_add_func ("/mime/text/html-hostile", test_html_hostile);
  g_test_add_func ("/mime/text/html-unclosed-head", test_html_unclosed_head);
  g_test_add_func ("/mime/text/preview", test_preview);
  g_test_add_func ("/mime/text/text-to-html", test_text_to_html);
  g_test_add_func ("/mime/text/text-to-html-no-injection", test_text_to_html_no_markup_injection);

  return g_test_run ();
}
