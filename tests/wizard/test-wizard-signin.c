/* test-wizard-signin.c: the wizard's sign-in pages driven as a user would: the browser
 * sign-in (OAuth2) end to end, Sign In Again from the sidebar, Cancel while waiting, a
 * build without a client ID; and the rough edges of issue 14 (offline, the unknown-domain
 * explanation, unique mnemonics, Cancel on every page, the help page's address, spaces in
 * app passwords)
 *
 * Runs under run-headless --x11 (private HOME, D-Bus, an unlocked keyring that holds the
 * refresh token, Xvfb) against the loopback authorization server (fixtures/oauth2_server.py),
 * an oauth2-passdb Dovecot (through an LbTestProxy, which can cut the kept connections) and
 * the SMTP fixture with XOAUTH2.  The address is alice@outlook.com: the provider database
 * knows it as Outlook.com, and LETTERBOX_TEST_DISCOVERY_FILE points its servers at the
 * fixtures.  LETTERBOX_BROWSER is the fixture's browser, which follows the redirects.
 *
 * With LB_TEST_SCREENSHOT_DIR=DIR it saves the OAuth2 pages and the sidebar's
 * "Sign-in required" there (LANGUAGE=zh_CN.UTF-8 for the Chinese set).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "lb-account-sign-in.h"
#include "lb-account-wizard.h"
#include "lb-application.h"
#include "lb-test-env.h"
#include "lb-ui-test-util.h"

#define ADDRESS "alice@outlook.com"
#define WAIT_UNTIL LB_UI_TEST_WAIT_UNTIL

static LbTestOAuth2 *oauth2;
static LbTestServers *servers;
static LbTestProxy *proxy;
static char *discovery_file;

/* The wizard's words in the language the test runs in (LANGUAGE=zh_CN for screenshots). */
#define T_(text) g_dgettext (GETTEXT_PACKAGE, text)

static gboolean
english (void)
{
  return !g_str_has_prefix (g_get_language_names ()[0], "zh");
}

static GtkWidget *
find (gpointer    root,
      const char *name)
{
  GtkWidget *widget = lb_ui_test_find_widget (GTK_WIDGET (root), name);

  if (widget == NULL)
    g_error ("no widget named %s", name);
  return widget;
}

static gboolean
is_page (LbAccountWizard *wizard,
         const char      *page)
{
  return g_strcmp0 (lb_account_wizard_get_page (wizard), page) == 0;
}

static void
shoot (GtkWidget  *widget,
       const char *name)
{
  const char *dir = g_getenv ("LB_TEST_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (dir == NULL)
    return;
  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  lb_ui_test_wait_for_frame (widget);
  lb_ui_test_wait_for_frame (widget);
  g_assert_true (lb_ui_test_save_png (widget, path, &error));
  g_print ("%s\n", path);
}

/* ---- a network monitor that says what the test wants ---------------------------- */

#define TEST_TYPE_MONITOR (test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestMonitor, test_monitor, TEST, MONITOR, GObject)

struct _TestMonitor
{
  GObject  parent_instance;
  gboolean available;
};

static void test_monitor_iface_init (GNetworkMonitorInterface *iface);
static void test_monitor_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMonitor, test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      test_monitor_iface_init))

enum { PROP_0, PROP_AVAILABLE, PROP_METERED, PROP_CONNECTIVITY };

static gboolean
test_monitor_initable (GInitable     *initable,
                       GCancellable  *cancellable,
                       GError       **error)
{
  return TRUE;
}

static void
test_monitor_initable_init (GInitableIface *iface)
{
  iface->init = test_monitor_initable;
}

static void
test_monitor_iface_init (GNetworkMonitorInterface *iface)
{
}

