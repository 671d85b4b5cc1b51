/* lb-test-store.h: looking at a store's file directly, outside the engine's API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs SQL, which yields one integer, on its own connection to the store file at PATH
 * (with the search tokenizer, so message_fts can be queried too).  Asserts that it
 * works.  Returns: the integer. */
gint64 lb_test_store_query_int (const char *path,
                                const char *sql);

/* Runs SQL (any number of statements) on its own connection to the store at PATH. */
void   lb_test_store_exec      (const char *path,
                                const char *sql);

G_END_DECLS
