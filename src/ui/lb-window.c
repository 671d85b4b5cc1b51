/* lb-window.c: the main window: sidebar, message list and reader in nested leaflets
 *
 * The window binds the engine to the three panes: the sidebar picks a folder, the list
 * shows it, and the reader shows the one selected message.  The mail actions (delete,
 * archive, flag, read, move, reply...) are window actions installed in class_init, so
 * their shortcuts and the header bar buttons share them and are disabled together when
 * nothing is selected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-folder-actions.h"
#include "lb-message-drag.h"
#include "lb-message-list-view.h"
#include "lb-reader.h"
#include "lb-sidebar.h"
#include "lb-ui-types.h"
#include "lb-window.h"

#include "lb-composer.h"
#include "lb-conversation-stack.h"
#include "lb-local-drafts.h"
#include "lb-message-actions.h"
#include "lb-outbox-view.h"

typedef enum {
  MARK_READ_IMMEDIATELY,
  MARK_READ_DELAY,
  MARK_READ_NEVER,
} MarkReadMode;

struct _LbWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  gboolean              has_accounts;
  LbEngine             *engine;
  GHashTable           *watched_accounts;   /* LbAccount -> TRUE */
  LbMessage            *shown;              /* the message in the reader */
  guint                 mark_read_id;
  guint                 reselect;           /* position to select once rows went */
  /* After an Undo: the messages to select again once they are back in the list, and
   * where they were. */
  GArray               *restore_ids;
  guint                 restore_position;
  gint64                restore_guard;      /* the message selected when Undo was pressed */
  guint                 restore_idle_id;
  /* Getting the web view ready once the list is painted and nothing else is to do. */
  gulong                prewarm_paint_id;
  guint                 prewarm_idle_id;
  gulong                shown_notify_id;
  LbReader             *reader;
  LbConversationStack  *conversation;       /* above the reader, for a conversation row */
  gulong                conversation_notify_id;
  LbOutboxView         *outbox_view;
  LbLocalDrafts        *local_drafts;
  GtkWidget            *keep_button;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  GtkMenuButton        *welcome_menu_button;
  GtkMenuButton        *primary_menu_button;
  AdwLeaflet           *outer_leaflet;
  AdwLeaflet           *inner_leaflet;
  GtkWidget            *sidebar_pane;
  GtkWidget            *list_pane;
  GtkWidget            *reader_pane;
  GtkStack             *sidebar_stack;
  GtkStack             *list_stack;
  GtkStack             *reader_stack;
  LbSidebar            *sidebar;
  LbMessageListView    *message_list;
  AdwWindowTitle       *list_title;
  AdwWindowTitle       *reader_title;
  AdwStatusPage        *selection_page;
  GtkMenuButton        *move_button;
  GtkToggleButton      *read_button;
  GtkToggleButton      *flag_button;
  GtkPopover           *move_popover;
  GtkListBox           *move_list;
  GMenuModel           *message_menu;
  GMenu                *message_menu_marks;
  GMenu                *message_menu_move;
};

G_DEFINE_FINAL_TYPE (LbWindow, lb_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_HAS_ACCOUNTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_HIDDEN_IN_BACKGROUND,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void lb_window_update_actions (LbWindow  *self);

/* The actions on the message being read that keep it (lb_window_keep_action()). */
static const char * const keeping_actions[] = {
  "win.print", "win.view-source", "win.save-eml", "win.open-in-window",
};
static void lb_window_queue_restore_selection (LbWindow *self);
static LbReader *lb_window_ensure_reader (LbWindow *self);
static void lb_window_show_message   (LbWindow  *self,
                                      LbMessage *message);

static void lb_window_set_engine (LbWindow *self,
                                  LbEngine *engine);

/**
 * lb_window_new:
 * @application: the application the window belongs to
 * @engine: (nullable): the engine to show, or %NULL if the mail store could not be opened
 *
 * The application passes its engine down: the window never asks the application for it,
 * so that the window does not depend on the application (which opens it).
 *
 * Returns: (transfer floating): a new main window
 */
LbWindow *
lb_window_new (GtkApplication *application,
               LbEngine       *engine)
{
  LbWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (engine == NULL || LB_IS_ENGINE (engine), NULL);

  self = g_object_new (LB_TYPE_WINDOW,
                       "application", application,
                       NULL);
  lb_window_set_engine (self, engine);
  return self;
}

static void
lb_window_update_empty_state (LbWindow *self)
{
  gtk_stack_set_visible_child_name (self->main_stack, self->has_accounts ? "mail" : "welcome");

  /* F10 opens the primary menu; only the menu button on screen may claim it. */
  gtk_menu_button_set_primary (self->welcome_menu_button, !self->has_accounts);
  gtk_menu_button_set_primary (self->primary_menu_button, self->has_accounts);

  if (self->has_accounts)
    {
      gboolean engine = self->engine != NULL;

      gtk_stack_set_visible_child_name (self->sidebar_stack, engine ? "folders" : "empty");
      gtk_stack_set_visible_child_name (self->list_stack,
                                        !engine ? "no-folder"
                                        : lb_sidebar_is_outbox (lb_sidebar_get_selected_folder (self->sidebar), NULL)
                                        ? "outbox" : "messages");
      gtk_stack_set_visible_child_name (self->reader_stack, "no-message");
      /* On a narrow window the sidebar is where one starts. */
      adw_leaflet_set_visible_child (self->outer_leaflet, self->sidebar_pane);
      adw_leaflet_set_visible_child (self->inner_leaflet, self->list_pane);
      /* All Inboxes is where one starts. */
      if (engine && lb_sidebar_get_selected_folder (self->sidebar) == -1)
        lb_sidebar_select_folder (self->sidebar, 0);
    }
}

/**
 * lb_window_get_engine:
 *
 * Returns: (transfer none) (nullable): the engine the window shows
 */
LbEngine *
lb_window_get_engine (LbWindow *self)
{
  g_return_val_if_fail (LB_IS_WINDOW (self), NULL);

  return self->engine;
}

LbSidebar *
lb_window_get_sidebar (LbWindow *self)
{
  g_return_val_if_fail (LB_IS_WINDOW (self), NULL);

  return self->sidebar;
}

LbMessageListView *
lb_window_get_message_list (LbWindow *self)
{
  g_return_val_if_fail (LB_IS_WINDOW (self), NULL);

  return self->message_list;
}

/**
 * lb_window_get_shown_message:
 *
 * Returns: (transfer none) (nullable): the message in the reader
 */
LbMessage *
lb_window_get_shown_message (LbWindow *self)
{
  g_return_val_if_fail (LB_IS_WINDOW (self), NULL);

  return self->shown;
}

/**
 * lb_window_open_message:
 * @message_id: a message id, as in a new-mail notification
 *
 * Shows All Inboxes with the message selected, or the message alone in the reader if the
 * list no longer holds it.
 */
void
lb_window_open_message (LbWindow *self,
                        gint64    message_id)
{
  g_autoptr(LbMessage) message = NULL;
  LbMessageList *list;

  g_return_if_fail (LB_IS_WINDOW (self));

  if (self->engine == NULL)
    return;
  lb_sidebar_select_folder (self->sidebar, 0);
  list = lb_message_list_view_get_list (self->message_list);
  for (guint i = 0; list != NULL && i < MIN (g_list_model_get_n_items (G_LIST_MODEL (list)), 500); i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (lb_message_get_id (m) == message_id)
        {
          lb_message_list_view_select_position (self->message_list, i);
          return;
        }
    }
  message = lb_engine_lookup_message (self->engine, message_id);
  if (message != NULL)
    lb_window_show_message (self, message);
}

gboolean
lb_window_get_has_accounts (LbWindow *self)
{
  g_return_val_if_fail (LB_IS_WINDOW (self), FALSE);

  return self->has_accounts;
}

/**
 * lb_window_set_has_accounts:
 * @self: the window
 * @has_accounts: whether at least one account is configured
 *
 * Switches the window between the welcome page, which asks for an account, and the three
 * panes.  The window follows the engine's accounts by itself; this is for tests and
 * screenshots.
 */
void
lb_window_set_has_accounts (LbWindow *self,
                            gboolean  has_accounts)
{
  g_return_if_fail (LB_IS_WINDOW (self));

  has_accounts = !!has_accounts;
  if (self->has_accounts == has_accounts)
    return;

  self->has_accounts = has_accounts;
  lb_window_update_empty_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_ACCOUNTS]);
}

