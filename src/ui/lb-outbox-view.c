/* lb-outbox-view.c: the Outbox's messages, in place of the message list
 *
 * The outbox holds a handful of messages at most, so a GtkListBox rebuilt whenever the
 * engine's outbox model changes (the workers replace an account's items at once).  Each
 * row says where its message is (waiting, sending, will retry at, not sent with the
 * reason, interrupted) and offers Send Now (which asks first for an interrupted send),
 * Edit and Discard.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-composer.h"
#include "lb-outbox-view.h"

#define ITEM_KEY "lb-outbox-item"

struct _LbOutboxView
{
  GtkWidget   parent_instance;

  LbEngine   *engine;
  gint64      account_id;   /* 0: every account */
  GtkStack   *stack;
  GtkListBox *list_box;
};

G_DEFINE_FINAL_TYPE (LbOutboxView, lb_outbox_view, GTK_TYPE_WIDGET)

GtkWidget *
lb_outbox_view_new (void)
{
  return g_object_new (LB_TYPE_OUTBOX_VIEW, NULL);
}

/**
 * lb_outbox_view_state_text:
 *
 * Returns: (transfer full): the line that says where @item is, in the user's language
 */
char *
lb_outbox_view_state_text (LbOutboxItem *item)
{
  gint64 next = lb_outbox_item_get_next_attempt (item);
  const char *reason = lb_outbox_item_get_last_error (item);

  if (next == LB_OUTBOX_HELD)
    return g_strdup (_("Not sent yet: choose Send Now to send it"));
  switch (lb_outbox_item_get_state (item))
    {
    case LB_OUTBOX_STATE_SENDING:
      return g_strdup (_("Sending…"));
    case LB_OUTBOX_STATE_SENT:
      return g_strdup (_("Sent; saving a copy in Sent"));
    case LB_OUTBOX_STATE_INTERRUPTED:
      /* The engine cannot know whether the server got it: the user looks in Sent. */
      return g_strdup (_("Sending was interrupted — check Sent"));
    case LB_OUTBOX_STATE_FAILED:
      /* The engine's reason is already mapped to words for people (a refused password,
       * a message too large, or an interrupted send that asks to check Sent). */
      if (reason != NULL && *reason != '\0')
        /* Translators: %s is the reason, such as "The server refused the password." */
        return g_strdup_printf (_("Not sent: %s"), reason);
      return g_strdup (_("Not sent"));
    case LB_OUTBOX_STATE_QUEUED:
    default:
      if (next > g_get_real_time () / G_USEC_PER_SEC)
        {
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (next);
          g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
          g_autofree char *time = local != NULL ? g_date_time_format (local, "%H:%M") : NULL;

          if (time != NULL)
            /* Translators: %s is a time such as 14:05. */
            return g_strdup_printf (_("Will retry at %s"), time);
        }
      return g_strdup (_("Waiting to be sent"));
    }
}

static LbAccount *
item_account (LbOutboxView *self,
              LbOutboxItem *item)
{
  return lb_engine_get_account (self->engine, lb_outbox_item_get_account_id (item));
}

static void
send_again (LbOutboxView *self,
            LbOutboxItem *item)
{
  LbAccount *account = item_account (self, item);

  if (account != NULL)
    lb_engine_outbox_retry (self->engine, account, lb_outbox_item_get_id (item));
}

static void
on_send_again_response (AdwMessageDialog *dialog,
                        const char       *response,
                        LbOutboxView     *self)
{
  if (g_strcmp0 (response, "send") == 0 && self->engine != NULL)
    send_again (self, g_object_get_data (G_OBJECT (dialog), ITEM_KEY));
}

/* An interrupted send may have reached the server: sending again may deliver it twice,
 * so the user decides, after a look in Sent. */
