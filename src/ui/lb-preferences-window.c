/* lb-preferences-window.c: the preferences window, bound to GSettings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-account-editor.h"
#include "lb-engine.h"
#include "lb-preferences-window.h"
#include "lb-provider-info.h"
#include "lb-storage-row.h"
#include "lb-ui-types.h"

struct _LbPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  LbEngine             *engine;     /* NULL if the store could not be opened */

  /* Template children */
  AdwComboRow          *mark_read_row;
  AdwComboRow          *undo_send_row;
  AdwComboRow          *signature_position_row;
  AdwActionRow         *mark_read_delay_row;
  GtkSpinButton        *mark_read_delay_spin;
  GtkSwitch            *run_in_background_switch;
  GtkSwitch            *conversations_switch;
  GtkSwitch            *autostart_switch;
  GtkSwitch            *load_remote_switch;
  GtkSwitch            *reply_below_switch;
  GtkSwitch            *formatted_switch;
  GtkSwitch            *notify_switch;
  GtkListBox           *accounts_list;
  GtkWidget            *accounts_group;
  GtkListBox           *storage_list;
  GtkWidget            *storage_group;
  GtkWidget            *no_accounts_group;
};

G_DEFINE_FINAL_TYPE (LbPreferencesWindow, lb_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The nicks of the schema's MarkReadMode enum, in the order of the combo row's items. */
static const char * const mark_read_modes[] = { "immediately", "delay", "never" };

/* The Undo Send delays offered, in seconds, in the order of the combo row's items. */
static const int undo_send_delays[] = { 0, 5, 10, 30 };

/* The rows of the signature position, in the order of the schema's enum. */
static const char * const signature_positions[] = { "above-quote", "below-quote" };

static gboolean
signature_position_to_selected (GValue   *value,
                                GVariant *variant,
                                gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  g_value_set_uint (value, g_strcmp0 (nick, signature_positions[1]) == 0 ? 1 : 0);
  return TRUE;
}

static GVariant *
selected_to_signature_position (const GValue       *value,
                                const GVariantType *expected_type,
                                gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  return g_variant_new_string (signature_positions[selected == 1 ? 1 : 0]);
}

static gboolean
undo_send_delay_to_selected (GValue   *value,
                             GVariant *variant,
                             gpointer  user_data)
{
  int delay = g_variant_get_int32 (variant);
  guint best = 0;

  /* A delay set elsewhere (gsettings) shows as the nearest choice not shorter than it. */
  while (best + 1 < G_N_ELEMENTS (undo_send_delays) && undo_send_delays[best] < delay)
    best++;
  g_value_set_uint (value, best);
  return TRUE;
}

static GVariant *
selected_to_undo_send_delay (const GValue       *value,
                             const GVariantType *expected_type,
                             gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (undo_send_delays))
    return NULL;
  return g_variant_new_int32 (undo_send_delays[selected]);
}

/**
 * lb_preferences_window_new:
 * @engine: (nullable): the engine whose accounts the Accounts page lists, or %NULL if the
 *   mail store could not be opened (the page then shows its empty state)
 *
 * Returns: (transfer floating): a new preferences window
 */
GtkWidget *
lb_preferences_window_new (LbEngine *engine)
{
  g_return_val_if_fail (engine == NULL || LB_IS_ENGINE (engine), NULL);

  return g_object_new (LB_TYPE_PREFERENCES_WINDOW,
                       "engine", engine,
                       NULL);
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

/* ---- Accounts page ------------------------------------------------------------------ */

static char *
account_subtitle (LbAccount *account)
{
  g_autoptr(LbProviderInfo) provider = lb_provider_info_lookup (lb_account_get_provider_id (account));
  const char *provider_name;
  const char *status;

  provider_name = provider != NULL ? lb_provider_info_get_name (provider, NULL) : NULL;

  switch (lb_account_get_status (account))
    {
    case LB_ACCOUNT_STATUS_CONNECTING:
      status = _("Connecting…");
      break;
    case LB_ACCOUNT_STATUS_SYNCING:
      status = _("Updating…");
      break;
    case LB_ACCOUNT_STATUS_OFFLINE:
      status = _("Offline");
      break;
    case LB_ACCOUNT_STATUS_ERROR:
      status = lb_account_get_last_error (account) != NULL ? lb_account_get_last_error (account)
                                                           : _("Cannot connect");
      break;
    case LB_ACCOUNT_STATUS_IDLE:
    default:
      status = _("Up to date");
      break;
    }

  if (provider_name == NULL)
    return g_strdup (status);
  /* Translators: the account's provider (e.g. "QQ Mail") and its status (e.g. "Up to date"). */
  return g_strdup_printf (_("%s · %s"), provider_name, status);
}

static void
update_account_row (AdwActionRow *row)
{
  LbAccount *account = g_object_get_data (G_OBJECT (row), "account");
  const char *name = lb_account_get_display_name (account);
  g_autofree char *subtitle = account_subtitle (account);
  g_autofree char *title = NULL;

  /* Markup is off for both, so an address or error text with "<" is shown as it is. */
  if (name != NULL && name[0] != '\0')
    /* Translators: an account's name and address, e.g. "Alice <alice@example.com>". */
    title = g_strdup_printf (_("%s <%s>"), name, lb_account_get_email (account));
  else
    title = g_strdup (lb_account_get_email (account));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, subtitle);
}

static void
on_edit_clicked (GtkButton *button,
                 LbAccount *account)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));
  LbPreferencesWindow *self = LB_PREFERENCES_WINDOW (root);

  if (self->engine != NULL)
    lb_account_editor_present (GTK_WINDOW (self), self->engine, account);
}

