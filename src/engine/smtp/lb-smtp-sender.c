/* lb-smtp-sender.c: submit one message over SMTP with libcurl
 *
 * 465 is implicit TLS, 587 STARTTLS; both always encrypted and verified (lb-curl.c).  The
 * envelope sender is the caller's choice, and the caller passes the authenticated address:
 * QQ and Yandex reject any other.  The server's last reply line is captured (from curl's
 * debug stream: incoming lines only, never what we send, which holds the AUTH exchange) so
 * that the provider's own error text can be mapped to a friendly message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-curl.h"
#include "lb-error.h"
#include "lb-error-map.h"
#include "lb-smtp-sender.h"
#include "lb-text-sanitize.h"

typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         pos;
  GString      *last_reply;
  const LbServerConfig *config;
  gboolean      mechanism_changed;   /* the EHLO said OAUTHBEARER only (lb-curl.c) */
} SendState;

static size_t
read_cb (char   *buffer,
         size_t  size,
         size_t  nitems,
         void   *user_data)
{
  SendState *st = user_data;
  size_t room = size * nitems;
  size_t n = MIN (room, st->len - st->pos);

  memcpy (buffer, st->data + st->pos, n);
  st->pos += n;
  return n;
}

static int
debug_cb (CURL          *handle,
          curl_infotype  type,
          char          *data,
          size_t         size,
          void          *user_data)
{
  SendState *st = user_data;
  gboolean kept_refusal = st->last_reply->str[0] == '4' || st->last_reply->str[0] == '5';
  gboolean success = size > 0 && (data[0] == '2' || data[0] == '3');

  /* Server replies only.  CURLINFO_HEADER_OUT would include AUTH: never look at it.
   * A refusal (4xx/5xx) is kept over later successes: curl may still say QUIT, and
   * "221 Bye" explains nothing. */
  if (type == CURLINFO_HEADER_IN && lb_curl_note_server_line (st->config, data, size))
    st->mechanism_changed = TRUE;
  if (type == CURLINFO_HEADER_IN && !(kept_refusal && success))
    {
      g_string_truncate (st->last_reply, 0);
      g_string_append_len (st->last_reply, data, MIN (size, 2048));
      while (st->last_reply->len > 0 &&
             (st->last_reply->str[st->last_reply->len - 1] == '\n' ||
              st->last_reply->str[st->last_reply->len - 1] == '\r'))
        g_string_truncate (st->last_reply, st->last_reply->len - 1);
    }
  return 0;
}

static LbSmtpResult
classify (CURLcode  rc,
          long      response_code)
{
  switch (rc)
    {
    case CURLE_OK:
      return LB_SMTP_OK;
    case CURLE_LOGIN_DENIED:
    case CURLE_AUTH_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_USE_SSL_FAILED:
    case CURLE_URL_MALFORMAT:
      return LB_SMTP_PERMANENT;
    default:
      break;
    }
  if (response_code >= 500 && response_code < 600)
    return LB_SMTP_PERMANENT;
  return LB_SMTP_TEMPORARY;
}

/* One session.  *@retry is set, and nothing else, when the login failed only because the
 * server takes OAUTHBEARER alone (curl then sent no token; lb-curl.c): run it again. */
