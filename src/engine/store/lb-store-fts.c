/* lb-store-fts.c: builds the search index in the background
 *
 * See sql/003-fts-background.sql: text is queued by triggers and indexed here in
 * batches, on an account's worker, after sync.  The batch runs in one IMMEDIATE
 * transaction, so two accounts' workers never index the same rows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Letterbox-Store"

#include "config.h"

#include "lb-store-locations.h"
#include "lb-store-private.h"

/**
 * lb_store_index_pending:
 * @max_rows: the most rows to index in this call
 * @out_indexed: (out) (optional): how many were indexed
 *
 * Indexes up to @max_rows queued texts.
 *
 * Returns: %TRUE on success; @out_indexed < @max_rows means the queue is empty
 */
gboolean
lb_store_index_pending (LbStore  *self,
                        guint     max_rows,
                        guint    *out_indexed,
                        GError  **error)
{
  g_autoptr(LbStmt) insert = NULL;
  g_autoptr(LbStmt) dequeue = NULL;
  int rc;

  if (out_indexed != NULL)
    *out_indexed = 0;
  insert = lb_store_prepare (self,
                             "INSERT INTO message_fts (rowid, subject, sender, recipients, body) "
                             "SELECT t.message_id, t.subject, t.sender, t.recipients, t.body "
                             "FROM (SELECT message_id FROM fts_pending ORDER BY message_id LIMIT ?1) p "
                             "JOIN message_text t ON t.message_id = p.message_id", error);
  if (insert == NULL)
    return FALSE;
  dequeue = lb_store_prepare (self,
                              "DELETE FROM fts_pending WHERE message_id IN "
                              "(SELECT message_id FROM fts_pending ORDER BY message_id LIMIT ?1)",
                              error);
  if (dequeue == NULL)
    return FALSE;
  if (!lb_store_begin (self, error))
    return FALSE;
  sqlite3_bind_int64 (insert, 1, max_rows);
  sqlite3_bind_int64 (dequeue, 1, max_rows);
  if ((rc = sqlite3_step (insert)) != SQLITE_DONE ||
      (rc = sqlite3_step (dequeue)) != SQLITE_DONE)
    {
      lb_store_rollback (self);
      lb_store_set_error (self, rc, error, "index messages");
      return FALSE;
    }
  if (out_indexed != NULL)
    *out_indexed = (guint) sqlite3_changes (lb_store_get_db (self));
  return lb_store_commit (self, error);
}
