/* test-reader.c: the reader against a private Dovecot, under Xvfb
 *
 * One Dovecot and one engine for all cases: the messages are delivered first, synced once,
 * and then shown one after another in an LbReader inside a window, the way the application
 * shows them (fetched through lb_account_fetch_body_async or the cache, parsed off the main
 * thread).  Remote references point at tests/fixtures/count-http.py, which counts every TCP
 * connection it accepts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <dlfcn.h>
#include <glib/gstdio.h>
#include <webkit/webkit.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-reader.h"
#include "lb-test-fixture.h"
#include "lb-ui-test-util.h"

typedef struct {
  LbTestServers *servers;
  GSubprocess   *http;
  char          *count_file;
  guint16        http_port;
  char          *profile;
  LbEngine      *engine;
  LbAccount     *account;
  GAsyncResult  *result;
  GtkWindow     *window;
  LbReader      *reader;
  WebKitWebView *view;
  guint          loads_finished;
  char          *opened_file;
  GPtrArray     *cid_resources;
} Env;

static Env env;

/* ---- Waiting ---------------------------------------------------------------------------- */

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (gpointer data);

/* Iterates the main context until CONDITION holds; a generous limit turns a hang into a
 * failure (it is not a timing assertion: the condition is expected well before). */
static void
wait_until (Condition   condition,
            gpointer    data,
            const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (60, on_timeout, &timed_out);

  while (!condition (data))
    {
      g_main_context_iteration (NULL, TRUE);
      if (timed_out)
        g_error ("timed out waiting for %s", what);
    }
  g_source_remove (id);
}

/* Lets WebKit run for a while, for checks that something does NOT happen. */
static void
spin_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  env.result = g_object_ref (result);
}

static gboolean
have_result (gpointer data)
{
  return env.result != NULL;
}

static GAsyncResult *
wait_result (void)
{
  g_clear_object (&env.result);
  wait_until (have_result, NULL, "an async result");
  return env.result;
}

/* ---- The counting HTTP server ----------------------------------------------------------- */

static guint
http_count (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (env.count_file, &text, NULL, NULL))
    return 0;
  return (guint) g_ascii_strtoull (text, NULL, 10);
}

static void
http_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (g_getenv ("LB_TEST_FIXTURES_DIR"),
                                              "count-http.py", NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  env.count_file = g_build_filename (env.profile, "http-count", NULL);
  env.http = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                               &error, g_getenv ("LB_TEST_PYTHON"), script, env.count_file, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (env.http));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  env.http_port = (guint16) g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (env.http_port, >, 0);
}

/* ---- Messages --------------------------------------------------------------------------- */

static char *
gbk_base64 (const char *utf8)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  g_autofree char *gbk = g_convert (utf8, -1, "GBK", "UTF-8", NULL, &len, &error);

  g_assert_no_error (error);
  return g_base64_encode ((const guchar *) gbk, len);
}

static char *
gbk_raw (const char *utf8)
{
  g_autoptr(GError) error = NULL;
  char *gbk = g_convert (utf8, -1, "GBK", "UTF-8", NULL, NULL, &error);

  g_assert_no_error (error);
  return gbk;
}

static void
deliver (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  lb_test_servers_deliver (env.servers, "alice@example.com", "INBOX", bytes, "S", &error);
  g_assert_no_error (error);
}

static void
deliver_simple (const char *from,
                const char *subject,
                const char *html)
{
  g_autofree char *text = g_strdup_printf ("From: %s\r\n"
                                           "To: alice@example.com\r\n"
                                           "Subject: %s\r\n"
                                           "Date: Mon, 2 Mar 2026 10:00:00 +0800\r\n"
                                           "Message-ID: <%s@test>\r\n"
                                           "MIME-Version: 1.0\r\n"
                                           "Content-Type: text/html; charset=utf-8\r\n"
                                           "\r\n%s\r\n",
                                           from, subject, subject, html);
  deliver (text);
}

static const char zh_title[] = "中文标题：季度会议纪要";
static const char zh_body[] = "各位同事，下周一上午十点在三楼会议室召开季度总结会议，请准时参加。";

/* A 2x2 red PNG. */
static const char png_base64[] =
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAwMDAxMDAAAAbBAMBdyqJ4QAAAABJRU5ErkJggg==";

