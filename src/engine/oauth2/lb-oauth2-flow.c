/* lb-oauth2-flow.c: the authorization code flow for a native app (RFC 8252, RFC 7636)
 *
 * The engine listens on an ephemeral port of 127.0.0.1 and ::1, opens the provider's
 * authorization URL in the browser, and waits for exactly one redirect to "/" carrying
 * the state it sent.  A request for another path is answered 404 and ignored (browsers
 * ask for /favicon.ico); a redirect whose state is wrong or missing ends the flow, since
 * only a forgery can send it.  After the first good redirect, or the timeout, or a
 * cancellation, the listener closes, so a second redirect finds nobody.  The code is then
 * exchanged, with the PKCE verifier, on a thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/random.h>

#include "lb-error.h"
#include "lb-oauth2-flow.h"

/* A browser's GET with its headers is well under this; anything longer is refused. */
#define MAX_REQUEST_SIZE 8192

typedef struct {
  GTask            *task;          /* owned while the flow runs; NULL once it returned */
  LbOAuth2Provider *provider;
  char             *verifier;
  char             *state;
  char             *redirect_uri;
  char             *code;
  GSocketService   *service;
  GCancellable     *requests;      /* cancelled when the listener closes: drops slow clients */
  guint             timeout_id;
  gulong            cancelled_id;
  gboolean          got_redirect;
} Flow;

typedef struct {
  Flow              *flow;
  GTask             *task;        /* keeps the flow alive while this request is read */
  GSocketConnection *connection;
  GByteArray        *data;
  guint8             chunk[1024];
} Request;

static void
flow_free (Flow *flow)
{
  g_assert (flow->service == NULL && flow->timeout_id == 0);
  g_clear_object (&flow->requests);
  lb_oauth2_provider_free (flow->provider);
  g_free (flow->verifier);
  g_free (flow->state);
  g_free (flow->redirect_uri);
  if (flow->code != NULL)
    memset (flow->code, 0, strlen (flow->code));
  g_free (flow->code);
  g_free (flow);
}

/* 32 bytes of the kernel's randomness, base64url without padding (RFC 7636 §4.1). */
static char *
random_token (gsize n_bytes)
{
  guint8 bytes[32];
  g_autofree char *b64 = NULL;
  char *p;

  g_assert (n_bytes <= sizeof bytes);
  if (getrandom (bytes, n_bytes, 0) != (gssize) n_bytes)
    g_error ("getrandom failed");
  b64 = g_base64_encode (bytes, n_bytes);
  for (p = b64; *p != '\0'; p++)
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
  if ((p = strchr (b64, '=')) != NULL)
    *p = '\0';
  return g_steal_pointer (&b64);
}

/**
 * lb_oauth2_pkce_challenge:
 *
 * Returns: (transfer full): BASE64URL(SHA256(@verifier)) without padding, the S256
 *   code challenge
 */
