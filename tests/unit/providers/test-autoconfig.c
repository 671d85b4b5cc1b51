/* test-autoconfig.c: the clientConfig v1.1 parser, with good, broken and hostile files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-autoconfig.h"
#include "lb-error.h"

#define ADDRESS "jane.doe@example.com"

static LbProviderConfig *
parse (const char  *xml,
       GError     **error)
{
  return lb_autoconfig_parse (xml, strlen (xml), ADDRESS, error);
}

static void
assert_fails (const char *xml,
              int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = parse (xml, &error);

  g_assert_null (config);
  g_assert_error (error, LB_ERROR, code);
  /* The message is shown to people: it must be text, whatever the input was. */
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_test_message ("%s", error->message);
}

static void
test_basic (void)
{
  static const char xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<clientConfig version=\"1.1\">\n"
    "  <emailProvider id=\"example.com\">\n"
    "    <domain>example.com</domain>\n"
    "    <displayName>Example Mail</displayName>\n"
    "    <displayShortName>Example</displayShortName>\n"
    "    <incomingServer type=\"imap\">\n"
    "      <hostname>imap.example.com</hostname>\n"
    "      <port>993</port>\n"
    "      <socketType>SSL</socketType>\n"
    "      <username>%EMAILADDRESS%</username>\n"
    "      <authentication>password-cleartext</authentication>\n"
    "    </incomingServer>\n"
    "    <outgoingServer type=\"smtp\">\n"
    "      <hostname> smtp.example.com </hostname>\n"
    "      <port>587</port>\n"
    "      <socketType>STARTTLS</socketType>\n"
    "      <username>%EMAILLOCALPART%</username>\n"
    "      <authentication>password-encrypted</authentication>\n"
    "    </outgoingServer>\n"
    "    <documentation url=\"https://example.com/help\"><descr lang=\"en\">Help</descr></documentation>\n"
    "  </emailProvider>\n"
    "  <enable visiturl=\"https://example.com/enable\"><instruction>Turn IMAP on</instruction></enable>\n"
    "</clientConfig>\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = parse (xml, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (config->imap->host, ==, "imap.example.com");
  g_assert_cmpuint (config->imap->port, ==, 993);
  g_assert_cmpint (config->imap->security, ==, LB_SECURITY_TLS);
  g_assert_cmpstr (config->imap->username, ==, ADDRESS);
  g_assert_cmpint (config->imap_auth, ==, LB_AUTH_METHOD_PASSWORD_CLEARTEXT);
  g_assert_cmpstr (config->smtp->host, ==, "smtp.example.com");
  g_assert_cmpuint (config->smtp->port, ==, 587);
  g_assert_cmpint (config->smtp->security, ==, LB_SECURITY_STARTTLS);
  g_assert_cmpstr (config->smtp->username, ==, "jane.doe");
  g_assert_cmpint (config->smtp_auth, ==, LB_AUTH_METHOD_PASSWORD_ENCRYPTED);
  g_assert_cmpint (config->credential, ==, LB_CREDENTIAL_PASSWORD);
  g_assert_cmpint (config->source, ==, LB_DISCOVERY_SOURCE_AUTOCONFIG);
  g_assert_false (config->is_suggestion);
  g_assert_cmpstr (config->display_name, ==, "Example Mail");
  g_assert_cmpstr (config->documentation_url, ==, "https://example.com/help");
}

