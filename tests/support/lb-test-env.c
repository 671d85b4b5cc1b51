/* lb-test-env.c: an engine with one account against the private Dovecot, and the
 * server's own view of a mailbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include "lb-message-list.h"
#include "lb-imap-parser.h"
#include "lb-oauth2-flow.h"
#include "lb-test-env.h"
#include "lb-test-wait.h"

void
lb_test_env_start_servers (LbTestEnv              *env,
                           const LbTestEnvOptions *options)
{
  static const LbTestEnvOptions defaults = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  const char *users[2] = { NULL, NULL };
  LbTestServersOptions servers = { 0 };
  guint16 port;

  if (options == NULL)
    options = &defaults;
  if (options->servers != NULL)
    servers = *options->servers;
  env->password = g_strdup (options->password != NULL ? options->password : "secret");
  env->display_name = g_strdup (options->display_name);
  env->smtp = options->smtp;
  env->proxy_kind = options->proxy;
  env->oauth2 = options->oauth2;
  env->offline_days = options->offline_days;
  if (env->oauth2 != NULL)
    servers.oauth2_introspect = env->oauth2->introspect_url;
  if (servers.users == NULL)
    {
      user = g_strdup_printf ("%s:%s", LB_TEST_ENV_USER, env->password);
      users[0] = user;
      servers.users = users;
    }
  if (options->imap_capability != NULL)
    servers.imap_capability = options->imap_capability;
  if (options->corpus != NULL)
    servers.corpus = options->corpus;
  /* Without SMTP unless asked for, or unless the test's own server options want it. */
  if (options->servers == NULL || options->smtp)
    servers.no_smtp = !options->smtp;

  env->servers = lb_test_servers_start (&servers, &error);
  g_assert_no_error (error);
  /* The test's own users may give LB_TEST_ENV_USER another password. */
  if (lb_test_servers_get_password (env->servers, LB_TEST_ENV_USER) != NULL)
    {
      g_free (env->password);
      env->password = g_strdup (lb_test_servers_get_password (env->servers, LB_TEST_ENV_USER));
    }
  env->secret = g_strdup (options->secret != NULL ? options->secret : env->password);
  if (options->proxy != LB_TEST_ENV_PROXY_NONE)
    {
      port = options->proxy == LB_TEST_ENV_PROXY_IMAP ? env->servers->imaps_port
                                                      : env->servers->smtps_port;
      env->proxy = lb_test_proxy_new (port, &error);
      g_assert_no_error (error);
    }
}

void
lb_test_env_open_profile (LbTestEnv *env)
{
  g_autoptr(GError) error = NULL;

  env->profile = g_dir_make_tmp ("lb-test-env-XXXXXX", &error);
  g_assert_no_error (error);
  lb_test_env_open_engine (env);
}

guint16
lb_test_env_imap_port (LbTestEnv *env)
{
  if (env->proxy != NULL && env->proxy_kind == LB_TEST_ENV_PROXY_IMAP)
    return lb_test_proxy_get_port (env->proxy);
  return env->servers->imaps_port;
}

LbOAuth2Token *
lb_test_env_oauth2_sign_in (LbTestEnv *env)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Provider) provider = NULL;
  LbOAuth2Token *token;

  g_assert_nonnull (env->oauth2);
  provider = lb_oauth2_provider_lookup ("microsoft", &error);
  g_assert_no_error (error);
  g_setenv ("LETTERBOX_BROWSER", env->oauth2->browser, TRUE);
  lb_oauth2_sign_in_async (provider, LB_TEST_ENV_USER, 60, NULL, NULL, NULL,
                           lb_test_got_result, &env->result);
  token = lb_oauth2_sign_in_finish (lb_test_env_wait (env), &error);
  g_unsetenv ("LETTERBOX_BROWSER");
  g_assert_no_error (error);
  g_assert_nonnull (token->refresh_token);
  return token;
}

