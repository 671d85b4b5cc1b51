/* lb-message-actions.c: keeping a message: print, its own window, its source, a .eml file
 *
 * What every desktop mail client does with the message being read, apart from the reader
 * (lb-reader.c) so that the reader stays a view.  Each starts from the raw message, as
 * received: from the body cache when it is there, else fetched from the server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lb-body-view.h"
#include "lb-composer.h"
#include "lb-message-actions.h"
#include "lb-reader.h"
#include "lb-sending.h"

/* ---- The raw message ------------------------------------------------------------- */

static void
raw_fetched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GBytes *raw = lb_account_fetch_body_finish (LB_ACCOUNT (source), result, &error);

  if (raw == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, raw, (GDestroyNotify) g_bytes_unref);
}

/**
 * lb_message_fetch_raw_async:
 *
 * The message as received: from the cache, else from the server.
 */
void
lb_message_fetch_raw_async (LbEngine            *engine,
                            LbMessage           *message,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GBytes *cached = lb_engine_get_cached_body (engine, lb_message_get_id (message));
  LbAccount *account;

  if (cached != NULL)
    {
      g_task_return_pointer (task, cached, (GDestroyNotify) g_bytes_unref);
      return;
    }
  account = lb_engine_get_account (engine, lb_message_get_account_id (message));
  if (account == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                               _("The message is no longer available."));
      return;
    }
  lb_account_fetch_body_async (account, lb_message_get_id (message), cancellable, raw_fetched,
                               g_steal_pointer (&task));
}

GBytes *
lb_message_fetch_raw_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
say (GtkWindow  *parent,
     const char *text)
{
  lb_sending_show_toast (parent, adw_toast_new (text));
}

/* ---- Save as .eml ---------------------------------------------------------------- */

typedef struct {
  GtkWindow *parent;
  GFile     *file;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->parent);
  g_clear_object (&data->file);
  g_free (data);
}

static void
eml_written (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SaveData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not save the message: %s"), error->message);

      say (data->parent, text);
    }
  else
    {
      g_autofree char *name = g_file_get_basename (data->file);
      /* Translators: %s is a file name. */
      g_autofree char *text = g_strdup_printf (_("Saved as “%s”"), name);

      say (data->parent, text);
    }
  save_data_free (data);
}

static void
eml_fetched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SaveData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = lb_message_fetch_raw_finish (result, &error);

  if (raw == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not save the message: %s"), error->message);

      say (data->parent, text);
      save_data_free (data);
      return;
    }
  /* The bytes as received, nothing re-encoded: another client opens the same message. */
  g_file_replace_contents_bytes_async (data->file, raw, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION, NULL, eml_written, data);
}

void
lb_message_save_eml_to (GtkWindow *parent,
                        LbEngine  *engine,
                        LbMessage *message,
                        GFile     *file)
{
  SaveData *data = g_new0 (SaveData, 1);

  data->parent = parent != NULL ? g_object_ref (parent) : NULL;
  data->file = g_object_ref (file);
  lb_message_fetch_raw_async (engine, message, NULL, eml_fetched, data);
}

/* A file name from the subject: no directory separators, not empty, not too long. */
static char *
eml_name (LbMessage *message)
{
  const char *subject = lb_message_get_subject (message);
  g_autoptr(GString) name = g_string_new (NULL);

  for (const char *p = subject; *p != '\0' && name->len < 120; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || c == '\\' || c == ':' || g_unichar_iscntrl (c))
        g_string_append_c (name, '_');
      else
        g_string_append_unichar (name, c);
    }
  g_strstrip (name->str);
  if (name->str[0] == '\0' || name->str[0] == '.')
    {
      g_string_assign (name, _("message"));
    }
  return g_strconcat (name->str, ".eml", NULL);
}

static GFile *
downloads (void)
{
  const char *dir = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return g_file_new_for_path (g_get_home_dir ());
  return g_file_new_for_path (dir);
}

