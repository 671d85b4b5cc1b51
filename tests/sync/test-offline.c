/* test-offline.c: "Keep mail on this computer" against the private Dovecot
 *
 * The background download of bodies: complete under the account's setting and readable
 * with the server gone, byte for byte; a date window; a download cut again and again that
 * resumes without gaps or duplicates; removing the downloaded mail; and a message opened
 * during the download is served before the download ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lb-account-offline.h"
#include "lb-message-list.h"
#include "lb-test-cli.h"
#include "lb-test-env.h"
#include "lb-test-store.h"

static const char *cli_path;

static gboolean
collect_bodies (LbImapResponse  *r,
                gpointer         user_data,
                GError         **error)
{
  const LbImapBodySection *sec;

  if (r->kind != LB_IMAP_RESPONSE_FETCH || !(r->u.fetch.items & LB_IMAP_FETCH_UID))
    return TRUE;
  sec = lb_imap_fetch_get_section (&r->u.fetch, "");
  if (sec != NULL && sec->data != NULL)
    g_hash_table_insert (user_data, GUINT_TO_POINTER (r->u.fetch.uid), g_bytes_ref (sec->data));
  return TRUE;
}

/* uid -> GBytes of every message of MAILBOX, as the server has it. */
static GHashTable *
server_bodies (LbTestEnv  *env,
               const char *mailbox)
{
  g_autoptr(LbImapSession) session = lb_test_env_server_session (env);
  g_autoptr(LbImapResponse) ok = NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *bodies = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_bytes_unref);
  LbImapSelectInfo info;

  g_assert_true (lb_imap_session_select_sync (session, mailbox, TRUE, NULL, NULL, NULL, &info,
                                              NULL, &error));
  g_assert_no_error (error);
  ok = lb_imap_session_command_sync (session, collect_bodies, bodies, NULL, &error,
                                     "UID FETCH 1:* (UID BODY.PEEK[])");
  g_assert_no_error (error);
  lb_imap_session_logout (session);
  return bodies;
}

static gint64
store_int (LbTestEnv  *env,
           const char *sql)
{
  return lb_test_store_query_int (lb_engine_get_store_path (env->engine), sql);
}

/* Downloads until the account is complete under its setting, as `letterbox-cli sync`
 * does; returns how many batches failed on the way (a cut link fails a batch). */
static guint
download_all (LbTestEnv *env)
{
  guint remaining = 0;
  guint failures = 0;

  do
    {
      g_autoptr(GError) error = NULL;

      lb_account_download_async (env->account, NULL, lb_test_got_result, &env->result);
      if (!lb_account_download_finish (env->account, lb_test_env_wait (env), &remaining, NULL, &error))
        {
          g_assert_error (error, LB_ERROR, LB_ERROR_NETWORK);
          g_assert_cmpuint (++failures, <, 200);
          remaining = 1;
        }
    }
  while (remaining > 0);
  return failures;
}

static void
set_offline (LbTestEnv *env,
             int        days)
{
  g_autoptr(LbAccountSettings) s = lb_account_dup_settings (env->account);
  g_autoptr(GError) error = NULL;
  LbAccount *updated;

  s->offline_days = days;
  lb_engine_update_account_async (env->engine, env->account, s, NULL, NULL, lb_test_got_result,
                                  &env->result);
  updated = lb_engine_update_account_finish (env->engine, lb_test_env_wait (env), &error);
  g_assert_no_error (error);
  g_assert_cmpint (lb_account_get_offline_days (updated), ==, days);
  g_set_object (&env->account, updated);
  g_object_unref (updated);
}

static GBytes *
open_message (LbTestEnv *env,
              gint64     message_id,
              GError   **error)
{
  lb_account_fetch_body_async (env->account, message_id, NULL, lb_test_got_result, &env->result);
  return lb_account_fetch_body_finish (env->account, lb_test_env_wait (env), error);
}

