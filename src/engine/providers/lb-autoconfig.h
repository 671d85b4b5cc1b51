/* lb-autoconfig.h: parser for autoconfig files (Thunderbird's clientConfig v1.1 XML)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lb-provider-config.h"

G_BEGIN_DECLS

/* Real files are a few KiB; anything larger is refused before parsing. */
#define LB_AUTOCONFIG_MAX_SIZE (1024 * 1024)

LbProviderConfig *lb_autoconfig_parse (const char  *data,
                                       gsize        length,
                                       const char  *address,
                                       GError     **error);

G_END_DECLS
