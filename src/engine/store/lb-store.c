/* lb-store.c: opening the store, migrations, statements and transactions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Letterbox-Store"

#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lb-engine-resources.h"
#include "lb-error.h"
#include "lb-store-private.h"

#define SQL_RESOURCE_DIR "/io/github/letterbox/Letterbox/engine/sql/"

/* Long enough to ride out another account's write transaction (they are
 * kept to a few hundred rows), short enough that a stuck writer surfaces as
 * an error instead of a frozen worker. */
#define BUSY_TIMEOUT_MS 10000
/* 1 GiB of address space on 64-bit systems, 64 MiB where it is scarcer. */
#if GLIB_SIZEOF_VOID_P >= 8
#define MMAP_SIZE 1073741824
#else
#define MMAP_SIZE 67108864
#endif

struct _LbStore
{
  GObject     parent_instance;

  sqlite3    *db;
  char       *path;
  GHashTable *stmts;            /* SQL text -> sqlite3_stmt */
  char       *profile_id;       /* read once, on first use */
  int         schema_version;
  guint       tx_depth;
  gboolean    read_only;
};

G_DEFINE_FINAL_TYPE (LbStore, lb_store, G_TYPE_OBJECT)

typedef struct {
  int         version;
  const char *name;             /* interned */
} Migration;

static void
lb_store_finalize (GObject *object)
{
  LbStore *self = LB_STORE (object);

  /* Statements must be finalized before the connection closes, or
   * sqlite3_close() refuses with SQLITE_BUSY. */
  g_clear_pointer (&self->stmts, g_hash_table_unref);
  if (self->db != NULL)
    {
      sqlite3_close (self->db);
      self->db = NULL;
    }
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->profile_id, g_free);

  G_OBJECT_CLASS (lb_store_parent_class)->finalize (object);
}

static void
lb_store_class_init (LbStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_store_finalize;
}

static void
finalize_stmt (gpointer data)
{
  sqlite3_finalize (data);
}

static void
lb_store_init (LbStore *self)
{
  self->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
}

/* ---- Errors ----------------------------------------------------------- */

/* The one converter from SQLite result codes to LbError.  Corruption and a
 * full disk get sentences a person can act on; everything else keeps
 * SQLite's own text behind what we were doing. */
void
lb_store_set_error (LbStore     *self,
                    int          rc,
                    GError     **error,
                    const char  *what)
{
  const char *detail;
  const char *path = self != NULL && self->path != NULL ? self->path : "";

  if (self != NULL && self->db != NULL && sqlite3_errcode (self->db) == rc)
    detail = sqlite3_errmsg (self->db);
  else
    detail = sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                   _("The mail store “%s” is damaged or is not a Letterbox store (%s)"),
                   path, detail);
      break;

    case SQLITE_FULL:
      g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                   _("The disk is full: could not write to the mail store “%s”"), path);
      break;

    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                   _("Could not open the mail store “%s”: %s"), path, detail);
      break;

    /* A failed read or write (EIO, or EFBIG past a file size limit, which SQLite does
     * not report as SQLITE_FULL) is about the disk, not about the query that hit it. */
    case SQLITE_IOERR:
      g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                   _("Could not read or write the mail store “%s” (%s): check the disk "
                     "and the free space"), path, detail);
      break;

    default:
      g_set_error (error, LB_ERROR, LB_ERROR_STORE, "%s: %s (%d)",
                   what != NULL ? what : "SQLite", detail, rc);
      break;
    }
}

/* ---- Statements and transactions -------------------------------------- */

void
lb_stmt_release (LbStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

sqlite3 *
lb_store_get_db (LbStore *self)
{
  return self->db;
}

LbStmt *
lb_store_prepare (LbStore     *self,
                  const char  *sql,
                  GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = g_hash_table_lookup (self->stmts, sql);
  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      lb_store_set_error (self, rc, error, "prepare");
      return NULL;
    }
  g_hash_table_insert (self->stmts, g_strdup (sql), stmt);
  return stmt;
}

gboolean
lb_store_exec (LbStore     *self,
               const char  *sql,
               GError     **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      lb_store_set_error (self, rc, error, "exec");
      return FALSE;
    }
  return TRUE;
}

