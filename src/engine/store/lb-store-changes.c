/* lb-store-changes.c: local changes and the sync, kept apart (see lb-store-changes.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-error.h"
#include "lb-store-changes.h"
#include "lb-store-private.h"

/**
 * lb_store_apply_local_change:
 * @op: the replay entry: its kind, account, folder, uid set and arguments
 * @message_ids: (array length=n): for %LB_STORE_OP_FLAG and %LB_STORE_OP_UNFLAG, the
 *   messages whose flags change (every location of each)
 * @uids: (array length=n): for %LB_STORE_OP_MOVE and %LB_STORE_OP_DELETE, the UIDs that
 *   leave @op's folder now
 * @n: the number of messages
 *
 * Applies one folder's part of a local change and queues its replay entry, in one
 * transaction: after a crash the store has both or neither.  Inside a transaction of the
 * caller's it nests, so a change to several folders can be one transaction too.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_apply_local_change (LbStore                 *self,
                             const LbStorePendingOp  *op,
                             const gint64            *message_ids,
                             const guint32           *uids,
                             guint                    n,
                             GError                 **error)
{
  guint mask;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);
  g_return_val_if_fail (op != NULL, FALSE);

  if (!lb_store_check_writable (self, error))
    return FALSE;
  if (!lb_store_begin (self, error))
    return FALSE;
  mask = (guint) g_ascii_strtoull (op->args != NULL ? op->args : "0", NULL, 10);
  for (guint i = 0; i < n && (op->kind == LB_STORE_OP_FLAG || op->kind == LB_STORE_OP_UNFLAG); i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (lb_store_change_message_flags (self, message_ids[i],
                                         op->kind == LB_STORE_OP_FLAG ? mask : 0,
                                         op->kind == LB_STORE_OP_UNFLAG ? mask : 0, &local_error))
        continue;
      /* The sync removed it meanwhile: nothing is left here to change. */
      if (g_error_matches (local_error, LB_ERROR, LB_ERROR_NOT_FOUND))
        continue;
      g_propagate_error (error, g_steal_pointer (&local_error));
      goto fail;
    }
  /* Gone from this folder locally now; the server follows on replay. */
  if ((op->kind == LB_STORE_OP_MOVE || op->kind == LB_STORE_OP_DELETE) &&
      !lb_store_remove_uids (self, op->folder_id, uids, n, error))
    goto fail;
  if (lb_store_enqueue_op (self, op, error) <= 0)
    goto fail;
  return lb_store_commit (self, error);

fail:
  lb_store_rollback (self);
  return FALSE;
}

/* Adds the UIDs of an IMAP uid set ("1:4,9") to @uids; anything else in it is skipped. */
static void
add_uid_set (GArray     *uids,
             const char *set)
{
  g_auto(GStrv) parts = g_strsplit (set != NULL ? set : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *end = NULL;
      guint64 first = g_ascii_strtoull (parts[i], &end, 10);
      guint64 last = first;

      if (end == parts[i])
        continue;
      if (*end == ':')
        last = g_ascii_strtoull (end + 1, NULL, 10);
      if (first > last)
        {
          guint64 t = first;
          first = last;
          last = t;
        }
      /* Local changes name UIDs the store held; a runaway range is not one of them. */
      for (guint64 u = MAX (first, 1); u <= MIN (last, G_MAXUINT32) && u - first < 1000000; u++)
        {
          guint32 v = (guint32) u;
          g_array_append_val (uids, v);
        }
    }
}

static int
cmp_uid (gconstpointer a,
         gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

/**
 * lb_store_get_pending_uids:
 *
 * Returns: (transfer full) (element-type guint32): the UIDs of @folder_id that a
 *   pending operation still has to replay, sorted (duplicates possible), or %NULL
 */
GArray *
lb_store_get_pending_uids (LbStore  *self,
                           gint64    folder_id,
                           GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GArray) uids = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self, "SELECT uids FROM pending_ops WHERE folder_id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    add_uid_set (uids, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "get pending uids");
      return NULL;
    }
  g_array_sort (uids, cmp_uid);
  return g_steal_pointer (&uids);
}

/**
 * lb_store_uid_is_pending:
 * @pending: (element-type guint32): sorted, as lb_store_get_pending_uids() returns them
 *
 * Returns: whether @uid is in @pending
 */
gboolean
lb_store_uid_is_pending (const GArray *pending,
                         guint32       uid)
{
  guint index;

  return pending != NULL && pending->len > 0 &&
         g_array_binary_search ((GArray *) pending, &uid, cmp_uid, &index);
}

/**
 * lb_store_get_folder_snapshot:
 * @out_flags: (out) (transfer full) (element-type LbStoreUidFlags): the stored UIDs and
 *   flags, by UID, as lb_store_get_folder_flags()
 * @out_pending: (out) (transfer full) (element-type guint32): the UIDs with a pending
 *   operation, as lb_store_get_pending_uids()
 *
 * Reads both in one transaction, so a local change is in both or in neither: a UID a
 * delete just removed is never mistaken for a new one.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_get_folder_snapshot (LbStore  *self,
                              gint64    folder_id,
                              GArray  **out_flags,
                              GArray  **out_pending,
                              GError  **error)
{
  g_autoptr(GArray) flags = NULL;
  g_autoptr(GArray) pending = NULL;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  if (!lb_store_begin (self, error))
    return FALSE;
  flags = lb_store_get_folder_flags (self, folder_id, error);
  pending = flags != NULL ? lb_store_get_pending_uids (self, folder_id, error) : NULL;
  if (pending == NULL)
    {
      lb_store_rollback (self);
      return FALSE;
    }
  if (!lb_store_commit (self, error))
    return FALSE;
  *out_flags = g_steal_pointer (&flags);
  *out_pending = g_steal_pointer (&pending);
  return TRUE;
}

/**
 * lb_store_update_flags_unless_pending:
 *
 * lb_store_update_flags() for the UIDs that have no pending operation when it runs (in
 * the same transaction): the server's flags must not overwrite a change it has not been
 * sent yet, even one made after the sync read the store.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_update_flags_unless_pending (LbStore                *self,
                                      gint64                  folder_id,
                                      const LbStoreUidFlags  *updates,
                                      guint                   n_updates,
                                      GError                **error)
{
  g_autoptr(GArray) pending = NULL;
  g_autoptr(GArray) keep = g_array_new (FALSE, FALSE, sizeof (LbStoreUidFlags));

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  if (!lb_store_check_writable (self, error))
    return FALSE;
  if (!lb_store_begin (self, error))
    return FALSE;
  pending = lb_store_get_pending_uids (self, folder_id, error);
  if (pending == NULL)
    goto fail;
  for (guint i = 0; i < n_updates; i++)
    if (!lb_store_uid_is_pending (pending, updates[i].uid))
      g_array_append_val (keep, updates[i]);
  if (!lb_store_update_flags (self, folder_id, (const LbStoreUidFlags *) keep->data, keep->len,
                              error))
    goto fail;
  return lb_store_commit (self, error);

fail:
  lb_store_rollback (self);
  return FALSE;
}
