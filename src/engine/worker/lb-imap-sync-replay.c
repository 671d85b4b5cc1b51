/* lb-imap-sync-replay.c: local changes (flags, moves, expunges) sent to the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

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

/* Mark as Junk / Not Junk tells the server's filter too, with the keywords most filters
 * read (RFC 5788's registry), before the move takes the message away.  A mailbox that
 * does not keep new keywords (no `\*` in PERMANENTFLAGS) gets none: the move alone says
 * it, and a STORE the server would refuse must not undo the move. */
static gboolean
mark_junk_keywords (LbImapSync    *self,
                    const char    *set,
                    const char    *args,
                    GCancellable  *cancellable,
                    GError       **error)
{
  const char *mark = args != NULL ? strchr (args, ';') : NULL;
  gboolean junk;

  if (mark == NULL || !lb_imap_session_selected_allows_keywords (self->session))
    return TRUE;
  junk = g_str_equal (mark, ";junk");
  if (!junk && !g_str_equal (mark, ";notjunk"))
    return TRUE;
  return run (self, cancellable, error, "UID STORE %s +FLAGS.SILENT (%s)", set,
              junk ? "$Junk" : "$NotJunk") &&
         run (self, cancellable, error, "UID STORE %s -FLAGS.SILENT (%s)", set,
              junk ? "$NotJunk" : "$Junk");
}

/* A copy made by dropping with Ctrl held: the original stays, and the destination is
 * synced at once so the copy shows there. */
static gboolean
copy_uids (LbImapSync    *self,
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
  if (!run (self, cancellable, error, "UID COPY %s %s", set, quoted))
    return FALSE;
  return lb_imap_sync_folder (self, dest_id, cancellable, error);
}

/* The destination of a move: a folder id, or "role:N" for the account's folder of that
 * role, created here when the account has none (lb-local-jobs.c). */
static gint64
move_destination (LbImapSync    *self,
                  const char    *args,
                  GCancellable  *cancellable,
                  GError       **error)
{
  gint64 id;

  if (args != NULL && g_str_has_prefix (args, "role:"))
    {
      gint64 role = g_ascii_strtoll (args + 5, NULL, 10);

      if (role != LB_FOLDER_ROLE_SENT && role != LB_FOLDER_ROLE_DRAFTS &&
          role != LB_FOLDER_ROLE_TRASH && role != LB_FOLDER_ROLE_JUNK &&
          role != LB_FOLDER_ROLE_ARCHIVE)
        {
          g_set_error (error, LB_ERROR, LB_ERROR_NOT_FOUND, "No folder for role %s", args + 5);
          return 0;
        }
      return lb_imap_sync_ensure_folder (self, (LbFolderRole) role, cancellable, error);
    }
  id = g_ascii_strtoll (args != NULL ? args : "0", NULL, 10);
  if (id <= 0)
    g_set_error (error, LB_ERROR, LB_ERROR_NOT_FOUND, "No destination folder");
  return MAX (id, 0);
}

/* Deleting moves to Trash (Gmail: the only real delete), created if the account has
 * none; in Trash, or where the server will not make one, it is final. */
static gboolean
delete_uids (LbImapSync        *self,
             LbStorePendingOp  *op,
             GCancellable      *cancellable,
             GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 trash = lb_imap_sync_ensure_folder (self, LB_FOLDER_ROLE_TRASH, cancellable, &local_error);

  if (trash == 0 && !lb_imap_sync_is_folder_error (self, local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (trash == 0)
    g_debug ("No Trash folder (%s): deleting for good", local_error->message);
  /* Creating Trash may have listed and selected other folders. */
  if (!_lb_imap_sync_ensure_selected (self, op->folder_id, NULL, cancellable, error))
    return FALSE;
  if (trash > 0 && trash != op->folder_id)
    return move_uids (self, op->uids, trash, cancellable, error);
  return expunge_uids (self, op->uids, cancellable, error);
}

static gboolean
replay_one (LbImapSync        *self,
            LbStorePendingOp  *op,
            GCancellable      *cancellable,
            GError           **error)
{
  g_autofree char *flags = NULL;
  gint64 dest;

  if (!valid_uid_set (op->uids))
    return TRUE;   /* nothing that can be sent: drop it */
  if (op->kind == LB_STORE_OP_DELETE)
    return delete_uids (self, op, cancellable, error);
  /* The destination first: creating it lists folders, and the move needs the source
   * selected afterwards. */
  dest = op->kind == LB_STORE_OP_MOVE || op->kind == LB_STORE_OP_COPY
         ? move_destination (self, op->args, cancellable, error) : 0;
  if ((op->kind == LB_STORE_OP_MOVE || op->kind == LB_STORE_OP_COPY) && dest == 0)
    return FALSE;
  if (!_lb_imap_sync_ensure_selected (self, op->folder_id, NULL, cancellable, error))
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
      return mark_junk_keywords (self, op->uids, op->args, cancellable, error) &&
             move_uids (self, op->uids, dest, cancellable, error);
    case LB_STORE_OP_COPY:
      return copy_uids (self, op->uids, dest, cancellable, error);
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
