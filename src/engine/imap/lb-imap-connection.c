/* lb-imap-connection.c: an authenticated IMAP byte stream over libcurl
 *
 * libcurl does what is hard to get right: connecting (with proxies), TLS with certificate
 * verification, STARTTLS, and SASL.  With CURLOPT_CONNECT_ONLY, curl_easy_perform() returns
 * once the session is authenticated, and the rest of the protocol is ours, spoken over
 * curl_easy_send()/curl_easy_recv().  The IMAP URL interface is not usable for sync: it cannot
 * issue BODY.PEEK and it loses literals in custom requests (see DESIGN.md).
 *
 * A connection is used by one thread at a time (the account's worker, or its IDLE thread).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>

#include "lb-error.h"
#include "lb-imap-connection.h"
#include "lb-curl.h"
#include "lb-error-map.h"

struct _LbImapConnection
{
  GObject        parent_instance;
  CURL          *curl;
  curl_socket_t  fd;
  gint64         write_deadline;   /* monotonic; 0: none */
  GCancellable  *open_cancellable;
  LbProvider    *provider;
  GString       *login_reply;
  char           errbuf[CURL_ERROR_SIZE];
};

G_DEFINE_FINAL_TYPE (LbImapConnection, lb_imap_connection, G_TYPE_OBJECT)

static void
lb_imap_connection_finalize (GObject *object)
{
  LbImapConnection *self = LB_IMAP_CONNECTION (object);

  lb_imap_connection_close (self);
  g_clear_pointer (&self->provider, lb_provider_unref);
  G_OBJECT_CLASS (lb_imap_connection_parent_class)->finalize (object);
}

static void
lb_imap_connection_class_init (LbImapConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_imap_connection_finalize;
}

static void
lb_imap_connection_init (LbImapConnection *self)
{
  self->fd = CURL_SOCKET_BAD;
}

LbImapConnection *
lb_imap_connection_new (void)
{
  return g_object_new (LB_TYPE_IMAP_CONNECTION, NULL);
}

/**
 * lb_imap_connection_set_provider:
 * @provider: (nullable): whose error texts to recognise at login
 */
void
lb_imap_connection_set_provider (LbImapConnection *self,
                                 LbProvider       *provider)
{
  g_clear_pointer (&self->provider, lb_provider_unref);
  self->provider = provider != NULL ? lb_provider_ref (provider) : NULL;
}

/* Keeps the server's last line during curl's login: a refusal's text (QQ's "Login fail.
 * Account is abnormal...", 163's "Login error or password error") says what to do.
 * Only what the server sends is looked at; what we send holds the credentials. */
static int
login_debug_cb (CURL          *handle,
                curl_infotype  type,
                char          *data,
                size_t         size,
                void          *user_data)
{
  LbImapConnection *self = user_data;

  if (type == CURLINFO_HEADER_IN && size > 0)
    {
      g_string_truncate (self->login_reply, 0);
      g_string_append_len (self->login_reply, data, MIN (size, 2048));
      while (self->login_reply->len > 0 &&
             (self->login_reply->str[self->login_reply->len - 1] == '\n' ||
              self->login_reply->str[self->login_reply->len - 1] == '\r'))
        g_string_truncate (self->login_reply, self->login_reply->len - 1);
    }
  return 0;
}

gboolean
lb_imap_connection_is_open (LbImapConnection *self)
{
  g_return_val_if_fail (LB_IS_IMAP_CONNECTION (self), FALSE);
  return self->curl != NULL && self->fd != CURL_SOCKET_BAD;
}

/**
 * lb_imap_connection_open_sync:
 * @config: the server
 * @password: the secret, straight from the keyring (or the OAuth2 access token when
 *   @config's auth is %LB_AUTH_OAUTH2); it is not kept after login
 *
 * Connects, secures the connection (implicit TLS or mandatory STARTTLS) and logs in.
 * Blocking; @cancellable aborts the connect and login too.
 */
