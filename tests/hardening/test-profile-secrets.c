/* test-profile-secrets.c: two profiles share one keyring without taking each other's secrets
 *
 * Account ids start at 1 in every profile (letterbox-cli --data-dir, the Flatpak beside a
 * native install), and the keyring is the user's, shared by all of them.  Two profiles,
 * each with its account 1 (alice and bob, with their own passwords on a private Dovecot),
 * must both keep syncing, and removing one profile's account must leave the other's secret.
 * An item an older version stored (keyed by the account id alone) is taken over by its own
 * account, at its first read, and removed; another address's old item is left alone.
 *
 * Runs through run-headless: its own D-Bus session and unlocked gnome-keyring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsecret/secret.h>

#include "hardening-env.h"
#include "lb-test-account.h"
#include "lb-store.h"

#define ALICE "alice@example.com"
#define BOB "bob@example.com"
#define ALICE_PASSWORD "alice-Pw-1"
#define BOB_PASSWORD "bob-Pw-2"

/* The engine's schemas (src/engine/secrets/lb-secrets.c), spelt out: what an older
 * version wrote, and what this one writes. */
static const SecretSchema *
legacy_schema (void)
{
  static const SecretSchema schema = {
    "io.github.letterbox.Letterbox.Account", SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "email", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  };
  return &schema;
}

