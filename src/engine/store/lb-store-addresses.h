/* lb-store-addresses.h: addresses seen in the store, for completion in the composer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-store.h"

G_BEGIN_DECLS

GPtrArray *lb_store_list_frequent_addresses (LbStore  *self,
                                             guint     limit,
                                             GError  **error);

G_END_DECLS
