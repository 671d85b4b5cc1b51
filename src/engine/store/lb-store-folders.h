/* lb-store-folders.h: what folder management changes in the store
 *
 * Creating, renaming and deleting folders happens on the server first (the account's
 * worker, worker/lb-imap-folders.c); these queries then keep the store's copy of the
 * folder tree, and the mail cached in it, in step without a full resync.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-store.h"

G_BEGIN_DECLS

gboolean lb_store_rename_folder_tree  (LbStore     *self,
                                       gint64       account_id,
                                       const char  *old_raw_name,
                                       const char  *new_raw_name,
                                       char         delimiter,
                                       const char  *display_name,
                                       GError     **error);
gboolean lb_store_list_folder_unread  (LbStore     *self,
                                       gint64       folder_id,
                                       GArray     **out_message_ids,
                                       GArray     **out_uids,
                                       GError     **error);

G_END_DECLS
