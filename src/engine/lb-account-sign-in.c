/* lb-account-sign-in.c: the browser sign-in of an account, checked against its servers
 *
 * The same steps as `letterbox-cli account add --oauth2` (src/cli/lb-cli.c): the OAuth2
 * flow (oauth2/lb-oauth2-flow.c) for the account's address, then lb_account_check_async()
 * with the access token, a command included, since a server may accept a token that
 * belongs to another user.  The access token is dropped here; only the refresh token goes
 * back to the caller, for the keyring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lb-account-sign-in.h"
#include "lb-error.h"
#include "lb-oauth2-flow.h"
#include "lb-secrets.h"

typedef struct {
  LbAccountSettings    *settings;
  LbOAuth2Token        *token;
  LbAccountCheckResult *check;
} SignIn;

static void
sign_in_free (SignIn *data)
{
  lb_account_settings_free (data->settings);
  lb_oauth2_token_free (data->token);
  g_clear_pointer (&data->check, lb_account_check_result_free);
  g_free (data);
}

static LbServerConfig *
copy_for_oauth2 (const LbServerConfig *config)
{
  LbServerConfig *copy;

  if (config == NULL)
    return NULL;
  copy = lb_server_config_copy (config);
  copy->auth = LB_AUTH_OAUTH2;
  return copy;
}

/**
 * lb_account_sign_in_available:
 * @oauth2_id: the provider's browser sign-in, from lb_provider_info_get_oauth2_id()
 * @error: why not: %LB_ERROR_UNSUPPORTED when this build has no client ID for it (and the
 *   user gave none)
 *
 * Returns: whether lb_account_sign_in_async() can sign in with @oauth2_id
 */
gboolean
lb_account_sign_in_available (const char  *oauth2_id,
                              GError     **error)
{
  g_autoptr(LbOAuth2Provider) provider = NULL;

  g_return_val_if_fail (oauth2_id != NULL, FALSE);

  provider = lb_oauth2_provider_lookup (oauth2_id, error);
  return provider != NULL;
}

/**
 * lb_account_sign_in_set_client:
 * @oauth2_id: "microsoft" or "google"
 * @client_id: (nullable): the user's own client registration; %NULL or "" forgets it
 * @client_secret: (nullable): its secret (Google's desktop clients have one, which is not
 *   confidential)
 *
 * Uses the user's own registration for @oauth2_id in this process, for new sign-ins and
 * for the refreshes of the accounts signed in with it.  The caller keeps it (the ID in
 * its settings, the secret in the keyring) and sets it again at every start.
 */
void
lb_account_sign_in_set_client (const char *oauth2_id,
                               const char *client_id,
                               const char *client_secret)
{
  lb_oauth2_provider_set_user_client (oauth2_id, client_id, client_secret);
}

/* The keyring item of a user's own client secret: a "profile" of its own, so that it never
 * meets an account's item. */
#define CLIENT_SECRET_PROFILE "oauth2-client"

/**
 * lb_account_sign_in_save_client:
 * @oauth2_id: "microsoft" or "google"
 * @client_id: the user's own client ID (public: the caller keeps it in its settings)
 * @client_secret: (nullable): its secret, which goes to the keyring only
 * @error: %LB_ERROR_SECRET when the keyring refused it
 *
 * Stores the secret (or forgets an old one) and uses the registration at once, as
 * lb_account_sign_in_set_client() does.  Blocks on the keyring: call it on a user's action.
 */
gboolean
lb_account_sign_in_save_client (const char  *oauth2_id,
                                const char  *client_id,
                                const char  *client_secret,
                                GError     **error)
{
  g_return_val_if_fail (oauth2_id != NULL && client_id != NULL, FALSE);

  if (client_secret != NULL && client_secret[0] != '\0')
    {
      if (!lb_secrets_store_sync (CLIENT_SECRET_PROFILE, oauth2_id, client_id, client_secret,
                                  NULL, error))
        return FALSE;
    }
  else
    lb_secrets_clear_sync (CLIENT_SECRET_PROFILE, oauth2_id, client_id, NULL, NULL);
  lb_account_sign_in_set_client (oauth2_id, client_id, client_secret);
  return TRUE;
}

/**
 * lb_account_sign_in_restore_client:
 * @oauth2_id: "microsoft" or "google"
 * @client_id: the client ID the caller kept
 *
 * Uses the registration saved by lb_account_sign_in_save_client() again (at start), with
 * its secret from the keyring.  Blocks on the keyring.
 */
