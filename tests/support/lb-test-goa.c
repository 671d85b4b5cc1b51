/* lb-test-goa.c: a mock GNOME Online Accounts on the test's session bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include "lb-test-goa.h"

#define GOA_NAME "org.gnome.OnlineAccounts"
#define GOA_PATH "/org/gnome/OnlineAccounts"
#define MOCK_IFACE "org.gnome.OnlineAccounts.Mock"

static gboolean
name_has_owner (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", GOA_NAME), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

/**
 * lb_test_goa_start:
 *
 * Returns: (transfer full): the running mock, or %NULL with @error set
 */
LbTestGoa *
lb_test_goa_start (GError **error)
{
  g_autoptr(LbTestGoa) goa = g_new0 (LbTestGoa, 1);
  const char *dir = g_getenv ("LB_TEST_FIXTURES_DIR");
  const char *python = g_getenv ("LB_TEST_PYTHON");
  g_autofree char *template = g_build_filename (dir != NULL ? dir : "tests/fixtures",
                                                "goa_mock.py", NULL);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  goa->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  if (goa->bus == NULL)
    return NULL;
  if (name_has_owner (goa->bus))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "%s is already on this bus: run the test with its own session bus", GOA_NAME);
      return NULL;
    }
  goa->proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, error,
                                python != NULL ? python : "/usr/bin/python3", "-m", "dbusmock",
                                "--session", "--template", template, NULL);
  if (goa->proc == NULL)
    return NULL;
  while (!name_has_owner (goa->bus))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "python3-dbusmock did not start (is python3-dbusmock installed?)");
          return NULL;
        }
      g_usleep (50 * 1000);
    }
  return g_steal_pointer (&goa);
}

void
lb_test_goa_stop (LbTestGoa *goa)
{
  if (goa == NULL)
    return;
  if (goa->proc != NULL)
    {
      g_subprocess_send_signal (goa->proc, SIGTERM);
      g_subprocess_wait (goa->proc, NULL, NULL);
      g_object_unref (goa->proc);
    }
  g_clear_object (&goa->bus);
  g_free (goa);
}

static void
call (LbTestGoa  *goa,
      const char *method,
      GVariant   *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (goa->bus, GOA_NAME, GOA_PATH, MOCK_IFACE, method, args,
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

void
lb_test_goa_add_account (LbTestGoa  *goa,
                         const char *id,
                         GVariant   *props)
{
  call (goa, "AddAccount", g_variant_new ("(s@a{sv})", id, props));
}

void
lb_test_goa_set_access_token (LbTestGoa  *goa,
                              const char *id,
                              const char *token)
{
  call (goa, "SetAccessToken", g_variant_new ("(ss)", id, token));
}

void
lb_test_goa_set_not_authorized (LbTestGoa  *goa,
                                const char *id,
                                gboolean    refused)
{
  call (goa, "SetNotAuthorized", g_variant_new ("(sb)", id, refused));
}

void
lb_test_goa_remove_account (LbTestGoa  *goa,
                            const char *id)
{
  call (goa, "RemoveAccount", g_variant_new ("(s)", id));
}
