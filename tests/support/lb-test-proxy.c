/* lb-test-proxy.c: a loopback TCP proxy that cuts or stalls streams on demand
 *
 * Sits between the engine and a real server (Dovecot, aiosmtpd) on 127.0.0.1.  Each
 * accepted connection is pumped by its own thread.  A fault applies to the bytes flowing
 * from the server to the client: "cut after N" closes both sides once N bytes have been
 * passed (N counted per connection, so a cut at byte 5,000 lands inside a FETCH, past
 * the TLS handshake); "stall after N" stops forwarding but keeps the sockets open, as a
 * dead NAT mapping does.  Each fault fires once, on the first connection that reaches
 * it, so the client's reconnect goes through.  TLS runs end to end through it.  It can
 * also hold the server-to-client direction of each connection to a rate, as a slow link
 * does, and counts the bytes it passed that way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "lb-test-proxy.h"

struct _LbTestProxy {
  GSocket   *listener;
  guint16    port;
  guint16    upstream_port;
  GThread   *accept_thread;
  GMutex     mutex;
  gint64     cut_after;     /* -1: none */
  gint64     stall_after;   /* -1: none */
  gboolean   refuse;
  gboolean   held;          /* forward nothing, either way, until released */
  gboolean   held_request;  /* a client wrote while held */
  gboolean   stopping;
  guint      connections;
  guint      faults;
  guint64    rate;          /* server-to-client bytes per second per connection; 0: any */
  guint64    bytes_down;    /* server-to-client bytes passed, all connections */
  GPtrArray *pumps;         /* Pump* */
  int        wake[2];
};

typedef struct {
  LbTestProxy *proxy;
  GSocket     *client;
  GSocket     *server;
  GThread     *thread;
  gboolean     killed;
} Pump;

