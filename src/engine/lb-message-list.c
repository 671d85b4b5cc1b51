/* lb-message-list.c: a lazy list of one folder's messages, or of all inboxes
 *
 * The list holds the ordered location ids of all its rows (8 bytes each: 800 kB for
 * 100,000 messages, read by an index-only scan) and creates LbMessage objects only for
 * the rows a view asks for, a page at a time.  When the store changes, the new id list
 * is read on a thread and compared with the old one: the common head and tail stay, and
 * one items-changed covers what lies between.  New mail at the top is therefore
 * items-changed (0, 0, n): rows below keep their identity, so a view keeps its scroll
 * position and selection.  Cached rows are refreshed in place (flags, previews), which
 * redraws them without any items-changed.
 *
 * With conversations on (lb_message_list_set_conversations()), a row is a conversation:
 * the ids are those of each conversation's newest location in the list (still 8 bytes a
 * row, read by lb_store_list_thread_location_ids() from the same index), and a row's
 * object also carries its conversation's summary (count, participants, marks), read when
 * the row is made or refreshed, a page at a time, so only for rows on screen.
 *
 * A search list can also ask the servers (lb_message_list_search_server_async()): the
 * locations they find are kept with the list and merged by date into every reload, so
 * that they stay in the results as the store changes, until they are moved or deleted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "lb-account-search.h"
#include "lb-engine-private.h"
#include "lb-message-list.h"
#include "lb-message-private.h"
#include "lb-search.h"
#include "lb-search-highlight.h"
#include "lb-store-locations.h"
#include "lb-store-threads.h"

#define PAGE 64
/* How many of the newest messages a new list reads at once; more come from a reload. */
#define FIRST_SNAPSHOT 1000
#define CACHE_MAX 4096
/* A reload reads the whole id list, which costs in proportion to the folder.  While
 * changes keep coming (a first sync stores a batch every few milliseconds), the next
 * reload waits this many times as long as the last one took, up to RELOAD_WAIT_MAX_US:
 * at most about a quarter of the time goes to reloading, at any size.  Before, a 100,000
 * message sync spent more time re-reading the unified inbox than storing the mail. */
#define RELOAD_SPACING 3
#define RELOAD_WAIT_MAX_US (G_USEC_PER_SEC / 2)

struct _LbMessageList
{
  GObject     parent_instance;
  LbEngine   *engine;     /* weak */
  gint64      folder_id;  /* LB_STORE_UNIFIED_INBOX for all inboxes */
  char       *query;      /* a search, or NULL */
  GError     *error;      /* why the last load failed, or NULL */
  GArray     *ids;        /* gint64 location ids shown, newest first */
  GHashTable *cache;      /* location id -> LbMessage */
  gulong      changed_id;
  gboolean    loading;
  gboolean    dirty;
  gint64      reload_started;  /* monotonic time the running reload began */
  GSource    *reload_source;   /* the next reload, waiting its turn, or NULL */
  guint       unread;
  GArray     *server_ids; /* gint64 location ids found by a server search, or NULL */
  gboolean    incomplete; /* the folders searched lack some mail's text */
  gint64      total;      /* a search's hits, -1 before it is known */
  gboolean    estimated;  /* total is an estimate: only the first screen is loaded */
  int         indexing;   /* how much of the text is indexed, -1 when all of it */
  gboolean    next_full;  /* the next reload of a search loads every hit */
  gboolean    conversations; /* one row per conversation (never for a search) */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LbMessageList, lb_message_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  PROP_UNREAD,
  PROP_LOADING,
  PROP_INCOMPLETE,
  PROP_CONVERSATIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return LB_TYPE_MESSAGE;
}

static guint
get_n_items (GListModel *model)
{
  return LB_MESSAGE_LIST (model)->ids->len;
}

/* In a search's results, a message whose match is in its body but not in what the row
 * shows (the sender, the subject, the start of the body) gets the sentence it is in, so
 * that one sees why it was found.  Rows are made a page at a time, for what is on
 * screen; the body text is one indexed read each.  @terms are the query's words, and
 * @lowered the same in lower case, both worked out once for the page. */
static void
add_search_sentence (LbStore            *store,
                     LbMessage          *m,
                     const char * const *terms,
                     const char * const *lowered)
{
  g_autofree char *shown = NULL;
  g_autofree char *body = NULL;
  g_autofree char *sentence = NULL;

  if (terms[0] == NULL)
    return;
  shown = g_ascii_strdown (lb_message_get_preview (m), -1);
  for (guint i = 0; lowered[i] != NULL; i++)
    if (strstr (shown, lowered[i]) != NULL)
      return;
  body = lb_store_get_body_text (store, lb_message_get_id (m), NULL);
  sentence = lb_search_highlight_sentence (body, terms);
  if (sentence != NULL)
    _lb_message_set_search_sentence (m, sentence);
}

