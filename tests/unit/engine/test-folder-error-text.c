/* test-folder-error-text.c: a folder's failure as it is shown in the sidebar and the CLI
 *
 * The text comes from the server (a NO to SELECT), so it may carry terminal escapes,
 * bidi overrides, line breaks and invalid UTF-8; what is kept must be safe to show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lb-error.h"
#include "lb-imap-sync-private.h"

static char *
text_for (LbImapSync *sync,
          const char *server_text)
{
  g_autoptr(GError) error = g_error_new_literal (LB_ERROR, LB_ERROR_SERVER_NO, server_text);

  return _lb_imap_sync_folder_error_text (sync, error);
}

static void
test_sanitised (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-folder-error-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr(LbStore) store = NULL;
  g_autoptr(LbServerConfig) config = lb_server_config_new ("127.0.0.1", 993, LB_SECURITY_TLS, "a");
  g_autofree char *plain = NULL;
  g_autofree char *hostile = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *longer = NULL;
  g_autofree char *many = NULL;
  LbImapSync *sync;

  g_assert_no_error (error);
  store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  sync = lb_imap_sync_new (store, 1, config, NULL, NULL, NULL);

  plain = text_for (sync, "Permission denied (0.001 + 0.000 secs).");
  g_assert_cmpstr (plain, ==, "Permission denied (0.001 + 0.000 secs).");

  /* Escapes, a bidi override, C1 controls and line breaks become single spaces; bytes
   * that are not UTF-8 (nor GB18030) are replaced. */
  hostile = text_for (sync, "\x1b]0;owned\x07No\r\n\tway \xe2\x80\xae" "dessap\xc2\x9b" "2J \xff\xfe!");
  g_assert_true (g_utf8_validate (hostile, -1, NULL));
  for (const char *p = hostile; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      g_assert_false (g_unichar_iscntrl (c));
      g_assert_cmpint (g_unichar_type (c), !=, G_UNICODE_FORMAT);
    }
  g_assert_null (strstr (hostile, "  "));
  g_assert_nonnull (strstr (hostile, "No way"));

  /* No text at all still says something. */
  empty = text_for (sync, " \r\n");
  g_assert_cmpstr (empty, !=, "");

  /* A tooltip, not a log: long texts are cut. */
  many = g_strnfill (1000, 'x');
  longer = text_for (sync, many);
  g_assert_cmpint (g_utf8_strlen (longer, -1), <=, 200);

  lb_imap_sync_free (sync);
  g_clear_object (&store);
  g_assert_cmpint (g_unlink (path), ==, 0);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/worker/folder-error-text", test_sanitised);
  return g_test_run ();
}
