/* lb-search-query.h: the search query language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * LbSearchField:
 * @LB_SEARCH_FIELD_ANY: sender, recipients, subject or body
 * @LB_SEARCH_FIELD_FROM: the sender (`from:`, `发件人:`)
 * @LB_SEARCH_FIELD_TO: the recipients, To and Cc (`to:`, `收件人:`)
 * @LB_SEARCH_FIELD_SUBJECT: the subject (`subject:`, `主题:`)
 *
 * Where a text term must be found.
 */
typedef enum {
  LB_SEARCH_FIELD_ANY,
  LB_SEARCH_FIELD_FROM,
  LB_SEARCH_FIELD_TO,
  LB_SEARCH_FIELD_SUBJECT,
} LbSearchField;

/**
 * LbSearchTerm:
 * @field: where @text must be found
 * @text: the text, matched as a substring (case-insensitive for ASCII)
 * @negated: %TRUE for `-word`: the text must not be found
 */
typedef struct {
  LbSearchField  field;
  char          *text;
  gboolean       negated;
} LbSearchTerm;

/**
 * LbSearchQuery:
 * @terms: (element-type LbSearchTerm): text terms, all of which must match
 * @flags_set: #LbFlags every match has (`is:read`, `is:flagged`)
 * @flags_unset: #LbFlags no match has (`is:unread`)
 * @has_attachment: only mail with attachments (`has:attachment`)
 * @no_attachment: only mail without attachments (`-has:attachment`)
 * @after: if not 0, only mail dated at or after this unix time (`after:`)
 * @before: if not 0, only mail dated before this unix time (`before:`)
 * @in_folder: (nullable): only mail in the folders of this name, in any account
 *   (`in:Archive`), instead of the scope searched
 *
 * A parsed query.  Words are ANDed; `"quoted phrases"` are one term.
 * `after:2024-03-05` includes the 5th (local time) and `before:2024-03-05`
 * excludes it, as in Gmail.
 */
typedef struct {
  GPtrArray *terms;
  guint      flags_set;
  guint      flags_unset;
  gboolean   has_attachment;
  gboolean   no_attachment;
  gint64     after;
  gint64     before;
  char      *in_folder;
} LbSearchQuery;

LbSearchQuery *lb_search_query_parse     (const char     *query);
void           lb_search_query_free      (LbSearchQuery  *query);
gboolean       lb_search_query_is_empty  (const LbSearchQuery *query);
char         **lb_search_query_get_terms (const char     *query);
gboolean       lb_search_parse_date      (const char     *text,
                                          gint64         *out_time);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbSearchQuery, lb_search_query_free)

G_END_DECLS
