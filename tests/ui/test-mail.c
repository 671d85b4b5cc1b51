/* test-mail.c: the main window against a real Dovecot with two accounts
 *
 * The profile is prepared with the engine API before the application starts: two
 * accounts are added (their secrets go to the private keyring of run-headless) and synced.
 * Then the application runs on that profile (LETTERBOX_DATA_DIR) with its own engine, and
 * the test works the window as a user would: it reads All Inboxes and the sidebar, marks
 * a message read with the `u` action and checks the server over a separate IMAP session,
 * deletes and undoes, and has new mail delivered while a message is selected.
 *
 * With LB_TEST_SCREENSHOTS=DIR it also saves screenshots of the window there (light and
 * dark); run it with LANGUAGE=zh_CN for the Chinese ones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include <adwaita.h>

#include "lb-account-editor.h"
#include "lb-application.h"
#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-imap-parser.h"
#include "lb-imap-session.h"
#include "lb-message-row.h"
#include "lb-preferences-window.h"
#include "lb-test-account.h"
#include "lb-test-env.h"
#include "lb-test-fixture.h"
#include "lb-test-wait.h"
#include "lb-window.h"
#include "lb-ui-test-util.h"

#define ALICE "alice@example.com"
#define BOB "bob@example.com"
#define N_ALICE 25
#define N_BOB 20

static LbTestServers *servers;
static char *profile;
static const char *screenshot_dir;

/* ---- Preparing the profile ---------------------------------------------------- */

static void
prepare_profile (void)
{
  const char * const users[] = { ALICE ":secret", BOB ":secret", NULL };
  const char * const corpus[] = { ALICE ":INBOX:25:31", BOB ":INBOX:20:32", NULL };
  LbTestServersOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbEngine) engine = NULL;

  options.users = users;
  options.corpus = corpus;
  options.no_smtp = TRUE;
  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);

  profile = g_dir_make_tmp ("lb-ui-mail-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("LETTERBOX_DATA_DIR", profile, TRUE);

  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  g_object_unref (lb_test_add_account (engine, servers, 0, ALICE, "Alice Work", TRUE));
  g_object_unref (lb_test_add_account (engine, servers, 0, BOB, "Bob Home", TRUE));
  lb_engine_shutdown (engine);
}

/* ---- The server's view -------------------------------------------------------- */

/* uid -> flags | LB_TEST_FLAGS_PRESENT of USER's INBOX, through a session of its own. */
static GHashTable *
server_flags (const char *user)
{
  return lb_test_server_flags (servers, user, "INBOX");
}

static guint
server_flags_of (const char *user,
                 guint32     uid)
{
  g_autoptr(GHashTable) flags = server_flags (user);

  return GPOINTER_TO_UINT (g_hash_table_lookup (flags, GUINT_TO_POINTER (uid)));
}

/* ---- Helpers ------------------------------------------------------------------ */

static GListModel *
shown_list (LbWindow *window)
{
  return G_LIST_MODEL (lb_message_list_view_get_list (lb_window_get_message_list (window)));
}

