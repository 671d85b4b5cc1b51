/* test-sync.c: the engine against a real Dovecot
 *
 * Every test starts its own private Dovecot (tests/fixtures/lbfixture.py), adds the
 * account through the public engine API (so the secret really goes through the keyring
 * of the test's private D-Bus session), syncs, and compares the store with what the
 * server itself reports over a separate IMAP session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-imap-parser.h"
#include "lb-imap-session.h"
#include "lb-test-env.h"
#include "lb-test-store.h"
#include "lb-test-wait.h"

/* A plain Dovecot (CAPABILITY: NULL keeps Dovecot's) with CORPUS, the engine going
 * through a proxy when WITH_PROXY. */
static void
env_start (LbTestEnv          *env,
           const char         *capability,
           const char * const *corpus,
           gboolean            with_proxy)
{
  LbTestEnvOptions options = { 0 };

  options.imap_capability = capability;
  options.corpus = corpus;
  options.proxy = with_proxy ? LB_TEST_ENV_PROXY_IMAP : LB_TEST_ENV_PROXY_NONE;
  lb_test_env_start (env, &options);
}

/* ---- Tests ---- */

static void
test_first_sync (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:2000:11", "alice@example.com:Archive:120:12", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) manifest = NULL;
  g_autofree char *path = NULL;
  g_autoptr(LbMessageList) inbox = NULL;
  g_autoptr(GHashTable) subjects = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  LbTestEnv env = { 0 };
  guint chinese = 0;

  env_start (&env, NULL, corpus, FALSE);
  lb_test_env_sync_ok (&env);

  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_ARCHIVE, "Archive");
  g_assert_cmpuint (lb_folder_get_total_count (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX)), ==, 2000);
  /* The session asked NAMESPACE: Dovecot's personal namespace has an empty prefix and "/". */
  {
    g_autoptr(LbImapSession) s = lb_test_env_server_session (&env);
    g_assert_cmpstr (lb_imap_session_get_namespace_prefix (s), ==, "");
    g_assert_cmpint (lb_imap_session_get_delimiter (s), ==, '/');
    lb_imap_session_logout (s);
  }
  /* Every special folder of the fixture got its role. */
  lb_test_env_folder (&env, LB_FOLDER_ROLE_SENT);
  lb_test_env_folder (&env, LB_FOLDER_ROLE_DRAFTS);
  lb_test_env_folder (&env, LB_FOLDER_ROLE_TRASH);
  lb_test_env_folder (&env, LB_FOLDER_ROLE_JUNK);

  /* Decoded subjects (GBK, split encoded-words, raw 8-bit) equal the corpus's. */
  path = lb_test_servers_manifest_path (env.servers, "alice@example.com", "INBOX");
  manifest = lb_test_corpus_manifest_load (path, &error);
  g_assert_no_error (error);
  inbox = lb_engine_open_folder (env.engine, lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX)));
  /* The newest rows are there at once, the others after a reload. */
  g_assert_true (lb_test_wait_n_items (G_LIST_MODEL (inbox), 2000, 30));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (inbox)); i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (inbox), i);
      g_hash_table_insert (subjects, GUINT_TO_POINTER (lb_message_get_uid (m)),
                           g_strdup (lb_message_get_subject (m)));
    }
  for (guint i = 0; i < manifest->len; i++)
    {
      GHashTable *entry = g_ptr_array_index (manifest, i);
      guint uid = (guint) g_ascii_strtoull (g_hash_table_lookup (entry, "uid"), NULL, 10);
      const char *want = g_hash_table_lookup (entry, "subject");
      const char *got = g_hash_table_lookup (subjects, GUINT_TO_POINTER (uid));

      g_assert_cmpstr (got, ==, want);
      for (const char *p = want; *p != '\0'; p = g_utf8_next_char (p))
        if (g_unichar_get_script (g_utf8_get_char (p)) == G_UNICODE_SCRIPT_HAN)
          {
            chinese++;
            break;
          }
    }
  g_assert_cmpuint (chinese, >, 200);
  g_clear_object (&inbox);
  lb_test_env_stop (&env);
}

