/* lb-composer.c: the window that writes a new message, a reply or a forward
 *
 * The widgets are stock ones (GtkEntry, and the body's GtkTextView inside LbRichEditor,
 * which adds formatting), and no key event is intercepted except Ctrl+Return, so input
 * methods (IBus, Fcitx) work as everywhere else.  Ctrl+Return is caught in the capture
 * phase because GtkTextView turns every Return into a newline; the editor's Ctrl+B/I/U/K
 * bubble, after the text view and its input method.
 *
 * Nothing here blocks: attachments are read with g_file_load_contents_async, the message
 * is built on a thread (lb_draft_build) and queued through lb_engine_send_async, which
 * writes it to the outbox before sending.  While the user writes, the draft is saved
 * every few seconds to $XDG_DATA_HOME/letterbox/drafts/<id>.eml (mode 0600, written
 * atomically); closing the window keeps it, Discard deletes it, sending deletes it.
 *
 * The widgets come from data/ui/lb-composer.ui, like every other window's; what depends
 * on the accounts (the From list, address completion) is filled in here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lb-composer.h"
#include "lb-draft.h"
#include "lb-provider-info.h"
#include "lb-rich-editor.h"
#include "lb-sending.h"
#include "lb-ui-types.h"

#define AUTOSAVE_SECONDS 5
/* The server copy is replaced less often than the local file: every APPEND is a new
 * message there. */
#define SERVER_SAVE_TICKS 6

struct _LbComposer
{
  AdwWindow    parent_instance;

  LbEngine    *engine;
  GListModel  *accounts;
  GPtrArray   *senders;          /* FromChoice, one per row of the From list */
  GtkTextMark *signature_start;  /* the inserted signature, or NULL before one is */
  GtkTextMark *signature_end;
  char        *signature_text;   /* what was inserted there, to see if the user edited it */
  gboolean     signature_below;  /* where it goes when it is inserted anew */

  GtkDropDown *from;
  GtkEntry    *to;
  GtkEntry    *cc;
  GtkEntry    *bcc;
  GtkEntry    *subject;
  LbRichEditor *editor;
  GtkTextView *body;             /* the editor's text view */
  GtkListBox  *attachment_list;
  GtkWidget   *banner;
  GtkLabel    *banner_label;
  GtkWidget   *send_button;

  GtkListStore *addresses;       /* completion: column 0 "Name <address>" */
  GCancellable *cancellable;
  GPtrArray   *attachments;      /* LbAttachment */
  char        *in_reply_to;
  char       **references;
  char        *draft_id;
  guint        autosave_id;
  guint        ticks;
  guint32      server_uid;       /* the copy in Drafts on the server, 0 for none */
  gint64       server_account_id; /* whose Drafts holds that copy */
  gint64       outbox_item_id;   /* the outbox item being edited, 0 for none */
  gint64       opened_message_id; /* the draft (a message in Drafts) reopened, 0 for none */
  gboolean     loading;          /* the reopened draft is still being read */
  gboolean     local_only;       /* reopened from this computer: the server lacks it */
  gboolean     saved_once;       /* an autosave wrote what the user typed */
  gint64       outbox_account_id;
  gboolean     server_dirty;
  gboolean     dirty;
  gboolean     sending;
  guint        pending_loads;
};

G_DEFINE_FINAL_TYPE (LbComposer, lb_composer, ADW_TYPE_WINDOW)

/* ---- Helpers ------------------------------------------------------------------- */

/* One row of the From list: an account's own address, or one of its aliases. */
typedef struct {
  LbAccount *account;
  char      *name;
  char      *email;
  char      *signature;
} FromChoice;

static void
from_choice_free (FromChoice *choice)
{
  g_object_unref (choice->account);
  g_free (choice->name);
  g_free (choice->email);
  g_free (choice->signature);
  g_free (choice);
}

static const FromChoice *
selected_sender (LbComposer *self)
{
  guint pos = gtk_drop_down_get_selected (self->from);

  if (self->senders == NULL || pos == GTK_INVALID_LIST_POSITION || pos >= self->senders->len)
    return NULL;
  return g_ptr_array_index (self->senders, pos);
}

static LbAccount *
selected_account (LbComposer *self)
{
  const FromChoice *choice = selected_sender (self);

  return choice != NULL ? g_object_ref (choice->account) : NULL;
}

static char *
body_text (LbComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
field_is_blank (GtkEditable *editable)
{
  const char *text = gtk_editable_get_text (editable);

  for (; text != NULL && *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;
  return TRUE;
}

/* Nothing written: no address, subject, text or attachment.  A draft still being read
 * counts as written, so that nothing deletes it unseen. */
static gboolean
composer_is_empty (LbComposer *self)
{
  g_autofree char *body = NULL;

  if (self->loading || self->attachments->len > 0 || self->pending_loads > 0)
    return FALSE;
  if (!field_is_blank (GTK_EDITABLE (self->to)) || !field_is_blank (GTK_EDITABLE (self->cc)) ||
      !field_is_blank (GTK_EDITABLE (self->bcc)) || !field_is_blank (GTK_EDITABLE (self->subject)))
    return FALSE;
  body = body_text (self);
  return *g_strstrip (body) == '\0';
}

/* Parses one address field; flags it with the error style when something in it is
 * not an address.  Returns FALSE then. */
static gboolean
parse_field (GtkEntry  *entry,
             GPtrArray *dest)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GPtrArray) list = NULL;
  gboolean ok = TRUE;

  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  {
    g_autofree char *copy = g_strdup (text != NULL ? text : "");

    /* An empty field is valid (stripping a copy: the first check leaked one). */
    if (*g_strstrip (copy) == '\0')
      return TRUE;
  }
  list = lb_mailbox_parse_list (text);
  if (list == NULL || list->len == 0)
    ok = FALSE;
  for (guint i = 0; ok && i < list->len; i++)
    {
      LbMailbox *a = g_ptr_array_index (list, i);

      if (!lb_mailbox_is_valid_address (a->address))
        ok = FALSE;
      else if (dest != NULL)
        g_ptr_array_add (dest, lb_mailbox_copy (a));
    }
  if (!ok)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  return ok;
}

static LbDraft *
collect_draft (LbComposer *self,
               gboolean   *out_valid)
{
  g_autoptr(LbDraft) d = lb_draft_new ();
  const FromChoice *sender = selected_sender (self);
  g_autoptr(LbAccount) account = selected_account (self);
  gboolean valid = TRUE;

  if (sender != NULL)
    d->from = lb_mailbox_new (sender->name, sender->email);
  else
    d->from = lb_mailbox_new (NULL, "");
  valid &= parse_field (self->to, d->to);
  valid &= parse_field (self->cc, d->cc);
  valid &= parse_field (self->bcc, d->bcc);
  d->subject = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subject)));
  d->body = lb_rich_editor_dup_text (self->editor);
  if (lb_rich_editor_get_formatted (self->editor))
    d->body_html = lb_rich_editor_dup_html (self->editor, d->inline_images);
  d->in_reply_to = g_strdup (self->in_reply_to);
  d->references = g_strdupv (self->references);
  for (guint i = 0; i < self->attachments->len; i++)
    g_ptr_array_add (d->attachments, g_object_ref (g_ptr_array_index (self->attachments, i)));
  if (out_valid != NULL)
    *out_valid = valid && account != NULL;
  return g_steal_pointer (&d);
}

