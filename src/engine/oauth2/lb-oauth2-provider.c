/* lb-oauth2-provider.c: OAuth2 authorization servers, as data
 *
 * The endpoints and scopes live in the bundled providers.ini ([oauth2:ID] groups); the
 * client registration comes from the build (meson options, config.h).  Tests point
 * everything at a loopback server with LETTERBOX_OAUTH2_PROVIDERS=FILE, a key file whose
 * [ID] groups override auth-url, token-url, client-id, client-secret and scopes.  Only
 * there may an endpoint be plain http, and only on a loopback address: a token or an
 * authorization code must never cross a network in clear text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "lb-engine-resources.h"
#include "lb-error.h"
#include "lb-oauth2-provider.h"

#define PROVIDERS_RESOURCE "/io/github/letterbox/Letterbox/engine/providers/providers.ini"

void
lb_oauth2_provider_free (LbOAuth2Provider *provider)
{
  if (provider == NULL)
    return;
  g_free (provider->id);
  g_free (provider->auth_url);
  g_free (provider->token_url);
  g_free (provider->client_id);
  g_free (provider->client_secret);
  g_free (provider->scopes);
  g_free (provider->proxy);
  g_free (provider->login_hint_param);
  g_free (provider->redirect_host);
  g_strfreev (provider->auth_params);
  g_free (provider);
}

LbOAuth2Provider *
lb_oauth2_provider_copy (const LbOAuth2Provider *provider)
{
  LbOAuth2Provider *copy = g_new0 (LbOAuth2Provider, 1);

  copy->id = g_strdup (provider->id);
  copy->auth_url = g_strdup (provider->auth_url);
  copy->token_url = g_strdup (provider->token_url);
  copy->client_id = g_strdup (provider->client_id);
  copy->client_secret = g_strdup (provider->client_secret);
  copy->proxy = g_strdup (provider->proxy);
  copy->scopes = g_strdup (provider->scopes);
  copy->login_hint_param = g_strdup (provider->login_hint_param);
  copy->redirect_host = g_strdup (provider->redirect_host);
  copy->auth_params = g_strdupv (provider->auth_params);
  return copy;
}

/**
 * lb_oauth2_check_endpoint:
 * @allow_loopback_http: whether plain http is acceptable on a loopback address
 *
 * Returns: %TRUE if @url is an absolute https URL with a host (or, when allowed, an http
 *   URL whose host is a loopback address literal)
 */
gboolean
lb_oauth2_check_endpoint (const char  *url,
                          gboolean     allow_loopback_http,
                          GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *scheme;
  const char *host;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (host == NULL || host[0] == '\0')
    {
      g_set_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED,
                   "The sign-in address “%s” is not a valid URL", url);
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  if (g_ascii_strcasecmp (scheme, "http") == 0 && allow_loopback_http
      && address != NULL && g_inet_address_get_is_loopback (address))
    return TRUE;
  g_set_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED,
               "The sign-in address “%s” must use https", url);
  return FALSE;
}

static char *
pick (GKeyFile   *override,
      const char *id,
      const char *override_key,
      GKeyFile   *builtin,
      const char *group,
      const char *builtin_key)
{
  char *value = NULL;

  if (override != NULL)
    value = g_key_file_get_string (override, id, override_key, NULL);
  if (value == NULL && builtin != NULL && builtin_key != NULL)
    value = g_key_file_get_string (builtin, group, builtin_key, NULL);
  if (value != NULL && value[0] == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

/**
 * lb_oauth2_provider_new_from_key_files:
 * @builtin: (nullable): providers.ini
 * @override: (nullable): the test file, whose [@id] group wins key by key
 * @builtin_client_id: this build's client ID for @id ("" when none was registered)
 *
 * Returns: (transfer full): the provider, or %NULL with %LB_ERROR_NOT_FOUND (no such id),
 *   %LB_ERROR_UNSUPPORTED (no client ID in this build, or an endpoint that is not https)
 */
LbOAuth2Provider *
lb_oauth2_provider_new_from_key_files (GKeyFile    *builtin,
                                       GKeyFile    *override,
                                       const char  *id,
                                       const char  *builtin_client_id,
                                       const char  *builtin_client_secret,
                                       GError     **error)
{
  g_autoptr(LbOAuth2Provider) p = g_new0 (LbOAuth2Provider, 1);
  g_autofree char *group = g_strconcat ("oauth2:", id, NULL);
  gboolean in_override = override != NULL && g_key_file_has_group (override, id);

  if (!in_override && (builtin == NULL || !g_key_file_has_group (builtin, group)))
    {
      g_set_error (error, LB_ERROR, LB_ERROR_NOT_FOUND, "No OAuth2 sign-in is known for “%s”", id);
      return NULL;
    }
  p->id = g_strdup (id);
  p->auth_url = pick (override, id, "auth-url", builtin, group, "AuthUrl");
  p->token_url = pick (override, id, "token-url", builtin, group, "TokenUrl");
  p->scopes = pick (override, id, "scopes", builtin, group, "Scopes");
  p->login_hint_param = pick (override, id, "login-hint", builtin, group, "LoginHint");
  p->client_id = pick (override, id, "client-id", NULL, NULL, NULL);
  if (p->client_id == NULL && builtin_client_id != NULL && builtin_client_id[0] != '\0')
    p->client_id = g_strdup (builtin_client_id);
  p->client_secret = pick (override, id, "client-secret", NULL, NULL, NULL);
  if (p->client_secret == NULL && builtin_client_secret != NULL && builtin_client_secret[0] != '\0')
    p->client_secret = g_strdup (builtin_client_secret);
  p->redirect_host = pick (override, id, "redirect-host", builtin, group, "RedirectHost");
  if (p->redirect_host == NULL)
    p->redirect_host = g_strdup ("127.0.0.1");
  if (builtin != NULL)
    p->auth_params = g_key_file_get_string_list (builtin, group, "AuthParams", NULL, NULL);

  if (p->auth_url == NULL || p->token_url == NULL || p->scopes == NULL)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED,
                   "The OAuth2 sign-in “%s” lacks an endpoint or its scopes", id);
      return NULL;
    }
  if (p->client_id == NULL)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED,
                   "This build of Letterbox has no client ID for signing in with %s", id);
      return NULL;
    }
  /* An override may only loosen the scheme for loopback servers, and only for the
   * endpoints it sets itself. */
  if (!lb_oauth2_check_endpoint (p->auth_url, in_override, error)
      || !lb_oauth2_check_endpoint (p->token_url, in_override, error))
    return NULL;
  return g_steal_pointer (&p);
}

