/* lb-preferences-window.c: the preferences window, bound to GSettings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-application.h"
#include "lb-preferences-window.h"

struct _LbPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  /* Template children */
  AdwComboRow          *mark_read_row;
  AdwActionRow         *mark_read_delay_row;
  GtkSpinButton        *mark_read_delay_spin;
  GtkSwitch            *run_in_background_switch;
};

G_DEFINE_FINAL_TYPE (LbPreferencesWindow, lb_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The nicks of the schema's MarkReadMode enum, in the order of the combo row's items. */
static const char * const mark_read_modes[] = { "immediately", "delay", "never" };

GtkWidget *
lb_preferences_window_new (void)
{
  return g_object_new (LB_TYPE_PREFERENCES_WINDOW, NULL);
}

static gboolean
mark_read_mode_to_selected (GValue   *value,
                            GVariant *variant,
                            gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (mark_read_modes); i++)
    {
      if (g_str_equal (nick, mark_read_modes[i]))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
selected_to_mark_read_mode (const GValue       *value,
                            const GVariantType *expected_type,
                            gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  /* GTK_INVALID_LIST_POSITION while the model is being replaced: leave the key alone. */
  if (selected >= G_N_ELEMENTS (mark_read_modes))
    return NULL;

  return g_variant_new_string (mark_read_modes[selected]);
}

static gboolean
mark_read_mode_is_delay (GValue   *value,
                         GVariant *variant,
                         gpointer  user_data)
{
  g_value_set_boolean (value, g_str_equal (g_variant_get_string (variant, NULL), "delay"));
  return TRUE;
}

static void
lb_preferences_window_finalize (GObject *object)
{
  LbPreferencesWindow *self = LB_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lb_preferences_window_parent_class)->finalize (object);
}

static void
lb_preferences_window_class_init (LbPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lb_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               LB_RESOURCE_PATH "/ui/lb-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, mark_read_row);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, mark_read_delay_row);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, mark_read_delay_spin);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow,
                                        run_in_background_switch);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
lb_preferences_window_init (LbPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);

  g_settings_bind_with_mapping (self->settings, "mark-read-mode",
                                self->mark_read_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                mark_read_mode_to_selected,
                                selected_to_mark_read_mode,
                                NULL, NULL);
  /* The delay only matters in "delay" mode; it stays visible so the option is discoverable. */
  g_settings_bind_with_mapping (self->settings, "mark-read-mode",
                                self->mark_read_delay_row, "sensitive",
                                G_SETTINGS_BIND_GET,
                                mark_read_mode_is_delay, NULL,
                                NULL, NULL);
  g_settings_bind (self->settings, "mark-read-delay",
                   gtk_spin_button_get_adjustment (self->mark_read_delay_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "run-in-background",
                   self->run_in_background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}
