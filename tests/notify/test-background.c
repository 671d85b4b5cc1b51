/* test-background.c: starting with the session outside a sandbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>

#include "lb-background.h"

static GAsyncResult *result;

static void
got_result (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  result = g_object_ref (res);
}

static gboolean
set_autostart (GApplication *app,
               gboolean      enable,
               GError      **error)
{
  gboolean ok;

  g_clear_object (&result);
  lb_background_set_autostart_async (app, enable, NULL, got_result, NULL);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = lb_background_set_autostart_finish (result, error);
  g_clear_object (&result);
  return ok;
}

static void
test_autostart_file (void)
{
  g_autoptr(GApplication) app = g_application_new ("io.github.letterbox.BackgroundTest",
                                                   G_APPLICATION_NON_UNIQUE);
  g_autofree char *path = lb_background_get_autostart_path ("io.github.letterbox.BackgroundTest");
  g_autofree char *expected = g_build_filename (g_get_user_config_dir (), "autostart",
                                                "io.github.letterbox.BackgroundTest.desktop", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *exec = NULL;

  if (lb_background_is_sandboxed ())
    {
      g_test_skip ("Inside a sandbox autostart goes through the portal");
      return;
    }
  g_assert_cmpstr (path, ==, expected);

  /* Turning it on writes a valid entry, in a directory that did not exist. */
  g_assert_true (set_autostart (app, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  exec = g_key_file_get_string (kf, "Desktop Entry", "Exec", &error);
  g_assert_cmpstr (exec, ==, "letterbox --gapplication-service");
  g_assert_true (g_key_file_get_boolean (kf, "Desktop Entry", "X-GNOME-Autostart-enabled", NULL));

  /* Twice is fine, and off removes it; off again is not an error. */
  g_assert_true (set_autostart (app, TRUE, &error));
  g_assert_true (set_autostart (app, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (set_autostart (app, FALSE, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("lb-background-XXXXXX", &error);
  g_autofree char *config = g_build_filename (home, "config", NULL);
  int status;

  /* Before GLib reads it: the test never touches the real autostart directory. */
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/background/autostart-file", test_autostart_file);
  status = g_test_run ();

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", home);
    if (system (cmd) != 0)
      status = 1;
  }
  return status;
}
