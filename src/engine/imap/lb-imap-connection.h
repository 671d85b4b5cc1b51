/* lb-imap-connection.h: an authenticated IMAP byte stream over libcurl
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-provider.h"
#include "lb-server-config.h"

G_BEGIN_DECLS

#define LB_TYPE_IMAP_CONNECTION (lb_imap_connection_get_type ())

G_DECLARE_FINAL_TYPE (LbImapConnection, lb_imap_connection, LB, IMAP_CONNECTION, GObject)

LbImapConnection *lb_imap_connection_new        (void);
void              lb_imap_connection_set_provider (LbImapConnection   *self,
                                                 LbProvider           *provider);
gboolean          lb_imap_connection_open_sync  (LbImapConnection     *self,
                                                 const LbServerConfig *config,
                                                 const char           *password,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
gboolean          lb_imap_connection_is_open    (LbImapConnection     *self);
gboolean          lb_imap_connection_write_sync (LbImapConnection     *self,
                                                 const char           *data,
                                                 gsize                 len,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
gssize            lb_imap_connection_read_sync  (LbImapConnection     *self,
                                                 char                 *buffer,
                                                 gsize                 size,
                                                 int                   timeout_ms,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
void              lb_imap_connection_set_write_deadline (LbImapConnection *self,
                                                         gint64            deadline);
void              lb_imap_connection_close      (LbImapConnection     *self);
gboolean          lb_imap_connection_start_compress (LbImapConnection  *self,
                                                 GError           **error);
gboolean          lb_imap_connection_is_compressed (LbImapConnection  *self);
void              lb_imap_connection_get_bytes  (LbImapConnection     *self,
                                                 guint64              *out_wire_in,
                                                 guint64              *out_data_in,
                                                 guint64              *out_wire_out,
                                                 guint64              *out_data_out);

G_END_DECLS
