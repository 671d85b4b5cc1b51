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
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-worker.h"

typedef struct {
  LbJobPriority   priority;
  guint64         seq;
  char           *key;
  LbJobFunc       func;
  gpointer        job_data;
  GDestroyNotify  job_data_free;
  GDestroyNotify  result_free;
  GPtrArray      *tasks;  /* GTask*, may be empty for fire-and-forget jobs */
} LbJob;

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
  gboolean      stopping;
  GCancellable *cancellable;
};

static void
job_free (LbJob *job)
{
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

static gpointer
worker_thread (gpointer data)
{
  LbWorker *worker = data;

  g_mutex_lock (&worker->mutex);
  for (;;)
    {
      LbJob *job;
      g_autoptr(GError) error = NULL;
      gpointer result;

      while (!worker->stopping && g_queue_is_empty (&worker->queue))
        g_cond_wait (&worker->cond, &worker->mutex);
      if (worker->stopping)
        break;

      job = g_queue_pop_head (&worker->queue);
      if (job->key != NULL)
        g_hash_table_remove (worker->by_key, job->key);
      worker->running_job = TRUE;
      g_mutex_unlock (&worker->mutex);

      result = job->func (worker->worker_data, job->job_data, worker->cancellable, &error);
      if (result == NULL && error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "Job failed");
      job_complete (job, result, error);
      job_free (job);

      g_mutex_lock (&worker->mutex);
      worker->running_job = FALSE;
      g_cond_broadcast (&worker->cond);
    }

  /* Jobs still queued at stop are cancelled. */
  while (!g_queue_is_empty (&worker->queue))
    {
      LbJob *job = g_queue_pop_head (&worker->queue);
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "The account was closed");
      job_complete (job, NULL, error);
      job_free (job);
    }
  g_hash_table_remove_all (worker->by_key);
  g_mutex_unlock (&worker->mutex);
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
 * Queues @func to run on the worker thread.  Thread-safe.
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

  if (job != NULL)
    {
      /* Already queued: wait on it, and lift it if this caller is more urgent. */
      if (task != NULL)
        g_ptr_array_add (job->tasks, g_object_ref (task));
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
      job = g_new0 (LbJob, 1);
      job->priority = priority;
      job->seq = worker->next_seq++;
      job->key = g_strdup (key);
      job->func = func;
      job->job_data = job_data;
      job->job_data_free = job_data_free;
      job->result_free = result_free;
      job->tasks = g_ptr_array_new_with_free_func (g_object_unref);
      if (task != NULL)
        g_ptr_array_add (job->tasks, g_object_ref (task));
      g_queue_insert_sorted (&worker->queue, job, job_compare, NULL);
      if (job->key != NULL)
        g_hash_table_insert (worker->by_key, job->key, job);
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
  if (worker->thread == NULL)
    return;
  g_mutex_lock (&worker->mutex);
  worker->stopping = TRUE;
  g_cond_broadcast (&worker->cond);
  g_mutex_unlock (&worker->mutex);
  g_cancellable_cancel (worker->cancellable);
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
