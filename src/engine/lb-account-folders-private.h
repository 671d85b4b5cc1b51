/* lb-account-folders-private.h: what lb-engine-folders.c needs of lb-account-folders.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-folder-actions.h"

G_BEGIN_DECLS

void _lb_account_append_async (LbAccount           *self,
                               gint64               folder_id,
                               const char          *flags,
                               GBytes              *message,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);

G_END_DECLS