static void
test_monitor_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TestMonitor *self = TEST_MONITOR (object);

  switch (prop_id)
    {
    case PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case PROP_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL
                                               : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_monitor_class_init (TestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_monitor_get_property;
  g_object_class_override_property (object_class, PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
}

static void
test_monitor_init (TestMonitor *self)
{
  self->available = TRUE;
}

/* ---- fixtures ---------------------------------------------------------------------- */

static void
write_discovery_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-wizard-signin-XXXXXX", &error);

  g_assert_no_error (error);
  /* OAuth2 as the only way in, as Microsoft's own autoconfig says. */
  xml = g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<clientConfig version=\"1.1\">\n"
    "  <emailProvider id=\"fixture\">\n"
    "    <domain>outlook.com</domain>\n"
    "    <incomingServer type=\"imap\">\n"
    "      <hostname>127.0.0.1</hostname><port>%u</port><socketType>SSL</socketType>\n"
    "      <authentication>OAuth2</authentication><username>%%EMAILADDRESS%%</username>\n"
    "    </incomingServer>\n"
    "    <outgoingServer type=\"smtp\">\n"
    "      <hostname>127.0.0.1</hostname><port>%u</port><socketType>SSL</socketType>\n"
    "      <authentication>OAuth2</authentication><username>%%EMAILADDRESS%%</username>\n"
    "    </outgoingServer>\n"
    "  </emailProvider>\n"
    "</clientConfig>\n",
    lb_test_proxy_get_port (proxy), servers->smtps_port);
  discovery_file = g_build_filename (dir, "config-v1.1.xml", NULL);
  g_file_set_contents (discovery_file, xml, -1, &error);
  g_assert_no_error (error);
}

static void
deliver_one (void)
{
  g_autoptr(GError) error = NULL;
  static const char text[] =
    "From: Bob <bob@example.com>\r\nTo: alice@outlook.com\r\n"
    "Subject: Signed in with Microsoft\r\nMessage-ID: <signin-1@example.com>\r\n"
    "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\nHello\r\n";
  g_autoptr(GBytes) msg = g_bytes_new_static (text, strlen (text));

  g_assert_true (lb_test_servers_deliver (servers, ADDRESS, "INBOX", msg, NULL, &error));
  g_assert_no_error (error);
}

/* Types the name and address on step 1 and goes on; waits for PAGE. */
static void
enter_address (LbAccountWizard *wizard,
               const char      *address,
               const char      *page)
{
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-name-row")), "Alice");
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-email-row")), address);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.next", NULL);
  WAIT_UNTIL (is_page (wizard, page));
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
}

/* The port of the loopback listener, from the redirect_uri of the sign-in address. */
static guint16
listener_port (const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, &error);
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GUri) redirect = NULL;

  g_assert_no_error (error);
  params = g_uri_parse_params (g_uri_get_query (parsed), -1, "&", G_URI_PARAMS_NONE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_hash_table_lookup (params, "redirect_uri"));
  redirect = g_uri_parse (g_hash_table_lookup (params, "redirect_uri"), G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_uri_get_port (redirect), >, 0);
  return (guint16) g_uri_get_port (redirect);
}

static gboolean
can_connect (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  if (connection != NULL)
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return connection != NULL;
}

/* ---- app passwords ------------------------------------------------------------------- */

static void
test_clean_secret (void)
{
  g_autofree char *grouped = lb_account_wizard_clean_secret (LB_CREDENTIAL_APP_PASSWORD,
                                                             "abcd efgh ijkl mnop");
  /* As a web page lays the groups out: NO-BREAK SPACEs, and a newline from a copy. */
  g_autofree char *nbsp = lb_account_wizard_clean_secret (LB_CREDENTIAL_APP_PASSWORD,
                                                          " abcd\u00a0efgh\u2009ijkl mnop\n");
  g_autofree char *code = lb_account_wizard_clean_secret (LB_CREDENTIAL_AUTHORIZATION_CODE,
                                                          "wxyz abcd efgh ijkl");
  g_autofree char *password = lb_account_wizard_clean_secret (LB_CREDENTIAL_PASSWORD,
                                                              "correct horse ");

  g_assert_cmpstr (grouped, ==, "abcdefghijklmnop");
  g_assert_cmpstr (nbsp, ==, "abcdefghijklmnop");
  g_assert_cmpstr (code, ==, "wxyzabcdefghijkl");
  /* A password may hold spaces: it is taken as typed. */
  g_assert_cmpstr (password, ==, "correct horse ");
}

/* ---- Cancel while waiting for the browser --------------------------------------------- */

