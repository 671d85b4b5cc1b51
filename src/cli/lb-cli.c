/* lb-cli.c: letterbox-cli, the engine without a window
 *
 * The same engine and store as the app (and the same profile and keyring unless
 * --data-dir says otherwise), for scripts, tests and benchmarks.  Every command has
 * --json; every failure is one clear line on stderr and a non-zero exit status.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include "lb-account-check.h"
#include "lb-autoconfig.h"
#include "lb-cli-json.h"
#include "lb-discovery.h"
#include "lb-account-offline.h"
#include "lb-account-search.h"
#include "lb-draft.h"
#include "lb-engine.h"
#include "lb-engine-goa.h"
#include "lb-goa.h"
#include "lb-message-list.h"
#include "lb-mime-builder.h"
#include "lb-mime-message.h"
#include "lb-oauth2-flow.h"
#include "lb-secrets.h"
#include "lb-store.h"
#include "lb-store-rebuild.h"
#include "lb-folder-actions.h"

typedef struct {
  LbEngine     *engine;
  GMainLoop    *loop;
  GAsyncResult *result;
  gboolean      json;
} Cli;

/* Every command returns early on errors; clearing here means no path leaks (the
 * ASan run checks the CLI too). */
static void
cli_clear (Cli *cli)
{
  if (cli->engine != NULL)
    lb_engine_shutdown (cli->engine);
  g_clear_object (&cli->result);
  g_clear_object (&cli->engine);
  g_clear_pointer (&cli->loop, g_main_loop_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cli, cli_clear)

static char *opt_data_dir;
static gboolean opt_json;

static const GOptionEntry common_entries[] = {
  { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_data_dir,
    N_("Use this profile directory instead of the app's"), N_("DIR") },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON"), NULL },
  { NULL }
};

static int
fail (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static int
fail (const char *format,
      ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("letterbox-cli: %s\n", msg);
  return 1;
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Cli *cli = user_data;

  cli->result = g_object_ref (result);
  g_main_loop_quit (cli->loop);
}

/* Runs the main loop until the async call that was just started reports back. */
static GAsyncResult *
wait_result (Cli *cli)
{
  g_clear_object (&cli->result);
  g_main_loop_run (cli->loop);
  return cli->result;
}

static gboolean
parse_options (GOptionContext  *context,
               int             *argc,
               char          ***argv,
               GError         **error)
{
  g_option_context_add_main_entries (context, common_entries, GETTEXT_PACKAGE);
  return g_option_context_parse (context, argc, argv, error);
}

static gboolean
open_engine (Cli     *cli,
             GError **error)
{
  cli->engine = lb_engine_new (opt_data_dir, error);
  cli->json = opt_json;
  return cli->engine != NULL;
}

static char *
read_secret_stdin (void)
{
  GString *s = g_string_new (NULL);
  int c;

  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (s, (char) c);
  if (s->len > 0 && s->str[s->len - 1] == '\r')
    g_string_truncate (s, s->len - 1);
  return g_string_free (s, FALSE);
}

static LbAccount *
pick_account (Cli        *cli,
              const char *which,
              GError    **error)
{
  LbAccount *a;

  if (which == NULL)
    {
      GListModel *accounts = lb_engine_get_accounts (cli->engine);
      if (g_list_model_get_n_items (accounts) == 1)
        {
          g_autoptr(LbAccount) only = g_list_model_get_item (accounts, 0);
          return only;
        }
      g_set_error_literal (error, LB_ERROR, LB_ERROR_NOT_FOUND,
                           _("Name an account with --account"));
      return NULL;
    }
  a = lb_engine_find_account (cli->engine, which);
  if (a == NULL)
    g_set_error (error, LB_ERROR, LB_ERROR_NOT_FOUND, _("No account “%s”"), which);
  return a;
}

/* ---- discovery ---------------------------------------------------------------- */

static void
got_discovery_file (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  got_result (source, result, user_data);
}

/* Looks the servers for ADDRESS up as the account wizard does.  For tests, the environment
 * variable LETTERBOX_TEST_DISCOVERY_FILE names an autoconfig XML file that is used instead
 * of the network (the wizard reads the same variable). */
static LbProviderConfig *
run_discovery (Cli         *cli,
               const char  *address,
               GError     **error)
{
  const char *test_file = g_getenv ("LETTERBOX_TEST_DISCOVERY_FILE");

  if (test_file != NULL && test_file[0] != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (test_file);
      g_autofree char *contents = NULL;
      gsize length = 0;
      LbProviderConfig *config;

      g_file_load_contents_async (file, NULL, got_discovery_file, cli);
      if (!g_file_load_contents_finish (file, wait_result (cli), &contents, &length, NULL, error))
        return NULL;
      config = lb_autoconfig_parse (contents, length, address, error);
      if (config != NULL)
        config->source = LB_DISCOVERY_SOURCE_AUTOCONFIG;
      return config;
    }

  lb_discovery_run_async (address, NULL, NULL, got_result, cli);
  return lb_discovery_run_finish (wait_result (cli), error);
}

static const char *
credential_to_string (LbCredentialKind kind)
{
  switch (kind)
    {
    case LB_CREDENTIAL_APP_PASSWORD:
      return "app-password";
    case LB_CREDENTIAL_AUTHORIZATION_CODE:
      return "authorization-code";
    case LB_CREDENTIAL_OAUTH2_ONLY:
      return "oauth2-only";
    case LB_CREDENTIAL_PASSWORD:
    default:
      return "password";
    }
}

static LbCredentialKind
config_credential (const LbProviderConfig *config)
{
  if (config->provider != NULL)
    return lb_provider_get_credential_kind (config->provider);
  return config->credential;
}

static void
json_server (LbJson               *j,
             const char           *prefix,
             const LbServerConfig *server)
{
  g_autofree char *host = g_strconcat (prefix, "_host", NULL);
  g_autofree char *port = g_strconcat (prefix, "_port", NULL);
  g_autofree char *security = g_strconcat (prefix, "_security", NULL);
  g_autofree char *username = g_strconcat (prefix, "_username", NULL);

  if (server == NULL)
    return;
  lb_json_string (j, host, server->host);
  lb_json_uint (j, port, server->port);
  lb_json_string (j, security, lb_security_to_string (server->security));
  lb_json_string (j, username, server->username);
}

static void
print_server (const char           *label,
              const LbServerConfig *server)
{
  if (server == NULL)
    g_print ("%s\t-\n", label);
  else
    g_print ("%s\t%s:%u:%s\t%s\n", label, server->host, server->port,
             lb_security_to_string (server->security),
             server->username != NULL ? server->username : "");
}

static int
cmd_discover (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("EMAIL — find the servers for an address"));
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = NULL;
  g_auto(Cli) cli = { 0 };
  const char *provider_id;
  const char *help_url;

  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc < 2 || strchr (argv[1], '@') == NULL)
    return fail ("%s", _("Give an email address, such as name@example.com"));

  cli.loop = g_main_loop_new (NULL, FALSE);
  config = run_discovery (&cli, argv[1], &error);
  g_clear_object (&cli.result);
  g_clear_pointer (&cli.loop, g_main_loop_unref);
  if (config == NULL)
    return fail (_("Could not find the settings for %s: %s"), argv[1], error->message);

  provider_id = config->provider != NULL ? lb_provider_get_id (config->provider) : NULL;
  help_url = config->provider != NULL ? lb_provider_get_help_url (config->provider)
                                      : config->documentation_url;
  if (opt_json)
    {
      g_autoptr(LbJson) j = lb_json_new ();

      lb_json_begin_object (j);
      lb_json_string (j, "email", argv[1]);
      lb_json_string (j, "source", lb_discovery_source_to_string (config->source));
      lb_json_bool (j, "is_suggestion", config->is_suggestion);
      lb_json_string (j, "provider", provider_id);
      lb_json_string (j, "provider_name", config->provider != NULL
                                          ? lb_provider_get_name (config->provider, NULL)
                                          : config->display_name);
      lb_json_string (j, "credential", credential_to_string (config_credential (config)));
      json_server (j, "imap", config->imap);
      json_server (j, "smtp", config->smtp);
      lb_json_string (j, "help_url", help_url);
      lb_json_end_object (j);
      lb_json_print (j);
    }
  else
    {
      g_print ("source\t%s%s\n", lb_discovery_source_to_string (config->source),
               config->is_suggestion ? " (unverified guess)" : "");
      g_print ("provider\t%s\n", provider_id != NULL ? provider_id : "-");
      g_print ("credential\t%s\n", credential_to_string (config_credential (config)));
      print_server ("imap", config->imap);
      print_server ("smtp", config->smtp);
      if (help_url != NULL)
        g_print ("help\t%s\n", help_url);
    }
  return 0;
}

/* ---- account ---------------------------------------------------------------- */

/* The additional addresses, as one comma-separated "aliases" member. */
static void
print_aliases (LbAccount *a,
               LbJson    *j)
{
  GPtrArray *aliases = lb_account_get_aliases (a);
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < aliases->len; i++)
    {
      const LbIdentity *alias = g_ptr_array_index (aliases, i);

      if (i > 0)
        g_string_append (list, ", ");
      g_string_append (list, alias->email);
    }
  lb_json_string (j, "aliases", list->str);
}

static const char *
auth_to_string (LbAuthKind auth)
{
  switch (auth)
    {
    case LB_AUTH_OAUTH2:
      return "oauth2";
    case LB_AUTH_GOA:
      return "goa";
    case LB_AUTH_PASSWORD:
    default:
      return "password";
    }
}

/* "offline": all, none or Nd (the days kept); "offline_max_mb": 0 for no limit. */
static void
print_offline (LbAccount *a,
               LbJson    *j)
{
  int days = lb_account_get_offline_days (a);
  g_autofree char *text = days == 0 ? g_strdup ("all")
                        : days < 0 ? g_strdup ("none") : g_strdup_printf ("%dd", days);

  lb_json_string (j, "offline", text);
  lb_json_uint (j, "offline_max_mb", lb_account_get_offline_max_mb (a));
}

static void
print_account (Cli       *cli,
               LbAccount *a,
               LbJson    *j)
{
  if (j != NULL)
    {
      lb_json_begin_object (j);
      lb_json_int (j, "id", lb_account_get_id (a));
      lb_json_string (j, "email", lb_account_get_email (a));
      lb_json_string (j, "name", lb_account_get_display_name (a));
      lb_json_string (j, "provider", lb_account_get_provider_id (a));
      lb_json_uint (j, "unread", lb_account_get_inbox_unread (a));
      lb_json_string (j, "auth", auth_to_string (lb_account_get_auth (a)));
      lb_json_bool (j, "needs_sign_in", lb_account_get_needs_sign_in (a));
      lb_json_string (j, "signature", lb_account_get_signature (a));
      lb_json_string (j, "proxy", lb_account_get_proxy (a) != NULL ? lb_account_get_proxy (a)
                                                                   : "system");
      print_offline (a, j);
      print_aliases (a, j);
      lb_json_end_object (j);
    }
  else
    g_print ("%" G_GINT64_FORMAT "\t%s\t%s\n", lb_account_get_id (a), lb_account_get_email (a),
             lb_account_get_provider_id (a) != NULL ? lb_account_get_provider_id (a) : "-");
}

/* What `account add` is told on the command line. */
typedef struct {
  char     *email;
  char     *name;
  char     *imap;
  char     *smtp;
  char     *username;
  char     *ca_file;
  char     *provider;
  gboolean  password_stdin;
  gboolean  oauth2;
  char     *proxy;
  char     *signature;
  gboolean  goa;
  char     *goa_id;     /* the argument after "add" with --goa; not owned */
  char     *offline;
  int       offline_max_mb;   /* -1: not given */
} AccountOptions;

