/* lb-sidebar.c: All Inboxes, the accounts and their folders
 *
 * A GtkListBox rather than a GtkListView: the tree holds a few dozen rows, is rebuilt
 * only when an account or a folder comes or goes (the engine replaces its folder model
 * then), and unread counts and account statuses are property bindings, so they update
 * live without a rebuild.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-folder-menu.h"
#include "lb-sidebar.h"

/* The row data key holding the folder id; All Inboxes is LB_SIDEBAR_ALL_INBOXES. */
#define FOLDER_ID_KEY "lb-folder-id"
#define LB_SIDEBAR_ALL_INBOXES ((gint64) 0)

struct _LbSidebar
{
  GtkWidget    parent_instance;

  LbEngine    *engine;
  GHashTable  *watched;     /* LbAccount -> TRUE: folder models we listen to */
  gint64       selected;    /* folder id; 0 is All Inboxes, -1 nothing */
  char        *title;
  guint        rebuild_id;
  gboolean     rebuilding;
  LbFolderMenu *menu;       /* the rows' context menu and drop targets */

  GtkListBox  *list_box;
};

G_DEFINE_FINAL_TYPE (LbSidebar, lb_sidebar, GTK_TYPE_WIDGET)

enum {
  FOLDER_SELECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GtkWidget *
lb_sidebar_new (void)
{
  return g_object_new (LB_TYPE_SIDEBAR, NULL);
}

/**
 * lb_sidebar_role_name:
 * @role: a folder's role
 * @name: (nullable): its decoded server name
 *
 * Returns: (transfer none): the name to show: special folders are named by their role in
 *   the user's language (the server's name may be English, Chinese or anything); other
 *   folders keep their decoded server name
 */
const char *
lb_sidebar_role_name (LbFolderRole  role,
                      const char   *name)
{
  switch (role)
    {
    case LB_FOLDER_ROLE_INBOX:
      return _("Inbox");
    case LB_FOLDER_ROLE_DRAFTS:
      return _("Drafts");
    case LB_FOLDER_ROLE_SENT:
      return _("Sent");
    case LB_FOLDER_ROLE_ARCHIVE:
      return _("Archive");
    case LB_FOLDER_ROLE_JUNK:
      return _("Junk");
    case LB_FOLDER_ROLE_TRASH:
      return _("Trash");
    case LB_FOLDER_ROLE_ALL:
      return _("All Mail");
    case LB_FOLDER_ROLE_FLAGGED:
      return _("Starred");
    case LB_FOLDER_ROLE_IMPORTANT:
      return _("Important");
    case LB_FOLDER_ROLE_OUTBOX:
      return _("Outbox");
    case LB_FOLDER_ROLE_NONE:
    default:
      return name;
    }
}

/**
 * lb_sidebar_folder_name:
 * @folder: a folder
 *
 * Returns: (transfer none): the name to show (see lb_sidebar_role_name())
 */
const char *
lb_sidebar_folder_name (LbFolder *folder)
{
  return lb_sidebar_role_name (lb_folder_get_role (folder), lb_folder_get_name (folder));
}

/* ---- Bindings ------------------------------------------------------------------ */

static gboolean
count_to_label (GBinding     *binding,
                const GValue *from,
                GValue       *to,
                gpointer      user_data)
{
  guint n = g_value_get_uint (from);

  g_value_take_string (to, n > 0 ? g_strdup_printf ("%u", n) : g_strdup (""));
  return TRUE;
}

static gboolean
count_to_visible (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  g_value_set_boolean (to, g_value_get_uint (from) > 0);
  return TRUE;
}

static gboolean
status_is_busy (GBinding     *binding,
                const GValue *from,
                GValue       *to,
                gpointer      user_data)
{
  int status = g_value_get_int (from);

  g_value_set_boolean (to, status == LB_ACCOUNT_STATUS_CONNECTING
                           || status == LB_ACCOUNT_STATUS_SYNCING);
  return TRUE;
}

static gboolean
status_to_heading (GBinding     *binding,
                   const GValue *from,
                   GValue       *to,
                   gpointer      user_data)
{
  int status = g_value_get_int (from);

  g_value_set_string (to, status == LB_ACCOUNT_STATUS_OFFLINE ? _("Cannot Reach the Server")
                                                              : _("Cannot Sync This Account"));
  return TRUE;
}

static gboolean
error_to_text (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  const char *text = g_value_get_string (from);

  g_value_set_string (to, text != NULL && *text != '\0' ? text : _("The server did not say why."));
  return TRUE;
}

/* ---- Rows ---------------------------------------------------------------------- */

static GtkWidget *
make_count_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_add_css_class (label, "lb-unread-count");
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  return label;
}

