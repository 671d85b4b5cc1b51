/* test-folder-actions.c: folder management, Mark All as Read, Junk and drops, end to end
 *
 * Against the private Dovecot (tests/fixtures/lbfixture.py).  What the server has is read
 * over a session of the test's own (a raw LIST, UID FETCH FLAGS), never through the
 * engine under test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-engine.h"
#include "lb-folder-actions.h"
#include "lb-imap-response.h"
#include "lb-message-list.h"
#include "lb-test-account.h"
#include "lb-test-cli.h"
#include "lb-test-env.h"

static const char *cli_path;

/* ---- The server's view ---------------------------------------------------------- */

static gboolean
collect_names (LbImapResponse  *r,
               gpointer         user_data,
               GError         **error)
{
  if (r->kind == LB_IMAP_RESPONSE_LIST && r->u.list_data.name != NULL)
    g_ptr_array_add (user_data, g_strdup (r->u.list_data.name));
  return TRUE;
}

/* The raw (modified UTF-7) names a plain LIST returns to USER, and the delimiter. */
static GPtrArray *
server_list (LbTestServers *servers,
             const char    *user,
             char          *out_delimiter)
{
  g_autoptr(LbImapSession) session = lb_test_server_session (servers, user);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapResponse) ok = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  ok = lb_imap_session_command_sync (session, collect_names, names, NULL, &error,
                                     "LIST \"\" \"*\"");
  g_assert_no_error (error);
  if (out_delimiter != NULL)
    *out_delimiter = lb_imap_session_get_delimiter (session);
  lb_imap_session_logout (session);
  return names;
}

static gboolean
server_has (LbTestEnv  *env,
            const char *raw_name)
{
  g_autoptr(GPtrArray) names = server_list (env->servers, LB_TEST_ENV_USER, NULL);

  return g_ptr_array_find_with_equal_func (names, raw_name, g_str_equal, NULL);
}

static gboolean
collect_keywords (LbImapResponse  *r,
                  gpointer         user_data,
                  GError         **error)
{
  GHashTable *table = user_data;

  g_autofree char *others = NULL;

  if (r->kind != LB_IMAP_RESPONSE_FETCH)
    return TRUE;
  /* The parser keeps $Junk as a flag bit; the rest as text. */
  others = r->u.fetch.keywords != NULL ? g_strjoinv (" ", r->u.fetch.keywords) : g_strdup ("");
  g_hash_table_insert (table, GUINT_TO_POINTER (r->u.fetch.uid),
                       g_strconcat (others, (r->u.fetch.flags & LB_FLAG_JUNK) ? " $Junk" : "", NULL));
  return TRUE;
}

/* uid -> the keywords ($Junk, $NotJunk ...) of MAILBOX on the server. */
static GHashTable *
server_keywords (LbTestEnv  *env,
                 const char *mailbox)
{
  g_autoptr(LbImapSession) session = lb_test_env_server_session (env);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapResponse) ok = NULL;
  GHashTable *table = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  LbImapSelectInfo info;

  lb_imap_session_select_sync (session, mailbox, TRUE, NULL, NULL, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  if (info.exists > 0)
    {
      ok = lb_imap_session_command_sync (session, collect_keywords, table, NULL, &error,
                                         "UID FETCH 1:* (UID FLAGS)");
      g_assert_no_error (error);
    }
  lb_imap_session_logout (session);
  return table;
}

static guint
server_count (LbTestEnv  *env,
              const char *mailbox)
{
  g_autoptr(GHashTable) flags = lb_test_env_server_flags (env, mailbox);

  return g_hash_table_size (flags);
}

/* ---- The engine's view ---------------------------------------------------------- */

static LbFolder *
folder_named (LbAccount  *account,
              const char *name)
{
  GListModel *folders = lb_account_get_folders (account);

  for (guint i = 0; i < g_list_model_get_n_items (folders); i++)
    {
      g_autoptr(LbFolder) f = g_list_model_get_item (folders, i);
      if (g_strcmp0 (lb_folder_get_raw_name (f), name) == 0 ||
          g_strcmp0 (lb_folder_get_name (f), name) == 0)
        return f;   /* the account's list keeps its reference */
    }
  return NULL;
}

