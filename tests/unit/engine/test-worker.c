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

/* ---- Cancellation by the callers ------------------------------------------------- */

typedef struct {
  GError  *error;
  gboolean done;
} Outcome;

static void
outcome_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *o = user_data;

  g_task_propagate_pointer (G_TASK (result), &o->error);
  o->done = TRUE;
}

static void
fixture_init (Fixture *f)
{
  g_mutex_init (&f->mutex);
  g_cond_init (&f->cond);
  f->log = g_string_new (NULL);
  f->release = FALSE;
}

static void
fixture_release (Fixture *f)
{
  g_mutex_lock (&f->mutex);
  f->release = TRUE;
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->mutex);
}

static void
fixture_clear (Fixture *f)
{
  g_string_free (f->log, TRUE);
  g_mutex_clear (&f->mutex);
  g_cond_clear (&f->cond);
}

static void
wait_outcomes (Outcome *outcomes,
               guint    n)
{
  for (guint i = 0; i < n; i++)
    while (!outcomes[i].done)
      g_main_context_iteration (NULL, TRUE);
}

/* Downloads queued while paging and then cancelled never run; the one still wanted does. */
static void
test_cancelled_queued_jobs_skipped (void)
{
  Fixture f;
  LbWorker *worker;
  GCancellable *cancellables[4];
  Outcome outcomes[4] = { { 0 } };
  const char *payloads[4] = { "a", "b", "c", "d" };

  fixture_init (&f);
  worker = lb_worker_new ("test", &f);
  lb_worker_push (worker, LB_JOB_PRIORITY_USER, NULL, blocking_job, "[", NULL, NULL, NULL);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GTask) task = NULL;

      cancellables[i] = g_cancellable_new ();
      task = g_task_new (NULL, cancellables[i], outcome_cb, &outcomes[i]);
      lb_worker_push (worker, LB_JOB_PRIORITY_USER, NULL, log_job, (gpointer) payloads[i],
                      NULL, NULL, task);
    }
  /* The user moved on from a, b and c; d is on screen. */
  for (guint i = 0; i < 3; i++)
    g_cancellable_cancel (cancellables[i]);
  fixture_release (&f);
  wait_outcomes (outcomes, 4);

  g_assert_cmpstr (f.log->str, ==, "[d");
  for (guint i = 0; i < 3; i++)
    g_assert_error (outcomes[i].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_no_error (outcomes[3].error);

  lb_worker_free (worker);
  for (guint i = 0; i < 4; i++)
    {
      g_clear_error (&outcomes[i].error);
      g_object_unref (cancellables[i]);
    }
  fixture_clear (&f);
}

static gboolean job_started;
static gboolean job_saw_cancel;

/* Runs until its cancellable is cancelled, for at most ten seconds; then succeeds. */
static gpointer
waits_for_cancel_job (gpointer       worker_data,
                      gpointer       job_data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_atomic_int_set (&job_started, TRUE);
  while (g_get_monotonic_time () < end)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_atomic_int_set (&job_saw_cancel, TRUE);
          return NULL;
        }
      g_usleep (1000);
    }
  return GINT_TO_POINTER (1);
}

/* A running job whose only caller cancels is cancelled, and the worker goes on. */
static void
test_cancel_running_job (void)
{
  Fixture f;
  LbWorker *worker;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { 0 };
  Outcome after = { 0 };
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, outcome_cb, &outcome);
  g_autoptr(GTask) next = g_task_new (NULL, NULL, outcome_cb, &after);

  fixture_init (&f);
  worker = lb_worker_new ("test", &f);
  g_atomic_int_set (&job_started, FALSE);
  g_atomic_int_set (&job_saw_cancel, FALSE);
  lb_worker_push (worker, LB_JOB_PRIORITY_USER, NULL, waits_for_cancel_job, NULL, NULL, NULL, task);
  while (!g_atomic_int_get (&job_started))
    g_usleep (1000);
  g_cancellable_cancel (cancellable);
  wait_outcomes (&outcome, 1);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The job itself was told, not only its caller. */
  g_assert_true (g_atomic_int_get (&job_saw_cancel));

  /* The next job runs uncancelled. */
  lb_worker_push (worker, LB_JOB_PRIORITY_USER, NULL, log_job, "n", NULL, NULL, next);
  wait_outcomes (&after, 1);
  g_assert_no_error (after.error);
  g_assert_cmpstr (f.log->str, ==, "n");

  lb_worker_free (worker);
  g_clear_error (&outcome.error);
  fixture_clear (&f);
}

