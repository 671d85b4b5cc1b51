/* lb-imap-sync.h: keeps one account's store in step with its IMAP server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-imap-session.h"
#include "lb-quirks.h"
#include "lb-server-config.h"
#include "lb-store.h"

G_BEGIN_DECLS

typedef struct _LbImapSync LbImapSync;

/**
 * LbImapSyncCallbacks:
 * @folders_changed: the folder list of the account changed
 * @messages_changed: messages of @folder_id were added, removed or changed
 * @progress: a folder sync made progress: @done of @total new messages stored
 *
 * Called on the worker thread, as changes are committed.  The receiver coalesces
 * them and forwards them to the main context.
 */
typedef struct {
  void (*folders_changed)  (gpointer user_data);
  void (*messages_changed) (gint64   folder_id,
                            gpointer user_data);
  void (*progress)         (gint64   folder_id,
                            guint    done,
                            guint    total,
                            gpointer user_data);
} LbImapSyncCallbacks;

/**
 * LbImapPasswordFunc:
 * @refused: (nullable): the secret a server just refused, or %NULL: an OAuth2 account
 *   then refreshes its access token (once per refused token); a password is returned as is
 *
 * Called on the account's threads.
 *
 * Returns: (transfer full): the account's secret (a password, or an OAuth2 access token),
 *   freed with lb_secrets_free()
 */
typedef char *(*LbImapPasswordFunc) (gpointer       user_data,
                                     const char    *refused,
                                     GCancellable  *cancellable,
                                     GError       **error);

LbImapSync *lb_imap_sync_new              (LbStore                   *store,
                                           gint64                     account_id,
                                           const LbServerConfig      *config,
                                           const LbProvider          *provider,
                                           const LbImapSyncCallbacks *callbacks,
                                           gpointer                   user_data);
void        lb_imap_sync_free             (LbImapSync                *self);
void        lb_imap_sync_set_password_func (LbImapSync               *self,
                                           LbImapPasswordFunc         func,
                                           gpointer                   user_data);
LbImapSession *lb_imap_sync_get_session   (LbImapSync                *self);
char       *lb_imap_sync_get_secret       (LbImapSync                *self,
                                           const char                *refused,
                                           GCancellable              *cancellable,
                                           GError                   **error);
gboolean    lb_imap_sync_login            (LbImapSession             *session,
                                           const LbServerConfig      *config,
                                           LbImapPasswordFunc         func,
                                           gpointer                   user_data,
                                           gboolean                   id_required,
                                           GCancellable              *cancellable,
                                           GError                   **error);
const LbQuirks *lb_imap_sync_get_quirks   (LbImapSync                *self);

gboolean    lb_imap_sync_connect          (LbImapSync                *self,
                                           GCancellable              *cancellable,
                                           GError                   **error);
gboolean    lb_imap_sync_folders          (LbImapSync                *self,
                                           GCancellable              *cancellable,
                                           GError                   **error);
gboolean    lb_imap_sync_folder           (LbImapSync                *self,
                                           gint64                     folder_id,
                                           GCancellable              *cancellable,
                                           GError                   **error);
gboolean    lb_imap_sync_all              (LbImapSync                *self,
                                           GCancellable              *cancellable,
                                           GError                   **error);
GBytes     *lb_imap_sync_fetch_body       (LbImapSync                *self,
                                           gint64                     message_id,
                                           GCancellable              *cancellable,
                                           GError                   **error);
gboolean    lb_imap_sync_download_bodies  (LbImapSync                *self,
                                           gint64                     since,
                                           guint64                    max_size,
                                           guint                      limit,
                                           guint                     *out_stored,
                                           gboolean                  *out_more,
                                           GCancellable              *cancellable,
                                           GError                   **error);
void        lb_imap_sync_restart_downloads (LbImapSync               *self);
gboolean    lb_imap_sync_ensure_text      (LbImapSync                *self,
                                           gint64                     message_id,
                                           GBytes                    *raw,
                                           GError                   **error);
gboolean    lb_imap_sync_derive_texts     (LbImapSync                *self,
                                           guint                      limit,
                                           guint                     *out_done,
                                           gboolean                  *out_more,
                                           GError                   **error);
gboolean    lb_imap_sync_replay           (LbImapSync                *self,
                                           guint                     *out_failed,
                                           GCancellable              *cancellable,
                                           GError                   **error);
gint64      lb_imap_sync_find_folder      (LbImapSync                *self,
                                           LbFolderRole               role);
gboolean    lb_imap_sync_is_folder_error  (LbImapSync                *self,
                                           const GError              *error);
gint64      lb_imap_sync_ensure_folder    (LbImapSync                *self,
                                           LbFolderRole               role,
                                           GCancellable              *cancellable,
                                           GError                   **error);

G_END_DECLS
