/* lb-folder-menu.c: the sidebar's folder context menu, its dialogs, and message drops
 *
 * One popover for the whole sidebar, parented to it (so the sidebar's dispose takes it
 * down), filled for the row it opens on: All Inboxes has Mark All as Read; an account
 * row New Folder; a folder Mark All as Read, New Folder (inside it), Rename and Delete
 * for folders without a role, Empty for Trash and Junk.  Changing folders needs the
 * server: the engine runs it on the account's worker and a failure is shown in a dialog
 * with the engine's own words (which say when the server cannot be reached).
 *
 * Folder rows are drop targets for messages dragged from the list (lb-message-drag.c);
 * a drop asks the window ("win.drop-messages") to move or, with Ctrl, copy them, so the
 * window's Undo toast follows as for any other move.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lb-folder-actions.h"
#include "lb-folder-menu.h"

#define ROW_ACCOUNT_KEY "lb-menu-account"
#define ROW_FOLDER_KEY "lb-menu-folder"

struct _LbFolderMenu
{
  GtkWidget          *owner;      /* the sidebar (not owned) */
  LbEngine           *engine;
  GtkWidget          *popover;
  GSimpleActionGroup *actions;
  gint64              account_id; /* what the open menu is about */
  gint64              folder_id;  /* 0: the account itself; LB_ENGINE_ALL_INBOXES */
};

/* ---- Results ------------------------------------------------------------------- */

static void
show_error (GtkWidget  *owner,
            const char *heading,
            GError     *error)
{
  GtkRoot *root = gtk_widget_get_root (owner);
  AdwMessageDialog *dialog;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !GTK_IS_WINDOW (root))
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (root), heading, error->message));
  gtk_widget_set_name (GTK_WIDGET (dialog), "folder-error-dialog");
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
folder_action_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GtkWidget) owner = user_data;
  g_autoptr(GError) error = NULL;
  gpointer tag = g_task_get_source_tag (G_TASK (result));
  const char *heading;

  if (tag == lb_account_create_folder_async)
    lb_account_create_folder_finish (LB_ACCOUNT (source), result, &error);
  else
    lb_account_folder_action_finish (LB_ACCOUNT (source), result, &error);
  if (error == NULL)
    return;
  if (tag == lb_account_create_folder_async)
    heading = _("Could Not Create the Folder");
  else if (tag == lb_account_rename_folder_async)
    heading = _("Could Not Rename the Folder");
  else if (tag == lb_account_delete_folder_async)
    heading = _("Could Not Delete the Folder");
  else
    heading = _("Could Not Empty the Folder");
  show_error (owner, heading, error);
}

static void
mark_read_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GtkWidget) owner = user_data;
  g_autoptr(GError) error = NULL;

  if (!lb_engine_mark_folder_read_finish (LB_ENGINE (source), result, &error))
    show_error (owner, _("Could Not Mark as Read"), error);
}

static LbAccount *
current_account (LbFolderMenu *self)
{
  return self->engine != NULL ? lb_engine_get_account (self->engine, self->account_id) : NULL;
}

static LbFolder *
current_folder (LbFolderMenu *self)
{
  LbAccount *account = current_account (self);

  return account != NULL && self->folder_id > 0 ? lb_account_get_folder (account, self->folder_id)
                                                : NULL;
}

/* ---- Dialogs ------------------------------------------------------------------- */

/* What a dialog's answer needs, held by the dialog itself: the sidebar (and its menu)
 * may be gone by the time the user answers. */
typedef struct {
  GtkWidget *owner;
  LbEngine  *engine;
  gint64     account_id;
  gint64     folder_id;
  GtkEntry  *entry;
} DialogData;

static void
dialog_data_free (gpointer data,
                  GClosure *closure)
{
  DialogData *d = data;

  g_clear_object (&d->owner);
  g_clear_object (&d->engine);
  g_free (d);
}

static void
on_name_changed (GtkEditable      *entry,
                 AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "ok", *text != '\0');
}

static void
on_name_activate (GtkEntry         *entry,
                  AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "ok"))
    adw_message_dialog_response (dialog, "ok");
}

static void
on_dialog_response (AdwMessageDialog *dialog,
                    const char       *response,
                    DialogData       *d)
{
  const char *what = g_object_get_data (G_OBJECT (dialog), "lb-what");
  LbAccount *account = d->engine != NULL ? lb_engine_get_account (d->engine, d->account_id) : NULL;
  const char *name = d->entry != NULL ? gtk_editable_get_text (GTK_EDITABLE (d->entry)) : NULL;
  GtkWidget *owner;

  if (g_strcmp0 (response, "ok") != 0 || account == NULL)
    return;
  owner = g_object_ref (d->owner);
  if (g_str_equal (what, "new"))
    lb_account_create_folder_async (account, MAX (d->folder_id, 0), name, NULL,
                                    folder_action_done, owner);
  else if (g_str_equal (what, "rename"))
    lb_account_rename_folder_async (account, d->folder_id, name, NULL, folder_action_done, owner);
  else if (g_str_equal (what, "delete"))
    lb_account_delete_folder_async (account, d->folder_id, NULL, folder_action_done, owner);
  else
    lb_account_empty_folder_async (account, d->folder_id, NULL, folder_action_done, owner);
}

