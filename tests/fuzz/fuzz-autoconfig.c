/* fuzz-autoconfig.c: the autoconfig XML parser must survive any input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "lb-autoconfig.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = NULL;

  config = lb_autoconfig_parse ((const char *) data, size, "fuzz.user@example.com", &error);
  /* Exactly one of result and error, and the error is text a person can read. */
  g_assert ((config == NULL) != (error == NULL));
  if (error != NULL)
    g_assert (g_utf8_validate (error->message, -1, NULL));
  else
    {
      g_assert (config->imap != NULL && config->smtp != NULL);
      g_assert (config->imap->port > 0 && config->smtp->port > 0);
      g_assert (g_utf8_validate (config->imap->host, -1, NULL));
      g_assert (g_utf8_validate (config->imap->username, -1, NULL));
    }
  return 0;
}
