/* test-main-window.c: the rough edges of the main window, against a private Dovecot
 *
 * One account with an inbox, a Sent message to two people and an archived message.  The
 * test works the window as a user would and checks what the trial found wrong: Sent rows
 * name the recipients, a row with no preview has no empty third line, the header bar's
 * read and flag buttons are toggles that show the selected message's state, Undo selects
 * the message it brings back, new mail is seen at the top of a list scrolled to the top,
 * Mark All as Read, the search says how many results it found and where and offers every
 * folder when a folder has none, and on a narrow window a tap on the selected row opens
 * it again and narrowing keeps the open message in view.
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
#include "lb-composer.h"
#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-message-list-view.h"
#include "lb-message-row.h"
#include "lb-sidebar.h"
#include "lb-test-account.h"
#include "lb-test-fixture.h"
#include "lb-test-wait.h"
#include "lb-window.h"
#include "lb-ui-test-util.h"

#define ALICE "alice@example.com"
#define N_CORPUS 12

static LbTestServers *servers;
static char *profile;
static const char *screenshot_dir;

/* ---- Preparing the profile ---------------------------------------------------- */

/* Delivers a UTF-8 message dated DAY (of March 2026, later is newer) to FOLDER. */
static void
deliver (const char *folder,
         guint       day,
         const char *from,
         const char *to,
         const char *subject,
         const char *body,
         const char *flags)
{
  static guint n;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) mail = NULL;
  g_autofree char *subject64 = g_base64_encode ((const guchar *) subject, strlen (subject));
  g_autofree char *body64 = g_base64_encode ((const guchar *) body, strlen (body));
  char *text;

  text = g_strdup_printf ("From: %s\r\nTo: %s\r\nSubject: =?UTF-8?B?%s?=\r\n"
                          "Date: %02u Mar 2026 10:00:00 +0000\r\n"
                          "Message-ID: <main-window-%u@example.com>\r\n"
                          "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                          "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n",
                          from, to, subject64, day, ++n, body64);
  mail = g_bytes_new_take (text, strlen (text));
  g_assert_true (lb_test_servers_deliver (servers, ALICE, folder, mail, flags, &error));
  g_assert_no_error (error);
}

static void
prepare_profile (void)
{
  const char * const corpus[] = { ALICE ":INBOX:" G_STRINGIFY (N_CORPUS) ":43", NULL };
  LbTestServersOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbEngine) engine = NULL;

  options.corpus = corpus;
  options.no_smtp = TRUE;
  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  /* Newer than the corpus, so at the top of the inbox. */
  deliver ("INBOX", 20, "Quarterly Bot <bot@example.com>", ALICE, "Quarterly report",
           "The quarterly numbers from Zubrowka are in.", NULL);
  deliver ("INBOX", 21, "Dana <dana@example.org>", ALICE, "Empty note", "", NULL);
  deliver ("Sent", 19, "Alice <" ALICE ">",
           "Bob Smith <bob@example.com>, \"Doe, Jane\" <jane@example.net>, carol@example.org",
           "Trip plans", "See you at the station.", "S");
  deliver ("Archive", 5, "Guide <guide@safari.example>", ALICE, "Safari notes",
           "Our trip starts on Monday.", "S");
  /* A long letter whose one mention of a flowerpot is far below its start. */
  {
    g_autoptr(GString) body = g_string_new ("Hello Alice,\n\n");

    for (guint i = 0; i < 12; i++)
      g_string_append (body, "The garden looks lovely this spring and the roses are out.\n");
    g_string_append (body, "\nThe key to the boathouse is under the blue flowerpot. Thanks!\n");
    deliver ("INBOX", 2, "Gran <gran@example.org>", ALICE, "Long letter", body->str, "S");
  }

  profile = g_dir_make_tmp ("lb-ui-main-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("LETTERBOX_DATA_DIR", profile, TRUE);
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  g_object_unref (lb_test_add_account (engine, servers, 0, ALICE, "Alice", TRUE));
  lb_engine_shutdown (engine);
}

