/* screenshot.c: renders Letterbox windows to PNG, for reviewing the UI without a screen
 *
 * Run it headless, for example in English and in Chinese:
 *
 *   tests/fixtures/run-headless --x11 _build/tests/ui/lb-screenshot main-window.png
 *   LANGUAGE=zh_CN LANG=C.UTF-8 tests/fixtures/run-headless --x11 \
 *     _build/tests/ui/lb-screenshot --dark --window preferences prefs-zh.png
 *
 * --search QUERY types QUERY in the main window's search bar and waits for its first
 * screen (with LETTERBOX_DATA_DIR pointing at a store with mail, for example one that
 * LB_BENCH_KEEP=1 bench-search left).
 *
 * It is a test helper, not installed, so the shipping application has no debug options.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <stdlib.h>

#include "lb-application.h"
#include "lb-message-list-view.h"
#include "lb-preferences-window.h"
#include "lb-window.h"
#include "lb-ui-test-util.h"

static int opt_width = 1100;
static int opt_height = 700;
static gboolean opt_dark;
static gboolean opt_has_accounts;
static char *opt_window;
static char *opt_search;
static const char *output;
static int exit_status = EXIT_FAILURE;

static GtkWindow *
open_target (LbApplication *app,
             LbWindow      *main_window)
{
  if (opt_window == NULL || g_str_equal (opt_window, "main"))
    return GTK_WINDOW (main_window);

  if (g_str_equal (opt_window, "preferences") || g_str_equal (opt_window, "accounts"))
    {
      lb_application_show_preferences (app, g_str_equal (opt_window, "accounts") ? "accounts"
                                                                                  : "general");
      return lb_ui_test_find_toplevel (LB_TYPE_PREFERENCES_WINDOW);
    }

  if (g_str_equal (opt_window, "about"))
    {
      g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
      return lb_ui_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW);
    }

  if (g_str_equal (opt_window, "shortcuts"))
    {
      g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
      return lb_ui_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
    }

  g_printerr ("unknown window %s (main, preferences, accounts, about, shortcuts)\n", opt_window);
  return NULL;
}

/* Types the query and waits for the first screen of results (its "About N"). */
static void
search_for (LbWindow   *window,
            const char *query)
{
  LbMessageListView *view = lb_window_get_message_list (window);
  GtkWidget *entry = lb_ui_test_find_widget (GTK_WIDGET (view), "search-entry");
  LbMessageList *list;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  gboolean estimated = FALSE;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), query);
  while (((list = lb_message_list_view_get_list (view)) == NULL
          || g_strcmp0 (lb_message_list_get_query (list), query) != 0
          || lb_message_list_get_total (list, &estimated) < 0
          || (!estimated && lb_message_list_is_loading (list)))
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
}

static void
on_startup (GApplication *application)
{
  /* After the default handler, when GTK and libadwaita are initialised.  Without
   * animations, the first frames already show the final state. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  if (opt_dark)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                        ADW_COLOR_SCHEME_FORCE_DARK);
}

static void
on_activate (GApplication *application)
{
  LbApplication *app = LB_APPLICATION (application);
  LbWindow *window = LB_WINDOW (lb_application_get_main_window (app));
  g_autoptr(GError) error = NULL;
  GtkWindow *target;

  lb_window_set_has_accounts (window, opt_has_accounts);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));

  if (opt_search != NULL)
    search_for (window, opt_search);
  target = open_target (app, window);
  if (target != NULL)
    {
      lb_ui_test_wait_for_frame (GTK_WIDGET (target));
      /* A second frame: some widgets (the leaflets among them) settle after the first. */
      lb_ui_test_wait_for_frame (GTK_WIDGET (target));
      if (lb_ui_test_save_png (GTK_WIDGET (target), output, &error))
        exit_status = EXIT_SUCCESS;
      else
        g_printerr ("%s\n", error->message);
    }

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "width", 0, 0, G_OPTION_ARG_INT, &opt_width, "Main window width", "PX" },
    { "height", 0, 0, G_OPTION_ARG_INT, &opt_height, "Main window height", "PX" },
    { "dark", 0, 0, G_OPTION_ARG_NONE, &opt_dark, "Use the dark style", NULL },
    { "has-accounts", 0, 0, G_OPTION_ARG_NONE, &opt_has_accounts,
      "Show the state with accounts", NULL },
    { "search", 0, 0, G_OPTION_ARG_STRING, &opt_search, "Search the main window for QUERY", "QUERY" },
    { "window", 0, 0, G_OPTION_ARG_STRING, &opt_window,
      "main (default), preferences, accounts, about or shortcuts", "NAME" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("OUTPUT.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(LbApplication) app = NULL;

  lb_ui_test_setup_environment ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: lb-screenshot [OPTION…] OUTPUT.png");
      return EXIT_FAILURE;
    }
  output = argv[1];

  settings = g_settings_new (APP_ID);
  g_settings_set_int (settings, "window-width", opt_width);
  g_settings_set_int (settings, "window-height", opt_height);
  g_settings_set_boolean (settings, "window-maximized", FALSE);

  app = lb_application_new ();
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  g_signal_connect_after (app, "startup", G_CALLBACK (on_startup), NULL);
  g_application_run (G_APPLICATION (app), 0, NULL);

  return exit_status;
}
