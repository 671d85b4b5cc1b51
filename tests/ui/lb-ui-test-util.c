/* lb-ui-test-util.c: helpers shared by the UI tests and the screenshot tool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "lb-ui-test-util.h"

/**
 * lb_ui_test_setup_environment:
 *
 * Points GSettings at the schema compiled in the build directory and gettext at the
 * catalogues built there, so that the uninstalled UI code runs as installed.  Call it first
 * in main(), before any GSettings or GTK call.
 */
void
lb_ui_test_setup_environment (void)
{
  g_setenv ("GSETTINGS_SCHEMA_DIR", LB_TEST_SCHEMA_DIR, TRUE);
  if (g_getenv ("GSETTINGS_BACKEND") == NULL)
    g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LB_TEST_LOCALE_DIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/**
 * lb_ui_test_find_widget:
 * @root: where to start
 * @name: a widget name, as set with the "name" property in the .ui files
 *
 * Returns: (transfer none) (nullable): the first widget named @name in @root's tree,
 *   depth first, @root included
 */
GtkWidget *
lb_ui_test_find_widget (GtkWidget  *root,
                        const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = lb_ui_test_find_widget (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/**
 * lb_ui_test_find_toplevel:
 * @type: a #GtkWindow subtype
 *
 * Returns: (transfer none) (nullable): a toplevel of @type, for windows such as the
 *   About window that do not belong to the application
 */
GtkWindow *
lb_ui_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }

  return NULL;
}

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/**
 * lb_ui_test_wait_for_frame:
 * @widget: a widget in a window that has been presented
 *
 * Iterates the main context until the widget is mapped and its window has painted a
 * frame, so that size allocation (and with it the leaflets' folding) has happened.
 */
void
lb_ui_test_wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock;
  gboolean painted = FALSE;
  gulong handler;

  while (!gtk_widget_get_mapped (widget))
    g_main_context_iteration (NULL, TRUE);

  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

/**
 * lb_ui_test_wait_until_gone:
 * @weak_pointer: a location set up with g_object_add_weak_pointer()
 *
 * Iterates the main context until the object has been finalized.
 */
void
lb_ui_test_wait_until_gone (gpointer *weak_pointer)
{
  while (*weak_pointer != NULL)
    g_main_context_iteration (NULL, TRUE);
}

/**
 * lb_ui_test_answer_dialog:
 * @dialog: an #AdwMessageDialog
 * @response: the response's id
 *
 * Answers @dialog as its button would, and returns once it is gone (emitting the
 * response alone leaves the window open; the answer may also destroy its parent, and
 * the dialog with it).
 */
void
lb_ui_test_answer_dialog (GtkWindow  *dialog,
                          const char *response)
{
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  if (dialog != NULL)
    gtk_window_destroy (dialog);
  lb_ui_test_wait_until_gone ((gpointer *) &dialog);
}

/**
 * lb_ui_test_save_png:
 * @widget: a realized widget, usually a window
 * @path: the PNG file to write
 * @error: return location for an error
 *
 * Renders @widget in-process with its window's renderer, so no screen grab (and no window
 * manager) is involved.
 */
gboolean
lb_ui_test_save_png (GtkWidget   *widget,
                     const char  *path,
                     GError     **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the widget drew nothing");
      return FALSE;
    }

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not write %s", path);
      return FALSE;
    }

  return TRUE;
}

/**
 * lb_ui_test_save_screenshot:
 * @widget: a window that has been presented
 * @dir: (nullable): where screenshots go ($LB_TEST_SCREENSHOTS), or %NULL for none
 * @name: the PNG file's name in @dir
 *
 * Saves @widget to @dir/@name once two more frames have been painted, and says so (or
 * why not) on stderr.  A screenshot that cannot be written fails nothing.
 */
