/* lb-error-map.h: server error texts and libcurl failures as messages a person can act on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <curl/curl.h>
#include <gio/gio.h>

#include "lb-error.h"
#include "lb-provider.h"

G_BEGIN_DECLS

/**
 * LbErrorPhase:
 * @LB_ERROR_PHASE_ANY: not known or not relevant
 * @LB_ERROR_PHASE_IMAP_LOGIN: IMAP LOGIN or AUTHENTICATE
 * @LB_ERROR_PHASE_IMAP_SELECT: IMAP SELECT or EXAMINE (and later commands)
 * @LB_ERROR_PHASE_SMTP_AUTH: SMTP AUTH
 * @LB_ERROR_PHASE_SMTP_MAIL_FROM: SMTP MAIL FROM (and RCPT TO)
 * @LB_ERROR_PHASE_SMTP_DATA: SMTP DATA, the message itself
 *
 * What the client was doing when the server said no.
 */
typedef enum {
  LB_ERROR_PHASE_ANY,
  LB_ERROR_PHASE_IMAP_LOGIN,
  LB_ERROR_PHASE_IMAP_SELECT,
  LB_ERROR_PHASE_SMTP_AUTH,
  LB_ERROR_PHASE_SMTP_MAIL_FROM,
  LB_ERROR_PHASE_SMTP_DATA,
} LbErrorPhase;

/**
 * LbMappedErrorKind:
 * @LB_MAPPED_ERROR_UNKNOWN: no rule matched; show the server's own text
 * @LB_MAPPED_ERROR_AUTH: the credential was refused (wrong password, or the
 *   account password given where an authorization code or app password is needed)
 * @LB_MAPPED_ERROR_AUTH_OR_DISABLED: refused for one of several reasons the server
 *   does not tell apart: IMAP off, wrong credential, or rate-limited (QQ)
 * @LB_MAPPED_ERROR_SERVICE_DISABLED: IMAP or SMTP access is switched off for the account
 * @LB_MAPPED_ERROR_OAUTH2_REQUIRED: the provider accepts only OAuth2 sign-in
 * @LB_MAPPED_ERROR_SENDER_MISMATCH: the From address is not the login address
 * @LB_MAPPED_ERROR_CLIENT_BUG: Letterbox did something wrong (such as not
 *   sending IMAP ID to NetEase)
 * @LB_MAPPED_ERROR_TOO_MANY_CONNECTIONS: the server's connection limit is reached
 * @LB_MAPPED_ERROR_REJECTED_AS_SPAM: the message was refused as spam; not a
 *   credential problem
 * @LB_MAPPED_ERROR_RECIPIENT_REFUSED: the server refused a recipient address
 * @LB_MAPPED_ERROR_MESSAGE_TOO_BIG: the message is larger than the server accepts
 *
 * The meaning of a server error text, for the caller's choice of action
 * (ask for a new password, offer the help steps, retry later ...).
 */
typedef enum {
  LB_MAPPED_ERROR_UNKNOWN,
  LB_MAPPED_ERROR_AUTH,
  LB_MAPPED_ERROR_AUTH_OR_DISABLED,
  LB_MAPPED_ERROR_SERVICE_DISABLED,
  LB_MAPPED_ERROR_OAUTH2_REQUIRED,
  LB_MAPPED_ERROR_SENDER_MISMATCH,
  LB_MAPPED_ERROR_CLIENT_BUG,
  LB_MAPPED_ERROR_TOO_MANY_CONNECTIONS,
  LB_MAPPED_ERROR_REJECTED_AS_SPAM,
  LB_MAPPED_ERROR_RECIPIENT_REFUSED,
  LB_MAPPED_ERROR_MESSAGE_TOO_BIG,
} LbMappedErrorKind;

char    *lb_error_map_server_text      (const LbProvider  *provider,
                                        LbErrorPhase       phase,
                                        const char        *raw_bytes,
                                        gsize              length,
                                        LbMappedErrorKind *kind_out);
char    *lb_error_map_decode_text      (const char        *raw_bytes,
                                        gsize              length);
LbError  lb_mapped_error_kind_to_code  (LbMappedErrorKind  kind);
GError  *lb_error_map_curl             (CURLcode           code,
                                        const char        *errbuf,
                                        const char        *host,
                                        const LbProvider  *provider,
                                        LbErrorPhase       phase,
                                        const char        *server_text,
                                        gsize              server_text_length);

G_END_DECLS
