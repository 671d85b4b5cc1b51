/* lb-store-bodies.c: raw message bodies, compressed, and what an account keeps offline
 *
 * Bodies are stored as a zstd frame when that saves at least an eighth of the bytes
 * (bodies.encoding = 1), else as they came (0; every row written before migration 013 is
 * one of those, and stays readable without a rebuild).  zstd rather than zlib: on the
 * benchmark mail and tests/data/corpus both shrink bodies to about 64 % (zstd level 3:
 * 0.643 and 0.605, zlib level 6: 0.627 and 0.582), but zstd compresses two to three times
 * faster (52 MB/s against 18-26 MB/s on this machine with a reused context) and
 * decompresses faster too, and compression runs on the download path, whose target is
 * twice the time of a raw fetch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Letterbox-Store"

#include "config.h"

#include <zstd.h>

#include "lb-error.h"
#include "lb-store-private.h"

#define ZSTD_LEVEL 3
/* Below this, a frame's header costs more than it saves. */
#define COMPRESS_MIN_BYTES 256

enum {
  ENCODING_RAW = 0,
  ENCODING_ZSTD = 1,
};

/* One compression context per thread: the workers each have their own store connection
 * and write bodies concurrently, and a context is costly to make for every body. */
static void
free_cctx (gpointer cctx)
{
  ZSTD_freeCCtx (cctx);
}

static void
free_dctx (gpointer dctx)
{
  ZSTD_freeDCtx (dctx);
}

static GPrivate cctx_key = G_PRIVATE_INIT (free_cctx);
static GPrivate dctx_key = G_PRIVATE_INIT (free_dctx);

/* Returns a zstd frame of @data when it is at least an eighth smaller, else %NULL. */
static GBytes *
compress_body (const guint8 *data,
               gsize         len)
{
  ZSTD_CCtx *cctx = g_private_get (&cctx_key);
  gsize bound;
  gsize out_len;
  guint8 *out;

  if (len < COMPRESS_MIN_BYTES)
    return NULL;
  if (cctx == NULL)
    {
      cctx = ZSTD_createCCtx ();
      g_private_set (&cctx_key, cctx);
    }
  bound = ZSTD_compressBound (len);
  out = g_malloc (bound);
  out_len = ZSTD_compressCCtx (cctx, out, bound, data, len, ZSTD_LEVEL);
  if (ZSTD_isError (out_len) || out_len > len - len / 8)
    {
      g_free (out);
      return NULL;
    }
  return g_bytes_new_take (g_realloc (out, out_len), out_len);
}

static GBytes *
decompress_body (const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  ZSTD_DCtx *dctx = g_private_get (&dctx_key);
  unsigned long long size = ZSTD_getFrameContentSize (data, len);
  guint8 *out;
  gsize got;

  /* Frames are written with their size; anything else is damage. */
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size > G_MAXSIZE / 2)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_STORE, "A stored message body is damaged");
      return NULL;
    }
  if (dctx == NULL)
    {
      dctx = ZSTD_createDCtx ();
      g_private_set (&dctx_key, dctx);
    }
  out = g_malloc (MAX (size, 1));
  got = ZSTD_decompressDCtx (dctx, out, size, data, len);
  if (ZSTD_isError (got) || got != size)
    {
      g_free (out);
      g_set_error (error, LB_ERROR, LB_ERROR_STORE, "A stored message body is damaged");
      return NULL;
    }
  return g_bytes_new_take (out, size);
}

