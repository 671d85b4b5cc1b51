/* test-folder-menu.c: the sidebar's folder menu, its dialogs, and dropping messages
 *
 * A private Dovecot with a plain folder "Projects".  The menu opens as a right click opens
 * it; New Folder and Rename go through their dialogs and reach the server (checked with a
 * raw LIST of the test's own); special folders offer neither Rename nor Delete; a message
 * dropped on a folder row goes through the row's own GtkDropTarget (its "drop" signal, as
 * a real drop emits it: Xvfb has no pointer to drag with) and lands there on the server.
 *
 * With LB_TEST_SCREENSHOTS set, saves the menu, the dialogs and the drag icon.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "lb-application.h"
#include "lb-engine.h"
#include "lb-imap-response.h"
#include "lb-message-drag.h"
#include "lb-message-list-view.h"
#include "lb-message-row.h"
#include "lb-sidebar.h"
#include "lb-test-account.h"
#include "lb-test-env.h"
#include "lb-test-fixture.h"
#include "lb-test-wait.h"
#include "lb-ui-test-util.h"
#include "lb-window.h"

#define ALICE "alice@example.com"

static LbTestServers *servers;
static const char *screenshot_dir;

static gboolean
collect_names (LbImapResponse  *r,
               gpointer         user_data,
               GError         **error)
{
  if (r->kind == LB_IMAP_RESPONSE_LIST && r->u.list_data.name != NULL)
    g_ptr_array_add (user_data, g_strdup (r->u.list_data.name));
  return TRUE;
}

/* Whether the server lists the mailbox "PARENT<delimiter>LEAF" (LEAF raw). */
static gboolean
server_has_child (const char *parent,
                  const char *leaf)
{
  g_autoptr(LbImapSession) session = lb_test_server_session (servers, ALICE);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LbImapResponse) ok = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  ok = lb_imap_session_command_sync (session, collect_names, names, NULL, &error, "LIST \"\" \"*\"");
  g_assert_no_error (error);
  name = g_strdup_printf ("%s%c%s", parent, lb_imap_session_get_delimiter (session), leaf);
  lb_imap_session_logout (session);
  return g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL);
}

static guint
server_count (const char *mailbox)
{
  g_autoptr(GHashTable) flags = lb_test_server_flags (servers, ALICE, mailbox);

  return g_hash_table_size (flags);
}

static GtkWidget *
find_row (LbSidebar  *sidebar,
          const char *title)
{
  GtkListBox *box = lb_sidebar_get_list_box (sidebar);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (child), "lb-title"), title) == 0)
      return child;
  return NULL;
}

static GtkWindow *
find_dialog (const char *name)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* GTK's own */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);
      if (g_strcmp0 (gtk_widget_get_name (GTK_WIDGET (w)), name) == 0 &&
          gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

/* The actions of a menu model's items, sections included, joined by "|": the same in
 * every language. */
static void
collect_labels (GMenuModel *model,
                GString    *out)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *label = NULL;
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);

      if (section != NULL)
        collect_labels (section, out);
      else if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &label))
        g_string_append_printf (out, "%s|", label);
    }
}

static char *
open_menu (LbSidebar  *sidebar,
           const char *title,
           const char *screenshot)
{
  GtkWidget *row = find_row (sidebar, title);
  GtkPopover *popover;
  GString *labels = g_string_new ("|");

  g_assert_nonnull (row);
  popover = lb_sidebar_popup_folder_menu (sidebar, row);
  g_assert_nonnull (popover);
  LB_UI_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (popover)));
  lb_ui_test_wait_for_frame (GTK_WIDGET (popover));
  collect_labels (gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (popover)), labels);
  if (screenshot != NULL)
    lb_ui_test_save_screenshot (GTK_WIDGET (popover), screenshot_dir, screenshot);
  return g_string_free (labels, FALSE);
}

/* Opens the dialog of ACTION on the row TITLE, types NAME, saves it, and says OK. */
static void
name_dialog (LbSidebar  *sidebar,
             const char *title,
             const char *action,
             const char *dialog_name,
             const char *expected_initial,
             const char *name,
             const char *screenshot)
{
  g_autofree char *labels = open_menu (sidebar, title, NULL);
  GtkWindow *dialog;
  GtkWidget *entry;

  gtk_popover_popdown (lb_sidebar_popup_folder_menu (sidebar, find_row (sidebar, title)));
  gtk_widget_activate_action (GTK_WIDGET (sidebar), action, NULL);
  LB_UI_TEST_WAIT_UNTIL ((dialog = find_dialog (dialog_name)) != NULL);
  entry = lb_ui_test_find_widget (GTK_WIDGET (dialog), "folder-name-entry");
  g_assert_nonnull (entry);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, expected_initial);
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "ok") &&
                  *expected_initial == '\0');
  gtk_editable_set_text (GTK_EDITABLE (entry), name);
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "ok"));
  lb_ui_test_wait_for_frame (GTK_WIDGET (dialog));
  lb_ui_test_save_screenshot (GTK_WIDGET (dialog), screenshot_dir, screenshot);
  lb_ui_test_answer_dialog (dialog, "ok");
}