static void
account_options_clear (AccountOptions *o)
{
  g_clear_pointer (&o->email, g_free);
  g_clear_pointer (&o->name, g_free);
  g_clear_pointer (&o->imap, g_free);
  g_clear_pointer (&o->smtp, g_free);
  g_clear_pointer (&o->username, g_free);
  g_clear_pointer (&o->ca_file, g_free);
  g_clear_pointer (&o->provider, g_free);
  g_clear_pointer (&o->proxy, g_free);
  g_clear_pointer (&o->signature, g_free);
  g_clear_pointer (&o->offline, g_free);
}

/* --offline all|365d|90d|30d|none (any number of days) and --offline-max-mb N into @s. */
static int
apply_offline_options (const AccountOptions *o,
                       LbAccountSettings    *s)
{
  if (o->offline != NULL)
    {
      const char *v = o->offline;
      char *end = NULL;
      guint64 days;

      if (g_str_equal (v, "all"))
        s->offline_days = 0;
      else if (g_str_equal (v, "none"))
        s->offline_days = -1;
      else if ((days = g_ascii_strtoull (v, &end, 10)) > 0 && days <= 36500 &&
               end != NULL && g_str_equal (end, "d"))
        s->offline_days = (int) days;
      else
        return fail (_("--offline takes all, none or a number of days such as 30d, not “%s”"), v);
    }
  if (o->offline_max_mb >= 0)
    s->offline_max_mb = (guint) o->offline_max_mb;
  return 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AccountOptions, account_options_clear)

typedef void (*PrintItemFunc) (Cli      *cli,
                               gpointer  item,
                               LbJson   *j);

/* Prints every item of @model with @print: one line each, or one JSON array. */
static int
print_model (Cli           *cli,
             GListModel    *model,
             PrintItemFunc  print)
{
  g_autoptr(LbJson) j = cli->json ? lb_json_new () : NULL;

  if (j != NULL)
    lb_json_begin_array (j);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      print (cli, item, j);
    }
  if (j != NULL)
    {
      lb_json_end_array (j);
      lb_json_print (j);
    }
  return 0;
}

static int
account_list (Cli *cli)
{
  return print_model (cli, lb_engine_get_accounts (cli->engine), (PrintItemFunc) print_account);
}

/* A discovered server logs in with the address unless --username says otherwise (or the
 * provider names another login), and trusts --ca-file too. */
static void
apply_login_options (LbServerConfig       *server,
                     const AccountOptions *o)
{
  if (server == NULL)
    return;
  if (o->username != NULL || server->username == NULL)
    {
      g_free (server->username);
      server->username = g_strdup (o->username != NULL ? o->username : o->email);
    }
  if (o->ca_file != NULL)
    {
      g_free (server->ca_file);
      server->ca_file = g_strdup (o->ca_file);
    }
}

/* No servers given: look them up as the wizard does, and try the sign-in before anything
 * is stored, so that a wrong code is reported in plain words.  Fills @s and @secret;
 * returns 0, or the exit status of the failure it reported. */
static int
account_settings_discovered (Cli                  *cli,
                             const AccountOptions *o,
                             LbAccountSettings    *s,
                             char                **secret)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) found = NULL;
  g_autoptr(LbAccountCheckResult) check = NULL;

  if (o->smtp != NULL)
    return fail ("%s", _("--smtp needs --imap as well"));
  found = run_discovery (cli, o->email, &error);
  if (found == NULL)
    return fail (_("Could not find the settings for %s: %s. Give them with --imap "
                   "and --smtp."), o->email, error->message);
  if (config_credential (found) == LB_CREDENTIAL_OAUTH2_ONLY)
    return fail ("%s", _("This provider accepts only sign-in in the browser: add the account "
                         "with --oauth2"));
  s->email = g_strdup (o->email);
  s->display_name = g_strdup (o->name);
  s->provider_id = g_strdup (o->provider != NULL ? o->provider
                             : found->provider != NULL ? lb_provider_get_id (found->provider)
                             : NULL);
  s->imap = lb_server_config_copy (found->imap);
  s->smtp = found->smtp != NULL ? lb_server_config_copy (found->smtp) : NULL;
  apply_login_options (s->imap, o);
  apply_login_options (s->smtp, o);
  if (!cli->json)
    g_printerr (_("Found the servers through %s; signing in…\n"),
                lb_discovery_source_to_string (found->source));

  *secret = read_secret_stdin ();
  if ((*secret)[0] == '\0')
    return fail ("%s", _("No password on standard input"));
  lb_account_check_async (s, *secret, NULL, got_result, cli);
  check = lb_account_check_finish (wait_result (cli), &error);
  if (check == NULL)
    return fail ("%s", error->message);
  if (!check->ok)
    return fail ("%s", check->message);
  return 0;
}

/* --imap (and --smtp) given: taken as they are, without a sign-in first.  Fills @s and,
 * unless it is %NULL, @secret; returns 0, or the exit status of the failure it reported. */
static int
account_settings_given (const AccountOptions *o,
                        LbAccountSettings    *s,
                        char                **secret)
{
  g_autoptr(GError) error = NULL;

  if (!lb_server_config_parse (o->imap, &s->imap, &error))
    return fail ("%s", error->message);
  if (o->smtp != NULL && !lb_server_config_parse (o->smtp, &s->smtp, &error))
    return fail ("%s", error->message);
  s->email = g_strdup (o->email);
  s->display_name = g_strdup (o->name);
  s->provider_id = g_strdup (o->provider);
  s->imap->username = g_strdup (o->username != NULL ? o->username : o->email);
  s->imap->ca_file = g_strdup (o->ca_file);
  if (s->smtp != NULL)
    {
      s->smtp->username = g_strdup (s->imap->username);
      s->smtp->ca_file = g_strdup (o->ca_file);
    }
  if (secret == NULL)
    return 0;
  *secret = read_secret_stdin ();
  if ((*secret)[0] == '\0')
    return fail ("%s", _("No password on standard input"));
  return 0;
}

/* ---- OAuth2 sign-in ---------------------------------------------------------- */

static void
on_sign_in_uri (const char *uri,
                gboolean    browser_started,
                gpointer    user_data)
{
  /* The address holds no secret (PKCE keeps the code useless to others).  On stdout, so
   * that a script can pick it up; LETTERBOX_BROWSER, when set, was already run with it. */
  g_print (_("Open this address in a browser: %s\n"), uri);
  fflush (stdout);
}

/* Runs the browser sign-in for @email with the OAuth2 provider @oauth2_id, then checks
 * the servers in @s with the new access token, a command included (a server may accept
 * a token of another user).  Returns the token, or %NULL after reporting why. */
static LbOAuth2Token *
oauth2_sign_in (Cli                     *cli,
                const char              *oauth2_id,
                const char              *email,
                const LbAccountSettings *s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Provider) provider = lb_oauth2_provider_lookup (oauth2_id, &error);
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autoptr(LbAccountCheckResult) check = NULL;

  if (provider == NULL)
    {
      fail ("%s", error->message);
      return NULL;
    }
  lb_oauth2_sign_in_async (provider, email, LB_OAUTH2_SIGN_IN_TIMEOUT_S, on_sign_in_uri, cli,
                           NULL, got_result, cli);
  token = lb_oauth2_sign_in_finish (wait_result (cli), &error);
  if (token == NULL)
    {
      fail ("%s", error->message);
      return NULL;
    }
  if (token->refresh_token == NULL)
    {
      fail ("%s", _("The sign-in server gave no refresh token; the account could not stay "
                    "signed in"));
      return NULL;
    }
  lb_account_check_async (s, token->access_token, NULL, got_result, cli);
  check = lb_account_check_finish (wait_result (cli), &error);
  if (check == NULL)
    {
      fail ("%s", error->message);
      return NULL;
    }
  if (!check->ok)
    {
      fail ("%s", check->message);
      return NULL;
    }
  return g_steal_pointer (&token);
}

/* Signs an OAuth2 account in again: the same account, id and mail, with a new grant. */
/* Says that @account was added (or, with @again, signed in again): its JSON, or a line. */
static int
report_account (Cli        *cli,
                LbAccount  *account,
                const char *email,
                gboolean    again)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, lb_account_get_id (account));

  if (cli->json)
    {
      g_autoptr(LbJson) j = lb_json_new ();
      print_account (cli, account, j);
      lb_json_print (j);
    }
  else if (again)
    g_print (_("Signed in again to account %s (%s)\n"), id, email);
  else
    g_print (_("Added account %s (%s)\n"), id, email);
  return 0;
}

/* An Online Accounts account is signed in again in Settings; here it is only asked again
 * and, when it answers, the account is rebuilt without the needs-sign-in state. */
static int
account_signin_goa (Cli       *cli,
                    LbAccount *a)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) updated = NULL;

  lb_engine_retry_goa_account_async (cli->engine, a, NULL, got_result, cli);
  updated = lb_engine_retry_goa_account_finish (cli->engine, wait_result (cli), &error);
  if (updated == NULL)
    return fail ("%s", error->message);
  return report_account (cli, updated, lb_account_get_email (updated), TRUE);
}

static int
account_signin (Cli        *cli,
                const char *which)
{
  g_autoptr(GError) error = NULL;
  LbAccount *a = pick_account (cli, which, &error);
  g_autoptr(LbAccountSettings) s = NULL;
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autoptr(LbAccount) updated = NULL;

  if (a == NULL)
    return fail ("%s", error->message);
  if (lb_account_get_auth (a) == LB_AUTH_GOA)
    return account_signin_goa (cli, a);
  if (lb_account_get_auth (a) != LB_AUTH_OAUTH2)
    return fail (_("%s signs in with a password, not in the browser"), lb_account_get_email (a));
  s = lb_account_dup_settings (a);
  token = oauth2_sign_in (cli, s->oauth2_provider, s->email, s);
  if (token == NULL)
    return 1;
  lb_engine_update_account_async (cli->engine, a, s, token->refresh_token, NULL, got_result, cli);
  updated = lb_engine_update_account_finish (cli->engine, wait_result (cli), &error);
  if (updated == NULL)
    return fail ("%s", error->message);
  return report_account (cli, updated, s->email, TRUE);
}

/* The servers for an OAuth2 account: given, or discovered; and the OAuth2 provider, from
 * --provider or from the address's provider. */
static int
oauth2_settings (Cli                  *cli,
                 const AccountOptions *o,
                 LbAccountSettings    *s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) found = NULL;
  const char *oauth2_id = o->provider;
  int status;

  if (o->imap != NULL)
    {
      status = account_settings_given (o, s, NULL);
      if (status != 0)
        return status;
      g_clear_pointer (&s->provider_id, g_free);
    }
  else
    {
      if (o->smtp != NULL)
        return fail ("%s", _("--smtp needs --imap as well"));
      found = run_discovery (cli, o->email, &error);
      if (found == NULL)
        return fail (_("Could not find the settings for %s: %s. Give them with --imap "
                       "and --smtp."), o->email, error->message);
      s->email = g_strdup (o->email);
      s->display_name = g_strdup (o->name);
      s->provider_id = found->provider != NULL ? g_strdup (lb_provider_get_id (found->provider))
                                               : NULL;
      s->imap = lb_server_config_copy (found->imap);
      s->smtp = found->smtp != NULL ? lb_server_config_copy (found->smtp) : NULL;
      apply_login_options (s->imap, o);
      apply_login_options (s->smtp, o);
      if (oauth2_id == NULL && found->provider != NULL)
        oauth2_id = lb_provider_get_oauth2_id (found->provider);
    }
  if (oauth2_id == NULL)
    return fail (_("%s has no known browser sign-in; name one with --provider"), o->email);
  s->oauth2_provider = g_strdup (oauth2_id);
  s->imap->auth = LB_AUTH_OAUTH2;
  if (s->smtp != NULL)
    s->smtp->auth = LB_AUTH_OAUTH2;
  return 0;
}

