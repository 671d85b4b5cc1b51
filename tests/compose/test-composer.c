/* test-composer.c: the composer window under Xvfb, sending to the fixtures
 *
 * Writes a Chinese message with a Chinese-named attachment, checks that a malformed
 * address is flagged and nothing is sent, then sends and checks what the SMTP server got.
 * With LB_COMPOSER_SCREENSHOT=FILE it also saves a PNG of the filled-in window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "lb-composer.h"
#include "lb-draft.h"
#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-mime-builder.h"
#include "lb-test-env.h"
#include "lb-test-fixture.h"
#include "lb-test-wait.h"
#include "lb-ui-test-util.h"

static LbComposer *
find_composer (void)
{
  return LB_COMPOSER (lb_ui_test_find_toplevel (LB_TYPE_COMPOSER));
}

static void
save_png (GtkWidget  *widget,
          const char *path)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lb_ui_test_save_png (widget, path, &error));
  g_assert_no_error (error);
}

static void
test_compose_and_send (void)
{
  g_autoptr(GError) error = NULL;
  LbTestEnvOptions options = { .smtp = TRUE, .display_name = "爱丽丝" };
  LbTestEnv env = { 0 };
  g_autofree char *attach_path = NULL;
  g_autoptr(GFile) attach_file = NULL;
  g_autoptr(GPtrArray) received = NULL;
  g_autofree char *got = NULL;
  LbComposer *composer;
  GtkWidget *to, *subject, *body, *attachments;
  const char *shot = g_getenv ("LB_COMPOSER_SCREENSHOT");

  lb_test_env_start (&env, &options);

  lb_composer_open_new (NULL, env.engine);
  composer = find_composer ();
  g_assert_nonnull (composer);
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  to = lb_ui_test_find_widget (GTK_WIDGET (composer), "to");
  subject = lb_ui_test_find_widget (GTK_WIDGET (composer), "subject");
  body = lb_ui_test_find_widget (GTK_WIDGET (composer), "body");
  attachments = lb_ui_test_find_widget (GTK_WIDGET (composer), "attachments");
  g_assert_nonnull (to);
  g_assert_nonnull (body);

  gtk_editable_set_text (GTK_EDITABLE (to), "鲍勃 <bob@example.org>, not an address");
  gtk_editable_set_text (GTK_EDITABLE (subject), "周五的项目进度汇报");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (body)),
                            "鲍勃，你好！\n\n附件是本周的进度报告，请在周五之前看一下。\n\n谢谢，\n爱丽丝\n", -1);
  attach_path = g_build_filename (env.profile, "进度报告.txt", NULL);
  g_assert_true (g_file_set_contents (attach_path, "第一周：完成设计。\n", -1, NULL));
  attach_file = g_file_new_for_path (attach_path);
  lb_composer_attach_file (composer, attach_file);
  while (!gtk_widget_get_visible (attachments))
    g_main_context_iteration (NULL, TRUE);

  /* A malformed address: flagged, nothing sent, the window stays. */
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  lb_test_iterate_for (300);
  g_assert_nonnull (composer);
  g_assert_true (gtk_widget_has_css_class (to, "error"));

  if (shot != NULL)
    save_png (GTK_WIDGET (composer), shot);

  gtk_editable_set_text (GTK_EDITABLE (to), "鲍勃 <bob@example.org>");
  g_assert_false (gtk_widget_has_css_class (to, "error"));
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  while (composer != NULL)
    g_main_context_iteration (NULL, TRUE);

  received = lb_test_servers_wait_smtp (env.servers, 1, 10000);
  g_assert_cmpuint (received->len, ==, 1);
  g_assert_true (g_file_get_contents (((LbTestSmtpMessage *) g_ptr_array_index (received, 0))->path,
                                      &got, NULL, NULL));
  g_assert_nonnull (strstr (got, "filename*=UTF-8''%E8%BF%9B%E5%BA%A6%E6%8A%A5%E5%91%8A.txt"));
  g_assert_nonnull (strstr (got, "Subject: =?UTF-8?B?"));
  /* The composer closes once the message is safe in the outbox; the copy in Sent is made
   * after that, and leaves the outbox empty. */
  g_assert_true (lb_test_wait_n_items (lb_engine_get_outbox (env.engine), 0, 30));

  lb_test_env_stop (&env);
}