static const char *
user_of (LbWindow  *window,
         LbMessage *message)
{
  LbAccount *account = lb_engine_get_account (lb_window_get_engine (window),
                                              lb_message_get_account_id (message));

  return lb_account_get_email (account);
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (LB_IS_MESSAGE_ROW (widget))
    {
      g_ptr_array_add (rows, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

/* The message shown in the topmost visible row of the list. */
static gint64
top_visible_message (LbWindow *window)
{
  GtkWidget *list_view = GTK_WIDGET (lb_message_list_view_get_list_view (lb_window_get_message_list (window)));
  GtkWidget *picked = gtk_widget_pick (list_view, 40, 5, GTK_PICK_DEFAULT);
  GtkWidget *row = picked != NULL ? gtk_widget_get_ancestor (picked, LB_TYPE_MESSAGE_ROW) : NULL;

  if (row == NULL && picked != NULL)
    {
      /* The pick can land on the list item itself, around the row. */
      g_autoptr(GPtrArray) rows = g_ptr_array_new ();

      collect_rows (picked, rows);
      row = rows->len > 0 ? g_ptr_array_index (rows, 0) : NULL;
    }
  g_assert_nonnull (row);
  return lb_message_get_id (lb_message_row_get_message (LB_MESSAGE_ROW (row)));
}

static guint
selected_position (LbWindow *window)
{
  GtkSelectionModel *selection = lb_message_list_view_get_selection (lb_window_get_message_list (window));
  g_autoptr(GtkBitset) bits = gtk_selection_model_get_selection (selection);

  g_assert_cmpuint (gtk_bitset_get_size (bits), ==, 1);
  return gtk_bitset_get_minimum (bits);
}

/* ---- The test body ------------------------------------------------------------ */

static void
check_sidebar (LbWindow *window)
{
  GtkListBox *box = lb_sidebar_get_list_box (lb_window_get_sidebar (window));
  g_autoptr(GString) seen = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (box));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *tip = gtk_widget_get_tooltip_text (row);

      g_string_append_printf (seen, "%s|", tip != NULL ? tip : "?");
    }
  g_test_message ("sidebar: %s", seen->str);
  /* All Inboxes first, then each account (its address as tooltip) with its folders,
   * special ones first in role order under localised names. */
  g_assert_true (g_str_has_prefix (seen->str,
                                   "All Inboxes|" ALICE "|Inbox|Drafts|Sent|Archive|Junk|Trash|"));
  g_assert_nonnull (strstr (seen->str, "|" BOB "|Inbox|Drafts|Sent|Archive|Junk|Trash|"));
  g_assert_cmpint (lb_sidebar_get_selected_folder (lb_window_get_sidebar (window)), ==, 0);
}

static void
check_unified (LbWindow *window)
{
  GListModel *list = shown_list (window);
  guint n = g_list_model_get_n_items (list);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  guint from_alice = 0, from_bob = 0;
  gint64 previous = G_MAXINT64;

  g_assert_cmpuint (n, ==, N_ALICE + N_BOB);
  g_assert_cmpstr (lb_message_list_view_get_state (lb_window_get_message_list (window)), ==, "list");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (list, i);

      /* Merged by date, newest first. */
      g_assert_cmpint (lb_message_get_date_unix (m), <=, previous);
      previous = lb_message_get_date_unix (m);
      if (g_str_equal (user_of (window, m), ALICE))
        from_alice++;
      else
        from_bob++;
    }
  g_assert_cmpuint (from_alice, ==, N_ALICE);
  g_assert_cmpuint (from_bob, ==, N_BOB);

  /* The rows on screen name their account. */
  collect_rows (GTK_WIDGET (lb_window_get_message_list (window)), rows);
  g_assert_cmpuint (rows->len, >, 5);
  from_alice = from_bob = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      LbMessageRow *row = g_ptr_array_index (rows, i);
      const char *account = lb_message_row_get_account_text (row);
      LbMessage *m = lb_message_row_get_message (row);

      if (m == NULL || !gtk_widget_get_mapped (GTK_WIDGET (row)))
        continue;
      g_assert_nonnull (account);
      if (g_str_equal (account, "Alice Work"))
        from_alice++;
      else if (g_str_equal (account, "Bob Home"))
        from_bob++;
      else
        g_error ("unexpected account name %s", account);
      g_assert_cmpstr (account, ==, lb_message_get_account_name (m));
    }
  g_assert_cmpuint (from_alice, >, 0);
  g_assert_cmpuint (from_bob, >, 0);
}

typedef struct {
  const char *user;
  guint32     uid;
  guint       flag;
  gboolean    want;
} FlagWait;

static gboolean
server_flag_is (gpointer data)
{
  FlagWait *w = data;
  gboolean has = (server_flags_of (w->user, w->uid) & w->flag) != 0;

  if (has != w->want)
    lb_test_iterate_for (200);
  return has == w->want;
}

