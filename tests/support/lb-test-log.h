/* lb-test-log.h: a test's log, kept for the test to look at
 *
 * Tests that check what the engine logs (which sync path it took, that no token is
 * written) install this writer before g_test_init().  Every message is formatted as
 * G_MESSAGES_DEBUG would show it, kept, and printed to stderr (stdout is TAP).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void         lb_test_log_record (void);
void         lb_test_log_clear  (void);
/* How many times NEEDLE occurs in what was logged since the start or the last
 * lb_test_log_clear() (other threads may be logging meanwhile). */
guint        lb_test_log_count  (const char *needle);

G_END_DECLS