/* The drafts this computer keeps for the engine's profile, written only by their owner. */
static guint
count_local_drafts (LbEngine *engine)
{
  g_autoptr(GPtrArray) drafts = lb_engine_list_local_drafts (engine, 0);

  for (guint i = 0; i < drafts->len; i++)
    {
      GStatBuf st;

      g_assert_cmpint (g_stat (((LbLocalDraft *) g_ptr_array_index (drafts, i))->path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    }
  return drafts->len;
}

static void
test_close_keeps_draft (void)
{
  g_autoptr(GError) error = NULL;
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };
  LbComposer *composer;
  gint64 deadline;
  guint local = 0;

  lb_test_env_start (&env, &options);

  lb_composer_open_new (NULL, env.engine);
  composer = find_composer ();
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "to")), "bob@example.org");
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "bcc")), "secret@example.org");
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "subject")), "草稿 draft-7");
  gtk_window_close (GTK_WINDOW (composer));
  while (composer != NULL)
    g_main_context_iteration (NULL, TRUE);

  /* On the server, with \Draft, Bcc kept. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (lb_test_servers_count_messages (env.servers, "alice@example.com", "Drafts",
                                         "secret@example.org") <= 0
         && g_get_monotonic_time () < deadline)
    lb_test_iterate_for (100);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Drafts",
                                                   "secret@example.org"), ==, 1);
  /* The server has it: no copy is left on this computer. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while ((local = count_local_drafts (env.engine)) > 0 && g_get_monotonic_time () < deadline)
    lb_test_iterate_for (50);
  g_assert_cmpuint (local, ==, 0);

  lb_test_env_stop (&env);
}

/* Offline, closing keeps the draft on this computer only; reopened from there once the
 * server is back and closed untouched, it is saved in Drafts once and the file goes. */
static void
test_offline_draft_reopened (void)
{
  LbTestEnvOptions options = { .proxy = LB_TEST_ENV_PROXY_IMAP };
  LbTestEnv env = { 0 };
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(LbLocalDraft) local = NULL;
  LbComposer *composer;
  GtkWidget *subject;
  gint64 deadline;

  lb_test_env_start (&env, &options);
  lb_test_proxy_refuse (env.proxy, TRUE);
  lb_test_proxy_kill_all (env.proxy);

  lb_composer_open_new (NULL, env.engine);
  composer = find_composer ();
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "to")), "bob@example.org");
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "subject")), "飞机上写的");
  gtk_window_close (GTK_WINDOW (composer));
  while (composer != NULL)
    g_main_context_iteration (NULL, TRUE);
  /* The server save fails; the file stays, listed for the account. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  do
    {
      lb_test_iterate_for (100);
      g_clear_pointer (&drafts, g_ptr_array_unref);
      drafts = lb_engine_list_local_drafts (env.engine, lb_account_get_id (env.account));
    }
  while (drafts->len == 0 && g_get_monotonic_time () < deadline);
  g_assert_cmpuint (drafts->len, ==, 1);
  local = lb_local_draft_copy (g_ptr_array_index (drafts, 0));
  g_assert_cmpstr (local->subject, ==, "飞机上写的");
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, LB_TEST_ENV_USER, "Drafts", NULL), <=, 0);

  /* Back online: reopened, every field is there; closed, the server has it once. */
  lb_test_proxy_refuse (env.proxy, FALSE);
  lb_composer_open_local_draft (NULL, env.engine, local);
  composer = find_composer ();
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  subject = lb_ui_test_find_widget (GTK_WIDGET (composer), "subject");
  while (*gtk_editable_get_text (GTK_EDITABLE (subject)) == '\0')
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (subject)), ==, "飞机上写的");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "to"))),
                   ==, "bob@example.org");
  /* Opening it again presents the same window. */
  lb_composer_open_local_draft (NULL, env.engine, local);
  g_assert_true (find_composer () == composer);
  gtk_window_close (GTK_WINDOW (composer));
  while (composer != NULL)
    g_main_context_iteration (NULL, TRUE);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while ((count_local_drafts (env.engine) > 0
          || lb_test_servers_count_messages (env.servers, LB_TEST_ENV_USER, "Drafts", NULL) < 1)
         && g_get_monotonic_time () < deadline)
    lb_test_iterate_for (100);
  g_assert_cmpuint (count_local_drafts (env.engine), ==, 0);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, LB_TEST_ENV_USER, "Drafts", NULL), ==, 1);
  lb_test_env_stop (&env);
}

