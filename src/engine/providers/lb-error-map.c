/* lb-error-map.c: server error texts and libcurl failures as messages a person can act on
 *
 * Providers answer a refused login with fixed English (sometimes GBK Chinese)
 * sentences that do not say what to do.  The rules below match those sentences
 * case-insensitively on substrings and say it instead.  The table follows the
 * rows of PROVIDERS.md §6; the most specific sentences come first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lb-error-map.h"

/* Server texts are a line or two.  A hostile server may send megabytes; only
 * the start is looked at, so matching stays cheap. */
#define MAX_TEXT_BYTES 8192

#define PHASE(p) (1u << (p))
#define AUTH_PHASES (PHASE (LB_ERROR_PHASE_IMAP_LOGIN) | PHASE (LB_ERROR_PHASE_SMTP_AUTH))

typedef struct {
  /* Provider family the rule is for; NULL for sentences only one provider uses. */
  const char        *family;
  /* Bit mask of phases; 0 means any phase. */
  guint              phases;
  /* Lower-case substrings; any one of them matches. */
  const char        *needles[4];
  LbMappedErrorKind  kind;
  const char        *message;
} Rule;

static const Rule rules[] = {
  /* 163/126/yeah answer SELECT so until the client sends IMAP ID (§5). */
  { NULL, 0, { "unsafe login" }, LB_MAPPED_ERROR_CLIENT_BUG,
    N_("The server refused to open the folder because Letterbox did not identify itself "
       "first (IMAP ID). This is a bug in Letterbox, not a problem with your account or "
       "password. Please report it.") },
  { NULL, 0, { "please using weixin token" }, LB_MAPPED_ERROR_AUTH,
    N_("Tencent Exmail has secure login (WeChat) turned on. Generate a client-specific "
       "password under Settings → Mailbox binding in Exmail, and use it here instead of "
       "your mailbox password.") },
  /* The GBK sentence arrives decoded from GB18030 (see lb_error_map_decode_text()). */
  { NULL, 0, { "please enter your authorization code", "请使用授权码登录",
               "please using authorized code" }, LB_MAPPED_ERROR_AUTH,
    N_("QQ Mail wants the authorization code, not your QQ password. Turn on IMAP/SMTP in "
       "QQ Mail's settings, generate an authorization code and enter it here.") },
  { NULL, 0, { "authorized code is incorrect" }, LB_MAPPED_ERROR_AUTH,
    N_("QQ Mail did not accept the authorization code. It may be mistyped or revoked: "
       "generate a new one in QQ Mail's settings and enter it here.") },
  /* One sentence for several causes; the message has to name them all. */
  { NULL, 0, { "account is abnormal" }, LB_MAPPED_ERROR_AUTH_OR_DISABLED,
    N_("QQ Mail refused the sign-in. Turn on IMAP/SMTP in QQ Mail's settings and use the "
       "authorization code, not your QQ password. After several failed tries, wait a few "
       "minutes.") },
  { NULL, 0, { "mail from address must be same as authorization user",
               "not owned by auth user" }, LB_MAPPED_ERROR_SENDER_MISMATCH,
    N_("The server only sends mail from the address you signed in with. Send from that "
       "address, or set this one up as an alias in the provider's web mail first.") },
  { NULL, 0, { "login error or password error" }, LB_MAPPED_ERROR_AUTH,
    N_("NetEase Mail refused the sign-in. Turn on IMAP/SMTP in the web mail settings and "
       "use a client authorization code, not your web password.") },
  { NULL, 0, { "dt:spm" }, LB_MAPPED_ERROR_REJECTED_AS_SPAM,
    N_("NetEase rejected the message as suspected spam. This is not a password problem: "
       "change the content, or wait a while before sending again.") },
  { NULL, 0, { "user has no permission" }, LB_MAPPED_ERROR_SERVICE_DISABLED,
    N_("The server does not let this account send mail. Turn on the SMTP service in the "
       "web mail settings and use the client authorization code as the password.") },
  { "netease", 0, { "authentication failed" }, LB_MAPPED_ERROR_AUTH,
    N_("NetEase Mail refused the sign-in. Turn on IMAP/SMTP in the web mail settings and "
       "use a client authorization code, not your web password.") },
  { NULL, 0, { "526 authentication failure" }, LB_MAPPED_ERROR_AUTH,
    N_("Alibaba Mail refused the sign-in. Generate a third-party client security password "
       "in the web mail settings and use it instead of your web password.") },
  { "aliyun", AUTH_PHASES, { "authentication failure" }, LB_MAPPED_ERROR_AUTH,
    N_("Alibaba Mail refused the sign-in. Generate a third-party client security password "
       "in the web mail settings and use it instead of your web password.") },
  { NULL, 0, { "too many simultaneous connections" }, LB_MAPPED_ERROR_TOO_MANY_CONNECTIONS,
    N_("Too many programs are connected to this mailbox at the same time. Close other mail "
       "apps or wait a few minutes, then try again.") },
  /* Exchange says only "LOGIN failed." for a password it no longer accepts. */
  { "microsoft", 0, { "login failed", "authenticate failed", "authentication unsuccessful" },
    LB_MAPPED_ERROR_OAUTH2_REQUIRED,
    N_("Microsoft no longer accepts passwords or app passwords from mail apps for this "
       "account. It requires signing in with a Microsoft account (OAuth2): remove the "
       "account and add it again with “Sign in with Microsoft”.") },
  /* SMTP refusals any server gives, by enhanced status code (RFC 3463) or wording. */
  { NULL, 0, { "5.3.4", "message size exceeds", "message too big", "message too large" },
    LB_MAPPED_ERROR_MESSAGE_TOO_BIG,
    N_("The message is larger than the server accepts. Remove attachments or share them as "
       "links, then send it again.") },
  { NULL, 0, { "5.1.1", "user unknown", "no such user", "recipient address rejected" },
    LB_MAPPED_ERROR_RECIPIENT_REFUSED,
    N_("The server refused a recipient: the address may be mistyped or no longer exist. "
       "Check the addresses, then send it again.") },
  { NULL, 0, { "mailbox unavailable", "mailbox not found", "invalid recipient",
               "recipient rejected" }, LB_MAPPED_ERROR_RECIPIENT_REFUSED,
    N_("The server refused a recipient: the address may be mistyped or no longer exist. "
       "Check the addresses, then send it again.") },
};