/* Gives a conversation row its conversation's summary, as seen from this list. */
static void
fill_conversation (LbMessageList *self,
                   LbStore       *store,
                   LbMessage     *m)
{
  g_autoptr(GPtrArray) rows = NULL;
  LbStoreThreadSummary summary;

  if (lb_message_get_thread_id (m) <= 0)
    return;
  rows = lb_store_list_thread (store, lb_message_get_thread_id (m), self->folder_id, NULL);
  if (rows == NULL)
    return;
  /* What a pending delete or move hides from the list, it hides from the count too. */
  for (guint i = rows->len; i > 0; i--)
    if (_lb_engine_is_hidden (self->engine,
                              ((LbStoreListRow *) g_ptr_array_index (rows, i - 1))->location_id))
      g_ptr_array_remove_index (rows, i - 1);
  lb_store_thread_summarize (rows, &summary);
  _lb_message_set_conversation (m, &summary);
}

static void
load_page (LbMessageList *self,
           guint          position)
{
  LbStore *store = _lb_engine_get_read_store (self->engine);
  guint start = position - position % PAGE;
  guint n = MIN (PAGE, self->ids->len - start);
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree gint64 *want = g_new (gint64, n);
  g_auto(GStrv) terms = NULL;
  g_auto(GStrv) lowered = NULL;
  guint n_want = 0;

  for (guint i = 0; i < n; i++)
    {
      gint64 id = g_array_index (self->ids, gint64, start + i);
      if (!g_hash_table_contains (self->cache, &id))
        want[n_want++] = id;
    }
  if (n_want == 0)
    return;

  if (g_hash_table_size (self->cache) > CACHE_MAX)
    {
      /* Keep the rows a view still holds; the rest can be read again. */
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->cache);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (G_OBJECT (value)->ref_count == 1)
          g_hash_table_iter_remove (&iter);
    }

  if (self->query != NULL)
    {
      terms = lb_search_highlight_terms (self->query, LB_HIGHLIGHT_FIELD_OTHER);
      lowered = g_new0 (char *, g_strv_length (terms) + 1);
      for (guint i = 0; terms[i] != NULL; i++)
        lowered[i] = g_ascii_strdown (terms[i], -1);
    }
  rows = lb_store_get_rows_by_location (store, want, n_want, NULL);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      LbStoreListRow *row = g_ptr_array_index (rows, i);
      LbMessage *m;
      gint64 *key;
      LbAccount *account;

      if (row == NULL)
        continue;
      account = lb_engine_get_account (self->engine, row->account_id);
      m = _lb_message_new_from_row (row,
                                    account != NULL ? lb_account_get_display_name (account) : NULL,
                                    account != NULL ? lb_account_get_color (account) : NULL);
      _lb_message_set_location_id (m, want[i]);
      /* A list of several folders (a search of every folder) says where each one is. */
      if (account != NULL && lb_account_get_folder (account, row->folder_id) != NULL)
        _lb_message_set_folder_name (m, lb_folder_get_name (lb_account_get_folder (account,
                                                                                   row->folder_id)));
      if (terms != NULL)
        add_search_sentence (store, m, (const char * const *) terms,
                             (const char * const *) lowered);
      if (self->conversations)
        fill_conversation (self, store, m);
      key = g_new (gint64, 1);
      *key = want[i];
      g_hash_table_insert (self->cache, key, m);
    }
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  LbMessageList *self = LB_MESSAGE_LIST (model);
  gint64 id;
  LbMessage *m;

  if (position >= self->ids->len || self->engine == NULL)
    return NULL;
  id = g_array_index (self->ids, gint64, position);
  m = g_hash_table_lookup (self->cache, &id);
  if (m == NULL)
    {
      load_page (self, position);
      m = g_hash_table_lookup (self->cache, &id);
    }
  if (m == NULL)
    {
      /* Deleted under us between the snapshot and now: a placeholder row until the
       * reload that is already on its way removes it. */
      LbStoreListRow empty = { 0 };
      m = _lb_message_new_from_row (&empty, NULL, NULL);
      _lb_message_set_location_id (m, id);
      return m;
    }
  return g_object_ref (m);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