static void
deliver_all (void)
{
  g_autofree char *gbk_html = NULL;
  g_autofree char *gbk_subject = NULL;
  g_autofree char *message = NULL;
  g_autofree char *raw_body = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *p = g_strdup_printf ("http://127.0.0.1:%u", env.http_port);

  /* (1) GBK HTML, base64, with a GB2312-labelled RFC 2047 subject and an attachment with a
   * GBK RFC 2231 name. */
  {
    g_autofree char *html = g_strdup_printf ("<html><head><meta charset=\"gbk\"><title>%s</title>"
                                             "</head><body><h2>%s</h2><p>%s</p>"
                                             "<blockquote>引用的内容：收到，谢谢！</blockquote>"
                                             "<p><a href=\"https://example.com/\">会议链接</a></p>"
                                             "</body></html>", zh_title, zh_title, zh_body);
    g_autofree char *subject = gbk_base64 ("季度会议纪要");
    g_autofree char *name = gbk_base64 ("张伟");
    g_autofree char *to_name = gbk_base64 ("李娜");
    g_autofree char *attachment = g_base64_encode ((const guchar *) "hello", 5);

    gbk_html = gbk_base64 (html);
    message = g_strdup_printf ("From: =?GB2312?B?%s?= <zhangwei@example.cn>\r\n"
                               "To: alice@example.com, =?GBK?B?%s?= <bob@example.cn>\r\n"
                               "Cc: carol@example.com\r\n"
                               "Subject: =?GB2312?B?%s?=\r\n"
                               "Date: Mon, 2 Mar 2026 10:00:00 +0800\r\n"
                               "Message-ID: <gbk-html@test>\r\n"
                               "MIME-Version: 1.0\r\n"
                               "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
                               "\r\n"
                               "--b1\r\n"
                               "Content-Type: text/html; charset=gbk\r\n"
                               "Content-Transfer-Encoding: base64\r\n"
                               "\r\n%s\r\n"
                               "--b1\r\n"
                               "Content-Type: text/plain\r\n"
                               "Content-Disposition: attachment; filename*=GBK''%%BB%%E1%%D2%%E9%%BC%%C7%%C2%%BC.txt\r\n"
                               "Content-Transfer-Encoding: base64\r\n"
                               "\r\n%s\r\n"
                               "--b1--\r\n",
                               name, to_name, subject, gbk_html, attachment);
    deliver (message);
    g_clear_pointer (&message, g_free);
  }

  /* (1b) plain text with no charset label at all, raw GBK bytes. */
  {
    g_autofree char *body = g_strdup_printf ("%s\r\n\r\n> 上一封邮件的引用\r\n> quoted line\r\n", zh_body);

    raw_body = gbk_raw (body);
  }
  message = g_strdup_printf ("From: wang@example.cn\r\n"
                             "To: alice@example.com\r\n"
                             "Subject: no-charset\r\n"
                             "Date: Mon, 2 Mar 2026 11:00:00 +0800\r\n"
                             "Message-ID: <no-charset@test>\r\n"
                             "MIME-Version: 1.0\r\n"
                             "Content-Type: text/plain\r\n"
                             "Content-Transfer-Encoding: 8bit\r\n"
                             "\r\n%s",
                             raw_body);
  deliver (message);
  g_clear_pointer (&message, g_free);

  /* (2) Every way an HTML mail can reach a server. */
  remote = g_strdup_printf ("<html><head><title>remote</title>"
                            "<link rel=\"stylesheet\" href=\"%s/style.css\">"
                            "<link rel=\"preconnect\" href=\"http://127.0.0.1:%u/\">"
                            "<link rel=\"dns-prefetch\" href=\"%s/\">"
                            "<link rel=\"prefetch\" href=\"%s/prefetch\">"
                            "<style>@import url(\"%s/import.css\");"
                            "@font-face { font-family: X; src: url(%s/font.woff); }"
                            "body { font-family: X; background-image: url('%s/bg.png'); }</style>"
                            "</head><body background=\"%s/body.png\">"
                            "<p>Tracking pixel below</p>"
                            "<img src=\"%s/pixel.gif\" width=\"1\" height=\"1\">"
                            "<img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" "
                            "srcset=\"%s/small.png 1x, %s/big.png 2x\">"
                            "<picture><source srcset=\"%s/pic.webp\"><img src=\"%s/pic.png\"></picture>"
                            "<video poster=\"%s/poster.png\" src=\"%s/v.mp4\"></video>"
                            "<iframe src=\"%s/frame.html\"></iframe>"
                            "</body></html>",
                            p, env.http_port, p, p, p, p, p, p, p, p, p, p, p, p, p, p);
  deliver_simple ("tracker@news.example", "remote", remote);
  deliver_simple ("tracker@news.example", "remote-again", remote);
  deliver_simple ("Friend <friend@example.org>", "remote-friend", remote);

  /* (3) Scripts must not run. */
  deliver_simple ("x@example.com", "script",
                  "<html><head><title>before</title>"
                  "<script>document.title = 'after';</script></head>"
                  "<body onload=\"document.title = 'onload'\">"
                  "<img src=\"data:,x\" onerror=\"document.title = 'onerror'\">"
                  "<p>script test</p></body></html>");

  /* (4) An inline image through cid:. */
  message = g_strdup_printf ("From: x@example.com\r\n"
                             "To: alice@example.com\r\n"
                             "Subject: cid\r\n"
                             "Date: Mon, 2 Mar 2026 12:00:00 +0800\r\n"
                             "Message-ID: <cid@test>\r\n"
                             "MIME-Version: 1.0\r\n"
                             "Content-Type: multipart/related; boundary=\"r1\"\r\n"
                             "\r\n"
                             "--r1\r\n"
                             "Content-Type: text/html; charset=utf-8\r\n"
                             "\r\n"
                             "<html><body><p>inline:</p><img src=\"cid:red.dot@test\" width=\"64\" height=\"64\"></body></html>\r\n"
                             "--r1\r\n"
                             "Content-Type: image/png\r\n"
                             "Content-ID: <red.dot@test>\r\n"
                             "Content-Transfer-Encoding: base64\r\n"
                             "\r\n%s\r\n"
                             "--r1--\r\n",
                             png_base64);
  deliver (message);
  g_clear_pointer (&message, g_free);

  /* (7) A link to click. */
  message = g_strdup_printf ("<html><head><title>link</title></head><body style=\"margin:0\">"
                             "<a href=\"%s/clicked\" style=\"display:block;height:600px\">"
                             "click me</a></body></html>", p);
  deliver_simple ("x@example.com", "link", message);
  g_clear_pointer (&message, g_free);

  /* (8) HTML with colours of its own, for dark mode: it keeps them on a light page. */
  deliver_simple ("news@example.org", "coloured",
                  "<html><head><title>coloured</title></head><body bgcolor=\"#fffbe6\">"
                  "<p style=\"color: #3d3846\">本期通讯：有自己颜色的邮件在深色模式下保持浅色背景。</p>"
                  "</body></html>");

  /* (6) Never shown before the server goes away. */
  deliver_simple ("x@example.com", "offline", "<p>not downloaded yet</p>");
  deliver ("From: Grace <grace@pgp.example>\r\n"
           "To: alice@example.com\r\n"
           "Subject: signed\r\n"
           "Date: Tue, 10 Mar 2026 18:20:00 +0000\r\n"
           "Message-ID: <signed@test>\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/signed; micalg=pgp-sha256;\r\n"
           " protocol=\"application/pgp-signature\"; boundary=\"s\"\r\n"
           "\r\n"
           "--s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nRelease 2.4 is tagged.\r\n"
           "--s\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n"
           "-----BEGIN PGP SIGNATURE-----\r\nwsF5BAABCAAj\r\n-----END PGP SIGNATURE-----\r\n"
           "--s--\r\n");

  /* (5) Navigation without a click (a meta refresh) must not leave the message. */
  message = g_strdup_printf ("<html><head><title>stay</title>"
                             "<meta http-equiv=\"refresh\" content=\"0; url=%s/refresh\"></head>"
                             "<body><a id=\"l\" href=\"%s/link\">a link</a></body></html>",
                             p, p);
  deliver_simple ("x@example.com", "navigate", message);
}

/* ---- Set-up ----------------------------------------------------------------------------- */

static void
on_load_changed (WebKitWebView   *view,
                 WebKitLoadEvent  event)
{
  if (event == WEBKIT_LOAD_FINISHED)
    env.loads_finished++;
}

static void
on_resource_finished (WebKitWebResource *resource)
{
  g_object_set_data (G_OBJECT (resource), "lb-test-finished", GINT_TO_POINTER (TRUE));
}

static gboolean
resource_finished (gpointer data)
{
  return g_object_get_data (data, "lb-test-finished") != NULL;
}

static void
on_resource_load_started (WebKitWebView     *view,
                          WebKitWebResource *resource,
                          WebKitURIRequest  *request)
{
  if (g_str_has_prefix (webkit_web_resource_get_uri (resource), "cid:"))
    {
      g_ptr_array_add (env.cid_resources, g_object_ref (resource));
      /* Its data is only whole once it has finished loading, which can come after the
       * page's own load has finished. */
      g_signal_connect (resource, "finished", G_CALLBACK (on_resource_finished), NULL);
    }
}

/* A "browser" for http(s) links that only writes down what it was asked to open, in the
 * private XDG directories run-headless made for this test. */
