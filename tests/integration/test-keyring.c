/* test-keyring.c: a libsecret round trip against the private gnome-keyring of run-headless
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This checks the test environment itself (its own D-Bus session and an unlocked keyring),
 * which the engine's secrets tests and the UI tests rely on.
 */
#include "config.h"

#include <libsecret/secret.h>

/* The name and attributes of the schema older versions wrote, which src/engine/secrets
 * still reads to move those items to its per-profile schema. */
static const SecretSchema *
account_schema (void)
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

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  /* Chinese authorization codes are ASCII, but the label and address need not be. */
  const char *secret = "abcd-EFGH-1234 密码";
  gboolean ok;

  /* Never touch a real user's keyring: this must run inside run-headless. */
  if (g_getenv ("LB_TEST_PROFILE_ROOT") == NULL)
    {
      g_test_skip ("not run through tests/fixtures/run-headless");
      return;
    }

  ok = secret_password_store_sync (account_schema (), SECRET_COLLECTION_DEFAULT,
                                   "Letterbox: li.wei@example.com", secret, NULL, &error,
                                   "account", "acct-1", "email", "li.wei@example.com", NULL);
  g_assert_no_error (error);
  g_assert_true (ok);

  found = secret_password_lookup_sync (account_schema (), NULL, &error, "account", "acct-1", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, secret);

  /* Another account does not see it. */
  g_clear_pointer (&found, g_free);
  found = secret_password_lookup_sync (account_schema (), NULL, &error, "account", "acct-2", NULL);
  g_assert_no_error (error);
  g_assert_null (found);

  /* Storing again replaces, it does not add. */
  ok = secret_password_store_sync (account_schema (), SECRET_COLLECTION_DEFAULT,
                                   "Letterbox: li.wei@example.com", "new-code", NULL, &error,
                                   "account", "acct-1", "email", "li.wei@example.com", NULL);
  g_assert_no_error (error);
  g_assert_true (ok);
  found = secret_password_lookup_sync (account_schema (), NULL, &error, "account", "acct-1", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "new-code");

  ok = secret_password_clear_sync (account_schema (), NULL, &error, "account", "acct-1", NULL);
  g_assert_no_error (error);
  g_assert_true (ok);

  g_clear_pointer (&found, g_free);
  found = secret_password_lookup_sync (account_schema (), NULL, &error, "account", "acct-1", NULL);
  g_assert_no_error (error);
  g_assert_null (found);

  /* Clearing what is not there reports nothing cleared, not an error. */
  ok = secret_password_clear_sync (account_schema (), NULL, &error, "account", "acct-1", NULL);
  g_assert_no_error (error);
  g_assert_false (ok);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/integration/keyring/round-trip", test_round_trip);
  status = g_test_run ();

  /* D-Bus signals (the keyring's PropertiesChanged) wait as idles on this context; dispatch
   * them so that leak checkers see a clean exit. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  secret_service_disconnect ();
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return status;
}
