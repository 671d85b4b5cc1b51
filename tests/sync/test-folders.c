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

#include "lb-engine.h"
#include "lb-test-account.h"
#include "lb-test-fixture.h"
#include "lb-test-wait.h"

typedef struct {
  LbTestServers *servers;
  char          *profile;
  LbEngine      *engine;
  GAsyncResult  *result;
} Env;

static void
env_start (Env                        *env,
           const LbTestServersOptions *options)
{
  g_autoptr(GError) error = NULL;

  env->servers = lb_test_servers_start (options, &error);
  g_assert_no_error (error);
  env->profile = g_dir_make_tmp ("lb-folders-XXXXXX", &error);
  g_assert_no_error (error);
  env->engine = lb_engine_new (env->profile, &error);
  g_assert_no_error (error);
}

static void
env_stop (Env *env)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", env->profile);

  lb_engine_shutdown (env->engine);
  g_clear_object (&env->result);
  g_assert_finalize_object (env->engine);
  env->engine = NULL;
  g_clear_pointer (&env->servers, lb_test_servers_stop);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (env->profile);
}

static gboolean
sync_account (Env        *env,
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
  Env env = { 0 };

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
  env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/folders/select-refused", test_select_refused);
  return g_test_run ();
}
