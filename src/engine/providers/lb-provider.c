/* lb-provider.c: one entry of the bundled mail provider database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-error.h"
#include "lb-provider.h"

/* Per-provider folder names for one role.  FolderPlain entries carry
 * LB_FOLDER_ROLE_NONE: they stop the common-name fallback, so that a NetEase
 * "广告邮件" is never taken for junk by some future common-name rule. */
typedef struct {
  const char   *key;
  LbFolderRole  role;
} FolderKey;

static const FolderKey folder_keys[] = {
  { "FolderSent", LB_FOLDER_ROLE_SENT },
  { "FolderDrafts", LB_FOLDER_ROLE_DRAFTS },
  { "FolderTrash", LB_FOLDER_ROLE_TRASH },
  { "FolderJunk", LB_FOLDER_ROLE_JUNK },
  { "FolderArchive", LB_FOLDER_ROLE_ARCHIVE },
  { "FolderAll", LB_FOLDER_ROLE_ALL },
  { "FolderFlagged", LB_FOLDER_ROLE_FLAGGED },
  { "FolderImportant", LB_FOLDER_ROLE_IMPORTANT },
  { "FolderPlain", LB_FOLDER_ROLE_NONE },
};

struct _LbProvider {
  gatomicrefcount   ref_count;
  char             *id;
  char             *family;
  char             *name_en;
  char             *name_zh;
  char            **domains;
  char            **mx_hosts;
  LbProviderServer  imap;
  LbProviderServer  smtp;
  char             *imap_host;
  char             *smtp_host;
  LbCredentialKind  credential;
  char             *help_url;
  char             *oauth2_id;
  char             *secret_term_en;
  char             *secret_term_zh;
  char            **help_steps_en;
  char            **help_steps_zh;
  LbQuirks          quirks;
  char            **folder_prefixes;
  /* Indexed like folder_keys; each is a NULL-terminated list or NULL. */
  char            **folder_names[G_N_ELEMENTS (folder_keys)];
};

G_DEFINE_BOXED_TYPE (LbProvider, lb_provider, lb_provider_ref, lb_provider_unref)

/**
 * lb_provider_ref:
 *
 * Returns: (transfer full): @provider
 */
LbProvider *
lb_provider_ref (LbProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);

  g_atomic_ref_count_inc (&provider->ref_count);
  return provider;
}

void
lb_provider_unref (LbProvider *provider)
{
  g_return_if_fail (provider != NULL);

  if (!g_atomic_ref_count_dec (&provider->ref_count))
    return;

  g_free (provider->id);
  g_free (provider->family);
  g_free (provider->name_en);
  g_free (provider->name_zh);
  g_strfreev (provider->domains);
  g_strfreev (provider->mx_hosts);
  g_free (provider->imap_host);
  g_free (provider->smtp_host);
  g_free (provider->help_url);
  g_free (provider->oauth2_id);
  g_free (provider->secret_term_en);
  g_free (provider->secret_term_zh);
  g_strfreev (provider->help_steps_en);
  g_strfreev (provider->help_steps_zh);
  g_strfreev (provider->folder_prefixes);
  for (guint i = 0; i < G_N_ELEMENTS (folder_keys); i++)
    g_strfreev (provider->folder_names[i]);
  g_free (provider);
}

