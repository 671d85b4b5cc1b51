/* lb-application.c: the application object: actions, accelerators and auxiliary windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "lb-account-editor.h"
#include "lb-account-wizard.h"
#include "lb-application.h"
#include "lb-background.h"
#include "lb-composer.h"
#include "lb-message-actions.h"
#include "lb-engine-goa.h"
#include "lb-goa-chooser.h"
#include "lb-notifier.h"
#include "lb-preferences-window.h"
#include "lb-window.h"

struct _LbApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  /* NULL when the store could not be opened; the window then explains why. */
  LbEngine       *engine;
  GError         *engine_error;
  LbNotifier     *notifier;
  /* Weak: the preferences window is presented again rather than opened twice. */
  GtkWindow      *preferences;
};

G_DEFINE_FINAL_TYPE (LbApplication, lb_application, ADW_TYPE_APPLICATION)

LbApplication *
lb_application_new (void)
{
  return g_object_new (LB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       /* HANDLES_OPEN: the desktop file registers Letterbox for mailto: links
                        * and .eml files. */
                       "flags", G_APPLICATION_DEFAULT_FLAGS | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", LB_RESOURCE_PATH,
                       NULL);
}

/**
 * lb_application_get_main_window:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the main window, which may be hidden while the
 *   application runs in the background, or %NULL if there is none
 */
GtkWindow *
lb_application_get_main_window (LbApplication *self)
{
  g_return_val_if_fail (LB_IS_APPLICATION (self), NULL);

  /* The list is ordered by focus, most recent first; dialogs belong to it too. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (LB_IS_WINDOW (l->data))
        return GTK_WINDOW (l->data);
    }

  return NULL;
}

/**
 * lb_application_get_engine:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the engine, created at startup, or %NULL if the
 *   mail store could not be opened
 */
LbEngine *
lb_application_get_engine (LbApplication *self)
{
  g_return_val_if_fail (LB_IS_APPLICATION (self), NULL);

  return self->engine;
}

/**
 * lb_application_withdraw_notification:
 *
 * The user is looking at the mail: the new-mail notification has served its purpose.
 */
void
lb_application_withdraw_notification (LbApplication *self)
{
  g_return_if_fail (LB_IS_APPLICATION (self));

  if (self->notifier != NULL)
    lb_notifier_withdraw (self->notifier);
}

/**
 * lb_application_show_preferences:
 * @self: the application
 * @page_name: (nullable): "general" or "accounts", or %NULL to keep the current page
 *
 * Presents the preferences window, opening it if needed.
 */
void
lb_application_show_preferences (LbApplication *self,
                                 const char    *page_name)
{
  g_return_if_fail (LB_IS_APPLICATION (self));

  if (self->preferences == NULL)
    {
      GtkWindow *parent = lb_application_get_main_window (self);

      self->preferences = GTK_WINDOW (lb_preferences_window_new (self->engine));
      g_object_add_weak_pointer (G_OBJECT (self->preferences), (gpointer *) &self->preferences);
      /* The application is needed for the app.* actions of its buttons to resolve. */
      gtk_window_set_application (self->preferences, GTK_APPLICATION (self));
      if (parent != NULL)
        {
          gtk_window_set_transient_for (self->preferences, parent);
          gtk_window_set_destroy_with_parent (self->preferences, TRUE);
        }
    }

  if (page_name != NULL)
    adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (self->preferences),
                                                  page_name);
  gtk_window_present (self->preferences);
}

/**
 * lb_application_explain_background:
 * @self: the application
 *
 * Called when the main window hides itself instead of closing.  The first time, a
 * notification tells the user that Letterbox is still running and offers to quit, since a
 * window that disappears without the application ending is otherwise surprising.
 */
void
lb_application_explain_background (LbApplication *self)
{
  g_autoptr(GNotification) notification = NULL;

  g_return_if_fail (LB_IS_APPLICATION (self));

  if (g_settings_get_boolean (self->settings, "background-explained"))
    return;

  notification = g_notification_new (_("Letterbox Is Running in the Background"));
  g_notification_set_body (notification,
                           _("It keeps checking for new mail while the window is closed."));
  g_notification_add_button (notification, _("Quit"), "app.quit");
  g_application_send_notification (G_APPLICATION (self), "background", notification);
  g_settings_set_boolean (self->settings, "background-explained", TRUE);
}

