/* lb-imap-sync-bodies.c: message bodies: fetched on demand, and the background download
 *
 * The download ("Keep mail on this computer") asks for whole batches of bodies in one
 * UID FETCH, newest first over the account's folders, and stores each as its response
 * arrives (bytes only, compressed by the store) in short transactions; its state is the
 * store itself, so a cut resumes where it stopped.  The text, preview and attachment flag
 * of those bodies are derived behind it (lb_imap_sync_derive_texts()), or at once for a
 * message opened before that (lb_imap_sync_ensure_text()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <gmime/gmime.h>

#include "lb-error.h"
#include "lb-folder-role.h"
#include "lb-imap-parser.h"
#include "lb-imap-sync-private.h"
#include "lb-mime.h"
#include "lb-mime-message.h"
#include "lb-store-locations.h"
#include "lb-mutf7.h"
#include "lb-provider.h"

/* Caches a body and what the list and search derive from it. */

/* What the list and search derive from a body: its preview, attachment flag and text. */
static gboolean
derive_text (LbImapSync  *self,
             gint64       message_id,
             GBytes      *raw,
             GError     **error)
{
  g_autoptr(LbMimeMessage) mime = lb_mime_message_new_from_bytes (raw, NULL);

  if (mime != NULL)
    {
      g_autofree char *preview = lb_mime_message_dup_preview (mime, 200);

      if (!lb_store_update_preview (self->store, message_id, preview,
                                    lb_mime_message_has_attachments (mime), error) ||
          !lb_store_set_body_text (self->store, message_id, lb_mime_message_get_text (mime), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
store_body (LbImapSync  *self,
            gint64       message_id,
            GBytes      *raw,
            GError     **error)
{
  return lb_store_put_body (self->store, message_id, raw, error) &&
         derive_text (self, message_id, raw, error);
}

typedef struct {
  GHashTable *bodies;   /* uid -> GBytes */
} BodyData;

static gboolean
collect_bodies (LbImapResponse  *r,
                gpointer         user_data,
                GError         **error)
{
  BodyData *d = user_data;
  const LbImapBodySection *sec;

  if (r->kind != LB_IMAP_RESPONSE_FETCH || !(r->u.fetch.items & LB_IMAP_FETCH_UID))
    return TRUE;
  sec = lb_imap_fetch_get_section (&r->u.fetch, "");
  if (sec != NULL && sec->data != NULL)
    g_hash_table_insert (d->bodies, GUINT_TO_POINTER (r->u.fetch.uid), g_bytes_ref (sec->data));
  return TRUE;
}

static GHashTable *
fetch_raw (LbImapSync    *self,
           const char    *uid_set,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GHashTable) bodies = g_hash_table_new_full (NULL, NULL, NULL,
                                                        (GDestroyNotify) g_bytes_unref);
  g_autoptr(LbImapResponse) ok = NULL;
  BodyData d = { bodies };

  /* BODY.PEEK: reading a message here never marks it read on the server. */
  ok = lb_imap_session_command_sync (self->session, collect_bodies, &d, cancellable, error,
                                     "UID FETCH %s (UID BODY.PEEK[])", uid_set);
  if (ok == NULL)
    return NULL;
  return g_steal_pointer (&bodies);
}

/**
 * lb_imap_sync_fetch_body:
 *
 * Returns: (transfer full): the raw message, now cached in the store
 */
GBytes *
lb_imap_sync_fetch_body (LbImapSync    *self,
                         gint64         message_id,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GHashTable) bodies = NULL;
  g_autofree char *set = NULL;
  gint64 folder_id = 0;
  guint32 uid = 0;
  GBytes *raw;

  if (!lb_store_get_location (self->store, message_id, 0, &folder_id, &uid, error))
    return NULL;
  if (!_lb_imap_sync_ensure_selected (self, folder_id, NULL, cancellable, error))
    return NULL;
  set = g_strdup_printf ("%u", uid);
  bodies = fetch_raw (self, set, cancellable, error);
  if (bodies == NULL)
    return NULL;
  raw = g_hash_table_lookup (bodies, GUINT_TO_POINTER (uid));
  if (raw == NULL)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_NOT_FOUND,
                   _("The message is no longer on the server"));
      return NULL;
    }
  if (!store_body (self, message_id, raw, error))
    return NULL;
  _lb_imap_sync_emit_messages_changed (self, folder_id);
  return g_bytes_ref (raw);
}

/* ---- The background download ------------------------------------------------ */

/* A download commits every TX_MESSAGES bodies or TX_BYTES raw bytes, whichever comes first:
 * short transactions keep the main thread's reads and the other writers waiting little,
 * and a cut loses at most that much. */
#define TX_MESSAGES 100
#define TX_BYTES (4 * 1024 * 1024)

typedef struct {
  LbImapSync *self;
  GHashTable *ids;      /* uid -> message id, of what this command asked for */
  guint       stored;
  guint       in_tx;
  gsize       tx_bytes;
  gboolean    open;     /* a transaction is open */
} StreamData;

