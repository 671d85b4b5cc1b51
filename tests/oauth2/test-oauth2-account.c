/* test-oauth2-account.c: an OAuth2 account in the engine, against the loopback
 * authorization server and the oauth2-passdb Dovecot, through an LbTestProxy that can cut
 * the kept IMAP connections so that the account logs in again within one process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-error.h"
#include "lb-test-env.h"
#include "lb-test-socks.h"

typedef struct {
  LbTestOAuth2 *oauth2;
  LbTestEnv     env;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  LbTestEnvOptions options = { .proxy = LB_TEST_ENV_PROXY_IMAP, .smtp = TRUE };
  const char *text = "From: bob@example.com\r\nSubject: kept\r\n\r\nhello\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (text, strlen (text));

  f->oauth2 = lb_test_oauth2_start (3600, &error);
  g_assert_no_error (error);
  options.oauth2 = f->oauth2;
  lb_test_env_start_servers (&f->env, &options);
  g_assert_true (lb_test_servers_deliver (f->env.servers, LB_TEST_ENV_USER, "INBOX", message,
                                          "", &error));
  g_assert_no_error (error);
  lb_test_env_open_profile (&f->env);
  lb_test_env_add_account (&f->env);
  g_assert_cmpint (lb_account_get_auth (f->env.account), ==, LB_AUTH_OAUTH2);
  lb_test_env_sync_ok (&f->env);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  lb_test_env_stop (&f->env);
  lb_test_oauth2_stop (f->oauth2);
}

/* The server's count of refreshes ("ok codes=N refreshes=M requests=R"). */
static guint
refreshes (Fixture *f)
{
  g_autofree char *stats = lb_test_oauth2_command (f->oauth2, "stats");
  const char *p = strstr (stats, "refreshes=");

  g_assert_nonnull (p);
  return (guint) g_ascii_strtoull (p + strlen ("refreshes="), NULL, 10);
}

/* Ends the kept IMAP connections, so that the next sync logs in again. */
static void
drop_connections (Fixture *f)
{
  lb_test_proxy_kill_all (f->env.proxy);
}

static void
test_refused_login_refreshed (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *answer = NULL;
  guint before = refreshes (f);

  /* The server says the access token expired while our clock says it has an hour to
   * go: the login with it is refused, and retried once with a refreshed token. */
  answer = lb_test_oauth2_command (f->oauth2, "expire");
  g_assert_cmpstr (answer, ==, "ok");
  drop_connections (f);
  lb_test_env_sync_ok (&f->env);
  g_assert_cmpuint (refreshes (f), ==, before + 1);
  g_assert_false (lb_account_get_needs_sign_in (f->env.account));
}

static void
test_refused_smtp_refreshed (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  g_autofree char *answer = NULL;
  const char *text = "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: t\r\n\r\nhi\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (text, strlen (text));
  const char *to[] = { "bob@example.com", NULL };
  guint before = refreshes (f);
  gboolean queued = TRUE;

  /* Each send opens a new SMTP connection: with the token the server expired, AUTH is
   * refused, and the send is retried once with a refreshed token. */
  answer = lb_test_oauth2_command (f->oauth2, "expire");
  g_assert_cmpstr (answer, ==, "ok");
  lb_engine_send_async (f->env.engine, f->env.account, message, to, NULL, lb_test_got_result,
                        &f->env.result);
  g_assert_true (lb_engine_send_finish (f->env.engine, lb_test_env_wait (&f->env), &queued,
                                        &error));
  g_assert_no_error (error);
  g_assert_false (queued);
  sent = lb_test_servers_wait_smtp (f->env.servers, 1, 10000);
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_cmpstr (((LbTestSmtpMessage *) g_ptr_array_index (sent, 0))->auth_user, ==,
                   LB_TEST_ENV_USER);
  g_assert_cmpuint (refreshes (f), ==, before + 1);
}