lb_message_list_dispose (GObject *object)
{
  LbMessageList *self = LB_MESSAGE_LIST (object);

  if (self->reload_source != NULL)
    g_source_destroy (self->reload_source);
  g_clear_pointer (&self->reload_source, g_source_unref);
  if (self->engine != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->engine);
      g_object_remove_weak_pointer (G_OBJECT (self->engine), (gpointer *) &self->engine);
      self->engine = NULL;
    }
  G_OBJECT_CLASS (lb_message_list_parent_class)->dispose (object);
}

static void
lb_message_list_finalize (GObject *object)
{
  LbMessageList *self = LB_MESSAGE_LIST (object);

  g_array_unref (self->ids);
  g_hash_table_unref (self->cache);
  g_free (self->query);
  g_clear_pointer (&self->server_ids, g_array_unref);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (lb_message_list_parent_class)->finalize (object);
}

static void
lb_message_list_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LbMessageList *self = LB_MESSAGE_LIST (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->ids->len);
      break;
    case PROP_UNREAD:
      g_value_set_uint (value, self->unread);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_INCOMPLETE:
      g_value_set_boolean (value, self->incomplete);
      break;
    case PROP_CONVERSATIONS:
      g_value_set_boolean (value, self->conversations);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_message_list_class_init (LbMessageListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = lb_message_list_dispose;
  object_class->finalize = lb_message_list_finalize;
  object_class->get_property = lb_message_list_get_property;

  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_UNREAD] = g_param_spec_uint ("unread", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  /**
   * LbMessageList:incomplete:
   *
   * For a search: the folders searched hold mail whose text is not in the store (or the
   * server reported more mail than the store has), so a search on the server may find
   * more.  Known after the first load.
   */
  properties[PROP_INCOMPLETE] = g_param_spec_boolean ("incomplete", NULL, NULL, FALSE, ro);
  /**
   * LbMessageList:conversations:
   *
   * Whether a row is a conversation (see lb_message_list_set_conversations()).
   */
  properties[PROP_CONVERSATIONS] = g_param_spec_boolean ("conversations", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_message_list_init (LbMessageList *self)
{
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->total = -1;
  self->indexing = -1;
  self->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
}

/* Drops rows hidden by a pending delete or move. */
static GArray *
visible_ids (LbMessageList *self,
             GArray        *all)
{
  guint out = 0;

  for (guint i = 0; i < all->len; i++)
    {
      gint64 id = g_array_index (all, gint64, i);
      if (!_lb_engine_is_hidden (self->engine, id))
        g_array_index (all, gint64, out++) = id;
    }
  g_array_set_size (all, out);
  return all;
}

static void
refresh_cached (LbMessageList *self)
{
  LbStore *store = _lb_engine_get_read_store (self->engine);
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) rows = NULL;
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_hash_table_iter_init (&iter, self->cache);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (G_OBJECT (value)->ref_count == 1)
        g_hash_table_iter_remove (&iter);   /* nobody shows it: read it fresh next time */
      else
        g_array_append_val (keys, *(gint64 *) key);
    }
  if (keys->len == 0)
    return;
  rows = lb_store_get_rows_by_location (store, (gint64 *) keys->data, keys->len, NULL);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      LbStoreListRow *row = g_ptr_array_index (rows, i);
      LbMessage *m = g_hash_table_lookup (self->cache, &g_array_index (keys, gint64, i));
      if (row != NULL && m != NULL)
        {
          _lb_message_update (m, row);
          if (self->conversations)
            fill_conversation (self, store, m);
        }
    }
}

