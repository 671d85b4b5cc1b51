/* lb-local-draft.c: drafts kept on this computer until the server has them
 *
 * The composer writes what the user typed every few seconds, so that neither a crash nor a
 * lost connection loses it.  The files live in the profile, one directory per account:
 *
 *   <data dir>/drafts/<account id>/<Message-ID>.eml
 *
 * (files written by older versions sit in drafts/ itself; their account is found by their
 * From).  A file stays only while the server's Drafts lacks that version: the composer
 * removes it once its server copy is stored, and lb_engine_push_local_drafts_async()
 * uploads the ones left behind when the account is back online.  The server copy keeps the
 * Message-ID, and saving a draft removes its older copies (lb-compose.c), so a pushed
 * draft never shows twice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "lb-draft.h"
#include "lb-engine-private.h"
#include "lb-identity.h"

G_DEFINE_BOXED_TYPE (LbLocalDraft, lb_local_draft, lb_local_draft_copy, lb_local_draft_free)

/**
 * lb_local_draft_copy:
 *
 * Returns: (transfer full): a copy of @draft
 */
LbLocalDraft *
lb_local_draft_copy (const LbLocalDraft *draft)
{
  LbLocalDraft *copy = g_new0 (LbLocalDraft, 1);

  copy->id = g_strdup (draft->id);
  copy->account_id = draft->account_id;
  copy->path = g_strdup (draft->path);
  copy->subject = g_strdup (draft->subject);
  copy->to = g_strdup (draft->to);
  copy->saved = draft->saved;
  return copy;
}

void
lb_local_draft_free (LbLocalDraft *draft)
{
  if (draft == NULL)
    return;
  g_free (draft->id);
  g_free (draft->path);
  g_free (draft->subject);
  g_free (draft->to);
  g_free (draft);
}

/**
 * lb_engine_get_local_drafts_dir:
 *
 * Returns: (transfer full): where this profile keeps its local drafts
 */
char *
lb_engine_get_local_drafts_dir (LbEngine *engine)
{
  g_return_val_if_fail (LB_IS_ENGINE (engine), NULL);

  return g_build_filename (engine->data_dir, "drafts", NULL);
}

/* A Message-ID that is safe as a file name: no directory, no hidden file. */
static gboolean
id_is_file_name (const char *id)
{
  return id != NULL && *id != '\0' && *id != '.' && strchr (id, '/') == NULL
         && strlen (id) < 200;
}

static char *
account_dir (LbEngine *engine,
             gint64    account_id)
{
  g_autofree char *root = lb_engine_get_local_drafts_dir (engine);
  g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);

  return g_build_filename (root, name, NULL);
}

static char *
draft_file (LbEngine   *engine,
            gint64      account_id,
            const char *id)
{
  g_autofree char *dir = account_id > 0 ? account_dir (engine, account_id)
                                        : lb_engine_get_local_drafts_dir (engine);
  g_autofree char *name = g_strconcat (id, ".eml", NULL);

  return g_build_filename (dir, name, NULL);
}

/* Every file of draft @id, in every account's directory and the legacy one. */
static GPtrArray *
files_of (LbEngine   *engine,
          const char *id)
{
  g_autofree char *root = lb_engine_get_local_drafts_dir (engine);
  g_autofree char *name = g_strconcat (id, ".eml", NULL);
  g_autoptr(GDir) dir = g_dir_open (root, 0, NULL);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *legacy = g_build_filename (root, name, NULL);
  const char *entry;

  if (g_file_test (legacy, G_FILE_TEST_EXISTS))
    g_ptr_array_add (paths, g_steal_pointer (&legacy));
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (root, entry, name, NULL);

      if (g_ascii_isdigit (entry[0]) && g_file_test (path, G_FILE_TEST_EXISTS))
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
  return paths;
}

/**
 * lb_engine_write_local_draft:
 * @engine: the engine
 * @account_id: the account whose Drafts it belongs in
 * @id: the draft's Message-ID, without brackets
 * @message: the draft, built with %LB_DRAFT_BUILD_KEEP_BCC
 * @error: why it could not be written
 *
 * Keeps @message on this computer, readable by the user only, replacing the draft's
 * earlier file (also one under another account, when the From changed).  Any thread.
 *
 * Returns: %TRUE when written
 */
