/* lb-store-words.c: the word rules of local search, and the "lb_words" FTS5 tokenizer
 *
 * Search sees text as a sequence of units (lb_word_iter_next()):
 *
 * - a word: a run of letters and digits, lowercased, without accents (é is e, as
 *   FTS5's unicode61 tokenizer with remove_diacritics 2 folds it), so that "the"
 *   is found in "The" and not in "other";
 * - one CJK character (Han, Kana, Hangul, Bopomofo), since Chinese and Japanese are
 *   written without spaces: 项目进度 is four units, each joined to the one before.
 *
 * A search term matches a text when its units appear in the text one after the other
 * (CJK units joined where the term's are), the term's last word being a prefix: "invo"
 * finds "invoice", "会议" finds 季度会议纪要, "shop.com" finds billing@shop.com.
 * lb_word_match() is that rule, and the index follows it: the tokenizer emits every
 * word, every CJK character and every pair of joined CJK characters (Thunderbird's
 * bigrams), so that a term of one word or of one or two CJK characters is one token
 * of the index, found exactly, and a longer term is an AND of its tokens that
 * lb_word_match() then checks in the text.
 *
 * The index has detail=none (no positions, no columns: about a third of the size of
 * detail=full), so the header fields are told apart by a tag: a column whose text starts
 * with LB_WORD_TAG and a letter (f for the sender, t the recipients, s the subject)
 * also gets every token again with that tag in front, and `from:alice` is the one token
 * "\1falice".  Queries name such tokens with the same tag.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Letterbox-Store"

#include "config.h"

#include <string.h>

#include "lb-error.h"
#include "lb-store-fts5.h"
#include "lb-store-words.h"

#define LB_WORD_TAG '\001'
#define LB_WORD_PREFIX '\002'

/* Words get prefix tokens of these lengths, so that a query of 2 to 4 characters reads
 * one list of messages in date order instead of merging every word that starts so. */
#define MIN_PREFIX_TOKEN 2
#define MAX_PREFIX_TOKEN 4

static gboolean
is_cjk (gunichar c)
{
  if (c < 0x1100)
    return FALSE;
  /* The common Han block and Hangul syllables without the script table's search. */
  if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7A3))
    return TRUE;
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

static gboolean
is_mark (gunichar c)
{
  GUnicodeType t = g_unichar_type (c);

  return t == G_UNICODE_NON_SPACING_MARK || t == G_UNICODE_SPACING_MARK ||
         t == G_UNICODE_ENCLOSING_MARK;
}

/* Lowercase, without its accents: the first character of its canonical decomposition. */
static gunichar
fold (gunichar c)
{
  gunichar d[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];

  c = g_unichar_tolower (c);
  if (g_unichar_fully_decompose (c, FALSE, d, G_N_ELEMENTS (d)) > 1)
    c = g_unichar_tolower (d[0]);
  return c;
}

/* The character at p, or -1 for a byte that starts no valid character. */
static gunichar
get_char (const char  *p,
          const char  *end,
          const char **next)
{
  guchar b = (guchar) *p;
  gunichar c;

  if (b < 0x80)
    {
      *next = p + 1;
      return b;
    }
  c = g_utf8_get_char_validated (p, end - p);
  if (c == (gunichar) -1 || c == (gunichar) -2)
    {
      *next = p + 1;
      return (gunichar) -1;
    }
  *next = g_utf8_next_char (p);
  return c;
}

void
lb_word_iter_init (LbWordIter *iter,
                   const char *text,
                   int         n_text)
{
  iter->text = text != NULL ? text : "";
  iter->p = iter->text;
  iter->end = iter->text + (n_text < 0 ? (int) strlen (iter->text) : n_text);
  iter->after_cjk = FALSE;
  iter->buf = g_string_sized_new (64);
}

void
lb_word_iter_clear (LbWordIter *iter)
{
  g_string_free (iter->buf, TRUE);
  iter->buf = NULL;
}

