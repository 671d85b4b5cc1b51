/* lb-folder.h: one folder of an account, for the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-folder
 * @title: LbFolder
 *
 * One folder of an account, as the sidebar shows it: decoded name, path, depth, role,
 * counts.  Immutable apart from its counts (notified on the main thread when the
 * account reloads its folders).  Strings are owned by the folder.
 */
#pragma once

#include <gio/gio.h>

#include "lb-types.h"

G_BEGIN_DECLS

#define LB_TYPE_FOLDER (lb_folder_get_type ())

G_DECLARE_FINAL_TYPE (LbFolder, lb_folder, LB, FOLDER, GObject)

gint64        lb_folder_get_id           (LbFolder *self);
gint64        lb_folder_get_account_id   (LbFolder *self);
const char   *lb_folder_get_name         (LbFolder *self);
const char   *lb_folder_get_raw_name     (LbFolder *self);
const char   *lb_folder_get_path         (LbFolder *self);
guint         lb_folder_get_depth        (LbFolder *self);
LbFolderRole  lb_folder_get_role         (LbFolder *self);
guint         lb_folder_get_unread_count (LbFolder *self);
guint         lb_folder_get_total_count  (LbFolder *self);
gboolean      lb_folder_get_selectable   (LbFolder *self);
const char   *lb_folder_get_last_error   (LbFolder *self);
const char   *lb_folder_role_get_icon_name (LbFolderRole role);

G_END_DECLS
