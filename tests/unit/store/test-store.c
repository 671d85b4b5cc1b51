/* test-store.c: the local SQLite store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "lb-error.h"
#include "lb-store.h"
#include "lb-store-changes.h"
#include "lb-store-locations.h"
#include "lb-store-private.h"
#include "lb-search.h"
#include "lb-server-config.h"
#include "lb-test-store.h"

/* ---- Fixture ---------------------------------------------------------- */

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
    }
  g_remove (path);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("lb-store-XXXXXX", &error);
  g_assert_no_error (error);
  /* A subdirectory that does not exist yet: opening must create it. */
  fx->path = g_build_filename (fx->dir, "sub", "letterbox.db", NULL);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  rm_rf (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
}

static LbStore *
open_rw (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  LbStore *store = lb_store_open (fx->path, LB_STORE_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static gint64
add_account (LbStore    *store,
             const char *email)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStoreAccount) a = lb_store_account_new ();

  a->email = g_strdup (email);
  a->imap_host = g_strdup ("imap.example.com");
  a->imap_port = 993;
  a->imap_security = LB_SECURITY_TLS;
  a->smtp_host = g_strdup ("smtp.example.com");
  a->smtp_port = 587;
  a->smtp_security = LB_SECURITY_STARTTLS;
  a->username = g_strdup (email);
  g_assert_true (lb_store_add_account (store, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (a->id, >, 0);
  return a->id;
}

static gint64
add_folder (LbStore      *store,
            gint64        account_id,
            const char   *raw_name,
            LbFolderRole  role)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStoreFolder) f = lb_store_folder_new ();
  gint64 id;

  f->account_id = account_id;
  f->raw_name = g_strdup (raw_name);
  f->display_name = g_strdup (raw_name);
  f->delimiter = g_strdup ("/");
  f->role = role;
  id = lb_store_upsert_folder (store, f, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static LbStoreFetched *
fetched_new (guint32     uid,
             guint64     gm_msgid,
             const char *message_id,
             gint64      date,
             const char *subject,
             guint       flags)
{
  LbStoreFetched *f = lb_store_fetched_new ();

  f->uid = uid;
  f->flags = flags;
  f->modseq = uid * 10;
  f->message.gm_msgid = gm_msgid;
  f->message.message_id = g_strdup (message_id);
  f->message.date = date;
  f->message.size = 1000;
  f->message.subject = g_strdup (subject);
  f->message.from_name = g_strdup ("Bob Sender");
  f->message.from_address = g_strdup ("bob@example.com");
  f->message.to = g_strdup ("Alice <alice@example.com>");
  f->message.preview = g_strdup ("Hello there");
  return f;
}

static GPtrArray *
batch_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
}

static void
insert_batch (LbStore   *store,
              gint64     folder_id,
              GPtrArray *batch)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lb_store_insert_messages (store, folder_id, batch, &error));
  g_assert_no_error (error);
}

/* Inserts one message and returns its message id. */
static gint64
insert_one (LbStore    *store,
            gint64      folder_id,
            guint32     uid,
            guint64     gm_msgid,
            const char *message_id,
            gint64      date,
            guint       flags)
{
  g_autoptr(GPtrArray) batch = batch_new ();
  g_autofree char *subject = g_strdup_printf ("Message %u at %" G_GINT64_FORMAT, uid, date);
  LbStoreFetched *f = fetched_new (uid, gm_msgid, message_id, date, subject, flags);

  g_ptr_array_add (batch, f);
  insert_batch (store, folder_id, batch);
  g_assert_cmpint (f->message.id, >, 0);
  return f->message.id;
}

static guint
count_messages (LbStore *store,
                gint64   folder_id)
{
  g_autoptr(GError) error = NULL;
  guint total = G_MAXUINT;

  g_assert_true (lb_store_count_messages (store, folder_id, &total, NULL, &error));
  g_assert_no_error (error);
  return total;
}

/* ---- Opening and migrations ------------------------------------------- */

/* What sql/015-threads.sql adds, taken away again to make an older store. */
#define UNDO_THREADS \
  "DROP INDEX locations_folder_date; CREATE INDEX locations_folder_date ON locations (folder_id, date); " \
  "DROP INDEX locations_unified_date; " \
  "CREATE INDEX locations_unified_date ON locations (unified, date) WHERE unified = 1; " \
  "DROP TRIGGER messages_thread_changed; DROP TRIGGER accounts_thread_refs_deleted; " \
  "DROP TABLE thread_refs; DROP INDEX messages_thread_id; " \
  "ALTER TABLE messages DROP COLUMN thread_id; ALTER TABLE locations DROP COLUMN thread_id; "

static void
test_open_migrates_from_empty (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(LbStore) store = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  int latest = lb_store_get_latest_schema_version ();

  g_assert_cmpint (latest, >=, 2);

  store = open_rw (fx);
  g_assert_cmpint (lb_store_get_schema_version (store), ==, latest);
  g_assert_cmpstr (lb_store_get_path (store), ==, fx->path);
  g_assert_false (lb_store_is_read_only (store));
  accounts = lb_store_list_accounts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 0);
  add_account (store, "alice@example.com");
  g_clear_object (&store);

  g_assert_cmpint (lb_test_store_query_int (fx->path, "PRAGMA user_version"), ==, latest);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM sqlite_schema "
                                            "WHERE name = 'message_fts'"), ==, 1);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM sqlite_schema "
                                            "WHERE name = 'locations_unified_date'"), ==, 1);

  /* Reopening applies nothing and keeps the data. */
  store = open_rw (fx);
  g_assert_cmpint (lb_store_get_schema_version (store), ==, latest);
  g_clear_pointer (&accounts, g_ptr_array_unref);
  accounts = lb_store_list_accounts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
}

static void
test_open_migrates_from_older (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(LbStore) store = NULL;
  g_autoptr(GError) error = NULL;

  /* Roll a fresh store back to schema 1 by hand: 002 and later must then be
   * applied on the next open. */
  store = open_rw (fx);
  add_account (store, "alice@example.com");
  g_clear_object (&store);
  lb_test_store_exec (fx->path,
            "DROP TRIGGER message_text_ai; DROP TRIGGER message_text_ad; "
            "DROP TRIGGER message_text_au; DROP TABLE message_fts; DROP TABLE fts_pending; "
            "DROP TABLE search_keys; DROP TABLE search_words; DROP TRIGGER messages_date_search_key; "
            "DROP TABLE meta; ALTER TABLE messages DROP COLUMN internaldate; ALTER TABLE folders DROP COLUMN last_error; "
            "ALTER TABLE accounts DROP COLUMN auth; ALTER TABLE accounts DROP COLUMN oauth2_provider; "
            "ALTER TABLE accounts DROP COLUMN needs_sign_in; ALTER TABLE accounts DROP COLUMN signature; "
            "ALTER TABLE accounts DROP COLUMN goa_id; "
            "DROP TABLE identities; ALTER TABLE outbox DROP COLUMN subject; "
            "DROP TRIGGER folders_counts_ai; DROP TRIGGER locations_counts_ai; "
            "DROP TRIGGER locations_counts_ad; DROP TRIGGER locations_counts_au; "
            "DROP TABLE folder_counts; "
            UNDO_THREADS
            "ALTER TABLE accounts DROP COLUMN offline_days; ALTER TABLE accounts DROP COLUMN offline_max_mb; "
            "ALTER TABLE bodies DROP COLUMN encoding; DROP INDEX bodies_text_pending; "
            "ALTER TABLE bodies DROP COLUMN text_done; "
            "PRAGMA user_version = 1;");

  store = open_rw (fx);
  g_assert_cmpint (lb_store_get_schema_version (store), ==, lb_store_get_latest_schema_version ());
  g_clear_object (&store);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM sqlite_schema "
                                            "WHERE name = 'message_fts'"), ==, 1);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM accounts"), ==, 1);
}

/* A store of schema 3 had a plain trigram index, fully built: 004 rebuilds it with the
 * lb_trigram tokenizer in the background, and search finds short words all along. */
