/* test-goa-ui.c: the wizard's "Use an Account from Online Accounts" and its chooser,
 * driven as a user would, against a mock Online Accounts (fixtures/goa_mock.py) whose
 * tokens the oauth2-passdb Dovecot accepts
 *
 * Runs under run-headless --x11 (its own session bus, keyring and Xvfb).  With
 * --screenshots DIR it does not run tests but saves the wizard's first page, the chooser
 * and the chooser after NOT_AUTHORIZED (LANGUAGE=zh_CN.UTF-8 for the Chinese set).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "lb-account-wizard.h"
#include "lb-application.h"
#include "lb-engine-goa.h"
#include "lb-engine.h"
#include "lb-goa-chooser.h"
#include "lb-message-list.h"
#include "lb-test-fixture.h"
#include "lb-test-goa.h"
#include "lb-test-oauth2.h"
#include "lb-ui-test-util.h"

#define ADDRESS "alice@example.com"
#define GOA_ID  "account_1700000000_0"

static LbTestOAuth2 *oauth2;
static LbTestServers *servers;
static LbTestGoa *goa;

#define WAIT_UNTIL(condition)                                                   \
  G_STMT_START {                                                                \
    gint64 _deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;           \
    while (!(condition))                                                        \
      {                                                                         \
        if (g_get_monotonic_time () > _deadline)                                \
          g_error ("timed out waiting for %s", #condition);                     \
        g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);      \
      }                                                                         \
  } G_STMT_END

static GtkWidget *
find (gpointer    root,
      const char *name)
{
  GtkWidget *widget = lb_ui_test_find_widget (GTK_WIDGET (root), name);

  if (widget == NULL)
    g_error ("no widget named %s", name);
  return widget;
}

static GVariant *
account_props (const char *email,
               const char *provider,
               const char *provider_name,
               const char *name,
               const char *token)
{
  g_autoptr(GVariantDict) d = g_variant_dict_new (NULL);
  g_autofree char *imap = g_strdup_printf ("127.0.0.1:%u", servers->imaps_port);
  g_autofree char *smtp = g_strdup_printf ("127.0.0.1:%u", servers->smtps_port);

  g_variant_dict_insert (d, "email", "s", email);
  g_variant_dict_insert (d, "name", "s", name);
  g_variant_dict_insert (d, "provider_type", "s", provider);
  g_variant_dict_insert (d, "provider_name", "s", provider_name);
  g_variant_dict_insert (d, "imap_host", "s", imap);
  g_variant_dict_insert (d, "smtp_host", "s", smtp);
  g_variant_dict_insert (d, "token", "s", token);
  return g_variant_dict_end (d);
}

/* A fresh engine on a profile of its own. */
static LbEngine *
new_engine (char **profile)
{
  g_autoptr(GError) error = NULL;
  LbEngine *engine;

  *profile = g_dir_make_tmp ("lb-goa-ui-XXXXXX", &error);
  g_assert_no_error (error);
  engine = lb_engine_new (*profile, &error);
  g_assert_no_error (error);
  lb_engine_start (engine);
  return engine;
}

/* The wizard, once Online Accounts answered and its button shows. */
static LbAccountWizard *
open_wizard (LbEngine *engine,
             gpointer *weak)
{
  LbAccountWizard *wizard = lb_account_wizard_present (NULL, engine);

  *weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), weak);
  WAIT_UNTIL (gtk_widget_get_visible (find (wizard, "wizard-goa-button")));
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  return wizard;
}

static LbGoaChooser *
open_chooser (LbAccountWizard *wizard)
{
  GtkWindow *chooser;

  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.use-goa", NULL);
  chooser = lb_ui_test_find_toplevel (LB_TYPE_GOA_CHOOSER);
  g_assert_nonnull (chooser);
  g_assert_true (gtk_window_get_transient_for (chooser) == GTK_WINDOW (wizard));
  lb_ui_test_wait_for_frame (GTK_WIDGET (chooser));
  return LB_GOA_CHOOSER (chooser);
}

