/* test-window.c: the application shell under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "lb-account-wizard.h"
#include "lb-application.h"
#include "lb-composer.h"
#include "lb-message-row.h"
#include "lb-preferences-window.h"
#include "lb-window.h"
#include "lb-ui-test-util.h"

typedef void (*TestBody) (LbApplication *app,
                          LbWindow      *window);

typedef struct
{
  TestBody body;
  gboolean ran;
} TestRun;

static void
on_activate (GApplication *application,
             TestRun      *run)
{
  GtkWindow *window;

  /* Activating the application again from inside a test body must not start it again. */
  if (run->ran)
    return;
  run->ran = TRUE;

  window = lb_application_get_main_window (LB_APPLICATION (application));
  g_assert_true (LB_IS_WINDOW (window));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));

  run->body (LB_APPLICATION (application), LB_WINDOW (window));
}

/* Runs the whole application; @body must end by closing the window or quitting. */
static void
run_application (TestBody body)
{
  LbApplication *app = lb_application_new ();
  TestRun run = { body, FALSE };
  int status;

  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), &run);
  status = g_application_run (G_APPLICATION (app), 0, NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.ran);
  g_assert_finalize_object (app);
}

static GtkWidget *
find (LbWindow   *window,
      const char *name)
{
  GtkWidget *widget = lb_ui_test_find_widget (GTK_WIDGET (window), name);

  if (widget == NULL)
    g_error ("no widget named %s in the window", name);

  return widget;
}

static void
close_and_wait (LbWindow *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_close (GTK_WINDOW (window));
  lb_ui_test_wait_until_gone (&weak);
}

static void
reset_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

static void
assert_accel (LbApplication *app,
              const char    *action,
              const char    *expected)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);
  guint key, expected_key;
  GdkModifierType mods, expected_mods;

  g_assert_nonnull (accels);
  g_assert_nonnull (accels[0]);
  g_assert_true (gtk_accelerator_parse (accels[0], &key, &mods));
  g_assert_true (gtk_accelerator_parse (expected, &expected_key, &expected_mods));
  g_assert_cmpuint (key, ==, expected_key);
  g_assert_cmpuint (mods, ==, expected_mods);
}

/* Collects "label=action" for every item of @model, sections included. */
static void
collect_menu_items (GMenuModel *model,
                    GPtrArray  *items)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      g_autofree char *label = NULL;
      g_autofree char *action = NULL;

      if (section != NULL)
        {
          collect_menu_items (section, items);
          continue;
        }

      g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label);
      g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &action);
      g_ptr_array_add (items, g_strdup_printf ("%s=%s", label, action));
    }
}

static void
assert_primary_menu (LbApplication *app,
                     GtkWidget     *menu_button)
{
  const char * const expected[] = {
    "_Conversations=app.conversations",
    "_Add Account…=app.add-account",
    "_Mark All as Read=win.mark-all-read",
    "_Preferences=app.preferences",
    "_Keyboard Shortcuts=app.shortcuts",
    "_About Letterbox=app.about",
  };
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  GMenuModel *menu;

  g_assert_true (GTK_IS_MENU_BUTTON (menu_button));
  g_assert_true (gtk_widget_get_mapped (menu_button));
  g_assert_true (gtk_menu_button_get_primary (GTK_MENU_BUTTON (menu_button)));
  g_assert_cmpstr (gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (menu_button)), ==,
                   "open-menu-symbolic");

  /* Exactly these entries, each bound to an existing action (the window's own for Mark
   * All as Read). */
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button));
  g_assert_nonnull (menu);
  collect_menu_items (menu, items);
  g_assert_cmpuint (items->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const char *action = strchr (expected[i], '=') + strlen ("=app.");

      g_assert_cmpstr (g_ptr_array_index (items, i), ==, expected[i]);
      if (strstr (expected[i], "=app.") != NULL)
        g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), action));
      else
        g_assert_true (gtk_widget_activate_action (gtk_widget_get_ancestor (menu_button,
                                                                            LB_TYPE_WINDOW),
                                                   "win.mark-all-read", NULL));
    }
}

/* Every mail shortcut is a window binding to its action, and is listed in the shortcuts
 * window. */
