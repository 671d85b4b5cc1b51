/* lb-reconnect.h: one retry on a new connection when the kept one had died
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-imap-sync.h"

G_BEGIN_DECLS

/**
 * LbReconnectStep:
 * @data: what lb_reconnect_once() was given
 *
 * One step of a job that talks to the server through the sync's session, connecting
 * first when it is not connected (lb_imap_sync_connect()).  Running it a second time
 * must be harmless: it either did nothing the server kept, or checks before redoing.
 *
 * Returns: (nullable): a result, or %NULL with @error set
 */
typedef gpointer (*LbReconnectStep) (gpointer       data,
                                     GCancellable  *cancellable,
                                     GError       **error);

gpointer lb_reconnect_once (LbImapSync       *sync,
                            const char       *what,
                            LbReconnectStep   step,
                            gpointer          data,
                            GCancellable     *cancellable,
                            GError          **error);

G_END_DECLS