static void
on_eml_chosen (GtkNativeDialog *dialog,
               int              response,
               gpointer         user_data)
{
  LbEngine *engine = g_object_get_data (G_OBJECT (dialog), "lb-engine");
  LbMessage *message = g_object_get_data (G_OBJECT (dialog), "lb-message");
  GtkWindow *parent = gtk_native_dialog_get_transient_for (dialog);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        lb_message_save_eml_to (parent, engine, message, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

/**
 * lb_message_save_eml:
 *
 * "Save as .eml": asks where (the Downloads folder first), then writes the message as
 * received and confirms with a toast.
 */
void
lb_message_save_eml (GtkWindow *parent,
                     LbEngine  *engine,
                     LbMessage *message)
{
  g_autoptr(GFile) folder = downloads ();
  g_autofree char *name = eml_name (message);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Save Message"), parent, GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_filter_set_name (filter, _("Email messages"));
  gtk_file_filter_add_mime_type (filter, "message/rfc822");
  gtk_file_filter_add_suffix (filter, "eml");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_object_set_data_full (G_OBJECT (dialog), "lb-engine", g_object_ref (engine), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "lb-message", g_object_ref (message), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_eml_chosen), NULL);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- View Source ----------------------------------------------------------------- */

static void
copy_source (GtkButton   *button,
             GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (view));

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (view)), text);
  if (GTK_IS_WINDOW (root))
    {
      AdwToastOverlay *overlay = g_object_get_data (G_OBJECT (root), "lb-toasts");

      if (overlay != NULL)
        adw_toast_overlay_add_toast (overlay, adw_toast_new (_("Copied")));
    }
}

/**
 * lb_source_window_new:
 * @raw: the message as received
 *
 * The message's source: its bytes as text (UTF-8 as it is, anything else made valid), in
 * a monospace, read-only view that can be copied whole.
 */
GtkWidget *
lb_source_window_new (GtkWindow  *parent,
                      const char *title,
                      GBytes     *raw)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  /* No mnemonic: a header-bar button (in Chinese it would read 复制(C)). */
  GtkWidget *copy = gtk_button_new_with_label (_("Copy"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  GtkWidget *overlay = adw_toast_overlay_new ();
  gsize len = 0;
  const char *data = g_bytes_get_data (raw, &len);
  g_autofree char *text = g_utf8_make_valid (data != NULL ? data : "", len);
  /* Translators: the title of the window with a message's source; %s is its subject. */
  g_autofree char *window_title = g_strdup_printf (_("Source of “%s”"), title);

  gtk_window_set_title (GTK_WINDOW (window), window_title);
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 600);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_widget_set_name (window, "source-window");

  gtk_widget_set_name (copy, "source-copy-button");
  gtk_widget_set_tooltip_text (copy, _("Copy the whole source"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), copy);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   adw_window_title_new (_("Message Source"), title));
  gtk_box_append (GTK_BOX (box), header);

  gtk_widget_set_name (view, "source-view");
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_set_vexpand (scrolled, TRUE);
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), scrolled);
  gtk_box_append (GTK_BOX (box), overlay);
  g_object_set_data (G_OBJECT (window), "lb-toasts", overlay);
  g_signal_connect (copy, "clicked", G_CALLBACK (copy_source), view);

  adw_window_set_content (ADW_WINDOW (window), box);
  return window;
}

typedef struct {
  GtkWindow *parent;
  char      *title;
} SourceData;

static void
source_fetched (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SourceData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = lb_message_fetch_raw_finish (result, &error);

  if (raw == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the message: %s"), error->message);

      say (data->parent, text);
    }
  else
    gtk_window_present (GTK_WINDOW (lb_source_window_new (data->parent, data->title, raw)));
  g_clear_object (&data->parent);
  g_free (data->title);
  g_free (data);
}

