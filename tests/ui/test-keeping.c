/* test-keeping.c: keeping a message: save as .eml, View Source, its own window, print
 *
 * Against a private Dovecot holding one Chinese message: the saved file is the message's
 * exact bytes, the source window shows them and copies them, the message window shows the
 * message, and printing to a PDF (GTK's print-to-file) gives a document whose text has the
 * header block and the subject (read back with pdftotext).  With $LB_TEST_SCREENSHOTS it
 * saves the windows, and the PDF's first page as a PNG (pdftoppm).
 *
 * An HTML message prints through WebKit: its PDF has the header block, the body text and
 * the inline (cid:) image, and its remote image is not fetched (tests/fixtures/count-http.py
 * counts every connection).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "lb-application.h"
#include "lb-composer.h"
#include "lb-message-actions.h"
#include "lb-message-list.h"
#include "lb-message-list-view.h"
#include "lb-window.h"
#include "lb-test-env.h"
#include "lb-ui-test-util.h"

static const char *screenshot_dir;

static const char original[] =
  "From: =?UTF-8?B?6bKN5YuD?= <bob@example.org>\r\n"
  "To: alice@example.com\r\n"
  "Subject: =?UTF-8?B?5ZGo5LqU5LiA6LW35ZCD6aWt?=\r\n"
  "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
  "Message-ID: <keep-1@example.org>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "Content-Transfer-Encoding: 8bit\r\n"
  "\r\n"
  "\xe5\x91\xa8\xe4\xba\x94\xe6\x9c\x89\xe7\xa9\xba\xe5\x90\x97\xef\xbc\x9f Lunch at noon.\r\n";
#define SUBJECT "周五一起吃饭"

/* HTML only, with an inline image by cid: and a remote image at the counting server
 * (%u: its port). */
static const char html_message[] =
  "From: Carol <carol@example.org>\r\n"
  "To: alice@example.com\r\n"
  "Subject: =?UTF-8?B?5a2j5bqm5oql5ZGK?= Quarterly report\r\n"
  "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
  "Message-ID: <keep-html@example.org>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: multipart/related; boundary=\"rel\"\r\n"
  "\r\n"
  "--rel\r\n"
  "Content-Type: text/html; charset=utf-8\r\n"
  "\r\n"
  "<html><head><style>body { color: #333; }</style>"
  "<link rel=\"stylesheet\" href=\"http://127.0.0.1:%u/style.css\"></head>"
  "<body><h2>Figures for the quarter</h2>"
  "<p><img src=\"cid:chart@example.org\" width=\"64\" height=\"64\"></p>"
  "<p>Revenue grew in every region.</p>"
  "<p><img src=\"http://127.0.0.1:%u/tracker.gif\" width=\"1\" height=\"1\"></p>"
  "</body></html>\r\n"
  "--rel\r\n"
  "Content-Type: image/png\r\n"
  "Content-ID: <chart@example.org>\r\n"
  "Content-Transfer-Encoding: base64\r\n"
  "\r\n"
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4ISeHFTEMLQkAkL9BAbKfPiIAAAAASUVORK5CYII=\r\n"
  "--rel--\r\n";
#define HTML_SUBJECT "季度报告 Quarterly report"

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  const char *lang = g_getenv ("LANGUAGE");
  g_autofree char *file = NULL;

  if (screenshot_dir == NULL)
    return;
  file = g_strdup_printf ("%s-%s.png", name, lang != NULL && *lang != '\0' ? lang : "en");
  lb_test_iterate_for (500);
  lb_ui_test_save_screenshot (widget, screenshot_dir, file);
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static LbMessage *
first_message (LbTestEnv      *env,
               LbMessageList **out_list)
{
  LbFolder *inbox = lb_account_find_folder (env->account, LB_FOLDER_ROLE_INBOX);

  *out_list = lb_engine_open_folder (env->engine, lb_folder_get_id (inbox));
  while (g_list_model_get_n_items (G_LIST_MODEL (*out_list)) == 0)
    g_main_context_iteration (NULL, TRUE);
  return g_list_model_get_item (G_LIST_MODEL (*out_list), 0);
}

