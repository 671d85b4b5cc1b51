/* lb-test-proxy.h: a loopback TCP proxy that cuts, stalls or holds streams on demand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _LbTestProxy LbTestProxy;

LbTestProxy *lb_test_proxy_new             (guint16       upstream_port,
                                            GError      **error);
guint16      lb_test_proxy_get_port        (LbTestProxy  *proxy);
void         lb_test_proxy_cut_after       (LbTestProxy  *proxy,
                                            gint64        bytes);
void         lb_test_proxy_stall_after     (LbTestProxy  *proxy,
                                            gint64        bytes);
void         lb_test_proxy_refuse          (LbTestProxy  *proxy,
                                            gboolean      refuse);
void         lb_test_proxy_hold            (LbTestProxy  *proxy,
                                            gboolean      hold);
gboolean     lb_test_proxy_wait_held_request (LbTestProxy *proxy,
                                            guint         timeout_s);
void         lb_test_proxy_kill_all        (LbTestProxy  *proxy);
/* Holds each connection's server-to-client bytes to BYTES_PER_SECOND (0: no limit). */
void         lb_test_proxy_set_rate        (LbTestProxy  *proxy,
                                            guint64       bytes_per_second);
/* The server-to-client bytes passed so far, all connections together. */
guint64      lb_test_proxy_get_bytes_down  (LbTestProxy  *proxy);
guint        lb_test_proxy_get_connections (LbTestProxy  *proxy);
guint        lb_test_proxy_get_faults      (LbTestProxy  *proxy);
void         lb_test_proxy_free            (LbTestProxy  *proxy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbTestProxy, lb_test_proxy_free)

G_END_DECLS