static void
test_cancel_stops_listener (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-wizard-cancel-XXXXXX", &error);
  g_autoptr(LbEngine) engine = NULL;
  LbAccountWizard *wizard;
  gpointer weak;
  guint16 port;

  g_assert_no_error (error);
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  /* A browser that does nothing: the wizard waits until the user gives up. */
  g_setenv ("LB_TEST_BROWSER_MODE", "none", TRUE);

  wizard = lb_account_wizard_present (NULL, engine);
  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  enter_address (wizard, ADDRESS, "oauth2");

  lb_ui_test_click (find (wizard, "wizard-oauth2-sign-in-button"));
  g_assert_true (is_page (wizard, "oauth2-wait"));
  g_assert_nonnull (lb_account_wizard_get_sign_in_uri (wizard));
  /* The address is shown to copy. */
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (wizard, "wizard-oauth2-uri"))), ==,
                   lb_account_wizard_get_sign_in_uri (wizard));
  port = listener_port (lb_account_wizard_get_sign_in_uri (wizard));
  g_assert_true (can_connect (port));

  /* Cancel: back on the sign-in page, and nothing listens any more. */
  lb_ui_test_click (find (wizard, "wizard-oauth2-cancel-button"));
  g_assert_true (is_page (wizard, "oauth2"));
  g_assert_null (lb_account_wizard_get_sign_in_uri (wizard));
  /* The listener closes from an idle callback: let everything pending run first (polling
   * with connections would keep an accept ready and starve that idle). */
  WAIT_UNTIL (!g_main_context_iteration (NULL, FALSE));
  g_assert_false (can_connect (port));
  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_accounts (engine)), ==, 0);

  gtk_window_destroy (GTK_WINDOW (wizard));
  WAIT_UNTIL (weak == NULL);
  g_unsetenv ("LB_TEST_BROWSER_MODE");
  lb_engine_shutdown (engine);
}

/* ---- a build without a client ID; Gmail's two ways ------------------------------------ */

static void
test_no_client_id (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-wizard-noid-XXXXXX", &error);
  g_autoptr(LbEngine) engine = NULL;
  LbAccountWizard *wizard;
  GtkWidget *sign_in, *unavailable, *password;
  gpointer weak;

  g_assert_no_error (error);
  /* This build's own registrations, without the test server's. */
  g_unsetenv ("LETTERBOX_OAUTH2_PROVIDERS");
  if (lb_account_sign_in_available ("microsoft", NULL))
    {
      g_setenv ("LETTERBOX_OAUTH2_PROVIDERS", oauth2->providers_file, TRUE);
      g_test_skip ("this build has a Microsoft client ID");
      return;
    }
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  wizard = lb_account_wizard_present (NULL, engine);
  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));

  /* Outlook.com: the page says plainly why it cannot sign in, and no password is offered. */
  enter_address (wizard, ADDRESS, "oauth2");
  sign_in = find (wizard, "wizard-oauth2-sign-in-button");
  unavailable = find (wizard, "wizard-oauth2-unavailable");
  password = find (wizard, "wizard-oauth2-password-button");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (sign_in)), ==, T_("_Sign in with Microsoft"));
  g_assert_false (gtk_widget_get_sensitive (sign_in));
  g_assert_true (gtk_widget_get_mapped (unavailable));
  g_test_message ("%s", gtk_label_get_text (GTK_LABEL (unavailable)));
  if (english ())
    {
      g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (unavailable)), "no client ID"));
      g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (unavailable)), "Online Accounts"));
    }
  g_assert_false (gtk_widget_get_visible (password));
  shoot (GTK_WIDGET (wizard), "wizard-oauth2-no-client-id");

  /* An advanced user's own client ID makes it possible. */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (find (wizard, "wizard-client-expander")), TRUE);
  g_assert_false (gtk_widget_get_visible (find (wizard, "wizard-client-secret-row")));
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-client-id-row")), "my-own-id");
  g_assert_true (gtk_widget_get_sensitive (sign_in));
  g_assert_false (gtk_widget_get_visible (unavailable));
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-client-id-row")), "");

  /* Gmail: the app password is the other way, one click away, and back again. */
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.back", NULL);
  enter_address (wizard, "alice@gmail.com", "oauth2");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (sign_in)), ==, T_("_Sign in with Google"));
  g_assert_true (gtk_widget_get_visible (password));
  g_assert_true (gtk_widget_get_visible (find (wizard, "wizard-client-secret-row")));
  if (english ())
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (unavailable)), "app password"));
  lb_ui_test_click (password);
  g_assert_true (is_page (wizard, "secret"));
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.back", NULL);
  g_assert_true (is_page (wizard, "oauth2"));

  gtk_window_destroy (GTK_WINDOW (wizard));
  WAIT_UNTIL (weak == NULL);
  lb_engine_shutdown (engine);
  g_setenv ("LETTERBOX_OAUTH2_PROVIDERS", oauth2->providers_file, TRUE);
}

