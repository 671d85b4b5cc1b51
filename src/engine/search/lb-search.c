/* lb-search.c: local search over the store
 *
 * What the user typed is parsed by lb-search-query.c; the store runs the parsed query
 * (store/lb-store-search.c, where its SQL lives).  This file only hands one to the other.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-search.h"
#include "lb-store-search.h"

static LbStoreTextField
store_field (LbSearchField field)
{
  switch (field)
    {
    case LB_SEARCH_FIELD_FROM: return LB_STORE_TEXT_FROM;
    case LB_SEARCH_FIELD_TO: return LB_STORE_TEXT_TO;
    case LB_SEARCH_FIELD_SUBJECT: return LB_STORE_TEXT_SUBJECT;
    case LB_SEARCH_FIELD_ANY:
    default: return LB_STORE_TEXT_ANY;
    }
}

/* Fills @search from @query, borrowing its text; @terms must hold query->terms->len. */
static void
store_search_from_query (const LbSearchQuery *query,
                         LbStoreTextTerm     *terms,
                         LbStoreSearch       *search)
{
  for (guint i = 0; i < query->terms->len; i++)
    {
      const LbSearchTerm *term = g_ptr_array_index (query->terms, i);

      terms[i].field = store_field (term->field);
      terms[i].text = term->text;
      terms[i].negated = term->negated;
    }
  search->terms = terms;
  search->n_terms = query->terms->len;
  search->flags_set = query->flags_set;
  search->flags_unset = query->flags_unset;
  search->has_attachment = query->has_attachment;
  search->no_attachment = query->no_attachment;
  search->after = query->after;
  search->before = query->before;
  search->in_folder = query->in_folder;
}

/**
 * lb_search_build_sql:
 * @query: a parsed query
 * @folder_id: a folder, or %LB_STORE_UNIFIED_INBOX
 * @limit: the most hits, 0 for all
 * @out_params: (out) (transfer full): the text to bind to ?1, ?2... in order
 *
 * The statement lb_search_run() runs (see lb_store_search_build_sql()); exposed for
 * tests and the benchmark, which look at its plan.
 *
 * Returns: (transfer full): the SQL
 */
char *
lb_search_build_sql (const LbSearchQuery  *query,
                     gint64                folder_id,
                     guint                 limit,
                     GPtrArray           **out_params)
{
  g_autofree LbStoreTextTerm *terms = g_new0 (LbStoreTextTerm, MAX (query->terms->len, 1));
  LbStoreSearch search = { 0 };

  store_search_from_query (query, terms, &search);
  return lb_store_search_build_sql (&search, folder_id, limit, out_params);
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
  g_autofree LbStoreTextTerm *terms = NULL;
  LbStoreSearch search = { 0 };

  g_return_val_if_fail (query != NULL, NULL);

  terms = g_new0 (LbStoreTextTerm, MAX (query->terms->len, 1));
  store_search_from_query (query, terms, &search);
  return lb_store_search (store, &search, folder_id, error);
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

/**
 * lb_search_first_screen:
 * @query: what the user typed (see lb-search-query.c)
 * @folder_id: a folder, %LB_STORE_UNIFIED_INBOX or %LB_STORE_ALL_FOLDERS
 * @limit: the most hits to return (a screen: 50)
 * @out_total: (out) (optional): the number of hits, or its estimate
 * @out_estimated: (out) (optional): whether @out_total is an estimate ("about N")
 *
 * The newest @limit hits, at a cost that does not grow with the number of hits (see
 * store/lb-store-search.c); lb_search_location_ids() gives them all.
 *
 * Returns: (transfer full) (element-type gint64): locations, newest first
 */
GArray *
lb_search_first_screen (LbStore     *store,
                        const char  *query,
                        gint64       folder_id,
                        guint        limit,
                        gint64      *out_total,
                        gboolean    *out_estimated,
                        GError     **error)
{
  g_autoptr(LbSearchQuery) parsed = lb_search_query_parse (query);
  g_autofree LbStoreTextTerm *terms = g_new0 (LbStoreTextTerm, MAX (parsed->terms->len, 1));
  LbStoreSearch search = { 0 };

  store_search_from_query (parsed, terms, &search);
  return lb_store_search_page (store, &search, folder_id, limit, out_total, out_estimated, error);
}
