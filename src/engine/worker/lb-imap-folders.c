/* lb-imap-folders.c: folder management on the server (see lb-imap-folders.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lb-error.h"
#include "lb-imap-folders.h"
#include "lb-imap-sync-private.h"
#include "lb-mutf7.h"
#include "lb-store-folders.h"
#include "lb-text-sanitize.h"

/* The longest folder name accepted, in characters: servers limit the encoded name
 * (Dovecot to 255 bytes per level), and Chinese takes about three bytes a character
 * in modified UTF-7. */
#define FOLDER_NAME_MAX_CHARS 80

/**
 * lb_imap_folders_check_name:
 * @name: a folder name as the user typed it (one level, UTF-8)
 * @delimiter: the account's hierarchy delimiter, or '\0'
 *
 * Refuses names no server takes or that would mean something else: empty, too long,
 * with the hierarchy delimiter (which would make a subfolder by stealth), LIST's
 * wildcards `%` and `*`, or control characters.
 *
 * Returns: %TRUE if @name can be a folder's name
 */
gboolean
lb_imap_folders_check_name (const char  *name,
                            char         delimiter,
                            GError     **error)
{
  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_FAILED, _("The folder needs a name."));
      return FALSE;
    }
  if (g_utf8_strlen (name, -1) > FOLDER_NAME_MAX_CHARS)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_FAILED,
                   _("Folder names can have at most %d characters."), FOLDER_NAME_MAX_CHARS);
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((delimiter != '\0' && c == (gunichar) delimiter) || c == '%' || c == '*' ||
          g_unichar_iscntrl (c))
        {
          if (delimiter != '\0' && c == (gunichar) delimiter)
            g_set_error (error, LB_ERROR, LB_ERROR_FAILED,
                         _("Folder names cannot contain “%c”: this server uses it between folders."),
                         delimiter);
          else
            g_set_error_literal (error, LB_ERROR, LB_ERROR_FAILED,
                                 _("Folder names cannot contain “%”, “*” or control characters."));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
run (LbImapSync    *self,
     GCancellable  *cancellable,
     GError       **error,
     const char    *verb,
     const char    *raw_name,
     const char    *more)
{
  g_autofree char *quoted = lb_imap_quote_mailbox (raw_name);
  g_autoptr(LbImapResponse) ok = NULL;

  ok = lb_imap_session_command_sync (self->session, NULL, NULL, cancellable, error, "%s %s%s%s",
                                     verb, quoted, more != NULL ? " " : "",
                                     more != NULL ? more : "");
  return ok != NULL;
}

/* SUBSCRIBE or UNSUBSCRIBE, as other clients expect; a server that refuses it still
 * did what mattered, so only a broken connection is an error. */
static gboolean
subscribe (LbImapSync    *self,
           const char    *verb,
           const char    *raw_name,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (run (self, cancellable, &local_error, verb, raw_name, NULL))
    return TRUE;
  if (lb_imap_sync_is_folder_error (self, local_error))
    {
      g_debug ("%s %s: %s", verb, raw_name, local_error->message);
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static char
folder_delimiter (LbImapSync          *self,
                  const LbStoreFolder *folder)
{
  if (folder != NULL && folder->delimiter != NULL && folder->delimiter[0] != '\0')
    return folder->delimiter[0];
  return lb_imap_session_get_delimiter (self->session);
}

static gint64
find_by_raw_name (LbImapSync *self,
                  const char *raw_name,
                  GError    **error)
{
  g_autoptr(GPtrArray) folders = lb_store_list_folders (self->store, self->account_id, error);

  if (folders == NULL)
    return -1;
  for (guint i = 0; i < folders->len; i++)
    {
      LbStoreFolder *f = g_ptr_array_index (folders, i);
      if (g_strcmp0 (f->raw_name, raw_name) == 0)
        return f->id;
    }
  return 0;
}

/* A folder of this account that the user may rename or delete. */
static LbStoreFolder *
get_plain_folder (LbImapSync  *self,
                  gint64       folder_id,
                  const char  *refusal,
                  GError     **error)
{
  g_autoptr(LbStoreFolder) folder = lb_store_get_folder (self->store, folder_id, error);

  if (folder == NULL)
    return NULL;
  if (folder->account_id != self->account_id)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_NOT_FOUND, "Folder %" G_GINT64_FORMAT
                   " is not in this account", folder_id);
      return NULL;
    }
  if (folder->role != LB_FOLDER_ROLE_NONE || g_ascii_strcasecmp (folder->raw_name, "INBOX") == 0)
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_UNSUPPORTED, refusal);
      return NULL;
    }
  return g_steal_pointer (&folder);
}

