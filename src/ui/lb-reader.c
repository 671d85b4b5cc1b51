/* lb-reader.c: a safe view of one message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The body is shown by an LbBodyView (WebKitGTK, in a module loaded with the first reader)
 * with JavaScript off and a content filter that blocks every http(s), ftp and WebSocket load,
 * so that opening a message tells nobody that it was read.  Inline images come from the
 * message itself through the "cid" URI scheme.  Links never load in the view: a click opens
 * them in the browser.  Remote content is shown only when the user asks for it, for one
 * message or always for one sender.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "lb-background.h"
#include "lb-body-view.h"
#include "lb-message-content.h"
#include "lb-reader.h"

#define SETTINGS_SCHEMA   "io.github.letterbox.Letterbox"
#define ALLOWED_SENDERS   "remote-content-allowed-senders"
#define ZOOM_LEVELS       "zoom-levels"
/* Senders whose zoom is remembered; the oldest are forgotten beyond this. */
#define MAX_ZOOM_SENDERS  200
struct _LbReader
{
  GtkWidget             parent_instance;

  LbEngine             *engine;
  LbMessage            *message;
  LbMessageContent     *content;
  GCancellable         *cancellable;
  GSettings            *settings;
  /* NULL while the view's module loads (the first reader loads it on a thread), or if it
   * could not be loaded: body_view_error says why, and the reader shows it. */
  LbBodyView           *body_view;
  GError               *body_view_error;
  GCancellable         *body_view_cancellable;
  /* lb_reader_prepare() was called before the view was made. */
  gboolean              prepare_pending;

  /* "Show Images" for the message on display. */
  gboolean              remote_allowed_once;
  /* Found by the parse thread in the HTML of self->content. */
  gboolean              has_remote;
  gboolean              has_own_colours;
  /* The zoom of the body on display, remembered for its sender. */
  double                zoom;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  GtkSpinner           *spinner;
  AdwStatusPage        *error_page;
  GtkLabel             *subject_label;
  GtkLabel             *from_label;
  GtkLabel             *to_title;
  GtkLabel             *to_label;
  GtkLabel             *cc_title;
  GtkLabel             *cc_label;
  GtkLabel             *date_label;
  GtkWidget            *signed_label;
  GtkLabel             *account_title;
  GtkLabel             *account_label;
  GtkRevealer          *remote_revealer;
  GtkRevealer          *attachments_revealer;
  GtkListBox           *attachments_list;
  GtkBox               *body_box;
};

G_DEFINE_FINAL_TYPE (LbReader, lb_reader, GTK_TYPE_WIDGET)

enum {
  SIGNAL_REPLY,
  SIGNAL_REPLY_ALL,
  SIGNAL_FORWARD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void render_body (LbReader   *self);
static void show_error  (LbReader   *self,
                         const char *title,
                         const char *description,
                         const char *icon);

/* ---- Helpers ---------------------------------------------------------------------------- */

static void
toast (LbReader   *self,
       const char *title)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

static const char *
sender_address (LbReader *self)
{
  GPtrArray *from;

  if (self->content == NULL)
    return NULL;
  from = lb_message_content_get_from (self->content);
  if (from->len == 0)
    return NULL;
  return ((LbMailbox *) g_ptr_array_index (from, 0))->address;
}

static gboolean
sender_is_allowed (LbReader *self)
{
  g_auto(GStrv) allowed = NULL;
  g_autofree char *folded = NULL;
  const char *address = sender_address (self);

  /* The preference to load remote content everywhere stands for every sender. */
  if (g_settings_get_boolean (self->settings, "load-remote-content"))
    return TRUE;
  if (address == NULL || *address == '\0')
    return FALSE;

  folded = g_utf8_casefold (address, -1);
  allowed = g_settings_get_strv (self->settings, ALLOWED_SENDERS);
  for (guint i = 0; allowed[i] != NULL; i++)
    {
      g_autofree char *other = g_utf8_casefold (allowed[i], -1);

      if (g_str_equal (folded, other))
        return TRUE;
    }
  return FALSE;
}

/* Whether the HTML would load anything from a server: images, srcset candidates, style
 * sheets, @import, url() in CSS and legacy background attributes.  A false positive only
 * shows the banner; a false negative loads nothing either, since the filter still blocks. */
static gboolean
html_has_remote_content (const char *html)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      GRegex *r = g_regex_new ("(?:\\b(?:src|background|poster|data|href)"
                               "\\s*=\\s*[\"']?\\s*https?:)"
                               "|(?:\\bsrcset\\s*=\\s*(?:\"[^\"]*|'[^']*|)https?:)"
                               "|(?:url\\s*\\(\\s*[\"']?\\s*https?:)"
                               "|(?:@import\\s+[\"']\\s*https?:)",
                               G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&regex, r);
    }

  /* href= counts only inside <link>; a plain <a href> is a link, not content. */
  if (html == NULL)
    return FALSE;

  {
    g_autoptr(GMatchInfo) info = NULL;

    g_regex_match (regex, html, 0, &info);
    while (g_match_info_matches (info))
      {
        gint start = 0;
        g_autofree char *match = g_match_info_fetch (info, 0);

        g_match_info_fetch_pos (info, 0, &start, NULL);
        if (g_ascii_strncasecmp (match, "href", 4) != 0)
          return TRUE;

        /* Look back for the tag the href belongs to. */
        for (gint i = start; i > 0; i--)
          {
            if (html[i - 1] == '<')
              {
                if (g_ascii_strncasecmp (html + i, "link", 4) == 0)
                  return TRUE;
                break;
              }
            if (html[i - 1] == '>')
              break;
          }
        g_match_info_next (info, NULL);
      }
  }
  return FALSE;
}

