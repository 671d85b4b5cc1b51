/* test-rich-mime.c: formatted mail in the engine (no servers): the HTML simplifier, the
 * multipart/alternative + related builder, reopening a formatted draft, and quoting
 * formatted mail in a reply
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "lb-address.h"
#include "lb-compose.h"
#include "lb-draft.h"
#include "lb-mime.h"
#include "lb-mime-builder.h"
#include "lb-mime-message.h"
#include "lb-mime-simplify.h"

/* A 1×1 PNG. */
static const guint8 png[] = {
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
  0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
  0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
  0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

static void
test_simplify (void)
{
  static const struct {
    const char *html;
    const char *simple;
  } cases[] = {
    { "<p>a <b>b</b> <strong>c</strong></p>", "<div>a <b>b</b> <b>c</b></div>" },
    { "<script>alert(1)</script><style>p{}</style>x", "<div>x</div>" },
    { "<head><title>t</title></head><body>y</body>", "y" },
    { "<p>a</p><script>alert(1)</script><p onmouseover=\"b()\">b</p>", "<div>a</div><div>b</div>" },
    { "<a href=\"javascript:alert(1)\">j</a><a href=\"https://e.org/?a=1&amp;b=2\">l</a>",
      "j<a href=\"https://e.org/?a=1&amp;b=2\">l</a>" },
    { "<img src=\"https://tracker.example/p.gif\" alt=\"logo\"><img src=\"cid:x@y\">",
      "[logo]<img src=\"cid:x@y\"/>" },
    { "<span style=\"font-weight: bold; font-style:italic\">s</span>", "<b><i>s</i></b>" },
    { "<ul><li>1</li><li>2</li></ul>", "<ul><li>1</li><li>2</li></ul>" },
    { "<blockquote type=\"cite\">q &lt;b&gt;</blockquote>", "<blockquote>q &lt;b&gt;</blockquote>" },
    { "<div onclick=\"x()\">a\n  b</div>", "<div>a b</div>" },
    { "<iframe src=\"https://e.org\">f</iframe><svg><script>1</script></svg>z", "z" },
    { "<h1>T</h1>", "<div><b>T</b></div>" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = lb_mime_html_simplify (cases[i].html, TRUE);

      g_assert_cmpstr (got, ==, cases[i].simple);
    }
  {
    /* Without keep_cid_images, no image at all. */
    g_autofree char *got = lb_mime_html_simplify ("<img src=\"cid:x@y\">", FALSE);
    g_assert_cmpstr (got, ==, "");
  }
  {
    /* Deep nesting is no problem (no recursion), and the result is well-formed. */
    GString *deep = g_string_new (NULL);
    g_autofree char *got = NULL;
    g_autofree char *doc = NULL;
    g_autoptr(GMarkupParseContext) ctx = NULL;
    static const GMarkupParser none = { 0 };

    for (int k = 0; k < 20000; k++)
      g_string_append (deep, "<div><b>");
    g_string_append (deep, "deep");
    got = lb_mime_html_simplify (deep->str, FALSE);
    g_string_free (deep, TRUE);
    g_assert_nonnull (strstr (got, "deep"));
    doc = g_strconcat ("<body>", got, "</body>", NULL);
    ctx = g_markup_parse_context_new (&none, 0, NULL, NULL);
    g_assert_true (g_markup_parse_context_parse (ctx, doc, -1, NULL));
    g_assert_true (g_markup_parse_context_end_parse (ctx, NULL));
  }
}

static LbMimeDraft *
formatted_draft (void)
{
  LbMimeDraft *d = lb_mime_draft_new ();
  g_autoptr(GBytes) image = g_bytes_new_static (png, sizeof png);
  g_autoptr(GBytes) pdf = g_bytes_new_static ("%PDF-1.4\n", 9);

  d->from = lb_address_new ("爱丽丝", "alice@example.com");
  g_ptr_array_add (d->to, lb_address_new (NULL, "bob@example.org"));
  d->subject = g_strdup ("格式");
  d->body = g_strdup ("Hello bold\n- one\n");
  d->body_html = g_strdup ("<!DOCTYPE html><html><body><div>Hello <b>bold</b></div>"
                           "<ul><li>one</li></ul><div><img src=\"cid:img1@letterbox\"></div>"
                           "</body></html>\n");
  d->date = g_date_time_new_utc (2026, 12, 7, 10, 0, 0);
  d->message_id = g_strdup ("rich.1@example.com");
  g_ptr_array_add (d->inline_parts,
                   lb_mime_attachment_new ("image-1.png", "image/png", "img1@letterbox", TRUE, image));
  g_ptr_array_add (d->attachments,
                   lb_mime_attachment_new ("a.pdf", "application/pdf", NULL, FALSE, pdf));
  return d;
}

/* mixed [ alternative [ text/plain, related [ text/html, image/png ] ], application/pdf ] */
static void
test_build_structure (void)
{
  g_autoptr(LbMimeDraft) d = formatted_draft ();
  g_autoptr(GBytes) raw = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeMessage) m = lb_mime_message_new_from_bytes (raw, &error);
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;
  GMimeObject *mixed, *alternative, *related, *image;
  const char *mime_type = NULL;

  g_assert_no_error (error);
  stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);
  g_object_unref (stream);
  mixed = g_mime_message_get_mime_part (message);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (mixed), "multipart", "mixed"));
  alternative = g_mime_multipart_get_part (GMIME_MULTIPART (mixed), 0);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (alternative),
                                              "multipart", "alternative"));
  g_assert_true (g_mime_content_type_is_type (
    g_mime_object_get_content_type (g_mime_multipart_get_part (GMIME_MULTIPART (alternative), 0)),
    "text", "plain"));
  related = g_mime_multipart_get_part (GMIME_MULTIPART (alternative), 1);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (related), "multipart", "related"));
  g_assert_cmpstr (g_mime_object_get_content_type_parameter (related, "type"), ==, "text/html");
  g_assert_true (g_mime_content_type_is_type (
    g_mime_object_get_content_type (g_mime_multipart_get_part (GMIME_MULTIPART (related), 0)),
    "text", "html"));
  image = g_mime_multipart_get_part (GMIME_MULTIPART (related), 1);
  g_assert_cmpstr (g_mime_object_get_content_id (image), ==, "img1@letterbox");
  g_assert_cmpstr (g_mime_object_get_disposition (image), ==, "inline");
  g_object_unref (message);

  /* What the reader makes of it: both bodies, the image by cid:, one attachment. */
  g_assert_cmpstr (lb_mime_message_get_text (m), ==, "Hello bold\n- one\n");
  g_assert_nonnull (strstr (lb_mime_message_get_html (m), "<b>bold</b>"));
  g_assert_nonnull (lb_mime_message_lookup_cid (m, "cid:img1@letterbox", &mime_type));
  g_assert_cmpstr (mime_type, ==, "image/png");
  g_assert_cmpuint (lb_mime_message_get_attachments (m)->len, ==, 1);
}

