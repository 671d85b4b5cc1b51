/* lb-notifier.h: desktop notifications for new mail, and the launcher badge
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-engine.h"

G_BEGIN_DECLS

#define LB_TYPE_NOTIFIER (lb_notifier_get_type ())

G_DECLARE_FINAL_TYPE (LbNotifier, lb_notifier, LB, NOTIFIER, GObject)

/* The id of the one notification the notifier shows (it is replaced, never stacked). */
#define LB_NOTIFIER_NOTIFICATION_ID "new-mail"

LbNotifier *lb_notifier_new           (GApplication *app,
                                       LbEngine     *engine);
void        lb_notifier_withdraw      (LbNotifier   *self);
void        lb_notifier_set_enabled   (LbNotifier   *self,
                                       gboolean      enabled);
guint       lb_notifier_get_n_shown   (LbNotifier   *self);

G_END_DECLS