/* Replaces the id list, telling views exactly which range changed. */
static void
apply_ids (LbMessageList *self,
           GArray        *new_ids)
{
  GArray *old = self->ids;
  guint prefix = 0;
  guint suffix = 0;
  guint old_n = old->len;
  guint new_n = new_ids->len;
  gboolean n_changed = old_n != new_n;

  while (prefix < old_n && prefix < new_n &&
         g_array_index (old, gint64, prefix) == g_array_index (new_ids, gint64, prefix))
    prefix++;
  while (suffix < old_n - prefix && suffix < new_n - prefix &&
         g_array_index (old, gint64, old_n - 1 - suffix) ==
         g_array_index (new_ids, gint64, new_n - 1 - suffix))
    suffix++;

  self->ids = g_array_ref (new_ids);
  refresh_cached (self);
  if (prefix + suffix < old_n || prefix + suffix < new_n)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, old_n - prefix - suffix,
                                new_n - prefix - suffix);
  g_array_unref (old);
  if (n_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
update_unread (LbMessageList *self)
{
  guint unread = 0;

  if (lb_store_count_messages (_lb_engine_get_read_store (self->engine), self->folder_id,
                               NULL, &unread, NULL) && unread != self->unread)
    {
      self->unread = unread;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
    }
}

typedef struct {
  char   *path;
  GArray *server_ids;   /* a copy, or NULL */
  guint   limit;        /* a search's first screen, or 0 for every hit */
} ReloadData;

typedef struct {
  GArray   *ids;
  gboolean  incomplete;
  gint64    total;
  gboolean  estimated;
  int       indexing;
} ReloadResult;

/* A search shows its newest hits first, at once (store/lb-store-search.c), then loads
 * the rest in a second pass when there are more. */
#define FIRST_SCREEN 50

static void
reload_data_free (ReloadData *d)
{
  g_free (d->path);
  g_clear_pointer (&d->server_ids, g_array_unref);
  g_free (d);
}

static void
reload_result_free (ReloadResult *r)
{
  g_clear_pointer (&r->ids, g_array_unref);
  g_free (r);
}

typedef struct {
  gint64 id;
  gint64 date;
} Dated;

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const Dated *x = a;
  const Dated *y = b;

  if (x->date != y->date)
    return x->date > y->date ? -1 : 1;
  return x->id > y->id ? -1 : x->id < y->id ? 1 : 0;
}

/* The local results and the server's, once each, newest first as every list is
 * (date, then id, descending).  Server results that no longer exist are dropped. */
static GArray *
merge_server_ids (LbStore  *store,
                  GArray   *ids,
                  GArray   *server_ids,
                  GError  **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) all = g_array_sized_new (FALSE, FALSE, sizeof (gint64), ids->len + server_ids->len);
  g_autofree gint64 *dates = NULL;
  g_autoptr(GArray) dated = NULL;
  GArray *out;

  for (guint k = 0; k < 2; k++)
    {
      GArray *from = k == 0 ? ids : server_ids;

      for (guint i = 0; i < from->len; i++)
        if (g_hash_table_add (seen, &g_array_index (from, gint64, i)))
          g_array_append_val (all, g_array_index (from, gint64, i));
    }
  dates = g_new (gint64, all->len);
  if (!lb_store_get_location_dates (store, (gint64 *) all->data, all->len, dates, error))
    return NULL;
  dated = g_array_sized_new (FALSE, FALSE, sizeof (Dated), all->len);
  for (guint i = 0; i < all->len; i++)
    if (dates[i] >= 0)
      {
        Dated d = { g_array_index (all, gint64, i), dates[i] };
        g_array_append_val (dated, d);
      }
  g_array_sort (dated, compare_newest_first);
  out = g_array_sized_new (FALSE, FALSE, sizeof (gint64), dated->len);
  for (guint i = 0; i < dated->len; i++)
    g_array_append_val (out, g_array_index (dated, Dated, i).id);
  return out;
}

static void
reload_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  LbMessageList *self = source_object;
  ReloadData *data = task_data;
  gint64 folder_id = self->folder_id;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = lb_store_open (data->path, LB_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(GArray) ids = NULL;
  ReloadResult *r;
  gboolean complete = TRUE;
  gint64 total = -1;
  gboolean estimated = FALSE;
  gint64 pending = 0, texts = 0;

  /* Its own connection: the main thread's is never used off the main thread. */
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->query != NULL && data->limit > 0)
    ids = lb_search_first_screen (store, self->query, folder_id, data->limit, &total, &estimated, &error);
  else if (self->query != NULL)
    ids = lb_search_location_ids (store, self->query, folder_id, &error);
  else if (self->conversations)
    ids = lb_store_list_thread_location_ids (store, folder_id, &error);
  else
    ids = lb_store_list_location_ids (store, folder_id, &error);
  if (ids != NULL && data->server_ids != NULL)
    {
      GArray *merged = merge_server_ids (store, ids, data->server_ids, &error);

      g_clear_pointer (&ids, g_array_unref);
      ids = merged;
    }
  /* Whether the server may know more: only searches ask, and a failure to tell is no
   * reason to fail the list. */
  if (ids != NULL && self->query != NULL && folder_id != LB_STORE_ALL_FOLDERS
      && !lb_store_folder_text_complete (store, folder_id, &complete, NULL))
    complete = FALSE;
  if (ids == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->query != NULL && total < 0)
    total = ids->len;
  r = g_new0 (ReloadResult, 1);
  r->ids = g_steal_pointer (&ids);
  r->incomplete = !complete;
  r->total = total;
  r->estimated = estimated;
  r->indexing = -1;
  /* While the index is being built, a search may miss text (see lb-store-search.c). */
  if (self->query != NULL && lb_store_index_progress (store, &pending, &texts, NULL) && pending > 0)
    r->indexing = (int) MIN (99, 100 * (texts - pending) / MAX (texts, 1));
  g_task_return_pointer (task, r, (GDestroyNotify) reload_result_free);
}

