/* lb-cli.c: letterbox-cli, the engine without a window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>

int
main (int   argc,
      char *argv[])
{
  g_print ("letterbox-cli %s\n", PACKAGE_VERSION);
  return 0;
}
