/* hardening-env.h: an engine with one account against a private Dovecot, for the
 * hardening tests (the same set-up and the same store-equals-server invariant as
 * tests/sync/test-sync.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdlib.h>

#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-imap-parser.h"
#include "lb-imap-session.h"
#include "lb-test-fixture.h"
#include "lb-test-proxy.h"

typedef struct {
  LbTestServers *servers;
  LbTestProxy   *proxy;
  char          *profile;
  char          *password;
  LbEngine      *engine;
  LbAccount     *account;
  GAsyncResult  *result;
} Env;

static inline void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Env *env = user_data;
  env->result = g_object_ref (result);
}

static inline GAsyncResult *
wait_result (Env *env)
{
  g_clear_object (&env->result);
  while (env->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return env->result;
}

static inline void
env_open_engine (Env *env)
{
  g_autoptr(GError) error = NULL;
  GListModel *accounts;

  env->engine = lb_engine_new (env->profile, &error);
  g_assert_no_error (error);
  accounts = lb_engine_get_accounts (env->engine);
  if (g_list_model_get_n_items (accounts) > 0)
    env->account = g_list_model_get_item (accounts, 0);
}

static inline void
env_close_engine (Env *env)
{
  lb_engine_shutdown (env->engine);
  g_clear_object (&env->account);
  g_clear_object (&env->result);
  g_assert_finalize_object (env->engine);
  env->engine = NULL;
}

/* PASSWORD: NULL for the fixture's default "secret". */
static inline void
env_start (Env                *env,
           const char * const *corpus,
           gboolean            with_proxy,
           const char         *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccountSettings) s = lb_account_settings_new ();
  g_autofree char *user = NULL;
  const char *users[2] = { NULL, NULL };
  LbTestServersOptions options = { 0 };
  guint16 port;

  env->password = g_strdup (password != NULL ? password : "secret");
  user = g_strdup_printf ("alice@example.com:%s", env->password);
  users[0] = user;
  options.users = users;
  options.corpus = corpus;
  options.no_smtp = TRUE;
  env->servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  port = env->servers->imaps_port;
  if (with_proxy)
    {
      env->proxy = lb_test_proxy_new (port, &error);
      g_assert_no_error (error);
      port = lb_test_proxy_get_port (env->proxy);
    }

  env->profile = g_dir_make_tmp ("lb-hard-XXXXXX", &error);
  g_assert_no_error (error);
  env_open_engine (env);

  s->email = g_strdup ("alice@example.com");
  s->imap = lb_server_config_new ("127.0.0.1", port, LB_SECURITY_TLS, "alice@example.com");
  s->imap->ca_file = g_strdup (env->servers->ca_file);
  lb_engine_add_account_async (env->engine, s, env->password, NULL, got_result, env);
  env->account = lb_engine_add_account_finish (env->engine, wait_result (env), &error);
  g_assert_no_error (error);
  g_assert_nonnull (env->account);
}

static inline void
rm_rf (const char *path)
{
  g_autofree char *cmd = g_strdup_printf ("chmod -R u+rwX '%s' 2>/dev/null; rm -rf '%s'", path, path);
  g_assert_cmpint (system (cmd), ==, 0);
}

static inline void
env_stop (Env *env)
{
  if (env->engine != NULL)
    env_close_engine (env);
  g_clear_pointer (&env->proxy, lb_test_proxy_free);
  g_clear_pointer (&env->servers, lb_test_servers_stop);
  rm_rf (env->profile);
  g_free (env->profile);
  g_free (env->password);
}

static inline gboolean
sync_account (Env     *env,
              gint64   folder_id,
              GError **error)
{
  lb_account_sync_async (env->account, folder_id, LB_JOB_PRIORITY_USER, NULL, got_result, env);
  return lb_account_sync_finish (env->account, wait_result (env), error);
}

static inline void
sync_ok (Env *env)
{
  g_autoptr(GError) error = NULL;

  sync_account (env, 0, &error);
  g_assert_no_error (error);
}

/* ---- The server's view, through an independent session ---- */