/* Reads a word that starts at iter->p into iter->buf. */
static void
read_word (LbWordIter *iter)
{
  const char *next;

  g_string_truncate (iter->buf, 0);
  while (iter->p < iter->end)
    {
      gunichar c = get_char (iter->p, iter->end, &next);

      if (c < 0x80)
        {
          if (!g_ascii_isalnum (c))
            break;
          g_string_append_c (iter->buf, g_ascii_tolower (c));
        }
      else if (c == (gunichar) -1 || is_cjk (c))
        break;
      else if (is_mark (c))
        ;  /* a combining accent: dropped, as the folding drops it */
      else if (g_unichar_isalnum (c))
        g_string_append_unichar (iter->buf, fold (c));
      else
        break;
      iter->p = next;
    }
}

gboolean
lb_word_iter_next (LbWordIter *iter,
                   LbWordUnit *unit)
{
  const char *next;

  while (iter->p < iter->end)
    {
      const char *start = iter->p;
      gunichar c = get_char (iter->p, iter->end, &next);

      if (c != (gunichar) -1 && c >= 0x80 && is_cjk (c))
        {
          unit->cjk = TRUE;
          unit->joined = iter->after_cjk;
          unit->start = (int) (start - iter->text);
          unit->end = (int) (next - iter->text);
          unit->folded = start;
          unit->n_folded = (int) (next - start);
          iter->after_cjk = TRUE;
          iter->p = next;
          return TRUE;
        }
      iter->after_cjk = FALSE;
      if (c == (gunichar) -1 || (c < 0x80 && !g_ascii_isalnum (c)) ||
          (c >= 0x80 && !g_unichar_isalnum (c) && !is_mark (c)))
        {
          iter->p = next;
          continue;
        }
      read_word (iter);
      if (iter->buf->len == 0)
        {
          /* Marks alone, with no letter to carry them. */
          if (iter->p == start)
            iter->p = next;
          continue;
        }
      unit->cjk = FALSE;
      unit->joined = FALSE;
      unit->start = (int) (start - iter->text);
      unit->end = (int) (iter->p - iter->text);
      unit->folded = iter->buf->str;
      unit->n_folded = (int) iter->buf->len;
      return TRUE;
    }
  return FALSE;
}

/* ---- Matching a term in a text ------------------------------------------------------ */

typedef struct {
  gboolean  cjk;
  gboolean  joined;
  char     *folded;
} TermUnit;

static GArray *
term_units (const char *term)
{
  GArray *units = g_array_new (FALSE, FALSE, sizeof (TermUnit));
  LbWordIter iter;
  LbWordUnit u;

  lb_word_iter_init (&iter, term, -1);
  while (lb_word_iter_next (&iter, &u))
    {
      TermUnit t = { u.cjk, u.joined && units->len > 0, g_strndup (u.folded, u.n_folded) };
      g_array_append_val (units, t);
    }
  lb_word_iter_clear (&iter);
  return units;
}

static void
term_units_free (GArray *units)
{
  for (guint i = 0; i < units->len; i++)
    g_free (g_array_index (units, TermUnit, i).folded);
  g_array_unref (units);
}

/* Whether the text unit u matches the term's unit t (the k-th of m). */
static gboolean
unit_matches (const TermUnit   *t,
              const LbWordUnit *u,
              gboolean          first,
              gboolean          last)
{
  gsize n = strlen (t->folded);

  if (t->cjk != u->cjk)
    return FALSE;
  /* Joined CJK characters of the term must be joined in the text. */
  if (!first && t->joined && !u->joined)
    return FALSE;
  if (last && !t->cjk)
    return (gsize) u->n_folded >= n && memcmp (u->folded, t->folded, n) == 0;
  return (gsize) u->n_folded == n && memcmp (u->folded, t->folded, n) == 0;
}

/* Walks the text's units once, and only where one matches the term's first unit reads
 * on (with a copy of the iterator) to compare the rest: no copy of the text's units,
 * and it stops at the first match.  This check runs on every candidate of a phrase or
 * of a term of several tokens, so its cost is the cost of such a search. */
static gboolean
units_match (GArray     *term,
             const char *text,
             int         n_text)
{
  g_autoptr(GString) scratch = g_string_sized_new (64);
  LbWordIter iter;
  LbWordUnit u;
  guint m = term->len;
  gboolean found = FALSE;

  lb_word_iter_init (&iter, text, n_text);
  while (!found && lb_word_iter_next (&iter, &u))
    {
      LbWordIter rest;
      guint k;

      if (!unit_matches (&g_array_index (term, TermUnit, 0), &u, TRUE, m == 1))
        continue;
      rest = iter;
      rest.buf = scratch;
      for (k = 1; k < m && lb_word_iter_next (&rest, &u); k++)
        if (!unit_matches (&g_array_index (term, TermUnit, k), &u, FALSE, k == m - 1))
          break;
      found = k == m;
    }
  lb_word_iter_clear (&iter);
  return found;
}

