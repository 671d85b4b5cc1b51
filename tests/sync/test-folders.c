/* test-folders.c: folders the server refuses, and special folders the server lacks
 *
 * Against a private Dovecot (tests/fixtures/lbfixture.py): one folder the user may list
 * but not open (the ACL "lookup" right only, as lookup-only shared folders on Cyrus),
 * and accounts without a Sent or Archive mailbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lb-compose.h"
#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-test-account.h"
#include "lb-test-env.h"
#include "lb-test-fixture.h"
#include "lb-test-wait.h"

static const char *cli_path;

/* The servers of OPTIONS and an engine on a new profile, without an account: each test
 * adds its own. */
static void
env_start (LbTestEnv                  *env,
           const LbTestServersOptions *options)
{
  LbTestEnvOptions env_options = { .servers = options, .no_account = TRUE };

  lb_test_env_start (env, &env_options);
}

static gboolean
sync_account (LbTestEnv  *env,
              LbAccount  *account,
              GError    **error)
{
  lb_account_sync_async (account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &env->result);
  return lb_account_sync_finish (account, lb_test_wait_result (&env->result), error);
}

/* The account's folder of that raw name (transfer none), or NULL. */
static LbFolder *
folder_named (LbAccount  *account,
              const char *raw_name)
{
  GListModel *folders = lb_account_get_folders (account);

  for (guint i = 0; i < g_list_model_get_n_items (folders); i++)
    {
      g_autoptr(LbFolder) f = g_list_model_get_item (folders, i);
      if (g_strcmp0 (lb_folder_get_raw_name (f), raw_name) == 0)
        return f;   /* the list keeps its reference */
    }
  return NULL;
}

/* Runs letterbox-cli on the test's profile; returns its exit status and standard output. */
static int
run_cli (LbTestEnv          *env,
         const char * const *args,
         char              **out)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "C", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_ptr_array_add (argv, (gpointer) cli_path);
  g_ptr_array_add (argv, (gpointer) args[0]);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, env->profile);
  for (guint i = 1; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("letterbox-cli %s -> %d\n%s%s", args[0], g_subprocess_get_exit_status (proc),
                  *out, err);
  return g_subprocess_get_exit_status (proc);
}

typedef struct {
  LbFolder *folder;
  guint     total;
  gboolean  failed;
} FolderWait;

static gboolean
folder_is (gpointer data)
{
  FolderWait *w = data;
  return lb_folder_get_total_count (w->folder) == w->total &&
         (lb_folder_get_last_error (w->folder) != NULL) == w->failed;
}

/* The account's folders are updated on the main context after the sync has finished:
 * waits until FOLDER shows TOTAL messages and has an error or not. */
static void
assert_folder_becomes (LbFolder *folder,
                       guint     total,
                       gboolean  failed)
{
  FolderWait w = { folder, total, failed };

  if (!lb_test_wait_until (folder_is, &w, 10))
    g_error ("folder %s: %u messages, error %s; expected %u and %s", lb_folder_get_raw_name (folder),
             lb_folder_get_total_count (folder), lb_folder_get_last_error (folder), total,
             failed ? "an error" : "none");
}

typedef struct {
  LbAccount    *account;
  LbFolderRole  role;
} RoleWait;

static gboolean
has_role (gpointer data)
{
  RoleWait *w = data;
  return lb_account_find_folder (w->account, w->role) != NULL;
}

/* The account's folder of ROLE (transfer none), once the folder list shows it. */
static LbFolder *
wait_folder_of_role (LbAccount    *account,
                     LbFolderRole  role)
{
  RoleWait w = { account, role };

  g_assert_true (lb_test_wait_until (has_role, &w, 10));
  return lb_account_find_folder (account, role);
}

typedef struct {
  LbAccount       *account;
  LbAccountStatus  status;
} StatusWait;

static gboolean
status_is (gpointer data)
{
  StatusWait *w = data;
  return lb_account_get_status (w->account) == w->status;
}

/* Bug 4: Dovecot answers "NO [NOPERM] Permission denied" to SELECT of Shared, which
 * sorts before Zeta.  The sync still succeeds, Zeta is synced, the refusal is kept on
 * Shared (and only there), the account is idle rather than in error, and once the
 * server lets us in, the next sync syncs Shared and clears its error. */