static gboolean
text_to_visible (GBinding     *binding,
                 const GValue *from,
                 GValue       *to,
                 gpointer      user_data)
{
  const char *text = g_value_get_string (from);

  g_value_set_boolean (to, text != NULL && *text != '\0');
  return TRUE;
}

/* A warning sign before the count while the folder's last sync failed (the server
 * refused to open it, for example); its tooltip says why.  The engine retries the
 * folder at every sync and clears the error, which hides the sign. */
static void
add_folder_error_icon (GtkWidget *count,
                       LbFolder  *folder)
{
  GtkWidget *box = gtk_widget_get_parent (count);
  GtkWidget *warning = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  gtk_widget_add_css_class (warning, "warning");
  gtk_widget_set_name (warning, "folder-error");
  gtk_box_insert_child_after (GTK_BOX (box), warning, gtk_widget_get_prev_sibling (count));
  g_object_bind_property_full (folder, "last-error", warning, "visible",
                               G_BINDING_SYNC_CREATE, text_to_visible, NULL, NULL, NULL);
  g_object_bind_property (folder, "last-error", warning, "tooltip-text", G_BINDING_SYNC_CREATE);
}

static GtkWidget *
make_folder_row (const char *icon_name,
                 const char *title,
                 guint       indent,
                 gint64      folder_id,
                 GtkWidget **count_out)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *count = make_count_label ();

  gtk_widget_set_margin_start (box, 4 + 14 * (int) indent);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (icon_name));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), count);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), FOLDER_ID_KEY, g_memdup2 (&folder_id, sizeof folder_id),
                          g_free);
  g_object_set_data_full (G_OBJECT (row), "lb-title", g_strdup (title), g_free);
  gtk_widget_set_tooltip_text (row, title);
  *count_out = count;
  return row;
}

/**
 * lb_sidebar_outbox_id:
 * @account_id: an account's id, or 0 for every account
 *
 * Returns: the id of the Outbox row (negative, never a folder's)
 */
gint64
lb_sidebar_outbox_id (gint64 account_id)
{
  return -2 - account_id;
}

/**
 * lb_sidebar_is_outbox:
 * @out_account_id: (out) (optional): the account whose Outbox it is, 0 for every account
 *
 * Returns: whether @folder_id is the id of an Outbox row
 */
gboolean
lb_sidebar_is_outbox (gint64  folder_id,
                      gint64 *out_account_id)
{
  if (folder_id > -2)
    return FALSE;
  if (out_account_id != NULL)
    *out_account_id = -2 - folder_id;
  return TRUE;
}

/* How many messages wait in @account_id's outbox (0: every account's). */
static guint
outbox_count (LbSidebar *self,
              gint64     account_id)
{
  GListModel *outbox = lb_engine_get_outbox (self->engine);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (outbox); i++)
    {
      g_autoptr(LbOutboxItem) item = g_list_model_get_item (outbox, i);
      if (account_id == 0 || lb_outbox_item_get_account_id (item) == account_id)
        n++;
    }
  return n;
}

/* The Outbox row of @account_id (0: every account), shown while it holds anything, and
 * while it is selected so that sending its last message does not pull the view away. */
static GtkWidget *
append_outbox_row (LbSidebar     *self,
                   gint64         account_id,
                   guint          indent,
                   GtkListBoxRow **to_select)
{
  gint64 id = lb_sidebar_outbox_id (account_id);
  guint n = self->engine != NULL ? outbox_count (self, account_id) : 0;
  g_autofree char *text = g_strdup_printf ("%u", n);
  GtkWidget *count;
  GtkWidget *row;

  if (n == 0 && self->selected != id)
    return NULL;
  row = make_folder_row ("mail-outbox-symbolic", _("Outbox"), indent, id, &count);
  gtk_label_set_text (GTK_LABEL (count), text);
  gtk_widget_set_visible (count, n > 0);
  gtk_widget_set_name (row, account_id == 0 ? "all-outbox-row" : "outbox-row");
  gtk_list_box_append (self->list_box, row);
  if (self->selected == id)
    *to_select = GTK_LIST_BOX_ROW (row);
  return row;
}