/* ---- Helpers ------------------------------------------------------------------ */

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

static GtkWidget *
find (LbWindow   *window,
      const char *name)
{
  GtkWidget *widget = lb_ui_test_find_widget (GTK_WIDGET (window), name);

  if (widget == NULL)
    g_error ("no widget named %s in the window", name);
  return widget;
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

/* The position of the message with SUBJECT in the list shown. */
static guint
position_of (LbWindow   *window,
             const char *subject)
{
  GListModel *list = shown_list (window);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (list, i);

      if (g_strcmp0 (lb_message_get_subject (m), subject) == 0)
        return i;
    }
  g_error ("no message \"%s\" in the list", subject);
  return G_MAXUINT;
}

/* The message shown in the topmost visible row of the list. */
static gint64
top_visible_message (LbWindow *window)
{
  GtkWidget *list_view = GTK_WIDGET (lb_message_list_view_get_list_view (view_of (window)));
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

static gint64
selected_message_id (LbWindow *window)
{
  GtkSelectionModel *selection = lb_message_list_view_get_selection (view_of (window));
  g_autoptr(GtkBitset) bits = gtk_selection_model_get_selection (selection);
  g_autoptr(LbMessage) m = NULL;

  if (gtk_bitset_get_size (bits) != 1)
    return 0;
  m = g_list_model_get_item (G_LIST_MODEL (selection), gtk_bitset_get_minimum (bits));
  return m != NULL ? lb_message_get_id (m) : 0;
}

static gboolean
list_loaded (gpointer data)
{
  LbMessageList *list = lb_message_list_view_get_list (view_of (data));

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
  g_assert_true (lb_test_wait_until (list_loaded, window, 10));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
}

static gboolean
list_not_empty (gpointer data)
{
  LbMessageList *list = lb_message_list_view_get_list (view_of (data));

  return list != NULL && g_list_model_get_n_items (G_LIST_MODEL (list)) > 0;
}

/* Shows a folder that is synced when it is first opened, and waits for its mail. */
static void
show_synced_folder (LbWindow *window,
                    gint64    folder_id)
{
  show_folder (window, folder_id);
  g_assert_true (lb_test_wait_until (list_not_empty, window, 30));
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
  while ((list = lb_message_list_view_get_list (view_of (window))) == NULL
         || g_strcmp0 (lb_message_list_get_query (list), query) != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (lb_test_wait_until (list_loaded, window, 20));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
}

/* Saves a screenshot in the light style and again in the dark one (NAME-dark.png). */
static void
save_light_and_dark (LbWindow   *window,
                     const char *name)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *dark = NULL;

  if (screenshot_dir == NULL)
    return;
  lb_test_iterate_for (300);
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, name);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  lb_test_iterate_for (300);
  dark = g_strdup_printf ("%.*s-dark.png", (int) (strlen (name) - strlen (".png")), name);
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, dark);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  lb_test_iterate_for (100);
}

/* ---- Sent rows and the preview line -------------------------------------------- */

static gboolean
has_preview (gpointer data)
{
  return *lb_message_get_preview (data) != '\0';
}

static void
check_rows (LbWindow *window)
{
  LbMessageRow *row;
  GtkWidget *preview;
  g_autoptr(LbMessage) quarterly = NULL;

  /* In Sent the row names whom the message went to, not oneself. */
  show_synced_folder (window, folder_of (window, LB_FOLDER_ROLE_SENT));
  row = find_row (window, "Trip plans");
  g_assert_nonnull (row);
  if (screenshot_dir == NULL)
    g_assert_cmpstr (lb_message_row_get_sender_text (row), ==,
                     "To: Bob Smith, Doe, Jane, carol@example.org");
  lb_message_list_view_select_position (view_of (window), position_of (window, "Trip plans"));
  save_light_and_dark (window, "sent-rows.png");

  /* In the inbox a row names the sender.  A message with no text has no third line; one
   * with text has it, once the text is in. */
  show_folder (window, folder_of (window, LB_FOLDER_ROLE_INBOX));
  g_assert_true (lb_test_wait_until (account_idle, account_of (window), 60));
  quarterly = g_list_model_get_item (shown_list (window), position_of (window, "Quarterly report"));
  g_assert_true (lb_test_wait_until (has_preview, quarterly, 30));
  row = find_row (window, "Quarterly report");
  g_assert_nonnull (row);
  g_assert_cmpstr (lb_message_row_get_sender_text (row), ==, "Quarterly Bot");
  preview = GTK_WIDGET (lb_message_row_get_preview_label (row));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (preview)));
  row = find_row (window, "Empty note");
  g_assert_nonnull (row);
  preview = GTK_WIDGET (lb_message_row_get_preview_label (row));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (preview)), ==, "");
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (preview)));
}

