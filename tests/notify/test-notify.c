/* test-notify.c: new-mail notifications, grouping, actions and the badge
 *
 * A fake org.gtk.Notifications service (what GNotification talks to when a
 * desktop provides it) runs on a second connection to the test's private
 * session bus and records every call; the Unity launcher signal is caught on
 * the same connection.  Mail arrives through a private Dovecot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-notifier.h"
#include "lb-test-env.h"

#define TEST_APP_ID "io.github.letterbox.NotifyTest"
#define USER "alice@example.com"

typedef struct {
  char     *method;
  char     *id;
  GVariant *notification;   /* a{sv}, NULL for RemoveNotification */
} Call;

typedef struct {
  GDBusConnection *bus;
  guint            owner_id;
  guint            object_id;
  guint            badge_sub;
  gboolean         owned;
  GPtrArray       *calls;
  gint64           badge;     /* the last count sent, -1 for none */
  gint64           opened;    /* from LbNotifier::open-message */

  LbTestEnv        base;      /* the servers, the engine and alice's account */
  GApplication    *app;
  LbNotifier      *notifier;
} Env;

static void
call_free (gpointer data)
{
  Call *c = data;

  g_free (c->method);
  g_free (c->id);
  g_clear_pointer (&c->notification, g_variant_unref);
  g_free (c);
}

static const char introspection[] =
  "<node><interface name='org.gtk.Notifications'>"
  "<method name='AddNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='a{sv}' direction='in'/></method>"
  "<method name='RemoveNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/></method>"
  "</interface></node>";

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  Env *env = user_data;
  Call *c = g_new0 (Call, 1);
  const char *app_id = NULL;

  c->method = g_strdup (method_name);
  if (g_str_equal (method_name, "AddNotification"))
    g_variant_get (parameters, "(&ss@a{sv})", &app_id, &c->id, &c->notification);
  else
    g_variant_get (parameters, "(&ss)", &app_id, &c->id);
  g_assert_cmpstr (app_id, ==, TEST_APP_ID);
  g_ptr_array_add (env->calls, c);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
name_acquired (GDBusConnection *connection,
               const char      *name,
               gpointer         user_data)
{
  ((Env *) user_data)->owned = TRUE;
}

static void
badge_signal (GDBusConnection *connection,
              const char      *sender,
              const char      *path,
              const char      *iface,
              const char      *signal,
              GVariant        *parameters,
              gpointer         user_data)
{
  Env *env = user_data;
  const char *uri;
  g_autoptr(GVariant) props = NULL;

  g_variant_get (parameters, "(&s@a{sv})", &uri, &props);
  g_assert_cmpstr (uri, ==, "application://" TEST_APP_ID ".desktop");
  g_assert_true (g_variant_lookup (props, "count", "x", &env->badge));
}

static gboolean
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until cond (env) holds or timeout_ms passes. */
static gboolean
wait_until (Env       *env,
            gboolean (*cond) (Env *env),
            guint      timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, timed_out, &expired);

  while (!cond (env) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return cond (env);
}

static gboolean never (Env *env) { return FALSE; }

static void
settle (Env *env,
        guint ms)
{
  wait_until (env, never, ms);
}

static GBytes *
make_mail (const char *from,
           const char *subject,
           guint       n)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) subject, strlen (subject));
  char *text = g_strdup_printf ("From: %s\r\nTo: alice@example.com\r\n"
                                "Subject: =?UTF-8?B?%s?=\r\n"
                                "Date: Mon, 4 Mar 2024 10:%02u:00 +0800\r\n"
                                "Message-ID: <notify-%u@example.cn>\r\n"
                                "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                                "Body %u\r\n", from, b64, n % 60, n, n);

  return g_bytes_new_take (text, strlen (text));
}

static void
deliver (Env        *env,
         const char *from,
         const char *subject,
         const char *flags)
{
  static guint counter;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) mail = make_mail (from, subject, ++counter);

  g_assert_true (lb_test_servers_deliver (env->base.servers, USER, "INBOX", mail, flags, &error));
  g_assert_no_error (error);
}

static void
sync_inbox (Env *env)
{
  g_autoptr(GError) error = NULL;

  lb_test_env_sync_ok (&env->base);
}

static guint
n_adds (Env *env)
{
  guint n = 0;

  for (guint i = 0; i < env->calls->len; i++)
    n += g_str_equal (((Call *) g_ptr_array_index (env->calls, i))->method, "AddNotification");
  return n;
}

