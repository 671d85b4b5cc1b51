/* test-fixture-imap.c: the private Dovecot behaves as TESTING.md says
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-test-fixture.h"
#include "lb-test-probe.h"

static LbTestServers *servers;

#define USER "alice@example.com"
#define PASSWORD "secret"

static char *
imaps_url (LbTestServers *s)
{
  return g_strdup_printf ("imaps://127.0.0.1:%u/", s->imaps_port);
}

static char *
imap_url (LbTestServers *s)
{
  return g_strdup_printf ("imap://127.0.0.1:%u/", s->imap_port);
}

static char *
command_text (LbTestProbe *probe,
              const char  *command)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  gboolean ok = FALSE;

  reply = lb_test_probe_command (probe, command, &ok, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_true (ok);
  return g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
}

static void
assert_capability (LbTestProbe *probe,
                   const char  *must_have,
                   const char  *must_not_have)
{
  g_autofree char *text = command_text (probe, "CAPABILITY");
  g_autofree char *needle = g_strdup_printf (" %s", must_have);

  g_assert_true (g_str_has_prefix (text, "* CAPABILITY IMAP4rev1"));
  g_assert_nonnull (strstr (text, needle));
  if (must_not_have != NULL)
    {
      g_autofree char *bad = g_strdup_printf (" %s", must_not_have);
      g_autofree char *first = g_strndup (text, strcspn (text, "\r"));

      g_assert_null (strstr (first, bad));
    }
}

static void
test_imaps_login (void)
{
  g_autoptr(LbTestProbe) probe = NULL;
  g_autofree char *url = imaps_url (servers);
  g_autofree char *list = NULL;
  CURLcode rc;

  rc = lb_test_probe_connect (url, FALSE, USER, PASSWORD, servers->ca_file, &probe);
  g_assert_cmpint (rc, ==, CURLE_OK);
  assert_capability (probe, "IDLE", NULL);
  assert_capability (probe, "CONDSTORE", NULL);
  assert_capability (probe, "SPECIAL-USE", NULL);

  list = command_text (probe, "LIST \"\" \"*\"");
  g_assert_nonnull (strstr (list, "\\Sent) \"/\" Sent"));
  g_assert_nonnull (strstr (list, "\\Drafts) \"/\" Drafts"));
  g_assert_nonnull (strstr (list, "\\Trash) \"/\" Trash"));
  g_assert_nonnull (strstr (list, "\\Junk) \"/\" Junk"));
  g_assert_nonnull (strstr (list, "\\Archive) \"/\" Archive"));
  g_assert_nonnull (strstr (list, "\"/\" INBOX"));
}

static void
test_starttls_login (void)
{
  g_autoptr(LbTestProbe) probe = NULL;
  g_autofree char *url = imap_url (servers);
  CURLcode rc;

  rc = lb_test_probe_connect (url, TRUE, USER, PASSWORD, servers->ca_file, &probe);
  g_assert_cmpint (rc, ==, CURLE_OK);
  assert_capability (probe, "IDLE", NULL);
}

static void
test_untrusted_certificate (void)
{
  g_autoptr(LbTestProbe) probe = NULL;
  g_autofree char *url = imaps_url (servers);
  g_autofree char *plain_url = imap_url (servers);

  g_assert_cmpint (lb_test_probe_connect (url, FALSE, USER, PASSWORD, NULL, &probe),
                   ==, CURLE_PEER_FAILED_VERIFICATION);
  g_assert_null (probe);
  g_assert_cmpint (lb_test_probe_connect (plain_url, TRUE, USER, PASSWORD, NULL, &probe),
                   ==, CURLE_PEER_FAILED_VERIFICATION);
  g_assert_null (probe);
}

static void
test_wrong_password (void)
{
  g_autoptr(LbTestProbe) probe = NULL;
  g_autofree char *url = imaps_url (servers);
  g_autofree char *plain_url = imap_url (servers);

  g_assert_cmpint (lb_test_probe_connect (url, FALSE, USER, "wrong", servers->ca_file, &probe),
                   ==, CURLE_LOGIN_DENIED);
  g_assert_null (probe);
  g_assert_cmpint (lb_test_probe_connect (plain_url, TRUE, "nobody@example.com", PASSWORD,
                                          servers->ca_file, &probe),
                   ==, CURLE_LOGIN_DENIED);
  g_assert_null (probe);
}

static void
test_second_user (void)
{
  g_autoptr(LbTestProbe) probe = NULL;
  g_autofree char *url = imaps_url (servers);
  const char *password = lb_test_servers_get_password (servers, "bob@example.org");

  /* A password with ':' must survive Dovecot's passwd-file. */
  g_assert_cmpstr (password, ==, "pass:word 2");
  g_assert_cmpint (lb_test_probe_connect (url, FALSE, "bob@example.org", password,
                                          servers->ca_file, &probe), ==, CURLE_OK);
  g_assert_null (lb_test_servers_get_password (servers, "bob@example"));
}

static const char message[] =
  "From: Li Wei <li.wei@example.cn>\n"
  "To: alice@example.com\n"
  "Subject: =?UTF-8?B?5Lya6K6u6YCa55+l?=\n"
  "Message-ID: <deliver-1@example.cn>\n"
  "Date: Mon, 2 Jun 2025 09:30:00 +0800\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=UTF-8\n"
  "\n"
  "明天上午十点开会。\n";