/* Missing optional keys are fine; any other key-file error is not. */
static gboolean
get_optional_string (GKeyFile    *key_file,
                     const char  *group,
                     const char  *key,
                     const char  *locale,
                     char       **out,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_has_key (key_file, group, key, NULL))
    {
      *out = NULL;
      return TRUE;
    }
  if (locale != NULL)
    *out = g_key_file_get_locale_string (key_file, group, key, locale, &local_error);
  else
    *out = g_key_file_get_string (key_file, group, key, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_optional_list (GKeyFile     *key_file,
                   const char   *group,
                   const char   *key,
                   const char   *locale,
                   gboolean      lowercase,
                   char       ***out,
                   GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  char **list;

  *out = NULL;
  if (!g_key_file_has_key (key_file, group, key, NULL))
    return TRUE;
  if (locale != NULL)
    list = g_key_file_get_locale_string_list (key_file, group, key, locale, NULL, &local_error);
  else
    list = g_key_file_get_string_list (key_file, group, key, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (lowercase)
    {
      for (guint i = 0; list[i] != NULL; i++)
        {
          char *lower = g_ascii_strdown (list[i], -1);
          g_free (list[i]);
          list[i] = lower;
        }
    }
  *out = list;
  return TRUE;
}

static gboolean
parse_server (GKeyFile          *key_file,
              const char        *group,
              const char        *prefix,
              char             **host_storage,
              LbProviderServer  *server,
              GError           **error)
{
  g_autofree char *host_key = g_strconcat (prefix, "Host", NULL);
  g_autofree char *port_key = g_strconcat (prefix, "Port", NULL);
  g_autofree char *security_key = g_strconcat (prefix, "Security", NULL);
  g_autofree char *username_key = g_strconcat (prefix, "Username", NULL);
  g_autofree char *security = NULL;
  g_autofree char *username = NULL;
  int port;

  *host_storage = g_key_file_get_string (key_file, group, host_key, error);
  if (*host_storage == NULL)
    return FALSE;
  port = g_key_file_get_integer (key_file, group, port_key, error);
  if (port <= 0 || port > 65535)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
                     "Provider %s: bad %s %d", group, port_key, port);
      return FALSE;
    }
  security = g_key_file_get_string (key_file, group, security_key, error);
  if (security == NULL)
    return FALSE;
  username = g_key_file_get_string (key_file, group, username_key, error);
  if (username == NULL)
    return FALSE;

  server->host = *host_storage;
  server->port = (guint16) port;
  if (g_str_equal (security, "tls"))
    server->security = LB_SECURITY_TLS;
  else if (g_str_equal (security, "starttls"))
    server->security = LB_SECURITY_STARTTLS;
  else
    {
      g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
                   "Provider %s: unknown %s “%s”", group, security_key, security);
      return FALSE;
    }
  if (g_str_equal (username, "address"))
    server->username_form = LB_USERNAME_ADDRESS;
  else if (g_str_equal (username, "localpart"))
    server->username_form = LB_USERNAME_LOCAL_PART;
  else
    {
      g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
                   "Provider %s: unknown %s “%s”", group, username_key, username);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_credential (const char        *group,
                  const char        *text,
                  LbCredentialKind  *out,
                  GError           **error)
{
  static const struct {
    const char       *name;
    LbCredentialKind  kind;
  } kinds[] = {
    { "password", LB_CREDENTIAL_PASSWORD },
    { "app-password", LB_CREDENTIAL_APP_PASSWORD },
    { "authorization-code", LB_CREDENTIAL_AUTHORIZATION_CODE },
    { "oauth2-only", LB_CREDENTIAL_OAUTH2_ONLY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      if (g_str_equal (text, kinds[i].name))
        {
          *out = kinds[i].kind;
          return TRUE;
        }
    }
  g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
               "Provider %s: unknown Credential “%s”", group, text);
  return FALSE;
}

/**
 * lb_provider_new_from_key_file:
 * @key_file: a loaded database
 * @group: the provider id (a group of @key_file)
 *
 * Builds one entry.  The format is described at the top of providers.ini.
 *
 * Returns: (transfer full): the entry, or %NULL with @error set
 */
