/* lb-test-env.h: an engine with one account against the private Dovecot, and the
 * server's own view of a mailbox, for the tests that drive the engine end to end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A test fills an LbTestEnvOptions (all zero is a plain Dovecot without SMTP, no proxy,
 * alice@example.com with the password "secret"), starts an LbTestEnv on the stack and
 * stops it at the end:
 *
 *   LbTestEnv env = { 0 };
 *   LbTestEnvOptions options = { .corpus = corpus };
 *
 *   lb_test_env_start (&env, &options);
 *   lb_test_env_sync_ok (&env);
 *   lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
 *   lb_test_env_stop (&env);
 *
 * Tests that need something in between (mail delivered before the account exists, an
 * object made before the account is added) run the three steps of lb_test_env_start
 * themselves: lb_test_env_start_servers, lb_test_env_open_profile, lb_test_env_add_account.
 */
#pragma once

#include "lb-engine.h"
#include "lb-imap-session.h"
#include "lb-oauth2-token.h"
#include "lb-test-fixture.h"
#include "lb-test-oauth2.h"
#include "lb-test-proxy.h"
#include "lb-test-wait.h"

G_BEGIN_DECLS

/* The account's email; the servers are started with this one user unless the test
 * passes its own users in LbTestEnvOptions.servers. */
#define LB_TEST_ENV_USER "alice@example.com"

typedef enum {
  LB_TEST_ENV_PROXY_NONE,
  LB_TEST_ENV_PROXY_IMAP,   /* an LbTestProxy between the engine and IMAPS */
  LB_TEST_ENV_PROXY_SMTP,   /* an LbTestProxy between the engine and SMTPS */
} LbTestEnvProxy;

typedef struct {
  /* Overrides Dovecot's CAPABILITY; NULL keeps Dovecot's. */
  const char         *imap_capability;
  /* Corpus specs "user:folder:count[:seed]", NULL-terminated, or NULL. */
  const char * const *corpus;
  LbTestEnvProxy      proxy;
  /* The password the server knows for LB_TEST_ENV_USER; NULL: "secret" (or the one
   * the users of the server options below give it). */
  const char         *password;
  /* The secret the account is added with; NULL: the password.  Another value makes an
   * account whose logins the server refuses. */
  const char         *secret;
  /* Starts the SMTP servers and gives the account an SMTPS server.  Otherwise the
   * servers are started without SMTP, unless the test passes server options below (then
   * their no_smtp says). */
  gboolean            smtp;
  /* The account's display name, or NULL. */
  const char         *display_name;
  /* Start the servers and the engine, but add no account (the test adds its own). */
  gboolean            no_account;
  /* More server options (users, without_special, lookup_only ...); the fields above
   * override the ones they name.  NULL: none. */
  const LbTestServersOptions *servers;
  /* An OAuth2 account: the servers ask this authorization server (lb_test_oauth2_start),
   * and the account signs in through its browser ("microsoft" provider) and is added
   * with the refresh token.  NULL: a password account. */
  LbTestOAuth2       *oauth2;
  /* The account's "Keep mail on this computer" (LbAccountSettings:offline_days): 0, the
   * default, downloads every body in the background after each sync; -1 keeps headers
   * only, for tests that need messages whose bodies are not in the store. */
  int                 offline_days;
} LbTestEnvOptions;

typedef struct {
  LbTestServers *servers;
  LbTestProxy   *proxy;     /* the proxy the options asked for, or NULL */
  LbTestEnvProxy proxy_kind;
  char          *profile;   /* the engine's data directory, removed by lb_test_env_stop */
  char          *password;  /* LB_TEST_ENV_USER's password on the servers */
  char          *secret;    /* the secret the account is added with */
  char          *display_name;
  gboolean       smtp;
  LbEngine      *engine;
  LbAccount     *account;   /* LB_TEST_ENV_USER's account, or NULL */
  LbTestOAuth2  *oauth2;    /* the options' authorization server (not owned), or NULL */
  int            offline_days;  /* the options' */
  /* The slot of lb_test_got_result for whatever the test waits on:
   *   lb_account_sync_async (..., lb_test_got_result, &env.result);
   *   lb_account_sync_finish (account, lb_test_wait_result (&env.result), &error); */
  GAsyncResult  *result;
} LbTestEnv;