void
lb_test_env_add_account (LbTestEnv *env)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccountSettings) s = lb_account_settings_new ();
  g_autoptr(LbOAuth2Token) token = env->oauth2 != NULL ? lb_test_env_oauth2_sign_in (env) : NULL;

  s->email = g_strdup (LB_TEST_ENV_USER);
  s->display_name = g_strdup (env->display_name);
  s->offline_days = env->offline_days;
  s->imap = lb_server_config_new ("127.0.0.1", lb_test_env_imap_port (env), LB_SECURITY_TLS,
                                  LB_TEST_ENV_USER);
  s->imap->ca_file = g_strdup (env->servers->ca_file);
  if (env->smtp)
    {
      guint16 smtps_port = env->servers->smtps_port;

      if (env->proxy != NULL && env->proxy_kind == LB_TEST_ENV_PROXY_SMTP)
        smtps_port = lb_test_proxy_get_port (env->proxy);
      s->smtp = lb_server_config_new ("127.0.0.1", smtps_port, LB_SECURITY_TLS, LB_TEST_ENV_USER);
      s->smtp->ca_file = g_strdup (env->servers->ca_file);
    }
  if (token != NULL)
    {
      s->imap->auth = LB_AUTH_OAUTH2;
      if (s->smtp != NULL)
        s->smtp->auth = LB_AUTH_OAUTH2;
      s->oauth2_provider = g_strdup ("microsoft");
    }
  lb_engine_add_account_async (env->engine, s, token != NULL ? token->refresh_token : env->secret,
                               NULL, lb_test_got_result, &env->result);
  env->account = lb_engine_add_account_finish (env->engine, lb_test_env_wait (env), &error);
  g_assert_no_error (error);
  g_assert_nonnull (env->account);
}

void
lb_test_env_start (LbTestEnv              *env,
                   const LbTestEnvOptions *options)
{
  lb_test_env_start_servers (env, options);
  lb_test_env_open_profile (env);
  if (options == NULL || !options->no_account)
    lb_test_env_add_account (env);
}

void
lb_test_env_open_engine (LbTestEnv *env)
{
  g_autoptr(GError) error = NULL;
  GListModel *accounts;

  env->engine = lb_engine_new (env->profile, &error);
  g_assert_no_error (error);
  accounts = lb_engine_get_accounts (env->engine);
  if (g_list_model_get_n_items (accounts) > 0)
    env->account = g_list_model_get_item (accounts, 0);
}

void
lb_test_env_close_engine (LbTestEnv *env)
{
  lb_engine_shutdown (env->engine);
  g_clear_object (&env->account);
  g_clear_object (&env->result);
  g_assert_finalize_object (env->engine);
  env->engine = NULL;
}

void
lb_test_rm_rf (const char *path)
{
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *cmd = g_strdup_printf ("chmod -R u+rwX %s 2>/dev/null; rm -rf %s", quoted, quoted);

  g_assert_cmpint (system (cmd), ==, 0);
}

void
lb_test_env_stop (LbTestEnv *env)
{
  if (env->engine != NULL)
    lb_test_env_close_engine (env);
  g_clear_object (&env->result);
  g_clear_pointer (&env->proxy, lb_test_proxy_free);
  g_clear_pointer (&env->servers, lb_test_servers_stop);
  if (env->profile != NULL)
    lb_test_rm_rf (env->profile);
  g_clear_pointer (&env->profile, g_free);
  g_clear_pointer (&env->password, g_free);
  g_clear_pointer (&env->secret, g_free);
  g_clear_pointer (&env->display_name, g_free);
}

GAsyncResult *
lb_test_env_wait (LbTestEnv *env)
{
  return lb_test_wait_result (&env->result);
}

gboolean
lb_test_env_sync (LbTestEnv  *env,
                  gint64      folder_id,
                  GError    **error)
{
  lb_account_sync_async (env->account, folder_id, LB_JOB_PRIORITY_USER, NULL,
                         lb_test_got_result, &env->result);
  return lb_account_sync_finish (env->account, lb_test_env_wait (env), error);
}

void
lb_test_env_sync_ok (LbTestEnv *env)
{
  g_autoptr(GError) error = NULL;

  lb_test_env_sync (env, 0, &error);
  g_assert_no_error (error);
}

LbFolder *
lb_test_env_folder (LbTestEnv    *env,
                    LbFolderRole  role)
{
  LbFolder *f = lb_account_find_folder (env->account, role);

  g_assert_nonnull (f);
  return f;
}