static gboolean
inbox_has_mail (LbEngine *engine)
{
  return g_list_model_get_n_items (G_LIST_MODEL (lb_engine_get_unified_inbox (engine))) >= 1;
}

/* ---- an advanced user's own client ID --------------------------------------------------- */

static gboolean
account_count_is (LbEngine *engine,
                  guint     n)
{
  return g_list_model_get_n_items (lb_engine_get_accounts (engine)) == n;
}

static void
test_own_client_id (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-wizard-ownid-XXXXXX", &error);
  g_autofree char *contents = NULL;
  g_autofree char *no_ids = NULL;
  g_autofree char *no_ids_file = NULL;
  g_autoptr(GRegex) client_id = g_regex_new ("^client-id=.*$", G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(LbEngine) engine = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GVariant) ids = NULL;
  const char *saved = NULL;
  LbAccountWizard *wizard;
  gpointer weak;

  g_assert_no_error (error);
  /* The test server's endpoints, but no client ID: as a build without one. */
  g_assert_true (g_file_get_contents (oauth2->providers_file, &contents, NULL, &error));
  no_ids = g_regex_replace_literal (client_id, contents, -1, 0, "", 0, &error);
  g_assert_no_error (error);
  no_ids_file = g_build_filename (profile, "providers-without-ids.ini", NULL);
  g_assert_true (g_file_set_contents (no_ids_file, no_ids, -1, &error));
  g_setenv ("LETTERBOX_OAUTH2_PROVIDERS", no_ids_file, TRUE);
  g_assert_false (lb_account_sign_in_available ("microsoft", NULL));

  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  lb_engine_start (engine);
  wizard = lb_account_wizard_present (NULL, engine);
  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  enter_address (wizard, ADDRESS, "oauth2");
  g_assert_false (gtk_widget_get_sensitive (find (wizard, "wizard-oauth2-sign-in-button")));

  /* The ID the test server knows, typed as an advanced user would: the sign-in works with
   * it, the account is added, and its first sync (which refreshes the token with the same
   * registration) fills the inbox. */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (find (wizard, "wizard-client-expander")), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-client-id-row")), "letterbox-test");
  lb_ui_test_click (find (wizard, "wizard-oauth2-sign-in-button"));
  WAIT_UNTIL (weak == NULL);
  g_assert_true (account_count_is (engine, 1));
  WAIT_UNTIL (inbox_has_mail (engine));

  /* Kept for the next start, in GSettings: an ID is public. */
  settings = g_settings_new (APP_ID);
  ids = g_settings_get_value (settings, "oauth2-client-ids");
  g_assert_true (g_variant_lookup (ids, "microsoft", "&s", &saved));
  g_assert_cmpstr (saved, ==, "letterbox-test");

  lb_engine_shutdown (engine);
  lb_account_sign_in_set_client ("microsoft", NULL, NULL);
  g_settings_reset (settings, "oauth2-client-ids");
  g_setenv ("LETTERBOX_OAUTH2_PROVIDERS", oauth2->providers_file, TRUE);
  g_unlink (no_ids_file);
}

/* ---- the whole application: sign in, revoked grant, Sign In Again --------------------- */

static LbAccount *
only_account (LbEngine *engine)
{
  g_autoptr(LbAccount) account = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_accounts (engine)), ==, 1);
  account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);
  return account; /* the engine's list keeps it */
}

static gboolean
mapped (GtkWindow  *window,
        const char *name)
{
  GtkWidget *widget = lb_ui_test_find_widget (GTK_WIDGET (window), name);

  return widget != NULL && gtk_widget_get_mapped (widget);
}