static void
ask_send_again (LbOutboxView *self,
                LbOutboxItem *item)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Send Again?"),
                                   _("Sending this message was interrupted, and the server may "
                                     "already have it. Look in the Sent folder first: if it is "
                                     "there, sending again delivers it twice."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "send", _("_Send Again"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_widget_set_name (dialog, "outbox-send-again-dialog");
  g_object_set_data_full (G_OBJECT (dialog), ITEM_KEY, g_object_ref (item), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_send_again_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_send_now_clicked (GtkButton    *button,
                     LbOutboxView *self)
{
  LbOutboxItem *item = g_object_get_data (G_OBJECT (button), ITEM_KEY);

  if (lb_outbox_item_get_state (item) == LB_OUTBOX_STATE_INTERRUPTED)
    ask_send_again (self, item);
  else
    send_again (self, item);
}

static void
on_edit_clicked (GtkButton    *button,
                 LbOutboxView *self)
{
  LbOutboxItem *item = g_object_get_data (G_OBJECT (button), ITEM_KEY);

  lb_composer_open_outbox_item (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->engine,
                                item);
}

static void
on_discard_response (AdwMessageDialog *dialog,
                     const char       *response,
                     LbOutboxView     *self)
{
  LbOutboxItem *item = g_object_get_data (G_OBJECT (dialog), ITEM_KEY);
  LbAccount *account;

  if (g_strcmp0 (response, "discard") != 0 || self->engine == NULL)
    return;
  account = item_account (self, item);
  if (account != NULL)
    lb_engine_outbox_discard (self->engine, account, lb_outbox_item_get_id (item));
}

static void
on_discard_clicked (GtkButton    *button,
                    LbOutboxView *self)
{
  LbOutboxItem *item = g_object_get_data (G_OBJECT (button), ITEM_KEY);
  GtkWidget *dialog;
  const char *subject = lb_outbox_item_get_subject (item);

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Discard Message?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  /* Translators: %s is the message's subject. */
                                  _("“%s” is removed from the Outbox and will not be sent."),
                                  subject != NULL && *subject != '\0' ? subject : _("(No Subject)"));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_widget_set_name (dialog, "outbox-discard-dialog");
  g_object_set_data_full (G_OBJECT (dialog), ITEM_KEY, g_object_ref (item), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_discard_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
make_button (LbOutboxView *self,
             LbOutboxItem *item,
             const char   *label,
             const char   *name,
             GCallback     callback)
{
  /* No mnemonic: every row has the same buttons, so one key could not pick one. */
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_name (button, name);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), ITEM_KEY, g_object_ref (item), g_object_unref);
  g_signal_connect_object (button, "clicked", callback, self, 0);
  return button;
}

static GtkWidget *
make_label (const char *text,
            const char *css_class,
            const char *name)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_widget_set_name (label, name);
  return label;
}

static GtkWidget *
make_row (LbOutboxView *self,
          LbOutboxItem *item)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  const char *subject = lb_outbox_item_get_subject (item);
  g_autofree char *to = NULL;
  g_autofree char *state = lb_outbox_view_state_text (item);
  GtkWidget *state_label;
  GtkWidget *send_now;

  /* Translators: the recipients of an outgoing message, for example "To: bob@example.org". */
  to = g_strdup_printf (_("To: %s"), lb_outbox_item_get_recipients (item));
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), make_label (subject != NULL && *subject != '\0' ? subject
                                             : _("(No Subject)"), "heading", "subject"));
  gtk_box_append (GTK_BOX (box), make_label (to, "dim-label", "recipients"));
  state_label = make_label (state, "caption", "state");
  if (lb_outbox_item_get_state (item) == LB_OUTBOX_STATE_FAILED)
    gtk_widget_add_css_class (state_label, "error");
  else if (lb_outbox_item_get_state (item) == LB_OUTBOX_STATE_INTERRUPTED)
    gtk_widget_add_css_class (state_label, "warning");
  gtk_box_append (GTK_BOX (box), state_label);
  if (lb_outbox_item_get_state (item) == LB_OUTBOX_STATE_QUEUED &&
      lb_outbox_item_get_attempts (item) > 0 && lb_outbox_item_get_last_error (item) != NULL)
    {
      /* Why the last attempt failed, often the network library's words: one line, all
       * of it in the tooltip. */
      GtkWidget *reason = make_label (lb_outbox_item_get_last_error (item), "caption", "reason");

      gtk_label_set_wrap (GTK_LABEL (reason), FALSE);
      gtk_label_set_ellipsize (GTK_LABEL (reason), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (reason, "dim-label");
      gtk_widget_set_tooltip_text (reason, lb_outbox_item_get_last_error (item));
      gtk_box_append (GTK_BOX (box), reason);
    }

  send_now = make_button (self, item, C_("outbox row", "Send Now"), "send-now", G_CALLBACK (on_send_now_clicked));
  gtk_widget_add_css_class (send_now, "suggested-action");
  gtk_box_append (GTK_BOX (buttons), send_now);
  gtk_box_append (GTK_BOX (buttons), make_button (self, item, C_("outbox row", "Edit"), "edit",
                                                  G_CALLBACK (on_edit_clicked)));
  gtk_box_append (GTK_BOX (buttons), make_button (self, item, C_("outbox row", "Discard"), "discard",
                                                  G_CALLBACK (on_discard_clicked)));
  /* A message on its way cannot be changed: only its result can. */
  gtk_widget_set_sensitive (buttons, lb_outbox_item_get_state (item) != LB_OUTBOX_STATE_SENDING &&
                                     lb_outbox_item_get_state (item) != LB_OUTBOX_STATE_SENT);
  gtk_widget_set_margin_top (buttons, 4);
  gtk_box_append (GTK_BOX (box), buttons);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_name (row, "outbox-item");
  g_object_set_data_full (G_OBJECT (row), ITEM_KEY, g_object_ref (item), g_object_unref);
  return row;
}