/* The markup for a list of addresses: each one a link that copies it. */
static char *
addresses_markup (GPtrArray *list)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      LbMailbox *a = g_ptr_array_index (list, i);
      g_autofree char *href = NULL;
      g_autofree char *text = NULL;

      if (i > 0)
        g_string_append (out, ", ");
      href = g_markup_escape_text (a->address, -1);
      if (a->name != NULL && *a->address != '\0')
        {
          g_autofree char *name = g_markup_escape_text (a->name, -1);

          text = g_strdup_printf ("<b>%s</b> &lt;%s&gt;", name, href);
        }
      else if (a->name != NULL)
        text = g_markup_escape_text (a->name, -1);
      else
        text = g_strdup (href);

      if (*a->address != '\0')
        g_string_append_printf (out, "<a href=\"%s\">%s</a>", href, text);
      else
        g_string_append (out, text);
    }
  return g_string_free (out, FALSE);
}

static void
set_address_row (GtkLabel  *title,
                 GtkLabel  *value,
                 GPtrArray *list)
{
  g_autofree char *markup = addresses_markup (list);
  gboolean visible = list != NULL && list->len > 0;

  gtk_label_set_markup (value, markup);
  gtk_widget_set_visible (GTK_WIDGET (value), visible);
  if (title != NULL)
    gtk_widget_set_visible (GTK_WIDGET (title), visible);
}

/* ---- Attachments ------------------------------------------------------------------------ */

/* "Open With…": the applications that can open @path, for a file whose type has no
 * default application (or whose default failed), instead of GTK's bare "Could not show
 * link".  Outside a sandbox only: inside, the OpenURI portal asks by itself. */
static void
on_open_with_response (GtkDialog *dialog,
                       int        response,
                       LbReader  *self)
{
  g_autoptr(GAppInfo) app = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_OK)
    app = gtk_app_chooser_get_app_info (GTK_APP_CHOOSER (dialog));
  if (app != NULL)
    {
      GFile *file = g_object_get_data (G_OBJECT (dialog), "lb-file");
      g_autoptr(GdkAppLaunchContext) context =
        gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (dialog)));
      GList files = { file, NULL, NULL };

      if (!g_app_info_launch (app, &files, G_APP_LAUNCH_CONTEXT (context), &error))
        {
          g_autofree char *title = g_strdup_printf (_("Could not open the attachment: %s"),
                                                    error->message);
          toast (self, title);
        }
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
open_with (LbReader   *self,
           const char *path)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *dialog;

  dialog = gtk_app_chooser_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                       GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT, file);
  gtk_widget_set_name (dialog, "reader-open-with");
  gtk_app_chooser_widget_set_show_all (GTK_APP_CHOOSER_WIDGET (
    gtk_app_chooser_dialog_get_widget (GTK_APP_CHOOSER_DIALOG (dialog))), TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "lb-file", g_object_ref (file), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_open_with_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_attachment_shown (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LbReader) self = g_object_ref (g_object_get_data (user_data, "lb-reader"));
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);

  if (gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || gtk_widget_get_root (GTK_WIDGET (self)) == NULL)
    return;
  if (!lb_background_is_sandboxed ())
    open_with (self, path);
  else
    {
      g_autofree char *title = g_strdup_printf (_("Could not open the attachment: %s"),
                                                error->message);
      toast (self, title);
    }
}

static void
on_attachment_written (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(LbReader) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *content_type = NULL;
  g_autoptr(GAppInfo) app = NULL;
  g_autoptr(GFile) file = NULL;
  GtkRoot *root;

  if (path == NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Could not open the attachment: %s"),
                                                error->message);
      toast (self, title);
      return;
    }
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (!GTK_IS_WINDOW (root))
    return;

  /* The type as GIO will see it (the name, then the first bytes), and so the default
   * application gtk_show_uri_full() would start. */
  content_type = g_content_type_guess (path, NULL, 0, NULL);
  if (!lb_background_is_sandboxed ())
    app = g_app_info_get_default_for_type (content_type, FALSE);
  if (!lb_background_is_sandboxed () && app == NULL)
    {
      open_with (self, path);
      return;
    }
  file = g_file_new_for_path (path);
  g_object_set_data_full (G_OBJECT (file), "lb-reader", g_object_ref (self), g_object_unref);
  {
    g_autofree char *uri = g_file_get_uri (file);

    gtk_show_uri_full (GTK_WINDOW (root), uri, GDK_CURRENT_TIME, NULL, on_attachment_shown,
                       g_steal_pointer (&file));
  }
}

