/* lb-message-row.c: one row of the message list
 *
 * The row follows its LbMessage through "notify", so that a flag changed locally or by
 * sync redraws the row in place, without the list emitting items-changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "lb-message-row.h"
#include "lb-sidebar.h"
#include "lb-ui-types.h"
#include "lb-search-highlight.h"

struct _LbMessageRow
{
  GtkWidget   parent_instance;

  LbMessage  *message;
  gulong      notify_id;
  GBinding   *highlight_binding;  /* from the list view's search-query while rooted */
  gboolean    show_account;
  gboolean    show_folder;      /* a search of every folder: where each message is */
  GdkRGBA     account_rgba;
  guint       position;
  char       *highlight;        /* the search query whose words are highlighted, or NULL */
  /* The words of @highlight to mark in the sender, the subject and the preview: a
   * `from:` word only in the sender, a `subject:` word only in the subject, a plain word
   * everywhere.  NULL without a search. */
  char      **highlight_terms[3];

  /* Template children */
  GtkWidget  *account_stripe;
  GtkWidget  *unread_dot;
  GtkLabel   *sender_label;
  GtkLabel   *count_label;
  GtkWidget  *attachment_icon;
  GtkWidget  *flag_icon;
  GtkLabel   *date_label;
  GtkLabel   *subject_label;
  GtkLabel   *preview_label;
  GtkLabel   *account_label;
  GtkWidget  *preview_box;
};

G_DEFINE_FINAL_TYPE (LbMessageRow, lb_message_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MESSAGE,
  PROP_SHOW_ACCOUNT,
  PROP_SHOW_FOLDER,
  PROP_POSITION,
  PROP_HIGHLIGHT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
lb_message_row_new (void)
{
  return g_object_new (LB_TYPE_MESSAGE_ROW, NULL);
}

/**
 * lb_format_relative_date:
 * @date: when the message was sent
 * @now: the present, in the same time zone
 *
 * Returns: (transfer full): the date as the list shows it: the time for today,
 *   "Yesterday", the weekday within a week, day and month within the year, else the
 *   full date
 */
char *
lb_format_relative_date (GDateTime *date,
                         GDateTime *now)
{
  int y1, m1, d1, y2, m2, d2;
  GDate day, today;
  int days;

  g_return_val_if_fail (date != NULL && now != NULL, NULL);

  g_date_time_get_ymd (date, &y1, &m1, &d1);
  g_date_time_get_ymd (now, &y2, &m2, &d2);
  g_date_clear (&day, 1);
  g_date_clear (&today, 1);
  g_date_set_dmy (&day, d1, m1, y1);
  g_date_set_dmy (&today, d2, m2, y2);
  days = g_date_days_between (&day, &today);

  if (days == 0)
    /* Translators: the time of a message received today, see g_date_time_format(). */
    return g_date_time_format (date, _("%H:%M"));
  if (days == 1)
    return g_strdup (_("Yesterday"));
  if (days > 1 && days < 7)
    /* Translators: a message received in the last week: the weekday, see
     * g_date_time_format(). */
    return g_date_time_format (date, _("%A"));
  if (days > 0 && y1 == y2)
    /* Translators: a message received this year: day and month ("3 Nov"), see
     * g_date_time_format(). */
    return g_date_time_format (date, _("%-d %b"));
  /* Translators: a message from another year (or from the future): the full date, see
   * g_date_time_format(). */
  return g_date_time_format (date, _("%Y-%m-%d"));
}

static void
draw_stripe (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  LbMessageRow *self = user_data;

  gdk_cairo_set_source_rgba (cr, &self->account_rgba);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
}

static void
set_class (GtkWidget  *widget,
           const char *css_class,
           gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}

enum {
  TERMS_FROM,
  TERMS_SUBJECT,
  TERMS_OTHER,
};

/* Adds a highlight for each place in @text where one of @terms is found by the search's
 * word rule (lb_search_highlight_find(): "the" at a word's start, not inside "other").
 * ASCII letters match in either case, as the search does; everything else (Chinese)
 * matches exactly.
 * Both strings are lowered with g_ascii_strdown(), which keeps every byte offset, so the
 * offsets found index @text. */
static void
add_highlights (PangoAttrList       *attrs,
                const char          *text,
                const char * const  *terms,
                gboolean            *any)
{
  g_autofree char *folded = g_ascii_strdown (text, -1);

  for (guint i = 0; terms[i] != NULL; i++)
    {
      g_autofree char *needle = g_ascii_strdown (terms[i], -1);
      size_t len = strlen (needle);

      for (const char *at = lb_search_highlight_find (folded, needle, folded);
           at != NULL && len > 0;
           at = lb_search_highlight_find (folded, needle, at + len))
        {
          /* Dark text on an opaque yellow, as a browser's find bar marks matches: it
           * reads the same on the light and the dark style (GNOME palette yellow 1
           * and dark 4). */
          PangoAttribute *bg = pango_attr_background_new (0xf9f9, 0xf0f0, 0x6b6b);
          PangoAttribute *fg = pango_attr_foreground_new (0x2424, 0x1f1f, 0x3131);
          guint start = (guint) (at - folded);

          bg->start_index = fg->start_index = start;
          bg->end_index = fg->end_index = start + (guint) len;
          pango_attr_list_insert (attrs, bg);
          pango_attr_list_insert (attrs, fg);
          *any = TRUE;
        }
    }
}

/* Sets @label's text, highlighting the search's words for one field (TERMS_*) in it. */
static void
set_label_text (LbMessageRow  *self,
                GtkLabel      *label,
                const char    *text,
                guint          field)
{
  g_autoptr(PangoAttrList) attrs = NULL;
  gboolean any = FALSE;

  gtk_label_set_text (label, text);
  if (self->highlight_terms[field] != NULL && *text != '\0')
    {
      attrs = pango_attr_list_new ();
      add_highlights (attrs, text, (const char * const *) self->highlight_terms[field], &any);
    }
  gtk_label_set_attributes (label, any ? attrs : NULL);
}

static void
clear_highlight_terms (LbMessageRow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->highlight_terms); i++)
    g_clear_pointer (&self->highlight_terms[i], g_strfreev);
}

