/* lb-store-tokenizer.c: the "lb_trigram" FTS5 tokenizer, a trigram index that also
 * finds one- and two-character words
 *
 * FTS5's trigram tokenizer indexes every run of three characters, so any query of
 * three or more characters is a lookup.  A Chinese word is mostly two characters
 * (会议, 发票) and the trigram index cannot match those: SQLite 3.40 returns nothing
 * for them, and scanning the text of 100,000 messages takes about half a second.
 *
 * Every one- or two-character substring of an indexed text is the beginning of one of
 * its trigrams, except at the very end of the text.  So this tokenizer wraps FTS5's
 * own trigram tokenizer and:
 *
 * - for a document, emits its trigrams and then the text's last two characters and
 *   its last character as two more tokens, so that every substring of one or two
 *   characters begins some token;
 * - for a prefix query of one or two characters ("会议"*), emits those characters as
 *   the token, which FTS5 then matches against every token that begins with them.
 *
 * A query such as "会议"* therefore finds exactly the rows that contain 会议, from
 * the index.  Case folding is the trigram tokenizer's own: the extra tokens are cut
 * from trigrams it made out of the characters padded with spaces.
 *
 * FTS5 looks the tokenizer up by name whenever it opens message_fts, so it is
 * registered on every connection to a store (lb_store_register_tokenizer()).  An
 * sqlite3 shell without it can read every table but message_fts.
 *
 * Debian 12's libsqlite3-dev ships no fts5.h; the few declarations used here follow
 * the documented FTS5 extension interface (https://sqlite.org/fts5.html#extending_fts5),
 * which is stable: version 2 of fts5_api has been current since SQLite 3.20.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Letterbox-Store"

#include "config.h"

#include <string.h>

#include "lb-error.h"
#include "lb-store-fts5.h"
#include "lb-store-private.h"
#include "lb-store-words.h"

#define TOKENIZER_NAME "lb_trigram"

/* ---- The tokenizer ---------------------------------------------------------------- */

typedef struct
{
  LbFts5TokenizerClass  trigram;
  LbFts5Tokenizer      *inner;
} LbTrigram;

/* The class of FTS5's trigram tokenizer, found once per registration. */
typedef struct
{
  LbFts5TokenizerClass trigram;
  void                *trigram_context;
} LbTrigramModule;

static int
lb_trigram_create (void             *context,
                   const char      **args,
                   int               n_args,
                   LbFts5Tokenizer **out)
{
  LbTrigramModule *module = context;
  LbTrigram *self = g_new0 (LbTrigram, 1);
  int rc;

  self->trigram = module->trigram;
  /* Arguments (case_sensitive) are the trigram tokenizer's. */
  rc = self->trigram.create (module->trigram_context, args, n_args, &self->inner);
  if (rc != SQLITE_OK)
    {
      g_free (self);
      *out = NULL;
      return rc;
    }
  *out = (LbFts5Tokenizer *) self;
  return SQLITE_OK;
}

static void
lb_trigram_destroy (LbFts5Tokenizer *tokenizer)
{
  LbTrigram *self = (LbTrigram *) tokenizer;

  if (self == NULL)
    return;
  self->trigram.destroy (self->inner);
  g_free (self);
}

/* Collects the first two trigrams of a padded text. */
typedef struct
{
  char *first;
  int   n_first;
  char *second;
  int   n_second;
} Folded;

static int
collect_trigram (void       *ctx,
                 int         tflags,
                 const char *token,
                 int         n_token,
                 int         start,
                 int         end)
{
  Folded *folded = ctx;

  (void) tflags;
  (void) start;
  (void) end;
  if (folded->first == NULL)
    {
      folded->first = g_strndup (token, n_token);
      folded->n_first = n_token;
    }
  else if (folded->second == NULL)
    {
      folded->second = g_strndup (token, n_token);
      folded->n_second = n_token;
    }
  return SQLITE_OK;
}

/* The byte length of the first n_chars characters of a token (which FTS5 gives as
 * valid UTF-8 of length n). */
static int
prefix_bytes (const char *token,
              int         n,
              int         n_chars)
{
  const char *p = token;

  for (int i = 0; i < n_chars && p < token + n; i++)
    p = g_utf8_next_char (p);
  return (int) MIN (p - token, n);
}

/* Folds up to two characters the way the trigram tokenizer does, by letting it make
 * the trigrams of the characters followed by two spaces. */
static int
fold_chars (LbTrigram  *self,
            const char *chars,
            int         n_chars_bytes,
            Folded     *out)
{
  char buf[16];

  g_assert (n_chars_bytes <= (int) sizeof buf - 2);
  memcpy (buf, chars, n_chars_bytes);
  buf[n_chars_bytes] = ' ';
  buf[n_chars_bytes + 1] = ' ';
  return self->trigram.tokenize (self->inner, out, 0, buf, n_chars_bytes + 2, collect_trigram);
}