static inline LbImapSession *
server_session (Env *env)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbServerConfig) c = lb_server_config_new ("127.0.0.1", env->servers->imaps_port,
                                                      LB_SECURITY_TLS, "alice@example.com");
  LbImapSession *session = lb_imap_session_new ();

  c->ca_file = g_strdup (env->servers->ca_file);
  lb_imap_session_connect_sync (session, c, env->password, FALSE, NULL, &error);
  g_assert_no_error (error);
  return session;
}

static inline gboolean
collect_server_flags (LbImapResponse  *r,
                      gpointer         user_data,
                      GError         **error)
{
  if (r->kind == LB_IMAP_RESPONSE_FETCH)
    g_hash_table_insert (user_data, GUINT_TO_POINTER (r->u.fetch.uid),
                         GUINT_TO_POINTER (r->u.fetch.flags | 0x80000000u));
  return TRUE;
}

/* uid -> flags (with a marker bit so that 0 flags is not NULL) */
static inline GHashTable *
server_flags (Env        *env,
              const char *mailbox)
{
  g_autoptr(LbImapSession) session = server_session (env);
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

static inline LbFolder *
folder_of (Env          *env,
           LbFolderRole  role)
{
  LbFolder *f = lb_account_find_folder (env->account, role);
  g_assert_nonnull (f);
  return f;
}

/* Fails on a uid stored twice. */
static inline GHashTable *
store_flags (Env    *env,
             gint64  folder_id)
{
  g_autoptr(LbMessageList) list = lb_engine_open_folder (env->engine, folder_id);
  GHashTable *flags = g_hash_table_new (NULL, NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_assert_false (g_hash_table_contains (flags, GUINT_TO_POINTER (lb_message_get_uid (m))));
      g_hash_table_insert (flags, GUINT_TO_POINTER (lb_message_get_uid (m)),
                           GUINT_TO_POINTER (lb_message_get_flags (m) | 0x80000000u));
    }
  return flags;
}

/* The invariant: the store's (uid, flags) of a folder equal the server's. */
static inline void
assert_folder_matches (Env          *env,
                       LbFolderRole  role,
                       const char   *mailbox)
{
  g_autoptr(GHashTable) server = server_flags (env, mailbox);
  g_autoptr(GHashTable) store = store_flags (env, lb_folder_get_id (folder_of (env, role)));
  GHashTableIter iter;
  gpointer uid, flags;

  g_assert_cmpuint (g_hash_table_size (store), ==, g_hash_table_size (server));
  g_hash_table_iter_init (&iter, server);
  while (g_hash_table_iter_next (&iter, &uid, &flags))
    {
      g_assert_true (g_hash_table_contains (store, uid));
      g_assert_cmphex (GPOINTER_TO_UINT (g_hash_table_lookup (store, uid)), ==,
                       GPOINTER_TO_UINT (flags));
    }
}

/* Runs letterbox-cli with ARGS (NULL-terminated) and the profile of ENV; returns its
 * exit status and what it printed.  PREFIX (NULL-terminated, may be NULL) goes before
 * the program, for wrappers such as "sh -c 'ulimit -f N; exec \"$@\"'". */
static inline int
run_cli (Env                *env,
         const char * const *prefix,
         const char * const *args,
         char              **out,
         char              **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;

  for (guint i = 0; prefix != NULL && prefix[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (prefix[i]));
  g_ptr_array_add (argv, g_build_filename (g_getenv ("LB_TEST_BUILDDIR"), "src", "cli",
                                           "letterbox-cli", NULL));
  g_ptr_array_add (argv, g_strdup (args[0]));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_strdup (env->profile));
  for (guint i = 1; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &o, &e, &error);
  g_assert_no_error (error);
  g_test_message ("cli %s: status %d\nstdout: %s\nstderr: %s", args[0],
                  g_subprocess_get_exit_status (proc), o, e);
  if (out != NULL)
    *out = g_steal_pointer (&o);
  if (err != NULL)
    *err = g_steal_pointer (&e);
  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : 128;
}