static void
draw_dot (GtkDrawingArea *area,
          cairo_t        *cr,
          int             width,
          int             height,
          gpointer        user_data)
{
  const char *color = user_data;
  GdkRGBA rgba;

  if (color == NULL || !gdk_rgba_parse (&rgba, color))
    gdk_rgba_parse (&rgba, "#3584e4");
  gdk_cairo_set_source_rgba (cr, &rgba);
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.0, 0, 2 * G_PI);
  cairo_fill (cr);
}

static void
on_try_again_clicked (GtkButton *button,
                      LbAccount *account)
{
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_POPOVER);

  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
  lb_account_sync_async (account, 0, LB_JOB_PRIORITY_USER, NULL, NULL, NULL);
}

static void
on_edit_account_clicked (GtkButton *button,
                         LbAccount *account)
{
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_POPOVER);

  /* The application opens the account editor; the sidebar only asks, through its action. */
  gtk_widget_activate_action (GTK_WIDGET (button), "app.edit-account", "x",
                              lb_account_get_id (account));
  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
}

/* The button that appears next to a failing account: it explains the last error and
 * offers the two ways out. */
static GtkWidget *
make_error_button (LbAccount *account)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *heading = gtk_label_new (NULL);
  GtkWidget *text = gtk_label_new (NULL);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *retry = gtk_button_new_with_mnemonic (_("_Try Again"));
  GtkWidget *edit = gtk_button_new_with_mnemonic (_("_Edit Account"));

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "dialog-warning-symbolic");
  gtk_widget_set_tooltip_text (button, _("Show Account Problem"));
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "error");
  gtk_widget_set_name (button, "account-error-button");

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (text), 36);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_widget_set_name (text, "account-error-text");
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_widget_add_css_class (retry, "suggested-action");
  gtk_box_append (GTK_BOX (buttons), edit);
  gtk_box_append (GTK_BOX (buttons), retry);
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);

  g_object_bind_property_full (account, "status", heading, "label", G_BINDING_SYNC_CREATE,
                               status_to_heading, NULL, NULL, NULL);
  g_object_bind_property_full (account, "last-error", text, "label", G_BINDING_SYNC_CREATE,
                               error_to_text, NULL, NULL, NULL);
  g_signal_connect_object (retry, "clicked", G_CALLBACK (on_try_again_clicked), account, 0);
  g_signal_connect_object (edit, "clicked", G_CALLBACK (on_edit_account_clicked), account, 0);
  return button;
}

/* An OAuth2 account whose grant the provider refused: it says so under its name, with
 * the way out.  The generic problem button would only repeat it. */
static void
update_account_problem (LbAccount  *account,
                        GParamSpec *pspec,
                        GtkWidget  *row)
{
  GtkWidget *error = g_object_get_data (G_OBJECT (row), "lb-error-button");
  GtkWidget *sign_in = g_object_get_data (G_OBJECT (row), "lb-sign-in-box");
  LbAccountStatus status = lb_account_get_status (account);
  gboolean needs_sign_in = lb_account_get_needs_sign_in (account);

  gtk_widget_set_visible (sign_in, needs_sign_in);
  gtk_widget_set_visible (error, !needs_sign_in && (status == LB_ACCOUNT_STATUS_ERROR
                                                    || status == LB_ACCOUNT_STATUS_OFFLINE));
}

