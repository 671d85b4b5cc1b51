/* lb-imap-sync-private.h: what the parts of the account sync share
 *
 * The sync is split by concern: lb-imap-sync.c (connection, folder list, the whole
 * account), lb-imap-sync-folder.c (one folder's UIDs, flags and new mail),
 * lb-imap-sync-bodies.c (bodies on demand and the offline download) and lb-imap-sync-replay.c
 * (local changes sent to the server).  All of it runs on the account's worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-imap-sync.h"

G_BEGIN_DECLS


struct _LbImapSync
{
  LbStore             *store;
  gint64               account_id;
  LbServerConfig      *config;
  LbProvider          *provider;
  LbQuirks             quirks;
  LbImapSession       *session;
  LbImapSyncCallbacks  callbacks;
  gpointer             user_data;
  LbImapPasswordFunc   password_func;
  gpointer             password_data;
  /* folder id → g_get_monotonic_time() of its last full UID comparison; see
   * lb-imap-sync-folder.c's sync_changes_since() */
  GHashTable          *full_checks;
  /* folder id → LbStoreBodyToFetch, the last of the background download's previous batch
   * there; see lb-imap-sync-bodies.c */
  GHashTable          *body_cursors;
};


void     _lb_imap_sync_emit_folders_changed  (LbImapSync     *self);
void     _lb_imap_sync_emit_messages_changed (LbImapSync     *self,
                                              gint64          folder_id);
void     _lb_imap_sync_emit_progress         (LbImapSync     *self,
                                              gint64          folder_id,
                                              guint           done,
                                              guint           total);
char    *_lb_imap_sync_folder_error_text    (LbImapSync     *self,
                                              const GError   *error);
gboolean _lb_imap_sync_ensure_selected       (LbImapSync     *self,
                                              gint64          folder_id,
                                              LbStoreFolder **out_folder,
                                              GCancellable   *cancellable,
                                              GError        **error);

G_END_DECLS
