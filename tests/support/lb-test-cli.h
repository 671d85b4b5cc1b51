/* lb-test-cli.h: running letterbox-cli from a test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int   status;   /* the exit status */
  char *out;
  char *err;
} LbTestCliRun;

void lb_test_cli_run_clear (LbTestCliRun       *run);
void lb_test_cli_run       (LbTestCliRun       *run,
                            const char         *cli_path,
                            const char         *stdin_text,
                            const char * const *env,
                            const char * const *args,
                            const char * const *extra);

G_END_DECLS
