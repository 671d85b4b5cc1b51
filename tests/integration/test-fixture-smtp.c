/* test-fixture-smtp.c: the aiosmtpd fixture accepts, authenticates and spools mail exactly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <curl/curl.h>

#include "lb-test-fixture.h"

static LbTestServers *servers;

typedef struct {
  const char *data;
  size_t      len;
  size_t      pos;
} Upload;

static size_t
read_cb (char   *buffer,
         size_t  size,
         size_t  nitems,
         void   *user_data)
{
  Upload *u = user_data;
  size_t n = MIN (size * nitems, u->len - u->pos);

  memcpy (buffer, u->data + u->pos, n);
  u->pos += n;
  return n;
}

static CURLcode
send_mail (const char *url,
           gboolean    starttls,
           const char *user,
           const char *password,
           const char *from,
           const char *to1,
           const char *to2,
           const char *message)
{
  CURL *h = curl_easy_init ();
  struct curl_slist *rcpt = NULL;
  Upload u = { message, strlen (message), 0 };
  CURLcode rc;

  rcpt = curl_slist_append (rcpt, to1);
  if (to2 != NULL)
    rcpt = curl_slist_append (rcpt, to2);
  curl_easy_setopt (h, CURLOPT_URL, url);
  curl_easy_setopt (h, CURLOPT_USERNAME, user);
  curl_easy_setopt (h, CURLOPT_PASSWORD, password);
  curl_easy_setopt (h, CURLOPT_CAINFO, servers->ca_file);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 1L);
  if (starttls)
    curl_easy_setopt (h, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
  curl_easy_setopt (h, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt (h, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt (h, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt (h, CURLOPT_READDATA, &u);
  curl_easy_setopt (h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT_MS, 20000L);
  curl_easy_setopt (h, CURLOPT_TIMEOUT_MS, 60000L);
  if (g_getenv ("LB_TEST_CURL_VERBOSE") != NULL)
    curl_easy_setopt (h, CURLOPT_VERBOSE, 1L);
  rc = curl_easy_perform (h);
  curl_slist_free_all (rcpt);
  curl_easy_cleanup (h);
  return rc;
}

/* A message that exercises the transfer: CRLF, 8-bit UTF-8 and GBK bytes, a line starting
 * with a dot (dot-stuffed on the wire, unstuffed in the spool) and a lone dot-line prefix. */
static char *
make_message (const char *tag)
{
  return g_strdup_printf ("From: Alice <alice@example.com>\r\n"
                          "To: Li Wei <li.wei@example.cn>\r\n"
                          "Subject: =?UTF-8?B?5rWL6K+V?= %s\r\n"
                          "Message-ID: <%s@example.com>\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=UTF-8\r\n"
                          "Content-Transfer-Encoding: 8bit\r\n"
                          "\r\n"
                          "你好，这是一封测试邮件。\r\n"
                          ".a line that starts with a dot\r\n"
                          "..two dots\r\n"
                          "raw \xc4\xe3\xba\xc3 bytes\r\n"
                          "end\r\n", tag, tag);
}

static void
assert_spooled (const LbTestSmtpMessage *m,
                const char              *message,
                const char              *listener)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (m->path, &data, &len, NULL));
  g_assert_cmpmem (data, len, message, strlen (message));
  g_assert_cmpstr (m->listener, ==, listener);
  g_assert_cmpstr (m->mail_from, ==, "alice@example.com");
  g_assert_cmpstr (m->auth_user, ==, "alice@example.com");
}

