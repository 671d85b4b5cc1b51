/* test-message-list.c: the message list's context menu, search highlights and search on
 * the server, in the main window against a private Dovecot
 *
 * One account with a known inbox and an archive whose bodies are not downloaded.  The
 * test opens a row's context menu as a right click does and works its items (flag a
 * selection of three, move them with the Move to submenu, undo), checks that search
 * results highlight the query's words (Chinese and English, and only in the field an
 * operator names), and searches the archive for a word that only the server can find.
 *
 * With LB_TEST_SCREENSHOTS=DIR it saves screenshots there; run it with LANGUAGE=zh_CN for
 * Chinese ones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "lb-application.h"
#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-message-list-view.h"
#include "lb-message-row.h"
#include "lb-sidebar.h"
#include "lb-test-account.h"
#include "lb-test-fixture.h"
#include "lb-test-proxy.h"
#include "lb-test-wait.h"
#include "lb-window.h"
#include "lb-ui-test-util.h"

#define ALICE "alice@example.com"
#define N_CORPUS 10

static LbTestServers *servers;
static LbTestProxy *proxy;      /* between the account and Dovecot, to take the server away */
static char *profile;
static const char *screenshot_dir;

/* ---- Preparing the profile ---------------------------------------------------- */

/* Delivers a UTF-8 message dated DAY (of March 2026, later is newer). */
static void
deliver (const char *folder,
         guint       day,
         const char *from,
         const char *subject,
         const char *body,
         const char *flags)
{
  static guint n;
  g_autoptr(GError) error = NULL;
  g_autofree char *subject64 = g_base64_encode ((const guchar *) subject, strlen (subject));
  g_autofree char *from64 = NULL;
  g_autofree char *body64 = g_base64_encode ((const guchar *) body, strlen (body));
  const char *lt = strchr (from, '<');
  g_autofree char *name = g_strndup (from, lt - from - 1);
  char *text;
  GBytes *mail;

  from64 = g_base64_encode ((const guchar *) name, strlen (name));
  text = g_strdup_printf ("From: =?UTF-8?B?%s?= %s\r\nTo: " ALICE "\r\n"
                          "Subject: =?UTF-8?B?%s?=\r\n"
                          "Date: %02u Mar 2026 10:00:00 +0000\r\nMessage-ID: <list-%u@example.com>\r\n"
                          "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                          "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n",
                          from64, lt, subject64, day, ++n, body64);
  mail = g_bytes_new_take (text, strlen (text));
  g_assert_true (lb_test_servers_deliver (servers, ALICE, folder, mail, flags, &error));
  g_assert_no_error (error);
  g_bytes_unref (mail);
}

static void
prepare_profile (void)
{
  const char * const corpus[] = { ALICE ":INBOX:" G_STRINGIFY (N_CORPUS) ":41", NULL };
  LbTestServersOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbEngine) engine = NULL;
  g_autoptr(LbAccountSettings) settings = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  LbMessageList *inbox = NULL;
  LbAccount *account;

  options.corpus = corpus;
  options.no_smtp = TRUE;
  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  /* Newer than the corpus, so at the top of the inbox. */
  deliver ("INBOX", 20, "张三 <zhang@example.cn>", "周五会议纪要", "请查收 quarterly 报告。", "S");
  deliver ("INBOX", 21, "Quarterly Bot <bot@example.com>", "Quarterly report",
           "The quarterly numbers are in.", NULL);
  deliver ("Archive", 5, "Guide <guide@safari.example>", "Safari notes",
           "Our zanzibar trip starts on Monday.", "S");

  proxy = lb_test_proxy_new (servers->imaps_port, &error);
  g_assert_no_error (error);

  profile = g_dir_make_tmp ("lb-ui-list-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("LETTERBOX_DATA_DIR", profile, TRUE);
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  account = lb_test_add_account (engine, servers, lb_test_proxy_get_port (proxy), ALICE, "Alice",
                                 FALSE);
  /* Headers only, and the inbox's messages opened once: their text is local, the
   * archive's is on the server alone (what check_server_search() needs). */
  settings = lb_account_dup_settings (account);
  settings->offline_days = -1;
  lb_engine_update_account_async (engine, account, settings, NULL, NULL, lb_test_got_result, &result);
  g_set_object (&account, lb_engine_update_account_finish (engine, lb_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_object_unref (account);
  lb_account_sync_async (account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &result);
  g_assert_true (lb_account_sync_finish (account, lb_test_wait_result (&result), &error));
  inbox = lb_engine_open_folder (engine, lb_folder_get_id (lb_account_find_folder (account, LB_FOLDER_ROLE_INBOX)));
  g_assert_true (lb_test_wait_n_items (G_LIST_MODEL (inbox), N_CORPUS + 2, 10));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (inbox)); i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (inbox), i);
      g_autoptr(GBytes) body = NULL;

      lb_account_fetch_body_async (account, lb_message_get_id (m), NULL, lb_test_got_result, &result);
      body = lb_account_fetch_body_finish (account, lb_test_wait_result (&result), &error);
      g_assert_no_error (error);
    }
  g_clear_object (&inbox);
  g_clear_object (&account);
  lb_engine_shutdown (engine);
}

