/* lb-outbox-jobs.c: the outbox's jobs on an account's worker thread (see lb-outbox-jobs.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lb-error.h"
#include "lb-outbox.h"
#include "lb-outbox-jobs.h"
#include "lb-types.h"
#include "lb-provider-db.h"
#include "lb-quirks.h"
#include "lb-secrets.h"

static void
notify_clear (LbOutboxNotify *notify)
{
  if (notify->user_data_free != NULL && notify->user_data != NULL)
    notify->user_data_free (notify->user_data);
  notify->user_data = NULL;
}

/* Reports the account's outbox as it is now.  Read here, on the worker thread with its
 * own connection, so that the main thread never reads or parses outbox rows. */
static void
notify_changed (LbOutboxNotify *notify,
                LbStore        *store,
                gint64          account_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  if (notify->changed == NULL)
    return;
  rows = lb_store_outbox_list_summaries (store, account_id, &error);
  if (rows == NULL)
    {
      g_warning ("Could not read the outbox: %s", error->message);
      return;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      LbStoreOutboxItem *row = g_ptr_array_index (rows, i);

      /* A row queued before subjects were stored: read it from the message once here. */
      if (row->subject == NULL && row->raw != NULL)
        row->subject = lb_outbox_extract_subject (row->raw);
      g_clear_pointer (&row->raw, g_bytes_unref);
    }
  notify->changed (account_id, g_steal_pointer (&rows), notify->user_data);
}

typedef struct {
  LbOutboxNotify *notify;
  LbStore        *store;
  gint64          account_id;
} SendingReport;

static void
report_sending (gpointer data)
{
  SendingReport *report = data;

  notify_changed (report->notify, report->store, report->account_id);
}

LbOutboxSendJob *
lb_outbox_send_job_new (void)
{
  return g_new0 (LbOutboxSendJob, 1);
}

void
lb_outbox_send_job_free (LbOutboxSendJob *job)
{
  g_clear_pointer (&job->message, g_bytes_unref);
  g_strfreev (job->recipients);
  g_clear_pointer (&job->queued, g_atomic_rc_box_release);
  g_free (job->secret_key);
  notify_clear (&job->notify);
  g_free (job);
}

LbOutboxChangeJob *
lb_outbox_change_job_new (void)
{
  return g_new0 (LbOutboxChangeJob, 1);
}

void
lb_outbox_change_job_free (LbOutboxChangeJob *job)
{
  notify_clear (&job->notify);
  g_free (job);
}

static const char *
authenticated_address (const LbStoreAccount *row)
{
  /* The login name when it is an address (it is what QQ and Yandex compare MAIL FROM
   * with), else the account's address. */
  if (row->username != NULL && strchr (row->username, '@') != NULL)
    return row->username;
  return row->email;
}

static LbProvider *
account_provider (const LbStoreAccount *row)
{
  LbProvider *p;

  if (row->provider_id == NULL)
    return NULL;
  p = lb_provider_db_lookup_id (lb_provider_db_get_default (), row->provider_id);
  return p != NULL ? lb_provider_ref (p) : NULL;
}

/* MAIL FROM: the alias the message is written from, when it is one of the account's, so
 * that bounces and SPF see the address the recipient sees; else (and always for
 * providers that require it, such as QQ and Yandex) the address the account signs in
 * with. */
static char *
envelope_from (const LbStoreAccount *row,
               GBytes               *message)
{
  g_autofree char *from = lb_outbox_extract_from_address (message);
  g_autoptr(LbProvider) provider = account_provider (row);
  LbQuirks quirks;

  lb_quirks_init (&quirks);
  if (provider != NULL)
    lb_provider_get_quirks (provider, &quirks);
  for (guint i = 0; from != NULL && !quirks.sender_must_match_login && row->aliases != NULL
                    && i < row->aliases->len; i++)
    {
      const LbIdentity *alias = g_ptr_array_index (row->aliases, i);

      if (g_ascii_strcasecmp (alias->email, from) == 0)
        return g_strdup (alias->email);
    }
  return g_strdup (authenticated_address (row));
}