void
lb_ui_test_save_screenshot (GtkWidget  *widget,
                            const char *dir,
                            const char *name)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (dir == NULL)
    return;
  path = g_build_filename (dir, name, NULL);
  lb_ui_test_wait_for_frame (widget);
  lb_ui_test_wait_for_frame (widget);
  if (!lb_ui_test_save_png (widget, path, &error))
    g_printerr ("%s\n", error->message);
  else
    g_printerr ("saved %s\n", path);
}

/**
 * lb_ui_test_find_button:
 * @root: where to start
 * @label: a button label, mnemonic underline included ("_Undo")
 *
 * For buttons that have no name, such as a toast's or a message dialog's.
 *
 * Returns: (transfer none) (nullable): the first #GtkButton labelled @label in @root's
 *   tree, depth first, @root included
 */
GtkWidget *
lb_ui_test_find_button (GtkWidget  *root,
                        const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = lb_ui_test_find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * lb_ui_test_set_window_size:
 *
 * Makes the main window open unmaximized at @width × @height (the settings it restores
 * its size from).
 */
void
lb_ui_test_set_window_size (int width,
                            int height)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
  g_settings_set_boolean (settings, "window-maximized", FALSE);
}

typedef struct {
  LbUiTestAppBody body;
  gboolean        ran;
} AppRun;

static void
on_app_activate (GApplication *application,
                 AppRun       *run)
{
  if (run->ran)
    return;
  run->ran = TRUE;
  run->body (application);
  g_action_group_activate_action (G_ACTION_GROUP (application), "quit", NULL);
}

/**
 * lb_ui_test_run_application:
 * @application: (transfer full): the application to run
 * @body: the test, called once, after the application's own first activation
 *
 * Runs @application without arguments; @body runs when it is first activated and the
 * application quits after it.  Asserts that @body ran and that the application exited
 * with status 0.
 */
void
lb_ui_test_run_application (GApplication    *application,
                            LbUiTestAppBody  body)
{
  AppRun run = { body, FALSE };

  g_signal_connect_after (application, "activate", G_CALLBACK (on_app_activate), &run);
  g_assert_cmpint (g_application_run (application, 0, NULL), ==, 0);
  g_assert_true (run.ran);
  g_object_unref (application);
}

/**
 * lb_ui_test_init_app_test:
 *
 * The start of a test that runs the whole application against the fixtures: English
 * labels for the assertions (unless screenshots are wanted, in the session's language),
 * the private environment, g_test_init() and GTK.  Criticals stay fatal, warnings do not:
 * GApplication may pick the freedesktop notification backend and warn that the test
 * session has no notification server, which is the session's business, not the window's.
 *
 * Returns: the directory to save screenshots in (LB_TEST_SCREENSHOTS), or %NULL
 */
const char *
lb_ui_test_init_app_test (int    *argc,
                          char ***argv)
{
  const char *screenshot_dir = g_getenv ("LB_TEST_SCREENSHOTS");

  if (screenshot_dir == NULL)
    {
      g_setenv ("LC_ALL", "C.UTF-8", TRUE);
      g_unsetenv ("LANGUAGE");
    }
  lb_ui_test_setup_environment ();
  g_test_init (argc, argv, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

  gtk_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  return screenshot_dir;
}

static void
on_clicked (GtkButton *button,
            gboolean  *clicked)
{
  *clicked = TRUE;
  /* Here, since the button may be gone once the click has run (a window that closes). */
  g_signal_handlers_disconnect_by_func (button, on_clicked, clicked);
}

/**
 * lb_ui_test_click:
 * @button: a sensitive button
 *
 * Activates @button as Space or Enter on it does, and waits for its "clicked", which GTK
 * emits a moment later (the pressed look is shown first).
 */
void
lb_ui_test_click (GtkWidget *button)
{
  gboolean clicked = FALSE;

  g_signal_connect (button, "clicked", G_CALLBACK (on_clicked), &clicked);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_activate (button));
  LB_UI_TEST_WAIT_UNTIL (clicked);
}
