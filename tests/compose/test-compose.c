/* test-compose.c: building messages, and reply/forward drafts (no servers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <string.h>

#include "lb-compose.h"
#include "lb-error.h"
#include "lb-address.h"
#include "lb-mime.h"
#include "lb-mime-builder.h"
#include "lb-mime-message.h"
#include "lb-outbox.h"

static LbMimeDraft *
chinese_draft (void)
{
  LbMimeDraft *d = lb_mime_draft_new ();
  g_autoptr(GBytes) pdf = g_bytes_new_static ("%PDF-1.4\n\x00\x01\x02\xff binary", 20);

  d->from = lb_address_new ("张三", "zhangsan@example.com");
  g_ptr_array_add (d->to, lb_address_new ("李四", "lisi@example.org"));
  g_ptr_array_add (d->cc, lb_address_new (NULL, "wangwu@example.net"));
  g_ptr_array_add (d->bcc, lb_address_new ("Secret", "hidden@example.com"));
  d->subject = g_strdup ("关于下周会议的安排（第二版）——请查收附件中的议程和会议室信息");
  d->body = g_strdup ("你好，\n\n附件是会议议程。\r\nA line with trailing dot:\n.\nThanks\n");
  d->date = g_date_time_new_utc (2026, 11, 22, 4, 30, 0);
  d->message_id = g_strdup ("test.1@example.com");
  g_ptr_array_add (d->attachments,
                   lb_mime_attachment_new ("会议议程 2026.pdf", "application/pdf", NULL, FALSE, pdf));
  return d;
}

static void
test_build_chinese (void)
{
  g_autoptr(LbMimeDraft) d = chinese_draft ();
  g_autofree char *id = NULL;
  g_autoptr(GBytes) raw = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, &id);
  g_autoptr(GBytes) again = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, NULL);
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  g_autofree char *text = g_strndup (data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeMessage) m = NULL;
  LbMimeAttachment *att;
  LbAddress *a;

  g_test_message ("%s", text);
  g_assert_cmpstr (id, ==, "test.1@example.com");
  /* Deterministic: same draft, same bytes (boundary included). */
  g_assert_true (g_bytes_equal (raw, again));

  /* 7-bit, CRLF only. */
  for (gsize i = 0; i < len; i++)
    {
      g_assert_cmpuint ((guchar) data[i], <, 0x80);
      if (data[i] == '\n')
        g_assert_true (i > 0 && data[i - 1] == '\r');
      if (data[i] == '\r')
        g_assert_true (i + 1 < len && data[i + 1] == '\n');
    }
  g_assert_nonnull (strstr (text, "Subject: =?UTF-8?"));
  /* Lines of at most 78 characters, encoded-words of at most 75. */
  {
    g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      g_assert_cmpuint (strlen (lines[i]), <=, 78);
  }
  g_assert_nonnull (strstr (text, "Message-Id: <test.1@example.com>") ?: strstr (text, "Message-ID: <test.1@example.com>"));
  g_assert_nonnull (strstr (text, "filename*=UTF-8''"));
  g_assert_null (strstr (text, "Bcc"));
  g_assert_null (strstr (text, "hidden@example.com"));
  g_assert_nonnull (strstr (text, "Date: Sun, 22 Nov 2026 04:30:00 +0000"));

  /* Reads back as written. */
  m = lb_mime_message_new_from_bytes (raw, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lb_mime_message_get_subject (m), ==, d->subject);
  a = g_ptr_array_index (lb_mime_message_get_from (m), 0);
  g_assert_cmpstr (a->name, ==, "张三");
  g_assert_cmpstr (a->address, ==, "zhangsan@example.com");
  g_assert_cmpuint (lb_mime_message_get_to (m)->len, ==, 1);
  g_assert_cmpuint (lb_mime_message_get_cc (m)->len, ==, 1);
  g_assert_nonnull (strstr (lb_mime_message_get_text (m), "你好，"));
  g_assert_nonnull (strstr (lb_mime_message_get_text (m), "\n.\nThanks"));
  g_assert_cmpuint (lb_mime_message_get_attachments (m)->len, ==, 1);
  att = g_ptr_array_index (lb_mime_message_get_attachments (m), 0);
  g_assert_cmpstr (lb_mime_attachment_get_filename (att), ==, "会议议程 2026.pdf");
  g_assert_cmpuint (lb_mime_attachment_get_size (att), ==, 20);
  g_assert_cmpmem (g_bytes_get_data (lb_mime_attachment_get_bytes (att), NULL), 20,
                   "%PDF-1.4\n\x00\x01\x02\xff binary", 20);
  g_assert_cmpstr (lb_mime_message_get_message_id (m), ==, "test.1@example.com");

  {
    g_autofree char *extracted = lb_outbox_extract_message_id (raw);
    g_assert_cmpstr (extracted, ==, "test.1@example.com");
  }
}

