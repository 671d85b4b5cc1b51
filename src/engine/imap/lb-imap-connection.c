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
#include <zlib.h>

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
  const LbServerConfig *login_config;   /* during the login only */
  gboolean       mechanism_changed;     /* the login learnt that OAUTHBEARER is needed */
  char           errbuf[CURL_ERROR_SIZE];

  /* COMPRESS=DEFLATE (RFC 4978): once started, both directions are one raw deflate
   * stream each.  The compressed bytes read but not yet inflated wait in zin. */
  z_stream      *inflater;
  z_stream      *deflater;
  guchar        *zin;
  gsize          zin_len;
  /* Bytes as they crossed the wire (after compression) and as the protocol saw them. */
  guint64        wire_in;
  guint64        wire_out;
  guint64        data_in;
  guint64        data_out;
};

#define ZIN_SIZE (64 * 1024)

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
      if (lb_curl_note_server_line (self->login_config, data, size))
        self->mechanism_changed = TRUE;
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
  self->login_reply = g_string_new (NULL);
  self->login_config = config;
  /* A second round only when the first learnt that the server takes OAUTHBEARER only
   * (lb-curl.c): curl then stopped before sending the token. */
  for (guint round = 0; round < 2; round++)
    {
      if (round > 0)
        curl_easy_cleanup (g_steal_pointer (&self->curl));
      self->mechanism_changed = FALSE;
      self->curl = lb_curl_easy_new_for_server (config, password, url, cancellable, self->errbuf);
      curl_easy_setopt (self->curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
      curl_easy_setopt (self->curl, CURLOPT_CONNECT_ONLY, 1L);
      curl_easy_setopt (self->curl, CURLOPT_DEBUGFUNCTION, login_debug_cb);
      curl_easy_setopt (self->curl, CURLOPT_DEBUGDATA, self);
      curl_easy_setopt (self->curl, CURLOPT_VERBOSE, 1L);

      rc = curl_easy_perform (self->curl);
      lb_curl_note_os_error (self->curl, rc, self->errbuf);
      if (rc != CURLE_LOGIN_DENIED || !self->mechanism_changed)
        break;
    }
  self->login_config = NULL;

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
          /* A refused OAuth2 token is a plain LB_ERROR_AUTH, which the caller answers
           * with a refresh: the provider's words for a refused login are about
           * passwords (Outlook.com's say that it wants OAuth2). */
          const LbProvider *provider = LB_AUTH_IS_TOKEN (config->auth) ? NULL : self->provider;

          g_propagate_error (error, lb_error_map_curl (rc, self->errbuf, config->host,
                                                       provider, LB_ERROR_PHASE_IMAP_LOGIN,
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

static gboolean
write_raw (LbImapConnection *self,
           const char       *data,
           gsize             len,
           GCancellable     *cancellable,
           GError          **error)
{
  self->wire_out += len;
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

/* Compresses @data and flushes the stream (Z_SYNC_FLUSH), so that the server can act on
 * every command as soon as it is written. */
static gboolean
write_deflated (LbImapConnection *self,
                const char       *data,
                gsize             len,
                GCancellable     *cancellable,
                GError          **error)
{
  guchar out[16 * 1024];
  z_stream *z = self->deflater;

  z->next_in = (Bytef *) data;
  z->avail_in = (uInt) len;
  do
    {
      int rc;

      z->next_out = out;
      z->avail_out = sizeof out;
      rc = deflate (z, Z_SYNC_FLUSH);
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        {
          g_set_error (error, LB_ERROR, LB_ERROR_NETWORK, "Compression failed (%d)", rc);
          lb_imap_connection_close (self);
          return FALSE;
        }
      if (sizeof out - z->avail_out > 0 &&
          !write_raw (self, (const char *) out, sizeof out - z->avail_out, cancellable, error))
        return FALSE;
    }
  while (z->avail_out == 0 || z->avail_in > 0);
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
  /* A command is written whole (its data in one call, which may be large: an APPEND's
   * literal); zlib takes it at most 4 GB at a time. */
  while (len > G_MAXUINT32 / 2)
    {
      if (!lb_imap_connection_write_sync (self, data, G_MAXUINT32 / 2, cancellable, error))
        return FALSE;
      data += G_MAXUINT32 / 2;
      len -= G_MAXUINT32 / 2;
    }
  self->data_out += len;
  if (self->deflater != NULL)
    return write_deflated (self, data, len, cancellable, error);
  return write_raw (self, data, len, cancellable, error);
}

/* Reads from the wire what is available, waiting for at least one byte.  TLS may hold
 * decrypted bytes that the socket does not signal, so curl is always drained before
 * polling. */
static gssize
read_raw (LbImapConnection *self,
          char             *buffer,
          gsize             size,
          int               timeout_ms,
          GCancellable     *cancellable,
          GError          **error)
{
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
          self->wire_in += n;
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

/* Inflates into @buffer what is already read; only when that yields nothing does it
 * read more from the wire.  zlib may hold output back until more input comes, and a
 * full @buffer may leave output inside zlib: both are handled by trying to inflate
 * before every read. */
static gssize
read_inflated (LbImapConnection *self,
               char             *buffer,
               gsize             size,
               int               timeout_ms,
               GCancellable     *cancellable,
               GError          **error)
{
  z_stream *z = self->inflater;

  for (;;)
    {
      gssize n;
      int rc;

      z->next_in = self->zin;
      z->avail_in = (uInt) self->zin_len;
      z->next_out = (Bytef *) buffer;
      z->avail_out = (uInt) MIN (size, G_MAXUINT32 / 2);
      rc = inflate (z, Z_SYNC_FLUSH);
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        {
          /* Z_STREAM_END too: the server may not end its stream while the connection
           * lives. */
          g_set_error (error, LB_ERROR, LB_ERROR_PROTOCOL,
                       _("The server sent damaged compressed data."));
          lb_imap_connection_close (self);
          return -1;
        }
      memmove (self->zin, z->next_in, z->avail_in);
      self->zin_len = z->avail_in;
      n = (gssize) (MIN (size, G_MAXUINT32 / 2) - z->avail_out);
      if (n > 0)
        return n;

      if (self->zin_len == ZIN_SIZE)
        {
          g_set_error (error, LB_ERROR, LB_ERROR_PROTOCOL,
                       _("The server sent damaged compressed data."));
          lb_imap_connection_close (self);
          return -1;
        }
      n = read_raw (self, (char *) self->zin + self->zin_len, ZIN_SIZE - self->zin_len,
                    timeout_ms, cancellable, error);
      if (n < 0)
        return -1;
      self->zin_len += (gsize) n;
    }
}

/**
 * lb_imap_connection_read_sync:
 * @timeout_ms: how long to wait for the first byte; -1 waits for ever
 *
 * Reads what is available (inflated, after COMPRESS), waiting for at least one byte.
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
  gssize n;

  g_return_val_if_fail (LB_IS_IMAP_CONNECTION (self), -1);
  g_return_val_if_fail (size > 0, -1);

  if (!lb_imap_connection_is_open (self))
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_NETWORK, "Not connected");
      return -1;
    }
  if (self->inflater != NULL)
    n = read_inflated (self, buffer, size, timeout_ms, cancellable, error);
  else
    n = read_raw (self, buffer, size, timeout_ms, cancellable, error);
  if (n > 0)
    self->data_in += (guint64) n;
  return n;
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
  if (self->inflater != NULL)
    inflateEnd (self->inflater);
  if (self->deflater != NULL)
    deflateEnd (self->deflater);
  g_clear_pointer (&self->inflater, g_free);
  g_clear_pointer (&self->deflater, g_free);
  g_clear_pointer (&self->zin, g_free);
  self->zin_len = 0;
}

/**
 * lb_imap_connection_start_compress:
 *
 * Starts COMPRESS=DEFLATE (RFC 4978) in both directions: call it right after the
 * server's OK to "COMPRESS DEFLATE", with nothing of the server's left unread.
 *
 * Returns: %FALSE (with @error) if zlib cannot start; the connection is closed then.
 */
gboolean
lb_imap_connection_start_compress (LbImapConnection  *self,
                                   GError           **error)
{
  g_return_val_if_fail (LB_IS_IMAP_CONNECTION (self), FALSE);
  g_return_val_if_fail (self->inflater == NULL, FALSE);

  self->inflater = g_new0 (z_stream, 1);
  self->deflater = g_new0 (z_stream, 1);
  /* Raw deflate (no zlib header), the whole 32 kB window, as RFC 4978 says. */
  if (inflateInit2 (self->inflater, -15) != Z_OK ||
      deflateInit2 (self->deflater, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
                    Z_DEFAULT_STRATEGY) != Z_OK)
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_NETWORK, "Cannot start compression");
      g_clear_pointer (&self->inflater, g_free);
      g_clear_pointer (&self->deflater, g_free);
      lb_imap_connection_close (self);
      return FALSE;
    }
  self->zin = g_malloc (ZIN_SIZE);
  self->zin_len = 0;
  return TRUE;
}

gboolean
lb_imap_connection_is_compressed (LbImapConnection *self)
{
  g_return_val_if_fail (LB_IS_IMAP_CONNECTION (self), FALSE);
  return self->inflater != NULL;
}

/**
 * lb_imap_connection_get_bytes:
 * @out_wire_in: (out) (optional): bytes read from the wire (compressed, if it is)
 * @out_data_in: (out) (optional): bytes of protocol read
 * @out_wire_out: (out) (optional): bytes written to the wire
 * @out_data_out: (out) (optional): bytes of protocol written
 *
 * Counted since the login (curl's own login traffic is not included).
 */
void
lb_imap_connection_get_bytes (LbImapConnection *self,
                              guint64          *out_wire_in,
                              guint64          *out_data_in,
                              guint64          *out_wire_out,
                              guint64          *out_data_out)
{
  g_return_if_fail (LB_IS_IMAP_CONNECTION (self));
  if (out_wire_in != NULL)
    *out_wire_in = self->wire_in;
  if (out_data_in != NULL)
    *out_data_in = self->data_in;
  if (out_wire_out != NULL)
    *out_wire_out = self->wire_out;
  if (out_data_out != NULL)
    *out_data_out = self->data_out;
}
