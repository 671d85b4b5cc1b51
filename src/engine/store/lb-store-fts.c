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
#include "lb-store-words.h"

/* Gives the message a free search key: its date in units of 256 s
 * (LB_SEARCH_KEY_SHIFT), so that the index's rowid order is the date order
 * (sql/014-search-words.sql), or the first free key after that.  The index stores the
 * gaps between the rowids of a word's messages as varints: in units of 256 s rather
 * than seconds they take a byte less (168 % -> 125 % of the text at 4,000 messages of
 * the bench, one every 600 s), while keys stay dates, not ranks, so that older mail
 * synced later still finds its place.  The first free key, not the one after the
 * highest near it, so that a clash moves a message as little as possible. */
/* Keys in seconds, from before LB_SEARCH_KEY_SHIFT, are all at least this
 * (lb_store_fix_search_keys()). */
#define SECOND_KEYS 134217728

/* A date's key: a nonsense date far in the future stays below SECOND_KEYS, so that it is
 * never taken for a key in seconds. */
static gint64
date_key (gint64 date)
{
  return MIN (MAX (date, 0) >> LB_SEARCH_KEY_SHIFT, SECOND_KEYS / 2);
}

static int
take_key (LbStore *self,
          gint64   message_id,
          gint64   date)
{
  g_autoptr(LbStmt) take = lb_store_prepare (self, "INSERT OR IGNORE INTO search_keys (key, message_id) "
                                                   "VALUES (?1, ?2)", NULL);
  g_autoptr(LbStmt) next = lb_store_prepare (self, "INSERT INTO search_keys (key, message_id) "
                                                   "SELECT min (key) + 1, ?2 FROM search_keys k1 "
                                                   "WHERE key >= ?1 AND NOT EXISTS "
                                                   "(SELECT 1 FROM search_keys k2 WHERE k2.key = k1.key + 1)",
                                              NULL);
  int rc;

  if (take == NULL || next == NULL)
    return SQLITE_ERROR;
  sqlite3_bind_int64 (take, 1, date_key (date));
  sqlite3_bind_int64 (take, 2, message_id);
  if ((rc = sqlite3_step (take)) != SQLITE_DONE || sqlite3_changes (lb_store_get_db (self)) > 0)
    return rc;
  sqlite3_bind_int64 (next, 1, date_key (date));
  sqlite3_bind_int64 (next, 2, message_id);
  return sqlite3_step (next);
}

/**
 * lb_store_fix_search_keys:
 *
 * A store that ran migration 014 before the keys were dates in 256 s units has keys in
 * seconds (all at least 2^27, that is after 1974), which would sort before every new
 * key: its index is emptied and every text queued again, for the background build.
 * Once, on opening; a store without such keys costs one lookup.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_fix_search_keys (LbStore  *self,
                          GError  **error)
{
  /* No search_keys table (a store kept at an older version by a test): nothing to fix. */
  g_autoptr(LbStmt) stmt = lb_store_prepare (self, "SELECT EXISTS (SELECT 1 FROM search_keys "
                                                   "WHERE key >= " G_STRINGIFY (SECOND_KEYS) ")", NULL);

  if (stmt == NULL)
    return TRUE;
  if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_int (stmt, 0) == 0)
    return TRUE;
  g_clear_pointer (&stmt, lb_stmt_release);
  g_debug ("Search keys in seconds: rebuilding the search index of %s", lb_store_get_path (self));
  if (!lb_store_begin (self, error))
    return FALSE;
  if (!lb_store_exec (self, "INSERT INTO message_fts (message_fts) VALUES ('delete-all');"
                            "DELETE FROM search_keys;"
                            "INSERT OR IGNORE INTO fts_pending (message_id) SELECT message_id FROM message_text;",
                      error))
    {
      lb_store_rollback (self);
      return FALSE;
    }
  return lb_store_commit (self, error);
}