/**
 * lb_word_match:
 * @text: (nullable): a text
 * @n_text: its length, or -1
 * @term: what to find
 *
 * Whether @term's units are in @text one after another (see the top of this file).  A
 * term without any unit is in no text.
 */
gboolean
lb_word_match (const char *text,
               int         n_text,
               const char *term)
{
  GArray *units = term_units (term);
  gboolean found = units->len > 0 && text != NULL && units_match (units, text, n_text);

  term_units_free (units);
  return found;
}

static void
append_token (GString    *match,
              gboolean    prefix,
              char        tag,
              const char *text,
              const char *more)
{
  g_string_append_c (match, '"');
  if (prefix)
    g_string_append_c (match, LB_WORD_PREFIX);
  if (tag != 0)
    {
      g_string_append_c (match, LB_WORD_TAG);
      g_string_append_c (match, tag);
    }
  g_string_append (match, text);
  if (more != NULL)
    g_string_append (match, more);
  g_string_append_c (match, '"');
}

/* A CJK character alone (or one letter, with no @expand): the OR of the
 * indexed words (or pairs) that start with it, when @expand lists them, which FTS5 reads newest first and stops; else FTS5's own
 * prefix query, which first merges every such word's whole list of messages (200 ms for a
 * word in most of 300,000 messages, against 1 ms for the OR). */
static void
append_long_prefix (GString          *match,
                    char              tag,
                    const char       *word,
                    LbWordExpandFunc  expand,
                    gpointer          expand_data)
{
  g_autofree char *tagged = tag != 0 ? g_strdup_printf ("%c%c%s", LB_WORD_TAG, tag, word) : NULL;
  g_autoptr(GPtrArray) words = expand != NULL ? expand (tagged != NULL ? tagged : word, expand_data) : NULL;

  if (words == NULL)
    {
      append_token (match, FALSE, tag, word, NULL);
      g_string_append_c (match, '*');
      return;
    }
  /* The word itself, even when no text has it yet: an OR of nothing is no query. */
  g_string_append_c (match, '(');
  append_token (match, FALSE, tag, word, NULL);
  for (guint i = 0; i < words->len; i++)
    {
      const char *w = g_ptr_array_index (words, i);

      if (tag != 0)
        w += 2;
      if (strcmp (w, word) == 0)
        continue;
      g_string_append (match, " OR ");
      append_token (match, FALSE, tag, w, NULL);
    }
  g_string_append_c (match, ')');
}

/**
 * lb_word_query_build:
 * @term: what to find
 * @tag: 0 for any field, or the letter of a header field (f, t, s)
 * @expand: (nullable): lists the indexed words that start with a prefix (see
 *   lb_word_vocabulary_take()), or returns %NULL when there are too many
 * @expand_data: for @expand
 * @out: (out caller-allocates): the index query for @term
 *
 * Fills @out with the FTS5 expression that finds the texts holding @term (see
 * #LbWordQuery).  Free out->match with g_free().
 */
