/* lb-store-search.c: the local search's queries over the store
 *
 * A search (an LbStoreSearch, which search/lb-search.c makes from what the user typed)
 * becomes one SQL statement over the locations of the scope (a folder, the INBOX-role
 * folders of every account, or every folder), newest first, so results always reflect
 * deletes and moves.
 *
 * Text terms follow the word rules of store/lb-store-words.c and are found through the
 * index message_fts (sql/014-search-words.sql), whose rowids are search keys in date
 * order.  The statement walks the index's hits newest first, meets each with its
 * locations, and stops at the limit: the first screen of "the" costs what the first
 * screen of a rare word costs, at any size of mailbox.
 *
 * - A term that is one token of the index (a word, one or two CJK characters) is
 *   answered by the index alone; `from:`, `to:` and `subject:` are tagged tokens of the
 *   same index.
 * - A longer term is the AND of its tokens, which lb_words_match() then checks in the
 *   text, for the candidates only; so is a last word of more than 4 letters, whose
 *   token is the prefix token of its first 4.
 * - Negated terms are checked in the text.
 * - Text still queued for indexing (fts_pending) is checked in full and merged by date.
 * - With no positive term, search_keys (every indexed message, in date order) is
 *   walked instead of the index.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-store-private.h"
#include "lb-store-search.h"
#include "lb-store-words.h"

/* The most texts not indexed yet that a search checks one by one (about 0.2 s). */
#define MAX_QUEUED_CHECKED 20000


static char
field_tag (LbStoreTextField field)
{
  switch (field)
    {
    case LB_STORE_TEXT_FROM: return 'f';
    case LB_STORE_TEXT_TO: return 't';
    case LB_STORE_TEXT_SUBJECT: return 's';
    case LB_STORE_TEXT_ANY:
    default: return 0;
    }
}

/* Appends the SQL test of one term on message_text t; param is its parameter number. */
static void
append_term_test (GString               *sql,
                  const LbStoreTextTerm *term,
                  int                    param)
{
  static const char * const any[] = { "t.subject", "t.sender", "t.recipients", "t.body", NULL };
  static const char * const from[] = { "t.sender", NULL };
  static const char * const to[] = { "t.recipients", NULL };
  static const char * const subject[] = { "t.subject", NULL };
  const char * const *columns;

  switch (term->field)
    {
    case LB_STORE_TEXT_FROM: columns = from; break;
    case LB_STORE_TEXT_TO: columns = to; break;
    case LB_STORE_TEXT_SUBJECT: columns = subject; break;
    case LB_STORE_TEXT_ANY:
    default: columns = any; break;
    }
  g_string_append (sql, term->negated ? " AND NOT (" : " AND (");
  for (guint i = 0; columns[i] != NULL; i++)
    g_string_append_printf (sql, "%slb_words_match (%s, ?%d)", i > 0 ? " OR " : "", columns[i], param);
  g_string_append_c (sql, ')');
}

/* The conditions on a location l (and its message m) that every hit meets. */
static void
append_filters (GString             *sql,
                const LbStoreSearch *query,
                gint64               folder_id,
                int                  folder_param)
{
  if (query->in_folder != NULL)
    g_string_append_printf (sql, "l.folder_id IN (SELECT id FROM folders WHERE display_name = ?%d "
                                 "COLLATE NOCASE OR raw_name = ?%d COLLATE NOCASE)",
                            folder_param, folder_param);
  else if (folder_id == LB_STORE_UNIFIED_INBOX)
    g_string_append (sql, "+l.unified = 1");
  else if (folder_id == LB_STORE_ALL_FOLDERS)
    /* Every folder, but each message once: a message in two folders (Gmail's labels,
     * a copy) is shown at its first location. */
    g_string_append (sql, "l.id = (SELECT MIN (l2.id) FROM locations l2 "
                          "WHERE l2.message_id = l.message_id)");
  else
    g_string_append_printf (sql, "+l.folder_id = %" G_GINT64_FORMAT, folder_id);
  if (query->flags_set != 0)
    g_string_append_printf (sql, " AND (l.flags & %u) = %u", query->flags_set, query->flags_set);
  if (query->flags_unset != 0)
    g_string_append_printf (sql, " AND (l.flags & %u) = 0", query->flags_unset);
  if (query->has_attachment)
    g_string_append (sql, " AND m.has_attachments <> 0");
  if (query->no_attachment)
    g_string_append (sql, " AND m.has_attachments = 0");
  if (query->after != 0)
    g_string_append_printf (sql, " AND l.date >= %" G_GINT64_FORMAT, query->after);
  if (query->before != 0)
    g_string_append_printf (sql, " AND l.date < %" G_GINT64_FORMAT, query->before);
}