/* `account add --oauth2`: signs in in the browser and adds the account with the grant;
 * for an address that already has an account, signs that one in again. */
static int
account_add_oauth2 (Cli                  *cli,
                    const AccountOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccountSettings) s = lb_account_settings_new ();
  g_autoptr(LbOAuth2Token) token = NULL;
  g_autoptr(LbAccount) added = NULL;
  int status;

  if (lb_engine_find_account (cli->engine, o->email) != NULL)
    return account_signin (cli, o->email);
  status = oauth2_settings (cli, o, s);
  if (status == 0)
    status = apply_offline_options (o, s);
  if (status != 0)
    return status;
  token = oauth2_sign_in (cli, s->oauth2_provider, o->email, s);
  if (token == NULL)
    return 1;
  lb_engine_add_account_async (cli->engine, s, token->refresh_token, NULL, got_result, cli);
  added = lb_engine_add_account_finish (cli->engine, wait_result (cli), &error);
  if (added == NULL)
    return fail ("%s", error->message);
  return report_account (cli, added, o->email, FALSE);
}

/* ---- GNOME Online Accounts ---------------------------------------------------- */

/* `account add --goa` without an id: the Online Accounts accounts Letterbox can add. */
static int
goa_list (Cli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = lb_goa_list_accounts_sync (NULL, &error);
  g_autoptr(LbJson) j = cli->json ? lb_json_new () : NULL;

  if (accounts == NULL)
    return fail ("%s", error->message);
  if (j != NULL)
    lb_json_begin_array (j);
  for (guint i = 0; i < accounts->len; i++)
    {
      const LbGoaAccount *a = g_ptr_array_index (accounts, i);

      if (j == NULL)
        {
          g_print ("%s\t%s\t%s\n", a->id, a->email, a->provider_type);
          continue;
        }
      lb_json_begin_object (j);
      lb_json_string (j, "goa_id", a->id);
      lb_json_string (j, "email", a->email);
      lb_json_string (j, "name", a->name);
      lb_json_string (j, "provider", a->provider_type);
      lb_json_bool (j, "attention_needed", a->attention_needed);
      lb_json_end_object (j);
    }
  if (j != NULL)
    {
      lb_json_end_array (j);
      lb_json_print (j);
    }
  else if (accounts->len == 0)
    g_printerr ("%s\n", _("Online Accounts has no mail account that Letterbox can use"));
  return 0;
}

/* `account add --goa [GOA-ID]`: lists them, or adds one with no secret of ours, checked
 * with a token from Online Accounts as any OAuth2 account is. */
static int
account_add_goa (Cli                  *cli,
                 const AccountOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) added = NULL;

  if (o->goa_id == NULL)
    return goa_list (cli);
  /* --ca-file: self-hosted servers and the tests' own. */
  lb_engine_add_goa_account_async (cli->engine, o->goa_id, o->ca_file, NULL, got_result, cli);
  added = lb_engine_add_goa_account_finish (cli->engine, wait_result (cli), &error);
  if (added == NULL)
    return fail ("%s", error->message);
  if (o->name != NULL)
    {
      g_autoptr(LbAccountSettings) s = lb_account_dup_settings (added);
      g_autoptr(LbAccount) renamed = NULL;

      g_free (s->display_name);
      s->display_name = g_strdup (o->name);
      lb_engine_update_account_async (cli->engine, added, s, NULL, NULL, got_result, cli);
      renamed = lb_engine_update_account_finish (cli->engine, wait_result (cli), &error);
      if (renamed == NULL)
        return fail ("%s", error->message);
      g_set_object (&added, renamed);
    }
  return report_account (cli, added, lb_account_get_email (added), FALSE);
}

static int
account_add (Cli                  *cli,
             const AccountOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccountSettings) s = lb_account_settings_new ();
  g_autoptr(LbSecret) secret = NULL;
  g_autoptr(LbAccount) added = NULL;
  int status;

  if (o->goa)
    return account_add_goa (cli, o);
  if (o->email == NULL || strchr (o->email, '@') == NULL)
    return fail ("%s", _("--email ADDRESS is required"));
  if (o->oauth2)
    return account_add_oauth2 (cli, o);
  if (!o->password_stdin)
    return fail ("%s", _("Pass the password with --password-stdin; it is never taken "
                         "from the command line"));
  status = o->imap == NULL ? account_settings_discovered (cli, o, s, &secret)
                           : account_settings_given (o, s, &secret);
  if (status == 0)
    status = apply_offline_options (o, s);
  if (status != 0)
    return status;

  lb_engine_add_account_async (cli->engine, s, secret, NULL, got_result, cli);
  added = lb_engine_add_account_finish (cli->engine, wait_result (cli), &error);
  if (added == NULL)
    return fail ("%s", error->message);
  return report_account (cli, added, o->email, FALSE);
}

static int
account_remove (Cli        *cli,
                const char *which)
{
  g_autoptr(GError) error = NULL;
  LbAccount *a = pick_account (cli, which, &error);

  if (a == NULL)
    return fail ("%s", error->message);
  lb_engine_remove_account_async (cli->engine, a, NULL, got_result, cli);
  if (!lb_engine_remove_account_finish (cli->engine, wait_result (cli), &error))
    return fail ("%s", error->message);
  if (!cli->json)
    g_print ("%s\n", _("Removed"));
  return 0;
}

/* Saves @s as @a's settings, keeping its secret. */
static int
account_save (Cli                     *cli,
              LbAccount               *a,
              const LbAccountSettings *s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) updated = NULL;

  lb_engine_update_account_async (cli->engine, a, s, NULL, NULL, got_result, cli);
  updated = lb_engine_update_account_finish (cli->engine, wait_result (cli), &error);
  if (updated == NULL)
    return fail ("%s", error->message);
  if (cli->json)
    {
      g_autoptr(LbJson) j = lb_json_new ();
      print_account (cli, updated, j);
      lb_json_print (j);
    }
  else
    g_print ("%s\n", _("Saved"));
  return 0;
}

/* `account set ID [--proxy none|system|URL] [--signature TEXT] [--name NAME]
 * [--offline all|365d|90d|30d|none] [--offline-max-mb N]` */
static int
account_set (Cli                  *cli,
             const char           *which,
             const AccountOptions *o)
{
  g_autoptr(GError) error = NULL;
  LbAccount *a = pick_account (cli, which, &error);
  g_autoptr(LbAccountSettings) s = NULL;

  if (a == NULL)
    return fail ("%s", error->message);
  s = lb_account_dup_settings (a);
  if (o->proxy != NULL)
    {
      g_autofree char *proxy = NULL;

      if (!lb_proxy_parse (o->proxy, &proxy, &error))
        return fail ("%s", error->message);
      g_free (s->imap->proxy);
      s->imap->proxy = g_strdup (proxy);
      if (s->smtp != NULL)
        {
          g_free (s->smtp->proxy);
          s->smtp->proxy = g_strdup (proxy);
        }
    }
  if (o->signature != NULL)
    {
      g_free (s->signature);
      s->signature = o->signature[0] != '\0' ? g_strdup (o->signature) : NULL;
    }
  if (o->name != NULL)
    {
      g_free (s->display_name);
      s->display_name = g_strdup (o->name);
    }
  if (apply_offline_options (o, s) != 0)
    return 1;
  return account_save (cli, a, s);
}

/* `account alias add|remove ID EMAIL [--name NAME] [--signature TEXT]`; adding an address
 * that is already an alias changes its name and signature. */
static int
account_alias (Cli                  *cli,
               const char           *verb,
               const char           *which,
               const char           *email,
               const AccountOptions *o)
{
  g_autoptr(GError) error = NULL;
  LbAccount *a = pick_account (cli, which, &error);
  g_autoptr(LbAccountSettings) s = NULL;
  guint found = G_MAXUINT;

  if (a == NULL)
    return fail ("%s", error->message);
  if (email == NULL || strchr (email, '@') == NULL)
    return fail ("%s", _("Usage: account alias add|remove ACCOUNT EMAIL"));
  s = lb_account_dup_settings (a);
  for (guint i = 0; i < s->aliases->len; i++)
    if (g_ascii_strcasecmp (((LbIdentity *) g_ptr_array_index (s->aliases, i))->email, email) == 0)
      found = i;
  if (g_strcmp0 (verb, "remove") == 0)
    {
      if (found == G_MAXUINT)
        return fail (_("%s is not an address of this account"), email);
      g_ptr_array_remove_index (s->aliases, found);
    }
  else if (g_strcmp0 (verb, "add") == 0)
    {
      if (g_ascii_strcasecmp (email, s->email) == 0)
        return fail (_("%s is the account’s own address"), email);
      if (found != G_MAXUINT)
        g_ptr_array_remove_index (s->aliases, found);
      g_ptr_array_insert (s->aliases, found != G_MAXUINT ? (int) found : -1,
                          lb_identity_new (email, o->name, o->signature));
    }
  else
    return fail (_("Unknown account command “%s”"), verb);
  return account_save (cli, a, s);
}

static gboolean
get_disk_use (Cli        *cli,
              LbAccount  *a,
              LbDiskUse  *use,
              GError    **error)
{
  lb_account_get_disk_use_async (a, NULL, got_result, cli);
  return lb_account_get_disk_use_finish (a, wait_result (cli), use, error);
}

static void
print_disk_use (Cli             *cli,
                LbAccount       *a,
                const LbDiskUse *use)
{
  if (cli->json)
    {
      g_autoptr(LbJson) j = lb_json_new ();

      lb_json_begin_object (j);
      lb_json_string (j, "email", lb_account_get_email (a));
      lb_json_uint (j, "messages", use->n_messages);
      lb_json_uint (j, "downloaded", use->n_bodies);
      lb_json_int (j, "stored_bytes", (gint64) use->stored_bytes);
      lb_json_int (j, "raw_bytes", (gint64) use->raw_bytes);
      lb_json_int (j, "text_bytes", (gint64) use->text_bytes);
      print_offline (a, j);
      lb_json_end_object (j);
      lb_json_print (j);
    }
  else
    {
      g_autofree char *stored = g_format_size (use->stored_bytes + use->text_bytes);

      /* TRANSLATORS: the account, messages downloaded, all messages, bytes on disk */
      g_print (_("%s: %u of %u messages downloaded, %s on disk\n"), lb_account_get_email (a),
               use->n_bodies, use->n_messages, stored);
    }
}

/* `account usage ACCOUNT`: what its downloaded mail takes on disk. */
static int
account_usage (Cli        *cli,
               const char *which)
{
  g_autoptr(GError) error = NULL;
  LbAccount *a = pick_account (cli, which, &error);
  LbDiskUse use;

  if (a == NULL || !get_disk_use (cli, a, &use, &error))
    return fail ("%s", error->message);
  print_disk_use (cli, a, &use);
  return 0;
}

/* `account clean ACCOUNT`: "Remove downloaded messages" of Preferences.  The account is
 * set to keep headers only first, or its background download would fetch it all again. */