/* Starts the servers, a new profile with an engine and the account, all or nothing:
 * asserts that every step succeeds.  OPTIONS may be NULL for the defaults. */
void           lb_test_env_start              (LbTestEnv              *env,
                                               const LbTestEnvOptions *options);
/* The steps of lb_test_env_start, for tests that need to act between them. */
void           lb_test_env_start_servers      (LbTestEnv              *env,
                                               const LbTestEnvOptions *options);
void           lb_test_env_open_profile       (LbTestEnv              *env);
void           lb_test_env_add_account        (LbTestEnv              *env);

/* Signs LB_TEST_ENV_USER in through env->oauth2's browser; asserts that it works.
 * Returns: (transfer full): the tokens. */
LbOAuth2Token *lb_test_env_oauth2_sign_in     (LbTestEnv              *env);
/* Shuts the engine down and checks that nothing keeps it alive (g_assert_finalize_object),
 * then stops the proxy and the servers and removes the profile.  The engine may already be
 * closed. */
void           lb_test_env_stop               (LbTestEnv              *env);

/* Closes the engine (as at quit: it must be finalized) and opens a new one on the same
 * profile, as at the next start; the new env->account is the profile's first account, or
 * NULL if it has none. */
void           lb_test_env_close_engine       (LbTestEnv              *env);
void           lb_test_env_open_engine        (LbTestEnv              *env);

/* The IMAP port the account uses: the proxy's when it goes through one. */
guint16        lb_test_env_imap_port          (LbTestEnv              *env);

/* Waits for the result the test's callback put into env->result (see LbTestEnv). */
GAsyncResult  *lb_test_env_wait               (LbTestEnv              *env);

/* Syncs the account (FOLDER_ID 0: all of it) at user priority and waits for the end. */
gboolean       lb_test_env_sync               (LbTestEnv              *env,
                                               gint64                  folder_id,
                                               GError                **error);
/* The same for the whole account; asserts that it succeeds. */
void           lb_test_env_sync_ok            (LbTestEnv              *env);

/* The account's folder of ROLE (transfer none); asserts that there is one. */
LbFolder      *lb_test_env_folder             (LbTestEnv              *env,
                                               LbFolderRole            role);

/* The store's message of UID in the folder FOLDER_ID; asserts that there is one.
 * Returns: (transfer full). */
LbMessage     *lb_test_env_message_with_uid   (LbTestEnv              *env,
                                               gint64                  folder_id,
                                               guint32                 uid);

/* A logged-in IMAP session of LB_TEST_ENV_USER straight to the servers, never through the
 * proxy: the server's view, independent of the engine.  Returns: (transfer full). */
LbImapSession *lb_test_env_server_session     (LbTestEnv              *env);

/* The server's uid -> flags of MAILBOX (see lb_test_server_flags). */
GHashTable    *lb_test_env_server_flags       (LbTestEnv              *env,
                                               const char             *mailbox);

/* The store's uid -> flags of a folder, with the same marker bit; asserts that no uid is
 * stored twice. */
GHashTable    *lb_test_env_store_flags        (LbTestEnv              *env,
                                               gint64                  folder_id);

/* The sync's invariant: the store's (uid, flags) of the folder of ROLE equal those the
 * server reports for MAILBOX. */
void           lb_test_env_assert_folder_matches (LbTestEnv          *env,
                                                  LbFolderRole        role,
                                                  const char         *mailbox);

/* A logged-in IMAP session of USER (with the password the servers were started with) on
 * the servers' IMAPS port.  Returns: (transfer full). */
LbImapSession *lb_test_server_session         (LbTestServers          *servers,
                                               const char             *user);

/* USER's uid -> flags of MAILBOX as the server reports them over a session of its own.
 * The flags carry the marker bit LB_TEST_FLAGS_PRESENT so that a message without flags
 * is not NULL in the table.  Returns: (transfer full). */
#define LB_TEST_FLAGS_PRESENT 0x80000000u
GHashTable    *lb_test_server_flags           (LbTestServers          *servers,
                                               const char             *user,
                                               const char             *mailbox);

/* Removes PATH and everything below it, also what a test made read-only. */
void           lb_test_rm_rf                  (const char             *path);

G_END_DECLS
