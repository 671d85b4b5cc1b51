/* lb-imap-folders.h: folder management on the server
 *
 * Creating, renaming, deleting and emptying folders, on the account's worker thread: the
 * server does it first (these need it: a folder the server refused to make must not
 * appear), then the store follows without a resync (store/lb-store-folders.c) and the
 * sidebar is told.  Special folders (any role, INBOX included) are never renamed or
 * deleted; only Trash and Junk are emptied.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-imap-sync.h"

G_BEGIN_DECLS

gboolean lb_imap_folders_check_name (const char    *name,
                                     char           delimiter,
                                     GError       **error);
gint64   lb_imap_folders_create     (LbImapSync    *self,
                                     gint64         parent_id,
                                     const char    *name,
                                     GCancellable  *cancellable,
                                     GError       **error);
gboolean lb_imap_folders_rename     (LbImapSync    *self,
                                     gint64         folder_id,
                                     const char    *name,
                                     GCancellable  *cancellable,
                                     GError       **error);
gboolean lb_imap_folders_delete     (LbImapSync    *self,
                                     gint64         folder_id,
                                     GCancellable  *cancellable,
                                     GError       **error);
gboolean lb_imap_folders_empty      (LbImapSync    *self,
                                     gint64         folder_id,
                                     GCancellable  *cancellable,
                                     GError       **error);
gboolean lb_imap_folders_append     (LbImapSync    *self,
                                     gint64         folder_id,
                                     const char    *flags,
                                     GBytes        *message,
                                     GCancellable  *cancellable,
                                     GError       **error);

G_END_DECLS