static Call *
last_add (Env *env)
{
  for (guint i = env->calls->len; i > 0; i--)
    {
      Call *c = g_ptr_array_index (env->calls, i - 1);

      if (g_str_equal (c->method, "AddNotification"))
        return c;
    }
  return NULL;
}

static char *
lookup_string (GVariant   *dict,
               const char *key)
{
  char *s = NULL;

  g_variant_lookup (dict, key, "s", &s);
  return s;
}

static void
on_open (LbNotifier *notifier,
         gint64      id,
         Env        *env)
{
  env->opened = id;
}

static void
on_activate (GApplication *app,
             Env          *env)
{
  /* LbApplication presents its window here. */
}

static gboolean owned (Env *env) { return env->owned; }
static gboolean inbox_has_2 (Env *env)
{
  return g_list_model_get_n_items (G_LIST_MODEL (lb_engine_get_unified_inbox (env->base.engine))) == 2 &&
         lb_account_get_status (env->base.account) == LB_ACCOUNT_STATUS_IDLE;
}
static gboolean one_add (Env *env) { return n_adds (env) >= 1; }
static gboolean two_adds (Env *env) { return n_adds (env) >= 2; }
static gboolean unread_3 (Env *env) { return lb_engine_get_unified_unread (env->base.engine) == 3; }
static gboolean badge_3 (Env *env) { return env->badge == 3; }
static gboolean inbox_has_8 (Env *env)
{
  return g_list_model_get_n_items (G_LIST_MODEL (lb_engine_get_unified_inbox (env->base.engine))) == 8;
}

