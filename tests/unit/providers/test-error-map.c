/* test-error-map.c: every server error text of PROVIDERS.md §6, and libcurl failures
 *
 * The server texts are byte-exact copies of what the servers send, including
 * QQ's older GBK-encoded 535 reply.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-error-map.h"
#include "lb-provider-db.h"

static const char qq_login_message[] =
  "QQ Mail refused the sign-in. Turn on IMAP/SMTP in QQ Mail's settings and use the "
  "authorization code, not your QQ password. After several failed tries, wait a few minutes.";

static LbProvider *
by_id (const char *id)
{
  LbProvider *p;

  if (id == NULL)
    return NULL;
  p = lb_provider_db_lookup_id (lb_provider_db_get_default (), id);
  g_assert_nonnull (p);
  return p;
}

/* Maps @text and checks the kind and that the message contains @needle.
 * Returns the message for further checks. */
static char *
check_map (const char        *provider_id,
           LbErrorPhase       phase,
           const char        *text,
           gsize              length,
           LbMappedErrorKind  expected_kind,
           const char        *needle)
{
  LbMappedErrorKind kind = -1;
  char *message = lb_error_map_server_text (by_id (provider_id), phase, text, length, &kind);

  g_assert_nonnull (message);
  g_assert_true (g_utf8_validate (message, -1, NULL));
  g_assert_cmpint (kind, ==, expected_kind);
  if (needle != NULL && strstr (message, needle) == NULL)
    g_error ("“%s” does not contain “%s”", message, needle);
  return message;
}

static void
test_qq_imap_login (void)
{
  static const char text[] =
    "A001 NO Login fail. Account is abnormal, service is not open, password is incorrect, "
    "login frequency limited, or system is busy.";
  g_autofree char *m = check_map ("qq", LB_ERROR_PHASE_IMAP_LOGIN, text, strlen (text),
                                  LB_MAPPED_ERROR_AUTH_OR_DISABLED, NULL);
  g_autofree char *m2 = check_map (NULL, LB_ERROR_PHASE_ANY, text, strlen (text),
                                   LB_MAPPED_ERROR_AUTH_OR_DISABLED, NULL);

  g_assert_cmpstr (m, ==, qq_login_message);
  g_assert_cmpstr (m2, ==, qq_login_message);
}

static void
test_qq_smtp_535 (void)
{
  static const char text[] =
    "535 Login Fail. Please enter your authorization code to login. More information in "
    "http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256";
  g_autofree char *m = check_map ("qq", LB_ERROR_PHASE_SMTP_AUTH, text, strlen (text),
                                  LB_MAPPED_ERROR_AUTH, "authorization code");

  g_assert_nonnull (strstr (m, "not your QQ password"));
}

static void
test_qq_smtp_535_gbk (void)
{
  /* "535 Error: 请使用授权码登录。详情请看: http://..." with the Chinese in GBK. */
  static const char text[] =
    "535 Error: \xc7\xeb\xca\xb9\xd3\xc3\xca\xda\xc8\xa8\xc2\xeb\xb5\xc7\xc2\xbc\xa1\xa3\xcf"
    "\xea\xc7\xe9\xc7\xeb\xbf\xb4: http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&"
    "no=1001256";
  g_autofree char *decoded = lb_error_map_decode_text (text, strlen (text));
  g_autofree char *m = NULL;

  g_assert_false (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_prefix (decoded, "535 Error: 请使用授权码登录。详情请看: http://"));

  m = check_map ("qq", LB_ERROR_PHASE_SMTP_AUTH, text, strlen (text), LB_MAPPED_ERROR_AUTH,
                 "authorization code");
  g_assert_nonnull (strstr (m, "not your QQ password"));
  /* The same bytes without a known provider. */
  g_clear_pointer (&m, g_free);
  m = check_map (NULL, LB_ERROR_PHASE_ANY, text, strlen (text), LB_MAPPED_ERROR_AUTH,
                 "authorization code");
}

static void
test_qq_smtp_535_2026 (void)
{
  static const char text[] =
    "535 Login fail. Account is abnormal, service is not open, password is incorrect, login "
    "frequency limited, or system is busy. More information in http://service.mail.qq.com/"
    "detail/0/53";
  g_autofree char *m = check_map ("qq", LB_ERROR_PHASE_SMTP_AUTH, text, strlen (text),
                                  LB_MAPPED_ERROR_AUTH_OR_DISABLED, NULL);

  g_assert_cmpstr (m, ==, qq_login_message);
}