static void
check_toggle_read (LbWindow *window)
{
  GListModel *list = shown_list (window);
  g_autoptr(LbMessage) target = NULL;
  guint position = 0;
  FlagWait w;

  /* The first unread message of Bob's (the other account than the first one added). */
  for (guint i = 0; i < g_list_model_get_n_items (list) && target == NULL; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (list, i);

      if (lb_message_get_unread (m) && g_str_equal (user_of (window, m), BOB))
        {
          target = g_steal_pointer (&m);
          position = i;
        }
    }
  g_assert_nonnull (target);
  g_assert_false (server_flags_of (BOB, lb_message_get_uid (target)) & LB_FLAG_SEEN);

  lb_message_list_view_select_position (lb_window_get_message_list (window), position);
  g_assert_true (lb_window_get_shown_message (window) == target);
  /* mark-read-mode is "never" here: only `u` marks it. */
  lb_test_iterate_for (100);
  g_assert_true (lb_message_get_unread (target));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-read", NULL));
  /* Local first: the row changes at once... */
  g_assert_false (lb_message_get_unread (target));
  /* ...and the server follows. */
  w = (FlagWait) { BOB, lb_message_get_uid (target), LB_FLAG_SEEN, TRUE };
  g_assert_true (lb_test_wait_until (server_flag_is, &w, 30));

  /* `u` again makes it unread, here and there. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-read", NULL));
  g_assert_true (lb_message_get_unread (target));
  w.want = FALSE;
  g_assert_true (lb_test_wait_until (server_flag_is, &w, 30));
}

static gboolean
message_read (gpointer data)
{
  return !lb_message_get_unread (data);
}

/* In "delay" mode a message is marked read once it has been open mark-read-delay seconds,
 * and one passed over quicker stays unread. */
static void
check_mark_read_delay (LbWindow *window)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GListModel *list = shown_list (window);
  g_autoptr(GPtrArray) unread = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (guint));
  LbMessage *passed;
  LbMessage *kept;

  for (guint i = 0; i < g_list_model_get_n_items (list) && unread->len < 2; i++)
    {
      LbMessage *m = g_list_model_get_item (list, i);

      if (lb_message_get_unread (m))
        {
          g_ptr_array_add (unread, m);
          g_array_append_val (positions, i);
        }
      else
        g_object_unref (m);
    }
  g_assert_cmpuint (unread->len, ==, 2);
  passed = g_ptr_array_index (unread, 0);
  kept = g_ptr_array_index (unread, 1);

  g_settings_set_enum (settings, "mark-read-mode", 1);
  g_settings_set_int (settings, "mark-read-delay", 1);
  lb_message_list_view_select_position (lb_window_get_message_list (window),
                                        g_array_index (positions, guint, 0));
  lb_test_iterate_for (300);
  lb_message_list_view_select_position (lb_window_get_message_list (window),
                                        g_array_index (positions, guint, 1));
  g_assert_true (lb_message_get_unread (kept));
  g_assert_true (lb_test_wait_until (message_read, kept, 10));
  g_assert_true (lb_message_get_unread (passed));
  g_settings_set_enum (settings, "mark-read-mode", 2);
}

static void
check_delete_undo (LbWindow *window)
{
  GListModel *list = shown_list (window);
  guint n = g_list_model_get_n_items (list);
  g_autoptr(LbMessage) target = NULL;
  g_autoptr(GHashTable) before = server_flags (ALICE);
  g_autoptr(GHashTable) after = NULL;
  GtkWidget *undo;
  guint position = 0;

  for (guint i = 0; i < n && target == NULL; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (list, i);

      if (g_str_equal (user_of (window, m), ALICE))
        {
          target = g_steal_pointer (&m);
          position = i;
        }
    }
  lb_message_list_view_select_position (lb_window_get_message_list (window), position);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete", NULL));
  g_assert_true (lb_test_wait_n_items (list, n - 1, 10));
  /* The next message takes the deleted one's place. */
  g_assert_cmpuint (selected_position (window), ==, MIN (position, n - 2));

  /* The toast offers Undo; pressing it brings the message back. */
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  undo = lb_ui_test_find_button (GTK_WIDGET (window), "_Undo");
  g_assert_nonnull (undo);
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "toast.png");
  g_signal_emit_by_name (undo, "clicked");
  g_assert_true (lb_test_wait_n_items (list, n, 10));

  /* Nothing reached the server: the same messages with the same flags. */
  lb_engine_flush_pending (lb_window_get_engine (window));
  lb_engine_wait_idle (lb_window_get_engine (window));
  lb_test_iterate_for (500);
  after = server_flags (ALICE);
  g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before));
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (after, GUINT_TO_POINTER (lb_message_get_uid (target)))),
                    ==,
                    GPOINTER_TO_UINT (g_hash_table_lookup (before, GUINT_TO_POINTER (lb_message_get_uid (target)))));
}