static gboolean
exists_already (LbImapSync  *self,
                const char  *raw_name,
                const char  *name,
                GError     **error)
{
  gint64 id = find_by_raw_name (self, raw_name, error);

  if (id < 0)
    return TRUE;
  if (id > 0)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_FAILED, _("A folder named “%s” exists already."),
                   name);
      return TRUE;
    }
  return FALSE;
}

/**
 * lb_imap_folders_create:
 * @parent_id: the folder to create it in, or 0 for the top level (the personal
 *   namespace)
 * @name: the new folder's name, one level, in UTF-8 (sent in modified UTF-7)
 *
 * Creates and subscribes a folder, then lists the folders again so the store has it
 * with the server's own attributes.
 *
 * Returns: the new folder's id, or 0 with @error set
 */
gint64
lb_imap_folders_create (LbImapSync    *self,
                        gint64         parent_id,
                        const char    *name,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(LbStoreFolder) parent = NULL;
  g_autoptr(LbStoreFolder) folder = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *raw_name = NULL;
  gint64 id;
  char delimiter;

  if (!lb_imap_sync_connect (self, cancellable, error))
    return 0;
  if (parent_id > 0 && (parent = lb_store_get_folder (self->store, parent_id, error)) == NULL)
    return 0;
  delimiter = folder_delimiter (self, parent);
  if (!lb_imap_folders_check_name (name, delimiter, error))
    return 0;
  if (parent != NULL && delimiter == '\0')
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_UNSUPPORTED,
                           _("This server does not keep folders inside folders."));
      return 0;
    }
  encoded = lb_mutf7_encode (name);
  if (parent != NULL)
    raw_name = g_strdup_printf ("%s%c%s", parent->raw_name, delimiter, encoded);
  else
    {
      const char *prefix = lb_imap_session_get_namespace_prefix (self->session);
      raw_name = g_strconcat (prefix != NULL ? prefix : "", encoded, NULL);
    }
  if (exists_already (self, raw_name, name, error))
    return 0;

  if (!run (self, cancellable, error, "CREATE", raw_name, NULL) ||
      !subscribe (self, "SUBSCRIBE", raw_name, cancellable, error) ||
      !lb_imap_sync_folders (self, cancellable, error))
    return 0;
  id = find_by_raw_name (self, raw_name, error);
  if (id != 0)
    return MAX (id, 0);
  /* Listed later by some servers: recorded now, so it shows at once; the next LIST
   * confirms it or takes it away. */
  folder = lb_store_folder_new ();
  folder->account_id = self->account_id;
  folder->raw_name = g_strdup (raw_name);
  folder->display_name = lb_text_sanitize_server (name, -1);
  folder->delimiter = delimiter != '\0' ? g_strndup (&delimiter, 1) : NULL;
  folder->subscribed = TRUE;
  folder->selectable = TRUE;
  id = lb_store_upsert_folder (self->store, folder, error);
  if (id > 0)
    _lb_imap_sync_emit_folders_changed (self);
  return id;
}

static gboolean
is_in_tree (const char *raw_name,
            const char *root,
            char        delimiter)
{
  gsize n = strlen (root);

  if (strcmp (raw_name, root) == 0)
    return TRUE;
  return delimiter != '\0' && strncmp (raw_name, root, n) == 0 && raw_name[n] == delimiter;
}

/* Leaves the folder (or one under it) if it is selected, so that it can be renamed or
 * deleted: UNSELECT where the server has it, else SELECT INBOX (never CLOSE, which would
 * expunge; and not EXAMINE, since the session would then hold INBOX read-only for the
 * next change to it). */
static gboolean
unselect (LbImapSync    *self,
          const char    *root,
          char           delimiter,
          GCancellable  *cancellable,
          GError       **error)
{
  const char *selected = lb_imap_session_get_selected (self->session);
  g_autoptr(LbImapResponse) ok = NULL;

  if (selected == NULL || !is_in_tree (selected, root, delimiter))
    return TRUE;
  if (lb_imap_session_has_capability (self->session, "UNSELECT"))
    {
      ok = lb_imap_session_command_sync (self->session, NULL, NULL, cancellable, error, "UNSELECT");
      return ok != NULL;
    }
  return lb_imap_session_select_sync (self->session, "INBOX", FALSE, NULL, NULL, NULL, NULL,
                                      cancellable, error);
}

