/* test-rich-composer.c: the formatted composer under Xvfb, sending to the SMTP fixture
 *
 * Writes a message the way a user does (typing through the buffer, the toolbar's
 * actions, a link, a pasted image), sends it and checks both parts and the inline image
 * as the SMTP server received them; plain-text mode; a formatted draft written out and
 * read back; a reply to formatted mail; a forward of formatted mail, with its inline
 * image and its attachment.  With LB_RICH_SCREENSHOT_DIR=DIR it saves PNGs
 * of the composer (light and dark) there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "lb-composer.h"
#include "lb-draft.h"
#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-outbox-item.h"
#include "lb-reader.h"
#include "lb-rich-editor.h"
#include "lb-test-env.h"
#include "lb-test-fixture.h"
#include "lb-test-wait.h"
#include "lb-ui-test-util.h"

static LbComposer *
find_composer (void)
{
  return LB_COMPOSER (lb_ui_test_find_toplevel (LB_TYPE_COMPOSER));
}

static LbRichEditor *
editor_of (GtkWidget *root)
{
  GtkWidget *body = lb_ui_test_find_widget (root, "body");

  g_assert_nonnull (body);
  return LB_RICH_EDITOR (gtk_widget_get_ancestor (body, LB_TYPE_RICH_EDITOR));
}

static GtkTextBuffer *
buffer_of (LbRichEditor *editor)
{
  return gtk_text_view_get_buffer (lb_rich_editor_get_text_view (editor));
}

/* As typed: through the buffer's interactive insert at the cursor, one Return at a time. */
static void
type (LbRichEditor *editor,
      const char   *text)
{
  GtkTextBuffer *buffer = buffer_of (editor);

  for (const char *p = text; *p != '\0';)
    {
      gsize n = *p == '\n' ? 1 : strcspn (p, "\n");

      gtk_text_buffer_insert_interactive_at_cursor (buffer, p, (int) n, TRUE);
      p += n;
      lb_test_iterate_for (1);
    }
}

static void
select_back (LbRichEditor *editor,
             int           chars)
{
  GtkTextBuffer *buffer = buffer_of (editor);
  GtkTextIter end, start;

  gtk_text_buffer_get_iter_at_mark (buffer, &end, gtk_text_buffer_get_insert (buffer));
  start = end;
  gtk_text_iter_backward_chars (&start, chars);
  gtk_text_buffer_select_range (buffer, &end, &start);
}

static void
cursor_to_end (LbRichEditor *editor)
{
  GtkTextBuffer *buffer = buffer_of (editor);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
}

static void
act (LbRichEditor *editor,
     const char   *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), action, NULL));
}

static GdkTexture *
red_square (int size)
{
  g_autoptr(GByteArray) pixels = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;

  for (int i = 0; i < size * size; i++)
    g_byte_array_append (pixels, (const guint8 *) "\xe0\x1b\x24\xff", 4);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&pixels));
  return gdk_memory_texture_new (size, size, GDK_MEMORY_R8G8B8A8, bytes, (gsize) size * 4);
}

/* Bold text, a bulleted and a numbered list, a link, a quote and an image. */
static void
write_formatted (LbRichEditor *editor)
{
  g_autoptr(GdkTexture) image = red_square (24);

  type (editor, "你好，这是 ");
  type (editor, "粗体");
  select_back (editor, 2);
  act (editor, "editor.bold");
  cursor_to_end (editor);
  /* The cursor is after bold text, so typing goes on bold until it is turned off. */
  lb_test_iterate_for (1);
  act (editor, "editor.bold");
  type (editor, " and italic\n");
  select_back (editor, 7);
  {
    GtkTextIter a, b;
    gtk_text_buffer_get_selection_bounds (buffer_of (editor), &a, &b);
    gtk_text_iter_backward_char (&b);   /* not the line end */
    gtk_text_buffer_select_range (buffer_of (editor), &a, &b);
  }
  act (editor, "editor.italic");
  cursor_to_end (editor);
  type (editor, "first");
  act (editor, "editor.bullets");
  cursor_to_end (editor);
  /* Return on the empty third item ends the list, as in a word processor. */
  type (editor, "\nsecond\n\n\n");
  type (editor, "step one");
  act (editor, "editor.numbers");
  cursor_to_end (editor);
  type (editor, "\nstep two\n\n\n");
  type (editor, "Letterbox");
  select_back (editor, 9);
  lb_rich_editor_set_link (editor, "https://example.org/lb?a=1&b=2");
  cursor_to_end (editor);
  type (editor, "\n");
  type (editor, "引用的一行");
  act (editor, "editor.quote");
  cursor_to_end (editor);
  type (editor, "\n");
  lb_rich_editor_insert_texture (editor, image);
}

static const char expected_text[] =
  "你好，这是 粗体 and italic\n"
  "- first\n"
  "- second\n"
  "\n"
  "1. step one\n"
  "2. step two\n"
  "\n"
  "Letterbox <https://example.org/lb?a=1&b=2>\n"
  "> 引用的一行\n";