static int
account_clean (Cli        *cli,
               const char *which)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) a = NULL;
  LbDiskUse use;

  a = pick_account (cli, which, &error);
  if (a == NULL)
    return fail ("%s", error->message);
  g_object_ref (a);
  if (lb_account_get_offline_days (a) >= 0)
    {
      g_autoptr(LbAccountSettings) s = lb_account_dup_settings (a);
      LbAccount *updated;

      s->offline_days = -1;
      lb_engine_update_account_async (cli->engine, a, s, NULL, NULL, got_result, cli);
      updated = lb_engine_update_account_finish (cli->engine, wait_result (cli), &error);
      if (updated == NULL)
        return fail ("%s", error->message);
      g_set_object (&a, updated);
      g_object_unref (updated);
    }
  lb_account_remove_bodies_async (a, NULL, got_result, cli);
  if (!lb_account_remove_bodies_finish (a, wait_result (cli), NULL, &error) ||
      !get_disk_use (cli, a, &use, &error))
    return fail ("%s", error->message);
  print_disk_use (cli, a, &use);
  return 0;
}

static int
cmd_account (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(AccountOptions) o = { .offline_max_mb = -1 };
  g_auto(Cli) cli = { 0 };
  const GOptionEntry entries[] = {
    { "email", 0, 0, G_OPTION_ARG_STRING, &o.email, N_("Address"), N_("EMAIL") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &o.name, N_("Your name"), N_("NAME") },
    { "imap", 0, 0, G_OPTION_ARG_STRING, &o.imap, N_("IMAP server"), N_("HOST:PORT:tls|starttls") },
    { "smtp", 0, 0, G_OPTION_ARG_STRING, &o.smtp, N_("SMTP server"), N_("HOST:PORT:tls|starttls") },
    { "username", 0, 0, G_OPTION_ARG_STRING, &o.username, N_("Login name (default: the address)"), N_("USER") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &o.ca_file, N_("Also trust this CA certificate"), N_("FILE") },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &o.provider, N_("Provider id"), N_("ID") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &o.password_stdin, N_("Read the password from standard input"), NULL },
    { "oauth2", 0, 0, G_OPTION_ARG_NONE, &o.oauth2, N_("Sign in in the browser (OAuth2) instead of with a password"), NULL },
    { "proxy", 0, 0, G_OPTION_ARG_STRING, &o.proxy, N_("Proxy for this account"), N_("none|system|socks5://HOST:PORT|http://HOST:PORT") },
    { "signature", 0, 0, G_OPTION_ARG_STRING, &o.signature, N_("Plain-text signature"), N_("TEXT") },
    { "offline", 0, 0, G_OPTION_ARG_STRING, &o.offline, N_("Keep mail on this computer: all, the last N days, or headers only"), N_("all|365d|90d|30d|none") },
    { "offline-max-mb", 0, 0, G_OPTION_ARG_INT, &o.offline_max_mb, N_("Keep only the headers of messages larger than this (0: no limit)"), N_("MB") },
    { "goa", 0, 0, G_OPTION_ARG_NONE, &o.goa, N_("Add the GNOME Online Accounts account GOA-ID (after “add”), or list those that can be added"), NULL },
    { NULL }
  };
  const char *sub;
  int status;

  context = g_option_context_new ("add|list|remove|signin|set|usage|clean [ACCOUNT] | alias add|remove ACCOUNT EMAIL");
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  sub = argc > 1 ? argv[1] : "list";
  if (!open_engine (&cli, &error))
    return fail ("%s", error->message);
  cli.loop = g_main_loop_new (NULL, FALSE);

  if (g_str_equal (sub, "list"))
    status = account_list (&cli);
  else if (g_str_equal (sub, "add"))
    {
      o.goa_id = o.goa && argc > 2 ? argv[2] : NULL;
      status = account_add (&cli, &o);
    }
  else if (g_str_equal (sub, "remove"))
    status = account_remove (&cli, argc > 2 ? argv[2] : NULL);
  else if (g_str_equal (sub, "signin"))
    status = account_signin (&cli, argc > 2 ? argv[2] : NULL);
  else if (g_str_equal (sub, "set"))
    status = account_set (&cli, argc > 2 ? argv[2] : NULL, &o);
  else if (g_str_equal (sub, "usage"))
    status = account_usage (&cli, argc > 2 ? argv[2] : NULL);
  else if (g_str_equal (sub, "clean"))
    status = account_clean (&cli, argc > 2 ? argv[2] : NULL);
  else if (g_str_equal (sub, "alias"))
    status = account_alias (&cli, argc > 2 ? argv[2] : NULL, argc > 3 ? argv[3] : NULL,
                            argc > 4 ? argv[4] : NULL, &o);
  else
    status = fail (_("Unknown account command “%s”"), sub);

  /* The Cli cleanup shuts the engine down, so that what was written is complete. */
  return status;
}

/* ---- sync ------------------------------------------------------------------- */

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
on_new_mail (LbMessageList *list,
             guint          position,
             guint          removed,
             guint          added,
             Cli           *cli)
{
  if (added > removed)
    {
      if (cli->json)
        g_print ("{\"event\":\"new-mail\",\"count\":%u}\n", added - removed);
      else
        g_print (ngettext ("%u new message\n", "%u new messages\n", added - removed),
                 added - removed);
    }
}

/* Returns once the account holds every body its setting keeps ("Keep mail on this
 * computer"), one batch at a time. */
static gboolean
download_all (Cli        *cli,
              LbAccount  *a,
              GError    **error)
{
  guint remaining = 0;

  do
    {
      lb_account_download_async (a, NULL, got_result, cli);
      if (!lb_account_download_finish (a, wait_result (cli), &remaining, NULL, error))
        return FALSE;
    }
  while (remaining > 0);
  return TRUE;
}

static int
cmd_sync (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  int idle = 0;
  int status = 0;
  g_auto(Cli) cli = { 0 };
  GListModel *accounts;
  const GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account, N_("Only this account"), N_("ACCOUNT") },
    { "idle", 0, 0, G_OPTION_ARG_INT, &idle, N_("Then wait for new mail for SECONDS"), N_("SECONDS") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (!open_engine (&cli, &error))
    return fail ("%s", error->message);
  cli.loop = g_main_loop_new (NULL, FALSE);
  accounts = lb_engine_get_accounts (cli.engine);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (accounts, i);
      gint64 t0 = g_get_monotonic_time ();

      if (account != NULL && lb_engine_find_account (cli.engine, account) != a)
        continue;
      lb_account_sync_async (a, 0, LB_JOB_PRIORITY_USER, NULL, got_result, &cli);
      if (!lb_account_sync_finish (a, wait_result (&cli), &error))
        {
          g_printerr ("letterbox-cli: %s: %s\n", lb_account_get_email (a), error->message);
          if (g_error_matches (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED) ||
              lb_account_get_needs_sign_in (a))
            g_printerr (_("letterbox-cli: sign in again with “letterbox-cli account signin "
                          "%s”\n"), lb_account_get_email (a));
          g_clear_error (&error);
          status = 1;
          continue;
        }
      if (!download_all (&cli, a, &error))
        {
          g_printerr ("letterbox-cli: %s: %s\n", lb_account_get_email (a), error->message);
          g_clear_error (&error);
          status = 1;
          continue;
        }
      if (cli.json)
        g_print ("{\"account\":\"%s\",\"synced\":true,\"seconds\":%.3f}\n", lb_account_get_email (a),
                 (g_get_monotonic_time () - t0) / 1e6);
      else
        g_print (_("%s: synced in %.2f s\n"), lb_account_get_email (a),
                 (g_get_monotonic_time () - t0) / 1e6);
    }

  if (idle > 0 && status == 0)
    {
      LbMessageList *unified = lb_engine_get_unified_inbox (cli.engine);

      /* A big inbox's older rows come in a reload after the first ones: not new mail. */
      while (lb_message_list_is_loading (unified))
        g_main_context_iteration (NULL, TRUE);
      g_signal_connect (unified, "items-changed", G_CALLBACK (on_new_mail), &cli);
      lb_engine_start (cli.engine);
      g_timeout_add_seconds (idle, quit_loop, cli.loop);
      g_main_loop_run (cli.loop);
    }

  lb_engine_shutdown (cli.engine);
  g_clear_object (&cli.result);
  g_clear_object (&cli.engine);
  g_clear_pointer (&cli.loop, g_main_loop_unref);
  return status;
}

/* ---- folders, list, show ------------------------------------------------------ */

static const char *
role_name (LbFolderRole role)
{
  static const char * const names[] = {
    "", "inbox", "drafts", "sent", "archive", "junk", "trash", "all", "flagged", "important", "outbox",
  };
  return role < G_N_ELEMENTS (names) ? names[role] : "";
}

static int
cmd_folders (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbJson) j = NULL;
  g_auto(Cli) cli = { 0 };
  GListModel *accounts;

  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (!open_engine (&cli, &error))
    return fail ("%s", error->message);
  accounts = lb_engine_get_accounts (cli.engine);
  if (cli.json)
    {
      j = lb_json_new ();
      lb_json_begin_array (j);
    }
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (accounts, i);
      GListModel *folders = lb_account_get_folders (a);

      for (guint k = 0; k < g_list_model_get_n_items (folders); k++)
        {
          g_autoptr(LbFolder) f = g_list_model_get_item (folders, k);
          if (j != NULL)
            {
              lb_json_begin_object (j);
              lb_json_int (j, "id", lb_folder_get_id (f));
              lb_json_string (j, "account", lb_account_get_email (a));
              lb_json_string (j, "name", lb_folder_get_name (f));
              lb_json_string (j, "raw_name", lb_folder_get_raw_name (f));
              lb_json_string (j, "role", role_name (lb_folder_get_role (f)));
              lb_json_uint (j, "total", lb_folder_get_total_count (f));
              lb_json_uint (j, "unread", lb_folder_get_unread_count (f));
              if (lb_folder_get_last_error (f) != NULL)
                lb_json_string (j, "error", lb_folder_get_last_error (f));
              lb_json_end_object (j);
            }
          else if (lb_folder_get_last_error (f) != NULL)
            /* A sixth column only for folders the server refused, so that scripts
             * reading five columns keep working. */
            g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%u/%u\t%s\n", lb_folder_get_id (f),
                     lb_account_get_email (a), role_name (lb_folder_get_role (f)),
                     lb_folder_get_name (f), lb_folder_get_unread_count (f),
                     lb_folder_get_total_count (f), lb_folder_get_last_error (f));
          else
            g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%u/%u\n", lb_folder_get_id (f),
                     lb_account_get_email (a), role_name (lb_folder_get_role (f)),
                     lb_folder_get_name (f), lb_folder_get_unread_count (f),
                     lb_folder_get_total_count (f));
        }
    }
  if (j != NULL)
    {
      lb_json_end_array (j);
      lb_json_print (j);
    }
  g_clear_object (&cli.engine);
  return 0;
}

/* FOLDER is "unified", a folder id, ROLE (with one account or --account) or a name. */
static gint64
resolve_folder (Cli        *cli,
                const char *spec,
                const char *account,
                GError    **error)
{
  GListModel *accounts = lb_engine_get_accounts (cli->engine);
  char *end = NULL;
  gint64 id = g_ascii_strtoll (spec, &end, 10);

  if (g_str_equal (spec, "unified"))
    return 0;
  if (end != spec && *end == '\0' && id > 0)
    return id;
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (accounts, i);
      GListModel *folders = lb_account_get_folders (a);

      if (account != NULL && lb_engine_find_account (cli->engine, account) != a)
        continue;
      for (guint k = 0; k < g_list_model_get_n_items (folders); k++)
        {
          g_autoptr(LbFolder) f = g_list_model_get_item (folders, k);
          if (g_ascii_strcasecmp (role_name (lb_folder_get_role (f)), spec) == 0 ||
              g_strcmp0 (lb_folder_get_name (f), spec) == 0 ||
              g_strcmp0 (lb_folder_get_raw_name (f), spec) == 0)
            return lb_folder_get_id (f);
        }
    }
  g_set_error (error, LB_ERROR, LB_ERROR_NOT_FOUND, _("No folder “%s”"), spec);
  return -1;
}

