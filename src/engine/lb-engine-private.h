/* lb-engine-private.h: what the engine's own objects share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-engine.h"
#include "lb-store.h"

G_BEGIN_DECLS

LbStore    *_lb_engine_get_read_store  (LbEngine *self);
gboolean    _lb_engine_is_hidden       (LbEngine *self,
                                        gint64    location_id);
gboolean    _lb_engine_folder_is_inbox (LbEngine *self,
                                        gint64    folder_id);

/* lb-message-list.c */
LbMessageList *_lb_message_list_new     (LbEngine   *engine,
                                         gint64      folder_id,
                                         const char *query);

G_END_DECLS
