/* lb-message-actions.h: keeping a message: print, its own window, its source, a .eml file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"
#include "lb-message-content.h"

G_BEGIN_DECLS

void     lb_message_fetch_raw_async   (LbEngine            *engine,
                                       LbMessage           *message,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
GBytes  *lb_message_fetch_raw_finish  (GAsyncResult        *result,
                                       GError             **error);

/* Asks where (in Downloads by default), writes the message as received, and says so. */
void     lb_message_save_eml          (GtkWindow           *parent,
                                       LbEngine            *engine,
                                       LbMessage           *message);
/* The same without the question: for the dialog's answer, and for tests. */
void     lb_message_save_eml_to       (GtkWindow           *parent,
                                       LbEngine            *engine,
                                       LbMessage           *message,
                                       GFile               *file);

/* The raw message, decoded to text, in a window of its own (monospace, with Copy). */
GtkWidget *lb_source_window_new       (GtkWindow           *parent,
                                       const char          *title,
                                       GBytes              *raw);
void     lb_message_view_source       (GtkWindow           *parent,
                                       LbEngine            *engine,
                                       LbMessage           *message);

/* The message alone in a window, with the reader's view. */
GtkWidget *lb_message_window_new      (GtkWindow           *parent,
                                       LbEngine            *engine,
                                       LbMessage           *message);

/* A message saved as a file (`letterbox file.eml`, the file manager), read-only. */
GtkWidget *lb_eml_window_open         (GtkWindow           *parent,
                                       LbEngine            *engine,
                                       GFile               *file);

/* Prints the message with a header block (Subject, From, To, Cc, Date).  With @export_pdf
 * the print dialog is skipped and a PDF is written there (GTK's print-to-file). */
void     lb_message_print             (GtkWindow           *parent,
                                       LbEngine            *engine,
                                       LbMessage           *message,
                                       const char          *export_pdf,
                                       gboolean             allow_remote);
char    *lb_message_print_text        (LbMessageContent    *content,
                                       int                 *body_start);

G_END_DECLS
