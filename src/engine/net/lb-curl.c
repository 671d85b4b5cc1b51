/* lb-curl.c: libcurl set-up shared by IMAP, SMTP and HTTPS autoconfig
 *
 * Every handle verifies the peer certificate and host name.  A custom CA file may be
 * added (tests, self-hosted servers); there is deliberately no way to ignore errors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "lb-curl.h"
#include "lb-error.h"

void
lb_curl_global_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&once, 1);
    }
}

char *
lb_curl_build_url (const char *scheme,
                   const char *host,
                   guint16     port)
{
  /* IPv6 literals need brackets in URLs. */
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("%s://[%s]:%u/", scheme, host, port);
  return g_strdup_printf ("%s://%s:%u/", scheme, host, port);
}

static int
progress_cb (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  GCancellable *cancellable = user_data;

  /* Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK. */
  return g_cancellable_is_cancelled (cancellable) ? 1 : 0;
}

/* ---- The SASL mechanism of OAuth2 logins ------------------------------------------ */

/* XOAUTH2 is what Google and Microsoft document and every OAuth2 server offers but the
 * ones that follow RFC 7628 alone: those offer only OAUTHBEARER.  curl cannot be told
 * "XOAUTH2, else OAUTHBEARER" (given both, it prefers OAUTHBEARER), so the choice is ours,
 * from what the server announced: its CAPABILITY (IMAP) or EHLO (SMTP) lines, which the
 * IMAP and SMTP code pass to lb_curl_note_server_line() from curl's debug stream.  The
 * servers (host:port) found to offer only OAUTHBEARER are remembered for the process; the
 * first login to one uses XOAUTH2, fails at once without sending the token (curl finds no
 * mechanism it was allowed), and is retried by the caller when the note says so. */
static GMutex oauthbearer_lock;
static GHashTable *oauthbearer_servers;

static char *
server_key (const LbServerConfig *config)
{
  return g_strdup_printf ("%s:%u", config->host, config->port);
}

/**
 * lb_curl_oauth2_mechanism:
 *
 * Returns: the SASL mechanism for an OAuth2 login to @config's server, "XOAUTH2" unless
 *   it announced only "OAUTHBEARER"
 */
const char *
lb_curl_oauth2_mechanism (const LbServerConfig *config)
{
  g_autofree char *key = server_key (config);
  gboolean bearer;

  g_mutex_lock (&oauthbearer_lock);
  bearer = oauthbearer_servers != NULL && g_hash_table_contains (oauthbearer_servers, key);
  g_mutex_unlock (&oauthbearer_lock);
  return bearer ? "OAUTHBEARER" : "XOAUTH2";
}

/* The SASL mechanisms that LINE announces, as flags; 0 when it announces none.  IMAP:
 * "* CAPABILITY ... AUTH=XOAUTH2 ..." (or an OK [CAPABILITY ...] greeting); SMTP:
 * "250-AUTH PLAIN XOAUTH2" (and the old "250-AUTH=..."). */
enum { MECH_SEEN = 1, MECH_XOAUTH2 = 2, MECH_OAUTHBEARER = 4 };

static guint
parse_mechanisms (const char *line)
{
  g_auto(GStrv) words = g_strsplit_set (line, " \t\r\n[]", -1);
  gboolean smtp_auth = FALSE;
  guint found = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *w = words[i];
      const char *mech = NULL;

      if (g_ascii_strncasecmp (w, "250-AUTH", 8) == 0)
        {
          smtp_auth = TRUE;
          mech = w[8] == '=' ? w + 9 : NULL;
        }
      else if (i == 1 && g_str_equal (words[0], "250") && g_ascii_strcasecmp (w, "AUTH") == 0)
        smtp_auth = TRUE;   /* the last line of the EHLO reply: "250 AUTH ..." */
      else if (g_ascii_strncasecmp (w, "AUTH=", 5) == 0)
        mech = w + 5;
      else if (smtp_auth)
        mech = w;
      if (mech == NULL || mech[0] == '\0')
        continue;
      found |= MECH_SEEN;
      if (g_ascii_strcasecmp (mech, "XOAUTH2") == 0)
        found |= MECH_XOAUTH2;
      else if (g_ascii_strcasecmp (mech, "OAUTHBEARER") == 0)
        found |= MECH_OAUTHBEARER;
    }
  return found;
}

/**
 * lb_curl_note_server_line:
 * @line: one line the server sent during curl's connect and login (never one we sent)
 *
 * Learns, from an OAuth2 server's announced mechanisms, whether its logins must use
 * OAUTHBEARER.  Call it for every %CURLINFO_HEADER_IN line of an OAuth2 login.
 *
 * Returns: %TRUE when that changed lb_curl_oauth2_mechanism() for the server: a login
 *   refused now is worth one more try
 */
