/* lb-imap-sync-folder.c: one folder: its UID set, flags and new mail, in step with the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <gmime/gmime.h>

#include "lb-error.h"
#include "lb-folder-role.h"
#include "lb-imap-parser.h"
#include "lb-imap-sync-private.h"
#include "lb-mime.h"
#include "lb-mime-message.h"
#include "lb-store-changes.h"
#include "lb-store-locations.h"
#include "lb-mutf7.h"
#include "lb-provider.h"

#define FIRST_BATCH 50
#define BATCH 500
#define FLAGS_CHUNK 5000
/* More UIDs than any folder Letterbox can hold: a search answer listing more is a lie. */
#define MAX_FOLDER_UIDS 10000000


typedef struct {
  GArray *vanished;   /* guint32 uids */
  GArray *flag_updates;  /* LbStoreUidFlags */
} SelectChanges;

/* Sets in responses never hold '*' (the parser refuses them), so every range is what it
 * says, up to and including UID 4294967295; the caller has checked the count. */
static void
add_ranges (GArray       *uids,
            const GArray *ranges)
{
  for (guint i = 0; ranges != NULL && i < ranges->len; i++)
    {
      const LbImapRange *r = &g_array_index (ranges, LbImapRange, i);

      for (guint64 u = r->first; u <= r->last && uids->len < MAX_FOLDER_UIDS; u++)
        {
          guint32 v = (guint32) u;
          g_array_append_val (uids, v);
        }
    }
}

/* A set of the UIDs a command asked for: what the server answers about any other UID
 * (an unsolicited FETCH, a lie) must not enter the store. */
static GHashTable *
uid_set_new (const guint32 *uids,
             guint          n)
{
  GHashTable *set = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < n; i++)
    g_hash_table_add (set, GUINT_TO_POINTER (uids[i]));
  return set;
}

/* TRUE the first time @uid's answer comes, if it was asked for: a second answer for
 * the same UID is dropped as well. */
static gboolean
uid_set_take (GHashTable *set,
              guint32     uid)
{
  return uid != 0 && g_hash_table_remove (set, GUINT_TO_POINTER (uid));
}

static gboolean
collect_select_changes (LbImapResponse  *r,
                        gpointer         user_data,
                        GError         **error)
{
  SelectChanges *c = user_data;

  if (r->kind == LB_IMAP_RESPONSE_VANISHED)
    add_ranges (c->vanished, r->u.vanished.uids);
  else if (r->kind == LB_IMAP_RESPONSE_FETCH && (r->u.fetch.items & LB_IMAP_FETCH_UID) &&
           (r->u.fetch.items & LB_IMAP_FETCH_FLAGS))
    {
      LbStoreUidFlags f = { r->u.fetch.uid, r->u.fetch.flags, r->u.fetch.modseq };
      g_array_append_val (c->flag_updates, f);
    }
  return TRUE;
}

typedef struct {
  GArray  *uids;      /* guint32, as listed */
  guint64  listed;    /* how many UIDs the answer lists (counted before expanding) */
  guint32  exists;    /* the folder's size: SELECT's EXISTS, then what the search says */
} SearchData;

static gboolean
collect_uids (LbImapResponse  *r,
              gpointer         user_data,
              GError         **error)
{
  SearchData *d = user_data;

  if (r->kind == LB_IMAP_RESPONSE_SEARCH)
    {
      d->listed += r->u.search.numbers->len;
      g_array_append_vals (d->uids, r->u.search.numbers->data, r->u.search.numbers->len);
    }
  else if (r->kind == LB_IMAP_RESPONSE_ESEARCH && r->u.esearch.all != NULL)
    {
      guint64 n = lb_imap_seqset_count (r->u.esearch.all);

      /* "ALL 1:4294967295" is four billion UIDs: never expanded past what can be true. */
      d->listed += n;
      if (d->listed <= d->exists && d->listed <= MAX_FOLDER_UIDS)
        add_ranges (d->uids, r->u.esearch.all);
    }
  else if (r->kind == LB_IMAP_RESPONSE_EXISTS)
    d->exists = r->u.number;
  else if (r->kind == LB_IMAP_RESPONSE_EXPUNGE && d->exists > 0)
    d->exists--;
  return TRUE;
}

static int
cmp_uid (gconstpointer a,
         gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;
  return x < y ? -1 : (x > y ? 1 : 0);
}

static int
cmp_uid_flags (gconstpointer a,
               gconstpointer b)
{
  return cmp_uid (&((const LbStoreUidFlags *) a)->uid, &((const LbStoreUidFlags *) b)->uid);
}