/* ---- Header bar toggles ----------------------------------------------------------- */

static void
check_toggles (LbWindow *window)
{
  GtkWidget *read = find (window, "read-button");
  GtkWidget *flag = find (window, "flag-button");
  g_autoptr(LbMessage) message = NULL;

  g_assert_true (GTK_IS_TOGGLE_BUTTON (read));
  g_assert_true (GTK_IS_TOGGLE_BUTTON (flag));

  show_folder (window, folder_of (window, LB_FOLDER_ROLE_INBOX));
  lb_message_list_view_select_position (view_of (window), position_of (window, "Quarterly report"));
  message = g_object_ref (lb_window_get_shown_message (window));
  g_assert_cmpstr (lb_message_get_subject (message), ==, "Quarterly report");
  g_assert_true (lb_message_get_unread (message));
  g_assert_false (lb_message_get_flagged (message));
  /* Pressed while unread; not pressed while not flagged. */
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (read)));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (flag)));

  g_signal_emit_by_name (flag, "clicked");
  g_assert_true (lb_message_get_flagged (message));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (flag)));
  g_signal_emit_by_name (read, "clicked");
  g_assert_false (lb_message_get_unread (message));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (read)));
  save_light_and_dark (window, "header-toggles.png");

  /* The keyboard's `u` and `s` act through the same actions: the toggles follow. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-read", NULL));
  g_assert_true (lb_message_get_unread (message));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (read)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-flag", NULL));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (flag)));

  /* Another message: the toggles show its state. */
  lb_message_list_view_select_position (view_of (window), position_of (window, "Empty note"));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (read)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-read", NULL));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (read)));
  lb_message_list_view_select_position (view_of (window), position_of (window, "Quarterly report"));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (read)));
}

/* ---- Undo selects what it brought back ---------------------------------------- */

static gboolean
selected_is (gpointer data)
{
  gpointer *args = data;

  return selected_message_id (args[0]) == *(gint64 *) args[1];
}

static void
check_undo_selects (LbWindow *window)
{
  GListModel *list;
  g_autoptr(LbMessage) target = NULL;
  GtkWidget *undo;
  gint64 target_id;
  gpointer args[2];
  guint n;

  show_folder (window, folder_of (window, LB_FOLDER_ROLE_INBOX));
  list = shown_list (window);
  n = g_list_model_get_n_items (list);
  lb_message_list_view_select_position (view_of (window), 3);
  target = g_list_model_get_item (list, 3);
  target_id = lb_message_get_id (target);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete", NULL));
  g_assert_true (lb_test_wait_n_items (list, n - 1, 10));
  g_assert_cmpint (selected_message_id (window), !=, target_id);

  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  undo = lb_ui_test_find_button (GTK_WIDGET (window), _("_Undo"));
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  g_assert_true (lb_test_wait_n_items (list, n, 10));
  args[0] = window;
  args[1] = &target_id;
  g_assert_true (lb_test_wait_until (selected_is, args, 10));
  g_assert_cmpint (lb_message_get_id (lb_window_get_shown_message (window)), ==, target_id);
}

/* ---- New mail at the top ------------------------------------------------------------ */

