/* test-outbox.c: sending you can see and undo, in the main window
 *
 * A private Dovecot and SMTP server.  With SMTP down, a message sent from the composer
 * lands in the Outbox: the sidebar shows an Outbox row, the Outbox shows the message
 * with the reason, and a toast offers to open the Outbox.  With SMTP back, Send Now
 * sends it: exactly one message received, one copy in Sent.  With an Undo Send delay,
 * Undo takes the message back: nothing is received.
 *
 * With LB_TEST_SCREENSHOTS=DIR it saves outbox-LANG.png there; run it with
 * LANGUAGE=zh_CN for the Chinese one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <signal.h>
#include <glib/gi18n.h>

#include "lb-application.h"
#include "lb-composer.h"
#include "lb-engine.h"
#include "lb-message-list-view.h"
#include "lb-preferences-window.h"
#include "lb-sidebar.h"
#include "lb-test-env.h"
#include "lb-test-wait.h"
#include "lb-ui-test-util.h"
#include "lb-window.h"

static LbTestServers *servers;
static const char *screenshot_dir;

static gboolean
outbox_has_attempted_item (gpointer data)
{
  GListModel *outbox = data;
  g_autoptr(LbOutboxItem) item = NULL;

  if (g_list_model_get_n_items (outbox) != 1)
    return FALSE;
  item = g_list_model_get_item (outbox, 0);
  if (lb_outbox_item_get_state (item) == LB_OUTBOX_STATE_FAILED)
    return TRUE;
  return lb_outbox_item_get_attempts (item) > 0 &&
         lb_outbox_item_get_state (item) != LB_OUTBOX_STATE_SENDING;
}

static gboolean
outbox_has_held_item (gpointer data)
{
  GListModel *outbox = data;
  g_autoptr(LbOutboxItem) item = NULL;

  if (g_list_model_get_n_items (outbox) != 1)
    return FALSE;
  item = g_list_model_get_item (outbox, 0);
  return lb_outbox_item_get_next_attempt (item) == LB_OUTBOX_HELD;
}

static gboolean
outbox_is_empty (gpointer data)
{
  return g_list_model_get_n_items (data) == 0;
}

typedef struct {
  GtkWidget  *root;
  const char *name;
  GtkWidget  *found;
} Lookup;

static gboolean
find_mapped (gpointer data)
{
  Lookup *l = data;

  l->found = lb_ui_test_find_widget (l->root, l->name);
  return l->found != NULL && gtk_widget_get_mapped (l->found);
}

static gboolean
find_button (gpointer data)
{
  Lookup *l = data;

  l->found = lb_ui_test_find_button (l->root, l->name);
  return l->found != NULL && gtk_widget_get_mapped (l->found);
}

/* Folded, the window shows the sidebar; a tap on the selected folder row shows its
 * pane, as a user would do. */
static void
show_content_when_folded (GtkWindow *window)
{
  GtkListBox *box;
  GtkListBoxRow *row;

  if (!LB_IS_WINDOW (window))
    return;
  box = lb_sidebar_get_list_box (lb_window_get_sidebar (LB_WINDOW (window)));
  row = gtk_list_box_get_selected_row (box);
  if (row != NULL)
    g_signal_emit_by_name (box, "row-activated", row);
}

/* Saves @window as NAME-LANG.png in $LB_TEST_SCREENSHOTS, if set, and with
 * $LB_TEST_SCREENSHOT_VARIANTS also dark and narrow (360 px) as NAME-LANG-dark.png,
 * NAME-LANG-narrow.png and NAME-LANG-dark-narrow.png. */
