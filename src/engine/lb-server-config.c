/* lb-server-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "lb-error.h"
#include "lb-server-config.h"

LbServerConfig *
lb_server_config_new (const char *host,
                      guint16     port,
                      LbSecurity  security,
                      const char *username)
{
  LbServerConfig *config = g_new0 (LbServerConfig, 1);

  config->host = g_strdup (host);
  config->port = port;
  config->security = security;
  config->username = g_strdup (username);
  return config;
}

LbServerConfig *
lb_server_config_copy (const LbServerConfig *config)
{
  LbServerConfig *copy;

  if (config == NULL)
    return NULL;
  copy = lb_server_config_new (config->host, config->port, config->security, config->username);
  copy->ca_file = g_strdup (config->ca_file);
  copy->proxy = g_strdup (config->proxy);
  copy->auth = config->auth;
  return copy;
}

void
lb_server_config_free (LbServerConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->host);
  g_free (config->username);
  g_free (config->ca_file);
  g_free (config->proxy);
  g_free (config);
}

const char *
lb_security_to_string (LbSecurity security)
{
  return security == LB_SECURITY_STARTTLS ? "starttls" : "tls";
}

/**
 * lb_server_config_parse:
 * @spec: `HOST:PORT:tls|starttls`; `[v6addr]:PORT:tls` for IPv6 literals
 * @out: (out): the parsed config, with no username
 *
 * Parses the command-line form of a server.
 */
gboolean
lb_server_config_parse (const char      *spec,
                        LbServerConfig **out,
                        GError         **error)
{
  g_autofree char *host = NULL;
  const char *rest;
  const char *colon;
  g_autofree char *port_str = NULL;
  char *end = NULL;
  long port;
  LbSecurity security;

  g_return_val_if_fail (spec != NULL, FALSE);

  if (spec[0] == '[')
    {
      const char *close = strchr (spec, ']');
      if (close == NULL || close[1] != ':')
        goto bad;
      host = g_strndup (spec + 1, close - spec - 1);
      rest = close + 2;
    }
  else
    {
      colon = strchr (spec, ':');
      if (colon == NULL)
        goto bad;
      host = g_strndup (spec, colon - spec);
      rest = colon + 1;
    }
  colon = strchr (rest, ':');
  if (colon == NULL || *host == '\0')
    goto bad;
  port_str = g_strndup (rest, colon - rest);
  port = strtol (port_str, &end, 10);
  if (end == port_str || *end != '\0' || port < 1 || port > 65535)
    goto bad;
  if (g_ascii_strcasecmp (colon + 1, "tls") == 0 || g_ascii_strcasecmp (colon + 1, "ssl") == 0)
    security = LB_SECURITY_TLS;
  else if (g_ascii_strcasecmp (colon + 1, "starttls") == 0)
    security = LB_SECURITY_STARTTLS;
  else
    goto bad;

  *out = lb_server_config_new (host, (guint16) port, security, NULL);
  return TRUE;

bad:
  g_set_error (error, LB_ERROR, LB_ERROR_FAILED,
               "“%s” is not a server: use HOST:PORT:tls or HOST:PORT:starttls", spec);
  return FALSE;
}

/* "socks5://" resolves host names locally, which is exactly what a user behind a proxy
 * cannot do (Gmail's name may not resolve, or resolve wrongly, where the proxy is
 * needed): the proxy is always asked to resolve them. */
static char *
normalize_proxy_url (const char *spec)
{
  if (g_ascii_strncasecmp (spec, "socks5://", 9) == 0)
    return g_strconcat ("socks5h://", spec + 9, NULL);
  if (g_ascii_strncasecmp (spec, "socks://", 8) == 0)
    return g_strconcat ("socks5h://", spec + 8, NULL);
  return g_strdup (spec);
}

/**
 * lb_proxy_parse:
 * @spec: `none`, `system`, `socks5://HOST:PORT` (or `socks5h://`) or `http://HOST:PORT`
 * @out: (out) (transfer full) (nullable): the value for #LbServerConfig's proxy:
 *   %NULL for the system setting, %LB_PROXY_NONE, or a libcurl proxy URL
 *
 * Checks and normalizes what the user typed for an account's proxy.
 *
 * Returns: %TRUE if @spec is one of the accepted forms
 */
gboolean
lb_proxy_parse (const char  *spec,
                char       **out,
                GError     **error)
{
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  g_return_val_if_fail (out != NULL, FALSE);

  *out = NULL;
  if (spec == NULL || spec[0] == '\0' || g_ascii_strcasecmp (spec, "system") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (spec, LB_PROXY_NONE) == 0)
    {
      *out = g_strdup (LB_PROXY_NONE);
      return TRUE;
    }
  url = normalize_proxy_url (spec);
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0'
      || g_uri_get_port (uri) <= 0
      || (g_ascii_strcasecmp (scheme, "socks5h") != 0 && g_ascii_strcasecmp (scheme, "http") != 0))
    {
      /* Translators: do not translate none, system, socks5 or http. */
      g_set_error (error, LB_ERROR, LB_ERROR_FAILED,
                   _("“%s” is not a proxy: use none, system, socks5://HOST:PORT or "
                     "http://HOST:PORT"), spec);
      return FALSE;
    }
  *out = g_steal_pointer (&url);
  return TRUE;
}