gboolean
lb_engine_write_local_draft (LbEngine    *engine,
                             gint64       account_id,
                             const char  *id,
                             GBytes      *message,
                             GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) others = NULL;

  g_return_val_if_fail (LB_IS_ENGINE (engine), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (!id_is_file_name (id))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                           "The draft's Message-ID cannot be a file name");
      return FALSE;
    }
  dir = account_id > 0 ? account_dir (engine, account_id) : lb_engine_get_local_drafts_dir (engine);
  path = draft_file (engine, account_id, id);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  if (!g_file_set_contents_full (path, g_bytes_get_data (message, NULL), g_bytes_get_size (message),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  others = files_of (engine, id);
  for (guint i = 0; i < others->len; i++)
    if (!g_str_equal (g_ptr_array_index (others, i), path))
      g_unlink (g_ptr_array_index (others, i));
  return TRUE;
}

/**
 * lb_engine_delete_local_draft:
 * @id: the draft's Message-ID
 * @only_if: (nullable): delete only a file that still holds exactly these bytes (a newer
 *   version written meanwhile stays)
 *
 * Removes the draft's file from this computer (any account's).  Any thread.
 *
 * Returns: %TRUE if a file was removed
 */
gboolean
lb_engine_delete_local_draft (LbEngine   *engine,
                              const char *id,
                              GBytes     *only_if)
{
  g_autoptr(GPtrArray) paths = NULL;
  gboolean removed = FALSE;

  g_return_val_if_fail (LB_IS_ENGINE (engine), FALSE);

  if (!id_is_file_name (id))
    return FALSE;
  paths = files_of (engine, id);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);

      if (only_if != NULL)
        {
          g_autofree char *text = NULL;
          gsize len = 0;

          if (!g_file_get_contents (path, &text, &len, NULL) || len != g_bytes_get_size (only_if)
              || memcmp (text, g_bytes_get_data (only_if, NULL), len) != 0)
            continue;
        }
      removed |= g_unlink (path) == 0;
    }
  return removed;
}

/**
 * lb_engine_read_local_draft:
 * @id: the draft's Message-ID
 * @out_account_id: (out) (optional): the account it was written for, 0 if unknown
 *
 * Any thread.
 *
 * Returns: (transfer full) (nullable): the draft's bytes, or %NULL with @error set
 */
GBytes *
lb_engine_read_local_draft (LbEngine    *engine,
                            const char  *id,
                            gint64      *out_account_id,
                            GError     **error)
{
  g_autoptr(GPtrArray) paths = NULL;
  g_autofree char *root = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;

  g_return_val_if_fail (LB_IS_ENGINE (engine), NULL);

  paths = id_is_file_name (id) ? files_of (engine, id) : NULL;
  if (paths == NULL || paths->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("The draft is no longer on this computer."));
      return NULL;
    }
  if (!g_file_get_contents (g_ptr_array_index (paths, 0), &text, &len, error))
    return NULL;
  if (out_account_id != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (g_ptr_array_index (paths, 0));
      g_autofree char *base = g_path_get_basename (dir);

      root = lb_engine_get_local_drafts_dir (engine);
      *out_account_id = g_str_equal (dir, root) ? 0 : g_ascii_strtoll (base, NULL, 10);
    }
  return g_bytes_new_take (g_steal_pointer (&text), len);
}

/* Every account's addresses and aliases, casefolded, to its id: read on the main thread,
 * where the accounts live, for a listing on another. */
static GHashTable *
address_table (LbEngine *engine)
{
  GListModel *accounts = lb_engine_get_accounts (engine);
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (accounts, i);
      GPtrArray *aliases = lb_account_get_aliases (a);
      gint64 id = lb_account_get_id (a);

      g_hash_table_insert (table, g_ascii_strdown (lb_account_get_email (a), -1),
                           g_memdup2 (&id, sizeof id));
      for (guint j = 0; j < aliases->len; j++)
        g_hash_table_insert (table,
                             g_ascii_strdown (((LbIdentity *) g_ptr_array_index (aliases, j))->email, -1),
                             g_memdup2 (&id, sizeof id));
    }
  return table;
}

static char *
join_mailboxes (GPtrArray *list)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      const LbMailbox *m = g_ptr_array_index (list, i);

      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append (s, m->name != NULL && *m->name != '\0' ? m->name : m->address);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static LbLocalDraft *
read_one (const char *path,
          const char *id,
          gint64      account_id,
          char      **out_from)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(LbMessageContent) m = NULL;
  LbLocalDraft *d;
  GStatBuf st;
  GPtrArray *from;

  if (!g_file_get_contents (path, &text, &len, NULL))
    return NULL;
  raw = g_bytes_new_take (g_steal_pointer (&text), len);
  m = lb_message_content_new_from_bytes (raw, NULL);
  if (m == NULL)
    return NULL;
  d = g_new0 (LbLocalDraft, 1);
  d->id = g_strdup (id);
  d->account_id = account_id;
  d->path = g_strdup (path);
  d->subject = g_strdup (lb_message_content_get_subject (m));
  d->to = join_mailboxes (lb_message_content_get_to (m));
  d->saved = g_stat (path, &st) == 0 ? (gint64) st.st_mtime : 0;
  from = lb_message_content_get_from (m);
  *out_from = from != NULL && from->len > 0
              ? g_ascii_strdown (((LbMailbox *) g_ptr_array_index (from, 0))->address, -1) : NULL;
  return d;
}

