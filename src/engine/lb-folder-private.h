/* lb-folder-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-folder.h"
#include "lb-store.h"

G_BEGIN_DECLS

LbFolder *_lb_folder_new_from_store (const LbStoreFolder *row,
                                     guint                total,
                                     guint                unread);
gboolean  _lb_folder_update         (LbFolder            *self,
                                     const LbStoreFolder *row,
                                     guint                total,
                                     guint                unread);
int       _lb_folder_compare        (LbFolder            *a,
                                     LbFolder            *b);

G_END_DECLS