typedef struct {
  LbAccount  *account;
  const char *name;
  gboolean    present;
} FolderWait;

static gboolean
folder_presence_is (gpointer data)
{
  FolderWait *w = data;
  return (folder_named (w->account, w->name) != NULL) == w->present;
}

/* The sidebar's list follows on the main context: waits until NAME is there (or gone). */
static void
assert_folder_listed (LbAccount  *account,
                      const char *name,
                      gboolean    present)
{
  FolderWait w = { account, name, present };

  if (!lb_test_wait_until (folder_presence_is, &w, 10))
    g_error ("folder %s is %s the account's list", name, present ? "not in" : "still in");
}

static gint64
create_folder (LbTestEnv  *env,
               gint64      parent,
               const char *name,
               GError    **error)
{
  lb_account_create_folder_async (env->account, parent, name, NULL, lb_test_got_result, &env->result);
  return lb_account_create_folder_finish (env->account, lb_test_env_wait (env), error);
}

static gboolean
rename_folder (LbTestEnv  *env,
               gint64      folder,
               const char *name,
               GError    **error)
{
  lb_account_rename_folder_async (env->account, folder, name, NULL, lb_test_got_result, &env->result);
  return lb_account_folder_action_finish (env->account, lb_test_env_wait (env), error);
}

static gboolean
delete_folder (LbTestEnv  *env,
               gint64      folder,
               GError    **error)
{
  lb_account_delete_folder_async (env->account, folder, NULL, lb_test_got_result, &env->result);
  return lb_account_folder_action_finish (env->account, lb_test_env_wait (env), error);
}

/* ---- Tests ------------------------------------------------------------------------ */

/* Create (top level, then a Chinese name inside it), rename the child and then the
 * parent (the child moves with it, keeping its id), delete the parent with its child:
 * each step reaches Dovecot, with the Chinese names in modified UTF-7 on the wire, and
 * the account's folder list follows. */
static void
test_create_rename_delete (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *child_raw = NULL;
  g_autofree char *renamed_raw = NULL;
  g_autofree char *moved_raw = NULL;
  LbTestEnv env = { 0 };
  gint64 parent, child;
  char delim = 0;
  g_autoptr(GPtrArray) before = NULL;

  lb_test_env_start (&env, NULL);
  lb_test_env_sync_ok (&env);
  before = server_list (env.servers, LB_TEST_ENV_USER, &delim);
  g_assert_cmpint (delim, !=, 0);

  parent = create_folder (&env, 0, "Projects", &error);
  g_assert_no_error (error);
  g_assert_cmpint (parent, >, 0);
  g_assert_true (server_has (&env, "Projects"));

  /* 项目: U+9879 U+76EE, "&mHl27g-" in modified UTF-7 (RFC 3501 5.1.3). */
  child = create_folder (&env, parent, "项目", &error);
  g_assert_no_error (error);
  child_raw = g_strdup_printf ("Projects%c&mHl27g-", delim);
  g_assert_true (server_has (&env, child_raw));
  assert_folder_listed (env.account, "项目", TRUE);
  g_assert_cmpint (lb_folder_get_id (folder_named (env.account, "项目")), ==, child);
  g_assert_cmpuint (lb_folder_get_depth (folder_named (env.account, "项目")), ==, 1);

  /* The same name again is refused before anything reaches the server. */
  g_assert_cmpint (create_folder (&env, parent, "项目", &error), ==, 0);
  g_assert_error (error, LB_ERROR, LB_ERROR_FAILED);
  g_clear_error (&error);
  /* So is a name with the delimiter, which would make a subfolder by stealth. */
  {
    char bad[] = { 'a', delim, 'b', '\0' };
    g_assert_cmpint (create_folder (&env, 0, bad, &error), ==, 0);
    g_assert_error (error, LB_ERROR, LB_ERROR_FAILED);
    g_clear_error (&error);
  }

  /* 归档2026: "&X1JoYw-2026". */
  g_assert_true (rename_folder (&env, child, "归档2026", &error));
  g_assert_no_error (error);
  renamed_raw = g_strdup_printf ("Projects%c&X1JoYw-2026", delim);
  g_assert_true (server_has (&env, renamed_raw));
  g_assert_false (server_has (&env, child_raw));
  assert_folder_listed (env.account, "归档2026", TRUE);
  assert_folder_listed (env.account, "项目", FALSE);
  g_assert_cmpint (lb_folder_get_id (folder_named (env.account, "归档2026")), ==, child);

  /* Renaming the parent takes the child along, on the server and in the store. */
  g_assert_true (rename_folder (&env, parent, "Work", &error));
  g_assert_no_error (error);
  moved_raw = g_strdup_printf ("Work%c&X1JoYw-2026", delim);
  g_assert_true (server_has (&env, "Work"));
  g_assert_true (server_has (&env, moved_raw));
  g_assert_false (server_has (&env, "Projects"));
  assert_folder_listed (env.account, moved_raw, TRUE);
  g_assert_cmpint (lb_folder_get_id (folder_named (env.account, moved_raw)), ==, child);

  g_assert_true (delete_folder (&env, parent, &error));
  g_assert_no_error (error);
  g_assert_false (server_has (&env, "Work"));
  g_assert_false (server_has (&env, moved_raw));
  assert_folder_listed (env.account, "Work", FALSE);
  assert_folder_listed (env.account, moved_raw, FALSE);
  {
    g_autoptr(GPtrArray) after = server_list (env.servers, LB_TEST_ENV_USER, NULL);
    g_assert_cmpuint (after->len, ==, before->len);
  }
  lb_test_env_stop (&env);
}

