/* lb-message-list-view.c: the message list pane: a folder, All Inboxes or a search
 *
 * A GtkListView over the engine's lazy LbMessageList, through a GtkMultiSelection.  The
 * list reports new mail at the top as items-changed (0, 0, n): GtkListView keeps the rows
 * on screen where they are and GtkMultiSelection shifts the selection with them, so
 * neither the scroll position nor the selection moves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-message-list-view.h"
#include "lb-message-row.h"

#define SEARCH_DELAY_MS 250
/* Rows for the first frame: more than a tall window shows (a row is ~70 px). */
#define FIRST_FRAME_ROWS 40

/* Where the search on the server stands for the search shown. */
typedef enum {
  SERVER_NONE,      /* no search, or everything is downloaded: nothing to offer */
  SERVER_OFFER,
  SERVER_RUNNING,
  SERVER_DONE,
  SERVER_FAILED,
} ServerState;

struct _LbMessageListView
{
  GtkWidget           parent_instance;

  LbEngine           *engine;
  gint64              folder_id;
  LbMessageList      *folder_list;   /* the folder (or All Inboxes) */
  LbMessageList      *search_list;   /* a search in it, or NULL */
  LbMessageList      *shown_list;    /* the one of the two the selection is over */
  /* The selection is over a slice of the list, whole except before the first frame (see
   * lb_message_list_view_set_model). */
  GtkSliceListModel  *slice;
  GtkMultiSelection  *selection;
  GdkFrameClock      *paint_clock;     /* until the first frame is painted */
  gulong              after_paint_id;
  GtkListItemFactory *factory;
  GtkListItemFactory *unified_factory;
  GtkListItemFactory *everywhere_factory;  /* rows that say which folder they are in */
  gboolean            syncing;
  gboolean            disposing;
  char               *search_query;  /* the query shown, for the rows' highlights */
  GMenuModel         *context_menu_model;
  GtkWidget          *context_menu;  /* a GtkPopoverMenu, made on first use */
  ServerState         server_state;
  guint               tap_position;   /* the selected row a press began on, or G_MAXUINT */
  gboolean            at_top;         /* the list is scrolled to its top */
  guint               top_idle_id;
  guint               top_tick_id;
  guint               top_ticks;
  guint               server_found;
  char               *server_error;
  GCancellable       *server_cancellable;

  /* Template children */
  GtkSearchBar       *search_bar;
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  GtkListView        *list_view;
  GtkSpinner         *fetching_spinner;
  GtkRevealer        *server_bar;
  GtkLabel           *server_label;
  GtkButton          *server_button;
  GtkSpinner         *server_spinner;
  GtkWidget          *no_results_server_button;
  GtkRevealer        *search_count_revealer;
  GtkLabel           *search_count_label;
  GtkWidget          *search_everywhere_button;

  char               *scope_title;     /* the folder's name, as the sidebar shows it */
  gboolean            search_everywhere; /* the search runs in every folder */
};

G_DEFINE_FINAL_TYPE (LbMessageListView, lb_message_list_view, GTK_TYPE_WIDGET)

enum {
  SELECTION_CHANGED,
  ACTIVATED,
  PREPARE_CONTEXT_MENU,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_SEARCH_QUERY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
lb_message_list_view_new (void)
{
  return g_object_new (LB_TYPE_MESSAGE_LIST_VIEW, NULL);
}

/**
 * lb_message_list_view_get_list:
 *
 * Returns: (transfer none) (nullable): the list shown: the search results while searching
 */
LbMessageList *
lb_message_list_view_get_list (LbMessageListView *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_LIST_VIEW (self), NULL);

  return self->search_list != NULL ? self->search_list : self->folder_list;
}

