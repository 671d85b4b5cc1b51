/* test-store-damage.c: a damaged store, a full disk and a read-only store
 *
 * - Damage: pages in the middle of the store are overwritten; the CLI says so in one
 *   line, `letterbox-cli rebuild` keeps the account (same id, so the keyring secret still
 *   matches), the next sync fills the store again and it equals the server.
 * - Disk full: letterbox-cli sync runs under RLIMIT_FSIZE (`ulimit -f`, with SIGXFSZ
 *   ignored, so writes past the limit fail with EFBIG as on a full disk).  That works for
 *   any user, unlike a small tmpfs (needs root) or PRAGMA max_page_count (per connection,
 *   and the engine opens its own).  The CLI must fail with one clear line, and the store
 *   must pass PRAGMA integrity_check afterwards.
 * - Read-only: the store file 0444 in a 0555 directory.  Root ignores file modes, so as
 *   root the CLI runs as nobody through setpriv.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardening-env.h"
#include "lb-error.h"
#include "lb-store-rebuild.h"

static char *
store_path (LbTestEnv *env)
{
  return g_build_filename (env->profile, "letterbox.db", NULL);
}

static char *
integrity (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *s = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL) == SQLITE_OK)
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_string_append_printf (s, "%s%s", s->len > 0 ? "; " : "", sqlite3_column_text (stmt, 0));
  else
    g_string_append (s, sqlite3_errmsg (db));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (s, FALSE);
}

/* One line on stderr, prefixed like every CLI failure.  (A sanitizer or valgrind may add
 * its own report around it; that is not the CLI's.) */
static void
assert_one_line (const char *err)
{
  g_auto(GStrv) lines = g_strsplit (err, "\n", -1);
  guint ours = 0;

  /* Under valgrind its banner comes first; lines of the tool start with == or --. */
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "letterbox-cli: "))
      ours++;
    else if (lines[i][0] != '\0' && !g_str_has_prefix (lines[i], "==") && !g_str_has_prefix (lines[i], "--"))
      g_assert_true (g_str_has_prefix (lines[i], " ") || g_str_has_prefix (lines[i], "Suppressions"));
  g_assert_cmpuint (ours, ==, 1);
}

/* Moves everything from the WAL into the main file, so that damage to the file hits
 * the tables' pages. */
static void
checkpoint (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* The pages of the message tables and their indexes, as SQLite's dbstat table places
 * them: damage aimed there, not at a byte range, stays on those tables whatever order the
 * migrations left the file's pages in. */
static GArray *
message_pages (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GArray *pages = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT pageno FROM dbstat WHERE name IN "
                                       "(SELECT name FROM sqlite_schema WHERE tbl_name IN "
                                       "('messages', 'locations', 'message_text', 'bodies')) "
                                       "ORDER BY pageno",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 page = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (pages, page);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return pages;
}

static void
corrupt_middle (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) pages = message_pages (path);
  g_autofree char *data = NULL;
  gsize len = 0;
  guint32 seed = 7;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_cmpuint (len, >, 64 * 4096);
  g_assert_cmpuint (pages->len, >, 16);
  /* The middle half of those pages (the page size is the store's 4096). */
  for (guint p = pages->len / 4; p < 3 * pages->len / 4; p++)
    {
      gsize start = (gsize) (g_array_index (pages, gint64, p) - 1) * 4096;

      for (gsize i = start; i < start + 4096 && i < len; i++)
        {
          seed = seed * 1103515245u + 12345u;
          data[i] = (char) (seed >> 16);
        }
    }
  g_assert_true (g_file_set_contents (path, data, len, &error));
}