static LbDiskUse
disk_use (LbTestEnv *env)
{
  g_autoptr(GError) error = NULL;
  LbDiskUse use = { 0 };

  lb_account_get_disk_use_async (env->account, NULL, lb_test_got_result, &env->result);
  g_assert_true (lb_account_get_disk_use_finish (env->account, lb_test_env_wait (env), &use, &error));
  g_assert_no_error (error);
  return use;
}

/* Every body of INBOX in the store equals the server's, and there is one per message. */
static void
assert_inbox_complete (LbTestEnv  *env,
                       GHashTable *server)
{
  gint64 inbox = lb_folder_get_id (lb_test_env_folder (env, LB_FOLDER_ROLE_INBOX));
  GHashTableIter iter;
  gpointer uid, bytes;

  g_hash_table_iter_init (&iter, server);
  while (g_hash_table_iter_next (&iter, &uid, &bytes))
    {
      g_autoptr(LbMessage) m = lb_test_env_message_with_uid (env, inbox, GPOINTER_TO_UINT (uid));
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) got = open_message (env, lb_message_get_id (m), &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (got, bytes));
    }
}

/* A message delivered now whose Date is DAYS_AGO in the past (the store dates a message by
 * its Date header when that is earlier than its arrival). */
static void
deliver_dated (LbTestEnv  *env,
               int         days_ago,
               const char *subject)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) when = g_date_time_add_days (now, -days_ago);
  g_autofree char *date = g_date_time_format (when, "%a, %d %b %Y %H:%M:%S +0000");
  g_autofree char *text = g_strdup_printf ("From: Bob <bob@example.org>\r\nTo: %s\r\n"
                                           "Subject: %s\r\nDate: %s\r\nMessage-ID: <%s@example.org>\r\n"
                                           "\r\nThe body of %s, with a kookaburra.\r\n", LB_TEST_ENV_USER, subject,
                                           date, subject, subject);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;

  g_assert_true (lb_test_servers_deliver (env->servers, LB_TEST_ENV_USER, "INBOX", bytes, NULL,
                                          &error));
  g_assert_no_error (error);
}

static void
test_all_readable_offline (void)
{
  const char * const corpus[] = { LB_TEST_ENV_USER ":INBOX:120:31", LB_TEST_ENV_USER ":Work:30:32",
                                  NULL };
  LbTestEnvOptions options = { .corpus = corpus };
  LbTestEnv env = { 0 };
  g_autoptr(GHashTable) server = NULL;
  LbDiskUse use;

  lb_test_env_start (&env, &options);
  deliver_dated (&env, 400, "quokka-note");
  g_assert_cmpint (lb_account_get_offline_days (env.account), ==, 0);
  lb_test_env_sync_ok (&env);
  g_assert_cmpuint (download_all (&env), ==, 0);
  /* Search finds a word that is only in a downloaded body, from the local index. */
  lb_engine_wait_idle (env.engine);
  {
    g_autoptr(LbMessageList) found = lb_engine_search (env.engine, "kookaburra", 0);

    while (lb_message_list_is_loading (found))
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (found)), ==, 1);
    g_assert_false (lb_message_list_get_incomplete (found));
  }
  use = disk_use (&env);
  g_assert_cmpuint (use.n_messages, ==, 151);
  g_assert_cmpuint (use.n_bodies, ==, 151);
  /* Compressed: the bench mail and the corpus both shrink to about two thirds. */
  g_assert_cmpuint (use.stored_bytes, <, use.raw_bytes);
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM bodies WHERE encoding = 1"), >, 0);
  /* Every downloaded body is in the search text. */
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM message_text WHERE body IS NULL"), ==, 0);

  server = server_bodies (&env, "INBOX");
  g_assert_cmpuint (g_hash_table_size (server), ==, 121);
  /* The server goes away: every message still opens, the same bytes. */
  g_clear_pointer (&env.servers, lb_test_servers_stop);
  assert_inbox_complete (&env, server);
  lb_test_env_stop (&env);
}