static void
install_fake_browser (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *apps = g_build_filename (g_get_user_data_dir (), "applications", NULL);
  g_autofree char *script = g_build_filename (g_get_user_data_dir (), "lb-test-browser.sh", NULL);
  g_autofree char *desktop = g_build_filename (apps, "lb-test-browser.desktop", NULL);
  g_autofree char *mimeapps = g_build_filename (g_get_user_config_dir (), "mimeapps.list", NULL);
  g_autofree char *script_text = NULL;
  g_autofree char *desktop_text = NULL;

  env.opened_file = g_build_filename (g_get_user_data_dir (), "lb-test-opened", NULL);
  g_assert_cmpint (g_mkdir_with_parents (apps, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  script_text = g_strdup_printf ("#!/bin/sh\necho \"$1\" >> '%s'\n", env.opened_file);
  g_file_set_contents_full (script, script_text, -1, G_FILE_SET_CONTENTS_NONE, 0755, &error);
  g_assert_no_error (error);
  desktop_text = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Test Browser\n"
                                  "Exec=%s %%u\nNoDisplay=true\n"
                                  "MimeType=x-scheme-handler/http;x-scheme-handler/https;text/plain;\n",
                                  script);
  g_file_set_contents (desktop, desktop_text, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (mimeapps, "[Default Applications]\n"
                                 "x-scheme-handler/http=lb-test-browser.desktop\n"
                                 "x-scheme-handler/https=lb-test-browser.desktop\n"
                                 "text/plain=lb-test-browser.desktop\n", -1, &error);
  g_assert_no_error (error);
}

static gboolean
has_web_view (gpointer data)
{
  return lb_ui_test_find_widget (GTK_WIDGET (env.reader), "reader-web-view") != NULL;
}

static void
env_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccountSettings) s = lb_account_settings_new ();
  LbTestServersOptions options = { 0 };
  LbFolder *inbox;

  install_fake_browser ();
  options.no_smtp = TRUE;
  env.servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);

  env.profile = g_dir_make_tmp ("lb-reader-XXXXXX", &error);
  g_assert_no_error (error);
  http_start ();
  deliver_all ();

  env.engine = lb_engine_new (env.profile, &error);
  g_assert_no_error (error);
  s->email = g_strdup ("alice@example.com");
  s->imap = lb_server_config_new ("127.0.0.1", env.servers->imaps_port, LB_SECURITY_TLS,
                                  "alice@example.com");
  s->imap->ca_file = g_strdup (env.servers->ca_file);
  lb_engine_add_account_async (env.engine, s, "secret", NULL, got_result, NULL);
  env.account = lb_engine_add_account_finish (env.engine, wait_result (), &error);
  g_assert_no_error (error);

  lb_account_sync_async (env.account, 0, LB_JOB_PRIORITY_USER, NULL, got_result, NULL);
  lb_account_sync_finish (env.account, wait_result (), &error);
  g_assert_no_error (error);
  inbox = lb_account_find_folder (env.account, LB_FOLDER_ROLE_INBOX);
  g_assert_nonnull (inbox);

  /* Revealers then open and close at once, so sizes can be checked right away. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  env.cid_resources = g_ptr_array_new_with_free_func (g_object_unref);
  env.window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (env.window, 900, 700);
  env.reader = lb_reader_new ();
  lb_reader_set_engine (env.reader, env.engine);
  gtk_window_set_child (env.window, GTK_WIDGET (env.reader));
  gtk_window_present (env.window);
  lb_ui_test_wait_for_frame (GTK_WIDGET (env.window));

  /* The first reader loads its web view's module on a thread. */
  wait_until (has_web_view, NULL, "the web view");
  env.view = WEBKIT_WEB_VIEW (lb_ui_test_find_widget (GTK_WIDGET (env.reader), "reader-web-view"));
  g_assert_nonnull (env.view);
  g_signal_connect (env.view, "load-changed", G_CALLBACK (on_load_changed), NULL);
  g_signal_connect (env.view, "resource-load-started", G_CALLBACK (on_resource_load_started), NULL);
}

static void
env_teardown (void)
{
  gpointer weak = env.window;
  gpointer weak_reader = env.reader;

  /* The reader must not keep itself alive through its async callbacks. */
  g_object_add_weak_pointer (G_OBJECT (env.window), &weak);
  g_object_add_weak_pointer (G_OBJECT (env.reader), &weak_reader);
  gtk_window_destroy (env.window);
  lb_ui_test_wait_until_gone (&weak);
  lb_ui_test_wait_until_gone (&weak_reader);
  g_clear_pointer (&env.cid_resources, g_ptr_array_unref);

  lb_engine_shutdown (env.engine);
  g_clear_object (&env.account);
  g_clear_object (&env.result);
  g_clear_object (&env.engine);
  g_subprocess_force_exit (env.http);
  g_clear_object (&env.http);
  g_clear_pointer (&env.servers, lb_test_servers_stop);
  g_free (env.opened_file);
}

/* ---- Showing ---------------------------------------------------------------------------- */

static LbMessage *
find_message (const char *subject)
{
  LbFolder *inbox = lb_account_find_folder (env.account, LB_FOLDER_ROLE_INBOX);
  g_autoptr(LbMessageList) list = lb_engine_open_folder (env.engine, lb_folder_get_id (inbox));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (g_strcmp0 (lb_message_get_subject (m), subject) == 0)
        return g_steal_pointer (&m);
    }
  g_error ("no message with subject %s", subject);
  return NULL;
}

static GtkWidget *
find (const char *name)
{
  GtkWidget *widget = lb_ui_test_find_widget (GTK_WIDGET (env.reader), name);

  if (widget == NULL)
    g_error ("no widget named %s in the reader", name);
  return widget;
}

typedef struct {
  guint loads_before;
} ShowWait;

static gboolean
body_loaded (gpointer data)
{
  ShowWait *w = data;
  GtkStack *stack = GTK_STACK (find ("reader-stack"));

  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "error") == 0)
    g_error ("the reader shows an error: %s",
             adw_status_page_get_description (ADW_STATUS_PAGE (find ("reader-error-page"))));
  return env.loads_finished > w->loads_before
         && g_strcmp0 (gtk_stack_get_visible_child_name (stack), "message") == 0
         && !webkit_web_view_is_loading (env.view);
}

static void
show (const char *subject)
{
  g_autoptr(LbMessage) message = find_message (subject);
  LbMessage *current = lb_reader_get_message (env.reader);
  ShowWait w;

  /* The same message again would be kept as it is, without a new load to wait for. */
  if (current != NULL && lb_message_get_id (current) == lb_message_get_id (message))
    lb_reader_set_message (env.reader, NULL);
  w.loads_before = env.loads_finished;
  lb_reader_set_message (env.reader, message);
  g_assert_true (lb_reader_get_message (env.reader) == message);
  wait_until (body_loaded, &w, subject);
}

static gboolean
has_title (gpointer data)
{
  const char *title = webkit_web_view_get_title (env.view);

  /* Each test document has a non-empty title; "" is the moment between two documents. */
  return title != NULL && *title != '\0';
}

/* WebKit reports the <title> a little after the load has finished. */
static const char *
wait_title (void)
{
  wait_until (has_title, NULL, "the document title");
  return webkit_web_view_get_title (env.view);
}

