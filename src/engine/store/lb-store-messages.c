/* lb-store-messages.c: messages, locations, flags and bodies (sync workers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Letterbox-Store"

#include "config.h"

#include <string.h>

#include "lb-error.h"
#include "lb-store-private.h"
#include "lb-store-threads.h"

/* ---- Row structs ------------------------------------------------------ */

LbStoreMessage *
lb_store_message_new (void)
{
  return g_new0 (LbStoreMessage, 1);
}

/**
 * lb_store_message_clear:
 *
 * Frees the strings of a message embedded in another struct and zeroes it.
 */
void
lb_store_message_clear (LbStoreMessage *message)
{
  g_free (message->message_id);
  g_free (message->from_name);
  g_free (message->from_address);
  g_free (message->to);
  g_free (message->cc);
  g_free (message->subject);
  g_free (message->in_reply_to);
  g_free (message->references);
  g_free (message->preview);
  g_free (message->thread_key);
  memset (message, 0, sizeof *message);
}

void
lb_store_message_free (LbStoreMessage *message)
{
  if (message == NULL)
    return;
  lb_store_message_clear (message);
  g_free (message);
}

LbStoreFetched *
lb_store_fetched_new (void)
{
  return g_new0 (LbStoreFetched, 1);
}

void
lb_store_fetched_free (LbStoreFetched *fetched)
{
  if (fetched == NULL)
    return;
  lb_store_message_clear (&fetched->message);
  g_free (fetched->keywords);
  g_free (fetched);
}

static gboolean
step_done (LbStore     *self,
           LbStmt      *stmt,
           const char  *what,
           GError     **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, what);
      return FALSE;
    }
  return TRUE;
}

/* Looks up one integer; *out is 0 when there is no row. */
static gboolean
step_int64 (LbStore     *self,
            LbStmt      *stmt,
            gint64      *out,
            const char  *what,
            GError     **error)
{
  int rc = sqlite3_step (stmt);

  *out = 0;
  if (rc == SQLITE_ROW)
    {
      *out = sqlite3_column_int64 (stmt, 0);
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    return TRUE;
  lb_store_set_error (self, rc, error, what);
  return FALSE;
}

/* ---- Batch insert ----------------------------------------------------- */

/* The same message seen before in this account, on evidence only.  Gmail says so exactly
 * with X-GM-MSGID (one message, many labels).  Elsewhere a copy in another folder keeps
 * the server's arrival time (COPY and MOVE keep INTERNALDATE, RFC 3501 6.4.7 and RFC
 * 6851) and the size, and its envelope as fetched is the same to the byte, which another
 * message does not share: a resent or edited draft, a mailing list's copy beside the
 * direct one, or a forged Message-ID arrive at another time or differ in a header, so they
 * stay apart.  Equal Message-ID, date and size alone are not enough: two different
 * messages can share them, and merging them hides one.  The body is not compared (the sync
 * does not fetch it): two messages that agree on all of this and on the arrival second but
 * differ in the body alone would still be merged.  Without an arrival time or a
 * Message-ID a message is never merged.  The stored columns are compared directly, found
 * through messages_message_id, so storing a message costs no digest. */
static gboolean
find_existing_message (LbStore               *self,
                       gint64                 account_id,
                       const LbStoreFetched  *f,
                       gint64                *out_id,
                       GError               **error)
{
  const LbStoreMessage *m = &f->message;
  g_autoptr(LbStmt) stmt = NULL;

  *out_id = 0;
  if (m->gm_msgid != 0)
    {
      stmt = lb_store_prepare (self,
                               "SELECT id FROM messages WHERE account_id = ?1 AND gm_msgid = ?2",
                               error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, account_id);
      sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) m->gm_msgid);
      return step_int64 (self, stmt, out_id, "find message", error);
    }
  if (f->internaldate == 0 || m->message_id == NULL || *m->message_id == '\0')
    return TRUE;
  stmt = lb_store_prepare (self,
                           "SELECT id FROM messages WHERE account_id = ?1 AND message_id = ?2 "
                           "AND gm_msgid IS NULL AND internaldate = ?3 AND size = ?4 "
                           "AND date = ?5 AND has_attachments = ?6 AND from_name IS ?7 "
                           "AND from_address IS ?8 AND to_text IS ?9 AND cc_text IS ?10 "
                           "AND subject IS ?11 AND in_reply_to IS ?12 AND refs IS ?13",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  lb_stmt_bind_text (stmt, 2, m->message_id);
  sqlite3_bind_int64 (stmt, 3, f->internaldate);
  sqlite3_bind_int64 (stmt, 4, m->size);
  sqlite3_bind_int64 (stmt, 5, m->date);
  sqlite3_bind_int (stmt, 6, m->has_attachments ? 1 : 0);
  lb_stmt_bind_text (stmt, 7, m->from_name);
  lb_stmt_bind_text (stmt, 8, m->from_address);
  lb_stmt_bind_text (stmt, 9, m->to);
  lb_stmt_bind_text (stmt, 10, m->cc);
  lb_stmt_bind_text (stmt, 11, m->subject);
  lb_stmt_bind_text (stmt, 12, m->in_reply_to);
  lb_stmt_bind_text (stmt, 13, m->references);
  return step_int64 (self, stmt, out_id, "find message", error);
}

