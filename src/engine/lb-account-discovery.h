/* lb-account-discovery.h: find the servers for an address, for the account wizard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-account-discovery
 * @title: lb_account_discover_async
 *
 * Finds the IMAP and SMTP settings for an address in one asynchronous call (database,
 * autoconfig, SRV, probed guesses).  Call it from the main thread; the callback runs there.
 * The result is an immutable boxed value owned by the caller.  No signals.
 */
#pragma once

#include <gio/gio.h>

#include "lb-provider-info.h"
#include "lb-server-config.h"

G_BEGIN_DECLS

/* For tests only: an autoconfig XML file (Thunderbird's clientConfig v1.1 format) that
 * lb_account_discover_async() reads instead of asking the network.  letterbox-cli reads
 * the same variable. */
#define LB_TEST_DISCOVERY_FILE_ENV "LETTERBOX_TEST_DISCOVERY_FILE"

/**
 * LbAccountDiscovery:
 *
 * The IMAP and SMTP settings found for one address, and the provider they belong to.
 * An immutable boxed type (copy and free); any thread may read it.
 */
typedef struct _LbAccountDiscovery LbAccountDiscovery;

#define LB_TYPE_ACCOUNT_DISCOVERY (lb_account_discovery_get_type ())

GType                 lb_account_discovery_get_type     (void) G_GNUC_CONST;
LbAccountDiscovery   *lb_account_discovery_copy         (const LbAccountDiscovery *discovery);
void                  lb_account_discovery_free         (LbAccountDiscovery       *discovery);

const LbServerConfig *lb_account_discovery_get_imap     (const LbAccountDiscovery *discovery);
const LbServerConfig *lb_account_discovery_get_smtp     (const LbAccountDiscovery *discovery);
LbProviderInfo       *lb_account_discovery_get_provider (const LbAccountDiscovery *discovery);

void                  lb_account_discover_async         (const char               *address,
                                                         GCancellable             *cancellable,
                                                         GAsyncReadyCallback       callback,
                                                         gpointer                  user_data);
LbAccountDiscovery   *lb_account_discover_finish        (GAsyncResult             *result,
                                                         GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbAccountDiscovery, lb_account_discovery_free)

G_END_DECLS