/* The range of search keys a date range allows, as a condition on column. */
static void
append_key_range (GString             *sql,
                  const LbStoreSearch *query,
                  const char          *column)
{
  /* A key is its message's date in units of 2^LB_SEARCH_KEY_SHIFT s or a little more
   * (lb-store-fts.c): a day's margin at the end, which the test of the date itself
   * then narrows. */
  if (query->after > 0)
    g_string_append_printf (sql, " AND %s >= %" G_GINT64_FORMAT, column, query->after >> LB_SEARCH_KEY_SHIFT);
  if (query->before > 0)
    g_string_append_printf (sql, " AND %s < %" G_GINT64_FORMAT, column,
                            ((query->before + 2 * 86400) >> LB_SEARCH_KEY_SHIFT) + 1);
}

/* The most words a prefix is expanded to; past them, FTS5's own prefix query.  An OR of
 * 128 lists starts with 128 seeks, a millisecond or two. */
#define MAX_EXPANSION 128

/* The indexed CJK pairs that start with prefix, or NULL when there are too many. */
static GPtrArray *
expand_prefix (const char *prefix,
               gpointer    data)
{
  LbStore *store = data;
  g_autoptr(LbStmt) stmt = lb_store_prepare (store, "SELECT word FROM search_words WHERE word >= ?1 "
                                                    "AND word < ?1 || char (1114111) ORDER BY word LIMIT "
                                                    G_STRINGIFY (MAX_EXPANSION) " + 1", NULL);
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, prefix, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (words, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (words->len > MAX_EXPANSION)
    return NULL;
  return g_steal_pointer (&words);
}

static char *build_sql (LbStore              *store,
                        const LbStoreSearch  *query,
                        gint64                folder_id,
                        guint                 limit,
                        GPtrArray           **out_params);

/**
 * lb_store_search_build_sql:
 * @search: what to look for
 * @folder_id: a folder, %LB_STORE_UNIFIED_INBOX or %LB_STORE_ALL_FOLDERS
 * @limit: the most hits to return, 0 for all
 * @out_params: (out) (transfer full): the text to bind to ?1, ?2... in order
 *
 * Builds the statement lb_store_search() runs; exposed for tests and the
 * benchmark, which look at its plan.  Its rows are (location id, date, search key),
 * the key 0 for text not indexed yet.
 *
 * Returns: (transfer full): the SQL
 */
char *
lb_store_search_build_sql (const LbStoreSearch  *query,
                           gint64                folder_id,
                           guint                 limit,
                           GPtrArray           **out_params)
{
  return build_sql (NULL, query, folder_id, limit, out_params);
}

/* With a store, a CJK character alone is expanded from its vocabulary of pairs. */
static char *
build_sql (LbStore              *store,
           const LbStoreSearch  *query,
           gint64                folder_id,
           guint                 limit,
           GPtrArray           **out_params)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) match = g_string_new (NULL);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) checks = g_string_new (NULL);     /* for indexed candidates */
  g_autoptr(GString) all_tests = g_string_new (NULL);  /* for queued text */
  g_autoptr(GString) filters = g_string_new (NULL);
  const char *join_m = (query->has_attachment || query->no_attachment)
                       ? "CROSS JOIN messages m ON m.id = l.message_id " : "";
  int folder_param = 0;

  for (guint i = 0; i < query->n_terms; i++)
    {
      const LbStoreTextTerm *term = &query->terms[i];
      LbWordQuery q = { NULL, FALSE };

      g_ptr_array_add (params, g_strdup (term->text));
      if (!term->negated)
        lb_word_query_build (term->text, field_tag (term->field), store != NULL ? expand_prefix : NULL,
                             store, &q);
      if (q.match != NULL)
        g_string_append_printf (match, "%s%s", match->len > 0 ? " AND " : "", q.match);
      if (!term->negated && q.match == NULL)
        {
          /* Nothing to look for: no word in it, so no text holds it. */
          g_string_append (checks, " AND 0");
        }
      append_term_test (all_tests, term, params->len);
      if (!q.exact)
        append_term_test (checks, term, params->len);
      g_free (q.match);
    }
  if (query->in_folder != NULL)
    {
      g_ptr_array_add (params, g_strdup (query->in_folder));
      folder_param = params->len;
    }
  append_filters (filters, query, folder_id, folder_param);

  g_string_append (sql, "SELECT id, date, k FROM (SELECT * FROM (");
  if (match->len > 0)
    {
      g_ptr_array_add (params, g_strdup (match->str));
      g_string_append_printf (sql, "SELECT l.id AS id, l.date AS date, f.rowid AS k FROM message_fts f "
                                   "CROSS JOIN search_keys s ON s.key = f.rowid "
                                   "CROSS JOIN locations l ON l.message_id = s.message_id %s"
                                   "WHERE f.message_fts MATCH ?%u",
                              join_m, params->len);
      append_key_range (sql, query, "f.rowid");
      g_string_append_printf (sql, " AND %s", filters->str);
      if (checks->len > 0)
        g_string_append_printf (sql, " AND EXISTS (SELECT 1 FROM message_text t "
                                     "WHERE t.message_id = s.message_id%s)", checks->str);
      g_string_append (sql, " ORDER BY f.rowid DESC");
    }
  else
    {
      g_string_append_printf (sql, "SELECT l.id AS id, l.date AS date, s.key AS k FROM search_keys s "
                                   "CROSS JOIN locations l ON l.message_id = s.message_id %s"
                                   "WHERE 1", join_m);
      append_key_range (sql, query, "s.key");
      g_string_append_printf (sql, " AND %s", filters->str);
      if (checks->len > 0)
        g_string_append_printf (sql, " AND EXISTS (SELECT 1 FROM message_text t "
                                     "WHERE t.message_id = s.message_id%s)", checks->str);
      g_string_append (sql, " ORDER BY s.key DESC");
    }
  if (limit > 0)
    g_string_append_printf (sql, " LIMIT %u", limit);
  /* Text not indexed yet: every term checked in the text. */
  g_string_append_printf (sql, ") UNION ALL SELECT l.id, l.date, 0 FROM fts_pending p "
                               "CROSS JOIN locations l ON l.message_id = p.message_id %s"
                               "WHERE %s%s", join_m, query->skip_queued ? "0 AND " : "", filters->str);
  if (all_tests->len > 0)
    g_string_append_printf (sql, " AND EXISTS (SELECT 1 FROM message_text t "
                                 "WHERE t.message_id = p.message_id%s)", all_tests->str);
  g_string_append (sql, ") ORDER BY date DESC, id DESC");
  if (limit > 0)
    g_string_append_printf (sql, " LIMIT %u", limit);

  if (out_params != NULL)
    *out_params = g_steal_pointer (&params);
  return g_string_free (g_steal_pointer (&sql), FALSE);
}

