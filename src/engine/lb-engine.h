/* lb-engine.h: the entry point to Letterbox's engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-engine
 * @title: LbEngine
 *
 * The engine's entry point: one per profile (data directory).  It owns the store, the
 * accounts (an #LbAccount each, with its worker thread) and the outbox, and hands out
 * list models over the store.
 *
 * Threads: every function here is called on the main thread, the thread whose
 * thread-default #GMainContext was current when lb_engine_new() ran; every signal and
 * every `_async` callback is delivered there.  Nothing here blocks on the network or on
 * a write to the store: blocking work runs on the accounts' workers and comes back
 * through `_async`/`_finish` pairs (#GTask) or signals.
 *
 * Ownership: getters (`get`, `peek`, `lookup` of cached objects) return borrowed
 * pointers unless marked `(transfer full)` in their documentation in lb-engine*.c;
 * `open`, `search`, `dup` and `list` return new references or copies.
 *
 * Signals: #LbEngine::messages-changed (account id, folder id) whenever the store
 * changed under a folder (sync, local change, undo); #LbEngine:unified-unread notifies.
 * Local changes (flags, moves, deletes) are applied to the store at once and replayed
 * to the server by the account's worker; moves and deletes wait %LB_UNDO_SECONDS so
 * that lb_engine_undo() never reaches the server.
 */
#pragma once

#include <gio/gio.h>

#include "lb-account.h"
#include "lb-error.h"
#include "lb-folder.h"
#include "lb-message.h"
#include "lb-outbox-item.h"
#include "lb-server-config.h"
#include "lb-types.h"

G_BEGIN_DECLS

/**
 * LB_ENGINE_ALL_FOLDERS:
 *
 * For lb_engine_search(): every folder of every account.
 */
#define LB_ENGINE_ALL_FOLDERS ((gint64) -1)

/**
 * LbAccountSettings:
 * @email: the address
 * @display_name: (nullable): the name to send as
 * @provider_id: (nullable): the provider database entry it matched
 * @imap: the incoming server; its username is the login
 * @smtp: (nullable): the outgoing server
 * @oauth2_provider: (nullable): for an account whose @imap auth is %LB_AUTH_OAUTH2, the
 *   OAuth2 provider id ("microsoft", "google") that issued its tokens
 * @signature: (nullable): the plain-text signature of @email
 * @aliases: (nullable) (element-type LbIdentity): the other addresses the account sends
 *   as, each with its own name and signature; %NULL for none
 * @goa_id: (nullable): for an account whose @imap auth is %LB_AUTH_GOA, the GNOME Online
 *   Accounts account that gives its tokens (lb_goa_list_accounts_sync()); such an account
 *   is added with no secret: Online Accounts keeps the grant
 * @offline_days: which bodies are kept on this computer: 0 every one (the default),
 *   N > 0 those of the last N days, -1 none (headers only; bodies are fetched when opened)
 * @offline_max_mb: messages larger than this many megabytes keep only their headers
 *   until opened; 0 for no limit
 *
 * What is needed to add an account.  The secret is passed separately and goes
 * straight to the keyring: a password, or for an OAuth2 account (@imap's auth, which
 * @smtp shares) the refresh token from lb_oauth2_sign_in_finish().  Signing in again
 * is lb_engine_update_account_async() with the new refresh token: the account keeps its
 * id and mail.
 */
typedef struct {
  char           *email;
  char           *display_name;
  char           *provider_id;
  LbServerConfig *imap;
  LbServerConfig *smtp;
  char           *oauth2_provider;
  char           *signature;
  GPtrArray      *aliases;
  char           *goa_id;
  int             offline_days;
  guint           offline_max_mb;
} LbAccountSettings;

LbAccountSettings *lb_account_settings_new  (void);
void               lb_account_settings_free (LbAccountSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbAccountSettings, lb_account_settings_free)

#define LB_UNDO_SECONDS 8

#define LB_TYPE_ENGINE (lb_engine_get_type ())

G_DECLARE_FINAL_TYPE (LbEngine, lb_engine, LB, ENGINE, GObject)

LbEngine      *lb_engine_new                 (const char          *data_dir,
                                              GError             **error);
const char    *lb_engine_get_store_path      (LbEngine            *self);
GListModel    *lb_engine_get_accounts        (LbEngine            *self);
LbAccount     *lb_engine_get_account         (LbEngine            *self,
                                              gint64               account_id);
LbAccount     *lb_engine_find_account        (LbEngine            *self,
                                              const char          *email_or_id);