/* ---- Helpers ------------------------------------------------------------------ */

/* Popovers are windows of their own, which a widget snapshot leaves out: this takes the
 * whole (Xvfb) screen instead. */
static void
save_screen_screenshot (LbWindow   *window,
                        const char *name)
{
  g_autofree char *path = NULL;
  g_autofree char *cmd = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (screenshot_dir == NULL)
    return;
  path = g_build_filename (screenshot_dir, name, NULL);
  for (guint i = 0; i < 4; i++)
    lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  cmd = g_strdup_printf ("import -window root '%s'", path);
  if (!g_spawn_command_line_sync (cmd, NULL, NULL, &status, &error) || status != 0)
    g_printerr ("screenshot: %s\n", error != NULL ? error->message : "import failed");
  else
    g_printerr ("saved %s\n", path);
}

static LbAccount *
account_of (LbWindow *window)
{
  GListModel *accounts = lb_engine_get_accounts (lb_window_get_engine (window));
  g_autoptr(LbAccount) account = g_list_model_get_item (accounts, 0);

  return account;   /* the engine keeps it */
}

static gint64
folder_of (LbWindow     *window,
           LbFolderRole  role)
{
  LbFolder *folder = lb_account_find_folder (account_of (window), role);

  g_assert_nonnull (folder);
  return lb_folder_get_id (folder);
}

static LbMessageListView *
view_of (LbWindow *window)
{
  return lb_window_get_message_list (window);
}

static GListModel *
shown_list (LbWindow *window)
{
  return G_LIST_MODEL (lb_message_list_view_get_list (view_of (window)));
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (LB_IS_MESSAGE_ROW (widget))
    {
      if (lb_message_row_get_message (LB_MESSAGE_ROW (widget)) != NULL
          && gtk_widget_get_mapped (widget))
        g_ptr_array_add (rows, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

/* The row on screen showing the message with SUBJECT. */
static LbMessageRow *
find_row (LbWindow   *window,
          const char *subject)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  collect_rows (GTK_WIDGET (lb_message_list_view_get_list_view (view_of (window))), rows);
  for (guint i = 0; i < rows->len; i++)
    {
      LbMessageRow *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (lb_message_get_subject (lb_message_row_get_message (row)), subject) == 0)
        return row;
    }
  return NULL;
}

static LbMessageRow *
find_row_at (LbWindow *window,
             guint     position)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  collect_rows (GTK_WIDGET (lb_message_list_view_get_list_view (view_of (window))), rows);
  for (guint i = 0; i < rows->len; i++)
    if (lb_message_row_get_position (g_ptr_array_index (rows, i)) == position)
      return g_ptr_array_index (rows, i);
  return NULL;
}

/* Right-clicks (as far as the list can tell) the middle of the row at POSITION. */
static void
right_click_row (LbWindow *window,
                 guint     position)
{
  GtkWidget *list_view = GTK_WIDGET (lb_message_list_view_get_list_view (view_of (window)));
  LbMessageRow *row = find_row_at (window, position);
  graphene_rect_t bounds;

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (row), list_view, &bounds));
  g_assert_true (lb_message_list_view_popup_context_menu_at (view_of (window),
                                                             bounds.origin.x + bounds.size.width / 2,
                                                             bounds.origin.y + bounds.size.height / 2));
}

