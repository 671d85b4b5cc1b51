/* lb-account.c: one mail account and its background sync
 *
 * Threads: the account's worker (lb-worker.c) runs every blocking job with the account's
 * IMAP session and store write connection.  A second thread keeps IDLE open on INBOX
 * over its own connection (or polls, for servers without IDLE such as 163) and only ever
 * queues "sync INBOX" jobs on the worker; equal jobs merge, so a burst of notifications
 * is one sync.  Both threads report changes here; they are gathered under a mutex and
 * delivered on the main context by one idle callback, which refreshes the folder model
 * and emits ::messages-changed once per batch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-account-private.h"
#include "lb-error.h"
#include "lb-folder-private.h"
#include "lb-imap-session.h"
#include "lb-provider-db.h"
#include "lb-secrets.h"
#include "lb-store-locations.h"

/* IDLE is renewed well before the 29 minutes after which servers may drop it, and
 * often enough that NAT mappings stay alive.  A renewal that gets no answer within
 * IDLE_ANSWER_MS means the connection died silently: reconnect. */
#define IDLE_RENEW_SECONDS (10 * 60)
#define IDLE_ANSWER_MS (30 * 1000)

/* Tests shorten the renewal with LETTERBOX_IDLE_RENEW_SECONDS. */
static guint
idle_renew_seconds (void)
{
  const char *env = g_getenv ("LETTERBOX_IDLE_RENEW_SECONDS");
  guint64 v = env != NULL ? g_ascii_strtoull (env, NULL, 10) : 0;

  return v > 0 && v < IDLE_RENEW_SECONDS ? (guint) v : IDLE_RENEW_SECONDS;
}
/* Bodies of the newest INBOX messages are kept for offline reading, previews and search. */
#define PREFETCH_RECENT 200
#define INDEX_BATCH 500
#define BACKOFF_MIN_SECONDS 5
#define BACKOFF_MAX_SECONDS (10 * 60)

struct _LbAccount
{
  GObject          parent_instance;

  LbStoreAccount  *row;
  char            *store_path;
  LbProvider      *provider;
  GListStore      *folders;
  GMainContext    *main_context;

  LbWorker        *worker;
  GMutex           worker_mutex;
  gboolean         closed;        /* stopped: no job may start a worker again */
  LbAccountWorkerData wdata;
  LbImapPasswordFunc password_func;
  gpointer         password_data;

  GThread         *idle_thread;
  GCancellable    *idle_cancellable;
  GMutex           idle_mutex;
  GCond            idle_cond;

  /* Changes reported by the threads, delivered on the main context. */
  GMutex           notify_mutex;
  GArray          *changed_folders;   /* gint64 */
  gboolean         folders_changed;
  gboolean         dispatch_pending;
  gboolean         status_pending;
  LbAccountStatus  pending_status;
  char            *pending_error;

  LbAccountStatus  status;
  char            *last_error;
  gboolean         started;
};

G_DEFINE_FINAL_TYPE (LbAccount, lb_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_EMAIL,
  PROP_DISPLAY_NAME,
  PROP_COLOR,
  PROP_STATUS,
  PROP_LAST_ERROR,
  PROP_INBOX_UNREAD,
  N_PROPS
};