static void
test_idle (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:20:3", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) msg = NULL;
  LbTestEnv env = { 0 };
  LbMessageList *unified;

  env_start (&env, NULL, corpus, FALSE);
  lb_test_env_sync_ok (&env);
  unified = lb_engine_get_unified_inbox (env.engine);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (unified)), ==, 20);

  lb_engine_start (env.engine);
  /* Let IDLE settle on INBOX before the other client delivers. */
  lb_test_iterate_for (1000);

  msg = g_bytes_new_static ("From: Bob <bob@example.com>\r\nTo: alice@example.com\r\n"
                            "Subject: =?UTF-8?B?5paw6YKu5Lu2?=\r\nMessage-ID: <idle-1@example.com>\r\n"
                            "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\nHello\r\n", 160);
  lb_test_servers_deliver (env.servers, "alice@example.com", "INBOX", msg, NULL, &error);
  g_assert_no_error (error);

  lb_test_wait_n_items (G_LIST_MODEL (unified), 21, 15);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (unified)), ==, 21);
  {
    g_autoptr(LbMessage) top = g_list_model_get_item (G_LIST_MODEL (unified), 0);
    g_assert_cmpstr (lb_message_get_subject (top), ==, "新邮件");
  }
  lb_test_env_stop (&env);
}

static void
flags_meet (const char *capability)
{
  const char * const corpus[] = { "alice@example.com:INBOX:40:5", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapSession) other = NULL;
  g_autoptr(LbImapResponse) ok = NULL;
  g_autoptr(LbMessage) m3 = NULL;
  g_autoptr(LbMessage) m4 = NULL;
  g_autoptr(GHashTable) server = NULL;
  LbTestEnv env = { 0 };
  gint64 inbox;
  LbImapSelectInfo info;

  env_start (&env, capability, corpus, FALSE);
  lb_test_env_sync_ok (&env);
  inbox = lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX));

  /* Here: mark uid 3 read and flag uid 4; the list shows it at once. */
  m3 = lb_test_env_message_with_uid (&env, inbox, 3);
  m4 = lb_test_env_message_with_uid (&env, inbox, 4);
  lb_engine_set_flags (env.engine, &m3, 1, 0, LB_FLAG_SEEN);
  lb_engine_set_flags (env.engine, &m3, 1, LB_FLAG_SEEN, 0);
  lb_engine_set_flags (env.engine, &m4, 1, LB_FLAG_FLAGGED, 0);
  g_assert_true (lb_message_get_flagged (m4));
  g_assert_false (lb_message_get_unread (m3));
  lb_engine_wait_idle (env.engine);

  /* There: another client flags uid 5 and clears \Seen on uid 6. */
  other = lb_test_env_server_session (&env);
  lb_imap_session_select_sync (other, "INBOX", FALSE, NULL, NULL, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  ok = lb_imap_session_command_sync (other, NULL, NULL, NULL, &error,
                                     "UID STORE 5 +FLAGS.SILENT (\\Flagged \\Seen)");
  g_assert_no_error (error);
  g_clear_pointer (&ok, lb_imap_response_unref);
  ok = lb_imap_session_command_sync (other, NULL, NULL, NULL, &error,
                                     "UID STORE 6 -FLAGS.SILENT (\\Seen)");
  g_assert_no_error (error);
  lb_imap_session_logout (other);

  lb_test_env_sync_ok (&env);
  server = lb_test_env_server_flags (&env, "INBOX");
  g_assert_true (GPOINTER_TO_UINT (g_hash_table_lookup (server, GUINT_TO_POINTER (3))) & LB_FLAG_SEEN);
  g_assert_true (GPOINTER_TO_UINT (g_hash_table_lookup (server, GUINT_TO_POINTER (4))) & LB_FLAG_FLAGGED);
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
  g_clear_object (&m3);
  g_clear_object (&m4);
  lb_test_env_stop (&env);
}

