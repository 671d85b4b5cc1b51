/* lb-account-offline.c: what an account keeps on this computer
 *
 * The setting itself ("Keep mail on this computer") is part of the account's settings
 * (LbAccountSettings:offline_days and offline_max_mb); the worker downloads what it
 * keeps in the background after every sync (lb-account-worker.c, lb-imap-sync-bodies.c).
 * Here: waiting for that download, measuring it, and removing it.  Every job runs on the
 * account's worker, with its store connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-account-offline.h"
#include "lb-account-private.h"

/**
 * lb_account_get_offline_days:
 *
 * Returns: which bodies the account keeps: 0 every one, N > 0 those of the last N days,
 *   -1 none (headers only)
 */
int
lb_account_get_offline_days (LbAccount *self)
{
  return _lb_account_get_row (self)->offline_days;
}

/**
 * lb_account_get_offline_max_mb:
 *
 * Returns: the size in megabytes above which a message keeps only its headers until it is
 *   opened, or 0 for no limit
 */
guint
lb_account_get_offline_max_mb (LbAccount *self)
{
  return _lb_account_get_row (self)->offline_max_mb;
}

/**
 * lb_account_download_async:
 *
 * Downloads one batch of the bodies the account keeps and that the store lacks, newest
 * first.  Call it again while lb_account_download_finish() says some remain: each batch
 * is a job of its own, behind anything the user asks for.
 */
void
lb_account_download_async (LbAccount           *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lb_account_download_async);
  _lb_account_push (self, LB_JOB_PRIORITY_BACKGROUND, NULL, lb_account_worker_download_now_job,
                    NULL, NULL, NULL, task);
}

/**
 * lb_account_download_finish:
 * @out_remaining: (out): 0 when the account is complete under its setting (every body it
 *   keeps is in the store, and their text derived for search), else more than 0
 * @out_bodies_in: (out) (optional): whether every body the account keeps is in the store
 */
gboolean
lb_account_download_finish (LbAccount     *self,
                            GAsyncResult  *result,
                            guint         *out_remaining,
                            gboolean      *out_bodies_in,
                            GError       **error)
{
  gpointer r = g_task_propagate_pointer (G_TASK (result), error);

  if (r == NULL)
    return FALSE;
  /* See lb_account_worker_download_now_job(). */
  *out_remaining = GPOINTER_TO_UINT (r) - 1;
  if (out_bodies_in != NULL)
    *out_bodies_in = GPOINTER_TO_UINT (r) < 3;
  return TRUE;
}

static gpointer
disk_use_job (gpointer       worker_data,
              gpointer       job_data,
              GCancellable  *cancellable,
              GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  LbStoreDiskUse use = { 0 };
  LbDiskUse *out;

  if (!lb_store_get_disk_use (w->store, w->row->id, &use, error))
    return NULL;
  out = g_new0 (LbDiskUse, 1);
  out->n_messages = use.n_messages;
  out->n_bodies = use.n_bodies;
  out->stored_bytes = use.body_bytes;
  out->raw_bytes = use.raw_bytes;
  out->text_bytes = use.text_bytes;
  return out;
}

/**
 * lb_account_get_disk_use_async:
 *
 * Measures what the account's downloaded mail takes in the store.
 */
void
lb_account_get_disk_use_async (LbAccount           *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lb_account_get_disk_use_async);
  _lb_account_push (self, LB_JOB_PRIORITY_USER, NULL, disk_use_job, NULL, NULL, g_free, task);
}

gboolean
lb_account_get_disk_use_finish (LbAccount     *self,
                                GAsyncResult  *result,
                                LbDiskUse     *out,
                                GError       **error)
{
  g_autofree LbDiskUse *use = g_task_propagate_pointer (G_TASK (result), error);

  if (use == NULL)
    return FALSE;
  *out = *use;
  return TRUE;
}

static gpointer
remove_bodies_job (gpointer       worker_data,
                   gpointer       job_data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  guint removed = 0;

  if (!lb_store_remove_bodies (w->store, w->row->id, G_MAXINT64, &removed, error) ||
      !lb_store_reclaim_space (w->store, error))
    return NULL;
  return GUINT_TO_POINTER (removed + 1);
}

/**
 * lb_account_remove_bodies_async:
 *
 * Removes every downloaded body of the account and its search text, keeping the headers,
 * and gives the space back to the file system.  Opening a message downloads it again.
 * Set the account to keep headers only first (lb_engine_update_account_async() with
 * LbAccountSettings:offline_days -1), or its background download fetches them again.
 */
void
lb_account_remove_bodies_async (LbAccount           *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lb_account_remove_bodies_async);
  _lb_account_push (self, LB_JOB_PRIORITY_USER, NULL, remove_bodies_job, NULL, NULL, NULL, task);
}

/**
 * lb_account_remove_bodies_finish:
 * @out_removed: (out) (optional): how many bodies were removed
 */
gboolean
lb_account_remove_bodies_finish (LbAccount     *self,
                                 GAsyncResult  *result,
                                 guint         *out_removed,
                                 GError       **error)
{
  gpointer r = g_task_propagate_pointer (G_TASK (result), error);

  if (r == NULL)
    return FALSE;
  if (out_removed != NULL)
    *out_removed = GPOINTER_TO_UINT (r) - 1;
  return TRUE;
}