static void
set_implausible_error (LbImapSync          *self,
                       const LbStoreFolder *folder,
                       GError             **error)
{
  /* Translators: the first %s is a server name, the second a folder name. */
  g_set_error (error, LB_ERROR, LB_ERROR_PROTOCOL,
               _("%s gave an impossible list of the messages in “%s”; nothing was changed"),
               self->config->host, folder->display_name != NULL ? folder->display_name : "");
}

/* Sorts @uids and drops duplicates and every UID not above @above (-1: none). */
static void
sort_unique_uids (GArray *uids,
                  gint64  above)
{
  guint kept = 0;

  g_array_sort (uids, cmp_uid);
  for (guint i = 0; i < uids->len; i++)
    {
      guint32 uid = g_array_index (uids, guint32, i);

      if ((gint64) uid > above && (kept == 0 || uid != g_array_index (uids, guint32, kept - 1)))
        g_array_index (uids, guint32, kept++) = uid;
    }
  g_array_set_size (uids, kept);
}

/**
 * search_all_uids:
 * @exists: the folder's size as SELECT reported it
 * @out_complete: (out): whether the answer is known to list every message: as many UIDs
 *   as the folder holds, and no response skipped as unreadable
 *
 * The server's complete UID set, sorted, without duplicates.  An answer that lists more
 * UIDs than the folder holds is an error: it cannot be true, and expanding it could
 * take all memory.
 */
static GArray *
search_all_uids (LbImapSync          *self,
                 const LbStoreFolder *folder,
                 guint32              exists,
                 gboolean            *out_complete,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(LbImapResponse) ok = NULL;
  SearchData d = { uids, 0, exists };

  /* The answer is about a number per message ("4294967295 " at most). */
  lb_imap_session_expect (self->session, 0, (guint64) exists * 11);
  if (lb_imap_session_has_capability (self->session, "ESEARCH"))
    ok = lb_imap_session_command_sync (self->session, collect_uids, &d, cancellable, error,
                                       "UID SEARCH RETURN (ALL) ALL");
  else
    ok = lb_imap_session_command_sync (self->session, collect_uids, &d, cancellable, error,
                                       "UID SEARCH ALL");
  if (ok == NULL)
    return NULL;
  if (d.listed > d.exists || d.listed > MAX_FOLDER_UIDS)
    {
      g_debug ("%s listed %" G_GUINT64_FORMAT " UIDs in %s, which holds %u messages",
               self->config->host, d.listed, folder->raw_name, d.exists);
      set_implausible_error (self, folder, error);
      return NULL;
    }
  sort_unique_uids (uids, -1);
  *out_complete = uids->len == d.exists && lb_imap_session_get_malformed (self->session) == 0;
  return g_steal_pointer (&uids);
}

typedef struct {
  GArray     *updates;   /* LbStoreUidFlags */
  GHashTable *wanted;    /* the UIDs asked for */
} FlagsData;

static gboolean
collect_flags (LbImapResponse  *r,
               gpointer         user_data,
               GError         **error)
{
  FlagsData *d = user_data;

  if (r->kind == LB_IMAP_RESPONSE_FETCH && (r->u.fetch.items & LB_IMAP_FETCH_UID) &&
      (r->u.fetch.items & LB_IMAP_FETCH_FLAGS) && uid_set_take (d->wanted, r->u.fetch.uid))
    {
      LbStoreUidFlags f = { r->u.fetch.uid, r->u.fetch.flags, r->u.fetch.modseq };
      g_array_append_val (d->updates, f);
    }
  return TRUE;
}

/* Fetches FLAGS for the given sorted uids, optionally only those changed since @modseq. */
static GArray *
fetch_flags (LbImapSync    *self,
             const guint32 *uids,
             guint          n,
             guint64        changedsince,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GArray) updates = g_array_new (FALSE, FALSE, sizeof (LbStoreUidFlags));

  for (guint i = 0; i < n; i += FLAGS_CHUNK)
    {
      guint chunk = MIN (FLAGS_CHUNK, n - i);
      g_autofree char *set = lb_imap_seqset_format (uids + i, chunk);
      g_autoptr(GHashTable) wanted = uid_set_new (uids + i, chunk);
      g_autoptr(LbImapResponse) ok = NULL;
      FlagsData d = { updates, wanted };

      lb_imap_session_expect (self->session, chunk, 0);
      if (changedsince > 0)
        ok = lb_imap_session_command_sync (self->session, collect_flags, &d, cancellable,
                                           error, "UID FETCH %s (UID FLAGS) (CHANGEDSINCE %"
                                           G_GUINT64_FORMAT ")", set, changedsince);
      else
        ok = lb_imap_session_command_sync (self->session, collect_flags, &d, cancellable,
                                           error, "UID FETCH %s (UID FLAGS%s)", set,
                                           lb_imap_session_condstore_enabled (self->session)
                                           ? " MODSEQ" : "");
      if (ok == NULL)
        return NULL;
    }
  return g_steal_pointer (&updates);
}