static void
save_screenshot_of (GtkWindow  *window,
                    const char *name)
{
  const char *lang = g_getenv ("LANGUAGE");
  AdwStyleManager *style = adw_style_manager_get_default ();
  int width, height;

  if (screenshot_dir == NULL)
    return;
  lang = lang != NULL && *lang != '\0' ? lang : "en";
  gtk_window_get_default_size (window, &width, &height);
  for (guint v = 0; v < (g_getenv ("LB_TEST_SCREENSHOT_VARIANTS") != NULL ? 4u : 1u); v++)
    {
      gboolean dark = (v & 1) != 0;
      gboolean narrow = (v & 2) != 0;
      g_autofree char *file = g_strdup_printf ("%s-%s%s%s.png", name, lang, dark ? "-dark" : "",
                                               narrow ? "-narrow" : "");

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                      : ADW_COLOR_SCHEME_FORCE_LIGHT);
      gtk_window_set_default_size (window, narrow ? 360 : width, height);
      lb_test_iterate_for (300);
      if (narrow)
        {
          show_content_when_folded (window);
          lb_test_iterate_for (300);
        }
      lb_ui_test_save_screenshot (GTK_WIDGET (window), screenshot_dir, file);
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (window, width, height);
  lb_test_iterate_for (100);
}

static void
save_screenshot (LbWindow   *window,
                 const char *name)
{
  save_screenshot_of (GTK_WINDOW (window), name);
}

static gboolean
editable_filled (gpointer data)
{
  return *gtk_editable_get_text (GTK_EDITABLE (data)) != '\0';
}

/* Writes and sends a message from a composer on @window; returns once it closed. */
static void
compose_and_send (LbWindow   *window,
                  const char *subject)
{
  GtkWindow *composer;

  lb_composer_open_new (GTK_WINDOW (window), lb_window_get_engine (window));
  composer = lb_ui_test_find_toplevel (LB_TYPE_COMPOSER);
  g_assert_nonnull (composer);
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "to")),
                         "鲍勃 <bob@example.org>");
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "subject")),
                         subject);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (
                              lb_ui_test_find_widget (GTK_WIDGET (composer), "body"))),
                            "鲍勃，你好！\n", -1);
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  lb_ui_test_wait_until_gone ((gpointer *) &composer);
}

static void
send_fails_then_send_now (LbWindow   *window,
                          GListModel *outbox)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) received = NULL;
  LbSidebar *sidebar = lb_window_get_sidebar (window);
  Lookup row = { GTK_WIDGET (sidebar), "outbox-row", NULL };
  Lookup toast = { GTK_WIDGET (window), g_dgettext (GETTEXT_PACKAGE, "_Open Outbox"), NULL };
  Lookup state = { GTK_WIDGET (window), "state", NULL };
  GtkWidget *reason;
  Lookup send_now = { GTK_WIDGET (window), "send-now", NULL };
  const char *text;

  g_settings_set_int (settings, "undo-send-delay", 0);
  g_assert_null (lb_ui_test_find_widget (GTK_WIDGET (sidebar), "outbox-row"));
  g_assert_true (lb_test_servers_smtp_stop (servers, &error));
  compose_and_send (window, "发件箱测试");

  /* The failure is told, never silent, and the Outbox row appears. */
  g_assert_true (lb_test_wait_until (outbox_has_attempted_item, outbox, 60));
  g_assert_true (lb_test_wait_until (find_button, &toast, 30));
  g_assert_true (lb_test_wait_until (find_mapped, &row, 30));
  g_assert_nonnull (lb_ui_test_find_widget (GTK_WIDGET (window), "send-failure-icon"));

  save_screenshot (window, "outbox-toast");

  /* Open Outbox: the Outbox takes the list's place, with the message and the reason. */
  gtk_widget_activate (toast.found);
  g_assert_true (lb_test_wait_until (find_mapped, &state, 30));
  g_assert_true (lb_sidebar_is_outbox (lb_sidebar_get_selected_folder (sidebar), NULL));
  text = gtk_label_get_text (GTK_LABEL (state.found));
  g_test_message ("state: %s", text);
  reason = lb_ui_test_find_widget (GTK_WIDGET (window), "reason");
  g_assert_nonnull (reason);
  /* In the user's words (mapped from libcurl's), naming the server, not curl's raw text. */
  g_test_message ("reason: %s", gtk_label_get_text (GTK_LABEL (reason)));
  g_assert_false (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (reason)), "127.0.0.1"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (reason)), "127.0.0.1"));
  g_assert_null (strstr (gtk_label_get_text (GTK_LABEL (reason)), "Failed to connect"));
  g_assert_nonnull (lb_ui_test_find_widget (GTK_WIDGET (window), "subject"));
  save_screenshot (window, "outbox");

  /* SMTP back, Send Now: exactly one message received, and one copy in Sent. */
  g_assert_true (lb_test_servers_smtp_start (servers, &error));
  g_assert_true (lb_test_wait_until (find_mapped, &send_now, 10));
  g_assert_true (gtk_widget_is_sensitive (send_now.found));
  g_signal_emit_by_name (send_now.found, "clicked");
  received = lb_test_servers_wait_smtp (servers, 1, 30000);
  if (received->len == 0)
    {
      g_autoptr(LbOutboxItem) item = g_list_model_get_item (outbox, 0);
      g_test_message ("after Send Now: state %d attempts %u error %s", lb_outbox_item_get_state (item),
                      lb_outbox_item_get_attempts (item), lb_outbox_item_get_last_error (item));
    }
  g_assert_cmpuint (received->len, ==, 1);
  g_assert_true (lb_test_wait_until (outbox_is_empty, outbox, 60));
  g_clear_pointer (&received, g_ptr_array_unref);
  received = lb_test_servers_list_smtp (servers);
  g_assert_cmpuint (received->len, ==, 1);
  g_assert_cmpint (lb_test_servers_count_messages (servers, "alice@example.com", "Sent", NULL), ==, 1);
}

