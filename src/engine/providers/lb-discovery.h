/* lb-discovery.h: find IMAP and SMTP settings for an e-mail address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-provider-config.h"
#include "lb-provider-db.h"

G_BEGIN_DECLS

/**
 * LbDiscoveryOptions:
 * @db: (nullable): the provider database; %NULL for the bundled one
 * @resolver: (nullable): for MX, SRV and host look-ups; %NULL for the default
 *   resolver (tests pass a subclass with canned answers)
 * @autoconfig_urls: (nullable) (array zero-terminated=1): URL templates in
 *   which "{domain}" is replaced by the address domain; %NULL for
 *   `https://autoconfig.{domain}/mail/config-v1.1.xml` and
 *   `https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml`.  Only
 *   https is ever fetched.
 * @ca_file: (nullable): an extra CA certificate for the autoconfig server
 *   (tests); certificates are verified either way
 * @imap_port: port probed by the guess step; 0 for 993 (implicit TLS)
 * @smtps_port: port probed first for SMTP; 0 for 465 (implicit TLS)
 * @submission_port: port probed next for SMTP; 0 for 587 (STARTTLS)
 * @dns_timeout_ms: limit for each DNS step (MX, SRV); 0 for 5 s
 * @http_timeout_ms: limit for each autoconfig URL; 0 for 10 s
 * @probe_timeout_ms: limit for each guessed host (look-up and connect); 0 for 5 s
 * @skip_mx: do not look the domain's MX hosts up in the database
 * @skip_autoconfig: do not fetch autoconfig files
 * @skip_srv: do not look up SRV records
 * @skip_guess: do not probe guessed host names
 *
 * Knobs for lb_discovery_run_async().  A zeroed struct gives the defaults.
 */
typedef struct {
  LbProviderDb        *db;
  GResolver           *resolver;
  const char * const  *autoconfig_urls;
  const char          *ca_file;
  guint16              imap_port;
  guint16              smtps_port;
  guint16              submission_port;
  guint                dns_timeout_ms;
  guint                http_timeout_ms;
  guint                probe_timeout_ms;
  gboolean             skip_mx;
  gboolean             skip_autoconfig;
  gboolean             skip_srv;
  gboolean             skip_guess;
} LbDiscoveryOptions;

void              lb_discovery_run_async  (const char                *address,
                                           const LbDiscoveryOptions  *options,
                                           GCancellable              *cancellable,
                                           GAsyncReadyCallback        callback,
                                           gpointer                   user_data);
LbProviderConfig *lb_discovery_run_finish (GAsyncResult              *result,
                                           GError                   **error);

G_END_DECLS
