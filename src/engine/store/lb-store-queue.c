/* lb-store-queue.c: the pending-operation queue and the outbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Letterbox-Store"

#include "config.h"

#include "lb-error.h"
#include "lb-store-private.h"

/* ---- Row structs ------------------------------------------------------ */

LbStorePendingOp *
lb_store_pending_op_new (void)
{
  return g_new0 (LbStorePendingOp, 1);
}

void
lb_store_pending_op_free (LbStorePendingOp *op)
{
  if (op == NULL)
    return;
  g_free (op->uids);
  g_free (op->args);
  g_free (op->last_error);
  g_free (op);
}

LbStoreOutboxItem *
lb_store_outbox_item_new (void)
{
  return g_new0 (LbStoreOutboxItem, 1);
}

void
lb_store_outbox_item_free (LbStoreOutboxItem *item)
{
  if (item == NULL)
    return;
  g_clear_pointer (&item->raw, g_bytes_unref);
  g_free (item->env_from);
  g_strfreev (item->rcpts);
  g_free (item->last_error);
  g_free (item->message_id);
  g_free (item->subject);
  g_free (item);
}

/* ---- Pending operations ----------------------------------------------- */

/**
 * lb_store_enqueue_op:
 * @self: a read-write store
 * @op: the operation; its id, created time and attempts are ignored
 * @error: return location for an error
 *
 * Appends an operation to the account's queue.  Callers apply the change to
 * the store first, in the same transaction where they can, so the store
 * shows the user's intent at once and the queue replays it later.
 *
 * Returns: the new operation's id, or 0 on error
 */
gint64
lb_store_enqueue_op (LbStore                 *self,
                     const LbStorePendingOp  *op,
                     GError                 **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), 0);
  g_return_val_if_fail (op != NULL && op->account_id > 0, 0);

  if (!lb_store_check_writable (self, error))
    return 0;
  stmt = lb_store_prepare (self,
                           "INSERT INTO pending_ops (account_id, kind, folder_id, uids, args, "
                           "created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, op->account_id);
  sqlite3_bind_int (stmt, 2, op->kind);
  lb_stmt_bind_id (stmt, 3, op->folder_id);
  lb_stmt_bind_text (stmt, 4, op->uids);
  lb_stmt_bind_text (stmt, 5, op->args);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "enqueue operation");
      return 0;
    }
  return sqlite3_last_insert_rowid (lb_store_get_db (self));
}

/**
 * lb_store_list_ops:
 *
 * Returns: (transfer full) (element-type LbStorePendingOp): the account's
 *   pending operations, oldest first (the order they must be replayed in)
 */
GPtrArray *
lb_store_list_ops (LbStore  *self,
                   gint64    account_id,
                   GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self,
                           "SELECT id, account_id, kind, folder_id, uids, args, created, attempts, "
                           "last_error FROM pending_ops WHERE account_id = ?1 ORDER BY id",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_pending_op_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LbStorePendingOp *op = lb_store_pending_op_new ();

      op->id = sqlite3_column_int64 (stmt, 0);
      op->account_id = sqlite3_column_int64 (stmt, 1);
      op->kind = sqlite3_column_int (stmt, 2);
      op->folder_id = sqlite3_column_int64 (stmt, 3);
      op->uids = lb_stmt_dup_text (stmt, 4);
      op->args = lb_stmt_dup_text (stmt, 5);
      op->created = sqlite3_column_int64 (stmt, 6);
      op->attempts = (guint) sqlite3_column_int (stmt, 7);
      op->last_error = lb_stmt_dup_text (stmt, 8);
      g_ptr_array_add (list, op);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list operations");
      return NULL;
    }
  return g_steal_pointer (&list);
}

/**
 * lb_store_remove_op:
 *
 * Removes an operation once the server has confirmed it (or it was given up).
 *
 * Returns: %TRUE on success; %LB_ERROR_NOT_FOUND when there was no such operation
 */
gboolean
lb_store_remove_op (LbStore  *self,
                    gint64    op_id,
                    GError  **error)
{
  guint changes;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  if (!lb_store_check_writable (self, error) ||
      !lb_store_run (self, "operation", &changes, error,
                     "DELETE FROM pending_ops WHERE id = ?1", "l", op_id))
    return FALSE;
  return changes > 0 || lb_store_not_found (error, "operation", op_id);
}