/* Move to folder: the popover lists the message's account's folders; picking one moves
 * it, and Undo brings it back. */
static void
check_move (LbWindow *window)
{
  GListModel *list = shown_list (window);
  guint n = g_list_model_get_n_items (list);
  g_autoptr(LbMessage) target = NULL;
  GtkWidget *button = lb_ui_test_find_widget (GTK_WIDGET (window), "move-button");
  GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  GtkListBox *folders;
  GtkListBoxRow *junk = NULL;
  g_autoptr(GString) names = g_string_new ("|");
  GtkWidget *undo;

  for (guint i = 0; i < n && target == NULL; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (list, i);

      if (g_str_equal (user_of (window, m), BOB))
        {
          target = g_steal_pointer (&m);
          lb_message_list_view_select_position (lb_window_get_message_list (window), i);
        }
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.move-to", NULL));
  lb_ui_test_wait_for_frame (GTK_WIDGET (popover));
  folders = GTK_LIST_BOX (lb_ui_test_find_widget (GTK_WIDGET (popover), "move-list"));
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (folders));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *label = gtk_widget_get_last_child (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)));
      const char *name = gtk_label_get_text (GTK_LABEL (label));

      g_string_append_printf (names, "%s|", name);
      if (g_str_equal (name, "Junk"))
        junk = GTK_LIST_BOX_ROW (row);
    }
  /* The folders it is not in, Inbox excluded, and never Drafts or Sent. */
  g_assert_cmpstr (names->str, ==, "|Archive|Junk|Trash|");
  g_signal_emit_by_name (folders, "row-activated", junk);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  g_assert_true (lb_test_wait_n_items (list, n - 1, 10));

  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  undo = lb_ui_test_find_button (GTK_WIDGET (window), "_Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  g_assert_true (lb_test_wait_n_items (list, n, 10));
}

static void
check_new_mail (LbWindow *window)
{
  LbMessageListView *view = lb_window_get_message_list (window);
  GListModel *list = shown_list (window);
  guint n = g_list_model_get_n_items (list);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) msg = NULL;
  g_autoptr(LbMessage) selected = NULL;
  g_autoptr(LbMessage) top = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S +0000");
  gint64 top_before;
  guint position = 12;

  /* Scroll down a little and select a message there. */
  lb_message_list_view_select_position (view, position);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  selected = g_list_model_get_item (list, position);
  g_assert_true (lb_window_get_shown_message (window) == selected);
  top_before = top_visible_message (window);

  text = g_strdup_printf ("From: =?UTF-8?B?5byg5LiJ?= <zhang@example.cn>\r\nTo: " ALICE "\r\n"
                          "Subject: =?UTF-8?B?5paw6YKu5Lu2?=\r\nMessage-ID: <ui-new-1@example.com>\r\n"
                          "Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                          "<html><body><h2>周五项目会议</h2><p>大家好，</p>"
                          "<p>本周五下午三点在<b>三楼会议室</b>讨论第四季度的计划，请准时参加。</p>"
                          "<ul><li>季度总结</li><li>预算安排</li><li>新员工入职</li></ul>"
                          "<p>谢谢！<br>张三</p></body></html>\r\n", date);
  msg = g_bytes_new_take (g_strdup (text), strlen (text));
  lb_test_servers_deliver (servers, ALICE, "INBOX", msg, NULL, &error);
  g_assert_no_error (error);

  /* IDLE (or the next poll) brings it. */
  g_assert_true (lb_test_wait_n_items (list, n + 1, 40));
  top = g_list_model_get_item (list, 0);
  g_assert_cmpstr (lb_message_get_subject (top), ==, "新邮件");

  /* The selection stays on the same message, one row further down, and the reader keeps
   * showing it. */
  g_assert_cmpuint (selected_position (window), ==, position + 1);
  {
    g_autoptr(LbMessage) still = g_list_model_get_item (list, position + 1);
    g_assert_cmpint (lb_message_get_id (still), ==, lb_message_get_id (selected));
  }
  g_assert_true (lb_window_get_shown_message (window) == selected);

  /* The rows on screen did not move: the new message is above them, out of sight. */
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_cmpint (top_visible_message (window), ==, top_before);
}

