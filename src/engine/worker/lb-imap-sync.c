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
#include "lb-error-map.h"
#include "lb-folder-role.h"
#include "lb-imap-parser.h"
#include "lb-imap-sync-private.h"
#include "lb-mime.h"
#include "lb-mime-message.h"
#include "lb-store-locations.h"
#include "lb-mutf7.h"
#include "lb-provider.h"
#include "lb-secrets.h"
#include "lb-text-sanitize.h"

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
    lb_provider_get_quirks (provider, &self->quirks);
  self->session = lb_imap_session_new ();
  lb_imap_session_set_provider (self->session, self->provider);
  if (callbacks != NULL)
    self->callbacks = *callbacks;
  self->user_data = user_data;
  self->full_checks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->body_cursors = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
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
  g_clear_pointer (&self->full_checks, g_hash_table_unref);
  g_clear_pointer (&self->body_cursors, g_hash_table_unref);
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

LbImapSession *lb_imap_sync_get_session (LbImapSync *self) { return self->session; }
const LbQuirks *lb_imap_sync_get_quirks (LbImapSync *self) { return &self->quirks; }

void
_lb_imap_sync_emit_folders_changed (LbImapSync *self)
{
  if (self->callbacks.folders_changed != NULL)
    self->callbacks.folders_changed (self->user_data);
}

void
_lb_imap_sync_emit_messages_changed (LbImapSync *self,
                       gint64      folder_id)
{
  if (self->callbacks.messages_changed != NULL)
    self->callbacks.messages_changed (folder_id, self->user_data);
}

void
_lb_imap_sync_emit_progress (LbImapSync *self,
               gint64      folder_id,
               guint       done,
               guint       total)
{
  if (self->callbacks.progress != NULL)
    self->callbacks.progress (folder_id, done, total, self->user_data);
}

/**
 * lb_imap_sync_get_secret:
 * @refused: (nullable): see #LbImapPasswordFunc
 *
 * The account's secret from the password function, for the account's other uses of it
 * (SMTP); an OAuth2 account gets its shared access token.
 *
 * Returns: (transfer full): the secret, or %NULL with @error set
 */
char *
lb_imap_sync_get_secret (LbImapSync    *self,
                         const char    *refused,
                         GCancellable  *cancellable,
                         GError       **error)
{
  if (self->password_func == NULL)
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_SECRET, "No way to get the password");
      return NULL;
    }
  return self->password_func (self->password_data, refused, cancellable, error);
}

/**
 * lb_imap_sync_login:
 *
 * Connects @session with the secret from @func.  An OAuth2 login the server refuses is
 * retried once with a refreshed access token (the server's clock may say the token
 * expired before ours does); a refused password is not retried.
 *
 * Returns: %TRUE when logged in
 */
gboolean
lb_imap_sync_login (LbImapSession         *session,
                    const LbServerConfig  *config,
                    LbImapPasswordFunc     func,
                    gpointer               user_data,
                    gboolean               id_required,
                    GCancellable          *cancellable,
                    GError               **error)
{
  g_autoptr(LbSecret) secret = func (user_data, NULL, cancellable, error);
  g_autoptr(LbSecret) fresh = NULL;
  g_autoptr(GError) local_error = NULL;

  if (secret == NULL)
    return FALSE;
  if (lb_imap_session_connect_sync (session, config, secret, id_required, cancellable,
                                    &local_error))
    return TRUE;
  if (!LB_AUTH_IS_TOKEN (config->auth) || !g_error_matches (local_error, LB_ERROR, LB_ERROR_AUTH))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_debug ("The server refused the access token; refreshing it once");
  fresh = func (user_data, secret, cancellable, error);
  if (fresh == NULL)
    return FALSE;
  return lb_imap_session_connect_sync (session, config, fresh, id_required, cancellable, error);
}

gboolean
lb_imap_sync_connect (LbImapSync    *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  if (lb_imap_session_is_connected (self->session))
    return TRUE;

  if (self->password_func == NULL)
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_SECRET, "No way to get the password");
      return FALSE;
    }
  if (!lb_imap_sync_login (self->session, self->config, self->password_func,
                           self->password_data, self->quirks.id_required, cancellable, error))
    return FALSE;
  lb_quirks_merge_capabilities (&self->quirks,
                                lb_imap_session_get_capabilities (self->session));
  return TRUE;
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

