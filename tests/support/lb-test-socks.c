/* lb-test-socks.c: the SOCKS5 proxy fixture
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-test-socks.h"

struct _LbTestSocks {
  GSubprocess *process;
  char        *log;
  guint16      port;
};

/**
 * lb_test_socks_start:
 * @dir: where its log of relayed connections goes
 *
 * Starts tests/fixtures/socks5_proxy.py; asserts that it runs.
 *
 * Returns: (transfer full): the proxy, stopped by lb_test_socks_stop()
 */
LbTestSocks *
lb_test_socks_start (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (g_getenv ("LB_TEST_FIXTURES_DIR"), "socks5_proxy.py",
                                              NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  LbTestSocks *socks = g_new0 (LbTestSocks, 1);

  socks->log = g_build_filename (dir, "socks.log", NULL);
  socks->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                     &error, g_getenv ("LB_TEST_PYTHON"), script, socks->log, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (socks->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  socks->port = (guint16) g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (socks->port, >, 0);
  return socks;
}

guint16
lb_test_socks_get_port (LbTestSocks *socks)
{
  return socks->port;
}

/* Returns: (transfer full): the proxy as an account's proxy setting. */
char *
lb_test_socks_dup_url (LbTestSocks *socks)
{
  return g_strdup_printf ("socks5h://127.0.0.1:%u", socks->port);
}

/**
 * lb_test_socks_count:
 *
 * Returns: how many connections the proxy relayed to @port so far
 */
guint
lb_test_socks_count (LbTestSocks *socks,
                     guint16      port)
{
  g_autofree char *text = NULL;
  g_autofree char *suffix = g_strdup_printf (":%u", port);
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (socks->log, &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    n += g_str_has_suffix (lines[i], suffix);
  return n;
}

void
lb_test_socks_stop (LbTestSocks *socks)
{
  if (socks == NULL)
    return;
  /* It stops when its stdin closes. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (socks->process), NULL, NULL);
  g_subprocess_wait (socks->process, NULL, NULL);
  g_clear_object (&socks->process);
  g_free (socks->log);
  g_free (socks);
}