static void
test_flags_meet (void)
{
  flags_meet (NULL);
}

/* QQ and 163 advertise no CONDSTORE, QRESYNC, SPECIAL-USE, ESEARCH or MOVE. */
#define QQ_LIKE "IMAP4rev1 XLIST IDLE NAMESPACE CHILDREN ID UIDPLUS"

static void
test_flags_meet_qq_like (void)
{
  flags_meet (QQ_LIKE);
}

static void
move_and_delete (const char *capability)
{
  const char * const corpus[] = { "alice@example.com:INBOX:30:9", NULL };
  g_autoptr(LbMessage) m7 = NULL;
  g_autoptr(LbMessage) m8 = NULL;
  g_autoptr(GHashTable) inbox_flags = NULL;
  g_autoptr(GHashTable) archive_flags = NULL;
  g_autoptr(GHashTable) trash_flags = NULL;
  LbTestEnv env = { 0 };
  gint64 inbox;

  env_start (&env, capability, corpus, FALSE);
  lb_test_env_sync_ok (&env);
  inbox = lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX));
  m7 = lb_test_env_message_with_uid (&env, inbox, 7);
  m8 = lb_test_env_message_with_uid (&env, inbox, 8);
  lb_engine_move (env.engine, &m7, 1, LB_FOLDER_ROLE_ARCHIVE, 0);
  lb_engine_delete (env.engine, &m8, 1);
  lb_engine_flush_pending (env.engine);
  lb_engine_wait_idle (env.engine);
  lb_test_env_sync_ok (&env);

  inbox_flags = lb_test_env_server_flags (&env, "INBOX");
  archive_flags = lb_test_env_server_flags (&env, "Archive");
  trash_flags = lb_test_env_server_flags (&env, "Trash");
  g_assert_cmpuint (g_hash_table_size (inbox_flags), ==, 28);
  g_assert_false (g_hash_table_contains (inbox_flags, GUINT_TO_POINTER (7)));
  g_assert_false (g_hash_table_contains (inbox_flags, GUINT_TO_POINTER (8)));
  g_assert_cmpuint (g_hash_table_size (archive_flags), ==, 1);
  g_assert_cmpuint (g_hash_table_size (trash_flags), ==, 1);
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_ARCHIVE, "Archive");
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_TRASH, "Trash");
  g_clear_object (&m7);
  g_clear_object (&m8);
  lb_test_env_stop (&env);
}

static void
test_move_delete (void)
{
  move_and_delete (NULL);
}

static void
test_move_delete_no_move (void)
{
  /* 163: no MOVE, so COPY + \Deleted + UID EXPUNGE. */
  move_and_delete ("IMAP4rev1 SPECIAL-USE ID UIDPLUS IDLE");
}

static void
test_undo_leaves_server_alone (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:10:4", NULL };
  g_autoptr(LbMessage) m2 = NULL;
  g_autoptr(GHashTable) server = NULL;
  LbTestEnv env = { 0 };
  LbMessageList *unified;
  guint id;

  env_start (&env, NULL, corpus, FALSE);
  lb_test_env_sync_ok (&env);
  unified = lb_engine_get_unified_inbox (env.engine);
  m2 = lb_test_env_message_with_uid (&env, lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX)),
                                     2);
  id = lb_engine_delete (env.engine, &m2, 1);
  lb_message_list_reload (unified);
  while (lb_message_list_is_loading (unified))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (unified)), ==, 9);
  g_assert_true (lb_engine_undo (env.engine, id));
  lb_message_list_reload (unified);
  while (lb_message_list_is_loading (unified))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (unified)), ==, 10);
  lb_engine_flush_pending (env.engine);
  lb_engine_wait_idle (env.engine);
  lb_test_env_sync_ok (&env);
  server = lb_test_env_server_flags (&env, "INBOX");
  g_assert_cmpuint (g_hash_table_size (server), ==, 10);
  g_clear_object (&m2);
  lb_test_env_stop (&env);
}