static void
lb_outbox_view_rebuild (LbOutboxView *self)
{
  GListModel *outbox = self->engine != NULL ? lb_engine_get_outbox (self->engine) : NULL;
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  for (guint i = 0; outbox != NULL && i < g_list_model_get_n_items (outbox); i++)
    {
      g_autoptr(LbOutboxItem) item = g_list_model_get_item (outbox, i);

      if (self->account_id != 0 && lb_outbox_item_get_account_id (item) != self->account_id)
        continue;
      gtk_list_box_append (self->list_box, make_row (self, item));
      shown++;
    }
  gtk_stack_set_visible_child_name (self->stack, shown > 0 ? "items" : "empty");
}

/**
 * lb_outbox_view_show:
 * @account_id: an account's id, or 0 for every account's outbox
 *
 * Shows the outbox, following it live.
 */
void
lb_outbox_view_show (LbOutboxView *self,
                     LbEngine     *engine,
                     gint64        account_id)
{
  g_return_if_fail (LB_IS_OUTBOX_VIEW (self));

  if (self->engine != engine)
    {
      if (self->engine != NULL)
        g_signal_handlers_disconnect_by_data (lb_engine_get_outbox (self->engine), self);
      g_set_object (&self->engine, engine);
      if (engine != NULL)
        g_signal_connect_object (lb_engine_get_outbox (engine), "items-changed",
                                 G_CALLBACK (lb_outbox_view_rebuild), self, G_CONNECT_SWAPPED);
    }
  self->account_id = account_id;
  lb_outbox_view_rebuild (self);
}

static void
lb_outbox_view_dispose (GObject *object)
{
  LbOutboxView *self = LB_OUTBOX_VIEW (object);
  GtkWidget *child;

  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (lb_engine_get_outbox (self->engine), self);
  g_clear_object (&self->engine);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (lb_outbox_view_parent_class)->dispose (object);
}

static void
lb_outbox_view_class_init (LbOutboxViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_outbox_view_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
lb_outbox_view_init (LbOutboxView *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *empty = adw_status_page_new ();

  self->stack = GTK_STACK (gtk_stack_new ());
  self->list_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list_box, GTK_SELECTION_NONE);
  gtk_list_box_set_show_separators (self->list_box, TRUE);
  gtk_widget_set_name (GTK_WIDGET (self->list_box), "outbox-list");
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->list_box));
  gtk_widget_set_vexpand (scrolled, TRUE);
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "mail-outbox-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("Outbox Is Empty"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Messages wait here until the server accepts them."));
  gtk_stack_add_named (self->stack, scrolled, "items");
  gtk_stack_add_named (self->stack, empty, "empty");
  gtk_widget_set_parent (GTK_WIDGET (self->stack), GTK_WIDGET (self));
}