static void
show_banner (LbComposer *self,
             const char *text)
{
  gtk_label_set_text (self->banner_label, text != NULL ? text : "");
  gtk_widget_set_visible (self->banner, text != NULL);
}

/* The provider's size limit, when it is known and the attachments exceed it. */
static void
update_size_warning (LbComposer *self)
{
  g_autoptr(LbAccount) account = selected_account (self);
  g_autoptr(LbProviderInfo) provider = NULL;
  guint64 limit = 0;
  guint64 total = 0;

  for (guint i = 0; i < self->attachments->len; i++)
    total += lb_attachment_get_size (g_ptr_array_index (self->attachments, i));
  /* Base64 makes attachments a third larger on the wire. */
  total = total / 3 * 4;

  if (account != NULL)
    provider = lb_provider_info_lookup (lb_account_get_provider_id (account));
  if (provider != NULL)
    limit = lb_provider_info_get_max_message_size (provider);
  if (limit > 0 && total > limit)
    {
      g_autofree char *limit_text = g_format_size (limit);
      g_autofree char *size = g_format_size (total);
      g_autofree char *text = g_strdup_printf (_("This message (%s) is larger than the %s your "
                                                 "provider accepts. Remove attachments or share "
                                                 "them as links."), size, limit_text);
      show_banner (self, text);
    }
  else
    show_banner (self, NULL);
}

/* ---- Drafts ---------------------------------------------------------------------- */

/* What a save takes to its thread: the draft, and where the file goes. */
typedef struct {
  LbDraft *draft;
  LbEngine *engine;
  gint64    account_id;
} LocalSave;

static void
local_save_free (LocalSave *save)
{
  lb_draft_free (save->draft);
  g_object_unref (save->engine);
  g_free (save);
}

static void
save_draft_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  LocalSave *save = task_data;
  g_autoptr(GBytes) raw = lb_draft_build (save->draft, LB_DRAFT_BUILD_KEEP_BCC, NULL);
  g_autoptr(GError) error = NULL;

  if (!lb_engine_write_local_draft (save->engine, save->account_id, save->draft->message_id,
                                    raw, &error))
    g_warning ("Could not save the draft: %s", error->message);
  g_task_return_pointer (task, g_steal_pointer (&raw), (GDestroyNotify) g_bytes_unref);
}

typedef struct {
  LbComposer *composer;
  gint64      account_id;   /* where the new copy goes */
  GBytes     *raw;          /* what it holds */
} ServerSave;

static void
server_saved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ServerSave *save = user_data;
  g_autoptr(LbComposer) self = save->composer;
  g_autoptr(GBytes) raw = save->raw;
  g_autoptr(GError) error = NULL;
  guint32 uid = lb_engine_save_draft_finish (LB_ENGINE (source), result, &error);

  if (error != NULL)
    {
      /* Offline, most likely: the file on this computer is the draft until the account is
       * back online (the engine pushes it then). */
      g_debug ("Draft not saved on the server: %s", error->message);
      self->server_dirty = TRUE;
    }
  else
    {
      self->server_uid = uid;
      self->server_account_id = save->account_id;
      /* The server has this version: its file goes, unless a newer one was written since. */
      lb_engine_delete_local_draft (self->engine, self->draft_id, raw);
    }
  g_free (save);
}

static void
draft_written (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  LbComposer *self = LB_COMPOSER (source);
  g_autoptr(GBytes) raw = g_task_propagate_pointer (G_TASK (result), NULL);
  /* Taken when the save started: the window (and its From field) may be gone now. */
  LbAccount *account = g_object_get_data (G_OBJECT (result), "account");
  guint32 previous = self->server_uid;
  ServerSave *save;

  if (raw == NULL || account == NULL ||
      !GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "to-server")))
    return;
  self->server_dirty = FALSE;
  /* From another account now: the old copy is in the other account's Drafts, and its uid
   * means nothing in this one's. */
  if (previous != 0 && self->server_account_id != lb_account_get_id (account))
    {
      LbAccount *old = lb_engine_get_account (self->engine, self->server_account_id);

      if (old != NULL)
        lb_engine_save_draft_async (self->engine, old, NULL, previous, NULL, NULL, NULL);
      previous = 0;
      self->server_uid = 0;
    }
  save = g_new0 (ServerSave, 1);
  save->composer = g_object_ref (self);
  save->account_id = lb_account_get_id (account);
  save->raw = g_bytes_ref (raw);
  lb_engine_save_draft_async (self->engine, account, raw, previous, NULL, server_saved, save);
}

static void
save_draft (LbComposer *self,
            gboolean    to_server)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(LbAccount) account = NULL;
  LocalSave *save;

  to_server = to_server && self->server_dirty;
  if ((!self->dirty && !to_server) || self->sending)
    return;
  self->dirty = FALSE;
  self->saved_once = TRUE;
  account = selected_account (self);
  save = g_new0 (LocalSave, 1);
  save->draft = collect_draft (self, NULL);
  g_free (save->draft->message_id);
  save->draft->message_id = g_strdup (self->draft_id);
  save->engine = g_object_ref (self->engine);
  save->account_id = account != NULL ? lb_account_get_id (account) : 0;
  task = g_task_new (self, NULL, draft_written, NULL);
  g_object_set_data (G_OBJECT (task), "to-server", GINT_TO_POINTER (to_server));
  if (account != NULL)
    g_object_set_data_full (G_OBJECT (task), "account", g_steal_pointer (&account), g_object_unref);
  g_task_set_task_data (task, save, (GDestroyNotify) local_save_free);
  g_task_run_in_thread (task, save_draft_thread);
}

static void
delete_draft (LbComposer *self)
{
  self->dirty = FALSE;
  self->server_dirty = FALSE;
  lb_engine_delete_local_draft (self->engine, self->draft_id, NULL);
  if (self->server_uid != 0)
    {
      LbAccount *account = lb_engine_get_account (self->engine, self->server_account_id);

      if (account != NULL)
        lb_engine_save_draft_async (self->engine, account, NULL, self->server_uid, NULL, NULL, NULL);
      self->server_uid = 0;
    }
}

static gboolean
autosave_tick (gpointer data)
{
  LbComposer *self = LB_COMPOSER (data);

  save_draft (self, ++self->ticks % SERVER_SAVE_TICKS == 0);
  return G_SOURCE_CONTINUE;
}

static void
mark_dirty (LbComposer *self)
{
  self->dirty = TRUE;
  self->server_dirty = TRUE;
}

/* ---- Attachments ------------------------------------------------------------------- */

