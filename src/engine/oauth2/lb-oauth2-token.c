/* lb-oauth2-token.c: the token endpoint (code exchange, refresh) and its JSON
 *
 * A POST of an application/x-www-form-urlencoded body over libcurl, answered with a JSON
 * object (RFC 6749 §5).  Everything in the answer is distrusted: its size is capped, its
 * nesting is checked before json-glib sees it, and the server's error text is cut to
 * printable ASCII before it goes into a message.  No token is ever logged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "lb-curl.h"
#include "lb-error.h"
#include "lb-oauth2-token.h"

/* Refresh this long before the access token expires, so that a login that starts just
 * before the expiry does not present a token that dies on the way. */
#define REFRESH_MARGIN_US (G_USEC_PER_SEC * 300)
#define MAX_NESTING 16
#define TOKEN_TIMEOUT_S 60L

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

void
lb_oauth2_token_free (LbOAuth2Token *token)
{
  if (token == NULL)
    return;
  wipe_free (token->access_token);
  wipe_free (token->refresh_token);
  g_free (token->scope);
  g_free (token);
}

/**
 * lb_oauth2_token_needs_refresh:
 *
 * Returns: %TRUE when the access token expires within the refresh margin (five minutes)
 */
gboolean
lb_oauth2_token_needs_refresh (const LbOAuth2Token *token,
                               gint64               now)
{
  return token->access_token == NULL || now + REFRESH_MARGIN_US >= token->expires_at;
}

/* Server text for a message: printable ASCII only, at most 200 bytes, so that a hostile
 * endpoint cannot put escape sequences into a terminal or a log. */
static char *
sanitize (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0' && out->len < 200; p++)
    g_string_append_c (out, (*p >= 0x20 && *p < 0x7f) ? *p : '?');
  return g_string_free (out, FALSE);
}

/* json-glib recurses once per level; refuse deep nesting before it runs. */
static gboolean
nesting_ok (const char *data,
            gsize       length)
{
  int depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if ((c == '[' || c == '{') && ++depth > MAX_NESTING)
        return FALSE;
      else if (c == ']' || c == '}')
        depth--;
    }
  return TRUE;
}

static JsonObject *
parse_object (const char  *data,
              gsize        length,
              JsonParser  *parser,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (length > LB_OAUTH2_MAX_RESPONSE || !nesting_ok (data, length))
    {
      g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
                   "The sign-in server’s answer is too large or too deeply nested");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
                   "The sign-in server’s answer is not valid JSON");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
                   "The sign-in server’s answer is not a JSON object");
      return NULL;
    }
  return json_node_get_object (root);
}

/* A string member, or NULL if it is missing or not a string. */
static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* expires_in: a number of seconds; some servers send it as a string. */
static gboolean
get_expires_in (JsonObject *object,
                gint64     *seconds)
{
  JsonNode *node = json_object_get_member (object, "expires_in");
  const char *text;

  *seconds = 3600;  /* RFC 6749 makes it optional; an hour is what providers give. */
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *seconds = json_node_get_int (node);
  else if ((text = get_string (object, "expires_in")) != NULL)
    {
      if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT32, seconds, NULL))
        return FALSE;
    }
  else
    return FALSE;
  return *seconds > 0 && *seconds <= G_MAXINT32;
}

/**
 * lb_oauth2_token_parse:
 * @data: a token endpoint's successful answer
 * @now: g_get_monotonic_time() when the request was sent
 *
 * Returns: (transfer full): the token, or %NULL with %LB_ERROR_PARSE (too large, too
 *   deeply nested, not JSON, not an object, a missing or malformed field, a token type
 *   other than Bearer)
 */
LbOAuth2Token *
lb_oauth2_token_parse (const char  *data,
                       gsize        length,
                       gint64       now,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(LbOAuth2Token) token = NULL;
  JsonObject *object;
  const char *access_token;
  const char *token_type;
  const char *refresh_token;
  gint64 expires_in;

  object = parse_object (data, length, parser, error);
  if (object == NULL)
    return NULL;
  access_token = get_string (object, "access_token");
  token_type = get_string (object, "token_type");
  refresh_token = get_string (object, "refresh_token");
  if (access_token == NULL || access_token[0] == '\0')
    {
      g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
                   "The sign-in server’s answer has no access token");
      return NULL;
    }
  if (token_type != NULL && g_ascii_strcasecmp (token_type, "bearer") != 0)
    {
      g_autofree char *shown = sanitize (token_type);

      g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
                   "The sign-in server sent a token of type “%s”, not Bearer", shown);
      return NULL;
    }
  if (!get_expires_in (object, &expires_in))
    {
      g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
                   "The sign-in server’s answer has a malformed expiry");
      return NULL;
    }
  /* A token that SASL would have to quote, or that could end a protocol line early,
   * is not a token. */
  for (const char *p = access_token; *p != '\0'; p++)
    if (*p <= 0x20 || *p >= 0x7f)
      {
        g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
                     "The sign-in server sent an access token with invalid characters");
        return NULL;
      }

  token = g_new0 (LbOAuth2Token, 1);
  token->access_token = g_strdup (access_token);
  token->expires_at = now + expires_in * G_USEC_PER_SEC;
  if (refresh_token != NULL && refresh_token[0] != '\0')
    token->refresh_token = g_strdup (refresh_token);
  token->scope = g_strdup (get_string (object, "scope"));
  return g_steal_pointer (&token);
}