static void
on_account_removed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!lb_engine_remove_account_finish (LB_ENGINE (source), result, &error))
    g_warning ("Could not remove the account: %s", error->message);
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    LbAccount        *account)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  LbEngine *engine = LB_IS_PREFERENCES_WINDOW (parent)
                     ? LB_PREFERENCES_WINDOW (parent)->engine : NULL;

  if (g_strcmp0 (response, "remove") != 0 || engine == NULL)
    return;
  /* The engine deletes the keyring secret and the cached mail; the row goes away when the
   * accounts model changes. */
  lb_engine_remove_account_async (engine, account, NULL, on_account_removed, NULL);
}

static void
unref_closure_data (gpointer  data,
                    GClosure *closure)
{
  g_object_unref (data);
}

static void
on_remove_clicked (GtkButton *button,
                   LbAccount *account)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (root), _("Remove Account?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  /* Translators: %s is an e-mail address. */
                                  _("Letterbox forgets %s: its password and the mail "
                                    "downloaded to this computer are deleted. The mail on "
                                    "the server is not touched."),
                                  lb_account_get_email (account));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_widget_set_name (dialog, "preferences-remove-account-dialog");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_remove_response),
                         g_object_ref (account), unref_closure_data, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
create_account_row (gpointer item,
                    gpointer user_data)
{
  LbAccount *account = LB_ACCOUNT (item);
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  GtkWidget *edit;
  GtkWidget *remove;

  g_object_set_data_full (G_OBJECT (row), "account", g_object_ref (account), g_object_unref);
  gtk_widget_set_name (GTK_WIDGET (row), "preferences-account-row");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  update_account_row (row);
  g_signal_connect_object (account, "notify::status", G_CALLBACK (update_account_row), row,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (account, "notify::last-error", G_CALLBACK (update_account_row), row,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (account, "notify::display-name", G_CALLBACK (update_account_row),
                           row, G_CONNECT_SWAPPED);

  edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
  gtk_widget_set_name (edit, "preferences-edit-account-button");
  gtk_widget_set_tooltip_text (edit, _("Edit"));
  gtk_widget_set_valign (edit, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (edit, "flat");
  g_signal_connect_object (edit, "clicked", G_CALLBACK (on_edit_clicked), account, 0);
  adw_action_row_add_suffix (row, edit);

  remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_name (remove, "preferences-remove-account-button");
  gtk_widget_set_tooltip_text (remove, _("Remove"));
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_clicked), account, 0);
  adw_action_row_add_suffix (row, remove);

  return GTK_WIDGET (row);
}

static GtkWidget *
create_storage_row (gpointer item,
                    gpointer user_data)
{
  LbPreferencesWindow *self = user_data;

  return lb_storage_row_new (self->engine, LB_ACCOUNT (item));
}

static void
update_accounts_visibility (LbPreferencesWindow *self)
{
  guint n = self->engine != NULL
            ? g_list_model_get_n_items (lb_engine_get_accounts (self->engine)) : 0;

  gtk_widget_set_visible (self->accounts_group, n > 0);
  gtk_widget_set_visible (self->storage_group, n > 0);
  gtk_widget_set_visible (self->no_accounts_group, n == 0);
}

static void
lb_preferences_window_constructed (GObject *object)
{
  LbPreferencesWindow *self = LB_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (lb_preferences_window_parent_class)->constructed (object);

  /* The accounts come from the engine the application passed down; without one (the
   * store could not be opened) the page shows its empty state. */
  if (self->engine != NULL)
    {
      GListModel *accounts = lb_engine_get_accounts (self->engine);

      gtk_list_box_bind_model (self->accounts_list, accounts, create_account_row, NULL, NULL);
      gtk_list_box_bind_model (self->storage_list, accounts, create_storage_row, self, NULL);
      g_signal_connect_object (accounts, "items-changed",
                               G_CALLBACK (update_accounts_visibility), self, G_CONNECT_SWAPPED);
    }
  update_accounts_visibility (self);
}

static void
lb_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  LbPreferencesWindow *self = LB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  LbPreferencesWindow *self = LB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_set_object (&self->engine, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_preferences_window_finalize (GObject *object)
{
  LbPreferencesWindow *self = LB_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (lb_preferences_window_parent_class)->finalize (object);
}

static void
lb_preferences_window_class_init (LbPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = lb_preferences_window_constructed;
  object_class->get_property = lb_preferences_window_get_property;
  object_class->set_property = lb_preferences_window_set_property;
  object_class->finalize = lb_preferences_window_finalize;

  /**
   * LbPreferencesWindow:engine: (nullable)
   *
   * The engine whose accounts the Accounts page lists; %NULL when the mail store could
   * not be opened.
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         LB_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               LB_RESOURCE_PATH "/ui/lb-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, mark_read_row);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, undo_send_row);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, signature_position_row);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, mark_read_delay_row);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, mark_read_delay_spin);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow,
                                        run_in_background_switch);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow,
                                        conversations_switch);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, load_remote_switch);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, reply_below_switch);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, formatted_switch);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, notify_switch);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, accounts_list);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, accounts_group);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, no_accounts_group);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, storage_list);
  gtk_widget_class_bind_template_child (widget_class, LbPreferencesWindow, storage_group);

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
  g_settings_bind_with_mapping (self->settings, "undo-send-delay",
                                self->undo_send_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                undo_send_delay_to_selected,
                                selected_to_undo_send_delay,
                                NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "signature-position",
                                self->signature_position_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                signature_position_to_selected,
                                selected_to_signature_position,
                                NULL, NULL);
  g_settings_bind (self->settings, "conversations", self->conversations_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "run-in-background",
                   self->run_in_background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "autostart",
                   self->autostart_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "load-remote-content",
                   self->load_remote_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "compose-formatted",
                   self->formatted_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "reply-below-quote",
                   self->reply_below_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-new-mail",
                   self->notify_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}
