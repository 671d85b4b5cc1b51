/* lb-test-cli.c: running letterbox-cli from a test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "lb-test-cli.h"

void
lb_test_cli_run_clear (LbTestCliRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

/**
 * lb_test_cli_run:
 * @cli_path: the letterbox-cli to run
 * @stdin_text: (nullable): what it reads on its standard input
 * @env: (nullable): "NAME=VALUE" to set, "NAME" to unset, NULL-terminated
 * @args: its arguments, NULL-terminated
 * @extra: (nullable): more arguments after @args (a `--data-dir DIR`), NULL-terminated
 *
 * Runs it to its end with English messages whatever the machine's locale, and keeps its
 * exit status and output in @run (cleared first).  Asserts that it could be run.
 */
void
lb_test_cli_run (LbTestCliRun       *run,
                 const char         *cli_path,
                 const char         *stdin_text,
                 const char * const *env,
                 const char * const *args,
                 const char * const *extra)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  lb_test_cli_run_clear (run);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "C", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *eq = strchr (env[i], '=');

      if (eq != NULL)
        {
          g_autofree char *name = g_strndup (env[i], eq - env[i]);
          g_subprocess_launcher_setenv (launcher, name, eq + 1, TRUE);
        }
      else
        g_subprocess_launcher_unsetenv (launcher, env[i]);
    }

  g_ptr_array_add (argv, (gpointer) cli_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, stdin_text, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (proc);
  g_test_message ("%s %s -> %d\n%s%s", args[0] != NULL ? args[0] : "",
                  args[0] != NULL && args[1] != NULL ? args[1] : "", run->status, run->out,
                  run->err);
}
