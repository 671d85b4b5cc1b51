/* test-oauth2-imap.c: IMAP and SMTP logins with SASL XOAUTH2, against a Dovecot whose
 * oauth2 passdb asks the loopback authorization server (RFC 7662 introspection), and the
 * aiosmtpd fixture, which asks the same endpoint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-error.h"
#include "lb-imap-session.h"
#include "lb-oauth2-credentials.h"
#include "lb-oauth2-flow.h"
#include "lb-smtp-sender.h"
#include "lb-test-log.h"
#include "lb-test-fixture.h"
#include "lb-test-oauth2.h"
#include "lb-test-wait.h"

typedef struct {
  LbTestOAuth2     *oauth2;
  LbTestServers    *servers;
  LbOAuth2Provider *provider;
  LbOAuth2Token    *token;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  LbTestServersOptions options = { 0 };

  f->oauth2 = lb_test_oauth2_start (3600, &error);
  g_assert_no_error (error);
  options.oauth2_introspect = f->oauth2->introspect_url;
  f->servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  f->provider = lb_oauth2_provider_lookup ("microsoft", &error);
  g_assert_no_error (error);

  g_setenv ("LETTERBOX_BROWSER", f->oauth2->browser, TRUE);
  lb_oauth2_sign_in_async (f->provider, "alice@example.com", 60, NULL, NULL, NULL,
                           lb_test_got_result, &slot);
  f->token = lb_oauth2_sign_in_finish (lb_test_wait_result (&slot), &error);
  g_clear_object (&slot);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* No token, access or refresh, in any log line. */
  g_assert_cmpuint (lb_test_log_count (f->token->access_token), ==, 0);
  g_assert_cmpuint (lb_test_log_count (f->token->refresh_token), ==, 0);
  g_unsetenv ("LETTERBOX_BROWSER");
  lb_oauth2_token_free (f->token);
  lb_oauth2_provider_free (f->provider);
  lb_test_servers_stop (f->servers);
  lb_test_oauth2_stop (f->oauth2);
}

static LbServerConfig *
imap_config (Fixture  *f,
             gboolean  starttls)
{
  LbServerConfig *config;

  config = lb_server_config_new ("127.0.0.1",
                                 starttls ? f->servers->imap_port : f->servers->imaps_port,
                                 starttls ? LB_SECURITY_STARTTLS : LB_SECURITY_TLS,
                                 "alice@example.com");
  config->ca_file = g_strdup (f->servers->ca_file);
  config->auth = LB_AUTH_OAUTH2;
  return config;
}

/* Logs in with SECRET and selects INBOX. */
static gboolean
login_and_select (LbServerConfig  *config,
                  const char      *secret,
                  guint32         *exists,
                  GError         **error)
{
  g_autoptr(LbImapSession) session = lb_imap_session_new ();
  LbImapSelectInfo info = { 0 };

  if (!lb_imap_session_connect_sync (session, config, secret, FALSE, NULL, error))
    return FALSE;
  if (!lb_imap_session_select_sync (session, "INBOX", TRUE, NULL, NULL, NULL, &info, NULL, error))
    return FALSE;
  *exists = info.exists;
  lb_imap_session_disconnect (session);
  g_assert_finalize_object (g_steal_pointer (&session));
  return TRUE;
}

