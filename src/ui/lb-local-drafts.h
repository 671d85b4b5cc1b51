/* lb-local-drafts.h: the drafts only this computer has, above an account's Drafts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"

G_BEGIN_DECLS

#define LB_TYPE_LOCAL_DRAFTS (lb_local_drafts_get_type ())

G_DECLARE_FINAL_TYPE (LbLocalDrafts, lb_local_drafts, LB, LOCAL_DRAFTS, GtkWidget)

GtkWidget *lb_local_drafts_new     (void);
void       lb_local_drafts_show    (LbLocalDrafts *self,
                                    LbEngine      *engine,
                                    gint64         account_id);
void       lb_local_drafts_refresh (LbLocalDrafts *self);
guint      lb_local_drafts_get_n_drafts (LbLocalDrafts *self);
void       lb_local_drafts_announce (LbEngine        *engine,
                                     AdwToastOverlay *overlay);

G_END_DECLS
