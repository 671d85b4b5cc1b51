/* lb-oauth2-provider.h: where an OAuth2 authorization server is and who we are to it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * LbOAuth2Provider:
 * @id: "microsoft", "google", …: the id used by providers.ini's OAuth2 key
 * @auth_url: the authorization endpoint, opened in the browser
 * @token_url: the token endpoint, for the code exchange and refreshes
 * @client_id: this build's client registration
 * @client_secret: (nullable): Google's desktop-app secret (not confidential)
 * @scopes: the scopes, separated by spaces, as sent
 * @login_hint_param: (nullable): the authorization URL parameter that pre-fills the address
 * @redirect_host: the host of the loopback redirect URI: "127.0.0.1" unless the
 *   registration names "localhost" (Microsoft); both are listened on
 * @auth_params: (nullable): extra authorization URL parameters, "key=value" each
 * @proxy: (nullable): how token requests reach @token_url, as an account's
 *   #LbServerConfig proxy (%NULL: the system's); set by the account that uses it
 *
 * Endpoints are https, except in a test file named by LETTERBOX_OAUTH2_PROVIDERS, where
 * plain http is allowed on a loopback address.
 */
typedef struct {
  char  *id;
  char  *auth_url;
  char  *token_url;
  char  *client_id;
  char  *client_secret;
  char  *scopes;
  char  *login_hint_param;
  char  *redirect_host;
  char **auth_params;
  char  *proxy;
} LbOAuth2Provider;

LbOAuth2Provider *lb_oauth2_provider_lookup            (const char        *id,
                                                        GError           **error);
LbOAuth2Provider *lb_oauth2_provider_new_from_key_files (GKeyFile         *builtin,
                                                        GKeyFile          *override,
                                                        const char        *id,
                                                        const char        *builtin_client_id,
                                                        const char        *builtin_client_secret,
                                                        GError           **error);
void              lb_oauth2_provider_set_user_client   (const char        *id,
                                                        const char        *client_id,
                                                        const char        *client_secret);
LbOAuth2Provider *lb_oauth2_provider_copy              (const LbOAuth2Provider *provider);
void              lb_oauth2_provider_free              (LbOAuth2Provider  *provider);
gboolean          lb_oauth2_check_endpoint             (const char        *url,
                                                        gboolean           allow_loopback_http,
                                                        GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbOAuth2Provider, lb_oauth2_provider_free)

G_END_DECLS