static gpointer
pump_thread (gpointer data)
{
  Pump *p = data;
  LbTestProxy *proxy = p->proxy;
  int cfd = g_socket_get_fd (p->client);
  int sfd = g_socket_get_fd (p->server);
  gint64 passed = 0;
  gboolean stalled = FALSE;
  gint64 started = g_get_monotonic_time ();
  char buf[16384];

  for (;;)
    {
      /* The wake pipe stays readable once written, so pumps poll with a short timeout
       * and look at the flags instead. */
      struct pollfd fds[2] = {
        { cfd, POLLIN, 0 }, { sfd, stalled ? 0 : POLLIN, 0 },
      };
      gint64 cut, stall;
      gboolean held;
      ssize_t n;

      if (poll (fds, 2, 100) < 0 && errno != EINTR)
        break;
      g_mutex_lock (&proxy->mutex);
      if (proxy->stopping || p->killed)
        {
          g_mutex_unlock (&proxy->mutex);
          break;
        }
      cut = proxy->cut_after;
      stall = proxy->stall_after;
      held = proxy->held;
      if (held && (fds[0].revents & POLLIN))
        proxy->held_request = TRUE;
      g_mutex_unlock (&proxy->mutex);

      if (held)
        {
          /* The bytes wait in the sockets' buffers; poll stays readable meanwhile. */
          g_usleep (10 * 1000);
          continue;
        }

      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          n = read (cfd, buf, sizeof buf);
          if (n <= 0 || (!stalled && write (sfd, buf, (size_t) n) != n))
            break;
        }
      if (!stalled && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          size_t want = sizeof buf;

          /* Never pass the fault point in one read. */
          if (cut >= 0 && passed < cut)
            want = (size_t) MIN ((gint64) want, cut - passed);
          if (stall >= 0 && passed < stall)
            want = (size_t) MIN ((gint64) want, stall - passed);
          n = read (sfd, buf, want);
          if (n <= 0 || write (cfd, buf, (size_t) n) != n)
            break;
          passed += n;
          g_mutex_lock (&proxy->mutex);
          proxy->bytes_down += (guint64) n;
          if (proxy->rate > 0)
            {
              /* Never ahead of the rate: wait until the time these bytes take at it. */
              gint64 due = started + (gint64) ((double) passed / (double) proxy->rate * G_USEC_PER_SEC);
              gint64 now = g_get_monotonic_time ();

              if (due > now)
                {
                  g_mutex_unlock (&proxy->mutex);
                  g_usleep ((gulong) (due - now));
                  g_mutex_lock (&proxy->mutex);
                }
            }
          if (proxy->cut_after >= 0 && passed >= proxy->cut_after)
            {
              proxy->cut_after = -1;
              proxy->faults++;
              g_mutex_unlock (&proxy->mutex);
              break;
            }
          if (proxy->stall_after >= 0 && passed >= proxy->stall_after)
            {
              proxy->stall_after = -1;
              proxy->faults++;
              stalled = TRUE;
            }
          g_mutex_unlock (&proxy->mutex);
        }
    }
  g_socket_close (p->client, NULL);
  g_socket_close (p->server, NULL);
  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  LbTestProxy *proxy = data;

  for (;;)
    {
      g_autoptr(GSocket) client = NULL;
      g_autoptr(GSocket) server = NULL;
      g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, proxy->upstream_port);
      struct pollfd fds[2] = {
        { g_socket_get_fd (proxy->listener), POLLIN, 0 }, { proxy->wake[0], POLLIN, 0 },
      };
      Pump *p;
      gboolean refuse;

      if (poll (fds, 2, -1) < 0 && errno != EINTR)
        break;
      g_mutex_lock (&proxy->mutex);
      if (proxy->stopping)
        {
          g_mutex_unlock (&proxy->mutex);
          break;
        }
      refuse = proxy->refuse;
      g_mutex_unlock (&proxy->mutex);
      if (!(fds[0].revents & POLLIN))
        continue;
      client = g_socket_accept (proxy->listener, NULL, NULL);
      if (client == NULL)
        continue;
      if (refuse)
        {
          g_socket_close (client, NULL);
          continue;
        }
      server = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      if (server == NULL || !g_socket_connect (server, addr, NULL, NULL))
        {
          g_socket_close (client, NULL);
          continue;
        }
      p = g_new0 (Pump, 1);
      p->proxy = proxy;
      p->client = g_steal_pointer (&client);
      p->server = g_steal_pointer (&server);
      g_mutex_lock (&proxy->mutex);
      proxy->connections++;
      g_ptr_array_add (proxy->pumps, p);
      g_mutex_unlock (&proxy->mutex);
      p->thread = g_thread_new ("lb-test-pump", pump_thread, p);
    }
  return NULL;
}

LbTestProxy *
lb_test_proxy_new (guint16   upstream_port,
                   GError  **error)
{
  LbTestProxy *proxy = g_new0 (LbTestProxy, 1);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_mutex_init (&proxy->mutex);
  proxy->cut_after = -1;
  proxy->stall_after = -1;
  proxy->upstream_port = upstream_port;
  proxy->pumps = g_ptr_array_new ();
  if (pipe (proxy->wake) != 0)
    g_error ("pipe failed");
  proxy->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, error);
  if (proxy->listener == NULL ||
      !g_socket_bind (proxy->listener, any, TRUE, error) ||
      !g_socket_listen (proxy->listener, error))
    {
      lb_test_proxy_free (proxy);
      return NULL;
    }
  bound = g_socket_get_local_address (proxy->listener, error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  proxy->accept_thread = g_thread_new ("lb-test-proxy", accept_thread, proxy);
  return proxy;
}

guint16 lb_test_proxy_get_port (LbTestProxy *proxy) { return proxy->port; }

void
lb_test_proxy_cut_after (LbTestProxy *proxy,
                         gint64       bytes)
{
  g_mutex_lock (&proxy->mutex);
  proxy->cut_after = bytes;
  g_mutex_unlock (&proxy->mutex);
}

