/* lb-store-changes.h: local changes and the sync, kept apart in the store
 *
 * A change the user makes (flags, a move, a delete) is written together with the
 * pending operation that replays it to the server, in one transaction, so that a crash
 * leaves either both or neither.  The sync reads a folder's stored UIDs and the UIDs
 * that still have a pending operation in one snapshot, and leaves the latter alone: the
 * server has not seen the change yet, so what it says about those UIDs is out of date.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-store.h"

G_BEGIN_DECLS

gboolean lb_store_apply_local_change     (LbStore                 *self,
                                          const LbStorePendingOp  *op,
                                          const gint64            *message_ids,
                                          const guint32           *uids,
                                          guint                    n,
                                          GError                 **error);
GArray  *lb_store_get_pending_uids       (LbStore                 *self,
                                          gint64                   folder_id,
                                          GError                 **error);
gboolean lb_store_get_folder_snapshot    (LbStore                 *self,
                                          gint64                   folder_id,
                                          GArray                 **out_flags,
                                          GArray                 **out_pending,
                                          GError                 **error);
gboolean lb_store_update_flags_unless_pending (LbStore            *self,
                                          gint64                   folder_id,
                                          const LbStoreUidFlags   *updates,
                                          guint                    n_updates,
                                          GError                 **error);
gboolean lb_store_uid_is_pending         (const GArray            *pending,
                                          guint32                  uid);

G_END_DECLS