gboolean
lb_curl_note_server_line (const LbServerConfig *config,
                          const char           *line,
                          gsize                 length)
{
  g_autofree char *text = NULL;
  g_autofree char *key = NULL;
  gboolean bearer_only;
  gboolean changed;
  guint found;

  if (!LB_AUTH_IS_TOKEN (config->auth) || length < 8)
    return FALSE;
  text = g_strndup (line, MIN (length, 4096));
  if (g_ascii_strncasecmp (text, "250", 3) != 0 && strstr (text, "CAPABILITY") == NULL)
    return FALSE;
  found = parse_mechanisms (text);
  if (found == 0)
    return FALSE;
  bearer_only = (found & MECH_OAUTHBEARER) != 0 && (found & MECH_XOAUTH2) == 0;
  key = server_key (config);
  g_mutex_lock (&oauthbearer_lock);
  if (oauthbearer_servers == NULL)
    oauthbearer_servers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  changed = bearer_only != g_hash_table_contains (oauthbearer_servers, key);
  if (changed && bearer_only)
    g_hash_table_add (oauthbearer_servers, g_steal_pointer (&key));
  else if (changed)
    g_hash_table_remove (oauthbearer_servers, key);
  g_mutex_unlock (&oauthbearer_lock);
  if (changed)
    g_debug ("%s:%u offers %s for OAuth2", config->host, config->port,
             bearer_only ? "only OAUTHBEARER" : "XOAUTH2");
  return changed;
}

/* The login.  For OAuth2, libcurl's SASL XOAUTH2 (or OAUTHBEARER, above) with the access
 * token: never CURLOPT_HTTPAUTH (with it curl 7.88 sends OAUTHBEARER even when told
 * XOAUTH2), never a password.  One AUTH= only, so that curl never falls back to a
 * mechanism that would send the token as a password.  With CONNECT_ONLY curl still
 * authenticates before curl_easy_perform returns, so the IMAP connection works unchanged. */
static void
set_login (CURL                 *h,
           const LbServerConfig *config,
           const char           *secret)
{
  if (config->username != NULL)
    curl_easy_setopt (h, CURLOPT_USERNAME, config->username);
  if (secret == NULL)
    return;
  if (LB_AUTH_IS_TOKEN (config->auth))
    {
      g_autofree char *options = g_strconcat ("AUTH=", lb_curl_oauth2_mechanism (config), NULL);

      curl_easy_setopt (h, CURLOPT_XOAUTH2_BEARER, secret);
      /* curl copies string options. */
      curl_easy_setopt (h, CURLOPT_LOGIN_OPTIONS, options);
    }
  else
    curl_easy_setopt (h, CURLOPT_PASSWORD, secret);
}

/* The system's proxy for @url, as a libcurl proxy URL, or %NULL to connect directly.
 * GIO's resolver follows the desktop's settings (GNOME's, or libproxy's); it may block
 * (PAC scripts), which is fine on the worker threads every handle is made on. */
static char *
system_proxy_for (const char *url)
{
  g_auto(GStrv) proxies = NULL;
  const char *first;

  proxies = g_proxy_resolver_lookup (g_proxy_resolver_get_default (), url, NULL, NULL);
  first = proxies != NULL ? proxies[0] : NULL;
  if (first == NULL || g_str_has_prefix (first, "direct://"))
    return NULL;
  /* GIO names SOCKS version 5 "socks5" or just "socks"; libcurl must resolve names
   * through it too ("socks5h"), as behind such a proxy local DNS is often useless. */
  if (g_str_has_prefix (first, "socks5://"))
    return g_strconcat ("socks5h://", first + strlen ("socks5://"), NULL);
  if (g_str_has_prefix (first, "socks://"))
    return g_strconcat ("socks5h://", first + strlen ("socks://"), NULL);
  return g_strdup (first);
}

/**
 * lb_curl_set_proxy:
 * @proxy: (nullable): an #LbServerConfig proxy value: a URL, %LB_PROXY_NONE, or %NULL
 *   for the system setting
 * @url: the address @h connects to, for the system's per-address rules
 *
 * Points @h at the account's proxy.  Every handle that reaches an account's servers
 * (IMAP, IDLE, SMTP, OAuth2 tokens) goes through here.
 */
void
lb_curl_set_proxy (CURL       *h,
                   const char *proxy,
                   const char *url)
{
  g_autofree char *system = NULL;

  if (proxy != NULL && g_str_equal (proxy, LB_PROXY_NONE))
    {
      /* An empty proxy turns off libcurl's environment variables as well. */
      curl_easy_setopt (h, CURLOPT_PROXY, "");
      return;
    }
  if (proxy != NULL && proxy[0] != '\0')
    {
      curl_easy_setopt (h, CURLOPT_PROXY, proxy);
      return;
    }
  system = system_proxy_for (url);
  if (system != NULL)
    curl_easy_setopt (h, CURLOPT_PROXY, system);
}

