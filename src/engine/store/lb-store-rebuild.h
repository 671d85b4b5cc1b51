/* lb-store-rebuild.h: start over from a damaged store, keeping the accounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean lb_store_rebuild      (const char  *path,
                                GError     **error);
gboolean lb_store_rebuild_full (const char  *path,
                                char       **damaged_path,
                                guint       *n_accounts,
                                GError     **error);

G_END_DECLS
