/* lb-local-drafts.c: the drafts only this computer has, above an account's Drafts
 *
 * A draft written offline, or left behind by a crash, is a file in the profile until the
 * account is back online (lb-local-draft.c in the engine).  The user must find it where
 * drafts are: above the Drafts list, under "On This Computer Only", one row per draft
 * that opens it in the composer.  The section is hidden when there is none, and follows
 * the files as the composer and the engine write and remove them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-composer.h"
#include "lb-draft.h"
#include "lb-local-drafts.h"

struct _LbLocalDrafts
{
  GtkWidget     parent_instance;

  GtkWidget    *box;
  GtkListBox   *list;
  LbEngine     *engine;
  gint64        account_id;
  GPtrArray    *drafts;        /* LbLocalDraft, in the rows' order */
  GCancellable *cancellable;
  GPtrArray    *monitors;      /* GFileMonitor of the directories the drafts are in */
  guint         refresh_id;
};

G_DEFINE_FINAL_TYPE (LbLocalDrafts, lb_local_drafts, GTK_TYPE_WIDGET)

static char *
saved_text (gint64 saved)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (saved);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (when == NULL)
    return g_strdup ("");
  if (g_date_time_get_year (when) == g_date_time_get_year (now)
      && g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    /* The message list's formats: see lb-message-row.c. */
    return g_date_time_format (when, _("%H:%M"));
  return g_date_time_format (when, _("%-d %b"));
}

static GtkWidget *
make_row (const LbLocalDraft *d)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *to = NULL;
  g_autofree char *when = saved_text (d->saved);
  GtkWidget *time = gtk_label_new (when);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 d->subject != NULL && *d->subject != '\0' ? d->subject
                                                                           : _("(No Subject)"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  /* Translators: the recipients of a draft, e.g. "To: Bob, Carol". */
  to = g_strdup_printf (_("To: %s"), d->to != NULL && *d->to != '\0' ? d->to : _("(no recipients)"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), to);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("document-edit-symbolic"));
  gtk_widget_add_css_class (time, "dim-label");
  gtk_widget_add_css_class (time, "caption");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), time);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_name (row, "local-draft-row");
  return row;
}

static void
clear_rows (LbLocalDrafts *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_clear_pointer (&self->drafts, g_ptr_array_unref);
}

static void
listed (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = lb_engine_list_local_drafts_finish (LB_ENGINE (source), result,
                                                                    &error);
  LbLocalDrafts *self;

  if (drafts == NULL)
    return;   /* cancelled: the widget went or shows another account */
  self = LB_LOCAL_DRAFTS (user_data);
  clear_rows (self);
  self->drafts = g_steal_pointer (&drafts);
  for (guint i = 0; i < self->drafts->len; i++)
    gtk_list_box_append (self->list, make_row (g_ptr_array_index (self->drafts, i)));
  gtk_widget_set_visible (GTK_WIDGET (self), self->drafts->len > 0);
}

/**
 * lb_local_drafts_refresh:
 *
 * Reads the account's local drafts again (on a thread) and shows them.
 */
void
lb_local_drafts_refresh (LbLocalDrafts *self)
{
  g_return_if_fail (LB_IS_LOCAL_DRAFTS (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->engine == NULL || self->account_id == 0)
    return;
  self->cancellable = g_cancellable_new ();
  lb_engine_list_local_drafts_async (self->engine, self->account_id, self->cancellable, listed,
                                     self);
}

static gboolean
refresh_idle (gpointer data)
{
  LbLocalDrafts *self = data;

  self->refresh_id = 0;
  lb_local_drafts_refresh (self);
  return G_SOURCE_REMOVE;
}

/* A file came or went: read them again once the writer is done (one refresh for a burst). */
static void
on_dir_changed (LbLocalDrafts *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (200, refresh_idle, self);
}

static void
watch (LbLocalDrafts *self,
       const char    *path)
{
  g_autoptr(GFile) dir = g_file_new_for_path (path);
  g_autoptr(GFileMonitor) monitor = NULL;

  /* The directory exists from now on, so that the monitor has something to watch. */
  g_mkdir_with_parents (path, 0700);
  monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_NONE, NULL, NULL);
  if (monitor == NULL)
    return;
  g_signal_connect_swapped (monitor, "changed", G_CALLBACK (on_dir_changed), self);
  g_ptr_array_add (self->monitors, g_steal_pointer (&monitor));
}

static void
unwatch (LbLocalDrafts *self)
{
  for (guint i = 0; i < self->monitors->len; i++)
    {
      GFileMonitor *monitor = g_ptr_array_index (self->monitors, i);

      g_signal_handlers_disconnect_by_data (monitor, self);
      g_file_monitor_cancel (monitor);
    }
  g_ptr_array_set_size (self->monitors, 0);
}

/**
 * lb_local_drafts_show:
 * @engine: (nullable): the engine
 * @account_id: the account whose Drafts folder is shown, or 0 to show nothing
 *
 * Shows @account_id's local drafts, and follows them until the next call.
 */