static void
check_new_mail_at_top (LbWindow *window)
{
  GListModel *list;
  g_autoptr(LbMessage) top = NULL;
  guint n;

  show_folder (window, folder_of (window, LB_FOLDER_ROLE_INBOX));
  list = shown_list (window);
  n = g_list_model_get_n_items (list);
  /* The list at its top, a message open. */
  lb_message_list_view_select_position (view_of (window), 0);
  for (guint i = 0; i < 3; i++)
    lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  top = g_list_model_get_item (list, 0);
  g_assert_cmpint (top_visible_message (window), ==, lb_message_get_id (top));
  g_clear_object (&top);

  deliver ("INBOX", 28, "Erin <erin@example.org>", ALICE, "Lunch on Friday?",
           "Shall we try the new place?", NULL);
  /* IDLE (or the next poll) brings it: it is the top row on screen. */
  g_assert_true (lb_test_wait_n_items (list, n + 1, 40));
  top = g_list_model_get_item (list, 0);
  g_assert_cmpstr (lb_message_get_subject (top), ==, "Lunch on Friday?");
  for (guint i = 0; i < 3; i++)
    lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_cmpint (top_visible_message (window), ==, lb_message_get_id (top));
}

/* ---- Mark All as Read ---------------------------------------------------------------- */

static void
check_mark_all_read (LbWindow *window)
{
  GListModel *list;
  guint n;

  show_folder (window, folder_of (window, LB_FOLDER_ROLE_INBOX));
  list = shown_list (window);
  n = g_list_model_get_n_items (list);
  g_assert_cmpuint (lb_message_list_get_unread (LB_MESSAGE_LIST (list)), >, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.mark-all-read", NULL));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (list, i);

      g_assert_false (lb_message_get_unread (m));
    }
}

/* ---- Search: the count, and every folder ------------------------------------------ */

static void
check_search (LbWindow *window)
{
  LbMessageListView *view = view_of (window);
  GtkWidget *count = find (window, "search-count-label");
  GtkWidget *everywhere = find (window, "search-everywhere-button");

  /* The archive is in the store once it was opened. */
  show_synced_folder (window, folder_of (window, LB_FOLDER_ROLE_ARCHIVE));
  g_assert_true (lb_test_wait_until (account_idle, account_of (window), 60));
  show_folder (window, folder_of (window, LB_FOLDER_ROLE_INBOX));
  search_for (window, "zubrowka");
  g_assert_cmpuint (g_list_model_get_n_items (shown_list (window)), ==, 1);
  g_assert_true (gtk_widget_get_mapped (count));
  if (screenshot_dir == NULL)
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (count)), ==, "1 result in Inbox");
  save_light_and_dark (window, "search-count.png");
  lb_message_list_view_stop_search (view);

  /* A match in the body only: the row shows the sentence it is in, highlighted, from
   * close enough before the word for it to be seen. */
  {
    g_autoptr(LbMessage) letter = g_list_model_get_item (shown_list (window),
                                                         position_of (window, "Long letter"));
    LbMessageRow *row;
    GtkLabel *preview;

    g_assert_true (lb_test_wait_until (has_preview, letter, 30));
    search_for (window, "flowerpot");
    g_assert_cmpuint (g_list_model_get_n_items (shown_list (window)), ==, 1);
    row = find_row (window, "Long letter");
    g_assert_nonnull (row);
    preview = lb_message_row_get_preview_label (row);
    g_assert_cmpstr (gtk_label_get_text (preview), ==,
                     "…boathouse is under the blue flowerpot.");
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (preview)));
    g_assert_nonnull (gtk_label_get_attributes (preview));
    save_light_and_dark (window, "search-body-sentence.png");
    lb_message_list_view_stop_search (view);
  }

  /* All Inboxes names itself. */
  show_folder (window, 0);
  search_for (window, "zubrowka");
  if (screenshot_dir == NULL)
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (count)), ==, "1 result in All Inboxes");
  lb_message_list_view_stop_search (view);

  /* Nothing in the inbox: the same search in every folder finds the archived message. */
  show_folder (window, folder_of (window, LB_FOLDER_ROLE_INBOX));
  search_for (window, "safari");
  g_assert_cmpuint (g_list_model_get_n_items (shown_list (window)), ==, 0);
  g_assert_cmpstr (lb_message_list_view_get_state (view), ==, "no-results");
  if (screenshot_dir == NULL)
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (count)), ==, "0 results in Inbox");
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (everywhere));
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "search-everywhere-offer.png");
  g_signal_emit_by_name (everywhere, "clicked");
  g_assert_true (lb_test_wait_until (list_loaded, window, 20));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_cmpuint (g_list_model_get_n_items (shown_list (window)), ==, 1);
  g_assert_nonnull (find_row (window, "Safari notes"));
  /* Each result says where it is: the account, then the folder. */
  {
    const char *where = lb_message_row_get_account_text (find_row (window, "Safari notes"));

    g_assert_nonnull (where);
    if (screenshot_dir == NULL)
      g_assert_true (g_str_has_suffix (where, " · Archive"));
  }
  if (screenshot_dir == NULL)
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (count)), ==, "1 result in All Folders");
  g_assert_false (gtk_widget_get_visible (everywhere));
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, "search-everywhere.png");

  /* Ending the search goes back to the folder alone. */
  lb_message_list_view_stop_search (view);
  g_assert_false (gtk_widget_get_mapped (count));
  search_for (window, "safari");
  g_assert_cmpuint (g_list_model_get_n_items (shown_list (window)), ==, 0);
  lb_message_list_view_stop_search (view);
}