/**
 * lb_store_update_op_attempts:
 * @last_error: (nullable): why the last attempt failed
 *
 * Records a failed replay, so back-off survives a restart.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_update_op_attempts (LbStore     *self,
                             gint64       op_id,
                             guint        attempts,
                             const char  *last_error,
                             GError     **error)
{
  guint changes;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  if (!lb_store_check_writable (self, error) ||
      !lb_store_run (self, "operation", &changes, error,
                     "UPDATE pending_ops SET attempts = ?2, last_error = ?3 WHERE id = ?1",
                     "lut", op_id, attempts, last_error))
    return FALSE;
  return changes > 0 || lb_store_not_found (error, "operation", op_id);
}

/* ---- Outbox ----------------------------------------------------------- */

/**
 * lb_store_outbox_put:
 * @self: a read-write store
 * @item: the message; its id and created time are ignored
 * @error: return location for an error
 *
 * Returns: the new item's id, or 0 on error
 */
gint64
lb_store_outbox_put (LbStore                  *self,
                     const LbStoreOutboxItem  *item,
                     GError                  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autofree char *rcpts = NULL;
  gconstpointer data;
  gsize len;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), 0);
  g_return_val_if_fail (item != NULL && item->account_id > 0, 0);
  g_return_val_if_fail (item->raw != NULL && item->env_from != NULL, 0);
  g_return_val_if_fail (item->rcpts != NULL && item->rcpts[0] != NULL, 0);

  if (!lb_store_check_writable (self, error))
    return 0;
  stmt = lb_store_prepare (self,
                           "INSERT INTO outbox (account_id, raw, env_from, rcpts, state, attempts, "
                           "next_attempt, last_error, message_id, created, subject) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                           error);
  if (stmt == NULL)
    return 0;

  /* Addresses cannot contain a line break, so one per line is unambiguous. */
  rcpts = g_strjoinv ("\n", item->rcpts);
  data = g_bytes_get_data (item->raw, &len);
  sqlite3_bind_int64 (stmt, 1, item->account_id);
  sqlite3_bind_blob64 (stmt, 2, data != NULL ? data : "", len, SQLITE_STATIC);
  lb_stmt_bind_text (stmt, 3, item->env_from);
  lb_stmt_bind_text (stmt, 4, rcpts);
  sqlite3_bind_int (stmt, 5, item->state);
  sqlite3_bind_int64 (stmt, 6, item->attempts);
  sqlite3_bind_int64 (stmt, 7, item->next_attempt);
  lb_stmt_bind_text (stmt, 8, item->last_error);
  lb_stmt_bind_text (stmt, 9, item->message_id);
  sqlite3_bind_int64 (stmt, 10, g_get_real_time () / G_USEC_PER_SEC);
  lb_stmt_bind_text (stmt, 11, item->subject);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "put outbox item");
      return 0;
    }
  return sqlite3_last_insert_rowid (lb_store_get_db (self));
}

/* Reads the outbox rows of @account_id (0: all).  With @summaries, the message bytes
 * are left out except where the subject was never stored (rows from before it was),
 * so that the caller can read it from the message. */