static void
test_qq_authorized_code (void)
{
  static const char use[] = "-ERR Please using authorized code to login.";
  static const char wrong[] = "A1 NO Authorized code is incorrect";
  g_autofree char *m1 = check_map ("qq", LB_ERROR_PHASE_IMAP_LOGIN, use, strlen (use),
                                   LB_MAPPED_ERROR_AUTH, "authorization code");
  g_autofree char *m2 = check_map ("qq", LB_ERROR_PHASE_IMAP_LOGIN, wrong, strlen (wrong),
                                   LB_MAPPED_ERROR_AUTH, "generate a new one");
}

static void
test_exmail_weixin_token (void)
{
  static const char text[] = "A001 NO Login fail. Please using weixin token";
  g_autofree char *m = check_map ("tencent-exmail", LB_ERROR_PHASE_IMAP_LOGIN, text,
                                  strlen (text), LB_MAPPED_ERROR_AUTH,
                                  "client-specific password");
}

static void
test_mail_from_mismatch (void)
{
  static const char text[] = "501 Mail from address must be same as authorization user.";
  g_autofree char *m = check_map ("qq", LB_ERROR_PHASE_SMTP_MAIL_FROM, text, strlen (text),
                                  LB_MAPPED_ERROR_SENDER_MISMATCH, "address you signed in with");
  g_autofree char *m2 = check_map ("tencent-exmail", LB_ERROR_PHASE_SMTP_MAIL_FROM, text,
                                   strlen (text), LB_MAPPED_ERROR_SENDER_MISMATCH, NULL);
}

static void
test_netease_login (void)
{
  static const char text[] = "a01 NO LOGIN Login error or password error";
  g_autofree char *m = check_map ("netease-163", LB_ERROR_PHASE_IMAP_LOGIN, text, strlen (text),
                                  LB_MAPPED_ERROR_AUTH, "authorization code");
}

static void
test_netease_unsafe_login (void)
{
  static const char text[] = "a02 NO SELECT Unsafe Login. Please contact kefu@188.com for help";
  g_autofree char *m = check_map ("netease-163", LB_ERROR_PHASE_IMAP_SELECT, text, strlen (text),
                                  LB_MAPPED_ERROR_CLIENT_BUG, "bug in Letterbox");

  g_assert_cmpint (lb_mapped_error_kind_to_code (LB_MAPPED_ERROR_CLIENT_BUG), ==,
                   LB_ERROR_PROTOCOL);
}

static void
test_netease_smtp (void)
{
  static const char bad_code[] = "535 Error: authentication failed";
  static const char no_permission[] = "550 User has no permission";
  g_autofree char *m1 = check_map ("netease-163", LB_ERROR_PHASE_SMTP_AUTH, bad_code,
                                   strlen (bad_code), LB_MAPPED_ERROR_AUTH, "NetEase");
  g_autofree char *m2 = check_map ("netease-126", LB_ERROR_PHASE_SMTP_MAIL_FROM, no_permission,
                                   strlen (no_permission), LB_MAPPED_ERROR_SERVICE_DISABLED,
                                   "SMTP service");
}

static void
test_netease_spam (void)
{
  static const char text[] =
    "554 DT:SPM 163 smtp10,DsCowAD3Z0X5ZmBlAAAA--.12345S2 1700000000,please see "
    "http://mail.163.com/help/help_spam_16.htm?ip=203.0.113.5&hostid=smtp10&time=1700000000";
  g_autofree char *m = check_map ("netease-163", LB_ERROR_PHASE_SMTP_DATA, text, strlen (text),
                                  LB_MAPPED_ERROR_REJECTED_AS_SPAM, "not a password problem");
}

static void
test_aliyun_526 (void)
{
  static const char text[] = "526 Authentication failure[0]";
  g_autofree char *m = check_map ("aliyun-qiye", LB_ERROR_PHASE_SMTP_AUTH, text, strlen (text),
                                  LB_MAPPED_ERROR_AUTH, "third-party client security password");
  g_autofree char *m2 = check_map (NULL, LB_ERROR_PHASE_ANY, text, strlen (text),
                                   LB_MAPPED_ERROR_AUTH, "third-party client security password");
}

