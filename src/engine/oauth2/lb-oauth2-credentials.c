/* lb-oauth2-credentials.c: one account's OAuth2 tokens, shared by its IMAP and SMTP threads
 *
 * The access token lives here, in memory only, with its expiry; the refresh token comes
 * from the keyring and goes back there through the rotated callback whenever the server
 * replaces it.  A refresh happens a few minutes before the expiry, or when a server
 * refused the current token (once per refused token: two threads refused with the same
 * token cause one refresh).  Refreshes are serialised, because a rotating server
 * invalidates the old refresh token the moment it issues a new one.  Once the grant is
 * gone (invalid_grant) every call fails at once with %LB_ERROR_SIGN_IN_REQUIRED and
 * nothing goes to the network again: only a new sign-in (set_token) ends that state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-error.h"
#include "lb-oauth2-credentials.h"

struct _LbOAuth2Credentials {
  gatomicrefcount      ref_count;
  GMutex               lock;
  LbOAuth2Provider    *provider;
  LbOAuth2Token       *token;          /* access_token may be NULL; refresh_token is set
                                        * unless the grant is gone */
  gboolean             needs_sign_in;
  LbOAuth2RotatedFunc  rotated;
  gpointer             user_data;
  GDestroyNotify       destroy;
};

/**
 * lb_oauth2_credentials_new:
 * @refresh_token: (nullable): the stored refresh token; %NULL until the first sign-in
 *
 * Returns: (transfer full): the credentials
 */
LbOAuth2Credentials *
lb_oauth2_credentials_new (const LbOAuth2Provider *provider,
                           const char             *refresh_token,
                           LbOAuth2RotatedFunc     rotated,
                           gpointer                user_data,
                           GDestroyNotify          destroy)
{
  LbOAuth2Credentials *self = g_new0 (LbOAuth2Credentials, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  self->provider = lb_oauth2_provider_copy (provider);
  self->token = g_new0 (LbOAuth2Token, 1);
  self->token->refresh_token = g_strdup (refresh_token);
  self->needs_sign_in = refresh_token == NULL || refresh_token[0] == '\0';
  self->rotated = rotated;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}

LbOAuth2Credentials *
lb_oauth2_credentials_ref (LbOAuth2Credentials *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
lb_oauth2_credentials_unref (LbOAuth2Credentials *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  if (self->destroy != NULL)
    self->destroy (self->user_data);
  lb_oauth2_token_free (self->token);
  lb_oauth2_provider_free (self->provider);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static LbOAuth2Token *
token_copy (const LbOAuth2Token *token)
{
  LbOAuth2Token *copy = g_new0 (LbOAuth2Token, 1);

  copy->access_token = g_strdup (token->access_token);
  copy->expires_at = token->expires_at;
  copy->refresh_token = g_strdup (token->refresh_token);
  copy->scope = g_strdup (token->scope);
  return copy;
}

/**
 * lb_oauth2_credentials_set_token:
 *
 * Takes the result of a sign-in (lb_oauth2_sign_in_finish()): ends a needs-sign-in state.
 * The caller stores @token's refresh token itself.
 */
void
lb_oauth2_credentials_set_token (LbOAuth2Credentials *self,
                                 const LbOAuth2Token *token)
{
  g_return_if_fail (token != NULL && token->access_token != NULL);

  g_mutex_lock (&self->lock);
  lb_oauth2_token_free (self->token);
  self->token = token_copy (token);
  self->needs_sign_in = token->refresh_token == NULL;
  g_mutex_unlock (&self->lock);
}

gboolean
lb_oauth2_credentials_needs_sign_in (LbOAuth2Credentials *self)
{
  gboolean result;

  g_mutex_lock (&self->lock);
  result = self->needs_sign_in;
  g_mutex_unlock (&self->lock);
  return result;
}

/* With the lock held. */
static gboolean
refresh_locked (LbOAuth2Credentials  *self,
                GCancellable         *cancellable,
                GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LbOAuth2Token) fresh = NULL;
  gboolean rotated;

  fresh = lb_oauth2_refresh_sync (self->provider, self->token->refresh_token, cancellable,
                                  &local_error);
  if (fresh == NULL)
    {
      if (g_error_matches (local_error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED))
        {
          /* The grant is gone: forget it, so that nothing uses it again. */
          self->needs_sign_in = TRUE;
          lb_oauth2_token_free (self->token);
          self->token = g_new0 (LbOAuth2Token, 1);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  rotated = g_strcmp0 (fresh->refresh_token, self->token->refresh_token) != 0;
  lb_oauth2_token_free (self->token);
  self->token = g_steal_pointer (&fresh);
  g_debug ("Access token for %s refreshed%s", self->provider->id,
           rotated ? "; the refresh token was rotated" : "");
  if (rotated && self->rotated != NULL)
    self->rotated (self->token->refresh_token, self->user_data);
  return TRUE;
}

/**
 * lb_oauth2_credentials_get_access_token_sync:
 * @refused: (nullable): the access token a server just refused; if it is still the
 *   current one, it is refreshed (so a refused login is retried once, with a new token)
 *
 * Blocks while it refreshes; call it on an account's thread.
 *
 * Returns: (transfer full): an access token valid for a few minutes at least, or %NULL
 *   with %LB_ERROR_SIGN_IN_REQUIRED (no grant: sign in again), or a token endpoint error
 */
char *
lb_oauth2_credentials_get_access_token_sync (LbOAuth2Credentials  *self,
                                             const char           *refused,
                                             GCancellable         *cancellable,
                                             GError              **error)
{
  char *result = NULL;

  g_mutex_lock (&self->lock);
  if (self->needs_sign_in)
    g_set_error (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED,
                 "Sign in to %s again: the sign-in is no longer valid", self->provider->id);
  else if ((refused == NULL || g_strcmp0 (refused, self->token->access_token) != 0)
           && !lb_oauth2_token_needs_refresh (self->token, g_get_monotonic_time ()))
    result = g_strdup (self->token->access_token);
  else if (refresh_locked (self, cancellable, error))
    result = g_strdup (self->token->access_token);
  g_mutex_unlock (&self->lock);
  return result;
}