static void
check_html (const char *html)
{
  g_assert_nonnull (strstr (html, "<b>粗体</b>"));
  g_assert_nonnull (strstr (html, "<i>italic</i>"));
  g_assert_nonnull (strstr (html, "<li>first</li>\n<li>second</li>\n</ul>"));
  g_assert_nonnull (strstr (html, "<li>step one</li>\n<li>step two</li>\n</ol>"));
  g_assert_nonnull (strstr (html, "<a href=\"https://example.org/lb?a=1&amp;b=2\">Letterbox</a>"));
  g_assert_nonnull (strstr (html, "<div>引用的一行</div>\n</blockquote>"));
  g_assert_null (strstr (html, "<script"));
  g_assert_null (strstr (html, "http://"));
}

static void
save_shots (GtkWidget  *window,
            const char *name)
{
  const char *dir = g_getenv ("LB_RICH_SCREENSHOT_DIR");
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr(GError) error = NULL;

  if (dir == NULL)
    return;
  for (int dark = 0; dark < 2; dark++)
    {
      g_autofree char *file = g_strdup_printf ("%s-%s.png", name, dark ? "dark" : "light");
      g_autofree char *path = g_build_filename (dir, file, NULL);

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                      : ADW_COLOR_SCHEME_FORCE_LIGHT);
      lb_test_iterate_for (300);
      g_assert_true (lb_ui_test_save_png (window, path, &error));
      g_assert_no_error (error);
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* For review only (LB_RICH_SCREENSHOT_DIR): the received message in Letterbox's own
 * reader, delivered to the inbox and synced as any mail. */
static void
shoot_reader (LbTestEnv  *env,
              GBytes     *raw)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMessageList) list = NULL;
  g_autoptr(LbMessage) message = NULL;
  GtkWindow *window;
  LbReader *reader;

  if (g_getenv ("LB_RICH_SCREENSHOT_DIR") == NULL)
    return;
  g_assert_true (lb_test_servers_deliver (env->servers, "alice@example.com", "INBOX", raw, NULL, &error));
  g_assert_no_error (error);
  lb_test_env_sync_ok (env);
  list = lb_engine_open_folder (env->engine,
                                lb_folder_get_id (lb_account_find_folder (env->account, LB_FOLDER_ROLE_INBOX)));
  while (g_list_model_get_n_items (G_LIST_MODEL (list)) == 0)
    g_main_context_iteration (NULL, TRUE);
  message = g_list_model_get_item (G_LIST_MODEL (list), 0);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 760, 640);
  reader = lb_reader_new ();
  lb_reader_set_engine (reader, env->engine);
  gtk_window_set_child (window, GTK_WIDGET (reader));
  gtk_window_present (window);
  lb_reader_set_message (reader, message);
  /* The web view's module loads on a thread and the page renders in its own process. */
  lb_test_iterate_for (4000);
  save_shots (GTK_WIDGET (window), "reader");
  gtk_window_destroy (window);
}

static char *
receive_one (LbTestEnv *env)
{
  g_autoptr(GPtrArray) received = lb_test_servers_wait_smtp (env->servers, 1, 10000);
  char *got = NULL;

  g_assert_cmpuint (received->len, ==, 1);
  g_assert_true (g_file_get_contents (((LbTestSmtpMessage *) g_ptr_array_index (received, 0))->path,
                                      &got, NULL, NULL));
  return got;
}

static void
send_and_wait (LbComposer *composer)
{
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  while (composer != NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_send_formatted (void)
{
  LbTestEnvOptions options = { .smtp = TRUE, .display_name = "爱丽丝" };
  LbTestEnv env = { 0 };
  LbComposer *composer;
  LbRichEditor *editor;
  g_autofree char *got = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *cid = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(LbMessageContent) content = NULL;
  const char *html, *src;

  lb_test_env_start (&env, &options);
  lb_composer_open_new (NULL, env.engine);
  composer = find_composer ();
  g_assert_nonnull (composer);
  editor = editor_of (GTK_WIDGET (composer));
  g_assert_true (lb_rich_editor_get_formatted (editor));
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "to")),
                         "鲍勃 <bob@example.org>");
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "subject")),
                         "格式化的邮件");
  write_formatted (editor);
  {
    g_autofree char *text = lb_rich_editor_dup_text (editor);
    g_assert_cmpstr (text, ==, expected_text);
  }
  save_shots (GTK_WIDGET (composer), "composer");
  send_and_wait (composer);

  got = receive_one (&env);
  lower = g_ascii_strdown (got, -1);
  g_assert_nonnull (strstr (lower, "content-type: multipart/alternative"));
  g_assert_nonnull (strstr (lower, "content-type: multipart/related"));
  raw = g_bytes_new (got, strlen (got));
  content = lb_message_content_new_from_bytes (raw, NULL);
  g_assert_nonnull (content);
  g_assert_cmpstr (lb_message_content_get_text (content), ==, expected_text);
  html = lb_message_content_get_html (content);
  g_assert_nonnull (html);
  check_html (html);
  /* The image: referenced by cid:, and the part with that Content-ID is a PNG. */
  src = strstr (html, "src=\"cid:");
  g_assert_nonnull (src);
  cid = g_strndup (src + 9, strcspn (src + 9, "\""));
  g_assert_nonnull (lb_message_content_lookup_cid (content, cid, NULL));
  header = g_strdup_printf ("content-id: <%s>", cid);
  g_assert_nonnull (strstr (lower, header));
  g_assert_nonnull (strstr (lower, "content-type: image/png"));
  g_assert_true (lb_test_wait_n_items (lb_engine_get_outbox (env.engine), 0, 30));
  shoot_reader (&env, raw);
  lb_test_env_stop (&env);
}