static void
undo_send (LbWindow   *window,
           GListModel *outbox)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GPtrArray) received = NULL;
  LbEngine *engine = lb_window_get_engine (window);
  g_autoptr(LbAccount) account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);
  Lookup undo = { GTK_WIDGET (window), g_dgettext (GETTEXT_PACKAGE, "_Undo"), NULL };
  GtkWindow *composer;

  /* A delay long enough that the test clicks Undo within it on any machine. */
  g_settings_set_int (settings, "undo-send-delay", 30);
  compose_and_send (window, "撤销发送测试");
  g_assert_true (lb_test_wait_until (outbox_has_held_item, outbox, 30));
  g_assert_true (lb_test_wait_until (find_button, &undo, 30));
  gtk_widget_activate (undo.found);

  /* The message is back in a composer and out of the Outbox. */
  g_assert_true (lb_test_wait_until (outbox_is_empty, outbox, 30));
  composer = lb_ui_test_find_toplevel (LB_TYPE_COMPOSER);
  g_assert_nonnull (composer);
  /* With the message in it: read from the outbox before the held copy was dropped. */
  g_assert_true (lb_test_wait_until (editable_filled,
                                     lb_ui_test_find_widget (GTK_WIDGET (composer), "subject"), 30));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer),
                                                                                 "subject"))),
                   ==, "撤销发送测试");
  gtk_window_destroy (composer);

  /* Whatever flushes the outbox now, nothing more leaves. */
  lb_engine_flush_outbox_async (engine, account, TRUE, NULL, NULL, NULL);
  lb_engine_wait_idle (engine);
  lb_test_iterate_for (500);
  received = lb_test_servers_list_smtp (servers);
  g_assert_cmpuint (received->len, ==, 1);
}

static void
run_window (GApplication *application)
{
  LbWindow *window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  GListModel *outbox = lb_engine_get_outbox (lb_window_get_engine (window));

  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  send_fails_then_send_now (window, outbox);
  undo_send (window, outbox);
}

static void
test_outbox (void)
{
  LbTestEnvOptions options = { .smtp = TRUE, .display_name = "爱丽丝" };
  LbTestEnv env = { 0 };

  lb_test_env_start (&env, &options);
  lb_test_env_close_engine (&env);
  servers = env.servers;
  g_setenv ("LETTERBOX_DATA_DIR", env.profile, TRUE);
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_window);
  servers = NULL;
  lb_test_env_stop (&env);
}

static gboolean
outbox_has_interrupted_item (gpointer data)
{
  GListModel *outbox = data;
  g_autoptr(LbOutboxItem) item = NULL;

  if (g_list_model_get_n_items (outbox) != 1)
    return FALSE;
  item = g_list_model_get_item (outbox, 0);
  return lb_outbox_item_get_state (item) == LB_OUTBOX_STATE_INTERRUPTED;
}