gboolean
lb_imap_connection_open_sync (LbImapConnection     *self,
                              const LbServerConfig *config,
                              const char           *password,
                              GCancellable         *cancellable,
                              GError              **error)
{
  g_autofree char *url = NULL;
  CURLcode rc;
  curl_socket_t fd = CURL_SOCKET_BAD;

  g_return_val_if_fail (LB_IS_IMAP_CONNECTION (self), FALSE);
  g_return_val_if_fail (config != NULL && config->host != NULL, FALSE);
  g_return_val_if_fail (!lb_imap_connection_is_open (self), FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  url = lb_curl_build_url (config->security == LB_SECURITY_TLS ? "imaps" : "imap",
                           config->host, config->port);
  self->curl = lb_curl_easy_new_for_server (config, password, url, cancellable, self->errbuf);
  curl_easy_setopt (self->curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
  curl_easy_setopt (self->curl, CURLOPT_CONNECT_ONLY, 1L);
  self->login_reply = g_string_new (NULL);
  curl_easy_setopt (self->curl, CURLOPT_DEBUGFUNCTION, login_debug_cb);
  curl_easy_setopt (self->curl, CURLOPT_DEBUGDATA, self);
  curl_easy_setopt (self->curl, CURLOPT_VERBOSE, 1L);

  rc = curl_easy_perform (self->curl);

  /* The debug stream and the progress callback only matter while curl drives the login. */
  curl_easy_setopt (self->curl, CURLOPT_VERBOSE, 0L);
  curl_easy_setopt (self->curl, CURLOPT_DEBUGFUNCTION, NULL);
  curl_easy_setopt (self->curl, CURLOPT_NOPROGRESS, 1L);

  if (rc != CURLE_OK)
    {
      if (g_cancellable_is_cancelled (cancellable))
        g_cancellable_set_error_if_cancelled (cancellable, error);
      else
        {
          /* Only a refused login's text is worth mapping; a TLS or network failure's last
           * line is the greeting. */
          gboolean login = rc == CURLE_LOGIN_DENIED || rc == CURLE_AUTH_ERROR;
          g_propagate_error (error, lb_error_map_curl (rc, self->errbuf, config->host,
                                                       self->provider, LB_ERROR_PHASE_IMAP_LOGIN,
                                                       login ? self->login_reply->str : NULL,
                                                       login ? self->login_reply->len : 0));
        }
      g_string_free (g_steal_pointer (&self->login_reply), TRUE);
      lb_imap_connection_close (self);
      return FALSE;
    }
  g_string_free (g_steal_pointer (&self->login_reply), TRUE);

  rc = curl_easy_getinfo (self->curl, CURLINFO_ACTIVESOCKET, &fd);
  if (rc != CURLE_OK || fd == CURL_SOCKET_BAD)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_NETWORK, _("The connection to %s was lost"), config->host);
      lb_imap_connection_close (self);
      return FALSE;
    }
  self->fd = fd;
  return TRUE;
}

/* Waits for @events on the socket or for @cancellable, whichever comes first. */
static gboolean
wait_socket (LbImapConnection *self,
             short             events,
             int               timeout_ms,
             GCancellable     *cancellable,
             GError          **error)
{
  struct pollfd fds[2];
  int nfds = 1;
  int r;

  fds[0].fd = self->fd;
  fds[0].events = events;
  fds[0].revents = 0;
  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, (GPollFD *) &fds[1]))
    {
      /* GPollFD and struct pollfd share a layout on Unix; make_pollfd filled fd and events. */
      fds[1].revents = 0;
      nfds = 2;
    }

  do
    r = poll (fds, nfds, timeout_ms);
  while (r < 0 && errno == EINTR);

  if (nfds == 2)
    g_cancellable_release_fd (cancellable);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (r < 0)
    {
      int saved = errno;
      g_set_error (error, LB_ERROR, LB_ERROR_NETWORK, "poll failed: %s", g_strerror (saved));
      return FALSE;
    }
  if (r == 0)
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_TIMEOUT,
                           _("The server did not answer in time."));
      return FALSE;
    }
  return TRUE;
}

