/* lb-message.c: one message as the list and the reader see it
 *
 * A light, immutable-but-for-flags view of a store row.  Rows are created lazily by
 * LbMessageList only when a list item asks for them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-message-private.h"

struct _LbMessage
{
  GObject    parent_instance;
  gint64     id;
  gint64     location_id;
  gint64     account_id;
  gint64     folder_id;
  guint32    uid;
  gint64     date;
  char      *from_name;
  char      *from_address;
  char      *subject;
  char      *preview;
  guint      flags;
  gboolean   has_attachments;
  char      *account_name;
  char      *account_color;
  char      *to;
  guint      folder_role;
  char      *search_sentence;
  char      *folder_name;
  gint64     thread_id;
  LbStoreThreadSummary *conversation;  /* in a conversation list, else NULL */
};

G_DEFINE_FINAL_TYPE (LbMessage, lb_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SENDER,
  PROP_SUBJECT,
  PROP_PREVIEW,
  PROP_DATE,
  PROP_FLAGS,
  PROP_UNREAD,
  PROP_FLAGGED,
  PROP_HAS_ATTACHMENTS,
  PROP_ACCOUNT_NAME,
  PROP_ACCOUNT_COLOR,
  PROP_CONVERSATION_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lb_message_finalize (GObject *object)
{
  LbMessage *self = LB_MESSAGE (object);

  g_free (self->from_name);
  g_free (self->from_address);
  g_free (self->subject);
  g_free (self->preview);
  g_free (self->account_name);
  g_free (self->folder_name);
  g_free (self->account_color);
  g_free (self->to);
  g_free (self->search_sentence);
  if (self->conversation != NULL)
    {
      lb_store_thread_summary_clear (self->conversation);
      g_free (self->conversation);
    }
  G_OBJECT_CLASS (lb_message_parent_class)->finalize (object);
}

static void
lb_message_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LbMessage *self = LB_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_SENDER:
      g_value_set_string (value, lb_message_get_sender (self));
      break;
    case PROP_SUBJECT:
      g_value_set_string (value, lb_message_get_subject (self));
      break;
    case PROP_PREVIEW:
      g_value_set_string (value, lb_message_get_preview (self));
      break;
    case PROP_DATE:
      g_value_set_int64 (value, self->date);
      break;
    case PROP_FLAGS:
      g_value_set_uint (value, self->flags);
      break;
    case PROP_UNREAD:
      g_value_set_boolean (value, lb_message_get_unread (self));
      break;
    case PROP_FLAGGED:
      g_value_set_boolean (value, lb_message_get_flagged (self));
      break;
    case PROP_HAS_ATTACHMENTS:
      g_value_set_boolean (value, self->has_attachments);
      break;
    case PROP_ACCOUNT_NAME:
      g_value_set_string (value, self->account_name);
      break;
    case PROP_ACCOUNT_COLOR:
      g_value_set_string (value, self->account_color);
      break;
    case PROP_CONVERSATION_COUNT:
      g_value_set_uint (value, lb_message_get_conversation_count (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_message_class_init (LbMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = lb_message_finalize;
  object_class->get_property = lb_message_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_SENDER] = g_param_spec_string ("sender", NULL, NULL, NULL, ro);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL, ro);
  properties[PROP_PREVIEW] = g_param_spec_string ("preview", NULL, NULL, NULL, ro);
  properties[PROP_DATE] = g_param_spec_int64 ("date", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_FLAGS] = g_param_spec_uint ("flags", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_UNREAD] = g_param_spec_boolean ("unread", NULL, NULL, FALSE, ro);
  properties[PROP_FLAGGED] = g_param_spec_boolean ("flagged", NULL, NULL, FALSE, ro);
  properties[PROP_HAS_ATTACHMENTS] = g_param_spec_boolean ("has-attachments", NULL, NULL, FALSE, ro);
  properties[PROP_ACCOUNT_NAME] = g_param_spec_string ("account-name", NULL, NULL, NULL, ro);
  properties[PROP_ACCOUNT_COLOR] = g_param_spec_string ("account-color", NULL, NULL, NULL, ro);
  /**
   * LbMessage:conversation-count:
   *
   * In a conversation list, how many messages the row's conversation holds (1 for a
   * message on its own); notified whenever anything of the conversation changes (see
   * lb_message_get_conversation_unread() and the others).
   */
  properties[PROP_CONVERSATION_COUNT] = g_param_spec_uint ("conversation-count", NULL, NULL,
                                                           0, G_MAXUINT, 1, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_message_init (LbMessage *self)
{
}

static void
set_from_row (LbMessage            *self,
              const LbStoreListRow *row)
{
  self->id = row->message_id;
  self->account_id = row->account_id;
  self->folder_id = row->folder_id;
  self->uid = row->uid;
  self->date = row->date;
  g_free (self->from_name);
  self->from_name = g_strdup (row->from_name);
  g_free (self->from_address);
  self->from_address = g_strdup (row->from_address);
  g_free (self->subject);
  self->subject = g_strdup (row->subject);
  g_free (self->preview);
  self->preview = g_strdup (row->preview);
  self->flags = row->flags;
  self->has_attachments = row->has_attachments;
  g_free (self->to);
  self->to = g_strdup (row->to);
  self->folder_role = row->folder_role;
  self->thread_id = row->thread_id;
}

LbMessage *
_lb_message_new_from_row (const LbStoreListRow *row,
                          const char           *account_name,
                          const char           *account_color)
{
  LbMessage *self = g_object_new (LB_TYPE_MESSAGE, NULL);

  set_from_row (self, row);
  self->account_name = g_strdup (account_name);
  self->account_color = g_strdup (account_color);
  return self;
}

void
_lb_message_set_flags (LbMessage *self,
                       guint      flags)
{
  guint changed = self->flags ^ flags;

  if (changed == 0)
    return;
  self->flags = flags;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLAGS]);
  if (changed & LB_FLAG_SEEN)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
  if (changed & LB_FLAG_FLAGGED)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLAGGED]);
}

