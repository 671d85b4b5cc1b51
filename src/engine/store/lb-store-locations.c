/* lb-store-locations.c: queries by location, for the list models and the sync
 *
 * The list models key their rows by location id: unique per (folder, uid), stable while
 * the message stays put, and the unified inbox holds one location per account inbox.
 * A model keeps the ordered ids of its whole list (an index-only scan, 8 bytes a row)
 * so that it can tell the view exactly which range changed, and loads the rows it shows
 * by id.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Letterbox-Store"

#include "config.h"

#include "lb-error.h"
#include "lb-store-locations.h"
#include "lb-store-private.h"

/**
 * lb_store_list_location_ids:
 * @folder_id: a folder, or %LB_STORE_UNIFIED_INBOX
 *
 * Returns: (transfer full) (element-type gint64): location ids, newest first, in the
 *   same order as lb_store_list_page()
 */
GArray *
lb_store_list_location_ids (LbStore  *self,
                            gint64    folder_id,
                            GError  **error)
{
  return lb_store_list_newest_location_ids (self, folder_id, -1, error);
}

/**
 * lb_store_list_newest_location_ids:
 * @folder_id: a folder, or %LB_STORE_UNIFIED_INBOX
 * @limit: at most this many, or -1 for all
 *
 * Returns: (transfer full) (element-type gint64): the newest location ids, newest
 *   first, as lb_store_list_location_ids() begins
 */
GArray *
lb_store_list_newest_location_ids (LbStore  *self,
                                   gint64    folder_id,
                                   gint64    limit,
                                   GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  if (folder_id == LB_STORE_UNIFIED_INBOX)
    stmt = lb_store_prepare (self, "SELECT id FROM locations WHERE unified = 1 "
                                   "ORDER BY date DESC, id DESC LIMIT ?2", error);
  else
    stmt = lb_store_prepare (self, "SELECT id FROM locations WHERE folder_id = ?1 "
                                   "ORDER BY date DESC, id DESC LIMIT ?2", error);
  if (stmt == NULL)
    return NULL;
  if (folder_id != LB_STORE_UNIFIED_INBOX)
    sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list locations");
      return NULL;
    }
  return g_steal_pointer (&ids);
}

/**
 * lb_store_get_rows_by_location:
 *
 * Returns: (transfer full) (element-type LbStoreListRow): one entry per requested id,
 *   in the same order, %NULL where the location no longer exists
 */
GPtrArray *
lb_store_get_rows_by_location (LbStore       *self,
                               const gint64  *location_ids,
                               guint          n,
                               GError       **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_full (n, (GDestroyNotify) lb_store_list_row_free);
  int rc;

  stmt = lb_store_prepare (self,
                           "SELECT " LIST_ROW_COLUMNS " "
                           "FROM locations l JOIN messages m ON m.id = l.message_id "
                           "WHERE l.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  if (!lb_store_begin (self, error))
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      LbStoreListRow *row = NULL;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, location_ids[i]);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        row = lb_store_list_row_from_stmt (stmt);
      else if (rc != SQLITE_DONE)
        {
          lb_store_rollback (self);
          lb_store_set_error (self, rc, error, "read rows");
          return NULL;
        }
      g_ptr_array_add (rows, row);
    }
  if (!lb_store_commit (self, error))
    return NULL;
  return g_steal_pointer (&rows);
}

/**
 * lb_store_get_location:
 * @prefer_folder_id: a folder to prefer when the message is in several, or 0
 *
 * Finds where on the server a message can be fetched from.
 */
gboolean
lb_store_get_location (LbStore  *self,
                       gint64    message_id,
                       gint64    prefer_folder_id,
                       gint64   *out_folder_id,
                       guint32  *out_uid,
                       GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  stmt = lb_store_prepare (self, "SELECT folder_id, uid FROM locations WHERE message_id = ?1 "
                                 "ORDER BY folder_id = ?2 DESC, id LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message_id);
  sqlite3_bind_int64 (stmt, 2, prefer_folder_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_folder_id = sqlite3_column_int64 (stmt, 0);
      *out_uid = (guint32) sqlite3_column_int64 (stmt, 1);
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    return lb_store_not_found (error, "message", message_id);
  lb_store_set_error (self, rc, error, "find message");
  return FALSE;
}

/**
 * lb_store_get_message_locations:
 *
 * Returns: (transfer full) (element-type LbStoreLocation): every place of the message
 */
GArray *
lb_store_get_message_locations (LbStore  *self,
                                gint64    message_id,
                                GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (LbStoreLocation));
  int rc;

  stmt = lb_store_prepare (self, "SELECT id, folder_id, uid, flags FROM locations "
                                 "WHERE message_id = ?1 ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, message_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LbStoreLocation loc = {
        sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
        (guint32) sqlite3_column_int64 (stmt, 2), (guint) sqlite3_column_int64 (stmt, 3),
      };
      g_array_append_val (out, loc);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list locations");
      return NULL;
    }
  return g_steal_pointer (&out);
}