/* Plain text for this message: the list becomes "- ", and only text/plain is sent. */
static void
test_plain_mode (void)
{
  LbTestEnvOptions options = { .smtp = TRUE };
  LbTestEnv env = { 0 };
  LbComposer *composer;
  LbRichEditor *editor;
  g_autofree char *got = NULL;
  g_autofree char *lower = NULL;
  GtkTextIter a, b;
  g_autofree char *text = NULL;

  lb_test_env_start (&env, &options);
  lb_composer_open_new (NULL, env.engine);
  composer = find_composer ();
  editor = editor_of (GTK_WIDGET (composer));
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "to")),
                         "bob@example.org");
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "subject")),
                         "plain");
  type (editor, "item");
  act (editor, "editor.bullets");
  cursor_to_end (editor);
  type (editor, "\nsecond");
  act (editor, "editor.formatted");
  g_assert_false (lb_rich_editor_get_formatted (editor));
  /* No formatting buttons in plain text. */
  g_assert_false (gtk_widget_get_visible (lb_ui_test_find_widget (GTK_WIDGET (composer), "format-buttons")));
  gtk_text_buffer_get_bounds (buffer_of (editor), &a, &b);
  text = gtk_text_buffer_get_text (buffer_of (editor), &a, &b, TRUE);
  g_assert_cmpstr (text, ==, "- item\n- second");
  send_and_wait (composer);

  /* The preference: new messages start in plain text. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_boolean (settings, "compose-formatted", FALSE);
    lb_composer_open_new (NULL, env.engine);
    g_assert_false (lb_rich_editor_get_formatted (editor_of (GTK_WIDGET (find_composer ()))));
    gtk_window_destroy (GTK_WINDOW (find_composer ()));
    g_settings_reset (settings, "compose-formatted");
  }

  got = receive_one (&env);
  lower = g_ascii_strdown (got, -1);
  g_assert_nonnull (strstr (lower, "content-type: text/plain"));
  g_assert_null (strstr (lower, "multipart"));
  g_assert_null (strstr (lower, "text/html"));
  g_assert_nonnull (strstr (got, "- item\r\n- second"));
  g_assert_true (lb_test_wait_n_items (lb_engine_get_outbox (env.engine), 0, 30));
  lb_test_env_stop (&env);
}

static GtkWidget *
editor_window (LbRichEditor **out_editor)
{
  GtkWidget *window = gtk_window_new ();
  LbRichEditor *editor = g_object_new (LB_TYPE_RICH_EDITOR, NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 600, 500);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (editor));
  gtk_window_present (GTK_WINDOW (window));
  *out_editor = editor;
  return window;
}

static guint
count_images (LbRichEditor *editor)
{
  GtkTextBuffer *buffer = buffer_of (editor);
  GtkTextIter i;
  guint n = 0;

  for (gtk_text_buffer_get_start_iter (buffer, &i); !gtk_text_iter_is_end (&i);
       gtk_text_iter_forward_char (&i))
    n += gtk_text_iter_get_paintable (&i) != NULL;
  return n;
}

static gboolean
text_has_tag (LbRichEditor *editor,
              const char   *needle,
              const char   *tag_name)
{
  GtkTextBuffer *buffer = buffer_of (editor);
  GtkTextIter start, found;

  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_true (gtk_text_iter_forward_search (&start, needle, 0, &found, NULL, NULL));
  return gtk_text_iter_has_tag (&found, gtk_text_tag_table_lookup (
    gtk_text_buffer_get_tag_table (buffer), tag_name));
}

/* Return in a quote continues the quote; Return on an empty quoted line ends it (the
 * empty line goes, as an empty list item does). */
static void
test_quote_return (void)
{
  LbRichEditor *editor;
  GtkWidget *window = editor_window (&editor);
  g_autofree char *text = NULL;

  type (editor, "first");
  act (editor, "editor.quote");
  cursor_to_end (editor);
  type (editor, "\nsecond");
  g_assert_true (text_has_tag (editor, "first", "quote"));
  g_assert_true (text_has_tag (editor, "second", "quote"));
  type (editor, "\n\nafter");
  g_assert_false (text_has_tag (editor, "after", "quote"));
  text = lb_rich_editor_dup_text (editor);
  g_assert_cmpstr (text, ==, "> first\n> second\nafter");
  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_toplevel_named (const char *name)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_widget_get_name (w), name) == 0 && gtk_widget_get_visible (w))
        return w;
    }
  return NULL;
}

/* Turning formatting off drops the images: with images it asks first, and only the
 * confirmation switches; without images it switches at once. */
