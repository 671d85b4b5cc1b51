/* lb-account-worker.c: what runs on an account's threads
 *
 * Threads: the account's worker (lb-worker.c) runs every blocking job with the account's
 * IMAP session and store write connection.  A second thread keeps IDLE open on INBOX
 * over its own connection (or, for servers without IDLE such as 163, sends STATUS INBOX
 * over it every poll interval) and only ever queues "sync INBOX" jobs on the worker, with
 * the same key as a user's sync of INBOX; equal jobs merge, so a burst of notifications
 * and a click on refresh are one sync.  Every job that talks to the server runs its
 * steps through lb_reconnect_once().  Both threads report status and changes through LbAccountWorkerCallbacks;
 * LbAccount gathers them and delivers them on its main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-account-worker.h"
#include "lb-error.h"
#include "lb-goa.h"
#include "lb-imap-session.h"
#include "lb-quirks.h"
#include "lb-reconnect.h"
#include "lb-secrets.h"
#include "lb-store-locations.h"

/* IDLE is renewed well before the 29 minutes after which servers may drop it, and
 * often enough that NAT mappings stay alive.  A renewal that gets no answer within
 * IDLE_ANSWER_MS means the connection died silently: reconnect. */
#define IDLE_RENEW_SECONDS (10 * 60)
/* Without NOTIFY, only INBOX is watched live: the other folders are synced this often. */
#define OTHER_FOLDERS_SECONDS (10 * 60)
/* With NOTIFY every folder is live, but news can be missed (a delivery agent that writes
 * the mailbox behind the server's back, a server that drops an event, a reconnect in
 * between): a full sync this rarely is the safety net.  With QRESYNC it costs what
 * changed; it is also when the hourly full UID comparison of lb-imap-sync-folder.c
 * comes due. */
#define NOTIFY_FULL_SYNC_SECONDS (60 * 60)
/* NOTIFY (RFC 5465): the one IDLE connection hears of new mail, expunges and flag
 * changes in every folder, as STATUS responses for the folders not selected. */
#define NOTIFY_SET "NOTIFY SET (selected (MessageNew MessageExpunge FlagChange)) " \
                   "(personal (MessageNew MessageExpunge FlagChange))"
#define IDLE_ANSWER_MS (30 * 1000)
/* See download_batch_size(). */
#define DOWNLOAD_BATCH 200
#define DERIVE_BATCH 200
#define INDEX_BATCH 500
#define BACKOFF_MIN_SECONDS 5
#define BACKOFF_MAX_SECONDS (10 * 60)

struct _LbAccountWorker
{
  LbStoreAccount           *row;
  char                     *store_path;
  LbProvider               *provider;
  LbAccountWorkerCallbacks  callbacks;
  gpointer                  user_data;
  LbImapPasswordFunc        password_func;
  gpointer                  password_data;

  LbWorker                 *worker;
  GMutex                    worker_mutex;
  gboolean                  closed;     /* stopped: no job may start a worker again */
  LbAccountWorkerData       wdata;

  GThread                  *idle_thread;
  GCancellable             *idle_cancellable;
  GMutex                    idle_mutex;
  GCond                     idle_cond;

  /* OAuth2 accounts: the tokens, made on first use from the keyring's refresh token and
   * shared by the worker (IMAP, SMTP) and the IDLE thread. */
  GMutex                    credentials_mutex;
  LbOAuth2Credentials      *credentials;
  gboolean                  needs_sign_in;
  GError                   *goa_error;  /* why Online Accounts refused, once it did */
  LbOAuth2RotatedFunc       rotated_func;
  gpointer                  rotated_data;
};

/* Tests shorten the renewal with LETTERBOX_IDLE_RENEW_SECONDS, and the wait for the
 * renewal's answer with LETTERBOX_IDLE_ANSWER_MS; either can only be made shorter. */
static guint
env_shorter (const char *name,
             guint       fallback)
{
  const char *env = g_getenv (name);
  guint64 v = env != NULL ? g_ascii_strtoull (env, NULL, 10) : 0;

  return v > 0 && v < fallback ? (guint) v : fallback;
}

static guint
idle_renew_seconds (void)
{
  return env_shorter ("LETTERBOX_IDLE_RENEW_SECONDS", IDLE_RENEW_SECONDS);
}

/* How often every folder is synced although nothing said it changed. */
static gint64
full_sync_interval_usec (gboolean notify)
{
  if (notify)
    return (gint64) env_shorter ("LETTERBOX_NOTIFY_FULL_SYNC_SECONDS",
                                 NOTIFY_FULL_SYNC_SECONDS) * G_USEC_PER_SEC;
  return (gint64) env_shorter ("LETTERBOX_OTHER_FOLDERS_SECONDS",
                               OTHER_FOLDERS_SECONDS) * G_USEC_PER_SEC;
}

static void
report_status (LbAccountWorker *self,
               LbAccountStatus  status,
               const char      *error_text)
{
  if (self->callbacks.status != NULL)
    self->callbacks.status (status, error_text, self->user_data);
}

static void
on_folders_changed (gpointer user_data)
{
  LbAccountWorker *self = user_data;

  if (self->callbacks.folders_changed != NULL)
    self->callbacks.folders_changed (self->user_data);
}

static void
on_messages_changed (gint64   folder_id,
                     gpointer user_data)
{
  LbAccountWorker *self = user_data;

  if (self->callbacks.messages_changed != NULL)
    self->callbacks.messages_changed (folder_id, self->user_data);
}

