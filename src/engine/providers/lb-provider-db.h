/* lb-provider-db.h: the bundled mail provider database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "lb-provider.h"

G_BEGIN_DECLS

#define LB_PROVIDER_DB_RESOURCE "/io/github/letterbox/Letterbox/engine/providers/providers.ini"

#define LB_TYPE_PROVIDER_DB (lb_provider_db_get_type ())

G_DECLARE_FINAL_TYPE (LbProviderDb, lb_provider_db, LB, PROVIDER_DB, GObject)

LbProviderDb *lb_provider_db_get_default        (void);
LbProviderDb *lb_provider_db_new_from_data      (const char   *data,
                                                 gsize         length,
                                                 GError      **error);
GPtrArray    *lb_provider_db_get_providers      (LbProviderDb *db);
LbProvider   *lb_provider_db_lookup_id          (LbProviderDb *db,
                                                 const char   *id);
LbProvider   *lb_provider_db_lookup_domain      (LbProviderDb *db,
                                                 const char   *domain);
LbProvider   *lb_provider_db_lookup_address     (LbProviderDb *db,
                                                 const char   *address);
LbProvider   *lb_provider_db_lookup_mx          (LbProviderDb *db,
                                                 const char   *mx_host);
LbProvider   *lb_provider_db_lookup_server_host (LbProviderDb *db,
                                                 const char   *host);

char         *lb_normalize_domain               (const char   *domain);

G_END_DECLS