static void
assert_mail_shortcuts (LbWindow *window)
{
  const struct { const char *accel; const char *action; } expected[] = {
    { "j", "win.next-message" }, { "Down", "win.next-message" },
    { "k", "win.previous-message" }, { "Up", "win.previous-message" },
    { "Delete", "win.delete" }, { "a", "win.archive" }, { "s", "win.toggle-flag" },
    { "u", "win.toggle-read" }, { "m", "win.move-to" }, { "r", "win.reply" },
    { "<Shift>r", "win.reply-all" }, { "f", "win.forward" }, { "<Control>f", "win.search" },
    { "<Control>n", "win.compose" },
  };
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (LB_RESOURCE_PATH "/ui/lb-shortcuts-window.ui");
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  g_autoptr(GString) bound = g_string_new ("|");
  g_autoptr(GString) listed = g_string_new ("|");
  GSList *objects = gtk_builder_get_objects (builder);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (GTK_IS_NAMED_ACTION (action))
            g_string_append_printf (bound, "%s=%s|", trigger,
                                    gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)));
        }
    }
  for (GSList *l = objects; l != NULL; l = l->next)
    if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
      {
        g_autofree char *accel = NULL;

        g_object_get (l->data, "accelerator", &accel, NULL);
        g_string_append_printf (listed, "%s|", accel);
      }
  g_slist_free (objects);
  /* A toplevel outlives its builder: later tests look shortcuts windows up. */
  gtk_window_destroy (GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window")));

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *pair = g_strdup_printf ("|%s=%s|", expected[i].accel, expected[i].action);
      guint keyval;
      GdkModifierType mods;

      if (strstr (bound->str, pair) == NULL)
        g_error ("%s is not bound (bindings: %s)", pair, bound->str);
      g_assert_true (gtk_accelerator_parse (expected[i].accel, &keyval, &mods));
      if (strstr (listed->str, expected[i].accel) == NULL
          && strstr (listed->str, gdk_keyval_name (gdk_keyval_to_lower (keyval))) == NULL)
        g_error ("%s is not in the shortcuts window (%s)", expected[i].accel, listed->str);
    }
}