/* The most search keys counted for an estimate (a few milliseconds); past them, the
 * estimate goes by the span of dates instead. */
#define MAX_KEYS_COUNTED 100000

/* Estimates the hits of a search whose first @n hits, in index order, reach down to
 * search key @last: @n in as many messages as have a key from @last on, scaled to every
 * message (the largest message id stands for their number, without counting them). */
static gint64
estimate_total (LbStore *self,
                guint    n,
                gint64   last)
{
  g_autoptr(LbStmt) stmt = lb_store_prepare (self,
                                             "SELECT (SELECT count(*) FROM (SELECT 1 FROM search_keys "
                                             "WHERE key >= ?1 LIMIT " G_STRINGIFY (MAX_KEYS_COUNTED) ")), "
                                             "(SELECT max (id) FROM messages), "
                                             "(SELECT min (key) FROM search_keys), "
                                             "(SELECT max (key) FROM search_keys)", NULL);
  gint64 scanned, messages, lo, hi;

  if (stmt == NULL)
    return n;
  sqlite3_bind_int64 (stmt, 1, last);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return n;
  scanned = sqlite3_column_int64 (stmt, 0);
  messages = sqlite3_column_int64 (stmt, 1);
  lo = sqlite3_column_int64 (stmt, 2);
  hi = sqlite3_column_int64 (stmt, 3);
  if (scanned > 0 && scanned < MAX_KEYS_COUNTED)
    return (gint64) (n * ((double) messages / (double) scanned));
  if (last <= lo || hi <= lo || hi <= last)
    return n;
  return (gint64) (n * ((double) (hi - lo) / (double) (hi - last)));
}

/**
 * lb_store_search_page:
 * @search: what to look for
 * @folder_id: a folder, %LB_STORE_UNIFIED_INBOX or %LB_STORE_ALL_FOLDERS
 * @limit: the most hits to return, 0 for all
 * @out_total: (out) (optional): how many hits there are in all
 * @out_estimated: (out) (optional): whether @out_total is an estimate ("about N"):
 *   when there are more than @limit hits, counting them all would cost what the
 *   first screen saves; lb_store_search() with no limit then counts them
 *
 * Blocks: call it off the main thread, on a store of its own.
 *
 * Returns: (transfer full) (element-type gint64): locations of the newest @limit
 *   matching messages, newest first
 */
