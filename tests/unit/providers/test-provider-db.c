/* test-provider-db.c: the bundled provider database and the quirks taken from it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "lb-error.h"
#include "lb-provider-config.h"
#include "lb-provider-db.h"
#include "lb-quirks.h"

static LbProvider *
by_id (const char *id)
{
  LbProvider *p = lb_provider_db_lookup_id (lb_provider_db_get_default (), id);

  g_assert_nonnull (p);
  return p;
}

static void
assert_domain (const char *domain,
               const char *expected_id)
{
  LbProvider *p = lb_provider_db_lookup_domain (lb_provider_db_get_default (), domain);

  if (expected_id == NULL)
    {
      if (p != NULL)
        g_error ("%s unexpectedly matched %s", domain, lb_provider_get_id (p));
      return;
    }
  if (p == NULL)
    g_error ("%s matched nothing, expected %s", domain, expected_id);
  g_assert_cmpstr (lb_provider_get_id (p), ==, expected_id);
}

static void
assert_mx (const char *mx,
           const char *expected_id)
{
  LbProvider *p = lb_provider_db_lookup_mx (lb_provider_db_get_default (), mx);

  if (expected_id == NULL)
    {
      if (p != NULL)
        g_error ("MX %s unexpectedly matched %s", mx, lb_provider_get_id (p));
      return;
    }
  if (p == NULL)
    g_error ("MX %s matched nothing, expected %s", mx, expected_id);
  g_assert_cmpstr (lb_provider_get_id (p), ==, expected_id);
}

static void
test_bundled_complete (void)
{
  static const char *required[] = {
    "qq", "tencent-exmail", "netease-163", "netease-126", "netease-yeah", "netease-188",
    "netease-vip163", "netease-vip126", "netease-qiye", "china-mobile-139", "sina", "sohu",
    "aliyun", "aliyun-qiye", "gmail", "google-workspace", "outlook", "microsoft365", "icloud",
    "yahoo", "yandex", "fastmail", "gmx-com", "gmx-net", "zoho", "mailru", "proton-bridge",
  };
  GPtrArray *all = lb_provider_db_get_providers (lb_provider_db_get_default ());

  g_assert_cmpuint (all->len, >=, G_N_ELEMENTS (required));
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    by_id (required[i]);

  /* Every entry is complete in both languages. */
  for (guint i = 0; i < all->len; i++)
    {
      LbProvider *p = g_ptr_array_index (all, i);
      const char * const *en = lb_provider_get_help_steps (p, "en");
      const char * const *zh = lb_provider_get_help_steps (p, "zh_CN");

      g_test_message ("checking %s", lb_provider_get_id (p));
      g_assert_nonnull (lb_provider_get_name (p, "en"));
      g_assert_nonnull (lb_provider_get_name (p, "zh"));
      g_assert_nonnull (lb_provider_get_secret_term (p, "en"));
      g_assert_nonnull (lb_provider_get_secret_term (p, "zh"));
      g_assert_cmpuint (g_strv_length ((char **) en), >=, 1);
      g_assert_cmpuint (g_strv_length ((char **) zh), ==, g_strv_length ((char **) en));
      g_assert_cmpuint (lb_provider_get_imap (p)->port, >, 0);
      g_assert_cmpuint (lb_provider_get_smtp (p)->port, >, 0);
      /* A provider is found by domain or by MX, or it is useless. */
      g_assert_true (lb_provider_get_domains (p)[0] != NULL
                     || lb_provider_get_mx_hosts (p)[0] != NULL);
    }
}