static void
body_wide_window (LbApplication *app,
                  LbWindow      *window)
{
  const char * const panes[] = { "sidebar-pane", "list-pane", "reader-pane" };
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *button;
  int width, height;

  /* The size comes from the settings, set before the run. */
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 1000);
  g_assert_cmpint (height, ==, 640);

  /* Without an account the window welcomes the user and asks for one. */
  g_assert_false (lb_window_get_has_accounts (window));
  g_assert_true (gtk_widget_get_mapped (find (window, "welcome-page")));
  button = find (window, "add-account-button");
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Add an Account");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==,
                   "app.add-account");
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  g_assert_true (gtk_widget_has_css_class (button, "pill"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "add-account"));
  for (guint i = 0; i < G_N_ELEMENTS (panes); i++)
    g_assert_false (gtk_widget_get_mapped (find (window, panes[i])));
  assert_primary_menu (app, find (window, "welcome-menu-button"));
  g_assert_false (gtk_menu_button_get_primary (GTK_MENU_BUTTON (find (window, "primary-menu-button"))));

  /* With an account: three panes side by side, each with its own header bar. */
  lb_window_set_has_accounts (window, TRUE);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_false (gtk_widget_get_mapped (button));
  g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (find (window, "outer-leaflet"))));
  g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (find (window, "inner-leaflet"))));
  for (guint i = 0; i < G_N_ELEMENTS (panes); i++)
    {
      GtkWidget *pane = find (window, panes[i]);

      g_assert_true (gtk_widget_get_mapped (pane));
      g_assert_cmpint (gtk_widget_get_width (pane), >, 0);
      g_assert_true (ADW_IS_HEADER_BAR (gtk_widget_get_first_child (pane)));
    }
  /* No back buttons while nothing is folded. */
  g_assert_false (gtk_widget_get_visible (find (window, "list-back-button")));
  g_assert_false (gtk_widget_get_visible (find (window, "reader-back-button")));
  assert_primary_menu (app, find (window, "primary-menu-button"));
  g_assert_false (gtk_menu_button_get_primary (GTK_MENU_BUTTON (find (window, "welcome-menu-button"))));

  assert_mail_shortcuts (window);
  assert_accel (app, "app.quit", "<Control>q");
  assert_accel (app, "app.preferences", "<Control>comma");
  assert_accel (app, "app.shortcuts", "<Control>question");

  /* The size at close is saved for the next start. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 700);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  close_and_wait (window);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1024);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 700);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
}

static void
test_window_wide (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  reset_settings ();
  g_settings_set_int (settings, "window-width", 1000);
  g_settings_set_int (settings, "window-height", 640);
  run_application (body_wide_window);
}

static void
body_narrow_window (LbApplication *app,
                    LbWindow      *window)
{
  AdwLeaflet *outer = ADW_LEAFLET (find (window, "outer-leaflet"));
  AdwLeaflet *inner = ADW_LEAFLET (find (window, "inner-leaflet"));
  GtkWidget *sidebar = find (window, "sidebar-pane");
  GtkWidget *list = find (window, "list-pane");
  GtkWidget *reader = find (window, "reader-pane");

  /* The welcome page fits a phone-sized window. */
  g_assert_true (gtk_widget_get_mapped (find (window, "add-account-button")));

  /* With an account: one pane at a time, starting with the sidebar. */
  lb_window_set_has_accounts (window, TRUE);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (adw_leaflet_get_folded (outer));
  g_assert_true (adw_leaflet_get_visible_child (outer) == sidebar);
  g_assert_true (gtk_widget_get_mapped (sidebar));
  g_assert_false (gtk_widget_get_mapped (list));

  /* The list, alone too, with a way back. */
  adw_leaflet_set_visible_child (outer, GTK_WIDGET (inner));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (adw_leaflet_get_folded (inner));
  g_assert_true (gtk_widget_get_mapped (list));
  g_assert_false (gtk_widget_get_mapped (sidebar));
  g_assert_false (gtk_widget_get_mapped (reader));
  g_assert_true (gtk_widget_get_mapped (find (window, "list-back-button")));

  /* Back (Alt+Left) goes from the reader to the list, then to the sidebar. */
  adw_leaflet_set_visible_child (inner, reader);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (find (window, "reader-back-button")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_true (adw_leaflet_get_visible_child (inner) == list);
  g_assert_true (adw_leaflet_get_visible_child (outer) == GTK_WIDGET (inner));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_true (adw_leaflet_get_visible_child (outer) == sidebar);

  /* The back buttons do the same. */
  adw_leaflet_set_visible_child (outer, GTK_WIDGET (inner));
  adw_leaflet_set_visible_child (inner, reader);
  g_signal_emit_by_name (find (window, "reader-back-button"), "clicked");
  g_assert_true (adw_leaflet_get_visible_child (inner) == list);
  g_signal_emit_by_name (find (window, "list-back-button"), "clicked");
  g_assert_true (adw_leaflet_get_visible_child (outer) == sidebar);

  close_and_wait (window);
}

static void
test_window_narrow (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  reset_settings ();
  g_settings_set_int (settings, "window-width", 360);
  g_settings_set_int (settings, "window-height", 640);
  run_application (body_narrow_window);
}

static void
count_signal (gpointer  instance,
              guint    *count)
{
  (*count)++;
}

static void
body_background (LbApplication *app,
                 LbWindow      *window)
{
  gpointer weak = window;
  guint hidden = 0;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  g_signal_connect (window, "hidden-in-background", G_CALLBACK (count_signal), &hidden);

  /* Closing hides the window; the application keeps running with it, and hears of it
   * through ::hidden-in-background (to explain it the first time). */
  gtk_window_close (GTK_WINDOW (window));
  g_assert_nonnull (weak);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (lb_application_get_main_window (app) == GTK_WINDOW (window));
  g_assert_cmpuint (hidden, ==, 1);

  /* Launching again shows the same window. */
  g_application_activate (G_APPLICATION (app));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));

  /* Quit ends it all, even in background mode. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  lb_ui_test_wait_until_gone (&weak);
}

static void
test_window_background (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  reset_settings ();
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  /* The explanation is a desktop notification, which needs a notification server. */
  g_settings_set_boolean (settings, "background-explained", TRUE);
  run_application (body_background);
}