static void
check_search (LbWindow *window)
{
  LbMessageListView *view = lb_window_get_message_list (window);
  GtkWidget *entry = lb_ui_test_find_widget (GTK_WIDGET (view), "search-entry");
  guint n = g_list_model_get_n_items (shown_list (window));
  LbMessageList *results;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  g_assert_true (lb_message_list_view_get_searching (view));
  gtk_editable_set_text (GTK_EDITABLE (entry), "新邮件");
  /* After the debounce a search list replaces the folder's. */
  while (lb_message_list_view_get_list (view) != NULL
         && lb_message_list_get_query (lb_message_list_view_get_list (view)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  results = lb_message_list_view_get_list (view);
  while (lb_message_list_is_loading (results))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (results)), >=, 1);
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "search.png");

  /* Escape ends the search and shows the whole folder again. */
  lb_message_list_view_stop_search (view);
  g_assert_false (lb_message_list_view_get_searching (view));
  g_assert_null (lb_message_list_get_query (lb_message_list_view_get_list (view)));
  g_assert_cmpuint (g_list_model_get_n_items (shown_list (window)), ==, n);
}

/* Narrow, one pane at a time with real content: a folder opens its list, a message opens
 * the reader, and back goes back. */
static void
check_narrow (LbWindow *window)
{
  AdwLeaflet *outer = ADW_LEAFLET (lb_ui_test_find_widget (GTK_WIDGET (window), "outer-leaflet"));
  AdwLeaflet *inner = ADW_LEAFLET (lb_ui_test_find_widget (GTK_WIDGET (window), "inner-leaflet"));
  GtkWidget *reader_pane = lb_ui_test_find_widget (GTK_WIDGET (window), "reader-pane");
  GtkWidget *list_pane = lb_ui_test_find_widget (GTK_WIDGET (window), "list-pane");
  GtkListBox *box = lb_sidebar_get_list_box (lb_window_get_sidebar (window));
  GtkListBoxRow *all = gtk_list_box_get_row_at_index (box, 0);

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (adw_leaflet_get_folded (outer));

  adw_leaflet_set_visible_child (outer, lb_ui_test_find_widget (GTK_WIDGET (window), "sidebar-pane"));
  g_signal_emit_by_name (box, "row-activated", all);
  g_assert_true (adw_leaflet_get_visible_child (outer) == GTK_WIDGET (inner));
  adw_leaflet_set_visible_child (inner, list_pane);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (adw_leaflet_get_folded (inner));
  lb_message_list_view_select_position (lb_window_get_message_list (window), 3);
  g_assert_true (adw_leaflet_get_visible_child (inner) == reader_pane);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "narrow.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_true (adw_leaflet_get_visible_child (inner) == list_pane);
}

static void
run_window (GApplication *application)
{
  LbWindow *window;

  window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (lb_window_get_has_accounts (window));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));

  if (screenshot_dir != NULL)
    {
      /* A Chinese message open in the reader, light then dark. */
      check_new_mail (window);
      lb_message_list_view_select_position (lb_window_get_message_list (window), 0);
      lb_test_iterate_for (1500);
      lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "main-window.png");
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          ADW_COLOR_SCHEME_FORCE_DARK);
      lb_test_iterate_for (300);
      lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "main-window-dark.png");
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          ADW_COLOR_SCHEME_DEFAULT);
      check_narrow (window);
    }
  else
    {
      check_sidebar (window);
      check_unified (window);
      check_toggle_read (window);
      check_mark_read_delay (window);
      check_delete_undo (window);
      check_move (window);
      check_new_mail (window);
      check_search (window);
      check_narrow (window);
    }
}

