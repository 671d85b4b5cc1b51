/* lb-worker.c: one thread with a prioritised, de-duplicating job queue
 *
 * Each account owns one worker: its IMAP session and its store write connection live on
 * that thread, so no connection is ever shared between threads (Geary's racing
 * connection reuse is what this avoids).  Jobs run one at a time in priority order; FIFO
 * within a priority.  Pushing a job whose key equals a queued job's key does not queue a
 * second run: the new caller's task waits on the queued job, and a higher priority lifts
 * the queued job.  Results are returned through GTask, so callers get them on their own
 * main context.
 *
 * Cancellation: each job runs with a cancellable of its own, cancelled when the worker
 * stops or when every caller waiting on the job has cancelled its task's cancellable.
 * A job whose waiters all gave up before it started is skipped; one that runs is
 * cancelled.  A job pushed without a task (fire-and-forget), or by a caller without a
 * cancellable, has a waiter that never gives up, so merging such a push keeps the job.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-worker.h"

typedef struct _LbJob LbJob;

/* One caller waiting on a job, with its handler on the task's cancellable. */
typedef struct {
  LbJob        *job;
  GCancellable *cancellable;
  gulong        handler;
} LbJobWaiter;

struct _LbJob {
  LbJobPriority   priority;
  guint64         seq;
  char           *key;
  LbJobFunc       func;
  gpointer        job_data;
  GDestroyNotify  job_data_free;
  GDestroyNotify  result_free;
  GPtrArray      *tasks;  /* GTask*, may be empty for fire-and-forget jobs */
  GPtrArray      *waiters;  /* LbJobWaiter*, those with a cancellable */
  GCancellable   *cancellable;
  /* Waiters that have not cancelled: every push counts one, a cancelled task's handler
   * takes its one away, atomically since handlers run on the cancelling thread. */
  gint            live;
};

struct _LbWorker {
  char         *name;
  gpointer      worker_data;
  GThread      *thread;
  GMutex        mutex;
  GCond         cond;
  GQueue        queue;      /* LbJob*, sorted by (priority, seq) */
  GHashTable   *by_key;     /* key -> LbJob* while queued */
  guint64       next_seq;
  gboolean      running_job;
  LbJob        *current;
  gboolean      stopping;
  GCancellable *cancellable;
};

/* Runs on whichever thread cancelled the task: takes no lock, only the atomic count
 * and the job's own cancellable, which the job's code may be polling. */
static void
on_waiter_cancelled (GCancellable *cancellable,
                     LbJobWaiter  *waiter)
{
  if (g_atomic_int_dec_and_test (&waiter->job->live))
    g_cancellable_cancel (waiter->job->cancellable);
}

/* Called with the worker's mutex held, after the waiter was counted in job->live; a
 * cancellable already cancelled calls the handler at once, which is safe since the
 * handler takes no lock. */
static void
job_add_waiter (LbJob *job,
                GTask *task)
{
  GCancellable *cancellable = task != NULL ? g_task_get_cancellable (task) : NULL;
  LbJobWaiter *waiter;

  if (task != NULL)
    g_ptr_array_add (job->tasks, g_object_ref (task));
  if (cancellable == NULL)
    return;
  waiter = g_new0 (LbJobWaiter, 1);
  waiter->job = job;
  waiter->cancellable = g_object_ref (cancellable);
  g_ptr_array_add (job->waiters, waiter);
  waiter->handler = g_cancellable_connect (cancellable, G_CALLBACK (on_waiter_cancelled),
                                           waiter, NULL);
}

/* A queued job takes one more waiter unless all of its waiters have already cancelled
 * (then it is about to be skipped, and the new caller needs a run of its own). */
static gboolean
job_try_join (LbJob *job)
{
  gint live;

  do
    {
      live = g_atomic_int_get (&job->live);
      if (live == 0)
        return FALSE;
    }
  while (!g_atomic_int_compare_and_exchange (&job->live, live, live + 1));
  return TRUE;
}

static void
waiter_free (LbJobWaiter *waiter)
{
  /* Waits for a handler running on another thread, so never called with the mutex held. */
  g_cancellable_disconnect (waiter->cancellable, waiter->handler);
  g_object_unref (waiter->cancellable);
  g_free (waiter);
}