static int
deepest_first (gconstpointer a,
               gconstpointer b)
{
  const LbStoreFolder *x = *(LbStoreFolder * const *) a;
  const LbStoreFolder *y = *(LbStoreFolder * const *) b;

  return (int) strlen (y->raw_name) - (int) strlen (x->raw_name);
}

/* The folder and every folder under it, deepest first; NULL with an error if one of
 * them is special (a Sent inside a plain folder must not go or move with it). */
static GPtrArray *
folder_tree (LbImapSync           *self,
             const LbStoreFolder  *root,
             char                  delimiter,
             GError              **error)
{
  g_autoptr(GPtrArray) all = lb_store_list_folders (self->store, self->account_id, error);
  g_autoptr(GPtrArray) tree = NULL;

  if (all == NULL)
    return NULL;
  tree = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_folder_free);
  for (guint i = 0; i < all->len; i++)
    {
      LbStoreFolder *f = g_ptr_array_index (all, i);

      if (!is_in_tree (f->raw_name, root->raw_name, delimiter))
        continue;
      if (f->role != LB_FOLDER_ROLE_NONE)
        {
          g_set_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED,
                       _("“%s” holds the special folder “%s”, which must stay as it is."),
                       root->display_name, f->display_name);
          return NULL;
        }
      g_ptr_array_add (tree, g_ptr_array_steal_index (all, i--));
    }
  g_ptr_array_sort (tree, deepest_first);
  return g_steal_pointer (&tree);
}

/**
 * lb_imap_folders_rename:
 * @name: the new name of the folder's own level (it stays where it is in the tree)
 *
 * Renames a folder that has no role; its subfolders move with it, on the server and in
 * the store, keeping their cached mail.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_imap_folders_rename (LbImapSync    *self,
                        gint64         folder_id,
                        const char    *name,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(LbStoreFolder) folder = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *raw_name = NULL;
  g_autofree char *display = NULL;
  g_autofree char *new_quoted = NULL;
  g_autoptr(GPtrArray) tree = NULL;
  const char *leaf;
  char delimiter;

  folder = get_plain_folder (self, folder_id, _("Special folders cannot be renamed."), error);
  if (folder == NULL || !lb_imap_sync_connect (self, cancellable, error))
    return FALSE;
  delimiter = folder_delimiter (self, folder);
  if (!lb_imap_folders_check_name (name, delimiter, error))
    return FALSE;
  encoded = lb_mutf7_encode (name);
  leaf = delimiter != '\0' ? strrchr (folder->raw_name, delimiter) : NULL;
  raw_name = leaf != NULL ? g_strdup_printf ("%.*s%s", (int) (leaf + 1 - folder->raw_name),
                                             folder->raw_name, encoded)
                          : g_strdup (encoded);
  if (g_strcmp0 (raw_name, folder->raw_name) == 0)
    return TRUE;
  if (exists_already (self, raw_name, name, error))
    return FALSE;
  /* A special folder inside (Gmail's [Gmail]/Sent Mail) would move with it. */
  tree = folder_tree (self, folder, delimiter, error);
  if (tree == NULL)
    return FALSE;

  new_quoted = lb_imap_quote_mailbox (raw_name);
  /* The old name may be selected: some servers refuse to rename it then. */
  if (!unselect (self, folder->raw_name, delimiter, cancellable, error) ||
      !subscribe (self, "UNSUBSCRIBE", folder->raw_name, cancellable, error) ||
      !run (self, cancellable, error, "RENAME", folder->raw_name, new_quoted) ||
      !subscribe (self, "SUBSCRIBE", raw_name, cancellable, error))
    return FALSE;
  display = lb_text_sanitize_server (name, -1);
  if (!lb_store_rename_folder_tree (self->store, self->account_id, folder->raw_name, raw_name,
                                    delimiter, display, error))
    return FALSE;
  _lb_imap_sync_emit_folders_changed (self);
  /* The server's own view, which may differ (a server that renames children lazily). */
  return lb_imap_sync_folders (self, cancellable, error);
}