static void
test_plain_asks (void)
{
  LbRichEditor *editor;
  GtkWidget *window = editor_window (&editor);
  g_autoptr(GdkTexture) square = red_square (8);
  GtkWidget *dialog;

  type (editor, "text ");
  lb_rich_editor_insert_texture (editor, square);
  act (editor, "editor.formatted");
  g_assert_true (lb_rich_editor_get_formatted (editor));
  dialog = find_toplevel_named ("plain-text-dialog");
  g_assert_nonnull (dialog);
  /* As a click on the button: the response, then the dialog closes. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  lb_test_iterate_for (50);
  g_assert_true (lb_rich_editor_get_formatted (editor));
  g_assert_cmpuint (count_images (editor), ==, 1);

  act (editor, "editor.formatted");
  dialog = find_toplevel_named ("plain-text-dialog");
  g_assert_nonnull (dialog);
  save_shots (dialog, "plain-text-dialog");
  /* As a click on the button: the response, then the dialog closes. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "plain");
  gtk_window_destroy (GTK_WINDOW (dialog));
  lb_test_iterate_for (50);
  g_assert_false (lb_rich_editor_get_formatted (editor));
  g_assert_cmpuint (count_images (editor), ==, 0);

  /* Without images there is nothing to lose: no question. */
  act (editor, "editor.formatted");
  g_assert_true (lb_rich_editor_get_formatted (editor));
  act (editor, "editor.formatted");
  g_assert_false (lb_rich_editor_get_formatted (editor));
  g_assert_null (find_toplevel_named ("plain-text-dialog"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A formatted draft, written out as the composer saves it and read back as it reopens
 * it, is the same formatted text: the same HTML, the image with the same Content-ID. */
static void
test_draft_roundtrip (void)
{
  LbRichEditor *editor, *reopened;
  GtkWidget *w1 = editor_window (&editor);
  GtkWidget *w2 = editor_window (&reopened);
  g_autoptr(LbDraft) d = lb_draft_new ();
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(LbMessageContent) content = NULL;
  g_autoptr(LbDraft) again = NULL;
  g_autoptr(GPtrArray) images2 = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *html2 = NULL;
  g_autofree char *text2 = NULL;

  write_formatted (editor);
  d->from = lb_mailbox_new (NULL, "alice@example.com");
  d->subject = g_strdup ("draft");
  d->body = lb_rich_editor_dup_text (editor);
  d->body_html = lb_rich_editor_dup_html (editor, d->inline_images);
  g_assert_cmpuint (d->inline_images->len, ==, 1);
  raw = lb_draft_build (d, LB_DRAFT_BUILD_KEEP_BCC, NULL);
  content = lb_message_content_new_from_bytes (raw, NULL);
  again = lb_draft_new_for_editing (content, NULL);

  lb_rich_editor_load_html (reopened, again->body_html, again->inline_images);
  html2 = lb_rich_editor_dup_html (reopened, images2);
  text2 = lb_rich_editor_dup_text (reopened);
  g_assert_cmpstr (html2, ==, d->body_html);
  g_assert_cmpstr (text2, ==, d->body);
  g_assert_cmpuint (images2->len, ==, 1);
  g_assert_cmpstr (lb_attachment_get_content_id (g_ptr_array_index (images2, 0)), ==,
                   lb_attachment_get_content_id (g_ptr_array_index (d->inline_images, 0)));
  gtk_window_destroy (GTK_WINDOW (w1));
  gtk_window_destroy (GTK_WINDOW (w2));
}

/* A formatted message reopened in the composer (here a failed one from the outbox; a
 * draft from Drafts takes the same path) opens formatted, its image included; a plain
 * one opens in plain-text mode. */
static LbOutboxItem *
queue_failed (LbTestEnv  *env,
              LbDraft    *d,
              guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = lb_draft_build (d, LB_DRAFT_BUILD_DEFAULT, NULL);
  g_auto(GStrv) rcpts = lb_draft_dup_recipients (d);
  GListModel *outbox = lb_engine_get_outbox (env->engine);
  LbOutboxItem *item = NULL;
  gboolean queued = TRUE;

  lb_engine_send_async (env->engine, env->account, raw, (const char * const *) rcpts, NULL,
                        lb_test_got_result, &env->result);
  g_assert_false (lb_engine_send_finish (env->engine, lb_test_env_wait (env), &queued, &error));
  g_clear_error (&error);
  while (g_list_model_get_n_items (outbox) != n)
    g_main_context_iteration (NULL, TRUE);
  for (;;)
    {
      for (guint i = 0; i < n && item == NULL; i++)
        {
          g_autoptr(LbOutboxItem) it = g_list_model_get_item (outbox, i);

          if (lb_outbox_item_get_state (it) == LB_OUTBOX_STATE_FAILED
              && g_strcmp0 (lb_outbox_item_get_subject (it), d->subject) == 0)
            item = g_steal_pointer (&it);
        }
      if (item != NULL)
        return item;
      g_main_context_iteration (NULL, TRUE);
    }
}

static LbRichEditor *
open_item (LbTestEnv    *env,
           LbOutboxItem *item,
           const char   *subject)
{
  LbComposer *composer;
  GtkWidget *subject_entry;

  lb_composer_open_outbox_item (NULL, env->engine, item);
  composer = find_composer ();
  g_assert_nonnull (composer);
  subject_entry = lb_ui_test_find_widget (GTK_WIDGET (composer), "subject");
  while (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (subject_entry)), subject) != 0)
    g_main_context_iteration (NULL, TRUE);
  return editor_of (GTK_WIDGET (composer));
}

static void
test_reopen_formatted (void)
{
  LbTestEnvOptions options = { .smtp = TRUE, .secret = "wrong password" };
  LbTestEnv env = { 0 };
  g_autoptr(LbDraft) rich = lb_draft_new ();
  g_autoptr(LbDraft) plain = lb_draft_new ();
  g_autoptr(GdkTexture) square = red_square (8);
  g_autoptr(GBytes) png = gdk_texture_save_to_png_bytes (square);
  g_autoptr(LbOutboxItem) rich_item = NULL;
  g_autoptr(LbOutboxItem) plain_item = NULL;
  LbRichEditor *editor;
  GtkTextBuffer *buffer;
  GtkTextIter start, found;
  gboolean has_image = FALSE;

  lb_test_env_start (&env, &options);
  rich->from = lb_mailbox_new (NULL, "alice@example.com");
  g_ptr_array_add (rich->to, lb_mailbox_new (NULL, "bob@example.org"));
  rich->subject = g_strdup ("rich one");
  rich->body = g_strdup ("Hello world\n");
  rich->body_html = g_strdup ("<html><body><div>Hello <b>world</b></div>"
                              "<div><img src=\"cid:sq@letterbox\"></div></body></html>");
  g_ptr_array_add (rich->inline_images, lb_attachment_new_inline ("sq.png", "image/png", "sq@letterbox", png));
  plain->from = lb_mailbox_new (NULL, "alice@example.com");
  g_ptr_array_add (plain->to, lb_mailbox_new (NULL, "bob@example.org"));
  plain->subject = g_strdup ("plain one");
  plain->body = g_strdup ("Just text\n");
  rich_item = queue_failed (&env, rich, 1);
  plain_item = queue_failed (&env, plain, 2);

  editor = open_item (&env, rich_item, "rich one");
  buffer = buffer_of (editor);
  g_assert_true (lb_rich_editor_get_formatted (editor));
  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_true (gtk_text_iter_forward_search (&start, "world", 0, &found, NULL, NULL));
  g_assert_true (gtk_text_iter_has_tag (&found, gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "bold")));
  for (gtk_text_buffer_get_start_iter (buffer, &start); !gtk_text_iter_is_end (&start);
       gtk_text_iter_forward_char (&start))
    has_image |= gtk_text_iter_get_paintable (&start) != NULL;
  g_assert_true (has_image);
  gtk_window_destroy (GTK_WINDOW (find_composer ()));

  editor = open_item (&env, plain_item, "plain one");
  g_assert_false (lb_rich_editor_get_formatted (editor));
  gtk_window_destroy (GTK_WINDOW (find_composer ()));
  lb_test_env_stop (&env);
}