LbProvider *
lb_provider_new_from_key_file (GKeyFile    *key_file,
                               const char  *group,
                               GError     **error)
{
  g_autoptr(LbProvider) p = NULL;
  g_autofree char *credential = NULL;

  g_return_val_if_fail (key_file != NULL, NULL);
  g_return_val_if_fail (group != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  p = g_new0 (LbProvider, 1);
  g_atomic_ref_count_init (&p->ref_count);
  p->id = g_strdup (group);

  p->name_en = g_key_file_get_string (key_file, group, "Name", error);
  if (p->name_en == NULL)
    return NULL;
  if (!get_optional_string (key_file, group, "Name", "zh", &p->name_zh, error)
      || !get_optional_string (key_file, group, "Family", NULL, &p->family, error)
      || !get_optional_list (key_file, group, "Domains", NULL, TRUE, &p->domains, error)
      || !get_optional_list (key_file, group, "MxHosts", NULL, TRUE, &p->mx_hosts, error)
      || !parse_server (key_file, group, "Imap", &p->imap_host, &p->imap, error)
      || !parse_server (key_file, group, "Smtp", &p->smtp_host, &p->smtp, error))
    return NULL;

  credential = g_key_file_get_string (key_file, group, "Credential", error);
  if (credential == NULL || !parse_credential (group, credential, &p->credential, error))
    return NULL;

  if (!get_optional_string (key_file, group, "HelpUrl", NULL, &p->help_url, error)
      || !get_optional_string (key_file, group, "OAuth2", NULL, &p->oauth2_id, error)
      || !get_optional_string (key_file, group, "SecretTerm", NULL, &p->secret_term_en, error)
      || !get_optional_string (key_file, group, "SecretTerm", "zh", &p->secret_term_zh, error)
      || !get_optional_list (key_file, group, "HelpSteps", NULL, FALSE, &p->help_steps_en, error)
      || !get_optional_list (key_file, group, "HelpSteps", "zh", FALSE, &p->help_steps_zh, error)
      || !get_optional_list (key_file, group, "FolderPrefixes", NULL, FALSE, &p->folder_prefixes, error))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (folder_keys); i++)
    {
      if (!get_optional_list (key_file, group, folder_keys[i].key, NULL, FALSE,
                              &p->folder_names[i], error))
        return NULL;
    }

  if (!lb_quirks_load_from_key_file (&p->quirks, key_file, group, error))
    return NULL;

  if (p->family == NULL)
    p->family = g_strdup ("other");
  if (p->secret_term_en == NULL)
    p->secret_term_en = g_strdup ("password");
  if (p->domains == NULL)
    p->domains = g_new0 (char *, 1);
  if (p->mx_hosts == NULL)
    p->mx_hosts = g_new0 (char *, 1);
  if (p->help_steps_en == NULL)
    p->help_steps_en = g_new0 (char *, 1);

  return g_steal_pointer (&p);
}

/* A NULL language means the user's: Chinese for any zh locale, else English.
 * The database carries only these two languages. */
static gboolean
want_chinese (const char *language)
{
  if (language == NULL)
    language = g_get_language_names ()[0];
  return language != NULL && g_str_has_prefix (language, "zh");
}

const char *
lb_provider_get_id (const LbProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return provider->id;
}

/**
 * lb_provider_get_family:
 *
 * Returns: the family of servers whose error texts this provider shares:
 *   "tencent", "netease", "aliyun", "google", "microsoft", "yandex" or "other"
 */
const char *
lb_provider_get_family (const LbProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return provider->family;
}

/**
 * lb_provider_get_name:
 * @language: (nullable): "en", "zh", "zh_CN"...; %NULL for the user's language
 *
 * Returns: the display name in @language (Chinese or English)
 */
const char *
lb_provider_get_name (const LbProvider *provider,
                      const char       *language)
{
  g_return_val_if_fail (provider != NULL, NULL);
  if (want_chinese (language) && provider->name_zh != NULL)
    return provider->name_zh;
  return provider->name_en;
}

/**
 * lb_provider_get_domains:
 *
 * Returns: (array zero-terminated=1): lower-case address domains; an entry
 *   "*.example.com" stands for every subdomain of example.com
 */
const char * const *
lb_provider_get_domains (const LbProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return (const char * const *) provider->domains;
}

/**
 * lb_provider_get_mx_hosts:
 *
 * Returns: (array zero-terminated=1): MX host names (or "*.suffix" patterns)
 *   that identify a custom domain hosted by this provider
 */
const char * const *
lb_provider_get_mx_hosts (const LbProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return (const char * const *) provider->mx_hosts;
}

const LbProviderServer *
lb_provider_get_imap (const LbProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return &provider->imap;
}

const LbProviderServer *
lb_provider_get_smtp (const LbProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return &provider->smtp;
}

LbCredentialKind
lb_provider_get_credential_kind (const LbProvider *provider)
{
  g_return_val_if_fail (provider != NULL, LB_CREDENTIAL_PASSWORD);
  return provider->credential;
}

/**
 * lb_provider_get_oauth2_id:
 *
 * Returns: (nullable): the id of the provider's OAuth2 sign-in ([oauth2:ID] in
 *   providers.ini, for lb_oauth2_provider_lookup()), or %NULL without one
 */
const char *
lb_provider_get_oauth2_id (const LbProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return provider->oauth2_id;
}