static void
test_build_bcc_draft (void)
{
  g_autoptr(LbMimeDraft) d = chinese_draft ();
  g_autoptr(GBytes) raw = lb_mime_build (d, LB_MIME_BUILD_KEEP_BCC, NULL);
  g_autofree char *text = g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  g_auto(GStrv) rcpts = lb_mime_draft_dup_recipients (d);

  g_assert_nonnull (strstr (text, "hidden@example.com"));
  g_assert_cmpuint (g_strv_length (rcpts), ==, 3);
  g_assert_cmpstr (rcpts[2], ==, "hidden@example.com");
}

static void
test_build_generated_id (void)
{
  g_autoptr(LbMimeDraft) d = lb_mime_draft_new ();
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) raw = NULL;

  d->from = lb_address_new (NULL, "me@例子.com");
  d->subject = g_strdup ("plain");
  d->body = g_strdup ("ascii only");
  raw = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, &id);
  g_assert_nonnull (id);
  g_assert_nonnull (strchr (id, '@'));
  text = g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  g_assert_nonnull (strstr (text, "Content-Type: text/plain"));
  g_assert_nonnull (strstr (text, "\r\n\r\nascii only\r\n"));
}

static void
test_subjects (void)
{
  static const struct { const char *in, *reply, *fwd; } cases[] = {
    { "Hello", "Re: Hello", "Fwd: Hello" },
    { "Re: Hello", "Re: Hello", "Fwd: Re: Hello" },
    { "RE: Hello", "RE: Hello", "Fwd: RE: Hello" },
    { "回复：你好", "回复：你好", "Fwd: 回复：你好" },
    { "答复：你好", "答复：你好", "Fwd: 答复：你好" },
    { "Fwd: Hello", "Re: Fwd: Hello", "Fwd: Hello" },
    { "转发：你好", "Re: 转发：你好", "转发：你好" },
    { "", "Re: ", "Fwd: " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *r = lb_compose_reply_subject (cases[i].in);
      g_autofree char *f = lb_compose_forward_subject (cases[i].in);
      g_assert_cmpstr (r, ==, cases[i].reply);
      g_assert_cmpstr (f, ==, cases[i].fwd);
    }
}

static const char thread_msg[] =
  "From: Bob <bob@example.org>\r\n"
  "Reply-To: list@example.org\r\n"
  "To: Alice <ALICE@example.com>, carol@example.net\r\n"
  "Cc: alice.work@example.com, Dave <dave@example.net>, Carol <Carol@Example.net>\r\n"
  "Subject: =?UTF-8?B?5Lya6K6u?=\r\n"
  "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
  "Message-ID: <m3@example.org>\r\n"
  "In-Reply-To: <m2@example.org>\r\n"
  "References: <m1@example.org> <m2@example.org>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n"
  "第一行\r\n> earlier\r\n\r\nlast\r\n";

static LbMimeMessage *
thread_message (void)
{
  g_autoptr(GBytes) b = g_bytes_new_static (thread_msg, sizeof thread_msg - 1);
  g_autoptr(GError) error = NULL;
  LbMimeMessage *m = lb_mime_message_new_from_bytes (b, &error);

  g_assert_no_error (error);
  return m;
}

static const char *own[] = { "alice@example.com", "alice.work@example.com", NULL };

static void
test_reply (void)
{
  g_autoptr(LbMimeMessage) m = thread_message ();
  g_autoptr(LbAddress) me = lb_address_new ("Alice", "alice@example.com");
  g_autoptr(LbMimeDraft) d = lb_compose_reply (m, me, own, FALSE);

  g_assert_cmpuint (d->to->len, ==, 1);
  g_assert_cmpstr (((LbAddress *) g_ptr_array_index (d->to, 0))->address, ==, "list@example.org");
  g_assert_cmpuint (d->cc->len, ==, 0);
  g_assert_cmpstr (d->subject, ==, "Re: 会议");
  g_assert_cmpstr (d->in_reply_to, ==, "m3@example.org");
  g_assert_cmpuint (g_strv_length (d->references), ==, 3);
  g_assert_cmpstr (d->references[0], ==, "m1@example.org");
  g_assert_cmpstr (d->references[2], ==, "m3@example.org");
  g_assert_nonnull (strstr (d->body, "Bob"));
  g_assert_nonnull (strstr (d->body, "> 第一行\n>> earlier\n>\n> last\n"));

  {
    g_autoptr(GBytes) raw = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, NULL);
    g_autofree char *text = g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
    g_assert_nonnull (strstr (text, "In-Reply-To: <m3@example.org>"));
    g_assert_nonnull (strstr (text, "References: <m1@example.org> <m2@example.org> <m3@example.org>"));
  }
}