static gboolean
has_message_dialog (gpointer data)
{
  *(GtkWindow **) data = lb_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  return *(GtkWindow **) data != NULL;
}

/* The message letterbox-cli was sending when it was killed: the Outbox says it was
 * interrupted, Send Now asks first, and only "Send Again" sends it (once). */
static void
run_interrupted (GApplication *application)
{
  LbWindow *window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  LbEngine *engine = lb_window_get_engine (window);
  GListModel *outbox = lb_engine_get_outbox (engine);
  g_autoptr(LbAccount) account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);
  g_autoptr(GPtrArray) received = NULL;
  Lookup state = { GTK_WIDGET (window), "state", NULL };
  Lookup send_now = { GTK_WIDGET (window), "send-now", NULL };
  Lookup row = { GTK_WIDGET (lb_window_get_sidebar (window)), "outbox-row", NULL };
  GtkWindow *dialog = NULL;

  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (lb_test_wait_until (outbox_has_interrupted_item, outbox, 60));
  g_assert_true (lb_test_wait_until (find_mapped, &row, 30));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open-outbox", "x",
                              lb_account_get_id (account));
  g_assert_true (lb_test_wait_until (find_mapped, &state, 30));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (state.found)), ==,
                   g_dgettext (GETTEXT_PACKAGE, "Sending was interrupted — check Sent"));
  save_screenshot (window, "outbox-interrupted");

  /* Send Now asks; Cancel sends nothing. */
  g_assert_true (lb_test_wait_until (find_mapped, &send_now, 10));
  g_signal_emit_by_name (send_now.found, "clicked");
  g_assert_true (lb_test_wait_until (has_message_dialog, &dialog, 10));
  lb_ui_test_answer_dialog (dialog, "cancel");
  lb_engine_flush_outbox (engine, TRUE);
  lb_test_iterate_for (500);
  received = lb_test_servers_list_smtp (servers);
  g_assert_cmpuint (received->len, ==, 0);
  g_assert_true (outbox_has_interrupted_item (outbox));
  g_clear_pointer (&received, g_ptr_array_unref);

  /* Send Again sends it, once. */
  send_now.found = NULL;
  g_assert_true (lb_test_wait_until (find_mapped, &send_now, 10));
  g_signal_emit_by_name (send_now.found, "clicked");
  g_assert_true (lb_test_wait_until (has_message_dialog, &dialog, 10));
  lb_ui_test_answer_dialog (dialog, "send");
  received = lb_test_servers_wait_smtp (servers, 1, 30000);
  g_assert_cmpuint (received->len, ==, 1);
  g_assert_true (lb_test_wait_until (outbox_is_empty, outbox, 60));
}

static void
test_interrupted (void)
{
  LbTestEnvOptions options = { .smtp = TRUE, .display_name = "爱丽丝" };
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *cli = g_build_filename (g_getenv ("LB_TEST_BUILDDIR"), "src", "cli",
                                           "letterbox-cli", NULL);

  lb_test_env_start (&env, &options);
  lb_test_env_close_engine (&env);
  /* Killed once the item is marked SENDING, before SMTP starts (lb-outbox.h). */
  g_subprocess_launcher_setenv (launcher, "LETTERBOX_TEST_CRASH_AT", "before-send", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, cli, "send", "--data-dir", env.profile,
                                      "--from", "alice@example.com", "--to", "bob@example.org",
                                      "--subject", "中断测试", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, "正文\n", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (proc));
  g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);

  servers = env.servers;
  g_setenv ("LETTERBOX_DATA_DIR", env.profile, TRUE);
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_interrupted);
  servers = NULL;
  lb_test_env_stop (&env);
}

static gboolean
outbox_has_failed_item (gpointer data)
{
  GListModel *outbox = data;
  g_autoptr(LbOutboxItem) item = NULL;

  if (g_list_model_get_n_items (outbox) != 1)
    return FALSE;
  item = g_list_model_get_item (outbox, 0);
  return lb_outbox_item_get_state (item) == LB_OUTBOX_STATE_FAILED;
}