/* ---- Syncing status ---------------------------------------------------------- */

static gboolean
account_is_busy (LbAccount *account)
{
  LbAccountStatus status = lb_account_get_status (account);

  return status == LB_ACCOUNT_STATUS_CONNECTING || status == LB_ACCOUNT_STATUS_SYNCING;
}

/* An empty list says "Fetching Mail…" while its account (any account, for All Inboxes)
 * is still syncing. */
static void
lb_window_update_syncing (LbWindow *self)
{
  GListModel *accounts;
  gint64 folder_id;
  gboolean busy = FALSE;

  if (self->engine == NULL)
    return;
  accounts = lb_engine_get_accounts (self->engine);
  folder_id = lb_sidebar_get_selected_folder (self->sidebar);
  for (guint i = 0; i < g_list_model_get_n_items (accounts) && !busy; i++)
    {
      g_autoptr(LbAccount) account = g_list_model_get_item (accounts, i);

      if (folder_id <= 0 || lb_account_get_folder (account, folder_id) != NULL)
        busy = account_is_busy (account);
    }
  lb_message_list_view_set_syncing (self->message_list, busy);
}

static void
on_accounts_changed (LbWindow *self)
{
  GListModel *accounts = lb_engine_get_accounts (self->engine);
  guint n = g_list_model_get_n_items (accounts);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbAccount) account = g_list_model_get_item (accounts, i);

      if (g_hash_table_contains (self->watched_accounts, account))
        continue;
      g_hash_table_add (self->watched_accounts, g_object_ref (account));
      g_signal_connect_object (account, "notify::status", G_CALLBACK (lb_window_update_syncing),
                               self, G_CONNECT_SWAPPED);
    }
  lb_window_set_has_accounts (self, n > 0);
  lb_window_update_syncing (self);
}

/* ---- Reader and marking read ------------------------------------------------ */

static void
lb_window_cancel_mark_read (LbWindow *self)
{
  g_clear_handle_id (&self->mark_read_id, g_source_remove);
}

static void
lb_window_mark_shown_read (LbWindow *self)
{
  /* For a conversation row, the reader shows one of its messages, not always the row's. */
  LbMessage *m = self->reader != NULL && lb_reader_get_message (self->reader) != NULL
                 ? lb_reader_get_message (self->reader) : self->shown;

  if (m != NULL && self->engine != NULL && lb_message_get_unread (m))
    lb_engine_set_flags (self->engine, &m, 1, LB_FLAG_SEEN, 0);
}

/* Shows the conversation of the row @message in the stack above the reader, and returns
 * the message the reader should show: the row itself, or for a conversation its oldest
 * unread message, else its newest. */
static LbMessage *
lb_window_show_conversation (LbWindow  *self,
                             LbMessage *message,
                             LbMessage *current)
{
  LbMessageList *list = lb_message_list_view_get_list (self->message_list);
  g_autoptr(GPtrArray) members = NULL;

  if (message != NULL && list != NULL && lb_message_list_get_conversations (list)
      && lb_message_get_conversation_count (message) > 1)
    members = lb_message_list_get_conversation (list, message, NULL);
  if (members == NULL || members->len < 2)
    {
      if (self->conversation != NULL)
        lb_conversation_stack_set_messages (self->conversation, NULL, NULL);
      return message;
    }
  {
    LbMessage *again = NULL;

    /* The same message again, as the freshly read object; another one when it is gone
     * (deleted from the stack). */
    for (guint i = 0; current != NULL && i < members->len; i++)
      if (lb_message_get_id (g_ptr_array_index (members, i)) == lb_message_get_id (current))
        again = g_ptr_array_index (members, i);
    current = again != NULL ? again : lb_conversation_stack_pick (members);
  }
  lb_window_ensure_reader (self);
  lb_conversation_stack_set_messages (self->conversation, members, current);
  return current;
}

/* The conversation of the row on display changed (a reply came in, a message was read). */
static void
on_shown_conversation_changed (LbWindow *self)
{
  LbMessage *current = self->reader != NULL ? lb_reader_get_message (self->reader) : NULL;
  LbMessage *now;

  if (self->shown == NULL || self->conversation == NULL)
    return;
  now = lb_window_show_conversation (self, self->shown, current);
  if (now != NULL && now != current)
    lb_reader_set_message (self->reader, now);
}

static gboolean
mark_read_timeout (gpointer data)
{
  LbWindow *self = data;

  self->mark_read_id = 0;
  lb_window_mark_shown_read (self);
  return G_SOURCE_REMOVE;
}

static void
lb_window_show_message (LbWindow  *self,
                        LbMessage *message)
{
  if (self->shown == message)
    return;

  lb_window_cancel_mark_read (self);
  if (self->shown != NULL)
    {
      g_clear_signal_handler (&self->shown_notify_id, self->shown);
      g_clear_signal_handler (&self->conversation_notify_id, self->shown);
    }
  g_set_object (&self->shown, message);
  /* The header bar's toggles follow the flags, which marking read changes later. */
  if (message != NULL)
    {
      self->shown_notify_id = g_signal_connect_swapped (message, "notify::flags",
                                                        G_CALLBACK (lb_window_update_actions),
                                                        self);
      self->conversation_notify_id =
        g_signal_connect_swapped (message, "notify::conversation-count",
                                  G_CALLBACK (on_shown_conversation_changed), self);
    }

  if (message == NULL)
    {
      if (self->reader != NULL)
        lb_reader_set_message (self->reader, NULL);
      lb_window_show_conversation (self, NULL, NULL);
      return;
    }

  lb_reader_set_message (lb_window_ensure_reader (self),
                         lb_window_show_conversation (self, message, NULL));
  message = lb_reader_get_message (self->reader);
  gtk_stack_set_visible_child_name (self->reader_stack, "message");

  /* Marking read follows the preference; a message merely passed over with j/k in
   * "delay" mode stays unread. */
  switch ((MarkReadMode) g_settings_get_enum (self->settings, "mark-read-mode"))
    {
    case MARK_READ_IMMEDIATELY:
      lb_window_mark_shown_read (self);
      break;

    case MARK_READ_DELAY:
      if (lb_message_get_unread (message))
        self->mark_read_id =
          g_timeout_add_seconds (g_settings_get_int (self->settings, "mark-read-delay"),
                                 mark_read_timeout, self);
      break;

    case MARK_READ_NEVER:
    default:
      break;
    }
}

static void
on_selection_changed (LbWindow *self)
{
  g_autoptr(GPtrArray) selected = NULL;
  guint n_selected;

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  /* Messages an Undo brings back are selected again once they are in the list. */
  if (self->restore_ids != NULL)
    lb_window_queue_restore_selection (self);
  /* Counted, not loaded: Ctrl+A in a big folder must not read every message here. */
  n_selected = lb_message_list_view_get_n_selected (self->message_list);
  if (n_selected == 0 && self->reselect != G_MAXUINT)
    {
      LbMessageList *list = lb_message_list_view_get_list (self->message_list);
      guint n = list != NULL ? g_list_model_get_n_items (G_LIST_MODEL (list)) : 0;
      guint position = self->reselect;

      self->reselect = G_MAXUINT;
      if (n > 0)
        {
          /* Selecting emits selection-changed again, which shows the message. */
          lb_message_list_view_select_position (self->message_list, MIN (position, n - 1));
          return;
        }
    }

  if (n_selected == 1)
    selected = lb_message_list_view_get_selected (self->message_list);
  if (selected != NULL && selected->len == 1)
    {
      LbMessage *message = g_ptr_array_index (selected, 0);
      gboolean changed = message != self->shown;

      lb_window_show_message (self, message);
      /* Folded, picking a message opens it. */
      if (changed && adw_leaflet_get_folded (self->inner_leaflet)
          && gtk_widget_get_mapped (GTK_WIDGET (self->message_list)))
        adw_leaflet_set_visible_child (self->inner_leaflet, self->reader_pane);
    }
  else
    {
      lb_window_show_message (self, NULL);
      if (n_selected <= 1)
        gtk_stack_set_visible_child_name (self->reader_stack, "no-message");
      else
        {
          g_autofree char *title =
            g_strdup_printf (ngettext ("%u Message Selected", "%u Messages Selected",
                                       n_selected), n_selected);

          adw_status_page_set_title (self->selection_page, title);
          gtk_stack_set_visible_child_name (self->reader_stack, "selection");
        }
    }
  lb_window_update_actions (self);
}