static void
test_corrupt_rebuild (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:400:31", "alice@example.com:Archive:200:32", NULL };
  const char * const list_args[] = { "list", "--limit", "1000", NULL };
  const char * const sync_args[] = { "sync", NULL };
  const char * const rebuild_args[] = { "rebuild", NULL };
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *check = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  gboolean damaged_found = FALSE;
  gint64 account_id;
  LbTestEnv env = { 0 };
  int list_status, sync_status, status;

  env_start (&env, corpus, FALSE, NULL);
  lb_test_env_sync_ok (&env);
  account_id = lb_account_get_id (env.account);
  lb_test_env_close_engine (&env);

  path = store_path (&env);
  checkpoint (path);
  corrupt_middle (path);
  check = integrity (path);
  g_test_message ("after damage: %.300s", check);
  g_assert_cmpstr (check, !=, "ok");

  /* The CLI says what is wrong, on one line, and fails. */
  list_status = run_cli (&env, NULL, list_args, &out, &err);
  if (list_status == 0)
    {
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      sync_status = run_cli (&env, NULL, sync_args, &out, &err);
      g_assert_cmpint (sync_status, !=, 0);
    }
  assert_one_line (err);
  g_assert_nonnull (strstr (err, "damaged"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = run_cli (&env, NULL, rebuild_args, &out, &err);
  if (status != 0)
    g_test_message ("rebuild failed: %s", err);
  g_assert_cmpint (status, ==, 0);
  dir = g_dir_open (env.profile, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "letterbox.db.damaged-") && !g_str_has_suffix (name, "-wal"))
      damaged_found = TRUE;
  g_assert_true (damaged_found);
  g_clear_pointer (&check, g_free);
  check = integrity (path);
  g_assert_cmpstr (check, ==, "ok");

  /* Same account, same id: the keyring secret still matches and the sync refills. */
  lb_test_env_open_engine (&env);
  g_assert_nonnull (env.account);
  g_assert_cmpint (lb_account_get_id (env.account), ==, account_id);
  g_assert_cmpstr (lb_account_get_email (env.account), ==, "alice@example.com");
  lb_test_env_sync_ok (&env);
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_ARCHIVE, "Archive");
  lb_test_env_stop (&env);
}

static void
test_rebuild_unreadable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-hard-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "letterbox.db", NULL);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

  /* Not even the accounts can be read: say so, and leave the file where it is. */
  g_assert_true (g_file_set_contents (path, "this is not a database, not even close......"
                                      "..................................................", -1, &error));
  g_assert_false (lb_store_rebuild (path, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, LB_ERROR, LB_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "accounts could not be read"));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (system (cmd), ==, 0);
}

static void
test_disk_full (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:1500:41", NULL };
  const char * const sync_args[] = { "sync", NULL };
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *check = NULL;
  g_autofree char *limit = NULL;
  GStatBuf st;
  LbTestEnv env = { 0 };

  env_start (&env, corpus, FALSE, NULL);
  lb_test_env_close_engine (&env);
  path = store_path (&env);
  g_assert_cmpint (g_stat (path, &st), ==, 0);

  /* Room for 256 KiB more than the empty store: far less than 1500 messages need.
   * `ulimit -f` counts 1024-byte blocks in bash and dash alike. */
  limit = g_strdup_printf ("trap '' XFSZ; ulimit -f %" G_GINT64_FORMAT "; exec \"$@\"",
                           (gint64) st.st_size / 1024 + 256);
  {
    const char * const prefix[] = { "/bin/sh", "-c", limit, "sh", NULL };
    g_assert_cmpint (run_cli (&env, prefix, sync_args, &out, &err), !=, 0);
  }
  assert_one_line (err);
  g_assert_nonnull (strstr (err, "free space"));
  check = integrity (path);
  g_assert_cmpstr (check, ==, "ok");

  /* With room again, the same store syncs to the server's state. */
  lb_test_env_open_engine (&env);
  lb_test_env_sync_ok (&env);
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
  lb_test_env_stop (&env);
}

/* A real full disk: a small tmpfs mounted over the profile in a private mount namespace
 * (needs root; skipped elsewhere), so writes fail with ENOSPC. */