static void
test_deliver_idle (void)
{
  g_autoptr(LbTestProbe) probe = NULL;
  g_autoptr(GBytes) msg = g_bytes_new_static (message, strlen (message));
  g_autoptr(GError) error = NULL;
  g_autofree char *url = imaps_url (servers);
  g_autofree char *select = NULL;
  g_autofree char *fetch = NULL;
  g_autofree char *line = NULL;
  gboolean saw_exists = FALSE;
  gint64 deadline;

  g_assert_cmpint (lb_test_probe_connect (url, FALSE, USER, PASSWORD, servers->ca_file, &probe),
                   ==, CURLE_OK);
  select = command_text (probe, "SELECT INBOX");
  g_assert_nonnull (strstr (select, "* 0 EXISTS"));

  g_assert_true (lb_test_probe_send (probe, "i1 IDLE\r\n", &error));
  g_assert_no_error (error);
  line = lb_test_probe_read_line (probe, 10000, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "+ "));

  g_assert_true (lb_test_servers_deliver (servers, USER, "INBOX", msg, NULL, &error));
  g_assert_no_error (error);

  /* Dovecot batches notifications (~0.5 s); wait for the event, never a fixed sleep. */
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!saw_exists && g_get_monotonic_time () < deadline)
    {
      g_autofree char *l = lb_test_probe_read_line (probe, 15000, &error);

      g_assert_no_error (error);
      saw_exists = g_strcmp0 (l, "* 1 EXISTS") == 0;
    }
  g_assert_true (saw_exists);

  g_assert_true (lb_test_probe_send (probe, "DONE\r\n", &error));
  g_assert_no_error (error);
  for (;;)
    {
      g_autofree char *l = lb_test_probe_read_line (probe, 10000, &error);

      g_assert_no_error (error);
      if (g_str_has_prefix (l, "i1 "))
        {
          g_assert_true (g_str_has_prefix (l, "i1 OK"));
          break;
        }
    }

  fetch = command_text (probe, "FETCH 1 (FLAGS ENVELOPE)");
  g_assert_nonnull (strstr (fetch, "\"=?UTF-8?B?5Lya6K6u6YCa55+l?=\""));
  g_assert_nonnull (strstr (fetch, "<deliver-1@example.cn>"));
  g_assert_null (strstr (fetch, "\\Seen"));
}

static void
test_deliver_flags (void)
{
  g_autoptr(LbTestProbe) probe = NULL;
  g_autoptr(GBytes) msg = g_bytes_new_static (message, strlen (message));
  g_autoptr(GError) error = NULL;
  g_autofree char *url = imaps_url (servers);
  g_autofree char *status = NULL;
  g_autofree char *fetch = NULL;

  g_assert_true (lb_test_servers_deliver (servers, USER, "Archive", msg, "FS", &error));
  g_assert_no_error (error);
  g_assert_true (lb_test_servers_deliver (servers, USER, "Archive", msg, "", &error));
  g_assert_no_error (error);
  /* A folder that does not exist yet is created, as a server-side filter would. */
  g_assert_true (lb_test_servers_deliver (servers, USER, "Projects/2025", msg, "S", &error));
  g_assert_no_error (error);

  g_assert_cmpint (lb_test_probe_connect (url, FALSE, USER, PASSWORD, servers->ca_file, &probe),
                   ==, CURLE_OK);
  status = command_text (probe, "STATUS Archive (MESSAGES UNSEEN)");
  g_assert_nonnull (strstr (status, "(MESSAGES 2 UNSEEN 1)"));
  g_free (command_text (probe, "SELECT Archive"));
  /* Flags come from the file name; \Recent is added as this is the first session. */
  fetch = command_text (probe, "FETCH 1:2 (FLAGS)");
  g_assert_nonnull (strstr (fetch, "* 1 FETCH (FLAGS (\\Flagged \\Seen \\Recent))"));
  g_assert_nonnull (strstr (fetch, "* 2 FETCH (FLAGS (\\Recent))"));
  g_free (status);
  status = command_text (probe, "STATUS \"Projects/2025\" (MESSAGES)");
  g_assert_nonnull (strstr (status, "(MESSAGES 1)"));
}

static void
test_capability_override (void)
{
  /* What 163 advertises: no IDLE, MOVE, CONDSTORE or QRESYNC. */
  LbTestServersOptions options = {
    .imap_capability = "IMAP4rev1 ID UIDPLUS SPECIAL-USE",
    .no_smtp = TRUE,
  };
  g_autoptr(LbTestServers) s = NULL;
  g_autoptr(LbTestProbe) probe = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  s = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->smtp_port, ==, 0);
  url = imaps_url (s);
  g_assert_cmpint (lb_test_probe_connect (url, FALSE, USER, PASSWORD, s->ca_file, &probe),
                   ==, CURLE_OK);
  assert_capability (probe, "UIDPLUS", "IDLE");
  assert_capability (probe, "ID", "CONDSTORE");
  assert_capability (probe, "SPECIAL-USE", "MOVE");
}

int
main (int    argc,
      char **argv)
{
  static const char * const users[] = {
    "alice@example.com:secret", "bob@example.org:pass:word 2", NULL
  };
  LbTestServersOptions options = { .users = users, .no_smtp = TRUE };
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);

  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);

  g_test_add_func ("/integration/fixture/imap/imaps-login", test_imaps_login);
  g_test_add_func ("/integration/fixture/imap/starttls-login", test_starttls_login);
  g_test_add_func ("/integration/fixture/imap/untrusted-certificate", test_untrusted_certificate);
  g_test_add_func ("/integration/fixture/imap/wrong-password", test_wrong_password);
  g_test_add_func ("/integration/fixture/imap/second-user", test_second_user);
  g_test_add_func ("/integration/fixture/imap/deliver-idle", test_deliver_idle);
  g_test_add_func ("/integration/fixture/imap/deliver-flags", test_deliver_flags);
  g_test_add_func ("/integration/fixture/imap/capability-override", test_capability_override);
  status = g_test_run ();

  lb_test_servers_stop (servers);
  curl_global_cleanup ();
  return status;
}
