/* test-account-worker.c: the jobs of one account's worker, without a server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-account-worker.h"

static GMutex mutex;
static GCond cond;
static gboolean released;

static gpointer
blocking_job (gpointer       worker_data,
              gpointer       job_data,
              GCancellable  *cancellable,
              GError       **error)
{
  g_mutex_lock (&mutex);
  while (!released)
    g_cond_wait (&cond, &mutex);
  g_mutex_unlock (&mutex);
  return GINT_TO_POINTER (1);
}

static char *
no_password (gpointer       user_data,
             const char    *refused,
             GCancellable  *cancellable,
             GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "No server in this test");
  return NULL;
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* There is no server: the sync fails, which is not what this test is about. */
  g_task_propagate_pointer (G_TASK (result), &error);
  *(gboolean *) user_data = TRUE;
}

/* IDLE (or a poll) saw INBOX change while the user asked to refresh INBOX: one sync. */
static void
test_pushed_and_user_inbox_sync_merge (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-account-worker-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "letterbox.db", NULL);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  const LbAccountWorkerCallbacks callbacks = { NULL, NULL, NULL };
  LbStoreAccount row = { 0 };
  LbAccountWorker *worker;
  g_autoptr(GTask) task = NULL;
  gboolean done = FALSE;
  const gint64 inbox_id = 7;

  g_assert_no_error (error);
  row.id = 1;
  row.email = (char *) "me@example.com";
  row.imap_host = (char *) "127.0.0.1";
  row.imap_port = 1;
  row.username = (char *) "me@example.com";
  worker = lb_account_worker_new (&row, path, NULL, no_password, NULL, &callbacks, NULL, &error);
  g_assert_no_error (error);

  released = FALSE;
  lb_account_worker_push (worker, LB_JOB_PRIORITY_USER, NULL, blocking_job, NULL, NULL, NULL, NULL);
  lb_account_worker_queue_pushed_sync (worker, inbox_id);
  task = g_task_new (NULL, NULL, done_cb, &done);
  lb_account_worker_queue_sync (worker, inbox_id, LB_JOB_PRIORITY_USER, task);
  /* The blocking job and one sync of INBOX. */
  g_assert_cmpuint (lb_account_worker_get_pending (worker), ==, 2);

  g_mutex_lock (&mutex);
  released = TRUE;
  g_cond_broadcast (&cond);
  g_mutex_unlock (&mutex);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  lb_account_worker_free (worker);
  g_assert_cmpint (system (cmd), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/account-worker/pushed-and-user-inbox-sync-merge",
                   test_pushed_and_user_inbox_sync_merge);
  return g_test_run ();
}
