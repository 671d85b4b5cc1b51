/* lb-reader.h: a safe view of one message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"

G_BEGIN_DECLS

#define LB_TYPE_READER (lb_reader_get_type ())

G_DECLARE_FINAL_TYPE (LbReader, lb_reader, LB, READER, GtkWidget)

LbReader  *lb_reader_new         (void);
void       lb_reader_set_engine  (LbReader  *self,
                                  LbEngine  *engine);
void       lb_reader_set_message (LbReader  *self,
                                  LbMessage *message);
LbMessage *lb_reader_get_message (LbReader  *self);
void       lb_reader_prepare     (LbReader  *self);
double     lb_reader_get_zoom    (LbReader  *self);
gboolean   lb_reader_get_remote_allowed (LbReader *self);

G_END_DECLS