static void
write_attachment_thread (GTask        *task,
                         gpointer      source,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  LbAttachment *attachment = task_data;
  GBytes *bytes = lb_attachment_get_bytes (attachment);
  g_autofree char *base = g_build_filename (g_get_user_cache_dir (), "letterbox",
                                            "attachments", NULL);
  g_autofree char *template = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;

  if (g_mkdir_with_parents (base, 0700) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               "%s", g_strerror (saved));
      return;
    }

  /* A private directory per opening keeps the real file name without clashes. */
  template = g_build_filename (base, "XXXXXX", NULL);
  if (g_mkdtemp_full (template, 0700) == NULL)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               "%s", g_strerror (saved));
      return;
    }

  path = g_build_filename (template, lb_attachment_get_filename (attachment), NULL);
  if (!g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&path), g_free);
}

static void
on_open_attachment (GtkButton *button,
                    LbReader  *self)
{
  LbAttachment *attachment = g_object_get_data (G_OBJECT (button), "lb-attachment");
  g_autoptr(GTask) task = g_task_new (NULL, NULL, on_attachment_written, g_object_ref (self));

  g_task_set_source_tag (task, on_open_attachment);
  g_task_set_task_data (task, g_object_ref (attachment), g_object_unref);
  g_task_run_in_thread (task, write_attachment_thread);
}

/* Where attachments are saved first: the Downloads folder, as browsers do. */
static GFile *
downloads_folder (void)
{
  const char *dir = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  g_autofree char *fallback = NULL;

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      fallback = g_build_filename (g_get_home_dir (), "Downloads", NULL);
      dir = g_file_test (fallback, G_FILE_TEST_IS_DIR) ? fallback : g_get_home_dir ();
    }
  return g_file_new_for_path (dir);
}

static void
on_attachment_saved (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LbReader) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  AdwToast *saved;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *title = g_strdup_printf (_("Could not save the attachment: %s"),
                                                error->message);
      toast (self, title);
      return;
    }
  /* Saved where the user chose: the toast says so and can show it there. */
  uri = g_file_get_uri (G_FILE (source));
  saved = adw_toast_new (_("Attachment saved"));
  adw_toast_set_button_label (saved, _("_Open Folder"));
  adw_toast_set_action_name (saved, "reader.open-folder");
  adw_toast_set_action_target_value (saved, g_variant_new_string (uri));
  adw_toast_overlay_add_toast (self->toast_overlay, saved);
}

static void
on_folder_shown (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LbReader) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *title = g_strdup_printf (_("Could not open the folder: %s"),
                                                error->message);
      toast (self, title);
    }
}

/* Without a file manager on the bus: the folder, in whatever opens folders. */
static void
show_folder_of (LbReader   *self,
                const char *uri)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *folder_uri = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (uri == NULL || !GTK_IS_WINDOW (root))
    return;
  file = g_file_new_for_uri (uri);
  folder = g_file_get_parent (file);
  folder_uri = folder != NULL ? g_file_get_uri (folder) : NULL;
  if (folder_uri != NULL)
    gtk_show_uri_full (GTK_WINDOW (root), folder_uri, GDK_CURRENT_TIME, NULL, on_folder_shown,
                       g_object_ref (self));
}

static void
on_file_manager_shown (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(LbReader) self = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                              NULL);

  if (reply == NULL)
    show_folder_of (self, g_object_get_data (G_OBJECT (self), "lb-saved-uri"));
}

/* "reader.open-folder" (a file's URI): shows the saved file in the file manager, selected,
 * through the freedesktop FileManager1 interface Files implements. */