static void
test_entries (void)
{
  LbProvider *qq = by_id ("qq");
  LbProvider *gmail = by_id ("gmail");
  LbProvider *outlook = by_id ("outlook");
  LbProvider *icloud = by_id ("icloud");
  g_autofree char *imap_user = NULL;
  g_autofree char *smtp_user = NULL;

  g_assert_cmpstr (lb_provider_get_name (qq, "zh_CN.UTF-8"), ==, "QQ邮箱");
  g_assert_cmpstr (lb_provider_get_name (qq, "en_US"), ==, "QQ Mail");
  g_assert_cmpstr (lb_provider_get_secret_term (qq, "zh"), ==, "授权码");
  g_assert_cmpstr (lb_provider_get_secret_term (by_id ("netease-163"), "zh"), ==, "授权码");
  g_assert_cmpstr (lb_provider_get_secret_term (gmail, "zh"), ==, "应用专用密码");
  g_assert_cmpstr (lb_provider_get_secret_term (gmail, "en"), ==, "app password");
  g_assert_cmpstr (lb_provider_get_secret_term (icloud, "zh"), ==, "App 专用密码");
  g_assert_cmpstr (lb_provider_get_secret_term (by_id ("yahoo"), "zh"), ==, "应用专用密码");

  g_assert_cmpint (lb_provider_get_credential_kind (qq), ==, LB_CREDENTIAL_AUTHORIZATION_CODE);
  g_assert_cmpint (lb_provider_get_credential_kind (by_id ("netease-126")), ==,
                   LB_CREDENTIAL_AUTHORIZATION_CODE);
  g_assert_cmpint (lb_provider_get_credential_kind (gmail), ==, LB_CREDENTIAL_APP_PASSWORD);
  g_assert_cmpint (lb_provider_get_credential_kind (outlook), ==, LB_CREDENTIAL_OAUTH2_ONLY);
  g_assert_cmpint (lb_provider_get_credential_kind (by_id ("microsoft365")), ==,
                   LB_CREDENTIAL_OAUTH2_ONLY);

  g_assert_cmpstr (lb_provider_get_imap (qq)->host, ==, "imap.qq.com");
  g_assert_cmpuint (lb_provider_get_imap (qq)->port, ==, 993);
  g_assert_cmpint (lb_provider_get_imap (qq)->security, ==, LB_SECURITY_TLS);
  g_assert_cmpstr (lb_provider_get_smtp (qq)->host, ==, "smtp.qq.com");
  g_assert_cmpuint (lb_provider_get_smtp (qq)->port, ==, 465);
  g_assert_cmpstr (lb_provider_get_smtp (outlook)->host, ==, "smtp-mail.outlook.com");
  g_assert_cmpuint (lb_provider_get_smtp (outlook)->port, ==, 587);
  g_assert_cmpint (lb_provider_get_smtp (outlook)->security, ==, LB_SECURITY_STARTTLS);
  g_assert_cmpstr (lb_provider_get_imap (by_id ("tencent-exmail"))->host, ==, "imap.exmail.qq.com");
  g_assert_cmpuint (lb_provider_get_imap (by_id ("proton-bridge"))->port, ==, 1143);
  g_assert_cmpint (lb_provider_get_imap (by_id ("proton-bridge"))->security, ==,
                   LB_SECURITY_STARTTLS);

  /* iCloud: IMAP wants the local part, SMTP the full address. */
  imap_user = lb_provider_make_username (icloud, FALSE, "jane.doe@icloud.com");
  smtp_user = lb_provider_make_username (icloud, TRUE, "jane.doe@icloud.com");
  g_assert_cmpstr (imap_user, ==, "jane.doe");
  g_assert_cmpstr (smtp_user, ==, "jane.doe@icloud.com");

  g_assert_true (g_str_has_prefix (lb_provider_get_help_url (qq), "https://"));
  g_assert_cmpuint (g_strv_length ((char **) lb_provider_get_help_steps (qq, "en")), ==, 5);
  g_assert_nonnull (strstr (lb_provider_get_help_steps (qq, "zh")[3], "生成授权码"));
}

