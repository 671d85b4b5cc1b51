/* lb-test-oauth2.c: the loopback OAuth2 authorization server, from C tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lb-test-oauth2.h"

static char *
fixture_path (const char *name)
{
  const char *dir = g_getenv ("LB_TEST_FIXTURES_DIR");

  return g_build_filename (dir != NULL ? dir : "tests/fixtures", name, NULL);
}

/**
 * lb_test_oauth2_start:
 * @lifetime_s: the access tokens' lifetime (expires_in)
 *
 * Returns: (transfer full): the running server, or %NULL with @error set
 */
LbTestOAuth2 *
lb_test_oauth2_start (guint    lifetime_s,
                      GError **error)
{
  g_autoptr(LbTestOAuth2) server = g_new0 (LbTestOAuth2, 1);
  g_autofree char *script = fixture_path ("oauth2_server.py");
  g_autofree char *browser = fixture_path ("oauth2_browser.py");
  g_autofree char *lifetime = g_strdup_printf ("%u", lifetime_s);
  const char *python = g_getenv ("LB_TEST_PYTHON");
  g_autofree char *line = NULL;
  g_autoptr(GString) ini = g_string_new (NULL);
  guint64 port;

  if (python == NULL)
    python = "/usr/bin/python3";
  server->dir = g_dir_make_tmp ("lb-oauth2-XXXXXX", error);
  if (server->dir == NULL)
    return NULL;
  server->proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                   error, python, script, "--lifetime", lifetime, NULL);
  if (server->proc == NULL)
    return NULL;
  server->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->proc));
  line = g_data_input_stream_read_line_utf8 (server->out, NULL, NULL, error);
  if (line == NULL || !g_ascii_string_to_unsigned (line, 10, 1, 65535, &port, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "oauth2_server.py did not start");
      return NULL;
    }
  server->port = (guint16) port;
  server->base_url = g_strdup_printf ("http://127.0.0.1:%u", server->port);
  server->introspect_url = g_strdup_printf ("%s/introspect", server->base_url);
  server->browser = g_strdup_printf ("'%s' '%s'", python, browser);

  for (guint i = 0; i < 2; i++)
    g_string_append_printf (ini, "[%s]\nauth-url=%s/authorize\ntoken-url=%s/token\n"
                            "client-id=letterbox-test\n\n", i == 0 ? "microsoft" : "google",
                            server->base_url, server->base_url);
  server->providers_file = g_build_filename (server->dir, "providers.ini", NULL);
  if (!g_file_set_contents (server->providers_file, ini->str, -1, error))
    return NULL;
  g_setenv ("LETTERBOX_OAUTH2_PROVIDERS", server->providers_file, TRUE);
  return g_steal_pointer (&server);
}

/**
 * lb_test_oauth2_command:
 *
 * Returns: (transfer full): the server's answer ("ok", "ok codes=1 refreshes=0", …)
 */
char *
lb_test_oauth2_command (LbTestOAuth2 *server,
                        const char   *command)
{
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  GOutputStream *in = g_subprocess_get_stdin_pipe (server->proc);

  if (!g_output_stream_write_all (in, line, strlen (line), NULL, NULL, NULL)
      || !g_output_stream_flush (in, NULL, NULL))
    return g_strdup ("error write");
  return g_data_input_stream_read_line_utf8 (server->out, NULL, NULL, NULL);
}

void
lb_test_oauth2_stop (LbTestOAuth2 *server)
{
  if (server == NULL)
    return;
  g_unsetenv ("LETTERBOX_OAUTH2_PROVIDERS");
  if (server->proc != NULL)
    {
      /* Closing stdin ends the server. */
      g_output_stream_close (g_subprocess_get_stdin_pipe (server->proc), NULL, NULL);
      g_subprocess_wait (server->proc, NULL, NULL);
    }
  if (server->providers_file != NULL)
    g_unlink (server->providers_file);
  if (server->dir != NULL)
    g_rmdir (server->dir);
  g_clear_object (&server->out);
  g_clear_object (&server->proc);
  g_free (server->base_url);
  g_free (server->introspect_url);
  g_free (server->providers_file);
  g_free (server->browser);
  g_free (server->dir);
  g_free (server);
}