static void
test_reply_all (void)
{
  g_autoptr(LbMimeMessage) m = thread_message ();
  g_autoptr(LbAddress) me = lb_address_new ("Alice", "alice@example.com");
  g_autoptr(LbMimeDraft) d = lb_compose_reply (m, me, own, TRUE);
  g_autoptr(GString) all = g_string_new (NULL);

  for (guint i = 0; i < d->to->len; i++)
    g_string_append_printf (all, "to:%s ", ((LbAddress *) g_ptr_array_index (d->to, i))->address);
  for (guint i = 0; i < d->cc->len; i++)
    g_string_append_printf (all, "cc:%s ", ((LbAddress *) g_ptr_array_index (d->cc, i))->address);
  /* Own addresses (any case) gone; Carol once; Reply-To as To. */
  g_assert_cmpstr (all->str, ==, "to:list@example.org cc:carol@example.net cc:dave@example.net ");
}

static void
test_forward (void)
{
  g_autoptr(LbMimeDraft) src = chinese_draft ();
  g_autoptr(GBytes) raw = lb_mime_build (src, LB_MIME_BUILD_DEFAULT, NULL);
  g_autoptr(LbMimeMessage) m = lb_mime_message_new_from_bytes (raw, NULL);
  g_autoptr(LbAddress) me = lb_address_new (NULL, "lisi@example.org");
  g_autoptr(LbMimeDraft) d = lb_compose_forward (m, me);

  g_assert_true (g_str_has_prefix (d->subject, "Fwd: 关于"));
  g_assert_cmpuint (d->to->len, ==, 0);
  g_assert_cmpuint (d->attachments->len, ==, 1);
  g_assert_cmpstr (lb_mime_attachment_get_filename (g_ptr_array_index (d->attachments, 0)), ==,
                   "会议议程 2026.pdf");
  g_assert_nonnull (strstr (d->body, "zhangsan@example.com"));
  g_assert_nonnull (strstr (d->body, "你好，"));
}

static void
test_mailto (void)
{
  g_autoptr(LbMimeDraft) d =
    lb_compose_from_mailto ("mailto:a@example.com?subject=%E4%BD%A0%E5%A5%BD&cc=b@example.com&body=x%20y", NULL);

  g_assert_cmpuint (d->to->len, ==, 1);
  g_assert_cmpuint (d->cc->len, ==, 1);
  g_assert_cmpstr (d->subject, ==, "你好");
  g_assert_cmpstr (d->body, ==, "x y");
}

