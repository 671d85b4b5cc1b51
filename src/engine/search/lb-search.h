/* lb-search.h: local search over the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-search-query.h"
#include "lb-store.h"

G_BEGIN_DECLS

GArray *lb_search_location_ids (LbStore              *store,
                                const char           *query,
                                gint64                folder_id,
                                GError              **error);
GArray *lb_search_run          (LbStore              *store,
                                const LbSearchQuery  *query,
                                gint64                folder_id,
                                GError              **error);
GArray *lb_search_first_screen (LbStore              *store,
                                const char           *query,
                                gint64                folder_id,
                                guint                 limit,
                                gint64               *out_total,
                                gboolean             *out_estimated,
                                GError              **error);
char   *lb_search_build_sql    (const LbSearchQuery  *query,
                                gint64                folder_id,
                                guint                 limit,
                                GPtrArray           **out_params);

G_END_DECLS