static void
list_dir (GHashTable *addresses,
          const char *dir_path,
          gint64      account_id,
          gint64      wanted,
          GPtrArray  *out)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, entry, NULL);
      g_autofree char *id = NULL;
      g_autofree char *from = NULL;
      LbLocalDraft *d;

      if (!g_str_has_suffix (entry, ".eml") || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      id = g_strndup (entry, strlen (entry) - 4);
      d = read_one (path, id, account_id, &from);
      if (d == NULL)
        continue;
      /* A file of an older version: its From says whose it is. */
      if (d->account_id == 0 && from != NULL && g_hash_table_contains (addresses, from))
        d->account_id = *(gint64 *) g_hash_table_lookup (addresses, from);
      if (wanted == 0 || d->account_id == wanted)
        g_ptr_array_add (out, d);
      else
        lb_local_draft_free (d);
    }
}

static gint
by_newest (gconstpointer a,
           gconstpointer b)
{
  const LbLocalDraft *x = *(LbLocalDraft * const *) a;
  const LbLocalDraft *y = *(LbLocalDraft * const *) b;

  return (x->saved < y->saved) - (x->saved > y->saved);
}

static GPtrArray *
list_local (const char *root,
            GHashTable *addresses,
            gint64      account_id)
{
  g_autoptr(GDir) dir = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_local_draft_free);
  const char *entry;

  list_dir (addresses, root, 0, account_id, out);
  dir = g_dir_open (root, 0, NULL);
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (root, entry, NULL);
      gint64 id = g_ascii_strtoll (entry, NULL, 10);

      if (id <= 0 || (account_id != 0 && id != account_id)
          || !g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      list_dir (addresses, path, id, account_id, out);
    }
  g_ptr_array_sort (out, by_newest);
  return out;
}

/**
 * lb_engine_list_local_drafts:
 * @engine: the engine
 * @account_id: one account's drafts, or 0 for all
 *
 * The drafts on this computer that the server does not have yet (written offline, or
 * left by a crash), newest first.  Reads and parses the files: a window calls
 * lb_engine_list_local_drafts_async() instead.  Main thread (the accounts say whose a
 * file of an older version is).
 *
 * Returns: (transfer full) (element-type LbLocalDraft): the drafts
 */
GPtrArray *
lb_engine_list_local_drafts (LbEngine *engine,
                             gint64    account_id)
{
  g_autofree char *root = NULL;
  g_autoptr(GHashTable) addresses = NULL;

  g_return_val_if_fail (LB_IS_ENGINE (engine), NULL);

  root = lb_engine_get_local_drafts_dir (engine);
  addresses = address_table (engine);
  return list_local (root, addresses, account_id);
}

typedef struct {
  char       *root;
  GHashTable *addresses;
  gint64      account_id;
} ListData;

static void
list_data_free (ListData *data)
{
  g_free (data->root);
  g_hash_table_unref (data->addresses);
  g_free (data);
}

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ListData *data = task_data;

  g_task_return_pointer (task, list_local (data->root, data->addresses, data->account_id),
                         (GDestroyNotify) g_ptr_array_unref);
}

/**
 * lb_engine_list_local_drafts_async:
 *
 * lb_engine_list_local_drafts(), the files read on a thread.
 */
void
lb_engine_list_local_drafts_async (LbEngine            *engine,
                                   gint64               account_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (engine, cancellable, callback, user_data);
  ListData *data = g_new0 (ListData, 1);

  g_task_set_source_tag (task, lb_engine_list_local_drafts_async);
  data->root = lb_engine_get_local_drafts_dir (engine);
  data->addresses = address_table (engine);
  data->account_id = account_id;
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);
  g_task_run_in_thread (task, list_thread);
}

/**
 * lb_engine_list_local_drafts_finish:
 *
 * Returns: (transfer full) (element-type LbLocalDraft): the drafts
 */
