/* lb-imap-sync.c: keeps one account's store in step with its IMAP server
 *
 * Runs on the account's worker thread, which owns the session and the store's write
 * connection.  The one invariant: after a folder sync the store's set of
 * (folder, uid, flags) equals the server's, even if an earlier sync died half-way.
 *
 * Each folder sync therefore starts from the server's complete UID set (one
 * `UID SEARCH`, compact with ESEARCH) rather than from "what came after my highest
 * uid": the difference with the stored set gives new messages and expunges at once,
 * and a first sync that was cut off after its newest batches simply carries on with
 * the older ones.  Flags come from `CHANGEDSINCE` where CONDSTORE is enabled and from
 * a full `FLAGS` comparison where it is not (QQ, NetEase).  New messages are fetched
 * newest first in growing batches, each committed on arrival, so a list fills from
 * the top while the rest streams in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <gmime/gmime.h>

#include "lb-error.h"
#include "lb-folder-role.h"
#include "lb-imap-parser.h"
#include "lb-imap-sync.h"
#include "lb-mime.h"
#include "lb-mime-message.h"
#include "lb-store-locations.h"
#include "lb-mutf7.h"
#include "lb-provider.h"
#include "lb-secrets.h"

#define FIRST_BATCH 50
#define BATCH 500
#define FLAGS_CHUNK 5000

struct _LbImapSync
{
  LbStore             *store;
  gint64               account_id;
  LbServerConfig      *config;
  LbProvider          *provider;
  LbQuirks             quirks;
  LbImapSession       *session;
  LbImapSyncCallbacks  callbacks;
  gpointer             user_data;
  LbImapPasswordFunc   password_func;
  gpointer             password_data;
};

LbImapSync *
lb_imap_sync_new (LbStore                   *store,
                  gint64                     account_id,
                  const LbServerConfig      *config,
                  const LbProvider          *provider,
                  const LbImapSyncCallbacks *callbacks,
                  gpointer                   user_data)
{
  LbImapSync *self = g_new0 (LbImapSync, 1);

  self->store = g_object_ref (store);
  self->account_id = account_id;
  self->config = lb_server_config_copy (config);
  self->provider = provider != NULL ? lb_provider_ref ((LbProvider *) provider) : NULL;
  lb_quirks_init (&self->quirks);
  if (provider != NULL)
    lb_quirks_for_provider (provider, &self->quirks);
  self->session = lb_imap_session_new ();
  lb_imap_session_set_provider (self->session, self->provider);
  if (callbacks != NULL)
    self->callbacks = *callbacks;
  self->user_data = user_data;
  lb_mime_init ();
  return self;
}

void
lb_imap_sync_free (LbImapSync *self)
{
  if (self == NULL)
    return;
  lb_imap_session_logout (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_pointer (&self->provider, lb_provider_unref);
  lb_server_config_free (self->config);
  g_free (self);
}

void
lb_imap_sync_set_password_func (LbImapSync         *self,
                                LbImapPasswordFunc  func,
                                gpointer            user_data)
{
  self->password_func = func;
  self->password_data = user_data;
}

void
lb_imap_sync_set_capability_override (LbImapSync *self,
                                      const char *capabilities)
{
  lb_imap_session_set_capability_override (self->session, capabilities);
}

LbImapSession *lb_imap_sync_get_session (LbImapSync *self) { return self->session; }
const LbQuirks *lb_imap_sync_get_quirks (LbImapSync *self) { return &self->quirks; }

static void
emit_folders_changed (LbImapSync *self)
{
  if (self->callbacks.folders_changed != NULL)
    self->callbacks.folders_changed (self->user_data);
}

static void
emit_messages_changed (LbImapSync *self,
                       gint64      folder_id)
{
  if (self->callbacks.messages_changed != NULL)
    self->callbacks.messages_changed (folder_id, self->user_data);
}

static void
emit_progress (LbImapSync *self,
               gint64      folder_id,
               guint       done,
               guint       total)
{
  if (self->callbacks.progress != NULL)
    self->callbacks.progress (folder_id, done, total, self->user_data);
}

gboolean
lb_imap_sync_connect (LbImapSync    *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(LbSecret) password = NULL;

  if (lb_imap_session_is_connected (self->session))
    return TRUE;

  if (self->password_func == NULL)
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_SECRET, "No way to get the password");
      return FALSE;
    }
  password = self->password_func (self->password_data, cancellable, error);
  if (password == NULL)
    return FALSE;

  if (!lb_imap_session_connect_sync (self->session, self->config, password,
                                     self->quirks.id_required, cancellable, error))
    return FALSE;
  lb_quirks_merge_capabilities (&self->quirks,
                                lb_imap_session_get_capabilities (self->session));
  return TRUE;
}

void
lb_imap_sync_disconnect (LbImapSync *self)
{
  lb_imap_session_logout (self->session);
}

/* ---- Folders ------------------------------------------------------------ */