/* Merged callers: the job runs while any of them still waits (a fire-and-forget push
 * always does), and is skipped only when every one has cancelled. */
static void
test_merged_cancel (void)
{
  Fixture f;
  LbWorker *worker;
  g_autoptr(GCancellable) c1 = g_cancellable_new ();
  g_autoptr(GCancellable) c2 = g_cancellable_new ();
  g_autoptr(GCancellable) c3 = g_cancellable_new ();
  g_autoptr(GCancellable) c4 = g_cancellable_new ();
  Outcome o[5] = { { 0 } };
  GTask *tasks[5];

  fixture_init (&f);
  worker = lb_worker_new ("test", &f);
  tasks[0] = g_task_new (NULL, c1, outcome_cb, &o[0]);
  tasks[1] = g_task_new (NULL, c2, outcome_cb, &o[1]);
  tasks[2] = g_task_new (NULL, c3, outcome_cb, &o[2]);
  tasks[3] = g_task_new (NULL, c4, outcome_cb, &o[3]);
  tasks[4] = g_task_new (NULL, NULL, outcome_cb, &o[4]);

  lb_worker_push (worker, LB_JOB_PRIORITY_USER, NULL, blocking_job, "[", NULL, NULL, NULL);
  /* K: two callers, one cancels: runs once. */
  lb_worker_push (worker, LB_JOB_PRIORITY_USER, "k", log_job, "K", NULL, NULL, tasks[0]);
  lb_worker_push (worker, LB_JOB_PRIORITY_USER, "k", log_job, "K", NULL, NULL, tasks[1]);
  g_cancellable_cancel (c1);
  /* L: its only caller cancels, then a caller with no cancellable asks again: the
   * second must not be lost with the first. */
  lb_worker_push (worker, LB_JOB_PRIORITY_USER, "l", log_job, "L", NULL, NULL, tasks[2]);
  g_cancellable_cancel (c3);
  lb_worker_push (worker, LB_JOB_PRIORITY_USER, "l", log_job, "L", NULL, NULL, tasks[4]);
  /* M: a fire-and-forget push (IDLE's sync) and a caller who cancels: runs. */
  lb_worker_push (worker, LB_JOB_PRIORITY_USER, "m", log_job, "M", NULL, NULL, NULL);
  lb_worker_push (worker, LB_JOB_PRIORITY_USER, "m", log_job, "M", NULL, NULL, tasks[3]);
  g_cancellable_cancel (c4);
  /* N: two callers, both cancel: skipped. */
  {
    g_autoptr(GCancellable) c5 = g_cancellable_new ();
    g_autoptr(GCancellable) c6 = g_cancellable_new ();
    g_autoptr(GTask) t5 = g_task_new (NULL, c5, NULL, NULL);
    g_autoptr(GTask) t6 = g_task_new (NULL, c6, NULL, NULL);

    lb_worker_push (worker, LB_JOB_PRIORITY_USER, "n", log_job, "N", NULL, NULL, t5);
    lb_worker_push (worker, LB_JOB_PRIORITY_USER, "n", log_job, "N", NULL, NULL, t6);
    g_cancellable_cancel (c5);
    g_cancellable_cancel (c6);
  }
  fixture_release (&f);
  wait_outcomes (o, 5);
  while (!lb_worker_is_idle (worker))
    g_usleep (1000);

  g_assert_cmpstr (f.log->str, ==, "[KLM");
  g_assert_error (o[0].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_no_error (o[1].error);
  g_assert_error (o[2].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (o[3].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_no_error (o[4].error);

  lb_worker_free (worker);
  for (guint i = 0; i < 5; i++)
    {
      g_clear_error (&o[i].error);
      g_object_unref (tasks[i]);
    }
  fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/worker/priority-and-dedup", test_priority_and_dedup);
  g_test_add_func ("/engine/worker/stop-cancels", test_stop_cancels);
  g_test_add_func ("/engine/worker/cancelled-queued-jobs-skipped", test_cancelled_queued_jobs_skipped);
  g_test_add_func ("/engine/worker/cancel-running-job", test_cancel_running_job);
  g_test_add_func ("/engine/worker/merged-cancel", test_merged_cancel);
  return g_test_run ();
}