static void
test_placeholders_and_order (void)
{
  static const char xml[] =
    "<clientConfig version=\"1.1\"><emailProvider id=\"x\">"
    "<incomingServer type=\"pop3\"><hostname>pop.%EMAILDOMAIN%</hostname><port>995</port>"
    "<socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>"
    "<incomingServer type=\"imap\"><hostname>plain.%EMAILDOMAIN%</hostname><port>143</port>"
    "<socketType>plain</socketType><username>%EMAILADDRESS%</username></incomingServer>"
    "<incomingServer type=\"imap\"><hostname>gss.%EMAILDOMAIN%</hostname><port>993</port>"
    "<socketType>SSL</socketType><authentication>GSSAPI</authentication></incomingServer>"
    "<incomingServer type=\"imap\"><hostname>Mail.%EMAILDOMAIN%</hostname><port>993</port>"
    "<socketType>SSL</socketType><username>u-%EMAILLOCALPART%-%UNKNOWN%</username>"
    "<authentication>NTLM</authentication><authentication>password-cleartext</authentication>"
    "</incomingServer>"
    "<incomingServer type=\"imap\"><hostname>second.%EMAILDOMAIN%</hostname><port>993</port>"
    "<socketType>SSL</socketType></incomingServer>"
    "<outgoingServer type=\"smtp\"><hostname>smtp.%EMAILDOMAIN%</hostname><port>465</port>"
    "<socketType>SSL</socketType></outgoingServer>"
    "</emailProvider></clientConfig>";
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = parse (xml, &error);

  g_assert_no_error (error);
  /* pop3, plain and GSSAPI-only servers are skipped; the first usable one wins. */
  g_assert_cmpstr (config->imap->host, ==, "mail.example.com");
  g_assert_cmpstr (config->imap->username, ==, "u-jane.doe-%UNKNOWN%");
  g_assert_cmpstr (config->smtp->host, ==, "smtp.example.com");
  /* No <username>: the full address. */
  g_assert_cmpstr (config->smtp->username, ==, ADDRESS);
  g_assert_cmpint (config->smtp->security, ==, LB_SECURITY_TLS);
}

static void
test_oauth2_only (void)
{
  static const char xml[] =
    "<clientConfig version=\"1.1\"><emailProvider id=\"x\">"
    "<incomingServer type=\"imap\"><hostname>outlook.office365.com</hostname><port>993</port>"
    "<socketType>SSL</socketType><username>%EMAILADDRESS%</username>"
    "<authentication>OAuth2</authentication></incomingServer>"
    "<outgoingServer type=\"smtp\"><hostname>smtp.office365.com</hostname><port>587</port>"
    "<socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username>"
    "<authentication>OAuth2</authentication></outgoingServer>"
    "</emailProvider></clientConfig>";
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = parse (xml, &error);

  g_assert_no_error (error);
  g_assert_cmpint (config->credential, ==, LB_CREDENTIAL_OAUTH2_ONLY);
  g_assert_cmpint (config->imap_auth, ==, LB_AUTH_METHOD_OAUTH2);
}

static void
test_plain_rejected (void)
{
  assert_fails ("<clientConfig><emailProvider id=\"x\">"
                "<incomingServer type=\"imap\"><hostname>imap.example.com</hostname>"
                "<port>143</port><socketType>plain</socketType></incomingServer>"
                "<outgoingServer type=\"smtp\"><hostname>smtp.example.com</hostname>"
                "<port>25</port><socketType>plain</socketType></outgoingServer>"
                "</emailProvider></clientConfig>", LB_ERROR_UNSUPPORTED);
}

static void
test_missing_fields (void)
{
  /* No hostname. */
  assert_fails ("<clientConfig><emailProvider id=\"x\">"
                "<incomingServer type=\"imap\"><port>993</port><socketType>SSL</socketType>"
                "</incomingServer><outgoingServer type=\"smtp\"><hostname>s.example.com</hostname>"
                "<port>465</port><socketType>SSL</socketType></outgoingServer>"
                "</emailProvider></clientConfig>", LB_ERROR_NOT_FOUND);
  /* No port. */
  assert_fails ("<clientConfig><emailProvider id=\"x\">"
                "<incomingServer type=\"imap\"><hostname>i.example.com</hostname>"
                "<socketType>SSL</socketType></incomingServer>"
                "<outgoingServer type=\"smtp\"><hostname>s.example.com</hostname>"
                "<port>465</port><socketType>SSL</socketType></outgoingServer>"
                "</emailProvider></clientConfig>", LB_ERROR_NOT_FOUND);
  /* No socketType. */
  assert_fails ("<clientConfig><emailProvider id=\"x\">"
                "<incomingServer type=\"imap\"><hostname>i.example.com</hostname><port>993</port>"
                "</incomingServer><outgoingServer type=\"smtp\"><hostname>s.example.com</hostname>"
                "<port>465</port><socketType>SSL</socketType></outgoingServer>"
                "</emailProvider></clientConfig>", LB_ERROR_NOT_FOUND);
  /* No SMTP server. */
  assert_fails ("<clientConfig><emailProvider id=\"x\">"
                "<incomingServer type=\"imap\"><hostname>i.example.com</hostname><port>993</port>"
                "<socketType>SSL</socketType></incomingServer>"
                "</emailProvider></clientConfig>", LB_ERROR_NOT_FOUND);
  /* Bad ports and host names. */
  assert_fails ("<clientConfig><emailProvider id=\"x\">"
                "<incomingServer type=\"imap\"><hostname>i.example.com</hostname><port>99999</port>"
                "<socketType>SSL</socketType></incomingServer>"
                "<outgoingServer type=\"smtp\"><hostname>s.example.com</hostname>"
                "<port>465</port><socketType>SSL</socketType></outgoingServer>"
                "</emailProvider></clientConfig>", LB_ERROR_NOT_FOUND);
  assert_fails ("<clientConfig><emailProvider id=\"x\">"
                "<incomingServer type=\"imap\"><hostname>evil.example.com/x?y</hostname>"
                "<port>993</port><socketType>SSL</socketType></incomingServer>"
                "<outgoingServer type=\"smtp\"><hostname>s.example.com</hostname>"
                "<port>465</port><socketType>SSL</socketType></outgoingServer>"
                "</emailProvider></clientConfig>", LB_ERROR_NOT_FOUND);
  /* No <emailProvider> at all. */
  assert_fails ("<clientConfig version=\"1.1\"></clientConfig>", LB_ERROR_PARSE);
}