static void
lb_message_row_update (LbMessageRow *self)
{
  LbMessage *m = self->message;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *date_text = NULL;
  const char *subject;
  const char *color;
  gboolean unread;
  guint count;

  if (m == NULL)
    {
      gtk_label_set_text (self->sender_label, "");
      gtk_label_set_text (self->subject_label, "");
      gtk_label_set_text (self->preview_label, "");
      gtk_label_set_text (self->date_label, "");
      return;
    }

  /* A conversation row shows the whole conversation: who wrote in it, its newest
   * message, and the marks any of its messages has. */
  count = lb_message_get_conversation_count (m);
  unread = lb_message_get_conversation_unread (m) > 0;
  /* In Sent, Drafts and the Outbox the sender is oneself: the row says whom the mail is
   * for instead, as other mail clients do. */
  if (lb_message_get_is_outgoing (m))
    {
      g_autofree char *names = lb_message_dup_recipient_names (m);
      g_autofree char *to = NULL;

      /* Translators: in Sent and Drafts, a row names the recipients instead of the
       * sender; %s is a list of names. */
      to = g_strdup_printf (_("To: %s"), names);
      set_label_text (self, self->sender_label, to, TERMS_OTHER);
    }
  else
    /* `from:` words are highlighted only in the sender, `subject:` words only in the
     * subject, plain words everywhere (the preview is the start of the body). */
    set_label_text (self, self->sender_label,
                    count > 1 ? lb_message_get_participants (m)
                    : lb_message_get_sender (m) != NULL ? lb_message_get_sender (m) : "",
                    TERMS_FROM);
  if (count > 1)
    {
      g_autofree char *n = g_strdup_printf ("%u", count);

      gtk_label_set_text (self->count_label, n);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), count > 1);
  subject = lb_message_get_conversation_subject (m);
  if (subject != NULL && *subject != '\0')
    set_label_text (self, self->subject_label, subject, TERMS_SUBJECT);
  else
    {
      gtk_label_set_text (self->subject_label, _("(No Subject)"));
      gtk_label_set_attributes (self->subject_label, NULL);
    }
  /* A search result found by its body shows the sentence with the words found. */
  set_label_text (self, self->preview_label,
                  lb_message_get_search_sentence (m) != NULL ? lb_message_get_search_sentence (m)
                  : lb_message_get_conversation_preview (m),
                  TERMS_OTHER);

  if (lb_message_get_conversation_date_unix (m) > 0)
    {
      date = g_date_time_new_from_unix_local (lb_message_get_conversation_date_unix (m));
      now = g_date_time_new_now_local ();
      date_text = lb_format_relative_date (date, now);
    }
  gtk_label_set_text (self->date_label, date_text != NULL ? date_text : "");

  gtk_widget_set_opacity (self->unread_dot, unread ? 1.0 : 0.0);
  gtk_widget_set_visible (self->flag_icon, lb_message_get_conversation_flagged (m));
  gtk_widget_set_visible (self->attachment_icon, lb_message_get_conversation_has_attachments (m));
  set_class (GTK_WIDGET (self), "unread", unread);

  if (self->show_folder)
    {
      const char *folder = lb_sidebar_role_name (lb_message_get_folder_role (m),
                                                 lb_message_get_folder_name (m));
      g_autofree char *text = NULL;

      if (self->show_account && lb_message_get_account_name (m) != NULL && folder != NULL)
        /* Translators: where a search result is: an account, then one of its folders. */
        text = g_strdup_printf (_("%s · %s"), lb_message_get_account_name (m), folder);
      gtk_label_set_text (self->account_label, text != NULL ? text : folder != NULL ? folder : "");
    }
  else
    gtk_label_set_text (self->account_label, lb_message_get_account_name (m) != NULL
                                             ? lb_message_get_account_name (m) : "");
  color = lb_message_get_account_color (m);
  if (color == NULL || !gdk_rgba_parse (&self->account_rgba, color))
    gdk_rgba_parse (&self->account_rgba, "#3584e4");
  gtk_widget_set_visible (self->account_stripe, self->show_account);
  gtk_widget_set_visible (GTK_WIDGET (self->account_label), self->show_account || self->show_folder);
  /* A message with no text (or whose body is not downloaded yet) has no third line,
   * rather than an empty one, unless the line names the account or the folder. */
  gtk_widget_set_visible (self->preview_box,
                          self->show_account || self->show_folder
                          || *gtk_label_get_text (self->preview_label) != '\0');
  gtk_widget_queue_draw (self->account_stripe);
}