static void
test_uidvalidity_change (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:5:2", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapSession) other = NULL;
  g_autoptr(LbImapResponse) ok = NULL;
  g_autoptr(GBytes) msg = g_bytes_new_static ("Subject: again\r\n\r\nbody\r\n", 25);
  LbTestEnv env = { 0 };

  env_start (&env, NULL, corpus, FALSE);
  other = lb_test_env_server_session (&env);
  ok = lb_imap_session_command_sync (other, NULL, NULL, NULL, &error, "CREATE \"Projects\"");
  g_assert_no_error (error);
  g_clear_pointer (&ok, lb_imap_response_unref);
  for (int i = 0; i < 3; i++)
    {
      lb_imap_session_append_sync (other, "Projects", NULL, msg, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  lb_test_env_sync_ok (&env);

  /* Recreate the mailbox: same name, new UIDVALIDITY, two messages with uids 1 and 2. */
  ok = lb_imap_session_command_sync (other, NULL, NULL, NULL, &error, "DELETE \"Projects\"");
  g_assert_no_error (error);
  g_clear_pointer (&ok, lb_imap_response_unref);
  g_usleep (1100 * 1000);   /* Dovecot derives UIDVALIDITY from the clock */
  ok = lb_imap_session_command_sync (other, NULL, NULL, NULL, &error, "CREATE \"Projects\"");
  g_assert_no_error (error);
  for (int i = 0; i < 2; i++)
    {
      lb_imap_session_append_sync (other, "Projects", "\\Flagged", msg, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  lb_imap_session_logout (other);

  lb_test_env_sync_ok (&env);
  {
    GListModel *folders = lb_account_get_folders (env.account);
    gint64 projects = 0;
    g_autoptr(GHashTable) server = lb_test_env_server_flags (&env, "Projects");
    g_autoptr(GHashTable) store = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (folders); i++)
      {
        g_autoptr(LbFolder) f = g_list_model_get_item (folders, i);
        if (g_strcmp0 (lb_folder_get_raw_name (f), "Projects") == 0)
          projects = lb_folder_get_id (f);
      }
    g_assert_cmpint (projects, >, 0);
    store = lb_test_env_store_flags (&env, projects);
    g_assert_cmpuint (g_hash_table_size (store), ==, 2);
    g_assert_cmpuint (g_hash_table_size (server), ==, 2);
    g_assert_true (GPOINTER_TO_UINT (g_hash_table_lookup (store, GUINT_TO_POINTER (1))) & LB_FLAG_FLAGGED);
  }
  lb_test_env_stop (&env);
}

/* The connection dies at different points of a first sync; after a resync the store equals
 * the server, with nothing lost and nothing twice. */
static void
test_cut_mid_fetch (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:600:21", NULL };
  const gint64 cuts[] = { 3000, 9000, 30000, 80000, 150000 };
  g_autoptr(GError) error = NULL;
  LbTestEnv env = { 0 };
  guint failures = 0;

  env_start (&env, NULL, corpus, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      lb_test_proxy_cut_after (env.proxy, cuts[i]);
      /* Force a new connection, so the cut lands at a new offset into its stream. */
      lb_test_proxy_kill_all (env.proxy);
      g_usleep (150 * 1000);
      if (!lb_test_env_sync (&env, 0, &error))
        {
          failures++;
          g_assert_true (error->domain == LB_ERROR);
          g_clear_error (&error);
        }
    }
  lb_test_proxy_cut_after (env.proxy, -1);
  lb_test_env_sync_ok (&env);
  g_assert_cmpuint (lb_test_proxy_get_faults (env.proxy), >=, 3);
  g_assert_cmpuint (failures, >=, 3);
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
  lb_test_env_stop (&env);
}

static void
test_qq_like_first_sync (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:300:13", "alice@example.com:Sent:20:14", NULL };
  LbTestEnv env = { 0 };

  env_start (&env, QQ_LIKE, corpus, FALSE);
  lb_test_env_sync_ok (&env);
  lb_test_env_sync_ok (&env);
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
  /* No SPECIAL-USE: Sent is recognised by its name. */
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_SENT, "Sent");
  lb_test_env_stop (&env);
}

static void
test_body_peek (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:10:6", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GHashTable) server = NULL;
  g_autoptr(LbMessage) unread = NULL;
  LbTestEnv env = { 0 };
  LbMessageList *unified;
  guint32 uid = 0;

  env_start (&env, NULL, corpus, FALSE);
  lb_test_env_sync_ok (&env);
  unified = lb_engine_get_unified_inbox (env.engine);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (unified)) && unread == NULL; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (unified), i);
      if (lb_message_get_unread (m))
        unread = g_object_ref (m);
    }
  g_assert_nonnull (unread);
  uid = lb_message_get_uid (unread);
  lb_account_fetch_body_async (env.account, lb_message_get_id (unread), NULL, lb_test_got_result, &env.result);
  body = lb_account_fetch_body_finish (env.account, lb_test_env_wait (&env), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (body), >, 100);
  /* Downloading is not reading: still unread on the server. */
  server = lb_test_env_server_flags (&env, "INBOX");
  g_assert_false (GPOINTER_TO_UINT (g_hash_table_lookup (server, GUINT_TO_POINTER (uid))) & LB_FLAG_SEEN);
  /* And it is cached for offline reading. */
  {
    g_autoptr(GBytes) cached = lb_engine_get_cached_body (env.engine, lb_message_get_id (unread));
    g_assert_nonnull (cached);
    g_assert_true (g_bytes_equal (cached, body));
  }
  g_clear_object (&unread);
  lb_test_env_stop (&env);
}