static char *
join_nonempty (const char *a,
               const char *b)
{
  if (a == NULL || *a == '\0')
    return g_strdup (b);
  if (b == NULL || *b == '\0')
    return g_strdup (a);
  return g_strconcat (a, " ", b, NULL);
}

static gboolean
insert_message (LbStore         *self,
                gint64           account_id,
                LbStoreMessage  *m,
                gint64           internaldate,
                GError         **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *recipients = NULL;
  g_auto(LbThreadPlan) plan = { 0 };

  /* The conversation is found first, so that the row is written with it. */
  if (!lb_store_thread_plan (self, account_id, m, &plan, error))
    return FALSE;
  stmt = lb_store_prepare (self,
                           "INSERT INTO messages (account_id, message_id, gm_msgid, date, "
                           "from_name, from_address, to_text, cc_text, subject, in_reply_to, "
                           "refs, size, has_attachments, preview, thread_key, internaldate, "
                           "thread_id) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                           "?16, ?17)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 17, plan.thread_id);
  sqlite3_bind_int64 (stmt, 1, account_id);
  lb_stmt_bind_text (stmt, 2, m->message_id);
  if (m->gm_msgid != 0)
    sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) m->gm_msgid);
  sqlite3_bind_int64 (stmt, 4, m->date);
  lb_stmt_bind_text (stmt, 5, m->from_name);
  lb_stmt_bind_text (stmt, 6, m->from_address);
  lb_stmt_bind_text (stmt, 7, m->to);
  lb_stmt_bind_text (stmt, 8, m->cc);
  lb_stmt_bind_text (stmt, 9, m->subject);
  lb_stmt_bind_text (stmt, 10, m->in_reply_to);
  lb_stmt_bind_text (stmt, 11, m->references);
  sqlite3_bind_int64 (stmt, 12, m->size);
  sqlite3_bind_int (stmt, 13, m->has_attachments ? 1 : 0);
  lb_stmt_bind_text (stmt, 14, m->preview);
  lb_stmt_bind_text (stmt, 15, m->thread_key);
  if (internaldate != 0)
    sqlite3_bind_int64 (stmt, 16, internaldate);
  if (!step_done (self, stmt, "insert message", error))
    return FALSE;
  m->id = sqlite3_last_insert_rowid (lb_store_get_db (self));
  m->account_id = account_id;
  if (!lb_store_thread_apply (self, &plan, m, error))
    return FALSE;

  /* Headers are searchable as soon as the envelope is in; the body text is
   * added by lb_store_set_body_text() once it has been fetched. */
  sender = join_nonempty (m->from_name, m->from_address);
  recipients = join_nonempty (m->to, m->cc);
  return lb_store_run (self, "insert message text", NULL, error,
                       "INSERT INTO message_text (message_id, subject, sender, recipients) "
                       "VALUES (?1, ?2, ?3, ?4)",
                       "lttt", m->id, m->subject, sender, recipients);
}

