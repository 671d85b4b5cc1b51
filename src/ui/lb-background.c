/* lb-background.c: starting with the session, through the Background portal or XDG autostart
 *
 * Inside a sandbox (Flatpak) the app cannot write the user's autostart
 * directory, and the Background portal is the way: RequestBackground with
 * autostart=true makes xdg-desktop-portal write the entry for us after asking
 * the user.  Outside one, the portal has no app id to name the entry by, so we
 * write $XDG_CONFIG_HOME/autostart/<app id>.desktop ourselves, as the XDG
 * Autostart specification describes, and delete it when the user turns the
 * option off.  Either way the session starts `letterbox --gapplication-service`:
 * the engine syncs and notifies without a window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "lb-background.h"

#define PORTAL_BUS_NAME "org.freedesktop.portal.Desktop"
#define PORTAL_PATH "/org/freedesktop/portal/desktop"
#define PORTAL_BACKGROUND "org.freedesktop.portal.Background"

/**
 * lb_background_is_sandboxed:
 *
 * Returns: %TRUE inside Flatpak, where autostart goes through the portal
 */
gboolean
lb_background_is_sandboxed (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/**
 * lb_background_get_autostart_path:
 *
 * Returns: (transfer full): where the autostart entry goes outside a sandbox
 */
char *
lb_background_get_autostart_path (const char *app_id)
{
  g_autofree char *name = g_strconcat (app_id, ".desktop", NULL);

  return g_build_filename (g_get_user_config_dir (), "autostart", name, NULL);
}

/* ---- Without a sandbox: the autostart file ---------------------------- */

typedef struct {
  char     *path;
  gboolean  enable;
} FileJob;

static void
file_job_free (FileJob *job)
{
  g_free (job->path);
  g_free (job);
}

static void
file_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  FileJob *job = task_data;
  g_autoptr(GError) error = NULL;

  if (job->enable)
    {
      g_autofree char *dir = g_path_get_dirname (job->path);
      g_autofree char *icon = g_path_get_basename (job->path);
      g_autofree char *contents = NULL;

      /* The icon is named after the app id, like the entry. */
      icon[strlen (icon) - strlen (".desktop")] = '\0';
      contents = g_strdup_printf ("[Desktop Entry]\n"
                                  "Type=Application\n"
                                  "Name=Letterbox\n"
                                  "Comment=Checks mail in the background\n"
                                  "Icon=%s\n"
                                  "Exec=" LB_BACKGROUND_COMMAND_LINE "\n"
                                  "Terminal=false\n"
                                  "X-GNOME-Autostart-enabled=true\n", icon);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int errsv = errno;
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                                   "%s: %s", dir, g_strerror (errsv));
          return;
        }
      if (!g_file_set_contents (job->path, contents, -1, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  else if (g_unlink (job->path) != 0 && errno != ENOENT)
    {
      int errsv = errno;
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                               "%s: %s", job->path, g_strerror (errsv));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* ---- In a sandbox: the Background portal ------------------------------ */

typedef struct {
  GDBusConnection *bus;
  guint            response_id;
} PortalJob;

static void
portal_job_free (PortalJob *job)
{
  if (job->response_id != 0)
    g_dbus_connection_signal_unsubscribe (job->bus, job->response_id);
  g_clear_object (&job->bus);
  g_free (job);
}

static void
on_response (GDBusConnection *bus,
             const char      *sender,
             const char      *path,
             const char      *iface,
             const char      *signal,
             GVariant        *parameters,
             gpointer         user_data)
{
  g_autoptr(GTask) task = user_data;
  PortalJob *job = g_task_get_task_data (task);
  g_autoptr(GVariant) results = NULL;
  guint32 response;
  gboolean autostart = FALSE;

  g_dbus_connection_signal_unsubscribe (job->bus, job->response_id);
  job->response_id = 0;
  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_variant_lookup (results, "autostart", "b", &autostart);
  if (response != 0 || !autostart)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             _("Starting with the session was not allowed"));
  else
    g_task_return_boolean (task, TRUE);
}

static void
request_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  /* On success the answer comes as the Response signal, which holds its own
   * reference to the task. */
  if (reply == NULL)
    {
      PortalJob *job = g_task_get_task_data (task);

      if (job->response_id != 0)
        {
          g_dbus_connection_signal_unsubscribe (job->bus, job->response_id);
          job->response_id = 0;
          g_object_unref (task);   /* the signal's reference */
        }
      g_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
request_background (GTask    *task,
                    gboolean  enable)
{
  PortalJob *job = g_new0 (PortalJob, 1);
  g_autofree char *sender = NULL;
  g_autofree char *token = g_strdup_printf ("letterbox%u", g_random_int ());
  g_autofree char *handle = NULL;
  GVariantBuilder options;
  const char * const command[] = { "letterbox", "--gapplication-service", NULL };

  job->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) portal_job_free);
  if (job->bus == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "No session bus");
      g_object_unref (task);
      return;
    }

  /* Subscribe before asking, at the request path the portal will use, so
   * that a quick answer is not missed. */
  sender = g_strdup (g_dbus_connection_get_unique_name (job->bus) + 1);
  g_strdelimit (sender, ".", '_');
  handle = g_strdup_printf (PORTAL_PATH "/request/%s/%s", sender, token);
  job->response_id = g_dbus_connection_signal_subscribe (job->bus, PORTAL_BUS_NAME,
                                                         "org.freedesktop.portal.Request", "Response",
                                                         handle, NULL, G_DBUS_SIGNAL_FLAGS_NO_MATCH_RULE,
                                                         on_response, g_object_ref (task), NULL);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Letterbox checks for new mail in the background")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (enable));
  g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv (command, -1));
  g_variant_builder_add (&options, "{sv}", "dbus-activatable", g_variant_new_boolean (FALSE));
  g_dbus_connection_call (job->bus, PORTAL_BUS_NAME, PORTAL_PATH, PORTAL_BACKGROUND, "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, g_task_get_cancellable (task),
                          request_done, task);
}

