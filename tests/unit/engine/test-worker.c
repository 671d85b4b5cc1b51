/* test-worker.c: the per-account job queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-worker.h"

typedef struct {
  GMutex   mutex;
  GCond    cond;
  gboolean release;
  GString *log;
} Fixture;

static gpointer
blocking_job (gpointer       worker_data,
              gpointer       job_data,
              GCancellable  *cancellable,
              GError       **error)
{
  Fixture *f = worker_data;

  g_mutex_lock (&f->mutex);
  while (!f->release)
    g_cond_wait (&f->cond, &f->mutex);
  g_string_append (f->log, job_data);
  g_mutex_unlock (&f->mutex);
  return GINT_TO_POINTER (1);
}

static gpointer
log_job (gpointer       worker_data,
         gpointer       job_data,
         GCancellable  *cancellable,
         GError       **error)
{
  Fixture *f = worker_data;

  g_mutex_lock (&f->mutex);
  g_string_append (f->log, job_data);
  g_mutex_unlock (&f->mutex);
  if (g_str_equal (job_data, "E"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "E failed");
      return NULL;
    }
  return GINT_TO_POINTER (1);
}

static int completed;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gpointer r = g_task_propagate_pointer (G_TASK (result), &error);

  if (GPOINTER_TO_INT (user_data) == 1)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  else
    g_assert_nonnull (r);
  completed++;
}

static void
test_priority_and_dedup (void)
{
  Fixture f = { 0 };
  LbWorker *worker;
  const char *names[] = { "b1", "v1", "u1", "b1", "v2", "E" };
  LbJobPriority prios[] = { LB_JOB_PRIORITY_BACKGROUND, LB_JOB_PRIORITY_VISIBLE,
                            LB_JOB_PRIORITY_USER, LB_JOB_PRIORITY_USER,
                            LB_JOB_PRIORITY_VISIBLE, LB_JOB_PRIORITY_BACKGROUND };

  g_mutex_init (&f.mutex);
  g_cond_init (&f.cond);
  f.log = g_string_new (NULL);
  worker = lb_worker_new ("test", &f);
  completed = 0;

  /* Hold the thread so the queue fills up before anything runs. */
  lb_worker_push (worker, LB_JOB_PRIORITY_USER, NULL, blocking_job, "[", NULL, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, done_cb,
                                          GINT_TO_POINTER (g_str_equal (names[i], "E")));
      /* Keys name the job: the second b1 joins the first and lifts it to USER. */
      const char *payload = names[i][0] == 'b' ? "B" : names[i][0] == 'v' ? "V" :
                            names[i][0] == 'u' ? "U" : "E";
      lb_worker_push (worker, prios[i], names[i], log_job, (gpointer) payload, NULL, NULL, task);
    }
  g_assert_cmpuint (lb_worker_get_pending (worker), >=, 5);

  g_mutex_lock (&f.mutex);
  f.release = TRUE;
  g_cond_broadcast (&f.cond);
  g_mutex_unlock (&f.mutex);

  while (completed < (int) G_N_ELEMENTS (names))
    g_main_context_iteration (NULL, TRUE);

  /* USER jobs first in queue order (the lifted b1 was queued before u1), then VISIBLE,
   * then BACKGROUND; b1 ran once although it was pushed twice. */
  g_assert_cmpstr (f.log->str, ==, "[BUVVE");
  /* The last task completes just before the thread marks itself idle. */
  while (!lb_worker_is_idle (worker))
    g_usleep (1000);

  lb_worker_free (worker);
  g_string_free (f.log, TRUE);
  g_mutex_clear (&f.mutex);
  g_cond_clear (&f.cond);
}

static gpointer
cancellable_job (gpointer       worker_data,
                 gpointer       job_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  /* Blocks until the worker is stopped: stop must cancel a running job. */
  GMainContext *ctx = g_main_context_new ();
  while (!g_cancellable_is_cancelled (cancellable))
    g_usleep (1000);
  g_main_context_unref (ctx);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  return NULL;
}

static void
cancelled_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (g_task_propagate_pointer (G_TASK (result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  completed++;
}

static void
test_stop_cancels (void)
{
  LbWorker *worker = lb_worker_new ("test", NULL);
  g_autoptr(GTask) t1 = g_task_new (NULL, NULL, cancelled_cb, NULL);
  g_autoptr(GTask) t2 = g_task_new (NULL, NULL, cancelled_cb, NULL);

  completed = 0;
  lb_worker_push (worker, LB_JOB_PRIORITY_USER, NULL, cancellable_job, NULL, NULL, NULL, t1);
  lb_worker_push (worker, LB_JOB_PRIORITY_USER, NULL, cancellable_job, NULL, NULL, NULL, t2);
  g_usleep (10000);
  lb_worker_stop (worker);
  while (completed < 2)
    g_main_context_iteration (NULL, TRUE);
  lb_worker_free (worker);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/worker/priority-and-dedup", test_priority_and_dedup);
  g_test_add_func ("/engine/worker/stop-cancels", test_stop_cancels);
  return g_test_run ();
}
