/* test-cli-account.c: `letterbox-cli discover`, `account add` with and without server
 * options, `account list` and `account remove`
 *
 * Runs the real letterbox-cli (its path is the first argument) against the fixtures, in
 * the private HOME and keyring of run-headless.  The CLI finds the fixtures through
 * LETTERBOX_TEST_DISCOVERY_FILE, as the wizard does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-test-cli.h"

#include <string.h>

#include "lb-test-fixture.h"

#define GOOD_CODE "cli-Q8n2-Hv5t-code"

static const char *cli_path;
static LbTestServers *servers;
static char *discovery_file;
static char *profile;

typedef LbTestCliRun Run;

/* Runs letterbox-cli with ARGS (NULL-terminated), STDIN_TEXT on its standard input and,
 * if WITH_FILE, the discovery file in its environment. */
static void
run_cli (Run                *run,
         const char         *stdin_text,
         gboolean            with_file,
         const char * const *args)
{
  g_autofree char *file_env = g_strconcat ("LETTERBOX_TEST_DISCOVERY_FILE=", discovery_file, NULL);
  const char *env[] = { with_file ? file_env : "LETTERBOX_TEST_DISCOVERY_FILE", NULL };

  lb_test_cli_run (run, cli_path, stdin_text, env, args, NULL);
}

static void
test_discover (void)
{
  Run run = { 0 };
  g_autofree char *port = g_strdup_printf ("\"imap_port\":%u", servers->imaps_port);

  run_cli (&run, NULL, TRUE, (const char *[]) { "discover", "--json", "alice@example.com", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\"source\":\"autoconfig\""));
  g_assert_nonnull (strstr (run.out, "\"imap_host\":\"127.0.0.1\""));
  g_assert_nonnull (strstr (run.out, port));
  g_assert_nonnull (strstr (run.out, "\"imap_username\":\"alice@example.com\""));
  lb_test_cli_run_clear (&run);

  /* The bundled database answers for QQ without any network. */
  run_cli (&run, NULL, FALSE, (const char *[]) { "discover", "xiaoming@qq.com", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "source\tdatabase-domain"));
  g_assert_nonnull (strstr (run.out, "provider\tqq"));
  g_assert_nonnull (strstr (run.out, "credential\tauthorization-code"));
  g_assert_nonnull (strstr (run.out, "imap\timap.qq.com:993:tls\txiaoming@qq.com"));
  lb_test_cli_run_clear (&run);

  run_cli (&run, NULL, FALSE, (const char *[]) { "discover", "no-at-sign", NULL });
  g_assert_cmpint (run.status, !=, 0);
  lb_test_cli_run_clear (&run);
}

static void
test_add_without_servers (void)
{
  Run run = { 0 };
  const char *add[] = { "account", "add", "--data-dir", profile, "--email", "alice@example.com",
                        "--ca-file", servers->ca_file, "--password-stdin", NULL };
  const char *list[] = { "account", "list", "--data-dir", profile, "--json", NULL };

  /* A wrong code: the mapped message, and nothing is added. */
  run_cli (&run, "wrong-code\n", TRUE, add);
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "refused the sign-in"));
  g_assert_null (strstr (run.err, "wrong-code"));
  lb_test_cli_run_clear (&run);
  run_cli (&run, NULL, TRUE, list);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, "alice@example.com"));
  lb_test_cli_run_clear (&run);

  /* The right one: discovery, the check, then the account. */
  run_cli (&run, GOOD_CODE "\n", TRUE, add);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "autoconfig"));
  lb_test_cli_run_clear (&run);
  run_cli (&run, NULL, TRUE, list);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\"email\":\"alice@example.com\""));
  lb_test_cli_run_clear (&run);

  /* And it syncs. */
  run_cli (&run, NULL, TRUE, (const char *[]) { "sync", "--data-dir", profile, NULL });
  g_assert_cmpint (run.status, ==, 0);
  lb_test_cli_run_clear (&run);
}

