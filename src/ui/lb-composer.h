/* lb-composer.h: the window that writes a new message, a reply or a forward
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-draft.h"
#include "lb-engine.h"

G_BEGIN_DECLS

#define LB_TYPE_COMPOSER (lb_composer_get_type ())
G_DECLARE_FINAL_TYPE (LbComposer, lb_composer, LB, COMPOSER, AdwWindow)

/* Each opens a new composer window, transient for @parent, and presents it.  The
 * message is queued in the engine's outbox when the user presses Send. */
void lb_composer_open_new     (GtkWindow  *parent,
                               LbEngine   *engine);
void lb_composer_open_reply   (GtkWindow  *parent,
                               LbEngine   *engine,
                               LbMessage  *message,
                               gboolean    reply_all);
void lb_composer_open_forward (GtkWindow  *parent,
                               LbEngine   *engine,
                               LbMessage  *message);
/* Replies to a message that is in no account (a .eml file), from the first account. */
void lb_composer_open_reply_to_bytes (GtkWindow *parent,
                                      LbEngine  *engine,
                                      GBytes    *raw,
                                      gboolean   reply_all);
void lb_composer_open_mailto  (GtkWindow  *parent,
                               LbEngine   *engine,
                               const char *mailto_uri);

/* Opens a saved draft (a message in Drafts) for editing; saving replaces it. */
void lb_composer_open_draft   (GtkWindow  *parent,
                               LbEngine   *engine,
                               LbMessage  *message);

/* Opens a draft kept on this computer only (written offline, or left by a crash). */
void lb_composer_open_local_draft (GtkWindow          *parent,
                                   LbEngine           *engine,
                                   const LbLocalDraft *draft);

/* Opens a failed outbox message for editing; sending the edit replaces it. */
void lb_composer_open_outbox_item (GtkWindow    *parent,
                                   LbEngine     *engine,
                                   LbOutboxItem *item);

/* For tests and drops: adds @file as an attachment (read without blocking). */
void lb_composer_attach_file  (LbComposer *self,
                               GFile      *file);

G_END_DECLS