static void
activate_row (LbGoaChooser *chooser,
              const char   *goa_id)
{
  g_autofree char *name = g_strdup_printf ("goa-chooser-row-%s", goa_id);
  GtkWidget *row = find (chooser, name);

  g_signal_emit_by_name (find (chooser, "goa-chooser-list"), "row-activated", row);
}

static void
test_add_from_goa (void)
{
  g_autofree char *profile = NULL;
  g_autoptr(LbEngine) engine = new_engine (&profile);
  g_autoptr(LbAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;
  static const char text[] = "From: bob@example.com\r\nTo: alice@example.com\r\n"
                             "Subject: Welcome from Online Accounts\r\n\r\nhello\r\n";
  LbAccountWizard *wizard;
  LbGoaChooser *chooser;
  gpointer weak = NULL;
  LbMessageList *unified;

  message = g_bytes_new_static (text, strlen (text));
  g_assert_true (lb_test_servers_deliver (servers, ADDRESS, "INBOX", message, "", &error));
  g_assert_no_error (error);

  wizard = open_wizard (engine, &weak);
  chooser = open_chooser (wizard);
  /* Only what Letterbox can use: not Microsoft's Graph-only account. */
  g_assert_nonnull (lb_ui_test_find_widget (GTK_WIDGET (chooser), "goa-chooser-row-" GOA_ID));
  g_assert_null (lb_ui_test_find_widget (GTK_WIDGET (chooser), "goa-chooser-row-account_graph"));

  /* One click adds it, IMAP and SMTP, and the wizard closes. */
  activate_row (chooser, GOA_ID);
  WAIT_UNTIL (weak == NULL);
  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_accounts (engine)), ==, 1);
  account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);
  g_assert_cmpstr (lb_account_get_email (account), ==, ADDRESS);
  g_assert_cmpint (lb_account_get_auth (account), ==, LB_AUTH_GOA);
  g_assert_cmpstr (lb_account_get_display_name (account), ==, "Alice Liddell");
  {
    g_autoptr(LbAccountSettings) s = lb_account_dup_settings (account);
    g_assert_nonnull (s->smtp);
    g_assert_cmpstr (s->goa_id, ==, GOA_ID);
  }

  /* The first sync started on its own. */
  unified = lb_engine_get_unified_inbox (engine);
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (unified)) >= 1);
  lb_engine_shutdown (engine);
}

/* Settings, as seen on the bus: org.gnome.Settings's ActivateAction, recorded. */
static const char settings_xml[] =
  "<node><interface name='org.freedesktop.Application'>"
  "<method name='ActivateAction'><arg type='s' direction='in'/><arg type='av' direction='in'/>"
  "<arg type='a{sv}' direction='in'/></method></interface></node>";