static void
test_malformed (void)
{
  assert_fails ("", LB_ERROR_PARSE);
  assert_fails ("<clientConfig><emailProvider>", LB_ERROR_PARSE);
  assert_fails ("<clientConfig><emailProvider></clientConfig>", LB_ERROR_PARSE);
  assert_fails ("<html><body>404</body></html>", LB_ERROR_PARSE);
  assert_fails ("not xml at all", LB_ERROR_PARSE);
  assert_fails ("<clientConfig>\xff\xfe</clientConfig>", LB_ERROR_PARSE);
  assert_fails ("<clientConfig><emailProvider id=\"x\"><incomingServer type=\"imap\">"
                "<hostname>&undefined;</hostname></incomingServer></emailProvider></clientConfig>",
                LB_ERROR_PARSE);
}

static void
test_hostile (void)
{
  static const char laughs[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE lolz [\n"
    " <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    " <!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
    "]>\n"
    "<clientConfig><emailProvider id=\"x\"><displayName>&lol9;</displayName>"
    "</emailProvider></clientConfig>\n";
  static const char external[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE clientConfig [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
    "<clientConfig><emailProvider id=\"x\"><incomingServer type=\"imap\">"
    "<hostname>&xxe;</hostname></incomingServer></emailProvider></clientConfig>\n";
  g_autoptr(GString) deep = g_string_new ("<clientConfig><emailProvider>");
  g_autoptr(GString) long_text = g_string_new ("<clientConfig><emailProvider><displayName>");
  g_autoptr(GError) error = NULL;
  g_autofree char *huge = NULL;
  LbProviderConfig *config;
  gsize huge_len = 10 * 1024 * 1024;

  assert_fails (laughs, LB_ERROR_PARSE);
  assert_fails (external, LB_ERROR_PARSE);

  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "<a>");
  assert_fails (deep->str, LB_ERROR_PARSE);

  for (guint i = 0; i < 5000; i++)
    g_string_append (long_text, "x");
  g_string_append (long_text, "</displayName></emailProvider></clientConfig>");
  assert_fails (long_text->str, LB_ERROR_PARSE);

  /* 10 MB: refused before parsing. */
  huge = g_malloc (huge_len);
  memset (huge, ' ', huge_len);
  memcpy (huge, "<clientConfig>", 14);
  config = lb_autoconfig_parse (huge, huge_len, ADDRESS, &error);
  g_assert_null (config);
  g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
  g_clear_error (&error);

  /* Not an address: the placeholders could not be filled. */
  config = lb_autoconfig_parse ("<clientConfig/>", 15, "nobody", &error);
  g_assert_null (config);
  g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/providers/autoconfig/basic", test_basic);
  g_test_add_func ("/providers/autoconfig/placeholders-and-order", test_placeholders_and_order);
  g_test_add_func ("/providers/autoconfig/oauth2-only", test_oauth2_only);
  g_test_add_func ("/providers/autoconfig/plain-rejected", test_plain_rejected);
  g_test_add_func ("/providers/autoconfig/missing-fields", test_missing_fields);
  g_test_add_func ("/providers/autoconfig/malformed", test_malformed);
  g_test_add_func ("/providers/autoconfig/hostile", test_hostile);

  return g_test_run ();
}
