/* test-folder-error.c: the sidebar shows a folder the server refuses to open
 *
 * A private Dovecot lists a folder the user may not SELECT (ACL "lookup" right only).
 * The window's background sync keeps going; the folder's row carries a warning sign
 * whose tooltip is the server's reason, and the other rows carry none.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "lb-application.h"
#include "lb-engine.h"
#include "lb-sidebar.h"
#include "lb-test-account.h"
#include "lb-test-fixture.h"
#include "lb-test-wait.h"
#include "lb-ui-test-util.h"
#include "lb-window.h"

static LbTestServers *servers;
static const char *screenshot_dir;

/* Every widget named NAME under ROOT that is mapped (on screen). */
static void
collect_mapped (GtkWidget  *root,
                const char *name,
                GPtrArray  *out)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0 && gtk_widget_get_mapped (root))
    g_ptr_array_add (out, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_mapped (child, name, out);
}

static gboolean
warning_shown (gpointer data)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_mapped (data, "folder-error", found);
  return found->len > 0;
}

static void
run_window (GApplication *application)
{
  LbWindow *window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  GtkWidget *sidebar = GTK_WIDGET (lb_window_get_sidebar (window));
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  const char *tooltip;

  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (lb_test_wait_until (warning_shown, sidebar, 60));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));

  collect_mapped (sidebar, "folder-error", found);
  g_assert_cmpuint (found->len, ==, 1);
  tooltip = gtk_widget_get_tooltip_text (g_ptr_array_index (found, 0));
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "Permission denied"));
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "folder-error.png");
}

static void
test_folder_error (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:3:1", "alice@example.com:Zeta:2:2", NULL };
  const char * const lookup_only[] = { "alice@example.com:Shared", NULL };
  LbTestServersOptions options = { .corpus = corpus, .lookup_only = lookup_only, .no_smtp = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbEngine) engine = NULL;
  g_autoptr(LbAccount) account = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-ui-folder-error-XXXXXX", &error);

  g_assert_no_error (error);
  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  g_setenv ("LETTERBOX_DATA_DIR", dir, TRUE);
  engine = lb_engine_new (dir, &error);
  g_assert_no_error (error);
  account = lb_test_add_account (engine, servers, 0, "alice@example.com", NULL, FALSE);
  lb_engine_shutdown (engine);
  g_clear_object (&account);
  g_clear_object (&engine);

  /* The application syncs at start; the sidebar follows. */
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_window);
  g_clear_pointer (&servers, lb_test_servers_stop);
}

int
main (int   argc,
      char *argv[])
{
  screenshot_dir = lb_ui_test_init_app_test (&argc, &argv);
  g_test_add_func ("/ui/sidebar/folder-error", test_folder_error);
  return g_test_run ();
}
