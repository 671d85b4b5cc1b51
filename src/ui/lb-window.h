/* lb-window.h: the main window with its three panes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-application.h"

G_BEGIN_DECLS

#define LB_TYPE_WINDOW (lb_window_get_type ())

G_DECLARE_FINAL_TYPE (LbWindow, lb_window, LB, WINDOW, AdwApplicationWindow)

LbWindow *lb_window_new              (LbApplication *application);
gboolean  lb_window_get_has_accounts (LbWindow      *self);
void      lb_window_set_has_accounts (LbWindow      *self,
                                      gboolean       has_accounts);

G_END_DECLS