GtkSelectionModel *
lb_message_list_view_get_selection (LbMessageListView *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_LIST_VIEW (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

GtkListView *
lb_message_list_view_get_list_view (LbMessageListView *self)
{
  return self->list_view;
}

static void lb_message_list_view_update_server (LbMessageListView *self);

static void
set_css_class (GtkWidget  *widget,
               const char *css_class,
               gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}

/* While searching, the line above the results says how many there are and where; it
 * keeps the last count while the next search runs, so that it does not flicker with each
 * word typed.  A search of one folder that found nothing offers every folder. */
static void
lb_message_list_view_update_search_count (LbMessageListView *self,
                                          guint              n)
{
  g_autofree char *text = NULL;
  g_autofree char *count = NULL;
  const char *where;
  gboolean estimated = FALSE;
  gint64 total;
  int indexing;

  gtk_revealer_set_reveal_child (self->search_count_revealer, self->search_list != NULL);
  gtk_widget_set_visible (self->search_everywhere_button,
                          self->search_list != NULL && !self->search_everywhere && n == 0);
  if (self->search_list == NULL)
    return;
  total = lb_message_list_get_total (self->search_list, &estimated);
  /* The first screen of a search comes with an estimate, shown while the rest loads. */
  if (lb_message_list_is_loading (self->search_list) && !(estimated && total >= 0))
    return;
  if (total < 0)
    total = n;
  where = self->search_everywhere ? _("All Folders")
          : self->scope_title != NULL ? self->scope_title : "";
  if (estimated)
    /* Translators: above search results, while they load: about how many there are
     * (%1$u) and where the search looked (%2$s, a folder's name such as "Inbox"). */
    count = g_strdup_printf (ngettext ("About %1$u result in %2$s", "About %1$u results in %2$s",
                                       (gulong) total), (guint) total, where);
  else
    /* Translators: above search results: how many there are (%1$u) and where the search
     * looked (%2$s, a folder's name such as "All Inboxes" or "Inbox"). */
    count = g_strdup_printf (ngettext ("%1$u result in %2$s", "%1$u results in %2$s",
                                       (gulong) total), (guint) total, where);
  indexing = lb_message_list_get_indexing (self->search_list);
  if (indexing >= 0)
    {
      /* Translators: after the number of search results, while the search index is being
       * built; %d is a percentage, followed by a percent sign. */
      g_autofree char *notice = g_strdup_printf (_("Indexing %d %%: results may be incomplete"), indexing);

      text = g_strconcat (count, "\n", notice, NULL);
    }
  else
    text = g_steal_pointer (&count);
  gtk_label_set_text (self->search_count_label, text);
}

static void
lb_message_list_view_update_state (LbMessageListView *self)
{
  LbMessageList *list = lb_message_list_view_get_list (self);
  guint n = list != NULL ? g_list_model_get_n_items (G_LIST_MODEL (list)) : 0;
  const char *page;

  if (n > 0)
    page = "list";
  else if (self->search_list != NULL)
    page = lb_message_list_is_loading (self->search_list) ? "list" : "no-results";
  else if (self->syncing || (list != NULL && lb_message_list_is_loading (list)))
    page = "fetching";
  else
    page = "empty";

  gtk_spinner_set_spinning (self->fetching_spinner, g_str_equal (page, "fetching"));
  gtk_stack_set_visible_child_name (self->stack, page);
  lb_message_list_view_update_search_count (self, n);
  lb_message_list_view_update_server (self);
}

/**
 * lb_message_list_view_get_state:
 *
 * Returns: "list", "empty" ("No Messages"), "fetching" ("Fetching Mail…") or "no-results"
 */
const char *
lb_message_list_view_get_state (LbMessageListView *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

/* ---- Search on the server ------------------------------------------------------ */

/* Shows where the search on the server stands: offered below the results (or as the
 * empty page's button), running, done, or failed with the reason. */
static void
lb_message_list_view_update_server (LbMessageListView *self)
{
  ServerState state = self->server_state;
  gboolean no_results = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "no-results") == 0;
  g_autofree char *text = NULL;
  const char *button = NULL;

  if (state == SERVER_NONE || state == SERVER_OFFER)
    {
      /* What is shown stays until the new results are in, so that the bar does not come
       * and go with each word typed. */
      if (self->search_list != NULL && lb_message_list_is_loading (self->search_list))
        return;
      state = self->search_list != NULL && lb_message_list_get_incomplete (self->search_list)
              ? SERVER_OFFER : SERVER_NONE;
    }
  self->server_state = state;

  switch (state)
    {
    case SERVER_OFFER:
      text = g_strdup (_("Not all mail here is downloaded."));
      button = _("Search on _Server");
      break;

    case SERVER_RUNNING:
      text = g_strdup (_("Searching on the server…"));
      break;

    case SERVER_DONE:
      text = self->server_found == 0
             ? g_strdup (_("The server found nothing more."))
             /* Translators: after a search on the server; %u is a number. */
             : g_strdup_printf (ngettext ("The server found %u more message.",
                                          "The server found %u more messages.",
                                          self->server_found), self->server_found);
      break;

    case SERVER_FAILED:
      /* Translators: %s says why, for example that the server cannot be reached. */
      text = g_strdup_printf (_("Could not search on the server: %s"), self->server_error);
      button = _("_Try Again");
      break;

    case SERVER_NONE:
    default:
      break;
    }

  gtk_label_set_text (self->server_label, text != NULL ? text : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->server_label), text);
  set_css_class (GTK_WIDGET (self->server_label), "error", state == SERVER_FAILED);
  gtk_widget_set_visible (GTK_WIDGET (self->server_button), button != NULL);
  if (button != NULL)
    gtk_button_set_label (self->server_button, button);
  gtk_widget_set_visible (GTK_WIDGET (self->server_spinner), state == SERVER_RUNNING);
  gtk_spinner_set_spinning (self->server_spinner, state == SERVER_RUNNING);
  /* On the empty page the offer is the page's own button; the bar reports the rest. */
  gtk_widget_set_visible (self->no_results_server_button, state == SERVER_OFFER);
  gtk_revealer_set_reveal_child (self->server_bar,
                                 state != SERVER_NONE && !(state == SERVER_OFFER && no_results));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message-list.search-server",
                                 state == SERVER_OFFER || state == SERVER_FAILED);
}

/**
 * lb_message_list_view_get_server_search_state:
 *
 * Returns: for tests: "none", "offer", "running", "done" or "failed"
 */