static void
remove_attachment_clicked (GtkButton  *button,
                           LbComposer *self)
{
  LbAttachment *att = g_object_get_data (G_OBJECT (button), "attachment");
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);

  g_ptr_array_remove (self->attachments, att);
  gtk_list_box_remove (self->attachment_list, row);
  gtk_widget_set_visible (GTK_WIDGET (self->attachment_list), self->attachments->len > 0);
  mark_dirty (self);
  update_size_warning (self);
}

static void
add_attachment_row (LbComposer       *self,
                    LbAttachment *att)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name ("mail-attachment-symbolic");
  GtkWidget *name = gtk_label_new (lb_attachment_get_filename (att));
  g_autofree char *size_text = g_format_size (lb_attachment_get_size (att));
  GtkWidget *size = gtk_label_new (size_text);
  GtkWidget *remove = gtk_button_new_from_icon_name ("window-close-symbolic");

  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (size, "dim-label");
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove Attachment"));
  g_object_set_data (G_OBJECT (remove), "attachment", att);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_attachment_clicked), self);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), size);
  gtk_box_append (GTK_BOX (box), remove);
  gtk_list_box_append (self->attachment_list, box);
  gtk_widget_set_visible (GTK_WIDGET (self->attachment_list), TRUE);
}

static void
add_attachment (LbComposer       *self,
                LbAttachment *att)
{
  g_ptr_array_add (self->attachments, g_object_ref (att));
  add_attachment_row (self, att);
  mark_dirty (self);
  update_size_warning (self);
}

static void
file_loaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LbComposer) self = user_data;
  GFile *file = G_FILE (source);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;
  g_autofree char *name = NULL;
  g_autofree char *type = NULL;
  g_autofree char *mime = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LbAttachment) att = NULL;

  self->pending_loads--;
  if (!g_file_load_contents_finish (file, result, &contents, &len, NULL, &error))
    {
      show_banner (self, error->message);
      return;
    }
  name = g_file_get_basename (file);
  {
    g_autofree char *utf8 = g_filename_display_name (name);
    g_free (name);
    name = g_steal_pointer (&utf8);
  }
  type = g_content_type_guess (name, (const guchar *) contents, MIN (len, 4096), NULL);
  mime = g_content_type_get_mime_type (type);
  bytes = g_bytes_new_take (contents, len);
  att = lb_attachment_new (name, mime != NULL ? mime : "application/octet-stream", bytes);
  add_attachment (self, att);
}

/**
 * lb_composer_attach_file:
 *
 * Reads @file without blocking and adds it as an attachment (file chooser, drop, tests).
 */
void
lb_composer_attach_file (LbComposer *self,
                         GFile      *file)
{
  self->pending_loads++;
  g_file_load_contents_async (file, NULL, file_loaded, g_object_ref (self));
}

static void
chooser_response (GtkNativeDialog *dialog,
                  int              response,
                  LbComposer      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          lb_composer_attach_file (self, file);
        }
    }
  g_object_unref (dialog);
}

static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LbComposer *self = LB_COMPOSER (widget);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Attach Files"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                                               _("_Attach"), _("_Cancel"));

  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         LbComposer    *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = g_value_get_boxed (value);
  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *name = g_file_get_basename (l->data);
      g_autofree char *type = g_content_type_guess (name, NULL, 0, NULL);
      g_autofree char *mime_type = g_content_type_get_mime_type (type);

      /* In a formatted message a dropped image goes where it is dropped, inline. */
      if (lb_rich_editor_get_formatted (self->editor) && mime_type != NULL
          && g_str_has_prefix (mime_type, "image/"))
        lb_rich_editor_insert_image_file (self->editor, l->data);
      else
        lb_composer_attach_file (self, l->data);
    }
  return TRUE;
}

/* ---- Sending ---------------------------------------------------------------------- */

/* The message is safe in the outbox (held for Undo Send, see lb-sending.c): the
 * composer's work is done, the main window's toasts tell the rest. */
static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LbComposer) self = user_data;
  g_autoptr(GError) error = NULL;

  if (lb_sending_start_finish (result, &error))
    {
      if (self->outbox_item_id != 0)
        {
          /* The edited message replaces the outbox item it came from. */
          LbAccount *old = lb_engine_get_account (self->engine, self->outbox_account_id);
          if (old != NULL)
            lb_engine_outbox_discard (self->engine, old, self->outbox_item_id);
        }
      delete_draft (self);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  self->sending = FALSE;
  gtk_widget_set_sensitive (self->send_button, TRUE);
  show_banner (self, error->message);
}

static void
build_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_task_return_pointer (task, lb_draft_build (task_data, LB_DRAFT_BUILD_DEFAULT, NULL),
                         (GDestroyNotify) g_bytes_unref);
}

static void
built_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  LbComposer *self = LB_COMPOSER (source);
  LbDraft *d = g_task_get_task_data (G_TASK (result));
  g_autoptr(GBytes) raw = g_task_propagate_pointer (G_TASK (result), NULL);
  g_auto(GStrv) rcpts = lb_draft_dup_recipients (d);
  g_autoptr(LbAccount) account = selected_account (self);

  lb_sending_start (gtk_window_get_transient_for (GTK_WINDOW (self)), self->engine, account, raw,
                    (const char * const *) rcpts, NULL, sent_cb, g_object_ref (self));
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LbComposer *self = LB_COMPOSER (widget);
  g_autoptr(GTask) task = NULL;
  g_auto(GStrv) rcpts = NULL;
  LbDraft *d;
  gboolean valid = FALSE;

  if (self->sending)
    return;
  if (self->pending_loads > 0)
    {
      show_banner (self, _("Attachments are still being read."));
      return;
    }
  {
    g_autoptr(LbAccount) account = selected_account (self);
    if (account == NULL)
      {
        show_banner (self, _("Add an account before sending mail."));
        return;
      }
  }
  d = collect_draft (self, &valid);
  rcpts = lb_draft_dup_recipients (d);
  if (valid && rcpts[0] == NULL)
    {
      /* Nobody to send to: said on the To row, where the user types next. */
      gtk_widget_add_css_class (GTK_WIDGET (self->to), "error");
      show_banner (self, _("Add at least one recipient"));
      gtk_widget_grab_focus (GTK_WIDGET (self->to));
      lb_draft_free (d);
      return;
    }
  if (!valid)
    {
      show_banner (self, _("Check the recipients: some are not mail addresses."));
      lb_draft_free (d);
      return;
    }
  self->sending = TRUE;
  gtk_widget_set_sensitive (self->send_button, FALSE);
  show_banner (self, NULL);
  task = g_task_new (self, NULL, built_cb, NULL);
  g_task_set_task_data (task, d, (GDestroyNotify) lb_draft_free);
  g_task_run_in_thread (task, build_thread);
}