static void
lb_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  LbApplication *self = LB_APPLICATION (user_data);
  g_autoptr(GList) windows = NULL;

  /* Destroy rather than close: a main window set to run in the background hides itself on
   * close, and an explicit quit must not leave it behind.  The copy is needed because
   * destroying a window removes it from the application's list. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (GTK_WINDOW (l->data));

  g_application_quit (G_APPLICATION (self));
}

static void
lb_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  lb_application_show_preferences (LB_APPLICATION (user_data), NULL);
}

/* app.show-preferences("accounts"): how windows that must not depend on the application
 * (the sidebar's account problem popover) open a given preferences page. */
static void
lb_application_show_preferences_action (GSimpleAction *action,
                                        GVariant      *parameter,
                                        gpointer       user_data)
{
  lb_application_show_preferences (LB_APPLICATION (user_data),
                                   g_variant_get_string (parameter, NULL));
}

static void
lb_application_add_account_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  LbApplication *self = LB_APPLICATION (user_data);
  LbEngine *engine = lb_application_get_engine (self);
  GtkWindow *parent;

  /* Without an engine (the store could not be opened) there is nowhere to add it to. */
  if (engine == NULL)
    return;
  /* Modal to the window that asked: the main window's welcome page, or the preferences. */
  parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (parent == NULL)
    parent = lb_application_get_main_window (self);
  lb_account_wizard_present (parent, engine);
}

static void
on_goa_settings_opened (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!lb_goa_open_settings_finish (result, &error))
    g_warning ("%s", error->message);
}

/* An Online Accounts account is signed in again in Settings: ask Online Accounts once
 * more (the user may have fixed it already), and open its panel if it still refuses. */
static void
on_goa_retried (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) account = lb_engine_retry_goa_account_finish (LB_ENGINE (source), result,
                                                                     &error);

  if (account == NULL && g_error_matches (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED))
    lb_goa_open_settings_async (NULL, on_goa_settings_opened, NULL);
  else if (account == NULL)
    g_warning ("%s", error->message);
}

/* app.sign-in-again(account id): the sidebar's "Sign In Again" for an account whose
 * browser sign-in the provider no longer accepts (or, for an Online Accounts account,
 * that Online Accounts refuses). */
static void
lb_application_sign_in_again_action (GSimpleAction *action,
                                     GVariant      *parameter,
                                     gpointer       user_data)
{
  LbApplication *self = LB_APPLICATION (user_data);
  LbEngine *engine = lb_application_get_engine (self);
  LbAccount *account;

  if (engine == NULL)
    return;
  account = lb_engine_get_account (engine, g_variant_get_int64 (parameter));
  if (account != NULL && lb_account_get_auth (account) == LB_AUTH_GOA)
    {
      lb_engine_retry_goa_account_async (engine, account, NULL, on_goa_retried, NULL);
      return;
    }
  if (account == NULL || lb_account_get_auth (account) != LB_AUTH_OAUTH2)
    return;
  lb_account_wizard_present_sign_in (lb_application_get_main_window (self), engine, account);
}

/* app.edit-account(account id): the sidebar's "Edit Account" for an account that fails,
 * where the password or a server is what to fix. */
static void
lb_application_edit_account_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  LbApplication *self = LB_APPLICATION (user_data);
  LbEngine *engine = lb_application_get_engine (self);
  LbAccount *account;

  if (engine == NULL)
    return;
  account = lb_engine_get_account (engine, g_variant_get_int64 (parameter));
  if (account != NULL)
    lb_account_editor_present (lb_application_get_main_window (self), engine, account);
}

static void
lb_application_shortcuts_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  LbApplication *self = LB_APPLICATION (user_data);
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *window;

  builder = gtk_builder_new_from_resource (LB_RESOURCE_PATH "/ui/lb-shortcuts-window.ui");
  window = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));
  gtk_window_set_transient_for (window, lb_application_get_main_window (self));
  gtk_window_set_destroy_with_parent (window, TRUE);
  gtk_window_present (window);
}

