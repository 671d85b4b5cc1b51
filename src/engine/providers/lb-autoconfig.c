/* lb-autoconfig.c: parser for autoconfig files (Thunderbird's clientConfig v1.1 XML)
 *
 * The file comes from the network, from whoever controls the domain's DNS or
 * web server, so it is treated as hostile: the size is capped, document type
 * declarations are refused (GMarkup expands no custom entities either, which
 * stops "billion laughs"), nesting is capped, every text is bounded, and the
 * host names that come out must be plain DNS names because they end up in URLs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lb-autoconfig.h"
#include "lb-error.h"
#include "lb-provider-db.h"

#define MAX_DEPTH 16
#define MAX_TEXT 1024

typedef struct {
  gboolean       outgoing;
  char          *type;
  GString       *hostname;
  GString       *port;
  GString       *socket_type;
  GString       *username;
  LbAuthMethods  auth;
  gboolean       saw_auth;
} ServerData;

typedef struct {
  const char      *address;
  char            *local_part;
  char            *domain;
  ServerData      *current;
  GString         *text;          /* the leaf element being read, or NULL */
  GString         *display_name;
  GString         *auth_text;
  char            *documentation_url;
  LbServerConfig  *imap;
  LbServerConfig  *smtp;
  LbAuthMethods    imap_auth;
  LbAuthMethods    smtp_auth;
  gboolean         saw_plain;
  gboolean         saw_provider;
} ParseState;

static void
server_data_free (ServerData *server)
{
  if (server == NULL)
    return;
  g_free (server->type);
  g_string_free (server->hostname, TRUE);
  g_string_free (server->port, TRUE);
  g_string_free (server->socket_type, TRUE);
  g_string_free (server->username, TRUE);
  g_free (server);
}

static ServerData *
server_data_new (gboolean    outgoing,
                 const char *type)
{
  ServerData *server = g_new0 (ServerData, 1);

  server->outgoing = outgoing;
  server->type = g_strdup (type);
  server->hostname = g_string_new (NULL);
  server->port = g_string_new (NULL);
  server->socket_type = g_string_new (NULL);
  server->username = g_string_new (NULL);
  return server;
}

/* Replaces the placeholders autoconfig files use.  Others stay as they are. */
static char *
substitute (const ParseState *state,
            const char       *text)
{
  static const char *names[] = { "%EMAILADDRESS%", "%EMAILLOCALPART%", "%EMAILDOMAIN%" };
  const char *values[] = { state->address, state->local_part, state->domain };
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      gboolean replaced = FALSE;

      if (*p == '%')
        {
          for (guint i = 0; i < G_N_ELEMENTS (names); i++)
            {
              gsize len = strlen (names[i]);

              if (strncmp (p, names[i], len) == 0)
                {
                  g_string_append (out, values[i]);
                  p += len;
                  replaced = TRUE;
                  break;
                }
            }
        }
      if (!replaced)
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

static const char *
parent_name (GMarkupParseContext *context,
             guint                up)
{
  const GSList *stack = g_markup_parse_context_get_element_stack (context);

  for (guint i = 0; i < up && stack != NULL; i++)
    stack = stack->next;
  return stack != NULL ? stack->data : NULL;
}

static void
start_element (GMarkupParseContext  *context,
               const char           *element_name,
               const char          **attribute_names,
               const char          **attribute_values,
               gpointer              user_data,
               GError              **error)
{
  ParseState *state = user_data;
  const char *parent = parent_name (context, 1);
  guint depth = g_slist_length ((GSList *) g_markup_parse_context_get_element_stack (context));

  if (depth > MAX_DEPTH)
    {
      g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                           "elements are nested too deeply");
      return;
    }

  if (parent == NULL)
    {
      if (!g_str_equal (element_name, "clientConfig"))
        g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_UNKNOWN_ELEMENT,
                     "the root element is <%s>, not <clientConfig>", element_name);
      return;
    }

  state->text = NULL;
  if (g_str_equal (parent, "clientConfig") && g_str_equal (element_name, "emailProvider"))
    {
      state->saw_provider = TRUE;
      return;
    }

  if (g_str_equal (parent, "emailProvider"))
    {
      if (g_str_equal (element_name, "incomingServer")
          || g_str_equal (element_name, "outgoingServer"))
        {
          const char *type = NULL;

          g_markup_collect_attributes (element_name, attribute_names, attribute_values, NULL,
                                       G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL,
                                       "type", &type,
                                       G_MARKUP_COLLECT_INVALID);
          g_clear_pointer (&state->current, server_data_free);
          state->current = server_data_new (element_name[0] == 'o', type);
        }
      else if (g_str_equal (element_name, "displayName") && state->display_name->len == 0)
        state->text = state->display_name;
      else if (g_str_equal (element_name, "documentation") && state->documentation_url == NULL)
        {
          for (guint i = 0; attribute_names[i] != NULL; i++)
            {
              if (g_str_equal (attribute_names[i], "url")
                  && g_str_has_prefix (attribute_values[i], "https://")
                  && strlen (attribute_values[i]) < MAX_TEXT)
                state->documentation_url = g_strdup (attribute_values[i]);
            }
        }
      return;
    }

  if (state->current != NULL
      && (g_str_equal (parent, "incomingServer") || g_str_equal (parent, "outgoingServer")))
    {
      ServerData *server = state->current;

      if (g_str_equal (element_name, "hostname"))
        state->text = server->hostname;
      else if (g_str_equal (element_name, "port"))
        state->text = server->port;
      else if (g_str_equal (element_name, "socketType"))
        state->text = server->socket_type;
      else if (g_str_equal (element_name, "username"))
        state->text = server->username;
      else if (g_str_equal (element_name, "authentication"))
        {
          /* There may be several <authentication> elements: each is read
           * into the same buffer and folded into server->auth at its end. */
          server->saw_auth = TRUE;
          g_string_truncate (state->auth_text, 0);
          state->text = state->auth_text;
        }
    }
}

