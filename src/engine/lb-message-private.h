/* lb-message-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-message.h"
#include "lb-store.h"
#include "lb-store-threads.h"

G_BEGIN_DECLS

LbMessage *_lb_message_new_from_row (const LbStoreListRow *row,
                                     const char           *account_name,
                                     const char           *account_color);
void       _lb_message_update       (LbMessage            *self,
                                     const LbStoreListRow *row);
void       _lb_message_set_flags    (LbMessage            *self,
                                     guint                 flags);
void       _lb_message_set_location_id (LbMessage         *self,
                                     gint64                location_id);
gint64     _lb_message_get_location_id (LbMessage         *self);
void       _lb_message_set_folder_name (LbMessage         *self,
                                        const char        *name);
void       _lb_message_set_search_sentence (LbMessage     *self,
                                            const char    *sentence);
void       _lb_message_set_conversation (LbMessage            *self,
                                         LbStoreThreadSummary *summary);

G_END_DECLS
