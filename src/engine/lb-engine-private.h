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

/* lb-message.c */
void        _lb_message_set_location_id (LbMessage *self,
                                         gint64     location_id);
gint64      _lb_message_get_location_id (LbMessage *self);

/* lb-account.c */
void        _lb_account_queue_replay    (LbAccount *self);

G_END_DECLS