/* The account whose Drafts folder @folder_id is, or 0. */
static gint64
drafts_account (LbWindow *self,
                gint64    folder_id)
{
  GListModel *accounts = lb_engine_get_accounts (self->engine);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (accounts, i);
      LbFolder *folder = lb_account_get_folder (a, folder_id);

      if (folder != NULL)
        return lb_folder_get_role (folder) == LB_FOLDER_ROLE_DRAFTS ? lb_account_get_id (a) : 0;
    }
  return 0;
}

static void
on_folder_selected (LbWindow  *self,
                    gint64     folder_id)
{
  gint64 outbox_account = 0;

  if (self->engine == NULL)
    return;
  self->reselect = G_MAXUINT;
  g_clear_pointer (&self->restore_ids, g_array_unref);
  lb_window_show_message (self, NULL);
  adw_window_title_set_title (self->list_title, lb_sidebar_get_selected_title (self->sidebar));
  lb_message_list_view_set_scope_title (self->message_list,
                                        lb_sidebar_get_selected_title (self->sidebar));
  if (lb_sidebar_is_outbox (folder_id, &outbox_account))
    {
      /* The Outbox is not a folder: its messages and their states take the list's place.
       * The hidden list keeps no selection, so that Delete and the other message actions
       * cannot act on messages out of sight. */
      gtk_selection_model_unselect_all (lb_message_list_view_get_selection (self->message_list));
      lb_local_drafts_show (self->local_drafts, NULL, 0);
      lb_outbox_view_show (self->outbox_view, self->engine, outbox_account);
      gtk_stack_set_visible_child_name (self->list_stack, "outbox");
      gtk_stack_set_visible_child_name (self->reader_stack, "no-message");
      lb_window_update_actions (self);
      return;
    }
  gtk_stack_set_visible_child_name (self->list_stack, "messages");
  lb_local_drafts_show (self->local_drafts, self->engine, drafts_account (self, folder_id));
  lb_message_list_view_show_folder (self->message_list, self->engine, folder_id);
  lb_window_update_syncing (self);
  gtk_stack_set_visible_child_name (self->reader_stack, "no-message");
}

static void
on_sidebar_row_activated (LbWindow *self)
{
  /* Folded, picking a folder opens its list. */
  if (adw_leaflet_get_folded (self->outer_leaflet))
    adw_leaflet_set_visible_child (self->outer_leaflet, GTK_WIDGET (self->inner_leaflet));
}

/* Whether @message is a saved draft: it lies in its account's Drafts folder. */
static gboolean
is_draft (LbWindow  *self,
          LbMessage *message)
{
  LbAccount *account = lb_engine_get_account (self->engine, lb_message_get_account_id (message));
  LbFolder *folder = account != NULL ? lb_account_get_folder (account,
                                                              lb_message_get_folder_id (message))
                                     : NULL;

  return folder != NULL && lb_folder_get_role (folder) == LB_FOLDER_ROLE_DRAFTS;
}

static void
on_message_activated (LbWindow *self)
{
  /* A draft is there to be finished: opening it opens the composer. */
  if (self->shown != NULL && self->engine != NULL && is_draft (self, self->shown))
    {
      lb_composer_open_draft (GTK_WINDOW (self), self->engine, self->shown);
      return;
    }
  if (adw_leaflet_get_folded (self->inner_leaflet) && self->shown != NULL)
    adw_leaflet_set_visible_child (self->inner_leaflet, self->reader_pane);
}

/* The window narrowed with a message open: the message stays in view, rather than the
 * leaflets falling back to the sidebar or the list. */
static void
on_leaflet_folded (LbWindow *self)
{
  if (self->shown == NULL || !self->has_accounts)
    return;
  if (adw_leaflet_get_folded (self->outer_leaflet))
    adw_leaflet_set_visible_child (self->outer_leaflet, GTK_WIDGET (self->inner_leaflet));
  if (adw_leaflet_get_folded (self->inner_leaflet))
    adw_leaflet_set_visible_child (self->inner_leaflet, self->reader_pane);
}

/* ---- Actions ----------------------------------------------------------------- */

/* What the list's actions act on: the selected rows, and for a conversation row every
 * message of it in the list's folder (the user's own replies stay in Sent). */
static GPtrArray *
lb_window_get_targets (LbWindow *self)
{
  GPtrArray *selected = lb_message_list_view_get_selected (self->message_list);
  LbMessageList *list = lb_message_list_view_get_list (self->message_list);
  GPtrArray *targets;

  if (list == NULL)
    return selected;
  targets = lb_message_list_expand_conversations (list, selected);
  g_ptr_array_unref (selected);
  return targets;
}

/* The read and flag toggles show the state of the selection as their actions see it:
 * "unread" while any selected message is unread (the action marks them read), "flagged"
 * while all are flagged (the action unflags them).  Setting the state emits no "clicked",
 * so it runs no action. */
static void
lb_window_update_toggles (LbWindow *self)
{
  g_autoptr(GPtrArray) selected = NULL;
  gboolean any_unread = FALSE;
  gboolean all_flagged = FALSE;

  /* Loaded only for a few: Ctrl+A in a big folder must not read every message here. */
  if (lb_message_list_view_get_n_selected (self->message_list) <= 100)
    selected = lb_window_get_targets (self);
  if (selected != NULL && selected->len > 0)
    {
      all_flagged = TRUE;
      for (guint i = 0; i < selected->len; i++)
        {
          any_unread |= lb_message_get_unread (g_ptr_array_index (selected, i));
          all_flagged &= lb_message_get_flagged (g_ptr_array_index (selected, i));
        }
    }
  gtk_toggle_button_set_active (self->read_button, any_unread);
  gtk_toggle_button_set_active (self->flag_button, all_flagged);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->read_button),
                               any_unread ? _("Mark as Read") : _("Mark as Unread"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->flag_button),
                               all_flagged ? _("Unflag") : _("Flag"));
}

static void
lb_window_update_actions (LbWindow *self)
{
  guint n_selected = lb_message_list_view_get_n_selected (self->message_list);
  gboolean any = n_selected > 0 && self->engine != NULL;
  gboolean one = n_selected == 1 && self->engine != NULL;
  const char * const bulk[] = { "win.delete", "win.archive", "win.toggle-flag",
                                "win.toggle-read", "win.move-to", "win.move-to-folder",
                                "win.junk", "win.not-junk" };

  for (guint i = 0; i < G_N_ELEMENTS (bulk); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), bulk[i], any);
  gtk_widget_set_sensitive (GTK_WIDGET (self->move_button), any);
  gtk_widget_set_sensitive (self->keep_button, one);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reply", one);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reply-all", one);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.forward", one);
  for (guint i = 0; i < G_N_ELEMENTS (keeping_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), keeping_actions[i], one);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compose",
                                 self->engine != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.mark-all-read",
                                 self->engine != NULL
                                 && lb_message_list_view_get_list (self->message_list) != NULL);
  lb_window_update_toggles (self);
}

/* What an Undo toast takes back, and which messages it selects again. */
typedef struct {
  guint   undo_id;
  guint   position;
  GArray *message_ids;   /* gint64 */
} UndoData;

static void
undo_data_free (gpointer data)
{
  UndoData *undo = data;

  g_array_unref (undo->message_ids);
  g_free (undo);
}

/* The one selected message's id, or 0 for none or several. */
static gint64
lb_window_selected_message_id (LbWindow *self)
{
  g_autoptr(GPtrArray) selected = NULL;

  if (lb_message_list_view_get_n_selected (self->message_list) != 1)
    return 0;
  selected = lb_window_get_targets (self);
  return selected->len == 1 ? lb_message_get_id (g_ptr_array_index (selected, 0)) : 0;
}

/* Selects the messages an Undo brought back, once the list shows them again: they come
 * back where they were, so only the rows from there on are looked at. */