char *
lb_oauth2_pkce_challenge (const char *verifier)
{
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autofree char *b64 = NULL;
  char *p;

  g_checksum_update (sha, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (sha, digest, &len);
  b64 = g_base64_encode (digest, len);
  for (p = b64; *p != '\0'; p++)
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
  if ((p = strchr (b64, '=')) != NULL)
    *p = '\0';
  return g_steal_pointer (&b64);
}

static void
append_param (GString    *url,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_printf (url, "&%s=%s", name, escaped);
}

static char *
build_authorization_url (Flow       *flow,
                         const char *login_hint)
{
  const LbOAuth2Provider *p = flow->provider;
  g_autofree char *challenge = lb_oauth2_pkce_challenge (flow->verifier);
  GString *url = g_string_new (p->auth_url);

  g_string_append (url, strchr (p->auth_url, '?') != NULL ? "&" : "?");
  g_string_append (url, "response_type=code");
  append_param (url, "client_id", p->client_id);
  append_param (url, "redirect_uri", flow->redirect_uri);
  append_param (url, "scope", p->scopes);
  append_param (url, "state", flow->state);
  append_param (url, "code_challenge", challenge);
  append_param (url, "code_challenge_method", "S256");
  if (login_hint != NULL && login_hint[0] != '\0' && p->login_hint_param != NULL)
    append_param (url, p->login_hint_param, login_hint);
  for (guint i = 0; p->auth_params != NULL && p->auth_params[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (p->auth_params[i], "=", 2);

      if (kv[0] != NULL && kv[1] != NULL)
        append_param (url, kv[0], kv[1]);
    }
  return g_string_free (url, FALSE);
}

/* Closes the listener, removes the timeout and the cancellation handler.  Idempotent. */
static void
flow_stop_listening (Flow *flow)
{
  if (flow->service != NULL)
    {
      g_socket_service_stop (flow->service);
      g_socket_listener_close (G_SOCKET_LISTENER (flow->service));
      g_signal_handlers_disconnect_by_data (flow->service, flow);
      g_clear_object (&flow->service);
    }
  /* Connections still being read (a client that sends nothing, say) end now. */
  if (flow->requests != NULL)
    g_cancellable_cancel (flow->requests);
  g_clear_handle_id (&flow->timeout_id, g_source_remove);
  if (flow->cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (flow->task), flow->cancelled_id);
      flow->cancelled_id = 0;
    }
}

/* Ends the flow with ERROR (taken), unless it already ended. */
static void
flow_fail (Flow   *flow,
           GError *error)
{
  g_autoptr(GTask) task = NULL;

  if (flow->task == NULL || flow->got_redirect)
    {
      g_error_free (error);
      return;
    }
  flow_stop_listening (flow);
  task = g_steal_pointer (&flow->task);
  g_task_return_error (task, error);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Flow *flow = user_data;

  flow->timeout_id = 0;
  flow_fail (flow, g_error_new (LB_ERROR, LB_ERROR_TIMEOUT,
                                "No answer came back from the browser in time; sign in again"));
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  Flow *flow = g_task_get_task_data (G_TASK (user_data));

  flow_fail (flow, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Sign-in cancelled"));
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Flow *flow = user_data;
  GSource *source;

  /* ::cancelled may run on any thread; end the flow on its own context.  The source
   * keeps the task, and with it the flow, alive. */
  source = g_idle_source_new ();
  g_source_set_callback (source, cancelled_idle_cb, g_object_ref (flow->task), g_object_unref);
  g_source_attach (source, g_task_get_context (flow->task));
  g_source_unref (source);
}

static void
request_free (Request *request)
{
  g_clear_object (&request->connection);
  g_byte_array_unref (request->data);
  g_clear_object (&request->task);
  g_free (request);
}

/* A short page for the browser, then the connection closes. */
static void
respond (Request    *request,
         const char *status,
         const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  g_autofree char *body = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                           "<title>Letterbox</title></head>"
                                           "<body><p>%s</p></body></html>\n", escaped);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %s\r\n"
                                           "Content-Type: text/html; charset=utf-8\r\n"
                                           "Content-Length: %zu\r\n"
                                           "Cache-Control: no-store\r\n"
                                           "Connection: close\r\n\r\n", status, strlen (body));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (request->connection));

  /* Small enough for the socket buffer: a blocking write does not stall the loop. */
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, body, strlen (body), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (request->connection), NULL, NULL);
}

static void exchange_thread (GTask        *task,
                             gpointer      source,
                             gpointer      task_data,
                             GCancellable *cancellable);

/* The redirect to "/": its query decides. */
static void
handle_redirect (Request    *request,
                 GHashTable *params)
{
  Flow *flow = request->flow;
  const char *state = params != NULL ? g_hash_table_lookup (params, "state") : NULL;
  const char *code = params != NULL ? g_hash_table_lookup (params, "code") : NULL;
  const char *oauth_error = params != NULL ? g_hash_table_lookup (params, "error") : NULL;
  g_autoptr(GTask) task = NULL;

  if (state == NULL || g_strcmp0 (state, flow->state) != 0)
    {
      respond (request, "400 Bad Request",
               _("This answer does not belong to Letterbox’s sign-in. You can close this window."));
      flow_fail (flow, g_error_new (LB_ERROR, LB_ERROR_AUTH,
                                    "The browser’s answer did not match the sign-in request"));
      return;
    }
  if (oauth_error != NULL || code == NULL || code[0] == '\0')
    {
      respond (request, "200 OK",
               _("Signing in did not complete. You can close this window and try again in Letterbox."));
      flow_fail (flow, g_error_new (LB_ERROR, LB_ERROR_AUTH,
                                    "Signing in was refused or cancelled in the browser"));
      return;
    }
  /* Close the listener first: once the browser sees the page, a second redirect must
   * find nobody listening. */
  flow->code = g_strdup (code);
  flow->got_redirect = TRUE;
  flow_stop_listening (flow);
  respond (request, "200 OK",
           _("You are signed in. You can close this window and return to Letterbox."));
  task = g_steal_pointer (&flow->task);
  g_task_run_in_thread (task, exchange_thread);
}