static void
print_message (Cli       *cli,
               LbMessage *m,
               LbJson    *j)
{
  g_autoptr(GDateTime) date = lb_message_get_date (m);
  g_autofree char *when = date != NULL ? g_date_time_format (date, "%Y-%m-%d %H:%M") : g_strdup ("");

  if (j != NULL)
    {
      lb_json_begin_object (j);
      lb_json_int (j, "id", lb_message_get_id (m));
      lb_json_int (j, "account_id", lb_message_get_account_id (m));
      lb_json_int (j, "folder_id", lb_message_get_folder_id (m));
      lb_json_uint (j, "uid", lb_message_get_uid (m));
      lb_json_int (j, "date", lb_message_get_date_unix (m));
      lb_json_string (j, "from", lb_message_get_sender (m));
      lb_json_string (j, "from_address", lb_message_get_from_address (m));
      lb_json_string (j, "subject", lb_message_get_subject (m));
      lb_json_string (j, "preview", lb_message_get_preview (m));
      lb_json_bool (j, "unread", lb_message_get_unread (m));
      lb_json_bool (j, "flagged", lb_message_get_flagged (m));
      lb_json_bool (j, "attachments", lb_message_get_has_attachments (m));
      lb_json_uint (j, "flags", lb_message_get_flags (m));
      lb_json_end_object (j);
    }
  else
    g_print ("%" G_GINT64_FORMAT "\t%s\t%s%s\t%s\t%s\n", lb_message_get_id (m), when,
             lb_message_get_unread (m) ? "U" : "-", lb_message_get_flagged (m) ? "F" : "-",
             lb_message_get_sender (m), lb_message_get_subject (m));
}

/* Prints the first LIMIT messages of LIST (all with a negative LIMIT), and records their
 * ids in PRINTED if it is not NULL.  Returns: the JSON array they went into, begun but not
 * ended, or NULL without --json. */
static LbJson *
print_messages (Cli           *cli,
                LbMessageList *list,
                int            limit,
                GHashTable    *printed)
{
  LbJson *j = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  if (limit >= 0)
    n = MIN (n, (guint) limit);
  if (cli->json)
    {
      j = lb_json_new ();
      lb_json_begin_array (j);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (printed != NULL)
        {
          gint64 id = lb_message_get_id (m);

          g_hash_table_add (printed, g_memdup2 (&id, sizeof id));
        }
      print_message (cli, m, j);
    }
  return j;
}

/* One conversation of `list --threads`: its id, how many messages, their ids oldest
 * first, and the newest message's subject. */
static void
print_thread (Cli           *cli,
              LbMessageList *list,
              LbMessage     *m,
              LbJson        *j)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) members = lb_message_list_get_conversation (list, m, &error);
  g_autoptr(GString) ids = g_string_new (NULL);
  guint n = members != NULL ? members->len : 0;

  if (members == NULL)
    g_printerr ("%s\n", error->message);
  if (j != NULL)
    {
      lb_json_begin_object (j);
      lb_json_int (j, "id", lb_message_get_thread_id (m));
      lb_json_uint (j, "count", n);
      lb_json_uint (j, "unread", lb_message_get_conversation_unread (m));
      lb_json_int (j, "date", lb_message_get_conversation_date_unix (m));
      lb_json_string (j, "participants", lb_message_get_participants (m));
      lb_json_string (j, "subject", lb_message_get_conversation_subject (m));
      lb_json_begin_member_array (j, "message_ids");
      for (guint i = 0; i < n; i++)
        lb_json_int (j, NULL, lb_message_get_id (g_ptr_array_index (members, i)));
      lb_json_end_array (j);
      lb_json_end_object (j);
      return;
    }
  for (guint i = 0; i < n; i++)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            lb_message_get_id (g_ptr_array_index (members, i)));
  g_print ("%" G_GINT64_FORMAT "\t%u\t%s\t%s\t%s\n", lb_message_get_thread_id (m), n, ids->str,
           lb_message_get_participants (m), lb_message_get_conversation_subject (m));
}

static LbJson *
print_threads (Cli           *cli,
               LbMessageList *list,
               int            limit)
{
  LbJson *j = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  if (limit >= 0)
    n = MIN (n, (guint) limit);
  if (cli->json)
    {
      j = lb_json_new ();
      lb_json_begin_array (j);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);

      print_thread (cli, list, m, j);
    }
  return j;
}

static int
cmd_list (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("FOLDER|unified");
  g_autoptr(GError) error = NULL;
  g_autoptr(LbJson) j = NULL;
  g_autoptr(LbMessageList) list = NULL;
  g_autofree char *account = NULL;
  int limit = 50;
  gboolean threads = FALSE;
  g_auto(Cli) cli = { 0 };
  gint64 folder_id;
  const GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Show at most N messages"), N_("N") },
    { "account", 0, 0, G_OPTION_ARG_STRING, &account, N_("Account of FOLDER"), N_("ACCOUNT") },
    { "threads", 0, 0, G_OPTION_ARG_NONE, &threads,
      N_("List conversations: id, count, message ids and subject"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (!open_engine (&cli, &error))
    return fail ("%s", error->message);
  folder_id = resolve_folder (&cli, argc > 1 ? argv[1] : "unified", account, &error);
  if (folder_id < 0)
    return fail ("%s", error->message);
  lb_engine_set_conversations (cli.engine, threads);
  list = folder_id == 0 ? g_object_ref (lb_engine_get_unified_inbox (cli.engine))
                        : lb_engine_open_folder (cli.engine, folder_id);
  /* A big folder's older rows come in a reload after the first ones. */
  while (lb_message_list_is_loading (list))
    g_main_context_iteration (NULL, TRUE);
  if (lb_message_list_get_error (list) != NULL)
    return fail ("%s", lb_message_list_get_error (list)->message);
  j = threads ? print_threads (&cli, list, limit) : print_messages (&cli, list, limit, NULL);
  if (j != NULL)
    {
      lb_json_end_array (j);
      lb_json_print (j);
    }
  g_clear_object (&list);
  g_clear_object (&cli.engine);
  return 0;
}

/* The addresses of a header as an array of {name, address} under KEY. */
static void
json_addresses (LbJson     *j,
                const char *key,
                GPtrArray  *addresses)
{
  lb_json_begin_member_array (j, key);
  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      const LbAddress *a = g_ptr_array_index (addresses, i);

      lb_json_begin_object (j);
      lb_json_string (j, "name", a->name);
      lb_json_string (j, "address", a->address);
      lb_json_end_object (j);
    }
  lb_json_end_array (j);
}

/* Everything the reader shows of a message, so that scripts and tests can check a
 * message without the UI: the headers, the attachments and the body text. */
static void
print_message_json (LbMessage     *m,
                    LbMimeMessage *mime)
{
  g_autoptr(LbJson) j = lb_json_new ();
  GDateTime *date = lb_mime_message_get_date (mime);
  GPtrArray *attachments = lb_mime_message_get_attachments (mime);
  g_autofree char *iso = date != NULL ? g_date_time_format_iso8601 (date) : NULL;

  lb_json_begin_object (j);
  lb_json_int (j, "id", lb_message_get_id (m));
  lb_json_string (j, "subject", lb_mime_message_get_subject (mime));
  lb_json_string (j, "sender", lb_message_get_sender (m));
  json_addresses (j, "from", lb_mime_message_get_from (mime));
  json_addresses (j, "to", lb_mime_message_get_to (mime));
  json_addresses (j, "cc", lb_mime_message_get_cc (mime));
  json_addresses (j, "reply_to", lb_mime_message_get_reply_to (mime));
  lb_json_string (j, "date", iso);
  if (date != NULL)
    lb_json_int (j, "date_unix", g_date_time_to_unix (date));
  else
    lb_json_string (j, "date_unix", NULL);
  lb_json_string (j, "message_id", lb_mime_message_get_message_id (mime));
  lb_json_bool (j, "signed", lb_mime_message_get_signed (mime));
  lb_json_begin_member_array (j, "attachments");
  for (guint i = 0; i < attachments->len; i++)
    {
      LbMimeAttachment *a = g_ptr_array_index (attachments, i);

      lb_json_begin_object (j);
      lb_json_string (j, "name", lb_mime_attachment_get_filename (a));
      lb_json_string (j, "content_type", lb_mime_attachment_get_mime_type (a));
      lb_json_uint (j, "size", lb_mime_attachment_get_size (a));
      lb_json_bool (j, "inline", lb_mime_attachment_get_is_inline (a));
      lb_json_end_object (j);
    }
  lb_json_end_array (j);
  lb_json_string (j, "text", lb_mime_message_get_text (mime));
  lb_json_bool (j, "has_html", lb_mime_message_get_html (mime) != NULL);
  lb_json_end_object (j);
  lb_json_print (j);
}

static int
cmd_show (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("ID");
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMessage) m = NULL;
  g_autoptr(GBytes) raw = NULL;
  gboolean opt_raw = FALSE;
  g_auto(Cli) cli = { 0 };
  LbAccount *account;
  const GOptionEntry entries[] = {
    { "raw", 0, 0, G_OPTION_ARG_NONE, &opt_raw, N_("Print the message as received"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc < 2)
    return fail ("%s", _("Which message? Give its ID (see “list”)"));
  if (!open_engine (&cli, &error))
    return fail ("%s", error->message);
  cli.loop = g_main_loop_new (NULL, FALSE);
  m = lb_engine_lookup_message (cli.engine, g_ascii_strtoll (argv[1], NULL, 10));
  if (m == NULL)
    return fail (_("No message %s"), argv[1]);
  account = lb_engine_get_account (cli.engine, lb_message_get_account_id (m));
  lb_account_fetch_body_async (account, lb_message_get_id (m), NULL, got_result, &cli);
  raw = lb_account_fetch_body_finish (account, wait_result (&cli), &error);
  if (raw == NULL)
    return fail ("%s", error->message);

  if (opt_raw)
    {
      gsize len;
      const char *data = g_bytes_get_data (raw, &len);
      fwrite (data, 1, len, stdout);
    }
  else
    {
      g_autoptr(LbMimeMessage) mime = lb_mime_message_new_from_bytes (raw, &error);
      if (mime == NULL)
        return fail ("%s", error != NULL ? error->message : _("Not a message"));
      if (cli.json)
        print_message_json (m, mime);
      else
        g_print ("From: %s\nSubject: %s\n\n%s\n", lb_message_get_sender (m),
                 lb_mime_message_get_subject (mime), lb_mime_message_get_text (mime));
    }
  lb_engine_shutdown (cli.engine);
  g_clear_object (&cli.result);
  g_clear_object (&cli.engine);
  g_clear_pointer (&cli.loop, g_main_loop_unref);
  return 0;
}

/* ---- flag, move, delete ---------------------------------------------------------- */

static int
run_change (int          argc,
            char       **argv,
            const char  *what)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("ID...");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) accounts = g_hash_table_new (NULL, NULL);
  gboolean seen = FALSE, unseen = FALSE, flagged = FALSE, unflagged = FALSE;
  g_autofree char *to = NULL;
  g_auto(Cli) cli = { 0 };
  int status = 0;
  const GOptionEntry entries[] = {
    { "seen", 0, 0, G_OPTION_ARG_NONE, &seen, N_("Mark read"), NULL },
    { "unseen", 0, 0, G_OPTION_ARG_NONE, &unseen, N_("Mark unread"), NULL },
    { "flagged", 0, 0, G_OPTION_ARG_NONE, &flagged, N_("Flag"), NULL },
    { "unflagged", 0, 0, G_OPTION_ARG_NONE, &unflagged, N_("Remove the flag"), NULL },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Destination folder (id, role or name)"), N_("FOLDER") },
    { NULL }
  };
  GHashTableIter iter;
  gpointer key;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc < 2)
    return fail ("%s", _("Which messages? Give their IDs (see “list”)"));
  if (!open_engine (&cli, &error))
    return fail ("%s", error->message);
  cli.loop = g_main_loop_new (NULL, FALSE);

  for (int i = 1; i < argc; i++)
    {
      LbMessage *m = lb_engine_lookup_message (cli.engine, g_ascii_strtoll (argv[i], NULL, 10));
      if (m == NULL)
        return fail (_("No message %s"), argv[i]);
      g_ptr_array_add (messages, m);
      g_hash_table_add (accounts, lb_engine_get_account (cli.engine, lb_message_get_account_id (m)));
    }

  if (g_str_equal (what, "flag"))
    {
      guint set = (seen ? LB_FLAG_SEEN : 0) | (flagged ? LB_FLAG_FLAGGED : 0);
      guint unset = (unseen ? LB_FLAG_SEEN : 0) | (unflagged ? LB_FLAG_FLAGGED : 0);
      if (set == 0 && unset == 0)
        return fail ("%s", _("Say what to change: --seen, --unseen, --flagged or --unflagged"));
      lb_engine_set_flags (cli.engine, (LbMessage **) messages->pdata, messages->len, set, unset);
    }
  else if (g_str_equal (what, "move"))
    {
      gint64 dest;
      if (to == NULL)
        return fail ("%s", _("Where to? Use --to FOLDER"));
      dest = resolve_folder (&cli, to, NULL, &error);
      if (dest <= 0)
        return fail ("%s", error != NULL ? error->message : _("Cannot move to All Inboxes"));
      lb_engine_move (cli.engine, (LbMessage **) messages->pdata, messages->len,
                      LB_FOLDER_ROLE_NONE, dest);
    }
  else if (g_str_equal (what, "junk") || g_str_equal (what, "not-junk"))
    lb_engine_mark_junk (cli.engine, (LbMessage **) messages->pdata, messages->len,
                         g_str_equal (what, "junk"));
  else
    lb_engine_delete (cli.engine, (LbMessage **) messages->pdata, messages->len);

  /* No undo on the command line: commit now, write, then send to the server. */
  lb_engine_flush_pending (cli.engine);
  lb_engine_wait_idle (cli.engine);
  g_hash_table_iter_init (&iter, accounts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      LbAccount *a = key;
      lb_account_sync_async (a, 0, LB_JOB_PRIORITY_USER, NULL, got_result, &cli);
      if (!lb_account_sync_finish (a, wait_result (&cli), &error))
        {
          g_printerr ("letterbox-cli: %s: %s\n", lb_account_get_email (a), error->message);
          if (g_error_matches (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED) ||
              lb_account_get_needs_sign_in (a))
            g_printerr (_("letterbox-cli: sign in again with “letterbox-cli account signin "
                          "%s”\n"), lb_account_get_email (a));
          g_clear_error (&error);
          status = 1;
        }
    }
  lb_engine_shutdown (cli.engine);
  g_clear_object (&cli.result);
  g_ptr_array_set_size (messages, 0);
  g_clear_object (&cli.engine);
  g_clear_pointer (&cli.loop, g_main_loop_unref);
  return status;
}