/* Sends LIST (or XLIST) and collects every folder the server names. */
static GPtrArray *
list_server_folders (LbImapSync    *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GPtrArray) lists = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_imap_response_unref);
  g_autoptr(LbImapResponse) ok = NULL;
  ListData d = { lists };
  gboolean use_xlist;

  /* SPECIAL-USE attributes come with a plain LIST; XLIST is Gmail's and QQ's older way. */
  use_xlist = !lb_imap_session_has_capability (self->session, "SPECIAL-USE") &&
              lb_imap_session_has_capability (self->session, "XLIST");
  ok = lb_imap_session_command_sync (self->session, collect_list, &d, cancellable, error,
                                     "%s \"\" \"*\"", use_xlist ? "XLIST" : "LIST");
  if (ok == NULL)
    return NULL;
  return g_steal_pointer (&lists);
}

static const LbImapList *
list_at (GPtrArray *lists,
         guint      i)
{
  return &((LbImapResponse *) g_ptr_array_index (lists, i))->u.list_data;
}

/* Decodes every listed name (NULL for names that do not exist) and gives each folder
 * its role: INBOX and SPECIAL-USE/XLIST attributes first, for every folder; only then
 * names, for folders still without one.  One folder per role. */
static void
assign_roles (LbImapSync    *self,
              GPtrArray     *lists,
              GPtrArray     *decoded,
              GPtrArray     *stored,
              LbFolderRole  *roles)
{
  LbFolderRole taken[LB_FOLDER_ROLE_OUTBOX + 1] = { 0 };

  for (guint i = 0; i < lists->len; i++)
    {
      const LbImapList *l = list_at (lists, i);
      LbFolderRole role;
      char *name;

      if (l->name == NULL || (l->attrs & LB_IMAP_LIST_NONEXISTENT))
        continue;
      name = lb_mutf7_decode (l->name, NULL);
      if (name == NULL)
        name = g_utf8_make_valid (l->name, -1);
      g_ptr_array_index (decoded, i) = name;
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
      LbFolderRole role;

      const char *name = g_ptr_array_index (decoded, i);

      if (name == NULL || roles[i] != LB_FOLDER_ROLE_NONE)
        continue;
      role = lb_folder_role_from_name (self->provider, name, list_at (lists, i)->name);
      if (role != LB_FOLDER_ROLE_NONE && !taken[role])
        {
          roles[i] = role;
          taken[role] = TRUE;
        }
    }
  /* Last, a role the store already gave a folder that neither attributes nor name
   * tell: a special folder Letterbox created with plain CREATE under a name the
   * lists above do not know (see lb_imap_sync_ensure_folder()). */
  for (guint i = 0; i < lists->len; i++)
    {
      if (g_ptr_array_index (decoded, i) == NULL || roles[i] != LB_FOLDER_ROLE_NONE)
        continue;
      for (guint j = 0; j < stored->len; j++)
        {
          LbStoreFolder *s = g_ptr_array_index (stored, j);
          if (g_strcmp0 (s->raw_name, list_at (lists, i)->name) == 0 &&
              s->role > LB_FOLDER_ROLE_INBOX && s->role < LB_FOLDER_ROLE_OUTBOX && !taken[s->role])
            {
              roles[i] = s->role;
              taken[s->role] = TRUE;
            }
        }
    }
}

/* Writes one listed folder to the store, keeping the sync state of the stored folder
 * of the same raw name.  Sets *changed when the sidebar has something new to show. */
static gboolean
store_listed_folder (LbImapSync        *self,
                     const LbImapList  *l,
                     const char        *decoded,
                     LbFolderRole       role,
                     GPtrArray         *stored,
                     gboolean          *changed,
                     GError           **error)
{
  g_autoptr(LbStoreFolder) folder = lb_store_folder_new ();
  const char *leaf;
  LbStoreFolder *old = NULL;

  for (guint j = 0; j < stored->len; j++)
    {
      LbStoreFolder *s = g_ptr_array_index (stored, j);
      if (g_strcmp0 (s->raw_name, l->name) == 0)
        old = s;
    }

  /* Display the leaf; the tree comes from raw names and the delimiter. */
  leaf = l->delimiter != '\0' ? strrchr (decoded, l->delimiter) : NULL;
  folder->account_id = self->account_id;
  folder->raw_name = g_strdup (l->name);
  /* The name is the server's text, shown in the sidebar and printed by the CLI. */
  folder->display_name = lb_text_sanitize_server (leaf != NULL ? leaf + 1 : decoded, -1);
  folder->delimiter = l->delimiter != '\0' ? g_strndup (&l->delimiter, 1) : NULL;
  folder->role = role;
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
      *changed |= old->role != folder->role ||
                  g_strcmp0 (old->display_name, folder->display_name) != 0 ||
                  old->selectable != folder->selectable;
    }
  else
    *changed = TRUE;

  return lb_store_upsert_folder (self->store, folder, error) > 0;
}

