/* lb-identity.h: an address an account sends as (its own, or an alias)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * LbIdentity:
 * @email: the address
 * @display_name: (nullable): the name to send as
 * @signature: (nullable): plain text, inserted below a "-- " line
 *
 * One address an account sends from.  An account's additional addresses (aliases) are
 * a #GPtrArray of these; the account's own address has its name and signature in the
 * account's settings.
 */
typedef struct {
  char *email;
  char *display_name;
  char *signature;
} LbIdentity;

LbIdentity *lb_identity_new        (const char       *email,
                                    const char       *display_name,
                                    const char       *signature);
LbIdentity *lb_identity_copy       (const LbIdentity *identity);
void        lb_identity_free       (LbIdentity       *identity);
GPtrArray  *lb_identity_array_copy (GPtrArray        *identities);
gboolean    lb_identity_array_equal (GPtrArray       *a,
                                    GPtrArray        *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbIdentity, lb_identity_free)

G_END_DECLS