/* A dialog about the current folder: with a name entry when @initial is not NULL,
 * else a confirmation whose OK is destructive. */
static AdwMessageDialog *
folder_dialog (LbFolderMenu *self,
               const char   *what,
               const char   *heading,
               const char   *body,
               const char   *ok_label,
               const char   *initial)
{
  GtkRoot *root = gtk_widget_get_root (self->owner);
  AdwMessageDialog *dialog;
  DialogData *d = g_new0 (DialogData, 1);
  g_autofree char *name = g_strdup_printf ("folder-%s-dialog", what);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       heading, body));
  gtk_widget_set_name (GTK_WIDGET (dialog), name);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "ok", ok_label, NULL);
  adw_message_dialog_set_close_response (dialog, "cancel");
  d->owner = g_object_ref (self->owner);
  d->engine = self->engine != NULL ? g_object_ref (self->engine) : NULL;
  d->account_id = self->account_id;
  d->folder_id = self->folder_id;
  if (initial != NULL)
    {
      d->entry = GTK_ENTRY (gtk_entry_new ());
      gtk_widget_set_name (GTK_WIDGET (d->entry), "folder-name-entry");
      gtk_editable_set_text (GTK_EDITABLE (d->entry), initial);
      gtk_entry_set_activates_default (d->entry, FALSE);
      adw_message_dialog_set_extra_child (dialog, GTK_WIDGET (d->entry));
      adw_message_dialog_set_response_appearance (dialog, "ok", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (dialog, "ok");
      g_signal_connect (d->entry, "changed", G_CALLBACK (on_name_changed), dialog);
      g_signal_connect (d->entry, "activate", G_CALLBACK (on_name_activate), dialog);
      on_name_changed (GTK_EDITABLE (d->entry), dialog);
    }
  else
    {
      adw_message_dialog_set_response_appearance (dialog, "ok", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (dialog, "cancel");
    }
  g_object_set_data_full (G_OBJECT (dialog), "lb-what", g_strdup (what), g_free);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_dialog_response), d,
                         dialog_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  if (d->entry != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (d->entry));
  return dialog;
}

/* ---- Actions ------------------------------------------------------------------- */

static void
new_activated (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  LbFolderMenu *self = user_data;
  LbFolder *parent = current_folder (self);
  g_autofree char *body = NULL;

  if (parent != NULL)
    /* Translators: %s is the name of the folder the new one goes in. */
    body = g_strdup_printf (_("The new folder goes inside “%s”, on the server."),
                            lb_folder_get_name (parent));
  folder_dialog (self, "new", _("New Folder"),
                 body != NULL ? body : _("The new folder is made on the server, so other mail apps see it too."),
                 _("C_reate"), "");
}

static void
rename_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LbFolderMenu *self = user_data;
  LbFolder *folder = current_folder (self);

  if (folder == NULL || !lb_folder_is_editable (folder))
    return;
  folder_dialog (self, "rename", _("Rename Folder"), NULL, _("_Rename"), lb_folder_get_name (folder));
}

static void
delete_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LbFolderMenu *self = user_data;
  LbFolder *folder = current_folder (self);
  g_autofree char *heading = NULL;

  if (folder == NULL || !lb_folder_is_editable (folder))
    return;
  /* Translators: %s is a folder's name. */
  heading = g_strdup_printf (_("Delete “%s”?"), lb_folder_get_name (folder));
  folder_dialog (self, "delete", heading,
                 _("The folder, the folders inside it and all their messages are deleted "
                   "from the server. This cannot be undone."),
                 _("_Delete"), NULL);
}

static void
empty_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  LbFolderMenu *self = user_data;
  LbFolder *folder = current_folder (self);
  gboolean junk;

  if (folder == NULL || !lb_folder_can_be_emptied (folder))
    return;
  junk = lb_folder_get_role (folder) == LB_FOLDER_ROLE_JUNK;
  folder_dialog (self, "empty", junk ? _("Empty Junk?") : _("Empty Trash?"),
                 junk ? _("All messages in Junk are deleted for good. This cannot be undone.")
                      : _("All messages in Trash are deleted for good. This cannot be undone."),
                 junk ? _("_Empty Junk") : _("_Empty Trash"), NULL);
}

