/* lb-outbox-item.c: one message in the outbox, for the sidebar's Outbox list
 *
 * An immutable snapshot of an outbox row: the engine replaces the items of its outbox
 * model when the outbox changes.  Properties exist so that list rows can bind them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-outbox-item-private.h"

struct _LbOutboxItem
{
  GObject        parent_instance;
  gint64         id;
  gint64         account_id;
  char          *subject;
  char          *recipients;
  LbOutboxState  state;
  guint          attempts;
  gint64         next_attempt;
  char          *last_error;
};

G_DEFINE_FINAL_TYPE (LbOutboxItem, lb_outbox_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SUBJECT,
  PROP_RECIPIENTS,
  PROP_STATE,
  PROP_LAST_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lb_outbox_item_finalize (GObject *object)
{
  LbOutboxItem *self = LB_OUTBOX_ITEM (object);

  g_free (self->subject);
  g_free (self->recipients);
  g_free (self->last_error);
  G_OBJECT_CLASS (lb_outbox_item_parent_class)->finalize (object);
}

static void
lb_outbox_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbOutboxItem *self = LB_OUTBOX_ITEM (object);

  switch (prop_id)
    {
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    case PROP_RECIPIENTS:
      g_value_set_string (value, self->recipients);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_outbox_item_class_init (LbOutboxItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_outbox_item_finalize;
  object_class->get_property = lb_outbox_item_get_property;

  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECIPIENTS] = g_param_spec_string ("recipients", NULL, NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, LB_OUTBOX_STATE_INTERRUPTED, 0,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_outbox_item_init (LbOutboxItem *self)
{
}

LbOutboxItem *
_lb_outbox_item_new (const LbStoreOutboxItem *row)
{
  LbOutboxItem *self = g_object_new (LB_TYPE_OUTBOX_ITEM, NULL);

  self->id = row->id;
  self->account_id = row->account_id;
  self->subject = g_strdup (row->subject != NULL ? row->subject : "");
  self->recipients = row->rcpts != NULL ? g_strjoinv (", ", row->rcpts) : g_strdup ("");
  self->state = (LbOutboxState) row->state;
  self->attempts = row->attempts;
  self->next_attempt = row->next_attempt;
  self->last_error = g_strdup (row->last_error);
  return self;
}

gint64
lb_outbox_item_get_id (LbOutboxItem *self)
{
  g_return_val_if_fail (LB_IS_OUTBOX_ITEM (self), 0);
  return self->id;
}

gint64
lb_outbox_item_get_account_id (LbOutboxItem *self)
{
  g_return_val_if_fail (LB_IS_OUTBOX_ITEM (self), 0);
  return self->account_id;
}

const char *
lb_outbox_item_get_subject (LbOutboxItem *self)
{
  g_return_val_if_fail (LB_IS_OUTBOX_ITEM (self), NULL);
  return self->subject;
}

const char *
lb_outbox_item_get_recipients (LbOutboxItem *self)
{
  g_return_val_if_fail (LB_IS_OUTBOX_ITEM (self), NULL);
  return self->recipients;
}

LbOutboxState
lb_outbox_item_get_state (LbOutboxItem *self)
{
  g_return_val_if_fail (LB_IS_OUTBOX_ITEM (self), LB_OUTBOX_STATE_QUEUED);
  return self->state;
}

guint
lb_outbox_item_get_attempts (LbOutboxItem *self)
{
  g_return_val_if_fail (LB_IS_OUTBOX_ITEM (self), 0);
  return self->attempts;
}

gint64
lb_outbox_item_get_next_attempt (LbOutboxItem *self)
{
  g_return_val_if_fail (LB_IS_OUTBOX_ITEM (self), 0);
  return self->next_attempt;
}

const char *
lb_outbox_item_get_last_error (LbOutboxItem *self)
{
  g_return_val_if_fail (LB_IS_OUTBOX_ITEM (self), NULL);
  return self->last_error;
}
