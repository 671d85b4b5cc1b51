/* lb-imap-sync-bodies.c: message bodies: fetched on demand and prefetched for offline reading
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

static gboolean
store_body (LbImapSync  *self,
            gint64       message_id,
            GBytes      *raw,
            GError     **error)
{
  g_autoptr(LbMimeMessage) mime = lb_mime_message_new_from_bytes (raw, NULL);

  if (!lb_store_put_body (self->store, message_id, raw, error))
    return FALSE;
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

/**
 * lb_imap_sync_prefetch_bodies:
 *
 * Downloads the bodies of the newest @max_messages of a folder that are not cached,
 * for offline reading, previews and search.
 *
 * Returns: how many were fetched; on error, 0 with @error set
 */
guint
lb_imap_sync_prefetch_bodies (LbImapSync    *self,
                              gint64         folder_id,
                              guint          max_messages,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GArray) missing = lb_store_list_missing_bodies (self->store, folder_id,
                                                            max_messages, error);
  guint done = 0;

  if (missing == NULL)
    return 0;
  if (missing->len == 0)
    return 0;
  if (!_lb_imap_sync_ensure_selected (self, folder_id, NULL, cancellable, error))
    return 0;

  for (guint i = 0; i < missing->len; i += 25)
    {
      guint n = MIN (25, missing->len - i);
      g_autofree guint32 *uids = g_new (guint32, n);
      g_autofree char *set = NULL;
      g_autoptr(GHashTable) bodies = NULL;

      for (guint k = 0; k < n; k++)
        uids[k] = g_array_index (missing, LbStoreLocation, i + k).uid;
      set = lb_imap_seqset_format (uids, n);
      bodies = fetch_raw (self, set, cancellable, error);
      if (bodies == NULL)
        return 0;
      for (guint k = 0; k < n; k++)
        {
          const LbStoreLocation *loc = &g_array_index (missing, LbStoreLocation, i + k);
          GBytes *raw = g_hash_table_lookup (bodies, GUINT_TO_POINTER (loc->uid));

          /* location_id carries the message id in this query. */
          if (raw != NULL && !store_body (self, loc->location_id, raw, error))
            return 0;
          done += raw != NULL;
        }
      _lb_imap_sync_emit_messages_changed (self, folder_id);
    }
  return done;
}

