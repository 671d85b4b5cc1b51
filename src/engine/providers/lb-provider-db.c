/* lb-provider-db.c: the bundled mail provider database
 *
 * The database is a key file compiled into the engine's GResource, so every
 * build (and every test) sees the same data and nothing is read from disk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "lb-engine-resources.h"
#include "lb-error.h"
#include "lb-provider-db.h"

struct _LbProviderDb
{
  GObject    parent_instance;
  GPtrArray *providers;   /* LbProvider, in file order */
};

G_DEFINE_FINAL_TYPE (LbProviderDb, lb_provider_db, G_TYPE_OBJECT)

static void
lb_provider_db_finalize (GObject *object)
{
  LbProviderDb *self = LB_PROVIDER_DB (object);

  g_clear_pointer (&self->providers, g_ptr_array_unref);

  G_OBJECT_CLASS (lb_provider_db_parent_class)->finalize (object);
}

static void
lb_provider_db_class_init (LbProviderDbClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_provider_db_finalize;
}

static void
lb_provider_db_init (LbProviderDb *self)
{
  self->providers = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_provider_unref);
}

/**
 * lb_provider_db_new_from_data:
 * @data: a key file in the format of providers.ini
 *
 * Loads a database.  Any bad entry fails the whole load: the bundled file is
 * checked by the tests, so a failure here is a packaging bug.
 *
 * Returns: (transfer full): the database, or %NULL with @error set
 */
LbProviderDb *
lb_provider_db_new_from_data (const char  *data,
                              gsize        length,
                              GError     **error)
{
  g_autoptr(LbProviderDb) self = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_auto(GStrv) groups = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_key_file_load_from_data (key_file, data, length, G_KEY_FILE_KEEP_TRANSLATIONS, error))
    return NULL;

  self = g_object_new (LB_TYPE_PROVIDER_DB, NULL);
  groups = g_key_file_get_groups (key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      LbProvider *provider;

      /* OAuth2 authorization servers share the file; oauth2/ reads them. */
      if (g_str_has_prefix (groups[i], "oauth2:"))
        continue;
      provider = lb_provider_new_from_key_file (key_file, groups[i], error);
      if (provider == NULL)
        return NULL;
      g_ptr_array_add (self->providers, provider);
    }
  return g_steal_pointer (&self);
}

/**
 * lb_provider_db_get_default:
 *
 * Returns: (transfer none): the database bundled with the engine, loaded on
 *   first use and kept for the life of the process
 */
LbProviderDb *
lb_provider_db_get_default (void)
{
  static LbProviderDb *db;

  if (g_once_init_enter (&db))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      LbProviderDb *loaded = NULL;

      bytes = g_resource_lookup_data (lb_engine_get_resource (), LB_PROVIDER_DB_RESOURCE,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes != NULL)
        loaded = lb_provider_db_new_from_data (g_bytes_get_data (bytes, NULL),
                                               g_bytes_get_size (bytes), &error);
      if (loaded == NULL)
        {
          g_critical ("The bundled provider database is broken: %s", error->message);
          loaded = g_object_new (LB_TYPE_PROVIDER_DB, NULL);
        }
      g_once_init_leave (&db, loaded);
    }
  return db;
}

/**
 * lb_provider_db_get_providers:
 *
 * Returns: (transfer none) (element-type LbProvider): every entry
 */
GPtrArray *
lb_provider_db_get_providers (LbProviderDb *db)
{
  g_return_val_if_fail (LB_IS_PROVIDER_DB (db), NULL);
  return db->providers;
}

/**
 * lb_normalize_domain:
 * @domain: a domain as typed, possibly in Unicode or with a trailing dot
 *
 * Returns: (transfer full) (nullable): the lower-case ASCII (punycode) form,
 *   or %NULL if @domain is not a usable host name
 */
char *
lb_normalize_domain (const char *domain)
{
  g_autofree char *ascii = NULL;
  gsize len;

  g_return_val_if_fail (domain != NULL, NULL);

  if (!g_utf8_validate (domain, -1, NULL))
    return NULL;
  ascii = g_hostname_to_ascii (domain);
  if (ascii == NULL)
    return NULL;
  len = strlen (ascii);
  if (len > 0 && ascii[len - 1] == '.')
    ascii[--len] = '\0';
  if (len == 0 || len > 253)
    return NULL;
  /* Only what may appear in a DNS host name: this string ends up in URLs. */
  for (gsize i = 0; i < len; i++)
    {
      char c = ascii[i];

      if (!g_ascii_isalnum (c) && c != '-' && c != '.')
        return NULL;
    }
  if (ascii[0] == '.' || ascii[0] == '-' || strstr (ascii, "..") != NULL)
    return NULL;
  return g_ascii_strdown (ascii, -1);
}