static void
test_disk_full_tmpfs (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:1500:42", NULL };
  const char * const sync_args[] = { "sync", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *result = NULL;
  g_autofree char *script = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *check = NULL;
  GStatBuf st;
  LbTestEnv env = { 0 };
  int status;

  if (geteuid () != 0 || system ("unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs /mnt' 2>/dev/null") != 0)
    {
      g_test_skip ("cannot mount a tmpfs here (needs root and mount namespaces)");
      return;
    }
  env_start (&env, corpus, FALSE, NULL);
  lb_test_env_close_engine (&env);
  path = store_path (&env);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  /* The WAL too: the bodies downloaded behind the first sync may still be in it. */
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    GStatBuf wal_st;

    if (g_stat (wal, &wal_st) == 0)
      st.st_size += wal_st.st_size;
  }
  backup = g_dir_make_tmp ("lb-hard-XXXXXX", &error);
  g_assert_no_error (error);
  result = g_dir_make_tmp ("lb-hard-XXXXXX", &error);
  g_assert_no_error (error);
  cmd = g_strdup_printf ("cp -a '%s'/. '%s'/", env.profile, backup);
  g_assert_cmpint (system (cmd), ==, 0);

  /* The store, its WAL and 192 KiB to spare, then the sync; the files are copied out of
   * the namespace for the integrity check. */
  script = g_strdup_printf ("mount -t tmpfs -o size=%" G_GINT64_FORMAT "k tmpfs '%s' && "
                            "cp -a '%s'/. '%s'/ || exit 77; \"$@\"; rc=$?; "
                            "cp -a '%s'/. '%s'/; exit $rc",
                            (gint64) st.st_size / 1024 + 160 + 192, env.profile,
                            backup, env.profile, env.profile, result);
  {
    const char * const prefix[] = { "unshare", "-m", "sh", "-c", script, "sh", NULL };
    status = run_cli (&env, prefix, sync_args, &out, &err);
  }
  g_assert_cmpint (status, !=, 77);
  g_assert_cmpint (status, !=, 0);
  assert_one_line (err);
  g_assert_nonnull (strstr (err, "disk is full"));
  {
    g_autofree char *copied = g_build_filename (result, "letterbox.db", NULL);
    check = integrity (copied);
  }
  g_assert_cmpstr (check, ==, "ok");
  lb_test_rm_rf (backup);
  lb_test_rm_rf (result);
  lb_test_env_stop (&env);
}

static void
test_read_only (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:30:51", NULL };
  /* Not sync: as another user the keyring (on our session bus) is out of reach too. */
  const char * const flag_args[] = { "account", "list", NULL };
  const char * const as_nobody[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", NULL };
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *check = NULL;
  g_autofree char *chmod_cmd = NULL;
  LbTestEnv env = { 0 };

  env_start (&env, corpus, FALSE, NULL);
  lb_test_env_sync_ok (&env);
  lb_test_env_close_engine (&env);
  path = store_path (&env);

  chmod_cmd = g_strdup_printf ("chmod 0444 '%s'/letterbox.db* && chmod 0555 '%s'", env.profile, env.profile);
  g_assert_cmpint (system (chmod_cmd), ==, 0);
  g_assert_cmpint (run_cli (&env, geteuid () == 0 ? as_nobody : NULL, flag_args, &out, &err), !=, 0);
  assert_one_line (err);
  g_assert_nonnull (strstr (err, "mail store"));
  g_assert_nonnull (strstr (err, "read-only"));
  g_assert_cmpint (g_chmod (env.profile, 0700), ==, 0);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  check = integrity (path);
  g_assert_cmpstr (check, ==, "ok");
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store-damage/corrupt-rebuild", test_corrupt_rebuild);
  g_test_add_func ("/store-damage/rebuild-unreadable", test_rebuild_unreadable);
  g_test_add_func ("/store-damage/disk-full", test_disk_full);
  g_test_add_func ("/store-damage/disk-full-tmpfs", test_disk_full_tmpfs);
  g_test_add_func ("/store-damage/read-only", test_read_only);
  return g_test_run ();
}
