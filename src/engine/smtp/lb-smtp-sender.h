/* lb-smtp-sender.h: submit one message over SMTP with libcurl
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-server-config.h"

G_BEGIN_DECLS

/**
 * LbSmtpResult:
 * @LB_SMTP_OK: the server accepted the message
 * @LB_SMTP_TEMPORARY: try again later (network, timeout, 4xx)
 * @LB_SMTP_PERMANENT: do not retry without a change (5xx, authentication, TLS)
 */
typedef enum {
  LB_SMTP_OK,
  LB_SMTP_TEMPORARY,
  LB_SMTP_PERMANENT,
} LbSmtpResult;

LbSmtpResult lb_smtp_send_sync (const LbServerConfig *config,
                                const char           *password,
                                const char           *envelope_from,
                                const char * const   *recipients,
                                GBytes               *message,
                                char                **server_reply,
                                GCancellable         *cancellable,
                                GError              **error);

gboolean     lb_smtp_check_login_sync (const LbServerConfig *config,
                                       const char           *password,
                                       char                **server_reply,
                                       GCancellable         *cancellable,
                                       GError              **error);

G_END_DECLS