const char *
lb_message_list_view_get_server_search_state (LbMessageListView *self)
{
  static const char * const names[] = { "none", "offer", "running", "done", "failed" };

  g_return_val_if_fail (LB_IS_MESSAGE_LIST_VIEW (self), NULL);

  return names[self->server_state];
}

static void
lb_message_list_view_reset_server (LbMessageListView *self)
{
  g_cancellable_cancel (self->server_cancellable);
  g_clear_object (&self->server_cancellable);
  g_clear_pointer (&self->server_error, g_free);
  self->server_state = SERVER_NONE;
  self->server_found = 0;
}

static void
search_server_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LbMessageListView) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n_new = 0;
  gboolean ok = lb_message_list_search_server_finish (LB_MESSAGE_LIST (source), result, &n_new,
                                                      &error);

  /* A search typed since, or the view gone: this answer is for nobody. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || self->disposing || source != (GObject *) self->search_list)
    return;
  g_clear_object (&self->server_cancellable);
  self->server_found += n_new;
  if (ok)
    self->server_state = SERVER_DONE;
  else
    {
      self->server_state = SERVER_FAILED;
      g_free (self->server_error);
      self->server_error = g_strdup (error->message);
    }
  lb_message_list_view_update_server (self);
}

/**
 * lb_message_list_view_search_server:
 *
 * Runs the search shown on the server too (the folder, or every inbox in All Inboxes) and
 * merges what it finds into the results.
 */
void
lb_message_list_view_search_server (LbMessageListView *self)
{
  g_return_if_fail (LB_IS_MESSAGE_LIST_VIEW (self));

  if (self->search_list == NULL || self->server_state == SERVER_RUNNING)
    return;
  g_clear_pointer (&self->server_error, g_free);
  self->server_state = SERVER_RUNNING;
  self->server_cancellable = g_cancellable_new ();
  lb_message_list_search_server_async (self->search_list, self->server_cancellable,
                                       search_server_done, g_object_ref (self));
  lb_message_list_view_update_server (self);
}

static void
search_server_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  lb_message_list_view_search_server (LB_MESSAGE_LIST_VIEW (widget));
}

static void
on_selection_changed (LbMessageListView *self)
{
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

static void
on_list_changed (LbMessageListView *self)
{
  lb_message_list_view_update_state (self);
}

static gboolean
settle_top_tick (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       data)
{
  LbMessageListView *self = data;
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (widget));

  /* The second frame: the first laid out the rows scroll-to-item brought in. */
  if (++self->top_ticks < 2)
    return G_SOURCE_CONTINUE;
  self->top_tick_id = 0;
  /* Less than a row from the top: the top.  The user may have scrolled since. */
  if (gtk_adjustment_get_value (vadjustment) < 48)
    gtk_adjustment_set_value (vadjustment, 0);
  return G_SOURCE_REMOVE;
}

static gboolean
scroll_to_top_idle (gpointer data)
{
  LbMessageListView *self = data;

  self->top_idle_id = 0;
  if (self->selection == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->selection)) == 0)
    return G_SOURCE_REMOVE;
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", 0);
  /* scroll-to-item brings the row in with the height the list estimated for it; once it
   * is laid out, the list goes to its very top. */
  self->top_ticks = 0;
  if (self->top_tick_id == 0)
    self->top_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view),
                                                      settle_top_tick, self, NULL);
  return G_SOURCE_REMOVE;
}

/* GtkListView keeps the rows on screen where they are when rows come in above them, which
 * is right when one is reading further down.  At the top of the list, though, new mail
 * would land above the view and the list would look unchanged: there it is brought into
 * view.  Not from inside items-changed, where the list view is not ready to scroll. */
static void
on_list_items_changed (LbMessageListView *self,
                       guint              position,
                       guint              removed,
                       guint              added)
{
  if (position == 0 && added > removed && self->at_top && self->top_idle_id == 0)
    self->top_idle_id = g_idle_add (scroll_to_top_idle, self);
  lb_message_list_view_update_state (self);
}

static void
on_vadjustment_value_changed (LbMessageListView *self,
                              GtkAdjustment     *adjustment)
{
  self->at_top = gtk_adjustment_get_value (adjustment) <= 0.5;
}

static void
show_all_rows (LbMessageListView *self)
{
  if (self->slice != NULL && gtk_slice_list_model_get_size (self->slice) != G_MAXUINT)
    gtk_slice_list_model_set_size (self->slice, G_MAXUINT);
}

static gboolean
show_all_rows_idle (gpointer data)
{
  g_autoptr(LbMessageListView) self = data;

  show_all_rows (self);
  return G_SOURCE_REMOVE;
}

static void
on_first_frame_painted (GdkFrameClock     *clock,
                        LbMessageListView *self)
{
  g_clear_signal_handler (&self->after_paint_id, clock);
  g_clear_object (&self->paint_clock);
  g_idle_add_full (G_PRIORITY_LOW, show_all_rows_idle, g_object_ref (self), NULL);
}