static GtkBitset *
selection_of (LbWindow *window)
{
  return gtk_selection_model_get_selection (lb_message_list_view_get_selection (view_of (window)));
}

/* The menu item (a GtkModelButton) labelled TEXT in the context menu. */
static GtkWidget *
find_menu_item (GtkWidget  *root,
                const char *text)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (root), "GtkModelButton"))
    {
      g_autofree char *label = NULL;

      GString *plain = g_string_new (NULL);

      /* The item shows its label without the mnemonic's underline. */
      for (const char *p = text; *p != '\0'; p++)
        if (*p != '_' || p[1] == '_')
          g_string_append_c (plain, *p == '_' ? *++p : *p);
      g_object_get (root, "text", &label, NULL);
      if (g_strcmp0 (label, plain->str) == 0)
        {
          g_string_free (plain, TRUE);
          return root;
        }
      g_string_free (plain, TRUE);
      if (FALSE)
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_menu_item (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The labels of the Move to submenu, "|"-separated. */
static char *
move_submenu_labels (GMenuModel *menu)
{
  GString *out = g_string_new ("|");

  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      for (int k = 0; section != NULL && k < g_menu_model_get_n_items (section); k++)
        {
          g_autoptr(GMenuModel) submenu = g_menu_model_get_item_link (section, k, G_MENU_LINK_SUBMENU);

          for (int j = 0; submenu != NULL && j < g_menu_model_get_n_items (submenu); j++)
            {
              g_autofree char *label = NULL;

              g_menu_model_get_item_attribute (submenu, j, G_MENU_ATTRIBUTE_LABEL, "s", &label);
              g_string_append_printf (out, "%s|", label);
            }
        }
    }
  return g_string_free (out, FALSE);
}

static gboolean
list_loaded (gpointer data)
{
  LbWindow *window = data;
  LbMessageList *list = lb_message_list_view_get_list (view_of (window));

  return list != NULL && !lb_message_list_is_loading (list);
}

static gboolean
account_idle (gpointer data)
{
  return lb_account_get_status (data) == LB_ACCOUNT_STATUS_IDLE;
}

static void
show_folder (LbWindow *window,
             gint64    folder_id)
{
  lb_sidebar_select_folder (lb_window_get_sidebar (window), folder_id);
  g_assert_cmpint (lb_message_list_get_folder_id (lb_message_list_view_get_list (view_of (window))),
                   ==, folder_id);
  g_assert_true (lb_test_wait_until (list_loaded, window, 10));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
}

/* Types QUERY in the search entry and waits for its results. */
static void
search_for (LbWindow   *window,
            const char *query)
{
  GtkWidget *entry = lb_ui_test_find_widget (GTK_WIDGET (view_of (window)), "search-entry");
  LbMessageList *list;

  if (!lb_message_list_view_get_searching (view_of (window)))
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  gtk_editable_set_text (GTK_EDITABLE (entry), query);
  /* After the entry's debounce, a search list replaces the folder's. */
  while ((list = lb_message_list_view_get_list (view_of (window))) == NULL
         || g_strcmp0 (lb_message_list_get_query (list), query) != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (lb_test_wait_until (list_loaded, window, 20));
  g_assert_cmpstr (lb_message_list_view_get_search_query (view_of (window)), ==, query);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
}

/* The highlighted byte ranges of LABEL, as "start-end " pairs. */
static char *
highlights (GtkLabel *label)
{
  PangoAttrList *attrs = gtk_label_get_attributes (label);
  GString *out = g_string_new (NULL);
  g_autoptr(GSList) list = attrs != NULL ? pango_attr_list_get_attributes (attrs) : NULL;

  for (GSList *l = list; l != NULL; l = l->next)
    {
      PangoAttribute *a = l->data;

      if (a->klass->type == PANGO_ATTR_BACKGROUND)
        g_string_append_printf (out, "%u-%u ", a->start_index, a->end_index);
    }
  g_slist_free_full (g_steal_pointer (&list), (GDestroyNotify) pango_attribute_destroy);
  return g_strstrip (g_string_free (out, FALSE));
}

#define assert_highlights(label, expected) \
  G_STMT_START { \
    g_autofree char *_got = highlights (label); \
    g_assert_cmpstr (_got, ==, (expected)); \
  } G_STMT_END

/* ---- Context menu -------------------------------------------------------------- */

static void
check_context_menu (LbWindow *window)
{
  LbMessageListView *view = view_of (window);
  GtkSelectionModel *selection;
  GListModel *list;
  GtkPopover *menu;
  g_autoptr(GtkBitset) bits = NULL;
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *folders = NULL;
  GtkWidget *item;
  GtkWidget *undo;
  guint n;

  show_folder (window, folder_of (window, LB_FOLDER_ROLE_INBOX));
  list = shown_list (window);
  selection = lb_message_list_view_get_selection (view);
  n = g_list_model_get_n_items (list);
  g_assert_cmpuint (n, ==, N_CORPUS + 2);

  /* A right click on a row outside the selection selects that row alone, as Files does. */
  lb_message_list_view_select_position (view, 0);
  right_click_row (window, 3);
  bits = selection_of (window);
  g_assert_cmpuint (gtk_bitset_get_size (bits), ==, 1);
  g_assert_true (gtk_bitset_contains (bits, 3));
  g_clear_pointer (&bits, gtk_bitset_unref);
  menu = lb_message_list_view_get_context_menu (view);
  g_assert_nonnull (menu);
  g_assert_true (GTK_IS_POPOVER_MENU (menu));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (menu)));
  /* Move to offers the account's other folders, but never Drafts or Sent. */
  folders = move_submenu_labels (gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (menu)));
  if (screenshot_dir == NULL)
    g_assert_cmpstr (folders, ==, "|Archive|Junk|Trash|");
  g_assert_nonnull (find_menu_item (GTK_WIDGET (menu), _("_Reply")));
  save_screen_screenshot (window, "context-menu.png");
  gtk_popover_popdown (menu);

  /* A right click inside a selection of three keeps all three, and the menu's items act
   * on them all. */
  gtk_selection_model_select_range (selection, 0, 3, TRUE);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (targets, g_list_model_get_item (list, i));
  for (guint i = 0; i < 3; i++)
    g_assert_false (lb_message_get_flagged (g_ptr_array_index (targets, i)));
  right_click_row (window, 1);
  bits = selection_of (window);
  g_assert_cmpuint (gtk_bitset_get_size (bits), ==, 3);
  g_clear_pointer (&bits, gtk_bitset_unref);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (menu)));
  save_screen_screenshot (window, "context-menu-selection.png");
  item = find_menu_item (GTK_WIDGET (menu), _("F_lag"));
  g_assert_nonnull (item);
  g_signal_emit_by_name (item, "clicked");
  for (guint i = 0; i < 3; i++)
    g_assert_true (lb_message_get_flagged (g_ptr_array_index (targets, i)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (menu)));
  /* The store has the flags before the next menu is made from the list: a reload of the
   * list in between (the start-up sync ending) reads them from there. */
  lb_engine_wait_idle (lb_window_get_engine (window));

  /* All flagged now: the menu offers to unflag; Move to > Junk moves all three. */
  right_click_row (window, 2);
  g_assert_nonnull (find_menu_item (GTK_WIDGET (menu), _("Un_flag")));
  item = find_menu_item (GTK_WIDGET (menu), _("Junk"));
  g_assert_nonnull (item);
  g_signal_emit_by_name (item, "clicked");
  g_assert_true (lb_test_wait_n_items (list, n - 3, 10));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_nonnull (lb_ui_test_find_button (GTK_WIDGET (window), _("_Undo")));
  undo = lb_ui_test_find_button (GTK_WIDGET (window), _("_Undo"));
  g_signal_emit_by_name (undo, "clicked");
  g_assert_true (lb_test_wait_n_items (list, n, 10));

  /* The Menu key (Shift+F10) opens the menu for the focused or selected row. */
  lb_message_list_view_select_position (view, 4);
  g_assert_true (lb_message_list_view_popup_context_menu (view));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (menu)));
  bits = selection_of (window);
  g_assert_cmpuint (gtk_bitset_get_size (bits), ==, 1);
  g_assert_true (gtk_bitset_contains (bits, 4));
  gtk_popover_popdown (menu);

  /* Unflag what was flagged, for the checks that follow. */
  gtk_selection_model_select_range (selection, 0, 3, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-flag", NULL));
}