/* No HTML: text/plain alone, as before. */
static void
test_build_plain (void)
{
  g_autoptr(LbMimeDraft) d = formatted_draft ();
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *text = NULL;

  g_clear_pointer (&d->body_html, g_free);
  g_ptr_array_set_size (d->inline_parts, 0);
  g_ptr_array_set_size (d->attachments, 0);
  raw = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, NULL);
  text = g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  g_assert_nonnull (strstr (text, "Content-Type: text/plain; charset=utf-8"));
  g_assert_null (strstr (text, "multipart"));
  g_assert_null (strstr (text, "text/html"));
}

/* A formatted draft read back for editing keeps its HTML and its images. */
static void
test_draft_roundtrip (void)
{
  g_autoptr(LbMimeDraft) d = formatted_draft ();
  g_autoptr(GBytes) raw = lb_mime_build (d, LB_MIME_BUILD_KEEP_BCC, NULL);
  g_autoptr(LbMessageContent) content = lb_message_content_new_from_bytes (raw, NULL);
  g_autoptr(LbDraft) again = NULL;
  LbAttachment *image;

  g_assert_nonnull (content);
  again = lb_draft_new_for_editing (content, NULL);
  g_assert_nonnull (again->body_html);
  g_assert_nonnull (strstr (again->body_html, "<b>bold</b>"));
  g_assert_cmpuint (again->inline_images->len, ==, 1);
  image = g_ptr_array_index (again->inline_images, 0);
  g_assert_cmpstr (lb_attachment_get_content_id (image), ==, "img1@letterbox");
  g_assert_cmpstr (lb_attachment_get_mime_type (image), ==, "image/png");
  g_assert_cmpuint (lb_attachment_get_size (image), ==, sizeof png);
  /* The inline image is not also an attachment; the real attachment still is. */
  g_assert_cmpuint (again->attachments->len, ==, 1);
  again->from = lb_mailbox_new (NULL, "alice@example.com");
  {
    /* And it builds the same structure again. */
    g_autoptr(GBytes) raw2 = lb_draft_build (again, LB_DRAFT_BUILD_KEEP_BCC, NULL);
    g_autofree char *text = g_strndup (g_bytes_get_data (raw2, NULL), g_bytes_get_size (raw2));
    g_autofree char *lower = g_ascii_strdown (text, -1);

    g_assert_nonnull (strstr (lower, "multipart/related"));
    g_assert_nonnull (strstr (lower, "content-id: <img1@letterbox>"));
  }
}