static gboolean
put_body (LbStore  *self,
          gint64    message_id,
          GBytes   *raw,
          gboolean  text_done,
          GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GBytes) packed = NULL;
  gconstpointer data;
  gsize len;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);
  g_return_val_if_fail (raw != NULL, FALSE);

  if (!lb_store_check_writable (self, error))
    return FALSE;
  stmt = lb_store_prepare (self,
                           "INSERT OR REPLACE INTO bodies (message_id, raw, fetched, encoding, "
                           "text_done) VALUES (?1, ?2, ?3, ?4, ?5)",
                           error);
  if (stmt == NULL)
    return FALSE;
  data = g_bytes_get_data (raw, &len);
  packed = data != NULL ? compress_body (data, len) : NULL;
  if (packed != NULL)
    data = g_bytes_get_data (packed, &len);
  sqlite3_bind_int64 (stmt, 1, message_id);
  /* STATIC: the bytes outlive the statement step, and bodies can be large. */
  sqlite3_bind_blob64 (stmt, 2, data != NULL ? data : "", len, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int (stmt, 4, packed != NULL ? ENCODING_ZSTD : ENCODING_RAW);
  sqlite3_bind_int (stmt, 5, text_done ? 1 : 0);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    return lb_store_not_found (error, "message", message_id);
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "put body");
      return FALSE;
    }
  return TRUE;
}

/**
 * lb_store_put_body:
 * @raw: the RFC 822 bytes as fetched
 *
 * Caches the message's raw bytes, compressed where that pays, replacing any earlier copy.
 * The caller has stored what derives from them (lb_store_update_preview(),
 * lb_store_set_body_text()).
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_put_body (LbStore  *self,
                   gint64    message_id,
                   GBytes   *raw,
                   GError  **error)
{
  return put_body (self, message_id, raw, TRUE, error);
}

/**
 * lb_store_put_downloaded_body:
 *
 * As lb_store_put_body(), for the background download: the text, preview and attachment
 * flag are derived later (lb_store_list_text_pending(), lb_store_set_text_done()), so
 * that storing keeps up with the wire.
 */
gboolean
lb_store_put_downloaded_body (LbStore  *self,
                              gint64    message_id,
                              GBytes   *raw,
                              GError  **error)
{
  return put_body (self, message_id, raw, FALSE, error);
}

/**
 * lb_store_list_text_pending:
 * @after: list message ids greater than this (a cursor; 0 from the start)
 *
 * Returns: (transfer full) (element-type gint64): at most @limit messages whose body is
 *   downloaded but whose text is not derived yet, in id order
 */
GArray *
lb_store_list_text_pending (LbStore  *self,
                            gint64    account_id,
                            gint64    after,
                            guint     limit,
                            GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  stmt = lb_store_prepare (self,
                           "SELECT b.message_id FROM bodies b JOIN messages m ON m.id = b.message_id "
                           "WHERE b.text_done = 0 AND b.message_id > ?2 AND m.account_id = ?1 "
                           "ORDER BY b.message_id LIMIT ?3", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, after);
  sqlite3_bind_int64 (stmt, 3, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (out, id);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list text pending");
      return NULL;
    }
  return g_steal_pointer (&out);
}

/**
 * lb_store_set_text_done:
 *
 * Records that the text, preview and attachment flag of the message's body are stored.
 */
gboolean
lb_store_set_text_done (LbStore  *self,
                        gint64    message_id,
                        GError  **error)
{
  return lb_store_check_writable (self, error) &&
         lb_store_run (self, "set text done", NULL, error,
                       "UPDATE bodies SET text_done = 1 WHERE message_id = ?1", "l", message_id);
}

/**
 * lb_store_get_text_done:
 * @out_done: (out): %FALSE while the text of the message's downloaded body is still to
 *   derive (lb_store_put_downloaded_body())
 */
gboolean
lb_store_get_text_done (LbStore   *self,
                        gint64     message_id,
                        gboolean  *out_done,
                        GError   **error)
{
  g_autoptr(LbStmt) stmt = lb_store_prepare (self, "SELECT text_done FROM bodies WHERE message_id = ?1",
                                             error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "read text done");
      return FALSE;
    }
  *out_done = rc == SQLITE_DONE || sqlite3_column_int (stmt, 0) != 0;
  return TRUE;
}

/**
 * lb_store_get_body:
 *
 * Returns: (transfer full): the cached raw bytes, or %NULL with
 *   %LB_ERROR_NOT_FOUND when the body has not been fetched
 */
