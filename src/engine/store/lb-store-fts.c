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

/* The first key to try for a message: its date in the high bits, so that the index's
 * rowid order is the date order (sql/014-search-words.sql). */
#define KEY_LOW_BITS 10

static gint64
first_key (gint64 message_id,
           gint64 date)
{
  return (MAX (date, 0) << KEY_LOW_BITS) | (message_id & ((1 << KEY_LOW_BITS) - 1));
}

/* Gives the message a free search key and indexes its text under it.  A message that
 * has a key already is indexed already (a change of its text takes the key away). */
static int
index_one (LbStore *self,
           gint64   message_id,
           gint64   date,
           GError **error)
{
  g_autoptr(LbStmt) has_key = lb_store_prepare (self, "SELECT 1 FROM search_keys WHERE message_id = ?1",
                                                error);
  g_autoptr(LbStmt) take_key = lb_store_prepare (self, "INSERT OR IGNORE INTO search_keys (key, message_id) "
                                                       "VALUES (?1, ?2)", error);
  g_autoptr(LbStmt) insert = lb_store_prepare (self,
                                               "INSERT INTO message_fts (rowid, subject, sender, recipients, body) "
                                               "SELECT ?1, char (1) || 's' || ifnull (subject, ''), "
                                               "char (1) || 'f' || ifnull (sender, ''), "
                                               "char (1) || 't' || ifnull (recipients, ''), ifnull (body, '') "
                                               "FROM message_text WHERE message_id = ?2", error);
  gint64 key = first_key (message_id, date);
  int rc;

  if (has_key == NULL || take_key == NULL || insert == NULL)
    return SQLITE_ERROR;
  sqlite3_bind_int64 (has_key, 1, message_id);
  rc = sqlite3_step (has_key);
  if (rc == SQLITE_ROW)
    return SQLITE_DONE;
  if (rc != SQLITE_DONE)
    return rc;
  /* A clash needs a thousand messages of one second: the next free key is as good. */
  for (;; key++)
    {
      sqlite3_reset (take_key);
      sqlite3_bind_int64 (take_key, 1, key);
      sqlite3_bind_int64 (take_key, 2, message_id);
      if ((rc = sqlite3_step (take_key)) != SQLITE_DONE)
        return rc;
      if (sqlite3_changes (lb_store_get_db (self)) > 0)
        break;
    }
  sqlite3_bind_int64 (insert, 1, key);
  sqlite3_bind_int64 (insert, 2, message_id);
  return sqlite3_step (insert);
}

/**
 * lb_store_index_pending:
 * @max_rows: the most rows to index in this call
 * @out_indexed: (out) (optional): how many were indexed
 *
 * Indexes up to @max_rows queued texts, in one transaction: a crash leaves each batch
 * indexed and dequeued, or neither, and the next call goes on from the queue.
 *
 * Returns: %TRUE on success; @out_indexed < @max_rows means the queue is empty
 */
gboolean
lb_store_index_pending (LbStore  *self,
                        guint     max_rows,
                        guint    *out_indexed,
                        GError  **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64) * 2);
  int rc = SQLITE_DONE;

  if (out_indexed != NULL)
    *out_indexed = 0;
  if (!lb_store_begin (self, error))
    return FALSE;
  {
    g_autoptr(LbStmt) next = lb_store_prepare (self,
                                               "SELECT p.message_id, ifnull (m.date, 0) FROM fts_pending p "
                                               "LEFT JOIN messages m ON m.id = p.message_id "
                                               "ORDER BY p.message_id LIMIT ?1", error);

    if (next == NULL)
      {
        lb_store_rollback (self);
        return FALSE;
      }
    sqlite3_bind_int64 (next, 1, max_rows);
    while ((rc = sqlite3_step (next)) == SQLITE_ROW)
      {
        gint64 row[2] = { sqlite3_column_int64 (next, 0), sqlite3_column_int64 (next, 1) };
        g_array_append_vals (rows, row, 1);
      }
  }
  for (guint i = 0; rc == SQLITE_DONE && i < rows->len; i++)
    {
      const gint64 *row = &g_array_index (rows, gint64, i * 2);
      g_autoptr(LbStmt) dequeue = lb_store_prepare (self, "DELETE FROM fts_pending WHERE message_id = ?1",
                                                    error);

      if (dequeue == NULL)
        {
          lb_store_rollback (self);
          return FALSE;
        }
      rc = index_one (self, row[0], row[1], error);
      if (rc == SQLITE_DONE)
        {
          sqlite3_bind_int64 (dequeue, 1, row[0]);
          rc = sqlite3_step (dequeue);
        }
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_rollback (self);
      if (error != NULL && *error == NULL)
        lb_store_set_error (self, rc, error, "index messages");
      return FALSE;
    }
  if (out_indexed != NULL)
    *out_indexed = rows->len;
  return lb_store_commit (self, error);
}

/**
 * lb_store_index_progress:
 * @out_pending: (out): texts still queued for indexing
 * @out_total: (out): texts in the store
 *
 * How far the background indexing is, for "Indexing 40 %".
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_index_progress (LbStore  *self,
                         gint64   *out_pending,
                         gint64   *out_total,
                         GError  **error)
{
  g_autoptr(LbStmt) stmt = lb_store_prepare (self,
                                             "SELECT (SELECT count(*) FROM fts_pending), "
                                             "(SELECT count(*) FROM search_keys)", error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      lb_store_set_error (self, sqlite3_errcode (lb_store_get_db (self)), error, "index progress");
      return FALSE;
    }
  *out_pending = sqlite3_column_int64 (stmt, 0);
  *out_total = *out_pending + sqlite3_column_int64 (stmt, 1);
  return TRUE;
}