/* With the servers given there is no sign-in check; then the account is listed, and
 * `account remove` forgets it.  Each subcommand is its own function in lb-cli.c. */
static void
test_add_with_servers_and_remove (void)
{
  Run run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-cli-account-XXXXXX", &error);
  g_autofree char *imap = g_strdup_printf ("127.0.0.1:%u:tls", servers->imaps_port);
  g_autofree char *smtp = g_strdup_printf ("127.0.0.1:%u:tls", servers->smtps_port);
  const char *add[] = { "account", "add", "--data-dir", dir, "--email", "bob@example.com",
                        "--name", "Bob", "--imap", imap, "--smtp", smtp,
                        "--ca-file", servers->ca_file, "--password-stdin", NULL };
  const char *list[] = { "account", "list", "--data-dir", dir, "--json", NULL };

  g_assert_no_error (error);

  /* The password is never taken from the command line. */
  run_cli (&run, NULL, FALSE, (const char *[]) { "account", "add", "--data-dir", dir, "--email",
                                                 "bob@example.com", "--imap", imap, NULL });
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "--password-stdin"));
  lb_test_cli_run_clear (&run);
  run_cli (&run, "\n", FALSE, add);
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "No password on standard input"));
  lb_test_cli_run_clear (&run);

  run_cli (&run, "bob-secret\n", FALSE, add);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Added account"));
  g_assert_nonnull (strstr (run.out, "bob@example.com"));
  lb_test_cli_run_clear (&run);
  run_cli (&run, NULL, FALSE, list);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\"email\":\"bob@example.com\""));
  g_assert_nonnull (strstr (run.out, "\"name\":\"Bob\""));
  lb_test_cli_run_clear (&run);

  run_cli (&run, NULL, FALSE, (const char *[]) { "account", "frobnicate", "--data-dir", dir, NULL });
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "frobnicate"));
  lb_test_cli_run_clear (&run);

  run_cli (&run, NULL, FALSE, (const char *[]) { "account", "remove", "--data-dir", dir,
                                                 "nobody@example.com", NULL });
  g_assert_cmpint (run.status, !=, 0);
  lb_test_cli_run_clear (&run);
  run_cli (&run, NULL, FALSE, (const char *[]) { "account", "remove", "--data-dir", dir,
                                                 "bob@example.com", NULL });
  g_assert_cmpint (run.status, ==, 0);
  lb_test_cli_run_clear (&run);
  run_cli (&run, NULL, FALSE, list);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, "bob@example.com"));
  lb_test_cli_run_clear (&run);
}

/* `account set` (--proxy, --signature) and `account alias add|remove`: what is set shows
 * in `account list --json`, and wrong values are refused without changing anything. */