static gboolean
reload_now (gpointer data)
{
  LbMessageList *self = data;

  g_clear_pointer (&self->reload_source, g_source_unref);
  self->loading = FALSE;
  self->dirty = FALSE;
  lb_message_list_reload (self);
  return G_SOURCE_REMOVE;
}

/* Changes came while the list was read: read it again, after a pause in proportion to
 * what the last read cost (see RELOAD_SPACING).  The list stays loading meanwhile, and
 * the changes that come in the pause are read by that one reload. */
static void
reload_after_pause (LbMessageList *self)
{
  gint64 wait = MIN ((g_get_monotonic_time () - self->reload_started) * RELOAD_SPACING,
                     RELOAD_WAIT_MAX_US);

  self->dirty = FALSE;
  if (wait < 1000)
    {
      lb_message_list_reload (self);
      return;
    }
  self->loading = TRUE;
  /* Where the reloads' results come (GTask): the thread-default context. */
  self->reload_source = g_timeout_source_new ((guint) (wait / 1000));
  g_source_set_callback (self->reload_source, reload_now, self, NULL);
  g_source_set_static_name (self->reload_source, "[letterbox] message list reload");
  g_source_attach (self->reload_source, g_main_context_get_thread_default ());
}

static void
reload_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LbMessageList *self = LB_MESSAGE_LIST (source);
  g_autoptr(GError) error = NULL;
  ReloadResult *r = g_task_propagate_pointer (G_TASK (result), &error);

  self->loading = FALSE;
  if (self->engine == NULL)
    {
      g_clear_pointer (&r, reload_result_free);
      return;
    }
  g_clear_error (&self->error);
  if (r == NULL)
    {
      g_debug ("Reloading a message list failed: %s", error->message);
      self->error = g_steal_pointer (&error);
    }
  else
    {
      self->total = r->total;
      self->estimated = r->estimated;
      self->indexing = r->indexing;
      apply_ids (self, visible_ids (self, r->ids));
      update_unread (self);
      /* The first screen is in: now every hit, in a second pass. */
      if (r->estimated)
        {
          self->next_full = TRUE;
          self->dirty = TRUE;
        }
      if (self->incomplete != r->incomplete)
        {
          self->incomplete = r->incomplete;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INCOMPLETE]);
        }
      reload_result_free (r);
    }
  if (self->dirty)
    reload_after_pause (self);
  else
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/**
 * lb_message_list_reload:
 *
 * Re-reads the list in the background and updates views with the smallest change.
 * Requests while one runs are merged into one more run.
 */
void
lb_message_list_reload (LbMessageList *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_MESSAGE_LIST (self));

  if (self->engine == NULL)
    return;
  if (self->loading)
    {
      self->dirty = TRUE;
      return;
    }
  self->loading = TRUE;
  self->reload_started = g_get_monotonic_time ();
  task = g_task_new (self, NULL, reload_done, NULL);
  g_task_set_source_tag (task, lb_message_list_reload);
  {
    ReloadData *data = g_new0 (ReloadData, 1);

    data->path = g_strdup (lb_engine_get_store_path (self->engine));
    data->limit = (self->query != NULL && !self->next_full && self->server_ids == NULL) ? FIRST_SCREEN : 0;
    self->next_full = FALSE;
    if (self->server_ids != NULL)
      {
        data->server_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), self->server_ids->len);
        g_array_append_vals (data->server_ids, self->server_ids->data, self->server_ids->len);
      }
    g_task_set_task_data (task, data, (GDestroyNotify) reload_data_free);
  }
  g_task_run_in_thread (task, reload_thread);
}

static void
on_messages_changed (LbEngine      *engine,
                     GArray        *folder_ids,
                     LbMessageList *self)
{
  gboolean relevant = folder_ids->len == 0 || self->folder_id == LB_STORE_ALL_FOLDERS;

  for (guint i = 0; i < folder_ids->len && !relevant; i++)
    {
      gint64 f = g_array_index (folder_ids, gint64, i);
      relevant = self->folder_id == LB_STORE_UNIFIED_INBOX ? _lb_engine_folder_is_inbox (engine, f)
                                                           : f == self->folder_id;
    }
  if (relevant)
    lb_message_list_reload (self);
}

