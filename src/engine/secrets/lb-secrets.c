/* lb-secrets.c: account secrets in the keyring (libsecret)
 *
 * One secret per account (the password, app password or 授权码), used for IMAP and SMTP
 * alike.  The account is identified by its stable uid, so renaming an address does not
 * orphan the secret, and by the profile it belongs to: account uids start at 1 in every
 * profile (letterbox-cli --data-dir, the Flatpak beside a native install), and one
 * keyring serves them all.  Secrets are wiped from memory when freed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <libsecret/secret.h>

#include "lb-error.h"
#include "lb-secrets.h"

/* Items keyed by profile and account.  A schema of its own, not a new attribute on the
 * old one: libsecret matches the schema name, so a search for old items below can never
 * find, or remove, another profile's new item with the same account uid. */
static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.letterbox.Letterbox.ProfileAccount", SECRET_SCHEMA_NONE,
    {
      { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "email", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

/* Items written before profiles were told apart: keyed by the account uid alone. */
static const SecretSchema *
get_legacy_schema (void)
{
  static const SecretSchema schema = {
    "io.github.letterbox.Letterbox.Account", SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "email", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

/* The attributes that find this account's old item.  With the address as well, when it
 * is known: two profiles may each have left an old item for the same account uid, and
 * only the one for this address is this account's. */
static GHashTable *
legacy_attributes (const char *account_uid,
                   const char *email)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (gpointer) "account", (gpointer) account_uid);
  if (email != NULL)
    g_hash_table_insert (attributes, (gpointer) "email", (gpointer) email);
  return attributes;
}

static void
to_lb_error (GError **error)
{
  /* Keep cancellation as it is; everything else is "the keyring failed". */
  if (error != NULL && *error != NULL && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup ((*error)->message);
      g_clear_error (error);
      g_set_error (error, LB_ERROR, LB_ERROR_SECRET, _("The keyring is not available: %s"), message);
    }
}

static gboolean
store_item (const char    *profile_id,
            const char    *account_uid,
            const char    *email,
            const char    *secret,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *label = g_strdup_printf ("Letterbox: %s", email != NULL ? email : account_uid);

  if (!secret_password_store_sync (get_schema (), SECRET_COLLECTION_DEFAULT, label, secret,
                                   cancellable, error,
                                   "profile", profile_id,
                                   "account", account_uid,
                                   "email", email != NULL ? email : "",
                                   NULL))
    {
      to_lb_error (error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
clear_legacy_item (const char    *account_uid,
                   const char    *email,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GHashTable) attributes = legacy_attributes (account_uid, email);
  g_autoptr(GError) local_error = NULL;

  /* FALSE without an error means there was nothing to remove, which is fine. */
  if (!secret_password_clearv_sync (get_legacy_schema (), attributes, cancellable,
                                    &local_error) && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      to_lb_error (error);
      return FALSE;
    }
  return TRUE;
}

/**
 * lb_secrets_store_sync:
 * @profile_id: the profile's identity (lb_store_get_profile_id())
 * @account_uid: the account's uid in that profile
 * @email: (nullable): the account's address, for the item's label
 * @secret: the password
 *
 * Stores or replaces the account's secret, and removes an item an older version left
 * for it, which would only be stale now.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_secrets_store_sync (const char    *profile_id,
                       const char    *account_uid,
                       const char    *email,
                       const char    *secret,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (profile_id != NULL, FALSE);
  g_return_val_if_fail (account_uid != NULL, FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);

  if (!store_item (profile_id, account_uid, email, secret, cancellable, error))
    return FALSE;
  /* Kept by then, so a failure here costs nothing but a stale item. */
  clear_legacy_item (account_uid, email, cancellable, NULL);
  return TRUE;
}

/* An item an older version stored: moved to this profile's key (and then removed), so
 * that another profile with the same account uid can no longer take or overwrite it.
 * NULL without an error when there is none. */
static char *
migrate_legacy_item (const char    *profile_id,
                     const char    *account_uid,
                     const char    *email,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GHashTable) attributes = legacy_attributes (account_uid, email);
  g_autoptr(GError) local_error = NULL;
  char *secret;

  secret = secret_password_lookupv_nonpageable_sync (get_legacy_schema (), attributes,
                                                     cancellable, error);
  if (secret == NULL)
    return NULL;
  /* The secret is still good if it cannot be moved: the next read tries again. */
  if (store_item (profile_id, account_uid, email, secret, cancellable, &local_error))
    clear_legacy_item (account_uid, email, cancellable, &local_error);
  if (local_error != NULL)
    g_debug ("Could not move the keyring item of account %s: %s", account_uid,
             local_error->message);
  return secret;
}

/**
 * lb_secrets_lookup_sync:
 * @profile_id: the profile's identity (lb_store_get_profile_id())
 * @account_uid: the account's uid in that profile
 * @email: (nullable): the account's address: an item an older version stored is taken
 *   over only when it is for this address
 *
 * Returns: (transfer full): the secret, to be freed with lb_secrets_free(); %NULL with
 *   %LB_ERROR_SECRET when the keyring has none for this account.
 */
char *
lb_secrets_lookup_sync (const char    *profile_id,
                        const char    *account_uid,
                        const char    *email,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *secret;
  char *copy;

  g_return_val_if_fail (profile_id != NULL, NULL);
  g_return_val_if_fail (account_uid != NULL, NULL);

  secret = secret_password_lookup_nonpageable_sync (get_schema (), cancellable, &local_error,
                                                    "profile", profile_id,
                                                    "account", account_uid, NULL);
  if (secret == NULL && local_error == NULL)
    secret = migrate_legacy_item (profile_id, account_uid, email, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      to_lb_error (error);
      return NULL;
    }
  if (secret == NULL)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_SECRET,
                   _("The keyring has no password for this account"));
      return NULL;
    }
  /* Callers free with lb_secrets_free(), which wipes plain heap memory. */
  copy = g_strdup (secret);
  secret_password_free (secret);
  return copy;
}

/**
 * lb_secrets_clear_sync:
 * @profile_id: the profile's identity (lb_store_get_profile_id())
 * @account_uid: the account's uid in that profile
 * @email: (nullable): the account's address, to find an item an older version stored
 *
 * Removes the account's secret; another profile's, with the same account uid, stays.
 *
 * Returns: %TRUE on success, also when there was nothing to remove
 */
gboolean
lb_secrets_clear_sync (const char    *profile_id,
                       const char    *account_uid,
                       const char    *email,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (profile_id != NULL, FALSE);
  g_return_val_if_fail (account_uid != NULL, FALSE);

  /* FALSE without an error means there was nothing to remove, which is fine. */
  if (!secret_password_clear_sync (get_schema (), cancellable, &local_error,
                                   "profile", profile_id,
                                   "account", account_uid, NULL) && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      to_lb_error (error);
      return FALSE;
    }
  return clear_legacy_item (account_uid, email, cancellable, error);
}

void
lb_secrets_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}