static void
on_list_view_map (LbMessageListView *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self->list_view));

  if (self->after_paint_id != 0 || clock == NULL || self->slice == NULL
      || gtk_slice_list_model_get_size (self->slice) == G_MAXUINT)
    return;
  self->paint_clock = g_object_ref (clock);
  self->after_paint_id = g_signal_connect (clock, "after-paint",
                                           G_CALLBACK (on_first_frame_painted), self);
}

static void
lb_message_list_view_set_model (LbMessageListView *self,
                                LbMessageList     *list)
{
  g_autoptr(LbMessageList) old = g_steal_pointer (&self->shown_list);

  if (old != NULL)
    g_signal_handlers_disconnect_by_data (old, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->slice);

  if (list != NULL)
    {
      /* GTK 4.8's list view makes and measures some 200 rows whatever the height, which
       * was a quarter of the cold start over a big inbox.  Before the list's first frame,
       * only the rows that can be seen; the rest come in an idle after that frame. */
      self->shown_list = g_object_ref (list);
      self->slice = gtk_slice_list_model_new (G_LIST_MODEL (g_object_ref (list)), 0,
                                              gtk_widget_get_mapped (GTK_WIDGET (self->list_view))
                                              ? G_MAXUINT : FIRST_FRAME_ROWS);
      self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->slice)));
      g_signal_connect_swapped (self->selection, "selection-changed",
                                G_CALLBACK (on_selection_changed), self);
      /* A removed selected row changes the selection without "selection-changed". */
      g_signal_connect_swapped (self->selection, "items-changed",
                                G_CALLBACK (on_selection_changed), self);
      g_signal_connect_swapped (list, "items-changed", G_CALLBACK (on_list_items_changed), self);
      g_signal_connect_swapped (list, "notify::loading", G_CALLBACK (on_list_changed), self);
      g_signal_connect_swapped (list, "notify::incomplete", G_CALLBACK (on_list_changed), self);
    }

  /* Another list: a search on the server for the one before has nothing to report, and
   * the list is shown from its top. */
  if (list != old)
    {
      lb_message_list_view_reset_server (self);
      self->at_top = TRUE;
    }

  if (g_strcmp0 (self->search_query, self->search_list != NULL
                                      ? lb_message_list_get_query (self->search_list) : NULL) != 0)
    {
      g_free (self->search_query);
      self->search_query = self->search_list != NULL
                           ? g_strdup (lb_message_list_get_query (self->search_list)) : NULL;
      if (!self->disposing)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_QUERY]);
    }

  gtk_list_view_set_factory (self->list_view,
                             list != NULL && list == self->search_list && self->search_everywhere
                             ? self->everywhere_factory
                             : list != NULL && lb_message_list_is_unified (list)
                             ? self->unified_factory : self->factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  lb_message_list_view_update_state (self);
  if (!self->disposing)
    g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

static void on_search_changed (LbMessageListView *self);

/**
 * lb_message_list_view_show_folder:
 * @folder_id: a folder, or 0 for All Inboxes
 *
 * Shows the folder's messages, newest first.  A search in progress ends.
 */
void
lb_message_list_view_show_folder (LbMessageListView *self,
                                  LbEngine          *engine,
                                  gint64             folder_id)
{
  g_return_if_fail (LB_IS_MESSAGE_LIST_VIEW (self));
  g_return_if_fail (LB_IS_ENGINE (engine));

  g_set_object (&self->engine, engine);
  self->folder_id = folder_id;
  self->search_everywhere = FALSE;
  g_clear_object (&self->search_list);
  g_clear_object (&self->folder_list);
  if (folder_id == 0)
    {
      self->folder_list = g_object_ref (lb_engine_get_unified_inbox (engine));
      /* The engine keeps All Inboxes open: it follows a toggle made while it was hidden. */
      lb_message_list_set_conversations (self->folder_list, lb_engine_get_conversations (engine));
    }
  else
    self->folder_list = lb_engine_open_folder (engine, folder_id);

  /* Leaving the search bar open with its text would suggest a search that is not shown. */
  if (gtk_search_bar_get_search_mode (self->search_bar))
    {
      g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      gtk_search_bar_set_search_mode (self->search_bar, FALSE);
      g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
    }
  lb_message_list_view_set_model (self, self->folder_list);
}

static void
on_search_changed (LbMessageListView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *query = g_strstrip (g_strdup (text));

  if (self->engine == NULL)
    return;
  /* The entry also reports changes that change nothing (it does once at start); the list
   * is not rebuilt for those, which would cost a new set of rows. */
  if (self->search_list == NULL ? *query == '\0'
                                : g_strcmp0 (lb_message_list_get_query (self->search_list), query) == 0)
    return;
  g_clear_object (&self->search_list);
  if (*query != '\0')
    self->search_list = lb_engine_search (self->engine, query,
                                          self->search_everywhere ? LB_ENGINE_ALL_FOLDERS
                                                                  : self->folder_id);
  lb_message_list_view_set_model (self, lb_message_list_view_get_list (self));
}

/**
 * lb_message_list_view_search_everywhere:
 *
 * Runs the search shown in every folder of every account instead of the folder, until
 * the search ends.
 */
void
lb_message_list_view_search_everywhere (LbMessageListView *self)
{
  LbMessageList *list;

  g_return_if_fail (LB_IS_MESSAGE_LIST_VIEW (self));

  if (self->search_list == NULL || self->search_everywhere || self->engine == NULL)
    return;
  self->search_everywhere = TRUE;
  list = lb_engine_search (self->engine, lb_message_list_get_query (self->search_list),
                           LB_ENGINE_ALL_FOLDERS);
  g_clear_object (&self->search_list);
  self->search_list = list;
  lb_message_list_view_set_model (self, self->search_list);
}

static void
search_everywhere_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  lb_message_list_view_search_everywhere (LB_MESSAGE_LIST_VIEW (widget));
}