/* Removes the stored folders the server no longer lists (the local Outbox stays). */
static gboolean
remove_vanished_folders (LbImapSync  *self,
                         GPtrArray   *stored,
                         GHashTable  *seen,
                         gboolean    *changed,
                         GError     **error)
{
  for (guint j = 0; j < stored->len; j++)
    {
      LbStoreFolder *s = g_ptr_array_index (stored, j);
      if (!g_hash_table_contains (seen, s->raw_name) && s->role != LB_FOLDER_ROLE_OUTBOX)
        {
          if (!lb_store_remove_folder (self->store, s->id, error))
            return FALSE;
          *changed = TRUE;
        }
    }
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
  g_autoptr(GPtrArray) lists = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree LbFolderRole *roles = NULL;
  g_autoptr(GPtrArray) decoded = g_ptr_array_new_with_free_func (g_free);
  gboolean changed = FALSE;

  if (!lb_imap_sync_connect (self, cancellable, error))
    return FALSE;
  lists = list_server_folders (self, cancellable, error);
  if (lists == NULL)
    return FALSE;
  stored = lb_store_list_folders (self->store, self->account_id, error);
  if (stored == NULL)
    return FALSE;

  roles = g_new0 (LbFolderRole, lists->len);
  /* Names that do not exist stay NULL, so no GStrv: it would stop freeing at the first. */
  g_ptr_array_set_size (decoded, lists->len);
  assign_roles (self, lists, decoded, stored, roles);

  for (guint i = 0; i < lists->len; i++)
    {
      const LbImapList *l = list_at (lists, i);
      const char *name = g_ptr_array_index (decoded, i);

      if (name == NULL)
        continue;
      g_hash_table_add (seen, l->name);
      if (!store_listed_folder (self, l, name, roles[i], stored, &changed, error))
        return FALSE;
    }
  if (!remove_vanished_folders (self, stored, seen, &changed, error))
    return FALSE;
  if (changed)
    _lb_imap_sync_emit_folders_changed (self);
  return TRUE;
}

/* ---- Special folders the account lacks ------------------------------------ */

/* Neutral names, understood in any language and found again by name on the next
 * LIST (lb_folder_role_from_name() knows them all). */
static const char *
default_folder_name (LbFolderRole role)
{
  switch (role)
    {
    case LB_FOLDER_ROLE_SENT: return "Sent";
    case LB_FOLDER_ROLE_DRAFTS: return "Drafts";
    case LB_FOLDER_ROLE_TRASH: return "Trash";
    case LB_FOLDER_ROLE_JUNK: return "Junk";
    case LB_FOLDER_ROLE_ARCHIVE: return "Archive";
    default: return NULL;
    }
}

static const char *
special_use_attribute (LbFolderRole role)
{
  switch (role)
    {
    case LB_FOLDER_ROLE_SENT: return "\\Sent";
    case LB_FOLDER_ROLE_DRAFTS: return "\\Drafts";
    case LB_FOLDER_ROLE_TRASH: return "\\Trash";
    case LB_FOLDER_ROLE_JUNK: return "\\Junk";
    case LB_FOLDER_ROLE_ARCHIVE: return "\\Archive";
    default: return NULL;
    }
}

static gint64
find_folder_by_raw_name (LbImapSync *self,
                         const char *raw_name)
{
  g_autoptr(GPtrArray) folders = lb_store_list_folders (self->store, self->account_id, NULL);

  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      LbStoreFolder *f = g_ptr_array_index (folders, i);
      if (g_strcmp0 (f->raw_name, raw_name) == 0)
        return f->id;
    }
  return 0;
}

/* Records the folder of @raw_name (which the server has) with @role, keeping what the
 * store knows about it. */