static int cmd_flag (int argc, char **argv) { return run_change (argc, argv, "flag"); }
static int cmd_move (int argc, char **argv) { return run_change (argc, argv, "move"); }
static int cmd_junk (int argc, char **argv) { return run_change (argc, argv, "junk"); }
static int cmd_not_junk (int argc, char **argv) { return run_change (argc, argv, "not-junk"); }
static int cmd_delete (int argc, char **argv) { return run_change (argc, argv, "delete"); }

/* ---- search ----------------------------------------------------------------- */

/* Asks the server of FOLDER_ID's account (every account's inbox for 0) too, and
 * prints the messages it found that the local search did not. */
static void
search_on_servers (Cli        *cli,
                   gint64      folder_id,
                   const char *query,
                   GHashTable *printed,
                   LbJson     *j,
                   int        *status)
{
  GListModel *accounts = lb_engine_get_accounts (cli->engine);

  cli->loop = g_main_loop_new (NULL, FALSE);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (accounts, i);
      g_autoptr(GArray) message_ids = NULL;
      g_autoptr(GArray) locations = NULL;
      g_autoptr(GError) error = NULL;
      gint64 target = folder_id;

      if (folder_id == 0)
        {
          LbFolder *inbox = lb_account_find_folder (a, LB_FOLDER_ROLE_INBOX);

          if (inbox == NULL)
            continue;
          target = lb_folder_get_id (inbox);
        }
      else if (lb_account_get_folder (a, folder_id) == NULL)
        continue;
      lb_account_search_server_async (a, target, query, NULL, got_result, cli);
      locations = lb_account_search_server_finish (a, wait_result (cli), &message_ids, &error);
      if (locations == NULL)
        {
          g_printerr ("letterbox-cli: %s: %s\n", lb_account_get_email (a), error->message);
          *status = 1;
          continue;
        }
      for (guint k = 0; k < message_ids->len; k++)
        {
          gint64 id = g_array_index (message_ids, gint64, k);
          g_autoptr(LbMessage) m = NULL;

          if (!g_hash_table_add (printed, g_memdup2 (&id, sizeof id)))
            continue;
          m = lb_engine_lookup_message (cli->engine, id);
          if (m != NULL)
            print_message (cli, m, j);
        }
    }
  lb_engine_shutdown (cli->engine);
  g_clear_object (&cli->result);
  g_clear_pointer (&cli->loop, g_main_loop_unref);
}

static int
cmd_search (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("QUERY — search the mail in the store"));
  g_autoptr(GError) error = NULL;
  g_autoptr(LbJson) j = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *account = NULL;
  g_autofree char *query = NULL;
  int limit = 50;
  int status = 0;
  int percent = 0;
  gint64 total = 0;
  gboolean estimated = FALSE;
  gboolean server = FALSE;
  g_autoptr(GHashTable) printed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_auto(Cli) cli = { 0 };
  gint64 folder_id;
  const GOptionEntry entries[] = {
    { "folder", 0, 0, G_OPTION_ARG_STRING, &folder,
      N_("Search this folder (id, role or name; default: all inboxes)"), N_("FOLDER") },
    { "account", 0, 0, G_OPTION_ARG_STRING, &account, N_("Account of FOLDER"), N_("ACCOUNT") },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Show at most N messages"), N_("N") },
    { "server", 0, 0, G_OPTION_ARG_NONE, &server,
      N_("Also search on the server, for mail whose text is not downloaded"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context,
                                _("Words must all match (sender, recipients, subject or body). "
                                  "Words match whole words and words that start with them, "
                                  "ignoring case and accents. "
                                  "Also: \"a phrase\", from: to: cc: subject: (发件人: 收件人: 主题:), "
                                  "in:FOLDER, has:attachment, is:unread, is:read, is:flagged, "
                                  "before:YYYY-MM-DD, after:YYYY-MM-DD, -word."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc < 2)
    return fail ("%s", _("Give a query"));
  /* The words of the query may come as separate arguments. */
  query = g_strjoinv (" ", argv + 1);
  if (!open_engine (&cli, &error))
    return fail ("%s", error->message);
  folder_id = resolve_folder (&cli, folder != NULL ? folder : "unified", account, &error);
  if (folder_id < 0)
    return fail ("%s", error->message);

  /* The first screen: the newest LIMIT matches and the total, or its estimate when
   * counting every match would cost more than finding the first ones. */
  messages = lb_engine_search_first_screen (cli.engine, query, folder_id, MAX (limit, 0),
                                            &total, &estimated, &error);
  if (messages == NULL)
    return fail ("%s", error->message);
  if (cli.json)
    {
      j = lb_json_new ();
      lb_json_begin_object (j);
      lb_json_int (j, "total", total);
      lb_json_bool (j, "estimated", estimated);
      lb_json_begin_member_array (j, "items");
    }
  for (guint i = 0; i < messages->len; i++)
    {
      LbMessage *m = g_ptr_array_index (messages, i);
      gint64 id = lb_message_get_id (m);

      g_hash_table_add (printed, g_memdup2 (&id, sizeof id));
      print_message (&cli, m, j);
    }
  if (server)
    search_on_servers (&cli, folder_id, query, printed, j, &status);
  if (j != NULL)
    {
      lb_json_end_array (j);
      lb_json_end_object (j);
      lb_json_print (j);
    }
  else
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, total);

      if (estimated)
        /* TRANSLATORS: how many messages a search found, estimated; %s is a number */
        g_print (_("About %s messages match"), number);
      else
        /* TRANSLATORS: how many messages a search found; %s is a number */
        g_print (g_dngettext (GETTEXT_PACKAGE, "%s message matches", "%s messages match",
                              (gulong) total), number);
      g_print ("\n");
      if (lb_engine_get_index_progress (cli.engine, &percent))
        {
          /* TRANSLATORS: %d is a percentage, followed by a percent sign */
          g_print (_("Indexing %d %%: results may be incomplete"), percent);
          g_print ("\n");
        }
    }
  g_clear_object (&cli.engine);
  return status;
}

/* ---- rebuild ---------------------------------------------------------------- */

/* Starts over from a damaged store: keeps the accounts (and so their keyring secrets),
 * moves the damaged file aside and leaves the rest to the next sync.  It works on the
 * file directly: an engine could not even be opened on a badly damaged store. */
static int
cmd_rebuild (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("— rebuild a damaged mail store"));
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *damaged = NULL;
  guint n_accounts = 0;

  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  path = opt_data_dir != NULL ? g_build_filename (opt_data_dir, "letterbox.db", NULL)
                              : lb_store_default_path ();
  if (!lb_store_rebuild_full (path, &damaged, &n_accounts, &error))
    return fail ("%s", error->message);
  if (opt_json)
    {
      g_autoptr(LbJson) j = lb_json_new ();

      lb_json_begin_object (j);
      lb_json_string (j, "store", path);
      lb_json_string (j, "damaged", damaged);
      lb_json_uint (j, "accounts", n_accounts);
      lb_json_end_object (j);
      lb_json_print (j);
    }
  else
    g_print (ngettext ("Rebuilt %s with %u account; the damaged file is %s. Run “letterbox-cli "
                       "sync” to download the mail again.\n",
                       "Rebuilt %s with %u accounts; the damaged file is %s. Run “letterbox-cli "
                       "sync” to download the mail again.\n", n_accounts),
             path, n_accounts, damaged);
  return 0;
}

/* ---- send ------------------------------------------------------------------- */

static gboolean
add_addresses (GPtrArray  *dest,
               char      **args,
               GError    **error)
{
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) list = lb_address_parse (args[i]);

      if (list == NULL || list->len == 0)
        {
          g_set_error (error, LB_ERROR, LB_ERROR_PARSE, _("Not a mail address: “%s”"), args[i]);
          return FALSE;
        }
      for (guint j = 0; j < list->len; j++)
        {
          LbAddress *a = g_ptr_array_index (list, j);

          if (!lb_address_is_valid (a->address))
            {
              g_set_error (error, LB_ERROR, LB_ERROR_PARSE, _("Not a mail address: “%s”"), args[i]);
              return FALSE;
            }
          g_ptr_array_add (dest, lb_address_copy (a));
        }
    }
  return TRUE;
}