static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LbReader *self = LB_READER (widget);
  const char *uri = g_variant_get_string (parameter, NULL);
  const char *uris[] = { uri, NULL };
  /* The application's own session bus connection: no connecting on a click. */
  GApplication *app = g_application_get_default ();
  GDBusConnection *bus = app != NULL ? g_application_get_dbus_connection (app) : NULL;

  g_object_set_data_full (G_OBJECT (self), "lb-saved-uri", g_strdup (uri), g_free);
  if (bus == NULL)
    {
      show_folder_of (self, uri);
      return;
    }
  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems",
                          g_variant_new ("(^ass)", uris, ""), NULL,
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, on_file_manager_shown,
                          g_object_ref (self));
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int              response,
                  LbReader        *self)
{
  LbAttachment *attachment = g_object_get_data (G_OBJECT (dialog), "lb-attachment");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        g_file_replace_contents_bytes_async (file, lb_attachment_get_bytes (attachment),
                                             NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                             NULL, on_attachment_saved, g_object_ref (self));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
on_save_attachment (GtkButton *button,
                    LbReader  *self)
{
  LbAttachment *attachment = g_object_get_data (G_OBJECT (button), "lb-attachment");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GFile) downloads = downloads_folder ();
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Save Attachment"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), downloads, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog),
                                     lb_attachment_get_filename (attachment));
  g_object_set_data_full (G_OBJECT (dialog), "lb-attachment", g_object_ref (attachment),
                          g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static GtkWidget *
attachment_button (LbReader         *self,
                   LbAttachment *attachment,
                   const char       *name,
                   const char       *icon,
                   const char       *tooltip,
                   GCallback         callback)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_name (button, name);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data_full (G_OBJECT (button), "lb-attachment", g_object_ref (attachment),
                          g_object_unref);
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

static void
show_attachments (LbReader *self)
{
  GPtrArray *attachments = lb_message_content_get_attachments (self->content);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->attachments_list))) != NULL)
    gtk_list_box_remove (self->attachments_list, child);

  for (guint i = 0; i < attachments->len; i++)
    {
      LbAttachment *a = g_ptr_array_index (attachments, i);
      const char *mime_type = lb_attachment_get_mime_type (a);
      g_autofree char *content_type = g_content_type_from_mime_type (mime_type);
      g_autoptr(GIcon) icon = g_content_type_get_symbolic_icon (content_type != NULL ? content_type
                                                                                     : mime_type);
      g_autofree char *description = g_content_type_get_description (content_type != NULL
                                                                      ? content_type : mime_type);
      g_autofree char *size = g_format_size (lb_attachment_get_size (a));
      g_autofree char *subtitle = g_strdup_printf ("%s — %s", size, description);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *image = gtk_image_new_from_gicon (icon);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     lb_attachment_get_filename (a));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 attachment_button (self, a, "reader-attachment-open",
                                                    "external-link-symbolic", _("Open"),
                                                    G_CALLBACK (on_open_attachment)));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 attachment_button (self, a, "reader-attachment-save",
                                                    "document-save-symbolic", _("Save…"),
                                                    G_CALLBACK (on_save_attachment)));
      gtk_widget_set_name (row, "reader-attachment-row");
      gtk_list_box_append (self->attachments_list, row);
    }

  gtk_revealer_set_reveal_child (self->attachments_revealer, attachments->len > 0);
}

/* ---- Header ----------------------------------------------------------------------------- */

static void
show_header (LbReader *self)
{
  const char *subject = lb_message_content_get_subject (self->content);
  GDateTime *date = lb_message_content_get_date (self->content);
  const char *account = self->message != NULL ? lb_message_get_account_name (self->message) : NULL;

  if (subject == NULL || *subject == '\0')
    subject = _("(No Subject)");
  gtk_label_set_text (self->subject_label, subject);

  set_address_row (NULL, self->from_label, lb_message_content_get_from (self->content));
  set_address_row (self->to_title, self->to_label, lb_message_content_get_to (self->content));
  set_address_row (self->cc_title, self->cc_label, lb_message_content_get_cc (self->content));

  if (date == NULL && self->message != NULL)
    date = lb_message_get_date (self->message);
  if (date != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (date);
      /* Translators: the full date of a message in the reader; see strftime(3). */
      g_autofree char *text = g_date_time_format (local, _("%A, %B %-d, %Y at %H:%M"));

      gtk_label_set_text (self->date_label, text != NULL ? text : "");
    }
  else
    gtk_label_set_text (self->date_label, "");
  gtk_widget_set_visible (self->signed_label, lb_message_content_get_signed (self->content));

  gtk_label_set_text (self->account_label, account != NULL ? account : "");
  gtk_widget_set_visible (GTK_WIDGET (self->account_title), account != NULL && *account != '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->account_label), account != NULL && *account != '\0');
}

static gboolean
on_address_activate_link (LbReader   *self,
                          const char *uri,
                          GtkLabel   *label)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));

  /* The href is the bare address (escaped for markup, unescaped again by GTK).  Returning
   * TRUE keeps GTK from trying to open it as a URI. */
  gdk_clipboard_set_text (clipboard, uri);
  toast (self, _("Address copied"));
  return TRUE;
}

/* ---- Body ------------------------------------------------------------------------------- */

/* The HTML sets colours of its own (attributes, inline styles or a style sheet), so it was
 * made for a page of its own colour and keeps a light one in dark mode.  A false positive
 * only shows a light page; a false negative could put the message's dark text on our dark
 * page, so any colour counts. */
static gboolean
html_has_own_colours (const char *html)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      GRegex *r = g_regex_new ("\\b(?:bg)?color\\s*[=:]|\\bbackground(?:-image)?\\s*[=:]"
                               "|\\btext\\s*=|\\b[av]?link\\s*=",
                               G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&regex, r);
    }
  return html != NULL && g_regex_match (regex, html, 0, NULL);
}

static GBytes *
lookup_cid (const char  *uri,
            const char **mime_type,
            gpointer     user_data)
{
  LbReader *self = user_data;
  GBytes *bytes;

  if (self->content == NULL)
    return NULL;
  bytes = lb_message_content_lookup_cid (self->content, uri, mime_type);
  return bytes != NULL ? g_bytes_ref (bytes) : NULL;
}

/* ---- Zoom ------------------------------------------------------------------------------- */