GPtrArray *
lb_engine_list_local_drafts_finish (LbEngine      *engine,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Pushing the drafts left on this computer to the server ----------------------- */

typedef struct {
  LbAccount *account;
  GPtrArray *drafts;    /* LbLocalDraft still to push */
  GBytes    *current;   /* the bytes being saved */
  guint      pushed;
} PushData;

static void
push_data_free (PushData *data)
{
  g_clear_object (&data->account);
  g_clear_pointer (&data->drafts, g_ptr_array_unref);
  g_clear_pointer (&data->current, g_bytes_unref);
  g_free (data);
}

static void push_next (GTask *owned);

static void
pushed_one (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PushData *data = g_task_get_task_data (task);
  LbLocalDraft *d = g_ptr_array_index (data->drafts, 0);
  g_autoptr(GError) error = NULL;

  lb_engine_save_draft_finish (LB_ENGINE (source), result, &error);
  if (error != NULL)
    {
      /* Still offline: the rest waits for the next time too. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The server has it: the file goes, unless the composer wrote a newer one meanwhile. */
  lb_engine_delete_local_draft (LB_ENGINE (source), d->id, data->current);
  data->pushed++;
  g_ptr_array_remove_index (data->drafts, 0);
  push_next (g_steal_pointer (&task));
}

/* Takes @owned: passed on with the next save, or completed here. */
static void
push_next (GTask *owned)
{
  g_autoptr(GTask) task = owned;
  PushData *data = g_task_get_task_data (task);
  LbEngine *engine = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  while (data->drafts->len > 0)
    {
      LbLocalDraft *d = g_ptr_array_index (data->drafts, 0);

      g_clear_pointer (&data->current, g_bytes_unref);
      data->current = lb_engine_read_local_draft (engine, d->id, NULL, &error);
      if (data->current != NULL)
        {
          GCancellable *cancellable = g_task_get_cancellable (task);

          lb_engine_save_draft_async (engine, data->account, data->current, 0, cancellable,
                                      pushed_one, g_steal_pointer (&task));
          return;
        }
      /* Gone meanwhile (the composer sent or saved it): nothing to push. */
      g_clear_error (&error);
      g_ptr_array_remove_index (data->drafts, 0);
    }
  g_task_return_int (task, data->pushed);
}

static void
push_listed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PushData *data = g_task_get_task_data (task);

  data->drafts = lb_engine_list_local_drafts_finish (LB_ENGINE (source), result, NULL);
  push_next (g_steal_pointer (&task));
}

/**
 * lb_engine_push_local_drafts_async:
 * @engine: the engine
 * @account: whose drafts
 * @cancellable: (nullable): stops after the draft being saved
 * @callback: (nullable): called on the main context
 * @user_data: for @callback
 *
 * Saves the account's local drafts in its Drafts folder on the server, one by one, and
 * removes each file once the server has it.  The engine calls it when the account is back
 * online.  Main thread.
 */
void
lb_engine_push_local_drafts_async (LbEngine            *engine,
                                   LbAccount           *account,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (engine, cancellable, callback, user_data);
  PushData *data = g_new0 (PushData, 1);

  g_return_if_fail (LB_IS_ACCOUNT (account));

  g_task_set_source_tag (task, lb_engine_push_local_drafts_async);
  data->account = g_object_ref (account);
  g_task_set_task_data (task, data, (GDestroyNotify) push_data_free);
  lb_engine_list_local_drafts_async (engine, lb_account_get_id (account), cancellable,
                                     push_listed, g_steal_pointer (&task));
}

/**
 * lb_engine_push_local_drafts_finish:
 *
 * Returns: how many drafts the server now has, or -1 with @error set (the others stay)
 */
int
lb_engine_push_local_drafts_finish (LbEngine      *engine,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return (int) g_task_propagate_int (G_TASK (result), error);
}

static void
push_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LbAccount) account = user_data;
  g_autoptr(GError) error = NULL;
  int n = lb_engine_push_local_drafts_finish (LB_ENGINE (source), result, &error);

  g_object_set_data (G_OBJECT (account), "lb-pushing-drafts", NULL);
  if (n < 0)
    g_debug ("Local drafts stay on this computer for now: %s", error->message);
  else if (n > 0)
    g_debug ("%d local drafts saved on the server", n);
}

/* The account's status changed: back online (idle after connecting or syncing), its
 * drafts left on this computer go to the server.  One push at a time per account. */
static void
on_status_changed (LbAccount  *account,
                   GParamSpec *pspec,
                   LbEngine   *engine)
{
  if (lb_account_get_status (account) != LB_ACCOUNT_STATUS_IDLE || !engine->started
      || g_object_get_data (G_OBJECT (account), "lb-pushing-drafts") != NULL)
    return;
  g_object_set_data (G_OBJECT (account), "lb-pushing-drafts", GINT_TO_POINTER (1));
  lb_engine_push_local_drafts_async (engine, account, NULL, push_done, g_object_ref (account));
}

/* Called for each account the engine adopts. */
void
_lb_engine_watch_local_drafts (LbEngine  *engine,
                               LbAccount *account)
{
  g_signal_connect_object (account, "notify::status", G_CALLBACK (on_status_changed), engine, 0);
}