void
lb_test_proxy_stall_after (LbTestProxy *proxy,
                           gint64       bytes)
{
  g_mutex_lock (&proxy->mutex);
  proxy->stall_after = bytes;
  g_mutex_unlock (&proxy->mutex);
}

void
lb_test_proxy_refuse (LbTestProxy *proxy,
                      gboolean     refuse)
{
  g_mutex_lock (&proxy->mutex);
  proxy->refuse = refuse;
  g_mutex_unlock (&proxy->mutex);
}

/* While held, the proxy forwards nothing in either direction: the client's next command
 * waits, as on a very slow server, and nothing is lost.  Holding clears the record of a
 * held request (see lb_test_proxy_wait_held_request()). */
void
lb_test_proxy_hold (LbTestProxy *proxy,
                    gboolean     hold)
{
  g_mutex_lock (&proxy->mutex);
  proxy->held = hold;
  proxy->held_request = FALSE;
  g_mutex_unlock (&proxy->mutex);
}

/* Waits up to TIMEOUT_S seconds until a client has written while the proxy is held: the
 * client is then blocked in that command.  FALSE if none did. */
gboolean
lb_test_proxy_wait_held_request (LbTestProxy *proxy,
                                 guint        timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  gboolean seen = FALSE;

  while (!seen && g_get_monotonic_time () < end)
    {
      g_mutex_lock (&proxy->mutex);
      seen = proxy->held && proxy->held_request;
      g_mutex_unlock (&proxy->mutex);
      if (!seen)
        g_usleep (10 * 1000);
    }
  return seen;
}

/* Drops every open connection, as a network change does. */
void
lb_test_proxy_set_rate (LbTestProxy *proxy,
                        guint64      bytes_per_second)
{
  g_mutex_lock (&proxy->mutex);
  proxy->rate = bytes_per_second;
  g_mutex_unlock (&proxy->mutex);
}

guint64
lb_test_proxy_get_bytes_down (LbTestProxy *proxy)
{
  guint64 n;

  g_mutex_lock (&proxy->mutex);
  n = proxy->bytes_down;
  g_mutex_unlock (&proxy->mutex);
  return n;
}

void
lb_test_proxy_kill_all (LbTestProxy *proxy)
{
  g_mutex_lock (&proxy->mutex);
  for (guint i = 0; i < proxy->pumps->len; i++)
    ((Pump *) g_ptr_array_index (proxy->pumps, i))->killed = TRUE;
  g_mutex_unlock (&proxy->mutex);
}

guint
lb_test_proxy_get_connections (LbTestProxy *proxy)
{
  guint n;

  g_mutex_lock (&proxy->mutex);
  n = proxy->connections;
  g_mutex_unlock (&proxy->mutex);
  return n;
}

guint
lb_test_proxy_get_faults (LbTestProxy *proxy)
{
  guint n;

  g_mutex_lock (&proxy->mutex);
  n = proxy->faults;
  g_mutex_unlock (&proxy->mutex);
  return n;
}

void
lb_test_proxy_free (LbTestProxy *proxy)
{
  if (proxy == NULL)
    return;
  g_mutex_lock (&proxy->mutex);
  proxy->stopping = TRUE;
  g_mutex_unlock (&proxy->mutex);
  if (write (proxy->wake[1], "s", 1) != 1)
    g_warning ("wake failed");
  if (proxy->accept_thread != NULL)
    g_thread_join (proxy->accept_thread);
  for (guint i = 0; i < proxy->pumps->len; i++)
    {
      Pump *p = g_ptr_array_index (proxy->pumps, i);
      g_thread_join (p->thread);
      g_object_unref (p->client);
      g_object_unref (p->server);
      g_free (p);
    }
  g_ptr_array_unref (proxy->pumps);
  if (proxy->listener != NULL)
    {
      g_socket_close (proxy->listener, NULL);
      g_object_unref (proxy->listener);
    }
  close (proxy->wake[0]);
  close (proxy->wake[1]);
  g_mutex_clear (&proxy->mutex);
  g_free (proxy);
}