enum {
  MESSAGES_CHANGED,
  FOLDERS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
lb_account_dispose (GObject *object)
{
  LbAccount *self = LB_ACCOUNT (object);

  lb_account_stop (self);
  G_OBJECT_CLASS (lb_account_parent_class)->dispose (object);
}

static void
lb_account_finalize (GObject *object)
{
  LbAccount *self = LB_ACCOUNT (object);

  g_clear_pointer (&self->wdata.sync, lb_imap_sync_free);
  g_clear_object (&self->wdata.store);
  g_clear_pointer (&self->row, lb_store_account_free);
  g_clear_pointer (&self->provider, lb_provider_unref);
  g_clear_object (&self->folders);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_clear_pointer (&self->changed_folders, g_array_unref);
  g_free (self->store_path);
  g_free (self->pending_error);
  g_free (self->last_error);
  g_mutex_clear (&self->notify_mutex);
  g_mutex_clear (&self->worker_mutex);
  g_mutex_clear (&self->idle_mutex);
  g_cond_clear (&self->idle_cond);
  G_OBJECT_CLASS (lb_account_parent_class)->finalize (object);
}

static void
lb_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LbAccount *self = LB_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->row->id);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->row->email);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, lb_account_get_display_name (self));
      break;
    case PROP_COLOR:
      g_value_set_string (value, lb_account_get_color (self));
      break;
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_INBOX_UNREAD:
      g_value_set_uint (value, lb_account_get_inbox_unread (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_account_class_init (LbAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = lb_account_dispose;
  object_class->finalize = lb_account_finalize;
  object_class->get_property = lb_account_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL, ro);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, ro);
  properties[PROP_COLOR] = g_param_spec_string ("color", NULL, NULL, NULL, ro);
  properties[PROP_STATUS] = g_param_spec_int ("status", NULL, NULL, 0, LB_ACCOUNT_STATUS_ERROR, 0, ro);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  properties[PROP_INBOX_UNREAD] = g_param_spec_uint ("inbox-unread", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LbAccount::messages-changed:
   * @folder_ids: (element-type gint64): the folders whose messages changed
   *
   * Emitted on the main context after the worker committed changes.
   */
  signals[MESSAGES_CHANGED] =
    g_signal_new ("messages-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[FOLDERS_CHANGED] =
    g_signal_new ("folders-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lb_account_init (LbAccount *self)
{
  self->folders = g_list_store_new (LB_TYPE_FOLDER);
  self->changed_folders = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_mutex_init (&self->notify_mutex);
  g_mutex_init (&self->worker_mutex);
  g_mutex_init (&self->idle_mutex);
  g_cond_init (&self->idle_cond);
  self->status = LB_ACCOUNT_STATUS_IDLE;
}

/* ---- Change delivery ------------------------------------------------------ */

static gboolean
dispatch_changes (gpointer data)
{
  LbAccount *self = data;
  g_autoptr(GArray) folders = NULL;
  gboolean folders_changed;
  gboolean status_pending;
  LbAccountStatus status;
  g_autofree char *error_text = NULL;

  g_mutex_lock (&self->notify_mutex);
  folders = self->changed_folders;
  self->changed_folders = g_array_new (FALSE, FALSE, sizeof (gint64));
  folders_changed = self->folders_changed;
  self->folders_changed = FALSE;
  status_pending = self->status_pending;
  self->status_pending = FALSE;
  status = self->pending_status;
  error_text = g_steal_pointer (&self->pending_error);
  self->dispatch_pending = FALSE;
  g_mutex_unlock (&self->notify_mutex);

  if (status_pending)
    {
      if (self->status != status)
        {
          self->status = status;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
        }
      if (g_strcmp0 (self->last_error, error_text) != 0)
        {
          g_free (self->last_error);
          self->last_error = g_steal_pointer (&error_text);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
        }
    }
  if (folders_changed || folders->len > 0)
    g_signal_emit (self, signals[FOLDERS_CHANGED], 0);
  if (folders->len > 0)
    g_signal_emit (self, signals[MESSAGES_CHANGED], 0, folders);
  return G_SOURCE_REMOVE;
}

/* Called with notify_mutex held. */
static void
schedule_dispatch (LbAccount *self)
{
  if (self->dispatch_pending)
    return;
  self->dispatch_pending = TRUE;
  /* Not g_main_context_invoke(): it runs the callback right here, on the worker thread,
   * whenever the main context happens to be unowned (a CLI between iterations). */
  {
    g_autoptr(GSource) source = g_idle_source_new ();
    g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
    g_source_set_callback (source, dispatch_changes, g_object_ref (self), g_object_unref);
    g_source_set_static_name (source, "[letterbox] account changes");
    g_source_attach (source, self->main_context);
  }
}

static void
on_folders_changed (gpointer user_data)
{
  LbAccount *self = user_data;

  g_mutex_lock (&self->notify_mutex);
  self->folders_changed = TRUE;
  schedule_dispatch (self);
  g_mutex_unlock (&self->notify_mutex);
}

static void
on_messages_changed (gint64   folder_id,
                     gpointer user_data)
{
  LbAccount *self = user_data;
  gboolean found = FALSE;

  g_mutex_lock (&self->notify_mutex);
  for (guint i = 0; i < self->changed_folders->len && !found; i++)
    found = g_array_index (self->changed_folders, gint64, i) == folder_id;
  if (!found)
    g_array_append_val (self->changed_folders, folder_id);
  schedule_dispatch (self);
  g_mutex_unlock (&self->notify_mutex);
}

static void
report_status (LbAccount       *self,
               LbAccountStatus  status,
               const char      *error_text)
{
  g_mutex_lock (&self->notify_mutex);
  self->status_pending = TRUE;
  self->pending_status = status;
  g_free (self->pending_error);
  self->pending_error = g_strdup (error_text);
  schedule_dispatch (self);
  g_mutex_unlock (&self->notify_mutex);
}

/* Network trouble is retried quietly; a refusal needs the user. */
static LbAccountStatus
status_for_error (const GError *error)
{
  if (g_error_matches (error, LB_ERROR, LB_ERROR_NETWORK) ||
      g_error_matches (error, LB_ERROR, LB_ERROR_DNS) ||
      g_error_matches (error, LB_ERROR, LB_ERROR_TIMEOUT))
    return LB_ACCOUNT_STATUS_OFFLINE;
  return LB_ACCOUNT_STATUS_ERROR;
}

/* ---- Construction ----------------------------------------------------------- */

char *
_lb_account_secret_key (gint64 account_id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
}

static char *
keyring_password (gpointer       user_data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  LbAccount *self = user_data;
  g_autofree char *key = _lb_account_secret_key (self->row->id);

  return lb_secrets_lookup_sync (key, cancellable, error);
}

static char *
account_password (gpointer       user_data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  LbAccount *self = user_data;

  return self->password_func (self->password_data, cancellable, error);
}

static LbServerConfig *
imap_config (LbAccount *self)
{
  LbServerConfig *c = lb_server_config_new (self->row->imap_host, self->row->imap_port,
                                            self->row->imap_security, self->row->username);
  c->ca_file = g_strdup (self->row->ca_file);
  c->proxy = g_strdup (self->row->proxy);
  return c;
}

LbAccount *
_lb_account_new (const LbStoreAccount  *row,
                 const char            *store_path,
                 GError               **error)
{
  g_autoptr(LbAccount) self = g_object_new (LB_TYPE_ACCOUNT, NULL);
  g_autoptr(LbServerConfig) config = NULL;
  static const LbImapSyncCallbacks callbacks = {
    on_folders_changed, on_messages_changed, NULL,
  };

  self->row = lb_store_account_copy (row);
  self->store_path = g_strdup (store_path);
  self->main_context = g_main_context_ref_thread_default ();
  if (row->provider_id != NULL)
    {
      LbProvider *p = lb_provider_db_lookup_id (lb_provider_db_get_default (), row->provider_id);
      self->provider = p != NULL ? lb_provider_ref (p) : NULL;
    }
  self->password_func = keyring_password;
  self->password_data = self;

  /* The worker's own write connection: SQLite connections are never shared across threads. */
  self->wdata.account = self;
  self->wdata.store = lb_store_open (store_path, LB_STORE_OPEN_DEFAULT, error);
  if (self->wdata.store == NULL)
    return NULL;
  config = imap_config (self);
  self->wdata.sync = lb_imap_sync_new (self->wdata.store, row->id, config, self->provider,
                                       &callbacks, self);
  lb_imap_sync_set_password_func (self->wdata.sync, account_password, self);
  return g_steal_pointer (&self);
}

void
_lb_account_set_password_func (LbAccount          *self,
                               LbImapPasswordFunc  func,
                               gpointer            user_data)
{
  self->password_func = func;
  self->password_data = user_data;
}

const LbStoreAccount *
_lb_account_get_row (LbAccount *self)
{
  return self->row;
}

/* ---- Folders (main thread) --------------------------------------------------- */

static int
folder_sort (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  return _lb_folder_compare ((LbFolder *) a, (LbFolder *) b);
}

void
_lb_account_reload_folders (LbAccount *self,
                            LbStore   *read_store)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GArray) counts = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint old_n = g_list_model_get_n_items (G_LIST_MODEL (self->folders));
  gboolean same_set;
  guint old_unread = lb_account_get_inbox_unread (self);

  rows = lb_store_list_folders (read_store, self->row->id, NULL);
  counts = lb_store_get_folder_counts (read_store, self->row->id, NULL);
  if (rows == NULL)
    return;

  same_set = rows->len == old_n;
  for (guint i = 0; i < rows->len; i++)
    {
      LbStoreFolder *r = g_ptr_array_index (rows, i);
      guint total = 0, unread = 0;
      LbFolder *existing = lb_account_get_folder (self, r->id);

      for (guint j = 0; counts != NULL && j < counts->len; j++)
        {
          LbStoreFolderCount *c = &g_array_index (counts, LbStoreFolderCount, j);
          if (c->folder_id == r->id)
            {
              total = c->total;
              unread = c->unread;
            }
        }
      if (existing != NULL)
        {
          LbFolderRole old_role = lb_folder_get_role (existing);
          _lb_folder_update (existing, r, total, unread);
          same_set &= old_role == lb_folder_get_role (existing);
          g_ptr_array_add (items, g_object_ref (existing));
        }
      else
        {
          same_set = FALSE;
          g_ptr_array_add (items, _lb_folder_new_from_store (r, total, unread));
        }
    }

  /* Counts change all the time and are notified per folder; the list itself is only
   * replaced when folders come, go or change role. */
  if (!same_set)
    {
      g_list_store_splice (self->folders, 0, old_n, items->pdata, items->len);
      g_list_store_sort (self->folders, folder_sort, NULL);
    }
  if (old_unread != lb_account_get_inbox_unread (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INBOX_UNREAD]);
}

/* ---- Accessors ----------------------------------------------------------------- */

gint64 lb_account_get_id (LbAccount *self) { return self->row->id; }
const char *lb_account_get_email (LbAccount *self) { return self->row->email; }
const char *lb_account_get_provider_id (LbAccount *self) { return self->row->provider_id; }
LbAccountStatus lb_account_get_status (LbAccount *self) { return self->status; }
const char *lb_account_get_last_error (LbAccount *self) { return self->last_error; }
GListModel *lb_account_get_folders (LbAccount *self) { return G_LIST_MODEL (self->folders); }

const char *
lb_account_get_display_name (LbAccount *self)
{
  if (self->row->display_name != NULL && self->row->display_name[0] != '\0')
    return self->row->display_name;
  return self->row->email;
}

/* A stable colour per account, from GNOME's palette, unless one was chosen. */
const char *
lb_account_get_color (LbAccount *self)
{
  static const char * const palette[] = {
    "#3584e4", "#2ec27e", "#e5a50a", "#e66100", "#c061cb", "#986a44", "#1c71d8", "#26a269",
  };

  if (self->row->color != NULL && self->row->color[0] != '\0')
    return self->row->color;
  return palette[(guint64) self->row->id % G_N_ELEMENTS (palette)];
}

LbFolder *
lb_account_get_folder (LbAccount *self,
                       gint64     folder_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->folders));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbFolder) f = g_list_model_get_item (G_LIST_MODEL (self->folders), i);
      if (lb_folder_get_id (f) == folder_id)
        return f;   /* the store keeps a reference */
    }
  return NULL;
}