/**
 * lb_store_list_missing_bodies:
 *
 * Returns: (transfer full) (element-type LbStoreLocation): the newest messages of the
 *   folder whose body is not cached yet, at most @limit
 */
GArray *
lb_store_list_missing_bodies (LbStore  *self,
                              gint64    folder_id,
                              guint     limit,
                              GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (LbStoreLocation));
  int rc;

  stmt = lb_store_prepare (self,
                           "SELECT l.message_id, l.folder_id, l.uid, l.flags FROM locations l "
                           "WHERE l.folder_id = ?1 AND NOT EXISTS "
                           "(SELECT 1 FROM bodies b WHERE b.message_id = l.message_id) "
                           "ORDER BY l.date DESC, l.id DESC LIMIT ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      /* location_id carries the message id here. */
      LbStoreLocation loc = {
        sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
        (guint32) sqlite3_column_int64 (stmt, 2), (guint) sqlite3_column_int64 (stmt, 3),
      };
      g_array_append_val (out, loc);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list missing bodies");
      return NULL;
    }
  return g_steal_pointer (&out);
}

/**
 * lb_store_get_location_dates:
 * @location_ids: (array length=n): location ids
 * @out_dates: (out caller-allocates) (array length=n): each location's date, or -1
 *   where the location no longer exists
 *
 * For merging lists of locations by date.
 */
gboolean
lb_store_get_location_dates (LbStore       *self,
                             const gint64  *location_ids,
                             guint          n,
                             gint64        *out_dates,
                             GError       **error)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbStmt) stmt = lb_store_prepare (self, "SELECT date FROM locations WHERE id = ?1",
                                                 error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, location_ids[i]);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        out_dates[i] = sqlite3_column_int64 (stmt, 0);
      else if (rc == SQLITE_DONE)
        out_dates[i] = -1;
      else
        {
          lb_store_set_error (self, rc, error, "read location dates");
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * lb_store_folder_text_complete:
 * @folder_id: a folder, or %LB_STORE_UNIFIED_INBOX
 * @out_complete: (out): whether the store holds every message the server last reported
 *   in the folder, each with its body
 *
 * A search of a complete folder finds locally all that the server would find; for any
 * other, searching on the server may find more.
 */
gboolean
lb_store_folder_text_complete (LbStore   *self,
                               gint64     folder_id,
                               gboolean  *out_complete,
                               GError   **error)
{
  g_autoptr(LbStmt) missing = NULL;
  g_autoptr(LbStmt) counts = NULL;
  int rc;

  /* One message without its body is enough: EXISTS stops there. */
  if (folder_id == LB_STORE_UNIFIED_INBOX)
    missing = lb_store_prepare (self,
                                "SELECT EXISTS (SELECT 1 FROM locations l WHERE l.unified = 1 "
                                "AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.message_id = l.message_id))",
                                error);
  else
    missing = lb_store_prepare (self,
                                "SELECT EXISTS (SELECT 1 FROM locations l WHERE l.folder_id = ?1 "
                                "AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.message_id = l.message_id))",
                                error);
  if (missing == NULL)
    return FALSE;
  if (folder_id != LB_STORE_UNIFIED_INBOX)
    sqlite3_bind_int64 (missing, 1, folder_id);
  rc = sqlite3_step (missing);
  if (rc != SQLITE_ROW)
    {
      lb_store_set_error (self, rc, error, "check cached bodies");
      return FALSE;
    }
  if (sqlite3_column_int64 (missing, 0) != 0)
    {
      *out_complete = FALSE;
      return TRUE;
    }

  /* Every message here has its text; are they all here? */
  if (folder_id == LB_STORE_UNIFIED_INBOX)
    counts = lb_store_prepare (self,
                               "SELECT (SELECT COALESCE (SUM (total_count), 0) FROM folders WHERE role = 1), "
                               "(SELECT COUNT (*) FROM locations WHERE unified = 1)", error);
  else
    counts = lb_store_prepare (self,
                               "SELECT (SELECT total_count FROM folders WHERE id = ?1), "
                               "(SELECT COUNT (*) FROM locations WHERE folder_id = ?1)", error);
  if (counts == NULL)
    return FALSE;
  if (folder_id != LB_STORE_UNIFIED_INBOX)
    sqlite3_bind_int64 (counts, 1, folder_id);
  rc = sqlite3_step (counts);
  if (rc != SQLITE_ROW)
    {
      lb_store_set_error (self, rc, error, "count locations");
      return FALSE;
    }
  *out_complete = sqlite3_column_int64 (counts, 1) >= sqlite3_column_int64 (counts, 0);
  return TRUE;
}
