/* lb-account-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-account.h"
#include "lb-account-worker.h"
#include "lb-store.h"

G_BEGIN_DECLS

LbAccount *_lb_account_new            (const LbStoreAccount  *row,
                                       const char            *store_path,
                                       const char            *profile_id,
                                       GError               **error);
void       _lb_account_reload_folders (LbAccount             *self,
                                       LbStore               *read_store);
void       _lb_account_push           (LbAccount             *self,
                                       LbJobPriority          priority,
                                       const char            *key,
                                       LbJobFunc              func,
                                       gpointer               job_data,
                                       GDestroyNotify         job_data_free,
                                       GDestroyNotify         result_free,
                                       GTask                 *task);
const LbStoreAccount *_lb_account_get_row (LbAccount         *self);
/* Sends queued local changes soon, ahead of background sync. */
void       _lb_account_queue_replay   (LbAccount             *self);
char      *_lb_account_secret_key     (gint64                 account_id);
const char *_lb_account_get_profile_id (LbAccount            *self);

G_END_DECLS
