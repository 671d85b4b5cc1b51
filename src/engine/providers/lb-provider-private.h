/* lb-provider-private.h: engine-internal access to a provider entry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-provider.h"
#include "lb-quirks.h"

G_BEGIN_DECLS

const LbQuirks *lb_provider_peek_quirks (const LbProvider *provider);

G_END_DECLS