LbFolder *
lb_account_find_folder (LbAccount    *self,
                        LbFolderRole  role)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->folders));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbFolder) f = g_list_model_get_item (G_LIST_MODEL (self->folders), i);
      if (lb_folder_get_role (f) == role)
        return f;
    }
  return NULL;
}

guint
lb_account_get_inbox_unread (LbAccount *self)
{
  LbFolder *inbox = lb_account_find_folder (self, LB_FOLDER_ROLE_INBOX);

  return inbox != NULL ? lb_folder_get_unread_count (inbox) : 0;
}

/* ---- Jobs ------------------------------------------------------------------------- */

void
_lb_account_push (LbAccount      *self,
                  LbJobPriority   priority,
                  const char     *key,
                  LbJobFunc       func,
                  gpointer        job_data,
                  GDestroyNotify  job_data_free,
                  GDestroyNotify  result_free,
                  GTask          *task)
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
    _lb_account_push (w->account, LB_JOB_PRIORITY_BACKGROUND, "index", index_job,
                      NULL, NULL, NULL, NULL);
  return GINT_TO_POINTER (1);
}

static gpointer
prefetch_job (gpointer       worker_data,
              gpointer       job_data,
              GCancellable  *cancellable,
              GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  gint64 inbox = lb_imap_sync_find_folder (w->sync, LB_FOLDER_ROLE_INBOX);
  g_autoptr(GError) local_error = NULL;

  if (inbox > 0 &&
      lb_imap_sync_prefetch_bodies (w->sync, inbox, PREFETCH_RECENT, cancellable, &local_error) == 0 &&
      local_error != NULL)
    g_debug ("Prefetching bodies of account %" G_GINT64_FORMAT ": %s", w->account->row->id,
             local_error->message);
  _lb_account_push (w->account, LB_JOB_PRIORITY_BACKGROUND, "index", index_job,
                    NULL, NULL, NULL, NULL);
  return GINT_TO_POINTER (1);
}