static void
mark_read_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  LbFolderMenu *self = user_data;

  if (self->engine == NULL || self->folder_id == 0)
    return;
  lb_engine_mark_folder_read_async (self->engine, self->folder_id, NULL, mark_read_done,
                                    g_object_ref (self->owner));
}

/* ---- The menu ------------------------------------------------------------------- */

static GMenu *
build_menu (LbFolderMenu *self)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) first = g_menu_new ();
  g_autoptr(GMenu) second = g_menu_new ();
  LbFolder *folder = current_folder (self);

  if (self->folder_id == LB_ENGINE_ALL_INBOXES || folder != NULL)
    g_menu_append (first, _("_Mark All as Read"), "folder.mark-read");
  if (self->folder_id == 0 || (folder != NULL && lb_folder_get_role (folder) == LB_FOLDER_ROLE_NONE))
    g_menu_append (first, _("_New Folder…"), "folder.new");
  if (folder != NULL && lb_folder_is_editable (folder))
    {
      g_menu_append (second, _("_Rename…"), "folder.rename");
      g_menu_append (second, _("_Delete…"), "folder.delete");
    }
  if (folder != NULL && lb_folder_can_be_emptied (folder))
    g_menu_append (second, lb_folder_get_role (folder) == LB_FOLDER_ROLE_JUNK ? _("_Empty Junk…")
                                                                             : _("_Empty Trash…"),
                   "folder.empty");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (first));
  if (g_menu_model_get_n_items (G_MENU_MODEL (second)) > 0)
    g_menu_append_section (menu, NULL, G_MENU_MODEL (second));
  return menu;
}

/**
 * lb_folder_menu_popup:
 * @x: where, in @row's coordinates
 *
 * Opens the menu of @row (one lb_folder_menu_attach_row() was given).
 *
 * Returns: %TRUE if the row has a menu
 */
gboolean
lb_folder_menu_popup (LbFolderMenu *self,
                      GtkWidget    *row,
                      double        x,
                      double        y)
{
  gint64 *account = g_object_get_data (G_OBJECT (row), ROW_ACCOUNT_KEY);
  gint64 *folder = g_object_get_data (G_OBJECT (row), ROW_FOLDER_KEY);
  g_autoptr(GMenu) menu = NULL;
  double at_x = 0, at_y = 0;
  GdkRectangle rect;

  if (account == NULL || folder == NULL || self->engine == NULL)
    return FALSE;
  self->account_id = *account;
  self->folder_id = *folder;
  menu = build_menu (self);
  if (g_menu_model_get_n_items (G_MENU_MODEL (menu)) == 0)
    return FALSE;
  /* gtk_widget_compute_point() is GTK 4.12. */
  if (!gtk_widget_translate_coordinates (row, self->owner, x, y, &at_x, &at_y))
    at_x = at_y = 0;
  rect = (GdkRectangle) { (int) at_x, (int) at_y, 1, 1 };
  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->popover), G_MENU_MODEL (menu));
  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover), &rect);
  gtk_popover_popup (GTK_POPOVER (self->popover));
  return TRUE;
}

static void
on_row_click (GtkGestureClick *gesture,
              int              n_press,
              double           x,
              double           y,
              LbFolderMenu    *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));

  if (lb_folder_menu_popup (self, row, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
on_row_long_press (GtkGestureLongPress *gesture,
                   double               x,
                   double               y,
                   LbFolderMenu        *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));

  if (lb_folder_menu_popup (self, row, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

/* The Menu key and Shift+F10 on a focused row, as in the message list. */
static gboolean
on_row_menu_key (GtkWidget *row,
                 GVariant  *args,
                 gpointer   user_data)
{
  return lb_folder_menu_popup (user_data, row, 24, gtk_widget_get_height (row) / 2.0);
}

static void
add_menu_keys (LbFolderMenu *self,
               GtkWidget    *row)
{
  GtkEventController *keys = gtk_shortcut_controller_new ();
  GtkShortcutTrigger *trigger =
    gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                 gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK));

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (trigger,
                                                          gtk_callback_action_new (on_row_menu_key, self, NULL)));
  gtk_widget_add_controller (row, keys);
}

/* ---- Drops --------------------------------------------------------------------- */

/**
 * lb_folder_menu_parse_drag:
 * @text: what a drag carries
 *
 * Returns: (transfer full) (nullable) (element-type gint64): the message ids of a
 *   Letterbox message drag, or %NULL for any other text
 */