GArray *
lb_store_search_page (LbStore              *store,
                      const LbStoreSearch  *query,
                      gint64                folder_id,
                      guint                 limit,
                      gint64               *out_total,
                      gboolean             *out_estimated,
                      GError              **error)
{
  g_autoptr(GPtrArray) params = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(LbStmt) queued = NULL;
  LbStoreSearch search;
  sqlite3_stmt *stmt = NULL;
  gint64 last_key = 0;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (store), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  /* Queued text is checked row by row: fine for what a sync brings, not for a whole
   * mailbox being (re)indexed, when the search bar says results may be incomplete. */
  search = *query;
  queued = lb_store_prepare (store, "SELECT count(*) FROM (SELECT 1 FROM fts_pending LIMIT "
                                    G_STRINGIFY (MAX_QUEUED_CHECKED) " + 1)", error);
  if (queued == NULL)
    return NULL;
  if (sqlite3_step (queued) == SQLITE_ROW && sqlite3_column_int64 (queued, 0) > MAX_QUEUED_CHECKED)
    search.skip_queued = TRUE;

  /* Not through the store's statement cache: every query is a new text. */
  sql = build_sql (store, &search, folder_id, limit, &params);
  rc = sqlite3_prepare_v2 (lb_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      lb_store_set_error (store, rc, error, "search");
      return NULL;
    }
  for (guint i = 0; i < params->len; i++)
    sqlite3_bind_text (stmt, i + 1, g_ptr_array_index (params, i), -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint64 key = sqlite3_column_int64 (stmt, 2);

      g_array_append_val (ids, id);
      if (key != 0 && (last_key == 0 || key < last_key))
        last_key = key;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (store, rc, error, "search");
      return NULL;
    }
  if (out_estimated != NULL)
    *out_estimated = limit > 0 && ids->len >= limit;
  if (out_total != NULL)
    *out_total = (limit > 0 && ids->len >= limit) ? MAX (estimate_total (store, ids->len, last_key),
                                                         (gint64) ids->len + 1)
                                                  : (gint64) ids->len;
  return g_steal_pointer (&ids);
}

/**
 * lb_store_search:
 * @search: what to look for
 * @folder_id: a folder, %LB_STORE_UNIFIED_INBOX or %LB_STORE_ALL_FOLDERS
 *
 * Blocks: call it off the main thread, on a store of its own.
 *
 * Returns: (transfer full) (element-type gint64): locations of every matching
 *   message, newest first
 */
GArray *
lb_store_search (LbStore              *store,
                 const LbStoreSearch  *query,
                 gint64                folder_id,
                 GError              **error)
{
  return lb_store_search_page (store, query, folder_id, 0, NULL, NULL, error);
}

/* ---- Server search results -------------------------------------------- */

/* Rows of (location id, message id, date): by date, then location, descending. */
static int
newest_first (gconstpointer a,
              gconstpointer b)
{
  const gint64 *x = a, *y = b;

  if (x[2] != y[2])
    return x[2] < y[2] ? 1 : -1;
  return x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : 0;
}

/**
 * lb_store_locate_uids:
 * @folder_id: the folder the UIDs are from
 * @uids: (element-type guint32): UIDs, as a server search found them
 * @out_location_ids: (out) (transfer full) (element-type gint64): the locations the store
 *   has for them, newest first as the lists are ordered
 * @out_message_ids: (out) (transfer full) (element-type gint64): their messages, in the
 *   same order
 * @out_missing: (out): how many of the UIDs the store does not have (yet)
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_locate_uids (LbStore   *store,
                      gint64     folder_id,
                      GArray    *uids,
                      GArray   **out_location_ids,
                      GArray   **out_message_ids,
                      guint     *out_missing,
                      GError   **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64) * 3);
  GArray *location_ids;
  GArray *message_ids;
  guint missing = 0;

  g_return_val_if_fail (LB_IS_STORE (store), FALSE);
  g_return_val_if_fail (uids != NULL, FALSE);

  for (guint i = 0; i < uids->len; i++)
    {
      g_autoptr(LbStmt) stmt = lb_store_prepare (store,
                                                 "SELECT id, message_id, date FROM locations "
                                                 "WHERE folder_id = ?1 AND uid = ?2", error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, folder_id);
      sqlite3_bind_int64 (stmt, 2, g_array_index (uids, guint32, i));
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          gint64 row[3] = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
                            sqlite3_column_int64 (stmt, 2) };
          g_array_append_vals (rows, row, 1);
        }
      else if (rc == SQLITE_DONE)
        missing++;
      else
        {
          lb_store_set_error (store, rc, error, "map search results");
          return FALSE;
        }
    }

  /* Newest first, as the lists are ordered. */
  g_array_sort (rows, newest_first);

  location_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  message_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < rows->len; i++)
    {
      gint64 *row = &g_array_index (rows, gint64, i * 3);
      g_array_append_val (location_ids, row[0]);
      g_array_append_val (message_ids, row[1]);
    }
  *out_location_ids = location_ids;
  *out_message_ids = message_ids;
  *out_missing = missing;
  return TRUE;
}
