/* fuzz-search.c: libFuzzer target for the search tokenizer and the query language
 *
 * Checks:
 * - the lb_trigram tokenizer indexes any text (valid UTF-8 or not) without crashing,
 *   and every substring of one, two or three characters of valid text is found
 *   through the index the way lb-search.c asks for it ("ab"* or "abc");
 * - any query a user can type parses, becomes SQL that prepares and runs on a real
 *   store without an error (every piece of user text is quoted or bound), and finds
 *   the message it was taken from when it is a plain word of that message.
 *
 * Input: the first byte picks the length (1 to 3 characters) and the offset of the
 * substring to look for; the rest is the text, and also the query.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "lb-search.h"
#include "lb-store-locations.h"
#include "lb-store-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static sqlite3 *memory_db;
static char *store_dir;
static LbStore *store;
static gint64 folder_id;
static guint32 next_uid;

static void
cleanup (void)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };
  g_autofree char *path = NULL;

  if (store == NULL)
    return;
  path = g_strdup (lb_store_get_path (store));
  g_clear_object (&store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_remove (file);
    }
  g_rmdir (store_dir);
  sqlite3_close (memory_db);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStoreAccount) a = lb_store_account_new ();
  g_autoptr(LbStoreFolder) f = lb_store_folder_new ();
  g_autofree char *path = NULL;

  if (sqlite3_open (":memory:", &memory_db) != SQLITE_OK ||
      !lb_store_register_tokenizer (memory_db, &error) ||
      sqlite3_exec (memory_db, "CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'lb_trigram', "
                               "detail = none)", NULL, NULL, NULL) != SQLITE_OK)
    abort ();

  store_dir = g_dir_make_tmp ("lb-fuzz-search-XXXXXX", &error);
  if (store_dir == NULL)
    abort ();
  path = g_build_filename (store_dir, "letterbox.db", NULL);
  store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, &error);
  if (store == NULL)
    abort ();
  a->email = g_strdup ("fuzz@example.com");
  a->imap_host = g_strdup ("imap.example.com");
  a->imap_port = 993;
  if (!lb_store_add_account (store, a, &error))
    abort ();
  f->account_id = a->id;
  f->raw_name = g_strdup ("INBOX");
  f->display_name = g_strdup ("INBOX");
  f->role = LB_FOLDER_ROLE_INBOX;
  folder_id = lb_store_upsert_folder (store, f, &error);
  if (folder_id <= 0)
    abort ();
  atexit (cleanup);
}

/* The tokenizer alone: index text, then look for a substring of it. */
static void
check_tokenizer (const char *text,
                 gsize       len,
                 guint       n_chars,
                 guint       offset)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) match = g_string_new ("\"");
  const char *start, *end;
  glong n;

  if (sqlite3_exec (memory_db, "DELETE FROM t", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (memory_db, "INSERT INTO t (x) VALUES (?1)", -1, &stmt, NULL) != SQLITE_OK)
    abort ();
  /* Any bytes, as a mail body that lies about its charset could hold. */
  sqlite3_bind_text (stmt, 1, text, (int) len, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    abort ();
  sqlite3_finalize (stmt);

  if (!g_utf8_validate (text, len, NULL) || memchr (text, '\0', len) != NULL)
    return;
  n = g_utf8_strlen (text, len);
  if (n < (glong) n_chars)
    return;
  start = g_utf8_offset_to_pointer (text, offset % (n - n_chars + 1));
  end = g_utf8_offset_to_pointer (start, n_chars);
  for (const char *p = start; p < end; p++)
    {
      if (*p == '"')
        g_string_append_c (match, '"');
      g_string_append_c (match, *p);
    }
  g_string_append (match, n_chars < 3 ? "\"*" : "\"");

  if (sqlite3_prepare_v2 (memory_db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &stmt, NULL) != SQLITE_OK)
    abort ();
  sqlite3_bind_text (stmt, 1, match->str, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    abort ();
  if (sqlite3_column_int (stmt, 0) != 1)
    {
      fprintf (stderr, "the index does not find %s in the text\n", match->str);
      abort ();
    }
  sqlite3_finalize (stmt);
}

/* The whole search: the text as a message's subject and body, indexed, then as a query. */
static void
check_search (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(LbSearchQuery) parsed = NULL;
  LbStoreFetched *f;
  guint indexed;

  if (!g_utf8_validate (text, -1, NULL))
    return;
  f = lb_store_fetched_new ();
  f->uid = ++next_uid;
  f->message.message_id = g_strdup_printf ("%u@fuzz", next_uid);
  f->message.date = 1700000000;
  f->message.subject = g_strdup (text);
  g_ptr_array_add (batch, f);
  if (!lb_store_insert_messages (store, folder_id, batch, &error) ||
      !lb_store_set_body_text (store, f->message.id, text, &error) ||
      !lb_store_index_pending (store, 10, &indexed, &error))
    {
      fprintf (stderr, "store: %s\n", error->message);
      abort ();
    }

  ids = lb_search_location_ids (store, text, LB_STORE_UNIFIED_INBOX, &error);
  if (ids == NULL)
    {
      fprintf (stderr, "search «%s»: %s\n", text, error->message);
      abort ();
    }

  /* A single plain word of the text, with no operator or quote, finds its message. */
  parsed = lb_search_query_parse (text);
  if (parsed->terms->len == 1 && ids->len == 0)
    {
      const LbSearchTerm *term = g_ptr_array_index (parsed->terms, 0);

      if (!term->negated && term->field == LB_SEARCH_FIELD_ANY && strstr (text, term->text) != NULL &&
          strpbrk (text, "\"-:：") == NULL && parsed->flags_set == 0 && parsed->flags_unset == 0)
        {
          fprintf (stderr, "search «%s» does not find its own message\n", text);
          abort ();
        }
    }

  /* Keep the store small: the next input starts from an empty folder. */
  if (!lb_store_remove_uids (store, folder_id, &f->uid, 1, &error))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;

  if (size < 1 || size > 4096)
    return 0;
  if (memory_db == NULL)
    setup ();

  check_tokenizer ((const char *) data + 1, size - 1, 1 + data[0] % 3, data[0] / 3);
  text = g_strndup ((const char *) data + 1, size - 1);
  check_search (text);
  return 0;
}