static GtkWidget *
make_sign_in_box (LbAccount *account)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-password-symbolic");
  GtkWidget *label = gtk_label_new (_("Sign-in required"));
  GtkWidget *button = gtk_button_new_with_label (_("Sign In Again"));

  /* Two short lines under the name: the sidebar is too narrow for one. */
  gtk_widget_set_name (box, "account-sign-in-box");
  gtk_widget_set_name (button, "account-sign-in-button");
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_widget_add_css_class (icon, "warning");
  gtk_widget_add_css_class (label, "warning");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  gtk_widget_add_css_class (button, "pill");
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_add_css_class (button, "lb-sign-in-again");
  gtk_widget_set_tooltip_text (button, _("Open the provider’s sign-in page in the browser; "
                                         "the account keeps its mail"));
  /* The application runs the sign-in; the sidebar only asks, through its action. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.sign-in-again");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", lb_account_get_id (account));
  gtk_box_append (GTK_BOX (line), icon);
  gtk_box_append (GTK_BOX (line), label);
  gtk_box_append (GTK_BOX (box), line);
  gtk_box_append (GTK_BOX (box), button);
  return box;
}

static GtkWidget *
make_account_row (LbAccount *account)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *dot = gtk_drawing_area_new ();
  GtkWidget *label;
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *error = make_error_button (account);
  GtkWidget *lines = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *sign_in = make_sign_in_box (account);
  const char *name = lb_account_get_display_name (account);

  if (name == NULL || *name == '\0')
    name = lb_account_get_email (account);
  label = gtk_label_new (name);

  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "lb-account-row");
  gtk_widget_set_tooltip_text (row, lb_account_get_email (account));

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (dot), 10);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (dot), 10);
  gtk_widget_set_valign (dot, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (dot), draw_dot,
                                  g_strdup (lb_account_get_color (account)), g_free);
  gtk_widget_set_margin_start (box, 4);
  gtk_widget_set_margin_top (box, 6);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_name (label, "account-name");
  gtk_widget_set_name (spinner, "account-spinner");

  gtk_box_append (GTK_BOX (box), dot);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), spinner);
  gtk_box_append (GTK_BOX (box), error);
  gtk_box_append (GTK_BOX (lines), box);
  gtk_box_append (GTK_BOX (lines), sign_in);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), lines);

  g_object_bind_property_full (account, "status", spinner, "visible", G_BINDING_SYNC_CREATE,
                               status_is_busy, NULL, NULL, NULL);
  g_object_bind_property_full (account, "status", spinner, "spinning", G_BINDING_SYNC_CREATE,
                               status_is_busy, NULL, NULL, NULL);
  g_object_set_data (G_OBJECT (row), "lb-error-button", error);
  g_object_set_data (G_OBJECT (row), "lb-sign-in-box", sign_in);
  g_signal_connect_object (account, "notify::status", G_CALLBACK (update_account_problem), row, 0);
  g_signal_connect_object (account, "notify::needs-sign-in", G_CALLBACK (update_account_problem),
                           row, 0);
  update_account_problem (account, NULL, row);
  return row;
}

/* ---- Building ------------------------------------------------------------------ */

static void lb_sidebar_queue_rebuild (LbSidebar *self);

static void
lb_sidebar_watch_account (LbSidebar *self,
                          LbAccount *account)
{
  if (g_hash_table_contains (self->watched, account))
    return;
  g_hash_table_add (self->watched, g_object_ref (account));
  g_signal_connect_object (lb_account_get_folders (account), "items-changed",
                           G_CALLBACK (lb_sidebar_queue_rebuild), self, G_CONNECT_SWAPPED);
}

