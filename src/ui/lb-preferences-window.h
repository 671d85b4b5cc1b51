/* lb-preferences-window.h: the preferences window (General and Accounts pages)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"

G_BEGIN_DECLS

#define LB_TYPE_PREFERENCES_WINDOW (lb_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (LbPreferencesWindow, lb_preferences_window, LB, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

GtkWidget *lb_preferences_window_new (LbEngine *engine);

G_END_DECLS
