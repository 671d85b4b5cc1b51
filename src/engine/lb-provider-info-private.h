/* lb-provider-info-private.h: making an LbProviderInfo inside the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-provider-config.h"
#include "lb-provider-info.h"
#include "lb-provider.h"

G_BEGIN_DECLS

LbProviderInfo   *lb_provider_info_new_for_provider (LbProvider             *provider);
LbProviderInfo   *lb_provider_info_new_for_config   (const LbProviderConfig *config);

G_END_DECLS
