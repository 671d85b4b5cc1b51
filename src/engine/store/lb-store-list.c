/* lb-store-list.c: the queries behind the message lists (main thread)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Letterbox-Store"

#include "config.h"

#include "lb-error.h"
#include "lb-store-private.h"

/*
 * Paging.  A GListModel is asked for item N, in any order (scroll bars jump),
 * so the list models need "rows N..N+k", which is OFFSET paging; keyset
 * paging only serves "the page after this row".  Offset paging is usually
 * slow because every skipped row is built, joined and thrown away.  Here the
 * OFFSET runs in a subquery that reads only the (folder_id, date) index (or
 * the partial unified index), whose entries carry the location rowid, so a
 * skipped row costs one index entry and no table or join access; only the
 * `limit` rows that are kept are joined with locations and messages.
 *
 * Measured by tests/bench/bench-store.c over 100,000 messages in two
 * accounts' inboxes (SQLite 3.40.1, the 2-core build machine, warm cache):
 *   unified count + unread                       2.7 ms (11 ms cold)
 *   unified first page of 50                     0.05 ms
 *   unified page at offset 50,000                1.0 ms
 *   unified last page (offset 99,950)            2.0 ms
 *   keyset page (date, id) < (...) anywhere      0.014 ms
 *   inserting the 100,000, batches of 500        4.9 s (with the trigram index)
 * Keyset is faster deep in the list, but 2 ms for the very last page is far
 * below a frame, and offset is what a random-access list model needs.
 */

void
lb_store_list_row_free (LbStoreListRow *row)
{
  if (row == NULL)
    return;
  g_free (row->from_name);
  g_free (row->from_address);
  g_free (row->subject);
  g_free (row->preview);
  g_free (row->to);
  g_free (row);
}

static gboolean
count_one (LbStore     *self,
           const char  *sql,
           gint64       folder_id,
           guint       *out,
           GError     **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  stmt = lb_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  if (folder_id != LB_STORE_UNIFIED_INBOX)
    sqlite3_bind_int64 (stmt, 1, folder_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      lb_store_set_error (self, rc, error, "count messages");
      return FALSE;
    }
  *out = (guint) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/**
 * lb_store_count_messages:
 * @self: a store
 * @folder_id: a folder, or %LB_STORE_UNIFIED_INBOX
 * @out_total: (out) (optional): the number of rows the list shows
 * @out_unread: (out) (optional): how many of those lack \Seen
 * @error: return location for an error
 *
 * Counts from the locations in the store, so local changes show at once.
 * The unified inbox counts the INBOX-role folders of all accounts; Gmail's
 * All Mail, which holds the same messages again, has another role and is
 * never counted there.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_count_messages (LbStore  *self,
                         gint64    folder_id,
                         guint    *out_total,
                         guint    *out_unread,
                         GError  **error)
{
  gboolean unified = folder_id == LB_STORE_UNIFIED_INBOX;
  guint total = 0;
  guint unread = 0;
  gboolean ok;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  /* One read transaction, so total and unread come from one snapshot.  The counts are
   * kept by triggers as locations change (018-folder-counts.sql): reading them costs the
   * same at any size. */
  if (!lb_store_begin (self, error))
    return FALSE;
  ok = count_one (self,
                  unified ? "SELECT coalesce(sum(total), 0) FROM folder_counts WHERE folder_id IN "
                            "(SELECT id FROM folders WHERE role = 1)"
                          : "SELECT coalesce(sum(total), 0) FROM folder_counts "
                            "WHERE folder_id = ?1",
                  folder_id, &total, error) &&
       count_one (self,
                  unified ? "SELECT coalesce(sum(unread), 0) FROM folder_counts WHERE folder_id IN "
                            "(SELECT id FROM folders WHERE role = 1)"
                          : "SELECT coalesce(sum(unread), 0) FROM folder_counts "
                            "WHERE folder_id = ?1",
                  folder_id, &unread, error);
  if (!ok)
    {
      lb_store_rollback (self);
      return FALSE;
    }
  if (!lb_store_commit (self, error))
    return FALSE;

  if (out_total != NULL)
    *out_total = total;
  if (out_unread != NULL)
    *out_unread = unread;
  return TRUE;
}

/**
 * lb_store_list_row_from_stmt:
 *
 * Reads the current row of a statement whose columns are LIST_ROW_COLUMNS.
 */
LbStoreListRow *
lb_store_list_row_from_stmt (LbStmt *stmt)
{
  LbStoreListRow *row = g_new0 (LbStoreListRow, 1);

  row->message_id = sqlite3_column_int64 (stmt, 0);
  row->account_id = sqlite3_column_int64 (stmt, 1);
  row->folder_id = sqlite3_column_int64 (stmt, 2);
  row->uid = (guint32) sqlite3_column_int64 (stmt, 3);
  row->date = sqlite3_column_int64 (stmt, 4);
  row->from_name = lb_stmt_dup_text (stmt, 5);
  row->from_address = lb_stmt_dup_text (stmt, 6);
  row->subject = lb_stmt_dup_text (stmt, 7);
  row->preview = lb_stmt_dup_text (stmt, 8);
  row->flags = (guint) sqlite3_column_int64 (stmt, 9);
  row->has_attachments = sqlite3_column_int (stmt, 10) != 0;
  row->to = lb_stmt_dup_text (stmt, 11);
  row->folder_role = (guint) sqlite3_column_int (stmt, 12);
  row->thread_id = sqlite3_column_int64 (stmt, 13);
  row->location_id = sqlite3_column_int64 (stmt, 14);
  return row;
}

