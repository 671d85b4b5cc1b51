/* lb-provider-config.h: complete IMAP + SMTP settings for one address, and where they came from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "lb-provider.h"
#include "lb-server-config.h"
#include "lb-types.h"

G_BEGIN_DECLS

/**
 * LbDiscoverySource:
 * @LB_DISCOVERY_SOURCE_NONE: filled in by hand
 * @LB_DISCOVERY_SOURCE_DATABASE_DOMAIN: the bundled database, by address domain
 * @LB_DISCOVERY_SOURCE_DATABASE_MX: the bundled database, by the domain's MX host
 * @LB_DISCOVERY_SOURCE_AUTOCONFIG: the domain's own autoconfig file over HTTPS
 * @LB_DISCOVERY_SOURCE_SRV: RFC 6186 SRV records (a suggestion: DNS can be spoofed)
 * @LB_DISCOVERY_SOURCE_GUESS: a server answered on a guessed name (a suggestion)
 *
 * Which step of the discovery chain found the settings.
 */
typedef enum {
  LB_DISCOVERY_SOURCE_NONE,
  LB_DISCOVERY_SOURCE_DATABASE_DOMAIN,
  LB_DISCOVERY_SOURCE_DATABASE_MX,
  LB_DISCOVERY_SOURCE_AUTOCONFIG,
  LB_DISCOVERY_SOURCE_SRV,
  LB_DISCOVERY_SOURCE_GUESS,
} LbDiscoverySource;

/**
 * LbAuthMethods:
 * @LB_AUTH_METHOD_PASSWORD_CLEARTEXT: a password sent inside TLS (LOGIN, PLAIN)
 * @LB_AUTH_METHOD_PASSWORD_ENCRYPTED: a challenge-response password (CRAM-MD5)
 * @LB_AUTH_METHOD_OAUTH2: OAuth2 (XOAUTH2, OAUTHBEARER)
 *
 * Ways a server lets a client sign in, as autoconfig lists them.
 */
typedef enum {
  LB_AUTH_METHOD_PASSWORD_CLEARTEXT = 1 << 0,
  LB_AUTH_METHOD_PASSWORD_ENCRYPTED = 1 << 1,
  LB_AUTH_METHOD_OAUTH2             = 1 << 2,
} LbAuthMethods;

/**
 * LbProviderConfig:
 * @imap: the incoming server; its username is already filled in
 * @smtp: the outgoing server; its username is already filled in
 * @imap_auth: how the IMAP server lets clients sign in
 * @smtp_auth: how the SMTP server lets clients sign in
 * @credential: what to ask the user for
 * @provider: (nullable): the database entry, for names, help steps and quirks
 * @source: which discovery step found the settings
 * @is_suggestion: the settings are unconfirmed (SRV, guess): show them for the
 *   user to check rather than using them silently
 * @display_name: (nullable): the provider's name as the source gave it
 * @documentation_url: (nullable): a help page from the source
 *
 * Everything the account wizard needs to pre-fill its form.
 */
typedef struct {
  LbServerConfig    *imap;
  LbServerConfig    *smtp;
  LbAuthMethods      imap_auth;
  LbAuthMethods      smtp_auth;
  LbCredentialKind   credential;
  LbProvider        *provider;
  LbDiscoverySource  source;
  gboolean           is_suggestion;
  char              *display_name;
  char              *documentation_url;
} LbProviderConfig;

#define LB_TYPE_PROVIDER_CONFIG (lb_provider_config_get_type ())

GType             lb_provider_config_get_type      (void) G_GNUC_CONST;
LbProviderConfig *lb_provider_config_new           (void);
LbProviderConfig *lb_provider_config_new_for_provider (LbProvider             *provider,
                                                       const char             *address);
LbProviderConfig *lb_provider_config_copy          (const LbProviderConfig *config);
void              lb_provider_config_free          (LbProviderConfig       *config);
const char       *lb_discovery_source_to_string    (LbDiscoverySource       source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbProviderConfig, lb_provider_config_free)

G_END_DECLS
