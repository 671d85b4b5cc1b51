/* test-wizard-ui.c: the account wizard driven as a user would, against the real fixtures
 *
 * Runs under run-headless --x11: private HOME and XDG directories, D-Bus, an unlocked
 * keyring and Xvfb.  The servers are a private Dovecot and SMTP server; the wizard finds
 * them through LETTERBOX_TEST_DISCOVERY_FILE (an autoconfig XML file this test writes)
 * and trusts their certificate through LETTERBOX_TEST_CA_FILE.
 *
 * With --screenshots DIR it does not run tests but saves a PNG of each step (see
 * take_screenshots); LANGUAGE=zh_CN.UTF-8 gives the Chinese set, with QQ as the provider.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "lb-account-editor.h"
#include "lb-account-wizard.h"
#include "lb-application.h"
#include "lb-preferences-window.h"
#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-test-fixture.h"
#include "lb-ui-test-util.h"

/* Distinctive, so that finding it in a file cannot be a coincidence. */
#define GOOD_CODE  "Wz7q-kP3m-Xr9v-Lb42"
#define WRONG_CODE "not-the-code-8812"
#define ADDRESS    "alice@example.com"

static LbTestServers *servers;
static char *discovery_file;

static GtkWidget *
find (gpointer    root,
      const char *name)
{
  GtkWidget *widget = lb_ui_test_find_widget (GTK_WIDGET (root), name);

  if (widget == NULL)
    g_error ("no widget named %s", name);
  return widget;
}

/* Iterates the main loop until CONDITION holds; a hang ends the test with a message
 * rather than the test runner's time-out. */
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

/* Presses Enter in an entry row: the focused text widget emits "activate", as GtkText's
 * key binding for Return does. */
static void
press_enter (GtkWidget *row)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (row));

  g_assert_nonnull (focus);
  g_assert_true (focus == row || gtk_widget_is_ancestor (focus, row));
  g_assert_true (GTK_IS_TEXT (focus));
  g_signal_emit_by_name (focus, "activate");
}

static void
on_clicked (GtkButton *button,
            gboolean  *clicked)
{
  *clicked = TRUE;
  /* Here, since the button may be gone when the click has run (a dialog that closes). */
  g_signal_handlers_disconnect_by_func (button, on_clicked, clicked);
}

/* Activates a button as Space or Enter on it does, and waits for its "clicked", which
 * GTK emits a moment later (the pressed look is shown first). */
static void
click (GtkWidget *button)
{
  gboolean clicked = FALSE;

  g_signal_connect (button, "clicked", G_CALLBACK (on_clicked), &clicked);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_activate (button));
  WAIT_UNTIL (clicked);
}

static gboolean
has_focus_within (GtkWidget *row)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (row));

  return focus != NULL && (focus == row || gtk_widget_is_ancestor (focus, row));
}

/* Types TEXT into ROW, which must have the keyboard focus. */
static void
type_into (GtkWidget  *row,
           const char *text)
{
  g_assert_true (has_focus_within (row));
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static const char *
text_of (gpointer root,
         const char *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (find (root, name)));
}

static void
write_discovery_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-wizard-XXXXXX", &error);

  g_assert_no_error (error);
  xml = g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<clientConfig version=\"1.1\">\n"
    "  <emailProvider id=\"example.com\">\n"
    "    <domain>example.com</domain>\n"
    "    <displayName>Example Mail</displayName>\n"
    "    <incomingServer type=\"imap\">\n"
    "      <hostname>127.0.0.1</hostname>\n"
    "      <port>%u</port>\n"
    "      <socketType>SSL</socketType>\n"
    "      <authentication>password-cleartext</authentication>\n"
    "      <username>%%EMAILADDRESS%%</username>\n"
    "    </incomingServer>\n"
    "    <outgoingServer type=\"smtp\">\n"
    "      <hostname>127.0.0.1</hostname>\n"
    "      <port>%u</port>\n"
    "      <socketType>SSL</socketType>\n"
    "      <authentication>password-cleartext</authentication>\n"
    "      <username>%%EMAILADDRESS%%</username>\n"
    "    </outgoingServer>\n"
    "  </emailProvider>\n"
    "</clientConfig>\n",
    servers->imaps_port, servers->smtps_port);
  discovery_file = g_build_filename (dir, "config-v1.1.xml", NULL);
  g_file_set_contents (discovery_file, xml, -1, &error);
  g_assert_no_error (error);
}