static void
test_mail_window (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  prepare_profile ();
  /* never: `u` does it; screenshots show the open message read. */
  g_settings_set_enum (settings, "mark-read-mode", screenshot_dir != NULL ? 0 : 2);
  /* One row per message: the generated corpus has replies, which conversations would
   * group (they have their own test, test-conversations.c). */
  g_settings_set_boolean (settings, "conversations", FALSE);
  lb_ui_test_set_window_size (1200, 760);
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_window);

  g_clear_pointer (&servers, lb_test_servers_stop);
}

/* ---- An account whose server cannot be reached ------------------------------- */

static gboolean
account_failed (gpointer data)
{
  LbAccountStatus status = lb_account_get_status (data);

  return status == LB_ACCOUNT_STATUS_OFFLINE || status == LB_ACCOUNT_STATUS_ERROR;
}

static void
run_offline (GApplication *application)
{
  LbWindow *window;
  g_autoptr(LbAccount) account = NULL;
  GtkWidget *button;
  GtkWidget *text;
  GtkWidget *retry;
  GtkWidget *edit;
  GtkWindow *editor;
  GtkPopover *popover;
  LbMessageListView *view;

  window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (lb_window_get_has_accounts (window));
  account = g_list_model_get_item (lb_engine_get_accounts (lb_window_get_engine (window)), 0);
  g_assert_true (lb_test_wait_until (account_failed, account, 60));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));

  /* The sidebar flags the account; its popover explains and offers a way out. */
  button = lb_ui_test_find_widget (GTK_WIDGET (lb_window_get_sidebar (window)), "account-error-button");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  lb_ui_test_wait_for_frame (GTK_WIDGET (popover));
  text = lb_ui_test_find_widget (GTK_WIDGET (popover), "account-error-text");
  g_assert_nonnull (text);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (text)), !=, "");
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "account-error.png");
  retry = lb_ui_test_find_button (GTK_WIDGET (popover), _("_Try Again"));
  g_assert_nonnull (retry);
  g_signal_emit_by_name (retry, "clicked");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));

  /* "Edit Account" asks the application (through app.edit-account) for the account
   * editor on that account. */
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  lb_ui_test_wait_for_frame (GTK_WIDGET (popover));
  edit = lb_ui_test_find_button (GTK_WIDGET (popover), _("_Edit Account"));
  g_assert_nonnull (edit);
  g_signal_emit_by_name (edit, "clicked");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  editor = lb_ui_test_find_toplevel (LB_TYPE_ACCOUNT_EDITOR);
  g_assert_nonnull (editor);
  gtk_window_destroy (editor);

  /* An empty folder says so; while its account syncs it says that instead. */
  view = lb_window_get_message_list (window);
  g_assert_cmpuint (g_list_model_get_n_items (shown_list (window)), ==, 0);
  lb_message_list_view_set_syncing (view, FALSE);
  g_assert_cmpstr (lb_message_list_view_get_state (view), ==, "empty");
  lb_message_list_view_set_syncing (view, TRUE);
  g_assert_cmpstr (lb_message_list_view_get_state (view), ==, "fetching");
}

static void
test_offline_account (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbEngine) engine = NULL;
  g_autoptr(LbAccountSettings) s = lb_account_settings_new ();
  g_autoptr(LbAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-ui-offline-XXXXXX", &error);

  g_assert_no_error (error);
  g_setenv ("LETTERBOX_DATA_DIR", dir, TRUE);
  engine = lb_engine_new (dir, &error);
  g_assert_no_error (error);
  /* Nothing listens on the discard port: connections are refused. */
  s->email = g_strdup ("carol@example.org");
  s->imap = lb_server_config_new ("127.0.0.1", 9, LB_SECURITY_TLS, "carol@example.org");
  lb_engine_add_account_async (engine, s, "secret", NULL, lb_test_got_result, &result);
  account = lb_engine_add_account_finish (engine, lb_test_wait_result (&result), &error);
  g_assert_no_error (error);
  lb_engine_shutdown (engine);
  g_clear_object (&account);
  g_clear_object (&engine);
  g_clear_object (&result);

  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_offline);
}

int
main (int   argc,
      char *argv[])
{
  screenshot_dir = lb_ui_test_init_app_test (&argc, &argv);

  g_test_add_func ("/ui/mail/two-accounts", test_mail_window);
  g_test_add_func ("/ui/mail/offline-account", test_offline_account);

  return g_test_run ();
}