static gboolean
lb_window_restore_selection (LbWindow *self)
{
  LbMessageList *list = lb_message_list_view_get_list (self->message_list);
  GtkSelectionModel *selection = lb_message_list_view_get_selection (self->message_list);
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n, end;

  if (self->restore_ids == NULL || list == NULL || selection == NULL)
    return FALSE;
  /* The user picked another message meanwhile: that one stays. */
  if (lb_window_selected_message_id (self) != self->restore_guard)
    {
      g_clear_pointer (&self->restore_ids, g_array_unref);
      return FALSE;
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  end = MIN (n, self->restore_position + self->restore_ids->len + 64);
  for (guint i = self->restore_position > 64 ? self->restore_position - 64 : 0; i < end; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);

      for (guint k = 0; m != NULL && k < self->restore_ids->len; k++)
        if (lb_message_get_id (m) == g_array_index (self->restore_ids, gint64, k))
          {
            g_array_append_val (found, i);
            break;
          }
    }
  if (found->len < self->restore_ids->len)
    return FALSE;
  g_clear_pointer (&self->restore_ids, g_array_unref);
  self->reselect = G_MAXUINT;
  lb_message_list_view_select_position (self->message_list, g_array_index (found, guint, 0));
  for (guint i = 1; i < found->len; i++)
    gtk_selection_model_select_item (selection, g_array_index (found, guint, i), FALSE);
  return TRUE;
}

/* Not from inside the list's items-changed: the list view is not ready to scroll then. */
static gboolean
restore_selection_idle (gpointer data)
{
  LbWindow *self = data;

  self->restore_idle_id = 0;
  lb_window_restore_selection (self);
  return G_SOURCE_REMOVE;
}

static void
lb_window_queue_restore_selection (LbWindow *self)
{
  if (self->restore_idle_id == 0)
    self->restore_idle_id = g_idle_add (restore_selection_idle, self);
}

static void
on_toast_undo (AdwToast *toast,
               LbWindow *self)
{
  UndoData *undo = g_object_get_data (G_OBJECT (toast), "lb-undo");

  if (self->engine == NULL || undo == NULL || !lb_engine_undo (self->engine, undo->undo_id))
    return;
  g_clear_pointer (&self->restore_ids, g_array_unref);
  self->restore_ids = g_array_ref (undo->message_ids);
  self->restore_position = undo->position;
  self->restore_guard = lb_window_selected_message_id (self);
  /* The list brings them back from a thread; the selection follows then (see
   * on_selection_changed), unless they are back already. */
  lb_window_queue_restore_selection (self);
}

static void
lb_window_toast_undo (LbWindow   *self,
                      const char *title,
                      guint       undo_id,
                      GPtrArray  *messages,
                      guint       position)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, LB_UNDO_SECONDS);
  if (undo_id != 0)
    {
      UndoData *undo = g_new0 (UndoData, 1);

      undo->undo_id = undo_id;
      undo->position = position;
      undo->message_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), messages->len);
      for (guint i = 0; i < messages->len; i++)
        {
          gint64 id = lb_message_get_id (g_ptr_array_index (messages, i));

          g_array_append_val (undo->message_ids, id);
        }
      adw_toast_set_button_label (toast, _("_Undo"));
      g_object_set_data_full (G_OBJECT (toast), "lb-undo", undo, undo_data_free);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_toast_undo), self, 0);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* After a delete, archive or move the next message takes the place of the first one
 * that went, so that working through a folder does not need a click per message. */
static guint
lb_window_first_selected_position (LbWindow *self)
{
  GtkSelectionModel *selection = lb_message_list_view_get_selection (self->message_list);
  g_autoptr(GtkBitset) bits = NULL;

  if (selection == NULL)
    return G_MAXUINT;
  bits = gtk_selection_model_get_selection (selection);
  return gtk_bitset_is_empty (bits) ? G_MAXUINT : gtk_bitset_get_minimum (bits);
}


static void
lb_window_delete_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autoptr(GPtrArray) selected = lb_window_get_targets (self);
  g_autofree char *title = NULL;
  guint undo_id;

  if (selected->len == 0 || self->engine == NULL)
    return;
  self->reselect = lb_window_first_selected_position (self);
  undo_id = lb_engine_delete (self->engine, (LbMessage **) selected->pdata, selected->len);
  title = selected->len == 1
          ? g_strdup (_("Message deleted"))
          /* Translators: a toast; %u is a number above one. */
          : g_strdup_printf (ngettext ("%u message deleted", "%u messages deleted",
                                       selected->len), selected->len);
  lb_window_toast_undo (self, title, undo_id, selected, self->reselect);
}

static void
lb_window_archive_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autoptr(GPtrArray) selected = lb_window_get_targets (self);
  g_autofree char *title = NULL;
  guint undo_id;

  if (selected->len == 0 || self->engine == NULL)
    return;
  self->reselect = lb_window_first_selected_position (self);
  undo_id = lb_engine_move (self->engine, (LbMessage **) selected->pdata, selected->len,
                            LB_FOLDER_ROLE_ARCHIVE, 0);
  title = selected->len == 1
          ? g_strdup (_("Message archived"))
          /* Translators: a toast; %u is a number above one. */
          : g_strdup_printf (ngettext ("%u message archived", "%u messages archived",
                                       selected->len), selected->len);
  lb_window_toast_undo (self, title, undo_id, selected, self->reselect);
}

static void
lb_window_toggle_flag_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autoptr(GPtrArray) selected = lb_window_get_targets (self);
  gboolean all_flagged = TRUE;

  if (selected->len == 0 || self->engine == NULL)
    return;
  for (guint i = 0; i < selected->len; i++)
    all_flagged &= lb_message_get_flagged (g_ptr_array_index (selected, i));
  lb_engine_set_flags (self->engine, (LbMessage **) selected->pdata, selected->len,
                       all_flagged ? 0 : LB_FLAG_FLAGGED, all_flagged ? LB_FLAG_FLAGGED : 0);
  lb_window_update_toggles (self);
}

static void
lb_window_toggle_read_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autoptr(GPtrArray) selected = lb_window_get_targets (self);
  gboolean any_unread = FALSE;

  if (selected->len == 0 || self->engine == NULL)
    return;
  /* Marking by hand wins over the pending automatic mark. */
  lb_window_cancel_mark_read (self);
  for (guint i = 0; i < selected->len; i++)
    any_unread |= lb_message_get_unread (g_ptr_array_index (selected, i));
  lb_engine_set_flags (self->engine, (LbMessage **) selected->pdata, selected->len,
                       any_unread ? LB_FLAG_SEEN : 0, any_unread ? 0 : LB_FLAG_SEEN);
  lb_window_update_toggles (self);
}

/* "win.mark-all-read": marks every unread message of the list shown (the folder, All
 * Inboxes, or the search results) read.  Only unread messages are passed on, so that the
 * engine replays no change for the rest. */
static void
lb_window_mark_all_read_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  LbMessageList *list = lb_message_list_view_get_list (self->message_list);
  g_autoptr(GPtrArray) unread = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  if (list == NULL || self->engine == NULL)
    return;
  lb_window_cancel_mark_read (self);
  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  for (guint i = 0; i < n; i++)
    {
      LbMessage *m = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (m != NULL && lb_message_get_id (m) > 0 && lb_message_get_unread (m))
        g_ptr_array_add (unread, m);
      else
        g_clear_object (&m);
    }
  if (unread->len > 0)
    lb_engine_set_flags (self->engine, (LbMessage **) unread->pdata, unread->len,
                         LB_FLAG_SEEN, 0);
  /* The rows above change at once; for a folder or All Inboxes the engine then marks the
   * rest of it in the store too, whatever the list has loaded (queued after the change
   * above, so nothing is replayed twice).  Search results are only what they found. */
  if (lb_message_list_get_query (list) == NULL &&
      (lb_message_list_is_unified (list) || lb_message_list_get_folder_id (list) > 0))
    lb_engine_mark_folder_read_async (self->engine,
                                      lb_message_list_is_unified (list)
                                      ? LB_ENGINE_ALL_INBOXES : lb_message_list_get_folder_id (list),
                                      NULL, NULL, NULL);
  lb_window_update_toggles (self);
}

static void
lb_window_select_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);

  lb_message_list_view_select_relative (self->message_list,
                                        g_str_equal (action_name, "win.next-message") ? 1 : -1);
}

