/* lb-conversation-stack.c: the messages of a conversation, above the reader
 *
 * When the list shows conversations and the selected row holds more than one message,
 * the reader pane shows the conversation as a stack, oldest first: each unread message
 * and the newest are expanded (sender, date and the start of their text), each read one
 * is collapsed to one line with its sender and preview.  The message the reader shows
 * below is marked; clicking another shows that one instead (and expands it).
 *
 * What acts on what is said in so many words: the stack's title bar names the whole
 * conversation and holds the buttons that act on all of it (they run the window's actions,
 * whose targets are the whole conversation of the selected row), while the marked entry
 * holds the buttons that act on that one message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-conversation-stack.h"
#include "lb-message-row.h"

/* Entries are rebuilt whenever the conversation changes; a conversation is a handful of
 * messages (a long mailing-list thread a few hundred), so widgets per entry are fine. */
struct _LbConversationStack
{
  GtkWidget   parent_instance;

  GPtrArray  *messages;   /* LbMessage, oldest first */
  LbMessage  *current;    /* the one in the reader, or NULL */
  GHashTable *expanded;   /* message id -> TRUE for entries opened by hand */

  GtkWidget  *title_label;
  GtkWidget  *entries;    /* a vertical GtkBox */
  GtkWidget  *scroller;
};

G_DEFINE_FINAL_TYPE (LbConversationStack, lb_conversation_stack, GTK_TYPE_WIDGET)

enum {
  SIGNAL_MESSAGE_ACTIVATED,
  SIGNAL_MESSAGE_ACTION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void rebuild (LbConversationStack *self);

GtkWidget *
lb_conversation_stack_new (void)
{
  return g_object_new (LB_TYPE_CONVERSATION_STACK, NULL);
}

static void
on_entry_clicked (GtkGestureClick     *gesture,
                  int                  n_press,
                  double               x,
                  double               y,
                  LbConversationStack *self)
{
  GtkWidget *entry = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  LbMessage *m = g_object_get_data (G_OBJECT (entry), "message");

  if (m == NULL)
    return;
  g_hash_table_add (self->expanded, g_memdup2 (&(gint64) { lb_message_get_id (m) }, sizeof (gint64)));
  g_signal_emit (self, signals[SIGNAL_MESSAGE_ACTIVATED], 0, m);
}

static void
on_entry_action (GtkButton           *button,
                 LbConversationStack *self)
{
  LbMessage *m = g_object_get_data (G_OBJECT (button), "message");
  const char *action = g_object_get_data (G_OBJECT (button), "action");

  if (m != NULL)
    g_signal_emit (self, signals[SIGNAL_MESSAGE_ACTION], 0, action, m);
}

static GtkWidget *
message_button (LbConversationStack *self,
                LbMessage           *m,
                const char          *icon,
                const char          *tooltip,
                const char          *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "message", g_object_ref (m), g_object_unref);
  g_object_set_data (G_OBJECT (button), "action", (gpointer) action);
  g_signal_connect (button, "clicked", G_CALLBACK (on_entry_action), self);
  return button;
}

static GtkWidget *
dim_label (const char *text,
           gboolean    wrap)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  if (wrap)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_lines (GTK_LABEL (label), 4);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
    }
  else
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
      gtk_widget_set_hexpand (label, TRUE);
    }
  return label;
}