/**
 * lb_message_list_view_set_scope_title:
 * @title: (nullable): the name of the folder shown, as the sidebar has it
 *
 * The search count names it ("24 results in Inbox").
 */
void
lb_message_list_view_set_scope_title (LbMessageListView *self,
                                      const char        *title)
{
  g_return_if_fail (LB_IS_MESSAGE_LIST_VIEW (self));

  g_free (self->scope_title);
  self->scope_title = g_strdup (title);
}

void
lb_message_list_view_start_search (LbMessageListView *self)
{
  g_return_if_fail (LB_IS_MESSAGE_LIST_VIEW (self));

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
lb_message_list_view_stop_search (LbMessageListView *self)
{
  g_return_if_fail (LB_IS_MESSAGE_LIST_VIEW (self));

  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

gboolean
lb_message_list_view_get_searching (LbMessageListView *self)
{
  return gtk_search_bar_get_search_mode (self->search_bar);
}

static void
on_search_mode_changed (LbMessageListView *self)
{
  if (gtk_search_bar_get_search_mode (self->search_bar))
    return;
  /* Closing the bar (Escape, the button) ends the search and shows the folder again. */
  g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
  self->search_everywhere = FALSE;
  if (self->search_list != NULL)
    {
      g_clear_object (&self->search_list);
      lb_message_list_view_set_model (self, self->folder_list);
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
on_stop_search (LbMessageListView *self)
{
  lb_message_list_view_stop_search (self);
}

/**
 * lb_message_list_view_get_n_selected:
 *
 * Returns: how many rows are selected; unlike lb_message_list_view_get_selected(), it
 *   loads no message, so it stays cheap for a selection of the whole folder
 */
guint
lb_message_list_view_get_n_selected (LbMessageListView *self)
{
  g_autoptr(GtkBitset) bits = NULL;

  g_return_val_if_fail (LB_IS_MESSAGE_LIST_VIEW (self), 0);

  if (self->selection == NULL)
    return 0;
  bits = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  return (guint) MIN (gtk_bitset_get_size (bits), G_MAXUINT);
}

/**
 * lb_message_list_view_get_selected:
 *
 * Returns: (transfer container) (element-type LbMessage): the selected messages, in list
 *   order
 */
GPtrArray *
lb_message_list_view_get_selected (LbMessageListView *self)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GtkBitset) bits = NULL;
  GtkBitsetIter iter;
  guint position;

  g_return_val_if_fail (LB_IS_MESSAGE_LIST_VIEW (self), messages);

  if (self->selection == NULL)
    return messages;
  bits = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, bits, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      LbMessage *m = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

      if (m != NULL && lb_message_get_id (m) > 0)
        g_ptr_array_add (messages, m);
      else
        g_clear_object (&m);
    }
  return messages;
}

/**
 * lb_message_list_view_select_position:
 *
 * Selects only the row at @position and scrolls to it.
 */
void
lb_message_list_view_select_position (LbMessageListView *self,
                                      guint              position)
{
  g_return_if_fail (LB_IS_MESSAGE_LIST_VIEW (self));

  if (self->selection != NULL
      && position >= g_list_model_get_n_items (G_LIST_MODEL (self->selection)))
    show_all_rows (self);
  if (self->selection == NULL
      || position >= g_list_model_get_n_items (G_LIST_MODEL (self->selection)))
    return;
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  /* gtk_list_view_scroll_to() is GTK 4.12; the list's own action does it on 4.8. */
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
}

/**
 * lb_message_list_view_select_relative:
 * @delta: +1 for the next (older) message, -1 for the previous one
 *
 * Returns: whether the selection moved
 */
gboolean
lb_message_list_view_select_relative (LbMessageListView *self,
                                      int                delta)
{
  g_autoptr(GtkBitset) bits = NULL;
  guint n;
  gint64 position;

  g_return_val_if_fail (LB_IS_MESSAGE_LIST_VIEW (self), FALSE);

  if (self->selection == NULL)
    return FALSE;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  if (n == 0)
    return FALSE;
  bits = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_is_empty (bits))
    position = delta > 0 ? 0 : n - 1;
  else
    position = (gint64) (delta > 0 ? gtk_bitset_get_maximum (bits)
                                   : gtk_bitset_get_minimum (bits)) + delta;
  if (position < 0 || position >= n)
    return FALSE;
  lb_message_list_view_select_position (self, (guint) position);
  return TRUE;
}