static LbMimeAttachment *
load_attachment (const char  *path,
                 GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *type = NULL;
  g_autofree char *mime_type = NULL;
  g_autofree char *name = g_filename_display_basename (path);
  g_autoptr(GBytes) bytes = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  type = g_content_type_guess (path, (const guchar *) contents, MIN (len, 4096), NULL);
  mime_type = g_content_type_get_mime_type (type);
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  return lb_mime_attachment_new (name, mime_type != NULL ? mime_type : "application/octet-stream",
                                 NULL, FALSE, bytes);
}

/* Exit status for a message that is queued and will be retried: EX_TEMPFAIL. */
#define SEND_EXIT_QUEUED 75

/* `send --flush`: sends what waits in @account's outbox and lists what is left.  Returns
 * the exit status: SEND_EXIT_QUEUED while anything waits. */
static int
send_flush (Cli       *cli,
            LbAccount *account)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) left = NULL;
  guint waiting = 0;

  lb_engine_flush_outbox_async (cli->engine, account, TRUE, NULL, got_result, cli);
  if (!lb_engine_flush_outbox_finish (cli->engine, wait_result (cli), &error))
    return fail ("%s", error->message);
  left = lb_engine_list_outbox (cli->engine);
  for (guint i = 0; i < left->len; i++)
    {
      LbStoreOutboxItem *item = g_ptr_array_index (left, i);

      if (item->account_id != lb_account_get_id (account))
        continue;
      waiting++;
      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\n", item->id,
               item->state == LB_STORE_OUTBOX_FAILED ? "failed"
               : item->state == LB_STORE_OUTBOX_SENT ? "sent"
               : item->state == LB_STORE_OUTBOX_INTERRUPTED ? "interrupted" : "queued",
               item->last_error != NULL ? item->last_error : "");
    }
  return waiting > 0 ? SEND_EXIT_QUEUED : 0;
}

/* Reads the message text from standard input, which must be UTF-8. */
static char *
read_body_stdin (GError **error)
{
  g_autoptr(GString) body = g_string_new (NULL);
  char buf[4096];
  gsize n;

  while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
    g_string_append_len (body, buf, n);
  if (!g_utf8_validate_len (body->str, body->len, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The message text is not UTF-8"));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&body), FALSE);
}

/* What `send` is told on the command line, besides the account. */
typedef struct {
  char  *subject;
  char **to;
  char **cc;
  char **bcc;
  char **attach;
} SendOptions;

static void
send_options_clear (SendOptions *o)
{
  g_clear_pointer (&o->subject, g_free);
  g_clear_pointer (&o->to, g_strfreev);
  g_clear_pointer (&o->cc, g_strfreev);
  g_clear_pointer (&o->bcc, g_strfreev);
  g_clear_pointer (&o->attach, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SendOptions, send_options_clear)

/* Fills @draft from the options, standard input and the attached files. */
static gboolean
fill_draft (LbMimeDraft        *draft,
            LbAccount          *account,
            const SendOptions  *o,
            GError            **error)
{
  g_auto(GStrv) rcpts = NULL;

  draft->from = lb_address_new (lb_account_get_display_name (account), lb_account_get_email (account));
  if (!add_addresses (draft->to, o->to, error) ||
      !add_addresses (draft->cc, o->cc, error) ||
      !add_addresses (draft->bcc, o->bcc, error))
    return FALSE;
  rcpts = lb_mime_draft_dup_recipients (draft);
  if (rcpts[0] == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Name at least one recipient with --to"));
      return FALSE;
    }
  draft->subject = g_strdup (o->subject != NULL ? o->subject : "");
  draft->body = read_body_stdin (error);
  if (draft->body == NULL)
    return FALSE;
  for (guint i = 0; o->attach != NULL && o->attach[i] != NULL; i++)
    {
      LbMimeAttachment *a = load_attachment (o->attach[i], error);

      if (a == NULL)
        return FALSE;
      g_ptr_array_add (draft->attachments, a);
    }
  return TRUE;
}

/* Builds and sends @draft; a message the server did not take now stays in the outbox.
 * Returns the exit status: SEND_EXIT_QUEUED then. */
static int
send_draft (Cli         *cli,
            LbAccount   *account,
            LbMimeDraft *draft)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *message_id = NULL;
  g_auto(GStrv) rcpts = lb_mime_draft_dup_recipients (draft);
  gboolean queued = FALSE;

  raw = lb_mime_build (draft, LB_MIME_BUILD_DEFAULT, &message_id);
  lb_engine_send_async (cli->engine, account, raw, (const char * const *) rcpts, NULL,
                        got_result, cli);
  if (lb_engine_send_finish (cli->engine, wait_result (cli), &queued, &error))
    {
      if (cli->json)
        g_print ("{\"sent\":true,\"message_id\":\"%s\"}\n", message_id);
      else
        g_print ("%s\n", _("sent"));
      return 0;
    }
  if (!queued)
    return fail ("%s", error->message);
  if (cli->json)
    g_print ("{\"sent\":false,\"queued\":true,\"message_id\":\"%s\"}\n", message_id);
  else
    g_print ("%s\n", _("queued"));
  g_printerr ("letterbox-cli: %s\n", error->message);
  return SEND_EXIT_QUEUED;
}

static int
cmd_send (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("< BODY — send a plain-text message"));
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  g_auto(SendOptions) o = { 0 };
  gboolean flush = FALSE;
  g_autoptr(LbMimeDraft) draft = lb_mime_draft_new ();
  LbAccount *account;
  g_auto(Cli) cli = { 0 };
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("Send from this account"), N_("ACCOUNT") },
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.to, N_("Recipient (repeatable)"), N_("ADDRESS") },
    { "cc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.cc, N_("Copy to (repeatable)"), N_("ADDRESS") },
    { "bcc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.bcc, N_("Blind copy to (repeatable)"), N_("ADDRESS") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &o.subject, N_("Subject"), N_("TEXT") },
    { "attach", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.attach, N_("Attach a file (repeatable)"), N_("FILE") },
    { "flush", 0, 0, G_OPTION_ARG_NONE, &flush, N_("Send what is waiting in the outbox now, nothing new"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (!open_engine (&cli, &error))
    return fail ("%s", error->message);
  cli.loop = g_main_loop_new (NULL, FALSE);

  /* Every return below leaves through the Cli cleanup, which shuts the engine down. */
  account = pick_account (&cli, from, &error);
  if (account == NULL)
    return fail ("%s", error->message);
  if (flush)
    return send_flush (&cli, account);
  if (!fill_draft (draft, account, &o, &error))
    return fail ("%s", error->message);
  return send_draft (&cli, account, draft);
}

/* ---- outbox ---------------------------------------------------------------- */

static const char *
outbox_state_name (LbOutboxItem *item)
{
  if (lb_outbox_item_get_next_attempt (item) == LB_OUTBOX_HELD)
    return "held";
  switch (lb_outbox_item_get_state (item))
    {
    case LB_OUTBOX_STATE_QUEUED:
      return "queued";
    case LB_OUTBOX_STATE_SENDING:
      return "sending";
    case LB_OUTBOX_STATE_FAILED:
      return "failed";
    case LB_OUTBOX_STATE_SENT:
      return "sent";
    case LB_OUTBOX_STATE_INTERRUPTED:
      return "interrupted";
    default:
      return "unknown";
    }
}

/* The next attempt as local ISO 8601, or %NULL when there is none (due now, or held). */
static char *
outbox_next_attempt (LbOutboxItem *item)
{
  gint64 next = lb_outbox_item_get_next_attempt (item);
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (next <= 0 || next == LB_OUTBOX_HELD || lb_outbox_item_get_state (item) != LB_OUTBOX_STATE_QUEUED)
    return NULL;
  utc = g_date_time_new_from_unix_utc (next);
  if (utc == NULL)
    return NULL;
  local = g_date_time_to_local (utc);
  return g_date_time_format_iso8601 (local);
}

static void
print_outbox_item (Cli          *cli,
                   LbOutboxItem *item,
                   LbJson       *j)
{
  LbAccount *account = lb_engine_get_account (cli->engine,
                                              lb_outbox_item_get_account_id (item));
  const char *email = account != NULL ? lb_account_get_email (account) : "";
  g_autofree char *next = outbox_next_attempt (item);
  const char *last_error = lb_outbox_item_get_last_error (item);

  if (j != NULL)
    {
      lb_json_begin_object (j);
      lb_json_int (j, "id", lb_outbox_item_get_id (item));
      lb_json_string (j, "account", email);
      lb_json_string (j, "subject", lb_outbox_item_get_subject (item));
      lb_json_string (j, "recipients", lb_outbox_item_get_recipients (item));
      lb_json_string (j, "state", outbox_state_name (item));
      lb_json_uint (j, "attempts", lb_outbox_item_get_attempts (item));
      lb_json_string (j, "next_attempt", next);
      lb_json_string (j, "last_error", last_error);
      lb_json_end_object (j);
    }
  else
    g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%u\t%s\t%s\n", lb_outbox_item_get_id (item),
             email, lb_outbox_item_get_subject (item), lb_outbox_item_get_recipients (item),
             outbox_state_name (item), lb_outbox_item_get_attempts (item),
             next != NULL ? next : "-", last_error != NULL ? last_error : "");
}

/* The engine's outbox model, filled: the accounts' workers read it, so each is waited for. */
static GListModel *
outbox_model (Cli *cli)
{
  GListModel *accounts = lb_engine_get_accounts (cli->engine);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) account = g_list_model_get_item (accounts, i);
      g_autoptr(GError) error = NULL;

      lb_engine_reload_outbox_async (cli->engine, account, NULL, got_result, cli);
      if (!lb_engine_outbox_change_finish (cli->engine, wait_result (cli), &error))
        g_printerr ("%s\n", error->message);
    }
  return lb_engine_get_outbox (cli->engine);
}

static int
outbox_list (Cli *cli)
{
  return print_model (cli, outbox_model (cli), (PrintItemFunc) print_outbox_item);
}

static LbOutboxItem *
find_outbox_item (Cli        *cli,
                  const char *id_text)
{
  GListModel *model = outbox_model (cli);
  gint64 id = 0;

  if (!g_ascii_string_to_signed (id_text, 10, 1, G_MAXINT64, &id, NULL))
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LbOutboxItem) item = g_list_model_get_item (model, i);
      if (lb_outbox_item_get_id (item) == id)
        return g_steal_pointer (&item);
    }
  return NULL;
}

/* `outbox retry|discard ID`.  Retry sends now and reports like `send`: exit status
 * SEND_EXIT_QUEUED when the message is still waiting, 1 when it failed. */
static int
outbox_change (Cli        *cli,
               const char *verb,
               const char *id_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOutboxItem) item = find_outbox_item (cli, id_text);
  g_autoptr(LbOutboxItem) after = NULL;
  LbAccount *account;
  gboolean retry = g_str_equal (verb, "retry");

  if (item == NULL)
    return fail (_("No message “%s” in the outbox"), id_text);
  account = lb_engine_get_account (cli->engine, lb_outbox_item_get_account_id (item));
  if (account == NULL)
    return fail (_("No message “%s” in the outbox"), id_text);
  if (retry)
    lb_engine_outbox_retry_async (cli->engine, account, lb_outbox_item_get_id (item), NULL,
                                  got_result, cli);
  else
    lb_engine_outbox_discard_async (cli->engine, account, lb_outbox_item_get_id (item), NULL,
                                    got_result, cli);
  if (!lb_engine_outbox_change_finish (cli->engine, wait_result (cli), &error))
    return fail ("%s", error->message);
  lb_engine_wait_idle (cli->engine);
  after = find_outbox_item (cli, id_text);
  if (!retry)
    {
      g_print ("%s\n", _("discarded"));
      return 0;
    }
  if (after == NULL || lb_outbox_item_get_state (after) == LB_OUTBOX_STATE_SENT)
    {
      g_print ("%s\n", _("sent"));
      return 0;
    }
  print_outbox_item (cli, after, NULL);
  return lb_outbox_item_get_state (after) == LB_OUTBOX_STATE_FAILED ? 1 : SEND_EXIT_QUEUED;
}