static void
send_and_check (gboolean starttls)
{
  g_autofree char *url = NULL;
  g_autofree char *message = make_message (starttls ? "starttls" : "smtps");
  g_autoptr(GPtrArray) before = lb_test_servers_list_smtp (servers);
  g_autoptr(GPtrArray) after = NULL;
  const LbTestSmtpMessage *m;

  if (starttls)
    url = g_strdup_printf ("smtp://127.0.0.1:%u", servers->smtp_port);
  else
    url = g_strdup_printf ("smtps://127.0.0.1:%u", servers->smtps_port);
  g_assert_cmpint (send_mail (url, starttls, "alice@example.com", "secret", "<alice@example.com>",
                              "<li.wei@example.cn>", "<bob@example.org>", message),
                   ==, CURLE_OK);
  after = lb_test_servers_wait_smtp (servers, before->len + 1, 10000);
  g_assert_cmpuint (after->len, ==, before->len + 1);
  m = g_ptr_array_index (after, after->len - 1);
  assert_spooled (m, message, starttls ? "smtp" : "smtps");
  g_assert_cmpuint (g_strv_length (m->rcpt_tos), ==, 2);
  g_assert_cmpstr (m->rcpt_tos[0], ==, "li.wei@example.cn");
  g_assert_cmpstr (m->rcpt_tos[1], ==, "bob@example.org");
}

static void
test_smtps (void)
{
  send_and_check (FALSE);
}

static void
test_starttls (void)
{
  send_and_check (TRUE);
}

static void
test_wrong_password (void)
{
  g_autofree char *url = g_strdup_printf ("smtps://127.0.0.1:%u", servers->smtps_port);
  g_autofree char *url2 = g_strdup_printf ("smtp://127.0.0.1:%u", servers->smtp_port);
  g_autofree char *message = make_message ("denied");
  g_autoptr(GPtrArray) before = lb_test_servers_list_smtp (servers);
  g_autoptr(GPtrArray) after = NULL;

  g_assert_cmpint (send_mail (url, FALSE, "alice@example.com", "wrong", "<alice@example.com>",
                              "<x@example.org>", NULL, message), ==, CURLE_LOGIN_DENIED);
  g_assert_cmpint (send_mail (url2, TRUE, "mallory@example.com", "secret", "<alice@example.com>",
                              "<x@example.org>", NULL, message), ==, CURLE_LOGIN_DENIED);
  after = lb_test_servers_list_smtp (servers);
  g_assert_cmpuint (after->len, ==, before->len);
}

static void
test_down_and_up (void)
{
  g_autofree char *url = g_strdup_printf ("smtps://127.0.0.1:%u", servers->smtps_port);
  g_autofree char *url2 = g_strdup_printf ("smtp://127.0.0.1:%u", servers->smtp_port);
  g_autofree char *message = make_message ("after-restart");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;

  g_assert_true (lb_test_servers_smtp_stop (servers, &error));
  g_assert_no_error (error);
  g_assert_cmpint (send_mail (url, FALSE, "alice@example.com", "secret", "<alice@example.com>",
                              "<x@example.org>", NULL, message), ==, CURLE_COULDNT_CONNECT);
  g_assert_cmpint (send_mail (url2, TRUE, "alice@example.com", "secret", "<alice@example.com>",
                              "<x@example.org>", NULL, message), ==, CURLE_COULDNT_CONNECT);
  /* Stopping twice is harmless. */
  g_assert_true (lb_test_servers_smtp_stop (servers, &error));
  g_assert_no_error (error);

  g_assert_true (lb_test_servers_smtp_start (servers, &error));
  g_assert_no_error (error);
  g_assert_cmpint (send_mail (url, FALSE, "alice@example.com", "secret", "<alice@example.com>",
                              "<x@example.org>", NULL, message), ==, CURLE_OK);
  list = lb_test_servers_list_smtp (servers);
  g_assert_cmpuint (list->len, >, 0);
  assert_spooled (g_ptr_array_index (list, list->len - 1), message, "smtps");
}

int
main (int    argc,
      char **argv)
{
  LbTestServersOptions options = { .no_imap = TRUE };
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);

  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->imap_port, ==, 0);

  g_test_add_func ("/integration/fixture/smtp/smtps", test_smtps);
  g_test_add_func ("/integration/fixture/smtp/starttls", test_starttls);
  g_test_add_func ("/integration/fixture/smtp/wrong-password", test_wrong_password);
  g_test_add_func ("/integration/fixture/smtp/down-and-up", test_down_and_up);
  status = g_test_run ();

  lb_test_servers_stop (servers);
  curl_global_cleanup ();
  return status;
}