/* Refreshes a cached row; only what can change after insertion is compared. */
void
_lb_message_update (LbMessage            *self,
                    const LbStoreListRow *row)
{
  if (g_strcmp0 (self->preview, row->preview) != 0)
    {
      g_free (self->preview);
      self->preview = g_strdup (row->preview);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW]);
    }
  self->folder_id = row->folder_id;
  self->folder_role = row->folder_role;
  self->uid = row->uid;
  _lb_message_set_flags (self, row->flags);
}

gint64 lb_message_get_id (LbMessage *self) { return self->id; }
gint64 lb_message_get_account_id (LbMessage *self) { return self->account_id; }
gint64 lb_message_get_folder_id (LbMessage *self) { return self->folder_id; }
guint32 lb_message_get_uid (LbMessage *self) { return self->uid; }
gint64 lb_message_get_date_unix (LbMessage *self) { return self->date; }
const char *lb_message_get_from_name (LbMessage *self) { return self->from_name; }
const char *lb_message_get_from_address (LbMessage *self) { return self->from_address; }
const char *lb_message_get_preview (LbMessage *self) { return self->preview ? self->preview : ""; }
guint lb_message_get_flags (LbMessage *self) { return self->flags; }
gboolean lb_message_get_unread (LbMessage *self) { return (self->flags & LB_FLAG_SEEN) == 0; }
gboolean lb_message_get_flagged (LbMessage *self) { return (self->flags & LB_FLAG_FLAGGED) != 0; }
gboolean lb_message_get_has_attachments (LbMessage *self) { return self->has_attachments; }
const char *lb_message_get_account_name (LbMessage *self) { return self->account_name; }
const char *lb_message_get_account_color (LbMessage *self) { return self->account_color; }

/**
 * lb_message_get_folder_name:
 *
 * Returns: (nullable): the name of the folder the message is in, as the server has it
 *   (decoded); a view names special folders by lb_message_get_folder_role() instead
 */
const char *
lb_message_get_folder_name (LbMessage *self)
{
  return self->folder_name;
}

void
_lb_message_set_folder_name (LbMessage  *self,
                             const char *name)
{
  g_free (self->folder_name);
  self->folder_name = g_strdup (name);
}

const char *
lb_message_get_subject (LbMessage *self)
{
  return self->subject != NULL ? self->subject : "";
}

