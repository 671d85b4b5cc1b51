/* lb-store-folders.c: what folder management changes in the store (see lb-store-folders.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-store-folders.h"
#include "lb-store-private.h"

/**
 * lb_store_rename_folder_tree:
 * @old_raw_name: the folder's raw (modified UTF-7) name before the server renamed it
 * @new_raw_name: its raw name now
 * @delimiter: the hierarchy delimiter, or '\0' for a flat namespace (no children)
 * @display_name: the folder's new decoded leaf name
 *
 * Follows a RENAME the server made: the folder and every folder under it get their new
 * raw names, keeping their ids, sync state and cached mail, so the sidebar keeps its
 * place and nothing is downloaded again.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_rename_folder_tree (LbStore     *self,
                             gint64       account_id,
                             const char  *old_raw_name,
                             const char  *new_raw_name,
                             char         delimiter,
                             const char  *display_name,
                             GError     **error)
{
  g_autofree char *old_prefix = NULL;
  g_autofree char *new_prefix = NULL;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);
  g_return_val_if_fail (old_raw_name != NULL && new_raw_name != NULL, FALSE);

  if (!lb_store_check_writable (self, error) || !lb_store_begin (self, error))
    return FALSE;
  if (!lb_store_run (self, "rename folder", NULL, error,
                     "UPDATE folders SET raw_name = ?3, display_name = ?4 "
                     "WHERE account_id = ?1 AND raw_name = ?2",
                     "lttt", account_id, old_raw_name, new_raw_name, display_name))
    goto fail;
  /* Children: compared by prefix with substr(), not LIKE, whose '%' and '_' could be
   * part of a name. */
  if (delimiter != '\0')
    {
      old_prefix = g_strdup_printf ("%s%c", old_raw_name, delimiter);
      new_prefix = g_strdup_printf ("%s%c", new_raw_name, delimiter);
      if (!lb_store_run (self, "rename subfolders", NULL, error,
                         "UPDATE folders SET raw_name = ?3 || substr (raw_name, length (?2) + 1) "
                         "WHERE account_id = ?1 AND substr (raw_name, 1, length (?2)) = ?2",
                         "ltt", account_id, old_prefix, new_prefix))
        goto fail;
    }
  return lb_store_commit (self, error);

fail:
  lb_store_rollback (self);
  return FALSE;
}

/**
 * lb_store_list_folder_unread:
 * @out_message_ids: (out) (transfer full) (element-type gint64): the unread messages
 * @out_uids: (out) (transfer full) (element-type guint32): their uids in the folder, in
 *   the same order, ascending
 *
 * The unread messages of a folder, for Mark All as Read: the whole folder, not only
 * the rows a list has loaded.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_list_folder_unread (LbStore  *self,
                             gint64    folder_id,
                             GArray  **out_message_ids,
                             GArray  **out_uids,
                             GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  stmt = lb_store_prepare (self,
                           "SELECT message_id, uid FROM locations "
                           "WHERE folder_id = ?1 AND (flags & ?2) = 0 ORDER BY uid",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int (stmt, 2, LB_FLAG_SEEN);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      guint32 uid = (guint32) sqlite3_column_int64 (stmt, 1);

      g_array_append_val (ids, id);
      g_array_append_val (uids, uid);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list unread of folder");
      return FALSE;
    }
  *out_message_ids = g_steal_pointer (&ids);
  *out_uids = g_steal_pointer (&uids);
  return TRUE;
}