/**
 * lb_store_run:
 * @self: a store
 * @what: what the statement does, for an error message
 * @out_changes: (out) (optional): the number of rows the statement changed
 * @error: return location for an error
 * @sql: one statement, prepared once and cached (so a constant text, not a built one)
 * @types: one character per argument, bound to ?1, ?2... in order: `l` a gint64, `u` a
 *   guint, `i` an int (a gboolean, an enum), `t` a const char * (%NULL binds NULL), `n` a
 *   gint64 id (0 or less binds NULL)
 * @...: the arguments, of exactly the types @types says (varargs are not converted)
 *
 * The prepare, bind, step and error pattern of a statement that returns no rows, once.
 * The statement is reset for its next use when this returns.
 *
 * Returns: %TRUE when the statement ran to its end
 */
gboolean
lb_store_run (LbStore     *self,
              const char  *what,
              guint       *out_changes,
              GError     **error,
              const char  *sql,
              const char  *types,
              ...)
{
  g_autoptr(LbStmt) stmt = lb_store_prepare (self, sql, error);
  va_list args;
  int rc;

  if (stmt == NULL)
    return FALSE;
  va_start (args, types);
  for (int col = 1; types[col - 1] != '\0'; col++)
    {
      switch (types[col - 1])
        {
        case 'l': sqlite3_bind_int64 (stmt, col, va_arg (args, gint64)); break;
        case 'u': sqlite3_bind_int64 (stmt, col, va_arg (args, guint)); break;
        case 'i': sqlite3_bind_int (stmt, col, va_arg (args, int)); break;
        case 't': lb_stmt_bind_text (stmt, col, va_arg (args, const char *)); break;
        case 'n': lb_stmt_bind_id (stmt, col, va_arg (args, gint64)); break;
        default: g_assert_not_reached ();
        }
    }
  va_end (args);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, what);
      return FALSE;
    }
  if (out_changes != NULL)
    *out_changes = (guint) sqlite3_changes (self->db);
  return TRUE;
}

/* Writers take the write lock up front (IMMEDIATE): a deferred transaction
 * that later upgrades can fail with SQLITE_BUSY without waiting, when another
 * account's worker writes at the same time.  Nested calls become savepoints
 * so a helper can be used both alone and inside a bigger transaction. */
gboolean
lb_store_begin (LbStore  *self,
                GError  **error)
{
  const char *sql;

  if (self->tx_depth == 0)
    sql = self->read_only ? "BEGIN" : "BEGIN IMMEDIATE";
  else
    sql = "SAVEPOINT lb_nested";
  if (!lb_store_exec (self, sql, error))
    return FALSE;
  self->tx_depth++;
  return TRUE;
}

gboolean
lb_store_commit (LbStore  *self,
                 GError  **error)
{
  g_assert (self->tx_depth > 0);

  if (!lb_store_exec (self, self->tx_depth == 1 ? "COMMIT" : "RELEASE lb_nested", error))
    {
      lb_store_rollback (self);
      return FALSE;
    }
  self->tx_depth--;
  return TRUE;
}

void
lb_store_rollback (LbStore *self)
{
  g_assert (self->tx_depth > 0);

  if (self->tx_depth == 1)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  else
    sqlite3_exec (self->db, "ROLLBACK TO lb_nested; RELEASE lb_nested", NULL, NULL, NULL);
  self->tx_depth--;
}

gboolean
lb_store_check_writable (LbStore  *self,
                         GError  **error)
{
  if (self->read_only)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                   "The store “%s” was opened read-only", self->path);
      return FALSE;
    }
  return TRUE;
}

void
lb_stmt_bind_text (LbStmt     *stmt,
                   int         col,
                   const char *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, col);
  else
    sqlite3_bind_text (stmt, col, text, -1, SQLITE_TRANSIENT);
}

void
lb_stmt_bind_id (LbStmt *stmt,
                 int     col,
                 gint64  id)
{
  if (id <= 0)
    sqlite3_bind_null (stmt, col);
  else
    sqlite3_bind_int64 (stmt, col, id);
}

char *
lb_stmt_dup_text (LbStmt *stmt,
                  int     col)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

/* ---- Migrations ------------------------------------------------------- */