/* Pasting an image puts it in the text; dropping an image file on a formatted message
 * does too, while another file is attached. */
static void
test_paste_and_drop (void)
{
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };
  LbComposer *composer;
  LbRichEditor *editor;
  GtkWidget *view;
  g_autoptr(GdkTexture) square = red_square (16);
  g_autofree char *png_path = NULL;
  g_autofree char *txt_path = NULL;
  g_autoptr(GListModel) controllers = NULL;
  GtkDropTarget *drop = NULL;
  GSList *files = NULL;
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;

  lb_test_env_start (&env, &options);
  lb_composer_open_new (NULL, env.engine);
  composer = find_composer ();
  editor = editor_of (GTK_WIDGET (composer));
  view = GTK_WIDGET (lb_rich_editor_get_text_view (editor));

  gdk_clipboard_set_texture (gtk_widget_get_clipboard (view), square);
  g_signal_emit_by_name (view, "paste-clipboard");
  LB_UI_TEST_WAIT_UNTIL (count_images (editor) == 1);

  png_path = g_build_filename (env.profile, "图.png", NULL);
  txt_path = g_build_filename (env.profile, "notes.txt", NULL);
  g_assert_true (gdk_texture_save_to_png (square, png_path));
  g_assert_true (g_file_set_contents (txt_path, "notes\n", -1, NULL));
  files = g_slist_append (files, g_file_new_for_path (png_path));
  files = g_slist_append (files, g_file_new_for_path (txt_path));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_slist_free_full (files, g_object_unref);
  controllers = gtk_widget_observe_controllers (GTK_WIDGET (composer));
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && drop == NULL; i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (c))
        drop = GTK_DROP_TARGET (c);
    }
  g_assert_nonnull (drop);
  g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &handled);
  g_value_unset (&value);
  g_assert_true (handled);
  LB_UI_TEST_WAIT_UNTIL (count_images (editor) == 2
                         && gtk_widget_get_visible (lb_ui_test_find_widget (GTK_WIDGET (composer), "attachments")));

  gtk_window_destroy (GTK_WINDOW (composer));
  lb_test_env_stop (&env);
}

/* Whatever is typed as a link's address, no script URL goes out. */
static void
test_unsafe_link (void)
{
  LbRichEditor *editor;
  GtkWidget *window = editor_window (&editor);
  g_autofree char *html = NULL;

  type (editor, "click me");
  select_back (editor, 8);
  lb_rich_editor_set_link (editor, "javascript:alert(1)");
  lb_rich_editor_set_link (editor, "JAVASCRIPT:alert(2)");
  lb_rich_editor_set_link (editor, "data:text/html,<script>alert(3)</script>");
  html = lb_rich_editor_dup_html (editor, NULL);
  g_assert_null (strstr (html, "<a "));
  g_assert_null (g_strstr_len (html, -1, "alert"));
  lb_rich_editor_set_link (editor, "mailto:bob@example.org");
  g_clear_pointer (&html, g_free);
  html = lb_rich_editor_dup_html (editor, NULL);
  g_assert_nonnull (strstr (html, "<a href=\"mailto:bob@example.org\">click me</a>"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Ctrl+B, Ctrl+I, Ctrl+U and Ctrl+K are the editor's, bubbling after the text view. */
static gboolean
has_shortcut (GtkWidget  *widget,
              guint       key,
              const char *action_name)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) trigger = gtk_keyval_trigger_new (key, GDK_CONTROL_MASK);

  for (guint c = 0; c < g_list_model_get_n_items (controllers); c++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, c);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller)
          || gtk_event_controller_get_propagation_phase (controller) != GTK_PHASE_BUBBLE)
        continue;
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (controller)); i++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), i);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger)
              && GTK_IS_NAMED_ACTION (action)
              && g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), action_name))
            return TRUE;
        }
    }
  return FALSE;
}