GArray *
lb_folder_menu_parse_drag (const char *text)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_auto(GStrv) parts = NULL;

  if (text == NULL || !g_str_has_prefix (text, LB_FOLDER_MENU_DRAG_PREFIX))
    return NULL;
  parts = g_strsplit (text + strlen (LB_FOLDER_MENU_DRAG_PREFIX), ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      gint64 id = g_ascii_strtoll (parts[i], NULL, 10);
      if (id > 0)
        g_array_append_val (ids, id);
    }
  return ids->len > 0 ? g_steal_pointer (&ids) : NULL;
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         LbFolderMenu  *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));
  gint64 *folder = g_object_get_data (G_OBJECT (row), ROW_FOLDER_KEY);
  g_autoptr(GArray) ids = lb_folder_menu_parse_drag (g_value_get_string (value));
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (target));
  GdkDrop *drop = gtk_drop_target_get_current_drop (target);
  gboolean copy;

  if (ids == NULL || folder == NULL || *folder <= 0)
    return FALSE;
  /* Ctrl copies; so does a drag whose only offered action left is a copy. */
  copy = (state & GDK_CONTROL_MASK) != 0 ||
         (drop != NULL && gdk_drop_get_actions (drop) == GDK_ACTION_COPY);
  gtk_widget_activate_action (self->owner, "win.drop-messages", "(@axxb)",
                              g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, ids->data, ids->len,
                                                         sizeof (gint64)),
                              *folder, copy);
  return TRUE;
}

/**
 * lb_folder_menu_attach_row:
 * @account: (nullable): the row's account; %NULL with @folder %NULL for All Inboxes
 * @folder: (nullable): the row's folder, or %NULL for the account's own row
 *
 * Gives a sidebar row its context menu (right click, long press, the Menu key) and, for a
 * folder that can hold mail, makes it a drop target for messages.
 */
void
lb_folder_menu_attach_row (LbFolderMenu *self,
                           GtkWidget    *row,
                           LbAccount    *account,
                           LbFolder     *folder)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *press = gtk_gesture_long_press_new ();
  gint64 account_id = account != NULL ? lb_account_get_id (account) : 0;
  gint64 folder_id = folder != NULL ? lb_folder_get_id (folder)
                                    : (account == NULL ? LB_ENGINE_ALL_INBOXES : 0);

  g_object_set_data_full (G_OBJECT (row), ROW_ACCOUNT_KEY, g_memdup2 (&account_id, sizeof account_id), g_free);
  g_object_set_data_full (G_OBJECT (row), ROW_FOLDER_KEY, g_memdup2 (&folder_id, sizeof folder_id), g_free);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_row_click), self);
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (press), TRUE);
  g_signal_connect (press, "pressed", G_CALLBACK (on_row_long_press), self);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (press));
  add_menu_keys (self, row);

  if (folder != NULL && lb_folder_get_selectable (folder) &&
      lb_folder_get_role (folder) != LB_FOLDER_ROLE_OUTBOX)
    {
      GtkDropTarget *target = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_MOVE | GDK_ACTION_COPY);

      gtk_event_controller_set_name (GTK_EVENT_CONTROLLER (target), "lb-message-drop");
      g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
      gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (target));
    }
}

/* ---- Life ---------------------------------------------------------------------- */

/**
 * lb_folder_menu_new:
 * @owner: the sidebar; the popover becomes its child, and its dispose must unparent it
 */
LbFolderMenu *
lb_folder_menu_new (GtkWidget *owner)
{
  LbFolderMenu *self = g_new0 (LbFolderMenu, 1);
  const GActionEntry entries[] = {
    { "new", new_activated, NULL, NULL, NULL, { 0 } },
    { "rename", rename_activated, NULL, NULL, NULL, { 0 } },
    { "delete", delete_activated, NULL, NULL, NULL, { 0 } },
    { "empty", empty_activated, NULL, NULL, NULL, { 0 } },
    { "mark-read", mark_read_activated, NULL, NULL, NULL, { 0 } },
  };

  self->owner = owner;
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), entries, G_N_ELEMENTS (entries), self);
  gtk_widget_insert_action_group (owner, "folder", G_ACTION_GROUP (self->actions));
  self->popover = gtk_popover_menu_new_from_model (NULL);
  gtk_widget_set_name (self->popover, "folder-menu");
  gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
  gtk_widget_set_halign (self->popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->popover, owner);
  return self;
}

void
lb_folder_menu_set_engine (LbFolderMenu *self,
                           LbEngine     *engine)
{
  g_set_object (&self->engine, engine);
}

GtkPopover *
lb_folder_menu_get_popover (LbFolderMenu *self)
{
  return GTK_POPOVER (self->popover);
}

/* Call in the owner's dispose: the actions must not outlive the menu. */
void
lb_folder_menu_free (LbFolderMenu *self)
{
  gtk_widget_insert_action_group (self->owner, "folder", NULL);
  g_clear_object (&self->engine);
  g_clear_object (&self->actions);
  g_free (self);
}