void
lb_word_query_build (const char       *term,
                     char              tag,
                     LbWordExpandFunc  expand,
                     gpointer          expand_data,
                     LbWordQuery      *out)
{
  GArray *units = term_units (term);
  g_autoptr(GString) match = g_string_new (NULL);
  guint n_tokens = 0;
  gboolean inexact = FALSE;

  for (guint i = 0; i < units->len; i++)
    {
      const TermUnit *t = &g_array_index (units, TermUnit, i);
      const TermUnit *next = i + 1 < units->len ? &g_array_index (units, TermUnit, i + 1) : NULL;
      gboolean next_joined = next != NULL && next->cjk && next->joined;

      /* A CJK character is a token alone only when it stands alone in the term;
       * otherwise the pairs it is part of stand for it. */
      if (t->cjk && !next_joined && t->joined)
        continue;
      if (n_tokens++ > 0)
        g_string_append (match, " AND ");
      if (t->cjk && !next_joined)
        {
          /* A character alone: every pair it starts, or itself at the end of a run. */
          append_long_prefix (match, tag, t->folded, expand, expand_data);
        }
      else if (!t->cjk && next == NULL)
        {
          glong n_chars = g_utf8_strlen (t->folded, -1);

          /* The last word is a prefix: the word itself or a prefix token when there is
           * one for its length, else every word that starts so. */
          if (n_chars >= MIN_PREFIX_TOKEN && n_chars <= MAX_PREFIX_TOKEN)
            {
              g_string_append_c (match, '(');
              append_token (match, FALSE, tag, t->folded, NULL);
              g_string_append (match, " OR ");
              append_token (match, TRUE, tag, t->folded, NULL);
              g_string_append_c (match, ')');
            }
          else if (n_chars < MIN_PREFIX_TOKEN)
            {
              /* One letter: FTS5's prefix query (the vocabulary has no words). */
              append_long_prefix (match, tag, t->folded, NULL, NULL);
            }
          else
            {
              /* Longer: every word that starts so has the prefix token of its first
               * MAX_PREFIX_TOKEN characters, and the text check keeps those that
               * start with the whole term.  (A vocabulary of every word, to expand
               * the term into the words themselves, cost a fifth of the index and a
               * quarter of its build.) */
              const char *end = g_utf8_offset_to_pointer (t->folded, MAX_PREFIX_TOKEN);
              g_autofree char *head = g_strndup (t->folded, end - t->folded);

              append_token (match, TRUE, tag, head, NULL);
              inexact = TRUE;
            }
        }
      else
        append_token (match, FALSE, tag, t->folded, next_joined ? next->folded : NULL);
    }
  out->exact = n_tokens == 1 && !inexact;
  out->match = n_tokens > 0 ? g_strdup (match->str) : NULL;
  term_units_free (units);
}

/* ---- The vocabulary of CJK pairs --------------------------------------------------------- */

/* While lb_word_vocabulary_begin() is in effect on a thread, the tokenizer collects there
 * every pair of CJK characters it indexes (tagged too), so that the store keeps them
 * (search_words) for expanding a character alone into its pairs.  Words are not kept:
 * a long prefix is a prefix token and a check of the text (lb_word_query_build()). */
static GPrivate vocabulary = G_PRIVATE_INIT ((GDestroyNotify) g_hash_table_unref);

/* A pair is collected as one number, its tag and its two characters' code points (21
 * bits each), not as a string: the tokenizer meets every pair of every text, and a
 * lookup of a number costs no copy, no strlen and no string hash. */
#define PAIR_KEY(tag, c1, c2) (((guint64) (guchar) (tag) << 42) | ((guint64) (c1) << 21) | (guint64) (c2))

void
lb_word_vocabulary_begin (void)
{
  g_private_replace (&vocabulary, g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL));
}

/**
 * lb_word_vocabulary_take:
 *
 * Ends the collection lb_word_vocabulary_begin() started.
 *
 * Returns: (transfer full): the set of words collected
 */
GHashTable *
lb_word_vocabulary_take (void)
{
  g_autoptr(GHashTable) keys = g_private_get (&vocabulary);
  GHashTable *words = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key;

  if (keys == NULL)
    return words;
  g_hash_table_ref (keys);
  g_private_replace (&vocabulary, NULL);
  g_hash_table_iter_init (&iter, keys);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      guint64 k = *(guint64 *) key;
      char tag = (char) (k >> 42);
      GString *word = g_string_sized_new (8);

      if (tag != 0)
        {
          g_string_append_c (word, LB_WORD_TAG);
          g_string_append_c (word, tag);
        }
      g_string_append_unichar (word, (gunichar) ((k >> 21) & 0x1FFFFF));
      g_string_append_unichar (word, (gunichar) (k & 0x1FFFFF));
      g_hash_table_add (words, g_string_free (word, FALSE));
    }
  return words;
}

static void
collect (GHashTable *keys,
         guint64     key)
{
  /* Most pairs are met again and again: look before copying. */
  if (!g_hash_table_contains (keys, &key))
    g_hash_table_add (keys, g_memdup2 (&key, sizeof key));
}