/* Inbox, Sent and Trash cannot be renamed or deleted; the server never hears of it. */
static void
test_special_refused (void)
{
  const LbFolderRole roles[] = { LB_FOLDER_ROLE_INBOX, LB_FOLDER_ROLE_SENT, LB_FOLDER_ROLE_TRASH };
  LbTestEnv env = { 0 };

  lb_test_env_start (&env, NULL);
  lb_test_env_sync_ok (&env);
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      LbFolder *f = lb_test_env_folder (&env, roles[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *raw = g_strdup (lb_folder_get_raw_name (f));

      g_assert_false (lb_folder_is_editable (f));
      g_assert_false (rename_folder (&env, lb_folder_get_id (f), "Renamed", &error));
      g_assert_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED);
      g_clear_error (&error);
      g_assert_false (delete_folder (&env, lb_folder_get_id (f), &error));
      g_assert_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED);
      g_assert_true (server_has (&env, raw));
    }
  g_assert_false (server_has (&env, "Renamed"));
  lb_test_env_stop (&env);
}

/* Empty Trash removes every message there, on the server and in the store; Inbox cannot
 * be emptied. */
static void
test_empty_trash (void)
{
  const char * const corpus[] = { "alice@example.com:Trash:4:7", "alice@example.com:INBOX:2:8", NULL };
  LbTestEnvOptions options = { .corpus = corpus };
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) trash = NULL;
  g_autoptr(LbMessageList) list = NULL;
  LbTestEnv env = { 0 };
  LbFolder *f;

  lb_test_env_start (&env, &options);
  lb_test_env_sync_ok (&env);
  f = lb_test_env_folder (&env, LB_FOLDER_ROLE_TRASH);
  g_assert_true (lb_folder_can_be_emptied (f));
  lb_account_empty_folder_async (env.account, lb_folder_get_id (f), NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_account_folder_action_finish (env.account, lb_test_env_wait (&env), &error));
  g_assert_no_error (error);
  trash = lb_test_env_server_flags (&env, "Trash");
  g_assert_cmpuint (g_hash_table_size (trash), ==, 0);
  list = lb_engine_open_folder (env.engine, lb_folder_get_id (f));
  lb_test_iterate_for (300);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);

  f = lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX);
  g_assert_false (lb_folder_can_be_emptied (f));
  lb_account_empty_folder_async (env.account, lb_folder_get_id (f), NULL, lb_test_got_result, &env.result);
  g_assert_false (lb_account_folder_action_finish (env.account, lb_test_env_wait (&env), &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED);
  g_assert_cmpuint (server_count (&env, "INBOX"), ==, 2);
  lb_test_env_stop (&env);
}