/* Signs in through the wizard from the welcome page; returns when it has closed. */
static void
sign_in_from_welcome (GtkWindow *window)
{
  LbAccountWizard *wizard;
  GtkWidget *button;
  gpointer weak;

  lb_ui_test_click (find (window, "add-account-button"));
  wizard = LB_ACCOUNT_WIZARD (lb_ui_test_find_toplevel (LB_TYPE_ACCOUNT_WIZARD));
  g_assert_nonnull (wizard);
  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  enter_address (wizard, ADDRESS, "oauth2");

  /* Outlook.com: only the browser sign-in, which this (test) build can do. */
  button = find (wizard, "wizard-oauth2-sign-in-button");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, T_("_Sign in with Microsoft"));
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_false (gtk_widget_get_visible (find (wizard, "wizard-oauth2-password-button")));
  g_assert_false (gtk_widget_get_visible (find (wizard, "wizard-oauth2-unavailable")));
  shoot (GTK_WIDGET (wizard), "wizard-oauth2-sign-in");

  if (g_getenv ("LB_TEST_SCREENSHOT_DIR") != NULL)
    {
      /* The waiting page, held by a browser that does nothing, then cancelled. */
      g_setenv ("LB_TEST_BROWSER_MODE", "none", TRUE);
      lb_ui_test_click (button);
      shoot (GTK_WIDGET (wizard), "wizard-oauth2-waiting");
      gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.cancel", NULL);
      g_unsetenv ("LB_TEST_BROWSER_MODE");
    }

  lb_ui_test_click (button);
  WAIT_UNTIL (weak == NULL);
}

static void
on_app_activate (GApplication *application,
                 gboolean     *ran)
{
  LbApplication *app = LB_APPLICATION (application);
  LbEngine *engine = lb_application_get_engine (app);
  g_autoptr(GList) windows = NULL;
  g_autoptr(LbAccountSettings) settings = NULL;
  LbAccount *account;
  GtkWindow *window;
  LbAccountWizard *wizard;
  gpointer weak;
  gint64 id;

  if (*ran)
    return;
  *ran = TRUE;
  window = lb_application_get_main_window (app);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));

  /* Sign in → account added → the first sync shows INBOX's mail. */
  sign_in_from_welcome (window);
  account = only_account (engine);
  id = lb_account_get_id (account);
  g_assert_cmpstr (lb_account_get_email (account), ==, ADDRESS);
  g_assert_cmpint (lb_account_get_auth (account), ==, LB_AUTH_OAUTH2);
  settings = lb_account_dup_settings (account);
  g_assert_cmpstr (settings->oauth2_provider, ==, "microsoft");
  WAIT_UNTIL (inbox_has_mail (engine));
  {
    g_autoptr(LbMessage) top = g_list_model_get_item (G_LIST_MODEL (lb_engine_get_unified_inbox (engine)), 0);
    g_assert_cmpstr (lb_message_get_subject (top), ==, "Signed in with Microsoft");
  }
  WAIT_UNTIL (mapped (window, "account-name"));
  g_assert_false (mapped (window, "account-sign-in-box"));

  /* The provider revokes the grant: the next login (the kept connections are cut) is
   * refused, the refresh too, and the sidebar says that the account needs signing in. */
  g_free (lb_test_oauth2_command (oauth2, "revoke"));
  g_free (lb_test_oauth2_command (oauth2, "expire"));
  lb_test_proxy_kill_all (proxy);
  lb_account_sync_async (account, 0, LB_JOB_PRIORITY_USER, NULL, NULL, NULL);
  WAIT_UNTIL (lb_account_get_needs_sign_in (account));
  WAIT_UNTIL (mapped (window, "account-sign-in-box"));
  /* The generic problem button would only repeat it. */
  g_assert_false (mapped (window, "account-error-button"));
  shoot (GTK_WIDGET (window), "sidebar-sign-in-required");

  /* Sign In Again: the browser opens at once; the same account, with its mail.  Asking
   * twice presents the same wizard: one sign-in, not two. */
  g_setenv ("LB_TEST_BROWSER_MODE", "none", TRUE);
  lb_ui_test_click (find (window, "account-sign-in-button"));
  wizard = LB_ACCOUNT_WIZARD (lb_ui_test_find_toplevel (LB_TYPE_ACCOUNT_WIZARD));
  g_assert_nonnull (wizard);
  g_assert_true (is_page (wizard, "oauth2-wait"));
  g_action_group_activate_action (G_ACTION_GROUP (application), "sign-in-again",
                                  g_variant_new_int64 (id));
  g_assert_true (LB_ACCOUNT_WIZARD (lb_ui_test_find_toplevel (LB_TYPE_ACCOUNT_WIZARD)) == wizard);
  /* The browser that did nothing is given up on; this one signs in. */
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.cancel", NULL);
  g_unsetenv ("LB_TEST_BROWSER_MODE");
  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  lb_ui_test_click (find (wizard, "wizard-oauth2-sign-in-button"));
  WAIT_UNTIL (weak == NULL);
  account = only_account (engine);
  g_assert_cmpint (lb_account_get_id (account), ==, id);
  g_assert_false (lb_account_get_needs_sign_in (account));
  g_assert_true (inbox_has_mail (engine));
  WAIT_UNTIL (!mapped (window, "account-sign-in-box") && mapped (window, "account-name"));

  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (GTK_WINDOW (l->data));
  g_application_quit (application);
}