static gpointer
sync_job (gpointer       worker_data,
          gpointer       job_data,
          GCancellable  *cancellable,
          GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  gint64 folder_id = *(gint64 *) job_data;
  g_autoptr(GError) local_error = NULL;
  gboolean reused = lb_imap_session_is_connected (lb_imap_sync_get_session (w->sync));
  gboolean ok;

  report_status (w->account, reused ? LB_ACCOUNT_STATUS_SYNCING : LB_ACCOUNT_STATUS_CONNECTING,
                 NULL);

  for (guint attempt = 0; ; attempt++)
    {
      /* Local changes go to the server before the server's state is read back. */
      ok = lb_imap_sync_replay (w->sync, NULL, cancellable, &local_error);
      if (ok)
        {
          report_status (w->account, LB_ACCOUNT_STATUS_SYNCING, NULL);
          if (folder_id == 0)
            ok = lb_imap_sync_all (w->sync, cancellable, &local_error);
          else
            ok = lb_imap_sync_folder (w->sync, folder_id, cancellable, &local_error);
        }
      /* A kept connection may have died while unused (a network change, a NAT timeout,
       * the server's idle limit); that is no reason to fail the sync: try once more on a
       * new connection.  Replaying and syncing again are idempotent. */
      if (ok || attempt > 0 || !reused
          || !g_error_matches (local_error, LB_ERROR, LB_ERROR_NETWORK)
          || g_cancellable_is_cancelled (cancellable))
        break;
      g_debug ("Account %" G_GINT64_FORMAT ": the kept connection had died (%s); reconnecting",
               w->account->row->id, local_error->message);
      g_clear_error (&local_error);
      lb_imap_session_disconnect (lb_imap_sync_get_session (w->sync));
    }

  g_debug ("Sync of account %" G_GINT64_FORMAT " folder %" G_GINT64_FORMAT ": %s",
           w->account->row->id, folder_id, ok ? "done" : local_error->message);
  if (!ok)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report_status (w->account, status_for_error (local_error), local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  report_status (w->account, LB_ACCOUNT_STATUS_IDLE, NULL);
  /* Then, behind anything the user asks for: recent bodies, and the search index. */
  _lb_account_push (w->account, LB_JOB_PRIORITY_BACKGROUND, "prefetch", prefetch_job,
                    NULL, NULL, NULL, NULL);
  return GINT_TO_POINTER (1);
}

/**
 * lb_account_sync_async:
 * @folder_id: a folder of this account, or 0 for the folder list and every folder
 *   (INBOX first)
 *
 * Queues a sync on the account's worker.  Equal requests merge.
 */
void
lb_account_sync_async (LbAccount           *self,
                       gint64               folder_id,
                       LbJobPriority        priority,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *key = g_strdup_printf ("sync:%" G_GINT64_FORMAT, folder_id);

  g_task_set_source_tag (task, lb_account_sync_async);
  _lb_account_push (self, priority, key, sync_job, g_memdup2 (&folder_id, sizeof folder_id),
                    g_free, NULL, task);
}

gboolean
lb_account_sync_finish (LbAccount     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

static gpointer
fetch_body_job (gpointer       worker_data,
                gpointer       job_data,
                GCancellable  *cancellable,
                GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  gint64 message_id = *(gint64 *) job_data;
  GBytes *body = lb_store_get_body (w->store, message_id, NULL);

  if (body != NULL)
    return body;
  return lb_imap_sync_fetch_body (w->sync, message_id, cancellable, error);
}

/**
 * lb_account_fetch_body_async:
 *
 * Gets the raw message: from the store's cache, else from the server with
 * BODY.PEEK[] (which never marks it read), storing it for offline reading.
 */
void
lb_account_fetch_body_async (LbAccount           *self,
                             gint64               message_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lb_account_fetch_body_async);
  _lb_account_push (self, LB_JOB_PRIORITY_USER, NULL, fetch_body_job,
                    g_memdup2 (&message_id, sizeof message_id), g_free,
                    (GDestroyNotify) g_bytes_unref, task);
}

GBytes *
lb_account_fetch_body_finish (LbAccount     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
replay_job (gpointer       worker_data,
            gpointer       job_data,
            GCancellable  *cancellable,
            GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  g_autoptr(GError) local_error = NULL;
  guint failed = 0;

  if (!lb_imap_sync_replay (w->sync, &failed, cancellable, &local_error))
    {
      /* Offline: the queue is kept and replayed by the next sync. */
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report_status (w->account, status_for_error (local_error), local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (failed > 0)
    {
      /* Bring the refused changes' folders back in line at once. */
      lb_imap_sync_all (w->sync, cancellable, NULL);
      report_status (w->account, LB_ACCOUNT_STATUS_ERROR,
                     _("The server refused a change; it was undone."));
    }
  return GINT_TO_POINTER (1);
}

/* Sends queued local changes soon, ahead of background sync. */
void
_lb_account_queue_replay (LbAccount *self)
{
  _lb_account_push (self, LB_JOB_PRIORITY_USER, "replay", replay_job, NULL, NULL, NULL, NULL);
}

/* ---- Push: IDLE or polling ------------------------------------------------------------ */

/* Sleeps up to @seconds; returns FALSE at once when the account is stopping. */
static gboolean
idle_wait (LbAccount *self,
           guint      seconds)
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

static void
queue_inbox_sync (LbAccount *self,
                  gint64     inbox_id)
{
  _lb_account_push (self, LB_JOB_PRIORITY_VISIBLE,
                    inbox_id != 0 ? "sync:inbox" : "sync:0",
                    sync_job, g_memdup2 (&inbox_id, sizeof inbox_id), g_free, NULL, NULL);
}

static gint64
find_inbox_id (LbAccount *self,
               LbStore   *store)
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

static gpointer
idle_thread (gpointer data)
{
  LbAccount *self = data;
  g_autoptr(LbImapSession) session = lb_imap_session_new ();
  g_autoptr(LbServerConfig) config = imap_config (self);
  g_autoptr(LbStore) store = lb_store_open (self->store_path, LB_STORE_OPEN_READ_ONLY, NULL);
  guint backoff = BACKOFF_MIN_SECONDS;
  LbQuirks quirks;

  lb_quirks_init (&quirks);
  if (self->provider != NULL)
    lb_provider_get_quirks (self->provider, &quirks);
  lb_imap_session_set_timeout (session, IDLE_ANSWER_MS);
  lb_imap_session_set_provider (session, self->provider);

  /* The first full sync; afterwards INBOX is synced whenever IDLE says it changed. */
  queue_inbox_sync (self, 0);

  while (!g_cancellable_is_cancelled (self->idle_cancellable))
    {
      g_autoptr(GError) error = NULL;
      gint64 inbox_id = store != NULL ? find_inbox_id (self, store) : 0;

      if (!lb_imap_session_is_connected (session))
        {
          g_autoptr(LbSecret) password = account_password (self, self->idle_cancellable, &error);

          if (password == NULL ||
              !lb_imap_session_connect_sync (session, config, password, quirks.id_required,
                                             self->idle_cancellable, &error))
            goto failed;
          lb_quirks_merge_capabilities (&quirks, lb_imap_session_get_capabilities (session));
          if (quirks.poll_instead_of_idle || !lb_imap_session_has_capability (session, "IDLE"))
            {
              /* Polling servers get no connection held open; QQ-style rate limits
               * make that the polite choice too. */
              lb_imap_session_logout (session);
              if (!idle_wait (self, quirks.poll_interval > 0 ? quirks.poll_interval
                                                              : LB_QUIRKS_DEFAULT_POLL_INTERVAL))
                break;
              queue_inbox_sync (self, inbox_id);
              continue;
            }
          if (!lb_imap_session_select_sync (session, "INBOX", TRUE, NULL, NULL, NULL, NULL,
                                            self->idle_cancellable, &error))
            goto failed;
          backoff = BACKOFF_MIN_SECONDS;
          g_debug ("IDLE on account %" G_GINT64_FORMAT ": watching INBOX", self->row->id);
        }

      {
        gboolean changed = FALSE;

        if (!lb_imap_session_idle_sync (session, idle_renew_seconds (), &changed,
                                        self->idle_cancellable, &error))
          goto failed;
        g_debug ("IDLE on account %" G_GINT64_FORMAT " ended: %s", self->row->id,
                 changed ? "INBOX changed" : "renewing");
        if (changed)
          queue_inbox_sync (self, inbox_id);
        continue;
      }

    failed:
      if (g_cancellable_is_cancelled (self->idle_cancellable))
        break;
      g_debug ("IDLE for account %" G_GINT64_FORMAT ": %s; retrying in %u s", self->row->id,
               error != NULL ? error->message : "?", backoff);
      lb_imap_session_disconnect (session);
      if (!idle_wait (self, backoff))
        break;
      backoff = MIN (backoff * 2, BACKOFF_MAX_SECONDS);
      /* A reconnect may have missed changes. */
      queue_inbox_sync (self, inbox_id);
    }

  lb_imap_session_disconnect (session);
  return NULL;
}

static void
wake_idle (GCancellable *cancellable,
           LbAccount    *self)
{
  g_mutex_lock (&self->idle_mutex);
  g_cond_broadcast (&self->idle_cond);
  g_mutex_unlock (&self->idle_mutex);
}

/**
 * lb_account_start:
 *
 * Starts background sync: a full sync now, then IDLE on INBOX (or polling), with
 * reconnects and backoff.
 */
void
lb_account_start (LbAccount *self)
{
  g_autofree char *name = NULL;

  g_return_if_fail (LB_IS_ACCOUNT (self));

  /* A stopped account is not restarted: the engine builds a new object instead. */
  if (self->started || self->closed)
    return;
  self->started = TRUE;
  self->idle_cancellable = g_cancellable_new ();
  g_cancellable_connect (self->idle_cancellable, G_CALLBACK (wake_idle), self, NULL);
  name = g_strdup_printf ("lb-idle-%" G_GINT64_FORMAT, self->row->id);
  self->idle_thread = g_thread_new (name, idle_thread, self);
  /* Text queued for the search index before the last quit (or by a store migration that
   * rebuilds the index) is indexed offline too, behind the first sync. */
  _lb_account_push (self, LB_JOB_PRIORITY_BACKGROUND, "index", index_job, NULL, NULL, NULL, NULL);
}

gboolean
lb_account_is_started (LbAccount *self)
{
  return self->started;
}

/**
 * lb_account_stop:
 *
 * Stops IDLE and the worker, cancelling what runs.  Blocks until both threads end,
 * which cancellation makes prompt.
 */
void
lb_account_stop (LbAccount *self)
{
  if (self->idle_thread != NULL)
    {
      g_cancellable_cancel (self->idle_cancellable);
      g_thread_join (self->idle_thread);
      self->idle_thread = NULL;
    }
  g_clear_object (&self->idle_cancellable);
  {
    LbWorker *worker;

    g_mutex_lock (&self->worker_mutex);
    self->closed = TRUE;
    worker = g_steal_pointer (&self->worker);
    g_mutex_unlock (&self->worker_mutex);
    /* Joins the thread; a job finishing meanwhile finds the account closed. */
    lb_worker_free (worker);
  }
  self->started = FALSE;
}
