/* lb-test-socks.h: the SOCKS5 proxy fixture (tests/fixtures/socks5_proxy.py)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lb_test_socks_start() starts the proxy on 127.0.0.1 with its log in DIR;
 * lb_test_socks_count() says how many connections it relayed to a port (the IMAP, SMTP
 * or OAuth2 server's), so a test can tell that a connection went through it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _LbTestSocks LbTestSocks;

LbTestSocks *lb_test_socks_start    (const char  *dir);
guint16      lb_test_socks_get_port (LbTestSocks *socks);
char        *lb_test_socks_dup_url  (LbTestSocks *socks);
guint        lb_test_socks_count    (LbTestSocks *socks,
                                     guint16      port);
void         lb_test_socks_stop     (LbTestSocks *socks);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbTestSocks, lb_test_socks_stop)

G_END_DECLS