LbMessage *
lb_test_env_message_with_uid (LbTestEnv *env,
                              gint64     folder_id,
                              guint32    uid)
{
  g_autoptr(LbMessageList) list = lb_engine_open_folder (env->engine, folder_id);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (lb_message_get_uid (m) == uid)
        return g_steal_pointer (&m);
    }
  g_assert_not_reached ();
}

/* ---- The server's view, through an independent session ---- */

LbImapSession *
lb_test_server_session (LbTestServers *servers,
                        const char    *user)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbServerConfig) c = lb_server_config_new ("127.0.0.1", servers->imaps_port,
                                                      LB_SECURITY_TLS, user);
  const char *password = lb_test_servers_get_password (servers, user);
  LbImapSession *session = lb_imap_session_new ();

  g_assert_nonnull (password);
  c->ca_file = g_strdup (servers->ca_file);
  lb_imap_session_connect_sync (session, c, password, FALSE, NULL, &error);
  g_assert_no_error (error);
  return session;
}

static gboolean
collect_server_flags (LbImapResponse  *r,
                      gpointer         user_data,
                      GError         **error)
{
  if (r->kind == LB_IMAP_RESPONSE_FETCH)
    g_hash_table_insert (user_data, GUINT_TO_POINTER (r->u.fetch.uid),
                         GUINT_TO_POINTER (r->u.fetch.flags | LB_TEST_FLAGS_PRESENT));
  return TRUE;
}

GHashTable *
lb_test_server_flags (LbTestServers *servers,
                      const char    *user,
                      const char    *mailbox)
{
  g_autoptr(LbImapSession) session = lb_test_server_session (servers, user);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapResponse) ok = NULL;
  GHashTable *flags = g_hash_table_new (NULL, NULL);
  LbImapSelectInfo info;

  lb_imap_session_select_sync (session, mailbox, TRUE, NULL, NULL, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  if (info.exists > 0)
    {
      ok = lb_imap_session_command_sync (session, collect_server_flags, flags, NULL, &error,
                                         "UID FETCH 1:* (UID FLAGS)");
      g_assert_no_error (error);
    }
  lb_imap_session_logout (session);
  return flags;
}

LbImapSession *
lb_test_env_server_session (LbTestEnv *env)
{
  return lb_test_server_session (env->servers, LB_TEST_ENV_USER);
}

GHashTable *
lb_test_env_server_flags (LbTestEnv  *env,
                          const char *mailbox)
{
  return lb_test_server_flags (env->servers, LB_TEST_ENV_USER, mailbox);
}

GHashTable *
lb_test_env_store_flags (LbTestEnv *env,
                         gint64     folder_id)
{
  g_autoptr(LbMessageList) list = lb_engine_open_folder (env->engine, folder_id);
  GHashTable *flags = g_hash_table_new (NULL, NULL);
  guint n;

  /* A big folder's older rows come in a reload after the first ones. */
  while (lb_message_list_is_loading (list))
    g_main_context_iteration (NULL, TRUE);
  n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);
      gpointer uid = GUINT_TO_POINTER (lb_message_get_uid (m));

      g_assert_false (g_hash_table_contains (flags, uid));
      g_hash_table_insert (flags, uid,
                           GUINT_TO_POINTER (lb_message_get_flags (m) | LB_TEST_FLAGS_PRESENT));
    }
  return flags;
}

void
lb_test_env_assert_folder_matches (LbTestEnv    *env,
                                   LbFolderRole  role,
                                   const char   *mailbox)
{
  g_autoptr(GHashTable) server = lb_test_env_server_flags (env, mailbox);
  g_autoptr(GHashTable) store = lb_test_env_store_flags (env, lb_folder_get_id (lb_test_env_folder (env, role)));
  GHashTableIter iter;
  gpointer uid, flags;

  g_assert_cmpuint (g_hash_table_size (store), ==, g_hash_table_size (server));
  g_hash_table_iter_init (&iter, server);
  while (g_hash_table_iter_next (&iter, &uid, &flags))
    {
      /* \Recent is the server's business and not a stored flag. */
      g_assert_true (g_hash_table_contains (store, uid));
      g_assert_cmphex (GPOINTER_TO_UINT (g_hash_table_lookup (store, uid)), ==,
                       GPOINTER_TO_UINT (flags));
    }
}