/* Network trouble is retried quietly; a refusal needs the user. */
static LbAccountStatus
status_for_error (const GError *error)
{
  if (g_error_matches (error, LB_ERROR, LB_ERROR_NETWORK) ||
      g_error_matches (error, LB_ERROR, LB_ERROR_DNS) ||
      g_error_matches (error, LB_ERROR, LB_ERROR_TIMEOUT))
    return LB_ACCOUNT_STATUS_OFFLINE;
  /* LB_ERROR_SIGN_IN_REQUIRED too: the account's needs-sign-in flag says which. */
  return LB_ACCOUNT_STATUS_ERROR;
}

/* Records in the store, for every process to see, that the grant is gone (or, for an
 * Online Accounts account the user fixed in Settings, that it works again).  Any thread:
 * a connection of its own, as SQLite connections are never shared across threads. */
static void
record_needs_sign_in (LbAccountWorker *self,
                      gboolean         needs_sign_in)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = lb_store_open (self->store_path, LB_STORE_OPEN_DEFAULT, &error);

  if (store == NULL || !lb_store_set_needs_sign_in (store, self->row->id, needs_sign_in, &error))
    g_warning ("Cannot record the sign-in state of account %" G_GINT64_FORMAT ": %s",
               self->row->id, error->message);
}

static void
on_rotated (const char *refresh_token,
            gpointer    user_data)
{
  LbAccountWorker *self = user_data;

  if (self->rotated_func != NULL)
    self->rotated_func (refresh_token, self->rotated_data);
}

/* With credentials_mutex held: the tokens, made from the keyring's refresh token. */
static LbOAuth2Credentials *
get_credentials_locked (LbAccountWorker  *self,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_autoptr(LbOAuth2Provider) provider = NULL;
  g_autoptr(LbSecret) refresh_token = NULL;

  if (self->credentials != NULL)
    return lb_oauth2_credentials_ref (self->credentials);
  provider = lb_oauth2_provider_lookup (self->row->oauth2_provider, error);
  if (provider == NULL)
    return NULL;
  provider->proxy = g_strdup (self->row->proxy);
  refresh_token = self->password_func (self->password_data, NULL, cancellable, error);
  if (refresh_token == NULL)
    return NULL;
  self->credentials = lb_oauth2_credentials_new (provider, refresh_token, on_rotated, self, NULL);
  return lb_oauth2_credentials_ref (self->credentials);
}

static void
set_sign_in_error (GError **error)
{
  g_set_error_literal (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED,
                       _("The sign-in is no longer valid. Sign in to this account again."));
}

/* An OAuth2 account's access token: refreshed before it expires, or once when a server
 * refused it.  Once the grant is refused nothing goes to the network again until the
 * user signs in again (which rebuilds the account and its worker). */