void
lb_message_view_source (GtkWindow *parent,
                        LbEngine  *engine,
                        LbMessage *message)
{
  SourceData *data = g_new0 (SourceData, 1);

  data->parent = parent != NULL ? g_object_ref (parent) : NULL;
  data->title = g_strdup (lb_message_get_subject (message));
  lb_message_fetch_raw_async (engine, message, NULL, source_fetched, data);
}

/* ---- A message in its own window ---------------------------------------------------- */

/**
 * lb_message_window_new:
 *
 * The message alone, in the reader's safe view, in a window that can stay open beside the
 * main one.
 */
GtkWidget *
lb_message_window_new (GtkWindow *parent,
                       LbEngine  *engine,
                       LbMessage *message)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  LbReader *reader = lb_reader_new ();

  gtk_window_set_title (GTK_WINDOW (window), lb_message_get_subject (message));
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 700);
  gtk_widget_set_name (window, "message-window");
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  if (GTK_IS_APPLICATION_WINDOW (parent))
    gtk_window_set_application (GTK_WINDOW (window),
                                gtk_window_get_application (parent));
  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_name (GTK_WIDGET (reader), "reader");
  gtk_widget_set_vexpand (GTK_WIDGET (reader), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (reader));
  adw_window_set_content (ADW_WINDOW (window), box);
  lb_reader_set_engine (reader, engine);
  lb_reader_set_message (reader, message);
  return window;
}

/* ---- Print ------------------------------------------------------------------------- */

/* The header block's address lines, in the order a printed message shows them. */
static const char *const header_labels[] = { N_("From:"), N_("To:"), N_("Cc:") };

static GPtrArray *
header_list (LbMessageContent *content,
             guint             index)
{
  switch (index)
    {
    case 0:
      return lb_message_content_get_from (content);
    case 1:
      return lb_message_content_get_to (content);
    default:
      return lb_message_content_get_cc (content);
    }
}

/* The date as the attribution line says it, weekday and month translated by Letterbox. */
static char *
print_date (LbMessageContent *content)
{
  return lb_message_content_format_date (content);
}

/**
 * lb_message_print_text:
 *
 * What a printed plain message shows, as Pango markup: the subject (bold, larger), the
 * header block, then the text.  @body_start is set to the byte where the text begins, the
 * header block's rule is drawn above it.
 *
 * Returns: (transfer full): the markup
 */
char *
lb_message_print_text (LbMessageContent *content,
                       int              *body_start)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *when = print_date (content);
  const char *subject = lb_message_content_get_subject (content);
  const char *text = lb_message_content_get_text (content);
  g_autofree char *escaped_text = g_markup_escape_text (text != NULL ? text : "", -1);
  g_autofree char *escaped_subject = g_markup_escape_text (subject != NULL ? subject : "", -1);

  g_string_append_printf (s, "<span size=\"x-large\" weight=\"bold\">%s</span>\n",
                          escaped_subject);
  for (guint l = 0; l < G_N_ELEMENTS (header_labels); l++)
    {
      GPtrArray *list = header_list (content, l);

      if (list == NULL || list->len == 0)
        continue;
      g_string_append_printf (s, "<span foreground=\"#555555\">%s</span> ", _(header_labels[l]));
      for (guint i = 0; i < list->len; i++)
        {
          g_autofree char *one = lb_mailbox_to_string (g_ptr_array_index (list, i));
          g_autofree char *escaped = g_markup_escape_text (one, -1);

          g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", escaped);
        }
      g_string_append_c (s, '\n');
    }
  if (when != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (when, -1);

      g_string_append_printf (s, "<span foreground=\"#555555\">%s</span> %s\n", _("Date:"),
                              escaped);
    }
  g_string_append (s, "\n\n");
  if (body_start != NULL)
    *body_start = (int) s->len;
  g_string_append (s, escaped_text);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

typedef struct {
  char        *markup;
  int          body_start;    /* the byte in the layout's text where the body begins */
  int          rule_line;     /* the line above which the header block's rule is drawn */
  PangoLayout *layout;
  GArray      *page_starts;   /* int: the first line of each page */
} PrintData;

