/* lb-error.h: the engine's error domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LB_ERROR (lb_error_quark ())

/**
 * LbError:
 * @LB_ERROR_FAILED: a failure with no better code
 * @LB_ERROR_PARSE: a server response, MIME part or document could not be parsed
 * @LB_ERROR_PROTOCOL: the server broke the protocol (unexpected response, BAD)
 * @LB_ERROR_SERVER_NO: the server answered NO; the message holds its text
 * @LB_ERROR_AUTH: the server refused the credentials
 * @LB_ERROR_TLS: the TLS handshake or certificate check failed
 * @LB_ERROR_NETWORK: the host could not be reached or the connection broke
 * @LB_ERROR_DNS: a host name could not be resolved
 * @LB_ERROR_TIMEOUT: an operation took longer than its limit
 * @LB_ERROR_STORE: the local store failed (I/O, corruption, disk full)
 * @LB_ERROR_STORE_TOO_NEW: the store was written by a newer Letterbox
 * @LB_ERROR_NOT_FOUND: the account, folder or message does not exist
 * @LB_ERROR_SECRET: the keyring could not be reached or had no secret
 * @LB_ERROR_UNSUPPORTED: the provider or server needs something Letterbox lacks
 * @LB_ERROR_SIGN_IN_REQUIRED: the OAuth2 grant is gone (`invalid_grant`: revoked, expired or
 *   the password changed); only signing in again in the browser helps, so nothing retries
 *
 * Error codes in the %LB_ERROR domain.  %G_IO_ERROR codes are used instead
 * where they fit (cancellation above all: %G_IO_ERROR_CANCELLED).
 */
typedef enum {
  LB_ERROR_FAILED,
  LB_ERROR_PARSE,
  LB_ERROR_PROTOCOL,
  LB_ERROR_SERVER_NO,
  LB_ERROR_AUTH,
  LB_ERROR_TLS,
  LB_ERROR_NETWORK,
  LB_ERROR_DNS,
  LB_ERROR_TIMEOUT,
  LB_ERROR_STORE,
  LB_ERROR_STORE_TOO_NEW,
  LB_ERROR_NOT_FOUND,
  LB_ERROR_SECRET,
  LB_ERROR_UNSUPPORTED,
  LB_ERROR_SIGN_IN_REQUIRED,
} LbError;

GQuark lb_error_quark (void);

G_END_DECLS
