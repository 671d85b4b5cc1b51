/* fuzz-mutf7.c: libFuzzer target for modified UTF-7 decoding and encoding
 *
 * Checks: decoding never crashes; whatever decodes re-encodes and decodes to
 * the same text; any valid UTF-8 input survives encode then decode.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lb-mutf7.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *in = g_strndup ((const char *) data, size);
  g_autofree char *decoded = NULL;

  decoded = lb_mutf7_decode (in, NULL);
  if (decoded != NULL)
    {
      g_autofree char *encoded = NULL;
      g_autofree char *again = NULL;

      if (!g_utf8_validate (decoded, -1, NULL))
        abort ();
      encoded = lb_mutf7_encode (decoded);
      if (encoded == NULL)
        abort ();
      again = lb_mutf7_decode (encoded, NULL);
      if (again == NULL || strcmp (again, decoded) != 0)
        abort ();
    }

  if (g_utf8_validate (in, -1, NULL))
    {
      g_autofree char *encoded = lb_mutf7_encode (in);
      g_autofree char *back = NULL;

      if (encoded == NULL)
        abort ();
      for (const char *p = encoded; *p != '\0'; p++)
        if (*p < 0x20 || *p > 0x7e)
          abort ();
      back = lb_mutf7_decode (encoded, NULL);
      if (back == NULL || strcmp (back, in) != 0)
        abort ();
    }

  return 0;
}