static void
folded_clear (Folded *folded)
{
  g_free (folded->first);
  g_free (folded->second);
}

static int
lb_trigram_tokenize (LbFts5Tokenizer     *tokenizer,
                     void                *ctx,
                     int                  flags,
                     const char          *text,
                     int                  n_text,
                     LbFts5TokenCallback  callback)
{
  LbTrigram *self = (LbTrigram *) tokenizer;
  const char *end = text + n_text;
  const char *last = NULL, *before_last = NULL;
  Folded folded = { 0 };
  int n_chars = 0;
  int rc;

  /* The last two characters, and how many there are (up to three).  Text that is not
   * valid UTF-8 ends where it stops being valid, as for the trigram tokenizer. */
  {
    const char *valid_end;

    g_utf8_validate (text, n_text, &valid_end);
    end = valid_end;
    for (const char *p = text; p < end && n_chars < 3; n_chars++)
      p = g_utf8_next_char (p);
    if (end > text)
      {
        last = g_utf8_prev_char (end);
        if (last > text)
          before_last = g_utf8_prev_char (last);
      }
  }

  if ((flags & FTS5_TOKENIZE_QUERY) != 0)
    {
      /* "ab"* and "a"*: the token is the folded characters themselves. */
      if ((flags & FTS5_TOKENIZE_PREFIX) != 0 && n_chars > 0 && n_chars < 3)
        {
          const char *first = text;
          int n_prefix;

          rc = fold_chars (self, first, (int) (end - first), &folded);
          if (rc == SQLITE_OK && folded.first != NULL)
            {
              n_prefix = prefix_bytes (folded.first, folded.n_first, n_chars);
              rc = callback (ctx, 0, folded.first, n_prefix, 0, (int) (end - text));
            }
          folded_clear (&folded);
          return rc;
        }
      return self->trigram.tokenize (self->inner, ctx, flags, text, n_text, callback);
    }

  /* A document (or FTS5 re-reading one): its trigrams, then its end. */
  rc = self->trigram.tokenize (self->inner, ctx, flags, text, n_text, callback);
  if (rc != SQLITE_OK || last == NULL)
    return rc;

  {
    const char *tail = before_last != NULL ? before_last : last;

    rc = fold_chars (self, tail, (int) (end - tail), &folded);
    if (rc == SQLITE_OK && before_last != NULL && folded.first != NULL)
      {
        /* The last two characters, then the last one. */
        rc = callback (ctx, 0, folded.first, prefix_bytes (folded.first, folded.n_first, 2),
                       (int) (before_last - text), (int) (end - text));
        if (rc == SQLITE_OK && folded.second != NULL)
          rc = callback (ctx, 0, folded.second, prefix_bytes (folded.second, folded.n_second, 1),
                         (int) (last - text), (int) (end - text));
      }
    else if (rc == SQLITE_OK && folded.first != NULL)
      {
        /* A one-character text. */
        rc = callback (ctx, 0, folded.first, prefix_bytes (folded.first, folded.n_first, 1),
                       0, (int) (end - text));
      }
    folded_clear (&folded);
  }
  return rc;
}

static LbFts5Api *
get_fts5_api (sqlite3 *db)
{
  LbFts5Api *api = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_pointer (stmt, 1, (void *) &api, "fts5_api_ptr", NULL);
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return api;
}

/**
 * lb_store_register_tokenizer:
 * @db: a connection to a store
 *
 * Registers the "lb_trigram" tokenizer (see the top of this file) on @db.  Every
 * connection that reads or writes message_fts needs it.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_register_tokenizer (sqlite3  *db,
                             GError  **error)
{
  static LbFts5TokenizerClass klass = {
    lb_trigram_create, lb_trigram_destroy, lb_trigram_tokenize,
  };
  LbFts5Api *api = get_fts5_api (db);
  LbTrigramModule *module;
  int rc;

  if (api == NULL || api->iVersion < 2)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                   "This SQLite has no FTS5 full-text search, which Letterbox needs");
      return FALSE;
    }
  module = g_new0 (LbTrigramModule, 1);
  rc = api->find_tokenizer (api, "trigram", &module->trigram_context, &module->trigram);
  if (rc != SQLITE_OK)
    {
      g_free (module);
      g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                   "This SQLite has no FTS5 trigram tokenizer (SQLite 3.34 or later), "
                   "which Letterbox needs");
      return FALSE;
    }
  rc = api->create_tokenizer (api, TOKENIZER_NAME, module, &klass, g_free);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_STORE,
                   "Could not register the search tokenizer: %s", sqlite3_errstr (rc));
      return FALSE;
    }
  /* The index of today (sql/014-search-words.sql); lb_trigram stays for stores that
   * have not been migrated yet, whose old index 014 drops. */
  return lb_store_register_words (db, api, error);
}