/* One message of the stack: one line when collapsed; sender, date and text expanded. */
static GtkWidget *
make_entry (LbConversationStack *self,
            LbMessage           *m,
            gboolean             expanded)
{
  GtkWidget *entry = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *sender = gtk_label_new (lb_message_get_sender (m));
  GtkGesture *click = gtk_gesture_click_new ();
  gboolean is_current = self->current != NULL
                        && lb_message_get_id (self->current) == lb_message_get_id (m);
  g_autoptr(GDateTime) date = lb_message_get_date (m);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = date != NULL ? lb_format_relative_date (date, now) : g_strdup ("");
  const char *preview = lb_message_get_preview (m);

  gtk_widget_add_css_class (entry, "lb-conversation-entry");
  if (is_current)
    gtk_widget_add_css_class (entry, "current");
  if (lb_message_get_unread (m))
    gtk_widget_add_css_class (entry, "unread");
  gtk_label_set_xalign (GTK_LABEL (sender), 0);
  gtk_label_set_ellipsize (GTK_LABEL (sender), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (sender, "heading");
  gtk_box_append (GTK_BOX (line), sender);
  if (expanded)
    {
      gtk_widget_set_hexpand (sender, TRUE);
      if (lb_message_get_flagged (m))
        {
          GtkWidget *flag = gtk_image_new_from_icon_name ("starred-symbolic");

          gtk_widget_add_css_class (flag, "lb-flag");
          gtk_box_append (GTK_BOX (line), flag);
        }
    }
  else
    {
      gtk_widget_set_size_request (sender, 120, -1);
      gtk_box_append (GTK_BOX (line), dim_label (preview, FALSE));
    }
  gtk_box_append (GTK_BOX (line), dim_label (when, FALSE));
  gtk_widget_set_hexpand (gtk_widget_get_last_child (line), FALSE);
  if (is_current)
    {
      /* The marked entry's own buttons act on this one message only. */
      gtk_box_append (GTK_BOX (line),
                      message_button (self, m, "starred-symbolic",
                                      lb_message_get_flagged (m) ? _("Unflag This Message")
                                                                 : _("Flag This Message"),
                                      "flag"));
      gtk_box_append (GTK_BOX (line),
                      message_button (self, m, "user-trash-symbolic", _("Delete This Message"),
                                      "delete"));
    }
  gtk_box_append (GTK_BOX (entry), line);
  if (expanded && *preview != '\0')
    gtk_box_append (GTK_BOX (entry), dim_label (preview, TRUE));

  g_object_set_data_full (G_OBJECT (entry), "message", g_object_ref (m), g_object_unref);
  g_signal_connect (click, "released", G_CALLBACK (on_entry_clicked), self);
  gtk_widget_add_controller (entry, GTK_EVENT_CONTROLLER (click));
  return entry;
}

static void
rebuild (LbConversationStack *self)
{
  GtkWidget *child;
  guint n = self->messages != NULL ? self->messages->len : 0;
  g_autofree char *title = NULL;

  while ((child = gtk_widget_get_first_child (self->entries)) != NULL)
    gtk_box_remove (GTK_BOX (self->entries), child);
  gtk_widget_set_visible (GTK_WIDGET (self), n > 1);
  if (n <= 1)
    return;

  /* Translators: the title of a conversation's stack in the reader; %u is above one. */
  title = g_strdup_printf (ngettext ("Conversation of %u message", "Conversation of %u messages", n), n);
  gtk_label_set_text (GTK_LABEL (self->title_label), title);
  for (guint i = 0; i < n; i++)
    {
      LbMessage *m = g_ptr_array_index (self->messages, i);
      gint64 id = lb_message_get_id (m);
      gboolean expanded = lb_message_get_unread (m) || i == n - 1
                          || g_hash_table_contains (self->expanded, &id)
                          || (self->current != NULL && lb_message_get_id (self->current) == id);

      gtk_box_append (GTK_BOX (self->entries), make_entry (self, m, expanded));
    }
}

/**
 * lb_conversation_stack_set_messages:
 * @messages: (element-type LbMessage) (nullable): a conversation, oldest first, as
 *   lb_message_list_get_conversation() returns it
 * @current: (nullable): the message the reader shows
 *
 * Shows a conversation; hidden when it has one message or none.
 */
void
lb_conversation_stack_set_messages (LbConversationStack *self,
                                    GPtrArray           *messages,
                                    LbMessage           *current)
{
  g_return_if_fail (LB_IS_CONVERSATION_STACK (self));

  if (messages == NULL || self->messages == NULL || messages->len == 0 || self->messages->len == 0
      || lb_message_get_thread_id (g_ptr_array_index (messages, 0))
         != lb_message_get_thread_id (g_ptr_array_index (self->messages, 0)))
    g_hash_table_remove_all (self->expanded);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  if (messages != NULL)
    self->messages = g_ptr_array_ref (messages);
  g_set_object (&self->current, current);
  rebuild (self);
}

/**
 * lb_conversation_stack_pick:
 * @messages: (element-type LbMessage): a conversation, oldest first
 *
 * Returns: (transfer none): the message to open first: the oldest unread one, else
 *   the newest
 */
LbMessage *
lb_conversation_stack_pick (GPtrArray *messages)
{
  g_return_val_if_fail (messages != NULL && messages->len > 0, NULL);

  for (guint i = 0; i < messages->len; i++)
    if (lb_message_get_unread (g_ptr_array_index (messages, i)))
      return g_ptr_array_index (messages, i);
  return g_ptr_array_index (messages, messages->len - 1);
}

/**
 * lb_conversation_stack_get_n_entries:
 *
 * Returns: how many messages the stack shows (for tests)
 */
guint
lb_conversation_stack_get_n_entries (LbConversationStack *self)
{
  guint n = 0;

  g_return_val_if_fail (LB_IS_CONVERSATION_STACK (self), 0);

  for (GtkWidget *c = gtk_widget_get_first_child (self->entries); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
}

/**
 * lb_conversation_stack_is_expanded:
 * @index: an entry, 0 being the oldest message
 *
 * Returns: whether the entry shows the message's text, not just one line (for tests)
 */
gboolean
lb_conversation_stack_is_expanded (LbConversationStack *self,
                                   guint                index)
{
  GtkWidget *c = gtk_widget_get_first_child (self->entries);

  g_return_val_if_fail (LB_IS_CONVERSATION_STACK (self), FALSE);

  for (; c != NULL && index > 0; index--)
    c = gtk_widget_get_next_sibling (c);
  /* An expanded entry has its text under the line; a collapsed one is the line alone. */
  return c != NULL && gtk_widget_get_first_child (c) != gtk_widget_get_last_child (c);
}

static void
lb_conversation_stack_dispose (GObject *object)
{
  LbConversationStack *self = LB_CONVERSATION_STACK (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_clear_object (&self->current);
  G_OBJECT_CLASS (lb_conversation_stack_parent_class)->dispose (object);
}

static void
lb_conversation_stack_finalize (GObject *object)
{
  LbConversationStack *self = LB_CONVERSATION_STACK (object);

  g_hash_table_unref (self->expanded);
  G_OBJECT_CLASS (lb_conversation_stack_parent_class)->finalize (object);
}

static void
lb_conversation_stack_class_init (LbConversationStackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_conversation_stack_dispose;
  object_class->finalize = lb_conversation_stack_finalize;

  /**
   * LbConversationStack::message-activated:
   * @message: the entry clicked
   *
   * The user picked a message of the conversation: the reader should show it.
   */
  signals[SIGNAL_MESSAGE_ACTIVATED] =
    g_signal_new ("message-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, LB_TYPE_MESSAGE);
  /**
   * LbConversationStack::message-action:
   * @action: "flag" or "delete"
   * @message: the one message to act on
   */
  signals[SIGNAL_MESSAGE_ACTION] =
    g_signal_new ("message-action", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, LB_TYPE_MESSAGE);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lb-conversation-stack");
}

static GtkWidget *
conversation_button (const char *icon,
                     const char *tooltip,
                     const char *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  return button;
}

static void
lb_conversation_stack_init (LbConversationStack *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  self->expanded = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);

  /* The bar names the conversation; its buttons act on all of it. */
  gtk_widget_add_css_class (bar, "lb-conversation-bar");
  self->title_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->title_label), 0);
  gtk_widget_set_hexpand (self->title_label, TRUE);
  gtk_widget_add_css_class (self->title_label, "heading");
  gtk_box_append (GTK_BOX (bar), self->title_label);
  gtk_box_append (GTK_BOX (bar), conversation_button ("mail-read-symbolic",
                                                      _("Mark Conversation as Read or Unread"),
                                                      "win.toggle-read"));
  gtk_box_append (GTK_BOX (bar), conversation_button ("starred-symbolic",
                                                      _("Flag Conversation"),
                                                      "win.toggle-flag"));
  gtk_box_append (GTK_BOX (bar), conversation_button ("user-trash-symbolic",
                                                      _("Delete Conversation"), "win.delete"));
  gtk_widget_set_parent (bar, GTK_WIDGET (self));

  self->entries = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (self->scroller), 320);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->entries);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
  gtk_widget_set_parent (gtk_separator_new (GTK_ORIENTATION_HORIZONTAL), GTK_WIDGET (self));
}