/* ---- Highlights ------------------------------------------------------------------ */

static gboolean
preview_shown (gpointer row)
{
  return *gtk_label_get_text (lb_message_row_get_preview_label (row)) != '\0';
}

static void
check_highlights (LbWindow *window)
{
  LbMessageRow *row;

  show_folder (window, folder_of (window, LB_FOLDER_ROLE_INBOX));

  /* Chinese: an exact match, in bytes: 周五 is 6 bytes, 会议 the next 6. */
  search_for (window, "会议");
  row = find_row (window, "周五会议纪要");
  g_assert_nonnull (row);
  assert_highlights (lb_message_row_get_subject_label (row), "6-12");
  assert_highlights (lb_message_row_get_sender_label (row), "");
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "search-highlight-zh.png");

  /* English: any case, in the sender, the subject and the preview. */
  search_for (window, "QUARTERLY");
  row = find_row (window, "Quarterly report");
  g_assert_nonnull (row);
  assert_highlights (lb_message_row_get_sender_label (row), "0-9");
  assert_highlights (lb_message_row_get_subject_label (row), "0-9");
  row = find_row (window, "周五会议纪要");
  g_assert_nonnull (row);
  /* The preview is the body's start, once the body is in: 请查收 is 9 bytes, then a space. */
  if (*gtk_label_get_text (lb_message_row_get_preview_label (row)) != '\0')
    assert_highlights (lb_message_row_get_preview_label (row), "10-19");
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "search-highlight-en.png");

  /* Words where they start a word, as the search finds them: "re" in "report", not
   * inside "are". */
  search_for (window, "re");
  row = find_row (window, "Quarterly report");
  g_assert_nonnull (row);
  assert_highlights (lb_message_row_get_subject_label (row), "10-12");
  g_assert_true (lb_test_wait_until (preview_shown, row, 10));
  g_assert_cmpstr (gtk_label_get_text (lb_message_row_get_preview_label (row)), ==,
                   "The quarterly numbers are in.");
  assert_highlights (lb_message_row_get_preview_label (row), "");

  /* Operators: subject: only in the subject, from: only in the sender. */
  search_for (window, "subject:quarterly");
  row = find_row (window, "Quarterly report");
  g_assert_nonnull (row);
  assert_highlights (lb_message_row_get_subject_label (row), "0-9");
  assert_highlights (lb_message_row_get_sender_label (row), "");
  search_for (window, "from:张三 纪要");
  row = find_row (window, "周五会议纪要");
  g_assert_nonnull (row);
  assert_highlights (lb_message_row_get_sender_label (row), "0-6");
  assert_highlights (lb_message_row_get_subject_label (row), "12-18");

  /* Out of the search, no highlights. */
  lb_message_list_view_stop_search (view_of (window));
  g_assert_null (lb_message_list_view_get_search_query (view_of (window)));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  row = find_row (window, "周五会议纪要");
  g_assert_nonnull (row);
  assert_highlights (lb_message_row_get_subject_label (row), "");
}

