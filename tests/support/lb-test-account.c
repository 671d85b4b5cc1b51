/* lb-test-account.c: adding an account on the fixture servers through the engine's API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-test-account.h"
#include "lb-test-wait.h"

LbAccount *
lb_test_add_account (LbEngine      *engine,
                     LbTestServers *servers,
                     guint16        port,
                     const char    *email,
                     const char    *display_name,
                     gboolean       sync)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccountSettings) s = lb_account_settings_new ();
  g_autoptr(GAsyncResult) result = NULL;
  const char *password = lb_test_servers_get_password (servers, email);
  LbAccount *account;

  g_assert_nonnull (password);
  s->email = g_strdup (email);
  s->display_name = g_strdup (display_name);
  s->imap = lb_server_config_new ("127.0.0.1", port != 0 ? port : servers->imaps_port,
                                  LB_SECURITY_TLS, email);
  s->imap->ca_file = g_strdup (servers->ca_file);
  lb_engine_add_account_async (engine, s, password, NULL, lb_test_got_result, &result);
  account = lb_engine_add_account_finish (engine, lb_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);

  if (sync)
    {
      lb_account_sync_async (account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &result);
      g_assert_true (lb_account_sync_finish (account, lb_test_wait_result (&result), &error));
      g_assert_no_error (error);
    }
  return account;
}