static guint
count_unseen (GHashTable *flags)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, flags);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    n += (GPOINTER_TO_UINT (value) & LB_FLAG_SEEN) == 0;
  return n;
}

static void
mark_read (LbTestEnv *env,
           gint64     folder)
{
  g_autoptr(GError) error = NULL;

  lb_engine_mark_folder_read_async (env->engine, folder, NULL, lb_test_got_result, &env->result);
  g_assert_true (lb_engine_mark_folder_read_finish (env->engine, lb_test_env_wait (env), &error));
  g_assert_no_error (error);
  lb_test_env_sync_ok (env);   /* replays the change */
}

/* Mark All as Read marks the whole folder on the server, also what no list loaded; for
 * All Inboxes it is every inbox, and other folders keep their unread mail. */
static void
test_mark_all_read (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:40:3", "alice@example.com:Archive:30:4", NULL };
  LbTestEnvOptions options = { .corpus = corpus };
  g_autoptr(GHashTable) inbox = NULL;
  g_autoptr(GHashTable) archive = NULL;
  LbTestEnv env = { 0 };
  guint archive_unseen;

  lb_test_env_start (&env, &options);
  lb_test_env_sync_ok (&env);
  inbox = lb_test_env_server_flags (&env, "INBOX");
  archive = lb_test_env_server_flags (&env, "Archive");
  g_assert_cmpuint (count_unseen (inbox), >, 0);
  archive_unseen = count_unseen (archive);
  g_assert_cmpuint (archive_unseen, >, 0);
  g_clear_pointer (&inbox, g_hash_table_unref);
  g_clear_pointer (&archive, g_hash_table_unref);

  mark_read (&env, LB_ENGINE_ALL_INBOXES);
  inbox = lb_test_env_server_flags (&env, "INBOX");
  archive = lb_test_env_server_flags (&env, "Archive");
  g_assert_cmpuint (g_hash_table_size (inbox), ==, 40);
  g_assert_cmpuint (count_unseen (inbox), ==, 0);
  g_assert_cmpuint (count_unseen (archive), ==, archive_unseen);
  g_clear_pointer (&archive, g_hash_table_unref);

  mark_read (&env, lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_ARCHIVE)));
  archive = lb_test_env_server_flags (&env, "Archive");
  g_assert_cmpuint (count_unseen (archive), ==, 0);
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_ARCHIVE, "Archive");
  g_assert_cmpuint (lb_folder_get_unread_count (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX)), ==, 0);
  lb_test_env_stop (&env);
}

static void
commit_and_replay (LbTestEnv *env)
{
  lb_engine_flush_pending (env->engine);
  lb_engine_wait_idle (env->engine);
  lb_test_env_sync_ok (env);
}

/* Dovecot keeps new keywords (PERMANENTFLAGS has \*): Mark as Junk moves to Junk with
 * $Junk, Not Junk moves back to the inbox with $NotJunk and without $Junk. */
static void
test_junk_with_keywords (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:3:5", NULL };
  LbTestEnvOptions options = { .corpus = corpus };
  g_autoptr(GHashTable) junk = NULL;
  g_autoptr(GHashTable) inbox = NULL;
  g_autoptr(LbMessage) m = NULL;
  g_autoptr(LbMessage) back = NULL;
  LbTestEnv env = { 0 };
  GHashTableIter iter;
  gpointer uid, keywords;

  lb_test_env_start (&env, &options);
  lb_test_env_sync_ok (&env);
  m = lb_test_env_message_with_uid (&env, lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX)), 2);
  g_assert_cmpuint (lb_engine_mark_junk (env.engine, &m, 1, TRUE), >, 0);
  commit_and_replay (&env);

  junk = server_keywords (&env, "Junk");
  g_assert_cmpuint (g_hash_table_size (junk), ==, 1);
  g_hash_table_iter_init (&iter, junk);
  g_assert_true (g_hash_table_iter_next (&iter, &uid, &keywords));
  g_assert_nonnull (strstr (keywords, "$Junk"));
  g_assert_null (strstr (keywords, "$NotJunk"));
  g_assert_cmpuint (server_count (&env, "INBOX"), ==, 2);

  back = lb_test_env_message_with_uid (&env, lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_JUNK)),
                                       GPOINTER_TO_UINT (uid));
  /* Already in Junk: nothing to do. */
  g_assert_cmpuint (lb_engine_mark_junk (env.engine, &back, 1, TRUE), ==, 0);
  g_assert_cmpuint (lb_engine_mark_junk (env.engine, &back, 1, FALSE), >, 0);
  commit_and_replay (&env);
  g_assert_cmpuint (server_count (&env, "Junk"), ==, 0);
  inbox = server_keywords (&env, "INBOX");
  g_assert_cmpuint (g_hash_table_size (inbox), ==, 3);
  {
    guint not_junk = 0;

    g_hash_table_iter_init (&iter, inbox);
    while (g_hash_table_iter_next (&iter, NULL, &keywords))
      {
        g_assert_null (strstr (keywords, "$Junk"));
        not_junk += strstr (keywords, "$NotJunk") != NULL;
      }
    g_assert_cmpuint (not_junk, ==, 1);
  }
  lb_test_env_stop (&env);
}