static void
print_data_free (PrintData *data)
{
  g_free (data->markup);
  g_clear_object (&data->layout);
  g_clear_pointer (&data->page_starts, g_array_unref);
  g_free (data);
}

static void
begin_print (GtkPrintOperation *op,
             GtkPrintContext   *context,
             PrintData         *data)
{
  double height = gtk_print_context_get_height (context);
  PangoFontDescription *font = pango_font_description_from_string ("Sans 10");
  g_autofree char *plain = NULL;
  double used = 0;
  int n_lines;
  int first = 0;
  int x_pos;

  data->layout = gtk_print_context_create_pango_layout (context);
  pango_layout_set_font_description (data->layout, font);
  pango_font_description_free (font);
  pango_layout_set_width (data->layout, (int) (gtk_print_context_get_width (context) * PANGO_SCALE));
  pango_layout_set_wrap (data->layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_markup (data->layout, data->markup, -1);
  /* The markup's offset is not the text's: find the body by the header's text length. */
  data->markup[data->body_start] = '\0';
  pango_parse_markup (data->markup, -1, 0, NULL, &plain, NULL, NULL);
  pango_layout_index_to_line_x (data->layout, plain != NULL ? (int) strlen (plain) : 0, FALSE,
                                &data->rule_line, &x_pos);
  /* The rule goes in the middle of the two blank lines between the header and the body. */
  data->rule_line = MAX (data->rule_line - 1, 1);
  data->page_starts = g_array_new (FALSE, FALSE, sizeof (int));
  g_array_append_val (data->page_starts, first);
  n_lines = pango_layout_get_line_count (data->layout);
  for (int i = 0; i < n_lines; i++)
    {
      PangoRectangle logical;
      double line_height;

      pango_layout_line_get_extents (pango_layout_get_line_readonly (data->layout, i), NULL, &logical);
      line_height = (double) logical.height / PANGO_SCALE;
      if (used + line_height > height && i > 0)
        {
          g_array_append_val (data->page_starts, i);
          used = 0;
        }
      used += line_height;
    }
  gtk_print_operation_set_n_pages (op, (int) data->page_starts->len);
}

static void
draw_page (GtkPrintOperation *op,
           GtkPrintContext   *context,
           int                page,
           PrintData         *data)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  int first = g_array_index (data->page_starts, int, page);
  int last = (guint) page + 1 < data->page_starts->len
             ? g_array_index (data->page_starts, int, page + 1)
             : pango_layout_get_line_count (data->layout);
  double y = 0;

  cairo_set_source_rgb (cr, 0, 0, 0);
  for (int i = first; i < last; i++)
    {
      PangoLayoutLine *line = pango_layout_get_line_readonly (data->layout, i);
      PangoRectangle logical;

      pango_layout_line_get_extents (line, NULL, &logical);
      if (i == data->rule_line)
        {
          /* The rule under the header block, as in the printed HTML message. */
          double middle = y + (double) logical.height / PANGO_SCALE / 2;

          cairo_set_line_width (cr, 0.75);
          cairo_move_to (cr, 0, middle);
          cairo_line_to (cr, gtk_print_context_get_width (context), middle);
          cairo_stroke (cr);
        }
      cairo_move_to (cr, (double) logical.x / PANGO_SCALE,
                     y - (double) logical.y / PANGO_SCALE);
      pango_cairo_show_layout_line (cr, line);
      y += (double) logical.height / PANGO_SCALE;
    }
}

typedef struct {
  GtkWindow        *parent;
  char             *export_pdf;
  char             *title;
  LbMessageContent *content;
  LbBodyView       *view;      /* HTML only: the web view that prints it */
  gboolean          allow_remote;
} PrintJob;

