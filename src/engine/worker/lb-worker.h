/* lb-worker.h: one thread with a prioritised, de-duplicating job queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-types.h"

G_BEGIN_DECLS

/**
 * LbJobFunc:
 * @job_data: the data given to lb_worker_push()
 * @cancellable: cancelled when the worker stops or the job is cancelled
 *
 * Runs on the worker thread.  May block.
 *
 * Returns: (transfer full) (nullable): a result, passed to the waiting tasks
 *   with g_task_return_pointer() and @result_free, or %NULL with @error set on failure.
 *   A job that has no result returns GINT_TO_POINTER (1).
 */
typedef gpointer (*LbJobFunc) (gpointer       worker_data,
                               gpointer       job_data,
                               GCancellable  *cancellable,
                               GError       **error);

typedef struct _LbWorker LbWorker;

LbWorker *lb_worker_new      (const char      *name,
                              gpointer         worker_data);
void      lb_worker_push     (LbWorker        *worker,
                              LbJobPriority    priority,
                              const char      *key,
                              LbJobFunc        func,
                              gpointer         job_data,
                              GDestroyNotify   job_data_free,
                              GDestroyNotify   result_free,
                              GTask           *task);
gboolean  lb_worker_is_idle  (LbWorker        *worker);
guint     lb_worker_get_pending (LbWorker     *worker);
void      lb_worker_stop     (LbWorker        *worker);
void      lb_worker_free     (LbWorker        *worker);

G_END_DECLS