/* ENVELOPE has no way to say "an address without a domain": NIL there marks a group
 * (RFC 3501), so servers fill the gap with a placeholder, which must never be shown as
 * part of an address (Dovecot: MISSING_DOMAIN and MISSING_MAILBOX; c-client servers such
 * as UW and Cyrus: .MISSING-HOST-NAME. and .SYNTAX-ERROR.). */
static const char *
real_host (const char *host)
{
  static const char *const placeholders[] = { "MISSING_DOMAIN", ".MISSING-HOST-NAME.", ".SYNTAX-ERROR." };

  for (gsize i = 0; host != NULL && i < G_N_ELEMENTS (placeholders); i++)
    if (strcmp (host, placeholders[i]) == 0)
      return NULL;
  return host != NULL && *host != '\0' ? host : NULL;
}

static const char *
real_mailbox (const char *mailbox)
{
  if (mailbox == NULL || *mailbox == '\0' || strcmp (mailbox, "MISSING_MAILBOX") == 0)
    return NULL;
  return mailbox;
}

static char *
address_to_string (const LbImapAddress *a)
{
  const char *mailbox = real_mailbox (a->mailbox);
  const char *host = real_host (a->host);

  if (mailbox == NULL)
    return NULL;
  if (host == NULL)
    return g_strdup (mailbox);
  return g_strdup_printf ("%s@%s", mailbox, host);
}

static char *
addresses_display (GPtrArray  *list,
                   const char *charset_hint)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      const LbImapAddress *a = g_ptr_array_index (list, i);
      g_autofree char *name = a->name != NULL ? lb_mime_decode_header_with_fallback (a->name, charset_hint)
                                              : NULL;
      g_autofree char *addr = address_to_string (a);

      if (a->host == NULL)
        continue;   /* group markers */
      if (s->len > 0)
        g_string_append (s, ", ");
      if (name != NULL && name[0] != '\0' && addr != NULL)
        g_string_append_printf (s, "%s <%s>", name, addr);
      else if (name != NULL && name[0] != '\0')
        g_string_append (s, name);
      else if (addr != NULL)
        g_string_append (s, addr);
    }
  return s->len > 0 ? g_string_free (g_steal_pointer (&s), FALSE) : NULL;
}

static char *
strip_angles (const char *id)
{
  g_autofree char *s = NULL;
  gsize len;

  if (id == NULL)
    return NULL;
  s = g_strstrip (g_strdup (id));
  len = strlen (s);
  if (len >= 2 && s[0] == '<' && s[len - 1] == '>')
    return g_strndup (s + 1, len - 2);
  return len > 0 ? g_steal_pointer (&s) : NULL;
}

/* The References header from BODY[HEADER.FIELDS (REFERENCES)], unfolded. */
static char *
references_from_fetch (const LbImapFetch *f)
{
  const LbImapBodySection *sec = lb_imap_fetch_get_section (f, "HEADER.FIELDS (REFERENCES)");
  g_autofree char *text = NULL;
  const char *colon;
  gsize len;
  const char *data;

  if (sec == NULL || sec->data == NULL)
    return NULL;
  data = g_bytes_get_data (sec->data, &len);
  text = g_strndup (data, len);
  colon = strchr (text, ':');
  if (colon == NULL)
    return NULL;
  {
    g_auto(GStrv) words = g_strsplit_set (colon + 1, " \t\r\n", -1);
    g_autoptr(GString) out = g_string_new (NULL);
    for (guint i = 0; words[i] != NULL; i++)
      if (words[i][0] != '\0')
        {
          if (out->len > 0)
            g_string_append_c (out, ' ');
          g_string_append (out, words[i]);
        }
    return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
  }
}

/* The charset the message's first text part declares, from BODYSTRUCTURE: raw
 * 8-bit ENVELOPE strings are decoded with it before the detector, as the reader
 * does with the message's own headers (lb-mime-message.c), so that both agree. */
static const char *
declared_charset (const LbImapBody *body,
                  guint             depth)
{
  if (body == NULL || body->type == NULL || depth > 32)
    return NULL;
  if (g_ascii_strcasecmp (body->type, "multipart") == 0)
    {
      for (guint i = 0; body->parts != NULL && i < body->parts->len; i++)
        {
          const char *charset = declared_charset (g_ptr_array_index (body->parts, i), depth + 1);

          if (charset != NULL)
            return charset;
        }
      return NULL;
    }
  if (g_ascii_strcasecmp (body->type, "text") != 0)
    return NULL;
  for (guint i = 0; body->params != NULL && i < body->params->len; i++)
    {
      const LbImapParam *param = g_ptr_array_index (body->params, i);

      if (param->name != NULL && g_ascii_strcasecmp (param->name, "charset") == 0)
        return param->value;
    }
  return NULL;
}

