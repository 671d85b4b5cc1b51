/* lb-engine-private.h: what the engine's own objects share
 *
 * LbEngine is split by concern, as GNOME Text Editor splits its window:
 *   lb-engine.c           the object, the accounts model, lookups
 *   lb-engine-accounts.c  adding, changing and removing accounts
 *   lb-engine-changes.c   flags, moves, deletes, undo and their commits
 *   lb-engine-outbox.c    the outbox
 * All of it runs on the main thread; the job bodies are in worker/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-engine.h"
#include "lb-local-jobs.h"
#include "lb-store.h"
#include "lb-worker.h"

G_BEGIN_DECLS

/* A move or delete waiting for its undo time. */
typedef struct {
  guint          id;
  LbStoreOpKind  kind;
  gint64         dest_folder_id;
  LbFolderRole   dest_role;
  LbJunkMark     junk;
  GArray        *targets;   /* LbLocalTarget */
  guint          timeout_id;
} LbEnginePending;

struct _LbEngine
{
  GObject        parent_instance;
  GMainContext  *main_context;   /* where the engine was created: its signals and models */
  char          *data_dir;
  char          *store_path;
  LbStore       *read_store;
  GListStore    *accounts;
  LbWorker      *local;
  LbStore       *local_store;
  LbMessageList *unified;
  GHashTable    *hidden;     /* location id -> pending id */
  GHashTable    *pending;    /* pending id -> LbEnginePending* */
  guint          next_pending;
  gboolean       started;
  guint          unified_unread;
  GListStore    *outbox;     /* LbOutboxItem, every account's; made on first use */
  gboolean       conversations;  /* new lists group by conversation */
};

LbStore    *_lb_engine_get_read_store  (LbEngine *self);
gboolean    _lb_engine_is_hidden       (LbEngine *self,
                                        gint64    location_id);
gboolean    _lb_engine_folder_is_inbox (LbEngine *self,
                                        gint64    folder_id);

/* lb-engine.c */
LbAccount  *_lb_engine_adopt_account   (LbEngine              *self,
                                        const LbStoreAccount  *row,
                                        GError               **error);
void        _lb_engine_emit_changed    (LbEngine              *self,
                                        GArray                *folder_ids);
void        _lb_engine_emit_lists_changed (LbEngine           *self,
                                        GArray                *folder_ids);

GTask      *_lb_engine_relay_task      (GTask                 *outer,
                                        GDestroyNotify         value_free);

/* lb-engine-changes.c */
void        _lb_engine_pending_free    (LbEnginePending       *pending);
void        _lb_engine_push_local_change (LbEngine            *self,
                                        LbLocalChange         *change);
guint       _lb_engine_hide_for_undo   (LbEngine              *self,
                                        LbMessage            **messages,
                                        guint                  n,
                                        LbStoreOpKind          kind,
                                        LbFolderRole           role,
                                        gint64                 dest,
                                        LbJunkMark             junk);

/* lb-local-draft.c */
void        _lb_engine_watch_local_drafts (LbEngine           *engine,
                                        LbAccount             *account);

/* lb-message-list.c */
LbMessageList *_lb_message_list_new    (LbEngine   *engine,
                                        gint64      folder_id,
                                        const char *query);

G_END_DECLS