/* Saves the window to $LB_TEST_SCREENSHOT_DIR/NAME.png when that is set, for review. */
static void
screenshot (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = NULL;

  if (g_getenv ("LB_TEST_SCREENSHOT_DIR") == NULL)
    return;
  spin_for (1500);
  path = g_build_filename (g_getenv ("LB_TEST_SCREENSHOT_DIR"), file, NULL);
  lb_ui_test_save_png (GTK_WIDGET (env.window), path, &error);
  g_assert_no_error (error);
}

/* gtk_widget_activate() on a button emits "clicked" only after a short animation. */
static void
press (const char *name)
{
  g_signal_emit_by_name (find (name), "clicked");
}

static void
click (const char *name)
{
  ShowWait w = { env.loads_finished };

  press (name);
  wait_until (body_loaded, &w, name);
}

static gboolean
got_resource_data (gpointer data)
{
  return *(GBytes **) data != NULL;
}

static void
on_resource_data (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  gsize len = 0;
  guchar *data = webkit_web_resource_get_data_finish (WEBKIT_WEB_RESOURCE (source), result, &len,
                                                      NULL);

  *(GBytes **) user_data = g_bytes_new_take (data, data != NULL ? len : 0);
}

static GBytes *
resource_data (WebKitWebResource *resource)
{
  GBytes *bytes = NULL;

  webkit_web_resource_get_data (resource, NULL, on_resource_data, &bytes);
  wait_until (got_resource_data, &bytes, "resource data");
  return bytes;
}

/* ---- Tests ------------------------------------------------------------------------------ */

static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);

  *(char **) user_data = text != NULL ? text : g_strdup ("");
}

static gboolean
got_text (gpointer data)
{
  return *(char **) data != NULL;
}

/* Clicking an address in the header copies it. */
static void
check_address_copy (void)
{
  GtkWidget *from = find ("reader-from");
  g_autofree char *text = NULL;
  gboolean handled = FALSE;

  g_signal_emit_by_name (from, "activate-link", "zhangwei@example.cn", &handled);
  g_assert_true (handled);
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (from), NULL, on_clipboard_text, &text);
  wait_until (got_text, &text, "the clipboard");
  g_assert_cmpstr (text, ==, "zhangwei@example.cn");
}

static void
test_gbk_html (void)
{
  GtkListBox *attachments = GTK_LIST_BOX (find ("reader-attachments"));
  AdwPreferencesRow *row;
  const char *from;

  show ("季度会议纪要");

  /* The title WebKit parsed from the HTML we gave it: right only if GBK became UTF-8. */
  g_assert_cmpstr (wait_title (), ==, zh_title);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find ("reader-subject"))), ==, "季度会议纪要");
  from = gtk_label_get_text (GTK_LABEL (find ("reader-from")));
  g_assert_nonnull (strstr (from, "张伟"));
  g_assert_nonnull (strstr (from, "zhangwei@example.cn"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (find ("reader-to"))), "李娜 <bob@example.cn>"));
  g_assert_true (gtk_widget_get_visible (find ("reader-cc")));

  row = ADW_PREFERENCES_ROW (gtk_list_box_get_row_at_index (attachments, 0));
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (row), ==, "会议记录.txt");
  g_assert_null (gtk_list_box_get_row_at_index (attachments, 1));

  check_address_copy ();

  /* Nothing remote here, so no banner. */
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (find ("reader-remote-banner"))));

  if (g_getenv ("LB_TEST_SCREENSHOT_DIR") != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *light = g_build_filename (g_getenv ("LB_TEST_SCREENSHOT_DIR"),
                                                 "reader-gbk-light.png", NULL);
      g_autofree char *dark = g_build_filename (g_getenv ("LB_TEST_SCREENSHOT_DIR"),
                                                "reader-gbk-dark.png", NULL);
      ShowWait w;

      spin_for (1500);
      lb_ui_test_save_png (GTK_WIDGET (env.window), light, &error);
      g_assert_no_error (error);
      w.loads_before = env.loads_finished;
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          ADW_COLOR_SCHEME_FORCE_DARK);
      wait_until (body_loaded, &w, "dark");
      spin_for (1500);
      lb_ui_test_save_png (GTK_WIDGET (env.window), dark, &error);
      g_assert_no_error (error);
      show ("no-charset");
      spin_for (1500);
      g_free (dark);
      dark = g_build_filename (g_getenv ("LB_TEST_SCREENSHOT_DIR"), "reader-plain-dark.png", NULL);
      lb_ui_test_save_png (GTK_WIDGET (env.window), dark, &error);
      g_assert_no_error (error);
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          ADW_COLOR_SCHEME_DEFAULT);
    }
}