static LbStoreFetched *
fetched_from_fetch (const LbImapFetch *f)
{
  LbStoreFetched *sf = lb_store_fetched_new ();
  LbStoreMessage *m = &sf->message;
  const LbImapEnvelope *env = f->envelope;
  const char *hint = declared_charset (f->bodystructure, 0);

  sf->uid = f->uid;
  sf->flags = f->flags;
  sf->keywords = f->keywords != NULL ? g_strjoinv (" ", f->keywords) : NULL;
  sf->modseq = f->modseq;
  sf->internaldate = f->internaldate;
  m->gm_msgid = f->gm_msgid;
  m->size = (gint64) f->size;
  m->date = f->internaldate;
  m->has_attachments = lb_imap_body_has_attachments (f->bodystructure);

  if (env != NULL)
    {
      if (env->date != NULL)
        {
          g_autoptr(GDateTime) dt = g_mime_utils_header_decode_date (env->date);
          /* Trust the Date header unless it is absent, unreadable or far in the future
           * (spam likes to sort first); INTERNALDATE is the server's arrival time. */
          if (dt != NULL && g_date_time_to_unix (dt) < f->internaldate + 2 * 86400)
            m->date = g_date_time_to_unix (dt);
        }
      m->subject = env->subject != NULL ? lb_mime_decode_header_with_fallback (env->subject, hint) : NULL;
      if (env->from != NULL && env->from->len > 0)
        {
          const LbImapAddress *a = g_ptr_array_index (env->from, 0);
          m->from_name = a->name != NULL ? lb_mime_decode_header_with_fallback (a->name, hint) : NULL;
          m->from_address = address_to_string (a);
        }
      m->to = addresses_display (env->to, hint);
      m->cc = addresses_display (env->cc, hint);
      m->message_id = strip_angles (env->message_id);
      m->in_reply_to = strip_angles (env->in_reply_to);
    }
  m->references = references_from_fetch (f);
  if (f->gm_thrid != 0)
    m->thread_key = g_strdup_printf ("gm:%" G_GUINT64_FORMAT, f->gm_thrid);
  else if (m->references != NULL)
    {
      g_auto(GStrv) refs = g_strsplit (m->references, " ", 2);
      m->thread_key = strip_angles (refs[0]);
    }
  else if (m->in_reply_to != NULL)
    m->thread_key = g_strdup (m->in_reply_to);
  else
    m->thread_key = g_strdup (m->message_id);
  return sf;
}

typedef struct {
  GPtrArray  *batch;   /* LbStoreFetched* */
  GHashTable *wanted;  /* the UIDs of the batch */
} FetchData;

static gboolean
collect_messages (LbImapResponse  *r,
                  gpointer         user_data,
                  GError         **error)
{
  FetchData *d = user_data;

  if (r->kind == LB_IMAP_RESPONSE_FETCH && (r->u.fetch.items & LB_IMAP_FETCH_UID) &&
      (r->u.fetch.items & LB_IMAP_FETCH_ENVELOPE) && uid_set_take (d->wanted, r->u.fetch.uid))
    g_ptr_array_add (d->batch, fetched_from_fetch (&r->u.fetch));
  return TRUE;
}

/* Sends the FETCH for the next batch, walking the ascending uid array from the end. */
static gboolean
send_batch (LbImapSync     *self,
            const guint32  *uids,
            gint64         *remaining,
            guint           batch_size,
            const char     *items,
            char          **out_tag,
            guint          *out_count,
            GCancellable   *cancellable,
            GError        **error)
{
  guint count = (guint) MIN ((gint64) batch_size, *remaining);
  g_autofree char *set = lb_imap_seqset_format (uids + (*remaining - count), count);

  *remaining -= count;
  *out_count = count;
  return lb_imap_session_send_command (self->session, out_tag, cancellable, error,
                                       "UID FETCH %s %s", set, items);
}

/* Fetches new messages newest first, in growing batches.  The next batch's FETCH is on
 * the wire before the current one is written to the store, so the server streams while
 * SQLite writes; each batch is still committed as it completes. */
