/* lb-local-jobs.c: the jobs of the engine's "local" worker (see lb-local-jobs.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include "lb-imap-parser.h"
#include "lb-local-jobs.h"
#include "lb-secrets.h"
#include "lb-store-changes.h"
#include "lb-store-folders.h"

void
lb_local_change_free (LbLocalChange *change)
{
  g_array_unref (change->targets);
  g_free (change);
}

void
lb_local_account_job_free (LbLocalAccountJob *job)
{
  lb_store_account_free (job->row);
  lb_secrets_free (job->secret);
  g_free (job);
}

/* ---- Local changes ------------------------------------------------------------- */

/* Test-only: see LETTERBOX_TEST_CRASH_AT in lb-local-jobs.h. */
static void
maybe_crash (const char *point)
{
  const char *at = g_getenv ("LETTERBOX_TEST_CRASH_AT");

  if (at != NULL && g_strcmp0 (at, point) == 0)
    raise (SIGKILL);
}

static int
cmp_target (gconstpointer a,
            gconstpointer b)
{
  const LbLocalTarget *x = a;
  const LbLocalTarget *y = b;

  if (x->folder_id != y->folder_id)
    return x->folder_id < y->folder_id ? -1 : 1;
  return x->uid < y->uid ? -1 : (x->uid > y->uid ? 1 : 0);
}

/* Applies the change to each folder of its targets, with that folder's replay entry:
 * one entry per folder, with the folder's uids as one set. */
static gboolean
apply_per_folder (LbStore        *store,
                  LbLocalChange  *c,
                  LbStoreOpKind   kind,
                  const char     *args,
                  GError        **error)
{
  guint i = 0;

  while (i < c->targets->len)
    {
      const LbLocalTarget *first = &g_array_index (c->targets, LbLocalTarget, i);
      g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(LbStorePendingOp) op = lb_store_pending_op_new ();
      guint j = i;

      for (; j < c->targets->len && g_array_index (c->targets, LbLocalTarget, j).folder_id == first->folder_id; j++)
        {
          g_array_append_val (uids, g_array_index (c->targets, LbLocalTarget, j).uid);
          g_array_append_val (ids, g_array_index (c->targets, LbLocalTarget, j).message_id);
        }
      op->account_id = first->account_id;
      op->kind = kind;
      op->folder_id = first->folder_id;
      op->uids = lb_imap_seqset_format ((guint32 *) uids->data, uids->len);
      op->args = g_strdup (args);
      if (!lb_store_apply_local_change (store, op, (gint64 *) ids->data, (guint32 *) uids->data,
                                        uids->len, error))
        return FALSE;
      maybe_crash ("local-change");
      i = j;
    }
  return TRUE;
}

static gboolean
apply_change (LbStore        *store,
              LbLocalChange  *c,
              GError        **error)
{
  g_autofree char *set = g_strdup_printf ("%u", c->set);
  g_autofree char *unset = g_strdup_printf ("%u", c->unset);
  /* A move to a special folder the account does not have yet names the role: the
   * account's worker creates the folder before it moves (lb-imap-sync-replay.c). */
  const char *junk = c->junk == LB_JUNK_MARK_JUNK ? ";junk"
                   : c->junk == LB_JUNK_MARK_NOT_JUNK ? ";notjunk" : "";
  g_autofree char *dest = c->dest_folder_id == 0 && c->dest_role != LB_FOLDER_ROLE_NONE
                          ? g_strdup_printf ("role:%d%s", (int) c->dest_role, junk)
                          : g_strdup_printf ("%" G_GINT64_FORMAT "%s", c->dest_folder_id, junk);

  if (c->kind != LB_STORE_OP_FLAG)
    return apply_per_folder (store, c, c->kind, dest, error);
  if (c->set != 0 && !apply_per_folder (store, c, LB_STORE_OP_FLAG, set, error))
    return FALSE;
  if (c->unset != 0 && !apply_per_folder (store, c, LB_STORE_OP_UNFLAG, unset, error))
    return FALSE;
  return TRUE;
}

/**
 * lb_local_change_job:
 * @worker_data: the local worker's #LbStore
 * @job_data: an #LbLocalChange
 *
 * Writes a local change and queues its replay entries, all in one transaction: a crash
 * leaves none of it or all of it, and the account's sync, reading the store in a
 * snapshot of its own, sees either the old state or the change with its entries.
 */
gpointer
lb_local_change_job (gpointer       worker_data,
                     gpointer       job_data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  LbStore *store = worker_data;
  LbLocalChange *c = job_data;

  g_array_sort (c->targets, cmp_target);
  if (!lb_store_transaction_begin (store, error))
    return NULL;
  if (!apply_change (store, c, error))
    {
      lb_store_transaction_rollback (store);
      return NULL;
    }
  if (!lb_store_transaction_commit (store, error))
    return NULL;
  return GINT_TO_POINTER (1);
}

