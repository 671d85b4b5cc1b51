/* lb-store-rebuild.c: start over from a damaged store, keeping the accounts
 *
 * The store is a cache of the servers, except for the accounts table and the
 * profile id: the account ids and the profile id are the keys of the passwords
 * in the keyring.  So a damaged store is rebuilt by salvaging just those,
 * moving the damaged file aside (it is never deleted: it may still hold unsent
 * drafts someone wants back) and starting a new store with the same account
 * ids and profile id; the next sync fills the cache again from the servers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Letterbox-Store"

#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lb-error.h"
#include "lb-store-private.h"
#include "lb-store-rebuild.h"

typedef struct {
  GPtrArray *columns;   /* char *, the column names of the old accounts table */
  GPtrArray *rows;      /* GPtrArray of sqlite3_value * (dup'ed), one per row */
  char      *profile_id;  /* NULL when it could not be read, or the store had none */
} Salvage;

static void
free_row (gpointer data)
{
  g_ptr_array_unref (data);
}

static void
salvage_clear (Salvage *s)
{
  g_clear_pointer (&s->columns, g_ptr_array_unref);
  g_clear_pointer (&s->rows, g_ptr_array_unref);
  g_clear_pointer (&s->profile_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Salvage, salvage_clear)

/* The profile id of a damaged store, or NULL: without it (a store older than
 * sql/006-profile.sql, or a page lost) the new store keeps its own, and the
 * keyring's items of the old one are not found again. */
static char *
salvage_profile_id (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  char *profile_id = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = 'profile_id'", -1, &stmt,
                          NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    profile_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return profile_id;
}

/* Reads the accounts table through a connection of its own, read-only, so
 * nothing is written to the damaged file; SQLite reads only the pages this
 * table lives on, which usually survive damage elsewhere. */
static gboolean
salvage_accounts (const char  *path,
                  Salvage     *s,
                  GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  s->columns = g_ptr_array_new_with_free_func (g_free);
  s->rows = g_ptr_array_new_with_free_func (free_row);

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, "SELECT * FROM accounts ORDER BY id", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      int n = sqlite3_column_count (stmt);

      for (int i = 0; i < n; i++)
        g_ptr_array_add (s->columns, g_strdup (sqlite3_column_name (stmt, i)));
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          GPtrArray *row = g_ptr_array_new_with_free_func ((GDestroyNotify) sqlite3_value_free);

          for (int i = 0; i < n; i++)
            g_ptr_array_add (row, sqlite3_value_dup (sqlite3_column_value (stmt, i)));
          g_ptr_array_add (s->rows, row);
        }
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }

  sqlite3_finalize (stmt);
  stmt = NULL;
  if (rc == SQLITE_OK)
    s->profile_id = salvage_profile_id (db);

  if (rc != SQLITE_OK)
    g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                 _("The accounts could not be read from the mail store “%s” (%s). It was "
                   "left as it is; if it is damaged, move it away and add the accounts again."),
                 path, db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return rc == SQLITE_OK;
}

/* Renames FROM to TO if FROM exists. */
static gboolean
move_if_exists (const char  *from,
                const char  *to,
                GError     **error)
{
  if (g_rename (from, to) == 0 || errno == ENOENT)
    return TRUE;
  {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 _("Could not move “%s” aside: %s"), from, g_strerror (saved));
  }
  return FALSE;
}

static gboolean
move_aside (const char  *path,
            char       **damaged_path,
            GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *target = g_strdup_printf ("%s.damaged-%s", path, stamp);
  g_autofree char *wal = g_strdup_printf ("%s-wal", path);
  g_autofree char *wal_target = NULL;
  g_autofree char *shm = g_strdup_printf ("%s-shm", path);

  /* Two rebuilds within a second must not overwrite the first damaged copy. */
  for (guint i = 2; g_file_test (target, G_FILE_TEST_EXISTS); i++)
    {
      g_free (target);
      target = g_strdup_printf ("%s.damaged-%s-%u", path, stamp, i);
    }
  wal_target = g_strdup_printf ("%s-wal", target);

  /* The WAL belongs to the damaged file (it may hold its last commits), the
   * shared-memory index is only a cache of it. */
  if (!move_if_exists (path, target, error) || !move_if_exists (wal, wal_target, error))
    return FALSE;
  g_unlink (shm);
  if (damaged_path != NULL)
    *damaged_path = g_steal_pointer (&target);
  return TRUE;
}

