/* lb-store.h: the local SQLite store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-identity.h"
#include "lb-types.h"

G_BEGIN_DECLS

/*
 * One LbStore is one SQLite connection.  Each account's sync worker opens its
 * own read-write store, and the main thread opens one read-only store for
 * the list models.  A store may be used by one thread at a time (it owns a
 * statement cache); it may be handed between threads.  Every call blocks.
 *
 * Ids are SQLite row ids (> 0).  They are unique across accounts, so a
 * message id alone names a message.
 */

#define LB_TYPE_STORE (lb_store_get_type ())

G_DECLARE_FINAL_TYPE (LbStore, lb_store, LB, STORE, GObject)

/**
 * LbStoreOpenFlags:
 * @LB_STORE_OPEN_DEFAULT: read-write; create the file and apply migrations
 * @LB_STORE_OPEN_READ_ONLY: read only; the store must exist and be up to date
 * @LB_STORE_OPEN_NO_MMAP: read through read() calls and a small page cache (256 KiB read
 *   only, 8 MiB for a writer; the kernel caches the file), not a memory map, whose pages,
 *   once read, count in the process's resident memory with their neighbours (the kernel
 *   maps 64 KiB around a fault)
 *
 * How lb_store_open() opens the file.
 */
typedef enum {
  LB_STORE_OPEN_DEFAULT   = 0,
  LB_STORE_OPEN_READ_ONLY = 1 << 0,
  LB_STORE_OPEN_NO_MMAP   = 1 << 1,
} LbStoreOpenFlags;

/**
 * LB_STORE_UNIFIED_INBOX:
 *
 * A folder id meaning "the INBOX-role folders of every account", accepted by
 * the list queries.  Real folder ids are never 0.
 */
#define LB_STORE_UNIFIED_INBOX ((gint64) 0)

/**
 * LB_STORE_ALL_FOLDERS:
 *
 * A folder id meaning "every folder of every account", accepted by lb_store_search().
 * Real folder ids are never negative.
 */
#define LB_STORE_ALL_FOLDERS ((gint64) -1)

/* ---- Row structs ------------------------------------------------------ */

/**
 * LbStoreAccount:
 *
 * An account's settings.  There is no password: secrets live in the keyring.
 */
typedef struct {
  gint64      id;
  char       *email;
  char       *display_name;
  char       *imap_host;
  guint16     imap_port;
  LbSecurity  imap_security;
  char       *smtp_host;
  guint16     smtp_port;
  LbSecurity  smtp_security;
  char       *username;
  char       *provider_id;
  char       *ca_file;
  char       *proxy;
  char       *color;
  gint64      created;   /* unix time, set by lb_store_add_account() */
  int         auth;      /* LbAuthKind: a password or an OAuth2 access token */
  char       *oauth2_provider;  /* the OAuth2 provider id when @auth is OAuth2 */
  gboolean    needs_sign_in;    /* the OAuth2 grant was refused: sign in again */
  char       *signature;        /* of the account's own address, plain text */
  GPtrArray  *aliases;          /* (element-type LbIdentity) never NULL once read */
  char       *goa_id;           /* the Online Accounts account when @auth is GOA */
  int         offline_days;     /* bodies kept: 0 all, N > 0 the last N days, -1 none */
  guint       offline_max_mb;   /* larger messages keep only headers until opened; 0: no limit */
} LbStoreAccount;

/**
 * LbStoreFolder:
 *
 * A folder and its sync state.
 */
typedef struct {
  gint64        id;
  gint64        account_id;
  char         *raw_name;       /* on the wire: modified UTF-7 */
  char         *display_name;   /* decoded */
  char         *delimiter;      /* NULL for a flat namespace */
  LbFolderRole  role;
  char         *attributes;     /* LIST attributes, space separated */
  gboolean      subscribed;
  gboolean      selectable;
  guint32       uidvalidity;
  guint32       uidnext;
  guint64       highestmodseq;
  guint         total_count;    /* as reported by the server */
  guint         unread_count;
  gint64        last_sync;      /* unix time */
  char         *last_error;     /* why the last sync of this folder failed, or NULL */
} LbStoreFolder;