void           lb_engine_start               (LbEngine            *self);
void           lb_engine_shutdown            (LbEngine            *self);
guint          lb_engine_get_unified_unread  (LbEngine            *self);
LbMessageList *lb_engine_get_unified_inbox   (LbEngine            *self);
void           lb_engine_set_conversations   (LbEngine            *self,
                                              gboolean             conversations);
gboolean       lb_engine_get_conversations   (LbEngine            *self);
LbMessageList *lb_engine_search              (LbEngine            *self,
                                              const char          *query,
                                              gint64               folder_id);
GPtrArray     *lb_engine_search_first_screen (LbEngine            *self,
                                              const char          *query,
                                              gint64               folder_id,
                                              guint                limit,
                                              gint64              *out_total,
                                              gboolean            *out_estimated,
                                              GError             **error);
gboolean       lb_engine_get_index_progress  (LbEngine            *self,
                                              int                 *out_percent);
LbMessageList *lb_engine_open_folder         (LbEngine            *self,
                                              gint64               folder_id);

void           lb_engine_add_account_async   (LbEngine            *self,
                                              const LbAccountSettings *settings,
                                              const char          *secret,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
LbAccount     *lb_engine_add_account_finish  (LbEngine            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void           lb_engine_update_account_async (LbEngine           *self,
                                              LbAccount           *account,
                                              const LbAccountSettings *settings,
                                              const char          *secret,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
LbAccount     *lb_engine_update_account_finish (LbEngine          *self,
                                              GAsyncResult        *result,
                                              GError             **error);
LbAccountSettings *lb_account_dup_settings   (LbAccount           *account);
void           lb_engine_remove_account_async (LbEngine           *self,
                                              LbAccount           *account,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       lb_engine_remove_account_finish (LbEngine          *self,
                                              GAsyncResult        *result,
                                              GError             **error);

LbMessage     *lb_engine_lookup_message      (LbEngine            *self,
                                              gint64               message_id);
GBytes        *lb_engine_get_cached_body     (LbEngine            *self,
                                              gint64               message_id);

void           lb_engine_set_flags           (LbEngine            *self,
                                              LbMessage          **messages,
                                              guint                n_messages,
                                              guint                set,
                                              guint                unset);
guint          lb_engine_move                (LbEngine            *self,
                                              LbMessage          **messages,
                                              guint                n_messages,
                                              LbFolderRole         role,
                                              gint64               folder_id);
guint          lb_engine_delete              (LbEngine            *self,
                                              LbMessage          **messages,
                                              guint                n_messages);
gboolean       lb_engine_undo                (LbEngine            *self,
                                              guint                undo_id);
void           lb_engine_flush_pending       (LbEngine            *self);
void           lb_engine_wait_idle           (LbEngine            *self);

/* The outbox (lb-engine-outbox.c; its jobs are worker/lb-outbox-jobs.c, its states and crash
 * safety are described in worker/lb-outbox.h). */
void           lb_engine_send_async          (LbEngine            *self,
                                              LbAccount           *account,
                                              GBytes              *message,
                                              const char * const  *recipients,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       lb_engine_send_finish         (LbEngine            *self,
                                              GAsyncResult        *result,
                                              gboolean            *out_queued,
                                              GError             **error);
void           lb_engine_hold_async          (LbEngine            *self,
                                              LbAccount           *account,
                                              GBytes              *message,
                                              const char * const  *recipients,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gint64         lb_engine_hold_finish         (LbEngine            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void           lb_engine_flush_outbox        (LbEngine            *self,
                                              gboolean             ignore_backoff);
void           lb_engine_flush_outbox_async  (LbEngine            *self,
                                              LbAccount           *account,
                                              gboolean             ignore_backoff,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       lb_engine_flush_outbox_finish (LbEngine            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void           lb_engine_outbox_retry        (LbEngine            *self,
                                              LbAccount           *account,
                                              gint64               item_id);
void           lb_engine_outbox_discard      (LbEngine            *self,
                                              LbAccount           *account,
                                              gint64               item_id);
void           lb_engine_outbox_retry_async  (LbEngine            *self,
                                              LbAccount           *account,
                                              gint64               item_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
void           lb_engine_outbox_discard_async (LbEngine           *self,
                                              LbAccount           *account,
                                              gint64               item_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       lb_engine_outbox_change_finish (LbEngine           *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void           lb_engine_outbox_load_message_async (LbEngine      *self,
                                              LbAccount           *account,
                                              gint64               item_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GBytes        *lb_engine_outbox_load_message_finish (LbEngine     *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void           lb_engine_reload_outbox_async (LbEngine            *self,
                                              LbAccount           *account,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray     *lb_engine_list_outbox         (LbEngine            *self);
GListModel    *lb_engine_get_outbox          (LbEngine            *self);

G_END_DECLS