/**
 * lb_background_set_autostart_async:
 * @app: the application; its id names the autostart entry
 * @enable: whether to start with the session
 *
 * Asks for (or stops) starting with the session: through the Background
 * portal in a sandbox, else by writing or removing the XDG autostart entry
 * (on a worker thread: the main thread never touches the disk).
 */
void
lb_background_set_autostart_async (GApplication        *app,
                                   gboolean             enable,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (G_IS_APPLICATION (app));

  task = g_task_new (app, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_background_set_autostart_async);
  if (lb_background_is_sandboxed ())
    {
      request_background (task, enable);
      return;
    }
  {
    FileJob *job = g_new0 (FileJob, 1);

    job->path = lb_background_get_autostart_path (g_application_get_application_id (app));
    job->enable = enable;
    g_task_set_task_data (task, job, (GDestroyNotify) file_job_free);
    g_task_run_in_thread (task, file_thread);
    g_object_unref (task);
  }
}

/**
 * lb_background_set_autostart_finish:
 *
 * Returns: %TRUE if the session will (or will no longer) start the app
 */
gboolean
lb_background_set_autostart_finish (GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
applied (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!lb_background_set_autostart_finish (result, &error))
    g_warning ("Could not change starting with the session: %s", error->message);
}

static void
on_autostart_changed (GSettings  *settings,
                      const char *key,
                      gpointer    user_data)
{
  GApplication *app = user_data;

  lb_background_set_autostart_async (app, g_settings_get_boolean (settings, "autostart"),
                                     NULL, applied, NULL);
}

/**
 * lb_background_bind_autostart:
 * @settings: the app's settings; nothing happens if its schema has no
 *   boolean key "autostart"
 *
 * Keeps starting with the session in step with the "autostart" setting, and
 * applies it once now (an entry removed by hand comes back).
 */
void
lb_background_bind_autostart (GApplication *app,
                              GSettings    *settings)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  g_return_if_fail (G_IS_APPLICATION (app));
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_object_get (settings, "settings-schema", &schema, NULL);
  if (schema == NULL || !g_settings_schema_has_key (schema, "autostart"))
    return;
  g_signal_connect_object (settings, "changed::autostart", G_CALLBACK (on_autostart_changed), app, 0);
  /* Outside a sandbox only: the portal would ask the user again at every start. */
  if (!lb_background_is_sandboxed ())
    on_autostart_changed (settings, "autostart", app);
}
