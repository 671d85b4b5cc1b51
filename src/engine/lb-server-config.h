/* lb-server-config.h: where and how to reach one IMAP or SMTP server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lb-types.h"

G_BEGIN_DECLS

/**
 * LbServerConfig:
 * @host: host name or address
 * @port: TCP port
 * @security: implicit TLS or STARTTLS; there is no clear-text mode
 * @username: the login name
 * @ca_file: (nullable): an extra CA bundle to trust (tests, self-hosted servers);
 *   certificates are verified either way
 * @proxy: (nullable): a proxy URL such as `socks5h://127.0.0.1:1080`; %NULL uses
 *   the environment's proxy settings as libcurl reads them
 *
 * Never holds a secret: passwords live in the keyring and are passed separately.
 */
typedef struct {
  char       *host;
  guint16     port;
  LbSecurity  security;
  char       *username;
  char       *ca_file;
  char       *proxy;
} LbServerConfig;

LbServerConfig *lb_server_config_new   (const char           *host,
                                        guint16               port,
                                        LbSecurity            security,
                                        const char           *username);
LbServerConfig *lb_server_config_copy  (const LbServerConfig *config);
void            lb_server_config_free  (LbServerConfig       *config);
gboolean        lb_server_config_parse (const char           *spec,
                                        LbServerConfig      **out,
                                        GError              **error);
const char     *lb_security_to_string  (LbSecurity            security);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbServerConfig, lb_server_config_free)

G_END_DECLS
