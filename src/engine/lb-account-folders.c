/* lb-account-folders.c: creating, renaming, deleting and emptying folders
 *
 * Each action is one job on the account's worker (worker/lb-imap-folders.c does the
 * IMAP), with one retry on a fresh connection when the kept one had died.  The folder
 * list the sidebar shows follows through #LbAccount::folders-changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-account-private.h"
#include "lb-error.h"
#include "lb-folder-actions.h"
#include "lb-account-folders-private.h"
#include "lb-imap-folders.h"
#include "lb-reconnect.h"

typedef enum {
  FOLDER_CREATE,
  FOLDER_RENAME,
  FOLDER_DELETE,
  FOLDER_EMPTY,
  FOLDER_APPEND,
} FolderOp;

typedef struct {
  FolderOp  op;
  gint64    folder_id;   /* the parent for FOLDER_CREATE (0: top level) */
  char     *name;        /* the flags for FOLDER_APPEND */
  GBytes   *message;
} FolderJob;

static void
folder_job_free (FolderJob *job)
{
  g_free (job->name);
  g_clear_pointer (&job->message, g_bytes_unref);
  g_free (job);
}

typedef struct {
  LbAccountWorkerData *w;
  FolderJob           *job;
} FolderStep;

static gpointer
folder_step (gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  FolderStep *step = data;
  LbImapSync *sync = step->w->sync;
  FolderJob *job = step->job;
  gint64 id = 0;

  switch (job->op)
    {
    case FOLDER_CREATE:
      id = lb_imap_folders_create (sync, job->folder_id, job->name, cancellable, error);
      break;
    case FOLDER_RENAME:
      id = lb_imap_folders_rename (sync, job->folder_id, job->name, cancellable, error)
           ? job->folder_id : 0;
      break;
    case FOLDER_DELETE:
      id = lb_imap_folders_delete (sync, job->folder_id, cancellable, error) ? job->folder_id : 0;
      break;
    case FOLDER_EMPTY:
      id = lb_imap_folders_empty (sync, job->folder_id, cancellable, error) ? job->folder_id : 0;
      break;
    case FOLDER_APPEND:
      id = lb_imap_folders_append (sync, job->folder_id, job->name, job->message, cancellable,
                                   error) ? job->folder_id : 0;
      break;
    default:
      g_assert_not_reached ();
    }
  return id > 0 ? g_memdup2 (&id, sizeof id) : NULL;
}