/* A pair of CJK characters: "会" alone is the OR of the pairs that start with it. */
static void
collect_pair (char        tag,
              const char *pair,
              int         n_pair)
{
  GHashTable *keys = g_private_get (&vocabulary);
  gunichar c1, c2;

  if (keys == NULL)
    return;
  c1 = g_utf8_get_char (pair);
  c2 = g_utf8_get_char (g_utf8_next_char (pair));
  g_assert (g_utf8_next_char (g_utf8_next_char (pair)) == pair + n_pair);
  collect (keys, PAIR_KEY (0, c1, c2));
  if (tag != 0)
    collect (keys, PAIR_KEY (tag, c1, c2));
}

/* ---- The FTS5 tokenizer --------------------------------------------------------------- */

static int
lb_words_create (void             *context,
                 const char      **args,
                 int               n_args,
                 LbFts5Tokenizer **out)
{
  (void) context;
  (void) args;
  (void) n_args;
  /* No state: any non-NULL pointer will do. */
  *out = (LbFts5Tokenizer *) lb_words_create;
  return SQLITE_OK;
}

static void
lb_words_destroy (LbFts5Tokenizer *tokenizer)
{
  (void) tokenizer;
}

typedef struct {
  void                *ctx;
  LbFts5TokenCallback  callback;
  char                 tag;
  gboolean             query;
  gboolean             prefix;   /* a query for a prefix token */
  GString             *token;
} Emitter;

static int
emit_one (Emitter    *e,
          int         tflags,
          gboolean    prefix,
          gboolean    tagged,
          const char *token,
          int         n_token,
          int         start,
          int         end)
{
  g_string_truncate (e->token, 0);
  if (prefix)
    g_string_append_c (e->token, LB_WORD_PREFIX);
  if (tagged)
    {
      g_string_append_c (e->token, LB_WORD_TAG);
      g_string_append_c (e->token, e->tag);
    }
  g_string_append_len (e->token, token, n_token);
  return e->callback (e->ctx, tflags, e->token->str, (int) e->token->len, start, end);
}

/* Emits a unit's token.  In a document, a header field's token also comes tagged, and a
 * word's first 2, 3 and 4 characters as prefix tokens (when it is longer); a query names
 * exactly one of these. */
static int
emit (Emitter    *e,
      const char *token,
      int         n_token,
      int         start,
      int         end,
      gboolean    word)
{
  int rc;

  if (e->query)
    return emit_one (e, 0, e->prefix, e->tag != 0, token, n_token, start, end);
  rc = e->callback (e->ctx, 0, token, n_token, start, end);
  if (rc == SQLITE_OK && e->tag != 0)
    rc = emit_one (e, FTS5_TOKEN_COLOCATED, FALSE, TRUE, token, n_token, start, end);
  if (word)
    {
      const char *p = token;
      int k = 0;

      /* p walks the word's characters; the prefix of k characters ends at p. */
      while (rc == SQLITE_OK && p < token + n_token && k <= MAX_PREFIX_TOKEN)
        {
          if (k >= MIN_PREFIX_TOKEN)
            {
              rc = emit_one (e, FTS5_TOKEN_COLOCATED, TRUE, FALSE, token, (int) (p - token), start, end);
              if (rc == SQLITE_OK && e->tag != 0)
                rc = emit_one (e, FTS5_TOKEN_COLOCATED, TRUE, TRUE, token, (int) (p - token), start, end);
            }
          p = g_utf8_next_char (p);
          k++;
        }
    }
  return rc;
}

