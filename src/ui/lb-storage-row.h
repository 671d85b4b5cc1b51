/* lb-storage-row.h: an account's downloaded mail in Preferences, and removing it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"

G_BEGIN_DECLS

GtkWidget *lb_storage_row_new     (LbEngine  *engine,
                                   LbAccount *account);
void       lb_storage_row_refresh (GtkWidget *row);

G_END_DECLS