/* The rows of one batch: (message id, date, whether it has a key already). */
static int
read_batch (LbStore *self,
            guint    max_rows,
            GArray  *rows)
{
  g_autoptr(LbStmt) stmt = lb_store_prepare (self,
                                             "SELECT p.message_id, ifnull (m.date, 0), "
                                             "EXISTS (SELECT 1 FROM search_keys k WHERE k.message_id = p.message_id) "
                                             "FROM fts_pending p LEFT JOIN messages m ON m.id = p.message_id "
                                             "ORDER BY p.message_id LIMIT ?1", NULL);
  int rc;

  if (stmt == NULL)
    return SQLITE_ERROR;
  sqlite3_bind_int64 (stmt, 1, max_rows);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 row[3] = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
                        sqlite3_column_int64 (stmt, 2) };
      g_array_append_vals (rows, row, 1);
    }
  return rc;
}

/* Indexes the first n queued texts, which all have their keys, in one statement: FTS5
 * writes what it holds in memory as a new segment of the index at the end of every
 * statement, and a statement a row made a segment a row (5 times slower to build, and
 * larger until merged). */
static int
index_keyed (LbStore *self,
             guint    n)
{
  g_autoptr(LbStmt) insert = lb_store_prepare (self,
                                               "INSERT INTO message_fts (rowid, subject, sender, recipients, body) "
                                               "SELECT k.key, char (1) || 's' || ifnull (t.subject, ''), "
                                               "char (1) || 'f' || ifnull (t.sender, ''), "
                                               "char (1) || 't' || ifnull (t.recipients, ''), ifnull (t.body, '') "
                                               "FROM (SELECT message_id FROM fts_pending ORDER BY message_id LIMIT ?1) p "
                                               "JOIN search_keys k ON k.message_id = p.message_id "
                                               "JOIN message_text t ON t.message_id = p.message_id", NULL);
  g_autoptr(LbStmt) dequeue = lb_store_prepare (self,
                                                "DELETE FROM fts_pending WHERE message_id IN "
                                                "(SELECT message_id FROM fts_pending ORDER BY message_id LIMIT ?1)",
                                                NULL);
  g_autoptr(LbStmt) add_word = lb_store_prepare (self, "INSERT OR IGNORE INTO search_words (word) VALUES (?1)",
                                                 NULL);
  g_autoptr(GHashTable) words = NULL;
  GHashTableIter iter;
  gpointer word;
  int rc;

  if (insert == NULL || dequeue == NULL || add_word == NULL)
    return SQLITE_ERROR;
  sqlite3_bind_int64 (insert, 1, n);
  sqlite3_bind_int64 (dequeue, 1, n);
  /* The CJK pairs the tokenizer meets go to search_words (sql/014-search-words.sql). */
  lb_word_vocabulary_begin ();
  rc = sqlite3_step (insert);
  words = lb_word_vocabulary_take ();
  if (rc != SQLITE_DONE)
    return rc;
  g_hash_table_iter_init (&iter, words);
  while (g_hash_table_iter_next (&iter, &word, NULL))
    {
      sqlite3_reset (add_word);
      sqlite3_bind_text (add_word, 1, word, -1, SQLITE_STATIC);
      if ((rc = sqlite3_step (add_word)) != SQLITE_DONE)
        return rc;
    }
  return sqlite3_step (dequeue);
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
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64) * 3);
  g_autoptr(LbStmt) dequeue = NULL;
  guint n_keyed = 0;
  int rc;

  if (out_indexed != NULL)
    *out_indexed = 0;
  dequeue = lb_store_prepare (self, "DELETE FROM fts_pending WHERE message_id = ?1", error);
  if (dequeue == NULL || !lb_store_begin (self, error))
    return FALSE;
  rc = read_batch (self, max_rows, rows);
  for (guint i = 0; rc == SQLITE_DONE && i < rows->len; i++)
    {
      const gint64 *row = &g_array_index (rows, gint64, i * 3);

      if (row[2])
        {
          /* Keyed: indexed already, as it is (a change of its text takes the key away). */
          sqlite3_reset (dequeue);
          sqlite3_bind_int64 (dequeue, 1, row[0]);
          rc = sqlite3_step (dequeue);
        }
      else
        {
          rc = take_key (self, row[0], row[1]);
          n_keyed++;
        }
    }
  /* The keyed rows are now the first n_keyed of the queue. */
  if (rc == SQLITE_DONE && n_keyed > 0)
    rc = index_keyed (self, n_keyed);
  if (rc != SQLITE_DONE)
    {
      lb_store_rollback (self);
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
