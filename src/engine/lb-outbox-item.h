/* lb-outbox-item.h: one message in the outbox, for the sidebar's Outbox list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-outbox-item
 * @title: LbOutboxItem
 *
 * One message in the outbox (lb_engine_get_outbox()), a snapshot of its row: state,
 * attempts, the provider's mapped error.  Main thread only; refreshed by the engine when
 * the outbox changes.  Strings and the message bytes are owned by the item.
 */
#pragma once

#include <glib-object.h>

#include "lb-types.h"

G_BEGIN_DECLS

/**
 * LbOutboxState:
 * @LB_OUTBOX_STATE_QUEUED: waiting to be sent (maybe for a retry after a temporary failure)
 * @LB_OUTBOX_STATE_SENDING: being sent, or interrupted while being sent
 * @LB_OUTBOX_STATE_FAILED: refused or interrupted; needs the user (retry, edit or discard)
 * @LB_OUTBOX_STATE_SENT: sent; the copy in Sent is still to be made
 */
typedef enum {
  LB_OUTBOX_STATE_QUEUED,
  LB_OUTBOX_STATE_SENDING,
  LB_OUTBOX_STATE_FAILED,
  LB_OUTBOX_STATE_SENT,
} LbOutboxState;

#define LB_TYPE_OUTBOX_ITEM (lb_outbox_item_get_type ())
G_DECLARE_FINAL_TYPE (LbOutboxItem, lb_outbox_item, LB, OUTBOX_ITEM, GObject)

gint64         lb_outbox_item_get_id           (LbOutboxItem *self);
gint64         lb_outbox_item_get_account_id   (LbOutboxItem *self);
const char    *lb_outbox_item_get_subject      (LbOutboxItem *self);
const char    *lb_outbox_item_get_recipients   (LbOutboxItem *self);
LbOutboxState  lb_outbox_item_get_state        (LbOutboxItem *self);
guint          lb_outbox_item_get_attempts     (LbOutboxItem *self);
gint64         lb_outbox_item_get_next_attempt (LbOutboxItem *self);
const char    *lb_outbox_item_get_last_error   (LbOutboxItem *self);
GBytes        *lb_outbox_item_get_message      (LbOutboxItem *self);

G_END_DECLS
