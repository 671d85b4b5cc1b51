/* test-oauth2-flow.c: OAuth2 providers, the browser sign-in and the token endpoint,
 * against tests/fixtures/oauth2_server.py on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lb-error.h"
#include "lb-oauth2-credentials.h"
#include "lb-oauth2-flow.h"
#include "lb-test-log.h"
#include "lb-test-oauth2.h"
#include "lb-test-wait.h"

/* Every log line of the process, to prove that no token is in any of them. */
static void
assert_not_logged (const char *secret)
{
  g_assert_nonnull (secret);
  g_assert_cmpuint (lb_test_log_count (secret), ==, 0);
}

typedef struct {
  LbTestOAuth2     *server;
  LbOAuth2Provider *provider;
  char             *browser_log;
  char             *uri;
  gboolean          browser_started;
  GCancellable     *cancel_on_uri;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = lb_test_oauth2_start (3600, &error);
  g_assert_no_error (error);
  f->provider = lb_oauth2_provider_lookup ("microsoft", &error);
  g_assert_no_error (error);
  f->browser_log = g_build_filename (g_get_tmp_dir (), "lb-oauth2-browser-XXXXXX", NULL);
  g_close (g_mkstemp (f->browser_log), NULL);
  g_unlink (f->browser_log);
  g_setenv ("LB_TEST_BROWSER_LOG", f->browser_log, TRUE);
  g_setenv ("LETTERBOX_BROWSER", f->server->browser, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_unsetenv ("LETTERBOX_BROWSER");
  g_unsetenv ("LB_TEST_BROWSER_MODE");
  g_unsetenv ("LB_TEST_BROWSER_LOG");
  g_unlink (f->browser_log);
  g_free (f->browser_log);
  g_free (f->uri);
  lb_oauth2_provider_free (f->provider);
  lb_test_oauth2_stop (f->server);
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* What the stand-in browser saw from the listener, one status a line. */
static char *
browser_statuses (Fixture *f)
{
  char *text = NULL;

  g_assert_true (lb_test_wait_until (file_exists, f->browser_log, 30));
  g_assert_true (g_file_get_contents (f->browser_log, &text, NULL, NULL));
  return text;
}

/* The port of the redirect URI inside the authorization URL URI. */
static guint16
redirect_port (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GUri) redirect = NULL;

  params = g_uri_parse_params (g_uri_get_query (parsed), -1, "&", G_URI_PARAMS_NONE, NULL);
  redirect = g_uri_parse (g_hash_table_lookup (params, "redirect_uri"), G_URI_FLAGS_NONE, NULL);
  return (guint16) g_uri_get_port (redirect);
}

static void
got_uri (const char *uri,
         gboolean    browser_started,
         gpointer    user_data)
{
  Fixture *f = user_data;

  g_free (f->uri);
  f->uri = g_strdup (uri);
  f->browser_started = browser_started;
  if (f->cancel_on_uri != NULL)
    g_cancellable_cancel (f->cancel_on_uri);
}

static LbOAuth2Token *
sign_in (Fixture      *f,
         const char   *mode,
         guint         timeout_s,
         GCancellable *cancellable,
         GError      **error)
{
  GAsyncResult *slot = NULL;
  LbOAuth2Token *token;

  g_setenv ("LB_TEST_BROWSER_MODE", mode, TRUE);
  lb_oauth2_sign_in_async (f->provider, "alice@example.com", timeout_s, got_uri, f,
                           cancellable, lb_test_got_result, &slot);
  token = lb_oauth2_sign_in_finish (lb_test_wait_result (&slot), error);
  g_clear_object (&slot);
  return token;
}

static void
test_pkce_challenge (void)
{
  /* RFC 7636, appendix B. */
  g_autofree char *challenge =
    lb_oauth2_pkce_challenge ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

  g_assert_cmpstr (challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void
test_provider_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) builtin = g_key_file_new ();
  g_autoptr(GKeyFile) override = g_key_file_new ();
  g_autoptr(LbOAuth2Provider) p = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_resources_lookup_data ("/io/github/letterbox/Letterbox/engine/providers/providers.ini",
                                   G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_key_file_load_from_data (builtin, g_bytes_get_data (bytes, NULL),
                                            g_bytes_get_size (bytes), G_KEY_FILE_NONE, &error));

  /* The bundled endpoints, with a client ID as a build would give. */
  p = lb_oauth2_provider_new_from_key_files (builtin, NULL, "google", "cid", "csecret", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->auth_url, ==, "https://accounts.google.com/o/oauth2/v2/auth");
  g_assert_cmpstr (p->token_url, ==, "https://oauth2.googleapis.com/token");
  g_assert_cmpstr (p->scopes, ==, "https://mail.google.com/");
  g_assert_cmpstr (p->client_secret, ==, "csecret");
  g_assert_true (g_strv_contains ((const char * const *) p->auth_params, "access_type=offline"));
  g_clear_pointer (&p, lb_oauth2_provider_free);

  p = lb_oauth2_provider_new_from_key_files (builtin, NULL, "microsoft", "cid", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->token_url, ==, "https://login.microsoftonline.com/common/oauth2/v2.0/token");
  g_assert_nonnull (strstr (p->scopes, "https://outlook.office.com/IMAP.AccessAsUser.All"));
  g_assert_nonnull (strstr (p->scopes, "offline_access"));
  g_assert_cmpstr (p->redirect_host, ==, "localhost");
  g_clear_pointer (&p, lb_oauth2_provider_free);

  /* A build without a client ID says so. */
  p = lb_oauth2_provider_new_from_key_files (builtin, NULL, "microsoft", "", NULL, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED);
  g_assert_null (p);
  g_clear_error (&error);

  p = lb_oauth2_provider_new_from_key_files (builtin, NULL, "yahoo", "cid", NULL, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The test file may use http, on a loopback address only. */
  g_key_file_set_string (override, "microsoft", "token-url", "http://[::1]:8/token");
  g_key_file_set_string (override, "microsoft", "auth-url", "http://127.0.0.1:8/authorize");
  p = lb_oauth2_provider_new_from_key_files (builtin, override, "microsoft", "cid", NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&p, lb_oauth2_provider_free);
  g_key_file_set_string (override, "microsoft", "token-url", "http://example.com/token");
  p = lb_oauth2_provider_new_from_key_files (builtin, override, "microsoft", "cid", NULL, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_key_file_set_string (override, "microsoft", "token-url", "ftp://127.0.0.1/token");
  p = lb_oauth2_provider_new_from_key_files (builtin, override, "microsoft", "cid", NULL, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  /* Nowhere else. */
  g_key_file_set_string (builtin, "oauth2:google", "TokenUrl", "http://127.0.0.1:8/token");
  p = lb_oauth2_provider_new_from_key_files (builtin, NULL, "google", "cid", NULL, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED);
  g_assert_null (p);
}

static void
test_sign_in (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autofree char *statuses = NULL;
  g_autofree char *stats = NULL;

  token = sign_in (f, "follow", 60, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token->access_token);
  g_assert_nonnull (token->refresh_token);
  g_assert_cmpint (token->expires_at, >, g_get_monotonic_time ());
  g_assert_false (lb_oauth2_token_needs_refresh (token, g_get_monotonic_time ()));
  g_assert_true (f->browser_started);
  g_assert_true (g_str_has_prefix (f->uri, f->server->base_url));
  g_assert_nonnull (strstr (f->uri, "code_challenge_method=S256"));
  g_assert_nonnull (strstr (f->uri, "login_hint=alice%40example.com"));
  g_assert_nonnull (strstr (f->uri, "redirect_uri=http%3A%2F%2Flocalhost%3A"));
  statuses = browser_statuses (f);
  g_assert_cmpstr (statuses, ==, "200\n");
  stats = lb_test_oauth2_command (f->server, "stats");
  g_assert_cmpstr (stats, ==, "ok codes=1 refreshes=0 requests=1");
  assert_not_logged (token->access_token);
  assert_not_logged (token->refresh_token);
}

static void
test_wrong_path (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autofree char *statuses = NULL;

  /* /favicon.ico gets a 404 and the flow goes on to the real redirect. */
  token = sign_in (f, "wrong-path", 60, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  statuses = browser_statuses (f);
  g_assert_cmpstr (statuses, ==, "404\n200\n");
}

static void
test_huge_request (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autofree char *statuses = NULL;

  /* A request over 8 KiB is refused unread, even with the right state and code, and the
   * flow waits on for a proper one. */
  token = sign_in (f, "huge", 60, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  statuses = browser_statuses (f);
  g_assert_cmpstr (statuses, ==, "431\n200\n");
}

static void
test_bad_state (Fixture       *f,
                gconstpointer  data)
{
  const char *mode = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autofree char *statuses = NULL;
  g_autofree char *stats = NULL;

  token = sign_in (f, mode, 60, NULL, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_AUTH);
  g_assert_null (token);
  statuses = browser_statuses (f);
  g_assert_cmpstr (statuses, ==, "400\n");
  /* The code was never exchanged. */
  stats = lb_test_oauth2_command (f->server, "stats");
  g_assert_cmpstr (stats, ==, "ok codes=0 refreshes=0 requests=0");
}

static void
test_second_redirect (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autofree char *statuses = NULL;

  token = sign_in (f, "twice", 60, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  /* The listener closed after the first good redirect. */
  statuses = browser_statuses (f);
  g_assert_cmpstr (statuses, ==, "200\nrefused\n");
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *statuses = NULL;

  token = sign_in (f, "none", 1, NULL, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_TIMEOUT);
  g_assert_null (token);
  g_clear_error (&error);
  statuses = browser_statuses (f);
  g_assert_cmpstr (statuses, ==, "");

  /* The listener is gone: connecting to the port of the redirect URI is refused. */
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", redirect_port (f->uri),
                                                NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  f->cancel_on_uri = cancellable;
  token = sign_in (f, "none", 60, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (token);
}

static void
test_refresh_rotates (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Token) first = NULL;
  g_autoptr(LbOAuth2Token) second = NULL;
  g_autoptr(LbOAuth2Token) again = NULL;
  GAsyncResult *slot = NULL;
  g_autofree char *answer = NULL;

  first = sign_in (f, "follow", 60, NULL, &error);
  g_assert_no_error (error);
  lb_oauth2_refresh_async (f->provider, first->refresh_token, NULL, lb_test_got_result, &slot);
  second = lb_oauth2_refresh_finish (lb_test_wait_result (&slot), &error);
  g_clear_object (&slot);
  g_assert_no_error (error);
  g_assert_cmpstr (second->access_token, !=, first->access_token);
  g_assert_nonnull (second->refresh_token);
  g_assert_cmpstr (second->refresh_token, !=, first->refresh_token);

  /* The old refresh token was rotated away: only signing in again helps. */
  again = lb_oauth2_refresh_sync (f->provider, first->refresh_token, NULL, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED);
  g_assert_null (again);
  g_clear_error (&error);

  /* So does a revoked grant. */
  answer = lb_test_oauth2_command (f->server, "revoke");
  g_assert_cmpstr (answer, ==, "ok");
  again = lb_oauth2_refresh_sync (f->provider, second->refresh_token, NULL, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED);
  g_assert_null (again);
  assert_not_logged (first->refresh_token);
  assert_not_logged (second->refresh_token);
  assert_not_logged (second->access_token);
}

static const struct {
  const char *kind;
  int         code;
} token_errors[] = {
  { "500", LB_ERROR_NETWORK },
  { "invalid_grant", LB_ERROR_SIGN_IN_REQUIRED },
  { "invalid_client", LB_ERROR_AUTH },
  { "malformed", LB_ERROR_PARSE },
  { "huge", LB_ERROR_PARSE },
  { "deep", LB_ERROR_PARSE },
  { "no-access-token", LB_ERROR_PARSE },
  { "not-object", LB_ERROR_PARSE },
};

static void
test_token_errors (Fixture       *f,
                   gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (token_errors); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LbOAuth2Token) token = NULL;
      g_autofree char *command = g_strdup_printf ("next-token %s", token_errors[i].kind);
      g_autofree char *answer = lb_test_oauth2_command (f->server, command);

      g_test_message ("%s", token_errors[i].kind);
      g_assert_cmpstr (answer, ==, "ok");
      token = lb_oauth2_refresh_sync (f->provider, "anything", NULL, &error);
      g_assert_error (error, LB_ERROR, token_errors[i].code);
      g_assert_null (token);
      /* The server's text reaches the message without its escape sequence. */
      g_assert_null (strchr (error->message, '\x1b'));
    }
}

static void
test_token_errors_in_sign_in (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autofree char *answer = lb_test_oauth2_command (f->server, "next-token invalid_client");

  g_assert_cmpstr (answer, ==, "ok");
  token = sign_in (f, "follow", 60, NULL, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_AUTH);
  g_assert_null (token);
}

static void
store_rotated (const char *refresh_token,
               gpointer    user_data)
{
  char **stored = user_data;

  g_free (*stored);
  *stored = g_strdup (refresh_token);
}

static void
assert_token_requests (Fixture *f,
                       guint    n)
{
  g_autofree char *stats = lb_test_oauth2_command (f->server, "stats");
  g_autofree char *want = g_strdup_printf (" requests=%u", n);

  g_assert_true (g_str_has_suffix (stats, want));
}

static void
test_credentials (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autoptr(LbOAuth2Token) again = NULL;
  g_autoptr(LbOAuth2Credentials) credentials = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autofree char *answer = NULL;
  char *none;

  token = sign_in (f, "follow", 60, NULL, &error);
  g_assert_no_error (error);
  stored = g_strdup (token->refresh_token);
  credentials = lb_oauth2_credentials_new (f->provider, stored, store_rotated, &stored, NULL);
  lb_oauth2_credentials_set_token (credentials, token);

  /* A valid token is used as it is. */
  first = lb_oauth2_credentials_get_access_token_sync (credentials, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, token->access_token);
  assert_token_requests (f, 1);

  /* A refused one is refreshed, once: the rotated refresh token is handed over to be
   * stored, and a second refusal of the same old token does not refresh again. */
  second = lb_oauth2_credentials_get_access_token_sync (credentials, first, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second, !=, first);
  g_assert_cmpstr (stored, !=, token->refresh_token);
  assert_token_requests (f, 2);
  third = lb_oauth2_credentials_get_access_token_sync (credentials, first, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (third, ==, second);
  assert_token_requests (f, 2);
  g_clear_pointer (&third, g_free);

  /* A token about to expire is refreshed before it is used. */
  token->expires_at = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  g_free (token->refresh_token);
  token->refresh_token = g_strdup (stored);
  lb_oauth2_credentials_set_token (credentials, token);
  third = lb_oauth2_credentials_get_access_token_sync (credentials, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (third, !=, token->access_token);
  assert_token_requests (f, 3);

  /* A revoked grant: needs sign-in, and nothing more goes to the server. */
  answer = lb_test_oauth2_command (f->server, "revoke");
  g_assert_cmpstr (answer, ==, "ok");
  none = lb_oauth2_credentials_get_access_token_sync (credentials, third, NULL, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED);
  g_assert_null (none);
  g_clear_error (&error);
  g_assert_true (lb_oauth2_credentials_needs_sign_in (credentials));
  assert_token_requests (f, 4);
  none = lb_oauth2_credentials_get_access_token_sync (credentials, NULL, NULL, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED);
  g_assert_null (none);
  g_clear_error (&error);
  assert_token_requests (f, 4);

  /* Signing in again ends that state. */
  again = sign_in (f, "follow", 60, NULL, &error);
  g_assert_no_error (error);
  lb_oauth2_credentials_set_token (credentials, again);
  g_assert_false (lb_oauth2_credentials_needs_sign_in (credentials));
  g_clear_pointer (&first, g_free);
  first = lb_oauth2_credentials_get_access_token_sync (credentials, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, again->access_token);
  assert_not_logged (second);
  assert_not_logged (stored);
}

int
main (int    argc,
      char **argv)
{
  lb_test_log_record ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oauth2/pkce-challenge", test_pkce_challenge);
  g_test_add_func ("/oauth2/provider-data", test_provider_data);
#define ADD(path, func, data) \
  g_test_add ("/oauth2/" path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("sign-in", test_sign_in, NULL);
  ADD ("wrong-path", test_wrong_path, NULL);
  ADD ("huge-request", test_huge_request, NULL);
  ADD ("wrong-state", test_bad_state, "wrong-state");
  ADD ("no-state", test_bad_state, "no-state");
  ADD ("second-redirect", test_second_redirect, NULL);
  ADD ("timeout", test_timeout, NULL);
  ADD ("cancel", test_cancel, NULL);
  ADD ("refresh-rotates", test_refresh_rotates, NULL);
  ADD ("token-errors", test_token_errors, NULL);
  ADD ("credentials", test_credentials, NULL);
  ADD ("token-errors-in-sign-in", test_token_errors_in_sign_in, NULL);
#undef ADD
  return g_test_run ();
}
