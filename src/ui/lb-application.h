/* lb-application.h: the Letterbox application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"
#include "lb-ui-types.h"

G_BEGIN_DECLS

#define LB_TYPE_APPLICATION (lb_application_get_type ())

G_DECLARE_FINAL_TYPE (LbApplication, lb_application, LB, APPLICATION, AdwApplication)

LbApplication *lb_application_new                      (void);
GtkWindow     *lb_application_get_main_window          (LbApplication *self);
LbEngine      *lb_application_get_engine               (LbApplication *self);
void           lb_application_withdraw_notification    (LbApplication *self);
void           lb_application_show_preferences         (LbApplication *self,
                                                        const char    *page_name);
void           lb_application_explain_background       (LbApplication *self);

G_END_DECLS