static void
discard_now (LbComposer *self)
{
  self->sending = TRUE;   /* no more autosaves */
  delete_draft (self);
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
discard_idle (gpointer data)
{
  LbComposer *self = data;

  if (gtk_widget_get_root (GTK_WIDGET (self)) != NULL && !self->sending)
    discard_now (self);
  return G_SOURCE_REMOVE;
}

static void
on_discard_response (AdwMessageDialog *dialog,
                     const char       *response,
                     LbComposer       *self)
{
  /* Not from inside the dialog's own signal: the composer is the dialog's parent. */
  if (g_strcmp0 (response, "discard") == 0)
    g_idle_add_full (G_PRIORITY_DEFAULT, discard_idle, g_object_ref (self), g_object_unref);
}

/* Discarding deletes what was written, here and on the server: it asks first, unless
 * there is nothing to lose. */
static void
discard_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LbComposer *self = LB_COMPOSER (widget);
  GtkWidget *dialog;

  /* Nothing the user wrote (an empty window, an untouched reply, the signature alone)
   * goes without a question; a saved draft never does. */
  if (self->server_uid == 0 && !self->loading &&
      (composer_is_empty (self) || !(self->dirty || self->server_dirty || self->saved_once)))
    {
      discard_now (self);
      return;
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Discard Draft?"),
                                   _("The message is deleted, with its copy in Drafts. This "
                                     "cannot be undone."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_widget_set_name (dialog, "composer-discard-dialog");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_discard_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Address completion ------------------------------------------------------------ */

/* The fields hold comma-separated lists: only the text after the last comma is completed. */
static const char *
last_token (const char *text)
{
  const char *comma = strrchr (text, ',');
  const char *p = comma != NULL ? comma + 1 : text;

  while (*p == ' ')
    p++;
  return p;
}

static gboolean
completion_match (GtkEntryCompletion *completion,
                  const char         *key,
                  GtkTreeIter        *iter,
                  gpointer            user_data)
{
  GtkWidget *entry = gtk_entry_completion_get_entry (completion);
  const char *token = last_token (gtk_editable_get_text (GTK_EDITABLE (entry)));
  GtkTreeModel *model = gtk_entry_completion_get_model (completion);
  g_autofree char *value = NULL;
  g_autofree char *folded_value = NULL;
  g_autofree char *folded_token = NULL;

  if (g_utf8_strlen (token, -1) < 1)
    return FALSE;
  gtk_tree_model_get (model, iter, 0, &value, -1);
  if (value == NULL)
    return FALSE;
  folded_value = g_utf8_casefold (value, -1);
  folded_token = g_utf8_casefold (token, -1);
  return strstr (folded_value, folded_token) != NULL;
}

static gboolean
completion_selected (GtkEntryCompletion *completion,
                     GtkTreeModel       *model,
                     GtkTreeIter        *iter,
                     gpointer            user_data)
{
  GtkWidget *entry = gtk_entry_completion_get_entry (completion);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  const char *comma = strrchr (text, ',');
  g_autofree char *value = NULL;
  g_autofree char *head = comma != NULL ? g_strndup (text, comma - text + 1) : g_strdup ("");
  g_autofree char *result = NULL;

  gtk_tree_model_get (model, iter, 0, &value, -1);
  result = g_strdup_printf ("%s%s%s, ", head, *head != '\0' ? " " : "", value);
  gtk_editable_set_text (GTK_EDITABLE (entry), result);
  gtk_editable_set_position (GTK_EDITABLE (entry), -1);
  return TRUE;
}

static void
addresses_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = lb_engine_list_addresses_finish (NULL, result, &error);
  LbComposer *self = user_data;

  if (list == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No address completion: %s", error->message);
      return;
    }
  for (guint i = 0; i < list->len; i++)
    {
      g_autofree char *text = lb_mailbox_to_string (g_ptr_array_index (list, i));
      GtkTreeIter iter;

      gtk_list_store_append (self->addresses, &iter);
      gtk_list_store_set (self->addresses, &iter, 0, text, -1);
    }
}

static void
setup_completion (LbComposer *self,
                  GtkEntry   *entry)
{
  GtkEntryCompletion *completion = gtk_entry_completion_new ();

  gtk_entry_completion_set_model (completion, GTK_TREE_MODEL (self->addresses));
  gtk_entry_completion_set_text_column (completion, 0);
  gtk_entry_completion_set_match_func (completion, completion_match, NULL, NULL);
  gtk_entry_completion_set_inline_completion (completion, FALSE);
  gtk_entry_completion_set_popup_single_match (completion, TRUE);
  g_signal_connect (completion, "match-selected", G_CALLBACK (completion_selected), NULL);
  gtk_entry_set_completion (entry, completion);
  g_object_unref (completion);
}

static void
on_entry_changed (GtkEditable *editable,
                  LbComposer  *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
  /* The missing recipient is being added: the hint has done its work. */
  if (GTK_ENTRY (editable) == self->to &&
      g_strcmp0 (gtk_label_get_text (self->banner_label), _("Add at least one recipient")) == 0)
    show_banner (self, NULL);
  mark_dirty (self);
}

static void
on_subject_changed (GtkEditable *editable,
                    LbComposer  *self)
{
  const char *text = gtk_editable_get_text (editable);

  mark_dirty (self);
  gtk_window_set_title (GTK_WINDOW (self), text != NULL && *text != '\0' ? text : _("New Message"));
}

/* ---- GObject ---------------------------------------------------------------------- */

static gboolean
lb_composer_close_request (GtkWindow *window)
{
  LbComposer *self = LB_COMPOSER (window);

  /* Closing keeps the draft: write what is not saved yet, here and on the server, and
   * say so.  An untouched reply or an empty window leaves nothing behind. */
  if (!self->sending && !composer_is_empty (self) &&
      (self->dirty || self->server_dirty || self->server_uid != 0))
    {
      save_draft (self, TRUE);
      lb_sending_show_toast (gtk_window_get_transient_for (window), adw_toast_new (_("Draft saved")));
    }
  return GTK_WINDOW_CLASS (lb_composer_parent_class)->close_request (window);
}

static void
lb_composer_dispose (GObject *object)
{
  LbComposer *self = LB_COMPOSER (object);

  g_clear_handle_id (&self->autosave_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (lb_composer_parent_class)->dispose (object);
}

static void
lb_composer_finalize (GObject *object)
{
  LbComposer *self = LB_COMPOSER (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->addresses);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_free (self->in_reply_to);
  g_strfreev (self->references);
  g_free (self->draft_id);
  g_clear_pointer (&self->senders, g_ptr_array_unref);
  g_free (self->signature_text);
  G_OBJECT_CLASS (lb_composer_parent_class)->finalize (object);
}

static void
lb_composer_class_init (LbComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lb_composer_dispose;
  object_class->finalize = lb_composer_finalize;
  window_class->close_request = lb_composer_close_request;

  g_type_ensure (LB_TYPE_RICH_EDITOR);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               LB_RESOURCE_PATH "/ui/lb-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, LbComposer, from);
  gtk_widget_class_bind_template_child (widget_class, LbComposer, to);
  gtk_widget_class_bind_template_child (widget_class, LbComposer, cc);
  gtk_widget_class_bind_template_child (widget_class, LbComposer, bcc);
  gtk_widget_class_bind_template_child (widget_class, LbComposer, subject);
  gtk_widget_class_bind_template_child (widget_class, LbComposer, editor);
  gtk_widget_class_bind_template_child (widget_class, LbComposer, attachment_list);
  gtk_widget_class_bind_template_child (widget_class, LbComposer, banner);
  gtk_widget_class_bind_template_child (widget_class, LbComposer, banner_label);
  gtk_widget_class_bind_template_child (widget_class, LbComposer, send_button);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_subject_changed);
  gtk_widget_class_bind_template_callback (widget_class, update_size_warning);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "composer.attach", NULL, attach_action);
  gtk_widget_class_install_action (widget_class, "composer.discard", NULL, discard_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lb_composer_init (LbComposer *self)
{
  GtkDropTarget *drop;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->body = lb_rich_editor_get_text_view (self->editor);
  /* Formatted or plain is the preference's, and then each message's own. */
  lb_rich_editor_set_formatted (self->editor, g_settings_get_boolean (settings, "compose-formatted"));

  self->attachments = g_ptr_array_new_with_free_func (g_object_unref);
  self->draft_id = g_uuid_string_random ();
  self->addresses = gtk_list_store_new (1, G_TYPE_STRING);
  self->cancellable = g_cancellable_new ();

  /* Completion and the drop target are not buildable from the template: the first needs
   * the address store, the second a GType for its formats. */
  setup_completion (self, self->to);
  setup_completion (self, self->cc);
  setup_completion (self, self->bcc);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->body), "changed",
                            G_CALLBACK (mark_dirty), self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  self->autosave_id = g_timeout_add_seconds (AUTOSAVE_SECONDS, autosave_tick, self);
}

static void
add_sender (LbComposer    *self,
            GtkStringList *names,
            LbAccount     *account,
            const char    *name,
            const char    *email,
            const char    *signature)
{
  FromChoice *choice = g_new0 (FromChoice, 1);
  g_autofree char *label = NULL;

  choice->account = g_object_ref (account);
  choice->name = g_strdup (name != NULL && name[0] != '\0' ? name : NULL);
  choice->email = g_strdup (email);
  choice->signature = g_strdup (signature);
  g_ptr_array_add (self->senders, choice);
  label = choice->name != NULL && g_strcmp0 (choice->name, email) != 0
          ? g_strdup_printf ("%s <%s>", choice->name, email) : g_strdup (email);
  gtk_string_list_append (names, label);
}

/* Every account's own address, each followed by its aliases; an alias without a name of
 * its own sends with the account's. */
static void
fill_senders (LbComposer *self,
              gint64      account_id)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint selected = 0;

  self->senders = g_ptr_array_new_with_free_func ((GDestroyNotify) from_choice_free);
  for (guint i = 0; i < g_list_model_get_n_items (self->accounts); i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (self->accounts, i);
      GPtrArray *aliases = lb_account_get_aliases (a);

      if (lb_account_get_id (a) == account_id)
        selected = self->senders->len;
      add_sender (self, names, a, lb_account_get_display_name (a), lb_account_get_email (a),
                  lb_account_get_signature (a));
      for (guint j = 0; j < aliases->len; j++)
        {
          const LbIdentity *alias = g_ptr_array_index (aliases, j);

          add_sender (self, names, a,
                      alias->display_name != NULL ? alias->display_name
                                                  : lb_account_get_display_name (a),
                      alias->email, alias->signature);
        }
    }
  gtk_drop_down_set_model (self->from, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->from, selected);
}

/* Selects the From row of @email (an alias the original was sent to) within @account_id,
 * if there is one. */
static void
select_sender (LbComposer *self,
               gint64      account_id,
               const char *email)
{
  for (guint i = 0; email != NULL && i < self->senders->len; i++)
    {
      const FromChoice *choice = g_ptr_array_index (self->senders, i);

      if (lb_account_get_id (choice->account) == account_id
          && g_ascii_strcasecmp (choice->email, email) == 0)
        {
          gtk_drop_down_set_selected (self->from, i);
          return;
        }
    }
}

/* ---- The signature: inserted once, swapped with the From, never retyped ---------------- */

static char *
signature_block (const char *signature,
                 gboolean    below)
{
  if (signature == NULL || signature[0] == '\0')
    return g_strdup ("");
  /* "-- " with its space is the separator readers and repliers recognise (RFC 3676). */
  return below ? g_strdup_printf ("\n\n-- \n%s", signature)
               : g_strdup_printf ("-- \n%s\n\n", signature);
}

/* Inserts the selected sender's signature at @where and marks it. */
static void
insert_signature_at (LbComposer  *self,
                     GtkTextIter *where)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body);
  const FromChoice *choice = selected_sender (self);
  g_autofree char *block = signature_block (choice != NULL ? choice->signature : NULL,
                                            self->signature_below);
  int offset = gtk_text_iter_get_offset (where);
  GtkTextIter start, end;

  gtk_text_buffer_insert (buffer, where, block, -1);
  gtk_text_buffer_get_iter_at_offset (buffer, &start, offset);
  gtk_text_buffer_get_iter_at_offset (buffer, &end, offset + (int) g_utf8_strlen (block, -1));
  if (self->signature_start == NULL)
    {
      /* Text typed right before or after the signature stays outside it. */
      self->signature_start = gtk_text_buffer_create_mark (buffer, NULL, &start, FALSE);
      self->signature_end = gtk_text_buffer_create_mark (buffer, NULL, &end, TRUE);
    }
  else
    {
      gtk_text_buffer_move_mark (buffer, self->signature_start, &start);
      gtk_text_buffer_move_mark (buffer, self->signature_end, &end);
    }
  g_free (self->signature_text);
  self->signature_text = g_steal_pointer (&block);
}