/* The sidebar's title of the account's folder of ROLE (translated). */
static const char *
role_title (LbEngine     *engine,
            LbFolderRole  role)
{
  g_autoptr(LbAccount) account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);

  return lb_sidebar_folder_name (lb_account_find_folder (account, role));
}

static GtkDropTarget *
drop_target_of (GtkWidget *row)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (row);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);
      if (g_strcmp0 (gtk_event_controller_get_name (c), "lb-message-drop") == 0)
        return GTK_DROP_TARGET (c);
    }
  return NULL;
}

/* The list's row showing POSITION (transfer none), or NULL. */
static GtkWidget *
find_message_row (GtkWidget *root,
                  guint      position)
{
  if (LB_IS_MESSAGE_ROW (root) && lb_message_row_get_message (LB_MESSAGE_ROW (root)) != NULL &&
      lb_message_row_get_position (LB_MESSAGE_ROW (root)) == position)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_message_row (child, position);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Starts a drag on the list view at the middle of the row at POSITION, through the list's
 * own GtkDragSource ("prepare", as GTK emits it when the pointer moves past the drag
 * threshold), and returns the text it offers. */
static char *
drag_from_row (LbMessageListView *view,
               guint              position)
{
  GtkWidget *list_view = GTK_WIDGET (lb_message_list_view_get_list_view (view));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (list_view);
  g_autoptr(GdkContentProvider) provider = NULL;
  GtkDragSource *source = NULL;
  GtkWidget *row = find_message_row (list_view, position);
  GValue value = G_VALUE_INIT;
  graphene_rect_t bounds;
  char *text;

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_compute_bounds (row, list_view, &bounds));
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && source == NULL; i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);
      if (GTK_IS_DRAG_SOURCE (c))
        source = GTK_DRAG_SOURCE (c);
    }
  g_assert_nonnull (source);
  g_signal_emit_by_name (source, "prepare", (double) bounds.origin.x + 20,
                         (double) (bounds.origin.y + bounds.size.height / 2), &provider);
  g_assert_nonnull (provider);
  g_value_init (&value, G_TYPE_STRING);
  g_assert_true (gdk_content_provider_get_value (provider, &value, NULL));
  text = g_value_dup_string (&value);
  g_value_unset (&value);
  return text;
}

