/* lb-goa-chooser.h: picks a mail account of GNOME Online Accounts and adds it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"

G_BEGIN_DECLS

#define LB_TYPE_GOA_CHOOSER (lb_goa_chooser_get_type ())

G_DECLARE_FINAL_TYPE (LbGoaChooser, lb_goa_chooser, LB, GOA_CHOOSER, AdwWindow)

LbGoaChooser *lb_goa_chooser_new          (LbEngine            *engine,
                                           GPtrArray           *accounts);

void          lb_goa_open_settings_async  (GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean      lb_goa_open_settings_finish (GAsyncResult        *result,
                                           GError             **error);

G_END_DECLS