static void
test_window (void)
{
  /* The corpus is dated 2021-2025: older than any window. */
  const char * const corpus[] = { LB_TEST_ENV_USER ":INBOX:20:33", NULL };
  LbTestEnvOptions options = { .corpus = corpus };
  LbTestEnv env = { 0 };
  gint64 since = g_get_real_time () / G_USEC_PER_SEC - 30 * 86400;
  g_autofree char *in_window = g_strdup_printf ("SELECT count(*) FROM bodies b JOIN messages m "
                                                "ON m.id = b.message_id WHERE m.date >= %"
                                                G_GINT64_FORMAT, since);

  lb_test_env_start (&env, &options);
  deliver_dated (&env, 2, "two-days");
  deliver_dated (&env, 20, "twenty-days");
  deliver_dated (&env, 100, "hundred-days");
  set_offline (&env, 30);
  lb_test_env_sync_ok (&env);
  download_all (&env);
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM messages"), ==, 23);
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM bodies"), ==, 2);
  g_assert_cmpint (store_int (&env, in_window), ==, 2);

  /* Everything, then back to 30 days: the next run drops what is outside. */
  set_offline (&env, 0);
  lb_test_env_sync_ok (&env);
  download_all (&env);
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM bodies"), ==, 23);
  set_offline (&env, 30);
  lb_test_env_sync_ok (&env);
  download_all (&env);
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM bodies"), ==, 2);
  g_assert_cmpint (store_int (&env, in_window), ==, 2);
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM message_text t WHERE t.body IS NOT NULL"),
                   ==, 2);

  /* Headers only: nothing more is downloaded, and what is there stays. */
  set_offline (&env, -1);
  deliver_dated (&env, 1, "one-day");
  lb_test_env_sync_ok (&env);
  download_all (&env);
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM messages"), ==, 24);
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM bodies"), ==, 2);
  lb_test_env_stop (&env);
}

/* The order in which bodies reach the store, kept by the test itself: a body stored twice
 * shows as two rows. */
static void
record_body_order (LbTestEnv *env)
{
  lb_test_store_exec (lb_engine_get_store_path (env->engine),
                      "CREATE TABLE test_order (seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER);"
                      "CREATE TRIGGER test_order_body AFTER INSERT ON bodies BEGIN "
                      "  INSERT INTO test_order (message_id) VALUES (NEW.message_id); END;");
}

static void
test_cut_resumes (void)
{
  const char * const corpus[] = { LB_TEST_ENV_USER ":INBOX:120:34", NULL };
  /* Without COMPRESS, bytes on the wire are bytes of mail, and the cut lands where this
   * test says: in the middle of the bodies. */
  LbTestEnvOptions options = {
    .corpus = corpus, .proxy = LB_TEST_ENV_PROXY_IMAP,
    .imap_capability = "IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE UIDPLUS MOVE SPECIAL-USE "
                       "CONDSTORE QRESYNC NAMESPACE CHILDREN UNSELECT",
  };
  LbTestEnv env = { 0 };
  g_autoptr(GHashTable) server = NULL;
  GHashTableIter iter;
  gpointer bytes;
  guint64 total = 0;
  guint failures;

  g_setenv ("LETTERBOX_DOWNLOAD_BATCH", "15", TRUE);
  lb_test_env_start (&env, &options);
  record_body_order (&env);
  server = server_bodies (&env, "INBOX");
  g_hash_table_iter_init (&iter, server);
  while (g_hash_table_iter_next (&iter, NULL, &bytes))
    total += g_bytes_get_size (bytes);
  g_assert_cmpuint (total, >, 3 * 40 * 1000);

  /* Headers first, with nothing downloaded behind them. */
  set_offline (&env, -1);
  lb_test_env_sync_ok (&env);
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM bodies"), ==, 0);

  /* The new connection is cut after 40 kB: past the login, a few batches into the
   * bodies; the download reconnects and carries on from what the store holds. */
  set_offline (&env, 0);
  lb_test_proxy_cut_after (env.proxy, 40 * 1000);
  failures = download_all (&env);
  g_test_message ("%u cuts, %u failed batches, %u connections", lb_test_proxy_get_faults (env.proxy),
                  failures, lb_test_proxy_get_connections (env.proxy));
  g_assert_cmpuint (lb_test_proxy_get_faults (env.proxy), ==, 1);

  /* No gap: every body, the server's bytes; no duplicate: each stored once. */
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM bodies"), ==, 120);
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM test_order"), ==, 120);
  g_assert_cmpint (store_int (&env, "SELECT count(DISTINCT message_id) FROM test_order"), ==, 120);
  assert_inbox_complete (&env, server);
  g_unsetenv ("LETTERBOX_DOWNLOAD_BATCH");
  lb_test_env_stop (&env);
}