static void
test_select_refused (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:5:1", "alice@example.com:Shared:2:2",
                                  "alice@example.com:Zeta:3:3", NULL };
  const char * const lookup_only[] = { "alice@example.com:Shared", NULL };
  LbTestServersOptions options = { .corpus = corpus, .lookup_only = lookup_only, .no_smtp = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) account = NULL;
  g_autofree char *acl = NULL;
  StatusWait wait;
  LbFolder *shared;
  LbFolder *zeta;
  LbTestEnv env = { 0 };

  env_start (&env, &options);
  account = lb_test_add_account (env.engine, env.servers, 0, "alice@example.com", NULL, FALSE);

  g_assert_true (sync_account (&env, account, &error));
  g_assert_no_error (error);

  shared = folder_named (account, "Shared");
  zeta = folder_named (account, "Zeta");
  g_assert_nonnull (shared);
  g_assert_nonnull (zeta);
  assert_folder_becomes (shared, 0, TRUE);
  g_assert_nonnull (strstr (lb_folder_get_last_error (shared), "Permission denied"));
  assert_folder_becomes (zeta, 3, FALSE);
  assert_folder_becomes (lb_account_find_folder (account, LB_FOLDER_ROLE_INBOX), 5, FALSE);
  /* The account itself is fine: it goes on to IDLE (`sync --idle` waits for mail). */
  wait = (StatusWait) { account, LB_ACCOUNT_STATUS_IDLE };
  g_assert_true (lb_test_wait_until (status_is, &wait, 10));
  g_assert_null (lb_account_get_last_error (account));

  /* Syncing the refused folder alone (the user opened it) fails with the server's
   * answer, and still leaves the account as it was. */
  lb_account_sync_async (account, lb_folder_get_id (shared), LB_JOB_PRIORITY_USER, NULL,
                         lb_test_got_result, &env.result);
  g_assert_false (lb_account_sync_finish (account, lb_test_wait_result (&env.result), &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_SERVER_NO);
  g_clear_error (&error);
  lb_test_iterate_for (200);
  g_assert_cmpint (lb_account_get_status (account), ==, LB_ACCOUNT_STATUS_IDLE);
  g_assert_null (lb_account_get_last_error (account));

  /* The command line: `sync --idle` succeeds and goes on to wait for mail, and `folders`
   * shows the refusal on Shared only. */
  {
    g_autofree char *out = NULL;
    g_autofree char *json = NULL;
    g_auto(GStrv) lines = NULL;
    guint with_error = 0;

    g_assert_cmpint (run_cli (&env, (const char *[]) { "sync", "--idle", "1", NULL }, &out), ==, 0);
    g_assert_nonnull (strstr (out, "alice@example.com: synced"));
    g_assert_cmpint (run_cli (&env, (const char *[]) { "folders", "--json", NULL }, &json), ==, 0);
    lines = g_strsplit (json, "},", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      if (strstr (lines[i], "\"error\"") != NULL)
        {
          with_error++;
          g_assert_nonnull (strstr (lines[i], "\"raw_name\":\"Shared\""));
          g_assert_nonnull (strstr (lines[i], "Permission denied"));
        }
    g_assert_cmpuint (with_error, ==, 1);
  }

  /* The error is kept in the store: a restart still shows it.  (The restart also gives
   * a new connection: Dovecot keeps a session's rights for its lifetime.) */
  acl = g_build_filename (env.servers->maildir, "alice@example.com", ".Shared", "dovecot-acl", NULL);
  g_assert_cmpint (g_unlink (acl), ==, 0);
  g_clear_object (&account);
  lb_engine_shutdown (env.engine);
  g_assert_finalize_object (env.engine);
  env.engine = lb_engine_new (env.profile, &error);
  g_assert_no_error (error);
  account = g_list_model_get_item (lb_engine_get_accounts (env.engine), 0);
  shared = folder_named (account, "Shared");
  g_assert_nonnull (shared);
  g_assert_nonnull (lb_folder_get_last_error (shared));

  /* Retried on the next sync: with the right granted, Shared syncs and its error goes. */
  g_assert_true (sync_account (&env, account, &error));
  g_assert_no_error (error);
  assert_folder_becomes (shared, 2, FALSE);

  g_clear_object (&account);
  lb_test_env_stop (&env);
}

/* ---- Special folders the server lacks ---- */

/* Bug 2: archiving from All Inboxes a message of alice (whose server has Archive) and one
 * of bob (whose server has none) puts each in its own account's Archive; bob's is
 * created, and nothing goes to Trash. */
static void
test_archive_two_accounts (void)
{
  const char * const corpus_a[] = { "alice@example.com:INBOX:3:1", NULL };
  const char * const corpus_b[] = { "bob@example.com:INBOX:3:2", NULL };
  const char * const users_b[] = { "bob@example.com:secret", NULL };
  const char * const no_archive[] = { "Archive", NULL };
  LbTestServersOptions options_b = { .users = users_b, .corpus = corpus_b,
                                     .without_special = no_archive, .no_smtp = TRUE };
  LbTestServersOptions options_a = { .corpus = corpus_a, .no_smtp = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) alice = NULL;
  g_autoptr(LbAccount) bob = NULL;
  g_autoptr(LbTestServers) servers_b = NULL;
  g_autoptr(LbMessage) from_alice = NULL;
  g_autoptr(LbMessage) from_bob = NULL;
  LbMessageList *unified;
  LbMessage *both[2];
  LbTestEnv env = { 0 };

  env_start (&env, &options_a);
  servers_b = lb_test_servers_start (&options_b, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lb_test_servers_count_messages (servers_b, "bob@example.com", "Archive", NULL), ==, -1);
  alice = lb_test_add_account (env.engine, env.servers, 0, "alice@example.com", NULL, TRUE);
  bob = lb_test_add_account (env.engine, servers_b, 0, "bob@example.com", NULL, TRUE);

  unified = lb_engine_get_unified_inbox (env.engine);
  g_assert_true (lb_test_wait_n_items (G_LIST_MODEL (unified), 6, 10));
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (unified), i);
      if (lb_message_get_account_id (m) == lb_account_get_id (alice) && from_alice == NULL)
        from_alice = g_steal_pointer (&m);
      else if (lb_message_get_account_id (m) == lb_account_get_id (bob) && from_bob == NULL)
        from_bob = g_steal_pointer (&m);
    }
  g_assert_nonnull (from_alice);
  g_assert_nonnull (from_bob);

  /* Both orders of the selection must work; the bug took the first one's account. */
  both[0] = from_bob;
  both[1] = from_alice;
  lb_engine_move (env.engine, both, 2, LB_FOLDER_ROLE_ARCHIVE, 0);
  lb_engine_flush_pending (env.engine);
  lb_engine_wait_idle (env.engine);
  g_assert_true (sync_account (&env, alice, &error));
  g_assert_no_error (error);
  g_assert_true (sync_account (&env, bob, &error));
  g_assert_no_error (error);

  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Archive", NULL), ==, 1);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "INBOX", NULL), ==, 2);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Trash", NULL), ==, 0);
  g_assert_cmpint (lb_test_servers_count_messages (servers_b, "bob@example.com", "Archive", NULL), ==, 1);
  g_assert_cmpint (lb_test_servers_count_messages (servers_b, "bob@example.com", "INBOX", NULL), ==, 2);
  g_assert_cmpint (lb_test_servers_count_messages (servers_b, "bob@example.com", "Trash", NULL), ==, 0);
  /* The new folder has its role in the store, and its message after the sync. */
  assert_folder_becomes (wait_folder_of_role (bob, LB_FOLDER_ROLE_ARCHIVE), 1, FALSE);

  g_clear_object (&from_alice);
  g_clear_object (&from_bob);
  g_clear_object (&alice);
  g_clear_object (&bob);
  lb_test_env_stop (&env);
}