/* Sentences that mean "wrong credentials" on any server. */
static const char * const generic_auth_needles[] = {
  "authenticationfailed",
  "authentication failed",
  "authentication failure",
  "invalid credentials",
  "login failed",
  "535 ",
};

static const char oauth2_message[] =
  N_("Microsoft no longer accepts passwords or app passwords from mail apps for this "
     "account. It requires signing in with a Microsoft account (OAuth2): remove the "
     "account and add it again with “Sign in with Microsoft”.");

/**
 * lb_error_map_decode_text:
 * @raw_bytes: a server reply, in whatever encoding the server chose
 *
 * Servers in China may answer in GBK (QQ's older SMTP 535).  Valid UTF-8 is
 * kept; anything else is read as GB18030, a superset of GBK; what still does
 * not convert gets replacement characters.
 *
 * Returns: (transfer full): UTF-8 text, at most about 8 KiB of input
 */
char *
lb_error_map_decode_text (const char *raw_bytes,
                          gsize       length)
{
  char *converted;

  if (raw_bytes == NULL)
    return g_strdup ("");
  length = MIN (length, MAX_TEXT_BYTES);
  /* An embedded NUL ends the text: nothing after it is shown either. */
  length = strnlen (raw_bytes, length);
  if (g_utf8_validate (raw_bytes, length, NULL))
    return g_strndup (raw_bytes, length);

  converted = g_convert (raw_bytes, length, "UTF-8", "GB18030", NULL, NULL, NULL);
  if (converted != NULL && g_utf8_validate (converted, -1, NULL))
    return converted;
  g_free (converted);
  return g_utf8_make_valid (raw_bytes, length);
}

static gboolean
contains_any (const char         *haystack,
              const char * const *needles,
              gsize               n_needles)
{
  for (gsize i = 0; i < n_needles && needles[i] != NULL; i++)
    if (strstr (haystack, needles[i]) != NULL)
      return TRUE;
  return FALSE;
}

static char *
generic_auth_message (const LbProvider  *provider,
                      LbMappedErrorKind *kind_out)
{
  if (provider != NULL && lb_provider_get_credential_kind (provider) == LB_CREDENTIAL_OAUTH2_ONLY)
    {
      *kind_out = LB_MAPPED_ERROR_OAUTH2_REQUIRED;
      return g_strdup (_(oauth2_message));
    }
  *kind_out = LB_MAPPED_ERROR_AUTH;
  if (provider != NULL)
    {
      /* Translators: the first %s is a provider such as "Gmail", the second what
       * it calls the secret, such as "app password" or "授权码". */
      return g_strdup_printf (_("%s refused the sign-in. Check the user name and the %s, "
                                "and that IMAP/SMTP access is turned on in the web mail "
                                "settings."),
                              lb_provider_get_name (provider, NULL),
                              lb_provider_get_secret_term (provider, NULL));
    }
  return g_strdup (_("The server refused the sign-in. Check the user name and the password."));
}

