/* lb-ui-types.h: what every part of the UI shares, without including each other
 *
 * The application sits on top of the windows it opens; the windows must not include
 * lb-application.h back (that made an include cycle of the application, window, sidebar,
 * preferences and wizard).  What they share lives here instead, and what they need from
 * the application comes down as properties or goes up as signals and app.* actions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

/* An extra CA certificate for the servers' checks, read for tests only by the windows that
 * add accounts (the wizard, the Online Accounts chooser), as is LB_TEST_DISCOVERY_FILE_ENV. */
#define LB_TEST_CA_FILE_ENV "LETTERBOX_TEST_CA_FILE"

G_BEGIN_DECLS

/* Types named by widgets that sit inside them.  A message row follows the search of the
 * list view it is in (gtk_widget_get_ancestor() needs the type), while the list view
 * creates the rows: declaring the type here rather than including lb-message-list-view.h
 * keeps the row below the list view.  lb-message-list-view.h declares the same. */
typedef struct _LbMessageListView LbMessageListView;
GType lb_message_list_view_get_type (void);
#define LB_TYPE_MESSAGE_LIST_VIEW (lb_message_list_view_get_type ())

/* The resource base path; style.css and icons/ under it are loaded by AdwApplication,
 * and the .ui templates are under its ui/. */
#define LB_RESOURCE_PATH "/io/github/letterbox/Letterbox"

G_END_DECLS
