/* lb-store-addresses.c: addresses seen in the store, for completion in the composer
 *
 * The senders of stored messages, most frequent first (then most recent), each address
 * once whatever its case.  The decoded To/Cc texts hold display names, not addresses,
 * so only From is used; the people one writes to mostly write back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-address.h"
#include "lb-store-addresses.h"
#include "lb-store-private.h"

/**
 * lb_store_list_frequent_addresses:
 * @limit: the most addresses to return
 *
 * Returns: (transfer full) (element-type LbAddress): the addresses, or %NULL with @error set
 */
GPtrArray *
lb_store_list_frequent_addresses (LbStore  *self,
                                  guint     limit,
                                  GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_address_free);
  int rc;

  stmt = lb_store_prepare (self,
                           "SELECT from_address, MAX(from_name), COUNT(*) AS n, MAX(date) AS d "
                           "FROM messages WHERE from_address LIKE '%_@_%' "
                           "GROUP BY lower(from_address) ORDER BY n DESC, d DESC LIMIT ?",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *address = lb_stmt_dup_text (stmt, 0);
      g_autofree char *name = lb_stmt_dup_text (stmt, 1);

      g_ptr_array_add (out, lb_address_new (name, address));
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list addresses");
      return NULL;
    }
  return g_steal_pointer (&out);
}