void
lb_account_sign_in_restore_client (const char *oauth2_id,
                                   const char *client_id)
{
  g_autoptr(LbSecret) secret = NULL;

  g_return_if_fail (oauth2_id != NULL && client_id != NULL);

  secret = lb_secrets_lookup_sync (CLIENT_SECRET_PROFILE, oauth2_id, client_id, NULL, NULL);
  lb_account_sign_in_set_client (oauth2_id, client_id, secret);
}

static void
on_checked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignIn *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->check = lb_account_check_finish (result, &error);
  if (data->check == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!data->check->ok && data->check->field == LB_ACCOUNT_CHECK_FIELD_PASSWORD)
    {
      /* The check's words are about a password; here there is none to correct. */
      g_task_return_new_error (task, LB_ERROR, LB_ERROR_AUTH, "%s",
                               _("The mail server refused this sign-in. Make sure that IMAP "
                                 "is turned on for this account and that you signed in with "
                                 "this address, then try again."));
      return;
    }
  if (!data->check->ok)
    {
      g_task_return_new_error (task, LB_ERROR, LB_ERROR_AUTH, "%s", data->check->message);
      return;
    }
  g_task_return_pointer (task, g_strdup (data->token->refresh_token),
                         (GDestroyNotify) lb_account_sign_in_free_token);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignIn *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->token = lb_oauth2_sign_in_finish (result, &error);
  if (data->token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->token->refresh_token == NULL)
    {
      g_task_return_new_error (task, LB_ERROR, LB_ERROR_AUTH, "%s",
                               _("The sign-in server gave no refresh token; the account "
                                 "could not stay signed in"));
      return;
    }
  lb_account_check_async (data->settings, data->token->access_token,
                          g_task_get_cancellable (task), on_checked, g_object_ref (task));
}

/**
 * lb_account_sign_in_async:
 * @settings: the account: its address, its servers and its @oauth2_provider (set)
 * @uri_func: (nullable): shows the sign-in address, and opens it unless LETTERBOX_BROWSER
 *   did (gtk_show_uri() in the UI)
 * @uri_data: for @uri_func
 * @cancellable: (nullable): cancels the sign-in, and stops the loopback listener at once
 *
 * Signs in in the browser and checks the servers with the new token.  Finishes with
 * %G_IO_ERROR_CANCELLED, %LB_ERROR_TIMEOUT (no answer within
 * %LB_OAUTH2_SIGN_IN_TIMEOUT_S), %LB_ERROR_UNSUPPORTED (no client ID), %LB_ERROR_AUTH (the
 * provider or the check refused; lb_account_sign_in_finish() gives the check), or an
 * error of the token endpoint.
 */
void
lb_account_sign_in_async (const LbAccountSettings *settings,
                          LbSignInUriFunc          uri_func,
                          gpointer                 uri_data,
                          GCancellable            *cancellable,
                          GAsyncReadyCallback      callback,
                          gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(LbOAuth2Provider) provider = NULL;
  GError *error = NULL;
  SignIn *data;

  g_return_if_fail (settings != NULL && settings->email != NULL && settings->imap != NULL);
  g_return_if_fail (settings->oauth2_provider != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_account_sign_in_async);
  data = g_new0 (SignIn, 1);
  data->settings = lb_account_settings_new ();
  data->settings->email = g_strdup (settings->email);
  data->settings->display_name = g_strdup (settings->display_name);
  data->settings->provider_id = g_strdup (settings->provider_id);
  data->settings->oauth2_provider = g_strdup (settings->oauth2_provider);
  data->settings->imap = copy_for_oauth2 (settings->imap);
  data->settings->smtp = copy_for_oauth2 (settings->smtp);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_free);

  provider = lb_oauth2_provider_lookup (settings->oauth2_provider, &error);
  if (provider == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  lb_oauth2_sign_in_async (provider, settings->email, LB_OAUTH2_SIGN_IN_TIMEOUT_S,
                           (LbOAuth2UriFunc) uri_func, uri_data, cancellable, on_signed_in,
                           g_object_ref (task));
}

/**
 * lb_account_sign_in_finish:
 * @out_check: (out) (optional) (nullable) (transfer full): the server check, when it ran
 *
 * Returns: (transfer full) (nullable): the refresh token, for the keyring; free it with
 *   lb_account_sign_in_free_token()
 */
char *
lb_account_sign_in_finish (GAsyncResult          *result,
                           LbAccountCheckResult **out_check,
                           GError               **error)
{
  SignIn *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (out_check != NULL)
    *out_check = g_steal_pointer (&data->check);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * lb_account_sign_in_free_token:
 *
 * Overwrites the refresh token, then frees it.
 */
void
lb_account_sign_in_free_token (char *refresh_token)
{
  if (refresh_token == NULL)
    return;
  memset (refresh_token, 0, strlen (refresh_token));
  g_free (refresh_token);
}