static void
print_job_free (PrintJob *job)
{
  g_clear_object (&job->parent);
  g_free (job->export_pdf);
  g_free (job->title);
  if (job->view != NULL)
    g_signal_handlers_disconnect_by_data (job->view, job);
  g_clear_object (&job->view);
  g_clear_object (&job->content);
  g_free (job);
}

static void
print_failed (PrintJob     *job,
              const GError *error)
{
  g_autofree char *text = g_strdup_printf (_("Could not print the message: %s"),
                                           error != NULL ? error->message : "");

  say (job->parent, text);
}

static void
print_plain (PrintJob *job)
{
  g_autoptr(GtkPrintOperation) op = NULL;
  g_autoptr(GError) error = NULL;
  PrintData *data = g_new0 (PrintData, 1);

  data->markup = lb_message_print_text (job->content, &data->body_start);
  op = gtk_print_operation_new ();
  gtk_print_operation_set_job_name (op, job->title);
  gtk_print_operation_set_embed_page_setup (op, TRUE);
  g_signal_connect (op, "begin-print", G_CALLBACK (begin_print), data);
  g_signal_connect (op, "draw-page", G_CALLBACK (draw_page), data);
  g_object_set_data_full (G_OBJECT (op), "lb-print-data", data, (GDestroyNotify) print_data_free);
  if (job->export_pdf != NULL)
    {
      gtk_print_operation_set_export_filename (op, job->export_pdf);
      gtk_print_operation_run (op, GTK_PRINT_OPERATION_ACTION_EXPORT, job->parent, &error);
    }
  else
    gtk_print_operation_run (op, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, job->parent, &error);
  if (error != NULL)
    print_failed (job, error);
  print_job_free (job);
}

static void
append_header_row (GString    *s,
                   const char *label,
                   const char *value)
{
  g_autofree char *escaped = g_markup_escape_text (value, -1);

  g_string_append_printf (s, "<tr><td style=\"color:#555555;padding:1px 10px 1px 0;"
                          "vertical-align:top;white-space:nowrap\">%s</td>"
                          "<td style=\"padding:1px 0\">%s</td></tr>", label, escaped);
}

/* The header block above a printed HTML message: the same as for plain mail (the subject
 * bold and larger, a rule below), styled inline so that the message's own style sheet,
 * which applies to the whole page, does not restyle it. */
static char *
print_header_html (LbMessageContent *content)
{
  g_autoptr(GString) s = g_string_new (NULL);
  const char *subject = lb_message_content_get_subject (content);
  g_autofree char *escaped = g_markup_escape_text (subject != NULL ? subject : "", -1);
  g_autofree char *when = print_date (content);

  g_string_append_printf (s, "<div id=\"lb-print-header\" style=\"all:initial;display:block;"
                          "font-family:sans-serif;font-size:10pt;color:#000000;"
                          "border-bottom:1px solid #000000;padding:0 0 8pt 0;margin:0 0 14pt 0\">"
                          "<div style=\"font-size:15pt;font-weight:bold;margin:0 0 6pt 0\">%s</div>"
                          "<table style=\"border-collapse:collapse;font-size:10pt;color:#000000\">",
                          escaped);
  for (guint l = 0; l < G_N_ELEMENTS (header_labels); l++)
    {
      GPtrArray *list = header_list (content, l);
      g_autoptr(GString) value = g_string_new (NULL);

      if (list == NULL || list->len == 0)
        continue;
      for (guint i = 0; i < list->len; i++)
        {
          g_autofree char *one = lb_mailbox_to_string (g_ptr_array_index (list, i));

          g_string_append_printf (value, "%s%s", i > 0 ? ", " : "", one);
        }
      append_header_row (s, _(header_labels[l]), value->str);
    }
  if (when != NULL)
    append_header_row (s, _("Date:"), when);
  g_string_append (s, "</table></div>");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* @html with @header as the first thing in its body.  Text before the document's <body>
 * would end up in the body too (the HTML parser opens it), so without one the header goes
 * first. */
static char *
insert_header (const char *html,
               const char *header)
{
  g_autofree char *lower = g_ascii_strdown (html, -1);
  const char *body = strstr (lower, "<body");
  const char *open_end = body != NULL ? strchr (body, '>') : NULL;
  gsize at;

  if (open_end == NULL)
    return g_strconcat (header, html, NULL);
  at = (gsize) (open_end - lower) + 1;
  return g_strdup_printf ("%.*s%s%s", (int) at, html, header, html + at);
}

static GBytes *
print_lookup_cid (const char  *uri,
                  const char **mime_type,
                  gpointer     user_data)
{
  LbMessageContent *content = user_data;
  GBytes *bytes = lb_message_content_lookup_cid (content, uri, mime_type);

  return bytes != NULL ? g_bytes_ref (bytes) : NULL;
}

static void
html_printed (const GError *error,
              gpointer      user_data)
{
  PrintJob *job = user_data;

  if (error != NULL)
    print_failed (job, error);
  print_job_free (job);
}

static void
html_loaded (LbBodyView *view,
             PrintJob   *job)
{
  g_signal_handlers_disconnect_by_data (view, job);
  lb_body_view_print (view, job->parent, job->export_pdf, html_printed, job);
}

static void
html_view_failed (LbBodyView *view,
                  PrintJob   *job)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                 _("The message view stopped unexpectedly."));

  print_failed (job, error);
  print_job_free (job);
}

