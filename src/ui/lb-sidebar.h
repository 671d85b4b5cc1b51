/* lb-sidebar.h: All Inboxes, the accounts and their folders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"

G_BEGIN_DECLS

#define LB_TYPE_SIDEBAR (lb_sidebar_get_type ())

G_DECLARE_FINAL_TYPE (LbSidebar, lb_sidebar, LB, SIDEBAR, GtkWidget)

GtkWidget  *lb_sidebar_new                  (void);
void        lb_sidebar_set_engine           (LbSidebar *self,
                                             LbEngine  *engine);
gint64      lb_sidebar_get_selected_folder  (LbSidebar *self);
gboolean    lb_sidebar_select_folder        (LbSidebar *self,
                                             gint64     folder_id);
const char *lb_sidebar_get_selected_title   (LbSidebar *self);
GtkListBox *lb_sidebar_get_list_box         (LbSidebar *self);
GtkPopover *lb_sidebar_popup_folder_menu    (LbSidebar *self,
                                             GtkWidget *row);

const char *lb_sidebar_folder_name          (LbFolder  *folder);
const char *lb_sidebar_role_name            (LbFolderRole role,
                                             const char  *name);

/* The Outbox rows have negative ids in place of a folder id: -2 for the Outbox of every
 * account (in All Inboxes' section), -2 - id for one account's. */
gint64      lb_sidebar_outbox_id            (gint64     account_id);
gboolean    lb_sidebar_is_outbox            (gint64     folder_id,
                                             gint64    *out_account_id);

G_END_DECLS
