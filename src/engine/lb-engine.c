/* lb-engine.c: the entry point to Letterbox's engine
 *
 * The engine owns the store's main-thread read connection, the accounts, and one
 * "local" worker with its own write connection.  User actions are local-first: the
 * affected LbMessage objects change at once (rows redraw in the same frame), the local
 * worker writes the change and its replay entry in one transaction, and the account's
 * worker sends it to the server.  Deletes and moves wait LB_UNDO_SECONDS before they are
 * committed; until then their rows are only hidden, so Undo costs nothing and the
 * server never sees a change that was taken back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-account-private.h"
#include "lb-curl.h"
#include "lb-engine-private.h"
#include "lb-imap-parser.h"
#include "lb-message-private.h"
#include "lb-mime.h"
#include "lb-secrets.h"
#include "lb-store-locations.h"
#include "lb-worker.h"

typedef struct {
  gint64   message_id;
  gint64   location_id;
  gint64   account_id;
  gint64   folder_id;
  guint32  uid;
} Target;

typedef struct {
  guint          id;
  LbStoreOpKind  kind;
  gint64         dest_folder_id;
  LbFolderRole   dest_role;
  GArray        *targets;   /* Target */
  guint          timeout_id;
} Pending;

struct _LbEngine
{
  GObject        parent_instance;
  char          *data_dir;
  char          *store_path;
  LbStore       *read_store;
  GListStore    *accounts;
  LbWorker      *local;
  LbStore       *local_store;
  LbMessageList *unified;
  GHashTable    *hidden;     /* location id -> pending id */
  GHashTable    *pending;    /* pending id -> Pending* */
  guint          next_pending;
  gboolean       started;
  guint          unified_unread;
};

G_DEFINE_FINAL_TYPE (LbEngine, lb_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_UNIFIED_UNREAD,
  N_PROPS
};

enum {
  MESSAGES_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

LbAccountSettings *
lb_account_settings_new (void)
{
  return g_new0 (LbAccountSettings, 1);
}

void
lb_account_settings_free (LbAccountSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->email);
  g_free (settings->display_name);
  g_free (settings->provider_id);
  lb_server_config_free (settings->imap);
  lb_server_config_free (settings->smtp);
  g_free (settings);
}

static void
pending_free (Pending *p)
{
  g_clear_handle_id (&p->timeout_id, g_source_remove);
  g_array_unref (p->targets);
  g_free (p);
}

static void
lb_engine_dispose (GObject *object)
{
  LbEngine *self = LB_ENGINE (object);

  lb_engine_shutdown (self);
  G_OBJECT_CLASS (lb_engine_parent_class)->dispose (object);
}

static void
lb_engine_finalize (GObject *object)
{
  LbEngine *self = LB_ENGINE (object);

  g_clear_pointer (&self->local, lb_worker_free);
  g_clear_object (&self->local_store);
  g_clear_object (&self->unified);
  g_clear_object (&self->accounts);
  g_clear_object (&self->read_store);
  g_clear_pointer (&self->hidden, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_free (self->data_dir);
  g_free (self->store_path);
  G_OBJECT_CLASS (lb_engine_parent_class)->finalize (object);
}

static void
lb_engine_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LbEngine *self = LB_ENGINE (object);

  switch (prop_id)
    {
    case PROP_UNIFIED_UNREAD:
      g_value_set_uint (value, self->unified_unread);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_engine_class_init (LbEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lb_engine_dispose;
  object_class->finalize = lb_engine_finalize;
  object_class->get_property = lb_engine_get_property;

  properties[PROP_UNIFIED_UNREAD] =
    g_param_spec_uint ("unified-unread", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LbEngine::messages-changed:
   * @folder_ids: (element-type gint64): folders whose messages changed
   *
   * Emitted on the main context whenever sync or a local change touched messages.
   */
  signals[MESSAGES_CHANGED] =
    g_signal_new ("messages-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
lb_engine_init (LbEngine *self)
{
  self->accounts = g_list_store_new (LB_TYPE_ACCOUNT);
  self->hidden = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) pending_free);
}

static void
update_unified_unread (LbEngine *self)
{
  guint unread = 0;

  if (!lb_store_count_messages (self->read_store, LB_STORE_UNIFIED_INBOX, NULL, &unread, NULL))
    return;
  if (unread != self->unified_unread)
    {
      self->unified_unread = unread;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNIFIED_UNREAD]);
    }
}

static void
emit_changed (LbEngine *self,
              GArray   *folder_ids)
{
  update_unified_unread (self);
  g_signal_emit (self, signals[MESSAGES_CHANGED], 0, folder_ids);
}

static void
on_account_messages_changed (LbAccount *account,
                             GArray    *folder_ids,
                             LbEngine  *self)
{
  emit_changed (self, folder_ids);
}

static void
on_account_folders_changed (LbAccount *account,
                            LbEngine  *self)
{
  _lb_account_reload_folders (account, self->read_store);
}

static LbAccount *
adopt_account (LbEngine              *self,
               const LbStoreAccount  *row,
               GError               **error)
{
  g_autoptr(LbAccount) account = _lb_account_new (row, self->store_path, error);

  if (account == NULL)
    return NULL;
  g_signal_connect_object (account, "messages-changed",
                           G_CALLBACK (on_account_messages_changed), self, 0);
  g_signal_connect_object (account, "folders-changed",
                           G_CALLBACK (on_account_folders_changed), self, 0);
  _lb_account_reload_folders (account, self->read_store);
  g_list_store_append (self->accounts, account);
  return account;
}

/**
 * lb_engine_new:
 * @data_dir: (nullable): where the store lives; %NULL for `$XDG_DATA_HOME/letterbox`
 *
 * Opens (creating or migrating) the store and loads the accounts.  Nothing touches
 * the network until lb_engine_start().
 */
LbEngine *
lb_engine_new (const char  *data_dir,
               GError     **error)
{
  g_autoptr(LbEngine) self = g_object_new (LB_TYPE_ENGINE, NULL);
  g_autoptr(GPtrArray) rows = NULL;

  lb_curl_global_init ();
  lb_mime_init ();

  self->data_dir = data_dir != NULL ? g_strdup (data_dir)
                                    : g_build_filename (g_get_user_data_dir (), "letterbox", NULL);
  if (g_mkdir_with_parents (self->data_dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, LB_ERROR, LB_ERROR_STORE, _("Cannot create %s: %s"), self->data_dir,
                   g_strerror (saved));
      return NULL;
    }
  self->store_path = g_build_filename (self->data_dir, "letterbox.db", NULL);

  /* The writer first: it creates and migrates the file. */
  self->local_store = lb_store_open (self->store_path, LB_STORE_OPEN_DEFAULT, error);
  if (self->local_store == NULL)
    return NULL;
  /* Not memory-mapped: the main thread reads the rows on screen, a few pages here and
   * there, and through a map each page read stays in the process's resident memory with
   * its neighbours: 35 MB at start over 100,000 messages (bench-ui-list), even with the
   * counts answered from indexes (005-unread-index.sql).  Search reads on its own
   * connections, which keep the map. */
  self->read_store = lb_store_open (self->store_path,
                                    LB_STORE_OPEN_READ_ONLY | LB_STORE_OPEN_NO_MMAP, error);
  if (self->read_store == NULL)
    return NULL;
  self->local = lb_worker_new ("lb-local", self->local_store);

  rows = lb_store_list_accounts (self->read_store, error);
  if (rows == NULL)
    return NULL;
  for (guint i = 0; i < rows->len; i++)
    if (adopt_account (self, g_ptr_array_index (rows, i), error) == NULL)
      return NULL;
  update_unified_unread (self);
  return g_steal_pointer (&self);
}

const char *lb_engine_get_store_path (LbEngine *self) { return self->store_path; }
GListModel *lb_engine_get_accounts (LbEngine *self) { return G_LIST_MODEL (self->accounts); }
guint lb_engine_get_unified_unread (LbEngine *self) { return self->unified_unread; }
LbStore *_lb_engine_get_read_store (LbEngine *self) { return self->read_store; }

gboolean
_lb_engine_is_hidden (LbEngine *self,
                      gint64    location_id)
{
  return g_hash_table_contains (self->hidden, &location_id);
}

LbAccount *
lb_engine_get_account (LbEngine *self,
                       gint64    account_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      if (lb_account_get_id (a) == account_id)
        return a;
    }
  return NULL;
}

/**
 * lb_engine_find_account:
 * @email_or_id: an address (case-insensitive) or a numeric account id
 *
 * Returns: (transfer none) (nullable): the account
 */
LbAccount *
lb_engine_find_account (LbEngine   *self,
                        const char *email_or_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  char *end = NULL;
  gint64 id = g_ascii_strtoll (email_or_id, &end, 10);

  if (end != email_or_id && *end == '\0')
    return lb_engine_get_account (self, id);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      if (g_ascii_strcasecmp (lb_account_get_email (a), email_or_id) == 0)
        return a;
    }
  return NULL;
}

gboolean
_lb_engine_folder_is_inbox (LbEngine *self,
                            gint64    folder_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      LbFolder *f = lb_account_get_folder (a, folder_id);
      if (f != NULL)
        return lb_folder_get_role (f) == LB_FOLDER_ROLE_INBOX;
    }
  return FALSE;
}

/**
 * lb_engine_start:
 *
 * Starts every account's background sync and push.
 */
void
lb_engine_start (LbEngine *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  self->started = TRUE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      lb_account_start (a);
    }
  /* Mail queued before the last exit is sent now (and a send cut short by a crash is
   * marked for the user, never repeated: see smtp/lb-outbox.h). */
  lb_engine_flush_outbox (self, FALSE);
}

/**
 * lb_engine_shutdown:
 *
 * Commits pending deletes and moves, waits for local writes, and stops every
 * account.  Idempotent.
 */
void
lb_engine_shutdown (LbEngine *self)
{
  guint n;

  if (self->local == NULL)
    return;
  lb_engine_flush_pending (self);
  lb_engine_wait_idle (self);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      lb_account_stop (a);
    }
  g_clear_pointer (&self->local, lb_worker_free);
  self->started = FALSE;
}

/**
 * lb_engine_wait_idle:
 *
 * Runs the main context until the local worker has written everything queued.  For
 * shutdown and for the command line, which must not exit with a change unwritten.
 */
void
lb_engine_wait_idle (LbEngine *self)
{
  while (self->local != NULL && !lb_worker_is_idle (self->local))
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/**
 * lb_engine_get_unified_inbox:
 *
 * Returns: (transfer none): every account's INBOX, merged newest first
 */
LbMessageList *
lb_engine_get_unified_inbox (LbEngine *self)
{
  if (self->unified == NULL)
    self->unified = _lb_message_list_new (self, LB_STORE_UNIFIED_INBOX, NULL);
  return self->unified;
}

/**
 * lb_engine_open_folder:
 *
 * Returns: (transfer full): the messages of one folder, newest first
 */
LbMessageList *
lb_engine_open_folder (LbEngine *self,
                       gint64    folder_id)
{
  return _lb_message_list_new (self, folder_id, NULL);
}

/**
 * lb_engine_search:
 * @query: what the user typed (see the search syntax in lb-search.c)
 * @folder_id: search this folder, or 0 for All Inboxes
 *
 * Returns: (transfer full): the matches, newest first, filled in the background and
 *   kept up to date like any message list
 */
LbMessageList *
lb_engine_search (LbEngine   *self,
                  const char *query,
                  gint64      folder_id)
{
  return _lb_message_list_new (self, folder_id, query);
}

/**
 * lb_engine_lookup_message:
 *
 * Returns: (transfer full) (nullable): the message with this id, as it stands in its
 *   first folder
 */
LbMessage *
lb_engine_lookup_message (LbEngine *self,
                          gint64    message_id)
{
  g_autoptr(GArray) locations = lb_store_get_message_locations (self->read_store, message_id, NULL);
  g_autoptr(GPtrArray) rows = NULL;
  LbStoreListRow *row;
  LbAccount *account;
  LbMessage *m;
  gint64 location_id;

  if (locations == NULL || locations->len == 0)
    return NULL;
  location_id = g_array_index (locations, LbStoreLocation, 0).location_id;
  rows = lb_store_get_rows_by_location (self->read_store, &location_id, 1, NULL);
  if (rows == NULL || (row = g_ptr_array_index (rows, 0)) == NULL)
    return NULL;
  account = lb_engine_get_account (self, row->account_id);
  m = _lb_message_new_from_row (row, account != NULL ? lb_account_get_display_name (account) : NULL,
                                account != NULL ? lb_account_get_color (account) : NULL);
  _lb_message_set_location_id (m, location_id);
  return m;
}

/**
 * lb_engine_get_cached_body:
 *
 * Returns: (transfer full) (nullable): the raw message if it is cached
 */
GBytes *
lb_engine_get_cached_body (LbEngine *self,
                           gint64    message_id)
{
  return lb_store_get_body (self->read_store, message_id, NULL);
}

/* ---- Adding and removing accounts -------------------------------------------- */

static LbStoreAccount *
row_from_settings (const LbAccountSettings *settings)
{
  LbStoreAccount *row = lb_store_account_new ();

  row->email = g_strdup (settings->email);
  row->display_name = g_strdup (settings->display_name);
  row->provider_id = g_strdup (settings->provider_id);
  row->imap_host = g_strdup (settings->imap->host);
  row->imap_port = settings->imap->port;
  row->imap_security = settings->imap->security;
  row->username = g_strdup (settings->imap->username != NULL ? settings->imap->username
                                                              : settings->email);
  row->ca_file = g_strdup (settings->imap->ca_file);
  row->proxy = g_strdup (settings->imap->proxy);
  if (settings->smtp != NULL)
    {
      row->smtp_host = g_strdup (settings->smtp->host);
      row->smtp_port = settings->smtp->port;
      row->smtp_security = settings->smtp->security;
    }
  return row;
}

typedef struct {
  LbStoreAccount *row;
  char           *secret;
} AddData;

static void
add_data_free (AddData *d)
{
  lb_store_account_free (d->row);
  lb_secrets_free (d->secret);
  g_free (d);
}

static gpointer
add_account_job (gpointer       worker_data,
                 gpointer       job_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  LbStore *store = worker_data;
  AddData *d = job_data;
  g_autofree char *key = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!lb_store_add_account (store, d->row, error))
    return NULL;
  key = _lb_account_secret_key (d->row->id);
  /* The secret goes to the keyring only; if that fails the account is not kept. */
  if (!lb_secrets_store_sync (key, d->row->email, d->secret, cancellable, &local_error))
    {
      lb_store_remove_account (store, d->row->id, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return lb_store_account_copy (d->row);
}

static void
add_account_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStoreAccount) row = g_task_propagate_pointer (G_TASK (result), &error);
  LbAccount *account;

  if (row == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  account = adopt_account (self, row, &error);
  if (account == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->started)
    lb_account_start (account);
  g_task_return_pointer (task, g_object_ref (account), g_object_unref);
}

/**
 * lb_engine_add_account_async:
 * @secret: the password, app password or authorization code; it is written to the
 *   keyring and nowhere else
 *
 * Saves a new account (checking the servers is the caller's business: see the account
 * wizard) and, if the engine runs, starts its first sync.
 */
void
lb_engine_add_account_async (LbEngine                *self,
                             const LbAccountSettings *settings,
                             const char              *secret,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;
  AddData *d;

  g_return_if_fail (settings != NULL && settings->email != NULL && settings->imap != NULL);
  g_return_if_fail (secret != NULL);

  g_task_set_source_tag (task, lb_engine_add_account_async);
  d = g_new0 (AddData, 1);
  d->row = row_from_settings (settings);
  d->secret = g_strdup (secret);

  inner = g_task_new (self, cancellable, add_account_done, task);
  lb_worker_push (self->local, LB_JOB_PRIORITY_USER, NULL, add_account_job, d,
                  (GDestroyNotify) add_data_free, (GDestroyNotify) lb_store_account_free, inner);
}

/**
 * lb_engine_add_account_finish:
 *
 * Returns: (transfer full): the new account
 */
LbAccount *
lb_engine_add_account_finish (LbEngine      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * lb_account_dup_settings:
 *
 * Returns: (transfer full): the account's servers and names, for editing
 */
LbAccountSettings *
lb_account_dup_settings (LbAccount *account)
{
  const LbStoreAccount *row = _lb_account_get_row (account);
  LbAccountSettings *s = lb_account_settings_new ();

  s->email = g_strdup (row->email);
  s->display_name = g_strdup (row->display_name);
  s->provider_id = g_strdup (row->provider_id);
  s->imap = lb_server_config_new (row->imap_host, row->imap_port, row->imap_security, row->username);
  s->imap->ca_file = g_strdup (row->ca_file);
  s->imap->proxy = g_strdup (row->proxy);
  if (row->smtp_host != NULL)
    {
      s->smtp = lb_server_config_new (row->smtp_host, row->smtp_port, row->smtp_security,
                                      row->username);
      s->smtp->ca_file = g_strdup (row->ca_file);
      s->smtp->proxy = g_strdup (row->proxy);
    }
  return s;
}

static gpointer
update_account_job (gpointer       worker_data,
                    gpointer       job_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  LbStore *store = worker_data;
  AddData *d = job_data;
  g_autofree char *key = _lb_account_secret_key (d->row->id);

  if (!lb_store_update_account (store, d->row, error))
    return NULL;
  if (d->secret != NULL &&
      !lb_secrets_store_sync (key, d->row->email, d->secret, cancellable, error))
    return NULL;
  return lb_store_account_copy (d->row);
}

static void
update_account_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStoreAccount) row = g_task_propagate_pointer (G_TASK (result), &error);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  LbAccount *account = NULL;

  if (row == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The account object is rebuilt around the same id: its folders, cached mail and
   * queued changes stay, and its threads restart with the new servers. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      if (lb_account_get_id (a) == row->id)
        {
          lb_account_stop (a);
          g_list_store_remove (self->accounts, i);
          break;
        }
    }
  account = adopt_account (self, row, &error);
  if (account == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->started)
    lb_account_start (account);
  g_task_return_pointer (task, g_object_ref (account), g_object_unref);
}

/**
 * lb_engine_update_account_async:
 * @secret: (nullable): a new secret for the keyring, or %NULL to keep the stored one
 *
 * Changes an account's servers, names or secret in place: its id, folders and cached
 * mail stay.  The address itself cannot change (add another account for that).
 */
void
lb_engine_update_account_async (LbEngine                *self,
                                LbAccount               *account,
                                const LbAccountSettings *settings,
                                const char              *secret,
                                GCancellable            *cancellable,
                                GAsyncReadyCallback      callback,
                                gpointer                 user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = g_task_new (self, cancellable, update_account_done, task);
  AddData *d = g_new0 (AddData, 1);

  g_return_if_fail (settings != NULL && settings->imap != NULL);

  g_task_set_source_tag (task, lb_engine_update_account_async);
  d->row = row_from_settings (settings);
  d->row->id = lb_account_get_id (account);
  g_free (d->row->email);
  d->row->email = g_strdup (lb_account_get_email (account));
  d->row->color = g_strdup (_lb_account_get_row (account)->color);
  d->row->created = _lb_account_get_row (account)->created;
  d->secret = g_strdup (secret);
  lb_worker_push (self->local, LB_JOB_PRIORITY_USER, NULL, update_account_job, d,
                  (GDestroyNotify) add_data_free, (GDestroyNotify) lb_store_account_free, inner);
}

/**
 * lb_engine_update_account_finish:
 *
 * Returns: (transfer full): the account as it is now (a new object with the same id)
 */
LbAccount *
lb_engine_update_account_finish (LbEngine      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
remove_account_job (gpointer       worker_data,
                    gpointer       job_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  LbStore *store = worker_data;
  gint64 id = *(gint64 *) job_data;
  g_autofree char *key = _lb_account_secret_key (id);

  /* Cached mail, folders and queues go with the account row (foreign keys cascade). */
  if (!lb_store_remove_account (store, id, error))
    return NULL;
  if (!lb_secrets_clear_sync (key, cancellable, error))
    return NULL;
  return GINT_TO_POINTER (1);
}

static void
remove_account_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gint64 id = GPOINTER_TO_SIZE (g_task_get_task_data (task));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  if (g_task_propagate_pointer (G_TASK (result), &error) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      if (lb_account_get_id (a) == id)
        {
          g_list_store_remove (self->accounts, i);
          break;
        }
    }
  {
    g_autoptr(GArray) none = g_array_new (FALSE, FALSE, sizeof (gint64));
    emit_changed (self, none);
  }
  g_task_return_boolean (task, TRUE);
}

/**
 * lb_engine_remove_account_async:
 *
 * Stops the account, deletes its cached mail and removes its secret from the keyring.
 */
void
lb_engine_remove_account_async (LbEngine            *self,
                                LbAccount           *account,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = g_task_new (self, cancellable, remove_account_done, task);
  gint64 id = lb_account_get_id (account);

  g_task_set_source_tag (task, lb_engine_remove_account_async);
  g_task_set_task_data (task, GSIZE_TO_POINTER ((gsize) id), NULL);
  lb_account_stop (account);
  lb_worker_push (self->local, LB_JOB_PRIORITY_USER, NULL, remove_account_job,
                  g_memdup2 (&id, sizeof id), g_free, NULL, inner);
}

gboolean
lb_engine_remove_account_finish (LbEngine      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Local-first changes ------------------------------------------------------- */

static GArray *
targets_of (LbMessage **messages,
            guint       n)
{
  GArray *t = g_array_new (FALSE, FALSE, sizeof (Target));

  for (guint i = 0; i < n; i++)
    {
      Target x = {
        lb_message_get_id (messages[i]), _lb_message_get_location_id (messages[i]),
        lb_message_get_account_id (messages[i]), lb_message_get_folder_id (messages[i]),
        lb_message_get_uid (messages[i]),
      };
      g_array_append_val (t, x);
    }
  return t;
}

static int
cmp_target (gconstpointer a,
            gconstpointer b)
{
  const Target *x = a;
  const Target *y = b;

  if (x->folder_id != y->folder_id)
    return x->folder_id < y->folder_id ? -1 : 1;
  return x->uid < y->uid ? -1 : (x->uid > y->uid ? 1 : 0);
}

typedef struct {
  LbStoreOpKind  kind;
  GArray        *targets;
  guint          set;
  guint          unset;
  gint64         dest_folder_id;
} LocalChange;

static void
local_change_free (LocalChange *c)
{
  g_array_unref (c->targets);
  g_free (c);
}

/* Queues one replay entry per folder, with the folder's uids as one set. */
static gboolean
enqueue_per_folder (LbStore       *store,
                    LocalChange   *c,
                    LbStoreOpKind  kind,
                    const char    *args,
                    GError       **error)
{
  guint i = 0;

  while (i < c->targets->len)
    {
      const Target *first = &g_array_index (c->targets, Target, i);
      g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(LbStorePendingOp) op = lb_store_pending_op_new ();
      guint j = i;

      for (; j < c->targets->len && g_array_index (c->targets, Target, j).folder_id == first->folder_id; j++)
        g_array_append_val (uids, g_array_index (c->targets, Target, j).uid);
      op->account_id = first->account_id;
      op->kind = kind;
      op->folder_id = first->folder_id;
      op->uids = lb_imap_seqset_format ((guint32 *) uids->data, uids->len);
      op->args = g_strdup (args);
      if (kind == LB_STORE_OP_MOVE || kind == LB_STORE_OP_DELETE)
        {
          /* Gone from this folder locally now; the server follows on replay. */
          if (!lb_store_remove_uids (store, first->folder_id, (guint32 *) uids->data, uids->len, error))
            return FALSE;
        }
      if (lb_store_enqueue_op (store, op, error) <= 0)
        return FALSE;
      i = j;
    }
  return TRUE;
}

static gpointer
local_change_job (gpointer       worker_data,
                  gpointer       job_data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  LbStore *store = worker_data;
  LocalChange *c = job_data;

  g_array_sort (c->targets, cmp_target);
  if (c->kind == LB_STORE_OP_FLAG)
    {
      g_autofree char *set = g_strdup_printf ("%u", c->set);
      g_autofree char *unset = g_strdup_printf ("%u", c->unset);

      for (guint i = 0; i < c->targets->len; i++)
        if (!lb_store_change_message_flags (store, g_array_index (c->targets, Target, i).message_id,
                                            c->set, c->unset, error))
          return NULL;
      if (c->set != 0 && !enqueue_per_folder (store, c, LB_STORE_OP_FLAG, set, error))
        return NULL;
      if (c->unset != 0 && !enqueue_per_folder (store, c, LB_STORE_OP_UNFLAG, unset, error))
        return NULL;
    }
  else
    {
      g_autofree char *dest = g_strdup_printf ("%" G_GINT64_FORMAT, c->dest_folder_id);
      if (!enqueue_per_folder (store, c, c->kind, dest, error))
        return NULL;
    }
  return GINT_TO_POINTER (1);
}

static void
local_change_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LbEngine *self = LB_ENGINE (source);
  g_autoptr(GArray) targets = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) folders = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) accounts = g_hash_table_new (g_int64_hash, g_int64_equal);

  if (g_task_propagate_pointer (G_TASK (result), &error) == NULL)
    g_warning ("A local change could not be saved: %s", error->message);

  for (guint i = 0; i < targets->len; i++)
    {
      Target *t = &g_array_index (targets, Target, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < folders->len && !seen; j++)
        seen = g_array_index (folders, gint64, j) == t->folder_id;
      if (!seen)
        g_array_append_val (folders, t->folder_id);
      g_hash_table_add (accounts, &t->account_id);
    }
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, accounts);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        LbAccount *a = lb_engine_get_account (self, *(gint64 *) key);
        if (a != NULL)
          {
            _lb_account_queue_replay (a);
            _lb_account_reload_folders (a, self->read_store);
          }
      }
  }
  emit_changed (self, folders);
}

static void
push_local_change (LbEngine    *self,
                   LocalChange *c)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, local_change_done,
                                      g_array_ref (c->targets));

  lb_worker_push (self->local, LB_JOB_PRIORITY_USER, NULL, local_change_job, c,
                  (GDestroyNotify) local_change_free, NULL, task);
}

/**
 * lb_engine_set_flags:
 * @set: #LbFlags to add
 * @unset: #LbFlags to remove
 *
 * Marks messages read, unread, flagged...: at once on screen, then in the store, then
 * on the server.
 */
void
lb_engine_set_flags (LbEngine   *self,
                     LbMessage **messages,
                     guint       n_messages,
                     guint       set,
                     guint       unset)
{
  LocalChange *c;

  g_return_if_fail (LB_IS_ENGINE (self));
  if (n_messages == 0 || self->local == NULL)
    return;

  for (guint i = 0; i < n_messages; i++)
    _lb_message_set_flags (messages[i], (lb_message_get_flags (messages[i]) | set) & ~unset);

  c = g_new0 (LocalChange, 1);
  c->kind = LB_STORE_OP_FLAG;
  c->targets = targets_of (messages, n_messages);
  c->set = set;
  c->unset = unset;
  push_local_change (self, c);
}

static void
commit_pending (LbEngine *self,
                Pending  *p)
{
  LocalChange *c = g_new0 (LocalChange, 1);

  for (guint i = 0; i < p->targets->len; i++)
    g_hash_table_remove (self->hidden, &g_array_index (p->targets, Target, i).location_id);

  c->kind = p->kind;
  c->targets = g_array_ref (p->targets);
  c->dest_folder_id = p->dest_folder_id;
  if (c->kind == LB_STORE_OP_MOVE && c->dest_folder_id == 0)
    {
      /* A move by role: each account's own folder of that role. */
      const Target *t = &g_array_index (p->targets, Target, 0);
      LbAccount *a = lb_engine_get_account (self, t->account_id);
      LbFolder *f = a != NULL ? lb_account_find_folder (a, p->dest_role) : NULL;
      c->dest_folder_id = f != NULL ? lb_folder_get_id (f) : 0;
    }
  if (c->kind == LB_STORE_OP_MOVE && c->dest_folder_id == 0)
    c->kind = LB_STORE_OP_DELETE;
  push_local_change (self, c);
}

static gboolean
pending_timeout (gpointer data)
{
  LbEngine *self = g_object_get_data (G_OBJECT (data), "engine");
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (data), "pending-id"));
  Pending *p = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (id));

  if (p != NULL)
    {
      p->timeout_id = 0;
      commit_pending (self, p);
      g_hash_table_remove (self->pending, GUINT_TO_POINTER (id));
    }
  return G_SOURCE_REMOVE;
}

static void
notify_lists (LbEngine *self,
              GArray   *targets)
{
  g_autoptr(GArray) folders = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < targets->len; i++)
    g_array_append_val (folders, g_array_index (targets, Target, i).folder_id);
  g_signal_emit (self, signals[MESSAGES_CHANGED], 0, folders);
}

static guint
hide_for_undo (LbEngine      *self,
               LbMessage    **messages,
               guint          n,
               LbStoreOpKind  kind,
               LbFolderRole   role,
               gint64         dest)
{
  g_autoptr(GObject) token = g_object_new (G_TYPE_OBJECT, NULL);
  Pending *p = g_new0 (Pending, 1);

  p->id = ++self->next_pending;
  p->kind = kind;
  p->dest_role = role;
  p->dest_folder_id = dest;
  p->targets = targets_of (messages, n);
  for (guint i = 0; i < p->targets->len; i++)
    g_hash_table_insert (self->hidden, &g_array_index (p->targets, Target, i).location_id,
                         GUINT_TO_POINTER (p->id));
  g_object_set_data (token, "engine", self);
  g_object_set_data (token, "pending-id", GUINT_TO_POINTER (p->id));
  p->timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, LB_UNDO_SECONDS, pending_timeout,
                                              g_object_ref (token), g_object_unref);
  g_hash_table_insert (self->pending, GUINT_TO_POINTER (p->id), p);
  notify_lists (self, p->targets);
  return p->id;
}

/**
 * lb_engine_move:
 * @role: move to the account's folder of this role (Archive, Junk...), or
 *   %LB_FOLDER_ROLE_NONE to use @folder_id
 *
 * Moves messages.  They leave the list at once; the move is committed after
 * %LB_UNDO_SECONDS unless lb_engine_undo() takes it back.
 *
 * Returns: an id for lb_engine_undo()
 */
guint
lb_engine_move (LbEngine      *self,
                LbMessage    **messages,
                guint          n_messages,
                LbFolderRole   role,
                gint64         folder_id)
{
  g_return_val_if_fail (LB_IS_ENGINE (self), 0);
  if (n_messages == 0)
    return 0;
  return hide_for_undo (self, messages, n_messages, LB_STORE_OP_MOVE, role, folder_id);
}

/**
 * lb_engine_delete:
 *
 * Moves messages to Trash (deletes them for good when they are in Trash), with undo
 * as for lb_engine_move().
 */
guint
lb_engine_delete (LbEngine   *self,
                  LbMessage **messages,
                  guint       n_messages)
{
  g_return_val_if_fail (LB_IS_ENGINE (self), 0);
  if (n_messages == 0)
    return 0;
  return hide_for_undo (self, messages, n_messages, LB_STORE_OP_DELETE, LB_FOLDER_ROLE_NONE, 0);
}

/**
 * lb_engine_undo:
 *
 * Takes back a move or delete that has not been committed yet.
 *
 * Returns: %TRUE if it was taken back
 */
gboolean
lb_engine_undo (LbEngine *self,
                guint     undo_id)
{
  Pending *p = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (undo_id));
  g_autoptr(GArray) targets = NULL;

  if (p == NULL)
    return FALSE;
  targets = g_array_ref (p->targets);
  for (guint i = 0; i < targets->len; i++)
    g_hash_table_remove (self->hidden, &g_array_index (targets, Target, i).location_id);
  g_hash_table_remove (self->pending, GUINT_TO_POINTER (undo_id));
  notify_lists (self, targets);
  return TRUE;
}

/**
 * lb_engine_flush_pending:
 *
 * Commits every move and delete still waiting for its undo time, as on quit.
 */
void
lb_engine_flush_pending (LbEngine *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      commit_pending (self, value);
      g_hash_table_iter_remove (&iter);
    }
}