static void
on_message_notify (LbMessageRow *self)
{
  lb_message_row_update (self);
}

LbMessage *
lb_message_row_get_message (LbMessageRow *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_ROW (self), NULL);

  return self->message;
}

void
lb_message_row_set_message (LbMessageRow *self,
                            LbMessage    *message)
{
  g_return_if_fail (LB_IS_MESSAGE_ROW (self));
  g_return_if_fail (message == NULL || LB_IS_MESSAGE (message));

  if (self->message == message)
    return;

  if (self->message != NULL)
    g_clear_signal_handler (&self->notify_id, self->message);
  g_set_object (&self->message, message);
  if (message != NULL)
    self->notify_id = g_signal_connect_swapped (message, "notify",
                                                G_CALLBACK (on_message_notify), self);
  lb_message_row_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

gboolean
lb_message_row_get_show_account (LbMessageRow *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_ROW (self), FALSE);

  return self->show_account;
}

/**
 * lb_message_row_set_show_account:
 *
 * In All Inboxes each row shows which account it came from.
 */
void
lb_message_row_set_show_account (LbMessageRow *self,
                                 gboolean      show_account)
{
  g_return_if_fail (LB_IS_MESSAGE_ROW (self));

  show_account = !!show_account;
  if (self->show_account == show_account)
    return;
  self->show_account = show_account;
  lb_message_row_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_ACCOUNT]);
}