/* Stores each body as its FETCH response arrives, so that memory holds one message at a
 * time however large the batch. */
static gboolean
store_streamed (LbImapResponse  *r,
                gpointer         user_data,
                GError         **error)
{
  StreamData *d = user_data;
  const LbImapBodySection *sec;
  gpointer message_id;

  if (r->kind != LB_IMAP_RESPONSE_FETCH || !(r->u.fetch.items & LB_IMAP_FETCH_UID))
    return TRUE;
  sec = lb_imap_fetch_get_section (&r->u.fetch, "");
  if (sec == NULL || sec->data == NULL ||
      !g_hash_table_steal_extended (d->ids, GUINT_TO_POINTER (r->u.fetch.uid), NULL, &message_id))
    return TRUE;
  /* Only the bytes: their text is derived behind the download (lb_imap_sync_derive_texts()),
   * so that storing keeps up with the wire. */
  if (!lb_store_put_downloaded_body (d->self->store, *(gint64 *) message_id, sec->data, error))
    {
      g_free (message_id);
      return FALSE;
    }
  g_free (message_id);
  d->stored++;
  d->in_tx++;
  d->tx_bytes += g_bytes_get_size (sec->data);
  if (d->in_tx >= TX_MESSAGES || d->tx_bytes >= TX_BYTES)
    {
      d->open = FALSE;
      if (!lb_store_transaction_commit (d->self->store, error) ||
          !lb_store_transaction_begin (d->self->store, error))
        return FALSE;
      d->open = TRUE;
      d->in_tx = 0;
      d->tx_bytes = 0;
    }
  return TRUE;
}

/* The folder whose newest message still to download is the newest of the account. */
static gint64
pick_folder (LbImapSync  *self,
             gint64       since,
             guint64      max_size,
             GError     **error)
{
  g_autoptr(GPtrArray) folders = lb_store_list_folders (self->store, self->account_id, error);
  gint64 best = 0;
  gint64 best_date = G_MININT64;

  if (folders == NULL)
    return -1;
  for (guint i = 0; i < folders->len; i++)
    {
      const LbStoreFolder *f = g_ptr_array_index (folders, i);
      g_autoptr(GArray) next = NULL;

      if (!f->selectable)
        continue;
      next = lb_store_list_bodies_to_download (self->store, f->id, since,
                                               g_hash_table_lookup (self->body_cursors, &f->id),
                                               max_size, 1, error);
      if (next == NULL)
        return -1;
      if (next->len > 0 && g_array_index (next, LbStoreBodyToFetch, 0).date > best_date)
        {
          best = f->id;
          best_date = g_array_index (next, LbStoreBodyToFetch, 0).date;
        }
    }
  return best;
}

/* One UID FETCH of the whole batch: the server streams the bodies back to back, so the
 * link stays full without a round trip per message. */
static gboolean
download_batch (LbImapSync    *self,
                gint64         folder_id,
                GArray        *batch,
                guint         *out_stored,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autofree guint32 *uids = g_new (guint32, batch->len);
  g_autofree char *set = NULL;
  g_autoptr(LbImapResponse) ok = NULL;
  g_autoptr(GError) commit_error = NULL;
  StreamData d = { self, ids, 0, 0, 0, FALSE };

  for (guint i = 0; i < batch->len; i++)
    {
      const LbStoreBodyToFetch *item = &g_array_index (batch, LbStoreBodyToFetch, i);

      uids[i] = item->uid;
      g_hash_table_insert (ids, GUINT_TO_POINTER (item->uid), g_memdup2 (&item->message_id, sizeof (gint64)));
    }
  set = lb_imap_seqset_format (uids, batch->len);
  if (!_lb_imap_sync_ensure_selected (self, folder_id, NULL, cancellable, error) ||
      !lb_store_transaction_begin (self->store, error))
    return FALSE;
  d.open = TRUE;
  /* BODY.PEEK: downloading never marks a message read on the server. */
  ok = lb_imap_session_command_sync (self->session, store_streamed, &d, cancellable, error,
                                     "UID FETCH %s (UID BODY.PEEK[])", set);
  /* What arrived whole before a cut is kept: the next run asks only for the rest. */
  if (d.open && !lb_store_transaction_commit (self->store, ok != NULL ? error : &commit_error))
    return FALSE;
  *out_stored = d.stored;
  return ok != NULL;
}