static void
save_drag_icon (void)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_child (GTK_WINDOW (window), lb_message_drag_icon_new (3));
  gtk_window_present (GTK_WINDOW (window));
  lb_ui_test_wait_for_frame (window);
  lb_ui_test_save_screenshot (window, screenshot_dir, "drag-icon.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
run_window (GApplication *application)
{
  LbWindow *window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  LbSidebar *sidebar = lb_window_get_sidebar (window);
  LbMessageListView *view = lb_window_get_message_list (window);
  LbEngine *engine = lb_window_get_engine (window);
  g_autofree char *labels = NULL;
  g_autoptr(GPtrArray) selected = NULL;
  g_autofree char *text = NULL;
  GtkDropTarget *target;
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;
  gint64 inbox_id;

  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  LB_UI_TEST_WAIT_UNTIL (find_row (sidebar, "Projects") != NULL);

  /* A plain folder has everything; Inbox neither Rename nor Delete. */
  labels = open_menu (sidebar, "Projects", "folder-menu.png");
  g_assert_cmpstr (labels, ==, "|folder.mark-read|folder.new|folder.rename|folder.delete|");
  g_clear_pointer (&labels, g_free);
  labels = open_menu (sidebar, role_title (engine, LB_FOLDER_ROLE_INBOX), NULL);
  g_assert_cmpstr (labels, ==, "|folder.mark-read|");
  g_clear_pointer (&labels, g_free);
  labels = open_menu (sidebar, role_title (engine, LB_FOLDER_ROLE_TRASH), "folder-menu-trash.png");
  g_assert_cmpstr (labels, ==, "|folder.mark-read|folder.empty|");
  g_clear_pointer (&labels, g_free);
  {
    GtkWidget *all = lb_ui_test_find_widget (GTK_WIDGET (sidebar), "all-inboxes-row");
    GtkPopover *popover = lb_sidebar_popup_folder_menu (sidebar, all);
    GString *actions = g_string_new ("|");

    g_assert_nonnull (popover);
    collect_labels (gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (popover)), actions);
    g_assert_cmpstr (actions->str, ==, "|folder.mark-read|");
    g_string_free (actions, TRUE);
    gtk_popover_popdown (popover);
    g_assert_null (drop_target_of (all));
  }

  /* 客户 inside Projects, then renamed 项目: modified UTF-7 on the server. */
  name_dialog (sidebar, "Projects", "folder.new", "folder-new-dialog", "", "客户", "folder-new.png");
  LB_UI_TEST_WAIT_UNTIL (find_row (sidebar, "客户") != NULL);
  g_assert_true (server_has_child ("Projects", "&W6JiNw-"));
  name_dialog (sidebar, "客户", "folder.rename", "folder-rename-dialog", "客户", "项目",
               "folder-rename.png");
  LB_UI_TEST_WAIT_UNTIL (find_row (sidebar, "项目") != NULL && find_row (sidebar, "客户") == NULL);
  g_assert_true (server_has_child ("Projects", "&mHl27g-"));
  g_assert_false (server_has_child ("Projects", "&W6JiNw-"));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "folder-sidebar.png");

  /* Drop the first inbox message on Projects, through the row's own drop target. */
  inbox_id = lb_folder_get_id (lb_account_find_folder (g_list_model_get_item (lb_engine_get_accounts (engine), 0),
                                                       LB_FOLDER_ROLE_INBOX));
  g_object_unref (g_list_model_get_item (lb_engine_get_accounts (engine), 0));
  lb_sidebar_select_folder (sidebar, inbox_id);
  LB_UI_TEST_WAIT_UNTIL (lb_message_list_view_get_list (view) != NULL &&
                         g_list_model_get_n_items (G_LIST_MODEL (lb_message_list_view_get_list (view))) == 3);
  /* The first row is selected; the drag starts on the second, which is then what moves
   * (and becomes the selection). */
  lb_message_list_view_select_position (view, 0);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  text = drag_from_row (view, 1);
  selected = lb_message_list_view_get_selected (view);
  g_assert_cmpuint (selected->len, ==, 1);
  {
    g_autofree char *expected = lb_message_drag_text (selected);
    g_assert_cmpstr (text, ==, expected);
    g_assert_cmpuint (lb_message_get_id (g_ptr_array_index (selected, 0)), ==,
                      lb_message_get_id (lb_message_row_get_message (LB_MESSAGE_ROW (find_message_row (GTK_WIDGET (view), 1)))));
  }
  target = drop_target_of (find_row (sidebar, "Projects"));
  g_assert_nonnull (target);
  g_assert_nonnull (drop_target_of (find_row (sidebar, role_title (engine, LB_FOLDER_ROLE_INBOX))));
  if (screenshot_dir != NULL)
    {
      /* How the row looks while messages hover over it. */
      GtkWidget *projects = find_row (sidebar, "Projects");

      gtk_widget_set_state_flags (projects, GTK_STATE_FLAG_DROP_ACTIVE, FALSE);
      lb_ui_test_wait_for_frame (GTK_WIDGET (window));
      lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "folder-drop-hover.png");
      gtk_widget_unset_state_flags (projects, GTK_STATE_FLAG_DROP_ACTIVE);
    }
  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, text);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &handled);
  g_value_unset (&value);
  g_assert_true (handled);
  LB_UI_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (lb_message_list_view_get_list (view))) == 2);
  /* Not the Undo time: the move is committed at once, as at quit. */
  lb_engine_flush_pending (engine);
  LB_UI_TEST_WAIT_UNTIL (server_count ("Projects") == 3 || (g_usleep (100000), FALSE));
  g_assert_cmpuint (server_count ("INBOX"), ==, 2);
  save_drag_icon ();
}

static void
test_folder_menu (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:3:1", "alice@example.com:Projects:2:2", NULL };
  LbTestServersOptions options = { .corpus = corpus, .no_smtp = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbEngine) engine = NULL;
  g_autoptr(LbAccount) account = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-ui-folder-menu-XXXXXX", &error);

  g_assert_no_error (error);
  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  g_setenv ("LETTERBOX_DATA_DIR", dir, TRUE);
  engine = lb_engine_new (dir, &error);
  g_assert_no_error (error);
  account = lb_test_add_account (engine, servers, 0, ALICE, NULL, FALSE);
  lb_engine_shutdown (engine);
  g_clear_object (&account);
  g_clear_object (&engine);

  /* One row per message: the generated corpus has replies, which conversations would
   * group (they have their own test, test-conversations.c). */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_boolean (settings, "conversations", FALSE);
  }
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_window);
  g_clear_pointer (&servers, lb_test_servers_stop);
  lb_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  screenshot_dir = lb_ui_test_init_app_test (&argc, &argv);
  g_test_add_func ("/ui/sidebar/folder-menu", test_folder_menu);
  return g_test_run ();
}