/* A new message, reply or forward: the signature goes after a blank line at the top (new
 * mail, or a reply above the quote) or at the very end (below the quote). */
static void
insert_signature (LbComposer *self,
                  gboolean    has_quote)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body);
  GtkTextIter where, start;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  /* New mail has nothing to be above: its signature ends it. */
  self->signature_below = !has_quote
                          || g_settings_get_enum (settings, "signature-position") == 1;
  if (self->signature_below)
    gtk_text_buffer_get_end_iter (buffer, &where);
  else
    {
      if (gtk_text_buffer_get_char_count (buffer) < 2)
        {
          gtk_text_buffer_get_end_iter (buffer, &where);
          gtk_text_buffer_insert (buffer, &where, "\n\n", 2);
        }
      gtk_text_buffer_get_iter_at_offset (buffer, &where, 2);
    }
  insert_signature_at (self, &where);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
}

/* The From changed: the old signature is replaced by the new one, unless the user has
 * edited it (then it is theirs). */
static void
on_from_changed (LbComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body);
  GtkTextIter start, end;
  g_autofree char *current = NULL;
  gboolean was_dirty = self->dirty;
  gboolean was_server_dirty = self->server_dirty;

  if (self->signature_start == NULL)
    return;
  gtk_text_buffer_get_iter_at_mark (buffer, &start, self->signature_start);
  gtk_text_buffer_get_iter_at_mark (buffer, &end, self->signature_end);
  current = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (g_strcmp0 (current, self->signature_text) != 0)
    return;
  gtk_text_buffer_delete (buffer, &start, &end);
  gtk_text_buffer_get_iter_at_mark (buffer, &start, self->signature_start);
  insert_signature_at (self, &start);
  /* Only the From changed: the draft is as dirty as it was. */
  self->dirty = was_dirty;
  self->server_dirty = was_server_dirty;
}