/**
 * LbStoreMessage:
 *
 * A message's decoded envelope, stored once per account.
 */
typedef struct {
  gint64    id;
  gint64    account_id;
  char     *message_id;      /* Message-ID header without <>, or NULL */
  guint64   gm_msgid;        /* X-GM-MSGID, 0 when the server has none */
  gint64    date;            /* unix time */
  char     *from_name;
  char     *from_address;
  char     *to;              /* decoded display text */
  char     *cc;
  char     *subject;
  char     *in_reply_to;
  char     *references;
  gint64    size;
  gboolean  has_attachments;
  char     *preview;
  char     *thread_key;
} LbStoreMessage;

/**
 * LbStoreFetched:
 * @message: the envelope; @message.id is filled in by lb_store_insert_messages()
 * @uid: the message's UID in the folder
 * @flags: #LbFlags
 * @keywords: other keywords, space separated, or %NULL
 * @modseq: the message's MODSEQ, 0 without CONDSTORE
 * @internaldate: the server's INTERNALDATE (unix time), which COPY and MOVE keep; 0 when
 *   unknown, and then the message is merged with a copy in another folder only by
 *   X-GM-MSGID
 *
 * A message as fetched from one folder, for lb_store_insert_messages().
 */
typedef struct {
  LbStoreMessage  message;
  guint32         uid;
  guint           flags;
  char           *keywords;
  guint64         modseq;
  gint64          internaldate;
} LbStoreFetched;

/**
 * LbStoreUidFlags:
 *
 * One location's flags, as returned by lb_store_get_folder_flags() and taken
 * by lb_store_update_flags().
 */
typedef struct {
  guint32 uid;
  guint   flags;    /* LbFlags */
  guint64 modseq;
} LbStoreUidFlags;

/**
 * LbStoreListRow:
 *
 * What one row of a message list shows.
 */
typedef struct {
  gint64    message_id;
  gint64    account_id;
  gint64    folder_id;
  guint32   uid;
  gint64    date;
  char     *from_name;
  char     *from_address;
  char     *subject;
  char     *preview;
  guint     flags;      /* LbFlags */
  gboolean  has_attachments;
  char     *to;         /* the To header's decoded display text */
  guint     folder_role; /* LbFolderRole of @folder_id */
  gint64    thread_id;  /* the conversation (see lb-store-threads.c) */
  gint64    location_id;
} LbStoreListRow;

/**
 * LbStoreFolderCount:
 *
 * Local counts of one folder, computed from the locations in the store.
 */
typedef struct {
  gint64 folder_id;
  guint  total;
  guint  unread;
} LbStoreFolderCount;

/**
 * LbStoreOpKind:
 *
 * The kind of a pending operation.  The values are stored: never renumber.
 */
typedef enum {
  LB_STORE_OP_FLAG    = 1,   /* args: the LbFlags mask to set, in decimal */
  LB_STORE_OP_UNFLAG  = 2,   /* args: the LbFlags mask to clear, in decimal */
  LB_STORE_OP_MOVE    = 3,   /* args: the destination folder id, in decimal (or "role:N"),
                              * then ";junk" or ";notjunk" for Mark as Junk / Not Junk */
  LB_STORE_OP_DELETE  = 4,
  LB_STORE_OP_EXPUNGE = 5,
  LB_STORE_OP_APPEND  = 6,   /* args: the outbox or draft reference */
  LB_STORE_OP_COPY    = 7,   /* args: the destination folder id, in decimal */
} LbStoreOpKind;

/**
 * LbStorePendingOp:
 * @uids: an IMAP uid set such as "1:4,9", or %NULL
 * @args: depends on @kind, see #LbStoreOpKind
 *
 * A change made locally, waiting to be replayed to the server.
 */
typedef struct {
  gint64         id;
  gint64         account_id;
  LbStoreOpKind  kind;
  gint64         folder_id;     /* 0 for none */
  char          *uids;
  char          *args;
  gint64         created;
  guint          attempts;
  char          *last_error;
} LbStorePendingOp;