static gint64
record_special_folder (LbImapSync    *self,
                       const char    *raw_name,
                       LbFolderRole   role,
                       GError       **error)
{
  g_autoptr(LbStoreFolder) folder = NULL;
  gint64 id = find_folder_by_raw_name (self, raw_name);
  char delimiter = lb_imap_session_get_delimiter (self->session);
  g_autofree char *decoded = lb_mutf7_decode (raw_name, NULL);
  const char *leaf;

  if (id > 0 && (folder = lb_store_get_folder (self->store, id, NULL)) != NULL)
    {
      folder->role = role;
      folder->selectable = TRUE;
    }
  else
    {
      if (decoded == NULL)
        decoded = g_utf8_make_valid (raw_name, -1);
      leaf = delimiter != '\0' ? strrchr (decoded, delimiter) : NULL;
      folder = lb_store_folder_new ();
      folder->account_id = self->account_id;
      folder->raw_name = g_strdup (raw_name);
      folder->display_name = g_strdup (leaf != NULL ? leaf + 1 : decoded);
      folder->delimiter = delimiter != '\0' ? g_strndup (&delimiter, 1) : NULL;
      folder->role = role;
      folder->attributes = g_strdup (special_use_attribute (role));
    }
  id = lb_store_upsert_folder (self->store, folder, error);
  if (id > 0)
    _lb_imap_sync_emit_folders_changed (self);
  return id;
}

/* CREATE, with the role where the server takes it (RFC 6154 CREATE-SPECIAL-USE), then
 * SUBSCRIBE as other clients expect of special folders. */
