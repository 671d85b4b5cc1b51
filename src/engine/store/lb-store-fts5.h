/* lb-store-fts5.h: the few declarations of the FTS5 extension interface the store uses
 *
 * Debian 12's libsqlite3-dev ships no fts5.h; these follow the documented interface
 * (https://sqlite.org/fts5.html#extending_fts5), which is stable: version 2 of fts5_api
 * has been current since SQLite 3.20.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

typedef struct LbFts5Tokenizer LbFts5Tokenizer;   /* opaque: Fts5Tokenizer */

typedef int (*LbFts5TokenCallback) (void       *ctx,
                                    int         tflags,
                                    const char *token,
                                    int         n_token,
                                    int         start,
                                    int         end);

typedef struct
{
  int  (*create)   (void             *context,
                    const char      **args,
                    int               n_args,
                    LbFts5Tokenizer **out);
  void (*destroy)  (LbFts5Tokenizer  *tokenizer);
  int  (*tokenize) (LbFts5Tokenizer  *tokenizer,
                    void             *ctx,
                    int               flags,
                    const char       *text,
                    int               n_text,
                    LbFts5TokenCallback callback);
} LbFts5TokenizerClass;

typedef struct LbFts5Api LbFts5Api;
struct LbFts5Api
{
  int iVersion;
  int (*create_tokenizer) (LbFts5Api            *api,
                           const char           *name,
                           void                 *context,
                           LbFts5TokenizerClass *klass,
                           void                (*destroy) (void *));
  int (*find_tokenizer)   (LbFts5Api            *api,
                           const char           *name,
                           void                **out_context,
                           LbFts5TokenizerClass *out_klass);
  /* xCreateFunction follows; not used. */
};

#define FTS5_TOKENIZE_QUERY    0x0001
#define FTS5_TOKENIZE_PREFIX   0x0002

#define FTS5_TOKEN_COLOCATED   0x0001