static int
lb_words_tokenize (LbFts5Tokenizer     *tokenizer,
                   void                *ctx,
                   int                  flags,
                   const char          *text,
                   int                  n_text,
                   LbFts5TokenCallback  callback)
{
  g_autoptr(GString) pair = g_string_new (NULL);
  gboolean query = (flags & FTS5_TOKENIZE_QUERY) != 0;
  Emitter e = { ctx, callback, 0, query, FALSE, g_string_new (NULL) };
  LbWordIter iter;
  LbWordUnit u;
  int prev_start = -1;
  int prev_end = -1;
  int offset = 0;
  int rc = SQLITE_OK;

  (void) tokenizer;
  if (query && n_text >= 1 && text[0] == LB_WORD_PREFIX)
    {
      e.prefix = TRUE;
      offset = 1;
    }
  if (n_text >= offset + 2 && text[offset] == LB_WORD_TAG && g_ascii_isalpha (text[offset + 1]))
    {
      e.tag = text[offset + 1];
      offset += 2;
    }
  lb_word_iter_init (&iter, text + offset, n_text - offset);
  if (query)
    {
      /* A query names single tokens (see lb_word_query_build()): one word, one
       * character, or two joined characters that are one pair. */
      if (lb_word_iter_next (&iter, &u))
        {
          int start = u.start + offset, end = u.end + offset;

          g_string_append_len (pair, u.folded, u.n_folded);
          if (u.cjk && lb_word_iter_next (&iter, &u) && u.cjk && u.joined)
            {
              g_string_append_len (pair, u.folded, u.n_folded);
              end = u.end + offset;
            }
          rc = emit (&e, pair->str, (int) pair->len, start, end, FALSE);
        }
    }
  else
    {
      /* Each pair of joined characters, and the last character of each run (every
       * character is then the start of a token: "会"* finds it). */
      while (rc == SQLITE_OK && lb_word_iter_next (&iter, &u))
        {
          int start = u.start + offset, end = u.end + offset;

          if (u.cjk && u.joined && prev_start >= 0)
            {
              g_string_append_len (pair, u.folded, u.n_folded);
              rc = emit (&e, pair->str, (int) pair->len, prev_start, end, FALSE);
              collect_pair (e.tag, pair->str, (int) pair->len);
            }
          else if (prev_start >= 0)
            rc = emit (&e, pair->str, (int) pair->len, prev_start, prev_end, FALSE);
          if (rc == SQLITE_OK && !u.cjk)
            rc = emit (&e, u.folded, u.n_folded, start, end, TRUE);
          g_string_truncate (pair, 0);
          prev_start = -1;
          if (u.cjk)
            {
              g_string_append_len (pair, u.folded, u.n_folded);
              prev_start = start;
              prev_end = end;
            }
        }
      if (rc == SQLITE_OK && prev_start >= 0)
        rc = emit (&e, pair->str, (int) pair->len, prev_start, prev_end, FALSE);
    }
  lb_word_iter_clear (&iter);
  g_string_free (e.token, TRUE);
  return rc;
}

/* ---- Registration ------------------------------------------------------------------ */

/* lb_words_match (text, term): lb_word_match() for SQL, the check of a text that the
 * index alone cannot answer (a term of several tokens, text not indexed yet). */
static void
sql_words_match (sqlite3_context  *context,
                 int               argc,
                 sqlite3_value   **argv)
{
  const char *text = (const char *) sqlite3_value_text (argv[0]);
  int n_text = sqlite3_value_bytes (argv[0]);
  const char *term = (const char *) sqlite3_value_text (argv[1]);
  GArray *units;

  (void) argc;
  if (text == NULL || term == NULL)
    {
      sqlite3_result_int (context, 0);
      return;
    }
  /* The term is the same for every row of a search: its units are parsed once. */
  units = sqlite3_get_auxdata (context, 1);
  if (units == NULL)
    {
      units = term_units (term);
      sqlite3_set_auxdata (context, 1, units, (void (*) (void *)) term_units_free);
      units = sqlite3_get_auxdata (context, 1);
      if (units == NULL)
        {
          sqlite3_result_int (context, lb_word_match (text, n_text, term));
          return;
        }
    }
  sqlite3_result_int (context, units->len > 0 && units_match (units, text, n_text));
}

/**
 * lb_store_register_words:
 * @db: a connection to a store
 * @fts5_api: its FTS5 interface
 *
 * Registers the "lb_words" tokenizer and the lb_words_match() SQL function on @db.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_register_words (sqlite3  *db,
                         void     *fts5_api,
                         GError  **error)
{
  static LbFts5TokenizerClass klass = {
    lb_words_create, lb_words_destroy, lb_words_tokenize,
  };
  LbFts5Api *api = fts5_api;
  int rc;

  rc = api->create_tokenizer (api, "lb_words", NULL, &klass, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function (db, "lb_words_match", 2,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                  NULL, sql_words_match, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                   "Could not register the search tokenizer: %s", sqlite3_errstr (rc));
      return FALSE;
    }
  return TRUE;
}