/* The triggers of the capture-phase shortcuts that send, joined by "|". */
static char *
send_triggers (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GString) triggers = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller)
          || gtk_event_controller_get_propagation_phase (GTK_EVENT_CONTROLLER (controller))
             != GTK_PHASE_CAPTURE)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *action = gtk_shortcut_action_to_string (gtk_shortcut_get_action (shortcut));
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (!g_str_equal (action, "action(composer.send)"))
            continue;
          g_string_append_printf (triggers, "%s%s", triggers->len > 0 ? "|" : "", trigger);
        }
    }
  return g_string_free (g_steal_pointer (&triggers), FALSE);
}

/* The window built from its template: labelled fields, the title following the subject,
 * and Ctrl+Return (in the capture phase, before the text view takes Return) sending. */
static void
test_template (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-composer-XXXXXX", &error);
  g_autoptr(LbEngine) engine = NULL;
  g_autofree char *triggers = NULL;
  g_auto(GStrv) triggers_v = NULL;
  g_autofree char *new_title = NULL;
  LbComposer *composer;
  GtkWidget *to, *subject, *banner;
  GtkWidget *label;

  g_assert_no_error (error);
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);

  lb_composer_open_new (NULL, engine);
  composer = find_composer ();
  g_assert_nonnull (composer);
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  lb_ui_test_wait_for_frame (GTK_WIDGET (composer));
  to = lb_ui_test_find_widget (GTK_WIDGET (composer), "to");
  subject = lb_ui_test_find_widget (GTK_WIDGET (composer), "subject");
  banner = lb_ui_test_find_widget (GTK_WIDGET (composer), "banner");
  g_assert_nonnull (to);
  g_assert_nonnull (subject);
  g_assert_nonnull (lb_ui_test_find_widget (GTK_WIDGET (composer), "from"));
  g_assert_nonnull (lb_ui_test_find_widget (GTK_WIDGET (composer), "cc"));
  g_assert_nonnull (lb_ui_test_find_widget (GTK_WIDGET (composer), "bcc"));
  g_assert_nonnull (lb_ui_test_find_widget (GTK_WIDGET (composer), "body"));
  g_assert_nonnull (lb_ui_test_find_widget (GTK_WIDGET (composer), "attachments"));
  g_assert_nonnull (banner);
  g_assert_false (gtk_widget_get_visible (banner));

  /* Alt+T reaches the To field: its label names it. */
  label = gtk_widget_get_prev_sibling (to);
  g_assert_true (GTK_IS_LABEL (label));
  g_assert_true (gtk_label_get_mnemonic_widget (GTK_LABEL (label)) == to);

  /* The title is the subject, or "New Message" (in the test's language) without one. */
  new_title = g_strdup (gtk_window_get_title (GTK_WINDOW (composer)));
  g_assert_nonnull (new_title);
  g_assert_cmpstr (new_title, !=, "");
  gtk_editable_set_text (GTK_EDITABLE (subject), "Quarterly report");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (composer)), ==, "Quarterly report");
  gtk_editable_set_text (GTK_EDITABLE (subject), "");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (composer)), ==, new_title);

  /* Ctrl+Return and Ctrl+Enter send (here: explain that an account is needed first). */
  triggers = send_triggers (GTK_WIDGET (composer));
  triggers_v = g_strsplit (triggers, "|", -1);
  g_assert_true (g_strv_contains ((const char * const *) triggers_v, "<Control>Return"));
  g_assert_true (g_strv_contains ((const char * const *) triggers_v, "<Control>KP_Enter"));
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_true (gtk_widget_get_visible (banner));

  gtk_window_destroy (GTK_WINDOW (composer));
  while (composer != NULL)
    g_main_context_iteration (NULL, TRUE);
  lb_engine_shutdown (engine);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", profile);
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

static const char original[] =
  "From: =?UTF-8?B?6bKN5YuD?= <bob@example.org>\r\n"
  "To: alice@example.com, carol@example.net\r\n"
  "Cc: dave@example.net\r\n"
  "Subject: =?UTF-8?B?5ZGo5LqU5LiA6LW35ZCD6aWt?=\r\n"
  "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
  "Message-ID: <orig-1@example.org>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n"
  "\xe5\x91\xa8\xe4\xba\x94\xe6\x9c\x89\xe7\xa9\xba\xe5\x90\x97\xef\xbc\x9f\r\n";

