/* lb-folder-actions.h: managing folders, and what acts on a whole folder or across them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-folder-actions
 * @title: Folder actions
 *
 * Creating, renaming, deleting and emptying folders (lb-account-folders.c), and the
 * message actions that span a folder or folders (lb-engine-folders.c): Mark All as Read
 * for a folder or All Inboxes, Mark as Junk / Not Junk, and dropping messages on a
 * folder (a move or a copy, also to another account).
 *
 * Folder management needs the server: a folder exists when the server made it, so these
 * run on the account's worker and fail, with a message that says so, when the server
 * cannot be reached.  Message actions are local first and queued for the server like
 * every other change (offline they wait), except a copy to another account, whose
 * APPEND needs both servers; the original is removed only after the copy is confirmed.
 *
 * Special folders (any role, INBOX included) cannot be renamed or deleted; only Trash
 * and Junk can be emptied.
 */
#pragma once

#include <gio/gio.h>

#include "lb-account.h"
#include "lb-engine.h"

G_BEGIN_DECLS

/**
 * LB_ENGINE_ALL_INBOXES:
 *
 * For lb_engine_mark_folder_read(): every account's INBOX.
 */
#define LB_ENGINE_ALL_INBOXES ((gint64) -2)

gboolean lb_folder_is_editable            (LbFolder            *folder);
gboolean lb_folder_can_be_emptied         (LbFolder            *folder);

void     lb_account_create_folder_async   (LbAccount           *self,
                                           gint64               parent_id,
                                           const char          *name,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gint64   lb_account_create_folder_finish  (LbAccount           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
void     lb_account_rename_folder_async   (LbAccount           *self,
                                           gint64               folder_id,
                                           const char          *name,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
void     lb_account_delete_folder_async   (LbAccount           *self,
                                           gint64               folder_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
void     lb_account_empty_folder_async    (LbAccount           *self,
                                           gint64               folder_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean lb_account_folder_action_finish  (LbAccount           *self,
                                           GAsyncResult        *result,
                                           GError             **error);

void     lb_engine_mark_folder_read_async (LbEngine            *self,
                                           gint64               folder_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean lb_engine_mark_folder_read_finish (LbEngine           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
guint    lb_engine_mark_junk              (LbEngine            *self,
                                           LbMessage          **messages,
                                           guint                n_messages,
                                           gboolean             junk);
void     lb_engine_drop_messages_async    (LbEngine            *self,
                                           LbMessage          **messages,
                                           guint                n_messages,
                                           gint64               folder_id,
                                           gboolean             copy,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean lb_engine_drop_messages_finish   (LbEngine            *self,
                                           GAsyncResult        *result,
                                           guint               *out_undo_id,
                                           GError             **error);

G_END_DECLS