static const SecretSchema *
profile_schema (void)
{
  static const SecretSchema schema = {
    "io.github.letterbox.Letterbox.ProfileAccount", SECRET_SCHEMA_NONE,
    {
      { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "email", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  };
  return &schema;
}

static LbTestServers *
start_servers (void)
{
  const char * const users[] = { ALICE ":" ALICE_PASSWORD, BOB ":" BOB_PASSWORD, NULL };
  LbTestServersOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  LbTestServers *servers;

  options.users = users;
  options.no_smtp = TRUE;
  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  return servers;
}

/* A profile of its own with one account for EMAIL, as `letterbox-cli --data-dir` makes it;
 * the servers are shared with the other profiles of the test. */
static void
profile_start (LbTestEnv     *env,
               LbTestServers *servers,
               const char    *email,
               const char    *password)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (lb_test_servers_get_password (servers, email), ==, password);
  env->servers = servers;
  env->password = g_strdup (password);
  env->profile = g_dir_make_tmp ("lb-profile-XXXXXX", &error);
  g_assert_no_error (error);
  lb_test_env_open_engine (env);
  env->account = lb_test_add_account (env->engine, servers, 0, email, NULL, FALSE);
  lb_test_env_close_engine (env);
}

/* Opens the profile, syncs its account with the secret from the keyring, and closes it. */
static void
profile_sync_ok (LbTestEnv *env)
{
  lb_test_env_open_engine (env);
  g_assert_nonnull (env->account);
  lb_test_env_sync_ok (env);
  lb_test_env_close_engine (env);
}

static void
profile_stop (LbTestEnv *env)
{
  if (env->engine != NULL)
    lb_test_env_close_engine (env);
  lb_test_rm_rf (env->profile);
  g_free (env->profile);
  g_free (env->password);
  env->servers = NULL;
}

static char *
profile_id (LbTestEnv *env)
{
  g_autofree char *path = g_build_filename (env->profile, "letterbox.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, &error);
  const char *id;

  g_assert_no_error (error);
  id = lb_store_get_profile_id (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (id), ==, 32);
  return g_strdup (id);
}

static char *
lookup_legacy (const char *email)
{
  g_autoptr(GError) error = NULL;
  char *found = secret_password_lookup_sync (legacy_schema (), NULL, &error,
                                             "account", "1", "email", email, NULL);

  g_assert_no_error (error);
  return found;
}

/* Never touch a real user's keyring: these must run inside run-headless. */
static gboolean
in_headless_session (void)
{
  if (g_getenv ("LB_TEST_PROFILE_ROOT") != NULL)
    return TRUE;
  g_test_skip ("not run through tests/fixtures/run-headless");
  return FALSE;
}

static void
test_two_profiles (void)
{
  g_autoptr(LbTestServers) servers = NULL;
  g_autofree char *alice_profile = NULL;
  g_autofree char *bob_profile = NULL;
  LbTestEnv alice = { 0 };
  LbTestEnv bob = { 0 };
  g_autoptr(GError) error = NULL;

  if (!in_headless_session ())
    return;
  servers = start_servers ();

  profile_start (&alice, servers, ALICE, ALICE_PASSWORD);
  profile_start (&bob, servers, BOB, BOB_PASSWORD);
  /* The collision needs equal account ids: each profile numbers its own from 1. */
  lb_test_env_open_engine (&alice);
  lb_test_env_open_engine (&bob);
  g_assert_cmpint (lb_account_get_id (alice.account), ==, lb_account_get_id (bob.account));
  lb_test_env_close_engine (&alice);
  lb_test_env_close_engine (&bob);
  alice_profile = profile_id (&alice);
  bob_profile = profile_id (&bob);
  g_assert_cmpstr (alice_profile, !=, bob_profile);

  /* Each account signs in with its own password, read from the keyring. */
  profile_sync_ok (&alice);
  profile_sync_ok (&bob);

  /* Removing bob's account removes bob's secret only. */
  lb_test_env_open_engine (&bob);
  lb_engine_remove_account_async (bob.engine, bob.account, NULL, lb_test_got_result, &bob.result);
  g_assert_true (lb_engine_remove_account_finish (bob.engine, lb_test_env_wait (&bob), &error));
  g_assert_no_error (error);
  g_clear_object (&bob.account);
  lb_test_env_close_engine (&bob);
  profile_sync_ok (&alice);

  profile_stop (&alice);
  profile_stop (&bob);
}

static void
test_migrates_old_item (void)
{
  g_autoptr(LbTestServers) servers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *found = NULL;
  LbTestEnv alice = { 0 };

  if (!in_headless_session ())
    return;
  servers = start_servers ();

  profile_start (&alice, servers, ALICE, ALICE_PASSWORD);
  profile = profile_id (&alice);

  /* Make the keyring as an older version left it: alice's item keyed by the account id
   * alone, and another profile's old item for the same id, another address. */
  secret_password_clear_sync (profile_schema (), NULL, &error,
                              "profile", profile, "account", "1", NULL);
  g_assert_no_error (error);
  secret_password_store_sync (legacy_schema (), SECRET_COLLECTION_DEFAULT, "Letterbox: " ALICE,
                              ALICE_PASSWORD, NULL, &error,
                              "account", "1", "email", ALICE, NULL);
  g_assert_no_error (error);
  secret_password_store_sync (legacy_schema (), SECRET_COLLECTION_DEFAULT, "Letterbox: " BOB,
                              BOB_PASSWORD, NULL, &error,
                              "account", "1", "email", BOB, NULL);
  g_assert_no_error (error);

  /* The first read takes alice's old item (not bob's, which would be refused)... */
  profile_sync_ok (&alice);

  /* ...moves it to this profile's key, and removes it. */
  found = secret_password_lookup_sync (profile_schema (), NULL, &error,
                                       "profile", profile, "account", "1", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, ALICE_PASSWORD);
  g_clear_pointer (&found, g_free);
  found = lookup_legacy (ALICE);
  g_assert_null (found);
  /* The other profile's old item is still there for its own account to take. */
  found = lookup_legacy (BOB);
  g_assert_cmpstr (found, ==, BOB_PASSWORD);

  /* And the moved secret keeps working. */
  profile_sync_ok (&alice);
  profile_stop (&alice);
  secret_password_clear_sync (legacy_schema (), NULL, NULL, "account", "1", "email", BOB, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secrets/profiles/two-profiles", test_two_profiles);
  g_test_add_func ("/secrets/profiles/migrates-old-item", test_migrates_old_item);
  status = g_test_run ();

  /* The keyring's D-Bus signals wait as idles on this context; dispatch them so that leak
   * checkers see a clean exit. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  secret_service_disconnect ();
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return status;
}