static void
check_save_eml (LbTestEnv *env,
                LbMessage *message)
{
  g_autofree char *path = g_build_filename (env->profile, SUBJECT ".eml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *saved = NULL;
  gsize len = 0;

  lb_message_save_eml_to (NULL, env->engine, message, file);
  g_assert_true (lb_test_wait_until (file_exists, path, 20));
  lb_test_iterate_for (200);
  g_assert_true (g_file_get_contents (path, &saved, &len, NULL));
  /* The bytes as received: nothing decoded, nothing re-encoded. */
  g_assert_cmpmem (saved, len, original, sizeof original - 1);
}

static void
check_source (LbMessage *message)
{
  g_autoptr(GBytes) raw = g_bytes_new_static (original, sizeof original - 1);
  GtkWidget *window = lb_source_window_new (NULL, lb_message_get_subject (message), raw);
  GtkWidget *view = lb_ui_test_find_widget (window, "source-view");
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (lb_test_wait_until (widget_mapped, view, 10));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (text, ==, original);
  g_assert_true (gtk_text_view_get_monospace (GTK_TEXT_VIEW (view)));
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (view)));
  screenshot (window, "view-source");
  gtk_window_destroy (GTK_WINDOW (window));
  lb_ui_test_wait_until_gone ((gpointer *) &window);
}

static void
check_message_window (LbTestEnv *env,
                      LbMessage *message)
{
  GtkWidget *window = lb_message_window_new (NULL, env->engine, message);

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (lb_test_wait_until (widget_mapped, window, 10));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, SUBJECT);
  /* The reader's view, showing this message. */
  g_assert_nonnull (lb_ui_test_find_widget (window, "reader"));
  lb_test_iterate_for (1500);
  screenshot (window, "message-window");
  gtk_window_destroy (GTK_WINDOW (window));
  lb_ui_test_wait_until_gone ((gpointer *) &window);
}

/* Prints @message to NAME.pdf in the profile and returns the PDF's text (pdftotext), or
 * %NULL (the test skipped) without poppler-utils. */
static char *
print_to_text (LbTestEnv  *env,
               LbMessage  *message,
               const char *name,
               gboolean    allow_remote,
               char      **out_pdf)
{
  g_autofree char *file = g_strdup_printf ("%s.pdf", name);
  g_autofree char *pdf = g_build_filename (env->profile, file, NULL);
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };

  lb_message_print (NULL, env->engine, message, pdf, allow_remote);
  g_assert_true (lb_test_wait_until (file_exists, pdf, 30));
  /* The file appears before it is complete: wait until the reader can parse it. */
  for (int i = 0; i < 50; i++)
    {
      g_clear_pointer (&text, g_free);
      g_clear_pointer (&err, g_free);
      g_clear_error (&error);
      lb_test_iterate_for (200);
      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &text, &err,
                         &status, &error))
        {
          g_test_skip ("pdftotext (poppler-utils) is not installed");
          return NULL;
        }
      if (g_spawn_check_wait_status (status, NULL) && text != NULL && *text != '\0')
        break;
    }
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_test_message ("%s", text);
  if (screenshot_dir != NULL)
    {
      const char *lang = g_getenv ("LANGUAGE");
      g_autofree char *prefix = g_strdup_printf ("%s/%s-%s", screenshot_dir, name,
                                                 lang != NULL && *lang != '\0' ? lang : "en");
      const char *png[] = { "pdftoppm", "-png", "-r", "60", "-singlefile", pdf, prefix, NULL };

      g_spawn_sync (NULL, (char **) png, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                    NULL, NULL);
    }
  if (out_pdf != NULL)
    *out_pdf = g_steal_pointer (&pdf);
  return g_steal_pointer (&text);
}

static void
check_print (LbTestEnv *env,
             LbMessage *message)
{
  g_autofree char *text = print_to_text (env, message, "printed", FALSE, NULL);
  g_autofree char *date = NULL;

  if (text == NULL)
    return;
  g_assert_nonnull (strstr (text, SUBJECT));
  g_assert_nonnull (strstr (text, "bob@example.org"));
  g_assert_nonnull (strstr (text, "Lunch at noon."));
  /* The date as the reply's attribution line says it, weekday included: translated by
   * Letterbox, not by the C library's locale (LC_TIME is C here, which made it "Saturday"
   * in the Chinese date before). */
  if (g_str_has_prefix (g_getenv ("LANGUAGE") != NULL ? g_getenv ("LANGUAGE") : "", "zh"))
    g_assert_nonnull (strstr (text, "日 周六"));
  else
    g_assert_nonnull (strstr (text, "Sat, 21 Nov 2026 at"));
}