static LbComposer *
composer_new (GtkWindow *parent,
              LbEngine  *engine,
              gint64     account_id)
{
  LbComposer *self = g_object_new (LB_TYPE_COMPOSER, NULL);

  self->engine = g_object_ref (engine);
  self->accounts = lb_engine_get_accounts (engine);
  fill_senders (self, account_id);
  g_signal_connect_swapped (self->from, "notify::selected", G_CALLBACK (on_from_changed), self);
  /* The callback runs only while the window lives: dispose cancels. */
  lb_engine_list_addresses_async (engine, 500, self->cancellable, addresses_loaded, self);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  return self;
}

static void
set_address_field (GtkEntry  *entry,
                   GPtrArray *list)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      g_autofree char *one = lb_mailbox_to_string (g_ptr_array_index (list, i));

      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append (s, one);
    }
  gtk_editable_set_text (GTK_EDITABLE (entry), s->str);
  g_string_free (s, TRUE);
}

static void
fill_from_draft (LbComposer  *self,
                 LbDraft *d)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body);
  GtkTextIter start;

  set_address_field (self->to, d->to);
  set_address_field (self->cc, d->cc);
  set_address_field (self->bcc, d->bcc);
  gtk_editable_set_text (GTK_EDITABLE (self->subject), d->subject != NULL ? d->subject : "");
  gtk_text_buffer_set_text (buffer, d->body != NULL ? d->body : "", -1);
  /* A formatted draft or reply opens formatted; a draft saved as plain text (it keeps
   * its Message-ID) stays plain. */
  if (d->body_html != NULL && lb_rich_editor_get_formatted (self->editor))
    lb_rich_editor_load_html (self->editor, d->body_html, d->inline_images);
  else if (d->body_html == NULL && d->message_id != NULL)
    lb_rich_editor_set_formatted (self->editor, FALSE);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
  g_free (self->in_reply_to);
  self->in_reply_to = g_strdup (d->in_reply_to);
  g_strfreev (self->references);
  self->references = g_strdupv (d->references);
  for (guint i = 0; i < d->attachments->len; i++)
    add_attachment (self, g_ptr_array_index (d->attachments, i));
  self->dirty = FALSE;
  self->server_dirty = FALSE;
}

void
lb_composer_open_new (GtkWindow *parent,
                      LbEngine  *engine)
{
  LbComposer *self;

  g_return_if_fail (LB_IS_ENGINE (engine));
  self = composer_new (parent, engine, 0);
  insert_signature (self, FALSE);
  /* The signature alone is nothing to save. */
  self->dirty = FALSE;
  self->server_dirty = FALSE;
  gtk_window_present (GTK_WINDOW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->to));
}

void
lb_composer_open_mailto (GtkWindow  *parent,
                         LbEngine   *engine,
                         const char *mailto_uri)
{
  LbComposer *self;
  g_autoptr(LbDraft) d = NULL;

  g_return_if_fail (LB_IS_ENGINE (engine));
  self = composer_new (parent, engine, 0);
  d = lb_draft_new_from_mailto (mailto_uri, NULL);
  fill_from_draft (self, d);
  gtk_window_present (GTK_WINDOW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->body));
}

/* ---- Replies and forwards: the original is read and parsed off the main thread ---- */

typedef struct {
  LbComposer *composer;
  gboolean    forward;
  gboolean    reply_all;
  char      **own;
  LbMailbox  *from;
  gint64      account_id;
  char      **aliases;     /* the account's additional addresses */
  char       *sent_to;     /* the alias the original was sent to, found on the thread */
} OpenData;

static void
open_data_free (OpenData *od)
{
  g_clear_object (&od->composer);
  g_strfreev (od->own);
  g_clear_pointer (&od->from, lb_mailbox_free);
  g_strfreev (od->aliases);
  g_free (od->sent_to);
  g_free (od);
}

/* The first of @aliases among the original's To and Cc: the address the mail came to,
 * which the reply is sent from. */
static char *
find_alias_recipient (LbMessageContent   *original,
                      const char * const *aliases)
{
  GPtrArray *lists[] = { lb_message_content_get_to (original),
                         lb_message_content_get_cc (original) };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l] != NULL && i < lists[l]->len; i++)
      {
        const LbMailbox *to = g_ptr_array_index (lists[l], i);

        for (guint k = 0; aliases != NULL && aliases[k] != NULL; k++)
          if (to->address != NULL && g_ascii_strcasecmp (to->address, aliases[k]) == 0)
            return g_strdup (aliases[k]);
      }
  return NULL;
}

static void
parse_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  OpenData *od = g_object_get_data (G_OBJECT (task), "open-data");
  g_autoptr(LbMessageContent) m = lb_message_content_new_from_bytes (task_data, NULL);

  if (m == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s",
                               _("The original message could not be read."));
      return;
    }
  od->sent_to = find_alias_recipient (m, (const char * const *) od->aliases);
  if (od->forward)
    g_task_return_pointer (task, lb_draft_new_forward (m, od->from), (GDestroyNotify) lb_draft_free);
  else
    g_task_return_pointer (task, lb_draft_new_reply (m, od->from, (const char * const *) od->own,
                                                     od->reply_all),
                           (GDestroyNotify) lb_draft_free);
}

/* The "reply-below-quote" preference: the reply starts under the quoted message
 * (bottom-posting) rather than above it.  The draft puts the free lines on top; they move
 * to the end, where the cursor goes. */
static void
place_reply_below_quote (LbComposer *self)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body);
  GtkTextIter start, end;
  g_autofree char *head = NULL;
  gboolean dirty = self->dirty;
  gboolean server_dirty = self->server_dirty;

  if (!g_settings_get_boolean (settings, "reply-below-quote"))
    return;
  gtk_text_buffer_get_start_iter (buffer, &start);
  end = start;
  gtk_text_iter_forward_chars (&end, 2);
  head = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (g_str_equal (head, "\n\n"))
    gtk_text_buffer_delete (buffer, &start, &end);
  gtk_text_buffer_get_end_iter (buffer, &end);
  if (!gtk_text_iter_starts_line (&end))
    gtk_text_buffer_insert (buffer, &end, "\n", -1);
  gtk_text_buffer_insert (buffer, &end, "\n", -1);
  gtk_text_buffer_place_cursor (buffer, &end);
  /* Moving the free lines is not an edit of the user's. */
  self->dirty = dirty;
  self->server_dirty = server_dirty;
}