static LbJob *
job_new (LbWorker       *worker,
         LbJobPriority   priority,
         const char     *key,
         LbJobFunc       func,
         gpointer        job_data,
         GDestroyNotify  job_data_free,
         GDestroyNotify  result_free)
{
  LbJob *job = g_new0 (LbJob, 1);

  job->priority = priority;
  job->seq = worker->next_seq++;
  job->key = g_strdup (key);
  job->func = func;
  job->job_data = job_data;
  job->job_data_free = job_data_free;
  job->result_free = result_free;
  job->tasks = g_ptr_array_new_with_free_func (g_object_unref);
  job->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
  job->cancellable = g_cancellable_new ();
  return job;
}

static void
job_free (LbJob *job)
{
  g_ptr_array_unref (job->waiters);
  g_clear_object (&job->cancellable);
  if (job->job_data_free != NULL && job->job_data != NULL)
    job->job_data_free (job->job_data);
  g_ptr_array_unref (job->tasks);
  g_free (job->key);
  g_free (job);
}

static int
job_compare (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  const LbJob *ja = a;
  const LbJob *jb = b;

  if (ja->priority != jb->priority)
    return ja->priority < jb->priority ? -1 : 1;
  return ja->seq < jb->seq ? -1 : (ja->seq > jb->seq ? 1 : 0);
}

static void
job_complete (LbJob    *job,
              gpointer  result,
              GError   *error)
{
  for (guint i = 0; i < job->tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (job->tasks, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else if (i + 1 == job->tasks->len)
        {
          g_task_return_pointer (task, result, job->result_free);
          result = NULL;
        }
      else
        {
          /* Only keyed jobs have several waiters, and those return no owned result
           * (asserted in lb_worker_push()), so sharing the pointer is safe. */
          g_task_return_pointer (task, result, NULL);
        }
    }
  if (result != NULL && job->result_free != NULL && result != GINT_TO_POINTER (1))
    job->result_free (result);
}

/* Called with the mutex held: a key names the queued job only while it is that job's. */
static void
job_forget_key (LbWorker *worker,
                LbJob    *job)
{
  if (job->key != NULL && g_hash_table_lookup (worker->by_key, job->key) == job)
    g_hash_table_remove (worker->by_key, job->key);
}

static void
job_run (LbWorker *worker,
         LbJob    *job)
{
  g_autoptr(GError) error = NULL;
  gpointer result = NULL;

  if (g_cancellable_set_error_if_cancelled (job->cancellable, &error))
    {
      /* Every caller gave up before it started: skipped. */
    }
  else
    {
      result = job->func (worker->worker_data, job->job_data, job->cancellable, &error);
      if (result == NULL && error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "Job failed");
    }
  job_complete (job, result, error);
}

static gpointer
worker_thread (gpointer data)
{
  LbWorker *worker = data;
  GQueue left = G_QUEUE_INIT;

  g_mutex_lock (&worker->mutex);
  for (;;)
    {
      LbJob *job;

      while (!worker->stopping && g_queue_is_empty (&worker->queue))
        g_cond_wait (&worker->cond, &worker->mutex);
      if (worker->stopping)
        break;

      job = g_queue_pop_head (&worker->queue);
      job_forget_key (worker, job);
      worker->running_job = TRUE;
      worker->current = job;
      g_mutex_unlock (&worker->mutex);

      job_run (worker, job);

      /* The job stays alive while it is current: lb_worker_stop() reads its cancellable
       * under the mutex, so it is freed only once it is no longer current. */
      g_mutex_lock (&worker->mutex);
      worker->current = NULL;
      worker->running_job = FALSE;
      g_cond_broadcast (&worker->cond);
      g_mutex_unlock (&worker->mutex);
      job_free (job);
      g_mutex_lock (&worker->mutex);
    }

  /* Jobs still queued at stop are cancelled, outside the lock: freeing a job waits for
   * its waiters' cancellation handlers. */
  left = worker->queue;
  g_queue_init (&worker->queue);
  g_hash_table_remove_all (worker->by_key);
  g_mutex_unlock (&worker->mutex);
  while (!g_queue_is_empty (&left))
    {
      LbJob *job = g_queue_pop_head (&left);
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "The account was closed");
      job_complete (job, NULL, error);
      job_free (job);
    }
  return NULL;
}

