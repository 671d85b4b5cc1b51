/* lb-account-sign-in.h: signing an account in in the browser (OAuth2), for the wizard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-account-sign-in
 * @title: lb_account_sign_in_async
 *
 * The whole browser sign-in of an account whose provider accepts OAuth2 (Outlook.com,
 * Microsoft 365, Gmail): the loopback listener, the browser, the code exchange, then the
 * IMAP and SMTP check with the new access token.  It finishes with the refresh token, which
 * the caller passes to lb_engine_add_account_async() or lb_engine_update_account_async()
 * (signing in again).  Main thread only; the callbacks run on the caller's thread-default
 * main context.  No signals.
 */
#pragma once

#include <gio/gio.h>

#include "lb-account-check.h"
#include "lb-engine.h"

G_BEGIN_DECLS

/**
 * LbSignInUriFunc:
 * @uri: the provider's sign-in address, to show (so that the user can copy it)
 * @browser_started: %TRUE when LETTERBOX_BROWSER ran with it; else the caller opens it
 *
 * Called once, before lb_account_sign_in_async() returns, when the listener is up.
 */
typedef void (*LbSignInUriFunc) (const char *uri,
                                 gboolean    browser_started,
                                 gpointer    user_data);

gboolean  lb_account_sign_in_available  (const char              *oauth2_id,
                                         GError                 **error);
void      lb_account_sign_in_set_client (const char              *oauth2_id,
                                         const char              *client_id,
                                         const char              *client_secret);
gboolean  lb_account_sign_in_save_client (const char            *oauth2_id,
                                         const char              *client_id,
                                         const char              *client_secret,
                                         GError                 **error);
void      lb_account_sign_in_restore_client (const char          *oauth2_id,
                                         const char              *client_id);
void      lb_account_sign_in_async      (const LbAccountSettings *settings,
                                         LbSignInUriFunc          uri_func,
                                         gpointer                 uri_data,
                                         GCancellable            *cancellable,
                                         GAsyncReadyCallback      callback,
                                         gpointer                 user_data);
char     *lb_account_sign_in_finish     (GAsyncResult            *result,
                                         LbAccountCheckResult   **out_check,
                                         GError                 **error);
void      lb_account_sign_in_free_token (char                    *refresh_token);

G_END_DECLS