/* HTML mail prints as it reads, through the reader's web view module and its rules: no
 * script, and remote content only where the user let the reader load it. */
static void
html_view_ready (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PrintJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  g_autofree char *html = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *fragment = NULL;

  if (!lb_body_view_load_finish (result, &error)
      || (job->view = lb_body_view_new (&error)) == NULL)
    {
      /* Without the module the text version still prints. */
      g_debug ("Printing the text version: %s", error->message);
      print_plain (job);
      return;
    }
  g_object_ref_sink (job->view);
  lb_body_view_set_cid_func (job->view, print_lookup_cid, g_object_ref (job->content),
                             g_object_unref);
  g_signal_connect (job->view, "body-loaded", G_CALLBACK (html_loaded), job);
  g_signal_connect (job->view, "failed", G_CALLBACK (html_view_failed), job);
  header = print_header_html (job->content);
  html = insert_header (lb_message_content_get_html (job->content), header);
  fragment = lb_message_content_dup_text_as_html (job->content);
  plain = g_strdup_printf ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                           "<title></title></head><body class=\"lb-plain\">%s%s</body></html>",
                           header, fragment);
  lb_body_view_show (job->view, html, plain,
                     job->allow_remote ? LB_BODY_ALLOW_REMOTE : LB_BODY_NONE);
}

static void
print_fetched (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  PrintJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = lb_message_fetch_raw_finish (result, &error);

  if (raw != NULL)
    job->content = lb_message_content_new_from_bytes (raw, &error);
  if (job->content == NULL)
    {
      print_failed (job, error);
      print_job_free (job);
      return;
    }
  if (lb_message_content_get_html (job->content) != NULL)
    lb_body_view_load_async (NULL, html_view_ready, job);
  else
    print_plain (job);
}

/**
 * lb_message_print:
 * @export_pdf: (nullable): write a PDF there without asking (tests, "Export")
 * @allow_remote: whether the HTML may load remote content (the user allowed it in the
 *   reader for this message)
 *
 * Prints the message: the header block (Subject, From, To, Cc, Date), then its body: HTML
 * mail through WebKit, plain mail as text.
 */
void
lb_message_print (GtkWindow  *parent,
                  LbEngine   *engine,
                  LbMessage  *message,
                  const char *export_pdf,
                  gboolean    allow_remote)
{
  PrintJob *job = g_new0 (PrintJob, 1);

  job->parent = parent != NULL ? g_object_ref (parent) : NULL;
  job->export_pdf = g_strdup (export_pdf);
  job->allow_remote = allow_remote;
  job->title = g_strdup (lb_message_get_subject (message));
  lb_message_fetch_raw_async (engine, message, NULL, print_fetched, job);
}

