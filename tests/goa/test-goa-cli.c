/* test-goa-cli.c: GNOME Online Accounts as an account source, end to end through
 * letterbox-cli (its path is the first argument): a mock Online Accounts
 * (fixtures/goa_mock.py on the test's own session bus) hands out access tokens minted by
 * the loopback authorization server, which the oauth2-passdb Dovecot and the SMTP
 * fixture ask about each login.
 *
 * Runs under run-headless (its own session bus and keyring).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-test-cli.h"

#include <string.h>

#include "lb-test-env.h"
#include "lb-test-fixture.h"
#include "lb-test-goa.h"
#include "lb-test-oauth2.h"

#define GOA_ID "account_1700000000_0"

static const char *cli_path;

typedef struct {
  LbTestOAuth2  *oauth2;
  LbTestServers *servers;
  LbTestGoa     *goa;
  char          *profile;
  GString       *output;    /* everything the CLI printed, debug messages included */
} Fixture;

typedef LbTestCliRun Run;

/* Runs letterbox-cli with ARGS (NULL-terminated) and --data-dir, STDIN_TEXT on its
 * standard input. */
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

/* The keys of a mock account with the fixture's servers (implicit TLS both). */
static GVariant *
account_props (Fixture    *f,
               const char *email,
               const char *provider,
               const char *token)
{
  g_autoptr(GVariantDict) d = g_variant_dict_new (NULL);
  g_autofree char *imap = g_strdup_printf ("127.0.0.1:%u", f->servers->imaps_port);
  g_autofree char *smtp = g_strdup_printf ("127.0.0.1:%u", f->servers->smtps_port);

  g_variant_dict_insert (d, "email", "s", email);
  g_variant_dict_insert (d, "name", "s", "Alice Liddell");
  g_variant_dict_insert (d, "provider_type", "s", provider);
  g_variant_dict_insert (d, "imap_host", "s", imap);
  g_variant_dict_insert (d, "smtp_host", "s", smtp);
  if (token != NULL)
    g_variant_dict_insert (d, "token", "s", token);
  return g_variant_dict_end (d);
}

/* A new access token for alice from the authorization server that Dovecot asks. */
static char *
mint (Fixture *f)
{
  g_autofree char *answer = lb_test_oauth2_command (f->oauth2, "mint alice@example.com");

  g_assert_true (g_str_has_prefix (answer, "ok "));
  return g_strdup (answer + 3);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  LbTestServersOptions options = { 0 };

  f->oauth2 = lb_test_oauth2_start (3600, &error);
  g_assert_no_error (error);
  options.oauth2_introspect = f->oauth2->introspect_url;
  options.oauth2_mechanisms = data;
  f->servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  f->goa = lb_test_goa_start (&error);
  g_assert_no_error (error);
  f->profile = g_dir_make_tmp ("lb-goa-cli-XXXXXX", &error);
  g_assert_no_error (error);
  f->output = g_string_new (NULL);
  token = mint (f);
  lb_test_goa_add_account (f->goa, GOA_ID, account_props (f, "alice@example.com", "google",
                                                          token));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  lb_test_goa_stop (f->goa);
  lb_test_servers_stop (f->servers);
  lb_test_oauth2_stop (f->oauth2);
  lb_test_rm_rf (f->profile);
  g_free (f->profile);
  g_string_free (f->output, TRUE);
}

/* Fails when TOKEN is in any file below DIR (the store, its journal, anything). */
static void
assert_not_in_files (const char *token,
                     const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          assert_not_in_files (token, path);
          continue;
        }
      g_assert_true (g_file_get_contents (path, &data, &length, NULL));
      g_assert_null (g_strstr_len (data, length, token));
    }
}

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
  run_cli (f, run, NULL, (const char *[]) { "account", "add", "--goa", GOA_ID, "--ca-file",
                                            f->servers->ca_file, "--json", NULL });
}

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
test_list_usable (Fixture       *f,
                  gconstpointer  data)
{
  Run run = { 0 };
  g_autoptr(GVariantDict) password = NULL;
  g_autoptr(GVariant) carol = NULL;

  /* Microsoft's ms_graph (GOA 3.55 on): Graph scopes only, a token IMAP refuses. */
  lb_test_goa_add_account (f->goa, "account_graph",
                           account_props (f, "bob@outlook.com", "ms_graph", "t"));
  /* GOA's own IMAP and SMTP provider: a password account, left to Letterbox's wizard. */
  /* g_variant_dict_new() does not take the floating reference. */
  carol = g_variant_ref_sink (account_props (f, "carol@example.com", "imap_smtp", NULL));
  password = g_variant_dict_new (carol);
  g_variant_dict_insert (password, "oauth2", "b", FALSE);
  g_variant_dict_insert (password, "password", "b", TRUE);
  lb_test_goa_add_account (f->goa, "account_password", g_variant_dict_end (password));

  run_cli (f, &run, NULL, (const char *[]) { "account", "add", "--goa", "--json", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\"goa_id\":\"" GOA_ID "\""));
  g_assert_nonnull (strstr (run.out, "\"provider\":\"google\""));
  g_assert_null (strstr (run.out, "account_graph"));
  g_assert_null (strstr (run.out, "account_password"));

  /* Nothing was added by listing. */
  run_cli (f, &run, NULL, (const char *[]) { "account", "list", "--json", NULL });
  g_assert_cmpstr (run.out, ==, "[]\n");
  lb_test_cli_run_clear (&run);
}