/* A password the SMTP server refuses: the Outbox shows the item failed, with the
 * refusal in the user's words (the error map's), not the server's reply. */
static void
run_refused (GApplication *application)
{
  LbWindow *window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  LbEngine *engine = lb_window_get_engine (window);
  GListModel *outbox = lb_engine_get_outbox (engine);
  g_autoptr(LbAccount) account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(LbOutboxItem) item = NULL;
  g_autofree char *expected = NULL;
  Lookup state = { GTK_WIDGET (window), "state", NULL };
  Lookup row = { GTK_WIDGET (lb_window_get_sidebar (window)), "outbox-row", NULL };

  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_settings_set_int (settings, "undo-send-delay", 0);
  compose_and_send (window, "密码错误测试");
  g_assert_true (lb_test_wait_until (outbox_has_failed_item, outbox, 60));
  item = g_list_model_get_item (outbox, 0);
  g_test_message ("reason: %s", lb_outbox_item_get_last_error (item));
  g_assert_null (strstr (lb_outbox_item_get_last_error (item), "535"));
  g_assert_true (lb_test_wait_until (find_mapped, &row, 30));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open-outbox", "x",
                              lb_account_get_id (account));
  g_assert_true (lb_test_wait_until (find_mapped, &state, 30));
  expected = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "Not sent: %s"),
                              lb_outbox_item_get_last_error (item));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (state.found)), ==, expected);
  save_screenshot (window, "outbox-failed");
}

static void
test_refused (void)
{
  /* The account's password is one the servers refuse. */
  LbTestEnvOptions options = { .smtp = TRUE, .display_name = "爱丽丝", .secret = "wrong password" };
  LbTestEnv env = { 0 };

  lb_test_env_start (&env, &options);
  lb_test_env_close_engine (&env);
  servers = env.servers;
  g_setenv ("LETTERBOX_DATA_DIR", env.profile, TRUE);
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_refused);
  servers = NULL;
  lb_test_env_stop (&env);
}

static GtkWidget *
find_label_with_text (GtkWidget  *root,
                      const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label_with_text (c, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
find_mapped_text (gpointer data)
{
  Lookup *l = data;

  l->found = find_label_with_text (l->root, l->name);
  return l->found != NULL && gtk_widget_get_mapped (l->found);
}

static gboolean
has_drafts_folder (gpointer data)
{
  return lb_account_find_folder (data, LB_FOLDER_ROLE_DRAFTS) != NULL;
}

typedef struct {
  LbSidebar *sidebar;
  gint64     folder_id;
} FolderPick;

/* The sidebar adds folder rows in an idle after the folders arrive. */
static gboolean
select_folder (gpointer data)
{
  FolderPick *pick = data;

  return lb_sidebar_select_folder (pick->sidebar, pick->folder_id);
}

static gboolean
has_composer (gpointer data)
{
  *(GtkWindow **) data = lb_ui_test_find_toplevel (LB_TYPE_COMPOSER);
  return *(GtkWindow **) data != NULL;
}


/* A draft closed in the composer says "Draft saved"; in Drafts, opening it opens the
 * composer with it, once. */
static void
run_draft_loop (GApplication *application)
{
  LbWindow *window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  LbEngine *engine = lb_window_get_engine (window);
  g_autoptr(LbAccount) account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);
  Lookup toast = { GTK_WIDGET (window), "Draft saved", NULL };
  LbMessageListView *list = lb_window_get_message_list (window);
  GtkWindow *composer;
  LbFolder *drafts;
  FolderPick pick;

  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  lb_composer_open_new (GTK_WINDOW (window), engine);
  composer = lb_ui_test_find_toplevel (LB_TYPE_COMPOSER);
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "to")),
                         "鲍勃 <bob@example.org>");
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "subject")),
                         "周五聚餐的安排");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (
                              lb_ui_test_find_widget (GTK_WIDGET (composer), "body"))),
                            "鲍勃：\n\n周五晚上七点，老地方见。还没想好点什么菜……\n", -1);
  gtk_window_close (composer);
  lb_ui_test_wait_until_gone ((gpointer *) &composer);

  /* The main window says the draft is kept. */
  toast.name = g_dgettext (GETTEXT_PACKAGE, "Draft saved");
  g_assert_true (lb_test_wait_until (find_mapped_text, &toast, 10));

  /* Drafts shows it once the server has it; opening it opens the composer. */
  g_assert_true (lb_test_wait_until (has_drafts_folder, account, 30));
  drafts = lb_account_find_folder (account, LB_FOLDER_ROLE_DRAFTS);
  pick.sidebar = lb_window_get_sidebar (window);
  pick.folder_id = lb_folder_get_id (drafts);
  g_assert_true (lb_test_wait_until (select_folder, &pick, 30));
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
       lb_message_list_view_get_list (list) == NULL ||
       g_list_model_get_n_items (G_LIST_MODEL (lb_message_list_view_get_list (list))) == 0;)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      lb_account_sync_async (account, lb_folder_get_id (drafts), LB_JOB_PRIORITY_USER, NULL, NULL,
                             NULL);
      lb_test_iterate_for (500);
    }
  lb_message_list_view_select_position (list, 0);
  lb_test_iterate_for (200);
  g_signal_emit_by_name (list, "activated", 0);
  g_assert_true (lb_test_wait_until (has_composer, &composer, 10));
  g_assert_true (lb_test_wait_until (editable_filled,
                                     lb_ui_test_find_widget (GTK_WIDGET (composer), "subject"), 30));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer),
                                                                                 "subject"))),
                   ==, "周五聚餐的安排");
  /* Activated again: the same composer, not a second one. */
  g_signal_emit_by_name (list, "activated", 0);
  lb_test_iterate_for (300);
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    guint n = 0;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
        n += LB_IS_COMPOSER (w);
      }
    g_assert_cmpuint (n, ==, 1);
  }
  save_screenshot_of (composer, "draft-resumed");
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  gtk_window_destroy (composer);
  lb_ui_test_wait_until_gone ((gpointer *) &composer);
}