static void
test_lookup_domain (void)
{
  assert_domain ("qq.com", "qq");
  assert_domain ("QQ.COM", "qq");
  assert_domain ("foxmail.com", "qq");
  assert_domain ("vip.qq.com", "qq");
  assert_domain ("163.com", "netease-163");
  assert_domain ("126.com", "netease-126");
  assert_domain ("yeah.net", "netease-yeah");
  assert_domain ("188.com", "netease-188");
  assert_domain ("vip.163.com", "netease-vip163");
  assert_domain ("vip.126.com", "netease-vip126");
  assert_domain ("139.com", "china-mobile-139");
  assert_domain ("sina.com", "sina");
  assert_domain ("sohu.com", "sohu");
  assert_domain ("aliyun.com", "aliyun");
  assert_domain ("gmail.com", "gmail");
  assert_domain ("GoogleMail.com", "gmail");
  assert_domain ("hotmail.com", "outlook");
  assert_domain ("live.com", "outlook");
  assert_domain ("msn.com", "outlook");
  assert_domain ("outlook.com", "outlook");
  assert_domain ("icloud.com", "icloud");
  assert_domain ("me.com", "icloud");
  assert_domain ("mac.com.", "icloud");
  assert_domain ("yahoo.com", "yahoo");
  assert_domain ("yandex.ru", "yandex");
  assert_domain ("fastmail.com", "fastmail");
  assert_domain ("gmx.com", "gmx-com");
  assert_domain ("gmx.net", "gmx-net");
  assert_domain ("zoho.com", "zoho");
  assert_domain ("mail.ru", "mailru");
  assert_domain ("proton.me", "proton-bridge");

  /* Subdomains only where the database says so. */
  assert_domain ("mail.qq.com", NULL);
  assert_domain ("exmail.qq.com", NULL);
  assert_domain ("x.163.com", NULL);
  assert_domain ("evil-gmail.com", NULL);
  assert_domain ("gmail.com.evil.example", NULL);
  assert_domain ("contoso.onmicrosoft.com", "microsoft365");
  assert_domain ("CONTOSO.onmicrosoft.com", "microsoft365");
  assert_domain ("onmicrosoft.com", NULL);

  /* Garbage never matches and never crashes. */
  assert_domain ("", NULL);
  assert_domain (".", NULL);
  assert_domain ("qq.com/..", NULL);
  assert_domain ("例子.中国", NULL);
  assert_domain ("\xff\xfe", NULL);

  g_assert_cmpstr (lb_provider_get_id (lb_provider_db_lookup_address (lb_provider_db_get_default (),
                                                                    "Somebody@QQ.com")), ==, "qq");
  g_assert_null (lb_provider_db_lookup_address (lb_provider_db_get_default (), "no-at-sign"));
  g_assert_null (lb_provider_db_lookup_address (lb_provider_db_get_default (), "trailing@"));
}

static void
test_lookup_mx (void)
{
  assert_mx ("mxbiz1.qq.com", "tencent-exmail");
  assert_mx ("MXBIZ2.qq.com.", "tencent-exmail");
  assert_mx ("mx1.qq.com", "qq");
  assert_mx ("mx3.qq.com", "qq");
  assert_mx ("163mx00.mxmail.netease.com", "netease-163");
  assert_mx ("qiye163mx01.mxmail.netease.com", "netease-qiye");
  assert_mx ("qiye163mx02.mxmail.netease.com", "netease-qiye");
  assert_mx ("mxw.mxhichina.com", "aliyun-qiye");
  assert_mx ("aspmx.l.google.com", "google-workspace");
  assert_mx ("alt2.aspmx.l.google.com", "google-workspace");
  assert_mx ("contoso-com.mail.protection.outlook.com", "microsoft365");
  assert_mx ("hotmail-com.olc.protection.outlook.com", "outlook");
  assert_mx ("mx01.mail.icloud.com", "icloud");
  assert_mx ("in1-smtp.messagingengine.com", "fastmail");

  /* Exact names only, and a pattern never matches its own suffix. */
  assert_mx ("mxbiz3.qq.com", NULL);
  assert_mx ("evilmxbiz1.qq.com", NULL);
  assert_mx ("mxbiz1.qq.com.evil.example", NULL);
  assert_mx ("mx.mxmail.netease.com", NULL);
  assert_mx ("mail.protection.outlook.com", NULL);
  assert_mx ("protection.outlook.com", NULL);
  assert_mx ("", NULL);
}

static void
test_hostname_pattern (void)
{
  g_assert_true (lb_hostname_matches_pattern ("a.example.com", "*.example.com"));
  g_assert_true (lb_hostname_matches_pattern ("a.b.Example.COM.", "*.example.com"));
  g_assert_false (lb_hostname_matches_pattern ("example.com", "*.example.com"));
  g_assert_false (lb_hostname_matches_pattern ("aexample.com", "*.example.com"));
  g_assert_false (lb_hostname_matches_pattern (".example.com", "*.example.com"));
  g_assert_true (lb_hostname_matches_pattern ("Example.com", "example.com"));
  g_assert_false (lb_hostname_matches_pattern ("example.co", "example.com"));
  g_assert_false (lb_hostname_matches_pattern ("", "example.com"));
}

