/* lb-search.h: local search over the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-store.h"

G_BEGIN_DECLS

GArray *lb_search_location_ids (LbStore     *store,
                                const char  *query,
                                gint64       folder_id,
                                GError     **error);

G_END_DECLS