static char *
oauth2_access_token (LbAccountWorker  *self,
                     const char       *refused,
                     GCancellable     *cancellable,
                     GError          **error)
{
  g_autoptr(LbOAuth2Credentials) credentials = NULL;
  g_autoptr(GError) local_error = NULL;
  char *token;

  g_mutex_lock (&self->credentials_mutex);
  if (self->needs_sign_in)
    {
      g_mutex_unlock (&self->credentials_mutex);
      set_sign_in_error (error);
      return NULL;
    }
  credentials = get_credentials_locked (self, cancellable, error);
  g_mutex_unlock (&self->credentials_mutex);
  if (credentials == NULL)
    return NULL;
  token = lb_oauth2_credentials_get_access_token_sync (credentials, refused, cancellable,
                                                       &local_error);
  if (token != NULL)
    return token;
  if (!g_error_matches (local_error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_debug ("Account %" G_GINT64_FORMAT ": %s", self->row->id, local_error->message);
  g_mutex_lock (&self->credentials_mutex);
  if (!self->needs_sign_in)
    {
      self->needs_sign_in = TRUE;
      record_needs_sign_in (self, TRUE);
    }
  g_mutex_unlock (&self->credentials_mutex);
  set_sign_in_error (error);
  return NULL;
}

/* An Online Accounts account's access token: Online Accounts renews it and keeps the
 * grant.  Its refusal (NOT_AUTHORIZED, or the account gone from Online Accounts) is the
 * needs-sign-in state, fixed in Settings: this process asks no more until the account
 * is rebuilt (a new process, or signing in again), so nothing loops. */
static char *
goa_access_token (LbAccountWorker  *self,
                  GCancellable     *cancellable,
                  GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  char *token;
  gboolean stuck;

  g_mutex_lock (&self->credentials_mutex);
  stuck = self->needs_sign_in;
  if (stuck && self->goa_error != NULL)
    g_propagate_error (error, g_error_copy (self->goa_error));
  g_mutex_unlock (&self->credentials_mutex);
  if (stuck)
    return NULL;
  token = lb_goa_get_access_token_sync (self->row->goa_id, cancellable, &local_error);
  if (token != NULL)
    {
      g_mutex_lock (&self->credentials_mutex);
      if (self->row->needs_sign_in)
        {
          self->row->needs_sign_in = FALSE;
          record_needs_sign_in (self, FALSE);
        }
      g_mutex_unlock (&self->credentials_mutex);
      return token;
    }
  if (g_error_matches (local_error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED))
    {
      g_debug ("Account %" G_GINT64_FORMAT ": %s", self->row->id, local_error->message);
      g_mutex_lock (&self->credentials_mutex);
      if (!self->needs_sign_in)
        {
          self->needs_sign_in = TRUE;
          self->goa_error = g_error_copy (local_error);
          self->row->needs_sign_in = TRUE;
          record_needs_sign_in (self, TRUE);
        }
      g_mutex_unlock (&self->credentials_mutex);
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

static char *
worker_password (gpointer       user_data,
                 const char    *refused,
                 GCancellable  *cancellable,
                 GError       **error)
{
  LbAccountWorker *self = user_data;

  if (self->row->auth == LB_AUTH_OAUTH2)
    return oauth2_access_token (self, refused, cancellable, error);
  if (self->row->auth == LB_AUTH_GOA)
    return goa_access_token (self, cancellable, error);
  return self->password_func (self->password_data, refused, cancellable, error);
}

/**
 * lb_account_worker_get_needs_sign_in:
 *
 * Any thread.  Whether the account's grant was refused: in this run, or (until Online
 * Accounts answers again, for a GOA account) in an earlier one.
 */
gboolean
lb_account_worker_get_needs_sign_in (LbAccountWorker *self)
{
  gboolean needs;

  g_mutex_lock (&self->credentials_mutex);
  needs = self->needs_sign_in || self->row->needs_sign_in;
  g_mutex_unlock (&self->credentials_mutex);
  return needs;
}

/**
 * lb_account_worker_set_rotated_func:
 *
 * Called (on the thread that refreshed) with the new refresh token whenever an OAuth2
 * server rotates it, to replace the keyring's.  Set before the threads start.
 */
void
lb_account_worker_set_rotated_func (LbAccountWorker     *self,
                                    LbOAuth2RotatedFunc  func,
                                    gpointer             user_data)
{
  self->rotated_func = func;
  self->rotated_data = user_data;
}

LbServerConfig *
lb_account_worker_imap_config (const LbStoreAccount *row)
{
  LbServerConfig *c = lb_server_config_new (row->imap_host, row->imap_port,
                                            row->imap_security, row->username);
  c->ca_file = g_strdup (row->ca_file);
  c->proxy = g_strdup (row->proxy);
  c->auth = row->auth;
  return c;
}

/**
 * lb_account_worker_new:
 * @password_func: called on the account's threads for the password
 *
 * Opens the account's write connection to the store; the threads start with
 * lb_account_worker_start() (the worker also on the first job).
 *
 * Returns: (transfer full): the account worker, or %NULL with @error set
 */
LbAccountWorker *
lb_account_worker_new (const LbStoreAccount            *row,
                       const char                      *store_path,
                       LbProvider                      *provider,
                       LbImapPasswordFunc               password_func,
                       gpointer                         password_data,
                       const LbAccountWorkerCallbacks  *callbacks,
                       gpointer                         user_data,
                       GError                         **error)
{
  LbAccountWorker *self = g_new0 (LbAccountWorker, 1);
  g_autoptr(LbServerConfig) config = NULL;
  static const LbImapSyncCallbacks sync_callbacks = {
    on_folders_changed, on_messages_changed, NULL,
  };

  self->row = lb_store_account_copy (row);
  self->store_path = g_strdup (store_path);
  self->provider = provider != NULL ? lb_provider_ref (provider) : NULL;
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->password_func = password_func;
  self->password_data = password_data;
  g_mutex_init (&self->worker_mutex);
  g_mutex_init (&self->idle_mutex);
  g_cond_init (&self->idle_cond);
  g_mutex_init (&self->credentials_mutex);
  /* A grant refused in an earlier run stays refused until the user signs in again.  Not
   * so for Online Accounts, where the user fixes it in Settings: each process asks it
   * once more. */
  self->needs_sign_in = row->auth == LB_AUTH_OAUTH2 && row->needs_sign_in;

  /* The worker's own write connection: SQLite connections are never shared across threads. */
  self->wdata.worker = self;
  self->wdata.row = self->row;
  /* No memory map: the sync writes all over the file, and every page it touched stayed
   * in the process's resident memory (a 100,000-message first sync peaked at 127 MB,
   * most of it the mapped file).  Searches, which gain from the map, read on their own
   * connections. */
  self->wdata.store = lb_store_open (store_path, LB_STORE_OPEN_NO_MMAP, error);
  if (self->wdata.store == NULL)
    {
      lb_account_worker_free (self);
      return NULL;
    }
  config = lb_account_worker_imap_config (row);
  self->wdata.sync = lb_imap_sync_new (self->wdata.store, row->id, config, self->provider,
                                       &sync_callbacks, self);
  lb_imap_sync_set_password_func (self->wdata.sync, worker_password, self);
  return self;
}

/* Stops the threads first; then frees the session and the store connection. */
void
lb_account_worker_free (LbAccountWorker *self)
{
  if (self == NULL)
    return;
  lb_account_worker_stop (self);
  g_clear_pointer (&self->wdata.sync, lb_imap_sync_free);
  g_clear_object (&self->wdata.store);
  g_clear_pointer (&self->row, lb_store_account_free);
  g_clear_pointer (&self->provider, lb_provider_unref);
  g_clear_pointer (&self->credentials, lb_oauth2_credentials_unref);
  g_clear_error (&self->goa_error);
  g_mutex_clear (&self->credentials_mutex);
  g_free (self->store_path);
  g_mutex_clear (&self->worker_mutex);
  g_mutex_clear (&self->idle_mutex);
  g_cond_clear (&self->idle_cond);
  g_free (self);
}

/* ---- Jobs ------------------------------------------------------------------------- */

/**
 * lb_account_worker_push:
 *
 * Queues a job on the account's worker thread (started on first use); see
 * lb_worker_push().  Thread-safe.  Once the account worker is stopped, @task fails
 * with %G_IO_ERROR_CANCELLED.
 */
void
lb_account_worker_push (LbAccountWorker *self,
                        LbJobPriority    priority,
                        const char      *key,
                        LbJobFunc        func,
                        gpointer         job_data,
                        GDestroyNotify   job_data_free,
                        GDestroyNotify   result_free,
                        GTask           *task)
{
  /* Jobs push follow-up jobs from the worker thread itself, possibly while the account
   * is being stopped: once closed, nothing may start a new worker that would outlive
   * the account's store and session. */
  g_mutex_lock (&self->worker_mutex);
  if (self->closed)
    {
      g_mutex_unlock (&self->worker_mutex);
      if (job_data_free != NULL && job_data != NULL)
        job_data_free (job_data);
      if (task != NULL)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The account was closed");
      return;
    }
  if (self->worker == NULL)
    {
      g_autofree char *name = g_strdup_printf ("lb-account-%" G_GINT64_FORMAT, self->row->id);
      self->worker = lb_worker_new (name, &self->wdata);
    }
  lb_worker_push (self->worker, priority, key, func, job_data, job_data_free, result_free, task);
  g_mutex_unlock (&self->worker_mutex);
}

static gpointer
index_job (gpointer       worker_data,
           gpointer       job_data,
           GCancellable  *cancellable,
           GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  guint indexed = 0;

  if (!lb_store_index_pending (w->store, INDEX_BATCH, &indexed, error))
    return NULL;
  /* One batch per job, so user actions queued meanwhile go first. */
  if (indexed == INDEX_BATCH && !g_cancellable_is_cancelled (cancellable))
    lb_account_worker_push (w->worker, LB_JOB_PRIORITY_BACKGROUND, "index", index_job,
                            NULL, NULL, NULL, NULL);
  return GINT_TO_POINTER (1);
}

/* ---- Offline bodies -------------------------------------------------------------- */

/* Bodies asked for in one UID FETCH, and so between two chances for a user's action to go
 * first: about a second of mail on a slow link, and few round trips on a fast one. */
static guint
download_batch_size (void)
{
  return env_shorter ("LETTERBOX_DOWNLOAD_BATCH", DOWNLOAD_BATCH);
}

typedef struct {
  LbAccountWorkerData *w;
  guint                stored;
  gboolean             more;
} DownloadStep;

static gpointer
download_step (gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  DownloadStep *step = data;
  const LbStoreAccount *row = step->w->row;
  gint64 since = lb_store_offline_since (row->offline_days, g_get_real_time () / G_USEC_PER_SEC);

  if (since == G_MAXINT64)
    {
      step->more = FALSE;
      return GINT_TO_POINTER (1);
    }
  if (!lb_imap_sync_download_bodies (step->w->sync, since, (guint64) row->offline_max_mb << 20,
                                     download_batch_size (), &step->stored, &step->more,
                                     cancellable, error))
    return NULL;
  return GINT_TO_POINTER (1);
}

/* Previews, attachment flags and search text of downloaded bodies, one batch per job (each
 * message is a MIME parse: about a millisecond). */
static gpointer
derive_job (gpointer       worker_data,
            gpointer       job_data,
            GCancellable  *cancellable,
            GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  g_autoptr(GError) local_error = NULL;
  gboolean more = FALSE;
  guint done = 0;

  if (!lb_imap_sync_derive_texts (w->sync, DERIVE_BATCH, &done, &more, &local_error))
    g_warning ("Cannot derive the text of bodies of account %" G_GINT64_FORMAT ": %s",
               w->row->id, local_error->message);
  /* The search index follows each batch, and the end of a run (bodies opened meanwhile
   * wait for it too). */
  lb_account_worker_push (w->worker, LB_JOB_PRIORITY_BACKGROUND, "index", index_job,
                          NULL, NULL, NULL, NULL);
  if (more && !g_cancellable_is_cancelled (cancellable))
    lb_account_worker_push (w->worker, LB_JOB_PRIORITY_BACKGROUND, "derive", derive_job,
                            NULL, NULL, NULL, NULL);
  return GINT_TO_POINTER (1);
}

/* One batch of the background download; @job_data non-NULL (the first of a run) also
 * prunes what fell out of the account's window and restarts from the newest.  Each batch
 * queues the next behind anything else waiting, so opening a message, a sync or a move
 * waits at most for one batch. */
static gpointer
download_job (gpointer       worker_data,
              gpointer       job_data,
              GCancellable  *cancellable,
              GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  DownloadStep step = { w, 0, FALSE };
  g_autoptr(GError) local_error = NULL;

  if (job_data != NULL)
    {
      gint64 since = lb_store_offline_since (w->row->offline_days,
                                             g_get_real_time () / G_USEC_PER_SEC);
      guint removed = 0;

      lb_imap_sync_restart_downloads (w->sync);
      /* Headers only downloads nothing more, but keeps what was opened: removing that is
       * "Remove downloaded messages" (lb_account_remove_bodies_async()). */
      if (since > 0 && since != G_MAXINT64 &&
          !lb_store_remove_bodies (w->store, w->row->id, since, &removed, &local_error))
        {
          g_warning ("Cannot prune the bodies of account %" G_GINT64_FORMAT ": %s", w->row->id,
                     local_error->message);
          g_clear_error (&local_error);
        }
      else if (removed > 0)
        g_debug ("Pruned %u bodies out of the window of account %" G_GINT64_FORMAT, removed,
                 w->row->id);
    }
  if (lb_reconnect_once (w->sync, "Download", download_step, &step, cancellable, &local_error) == NULL)
    {
      /* The next sync starts a new run; a cut loses nothing the store holds. */
      g_debug ("Downloading bodies of account %" G_GINT64_FORMAT ": %s", w->row->id,
               local_error->message);
      step.more = FALSE;
    }
  else
    g_debug ("Downloaded %u bodies of account %" G_GINT64_FORMAT, step.stored, w->row->id);
  if (step.more && !g_cancellable_is_cancelled (cancellable))
    lb_account_worker_push (w->worker, LB_JOB_PRIORITY_BACKGROUND, "download", download_job,
                            NULL, NULL, NULL, NULL);
  else
    /* The bytes first, at the speed of the wire; then their text, and the index. */
    lb_account_worker_push (w->worker, LB_JOB_PRIORITY_BACKGROUND, "derive", derive_job,
                            NULL, NULL, NULL, NULL);
  return GINT_TO_POINTER (1);
}

static void
queue_download (LbAccountWorker *self)
{
  static gboolean start = TRUE;

  lb_account_worker_push (self, LB_JOB_PRIORITY_BACKGROUND, "download-start", download_job,
                          &start, NULL, NULL, NULL);
}

/**
 * lb_account_worker_download_now_job:
 *
 * An #LbJobFunc: one batch of the account's offline download, or once every body is in,
 * of deriving their text; its result is GUINT_TO_POINTER (3) while bodies are still to
 * download, 2 while text is still to derive, 1 once the account is complete.  Queued at the
 * background's priority by a caller that waits for the account to be complete under its
 * setting (`letterbox-cli sync`), which asks again while the answer is more than 1.
 * Unlike the background download's, a failure is the caller's.
 */
gpointer
lb_account_worker_download_now_job (gpointer       worker_data,
                                    gpointer       job_data,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  DownloadStep step = { w, 0, FALSE };

  if (lb_reconnect_once (w->sync, "Download", download_step, &step, cancellable, error) == NULL)
    return NULL;
  if (!step.more)
    {
      guint done = 0;
      gboolean more = FALSE;

      /* Complete once the text of every body is derived too: search covers it. */
      if (!lb_imap_sync_derive_texts (w->sync, DERIVE_BATCH, &done, &more, error))
        return NULL;
      lb_account_worker_push (w->worker, LB_JOB_PRIORITY_BACKGROUND, "index", index_job,
                              NULL, NULL, NULL, NULL);
      return GUINT_TO_POINTER (more ? 2 : 1);
    }
  /* Bodies are still to come.  Not counted: that is a scan of every message of the
   * account, and at 100,000 messages, after every batch, it cost more than the download. */
  return GUINT_TO_POINTER (3);
}


typedef struct {
  LbAccountWorkerData *w;
  gint64               folder_id;
} SyncStep;

static gpointer
sync_step (gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  SyncStep *step = data;
  LbAccountWorkerData *w = step->w;
  gboolean ok;

  /* Local changes go to the server before the server's state is read back.  Replaying
   * and syncing again are idempotent, so the step may run twice. */
  if (!lb_imap_sync_replay (w->sync, NULL, cancellable, error))
    return NULL;
  report_status (w->worker, LB_ACCOUNT_STATUS_SYNCING, NULL);
  if (step->folder_id == 0)
    ok = lb_imap_sync_all (w->sync, cancellable, error);
  else
    ok = lb_imap_sync_folder (w->sync, step->folder_id, cancellable, error);
  return ok ? GINT_TO_POINTER (1) : NULL;
}

static gpointer
sync_job (gpointer       worker_data,
          gpointer       job_data,
          GCancellable  *cancellable,
          GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  LbAccountWorker *self = w->worker;
  SyncStep step = { w, *(gint64 *) job_data };
  g_autoptr(GError) local_error = NULL;
  gboolean reused = lb_imap_session_is_connected (lb_imap_sync_get_session (w->sync));
  gboolean ok;

  report_status (self, reused ? LB_ACCOUNT_STATUS_SYNCING : LB_ACCOUNT_STATUS_CONNECTING, NULL);
  ok = lb_reconnect_once (w->sync, "Sync", sync_step, &step, cancellable, &local_error) != NULL;
  g_debug ("Sync of account %" G_GINT64_FORMAT " folder %" G_GINT64_FORMAT ": %s",
           w->row->id, step.folder_id, ok ? "done" : local_error->message);
  if (!ok)
    {
      /* A single folder the server refuses shows its own error (LbFolder:last-error);
       * the account itself is fine. */
      if (lb_imap_sync_is_folder_error (w->sync, local_error))
        report_status (self, LB_ACCOUNT_STATUS_IDLE, NULL);
      else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report_status (self, status_for_error (local_error), local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  report_status (self, LB_ACCOUNT_STATUS_IDLE, NULL);
  /* Then, behind anything the user asks for: the bodies the account keeps offline, and
   * the search index. */
  queue_download (self);
  return GINT_TO_POINTER (1);
}

/**
 * lb_account_worker_queue_sync:
 * @folder_id: a folder of the account, or 0 for the folder list and every folder
 * @task: (nullable): completed with GINT_TO_POINTER (1), or an error
 *
 * Queues a sync.  Equal requests merge.
 */
void
lb_account_worker_queue_sync (LbAccountWorker *self,
                              gint64           folder_id,
                              LbJobPriority    priority,
                              GTask           *task)
{
  g_autofree char *key = g_strdup_printf ("sync:%" G_GINT64_FORMAT, folder_id);

  lb_account_worker_push (self, priority, key, sync_job, g_memdup2 (&folder_id, sizeof folder_id),
                          g_free, NULL, task);
}

typedef struct {
  LbAccountWorkerData *w;
  gint64               message_id;
} BodyStep;

static gpointer
fetch_body_step (gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  BodyStep *step = data;

  return lb_imap_sync_fetch_body (step->w->sync, step->message_id, cancellable, error);
}

static gpointer
fetch_body_job (gpointer       worker_data,
                gpointer       job_data,
                GCancellable  *cancellable,
                GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  BodyStep step = { w, *(gint64 *) job_data };
  GBytes *body = lb_store_get_body (w->store, step.message_id, NULL);
  g_autoptr(GError) local_error = NULL;

  if (body != NULL)
    {
      if (!lb_imap_sync_ensure_text (w->sync, step.message_id, body, &local_error))
        g_warning ("Cannot derive the text of message %" G_GINT64_FORMAT ": %s", step.message_id,
                   local_error->message);
      return body;
    }
  return lb_reconnect_once (w->sync, "Body", fetch_body_step, &step, cancellable, error);
}

/**
 * lb_account_worker_queue_fetch_body:
 * @task: completed with the raw message (a #GBytes)
 *
 * Gets the raw message from the store's cache, else from the server.
 */
void
lb_account_worker_queue_fetch_body (LbAccountWorker *self,
                                    gint64           message_id,
                                    GTask           *task)
{
  lb_account_worker_push (self, LB_JOB_PRIORITY_USER, NULL, fetch_body_job,
                          g_memdup2 (&message_id, sizeof message_id), g_free,
                          (GDestroyNotify) g_bytes_unref, task);
}

typedef struct {
  LbAccountWorkerData *w;
  guint                failed;
} ReplayStep;

static gpointer
replay_step (gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  ReplayStep *step = data;

  /* The queue of local changes only shrinks as the server confirms them: again is safe. */
  step->failed = 0;
  return lb_imap_sync_replay (step->w->sync, &step->failed, cancellable, error)
         ? GINT_TO_POINTER (1) : NULL;
}

static gpointer
replay_job (gpointer       worker_data,
            gpointer       job_data,
            GCancellable  *cancellable,
            GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  g_autoptr(GError) local_error = NULL;
  ReplayStep step = { w, 0 };
  guint failed;

  if (lb_reconnect_once (w->sync, "Replay", replay_step, &step, cancellable, &local_error) == NULL)
    {
      /* Offline: the queue is kept and replayed by the next sync. */
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report_status (w->worker, status_for_error (local_error), local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  failed = step.failed;
  if (failed > 0)
    {
      /* Bring the refused changes' folders back in line at once. */
      lb_imap_sync_all (w->sync, cancellable, NULL);
      report_status (w->worker, LB_ACCOUNT_STATUS_ERROR,
                     _("The server refused a change; it was undone."));
    }
  return GINT_TO_POINTER (1);
}

/* Sends queued local changes soon, ahead of background sync. */
void
lb_account_worker_queue_replay (LbAccountWorker *self)
{
  lb_account_worker_push (self, LB_JOB_PRIORITY_USER, "replay", replay_job, NULL, NULL, NULL, NULL);
}

/* ---- Push: IDLE or polling ------------------------------------------------------------ */

/* Tests shorten the poll with LETTERBOX_POLL_INTERVAL_SECONDS. */
static guint
poll_interval_seconds (const LbQuirks *quirks)
{
  const char *env = g_getenv ("LETTERBOX_POLL_INTERVAL_SECONDS");
  guint64 v = env != NULL ? g_ascii_strtoull (env, NULL, 10) : 0;

  if (v > 0 && v < G_MAXUINT)
    return (guint) v;
  return quirks->poll_interval > 0 ? quirks->poll_interval : LB_QUIRKS_DEFAULT_POLL_INTERVAL;
}

/* Sleeps up to @seconds; returns FALSE at once when the account is stopping. */
static gboolean
idle_wait (LbAccountWorker *self,
           guint            seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  gboolean go_on;

  g_mutex_lock (&self->idle_mutex);
  while (!g_cancellable_is_cancelled (self->idle_cancellable))
    if (!g_cond_wait_until (&self->idle_cond, &self->idle_mutex, end))
      break;
  go_on = !g_cancellable_is_cancelled (self->idle_cancellable);
  g_mutex_unlock (&self->idle_mutex);
  return go_on;
}

/**
 * lb_account_worker_queue_pushed_sync:
 * @folder_id: INBOX, or 0 for a full sync
 *
 * Queues the sync that IDLE or a poll asks for.  It has the same job key as a sync
 * the user asks for (lb_account_worker_queue_sync()), so the two merge into one run.
 */
void
lb_account_worker_queue_pushed_sync (LbAccountWorker *self,
                                     gint64           folder_id)
{
  lb_account_worker_queue_sync (self, folder_id, LB_JOB_PRIORITY_VISIBLE, NULL);
}

static gint64
find_inbox_id (LbAccountWorker *self,
               LbStore         *store)
{
  g_autoptr(GPtrArray) folders = lb_store_list_folders (store, self->row->id, NULL);

  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      LbStoreFolder *f = g_ptr_array_index (folders, i);
      if (f->role == LB_FOLDER_ROLE_INBOX)
        return f->id;
    }
  return 0;
}

/* What STATUS INBOX said last; a change in any of it means a sync is worth it. */
typedef struct {
  gboolean known;
  guint32  uidvalidity;
  guint32  uidnext;
  guint32  messages;
  guint32  unseen;
} InboxStatus;

static gboolean
on_inbox_status (LbImapResponse  *r,
                 gpointer         user_data,
                 GError         **error)
{
  InboxStatus *now = user_data;

  if (r->kind == LB_IMAP_RESPONSE_MAILBOX_STATUS)
    {
      now->known = TRUE;
      now->uidvalidity = r->u.mailbox_status.uidvalidity;
      now->uidnext = r->u.mailbox_status.uidnext;
      now->messages = r->u.mailbox_status.messages;
      now->unseen = r->u.mailbox_status.unseen;
    }
  return TRUE;
}

/* One look at INBOX over the kept connection: STATUS selects nothing and costs one round
 * trip, where a sync costs a SELECT, a UID SEARCH and a FLAGS fetch of the whole folder.
 * The first look only takes the baseline. */
static gboolean
poll_inbox (LbImapSession  *session,
            InboxStatus    *last,
            gboolean       *out_changed,
            GCancellable   *cancellable,
            GError        **error)
{
  InboxStatus now = { 0 };
  g_autoptr(LbImapResponse) r = NULL;

  r = lb_imap_session_command_sync (session, on_inbox_status, &now, cancellable, error,
                                    "STATUS INBOX (UIDVALIDITY UIDNEXT MESSAGES UNSEEN)");
  if (r == NULL)
    return FALSE;
  /* A server that answers without the counts gives nothing to compare: sync each time. */
  *out_changed = !now.known || !last->known || now.uidvalidity != last->uidvalidity ||
                 now.uidnext != last->uidnext || now.messages != last->messages ||
                 now.unseen != last->unseen;
  *last = now;
  return TRUE;
}

/* Asks for NOTIFY's news of every folder; a refusal leaves IDLE on INBOX alone. */
static gboolean
idle_notify (LbAccountWorker  *self,
             LbImapSession    *session,
             gboolean         *out_notify,
             GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LbImapResponse) r = NULL;

  *out_notify = FALSE;
  if (!lb_imap_session_has_capability (session, "NOTIFY"))
    return TRUE;
  r = lb_imap_session_command_sync (session, NULL, NULL, self->idle_cancellable, &local_error,
                                    "%s", NOTIFY_SET);
  if (r == NULL)
    {
      if (!lb_imap_session_is_connected (session) ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("Account %" G_GINT64_FORMAT ": NOTIFY refused (%s); watching INBOX only",
               self->row->id, local_error->message);
      return TRUE;
    }
  *out_notify = TRUE;
  return TRUE;
}

/* Logs in; learns once whether this server must be polled; IDLE needs INBOX selected. */
static gboolean
idle_connect (LbAccountWorker       *self,
              LbImapSession         *session,
              const LbServerConfig  *config,
              LbQuirks              *quirks,
              gboolean              *polling,
              gboolean              *notify,
              GError               **error)
{
  if (!lb_imap_sync_login (session, config, worker_password, self, quirks->id_required,
                           self->idle_cancellable, error))
    return FALSE;
  lb_quirks_merge_capabilities (quirks, lb_imap_session_get_capabilities (session));
  *polling = quirks->poll_instead_of_idle || !lb_imap_session_has_capability (session, "IDLE");
  if (*polling)
    {
      g_debug ("Account %" G_GINT64_FORMAT ": no IDLE; polling INBOX every %u s", self->row->id,
               poll_interval_seconds (quirks));
      return TRUE;
    }
  if (!lb_imap_session_select_sync (session, "INBOX", TRUE, NULL, NULL, NULL, NULL,
                                    self->idle_cancellable, error) ||
      !idle_notify (self, session, notify, error))
    return FALSE;
  g_debug ("IDLE on account %" G_GINT64_FORMAT ": watching %s", self->row->id,
           *notify ? "every folder (NOTIFY)" : "INBOX");
  return TRUE;
}

typedef struct {
  LbAccountWorker *self;
  LbStore         *store;
} IdleNews;

/* NOTIFY's STATUS for a folder other than INBOX: that folder changed.  One the store
 * does not know yet (just created elsewhere) asks for a full sync, which lists it. */
static gboolean
on_idle_news (LbImapResponse  *r,
              gpointer         user_data,
              GError         **error)
{
  IdleNews *news = user_data;
  g_autoptr(GPtrArray) folders = NULL;
  gint64 folder_id = 0;

  if (r->kind != LB_IMAP_RESPONSE_MAILBOX_STATUS || r->u.mailbox_status.name == NULL)
    return TRUE;
  folders = news->store != NULL ? lb_store_list_folders (news->store, news->self->row->id, NULL)
                                : NULL;
  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      LbStoreFolder *f = g_ptr_array_index (folders, i);

      if (g_strcmp0 (f->raw_name, r->u.mailbox_status.name) == 0)
        folder_id = f->id;
    }
  g_debug ("Account %" G_GINT64_FORMAT ": NOTIFY: %s changed", news->self->row->id,
           folder_id != 0 ? "a folder" : "an unknown folder");
  lb_account_worker_queue_pushed_sync (news->self, folder_id);
  return TRUE;
}

/* Waits for a change of INBOX with IDLE (and hears of the other folders' changes with
 * NOTIFY), or looks once when polling. */
static gboolean
idle_watch (LbAccountWorker  *self,
            LbImapSession    *session,
            LbStore          *store,
            gboolean          polling,
            InboxStatus      *last,
            gboolean         *out_changed,
            GError          **error)
{
  IdleNews news = { self, store };

  if (polling)
    {
      gboolean first = !last->known;

      if (!poll_inbox (session, last, out_changed, self->idle_cancellable, error))
        return FALSE;
      /* The baseline may have been taken after the last sync read INBOX. */
      *out_changed = *out_changed || first;
      return TRUE;
    }
  if (!lb_imap_session_idle_sync (session, idle_renew_seconds (), on_idle_news, &news,
                                  out_changed, self->idle_cancellable, error))
    return FALSE;
  g_debug ("IDLE on account %" G_GINT64_FORMAT " ended: %s", self->row->id,
           *out_changed ? "INBOX changed" : "renewing");
  return TRUE;
}

/* Keeps one connection: IDLE on INBOX, or, where the server has no IDLE (163, 126), a
 * cheap STATUS every poll interval.  Either only queues an INBOX sync when INBOX changed. */
static gpointer
idle_thread (gpointer data)
{
  LbAccountWorker *self = data;
  g_autoptr(LbImapSession) session = lb_imap_session_new ();
  g_autoptr(LbServerConfig) config = lb_account_worker_imap_config (self->row);
  g_autoptr(LbStore) store = lb_store_open (self->store_path, LB_STORE_OPEN_READ_ONLY, NULL);
  guint backoff = BACKOFF_MIN_SECONDS;
  gboolean polling = FALSE;
  gboolean notify = FALSE;
  gint64 others_synced = g_get_monotonic_time ();
  InboxStatus last = { 0 };
  LbQuirks quirks;

  lb_quirks_init (&quirks);
  if (self->provider != NULL)
    lb_provider_get_quirks (self->provider, &quirks);
  lb_imap_session_set_timeout (session, (int) env_shorter ("LETTERBOX_IDLE_ANSWER_MS", IDLE_ANSWER_MS));
  lb_imap_session_set_provider (session, self->provider);

  /* The first full sync; afterwards INBOX is synced whenever it changed. */
  lb_account_worker_queue_pushed_sync (self, 0);

  while (!g_cancellable_is_cancelled (self->idle_cancellable))
    {
      g_autoptr(GError) error = NULL;
      gint64 inbox_id = store != NULL ? find_inbox_id (self, store) : 0;
      gboolean changed = FALSE;

      if (!lb_imap_session_is_connected (session) &&
          !idle_connect (self, session, config, &quirks, &polling, &notify, &error))
        goto failed;
      if (!idle_watch (self, session, store, polling, &last, &changed, &error))
        goto failed;
      backoff = BACKOFF_MIN_SECONDS;
      /* Before the first sync stored INBOX, IDLE's news asks for a full sync; a poll's
       * baseline then needs nothing, as the first sync is still to come. */
      if (changed && (inbox_id != 0 || !polling))
        lb_account_worker_queue_pushed_sync (self, inbox_id);
      /* Without NOTIFY the other folders are looked at now and then, with it rarely, as
       * a safety net; with QRESYNC that costs what changed. */
      if (g_get_monotonic_time () - others_synced >= full_sync_interval_usec (notify))
        {
          others_synced = g_get_monotonic_time ();
          lb_account_worker_queue_pushed_sync (self, 0);
        }
      if (polling && !idle_wait (self, poll_interval_seconds (&quirks)))
        break;
      continue;

    failed:
      if (g_cancellable_is_cancelled (self->idle_cancellable))
        break;
      /* Without a grant nothing is retried: the worker's sync reports it, once. */
      if (g_error_matches (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED))
        {
          g_debug ("IDLE for account %" G_GINT64_FORMAT ": stopped until a new sign-in",
                   self->row->id);
          break;
        }
      g_debug ("IDLE for account %" G_GINT64_FORMAT ": %s; retrying in %u s", self->row->id,
               error != NULL ? error->message : "?", backoff);
      lb_imap_session_disconnect (session);
      if (!idle_wait (self, backoff))
        break;
      backoff = MIN (backoff * 2, BACKOFF_MAX_SECONDS);
      /* A reconnect may have missed changes. */
      lb_account_worker_queue_pushed_sync (self, inbox_id);
    }

  lb_imap_session_disconnect (session);
  return NULL;
}

static void
wake_idle (GCancellable    *cancellable,
           LbAccountWorker *self)
{
  g_mutex_lock (&self->idle_mutex);
  g_cond_broadcast (&self->idle_cond);
  g_mutex_unlock (&self->idle_mutex);
}

/**
 * lb_account_worker_start:
 *
 * Starts the IDLE (or polling) thread, which queues the first full sync, and queues
 * the indexing of text left unindexed.
 */
void
lb_account_worker_start (LbAccountWorker *self)
{
  g_autofree char *name = NULL;

  if (self->idle_thread != NULL || self->closed)
    return;
  self->idle_cancellable = g_cancellable_new ();
  g_cancellable_connect (self->idle_cancellable, G_CALLBACK (wake_idle), self, NULL);
  name = g_strdup_printf ("lb-idle-%" G_GINT64_FORMAT, self->row->id);
  self->idle_thread = g_thread_new (name, idle_thread, self);
  /* Text queued for the search index before the last quit (or by a store migration that
   * rebuilds the index) is indexed offline too, behind the first sync. */
  lb_account_worker_push (self, LB_JOB_PRIORITY_BACKGROUND, "index", index_job,
                          NULL, NULL, NULL, NULL);
}

/**
 * lb_account_worker_get_pending:
 *
 * Returns: the number of jobs queued or running on the account's worker
 */
guint
lb_account_worker_get_pending (LbAccountWorker *self)
{
  guint n;

  g_mutex_lock (&self->worker_mutex);
  n = self->worker != NULL ? lb_worker_get_pending (self->worker) : 0;
  g_mutex_unlock (&self->worker_mutex);
  return n;
}

/**
 * lb_account_worker_stop:
 *
 * Stops IDLE and the worker, cancelling what runs; jobs pushed afterwards fail.
 * Blocks until both threads end, which cancellation makes prompt.
 */
void
lb_account_worker_stop (LbAccountWorker *self)
{
  LbWorker *worker;

  if (self->idle_thread != NULL)
    {
      g_cancellable_cancel (self->idle_cancellable);
      g_thread_join (self->idle_thread);
      self->idle_thread = NULL;
    }
  g_clear_object (&self->idle_cancellable);

  g_mutex_lock (&self->worker_mutex);
  self->closed = TRUE;
  worker = g_steal_pointer (&self->worker);
  g_mutex_unlock (&self->worker_mutex);
  /* Joins the thread; a job finishing meanwhile finds the account worker closed. */
  lb_worker_free (worker);
}