static void
test_application (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-wizard-signin-app-XXXXXX", &error);
  LbApplication *app;
  gboolean ran = FALSE;

  g_assert_no_error (error);
  g_setenv ("LETTERBOX_DATA_DIR", profile, TRUE);
  app = lb_application_new ();
  g_signal_connect_after (app, "activate", G_CALLBACK (on_app_activate), &ran);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  g_assert_true (ran);
  g_object_unref (app);
  g_unsetenv ("LETTERBOX_DATA_DIR");
}

/* ---- issue 14's rough edges ------------------------------------------------------------ */

static void
test_offline (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-wizard-offline-XXXXXX", &error);
  g_autoptr(LbEngine) engine = NULL;
  g_autoptr(TestMonitor) monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  g_autofree char *dead_file = NULL;
  LbAccountWizard *wizard;
  GtkWidget *message;
  gpointer weak;

  g_assert_no_error (error);
  /* Servers on a port where nothing listens (a listener opened and closed again). */
  {
    g_autoptr(GSocketListener) listener = g_socket_listener_new ();
    guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
    g_autofree char *xml = NULL;

    g_assert_no_error (error);
    g_socket_listener_close (listener);
    xml = g_strdup_printf (
      "<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\"><emailProvider id=\"dead\">"
      "<domain>example.org</domain>"
      "<incomingServer type=\"imap\"><hostname>127.0.0.1</hostname><port>%u</port>"
      "<socketType>SSL</socketType><authentication>password-cleartext</authentication>"
      "<username>%%EMAILADDRESS%%</username></incomingServer>"
      "<outgoingServer type=\"smtp\"><hostname>127.0.0.1</hostname><port>%u</port>"
      "<socketType>SSL</socketType><authentication>password-cleartext</authentication>"
      "<username>%%EMAILADDRESS%%</username></outgoingServer>"
      "</emailProvider></clientConfig>\n", port, port);
    dead_file = g_build_filename (profile, "dead-config-v1.1.xml", NULL);
    g_assert_true (g_file_set_contents (dead_file, xml, -1, &error));
  }
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  wizard = lb_account_wizard_present (NULL, engine);
  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  lb_account_wizard_set_network_monitor (wizard, G_NETWORK_MONITOR (monitor));
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));

  /* Offline: it says so on step 1, looks nothing up, and blames no field. */
  monitor->available = FALSE;
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-email-row")), "bob@example.org");
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.next", NULL);
  g_assert_true (is_page (wizard, "identity"));
  message = find (wizard, "wizard-identity-error");
  g_assert_true (gtk_widget_get_visible (message));
  if (english ())
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (message)), "offline"));
  g_assert_false (gtk_widget_has_css_class (find (wizard, "wizard-email-row"), "error"));
  g_assert_false (gtk_widget_has_css_class (find (wizard, "wizard-imap-host-row"), "error"));

  /* Back online, the same click goes on (to servers where nothing listens). */
  monitor->available = TRUE;
  g_setenv (LB_TEST_DISCOVERY_FILE_ENV, dead_file, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.next", NULL);
  g_assert_false (is_page (wizard, "identity"));
  WAIT_UNTIL (is_page (wizard, "secret"));

  /* The network goes while signing in: the servers cannot be reached, and the wizard says
   * why instead of marking the server fields as wrong. */
  monitor->available = FALSE;
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-secret-row")), "secret");
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.sign-in", NULL);
  WAIT_UNTIL (!is_page (wizard, "busy"));
  g_assert_true (is_page (wizard, "secret"));
  message = find (wizard, "wizard-secret-error");
  g_assert_true (gtk_widget_get_visible (message));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (message)), ==,
                   T_("Your computer is offline. Connect to the internet, then try again."));
  g_assert_false (gtk_widget_has_css_class (find (wizard, "wizard-imap-host-row"), "error"));
  g_assert_false (gtk_widget_has_css_class (find (wizard, "wizard-smtp-host-row"), "error"));

  gtk_window_destroy (GTK_WINDOW (wizard));
  WAIT_UNTIL (weak == NULL);
  g_setenv (LB_TEST_DISCOVERY_FILE_ENV, discovery_file, TRUE);
  lb_engine_shutdown (engine);
}