static void
deliver_one (void)
{
  g_autoptr(GBytes) msg = NULL;
  g_autoptr(GError) error = NULL;
  static const char text[] =
    "From: Bob <bob@example.com>\r\nTo: alice@example.com\r\n"
    "Subject: Welcome to the wizard\r\nMessage-ID: <wizard-1@example.com>\r\n"
    "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\nHello\r\n";

  msg = g_bytes_new_static (text, strlen (text));
  lb_test_servers_deliver (servers, ADDRESS, "INBOX", msg, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
buffer_contains (const char *data,
                 gsize       length,
                 const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; n <= length && i <= length - n; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* Every regular file under DIR that contains NEEDLE is added to FOUND. */
static void
grep_tree (const char *dir,
           const char *needle,
           GPtrArray  *found,
           guint      *n_files)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          grep_tree (path, needle, found, n_files);
          continue;
        }
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      if (!g_file_get_contents (path, &contents, &length, NULL))
        continue;
      (*n_files)++;
      if (buffer_contains (contents, length, needle))
        g_ptr_array_add (found, g_steal_pointer (&path));
    }
}

static void
test_add_account (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbEngine) engine = NULL;
  LbMessageList *unified;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LbAccount) account = NULL;
  LbAccountWizard *wizard;
  gpointer weak;
  GtkWidget *name_row, *email_row, *secret_row, *error_label;
  const char *roots[6];
  guint n_files = 0;

  deliver_one ();

  /* The app's own profile (XDG_DATA_HOME of the private root), as the app would use it. */
  engine = lb_engine_new (NULL, &error);
  g_assert_no_error (error);
  lb_engine_start (engine);
  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_accounts (engine)), ==, 0);

  wizard = lb_account_wizard_present (NULL, engine);
  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  g_assert_cmpstr (lb_account_wizard_get_page (wizard), ==, "identity");

  /* Step 1: the name field has the focus; Enter moves to the address, Enter again goes on. */
  name_row = find (wizard, "wizard-name-row");
  email_row = find (wizard, "wizard-email-row");
  type_into (name_row, "Alice Liddell");
  press_enter (name_row);
  WAIT_UNTIL (has_focus_within (email_row));
  type_into (email_row, ADDRESS);
  press_enter (email_row);

  /* Step 2: discovery found the servers; the password field has the focus. */
  WAIT_UNTIL (g_strcmp0 (lb_account_wizard_get_page (wizard), "secret") == 0);
  secret_row = find (wizard, "wizard-secret-row");
  g_assert_true (has_focus_within (secret_row));
  g_assert_cmpstr (text_of (wizard, "wizard-imap-host-row"), ==, "127.0.0.1");
  g_assert_cmpstr (text_of (wizard, "wizard-imap-user-row"), ==, ADDRESS);

  /* Stop while signing in goes back with everything as typed; the late answer of the
   * cancelled check changes nothing. */
  type_into (secret_row, WRONG_CODE);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.sign-in", NULL);
  g_assert_cmpstr (lb_account_wizard_get_page (wizard), ==, "busy");
  g_assert_true (gtk_widget_get_visible (find (wizard, "wizard-busy-cancel-button")));
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.cancel", NULL);
  g_assert_cmpstr (lb_account_wizard_get_page (wizard), ==, "secret");
  g_assert_cmpstr (text_of (wizard, "wizard-secret-row"), ==, WRONG_CODE);
  {
    gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);
  }
  g_assert_cmpstr (lb_account_wizard_get_page (wizard), ==, "secret");
  g_assert_false (gtk_widget_get_visible (find (wizard, "wizard-secret-error")));

  /* A wrong code: the mapped message next to the password, and nothing typed is lost. */
  gtk_widget_grab_focus (secret_row);
  click (find (wizard, "wizard-sign-in-button"));
  g_assert_cmpstr (lb_account_wizard_get_page (wizard), ==, "busy");
  WAIT_UNTIL (g_strcmp0 (lb_account_wizard_get_page (wizard), "busy") != 0);
  g_assert_cmpstr (lb_account_wizard_get_page (wizard), ==, "secret");
  error_label = find (wizard, "wizard-secret-error");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_test_message ("wrong code: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "refused the sign-in"));
  g_assert_true (has_focus_within (secret_row));
  g_assert_cmpstr (text_of (wizard, "wizard-name-row"), ==, "Alice Liddell");
  g_assert_cmpstr (text_of (wizard, "wizard-email-row"), ==, ADDRESS);
  g_assert_cmpstr (text_of (wizard, "wizard-secret-row"), ==, WRONG_CODE);
  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_accounts (engine)), ==, 0);

  /* The right code, and Enter in the field signs in; the wizard closes when it is added. */
  type_into (secret_row, GOOD_CODE);
  g_assert_false (gtk_widget_get_visible (error_label) &&
                  gtk_widget_has_css_class (secret_row, "error"));
  press_enter (secret_row);
  WAIT_UNTIL (weak == NULL);

  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_accounts (engine)), ==, 1);
  account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);
  g_assert_cmpstr (lb_account_get_email (account), ==, ADDRESS);
  g_assert_cmpstr (lb_account_get_display_name (account), ==, "Alice Liddell");

  /* The engine syncs INBOX on its own: All Inboxes fills. */
  unified = lb_engine_get_unified_inbox (engine);
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (unified)) >= 1);
  {
    g_autoptr(LbMessage) top = g_list_model_get_item (G_LIST_MODEL (unified), 0);
    g_assert_cmpstr (lb_message_get_subject (top), ==, "Welcome to the wizard");
  }

  /* The code went to the keyring, and to no file of the profile. */
  lb_engine_flush_pending (engine);
  lb_engine_wait_idle (engine);
  roots[0] = g_getenv ("LB_TEST_PROFILE_ROOT");
  roots[1] = g_get_home_dir ();
  roots[2] = g_get_user_data_dir ();
  roots[3] = g_get_user_config_dir ();
  roots[4] = g_get_user_cache_dir ();
  roots[5] = g_getenv ("XDG_STATE_HOME");
  g_assert_nonnull (roots[0]);
  for (guint i = 0; i < G_N_ELEMENTS (roots); i++)
    if (roots[i] != NULL)
      grep_tree (roots[i], GOOD_CODE, found, &n_files);
  g_test_message ("searched %u files", n_files);
  g_assert_cmpuint (n_files, >, 0);
  for (guint i = 0; i < found->len; i++)
    g_test_message ("the code is in %s", (char *) found->pdata[i]);
  g_assert_cmpuint (found->len, ==, 0);

  /* The search itself works: a file with the code in it is found. */
  {
    g_autofree char *control = g_build_filename (g_get_user_cache_dir (), "control", NULL);

    g_file_set_contents (control, "x" GOOD_CODE "x", -1, &error);
    g_assert_no_error (error);
    grep_tree (g_get_user_cache_dir (), GOOD_CODE, found, &n_files);
    g_assert_cmpuint (found->len, ==, 1);
    g_assert_cmpstr (found->pdata[0], ==, control);
    g_unlink (control);
  }

  lb_engine_shutdown (engine);
}

