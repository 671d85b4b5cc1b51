/* lb-search-highlight.c: the words of a search query to mark in the message list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-search-highlight.h"
#include "lb-search-query.h"

static LbSearchField
search_field (LbHighlightField field)
{
  switch (field)
    {
    case LB_HIGHLIGHT_FIELD_FROM:
      return LB_SEARCH_FIELD_FROM;
    case LB_HIGHLIGHT_FIELD_TO:
      return LB_SEARCH_FIELD_TO;
    case LB_HIGHLIGHT_FIELD_SUBJECT:
      return LB_SEARCH_FIELD_SUBJECT;
    case LB_HIGHLIGHT_FIELD_OTHER:
    default:
      return LB_SEARCH_FIELD_ANY;
    }
}

/**
 * lb_search_highlight_terms:
 * @query: (nullable): a search as the user typed it (`from:bob 周报 -draft`)
 * @field: the part of the message the text to mark shows
 *
 * The words that the search looks for in @field: those for any field and those for
 * @field itself, without negated ones (`-draft`), flags or dates.  The message list marks
 * them; ASCII letters match in either case, as the search does.  Any thread.
 *
 * Returns: (transfer full) (array zero-terminated=1): the words, possibly none
 */
char **
lb_search_highlight_terms (const char       *query,
                           LbHighlightField  field)
{
  g_autoptr(LbSearchQuery) parsed = NULL;
  g_autoptr(GStrvBuilder) terms = g_strv_builder_new ();
  LbSearchField wanted = search_field (field);

  if (query != NULL)
    parsed = lb_search_query_parse (query);
  for (guint i = 0; parsed != NULL && i < parsed->terms->len; i++)
    {
      const LbSearchTerm *term = g_ptr_array_index (parsed->terms, i);

      if (term->negated || term->text == NULL || *term->text == '\0'
          || (term->field != LB_SEARCH_FIELD_ANY && term->field != wanted))
        continue;
      g_strv_builder_add (terms, term->text);
    }
  return g_strv_builder_end (terms);
}