/* ---- Reply below the quote -------------------------------------------------------- */

static gboolean
body_filled (gpointer data)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (data);

  return gtk_text_buffer_get_char_count (buffer) > 0;
}

/* Replies to the selected message and returns the composer's text, with a | where the
 * cursor is; the composer is closed again. */
static char *
reply_text (LbWindow *window)
{
  GtkWindow *composer;
  GtkTextView *body;
  GtkTextBuffer *buffer;
  GtkTextIter start, end, cursor;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gpointer weak;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.reply", NULL));
  composer = lb_ui_test_find_toplevel (LB_TYPE_COMPOSER);
  g_assert_nonnull (composer);
  body = GTK_TEXT_VIEW (lb_ui_test_find_widget (GTK_WIDGET (composer), "body"));
  g_assert_true (lb_test_wait_until (body_filled, body, 20));
  buffer = gtk_text_view_get_buffer (body);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  before = gtk_text_buffer_get_text (buffer, &start, &cursor, FALSE);
  after = gtk_text_buffer_get_text (buffer, &cursor, &end, FALSE);
  weak = composer;
  g_object_add_weak_pointer (G_OBJECT (composer), &weak);
  gtk_window_destroy (composer);
  lb_ui_test_wait_until_gone (&weak);
  return g_strconcat (before, "|", after, NULL);
}

static void
check_reply_below (LbWindow *window)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *above = NULL;
  g_autofree char *below = NULL;

  show_folder (window, folder_of (window, LB_FOLDER_ROLE_INBOX));
  lb_message_list_view_select_position (view_of (window), position_of (window, "Quarterly report"));

  /* By default the reply starts above the quote. */
  above = reply_text (window);
  g_assert_true (g_str_has_prefix (above, "|\n\n"));
  g_assert_nonnull (strstr (above, "> The quarterly numbers"));

  /* With the preference, under it: the quote first, the cursor at the end. */
  g_settings_set_boolean (settings, "reply-below-quote", TRUE);
  below = reply_text (window);
  g_settings_reset (settings, "reply-below-quote");
  g_assert_false (g_str_has_prefix (below, "\n"));
  g_assert_true (g_str_has_suffix (below, "\n\n|"));
  g_assert_nonnull (strstr (below, "> The quarterly numbers"));
}

/* ---- Narrow window ------------------------------------------------------------------ */

/* Taps (press and release, as a finger does) the middle of ROW, through the list's own
 * tap gesture. */
