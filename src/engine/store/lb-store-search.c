/* lb-store-search.c: the local search's queries over the store
 *
 * A search (an LbStoreSearch, which search/lb-search.c makes from what the user typed)
 * becomes one SQL statement over the locations of the scope (a folder, or the INBOX-role
 * folders of every account), newest first, so results always reflect deletes and moves.
 *
 * Text terms are matched in message_text, which holds the decoded subject,
 * sender, recipients and (once fetched) body text, through the FTS5 index
 * message_fts (sql/002-search.sql, 004-short-words.sql):
 *
 * - A term of one or two characters (会议, 会, we) is a prefix query, "会议"*:
 *   the lb_trigram tokenizer (store/lb-store-tokenizer.c) makes every short
 *   substring of a text the start of one of its tokens, so the index finds
 *   exactly the messages that contain it.
 * - A term of three characters is one trigram, also exact.
 * - A longer term becomes an AND of some of its trigrams (the index has
 *   detail=none, which refuses phrases and column filters): a superset of
 *   the real matches, which a check of the text itself then narrows.
 *
 * The text check is instr() when the term has no ASCII letters (Chinese needs
 * no case folding) and LIKE otherwise (ASCII case folding).  It runs on
 * longer terms, on terms limited to a field (from:, to:, subject:), on
 * negated terms, and on text still queued for indexing (fts_pending), which
 * is always a candidate, so results are complete before the index is.  It
 * reads message_text in a correlated subquery, only for the candidates that
 * need it: a common word matched from the index never touches the text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-store-private.h"
#include "lb-store-search.h"

/* More trigrams narrow better but each one is a posting list to read; past a
 * handful the candidates are few enough for the text check. */
#define MAX_TRIGRAMS_PER_TERM 6

static gboolean
has_ascii_letter (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isalpha (*p))
      return TRUE;
  return FALSE;
}

static void
append_quoted (GString    *match,
               const char *start,
               const char *end)
{
  g_string_append_c (match, '"');
  for (const char *p = start; p < end; p++)
    {
      if (*p == '"')
        g_string_append_c (match, '"');
      g_string_append_c (match, *p);
    }
  g_string_append_c (match, '"');
}

/* Adds the index query for text to match: "ab"* for one or two characters,
 * "abc" AND "bcd" ... for more.  Returns whether a row the index matches
 * surely contains text (in some column, Unicode case-folded). */
static gboolean
append_index_query (GString    *match,
                    const char *text)
{
  glong n = g_utf8_strlen (text, -1);
  glong count = n - 2;
  glong step = 1;
  glong last = -1;

  if (n == 0)
    return FALSE;
  if (match->len > 0)
    g_string_append (match, " AND ");
  if (n <= 2)
    {
      append_quoted (match, text, text + strlen (text));
      g_string_append_c (match, '*');
      return TRUE;
    }
  /* Spread the chosen trigrams over the whole term: its first and last
   * trigrams, and evenly between. */
  if (count > MAX_TRIGRAMS_PER_TERM)
    step = (count + MAX_TRIGRAMS_PER_TERM - 2) / (MAX_TRIGRAMS_PER_TERM - 1);
  for (glong i = 0; i < count; i += step)
    {
      glong idx = (i + step >= count) ? count - 1 : i;
      const char *start;

      if (idx == last)
        continue;
      if (last != -1)
        g_string_append (match, " AND ");
      last = idx;
      start = g_utf8_offset_to_pointer (text, idx);
      append_quoted (match, start, g_utf8_offset_to_pointer (start, 3));
      if (idx == count - 1)
        break;
    }
  return n == 3;
}

static char *
like_pattern (const char *text)
{
  GString *s = g_string_new ("%");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '%');
  return g_string_free (s, FALSE);
}

/* Appends the SQL test of one term on message_text t; param is its
 * parameter number, bound to the text (instr) or the pattern (LIKE). */
static void
append_term_test (GString            *sql,
                  const LbStoreTextTerm *term,
                  gboolean            use_like,
                  int                 param)
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
    {
      if (i > 0)
        g_string_append (sql, " OR ");
      /* A NULL column (no body yet) must count as "not found", also under NOT. */
      if (use_like)
        g_string_append_printf (sql, "ifnull (%s, '') LIKE ?%d ESCAPE '\\'", columns[i], param);
      else
        g_string_append_printf (sql, "instr (ifnull (%s, ''), ?%d) > 0", columns[i], param);
    }
  g_string_append_c (sql, ')');
}

/**
 * lb_store_search_build_sql:
 * @search: what to look for
 * @folder_id: a folder, %LB_STORE_UNIFIED_INBOX or %LB_STORE_ALL_FOLDERS
 * @out_params: (out) (transfer full): the text to bind to ?1, ?2... in order
 *
 * Builds the statement lb_store_search() runs; exposed for tests and the
 * benchmark, which look at its plan.
 *
 * Returns: (transfer full): the SQL
 */