static void
handle_request (Request    *request,
                const char *request_line)
{
  Flow *flow = request->flow;
  g_auto(GStrv) parts = g_strsplit (request_line, " ", 3);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *full = NULL;
  const char *query;

  if (flow->task == NULL || flow->got_redirect)
    {
      respond (request, "410 Gone", _("This sign-in has already ended. You can close this window."));
      return;
    }
  if (g_strv_length (parts) != 3 || !g_str_equal (parts[0], "GET") || parts[1][0] != '/')
    {
      respond (request, "400 Bad Request", _("This is not a request Letterbox understands."));
      return;
    }
  full = g_strconcat ("http://localhost", parts[1], NULL);
  uri = g_uri_parse (full, G_URI_FLAGS_ENCODED_QUERY, NULL);
  if (uri == NULL || !g_str_equal (g_uri_get_path (uri), "/"))
    {
      respond (request, "404 Not Found", _("Nothing is here. You can close this window."));
      return;
    }
  query = g_uri_get_query (uri);
  if (query != NULL)
    params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  handle_redirect (request, params);
}

/* The end of the request's headers, if it has arrived. */
static gboolean
headers_complete (GByteArray *data)
{
  const char *text = (const char *) data->data;

  for (guint i = 0; i + 1 < data->len; i++)
    if (text[i] == '\n' && (text[i + 1] == '\n'
                             || (text[i + 1] == '\r' && i + 2 < data->len && text[i + 2] == '\n')))
      return TRUE;
  return FALSE;
}

static void read_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data);

static void
read_more (Request *request)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (request->connection));

  g_input_stream_read_async (in, request->chunk, sizeof request->chunk, G_PRIORITY_DEFAULT,
                             request->flow->requests, read_cb, request);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Request *request = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  g_autofree char *line = NULL;
  const char *end;

  if (n <= 0)
    {
      /* Closed, broken or dropped because the flow ended. */
      g_io_stream_close (G_IO_STREAM (request->connection), NULL, NULL);
      request_free (request);
      return;
    }
  g_byte_array_append (request->data, request->chunk, (guint) n);
  if (request->data->len > MAX_REQUEST_SIZE)
    {
      respond (request, "431 Request Header Fields Too Large",
               _("This is not a request Letterbox understands."));
      request_free (request);
      return;
    }
  if (!headers_complete (request->data))
    {
      read_more (request);
      return;
    }
  end = memchr (request->data->data, '\n', request->data->len);
  line = g_strndup ((const char *) request->data->data,
                    (const guint8 *) end - request->data->data);
  g_strchomp (line);
  handle_request (request, line);
  request_free (request);
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  Flow *flow = user_data;
  Request *request;

  if (flow->task == NULL)
    return FALSE;
  request = g_new0 (Request, 1);
  request->flow = flow;
  request->task = g_object_ref (flow->task);
  request->connection = g_object_ref (connection);
  request->data = g_byte_array_new ();
  read_more (request);
  return TRUE;
}

static void
exchange_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Flow *flow = task_data;
  GError *error = NULL;
  LbOAuth2Token *token;

  token = lb_oauth2_exchange_code_sync (flow->provider, flow->code, flow->verifier,
                                        flow->redirect_uri, cancellable, &error);
  if (token == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, (GDestroyNotify) lb_oauth2_token_free);
}

