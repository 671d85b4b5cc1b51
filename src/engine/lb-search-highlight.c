/* lb-search-highlight.c: the words of a search query to mark in the message list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

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

/* Chinese, Japanese and Korean characters: search units of their own (lb-store-words.c). */
static gboolean
is_cjk (gunichar c)
{
  switch (g_unichar_get_script (c))
    {
    case G_UNICODE_SCRIPT_HAN:
    case G_UNICODE_SCRIPT_HIRAGANA:
    case G_UNICODE_SCRIPT_KATAKANA:
    case G_UNICODE_SCRIPT_HANGUL:
    case G_UNICODE_SCRIPT_BOPOMOFO:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Whether @c is part of a word (a letter, a digit or an accent, not CJK). */
static gboolean
in_word (gunichar c)
{
  return (g_unichar_isalnum (c) || g_unichar_ismark (c)) && !is_cjk (c);
}

/**
 * lb_search_highlight_find:
 * @text: a text, lowered with g_ascii_strdown()
 * @needle: a search word, lowered with g_ascii_strdown()
 * @from: where in @text to start looking
 *
 * The next place at or after @from where @needle starts a word of @text, the search's
 * word rule (lb_word_match()): a word is found where it starts a word and never inside
 * one ("the" is not in "other"), while CJK characters are found anywhere, as Chinese has
 * no spaces.  The sentence finder and the message list's highlights both use it, so
 * that what is marked is what the search found.  Both strings keep @text's byte
 * offsets, since g_ascii_strdown() does.
 *
 * Returns: (nullable): the place in @text, or %NULL
 */
const char *
lb_search_highlight_find (const char *text,
                          const char *needle,
                          const char *from)
{
  gunichar first = g_utf8_get_char (needle);
  gboolean word = *needle != '\0' && in_word (first);
  const char *at = *needle != '\0' ? strstr (from, needle) : NULL;

  while (at != NULL && word && at > text)
    {
      gunichar before = g_utf8_get_char (g_utf8_find_prev_char (text, at));

      if (!in_word (before))
        break;
      at = strstr (at + 1, needle);
    }
  return at;
}

/* The byte offset of the first place in @text where one of @terms starts a word (or is,
 * for CJK), ASCII letters in either case; -1 if none is. */
static gssize
find_first_term (const char         *text,
                 const char * const *terms)
{
  g_autofree char *folded = g_ascii_strdown (text, -1);
  gssize first = -1;

  for (guint i = 0; terms[i] != NULL; i++)
    {
      g_autofree char *needle = g_ascii_strdown (terms[i], -1);
      const char *at = lb_search_highlight_find (folded, needle, folded);

      if (at != NULL && (first < 0 || at - folded < first))
        first = at - folded;
    }
  return first;
}

static gboolean
ends_sentence (gunichar c)
{
  return c == '.' || c == '!' || c == '?' || c == 0x3002 /* 。 */
         || c == 0xFF01 /* ！ */ || c == 0xFF1F /* ？ */ || c == 0xFF1B /* ； */;
}

/* At most this many characters before the match, so that it stays in sight in a row
 * of the message list (which shows some 45), and after it. */
#define SENTENCE_BEFORE 30
#define SENTENCE_AFTER  80

/**
 * lb_search_highlight_sentence:
 * @text: (nullable): a message's text
 * @terms: the words a search looks for (see lb_search_highlight_terms())
 *
 * The sentence of @text in which one of @terms first appears, for a search result whose
 * match is in the body only: the list shows it instead of the start of the body, so
 * that one sees why the message was found.  A long sentence is cut, with "…", to some 30
 * characters before the word (so that the word shows in the list) and 80 after.  ASCII letters match in either case, as
 * the search does.  Any thread.
 *
 * Returns: (transfer full) (nullable): the sentence, on one line, or %NULL if no term is
 *   in @text
 */
char *
lb_search_highlight_sentence (const char         *text,
                              const char * const *terms)
{
  const char *match, *start, *end, *p;
  g_autoptr(GString) out = NULL;
  gboolean cut_start = FALSE, cut_end = FALSE;
  gssize at;
  guint n;

  if (text == NULL || terms == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  at = find_first_term (text, terms);
  if (at < 0)
    return NULL;
  match = text + at;

  /* Back to the end of the sentence before, or SENTENCE_BEFORE characters. */
  start = match;
  for (n = 0; start > text; n++)
    {
      p = g_utf8_prev_char (start);
      /* A line break inside a paragraph is the mail's wrapping; an empty line ends it. */
      if (ends_sentence (g_utf8_get_char (p))
          || (*p == '\n' && p > text && p[-1] == '\n'))
        break;
      if (n == SENTENCE_BEFORE)
        {
          cut_start = TRUE;
          break;
        }
      start = p;
    }
  /* A cut starts at a word, where words have spaces between them. */
  if (cut_start)
    for (p = start; p < match; p = g_utf8_next_char (p))
      if (*p == ' ')
        {
          start = p + 1;
          break;
        }
  /* On to the end of this sentence, its mark included (not a line break), or
   * SENTENCE_AFTER characters. */
  end = match;
  for (n = 0; *end != '\0'; n++)
    {
      gunichar c = g_utf8_get_char (end);

      if (c == '\n' && end[1] == '\n')
        break;
      if (n == SENTENCE_AFTER)
        {
          cut_end = TRUE;
          break;
        }
      end = g_utf8_next_char (end);
      if (ends_sentence (c) && end - match > 1)
        break;
    }

  out = g_string_new (cut_start ? "…" : NULL);
  for (p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* One line, as the list shows a single one. */
      if (!g_unichar_isspace (c))
        g_string_append_unichar (out, c);
      else if (out->len > 0 && out->str[out->len - 1] != ' ')
        g_string_append_c (out, ' ');
    }
  while (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  if (cut_end)
    g_string_append (out, "…");
  /* Leading white space went with the first character appended after it. */
  if (out->len > 0 && out->str[0] == ' ')
    g_string_erase (out, 0, 1);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