static void
test_login (Fixture       *f,
            gconstpointer  data)
{
  gboolean starttls = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbServerConfig) config = imap_config (f, starttls);
  const char *text = "Subject: hi\r\n\r\nhello\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (text, strlen (text));
  guint32 exists = 0;

  g_assert_true (lb_test_servers_deliver (f->servers, "alice@example.com", "INBOX", message,
                                          "S", &error));
  g_assert_no_error (error);
  /* The session is confirmed with a command after the login (issue 13: Microsoft can
   * accept AUTH for another user's token). */
  g_assert_true (login_and_select (config, f->token->access_token, &exists, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (exists, ==, 1);
}

static void
test_wrong_token (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbServerConfig) config = imap_config (f, FALSE);
  guint32 exists = 0;

  g_assert_false (login_and_select (config, "not-a-token-the-server-issued", &exists, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_AUTH);
  g_clear_error (&error);

  /* The token is never a password: this server takes no PLAIN login at all. */
  config->auth = LB_AUTH_PASSWORD;
  g_assert_false (login_and_select (config, f->token->access_token, &exists, &error));
  g_assert_nonnull (error);
}

static void
test_other_address (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbServerConfig) config = imap_config (f, FALSE);
  g_autoptr(LbOAuth2Token) bob = NULL;
  GAsyncResult *slot = NULL;
  guint32 exists = 0;

  /* The user signs in as someone else in the browser: the token is valid, but not for
   * this address, and the server refuses it. */
  lb_oauth2_sign_in_async (f->provider, "bob@example.com", 60, NULL, NULL, NULL,
                           lb_test_got_result, &slot);
  bob = lb_oauth2_sign_in_finish (lb_test_wait_result (&slot), &error);
  g_clear_object (&slot);
  g_assert_no_error (error);
  g_assert_false (login_and_select (config, bob->access_token, &exists, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_AUTH);
}

static void
test_expired_then_refreshed (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbServerConfig) config = imap_config (f, FALSE);
  g_autoptr(LbOAuth2Credentials) credentials = NULL;
  g_autofree char *answer = lb_test_oauth2_command (f->oauth2, "expire");
  g_autofree char *token = NULL;
  g_autofree char *fresh = NULL;
  guint32 exists = 0;

  credentials = lb_oauth2_credentials_new (f->provider, f->token->refresh_token, NULL, NULL, NULL);
  lb_oauth2_credentials_set_token (credentials, f->token);
  g_assert_cmpstr (answer, ==, "ok");

  /* The server says the token expired before our clock does: the login is refused ... */
  token = lb_oauth2_credentials_get_access_token_sync (credentials, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (login_and_select (config, token, &exists, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_AUTH);
  g_clear_error (&error);

  /* ... and retried once with a refreshed token, which works. */
  fresh = lb_oauth2_credentials_get_access_token_sync (credentials, token, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fresh, !=, token);
  g_assert_true (login_and_select (config, fresh, &exists, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lb_test_log_count (fresh), ==, 0);
}

static LbServerConfig *
smtp_config (Fixture  *f,
             gboolean  starttls)
{
  LbServerConfig *config;

  config = lb_server_config_new ("127.0.0.1",
                                 starttls ? f->servers->smtp_port : f->servers->smtps_port,
                                 starttls ? LB_SECURITY_STARTTLS : LB_SECURITY_TLS,
                                 "alice@example.com");
  config->ca_file = g_strdup (f->servers->ca_file);
  config->auth = LB_AUTH_OAUTH2;
  return config;
}

static void
test_smtp_send (Fixture       *f,
                gconstpointer  data)
{
  gboolean starttls = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbServerConfig) config = smtp_config (f, starttls);
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  const char *to[] = { "bob@example.com", NULL };
  const char *text = "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: t\r\n\r\nhi\r\n";
  LbTestSmtpMessage *received;

  message = g_bytes_new_static (text, strlen (text));
  g_assert_cmpint (lb_smtp_send_sync (config, f->token->access_token, "alice@example.com", to,
                                      message, NULL, NULL, &error), ==, LB_SMTP_OK);
  g_assert_no_error (error);
  sent = lb_test_servers_wait_smtp (f->servers, 1, 10000);
  g_assert_cmpuint (sent->len, ==, 1);
  received = g_ptr_array_index (sent, 0);
  g_assert_cmpstr (received->auth_user, ==, "alice@example.com");
}

static void
test_smtp_wrong_token (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbServerConfig) config = smtp_config (f, FALSE);

  g_assert_false (lb_smtp_check_login_sync (config, "not-a-token-the-server-issued", NULL,
                                            NULL, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_AUTH);
  g_clear_error (&error);
  g_assert_true (lb_smtp_check_login_sync (config, f->token->access_token, NULL, NULL, &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  lb_test_log_record ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/oauth2/imap/" path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("login-tls", test_login, GINT_TO_POINTER (FALSE));
  ADD ("login-starttls", test_login, GINT_TO_POINTER (TRUE));
  ADD ("wrong-token", test_wrong_token, NULL);
  ADD ("other-address", test_other_address, NULL);
  ADD ("expired-then-refreshed", test_expired_then_refreshed, NULL);
#undef ADD
#define ADD(path, func, data) \
  g_test_add ("/oauth2/smtp/" path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("send-tls", test_smtp_send, GINT_TO_POINTER (FALSE));
  ADD ("send-starttls", test_smtp_send, GINT_TO_POINTER (TRUE));
  ADD ("wrong-token", test_smtp_wrong_token, NULL);
#undef ADD
  return g_test_run ();
}
