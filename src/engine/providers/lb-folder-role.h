/* lb-folder-role.h: what a mailbox is for, from its attributes or its name
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lb-provider.h"
#include "lb-types.h"

G_BEGIN_DECLS

LbFolderRole lb_folder_role_from_attributes (const char * const *attributes);
LbFolderRole lb_folder_role_from_name       (const LbProvider   *provider,
                                             const char         *decoded_name,
                                             const char         *raw_name);

G_END_DECLS