static void
body_dialogs (LbApplication *app,
              LbWindow      *window)
{
  GtkWindow *about;
  GtkWindow *shortcuts;
  GtkWindow *preferences;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *widget;

  /* "Add an Account" opens the account wizard. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "add-account", NULL);
  widget = GTK_WIDGET (lb_ui_test_find_toplevel (LB_TYPE_ACCOUNT_WIZARD));
  g_assert_nonnull (widget);
  lb_ui_test_wait_for_frame (widget);
  gtk_window_destroy (GTK_WINDOW (widget));

  /* The preferences show their Accounts page on request. */
  lb_application_show_preferences (app, "accounts");
  preferences = lb_ui_test_find_toplevel (LB_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  g_assert_true (gtk_window_get_transient_for (preferences) == GTK_WINDOW (window));
  lb_ui_test_wait_for_frame (GTK_WIDGET (preferences));
  g_assert_cmpstr (adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (preferences)),
                   ==, "accounts");
  g_assert_true (gtk_widget_get_mapped (lb_ui_test_find_widget (GTK_WIDGET (preferences),
                                                                "preferences-add-account-button")));

  /* app.preferences presents the same window again. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  g_assert_true (lb_ui_test_find_toplevel (LB_TYPE_PREFERENCES_WINDOW) == preferences);

  /* app.show-preferences, which the sidebar uses, turns to the page it names. */
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "general");
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-preferences",
                                  g_variant_new_string ("accounts"));
  g_assert_true (lb_ui_test_find_toplevel (LB_TYPE_PREFERENCES_WINDOW) == preferences);
  g_assert_cmpstr (adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (preferences)),
                   ==, "accounts");

  /* The switch is bound to the setting. */
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "general");
  widget = lb_ui_test_find_widget (GTK_WIDGET (preferences), "run-in-background-switch");
  g_assert_nonnull (widget);
  gtk_switch_set_active (GTK_SWITCH (widget), TRUE);
  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));
  gtk_switch_set_active (GTK_SWITCH (widget), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "run-in-background"));

  /* So are the notification, remote content and reply switches. */
  {
    const struct { const char *name; const char *key; } switches[] = {
      { "notify-new-mail-switch", "notify-new-mail" },
      { "load-remote-content-switch", "load-remote-content" },
      { "reply-below-quote-switch", "reply-below-quote" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (switches); i++)
      {
        gboolean before = g_settings_get_boolean (settings, switches[i].key);

        widget = lb_ui_test_find_widget (GTK_WIDGET (preferences), switches[i].name);
        g_assert_nonnull (widget);
        g_assert_cmpint (gtk_switch_get_active (GTK_SWITCH (widget)), ==, before);
        gtk_switch_set_active (GTK_SWITCH (widget), !before);
        g_assert_cmpint (g_settings_get_boolean (settings, switches[i].key), ==, !before);
        g_settings_reset (settings, switches[i].key);
      }
  }

  /* The combo row maps to the enum and back. */
  widget = lb_ui_test_find_widget (GTK_WIDGET (preferences), "mark-read-row");
  g_assert_nonnull (widget);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (widget)), ==, 1);
  adw_combo_row_set_selected (ADW_COMBO_ROW (widget), 2);
  g_assert_cmpint (g_settings_get_enum (settings, "mark-read-mode"), ==, 2);
  g_settings_set_enum (settings, "mark-read-mode", 0);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (widget)), ==, 0);
  gtk_window_destroy (preferences);

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  about = lb_ui_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==,
                   "Letterbox");
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==,
                   GTK_LICENSE_GPL_3_0);
  lb_ui_test_wait_for_frame (GTK_WIDGET (about));
  gtk_window_destroy (about);

  g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
  shortcuts = lb_ui_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (shortcuts);
  lb_ui_test_wait_for_frame (GTK_WIDGET (shortcuts));
  gtk_window_destroy (shortcuts);

  close_and_wait (window);
}

static void
test_app_dialogs (void)
{
  reset_settings ();
  run_application (body_dialogs);
}