static goffset
store_file_bytes (LbTestEnv *env)
{
  const char *path = lb_engine_get_store_path (env->engine);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  GStatBuf st;
  goffset total = 0;

  if (g_stat (path, &st) == 0)
    total += st.st_size;
  if (g_stat (wal, &st) == 0)
    total += st.st_size;
  return total;
}

static void
test_remove_frees_space (void)
{
  const char * const corpus[] = { LB_TEST_ENV_USER ":INBOX:150:35", NULL };
  LbTestEnvOptions options = { .corpus = corpus };
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMessage) m = NULL;
  g_autoptr(GBytes) body = NULL;
  LbDiskUse before, after;
  goffset file_before, file_after;
  guint removed = 0;

  lb_test_env_start (&env, &options);
  lb_test_env_sync_ok (&env);
  download_all (&env);
  before = disk_use (&env);
  g_assert_cmpuint (before.n_bodies, ==, 150);
  file_before = store_file_bytes (&env);

  set_offline (&env, -1);
  lb_account_remove_bodies_async (env.account, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_account_remove_bodies_finish (env.account, lb_test_env_wait (&env), &removed,
                                                  &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 150);
  after = disk_use (&env);
  file_after = store_file_bytes (&env);
  g_test_message ("store %" G_GOFFSET_FORMAT " -> %" G_GOFFSET_FORMAT " bytes; bodies %"
                  G_GUINT64_FORMAT " + text %" G_GUINT64_FORMAT " bytes removed", file_before,
                  file_after, before.stored_bytes, before.text_bytes);
  g_assert_cmpuint (after.n_bodies, ==, 0);
  g_assert_cmpuint (after.n_messages, ==, 150);
  g_assert_cmpuint (after.stored_bytes, ==, 0);
  /* The file shrank by at least the bodies it held. */
  g_assert_cmpint (file_before - file_after, >=, (goffset) before.stored_bytes);

  /* Headers stay; a message opens again from the server. */
  m = lb_test_env_message_with_uid (&env, lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX)),
                                    1);
  body = open_message (&env, lb_message_get_id (m), &error);
  g_assert_no_error (error);
  g_assert_nonnull (body);
  lb_test_env_stop (&env);
}