static void
on_settings_call (GDBusConnection       *bus,
                  const char            *sender,
                  const char            *path,
                  const char            *interface,
                  const char            *method,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  char **seen = user_data;

  g_free (*seen);
  *seen = g_variant_print (parameters, FALSE);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

typedef struct {
  guint  object_id;
  guint  name_id;
  char  *seen;     /* the parameters of the last ActivateAction, printed */
} FakeSettings;

static void
fake_settings_start (FakeSettings *settings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (settings_xml, &error);
  GDBusInterfaceVTable vtable = { on_settings_call, NULL, NULL };

  g_assert_no_error (error);
  settings->object_id = g_dbus_connection_register_object (goa->bus, "/org/gnome/Settings",
                                                           node->interfaces[0], &vtable,
                                                           &settings->seen, NULL, &error);
  g_assert_no_error (error);
  settings->name_id = g_bus_own_name_on_connection (goa->bus, "org.gnome.Settings",
                                                    G_BUS_NAME_OWNER_FLAGS_NONE,
                                                    NULL, NULL, NULL, NULL);
}

static void
fake_settings_stop (FakeSettings *settings)
{
  g_bus_unown_name (settings->name_id);
  g_dbus_connection_unregister_object (goa->bus, settings->object_id);
  g_clear_pointer (&settings->seen, g_free);
}

static void
test_not_authorized (void)
{
  g_autofree char *profile = NULL;
  g_autoptr(LbEngine) engine = new_engine (&profile);
  FakeSettings settings = { 0 };
  LbAccountWizard *wizard;
  LbGoaChooser *chooser;
  GtkWidget *error_label;
  gpointer weak = NULL;
  gpointer weak_chooser = NULL;

  fake_settings_start (&settings);

  wizard = open_wizard (engine, &weak);
  chooser = open_chooser (wizard);
  weak_chooser = chooser;
  g_object_add_weak_pointer (G_OBJECT (chooser), &weak_chooser);
  lb_test_goa_set_not_authorized (goa, GOA_ID, TRUE);
  activate_row (chooser, GOA_ID);
  error_label = find (chooser, "goa-chooser-error");
  WAIT_UNTIL (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)),
                            "Online Accounts needs you to sign in"));
  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_accounts (engine)), ==, 0);
  g_assert_nonnull (weak);

  /* The fix is Settings': its Online Accounts panel opens. */
  g_assert_true (gtk_widget_get_visible (find (chooser, "goa-chooser-settings-button")));
  gtk_widget_activate_action (GTK_WIDGET (chooser), "goa-chooser.open-settings", NULL);
  WAIT_UNTIL (settings.seen != NULL);
  g_assert_nonnull (strstr (settings.seen, "'launch-panel'"));
  g_assert_nonnull (strstr (settings.seen, "'online-accounts'"));

  lb_test_goa_set_not_authorized (goa, GOA_ID, FALSE);
  gtk_window_destroy (GTK_WINDOW (chooser));
  WAIT_UNTIL (weak_chooser == NULL);
  gtk_window_destroy (GTK_WINDOW (wizard));
  WAIT_UNTIL (weak == NULL);
  fake_settings_stop (&settings);
  lb_engine_shutdown (engine);
}

/* ---- The sidebar's Sign In Again, for an account Online Accounts refuses ------------- */

static gboolean
needs_sign_in (LbEngine *engine)
{
  g_autoptr(LbAccount) account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);

  return account != NULL && lb_account_get_needs_sign_in (account);
}

static void
sign_in_again_body (GApplication *application)
{
  LbEngine *engine = lb_application_get_engine (LB_APPLICATION (application));
  FakeSettings settings = { 0 };
  gint64 id;

  fake_settings_start (&settings);
  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_accounts (engine)), ==, 1);
  {
    g_autoptr(LbAccount) account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);
    id = lb_account_get_id (account);
    g_assert_cmpint (lb_account_get_auth (account), ==, LB_AUTH_GOA);
  }
  /* The app's first sync asked Online Accounts, which refuses. */
  WAIT_UNTIL (needs_sign_in (engine));

  /* Still refused: Sign In Again opens Settings' panel, where the fix is. */
  g_action_group_activate_action (G_ACTION_GROUP (application), "sign-in-again",
                                  g_variant_new_int64 (id));
  WAIT_UNTIL (settings.seen != NULL);
  g_assert_nonnull (strstr (settings.seen, "'online-accounts'"));
  g_assert_true (needs_sign_in (engine));

  /* Fixed there: Sign In Again ends the state, and the account keeps its id. */
  lb_test_goa_set_not_authorized (goa, GOA_ID, FALSE);
  g_clear_pointer (&settings.seen, g_free);
  g_action_group_activate_action (G_ACTION_GROUP (application), "sign-in-again",
                                  g_variant_new_int64 (id));
  WAIT_UNTIL (!needs_sign_in (engine));
  g_assert_nonnull (lb_engine_get_account (engine, id));
  g_assert_null (settings.seen);
  fake_settings_stop (&settings);
}