gboolean
lb_imap_connection_write_sync (LbImapConnection *self,
                               const char       *data,
                               gsize             len,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_return_val_if_fail (LB_IS_IMAP_CONNECTION (self), FALSE);

  if (!lb_imap_connection_is_open (self))
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_NETWORK, "Not connected");
      return FALSE;
    }

  while (len > 0)
    {
      size_t sent = 0;
      CURLcode rc = curl_easy_send (self->curl, data, len, &sent);

      if (rc == CURLE_AGAIN)
        {
          int timeout_ms = 60 * 1000;

          if (self->write_deadline > 0)
            {
              gint64 left_ms = (self->write_deadline - g_get_monotonic_time ()) / 1000;

              /* A server that stops reading must not hold a write for ever either. */
              if (left_ms <= 0)
                {
                  g_set_error_literal (error, LB_ERROR, LB_ERROR_TIMEOUT,
                                       "The server did not take the data in time");
                  return FALSE;
                }
              timeout_ms = (int) MIN (left_ms, (gint64) timeout_ms);
            }
          if (!wait_socket (self, POLLOUT, timeout_ms, cancellable, error))
            return FALSE;
          continue;
        }
      if (rc != CURLE_OK)
        {
          lb_curl_set_error (error, rc, self->errbuf, NULL);
          lb_imap_connection_close (self);
          return FALSE;
        }
      data += sent;
      len -= sent;
    }
  return TRUE;
}

/**
 * lb_imap_connection_read_sync:
 * @timeout_ms: how long to wait for the first byte; -1 waits for ever
 *
 * Reads what is available, waiting for at least one byte.  TLS may hold decrypted
 * bytes that the socket does not signal, so curl is always drained before polling.
 *
 * Returns: the number of bytes read (> 0), or -1 with @error set: %LB_ERROR_TIMEOUT,
 *   %LB_ERROR_NETWORK when the server closed the connection, %G_IO_ERROR_CANCELLED.
 */
gssize
lb_imap_connection_read_sync (LbImapConnection *self,
                              char             *buffer,
                              gsize             size,
                              int               timeout_ms,
                              GCancellable     *cancellable,
                              GError          **error)
{
  g_return_val_if_fail (LB_IS_IMAP_CONNECTION (self), -1);
  g_return_val_if_fail (size > 0, -1);

  if (!lb_imap_connection_is_open (self))
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_NETWORK, "Not connected");
      return -1;
    }

  for (;;)
    {
      size_t n = 0;
      CURLcode rc;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return -1;

      rc = curl_easy_recv (self->curl, buffer, size, &n);
      if (rc == CURLE_OK)
        {
          if (n == 0)
            {
              g_set_error_literal (error, LB_ERROR, LB_ERROR_NETWORK,
                                   _("The server closed the connection."));
              lb_imap_connection_close (self);
              return -1;
            }
          return (gssize) n;
        }
      if (rc != CURLE_AGAIN)
        {
          lb_curl_set_error (error, rc, self->errbuf, NULL);
          lb_imap_connection_close (self);
          return -1;
        }
      if (!wait_socket (self, POLLIN, timeout_ms, cancellable, error))
        return -1;
    }
}

/**
 * lb_imap_connection_set_write_deadline:
 * @deadline: a g_get_monotonic_time() by which lb_imap_connection_write_sync() must have
 *   handed its data over, or 0 for none
 *
 * Without one, a write only waits at most a minute for each chunk to go out, and a
 * server that reads a chunk a minute holds it for ever.
 */
void
lb_imap_connection_set_write_deadline (LbImapConnection *self,
                                       gint64            deadline)
{
  g_return_if_fail (LB_IS_IMAP_CONNECTION (self));

  self->write_deadline = deadline;
}

void
lb_imap_connection_close (LbImapConnection *self)
{
  g_return_if_fail (LB_IS_IMAP_CONNECTION (self));

  g_clear_pointer (&self->curl, curl_easy_cleanup);
  self->fd = CURL_SOCKET_BAD;
}