static void
test_open_jumps_queue (void)
{
  const char * const corpus[] = { LB_TEST_ENV_USER ":INBOX:200:36", NULL };
  LbTestEnvOptions options = { .corpus = corpus };
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *position = NULL;
  gint64 oldest;
  gint64 rank;

  /* Small batches: many chances for the open to go first. */
  g_setenv ("LETTERBOX_DOWNLOAD_BATCH", "5", TRUE);
  lb_test_env_start (&env, &options);
  record_body_order (&env);
  /* Headers first, with nothing downloaded behind them. */
  set_offline (&env, -1);
  lb_test_env_sync_ok (&env);
  oldest = store_int (&env, "SELECT m.id FROM messages m ORDER BY m.date ASC, m.id ASC LIMIT 1");
  set_offline (&env, 0);
  /* A sync queues the download behind it; the open is asked for while it runs. */
  lb_account_sync_async (env.account, 0, LB_JOB_PRIORITY_USER, NULL, NULL, NULL);
  body = open_message (&env, oldest, &error);
  g_assert_no_error (error);
  g_assert_nonnull (body);
  download_all (&env);
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM bodies"), ==, 200);
  g_assert_cmpint (store_int (&env, "SELECT count(*) FROM test_order"), ==, 200);

  /* The oldest message is the download's last; opened, it was stored among the first,
   * ahead of the download (at most the batch in progress went before it). */
  position = g_strdup_printf ("SELECT count(*) FROM test_order WHERE seq <= "
                              "(SELECT seq FROM test_order WHERE message_id = %" G_GINT64_FORMAT ")",
                              oldest);
  rank = store_int (&env, position);
  g_test_message ("the opened message was body %" G_GINT64_FORMAT " of 200 to reach the store", rank);
  g_assert_cmpint (rank, >=, 1);
  g_assert_cmpint (rank, <=, 10);
  g_unsetenv ("LETTERBOX_DOWNLOAD_BATCH");
  lb_test_env_stop (&env);
}

/* letterbox-cli: --offline on `account set`, `sync` that returns with every body the setting
 * keeps, `account usage` and `account clean`. */
static void
run_cli (LbTestEnv          *env,
         LbTestCliRun       *run,
         const char * const *args)
{
  const char * const extra[] = { "--data-dir", env->profile, NULL };

  lb_test_cli_run (run, cli_path, NULL, NULL, args, extra);
  g_test_message ("letterbox-cli %s %s -> %d\n%s%s", args[0], args[1] != NULL ? args[1] : "",
                  run->status, run->out, run->err);
}

static void
test_cli (void)
{
  const char * const corpus[] = { LB_TEST_ENV_USER ":INBOX:25:37", NULL };
  LbTestEnvOptions options = { .corpus = corpus, .offline_days = -1 };
  LbTestEnv env = { 0 };
  LbTestCliRun run = { 0 };
  g_autofree char *store = NULL;

  lb_test_env_start (&env, &options);
  store = g_build_filename (env.profile, "letterbox.db", NULL);
  lb_test_env_close_engine (&env);

  run_cli (&env, &run, (const char *[]) { "account", "set", LB_TEST_ENV_USER, "--offline", "bogus", NULL });
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "--offline"));
  run_cli (&env, &run, (const char *[]) { "account", "set", LB_TEST_ENV_USER, "--offline", "all",
                                          "--offline-max-mb", "20", "--json", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\"offline\":\"all\""));
  g_assert_nonnull (strstr (run.out, "\"offline_max_mb\":20"));

  /* sync returns once every body is in, and its text. */
  run_cli (&env, &run, (const char *[]) { "sync", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpint (lb_test_store_query_int (store, "SELECT count(*) FROM bodies WHERE text_done = 1"),
                   ==, 25);
  run_cli (&env, &run, (const char *[]) { "account", "usage", LB_TEST_ENV_USER, "--json", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\"downloaded\":25"));

  run_cli (&env, &run, (const char *[]) { "account", "clean", LB_TEST_ENV_USER, "--json", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\"downloaded\":0"));
  g_assert_nonnull (strstr (run.out, "\"offline\":\"none\""));
  lb_test_cli_run_clear (&run);
  lb_test_env_open_engine (&env);
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  cli_path = argv[1];
  g_test_add_func ("/offline/all-readable-offline", test_all_readable_offline);
  g_test_add_func ("/offline/window", test_window);
  g_test_add_func ("/offline/cut-resumes", test_cut_resumes);
  g_test_add_func ("/offline/remove-frees-space", test_remove_frees_space);
  g_test_add_func ("/offline/open-jumps-queue", test_open_jumps_queue);
  g_test_add_func ("/offline/cli", test_cli);
  return g_test_run ();
}