static GPtrArray *
outbox_list (LbStore   *self,
             gint64     account_id,
             gboolean   summaries,
             GError   **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self,
                           summaries
                           ? "SELECT id, account_id, CASE WHEN subject IS NULL THEN raw END, "
                             "env_from, rcpts, state, attempts, next_attempt, last_error, "
                             "message_id, created, subject FROM outbox "
                             "WHERE ?1 = 0 OR account_id = ?1 ORDER BY id"
                           : "SELECT id, account_id, raw, env_from, rcpts, state, attempts, "
                             "next_attempt, last_error, message_id, created, subject FROM outbox "
                             "WHERE ?1 = 0 OR account_id = ?1 ORDER BY id",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_outbox_item_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LbStoreOutboxItem *item = lb_store_outbox_item_new ();
      const char *rcpts = (const char *) sqlite3_column_text (stmt, 4);

      item->id = sqlite3_column_int64 (stmt, 0);
      item->account_id = sqlite3_column_int64 (stmt, 1);
      if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
        item->raw = g_bytes_new (sqlite3_column_blob (stmt, 2),
                                 (gsize) sqlite3_column_bytes (stmt, 2));
      item->env_from = lb_stmt_dup_text (stmt, 3);
      item->rcpts = g_strsplit (rcpts != NULL ? rcpts : "", "\n", -1);
      item->state = sqlite3_column_int (stmt, 5);
      item->attempts = (guint) sqlite3_column_int (stmt, 6);
      item->next_attempt = sqlite3_column_int64 (stmt, 7);
      item->last_error = lb_stmt_dup_text (stmt, 8);
      item->message_id = lb_stmt_dup_text (stmt, 9);
      item->created = sqlite3_column_int64 (stmt, 10);
      item->subject = lb_stmt_dup_text (stmt, 11);
      g_ptr_array_add (list, item);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list outbox");
      return NULL;
    }
  return g_steal_pointer (&list);
}

/**
 * lb_store_outbox_list:
 * @account_id: an account, or 0 for every account
 *
 * Returns: (transfer full) (element-type LbStoreOutboxItem): the items,
 *   oldest first, with their raw bytes
 */
GPtrArray *
lb_store_outbox_list (LbStore  *self,
                      gint64    account_id,
                      GError  **error)
{
  return outbox_list (self, account_id, FALSE, error);
}

/**
 * lb_store_outbox_list_summaries:
 * @account_id: an account, or 0 for every account
 *
 * Like lb_store_outbox_list() without the message bytes, for the Outbox list: @raw is
 * set only in rows whose @subject is %NULL (queued before the subject was stored).
 *
 * Returns: (transfer full) (element-type LbStoreOutboxItem): the items, oldest first
 */
GPtrArray *
lb_store_outbox_list_summaries (LbStore  *self,
                                gint64    account_id,
                                GError  **error)
{
  return outbox_list (self, account_id, TRUE, error);
}

/**
 * lb_store_outbox_get_raw:
 *
 * Returns: (transfer full): the message bytes of an outbox item, or %NULL with @error
 *   set (%LB_ERROR_NOT_FOUND when there is no such item)
 */
GBytes *
lb_store_outbox_get_raw (LbStore  *self,
                         gint64    item_id,
                         GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self, "SELECT raw FROM outbox WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, item_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_bytes_new (sqlite3_column_blob (stmt, 0), (gsize) sqlite3_column_bytes (stmt, 0));
  if (rc == SQLITE_DONE)
    lb_store_not_found (error, "outbox item", item_id);
  else
    lb_store_set_error (self, rc, error, "read outbox item");
  return NULL;
}

/**
 * lb_store_outbox_update:
 * @next_attempt: unix time before which the item is not retried
 * @last_error: (nullable): why the last attempt failed
 *
 * Records a state change or a failed attempt.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_outbox_update (LbStore             *self,
                        gint64               item_id,
                        LbStoreOutboxState   state,
                        guint                attempts,
                        gint64               next_attempt,
                        const char          *last_error,
                        GError             **error)
{
  guint changes;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  if (!lb_store_check_writable (self, error) ||
      !lb_store_run (self, "outbox item", &changes, error,
                     "UPDATE outbox SET state = ?2, attempts = ?3, next_attempt = ?4, "
                     "last_error = ?5 WHERE id = ?1",
                     "liult", item_id, (int) state, attempts, next_attempt, last_error))
    return FALSE;
  return changes > 0 || lb_store_not_found (error, "outbox item", item_id);
}

/**
 * lb_store_outbox_remove:
 *
 * Returns: %TRUE on success; %LB_ERROR_NOT_FOUND when there was no such item
 */
gboolean
lb_store_outbox_remove (LbStore  *self,
                        gint64    item_id,
                        GError  **error)
{
  guint changes;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  if (!lb_store_check_writable (self, error) ||
      !lb_store_run (self, "outbox item", &changes, error,
                     "DELETE FROM outbox WHERE id = ?1", "l", item_id))
    return FALSE;
  return changes > 0 || lb_store_not_found (error, "outbox item", item_id);
}