static void
test_unknown_domain_in_view (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-wizard-unknown-XXXXXX", &error);
  g_autoptr(LbEngine) engine = NULL;
  LbAccountWizard *wizard;
  GtkWidget *label, *scrolled;
  graphene_rect_t bounds;
  gpointer weak;

  g_assert_no_error (error);
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  g_setenv (LB_TEST_DISCOVERY_FILE_ENV, "/nonexistent/config-v1.1.xml", TRUE);
  wizard = lb_account_wizard_present (NULL, engine);
  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  /* A short window: the first field takes the focus, which must not scroll the
   * explanation above it out of view. */
  gtk_window_set_default_size (GTK_WINDOW (wizard), 520, 360);
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  enter_address (wizard, "alice@unknown-domain.test", "advanced");
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));

  /* The explanation of what happened is in the viewport, not scrolled away above it. */
  label = find (wizard, "wizard-server-error");
  scrolled = gtk_widget_get_ancestor (label, GTK_TYPE_SCROLLED_WINDOW);
  g_assert_true (gtk_widget_get_mapped (label));
  g_assert_true (gtk_widget_compute_bounds (label, scrolled, &bounds));
  g_test_message ("explanation at y=%g..%g of %d", bounds.origin.y,
                  bounds.origin.y + bounds.size.height, gtk_widget_get_height (scrolled));
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (scrolled));

  gtk_window_destroy (GTK_WINDOW (wizard));
  WAIT_UNTIL (weak == NULL);
  g_setenv (LB_TEST_DISCOVERY_FILE_ENV, discovery_file, TRUE);
  lb_engine_shutdown (engine);
}

/* Adds the mnemonic keys of the mapped labels under WIDGET to SEEN; fails on a repeat. */
static void
collect_mnemonics (GtkWidget  *widget,
                   GHashTable *seen,
                   const char *page)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget) && gtk_label_get_use_underline (GTK_LABEL (widget)))
    {
      guint key = gtk_label_get_mnemonic_keyval (GTK_LABEL (widget));

      if (key != GDK_KEY_VoidSymbol)
        {
          const char *text = gtk_label_get_label (GTK_LABEL (widget));
          const char *other;

          key = gdk_keyval_to_lower (key);
          other = g_hash_table_lookup (seen, GUINT_TO_POINTER (key));
          if (other != NULL)
            g_error ("page %s: “%s” and “%s” share the mnemonic %s", page, other, text,
                     gdk_keyval_name (key));
          g_hash_table_insert (seen, GUINT_TO_POINTER (key), (gpointer) text);
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_mnemonics (child, seen, page);
}

/* Every page's mnemonics are unique, and every page but a busy one offers Cancel. */
static void
check_page (LbAccountWizard *wizard)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  const char *page = lb_account_wizard_get_page (wizard);

  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  collect_mnemonics (GTK_WIDGET (wizard), seen, page);
  g_test_message ("page %s: %u mnemonics", page, g_hash_table_size (seen));
  if (g_strcmp0 (page, "busy") != 0 && g_strcmp0 (page, "oauth2-wait") != 0)
    g_assert_true (gtk_widget_get_mapped (find (wizard, "wizard-cancel-button")));
  else
    g_assert_true (mapped (GTK_WINDOW (wizard), "wizard-busy-cancel-button")
                   || mapped (GTK_WINDOW (wizard), "wizard-oauth2-cancel-button"));
}

