/* lb-goa-chooser.c: picks a mail account of GNOME Online Accounts and adds it
 *
 * The wizard opens it with the accounts it found (lb_goa_list_accounts_async(): Mail on,
 * IMAP and SMTP, an OAuth2 token IMAP accepts).  One click on a row adds that account
 * (IMAP and SMTP, its first sync started by the engine) and emits "account-added".  When
 * Online Accounts refuses (NOT_AUTHORIZED) or lost the account, the fix is Settings': the
 * error says so and a button opens its Online Accounts panel.
 *
 * For tests only, LETTERBOX_TEST_CA_FILE (as in the wizard) is an extra CA certificate
 * to trust for both servers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-engine-goa.h"
#include "lb-error.h"
#include "lb-goa-chooser.h"
#include "lb-goa.h"
#include "lb-ui-types.h"

struct _LbGoaChooser
{
  AdwWindow     parent_instance;

  LbEngine     *engine;
  GPtrArray    *accounts;      /* LbGoaAccount */
  GCancellable *cancellable;
  GtkWidget    *busy_row;      /* the row being added, or NULL */

  /* Template children */
  GtkListBox   *list;
  GtkLabel     *error_label;
  GtkWidget    *settings_button;
};

enum {
  ACCOUNT_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LbGoaChooser, lb_goa_chooser, ADW_TYPE_WINDOW)

static void
show_error (LbGoaChooser *self,
            const GError *error)
{
  gboolean in_settings = g_error_matches (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED);

  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  gtk_widget_set_visible (self->settings_button, in_settings);
}

static void
set_busy (LbGoaChooser *self,
          GtkWidget    *row)
{
  if (self->busy_row != NULL)
    gtk_widget_set_visible (g_object_get_data (G_OBJECT (self->busy_row), "spinner"), FALSE);
  self->busy_row = row;
  if (row != NULL)
    gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "spinner"), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->list), row == NULL);
}

/* Callbacks hold only a weak reference: a chooser kept alive by a pending call past its
 * wizard would later unset a transient parent that is gone. */
static GWeakRef *
weak_self (LbGoaChooser *self)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, self);
  return ref;
}

static LbGoaChooser *
weak_self_take (GWeakRef *ref)
{
  LbGoaChooser *self = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);
  return self;
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(LbGoaChooser) self = weak_self_take (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) account = lb_engine_add_goa_account_finish (LB_ENGINE (source), result,
                                                                   &error);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, NULL);
  if (account == NULL)
    {
      show_error (self, error);
      return;
    }
  /* Closed before the signal: its handler may destroy the window this one is transient
   * for (the wizard), which must not go first. */
  gtk_window_set_transient_for (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
  g_signal_emit (self, signals[ACCOUNT_ADDED], 0, account);
}

static void
on_row_activated (LbGoaChooser  *self,
                  AdwActionRow  *row)
{
  const char *goa_id = g_object_get_data (G_OBJECT (row), "goa-id");

  if (self->busy_row != NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_set_visible (self->settings_button, FALSE);
  set_busy (self, GTK_WIDGET (row));
  lb_engine_add_goa_account_async (self->engine, goa_id, g_getenv (LB_TEST_CA_FILE_ENV),
                                   self->cancellable, on_added, weak_self (self));
}

static GtkWidget *
make_row (const LbGoaAccount *a)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *avatar = adw_avatar_new (32, a->name != NULL && a->name[0] != '\0' ? a->name
                                                                                : a->email, TRUE);
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *next = gtk_image_new_from_icon_name ("go-next-symbolic");
  g_autofree char *name = g_strdup_printf ("goa-chooser-row-%s", a->id);
  /* Translators: the subtitle of an Online Accounts row: provider, then the person's name. */
  g_autofree char *subtitle = a->name != NULL && a->name[0] != '\0'
                              ? g_strdup_printf (_("%s · %s"), a->provider_name, a->name)
                              : g_strdup (a->provider_name);

  gtk_widget_set_name (row, name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), a->email);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle != NULL ? subtitle : "");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), avatar);
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_set_visible (spinner, FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spinner);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), next);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "goa-id", g_strdup (a->id), g_free);
  g_object_set_data (G_OBJECT (row), "spinner", spinner);
  return row;
}

/* ---- Settings' Online Accounts panel ------------------------------------------------ */

