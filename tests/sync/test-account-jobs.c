/* test-account-jobs.c: an account's jobs against a real Dovecot: cancelled by their
 * callers, and carried over a kept connection that the server dropped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-account.h"
#include "lb-compose.h"
#include "lb-engine.h"
#include "lb-folder.h"
#include "lb-message.h"
#include "lb-message-list.h"
#include "lb-test-env.h"

#define N_MESSAGES 20

/* Headers only: these tests need bodies that are not in the store yet. */
static void
env_start (LbTestEnv *env,
           gboolean   with_proxy)
{
  const char * const corpus[] = { "alice@example.com:Archive:20:9", NULL };
  LbTestEnvOptions options = { .corpus = corpus, .offline_days = -1 };

  options.proxy = with_proxy ? LB_TEST_ENV_PROXY_IMAP : LB_TEST_ENV_PROXY_NONE;
  lb_test_env_start (env, &options);
  lb_test_env_sync_ok (env);
  lb_engine_wait_idle (env->engine);
}

static LbMessageList *
open_archive (LbTestEnv *env)
{
  LbFolder *archive = lb_account_find_folder (env->account, LB_FOLDER_ROLE_ARCHIVE);
  LbMessageList *list;

  g_assert_nonnull (archive);
  list = lb_engine_open_folder (env->engine, lb_folder_get_id (archive));
  g_assert_true (lb_test_wait_n_items (G_LIST_MODEL (list), N_MESSAGES, 10));
  return list;
}

static guint
count_cached (LbTestEnv     *env,
              LbMessageList *list)
{
  guint cached = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_autoptr(GBytes) body = lb_engine_get_cached_body (env->engine, lb_message_get_id (m));

      cached += body != NULL;
    }
  return cached;
}

static void
count_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = lb_account_fetch_body_finish (LB_ACCOUNT (source), result, &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  (*(guint *) user_data)++;
}

/* Paging through messages that are not downloaded: each page view asks for a body and
 * cancels when the user moves on.  The cancelled downloads do not all run. */
static void
test_cancelled_fetches (void)
{
  g_autoptr(LbMessageList) list = NULL;
  g_autoptr(GPtrArray) cancellables = g_ptr_array_new_with_free_func (g_object_unref);
  LbTestEnv env = { 0 };
  guint done = 0;

  env_start (&env, FALSE);
  list = open_archive (&env);
  g_assert_cmpuint (count_cached (&env, list), ==, 0);

  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);
      GCancellable *cancellable = g_cancellable_new ();

      g_ptr_array_add (cancellables, cancellable);
      lb_account_fetch_body_async (env.account, lb_message_get_id (m), cancellable,
                                   count_done, &done);
    }
  for (guint i = 0; i < cancellables->len; i++)
    g_cancellable_cancel (g_ptr_array_index (cancellables, i));
  while (done < N_MESSAGES)
    g_main_context_iteration (NULL, TRUE);
  lb_engine_wait_idle (env.engine);

  g_assert_cmpuint (count_cached (&env, list), <, N_MESSAGES);
  g_clear_object (&list);
  lb_test_env_stop (&env);
}

/* The server dropped the connection the account kept (its idle timeout; here the
 * proxy cuts it): opening a message that is not downloaded still shows it. */
static void
test_fetch_after_server_dropped_connection (void)
{
  g_autoptr(LbMessageList) list = NULL;
  g_autoptr(LbMessage) m = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  LbTestEnv env = { 0 };
  guint connections;

  env_start (&env, TRUE);
  list = open_archive (&env);
  m = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_null (lb_engine_get_cached_body (env.engine, lb_message_get_id (m)));

  connections = lb_test_proxy_get_connections (env.proxy);
  lb_test_proxy_kill_all (env.proxy);
  lb_account_fetch_body_async (env.account, lb_message_get_id (m), NULL,
                               lb_test_got_result, &result);
  body = lb_account_fetch_body_finish (env.account, lb_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (body);
  g_assert_cmpuint (g_bytes_get_size (body), >, 100);
  /* It came over a new connection. */
  g_assert_cmpuint (lb_test_proxy_get_connections (env.proxy), >, connections);

  g_clear_object (&m);
  g_clear_object (&list);
  lb_test_env_stop (&env);
}

/* The same for saving a draft: it is kept on the server although the connection that
 * the account kept had been dropped. */
static void
test_draft_after_server_dropped_connection (void)
{
  static const char draft[] =
    "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: Half written\r\n"
    "Message-ID: <draft-1@example.com>\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\n"
    "To be continued.\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (draft, sizeof draft - 1);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LbTestEnv env = { 0 };
  guint32 uid;

  env_start (&env, TRUE);
  lb_test_proxy_kill_all (env.proxy);
  lb_compose_save_draft_async (env.engine, env.account, message, 0, NULL,
                               lb_test_got_result, &result);
  uid = lb_compose_save_draft_finish (env.engine, lb_test_wait_result (&result), &error);
  g_assert_no_error (error);
  /* Dovecot has UIDPLUS: the new copy's uid is known. */
  g_assert_cmpuint (uid, >, 0);
  /* The result holds the engine, its source object. */
  g_clear_object (&result);
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/account-jobs/cancelled-fetches", test_cancelled_fetches);
  g_test_add_func ("/account-jobs/fetch-after-server-dropped-connection",
                   test_fetch_after_server_dropped_connection);
  g_test_add_func ("/account-jobs/draft-after-server-dropped-connection",
                   test_draft_after_server_dropped_connection);
  return g_test_run ();
}
