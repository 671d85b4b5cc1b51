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

struct _LbMessageListView
{
  GtkWidget           parent_instance;

  LbEngine           *engine;
  gint64              folder_id;
  LbMessageList      *folder_list;   /* the folder (or All Inboxes) */
  LbMessageList      *search_list;   /* a search in it, or NULL */
  GtkMultiSelection  *selection;
  GtkListItemFactory *factory;
  GtkListItemFactory *unified_factory;
  gboolean            syncing;
  gboolean            disposing;

  /* Template children */
  GtkSearchBar       *search_bar;
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  GtkListView        *list_view;
  GtkSpinner         *fetching_spinner;
};

G_DEFINE_FINAL_TYPE (LbMessageListView, lb_message_list_view, GTK_TYPE_WIDGET)

enum {
  SELECTION_CHANGED,
  ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

static void
lb_message_list_view_set_model (LbMessageListView *self,
                                LbMessageList     *list)
{
  LbMessageList *old = self->selection != NULL
                       ? LB_MESSAGE_LIST (gtk_multi_selection_get_model (self->selection)) : NULL;

  if (old != NULL)
    g_signal_handlers_disconnect_by_data (old, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);

  if (list != NULL)
    {
      self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (list)));
      g_signal_connect_swapped (self->selection, "selection-changed",
                                G_CALLBACK (on_selection_changed), self);
      /* A removed selected row changes the selection without "selection-changed". */
      g_signal_connect_swapped (self->selection, "items-changed",
                                G_CALLBACK (on_selection_changed), self);
      g_signal_connect_swapped (list, "items-changed", G_CALLBACK (on_list_changed), self);
      g_signal_connect_swapped (list, "notify::loading", G_CALLBACK (on_list_changed), self);
    }

  gtk_list_view_set_factory (self->list_view,
                             list != NULL && lb_message_list_is_unified (list)
                             ? self->unified_factory : self->factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  lb_message_list_view_update_state (self);
  if (!self->disposing)
    g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

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
  g_clear_object (&self->search_list);
  g_clear_object (&self->folder_list);
  if (folder_id == 0)
    self->folder_list = g_object_ref (lb_engine_get_unified_inbox (engine));
  else
    self->folder_list = lb_engine_open_folder (engine, folder_id);

  /* Leaving the search bar open with its text would suggest a search that is not shown. */
  if (gtk_search_bar_get_search_mode (self->search_bar))
    {
      g_signal_handlers_block_by_func (self->search_entry, NULL, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      gtk_search_bar_set_search_mode (self->search_bar, FALSE);
      g_signal_handlers_unblock_by_func (self->search_entry, NULL, self);
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
    self->search_list = lb_engine_search (self->engine, query, self->folder_id);
  lb_message_list_view_set_model (self, lb_message_list_view_get_list (self));
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

static void
on_activate (GtkListView       *list_view,
             guint              position,
             LbMessageListView *self)
{
  g_signal_emit (self, signals[ACTIVATED], 0, position);
}

static void
lb_message_list_view_dispose (GObject *object)
{
  LbMessageListView *self = LB_MESSAGE_LIST_VIEW (object);
  GtkWidget *child;

  self->disposing = TRUE;
  if (self->list_view != NULL)
    lb_message_list_view_set_model (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_MESSAGE_LIST_VIEW);
  /* The template's top box is not a bound child, so dispose_template leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->search_list);
  g_clear_object (&self->folder_list);
  g_clear_object (&self->factory);
  g_clear_object (&self->unified_factory);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (lb_message_list_view_parent_class)->dispose (object);
}

static void
lb_message_list_view_class_init (LbMessageListViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_message_list_view_dispose;

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

  g_type_ensure (LB_TYPE_MESSAGE_ROW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/letterbox/Letterbox/ui/lb-message-list-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, search_bar);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, stack);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, list_view);
  gtk_widget_class_bind_template_child (widget_class, LbMessageListView, fetching_spinner);
}

static void
lb_message_list_view_init (LbMessageListView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->factory = gtk_builder_list_item_factory_new_from_resource (
      NULL, "/io/github/letterbox/Letterbox/ui/lb-message-list-item.ui");
  self->unified_factory = gtk_builder_list_item_factory_new_from_resource (
      NULL, "/io/github/letterbox/Letterbox/ui/lb-message-list-item-unified.ui");
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
  lb_message_list_view_update_state (self);
}