static void
test_escape_and_bad_address (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) dir = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-wizard-profile-XXXXXX", &error);
  g_autoptr(LbEngine) engine = NULL;
  LbAccountWizard *wizard;
  gpointer weak;
  GtkWidget *email_row;

  g_assert_no_error (error);
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);

  wizard = lb_account_wizard_present (NULL, engine);
  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));

  /* An address without a domain stays on step 1 with a message and the focus on it. */
  email_row = find (wizard, "wizard-email-row");
  gtk_widget_grab_focus (email_row);
  type_into (email_row, "alice");
  press_enter (email_row);
  g_assert_cmpstr (lb_account_wizard_get_page (wizard), ==, "identity");
  g_assert_true (gtk_widget_get_visible (find (wizard, "wizard-identity-error")));
  g_assert_true (has_focus_within (email_row));

  /* Escape closes the wizard. */
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.cancel", NULL);
  WAIT_UNTIL (weak == NULL);
  lb_engine_shutdown (engine);
}

/* ---- the whole application: welcome page → wizard → Preferences > Accounts ----------- */

/* The button labelled LABEL under ROOT (message dialogs do not name their buttons). */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  GtkWidget *button;

  lb_ui_test_wait_for_frame (root);
  button = lb_ui_test_find_button (root, label);
  if (button == NULL)
    g_error ("no button labelled %s", label);
  return button;
}

