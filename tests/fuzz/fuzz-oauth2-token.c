/* fuzz-oauth2-token.c: a token endpoint's answer (any bytes)
 *
 * The first byte picks what the answer is read as: a successful token response, or an
 * error answer with HTTP 400, 401 or 503.  Neither may crash, leak or accept a token
 * with characters that could break a SASL line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lb-oauth2-token.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const long statuses[] = { 400, 401, 503 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuth2Token) token = NULL;
  guint choice = 0;

  if (size > 0)
    {
      choice = data[0] % 4;
      data++;
      size--;
    }
  if (choice == 0)
    {
      token = lb_oauth2_token_parse ((const char *) data, size, 0, &error);
      g_assert ((token == NULL) != (error == NULL));
      if (token != NULL)
        for (const char *p = token->access_token; *p != '\0'; p++)
          g_assert (*p > 0x20 && *p < 0x7f);
    }
  else
    {
      lb_oauth2_set_response_error (&error, statuses[choice - 1], (const char *) data, size);
      g_assert (error != NULL);
      g_assert (strchr (error->message, '\x1b') == NULL);
    }
  return 0;
}