static void
lb_sidebar_rebuild (LbSidebar *self)
{
  GListModel *accounts;
  GtkWidget *child;
  GtkWidget *row;
  GtkWidget *count;
  GtkListBoxRow *to_select = NULL;
  guint n;

  self->rebuilding = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  row = make_folder_row ("mail-inbox-symbolic", _("All Inboxes"), 0, LB_SIDEBAR_ALL_INBOXES,
                         &count);
  gtk_widget_set_name (row, "all-inboxes-row");
  lb_folder_menu_attach_row (self->menu, row, NULL, NULL);
  gtk_list_box_append (self->list_box, row);
  if (self->engine != NULL)
    {
      g_object_bind_property_full (self->engine, "unified-unread", count, "label",
                                   G_BINDING_SYNC_CREATE, count_to_label, NULL, NULL, NULL);
      g_object_bind_property_full (self->engine, "unified-unread", count, "visible",
                                   G_BINDING_SYNC_CREATE, count_to_visible, NULL, NULL, NULL);
    }
  if (self->selected == LB_SIDEBAR_ALL_INBOXES)
    to_select = GTK_LIST_BOX_ROW (row);
  /* With more than one account, All Inboxes' section has the Outbox of them all. */
  if (self->engine != NULL && g_list_model_get_n_items (lb_engine_get_accounts (self->engine)) > 1)
    append_outbox_row (self, 0, 0, &to_select);

  accounts = self->engine != NULL ? lb_engine_get_accounts (self->engine) : NULL;
  n = accounts != NULL ? g_list_model_get_n_items (accounts) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbAccount) account = g_list_model_get_item (accounts, i);
      GListModel *folders = lb_account_get_folders (account);
      guint n_folders = g_list_model_get_n_items (folders);

      lb_sidebar_watch_account (self, account);
      row = make_account_row (account);
      lb_folder_menu_attach_row (self->menu, row, account, NULL);
      gtk_list_box_append (self->list_box, row);

      for (guint j = 0; j < n_folders; j++)
        {
          g_autoptr(LbFolder) folder = g_list_model_get_item (folders, j);
          LbFolderRole role = lb_folder_get_role (folder);
          /* Special folders sit at the top whatever their place on the server (Gmail
           * keeps them under [Gmail]/), so only ordinary folders are indented. */
          guint indent = role == LB_FOLDER_ROLE_NONE ? lb_folder_get_depth (folder) : 0;

          row = make_folder_row (lb_folder_role_get_icon_name (role),
                                 lb_sidebar_folder_name (folder), indent,
                                 lb_folder_get_id (folder), &count);
          if (!lb_folder_get_selectable (folder))
            {
              gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
              gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
              gtk_widget_add_css_class (row, "dim-label");
            }
          g_object_bind_property_full (folder, "unread-count", count, "label",
                                       G_BINDING_SYNC_CREATE, count_to_label, NULL, NULL, NULL);
          g_object_bind_property_full (folder, "unread-count", count, "visible",
                                       G_BINDING_SYNC_CREATE, count_to_visible, NULL, NULL, NULL);
          add_folder_error_icon (count, folder);
          lb_folder_menu_attach_row (self->menu, row, account, folder);
          gtk_list_box_append (self->list_box, row);
          if (self->selected == lb_folder_get_id (folder))
            to_select = GTK_LIST_BOX_ROW (row);
        }
      append_outbox_row (self, lb_account_get_id (account), 0, &to_select);
    }

  if (to_select != NULL)
    gtk_list_box_select_row (self->list_box, to_select);
  self->rebuilding = FALSE;

  /* The selected folder went away: fall back to All Inboxes. */
  if (to_select == NULL && self->selected != -1)
    lb_sidebar_select_folder (self, LB_SIDEBAR_ALL_INBOXES);
}

static gboolean
rebuild_idle (gpointer data)
{
  LbSidebar *self = data;

  self->rebuild_id = 0;
  lb_sidebar_rebuild (self);
  return G_SOURCE_REMOVE;
}

/* Folder models of several accounts can change in one burst: one rebuild. */
static void
lb_sidebar_queue_rebuild (LbSidebar *self)
{
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add (rebuild_idle, self);
}

static void
on_row_selected (GtkListBox    *box,
                 GtkListBoxRow *row,
                 LbSidebar     *self)
{
  gint64 *id;

  if (self->rebuilding || row == NULL)
    return;
  id = g_object_get_data (G_OBJECT (row), FOLDER_ID_KEY);
  if (id == NULL)
    return;
  self->selected = *id;
  g_free (self->title);
  self->title = g_strdup (g_object_get_data (G_OBJECT (row), "lb-title"));
  g_signal_emit (self, signals[FOLDER_SELECTED], 0, self->selected);
}

/**
 * lb_sidebar_set_engine:
 *
 * Shows @engine's accounts and their folders, following them live.
 */
void
lb_sidebar_set_engine (LbSidebar *self,
                       LbEngine  *engine)
{
  g_return_if_fail (LB_IS_SIDEBAR (self));

  if (self->engine == engine)
    return;
  if (self->engine != NULL)
    {
      g_signal_handlers_disconnect_by_data (lb_engine_get_accounts (self->engine), self);
      g_signal_handlers_disconnect_by_data (lb_engine_get_outbox (self->engine), self);
    }
  g_set_object (&self->engine, engine);
  lb_folder_menu_set_engine (self->menu, engine);
  if (engine != NULL)
    {
      g_signal_connect_object (lb_engine_get_accounts (engine), "items-changed",
                               G_CALLBACK (lb_sidebar_queue_rebuild), self, G_CONNECT_SWAPPED);
      /* The Outbox rows come and go, and count, with the outbox. */
      g_signal_connect_object (lb_engine_get_outbox (engine), "items-changed",
                               G_CALLBACK (lb_sidebar_queue_rebuild), self, G_CONNECT_SWAPPED);
    }
  lb_sidebar_rebuild (self);
}

