/* lb-quirks.h: provider and server peculiarities, as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lb-types.h"

G_BEGIN_DECLS

/**
 * LbQuirks:
 * @send_id: send IMAP `ID` right after authentication.  True whenever the
 *   server advertises `ID` (see lb_quirks_merge_capabilities())
 * @id_required: a failed `ID` is fatal: NetEase answers every `SELECT` with
 *   "Unsafe Login" until the client has identified itself
 * @poll_instead_of_idle: the server has no usable IDLE (163): poll INBOX
 * @poll_interval: seconds between polls when @poll_instead_of_idle is set
 * @server_saves_sent_copy: SMTP submission files the Sent copy itself
 *   (Gmail): never APPEND one, it would show twice
 * @gmail_labels: Gmail label semantics: the same message shows in several
 *   folders (dedupe by `X-GM-MSGID`), `\All` must not count as an inbox, and
 *   deleting means moving to the `\Trash` folder (EXPUNGE only archives)
 * @max_connections: the server's limit on simultaneous connections, 0 if unknown
 * @max_message_size: the largest message the server takes, in bytes, 0 if unknown
 * @no_condstore_flag_poll: no CONDSTORE/QRESYNC (QQ, NetEase): flag changes
 *   are found by comparing `UID FETCH 1:* (FLAGS)` with the store
 * @no_namespace: do not send `NAMESPACE` (189.cn answers BAD)
 * @sender_must_match_login: SMTP rejects a `MAIL FROM` other than the login
 *   (QQ, Exmail, Yandex): warn before sending from an alias
 * @login_rate_limited: repeated logins get the account throttled (QQ): keep
 *   one long-lived connection and back off after a failure
 *
 * Everything the IMAP and SMTP code needs to know about a provider, filled
 * from the bundled database and then from the server's CAPABILITY.  The
 * engine branches on these fields, never on the provider's identity.
 */
typedef struct {
  gboolean send_id;
  gboolean id_required;
  gboolean poll_instead_of_idle;
  guint    poll_interval;
  gboolean server_saves_sent_copy;
  gboolean gmail_labels;
  guint    max_connections;
  guint64  max_message_size;
  gboolean no_condstore_flag_poll;
  gboolean no_namespace;
  gboolean sender_must_match_login;
  gboolean login_rate_limited;
} LbQuirks;

/* Seconds between polls of a server without IDLE. */
#define LB_QUIRKS_DEFAULT_POLL_INTERVAL 60

void     lb_quirks_init                 (LbQuirks            *quirks);
void     lb_quirks_merge_capabilities   (LbQuirks            *quirks,
                                         const char * const  *capabilities);
gboolean lb_quirks_load_from_key_file   (LbQuirks            *quirks,
                                         GKeyFile            *key_file,
                                         const char          *group,
                                         GError             **error);

G_END_DECLS
