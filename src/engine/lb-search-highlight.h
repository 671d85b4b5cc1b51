/* lb-search-highlight.h: the words of a search query to mark in the message list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-search-highlight
 * @title: lb_search_highlight_terms
 *
 * The words of a search query that the message list marks, parsed by the same code that
 * runs the search.  A pure function: any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * LbHighlightField:
 * @LB_HIGHLIGHT_FIELD_OTHER: text that no field operator names (the preview)
 * @LB_HIGHLIGHT_FIELD_FROM: the sender (`from:`)
 * @LB_HIGHLIGHT_FIELD_TO: the recipients (`to:`)
 * @LB_HIGHLIGHT_FIELD_SUBJECT: the subject (`subject:`)
 *
 * The part of a message a piece of text shows.
 */
typedef enum {
  LB_HIGHLIGHT_FIELD_OTHER,
  LB_HIGHLIGHT_FIELD_FROM,
  LB_HIGHLIGHT_FIELD_TO,
  LB_HIGHLIGHT_FIELD_SUBJECT,
} LbHighlightField;

char **lb_search_highlight_terms    (const char         *query,
                                     LbHighlightField    field);
char  *lb_search_highlight_sentence (const char         *text,
                                     const char * const *terms);
const char *lb_search_highlight_find (const char    *text,
                                      const char    *needle,
                                      const char    *from);

G_END_DECLS