static void
test_draft_loop (void)
{
  LbTestEnvOptions options = { .smtp = TRUE, .display_name = "爱丽丝" };
  LbTestEnv env = { 0 };

  lb_test_env_start (&env, &options);
  lb_test_env_close_engine (&env);
  servers = env.servers;
  g_setenv ("LETTERBOX_DATA_DIR", env.profile, TRUE);
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_draft_loop);
  servers = NULL;
  lb_test_env_stop (&env);
}

/* The Undo Send choice in Preferences: off, 5, 10 or 30 seconds, 5 by default. */
static void
test_undo_send_preference (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *preferences;
  AdwComboRow *row;

  g_settings_reset (settings, "undo-send-delay");
  g_assert_cmpint (g_settings_get_int (settings, "undo-send-delay"), ==, 5);
  preferences = lb_preferences_window_new (NULL);
  g_object_add_weak_pointer (G_OBJECT (preferences), (gpointer *) &preferences);
  row = ADW_COMBO_ROW (lb_ui_test_find_widget (preferences, "undo-send-row"));
  g_assert_nonnull (row);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (row)), ==, 4);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 1);
  adw_combo_row_set_selected (row, 3);
  g_assert_cmpint (g_settings_get_int (settings, "undo-send-delay"), ==, 30);
  adw_combo_row_set_selected (row, 0);
  g_assert_cmpint (g_settings_get_int (settings, "undo-send-delay"), ==, 0);
  g_settings_set_int (settings, "undo-send-delay", 10);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 2);
  gtk_window_destroy (GTK_WINDOW (preferences));
  lb_ui_test_wait_until_gone ((gpointer *) &preferences);
}

int
main (int   argc,
      char *argv[])
{
  screenshot_dir = lb_ui_test_init_app_test (&argc, &argv);
  g_test_add_func ("/ui/outbox/undo-send-preference", test_undo_send_preference);
  g_test_add_func ("/ui/outbox/send-fails-send-now-undo", test_outbox);
  g_test_add_func ("/ui/outbox/interrupted", test_interrupted);
  g_test_add_func ("/ui/outbox/refused", test_refused);
  g_test_add_func ("/ui/outbox/draft-loop", test_draft_loop);
  return g_test_run ();
}