LbMessageList *
_lb_message_list_new (LbEngine   *engine,
                      gint64      folder_id,
                      const char *query)
{
  LbMessageList *self = g_object_new (LB_TYPE_MESSAGE_LIST, NULL);
  g_autoptr(GArray) ids = NULL;

  self->engine = engine;
  g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &self->engine);
  self->folder_id = folder_id;
  self->query = g_strdup (query);
  self->changed_id = g_signal_connect (engine, "messages-changed",
                                       G_CALLBACK (on_messages_changed), self);

  /* The newest messages are read right here, so that the view's first frame shows rows
   * instead of an empty list; the rest follow from a reload in the background.  Reading
   * every id here cost time and memory in proportion to the folder: a quarter of a
   * second for a million messages, before the first frame. */
  if (query != NULL)
    {
      /* Searches can be slow (a scan for short Chinese words): never on this thread. */
      lb_message_list_reload (self);
      return self;
    }
  /* A conversation list is read whole (an index-only scan); a plain list's newest rows
   * first and the rest in the background. */
  self->conversations = engine->conversations;
  if (self->conversations)
    ids = lb_store_list_thread_location_ids (_lb_engine_get_read_store (engine), folder_id,
                                             &self->error);
  else
    ids = lb_store_list_newest_location_ids (_lb_engine_get_read_store (engine), folder_id,
                                             FIRST_SNAPSHOT + 1, &self->error);
  if (ids != NULL)
    {
      gboolean more = !self->conversations && ids->len > FIRST_SNAPSHOT;

      if (more)
        g_array_set_size (ids, FIRST_SNAPSHOT);
      g_array_unref (self->ids);
      self->ids = g_array_ref (visible_ids (self, ids));
      if (more)
        lb_message_list_reload (self);
    }
  update_unread (self);
  return self;
}

const char *lb_message_list_get_query (LbMessageList *self) { return self->query; }

/**
 * lb_message_list_get_error:
 *
 * Returns: (nullable): why the list could not be read (a damaged store), or %NULL
 */
const GError *
lb_message_list_get_error (LbMessageList *self)
{
  return self->error;
}
gint64 lb_message_list_get_folder_id (LbMessageList *self) { return self->folder_id; }
gboolean lb_message_list_is_unified (LbMessageList *self) { return self->folder_id == LB_STORE_UNIFIED_INBOX; }
guint lb_message_list_get_unread (LbMessageList *self) { return self->unread; }
gboolean lb_message_list_is_loading (LbMessageList *self) { return self->loading; }

/**
 * lb_message_list_get_incomplete:
 *
 * Returns: for a search, whether a search on the server may find more (see
 *   #LbMessageList:incomplete)
 */
gboolean
lb_message_list_get_incomplete (LbMessageList *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_LIST (self), FALSE);

  return self->incomplete;
}

/**
 * lb_message_list_get_total:
 * @out_estimated: (out) (optional): whether the total is an estimate ("about N"), while
 *   only the first screen of a search is loaded
 *
 * Returns: for a search, how many messages it found, or -1 before it is known
 */
gint64
lb_message_list_get_total (LbMessageList *self,
                           gboolean      *out_estimated)
{
  g_return_val_if_fail (LB_IS_MESSAGE_LIST (self), -1);

  if (out_estimated != NULL)
    *out_estimated = self->estimated;
  return self->total;
}

/**
 * lb_message_list_get_indexing:
 *
 * Returns: for a search, how much of the text was indexed (0 to 99) when the index was
 *   still being built, so that results may be incomplete; -1 when it was complete
 */
int
lb_message_list_get_indexing (LbMessageList *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_LIST (self), -1);

  return self->indexing;
}

/**
 * lb_message_list_set_conversations:
 * @conversations: whether a row is a whole conversation
 *
 * Groups the list by conversation, or lists every message.  The list is read again in
 * the background.  A search always lists messages.
 */
void
lb_message_list_set_conversations (LbMessageList *self,
                                   gboolean       conversations)
{
  g_return_if_fail (LB_IS_MESSAGE_LIST (self));

  conversations = conversations && self->query == NULL;
  if (self->conversations == conversations)
    return;
  self->conversations = conversations;
  /* Rows made for the other mode would keep (or lack) their summaries. */
  g_hash_table_remove_all (self->cache);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATIONS]);
  lb_message_list_reload (self);
}