static void
test_config_for_provider (void)
{
  g_autoptr(LbProviderConfig) config = NULL;
  g_autoptr(LbProviderConfig) copy = NULL;

  config = lb_provider_config_new_for_provider (by_id ("icloud"), "jane@me.com");
  g_assert_cmpstr (config->imap->host, ==, "imap.mail.me.com");
  g_assert_cmpstr (config->imap->username, ==, "jane");
  g_assert_cmpstr (config->smtp->username, ==, "jane@me.com");
  g_assert_cmpint (config->smtp->security, ==, LB_SECURITY_STARTTLS);
  g_assert_cmpint (config->credential, ==, LB_CREDENTIAL_APP_PASSWORD);

  copy = lb_provider_config_copy (config);
  g_assert_true (copy->provider == config->provider);
  g_assert_cmpstr (copy->smtp->host, ==, "smtp.mail.me.com");
  g_assert_true (copy->imap != config->imap);
}

static void
test_bad_data (void)
{
  static const char *bad[] = {
    "[x]\nName=X\nImapHost=h\nImapPort=993\nImapSecurity=plain\nImapUsername=address\n"
    "SmtpHost=h\nSmtpPort=465\nSmtpSecurity=tls\nSmtpUsername=address\nCredential=password\n",
    "[x]\nName=X\nImapPort=993\nImapSecurity=tls\nImapUsername=address\n"
    "SmtpHost=h\nSmtpPort=465\nSmtpSecurity=tls\nSmtpUsername=address\nCredential=password\n",
    "[x]\nName=X\nImapHost=h\nImapPort=99999\nImapSecurity=tls\nImapUsername=address\n"
    "SmtpHost=h\nSmtpPort=465\nSmtpSecurity=tls\nSmtpUsername=address\nCredential=password\n",
    "[x]\nName=X\nImapHost=h\nImapPort=993\nImapSecurity=tls\nImapUsername=address\n"
    "SmtpHost=h\nSmtpPort=465\nSmtpSecurity=tls\nSmtpUsername=address\nCredential=magic\n",
    "[x]\nName=X\nImapHost=h\nImapPort=993\nImapSecurity=tls\nImapUsername=address\n"
    "SmtpHost=h\nSmtpPort=465\nSmtpSecurity=tls\nSmtpUsername=address\nCredential=password\n"
    "IdRequired=maybe\n",
    "not a key file",
  };
  static const char good[] =
    "[x]\nName=X\nDomains=X.example;\nImapHost=h\nImapPort=993\nImapSecurity=tls\n"
    "ImapUsername=address\nSmtpHost=h\nSmtpPort=465\nSmtpSecurity=tls\nSmtpUsername=address\n"
    "Credential=password\n";
  g_autoptr(LbProviderDb) db = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(LbProviderDb) bad_db = lb_provider_db_new_from_data (bad[i], strlen (bad[i]), &error);

      g_assert_null (bad_db);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }

  db = lb_provider_db_new_from_data (good, strlen (good), &error);
  g_assert_no_error (error);
  g_assert_nonnull (lb_provider_db_lookup_domain (db, "x.example"));
  /* Defaults for what the entry leaves out. */
  g_assert_cmpstr (lb_provider_get_family (lb_provider_db_lookup_id (db, "x")), ==, "other");
  g_assert_cmpstr (lb_provider_get_name (lb_provider_db_lookup_id (db, "x"), "zh"), ==, "X");
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_quirks_from_provider (void)
{
  LbQuirks q;

  lb_provider_get_quirks (by_id ("netease-163"), &q);
  g_assert_true (q.send_id);
  g_assert_true (q.id_required);
  g_assert_true (q.poll_instead_of_idle);
  /* New mail within a minute, over the one kept connection. */
  g_assert_cmpuint (q.poll_interval, >, 0);
  g_assert_cmpuint (q.poll_interval, <=, 60);
  g_assert_true (q.no_condstore_flag_poll);
  g_assert_false (q.gmail_labels);

  lb_provider_get_quirks (by_id ("qq"), &q);
  g_assert_true (q.send_id);
  g_assert_false (q.id_required);
  g_assert_false (q.poll_instead_of_idle);
  g_assert_true (q.no_condstore_flag_poll);
  g_assert_true (q.sender_must_match_login);
  g_assert_true (q.login_rate_limited);

  lb_provider_get_quirks (by_id ("gmail"), &q);
  g_assert_true (q.gmail_labels);
  g_assert_true (q.server_saves_sent_copy);
  g_assert_cmpuint (q.max_connections, ==, 15);
  g_assert_false (q.id_required);

  lb_provider_get_quirks (by_id ("china-telecom-189"), &q);
  g_assert_true (q.no_namespace);

  lb_provider_get_quirks (NULL, &q);
  g_assert_false (q.send_id);
  g_assert_false (q.poll_instead_of_idle);
  g_assert_false (q.gmail_labels);
  g_assert_cmpuint (q.max_connections, ==, 0);
}