static void
lb_window_search_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);

  if (!self->has_accounts || self->engine == NULL)
    return;
  if (adw_leaflet_get_folded (self->outer_leaflet))
    adw_leaflet_set_visible_child (self->outer_leaflet, GTK_WIDGET (self->inner_leaflet));
  if (adw_leaflet_get_folded (self->inner_leaflet))
    adw_leaflet_set_visible_child (self->inner_leaflet, self->list_pane);
  lb_message_list_view_start_search (self->message_list);
}

static void
lb_window_move_to_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);

  if (gtk_widget_get_mapped (GTK_WIDGET (self->move_button)))
    gtk_menu_button_popup (self->move_button);
}

/* Whether the selected messages can be moved to FOLDER: it holds received mail, and not
 * all of them are there already. */
static gboolean
is_move_target (LbFolder  *folder,
                GPtrArray *selected)
{
  gint64 id = lb_folder_get_id (folder);
  LbFolderRole role = lb_folder_get_role (folder);

  /* Drafts, Sent and the Outbox hold what one writes: a received message moved there
   * would pass for one's own. */
  if (!lb_folder_get_selectable (folder) || role == LB_FOLDER_ROLE_DRAFTS
      || role == LB_FOLDER_ROLE_SENT || role == LB_FOLDER_ROLE_OUTBOX)
    return FALSE;
  for (guint j = 0; j < selected->len; j++)
    if (lb_message_get_folder_id (g_ptr_array_index (selected, j)) != id)
      return TRUE;
  return FALSE;
}

/* The move popover lists the folders of the first selected message's account. */
static void
on_move_popover_show (LbWindow *self)
{
  g_autoptr(GPtrArray) selected = lb_window_get_targets (self);
  GtkWidget *child;
  LbAccount *account;
  GListModel *folders;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->move_list))) != NULL)
    gtk_list_box_remove (self->move_list, child);
  if (selected->len == 0 || self->engine == NULL)
    return;
  account = lb_engine_get_account (self->engine,
                                   lb_message_get_account_id (g_ptr_array_index (selected, 0)));
  if (account == NULL)
    return;
  folders = lb_account_get_folders (account);
  for (guint i = 0; i < g_list_model_get_n_items (folders); i++)
    {
      g_autoptr(LbFolder) folder = g_list_model_get_item (folders, i);
      GtkWidget *row;
      GtkWidget *box;
      gint64 id = lb_folder_get_id (folder);

      if (!is_move_target (folder, selected))
        continue;
      row = gtk_list_box_row_new ();
      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      gtk_box_append (GTK_BOX (box),
                      gtk_image_new_from_icon_name (lb_folder_role_get_icon_name (lb_folder_get_role (folder))));
      gtk_box_append (GTK_BOX (box), gtk_label_new (lb_sidebar_folder_name (folder)));
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      g_object_set_data_full (G_OBJECT (row), "lb-folder-id", g_memdup2 (&id, sizeof id), g_free);
      gtk_list_box_append (self->move_list, row);
    }
}

/* Moves the selection to @folder_id.  A folder belongs to one account: messages of
 * other accounts (a selection in All Inboxes) stay where they are. */
static void
lb_window_move_targets (LbWindow *self,
                        gint64    folder_id)
{
  g_autoptr(GPtrArray) selected = lb_window_get_targets (self);
  g_autoptr(GPtrArray) same = g_ptr_array_new ();
  g_autofree char *title = NULL;
  guint undo_id;

  if (selected->len == 0 || self->engine == NULL)
    return;
  for (guint i = 0; i < selected->len; i++)
    {
      LbMessage *m = g_ptr_array_index (selected, i);
      LbAccount *account = lb_engine_get_account (self->engine, lb_message_get_account_id (m));

      if (account != NULL && lb_account_get_folder (account, folder_id) != NULL)
        g_ptr_array_add (same, m);
    }
  if (same->len == 0)
    return;
  self->reselect = lb_window_first_selected_position (self);
  undo_id = lb_engine_move (self->engine, (LbMessage **) same->pdata, same->len,
                            LB_FOLDER_ROLE_NONE, folder_id);
  title = same->len == 1
          ? g_strdup (_("Message moved"))
          /* Translators: a toast; %u is a number above one. */
          : g_strdup_printf (ngettext ("%u message moved", "%u messages moved", same->len),
                             same->len);
  lb_window_toast_undo (self, title, undo_id, same, self->reselect);
}

static void
on_move_row_activated (LbWindow      *self,
                       GtkListBoxRow *row)
{
  gint64 *folder_id = g_object_get_data (G_OBJECT (row), "lb-folder-id");

  gtk_popover_popdown (self->move_popover);
  if (folder_id != NULL)
    lb_window_move_targets (self, *folder_id);
}

static void
lb_window_move_to_folder_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  lb_window_move_targets (LB_WINDOW (widget), g_variant_get_int64 (parameter));
}

/* ---- Junk and drops ------------------------------------------------------------ */

/* "win.junk" and "win.not-junk": to Junk with $Junk, or back to the inbox with
 * $NotJunk, with undo. */
static void
lb_window_junk_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autoptr(GPtrArray) selected = lb_window_get_targets (self);
  gboolean junk = g_str_equal (action_name, "win.junk");
  g_autofree char *title = NULL;
  guint undo_id;

  if (selected->len == 0 || self->engine == NULL)
    return;
  self->reselect = lb_window_first_selected_position (self);
  undo_id = lb_engine_mark_junk (self->engine, (LbMessage **) selected->pdata, selected->len, junk);
  /* Translators: a toast. */
  title = junk ? g_strdup_printf (ngettext ("%u message marked as junk", "%u messages marked as junk",
                                            selected->len), selected->len)
               /* Translators: a toast. */
               : g_strdup_printf (ngettext ("%u message moved to the inbox",
                                            "%u messages moved to the inbox", selected->len),
                                  selected->len);
  lb_window_toast_undo (self, title, undo_id, selected, self->reselect);
}

typedef struct {
  LbWindow  *window;
  GPtrArray *messages;
  gboolean   copy;
} DropDone;

static void
drop_done_free (DropDone *d)
{
  g_object_unref (d->window);
  g_ptr_array_unref (d->messages);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DropDone, drop_done_free)

static void
on_drop_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(DropDone) d = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  guint n = d->messages->len;
  guint undo_id = 0;

  if (!lb_engine_drop_messages_finish (LB_ENGINE (source), result, &undo_id, &error))
    {
      /* Translators: a toast; %s is why, as the server or the engine says. */
      title = g_strdup_printf (_("Not moved: %s"), error->message);
      adw_toast_overlay_add_toast (d->window->toast_overlay, adw_toast_new (title));
      return;
    }
  title = d->copy
          /* Translators: a toast after dropping messages on a folder with Ctrl held. */
          ? g_strdup_printf (ngettext ("%u message copied", "%u messages copied", n), n)
          /* Translators: a toast after dropping messages on a folder. */
          : g_strdup_printf (ngettext ("%u message moved", "%u messages moved", n), n);
  lb_window_toast_undo (d->window, title, undo_id, d->messages, d->window->reselect);
}

/* "win.drop-messages" (message ids, folder id, copy): messages dropped on a sidebar
 * folder (lb-folder-menu.c). */
static void
lb_window_drop_messages_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autoptr(GVariant) ids = NULL;
  DropDone *d;
  gint64 folder_id;
  gboolean copy;
  const gint64 *id;
  gsize n = 0;

  if (self->engine == NULL)
    return;
  g_variant_get (parameter, "(@axxb)", &ids, &folder_id, &copy);
  id = g_variant_get_fixed_array (ids, &n, sizeof (gint64));
  d = g_new0 (DropDone, 1);
  d->window = g_object_ref (self);
  d->copy = copy;
  d->messages = g_ptr_array_new_with_free_func (g_object_unref);
  for (gsize i = 0; i < n; i++)
    {
      LbMessage *m = lb_engine_lookup_message (self->engine, id[i]);
      if (m != NULL)
        g_ptr_array_add (d->messages, m);
    }
  if (d->messages->len == 0)
    {
      drop_done_free (d);
      return;
    }
  self->reselect = lb_window_first_selected_position (self);
  lb_engine_drop_messages_async (self->engine, (LbMessage **) d->messages->pdata, d->messages->len,
                                 folder_id, copy, NULL, on_drop_done, d);
}