/**
 * lb_provider_get_help_url:
 *
 * Returns: (nullable): the provider's own help page for mail apps
 */
const char *
lb_provider_get_help_url (const LbProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return provider->help_url;
}

/**
 * lb_provider_get_secret_term:
 * @language: (nullable): as for lb_provider_get_name()
 *
 * Returns: what the provider calls the secret to paste, e.g. "授权码" or
 *   "app password", for labels like "Authorization code:"
 */
const char *
lb_provider_get_secret_term (const LbProvider *provider,
                             const char       *language)
{
  g_return_val_if_fail (provider != NULL, NULL);
  if (want_chinese (language) && provider->secret_term_zh != NULL)
    return provider->secret_term_zh;
  return provider->secret_term_en;
}

/**
 * lb_provider_get_help_steps:
 * @language: (nullable): as for lb_provider_get_name()
 *
 * Returns: (array zero-terminated=1): the numbered steps to enable IMAP and
 *   create the secret, without numbers; possibly empty
 */
const char * const *
lb_provider_get_help_steps (const LbProvider *provider,
                            const char       *language)
{
  g_return_val_if_fail (provider != NULL, NULL);
  if (want_chinese (language) && provider->help_steps_zh != NULL)
    return (const char * const *) provider->help_steps_zh;
  return (const char * const *) provider->help_steps_en;
}

/**
 * lb_provider_make_username:
 * @for_smtp: %TRUE for the SMTP server, %FALSE for IMAP
 * @address: the user's e-mail address
 *
 * Returns: (transfer full): the login name the server expects
 */
char *
lb_provider_make_username (const LbProvider *provider,
                           gboolean          for_smtp,
                           const char       *address)
{
  const LbProviderServer *server;
  const char *at;

  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  server = for_smtp ? &provider->smtp : &provider->imap;
  at = strrchr (address, '@');
  if (server->username_form == LB_USERNAME_LOCAL_PART && at != NULL)
    return g_strndup (address, at - address);
  return g_strdup (address);
}

/**
 * lb_hostname_matches_pattern:
 * @hostname: a DNS name; a trailing dot is ignored
 * @pattern: an exact name, or "*.suffix" for any name below suffix (not the
 *   suffix itself)
 *
 * Compares without regard to ASCII case.
 */
gboolean
lb_hostname_matches_pattern (const char *hostname,
                             const char *pattern)
{
  gsize hlen, plen;

  g_return_val_if_fail (hostname != NULL, FALSE);
  g_return_val_if_fail (pattern != NULL, FALSE);

  hlen = strlen (hostname);
  if (hlen > 0 && hostname[hlen - 1] == '.')
    hlen--;
  if (hlen == 0)
    return FALSE;

  if (g_str_has_prefix (pattern, "*."))
    {
      const char *suffix = pattern + 1;   /* keeps the dot: ".suffix" */

      plen = strlen (suffix);
      /* At least one label before the suffix. */
      if (hlen <= plen)
        return FALSE;
      if (g_ascii_strncasecmp (hostname + hlen - plen, suffix, plen) != 0)
        return FALSE;
      return hostname[0] != '.';
    }

  plen = strlen (pattern);
  return hlen == plen && g_ascii_strncasecmp (hostname, pattern, plen) == 0;
}

/**
 * lb_provider_matches_domain:
 *
 * Returns: whether addresses at @domain belong to @provider.  Subdomains
 *   match only through an explicit "*." entry.
 */
gboolean
lb_provider_matches_domain (const LbProvider *provider,
                            const char       *domain)
{
  g_return_val_if_fail (provider != NULL, FALSE);
  g_return_val_if_fail (domain != NULL, FALSE);

  for (guint i = 0; provider->domains[i] != NULL; i++)
    if (lb_hostname_matches_pattern (domain, provider->domains[i]))
      return TRUE;
  return FALSE;
}

static gboolean
name_in_list (char * const *list,
              const char   *folded_name,
              const char   *raw_name)
{
  if (list == NULL)
    return FALSE;
  for (guint i = 0; list[i] != NULL; i++)
    {
      g_autofree char *folded = g_utf8_casefold (list[i], -1);

      if (folded_name != NULL && g_str_equal (folded, folded_name))
        return TRUE;
      /* Raw modified UTF-7 names are compared byte for byte: case matters there. */
      if (raw_name != NULL && g_str_equal (list[i], raw_name))
        return TRUE;
    }
  return FALSE;
}

