/* lb-folder.c: one folder of an account, for the sidebar
 *
 * Special folders sort first, in role order (Inbox, Drafts, Sent, Archive, Junk, Trash),
 * then the others by their decoded path, so children follow their parent.  Names are
 * decoded from modified UTF-7; the UI localises special folders' names by role.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-folder-private.h"

struct _LbFolder
{
  GObject       parent_instance;
  gint64        id;
  gint64        account_id;
  char         *name;
  char         *raw_name;
  char         *path;
  guint         depth;
  LbFolderRole  role;
  guint         unread;
  guint         total;
  gboolean      selectable;
  char         *last_error;
};

G_DEFINE_FINAL_TYPE (LbFolder, lb_folder, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_ROLE,
  PROP_DEPTH,
  PROP_UNREAD_COUNT,
  PROP_TOTAL_COUNT,
  PROP_ICON_NAME,
  PROP_LAST_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lb_folder_finalize (GObject *object)
{
  LbFolder *self = LB_FOLDER (object);

  g_free (self->name);
  g_free (self->raw_name);
  g_free (self->path);
  g_free (self->last_error);
  G_OBJECT_CLASS (lb_folder_parent_class)->finalize (object);
}

static void
lb_folder_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LbFolder *self = LB_FOLDER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ROLE:
      g_value_set_int (value, self->role);
      break;
    case PROP_DEPTH:
      g_value_set_uint (value, self->depth);
      break;
    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread);
      break;
    case PROP_TOTAL_COUNT:
      g_value_set_uint (value, self->total);
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, lb_folder_role_get_icon_name (self->role));
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_folder_class_init (LbFolderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = lb_folder_finalize;
  object_class->get_property = lb_folder_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_ROLE] = g_param_spec_int ("role", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_DEPTH] = g_param_spec_uint ("depth", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_UNREAD_COUNT] = g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_TOTAL_COUNT] = g_param_spec_uint ("total-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_ICON_NAME] = g_param_spec_string ("icon-name", NULL, NULL, NULL, ro);
  /**
   * LbFolder:last-error:
   *
   * Why the last sync of this folder failed (the server refused to open it, for
   * example), as text fit for display: valid UTF-8 without control characters.
   * %NULL when the last sync went well.  A failed folder is retried by every sync.
   */
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_folder_init (LbFolder *self)
{
}

static void
set_path (LbFolder            *self,
          const LbStoreFolder *row)
{
  g_autofree char *decoded_path = NULL;
  char delim = row->delimiter != NULL ? row->delimiter[0] : '\0';

  self->depth = 0;
  if (delim != '\0')
    for (const char *p = row->raw_name; *p != '\0'; p++)
      if (*p == delim)
        self->depth++;
  /* The sort key: parents before children, decoded so that it sorts as people read. */
  g_free (self->path);
  if (self->depth > 0)
    {
      g_auto(GStrv) parts = g_strsplit (row->raw_name, (char[]){ delim, 0 }, -1);
      guint n = g_strv_length (parts);
      g_free (parts[n - 1]);
      parts[n - 1] = g_strdup (row->display_name);
      self->path = g_strjoinv ("\x01", parts);
    }
  else
    self->path = g_strdup (row->display_name);
}

LbFolder *
_lb_folder_new_from_store (const LbStoreFolder *row,
                           guint                total,
                           guint                unread)
{
  LbFolder *self = g_object_new (LB_TYPE_FOLDER, NULL);

  self->id = row->id;
  self->account_id = row->account_id;
  self->name = g_strdup (row->display_name);
  self->raw_name = g_strdup (row->raw_name);
  self->role = row->role;
  self->selectable = row->selectable;
  self->total = total;
  self->unread = unread;
  self->last_error = g_strdup (row->last_error);
  set_path (self, row);
  return self;
}

/* Returns TRUE if anything changed (and notified). */
gboolean
_lb_folder_update (LbFolder            *self,
                   const LbStoreFolder *row,
                   guint                total,
                   guint                unread)
{
  gboolean changed = FALSE;

  /* A rename changes the display name, or only the raw name for a folder whose parent
   * was renamed: both move it in the tree. */
  if (g_strcmp0 (self->name, row->display_name) != 0 ||
      g_strcmp0 (self->raw_name, row->raw_name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (row->display_name);
      g_free (self->raw_name);
      self->raw_name = g_strdup (row->raw_name);
      set_path (self, row);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
      changed = TRUE;
    }
  if (self->role != row->role)
    {
      self->role = row->role;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ICON_NAME]);
      changed = TRUE;
    }
  self->selectable = row->selectable;
  if (g_strcmp0 (self->last_error, row->last_error) != 0)
    {
      g_free (self->last_error);
      self->last_error = g_strdup (row->last_error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
      changed = TRUE;
    }
  if (self->unread != unread)
    {
      self->unread = unread;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
      changed = TRUE;
    }
  if (self->total != total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_COUNT]);
      changed = TRUE;
    }
  return changed;
}

int
_lb_folder_compare (LbFolder *a,
                    LbFolder *b)
{
  gboolean sa = a->role != LB_FOLDER_ROLE_NONE;
  gboolean sb = b->role != LB_FOLDER_ROLE_NONE;

  if (sa != sb)
    return sa ? -1 : 1;
  if (sa && a->role != b->role)
    return a->role < b->role ? -1 : 1;
  return g_utf8_collate (a->path, b->path);
}

gint64 lb_folder_get_id (LbFolder *self) { return self->id; }
gint64 lb_folder_get_account_id (LbFolder *self) { return self->account_id; }
const char *lb_folder_get_name (LbFolder *self) { return self->name; }
const char *lb_folder_get_raw_name (LbFolder *self) { return self->raw_name; }
const char *lb_folder_get_path (LbFolder *self) { return self->path; }
guint lb_folder_get_depth (LbFolder *self) { return self->depth; }
LbFolderRole lb_folder_get_role (LbFolder *self) { return self->role; }
guint lb_folder_get_unread_count (LbFolder *self) { return self->unread; }
guint lb_folder_get_total_count (LbFolder *self) { return self->total; }
gboolean lb_folder_get_selectable (LbFolder *self) { return self->selectable; }

/**
 * lb_folder_get_last_error:
 * @self: a folder
 *
 * Main thread only.  See #LbFolder:last-error.
 *
 * Returns: (transfer none) (nullable): why the folder's last sync failed, or %NULL
 */
const char *
lb_folder_get_last_error (LbFolder *self)
{
  g_return_val_if_fail (LB_IS_FOLDER (self), NULL);
  return self->last_error;
}

const char *
lb_folder_role_get_icon_name (LbFolderRole role)
{
  switch (role)
    {
    case LB_FOLDER_ROLE_INBOX: return "mail-inbox-symbolic";
    case LB_FOLDER_ROLE_DRAFTS: return "document-edit-symbolic";
    case LB_FOLDER_ROLE_SENT: return "mail-send-symbolic";
    case LB_FOLDER_ROLE_ARCHIVE: return "folder-symbolic";
    case LB_FOLDER_ROLE_JUNK: return "mail-mark-junk-symbolic";
    case LB_FOLDER_ROLE_TRASH: return "user-trash-symbolic";
    case LB_FOLDER_ROLE_ALL: return "mail-archive-symbolic";
    case LB_FOLDER_ROLE_FLAGGED: return "starred-symbolic";
    case LB_FOLDER_ROLE_IMPORTANT: return "emblem-important-symbolic";
    case LB_FOLDER_ROLE_OUTBOX: return "mail-outbox-symbolic";
    case LB_FOLDER_ROLE_NONE:
    default: return "folder-symbolic";
    }
}