/* Bug 3: a server with no Sent folder: the message is sent, Sent is created and the copy
 * is appended there; the outbox is empty afterwards. */
static void
test_sent_created (void)
{
  const char * const no_sent[] = { "Sent", NULL };
  LbTestServersOptions options = { .without_special = no_sent };
  static const char raw_text[] =
    "From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\n"
    "Subject: =?UTF-8?B?5rKh5pyJ5bey5Y+R6YCB?=\r\nMessage-ID: <no-sent.1@example.com>\r\n"
    "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n";
  const char * const rcpts[] = { "bob@example.org", NULL };
  g_autoptr(GBytes) raw = g_bytes_new_static (raw_text, sizeof raw_text - 1);
  g_autoptr(LbAccountSettings) s = lb_account_settings_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) account = NULL;
  g_autoptr(GPtrArray) received = NULL;
  g_autoptr(GPtrArray) items = NULL;
  LbTestEnv env = { 0 };

  env_start (&env, &options);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Sent", NULL), ==, -1);
  s->email = g_strdup ("alice@example.com");
  s->imap = lb_server_config_new ("127.0.0.1", env.servers->imaps_port, LB_SECURITY_TLS,
                                  "alice@example.com");
  s->imap->ca_file = g_strdup (env.servers->ca_file);
  s->smtp = lb_server_config_new ("127.0.0.1", env.servers->smtps_port, LB_SECURITY_TLS,
                                  "alice@example.com");
  s->smtp->ca_file = g_strdup (env.servers->ca_file);
  lb_engine_add_account_async (env.engine, s, "secret", NULL, lb_test_got_result, &env.result);
  account = lb_engine_add_account_finish (env.engine, lb_test_wait_result (&env.result), &error);
  g_assert_no_error (error);
  g_assert_true (sync_account (&env, account, &error));
  g_assert_no_error (error);
  g_assert_null (lb_account_find_folder (account, LB_FOLDER_ROLE_SENT));

  lb_engine_send_async (env.engine, account, raw, rcpts, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_send_finish (env.engine, lb_test_wait_result (&env.result), NULL, &error));
  g_assert_no_error (error);
  received = lb_test_servers_wait_smtp (env.servers, 1, 10000);
  g_assert_cmpuint (received->len, ==, 1);

  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Sent", NULL), ==, 1);
  items = lb_engine_list_outbox (env.engine);
  g_assert_cmpuint (items->len, ==, 0);
  g_assert_true (sync_account (&env, account, &error));
  g_assert_no_error (error);
  assert_folder_becomes (wait_folder_of_role (account, LB_FOLDER_ROLE_SENT), 1, FALSE);

  g_clear_object (&account);
  lb_test_env_stop (&env);
}