static void
test_notify (void)
{
  Env env_ = { 0 }, *env = &env_;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (introspection, &error);
  g_autofree char *address = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *action = NULL;
  g_autoptr(GVariant) target = NULL;
  GListModel *inbox;
  Call *c;

  env->calls = g_ptr_array_new_with_free_func (call_free);
  env->badge = -1;

  /* The fake notification server, on a connection of its own. */
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  env->bus = g_dbus_connection_new_for_address_sync (address,
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, &error);
  g_assert_no_error (error);
  env->object_id = g_dbus_connection_register_object (env->bus, "/org/gtk/Notifications",
                                                      node->interfaces[0],
                                                      &(GDBusInterfaceVTable) { method_call, NULL, NULL },
                                                      env, NULL, &error);
  g_assert_no_error (error);
  env->owner_id = g_bus_own_name_on_connection (env->bus, "org.gtk.Notifications", 0,
                                                name_acquired, NULL, env, NULL);
  env->badge_sub = g_dbus_connection_signal_subscribe (env->bus, NULL, "com.canonical.Unity.LauncherEntry",
                                                       "Update", NULL, NULL, 0, badge_signal, env, NULL);
  g_assert_true (wait_until (env, owned, 5000));

  /* Two unread messages wait on the server before the account is added. */
  lb_test_env_start_servers (&env->base, NULL);
  deliver (env, "Old One <old1@example.com>", "Before the start", NULL);
  deliver (env, "Old Two <old2@example.com>", "Also before", NULL);

  lb_test_env_open_profile (&env->base);

  env->app = g_application_new (TEST_APP_ID, G_APPLICATION_NON_UNIQUE);
  g_signal_connect (env->app, "activate", G_CALLBACK (on_activate), env);
  g_assert_true (g_application_register (env->app, NULL, &error));
  g_assert_no_error (error);
  env->notifier = lb_notifier_new (env->app, env->base.engine);
  g_signal_connect (env->notifier, "open-message", G_CALLBACK (on_open), env);

  lb_test_env_add_account (&env->base);
  lb_engine_start (env->base.engine);

  /* The initial sync announces nothing. */
  g_test_message ("initial sync");
  g_assert_true (wait_until (env, inbox_has_2, 30000));
  settle (env, 1500);
  g_assert_cmpuint (n_adds (env), ==, 0);

  /* One new unread message, and one already read elsewhere: one notification. */
  g_test_message ("one new message");
  deliver (env, "Seen Elsewhere <seen@example.com>", "Read on the phone", "S");
  deliver (env, "张三 <zhang@example.cn>", "季度会议纪要", NULL);
  sync_inbox (env);
  g_assert_true (wait_until (env, one_add, 10000));
  settle (env, 1500);
  g_assert_cmpuint (n_adds (env), ==, 1);
  c = last_add (env);
  g_assert_nonnull (c);
  g_assert_cmpstr (c->id, ==, LB_NOTIFIER_NOTIFICATION_ID);
  title = lookup_string (c->notification, "title");
  body = lookup_string (c->notification, "body");
  g_assert_cmpstr (title, ==, "张三");
  g_assert_cmpstr (body, ==, "季度会议纪要");
  g_assert_true (g_variant_lookup (c->notification, "default-action", "s", &action));
  g_assert_cmpstr (action, ==, "app.open-message");
  target = g_variant_lookup_value (c->notification, "default-action-target", G_VARIANT_TYPE_INT64);
  g_assert_nonnull (target);
  {
    g_autoptr(GVariant) buttons = g_variant_lookup_value (c->notification, "buttons", NULL);
    g_assert_nonnull (buttons);
    g_assert_cmpuint (g_variant_n_children (buttons), ==, 2);
  }

  /* Clicking it opens that message. */
  g_action_group_activate_action (G_ACTION_GROUP (env->app), "open-message", target);
  g_assert_cmpint (env->opened, ==, g_variant_get_int64 (target));
  g_assert_cmpuint (lb_notifier_get_n_shown (env->notifier), ==, 0);

  /* Three at once: one grouped notification. */
  g_test_message ("three new messages");
  deliver (env, "Bob <bob@example.com>", "Lunch?", NULL);
  deliver (env, "Carol <carol@example.com>", "Report", NULL);
  deliver (env, "Dave <dave@example.com>", "发票", NULL);
  sync_inbox (env);
  g_assert_true (wait_until (env, two_adds, 10000));
  settle (env, 1500);
  g_assert_cmpuint (n_adds (env), ==, 2);
  c = last_add (env);
  g_assert_nonnull (c);
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&body, g_free);
  title = lookup_string (c->notification, "title");
  body = lookup_string (c->notification, "body");
  g_assert_cmpstr (title, ==, "3 new messages");
  g_assert_nonnull (strstr (body, "Bob"));
  g_assert_nonnull (strstr (body, "Carol"));
  g_assert_nonnull (strstr (body, "Dave"));
  g_assert_cmpuint (lb_notifier_get_n_shown (env->notifier), ==, 3);

  /* "Mark All as Read" on the three: unread goes from 6 to 3, the badge follows. */
  {
    g_autoptr(GVariant) buttons = g_variant_lookup_value (c->notification, "buttons", NULL);
    g_autoptr(GVariant) button = g_variant_get_child_value (buttons, 0);
    g_autoptr(GVariant) ids = g_variant_lookup_value (button, "target", G_VARIANT_TYPE ("ax"));
    g_autofree char *button_action = NULL;

    g_assert_true (g_variant_lookup (button, "action", "s", &button_action));
    g_assert_cmpstr (button_action, ==, "app.notification-mark-read");
    g_assert_nonnull (ids);
    g_assert_cmpuint (g_variant_n_children (ids), ==, 3);
    g_action_group_activate_action (G_ACTION_GROUP (env->app), "notification-mark-read", ids);
  }
  g_assert_true (wait_until (env, unread_3, 10000));
  g_assert_true (wait_until (env, badge_3, 10000));
  g_assert_cmpstr (((Call *) g_ptr_array_index (env->calls, env->calls->len - 1))->method, ==,
                   "RemoveNotification");

  /* A sync with nothing new announces nothing. */
  sync_inbox (env);
  settle (env, 1000);
  g_assert_cmpuint (n_adds (env), ==, 2);

  inbox = G_LIST_MODEL (lb_engine_get_unified_inbox (env->base.engine));
  g_assert_cmpuint (g_list_model_get_n_items (inbox), ==, 7);

  /* Notifications switched off (the "notify-new-mail" preference): new mail arrives and is
   * counted, but not announced. */
  g_test_message ("notifications off");
  lb_notifier_set_enabled (env->notifier, FALSE);
  deliver (env, "Erin <erin@example.com>", "Quiet, please", NULL);
  sync_inbox (env);
  g_assert_true (wait_until (env, inbox_has_8, 10000));
  settle (env, 1500);
  g_assert_cmpuint (n_adds (env), ==, 2);
  lb_notifier_set_enabled (env->notifier, TRUE);

  g_clear_object (&env->notifier);
  g_clear_object (&env->app);
  lb_test_env_stop (&env->base);
  g_dbus_connection_signal_unsubscribe (env->bus, env->badge_sub);
  g_bus_unown_name (env->owner_id);
  g_dbus_connection_unregister_object (env->bus, env->object_id);
  g_clear_object (&env->bus);
  g_ptr_array_unref (env->calls);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/notify/new-mail", test_notify);
  return g_test_run ();
}
