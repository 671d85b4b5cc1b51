/* test-oauth2-mechanism.c: the SASL mechanism of token logins, chosen from what each
 * server announces (lb-curl.c): XOAUTH2, or OAUTHBEARER where a server offers only that
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-curl.h"

static LbServerConfig *
server (guint16    port,
        LbAuthKind auth)
{
  LbServerConfig *config = lb_server_config_new ("mail.example.com", port, LB_SECURITY_TLS,
                                                 "alice@example.com");

  config->auth = auth;
  return config;
}

static gboolean
note (const LbServerConfig *config,
      const char           *line)
{
  return lb_curl_note_server_line (config, line, strlen (line));
}

static void
test_imap (void)
{
  g_autoptr(LbServerConfig) goa = server (993, LB_AUTH_GOA);
  g_autoptr(LbServerConfig) oauth2 = server (993, LB_AUTH_OAUTH2);

  /* Unknown servers, and servers that offer XOAUTH2, get XOAUTH2. */
  g_assert_cmpstr (lb_curl_oauth2_mechanism (goa), ==, "XOAUTH2");
  g_assert_false (note (goa, "* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2 "
                             "AUTH=OAUTHBEARER\r\n"));
  g_assert_cmpstr (lb_curl_oauth2_mechanism (goa), ==, "XOAUTH2");

  /* An RFC 7628 server, as its greeting says: OAUTHBEARER, for every token account of it. */
  g_assert_true (note (goa, "* OK [CAPABILITY IMAP4rev1 SASL-IR auth=oauthbearer] ready\r\n"));
  g_assert_cmpstr (lb_curl_oauth2_mechanism (goa), ==, "OAUTHBEARER");
  g_assert_cmpstr (lb_curl_oauth2_mechanism (oauth2), ==, "OAUTHBEARER");
  g_assert_false (note (oauth2, "* CAPABILITY IMAP4rev1 AUTH=OAUTHBEARER\r\n"));

  /* The capabilities after the login list no mechanism: they change nothing. */
  g_assert_false (note (goa, "* CAPABILITY IMAP4rev1 IDLE MOVE UIDPLUS\r\n"));
  g_assert_false (note (goa, "A001 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n"));
  g_assert_cmpstr (lb_curl_oauth2_mechanism (goa), ==, "OAUTHBEARER");

  /* It started offering XOAUTH2 again. */
  g_assert_true (note (goa, "* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=OAUTHBEARER\r\n"));
  g_assert_cmpstr (lb_curl_oauth2_mechanism (goa), ==, "XOAUTH2");
}

static void
test_smtp (void)
{
  g_autoptr(LbServerConfig) smtp = server (587, LB_AUTH_OAUTH2);
  g_autoptr(LbServerConfig) other = server (465, LB_AUTH_OAUTH2);

  g_assert_false (note (smtp, "250-mail.example.com\r\n"));
  g_assert_true (note (smtp, "250-AUTH PLAIN OAUTHBEARER\r\n"));
  g_assert_cmpstr (lb_curl_oauth2_mechanism (smtp), ==, "OAUTHBEARER");
  /* Per server: the same host on another port is another server. */
  g_assert_cmpstr (lb_curl_oauth2_mechanism (other), ==, "XOAUTH2");
  g_assert_false (note (smtp, "250 SMTPUTF8\r\n"));
  g_assert_true (note (smtp, "250 AUTH XOAUTH2 OAUTHBEARER\r\n"));
  g_assert_cmpstr (lb_curl_oauth2_mechanism (smtp), ==, "XOAUTH2");
  /* The old AUTH= form. */
  g_assert_true (note (smtp, "250-AUTH=OAUTHBEARER\r\n"));
  g_assert_cmpstr (lb_curl_oauth2_mechanism (smtp), ==, "OAUTHBEARER");
}

static void
test_password_ignored (void)
{
  g_autoptr(LbServerConfig) password = server (143, LB_AUTH_PASSWORD);
  g_autoptr(LbServerConfig) token = server (143, LB_AUTH_GOA);

  g_assert_false (note (password, "* CAPABILITY IMAP4rev1 AUTH=OAUTHBEARER\r\n"));
  g_assert_cmpstr (lb_curl_oauth2_mechanism (token), ==, "XOAUTH2");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/oauth2-mechanism/imap", test_imap);
  g_test_add_func ("/oauth2-mechanism/smtp", test_smtp);
  g_test_add_func ("/oauth2-mechanism/password-ignored", test_password_ignored);
  return g_test_run ();
}