/**
 * lb_curl_easy_new_for_server:
 * @password: (nullable): the password, or the OAuth2 access token when @config's auth
 *   is %LB_AUTH_OAUTH2 or %LB_AUTH_GOA
 * @errbuf: (out caller-allocates): CURL_ERROR_SIZE bytes that must outlive the handle
 *
 * Returns: a handle with TLS, login, timeouts, proxy and cancellation configured.
 */
CURL *
lb_curl_easy_new_for_server (const LbServerConfig *config,
                             const char           *password,
                             const char           *url,
                             GCancellable         *cancellable,
                             char                 *errbuf)
{
  CURL *h;

  lb_curl_global_init ();
  h = curl_easy_init ();
  g_assert (h != NULL);

  errbuf[0] = '\0';
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (h, CURLOPT_URL, url);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, 20L);
  curl_easy_setopt (h, CURLOPT_SERVER_RESPONSE_TIMEOUT, 60L);
  curl_easy_setopt (h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt (h, CURLOPT_TCP_KEEPIDLE, 60L);
  curl_easy_setopt (h, CURLOPT_TCP_KEEPINTVL, 30L);

  /* STARTTLS is mandatory: without CURLUSESSL_ALL curl would log in in clear text
   * when the server does not offer it. */
  curl_easy_setopt (h, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (config->ca_file != NULL && config->ca_file[0] != '\0')
    curl_easy_setopt (h, CURLOPT_CAINFO, config->ca_file);

  set_login (h, config, password);

  lb_curl_set_proxy (h, config->proxy, url);

  if (cancellable != NULL)
    {
      curl_easy_setopt (h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt (h, CURLOPT_XFERINFOFUNCTION, progress_cb);
      curl_easy_setopt (h, CURLOPT_XFERINFODATA, cancellable);
    }
  return h;
}

/**
 * lb_curl_note_os_error:
 * @h: the handle that failed
 * @code: what curl_easy_perform() returned
 * @errbuf: (inout): the handle's CURLOPT_ERRORBUFFER, %CURL_ERROR_SIZE bytes
 *
 * libcurl 7.88 words a refused connection as "Couldn't connect to server", the same as
 * any other failure to connect, so the error map could only say "check your internet
 * connection" to someone who typed the wrong port.  The socket's errno says what
 * happened: it is added to @errbuf in libcurl's later wording (fixed English, not
 * strerror()'s translation), which the error map recognises.
 */
void
lb_curl_note_os_error (CURL     *h,
                       CURLcode  code,
                       char     *errbuf)
{
  long os_errno = 0;
  const char *reason;
  gsize used;

  if (code != CURLE_COULDNT_CONNECT || errbuf == NULL)
    return;
  curl_easy_getinfo (h, CURLINFO_OS_ERRNO, &os_errno);
  switch (os_errno)
    {
    case ECONNREFUSED:
      reason = "Connection refused";
      break;
    case ENETUNREACH:
      reason = "Network is unreachable";
      break;
    case EHOSTUNREACH:
      reason = "No route to host";
      break;
    default:
      return;
    }
  if (strstr (errbuf, reason) != NULL)
    return;
  used = strnlen (errbuf, CURL_ERROR_SIZE - 1);
  g_snprintf (errbuf + used, CURL_ERROR_SIZE - used, "%s(%s)", used > 0 ? " " : "", reason);
}

/**
 * lb_curl_set_error:
 *
 * Turns a libcurl failure into an %LB_ERROR with a message a person can act on.  The
 * provider-aware, translated wording for the UI is added by the error mapper.
 */
void
lb_curl_set_error (GError    **error,
                   CURLcode    code,
                   const char *errbuf,
                   const char *host)
{
  const char *detail = (errbuf != NULL && errbuf[0] != '\0') ? errbuf : curl_easy_strerror (code);
  const char *h = host != NULL ? host : "the server";
  LbError lb_code;

  switch (code)
    {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      lb_code = LB_ERROR_DNS;
      break;
    case CURLE_OPERATION_TIMEDOUT:
      lb_code = LB_ERROR_TIMEOUT;
      break;
    case CURLE_LOGIN_DENIED:
    case CURLE_AUTH_ERROR:
      lb_code = LB_ERROR_AUTH;
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      lb_code = LB_ERROR_TLS;
      break;
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_WEIRD_SERVER_REPLY:
      lb_code = LB_ERROR_NETWORK;
      break;
    default:
      lb_code = LB_ERROR_FAILED;
      break;
    }
  g_set_error (error, LB_ERROR, lb_code, "%s: %s", h, detail);
}