/**
 * lb_oauth2_set_response_error:
 * @status: the HTTP status of an answer other than 200
 *
 * Turns a token endpoint's error answer (RFC 6749 §5.2) into an LbError:
 * %LB_ERROR_SIGN_IN_REQUIRED for `invalid_grant`, %LB_ERROR_AUTH for another OAuth2
 * error, %LB_ERROR_NETWORK for a 5xx, %LB_ERROR_PROTOCOL for anything else.
 */
void
lb_oauth2_set_response_error (GError    **error,
                              long        status,
                              const char *body,
                              gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object = NULL;
  const char *code = NULL;
  const char *description = NULL;
  g_autofree char *shown_code = NULL;
  g_autofree char *shown_description = NULL;

  if (status >= 500)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_NETWORK,
                   "The sign-in server failed (HTTP %ld); try again later", status);
      return;
    }
  if (status >= 400)
    object = parse_object (body, length, parser, NULL);
  if (object != NULL)
    {
      code = get_string (object, "error");
      description = get_string (object, "error_description");
    }
  if (code == NULL)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_PROTOCOL,
                   "The sign-in server answered HTTP %ld without an OAuth2 error", status);
      return;
    }
  shown_code = sanitize (code);
  shown_description = sanitize (description != NULL ? description : "");
  if (g_str_equal (code, "invalid_grant"))
    g_set_error (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED,
                 "The sign-in is no longer valid; sign in again (%s%s%s)", shown_code,
                 shown_description[0] != '\0' ? ": " : "", shown_description);
  else
    g_set_error (error, LB_ERROR, LB_ERROR_AUTH,
                 "The sign-in server refused the request (%s%s%s)", shown_code,
                 shown_description[0] != '\0' ? ": " : "", shown_description);
}

typedef struct {
  GByteArray *body;
  gboolean    too_large;
} Sink;

static size_t
write_cb (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  Sink *sink = user_data;
  size_t n = size * nmemb;

  if (sink->body->len + n > LB_OAUTH2_MAX_RESPONSE)
    {
      sink->too_large = TRUE;
      return 0;  /* aborts with CURLE_WRITE_ERROR */
    }
  g_byte_array_append (sink->body, (const guint8 *) data, n);
  return n;
}

static int
progress_cb (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  return g_cancellable_is_cancelled (user_data) ? 1 : 0;
}

/* FORM holds name, value pairs; values are escaped here. */
static char *
build_form (const char * const *form)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; form[i] != NULL; i += 2)
    {
      g_autofree char *value = NULL;

      if (form[i + 1] == NULL)
        continue;
      value = g_uri_escape_string (form[i + 1], NULL, FALSE);
      g_string_append_printf (out, "%s%s=%s", out->len > 0 ? "&" : "", form[i], value);
    }
  return g_string_free (out, FALSE);
}