static guint
http_count (const char *count_file)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (count_file, &text, NULL, NULL))
    return 0;
  return (guint) g_ascii_strtoull (text, NULL, 10);
}

/* The counting HTTP server; @port is where it listens. */
static GSubprocess *
http_start (const char *count_file,
            guint      *port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (g_getenv ("LB_TEST_FIXTURES_DIR"),
                                              "count-http.py", NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GSubprocess *http;

  http = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                           &error, g_getenv ("LB_TEST_PYTHON"), script, count_file, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (http));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  *port = (guint) g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (*port, >, 0);
  return http;
}

/* The number of images in @pdf (pdfimages -list prints two heading lines, then one line a
 * image). */
static guint
count_pdf_images (const char *pdf)
{
  const char *argv[] = { "pdfimages", "-list", pdf, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, NULL, NULL, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 2; lines[0] != NULL && lines[1] != NULL && lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      n++;
  return n;
}

static void
test_print_html (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(LbMessage) message = NULL;
  g_autoptr(LbMessageList) list = NULL;
  g_autoptr(GSubprocess) http = NULL;
  g_autofree char *count_file = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *bytes = NULL;
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };
  guint port = 0;

  lb_test_env_start_servers (&env, &options);
  lb_test_env_open_profile (&env);
  count_file = g_build_filename (env.profile, "http-count", NULL);
  http = http_start (count_file, &port);
  bytes = g_strdup_printf (html_message, port, port);
  raw = g_bytes_new (bytes, strlen (bytes));
  g_assert_true (lb_test_servers_deliver (env.servers, LB_TEST_ENV_USER, "INBOX", raw, NULL, &error));
  lb_test_env_add_account (&env);
  lb_test_env_sync_ok (&env);
  message = first_message (&env, &list);

  text = print_to_text (&env, message, "printed-html", FALSE, &pdf);
  if (text != NULL)
    {
      g_assert_nonnull (strstr (text, HTML_SUBJECT));
      g_assert_nonnull (strstr (text, "carol@example.org"));
      g_assert_nonnull (strstr (text, "Figures for the quarter"));
      g_assert_nonnull (strstr (text, "Revenue grew in every region."));
      /* Rendered as HTML: the inline image is on the page (the text version has none). */
      g_assert_cmpuint (count_pdf_images (pdf), >=, 1);
    }
  /* The reader's rule holds on paper: nothing was fetched from the network. */
  g_assert_cmpuint (http_count (count_file), ==, 0);

  /* Unless the user allowed remote content for the message: then the print loads it. */
  g_clear_pointer (&text, g_free);
  text = print_to_text (&env, message, "printed-html-remote", TRUE, NULL);
  g_assert_cmpuint (http_count (count_file), >, 0);

  g_subprocess_force_exit (http);
  g_clear_object (&message);
  g_clear_object (&list);
  lb_test_env_stop (&env);
}

static void
test_keeping (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static (original, sizeof original - 1);
  g_autoptr(LbMessage) message = NULL;
  g_autoptr(LbMessageList) list = NULL;
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };

  lb_test_env_start_servers (&env, &options);
  g_assert_true (lb_test_servers_deliver (env.servers, LB_TEST_ENV_USER, "INBOX", raw, NULL, &error));
  lb_test_env_open_profile (&env);
  lb_test_env_add_account (&env);
  lb_test_env_sync_ok (&env);
  message = first_message (&env, &list);
  g_assert_cmpstr (lb_message_get_subject (message), ==, SUBJECT);

  check_save_eml (&env, message);
  check_source (message);
  check_message_window (&env, message);
  check_print (&env, message);

  g_clear_object (&message);
  g_clear_object (&list);
  lb_test_env_stop (&env);
}

static GtkWidget *
find_named_toplevel (const char *name)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_widget_get_name (w), name) == 0)
        return w;
    }
  return NULL;
}

static gboolean
eml_shown (gpointer data)
{
  GtkWidget *window = find_named_toplevel ("eml-window");
  GtkWidget *subject = window != NULL ? lb_ui_test_find_widget (window, "eml-subject") : NULL;

  *(GtkWidget **) data = window;
  return subject != NULL && g_strcmp0 (gtk_label_get_text (GTK_LABEL (subject)), SUBJECT) == 0;
}