/* ---- A .eml file, opened from the file manager -------------------------------------- */

typedef struct {
  GtkWidget        *window;
  LbEngine         *engine;
  GBytes           *raw;
  LbMessageContent *content;
  GtkWidget        *body_box;
} EmlView;

static void
eml_view_free (EmlView *view)
{
  g_clear_object (&view->engine);
  g_clear_pointer (&view->raw, g_bytes_unref);
  g_clear_object (&view->content);
  g_free (view);
}

static void
eml_show_body (EmlView *view)
{
  g_autoptr(GError) error = NULL;
  LbBodyView *body = lb_body_view_new (&error);
  g_autofree char *fragment = NULL;
  g_autofree char *document = NULL;

  if (body == NULL)
    {
      GtkWidget *label = gtk_label_new (error->message);

      gtk_box_append (GTK_BOX (view->body_box), label);
      return;
    }
  gtk_widget_set_vexpand (GTK_WIDGET (body), TRUE);
  gtk_box_append (GTK_BOX (view->body_box), GTK_WIDGET (body));
  fragment = lb_message_content_dup_text_as_html (view->content);
  document = g_strdup_printf ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                              "<title></title></head><body class=\"lb-plain\">%s</body></html>",
                              fragment);
  /* A file from anywhere: the reader's rules, remote content blocked. */
  lb_body_view_show (body, lb_message_content_get_html (view->content), document,
                     adw_style_manager_get_dark (adw_style_manager_get_default ())
                     ? LB_BODY_DARK : LB_BODY_NONE);
}

static void
eml_body_view_loaded (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  EmlView *view = g_object_get_data (G_OBJECT (window), "lb-eml");

  lb_body_view_load_finish (result, NULL);
  if (view != NULL && gtk_widget_get_root (window) != NULL)
    eml_show_body (view);
}

static void
eml_reply (GtkButton *button,
           EmlView   *view)
{
  lb_composer_open_reply_to_bytes (GTK_WINDOW (view->window), view->engine, view->raw, FALSE);
}

static void
add_header_row (GtkGrid    *grid,
                int         row,
                const char *label,
                const char *value)
{
  GtkWidget *name = gtk_label_new (label);
  GtkWidget *text = gtk_label_new (value);

  gtk_label_set_xalign (GTK_LABEL (name), 1);
  gtk_widget_add_css_class (name, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_label_set_selectable (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_grid_attach (grid, name, 0, row, 1, 1);
  gtk_grid_attach (grid, text, 1, row, 1, 1);
}

static char *
join_addresses (GPtrArray *list)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      g_autofree char *one = lb_mailbox_to_string (g_ptr_array_index (list, i));

      g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", one);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static GtkWidget *
eml_header (LbMessageContent *content)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *subject = gtk_label_new (lb_message_content_get_subject (content));
  GtkWidget *grid = gtk_grid_new ();
  g_autofree char *from = join_addresses (lb_message_content_get_from (content));
  g_autofree char *to = join_addresses (lb_message_content_get_to (content));
  GDateTime *date = lb_message_content_get_date (content);
  int row = 0;

  gtk_widget_set_name (subject, "eml-subject");
  gtk_widget_add_css_class (subject, "title-2");
  gtk_label_set_xalign (GTK_LABEL (subject), 0);
  gtk_label_set_wrap (GTK_LABEL (subject), TRUE);
  gtk_label_set_selectable (GTK_LABEL (subject), TRUE);
  gtk_box_append (GTK_BOX (box), subject);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  add_header_row (GTK_GRID (grid), row++, _("From"), from);
  if (*to != '\0')
    add_header_row (GTK_GRID (grid), row++, _("To"), to);
  if (date != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (date);
      g_autofree char *when = g_date_time_format (local, _("%A, %B %-d, %Y at %H:%M"));

      add_header_row (GTK_GRID (grid), row++, _("Date"), when);
    }
  gtk_box_append (GTK_BOX (box), grid);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  return box;
}

static void
eml_parse_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;
  LbMessageContent *content = lb_message_content_new_from_bytes (task_data, &error);

  if (content == NULL)
    g_task_return_error (task, error != NULL ? error
                         : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                                _("This file is not an email message.")));
  else
    g_task_return_pointer (task, content, g_object_unref);
}