/* Menu labels take mnemonics: a folder named "a_b" must not lose its underscore. */
static char *
escape_mnemonic (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, "_", -1);

  return g_strjoinv ("__", parts);
}

/* Fills the parts of the row context menu that depend on the selection: the read and
 * flag items say what they will do, and Move to lists the folders of the (first)
 * selected message's account, as the header bar's move popover does. */
static void
on_prepare_context_menu (LbWindow *self)
{
  g_autoptr(GPtrArray) selected = lb_window_get_targets (self);
  gboolean any_unread = FALSE;
  gboolean all_flagged = selected->len > 0;
  LbAccount *account = NULL;

  g_menu_remove_all (self->message_menu_marks);
  g_menu_remove_all (self->message_menu_move);
  if (selected->len == 0 || self->engine == NULL)
    return;
  for (guint i = 0; i < selected->len; i++)
    {
      any_unread |= lb_message_get_unread (g_ptr_array_index (selected, i));
      all_flagged &= lb_message_get_flagged (g_ptr_array_index (selected, i));
    }
  {
    g_autoptr(GMenuItem) read = g_menu_item_new (any_unread ? _("Mark as R_ead") : _("Mark as _Unread"),
                                                 "win.toggle-read");
    g_autoptr(GMenuItem) flag = g_menu_item_new (all_flagged ? _("Un_flag") : _("F_lag"),
                                                 "win.toggle-flag");

    gboolean in_junk = lb_message_get_folder_role (g_ptr_array_index (selected, 0)) == LB_FOLDER_ROLE_JUNK;
    g_autoptr(GMenuItem) junk = g_menu_item_new (in_junk ? _("_Not Junk") : _("Mark as _Junk"),
                                                 in_junk ? "win.not-junk" : "win.junk");

    g_menu_item_set_attribute (read, "accel", "s", "u");
    g_menu_item_set_attribute (flag, "accel", "s", "s");
    g_menu_append_item (self->message_menu_marks, read);
    g_menu_append_item (self->message_menu_marks, flag);
    g_menu_append_item (self->message_menu_marks, junk);
  }

  account = lb_engine_get_account (self->engine,
                                   lb_message_get_account_id (g_ptr_array_index (selected, 0)));
  if (account != NULL)
    {
      GListModel *folders = lb_account_get_folders (account);

      for (guint i = 0; i < g_list_model_get_n_items (folders); i++)
        {
          g_autoptr(LbFolder) folder = g_list_model_get_item (folders, i);
          g_autoptr(GMenuItem) item = NULL;
          g_autofree char *label = NULL;
          gint64 id = lb_folder_get_id (folder);

          if (!is_move_target (folder, selected))
            continue;
          label = escape_mnemonic (lb_sidebar_folder_name (folder));
          item = g_menu_item_new (label, NULL);
          g_menu_item_set_action_and_target_value (item, "win.move-to-folder",
                                                   g_variant_new_int64 (id));
          g_menu_append_item (self->message_menu_move, item);
        }
    }
}

static void
lb_window_compose_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);

  if (self->engine == NULL)
    return;
  lb_composer_open_new (GTK_WINDOW (self), self->engine);
}

/* "win.show-local-drafts" (an account id): its Drafts, where the drafts that are on this
 * computer only are listed. */
static void
lb_window_show_local_drafts_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  LbAccount *account = self->engine != NULL
                       ? lb_engine_get_account (self->engine, g_variant_get_int64 (parameter))
                       : NULL;
  LbFolder *drafts = account != NULL ? lb_account_find_folder (account, LB_FOLDER_ROLE_DRAFTS)
                                     : NULL;

  if (drafts != NULL)
    lb_sidebar_select_folder (self->sidebar, lb_folder_get_id (drafts));
}

/* Keeping the selected message: print it, open it in its own window, read its source,
 * save it as a .eml file (lb-message-actions.c). */
static void
lb_window_keep_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autoptr(GPtrArray) selected = lb_window_get_targets (self);
  LbMessage *message;

  if (selected->len != 1 || self->engine == NULL)
    return;
  message = g_ptr_array_index (selected, 0);
  if (g_str_equal (action_name, "win.print"))
    {
      LbMessage *shown = self->reader != NULL ? lb_reader_get_message (self->reader) : NULL;
      /* Remote content prints only if the user let the reader load it for this message. */
      gboolean allow = shown != NULL && lb_message_get_id (shown) == lb_message_get_id (message)
                       && lb_reader_get_remote_allowed (self->reader);

      lb_message_print (GTK_WINDOW (self), self->engine, message, NULL, allow);
    }
  else if (g_str_equal (action_name, "win.view-source"))
    lb_message_view_source (GTK_WINDOW (self), self->engine, message);
  else if (g_str_equal (action_name, "win.save-eml"))
    lb_message_save_eml (GTK_WINDOW (self), self->engine, message);
  else
    gtk_window_present (GTK_WINDOW (lb_message_window_new (GTK_WINDOW (self), self->engine,
                                                           message)));
}

static void
lb_window_reply_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  g_autoptr(GPtrArray) selected = lb_message_list_view_get_selected (self->message_list);
  LbMessage *message;

  if (selected->len != 1 || self->engine == NULL)
    return;
  message = g_ptr_array_index (selected, 0);
  /* In a conversation, the reply is to the message the reader shows. */
  if (self->reader != NULL && lb_reader_get_message (self->reader) != NULL
      && lb_message_get_thread_id (lb_reader_get_message (self->reader))
         == lb_message_get_thread_id (message))
    message = lb_reader_get_message (self->reader);
  if (g_str_equal (action_name, "win.forward"))
    lb_composer_open_forward (GTK_WINDOW (self), self->engine, message);
  else
    lb_composer_open_reply (GTK_WINDOW (self), self->engine, message,
                            g_str_equal (action_name, "win.reply-all"));
}

static void
on_list_back_clicked (LbWindow *self)
{
  adw_leaflet_navigate (self->outer_leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_reader_back_clicked (LbWindow *self)
{
  adw_leaflet_navigate (self->inner_leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* "win.open-outbox" (account id): shows that account's Outbox, as a failed send's toast
 * asks. */
static void
lb_window_open_outbox_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);

  gtk_window_present (GTK_WINDOW (self));
  lb_sidebar_select_folder (self->sidebar, lb_sidebar_outbox_id (g_variant_get_int64 (parameter)));
}

/* "win.edit-outbox-item" (account id, item id): reopens an outbox message in a composer
 * (Undo Send). */
static void
lb_window_edit_outbox_item_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);
  GListModel *outbox;
  gint64 account_id, item_id;

  if (self->engine == NULL)
    return;
  g_variant_get (parameter, "(xx)", &account_id, &item_id);
  outbox = lb_engine_get_outbox (self->engine);
  for (guint i = 0; i < g_list_model_get_n_items (outbox); i++)
    {
      g_autoptr(LbOutboxItem) item = g_list_model_get_item (outbox, i);

      if (lb_outbox_item_get_id (item) == item_id &&
          lb_outbox_item_get_account_id (item) == account_id)
        {
          lb_composer_open_outbox_item (GTK_WINDOW (self), self->engine, item);
          return;
        }
    }
}

static void
lb_window_go_back_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);

  /* The innermost step goes first: reader to list, then list to sidebar.  An unfolded
   * leaflet shows every pane, so there is nothing to go back to in it. */
  if (adw_leaflet_get_folded (self->inner_leaflet)
      && adw_leaflet_navigate (self->inner_leaflet, ADW_NAVIGATION_DIRECTION_BACK))
    return;

  if (adw_leaflet_get_folded (self->outer_leaflet))
    adw_leaflet_navigate (self->outer_leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
lb_window_save_state (LbWindow *self)
{
  int width = 0;
  int height = 0;

  /* The default size tracks the size the user gave the window, and keeps the unmaximized
   * size while the window is maximized, which is the one to restore. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static void
lb_window_restore_state (LbWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
lb_window_close_request (GtkWindow *window)
{
  LbWindow *self = LB_WINDOW (window);
  GtkApplication *application = gtk_window_get_application (window);

  lb_window_save_state (self);

  /* Hidden, the window keeps the application alive (GtkApplication holds it while the
   * window belongs to it), so syncing goes on; activating the application shows it again. */
  if (application != NULL && g_settings_get_boolean (self->settings, "run-in-background"))
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      g_signal_emit (self, signals[SIGNAL_HIDDEN_IN_BACKGROUND], 0);
      return TRUE;
    }

  return GTK_WINDOW_CLASS (lb_window_parent_class)->close_request (window);
}