static void
test_reply_all (void)
{
  GtkWindow *dialog;
  g_autoptr(GError) error = NULL;
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };
  g_autoptr(GBytes) raw = g_bytes_new_static (original, sizeof original - 1);
  g_autoptr(LbMessage) message = NULL;
  LbMessageList *list;
  LbFolder *inbox;
  LbComposer *composer;
  GtkWidget *to, *cc, *subject, *body;
  const char *shot = g_getenv ("LB_COMPOSER_REPLY_SCREENSHOT");

  /* The message is on the server before the account is added. */
  lb_test_env_start_servers (&env, &options);
  g_assert_true (lb_test_servers_deliver (env.servers, "alice@example.com", "INBOX", raw, NULL, &error));
  lb_test_env_open_profile (&env);
  lb_test_env_add_account (&env);
  lb_test_env_sync_ok (&env);

  inbox = lb_account_find_folder (env.account, LB_FOLDER_ROLE_INBOX);
  g_assert_nonnull (inbox);
  list = lb_engine_open_folder (env.engine, lb_folder_get_id (inbox));
  while (g_list_model_get_n_items (G_LIST_MODEL (list)) == 0)
    g_main_context_iteration (NULL, TRUE);
  message = g_list_model_get_item (G_LIST_MODEL (list), 0);

  lb_composer_open_reply (NULL, env.engine, message, TRUE);
  composer = find_composer ();
  g_assert_nonnull (composer);
  to = lb_ui_test_find_widget (GTK_WIDGET (composer), "to");
  cc = lb_ui_test_find_widget (GTK_WIDGET (composer), "cc");
  subject = lb_ui_test_find_widget (GTK_WIDGET (composer), "subject");
  body = lb_ui_test_find_widget (GTK_WIDGET (composer), "body");
  while (*gtk_editable_get_text (GTK_EDITABLE (subject)) == '\0')
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (subject)), ==, "Re: 周五一起吃饭");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (to)), ==, "鲍勃 <bob@example.org>");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cc)), ==, "carol@example.net, dave@example.net");
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (body));
    GtkTextIter a, b;
    g_autofree char *text = NULL;

    gtk_text_buffer_get_bounds (buffer, &a, &b);
    text = gtk_text_buffer_get_text (buffer, &a, &b, FALSE);
    g_assert_nonnull (strstr (text, "> 周五有空吗？"));
  }
  lb_test_iterate_for (200);
  if (shot != NULL)
    save_png (GTK_WIDGET (composer), shot);
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  /* Once the user has written in it, Discard asks first, and Cancel keeps the window. */
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (body)), "好的！\n", -1);
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.discard", NULL);
  dialog = lb_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  lb_ui_test_answer_dialog (dialog, "cancel");
  lb_test_iterate_for (100);
  g_assert_nonnull (composer);
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.discard", NULL);
  dialog = lb_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  lb_ui_test_answer_dialog (dialog, "discard");
  while (composer != NULL)
    g_main_context_iteration (NULL, TRUE);

  g_object_unref (list);
  lb_test_env_stop (&env);
}

/* Opens a reply or forward to @message, waits until it is filled in, and closes it as
 * the user would, untouched. */