/* Listens on 127.0.0.1 on a port the kernel picks, then on ::1 on the same port (a host
 * without IPv6 keeps the IPv4 listener only). */
static guint16
listen_loopback (GSocketService  *service,
                 GError         **error)
{
  g_autoptr(GInetAddress) v4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GInetAddress) v6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) addr4 = g_inet_socket_address_new (v4, 0);
  g_autoptr(GSocketAddress) addr6 = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  guint16 port;

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), addr4, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    return 0;
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  addr6 = g_inet_socket_address_new (v6, port);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), addr6, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, NULL, NULL))
    g_debug ("No IPv6 loopback listener; 127.0.0.1 only");
  return port;
}

/* Runs LETTERBOX_BROWSER with URL as its one argument.  Its environment is ours, which
 * holds no token. */
static gboolean
run_browser_command (const char *command,
                     const char *url)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) full = NULL;
  g_autoptr(GSubprocess) proc = NULL;

  if (!g_shell_parse_argv (command, NULL, &argv, &error))
    {
      g_debug ("LETTERBOX_BROWSER cannot be parsed: %s", error->message);
      return FALSE;
    }
  g_strv_builder_addv (builder, (const char **) argv);
  g_strv_builder_add (builder, url);
  full = g_strv_builder_end (builder);
  proc = g_subprocess_newv ((const char * const *) full, G_SUBPROCESS_FLAGS_STDIN_INHERIT, &error);
  if (proc == NULL)
    {
      g_debug ("LETTERBOX_BROWSER could not be started: %s", error->message);
      return FALSE;
    }
  /* GSubprocess reaps the child when it exits. */
  return TRUE;
}

/**
 * lb_oauth2_sign_in_async:
 * @provider: where to sign in (copied)
 * @login_hint: (nullable): the address, to pre-fill the provider's sign-in page
 * @timeout_s: how long to wait for the redirect (LB_OAUTH2_SIGN_IN_TIMEOUT_S)
 * @uri_func: (nullable): shows and, unless LETTERBOX_BROWSER ran, opens the URL
 *
 * Runs the whole sign-in on the thread-default main context.  Finishes with the tokens,
 * or with %LB_ERROR_TIMEOUT, %LB_ERROR_AUTH (refused in the browser, or an answer that
 * does not match), %G_IO_ERROR_CANCELLED, or a token endpoint error.
 */
void
lb_oauth2_sign_in_async (const LbOAuth2Provider *provider,
                         const char             *login_hint,
                         guint                   timeout_s,
                         LbOAuth2UriFunc         uri_func,
                         gpointer                uri_data,
                         GCancellable           *cancellable,
                         GAsyncReadyCallback     callback,
                         gpointer                user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *browser = g_getenv ("LETTERBOX_BROWSER");
  gboolean started = FALSE;
  Flow *flow = g_new0 (Flow, 1);
  guint16 port;

  g_task_set_source_tag (task, lb_oauth2_sign_in_async);
  g_task_set_task_data (task, flow, (GDestroyNotify) flow_free);
  flow->provider = lb_oauth2_provider_copy (provider);
  flow->verifier = random_token (32);
  flow->state = random_token (16);
  flow->service = g_socket_service_new ();
  flow->requests = g_cancellable_new ();
  port = listen_loopback (flow->service, &error);
  if (port == 0)
    {
      flow_stop_listening (flow);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  flow->task = g_object_ref (task);
  flow->redirect_uri = g_strdup_printf ("http://%s:%u/", provider->redirect_host, port);
  g_signal_connect (flow->service, "incoming", G_CALLBACK (incoming_cb), flow);
  g_socket_service_start (flow->service);
  flow->timeout_id = g_timeout_add_seconds (timeout_s, timeout_cb, flow);
  if (cancellable != NULL)
    flow->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), flow, NULL);

  url = build_authorization_url (flow, login_hint);
  g_debug ("Signing in with %s; waiting on port %u", provider->id, port);
  if (browser != NULL && browser[0] != '\0')
    started = run_browser_command (browser, url);
  if (uri_func != NULL)
    uri_func (url, started, uri_data);
}

LbOAuth2Token *
lb_oauth2_sign_in_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