LbWorker *
lb_worker_new (const char *name,
               gpointer    worker_data)
{
  LbWorker *worker = g_new0 (LbWorker, 1);

  worker->name = g_strdup (name);
  worker->worker_data = worker_data;
  g_mutex_init (&worker->mutex);
  g_cond_init (&worker->cond);
  g_queue_init (&worker->queue);
  worker->by_key = g_hash_table_new (g_str_hash, g_str_equal);
  worker->cancellable = g_cancellable_new ();
  worker->thread = g_thread_new (name, worker_thread, worker);
  return worker;
}

/**
 * lb_worker_push:
 * @key: (nullable): jobs with equal keys are one job while queued
 * @task: (nullable) (transfer none): completed with the job's result
 *
 * Queues @func to run on the worker thread.  Thread-safe.  When @task's cancellable
 * is cancelled and no other caller waits on the job, the job is skipped if it has not
 * started and cancelled if it runs.
 */
void
lb_worker_push (LbWorker       *worker,
                LbJobPriority   priority,
                const char     *key,
                LbJobFunc       func,
                gpointer        job_data,
                GDestroyNotify  job_data_free,
                GDestroyNotify  result_free,
                GTask          *task)
{
  LbJob *job = NULL;

  g_return_if_fail (worker != NULL);
  g_return_if_fail (func != NULL);
  /* De-duplicated jobs may complete several tasks with one result. */
  g_return_if_fail (key == NULL || result_free == NULL);

  g_mutex_lock (&worker->mutex);
  if (worker->stopping)
    {
      g_mutex_unlock (&worker->mutex);
      if (task != NULL)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The account was closed");
      if (job_data_free != NULL && job_data != NULL)
        job_data_free (job_data);
      return;
    }

  if (key != NULL)
    job = g_hash_table_lookup (worker->by_key, key);

  if (job != NULL && job_try_join (job))
    {
      /* Already queued: wait on it, and lift it if this caller is more urgent. */
      job_add_waiter (job, task);
      if (priority < job->priority)
        {
          g_queue_remove (&worker->queue, job);
          job->priority = priority;
          g_queue_insert_sorted (&worker->queue, job, job_compare, NULL);
        }
      if (job_data_free != NULL && job_data != NULL)
        job_data_free (job_data);
    }
  else
    {
      job = job_new (worker, priority, key, func, job_data, job_data_free, result_free);
      g_atomic_int_inc (&job->live);
      job_add_waiter (job, task);
      g_queue_insert_sorted (&worker->queue, job, job_compare, NULL);
      /* Replaces a queued job of the same key whose callers all cancelled: that one is
       * skipped when its turn comes. */
      if (job->key != NULL)
        g_hash_table_replace (worker->by_key, job->key, job);
      g_cond_signal (&worker->cond);
    }
  g_mutex_unlock (&worker->mutex);
}

gboolean
lb_worker_is_idle (LbWorker *worker)
{
  gboolean idle;

  g_mutex_lock (&worker->mutex);
  idle = !worker->running_job && g_queue_is_empty (&worker->queue);
  g_mutex_unlock (&worker->mutex);
  return idle;
}

guint
lb_worker_get_pending (LbWorker *worker)
{
  guint n;

  g_mutex_lock (&worker->mutex);
  n = g_queue_get_length (&worker->queue) + (worker->running_job ? 1 : 0);
  g_mutex_unlock (&worker->mutex);
  return n;
}

/**
 * lb_worker_stop:
 *
 * Cancels the running job, fails the queued ones with %G_IO_ERROR_CANCELLED and joins
 * the thread.  Blocks until the running job returns, which cancellation makes prompt.
 */
void
lb_worker_stop (LbWorker *worker)
{
  g_autoptr(GCancellable) running = NULL;

  if (worker->thread == NULL)
    return;
  g_mutex_lock (&worker->mutex);
  worker->stopping = TRUE;
  if (worker->current != NULL)
    running = g_object_ref (worker->current->cancellable);
  g_cond_broadcast (&worker->cond);
  g_mutex_unlock (&worker->mutex);
  g_cancellable_cancel (worker->cancellable);
  if (running != NULL)
    g_cancellable_cancel (running);
  g_thread_join (worker->thread);
  worker->thread = NULL;
}

void
lb_worker_free (LbWorker *worker)
{
  if (worker == NULL)
    return;
  lb_worker_stop (worker);
  g_hash_table_unref (worker->by_key);
  g_clear_object (&worker->cancellable);
  g_mutex_clear (&worker->mutex);
  g_cond_clear (&worker->cond);
  g_free (worker->name);
  g_free (worker);
}