/**
 * lb_message_list_view_set_syncing:
 *
 * While the account syncs, an empty list says "Fetching Mail…" rather than "No Messages".
 */
void
lb_message_list_view_set_syncing (LbMessageListView *self,
                                  gboolean           syncing)
{
  g_return_if_fail (LB_IS_MESSAGE_LIST_VIEW (self));

  self->syncing = !!syncing;
  if (!self->disposing)
    lb_message_list_view_update_state (self);
}

/* ---- Context menu ------------------------------------------------------------ */

/**
 * lb_message_list_view_get_search_query:
 *
 * Returns: (nullable): the query whose results are shown, or %NULL outside a search
 */
const char *
lb_message_list_view_get_search_query (LbMessageListView *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_LIST_VIEW (self), NULL);

  return self->search_query;
}

/**
 * lb_message_list_view_set_context_menu_model:
 * @model: (nullable): the menu a row's context menu shows
 *
 * The menu's actions apply to the selection: the window's mail actions.  Before it
 * opens, #LbMessageListView::prepare-context-menu lets the owner bring the parts that
 * depend on the selection up to date.
 */
void
lb_message_list_view_set_context_menu_model (LbMessageListView *self,
                                             GMenuModel        *model)
{
  g_return_if_fail (LB_IS_MESSAGE_LIST_VIEW (self));
  g_return_if_fail (model == NULL || G_IS_MENU_MODEL (model));

  g_set_object (&self->context_menu_model, model);
  if (self->context_menu != NULL)
    gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->context_menu), model);
}

/**
 * lb_message_list_view_get_context_menu:
 *
 * Returns: (transfer none) (nullable): the context menu popover, once it was first opened
 */
GtkPopover *
lb_message_list_view_get_context_menu (LbMessageListView *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_LIST_VIEW (self), NULL);

  return self->context_menu != NULL ? GTK_POPOVER (self->context_menu) : NULL;
}

static LbMessageRow *
row_of_widget (GtkWidget *widget)
{
  GtkWidget *child;

  if (widget == NULL)
    return NULL;
  if (LB_IS_MESSAGE_ROW (widget))
    return LB_MESSAGE_ROW (widget);
  /* The list's own row widget (around ours): its padding, or its focus. */
  child = gtk_widget_get_first_child (widget);
  if (child != NULL && LB_IS_MESSAGE_ROW (child))
    return LB_MESSAGE_ROW (child);
  widget = gtk_widget_get_ancestor (widget, LB_TYPE_MESSAGE_ROW);
  return widget != NULL ? LB_MESSAGE_ROW (widget) : NULL;
}

/* The row widget that shows @position, if it is on screen. */
static LbMessageRow *
find_row (LbMessageListView *self,
          guint              position)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      LbMessageRow *row = row_of_widget (child);

      if (row != NULL && gtk_widget_get_visible (child)
          && lb_message_row_get_message (row) != NULL
          && lb_message_row_get_position (row) == position)
        return row;
    }
  return NULL;
}

/* Opens the context menu for the row at @position, pointing at @x, @y (in the view's
 * coordinates; -1 for the row's own place).  As in Files, a row outside the selection
 * becomes the selection first, and a row inside it keeps the whole selection, so that
 * the menu's actions act on what is highlighted. */
static gboolean
popup_context_menu (LbMessageListView *self,
                    guint              position,
                    double             x,
                    double             y)
{
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };
  LbMessageRow *row;

  if (self->selection == NULL || self->context_menu_model == NULL
      || position >= g_list_model_get_n_items (G_LIST_MODEL (self->selection)))
    return FALSE;
  if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);

  if (self->context_menu == NULL)
    {
      self->context_menu = gtk_popover_menu_new_from_model (self->context_menu_model);
      gtk_widget_set_name (self->context_menu, "message-context-menu");
      gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
      gtk_widget_set_halign (self->context_menu, GTK_ALIGN_START);
      gtk_widget_set_parent (self->context_menu, GTK_WIDGET (self));
    }

  if (x < 0 || y < 0)
    {
      graphene_rect_t bounds;

      row = find_row (self, position);
      if (row != NULL && gtk_widget_compute_bounds (GTK_WIDGET (row), GTK_WIDGET (self), &bounds))
        rect = (GdkRectangle) { (int) bounds.origin.x + 24, (int) (bounds.origin.y + bounds.size.height / 2),
                                1, 1 };
      else
        rect = (GdkRectangle) { 24, 24, 1, 1 };
    }

  g_signal_emit (self, signals[PREPARE_CONTEXT_MENU], 0);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), &rect);
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
  return TRUE;
}

/**
 * lb_message_list_view_popup_context_menu_at:
 * @x: a point in the GtkListView's coordinates
 * @y: a point in the GtkListView's coordinates
 *
 * Opens the context menu for the row at (@x, @y), as a right click or a long press there
 * does.
 *
 * Returns: whether there was a row there
 */