static void
test_open_migrates_search_index (Fixture       *fx,
                                 gconstpointer  data)
{
  g_autoptr(LbStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  gint64 account, inbox, message;
  guint indexed = 0;

  store = open_rw (fx);
  account = add_account (store, "alice@example.com");
  inbox = add_folder (store, account, "INBOX", LB_FOLDER_ROLE_INBOX);
  message = insert_one (store, inbox, 1, 0, "<a@example.com>", 1700000000, 0);
  g_assert_true (lb_store_set_body_text (store, message, "明天下午开会", &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  lb_test_store_exec (fx->path,
            "DROP TABLE message_fts; "
            "CREATE VIRTUAL TABLE message_fts USING fts5 (subject, sender, recipients, body, "
            "  content = 'message_text', content_rowid = 'message_id', tokenize = 'trigram', "
            "  detail = none); "
            "INSERT INTO message_fts (message_fts) VALUES ('rebuild'); "
            "DELETE FROM fts_pending; DROP TABLE search_keys; DROP TABLE search_words; "
            "DROP TRIGGER messages_date_search_key; "
            /* The triggers of 003, before 014 replaced them. */
            "DROP TRIGGER message_text_ad; DROP TRIGGER message_text_au; "
            "CREATE TRIGGER message_text_ad AFTER DELETE ON message_text BEGIN "
            "  INSERT INTO message_fts (message_fts, rowid, subject, sender, recipients, body) "
            "    SELECT 'delete', OLD.message_id, OLD.subject, OLD.sender, OLD.recipients, OLD.body "
            "    WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE message_id = OLD.message_id); "
            "  DELETE FROM fts_pending WHERE message_id = OLD.message_id; END; "
            "CREATE TRIGGER message_text_au AFTER UPDATE ON message_text BEGIN "
            "  INSERT INTO message_fts (message_fts, rowid, subject, sender, recipients, body) "
            "    SELECT 'delete', OLD.message_id, OLD.subject, OLD.sender, OLD.recipients, OLD.body "
            "    WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE message_id = OLD.message_id); "
            "  INSERT OR IGNORE INTO fts_pending (message_id) VALUES (NEW.message_id); END; "
            "DROP INDEX locations_message; CREATE INDEX locations_message ON locations (message_id); "
            "DROP TABLE meta; ALTER TABLE messages DROP COLUMN internaldate; ALTER TABLE folders DROP COLUMN last_error; "
            "ALTER TABLE accounts DROP COLUMN auth; ALTER TABLE accounts DROP COLUMN oauth2_provider; "
            "ALTER TABLE accounts DROP COLUMN needs_sign_in; ALTER TABLE accounts DROP COLUMN signature; "
            "ALTER TABLE accounts DROP COLUMN goa_id; "
            "DROP TABLE identities; ALTER TABLE outbox DROP COLUMN subject; "
            "DROP TRIGGER folders_counts_ai; DROP TRIGGER locations_counts_ai; "
            "DROP TRIGGER locations_counts_ad; DROP TRIGGER locations_counts_au; "
            "DROP TABLE folder_counts; "
            UNDO_THREADS
            "ALTER TABLE accounts DROP COLUMN offline_days; ALTER TABLE accounts DROP COLUMN offline_max_mb; "
            "ALTER TABLE bodies DROP COLUMN encoding; DROP INDEX bodies_text_pending; "
            "ALTER TABLE bodies DROP COLUMN text_done; "
            "PRAGMA user_version = 3;");

  store = open_rw (fx);
  g_assert_cmpint (lb_store_get_schema_version (store), ==, lb_store_get_latest_schema_version ());
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM fts_pending"), ==, 1);
  /* Queued: found by checking the text. */
  ids = lb_search_location_ids (store, "开会", LB_STORE_UNIFIED_INBOX, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_clear_pointer (&ids, g_array_unref);

  /* Indexed: found through the new tokenizer, which a plain trigram index could not do. */
  g_assert_true (lb_store_index_pending (store, 100, &indexed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (indexed, ==, 1);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM message_fts WHERE message_fts MATCH "
                                            "'\"开会\"*'"), ==, 1);
  ids = lb_search_location_ids (store, "开会", LB_STORE_UNIFIED_INBOX, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_clear_pointer (&ids, g_array_unref);
  ids = lb_search_location_ids (store, "会", LB_STORE_UNIFIED_INBOX, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
}

/* The counts the store keeps (018-folder-counts.sql) equal counting the locations. */
static void
assert_counts_match (LbStore *store,
                     gint64   account_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) counts = lb_store_get_folder_counts (store, account_id, &error);
  const char *path = lb_store_get_path (store);
  guint total = 0, unread = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < counts->len; i++)
    {
      LbStoreFolderCount *c = &g_array_index (counts, LbStoreFolderCount, i);
      g_autofree char *count_total =
        g_strdup_printf ("SELECT count(*) FROM locations WHERE folder_id = %" G_GINT64_FORMAT,
                         c->folder_id);
      g_autofree char *count_unread =
        g_strdup_printf ("SELECT count(*) FROM locations WHERE folder_id = %" G_GINT64_FORMAT
                         " AND (flags & 1) = 0", c->folder_id);
      guint one_total = 0, one_unread = 0;

      g_assert_cmpint (c->total, ==, lb_test_store_query_int (path, count_total));
      g_assert_cmpint (c->unread, ==, lb_test_store_query_int (path, count_unread));
      g_assert_true (lb_store_count_messages (store, c->folder_id, &one_total, &one_unread, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (one_total, ==, c->total);
      g_assert_cmpuint (one_unread, ==, c->unread);
    }
  g_assert_true (lb_store_count_messages (store, LB_STORE_UNIFIED_INBOX, &total, &unread, &error));
  g_assert_no_error (error);
  g_assert_cmpint (total, ==, lb_test_store_query_int (path, "SELECT count(*) FROM locations "
                                                             "WHERE unified = 1"));
  g_assert_cmpint (unread, ==, lb_test_store_query_int (path, "SELECT count(*) FROM locations "
                                                              "WHERE unified = 1 AND (flags & 1) = 0"));
}

/* The counts the window, the sidebar and the sync read after every change are kept as
 * the locations change, so reading them costs the same at any size; they follow every
 * kind of change, and a store from before gets them counted once. */
static void
test_counts_follow_changes (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = batch_new ();
  LbStoreUidFlags read[] = { { 1, LB_FLAG_SEEN, 0 }, { 2, 0, 0 }, { 3, LB_FLAG_SEEN, 0 } };
  guint32 gone[] = { 2, 4 };
  gint64 account, inbox, archive, spam;

  account = add_account (store, "alice@example.com");
  inbox = add_folder (store, account, "INBOX", LB_FOLDER_ROLE_INBOX);
  archive = add_folder (store, account, "Archive", LB_FOLDER_ROLE_ARCHIVE);
  spam = add_folder (store, account, "Spam", LB_FOLDER_ROLE_JUNK);
  for (guint i = 1; i <= 6; i++)
    {
      g_autofree char *id = g_strdup_printf ("<c%u@example.com>", i);
      g_ptr_array_add (batch, fetched_new (i, 0, id, 1700000000 + i, "Counted", i % 2 ? 0 : LB_FLAG_SEEN));
    }
  insert_batch (store, inbox, batch);
  insert_one (store, archive, 1, 0, "<c1@example.com>", 1700000001, 0);
  insert_one (store, spam, 1, 0, "<s1@example.com>", 1700000100, LB_FLAG_SEEN);
  assert_counts_match (store, account);

  /* The same UIDs again: only their flags change. */
  insert_batch (store, inbox, batch);
  g_assert_true (lb_store_update_flags (store, inbox, read, G_N_ELEMENTS (read), &error));
  g_assert_no_error (error);
  assert_counts_match (store, account);
  g_assert_true (lb_store_remove_uids (store, inbox, gone, G_N_ELEMENTS (gone), &error));
  g_assert_no_error (error);
  assert_counts_match (store, account);
  /* A location moved to another folder, as an undo or a local move may write it. */
  lb_test_store_exec (fx->path, "UPDATE locations SET folder_id = 2, uid = 99, flags = 0, unified = 0 "
                                "WHERE folder_id = 1 AND uid = 1");
  assert_counts_match (store, account);
  g_assert_true (lb_store_clear_folder (store, archive, &error));
  g_assert_no_error (error);
  assert_counts_match (store, account);
  g_assert_true (lb_store_remove_folder (store, spam, &error));
  g_assert_no_error (error);
  assert_counts_match (store, account);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM folder_counts"), ==, 2);

  /* A store from before the counts were kept: they are counted once as it opens. */
  g_clear_object (&store);
  lb_test_store_exec (fx->path,
                      "DROP TRIGGER folders_counts_ai; DROP TRIGGER locations_counts_ai; "
                      "DROP TRIGGER locations_counts_ad; DROP TRIGGER locations_counts_au; "
                      "DROP TABLE folder_counts; PRAGMA user_version = 17;");
  store = open_rw (fx);
  assert_counts_match (store, account);
}

static void
test_open_too_new (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(LbStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *sql = NULL;
  gsize before_len, after_len;

  store = open_rw (fx);
  add_account (store, "alice@example.com");
  g_clear_object (&store);
  sql = g_strdup_printf ("PRAGMA user_version = %d", lb_store_get_latest_schema_version () + 1);
  lb_test_store_exec (fx->path, sql);

  g_assert_true (g_file_get_contents (fx->path, &before, &before_len, NULL));

  store = lb_store_open (fx->path, LB_STORE_OPEN_DEFAULT, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_STORE_TOO_NEW);
  g_assert_null (store);
  g_clear_error (&error);

  store = lb_store_open (fx->path, LB_STORE_OPEN_READ_ONLY, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_STORE_TOO_NEW);
  g_assert_null (store);

  g_assert_true (g_file_get_contents (fx->path, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "PRAGMA user_version"), ==,
                   lb_store_get_latest_schema_version () + 1);
}

static void
assert_corrupt_refused (Fixture *fx)
{
  g_autoptr(LbStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;

  g_assert_true (g_file_get_contents (fx->path, &before, &before_len, NULL));

  store = lb_store_open (fx->path, LB_STORE_OPEN_DEFAULT, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_STORE);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "damaged"));
  g_assert_nonnull (strstr (error->message, fx->path));
  g_clear_error (&error);

  store = lb_store_open (fx->path, LB_STORE_OPEN_READ_ONLY, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_STORE);
  g_assert_null (store);

  g_assert_true (g_file_get_contents (fx->path, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
}

static void
test_open_not_a_database (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (fx->path);
  char junk[8192];

  for (guint i = 0; i < sizeof junk; i++)
    junk[i] = (char) (i * 7 + 13);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (fx->path, junk, sizeof junk, &error));
  g_assert_no_error (error);

  assert_corrupt_refused (fx);
}

static void
test_open_damaged_schema (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(LbStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  store = open_rw (fx);
  add_account (store, "alice@example.com");
  g_clear_object (&store);

  /* Keep the 100-byte header, so the file still claims to be SQLite, and
   * wreck the schema table that follows it on page 1. */
  g_assert_true (g_file_get_contents (fx->path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 4096);
  memset (contents + 100, 0xA5, 3000);
  g_assert_true (g_file_set_contents (fx->path, contents, len, &error));
  g_assert_no_error (error);

  assert_corrupt_refused (fx);
}

static void
test_open_read_only (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(LbStore) writer = NULL;
  g_autoptr(LbStore) reader = NULL;
  g_autoptr(LbStoreAccount) got = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id;

  /* No store yet: a reader cannot create one. */
  reader = lb_store_open (fx->path, LB_STORE_OPEN_READ_ONLY, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_STORE);
  g_assert_null (reader);
  g_clear_error (&error);

  writer = open_rw (fx);
  reader = lb_store_open (fx->path, LB_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_true (lb_store_is_read_only (reader));

  /* The reader sees what the writer commits. */
  account_id = add_account (writer, "alice@example.com");
  got = lb_store_get_account (reader, account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->email, ==, "alice@example.com");

  /* And cannot write. */
  got->display_name = g_strdup ("Alice");
  g_assert_false (lb_store_update_account (reader, got, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_STORE);
  g_clear_error (&error);

  /* A reader also opens a store no writer has open (its WAL files gone). */
  g_clear_object (&reader);
  g_clear_object (&writer);
  reader = lb_store_open (fx->path, LB_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_clear_pointer (&got, lb_store_account_free);
  got = lb_store_get_account (reader, account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->email, ==, "alice@example.com");
}

/* ---- Accounts and folders --------------------------------------------- */

static void
test_account_crud (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(LbStoreAccount) a = lb_store_account_new ();
  g_autoptr(LbStoreAccount) got = NULL;
  g_autoptr(LbStoreAccount) copy = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  gint64 other;

  a->email = g_strdup ("张三@example.cn");
  a->display_name = g_strdup ("张三");
  a->imap_host = g_strdup ("imap.qq.com");
  a->imap_port = 993;
  a->imap_security = LB_SECURITY_TLS;
  a->smtp_host = g_strdup ("smtp.qq.com");
  a->smtp_port = 587;
  a->smtp_security = LB_SECURITY_STARTTLS;
  a->username = g_strdup ("zhangsan");
  a->provider_id = g_strdup ("qq");
  a->ca_file = g_strdup ("/tmp/ca.pem");
  a->proxy = g_strdup ("socks5h://127.0.0.1:1080");
  a->color = g_strdup ("#3584e4");
  g_assert_true (lb_store_add_account (store, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (a->id, >, 0);
  g_assert_cmpint (a->created, >, 0);

  got = lb_store_get_account (store, a->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (got->id, ==, a->id);
  g_assert_cmpstr (got->email, ==, a->email);
  g_assert_cmpstr (got->display_name, ==, "张三");
  g_assert_cmpstr (got->imap_host, ==, "imap.qq.com");
  g_assert_cmpuint (got->imap_port, ==, 993);
  g_assert_cmpint (got->imap_security, ==, LB_SECURITY_TLS);
  g_assert_cmpstr (got->smtp_host, ==, "smtp.qq.com");
  g_assert_cmpuint (got->smtp_port, ==, 587);
  g_assert_cmpint (got->smtp_security, ==, LB_SECURITY_STARTTLS);
  g_assert_cmpstr (got->username, ==, "zhangsan");
  g_assert_cmpstr (got->provider_id, ==, "qq");
  g_assert_cmpstr (got->ca_file, ==, "/tmp/ca.pem");
  g_assert_cmpstr (got->proxy, ==, "socks5h://127.0.0.1:1080");
  g_assert_cmpstr (got->color, ==, "#3584e4");
  g_assert_cmpint (got->created, ==, a->created);

  copy = lb_store_account_copy (got);
  g_free (copy->display_name);
  copy->display_name = g_strdup ("Zhang San");
  g_clear_pointer (&copy->proxy, g_free);
  copy->imap_port = 143;
  copy->imap_security = LB_SECURITY_STARTTLS;
  g_assert_true (lb_store_update_account (store, copy, &error));
  g_assert_no_error (error);
  g_clear_pointer (&got, lb_store_account_free);
  got = lb_store_get_account (store, a->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->display_name, ==, "Zhang San");
  g_assert_null (got->proxy);
  g_assert_cmpuint (got->imap_port, ==, 143);
  g_assert_cmpint (got->imap_security, ==, LB_SECURITY_STARTTLS);

  other = add_account (store, "bob@example.com");
  list = lb_store_list_accounts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpint (((LbStoreAccount *) list->pdata[0])->id, ==, a->id);
  g_assert_cmpint (((LbStoreAccount *) list->pdata[1])->id, ==, other);

  g_assert_true (lb_store_remove_account (store, a->id, &error));
  g_assert_no_error (error);
  g_assert_null (lb_store_get_account (store, a->id, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lb_store_remove_account (store, a->id, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lb_store_update_account (store, copy, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
}

static void
test_account_remove_cascades (Fixture       *fx,
                              gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("Subject: x\r\n\r\nhi\r\n", 18);
  g_autoptr(LbStorePendingOp) op = lb_store_pending_op_new ();
  g_autoptr(LbStoreOutboxItem) item = lb_store_outbox_item_new ();
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(LbStoreMessage) kept = NULL;
  const char *rcpts[] = { "carol@example.com", NULL };
  gint64 a1, a2, inbox1, inbox2, m1, m2;

  a1 = add_account (store, "alice@example.com");
  a2 = add_account (store, "bob@example.com");
  inbox1 = add_folder (store, a1, "INBOX", LB_FOLDER_ROLE_INBOX);
  inbox2 = add_folder (store, a2, "INBOX", LB_FOLDER_ROLE_INBOX);
  m1 = insert_one (store, inbox1, 1, 0, "one@example.com", 1000, 0);
  m2 = insert_one (store, inbox2, 1, 0, "two@example.com", 2000, 0);
  g_assert_true (lb_store_put_body (store, m1, body, &error));
  g_assert_true (lb_store_put_body (store, m2, body, &error));
  g_assert_true (lb_store_set_body_text (store, m1, "quarterly report", &error));
  g_assert_no_error (error);

  op->account_id = a1;
  op->kind = LB_STORE_OP_FLAG;
  op->folder_id = inbox1;
  op->uids = g_strdup ("1");
  op->args = g_strdup ("1");
  g_assert_cmpint (lb_store_enqueue_op (store, op, &error), >, 0);
  item->account_id = a1;
  item->raw = g_bytes_ref (body);
  item->env_from = g_strdup ("alice@example.com");
  item->rcpts = g_strdupv ((char **) rcpts);
  g_assert_cmpint (lb_store_outbox_put (store, item, &error), >, 0);
  g_assert_no_error (error);

  g_assert_true (lb_store_remove_account (store, a1, &error));
  g_assert_no_error (error);

  g_assert_null (lb_store_get_folder (store, inbox1, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (lb_store_get_message (store, m1, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (lb_store_get_body (store, m1, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ops = lb_store_list_ops (store, a1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ops->len, ==, 0);
  outbox = lb_store_outbox_list (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 0);

  /* The other account is untouched. */
  kept = lb_store_get_message (store, m2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kept->account_id, ==, a2);
  g_assert_cmpuint (count_messages (store, LB_STORE_UNIFIED_INBOX), ==, 1);
  /* Text is indexed in the background (sql/003): index what is queued, so the integrity
   * check below compares a complete index with the text. */
  g_assert_true (lb_store_index_pending (store, 1000, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  /* Nothing is left behind, the search index included. */
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM locations"), ==, 1);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM bodies"), ==, 1);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM message_text"), ==, 1);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM message_fts "
                                            "WHERE body LIKE '%quarterly%'"), ==, 0);
  lb_test_store_exec (fx->path, "INSERT INTO message_fts (message_fts, rank) VALUES ('integrity-check', 1)");
}

static void
test_folder_upsert (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(LbStoreFolder) f = lb_store_folder_new ();
  g_autoptr(LbStoreFolder) got = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id, id, again, other_account;

  account_id = add_account (store, "alice@example.com");
  other_account = add_account (store, "bob@example.com");

  f->account_id = account_id;
  f->raw_name = g_strdup ("&UXZO1mWHTvZZOQ-");
  f->display_name = g_strdup ("其他文件夹");
  f->delimiter = g_strdup ("/");
  f->attributes = g_strdup ("\\HasNoChildren");
  id = lb_store_upsert_folder (store, f, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  g_assert_true (lb_store_set_folder_sync_state (store, id, 1234, 57, 9000000000ULL, &error));
  g_assert_true (lb_store_set_folder_counts (store, id, 56, 3, &error));
  g_assert_no_error (error);

  /* The same raw name again updates the LIST data but not the sync state. */
  g_free (f->attributes);
  f->attributes = g_strdup ("\\HasChildren");
  f->subscribed = FALSE;
  again = lb_store_upsert_folder (store, f, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, id);

  got = lb_store_get_folder (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->raw_name, ==, "&UXZO1mWHTvZZOQ-");
  g_assert_cmpstr (got->display_name, ==, "其他文件夹");
  g_assert_cmpstr (got->delimiter, ==, "/");
  g_assert_cmpstr (got->attributes, ==, "\\HasChildren");
  g_assert_false (got->subscribed);
  g_assert_true (got->selectable);
  g_assert_cmpuint (got->uidvalidity, ==, 1234);
  g_assert_cmpuint (got->uidnext, ==, 57);
  g_assert_cmpuint (got->highestmodseq, ==, 9000000000ULL);
  g_assert_cmpuint (got->total_count, ==, 56);
  g_assert_cmpuint (got->unread_count, ==, 3);
  g_assert_cmpint (got->last_sync, >, 0);
  g_assert_null (got->last_error);

  /* A folder's own failure is kept through a new LIST, until it is cleared. */
  g_assert_true (lb_store_set_folder_error (store, id, "Permission denied", &error));
  g_assert_no_error (error);
  g_assert_cmpint (lb_store_upsert_folder (store, f, &error), ==, id);
  g_clear_pointer (&got, lb_store_folder_free);
  got = lb_store_get_folder (store, id, &error);
  g_assert_cmpstr (got->last_error, ==, "Permission denied");
  g_assert_true (lb_store_set_folder_error (store, id, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&got, lb_store_folder_free);
  got = lb_store_get_folder (store, id, &error);
  g_assert_null (got->last_error);

  /* The same raw name in another account is another folder. */
  g_assert_cmpint (add_folder (store, other_account, "&UXZO1mWHTvZZOQ-", 0), !=, id);

  add_folder (store, account_id, "Sent", LB_FOLDER_ROLE_SENT);
  add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  add_folder (store, account_id, "Archive/2023", LB_FOLDER_ROLE_NONE);
  list = lb_store_list_folders (store, account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 4);
  g_assert_cmpstr (((LbStoreFolder *) list->pdata[0])->raw_name, ==, "INBOX");
  g_assert_cmpstr (((LbStoreFolder *) list->pdata[1])->raw_name, ==, "Sent");
  g_assert_cmpstr (((LbStoreFolder *) list->pdata[2])->raw_name, ==, "&UXZO1mWHTvZZOQ-");
  g_assert_cmpstr (((LbStoreFolder *) list->pdata[3])->raw_name, ==, "Archive/2023");

  g_assert_true (lb_store_remove_folder (store, id, &error));
  g_assert_no_error (error);
  g_assert_null (lb_store_get_folder (store, id, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lb_store_set_folder_counts (store, id, 1, 1, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
}

/* ---- Messages --------------------------------------------------------- */

static void
test_insert_dedupes_by_gm_msgid (Fixture       *fx,
                                 gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GPtrArray) inbox_batch = batch_new ();
  g_autoptr(GPtrArray) all_batch = batch_new ();
  g_autoptr(GError) error = NULL;
  gint64 account_id, inbox, all, other_account, other_inbox, other_id;

  account_id = add_account (store, "alice@gmail.com");
  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  all = add_folder (store, account_id, "[Gmail]/All Mail", LB_FOLDER_ROLE_ALL);

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *mid = g_strdup_printf ("m%u@mail.gmail.com", i);

      if (i % 2 == 0)
        g_ptr_array_add (inbox_batch, fetched_new (i + 1, 1000000 + i, mid, 5000 + i, "s", 0));
      g_ptr_array_add (all_batch, fetched_new (i + 100, 1000000 + i, mid, 5000 + i, "s",
                                               LB_FLAG_SEEN));
    }
  insert_batch (store, inbox, inbox_batch);
  insert_batch (store, all, all_batch);

  /* Each message in both folders is the same row. */
  for (guint i = 0; i < 150; i++)
    {
      LbStoreFetched *in = inbox_batch->pdata[i];
      LbStoreFetched *al = all_batch->pdata[i * 2];

      g_assert_cmpuint (in->message.gm_msgid, ==, al->message.gm_msgid);
      g_assert_cmpint (in->message.id, ==, al->message.id);
    }
  g_assert_cmpuint (count_messages (store, inbox), ==, 150);
  g_assert_cmpuint (count_messages (store, all), ==, 300);
  g_assert_cmpuint (count_messages (store, LB_STORE_UNIFIED_INBOX), ==, 150);

  /* The same X-GM-MSGID in another account is another message. */
  other_account = add_account (store, "bob@gmail.com");
  other_inbox = add_folder (store, other_account, "INBOX", LB_FOLDER_ROLE_INBOX);
  other_id = insert_one (store, other_inbox, 1, 1000000, "m0@mail.gmail.com", 5000, 0);
  g_assert_cmpint (other_id, !=, ((LbStoreFetched *) inbox_batch->pdata[0])->message.id);
  g_clear_object (&store);

  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM messages"), ==, 301);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM locations"), ==, 451);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM message_text"), ==, 301);
}

/* Stores one fetched message (taking it) and returns its message id. */
static gint64
insert_fetched (LbStore        *store,
                gint64          folder_id,
                LbStoreFetched *f)
{
  g_autoptr(GPtrArray) batch = batch_new ();

  g_ptr_array_add (batch, f);
  insert_batch (store, folder_id, batch);
  g_assert_cmpint (f->message.id, >, 0);
  return f->message.id;
}

/* A message as a server shows it: envelope, size and arrival time. */
static LbStoreFetched *
arrived_new (guint32     uid,
             const char *subject,
             gint64      internaldate)
{
  LbStoreFetched *f = fetched_new (uid, 0, "same@example.com", 7000, subject, 0);

  f->internaldate = internaldate;
  return f;
}

static void
test_insert_dedupes_by_message_id (Fixture       *fx,
                                   gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GArray) flags = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id, inbox, archive, a, b, c, d, e, f, g;

  account_id = add_account (store, "alice@example.com");
  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  archive = add_folder (store, account_id, "Archive", LB_FOLDER_ROLE_ARCHIVE);

  a = insert_fetched (store, inbox, arrived_new (1, "Quarterly report", 7100));
  /* A copy (COPY or MOVE keeps the arrival time and every header): one message. */
  b = insert_fetched (store, archive, arrived_new (5, "Quarterly report", 7100));
  g_assert_cmpint (a, ==, b);
  /* Another message with the same Message-ID, Date and size (a corrected resend, a
   * forged Message-ID): two messages, though they arrived in the same second. */
  c = insert_fetched (store, archive, arrived_new (6, "Quarterly rep0rt", 7100));
  g_assert_cmpint (c, !=, a);
  /* The same headers, arrived at another time (a draft saved again): two messages. */
  d = insert_fetched (store, archive, arrived_new (7, "Quarterly report", 7160));
  g_assert_cmpint (d, !=, a);
  g_assert_cmpint (d, !=, c);
  /* Without an arrival time there is no evidence: never merged. */
  e = insert_fetched (store, archive, arrived_new (8, "Quarterly report", 0));
  g_assert_cmpint (e, !=, a);
  g_assert_cmpint (e, !=, d);
  /* No Message-ID: never merged. */
  f = insert_one (store, archive, 9, 0, NULL, 7000, 0);
  g = insert_one (store, archive, 10, 0, NULL, 7000, 0);
  g_assert_cmpint (f, !=, g);

  /* The same UID again is the same location, with its flags refreshed. */
  g_assert_cmpint (insert_one (store, inbox, 1, 0, "same@example.com", 7000, LB_FLAG_SEEN), ==, a);
  g_assert_cmpuint (count_messages (store, inbox), ==, 1);
  g_assert_cmpuint (count_messages (store, archive), ==, 6);
  flags = lb_store_get_folder_flags (store, inbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flags->len, ==, 1);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 0).flags, ==, LB_FLAG_SEEN);
  g_clear_object (&store);

  /* The copy is one row, each distinct message one more. */
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM messages"), ==, 6);
}

static void
test_insert_batch_is_atomic (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GPtrArray) batch = batch_new ();
  g_autoptr(GError) error = NULL;
  gint64 account_id, inbox;

  account_id = add_account (store, "alice@example.com");
  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);

  g_ptr_array_add (batch, fetched_new (1, 0, "a@x", 1, "a", 0));
  g_assert_false (lb_store_insert_messages (store, inbox + 1000, batch, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_assert_cmpuint (count_messages (store, inbox), ==, 0);
}

static void
test_flags_round_trip (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GPtrArray) batch = batch_new ();
  g_autoptr(GArray) flags = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id, inbox, all, shared;
  guint unread;
  LbStoreUidFlags updates[] = {
    { 3, LB_FLAG_SEEN | LB_FLAG_FLAGGED, 99 },
    { 1, LB_FLAG_ANSWERED, 0 },
    { 42, LB_FLAG_SEEN, 100 },       /* unknown: ignored */
  };

  account_id = add_account (store, "alice@example.com");
  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  all = add_folder (store, account_id, "[Gmail]/All Mail", LB_FOLDER_ROLE_ALL);
  g_ptr_array_add (batch, fetched_new (3, 0, "c@x", 3, "c", LB_FLAG_DRAFT));
  g_ptr_array_add (batch, fetched_new (1, 0, "a@x", 1, "a", LB_FLAG_SEEN));
  g_ptr_array_add (batch, fetched_new (2, 4002, "b@x", 2, "b", 0));
  insert_batch (store, inbox, batch);

  flags = lb_store_get_folder_flags (store, inbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flags->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, i).uid, ==, i + 1);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 0).flags, ==, LB_FLAG_SEEN);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 1).flags, ==, 0);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 2).flags, ==, LB_FLAG_DRAFT);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 2).modseq, ==, 30);

  g_assert_true (lb_store_update_flags (store, inbox, updates, G_N_ELEMENTS (updates), &error));
  g_assert_no_error (error);
  g_clear_pointer (&flags, g_array_unref);
  flags = lb_store_get_folder_flags (store, inbox, &error);
  g_assert_cmpuint (flags->len, ==, 3);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 0).flags, ==, LB_FLAG_ANSWERED);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 0).modseq, ==, 10);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 2).flags, ==,
                    LB_FLAG_SEEN | LB_FLAG_FLAGGED);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 2).modseq, ==, 99);

  g_assert_true (lb_store_count_messages (store, inbox, NULL, &unread, &error));
  g_assert_cmpuint (unread, ==, 2);

  /* A local change reaches every folder holding the message. */
  shared = ((LbStoreFetched *) batch->pdata[2])->message.id;
  g_assert_cmpint (insert_one (store, all, 77, 4002, "b@x", 2, 0), ==, shared);
  g_assert_true (lb_store_change_message_flags (store, shared, LB_FLAG_SEEN | LB_FLAG_FLAGGED,
                                                0, &error));
  g_assert_true (lb_store_change_message_flags (store, shared, 0, LB_FLAG_FLAGGED, &error));
  g_assert_no_error (error);
  g_clear_pointer (&flags, g_array_unref);
  flags = lb_store_get_folder_flags (store, all, &error);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 0).flags, ==, LB_FLAG_SEEN);
  g_assert_true (lb_store_count_messages (store, inbox, NULL, &unread, &error));
  g_assert_cmpuint (unread, ==, 1);
  g_assert_true (lb_store_count_messages (store, LB_STORE_UNIFIED_INBOX, NULL, &unread, &error));
  g_assert_cmpuint (unread, ==, 1);

  g_assert_false (lb_store_change_message_flags (store, shared + 1000, LB_FLAG_SEEN, 0, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
}

static void
test_expunge_and_gc (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static ("Subject: x\r\n\r\nbody\r\n", 20);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(LbStoreMessage) m = NULL;
  gint64 account_id, inbox, all, shared, alone;
  guint32 max_uid = 1;
  const guint32 gone_inbox[] = { 10, 999 };
  const guint32 gone_all[] = { 20 };
  const guint32 gone_alone[] = { 11 };

  account_id = add_account (store, "alice@gmail.com");
  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  all = add_folder (store, account_id, "[Gmail]/All Mail", LB_FOLDER_ROLE_ALL);

  g_assert_true (lb_store_get_max_uid (store, inbox, &max_uid, &error));
  g_assert_cmpuint (max_uid, ==, 0);

  shared = insert_one (store, inbox, 10, 777, "s@x", 100, 0);
  g_assert_cmpint (insert_one (store, all, 20, 777, "s@x", 100, 0), ==, shared);
  alone = insert_one (store, inbox, 11, 778, "a@x", 101, 0);
  g_assert_true (lb_store_put_body (store, shared, raw, &error));
  g_assert_true (lb_store_put_body (store, alone, raw, &error));
  g_assert_no_error (error);

  g_assert_true (lb_store_get_max_uid (store, inbox, &max_uid, &error));
  g_assert_cmpuint (max_uid, ==, 11);

  /* Gone from INBOX but still in All Mail: the message stays. */
  g_assert_true (lb_store_remove_uids (store, inbox, gone_inbox, 2, &error));
  g_assert_no_error (error);
  m = lb_store_get_message (store, shared, &error);
  g_assert_no_error (error);
  got = lb_store_get_body (store, shared, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, raw));
  g_assert_cmpuint (count_messages (store, inbox), ==, 1);

  /* Gone from everywhere: the message, its body and text go too. */
  g_assert_true (lb_store_remove_uids (store, all, gone_all, 1, &error));
  g_assert_true (lb_store_remove_uids (store, inbox, gone_alone, 1, &error));
  g_assert_no_error (error);
  g_assert_null (lb_store_get_message (store, shared, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (lb_store_get_body (store, alone, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (lb_store_get_max_uid (store, inbox, &max_uid, &error));
  g_assert_cmpuint (max_uid, ==, 0);
  g_clear_object (&store);

  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM messages"), ==, 0);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM bodies"), ==, 0);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM message_text"), ==, 0);
}

static void
test_clear_folder (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(LbStoreFolder) f = NULL;
  g_autoptr(LbStoreMessage) m = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id, inbox, archive, shared, alone;

  account_id = add_account (store, "alice@example.com");
  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  archive = add_folder (store, account_id, "Archive", LB_FOLDER_ROLE_ARCHIVE);
  shared = insert_fetched (store, inbox, arrived_new (1, "s", 100));
  g_assert_cmpint (insert_fetched (store, archive, arrived_new (1, "s", 100)), ==, shared);
  alone = insert_one (store, inbox, 2, 0, "a@x", 2, 0);
  g_assert_true (lb_store_set_folder_sync_state (store, inbox, 5, 3, 40, &error));

  g_assert_true (lb_store_clear_folder (store, inbox, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (store, inbox), ==, 0);
  g_assert_cmpuint (count_messages (store, archive), ==, 1);
  m = lb_store_get_message (store, shared, &error);
  g_assert_no_error (error);
  g_assert_null (lb_store_get_message (store, alone, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  f = lb_store_get_folder (store, inbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->uidnext, ==, 0);
  g_assert_cmpuint (f->highestmodseq, ==, 0);
}

/* Bodies are compressed where that pays; rows written before migration 013 (raw bytes,
 * encoding 0) read back as they are; a damaged frame is an error, not garbage. */
static void
test_body_compressed (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new ("Subject: minutes\r\n\r\n");
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GBytes) tiny = g_bytes_new_static ("Subject: x\r\n\r\nhi\r\n", 18);
  gint64 account_id, inbox, id, old, small;
  g_autofree char *sql = NULL;

  for (int i = 0; i < 200; i++)
    g_string_append_printf (text, "Line %d of the quarterly meeting minutes, 季度会议纪要.\r\n", i);
  raw = g_bytes_new (text->str, text->len);
  account_id = add_account (store, "alice@example.com");
  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  id = insert_one (store, inbox, 1, 0, "a@x", 1, 0);
  old = insert_one (store, inbox, 2, 0, "b@x", 2, 0);
  small = insert_one (store, inbox, 3, 0, "c@x", 3, 0);

  g_assert_true (lb_store_put_body (store, id, raw, &error));
  g_assert_true (lb_store_put_body (store, small, tiny, &error));
  g_assert_no_error (error);
  got = lb_store_get_body (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, raw));
  g_clear_pointer (&got, g_bytes_unref);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT encoding FROM bodies WHERE message_id = 1"), ==, 1);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT length(raw) FROM bodies WHERE message_id = 1"),
                   <, (gint64) g_bytes_get_size (raw) / 4);
  /* Too small to pay: kept as it came. */
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT encoding FROM bodies WHERE message_id = 3"), ==, 0);
  got = lb_store_get_body (store, small, &error);
  g_assert_true (g_bytes_equal (got, tiny));
  g_clear_pointer (&got, g_bytes_unref);

  /* A row as an older Letterbox wrote it. */
  sql = g_strdup_printf ("INSERT INTO bodies (message_id, raw, fetched) VALUES (%" G_GINT64_FORMAT
                         ", CAST('Subject: old\r\n\r\nplain' AS BLOB), 1)", old);
  lb_test_store_exec (fx->path, sql);
  got = lb_store_get_body (store, old, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), "Subject: old\r\n\r\nplain", 21);
  g_clear_pointer (&got, g_bytes_unref);

  lb_test_store_exec (fx->path, "UPDATE bodies SET raw = substr(raw, 1, 20) WHERE message_id = 1");
  g_assert_null (lb_store_get_body (store, id, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_STORE);
}

/* What an account keeps offline: its window, listing what to download newest first,
 * pruning and removing. */
static void
test_offline_window (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static ("Subject: x\r\n\r\nhi\r\n", 18);
  g_autoptr(GArray) batch = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  LbStoreAccount *row;
  LbStoreDiskUse use = { 0 };
  gint64 account_id, inbox, ids[4];
  guint n = 0;

  account_id = add_account (store, "alice@example.com");
  accounts = lb_store_list_accounts (store, &error);
  row = g_ptr_array_index (accounts, 0);
  g_assert_cmpint (row->offline_days, ==, 0);
  row->offline_days = 30;
  row->offline_max_mb = 5;
  g_assert_true (lb_store_update_account (store, row, &error));
  g_clear_pointer (&accounts, g_ptr_array_unref);
  accounts = lb_store_list_accounts (store, &error);
  row = g_ptr_array_index (accounts, 0);
  g_assert_cmpint (row->offline_days, ==, 30);
  g_assert_cmpuint (row->offline_max_mb, ==, 5);

  g_assert_cmpint (lb_store_offline_since (0, 1000000), ==, 0);
  g_assert_cmpint (lb_store_offline_since (-1, 1000000), ==, G_MAXINT64);
  g_assert_cmpint (lb_store_offline_since (1, 1000000), ==, 1000000 - 86400);

  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  for (int i = 0; i < 4; i++)
    ids[i] = insert_one (store, inbox, i + 1, 0, NULL, 1000 * (i + 1), 0);
  batch = lb_store_list_bodies_to_download (store, inbox, 1500, NULL, 0, 10, &error);
  g_assert_no_error (error);
  /* Newest first, within the window. */
  g_assert_cmpuint (batch->len, ==, 3);
  g_assert_cmpint (g_array_index (batch, LbStoreBodyToFetch, 0).message_id, ==, ids[3]);
  g_assert_cmpint (g_array_index (batch, LbStoreBodyToFetch, 2).message_id, ==, ids[1]);
  g_assert_true (lb_store_put_body (store, ids[3], raw, &error));
  g_clear_pointer (&batch, g_array_unref);
  batch = lb_store_list_bodies_to_download (store, inbox, 0, NULL, 0, 10, &error);
  g_assert_cmpuint (batch->len, ==, 3);
  g_assert_cmpint (g_array_index (batch, LbStoreBodyToFetch, 0).message_id, ==, ids[2]);
  g_assert_true (lb_store_count_bodies_to_download (store, account_id, 0, 0, &n, &error));
  g_assert_cmpuint (n, ==, 3);

  for (int i = 0; i < 3; i++)
    g_assert_true (lb_store_put_body (store, ids[i], raw, &error));
  g_assert_true (lb_store_remove_bodies (store, account_id, 2500, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  g_assert_true (lb_store_get_disk_use (store, account_id, &use, &error));
  g_assert_cmpuint (use.n_messages, ==, 4);
  g_assert_cmpuint (use.n_bodies, ==, 2);
  g_assert_true (lb_store_remove_bodies (store, account_id, G_MAXINT64, &n, &error));
  g_assert_cmpuint (n, ==, 2);
  g_assert_true (lb_store_reclaim_space (store, &error));
  g_assert_no_error (error);
}

static void
test_body_and_preview (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GError) error = NULL;
  static const char bytes[] = "Subject: \x1b$B\r\n\r\n\0binary\xff";
  g_autoptr(GBytes) raw = g_bytes_new_static (bytes, sizeof bytes);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(LbStoreMessage) m = NULL;
  gint64 account_id, inbox, id;

  account_id = add_account (store, "alice@example.com");
  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  id = insert_one (store, inbox, 1, 0, "a@x", 1, 0);

  g_assert_null (lb_store_get_body (store, id, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (lb_store_put_body (store, id, empty, &error));
  got = lb_store_get_body (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (got), ==, 0);
  g_clear_pointer (&got, g_bytes_unref);

  g_assert_true (lb_store_put_body (store, id, raw, &error));
  got = lb_store_get_body (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, raw));

  g_assert_false (lb_store_put_body (store, id + 100, raw, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (lb_store_update_preview (store, id, "第一行 of the body", TRUE, &error));
  g_assert_true (lb_store_set_body_text (store, id, "关于季度会议的纪要", &error));
  g_assert_no_error (error);
  m = lb_store_get_message (store, id, &error);
  g_assert_cmpstr (m->preview, ==, "第一行 of the body");
  g_assert_true (m->has_attachments);
  g_assert_cmpstr (m->message_id, ==, "a@x");
  g_assert_cmpstr (m->from_address, ==, "bob@example.com");
  {
    guint indexed = 0;
    g_assert_true (lb_store_index_pending (store, 1000, &indexed, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (indexed, >=, 1);
  }
  g_clear_object (&store);

  /* The word index sees the body text and the envelope (once the background indexer
   * has run): CJK pairs, and the sender also as tagged from: tokens. */
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM message_fts "
                                            "WHERE message_fts MATCH '季度 AND 会议'"), ==, 1);
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM message_fts WHERE "
                                            "message_fts MATCH ('\"' || char (1) || 'fbob\"')"), ==, 1);
}

/* ---- Lists ------------------------------------------------------------ */

static void
test_unified_inbox_order (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(LbStore) reader = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStoreFolder) f = NULL;
  gint64 a1, a2, in1, in2, all1, sent2;
  guint total, unread;
  gint64 last_date = G_MAXINT64;

  a1 = add_account (store, "alice@gmail.com");
  a2 = add_account (store, "bob@qq.com");
  in1 = add_folder (store, a1, "INBOX", LB_FOLDER_ROLE_INBOX);
  all1 = add_folder (store, a1, "[Gmail]/All Mail", LB_FOLDER_ROLE_ALL);
  in2 = add_folder (store, a2, "INBOX", LB_FOLDER_ROLE_INBOX);
  sent2 = add_folder (store, a2, "Sent Messages", LB_FOLDER_ROLE_SENT);

  /* Account 1 has the odd dates, account 2 the even ones. */
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *mid1 = g_strdup_printf ("a%u@x", i);
      g_autofree char *mid2 = g_strdup_printf ("b%u@x", i);

      insert_one (store, in1, i + 1, 500 + i, mid1, 2 * i + 1, i < 3 ? 0 : LB_FLAG_SEEN);
      insert_one (store, all1, i + 1, 500 + i, mid1, 2 * i + 1, i < 3 ? 0 : LB_FLAG_SEEN);
      insert_one (store, in2, i + 1, 0, mid2, 2 * i, LB_FLAG_SEEN);
      insert_one (store, sent2, i + 1, 0, NULL, 1000 + i, LB_FLAG_SEEN);
    }

  reader = lb_store_open (fx->path, LB_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);

  g_assert_true (lb_store_count_messages (reader, LB_STORE_UNIFIED_INBOX, &total, &unread,
                                          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 20);
  g_assert_cmpuint (unread, ==, 3);

  page = lb_store_list_page (reader, LB_STORE_UNIFIED_INBOX, 0, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 20);
  for (guint i = 0; i < page->len; i++)
    {
      LbStoreListRow *row = page->pdata[i];

      g_assert_cmpint (row->date, ==, 19 - (gint64) i);
      g_assert_cmpint (row->date, <, last_date);
      last_date = row->date;
      g_assert_cmpint (row->account_id, ==, row->date % 2 == 1 ? a1 : a2);
      g_assert_cmpint (row->folder_id, ==, row->date % 2 == 1 ? in1 : in2);
      g_assert_cmpstr (row->from_address, ==, "bob@example.com");
      g_assert_cmpstr (row->preview, ==, "Hello there");
      g_assert_nonnull (row->subject);
    }
  /* The three unread messages of account 1 have dates 1, 3 and 5. */
  g_assert_cmpuint (((LbStoreListRow *) page->pdata[18])->flags & LB_FLAG_SEEN, ==, 0);
  g_assert_cmpuint (((LbStoreListRow *) page->pdata[0])->flags & LB_FLAG_SEEN, !=, 0);

  /* A folder that becomes the inbox joins the unified list, and leaves it. */
  f = lb_store_get_folder (store, sent2, &error);
  f->role = LB_FOLDER_ROLE_INBOX;
  g_assert_cmpint (lb_store_upsert_folder (store, f, &error), ==, sent2);
  g_assert_cmpuint (count_messages (reader, LB_STORE_UNIFIED_INBOX), ==, 30);
  f->role = LB_FOLDER_ROLE_SENT;
  g_assert_cmpint (lb_store_upsert_folder (store, f, &error), ==, sent2);
  g_assert_cmpuint (count_messages (reader, LB_STORE_UNIFIED_INBOX), ==, 20);

  /* Removing an account removes its rows from the unified inbox. */
  g_assert_true (lb_store_remove_account (store, a1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (reader, LB_STORE_UNIFIED_INBOX), ==, 10);
}

static void
test_paging (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GPtrArray) batch = batch_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GArray) counts = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id, inbox, other;
  guint n = 0;

  account_id = add_account (store, "alice@example.com");
  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  other = add_folder (store, account_id, "Lists", LB_FOLDER_ROLE_NONE);
  /* 250 messages, dates in groups of five equal values, inserted out of order. */
  for (guint i = 0; i < 250; i++)
    {
      guint k = (i * 97) % 250;
      g_autofree char *mid = g_strdup_printf ("p%u@x", k);

      g_ptr_array_add (batch, fetched_new (k + 1, 0, mid, 10000 + k / 5, "s",
                                           k % 4 == 0 ? 0 : LB_FLAG_SEEN));
    }
  insert_batch (store, inbox, batch);
  insert_one (store, other, 1, 0, "o@x", 99999, 0);

  all = lb_store_list_page (store, inbox, 0, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 250);

  for (guint offset = 0; ; offset += 40)
    {
      g_autoptr(GPtrArray) page = lb_store_list_page (store, inbox, offset, 40, &error);

      g_assert_no_error (error);
      if (page->len == 0)
        break;
      g_assert_cmpuint (page->len, ==, MIN (40, 250 - offset));
      for (guint i = 0; i < page->len; i++)
        {
          LbStoreListRow *row = page->pdata[i];
          LbStoreListRow *expected = all->pdata[n];

          g_assert_cmpint (row->message_id, ==, expected->message_id);
          g_assert_cmpint (row->folder_id, ==, inbox);
          if (n > 0)
            g_assert_cmpint (row->date, <=, ((LbStoreListRow *) all->pdata[n - 1])->date);
          g_assert_false (g_hash_table_contains (seen, &row->message_id));
          g_hash_table_add (seen, &expected->message_id);
          n++;
        }
    }
  g_assert_cmpuint (n, ==, 250);

  counts = lb_store_get_folder_counts (store, account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counts->len, ==, 2);
  g_assert_cmpint (g_array_index (counts, LbStoreFolderCount, 0).folder_id, ==, inbox);
  g_assert_cmpuint (g_array_index (counts, LbStoreFolderCount, 0).total, ==, 250);
  g_assert_cmpuint (g_array_index (counts, LbStoreFolderCount, 0).unread, ==, 63);
  g_assert_cmpint (g_array_index (counts, LbStoreFolderCount, 1).folder_id, ==, other);
  g_assert_cmpuint (g_array_index (counts, LbStoreFolderCount, 1).total, ==, 1);
  g_assert_cmpuint (g_array_index (counts, LbStoreFolderCount, 1).unread, ==, 1);
}

/* ---- Queues ----------------------------------------------------------- */

static void
test_pending_ops_survive_reopen (Fixture       *fx,
                                 gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id, other_account, inbox, ids[3];
  LbStoreOpKind kinds[] = { LB_STORE_OP_FLAG, LB_STORE_OP_MOVE, LB_STORE_OP_EXPUNGE };

  account_id = add_account (store, "alice@example.com");
  other_account = add_account (store, "bob@example.com");
  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(LbStorePendingOp) op = lb_store_pending_op_new ();

      op->account_id = account_id;
      op->kind = kinds[i];
      op->folder_id = inbox;
      op->uids = g_strdup_printf ("%u:%u", i + 1, i + 5);
      op->args = i == 1 ? g_strdup ("42") : NULL;
      ids[i] = lb_store_enqueue_op (store, op, &error);
      g_assert_no_error (error);
      g_assert_cmpint (ids[i], >, 0);
    }
  {
    g_autoptr(LbStorePendingOp) op = lb_store_pending_op_new ();

    op->account_id = other_account;
    op->kind = LB_STORE_OP_APPEND;
    g_assert_cmpint (lb_store_enqueue_op (store, op, &error), >, 0);
  }
  g_assert_true (lb_store_update_op_attempts (store, ids[1], 3, "NO [TRYCANCEL] busy", &error));
  g_assert_true (lb_store_remove_op (store, ids[0], &error));
  g_assert_no_error (error);
  g_assert_false (lb_store_remove_op (store, ids[0], &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&store);

  store = open_rw (fx);
  ops = lb_store_list_ops (store, account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ops->len, ==, 2);
  {
    LbStorePendingOp *move = ops->pdata[0];
    LbStorePendingOp *expunge = ops->pdata[1];

    g_assert_cmpint (move->id, ==, ids[1]);
    g_assert_cmpint (move->account_id, ==, account_id);
    g_assert_cmpint (move->kind, ==, LB_STORE_OP_MOVE);
    g_assert_cmpint (move->folder_id, ==, inbox);
    g_assert_cmpstr (move->uids, ==, "2:6");
    g_assert_cmpstr (move->args, ==, "42");
    g_assert_cmpuint (move->attempts, ==, 3);
    g_assert_cmpstr (move->last_error, ==, "NO [TRYCANCEL] busy");
    g_assert_cmpint (move->created, >, 0);
    g_assert_cmpint (expunge->kind, ==, LB_STORE_OP_EXPUNGE);
    g_assert_null (expunge->args);
    g_assert_null (expunge->last_error);
    g_assert_cmpuint (expunge->attempts, ==, 0);
  }
  g_clear_pointer (&ops, g_ptr_array_unref);
  ops = lb_store_list_ops (store, other_account, &error);
  g_assert_cmpuint (ops->len, ==, 1);
  g_assert_cmpint (((LbStorePendingOp *) ops->pdata[0])->folder_id, ==, 0);
}

static void
test_outbox_survives_reopen (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  static const char bytes[] = "From: a@x\r\nTo: b@y\r\n\r\n.\r\n..dot\0nul\r\n";
  g_autoptr(GBytes) raw = g_bytes_new_static (bytes, sizeof bytes - 1);
  const char *rcpts[] = { "b@y", "c@z", "张@例子.中国", NULL };
  gint64 account_id, other_account, first, second;

  account_id = add_account (store, "alice@example.com");
  other_account = add_account (store, "bob@example.com");
  {
    g_autoptr(LbStoreOutboxItem) item = lb_store_outbox_item_new ();

    item->account_id = account_id;
    item->raw = g_bytes_ref (raw);
    item->env_from = g_strdup ("a@x");
    item->rcpts = g_strdupv ((char **) rcpts);
    item->message_id = g_strdup ("out1@x");
    first = lb_store_outbox_put (store, item, &error);
    g_assert_no_error (error);
    item->account_id = other_account;
    second = lb_store_outbox_put (store, item, &error);
    g_assert_no_error (error);
    g_assert_cmpint (second, >, first);
  }
  g_assert_true (lb_store_outbox_update (store, first, LB_STORE_OUTBOX_FAILED, 2, 1700000000,
                                         "550 rejected", &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  store = open_rw (fx);
  items = lb_store_outbox_list (store, account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  {
    LbStoreOutboxItem *item = items->pdata[0];

    g_assert_cmpint (item->id, ==, first);
    g_assert_true (g_bytes_equal (item->raw, raw));
    g_assert_cmpstr (item->env_from, ==, "a@x");
    g_assert_cmpuint (g_strv_length (item->rcpts), ==, 3);
    g_assert_cmpstr (item->rcpts[2], ==, "张@例子.中国");
    g_assert_cmpint (item->state, ==, LB_STORE_OUTBOX_FAILED);
    g_assert_cmpuint (item->attempts, ==, 2);
    g_assert_cmpint (item->next_attempt, ==, 1700000000);
    g_assert_cmpstr (item->last_error, ==, "550 rejected");
    g_assert_cmpstr (item->message_id, ==, "out1@x");
    g_assert_cmpint (item->created, >, 0);
  }
  g_clear_pointer (&items, g_ptr_array_unref);
  items = lb_store_outbox_list (store, 0, &error);
  g_assert_cmpuint (items->len, ==, 2);

  g_assert_true (lb_store_outbox_remove (store, first, &error));
  g_assert_false (lb_store_outbox_remove (store, first, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = lb_store_outbox_list (store, 0, &error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpint (((LbStoreOutboxItem *) items->pdata[0])->id, ==, second);
}

static void
test_transaction (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(LbStorePendingOp) op = lb_store_pending_op_new ();
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GArray) flags = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id, inbox, id;
  guint unread;

  account_id = add_account (store, "alice@example.com");
  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  id = insert_one (store, inbox, 1, 0, "a@x", 1, 0);
  op->account_id = account_id;
  op->kind = LB_STORE_OP_FLAG;
  op->folder_id = inbox;
  op->uids = g_strdup ("1");
  op->args = g_strdup ("1");

  /* Rolled back: neither the local change nor the operation remains, nor
   * a batch inserted inside (a nested savepoint). */
  g_assert_true (lb_store_transaction_begin (store, &error));
  g_assert_true (lb_store_change_message_flags (store, id, LB_FLAG_SEEN, 0, &error));
  g_assert_cmpint (lb_store_enqueue_op (store, op, &error), >, 0);
  insert_one (store, inbox, 2, 0, "b@x", 2, 0);
  lb_store_transaction_rollback (store);
  g_assert_true (lb_store_count_messages (store, inbox, NULL, &unread, &error));
  g_assert_cmpuint (unread, ==, 1);
  g_assert_cmpuint (count_messages (store, inbox), ==, 1);
  ops = lb_store_list_ops (store, account_id, &error);
  g_assert_cmpuint (ops->len, ==, 0);
  g_clear_pointer (&ops, g_ptr_array_unref);

  /* Committed: both. */
  g_assert_true (lb_store_transaction_begin (store, &error));
  g_assert_true (lb_store_change_message_flags (store, id, LB_FLAG_SEEN, 0, &error));
  g_assert_cmpint (lb_store_enqueue_op (store, op, &error), >, 0);
  g_assert_true (lb_store_transaction_commit (store, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  store = open_rw (fx);
  flags = lb_store_get_folder_flags (store, inbox, &error);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 0).flags, ==, LB_FLAG_SEEN);
  ops = lb_store_list_ops (store, account_id, &error);
  g_assert_cmpuint (ops->len, ==, 1);
}

/* ---- Threads ---------------------------------------------------------- */

typedef struct {
  const char *path;
  gint64      folder_id;
  guint32     first_uid;
} WriterJob;

/* One account's worker: its own connection, many short batches. */
static gpointer
writer_thread (gpointer data)
{
  WriterJob *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = lb_store_open (job->path, LB_STORE_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  for (guint b = 0; b < 20; b++)
    {
      g_autoptr(GPtrArray) batch = batch_new ();

      for (guint i = 0; i < 50; i++)
        {
          guint32 uid = job->first_uid + b * 50 + i;
          g_autofree char *mid = g_strdup_printf ("t%u@x", uid);

          g_ptr_array_add (batch, fetched_new (uid, 0, mid, uid, "s", 0));
        }
      if (!lb_store_insert_messages (store, job->folder_id, batch, &error))
        return g_steal_pointer (&error);
    }
  return NULL;
}

static void
test_concurrent_writers (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(LbStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  WriterJob jobs[2];
  GThread *threads[2];
  gint64 a1, a2;

  a1 = add_account (store, "alice@example.com");
  a2 = add_account (store, "bob@example.com");
  jobs[0] = (WriterJob) { fx->path, add_folder (store, a1, "INBOX", LB_FOLDER_ROLE_INBOX), 1 };
  jobs[1] = (WriterJob) { fx->path, add_folder (store, a2, "INBOX", LB_FOLDER_ROLE_INBOX), 5001 };
  reader = lb_store_open (fx->path, LB_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new ("writer", writer_thread, &jobs[i]);
  /* Read while they write: WAL readers never block. */
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GPtrArray) page = lb_store_list_page (reader, LB_STORE_UNIFIED_INBOX, 0, 50,
                                                      &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 2; i++)
    {
      GError *thread_error = g_thread_join (threads[i]);

      g_assert_no_error (thread_error);
    }

  g_assert_cmpuint (count_messages (reader, LB_STORE_UNIFIED_INBOX), ==, 2000);
  g_assert_cmpuint (count_messages (reader, jobs[0].folder_id), ==, 1000);
}

static guint
count_ops (LbStore *store,
           gint64   account_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ops = lb_store_list_ops (store, account_id, &error);

  g_assert_no_error (error);
  return ops->len;
}

static void
apply (LbStore       *store,
       gint64         account_id,
       gint64         folder_id,
       LbStoreOpKind  kind,
       const char    *set,
       const char    *args,
       const gint64  *ids,
       const guint32 *uids,
       guint          n,
       GError       **error)
{
  g_autoptr(LbStorePendingOp) op = lb_store_pending_op_new ();

  op->account_id = account_id;
  op->kind = kind;
  op->folder_id = folder_id;
  op->uids = g_strdup (set);
  op->args = g_strdup (args);
  lb_store_apply_local_change (store, op, ids, uids, n, error);
}

/* A local change and its replay entry land together or not at all, and the UIDs it
 * names stay out of the sync's reach until it is replayed. */
static void
test_local_change_atomic (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(LbStore) store = open_rw (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) flags = NULL;
  g_autoptr(GArray) pending = NULL;
  gint64 account_id, inbox, ids[4];
  const guint32 uids[] = { 1, 2, 3, 4 };
  const gint64 missing[] = { 1000000 };
  LbStoreUidFlags updates[] = { { 1, 0, 0 }, { 4, LB_FLAG_FLAGGED, 0 } };

  account_id = add_account (store, "alice@example.com");
  inbox = add_folder (store, account_id, "INBOX", LB_FOLDER_ROLE_INBOX);
  for (guint i = 0; i < 4; i++)
    ids[i] = insert_one (store, inbox, uids[i], 0, NULL, i + 1, 0);

  apply (store, account_id, inbox, LB_STORE_OP_FLAG, "1:2", "1", ids, uids, 2, &error);
  g_assert_no_error (error);
  apply (store, account_id, inbox, LB_STORE_OP_DELETE, "3", "0", ids + 2, uids + 2, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_ops (store, account_id), ==, 2);

  /* A change that fails half-way (its entry names no account) leaves nothing behind:
   * no entry, no flag. */
  apply (store, account_id + 1000, inbox, LB_STORE_OP_FLAG, "4", "4", ids + 3, uids + 3, 1,
         &error);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (count_ops (store, account_id), ==, 2);
  /* A message the sync removed meanwhile is no reason to lose the rest. */
  apply (store, account_id, inbox, LB_STORE_OP_FLAG, "2", "1", missing, uids + 1, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_ops (store, account_id), ==, 3);

  g_assert_true (lb_store_get_folder_snapshot (store, inbox, &flags, &pending, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (flags->len, ==, 3);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 0).flags, ==, LB_FLAG_SEEN);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 2).flags, ==, 0);
  g_assert_cmpuint (pending->len, ==, 4);   /* uid 2 twice */
  for (guint i = 0; i < 3; i++)
    g_assert_true (lb_store_uid_is_pending (pending, uids[i]));
  g_assert_false (lb_store_uid_is_pending (pending, 4));

  /* The server's flags go only where no change waits. */
  g_assert_true (lb_store_update_flags_unless_pending (store, inbox, updates, 2, &error));
  g_assert_no_error (error);
  g_clear_pointer (&flags, g_array_unref);
  flags = lb_store_get_folder_flags (store, inbox, &error);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 0).flags, ==, LB_FLAG_SEEN);
  g_assert_cmpuint (g_array_index (flags, LbStoreUidFlags, 2).flags, ==, LB_FLAG_FLAGGED);
}

/* An OAuth2 account keeps its auth kind and provider, and the needs-sign-in flag is set
 * on its own and cleared by saving the account again (a new sign-in). */
/* The signature and the additional addresses are kept in order, replaced as a whole by an
 * update, and go with the account. */
static void
test_account_identities (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = open_rw (fx);
  gint64 id = add_account (store, "alice@example.com");
  g_autoptr(LbStoreAccount) a = lb_store_get_account (store, id, &error);
  g_autoptr(LbStoreAccount) back = NULL;
  const LbIdentity *alias;

  g_assert_no_error (error);
  g_assert_null (a->signature);
  g_assert_cmpuint (a->aliases->len, ==, 0);

  a->signature = g_strdup ("Alice\nExample Ltd");
  g_ptr_array_add (a->aliases, lb_identity_new ("sales@example.com", "Example Sales", "Sales team"));
  g_ptr_array_add (a->aliases, lb_identity_new ("a@example.org", NULL, ""));
  g_assert_true (lb_store_update_account (store, a, &error));
  g_assert_no_error (error);

  back = lb_store_get_account (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->signature, ==, "Alice\nExample Ltd");
  g_assert_cmpuint (back->aliases->len, ==, 2);
  alias = g_ptr_array_index (back->aliases, 0);
  g_assert_cmpstr (alias->email, ==, "sales@example.com");
  g_assert_cmpstr (alias->display_name, ==, "Example Sales");
  g_assert_cmpstr (alias->signature, ==, "Sales team");
  alias = g_ptr_array_index (back->aliases, 1);
  g_assert_cmpstr (alias->email, ==, "a@example.org");
  g_assert_null (alias->signature);

  g_ptr_array_remove_index (a->aliases, 0);
  g_assert_true (lb_store_update_account (store, a, &error));
  g_clear_pointer (&back, lb_store_account_free);
  back = lb_store_get_account (store, id, &error);
  g_assert_cmpuint (back->aliases->len, ==, 1);

  g_assert_true (lb_store_remove_account (store, id, &error));
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM identities"), ==, 0);
}

static void
test_account_oauth2 (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = open_rw (fx);
  gint64 id = add_account (store, "alice@outlook.com");
  g_autoptr(LbStoreAccount) a = lb_store_get_account (store, id, &error);
  g_autoptr(LbStoreAccount) b = NULL;
  g_autoptr(LbStoreAccount) c = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (a->auth, ==, LB_AUTH_PASSWORD);
  g_assert_null (a->oauth2_provider);
  g_assert_false (a->needs_sign_in);

  a->auth = LB_AUTH_OAUTH2;
  a->oauth2_provider = g_strdup ("microsoft");
  g_assert_true (lb_store_update_account (store, a, &error));
  g_assert_true (lb_store_set_needs_sign_in (store, id, TRUE, &error));
  g_assert_no_error (error);
  b = lb_store_get_account (store, id, &error);
  g_assert_cmpint (b->auth, ==, LB_AUTH_OAUTH2);
  g_assert_cmpstr (b->oauth2_provider, ==, "microsoft");
  g_assert_true (b->needs_sign_in);

  b->needs_sign_in = FALSE;
  g_assert_true (lb_store_update_account (store, b, &error));
  c = lb_store_get_account (store, id, &error);
  g_assert_false (c->needs_sign_in);
  g_assert_cmpstr (c->oauth2_provider, ==, "microsoft");

  g_assert_false (lb_store_set_needs_sign_in (store, id + 1000, TRUE, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
}

/* An Online Accounts account keeps its GOA id (migration 011) and nothing secret. */
static void
test_account_goa (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = open_rw (fx);
  gint64 id = add_account (store, "alice@gmail.com");
  g_autoptr(LbStoreAccount) a = lb_store_get_account (store, id, &error);
  g_autoptr(LbStoreAccount) b = NULL;

  g_assert_no_error (error);
  g_assert_null (a->goa_id);
  a->auth = LB_AUTH_GOA;
  a->goa_id = g_strdup ("account_1700000000_0");
  g_assert_true (lb_store_update_account (store, a, &error));
  g_assert_no_error (error);
  b = lb_store_get_account (store, id, &error);
  g_assert_cmpint (b->auth, ==, LB_AUTH_GOA);
  g_assert_cmpstr (b->goa_id, ==, "account_1700000000_0");
  g_assert_null (b->oauth2_provider);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/store/open/migrates-from-empty", test_open_migrates_from_empty);
  ADD ("/store/open/migrates-from-older", test_open_migrates_from_older);
  ADD ("/store/open/migrates-search-index", test_open_migrates_search_index);
  ADD ("/store/open/too-new", test_open_too_new);
  ADD ("/store/list/counts-follow-changes", test_counts_follow_changes);
  ADD ("/store/open/not-a-database", test_open_not_a_database);
  ADD ("/store/open/damaged-schema", test_open_damaged_schema);
  ADD ("/store/open/read-only", test_open_read_only);
  ADD ("/store/accounts/crud", test_account_crud);
  ADD ("/store/accounts/remove-cascades", test_account_remove_cascades);
  ADD ("/store/accounts/oauth2", test_account_oauth2);
  ADD ("/store/accounts/identities", test_account_identities);
  ADD ("/store/accounts/goa", test_account_goa);
  ADD ("/store/folders/upsert", test_folder_upsert);
  ADD ("/store/messages/dedupe-gm-msgid", test_insert_dedupes_by_gm_msgid);
  ADD ("/store/messages/dedupe-message-id", test_insert_dedupes_by_message_id);
  ADD ("/store/messages/batch-atomic", test_insert_batch_is_atomic);
  ADD ("/store/messages/flags", test_flags_round_trip);
  ADD ("/store/messages/expunge-gc", test_expunge_and_gc);
  ADD ("/store/messages/clear-folder", test_clear_folder);
  ADD ("/store/messages/body-preview", test_body_and_preview);
  ADD ("/store/messages/body-compressed", test_body_compressed);
  ADD ("/store/messages/offline-window", test_offline_window);
  ADD ("/store/list/unified-order", test_unified_inbox_order);
  ADD ("/store/list/paging", test_paging);
  ADD ("/store/queue/pending-ops-reopen", test_pending_ops_survive_reopen);
  ADD ("/store/queue/outbox-reopen", test_outbox_survives_reopen);
  ADD ("/store/queue/transaction", test_transaction);
  ADD ("/store/queue/local-change-atomic", test_local_change_atomic);
  ADD ("/store/threads/concurrent-writers", test_concurrent_writers);

#undef ADD

  return g_test_run ();
}