static void
test_no_charset (void)
{
  WebKitWebResource *main_resource;
  g_autoptr(GBytes) data = NULL;
  g_autofree char *text = NULL;

  show ("no-charset");
  /* No attachments: the list takes no room (once laid out again). */
  lb_ui_test_wait_for_frame (GTK_WIDGET (env.window));
  g_assert_cmpint (gtk_widget_get_height (find ("reader-attachments-revealer")), ==, 0);
  screenshot ("reader-plain-light");
  main_resource = webkit_web_view_get_main_resource (env.view);
  g_assert_nonnull (main_resource);
  data = resource_data (main_resource);
  text = g_strndup (g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_nonnull (strstr (text, zh_body));
  g_assert_nonnull (strstr (text, "class=\"quote\""));
  g_assert_nonnull (strstr (text, "上一封邮件的引用"));
}

static void
test_remote_blocked (void)
{
  GtkRevealer *banner = GTK_REVEALER (find ("reader-remote-banner"));
  g_auto(GStrv) allowed = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.letterbox.Letterbox");
  guint after_show;

  g_settings_reset (settings, "remote-content-allowed-senders");
  g_assert_cmpuint (http_count (), ==, 0);
  show ("remote");
  g_assert_true (gtk_revealer_get_reveal_child (banner));
  screenshot ("reader-remote-blocked");
  /* Whatever WebKit would still try after the load finished. */
  spin_for (1500);
  g_assert_cmpuint (http_count (), ==, 0);

  click ("reader-show-images-button");
  g_assert_false (gtk_revealer_get_reveal_child (banner));
  while (http_count () == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (http_count (), >, 0);

  /* "Show Images" was for that message only. */
  spin_for (1500);
  after_show = http_count ();
  show ("remote-again");
  g_assert_true (gtk_revealer_get_reveal_child (banner));
  spin_for (1500);
  g_assert_cmpuint (http_count (), ==, after_show);

  /* "Always for This Sender" remembers the address and shows at once. */
  show ("remote-friend");
  g_assert_true (gtk_revealer_get_reveal_child (banner));
  click ("reader-always-show-button");
  allowed = g_settings_get_strv (settings, "remote-content-allowed-senders");
  g_assert_true (g_strv_contains ((const char * const *) allowed, "friend@example.org"));
  g_assert_false (gtk_revealer_get_reveal_child (banner));
  while (http_count () == after_show)
    g_main_context_iteration (NULL, TRUE);

  /* And the next message from that sender loads directly; others stay blocked. */
  show ("remote");
  g_assert_true (gtk_revealer_get_reveal_child (banner));
  show ("remote-friend");
  g_assert_false (gtk_revealer_get_reveal_child (banner));
  g_settings_reset (settings, "remote-content-allowed-senders");

  /* The preference to load remote content in every message: no banner, and it loads. */
  g_settings_set_boolean (settings, "load-remote-content", TRUE);
  after_show = http_count ();
  show ("remote");
  g_assert_false (gtk_revealer_get_reveal_child (banner));
  while (http_count () == after_show)
    g_main_context_iteration (NULL, TRUE);
  g_settings_reset (settings, "load-remote-content");
  show ("remote-again");
  g_assert_true (gtk_revealer_get_reveal_child (banner));
}

static void
test_script (void)
{
  show ("script");
  g_assert_cmpstr (wait_title (), ==, "before");
  spin_for (500);
  g_assert_cmpstr (webkit_web_view_get_title (env.view), ==, "before");
}

static void
test_cid (void)
{
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GBytes) data = NULL;
  gsize png_len = 0;
  guchar *decoded;

  decoded = g_base64_decode (png_base64, &png_len);
  png = g_bytes_new_take (decoded, png_len);
  /* WebKit can report a custom-scheme resource finished a moment before the data it hands
   * out is whole, and on a loaded machine a resource's data can stay short however often
   * it is asked for (seen: 1 byte of 76).  So ask again a bounded number of times, and
   * show the message afresh (a new load, a new request to the handler) at most three
   * times, until the image the handler served is all there. */
  for (guint load = 0; load < 3 && (data == NULL || !g_bytes_equal (data, png)); load++)
    {
      g_ptr_array_set_size (env.cid_resources, 0);
      if (load > 0)
        show ("remote-friend");
      show ("cid");
      if (load == 0)
        screenshot ("reader-cid");
      g_assert_cmpuint (env.cid_resources->len, ==, 1);
      g_assert_cmpstr (webkit_web_resource_get_uri (g_ptr_array_index (env.cid_resources, 0)), ==,
                       "cid:red.dot@test");
      wait_until (resource_finished, g_ptr_array_index (env.cid_resources, 0), "the cid: image");
      for (guint attempt = 0; attempt < 50; attempt++)
        {
          g_clear_pointer (&data, g_bytes_unref);
          data = resource_data (g_ptr_array_index (env.cid_resources, 0));
          if (g_bytes_equal (data, png))
            break;
          spin_for (100);
        }
    }
  g_assert_cmpuint (g_bytes_get_size (data), ==, g_bytes_get_size (png));
  g_assert_true (g_bytes_equal (data, png));
}

static void
test_navigation (void)
{
  guint before = http_count ();

  show ("navigate");
  spin_for (1500);
  g_assert_cmpstr (webkit_web_view_get_uri (env.view), ==, "letterbox-message:///");
  g_assert_cmpstr (wait_title (), ==, "stay");
  g_assert_cmpuint (http_count (), ==, before);
}

static void
test_clear (void)
{
  GtkStack *stack = GTK_STACK (find ("reader-stack"));

  lb_reader_set_message (env.reader, NULL);
  g_assert_null (lb_reader_get_message (env.reader));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
}

/* Switching quickly: only the last message may end up on display. */
static void
test_stale (void)
{
  g_autoptr(LbMessage) a = find_message ("script");
  g_autoptr(LbMessage) b = find_message ("季度会议纪要");

  lb_reader_set_message (env.reader, a);
  lb_reader_set_message (env.reader, b);
  {
    ShowWait w = { env.loads_finished };

    wait_until (body_loaded, &w, "the last message");
  }
  g_assert_cmpstr (wait_title (), ==, zh_title);
  spin_for (500);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find ("reader-subject"))), ==, "季度会议纪要");
  g_assert_cmpstr (webkit_web_view_get_title (env.view), ==, zh_title);

  /* A new row object for the message on display (the list made it again) changes nothing. */
  {
    g_autoptr(LbMessage) again = find_message ("季度会议纪要");
    guint loads = env.loads_finished;

    lb_reader_set_message (env.reader, again);
    g_assert_true (lb_reader_get_message (env.reader) == again);
    spin_for (300);
    g_assert_cmpuint (env.loads_finished, ==, loads);
  }
}

/* Without an engine the message cannot be fetched: an error page, and "Try Again" works
 * once there is one. */
static void
test_error_try_again (void)
{
  g_autoptr(LbMessage) message = find_message ("script");
  GtkStack *stack = GTK_STACK (find ("reader-stack"));
  ShowWait w;

  lb_reader_set_message (env.reader, NULL);
  lb_reader_set_engine (env.reader, NULL);
  lb_reader_set_message (env.reader, message);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "error");
  screenshot ("reader-error");

  lb_reader_set_engine (env.reader, env.engine);
  w.loads_before = env.loads_finished;
  press ("reader-try-again-button");
  wait_until (body_loaded, &w, "the message after Try Again");
  g_assert_cmpstr (wait_title (), ==, "before");
}

static gboolean
link_opened (gpointer data)
{
  return g_file_test (env.opened_file, G_FILE_TEST_EXISTS);
}

#ifdef GDK_WINDOWING_X11
typedef int  (*FakeMotion) (Display *, int, int, int, unsigned long);
typedef int  (*FakeButton) (Display *, unsigned int, int, unsigned long);
#endif

/* A real click through the X server (XTEST, loaded at run time since only the library is
 * installed): the link opens in the "browser" and the view stays on the message. */
static void
test_link_click (void)
{
#ifdef GDK_WINDOWING_X11
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (env.window));
  void *xtst = dlopen ("libXtst.so.6", RTLD_NOW);
  FakeMotion fake_motion;
  FakeButton fake_button;
  Display *xdisplay;
  Window xid, child;
  graphene_point_t point;
  int root_x, root_y;
  g_autofree char *opened = NULL;
  g_autofree char *expected = g_strdup_printf ("http://127.0.0.1:%u/clicked\n", env.http_port);
  guint before = http_count ();

  if (!GDK_IS_X11_DISPLAY (display) || xtst == NULL)
    {
      g_test_skip ("needs X11 and libXtst");
      return;
    }
  fake_motion = (FakeMotion) dlsym (xtst, "XTestFakeMotionEvent");
  fake_button = (FakeButton) dlsym (xtst, "XTestFakeButtonEvent");
  g_assert_nonnull (fake_motion);
  g_assert_nonnull (fake_button);

  show ("link");
  g_assert_cmpstr (wait_title (), ==, "link");
  spin_for (500);

  xdisplay = gdk_x11_display_get_xdisplay (display);
  xid = gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (env.window)));
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (env.view), GTK_WIDGET (env.window),
                                           &GRAPHENE_POINT_INIT (40, 40), &point));
  XTranslateCoordinates (xdisplay, xid, DefaultRootWindow (xdisplay), (int) point.x,
                         (int) point.y, &root_x, &root_y, &child);
  fake_motion (xdisplay, -1, root_x, root_y, 0);
  XFlush (xdisplay);
  spin_for (500);
  /* Hovering the link contacts nobody. */
  g_assert_cmpuint (http_count (), ==, before);
  fake_button (xdisplay, 1, True, 0);
  XFlush (xdisplay);
  spin_for (100);
  fake_button (xdisplay, 1, False, 0);
  XFlush (xdisplay);

  wait_until (link_opened, NULL, "the browser to be asked to open the link");
  spin_for (500);
  g_assert_true (g_file_get_contents (env.opened_file, &opened, NULL, NULL));
  g_assert_cmpstr (opened, ==, expected);
  g_assert_cmpstr (webkit_web_view_get_uri (env.view), ==, "letterbox-message:///");
  g_assert_cmpstr (webkit_web_view_get_title (env.view), ==, "link");
  /* No count check after the click: WebKit may preconnect to a clicked link's host while it
   * asks decide-policy, and the browser is about to contact that host anyway.  The view
   * itself did not navigate (above). */
  dlclose (xtst);
