/* test-oauth2-cli.c: an OAuth2 account end to end through letterbox-cli (its path is the
 * first argument): `account add --oauth2` in the browser (the fixture's), sync and send
 * with XOAUTH2, the refresh token rotated on every refresh, and a revoked grant that
 * needs a new sign-in, which keeps the account and its mail
 *
 * Runs under run-headless (its own keyring, which holds the refresh token), against the
 * loopback authorization server (fixtures/oauth2_server.py) and an oauth2-passdb Dovecot
 * and SMTP fixture that ask it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-test-cli.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lb-test-env.h"
#include "lb-test-fixture.h"
#include "lb-test-oauth2.h"

static const char *cli_path;

typedef struct {
  LbTestOAuth2  *oauth2;
  LbTestServers *servers;
  char          *profile;
  char          *imap;
  char          *smtp;
  GString       *output;    /* everything the CLI printed, debug messages included */
} Fixture;

typedef LbTestCliRun Run;

/* Runs letterbox-cli with ARGS (NULL-terminated) and --data-dir, STDIN_TEXT on its
 * standard input; LETTERBOX_BROWSER and LETTERBOX_OAUTH2_PROVIDERS are inherited. */
static void
run_cli (Fixture            *f,
         Run                *run,
         const char         *stdin_text,
         const char * const *args)
{
  const char *data_dir[] = { "--data-dir", f->profile, NULL };

  lb_test_cli_run (run, cli_path, stdin_text, NULL, args, data_dir);
  g_string_append_printf (f->output, "%s\n%s\n", run->out, run->err);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  LbTestServersOptions options = { 0 };

  f->oauth2 = lb_test_oauth2_start (3600, &error);
  g_assert_no_error (error);
  options.oauth2_introspect = f->oauth2->introspect_url;
  f->servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  f->profile = g_dir_make_tmp ("lb-oauth2-cli-XXXXXX", &error);
  g_assert_no_error (error);
  f->imap = g_strdup_printf ("127.0.0.1:%u:tls", f->servers->imaps_port);
  f->smtp = g_strdup_printf ("127.0.0.1:%u:tls", f->servers->smtps_port);
  g_setenv ("LETTERBOX_BROWSER", f->oauth2->browser, TRUE);
  f->output = g_string_new (NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_unsetenv ("LETTERBOX_BROWSER");
  lb_test_servers_stop (f->servers);
  lb_test_oauth2_stop (f->oauth2);
  g_free (f->imap);
  g_free (f->smtp);
  lb_test_rm_rf (f->profile);
  g_free (f->profile);
  g_string_free (f->output, TRUE);
}

/* Delivers one message to alice's INBOX on the server. */
static void
deliver (Fixture    *f,
         const char *subject)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("From: bob@example.com\r\nTo: alice@example.com\r\n"
                                           "Subject: %s\r\n\r\nhello\r\n", subject);
  g_autoptr(GBytes) message = g_bytes_new (text, strlen (text));

  g_assert_true (lb_test_servers_deliver (f->servers, "alice@example.com", "INBOX", message,
                                          "", &error));
  g_assert_no_error (error);
}

static void
add_account (Fixture *f,
             Run     *run)
{
  run_cli (f, run, NULL, (const char *[]) { "account", "add", "--email", "alice@example.com",
                                            "--oauth2", "--provider", "microsoft",
                                            "--imap", f->imap, "--smtp", f->smtp,
                                            "--ca-file", f->servers->ca_file, "--json", NULL });
}

/* The JSON line of `account list --json`. */
static char *
list_accounts (Fixture *f)
{
  Run run = { 0 };
  char *out;

  run_cli (f, &run, NULL, (const char *[]) { "account", "list", "--json", NULL });
  g_assert_cmpint (run.status, ==, 0);
  out = g_steal_pointer (&run.out);
  lb_test_cli_run_clear (&run);
  return out;
}

