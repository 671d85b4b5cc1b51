/* lb-imap-session.h: IMAP commands over one authenticated connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-imap-connection.h"
#include "lb-imap-response.h"
#include "lb-provider.h"
#include "lb-server-config.h"

G_BEGIN_DECLS

#define LB_TYPE_IMAP_SESSION (lb_imap_session_get_type ())

G_DECLARE_FINAL_TYPE (LbImapSession, lb_imap_session, LB, IMAP_SESSION, GObject)

/**
 * LbImapUntaggedFunc:
 * @response: an untagged response that arrived while a command ran
 *
 * Called for every untagged response of a command, in order.  Returning %FALSE
 * with @error set aborts the command (the connection is then closed, since the
 * rest of its responses would be unread).
 */
typedef gboolean (*LbImapUntaggedFunc) (LbImapResponse  *response,
                                        gpointer         user_data,
                                        GError         **error);

/**
 * LbImapSelectInfo:
 *
 * What SELECT/EXAMINE reported.  Fields the server did not send are 0.
 */
typedef struct {
  guint32  exists;
  guint32  uidvalidity;
  guint32  uidnext;
  guint64  highestmodseq;
  gboolean nomodseq;
  gboolean read_only;
  gboolean keywords;     /* PERMANENTFLAGS has \*: new keywords ($Junk...) are kept */
} LbImapSelectInfo;

/**
 * LbImapQresync:
 *
 * The known state passed to SELECT (QRESYNC ...) so that the server reports
 * only what changed (VANISHED (EARLIER) and FETCH with FLAGS).
 */
typedef struct {
  guint32  uidvalidity;
  guint64  modseq;
} LbImapQresync;

LbImapSession *lb_imap_session_new              (void);
gboolean       lb_imap_session_connect_sync     (LbImapSession        *self,
                                                 const LbServerConfig *config,
                                                 const char           *password,
                                                 gboolean              id_required,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
gboolean       lb_imap_session_is_connected     (LbImapSession        *self);
void           lb_imap_session_disconnect       (LbImapSession        *self);
gboolean       lb_imap_session_has_capability   (LbImapSession        *self,
                                                 const char           *capability);
const char * const *lb_imap_session_get_capabilities (LbImapSession   *self);
void           lb_imap_session_set_provider     (LbImapSession        *self,
                                                 LbProvider           *provider);
void           lb_imap_session_set_timeout      (LbImapSession        *self,
                                                 int                   timeout_ms);
void           lb_imap_session_set_capability_override (LbImapSession *self,
                                                 const char           *capabilities);
void           lb_imap_session_set_deadline_scale (LbImapSession      *self,
                                                 double                scale);
void           lb_imap_session_expect           (LbImapSession        *self,
                                                 guint                 n_messages,
                                                 guint64               n_bytes);
guint          lb_imap_session_get_malformed    (LbImapSession        *self);
gboolean       lb_imap_session_qresync_enabled  (LbImapSession        *self);
gboolean       lb_imap_session_condstore_enabled (LbImapSession       *self);
const char    *lb_imap_session_get_namespace_prefix (LbImapSession   *self);
char           lb_imap_session_get_delimiter    (LbImapSession        *self);
const char    *lb_imap_session_get_selected     (LbImapSession        *self);
gboolean       lb_imap_session_selected_allows_keywords (LbImapSession *self);

LbImapResponse *lb_imap_session_command_sync    (LbImapSession        *self,
                                                 LbImapUntaggedFunc    func,
                                                 gpointer              user_data,
                                                 GCancellable         *cancellable,
                                                 GError              **error,
                                                 const char           *format,
                                                 ...) G_GNUC_PRINTF (6, 7);

gboolean       lb_imap_session_send_command     (LbImapSession        *self,
                                                 char                **out_tag,
                                                 GCancellable         *cancellable,
                                                 GError              **error,
                                                 const char           *format,
                                                 ...) G_GNUC_PRINTF (5, 6);
LbImapResponse *lb_imap_session_finish_command  (LbImapSession        *self,
                                                 const char           *tag,
                                                 LbImapUntaggedFunc    func,
                                                 gpointer              user_data,
                                                 GCancellable         *cancellable,
                                                 GError              **error);

void           lb_imap_session_set_compress     (LbImapSession        *self,
                                                 gboolean              compress);
LbImapConnection *lb_imap_session_get_connection (LbImapSession       *self);
gboolean       lb_imap_session_select_sync      (LbImapSession        *self,
                                                 const char           *mailbox,
                                                 gboolean              read_only,
                                                 const LbImapQresync  *qresync,
                                                 LbImapUntaggedFunc    func,
                                                 gpointer              user_data,
                                                 LbImapSelectInfo     *info,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
gboolean       lb_imap_session_append_sync      (LbImapSession        *self,
                                                 const char           *mailbox,
                                                 const char           *flags,
                                                 GBytes               *message,
                                                 guint32              *out_uid,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
gboolean       lb_imap_session_idle_sync        (LbImapSession        *self,
                                                 guint                 timeout_seconds,
                                                 LbImapUntaggedFunc    func,
                                                 gpointer              user_data,
                                                 gboolean             *out_changed,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
gboolean       lb_imap_session_noop_sync        (LbImapSession        *self,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
void           lb_imap_session_logout           (LbImapSession        *self);

char          *lb_imap_quote_mailbox            (const char           *raw_name);

G_END_DECLS