#else
  g_test_skip ("needs X11");
#endif
}

typedef struct {
  gsize length;
} OpenedWait;

static gboolean
opened_grew (gpointer data)
{
  OpenedWait *w = data;
  g_autofree char *text = NULL;
  gsize length = 0;

  return g_file_get_contents (env.opened_file, &text, &length, NULL) && length > w->length
         && text[length - 1] == '\n';
}

/* "Open" writes the attachment to a private file in the cache and hands it to the
 * application for its type (the fake one, which writes down what it got). */
static void
test_open_attachment (void)
{
  g_autofree char *text = NULL;
  g_autofree char *base = g_build_filename (g_get_user_cache_dir (), "letterbox", "attachments",
                                            NULL);
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *content = NULL;
  g_auto(GStrv) lines = NULL;
  OpenedWait w = { 0 };
  GStatBuf st;
  guint n;

  g_file_get_contents (env.opened_file, &text, &w.length, NULL);
  show ("季度会议纪要");
  press ("reader-attachment-open");
  wait_until (opened_grew, &w, "the attachment to be opened");

  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (env.opened_file, &text, NULL, NULL));
  lines = g_strsplit (g_strchomp (text), "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >, 0);
  path = g_str_has_prefix (lines[n - 1], "file:") ? g_filename_from_uri (lines[n - 1], NULL, NULL)
                                                  : g_strdup (lines[n - 1]);
  g_assert_nonnull (path);
  g_assert_true (g_str_has_prefix (path, base));
  g_assert_true (g_str_has_suffix (path, "/会议记录.txt"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  dir = g_path_get_dirname (path);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_true (g_file_get_contents (path, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "hello");
}

static gboolean
has_toplevel (gpointer data)
{
  return lb_ui_test_find_toplevel ((GType) GPOINTER_TO_SIZE (data)) != NULL;
}

static gboolean
file_saved (gpointer data)
{
  g_autofree char *content = NULL;

  return g_file_get_contents (data, &content, NULL, NULL) && g_str_equal (content, "hello");
}

static gboolean
has_current_folder (gpointer data)
{
  g_autoptr(GFile) folder = gtk_file_chooser_get_current_folder (data);
  g_autoptr(GFile) file = gtk_file_chooser_get_file (data);

  return folder != NULL && file != NULL;
}

static gboolean
has_open_folder_toast (gpointer data)
{
  return lb_ui_test_find_button (GTK_WIDGET (env.reader), "_Open Folder") != NULL;
}

/* "Save" starts in the Downloads folder, and once saved a toast says so and offers to
 * show the folder. */
static void
test_save_attachment (void)
{
  g_autofree char *downloads = g_build_filename (g_get_home_dir (), "Downloads", NULL);
  g_autofree char *saved = g_build_filename (downloads, "会议记录.txt", NULL);
  g_autoptr(GFile) folder = NULL;
  GtkWindow *dialog;

  g_assert_cmpint (g_mkdir_with_parents (downloads, 0700), ==, 0);
  show ("季度会议纪要");
  /* Open has an "open elsewhere" icon (Adwaita 43's document-open is a folder). */
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (find ("reader-attachment-open"))), ==,
                   "external-link-symbolic");
  press ("reader-attachment-save");
  wait_until (has_toplevel, GSIZE_TO_POINTER (GTK_TYPE_FILE_CHOOSER_DIALOG), "the save dialog");
  dialog = lb_ui_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  /* The dialog takes its folder once it has loaded it. */
  wait_until (has_current_folder, dialog, "the save dialog's folder");
  folder = gtk_file_chooser_get_current_folder (GTK_FILE_CHOOSER (dialog));
  g_assert_cmpstr (g_file_peek_path (folder), ==, downloads);
  /* Accepted as it opened: the name proposed, in the folder it started in. */
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  wait_until (file_saved, saved, "the attachment to be saved in Downloads");
  wait_until (has_open_folder_toast, NULL, "the toast that offers the folder");
}

/* "Open" on a type no application opens offers "Open With…" (the applications there
 * are), rather than GTK's bare "Could not show link". */
static void
test_open_with (void)
{
  g_autofree char *data = g_base64_encode ((const guchar *) "\x01\x02lbz", 5);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *content_type = g_content_type_guess ("samples.lbz", NULL, 0, NULL);
  g_autoptr(GAppInfo) app = g_app_info_get_default_for_type (content_type, FALSE);
  GtkWindow *dialog;

  if (app != NULL)
    {
      g_test_skip ("an installed application opens every file");
      return;
    }
  text = g_strdup_printf ("From: lab@example.org\r\nTo: alice@example.com\r\n"
                          "Subject: open-with\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n"
                          "Message-ID: <open-with@test>\r\nMIME-Version: 1.0\r\n"
                          "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                          "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSamples.\r\n"
                          "--b1\r\nContent-Type: application/x-lb-samples\r\n"
                          "Content-Disposition: attachment; filename=samples.lbz\r\n"
                          "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b1--\r\n", data);
  deliver (text);
  lb_account_sync_async (env.account, 0, LB_JOB_PRIORITY_USER, NULL, got_result, NULL);
  lb_account_sync_finish (env.account, wait_result (), &error);
  g_assert_no_error (error);

  show ("open-with");
  press ("reader-attachment-open");
  wait_until (has_toplevel, GSIZE_TO_POINTER (GTK_TYPE_APP_CHOOSER_DIALOG),
              "the Open With dialog");
  dialog = lb_ui_test_find_toplevel (GTK_TYPE_APP_CHOOSER_DIALOG);
  g_assert_cmpstr (gtk_widget_get_name (GTK_WIDGET (dialog)), ==, "reader-open-with");
  g_assert_null (lb_ui_test_find_toplevel (GTK_TYPE_MESSAGE_DIALOG));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
}

/* Ctrl+plus and Ctrl+minus zoom the message; the zoom is remembered for its sender (in
 * GSettings), and Ctrl+0 forgets it. */
static void
test_zoom (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.letterbox.Letterbox");
  g_autoptr(GVariant) levels = NULL;
  double remembered = 0;

  g_settings_reset (settings, "zoom-levels");
  show ("季度会议纪要");
  g_assert_cmpfloat (lb_reader_get_zoom (env.reader), ==, 1.0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (env.reader), "reader.zoom-in", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (env.reader), "reader.zoom-in", NULL));
  g_assert_cmpfloat_with_epsilon (lb_reader_get_zoom (env.reader), 1.25, 0.001);
  g_assert_cmpfloat_with_epsilon (webkit_web_view_get_zoom_level (env.view), 1.25, 0.001);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (env.reader), "reader.zoom-out", NULL));
  g_assert_cmpfloat_with_epsilon (lb_reader_get_zoom (env.reader), 1.1, 0.001);
  levels = g_settings_get_value (settings, "zoom-levels");
  g_assert_true (g_variant_lookup (levels, "zhangwei@example.cn", "d", &remembered));
  g_assert_cmpfloat_with_epsilon (remembered, 1.1, 0.001);

  /* Another sender's message: its own size. */
  show ("no-charset");
  g_assert_cmpfloat (lb_reader_get_zoom (env.reader), ==, 1.0);
  g_assert_cmpfloat_with_epsilon (webkit_web_view_get_zoom_level (env.view), 1.0, 0.001);

  /* The first sender again: as it was left. */
  show ("季度会议纪要");
  g_assert_cmpfloat_with_epsilon (lb_reader_get_zoom (env.reader), 1.1, 0.001);
  g_assert_cmpfloat_with_epsilon (webkit_web_view_get_zoom_level (env.view), 1.1, 0.001);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (env.reader), "reader.zoom-reset", NULL));
  g_assert_cmpfloat (lb_reader_get_zoom (env.reader), ==, 1.0);
  g_clear_pointer (&levels, g_variant_unref);
  levels = g_settings_get_value (settings, "zoom-levels");
  g_assert_false (g_variant_lookup (levels, "zhangwei@example.cn", "d", &remembered));
}