/**
 * lb_imap_folders_delete:
 *
 * Deletes a folder that has no role, with its subfolders and the mail in them, on the
 * server and then in the store.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_imap_folders_delete (LbImapSync    *self,
                        gint64         folder_id,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(LbStoreFolder) folder = NULL;
  g_autoptr(GPtrArray) tree = NULL;
  char delimiter;

  folder = get_plain_folder (self, folder_id, _("Special folders cannot be deleted."), error);
  if (folder == NULL || !lb_imap_sync_connect (self, cancellable, error))
    return FALSE;
  delimiter = folder_delimiter (self, folder);
  tree = folder_tree (self, folder, delimiter, error);
  if (tree == NULL || !unselect (self, folder->raw_name, delimiter, cancellable, error))
    return FALSE;
  for (guint i = 0; i < tree->len; i++)
    {
      LbStoreFolder *f = g_ptr_array_index (tree, i);
      g_autoptr(GError) local_error = NULL;

      if (!subscribe (self, "UNSUBSCRIBE", f->raw_name, cancellable, error))
        return FALSE;
      /* A \Noselect parent that only held children may be gone with them already. */
      if (!run (self, cancellable, &local_error, "DELETE", f->raw_name, NULL) &&
          !(f->id != folder->id && lb_imap_sync_is_folder_error (self, local_error)))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (!lb_store_remove_folder (self->store, f->id, error))
        return FALSE;
    }
  _lb_imap_sync_emit_folders_changed (self);
  return lb_imap_sync_folders (self, cancellable, error);
}

/**
 * lb_imap_folders_empty:
 *
 * Removes every message of the Trash or Junk folder for good (what the user confirmed),
 * then syncs the folder so the store follows.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_imap_folders_empty (LbImapSync    *self,
                       gint64         folder_id,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(LbStoreFolder) folder = lb_store_get_folder (self->store, folder_id, error);
  g_autoptr(LbImapResponse) ok = NULL;
  LbImapSelectInfo info = { 0 };

  if (folder == NULL)
    return FALSE;
  if (folder->account_id != self->account_id ||
      (folder->role != LB_FOLDER_ROLE_TRASH && folder->role != LB_FOLDER_ROLE_JUNK))
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_UNSUPPORTED,
                           _("Only Trash and Junk can be emptied."));
      return FALSE;
    }
  if (!lb_imap_sync_connect (self, cancellable, error) ||
      !lb_imap_session_select_sync (self->session, folder->raw_name, FALSE, NULL, NULL, NULL, &info,
                                    cancellable, error))
    return FALSE;
  if (info.exists > 0)
    {
      ok = lb_imap_session_command_sync (self->session, NULL, NULL, cancellable, error,
                                         "STORE 1:* +FLAGS.SILENT (\\Deleted)");
      if (ok == NULL)
        return FALSE;
      g_clear_pointer (&ok, lb_imap_response_unref);
      /* Every \Deleted message goes, including ones another client marked: in Trash
       * and Junk that is what emptying means. */
      ok = lb_imap_session_command_sync (self->session, NULL, NULL, cancellable, error, "EXPUNGE");
      if (ok == NULL)
        return FALSE;
    }
  return lb_imap_sync_folder (self, folder_id, cancellable, error);
}

/**
 * lb_imap_folders_append:
 * @flags: (nullable): the message's flags, e.g. `\Seen \Flagged`
 * @message: the raw message
 *
 * Puts a copy of a message from another account into a folder, then syncs the folder
 * so the copy is in the store.  Success means the server confirmed the APPEND: only
 * then may the original be removed.
 *
 * Returns: %TRUE once the server holds the copy
 */
gboolean
lb_imap_folders_append (LbImapSync    *self,
                        gint64         folder_id,
                        const char    *flags,
                        GBytes        *message,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(LbStoreFolder) folder = lb_store_get_folder (self->store, folder_id, error);
  g_autoptr(GError) local_error = NULL;

  if (folder == NULL)
    return FALSE;
  if (folder->account_id != self->account_id)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_NOT_FOUND, "Folder %" G_GINT64_FORMAT
                   " is not in this account", folder_id);
      return FALSE;
    }
  if (!lb_imap_sync_connect (self, cancellable, error) ||
      !lb_imap_session_append_sync (self->session, folder->raw_name, flags, message, NULL,
                                    cancellable, error))
    return FALSE;
  /* The copy is safe now; a failed sync only delays showing it. */
  if (!lb_imap_sync_folder (self, folder_id, cancellable, &local_error))
    g_debug ("The copy is on the server; its folder sync failed: %s", local_error->message);
  return TRUE;
}