static void
test_shortcuts (void)
{
  LbRichEditor *editor;
  GtkWidget *window = editor_window (&editor);

  g_assert_true (has_shortcut (GTK_WIDGET (editor), GDK_KEY_b, "editor.bold"));
  g_assert_true (has_shortcut (GTK_WIDGET (editor), GDK_KEY_i, "editor.italic"));
  g_assert_true (has_shortcut (GTK_WIDGET (editor), GDK_KEY_u, "editor.underline"));
  g_assert_true (has_shortcut (GTK_WIDGET (editor), GDK_KEY_k, "editor.link"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static const char html_original[] =
  "From: Bob <bob@example.org>\r\n"
  "To: alice@example.com\r\n"
  "Subject: Plan\r\n"
  "Date: Mon, 07 Dec 2026 09:00:00 +0000\r\n"
  "Message-ID: <plan.1@example.org>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/html; charset=utf-8\r\n"
  "\r\n"
  "<html><head><script>alert('x')</script></head><body>"
  "<p>The <b>plan</b>:</p><ul><li>eat</li></ul>"
  "<img src=\"https://tracker.example/open.gif\">"
  "</body></html>\r\n";

static const char plain_original[] =
  "From: Bob <bob@example.org>\r\n"
  "To: alice@example.com\r\n"
  "Subject: Plain plan\r\n"
  "Date: Mon, 07 Dec 2026 09:30:00 +0000\r\n"
  "Message-ID: <plan.2@example.org>\r\n"
  "\r\n"
  "Just *text*.\r\n";

static LbMessage *
message_with_subject (LbMessageList *list,
                      const char    *subject)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (g_strcmp0 (lb_message_get_subject (m), subject) == 0)
        return g_steal_pointer (&m);
    }
  g_assert_not_reached ();
}

static LbRichEditor *
open_reply (LbTestEnv  *env,
            LbMessage  *message,
            const char *needle)
{
  LbComposer *composer;
  LbRichEditor *editor;
  GtkTextIter start, found;

  lb_composer_open_reply (NULL, env->engine, message, FALSE);
  composer = find_composer ();
  g_assert_nonnull (composer);
  editor = editor_of (GTK_WIDGET (composer));
  /* The original is parsed on a thread; the quote arrives after the window. */
  LB_UI_TEST_WAIT_UNTIL ((gtk_text_buffer_get_start_iter (buffer_of (editor), &start),
                          gtk_text_iter_forward_search (&start, needle, 0, &found, NULL, NULL)));
  return editor;
}

/* Through the composer: the reply to formatted mail is quoted formatted, the reply to
 * plain mail as "> " text. */
static void
test_reply_in_composer (void)
{
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) html_raw = g_bytes_new_static (html_original, sizeof html_original - 1);
  g_autoptr(GBytes) plain_raw = g_bytes_new_static (plain_original, sizeof plain_original - 1);
  g_autoptr(LbMessageList) list = NULL;
  g_autoptr(LbMessage) html_message = NULL;
  g_autoptr(LbMessage) plain_message = NULL;
  LbRichEditor *editor;
  GtkTextTagTable *table;
  GtkTextIter start, found;
  g_autofree char *html = NULL;
  g_autofree char *text = NULL;

  lb_test_env_start_servers (&env, &options);
  g_assert_true (lb_test_servers_deliver (env.servers, "alice@example.com", "INBOX", html_raw, NULL, &error));
  g_assert_true (lb_test_servers_deliver (env.servers, "alice@example.com", "INBOX", plain_raw, NULL, &error));
  lb_test_env_open_profile (&env);
  lb_test_env_add_account (&env);
  lb_test_env_sync_ok (&env);
  list = lb_engine_open_folder (env.engine,
                                lb_folder_get_id (lb_account_find_folder (env.account, LB_FOLDER_ROLE_INBOX)));
  while (g_list_model_get_n_items (G_LIST_MODEL (list)) < 2)
    g_main_context_iteration (NULL, TRUE);
  html_message = message_with_subject (list, "Plan");
  plain_message = message_with_subject (list, "Plain plan");

  editor = open_reply (&env, html_message, "plan");
  table = gtk_text_buffer_get_tag_table (buffer_of (editor));
  gtk_text_buffer_get_start_iter (buffer_of (editor), &start);
  g_assert_true (gtk_text_iter_forward_search (&start, "plan", 0, &found, NULL, NULL));
  g_assert_true (gtk_text_iter_has_tag (&found, gtk_text_tag_table_lookup (table, "bold")));
  g_assert_true (gtk_text_iter_has_tag (&found, gtk_text_tag_table_lookup (table, "quote")));
  html = lb_rich_editor_dup_html (editor, NULL);
  g_assert_null (strstr (html, "script"));
  g_assert_null (strstr (html, "tracker"));
  save_shots (GTK_WIDGET (find_composer ()), "reply");
  gtk_window_destroy (GTK_WINDOW (find_composer ()));

  editor = open_reply (&env, plain_message, "> Just *text*.");
  text = lb_rich_editor_dup_text (editor);
  g_assert_nonnull (strstr (text, "\n> Just *text*."));
  gtk_text_buffer_get_start_iter (buffer_of (editor), &start);
  g_assert_true (gtk_text_iter_forward_search (&start, "Just", 0, &found, NULL, NULL));
  table = gtk_text_buffer_get_tag_table (buffer_of (editor));
  g_assert_false (gtk_text_iter_has_tag (&found, gtk_text_tag_table_lookup (table, "quote")));
  gtk_window_destroy (GTK_WINDOW (find_composer ()));

  g_clear_object (&list);
  lb_test_env_stop (&env);
}