typedef struct {
  GdkTexture *texture;
  gboolean    done;
} SnapshotWait;

static void
on_snapshot (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SnapshotWait *w = user_data;
  g_autoptr(GError) error = NULL;

  w->texture = webkit_web_view_get_snapshot_finish (WEBKIT_WEB_VIEW (source), result, &error);
  g_assert_no_error (error);
  w->done = TRUE;
}

static gboolean
snapshot_done (gpointer data)
{
  return ((SnapshotWait *) data)->done;
}

/* The width of the whole document as WebKit lays it out, in CSS pixels (a snapshot of
 * the full document is as wide as the document: JavaScript, which could ask, is off). */
static int
document_width (void)
{
  SnapshotWait w = { 0 };
  int width;

  webkit_web_view_get_snapshot (env.view, WEBKIT_SNAPSHOT_REGION_FULL_DOCUMENT,
                                WEBKIT_SNAPSHOT_OPTIONS_NONE, NULL, on_snapshot, &w);
  wait_until (snapshot_done, &w, "a snapshot of the message");
  width = gdk_texture_get_width (w.texture);
  g_object_unref (w.texture);
  return width;
}

/* A newsletter laid out 700 px wide fits a reader narrower than that: no sideways
 * scrolling.  In a wide reader it keeps its design. */
static void
test_fit_width (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  int view_width;

  text = g_strdup_printf ("From: news@shop.example\r\nTo: alice@example.com\r\n"
                          "Subject: newsletter\r\nDate: Tue, 3 Mar 2026 11:00:00 +0000\r\n"
                          "Message-ID: <newsletter@test>\r\nMIME-Version: 1.0\r\n"
                          "Content-Type: text/html; charset=utf-8\r\n\r\n"
                          "<html><head><title>newsletter</title></head><body>"
                          "<table width=\"700\" style=\"width:700px\" bgcolor=\"#ffeedd\"><tr>"
                          "<td width=\"350\">Spring sale: everything must go, this week only.</td>"
                          "<td width=\"350\">Free shipping on orders over 50 euros.</td>"
                          "</tr></table></body></html>\r\n");
  deliver (text);
  lb_account_sync_async (env.account, 0, LB_JOB_PRIORITY_USER, NULL, got_result, NULL);
  lb_account_sync_finish (env.account, wait_result (), &error);
  g_assert_no_error (error);

  gtk_window_set_default_size (env.window, 480, 700);
  for (guint i = 0; i < 3; i++)
    lb_ui_test_wait_for_frame (GTK_WIDGET (env.window));
  show ("newsletter");
  view_width = gtk_widget_get_width (GTK_WIDGET (env.view));
  g_assert_cmpint (view_width, <, 700);
  g_assert_cmpint (document_width (), <=, view_width);
  screenshot ("reader-newsletter-narrow");

  gtk_window_set_default_size (env.window, 900, 700);
  for (guint i = 0; i < 3; i++)
    lb_ui_test_wait_for_frame (GTK_WIDGET (env.window));
  show ("newsletter");
  g_assert_cmpint (document_width (), >=, 700);
}

static gboolean
shows_error (gpointer data)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (find ("reader-stack"))),
                    "error") == 0;
}

/* Last: stops the servers.  A message that was never downloaded cannot be shown, and the
 * reader says why. */
static void
test_offline (void)
{
  g_autoptr(LbMessage) message = find_message ("offline");
  g_autoptr(GBytes) cached = lb_engine_get_cached_body (env.engine, lb_message_get_id (message));

  if (cached != NULL)
    {
      g_test_skip ("the engine downloaded the body during sync");
      return;
    }

  g_clear_pointer (&env.servers, lb_test_servers_stop);
  lb_reader_set_message (env.reader, message);
  wait_until (shows_error, NULL, "the error page");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (find ("reader-error-page"))), ==,
                   "You Are Offline");
  screenshot ("reader-offline");
}

static void
count_signal (LbReader *reader,
              guint    *count)
{
  (*count)++;
}

static void
test_signals (void)
{
  static const char * const names[][2] = {
    { "reply", "reader-reply-button" },
    { "reply-all", "reader-reply-all-button" },
    { "forward", "reader-forward-button" },
  };

  show ("cid");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      guint count = 0;
      gulong id = g_signal_connect (env.reader, names[i][0], G_CALLBACK (count_signal), &count);

      press (names[i][1]);
      g_assert_cmpuint (count, ==, 1);
      g_signal_handler_disconnect (env.reader, id);
    }
}

/* ---- Preparing ------------------------------------------------------------------------- */

static void
count_call (guint *count)
{
  (*count)++;
}

static void
count_finished (WebKitWebView   *view,
                WebKitLoadEvent  event,
                guint           *count)
{
  if (event == WEBKIT_LOAD_FINISHED)
    (*count)++;
}

