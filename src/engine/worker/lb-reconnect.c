/* lb-reconnect.c: one retry on a new connection when the kept one had died
 *
 * Every job of an account's worker reuses the session the previous job left open.
 * Meanwhile the server may have closed it (Dovecot after 30 idle minutes, NetEase much
 * sooner), a NAT mapping may have expired or the network changed; the first command
 * then fails although the server is reachable.  That is no reason to fail what the
 * user asked for, nor to say "You Are Offline": every job step runs through here, and a
 * network error on a connection that was open before the step is answered by one new
 * connection and one more try.  A connection made by the step itself is not retried:
 * its failure is real news about the network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-error.h"
#include "lb-reconnect.h"

/**
 * lb_reconnect_once:
 * @what: names the step in debug messages
 *
 * Runs @step; if it fails with %LB_ERROR_NETWORK on a connection that was already open,
 * drops that connection and runs @step once more (which connects anew).
 *
 * Returns: (nullable): the step's result, or %NULL with @error set
 */
gpointer
lb_reconnect_once (LbImapSync       *sync,
                   const char       *what,
                   LbReconnectStep   step,
                   gpointer          data,
                   GCancellable     *cancellable,
                   GError          **error)
{
  LbImapSession *session = lb_imap_sync_get_session (sync);
  gboolean reused = lb_imap_session_is_connected (session);
  g_autoptr(GError) local_error = NULL;
  gpointer result;

  result = step (data, cancellable, &local_error);
  if (result == NULL && reused
      && g_error_matches (local_error, LB_ERROR, LB_ERROR_NETWORK)
      && !g_cancellable_is_cancelled (cancellable))
    {
      g_debug ("%s: the kept connection had died (%s); reconnecting", what,
               local_error->message);
      g_clear_error (&local_error);
      lb_imap_session_disconnect (session);
      result = step (data, cancellable, &local_error);
    }
  if (result == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return result;
}
