/* lb-account-search.h: searching an account's folder on the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-account.h"

G_BEGIN_DECLS

void     lb_account_search_server_async  (LbAccount            *self,
                                          gint64                folder_id,
                                          const char           *query,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
GArray  *lb_account_search_server_finish (LbAccount            *self,
                                          GAsyncResult         *result,
                                          GArray              **out_message_ids,
                                          GError              **error);

G_END_DECLS