static void
earliest_retry (gint64 *retry_in,
                gint64  seconds)
{
  *retry_in = *retry_in == 0 ? seconds : MIN (*retry_in, seconds);
}

/* The account's secret, keyed by this profile (the store's) and the account. */
static LbSecret *
lookup_password (LbOutboxSendJob  *job,
                 LbOutboxContext  *context,
                 GCancellable     *cancellable,
                 GError          **error)
{
  const char *profile;

  /* An OAuth2 account sends with the access token its IMAP uses (the keyring holds
   * only the refresh token). */
  if (LB_AUTH_IS_TOKEN (context->account->auth))
    return lb_imap_sync_get_secret (context->sync, NULL, cancellable, error);
  profile = lb_store_get_profile_id (context->store, error);
  if (profile == NULL)
    return NULL;
  return lb_secrets_lookup_sync (profile, job->secret_key, context->account->email,
                                 cancellable, error);
}

/* Sends the job's queued items (or the one item) and makes their Sent copies.  Returns
 * FALSE with @error set when the job fails: the secret could not be read, or the one
 * item asked for was not sent. */
static gboolean
process_items (LbOutboxSendJob  *job,
               LbOutboxContext  *context,
               GPtrArray        *items,
               LbSecret        **password,
               gint64           *retry_in,
               gboolean         *sent_any,
               gboolean         *abort_job,
               GCancellable     *cancellable,
               GError          **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < items->len; i++)
    {
      LbStoreOutboxItem *item = g_ptr_array_index (items, i);
      g_autoptr(GError) local_error = NULL;

      if (job->all_due ? FALSE : item->id != job->item_id)
        continue;
      /* A held item (Undo Send) waits for its release, whatever the flush. */
      if (item->next_attempt == LB_OUTBOX_HELD)
        continue;
      if (item->state == LB_STORE_OUTBOX_QUEUED)
        {
          if (job->all_due && !job->ignore_backoff && item->next_attempt > now)
            {
              earliest_retry (retry_in, item->next_attempt - now);
              continue;
            }
          if (*password == NULL)
            {
              *password = lookup_password (job, context, cancellable, &local_error);
              if (*password == NULL)
                {
                  /* The keyring may be locked: the item stays queued for the next try. */
                  if (job->queued != NULL)
                    *job->queued = TRUE;
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  *abort_job = TRUE;
                  return FALSE;
                }
              context->password = *password;
            }
          switch (lb_outbox_send_item_sync (context, item, cancellable, &local_error))
            {
            case LB_SMTP_OK:
              *sent_any = TRUE;
              break;
            case LB_SMTP_TEMPORARY:
              earliest_retry (retry_in, item->next_attempt - now);
              /* Read by lb_engine_send_finish() after this job returns. */
              if (job->queued != NULL)
                *job->queued = TRUE;
              G_GNUC_FALLTHROUGH;
            case LB_SMTP_PERMANENT:
            default:
              if (!job->all_due)
                {
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  return FALSE;
                }
              continue;
            }
        }
      if (item->state == LB_STORE_OUTBOX_SENT)
        {
          /* The message is out; a failed copy is retried by the next flush. */
          if (!lb_outbox_copy_to_sent_sync (context, item, cancellable, &local_error))
            g_warning ("Could not keep a copy in Sent: %s", local_error->message);
        }
    }
  return TRUE;
}

/* After a send of one item: it is gone once it was sent and copied, or kept in SENT for
 * the copy; anything else is an error with the item's own reason. */