GBytes *
lb_store_get_body (LbStore  *self,
                   gint64    message_id,
                   GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self, "SELECT raw, encoding FROM bodies WHERE message_id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, message_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const guint8 *data = sqlite3_column_blob (stmt, 0);
      gsize len = (gsize) sqlite3_column_bytes (stmt, 0);

      if (sqlite3_column_int (stmt, 1) == ENCODING_ZSTD)
        return decompress_body (data, len, error);
      return g_bytes_new (data, len);
    }
  if (rc == SQLITE_DONE)
    lb_store_not_found (error, "body", message_id);
  else
    lb_store_set_error (self, rc, error, "get body");
  return NULL;
}

/* ---- What an account keeps offline ---------------------------------------- */

/**
 * lb_store_offline_since:
 * @offline_days: an account's setting (LbStoreAccount:offline_days)
 * @now: unix time
 *
 * Returns: the date from which bodies are kept: 0 for every message, G_MAXINT64 for none
 */
gint64
lb_store_offline_since (int    offline_days,
                        gint64 now)
{
  if (offline_days == 0)
    return 0;
  if (offline_days < 0)
    return G_MAXINT64;
  return now - (gint64) offline_days * 86400;
}

/**
 * lb_store_list_bodies_to_download:
 * @since: the oldest date whose body is kept (lb_store_offline_since())
 * @after: (nullable): the last item of the previous batch in this folder, a cursor: only
 *   what comes after it, newest first, is listed; %NULL to start from the newest
 * @max_size: skip messages larger than this many bytes (0: no limit)
 *
 * The background download's next batch in a folder: newest first, messages that have no
 * body yet.  The download's state is the store itself, so a download cut anywhere resumes
 * where it stopped; @after only spares a run from walking again past what it did.
 *
 * Returns: (transfer full) (element-type LbStoreBodyToFetch): at most @limit items
 */
GArray *
lb_store_list_bodies_to_download (LbStore                  *self,
                                  gint64                    folder_id,
                                  gint64                    since,
                                  const LbStoreBodyToFetch *after,
                                  guint64                   max_size,
                                  guint                     limit,
                                  GError                  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (LbStoreBodyToFetch));
  int rc;

  /* locations_folder_date (folder_id, date, then the rowid) walks the folder newest
   * first from the cursor. */
  stmt = lb_store_prepare (self,
                           "SELECT l.message_id, l.id, l.date, l.uid FROM locations l "
                           "WHERE l.folder_id = ?1 AND l.date >= ?2 AND l.date <= ?3 "
                           "AND (l.date < ?3 OR l.id < ?4) "
                           "AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.message_id = l.message_id) "
                           "AND (?5 = 0 OR (SELECT size FROM messages m WHERE m.id = l.message_id) <= ?5) "
                           "ORDER BY l.date DESC, l.id DESC LIMIT ?6", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, since);
  sqlite3_bind_int64 (stmt, 3, after != NULL ? after->date : G_MAXINT64);
  sqlite3_bind_int64 (stmt, 4, after != NULL ? after->location_id : G_MAXINT64);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) max_size);
  sqlite3_bind_int64 (stmt, 6, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LbStoreBodyToFetch item = {
        sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
        sqlite3_column_int64 (stmt, 2), (guint32) sqlite3_column_int64 (stmt, 3),
      };
      g_array_append_val (out, item);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list bodies to download");
      return NULL;
    }
  return g_steal_pointer (&out);
}

/**
 * lb_store_count_bodies_to_download:
 *
 * How many messages of the account still lack the body its setting keeps (same rules as
 * lb_store_list_bodies_to_download(), over every folder).
 */
