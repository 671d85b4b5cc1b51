/* test-resync.c: a resync from QRESYNC's report of what changed equals the full UID
 * comparison, and falls back to it when the two disagree
 *
 * With QRESYNC the engine reads only what changed since the stored state (VANISHED
 * (EARLIER), the flag changes, the UIDs above the highest stored one), whatever the
 * folder's size.  These tests make changes on both sides, in two folders, and check the
 * store against the server after each resync, and which path the engine took (its debug
 * log says so).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-test-env.h"
#include "lb-test-log.h"
#include "lb-test-store.h"

static void
server_command (LbImapSession *other,
                const char    *command)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapResponse) ok = NULL;

  ok = lb_imap_session_command_sync (other, NULL, NULL, NULL, &error, "%s", command);
  g_assert_no_error (error);
}

static void
server_select (LbImapSession *other,
               const char    *mailbox)
{
  g_autoptr(GError) error = NULL;
  LbImapSelectInfo info;

  lb_imap_session_select_sync (other, mailbox, FALSE, NULL, NULL, NULL, &info, NULL, &error);
  g_assert_no_error (error);
}

static void
server_append (LbImapSession *other,
               const char    *mailbox,
               guint          n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("From: Bob <bob@example.com>\r\nTo: alice@example.com\r\n"
                                           "Subject: new %u in %s\r\nMessage-ID: <resync-%u-%s@example.com>\r\n"
                                           "\r\nHello\r\n", n, mailbox, n, mailbox);
  g_autoptr(GBytes) msg = g_bytes_new (text, strlen (text));

  lb_imap_session_append_sync (other, mailbox, NULL, msg, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
env_start (LbTestEnv *env)
{
  const char * const corpus[] = { "alice@example.com:INBOX:200:81", "alice@example.com:Archive:80:82",
                                  NULL };
  LbTestEnvOptions options = { 0 };

  options.corpus = corpus;
  lb_test_env_start (env, &options);
  lb_test_env_sync_ok (env);
}

static void
assert_all_match (LbTestEnv *env)
{
  lb_test_env_assert_folder_matches (env, LB_FOLDER_ROLE_INBOX, "INBOX");
  lb_test_env_assert_folder_matches (env, LB_FOLDER_ROLE_ARCHIVE, "Archive");
}

/* Changes on both sides in two folders: the resync reads them from QRESYNC alone and
 * ends equal to the server, and a resync with no change does too. */
static void
test_changes_both_sides (void)
{
  g_autoptr(LbImapSession) other = NULL;
  g_autoptr(LbMessage) mine = NULL;
  g_autoptr(GHashTable) server = NULL;
  LbTestEnv env = { 0 };
  gint64 inbox;

  env_start (&env);
  inbox = lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX));

  /* Here: flag uid 7. */
  mine = lb_test_env_message_with_uid (&env, inbox, 7);
  lb_engine_set_flags (env.engine, &mine, 1, LB_FLAG_FLAGGED, 0);
  lb_engine_wait_idle (env.engine);

  /* There: flags changed, messages expunged and new ones appended, in both folders. */
  other = lb_test_env_server_session (&env);
  server_select (other, "INBOX");
  server_command (other, "UID STORE 10 +FLAGS.SILENT (\\Flagged \\Answered)");
  server_command (other, "UID STORE 11:13 -FLAGS.SILENT (\\Seen)");
  server_command (other, "UID STORE 20,150 +FLAGS.SILENT (\\Deleted)");
  server_command (other, "EXPUNGE");
  server_append (other, "INBOX", 1);
  server_select (other, "Archive");
  server_command (other, "UID STORE 5 +FLAGS.SILENT (\\Seen \\Flagged)");
  server_command (other, "UID STORE 80 +FLAGS.SILENT (\\Deleted)");
  server_command (other, "EXPUNGE");
  server_append (other, "Archive", 2);
  server_append (other, "Archive", 3);
  lb_imap_session_logout (other);

  lb_test_log_clear ();
  lb_test_env_sync_ok (&env);
  assert_all_match (&env);
  server = lb_test_env_server_flags (&env, "INBOX");
  g_assert_true (GPOINTER_TO_UINT (g_hash_table_lookup (server, GUINT_TO_POINTER (7))) & LB_FLAG_FLAGGED);
  g_assert_null (g_hash_table_lookup (server, GUINT_TO_POINTER (20)));
  g_assert_cmpuint (lb_test_log_count ("INBOX: resynced from QRESYNC: 2 vanished"), ==, 1);
  g_assert_cmpuint (lb_test_log_count ("Archive: resynced from QRESYNC: 1 vanished"), ==, 1);
  g_assert_cmpuint (lb_test_log_count ("comparing all UIDs"), ==, 0);

  /* Nothing changed: still the cheap path, and still equal. */
  lb_test_log_clear ();
  lb_test_env_sync_ok (&env);
  assert_all_match (&env);
  g_assert_cmpuint (lb_test_log_count ("INBOX: resynced from QRESYNC: 0 vanished, 0 flag changes, 0 new"), ==, 1);
  g_assert_cmpuint (lb_test_log_count ("comparing all UIDs"), ==, 0);
  g_clear_object (&mine);
  lb_test_env_stop (&env);
}

/* A store that lost messages the server still has (its change log will never mention
 * them): the counts disagree, and the full comparison brings them back. */
static void
test_falls_back_on_disagreement (void)
{
  g_autofree char *path = NULL;
  g_autofree char *sql = NULL;
  LbTestEnv env = { 0 };
  gint64 inbox;

  env_start (&env);
  inbox = lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX));
  lb_test_env_close_engine (&env);

  path = g_build_filename (env.profile, "letterbox.db", NULL);
  sql = g_strdup_printf ("DELETE FROM locations WHERE folder_id = %" G_GINT64_FORMAT
                         " AND uid IN (30, 31, 32)", inbox);
  lb_test_store_exec (path, sql);
  lb_test_env_open_engine (&env);

  lb_test_log_clear ();
  lb_test_env_sync_ok (&env);
  g_assert_cmpuint (lb_test_log_count ("INBOX: 197 messages stored after QRESYNC, the server has 200: "
                                  "comparing all UIDs"), ==, 1);
  assert_all_match (&env);
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  lb_test_log_record ();
  g_setenv ("G_MESSAGES_DEBUG", "Letterbox-Worker", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/resync/changes-both-sides", test_changes_both_sides);
  g_test_add_func ("/resync/falls-back-on-disagreement", test_falls_back_on_disagreement);
  return g_test_run ();
}