typedef struct {
  GPtrArray *lists;   /* LbImapResponse* of LIST/XLIST */
} ListData;

static gboolean
collect_list (LbImapResponse  *r,
              gpointer         user_data,
              GError         **error)
{
  ListData *d = user_data;

  if (r->kind == LB_IMAP_RESPONSE_LIST)
    g_ptr_array_add (d->lists, lb_imap_response_ref (r));
  return TRUE;
}

/**
 * lb_imap_sync_folders:
 *
 * Lists the account's folders and brings the store's folder table in line: new
 * folders are added with their role and decoded name, vanished ones removed.
 */
gboolean
lb_imap_sync_folders (LbImapSync    *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GPtrArray) lists = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_imap_response_unref);
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(LbImapResponse) ok = NULL;
  ListData d = { lists };
  g_autofree LbFolderRole *roles = NULL;
  g_auto(GStrv) decoded = NULL;
  gboolean use_xlist;
  gboolean changed = FALSE;
  LbFolderRole taken[LB_FOLDER_ROLE_OUTBOX + 1] = { 0 };

  if (!lb_imap_sync_connect (self, cancellable, error))
    return FALSE;

  /* SPECIAL-USE attributes come with a plain LIST; XLIST is Gmail's and QQ's older way. */
  use_xlist = !lb_imap_session_has_capability (self->session, "SPECIAL-USE") &&
              lb_imap_session_has_capability (self->session, "XLIST");
  ok = lb_imap_session_command_sync (self->session, collect_list, &d, cancellable, error,
                                     "%s \"\" \"*\"", use_xlist ? "XLIST" : "LIST");
  if (ok == NULL)
    return FALSE;

  stored = lb_store_list_folders (self->store, self->account_id, error);
  if (stored == NULL)
    return FALSE;

  /* Roles: INBOX and SPECIAL-USE/XLIST attributes first, for every folder; only then
   * names, for folders still without one.  One folder per role. */
  roles = g_new0 (LbFolderRole, lists->len);
  decoded = g_new0 (char *, lists->len + 1);
  for (guint i = 0; i < lists->len; i++)
    {
      const LbImapList *l = &((LbImapResponse *) g_ptr_array_index (lists, i))->u.list_data;
      LbFolderRole role;

      if (l->name == NULL || (l->attrs & LB_IMAP_LIST_NONEXISTENT))
        continue;
      g_hash_table_add (seen, g_strdup (l->name));
      decoded[i] = lb_mutf7_decode (l->name, NULL);
      if (decoded[i] == NULL)
        decoded[i] = g_utf8_make_valid (l->name, -1);
      role = g_ascii_strcasecmp (l->name, "INBOX") == 0 ? LB_FOLDER_ROLE_INBOX
                                                        : lb_folder_role_from_attributes ((const char * const *) l->attributes);
      if (role != LB_FOLDER_ROLE_NONE && !taken[role])
        {
          roles[i] = role;
          taken[role] = TRUE;
        }
    }
  for (guint i = 0; i < lists->len; i++)
    {
      const LbImapList *l = &((LbImapResponse *) g_ptr_array_index (lists, i))->u.list_data;
      LbFolderRole role = LB_FOLDER_ROLE_NONE;

      if (decoded[i] == NULL || roles[i] != LB_FOLDER_ROLE_NONE)
        continue;
      role = lb_folder_role_from_name (self->provider, decoded[i], l->name);
      if (role != LB_FOLDER_ROLE_NONE && !taken[role])
        {
          roles[i] = role;
          taken[role] = TRUE;
        }
    }

  for (guint i = 0; i < lists->len; i++)
    {
      const LbImapList *l = &((LbImapResponse *) g_ptr_array_index (lists, i))->u.list_data;
      g_autoptr(LbStoreFolder) folder = NULL;
      const char *leaf;
      LbStoreFolder *old = NULL;

      if (decoded[i] == NULL)
        continue;
      for (guint j = 0; j < stored->len; j++)
        {
          LbStoreFolder *s = g_ptr_array_index (stored, j);
          if (g_strcmp0 (s->raw_name, l->name) == 0)
            old = s;
        }

      /* Display the leaf; the tree comes from raw names and the delimiter. */
      leaf = l->delimiter != '\0' ? strrchr (decoded[i], l->delimiter) : NULL;
      folder = lb_store_folder_new ();
      folder->account_id = self->account_id;
      folder->raw_name = g_strdup (l->name);
      folder->display_name = g_strdup (leaf != NULL ? leaf + 1 : decoded[i]);
      folder->delimiter = l->delimiter != '\0' ? g_strndup (&l->delimiter, 1) : NULL;
      folder->role = roles[i];
      folder->attributes = g_strjoinv (" ", l->attributes);
      folder->subscribed = TRUE;
      folder->selectable = (l->attrs & LB_IMAP_LIST_NOSELECT) == 0;
      if (old != NULL)
        {
          folder->uidvalidity = old->uidvalidity;
          folder->uidnext = old->uidnext;
          folder->highestmodseq = old->highestmodseq;
          folder->total_count = old->total_count;
          folder->unread_count = old->unread_count;
          folder->last_sync = old->last_sync;
          changed |= old->role != folder->role ||
                     g_strcmp0 (old->display_name, folder->display_name) != 0 ||
                     old->selectable != folder->selectable;
        }
      else
        changed = TRUE;

      if (lb_store_upsert_folder (self->store, folder, error) <= 0)
        return FALSE;
    }

  for (guint j = 0; j < stored->len; j++)
    {
      LbStoreFolder *s = g_ptr_array_index (stored, j);
      if (!g_hash_table_contains (seen, s->raw_name) && s->role != LB_FOLDER_ROLE_OUTBOX)
        {
          if (!lb_store_remove_folder (self->store, s->id, error))
            return FALSE;
          changed = TRUE;
        }
    }
  if (changed)
    emit_folders_changed (self);
  return TRUE;
}

