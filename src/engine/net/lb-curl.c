/* lb-curl.c: libcurl set-up shared by IMAP, SMTP and HTTPS autoconfig
 *
 * Every handle verifies the peer certificate and host name.  A custom CA file may be
 * added (tests, self-hosted servers); there is deliberately no way to ignore errors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

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

/* The login.  For OAuth2, libcurl's SASL XOAUTH2 with the access token: never
 * CURLOPT_HTTPAUTH (with it curl 7.88 sends OAUTHBEARER even when told XOAUTH2), never a
 * password.  With CONNECT_ONLY curl still authenticates before curl_easy_perform
 * returns, so the IMAP connection works unchanged. */
static void
set_login (CURL                 *h,
           const LbServerConfig *config,
           const char           *secret)
{
  if (config->username != NULL)
    curl_easy_setopt (h, CURLOPT_USERNAME, config->username);
  if (secret == NULL)
    return;
  if (config->auth == LB_AUTH_OAUTH2)
    {
      curl_easy_setopt (h, CURLOPT_XOAUTH2_BEARER, secret);
      curl_easy_setopt (h, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2");
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
 *   is %LB_AUTH_OAUTH2
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