static gboolean
reply_ready (gpointer data)
{
  GtkWindow *composer = lb_ui_test_find_toplevel (LB_TYPE_COMPOSER);
  GtkWidget *subject = composer != NULL ? lb_ui_test_find_widget (GTK_WIDGET (composer), "subject")
                                        : NULL;

  *(GtkWindow **) data = composer;
  return subject != NULL && *gtk_editable_get_text (GTK_EDITABLE (subject)) != '\0';
}

static char *eml_path;

static gboolean
list_has_message (gpointer data)
{
  LbMessageList *list = lb_message_list_view_get_list (data);

  return list != NULL && g_list_model_get_n_items (G_LIST_MODEL (list)) == 1;
}

static gboolean
toplevel_shown (gpointer data)
{
  GtkWidget *w = find_named_toplevel (data);

  return w != NULL && gtk_widget_get_mapped (w);
}

/* The reader's More Actions reach the selected message: View Source, its own window. */
static void
check_window_actions (LbWindow *window)
{
  LbMessageListView *view = lb_window_get_message_list (window);
  const char *actions[][2] = { { "win.view-source", "source-window" },
                               { "win.open-in-window", "message-window" } };

  g_assert_true (lb_test_wait_until (list_has_message, view, 20));
  lb_message_list_view_select_position (view, 0);
  lb_test_iterate_for (300);
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      GtkWidget *shown;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), actions[i][0], NULL));
      g_assert_true (lb_test_wait_until (toplevel_shown, (gpointer) actions[i][1], 20));
      shown = find_named_toplevel (actions[i][1]);
      g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (shown)) == GTK_WINDOW (window));
      gtk_window_destroy (GTK_WINDOW (shown));
      lb_test_iterate_for (200);
    }
}

/* The window's actions on the selected message; then what `letterbox file.eml` (or a
 * double click in Files) does: GApplication's open. */
static void
run_open_eml (GApplication *application)
{
  g_autoptr(GFile) file = g_file_new_for_path (eml_path);
  GtkWidget *window = NULL;
  GtkWindow *composer = NULL;
  GtkWidget *reply;

  check_window_actions (LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application))));
  g_application_open (application, &file, 1, "");
  g_assert_true (lb_test_wait_until (eml_shown, &window, 20));
  lb_test_iterate_for (1000);
  screenshot (window, "eml-window");
  reply = lb_ui_test_find_widget (window, "eml-reply-button");
  g_assert_true (gtk_widget_get_sensitive (reply));
  g_signal_emit_by_name (reply, "clicked");
  g_assert_true (lb_test_wait_until (reply_ready, &composer, 20));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer),
                                                                                 "subject"))),
                   ==, "Re: " SUBJECT);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer),
                                                                                 "to"))),
                   ==, "鲍勃 <bob@example.org>");
  gtk_window_destroy (composer);
  gtk_window_destroy (GTK_WINDOW (window));
  lb_test_iterate_for (200);
}

static void
test_open_eml (void)
{
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };

  g_autoptr(GBytes) raw = g_bytes_new_static (original, sizeof original - 1);
  g_autoptr(GError) error = NULL;

  lb_test_env_start_servers (&env, &options);
  g_assert_true (lb_test_servers_deliver (env.servers, LB_TEST_ENV_USER, "INBOX", raw, NULL, &error));
  lb_test_env_open_profile (&env);
  lb_test_env_add_account (&env);
  lb_test_env_sync_ok (&env);
  lb_test_env_close_engine (&env);
  eml_path = g_build_filename (env.profile, "saved message.eml", NULL);
  g_assert_true (g_file_set_contents (eml_path, original, sizeof original - 1, NULL));
  g_setenv ("LETTERBOX_DATA_DIR", env.profile, TRUE);
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_open_eml);
  g_clear_pointer (&eml_path, g_free);
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  screenshot_dir = lb_ui_test_init_app_test (&argc, &argv);
  g_test_add_func ("/ui/keeping/eml-source-window-print", test_keeping);
  g_test_add_func ("/ui/keeping/open-eml", test_open_eml);
  g_test_add_func ("/ui/keeping/print-html", test_print_html);
  return g_test_run ();
}
