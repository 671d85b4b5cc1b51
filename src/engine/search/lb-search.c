/* lb-search.c: local search over the store
 *
 * A plain substring scan of the decoded text, newest first.  The search task replaces
 * this with the query language and the FTS5 trigram index.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-search.h"
#include "lb-store-private.h"

/**
 * lb_search_location_ids:
 * @folder_id: a folder, or %LB_STORE_UNIFIED_INBOX
 *
 * Returns: (transfer full) (element-type gint64): locations of matching messages,
 *   newest first
 */
GArray *
lb_search_location_ids (LbStore     *store,
                        const char  *query,
                        gint64       folder_id,
                        GError     **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  stmt = lb_store_prepare (store,
                           "SELECT l.id FROM locations l JOIN message_text t ON t.message_id = l.message_id "
                           "WHERE (?1 = 0 AND l.unified = 1 OR l.folder_id = ?1) AND "
                           "(instr (t.subject, ?2) OR instr (t.sender, ?2) OR "
                           " instr (t.recipients, ?2) OR instr (t.body, ?2)) "
                           "ORDER BY l.date DESC, l.id DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_text (stmt, 2, query, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (store, rc, error, "search");
      return NULL;
    }
  return g_steal_pointer (&ids);
}