/* The display name when there is one, else the address. */
const char *
lb_message_get_sender (LbMessage *self)
{
  if (self->from_name != NULL && self->from_name[0] != '\0')
    return self->from_name;
  return self->from_address != NULL ? self->from_address : "";
}

/**
 * lb_message_get_to:
 *
 * Returns: the To header as display text ("Name <address>, address"), or ""
 */
const char *
lb_message_get_to (LbMessage *self)
{
  return self->to != NULL ? self->to : "";
}

/* Whether @text, one piece of the To text cut at a comma, holds a whole mailbox: an
 * address, or a name followed by its <address>.  A name with a comma in it ("Doe, Jane
 * <jane@example.com>") is not whole at its first piece. */
static gboolean
is_whole_mailbox (const char *text)
{
  return strchr (text, '>') != NULL || (strchr (text, '@') != NULL && strchr (text, '<') == NULL);
}

/* The name of one mailbox for the list: the display name, else the address. */
static void
append_mailbox_name (GString    *out,
                     const char *mailbox)
{
  g_autofree char *text = g_strstrip (g_strdup (mailbox));
  const char *lt = strrchr (text, '<');

  if (*text == '\0')
    return;
  if (out->len > 0)
    g_string_append (out, ", ");
  if (lt != NULL && lt > text)
    {
      g_autofree char *name = g_strstrip (g_strndup (text, lt - text));
      size_t len = strlen (name);

      /* A quoted name loses its quotes. */
      if (len >= 2 && name[0] == '"' && name[len - 1] == '"')
        g_string_append_len (out, name + 1, (gssize) len - 2);
      else
        g_string_append (out, name);
    }
  else if (lt != NULL)
    {
      const char *gt = strchr (lt, '>');

      g_string_append_len (out, lt + 1, gt != NULL ? gt - lt - 1 : (gssize) strlen (lt + 1));
    }
  else
    g_string_append (out, text);
}

/**
 * lb_message_dup_recipient_names:
 *
 * Returns: (transfer full): the names of the To recipients, comma separated (an address
 *   where a recipient has no name), as the list shows them for mail one sent; "" when
 *   there is none
 */
char *
lb_message_dup_recipient_names (LbMessage *self)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) piece = g_string_new (NULL);
  g_auto(GStrv) parts = NULL;

  if (self->to == NULL)
    return g_strdup ("");
  parts = g_strsplit (self->to, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (piece->len > 0)
        g_string_append_c (piece, ',');
      g_string_append (piece, parts[i]);
      if (is_whole_mailbox (piece->str) || parts[i + 1] == NULL)
        {
          append_mailbox_name (out, piece->str);
          g_string_truncate (piece, 0);
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
_lb_message_set_search_sentence (LbMessage  *self,
                                 const char *sentence)
{
  g_free (self->search_sentence);
  self->search_sentence = g_strdup (sentence);
}

/**
 * lb_message_get_search_sentence:
 *
 * Returns: (nullable): in a search's results, when the words searched for are in the
 *   body but not at its start (the preview): the sentence they are in; else %NULL
 */
const char *
lb_message_get_search_sentence (LbMessage *self)
{
  return self->search_sentence;
}

/**
 * lb_message_get_folder_role:
 *
 * Returns: the role of the folder the message is listed in
 */
LbFolderRole
lb_message_get_folder_role (LbMessage *self)
{
  return (LbFolderRole) self->folder_role;
}

/**
 * lb_message_get_is_outgoing:
 *
 * Returns: whether the message is listed in Sent, Drafts or the Outbox, where what
 *   matters is whom it is for rather than who wrote it (oneself)
 */
gboolean
lb_message_get_is_outgoing (LbMessage *self)
{
  return self->folder_role == LB_FOLDER_ROLE_SENT || self->folder_role == LB_FOLDER_ROLE_DRAFTS
         || self->folder_role == LB_FOLDER_ROLE_OUTBOX;
}

/**
 * lb_message_get_date:
 *
 * Returns: (transfer full): the date in local time
 */
GDateTime *
lb_message_get_date (LbMessage *self)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (self->date);

  return utc != NULL ? g_date_time_to_local (utc) : NULL;
}

void
_lb_message_set_location_id (LbMessage *self,
                             gint64     location_id)
{
  self->location_id = location_id;
}

gint64
_lb_message_get_location_id (LbMessage *self)
{
  return self->location_id;
}

/* ---- Conversations ----------------------------------------------------------- */

/* Takes the summary of the row's conversation (its strings are stolen). */
void
_lb_message_set_conversation (LbMessage            *self,
                              LbStoreThreadSummary *summary)
{
  LbStoreThreadSummary *old = self->conversation;
  gboolean same;

  same = old != NULL && old->count == summary->count && old->unread == summary->unread
         && old->flagged == summary->flagged && old->has_attachments == summary->has_attachments
         && old->date == summary->date && g_strcmp0 (old->participants, summary->participants) == 0
         && g_strcmp0 (old->subject, summary->subject) == 0
         && g_strcmp0 (old->preview, summary->preview) == 0;
  if (same)
    {
      lb_store_thread_summary_clear (summary);
      return;
    }
  if (old == NULL)
    self->conversation = old = g_new0 (LbStoreThreadSummary, 1);
  else
    lb_store_thread_summary_clear (old);
  *old = *summary;
  memset (summary, 0, sizeof *summary);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION_COUNT]);
}