/* Bug 3, for Drafts, on a server that offers CREATE-SPECIAL-USE (Dovecot takes the
 * `USE (\Drafts)` argument): saving a draft creates Drafts and appends the draft. */
static void
test_drafts_created_special_use (void)
{
  const char * const no_drafts[] = { "Drafts", NULL };
  LbTestServersOptions options = {
    .without_special = no_drafts, .no_smtp = TRUE,
    .imap_capability = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE UIDPLUS "
                       "LIST-EXTENDED CONDSTORE QRESYNC ESEARCH MOVE LITERAL+ SPECIAL-USE "
                       "CREATE-SPECIAL-USE",
  };
  static const char raw_text[] =
    "From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\n"
    "Subject: draft\r\nMessage-ID: <no-drafts.1@example.com>\r\n"
    "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nNot yet\r\n";
  g_autoptr(GBytes) raw = g_bytes_new_static (raw_text, sizeof raw_text - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) account = NULL;
  guint32 uid;
  LbTestEnv env = { 0 };

  env_start (&env, &options);
  account = lb_test_add_account (env.engine, env.servers, 0, "alice@example.com", NULL, TRUE);
  g_assert_null (lb_account_find_folder (account, LB_FOLDER_ROLE_DRAFTS));
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Drafts", NULL), ==, -1);

  lb_compose_save_draft_async (env.engine, account, raw, 0, NULL, lb_test_got_result, &env.result);
  uid = lb_compose_save_draft_finish (env.engine, lb_test_wait_result (&env.result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uid, >, 0);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Drafts", NULL), ==, 1);
  assert_folder_becomes (wait_folder_of_role (account, LB_FOLDER_ROLE_DRAFTS), 1, FALSE);

  g_clear_object (&account);
  lb_test_env_stop (&env);
}

/* Trash, when a delete needs it: on a server without Trash, deleting a message from
 * INBOX creates Trash and moves the message there instead of erasing it. */
static void
test_trash_created (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:3:4", NULL };
  const char * const no_trash[] = { "Trash", NULL };
  LbTestServersOptions options = { .corpus = corpus, .without_special = no_trash, .no_smtp = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) account = NULL;
  g_autoptr(LbMessageList) inbox = NULL;
  g_autoptr(LbMessage) m = NULL;
  LbTestEnv env = { 0 };

  env_start (&env, &options);
  account = lb_test_add_account (env.engine, env.servers, 0, "alice@example.com", NULL, TRUE);
  g_assert_null (lb_account_find_folder (account, LB_FOLDER_ROLE_TRASH));
  inbox = lb_engine_open_folder (env.engine,
                                 lb_folder_get_id (lb_account_find_folder (account, LB_FOLDER_ROLE_INBOX)));
  g_assert_true (lb_test_wait_n_items (G_LIST_MODEL (inbox), 3, 10));
  m = g_list_model_get_item (G_LIST_MODEL (inbox), 0);

  lb_engine_delete (env.engine, &m, 1);
  lb_engine_flush_pending (env.engine);
  lb_engine_wait_idle (env.engine);
  g_assert_true (sync_account (&env, account, &error));
  g_assert_no_error (error);

  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "INBOX", NULL), ==, 2);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Trash", NULL), ==, 1);
  assert_folder_becomes (wait_folder_of_role (account, LB_FOLDER_ROLE_TRASH), 1, FALSE);

  g_clear_object (&m);
  g_clear_object (&inbox);
  g_clear_object (&account);
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  cli_path = argv[1];
  g_test_add_func ("/folders/select-refused", test_select_refused);
  g_test_add_func ("/folders/archive-two-accounts", test_archive_two_accounts);
  g_test_add_func ("/folders/sent-created", test_sent_created);
  g_test_add_func ("/folders/drafts-created-special-use", test_drafts_created_special_use);
  g_test_add_func ("/folders/trash-created", test_trash_created);
  return g_test_run ();
}
