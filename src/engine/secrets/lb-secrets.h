/* lb-secrets.h: account secrets in the keyring (libsecret); never in a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean  lb_secrets_store_sync  (const char    *profile_id,
                                  const char    *account_uid,
                                  const char    *email,
                                  const char    *secret,
                                  GCancellable  *cancellable,
                                  GError       **error);
char     *lb_secrets_lookup_sync (const char    *profile_id,
                                  const char    *account_uid,
                                  const char    *email,
                                  GCancellable  *cancellable,
                                  GError       **error);
gboolean  lb_secrets_clear_sync  (const char    *profile_id,
                                  const char    *account_uid,
                                  const char    *email,
                                  GCancellable  *cancellable,
                                  GError       **error);
void      lb_secrets_free        (char          *secret);

typedef char LbSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbSecret, lb_secrets_free)

G_END_DECLS
