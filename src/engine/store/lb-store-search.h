/* lb-store-search.h: the local search's queries over the store
 *
 * The search language (src/engine/search/) says what to look for; this is how the store
 * finds it, in its own terms, so that the store knows nothing of the language and every
 * query of the engine stays in store/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-store.h"

G_BEGIN_DECLS

/**
 * LbStoreTextField:
 *
 * Where a text term must be found: the sender, recipients, subject or body
 * (%LB_STORE_TEXT_ANY), or one of them.
 */
typedef enum {
  LB_STORE_TEXT_ANY,
  LB_STORE_TEXT_FROM,
  LB_STORE_TEXT_TO,
  LB_STORE_TEXT_SUBJECT,
} LbStoreTextField;

/**
 * LbStoreTextTerm:
 * @field: where @text must be found
 * @text: the text, matched as a substring (case-insensitive for ASCII)
 * @negated: %TRUE when the text must not be found
 */
typedef struct {
  LbStoreTextField  field;
  const char       *text;
  gboolean          negated;
} LbStoreTextTerm;

/**
 * LbStoreSearch:
 * @terms: (array length=n_terms): text terms, all of which must match
 * @flags_set: #LbFlags every match has
 * @flags_unset: #LbFlags no match has
 * @has_attachment: only mail with attachments
 * @no_attachment: only mail without attachments
 * @after: if not 0, only mail dated at or after this unix time
 * @before: if not 0, only mail dated before this unix time
 * @in_folder: (nullable): only mail in the folders of this name (display or raw, any
 *   case), in every account, instead of the scope searched
 * @skip_queued: leave out the text not indexed yet (lb_store_search_page() sets it when
 *   there is too much of it to check at once)
 *
 * What lb_store_search() looks for; it borrows every pointer.
 */
typedef struct {
  const LbStoreTextTerm *terms;
  guint                  n_terms;
  guint                  flags_set;
  guint                  flags_unset;
  gboolean               has_attachment;
  gboolean               no_attachment;
  gint64                 after;
  gint64                 before;
  const char            *in_folder;
  gboolean               skip_queued;
} LbStoreSearch;

GArray   *lb_store_search            (LbStore              *self,
                                      const LbStoreSearch  *search,
                                      gint64                folder_id,
                                      GError              **error);
GArray   *lb_store_search_page       (LbStore              *self,
                                      const LbStoreSearch  *search,
                                      gint64                folder_id,
                                      guint                 limit,
                                      gint64               *out_total,
                                      gboolean             *out_estimated,
                                      GError              **error);
char     *lb_store_search_build_sql  (const LbStoreSearch  *search,
                                      gint64                folder_id,
                                      guint                 limit,
                                      GPtrArray           **out_params);
gboolean  lb_store_locate_uids       (LbStore              *self,
                                      gint64                folder_id,
                                      GArray               *uids,
                                      GArray              **out_location_ids,
                                      GArray              **out_message_ids,
                                      guint                *out_missing,
                                      GError              **error);

G_END_DECLS
