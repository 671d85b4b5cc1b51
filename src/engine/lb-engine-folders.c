/* lb-engine-folders.c: message actions on a whole folder or across folders
 *
 * Mark All as Read for a folder or All Inboxes, Mark as Junk / Not Junk, and messages
 * dropped on a folder.  All local first through the engine's local worker, like
 * lb-engine-changes.c, except a copy to another account: its APPEND needs the servers,
 * and the original is deleted only after the destination confirmed the copy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-account-folders-private.h"
#include "lb-account-private.h"
#include "lb-engine-private.h"
#include "lb-error.h"
#include "lb-message-private.h"

/* ---- Mark All as Read ------------------------------------------------------------ */

typedef struct {
  guint   waiting;
  GArray *folders;    /* gint64: what changed, for the lists */
  GError *error;
} MarkReadData;

static void
mark_read_data_free (MarkReadData *d)
{
  g_array_unref (d->folders);
  g_clear_error (&d->error);
  g_free (d);
}

static void
mark_folder_read_done (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  LbEngine *self = g_task_get_source_object (outer);
  MarkReadData *d = g_task_get_task_data (outer);
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *account_id = g_task_propagate_pointer (G_TASK (result), &error);
  LbAccount *account;

  if (account_id == NULL && d->error == NULL)
    d->error = g_steal_pointer (&error);
  if (account_id != NULL && (account = lb_engine_get_account (self, *account_id)) != NULL)
    {
      _lb_account_queue_replay (account);
      _lb_account_reload_folders (account, self->read_store);
    }
  if (--d->waiting > 0)
    return;
  _lb_engine_emit_changed (self, d->folders);
  if (d->error != NULL)
    g_task_return_error (outer, g_steal_pointer (&d->error));
  else
    g_task_return_boolean (outer, TRUE);
}

/**
 * lb_engine_mark_folder_read_async:
 * @folder_id: a folder, or %LB_ENGINE_ALL_INBOXES
 *
 * Marks every unread message of the folder read (all of it, not only what a list
 * loaded): in the store at once, then on the server, offline later.
 */