static void
test_set_and_aliases (void)
{
  Run run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-cli-account-XXXXXX", &error);
  g_autofree char *imap = g_strdup_printf ("127.0.0.1:%u:tls", servers->imaps_port);
  const char *add[] = { "account", "add", "--data-dir", dir, "--email", "carol@example.com",
                        "--imap", imap, "--ca-file", servers->ca_file, "--password-stdin", NULL };
  const char *list[] = { "account", "list", "--data-dir", dir, "--json", NULL };

  g_assert_no_error (error);
  run_cli (&run, "carol-secret\n", FALSE, add);
  g_assert_cmpint (run.status, ==, 0);
  lb_test_cli_run_clear (&run);
  run_cli (&run, NULL, FALSE, list);
  g_assert_nonnull (strstr (run.out, "\"proxy\":\"system\""));
  lb_test_cli_run_clear (&run);

  run_cli (&run, NULL, FALSE, (const char *[]) { "account", "set", "carol@example.com", "--data-dir",
                                                 dir, "--proxy", "socks5://127.0.0.1:1080",
                                                 "--signature", "Carol", NULL });
  g_assert_cmpint (run.status, ==, 0);
  lb_test_cli_run_clear (&run);
  run_cli (&run, NULL, FALSE, (const char *[]) { "account", "set", "carol@example.com", "--data-dir",
                                                 dir, "--proxy", "ftp://nowhere", NULL });
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "is not a proxy"));
  lb_test_cli_run_clear (&run);
  run_cli (&run, NULL, FALSE, (const char *[]) { "account", "alias", "add", "carol@example.com",
                                                 "sales@example.com", "--data-dir", dir, "--name",
                                                 "Sales", "--signature", "The Sales Team", NULL });
  g_assert_cmpint (run.status, ==, 0);
  lb_test_cli_run_clear (&run);
  run_cli (&run, NULL, FALSE, (const char *[]) { "account", "alias", "add", "carol@example.com",
                                                 "carol@example.com", "--data-dir", dir, NULL });
  g_assert_cmpint (run.status, !=, 0);
  lb_test_cli_run_clear (&run);
  run_cli (&run, NULL, FALSE, list);
  /* A SOCKS5 proxy resolves names through the proxy. */
  g_assert_nonnull (strstr (run.out, "\"proxy\":\"socks5h://127.0.0.1:1080\""));
  g_assert_nonnull (strstr (run.out, "\"signature\":\"Carol\""));
  g_assert_nonnull (strstr (run.out, "\"aliases\":\"sales@example.com\""));
  lb_test_cli_run_clear (&run);

  run_cli (&run, NULL, FALSE, (const char *[]) { "account", "alias", "remove", "carol@example.com",
                                                 "sales@example.com", "--data-dir", dir, NULL });
  g_assert_cmpint (run.status, ==, 0);
  lb_test_cli_run_clear (&run);
  run_cli (&run, NULL, FALSE, (const char *[]) { "account", "set", "carol@example.com", "--data-dir",
                                                 dir, "--proxy", "none", NULL });
  g_assert_cmpint (run.status, ==, 0);
  lb_test_cli_run_clear (&run);
  run_cli (&run, NULL, FALSE, list);
  g_assert_nonnull (strstr (run.out, "\"aliases\":\"\""));
  g_assert_nonnull (strstr (run.out, "\"proxy\":\"none\""));
  lb_test_cli_run_clear (&run);
}

static void
write_discovery_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;

  xml = g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<clientConfig version=\"1.1\">\n"
    "  <emailProvider id=\"example.com\">\n"
    "    <domain>example.com</domain>\n"
    "    <incomingServer type=\"imap\">\n"
    "      <hostname>127.0.0.1</hostname><port>%u</port><socketType>SSL</socketType>\n"
    "      <authentication>password-cleartext</authentication>\n"
    "      <username>%%EMAILADDRESS%%</username>\n"
    "    </incomingServer>\n"
    "    <outgoingServer type=\"smtp\">\n"
    "      <hostname>127.0.0.1</hostname><port>%u</port><socketType>SSL</socketType>\n"
    "      <authentication>password-cleartext</authentication>\n"
    "      <username>%%EMAILADDRESS%%</username>\n"
    "    </outgoingServer>\n"
    "  </emailProvider>\n"
    "</clientConfig>\n",
    servers->imaps_port, servers->smtps_port);
  discovery_file = g_build_filename (profile, "config-v1.1.xml", NULL);
  g_file_set_contents (discovery_file, xml, -1, &error);
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *users[] = { "alice@example.com:" GOOD_CODE, NULL };
  LbTestServersOptions options = { 0 };
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: %s PATH-TO-LETTERBOX-CLI", argv[0]);
  cli_path = argv[1];

  options.users = users;
  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  profile = g_dir_make_tmp ("lb-cli-wizard-XXXXXX", &error);
  g_assert_no_error (error);
  write_discovery_file ();

  g_test_add_func ("/wizard/cli/discover", test_discover);
  g_test_add_func ("/wizard/cli/add-without-servers", test_add_without_servers);
  g_test_add_func ("/wizard/cli/add-with-servers-and-remove", test_add_with_servers_and_remove);
  g_test_add_func ("/wizard/cli/set-and-aliases", test_set_and_aliases);
  status = g_test_run ();

  lb_test_servers_stop (servers);
  return status;
}