static void
on_status (LbAccount  *account,
           GParamSpec *pspec,
           gboolean   *changed)
{
  *changed = TRUE;
}

/* Text queued for the search index (here: all of it, as migration 004 leaves a store) is
 * indexed when the account starts, even with its server gone. */
static gboolean
index_queue_empty (gpointer path)
{
  return lb_test_store_query_int (path, "SELECT count(*) FROM fts_pending") == 0;
}

static void
test_index_offline (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:30:13", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  LbTestEnv env = { 0 };
  gint64 texts;

  env_start (&env, NULL, corpus, FALSE);
  lb_test_env_sync_ok (&env);
  lb_engine_shutdown (env.engine);
  g_clear_object (&env.account);
  g_assert_finalize_object (env.engine);
  env.engine = NULL;

  path = g_build_filename (env.profile, "letterbox.db", NULL);
  lb_test_store_exec (path, "INSERT INTO message_fts (message_fts) VALUES ('delete-all'); "
                            "DELETE FROM search_keys; "
                            "INSERT OR IGNORE INTO fts_pending SELECT message_id FROM message_text");
  texts = lb_test_store_query_int (path, "SELECT count(*) FROM fts_pending");
  g_assert_cmpint (texts, >=, 30);

  /* The server goes away; the account starts and cannot connect. */
  g_clear_pointer (&env.servers, lb_test_servers_stop);
  env.engine = lb_engine_new (env.profile, &error);
  g_assert_no_error (error);
  lb_engine_start (env.engine);
  g_assert_true (lb_test_wait_until (index_queue_empty, path, 30));
  g_assert_cmpint (lb_test_store_query_int (path, "SELECT count(*) FROM message_text"), ==, texts);
  /* Every text has its search key again: it is in the index. */
  g_assert_cmpint (lb_test_store_query_int (path, "SELECT count(*) FROM search_keys"), ==, texts);
  lb_test_env_stop (&env);
}