static gboolean
fetch_new (LbImapSync     *self,
           gint64          folder_id,
           const guint32  *uids,
           guint           n,
           GCancellable   *cancellable,
           GError        **error)
{
  g_autofree char *items = NULL;
  g_autofree char *tag = NULL;
  guint done = 0;
  guint count = 0;
  gboolean condstore = lb_imap_session_condstore_enabled (self->session);
  gboolean gmail = lb_imap_session_has_capability (self->session, "X-GM-EXT-1");
  gint64 remaining = (gint64) n;

  items = g_strdup_printf ("(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE%s%s "
                           "BODY.PEEK[HEADER.FIELDS (REFERENCES)])",
                           condstore ? " MODSEQ" : "",
                           gmail ? " X-GM-MSGID X-GM-THRID" : "");
  if (!send_batch (self, uids, &remaining, FIRST_BATCH, items, &tag, &count, cancellable, error))
    return FALSE;
  while (tag != NULL)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
      g_autoptr(LbImapResponse) ok = NULL;
      g_autofree char *next_tag = NULL;
      guint this_count = count;
      /* The batch just sent is the @count UIDs after what remains to send. */
      g_autoptr(GHashTable) wanted = uid_set_new (uids + remaining, count);
      FetchData d = { batch, wanted };

      lb_imap_session_expect (self->session, count, 0);
      ok = lb_imap_session_finish_command (self->session, tag, collect_messages, &d,
                                           cancellable, error);
      if (ok == NULL)
        return FALSE;
      if (remaining > 0 &&
          !send_batch (self, uids, &remaining, BATCH, items, &next_tag, &count, cancellable, error))
        return FALSE;
      if (batch->len > 0 && !lb_store_insert_messages (self->store, folder_id, batch, error))
        {
          /* The pipelined command must still be read before the session is reusable. */
          if (next_tag != NULL)
            lb_imap_session_disconnect (self->session);
          return FALSE;
        }
      done += this_count;
      _lb_imap_sync_emit_messages_changed (self, folder_id);
      _lb_imap_sync_emit_progress (self, folder_id, done, n);
      g_free (tag);
      tag = g_steal_pointer (&next_tag);
    }
  return TRUE;
}

static gboolean
update_counts (LbImapSync    *self,
               gint64         folder_id,
               GError       **error)
{
  guint total = 0;
  guint unread = 0;

  if (!lb_store_count_messages (self->store, folder_id, &total, &unread, error))
    return FALSE;
  return lb_store_set_folder_counts (self->store, folder_id, total, unread, error);
}

/* The server's and the store's sorted UID sets, merged: UIDs only the server has are
 * new, UIDs only the store has are gone, the rest are known.  No UID value serves as an
 * end marker: 4294967295 is a UID too. */
static void
merge_uids (const GArray *server_uids,
            const GArray *stored,
            GArray       *new_uids,
            GArray       *gone,
            GArray       *known)
{
  guint i = 0, j = 0;

  while (i < server_uids->len && j < stored->len)
    {
      guint32 s = g_array_index (server_uids, guint32, i);
      guint32 l = g_array_index (stored, LbStoreUidFlags, j).uid;

      if (s == l)
        {
          g_array_append_val (known, s);
          i++, j++;
        }
      else if (s < l)
        {
          g_array_append_val (new_uids, s);
          i++;
        }
      else
        {
          g_array_append_val (gone, l);
          j++;
        }
    }
  for (; i < server_uids->len; i++)
    g_array_append_val (new_uids, g_array_index (server_uids, guint32, i));
  for (; j < stored->len; j++)
    g_array_append_val (gone, g_array_index (stored, LbStoreUidFlags, j).uid);
}

/* Takes the UIDs that have a local change the server has not seen yet out of both sets:
 * the sync leaves them alone, so a UID a delete just took out is not new and a changed
 * message's flags are not overwritten with the server's old ones. */
static void
drop_pending (GArray       *server_uids,
              GArray       *stored,
              const GArray *pending)
{
  guint kept = 0;

  if (pending->len == 0)
    return;
  for (guint i = 0; i < server_uids->len; i++)
    if (!lb_store_uid_is_pending (pending, g_array_index (server_uids, guint32, i)))
      g_array_index (server_uids, guint32, kept++) = g_array_index (server_uids, guint32, i);
  g_array_set_size (server_uids, kept);
  kept = 0;
  for (guint i = 0; i < stored->len; i++)
    if (!lb_store_uid_is_pending (pending, g_array_index (stored, LbStoreUidFlags, i).uid))
      g_array_index (stored, LbStoreUidFlags, kept++) = g_array_index (stored, LbStoreUidFlags, i);
  g_array_set_size (stored, kept);
}

/* Keeps only the flag updates that differ from what the store holds, so that a
 * resync that changes nothing writes nothing, and no answer about a UID the store does
 * not hold is written at all.  Both arrays are sorted by UID. */
