/* lb-types.h: small types shared across the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The engine's public objects, for headers that only pass them around (each is declared
 * with G_DECLARE_FINAL_TYPE in its own header). */
typedef struct _LbEngine      LbEngine;
typedef struct _LbAccount     LbAccount;
typedef struct _LbFolder      LbFolder;
typedef struct _LbMessage     LbMessage;
typedef struct _LbMessageList LbMessageList;
typedef struct _LbOutboxItem  LbOutboxItem;

/**
 * LbFolderRole:
 *
 * What a folder is for.  Roles come from SPECIAL-USE, then XLIST, then the
 * provider's folder names, then common names (see lb_folder_role_from_name()).
 * The order of the values is the order of special folders in the sidebar.
 */
typedef enum {
  LB_FOLDER_ROLE_NONE = 0,
  LB_FOLDER_ROLE_INBOX,
  LB_FOLDER_ROLE_DRAFTS,
  LB_FOLDER_ROLE_SENT,
  LB_FOLDER_ROLE_ARCHIVE,
  LB_FOLDER_ROLE_JUNK,
  LB_FOLDER_ROLE_TRASH,
  LB_FOLDER_ROLE_ALL,       /* Gmail's [Gmail]/All Mail: never shown as an inbox */
  LB_FOLDER_ROLE_FLAGGED,   /* Gmail's Starred */
  LB_FOLDER_ROLE_IMPORTANT,
  LB_FOLDER_ROLE_OUTBOX,    /* local only */
} LbFolderRole;

/**
 * LbSecurity:
 * @LB_SECURITY_TLS: implicit TLS (993, 465)
 * @LB_SECURITY_STARTTLS: STARTTLS, required (never falls back to clear text)
 *
 * How a connection is secured.  There is no clear-text mode.
 */
typedef enum {
  LB_SECURITY_TLS,
  LB_SECURITY_STARTTLS,
} LbSecurity;

/**
 * LbCredentialKind:
 *
 * What the provider wants as the password.
 */
typedef enum {
  LB_CREDENTIAL_PASSWORD,
  LB_CREDENTIAL_APP_PASSWORD,
  LB_CREDENTIAL_AUTHORIZATION_CODE,   /* 授权码: QQ, NetEase */
  LB_CREDENTIAL_OAUTH2_ONLY,          /* Outlook.com since 2024-09-16: not supported yet */
} LbCredentialKind;

/* Message flags as stored.  Keywords beyond these are kept as text. */
typedef enum {
  LB_FLAG_SEEN     = 1 << 0,
  LB_FLAG_ANSWERED = 1 << 1,
  LB_FLAG_FLAGGED  = 1 << 2,
  LB_FLAG_DELETED  = 1 << 3,
  LB_FLAG_DRAFT    = 1 << 4,
  LB_FLAG_FORWARDED = 1 << 5,   /* $Forwarded */
  LB_FLAG_JUNK     = 1 << 6,    /* $Junk */
} LbFlags;

/**
 * LbJobPriority:
 * @LB_JOB_PRIORITY_USER: something the user is waiting for (open a message, move, send)
 * @LB_JOB_PRIORITY_VISIBLE: the folder on screen
 * @LB_JOB_PRIORITY_BACKGROUND: everything else (other folders, prefetch)
 */
typedef enum {
  LB_JOB_PRIORITY_USER,
  LB_JOB_PRIORITY_VISIBLE,
  LB_JOB_PRIORITY_BACKGROUND,
} LbJobPriority;

/**
 * LbAccountStatus:
 * @LB_ACCOUNT_STATUS_IDLE: connected (or waiting for the next poll) and up to date
 * @LB_ACCOUNT_STATUS_CONNECTING: signing in
 * @LB_ACCOUNT_STATUS_SYNCING: fetching changes
 * @LB_ACCOUNT_STATUS_OFFLINE: the server cannot be reached; retrying with backoff
 * @LB_ACCOUNT_STATUS_ERROR: the server refused us (password, certificate...);
 *   needs the user: see #LbAccount:last-error
 */
typedef enum {
  LB_ACCOUNT_STATUS_IDLE,
  LB_ACCOUNT_STATUS_CONNECTING,
  LB_ACCOUNT_STATUS_SYNCING,
  LB_ACCOUNT_STATUS_OFFLINE,
  LB_ACCOUNT_STATUS_ERROR,
} LbAccountStatus;

/**
 * LB_OUTBOX_HELD:
 *
 * The next attempt of an item that lb_engine_hold_async() put into the outbox: it is
 * never sent by itself, not even by a flush that ignores the backoff, until
 * lb_engine_outbox_retry() releases it.  An Undo Send delay holds the message so; if the
 * app quits or crashes during the delay, the message waits in the outbox, unsent.
 */
#define LB_OUTBOX_HELD G_MAXINT64

G_END_DECLS
