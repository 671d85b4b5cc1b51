/* lb-account-offline.h: what an account keeps on this computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-account.h"

G_BEGIN_DECLS

/**
 * LbDiskUse:
 * @n_messages: the account's messages (their headers are always kept)
 * @n_bodies: of them, how many are downloaded
 * @stored_bytes: the downloaded messages as stored (compressed where that paid)
 * @raw_bytes: the same messages' size on the server
 * @text_bytes: their text kept for search
 *
 * What an account's downloaded mail takes on disk.  The search index, shared by every
 * account, is not counted.
 */
typedef struct {
  guint   n_messages;
  guint   n_bodies;
  guint64 stored_bytes;
  guint64 raw_bytes;
  guint64 text_bytes;
} LbDiskUse;

int      lb_account_get_offline_days      (LbAccount            *self);
guint    lb_account_get_offline_max_mb    (LbAccount            *self);
void     lb_account_download_async        (LbAccount            *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean lb_account_download_finish       (LbAccount            *self,
                                           GAsyncResult         *result,
                                           guint                *out_remaining,
                                           gboolean             *out_bodies_in,
                                           GError              **error);
void     lb_account_get_disk_use_async    (LbAccount            *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean lb_account_get_disk_use_finish   (LbAccount            *self,
                                           GAsyncResult         *result,
                                           LbDiskUse            *out,
                                           GError              **error);
void     lb_account_remove_bodies_async   (LbAccount            *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean lb_account_remove_bodies_finish  (LbAccount            *self,
                                           GAsyncResult         *result,
                                           guint                *out_removed,
                                           GError              **error);

G_END_DECLS
