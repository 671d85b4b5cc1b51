/* lb-account-search.c: searching an account's folder on the server
 *
 * The local search only sees bodies that have been downloaded.  For the rest,
 * the server searches (UID SEARCH, lb-imap-search.c) on the account's worker,
 * in the worker's queue like any other user action.  UIDs the store does not
 * know yet are brought in by a sync of that folder, so that every result is a
 * location the lists can show and merge with the local results.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-account-private.h"
#include "lb-account-search.h"
#include "lb-error.h"
#include "lb-imap-search.h"
#include "lb-reconnect.h"
#include "lb-search-query.h"
#include "lb-store-search.h"

typedef struct {
  gint64  folder_id;
  char   *query;
} SearchJob;

typedef struct {
  GArray *location_ids;
  GArray *message_ids;
} SearchResult;

static void
search_job_free (SearchJob *job)
{
  g_free (job->query);
  g_free (job);
}

static void
search_result_free (SearchResult *r)
{
  g_clear_pointer (&r->location_ids, g_array_unref);
  g_clear_pointer (&r->message_ids, g_array_unref);
  g_free (r);
}

/* Maps UIDs to locations, newest first; counts the UIDs the store lacks. */
static SearchResult *
map_uids (LbStore  *store,
          gint64    folder_id,
          GArray   *uids,
          guint    *out_missing,
          GError  **error)
{
  SearchResult *r = g_new0 (SearchResult, 1);

  if (!lb_store_locate_uids (store, folder_id, uids, &r->location_ids, &r->message_ids,
                             out_missing, error))
    {
      search_result_free (r);
      return NULL;
    }
  return r;
}

typedef struct {
  LbAccountWorkerData *w;
  LbStoreFolder       *folder;
  LbSearchQuery       *query;
} SearchStep;

/* Selects the folder and runs the search; NULL with @error set on failure. */
static gpointer
search_uids (gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  SearchStep *step = data;
  LbAccountWorkerData *w = step->w;
  LbStoreFolder *folder = step->folder;
  LbImapSession *session;

  if (!lb_imap_sync_connect (w->sync, cancellable, error))
    return NULL;
  session = lb_imap_sync_get_session (w->sync);
  /* Already selected, the server may not have looked at the mailbox since:
   * NOOP lets it take in new mail before it searches. */
  if (g_strcmp0 (lb_imap_session_get_selected (session), folder->raw_name) == 0)
    {
      if (!lb_imap_session_noop_sync (session, cancellable, error))
        return NULL;
    }
  else if (!lb_imap_session_select_sync (session, folder->raw_name, FALSE, NULL, NULL, NULL, NULL,
                                         cancellable, error))
    return NULL;
  return lb_imap_search_uids_sync (session, step->query, cancellable, error);
}

static gpointer
search_job (gpointer       worker_data,
            gpointer       job_data,
            GCancellable  *cancellable,
            GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  SearchJob *job = job_data;
  g_autoptr(LbSearchQuery) query = lb_search_query_parse (job->query);
  g_autoptr(LbStoreFolder) folder = lb_store_get_folder (w->store, job->folder_id, error);
  g_autoptr(GArray) uids = NULL;
  SearchStep step = { w, NULL, query };
  SearchResult *r;
  guint missing = 0;

  if (folder == NULL)
    return NULL;
  if (folder->account_id != w->row->id)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_NOT_FOUND, "Folder %" G_GINT64_FORMAT " is not in this account",
                   job->folder_id);
      return NULL;
    }
  step.folder = folder;
  uids = lb_reconnect_once (w->sync, "Server search", search_uids, &step, cancellable, error);
  if (uids == NULL)
    return NULL;

  r = map_uids (w->store, job->folder_id, uids, &missing, error);
  if (r != NULL && missing > 0)
    {
      /* Results the store has not seen yet: bring the folder up to date once. */
      search_result_free (r);
      if (!lb_imap_sync_folder (w->sync, job->folder_id, cancellable, error))
        return NULL;
      r = map_uids (w->store, job->folder_id, uids, &missing, error);
    }
  if (r != NULL && query->has_attachment)
    g_debug ("Server search ignores has:attachment; the local filter applies it");
  return r;
}

/**
 * lb_account_search_server_async:
 * @folder_id: a folder of this account
 * @query: what the user typed (see lb-search-query.c)
 *
 * Searches the folder on the server, for mail whose body is not in the store.
 * Runs on the account's worker at user priority.
 */
void
lb_account_search_server_async (LbAccount           *self,
                                gint64               folder_id,
                                const char          *query,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SearchJob *job;

  g_return_if_fail (LB_IS_ACCOUNT (self));
  g_return_if_fail (query != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_account_search_server_async);
  job = g_new0 (SearchJob, 1);
  job->folder_id = folder_id;
  job->query = g_strdup (query);
  _lb_account_push (self, LB_JOB_PRIORITY_USER, NULL, search_job, job,
                    (GDestroyNotify) search_job_free, (GDestroyNotify) search_result_free, task);
}

/**
 * lb_account_search_server_finish:
 * @out_message_ids: (out) (optional) (transfer full) (element-type gint64): the
 *   message of each location, in the same order
 *
 * Returns: (transfer full) (element-type gint64): the locations of the
 *   matches in the folder, newest first, or %NULL with @error set
 */
GArray *
lb_account_search_server_finish (LbAccount     *self,
                                 GAsyncResult  *result,
                                 GArray       **out_message_ids,
                                 GError       **error)
{
  SearchResult *r;
  GArray *locations;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  r = g_task_propagate_pointer (G_TASK (result), error);
  if (r == NULL)
    return NULL;
  locations = g_steal_pointer (&r->location_ids);
  if (out_message_ids != NULL)
    *out_message_ids = g_steal_pointer (&r->message_ids);
  search_result_free (r);
  return locations;
}