static void
test_add_sync_send (Fixture       *f,
                    gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *list = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *renewed = NULL;
  g_autofree char *first = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  LbTestSmtpMessage *received;

  deliver (f, "Hello from Online Accounts");
  first = lb_test_oauth2_command (f->oauth2, "tokens");
  add_account (f, &run);
  g_assert_cmpint (run.status, ==, 0);
  list = list_accounts (f);
  g_assert_nonnull (strstr (list, "\"auth\":\"goa\""));
  g_assert_nonnull (strstr (list, "\"needs_sign_in\":false"));
  g_assert_nonnull (strstr (list, "\"name\":\"Alice Liddell\""));

  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, ==, 0);
  run_cli (f, &run, NULL, (const char *[]) { "list", "--json", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Hello from Online Accounts"));

  /* The token expired and Online Accounts renewed it: the next process asks for it and
   * gets the new one. */
  expired = lb_test_oauth2_command (f->oauth2, "expire");
  g_assert_cmpstr (expired, ==, "ok");
  renewed = mint (f);
  lb_test_goa_set_access_token (f->goa, GOA_ID, renewed);
  run_cli (f, &run, "Sent with Online Accounts' token\n",
           (const char *[]) { "send", "--from", "alice@example.com", "--to", "bob@example.com",
                              "--subject", "t", NULL });
  g_assert_cmpint (run.status, ==, 0);
  sent = lb_test_servers_wait_smtp (f->servers, 1, 20000);
  g_assert_cmpuint (sent->len, ==, 1);
  received = g_ptr_array_index (sent, 0);
  g_assert_cmpstr (received->auth_user, ==, "alice@example.com");

  /* Online Accounts' tokens went to the servers only: not to the profile (Letterbox keeps
   * no secret for such an account), nor to any output or debug message. */
  g_assert_nonnull (strstr (f->output->str, "-DEBUG: "));
  /* The one token issued before the account was added: the one fixture_setup minted. */
  g_assert_true (g_str_has_prefix (first, "ok ") && strchr (first + 3, ' ') == NULL);
  assert_not_in_files (first + 3, f->profile);
  g_assert_null (strstr (f->output->str, first + 3));
  assert_not_in_files (renewed, f->profile);
  g_assert_null (strstr (f->output->str, renewed));
  lb_test_cli_run_clear (&run);
}

static void
test_not_authorized (Fixture       *f,
                     gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *list = NULL;

  add_account (f, &run);
  g_assert_cmpint (run.status, ==, 0);

  /* The user changed the password at Google: Online Accounts needs a new sign-in, and
   * only Settings can do it. */
  lb_test_goa_set_not_authorized (f->goa, GOA_ID, TRUE);
  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "Online Accounts needs you to sign in"));
  list = list_accounts (f);
  g_assert_nonnull (strstr (list, "\"needs_sign_in\":true"));

  /* Fixed in Settings: signing in again only asks Online Accounts, and the state ends. */
  lb_test_goa_set_not_authorized (f->goa, GOA_ID, FALSE);
  run_cli (f, &run, NULL, (const char *[]) { "account", "signin", "alice@example.com", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_clear_pointer (&list, g_free);
  list = list_accounts (f);
  g_assert_nonnull (strstr (list, "\"needs_sign_in\":false"));
  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, ==, 0);

  /* Refused when adding: nothing is added. */
  run_cli (f, &run, NULL, (const char *[]) { "account", "remove", "alice@example.com", NULL });
  g_assert_cmpint (run.status, ==, 0);
  lb_test_goa_set_not_authorized (f->goa, GOA_ID, TRUE);
  add_account (f, &run);
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "Online Accounts needs you to sign in"));
  g_clear_pointer (&list, g_free);
  list = list_accounts (f);
  g_assert_cmpstr (list, ==, "[]\n");
  lb_test_cli_run_clear (&run);
}

static void
test_removed_from_goa (Fixture       *f,
                       gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *list = NULL;

  deliver (f, "Still here");
  add_account (f, &run);
  g_assert_cmpint (run.status, ==, 0);
  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, ==, 0);

  lb_test_goa_remove_account (f->goa, GOA_ID);
  run_cli (f, &run, NULL, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "no longer in Online Accounts"));
  list = list_accounts (f);
  g_assert_nonnull (strstr (list, "\"needs_sign_in\":true"));
  /* The mail already here stays readable. */
  run_cli (f, &run, NULL, (const char *[]) { "list", "--json", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Still here"));
  lb_test_cli_run_clear (&run);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: %s LETTERBOX-CLI", argv[0]);
  cli_path = argv[1];

  g_test_add ("/goa/list-usable", Fixture, NULL, fixture_setup, test_list_usable,
              fixture_teardown);
  g_test_add ("/goa/add-sync-send", Fixture, NULL, fixture_setup, test_add_sync_send,
              fixture_teardown);
  /* A server that follows RFC 7628 only: the logins use OAUTHBEARER. */
  g_test_add ("/goa/oauthbearer-only/add-sync-send", Fixture, "oauthbearer", fixture_setup,
              test_add_sync_send, fixture_teardown);
  g_test_add ("/goa/not-authorized", Fixture, NULL, fixture_setup, test_not_authorized,
              fixture_teardown);
  g_test_add ("/goa/removed", Fixture, NULL, fixture_setup, test_removed_from_goa,
              fixture_teardown);
  return g_test_run ();
}