static void
on_added_for_app (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) account = lb_engine_add_goa_account_finish (LB_ENGINE (source), result,
                                                                   &error);

  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
test_sign_in_again (void)
{
  g_autofree char *profile = NULL;
  gboolean added = FALSE;

  /* A profile with the account, made before the application starts. */
  {
    g_autoptr(LbEngine) engine = new_engine (&profile);

    lb_engine_add_goa_account_async (engine, GOA_ID, servers->ca_file, NULL, on_added_for_app,
                                     &added);
    WAIT_UNTIL (added);
    lb_engine_shutdown (engine);
  }
  lb_test_goa_set_not_authorized (goa, GOA_ID, TRUE);
  g_setenv ("LETTERBOX_DATA_DIR", profile, TRUE);
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), sign_in_again_body);
  g_unsetenv ("LETTERBOX_DATA_DIR");
  lb_test_goa_set_not_authorized (goa, GOA_ID, FALSE);
}

static int
take_screenshots (const char *dir)
{
  g_autofree char *profile = NULL;
  g_autoptr(LbEngine) engine = new_engine (&profile);
  LbAccountWizard *wizard;
  LbGoaChooser *chooser;
  gpointer weak = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  /* A second account, as a user with work and personal mail would have. */
  lb_test_goa_add_account (goa, "account_1700000001_0",
                           account_props ("liddell.alice@gmail.com", "google", "Google",
                                          "Alice Liddell", "unused"));
  wizard = open_wizard (engine, &weak);
  lb_ui_test_save_screenshot (GTK_WIDGET (wizard), dir, "goa-wizard.png");
  chooser = open_chooser (wizard);
  lb_ui_test_save_screenshot (GTK_WIDGET (chooser), dir, "goa-chooser.png");
  lb_test_goa_set_not_authorized (goa, GOA_ID, TRUE);
  activate_row (chooser, GOA_ID);
  WAIT_UNTIL (gtk_widget_get_visible (find (chooser, "goa-chooser-error")));
  lb_ui_test_wait_for_frame (GTK_WIDGET (chooser));
  lb_ui_test_save_screenshot (GTK_WIDGET (chooser), dir, "goa-chooser-not-authorized.png");
  lb_engine_shutdown (engine);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  LbTestServersOptions options = { 0 };
  int status;

  lb_ui_test_setup_environment ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();

  oauth2 = lb_test_oauth2_start (3600, &error);
  g_assert_no_error (error);
  options.oauth2_introspect = oauth2->introspect_url;
  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  goa = lb_test_goa_start (&error);
  g_assert_no_error (error);
  g_setenv (LB_TEST_CA_FILE_ENV, servers->ca_file, TRUE);
  answer = lb_test_oauth2_command (oauth2, "mint " ADDRESS);
  g_assert_true (g_str_has_prefix (answer, "ok "));
  lb_test_goa_add_account (goa, GOA_ID, account_props (ADDRESS, "google", "Google",
                                                       "Alice Liddell", answer + 3));
  lb_test_goa_add_account (goa, "account_graph",
                           account_props ("bob@outlook.com", "ms_graph", "Microsoft", "Bob",
                                          "t"));

  if (argc > 2 && g_str_equal (argv[1], "--screenshots"))
    status = take_screenshots (argv[2]);
  else
    {
      g_test_add_func ("/goa/ui/add", test_add_from_goa);
      g_test_add_func ("/goa/ui/not-authorized", test_not_authorized);
      g_test_add_func ("/goa/ui/sign-in-again", test_sign_in_again);
      status = g_test_run ();
    }

  lb_test_goa_stop (goa);
  lb_test_servers_stop (servers);
  lb_test_oauth2_stop (oauth2);
  return status;
}
