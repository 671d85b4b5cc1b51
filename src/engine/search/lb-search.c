/* lb-search.c: local search over the store
 *
 * A query (see lb-search-query.c) becomes one SQL statement over the
 * locations of the scope (a folder, or the INBOX-role folders of every
 * account), newest first, so results always reflect deletes and moves.
 *
 * Text terms are matched in message_text, which holds the decoded subject,
 * sender, recipients and (once fetched) body text:
 *
 * - A term of three characters or more narrows the candidates through the
 *   FTS5 trigram index (002-search.sql).  The index has detail=none, which
 *   refuses phrases of several trigrams and column filters, so each term
 *   becomes an AND of its single trigrams: a superset of the real matches,
 *   read from the index alone.
 * - Every term, short or long, is then checked on message_text itself with
 *   instr() (no ASCII letters: Chinese needs no case folding and instr() is
 *   the cheapest test) or LIKE (ASCII case folding, like the index).  One- and
 *   two-character terms such as 会议 cannot use a trigram index at all, and
 *   SQLite 3.40's LIKE on the FTS table returns nothing for them, so they are
 *   only scanned; in a mixed query the index narrows and the scan filters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-search.h"
#include "lb-store-private.h"

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

/* Adds "abc" AND "bcd" ... for the trigrams of text to match. */
static void
append_trigrams (GString    *match,
                 const char *text)
{
  glong n = g_utf8_strlen (text, -1);
  glong count = n - 2;
  glong step = 1;
  glong last = -1;

  if (count <= 0)
    return;
  /* Spread the chosen trigrams over the whole term: its first and last
   * trigrams, and evenly between. */
  if (count > MAX_TRIGRAMS_PER_TERM)
    step = (count + MAX_TRIGRAMS_PER_TERM - 2) / (MAX_TRIGRAMS_PER_TERM - 1);
  for (glong i = 0; i < count; i += step)
    {
      glong idx = (i + step >= count) ? count - 1 : i;
      const char *start, *end;

      if (idx == last)
        continue;
      last = idx;
      start = g_utf8_offset_to_pointer (text, idx);
      end = g_utf8_offset_to_pointer (start, 3);
      if (match->len > 0)
        g_string_append (match, " AND ");
      g_string_append_c (match, '"');
      for (const char *p = start; p < end; p++)
        {
          if (*p == '"')
            g_string_append_c (match, '"');
          g_string_append_c (match, *p);
        }
      g_string_append_c (match, '"');
      if (idx == count - 1)
        break;
    }
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
                  const LbSearchTerm *term,
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
    case LB_SEARCH_FIELD_FROM: columns = from; break;
    case LB_SEARCH_FIELD_TO: columns = to; break;
    case LB_SEARCH_FIELD_SUBJECT: columns = subject; break;
    case LB_SEARCH_FIELD_ANY:
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
 * lb_search_build_sql:
 * @query: a parsed query
 * @folder_id: a folder, or %LB_STORE_UNIFIED_INBOX
 * @out_params: (out) (transfer full): the text to bind to ?1, ?2... in order
 *
 * Builds the statement lb_search_run() runs; exposed for tests and the
 * benchmark, which look at its plan.
 *
 * Returns: (transfer full): the SQL
 */
char *
lb_search_build_sql (const LbSearchQuery  *query,
                     gint64                folder_id,
                     GPtrArray           **out_params)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) match = g_string_new (NULL);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  GString *tests = g_string_new (NULL);

  for (guint i = 0; i < query->terms->len; i++)
    {
      const LbSearchTerm *term = g_ptr_array_index (query->terms, i);
      gboolean use_like = has_ascii_letter (term->text);

      if (!term->negated)
        append_trigrams (match, term->text);
      g_ptr_array_add (params, use_like ? like_pattern (term->text) : g_strdup (term->text));
      append_term_test (tests, term, use_like, params->len);
    }

  g_string_append (sql, "SELECT l.id FROM ");
  if (match->len > 0)
    {
      /* CROSS JOIN keeps the index first: it yields few rows, each found in
       * locations through locations_message. */
      /* Candidates: what the index matches, plus text still queued for indexing
       * (sql/003-fts-background.sql); the term tests below check every candidate. */
      g_ptr_array_add (params, g_strdup (match->str));
      g_string_append_printf (sql, "(SELECT rowid AS mid FROM message_fts WHERE message_fts MATCH ?%u "
                                   "UNION ALL SELECT message_id FROM fts_pending) f "
                                   "CROSS JOIN locations l ON l.message_id = f.mid "
                                   "JOIN message_text t ON t.message_id = l.message_id ",
                              params->len);
    }
  else
    {
      /* Short terms: the text is scanned in its own order (sequential reads), and only
       * the matching ids meet the locations; walking the locations by date instead would
       * look up each text at random, twice as slow over 100,000 messages.  IN, not a JOIN,
       * so that SQLite materialises the scan instead of flattening it back. */
      g_autofree char *in = g_strdup_printf (" AND l.message_id IN (SELECT t.message_id FROM "
                                             "message_text t WHERE 1%s)", tests->str);

      g_string_append (sql, "locations l ");
      g_string_assign (tests, in);
    }
  if (query->has_attachment || query->no_attachment)
    g_string_append (sql, "JOIN messages m ON m.id = l.message_id ");

  if (folder_id == LB_STORE_UNIFIED_INBOX)
    g_string_append (sql, "WHERE l.unified = 1");
  else
    g_string_append_printf (sql, "WHERE l.folder_id = %" G_GINT64_FORMAT, folder_id);
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
  g_string_append (sql, tests->str);
  g_string_free (tests, TRUE);
  g_string_append (sql, " ORDER BY l.date DESC, l.id DESC");

  if (out_params != NULL)
    *out_params = g_steal_pointer (&params);
  return g_string_free (g_steal_pointer (&sql), FALSE);
}

/**
 * lb_search_run:
 * @query: a parsed query
 * @folder_id: a folder, or %LB_STORE_UNIFIED_INBOX
 *
 * Blocks: call it off the main thread, on a store of its own.
 *
 * Returns: (transfer full) (element-type gint64): locations of matching
 *   messages, newest first
 */
GArray *
lb_search_run (LbStore              *store,
               const LbSearchQuery  *query,
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
  sql = lb_search_build_sql (query, folder_id, &params);
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

/**
 * lb_search_location_ids:
 * @query: what the user typed (see lb-search-query.c)
 * @folder_id: a folder, or %LB_STORE_UNIFIED_INBOX
 *
 * Returns: (transfer full) (element-type gint64): locations of matching messages,
 *   newest first
 */
GArray *
lb_search_location_ids (LbStore     *store,
                        const char  *query,
                        gint64       folder_id,
                        GError     **error)
{
  g_autoptr(LbSearchQuery) parsed = lb_search_query_parse (query);

  return lb_search_run (store, parsed, folder_id, error);
}