/**
 * lb_message_row_set_show_folder:
 *
 * In a search of every folder each row also says which folder its message is in.
 */
void
lb_message_row_set_show_folder (LbMessageRow *self,
                                gboolean      show_folder)
{
  g_return_if_fail (LB_IS_MESSAGE_ROW (self));

  show_folder = !!show_folder;
  if (self->show_folder == show_folder)
    return;
  self->show_folder = show_folder;
  lb_message_row_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_FOLDER]);
}

/**
 * lb_message_row_get_position:
 *
 * Returns: the row's position in the list (bound to GtkListItem:position), so that a
 *   click on the row can select it
 */
guint
lb_message_row_get_position (LbMessageRow *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_ROW (self), 0);

  return self->position;
}

const char *
lb_message_row_get_highlight (LbMessageRow *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE_ROW (self), NULL);

  return self->highlight;
}

/**
 * lb_message_row_set_highlight:
 * @highlight: (nullable): a search query, or %NULL
 *
 * Highlights the query's words in the sender, subject and preview, as the query's
 * fields say (`from:` only in the sender, `subject:` only in the subject).
 */
void
lb_message_row_set_highlight (LbMessageRow *self,
                              const char   *highlight)
{
  g_return_if_fail (LB_IS_MESSAGE_ROW (self));

  if (highlight != NULL && *highlight == '\0')
    highlight = NULL;
  if (g_strcmp0 (self->highlight, highlight) == 0)
    return;
  g_free (self->highlight);
  self->highlight = g_strdup (highlight);
  clear_highlight_terms (self);
  /* The engine's parser, so that what is highlighted is what the search looked for. */
  if (highlight != NULL)
    {
      self->highlight_terms[TERMS_FROM] = lb_search_highlight_terms (highlight,
                                                                     LB_HIGHLIGHT_FIELD_FROM);
      self->highlight_terms[TERMS_SUBJECT] = lb_search_highlight_terms (highlight,
                                                                        LB_HIGHLIGHT_FIELD_SUBJECT);
      self->highlight_terms[TERMS_OTHER] = lb_search_highlight_terms (highlight,
                                                                      LB_HIGHLIGHT_FIELD_OTHER);
    }
  lb_message_row_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIGHLIGHT]);
}

/* For tests: the labels. */
GtkLabel *
lb_message_row_get_sender_label (LbMessageRow *self)
{
  return self->sender_label;
}

GtkLabel *
lb_message_row_get_subject_label (LbMessageRow *self)
{
  return self->subject_label;
}

GtkLabel *
lb_message_row_get_preview_label (LbMessageRow *self)
{
  return self->preview_label;
}

/* For tests: what the row shows. */
const char *
lb_message_row_get_sender_text (LbMessageRow *self)
{
  return gtk_label_get_text (self->sender_label);
}

const char *
lb_message_row_get_account_text (LbMessageRow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->account_label))
         ? gtk_label_get_text (self->account_label) : NULL;
}

/* A row follows the search of the list it is in.  Rows are made and bound before the
 * list view takes them in, so the link is made when the row joins the window. */
static void
lb_message_row_root (GtkWidget *widget)
{
  LbMessageRow *self = LB_MESSAGE_ROW (widget);
  GtkWidget *view;

  GTK_WIDGET_CLASS (lb_message_row_parent_class)->root (widget);

  view = gtk_widget_get_ancestor (widget, LB_TYPE_MESSAGE_LIST_VIEW);
  if (view != NULL && self->highlight_binding == NULL)
    {
      self->highlight_binding = g_object_bind_property (view, "search-query", self, "highlight",
                                                        G_BINDING_SYNC_CREATE);
      g_object_add_weak_pointer (G_OBJECT (self->highlight_binding),
                                 (gpointer *) &self->highlight_binding);
    }
}