static void
text_cb (GMarkupParseContext  *context,
         const char           *text,
         gsize                 text_len,
         gpointer              user_data,
         GError              **error)
{
  ParseState *state = user_data;

  if (state->text == NULL)
    return;
  if (state->text->len + text_len > MAX_TEXT)
    {
      g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                           "an element's text is too long");
      return;
    }
  g_string_append_len (state->text, text, text_len);
}

static LbAuthMethods
parse_auth (const char *text,
            gboolean   *known)
{
  *known = TRUE;
  if (g_ascii_strcasecmp (text, "password-cleartext") == 0
      || g_ascii_strcasecmp (text, "plain") == 0)
    return LB_AUTH_METHOD_PASSWORD_CLEARTEXT;
  if (g_ascii_strcasecmp (text, "password-encrypted") == 0
      || g_ascii_strcasecmp (text, "secure") == 0)
    return LB_AUTH_METHOD_PASSWORD_ENCRYPTED;
  if (g_ascii_strcasecmp (text, "OAuth2") == 0)
    return LB_AUTH_METHOD_OAUTH2;
  /* GSSAPI, NTLM, client-IP-address, TLS-client-cert, none: not for us. */
  *known = FALSE;
  return 0;
}

static char *
usable_hostname (const ParseState *state,
                 const char       *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autofree char *host = substitute (state, stripped);

  if (g_hostname_is_ip_address (host))
    return g_steal_pointer (&host);
  return lb_normalize_domain (host);
}

/* Turns a finished <incomingServer>/<outgoingServer> into a server config if
 * it is one we can use and none of its kind was found yet: as in Thunderbird,
 * the first usable server in file order wins. */