/* A drop within the account moves (or with Ctrl copies) on the server. */
static void
test_drop_same_account (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:3:9", NULL };
  LbTestEnvOptions options = { .corpus = corpus };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMessage) one = NULL;
  g_autoptr(LbMessage) two = NULL;
  LbTestEnv env = { 0 };
  gint64 inbox, dest;
  guint undo_id = 0;

  lb_test_env_start (&env, &options);
  lb_test_env_sync_ok (&env);
  dest = create_folder (&env, 0, "Kept", &error);
  g_assert_no_error (error);
  assert_folder_listed (env.account, "Kept", TRUE);
  inbox = lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX));
  one = lb_test_env_message_with_uid (&env, inbox, 1);
  two = lb_test_env_message_with_uid (&env, inbox, 2);

  lb_engine_drop_messages_async (env.engine, &one, 1, dest, FALSE, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_drop_messages_finish (env.engine, lb_test_env_wait (&env), &undo_id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (undo_id, >, 0);
  lb_engine_drop_messages_async (env.engine, &two, 1, dest, TRUE, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_drop_messages_finish (env.engine, lb_test_env_wait (&env), &undo_id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (undo_id, ==, 0);
  commit_and_replay (&env);

  g_assert_cmpuint (server_count (&env, "Kept"), ==, 2);
  g_assert_cmpuint (server_count (&env, "INBOX"), ==, 2);
  lb_test_env_stop (&env);
}

/* A drop on another account's folder copies (APPEND) and then deletes the original to its
 * own Trash, only once the copy is confirmed: when the APPEND fails (the folder vanished
 * on the server), the original stays where it was. */
static void
test_drop_cross_account (void)
{
  const char * const users[] = { "alice@example.com:secret", "bob@example.com:secret", NULL };
  const char * const corpus[] = { "alice@example.com:INBOX:3:11", NULL };
  LbTestServersOptions servers = { .users = users, .corpus = corpus, .no_smtp = TRUE };
  LbTestEnvOptions options = { .servers = &servers };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) bob = NULL;
  g_autoptr(LbMessage) one = NULL;
  g_autoptr(LbMessage) two = NULL;
  g_autoptr(LbImapSession) session = NULL;
  g_autoptr(LbImapResponse) ok = NULL;
  g_autoptr(GHashTable) kept = NULL;
  LbTestEnv env = { 0 };
  gint64 inbox, keep, gone;

  lb_test_env_start (&env, &options);
  lb_test_env_sync_ok (&env);
  bob = lb_test_add_account (env.engine, env.servers, 0, "bob@example.com", NULL, TRUE);
  lb_account_create_folder_async (bob, 0, "Keep", NULL, lb_test_got_result, &env.result);
  keep = lb_account_create_folder_finish (bob, lb_test_env_wait (&env), &error);
  g_assert_no_error (error);
  lb_account_create_folder_async (bob, 0, "Gone", NULL, lb_test_got_result, &env.result);
  gone = lb_account_create_folder_finish (bob, lb_test_env_wait (&env), &error);
  g_assert_no_error (error);
  assert_folder_listed (bob, "Keep", TRUE);
  assert_folder_listed (bob, "Gone", TRUE);

  inbox = lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX));
  one = lb_test_env_message_with_uid (&env, inbox, 1);
  lb_engine_drop_messages_async (env.engine, &one, 1, keep, FALSE, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_drop_messages_finish (env.engine, lb_test_env_wait (&env), NULL, &error));
  g_assert_no_error (error);
  commit_and_replay (&env);
  kept = lb_test_server_flags (env.servers, "bob@example.com", "Keep");
  g_assert_cmpuint (g_hash_table_size (kept), ==, 1);
  g_assert_cmpuint (server_count (&env, "INBOX"), ==, 2);
  g_assert_cmpuint (server_count (&env, "Trash"), ==, 1);

  /* Another client removes Gone; the store does not know yet. */
  session = lb_test_server_session (env.servers, "bob@example.com");
  ok = lb_imap_session_command_sync (session, NULL, NULL, NULL, &error, "DELETE \"Gone\"");
  g_assert_no_error (error);
  lb_imap_session_logout (session);

  two = lb_test_env_message_with_uid (&env, inbox, 2);
  lb_engine_drop_messages_async (env.engine, &two, 1, gone, FALSE, NULL, lb_test_got_result, &env.result);
  g_assert_false (lb_engine_drop_messages_finish (env.engine, lb_test_env_wait (&env), NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  commit_and_replay (&env);
  g_assert_cmpuint (server_count (&env, "INBOX"), ==, 2);
  g_assert_cmpuint (server_count (&env, "Trash"), ==, 1);
  g_clear_object (&two);
  two = lb_test_env_message_with_uid (&env, inbox, 2);
  lb_account_stop (bob);
  lb_test_env_stop (&env);
}

static void
cli (LbTestEnv          *env,
     LbTestCliRun       *run,
     const char * const *args)
{
  const char *data_dir[] = { "--data-dir", env->profile, NULL };

  lb_test_cli_run (run, cli_path, NULL, NULL, args, data_dir);
}

/* letterbox-cli folders create|rename|delete|empty and mark-read --all reach the server;
 * a special folder is refused with the reason. */
static void
test_cli (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:12:21", "alice@example.com:Trash:2:22", NULL };
  LbTestEnvOptions options = { .corpus = corpus };
  LbTestCliRun run = { 0 };
  g_autoptr(GHashTable) inbox = NULL;
  g_autofree char *child = NULL;
  g_autofree char *renamed = NULL;
  LbTestEnv env = { 0 };
  char delim = 0;

  lb_test_env_start (&env, &options);
  lb_test_env_sync_ok (&env);
  g_ptr_array_unref (server_list (env.servers, LB_TEST_ENV_USER, &delim));

  cli (&env, &run, (const char *[]) { "folders", "create", "Clients", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpint (g_ascii_strtoll (run.out, NULL, 10), >, 0);
  g_assert_true (server_has (&env, "Clients"));
  cli (&env, &run, (const char *[]) { "folders", "create", "--parent", "Clients", "客户", NULL });
  g_assert_cmpint (run.status, ==, 0);
  child = g_strdup_printf ("Clients%c&W6JiNw-", delim);
  g_assert_true (server_has (&env, child));
  cli (&env, &run, (const char *[]) { "folders", "rename", "客户", "项目", NULL });
  g_assert_cmpint (run.status, ==, 0);
  renamed = g_strdup_printf ("Clients%c&mHl27g-", delim);
  g_assert_true (server_has (&env, renamed));
  g_assert_false (server_has (&env, child));

  cli (&env, &run, (const char *[]) { "folders", "delete", "sent", NULL });
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "Special folders cannot be deleted"));
  g_assert_true (server_has (&env, "Sent"));
  cli (&env, &run, (const char *[]) { "folders", "delete", "Clients", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_false (server_has (&env, "Clients"));
  g_assert_false (server_has (&env, renamed));

  inbox = lb_test_env_server_flags (&env, "INBOX");
  g_assert_cmpuint (count_unseen (inbox), >, 0);
  g_clear_pointer (&inbox, g_hash_table_unref);
  cli (&env, &run, (const char *[]) { "mark-read", "--all", "inbox", NULL });
  g_assert_cmpint (run.status, ==, 0);
  inbox = lb_test_env_server_flags (&env, "INBOX");
  g_assert_cmpuint (g_hash_table_size (inbox), ==, 12);
  g_assert_cmpuint (count_unseen (inbox), ==, 0);

  cli (&env, &run, (const char *[]) { "folders", "empty", "trash", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (server_count (&env, "Trash"), ==, 0);
  lb_test_cli_run_clear (&run);
  lb_test_env_stop (&env);
}

/* A port nothing listens on: bound, then closed. */
static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  g_socket_close (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* Offline, folder management says plainly that it needs the server; nothing is queued
 * that would surprise the user later. */
static void
test_offline (void)
{
  LbTestEnvOptions options = { .no_account = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) account = NULL;
  LbTestEnv env = { 0 };

  lb_test_env_start (&env, &options);
  account = lb_test_add_account (env.engine, env.servers, closed_port (), LB_TEST_ENV_USER, NULL, FALSE);
  lb_account_create_folder_async (account, 0, "Later", NULL, lb_test_got_result, &env.result);
  g_assert_cmpint (lb_account_create_folder_finish (account, lb_test_env_wait (&env), &error), ==, 0);
  g_assert_error (error, LB_ERROR, LB_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "cannot be reached"));
  g_assert_false (server_has (&env, "Later"));
  lb_account_stop (account);
  lb_test_env_stop (&env);
}

/* Bug: on a server without UNSELECT, deleting the selected folder left INBOX examined
 * (read-only) in the session, which then took INBOX for selected and sent the next
 * change to it into a refusal (the change was undone).  Now INBOX is selected
 * read-write, and a flag set afterwards reaches the server. */
static void
test_delete_selected_without_unselect (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:2:31", NULL };
  LbTestEnvOptions options = {
    .corpus = corpus,
    /* Dovecot's, without UNSELECT (as 163 and QQ). */
    .imap_capability = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE UIDPLUS "
                       "LITERAL+ AUTH=PLAIN",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMessage) m = NULL;
  g_autoptr(GHashTable) flags = NULL;
  LbTestEnv env = { 0 };
  gint64 tmp, inbox;

  lb_test_env_start (&env, &options);
  lb_test_env_sync_ok (&env);
  tmp = create_folder (&env, 0, "Tmp", &error);
  g_assert_no_error (error);
  g_assert_true (lb_test_env_sync (&env, tmp, &error));   /* Tmp is now the selected one */
  g_assert_no_error (error);
  g_assert_true (delete_folder (&env, tmp, &error));
  g_assert_no_error (error);

  inbox = lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX));
  m = lb_test_env_message_with_uid (&env, inbox, 1);
  lb_engine_set_flags (env.engine, &m, 1, LB_FLAG_FLAGGED, 0);
  lb_engine_wait_idle (env.engine);
  lb_test_env_sync_ok (&env);
  flags = lb_test_env_server_flags (&env, "INBOX");
  g_assert_true (GPOINTER_TO_UINT (g_hash_table_lookup (flags, GUINT_TO_POINTER (1))) & LB_FLAG_FLAGGED);
  lb_test_env_stop (&env);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cli_path = argc > 1 ? argv[1] : NULL;
  g_test_add_func ("/folder-actions/create-rename-delete", test_create_rename_delete);
  g_test_add_func ("/folder-actions/special-refused", test_special_refused);
  g_test_add_func ("/folder-actions/empty-trash", test_empty_trash);
  g_test_add_func ("/folder-actions/mark-all-read", test_mark_all_read);
  g_test_add_func ("/folder-actions/junk-with-keywords", test_junk_with_keywords);
  g_test_add_func ("/folder-actions/drop-same-account", test_drop_same_account);
  g_test_add_func ("/folder-actions/drop-cross-account", test_drop_cross_account);
  g_test_add_func ("/folder-actions/offline", test_offline);
  g_test_add_func ("/folder-actions/delete-selected-without-unselect", test_delete_selected_without_unselect);
  if (cli_path != NULL)
    g_test_add_func ("/folder-actions/cli", test_cli);
  return g_test_run ();
}