static const char html_original[] =
  "From: Bob <bob@example.org>\r\n"
  "To: alice@example.com\r\n"
  "Subject: Plan\r\n"
  "Date: Mon, 07 Dec 2026 09:00:00 +0000\r\n"
  "Message-ID: <plan.1@example.org>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/html; charset=utf-8\r\n"
  "\r\n"
  "<html><head><script>alert('x')</script></head><body>"
  "<p>The <b>plan</b>:</p><ul><li>eat</li></ul>"
  "<img src=\"https://tracker.example/open.gif\">"
  "<a href=\"javascript:steal()\">click</a>"
  "</body></html>\r\n";

static const char plain_original[] =
  "From: Bob <bob@example.org>\r\n"
  "To: alice@example.com\r\n"
  "Subject: Plan\r\n"
  "Date: Mon, 07 Dec 2026 09:00:00 +0000\r\n"
  "Message-ID: <plan.2@example.org>\r\n"
  "\r\n"
  "Just text.\r\n";

static void
test_reply_quotes_formatted (void)
{
  g_autoptr(GBytes) html_raw = g_bytes_new_static (html_original, sizeof html_original - 1);
  g_autoptr(GBytes) plain_raw = g_bytes_new_static (plain_original, sizeof plain_original - 1);
  g_autoptr(LbMimeMessage) html_m = lb_mime_message_new_from_bytes (html_raw, NULL);
  g_autoptr(LbMimeMessage) plain_m = lb_mime_message_new_from_bytes (plain_raw, NULL);
  g_autoptr(LbAddress) me = lb_address_new (NULL, "alice@example.com");
  const char *own[] = { "alice@example.com", NULL };
  g_autoptr(LbMimeDraft) reply = lb_compose_reply (html_m, me, own, FALSE);
  g_autoptr(LbMimeDraft) plain_reply = lb_compose_reply (plain_m, me, own, FALSE);

  g_assert_nonnull (reply->body_html);
  g_assert_nonnull (strstr (reply->body_html, "<blockquote><div>The <b>plan</b>:</div><ul><li>eat</li></ul>"));
  g_assert_null (strstr (reply->body_html, "script"));
  g_assert_null (strstr (reply->body_html, "alert"));
  g_assert_null (strstr (reply->body_html, "tracker"));
  g_assert_null (strstr (reply->body_html, "javascript"));
  /* The text alternative is quoted as ever. */
  g_assert_nonnull (strstr (reply->body, "> The plan:"));
  /* Plain mail is quoted as text only. */
  g_assert_null (plain_reply->body_html);
  g_assert_nonnull (strstr (plain_reply->body, "> Just text."));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  setlocale (LC_ALL, "C.UTF-8");
  lb_mime_init ();

  g_test_add_func ("/rich-mime/simplify", test_simplify);
  g_test_add_func ("/rich-mime/build-structure", test_build_structure);
  g_test_add_func ("/rich-mime/build-plain", test_build_plain);
  g_test_add_func ("/rich-mime/draft-roundtrip", test_draft_roundtrip);
  g_test_add_func ("/rich-mime/reply-quotes-formatted", test_reply_quotes_formatted);
  return g_test_run ();
}