static void
finish_server (ParseState *state,
               ServerData *server)
{
  g_autofree char *host = NULL;
  g_autofree char *username = NULL;
  g_autofree char *socket_type = NULL;
  g_autofree char *port_text = NULL;
  LbServerConfig **slot;
  LbAuthMethods *auth_slot;
  LbSecurity security;
  guint64 port = 0;
  const char *wanted = server->outgoing ? "smtp" : "imap";

  slot = server->outgoing ? &state->smtp : &state->imap;
  auth_slot = server->outgoing ? &state->smtp_auth : &state->imap_auth;
  if (*slot != NULL || g_strcmp0 (server->type, wanted) != 0)
    return;

  socket_type = g_strstrip (g_strdup (server->socket_type->str));
  if (g_ascii_strcasecmp (socket_type, "SSL") == 0 || g_ascii_strcasecmp (socket_type, "TLS") == 0)
    security = LB_SECURITY_TLS;
  else if (g_ascii_strcasecmp (socket_type, "STARTTLS") == 0)
    security = LB_SECURITY_STARTTLS;
  else
    {
      /* "plain" or missing: we never talk to a mail server in clear text. */
      if (g_ascii_strcasecmp (socket_type, "plain") == 0)
        state->saw_plain = TRUE;
      return;
    }

  port_text = g_strstrip (g_strdup (server->port->str));
  if (!g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL))
    return;

  host = usable_hostname (state, server->hostname->str);
  if (host == NULL)
    return;

  if (server->saw_auth && server->auth == 0)
    return;

  if (server->username->len > 0)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (server->username->str));
      username = substitute (state, stripped);
    }
  else
    username = g_strdup (state->address);

  *slot = lb_server_config_new (host, (guint16) port, security, username);
  *auth_slot = server->saw_auth ? server->auth : LB_AUTH_METHOD_PASSWORD_CLEARTEXT;
}

static void
end_element (GMarkupParseContext  *context,
             const char           *element_name,
             gpointer              user_data,
             GError              **error)
{
  ParseState *state = user_data;
  const char *parent = parent_name (context, 1);

  if (parent == NULL)
    return;

  if (state->current != NULL && g_str_equal (element_name, "authentication")
      && (g_str_equal (parent, "incomingServer") || g_str_equal (parent, "outgoingServer")))
    {
      g_autofree char *text = g_strstrip (g_strdup (state->auth_text->str));
      gboolean known;
      LbAuthMethods method;

      state->text = NULL;
      method = parse_auth (text, &known);
      if (known)
        state->current->auth |= method;
      return;
    }

  state->text = NULL;
  if (state->current != NULL && g_str_equal (parent, "emailProvider")
      && (g_str_equal (element_name, "incomingServer")
          || g_str_equal (element_name, "outgoingServer")))
    {
      finish_server (state, state->current);
      g_clear_pointer (&state->current, server_data_free);
    }
}

static void
passthrough (GMarkupParseContext  *context,
             const char           *passthrough_text,
             gsize                 text_len,
             gpointer              user_data,
             GError              **error)
{
  /* Entity definitions live in a DOCTYPE; a config file has no use for one. */
  if (text_len >= 2 && strncmp (passthrough_text, "<!", 2) == 0
      && g_ascii_strncasecmp (passthrough_text, "<!DOCTYPE", MIN (text_len, 9)) == 0)
    g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                         "document type declarations are not allowed");
  else if (text_len >= 3 && strncmp (passthrough_text, "<!E", 3) == 0)
    g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                         "entity declarations are not allowed");
}

static const GMarkupParser parser = {
  start_element,
  end_element,
  text_cb,
  passthrough,
  NULL,
};

/**
 * lb_autoconfig_parse:
 * @data: the file's bytes (UTF-8 XML)
 * @length: their length; more than %LB_AUTOCONFIG_MAX_SIZE is refused
 * @address: the user's address, for the %EMAILADDRESS%, %EMAILLOCALPART%
 *   and %EMAILDOMAIN% placeholders
 *
 * Reads the first usable `<incomingServer type="imap">` and
 * `<outgoingServer type="smtp">`: socketType SSL (implicit TLS) or STARTTLS
 * (plain is skipped), a valid port and host name, and a sign-in method we know
 * (password-cleartext, password-encrypted or OAuth2).
 *
 * Returns: (transfer full): the settings with source
 *   %LB_DISCOVERY_SOURCE_AUTOCONFIG, or %NULL with @error in %LB_ERROR
 *   (%LB_ERROR_PARSE for broken or hostile files, %LB_ERROR_NOT_FOUND when
 *   no usable server is listed, %LB_ERROR_UNSUPPORTED when only clear-text
 *   servers are)
 */