static void
on_settings_activated (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             &error);
  g_autoptr(GSubprocess) proc = NULL;

  if (reply != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_debug ("Settings' D-Bus activation failed: %s", error->message);
  g_clear_error (&error);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "gnome-control-center",
                           "online-accounts", NULL);
  if (proc == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                             _("Settings could not be opened. Open Settings, then Online Accounts."));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * lb_goa_open_settings_async:
 *
 * Opens Settings on its Online Accounts panel, where a NOT_AUTHORIZED account is fixed:
 * through Settings' own D-Bus activation (org.gnome.Settings, launch-panel; it works from
 * the Flatpak, which may talk to that name), else its command.  For the chooser, and for
 * an added Online Accounts account that needs sign-in (lb_account_get_auth() is
 * %LB_AUTH_GOA; after the fix, lb_engine_retry_goa_account_async() signs it in again).
 */
void
lb_goa_open_settings_async (GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  GApplication *app = g_application_get_default ();
  GDBusConnection *bus = app != NULL ? g_application_get_dbus_connection (app) : NULL;
  GVariant *panel = g_variant_new ("(s@av)", "online-accounts",
                                   g_variant_new_array (G_VARIANT_TYPE_VARIANT, NULL, 0));
  GVariant *param = g_variant_new_variant (panel);
  g_autoptr(GError) error = NULL;

  if (bus == NULL)
    bus = g_bus_get_sync (G_BUS_TYPE_SESSION, cancellable, &error);
  else
    g_object_ref (bus);
  if (bus == NULL)
    {
      g_variant_unref (g_variant_ref_sink (param));
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  g_dbus_connection_call (bus, "org.gnome.Settings", "/org/gnome/Settings",
                          "org.freedesktop.Application", "ActivateAction",
                          g_variant_new ("(s@av@a{sv})", "launch-panel",
                                         g_variant_new_array (G_VARIANT_TYPE_VARIANT, &param, 1),
                                         g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                          NULL, G_DBUS_CALL_FLAGS_NONE, 10000, cancellable, on_settings_activated,
                          task);
  g_object_unref (bus);
}

gboolean
lb_goa_open_settings_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_settings_opened (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LbGoaChooser) self = weak_self_take (user_data);
  g_autoptr(GError) error = NULL;

  if (lb_goa_open_settings_finish (result, &error) || self == NULL)
    return;
  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
open_settings_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  lb_goa_open_settings_async (NULL, on_settings_opened, weak_self (LB_GOA_CHOOSER (widget)));
}

static void
lb_goa_chooser_dispose (GObject *object)
{
  LbGoaChooser *self = LB_GOA_CHOOSER (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_GOA_CHOOSER);
  G_OBJECT_CLASS (lb_goa_chooser_parent_class)->dispose (object);
}

static void
lb_goa_chooser_finalize (GObject *object)
{
  LbGoaChooser *self = LB_GOA_CHOOSER (object);

  g_clear_object (&self->engine);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (lb_goa_chooser_parent_class)->finalize (object);
}

static void
lb_goa_chooser_class_init (LbGoaChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_goa_chooser_dispose;
  object_class->finalize = lb_goa_chooser_finalize;

  /**
   * LbGoaChooser::account-added:
   * @account: the account, added and syncing
   *
   * Emitted once the chooser has closed itself.
   */
  signals[ACCOUNT_ADDED] = g_signal_new ("account-added", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, LB_TYPE_ACCOUNT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               LB_RESOURCE_PATH "/ui/lb-goa-chooser.ui");
  gtk_widget_class_bind_template_child (widget_class, LbGoaChooser, list);
  gtk_widget_class_bind_template_child (widget_class, LbGoaChooser, error_label);
  gtk_widget_class_bind_template_child (widget_class, LbGoaChooser, settings_button);
  gtk_widget_class_install_action (widget_class, "goa-chooser.open-settings", NULL,
                                   open_settings_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lb_goa_chooser_init (LbGoaChooser *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
}

/**
 * lb_goa_chooser_new:
 * @accounts: (element-type LbGoaAccount): what lb_goa_list_accounts_async() found; kept
 *
 * Returns: (transfer floating): the chooser, not yet shown
 */
LbGoaChooser *
lb_goa_chooser_new (LbEngine  *engine,
                    GPtrArray *accounts)
{
  LbGoaChooser *self = g_object_new (LB_TYPE_GOA_CHOOSER, NULL);

  self->engine = g_object_ref (engine);
  self->accounts = g_ptr_array_ref (accounts);
  for (guint i = 0; i < accounts->len; i++)
    gtk_list_box_append (self->list, make_row (g_ptr_array_index (accounts, i)));
  return self;
}
