/* test-conversations.c: conversation rows and the reader's conversation stack, under Xvfb
 *
 * A profile filled straight into the store (an offline account, as a sync would leave
 * it): a conversation of an original, a webmail reply without threading headers (unread)
 * and the user's own reply from Sent; a conversation of two replies with References; and
 * a message on its own.  The inbox then shows three rows: the first names everyone who
 * wrote and counts three.  Selecting it shows the stack: the read original collapsed, the
 * unread reply and the newest message expanded, the unread one in the reader; the unread
 * reply's own delete button deletes it alone, the conversation's Flag button flags all of
 * it.  Turning Conversations off lists the four
 * messages left.
 *
 * With LB_TEST_SCREENSHOTS=DIR it saves the window, light and dark, there; run it with
 * LANGUAGE=zh_CN for Chinese ones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "lb-application.h"
#include "lb-conversation-stack.h"
#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-message-list-view.h"
#include "lb-message-row.h"
#include "lb-reader.h"
#include "lb-store.h"
#include "lb-window.h"
#include "lb-ui-test-util.h"

static const char *screenshot_dir;
static gint64 unread_reply_id;

/* ---- The profile ------------------------------------------------------------------ */

static gint64
add_folder (LbStore      *store,
            gint64        account_id,
            const char   *name,
            LbFolderRole  role)
{
  g_autoptr(LbStoreFolder) f = lb_store_folder_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  f->account_id = account_id;
  f->raw_name = g_strdup (name);
  f->display_name = g_strdup (name);
  f->delimiter = g_strdup ("/");
  f->role = role;
  f->selectable = TRUE;
  f->subscribed = TRUE;
  f->uidvalidity = 1;
  id = lb_store_upsert_folder (store, f, &error);
  g_assert_no_error (error);
  return id;
}

static void
add_message (GPtrArray  *batch,
             guint       uid,
             const char *message_id,
             const char *references,
             const char *subject,
             const char *from,
             const char *preview,
             gint64      date,
             guint       flags)
{
  LbStoreFetched *f = lb_store_fetched_new ();

  f->uid = uid;
  f->flags = flags;
  f->internaldate = date;
  f->message.message_id = g_strdup (message_id);
  f->message.references = g_strdup (references);
  f->message.in_reply_to = references != NULL ? g_strdup (strrchr (references, '<') + 1) : NULL;
  if (f->message.in_reply_to != NULL)
    *strrchr (f->message.in_reply_to, '>') = '\0';
  f->message.subject = g_strdup (subject);
  f->message.from_name = g_strdup (from);
  f->message.from_address = g_strdup ("someone@example.com");
  f->message.to = g_strdup ("Alice <alice@example.com>");
  f->message.preview = g_strdup (preview);
  f->message.date = date;
  f->message.size = 100;
  g_ptr_array_add (batch, f);
}

static void
prepare_profile (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "letterbox.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, &error);
  g_autoptr(LbStoreAccount) a = lb_store_account_new ();
  g_autoptr(GPtrArray) inbox = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 inbox_id, sent_id;

  g_assert_no_error (error);
  a->email = g_strdup ("alice@example.com");
  a->display_name = g_strdup ("Alice");
  /* Nothing listens there: the account goes offline at once and stays out of the way. */
  a->imap_host = g_strdup ("127.0.0.1");
  a->imap_port = 9;
  g_assert_true (lb_store_add_account (store, a, &error));
  inbox_id = add_folder (store, a->id, "INBOX", LB_FOLDER_ROLE_INBOX);
  sent_id = add_folder (store, a->id, "Sent", LB_FOLDER_ROLE_SENT);

  add_message (inbox, 1, "plan@example.com", NULL, "下季度项目计划", "张伟",
               "大家好，附件是下季度的项目计划草案，请在周五之前提出意见。", now - 7200, LB_FLAG_SEEN);
  /* Webmail: no In-Reply-To, no References, a Chinese prefix with a full-width colon. */
  add_message (inbox, 2, "web@example.com", NULL, "回复：下季度项目计划", "李娜",
               "第三部分的时间安排有点紧，能否把测试阶段延长一周？", now - 3600, 0);
  add_message (inbox, 3, "lunch@example.com", NULL, "Lunch on Friday?", "Bob",
               "Shall we try the new noodle place?", now - 5400, LB_FLAG_SEEN);
  add_message (inbox, 4, "trip@example.com", NULL, "Team trip", "Carol",
               "Here are the dates for the trip.", now - 90000, LB_FLAG_SEEN | LB_FLAG_FLAGGED);
  add_message (inbox, 5, "trip2@example.com", "<trip@example.com>", "Re: Team trip", "Dave",
               "The second weekend works for me.", now - 86000, LB_FLAG_SEEN);
  add_message (sent, 1, "mine@example.com", "<plan@example.com> <web@example.com>",
               "Re: 回复：下季度项目计划", "Alice", "好的，测试阶段延长一周，我来更新计划。",
               now - 1800, LB_FLAG_SEEN);
  g_assert_true (lb_store_insert_messages (store, inbox_id, inbox, &error));
  g_assert_true (lb_store_insert_messages (store, sent_id, sent, &error));
  g_assert_no_error (error);
  unread_reply_id = ((LbStoreFetched *) g_ptr_array_index (inbox, 1))->message.id;
  /* For screenshots, bodies in the cache, so that the reader shows the message and not a
   * failure; the test itself does without them (and without WebKit's start-up time). */
  for (guint k = 0; screenshot_dir != NULL && k < 2; k++)
    {
      GPtrArray *batch = k == 0 ? inbox : sent;

      for (guint i = 0; i < batch->len; i++)
        {
          LbStoreFetched *f = g_ptr_array_index (batch, i);
          g_autofree char *raw = g_strdup_printf ("From: %s <someone@example.com>\r\n"
                                                  "To: Alice <alice@example.com>\r\n"
                                                  "Subject: %s\r\nMIME-Version: 1.0\r\n"
                                                  "Content-Type: text/plain; charset=utf-8\r\n"
                                                  "\r\n%s\r\n",
                                                  f->message.from_name, f->message.subject,
                                                  f->message.preview);
          g_autoptr(GBytes) body = g_bytes_new (raw, strlen (raw));

          g_assert_true (lb_store_put_body (store, f->message.id, body, &error));
          g_assert_no_error (error);
        }
    }
}