LbProviderConfig *
lb_autoconfig_parse (const char  *data,
                     gsize        length,
                     const char  *address,
                     GError     **error)
{
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LbProviderConfig) config = NULL;
  ParseState state = { 0 };
  const char *at;
  gboolean ok;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length > LB_AUTOCONFIG_MAX_SIZE)
    {
      /* The size is formatted first: a G_GSIZE_FORMAT inside _() would cut the string
       * that xgettext extracts, and it would never be translated. */
      g_autofree char *size = g_format_size (length);
      g_set_error (error, LB_ERROR, LB_ERROR_PARSE, _("The autoconfig file is too large (%s)."), size);
      return NULL;
    }
  /* GMarkup wants UTF-8 anyway, and GLib 2.74's GMarkup can set an error
   * twice on invalid UTF-8 in CDATA sections: refuse such bytes (and NULs)
   * before the parser sees them. */
  if (!g_utf8_validate (data, length, NULL))
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_PARSE,
                           _("The autoconfig file is not valid: it is not UTF-8 text."));
      return NULL;
    }
  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0')
    {
      g_set_error (error, LB_ERROR, LB_ERROR_PARSE, _("“%s” is not an e-mail address."), address);
      return NULL;
    }

  state.address = address;
  state.local_part = g_strndup (address, at - address);
  state.domain = g_strdup (at + 1);
  state.display_name = g_string_new (NULL);
  state.auth_text = g_string_new (NULL);

  context = g_markup_parse_context_new (&parser,
                                        G_MARKUP_TREAT_CDATA_AS_TEXT
                                        | G_MARKUP_PREFIX_ERROR_POSITION,
                                        &state, NULL);
  /* GLib 2.74 can report an error (for instance on a NUL inside a DOCTYPE)
   * and still return TRUE, so the error itself is what counts. */
  ok = g_markup_parse_context_parse (context, data, length, &local_error) && local_error == NULL;
  ok = ok && g_markup_parse_context_end_parse (context, &local_error) && local_error == NULL;

  g_clear_pointer (&state.current, server_data_free);

  if (ok && !state.saw_provider)
    {
      ok = FALSE;
      g_set_error_literal (&local_error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                           "there is no <emailProvider> element");
    }

  if (!ok)
    {
      /* GMarkup quotes the offending bytes, which need not be UTF-8. */
      g_autofree char *detail = g_utf8_make_valid (local_error->message, -1);

      g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
                   _("The autoconfig file is not valid: %s"), detail);
    }
  else if (state.imap == NULL || state.smtp == NULL)
    {
      if (state.saw_plain)
        g_set_error_literal (error, LB_ERROR, LB_ERROR_UNSUPPORTED,
                             _("The autoconfig file lists only servers without encryption. "
                               "Letterbox never sends mail or passwords unencrypted."));
      else if (state.imap == NULL)
        g_set_error_literal (error, LB_ERROR, LB_ERROR_NOT_FOUND,
                             _("The autoconfig file lists no usable IMAP server."));
      else
        g_set_error_literal (error, LB_ERROR, LB_ERROR_NOT_FOUND,
                             _("The autoconfig file lists no usable SMTP server."));
    }
  else
    {
      config = lb_provider_config_new ();
      config->imap = g_steal_pointer (&state.imap);
      config->smtp = g_steal_pointer (&state.smtp);
      config->imap_auth = state.imap_auth;
      config->smtp_auth = state.smtp_auth;
      config->credential = ((state.imap_auth & (LB_AUTH_METHOD_PASSWORD_CLEARTEXT
                                                | LB_AUTH_METHOD_PASSWORD_ENCRYPTED)) == 0)
                           ? LB_CREDENTIAL_OAUTH2_ONLY : LB_CREDENTIAL_PASSWORD;
      config->source = LB_DISCOVERY_SOURCE_AUTOCONFIG;
      if (state.display_name->len > 0 && g_utf8_validate (state.display_name->str, -1, NULL))
        config->display_name = g_strstrip (g_strdup (state.display_name->str));
      config->documentation_url = g_steal_pointer (&state.documentation_url);
    }

  g_clear_pointer (&state.imap, lb_server_config_free);
  g_clear_pointer (&state.smtp, lb_server_config_free);
  g_free (state.local_part);
  g_free (state.domain);
  g_free (state.documentation_url);
  g_string_free (state.display_name, TRUE);
  g_string_free (state.auth_text, TRUE);
  return g_steal_pointer (&config);
}