/* Formatted, with a script, a remote image, an inline image by cid: and an attachment. */
static const char html_forwarded[] =
  "From: Bob <bob@example.org>\r\n"
  "To: alice@example.com\r\n"
  "Subject: Chart\r\n"
  "Date: Mon, 07 Dec 2026 10:00:00 +0000\r\n"
  "Message-ID: <chart.1@example.org>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: multipart/mixed; boundary=\"mix\"\r\n"
  "\r\n"
  "--mix\r\n"
  "Content-Type: multipart/related; boundary=\"rel\"\r\n"
  "\r\n"
  "--rel\r\n"
  "Content-Type: text/html; charset=utf-8\r\n"
  "\r\n"
  "<html><head><script>alert('x')</script></head><body>"
  "<p>The <b>chart</b> for 季度:</p><p><img src=\"cid:chart@example.org\"></p>"
  "<img src=\"https://tracker.example/open.gif\">"
  "</body></html>\r\n"
  "--rel\r\n"
  "Content-Type: image/png\r\n"
  "Content-ID: <chart@example.org>\r\n"
  "Content-Transfer-Encoding: base64\r\n"
  "\r\n"
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4ISeHFTEMLQkAkL9BAbKfPiIAAAAASUVORK5CYII=\r\n"
  "--rel--\r\n"
  "--mix\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "Content-Disposition: attachment; filename=\"notes.txt\"\r\n"
  "\r\n"
  "Attached notes.\r\n"
  "--mix--\r\n";

/* A forward of formatted mail, in formatted mode, goes out formatted: the original's
 * HTML simplified (no script, no remote image), its inline image as an inline part by
 * cid:, its attachment as an attachment.  As the SMTP fixture received it. */
static void
test_forward_html (void)
{
  LbTestEnvOptions options = { .smtp = TRUE };
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static (html_forwarded, sizeof html_forwarded - 1);
  g_autoptr(LbMessageList) list = NULL;
  g_autoptr(LbMessage) message = NULL;
  g_autoptr(GBytes) sent = NULL;
  g_autoptr(LbMessageContent) content = NULL;
  g_autofree char *got = NULL;
  g_autofree char *cid = NULL;
  LbComposer *composer;
  LbRichEditor *editor;
  GtkTextIter start, found;
  GPtrArray *attachments;
  const char *html, *src;
  gboolean has_notes = FALSE;

  lb_test_env_start_servers (&env, &options);
  g_assert_true (lb_test_servers_deliver (env.servers, "alice@example.com", "INBOX", raw, NULL, &error));
  lb_test_env_open_profile (&env);
  lb_test_env_add_account (&env);
  lb_test_env_sync_ok (&env);
  list = lb_engine_open_folder (env.engine,
                                lb_folder_get_id (lb_account_find_folder (env.account, LB_FOLDER_ROLE_INBOX)));
  while (g_list_model_get_n_items (G_LIST_MODEL (list)) < 1)
    g_main_context_iteration (NULL, TRUE);
  message = message_with_subject (list, "Chart");

  lb_composer_open_forward (NULL, env.engine, message);
  composer = find_composer ();
  g_assert_nonnull (composer);
  editor = editor_of (GTK_WIDGET (composer));
  g_assert_true (lb_rich_editor_get_formatted (editor));
  LB_UI_TEST_WAIT_UNTIL ((gtk_text_buffer_get_start_iter (buffer_of (editor), &start),
                          gtk_text_iter_forward_search (&start, "chart", 0, &found, NULL, NULL)));
  g_assert_true (gtk_text_iter_has_tag (&found, gtk_text_tag_table_lookup (
    gtk_text_buffer_get_tag_table (buffer_of (editor)), "bold")));
  g_assert_cmpuint (count_images (editor), ==, 1);
  gtk_editable_set_text (GTK_EDITABLE (lb_ui_test_find_widget (GTK_WIDGET (composer), "to")),
                         "Carol <carol@example.org>");
  save_shots (GTK_WIDGET (composer), "forward");
  send_and_wait (composer);

  got = receive_one (&env);
  sent = g_bytes_new (got, strlen (got));
  content = lb_message_content_new_from_bytes (sent, NULL);
  g_assert_nonnull (content);
  g_assert_cmpstr (lb_message_content_get_subject (content), ==, "Fwd: Chart");
  g_assert_nonnull (strstr (lb_message_content_get_text (content), "chart for 季度"));
  html = lb_message_content_get_html (content);
  g_assert_nonnull (html);
  g_assert_nonnull (strstr (html, "<b>chart</b>"));
  g_assert_null (strstr (html, "script"));
  g_assert_null (strstr (html, "tracker"));
  src = strstr (html, "src=\"cid:");
  g_assert_nonnull (src);
  cid = g_strndup (src + 9, strcspn (src + 9, "\""));
  g_assert_nonnull (lb_message_content_lookup_cid (content, cid, NULL));
  attachments = lb_message_content_get_attachments (content);
  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    if (g_str_equal (lb_attachment_get_filename (g_ptr_array_index (attachments, i)), "notes.txt"))
      has_notes = TRUE;
  g_assert_true (has_notes);
  /* The copy in Sent is made after sending: the outbox empties once it is there. */
  g_assert_true (lb_test_wait_n_items (lb_engine_get_outbox (env.engine), 0, 30));

  g_clear_object (&message);
  g_clear_object (&list);
  lb_test_env_stop (&env);
}

