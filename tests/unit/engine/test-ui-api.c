/* test-ui-api.c: the small public APIs the UI uses instead of engine internals
 *
 * Provider information, discovery as one call and the words a search highlights.  The
 * file includes public headers only, as the UI does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lb-account-discovery.h"
#include "lb-provider-info.h"
#include "lb-search-highlight.h"
#include "lb-test-wait.h"

static void
assert_terms (const char         *query,
              LbHighlightField    field,
              const char * const *expected)
{
  g_auto(GStrv) terms = lb_search_highlight_terms (query, field);

  g_assert_nonnull (terms);
  g_assert_cmpstrv (terms, expected);
}

static void
test_highlight_terms (void)
{
  const char *query = "from:Bob 周报 subject:Budget -draft is:unread";

  /* Plain words everywhere, field words only in their field, never negated words or flags. */
  assert_terms (query, LB_HIGHLIGHT_FIELD_FROM, (const char *[]) { "Bob", "周报", NULL });
  assert_terms (query, LB_HIGHLIGHT_FIELD_SUBJECT, (const char *[]) { "周报", "Budget", NULL });
  assert_terms (query, LB_HIGHLIGHT_FIELD_TO, (const char *[]) { "周报", NULL });
  assert_terms (query, LB_HIGHLIGHT_FIELD_OTHER, (const char *[]) { "周报", NULL });
  assert_terms ("", LB_HIGHLIGHT_FIELD_OTHER, (const char *[]) { NULL });
  assert_terms (NULL, LB_HIGHLIGHT_FIELD_FROM, (const char *[]) { NULL });
}

static void
test_provider_lookup (void)
{
  g_autoptr(LbProviderInfo) qq = lb_provider_info_lookup ("qq");
  g_autoptr(LbProviderInfo) netease = lb_provider_info_lookup ("netease-163");
  const char * const *steps;

  g_assert_nonnull (qq);
  g_assert_cmpstr (lb_provider_info_get_id (qq), ==, "qq");
  g_assert_cmpstr (lb_provider_info_get_name (qq, NULL), ==, "QQ Mail");
  g_assert_cmpstr (lb_provider_info_get_name (qq, "zh_CN"), ==, "QQ邮箱");
  g_assert_cmpint (lb_provider_info_get_credential_kind (qq), ==, LB_CREDENTIAL_AUTHORIZATION_CODE);
  g_assert_cmpstr (lb_provider_info_get_secret_term (qq, "zh_CN"), ==, "授权码");
  g_assert_true (g_str_has_prefix (lb_provider_info_get_help_url (qq), "https://"));
  steps = lb_provider_info_get_help_steps (qq, NULL);
  g_assert_nonnull (steps);
  g_assert_cmpuint (g_strv_length ((char **) steps), ==, 5);
  g_assert_cmpuint (lb_provider_info_get_max_message_size (qq), ==, 0);

  g_assert_nonnull (netease);
  g_assert_cmpuint (lb_provider_info_get_max_message_size (netease), ==, 71680000);

  g_assert_null (lb_provider_info_lookup ("no-such-provider"));
  g_assert_null (lb_provider_info_lookup (NULL));
}

/* Autoconfig for a domain the database does not know: the servers, and the provider as
 * autoconfig describes it (name and help page, no database id). */
static void
test_discovery_autoconfig (void)
{
  static const char xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<clientConfig version=\"1.1\">\n"
    "  <emailProvider id=\"example.com\">\n"
    "    <domain>example.com</domain>\n"
    "    <displayName>Example Mail</displayName>\n"
    "    <incomingServer type=\"imap\">\n"
    "      <hostname>imap.example.com</hostname><port>993</port><socketType>SSL</socketType>\n"
    "      <username>%EMAILADDRESS%</username>\n"
    "      <authentication>password-cleartext</authentication>\n"
    "    </incomingServer>\n"
    "    <outgoingServer type=\"smtp\">\n"
    "      <hostname>smtp.example.com</hostname><port>587</port><socketType>STARTTLS</socketType>\n"
    "      <username>%EMAILLOCALPART%</username>\n"
    "      <authentication>password-cleartext</authentication>\n"
    "    </outgoingServer>\n"
    "    <documentation url=\"https://example.com/help\"><descr lang=\"en\">Help</descr></documentation>\n"
    "  </emailProvider>\n"
    "</clientConfig>\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-ui-api-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LbAccountDiscovery) found = NULL;
  g_autoptr(LbAccountDiscovery) copy = NULL;
  LbProviderInfo *provider;

  g_assert_no_error (error);
  path = g_build_filename (dir, "config-v1.1.xml", NULL);
  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  g_setenv (LB_TEST_DISCOVERY_FILE_ENV, path, TRUE);

  lb_account_discover_async ("jane@example.com", NULL, lb_test_got_result, &result);
  found = lb_account_discover_finish (lb_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpstr (lb_account_discovery_get_imap (found)->host, ==, "imap.example.com");
  g_assert_cmpuint (lb_account_discovery_get_imap (found)->port, ==, 993);
  g_assert_cmpstr (lb_account_discovery_get_imap (found)->username, ==, "jane@example.com");
  g_assert_cmpstr (lb_account_discovery_get_smtp (found)->host, ==, "smtp.example.com");
  g_assert_cmpint (lb_account_discovery_get_smtp (found)->security, ==, LB_SECURITY_STARTTLS);
  g_assert_cmpstr (lb_account_discovery_get_smtp (found)->username, ==, "jane");
  provider = lb_account_discovery_get_provider (found);
  g_assert_nonnull (provider);
  g_assert_null (lb_provider_info_get_id (provider));
  g_assert_cmpstr (lb_provider_info_get_name (provider, NULL), ==, "Example Mail");
  g_assert_cmpstr (lb_provider_info_get_help_url (provider), ==, "https://example.com/help");
  g_assert_cmpint (lb_provider_info_get_credential_kind (provider), ==, LB_CREDENTIAL_PASSWORD);
  g_assert_null (lb_provider_info_get_help_steps (provider, NULL));

  copy = lb_account_discovery_copy (found);
  g_assert_true (lb_account_discovery_get_provider (copy) == provider);
  g_assert_cmpstr (lb_account_discovery_get_imap (copy)->host, ==, "imap.example.com");

  /* A file that is not there is an error, not a hang or a guess. */
  g_setenv (LB_TEST_DISCOVERY_FILE_ENV, "/nonexistent/config-v1.1.xml", TRUE);
  g_clear_object (&result);
  lb_account_discover_async ("jane@example.com", NULL, lb_test_got_result, &result);
  g_assert_null (lb_account_discover_finish (lb_test_wait_result (&result), &error));
  g_assert_nonnull (error);

  g_unsetenv (LB_TEST_DISCOVERY_FILE_ENV);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui-api/highlight-terms", test_highlight_terms);
  g_test_add_func ("/ui-api/provider-lookup", test_provider_lookup);
  g_test_add_func ("/ui-api/discovery-autoconfig", test_discovery_autoconfig);
  return g_test_run ();
}