gboolean
lb_message_list_get_conversations (LbMessageList *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_LIST (self), FALSE);

  return self->conversations;
}

/**
 * lb_message_list_get_conversation:
 * @message: a row of this list
 *
 * The messages of @message's conversation as this list sees it: those in the list's
 * folder (or inboxes) and the user's own in Sent, oldest first.  Read from the store
 * at once (a few small indexed reads), for the reader's conversation view and for
 * actions on a whole conversation.
 *
 * Returns: (transfer full) (element-type LbMessage): the messages, at least @message
 *   itself, or %NULL with @error set
 */
GPtrArray *
lb_message_list_get_conversation (LbMessageList  *self,
                                  LbMessage      *message,
                                  GError        **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  GPtrArray *out;

  g_return_val_if_fail (LB_IS_MESSAGE_LIST (self), NULL);
  g_return_val_if_fail (LB_IS_MESSAGE (message), NULL);

  out = g_ptr_array_new_with_free_func (g_object_unref);
  if (self->engine == NULL || lb_message_get_thread_id (message) <= 0)
    {
      g_ptr_array_add (out, g_object_ref (message));
      return out;
    }
  rows = lb_store_list_thread (_lb_engine_get_read_store (self->engine),
                               lb_message_get_thread_id (message), self->folder_id, error);
  if (rows == NULL)
    {
      g_ptr_array_unref (out);
      return NULL;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      LbStoreListRow *row = g_ptr_array_index (rows, i);
      LbAccount *account = lb_engine_get_account (self->engine, row->account_id);
      LbMessage *m;

      /* A message deleted or moved a moment ago (Undo can still bring it back) is gone
       * from the conversation as it is from the list. */
      if (_lb_engine_is_hidden (self->engine, row->location_id))
        continue;
      if (row->message_id == lb_message_get_id (message))
        m = g_object_ref (message);
      else
        {
          m = _lb_message_new_from_row (row,
                                        account != NULL ? lb_account_get_display_name (account) : NULL,
                                        account != NULL ? lb_account_get_color (account) : NULL);
          _lb_message_set_location_id (m, row->location_id);
        }
      g_ptr_array_add (out, m);
    }
  if (out->len == 0)
    g_ptr_array_add (out, g_object_ref (message));
  return out;
}

/**
 * lb_message_list_expand_conversations:
 * @rows: (element-type LbMessage): rows of this list (a selection)
 *
 * What an action on rows acts on: each row, and for a conversation row every message of
 * it in the row's folder (the user's own replies stay in Sent).  Outside a conversation
 * list, the rows themselves.
 *
 * Returns: (transfer full) (element-type LbMessage): the messages
 */
GPtrArray *
lb_message_list_expand_conversations (LbMessageList *self,
                                      GPtrArray     *rows)
{
  GPtrArray *targets = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (LB_IS_MESSAGE_LIST (self), targets);

  for (guint i = 0; i < rows->len; i++)
    {
      LbMessage *row = g_ptr_array_index (rows, i);
      g_autoptr(GPtrArray) members = NULL;

      if (self->conversations && lb_message_get_conversation_count (row) > 1)
        members = lb_message_list_get_conversation (self, row, NULL);
      if (members == NULL)
        {
          g_ptr_array_add (targets, g_object_ref (row));
          continue;
        }
      for (guint k = 0; k < members->len; k++)
        {
          LbMessage *m = g_ptr_array_index (members, k);

          if (lb_message_get_folder_id (m) == lb_message_get_folder_id (row))
            g_ptr_array_add (targets, g_object_ref (m));
        }
    }
  return targets;
}

/* ---- Searching on the servers -------------------------------------------------- */

typedef struct {
  guint   pending;      /* account searches still running, plus one while starting */
  GArray *found;        /* gint64 location ids */
  GError *error;        /* the first account's failure */
  GArray *shown;        /* the list's ids when the search started */
  guint   n_new;        /* results the list did not show then */
} ServerSearch;

static void
server_search_free (ServerSearch *ss)
{
  g_clear_pointer (&ss->found, g_array_unref);
  g_clear_pointer (&ss->shown, g_array_unref);
  g_clear_error (&ss->error);
  g_free (ss);
}