static void
parsed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  OpenData *od = g_object_get_data (G_OBJECT (result), "open-data");
  g_autoptr(GError) error = NULL;
  g_autoptr(LbDraft) d = g_task_propagate_pointer (G_TASK (result), &error);

  if (d == NULL)
    {
      show_banner (od->composer, error->message);
      return;
    }
  fill_from_draft (od->composer, d);
  select_sender (od->composer, od->account_id, od->sent_to);
  insert_signature (od->composer, TRUE);
  od->composer->dirty = FALSE;
  od->composer->server_dirty = FALSE;
  if (od->forward)
    gtk_widget_grab_focus (GTK_WIDGET (od->composer->to));
  else
    {
      place_reply_below_quote (od->composer);
      gtk_widget_grab_focus (GTK_WIDGET (od->composer->body));
    }
}

static void
start_parse (OpenData *od,
             GBytes   *raw)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, parsed_cb, NULL);

  g_object_set_data_full (G_OBJECT (task), "open-data", od, (GDestroyNotify) open_data_free);
  g_task_set_task_data (task, g_bytes_ref (raw), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, parse_thread);
}

static void
body_fetched (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  OpenData *od = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = lb_account_fetch_body_finish (LB_ACCOUNT (source), result, &error);

  if (raw == NULL)
    {
      show_banner (od->composer, error->message);
      open_data_free (od);
      return;
    }
  start_parse (od, raw);
}

/* A composer for a reply or forward from @account (nullable: the first From), and what
 * its parsing thread needs: every own address (not replied to), the account's aliases. */
static OpenData *
derived_data (GtkWindow *parent,
              LbEngine  *engine,
              LbAccount *account,
              gboolean   forward,
              gboolean   reply_all)
{
  GListModel *accounts = lb_engine_get_accounts (engine);
  g_autoptr(GStrvBuilder) own = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) aliases = g_strv_builder_new ();
  gint64 account_id = account != NULL ? lb_account_get_id (account) : 0;
  OpenData *od = g_new0 (OpenData, 1);
  LbComposer *self = composer_new (parent, engine, account_id);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(LbAccount) a = g_list_model_get_item (accounts, i);
      GPtrArray *list = lb_account_get_aliases (a);

      g_strv_builder_add (own, lb_account_get_email (a));
      for (guint j = 0; j < list->len; j++)
        {
          const LbIdentity *alias = g_ptr_array_index (list, j);

          g_strv_builder_add (own, alias->email);
          if (a == account)
            g_strv_builder_add (aliases, alias->email);
        }
    }
  od->account_id = account_id;
  od->aliases = g_strv_builder_end (aliases);
  od->composer = g_object_ref (self);
  od->forward = forward;
  od->reply_all = reply_all;
  od->own = g_strv_builder_end (own);
  od->from = account != NULL ? lb_mailbox_new (lb_account_get_display_name (account),
                                               lb_account_get_email (account))
                             : lb_mailbox_new (NULL, "");
  gtk_window_present (GTK_WINDOW (self));
  return od;
}

static void
open_derived (GtkWindow *parent,
              LbEngine  *engine,
              LbMessage *message,
              gboolean   forward,
              gboolean   reply_all)
{
  LbAccount *account = lb_engine_get_account (engine, lb_message_get_account_id (message));
  OpenData *od = derived_data (parent, engine, account, forward, reply_all);
  g_autoptr(GBytes) raw = lb_engine_get_cached_body (engine, lb_message_get_id (message));

  if (raw != NULL)
    start_parse (od, raw);
  else if (account != NULL)
    lb_account_fetch_body_async (account, lb_message_get_id (message), NULL, body_fetched, od);
  else
    open_data_free (od);
}

/**
 * lb_composer_open_reply_to_bytes:
 * @raw: a message that is in no account (opened from a .eml file)
 *
 * Replies to @raw from the first account (or its alias the message was sent to).
 */
void
lb_composer_open_reply_to_bytes (GtkWindow *parent,
                                 LbEngine  *engine,
                                 GBytes    *raw,
                                 gboolean   reply_all)
{
  GListModel *accounts;
  g_autoptr(LbAccount) account = NULL;

  g_return_if_fail (LB_IS_ENGINE (engine));
  g_return_if_fail (raw != NULL);

  accounts = lb_engine_get_accounts (engine);
  if (g_list_model_get_n_items (accounts) > 0)
    account = g_list_model_get_item (accounts, 0);
  start_parse (derived_data (parent, engine, account, FALSE, reply_all), raw);
}

void
lb_composer_open_reply (GtkWindow *parent,
                        LbEngine  *engine,
                        LbMessage *message,
                        gboolean   reply_all)
{
  g_return_if_fail (LB_IS_ENGINE (engine));
  g_return_if_fail (LB_IS_MESSAGE (message));
  open_derived (parent, engine, message, FALSE, reply_all);
}

void
lb_composer_open_forward (GtkWindow *parent,
                          LbEngine  *engine,
                          LbMessage *message)
{
  g_return_if_fail (LB_IS_ENGINE (engine));
  g_return_if_fail (LB_IS_MESSAGE (message));
  open_derived (parent, engine, message, TRUE, FALSE);
}

/* ---- Reopening a draft from Drafts ------------------------------------------------- */

/* The composer already editing the draft with this store id or Message-ID, if any. */
static LbComposer *
find_draft_composer (gint64      message_id,
                     const char *draft_message_id,
                     LbComposer *except)
{
  /* (transfer none): GTK's own list. */
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      LbComposer *c;

      if (!LB_IS_COMPOSER (window) || LB_COMPOSER (window) == except)
        continue;
      c = LB_COMPOSER (window);
      if ((message_id != 0 && c->opened_message_id == message_id) ||
          (draft_message_id != NULL && g_strcmp0 (c->draft_id, draft_message_id) == 0))
        return c;
    }
  return NULL;
}

static void
draft_parse_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autoptr(LbMessageContent) m = lb_message_content_new_from_bytes (task_data, NULL);

  if (m == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s",
                               _("The draft could not be read."));
      return;
    }
  g_task_return_pointer (task, lb_draft_new_for_editing (m, NULL), (GDestroyNotify) lb_draft_free);
}

static void
draft_parsed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LbComposer *self = LB_COMPOSER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbDraft) d = g_task_propagate_pointer (G_TASK (result), &error);
  LbComposer *other;

  self->loading = FALSE;
  if (d == NULL)
    {
      show_banner (self, error->message);
      return;
    }
  /* Its newer copy may be open already (each save is a new message in Drafts). */
  other = find_draft_composer (0, d->message_id, self);
  if (other != NULL)
    {
      self->sending = TRUE;
      gtk_window_present (GTK_WINDOW (other));
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  fill_from_draft (self, d);
  /* Saved again under the same Message-ID (and local file), so that the new copy
   * replaces this one; a Message-ID that cannot be a file name keeps the random one. */
  if (d->message_id != NULL && *d->message_id != '\0' && strchr (d->message_id, '/') == NULL &&
      d->message_id[0] != '.')
    {
      g_free (self->draft_id);
      self->draft_id = g_strdup (d->message_id);
    }
  /* A draft only this computer has goes to the server with the next save, edited or not. */
  if (self->local_only)
    self->server_dirty = TRUE;
  gtk_widget_grab_focus (GTK_WIDGET (self->body));
}