/* ---- The window ------------------------------------------------------------------- */

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (LB_IS_MESSAGE_ROW (widget) && gtk_widget_get_mapped (widget)
      && lb_message_row_get_message (LB_MESSAGE_ROW (widget)) != NULL)
    g_ptr_array_add (rows, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_rows (c, rows);
}

static GtkWidget *
find_css (GtkWidget  *widget,
          const char *css_class)
{
  if (gtk_widget_has_css_class (widget, css_class))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_css (c, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_tooltip (GtkWidget  *widget,
              const char *tooltip)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_tooltip (c, tooltip);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The count shown by the row of conversation @thread, or 0 without one. */
static guint
count_of_thread (LbWindow *window,
                 gint64    thread)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_rows (GTK_WIDGET (lb_window_get_message_list (window)), rows);
  for (guint i = 0; i < rows->len; i++)
    {
      LbMessage *m = lb_message_row_get_message (g_ptr_array_index (rows, i));

      if (lb_message_get_thread_id (m) == thread)
        return lb_message_get_conversation_count (m);
    }
  return 0;
}

/* How many messages of conversation @thread in the inbox are flagged, read from the store. */
static guint
n_flagged_in_inbox (LbWindow *window,
                    gint64    thread)
{
  LbMessageList *list = lb_message_list_view_get_list (lb_window_get_message_list (window));
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  guint n = 0;

  collect_rows (GTK_WIDGET (lb_window_get_message_list (window)), rows);
  for (guint i = 0; i < rows->len; i++)
    {
      LbMessage *row = lb_message_row_get_message (g_ptr_array_index (rows, i));
      g_autoptr(GPtrArray) members = NULL;

      if (lb_message_get_thread_id (row) != thread)
        continue;
      members = lb_message_list_get_conversation (list, row, NULL);
      for (guint k = 0; members != NULL && k < members->len; k++)
        {
          LbMessage *m = g_ptr_array_index (members, k);

          if (lb_message_get_folder_role (m) == LB_FOLDER_ROLE_INBOX && lb_message_get_flagged (m))
            n++;
        }
    }
  return n;
}

static guint
n_rows (LbWindow *window)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_rows (GTK_WIDGET (lb_window_get_message_list (window)), rows);
  return rows->len;
}

static void
save_shots (LbWindow   *window,
            const char *name)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *dark = g_strconcat (name, "-dark", NULL);

  if (screenshot_dir == NULL)
    return;
  /* Time for the web view to paint the message. */
  {
    gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);
  }
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, name);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, dark);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
}