static void
open_and_close_untouched (LbTestEnv *env,
                          LbMessage *message,
                          gboolean   forward)
{
  LbComposer *composer;
  GtkWidget *subject;

  if (forward)
    lb_composer_open_forward (NULL, env->engine, message);
  else
    lb_composer_open_reply (NULL, env->engine, message, FALSE);
  composer = find_composer ();
  g_assert_nonnull (composer);
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  subject = lb_ui_test_find_widget (GTK_WIDGET (composer), "subject");
  while (*gtk_editable_get_text (GTK_EDITABLE (subject)) == '\0')
    g_main_context_iteration (NULL, TRUE);
  lb_test_iterate_for (300);
  gtk_window_close (GTK_WINDOW (composer));
  while (composer != NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* A reply or forward the user did not change leaves no draft behind, here or on the
 * server: the quote alone is not something they wrote. */
static void
test_untouched_reply_saves_nothing (void)
{
  g_autoptr(GError) error = NULL;
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };
  g_autoptr(GBytes) raw = g_bytes_new_static (original, sizeof original - 1);
  g_autoptr(LbMessage) message = NULL;
  g_autoptr(LbMessageList) list = NULL;
  LbFolder *inbox;

  lb_test_env_start_servers (&env, &options);
  g_assert_true (lb_test_servers_deliver (env.servers, "alice@example.com", "INBOX", raw, NULL, &error));
  lb_test_env_open_profile (&env);
  lb_test_env_add_account (&env);
  lb_test_env_sync_ok (&env);
  inbox = lb_account_find_folder (env.account, LB_FOLDER_ROLE_INBOX);
  list = lb_engine_open_folder (env.engine, lb_folder_get_id (inbox));
  while (g_list_model_get_n_items (G_LIST_MODEL (list)) == 0)
    g_main_context_iteration (NULL, TRUE);
  message = g_list_model_get_item (G_LIST_MODEL (list), 0);

  open_and_close_untouched (&env, message, FALSE);
  open_and_close_untouched (&env, message, TRUE);
  /* Moving the free lines below the quote is not an edit either. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_boolean (settings, "reply-below-quote", TRUE);
    open_and_close_untouched (&env, message, FALSE);
    g_settings_reset (settings, "reply-below-quote");
  }
  /* Give a save that should not have started the time to reach the server. */
  lb_test_iterate_for (1000);
  g_assert_cmpuint (count_local_drafts (env.engine), ==, 0);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Drafts",
                                                   NULL), <=, 0);
  lb_test_env_stop (&env);
}

static void
test_edit_failed (void)
{
  g_autoptr(GError) error = NULL;
  LbTestEnvOptions options = { .smtp = TRUE, .secret = "wrong password" };
  LbTestEnv env = { 0 };
  g_autoptr(LbMimeDraft) d = lb_mime_draft_new ();
  g_autoptr(GBytes) raw = NULL;
  g_auto(GStrv) rcpts = NULL;
  g_autoptr(LbOutboxItem) item = NULL;
  GListModel *outbox;
  LbComposer *composer;
  GtkWidget *subject, *bcc, *banner;
  gboolean queued = TRUE;

  lb_test_env_start (&env, &options);

  d->from = lb_address_new (NULL, "alice@example.com");
  g_ptr_array_add (d->to, lb_address_new (NULL, "bob@example.org"));
  g_ptr_array_add (d->bcc, lb_address_new (NULL, "hidden@example.org"));
  d->subject = g_strdup ("没发出去的信");
  d->body = g_strdup ("正文\n");
  raw = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, NULL);
  rcpts = lb_mime_draft_dup_recipients (d);
  outbox = lb_engine_get_outbox (env.engine);
  lb_engine_send_async (env.engine, env.account, raw, (const char * const *) rcpts, NULL,
                        lb_test_got_result, &env.result);
  g_assert_false (lb_engine_send_finish (env.engine, lb_test_env_wait (&env), &queued, &error));
  g_assert_false (queued);
  g_clear_error (&error);
  while (g_list_model_get_n_items (outbox) != 1)
    g_main_context_iteration (NULL, TRUE);
  item = g_list_model_get_item (outbox, 0);
  while (lb_outbox_item_get_state (item) != LB_OUTBOX_STATE_FAILED)
    {
      g_main_context_iteration (NULL, TRUE);
      g_clear_object (&item);
      item = g_list_model_get_item (outbox, 0);
    }

  lb_composer_open_outbox_item (NULL, env.engine, item);
  composer = find_composer ();
  g_assert_nonnull (composer);
  subject = lb_ui_test_find_widget (GTK_WIDGET (composer), "subject");
  bcc = lb_ui_test_find_widget (GTK_WIDGET (composer), "bcc");
  banner = lb_ui_test_find_widget (GTK_WIDGET (composer), "banner");
  while (*gtk_editable_get_text (GTK_EDITABLE (subject)) == '\0')
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (subject)), ==, "没发出去的信");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (bcc)), ==, "hidden@example.org");
  g_assert_true (gtk_widget_get_visible (banner));

  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  gtk_window_destroy (GTK_WINDOW (composer));
  while (composer != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (outbox), ==, 1);

  g_clear_object (&item);
  lb_test_env_stop (&env);
}