static int
compare_migrations (gconstpointer a,
                    gconstpointer b)
{
  const Migration *ma = a;
  const Migration *mb = b;

  return (ma->version > mb->version) - (ma->version < mb->version);
}

/* The migrations compiled into this build, sorted, each number once (checked once: a
 * duplicate is a packaging bug, not a user problem).  Numbers are handed out to work
 * that is merged separately, so a build may lack one below its newest for a while. */
static GArray *
get_migrations (void)
{
  static GArray *migrations;

  if (g_once_init_enter (&migrations))
    {
      GArray *list = g_array_new (FALSE, FALSE, sizeof (Migration));
      g_auto(GStrv) names = NULL;

      names = g_resource_enumerate_children (lb_engine_get_resource (), SQL_RESOURCE_DIR,
                                             G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      for (guint i = 0; names != NULL && names[i] != NULL; i++)
        {
          Migration m;
          char *end = NULL;

          if (!g_str_has_suffix (names[i], ".sql"))
            continue;
          m.version = (int) g_ascii_strtoll (names[i], &end, 10);
          if (end == names[i] || m.version <= 0)
            continue;
          m.name = g_intern_string (names[i]);
          g_array_append_val (list, m);
        }
      g_array_sort (list, compare_migrations);
      for (guint i = 1; i < list->len; i++)
        if (g_array_index (list, Migration, i).version
            == g_array_index (list, Migration, i - 1).version)
          g_error ("Two store migrations have one number: %s",
                   g_array_index (list, Migration, i).name);

      g_once_init_leave (&migrations, list);
    }
  return migrations;
}

/**
 * lb_store_get_latest_schema_version:
 *
 * Returns: the schema version this build creates and understands
 */
int
lb_store_get_latest_schema_version (void)
{
  GArray *migrations = get_migrations ();

  return migrations->len == 0 ? 0
                              : g_array_index (migrations, Migration, migrations->len - 1).version;
}

static gboolean
read_user_version (LbStore  *self,
                   int      *out_version,
                   GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out_version = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK)
    lb_store_set_error (self, rc, error, "PRAGMA user_version");
  sqlite3_finalize (stmt);
  return rc == SQLITE_OK;
}

/* Runs one migration's SQL.  sql/015-threads.sql stops at its "@threads-backfill" line
 * for lb_store_threads_backfill(), whose work is C, and goes on after it. */
static gboolean
exec_migration (LbStore         *self,
                const Migration *m,
                const char      *sql,
                GError         **error)
{
  const char *mark = strstr (sql, "\n-- @threads-backfill\n");
  g_autofree char *first = NULL;

  if (m->version != LB_STORE_THREADS_MIGRATION || mark == NULL)
    return lb_store_exec (self, sql, error);
  first = g_strndup (sql, (gsize) (mark - sql));
  return lb_store_exec (self, first, error) && lb_store_threads_backfill (self, error)
         && lb_store_exec (self, mark + 1, error);
}

static gboolean
apply_migrations (LbStore  *self,
                  GError  **error)
{
  GArray *migrations = get_migrations ();

  for (guint i = 0; i < migrations->len; i++)
    {
      const Migration *m = &g_array_index (migrations, Migration, i);
      g_autofree char *path = NULL;
      g_autofree char *set_version = NULL;
      g_autoptr(GBytes) sql = NULL;
      int version;

      if (m->version <= self->schema_version)
        continue;

      if (!lb_store_begin (self, error))
        return FALSE;

      /* Another worker may have migrated while we waited for the lock. */
      if (!read_user_version (self, &version, error))
        {
          lb_store_rollback (self);
          return FALSE;
        }
      if (version >= m->version)
        {
          self->schema_version = version;
          if (!lb_store_commit (self, error))
            return FALSE;
          continue;
        }

      path = g_strconcat (SQL_RESOURCE_DIR, m->name, NULL);
      sql = g_resource_lookup_data (lb_engine_get_resource (), path,
                                    G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (sql == NULL)
        {
          lb_store_rollback (self);
          return FALSE;
        }

      /* GResource data is always NUL-terminated. */
      g_debug ("Applying store migration %s to %s", m->name, self->path);
      set_version = g_strdup_printf ("PRAGMA user_version = %d", m->version);
      if (!exec_migration (self, m, g_bytes_get_data (sql, NULL), error) ||
          !lb_store_exec (self, set_version, error))
        {
          g_prefix_error (error, "Migration %s: ", m->name);
          lb_store_rollback (self);
          return FALSE;
        }
      if (!lb_store_commit (self, error))
        return FALSE;
      self->schema_version = m->version;
    }

  return TRUE;
}

/* ---- Opening ---------------------------------------------------------- */

/**
 * lb_store_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/letterbox/letterbox.db`
 */
char *
lb_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "letterbox", "letterbox.db", NULL);
}