static gboolean
create_special_folder (LbImapSync    *self,
                       const char    *raw_name,
                       LbFolderRole   role,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *quoted = lb_imap_quote_mailbox (raw_name);
  g_autoptr(LbImapResponse) ok = NULL;
  g_autoptr(LbImapResponse) subscribed = NULL;
  g_autoptr(GError) local_error = NULL;

  if (lb_imap_session_has_capability (self->session, "CREATE-SPECIAL-USE"))
    ok = lb_imap_session_command_sync (self->session, NULL, NULL, cancellable, error,
                                       "CREATE %s (USE (%s))", quoted,
                                       special_use_attribute (role));
  else
    ok = lb_imap_session_command_sync (self->session, NULL, NULL, cancellable, error,
                                       "CREATE %s", quoted);
  if (ok == NULL)
    return FALSE;
  subscribed = lb_imap_session_command_sync (self->session, NULL, NULL, cancellable,
                                             &local_error, "SUBSCRIBE %s", quoted);
  if (subscribed != NULL)
    return TRUE;
  /* A server that refuses the subscription still has the folder; a lost connection
   * is the caller's business. */
  if (lb_imap_sync_is_folder_error (self, local_error))
    {
      g_debug ("SUBSCRIBE %s: %s", raw_name, local_error->message);
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/**
 * lb_imap_sync_ensure_folder:
 * @role: %LB_FOLDER_ROLE_SENT, _DRAFTS, _TRASH, _JUNK or _ARCHIVE
 *
 * The account's folder of @role, created on the server when the account has none, so
 * that an action that needs it (the copy of a sent message, a draft, archiving, moving
 * to Junk or Trash) is never dropped or turned into a delete.  The folder list is read
 * again first, in case another client made one; an account with All Mail but no
 * Archive (Gmail) archives to All Mail.  The new folder gets the provider's
 * own name for it or a neutral one ("Sent", "Archive"...) in the personal namespace,
 * is created with `USE (\Role)` where the server offers CREATE-SPECIAL-USE, and its
 * role is recorded in the store (and kept by later syncs even when the server does not
 * report it).  A name that exists already without the role is taken for it.
 *
 * Returns: the folder id, or 0 with @error set
 */
gint64
lb_imap_sync_ensure_folder (LbImapSync    *self,
                            LbFolderRole   role,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GError) create_error = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *raw_name = NULL;
  const char *name = NULL;
  const char *prefix;
  gint64 id;

  g_return_val_if_fail (default_folder_name (role) != NULL, 0);

  id = lb_imap_sync_find_folder (self, role);
  if (id > 0)
    return id;
  if (!lb_imap_sync_folders (self, cancellable, error))
    return 0;
  id = lb_imap_sync_find_folder (self, role);
  if (id > 0)
    return id;
  /* Gmail has no Archive: archiving is leaving INBOX for All Mail, as its web mail does. */
  if (role == LB_FOLDER_ROLE_ARCHIVE && (id = lb_imap_sync_find_folder (self, LB_FOLDER_ROLE_ALL)) > 0)
    return id;

  if (self->provider != NULL)
    name = lb_provider_get_folder_name (self->provider, role);
  if (name == NULL)
    name = default_folder_name (role);
  prefix = lb_imap_session_get_namespace_prefix (self->session);
  encoded = lb_mutf7_encode (name);
  raw_name = g_strconcat (prefix != NULL ? prefix : "", encoded, NULL);

  /* A folder of that name with another role or none is left alone, unless it is a
   * plain folder: then it simply becomes the special one. */
  id = find_folder_by_raw_name (self, raw_name);
  if (id > 0)
    {
      g_autoptr(LbStoreFolder) existing = lb_store_get_folder (self->store, id, error);

      if (existing == NULL)
        return 0;
      if (existing->role == LB_FOLDER_ROLE_NONE)
        return record_special_folder (self, raw_name, role, error);
      /* Not found, rather than a failure: the change that needed it is then undone
       * instead of being retried for ever. */
      g_set_error (error, LB_ERROR, LB_ERROR_NOT_FOUND,
                   "A folder named %s exists with another role", raw_name);
      return 0;
    }

  g_debug ("Account %" G_GINT64_FORMAT " has no folder of role %d: creating %s",
           self->account_id, role, raw_name);
  if (!create_special_folder (self, raw_name, role, cancellable, &create_error))
    {
      /* Someone may have made it since our LIST: take it if the server lists it now. */
      if (!lb_imap_sync_is_folder_error (self, create_error) ||
          !lb_imap_sync_folders (self, cancellable, NULL) ||
          find_folder_by_raw_name (self, raw_name) == 0)
        {
          g_propagate_error (error, g_steal_pointer (&create_error));
          return 0;
        }
    }
  return record_special_folder (self, raw_name, role, error);
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
 * lb_imap_sync_is_folder_error:
 * @error: how a folder sync failed
 *
 * Tells a failure of one folder (the server answered NO or BAD to a command about it:
 * no right to SELECT, the folder vanished since LIST) from a failure of the account
 * (the connection broke, the store failed, the sync was cancelled).  The session is
 * still connected after the former, so the other folders can be synced.
 *
 * Returns: %TRUE if only that folder failed
 */
gboolean
lb_imap_sync_is_folder_error (LbImapSync   *self,
                              const GError *error)
{
  if (error == NULL || !lb_imap_session_is_connected (self->session))
    return FALSE;
  return g_error_matches (error, LB_ERROR, LB_ERROR_SERVER_NO) ||
         g_error_matches (error, LB_ERROR, LB_ERROR_PROTOCOL);
}

/* The longest folder error kept, in characters: a tooltip, not a log. */
#define FOLDER_ERROR_MAX_CHARS 200

/* A folder failure as text for the sidebar and the CLI: the provider's friendly message
 * where one is known, else the server's own text through the one sanitiser every server
 * text goes through (valid UTF-8, no control or format characters), and short. */
char *
_lb_imap_sync_folder_error_text (LbImapSync   *self,
                                 const GError *error)
{
  g_autofree char *mapped = NULL;
  char *text;

  mapped = lb_error_map_server_text (self->provider, LB_ERROR_PHASE_IMAP_SELECT, error->message,
                                     strlen (error->message), NULL);
  text = lb_text_sanitize_server (mapped != NULL ? mapped : error->message, -1);
  if (g_utf8_strlen (text, -1) > FOLDER_ERROR_MAX_CHARS)
    *g_utf8_offset_to_pointer (text, FOLDER_ERROR_MAX_CHARS) = '\0';
  g_strchomp (text);
  if (*text == '\0')
    {
      g_free (text);
      text = g_strdup (_("The server refused to open this folder."));
    }
  return text;
}

/* Syncs one folder as part of the whole account: a failure of that folder alone has
 * been recorded on it by lb_imap_sync_folder() and does not stop the others. */
static gboolean
sync_folder_of_account (LbImapSync    *self,
                        gint64         folder_id,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (lb_imap_sync_folder (self, folder_id, cancellable, &local_error))
    return TRUE;
  if (lb_imap_sync_is_folder_error (self, local_error))
    {
      g_debug ("Folder %" G_GINT64_FORMAT " of account %" G_GINT64_FORMAT
               " not synced, the others go on: %s", folder_id, self->account_id,
               local_error->message);
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/**
 * lb_imap_sync_all:
 *
 * The folder list, then INBOX, then every other folder.  A folder the server refuses
 * keeps its error (see lb_imap_sync_is_folder_error()) and is retried by the next
 * sync; only a failure of the account as a whole makes this fail.
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
  if (inbox > 0 && !sync_folder_of_account (self, inbox, cancellable, error))
    return FALSE;
  folders = lb_store_list_folders (self->store, self->account_id, error);
  if (folders == NULL)
    return FALSE;
  for (guint i = 0; i < folders->len; i++)
    {
      LbStoreFolder *f = g_ptr_array_index (folders, i);
      if (f->id == inbox || !f->selectable || f->role == LB_FOLDER_ROLE_OUTBOX)
        continue;
      if (!sync_folder_of_account (self, f->id, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
_lb_imap_sync_ensure_selected (LbImapSync    *self,
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