static guint
count_composers (void)
{
  /* (transfer none): GTK's own list. */
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      n += LB_IS_COMPOSER (window);
    }
  return n;
}

static char *
composer_body (LbComposer *composer)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (
                            lb_ui_test_find_widget (GTK_WIDGET (composer), "body")));
  GtkTextIter a, b;

  gtk_text_buffer_get_bounds (buffer, &a, &b);
  return gtk_text_buffer_get_text (buffer, &a, &b, FALSE);
}

/* The draft in Drafts once the server and the store both have exactly @needle's copy (an
 * ASCII needle: the server stores UTF-8 text encoded). */
static LbMessage *
wait_for_draft (LbTestEnv  *env,
                const char *needle)
{
  LbFolder *drafts = lb_test_env_folder (env, LB_FOLDER_ROLE_DRAFTS);
  g_autoptr(LbMessageList) list = lb_engine_open_folder (env->engine, lb_folder_get_id (drafts));
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while ((lb_test_servers_count_messages (env->servers, "alice@example.com", "Drafts", NULL) != 1
          || lb_test_servers_count_messages (env->servers, "alice@example.com", "Drafts",
                                             needle) != 1)
         && g_get_monotonic_time () < deadline)
    lb_test_iterate_for (100);
  g_assert_cmpint (lb_test_servers_count_messages (env->servers, "alice@example.com", "Drafts",
                                                   NULL), ==, 1);
  g_assert_cmpint (lb_test_servers_count_messages (env->servers, "alice@example.com", "Drafts",
                                                   needle), ==, 1);
  g_assert_true (lb_test_env_sync (env, lb_folder_get_id (drafts), NULL));
  g_assert_true (lb_test_wait_n_items (G_LIST_MODEL (list), 1, 30));
  return g_list_model_get_item (G_LIST_MODEL (list), 0);
}

/* A draft saved on closing is reopened from Drafts with everything in it, is not opened
 * twice, and closing it after a change leaves one draft on the server, the new one. */
static void
test_reopen_draft (void)
{
  LbTestEnvOptions options = { .smtp = TRUE };
  g_autoptr(GPtrArray) received = NULL;
  LbTestEnv env = { 0 };
  g_autoptr(LbMessage) first = NULL;
  g_autoptr(LbMessage) second = NULL;
  g_autofree char *attach_path = NULL;
  g_autoptr(GFile) attach_file = NULL;
  g_autofree char *body = NULL;
  LbComposer *composer;
  GtkWidget *subject, *attachments;

  lb_test_env_start (&env, &options);

  lb_composer_open_new (NULL, env.engine);
  composer = find_composer ();
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "to")),
                         "鲍勃 <bob@example.org>");
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "cc")),
                         "carol@example.net");
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "bcc")),
                         "secret@example.org");
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "subject")),
                         "未写完的信");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (
                              lb_ui_test_find_widget (GTK_WIDGET (composer), "body"))),
                            "first-version: see you on Friday\n", -1);
  attach_path = g_build_filename (env.profile, "清单.txt", NULL);
  g_assert_true (g_file_set_contents (attach_path, "一、二、三\n", -1, NULL));
  attach_file = g_file_new_for_path (attach_path);
  lb_composer_attach_file (composer, attach_file);
  attachments = lb_ui_test_find_widget (GTK_WIDGET (composer), "attachments");
  while (!gtk_widget_get_visible (attachments))
    g_main_context_iteration (NULL, TRUE);
  gtk_window_close (GTK_WINDOW (composer));
  while (composer != NULL)
    g_main_context_iteration (NULL, TRUE);

  /* Reopened: every field, and the attachment. */
  first = wait_for_draft (&env, "first-version");
  lb_composer_open_draft (NULL, env.engine, first);
  composer = find_composer ();
  g_assert_nonnull (composer);
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  subject = lb_ui_test_find_widget (GTK_WIDGET (composer), "subject");
  while (*gtk_editable_get_text (GTK_EDITABLE (subject)) == '\0')
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (subject)), ==, "未写完的信");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "to"))),
                   ==, "鲍勃 <bob@example.org>");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "cc"))),
                   ==, "carol@example.net");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "bcc"))),
                   ==, "secret@example.org");
  body = composer_body (composer);
  g_assert_nonnull (strstr (body, "first-version: see you on Friday"));
  g_assert_true (gtk_widget_get_visible (attachments = lb_ui_test_find_widget (GTK_WIDGET (composer),
                                                                               "attachments")));

  /* Opening it again presents the same window. */
  lb_composer_open_draft (NULL, env.engine, first);
  lb_test_iterate_for (200);
  g_assert_cmpuint (count_composers (), ==, 1);

  /* Changed and closed: one draft on the server, with the new text. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (
                              lb_ui_test_find_widget (GTK_WIDGET (composer), "body"))),
                            "second-version: see you on Saturday\n", -1);
  gtk_window_close (GTK_WINDOW (composer));
  while (composer != NULL)
    g_main_context_iteration (NULL, TRUE);
  second = wait_for_draft (&env, "second-version");
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Drafts",
                                                   "first-version"), ==, 0);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Drafts",
                                                   "secret@example.org"), ==, 1);

  /* Sent: the message goes out and the draft leaves Drafts. */
  lb_composer_open_draft (NULL, env.engine, second);
  composer = find_composer ();
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  subject = lb_ui_test_find_widget (GTK_WIDGET (composer), "subject");
  while (*gtk_editable_get_text (GTK_EDITABLE (subject)) == '\0')
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  lb_ui_test_wait_until_gone ((gpointer *) &composer);
  received = lb_test_servers_wait_smtp (env.servers, 1, 30000);
  g_assert_cmpuint (received->len, ==, 1);
  for (gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
       lb_test_servers_count_messages (env.servers, "alice@example.com", "Drafts", NULL) != 0
       && g_get_monotonic_time () < deadline;)
    lb_test_iterate_for (100);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Drafts",
                                                   NULL), ==, 0);
  g_assert_true (lb_test_wait_n_items (lb_engine_get_outbox (env.engine), 0, 30));

  lb_test_env_stop (&env);
}

