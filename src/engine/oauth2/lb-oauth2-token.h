/* lb-oauth2-token.h: OAuth2 tokens, from the token endpoint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-oauth2-provider.h"

G_BEGIN_DECLS

/* A token response larger than this is refused before it is parsed (a real one is a
 * few kilobytes; json-glib parses recursively, see TESTING.md). */
#define LB_OAUTH2_MAX_RESPONSE (64 * 1024)

/**
 * LbOAuth2Token:
 * @access_token: the bearer token for IMAP and SMTP; kept in memory only
 * @expires_at: when it expires, in g_get_monotonic_time() microseconds
 * @refresh_token: (nullable): the long-lived grant, for the keyring; after a refresh it is
 *   the server's new one when the server rotated it, else the one that was used
 * @scope: (nullable): the scopes granted, as the server sent them
 *
 * lb_oauth2_token_free() overwrites the tokens before it frees them.
 */
typedef struct {
  char   *access_token;
  gint64  expires_at;
  char   *refresh_token;
  char   *scope;
} LbOAuth2Token;

void           lb_oauth2_token_free         (LbOAuth2Token           *token);
LbOAuth2Token *lb_oauth2_token_parse        (const char              *data,
                                             gsize                    length,
                                             gint64                   now,
                                             GError                 **error);
void           lb_oauth2_set_response_error (GError               **error,
                                             long                   status,
                                             const char            *body,
                                             gsize                  length);
gboolean       lb_oauth2_token_needs_refresh (const LbOAuth2Token    *token,
                                             gint64                   now);

LbOAuth2Token *lb_oauth2_exchange_code_sync (const LbOAuth2Provider  *provider,
                                             const char              *code,
                                             const char              *code_verifier,
                                             const char              *redirect_uri,
                                             GCancellable            *cancellable,
                                             GError                 **error);
LbOAuth2Token *lb_oauth2_refresh_sync       (const LbOAuth2Provider  *provider,
                                             const char              *refresh_token,
                                             GCancellable            *cancellable,
                                             GError                 **error);
void           lb_oauth2_refresh_async      (const LbOAuth2Provider  *provider,
                                             const char              *refresh_token,
                                             GCancellable            *cancellable,
                                             GAsyncReadyCallback      callback,
                                             gpointer                 user_data);
LbOAuth2Token *lb_oauth2_refresh_finish     (GAsyncResult            *result,
                                             GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbOAuth2Token, lb_oauth2_token_free)

G_END_DECLS