static void
drive_wizard_to_success (LbAccountWizard *wizard)
{
  GtkWidget *name_row = find (wizard, "wizard-name-row");
  GtkWidget *email_row = find (wizard, "wizard-email-row");
  GtkWidget *secret_row;

  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  WAIT_UNTIL (has_focus_within (name_row));
  type_into (name_row, "Alice");
  press_enter (name_row);
  WAIT_UNTIL (has_focus_within (email_row));
  type_into (email_row, ADDRESS);
  press_enter (email_row);
  WAIT_UNTIL (g_strcmp0 (lb_account_wizard_get_page (wizard), "secret") == 0);
  secret_row = find (wizard, "wizard-secret-row");
  type_into (secret_row, GOOD_CODE);
  press_enter (secret_row);
}

static void
on_app_activate (GApplication *application,
                 gboolean     *ran)
{
  LbApplication *app = LB_APPLICATION (application);
  LbEngine *engine = lb_application_get_engine (app);
  GtkWindow *window;
  GtkWindow *preferences;
  LbAccountWizard *wizard;
  LbAccountEditor *editor;
  GtkWindow *dialog;
  GtkWidget *row;
  gpointer weak;
  gint64 id_before = 0;
  g_autoptr(GList) windows = NULL;

  if (*ran)
    return;
  *ran = TRUE;

  g_assert_nonnull (engine);
  window = lb_application_get_main_window (app);
  g_assert_nonnull (window);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));

  /* First run: the welcome page's "Add an Account" opens the wizard, modal to the window. */
  click (find (window, "add-account-button"));
  wizard = LB_ACCOUNT_WIZARD (lb_ui_test_find_toplevel (LB_TYPE_ACCOUNT_WIZARD));
  g_assert_nonnull (wizard);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (wizard)) == window);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (wizard)));
  /* Asking again presents the same wizard. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "add-account", NULL);
  g_assert_true (LB_ACCOUNT_WIZARD (lb_ui_test_find_toplevel (LB_TYPE_ACCOUNT_WIZARD)) == wizard);

  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  drive_wizard_to_success (wizard);
  WAIT_UNTIL (weak == NULL);
  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_accounts (engine)), ==, 1);

  /* Preferences > Accounts lists it, with Edit and Remove. */
  lb_application_show_preferences (app, "accounts");
  preferences = lb_ui_test_find_toplevel (LB_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  lb_ui_test_wait_for_frame (GTK_WIDGET (preferences));
  row = find (preferences, "preferences-account-row");
  g_assert_true (gtk_widget_get_mapped (row));
  g_test_message ("row: %s / %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                  adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ADDRESS));
  /* For reviewing the page: LB_TEST_SCREENSHOT_DIR=DIR saves it there. */
  if (g_getenv ("LB_TEST_SCREENSHOT_DIR") != NULL)
    {
      g_autofree char *path = g_build_filename (g_getenv ("LB_TEST_SCREENSHOT_DIR"),
                                                "preferences-accounts.png", NULL);
      g_autoptr(GError) shot_error = NULL;

      lb_ui_test_wait_for_frame (GTK_WIDGET (preferences));
      g_assert_true (lb_ui_test_save_png (GTK_WIDGET (preferences), path, &shot_error));
    }

  /* Edit opens the account editor on that account's settings, with no error. */
  click (find (row, "preferences-edit-account-button"));
  editor = LB_ACCOUNT_EDITOR (lb_ui_test_find_toplevel (LB_TYPE_ACCOUNT_EDITOR));
  g_assert_nonnull (editor);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (editor)) == preferences);
  lb_ui_test_wait_for_frame (GTK_WIDGET (editor));
  g_assert_cmpstr (text_of (editor, "editor-imap-host-row"), ==, "127.0.0.1");
  g_assert_false (gtk_widget_get_visible (find (editor, "editor-error")));
  weak = editor;
  g_object_add_weak_pointer (G_OBJECT (editor), &weak);
  gtk_window_close (GTK_WINDOW (editor));
  WAIT_UNTIL (weak == NULL);

  /* Saving an edit (here: the secret, given again) checks it and keeps one account, the
   * same one: its id, and so its folders and cached mail, stay. */
  {
    g_autoptr(LbAccount) before = g_list_model_get_item (lb_engine_get_accounts (engine), 0);
    id_before = lb_account_get_id (before);
  }
  click (find (row, "preferences-edit-account-button"));
  editor = LB_ACCOUNT_EDITOR (lb_ui_test_find_toplevel (LB_TYPE_ACCOUNT_EDITOR));
  lb_ui_test_wait_for_frame (GTK_WIDGET (editor));
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.change-password", NULL);
  gtk_editable_set_text (GTK_EDITABLE (find (editor, "editor-new-password-row")), GOOD_CODE);
  weak = editor;
  g_object_add_weak_pointer (G_OBJECT (editor), &weak);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  WAIT_UNTIL (weak == NULL);
  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_accounts (engine)), ==, 1);
  {
    g_autoptr(LbAccount) edited = g_list_model_get_item (lb_engine_get_accounts (engine), 0);

    g_assert_cmpstr (lb_account_get_email (edited), ==, ADDRESS);
    g_assert_cmpstr (lb_account_get_display_name (edited), ==, "Alice");
    g_assert_cmpint (lb_account_get_id (edited), ==, id_before);
  }
  /* The list was rebuilt for the new account. */
  WAIT_UNTIL (lb_ui_test_find_widget (GTK_WIDGET (preferences), "preferences-account-row") != NULL
              && gtk_widget_get_mapped (lb_ui_test_find_widget (GTK_WIDGET (preferences),
                                                                "preferences-account-row")));
  row = find (preferences, "preferences-account-row");

  /* Remove asks first; Cancel keeps the account, Remove deletes it. */
  click (find (row, "preferences-remove-account-button"));
  dialog = lb_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  weak = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  click (find_button (GTK_WIDGET (dialog), "_Cancel"));
  WAIT_UNTIL (weak == NULL || !gtk_widget_get_visible (GTK_WIDGET (weak)));
  g_test_message ("dialog %s after Cancel", weak == NULL ? "destroyed" : "hidden");
  g_clear_weak_pointer (&weak);
  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_accounts (engine)), ==, 1);

  click (find (row, "preferences-remove-account-button"));
  dialog = lb_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  click (find_button (GTK_WIDGET (dialog), "_Remove"));
  WAIT_UNTIL (g_list_model_get_n_items (lb_engine_get_accounts (engine)) == 0);
  WAIT_UNTIL (gtk_widget_get_mapped (find (preferences, "preferences-add-account-button")));

  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (GTK_WINDOW (l->data));
  g_application_quit (application);
}