static void
lb_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  LbApplication *self = LB_APPLICATION (user_data);
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", lb_application_get_main_window (self),
                        "modal", TRUE,
                        "application-name", _("Letterbox"),
                        "application-icon", APP_ID,
                        "developer-name", "The Letterbox developers",
                        "version", PACKAGE_VERSION,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Letterbox developers",
                        "website", "https://github.com/letterbox/letterbox",
                        "issue-url", "https://github.com/letterbox/letterbox/issues",
                        /* Translators: your names, one per line, shown in the About window. */
                        "translator-credits", _("translator-credits"),
                        "destroy-with-parent", TRUE,
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = lb_application_quit_action },
  { .name = "preferences", .activate = lb_application_preferences_action },
  { .name = "show-preferences", .activate = lb_application_show_preferences_action,
    .parameter_type = "s" },
  { .name = "shortcuts", .activate = lb_application_shortcuts_action },
  { .name = "about", .activate = lb_application_about_action },
  { .name = "add-account", .activate = lb_application_add_account_action },
  { .name = "sign-in-again", .activate = lb_application_sign_in_again_action,
    .parameter_type = "x" },
  { .name = "edit-account", .activate = lb_application_edit_account_action,
    .parameter_type = "x" },
};

static void
on_main_window_active_changed (LbApplication *self,
                               GParamSpec    *pspec,
                               GtkWindow     *window)
{
  if (gtk_window_is_active (window))
    lb_application_withdraw_notification (self);
}

/* The window gets the engine passed down and reports up through signals, so that it
 * needs nothing from the application. */
static GtkWindow *
lb_application_create_main_window (LbApplication *self)
{
  LbWindow *window = lb_window_new (GTK_APPLICATION (self), self->engine);

  g_signal_connect_object (window, "hidden-in-background",
                           G_CALLBACK (lb_application_explain_background), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (window, "notify::is-active",
                           G_CALLBACK (on_main_window_active_changed), self,
                           G_CONNECT_SWAPPED);
  return GTK_WINDOW (window);
}

static void
on_notifier_open_message (LbApplication *self,
                          gint64         message_id)
{
  GtkWindow *window = lb_application_get_main_window (self);

  if (window == NULL)
    window = lb_application_create_main_window (self);
  lb_window_open_message (LB_WINDOW (window), message_id);
  gtk_window_present (window);
}

static void
lb_application_start_engine (LbApplication *self)
{
  const char *data_dir = g_getenv ("LETTERBOX_DATA_DIR");

  /* LETTERBOX_DATA_DIR points tests and the demo at a private profile; an empty value
   * means the default, like an unset one. */
  if (data_dir != NULL && *data_dir == '\0')
    data_dir = NULL;

  self->engine = lb_engine_new (data_dir, &self->engine_error);
  if (self->engine == NULL)
    {
      g_message ("Cannot open the mail store: %s", self->engine_error->message);
      return;
    }
  /* Before any list is opened, so that the first rows shown are already grouped. */
  lb_engine_set_conversations (self->engine, g_settings_get_boolean (self->settings,
                                                                     "conversations"));
  /* Before the engine starts, so that the first sync is not announced as new mail. */
  self->notifier = lb_notifier_new (G_APPLICATION (self), self->engine);
  g_signal_connect_object (self->notifier, "open-message",
                           G_CALLBACK (on_notifier_open_message), self, G_CONNECT_SWAPPED);
  g_settings_bind (self->settings, "notify-new-mail", self->notifier, "enabled",
                   G_SETTINGS_BIND_GET);
  /* Before the first sync, which refreshes tokens with them. */
  lb_account_wizard_restore_client_ids (self->settings);
  lb_engine_start (self->engine);
  /* Follows the "autostart" setting: the Background portal in a sandbox, else an XDG
   * autostart entry. */
  lb_background_bind_autostart (G_APPLICATION (self), self->settings);
}

static void
on_store_error_response (AdwMessageDialog *dialog,
                         const char       *response,
                         LbApplication    *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_application_quit (G_APPLICATION (self));
}

/* A store that cannot be opened (damaged, or written by a newer Letterbox) is not
 * something to crash on or to overwrite: say so, with the path, and quit. */
static void
lb_application_show_store_error (LbApplication *self)
{
  g_autofree char *path = NULL;
  const char *data_dir = g_getenv ("LETTERBOX_DATA_DIR");
  GtkWidget *dialog;

  if (data_dir != NULL && *data_dir != '\0')
    path = g_build_filename (data_dir, "letterbox.db", NULL);
  else
    path = g_build_filename (g_get_user_data_dir (), "letterbox", "letterbox.db", NULL);

  dialog = adw_message_dialog_new (NULL,
                                   _("The Mail Store Is Damaged or Too New"),
                                   NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  /* Translators: the first %s is a file path, the second
                                   * the error. */
                                  _("Letterbox cannot open its mail store at %s: %s\n\n"
                                    "If a newer version of Letterbox wrote it, use that "
                                    "version. Otherwise move the file away to start afresh; "
                                    "your mail stays on the server."),
                                  path, self->engine_error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "quit", _("_Quit"));
  g_signal_connect (dialog, "response", G_CALLBACK (on_store_error_response), self);
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_widget_set_name (dialog, "store-error-dialog");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
lb_application_startup (GApplication *application)
{
  LbApplication *self = LB_APPLICATION (application);
  GtkApplication *gtk_app = GTK_APPLICATION (application);

  /* Chaining up initialises GTK and libadwaita and loads style.css.  The style manager's
   * default colour scheme follows the system's light or dark preference. */
  G_APPLICATION_CLASS (lb_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  /* The menu's Conversations toggle is the setting itself; the windows follow it. */
  {
    g_autoptr(GAction) conversations = g_settings_create_action (self->settings, "conversations");

    g_action_map_add_action (G_ACTION_MAP (self), conversations);
  }
  gtk_application_set_accels_for_action (gtk_app, "app.quit",
                                         (const char *[]) { "<Primary>q", NULL });
  gtk_application_set_accels_for_action (gtk_app, "app.preferences",
                                         (const char *[]) { "<Primary>comma", NULL });
  gtk_application_set_accels_for_action (gtk_app, "app.shortcuts",
                                         (const char *[]) { "<Primary>question", NULL });

  lb_application_start_engine (self);
}

/* Building the window allocates and frees a lot (templates, CSS, the first rows), and
 * glibc keeps freed memory for reuse; once the window is up, what start-up freed goes
 * back to the system: about 1 MB of the window's resident memory (bench-ui-list). */
static gboolean
trim_after_start (gpointer data)
{
#ifdef __GLIBC__
  malloc_trim (0);
#endif
  return G_SOURCE_REMOVE;
}

static void
lb_application_activate (GApplication *application)
{
  LbApplication *self = LB_APPLICATION (application);
  GtkWindow *window;

  if (self->engine == NULL)
    {
      lb_application_show_store_error (self);
      return;
    }

  /* A second launch, or a launch while running in the background, shows the existing
   * window again. */
  window = lb_application_get_main_window (self);
  if (window == NULL)
    {
      window = lb_application_create_main_window (self);
      g_timeout_add_full (G_PRIORITY_LOW, 500, trim_after_start, NULL, NULL);
    }

  gtk_window_present (window);
}

static void
lb_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  LbApplication *self = LB_APPLICATION (application);
  GtkWindow *window;

  /* The main window comes up too, so that the composer has a parent and the mail is
   * there once the message is sent. */
  lb_application_activate (application);
  window = lb_application_get_main_window (self);
  if (self->engine == NULL || window == NULL)
    return;

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);

      if (g_file_has_uri_scheme (files[i], "mailto"))
        lb_composer_open_mailto (window, self->engine, uri);
      else
        /* A message saved as a file (the desktop file claims message/rfc822). */
        lb_eml_window_open (window, self->engine, files[i]);
    }
}

