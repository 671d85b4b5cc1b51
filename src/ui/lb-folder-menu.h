/* lb-folder-menu.h: the sidebar's folder context menu, its dialogs, and message drops
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lb-engine.h"

G_BEGIN_DECLS

/* The text a message drag carries: this prefix, then message ids separated by commas. */
#define LB_FOLDER_MENU_DRAG_PREFIX "letterbox-messages:"

typedef struct _LbFolderMenu LbFolderMenu;

LbFolderMenu *lb_folder_menu_new          (GtkWidget    *owner);
void          lb_folder_menu_free         (LbFolderMenu *self);
void          lb_folder_menu_set_engine   (LbFolderMenu *self,
                                           LbEngine     *engine);
void          lb_folder_menu_attach_row   (LbFolderMenu *self,
                                           GtkWidget    *row,
                                           LbAccount    *account,
                                           LbFolder     *folder);
gboolean      lb_folder_menu_popup        (LbFolderMenu *self,
                                           GtkWidget    *row,
                                           double        x,
                                           double        y);
GtkPopover   *lb_folder_menu_get_popover  (LbFolderMenu *self);
GArray       *lb_folder_menu_parse_drag   (const char   *text);

G_END_DECLS