/* How the connection reads: through a memory map, or by copies with a cache sized for its
 * use. */
static gboolean
set_read_pragmas (LbStore           *self,
                  LbStoreOpenFlags   flags,
                  GError           **error)
{
  /* Reads through a memory map instead of read() calls: search reads the text and index of
   * thousands of messages at random, and bench-search measured the mapped reads at about
   * half the time (English words over 100,000 messages: median 75 → 33 ms).  The mapping
   * is address space; only the pages read count, and the kernel may drop them. */
  if ((flags & LB_STORE_OPEN_NO_MMAP) == 0
      && !lb_store_exec (self, "PRAGMA mmap_size = " G_STRINGIFY (MMAP_SIZE), error))
    return FALSE;
  /* Without the map, reads are copies of pages the kernel's page cache already holds; the
   * main thread's reader only wants the few pages of the rows on screen, and SQLite's
   * default 2 MB of copies was 1.7 MB of the window's memory (bench-ui-list).  A writer
   * (an account's sync) touches index pages all over the file in each batch: 8 MB keeps
   * a batch's pages without spilling them to the journal before the commit. */
  if ((flags & LB_STORE_OPEN_NO_MMAP) != 0
      && !lb_store_exec (self, (flags & LB_STORE_OPEN_READ_ONLY) != 0 ? "PRAGMA cache_size = -256"
                                                                      : "PRAGMA cache_size = -8192",
                         error))
    return FALSE;
  return TRUE;
}

/**
 * lb_store_open:
 * @path: the database file
 * @flags: read-write (creating and migrating) or read-only
 * @error: return location for an error
 *
 * Opens one connection to the store.  A read-write open creates the file
 * (and its directory) if needed and applies any missing migrations, each in
 * its own transaction.  A read-only open needs a store already at this
 * build's schema version, so the engine opens its first writer before the
 * main thread's reader.
 *
 * A store written by a newer build fails with %LB_ERROR_STORE_TOO_NEW
 * without being written to; a damaged file fails with %LB_ERROR_STORE.
 *
 * Returns: (transfer full): the store, or %NULL
 */