/* Once the last account answered, merges what they found into the list. */
static void
server_search_release (GTask *task)
{
  LbMessageList *self = g_task_get_source_object (task);
  ServerSearch *ss = g_task_get_task_data (task);
  g_autoptr(GHashTable) known = NULL;

  if (--ss->pending > 0)
    return;

  /* What the list did not show when the user asked is new, even if a reload meanwhile
   * (the search syncs new mail in) found it locally too. */
  known = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < ss->shown->len; i++)
    g_hash_table_add (known, &g_array_index (ss->shown, gint64, i));
  if (self->server_ids == NULL)
    self->server_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < self->server_ids->len; i++)
    g_hash_table_add (known, &g_array_index (self->server_ids, gint64, i));
  for (guint i = 0; i < ss->found->len; i++)
    {
      gint64 *id = &g_array_index (ss->found, gint64, i);

      if (g_hash_table_contains (known, id))
        continue;
      g_hash_table_add (known, id);
      g_array_append_val (self->server_ids, *id);
      ss->n_new++;
    }
  if (ss->n_new > 0 && self->engine != NULL)
    lb_message_list_reload (self);

  if (ss->error != NULL)
    g_task_return_error (task, g_steal_pointer (&ss->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
server_search_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbMessageList *self = g_task_get_source_object (task);
  ServerSearch *ss = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) locations = lb_account_search_server_finish (LB_ACCOUNT (source), result,
                                                                 NULL, &error);

  if (locations != NULL)
    g_array_append_vals (ss->found, locations->data, locations->len);
  else if (ss->error == NULL)
    {
      /* In All Inboxes, say which account failed. */
      if (self->folder_id == LB_STORE_UNIFIED_INBOX)
        g_prefix_error (&error, "%s: ", lb_account_get_email (LB_ACCOUNT (source)));
      ss->error = g_steal_pointer (&error);
    }
  server_search_release (task);
}

/**
 * lb_message_list_search_server_async:
 * @self: a search list (see lb_engine_search())
 *
 * Asks the server to run the list's search too: in the list's folder, or in every
 * account's inbox for All Inboxes.  This finds mail whose text is not downloaded (see
 * lb_message_list_get_incomplete()); messages the store did not know yet are synced in
 * first.  What the servers find is merged into the list, newest first, and stays in it
 * on later reloads.
 */
void
lb_message_list_search_server_async (LbMessageList       *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ServerSearch *ss;
  GListModel *accounts;

  g_return_if_fail (LB_IS_MESSAGE_LIST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_message_list_search_server_async);
  if (self->query == NULL || self->engine == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "Only a search list can search on the server");
      return;
    }
  ss = g_new0 (ServerSearch, 1);
  ss->found = g_array_new (FALSE, FALSE, sizeof (gint64));
  ss->shown = g_array_sized_new (FALSE, FALSE, sizeof (gint64), self->ids->len);
  g_array_append_vals (ss->shown, self->ids->data, self->ids->len);
  g_task_set_task_data (task, ss, (GDestroyNotify) server_search_free);

  /* Held by the searches below, so that the task cannot finish before the last is out. */
  ss->pending = 1;
  accounts = lb_engine_get_accounts (self->engine);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) account = g_list_model_get_item (accounts, i);
      gint64 target = self->folder_id;

      if (self->folder_id == LB_STORE_UNIFIED_INBOX)
        {
          LbFolder *inbox = lb_account_find_folder (account, LB_FOLDER_ROLE_INBOX);

          if (inbox == NULL)
            continue;
          target = lb_folder_get_id (inbox);
        }
      /* A search of every folder is not asked of the servers: it would be one search
       * per folder; the offer is not made for it (it is never incomplete). */
      else if (self->folder_id == LB_STORE_ALL_FOLDERS
               || lb_account_get_folder (account, self->folder_id) == NULL)
        continue;
      ss->pending++;
      lb_account_search_server_async (account, target, self->query, cancellable,
                                      server_search_done, g_object_ref (task));
    }
  /* Drops the hold: with no account to ask, this finishes at once with nothing new. */
  server_search_release (task);
}

/**
 * lb_message_list_search_server_finish:
 * @out_n_new: (out) (optional): how many messages the servers found that the list did
 *   not show when the search started, also when an account failed
 *
 * Returns: %TRUE, or %FALSE with @error set if an account could not search (what the
 *   others found is merged nonetheless)
 */
gboolean
lb_message_list_search_server_finish (LbMessageList  *self,
                                      GAsyncResult   *result,
                                      guint          *out_n_new,
                                      GError        **error)
{
  ServerSearch *ss;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  ss = g_task_get_task_data (G_TASK (result));
  if (out_n_new != NULL)
    *out_n_new = ss != NULL ? ss->n_new : 0;
  return g_task_propagate_boolean (G_TASK (result), error);
}