static void
lb_application_shutdown (GApplication *application)
{
  LbApplication *self = LB_APPLICATION (application);

  /* Pending deletes and moves are committed and local writes finish before the
   * process ends; the workers stop. */
  g_clear_object (&self->notifier);
  if (self->engine != NULL)
    lb_engine_shutdown (self->engine);

  G_APPLICATION_CLASS (lb_application_parent_class)->shutdown (application);
}

static void
lb_application_dispose (GObject *object)
{
  LbApplication *self = LB_APPLICATION (object);

  g_clear_weak_pointer (&self->preferences);

  G_OBJECT_CLASS (lb_application_parent_class)->dispose (object);
}

static void
lb_application_finalize (GObject *object)
{
  LbApplication *self = LB_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->notifier);
  g_clear_object (&self->engine);
  g_clear_error (&self->engine_error);

  G_OBJECT_CLASS (lb_application_parent_class)->finalize (object);
}

static void
lb_application_class_init (LbApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = lb_application_dispose;
  object_class->finalize = lb_application_finalize;

  app_class->startup = lb_application_startup;
  app_class->activate = lb_application_activate;
  app_class->shutdown = lb_application_shutdown;
  app_class->open = lb_application_open;
}

static void
lb_application_init (LbApplication *self)
{
  self->settings = g_settings_new (APP_ID);
}