LbStore *
lb_store_open (const char        *path,
               LbStoreOpenFlags   flags,
               GError           **error)
{
  g_autoptr(LbStore) self = NULL;
  int latest = lb_store_get_latest_schema_version ();
  int oflags;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (LB_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->read_only = (flags & LB_STORE_OPEN_READ_ONLY) != 0;

  /* NOMUTEX: a store is used by one thread at a time (see lb-store.h), so
   * SQLite's own per-call mutex would only cost time. */
  oflags = SQLITE_OPEN_NOMUTEX;
  if (self->read_only)
    {
      oflags |= SQLITE_OPEN_READONLY;
    }
  else
    {
      g_autofree char *dir = g_path_get_dirname (path);

      oflags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Could not create the folder “%s”: %s"), dir, g_strerror (saved));
          return NULL;
        }
    }

  rc = sqlite3_open_v2 (path, &self->db, oflags, NULL);
  if (rc != SQLITE_OK)
    {
      lb_store_set_error (self, rc, error, "open");
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  if (!set_read_pragmas (self, flags, error))
    return NULL;
  /* message_fts cannot even be opened without its tokenizer. */
  if (!lb_store_register_tokenizer (self->db, error))
    return NULL;

  /* SQLite falls back to read-only when the file cannot be written (its mode, a
   * read-only mount) and says nothing until the first write; say it now. */
  if (!self->read_only && sqlite3_db_readonly (self->db, "main") == 1)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                   _("The mail store “%s” is read-only: Letterbox needs to write to it. "
                     "Check the permissions of the file and its folder."), path);
      return NULL;
    }

  /* Nothing may write before this check: a newer store must stay untouched,
   * and even "PRAGMA journal_mode" rewrites the file header. */
  if (!read_user_version (self, &self->schema_version, error))
    return NULL;
  if (self->schema_version > latest)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_STORE_TOO_NEW,
                   _("The mail store “%s” was written by a newer version of Letterbox "
                     "(schema %d; this version knows up to %d)"),
                   path, self->schema_version, latest);
      return NULL;
    }

  /* Reading the schema finds a damaged first page now, with a clear error,
   * rather than at some later query. */
  if (!lb_store_exec (self, "SELECT count(*) FROM sqlite_schema", error))
    return NULL;

  if (self->read_only)
    {
      if (self->schema_version < latest)
        {
          g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                       "The mail store “%s” is at schema %d, not %d: open it for writing first",
                       path, self->schema_version, latest);
          return NULL;
        }
      return g_steal_pointer (&self);
    }

  /* WAL lets the main thread read while a worker writes; NORMAL is durable
   * across application crashes and only loses the last commits on power loss,
   * which a resync repairs. */
  if (!lb_store_exec (self,
                      "PRAGMA journal_mode = WAL;"
                      "PRAGMA synchronous = NORMAL;"
                      "PRAGMA foreign_keys = ON;",
                      error))
    return NULL;

  if (!apply_migrations (self, error))
    return NULL;
  if (!self->read_only && !lb_store_fix_search_keys (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * lb_store_get_path:
 *
 * Returns: the file this store was opened on
 */
const char *
lb_store_get_path (LbStore *self)
{
  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  return self->path;
}

/**
 * lb_store_is_read_only:
 *
 * Returns: whether the store was opened with %LB_STORE_OPEN_READ_ONLY
 */
gboolean
lb_store_is_read_only (LbStore *self)
{
  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  return self->read_only;
}

/**
 * lb_store_get_schema_version:
 *
 * Returns: the schema version of the open store
 */
int
lb_store_get_schema_version (LbStore *self)
{
  g_return_val_if_fail (LB_IS_STORE (self), 0);

  return self->schema_version;
}

/**
 * lb_store_get_profile_id:
 *
 * The random identity of this profile (sql/006-profile.sql), made once when the store
 * was created or migrated and never changed.  It tells apart profiles whose account ids
 * are equal, as the keyring must (src/engine/secrets/).
 *
 * Returns: (transfer none): 32 hexadecimal digits, valid as long as the store; %NULL with
 *   @error set when it cannot be read
 */
const char *
lb_store_get_profile_id (LbStore  *self,
                         GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  if (self->profile_id != NULL)
    return self->profile_id;
  stmt = lb_store_prepare (self, "SELECT value FROM meta WHERE key = 'profile_id'", error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    self->profile_id = lb_stmt_dup_text (stmt, 0);
  else if (rc == SQLITE_DONE)
    g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                 _("The mail store “%s” has no profile identity"), self->path);
  else
    lb_store_set_error (self, rc, error, "get profile id");
  return self->profile_id;
}

/**
 * lb_store_transaction_begin:
 * @self: a store
 * @error: return location for an error
 *
 * Groups several calls into one transaction, for changes that must land
 * together: a local flag change and the pending operation that replays it,
 * say.  The calls inside may open transactions of their own; they nest as
 * savepoints.  End with lb_store_transaction_commit() or
 * lb_store_transaction_rollback(), and keep it short: other accounts'
 * workers wait for the write lock meanwhile.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_transaction_begin (LbStore  *self,
                            GError  **error)
{
  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  return lb_store_begin (self, error);
}

/**
 * lb_store_transaction_commit:
 *
 * Commits the transaction begun by lb_store_transaction_begin().  On
 * failure the transaction has been rolled back.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_transaction_commit (LbStore  *self,
                             GError  **error)
{
  g_return_val_if_fail (LB_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->tx_depth > 0, FALSE);

  return lb_store_commit (self, error);
}

/**
 * lb_store_transaction_rollback:
 *
 * Undoes everything since lb_store_transaction_begin().
 */
void
lb_store_transaction_rollback (LbStore *self)
{
  g_return_if_fail (LB_IS_STORE (self));
  g_return_if_fail (self->tx_depth > 0);

  lb_store_rollback (self);
}