static void
on_open (GApplication  *application,
         GFile        **files,
         int            n_files,
         const char    *hint,
         gboolean      *opened)
{
  GtkWindow *window = lb_application_get_main_window (LB_APPLICATION (application));
  GtkWindow *composer = lb_ui_test_find_toplevel (LB_TYPE_COMPOSER);

  /* A mailto: link brings the main window up and opens a composer over it. */
  g_assert_cmpint (n_files, ==, 1);
  g_assert_true (g_file_has_uri_scheme (files[0], "mailto"));
  g_assert_true (LB_IS_WINDOW (window));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_nonnull (composer);
  g_assert_true (gtk_window_get_transient_for (composer) == window);
  lb_ui_test_wait_for_frame (GTK_WIDGET (composer));
  gtk_window_destroy (composer);
  *opened = TRUE;
  close_and_wait (LB_WINDOW (window));
}

static void
test_app_open_mailto (void)
{
  LbApplication *app = lb_application_new ();
  char *argv[] = { (char *) "letterbox", (char *) "mailto:alice@example.com", NULL };
  gboolean opened = FALSE;

  reset_settings ();
  g_signal_connect_after (app, "open", G_CALLBACK (on_open), &opened);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 2, argv), ==, 0);
  g_assert_true (opened);
  g_assert_finalize_object (app);
}

static void
on_activate_store_error (GApplication *application,
                         char         *path)
{
  GtkWindow *dialog = lb_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);

  /* No main window and no crash: a dialog that names the file, then quit. */
  g_assert_nonnull (dialog);
  g_assert_null (lb_application_get_main_window (LB_APPLICATION (application)));
  g_assert_null (lb_application_get_engine (LB_APPLICATION (application)));
  g_assert_cmpstr (gtk_widget_get_name (GTK_WIDGET (dialog)), ==, "store-error-dialog");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), path));
  lb_ui_test_wait_for_frame (GTK_WIDGET (dialog));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "quit");
}

static void
test_app_store_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-ui-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "letterbox.db", NULL);
  LbApplication *app;

  g_assert_no_error (error);
  reset_settings ();
  g_assert_true (g_file_set_contents (path, "This is not an SQLite database, not at all.\n", -1, NULL));
  g_setenv ("LETTERBOX_DATA_DIR", dir, TRUE);
  app = lb_application_new ();
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate_store_error), path);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  g_assert_finalize_object (app);
  g_unsetenv ("LETTERBOX_DATA_DIR");
}

static void
assert_relative (GDateTime  *now,
                 int         y,
                 int         mo,
                 int         d,
                 int         h,
                 int         mi,
                 const char *expected)
{
  g_autoptr(GDateTime) date = g_date_time_new (g_date_time_get_timezone (now), y, mo, d, h, mi, 0);
  g_autofree char *text = lb_format_relative_date (date, now);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_relative_date (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) now = g_date_time_new (utc, 2026, 11, 22, 9, 30, 0);   /* a Sunday */

  assert_relative (now, 2026, 11, 22, 0, 5, "00:05");
  assert_relative (now, 2026, 11, 22, 14, 5, "14:05");      /* later today (clock skew) */
  assert_relative (now, 2026, 11, 21, 23, 59, "Yesterday");
  assert_relative (now, 2026, 11, 19, 8, 0, "Thursday");
  assert_relative (now, 2026, 11, 16, 8, 0, "Monday");
  assert_relative (now, 2026, 11, 3, 8, 0, "3 Nov");        /* this year */
  assert_relative (now, 2026, 1, 1, 8, 0, "1 Jan");
  assert_relative (now, 2025, 12, 31, 8, 0, "2025-12-31");  /* another year */
  assert_relative (now, 2024, 11, 3, 8, 0, "2024-11-03");
  assert_relative (now, 2026, 11, 25, 8, 0, "2026-11-25");  /* the future */
}

int
main (int   argc,
      char *argv[])
{
  /* The assertions compare English labels. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_unsetenv ("LANGUAGE");
  lb_ui_test_setup_environment ();
  g_test_init (&argc, &argv, NULL);

  /* Transitions would only make the test wait for animations. */
  gtk_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/ui/window/wide", test_window_wide);
  g_test_add_func ("/ui/window/narrow", test_window_narrow);
  g_test_add_func ("/ui/window/background", test_window_background);
  g_test_add_func ("/ui/app/dialogs", test_app_dialogs);
  g_test_add_func ("/ui/app/open-mailto", test_app_open_mailto);
  g_test_add_func ("/ui/app/store-error", test_app_store_error);
  g_test_add_func ("/ui/message-row/relative-date", test_relative_date);

  return g_test_run ();
}