static void
test_quirks_merge (void)
{
  static const char *netease_caps[] = { "IMAP4rev1", "XLIST", "SPECIAL-USE", "ID", "LITERAL+",
                                        "APPENDLIMIT=71680000", NULL };
  static const char *qq_caps[] = { "IMAP4", "IMAP4rev1", "XLIST", "MOVE", "IDLE", "NAMESPACE",
                                   "CHILDREN", "id", "UIDPLUS", NULL };
  static const char *gmail_caps[] = { "IMAP4rev1", "IDLE", "ID", "X-GM-EXT-1", "CONDSTORE",
                                      "APPENDLIMIT=35651584", NULL };
  static const char *dovecot_caps[] = { "IMAP4rev1", "IDLE", "CONDSTORE", "QRESYNC", NULL };
  static const char *bad_caps[] = { "APPENDLIMIT", "APPENDLIMIT=", "APPENDLIMIT=abc",
                                    "IDLEX", "IDENTITY", NULL };
  LbQuirks q;

  lb_provider_get_quirks (by_id ("netease-163"), &q);
  lb_quirks_merge_capabilities (&q, netease_caps);
  g_assert_true (q.send_id);
  g_assert_true (q.poll_instead_of_idle);
  g_assert_true (q.no_condstore_flag_poll);
  g_assert_cmpuint (q.max_message_size, ==, 71680000);

  lb_provider_get_quirks (by_id ("qq"), &q);
  lb_quirks_merge_capabilities (&q, qq_caps);
  g_assert_true (q.send_id);
  g_assert_false (q.poll_instead_of_idle);
  g_assert_true (q.no_condstore_flag_poll);

  /* A Workspace domain that is not in the database still gets Gmail semantics. */
  lb_provider_get_quirks (NULL, &q);
  lb_quirks_merge_capabilities (&q, gmail_caps);
  g_assert_true (q.gmail_labels);
  g_assert_true (q.server_saves_sent_copy);
  g_assert_true (q.send_id);
  g_assert_false (q.no_condstore_flag_poll);
  g_assert_cmpuint (q.max_message_size, ==, 35651584);

  /* No ID advertised: not sent, unless the provider requires it. */
  lb_provider_get_quirks (NULL, &q);
  lb_quirks_merge_capabilities (&q, dovecot_caps);
  g_assert_false (q.send_id);
  g_assert_false (q.poll_instead_of_idle);
  g_assert_false (q.no_condstore_flag_poll);
  lb_provider_get_quirks (by_id ("netease-126"), &q);
  lb_quirks_merge_capabilities (&q, dovecot_caps);
  g_assert_true (q.send_id);

  lb_provider_get_quirks (NULL, &q);
  lb_quirks_merge_capabilities (&q, bad_caps);
  g_assert_false (q.send_id);
  g_assert_true (q.poll_instead_of_idle);
  g_assert_cmpuint (q.max_message_size, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/providers/db/bundled-complete", test_bundled_complete);
  g_test_add_func ("/providers/db/entries", test_entries);
  g_test_add_func ("/providers/db/lookup-domain", test_lookup_domain);
  g_test_add_func ("/providers/db/lookup-mx", test_lookup_mx);
  g_test_add_func ("/providers/db/hostname-pattern", test_hostname_pattern);
  g_test_add_func ("/providers/db/config-for-provider", test_config_for_provider);
  g_test_add_func ("/providers/db/bad-data", test_bad_data);
  g_test_add_func ("/providers/quirks/from-provider", test_quirks_from_provider);
  g_test_add_func ("/providers/quirks/merge-capabilities", test_quirks_merge);

  return g_test_run ();
}
