/* lb-oauth2-credentials.h: one account's OAuth2 tokens, shared by its IMAP and SMTP threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-oauth2-provider.h"
#include "lb-oauth2-token.h"

G_BEGIN_DECLS

typedef struct _LbOAuth2Credentials LbOAuth2Credentials;

/**
 * LbOAuth2RotatedFunc:
 * @refresh_token: the server's new refresh token, to replace the stored one
 *
 * Called on the thread that refreshed, with the credentials locked: store the token
 * (the keyring) and return; do not call back into the credentials.
 */
typedef void (*LbOAuth2RotatedFunc) (const char *refresh_token,
                                     gpointer    user_data);

LbOAuth2Credentials *lb_oauth2_credentials_new        (const LbOAuth2Provider *provider,
                                                       const char             *refresh_token,
                                                       LbOAuth2RotatedFunc     rotated,
                                                       gpointer                user_data,
                                                       GDestroyNotify          destroy);
LbOAuth2Credentials *lb_oauth2_credentials_ref        (LbOAuth2Credentials    *self);
void                 lb_oauth2_credentials_unref      (LbOAuth2Credentials    *self);
void                 lb_oauth2_credentials_set_token  (LbOAuth2Credentials    *self,
                                                       const LbOAuth2Token    *token);
char                *lb_oauth2_credentials_get_access_token_sync (LbOAuth2Credentials *self,
                                                       const char             *refused,
                                                       GCancellable           *cancellable,
                                                       GError                **error);
gboolean             lb_oauth2_credentials_needs_sign_in (LbOAuth2Credentials *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbOAuth2Credentials, lb_oauth2_credentials_unref)

G_END_DECLS