static void
lb_message_row_unroot (GtkWidget *widget)
{
  LbMessageRow *self = LB_MESSAGE_ROW (widget);

  g_clear_pointer (&self->highlight_binding, g_binding_unbind);

  GTK_WIDGET_CLASS (lb_message_row_parent_class)->unroot (widget);
}

static void
lb_message_row_dispose (GObject *object)
{
  LbMessageRow *self = LB_MESSAGE_ROW (object);
  GtkWidget *child;

  if (self->message != NULL)
    g_clear_signal_handler (&self->notify_id, self->message);
  g_clear_object (&self->message);
  g_clear_pointer (&self->highlight_binding, g_binding_unbind);
  g_clear_pointer (&self->highlight, g_free);
  clear_highlight_terms (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_MESSAGE_ROW);
  /* The template's top box is not a bound child, so dispose_template leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lb_message_row_parent_class)->dispose (object);
}

static void
lb_message_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbMessageRow *self = LB_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;

    case PROP_SHOW_ACCOUNT:
      g_value_set_boolean (value, self->show_account);
      break;

    case PROP_SHOW_FOLDER:
      g_value_set_boolean (value, self->show_folder);
      break;

    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;

    case PROP_HIGHLIGHT:
      g_value_set_string (value, self->highlight);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_message_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LbMessageRow *self = LB_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      lb_message_row_set_message (self, g_value_get_object (value));
      break;

    case PROP_SHOW_ACCOUNT:
      lb_message_row_set_show_account (self, g_value_get_boolean (value));
      break;

    case PROP_SHOW_FOLDER:
      lb_message_row_set_show_folder (self, g_value_get_boolean (value));
      break;

    case PROP_POSITION:
      if (self->position != g_value_get_uint (value))
        {
          self->position = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_HIGHLIGHT:
      lb_message_row_set_highlight (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_message_row_class_init (LbMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_message_row_dispose;
  object_class->get_property = lb_message_row_get_property;
  object_class->set_property = lb_message_row_set_property;

  widget_class->root = lb_message_row_root;
  widget_class->unroot = lb_message_row_unroot;

  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL,
                         LB_TYPE_MESSAGE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_ACCOUNT] =
    g_param_spec_boolean ("show-account", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_FOLDER] =
    g_param_spec_boolean ("show-folder", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * LbMessageRow:highlight:
   *
   * The search query whose words the row highlights, or %NULL.
   */
  properties[PROP_HIGHLIGHT] =
    g_param_spec_string ("highlight", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/letterbox/Letterbox/ui/lb-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LbMessageRow, account_stripe);
  gtk_widget_class_bind_template_child (widget_class, LbMessageRow, unread_dot);
  gtk_widget_class_bind_template_child (widget_class, LbMessageRow, sender_label);
  gtk_widget_class_bind_template_child (widget_class, LbMessageRow, count_label);
  gtk_widget_class_bind_template_child (widget_class, LbMessageRow, attachment_icon);
  gtk_widget_class_bind_template_child (widget_class, LbMessageRow, flag_icon);
  gtk_widget_class_bind_template_child (widget_class, LbMessageRow, date_label);
  gtk_widget_class_bind_template_child (widget_class, LbMessageRow, subject_label);
  gtk_widget_class_bind_template_child (widget_class, LbMessageRow, preview_label);
  gtk_widget_class_bind_template_child (widget_class, LbMessageRow, account_label);
  gtk_widget_class_bind_template_child (widget_class, LbMessageRow, preview_box);
}

static void
lb_message_row_init (LbMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->account_stripe), draw_stripe,
                                  self, NULL);
  lb_message_row_update (self);
}