static LbOAuth2Token *
post_token_request (const LbOAuth2Provider  *provider,
                    const char * const      *form,
                    GCancellable            *cancellable,
                    GError                 **error)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GUri) uri = g_uri_parse (provider->token_url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *fields = build_form (form);
  g_autofree char *scheme = NULL;
  struct curl_slist *headers = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  Sink sink = { body, FALSE };
  gint64 sent_at = g_get_monotonic_time ();
  long status = 0;
  CURLcode rc;
  CURL *h;

  /* The provider checked the scheme; curl is held to it (no redirects either). */
  scheme = g_ascii_strdown (uri != NULL ? g_uri_get_scheme (uri) : "https", -1);
  lb_curl_global_init ();
  h = curl_easy_init ();
  g_assert (h != NULL);
  headers = curl_slist_append (headers, "Accept: application/json");
  curl_easy_setopt (h, CURLOPT_URL, provider->token_url);
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, scheme);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, 20L);
  curl_easy_setopt (h, CURLOPT_TIMEOUT, TOKEN_TIMEOUT_S);
  curl_easy_setopt (h, CURLOPT_USERAGENT, "Letterbox/" PACKAGE_VERSION);
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (h, CURLOPT_POSTFIELDS, fields);
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, &sink);
  /* The account's proxy: where it is needed for IMAP, the token server needs it too. */
  lb_curl_set_proxy (h, provider->proxy, provider->token_url);
  if (cancellable != NULL)
    {
      curl_easy_setopt (h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt (h, CURLOPT_XFERINFOFUNCTION, progress_cb);
      curl_easy_setopt (h, CURLOPT_XFERINFODATA, cancellable);
    }
  g_debug ("POST %s (%s)", provider->token_url, form[1]);
  rc = curl_easy_perform (h);
  curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (h);
  curl_slist_free_all (headers);
  /* The form holds the code or the refresh token. */
  memset (fields, 0, strlen (fields));

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (sink.too_large)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_PARSE, "The sign-in server’s answer is too large");
      return NULL;
    }
  if (rc != CURLE_OK)
    {
      lb_curl_set_error (error, rc, errbuf, uri != NULL ? g_uri_get_host (uri) : NULL);
      return NULL;
    }
  g_debug ("token endpoint answered HTTP %ld, %u bytes", status, body->len);
  if (status != 200)
    {
      lb_oauth2_set_response_error (error, status, (const char *) body->data, body->len);
      return NULL;
    }
  return lb_oauth2_token_parse ((const char *) body->data, body->len, sent_at, error);
}

/**
 * lb_oauth2_exchange_code_sync:
 * @code_verifier: the PKCE verifier whose S256 challenge went into the authorization URL
 * @redirect_uri: exactly the redirect_uri of the authorization request
 *
 * Blocks; run it on a worker thread.
 *
 * Returns: (transfer full): the tokens, or %NULL with @error set (%LB_ERROR_AUTH for an
 *   OAuth2 error, %LB_ERROR_SIGN_IN_REQUIRED for `invalid_grant`, %LB_ERROR_NETWORK for a
 *   5xx, %LB_ERROR_PARSE for a bad answer, or a transport error)
 */
LbOAuth2Token *
lb_oauth2_exchange_code_sync (const LbOAuth2Provider  *provider,
                              const char              *code,
                              const char              *code_verifier,
                              const char              *redirect_uri,
                              GCancellable            *cancellable,
                              GError                 **error)
{
  const char *form[] = {
    "grant_type", "authorization_code",
    "code", code,
    "code_verifier", code_verifier,
    "redirect_uri", redirect_uri,
    "client_id", provider->client_id,
    "client_secret", provider->client_secret,
    NULL,
  };

  return post_token_request (provider, form, cancellable, error);
}

/**
 * lb_oauth2_refresh_sync:
 *
 * Blocks; run it on a worker thread.  When the server does not rotate the refresh
 * token, the result carries @refresh_token again, so the caller always stores the
 * result's.
 *
 * Returns: (transfer full): the new tokens, or %NULL with @error set as for
 *   lb_oauth2_exchange_code_sync()
 */
LbOAuth2Token *
lb_oauth2_refresh_sync (const LbOAuth2Provider  *provider,
                        const char              *refresh_token,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  const char *form[] = {
    "grant_type", "refresh_token",
    "refresh_token", refresh_token,
    "client_id", provider->client_id,
    "client_secret", provider->client_secret,
    NULL,
  };
  LbOAuth2Token *token = post_token_request (provider, form, cancellable, error);

  if (token != NULL && token->refresh_token == NULL)
    token->refresh_token = g_strdup (refresh_token);
  return token;
}

typedef struct {
  LbOAuth2Provider *provider;
  char             *refresh_token;
} RefreshData;

static void
refresh_data_free (RefreshData *data)
{
  lb_oauth2_provider_free (data->provider);
  wipe_free (data->refresh_token);
  g_free (data);
}

static void
refresh_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RefreshData *data = task_data;
  GError *error = NULL;
  LbOAuth2Token *token;

  token = lb_oauth2_refresh_sync (data->provider, data->refresh_token, cancellable, &error);
  if (token == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, (GDestroyNotify) lb_oauth2_token_free);
}

/**
 * lb_oauth2_refresh_async:
 *
 * lb_oauth2_refresh_sync() on a thread of GLib's pool.  @provider and @refresh_token
 * are copied.
 */
void
lb_oauth2_refresh_async (const LbOAuth2Provider  *provider,
                         const char              *refresh_token,
                         GCancellable            *cancellable,
                         GAsyncReadyCallback      callback,
                         gpointer                 user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  RefreshData *data = g_new0 (RefreshData, 1);

  g_task_set_source_tag (task, lb_oauth2_refresh_async);
  data->provider = lb_oauth2_provider_copy (provider);
  data->refresh_token = g_strdup (refresh_token);
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);
  g_task_run_in_thread (task, refresh_thread);
}

LbOAuth2Token *
lb_oauth2_refresh_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