/**
 * lb_imap_sync_download_bodies:
 * @since: the oldest date whose body the account keeps (lb_store_offline_since())
 * @max_size: bodies larger than this many bytes are left on the server (0: no limit)
 * @limit: at most this many bodies in one command
 * @out_stored: (out): how many bodies were stored
 * @out_more: (out): %FALSE once nothing is left to download
 *
 * One step of the background download: the next @limit bodies, newest first over the
 * account's folders, that the store lacks.  The caller runs it again while @out_more
 * says so, letting other jobs go between steps.  lb_imap_sync_restart_downloads()
 * forgets where the steps were, so that the next one looks again from the newest.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_imap_sync_download_bodies (LbImapSync    *self,
                              gint64         since,
                              guint64        max_size,
                              guint          limit,
                              guint         *out_stored,
                              gboolean      *out_more,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GArray) batch = NULL;
  gint64 folder_id;
  gint64 *key;

  *out_stored = 0;
  *out_more = FALSE;
  folder_id = pick_folder (self, since, max_size, error);
  if (folder_id <= 0)
    return folder_id == 0;
  batch = lb_store_list_bodies_to_download (self->store, folder_id, since,
                                            g_hash_table_lookup (self->body_cursors, &folder_id),
                                            max_size, limit, error);
  if (batch == NULL)
    return FALSE;
  *out_more = TRUE;
  if (!download_batch (self, folder_id, batch, out_stored, cancellable, error))
    return FALSE;
  /* Messages the server no longer has are passed over until the next restart. */
  key = g_memdup2 (&folder_id, sizeof folder_id);
  g_hash_table_replace (self->body_cursors, key,
                        g_memdup2 (&g_array_index (batch, LbStoreBodyToFetch, batch->len - 1),
                                   sizeof (LbStoreBodyToFetch)));
  if (*out_stored > 0)
    _lb_imap_sync_emit_messages_changed (self, folder_id);
  return TRUE;
}

/**
 * lb_imap_sync_restart_downloads:
 *
 * The next lb_imap_sync_download_bodies() starts again from the newest messages (after a
 * sync brought new mail, or a reconnection).
 */
void
lb_imap_sync_restart_downloads (LbImapSync *self)
{
  g_hash_table_remove_all (self->body_cursors);
}

static void
add_folder_of (LbImapSync *self,
               gint64      message_id,
               GArray     *folders)
{
  gint64 folder_id = 0;
  guint32 uid = 0;

  if (!lb_store_get_location (self->store, message_id, 0, &folder_id, &uid, NULL))
    return;
  for (guint i = 0; i < folders->len; i++)
    if (g_array_index (folders, gint64, i) == folder_id)
      return;
  g_array_append_val (folders, folder_id);
}

/**
 * lb_imap_sync_derive_texts:
 * @limit: at most this many messages
 * @out_done: (out): how many were done
 * @out_more: (out): whether more may be waiting
 *
 * Derives the preview, attachment flag and search text of bodies the background download
 * stored as bytes only, in one transaction.  Needs no connection.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_imap_sync_derive_texts (LbImapSync  *self,
                           guint        limit,
                           guint       *out_done,
                           gboolean    *out_more,
                           GError     **error)
{
  g_autoptr(GArray) ids = lb_store_list_text_pending (self->store, self->account_id, 0, limit,
                                                      error);
  g_autoptr(GArray) folders = g_array_new (FALSE, FALSE, sizeof (gint64));

  *out_done = 0;
  *out_more = FALSE;
  if (ids == NULL)
    return FALSE;
  if (ids->len == 0)
    return TRUE;
  if (!lb_store_transaction_begin (self->store, error))
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(GBytes) raw = lb_store_get_body (self->store, id, NULL);

      /* A body that cannot be read is passed over for good: opening the message fetches
       * it again. */
      if ((raw != NULL && !derive_text (self, id, raw, error)) ||
          !lb_store_set_text_done (self->store, id, error))
        {
          lb_store_transaction_rollback (self->store);
          return FALSE;
        }
      add_folder_of (self, id, folders);
    }
  if (!lb_store_transaction_commit (self->store, error))
    return FALSE;
  *out_done = ids->len;
  *out_more = ids->len == limit;
  for (guint i = 0; i < folders->len; i++)
    _lb_imap_sync_emit_messages_changed (self, g_array_index (folders, gint64, i));
  return TRUE;
}

/**
 * lb_imap_sync_ensure_text:
 * @raw: the message's body, as the store holds it
 *
 * A message opened after the background download stored its bytes, but before their text
 * was derived: derives it now, so that the list shows its preview at once.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_imap_sync_ensure_text (LbImapSync  *self,
                          gint64       message_id,
                          GBytes      *raw,
                          GError     **error)
{
  gboolean done = TRUE;
  gint64 folder_id = 0;
  guint32 uid = 0;

  if (!lb_store_get_text_done (self->store, message_id, &done, error))
    return FALSE;
  if (done)
    return TRUE;
  if (!derive_text (self, message_id, raw, error) ||
      !lb_store_set_text_done (self->store, message_id, error))
    return FALSE;
  if (lb_store_get_location (self->store, message_id, 0, &folder_id, &uid, NULL))
    _lb_imap_sync_emit_messages_changed (self, folder_id);
  return TRUE;
}
