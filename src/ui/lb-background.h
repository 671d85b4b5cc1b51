/* lb-background.h: starting with the session, through the Background portal or XDG autostart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the session runs: the application as a D-Bus service, with no window. */
#define LB_BACKGROUND_COMMAND_LINE "letterbox --gapplication-service"

gboolean  lb_background_is_sandboxed         (void);
char     *lb_background_get_autostart_path   (const char          *app_id);
void      lb_background_set_autostart_async  (GApplication        *app,
                                              gboolean             enable,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean  lb_background_set_autostart_finish (GAsyncResult        *result,
                                              GError             **error);
void      lb_background_bind_autostart       (GApplication        *app,
                                              GSettings           *settings);

G_END_DECLS