/* The steps of Ctrl+plus and Ctrl+minus, as in a browser. */
static const double zoom_steps[] = { 0.5, 0.67, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0 };

/* The zoom remembered for the sender of the message on display, or 1.  Kept in GSettings
 * (zoom-levels, by address): a reading preference like the remote-content senders, not
 * mail data, so it is not in the store and survives a store rebuilt. */
static double
sender_zoom (LbReader *self)
{
  const char *address = sender_address (self);
  g_autofree char *folded = NULL;
  g_autoptr(GVariant) levels = NULL;
  double zoom = 1.0;

  if (address == NULL || *address == '\0')
    return 1.0;
  folded = g_utf8_casefold (address, -1);
  levels = g_settings_get_value (self->settings, ZOOM_LEVELS);
  if (!g_variant_lookup (levels, folded, "d", &zoom) || zoom < zoom_steps[0]
      || zoom > zoom_steps[G_N_ELEMENTS (zoom_steps) - 1])
    zoom = 1.0;
  return zoom;
}

static void
remember_sender_zoom (LbReader *self,
                      double    zoom)
{
  const char *address = sender_address (self);
  g_autofree char *folded = NULL;
  g_autoptr(GVariant) levels = NULL;
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key;
  double value;
  gsize n, skip;

  if (address == NULL || *address == '\0')
    return;
  folded = g_utf8_casefold (address, -1);
  levels = g_settings_get_value (self->settings, ZOOM_LEVELS);
  n = g_variant_n_children (levels);
  /* The newest last: beyond the limit the first ones go. */
  skip = n + 1 > MAX_ZOOM_SENDERS ? n + 1 - MAX_ZOOM_SENDERS : 0;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sd}"));
  g_variant_iter_init (&iter, levels);
  while (g_variant_iter_next (&iter, "{&sd}", &key, &value))
    {
      if (skip > 0)
        skip--;
      else if (!g_str_equal (key, folded))
        g_variant_builder_add (&builder, "{sd}", key, value);
    }
  /* The natural size is the default: it needs no entry. */
  if (zoom != 1.0)
    g_variant_builder_add (&builder, "{sd}", folded, zoom);
  g_settings_set_value (self->settings, ZOOM_LEVELS, g_variant_builder_end (&builder));
}

static void
set_zoom (LbReader *self,
          double    zoom)
{
  if (self->content == NULL || zoom == self->zoom)
    return;
  self->zoom = zoom;
  if (self->body_view != NULL)
    lb_body_view_set_zoom (self->body_view, zoom);
  remember_sender_zoom (self, zoom);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LbReader *self = LB_READER (widget);
  double zoom = 1.0;

  if (g_str_equal (action_name, "reader.zoom-in"))
    {
      zoom = zoom_steps[G_N_ELEMENTS (zoom_steps) - 1];
      for (guint i = 0; i < G_N_ELEMENTS (zoom_steps); i++)
        if (zoom_steps[i] > self->zoom + 0.001)
          {
            zoom = zoom_steps[i];
            break;
          }
    }
  else if (g_str_equal (action_name, "reader.zoom-out"))
    {
      zoom = zoom_steps[0];
      for (guint i = G_N_ELEMENTS (zoom_steps); i > 0; i--)
        if (zoom_steps[i - 1] < self->zoom - 0.001)
          {
            zoom = zoom_steps[i - 1];
            break;
          }
    }
  set_zoom (self, zoom);
}

/**
 * lb_reader_get_zoom:
 *
 * Returns: the zoom of the body on display (1.0 for its natural size)
 */
double
lb_reader_get_zoom (LbReader *self)
{
  g_return_val_if_fail (LB_IS_READER (self), 1.0);

  return self->zoom;
}

/**
 * lb_reader_get_remote_allowed:
 *
 * Returns: whether the user let the message on display load remote content (for this
 *   message, for its sender, or everywhere): a print of it may load it too
 */
gboolean
lb_reader_get_remote_allowed (LbReader *self)
{
  g_return_val_if_fail (LB_IS_READER (self), FALSE);

  return self->content != NULL && (self->remote_allowed_once || sender_is_allowed (self));
}

static void
render_body (LbReader *self)
{
  const char *html;
  g_autofree char *fragment = NULL;
  g_autofree char *document = NULL;
  LbBodyFlags flags = LB_BODY_NONE;

  if (self->content == NULL)
    return;
  if (self->body_view == NULL && self->body_view_error == NULL)
    /* The module is loading; on_body_view_loaded() renders. */
    return;
  if (self->body_view == NULL)
    {
      /* Translators: %s is a technical reason (a file that could not be loaded). */
      g_autofree char *description = g_strdup_printf (_("The message view could not be loaded: %s"),
                                                      self->body_view_error->message);

      show_error (self, _("The Message Could Not Be Shown"), description, "dialog-error-symbolic");
      return;
    }

  html = lb_message_content_get_html (self->content);
  /* The text version goes along even with HTML: the view shows it instead if the HTML
   * cannot be shown safely.  It has no markup that loads anything. */
  fragment = lb_message_content_dup_text_as_html (self->content);
  document = g_strdup_printf ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                              "<title></title></head><body class=\"lb-plain\">%s</body></html>",
                              fragment);
  if (html != NULL && (self->remote_allowed_once || sender_is_allowed (self)))
    flags |= LB_BODY_ALLOW_REMOTE;
  if (adw_style_manager_get_dark (adw_style_manager_get_default ()))
    flags |= LB_BODY_DARK;
  if (self->has_own_colours)
    flags |= LB_BODY_OWN_COLOURS;

  self->zoom = sender_zoom (self);
  lb_body_view_set_zoom (self->body_view, self->zoom);
  lb_body_view_show (self->body_view, html, document, flags);
}