static void
test_outlook_login_failed (void)
{
  static const char text[] = "A1 NO LOGIN failed.";
  g_autofree char *m = check_map ("outlook", LB_ERROR_PHASE_IMAP_LOGIN, text, strlen (text),
                                  LB_MAPPED_ERROR_OAUTH2_REQUIRED, "OAuth2");
  g_autofree char *m2 = check_map ("microsoft365", LB_ERROR_PHASE_ANY, text, strlen (text),
                                   LB_MAPPED_ERROR_OAUTH2_REQUIRED, "OAuth2");
  /* On a server that takes passwords, the same words are a plain refusal. */
  g_autofree char *m3 = check_map (NULL, LB_ERROR_PHASE_IMAP_LOGIN, text, strlen (text),
                                   LB_MAPPED_ERROR_AUTH, "password");

  g_assert_cmpint (lb_mapped_error_kind_to_code (LB_MAPPED_ERROR_OAUTH2_REQUIRED), ==,
                   LB_ERROR_UNSUPPORTED);
}

static void
test_gmail_too_many_connections (void)
{
  static const char text[] = "* BYE [ALERT] Too many simultaneous connections. (Failure)";
  g_autofree char *m = check_map ("gmail", LB_ERROR_PHASE_IMAP_LOGIN, text, strlen (text),
                                  LB_MAPPED_ERROR_TOO_MANY_CONNECTIONS, "at the same time");
}

static void
test_yandex_553 (void)
{
  static const char text[] = "553 5.7.1 Sender address rejected: not owned by auth user.";
  g_autofree char *m = check_map ("yandex", LB_ERROR_PHASE_SMTP_MAIL_FROM, text, strlen (text),
                                  LB_MAPPED_ERROR_SENDER_MISMATCH, "address you signed in with");
}

static void
test_generic_auth (void)
{
  static const char dovecot[] = "a1 NO [AUTHENTICATIONFAILED] Authentication failed.";
  static const char odd[] = "a1 NO something nobody has seen before";
  g_autofree char *m1 = check_map ("gmail", LB_ERROR_PHASE_IMAP_LOGIN, dovecot, strlen (dovecot),
                                   LB_MAPPED_ERROR_AUTH, "app password");
  g_autofree char *m2 = check_map (NULL, LB_ERROR_PHASE_ANY, dovecot, strlen (dovecot),
                                   LB_MAPPED_ERROR_AUTH, "password");
  /* Any refusal at login is a refused sign-in. */
  g_autofree char *m3 = check_map ("icloud", LB_ERROR_PHASE_IMAP_LOGIN, odd, strlen (odd),
                                   LB_MAPPED_ERROR_AUTH, "app-specific password");
  g_autofree char *m4 = check_map ("outlook", LB_ERROR_PHASE_SMTP_AUTH, odd, strlen (odd),
                                   LB_MAPPED_ERROR_OAUTH2_REQUIRED, NULL);
}

static void
test_unknown (void)
{
  static const char text[] = "a5 NO [TRYCREATE] Mailbox does not exist";
  LbMappedErrorKind kind = -1;
  char *m;

  m = lb_error_map_server_text (by_id ("gmail"), LB_ERROR_PHASE_IMAP_SELECT, text,
                                strlen (text), &kind);
  g_assert_null (m);
  g_assert_cmpint (kind, ==, LB_MAPPED_ERROR_UNKNOWN);
  m = lb_error_map_server_text (NULL, LB_ERROR_PHASE_ANY, "", 0, &kind);
  g_assert_null (m);
  m = lb_error_map_server_text (NULL, LB_ERROR_PHASE_ANY, NULL, 0, NULL);
  g_assert_null (m);
  /* The text ends at a NUL; what follows is not matched. */
  m = lb_error_map_server_text (NULL, LB_ERROR_PHASE_ANY, "ok\0dt:spm", 9, &kind);
  g_assert_null (m);
}

