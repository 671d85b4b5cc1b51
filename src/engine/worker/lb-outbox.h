/* lb-outbox.h: sending queued messages, and the copy in Sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-imap-sync.h"
#include "lb-provider.h"
#include "lb-smtp-sender.h"
#include "lb-store.h"

G_BEGIN_DECLS

/*
 * The life of an outgoing message (all on the account's worker thread):
 *
 *   QUEUED --(state SENDING written)--> SMTP --accepted--> SENT --Sent copy--> removed
 *                                           --4xx/offline--> QUEUED, next_attempt later
 *                                           --5xx/auth-----> FAILED (kept, needs the user)
 *
 * The row is in the store before the first byte goes to the server, and is removed
 * only after the server accepted the message and the Sent copy exists.
 *
 * The "accepted but not recorded" window.  SENDING is committed before the SMTP
 * session starts and SENT right after the server's 250 to the final dot.  If the
 * process dies between those two commits (kill -9, power loss), the server may or may
 * not have accepted the message, and nothing local can tell which.  A row found in
 * state SENDING when the outbox is next processed is therefore never sent again
 * automatically: it becomes INTERRUPTED, which the Outbox shows as "Sending was
 * interrupted — check Sent", and only the user's Send Now (after a question) or Discard
 * moves it on.  So a message is sent at most once without the user's say,
 * and is never lost: the cost is one question to the user after a crash in that
 * window of (at most) one SMTP session.
 *
 * Test hook (never set it outside tests): LETTERBOX_TEST_CRASH_AT=before-send kills
 * the process with SIGKILL after SENDING is committed and before SMTP starts;
 * =after-send kills it after the server accepted and before SENT is committed.
 */

/* The first retry waits this long; each further one twice as long, up to the max. */
#define LB_OUTBOX_RETRY_FIRST_SECONDS 30
#define LB_OUTBOX_RETRY_MAX_SECONDS   3600

typedef struct {
  LbStore              *store;      /* the worker's write connection */
  LbImapSync           *sync;       /* for the Sent copy; %NULL skips it */
  const LbStoreAccount *account;
  const LbProvider     *provider;   /* nullable */
  gboolean              server_saves_sent_copy;
  const char           *password;
  /* Called once SENDING is committed, before the SMTP session: the Outbox shows it. */
  void                (*sending) (gpointer data);
  gpointer              sending_data;
} LbOutboxContext;

gint64       lb_outbox_queue_sync      (LbStore              *store,
                                        gint64                account_id,
                                        GBytes               *message,
                                        const char           *envelope_from,
                                        const char * const   *recipients,
                                        const char           *message_id,
                                        GError              **error);
gint64       lb_outbox_hold_sync       (LbStore              *store,
                                        gint64                account_id,
                                        GBytes               *message,
                                        const char           *envelope_from,
                                        const char * const   *recipients,
                                        GError              **error);
guint        lb_outbox_recover_sync    (LbStore              *store,
                                        gint64                account_id);
LbSmtpResult lb_outbox_send_item_sync  (const LbOutboxContext *context,
                                        LbStoreOutboxItem    *item,
                                        GCancellable         *cancellable,
                                        GError              **error);
gboolean     lb_outbox_copy_to_sent_sync (const LbOutboxContext *context,
                                        LbStoreOutboxItem    *item,
                                        GCancellable         *cancellable,
                                        GError              **error);
gint64       lb_outbox_backoff         (guint                 attempts);
char        *lb_outbox_extract_message_id (GBytes            *message);
char        *lb_outbox_extract_from_address (GBytes          *message);
char        *lb_outbox_extract_subject (GBytes               *message);
void         lb_outbox_map_error       (const LbProvider     *provider,
                                        const char           *server_reply,
                                        GError              **error);

G_END_DECLS