/* Send with nobody to send to: the To row says so, nothing is queued, the window stays;
 * typing an address takes the hint away. */
static void
test_empty_to (void)
{
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };
  LbComposer *composer;
  GtkWidget *to, *banner, *banner_label;

  lb_test_env_start (&env, &options);
  lb_composer_open_new (NULL, env.engine);
  composer = find_composer ();
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  to = lb_ui_test_find_widget (GTK_WIDGET (composer), "to");
  banner = lb_ui_test_find_widget (GTK_WIDGET (composer), "banner");
  banner_label = gtk_widget_get_first_child (banner);
  g_assert_true (GTK_IS_LABEL (banner_label));
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "subject")),
                         "没有收件人");

  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  lb_test_iterate_for (200);
  g_assert_nonnull (composer);
  g_assert_true (gtk_widget_get_visible (banner));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (banner_label)), ==,
                   g_dgettext (GETTEXT_PACKAGE, "Add at least one recipient"));
  g_assert_true (gtk_widget_has_css_class (to, "error"));
  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_outbox (env.engine)), ==, 0);

  gtk_editable_set_text (GTK_EDITABLE (to), "bob@example.org");
  g_assert_false (gtk_widget_get_visible (banner));
  g_assert_false (gtk_widget_has_css_class (to, "error"));

  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.discard", NULL);
  lb_ui_test_answer_dialog (lb_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG), "discard");
  lb_ui_test_wait_until_gone ((gpointer *) &composer);
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSettings) settings = NULL;

  /* Send goes through lb-sending.c, which reads the Undo Send delay: the schema from the
   * build tree, and no delay, so the message leaves at once. */
  lb_ui_test_setup_environment ();
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  settings = g_settings_new (APP_ID);
  g_settings_set_int (settings, "undo-send-delay", 0);
  g_test_add_func ("/composer/template", test_template);
  g_test_add_func ("/composer/compose-and-send", test_compose_and_send);
  g_test_add_func ("/composer/close-keeps-draft", test_close_keeps_draft);
  g_test_add_func ("/composer/offline-draft-reopened", test_offline_draft_reopened);
  g_test_add_func ("/composer/reply-all", test_reply_all);
  g_test_add_func ("/composer/untouched-reply-saves-nothing", test_untouched_reply_saves_nothing);
  g_test_add_func ("/composer/edit-failed", test_edit_failed);
  g_test_add_func ("/composer/reopen-draft", test_reopen_draft);
  g_test_add_func ("/composer/empty-to", test_empty_to);
  return g_test_run ();
}