void
lb_local_drafts_show (LbLocalDrafts *self,
                      LbEngine      *engine,
                      gint64         account_id)
{
  g_return_if_fail (LB_IS_LOCAL_DRAFTS (self));

  if (engine == self->engine && account_id == self->account_id)
    {
      lb_local_drafts_refresh (self);
      return;
    }
  unwatch (self);
  clear_rows (self);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  g_set_object (&self->engine, engine);
  self->account_id = account_id;
  if (engine != NULL && account_id != 0)
    {
      g_autofree char *root = lb_engine_get_local_drafts_dir (engine);
      g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
      g_autofree char *dir = g_build_filename (root, name, NULL);

      watch (self, root);
      watch (self, dir);
    }
  lb_local_drafts_refresh (self);
}

guint
lb_local_drafts_get_n_drafts (LbLocalDrafts *self)
{
  g_return_val_if_fail (LB_IS_LOCAL_DRAFTS (self), 0);

  return self->drafts != NULL ? self->drafts->len : 0;
}

static void
on_row_activated (LbLocalDrafts *self,
                  GtkListBoxRow *row)
{
  int i = gtk_list_box_row_get_index (row);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->drafts == NULL || i < 0 || (guint) i >= self->drafts->len)
    return;
  lb_composer_open_local_draft (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->engine,
                                g_ptr_array_index (self->drafts, i));
}

static void
lb_local_drafts_dispose (GObject *object)
{
  LbLocalDrafts *self = LB_LOCAL_DRAFTS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->monitors != NULL)
    unwatch (self);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (lb_local_drafts_parent_class)->dispose (object);
}

static void
lb_local_drafts_finalize (GObject *object)
{
  LbLocalDrafts *self = LB_LOCAL_DRAFTS (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->drafts, g_ptr_array_unref);
  g_clear_pointer (&self->monitors, g_ptr_array_unref);
  G_OBJECT_CLASS (lb_local_drafts_parent_class)->finalize (object);
}

static void
lb_local_drafts_class_init (LbLocalDraftsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_local_drafts_dispose;
  object_class->finalize = lb_local_drafts_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "local-drafts");
}

static void
lb_local_drafts_init (LbLocalDrafts *self)
{
  GtkWidget *heading = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new_from_icon_name ("computer-symbolic");
  GtkWidget *title = gtk_label_new (_("On This Computer Only"));
  GtkWidget *explain = gtk_label_new (_("Not on the server yet: they are saved there when the "
                                        "account is back online."));

  self->monitors = g_ptr_array_new_with_free_func (g_object_unref);
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_set_margin_start (self->box, 12);
  gtk_widget_set_margin_end (self->box, 12);
  gtk_widget_set_margin_top (self->box, 12);
  gtk_widget_set_margin_bottom (self->box, 6);

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_box_append (GTK_BOX (heading), icon);
  gtk_box_append (GTK_BOX (heading), title);
  gtk_box_append (GTK_BOX (self->box), heading);

  gtk_label_set_wrap (GTK_LABEL (explain), TRUE);
  gtk_label_set_xalign (GTK_LABEL (explain), 0);
  gtk_widget_add_css_class (explain, "dim-label");
  gtk_widget_add_css_class (explain, "caption");
  gtk_box_append (GTK_BOX (self->box), explain);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_set_name (GTK_WIDGET (self->list), "local-drafts-list");
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->list));

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
lb_local_drafts_new (void)
{
  return g_object_new (LB_TYPE_LOCAL_DRAFTS, NULL);
}

/* ---- At start-up: drafts left on this computer are offered again ------------------- */

static void
announce_listed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(AdwToastOverlay) overlay = user_data;
  g_autoptr(GPtrArray) drafts = lb_engine_list_local_drafts_finish (LB_ENGINE (source), result,
                                                                    NULL);
  g_autofree char *title = NULL;
  const LbLocalDraft *newest;
  AdwToast *toast;

  if (drafts == NULL || drafts->len == 0 || gtk_widget_get_root (GTK_WIDGET (overlay)) == NULL)
    return;
  newest = g_ptr_array_index (drafts, 0);
  title = g_strdup_printf (ngettext ("%u draft is on this computer only",
                                     "%u drafts are on this computer only", drafts->len),
                           drafts->len);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 10);
  /* Where they are listed: the Drafts of the newest one's account. */
  adw_toast_set_button_label (toast, _("_Show"));
  adw_toast_set_action_name (toast, "win.show-local-drafts");
  adw_toast_set_action_target_value (toast, g_variant_new_int64 (newest->account_id));
  adw_toast_overlay_add_toast (overlay, toast);
}

/**
 * lb_local_drafts_announce:
 * @overlay: the main window's toasts
 *
 * At start-up: drafts that are on this computer only (written offline, or autosaved
 * before a crash) are offered again, with a toast whose "Show" button runs
 * "win.show-local-drafts" with the account's id.
 */
void
lb_local_drafts_announce (LbEngine        *engine,
                          AdwToastOverlay *overlay)
{
  g_return_if_fail (LB_IS_ENGINE (engine));

  lb_engine_list_local_drafts_async (engine, 0, NULL, announce_listed, g_object_ref (overlay));
}