static void
test_sign_in_sync_send (Fixture       *f,
                        gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *list = NULL;
  g_autofree char *stats = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  LbTestSmtpMessage *received;

  deliver (f, "Welcome to OAuth2");
  add_account (f, &run);
  g_assert_cmpint (run.status, ==, 0);
  /* The address to open, for a user without LETTERBOX_BROWSER, with PKCE. */
  g_assert_nonnull (strstr (run.out, "Open this address in a browser: http://127.0.0.1"));
  g_assert_nonnull (strstr (run.out, "code_challenge_method=S256"));

  list = list_accounts (f);
  g_assert_nonnull (strstr (list, "\"auth\":\"oauth2\""));
  g_assert_nonnull (strstr (list, "\"needs_sign_in\":false"));

  /* Each command is a new process: it refreshes the access token from the keyring's
   * refresh token, which the server rotates each time, so the second sync and the send
   * work only if the rotated token replaced the stored one. */
  for (int i = 0; i < 2; i++)
    {
      run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
      g_assert_cmpint (run.status, ==, 0);
    }
  run_cli (f, &run, NULL, (const char *[]) { "list", "--json", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Welcome to OAuth2"));

  run_cli (f, &run, "Sent with a token\n", (const char *[]) { "send", "--from", "alice@example.com",
                                                              "--to", "bob@example.com",
                                                              "--subject", "t", NULL });
  g_assert_cmpint (run.status, ==, 0);
  sent = lb_test_servers_wait_smtp (f->servers, 1, 20000);
  g_assert_cmpuint (sent->len, ==, 1);
  received = g_ptr_array_index (sent, 0);
  g_assert_cmpstr (received->auth_user, ==, "alice@example.com");

  /* One code exchange (the sign-in); the rest were silent refreshes. */
  stats = lb_test_oauth2_command (f->oauth2, "stats");
  g_assert_true (g_str_has_prefix (stats, "ok codes=1 refreshes="));
  g_assert_false (g_str_has_prefix (stats, "ok codes=1 refreshes=0 "));
  lb_test_cli_run_clear (&run);
}

static void
test_expired_token (Fixture       *f,
                    gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *answer = NULL;

  add_account (f, &run);
  g_assert_cmpint (run.status, ==, 0);
  /* Every access token issued so far stops working, the sign-in's included: the next
   * command gets a new one without asking the user. */
  answer = lb_test_oauth2_command (f->oauth2, "expire");
  g_assert_cmpstr (answer, ==, "ok");
  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, ==, 0);
  lb_test_cli_run_clear (&run);
}

/* The "id" of the one account in `account list --json`. */
static char *
account_id (const char *list)
{
  const char *p = strstr (list, "\"id\":");

  g_assert_nonnull (p);
  return g_strndup (p + 5, strspn (p + 5, "0123456789"));
}

static void
test_revoked_then_sign_in_again (Fixture       *f,
                                 gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *answer = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *id_before = NULL;
  g_autofree char *id_after = NULL;
  g_autofree char *stats = NULL;
  g_autofree char *stats_again = NULL;

  deliver (f, "Kept across sign-ins");
  add_account (f, &run);
  g_assert_cmpint (run.status, ==, 0);
  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, ==, 0);
  before = list_accounts (f);
  id_before = account_id (before);

  /* The user revoked the app's access (or changed the password): the grant is gone. */
  answer = lb_test_oauth2_command (f->oauth2, "revoke");
  g_assert_cmpstr (answer, ==, "ok");
  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "Sign in to this account again"));
  g_assert_nonnull (strstr (run.err, "account signin"));
  after = list_accounts (f);
  g_assert_nonnull (strstr (after, "\"needs_sign_in\":true"));

  /* Once known, the refused grant is not tried again: no request to the token endpoint. */
  stats = lb_test_oauth2_command (f->oauth2, "stats");
  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, !=, 0);
  stats_again = lb_test_oauth2_command (f->oauth2, "stats");
  g_assert_cmpstr (stats, ==, stats_again);

  /* Signing in again keeps the account, its id and its mail. */
  run_cli (f, &run, NULL, (const char *[]) { "account", "signin", "alice@example.com", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_clear_pointer (&after, g_free);
  after = list_accounts (f);
  g_assert_nonnull (strstr (after, "\"needs_sign_in\":false"));
  id_after = account_id (after);
  g_assert_cmpstr (id_after, ==, id_before);
  run_cli (f, &run, NULL, (const char *[]) { "list", "--json", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Kept across sign-ins"));
  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, ==, 0);

  /* `account add` for the same address signs in again too, and adds nothing. */
  add_account (f, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_clear_pointer (&after, g_free);
  after = list_accounts (f);
  g_assert_null (strstr (strstr (after, "\"id\":") + 1, "\"id\":"));
  lb_test_cli_run_clear (&run);
}

/* Whether NEEDLE is in the first LENGTH bytes of DATA, which may hold NUL bytes. */
static gboolean
contains (const char *data,
          gsize       length,
          const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; n > 0 && i + n <= length; i++)
    if (data[i] == needle[0] && memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* Fails when any TOKEN is in the first LENGTH bytes of DATA; WHERE names it. */
static void
assert_no_token (char       **tokens,
                 const char  *data,
                 gsize        length,
                 const char  *where)
{
  for (guint i = 0; tokens[i] != NULL; i++)
    if (contains (data, length, tokens[i]))
      g_error ("A token is in %s", where);
}

/* Every file below DIR, the store and its journal included. */
static void
assert_no_token_in_files (char       **tokens,
                          const char  *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          assert_no_token_in_files (tokens, path);
          continue;
        }
      g_assert_true (g_file_get_contents (path, &data, &length, &error));
      g_assert_no_error (error);
      assert_no_token (tokens, data, length, path);
    }
}

static void
test_no_token_anywhere (Fixture       *f,
                        gconstpointer  data)
{
  Run run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dump = g_build_filename (f->profile, "..", "lb-oauth2-browser-dump", NULL);
  g_autofree char *wrapper = g_strconcat (dump, ".sh", NULL);
  g_autofree char *script = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *seen = NULL;
  g_auto(GStrv) tokens = NULL;
  gsize length = 0;

  /* The browser child records its command line and environment, then is the browser. */
  script = g_strdup_printf ("#!/bin/sh\n{ echo \"ARGV: $*\"; env; } >> '%s'\nexec %s \"$@\"\n",
                            dump, f->oauth2->browser);
  g_assert_true (g_file_set_contents (wrapper, script, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (wrapper, 0700), ==, 0);
  g_setenv ("LETTERBOX_BROWSER", wrapper, TRUE);

  /* With G_MESSAGES_DEBUG=all (the test's environment): sign in, sync, send, expire,
   * sync, sign in again (the browser runs again while tokens exist), sync. */
  deliver (f, "Nothing secret here");
  add_account (f, &run);
  g_assert_cmpint (run.status, ==, 0);
  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, ==, 0);
  run_cli (f, &run, "hi\n", (const char *[]) { "send", "--from", "alice@example.com",
                                               "--to", "bob@example.com", "--subject", "t", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_free (lb_test_oauth2_command (f->oauth2, "expire"));
  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, ==, 0);
  run_cli (f, &run, NULL, (const char *[]) { "account", "signin", "alice@example.com", NULL });
  g_assert_cmpint (run.status, ==, 0);
  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (f->output->str, "-DEBUG: "));

  answer = lb_test_oauth2_command (f->oauth2, "tokens");
  tokens = g_strsplit (answer + strlen ("ok "), " ", -1);
  /* Two sign-ins and at least three refreshes, each an access and a refresh token. */
  g_assert_cmpuint (g_strv_length (tokens), >=, 10);

  assert_no_token_in_files (tokens, f->profile);
  assert_no_token (tokens, f->output->str, f->output->len, "the CLI's output and logs");
  g_assert_true (g_file_get_contents (dump, &seen, &length, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (seen, "ARGV: http://127.0.0.1"));
  assert_no_token (tokens, seen, length, "the browser's command line or environment");
  g_unlink (dump);
  g_unlink (wrapper);
  lb_test_cli_run_clear (&run);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  cli_path = argv[1];

#define ADD(path, func) \
  g_test_add ("/oauth2/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("sign-in-sync-send", test_sign_in_sync_send);
  ADD ("expired-token", test_expired_token);
  ADD ("revoked-then-sign-in-again", test_revoked_then_sign_in_again);
  ADD ("no-token-anywhere", test_no_token_anywhere);
#undef ADD
  return g_test_run ();
}