gboolean
lb_message_list_view_popup_context_menu_at (LbMessageListView *self,
                                            double             x,
                                            double             y)
{
  GtkWidget *picked;
  LbMessageRow *row;
  double vx, vy;

  g_return_val_if_fail (LB_IS_MESSAGE_LIST_VIEW (self), FALSE);

  picked = gtk_widget_pick (GTK_WIDGET (self->list_view), x, y, GTK_PICK_DEFAULT);
  row = row_of_widget (picked);
  if (row == NULL || lb_message_row_get_message (row) == NULL)
    return FALSE;
  if (!gtk_widget_translate_coordinates (GTK_WIDGET (self->list_view), GTK_WIDGET (self),
                                         x, y, &vx, &vy))
    vx = vy = -1;
  return popup_context_menu (self, lb_message_row_get_position (row), vx, vy);
}

/**
 * lb_message_list_view_popup_context_menu:
 *
 * Opens the context menu for the focused row (the Menu key, Shift+F10), or else for the
 * selection.
 *
 * Returns: whether there was a row to open it for
 */
gboolean
lb_message_list_view_popup_context_menu (LbMessageListView *self)
{
  GtkRoot *root;
  GtkWidget *focus = NULL;
  LbMessageRow *row = NULL;
  g_autoptr(GtkBitset) bits = NULL;

  g_return_val_if_fail (LB_IS_MESSAGE_LIST_VIEW (self), FALSE);

  if (self->selection == NULL)
    return FALSE;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (root != NULL)
    focus = gtk_root_get_focus (root);
  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_view)))
    row = row_of_widget (focus);
  if (row != NULL && lb_message_row_get_message (row) != NULL)
    return popup_context_menu (self, lb_message_row_get_position (row), -1, -1);

  bits = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_is_empty (bits))
    return FALSE;
  return popup_context_menu (self, gtk_bitset_get_minimum (bits), -1, -1);
}

static void
on_context_click (GtkGestureClick   *gesture,
                  int                n_press,
                  double             x,
                  double             y,
                  LbMessageListView *self)
{
  if (lb_message_list_view_popup_context_menu_at (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
on_context_long_press (GtkGestureLongPress *gesture,
                       double               x,
                       double               y,
                       LbMessageListView   *self)
{
  if (lb_message_list_view_popup_context_menu_at (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static gboolean
on_context_menu_key (GtkWidget *widget,
                     GVariant  *args,
                     gpointer   user_data)
{
  return lb_message_list_view_popup_context_menu (LB_MESSAGE_LIST_VIEW (widget));
}

/* A tap on the row that is already selected opens it again: on a narrow window, after
 * going back from the reader, the list shows that row selected, and a tap on it must not
 * do nothing.  The press is seen before the row's own gesture selects anything (capture
 * phase), so that it is known whether the row was selected before. */
static void
on_tap_pressed (GtkGestureClick   *gesture,
                int                n_press,
                double             x,
                double             y,
                LbMessageListView *self)
{
  LbMessageRow *row = row_of_widget (gtk_widget_pick (GTK_WIDGET (self->list_view), x, y,
                                                      GTK_PICK_DEFAULT));
  guint position;

  self->tap_position = G_MAXUINT;
  if (n_press != 1 || row == NULL || lb_message_row_get_message (row) == NULL
      || self->selection == NULL)
    return;
  position = lb_message_row_get_position (row);
  if (lb_message_list_view_get_n_selected (self) == 1
      && gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    self->tap_position = position;
}

static void
on_tap_released (GtkGestureClick   *gesture,
                 int                n_press,
                 double             x,
                 double             y,
                 LbMessageListView *self)
{
  LbMessageRow *row = row_of_widget (gtk_widget_pick (GTK_WIDGET (self->list_view), x, y,
                                                      GTK_PICK_DEFAULT));
  guint position = self->tap_position;

  self->tap_position = G_MAXUINT;
  if (position != G_MAXUINT && row != NULL && lb_message_row_get_position (row) == position)
    g_signal_emit (self, signals[ACTIVATED], 0, position);
}

static void
on_activate (GtkListView       *list_view,
             guint              position,
             LbMessageListView *self)
{
  g_signal_emit (self, signals[ACTIVATED], 0, position);
}

static void
lb_message_list_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LbMessageListView *self = LB_MESSAGE_LIST_VIEW (object);

  switch (prop_id)
    {
    case PROP_SEARCH_QUERY:
      g_value_set_string (value, self->search_query);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_message_list_view_dispose (GObject *object)
{
  LbMessageListView *self = LB_MESSAGE_LIST_VIEW (object);
  GtkWidget *child;

  self->disposing = TRUE;
  g_clear_handle_id (&self->top_idle_id, g_source_remove);
  if (self->top_tick_id != 0 && self->list_view != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->top_tick_id);
  self->top_tick_id = 0;
  if (self->paint_clock != NULL)
    g_clear_signal_handler (&self->after_paint_id, self->paint_clock);
  g_clear_object (&self->paint_clock);
  if (self->list_view != NULL)
    {
      GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view));

      if (vadjustment != NULL)
        g_signal_handlers_disconnect_by_data (vadjustment, self);
      lb_message_list_view_set_model (self, NULL);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_MESSAGE_LIST_VIEW);
  /* The template's top box is not a bound child, so dispose_template leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->search_list);
  g_clear_object (&self->folder_list);
  g_clear_object (&self->factory);
  g_clear_object (&self->unified_factory);
  g_clear_object (&self->everywhere_factory);
  g_clear_object (&self->engine);
  g_clear_object (&self->context_menu_model);
  self->context_menu = NULL;   /* unparented with the other children above */
  g_clear_pointer (&self->search_query, g_free);
  g_clear_pointer (&self->scope_title, g_free);
  lb_message_list_view_reset_server (self);

  G_OBJECT_CLASS (lb_message_list_view_parent_class)->dispose (object);
}

static void
lb_message_list_view_class_init (LbMessageListViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_message_list_view_dispose;
  object_class->get_property = lb_message_list_view_get_property;

  /**
   * LbMessageListView:search-query:
   *
   * The query whose results are shown, or %NULL outside a search.  Rows highlight its
   * words.
   */
  properties[PROP_SEARCH_QUERY] =
    g_param_spec_string ("search-query", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LbMessageListView::selection-changed:
   *
   * The selected messages changed, or the list was replaced.
   */
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[ACTIVATED] =
    g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /**
   * LbMessageListView::prepare-context-menu:
   *
   * The context menu is about to open for the selection (already adjusted to the row
   * clicked): the owner updates the parts of the menu that depend on it.
   */
  signals[PREPARE_CONTEXT_MENU] =
    g_signal_new ("prepare-context-menu", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, on_context_menu_key, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Menu, 0, on_context_menu_key, NULL);

  g_type_ensure (LB_TYPE_MESSAGE_ROW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/letterbox/Letterbox/ui/lb-message-list-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, search_bar);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, stack);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, list_view);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, fetching_spinner);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, server_bar);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, server_label);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, server_button);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, server_spinner);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, no_results_server_button);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, search_count_revealer);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, search_count_label);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, search_everywhere_button);

  gtk_widget_class_install_action (widget_class, "message-list.search-server", NULL,
                                   search_server_action);
  gtk_widget_class_install_action (widget_class, "message-list.search-everywhere", NULL,
                                   search_everywhere_action);
}

