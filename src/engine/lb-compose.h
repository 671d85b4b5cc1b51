/* lb-compose.h: replies and forwards, as drafts (no GTK)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-engine.h"
#include "lb-mime-builder.h"
#include "lb-mime-message.h"

G_BEGIN_DECLS

char        *lb_compose_reply_subject   (const char          *subject);
char        *lb_compose_forward_subject (const char          *subject);
char        *lb_compose_quote           (const char          *text);
char        *lb_compose_strip_signature (const char          *text);
char        *lb_compose_format_attribution_date (GDateTime   *date);

LbMimeDraft *lb_compose_reply           (LbMimeMessage       *original,
                                         const LbAddress     *from,
                                         const char * const  *own_addresses,
                                         gboolean             reply_all);
LbMimeDraft *lb_compose_forward         (LbMimeMessage       *original,
                                         const LbAddress     *from);
LbMimeDraft *lb_compose_from_mailto     (const char          *mailto_uri,
                                         const LbAddress     *from);

/* Addresses for completion, most used first. */
void         lb_compose_list_addresses_async  (LbEngine            *engine,
                                               guint                limit,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GPtrArray   *lb_compose_list_addresses_finish (LbEngine            *engine,
                                               GAsyncResult        *result,
                                               GError             **error);

/* The draft copy in the account's Drafts folder on the server. */
void         lb_compose_save_draft_async      (LbEngine            *engine,
                                               LbAccount           *account,
                                               GBytes              *message,
                                               guint32              previous_uid,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
guint32      lb_compose_save_draft_finish     (LbEngine            *engine,
                                               GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS
