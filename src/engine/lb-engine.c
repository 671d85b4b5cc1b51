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
 * This file holds the object, the accounts model and lookups; see lb-engine-private.h
 * for the other parts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-account-private.h"
#include "lb-curl.h"
#include "lb-engine-private.h"
#include "lb-message-private.h"
#include "lb-mime.h"
#include "lb-search.h"
#include "lb-store-locations.h"

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
  g_clear_object (&self->outbox);
  g_clear_object (&self->accounts);
  g_clear_object (&self->read_store);
  g_clear_pointer (&self->hidden, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_free (self->data_dir);
  g_free (self->store_path);
  g_main_context_unref (self->main_context);
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
  /* The worker threads hand news over to this context, never to whichever one is the
   * default when they do: the CLI and the tests do not iterate the default context
   * while a job runs, and g_main_context_invoke() would then run the callback on the
   * worker itself. */
  self->main_context = g_main_context_ref_thread_default ();
  self->accounts = g_list_store_new (LB_TYPE_ACCOUNT);
  self->hidden = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) _lb_engine_pending_free);
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

/* Sync or a local change touched messages of @folder_ids: the counts may differ too. */
void
_lb_engine_emit_changed (LbEngine *self,
                         GArray   *folder_ids)
{
  update_unified_unread (self);
  g_signal_emit (self, signals[MESSAGES_CHANGED], 0, folder_ids);
}

/* Only what the lists show changed (rows hidden for undo, or shown again). */
void
_lb_engine_emit_lists_changed (LbEngine *self,
                               GArray   *folder_ids)
{
  g_signal_emit (self, signals[MESSAGES_CHANGED], 0, folder_ids);
}

static void
on_account_messages_changed (LbAccount *account,
                             GArray    *folder_ids,
                             LbEngine  *self)
{
  _lb_engine_emit_changed (self, folder_ids);
}

static void
on_account_folders_changed (LbAccount *account,
                            LbEngine  *self)
{
  _lb_account_reload_folders (account, self->read_store);
}

LbAccount *
_lb_engine_adopt_account (LbEngine              *self,
                          const LbStoreAccount  *row,
                          GError               **error)
{
  const char *profile = lb_store_get_profile_id (self->read_store, error);
  g_autoptr(LbAccount) account = NULL;

  if (profile == NULL)
    return NULL;
  account = _lb_account_new (row, self->store_path, profile, error);
  if (account == NULL)
    return NULL;
  g_signal_connect_object (account, "messages-changed",
                           G_CALLBACK (on_account_messages_changed), self, 0);
  g_signal_connect_object (account, "folders-changed",
                           G_CALLBACK (on_account_folders_changed), self, 0);
  _lb_engine_watch_local_drafts (self, account);
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
    if (_lb_engine_adopt_account (self, g_ptr_array_index (rows, i), error) == NULL)
      return NULL;
  update_unified_unread (self);
  /* The outbox model exists from the start: each account's worker reads it before any
   * job that could change it, so it follows every change from here on. */
  lb_engine_get_outbox (self);
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
   * marked for the user, never repeated: see worker/lb-outbox.h). */
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
  /* A job the account workers finished while they stopped has its answer queued here,
   * holding the engine until it runs (a background body batch, typically): let it run now
   * that the workers are closed, so that nothing outlives the shutdown. */
  while (g_main_context_iteration (self->main_context, FALSE))
    ;
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
    g_main_context_iteration (self->main_context, FALSE) || (g_usleep (1000), TRUE);
  while (g_main_context_iteration (self->main_context, FALSE))
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
 * lb_engine_set_conversations:
 * @conversations: whether message lists show one row per conversation
 *
 * Sets how the lists opened from now on group their rows.  A list opened before, the
 * unified inbox too, keeps its own setting (see lb_message_list_set_conversations()).
 * Searches always list messages.  Off by default; the application turns it on from its
 * settings before it opens its first list, so that the first rows shown are already
 * grouped.
 */
void
lb_engine_set_conversations (LbEngine *self,
                             gboolean  conversations)
{
  g_return_if_fail (LB_IS_ENGINE (self));

  self->conversations = conversations;
}

gboolean
lb_engine_get_conversations (LbEngine *self)
{
  g_return_val_if_fail (LB_IS_ENGINE (self), FALSE);

  return self->conversations;
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
 * @query: what the user typed (see the search syntax in search/lb-search-query.c)
 * @folder_id: search this folder, 0 for All Inboxes, or %LB_ENGINE_ALL_FOLDERS
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
 * lb_engine_search_first_screen:
 * @query: what the user typed
 * @folder_id: a folder, 0 for every inbox or %LB_ENGINE_ALL_FOLDERS
 * @limit: the most messages (a screen)
 * @out_total: (out) (optional): how many messages match, or an estimate
 * @out_estimated: (out) (optional): whether @out_total is an estimate ("about N")
 *
 * The newest @limit matches, at a cost that does not grow with the number of matches;
 * blocks for that long (milliseconds: see store/lb-store-search.c).
 *
 * Returns: (transfer full) (element-type LbMessage): the messages, newest first, or
 *   %NULL on error
 */
GPtrArray *
lb_engine_search_first_screen (LbEngine    *self,
                               const char  *query,
                               gint64       folder_id,
                               guint        limit,
                               gint64      *out_total,
                               gboolean    *out_estimated,
                               GError     **error)
{
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GPtrArray *messages;

  g_return_val_if_fail (LB_IS_ENGINE (self), NULL);

  ids = lb_search_first_screen (self->read_store, query, folder_id, limit, out_total, out_estimated, error);
  if (ids == NULL)
    return NULL;
  rows = lb_store_get_rows_by_location (self->read_store, (const gint64 *) ids->data, ids->len, error);
  if (rows == NULL)
    return NULL;
  messages = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < rows->len; i++)
    {
      LbStoreListRow *row = g_ptr_array_index (rows, i);
      LbAccount *account;
      LbMessage *m;

      if (row == NULL)
        continue;
      account = lb_engine_get_account (self, row->account_id);
      m = _lb_message_new_from_row (row, account != NULL ? lb_account_get_display_name (account) : NULL,
                                    account != NULL ? lb_account_get_color (account) : NULL);
      _lb_message_set_location_id (m, g_array_index (ids, gint64, i));
      g_ptr_array_add (messages, m);
    }
  return messages;
}

/**
 * lb_engine_get_index_progress:
 * @out_percent: (out): how much of the text is indexed, 0 to 100
 *
 * Whether the search index is being built (after a sync brought much mail, or after an
 * upgrade rebuilt it): search then checks the text not indexed yet itself, and may
 * miss some of it ("Indexing 40 %: results may be incomplete").
 *
 * Returns: %TRUE while text waits to be indexed
 */
gboolean
lb_engine_get_index_progress (LbEngine *self,
                              int      *out_percent)
{
  gint64 pending = 0, total = 0;

  g_return_val_if_fail (LB_IS_ENGINE (self), FALSE);

  *out_percent = 100;
  if (!lb_store_index_progress (self->read_store, &pending, &total, NULL) || pending == 0)
    return FALSE;
  *out_percent = (int) MIN (99, 100 * (total - pending) / MAX (total, 1));
  return TRUE;
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

typedef struct {
  GTask          *outer;
  GDestroyNotify  value_free;
} Relay;

/* Main thread: completes the caller's task with the result of the task the worker
 * completed. */
static void
relay_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Relay *relay = user_data;
  g_autoptr(GTask) outer = relay->outer;
  g_autoptr(GError) error = NULL;
  gpointer value = g_task_propagate_pointer (G_TASK (result), &error);

  if (value == NULL)
    g_task_return_error (outer, g_steal_pointer (&error));
  else
    g_task_return_pointer (outer, value, relay->value_free);
  g_free (relay);
}

/**
 * _lb_engine_relay_task:
 * @outer: (nullable): the caller's task, whose source object is the engine (or one of
 *   its objects)
 * @value_free: (nullable): frees the job's result if nobody takes it from @outer
 *
 * The task a worker job completes on behalf of @outer.  It has no source object, so a
 * worker thread never holds the last reference to the engine (whose dispose joins that
 * very thread): @outer is only touched on the main context, when this task's callback
 * runs there.
 *
 * Returns: (transfer full) (nullable): the task to give the worker, %NULL if @outer is
 */
GTask *
_lb_engine_relay_task (GTask          *outer,
                       GDestroyNotify  value_free)
{
  Relay *relay;

  if (outer == NULL)
    return NULL;
  relay = g_new0 (Relay, 1);
  relay->outer = g_object_ref (outer);
  relay->value_free = value_free;
  return g_task_new (NULL, g_task_get_cancellable (outer), relay_done, relay);
}
