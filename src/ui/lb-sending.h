/* lb-sending.h: a message from Send to "Message sent", with Undo Send
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"

G_BEGIN_DECLS


void     lb_sending_start        (GtkWindow            *window,
                                  LbEngine             *engine,
                                  LbAccount            *account,
                                  GBytes               *message,
                                  const char * const   *recipients,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data);
gboolean lb_sending_start_finish (GAsyncResult         *result,
                                  GError              **error);
void     lb_sending_show_toast   (GtkWindow            *window,
                                  AdwToast             *toast);

G_END_DECLS
