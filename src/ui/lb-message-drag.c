/* lb-message-drag.c: dragging messages from the list to a sidebar folder
 *
 * A drag source on the list view, in a file of its own so that the list's rows and
 * model can change without it: the drag carries the selected messages' ids as text with
 * a prefix of ours (LB_FOLDER_MENU_DRAG_PREFIX), which the sidebar's folder rows accept
 * (lb-folder-menu.c).  Move is the default; Ctrl makes it a copy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-folder-menu.h"
#include "lb-message-drag.h"
#include "lb-message-row.h"

/**
 * lb_message_drag_text:
 * @messages: (element-type LbMessage): what is dragged
 *
 * Returns: (transfer full) (nullable): the drag's text, or %NULL if no message can move
 *   (a message waiting in the Outbox has no id on a server)
 */
char *
lb_message_drag_text (GPtrArray *messages)
{
  g_autoptr(GString) text = g_string_new (LB_FOLDER_MENU_DRAG_PREFIX);
  guint n = 0;

  for (guint i = 0; i < messages->len; i++)
    {
      gint64 id = lb_message_get_id (g_ptr_array_index (messages, i));

      if (id <= 0)
        continue;
      g_string_append_printf (text, "%s%" G_GINT64_FORMAT, n++ > 0 ? "," : "", id);
    }
  return n > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

/**
 * lb_message_drag_icon_new:
 *
 * Returns: (transfer floating): what follows the pointer: how many messages move
 */
GtkWidget *
lb_message_drag_icon_new (guint n_messages)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  /* Translators: shown under the pointer while dragging messages to a folder. */
  g_autofree char *text = g_strdup_printf (ngettext ("%u message", "%u messages", n_messages),
                                           n_messages);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_name (box, "message-drag-icon");
  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "osd");
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_widget_set_margin_end (label, 10);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("mail-unread-symbolic"));
  gtk_widget_set_margin_start (gtk_widget_get_first_child (box), 10);
  gtk_box_append (GTK_BOX (box), label);
  return box;
}

/* The message row under the pointer, if any (transfer none). */
static LbMessageRow *
row_at (LbMessageListView *view,
        double             x,
        double             y)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (lb_message_list_view_get_list_view (view)), x, y,
                                       GTK_PICK_DEFAULT);
  GtkWidget *row = picked != NULL ? gtk_widget_get_ancestor (picked, LB_TYPE_MESSAGE_ROW) : NULL;

  return row != NULL && lb_message_row_get_message (LB_MESSAGE_ROW (row)) != NULL
         ? LB_MESSAGE_ROW (row) : NULL;
}

static gboolean
contains (GPtrArray *messages,
          LbMessage *message)
{
  for (guint i = 0; i < messages->len; i++)
    if (lb_message_get_id (g_ptr_array_index (messages, i)) == lb_message_get_id (message))
      return TRUE;
  return FALSE;
}

/* What is dragged: the selection when the drag starts on a selected row; a row outside
 * it is selected first and dragged alone, as in file managers. */
static GdkContentProvider *
on_prepare (GtkDragSource     *source,
            double             x,
            double             y,
            LbMessageListView *view)
{
  g_autoptr(GPtrArray) selected = lb_message_list_view_get_selected (view);
  LbMessageRow *row = row_at (view, x, y);
  g_autofree char *text = NULL;

  if (row != NULL && !contains (selected, lb_message_row_get_message (row)))
    {
      lb_message_list_view_select_position (view, lb_message_row_get_position (row));
      g_ptr_array_set_size (selected, 0);
      g_ptr_array_add (selected, g_object_ref (lb_message_row_get_message (row)));
    }
  /* A conversation row carries its whole conversation, as its actions do. */
  if (lb_message_list_view_get_list (view) != NULL)
    {
      GPtrArray *all = lb_message_list_expand_conversations (lb_message_list_view_get_list (view),
                                                             selected);

      g_ptr_array_unref (selected);
      selected = all;
    }
  text = lb_message_drag_text (selected);

  if (text == NULL)
    return NULL;
  g_object_set_data (G_OBJECT (source), "lb-count", GUINT_TO_POINTER (selected->len));
  return gdk_content_provider_new_typed (G_TYPE_STRING, text);
}

static void
on_drag_begin (GtkDragSource *source,
               GdkDrag       *drag,
               gpointer       user_data)
{
  guint n = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (source), "lb-count"));
  GtkWidget *icon = gtk_drag_icon_get_for_drag (drag);

  gtk_drag_icon_set_child (GTK_DRAG_ICON (icon), lb_message_drag_icon_new (MAX (n, 1)));
}

/**
 * lb_message_drag_attach:
 *
 * Lets the selected messages of @view be dragged onto a sidebar folder.
 */
void
lb_message_drag_attach (LbMessageListView *view)
{
  GtkDragSource *source = gtk_drag_source_new ();

  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE | GDK_ACTION_COPY);
  g_signal_connect (source, "prepare", G_CALLBACK (on_prepare), view);
  g_signal_connect (source, "drag-begin", G_CALLBACK (on_drag_begin), NULL);
  gtk_widget_add_controller (GTK_WIDGET (lb_message_list_view_get_list_view (view)),
                             GTK_EVENT_CONTROLLER (source));
}
