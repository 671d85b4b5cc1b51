/* lb-test-account.h: adding an account on the fixture servers through the engine's API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-engine.h"
#include "lb-test-fixture.h"

G_BEGIN_DECLS

/* Adds EMAIL's account to ENGINE as the wizard would (its secret goes to the keyring):
 * IMAP over TLS on 127.0.0.1:PORT (0: the fixture's IMAPS port; another port for a proxy
 * in between), trusting the fixture's certificate, with the password the fixture was
 * started with.  DISPLAY_NAME may be NULL.  With SYNC, it is synced once before this
 * returns.  Asserts that every step succeeds.  Returns: (transfer full) the account. */
LbAccount *lb_test_add_account (LbEngine      *engine,
                                LbTestServers *servers,
                                guint16        port,
                                const char    *email,
                                const char    *display_name,
                                gboolean       sync);

G_END_DECLS
