/* lb-test-goa.h: a mock GNOME Online Accounts (tests/fixtures/goa_mock.py) on the test's
 * session bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The test must have a session bus of its own (run-headless).  lb_test_goa_start() runs
 * python3-dbusmock with the template and waits until it owns org.gnome.OnlineAccounts;
 * lb_test_goa_add_account() adds an account with the template's keys (see goa_mock.py);
 * the others change or remove one.  GLib/GIO only.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  GDBusConnection *bus;
  GSubprocess     *proc;
} LbTestGoa;

LbTestGoa *lb_test_goa_start              (GError      **error);
void       lb_test_goa_stop               (LbTestGoa    *goa);
/* @props: an a{sv} (floating references are sunk). */
void       lb_test_goa_add_account        (LbTestGoa    *goa,
                                           const char   *id,
                                           GVariant     *props);
void       lb_test_goa_set_access_token   (LbTestGoa    *goa,
                                           const char   *id,
                                           const char   *token);
void       lb_test_goa_set_not_authorized (LbTestGoa    *goa,
                                           const char   *id,
                                           gboolean      refused);
void       lb_test_goa_remove_account     (LbTestGoa    *goa,
                                           const char   *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbTestGoa, lb_test_goa_stop)

G_END_DECLS