static void
eml_parsed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  EmlView *view = g_object_get_data (G_OBJECT (window), "lb-eml");
  g_autoptr(GError) error = NULL;
  LbMessageContent *content = g_task_propagate_pointer (G_TASK (result), &error);

  if (content == NULL)
    {
      gtk_box_append (GTK_BOX (view->body_box),
                      adw_status_page_new ());
      adw_status_page_set_title (ADW_STATUS_PAGE (gtk_widget_get_last_child (view->body_box)),
                                 _("The Message Could Not Be Shown"));
      adw_status_page_set_description (ADW_STATUS_PAGE (gtk_widget_get_last_child (view->body_box)),
                                       error->message);
      return;
    }
  view->content = content;
  gtk_window_set_title (GTK_WINDOW (window), lb_message_content_get_subject (content));
  gtk_box_append (GTK_BOX (view->body_box), eml_header (content));
  gtk_box_append (GTK_BOX (view->body_box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  if (lb_body_view_is_loaded ())
    eml_show_body (view);
  else
    lb_body_view_load_async (NULL, eml_body_view_loaded, g_object_ref (window));
}

static void
eml_loaded (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  EmlView *view = g_object_get_data (G_OBJECT (window), "lb-eml");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  view->raw = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);
  if (view->raw == NULL)
    view->raw = g_bytes_new (NULL, 0);
  task = g_task_new (NULL, NULL, eml_parsed, g_object_ref (window));
  g_task_set_task_data (task, g_bytes_ref (view->raw), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, eml_parse_thread);
}

/**
 * lb_eml_window_open:
 * @engine: (nullable): the engine, for Reply (from the first account); none without one
 * @file: a message saved as a file (message/rfc822)
 *
 * Shows a .eml file, read-only, in a window of its own, with the reader's safety rules.
 *
 * Returns: (transfer none): the window
 */
GtkWidget *
lb_eml_window_open (GtkWindow *parent,
                    LbEngine  *engine,
                    GFile     *file)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *reply = gtk_button_new_from_icon_name ("mail-reply-sender-symbolic");
  g_autofree char *name = g_file_get_basename (file);
  EmlView *view = g_new0 (EmlView, 1);

  view->window = window;
  view->engine = engine != NULL ? g_object_ref (engine) : NULL;
  view->body_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_vexpand (view->body_box, TRUE);
  g_object_set_data_full (G_OBJECT (window), "lb-eml", view, (GDestroyNotify) eml_view_free);

  gtk_window_set_title (GTK_WINDOW (window), name);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 700);
  gtk_widget_set_name (window, "eml-window");
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  if (parent != NULL && gtk_window_get_application (parent) != NULL)
    gtk_window_set_application (GTK_WINDOW (window), gtk_window_get_application (parent));

  gtk_widget_set_name (reply, "eml-reply-button");
  gtk_widget_set_tooltip_text (reply, _("Reply"));
  gtk_widget_set_sensitive (reply, engine != NULL
                                   && g_list_model_get_n_items (lb_engine_get_accounts (engine)) > 0);
  g_signal_connect (reply, "clicked", G_CALLBACK (eml_reply), view);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), reply);
  /* Translators: the subtitle of a window showing a message opened from a file. */
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   adw_window_title_new (name, _("Opened from a file, read-only")));
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), view->body_box);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));

  g_file_load_bytes_async (file, NULL, eml_loaded, g_object_ref (window));
  return window;
}