static gpointer
folder_job (gpointer       worker_data,
            gpointer       job_data,
            GCancellable  *cancellable,
            GError       **error)
{
  FolderStep step = { worker_data, job_data };
  g_autoptr(GError) local_error = NULL;
  gpointer result;

  /* Checked again on the worker, but a name no server takes fails here without a
   * connection. */
  if ((step.job->op == FOLDER_CREATE || step.job->op == FOLDER_RENAME) &&
      !lb_imap_folders_check_name (step.job->name, '\0', error))
    return NULL;
  result = lb_reconnect_once (step.w->sync, "Folder", folder_step, &step, cancellable,
                              &local_error);
  if (result != NULL)
    return result;
  /* Folders live on the server: say so plainly rather than with the socket's words. */
  if (g_error_matches (local_error, LB_ERROR, LB_ERROR_NETWORK) ||
      g_error_matches (local_error, LB_ERROR, LB_ERROR_DNS) ||
      g_error_matches (local_error, LB_ERROR, LB_ERROR_TIMEOUT))
    {
      g_set_error_literal (error, LB_ERROR, local_error->code,
                           _("Folders are changed on the server, which cannot be reached now. "
                             "Try again when you are online."));
      return NULL;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

static void
push_folder_job (LbAccount           *self,
                 FolderOp             op,
                 gint64               folder_id,
                 const char          *name,
                 GBytes              *message,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  FolderJob *job = g_new0 (FolderJob, 1);

  g_task_set_source_tag (task, source_tag);
  job->op = op;
  job->folder_id = folder_id;
  /* Leading and trailing spaces are never meant, and some servers drop them. */
  job->name = name != NULL ? g_strstrip (g_strdup (name)) : NULL;
  job->message = message != NULL ? g_bytes_ref (message) : NULL;
  _lb_account_push (self, LB_JOB_PRIORITY_USER, NULL, folder_job, job,
                    (GDestroyNotify) folder_job_free, g_free, task);
}

/**
 * lb_folder_is_editable:
 *
 * Returns: %TRUE if the folder can be renamed and deleted: it has no role (Inbox,
 *   Sent, Trash... cannot) and is not the local Outbox
 */
gboolean
lb_folder_is_editable (LbFolder *folder)
{
  g_return_val_if_fail (LB_IS_FOLDER (folder), FALSE);
  return lb_folder_get_role (folder) == LB_FOLDER_ROLE_NONE &&
         g_ascii_strcasecmp (lb_folder_get_raw_name (folder), "INBOX") != 0;
}

/**
 * lb_folder_can_be_emptied:
 *
 * Returns: %TRUE for Trash and Junk
 */
gboolean
lb_folder_can_be_emptied (LbFolder *folder)
{
  g_return_val_if_fail (LB_IS_FOLDER (folder), FALSE);
  return lb_folder_get_role (folder) == LB_FOLDER_ROLE_TRASH ||
         lb_folder_get_role (folder) == LB_FOLDER_ROLE_JUNK;
}

/**
 * lb_account_create_folder_async:
 * @parent_id: the folder to create it in, or 0 for the top level
 * @name: the name (one level; modified UTF-7 on the wire, so Chinese names work)
 *
 * Creates a folder on the server.
 */
void
lb_account_create_folder_async (LbAccount           *self,
                                gint64               parent_id,
                                const char          *name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (LB_IS_ACCOUNT (self));
  g_return_if_fail (name != NULL);
  push_folder_job (self, FOLDER_CREATE, parent_id, name, NULL, lb_account_create_folder_async,
                   cancellable, callback, user_data);
}

/**
 * lb_account_create_folder_finish:
 *
 * Returns: the new folder's id, or 0 with @error set
 */
gint64
lb_account_create_folder_finish (LbAccount     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_autofree gint64 *id = g_task_propagate_pointer (G_TASK (result), error);

  return id != NULL ? *id : 0;
}

/**
 * lb_account_rename_folder_async:
 * @name: the new name of the folder's own level; it keeps its place in the tree
 *
 * Renames a folder (see lb_folder_is_editable()) and its subfolders with it.  Finish
 * with lb_account_folder_action_finish().
 */
void
lb_account_rename_folder_async (LbAccount           *self,
                                gint64               folder_id,
                                const char          *name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (LB_IS_ACCOUNT (self));
  g_return_if_fail (name != NULL);
  push_folder_job (self, FOLDER_RENAME, folder_id, name, NULL, lb_account_rename_folder_async,
                   cancellable, callback, user_data);
}

/**
 * lb_account_delete_folder_async:
 *
 * Deletes a folder (see lb_folder_is_editable()) with its subfolders and their mail.
 * Finish with lb_account_folder_action_finish().
 */
void
lb_account_delete_folder_async (LbAccount           *self,
                                gint64               folder_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (LB_IS_ACCOUNT (self));
  push_folder_job (self, FOLDER_DELETE, folder_id, NULL, NULL, lb_account_delete_folder_async,
                   cancellable, callback, user_data);
}

/**
 * lb_account_empty_folder_async:
 *
 * Removes every message of Trash or Junk for good.  Finish with
 * lb_account_folder_action_finish().
 */
void
lb_account_empty_folder_async (LbAccount           *self,
                               gint64               folder_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (LB_IS_ACCOUNT (self));
  push_folder_job (self, FOLDER_EMPTY, folder_id, NULL, NULL, lb_account_empty_folder_async,
                   cancellable, callback, user_data);
}

gboolean
lb_account_folder_action_finish (LbAccount     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_autofree gint64 *id = g_task_propagate_pointer (G_TASK (result), error);

  return id != NULL;
}

/* For a copy to this account from another (lb-engine-folders.c): APPEND to @folder_id.
 * Finish with lb_account_folder_action_finish(); success means the server has it. */
void
_lb_account_append_async (LbAccount           *self,
                          gint64               folder_id,
                          const char          *flags,
                          GBytes              *message,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  push_folder_job (self, FOLDER_APPEND, folder_id, flags, message, _lb_account_append_async,
                   cancellable, callback, user_data);
}