/* The banner is for the HTML only, and only while its remote content is blocked. */
static void
on_body_shown (LbReader *self,
               gboolean  html)
{
  gboolean allowed = self->remote_allowed_once || sender_is_allowed (self);

  gtk_revealer_set_reveal_child (self->remote_revealer, html && self->has_remote && !allowed);
}

static void
on_dark_changed (LbReader *self)
{
  if (self->content != NULL)
    render_body (self);
}

static void
show_error (LbReader   *self,
            const char *title,
            const char *description,
            const char *icon)
{
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, description);
  adw_status_page_set_icon_name (self->error_page, icon);
  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
on_body_view_failed (LbReader *self)
{
  show_error (self, _("The Message Could Not Be Shown"),
              _("The message view stopped unexpectedly."), "dialog-error-symbolic");
}

/* ---- Loading ---------------------------------------------------------------------------- */

/* What the parse thread hands back: the scan for remote content is linear but can take a
 * while on a few megabytes of HTML, so it is done there too. */
typedef struct {
  LbMessageContent *content;
  gboolean       has_remote;
  gboolean       has_own_colours;
} Parsed;

static void
parsed_free (Parsed *parsed)
{
  g_clear_object (&parsed->content);
  g_free (parsed);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Parsed, parsed_free)

static void
parse_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  Parsed *parsed;
  LbMessageContent *content = lb_message_content_new_from_bytes (task_data, &error);

  if (content == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  parsed = g_new0 (Parsed, 1);
  parsed->content = content;
  parsed->has_remote = html_has_remote_content (lb_message_content_get_html (content));
  parsed->has_own_colours = html_has_own_colours (lb_message_content_get_html (content));
  g_task_return_pointer (task, parsed, (GDestroyNotify) parsed_free);
}

static void
on_parsed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  LbReader *self = LB_READER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(Parsed) parsed = g_task_propagate_pointer (G_TASK (result), &error);

  /* A newer message replaced this one meanwhile. */
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;

  if (parsed == NULL)
    {
      show_error (self, _("The Message Could Not Be Read"), error->message,
                  "dialog-error-symbolic");
      return;
    }

  self->has_remote = parsed->has_remote;
  self->has_own_colours = parsed->has_own_colours;
  g_set_object (&self->content, parsed->content);
  show_header (self);
  show_attachments (self);
  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "message");
  render_body (self);
}

static void
parse_body (LbReader *self,
            GBytes   *raw)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_parsed, NULL);

  g_task_set_source_tag (task, parse_body);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_bytes_ref (raw), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, parse_thread);
}

static void
on_body_fetched (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LbReader) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = lb_account_fetch_body_finish (LB_ACCOUNT (source), result, &error);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
      || cancellable != self->cancellable)
    return;

  if (raw == NULL)
    {
      gboolean offline = error->domain == LB_ERROR
                         && (error->code == LB_ERROR_NETWORK || error->code == LB_ERROR_DNS
                             || error->code == LB_ERROR_TIMEOUT);

      if (offline)
        show_error (self, _("You Are Offline"),
                    _("This message has not been downloaded yet. It can be read once the "
                      "server can be reached again."),
                    "network-offline-symbolic");
      else
        show_error (self, _("The Message Could Not Be Downloaded"), error->message,
                    "dialog-error-symbolic");
      return;
    }

  parse_body (self, raw);
}

static void
load_message (LbReader *self)
{
  g_autoptr(GBytes) cached = NULL;
  LbAccount *account;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->content);
  self->remote_allowed_once = FALSE;
  gtk_revealer_set_reveal_child (self->remote_revealer, FALSE);

  if (self->message == NULL)
    {
      gtk_spinner_stop (self->spinner);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      if (self->body_view != NULL)
        lb_body_view_clear (self->body_view);
      return;
    }

  self->cancellable = g_cancellable_new ();
  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "loading");

  if (self->engine == NULL)
    {
      show_error (self, _("The Message Could Not Be Downloaded"),
                  _("No mail account is available."), "dialog-error-symbolic");
      return;
    }

  /* The cache is a quick read; the account's queue may be busy with a long sync. */
  cached = lb_engine_get_cached_body (self->engine, lb_message_get_id (self->message));
  if (cached != NULL)
    {
      parse_body (self, cached);
      return;
    }

  account = lb_engine_get_account (self->engine, lb_message_get_account_id (self->message));
  if (account == NULL)
    {
      show_error (self, _("The Message Could Not Be Downloaded"),
                  _("The account of this message was removed."), "dialog-error-symbolic");
      return;
    }

  lb_account_fetch_body_async (account, lb_message_get_id (self->message), self->cancellable,
                               on_body_fetched, g_object_ref (self));
}