/* Registrations the user made for themselves (the wizard's "Use your own client ID"), by
 * provider id: a pair of strings, client ID and secret.  They win over the build's, and any
 * thread may look them up (a worker refreshes its tokens with them). */
static GMutex      user_clients_lock;
static GHashTable *user_clients;

/**
 * lb_oauth2_provider_set_user_client:
 * @id: "microsoft" or "google"
 * @client_id: (nullable): the user's own client ID; %NULL or "" forgets it
 * @client_secret: (nullable): its secret, for Google's desktop clients
 *
 * Makes lookups of @id use the user's registration instead of the build's, for this
 * process.  The caller keeps the ID in its settings and the secret in the keyring.
 */
void
lb_oauth2_provider_set_user_client (const char *id,
                                    const char *client_id,
                                    const char *client_secret)
{
  g_return_if_fail (id != NULL);

  g_mutex_lock (&user_clients_lock);
  if (user_clients == NULL)
    user_clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_strfreev);
  if (client_id == NULL || client_id[0] == '\0')
    g_hash_table_remove (user_clients, id);
  else
    {
      char **pair = g_new0 (char *, 3);

      pair[0] = g_strdup (client_id);
      pair[1] = g_strdup (client_secret != NULL ? client_secret : "");
      g_hash_table_replace (user_clients, g_strdup (id), pair);
    }
  g_mutex_unlock (&user_clients_lock);
}

/* The user's registration for @id as a copy ({ id, secret }), or %NULL. */
static char **
dup_user_client (const char *id)
{
  char **pair;
  char **copy = NULL;

  g_mutex_lock (&user_clients_lock);
  pair = user_clients != NULL ? g_hash_table_lookup (user_clients, id) : NULL;
  if (pair != NULL)
    copy = g_strdupv (pair);
  g_mutex_unlock (&user_clients_lock);
  return copy;
}

static const char *
builtin_client_id_for (const char *id)
{
  if (g_strcmp0 (id, "microsoft") == 0)
    return LB_MICROSOFT_CLIENT_ID;
  if (g_strcmp0 (id, "google") == 0)
    return LB_GOOGLE_CLIENT_ID;
  return NULL;
}

/**
 * lb_oauth2_provider_lookup:
 * @id: "microsoft" or "google" (or any id the test file defines)
 *
 * Returns: (transfer full): the provider for this build and environment, or %NULL with
 *   @error set (see lb_oauth2_provider_new_from_key_files())
 */
LbOAuth2Provider *
lb_oauth2_provider_lookup (const char  *id,
                           GError     **error)
{
  g_autoptr(GKeyFile) builtin = g_key_file_new ();
  g_autoptr(GKeyFile) override = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *override_path = g_getenv ("LETTERBOX_OAUTH2_PROVIDERS");
  g_auto(GStrv) user = NULL;

  g_return_val_if_fail (id != NULL, NULL);

  bytes = g_resource_lookup_data (lb_engine_get_resource (), PROVIDERS_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL
      || !g_key_file_load_from_data (builtin, g_bytes_get_data (bytes, NULL),
                                     g_bytes_get_size (bytes), G_KEY_FILE_NONE, error))
    return NULL;

  if (override_path != NULL && override_path[0] != '\0')
    {
      override = g_key_file_new ();
      if (!g_key_file_load_from_file (override, override_path, G_KEY_FILE_NONE, error))
        {
          g_prefix_error (error, "LETTERBOX_OAUTH2_PROVIDERS: ");
          return NULL;
        }
    }
  user = dup_user_client (id);
  if (user != NULL)
    return lb_oauth2_provider_new_from_key_files (builtin, override, id, user[0], user[1], error);
  return lb_oauth2_provider_new_from_key_files (builtin, override, id, builtin_client_id_for (id),
                                                g_strcmp0 (id, "google") == 0
                                                ? LB_GOOGLE_CLIENT_SECRET : NULL,
                                                error);
}