static int
cmd_outbox (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("[retry ID | discard ID] — list, send or remove waiting messages"));
  g_autoptr(GError) error = NULL;
  g_auto(Cli) cli = { 0 };

  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc != 1 && !(argc == 3 && (g_str_equal (argv[1], "retry") || g_str_equal (argv[1], "discard"))))
    return fail ("%s", _("Usage: letterbox-cli outbox [--json] [retry ID | discard ID]"));
  if (!open_engine (&cli, &error))
    return fail ("%s", error->message);
  cli.loop = g_main_loop_new (NULL, FALSE);
  if (argc == 1)
    return outbox_list (&cli);
  return outbox_change (&cli, argv[1], argv[2]);
}

/* ---- folders create|rename|delete|empty, mark-read --all ------------------------- */

static LbAccount *
account_of_folder (Cli    *cli,
                   gint64  folder_id)
{
  GListModel *accounts = lb_engine_get_accounts (cli->engine);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (accounts, i);
      if (lb_account_get_folder (a, folder_id) != NULL)
        return a;
    }
  return NULL;
}

/* Sends what is queued to the server: the command line has no background sync. */
static int
replay_now (Cli       *cli,
            LbAccount *a)
{
  g_autoptr(GError) error = NULL;

  lb_engine_wait_idle (cli->engine);
  lb_account_sync_async (a, 0, LB_JOB_PRIORITY_USER, NULL, got_result, cli);
  if (lb_account_sync_finish (a, wait_result (cli), &error))
    return 0;
  g_printerr ("letterbox-cli: %s: %s\n", lb_account_get_email (a), error->message);
  return 1;
}

static int
folders_manage (Cli         *cli,
                const char  *verb,
                int          argc,
                char       **argv,
                const char  *account_spec,
                const char  *parent_spec)
{
  g_autoptr(GError) error = NULL;
  LbAccount *a = NULL;
  gint64 folder = 0;
  gint64 id;
  gboolean create = g_str_equal (verb, "create");
  int wanted = g_str_equal (verb, "rename") ? 2 : 1;

  if (argc != wanted)
    return fail ("%s", _("Usage: letterbox-cli folders create [--account ACCOUNT] [--parent FOLDER] NAME | "
                         "rename FOLDER NAME | delete FOLDER | empty FOLDER"));
  if (!create || parent_spec != NULL)
    {
      folder = resolve_folder (cli, create ? parent_spec : argv[0], account_spec, &error);
      if (folder <= 0 || (a = account_of_folder (cli, folder)) == NULL)
        return fail ("%s", error != NULL ? error->message : _("Not a folder of an account"));
    }
  else if (account_spec != NULL)
    a = lb_engine_find_account (cli->engine, account_spec);
  else
    {
      /* One account needs no --account. */
      GListModel *accounts = lb_engine_get_accounts (cli->engine);
      g_autoptr(LbAccount) only = g_list_model_get_n_items (accounts) == 1
                                  ? g_list_model_get_item (accounts, 0) : NULL;
      a = only;
    }
  if (a == NULL)
    return fail ("%s", _("Which account? Use --account ACCOUNT"));

  if (create)
    lb_account_create_folder_async (a, folder, argv[0], NULL, got_result, cli);
  else if (g_str_equal (verb, "rename"))
    lb_account_rename_folder_async (a, folder, argv[1], NULL, got_result, cli);
  else if (g_str_equal (verb, "delete"))
    lb_account_delete_folder_async (a, folder, NULL, got_result, cli);
  else
    lb_account_empty_folder_async (a, folder, NULL, got_result, cli);
  id = create ? lb_account_create_folder_finish (a, wait_result (cli), &error)
              : (lb_account_folder_action_finish (a, wait_result (cli), &error) ? folder : 0);
  if (id <= 0)
    return fail ("%s", error->message);
  if (create)
    g_print ("%" G_GINT64_FORMAT "\n", id);
  return 0;
}

static int
cmd_folders_manage (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("create NAME | rename FOLDER NAME | delete FOLDER | empty FOLDER"));
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  g_autofree char *parent = NULL;
  g_auto(Cli) cli = { 0 };
  const GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account, N_("Account of FOLDER"), N_("ACCOUNT") },
    { "parent", 0, 0, G_OPTION_ARG_STRING, &parent, N_("Create the folder inside this one"), N_("FOLDER") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (!open_engine (&cli, &error))
    return fail ("%s", error->message);
  cli.loop = g_main_loop_new (NULL, FALSE);
  return folders_manage (&cli, argv[1], argc - 2, argv + 2, account, parent);
}

/* "folders" lists; "folders create|rename|delete|empty" changes. */
static int
cmd_folders_or_manage (int    argc,
                       char **argv)
{
  if (argc > 1 && (g_str_equal (argv[1], "create") || g_str_equal (argv[1], "rename") ||
                   g_str_equal (argv[1], "delete") || g_str_equal (argv[1], "empty")))
    return cmd_folders_manage (argc, argv);
  return cmd_folders (argc, argv);
}

static int
cmd_mark_read (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("--all FOLDER"));
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  gboolean all = FALSE;
  g_auto(Cli) cli = { 0 };
  GListModel *accounts;
  gint64 folder;
  int status = 0;
  const GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Mark every message of FOLDER read (“unified”: all inboxes)"), NULL },
    { "account", 0, 0, G_OPTION_ARG_STRING, &account, N_("Account of FOLDER"), N_("ACCOUNT") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (!all || argc != 2)
    return fail ("%s", _("Usage: letterbox-cli mark-read --all FOLDER (to mark single messages, use “flag --seen”)"));
  if (!open_engine (&cli, &error))
    return fail ("%s", error->message);
  cli.loop = g_main_loop_new (NULL, FALSE);
  folder = resolve_folder (&cli, argv[1], account, &error);
  if (folder < 0)
    return fail ("%s", error->message);
  lb_engine_mark_folder_read_async (cli.engine, folder == 0 ? LB_ENGINE_ALL_INBOXES : folder, NULL,
                                    got_result, &cli);
  if (!lb_engine_mark_folder_read_finish (cli.engine, wait_result (&cli), &error))
    return fail ("%s", error->message);
  accounts = lb_engine_get_accounts (cli.engine);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (accounts, i);

      if (folder == 0 || lb_account_get_folder (a, folder) != NULL)
        status |= replay_now (&cli, a);
    }
  return status;
}

/* ---- drafts ---------------------------------------------------------------- */

/* `drafts [--json] [--push]`: the drafts only this computer has (written offline, or
 * left by a crash); --push saves them in the accounts' Drafts on the server first. */
static int
cmd_drafts (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— list the drafts kept on this computer only"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(LbJson) j = NULL;
  g_auto(Cli) cli = { 0 };
  gboolean push = FALSE;
  const GOptionEntry entries[] = {
    { "push", 0, 0, G_OPTION_ARG_NONE, &push, N_("Save them on the server first"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc != 1)
    return fail ("%s", _("Usage: letterbox-cli drafts [--json] [--push]"));
  if (!open_engine (&cli, &error))
    return fail ("%s", error->message);
  cli.loop = g_main_loop_new (NULL, FALSE);
  for (guint i = 0; push && i < g_list_model_get_n_items (lb_engine_get_accounts (cli.engine)); i++)
    {
      g_autoptr(LbAccount) account = g_list_model_get_item (lb_engine_get_accounts (cli.engine), i);
      g_autoptr(GError) local_error = NULL;

      lb_engine_push_local_drafts_async (cli.engine, account, NULL, got_result, &cli);
      if (lb_engine_push_local_drafts_finish (cli.engine, wait_result (&cli), &local_error) < 0)
        g_printerr ("%s: %s\n", lb_account_get_email (account), local_error->message);
    }
  drafts = lb_engine_list_local_drafts (cli.engine, 0);
  j = cli.json ? lb_json_new () : NULL;
  if (j != NULL)
    lb_json_begin_array (j);
  for (guint i = 0; i < drafts->len; i++)
    {
      const LbLocalDraft *d = g_ptr_array_index (drafts, i);
      LbAccount *account = lb_engine_get_account (cli.engine, d->account_id);
      const char *email = account != NULL ? lb_account_get_email (account) : "";
      g_autoptr(GDateTime) saved = g_date_time_new_from_unix_local (d->saved);
      g_autofree char *when = saved != NULL ? g_date_time_format_iso8601 (saved) : g_strdup ("");

      if (j != NULL)
        {
          lb_json_begin_object (j);
          lb_json_string (j, "id", d->id);
          lb_json_string (j, "account", email);
          lb_json_string (j, "subject", d->subject != NULL ? d->subject : "");
          lb_json_string (j, "to", d->to);
          lb_json_string (j, "saved", when);
          lb_json_string (j, "path", d->path);
          lb_json_end_object (j);
        }
      else
        g_print ("%s\t%s\t%s\t%s\t%s\n", d->id, email, d->subject != NULL ? d->subject : "",
                 d->to, when);
    }
  if (j != NULL)
    {
      lb_json_end_array (j);
      lb_json_print (j);
    }
  lb_engine_shutdown (cli.engine);
  return 0;
}

static const struct {
  const char *name;
  int (*func) (int, char **);
  const char *help;
} commands[] = {
  { "account", cmd_account, N_("Add, list or remove accounts") },
  { "discover", cmd_discover, N_("Find the IMAP and SMTP servers for an address") },
  { "sync", cmd_sync, N_("Synchronise accounts (and wait for new mail with --idle)") },
  { "folders", cmd_folders_or_manage, N_("List folders; create, rename, delete or empty one") },
  { "mark-read", cmd_mark_read, N_("Mark all messages of a folder read") },
  { "list", cmd_list, N_("List the messages of a folder or of all inboxes") },
  { "search", cmd_search, N_("Search the mail: words, \"phrases\", from:, is:unread...") },
  { "show", cmd_show, N_("Show a message") },
  { "flag", cmd_flag, N_("Mark messages read, unread, flagged or unflagged") },
  { "move", cmd_move, N_("Move messages to another folder") },
  { "junk", cmd_junk, N_("Move messages to Junk and tell the server they are spam") },
  { "not-junk", cmd_not_junk, N_("Move messages from Junk back to the inbox") },
  { "delete", cmd_delete, N_("Delete messages (to Trash)") },
  { "send", cmd_send, N_("Send a message (queued in the outbox until the server accepts it)") },
  { "outbox", cmd_outbox, N_("List the outbox; retry or discard a waiting message") },
  { "drafts", cmd_drafts, N_("List the drafts kept on this computer only (--push saves them)") },
  { "rebuild", cmd_rebuild, N_("Rebuild a damaged mail store, keeping the accounts") },
};

static void
usage (void)
{
  g_printerr ("%s\n", _("Usage: letterbox-cli COMMAND [OPTIONS]"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_printerr ("  %-10s %s\n", commands[i].name, _(commands[i].help));
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir;

  setlocale (LC_ALL, "");
  /* Run from the build tree (build-aux/dev, `meson devenv`), the catalogs are the ones
   * just built there, not those of an installation that may be missing or older. */
  localedir = g_getenv ("LETTERBOX_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      usage ();
      return argc < 2 ? 2 : 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("letterbox-cli %s\n", PACKAGE_VERSION);
      return 0;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].func (argc - 1, argv + 1);
  usage ();
  return fail (_("Unknown command “%s”"), argv[1]);
}