/**
 * LbStoreOutboxState:
 *
 * Where an outgoing message is.  The values are stored: never renumber.
 */
typedef enum {
  LB_STORE_OUTBOX_QUEUED  = 0,
  LB_STORE_OUTBOX_SENDING = 1,
  LB_STORE_OUTBOX_FAILED  = 2,   /* gave up; needs the user */
  LB_STORE_OUTBOX_SENT    = 3,   /* sent; waiting to be copied to Sent */
  LB_STORE_OUTBOX_INTERRUPTED = 4, /* found SENDING after a crash: outcome unknown, never resent
                                    * without the user's say */
} LbStoreOutboxState;

/**
 * LbStoreOutboxItem:
 * @raw: the message as it will be sent
 * @rcpts: envelope recipients, %NULL-terminated
 * @subject: (nullable): the decoded Subject, for the Outbox list (%NULL in rows queued
 *   before it was stored)
 *
 * An outgoing message.
 */
typedef struct {
  gint64              id;
  gint64              account_id;
  GBytes             *raw;
  char               *env_from;
  char              **rcpts;
  LbStoreOutboxState  state;
  guint               attempts;
  gint64              next_attempt;   /* unix time */
  char               *last_error;
  char               *message_id;
  gint64              created;
  char               *subject;
} LbStoreOutboxItem;

LbStoreAccount    *lb_store_account_new        (void);
LbStoreAccount    *lb_store_account_copy       (const LbStoreAccount   *account);
void               lb_store_account_free       (LbStoreAccount         *account);
LbStoreFolder     *lb_store_folder_new         (void);
void               lb_store_folder_free        (LbStoreFolder          *folder);
LbStoreMessage    *lb_store_message_new        (void);
void               lb_store_message_clear      (LbStoreMessage         *message);
void               lb_store_message_free       (LbStoreMessage         *message);
LbStoreFetched    *lb_store_fetched_new        (void);
void               lb_store_fetched_free       (LbStoreFetched         *fetched);
void               lb_store_list_row_free      (LbStoreListRow         *row);
LbStorePendingOp  *lb_store_pending_op_new     (void);
void               lb_store_pending_op_free    (LbStorePendingOp       *op);
LbStoreOutboxItem *lb_store_outbox_item_new    (void);
void               lb_store_outbox_item_free   (LbStoreOutboxItem      *item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbStoreAccount, lb_store_account_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbStoreFolder, lb_store_folder_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbStoreMessage, lb_store_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbStoreFetched, lb_store_fetched_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbStoreListRow, lb_store_list_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbStorePendingOp, lb_store_pending_op_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbStoreOutboxItem, lb_store_outbox_item_free)

/* ---- Opening ---------------------------------------------------------- */

char      *lb_store_default_path           (void);
LbStore   *lb_store_open                   (const char        *path,
                                            LbStoreOpenFlags   flags,
                                            GError           **error);
const char *lb_store_get_path              (LbStore           *self);
gboolean   lb_store_is_read_only           (LbStore           *self);
int        lb_store_get_schema_version     (LbStore           *self);
const char *lb_store_get_profile_id        (LbStore           *self,
                                            GError           **error);
int        lb_store_get_latest_schema_version (void);

/* ---- Transactions ----------------------------------------------------- */

gboolean   lb_store_transaction_begin      (LbStore           *self,
                                            GError           **error);
gboolean   lb_store_transaction_commit     (LbStore           *self,
                                            GError           **error);
void       lb_store_transaction_rollback   (LbStore           *self);

/* ---- Accounts --------------------------------------------------------- */

gboolean        lb_store_add_account       (LbStore               *self,
                                            LbStoreAccount        *account,
                                            GError               **error);
gboolean        lb_store_update_account    (LbStore               *self,
                                            const LbStoreAccount  *account,
                                            GError               **error);
LbStoreAccount *lb_store_get_account       (LbStore               *self,
                                            gint64                 account_id,
                                            GError               **error);
GPtrArray      *lb_store_list_accounts     (LbStore               *self,
                                            GError               **error);