static void
tap_row (LbWindow     *window,
         LbMessageRow *row)
{
  GtkWidget *list_view = GTK_WIDGET (lb_message_list_view_get_list_view (view_of (window)));
  GListModel *controllers = gtk_widget_observe_controllers (list_view);
  GtkEventController *tap = NULL;
  graphene_rect_t bounds;
  double x, y;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && tap == NULL; i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (c), "lb-row-tap") == 0)
        tap = c;
    }
  g_object_unref (controllers);
  g_assert_nonnull (tap);
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (row), list_view, &bounds));
  x = bounds.origin.x + bounds.size.width / 2;
  y = bounds.origin.y + bounds.size.height / 2;
  g_signal_emit_by_name (tap, "pressed", 1, x, y);
  g_signal_emit_by_name (tap, "released", 1, x, y);
}

static void
check_narrow (LbWindow *window)
{
  AdwLeaflet *outer = ADW_LEAFLET (find (window, "outer-leaflet"));
  AdwLeaflet *inner = ADW_LEAFLET (find (window, "inner-leaflet"));
  GtkWidget *reader_pane = find (window, "reader-pane");
  GtkWidget *list_pane = find (window, "list-pane");
  LbMessageRow *row;

  /* Wide, with a message open; then narrow: the message stays in view. */
  show_folder (window, folder_of (window, LB_FOLDER_ROLE_INBOX));
  lb_message_list_view_select_position (view_of (window), 1);
  g_assert_nonnull (lb_window_get_shown_message (window));
  g_assert_false (adw_leaflet_get_folded (inner));
  /* GNOME's title buttons: close only (Xvfb's default has three). */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", ":close", NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  for (guint i = 0; i < 3; i++)
    lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (adw_leaflet_get_folded (outer));
  g_assert_true (adw_leaflet_get_folded (inner));
  g_assert_true (adw_leaflet_get_visible_child (outer) == GTK_WIDGET (inner));
  g_assert_true (adw_leaflet_get_visible_child (inner) == reader_pane);
  /* The message fits a 360 px screen: its remote-content banner made it 442 px wide,
   * and the empty title of the reader's header bar took 70 px more than there is. */
  {
    int min = 0;

    gtk_widget_measure (find (window, "reader-stack"), GTK_ORIENTATION_HORIZONTAL, -1,
                        &min, NULL, NULL, NULL);
    g_assert_cmpint (min, <=, 360);
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);
  }
  save_light_and_dark (window, "narrow-reader.png");

  /* Back to the list, where the message is still selected: a tap on it opens it again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_true (adw_leaflet_get_visible_child (inner) == list_pane);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  row = find_row (window, lb_message_get_subject (lb_window_get_shown_message (window)));
  g_assert_nonnull (row);
  save_light_and_dark (window, "narrow-list.png");
  tap_row (window, row);
  g_assert_true (adw_leaflet_get_visible_child (inner) == reader_pane);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_settings_reset_property (gtk_settings_get_default (), "gtk-decoration-layout");
  for (guint i = 0; i < 3; i++)
    lb_ui_test_wait_for_frame (GTK_WIDGET (window));
}

static void
run_window (GApplication *application)
{
  LbWindow *window;

  window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (lb_window_get_has_accounts (window));
  g_assert_true (lb_test_wait_until (account_idle, account_of (window), 60));

  check_rows (window);
  check_toggles (window);
  check_undo_selects (window);
  check_new_mail_at_top (window);
  check_search (window);
  check_reply_below (window);
  check_narrow (window);
  check_mark_all_read (window);
}

static void
test_main_window (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  prepare_profile ();
  /* Never: what the test marks is what it checks. */
  g_settings_set_enum (settings, "mark-read-mode", 2);
  lb_ui_test_set_window_size (1200, 760);
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_window);

  g_clear_pointer (&servers, lb_test_servers_stop);
}

int
main (int   argc,
      char *argv[])
{
  screenshot_dir = lb_ui_test_init_app_test (&argc, &argv);

  g_test_add_func ("/ui/main-window/rough-edges", test_main_window);

  return g_test_run ();
}