static gboolean
check_item_sent (LbStore               *store,
                 const LbStoreAccount  *row,
                 gint64                 item_id,
                 GError               **error)
{
  g_autoptr(GPtrArray) after = lb_store_outbox_list (store, row->id, NULL);

  for (guint i = 0; after != NULL && i < after->len; i++)
    {
      LbStoreOutboxItem *item = g_ptr_array_index (after, i);
      if (item->id == item_id && item->state != LB_STORE_OUTBOX_SENT)
        {
          g_set_error_literal (error, LB_ERROR, LB_ERROR_FAILED,
                               item->last_error != NULL ? item->last_error : _("Not sent"));
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * lb_outbox_send_job_run:
 * @store: the worker's write connection
 * @sync: the account's sync, for the Sent copy
 * @account: the account's row
 *
 * Queues the job's message if it has one, then sends what the job asks for.  Runs on
 * the account's worker thread.
 *
 * Returns: GINT_TO_POINTER (1) (for a hold job, the new item id in a g_free()d
 *   gint64), or %NULL with @error set
 */
gpointer
lb_outbox_send_job_run (LbStore               *store,
                        LbImapSync            *sync,
                        const LbStoreAccount  *row,
                        LbOutboxSendJob       *job,
                        GCancellable          *cancellable,
                        GError               **error)
{
  g_autoptr(LbProvider) provider = NULL;
  g_autoptr(LbSecret) password = NULL;
  g_autoptr(GPtrArray) items = NULL;
  LbOutboxContext context = { 0 };
  SendingReport report;
  LbQuirks quirks;
  gint64 retry_in = 0;
  gboolean ok;
  gboolean sent_any = FALSE;
  gboolean abort_job = FALSE;

  if (job->message != NULL && job->hold)
    {
      g_autofree char *sender = envelope_from (row, job->message);

      job->item_id = lb_outbox_hold_sync (store, row->id, job->message, sender,
                                          (const char * const *) job->recipients, error);
      if (job->item_id == 0)
        return NULL;
      notify_changed (&job->notify, store, row->id);
      return g_memdup2 (&job->item_id, sizeof job->item_id);
    }
  if (job->message != NULL)
    {
      g_autofree char *sender = envelope_from (row, job->message);

      job->item_id = lb_outbox_queue_sync (store, row->id, job->message, sender,
                                           (const char * const *) job->recipients, NULL, error);
      if (job->item_id == 0)
        return NULL;
      notify_changed (&job->notify, store, row->id);
    }
  if (job->all_due)
    lb_outbox_recover_sync (store, row->id);

  provider = account_provider (row);
  lb_quirks_init (&quirks);
  if (provider != NULL)
    lb_provider_get_quirks (provider, &quirks);
  context.store = store;
  context.sync = sync;
  context.account = row;
  context.provider = provider;
  context.server_saves_sent_copy = quirks.server_saves_sent_copy;
  report.notify = &job->notify;
  report.store = store;
  report.account_id = row->id;
  context.sending = report_sending;
  context.sending_data = &report;

  items = lb_store_outbox_list (store, row->id, error);
  if (items == NULL)
    return NULL;
  ok = process_items (job, &context, items, &password, &retry_in, &sent_any, &abort_job,
                      cancellable, error);
  if (abort_job)
    return NULL;
  notify_changed (&job->notify, store, row->id);
  if (retry_in > 0 && job->notify.retry != NULL)
    job->notify.retry (retry_in, job->notify.user_data);
  if (sent_any)
    {
      /* Show the new copy in Sent soon. */
      gint64 sent = lb_imap_sync_find_folder (sync, LB_FOLDER_ROLE_SENT);
      if (sent > 0)
        lb_imap_sync_folder (sync, sent, cancellable, NULL);
    }
  if (!ok)
    return NULL;
  if (!job->all_due && job->item_id != 0 && !check_item_sent (store, row, job->item_id, error))
    return NULL;
  return GINT_TO_POINTER (1);
}

/**
 * lb_outbox_change_job_run:
 *
 * Puts the job's item back in the queue, due now, or discards it; with no item, only
 * reports the outbox (the model's first fill).
 *
 * Returns: GINT_TO_POINTER (1), or %NULL with @error set
 */
gpointer
lb_outbox_change_job_run (LbStore            *store,
                          LbOutboxChangeJob  *job,
                          GError            **error)
{
  gboolean ok;

  if (job->item_id == 0)
    ok = TRUE;
  else if (job->discard)
    ok = lb_store_outbox_remove (store, job->item_id, error);
  else
    ok = lb_store_outbox_update (store, job->item_id, LB_STORE_OUTBOX_QUEUED, 0, 0, NULL, error);
  notify_changed (&job->notify, store, job->account_id);
  return ok ? GINT_TO_POINTER (1) : NULL;
}