static LbSmtpResult
run_once (const LbServerConfig *config,
          const char           *password,
          const char           *envelope_from,
          const char * const   *recipients,
          GBytes               *message,
          char                **server_reply,
          gboolean             *retry,
          GCancellable         *cancellable,
          GError              **error)
{
  char errbuf[CURL_ERROR_SIZE];
  g_autofree char *url = NULL;
  g_autofree char *from = NULL;
  struct curl_slist *rcpts = NULL;
  SendState st = { 0 };
  CURL *h;
  CURLcode rc;
  long response_code = 0;
  LbSmtpResult result;

  url = lb_curl_build_url (config->security == LB_SECURITY_TLS ? "smtps" : "smtp",
                           config->host, config->port);
  h = lb_curl_easy_new_for_server (config, password, url, cancellable, errbuf);
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  st.last_reply = g_string_new (NULL);
  st.config = config;
  curl_easy_setopt (h, CURLOPT_DEBUGFUNCTION, debug_cb);
  curl_easy_setopt (h, CURLOPT_DEBUGDATA, &st);
  curl_easy_setopt (h, CURLOPT_VERBOSE, 1L);
  /* VERBOSE routes curl's text through debug_cb, which keeps only server replies;
   * nothing reaches stderr. */

  if (message != NULL)
    {
      from = g_strdup_printf ("<%s>", envelope_from);
      curl_easy_setopt (h, CURLOPT_MAIL_FROM, from);
      for (guint i = 0; recipients != NULL && recipients[i] != NULL; i++)
        {
          g_autofree char *r = g_strdup_printf ("<%s>", recipients[i]);
          rcpts = curl_slist_append (rcpts, r);
        }
      curl_easy_setopt (h, CURLOPT_MAIL_RCPT, rcpts);
      st.data = g_bytes_get_data (message, &st.len);
      curl_easy_setopt (h, CURLOPT_READFUNCTION, read_cb);
      curl_easy_setopt (h, CURLOPT_READDATA, &st);
      curl_easy_setopt (h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt (h, CURLOPT_INFILESIZE_LARGE, (curl_off_t) st.len);
    }
  else
    {
      /* Log in and stop: NOOP after authentication. */
      curl_easy_setopt (h, CURLOPT_CONNECT_ONLY, 1L);
    }

  rc = curl_easy_perform (h);
  lb_curl_note_os_error (h, rc, errbuf);
  curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &response_code);
  result = classify (rc, response_code);
  *retry = rc == CURLE_LOGIN_DENIED && st.mechanism_changed;
  if (*retry)
    rc = CURLE_OK;   /* nothing to report: the caller tries again */

  if (server_reply != NULL)
    *server_reply = st.last_reply->len > 0 ? g_strdup (st.last_reply->str) : NULL;

  if (rc != CURLE_OK)
    {
      if (g_cancellable_is_cancelled (cancellable))
        g_cancellable_set_error_if_cancelled (cancellable, error);
      else if (st.last_reply->len > 0 && response_code >= 400)
        {
          /* The reply is the server's: made safe before it becomes a message. */
          g_autofree char *text = lb_text_sanitize_server (st.last_reply->str,
                                                           (gssize) st.last_reply->len);

          g_set_error (error, LB_ERROR,
                       rc == CURLE_LOGIN_DENIED ? LB_ERROR_AUTH : LB_ERROR_SERVER_NO,
                       "%s", text);
        }
      else if (message != NULL)
        /* No server reply to a send: the network or TLS failed.  The Outbox shows this
         * text, so it is said in the user's words (refused, timed out, an untrusted
         * certificate), as the IMAP side does. */
        g_propagate_error (error, lb_error_map_curl (rc, errbuf, config->host, NULL,
                                                     LB_ERROR_PHASE_SMTP_AUTH, NULL, 0));
      else
        /* A login check: lb-account-check.c maps it with the provider it knows. */
        lb_curl_set_error (error, rc, errbuf, config->host);
    }

  curl_slist_free_all (rcpts);
  curl_easy_cleanup (h);
  g_string_free (st.last_reply, TRUE);
  return result;
}

static LbSmtpResult
run (const LbServerConfig *config,
     const char           *password,
     const char           *envelope_from,
     const char * const   *recipients,
     GBytes               *message,
     char                **server_reply,
     GCancellable         *cancellable,
     GError              **error)
{
  gboolean retry = FALSE;
  LbSmtpResult result;

  result = run_once (config, password, envelope_from, recipients, message, server_reply,
                     &retry, cancellable, error);
  if (!retry)
    return result;
  if (server_reply != NULL)
    g_clear_pointer (server_reply, g_free);
  return run_once (config, password, envelope_from, recipients, message, server_reply,
                   &retry, cancellable, error);
}

/**
 * lb_smtp_send_sync:
 * @envelope_from: MAIL FROM; must be the authenticated address for QQ and Yandex
 * @recipients: RCPT TO addresses, bare (no angle brackets)
 * @message: the message exactly as it is to arrive (CRLF line ends)
 * @server_reply: (out) (optional): the server's last reply line, for error mapping
 *
 * Returns: %LB_SMTP_OK when the server accepted the message; otherwise the kind of
 *   failure, with @error set.
 */
LbSmtpResult
lb_smtp_send_sync (const LbServerConfig *config,
                   const char           *password,
                   const char           *envelope_from,
                   const char * const   *recipients,
                   GBytes               *message,
                   char                **server_reply,
                   GCancellable         *cancellable,
                   GError              **error)
{
  g_return_val_if_fail (config != NULL, LB_SMTP_PERMANENT);
  g_return_val_if_fail (envelope_from != NULL, LB_SMTP_PERMANENT);
  g_return_val_if_fail (recipients != NULL && recipients[0] != NULL, LB_SMTP_PERMANENT);
  g_return_val_if_fail (message != NULL, LB_SMTP_PERMANENT);

  return run (config, password, envelope_from, recipients, message, server_reply,
              cancellable, error);
}

/**
 * lb_smtp_check_login_sync:
 *
 * Connects and authenticates without sending anything, as the account wizard's
 * "Sign in" does.
 */
gboolean
lb_smtp_check_login_sync (const LbServerConfig *config,
                          const char           *password,
                          char                **server_reply,
                          GCancellable         *cancellable,
                          GError              **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  return run (config, password, NULL, NULL, NULL, server_reply, cancellable, error) == LB_SMTP_OK;
}
