/* test-quirks.c: the engine against scripted servers that behave like QQ and NetEase
 *
 * Dovecot cannot refuse a login with QQ's words or refuse SELECT until the client sent
 * ID, so tests/fixtures/scripted_imap.py does, over real TLS.  The accounts are added
 * with their provider id, so the provider database's quirks and error texts apply.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include "lb-engine.h"
#include "lb-folder-actions.h"
#include "lb-message-list.h"
#include "lb-test-env.h"

typedef struct {
  GSubprocess  *server;
  char         *dir;
  char         *cert;
  char         *log;          /* every command the server received, one a line */
  guint16       port;
  LbEngine     *engine;
  LbAccount    *account;
  GAsyncResult *result;
} Env;

static void
env_start (Env        *env,
           const char *mode,
           const char *provider_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) openssl = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *key = NULL;
  g_autofree char *line = NULL;
  g_autofree char *script = g_build_filename (g_getenv ("LB_TEST_FIXTURES_DIR"), "scripted_imap.py", NULL);
  g_autoptr(LbAccountSettings) s = lb_account_settings_new ();

  env->dir = g_dir_make_tmp ("lb-quirks-XXXXXX", &error);
  g_assert_no_error (error);
  env->cert = g_build_filename (env->dir, "cert.pem", NULL);
  key = g_build_filename (env->dir, "key.pem", NULL);
  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                              "-days", "2", "-subj", "/CN=127.0.0.1",
                              "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key,
                              "-out", env->cert, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (openssl, NULL, &error));

  env->log = g_build_filename (env->dir, "commands.log", NULL);
  env->server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                  g_getenv ("LB_TEST_PYTHON"), script, "--mode", mode,
                                  "--cert", env->cert, "--key", key, "--log", env->log, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (env->server));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  env->port = (guint16) g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (env->port, >, 0);

  env->engine = lb_engine_new (env->dir, &error);
  g_assert_no_error (error);
  s->email = g_strdup ("me@163.example.cn");
  s->provider_id = g_strdup (provider_id);
  s->imap = lb_server_config_new ("127.0.0.1", env->port, LB_SECURITY_TLS, "me@163.example.cn");
  s->imap->ca_file = g_strdup (env->cert);
  lb_engine_add_account_async (env->engine, s, "authcode", NULL, lb_test_got_result, &env->result);
  env->account = lb_engine_add_account_finish (env->engine, lb_test_wait_result (&env->result), &error);
  g_assert_no_error (error);
}

static void
env_stop (Env *env)
{
  lb_engine_shutdown (env->engine);
  g_clear_object (&env->account);
  g_clear_object (&env->result);
  g_assert_finalize_object (env->engine);
  g_subprocess_force_exit (env->server);
  g_subprocess_wait (env->server, NULL, NULL);
  g_clear_object (&env->server);
  lb_test_rm_rf (env->dir);
  g_free (env->dir);
  g_free (env->cert);
  g_free (env->log);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gboolean   *flag)
{
  *flag = TRUE;
}