/**
 * lb_local_mark_folder_read_job:
 * @job_data: a folder id (a #gint64)
 *
 * Mark All as Read for a whole folder, not only the rows a list has loaded: its unread
 * messages become read with one replay entry for the folder's uids, in one transaction.
 *
 * Returns: the account id of the folder (a #gint64), 0 if the folder is gone
 */
gpointer
lb_local_mark_folder_read_job (gpointer       worker_data,
                               gpointer       job_data,
                               GCancellable  *cancellable,
                               GError       **error)
{
  LbStore *store = worker_data;
  gint64 folder_id = *(gint64 *) job_data;
  g_autoptr(LbStoreFolder) folder = lb_store_get_folder (store, folder_id, NULL);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) uids = NULL;
  g_autoptr(LbStorePendingOp) op = NULL;
  gint64 account_id;

  if (folder == NULL)
    return g_new0 (gint64, 1);
  account_id = folder->account_id;
  if (!lb_store_list_folder_unread (store, folder_id, &ids, &uids, error))
    return NULL;
  if (ids->len == 0)
    return g_memdup2 (&account_id, sizeof account_id);
  op = lb_store_pending_op_new ();
  op->account_id = account_id;
  op->kind = LB_STORE_OP_FLAG;
  op->folder_id = folder_id;
  op->uids = lb_imap_seqset_format ((guint32 *) uids->data, uids->len);
  op->args = g_strdup_printf ("%u", (guint) LB_FLAG_SEEN);
  if (!lb_store_apply_local_change (store, op, (gint64 *) ids->data, (guint32 *) uids->data,
                                    ids->len, error))
    return NULL;
  return g_memdup2 (&account_id, sizeof account_id);
}

/* ---- Accounts ------------------------------------------------------------------ */

/**
 * lb_local_add_account_job:
 * @job_data: an #LbLocalAccountJob with a secret (none for an Online Accounts account)
 *
 * Saves a new account and its secret.
 *
 * Returns: (transfer full): the saved row, with its id
 */
gpointer
lb_local_add_account_job (gpointer       worker_data,
                          gpointer       job_data,
                          GCancellable  *cancellable,
                          GError       **error)
{
  LbStore *store = worker_data;
  LbLocalAccountJob *d = job_data;
  g_autofree char *key = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *profile = lb_store_get_profile_id (store, error);

  if (profile == NULL || !lb_store_add_account (store, d->row, error))
    return NULL;
  key = d->secret_key (d->row->id);
  /* The secret goes to the keyring only; if that fails the account is not kept.  An
   * Online Accounts account has none: Online Accounts keeps its grant. */
  if (d->secret != NULL &&
      !lb_secrets_store_sync (profile, key, d->row->email, d->secret, cancellable, &local_error))
    {
      lb_store_remove_account (store, d->row->id, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return lb_store_account_copy (d->row);
}

/**
 * lb_local_update_account_job:
 * @job_data: an #LbLocalAccountJob
 *
 * Changes a saved account, and its secret when one is given.
 *
 * Returns: (transfer full): the saved row
 */
gpointer
lb_local_update_account_job (gpointer       worker_data,
                             gpointer       job_data,
                             GCancellable  *cancellable,
                             GError       **error)
{
  LbStore *store = worker_data;
  LbLocalAccountJob *d = job_data;
  g_autofree char *key = d->secret_key (d->row->id);
  const char *profile = lb_store_get_profile_id (store, error);

  if (profile == NULL || !lb_store_update_account (store, d->row, error))
    return NULL;
  if (d->secret != NULL &&
      !lb_secrets_store_sync (profile, key, d->row->email, d->secret, cancellable, error))
    return NULL;
  return lb_store_account_copy (d->row);
}

/**
 * lb_local_remove_account_job:
 * @job_data: an #LbLocalAccountJob; only the row's id counts
 *
 * Removes an account, its cached mail and its secret.
 */
gpointer
lb_local_remove_account_job (gpointer       worker_data,
                             gpointer       job_data,
                             GCancellable  *cancellable,
                             GError       **error)
{
  LbStore *store = worker_data;
  LbLocalAccountJob *d = job_data;
  g_autofree char *key = d->secret_key (d->row->id);
  g_autoptr(LbStoreAccount) saved = NULL;
  const char *profile = lb_store_get_profile_id (store, error);

  if (profile == NULL)
    return NULL;
  /* The stored address finds an item an older version left (see lb-secrets.c). */
  saved = lb_store_get_account (store, d->row->id, error);
  /* Cached mail, folders and queues go with the account row (foreign keys cascade). */
  if (saved == NULL || !lb_store_remove_account (store, d->row->id, error))
    return NULL;
  if (!lb_secrets_clear_sync (profile, key, saved->email, cancellable, error))
    return NULL;
  return GINT_TO_POINTER (1);
}