/* ---- Template callbacks ----------------------------------------------------------------- */

static void
on_try_again_clicked (LbReader *self)
{
  load_message (self);
}

static void
on_show_images_clicked (LbReader *self)
{
  self->remote_allowed_once = TRUE;
  render_body (self);
}

static void
on_always_show_clicked (LbReader *self)
{
  const char *address = sender_address (self);

  if (address != NULL && *address != '\0' && !sender_is_allowed (self))
    {
      g_auto(GStrv) allowed = g_settings_get_strv (self->settings, ALLOWED_SENDERS);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) updated = NULL;

      g_strv_builder_addv (builder, (const char **) allowed);
      g_strv_builder_add (builder, address);
      updated = g_strv_builder_end (builder);
      g_settings_set_strv (self->settings, ALLOWED_SENDERS, (const char * const *) updated);
    }
  self->remote_allowed_once = TRUE;
  render_body (self);
}

static void
on_reply_clicked (LbReader *self)
{
  g_signal_emit (self, signals[SIGNAL_REPLY], 0);
}

static void
on_reply_all_clicked (LbReader *self)
{
  g_signal_emit (self, signals[SIGNAL_REPLY_ALL], 0);
}

static void
on_forward_clicked (LbReader *self)
{
  g_signal_emit (self, signals[SIGNAL_FORWARD], 0);
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
lb_reader_dispose (GObject *object)
{
  LbReader *self = LB_READER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->body_view_cancellable);
  g_clear_object (&self->body_view_cancellable);
  if (self->body_view != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->body_view, self);
      lb_body_view_set_cid_func (self->body_view, NULL, NULL, NULL);
      self->body_view = NULL;
    }
  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_READER);

  G_OBJECT_CLASS (lb_reader_parent_class)->dispose (object);
}

static void
lb_reader_finalize (GObject *object)
{
  LbReader *self = LB_READER (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->message);
  g_clear_object (&self->content);
  g_clear_object (&self->settings);
  g_clear_error (&self->body_view_error);

  G_OBJECT_CLASS (lb_reader_parent_class)->finalize (object);
}

