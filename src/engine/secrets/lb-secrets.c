/* lb-secrets.c: account secrets in the keyring (libsecret)
 *
 * One secret per account (the password, app password or 授权码), used for IMAP and SMTP
 * alike.  The account is identified by its stable uid, so renaming an address does not
 * orphan the secret.  Secrets are wiped from memory when freed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <libsecret/secret.h>

#include "lb-error.h"
#include "lb-secrets.h"

static const SecretSchema *
get_schema (void)
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

gboolean
lb_secrets_store_sync (const char    *account_uid,
                       const char    *email,
                       const char    *secret,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *label = NULL;

  g_return_val_if_fail (account_uid != NULL, FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);

  label = g_strdup_printf ("Letterbox: %s", email != NULL ? email : account_uid);
  if (!secret_password_store_sync (get_schema (), SECRET_COLLECTION_DEFAULT, label, secret,
                                   cancellable, error,
                                   "account", account_uid,
                                   "email", email != NULL ? email : "",
                                   NULL))
    {
      to_lb_error (error);
      return FALSE;
    }
  return TRUE;
}

/**
 * lb_secrets_lookup_sync:
 *
 * Returns: (transfer full): the secret, to be freed with lb_secrets_free(); %NULL with
 *   %LB_ERROR_SECRET when the keyring has none for this account.
 */
char *
lb_secrets_lookup_sync (const char    *account_uid,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *secret;
  char *copy;

  g_return_val_if_fail (account_uid != NULL, NULL);

  secret = secret_password_lookup_nonpageable_sync (get_schema (), cancellable, &local_error,
                                                    "account", account_uid, NULL);
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

gboolean
lb_secrets_clear_sync (const char    *account_uid,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (account_uid != NULL, FALSE);

  /* FALSE without an error means there was nothing to remove, which is fine. */
  if (!secret_password_clear_sync (get_schema (), cancellable, &local_error,
                                   "account", account_uid, NULL) && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      to_lb_error (error);
      return FALSE;
    }
  return TRUE;
}

void
lb_secrets_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}