static void
test_application (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-wizard-app-XXXXXX", &error);
  LbApplication *app;
  gboolean ran = FALSE;
  int status;

  g_assert_no_error (error);
  g_setenv ("LETTERBOX_DATA_DIR", profile, TRUE);
  app = lb_application_new ();
  g_signal_connect_after (app, "activate", G_CALLBACK (on_app_activate), &ran);
  status = g_application_run (G_APPLICATION (app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (ran);
  g_object_unref (app);
  g_unsetenv ("LETTERBOX_DATA_DIR");
}

/* ---- screenshots ------------------------------------------------------------------- */

static void
shoot (LbAccountWizard *wizard,
       const char      *dir,
       const char      *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("%s/wizard-%s.png", dir, name);

  /* Let the stack's slide finish so that the page is drawn alone. */
  {
    gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);
  }
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  if (!lb_ui_test_save_png (GTK_WIDGET (wizard), path, &error))
    g_error ("%s", error->message);
  g_print ("%s\n", path);
}

/* English: Gmail (identity, app password, wrong password, server settings) and
 * Outlook.com.  Chinese (LANGUAGE=zh_CN): QQ Mail and Hotmail.  The provider's servers
 * are pointed at the fixtures on the Advanced page for the wrong-code step. */
static int
take_screenshots (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-wizard-shots-XXXXXX", &error);
  g_autoptr(LbEngine) engine = NULL;
  gboolean chinese = g_str_has_prefix (g_get_language_names ()[0], "zh");
  const char *address = chinese ? "xiaoming@qq.com" : "alice.liddell@gmail.com";
  LbAccountWizard *wizard;
  gpointer weak;

  g_assert_no_error (error);
  g_mkdir_with_parents (dir, 0755);
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  /* The provider database knows these addresses: no discovery file. */
  g_unsetenv (LB_TEST_DISCOVERY_FILE_ENV);

  wizard = lb_account_wizard_present (NULL, engine);
  weak = wizard;
  g_object_add_weak_pointer (G_OBJECT (wizard), &weak);
  lb_ui_test_wait_for_frame (GTK_WIDGET (wizard));
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-name-row")),
                         chinese ? "小明" : "Alice Liddell");
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-email-row")), address);
  shoot (wizard, dir, "1-identity");

  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.next", NULL);
  if (!chinese)
    {
      /* Gmail offers its browser sign-in first, the app password beside it. */
      WAIT_UNTIL (g_strcmp0 (lb_account_wizard_get_page (wizard), "oauth2") == 0);
      shoot (wizard, dir, "2-oauth2-gmail");
      gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.use-password", NULL);
    }
  WAIT_UNTIL (g_strcmp0 (lb_account_wizard_get_page (wizard), "secret") == 0);
  shoot (wizard, dir, "2-secret");

  /* The server settings as the provider database gives them. */
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.advanced", NULL);
  shoot (wizard, dir, "3-advanced");

  /* The fixtures stand in for the provider's servers. */
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-imap-host-row")), "127.0.0.1");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find (wizard, "wizard-imap-port")),
                             servers->imaps_port);
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-smtp-host-row")), "127.0.0.1");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find (wizard, "wizard-smtp-port")),
                             servers->smtps_port);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.back", NULL);
  g_assert_cmpstr (lb_account_wizard_get_page (wizard), ==, "secret");

  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-secret-row")), WRONG_CODE);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.sign-in", NULL);
  shoot (wizard, dir, "4-signing-in");
  WAIT_UNTIL (g_strcmp0 (lb_account_wizard_get_page (wizard), "busy") != 0);
  shoot (wizard, dir, "5-wrong-code");

  /* Outlook.com: no password sign-in at all. */
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.back", NULL);
  g_unsetenv (LB_TEST_DISCOVERY_FILE_ENV);
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-email-row")),
                         chinese ? "xiaoming@hotmail.com" : "alice@outlook.com");
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.next", NULL);
  WAIT_UNTIL (g_strcmp0 (lb_account_wizard_get_page (wizard), "oauth2") == 0);
  shoot (wizard, dir, "6-oauth2");

  /* A domain nobody knows: the Advanced page with the guesses. */
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.back", NULL);
  g_setenv (LB_TEST_DISCOVERY_FILE_ENV, "/nonexistent/config-v1.1.xml", TRUE);
  gtk_editable_set_text (GTK_EDITABLE (find (wizard, "wizard-email-row")),
                         chinese ? "xiaoming@unknown-domain.test" : "alice@unknown-domain.test");
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.next", NULL);
  WAIT_UNTIL (g_strcmp0 (lb_account_wizard_get_page (wizard), "advanced") == 0);
  shoot (wizard, dir, "7-not-found");

  gtk_window_destroy (GTK_WINDOW (wizard));
  WAIT_UNTIL (weak == NULL);
  lb_engine_shutdown (engine);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *users[] = { ADDRESS ":" GOOD_CODE, NULL };
  LbTestServersOptions options = { 0 };
  int status;

  lb_ui_test_setup_environment ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();

  options.users = users;
  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  write_discovery_file ();
  g_setenv (LB_TEST_DISCOVERY_FILE_ENV, discovery_file, TRUE);
  g_setenv (LB_TEST_CA_FILE_ENV, servers->ca_file, TRUE);

  if (argc > 2 && g_str_equal (argv[1], "--screenshots"))
    status = take_screenshots (argv[2]);
  else
    {
      g_test_add_func ("/wizard/ui/escape-and-bad-address", test_escape_and_bad_address);
      g_test_add_func ("/wizard/ui/add-account", test_add_account);
      g_test_add_func ("/wizard/ui/application", test_application);
      status = g_test_run ();
    }

  lb_test_servers_stop (servers);
  return status;
}