/* A refused login leaves the account in ERROR with a message for people, not curl's. */
static void
test_wrong_password (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:3:1", NULL };
  g_autoptr(GError) error = NULL;
  LbTestEnvOptions options = { .corpus = corpus, .secret = "not-the-password" };
  LbTestEnv env = { 0 };
  gboolean changed = FALSE;

  lb_test_env_start (&env, &options);
  g_signal_connect (env.account, "notify::last-error", G_CALLBACK (on_status), &changed);
  g_assert_false (lb_test_env_sync (&env, 0, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_AUTH);
  while (!changed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (lb_account_get_status (env.account), ==, LB_ACCOUNT_STATUS_ERROR);
  g_assert_nonnull (lb_account_get_last_error (env.account));
  g_assert_null (strstr (lb_account_get_last_error (env.account), "Login denied"));
  g_assert_null (strstr (lb_account_get_last_error (env.account), "not-the-password"));
  g_signal_handlers_disconnect_by_data (env.account, &changed);
  lb_test_env_stop (&env);
}

/* A message as another client delivers it: same Message-ID, Date and length for every
 * SUBJECT of the same length, so only the envelope tells two of them apart. */
static GBytes *
lookalike (const char *subject)
{
  char *text = g_strdup_printf ("From: Billing <billing@example.com>\r\n"
                                "To: alice@example.com\r\n"
                                "Subject: %s\r\n"
                                "Message-ID: <invoice@example.com>\r\n"
                                "Date: Mon, 07 Dec 2026 09:00:00 +0000\r\n"
                                "\r\n"
                                "Amount due: 120.00\r\n", subject);

  return g_bytes_new_take (text, strlen (text));
}

/* Bug 9: a real copy of a message (COPY keeps it byte for byte, with its arrival time) is
 * stored once; another message that only shares its Message-ID, Date and size stays a
 * message of its own. */
static void
test_copies_and_lookalikes (void)
{
  const char * const corpus[] = { "alice@example.com:Archive:1:5", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) original = lookalike ("Invoice 1043");
  g_autoptr(GBytes) other = lookalike ("Invoice 1044");
  g_autofree char *path = NULL;
  LbTestEnv env = { 0 };

  g_assert_cmpuint (g_bytes_get_size (original), ==, g_bytes_get_size (other));
  env_start (&env, NULL, corpus, FALSE);
  lb_test_servers_deliver (env.servers, "alice@example.com", "INBOX", original, "S", &error);
  g_assert_no_error (error);
  lb_test_servers_deliver (env.servers, "alice@example.com", "Archive", other, "S", &error);
  g_assert_no_error (error);
  {
    g_autoptr(LbImapSession) s = lb_test_env_server_session (&env);
    g_autoptr(LbImapResponse) ok = NULL;

    lb_imap_session_select_sync (s, "INBOX", FALSE, NULL, NULL, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    ok = lb_imap_session_command_sync (s, NULL, NULL, NULL, &error, "UID COPY 1:* Archive");
    g_assert_no_error (error);
    lb_imap_session_logout (s);
  }
  lb_test_env_sync_ok (&env);
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_ARCHIVE, "Archive");

  path = g_build_filename (env.profile, "letterbox.db", NULL);
  g_assert_cmpint (lb_test_store_query_int (path, "SELECT count(*) FROM locations l JOIN messages m "
                                            "ON m.id = l.message_id WHERE m.message_id = "
                                            "'invoice@example.com'"), ==, 3);
  /* The copy and the original are one message; the lookalike is another. */
  g_assert_cmpint (lb_test_store_query_int (path, "SELECT count(*) FROM messages "
                                            "WHERE message_id = 'invoice@example.com'"), ==, 2);
  g_assert_cmpint (lb_test_store_query_int (path, "SELECT count(*) FROM messages "
                                            "WHERE subject = 'Invoice 1044'"), ==, 1);
  g_assert_cmpint (lb_test_store_query_int (path, "SELECT count(*) FROM locations l JOIN messages m "
                                            "ON m.id = l.message_id "
                                            "WHERE m.subject = 'Invoice 1043'"), ==, 2);
  lb_test_env_stop (&env);
}

/* ---- Local changes against a sync in progress, and a crash in the middle of one ---- */

typedef struct {
  LbTestEnv *env;
  gint64     folder_id;
} FolderOf;

static gboolean
bodies_cached (gpointer data)
{
  FolderOf *f = data;
  g_autoptr(LbMessageList) list = lb_engine_open_folder (f->env->engine, f->folder_id);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_autoptr(GBytes) body = lb_engine_get_cached_body (f->env->engine, lb_message_get_id (m));
      if (body == NULL)
        return FALSE;
    }
  return n > 0;
}

/* The background prefetch after a sync uses the connection too; wait until it is done,
 * so that the next command on the wire is the test's own. */
static void
wait_prefetched (LbTestEnv *env,
                 gint64     folder_id)
{
  FolderOf f = { env, folder_id };

  g_assert_true (lb_test_wait_until (bodies_cached, &f, 60));
}

static LbMessage *
first_unread (LbTestEnv *env,
              gint64     folder_id)
{
  g_autoptr(LbMessageList) list = lb_engine_open_folder (env->engine, folder_id);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      LbMessage *m = g_list_model_get_item (G_LIST_MODEL (list), i);
      if (lb_message_get_unread (m))
        return m;
      g_object_unref (m);
    }
  g_assert_not_reached ();
}