static GArray *
real_flag_changes (GArray       *changes,
                   const GArray *stored)
{
  GArray *real = g_array_new (FALSE, FALSE, sizeof (LbStoreUidFlags));
  guint i, j;

  g_array_sort (changes, cmp_uid_flags);
  for (i = 0, j = 0; i < changes->len && j < stored->len;)
    {
      LbStoreUidFlags *c = &g_array_index (changes, LbStoreUidFlags, i);
      const LbStoreUidFlags *s = &g_array_index (stored, LbStoreUidFlags, j);

      if (c->uid == s->uid)
        {
          if (c->flags != s->flags)
            g_array_append_val (real, *c);
          i++, j++;
        }
      else if (c->uid < s->uid)
        i++;
      else
        j++;
    }
  return real;
}

/* What a folder sync learns from SELECT and carries through its steps. */
typedef struct {
  LbStoreFolder    *folder;
  SelectChanges     sc;
  LbImapSelectInfo  info;
  gboolean          used_qresync;
  gboolean          reset;
} FolderSync;

static void
folder_sync_clear (FolderSync *fs)
{
  g_clear_pointer (&fs->folder, lb_store_folder_free);
  g_clear_pointer (&fs->sc.vanished, g_array_unref);
  g_clear_pointer (&fs->sc.flag_updates, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FolderSync, folder_sync_clear)

/* SELECTs the folder (with QRESYNC when the store has a state to resume from) and
 * empties the stored folder when its UIDVALIDITY changed. */
static gboolean
select_folder (LbImapSync    *self,
               FolderSync    *fs,
               GCancellable  *cancellable,
               GError       **error)
{
  LbStoreFolder *folder = fs->folder;
  LbImapQresync qresync = { 0 };

  qresync.uidvalidity = folder->uidvalidity;
  qresync.modseq = folder->highestmodseq;
  fs->used_qresync = lb_imap_session_qresync_enabled (self->session) &&
                     qresync.uidvalidity != 0 && qresync.modseq != 0;
  if (!lb_imap_session_select_sync (self->session, folder->raw_name, FALSE, &qresync,
                                    collect_select_changes, &fs->sc, &fs->info,
                                    cancellable, error))
    return FALSE;

  if (folder->uidvalidity != 0 && fs->info.uidvalidity != folder->uidvalidity)
    {
      /* Every uid we hold for this folder now names something else. */
      g_debug ("UIDVALIDITY of %s changed (%u -> %u): refetching", folder->raw_name,
               folder->uidvalidity, fs->info.uidvalidity);
      if (!lb_store_clear_folder (self->store, folder->id, error))
        return FALSE;
      fs->reset = TRUE;
      fs->used_qresync = FALSE;
      _lb_imap_sync_emit_messages_changed (self, folder->id);
    }
  return TRUE;
}

/* Brings the flags of the messages the store already has in line: from QRESYNC's
 * SELECT, from CHANGEDSINCE, or from a full FLAGS comparison. */
static gboolean
sync_known_flags (LbImapSync    *self,
                  FolderSync    *fs,
                  const GArray  *known,
                  const GArray  *stored,
                  GCancellable  *cancellable,
                  GError       **error)
{
  gint64 folder_id = fs->folder->id;
  g_autoptr(GArray) changes = NULL;
  g_autoptr(GArray) real = NULL;

  if (known->len == 0 || fs->reset)
    return TRUE;
  if (fs->used_qresync)
    changes = g_array_ref (fs->sc.flag_updates);
  else if (lb_imap_session_condstore_enabled (self->session) && !fs->info.nomodseq &&
           fs->folder->highestmodseq != 0)
    changes = fetch_flags (self, (guint32 *) known->data, known->len,
                           fs->folder->highestmodseq, cancellable, error);
  else
    changes = fetch_flags (self, (guint32 *) known->data, known->len, 0, cancellable, error);
  if (changes == NULL)
    return FALSE;
  if (changes->len == 0)
    return TRUE;

  real = real_flag_changes (changes, stored);
  if (real->len == 0)
    return TRUE;
  /* A local change may have come in since the snapshot: it is checked again as written. */
  if (!lb_store_update_flags_unless_pending (self->store, folder_id,
                                             (LbStoreUidFlags *) real->data, real->len, error))
    return FALSE;
  _lb_imap_sync_emit_messages_changed (self, folder_id);
  return TRUE;
}

/* Records what SELECT reported, so that the next sync can resume from it, the counts,
 * and that an earlier failure of this folder is over. */
static gboolean
finish_folder (LbImapSync  *self,
               FolderSync  *fs,
               GError     **error)
{
  gint64 folder_id = fs->folder->id;

  if (fs->folder->last_error != NULL &&
      !lb_store_set_folder_error (self->store, folder_id, NULL, error))
    return FALSE;

  if (!lb_store_set_folder_sync_state (self->store, folder_id, fs->info.uidvalidity,
                                       fs->info.uidnext,
                                       fs->info.nomodseq ? 0 : fs->info.highestmodseq, error))
    return FALSE;
  if (!update_counts (self, folder_id, error))
    return FALSE;
  _lb_imap_sync_emit_folders_changed (self);
  return TRUE;
}

/* How long the cheap QRESYNC path is trusted before a folder gets a full UID comparison
 * again, in case a server's change log and its contents ever disagree. */
#define FULL_CHECK_INTERVAL_USEC ((gint64) G_USEC_PER_SEC * 60 * 60)

/* Whether this folder is due a full comparison.  A folder first seen in this session
 * counts as just checked: the count check below still guards every cheap sync, and a
 * start-up resync should cost what changed, like any other. */
static gboolean
full_check_due (LbImapSync *self,
                gint64      folder_id)
{
  gint64 now = g_get_monotonic_time ();
  gint64 *last = g_hash_table_lookup (self->full_checks, &folder_id);

  if (last == NULL)
    {
      g_hash_table_insert (self->full_checks, g_memdup2 (&folder_id, sizeof folder_id),
                           g_memdup2 (&now, sizeof now));
      return FALSE;
    }
  return now - *last >= FULL_CHECK_INTERVAL_USEC;
}

static void
full_check_done (LbImapSync *self,
                 gint64      folder_id)
{
  gint64 now = g_get_monotonic_time ();

  g_hash_table_insert (self->full_checks, g_memdup2 (&folder_id, sizeof folder_id),
                       g_memdup2 (&now, sizeof now));
}

/* The UIDs above @above, sorted and without duplicates ("n:*" always names the last
 * message, even when its UID is lower than n, so that one is dropped).  The answer can
 * list no more messages than the folder holds. */
static GArray *
search_uids_above (LbImapSync    *self,
                   guint32        above,
                   guint32       *inout_exists,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(LbImapResponse) ok = NULL;
  SearchData d = { uids, 0, *inout_exists };

  if (above == G_MAXUINT32)
    return g_steal_pointer (&uids);
  lb_imap_session_expect (self->session, 0, (guint64) *inout_exists * 11);
  ok = lb_imap_session_command_sync (self->session, collect_uids, &d, cancellable, error,
                                     "UID SEARCH UID %u:*", above + 1);
  if (ok == NULL)
    return NULL;
  *inout_exists = d.exists;
  sort_unique_uids (uids, above);
  return g_steal_pointer (&uids);
}

/* With QRESYNC the SELECT itself said what changed since the stored state: VANISHED
 * (EARLIER) the expunges, FETCH the flag changes; what is new lies above the highest UID
 * the store holds.  Nothing is read in proportion to the folder's size, so a resync
 * costs what changed.  The result is trusted only when the store then holds exactly as
 * many messages as the server reports; otherwise (a local change still pending, a
 * server whose change log missed something) *@out_done stays FALSE and the caller goes
 * on with the full comparison, which repairs whatever this did not. */
static gboolean
sync_changes_since (LbImapSync    *self,
                    FolderSync    *fs,
                    gboolean      *out_done,
                    GCancellable  *cancellable,
                    GError       **error)
{
  gint64 folder_id = fs->folder->id;
  g_autoptr(GArray) pending = NULL;
  g_autoptr(GArray) new_uids = NULL;
  guint32 exists = fs->info.exists;
  guint32 max_uid = 0;
  guint total = 0;

  *out_done = FALSE;
  if (!fs->used_qresync || fs->reset || full_check_due (self, folder_id))
    return TRUE;
  /* Pending local changes are the full comparison's to weigh against the server. */
  pending = lb_store_get_pending_uids (self->store, folder_id, error);
  if (pending == NULL)
    return FALSE;
  if (pending->len > 0)
    return TRUE;

  if (fs->sc.vanished->len > 0)
    {
      if (!lb_store_remove_uids (self->store, folder_id, (guint32 *) fs->sc.vanished->data,
                                 fs->sc.vanished->len, error))
        return FALSE;
      _lb_imap_sync_emit_messages_changed (self, folder_id);
    }
  if (fs->sc.flag_updates->len > 0)
    {
      if (!lb_store_update_flags_unless_pending (self->store, folder_id,
                                                 (LbStoreUidFlags *) fs->sc.flag_updates->data,
                                                 fs->sc.flag_updates->len, error))
        return FALSE;
      _lb_imap_sync_emit_messages_changed (self, folder_id);
    }

  if (!lb_store_get_max_uid (self->store, folder_id, &max_uid, error))
    return FALSE;
  if (fs->info.uidnext == 0 || fs->info.uidnext > (guint64) max_uid + 1)
    {
      new_uids = search_uids_above (self, max_uid, &exists, cancellable, error);
      if (new_uids == NULL)
        return FALSE;
      if (new_uids->len > 0 &&
          !fetch_new (self, folder_id, (guint32 *) new_uids->data, new_uids->len, cancellable,
                      error))
        return FALSE;
    }

  if (!lb_store_count_messages (self->store, folder_id, &total, NULL, error))
    return FALSE;
  if (total != exists)
    {
      g_debug ("%s: %u messages stored after QRESYNC, the server has %u: comparing all UIDs",
               fs->folder->raw_name, total, exists);
      /* The flags are then compared in full too, since CHANGEDSINCE. */
      fs->used_qresync = FALSE;
      return TRUE;
    }
  g_debug ("%s: resynced from QRESYNC: %u vanished, %u flag changes, %u new",
           fs->folder->raw_name, fs->sc.vanished->len, fs->sc.flag_updates->len,
           new_uids != NULL ? new_uids->len : 0);
  *out_done = TRUE;
  return TRUE;
}

/* SELECT, the server's UID set merged with the stored one, expunges removed, flags
 * of known messages updated, new messages fetched, and the sync state recorded.  What
 * the server says is checked before anything is deleted: a UID list that cannot be
 * true, or one that may be incomplete (fewer UIDs than messages, an unreadable response
 * skipped) while local mail would go, is an error and changes nothing. */
static gboolean
sync_folder_steps (LbImapSync    *self,
                   gint64         folder_id,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_auto(FolderSync) fs = { NULL, };
  g_autoptr(GArray) server_uids = NULL;
  g_autoptr(GArray) stored = NULL;
  g_autoptr(GArray) pending = NULL;
  g_autoptr(GArray) new_uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) known = g_array_new (FALSE, FALSE, sizeof (guint32));
  gboolean complete = FALSE;
  gboolean done = FALSE;

  fs.folder = lb_store_get_folder (self->store, folder_id, error);
  if (fs.folder == NULL)
    return FALSE;
  if (!fs.folder->selectable)
    return TRUE;
  if (!lb_imap_sync_connect (self, cancellable, error))
    return FALSE;

  fs.sc.vanished = g_array_new (FALSE, FALSE, sizeof (guint32));
  fs.sc.flag_updates = g_array_new (FALSE, FALSE, sizeof (LbStoreUidFlags));
  if (!select_folder (self, &fs, cancellable, error))
    return FALSE;
  if (!sync_changes_since (self, &fs, &done, cancellable, error))
    return FALSE;
  if (done)
    return finish_folder (self, &fs, error);

  server_uids = search_all_uids (self, fs.folder, fs.info.exists, &complete, cancellable,
                                 error);
  if (server_uids == NULL)
    return FALSE;
  if (!lb_store_get_folder_snapshot (self->store, folder_id, &stored, &pending, error))
    return FALSE;
  g_array_sort (stored, cmp_uid_flags);
  drop_pending (server_uids, stored, pending);
  merge_uids (server_uids, stored, new_uids, gone, known);

  if (gone->len > 0 && !complete)
    {
      g_debug ("%s listed %u UIDs in %s, which holds %u messages; %u would be deleted",
               self->config->host, server_uids->len, fs.folder->raw_name, fs.info.exists,
               gone->len);
      set_implausible_error (self, fs.folder, error);
      return FALSE;
    }
  if (gone->len > 0)
    {
      if (!lb_store_remove_uids (self->store, folder_id, (guint32 *) gone->data, gone->len, error))
        return FALSE;
      _lb_imap_sync_emit_messages_changed (self, folder_id);
    }

  if (!sync_known_flags (self, &fs, known, stored, cancellable, error))
    return FALSE;

  if (new_uids->len > 0 &&
      !fetch_new (self, folder_id, (guint32 *) new_uids->data, new_uids->len, cancellable, error))
    return FALSE;

  full_check_done (self, folder_id);
  return finish_folder (self, &fs, error);
}

/**
 * lb_imap_sync_folder:
 *
 * Brings one folder of the store in line with the server.  When the server refuses
 * this folder alone (see lb_imap_sync_is_folder_error()), the reason is recorded on
 * the folder for display until a later sync of it succeeds, and returned as well.
 */
gboolean
lb_imap_sync_folder (LbImapSync    *self,
                     gint64         folder_id,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;

  if (sync_folder_steps (self, folder_id, cancellable, &local_error))
    return TRUE;
  if (lb_imap_sync_is_folder_error (self, local_error))
    {
      g_autoptr(GError) store_error = NULL;

      text = _lb_imap_sync_folder_error_text (self, local_error);
      if (lb_store_set_folder_error (self->store, folder_id, text, &store_error))
        _lb_imap_sync_emit_folders_changed (self);
      else
        g_warning ("Cannot record the failure of folder %" G_GINT64_FORMAT ": %s",
                   folder_id, store_error->message);
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}
