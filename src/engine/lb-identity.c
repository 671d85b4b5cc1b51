/* lb-identity.c: an address an account sends as
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-identity.h"

/* An empty name or signature is stored as none, so that "unset" has one form. */
static char *
dup_or_null (const char *s)
{
  return s != NULL && s[0] != '\0' ? g_strdup (s) : NULL;
}

LbIdentity *
lb_identity_new (const char *email,
                 const char *display_name,
                 const char *signature)
{
  LbIdentity *identity = g_new0 (LbIdentity, 1);

  identity->email = g_strdup (email);
  identity->display_name = dup_or_null (display_name);
  identity->signature = dup_or_null (signature);
  return identity;
}

LbIdentity *
lb_identity_copy (const LbIdentity *identity)
{
  if (identity == NULL)
    return NULL;
  return lb_identity_new (identity->email, identity->display_name, identity->signature);
}

void
lb_identity_free (LbIdentity *identity)
{
  if (identity == NULL)
    return;
  g_free (identity->email);
  g_free (identity->display_name);
  g_free (identity->signature);
  g_free (identity);
}

/**
 * lb_identity_array_copy:
 * @identities: (nullable) (element-type LbIdentity): the array to copy
 *
 * Returns: (transfer full) (element-type LbIdentity): a deep copy; an empty array for
 *   %NULL, so that callers never test for both
 */
GPtrArray *
lb_identity_array_copy (GPtrArray *identities)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_identity_free);

  for (guint i = 0; identities != NULL && i < identities->len; i++)
    g_ptr_array_add (copy, lb_identity_copy (g_ptr_array_index (identities, i)));
  return copy;
}

/**
 * lb_identity_array_equal:
 *
 * Returns: whether both arrays (%NULL counts as empty) hold the same identities in the
 *   same order
 */
gboolean
lb_identity_array_equal (GPtrArray *a,
                         GPtrArray *b)
{
  guint na = a != NULL ? a->len : 0;
  guint nb = b != NULL ? b->len : 0;

  if (na != nb)
    return FALSE;
  for (guint i = 0; i < na; i++)
    {
      const LbIdentity *x = g_ptr_array_index (a, i);
      const LbIdentity *y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x->email, y->email) != 0 || g_strcmp0 (x->display_name, y->display_name) != 0
          || g_strcmp0 (x->signature, y->signature) != 0)
        return FALSE;
    }
  return TRUE;
}