static gboolean
insert_one (LbStore         *self,
            gint64           folder_id,
            gint64           account_id,
            gboolean         is_inbox,
            LbStoreFetched  *f,
            GError         **error)
{
  g_autoptr(LbStmt) existing = NULL;
  gint64 message_id;

  /* A UID names one message for the life of a UIDVALIDITY, so a location we
   * already have only needs its flags refreshed.  Looked up first, and updated only
   * when there: an UPDATE … RETURNING for every new message (all of them in a first
   * sync) cost a temporary table each, about a seventh of the insert time. */
  existing = lb_store_prepare (self,
                               "SELECT message_id FROM locations WHERE folder_id = ?1 AND uid = ?2",
                               error);
  if (existing == NULL)
    return FALSE;
  sqlite3_bind_int64 (existing, 1, folder_id);
  sqlite3_bind_int64 (existing, 2, f->uid);
  if (!step_int64 (self, existing, &message_id, "find location", error))
    return FALSE;
  if (message_id != 0)
    {
      f->message.id = message_id;
      f->message.account_id = account_id;
      return lb_store_run (self, "update location", NULL, error,
                           "UPDATE locations SET flags = ?3, keywords = ?4, modseq = ?5 "
                           "WHERE folder_id = ?1 AND uid = ?2",
                           "luutl", folder_id, (guint) f->uid, f->flags, f->keywords,
                           (gint64) f->modseq);
    }

  if (!find_existing_message (self, account_id, f, &message_id, error))
    return FALSE;
  if (message_id != 0)
    {
      f->message.id = message_id;
      f->message.account_id = account_id;
    }
  else if (!insert_message (self, account_id, &f->message, f->internaldate, error))
    {
      return FALSE;
    }

  return lb_store_run (self, "insert location", NULL, error,
                       "INSERT INTO locations (folder_id, uid, message_id, flags, keywords, "
                       "modseq, date, unified, thread_id) SELECT ?1, ?2, ?3, ?4, ?5, ?6, "
                       "date, ?7, thread_id FROM messages WHERE id = ?3",
                       "lulutli", folder_id, (guint) f->uid, f->message.id, f->flags, f->keywords,
                       (gint64) f->modseq, is_inbox ? 1 : 0);
}

/**
 * lb_store_insert_messages:
 * @self: a read-write store
 * @folder_id: the folder the messages were fetched from
 * @fetched: (element-type LbStoreFetched): the messages
 * @error: return location for an error
 *
 * Stores a batch of fetched messages and their locations in one
 * transaction.  Keep batches to a few hundred so other writers are not held
 * up.  A message the account already holds (same X-GM-MSGID; or, off Gmail,
 * the same Message-ID, arrival time, size and envelope) is reused and only
 * gains a location.  A UID
 * already stored in the folder only has its flags, keywords and modseq
 * updated.  On return each element's `message.id` is the stored message's id.
 *
 * Returns: %TRUE on success; on failure nothing of the batch is stored
 */
gboolean
lb_store_insert_messages (LbStore    *self,
                          gint64      folder_id,
                          GPtrArray  *fetched,
                          GError    **error)
{
  gint64 account_id;
  gboolean is_inbox;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);
  g_return_val_if_fail (fetched != NULL, FALSE);

  if (!lb_store_check_writable (self, error))
    return FALSE;
  if (!lb_store_begin (self, error))
    return FALSE;
  if (!lb_store_lookup_folder (self, folder_id, &account_id, &is_inbox, error))
    goto fail;

  for (guint i = 0; i < fetched->len; i++)
    if (!insert_one (self, folder_id, account_id, is_inbox, g_ptr_array_index (fetched, i), error))
      goto fail;

  return lb_store_commit (self, error);