static gboolean
is_error (gpointer data)
{
  return lb_account_get_status (data) == LB_ACCOUNT_STATUS_ERROR;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_needs_sign_in (LbAccount  *account,
                  GParamSpec *pspec,
                  gboolean   *notified)
{
  *notified = lb_account_get_needs_sign_in (account);
}

static void
test_revoked_then_sign_in_again (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autoptr(LbAccountSettings) settings = NULL;
  g_autofree char *answer = NULL;
  LbAccount *updated;
  gint64 id = lb_account_get_id (f->env.account);
  gboolean notified = FALSE;
  guint before;

  g_signal_connect (f->env.account, "notify::needs-sign-in", G_CALLBACK (on_needs_sign_in),
                    &notified);
  g_free (lb_test_oauth2_command (f->oauth2, "revoke"));
  answer = lb_test_oauth2_command (f->oauth2, "expire");
  drop_connections (f);
  g_assert_false (lb_test_env_sync (&f->env, 0, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED);
  g_clear_error (&error);
  g_assert_true (lb_account_get_needs_sign_in (f->env.account));
  g_assert_true (lb_test_wait_until (is_error, f->env.account, 10));
  /* A UI can bind to it. */
  g_assert_true (lb_test_wait_until (is_true, &notified, 10));
  g_assert_nonnull (strstr (lb_account_get_last_error (f->env.account), "Sign in"));

  /* Nothing goes to the token endpoint again, however often the account is synced. */
  before = refreshes (f);
  g_assert_false (lb_test_env_sync (&f->env, 0, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED);
  g_clear_error (&error);
  g_assert_cmpuint (refreshes (f), ==, before);

  /* A new process sees it too. */
  g_signal_handlers_disconnect_by_func (f->env.account, on_needs_sign_in, &notified);
  lb_test_env_close_engine (&f->env);
  lb_test_env_open_engine (&f->env);
  g_assert_true (lb_account_get_needs_sign_in (f->env.account));
  g_assert_cmpint (lb_account_get_status (f->env.account), ==, LB_ACCOUNT_STATUS_ERROR);

  /* Signing in again: the same account, with its mail, works again. */
  token = lb_test_env_oauth2_sign_in (&f->env);
  settings = lb_account_dup_settings (f->env.account);
  g_assert_cmpstr (settings->oauth2_provider, ==, "microsoft");
  lb_engine_update_account_async (f->env.engine, f->env.account, settings, token->refresh_token,
                                  NULL, lb_test_got_result, &f->env.result);
  updated = lb_engine_update_account_finish (f->env.engine, lb_test_env_wait (&f->env), &error);
  g_assert_no_error (error);
  g_object_unref (f->env.account);
  f->env.account = updated;
  g_assert_cmpint (lb_account_get_id (f->env.account), ==, id);
  g_assert_false (lb_account_get_needs_sign_in (f->env.account));
  g_assert_cmpuint (lb_folder_get_total_count (lb_test_env_folder (&f->env, LB_FOLDER_ROLE_INBOX)),
                    ==, 1);
  lb_test_env_sync_ok (&f->env);
}

/* An account's proxy carries its token requests as well as IMAP: behind a firewall that
 * needs one, the token server is as unreachable as the mail server. */
static void
test_token_through_proxy (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbTestSocks) socks = lb_test_socks_start (f->env.profile);
  g_autoptr(LbAccountSettings) settings = lb_account_dup_settings (f->env.account);
  g_autofree char *url = lb_test_socks_dup_url (socks);
  guint before = refreshes (f);
  LbAccount *updated;

  g_free (settings->imap->proxy);
  settings->imap->proxy = g_strdup (url);
  g_free (settings->smtp->proxy);
  settings->smtp->proxy = g_strdup (url);
  lb_engine_update_account_async (f->env.engine, f->env.account, settings, NULL, NULL,
                                  lb_test_got_result, &f->env.result);
  updated = lb_engine_update_account_finish (f->env.engine, lb_test_env_wait (&f->env), &error);
  g_assert_no_error (error);
  g_object_unref (f->env.account);
  f->env.account = updated;

  /* The rebuilt account has only the refresh token: its first login refreshes. */
  lb_test_env_sync_ok (&f->env);
  g_assert_cmpuint (refreshes (f), >, before);
  g_assert_cmpuint (lb_test_socks_count (socks, f->oauth2->port), >=, 1);
  g_assert_cmpuint (lb_test_socks_count (socks, lb_test_env_imap_port (&f->env)), >=, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/oauth2/account/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("refused-login-refreshed", test_refused_login_refreshed);
  ADD ("refused-smtp-refreshed", test_refused_smtp_refreshed);
  ADD ("revoked-then-sign-in-again", test_revoked_then_sign_in_again);
  ADD ("token-through-proxy", test_token_through_proxy);
#undef ADD
  return g_test_run ();
}