static void
lb_window_unrealize (GtkWidget *widget)
{
  LbWindow *self = LB_WINDOW (widget);

  g_clear_signal_handler (&self->prewarm_paint_id, gtk_widget_get_frame_clock (widget));
  g_clear_handle_id (&self->prewarm_idle_id, g_source_remove);
  /* Also reached on app.quit, which destroys the window without a close request. */
  lb_window_save_state (self);

  GTK_WIDGET_CLASS (lb_window_parent_class)->unrealize (widget);
}

static void
lb_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LbWindow *self = LB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HAS_ACCOUNTS:
      g_value_set_boolean (value, self->has_accounts);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  LbWindow *self = LB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HAS_ACCOUNTS:
      lb_window_set_has_accounts (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* GtkWindow:application is not a construct property, so the engine is set in
 * lb_window_new() once the window belongs to the application, not in constructed(). */
static void
lb_window_set_engine (LbWindow *self,
                      LbEngine *engine)
{
  g_assert (self->engine == NULL);

  self->engine = engine != NULL ? g_object_ref (engine) : NULL;
  if (self->engine != NULL)
    {
      lb_sidebar_set_engine (self->sidebar, self->engine);
      g_signal_connect_object (lb_engine_get_accounts (self->engine), "items-changed",
                               G_CALLBACK (on_accounts_changed), self, G_CONNECT_SWAPPED);
      on_accounts_changed (self);
      lb_local_drafts_announce (self->engine, self->toast_overlay);
    }
  lb_window_update_empty_state (self);
  lb_window_update_actions (self);
}

static void
lb_window_dispose (GObject *object)
{
  LbWindow *self = LB_WINDOW (object);

  lb_window_cancel_mark_read (self);
  g_clear_handle_id (&self->restore_idle_id, g_source_remove);
  /* The children go with the template; nothing may reach them from engine signals. */
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (lb_engine_get_accounts (self->engine), self);
  if (self->watched_accounts != NULL)
    {
      GHashTableIter iter;
      gpointer account;

      g_hash_table_iter_init (&iter, self->watched_accounts);
      while (g_hash_table_iter_next (&iter, &account, NULL))
        g_signal_handlers_disconnect_by_data (account, self);
    }
  if (self->message_list != NULL)
    g_signal_handlers_disconnect_by_data (self->message_list, self);
  if (self->outer_leaflet != NULL)
    g_signal_handlers_disconnect_by_data (self->outer_leaflet, self);
  if (self->inner_leaflet != NULL)
    g_signal_handlers_disconnect_by_data (self->inner_leaflet, self);
  if (self->sidebar != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->sidebar, self);
      g_signal_handlers_disconnect_by_data (lb_sidebar_get_list_box (self->sidebar), self);
    }
  if (self->shown != NULL)
    {
      g_clear_signal_handler (&self->shown_notify_id, self->shown);
      g_clear_signal_handler (&self->conversation_notify_id, self->shown);
    }
  g_clear_object (&self->shown);
  g_clear_pointer (&self->watched_accounts, g_hash_table_unref);
  g_clear_pointer (&self->restore_ids, g_array_unref);

  G_OBJECT_CLASS (lb_window_parent_class)->dispose (object);
}

static void
lb_window_finalize (GObject *object)
{
  LbWindow *self = LB_WINDOW (object);

  /* Kept until finalize because unrealize, which saves the state, can come late in
   * destruction. */
  g_clear_object (&self->settings);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (lb_window_parent_class)->finalize (object);
}

/* The window's actions and their keyboard shortcuts. */
static void
install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, lb_window_go_back_action);
  gtk_widget_class_install_action (widget_class, "win.open-outbox", "x",
                                   lb_window_open_outbox_action);
  gtk_widget_class_install_action (widget_class, "win.edit-outbox-item", "(xx)",
                                   lb_window_edit_outbox_item_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);

  /* Single-letter shortcuts are widget bindings, handled after the focused widget: typing
   * in the search entry or the composer never triggers them. */
  gtk_widget_class_install_action (widget_class, "win.next-message", NULL, lb_window_select_action);
  gtk_widget_class_install_action (widget_class, "win.previous-message", NULL, lb_window_select_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, 0, "win.next-message", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "win.next-message", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, 0, "win.previous-message", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "win.previous-message", NULL);

  gtk_widget_class_install_action (widget_class, "win.delete", NULL, lb_window_delete_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "win.delete", NULL);
  gtk_widget_class_install_action (widget_class, "win.archive", NULL, lb_window_archive_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, 0, "win.archive", NULL);
  gtk_widget_class_install_action (widget_class, "win.toggle-flag", NULL, lb_window_toggle_flag_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, 0, "win.toggle-flag", NULL);
  gtk_widget_class_install_action (widget_class, "win.toggle-read", NULL, lb_window_toggle_read_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_u, 0, "win.toggle-read", NULL);
  gtk_widget_class_install_action (widget_class, "win.mark-all-read", NULL,
                                   lb_window_mark_all_read_action);
  gtk_widget_class_install_action (widget_class, "win.move-to", NULL, lb_window_move_to_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, 0, "win.move-to", NULL);
  gtk_widget_class_install_action (widget_class, "win.move-to-folder", "x",
                                   lb_window_move_to_folder_action);

  gtk_widget_class_install_action (widget_class, "win.junk", NULL, lb_window_junk_action);
  gtk_widget_class_install_action (widget_class, "win.not-junk", NULL, lb_window_junk_action);
  gtk_widget_class_install_action (widget_class, "win.drop-messages", "(axxb)",
                                   lb_window_drop_messages_action);

  gtk_widget_class_install_action (widget_class, "win.compose", NULL, lb_window_compose_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.compose", NULL);
  gtk_widget_class_install_action (widget_class, "win.reply", NULL, lb_window_reply_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, 0, "win.reply", NULL);
  gtk_widget_class_install_action (widget_class, "win.reply-all", NULL, lb_window_reply_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_R, GDK_SHIFT_MASK, "win.reply-all", NULL);
  gtk_widget_class_install_action (widget_class, "win.forward", NULL, lb_window_reply_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, 0, "win.forward", NULL);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, lb_window_search_action);
  for (guint i = 0; i < G_N_ELEMENTS (keeping_actions); i++)
    gtk_widget_class_install_action (widget_class, keeping_actions[i], NULL, lb_window_keep_action);
  gtk_widget_class_install_action (widget_class, "win.show-local-drafts", "x",
                                   lb_window_show_local_drafts_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.print", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_u, GDK_CONTROL_MASK, "win.view-source", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
}