static void
lb_reader_class_init (LbReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_reader_dispose;
  object_class->finalize = lb_reader_finalize;

  /**
   * LbReader::reply:
   *
   * The user asked to reply to the sender of the message on display.
   */
  signals[SIGNAL_REPLY] = g_signal_new ("reply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_REPLY_ALL] = g_signal_new ("reply-all", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);
  signals[SIGNAL_FORWARD] = g_signal_new ("forward", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "reader.open-folder", "s", open_folder_action);
  gtk_widget_class_install_action (widget_class, "reader.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "reader.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "reader.zoom-reset", NULL, zoom_action);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/letterbox/Letterbox/ui/lb-reader.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lb-reader");

  gtk_widget_class_bind_template_child (widget_class, LbReader, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LbReader, stack);
  gtk_widget_class_bind_template_child (widget_class, LbReader, spinner);
  gtk_widget_class_bind_template_child (widget_class, LbReader, error_page);
  gtk_widget_class_bind_template_child (widget_class, LbReader, subject_label);
  gtk_widget_class_bind_template_child (widget_class, LbReader, from_label);
  gtk_widget_class_bind_template_child (widget_class, LbReader, to_title);
  gtk_widget_class_bind_template_child (widget_class, LbReader, to_label);
  gtk_widget_class_bind_template_child (widget_class, LbReader, cc_title);
  gtk_widget_class_bind_template_child (widget_class, LbReader, cc_label);
  gtk_widget_class_bind_template_child (widget_class, LbReader, date_label);
  gtk_widget_class_bind_template_child (widget_class, LbReader, signed_label);
  gtk_widget_class_bind_template_child (widget_class, LbReader, account_title);
  gtk_widget_class_bind_template_child (widget_class, LbReader, account_label);
  gtk_widget_class_bind_template_child (widget_class, LbReader, remote_revealer);
  gtk_widget_class_bind_template_child (widget_class, LbReader, attachments_revealer);
  gtk_widget_class_bind_template_child (widget_class, LbReader, attachments_list);
  gtk_widget_class_bind_template_child (widget_class, LbReader, body_box);
  gtk_widget_class_bind_template_callback (widget_class, on_try_again_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_show_images_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_always_show_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_reply_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_reply_all_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_forward_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_address_activate_link);
}

static void
make_body_view (LbReader *self)
{
  self->body_view = lb_body_view_new (&self->body_view_error);
  if (self->body_view == NULL)
    return;
  lb_body_view_set_cid_func (self->body_view, lookup_cid, self, NULL);
  g_signal_connect_swapped (self->body_view, "body-shown", G_CALLBACK (on_body_shown), self);
  g_signal_connect_swapped (self->body_view, "failed", G_CALLBACK (on_body_view_failed), self);
  gtk_box_append (self->body_box, GTK_WIDGET (self->body_view));
}

static void
on_body_view_loaded (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LbReader) self = user_data;

  if (!lb_body_view_load_finish (result, &self->body_view_error))
    {
      /* Disposed meanwhile: nothing to show it in. */
      if (g_error_matches (self->body_view_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    }
  else if (self->body_view_cancellable != NULL)
    make_body_view (self);
  else
    return;
  g_clear_object (&self->body_view_cancellable);
  /* A message that was parsed meanwhile waits for the view (see render_body). */
  if (self->content != NULL)
    render_body (self);
  else if (self->prepare_pending && self->body_view != NULL)
    lb_body_view_prepare (self->body_view);
  self->prepare_pending = FALSE;
}

static void
install_banner_css (void)
{
  static gboolean done;
  g_autoptr(GtkCssProvider) provider = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  if (done || display == NULL)
    return;
  done = TRUE;

  /* libadwaita 1.2 has no AdwBanner; this looks like one. */
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider,
                                   ".lb-remote-banner { padding: 6px 18px;"
                                   " background-color: alpha(@accent_bg_color, 0.15); }",
                                   -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
lb_reader_init (LbReader *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  install_banner_css ();

  self->settings = g_settings_new (SETTINGS_SCHEMA);
  self->zoom = 1.0;

  /* Ctrl+plus, Ctrl+minus and Ctrl+0 zoom the message wherever the focus is in the
   * window (the message list, most of the time), as in a browser. */
  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();
    const struct { const char *triggers; const char *action; } zoom_keys[] = {
      { "<Control>plus|<Control>equal|<Control>KP_Add", "reader.zoom-in" },
      { "<Control>minus|<Control>KP_Subtract", "reader.zoom-out" },
      { "<Control>0|<Control>KP_0", "reader.zoom-reset" },
    };

    gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                       GTK_SHORTCUT_SCOPE_GLOBAL);
    for (guint i = 0; i < G_N_ELEMENTS (zoom_keys); i++)
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                            gtk_shortcut_new (gtk_shortcut_trigger_parse_string (zoom_keys[i].triggers),
                                                              gtk_named_action_new (zoom_keys[i].action)));
    gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  }

  /* The first reader loads the view's module (and with it WebKit) on a thread: the header
   * of the first message shows meanwhile, and the window does not freeze. */
  if (lb_body_view_is_loaded ())
    make_body_view (self);
  else
    {
      self->body_view_cancellable = g_cancellable_new ();
      lb_body_view_load_async (self->body_view_cancellable, on_body_view_loaded,
                               g_object_ref (self));
    }

  g_signal_connect_swapped (adw_style_manager_get_default (), "notify::dark",
                            G_CALLBACK (on_dark_changed), self);
}

/* ---- Public API ------------------------------------------------------------------------- */

/**
 * lb_reader_new:
 *
 * Returns: (transfer floating): a reader showing nothing
 */
LbReader *
lb_reader_new (void)
{
  return g_object_new (LB_TYPE_READER, NULL);
}

/**
 * lb_reader_set_engine:
 * @engine: the engine the messages come from
 */
void
lb_reader_set_engine (LbReader *self,
                      LbEngine *engine)
{
  g_return_if_fail (LB_IS_READER (self));
  g_return_if_fail (engine == NULL || LB_IS_ENGINE (engine));

  g_set_object (&self->engine, engine);
}

/**
 * lb_reader_set_message:
 * @message: (nullable): the message to show; %NULL clears the reader
 *
 * Shows @message: a spinner while it is fetched (from the cache, else from the server
 * without marking it read) and decoded, then its header, attachments and body.
 */
void
lb_reader_set_message (LbReader  *self,
                       LbMessage *message)
{
  g_return_if_fail (LB_IS_READER (self));
  g_return_if_fail (message == NULL || LB_IS_MESSAGE (message));

  /* The list may hand over a new row object for the same message (after a flag change,
   * say): keep what is on display instead of loading it again. */
  if (message != NULL && self->message != NULL && self->content != NULL
      && lb_message_get_id (message) == lb_message_get_id (self->message))
    {
      g_set_object (&self->message, message);
      return;
    }

  g_set_object (&self->message, message);
  load_message (self);
}

/**
 * lb_reader_prepare:
 *
 * A message is likely to be opened soon (the pointer is on the message list, say): gets
 * the body view ready, so that the first message shows sooner.  Costs the memory of the
 * view's renderer from then on.
 */
void
lb_reader_prepare (LbReader *self)
{
  g_return_if_fail (LB_IS_READER (self));

  if (self->body_view != NULL)
    lb_body_view_prepare (self->body_view);
  else
    self->prepare_pending = TRUE;
}

/**
 * lb_reader_get_message:
 *
 * Returns: (transfer none) (nullable): the message on display
 */
LbMessage *
lb_reader_get_message (LbReader *self)
{
  g_return_val_if_fail (LB_IS_READER (self), NULL);

  return self->message;
}
