/* test-system-proxy.c: an account on the "system" proxy setting follows the desktop's
 *
 * GNOME keeps the system proxy in GSettings (org.gnome.system.proxy), which GIO's
 * resolver from glib-networking reads; Letterbox asks GIO (lb-curl.c) and gives libcurl
 * the answer.  Here the desktop setting (in the memory backend) names the SOCKS5 fixture:
 * syncing and sending must go through it, and setting the desktop back to no proxy must
 * take the mail past it again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-draft.h"
#include "lb-test-env.h"
#include "lb-test-socks.h"

/* The desktop's proxy settings, if the GNOME resolver and its schema are installed. */
static GSettings *
desktop_proxy_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, "org.gnome.system.proxy", TRUE);
  return schema != NULL ? g_settings_new ("org.gnome.system.proxy") : NULL;
}

static void
send_one (LbTestEnv  *env,
          const char *subject)
{
  g_autoptr(LbDraft) draft = lb_draft_new ();
  g_autoptr(GBytes) raw = NULL;
  g_auto(GStrv) rcpts = NULL;
  g_autoptr(GError) error = NULL;

  draft->from = lb_mailbox_new ("Alice", LB_TEST_ENV_USER);
  g_ptr_array_add (draft->to, lb_mailbox_new (NULL, "bob@example.org"));
  draft->subject = g_strdup (subject);
  draft->body = g_strdup ("hello\n");
  raw = lb_draft_build (draft, LB_DRAFT_BUILD_DEFAULT, NULL);
  rcpts = lb_draft_dup_recipients (draft);
  lb_engine_send_async (env->engine, env->account, raw, (const char * const *) rcpts, NULL,
                        lb_test_got_result, &env->result);
  g_assert_true (lb_engine_send_finish (env->engine, lb_test_env_wait (env), NULL, &error));
  g_assert_no_error (error);
}

static void
test_system_proxy (void)
{
  g_autoptr(GSettings) proxy = desktop_proxy_settings ();
  g_autoptr(GSettings) socks_settings = NULL;
  g_autoptr(LbTestSocks) socks = NULL;
  g_autoptr(GPtrArray) received = NULL;
  LbTestEnvOptions options = { .smtp = TRUE };
  LbTestEnv env = { 0 };
  const char *empty[] = { NULL };
  guint16 imap_port, smtp_port;
  guint imap_before, smtp_before;

  if (proxy == NULL || !g_str_equal (G_OBJECT_TYPE_NAME (g_proxy_resolver_get_default ()),
                                     "GProxyResolverGnome"))
    {
      g_test_skip ("GIO's GNOME proxy resolver (glib-networking) is not installed");
      return;
    }

  lb_test_env_start_servers (&env, &options);
  socks = lb_test_socks_start (env.servers->dir);
  imap_port = env.servers->imaps_port;
  smtp_port = env.servers->smtps_port;

  /* The desktop's setting: a SOCKS proxy for everything, loopback included (GNOME leaves
   * localhost out by default; the fixtures are all on 127.0.0.1). */
  socks_settings = g_settings_get_child (proxy, "socks");
  g_settings_set_string (socks_settings, "host", "127.0.0.1");
  g_settings_set_int (socks_settings, "port", lb_test_socks_get_port (socks));
  g_settings_set_strv (proxy, "ignore-hosts", empty);
  g_settings_set_enum (proxy, "mode", 1 /* manual */);

  /* The account keeps the default, "system": syncing and sending pass through the
   * fixture. */
  /* What GIO says is what the desktop says. */
  {
    g_autofree char *url = g_strdup_printf ("imaps://127.0.0.1:%u", imap_port);
    g_autofree char *expected = g_strdup_printf ("socks5://127.0.0.1:%u", lb_test_socks_get_port (socks));
    g_auto(GStrv) found = g_proxy_resolver_lookup (g_proxy_resolver_get_default (), url, NULL, NULL);

    g_assert_nonnull (found);
    g_assert_cmpstr (found[0], ==, expected);
  }

  lb_test_env_open_profile (&env);
  lb_test_env_add_account (&env);
  g_assert_null (lb_account_get_proxy (env.account));
  imap_before = lb_test_socks_count (socks, imap_port);
  lb_test_env_sync_ok (&env);
  g_assert_cmpuint (lb_test_socks_count (socks, imap_port), >, imap_before);
  smtp_before = lb_test_socks_count (socks, smtp_port);
  send_one (&env, "through the desktop's proxy");
  received = lb_test_servers_wait_smtp (env.servers, 1, 20000);
  g_assert_cmpuint (received->len, ==, 1);
  g_assert_cmpuint (lb_test_socks_count (socks, smtp_port), >, smtp_before);

  /* The desktop says no proxy: the next message goes straight to the server. */
  g_settings_set_enum (proxy, "mode", 0 /* none */);
  smtp_before = lb_test_socks_count (socks, smtp_port);
  send_one (&env, "straight to the server");
  g_clear_pointer (&received, g_ptr_array_unref);
  received = lb_test_servers_wait_smtp (env.servers, 2, 20000);
  g_assert_cmpuint (received->len, ==, 2);
  g_assert_cmpuint (lb_test_socks_count (socks, smtp_port), ==, smtp_before);

  g_settings_reset (proxy, "mode");
  g_settings_reset (proxy, "ignore-hosts");
  g_clear_pointer (&socks, lb_test_socks_stop);
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  /* GIO picks its resolver once, at the first lookup: the GNOME one, which reads the
   * desktop's GSettings (here the memory backend), as on a GNOME desktop (it declines
   * elsewhere).  The environment's proxy variables would be read by libproxy or libcurl
   * instead. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "gnome", TRUE);
  g_setenv ("XDG_CURRENT_DESKTOP", "GNOME", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  for (const char *const *v = (const char *const[]) { "http_proxy", "https_proxy", "all_proxy",
                                                       "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                                                       "no_proxy", "NO_PROXY", NULL };
       *v != NULL; v++)
    g_unsetenv (*v);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/proxy/system", test_system_proxy);
  return g_test_run ();
}