static void
test_mnemonics_and_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-wizard-keys-XXXXXX", &error);
  g_autoptr(LbEngine) engine = NULL;
  LbAccountWizard *wizard;
  gpointer weak;

  g_assert_no_error (error);
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  wizard = lb_account_wizard_present (NULL, engine);
  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  check_page (wizard);

  /* Gmail: the browser sign-in with the app password beside it, then the app password's
   * page and the server settings. */
  enter_address (wizard, "alice@gmail.com", "oauth2");
  check_page (wizard);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.use-password", NULL);
  g_assert_true (is_page (wizard, "secret"));
  check_page (wizard);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.advanced", NULL);
  check_page (wizard);

  /* Outlook.com, and the page that waits for the browser. */
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.back", NULL);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.back", NULL);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.back", NULL);
  g_assert_true (is_page (wizard, "identity"));
  enter_address (wizard, ADDRESS, "oauth2");
  check_page (wizard);
  g_setenv ("LB_TEST_BROWSER_MODE", "none", TRUE);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.oauth2-sign-in", NULL);
  g_assert_true (is_page (wizard, "oauth2-wait"));
  check_page (wizard);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.cancel", NULL);
  g_unsetenv ("LB_TEST_BROWSER_MODE");

  /* Cancel in the header bar closes the wizard from any page. */
  g_assert_true (is_page (wizard, "oauth2"));
  lb_ui_test_click (find (wizard, "wizard-cancel-button"));
  WAIT_UNTIL (weak == NULL);
  lb_engine_shutdown (engine);
}

static void
on_text_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static void
test_help_address_copyable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-wizard-help-XXXXXX", &error);
  g_autofree char *copied = NULL;
  g_autoptr(LbEngine) engine = NULL;
  LbAccountWizard *wizard;
  GtkWidget *box;
  gpointer weak;

  g_assert_no_error (error);
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  wizard = lb_account_wizard_present (NULL, engine);
  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  enter_address (wizard, "alice@gmail.com", "oauth2");
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.use-password", NULL);

  /* No browser can open anything here (no portal, no handler in the private XDG dirs):
   * the address is shown, and Copy puts it on the clipboard. */
  box = find (wizard, "wizard-help-uri-box");
  g_assert_false (gtk_widget_get_visible (box));
  lb_ui_test_click (find (wizard, "wizard-help-button"));
  WAIT_UNTIL (gtk_widget_get_visible (box));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (wizard, "wizard-help-uri"))), ==,
                   "https://support.google.com/accounts/answer/185833");
  lb_ui_test_click (find (wizard, "wizard-help-copy-button"));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (wizard)), NULL,
                                 on_text_read, &copied);
  WAIT_UNTIL (copied != NULL);
  g_assert_cmpstr (copied, ==, "https://support.google.com/accounts/answer/185833");

  gtk_window_destroy (GTK_WINDOW (wizard));
  WAIT_UNTIL (weak == NULL);
  lb_engine_shutdown (engine);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *users[] = { ADDRESS ":unused", NULL };
  LbTestServersOptions options = { 0 };
  int status;

  lb_ui_test_setup_environment ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  oauth2 = lb_test_oauth2_start (3600, &error);
  g_assert_no_error (error);
  options.users = users;
  options.oauth2_introspect = oauth2->introspect_url;
  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  proxy = lb_test_proxy_new (servers->imaps_port, &error);
  g_assert_no_error (error);
  deliver_one ();
  write_discovery_file ();
  g_setenv (LB_TEST_DISCOVERY_FILE_ENV, discovery_file, TRUE);
  g_setenv (LB_TEST_CA_FILE_ENV, servers->ca_file, TRUE);
  g_setenv ("LETTERBOX_BROWSER", oauth2->browser, TRUE);

  g_test_add_func ("/wizard/signin/clean-secret", test_clean_secret);
  g_test_add_func ("/wizard/signin/mnemonics-and-cancel", test_mnemonics_and_cancel);
  g_test_add_func ("/wizard/signin/offline", test_offline);
  g_test_add_func ("/wizard/signin/unknown-domain-in-view", test_unknown_domain_in_view);
  g_test_add_func ("/wizard/signin/help-address-copyable", test_help_address_copyable);
  g_test_add_func ("/wizard/signin/no-client-id", test_no_client_id);
  g_test_add_func ("/wizard/signin/cancel-stops-listener", test_cancel_stops_listener);
  g_test_add_func ("/wizard/signin/application", test_application);
  g_test_add_func ("/wizard/signin/own-client-id", test_own_client_id);
  status = g_test_run ();

  lb_test_proxy_free (proxy);
  lb_test_servers_stop (servers);
  lb_test_oauth2_stop (oauth2);
  return status;
}