/* The user deletes a message, or marks it read, while a sync of its folder waits for a
 * slow server: after the replay, before the server's UIDs are read.  The sync must not
 * bring the deleted message back nor put the server's old flags over the new ones. */
static void
change_during_sync (const char *capability,
                    gboolean    delete)
{
  const char * const corpus[] = { "alice@example.com:INBOX:12:6", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMessage) m = NULL;
  g_autoptr(GHashTable) store = NULL;
  g_autoptr(GHashTable) server = NULL;
  LbTestEnv env = { 0 };
  gint64 inbox;
  guint32 uid;

  env_start (&env, capability, corpus, TRUE);
  lb_test_env_sync_ok (&env);
  inbox = lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX));
  wait_prefetched (&env, inbox);
  m = first_unread (&env, inbox);
  uid = lb_message_get_uid (m);

  /* The sync's replay finds nothing to send; its SELECT then waits on the proxy. */
  lb_test_proxy_hold (env.proxy, TRUE);
  lb_account_sync_async (env.account, inbox, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_test_proxy_wait_held_request (env.proxy, 60));
  if (delete)
    {
      lb_engine_delete (env.engine, &m, 1);
      lb_engine_flush_pending (env.engine);
    }
  else
    lb_engine_set_flags (env.engine, &m, 1, LB_FLAG_SEEN, 0);
  lb_engine_wait_idle (env.engine);
  lb_test_proxy_hold (env.proxy, FALSE);
  g_assert_true (lb_account_sync_finish (env.account, lb_test_env_wait (&env), &error));
  g_assert_no_error (error);

  store = lb_test_env_store_flags (&env, inbox);
  if (delete)
    g_assert_false (g_hash_table_contains (store, GUINT_TO_POINTER (uid)));
  else
    g_assert_true (GPOINTER_TO_UINT (g_hash_table_lookup (store, GUINT_TO_POINTER (uid))) & LB_FLAG_SEEN);

  /* The next sync sends the change, and both sides agree. */
  lb_test_env_sync_ok (&env);
  server = lb_test_env_server_flags (&env, "INBOX");
  if (delete)
    g_assert_false (g_hash_table_contains (server, GUINT_TO_POINTER (uid)));
  else
    g_assert_true (GPOINTER_TO_UINT (g_hash_table_lookup (server, GUINT_TO_POINTER (uid))) & LB_FLAG_SEEN);
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
  g_clear_object (&m);
  lb_test_env_stop (&env);
}