/* ---- Search on the server -------------------------------------------------------- */

static gboolean
server_search_finished (gpointer data)
{
  const char *state = lb_message_list_view_get_server_search_state (view_of (data));

  return g_str_equal (state, "done") || g_str_equal (state, "failed");
}

static void
check_server_search (LbWindow *window)
{
  LbMessageListView *view = view_of (window);
  GtkWidget *button;
  GtkWidget *label;
  GtkWidget *retry;
  GListModel *list;

  g_assert_true (lb_test_wait_until (account_idle, account_of (window), 60));
  /* New archive mail, which the store may not have seen yet (the archive is not watched;
   * the start-up sync may or may not have run past it).  Either way its text is not
   * downloaded: only the server can find its words.  The engine's test covers the
   * unsynced case on its own. */
  deliver ("Archive", 6, "Guide <guide@safari.example>", "Packing list",
           "Bring sun cream to zanzibar.", NULL);

  show_folder (window, folder_of (window, LB_FOLDER_ROLE_ARCHIVE));
  g_assert_cmpuint (g_list_model_get_n_items (shown_list (window)), >=, 1);
  search_for (window, "zanzibar");
  list = shown_list (window);
  /* The word is only in bodies that are not downloaded. */
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  g_assert_cmpstr (lb_message_list_view_get_state (view), ==, "no-results");
  g_assert_cmpstr (lb_message_list_view_get_server_search_state (view), ==, "offer");
  button = lb_ui_test_find_widget (GTK_WIDGET (view), "no-results-server-button");
  g_assert_true (gtk_widget_get_mapped (button));
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "server-search-offer.png");

  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpstr (lb_message_list_view_get_server_search_state (view), ==, "running");
  g_assert_true (lb_test_wait_until (server_search_finished, window, 60));
  g_assert_cmpstr (lb_message_list_view_get_server_search_state (view), ==, "done");
  g_assert_true (lb_test_wait_until (list_loaded, window, 10));
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  g_assert_cmpstr (lb_message_list_view_get_state (view), ==, "list");
  g_assert_nonnull (find_row (window, "Packing list"));
  g_assert_nonnull (find_row (window, "Safari notes"));
  label = lb_ui_test_find_widget (GTK_WIDGET (view), "server-search-label");
  g_assert_true (gtk_widget_get_mapped (label));
  if (screenshot_dir == NULL)
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "The server found 2 more messages.");
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "server-search-done.png");

  /* The server goes away: the bar says why and offers to try again, which works once the
   * server is back. */
  search_for (window, "sun cream");
  g_assert_cmpuint (g_list_model_get_n_items (shown_list (window)), ==, 0);
  g_assert_cmpstr (lb_message_list_view_get_server_search_state (view), ==, "offer");
  lb_test_proxy_refuse (proxy, TRUE);
  lb_test_proxy_kill_all (proxy);
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (lb_test_wait_until (server_search_finished, window, 60));
  g_assert_cmpstr (lb_message_list_view_get_server_search_state (view), ==, "failed");
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (label));
  if (screenshot_dir == NULL)
    g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)),
                                     "Could not search on the server: "));
  g_assert_false (gtk_widget_get_visible (button));
  retry = lb_ui_test_find_widget (GTK_WIDGET (view), "server-search-button");
  g_assert_true (gtk_widget_get_mapped (retry));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (retry)), ==, _("_Try Again"));
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "server-search-failed.png");
  lb_test_proxy_refuse (proxy, FALSE);
  g_signal_emit_by_name (retry, "clicked");
  g_assert_true (lb_test_wait_until (server_search_finished, window, 60));
  g_assert_cmpstr (lb_message_list_view_get_server_search_state (view), ==, "done");
  g_assert_true (lb_test_wait_until (list_loaded, window, 10));
  g_assert_cmpuint (g_list_model_get_n_items (shown_list (window)), ==, 1);
  g_assert_nonnull (find_row (window, "Packing list"));

  /* A new search starts afresh. */
  search_for (window, "zanzibar trip");
  g_assert_cmpstr (lb_message_list_view_get_server_search_state (view), ==, "offer");
  lb_message_list_view_stop_search (view);
  g_assert_cmpstr (lb_message_list_view_get_server_search_state (view), ==, "none");
}

static void
run_window (GApplication *application)
{
  LbWindow *window;

  window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (lb_window_get_has_accounts (window));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));

  check_context_menu (window);
  check_highlights (window);
  check_server_search (window);
}

static void
test_message_list (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  prepare_profile ();
  g_settings_set_enum (settings, "mark-read-mode", 2);
  /* One row per message: the corpus has replies, which conversations would group (they
   * have their own test, test-conversations.c). */
  g_settings_set_boolean (settings, "conversations", FALSE);
  lb_ui_test_set_window_size (1200, 760);
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_window);

  g_clear_pointer (&proxy, lb_test_proxy_free);
  g_clear_pointer (&servers, lb_test_servers_stop);
}

int
main (int   argc,
      char *argv[])
{
  screenshot_dir = lb_ui_test_init_app_test (&argc, &argv);

  g_test_add_func ("/ui/message-list/menu-highlight-server-search", test_message_list);

  return g_test_run ();
}