gboolean        lb_store_set_needs_sign_in (LbStore               *self,
                                            gint64                 account_id,
                                            gboolean               needs_sign_in,
                                            GError               **error);
gboolean        lb_store_remove_account    (LbStore               *self,
                                            gint64                 account_id,
                                            GError               **error);

/* ---- Folders ---------------------------------------------------------- */

gint64          lb_store_upsert_folder     (LbStore               *self,
                                            const LbStoreFolder   *folder,
                                            GError               **error);
LbStoreFolder  *lb_store_get_folder        (LbStore               *self,
                                            gint64                 folder_id,
                                            GError               **error);
GPtrArray      *lb_store_list_folders      (LbStore               *self,
                                            gint64                 account_id,
                                            GError               **error);
gboolean        lb_store_set_folder_sync_state (LbStore           *self,
                                            gint64                 folder_id,
                                            guint32                uidvalidity,
                                            guint32                uidnext,
                                            guint64                highestmodseq,
                                            GError               **error);
gboolean        lb_store_set_folder_counts (LbStore               *self,
                                            gint64                 folder_id,
                                            guint                  total,
                                            guint                  unread,
                                            GError               **error);
gboolean        lb_store_set_folder_error  (LbStore               *self,
                                            gint64                 folder_id,
                                            const char            *text,
                                            GError               **error);
gboolean        lb_store_remove_folder     (LbStore               *self,
                                            gint64                 folder_id,
                                            GError               **error);
gboolean        lb_store_clear_folder      (LbStore               *self,
                                            gint64                 folder_id,
                                            GError               **error);

/* ---- Messages and locations (sync workers) ---------------------------- */

gboolean        lb_store_insert_messages   (LbStore               *self,
                                            gint64                 folder_id,
                                            GPtrArray             *fetched,
                                            GError               **error);
GArray         *lb_store_get_folder_flags  (LbStore               *self,
                                            gint64                 folder_id,
                                            GError               **error);
gboolean        lb_store_update_flags      (LbStore               *self,
                                            gint64                 folder_id,
                                            const LbStoreUidFlags *updates,
                                            guint                  n_updates,
                                            GError               **error);
gboolean        lb_store_change_message_flags (LbStore            *self,
                                            gint64                 message_id,
                                            guint                  set,
                                            guint                  unset,
                                            GError               **error);
gboolean        lb_store_remove_uids       (LbStore               *self,
                                            gint64                 folder_id,
                                            const guint32         *uids,
                                            guint                  n_uids,
                                            GError               **error);
gboolean        lb_store_get_max_uid       (LbStore               *self,
                                            gint64                 folder_id,
                                            guint32               *out_uid,
                                            GError               **error);
gboolean        lb_store_update_preview    (LbStore               *self,
                                            gint64                 message_id,
                                            const char            *preview,
                                            gboolean               has_attachments,
                                            GError               **error);
gboolean        lb_store_set_body_text     (LbStore               *self,
                                            gint64                 message_id,
                                            const char            *body_text,
                                            GError               **error);
char           *lb_store_get_body_text     (LbStore               *self,
                                            gint64                 message_id,
                                            GError               **error);
gboolean        lb_store_put_body          (LbStore               *self,
                                            gint64                 message_id,
                                            GBytes                *raw,
                                            GError               **error);
GBytes         *lb_store_get_body          (LbStore               *self,
                                            gint64                 message_id,
                                            GError               **error);

/* ---- Offline bodies (lb-store-bodies.c) -------------------------------- */

/**
 * LbStoreDiskUse:
 * @n_messages: the account's messages (headers)
 * @n_bodies: of them, how many have their body in the store
 * @body_bytes: those bodies as stored (compressed where that paid)
 * @raw_bytes: those bodies' size on the server
 * @text_bytes: their decoded text kept for search
 */
typedef struct {
  guint   n_messages;
  guint   n_bodies;
  guint64 body_bytes;
  guint64 raw_bytes;
  guint64 text_bytes;
} LbStoreDiskUse;

/**
 * LbStoreBodyToFetch:
 *
 * A message whose body the background download fetches, at one of its locations.
 */