char *
lb_store_search_build_sql (const LbStoreSearch  *query,
                           gint64                folder_id,
                           GPtrArray           **out_params)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) match = g_string_new (NULL);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) exact_tests = g_string_new (NULL);  /* skipped for indexed rows */
  g_autoptr(GString) tests = g_string_new (NULL);        /* always checked */
  GString *text_filter = g_string_new (NULL);

  for (guint i = 0; i < query->n_terms; i++)
    {
      const LbStoreTextTerm *term = &query->terms[i];
      gboolean use_like = has_ascii_letter (term->text);
      gboolean exact = FALSE;

      if (!term->negated)
        exact = append_index_query (match, term->text) && term->field == LB_STORE_TEXT_ANY;
      g_ptr_array_add (params, use_like ? like_pattern (term->text) : g_strdup (term->text));
      append_term_test (exact ? exact_tests : tests, term, use_like, params->len);
    }

  g_string_append (sql, "SELECT l.id FROM ");
  if (match->len > 0)
    {
      /* Candidates: what the index matches, plus text still queued for indexing
       * (sql/003-fts-background.sql).  CROSS JOIN keeps the index first: it yields
       * few rows, each found in locations through locations_message. */
      g_ptr_array_add (params, g_strdup (match->str));
      g_string_append_printf (sql, "(SELECT rowid AS mid, 1 AS indexed FROM message_fts "
                                   "WHERE message_fts MATCH ?%u "
                                   "UNION ALL SELECT message_id, 0 FROM fts_pending) f "
                                   "CROSS JOIN locations l ON l.message_id = f.mid ",
                              params->len);
      /* The text is read only for the candidates that need a check. */
      if (tests->len > 0 && exact_tests->len > 0)
        g_string_append_printf (text_filter, " AND EXISTS (SELECT 1 FROM message_text t "
                                             "WHERE t.message_id = f.mid%s AND (f.indexed OR (1%s)))",
                                tests->str, exact_tests->str);
      else if (tests->len > 0)
        g_string_append_printf (text_filter, " AND EXISTS (SELECT 1 FROM message_text t "
                                             "WHERE t.message_id = f.mid%s)", tests->str);
      else if (exact_tests->len > 0)
        g_string_append_printf (text_filter, " AND (f.indexed OR EXISTS (SELECT 1 FROM message_text t "
                                             "WHERE t.message_id = f.mid%s))", exact_tests->str);
    }
  else
    {
      /* Only negated terms: the text is scanned in its own order (sequential reads),
       * and only the matching ids meet the locations.  IN, not a JOIN, so that SQLite
       * materialises the scan instead of flattening it back. */
      g_string_append (sql, "locations l ");
      if (tests->len > 0)
        g_string_append_printf (text_filter, " AND l.message_id IN (SELECT t.message_id FROM "
                                             "message_text t WHERE 1%s)", tests->str);
    }
  if (query->has_attachment || query->no_attachment)
    g_string_append (sql, "JOIN messages m ON m.id = l.message_id ");

  /* With index candidates, each is looked up by message (locations_message); the unary
   * + keeps SQLite from walking the whole scope's date index once per candidate
   * instead, which it otherwise prefers. */
  if (folder_id == LB_STORE_UNIFIED_INBOX)
    g_string_append_printf (sql, "WHERE %sl.unified = 1", match->len > 0 ? "+" : "");
  else if (folder_id == LB_STORE_ALL_FOLDERS)
    /* Every folder, but each message once: a message in two folders (Gmail's labels,
     * a copy) is shown at its first location. */
    g_string_append (sql, "WHERE l.id = (SELECT MIN (l2.id) FROM locations l2 "
                          "WHERE l2.message_id = l.message_id)");
  else
    g_string_append_printf (sql, "WHERE %sl.folder_id = %" G_GINT64_FORMAT,
                            match->len > 0 ? "+" : "", folder_id);
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
  g_string_append (sql, text_filter->str);
  g_string_free (text_filter, TRUE);
  g_string_append (sql, " ORDER BY l.date DESC, l.id DESC");

  if (out_params != NULL)
    *out_params = g_steal_pointer (&params);
  return g_string_free (g_steal_pointer (&sql), FALSE);
}

/**
 * lb_store_search:
 * @search: what to look for
 * @folder_id: a folder, or %LB_STORE_UNIFIED_INBOX
 *
 * Blocks: call it off the main thread, on a store of its own.
 *
 * Returns: (transfer full) (element-type gint64): locations of matching
 *   messages, newest first
 */
GArray *
lb_store_search (LbStore              *store,
                 const LbStoreSearch  *query,
                 gint64                folder_id,
                 GError              **error)
{
  g_autoptr(GPtrArray) params = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (store), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  /* Not through the store's statement cache: every query is a new text. */
  sql = lb_store_search_build_sql (query, folder_id, &params);
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
      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (store, rc, error, "search");
      return NULL;
    }
  return g_steal_pointer (&ids);
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