/**
 * lb_error_map_server_text:
 * @provider: (nullable): the account's provider, if known
 * @phase: what the client was doing
 * @raw_bytes: the server's reply text, as received (any encoding)
 * @length: its length in bytes
 * @kind_out: (out) (optional): what the text means
 *
 * Maps a NO/BAD or SMTP error text to a friendly, translated message.  A
 * refusal during login with an unknown text still gets the generic message
 * for a refused sign-in (naming the provider's secret when it is known).
 *
 * Returns: (transfer full) (nullable): the message, or %NULL (and
 *   %LB_MAPPED_ERROR_UNKNOWN) if no rule applies: show the server's text then
 */
char *
lb_error_map_server_text (const LbProvider  *provider,
                          LbErrorPhase       phase,
                          const char        *raw_bytes,
                          gsize              length,
                          LbMappedErrorKind *kind_out)
{
  g_autofree char *text = NULL;
  g_autofree char *lower = NULL;
  LbMappedErrorKind kind = LB_MAPPED_ERROR_UNKNOWN;
  const char *family = provider != NULL ? lb_provider_get_family (provider) : NULL;
  char *message = NULL;

  g_return_val_if_fail (raw_bytes != NULL || length == 0, NULL);

  text = lb_error_map_decode_text (raw_bytes, length);
  /* ASCII folding leaves multi-byte UTF-8 (the Chinese needles) untouched. */
  lower = g_ascii_strdown (text, -1);

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      const Rule *rule = &rules[i];

      if (rule->family != NULL && g_strcmp0 (rule->family, family) != 0)
        continue;
      if (rule->phases != 0 && (rule->phases & PHASE (phase)) == 0)
        continue;
      if (!contains_any (lower, rule->needles, G_N_ELEMENTS (rule->needles)))
        continue;
      kind = rule->kind;
      message = g_strdup (_(rule->message));
      break;
    }

  if (message == NULL
      && ((AUTH_PHASES & PHASE (phase)) != 0
          || contains_any (lower, generic_auth_needles, G_N_ELEMENTS (generic_auth_needles))))
    message = generic_auth_message (provider, &kind);

  if (kind_out != NULL)
    *kind_out = kind;
  return message;
}

/**
 * lb_mapped_error_kind_to_code:
 *
 * Returns: the %LB_ERROR code that fits @kind
 */
LbError
lb_mapped_error_kind_to_code (LbMappedErrorKind kind)
{
  switch (kind)
    {
    case LB_MAPPED_ERROR_AUTH:
    case LB_MAPPED_ERROR_AUTH_OR_DISABLED:
    case LB_MAPPED_ERROR_SERVICE_DISABLED:
      return LB_ERROR_AUTH;
    case LB_MAPPED_ERROR_OAUTH2_REQUIRED:
      return LB_ERROR_UNSUPPORTED;
    case LB_MAPPED_ERROR_CLIENT_BUG:
      return LB_ERROR_PROTOCOL;
    case LB_MAPPED_ERROR_UNKNOWN:
    case LB_MAPPED_ERROR_SENDER_MISMATCH:
    case LB_MAPPED_ERROR_TOO_MANY_CONNECTIONS:
    case LB_MAPPED_ERROR_REJECTED_AS_SPAM:
    default:
      return LB_ERROR_SERVER_NO;
    }
}

static gboolean
errbuf_has (const char *lower_errbuf,
            const char *needle)
{
  return lower_errbuf != NULL && strstr (lower_errbuf, needle) != NULL;
}

/**
 * lb_error_map_curl:
 * @code: what libcurl returned; must not be %CURLE_OK
 * @errbuf: (nullable): the handle's CURLOPT_ERRORBUFFER text
 * @host: (nullable): the server's host name, for the message
 * @provider: (nullable): the account's provider, for a refused login
 * @phase: what the client was doing, for a refused login
 * @server_text: (nullable): the server's last reply, if the caller has it
 * @server_text_length: its length
 *
 * Turns a libcurl failure into an error with a message that names the
 * problem: DNS, refused or unreachable, time-out, each kind of certificate
 * failure, or a refused login in the provider's words.  An abort by the
 * progress callback is reported as %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full): the error, in %LB_ERROR or %G_IO_ERROR
 */
