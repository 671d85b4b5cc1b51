/* lb-engine-changes.c: flags, moves, deletes, undo, and their commits
 *
 * Local-first: the affected LbMessage objects change at once, the local worker writes
 * the change and its replay entry (worker/lb-local-jobs.c), and the account's worker
 * sends it to the server.  Moves and deletes are only hidden for LB_UNDO_SECONDS first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-account-private.h"
#include "lb-engine-private.h"
#include "lb-message-private.h"

void
_lb_engine_pending_free (LbEnginePending *p)
{
  g_clear_handle_id (&p->timeout_id, g_source_remove);
  g_array_unref (p->targets);
  g_free (p);
}

static GArray *
targets_of (LbMessage **messages,
            guint       n)
{
  GArray *t = g_array_new (FALSE, FALSE, sizeof (LbLocalTarget));

  for (guint i = 0; i < n; i++)
    {
      LbLocalTarget x = {
        lb_message_get_id (messages[i]), _lb_message_get_location_id (messages[i]),
        lb_message_get_account_id (messages[i]), lb_message_get_folder_id (messages[i]),
        lb_message_get_uid (messages[i]),
      };
      g_array_append_val (t, x);
    }
  return t;
}

/* What a local change's completion needs: the engine only weakly, as the local worker
 * holds the task (see _lb_engine_push_local_change()). */
typedef struct {
  GWeakRef  engine;
  GArray   *targets;   /* LbLocalTarget */
} ChangeDone;

static void
change_done_free (ChangeDone *d)
{
  g_weak_ref_clear (&d->engine);
  g_array_unref (d->targets);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChangeDone, change_done_free)

static void
local_change_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ChangeDone) d = user_data;
  g_autoptr(LbEngine) self = g_weak_ref_get (&d->engine);
  GArray *targets = d->targets;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) folders = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) accounts = g_hash_table_new (g_int64_hash, g_int64_equal);

  if (g_task_propagate_pointer (G_TASK (result), &error) == NULL)
    g_warning ("A local change could not be saved: %s", error->message);
  if (self == NULL)
    return;

  for (guint i = 0; i < targets->len; i++)
    {
      LbLocalTarget *t = &g_array_index (targets, LbLocalTarget, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < folders->len && !seen; j++)
        seen = g_array_index (folders, gint64, j) == t->folder_id;
      if (!seen)
        g_array_append_val (folders, t->folder_id);
      g_hash_table_add (accounts, &t->account_id);
    }
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, accounts);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        LbAccount *a = lb_engine_get_account (self, *(gint64 *) key);
        if (a != NULL)
          {
            _lb_account_queue_replay (a);
            _lb_account_reload_folders (a, self->read_store);
          }
      }
  }
  _lb_engine_emit_changed (self, folders);
}

void
_lb_engine_push_local_change (LbEngine      *self,
                              LbLocalChange *c)
{
  ChangeDone *d = g_new0 (ChangeDone, 1);
  g_autoptr(GTask) task = NULL;

  /* No source object: the worker thread must never hold the engine, whose dispose,
   * run there by the last reference, would join the worker's own thread. */
  g_weak_ref_init (&d->engine, self);
  d->targets = g_array_ref (c->targets);
  task = g_task_new (NULL, NULL, local_change_done, d);

  lb_worker_push (self->local, LB_JOB_PRIORITY_USER, NULL, lb_local_change_job, c,
                  (GDestroyNotify) lb_local_change_free, NULL, task);
}

/**
 * lb_engine_set_flags:
 * @set: #LbFlags to add
 * @unset: #LbFlags to remove
 *
 * Marks messages read, unread, flagged...: at once on screen, then in the store, then
 * on the server.
 */
void
lb_engine_set_flags (LbEngine   *self,
                     LbMessage **messages,
                     guint       n_messages,
                     guint       set,
                     guint       unset)
{
  LbLocalChange *c;

  g_return_if_fail (LB_IS_ENGINE (self));
  if (n_messages == 0 || self->local == NULL)
    return;

  for (guint i = 0; i < n_messages; i++)
    _lb_message_set_flags (messages[i], (lb_message_get_flags (messages[i]) | set) & ~unset);

  c = g_new0 (LbLocalChange, 1);
  c->kind = LB_STORE_OP_FLAG;
  c->targets = targets_of (messages, n_messages);
  c->set = set;
  c->unset = unset;
  _lb_engine_push_local_change (self, c);
}

/* A move by role (Archive, Junk) from All Inboxes may span accounts: each account's
 * messages go to that account's own folder of the role.  An account without one gets
 * the role itself, and its worker creates the folder before it moves: an archive is
 * never turned into a delete. */
static void
commit_move_by_role (LbEngine        *self,
                     LbEnginePending *p)
{
  g_autoptr(GArray) todo = g_array_ref (p->targets);

  while (todo->len > 0)
    {
      gint64 account_id = g_array_index (todo, LbLocalTarget, 0).account_id;
      g_autoptr(GArray) rest = g_array_new (FALSE, FALSE, sizeof (LbLocalTarget));
      LbLocalChange *c = g_new0 (LbLocalChange, 1);
      LbAccount *a = lb_engine_get_account (self, account_id);
      LbFolder *f = a != NULL ? lb_account_find_folder (a, p->dest_role) : NULL;

      c->kind = LB_STORE_OP_MOVE;
      c->targets = g_array_new (FALSE, FALSE, sizeof (LbLocalTarget));
      c->dest_folder_id = f != NULL ? lb_folder_get_id (f) : 0;
      c->dest_role = p->dest_role;
      c->junk = p->junk;
      for (guint i = 0; i < todo->len; i++)
        {
          LbLocalTarget *t = &g_array_index (todo, LbLocalTarget, i);
          g_array_append_val (t->account_id == account_id ? c->targets : rest, *t);
        }
      _lb_engine_push_local_change (self, c);
      g_array_unref (todo);
      todo = g_steal_pointer (&rest);
    }
}