void
lb_engine_mark_folder_read_async (LbEngine            *self,
                                  gint64               folder_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  MarkReadData *d = g_new0 (MarkReadData, 1);

  g_return_if_fail (LB_IS_ENGINE (self));
  g_task_set_source_tag (task, lb_engine_mark_folder_read_async);
  d->folders = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_task_set_task_data (task, d, (GDestroyNotify) mark_read_data_free);
  if (folder_id == LB_ENGINE_ALL_INBOXES)
    {
      GListModel *accounts = lb_engine_get_accounts (self);

      for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
        {
          g_autoptr(LbAccount) a = g_list_model_get_item (accounts, i);
          LbFolder *inbox = lb_account_find_folder (a, LB_FOLDER_ROLE_INBOX);
          gint64 id = inbox != NULL ? lb_folder_get_id (inbox) : 0;

          if (id > 0)
            g_array_append_val (d->folders, id);
        }
    }
  else if (folder_id > 0)
    g_array_append_val (d->folders, folder_id);

  if (d->folders->len == 0 || self->local == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  d->waiting = d->folders->len;
  for (guint i = 0; i < d->folders->len; i++)
    {
      GTask *job = g_task_new (NULL, NULL, mark_folder_read_done, g_object_ref (task));

      lb_worker_push (self->local, LB_JOB_PRIORITY_USER, NULL, lb_local_mark_folder_read_job,
                      g_memdup2 (&g_array_index (d->folders, gint64, i), sizeof (gint64)), g_free,
                      g_free, job);
      g_object_unref (job);
    }
}

gboolean
lb_engine_mark_folder_read_finish (LbEngine      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Junk ------------------------------------------------------------------------ */

/**
 * lb_engine_mark_junk:
 * @junk: %TRUE for Mark as Junk, %FALSE for Not Junk
 *
 * Moves messages to their account's Junk folder (made if the account has none), or
 * back to its Inbox, and tells the server's filter with `$Junk` or `$NotJunk` where the
 * folder keeps keywords.  With undo, as lb_engine_move().
 *
 * Returns: an id for lb_engine_undo(), or 0 if there was nothing to move
 */
guint
lb_engine_mark_junk (LbEngine   *self,
                     LbMessage **messages,
                     guint       n_messages,
                     gboolean    junk)
{
  LbFolderRole dest = junk ? LB_FOLDER_ROLE_JUNK : LB_FOLDER_ROLE_INBOX;
  g_autoptr(GPtrArray) todo = g_ptr_array_new ();

  g_return_val_if_fail (LB_IS_ENGINE (self), 0);
  /* Those already where they would go stay: a move onto itself is no news for the filter. */
  for (guint i = 0; i < n_messages; i++)
    if (lb_message_get_folder_role (messages[i]) != dest)
      g_ptr_array_add (todo, messages[i]);
  if (todo->len == 0)
    return 0;
  return _lb_engine_hide_for_undo (self, (LbMessage **) todo->pdata, todo->len, LB_STORE_OP_MOVE,
                                   dest, 0, junk ? LB_JUNK_MARK_JUNK : LB_JUNK_MARK_NOT_JUNK);
}

/* ---- Dropping messages on a folder -------------------------------------------------- */

typedef struct {
  LbAccount *dest;
  gint64     folder_id;
  gboolean   copy;
  GPtrArray *cross;      /* LbMessage from other accounts, copied one by one */
  guint      next;
  GArray    *copied;     /* LbLocalTarget of what the destination confirmed */
  guint      undo_id;
} DropData;

static void
drop_data_free (DropData *d)
{
  g_clear_object (&d->dest);
  g_ptr_array_unref (d->cross);
  g_array_unref (d->copied);
  g_free (d);
}

static LbLocalTarget
target_of (LbMessage *m)
{
  LbLocalTarget t = {
    lb_message_get_id (m), _lb_message_get_location_id (m), lb_message_get_account_id (m),
    lb_message_get_folder_id (m), lb_message_get_uid (m),
  };
  return t;
}

/* The originals of what the other account confirmed go, as a delete of their own
 * account (to its Trash): never before the copy is safe, and never for a copy. */
static void
drop_finish (GTask  *task,
             GError *error)
{
  LbEngine *self = g_task_get_source_object (task);
  DropData *d = g_task_get_task_data (task);

  if (!d->copy && d->copied->len > 0)
    {
      LbLocalChange *c = g_new0 (LbLocalChange, 1);

      c->kind = LB_STORE_OP_DELETE;
      c->targets = g_array_ref (d->copied);
      _lb_engine_push_local_change (self, c);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void drop_next (GTask *task);

static void
drop_appended (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DropData *d = g_task_get_task_data (task);
  GError *error = NULL;
  LbMessage *m = g_ptr_array_index (d->cross, d->next);

  if (!lb_account_folder_action_finish (LB_ACCOUNT (source), result, &error))
    {
      drop_finish (task, error);
      return;
    }
  {
    LbLocalTarget t = target_of (m);
    g_array_append_val (d->copied, t);
  }
  d->next++;
  drop_next (task);
}

static void
drop_fetched (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DropData *d = g_task_get_task_data (task);
  LbMessage *m = g_ptr_array_index (d->cross, d->next);
  GError *error = NULL;
  g_autoptr(GBytes) body = lb_account_fetch_body_finish (LB_ACCOUNT (source), result, &error);
  GString *flags = g_string_new (NULL);
  g_autofree char *flag_text = NULL;
  GCancellable *cancellable;

  if (body == NULL)
    {
      g_string_free (flags, TRUE);
      drop_finish (task, error);
      return;
    }
  if (!lb_message_get_unread (m))
    g_string_append (flags, "\\Seen ");
  if (lb_message_get_flagged (m))
    g_string_append (flags, "\\Flagged ");
  if (lb_message_get_flags (m) & LB_FLAG_ANSWERED)
    g_string_append (flags, "\\Answered ");
  flag_text = g_strchomp (g_string_free (flags, FALSE));
  /* The cancellable first: the order arguments are evaluated in is not defined. */
  cancellable = g_task_get_cancellable (task);
  _lb_account_append_async (d->dest, d->folder_id, flag_text, body, cancellable, drop_appended,
                            g_steal_pointer (&task));
}

static void
drop_next (GTask *task)
{
  LbEngine *self = g_task_get_source_object (task);
  DropData *d = g_task_get_task_data (task);
  LbMessage *m;
  LbAccount *source;

  if (d->next >= d->cross->len)
    {
      drop_finish (task, NULL);
      return;
    }
  m = g_ptr_array_index (d->cross, d->next);
  source = lb_engine_get_account (self, lb_message_get_account_id (m));
  if (source == NULL)
    {
      drop_finish (task, g_error_new (LB_ERROR, LB_ERROR_NOT_FOUND, "No account %" G_GINT64_FORMAT,
                                      lb_message_get_account_id (m)));
      return;
    }
  lb_account_fetch_body_async (source, lb_message_get_id (m), g_task_get_cancellable (task),
                               drop_fetched, g_object_ref (task));
}

static LbAccount *
account_of_folder (LbEngine *self,
                   gint64    folder_id)
{
  GListModel *accounts = lb_engine_get_accounts (self);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (accounts, i);

      if (lb_account_get_folder (a, folder_id) != NULL)
        return g_steal_pointer (&a);
    }
  return NULL;
}

/* Within the destination's account: a move with undo, or a copy the server makes
 * (UID COPY) on replay. */
static guint
drop_within_account (LbEngine   *self,
                     GPtrArray  *same,
                     gint64      folder_id,
                     gboolean    copy)
{
  LbLocalChange *c;

  if (same->len == 0)
    return 0;
  if (!copy)
    return lb_engine_move (self, (LbMessage **) same->pdata, same->len, LB_FOLDER_ROLE_NONE,
                           folder_id);
  c = g_new0 (LbLocalChange, 1);
  c->kind = LB_STORE_OP_COPY;
  c->targets = g_array_new (FALSE, FALSE, sizeof (LbLocalTarget));
  c->dest_folder_id = folder_id;
  for (guint i = 0; i < same->len; i++)
    {
      LbLocalTarget t = target_of (g_ptr_array_index (same, i));
      g_array_append_val (c->targets, t);
    }
  _lb_engine_push_local_change (self, c);
  return 0;
}

/**
 * lb_engine_drop_messages_async:
 * @folder_id: the folder they were dropped on
 * @copy: %TRUE to copy (Ctrl held), %FALSE to move
 *
 * What a drop on a sidebar folder does.  Messages of the folder's own account move with
 * undo (lb_engine_move()) or are copied.  Messages of another account are copied there
 * one by one (fetched, then APPENDed) and, for a move, deleted from their account only
 * once the destination confirmed the copy: a failed APPEND keeps the original and stops
 * with its error.  Messages already in @folder_id are left alone.
 */
void
lb_engine_drop_messages_async (LbEngine            *self,
                               LbMessage          **messages,
                               guint                n_messages,
                               gint64               folder_id,
                               gboolean             copy,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GPtrArray) same = g_ptr_array_new ();
  DropData *d;
  LbAccount *dest;

  g_return_if_fail (LB_IS_ENGINE (self));
  g_task_set_source_tag (task, lb_engine_drop_messages_async);
  dest = account_of_folder (self, folder_id);
  if (dest == NULL)
    {
      g_task_return_new_error (task, LB_ERROR, LB_ERROR_NOT_FOUND,
                               "No folder %" G_GINT64_FORMAT, folder_id);
      return;
    }
  d = g_new0 (DropData, 1);
  d->dest = dest;
  d->folder_id = folder_id;
  d->copy = copy;
  d->cross = g_ptr_array_new_with_free_func (g_object_unref);
  d->copied = g_array_new (FALSE, FALSE, sizeof (LbLocalTarget));
  g_task_set_task_data (task, d, (GDestroyNotify) drop_data_free);
  for (guint i = 0; i < n_messages; i++)
    {
      LbMessage *m = messages[i];

      if (lb_message_get_folder_id (m) == folder_id || lb_message_get_id (m) <= 0)
        continue;
      if (lb_message_get_account_id (m) == lb_account_get_id (dest))
        g_ptr_array_add (same, m);
      else
        g_ptr_array_add (d->cross, g_object_ref (m));
    }
  d->undo_id = drop_within_account (self, same, folder_id, copy);
  drop_next (task);
}

/**
 * lb_engine_drop_messages_finish:
 *
 * @out_undo_id: (out) (optional): an id for lb_engine_undo() when messages moved within
 *   their account, else 0
 *
 * Returns: %TRUE on success; %FALSE with @error set when a copy to another account
 *   failed (what was copied before stays copied, and its originals are deleted)
 */
gboolean
lb_engine_drop_messages_finish (LbEngine      *self,
                                GAsyncResult  *result,
                                guint         *out_undo_id,
                                GError       **error)
{
  DropData *d = g_task_get_task_data (G_TASK (result));

  if (out_undo_id != NULL)
    *out_undo_id = d != NULL ? d->undo_id : 0;
  return g_task_propagate_boolean (G_TASK (result), error);
}