GError *
lb_error_map_curl (CURLcode          code,
                   const char       *errbuf,
                   const char       *host,
                   const LbProvider *provider,
                   LbErrorPhase      phase,
                   const char       *server_text,
                   gsize             server_text_length)
{
  g_autofree char *lower = errbuf != NULL ? g_ascii_strdown (errbuf, -1) : NULL;
  g_autofree char *server = NULL;

  g_return_val_if_fail (code != CURLE_OK, NULL);

  if (host != NULL && g_utf8_validate (host, -1, NULL))
    /* Translators: used inside other messages, e.g. "Could not connect to %s." */
    server = g_strdup_printf (_("the server %s"), host);
  else
    server = g_strdup (_("the server"));

  switch ((int) code)
    {
    case CURLE_ABORTED_BY_CALLBACK:
      return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));

    case CURLE_COULDNT_RESOLVE_HOST:
      return g_error_new (LB_ERROR, LB_ERROR_DNS,
                          _("Could not find %s. Check the server name and your internet "
                            "connection."), server);

    case CURLE_COULDNT_RESOLVE_PROXY:
      return g_error_new_literal (LB_ERROR, LB_ERROR_DNS,
                                  _("Could not find the proxy server. Check the proxy "
                                    "settings and your internet connection."));

    case CURLE_COULDNT_CONNECT:
      if (errbuf_has (lower, "network is unreachable") || errbuf_has (lower, "no route to host"))
        return g_error_new_literal (LB_ERROR, LB_ERROR_NETWORK,
                                    _("The network is unreachable. Check your internet "
                                      "connection."));
      if (errbuf_has (lower, "connection refused"))
        return g_error_new (LB_ERROR, LB_ERROR_NETWORK,
                            _("The connection was refused by %s. Check the port and the "
                              "security setting."), server);
      return g_error_new (LB_ERROR, LB_ERROR_NETWORK,
                          _("Could not connect to %s. Check your internet connection."),
                          server);

    case CURLE_OPERATION_TIMEDOUT:
      return g_error_new (LB_ERROR, LB_ERROR_TIMEOUT,
                          _("There was no answer from %s in time. Check your internet "
                            "connection, or try again later."), server);

    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_WEIRD_SERVER_REPLY:
      return g_error_new (LB_ERROR, LB_ERROR_NETWORK,
                          _("The connection to %s broke off. Try again."), server);

    case CURLE_USE_SSL_FAILED:
      return g_error_new (LB_ERROR, LB_ERROR_TLS,
                          _("STARTTLS is not offered by %s, so the connection cannot be "
                            "secured. Letterbox never sends passwords unencrypted."), server);

    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      if (errbuf_has (lower, "certificate has expired"))
        return g_error_new (LB_ERROR, LB_ERROR_TLS,
                            _("The security certificate of %s has expired. Letterbox cannot "
                              "connect safely until the server's administrator renews it."),
                            server);
      if (errbuf_has (lower, "no alternative certificate subject name matches")
          || errbuf_has (lower, "does not match target host name")
          || errbuf_has (lower, "subject name does not match"))
        return g_error_new (LB_ERROR, LB_ERROR_TLS,
                            _("The security certificate of %s belongs to a different server "
                              "name. Check the server name in the account settings."),
                            server);
      if (errbuf_has (lower, "self signed") || errbuf_has (lower, "self-signed")
          || errbuf_has (lower, "unable to get local issuer")
          || errbuf_has (lower, "unable to verify the first certificate"))
        return g_error_new (LB_ERROR, LB_ERROR_TLS,
                            _("The security certificate of %s is not trusted: it is "
                              "self-signed or issued by an unknown authority. Letterbox does "
                              "not connect to servers it cannot verify."), server);
      return g_error_new (LB_ERROR, LB_ERROR_TLS,
                          _("Could not set up a secure connection to %s."), server);

    case CURLE_LOGIN_DENIED:
    case CURLE_AUTH_ERROR:
      {
        LbMappedErrorKind kind = LB_MAPPED_ERROR_UNKNOWN;
        g_autofree char *message = NULL;

        if (server_text != NULL)
          message = lb_error_map_server_text (provider, phase, server_text,
                                              server_text_length, &kind);
        if (message == NULL)
          message = generic_auth_message (provider, &kind);
        return g_error_new_literal (LB_ERROR, lb_mapped_error_kind_to_code (kind), message);
      }

    default:
      return g_error_new (LB_ERROR, LB_ERROR_FAILED,
                          _("The connection to %s failed: %s"), server,
                          curl_easy_strerror (code));
    }
}
