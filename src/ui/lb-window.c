/* lb-window.c: the main window: sidebar, message list and reader in nested leaflets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-window.h"

struct _LbWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  gboolean              has_accounts;

  /* Template children */
  GtkStack             *main_stack;
  GtkMenuButton        *welcome_menu_button;
  GtkMenuButton        *primary_menu_button;
  AdwLeaflet           *outer_leaflet;
  AdwLeaflet           *inner_leaflet;
  GtkWidget            *sidebar_pane;
  GtkWidget            *list_pane;
  GtkWidget            *reader_pane;
  GtkStack             *sidebar_stack;
  GtkStack             *list_stack;
  GtkStack             *reader_stack;
};

G_DEFINE_FINAL_TYPE (LbWindow, lb_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_HAS_ACCOUNTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

LbWindow *
lb_window_new (LbApplication *application)
{
  g_return_val_if_fail (LB_IS_APPLICATION (application), NULL);

  return g_object_new (LB_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

static void
lb_window_update_empty_state (LbWindow *self)
{
  gtk_stack_set_visible_child_name (self->main_stack, self->has_accounts ? "mail" : "welcome");

  /* F10 opens the primary menu; only the menu button on screen may claim it. */
  gtk_menu_button_set_primary (self->welcome_menu_button, !self->has_accounts);
  gtk_menu_button_set_primary (self->primary_menu_button, self->has_accounts);

  if (self->has_accounts)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "no-folder");
      gtk_stack_set_visible_child_name (self->reader_stack, "no-message");
      /* On a narrow window the sidebar is where one starts. */
      adw_leaflet_set_visible_child (self->outer_leaflet, self->sidebar_pane);
      adw_leaflet_set_visible_child (self->inner_leaflet, self->list_pane);
    }
}

gboolean
lb_window_get_has_accounts (LbWindow *self)
{
  g_return_val_if_fail (LB_IS_WINDOW (self), FALSE);

  return self->has_accounts;
}

/**
 * lb_window_set_has_accounts:
 * @self: the window
 * @has_accounts: whether at least one account is configured
 *
 * Switches the window between the welcome page, which asks for an account, and the three
 * panes.
 */
void
lb_window_set_has_accounts (LbWindow *self,
                            gboolean  has_accounts)
{
  g_return_if_fail (LB_IS_WINDOW (self));

  has_accounts = !!has_accounts;
  if (self->has_accounts == has_accounts)
    return;

  self->has_accounts = has_accounts;
  lb_window_update_empty_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_ACCOUNTS]);
}

static void
on_list_back_clicked (LbWindow *self)
{
  adw_leaflet_navigate (self->outer_leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_reader_back_clicked (LbWindow *self)
{
  adw_leaflet_navigate (self->inner_leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
lb_window_go_back_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  LbWindow *self = LB_WINDOW (widget);

  /* The innermost step goes first: reader to list, then list to sidebar.  An unfolded
   * leaflet shows every pane, so there is nothing to go back to in it. */
  if (adw_leaflet_get_folded (self->inner_leaflet)
      && adw_leaflet_navigate (self->inner_leaflet, ADW_NAVIGATION_DIRECTION_BACK))
    return;

  if (adw_leaflet_get_folded (self->outer_leaflet))
    adw_leaflet_navigate (self->outer_leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
lb_window_save_state (LbWindow *self)
{
  int width = 0;
  int height = 0;

  /* The default size tracks the size the user gave the window, and keeps the unmaximized
   * size while the window is maximized, which is the one to restore. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static void
lb_window_restore_state (LbWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
lb_window_close_request (GtkWindow *window)
{
  LbWindow *self = LB_WINDOW (window);
  GtkApplication *application = gtk_window_get_application (window);

  lb_window_save_state (self);

  /* Hidden, the window keeps the application alive (GtkApplication holds it while the
   * window belongs to it), so syncing goes on; activating the application shows it again. */
  if (application != NULL && g_settings_get_boolean (self->settings, "run-in-background"))
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      lb_application_explain_background (LB_APPLICATION (application));
      return TRUE;
    }

  return GTK_WINDOW_CLASS (lb_window_parent_class)->close_request (window);
}

static void
lb_window_unrealize (GtkWidget *widget)
{
  /* Also reached on app.quit, which destroys the window without a close request. */
  lb_window_save_state (LB_WINDOW (widget));

  GTK_WIDGET_CLASS (lb_window_parent_class)->unrealize (widget);
}

static void
lb_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LbWindow *self = LB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HAS_ACCOUNTS:
      g_value_set_boolean (value, self->has_accounts);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  LbWindow *self = LB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HAS_ACCOUNTS:
      lb_window_set_has_accounts (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_window_finalize (GObject *object)
{
  LbWindow *self = LB_WINDOW (object);

  /* Kept until finalize because unrealize, which saves the state, can come late in
   * destruction. */
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lb_window_parent_class)->finalize (object);
}

static void
lb_window_class_init (LbWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = lb_window_get_property;
  object_class->set_property = lb_window_set_property;
  object_class->finalize = lb_window_finalize;

  widget_class->unrealize = lb_window_unrealize;

  window_class->close_request = lb_window_close_request;

  /**
   * LbWindow:has-accounts:
   *
   * Whether at least one account is configured; without one the window asks for one.
   */
  properties[PROP_HAS_ACCOUNTS] =
    g_param_spec_boolean ("has-accounts", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               LB_RESOURCE_PATH "/ui/lb-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LbWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, welcome_menu_button);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, outer_leaflet);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, inner_leaflet);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, sidebar_pane);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, list_pane);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, reader_pane);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, LbWindow, reader_stack);
  gtk_widget_class_bind_template_callback (widget_class, on_list_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_reader_back_clicked);

  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, lb_window_go_back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
lb_window_init (LbWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  lb_window_restore_state (self);
  lb_window_update_empty_state (self);
}
