/* fuzz-provider-errors.c: server error texts (any bytes, any encoding) and folder names
 *
 * The first byte picks the provider and the phase, the rest is the server's text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "lb-error-map.h"
#include "lb-folder-role.h"
#include "lb-provider-db.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GPtrArray *providers = lb_provider_db_get_providers (lb_provider_db_get_default ());
  const LbProvider *provider = NULL;
  LbMappedErrorKind kind = LB_MAPPED_ERROR_UNKNOWN;
  LbErrorPhase phase = LB_ERROR_PHASE_ANY;
  g_autofree char *message = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;

  if (size > 0)
    {
      guint choice = data[0] % (providers->len + 1);

      if (choice < providers->len)
        provider = g_ptr_array_index (providers, choice);
      phase = (data[0] >> 4) % (LB_ERROR_PHASE_SMTP_DATA + 1);
      data++;
      size--;
    }

  message = lb_error_map_server_text (provider, phase, (const char *) data, size, &kind);
  g_assert ((message == NULL) == (kind == LB_MAPPED_ERROR_UNKNOWN));
  if (message != NULL)
    g_assert (g_utf8_validate (message, -1, NULL));

  decoded = lb_error_map_decode_text ((const char *) data, size);
  g_assert (g_utf8_validate (decoded, -1, NULL));

  error = lb_error_map_curl (CURLE_LOGIN_DENIED, NULL, NULL, provider, phase,
                             (const char *) data, size);
  g_assert (error != NULL && g_utf8_validate (error->message, -1, NULL));

  /* The same bytes as a folder name, decoded and raw. */
  name = g_strndup ((const char *) data, size);
  lb_folder_role_from_name (provider, decoded, name);
  lb_folder_role_from_name (NULL, name, name);
  return 0;
}
