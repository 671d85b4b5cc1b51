/* fuzz-address.c: address lists from headers and from the composer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lb-address.h"
#include "lb-mime.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_list (GPtrArray *list)
{
  g_autofree char *display = lb_address_list_to_display (list);

  if (!g_utf8_validate (display, -1, NULL))
    abort ();
  for (guint i = 0; i < list->len; i++)
    {
      LbAddress *a = g_ptr_array_index (list, i);
      g_autofree char *s = lb_address_to_string (a);

      if (a->address == NULL || !g_utf8_validate (a->address, -1, NULL)
          || (a->name != NULL && !g_utf8_validate (a->name, -1, NULL))
          || !g_utf8_validate (s, -1, NULL))
        abort ();
      lb_address_is_valid (a->address);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GPtrArray) typed = lb_address_parse (text);
  g_autoptr(GPtrArray) header = lb_address_list_decode (text, NULL);

  check_list (typed);
  check_list (header);
  lb_address_is_valid (text);

  /* Formatting a valid address and parsing it back must give it again. */
  for (guint i = 0; i < typed->len; i++)
    {
      LbAddress *a = g_ptr_array_index (typed, i);
      g_autofree char *s = NULL;
      g_autoptr(GPtrArray) again = NULL;

      if (!lb_address_is_valid (a->address) || a->address[0] == '"')
        continue;
      s = lb_address_to_string (a);
      again = lb_address_parse (s);
      if (again->len != 1
          || strcmp (((LbAddress *) g_ptr_array_index (again, 0))->address, a->address) != 0)
        {
          g_printerr ("round trip failed: [%s] -> [%s]\n", a->address, s);
          abort ();
        }
    }
  return 0;
}
