/* lb-store-locations.h: queries by location, for the list models and the sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-store.h"

G_BEGIN_DECLS

GArray    *lb_store_list_location_ids  (LbStore       *self,
                                        gint64         folder_id,
                                        GError       **error);
GArray    *lb_store_list_newest_location_ids (LbStore *self,
                                        gint64         folder_id,
                                        gint64         limit,
                                        GError       **error);
GPtrArray *lb_store_get_rows_by_location (LbStore     *self,
                                        const gint64  *location_ids,
                                        guint          n,
                                        GError       **error);
gboolean   lb_store_get_location       (LbStore       *self,
                                        gint64         message_id,
                                        gint64         prefer_folder_id,
                                        gint64        *out_folder_id,
                                        guint32       *out_uid,
                                        GError       **error);
GArray    *lb_store_list_missing_bodies (LbStore      *self,
                                        gint64         folder_id,
                                        guint          limit,
                                        GError       **error);
GArray    *lb_store_get_message_locations (LbStore    *self,
                                        gint64         message_id,
                                        GError       **error);

gboolean   lb_store_get_location_dates (LbStore      *self,
                                        const gint64  *location_ids,
                                        guint          n,
                                        gint64        *out_dates,
                                        GError       **error);
gboolean   lb_store_folder_text_complete (LbStore    *self,
                                        gint64         folder_id,
                                        gboolean      *out_complete,
                                        GError       **error);

gboolean   lb_store_index_pending      (LbStore       *self,
                                        guint          max_rows,
                                        guint         *out_indexed,
                                        GError       **error);
gboolean   lb_store_index_progress     (LbStore       *self,
                                        gint64        *out_pending,
                                        gint64        *out_total,
                                        GError       **error);

/* One place of a message: (folder, uid). */
typedef struct {
  gint64  location_id;
  gint64  folder_id;
  guint32 uid;
  guint   flags;
} LbStoreLocation;

G_END_DECLS