/* ---- One folder --------------------------------------------------------- */

typedef struct {
  GArray *vanished;   /* guint32 uids */
  GArray *flag_updates;  /* LbStoreUidFlags */
} SelectChanges;

static void
add_ranges (GArray       *uids,
            const GArray *ranges)
{
  for (guint i = 0; ranges != NULL && i < ranges->len; i++)
    {
      const LbImapRange *r = &g_array_index (ranges, LbImapRange, i);
      /* A vanished range never includes '*'; cap runaway ranges defensively. */
      guint32 last = r->last == LB_IMAP_SEQ_STAR ? r->first : r->last;
      for (guint64 u = r->first; u <= last && uids->len < 10000000; u++)
        {
          guint32 v = (guint32) u;
          g_array_append_val (uids, v);
        }
    }
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

static gboolean
collect_uids (LbImapResponse  *r,
              gpointer         user_data,
              GError         **error)
{
  GArray *uids = user_data;

  if (r->kind == LB_IMAP_RESPONSE_SEARCH)
    g_array_append_vals (uids, r->u.search.numbers->data, r->u.search.numbers->len);
  else if (r->kind == LB_IMAP_RESPONSE_ESEARCH && r->u.esearch.all != NULL)
    add_ranges (uids, r->u.esearch.all);
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

static GArray *
search_all_uids (LbImapSync    *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(LbImapResponse) ok = NULL;

  if (lb_imap_session_has_capability (self->session, "ESEARCH"))
    ok = lb_imap_session_command_sync (self->session, collect_uids, uids, cancellable, error,
                                       "UID SEARCH RETURN (ALL) ALL");
  else
    ok = lb_imap_session_command_sync (self->session, collect_uids, uids, cancellable, error,
                                       "UID SEARCH ALL");
  if (ok == NULL)
    return NULL;
  g_array_sort (uids, cmp_uid);
  return g_steal_pointer (&uids);
}

static gboolean
collect_flags (LbImapResponse  *r,
               gpointer         user_data,
               GError         **error)
{
  GArray *updates = user_data;

  if (r->kind == LB_IMAP_RESPONSE_FETCH && (r->u.fetch.items & LB_IMAP_FETCH_UID) &&
      (r->u.fetch.items & LB_IMAP_FETCH_FLAGS))
    {
      LbStoreUidFlags f = { r->u.fetch.uid, r->u.fetch.flags, r->u.fetch.modseq };
      g_array_append_val (updates, f);
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
      g_autofree char *set = lb_imap_seqset_format (uids + i, MIN (FLAGS_CHUNK, n - i));
      g_autoptr(LbImapResponse) ok = NULL;

      if (changedsince > 0)
        ok = lb_imap_session_command_sync (self->session, collect_flags, updates, cancellable,
                                           error, "UID FETCH %s (UID FLAGS) (CHANGEDSINCE %"
                                           G_GUINT64_FORMAT ")", set, changedsince);
      else
        ok = lb_imap_session_command_sync (self->session, collect_flags, updates, cancellable,
                                           error, "UID FETCH %s (UID FLAGS%s)", set,
                                           lb_imap_session_condstore_enabled (self->session)
                                           ? " MODSEQ" : "");
      if (ok == NULL)
        return NULL;
    }
  return g_steal_pointer (&updates);
}

static char *
address_to_string (const LbImapAddress *a)
{
  if (a->mailbox == NULL)
    return NULL;
  if (a->host == NULL)
    return g_strdup (a->mailbox);
  return g_strdup_printf ("%s@%s", a->mailbox, a->host);
}

static char *
addresses_display (GPtrArray *list)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      const LbImapAddress *a = g_ptr_array_index (list, i);
      g_autofree char *name = a->name != NULL ? lb_mime_decode_header (a->name) : NULL;
      g_autofree char *addr = address_to_string (a);

      if (a->host == NULL)
        continue;   /* group markers */
      if (s->len > 0)
        g_string_append (s, ", ");
      if (name != NULL && name[0] != '\0')
        g_string_append_printf (s, "%s <%s>", name, addr != NULL ? addr : "");
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

static LbStoreFetched *
fetched_from_fetch (const LbImapFetch *f)
{
  LbStoreFetched *sf = lb_store_fetched_new ();
  LbStoreMessage *m = &sf->message;
  const LbImapEnvelope *env = f->envelope;

  sf->uid = f->uid;
  sf->flags = f->flags;
  sf->keywords = f->keywords != NULL ? g_strjoinv (" ", f->keywords) : NULL;
  sf->modseq = f->modseq;
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
      m->subject = env->subject != NULL ? lb_mime_decode_header (env->subject) : NULL;
      if (env->from != NULL && env->from->len > 0)
        {
          const LbImapAddress *a = g_ptr_array_index (env->from, 0);
          m->from_name = a->name != NULL ? lb_mime_decode_header (a->name) : NULL;
          m->from_address = address_to_string (a);
        }
      m->to = addresses_display (env->to);
      m->cc = addresses_display (env->cc);
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
  GPtrArray *batch;  /* LbStoreFetched* */
} FetchData;

static gboolean
collect_messages (LbImapResponse  *r,
                  gpointer         user_data,
                  GError         **error)
{
  FetchData *d = user_data;

  if (r->kind == LB_IMAP_RESPONSE_FETCH && (r->u.fetch.items & LB_IMAP_FETCH_UID) &&
      (r->u.fetch.items & LB_IMAP_FETCH_ENVELOPE))
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
      FetchData d = { batch };

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
      emit_messages_changed (self, folder_id);
      emit_progress (self, folder_id, done, n);
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

/**
 * lb_imap_sync_folder:
 *
 * Brings one folder of the store in line with the server.
 */
gboolean
lb_imap_sync_folder (LbImapSync    *self,
                     gint64         folder_id,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(LbStoreFolder) folder = NULL;
  g_autoptr(GArray) server_uids = NULL;
  g_autoptr(GArray) stored = NULL;
  g_autoptr(GArray) new_uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) known = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) changes = NULL;
  SelectChanges sc = { g_array_new (FALSE, FALSE, sizeof (guint32)),
                       g_array_new (FALSE, FALSE, sizeof (LbStoreUidFlags)) };
  LbImapQresync qresync = { 0 };
  LbImapSelectInfo info = { 0 };
  gboolean ok = FALSE;
  gboolean used_qresync;
  gboolean reset = FALSE;
  guint i, j;

  folder = lb_store_get_folder (self->store, folder_id, error);
  if (folder == NULL)
    goto out;
  if (!folder->selectable)
    {
      ok = TRUE;
      goto out;
    }
  if (!lb_imap_sync_connect (self, cancellable, error))
    goto out;

  qresync.uidvalidity = folder->uidvalidity;
  qresync.modseq = folder->highestmodseq;
  used_qresync = lb_imap_session_qresync_enabled (self->session) && qresync.uidvalidity != 0 &&
                 qresync.modseq != 0;
  if (!lb_imap_session_select_sync (self->session, folder->raw_name, FALSE, &qresync,
                                    collect_select_changes, &sc, &info, cancellable, error))
    goto out;

  if (folder->uidvalidity != 0 && info.uidvalidity != folder->uidvalidity)
    {
      /* Every uid we hold for this folder now names something else. */
      g_debug ("UIDVALIDITY of %s changed (%u -> %u): refetching", folder->raw_name,
               folder->uidvalidity, info.uidvalidity);
      if (!lb_store_clear_folder (self->store, folder_id, error))
        goto out;
      reset = TRUE;
      used_qresync = FALSE;
      emit_messages_changed (self, folder_id);
    }

  server_uids = search_all_uids (self, cancellable, error);
  if (server_uids == NULL)
    goto out;
  stored = lb_store_get_folder_flags (self->store, folder_id, error);
  if (stored == NULL)
    goto out;
  g_array_sort (stored, cmp_uid_flags);

  /* Merge the two sorted sets. */
  for (i = 0, j = 0; i < server_uids->len || j < stored->len;)
    {
      guint32 s = i < server_uids->len ? g_array_index (server_uids, guint32, i) : G_MAXUINT32;
      guint32 l = j < stored->len ? g_array_index (stored, LbStoreUidFlags, j).uid : G_MAXUINT32;

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

  if (gone->len > 0)
    {
      if (!lb_store_remove_uids (self->store, folder_id, (guint32 *) gone->data, gone->len, error))
        goto out;
      emit_messages_changed (self, folder_id);
    }

  /* Flags of the messages we already have. */
  if (known->len > 0 && !reset)
    {
      if (used_qresync)
        changes = g_array_ref (sc.flag_updates);
      else if (lb_imap_session_condstore_enabled (self->session) && !info.nomodseq &&
               folder->highestmodseq != 0)
        changes = fetch_flags (self, (guint32 *) known->data, known->len, folder->highestmodseq,
                               cancellable, error);
      else
        changes = fetch_flags (self, (guint32 *) known->data, known->len, 0, cancellable, error);
      if (changes == NULL)
        goto out;
      if (changes->len > 0)
        {
          g_autoptr(GArray) real = g_array_new (FALSE, FALSE, sizeof (LbStoreUidFlags));
          g_array_sort (changes, cmp_uid_flags);
          /* Keep only real changes, so that a no-change resync writes nothing. */
          for (i = 0, j = 0; i < changes->len && j < stored->len;)
            {
              LbStoreUidFlags *c = &g_array_index (changes, LbStoreUidFlags, i);
              LbStoreUidFlags *s = &g_array_index (stored, LbStoreUidFlags, j);
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
          if (real->len > 0)
            {
              if (!lb_store_update_flags (self->store, folder_id, (LbStoreUidFlags *) real->data,
                                          real->len, error))
                goto out;
              emit_messages_changed (self, folder_id);
            }
        }
    }

  if (new_uids->len > 0 &&
      !fetch_new (self, folder_id, (guint32 *) new_uids->data, new_uids->len, cancellable, error))
    goto out;

  if (!lb_store_set_folder_sync_state (self->store, folder_id, info.uidvalidity, info.uidnext,
                                       info.nomodseq ? 0 : info.highestmodseq, error))
    goto out;
  if (!update_counts (self, folder_id, error))
    goto out;
  emit_folders_changed (self);
  ok = TRUE;

out:
  g_array_unref (sc.vanished);
  g_array_unref (sc.flag_updates);
  return ok;
}

gint64
lb_imap_sync_find_folder (LbImapSync   *self,
                          LbFolderRole  role)
{
  g_autoptr(GPtrArray) folders = lb_store_list_folders (self->store, self->account_id, NULL);

  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      LbStoreFolder *f = g_ptr_array_index (folders, i);
      if (f->role == role)
        return f->id;
    }
  return 0;
}

/**
 * lb_imap_sync_all:
 *
 * The folder list, then INBOX, then every other folder.
 */
gboolean
lb_imap_sync_all (LbImapSync    *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GPtrArray) folders = NULL;
  gint64 inbox;

  if (!lb_imap_sync_folders (self, cancellable, error))
    return FALSE;
  inbox = lb_imap_sync_find_folder (self, LB_FOLDER_ROLE_INBOX);
  if (inbox > 0 && !lb_imap_sync_folder (self, inbox, cancellable, error))
    return FALSE;
  folders = lb_store_list_folders (self->store, self->account_id, error);
  if (folders == NULL)
    return FALSE;
  for (guint i = 0; i < folders->len; i++)
    {
      LbStoreFolder *f = g_ptr_array_index (folders, i);
      if (f->id == inbox || !f->selectable || f->role == LB_FOLDER_ROLE_OUTBOX)
        continue;
      if (!lb_imap_sync_folder (self, f->id, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- Bodies --------------------------------------------------------------- */

static gboolean
ensure_selected (LbImapSync    *self,
                 gint64         folder_id,
                 LbStoreFolder **out_folder,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(LbStoreFolder) folder = lb_store_get_folder (self->store, folder_id, error);

  if (folder == NULL)
    return FALSE;
  if (!lb_imap_sync_connect (self, cancellable, error))
    return FALSE;
  if (g_strcmp0 (lb_imap_session_get_selected (self->session), folder->raw_name) != 0 &&
      !lb_imap_session_select_sync (self->session, folder->raw_name, FALSE, NULL, NULL, NULL,
                                    NULL, cancellable, error))
    return FALSE;
  if (out_folder != NULL)
    *out_folder = g_steal_pointer (&folder);
  return TRUE;
}

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
  if (!ensure_selected (self, folder_id, NULL, cancellable, error))
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
  emit_messages_changed (self, folder_id);
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
  if (!ensure_selected (self, folder_id, NULL, cancellable, error))
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
      emit_messages_changed (self, folder_id);
    }
  return done;
}

/* ---- Replaying local changes -------------------------------------------------- */

static char *
flags_to_imap (guint flags)
{
  static const struct { guint flag; const char *name; } names[] = {
    { LB_FLAG_SEEN, "\\Seen" }, { LB_FLAG_ANSWERED, "\\Answered" },
    { LB_FLAG_FLAGGED, "\\Flagged" }, { LB_FLAG_DELETED, "\\Deleted" },
    { LB_FLAG_DRAFT, "\\Draft" }, { LB_FLAG_FORWARDED, "$Forwarded" },
    { LB_FLAG_JUNK, "$Junk" },
  };
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (flags & names[i].flag)
      {
        if (s->len > 0)
          g_string_append_c (s, ' ');
        g_string_append (s, names[i].name);
      }
  return g_string_free (s, FALSE);
}

static gboolean
valid_uid_set (const char *set)
{
  if (set == NULL || *set == '\0')
    return FALSE;
  for (const char *p = set; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && *p != ':' && *p != ',')
      return FALSE;
  return TRUE;
}

static gboolean
run (LbImapSync    *self,
     GCancellable  *cancellable,
     GError       **error,
     const char    *format,
     ...) G_GNUC_PRINTF (4, 5);

static gboolean
run (LbImapSync    *self,
     GCancellable  *cancellable,
     GError       **error,
     const char    *format,
     ...)
{
  /* The format is checked at the declaration above. */
  g_autofree char *command = NULL;
  g_autoptr(LbImapResponse) ok = NULL;
  va_list args;

  va_start (args, format);
  command = g_strdup_vprintf (format, args);
  va_end (args);
  ok = lb_imap_session_command_sync (self->session, NULL, NULL, cancellable, error, "%s", command);
  return ok != NULL;
}

/* Removes messages for good: UID EXPUNGE touches only ours (UIDPLUS); a plain EXPUNGE
 * would also remove what other clients marked \Deleted, so it is the last resort. */
static gboolean
expunge_uids (LbImapSync    *self,
              const char    *set,
              GCancellable  *cancellable,
              GError       **error)
{
  if (!run (self, cancellable, error, "UID STORE %s +FLAGS.SILENT (\\Deleted)", set))
    return FALSE;
  if (lb_imap_session_has_capability (self->session, "UIDPLUS"))
    return run (self, cancellable, error, "UID EXPUNGE %s", set);
  return run (self, cancellable, error, "EXPUNGE");
}

static gboolean
move_uids (LbImapSync    *self,
           const char    *set,
           gint64         dest_id,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(LbStoreFolder) dest = lb_store_get_folder (self->store, dest_id, error);
  g_autofree char *quoted = NULL;

  if (dest == NULL)
    return FALSE;
  quoted = lb_imap_quote_mailbox (dest->raw_name);
  if (lb_imap_session_has_capability (self->session, "MOVE"))
    return run (self, cancellable, error, "UID MOVE %s %s", set, quoted);
  /* 163 has no MOVE: copy, then remove the original. */
  return run (self, cancellable, error, "UID COPY %s %s", set, quoted) &&
         expunge_uids (self, set, cancellable, error);
}

static gboolean
replay_one (LbImapSync        *self,
            LbStorePendingOp  *op,
            GCancellable      *cancellable,
            GError           **error)
{
  g_autofree char *flags = NULL;
  gint64 trash;

  if (!valid_uid_set (op->uids))
    return TRUE;   /* nothing that can be sent: drop it */
  if (!ensure_selected (self, op->folder_id, NULL, cancellable, error))
    return FALSE;

  switch (op->kind)
    {
    case LB_STORE_OP_FLAG:
    case LB_STORE_OP_UNFLAG:
      flags = flags_to_imap ((guint) g_ascii_strtoull (op->args != NULL ? op->args : "0", NULL, 10));
      if (*flags == '\0')
        return TRUE;
      return run (self, cancellable, error, "UID STORE %s %cFLAGS.SILENT (%s)", op->uids,
                  op->kind == LB_STORE_OP_FLAG ? '+' : '-', flags);
    case LB_STORE_OP_MOVE:
      return move_uids (self, op->uids, g_ascii_strtoll (op->args != NULL ? op->args : "0", NULL, 10),
                        cancellable, error);
    case LB_STORE_OP_DELETE:
      trash = lb_imap_sync_find_folder (self, LB_FOLDER_ROLE_TRASH);
      /* Deleting moves to Trash (Gmail: the only real delete); in Trash it is final. */
      if (trash > 0 && trash != op->folder_id)
        return move_uids (self, op->uids, trash, cancellable, error);
      return expunge_uids (self, op->uids, cancellable, error);
    case LB_STORE_OP_EXPUNGE:
      return expunge_uids (self, op->uids, cancellable, error);
    case LB_STORE_OP_APPEND:
    default:
      return TRUE;
    }
}

/**
 * lb_imap_sync_replay:
 * @out_failed: (out) (optional): how many operations the server refused
 *
 * Sends the queued local changes to the server, oldest first.  A change the server
 * refuses is dropped and its folder marked for a full flag comparison, so the next sync
 * restores the server's state in the store (the local change is reverted) and the error
 * names why.  A network failure stops the replay; the queue survives for the next try.
 */
gboolean
lb_imap_sync_replay (LbImapSync    *self,
                     guint         *out_failed,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GPtrArray) ops = lb_store_list_ops (self->store, self->account_id, error);
  guint failed = 0;

  if (out_failed != NULL)
    *out_failed = 0;
  if (ops == NULL)
    return FALSE;
  for (guint i = 0; i < ops->len; i++)
    {
      LbStorePendingOp *op = g_ptr_array_index (ops, i);
      g_autoptr(GError) local_error = NULL;

      if (replay_one (self, op, cancellable, &local_error))
        {
          if (!lb_store_remove_op (self->store, op->id, error))
            return FALSE;
          continue;
        }
      if (g_error_matches (local_error, LB_ERROR, LB_ERROR_SERVER_NO) ||
          g_error_matches (local_error, LB_ERROR, LB_ERROR_PROTOCOL) ||
          g_error_matches (local_error, LB_ERROR, LB_ERROR_NOT_FOUND))
        {
          g_autoptr(LbStoreFolder) folder = lb_store_get_folder (self->store, op->folder_id, NULL);

          g_message ("The server refused a change (%s); it is undone locally",
                     local_error->message);
          failed++;
          if (!lb_store_remove_op (self->store, op->id, error))
            return FALSE;
          if (folder != NULL &&
              !lb_store_set_folder_sync_state (self->store, folder->id, folder->uidvalidity,
                                               folder->uidnext, 0, error))
            return FALSE;
          continue;
        }
      lb_store_update_op_attempts (self->store, op->id, op->attempts + 1, local_error->message, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (out_failed != NULL)
    *out_failed = failed;
  return TRUE;
}