/**
 * lb_message_get_thread_id:
 *
 * Returns: the id of the message's conversation: equal for the messages of one
 *   conversation, unique across accounts
 */
gint64
lb_message_get_thread_id (LbMessage *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE (self), 0);

  return self->thread_id;
}

/**
 * lb_message_get_conversation_count:
 *
 * Returns: in a conversation list, the number of messages in the row's conversation
 *   (with the user's replies in Sent); 1 elsewhere
 */
guint
lb_message_get_conversation_count (LbMessage *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE (self), 1);

  return self->conversation != NULL ? MAX (self->conversation->count, 1) : 1;
}

/**
 * lb_message_get_conversation_unread:
 *
 * Returns: how many messages of the row's conversation are unread (the message's own
 *   state outside a conversation list)
 */
guint
lb_message_get_conversation_unread (LbMessage *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE (self), 0);

  if (self->conversation == NULL)
    return lb_message_get_unread (self) ? 1 : 0;
  return self->conversation->unread;
}

/**
 * lb_message_get_conversation_flagged:
 *
 * Returns: whether any message of the row's conversation is flagged
 */
gboolean
lb_message_get_conversation_flagged (LbMessage *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE (self), FALSE);

  return self->conversation != NULL ? self->conversation->flagged : lb_message_get_flagged (self);
}

/**
 * lb_message_get_conversation_has_attachments:
 *
 * Returns: whether any message of the row's conversation has attachments
 */
gboolean
lb_message_get_conversation_has_attachments (LbMessage *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE (self), FALSE);

  return self->conversation != NULL ? self->conversation->has_attachments : self->has_attachments;
}

/**
 * lb_message_get_participants:
 *
 * Returns: the senders of the row's conversation, oldest first, comma separated; the
 *   sender outside a conversation list
 */
const char *
lb_message_get_participants (LbMessage *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE (self), "");

  if (self->conversation == NULL || self->conversation->participants == NULL)
    return lb_message_get_sender (self);
  return self->conversation->participants;
}

/**
 * lb_message_get_conversation_subject:
 *
 * Returns: the subject of the conversation's newest message (the message's own outside a
 *   conversation list)
 */
const char *
lb_message_get_conversation_subject (LbMessage *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE (self), "");

  if (self->conversation == NULL || self->conversation->subject == NULL)
    return lb_message_get_subject (self);
  return self->conversation->subject;
}

/**
 * lb_message_get_conversation_preview:
 *
 * Returns: the start of the conversation's newest message (the message's own outside a
 *   conversation list)
 */
const char *
lb_message_get_conversation_preview (LbMessage *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE (self), "");

  if (self->conversation == NULL || self->conversation->preview == NULL)
    return lb_message_get_preview (self);
  return self->conversation->preview;
}

/**
 * lb_message_get_conversation_date_unix:
 *
 * Returns: the date of the conversation's newest message, the user's replies included
 */
gint64
lb_message_get_conversation_date_unix (LbMessage *self)
{
  g_return_val_if_fail (LB_IS_MESSAGE (self), 0);

  return self->conversation != NULL ? MAX (self->conversation->date, self->date) : self->date;
}
