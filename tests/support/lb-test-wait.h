/* lb-test-wait.h: waiting on the main context, for tests that drive asynchronous code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GLib/GIO only, so any test can use it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A GAsyncReadyCallback that keeps a reference to RESULT in the GAsyncResult * that
 * SLOT points to; lb_test_wait_result (SLOT) then waits for it:
 *
 *   lb_engine_add_account_async (engine, s, "secret", NULL, lb_test_got_result, &slot);
 *   account = lb_engine_add_account_finish (engine, lb_test_wait_result (&slot), &error);
 *
 * The slot keeps the last result until the next wait or until the test clears it. */
void          lb_test_got_result  (GObject       *source,
                                   GAsyncResult  *result,
                                   gpointer       slot);
GAsyncResult *lb_test_wait_result (GAsyncResult **slot);

typedef gboolean (*LbTestCondition) (gpointer data);

/* Iterates the default main context until CONDITION (DATA) holds; FALSE if it still does
 * not after TIMEOUT_S seconds. */
gboolean      lb_test_wait_until  (LbTestCondition  condition,
                                   gpointer         data,
                                   guint            timeout_s);

/* Waits up to TIMEOUT_S seconds for LIST to hold N items; FALSE if it does not. */
gboolean      lb_test_wait_n_items (GListModel     *list,
                                    guint           n,
                                    guint           timeout_s);

/* Iterates the default main context for MS milliseconds. */
void          lb_test_iterate_for (guint            ms);

G_END_DECLS