/**
 * lb_provider_get_folder_name:
 * @role: a special role (Sent, Drafts, Trash, Junk, Archive...)
 *
 * The name the provider's own clients give a special folder of @role, for creating
 * it where the account has none.  Only names that are plain ASCII without `&` are
 * given: the database may hold names in modified UTF-7 (NetEase) and, for providers
 * with folder prefixes (Gmail), names relative to the prefix; for those the caller
 * uses a neutral default instead.
 *
 * Returns: (transfer none) (nullable): the name, or %NULL
 */
const char *
lb_provider_get_folder_name (const LbProvider *provider,
                             LbFolderRole      role)
{
  g_return_val_if_fail (provider != NULL, NULL);

  if (provider->folder_prefixes != NULL || role == LB_FOLDER_ROLE_NONE)
    return NULL;
  for (guint k = 0; k < G_N_ELEMENTS (folder_keys); k++)
    {
      const char *name;

      if (folder_keys[k].role != role || provider->folder_names[k] == NULL)
        continue;
      name = provider->folder_names[k][0];
      if (name == NULL || strchr (name, '&') != NULL)
        return NULL;
      for (const char *c = name; *c != '\0'; c++)
        if (!g_ascii_isprint (*c))
          return NULL;
      return name;
    }
  return NULL;
}

/**
 * lb_provider_lookup_folder_role:
 * @decoded_name: (nullable): the folder's full name, decoded from modified UTF-7
 * @raw_name: (nullable): the name as the server sent it
 * @role_out: (out): the role, %LB_FOLDER_ROLE_NONE for a known plain folder
 *
 * Looks the folder up in this provider's own name table only.
 *
 * Returns: %TRUE if the table knows the folder (even as a plain folder)
 */
gboolean
lb_provider_lookup_folder_role (const LbProvider *provider,
                                const char       *decoded_name,
                                const char       *raw_name,
                                LbFolderRole     *role_out)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (provider != NULL, FALSE);
  g_return_val_if_fail (role_out != NULL, FALSE);

  *role_out = LB_FOLDER_ROLE_NONE;
  if (decoded_name != NULL && g_utf8_validate (decoded_name, -1, NULL))
    {
      if (provider->folder_prefixes == NULL)
        g_ptr_array_add (candidates, g_utf8_casefold (decoded_name, -1));
      else
        {
          /* Gmail: "[Gmail]/Sent Mail" is looked up as "Sent Mail".  Every
           * special folder lives below the prefix; anything else is a label
           * the user made, even one called "Spam". */
          for (guint i = 0; provider->folder_prefixes[i] != NULL; i++)
            {
              const char *prefix = provider->folder_prefixes[i];
              gsize len = strlen (prefix);

              if (g_ascii_strncasecmp (decoded_name, prefix, len) == 0 && decoded_name[len] != '\0')
                g_ptr_array_add (candidates, g_utf8_casefold (decoded_name + len, -1));
            }
          if (candidates->len == 0)
            return TRUE;
        }
    }
  if (raw_name != NULL && !g_utf8_validate (raw_name, -1, NULL))
    raw_name = NULL;

  for (guint k = 0; k < G_N_ELEMENTS (folder_keys); k++)
    {
      if (name_in_list (provider->folder_names[k], NULL, raw_name))
        {
          *role_out = folder_keys[k].role;
          return TRUE;
        }
      for (guint c = 0; c < candidates->len; c++)
        {
          if (name_in_list (provider->folder_names[k], candidates->pdata[c], NULL))
            {
              *role_out = folder_keys[k].role;
              return TRUE;
            }
        }
    }
  return FALSE;
}

/**
 * lb_provider_get_quirks:
 * @provider: (nullable): the account's provider, %NULL if unknown
 * @out: (out caller-allocates): the quirks
 *
 * Fills @out from the database entry (or the defaults).  Call
 * lb_quirks_merge_capabilities() once the server's CAPABILITY is known.
 */
void
lb_provider_get_quirks (const LbProvider *provider,
                        LbQuirks         *out)
{
  g_return_if_fail (out != NULL);

  if (provider == NULL)
    {
      lb_quirks_init (out);
      return;
    }
  *out = provider->quirks;
}