static void
draft_start_parse (LbComposer *self,
                   GBytes     *raw)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, draft_parsed, NULL);

  g_task_set_task_data (task, g_bytes_ref (raw), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, draft_parse_thread);
}

static void
draft_fetched (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LbComposer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = lb_account_fetch_body_finish (LB_ACCOUNT (source), result, &error);

  if (raw == NULL)
    {
      self->loading = FALSE;
      show_banner (self, error->message);
      return;
    }
  draft_start_parse (self, raw);
}

/**
 * lb_composer_open_draft:
 * @message: a message in an account's Drafts folder
 *
 * Opens a saved draft for editing: every field, the attachments and the thread headers.
 * Saving it replaces the copy in Drafts (the old one is deleted once the new one is
 * stored), sending deletes it.  A draft already open in a composer is not opened twice:
 * that composer is presented.
 */
void
lb_composer_open_draft (GtkWindow *parent,
                        LbEngine  *engine,
                        LbMessage *message)
{
  LbAccount *account;
  LbComposer *self;
  g_autoptr(GBytes) raw = NULL;

  g_return_if_fail (LB_IS_ENGINE (engine));
  g_return_if_fail (LB_IS_MESSAGE (message));

  self = find_draft_composer (lb_message_get_id (message), NULL, NULL);
  if (self != NULL)
    {
      gtk_window_present (GTK_WINDOW (self));
      return;
    }
  account = lb_engine_get_account (engine, lb_message_get_account_id (message));
  self = composer_new (parent, engine, lb_message_get_account_id (message));
  self->opened_message_id = lb_message_get_id (message);
  self->server_uid = lb_message_get_uid (message);
  self->server_account_id = lb_message_get_account_id (message);
  self->loading = TRUE;
  gtk_window_present (GTK_WINDOW (self));

  raw = lb_engine_get_cached_body (engine, lb_message_get_id (message));
  if (raw != NULL)
    draft_start_parse (self, raw);
  else if (account != NULL)
    lb_account_fetch_body_async (account, lb_message_get_id (message), self->cancellable,
                                 draft_fetched, g_object_ref (self));
  else
    self->loading = FALSE;
}

/* ---- Editing an outbox item -------------------------------------------------------- */

typedef struct {
  GBytes  *raw;
  char   **rcpts;
} EditData;

static void
edit_data_free (EditData *ed)
{
  g_clear_pointer (&ed->raw, g_bytes_unref);
  g_strfreev (ed->rcpts);
  g_free (ed);
}

static void
parse_outbox_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  EditData *ed = task_data;
  g_autoptr(LbMessageContent) m = lb_message_content_new_from_bytes (ed->raw, NULL);

  if (m == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s",
                               _("The original message could not be read."));
      return;
    }
  g_task_return_pointer (task, lb_draft_new_for_editing (m, (const char * const *) ed->rcpts),
                         (GDestroyNotify) lb_draft_free);
}

static void
outbox_parsed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  LbComposer *self = LB_COMPOSER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbDraft) d = g_task_propagate_pointer (G_TASK (result), &error);

  if (d == NULL)
    {
      show_banner (self, error->message);
      return;
    }
  fill_from_draft (self, d);
  /* Why it was not sent, above the message. */
  if (g_object_get_data (G_OBJECT (result), "last-error") != NULL)
    show_banner (self, g_object_get_data (G_OBJECT (result), "last-error"));
}

static void
outbox_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbComposer *self = LB_COMPOSER (g_task_get_source_object (task));
  EditData *ed = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  ed->raw = lb_engine_outbox_load_message_finish (LB_ENGINE (source), result, &error);
  if (ed->raw == NULL)
    {
      show_banner (self, error->message);
      return;
    }
  g_task_run_in_thread (task, parse_outbox_thread);
}

/**
 * lb_composer_open_outbox_item:
 *
 * Opens a failed (or waiting) outbox message for editing.  When the edited message is
 * sent or queued, the old outbox item is discarded; closing the window keeps it.  The
 * message is read on the account's worker, then parsed on a thread.
 */
void
lb_composer_open_outbox_item (GtkWindow    *parent,
                              LbEngine     *engine,
                              LbOutboxItem *item)
{
  LbComposer *self;
  GTask *task;
  EditData *ed;
  LbAccount *account;

  g_return_if_fail (LB_IS_ENGINE (engine));
  g_return_if_fail (LB_IS_OUTBOX_ITEM (item));

  account = lb_engine_get_account (engine, lb_outbox_item_get_account_id (item));
  if (account == NULL)
    return;
  self = composer_new (parent, engine, lb_outbox_item_get_account_id (item));
  self->outbox_item_id = lb_outbox_item_get_id (item);
  self->outbox_account_id = lb_outbox_item_get_account_id (item);
  gtk_window_present (GTK_WINDOW (self));

  ed = g_new0 (EditData, 1);
  ed->rcpts = g_strsplit (lb_outbox_item_get_recipients (item), ", ", -1);
  task = g_task_new (self, NULL, outbox_parsed, NULL);
  g_object_set_data_full (G_OBJECT (task), "last-error",
                          g_strdup (lb_outbox_item_get_last_error (item)), g_free);
  g_task_set_task_data (task, ed, (GDestroyNotify) edit_data_free);
  lb_engine_outbox_load_message_async (engine, account, lb_outbox_item_get_id (item),
                                       self->cancellable, outbox_loaded, task);
}

/**
 * lb_composer_open_local_draft:
 * @draft: a draft kept on this computer only (lb_engine_list_local_drafts())
 *
 * Opens a draft written offline, or left by a crash, for editing.  Its next save (closing
 * the window is one) stores it on the server and removes the file.  A draft already open
 * in a composer is presented instead.
 */
void
lb_composer_open_local_draft (GtkWindow          *parent,
                              LbEngine           *engine,
                              const LbLocalDraft *draft)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = NULL;
  LbComposer *self;
  gint64 account_id = 0;

  g_return_if_fail (LB_IS_ENGINE (engine));
  g_return_if_fail (draft != NULL);

  self = find_draft_composer (0, draft->id, NULL);
  if (self != NULL)
    {
      gtk_window_present (GTK_WINDOW (self));
      return;
    }
  /* A file of a few kilobytes, written by this program: read here, parsed on a thread. */
  raw = lb_engine_read_local_draft (engine, draft->id, &account_id, &error);
  self = composer_new (parent, engine, draft->account_id != 0 ? draft->account_id : account_id);
  g_free (self->draft_id);
  self->draft_id = g_strdup (draft->id);
  self->local_only = TRUE;
  gtk_window_present (GTK_WINDOW (self));
  if (raw == NULL)
    {
      show_banner (self, error->message);
      return;
    }
  self->loading = TRUE;
  draft_start_parse (self, raw);
}