fail:
  lb_store_rollback (self);
  return FALSE;
}

/* ---- Flags ------------------------------------------------------------ */

/**
 * lb_store_get_folder_flags:
 *
 * Returns every location of the folder, by ascending UID, for comparing
 * with the server's flags.
 *
 * Returns: (transfer full) (element-type LbStoreUidFlags): the flags, or %NULL
 */
GArray *
lb_store_get_folder_flags (LbStore  *self,
                           gint64    folder_id,
                           GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GArray) list = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self,
                           "SELECT uid, flags, modseq FROM locations WHERE folder_id = ?1 "
                           "ORDER BY uid",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  list = g_array_new (FALSE, FALSE, sizeof (LbStoreUidFlags));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LbStoreUidFlags row;

      row.uid = (guint32) sqlite3_column_int64 (stmt, 0);
      row.flags = (guint) sqlite3_column_int64 (stmt, 1);
      row.modseq = (guint64) sqlite3_column_int64 (stmt, 2);
      g_array_append_val (list, row);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "get folder flags");
      return NULL;
    }
  return g_steal_pointer (&list);
}

/**
 * lb_store_update_flags:
 * @self: a read-write store
 * @folder_id: the folder
 * @updates: (array length=n_updates): new flags by UID
 * @n_updates: the number of updates
 * @error: return location for an error
 *
 * Sets the flags (and the modseq, unless the update's is 0) of the given
 * UIDs in one transaction.  UIDs the store does not have are ignored: the
 * sync fetches those as new messages.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_update_flags (LbStore                *self,
                       gint64                  folder_id,
                       const LbStoreUidFlags  *updates,
                       guint                   n_updates,
                       GError                **error)
{
  g_return_val_if_fail (LB_IS_STORE (self), FALSE);
  g_return_val_if_fail (updates != NULL || n_updates == 0, FALSE);

  if (!lb_store_check_writable (self, error))
    return FALSE;
  if (!lb_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n_updates; i++)
    if (!lb_store_run (self, "update flags", NULL, error,
                       "UPDATE locations SET flags = ?3, "
                       "modseq = CASE WHEN ?4 > 0 THEN ?4 ELSE modseq END "
                       "WHERE folder_id = ?1 AND uid = ?2",
                       "luul", folder_id, (guint) updates[i].uid, updates[i].flags,
                       (gint64) updates[i].modseq))
      goto fail;

  return lb_store_commit (self, error);

fail:
  lb_store_rollback (self);
  return FALSE;
}

/**
 * lb_store_change_message_flags:
 * @self: a read-write store
 * @message_id: the message
 * @set: #LbFlags to add
 * @unset: #LbFlags to remove
 * @error: return location for an error
 *
 * Applies a local change (mark read, star...) to every location of the
 * message at once, so every folder showing it agrees before the server is
 * told.
 *
 * Returns: %TRUE on success; %LB_ERROR_NOT_FOUND if the message has no location
 */
gboolean
lb_store_change_message_flags (LbStore  *self,
                               gint64    message_id,
                               guint     set,
                               guint     unset,
                               GError  **error)
{
  guint changes;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  if (!lb_store_check_writable (self, error) ||
      !lb_store_run (self, "change flags", &changes, error,
                     "UPDATE locations SET flags = (flags | ?2) & ~?3 WHERE message_id = ?1",
                     "luu", message_id, set, unset))
    return FALSE;
  return changes > 0 || lb_store_not_found (error, "message", message_id);
}

/* ---- Expunge ---------------------------------------------------------- */