/* Refusals any SMTP server gives: a recipient it does not know, a message too large. */
static void
test_smtp_refusals (void)
{
  static const struct {
    const char        *text;
    LbMappedErrorKind  kind;
  } cases[] = {
    { "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual "
      "mailbox table", LB_MAPPED_ERROR_RECIPIENT_REFUSED },
    { "550 Requested action not taken: mailbox unavailable", LB_MAPPED_ERROR_RECIPIENT_REFUSED },
    { "550-5.1.1 The email account that you tried to reach does not exist.",
      LB_MAPPED_ERROR_RECIPIENT_REFUSED },
    { "552 5.3.4 Message size exceeds fixed maximum message size", LB_MAPPED_ERROR_MESSAGE_TOO_BIG },
    { "552 Message too big for this server", LB_MAPPED_ERROR_MESSAGE_TOO_BIG },
    /* A full mailbox is neither: the server's own words are shown. */
    { "452 4.2.2 Mailbox full", LB_MAPPED_ERROR_UNKNOWN },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      LbMappedErrorKind kind = -1;
      g_autofree char *m = lb_error_map_server_text (NULL, LB_ERROR_PHASE_ANY, cases[i].text,
                                                     strlen (cases[i].text), &kind);

      g_assert_cmpint (kind, ==, cases[i].kind);
      if (cases[i].kind == LB_MAPPED_ERROR_UNKNOWN)
        g_assert_null (m);
      else
        g_assert_nonnull (m);
      g_assert_cmpint (lb_mapped_error_kind_to_code (kind), ==, LB_ERROR_SERVER_NO);
    }
}

static void
test_decode (void)
{
  g_autofree char *utf8 = lb_error_map_decode_text ("已发送", strlen ("已发送"));
  g_autofree char *junk = lb_error_map_decode_text ("\xff\xff\xff", 3);
  g_autofree char *big = g_malloc (100000);
  g_autofree char *cut = NULL;

  g_assert_cmpstr (utf8, ==, "已发送");
  g_assert_true (g_utf8_validate (junk, -1, NULL));
  memset (big, 'a', 100000);
  cut = lb_error_map_decode_text (big, 100000);
  g_assert_cmpuint (strlen (cut), <=, 8192);
}

typedef struct {
  CURLcode      code;
  const char   *errbuf;
  GQuark        domain;
  int           error_code;
  const char   *needle;
} CurlCase;