/* QQ's login refusal covers several causes; the user is told all of them in plain words. */
static void
test_qq_login_refused (void)
{
  g_autoptr(GError) error = NULL;
  Env env = { 0 };
  gboolean changed = FALSE;
  const char *message;

  env_start (&env, "qq", "qq");
  g_signal_connect (env.account, "notify::last-error", G_CALLBACK (on_notify), &changed);
  lb_account_sync_async (env.account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &env.result);
  g_assert_false (lb_account_sync_finish (env.account, lb_test_wait_result (&env.result), &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_AUTH);
  while (!changed)
    g_main_context_iteration (NULL, TRUE);
  message = lb_account_get_last_error (env.account);
  g_assert_nonnull (message);
  /* The mapped message, not the server's raw text. */
  g_assert_nonnull (strstr (message, "QQ"));
  g_assert_nonnull (strstr (message, "IMAP/SMTP"));
  g_assert_null (strstr (message, "Account is abnormal"));
  g_signal_handlers_disconnect_by_data (env.account, &changed);
  env_stop (&env);
}

/* NetEase refuses SELECT without ID; Letterbox sends it, maps the Chinese folder names and
 * decodes the GBK subject; without IDLE, MOVE or CONDSTORE the sync still meets the server. */
static void
test_netease (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMessageList) inbox = NULL;
  Env env = { 0 };
  LbFolder *sent;
  gboolean found_gbk = FALSE;

  env_start (&env, "netease", "netease-163");
  lb_account_sync_async (env.account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &env.result);
  lb_account_sync_finish (env.account, lb_test_wait_result (&env.result), &error);
  g_assert_no_error (error);
  lb_engine_wait_idle (env.engine);

  sent = lb_account_find_folder (env.account, LB_FOLDER_ROLE_SENT);
  g_assert_nonnull (sent);
  g_assert_cmpstr (lb_folder_get_name (sent), ==, "已发送");
  g_assert_nonnull (lb_account_find_folder (env.account, LB_FOLDER_ROLE_DRAFTS));
  g_assert_nonnull (lb_account_find_folder (env.account, LB_FOLDER_ROLE_TRASH));
  g_assert_nonnull (lb_account_find_folder (env.account, LB_FOLDER_ROLE_JUNK));

  inbox = lb_engine_open_folder (env.engine,
                                 lb_folder_get_id (lb_account_find_folder (env.account,
                                                                           LB_FOLDER_ROLE_INBOX)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (inbox)), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (inbox), i);
      if (g_strcmp0 (lb_message_get_subject (m), "会议通知") == 0)
        {
          found_gbk = TRUE;
          g_assert_true (lb_message_get_unread (m));
          g_assert_cmpstr (lb_message_get_sender (m), ==, "Li Wei");
        }
    }
  g_assert_true (found_gbk);
  g_clear_object (&inbox);
  env_stop (&env);
}

/* Gmail: labels show one message in several folders; it is stored once, and All Mail
 * never feeds the unified inbox, which therefore has no duplicates. */
static void
test_gmail_labels (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMessageList) inbox = NULL;
  g_autoptr(LbMessageList) all = NULL;
  g_autoptr(GHashTable) inbox_ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *ids = g_new0 (gint64, 2);
  Env env = { 0 };
  LbFolder *all_mail;

  env_start (&env, "gmail", "gmail");
  lb_account_sync_async (env.account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &env.result);
  lb_account_sync_finish (env.account, lb_test_wait_result (&env.result), &error);
  g_assert_no_error (error);
  lb_engine_wait_idle (env.engine);

  all_mail = lb_account_find_folder (env.account, LB_FOLDER_ROLE_ALL);
  g_assert_nonnull (all_mail);
  g_assert_cmpstr (lb_folder_get_raw_name (all_mail), ==, "[Gmail]/All Mail");
  g_assert_cmpstr (lb_folder_get_raw_name (lb_account_find_folder (env.account, LB_FOLDER_ROLE_SENT)),
                   ==, "[Gmail]/Sent Mail");

  inbox = lb_engine_open_folder (env.engine,
                                 lb_folder_get_id (lb_account_find_folder (env.account,
                                                                           LB_FOLDER_ROLE_INBOX)));
  all = lb_engine_open_folder (env.engine, lb_folder_get_id (all_mail));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (inbox)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (inbox), i);
      ids[i] = lb_message_get_id (m);
      g_hash_table_add (inbox_ids, &ids[i]);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (all), i);
      gint64 id = lb_message_get_id (m);
      /* The same message rows, not copies. */
      g_assert_true (g_hash_table_contains (inbox_ids, &id));
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lb_engine_get_unified_inbox (env.engine))),
                    ==, 2);
  g_clear_object (&inbox);
  g_clear_object (&all);
  env_stop (&env);
}

/* How many times the server received @command (a name as the log writes it). */
static guint
count_commands (Env        *env,
                const char *command)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (env->log, &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    n += g_str_equal (lines[i], command);
  return n;
}