/**
 * lb_store_remove_uids:
 * @self: a read-write store
 * @folder_id: the folder
 * @uids: (array length=n_uids): expunged or vanished UIDs
 * @n_uids: the number of UIDs
 * @error: return location for an error
 *
 * Removes the locations in one transaction, and then the messages that no
 * folder holds any more (with their bodies and search text).  Unknown UIDs
 * are ignored.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_remove_uids (LbStore        *self,
                      gint64          folder_id,
                      const guint32  *uids,
                      guint           n_uids,
                      GError        **error)
{
  g_return_val_if_fail (LB_IS_STORE (self), FALSE);
  g_return_val_if_fail (uids != NULL || n_uids == 0, FALSE);

  if (!lb_store_check_writable (self, error))
    return FALSE;
  if (!lb_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n_uids; i++)
    {
      g_autoptr(LbStmt) del = NULL;
      gint64 message_id;

      del = lb_store_prepare (self,
                              "DELETE FROM locations WHERE folder_id = ?1 AND uid = ?2 "
                              "RETURNING message_id",
                              error);
      if (del == NULL)
        goto fail;
      sqlite3_bind_int64 (del, 1, folder_id);
      sqlite3_bind_int64 (del, 2, uids[i]);
      if (!step_int64 (self, del, &message_id, "remove location", error))
        goto fail;
      if (message_id == 0)
        continue;

      if (!lb_store_run (self, "collect message", NULL, error,
                         "DELETE FROM messages WHERE id = ?1 AND NOT EXISTS "
                         "(SELECT 1 FROM locations WHERE message_id = ?1)",
                         "l", message_id))
        goto fail;
    }

  return lb_store_commit (self, error);

fail:
  lb_store_rollback (self);
  return FALSE;
}

/**
 * lb_store_get_max_uid:
 * @out_uid: (out): the highest UID stored for the folder, 0 when empty
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_get_max_uid (LbStore  *self,
                      gint64    folder_id,
                      guint32  *out_uid,
                      GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  gint64 uid;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_uid != NULL, FALSE);

  stmt = lb_store_prepare (self, "SELECT max(uid) FROM locations WHERE folder_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  if (!step_int64 (self, stmt, &uid, "max uid", error))
    return FALSE;
  *out_uid = (guint32) uid;
  return TRUE;
}

/* ---- Preview, text and bodies ----------------------------------------- */

/**
 * lb_store_update_preview:
 *
 * Records what was learnt from the body: the preview text and whether
 * there are attachments.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_update_preview (LbStore     *self,
                         gint64       message_id,
                         const char  *preview,
                         gboolean     has_attachments,
                         GError     **error)
{
  guint changes;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  if (!lb_store_check_writable (self, error) ||
      !lb_store_run (self, "update preview", &changes, error,
                     "UPDATE messages SET preview = ?2, has_attachments = ?3 WHERE id = ?1",
                     "lti", message_id, preview, has_attachments ? 1 : 0))
    return FALSE;
  return changes > 0 || lb_store_not_found (error, "message", message_id);
}

/**
 * lb_store_set_body_text:
 *
 * Stores the decoded plain text of the message's body for search.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_set_body_text (LbStore     *self,
                        gint64       message_id,
                        const char  *body_text,
                        GError     **error)
{
  guint changes;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  if (!lb_store_check_writable (self, error) ||
      !lb_store_run (self, "set body text", &changes, error,
                     "UPDATE message_text SET body = ?2 WHERE message_id = ?1",
                     "lt", message_id, body_text))
    return FALSE;
  return changes > 0 || lb_store_not_found (error, "message", message_id);
}

/**
 * lb_store_get_body_text:
 *
 * Returns: (transfer full) (nullable): the decoded text of the message's body as stored
 *   for search, or %NULL if it is not downloaded (or on error)
 */
char *
lb_store_get_body_text (LbStore  *self,
                        gint64    message_id,
                        GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self, "SELECT body FROM message_text WHERE message_id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, message_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return lb_stmt_dup_text (stmt, 0);
  if (rc != SQLITE_DONE)
    lb_store_set_error (self, rc, error, "read body text");
  return NULL;
}

/* The raw bytes themselves are in lb-store-bodies.c. */
