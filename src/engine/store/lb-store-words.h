/* lb-store-words.h: the word rules of local search (see lb-store-words.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>
#include <glib.h>

G_BEGIN_DECLS

/**
 * LbWordUnit:
 * @cjk: a Han, Kana, Hangul or Bopomofo character rather than a word
 * @joined: (CJK only) it follows another CJK character directly, in one run
 * @start: the byte offset of the unit in the text
 * @end: the byte offset after it
 * @folded: the word lowercased without accents, or the character itself
 * @n_folded: the length of @folded in bytes
 *
 * One unit of text as search sees it: a word of letters and digits, or one CJK
 * character.  @folded points into the iterator and lives until its next step.
 */
typedef struct {
  gboolean    cjk;
  gboolean    joined;
  int         start;
  int         end;
  const char *folded;
  int         n_folded;
} LbWordUnit;

typedef struct {
  const char *text;
  const char *p;
  const char *end;
  gboolean    after_cjk;
  GString    *buf;
} LbWordIter;

void      lb_word_iter_init   (LbWordIter   *iter,
                               const char   *text,
                               int           n_text);
gboolean  lb_word_iter_next   (LbWordIter   *iter,
                               LbWordUnit   *unit);
void      lb_word_iter_clear  (LbWordIter   *iter);

/**
 * LbWordQuery:
 * @match: the FTS5 expression (single tokens joined by AND) that every text holding
 *   the term matches, or %NULL when the term has no word at all
 * @exact: whether every text the expression matches holds the term, so that no check
 *   of the text is needed
 */
typedef struct {
  char     *match;
  gboolean  exact;
} LbWordQuery;

typedef GPtrArray *(*LbWordExpandFunc) (const char *prefix,
                                        gpointer    data);

void      lb_word_query_build (const char       *term,
                               char              tag,
                               LbWordExpandFunc  expand,
                               gpointer          expand_data,
                               LbWordQuery      *out);
void        lb_word_vocabulary_begin (void);
GHashTable *lb_word_vocabulary_take  (void);
gboolean  lb_word_match       (const char   *text,
                               int           n_text,
                               const char   *term);
gboolean  lb_store_register_words (sqlite3  *db,
                                   void     *fts5_api,
                                   GError  **error);

G_END_DECLS