static void
run_window (GApplication *application)
{
  LbWindow *window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  LbMessageListView *view = lb_window_get_message_list (window);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  LbMessageRow *first;
  GtkWidget *count;
  gint64 thread;
  LbConversationStack *stack;
  LbReader *reader;

  LB_UI_TEST_WAIT_UNTIL (n_rows (window) == 3);
  collect_rows (GTK_WIDGET (view), rows);
  /* Newest first: the conversation with the reply from Sent is the top row. */
  first = g_ptr_array_index (rows, 0);
  g_assert_cmpuint (lb_message_get_conversation_count (lb_message_row_get_message (first)), ==, 3);
  thread = lb_message_get_thread_id (lb_message_row_get_message (first));
  g_assert_cmpstr (lb_message_row_get_sender_text (first), ==, "张伟, 李娜, Alice");
  g_assert_cmpstr (gtk_label_get_text (lb_message_row_get_subject_label (first)), ==,
                   "Re: 回复：下季度项目计划");
  count = find_css (GTK_WIDGET (first), "lb-conversation-count");
  g_assert_nonnull (count);
  g_assert_true (gtk_widget_get_visible (count));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (count)), ==, "3");
  /* One unread message makes the whole conversation unread. */
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (first), "unread"));
  /* The flag of one message marks its conversation. */
  for (guint i = 0; i < rows->len; i++)
    {
      LbMessage *m = lb_message_row_get_message (g_ptr_array_index (rows, i));

      if (lb_message_get_conversation_count (m) == 2)
        g_assert_true (lb_message_get_conversation_flagged (m));
      else if (lb_message_get_conversation_count (m) == 1)
        g_assert_false (find_css (g_ptr_array_index (rows, i), "lb-conversation-count") != NULL
                        && gtk_widget_get_visible (find_css (g_ptr_array_index (rows, i),
                                                             "lb-conversation-count")));
    }

  /* The stack: the read original collapsed, the unread reply and the newest expanded,
   * the unread one in the reader. */
  lb_message_list_view_select_position (view, 0);
  stack = LB_CONVERSATION_STACK (lb_ui_test_find_widget (GTK_WIDGET (window), "conversation-stack"));
  LB_UI_TEST_WAIT_UNTIL ((stack = LB_CONVERSATION_STACK (lb_ui_test_find_widget (GTK_WIDGET (window),
                                                                                "conversation-stack"))) != NULL
                         && gtk_widget_get_visible (GTK_WIDGET (stack)));
  g_assert_cmpuint (lb_conversation_stack_get_n_entries (stack), ==, 3);
  g_assert_false (lb_conversation_stack_is_expanded (stack, 0));
  g_assert_true (lb_conversation_stack_is_expanded (stack, 1));
  g_assert_true (lb_conversation_stack_is_expanded (stack, 2));
  reader = LB_READER (lb_ui_test_find_widget (GTK_WIDGET (window), "reader"));
  g_assert_cmpint (lb_message_get_id (lb_reader_get_message (reader)), ==, unread_reply_id);
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  save_shots (window, "conversations");

  /* The conversation's Flag button flags every message of it in the inbox, not only the
   * row's (the reply in Sent stays as it is). */
  {
    GtkWidget *flag = find_tooltip (GTK_WIDGET (stack), "Flag Conversation");

    g_assert_nonnull (flag);
    g_assert_true (gtk_widget_is_sensitive (flag));
    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (flag)), ==, "win.toggle-flag");
    g_assert_true (gtk_widget_activate_action (flag, "win.toggle-flag", NULL));
    LB_UI_TEST_WAIT_UNTIL (n_flagged_in_inbox (window, thread) == 2);
  }

  /* The marked entry's delete button deletes that one message: the conversation keeps
   * the other two, in the stack and in the row's count. */
  {
    GtkWidget *delete = find_tooltip (GTK_WIDGET (stack), "Delete This Message");
    g_assert_nonnull (delete);
    /* At once: the stack is rebuilt whenever its conversation changes (the flags just
     * set are still coming back from the store), which would take the button away
     * during lb_ui_test_click()'s pressed look. */
    g_signal_emit_by_name (delete, "clicked");
    LB_UI_TEST_WAIT_UNTIL (lb_conversation_stack_get_n_entries (stack) == 2);
    /* Applied now rather than when the Undo time is up, which would hold the test up for
     * seconds. */
    lb_engine_flush_pending (lb_window_get_engine (window));
    LB_UI_TEST_WAIT_UNTIL (count_of_thread (window, thread) == 2);
  }

  /* Off: one row per message of the inbox (the deleted one is hidden while Undo can bring
   * it back). */
  g_settings_set_boolean (settings, "conversations", FALSE);
  LB_UI_TEST_WAIT_UNTIL (n_rows (window) == 4);
  g_settings_set_boolean (settings, "conversations", TRUE);
  LB_UI_TEST_WAIT_UNTIL (n_rows (window) == 3);
}

static void
test_conversations (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-conversations-XXXXXX", &error);

  g_assert_no_error (error);
  prepare_profile (dir);
  g_setenv ("LETTERBOX_DATA_DIR", dir, TRUE);
  /* Nothing is marked read behind the test's back. */
  g_settings_set_enum (settings, "mark-read-mode", 2);
  lb_ui_test_set_window_size (1200, 700);
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_window);
}

int
main (int   argc,
      char *argv[])
{
  screenshot_dir = lb_ui_test_init_app_test (&argc, &argv);

  g_test_add_func ("/ui/conversations/rows-and-stack", test_conversations);

  return g_test_run ();
}