typedef struct {
  gint64  message_id;
  gint64  location_id;
  gint64  date;
  guint32 uid;
} LbStoreBodyToFetch;

gboolean        lb_store_put_downloaded_body (LbStore             *self,
                                            gint64                 message_id,
                                            GBytes                *raw,
                                            GError               **error);
GArray         *lb_store_list_text_pending (LbStore               *self,
                                            gint64                 account_id,
                                            gint64                 after,
                                            guint                  limit,
                                            GError               **error);
gboolean        lb_store_get_text_done     (LbStore               *self,
                                            gint64                 message_id,
                                            gboolean              *out_done,
                                            GError               **error);
gboolean        lb_store_set_text_done     (LbStore               *self,
                                            gint64                 message_id,
                                            GError               **error);
gint64          lb_store_offline_since     (int                    offline_days,
                                            gint64                 now);
GArray         *lb_store_list_bodies_to_download (LbStore         *self,
                                            gint64                 folder_id,
                                            gint64                 since,
                                            const LbStoreBodyToFetch *after,
                                            guint64                max_size,
                                            guint                  limit,
                                            GError               **error);
gboolean        lb_store_count_bodies_to_download (LbStore        *self,
                                            gint64                 account_id,
                                            gint64                 since,
                                            guint64                max_size,
                                            guint                 *out_count,
                                            GError               **error);
gboolean        lb_store_remove_bodies     (LbStore               *self,
                                            gint64                 account_id,
                                            gint64                 before,
                                            guint                 *out_removed,
                                            GError               **error);
gboolean        lb_store_get_disk_use      (LbStore               *self,
                                            gint64                 account_id,
                                            LbStoreDiskUse        *out,
                                            GError               **error);
gboolean        lb_store_reclaim_space     (LbStore               *self,
                                            GError               **error);

/* ---- Pending operations ----------------------------------------------- */

gint64          lb_store_enqueue_op        (LbStore               *self,
                                            const LbStorePendingOp *op,
                                            GError               **error);
GPtrArray      *lb_store_list_ops          (LbStore               *self,
                                            gint64                 account_id,
                                            GError               **error);
gboolean        lb_store_remove_op         (LbStore               *self,
                                            gint64                 op_id,
                                            GError               **error);
gboolean        lb_store_update_op_attempts (LbStore              *self,
                                            gint64                 op_id,
                                            guint                  attempts,
                                            const char            *last_error,
                                            GError               **error);

/* ---- Outbox ----------------------------------------------------------- */

gint64          lb_store_outbox_put        (LbStore               *self,
                                            const LbStoreOutboxItem *item,
                                            GError               **error);
GPtrArray      *lb_store_outbox_list       (LbStore               *self,
                                            gint64                 account_id,
                                            GError               **error);
GPtrArray      *lb_store_outbox_list_summaries (LbStore           *self,
                                            gint64                 account_id,
                                            GError               **error);
GBytes         *lb_store_outbox_get_raw    (LbStore               *self,
                                            gint64                 item_id,
                                            GError               **error);
gboolean        lb_store_outbox_update     (LbStore               *self,
                                            gint64                 item_id,
                                            LbStoreOutboxState     state,
                                            guint                  attempts,
                                            gint64                 next_attempt,
                                            const char            *last_error,
                                            GError               **error);
gboolean        lb_store_outbox_remove     (LbStore               *self,
                                            gint64                 item_id,
                                            GError               **error);

/* ---- Lists (main thread, read-only store) ----------------------------- */

gboolean        lb_store_count_messages    (LbStore               *self,
                                            gint64                 folder_id,
                                            guint                 *out_total,
                                            guint                 *out_unread,
                                            GError               **error);
GPtrArray      *lb_store_list_page         (LbStore               *self,
                                            gint64                 folder_id,
                                            guint                  offset,
                                            guint                  limit,
                                            GError               **error);
LbStoreMessage *lb_store_get_message       (LbStore               *self,
                                            gint64                 message_id,
                                            GError               **error);
GArray         *lb_store_get_folder_counts (LbStore               *self,
                                            gint64                 account_id,
                                            GError               **error);

G_END_DECLS
