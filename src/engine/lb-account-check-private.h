/* lb-account-check-private.h: the blocking check, for the engine's own threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-account-check.h"
#include "lb-provider.h"

G_BEGIN_DECLS

LbAccountCheckResult *lb_account_check_sync (const LbAccountSettings  *settings,
                                             const char               *secret,
                                             const LbProvider         *provider,
                                             GCancellable             *cancellable,
                                             GError                  **error);

G_END_DECLS