/**
 * lb_sidebar_get_selected_folder:
 *
 * Returns: the selected folder's id, 0 for All Inboxes, -1 for none
 */
gint64
lb_sidebar_get_selected_folder (LbSidebar *self)
{
  g_return_val_if_fail (LB_IS_SIDEBAR (self), -1);

  return self->selected;
}

const char *
lb_sidebar_get_selected_title (LbSidebar *self)
{
  g_return_val_if_fail (LB_IS_SIDEBAR (self), NULL);

  return self->title;
}

GtkListBox *
lb_sidebar_get_list_box (LbSidebar *self)
{
  return self->list_box;
}

/**
 * lb_sidebar_popup_folder_menu:
 * @row: a row of the sidebar's list
 *
 * Opens the row's context menu, as a right click on it does.
 *
 * Returns: (transfer none) (nullable): the menu's popover, or %NULL if the row has none
 */
GtkPopover *
lb_sidebar_popup_folder_menu (LbSidebar *self,
                              GtkWidget *row)
{
  g_return_val_if_fail (LB_IS_SIDEBAR (self), NULL);

  if (!lb_folder_menu_popup (self->menu, row, 20, 10))
    return NULL;
  return lb_folder_menu_get_popover (self->menu);
}

/**
 * lb_sidebar_select_folder:
 * @folder_id: a folder id, or 0 for All Inboxes
 *
 * Selects the folder's row, which emits #LbSidebar::folder-selected.
 *
 * Returns: whether the folder has a row
 */
gboolean
lb_sidebar_select_folder (LbSidebar *self,
                          gint64     folder_id)
{
  g_return_val_if_fail (LB_IS_SIDEBAR (self), FALSE);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gint64 *id = g_object_get_data (G_OBJECT (child), FOLDER_ID_KEY);

      if (id != NULL && *id == folder_id
          && gtk_list_box_row_get_selectable (GTK_LIST_BOX_ROW (child)))
        {
          if (gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (child)) && self->selected == folder_id)
            return TRUE;
          gtk_list_box_unselect_all (self->list_box);
          gtk_list_box_select_row (self->list_box, GTK_LIST_BOX_ROW (child));
          return TRUE;
        }
    }
  return FALSE;
}

static void
lb_sidebar_dispose (GObject *object)
{
  LbSidebar *self = LB_SIDEBAR (object);
  GtkWidget *child;

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  if (self->engine != NULL)
    {
      g_signal_handlers_disconnect_by_data (lb_engine_get_accounts (self->engine), self);
      g_signal_handlers_disconnect_by_data (lb_engine_get_outbox (self->engine), self);
    }
  g_clear_pointer (&self->menu, lb_folder_menu_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_SIDEBAR);
  /* The template's top box is not a bound child, so dispose_template leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (lb_sidebar_parent_class)->dispose (object);
}

static void
lb_sidebar_finalize (GObject *object)
{
  LbSidebar *self = LB_SIDEBAR (object);

  g_free (self->title);

  G_OBJECT_CLASS (lb_sidebar_parent_class)->finalize (object);
}

static void
lb_sidebar_class_init (LbSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_sidebar_dispose;
  object_class->finalize = lb_sidebar_finalize;

  /**
   * LbSidebar::folder-selected:
   * @folder_id: the folder, or 0 for All Inboxes
   */
  signals[FOLDER_SELECTED] =
    g_signal_new ("folder-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/letterbox/Letterbox/ui/lb-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, LbSidebar, list_box);
  gtk_widget_class_set_css_name (widget_class, "lbsidebar");
}

static void
lb_sidebar_init (LbSidebar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->menu = lb_folder_menu_new (GTK_WIDGET (self));
  self->selected = -1;
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  g_signal_connect (self->list_box, "row-selected", G_CALLBACK (on_row_selected), self);
  lb_sidebar_rebuild (self);
}