static void
lb_window_class_init (LbWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = lb_window_get_property;
  object_class->set_property = lb_window_set_property;
  object_class->dispose = lb_window_dispose;
  object_class->finalize = lb_window_finalize;

  widget_class->unrealize = lb_window_unrealize;

  window_class->close_request = lb_window_close_request;

  /**
   * LbWindow:has-accounts:
   *
   * Whether at least one account is configured; without one the window asks for one.
   */
  properties[PROP_HAS_ACCOUNTS] =
    g_param_spec_boolean ("has-accounts", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LbWindow::hidden-in-background:
   *
   * Emitted on the main thread when closing the window hid it instead, because the
   * "run-in-background" setting keeps Letterbox running.  The application explains that
   * the first time.
   */
  signals[SIGNAL_HIDDEN_IN_BACKGROUND] =
    g_signal_new ("hidden-in-background",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (LB_TYPE_SIDEBAR);
  g_type_ensure (LB_TYPE_MESSAGE_LIST_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               LB_RESOURCE_PATH "/ui/lb-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LbWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, keep_button);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, welcome_menu_button);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, outer_leaflet);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, inner_leaflet);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, sidebar_pane);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, list_pane);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, reader_pane);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, reader_stack);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, message_list);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, list_title);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, reader_title);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, selection_page);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, move_button);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, read_button);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, flag_button);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, move_popover);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, move_list);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, message_menu);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, message_menu_marks);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, message_menu_move);
  gtk_widget_class_bind_template_callback (widget_class, on_list_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_reader_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_move_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_move_row_activated);
  install_actions (widget_class);
}

static void
on_reader_reply (LbWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.reply", NULL);
}

static void
on_reader_reply_all (LbWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.reply-all", NULL);
}

static void
on_reader_forward (LbWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.forward", NULL);
}

/* The reader (a web view, and with it WebKit's processes) is made for the first message
 * shown: a start that only lists mail pays neither the time nor the memory. */
/* A message of the conversation stack was clicked: the reader shows it. */
static void
on_conversation_message_activated (LbWindow  *self,
                                   LbMessage *message)
{
  lb_window_cancel_mark_read (self);
  lb_reader_set_message (self->reader, message);
  on_shown_conversation_changed (self);
  /* Opening a message by hand is reading it, unless marking is left to the user. */
  if ((MarkReadMode) g_settings_get_enum (self->settings, "mark-read-mode") != MARK_READ_NEVER)
    lb_window_mark_shown_read (self);
}

/* A button of one message in the stack: acts on that message alone. */
static void
on_conversation_message_action (LbWindow   *self,
                                const char *action,
                                LbMessage  *message)
{
  if (self->engine == NULL)
    return;
  if (g_str_equal (action, "flag"))
    {
      gboolean flagged = lb_message_get_flagged (message);

      lb_engine_set_flags (self->engine, &message, 1, flagged ? 0 : LB_FLAG_FLAGGED,
                           flagged ? LB_FLAG_FLAGGED : 0);
    }
  else if (g_str_equal (action, "delete"))
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new ();
      guint undo_id = lb_engine_delete (self->engine, &message, 1);

      g_ptr_array_add (one, message);
      lb_window_toast_undo (self, _("Message deleted"), undo_id, one, G_MAXUINT);
    }
  on_shown_conversation_changed (self);
}

static LbReader *
lb_window_ensure_reader (LbWindow *self)
{
  if (self->reader != NULL)
    return self->reader;

  self->reader = lb_reader_new ();
  gtk_widget_set_name (GTK_WIDGET (self->reader), "reader");
  gtk_widget_set_vexpand (GTK_WIDGET (self->reader), TRUE);
  self->conversation = LB_CONVERSATION_STACK (lb_conversation_stack_new ());
  gtk_widget_set_name (GTK_WIDGET (self->conversation), "conversation-stack");
  g_signal_connect_swapped (self->conversation, "message-activated",
                            G_CALLBACK (on_conversation_message_activated), self);
  g_signal_connect_swapped (self->conversation, "message-action",
                            G_CALLBACK (on_conversation_message_action), self);
  {
    GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

    gtk_box_append (GTK_BOX (page), GTK_WIDGET (self->conversation));
    gtk_box_append (GTK_BOX (page), GTK_WIDGET (self->reader));
    gtk_stack_add_named (self->reader_stack, page, "message");
  }
  if (self->engine != NULL)
    lb_reader_set_engine (self->reader, self->engine);
  /* The reader's own buttons do what the header bar's do. */
  g_signal_connect_swapped (self->reader, "reply", G_CALLBACK (on_reader_reply), self);
  g_signal_connect_swapped (self->reader, "reply-all", G_CALLBACK (on_reader_reply_all), self);
  g_signal_connect_swapped (self->reader, "forward", G_CALLBACK (on_reader_forward), self);
  return self->reader;
}

/* The pointer or the keyboard focus came to the message list: a message is likely to be
 * opened next, so the reader gets its web view (and WebKit its processes) ready now rather
 * than after the click.  Starts that need no reader pay nothing. */
static void
on_message_list_entered (LbWindow *self)
{
  if (self->engine != NULL && self->has_accounts)
    lb_reader_prepare (lb_window_ensure_reader (self));
}

static gboolean
prewarm_when_idle (gpointer data)
{
  LbWindow *self = data;

  self->prewarm_idle_id = 0;
  on_message_list_entered (self);
  return G_SOURCE_REMOVE;
}

/* The first frame that shows messages: from now on the first message opened should not
 * wait for WebKit's processes to start (about 300 ms), so the reader's web view is made
 * ready as soon as the application has nothing else to do.  That loads the module and
 * starts an empty page (no script, no remote content: the body view's settings apply
 * to it as to every message). */
static void
on_prewarm_after_paint (GdkFrameClock *clock,
                        LbWindow      *self)
{
  LbMessageList *list = lb_message_list_view_get_list (self->message_list);

  if (list == NULL || g_list_model_get_n_items (G_LIST_MODEL (list)) == 0)
    return;
  g_clear_signal_handler (&self->prewarm_paint_id, clock);
  if (self->prewarm_idle_id == 0)
    self->prewarm_idle_id = g_idle_add_full (G_PRIORITY_LOW, prewarm_when_idle, self, NULL);
}

static void
on_window_realized (LbWindow *self)
{
  if (self->prewarm_paint_id == 0 && self->prewarm_idle_id == 0)
    self->prewarm_paint_id = g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (self)),
                                               "after-paint",
                                               G_CALLBACK (on_prewarm_after_paint), self);
}

/* The Conversations toggle (menu or Preferences): the list on display regroups at once. */
static void
on_conversations_setting_changed (LbWindow *self)
{
  gboolean on = g_settings_get_boolean (self->settings, "conversations");

  if (self->engine != NULL)
    lb_engine_set_conversations (self->engine, on);
  lb_message_list_view_set_conversations (self->message_list, on);
}

static void
lb_window_init (LbWindow *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::conversations",
                           G_CALLBACK (on_conversations_setting_changed), self, G_CONNECT_SWAPPED);
  self->reselect = G_MAXUINT;
  self->watched_accounts = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);

  self->outbox_view = LB_OUTBOX_VIEW (lb_outbox_view_new ());
  gtk_widget_set_name (GTK_WIDGET (self->outbox_view), "outbox-view");
  gtk_stack_add_named (self->list_stack, GTK_WIDGET (self->outbox_view), "outbox");
  /* Above the list, shown in a Drafts folder that has drafts only this computer has. */
  self->local_drafts = LB_LOCAL_DRAFTS (lb_local_drafts_new ());
  gtk_widget_set_name (GTK_WIDGET (self->local_drafts), "local-drafts");
  gtk_widget_insert_before (GTK_WIDGET (self->local_drafts),
                            gtk_widget_get_parent (GTK_WIDGET (self->list_stack)),
                            GTK_WIDGET (self->list_stack));
  g_signal_connect_swapped (self->sidebar, "folder-selected", G_CALLBACK (on_folder_selected), self);
  g_signal_connect_swapped (lb_sidebar_get_list_box (self->sidebar), "row-activated",
                            G_CALLBACK (on_sidebar_row_activated), self);
  g_signal_connect_swapped (self->message_list, "selection-changed",
                            G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (self->message_list, "activated",
                            G_CALLBACK (on_message_activated), self);
  g_signal_connect_swapped (self->message_list, "prepare-context-menu",
                            G_CALLBACK (on_prepare_context_menu), self);
  lb_message_list_view_set_context_menu_model (self->message_list, self->message_menu);
  lb_message_drag_attach (self->message_list);
  g_signal_connect_swapped (self->outer_leaflet, "notify::folded",
                            G_CALLBACK (on_leaflet_folded), self);
  g_signal_connect_swapped (self->inner_leaflet, "notify::folded",
                            G_CALLBACK (on_leaflet_folded), self);
  controller = gtk_event_controller_motion_new ();
  g_signal_connect_swapped (controller, "enter", G_CALLBACK (on_message_list_entered), self);
  gtk_widget_add_controller (GTK_WIDGET (self->message_list), controller);
  controller = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (controller, "enter", G_CALLBACK (on_message_list_entered), self);
  gtk_widget_add_controller (GTK_WIDGET (self->message_list), controller);

  g_signal_connect (self, "realize", G_CALLBACK (on_window_realized), NULL);

  lb_window_restore_state (self);
  lb_window_update_empty_state (self);
}