#define LIST_ROW_SELECT "SELECT " LIST_ROW_COLUMNS " FROM "
#define LIST_ROW_JOIN \
  " AS page JOIN locations l ON l.id = page.id JOIN messages m ON m.id = l.message_id " \
  "ORDER BY l.date DESC, l.id DESC"

/**
 * lb_store_list_page:
 * @self: a store
 * @folder_id: a folder, or %LB_STORE_UNIFIED_INBOX
 * @offset: the position of the first row, 0 being the newest message
 * @limit: the most rows to return
 * @error: return location for an error
 *
 * Returns one page of the list, newest first.  Messages with equal dates
 * keep a stable order (by location id), so pages never overlap or skip.
 *
 * Returns: (transfer full) (element-type LbStoreListRow): the rows (fewer
 *   than @limit at the end), or %NULL on error
 */
GPtrArray *
lb_store_list_page (LbStore  *self,
                    gint64    folder_id,
                    guint     offset,
                    guint     limit,
                    GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  if (folder_id == LB_STORE_UNIFIED_INBOX)
    stmt = lb_store_prepare (self,
                             LIST_ROW_SELECT
                             "(SELECT id FROM locations WHERE unified = 1 "
                             "ORDER BY date DESC, id DESC LIMIT ?2 OFFSET ?3)"
                             LIST_ROW_JOIN,
                             error);
  else
    stmt = lb_store_prepare (self,
                             LIST_ROW_SELECT
                             "(SELECT id FROM locations WHERE folder_id = ?1 "
                             "ORDER BY date DESC, id DESC LIMIT ?2 OFFSET ?3)"
                             LIST_ROW_JOIN,
                             error);
  if (stmt == NULL)
    return NULL;
  if (folder_id != LB_STORE_UNIFIED_INBOX)
    sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, limit);
  sqlite3_bind_int64 (stmt, 3, offset);

  rows = g_ptr_array_new_full (limit, (GDestroyNotify) lb_store_list_row_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, lb_store_list_row_from_stmt (stmt));
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list page");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/**
 * lb_store_get_message:
 *
 * Returns: (transfer full): every stored field of the message, or %NULL
 *   with %LB_ERROR_NOT_FOUND
 */
LbStoreMessage *
lb_store_get_message (LbStore  *self,
                      gint64    message_id,
                      GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  LbStoreMessage *m;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self,
                           "SELECT id, account_id, message_id, gm_msgid, date, from_name, "
                           "from_address, to_text, cc_text, subject, in_reply_to, refs, size, "
                           "has_attachments, preview, thread_key FROM messages WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, message_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        lb_store_not_found (error, "message", message_id);
      else
        lb_store_set_error (self, rc, error, "get message");
      return NULL;
    }

  m = lb_store_message_new ();
  m->id = sqlite3_column_int64 (stmt, 0);
  m->account_id = sqlite3_column_int64 (stmt, 1);
  m->message_id = lb_stmt_dup_text (stmt, 2);
  m->gm_msgid = (guint64) sqlite3_column_int64 (stmt, 3);
  m->date = sqlite3_column_int64 (stmt, 4);
  m->from_name = lb_stmt_dup_text (stmt, 5);
  m->from_address = lb_stmt_dup_text (stmt, 6);
  m->to = lb_stmt_dup_text (stmt, 7);
  m->cc = lb_stmt_dup_text (stmt, 8);
  m->subject = lb_stmt_dup_text (stmt, 9);
  m->in_reply_to = lb_stmt_dup_text (stmt, 10);
  m->references = lb_stmt_dup_text (stmt, 11);
  m->size = sqlite3_column_int64 (stmt, 12);
  m->has_attachments = sqlite3_column_int (stmt, 13) != 0;
  m->preview = lb_stmt_dup_text (stmt, 14);
  m->thread_key = lb_stmt_dup_text (stmt, 15);
  return m;
}

/**
 * lb_store_get_folder_counts:
 * @account_id: an account, or 0 for every account
 *
 * Counts each folder's stored messages and unread messages, for the
 * sidebar.  The unified inbox's counts come from lb_store_count_messages().
 *
 * Returns: (transfer full) (element-type LbStoreFolderCount): one entry
 *   per folder, or %NULL on error
 */
GArray *
lb_store_get_folder_counts (LbStore  *self,
                            gint64    account_id,
                            GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GArray) counts = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self,
                           "SELECT f.id, coalesce(c.total, 0), coalesce(c.unread, 0) "
                           "FROM folders f LEFT JOIN folder_counts c ON c.folder_id = f.id "
                           "WHERE ?1 = 0 OR f.account_id = ?1 ORDER BY f.id",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  counts = g_array_new (FALSE, FALSE, sizeof (LbStoreFolderCount));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LbStoreFolderCount c;

      c.folder_id = sqlite3_column_int64 (stmt, 0);
      c.total = (guint) sqlite3_column_int64 (stmt, 1);
      c.unread = (guint) sqlite3_column_int64 (stmt, 2);
      g_array_append_val (counts, c);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "folder counts");
      return NULL;
    }
  return g_steal_pointer (&counts);
}