static void
test_curl (void)
{
  const CurlCase cases[] = {
    { CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: imap.example.test",
      LB_ERROR, LB_ERROR_DNS, "Could not find" },
    { CURLE_COULDNT_CONNECT, "Failed to connect to imap.example.test port 993 after 3 ms: "
      "Couldn't connect to server (Network is unreachable)", LB_ERROR, LB_ERROR_NETWORK,
      "network is unreachable" },
    { CURLE_COULDNT_CONNECT, "Failed to connect to imap.example.test port 993 after 0 ms: "
      "Connection refused", LB_ERROR, LB_ERROR_NETWORK, "refused" },
    { CURLE_COULDNT_CONNECT, NULL, LB_ERROR, LB_ERROR_NETWORK, "Could not connect" },
    { CURLE_OPERATION_TIMEDOUT, "Connection timed out after 20001 milliseconds",
      LB_ERROR, LB_ERROR_TIMEOUT, "in time" },
    { CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem: self-signed certificate",
      LB_ERROR, LB_ERROR_TLS, "not trusted" },
    { CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem: self signed certificate in "
      "certificate chain", LB_ERROR, LB_ERROR_TLS, "not trusted" },
    { CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem: unable to get local issuer "
      "certificate", LB_ERROR, LB_ERROR_TLS, "not trusted" },
    { CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem: certificate has expired",
      LB_ERROR, LB_ERROR_TLS, "expired" },
    { CURLE_PEER_FAILED_VERIFICATION, "SSL: no alternative certificate subject name matches "
      "target host name 'imap.example.test'", LB_ERROR, LB_ERROR_TLS, "different server name" },
    { CURLE_PEER_FAILED_VERIFICATION, "SSL: certificate subject name 'a' does not match target "
      "host name 'b'", LB_ERROR, LB_ERROR_TLS, "different server name" },
    { CURLE_SSL_CONNECT_ERROR, "OpenSSL SSL_connect: SSL_ERROR_SYSCALL", LB_ERROR, LB_ERROR_TLS,
      "secure connection" },
    { CURLE_USE_SSL_FAILED, "STARTTLS not supported.", LB_ERROR, LB_ERROR_TLS, "STARTTLS" },
    { CURLE_RECV_ERROR, "Connection reset by peer", LB_ERROR, LB_ERROR_NETWORK, "broke off" },
    { CURLE_ABORTED_BY_CALLBACK, "Callback aborted", G_IO_ERROR, G_IO_ERROR_CANCELLED, NULL },
    { CURLE_OUT_OF_MEMORY, NULL, LB_ERROR, LB_ERROR_FAILED, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = lb_error_map_curl (cases[i].code, cases[i].errbuf,
                                                   "imap.example.test", NULL,
                                                   LB_ERROR_PHASE_IMAP_LOGIN, NULL, 0);

      g_assert_error (error, cases[i].domain, cases[i].error_code);
      if (cases[i].needle != NULL && strstr (error->message, cases[i].needle) == NULL)
        g_error ("case %u: “%s” lacks “%s”", i, error->message, cases[i].needle);
      /* DNS, time-out and certificate messages say which server is meant. */
      if (cases[i].domain == LB_ERROR
          && (cases[i].error_code == LB_ERROR_DNS || cases[i].error_code == LB_ERROR_TIMEOUT
              || cases[i].error_code == LB_ERROR_TLS))
        g_assert_nonnull (strstr (error->message, "imap.example.test"));
    }
}

static void
test_curl_login_denied (void)
{
  static const char qq_text[] =
    "A001 NO Login fail. Account is abnormal, service is not open, password is incorrect, "
    "login frequency limited, or system is busy.";
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  g_autoptr(GError) e4 = NULL;

  /* With the server's text: the provider-specific message. */
  e1 = lb_error_map_curl (CURLE_LOGIN_DENIED, "Login denied", "imap.qq.com", by_id ("qq"),
                          LB_ERROR_PHASE_IMAP_LOGIN, qq_text, strlen (qq_text));
  g_assert_error (e1, LB_ERROR, LB_ERROR_AUTH);
  g_assert_cmpstr (e1->message, ==, qq_login_message);

  /* Without it: the provider's name and secret. */
  e2 = lb_error_map_curl (CURLE_LOGIN_DENIED, "Login denied", "imap.163.com",
                          by_id ("netease-163"), LB_ERROR_PHASE_IMAP_LOGIN, NULL, 0);
  g_assert_error (e2, LB_ERROR, LB_ERROR_AUTH);
  g_assert_nonnull (strstr (e2->message, "NetEase 163 Mail"));

  e3 = lb_error_map_curl (CURLE_LOGIN_DENIED, NULL, "outlook.office365.com", by_id ("outlook"),
                          LB_ERROR_PHASE_IMAP_LOGIN, "A1 NO LOGIN failed.", 19);
  g_assert_error (e3, LB_ERROR, LB_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (e3->message, "OAuth2"));

  e4 = lb_error_map_curl (CURLE_LOGIN_DENIED, NULL, NULL, NULL, LB_ERROR_PHASE_SMTP_AUTH, NULL, 0);
  g_assert_error (e4, LB_ERROR, LB_ERROR_AUTH);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/providers/error-map/qq-imap-login", test_qq_imap_login);
  g_test_add_func ("/providers/error-map/qq-smtp-535", test_qq_smtp_535);
  g_test_add_func ("/providers/error-map/qq-smtp-535-gbk", test_qq_smtp_535_gbk);
  g_test_add_func ("/providers/error-map/qq-smtp-535-2026", test_qq_smtp_535_2026);
  g_test_add_func ("/providers/error-map/qq-authorized-code", test_qq_authorized_code);
  g_test_add_func ("/providers/error-map/exmail-weixin-token", test_exmail_weixin_token);
  g_test_add_func ("/providers/error-map/mail-from-mismatch", test_mail_from_mismatch);
  g_test_add_func ("/providers/error-map/netease-login", test_netease_login);
  g_test_add_func ("/providers/error-map/netease-unsafe-login", test_netease_unsafe_login);
  g_test_add_func ("/providers/error-map/netease-smtp", test_netease_smtp);
  g_test_add_func ("/providers/error-map/netease-spam", test_netease_spam);
  g_test_add_func ("/providers/error-map/aliyun-526", test_aliyun_526);
  g_test_add_func ("/providers/error-map/outlook-login-failed", test_outlook_login_failed);
  g_test_add_func ("/providers/error-map/gmail-too-many-connections",
                   test_gmail_too_many_connections);
  g_test_add_func ("/providers/error-map/yandex-553", test_yandex_553);
  g_test_add_func ("/providers/error-map/generic-auth", test_generic_auth);
  g_test_add_func ("/providers/error-map/unknown", test_unknown);
  g_test_add_func ("/providers/error-map/smtp-refusals", test_smtp_refusals);
  g_test_add_func ("/providers/error-map/decode", test_decode);
  g_test_add_func ("/providers/error-map/curl", test_curl);
  g_test_add_func ("/providers/error-map/curl-login-denied", test_curl_login_denied);

  return g_test_run ();
}
