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
 * the outbox changes.  Strings are owned by the item; the message itself is read on
 * demand (lb_engine_outbox_load_message_async()).
 */
#pragma once

#include <glib-object.h>

#include "lb-types.h"

G_BEGIN_DECLS

/**
 * LbOutboxState:
 * @LB_OUTBOX_STATE_QUEUED: waiting to be sent (maybe for a retry after a temporary failure)
 * @LB_OUTBOX_STATE_SENDING: being sent
 * @LB_OUTBOX_STATE_FAILED: refused; needs the user (retry, edit or discard)
 * @LB_OUTBOX_STATE_SENT: sent; the copy in Sent is still to be made
 * @LB_OUTBOX_STATE_INTERRUPTED: its sending started but the process ended before the
 *   outcome was recorded: the server may or may not have it.  Never sent again by
 *   itself; lb_engine_outbox_retry() sends it again once the user has checked Sent.
 */
typedef enum {
  LB_OUTBOX_STATE_QUEUED,
  LB_OUTBOX_STATE_SENDING,
  LB_OUTBOX_STATE_FAILED,
  LB_OUTBOX_STATE_SENT,
  LB_OUTBOX_STATE_INTERRUPTED,
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

G_END_DECLS