/* A reply to formatted mail is quoted formatted in the editor and in what it sends. */
static void
test_reply_html (void)
{
  LbRichEditor *editor;
  GtkWidget *window = editor_window (&editor);
  g_autoptr(GBytes) raw = g_bytes_new_static (html_original, sizeof html_original - 1);
  g_autoptr(LbMessageContent) original = lb_message_content_new_from_bytes (raw, NULL);
  g_autoptr(LbMailbox) me = lb_mailbox_new (NULL, "alice@example.com");
  const char *own[] = { "alice@example.com", NULL };
  g_autoptr(LbDraft) reply = lb_draft_new_reply (original, me, own, FALSE);
  GtkTextBuffer *buffer = buffer_of (editor);
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  g_autofree char *html = NULL;
  g_autofree char *text = NULL;
  GtkTextIter start, plan;

  g_assert_nonnull (reply->body_html);
  lb_rich_editor_load_html (editor, reply->body_html, reply->inline_images);
  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_true (gtk_text_iter_forward_search (&start, "plan", 0, &plan, NULL, NULL));
  g_assert_true (gtk_text_iter_has_tag (&plan, gtk_text_tag_table_lookup (table, "bold")));
  g_assert_true (gtk_text_iter_has_tag (&plan, gtk_text_tag_table_lookup (table, "quote")));
  text = lb_rich_editor_dup_text (editor);
  g_assert_nonnull (strstr (text, "> The plan:\n> - eat"));
  html = lb_rich_editor_dup_html (editor, NULL);
  g_assert_nonnull (strstr (html, "<blockquote"));
  g_assert_nonnull (strstr (html, "<b>plan</b>"));
  g_assert_null (strstr (html, "script"));
  g_assert_null (strstr (html, "tracker"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Text an input method commits (Chinese, from the IM context the text view's key
 * controller feeds) is ordinary typing: it takes the formatting at the cursor. */
static void
test_input_method_commit (void)
{
  LbRichEditor *editor;
  GtkWidget *window = editor_window (&editor);
  GtkWidget *view = GTK_WIDGET (lb_rich_editor_get_text_view (editor));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (view);
  GtkIMContext *im = NULL;
  GtkTextBuffer *buffer = buffer_of (editor);
  GtkTextIter start;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && im == NULL; i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (c))
        im = gtk_event_controller_key_get_im_context (GTK_EVENT_CONTROLLER_KEY (c));
    }
  g_assert_nonnull (im);
  g_assert_true (GTK_IS_IM_MULTICONTEXT (im));
  gtk_widget_grab_focus (view);
  act (editor, "editor.bold");
  g_signal_emit_by_name (im, "commit", "你好");
  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_cmpuint (gtk_text_iter_get_char (&start), ==, g_utf8_get_char ("你"));
  g_assert_true (gtk_text_iter_has_tag (&start, gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "bold")));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSettings) settings = NULL;

  lb_ui_test_setup_environment ();
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  settings = g_settings_new (APP_ID);
  g_settings_set_int (settings, "undo-send-delay", 0);
  g_test_add_func ("/rich-composer/send-formatted", test_send_formatted);
  g_test_add_func ("/rich-composer/plain-mode", test_plain_mode);
  g_test_add_func ("/rich-composer/draft-roundtrip", test_draft_roundtrip);
  g_test_add_func ("/rich-composer/reopen-formatted", test_reopen_formatted);
  g_test_add_func ("/rich-composer/paste-and-drop", test_paste_and_drop);
  g_test_add_func ("/rich-composer/unsafe-link", test_unsafe_link);
  g_test_add_func ("/rich-composer/shortcuts", test_shortcuts);
  g_test_add_func ("/rich-composer/reply-html", test_reply_html);
  g_test_add_func ("/rich-composer/reply-in-composer", test_reply_in_composer);
  g_test_add_func ("/rich-composer/input-method-commit", test_input_method_commit);
  g_test_add_func ("/rich-composer/forward-html", test_forward_html);
  g_test_add_func ("/rich-composer/quote-return", test_quote_return);
  g_test_add_func ("/rich-composer/plain-asks", test_plain_asks);
  return g_test_run ();
}