static void
test_delete_during_sync (void)
{
  change_during_sync (NULL, TRUE);
}

static void
test_flag_during_sync (void)
{
  /* Without CONDSTORE every sync compares all flags, so the server's old ones come back
   * unless the sync leaves the changed message alone. */
  change_during_sync (QQ_LIKE, FALSE);
}

/* letterbox-cli marks a message read and is killed half-way through writing the change
 * (LETTERBOX_TEST_CRASH_AT=local-change).  After a restart and a sync, the store and the
 * server agree: the change landed whole or not at all. */
static void
test_crash_mid_change (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:8:3", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *cli = g_build_filename (g_getenv ("LB_TEST_BUILDDIR"), "src", "cli",
                                           "letterbox-cli", NULL);
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *sql = NULL;
  LbTestEnv env = { 0 };
  gint64 inbox;
  guint32 uid;

  env_start (&env, NULL, corpus, FALSE);
  lb_test_env_sync_ok (&env);
  inbox = lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX));
  {
    g_autoptr(LbMessage) m = first_unread (&env, inbox);
    id = g_strdup_printf ("%" G_GINT64_FORMAT, lb_message_get_id (m));
    uid = lb_message_get_uid (m);
  }
  lb_test_env_close_engine (&env);

  g_subprocess_launcher_setenv (launcher, "LETTERBOX_TEST_CRASH_AT", "local-change", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, cli, "flag", "--data-dir", env.profile,
                                      "--seen", id, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (proc));
  g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);

  /* Whole or nothing: a changed flag has its replay entry. */
  path = g_build_filename (env.profile, "letterbox.db", NULL);
  sql = g_strdup_printf ("SELECT (SELECT flags & %d FROM locations WHERE folder_id = %" G_GINT64_FORMAT
                         " AND uid = %u) != 0 AND (SELECT count(*) FROM pending_ops) = 0",
                         LB_FLAG_SEEN, inbox, uid);
  g_assert_cmpint (lb_test_store_query_int (path, sql), ==, 0);

  lb_test_env_open_engine (&env);
  g_assert_nonnull (env.account);
  lb_test_env_sync_ok (&env);
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/first-sync", test_first_sync);
  g_test_add_func ("/sync/idle", test_idle);
  g_test_add_func ("/sync/flags-meet", test_flags_meet);
  g_test_add_func ("/sync/flags-meet-qq-like", test_flags_meet_qq_like);
  g_test_add_func ("/sync/move-delete", test_move_delete);
  g_test_add_func ("/sync/move-delete-no-move", test_move_delete_no_move);
  g_test_add_func ("/sync/undo-leaves-server-alone", test_undo_leaves_server_alone);
  g_test_add_func ("/sync/uidvalidity-change", test_uidvalidity_change);
  g_test_add_func ("/sync/cut-mid-fetch", test_cut_mid_fetch);
  g_test_add_func ("/sync/qq-like-first-sync", test_qq_like_first_sync);
  g_test_add_func ("/sync/body-peek", test_body_peek);
  g_test_add_func ("/sync/wrong-password", test_wrong_password);
  g_test_add_func ("/sync/index-offline", test_index_offline);
  g_test_add_func ("/sync/copies-and-lookalikes", test_copies_and_lookalikes);
  g_test_add_func ("/sync/delete-during-sync", test_delete_during_sync);
  g_test_add_func ("/sync/flag-during-sync", test_flag_during_sync);
  g_test_add_func ("/sync/crash-mid-change", test_crash_mid_change);
  return g_test_run ();
}
