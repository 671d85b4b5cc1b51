/* lb-outbox-item-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-outbox-item.h"
#include "lb-store.h"

G_BEGIN_DECLS

LbOutboxItem *_lb_outbox_item_new (const LbStoreOutboxItem *row);

G_END_DECLS