/**
 * lb_provider_db_lookup_id:
 *
 * Returns: (transfer none) (nullable): the entry with this id
 */
LbProvider *
lb_provider_db_lookup_id (LbProviderDb *db,
                          const char   *id)
{
  g_return_val_if_fail (LB_IS_PROVIDER_DB (db), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < db->providers->len; i++)
    {
      LbProvider *p = g_ptr_array_index (db->providers, i);

      if (g_str_equal (lb_provider_get_id (p), id))
        return p;
    }
  return NULL;
}

/**
 * lb_provider_db_lookup_domain:
 * @domain: an address domain, any case
 *
 * An exact domain entry wins over a "*." pattern.  Subdomains of a listed
 * domain do not match: mail.qq.com is not qq.com.
 *
 * Returns: (transfer none) (nullable): the provider of @domain
 */
LbProvider *
lb_provider_db_lookup_domain (LbProviderDb *db,
                              const char   *domain)
{
  g_autofree char *normal = NULL;

  g_return_val_if_fail (LB_IS_PROVIDER_DB (db), NULL);
  g_return_val_if_fail (domain != NULL, NULL);

  normal = lb_normalize_domain (domain);
  if (normal == NULL)
    return NULL;

  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < db->providers->len; i++)
        {
          LbProvider *p = g_ptr_array_index (db->providers, i);
          const char * const *domains = lb_provider_get_domains (p);

          for (guint d = 0; domains[d] != NULL; d++)
            {
              gboolean is_pattern = g_str_has_prefix (domains[d], "*.");

              if (is_pattern == (pass == 1) && lb_hostname_matches_pattern (normal, domains[d]))
                return p;
            }
        }
    }
  return NULL;
}

/**
 * lb_provider_db_lookup_address:
 * @address: an e-mail address
 *
 * Returns: (transfer none) (nullable): the provider of the address's domain
 */
LbProvider *
lb_provider_db_lookup_address (LbProviderDb *db,
                               const char   *address)
{
  const char *at;

  g_return_val_if_fail (LB_IS_PROVIDER_DB (db), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0')
    return NULL;
  return lb_provider_db_lookup_domain (db, at + 1);
}

/**
 * lb_provider_db_lookup_mx:
 * @mx_host: one MX host name of a custom domain
 *
 * Matches the exact host names the database lists (suffix patterns only where
 * listed), so personal QQ (mx1.qq.com) and Exmail (mxbiz1.qq.com) stay apart.
 *
 * Returns: (transfer none) (nullable): the provider hosting the domain
 */
LbProvider *
lb_provider_db_lookup_mx (LbProviderDb *db,
                          const char   *mx_host)
{
  g_return_val_if_fail (LB_IS_PROVIDER_DB (db), NULL);
  g_return_val_if_fail (mx_host != NULL, NULL);

  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < db->providers->len; i++)
        {
          LbProvider *p = g_ptr_array_index (db->providers, i);
          const char * const *hosts = lb_provider_get_mx_hosts (p);

          for (guint h = 0; hosts[h] != NULL; h++)
            {
              gboolean is_pattern = g_str_has_prefix (hosts[h], "*.");

              if (is_pattern == (pass == 1) && lb_hostname_matches_pattern (mx_host, hosts[h]))
                return p;
            }
        }
    }
  return NULL;
}

/**
 * lb_provider_db_lookup_server_host:
 * @host: an IMAP server host name found some other way (autoconfig, SRV)
 *
 * Lets settings found online still get the provider's help and quirks.
 * Loopback addresses (Proton Bridge) never match: any local server has them.
 *
 * Returns: (transfer none) (nullable): the first provider using @host for IMAP
 */
LbProvider *
lb_provider_db_lookup_server_host (LbProviderDb *db,
                                   const char   *host)
{
  g_return_val_if_fail (LB_IS_PROVIDER_DB (db), NULL);
  g_return_val_if_fail (host != NULL, NULL);

  if (g_hostname_is_ip_address (host))
    return NULL;
  for (guint i = 0; i < db->providers->len; i++)
    {
      LbProvider *p = g_ptr_array_index (db->providers, i);

      if (g_ascii_strcasecmp (lb_provider_get_imap (p)->host, host) == 0)
        return p;
    }
  return NULL;
}
