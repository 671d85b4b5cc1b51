/* lb-store-private.h: helpers shared by the lb-store-*.c files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "lb-store.h"

G_BEGIN_DECLS

/* A cached prepared statement.  g_autoptr(LbStmt) resets it (and clears its
 * bindings) when it goes out of scope, so it is ready for the next caller;
 * the statement itself lives until the store is finalized. */
typedef sqlite3_stmt LbStmt;

void      lb_stmt_release          (LbStmt       *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbStmt, lb_stmt_release)

sqlite3  *lb_store_get_db          (LbStore      *self);
gboolean  lb_store_register_tokenizer (sqlite3   *db,
                                       GError   **error);
LbStmt   *lb_store_prepare         (LbStore      *self,
                                    const char   *sql,
                                    GError      **error);
gboolean  lb_store_exec            (LbStore      *self,
                                    const char   *sql,
                                    GError      **error);
gboolean  lb_store_run             (LbStore      *self,
                                    const char   *what,
                                    guint        *out_changes,
                                    GError      **error,
                                    const char   *sql,
                                    const char   *types,
                                    ...);
gboolean  lb_store_begin           (LbStore      *self,
                                    GError      **error);
gboolean  lb_store_fix_search_keys (LbStore      *self,
                                    GError      **error);
gboolean  lb_store_commit          (LbStore      *self,
                                    GError      **error);
void      lb_store_rollback        (LbStore      *self);
gboolean  lb_store_check_writable  (LbStore      *self,
                                    GError      **error);
void      lb_store_set_error       (LbStore      *self,
                                    int           rc,
                                    GError      **error,
                                    const char   *what);

/* Looks up a folder's account and whether its role is INBOX; sets
 * LB_ERROR_NOT_FOUND when there is no such folder. */
gboolean  lb_store_lookup_folder   (LbStore      *self,
                                    gint64        folder_id,
                                    gint64       *out_account_id,
                                    gboolean     *out_is_inbox,
                                    GError      **error);
gboolean  lb_store_not_found       (GError      **error,
                                    const char   *what,
                                    gint64        id);

/* Bind helpers that map NULL / 0 conventions of the row structs to SQL. */
void      lb_stmt_bind_text        (LbStmt       *stmt,
                                    int           col,
                                    const char   *text);
void      lb_stmt_bind_id          (LbStmt       *stmt,
                                    int           col,
                                    gint64        id);
char     *lb_stmt_dup_text         (LbStmt       *stmt,
                                    int           col);

/* Run by the migrations after sql/015-threads.sql (see lb-store-threads.c). */
#define LB_STORE_THREADS_MIGRATION 15
gboolean  lb_store_threads_backfill (LbStore     *self,
                                     GError     **error);

/* The columns of a message-list row, in the order lb_store_list_row_from_stmt() reads. */
/* A search key is its message's date in units of 2^LB_SEARCH_KEY_SHIFT seconds (or the
 * first free key after that): see lb-store-fts.c. */
#define LB_SEARCH_KEY_SHIFT 8

#define LIST_ROW_COLUMNS \
  "m.id, m.account_id, l.folder_id, l.uid, l.date, m.from_name, m.from_address, " \
  "m.subject, m.preview, l.flags, m.has_attachments, m.to_text, " \
  "(SELECT role FROM folders WHERE id = l.folder_id), m.thread_id, l.id"
LbStoreListRow *lb_store_list_row_from_stmt (LbStmt *stmt);

G_END_DECLS
