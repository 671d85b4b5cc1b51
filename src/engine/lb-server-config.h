/* lb-server-config.h: where and how to reach one IMAP or SMTP server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lb-types.h"

G_BEGIN_DECLS

/**
 * LbAuthKind:
 * @LB_AUTH_PASSWORD: the secret is a password (SASL PLAIN/LOGIN as the server offers)
 * @LB_AUTH_OAUTH2: the secret is an OAuth2 access token, sent with SASL XOAUTH2 (or
 *   OAUTHBEARER where a server offers only that); Letterbox keeps the refresh token
 * @LB_AUTH_GOA: the secret is an OAuth2 access token from GNOME Online Accounts, which
 *   keeps the grant; on the wire the same as %LB_AUTH_OAUTH2
 *
 * What the secret passed beside an #LbServerConfig is.  The values are stored.
 */
typedef enum {
  LB_AUTH_PASSWORD,
  LB_AUTH_OAUTH2,
  LB_AUTH_GOA,
} LbAuthKind;

/* Whether the secret of @kind is an OAuth2 access token (logins with SASL XOAUTH2 or
 * OAUTHBEARER), whoever holds the grant. */
#define LB_AUTH_IS_TOKEN(kind) ((kind) == LB_AUTH_OAUTH2 || (kind) == LB_AUTH_GOA)

/**
 * LbServerConfig:
 * @host: host name or address
 * @port: TCP port
 * @security: implicit TLS or STARTTLS; there is no clear-text mode
 * @username: the login name
 * @ca_file: (nullable): an extra CA bundle to trust (tests, self-hosted servers);
 *   certificates are verified either way
 * @proxy: (nullable): a proxy URL such as `socks5h://127.0.0.1:1080`, %LB_PROXY_NONE
 *   to connect directly whatever the system says, or %NULL for the system setting
 *   (#GProxyResolver; where it says to connect directly, libcurl's environment variables)
 * @auth: whether the secret is a password or an OAuth2 access token
 *
 * Never holds a secret: passwords and refresh tokens live in the keyring, access tokens
 * in memory, and either is passed separately.
 */
typedef struct {
  char       *host;
  guint16     port;
  LbSecurity  security;
  char       *username;
  char       *ca_file;
  char       *proxy;
  LbAuthKind  auth;
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
gboolean        lb_proxy_parse         (const char           *spec,
                                        char                **out,
                                        GError              **error);

/* The #LbServerConfig proxy value that means "connect directly". */
#define LB_PROXY_NONE "none"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbServerConfig, lb_server_config_free)

G_END_DECLS