gboolean
lb_store_count_bodies_to_download (LbStore  *self,
                                   gint64    account_id,
                                   gint64    since,
                                   guint64   max_size,
                                   guint    *out_count,
                                   GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  stmt = lb_store_prepare (self,
                           "SELECT count(*) FROM messages m WHERE m.account_id = ?1 "
                           "AND m.date >= ?2 AND (?3 = 0 OR m.size <= ?3) "
                           "AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.message_id = m.id) "
                           "AND EXISTS (SELECT 1 FROM locations l WHERE l.message_id = m.id)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, since);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) max_size);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      lb_store_set_error (self, rc, error, "count bodies to download");
      return FALSE;
    }
  *out_count = (guint) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/**
 * lb_store_remove_bodies:
 * @before: remove the bodies of messages dated before this; G_MAXINT64 for all
 * @out_removed: (out) (optional): how many bodies went
 *
 * Drops downloaded bodies and their search text; headers stay, and opening such a
 * message fetches it again.  One transaction.
 */
gboolean
lb_store_remove_bodies (LbStore  *self,
                        gint64    account_id,
                        gint64    before,
                        guint    *out_removed,
                        GError  **error)
{
  guint removed = 0;

  if (!lb_store_check_writable (self, error) || !lb_store_begin (self, error))
    return FALSE;
  /* The text first: its update feeds the search index the removal (see 003). */
  if (!lb_store_run (self, "remove body text", NULL, error,
                     "UPDATE message_text SET body = NULL WHERE body IS NOT NULL AND message_id IN "
                     "(SELECT b.message_id FROM bodies b JOIN messages m ON m.id = b.message_id "
                     "WHERE m.account_id = ?1 AND m.date < ?2)",
                     "ll", account_id, before) ||
      !lb_store_run (self, "remove bodies", &removed, error,
                     "DELETE FROM bodies WHERE message_id IN "
                     "(SELECT id FROM messages WHERE account_id = ?1 AND date < ?2)",
                     "ll", account_id, before))
    {
      lb_store_rollback (self);
      return FALSE;
    }
  if (!lb_store_commit (self, error))
    return FALSE;
  if (out_removed != NULL)
    *out_removed = removed;
  return TRUE;
}

/**
 * lb_store_get_disk_use:
 *
 * What the account's downloaded mail takes in the store: the bodies as stored
 * (compressed), their size on the server, and the search text derived from them.  The
 * search index itself is shared by every account and not counted here.
 */
gboolean
lb_store_get_disk_use (LbStore         *self,
                       gint64           account_id,
                       LbStoreDiskUse  *out,
                       GError         **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  /* length() of a BLOB is read from the record header: no body is loaded. */
  stmt = lb_store_prepare (self,
                           "SELECT count(*), total(length(b.raw)), total(m.size), "
                           "total((SELECT length(CAST(t.body AS BLOB)) FROM message_text t "
                           "       WHERE t.message_id = m.id)), "
                           "(SELECT count(*) FROM messages WHERE account_id = ?1) "
                           "FROM bodies b JOIN messages m ON m.id = b.message_id "
                           "WHERE m.account_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      lb_store_set_error (self, rc, error, "measure disk use");
      return FALSE;
    }
  out->n_bodies = (guint) sqlite3_column_int64 (stmt, 0);
  out->body_bytes = (guint64) sqlite3_column_double (stmt, 1);
  out->raw_bytes = (guint64) sqlite3_column_double (stmt, 2);
  out->text_bytes = (guint64) sqlite3_column_double (stmt, 3);
  out->n_messages = (guint) sqlite3_column_int64 (stmt, 4);
  return TRUE;
}

/**
 * lb_store_reclaim_space:
 *
 * Gives the pages freed by removed bodies back to the file system: a full VACUUM, which
 * rewrites the file and takes time in proportion to what stays (headers and the search
 * index of every account), on the account's worker.  Incremental auto-vacuum would make
 * this quick, but its pointer-map pages spread through the file make a store with a
 * damaged region unreadable as a whole, and then `letterbox-cli rebuild` cannot even save
 * the accounts (tests/hardening/test-store-damage.c); removing downloaded mail is rare.
 * Outside any transaction.
 */
gboolean
lb_store_reclaim_space (LbStore  *self,
                        GError  **error)
{
  if (!lb_store_check_writable (self, error) || !lb_store_exec (self, "VACUUM", error))
    return FALSE;
  /* The WAL held the rewritten pages: truncate it too. */
  return lb_store_exec (self, "PRAGMA wal_checkpoint(TRUNCATE)", error);
}
