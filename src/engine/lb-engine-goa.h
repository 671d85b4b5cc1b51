/* lb-engine-goa.h: adding a GNOME Online Accounts account to the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-engine.h"
#include "lb-goa.h"

G_BEGIN_DECLS

void       lb_engine_add_goa_account_async  (LbEngine            *self,
                                             const char          *goa_id,
                                             const char          *ca_file,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
LbAccount *lb_engine_add_goa_account_finish (LbEngine            *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void       lb_engine_retry_goa_account_async  (LbEngine            *self,
                                               LbAccount           *account,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
LbAccount *lb_engine_retry_goa_account_finish (LbEngine            *self,
                                               GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS
