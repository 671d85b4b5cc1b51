/* lb-account.c: one mail account and its background sync
 *
 * Main thread only.  What runs on the account's threads (the worker with its jobs, the
 * IDLE or polling thread) lives in worker/lb-account-worker.c, which reports status and
 * changes through callbacks; they are gathered here under a mutex and delivered on the
 * main context by one idle callback, which refreshes the folder model and emits
 * ::messages-changed once per batch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-account-private.h"
#include "lb-error.h"
#include "lb-folder-private.h"
#include "lb-provider-db.h"
#include "lb-secrets.h"
#include "lb-store-locations.h"

struct _LbAccount
{
  GObject          parent_instance;

  LbStoreAccount  *row;
  char            *store_path;
  char            *profile_id;    /* whose keyring items are this profile's */
  LbProvider      *provider;
  GListStore      *folders;
  GMainContext    *main_context;

  LbAccountWorker *worker;
  LbImapPasswordFunc password_func;
  gpointer         password_data;

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
  gboolean         needs_sign_in;   /* as last notified */
  gboolean         started;
  gboolean         closed;        /* stopped: never started again */
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
  PROP_NEEDS_SIGN_IN,
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

  g_clear_pointer (&self->worker, lb_account_worker_free);
  g_clear_pointer (&self->row, lb_store_account_free);
  g_clear_pointer (&self->provider, lb_provider_unref);
  g_clear_object (&self->folders);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_clear_pointer (&self->changed_folders, g_array_unref);
  g_free (self->store_path);
  g_free (self->profile_id);
  g_free (self->pending_error);
  g_free (self->last_error);
  g_mutex_clear (&self->notify_mutex);
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
    case PROP_NEEDS_SIGN_IN:
      g_value_set_boolean (value, lb_account_get_needs_sign_in (self));
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
  /**
   * LbAccount:needs-sign-in:
   *
   * See lb_account_get_needs_sign_in(); notified with the status change that comes
   * with it.
   */
  properties[PROP_NEEDS_SIGN_IN] = g_param_spec_boolean ("needs-sign-in", NULL, NULL, FALSE, ro);
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
      /* The worker knows of a refused grant before it reports the error. */
      if (LB_AUTH_IS_TOKEN (self->row->auth) &&
          self->needs_sign_in != lb_account_get_needs_sign_in (self))
        {
          self->needs_sign_in = !self->needs_sign_in;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_SIGN_IN]);
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
on_status (LbAccountStatus  status,
           const char      *error_text,
           gpointer         user_data)
{
  LbAccount *self = user_data;

  g_mutex_lock (&self->notify_mutex);
  self->status_pending = TRUE;
  self->pending_status = status;
  g_free (self->pending_error);
  self->pending_error = g_strdup (error_text);
  schedule_dispatch (self);
  g_mutex_unlock (&self->notify_mutex);
}

/* ---- Construction ----------------------------------------------------------- */

char *
_lb_account_secret_key (gint64 account_id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
}

const char *
_lb_account_get_profile_id (LbAccount *self)
{
  return self->profile_id;
}

/* On the worker or the IDLE thread: only the account's immutable row and profile id. */
static char *
keyring_password (gpointer       user_data,
                  const char    *refused,
                  GCancellable  *cancellable,
                  GError       **error)
{
  LbAccount *self = user_data;
  g_autofree char *key = _lb_account_secret_key (self->row->id);

  return lb_secrets_lookup_sync (self->profile_id, key, self->row->email, cancellable, error);
}

static char *
account_password (gpointer       user_data,
                  const char    *refused,
                  GCancellable  *cancellable,
                  GError       **error)
{
  LbAccount *self = user_data;

  return self->password_func (self->password_data, refused, cancellable, error);
}

/* On the thread that refreshed: the server rotated the refresh token; the old one is
 * no longer valid, so the keyring's is replaced at once. */
static void
keyring_rotated (const char *refresh_token,
                 gpointer    user_data)
{
  LbAccount *self = user_data;
  g_autofree char *key = _lb_account_secret_key (self->row->id);
  g_autoptr(GError) error = NULL;

  if (!lb_secrets_store_sync (self->profile_id, key, self->row->email, refresh_token, NULL,
                              &error))
    g_warning ("Cannot keep the new sign-in of account %" G_GINT64_FORMAT ": %s",
               self->row->id, error->message);
}

LbAccount *
_lb_account_new (const LbStoreAccount  *row,
                 const char            *store_path,
                 const char            *profile_id,
                 GError               **error)
{
  g_autoptr(LbAccount) self = g_object_new (LB_TYPE_ACCOUNT, NULL);
  static const LbAccountWorkerCallbacks callbacks = {
    on_status, on_folders_changed, on_messages_changed,
  };

  self->row = lb_store_account_copy (row);
  self->store_path = g_strdup (store_path);
  self->profile_id = g_strdup (profile_id);
  self->main_context = g_main_context_ref_thread_default ();
  if (row->provider_id != NULL)
    {
      LbProvider *p = lb_provider_db_lookup_id (lb_provider_db_get_default (), row->provider_id);
      self->provider = p != NULL ? lb_provider_ref (p) : NULL;
    }
  self->password_func = keyring_password;
  self->password_data = self;

  /* The account worker keeps no reference: the account stops it in dispose. */
  self->worker = lb_account_worker_new (row, store_path, self->provider, account_password, self,
                                        &callbacks, self, error);
  if (self->worker == NULL)
    return NULL;
  lb_account_worker_set_rotated_func (self->worker, keyring_rotated, self);
  if (row->needs_sign_in)
    {
      self->needs_sign_in = TRUE;
      self->status = LB_ACCOUNT_STATUS_ERROR;
      /* An Online Accounts account is asked again when its threads start, and shows
       * Online Accounts' own answer then. */
      self->last_error = g_strdup (row->auth == LB_AUTH_GOA
                                   ? _("Online Accounts needs you to sign in to this account again. "
                                       "Open Settings, Online Accounts.")
                                   : _("The sign-in is no longer valid. Sign in to this account again."));
    }
  return g_steal_pointer (&self);
}

/**
 * lb_account_get_auth:
 *
 * Returns: whether the account logs in with a password or with OAuth2
 */
LbAuthKind
lb_account_get_auth (LbAccount *self)
{
  g_return_val_if_fail (LB_IS_ACCOUNT (self), LB_AUTH_PASSWORD);
  return self->row->auth;
}

/**
 * lb_account_get_needs_sign_in:
 *
 * An OAuth2 account whose grant the provider refused (revoked, expired, password
 * changed) needs the user to sign in again: its status is then
 * %LB_ACCOUNT_STATUS_ERROR with a #LbAccount:last-error that says so, nothing is retried,
 * and signing in again (lb_engine_update_account_async() with the new refresh token)
 * keeps the account's id and mail.  The state is kept in the store, so every process
 * sees it.  For an Online Accounts account (%LB_AUTH_GOA) it means that Online Accounts
 * refused (NOT_AUTHORIZED) or no longer offers the account: the fix is in Settings, and
 * the account asks Online Accounts again whenever it is rebuilt (a new process, or
 * lb_engine_update_account_async() without a secret), ending the state when it answers.
 *
 * Returns: %TRUE when the account must be signed in again
 */
gboolean
lb_account_get_needs_sign_in (LbAccount *self)
{
  g_return_val_if_fail (LB_IS_ACCOUNT (self), FALSE);
  if (!LB_AUTH_IS_TOKEN (self->row->auth))
    return FALSE;
  /* The account's threads know it as it happens (and record it in the store, from which
   * other processes build their accounts); asking them is no I/O on the main thread. */
  if (self->worker != NULL)
    return lb_account_worker_get_needs_sign_in (self->worker);
  return self->row->needs_sign_in;
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
          g_autofree char *old_path = g_strdup (lb_folder_get_path (existing));

          _lb_folder_update (existing, r, total, unread);
          /* A renamed folder takes another place in the sorted list. */
          same_set &= old_role == lb_folder_get_role (existing) &&
                      g_strcmp0 (old_path, lb_folder_get_path (existing)) == 0;
          g_ptr_array_add (items, g_object_ref (existing));
        }
      else
        {
          same_set = FALSE;
          g_ptr_array_add (items, _lb_folder_new_from_store (r, total, unread));
        }
    }

  /* Counts change all the time and are notified per folder; the list itself is only
   * replaced when folders come, go, change role or are renamed. */
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

/**
 * lb_account_get_signature:
 *
 * Returns: (nullable): the plain-text signature of the account's own address
 */
const char *
lb_account_get_signature (LbAccount *self)
{
  g_return_val_if_fail (LB_IS_ACCOUNT (self), NULL);
  return self->row->signature;
}

/**
 * lb_account_get_aliases:
 *
 * Returns: (transfer none) (element-type LbIdentity): the other addresses the account
 *   sends as, in the user's order; empty when there are none
 */
GPtrArray *
lb_account_get_aliases (LbAccount *self)
{
  g_return_val_if_fail (LB_IS_ACCOUNT (self), NULL);
  if (self->row->aliases == NULL)
    self->row->aliases = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_identity_free);
  return self->row->aliases;
}

/**
 * lb_account_get_proxy:
 *
 * Returns: (nullable): the proxy as #LbServerConfig holds it: a URL, %LB_PROXY_NONE, or
 *   %NULL for the system setting
 */
const char *
lb_account_get_proxy (LbAccount *self)
{
  g_return_val_if_fail (LB_IS_ACCOUNT (self), NULL);
  return self->row->proxy;
}

/**
 * lb_account_find_identity:
 * @email: an address, compared without regard to case
 *
 * Returns: (nullable) (transfer none): the alias with that address, or %NULL (the
 *   account's own address is not an alias)
 */
const LbIdentity *
lb_account_find_identity (LbAccount  *self,
                          const char *email)
{
  GPtrArray *aliases = lb_account_get_aliases (self);

  for (guint i = 0; email != NULL && i < aliases->len; i++)
    {
      const LbIdentity *alias = g_ptr_array_index (aliases, i);

      if (g_ascii_strcasecmp (alias->email, email) == 0)
        return alias;
    }
  return NULL;
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
  lb_account_worker_push (self->worker, priority, key, func, job_data, job_data_free,
                          result_free, task);
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

  g_task_set_source_tag (task, lb_account_sync_async);
  lb_account_worker_queue_sync (self->worker, folder_id, priority, task);
}

gboolean
lb_account_sync_finish (LbAccount     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
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
  lb_account_worker_queue_fetch_body (self->worker, message_id, task);
}

GBytes *
lb_account_fetch_body_finish (LbAccount     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Sends queued local changes soon, ahead of background sync. */
void
_lb_account_queue_replay (LbAccount *self)
{
  lb_account_worker_queue_replay (self->worker);
}

/* ---- Background sync ---------------------------------------------------------- */

/**
 * lb_account_start:
 *
 * Starts background sync: a full sync now, then IDLE on INBOX (or polling), with
 * reconnects and backoff.
 */
void
lb_account_start (LbAccount *self)
{
  g_return_if_fail (LB_IS_ACCOUNT (self));

  /* A stopped account is not restarted: the engine builds a new object instead. */
  if (self->started || self->closed)
    return;
  self->started = TRUE;
  lb_account_worker_start (self->worker);
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
  self->closed = TRUE;
  if (self->worker != NULL)
    lb_account_worker_stop (self->worker);
  self->started = FALSE;
}