static void
lb_message_list_view_init (LbMessageListView *self)
{
  GtkGesture *click;
  GtkGesture *long_press;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->factory = gtk_builder_list_item_factory_new_from_resource (
      NULL, "/io/github/letterbox/Letterbox/ui/lb-message-list-item.ui");
  self->unified_factory = gtk_builder_list_item_factory_new_from_resource (
      NULL, "/io/github/letterbox/Letterbox/ui/lb-message-list-item-unified.ui");
  self->everywhere_factory = gtk_builder_list_item_factory_new_from_resource (
      NULL, "/io/github/letterbox/Letterbox/ui/lb-message-list-item-everywhere.ui");
  gtk_list_view_set_factory (self->list_view, self->factory);

  g_object_set (self->search_entry, "search-delay", SEARCH_DELAY_MS, NULL);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  g_signal_connect_swapped (self->search_entry, "search-changed",
                            G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->search_entry, "stop-search",
                            G_CALLBACK (on_stop_search), self);
  g_signal_connect_swapped (self->search_bar, "notify::search-mode-enabled",
                            G_CALLBACK (on_search_mode_changed), self);
  g_signal_connect (self->list_view, "activate", G_CALLBACK (on_activate), self);

  /* Right click (and long press on a touch screen) opens a row's context menu. */
  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_context_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), GTK_EVENT_CONTROLLER (click));
  long_press = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), TRUE);
  g_signal_connect (long_press, "pressed", G_CALLBACK (on_context_long_press), self);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), GTK_EVENT_CONTROLLER (long_press));

  self->at_top = TRUE;
  g_signal_connect_swapped (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view)),
                            "value-changed", G_CALLBACK (on_vadjustment_value_changed), self);

  self->tap_position = G_MAXUINT;
  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  gtk_event_controller_set_name (GTK_EVENT_CONTROLLER (click), "lb-row-tap");
  g_signal_connect (click, "pressed", G_CALLBACK (on_tap_pressed), self);
  g_signal_connect (click, "released", G_CALLBACK (on_tap_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), GTK_EVENT_CONTROLLER (click));

  g_signal_connect_swapped (self->list_view, "map", G_CALLBACK (on_list_view_map), self);
  lb_message_list_view_update_state (self);
}

/**
 * lb_message_list_view_set_conversations:
 * @conversations: whether the folder's list groups by conversation
 *
 * Regroups the list of the folder shown (a search on it stays a list of messages).
 */
void
lb_message_list_view_set_conversations (LbMessageListView *self,
                                        gboolean           conversations)
{
  g_return_if_fail (LB_IS_MESSAGE_LIST_VIEW (self));

  if (self->folder_list != NULL)
    lb_message_list_set_conversations (self->folder_list, conversations);
}