static void
commit_pending (LbEngine *self,
                LbEnginePending *p)
{
  LbLocalChange *c;

  for (guint i = 0; i < p->targets->len; i++)
    g_hash_table_remove (self->hidden, &g_array_index (p->targets, LbLocalTarget, i).location_id);

  if (p->kind == LB_STORE_OP_MOVE && p->dest_folder_id == 0)
    {
      commit_move_by_role (self, p);
      return;
    }
  c = g_new0 (LbLocalChange, 1);
  c->kind = p->kind;
  c->targets = g_array_ref (p->targets);
  c->dest_folder_id = p->dest_folder_id;
  c->junk = p->junk;
  _lb_engine_push_local_change (self, c);
}

static gboolean
pending_timeout (gpointer data)
{
  LbEngine *self = g_object_get_data (G_OBJECT (data), "engine");
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (data), "pending-id"));
  LbEnginePending *p = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (id));

  if (p != NULL)
    {
      p->timeout_id = 0;
      commit_pending (self, p);
      g_hash_table_remove (self->pending, GUINT_TO_POINTER (id));
    }
  return G_SOURCE_REMOVE;
}

static void
notify_lists (LbEngine *self,
              GArray   *targets)
{
  g_autoptr(GArray) folders = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < targets->len; i++)
    g_array_append_val (folders, g_array_index (targets, LbLocalTarget, i).folder_id);
  _lb_engine_emit_lists_changed (self, folders);
}

guint
_lb_engine_hide_for_undo (LbEngine      *self,
                          LbMessage    **messages,
                          guint          n,
                          LbStoreOpKind  kind,
                          LbFolderRole   role,
                          gint64         dest,
                          LbJunkMark     junk)
{
  g_autoptr(GObject) token = g_object_new (G_TYPE_OBJECT, NULL);
  LbEnginePending *p = g_new0 (LbEnginePending, 1);

  p->id = ++self->next_pending;
  p->kind = kind;
  p->dest_role = role;
  p->dest_folder_id = dest;
  p->junk = junk;
  p->targets = targets_of (messages, n);
  for (guint i = 0; i < p->targets->len; i++)
    g_hash_table_insert (self->hidden, &g_array_index (p->targets, LbLocalTarget, i).location_id,
                         GUINT_TO_POINTER (p->id));
  g_object_set_data (token, "engine", self);
  g_object_set_data (token, "pending-id", GUINT_TO_POINTER (p->id));
  p->timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, LB_UNDO_SECONDS, pending_timeout,
                                              g_object_ref (token), g_object_unref);
  g_hash_table_insert (self->pending, GUINT_TO_POINTER (p->id), p);
  notify_lists (self, p->targets);
  return p->id;
}

/**
 * lb_engine_move:
 * @role: move to the account's folder of this role (Archive, Junk...), or
 *   %LB_FOLDER_ROLE_NONE to use @folder_id
 *
 * Moves messages.  They leave the list at once; the move is committed after
 * %LB_UNDO_SECONDS unless lb_engine_undo() takes it back.
 *
 * Returns: an id for lb_engine_undo()
 */
guint
lb_engine_move (LbEngine      *self,
                LbMessage    **messages,
                guint          n_messages,
                LbFolderRole   role,
                gint64         folder_id)
{
  g_return_val_if_fail (LB_IS_ENGINE (self), 0);
  if (n_messages == 0)
    return 0;
  return _lb_engine_hide_for_undo (self, messages, n_messages, LB_STORE_OP_MOVE, role, folder_id,
                                   LB_JUNK_MARK_NONE);
}

/**
 * lb_engine_delete:
 *
 * Moves messages to Trash (deletes them for good when they are in Trash), with undo
 * as for lb_engine_move().
 */
guint
lb_engine_delete (LbEngine   *self,
                  LbMessage **messages,
                  guint       n_messages)
{
  g_return_val_if_fail (LB_IS_ENGINE (self), 0);
  if (n_messages == 0)
    return 0;
  return _lb_engine_hide_for_undo (self, messages, n_messages, LB_STORE_OP_DELETE,
                                   LB_FOLDER_ROLE_NONE, 0, LB_JUNK_MARK_NONE);
}

/**
 * lb_engine_undo:
 *
 * Takes back a move or delete that has not been committed yet.
 *
 * Returns: %TRUE if it was taken back
 */
gboolean
lb_engine_undo (LbEngine *self,
                guint     undo_id)
{
  LbEnginePending *p = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (undo_id));
  g_autoptr(GArray) targets = NULL;

  if (p == NULL)
    return FALSE;
  targets = g_array_ref (p->targets);
  for (guint i = 0; i < targets->len; i++)
    g_hash_table_remove (self->hidden, &g_array_index (targets, LbLocalTarget, i).location_id);
  g_hash_table_remove (self->pending, GUINT_TO_POINTER (undo_id));
  notify_lists (self, targets);
  return TRUE;
}

/**
 * lb_engine_flush_pending:
 *
 * Commits every move and delete still waiting for its undo time, as on quit.
 */
void
lb_engine_flush_pending (LbEngine *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      commit_pending (self, value);
      g_hash_table_iter_remove (&iter);
    }
}