static gboolean
count_reached (gpointer data)
{
  return *(guint *) data > 0;
}

static gboolean
view_has_title (gpointer data)
{
  return webkit_web_view_get_title (data) != NULL && *webkit_web_view_get_title (data) != '\0';
}

/* lb_reader_prepare() starts WebKit with an empty page before any message: that load is not
 * a body (no "body-loaded"), and the first body afterwards is. */
static void
test_prepare (void)
{
  g_autoptr(LbMessage) message = find_message ("coloured");
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  LbReader *reader = lb_reader_new ();
  WebKitWebView *view;
  GtkWidget *body_view;
  guint finished = 0;
  guint bodies = 0;
  gpointer weak = reader;

  lb_reader_set_engine (reader, env.engine);
  gtk_window_set_child (window, GTK_WIDGET (reader));
  gtk_window_present (window);
  /* The module is loaded by now, so the view is made with the reader. */
  view = WEBKIT_WEB_VIEW (lb_ui_test_find_widget (GTK_WIDGET (reader), "reader-web-view"));
  g_assert_nonnull (view);
  body_view = gtk_widget_get_parent (GTK_WIDGET (view));
  g_signal_connect (view, "load-changed", G_CALLBACK (count_finished), &finished);
  g_signal_connect_swapped (body_view, "body-loaded", G_CALLBACK (count_call), &bodies);

  lb_reader_prepare (reader);
  wait_until (count_reached, &finished, "the prepared page");
  spin_for (200);
  g_assert_cmpuint (bodies, ==, 0);

  lb_reader_set_message (reader, message);
  wait_until (count_reached, &bodies, "the body after preparing");
  /* WebKit reports the <title> a little after the load has finished. */
  wait_until (view_has_title, view, "the body's title");
  g_assert_cmpstr (webkit_web_view_get_title (view), ==, "coloured");
  g_assert_cmpuint (bodies, ==, 1);

  g_object_add_weak_pointer (G_OBJECT (reader), &weak);
  gtk_window_destroy (window);
  lb_ui_test_wait_until_gone (&weak);
}

/* ---- Dark mode ---------------------------------------------------------------------------- */

/* The colour of the web view at a point near its bottom right, where the short test
 * messages leave the page blank: the page background as rendered. */
static guint32
page_pixel (void)
{
  GtkWidget *widget = GTK_WIDGET (env.view);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *data = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  const guchar *px;

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return 0;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  data = g_malloc ((gsize) width * height * 4);
  /* Cairo's ARGB32 in native byte order: B, G, R, A on little-endian machines. */
  gdk_texture_download (texture, data, (gsize) width * 4);
  px = data + ((gsize) (height - 20) * width + (width - 20)) * 4;
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  return (guint32) px[2] << 16 | (guint32) px[1] << 8 | px[0];
#else
  return (guint32) px[1] << 16 | (guint32) px[2] << 8 | px[3];
#endif
}

static gboolean
page_pixel_is (gpointer data)
{
  return page_pixel () == GPOINTER_TO_UINT (data);
}

static void
check_page (const char *subject,
            guint32     rgb,
            gboolean    paper)
{
  g_autofree char *what = g_strdup_printf ("%s on #%06x", subject, rgb);
  GtkWidget *body_view = gtk_widget_get_parent (GTK_WIDGET (env.view));
  GdkRGBA background;

  show (subject);
  /* WebKit paints a moment after the load has finished. */
  wait_until (page_pixel_is, GUINT_TO_POINTER (rgb), what);
  g_assert_true (gtk_widget_has_css_class (body_view, "lb-paper") == paper);
  webkit_web_view_get_background_color (env.view, &background);
  if (rgb == 0x1e1e1e)
    g_assert_cmpfloat (background.red, <, 0.2);
  else
    g_assert_cmpfloat (background.red, ==, 1.0);
}

/* In dark mode, plain text and HTML without colours of its own follow the dark style; HTML
 * with colours of its own keeps them, on a light sheet of paper. */
static void
test_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  check_page ("季度会议纪要", 0x1e1e1e, FALSE);
  check_page ("no-charset", 0x1e1e1e, FALSE);
  check_page ("coloured", 0xfffbe6, TRUE);

  if (g_getenv ("LB_TEST_SCREENSHOT_DIR") != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_build_filename (g_getenv ("LB_TEST_SCREENSHOT_DIR"),
                                                "reader-coloured-dark.png", NULL);

      spin_for (1000);
      lb_ui_test_save_png (GTK_WIDGET (env.window), path, &error);
      g_assert_no_error (error);
    }

  /* Back to light: everything on white, no paper. */
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  check_page ("coloured", 0xfffbe6, FALSE);
  check_page ("季度会议纪要", 0xffffff, FALSE);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* A signed message says so in the header block and lists its signature (issue 17,
 * cause 13); other messages have no such mark. */
static void
test_signed (void)
{
  GtkListBox *attachments;
  GtkWidget *row;

  show ("signed");
  g_assert_true (gtk_widget_get_visible (find ("reader-signed")));
  attachments = GTK_LIST_BOX (find ("reader-attachments"));
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (attachments, 0));
  g_assert_nonnull (row);
  g_assert_null (gtk_list_box_get_row_at_index (attachments, 1));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "signature.asc");
  screenshot ("reader-signed");

  show ("no-charset");
  g_assert_false (gtk_widget_get_visible (find ("reader-signed")));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  lb_ui_test_setup_environment ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();

  env_setup ();
  g_test_add_func ("/ui/reader/gbk-html", test_gbk_html);
  g_test_add_func ("/ui/reader/no-charset", test_no_charset);
  g_test_add_func ("/ui/reader/remote-blocked", test_remote_blocked);
  g_test_add_func ("/ui/reader/script", test_script);
  g_test_add_func ("/ui/reader/cid", test_cid);
  g_test_add_func ("/ui/reader/navigation", test_navigation);
  g_test_add_func ("/ui/reader/link-click", test_link_click);
  g_test_add_func ("/ui/reader/open-attachment", test_open_attachment);
  g_test_add_func ("/ui/reader/save-attachment", test_save_attachment);
  g_test_add_func ("/ui/reader/open-with", test_open_with);
  g_test_add_func ("/ui/reader/zoom", test_zoom);
  g_test_add_func ("/ui/reader/fit-width", test_fit_width);
  g_test_add_func ("/ui/reader/stale", test_stale);
  g_test_add_func ("/ui/reader/error-try-again", test_error_try_again);
  g_test_add_func ("/ui/reader/signals", test_signals);
  g_test_add_func ("/ui/reader/clear", test_clear);
  g_test_add_func ("/ui/reader/offline", test_offline);
  g_test_add_func ("/ui/reader/dark", test_dark);
  g_test_add_func ("/ui/reader/prepare", test_prepare);
  g_test_add_func ("/ui/reader/signed", test_signed);
  status = g_test_run ();
  env_teardown ();
  return status;
}
