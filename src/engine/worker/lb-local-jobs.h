/* lb-local-jobs.h: the jobs of the engine's "local" worker
 *
 * The engine has one worker of its own (besides one per account) with its own write
 * connection to the store: it saves accounts and writes local changes.  These are its
 * job bodies; they run on that worker's thread, whose worker data is the #LbStore, and
 * take plain data only.
 *
 * Test hook (never set it outside tests): LETTERBOX_TEST_CRASH_AT=local-change kills the
 * process with SIGKILL in the middle of writing a local change, inside its transaction:
 * after the messages' flags or locations changed and before the change is committed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-store.h"

G_BEGIN_DECLS

/**
 * LbLocalTarget:
 *
 * One message a local change applies to, as it stood in one folder.
 */
typedef struct {
  gint64   message_id;
  gint64   location_id;
  gint64   account_id;
  gint64   folder_id;
  guint32  uid;
} LbLocalTarget;

/**
 * LbJunkMark:
 *
 * What a move says about spam, for the server's filter.
 */
typedef enum {
  LB_JUNK_MARK_NONE,
  LB_JUNK_MARK_JUNK,
  LB_JUNK_MARK_NOT_JUNK,
} LbJunkMark;

/**
 * LbLocalChange:
 * @targets: (element-type LbLocalTarget): the messages
 * @set: for %LB_STORE_OP_FLAG, the #LbFlags to add
 * @unset: for %LB_STORE_OP_FLAG, the #LbFlags to remove
 * @dest_folder_id: for %LB_STORE_OP_MOVE, the destination, or 0 to use @dest_role
 * @dest_role: for %LB_STORE_OP_MOVE without @dest_folder_id: the account's folder of
 *   this role, which the account's worker creates on replay if the account has none
 * @junk: for %LB_STORE_OP_MOVE, Mark as Junk (%LB_JUNK_MARK_JUNK) or Not Junk: the
 *   server then also gets `$Junk` or `$NotJunk` where it keeps keywords
 *
 * A change the user made, to write to the store and queue for the server.
 */
typedef struct {
  LbStoreOpKind  kind;
  GArray        *targets;
  guint          set;
  guint          unset;
  gint64         dest_folder_id;
  LbFolderRole   dest_role;
  LbJunkMark     junk;
} LbLocalChange;

/**
 * LbSecretKeyFunc:
 *
 * Returns: (transfer full): the keyring key of an account's secret
 */
typedef char *(*LbSecretKeyFunc) (gint64 account_id);

/**
 * LbLocalAccountJob:
 * @row: the account; for a removal only its id counts
 * @secret: (nullable): the secret for the keyring; %NULL keeps the stored one
 * @secret_key: how the keyring item of an account is named
 *
 * Saving, changing or removing an account.
 */
typedef struct {
  LbStoreAccount  *row;
  char            *secret;
  LbSecretKeyFunc  secret_key;
} LbLocalAccountJob;

void     lb_local_change_free         (LbLocalChange     *change);
void     lb_local_account_job_free    (LbLocalAccountJob *job);

gpointer lb_local_change_job          (gpointer           worker_data,
                                       gpointer           job_data,
                                       GCancellable      *cancellable,
                                       GError           **error);
gpointer lb_local_mark_folder_read_job (gpointer         worker_data,
                                       gpointer           job_data,
                                       GCancellable      *cancellable,
                                       GError           **error);
gpointer lb_local_add_account_job     (gpointer           worker_data,
                                       gpointer           job_data,
                                       GCancellable      *cancellable,
                                       GError           **error);
gpointer lb_local_update_account_job  (gpointer           worker_data,
                                       gpointer           job_data,
                                       GCancellable      *cancellable,
                                       GError           **error);
gpointer lb_local_remove_account_job  (gpointer           worker_data,
                                       gpointer           job_data,
                                       GCancellable      *cancellable,
                                       GError           **error);

G_END_DECLS