/* Inserts the salvaged rows with their ids, for the columns both the old and
 * the new table have (an older store may lack a column the new one has a
 * default for). */
static gboolean
restore_accounts (LbStore  *store,
                  Salvage  *s,
                  GError  **error)
{
  sqlite3 *db = lb_store_get_db (store);
  g_autoptr(GHashTable) known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) use = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GString) sql = g_string_new ("INSERT INTO accounts (");
  sqlite3_stmt *info = NULL;
  sqlite3_stmt *insert = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "SELECT name FROM pragma_table_info('accounts')", -1, &info, NULL);
  while (rc == SQLITE_OK && sqlite3_step (info) == SQLITE_ROW)
    g_hash_table_add (known, g_strdup ((const char *) sqlite3_column_text (info, 0)));
  sqlite3_finalize (info);
  if (rc != SQLITE_OK)
    {
      lb_store_set_error (store, rc, error, "rebuild");
      return FALSE;
    }

  for (guint i = 0; i < s->columns->len; i++)
    if (g_hash_table_contains (known, g_ptr_array_index (s->columns, i)))
      {
        char *quoted = sqlite3_mprintf ("%w", (const char *) g_ptr_array_index (s->columns, i));

        g_string_append_printf (sql, "%s\"%s\"", use->len > 0 ? ", " : "", quoted);
        sqlite3_free (quoted);
        g_array_append_val (use, i);
      }
  g_string_append (sql, ") VALUES (");
  for (guint i = 0; i < use->len; i++)
    g_string_append (sql, i > 0 ? ", ?" : "?");
  g_string_append (sql, ")");

  if (!lb_store_begin (store, error))
    return FALSE;
  rc = sqlite3_prepare_v2 (db, sql->str, -1, &insert, NULL);
  for (guint r = 0; rc == SQLITE_OK && r < s->rows->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (s->rows, r);

      for (guint i = 0; i < use->len; i++)
        sqlite3_bind_value (insert, (int) i + 1,
                            g_ptr_array_index (row, g_array_index (use, guint, i)));
      rc = sqlite3_step (insert);
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
      sqlite3_reset (insert);
    }
  sqlite3_finalize (insert);
  if (rc != SQLITE_OK)
    {
      lb_store_set_error (store, rc, error, "rebuild");
      lb_store_rollback (store);
      return FALSE;
    }
  return lb_store_commit (store, error);
}

/**
 * lb_store_rebuild_full:
 * @path: the store file; nothing may have it open
 * @damaged_path: (out) (optional): where the old file was moved
 * @n_accounts: (out) (optional): how many accounts were kept
 * @error: return location for an error
 *
 * Salvages the accounts of the store at @path, moves the file aside as
 * `PATH.damaged-DATE` and creates a new store at @path holding the same
 * accounts with the same ids and the same profile id, so their keyring
 * secrets still match and the next sync downloads the rest again.  When not
 * even the accounts can be read, fails with %LB_ERROR_STORE and leaves the
 * file alone.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_rebuild_full (const char  *path,
                       char       **damaged_path,
                       guint       *n_accounts,
                       GError     **error)
{
  g_auto(Salvage) s = { 0 };
  g_autoptr(LbStore) store = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LB_ERROR, LB_ERROR_NOT_FOUND, _("There is no mail store at “%s”"), path);
      return FALSE;
    }
  if (!salvage_accounts (path, &s, error))
    return FALSE;
  if (!move_aside (path, damaged_path, error))
    return FALSE;
  store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, error);
  if (store == NULL || !restore_accounts (store, &s, error))
    return FALSE;
  if (s.profile_id != NULL &&
      !lb_store_run (store, "rebuild", NULL, error,
                     "UPDATE meta SET value = ?1 WHERE key = 'profile_id'", "t", s.profile_id))
    return FALSE;
  g_message ("Rebuilt the mail store %s with %u accounts", path, s.rows->len);
  if (n_accounts != NULL)
    *n_accounts = s.rows->len;
  return TRUE;
}

/**
 * lb_store_rebuild:
 * @path: the store file; nothing may have it open
 * @error: return location for an error
 *
 * lb_store_rebuild_full() without its out values.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_rebuild (const char  *path,
                  GError     **error)
{
  return lb_store_rebuild_full (path, NULL, NULL, error);
}
