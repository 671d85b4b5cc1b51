/* lb-oauth2-flow.h: signing in in the browser (authorization code, PKCE, loopback redirect)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-oauth2-provider.h"
#include "lb-oauth2-token.h"

G_BEGIN_DECLS

/* How long the flow waits for the browser's redirect by default. */
#define LB_OAUTH2_SIGN_IN_TIMEOUT_S (10 * 60)

/**
 * LbOAuth2UriFunc:
 * @uri: the authorization URL, to show (so that the user can copy it) and to open
 * @browser_started: %TRUE when LETTERBOX_BROWSER was run with it; else the caller
 *   opens it (gtk_show_uri() in the UI; the CLI prints it)
 *
 * Called once on the caller's main context, once the listener is up.
 */
typedef void (*LbOAuth2UriFunc) (const char *uri,
                                 gboolean    browser_started,
                                 gpointer    user_data);

void           lb_oauth2_sign_in_async  (const LbOAuth2Provider *provider,
                                         const char             *login_hint,
                                         guint                   timeout_s,
                                         LbOAuth2UriFunc         uri_func,
                                         gpointer                uri_data,
                                         GCancellable           *cancellable,
                                         GAsyncReadyCallback     callback,
                                         gpointer                user_data);
LbOAuth2Token *lb_oauth2_sign_in_finish (GAsyncResult           *result,
                                         GError                **error);

char          *lb_oauth2_pkce_challenge (const char             *verifier);

G_END_DECLS