static void
test_backoff (void)
{
  g_assert_cmpint (lb_outbox_backoff (1), ==, LB_OUTBOX_RETRY_FIRST_SECONDS);
  g_assert_cmpint (lb_outbox_backoff (2), ==, 2 * LB_OUTBOX_RETRY_FIRST_SECONDS);
  g_assert_cmpint (lb_outbox_backoff (50), ==, LB_OUTBOX_RETRY_MAX_SECONDS);
}

static void
test_map_error (void)
{
  g_autoptr(GError) error = g_error_new_literal (LB_ERROR, LB_ERROR_SERVER_NO, "raw");
  g_autoptr(GError) other = g_error_new_literal (LB_ERROR, LB_ERROR_SERVER_NO, "raw");

  lb_outbox_map_error (NULL, "501 Mail from address must be same as authorization user.", &error);
  g_assert_nonnull (strstr (error->message, "signed in with"));
  lb_outbox_map_error (NULL, "552 Requested mail action aborted: exceeded storage", &other);
  g_assert_cmpstr (other->message, ==, "raw");
}

static const char signed_msg[] =
  "From: =?UTF-8?B?5byg5LiJ?= <zhangsan@example.org>\r\n"
  "To: alice@example.com\r\n"
  "Subject: hello\r\n"
  "Date: Wed, 21 May 2025 09:28:00 +0000\r\n"
  "Message-ID: <sig@example.org>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n"
  "Lunch on Friday?\r\n-- not a separator\r\n\r\n-- \r\nZhang San\r\nACME Corp.\r\n";

/* A reply quotes the text, not the sender's signature; the attribution line says the
 * date in the user's language. */
static void
test_reply_signature_and_date (void)
{
  g_autoptr(GBytes) b = g_bytes_new_static (signed_msg, sizeof signed_msg - 1);
  g_autoptr(LbMimeMessage) m = lb_mime_message_new_from_bytes (b, NULL);
  g_autoptr(LbAddress) me = lb_address_new ("Alice", "alice@example.com");
  g_autoptr(LbMimeDraft) en = NULL;
  g_autoptr(LbMimeDraft) zh = NULL;
  g_autofree char *only_sig = lb_compose_strip_signature ("-- \nsig\n");
  g_autofree char *none = lb_compose_strip_signature ("a\n--\nb\n");
  g_autofree char *quoted_sep = lb_compose_strip_signature ("a\n> -- \n> old sig\n");

  g_assert_cmpstr (only_sig, ==, "");
  g_assert_cmpstr (none, ==, "a\n--\nb\n");
  g_assert_cmpstr (quoted_sep, ==, "a\n> -- \n> old sig\n");

  g_unsetenv ("LANGUAGE");
  en = lb_compose_reply (m, me, NULL, FALSE);
  g_assert_cmpstr (en->body, ==, "\n\nOn Wed, 21 May 2025 at 09:28, 张三 wrote:\n"
                                 "> Lunch on Friday?\n> -- not a separator\n");

  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  zh = lb_compose_reply (m, me, NULL, FALSE);
  g_unsetenv ("LANGUAGE");
  g_assert_cmpstr (zh->body, ==, "\n\n2025年5月21日 周三 09:28，张三 写道：\n"
                                 "> Lunch on Friday?\n> -- not a separator\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("TZ", "UTC", TRUE);
  /* Translations from the build tree; the C library's locale stays C. */
  setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, LB_TEST_LOCALE_DIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  lb_mime_init ();
  g_test_add_func ("/compose/build/chinese", test_build_chinese);
  g_test_add_func ("/compose/build/bcc-draft", test_build_bcc_draft);
  g_test_add_func ("/compose/build/generated-id", test_build_generated_id);
  g_test_add_func ("/compose/subjects", test_subjects);
  g_test_add_func ("/compose/reply", test_reply);
  g_test_add_func ("/compose/reply-all", test_reply_all);
  g_test_add_func ("/compose/reply-signature-and-date", test_reply_signature_and_date);
  g_test_add_func ("/compose/forward", test_forward);
  g_test_add_func ("/compose/mailto", test_mailto);
  g_test_add_func ("/compose/backoff", test_backoff);
  g_test_add_func ("/compose/map-error", test_map_error);
  return g_test_run ();
}