typedef struct {
  Env   *env;
  guint  polls;    /* wait until the server saw this many STATUS and LOGIN in all */
} PollWait;

static gboolean
polls_seen (gpointer data)
{
  PollWait *w = data;

  return count_commands (w->env, "STATUS") + count_commands (w->env, "LOGIN") >= w->polls;
}

/* NetEase has no IDLE.  Letterbox logs in once for polling and keeps that connection,
 * looks at INBOX with a cheap STATUS every interval, syncs only when INBOX changed, and
 * picks up new mail. */
static void
test_netease_polling (void)
{
  g_autoptr(LbMessageList) inbox = NULL;
  Env env = { 0 };
  LbFolder *folder;
  PollWait wait = { &env, 0 };
  guint searches;

  g_setenv ("LETTERBOX_POLL_INTERVAL_SECONDS", "1", TRUE);
  env_start (&env, "netease", "netease-163");
  lb_account_start (env.account);
  while ((folder = lb_account_find_folder (env.account, LB_FOLDER_ROLE_INBOX)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  inbox = lb_engine_open_folder (env.engine, lb_folder_get_id (folder));
  g_assert_true (lb_test_wait_n_items (G_LIST_MODEL (inbox), 2, 30));

  /* Several poll intervals: one login for the worker, one for polling, however many
   * polls (before, each poll logged in anew). */
  wait.polls = 8;
  g_assert_true (lb_test_wait_until (polls_seen, &wait, 60));
  g_assert_cmpuint (count_commands (&env, "LOGIN"), <=, 2);

  /* Nothing changed: polls without syncs. */
  searches = count_commands (&env, "UID SEARCH");
  wait.polls = count_commands (&env, "STATUS") + count_commands (&env, "LOGIN") + 3;
  g_assert_true (lb_test_wait_until (polls_seen, &wait, 60));
  g_assert_cmpuint (count_commands (&env, "UID SEARCH"), ==, searches);

  /* New mail is picked up by the next poll. */
  g_subprocess_send_signal (env.server, SIGUSR1);
  g_assert_true (lb_test_wait_n_items (G_LIST_MODEL (inbox), 3, 60));
  g_assert_cmpuint (count_commands (&env, "LOGIN"), <=, 2);

  g_clear_object (&inbox);
  env_stop (&env);
  g_unsetenv ("LETTERBOX_POLL_INTERVAL_SECONDS");
}

static LbFolder *
folder_named (LbAccount  *account,
              const char *name)
{
  GListModel *folders = lb_account_get_folders (account);

  for (guint i = 0; i < g_list_model_get_n_items (folders); i++)
    {
      g_autoptr(LbFolder) f = g_list_model_get_item (folders, i);
      if (g_strcmp0 (lb_folder_get_name (f), name) == 0)
        return f;   /* the account's list keeps its reference */
    }
  return NULL;
}

static gboolean
folder_wait (gpointer data)
{
  gpointer *args = data;
  return (folder_named (args[0], args[1]) != NULL) == GPOINTER_TO_INT (args[2]);
}

static void
assert_listed (Env        *env,
               const char *name,
               gboolean    present)
{
  gpointer args[] = { env->account, (gpointer) name, GINT_TO_POINTER (present) };

  g_assert_true (lb_test_wait_until (folder_wait, args, 10));
}

/* QQ and NetEase have no CREATE-SPECIAL-USE (nor UNSELECT): a Chinese folder, one inside
 * it, a rename and a delete reach the server with the names in modified UTF-7, and the
 * special folders (NetEase's names, found by name) are refused before the server hears. */
static void
check_folder_management (const char *mode,
                         const char *provider)
{
  g_autoptr(GError) error = NULL;
  Env env = { 0 };
  gint64 parent, child;
  LbFolder *sent;

  env_start (&env, mode, provider);
  lb_account_sync_async (env.account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &env.result);
  lb_account_sync_finish (env.account, lb_test_wait_result (&env.result), &error);
  g_assert_no_error (error);

  /* 客户: "&W6JiNw-"; 项目: "&mHl27g-". */
  lb_account_create_folder_async (env.account, 0, "客户", NULL, lb_test_got_result, &env.result);
  parent = lb_account_create_folder_finish (env.account, lb_test_wait_result (&env.result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_commands (&env, "CREATE \"&W6JiNw-\""), ==, 1);
  assert_listed (&env, "客户", TRUE);
  lb_account_create_folder_async (env.account, parent, "2026", NULL, lb_test_got_result, &env.result);
  child = lb_account_create_folder_finish (env.account, lb_test_wait_result (&env.result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (child, >, 0);
  g_assert_cmpuint (count_commands (&env, "CREATE \"&W6JiNw-/2026\""), ==, 1);

  lb_account_rename_folder_async (env.account, parent, "项目", NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_account_folder_action_finish (env.account, lb_test_wait_result (&env.result), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_commands (&env, "RENAME \"&W6JiNw-\" \"&mHl27g-\""), ==, 1);
  assert_listed (&env, "项目", TRUE);
  assert_listed (&env, "客户", FALSE);
  g_assert_cmpstr (lb_folder_get_raw_name (lb_account_get_folder (env.account, child)), ==, "&mHl27g-/2026");

  sent = lb_account_find_folder (env.account, LB_FOLDER_ROLE_SENT);
  g_assert_nonnull (sent);
  lb_account_delete_folder_async (env.account, lb_folder_get_id (sent), NULL, lb_test_got_result, &env.result);
  g_assert_false (lb_account_folder_action_finish (env.account, lb_test_wait_result (&env.result), &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  lb_account_delete_folder_async (env.account, parent, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_account_folder_action_finish (env.account, lb_test_wait_result (&env.result), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_commands (&env, "DELETE \"&mHl27g-/2026\""), ==, 1);
  g_assert_cmpuint (count_commands (&env, "DELETE \"&mHl27g-\""), ==, 1);
  g_assert_cmpuint (count_commands (&env, "DELETE \"&XfJT0ZAB-\""), ==, 0);
  assert_listed (&env, "项目", FALSE);
  assert_listed (&env, "2026", FALSE);
  env_stop (&env);
}

static void
test_netease_folders (void)
{
  check_folder_management ("netease", "netease-163");
}

static void
test_qq_folders (void)
{
  check_folder_management ("qq-ok", "qq");
}

/* NetEase keeps no keywords (no PERMANENTFLAGS \*): Mark as Junk moves without $Junk. */
static void
test_netease_junk_without_keywords (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMessageList) inbox = NULL;
  g_autoptr(LbMessage) m = NULL;
  g_autofree char *log = NULL;
  Env env = { 0 };

  env_start (&env, "netease", "netease-163");
  lb_account_sync_async (env.account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &env.result);
  lb_account_sync_finish (env.account, lb_test_wait_result (&env.result), &error);
  g_assert_no_error (error);
  inbox = lb_engine_open_folder (env.engine, lb_folder_get_id (lb_account_find_folder (env.account, LB_FOLDER_ROLE_INBOX)));
  lb_test_iterate_for (300);
  m = g_list_model_get_item (G_LIST_MODEL (inbox), 0);
  g_assert_nonnull (m);
  g_assert_cmpuint (lb_engine_mark_junk (env.engine, &m, 1, TRUE), >, 0);
  lb_engine_flush_pending (env.engine);
  lb_engine_wait_idle (env.engine);
  lb_account_sync_async (env.account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &env.result);
  lb_account_sync_finish (env.account, lb_test_wait_result (&env.result), &error);
  g_assert_no_error (error);
  /* No MOVE at 163: copied to 垃圾邮件 ("&V4NXPpCuTvY-"), then removed. */
  g_assert_true (g_file_get_contents (env.log, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "UID COPY"));
  g_assert_nonnull (strstr (log, "&V4NXPpCuTvY-"));
  g_assert_null (strstr (log, "$Junk"));
  g_clear_object (&m);
  g_clear_object (&inbox);
  env_stop (&env);
}

/* Gmail keeps its special folders under "[Gmail]", a plain \Noselect folder: renaming or
 * deleting it would take Sent Mail and Trash along, so it is refused before the server
 * hears of it. */
static void
test_gmail_parent_of_special (void)
{
  g_autoptr(GError) error = NULL;
  Env env = { 0 };
  LbFolder *parent = NULL;
  GListModel *folders;

  env_start (&env, "gmail", "gmail");
  lb_account_sync_async (env.account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &env.result);
  lb_account_sync_finish (env.account, lb_test_wait_result (&env.result), &error);
  g_assert_no_error (error);
  folders = lb_account_get_folders (env.account);
  for (guint i = 0; i < g_list_model_get_n_items (folders); i++)
    {
      g_autoptr(LbFolder) f = g_list_model_get_item (folders, i);
      if (g_strcmp0 (lb_folder_get_raw_name (f), "[Gmail]") == 0)
        parent = f;
    }
  g_assert_nonnull (parent);
  lb_account_rename_folder_async (env.account, lb_folder_get_id (parent), "Google", NULL,
                                  lb_test_got_result, &env.result);
  g_assert_false (lb_account_folder_action_finish (env.account, lb_test_wait_result (&env.result), &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  lb_account_delete_folder_async (env.account, lb_folder_get_id (parent), NULL, lb_test_got_result,
                                  &env.result);
  g_assert_false (lb_account_folder_action_finish (env.account, lb_test_wait_result (&env.result), &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED);
  {
    g_autofree char *log = NULL;

    g_assert_true (g_file_get_contents (env.log, &log, NULL, NULL));
    g_assert_null (strstr (log, "RENAME"));
    g_assert_null (strstr (log, "DELETE"));
    g_assert_null (strstr (log, "UNSUBSCRIBE"));
  }
  env_stop (&env);
}

static gboolean
idle_seen (gpointer data)
{
  return count_commands (data, "IDLE") > 0;
}

/* New mail that the server reports only in its answer to DONE, as IDLE ends for its
 * renewal (1 s here), still counts as a change of INBOX: it is synced at once, not at
 * the next event (which, on a quiet mailbox, may be many minutes away). */
static void
test_idle_exists_in_done (void)
{
  g_autoptr(LbMessageList) inbox = NULL;
  Env env = { 0 };
  LbFolder *folder;

  g_setenv ("LETTERBOX_IDLE_RENEW_SECONDS", "1", TRUE);
  env_start (&env, "gmail", "gmail");
  lb_account_start (env.account);
  while ((folder = lb_account_find_folder (env.account, LB_FOLDER_ROLE_INBOX)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  inbox = lb_engine_open_folder (env.engine, lb_folder_get_id (folder));
  g_assert_true (lb_test_wait_n_items (G_LIST_MODEL (inbox), 2, 30));
  /* IDLE is running: the delivery lands during a round. */
  g_assert_true (lb_test_wait_until (idle_seen, &env, 30));

  g_subprocess_send_signal (env.server, SIGUSR1);
  g_assert_true (lb_test_wait_n_items (G_LIST_MODEL (inbox), 3, 20));

  g_clear_object (&inbox);
  env_stop (&env);
  g_unsetenv ("LETTERBOX_IDLE_RENEW_SECONDS");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/quirks/qq-login-refused", test_qq_login_refused);
  g_test_add_func ("/quirks/netease", test_netease);
  g_test_add_func ("/quirks/gmail-labels", test_gmail_labels);
  g_test_add_func ("/quirks/netease-polling", test_netease_polling);
  g_test_add_func ("/quirks/netease-folders", test_netease_folders);
  g_test_add_func ("/quirks/qq-folders", test_qq_folders);
  g_test_add_func ("/quirks/netease-junk-without-keywords", test_netease_junk_without_keywords);
  g_test_add_func ("/quirks/gmail-parent-of-special", test_gmail_parent_of_special);
  g_test_add_func ("/quirks/idle-exists-in-done", test_idle_exists_in_done);
  return g_test_run ();
}
