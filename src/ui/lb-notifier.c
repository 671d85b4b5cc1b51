/* lb-notifier.c: desktop notifications for new mail, and the launcher badge
 *
 * New mail is what appears in the unified inbox with a UID above the highest
 * one the inbox held when its account's first sync (as seen by the notifier)
 * finished, announced once.  So nothing is announced for an account's initial download or for
 * the catch-up after a start, only for mail that arrives while we watch; and
 * mail already read elsewhere (\Seen) is never announced.
 *
 * Arrivals are gathered for a moment and shown as one notification with a
 * fixed id, replaced rather than stacked: one message shows its sender and
 * subject, several show "5 new messages" and the first senders.  Clicking
 * activates app.open-message (the newest message's id), which the notifier
 * turns into its "open-message" signal for the application to show.  The
 * buttons act through the engine like the window's own commands.
 *
 * The unread count of the unified inbox also goes to the launcher as a badge,
 * through the com.canonical.Unity.LauncherEntry signal that docks and shells
 * (Ubuntu Dock, Dash to Dock, Plank, KDE) listen to.
 *
 * Nothing here needs GTK: it runs in the GApplication alone, which is also
 * how tests/notify drives it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-message-list.h"
#include "lb-notifier.h"

/* Several messages delivered by one sync arrive in the list within a few
 * reloads; this long a pause gathers them into one notification. */
#define GATHER_MS 400
/* How far down the inbox (newest first) the baseline looks for the highest UID. */
#define BASELINE_DEPTH 200
/* Senders named in a grouped notification. */
#define MAX_SENDERS 3

struct _LbNotifier
{
  GObject         parent_instance;

  GApplication   *app;        /* weak: the application owns the notifier */
  LbEngine       *engine;
  LbMessageList  *inbox;      /* the unified inbox */
  GListModel     *accounts;

  GHashTable     *baselines;  /* inbox folder id -> highest UID at its first sync (gint64 -> guint32) */
  GHashTable     *considered; /* message ids above a baseline already seen (gint64) */
  GHashTable     *watched;    /* LbAccount -> GINT (its last status), for accounts we follow */
  GPtrArray      *batch;      /* LbMessage waiting for the gather timeout */
  GArray         *shown;      /* message ids in the notification on screen, newest first */
  GPtrArray      *shown_senders;
  guint           gather_id;
  guint           last_badge;
  gboolean        badge_sent;
  gboolean        enabled;    /* the "notify-new-mail" preference */
};

G_DEFINE_FINAL_TYPE (LbNotifier, lb_notifier, G_TYPE_OBJECT)

enum {
  OPEN_MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_ENABLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- Baselines -------------------------------------------------------- */

static gint64 *
id_dup (gint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

/* Reads the highest UID of an account's inbox straight from the store (a
 * fresh list reads its first snapshot synchronously, an index scan), so it is
 * right even before the unified list has caught up with the sync. */
static void
set_baseline (LbNotifier *self,
              LbAccount  *account)
{
  LbFolder *inbox = lb_account_find_folder (account, LB_FOLDER_ROLE_INBOX);
  g_autoptr(LbMessageList) list = NULL;
  guint32 max_uid = 0;
  guint n;

  if (inbox == NULL)
    return;
  list = lb_engine_open_folder (self->engine, lb_folder_get_id (inbox));
  n = MIN (g_list_model_get_n_items (G_LIST_MODEL (list)), BASELINE_DEPTH);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);

      max_uid = MAX (max_uid, lb_message_get_uid (m));
    }
  g_hash_table_insert (self->baselines, id_dup (lb_folder_get_id (inbox)), GUINT_TO_POINTER (max_uid));
  g_debug ("Notifications for account %" G_GINT64_FORMAT " from UID %u on",
           lb_account_get_id (account), max_uid + 1);
}

/* An account is followed once a sync of it has been seen to finish: that is
 * the end of its initial sync, whether it was just added or just started. */
static void
on_account_status (LbAccount  *account,
                   GParamSpec *pspec,
                   LbNotifier *self)
{
  LbAccountStatus status = lb_account_get_status (account);
  gpointer last;

  if (!g_hash_table_lookup_extended (self->watched, account, NULL, &last))
    return;
  if (status == LB_ACCOUNT_STATUS_IDLE && GPOINTER_TO_INT (last) != LB_ACCOUNT_STATUS_IDLE)
    {
      LbFolder *inbox = lb_account_find_folder (account, LB_FOLDER_ROLE_INBOX);

      if (inbox != NULL && !g_hash_table_contains (self->baselines, &(gint64) { lb_folder_get_id (inbox) }))
        set_baseline (self, account);
    }
  /* The table owns a reference per key; inserting an existing key drops the
   * new one, so give it one to drop. */
  g_hash_table_insert (self->watched, g_object_ref (account), GINT_TO_POINTER (status));
}

static void
watch_account (LbNotifier *self,
               LbAccount  *account)
{
  if (g_hash_table_contains (self->watched, account))
    return;
  g_hash_table_insert (self->watched, g_object_ref (account),
                       GINT_TO_POINTER (lb_account_get_status (account)));
  g_signal_connect_object (account, "notify::status", G_CALLBACK (on_account_status), self, 0);
}

static void
on_accounts_changed (GListModel *accounts,
                     guint       position,
                     guint       removed,
                     guint       added,
                     LbNotifier *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LbAccount) account = g_list_model_get_item (accounts, i);

      watch_account (self, account);
    }
}

/* ---- The notification ------------------------------------------------- */

static GVariant *
ids_variant (GArray *ids)
{
  return g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, ids->data, ids->len, sizeof (gint64));
}

static void
show (LbNotifier *self)
{
  g_autoptr(GNotification) n = NULL;
  gint64 newest = g_array_index (self->shown, gint64, 0);

  if (self->app == NULL)
    return;
  if (self->shown->len == 1)
    {
      const char *sender = g_ptr_array_index (self->shown_senders, 0);
      LbMessage *m = g_ptr_array_index (self->batch, 0);
      const char *subject = lb_message_get_subject (m);
      g_autoptr(GArray) one = g_array_new (FALSE, FALSE, sizeof (gint64));

      g_array_append_val (one, newest);
      n = g_notification_new (sender);
      g_notification_set_body (n, subject != NULL && *subject != '\0' ? subject : _("(No Subject)"));
      g_notification_add_button_with_target_value (n, _("Mark as Read"), "app.notification-mark-read",
                                                   ids_variant (one));
      g_notification_add_button_with_target_value (n, _("Delete"), "app.notification-delete",
                                                   ids_variant (one));
    }
  else
    {
      g_autofree char *title = g_strdup_printf (ngettext ("%u new message", "%u new messages",
                                                          self->shown->len),
                                                self->shown->len);
      g_autoptr(GString) body = g_string_new (NULL);
      guint n_senders = MIN (self->shown_senders->len, MAX_SENDERS);

      for (guint i = 0; i < n_senders; i++)
        {
          if (i > 0)
            /* Translators: separates sender names in a notification, "Bob, 张三" */
            g_string_append (body, _(", "));
          g_string_append (body, g_ptr_array_index (self->shown_senders, i));
        }
      if (self->shown_senders->len > MAX_SENDERS)
        {
          guint more = self->shown_senders->len - MAX_SENDERS;
          g_autofree char *rest = g_strdup_printf (ngettext ("%s and %u other", "%s and %u others", more),
                                                   body->str, more);
          g_string_assign (body, rest);
        }
      n = g_notification_new (title);
      g_notification_set_body (n, body->str);
      g_notification_add_button_with_target_value (n, _("Mark All as Read"), "app.notification-mark-read",
                                                   ids_variant (self->shown));
    }
  {
    g_autoptr(GIcon) icon = g_themed_icon_new ("io.github.letterbox.Letterbox");
    g_notification_set_icon (n, icon);
  }
  g_notification_set_category (n, "email.arrived");
  g_notification_set_default_action_and_target_value (n, "app.open-message", g_variant_new_int64 (newest));
  g_application_send_notification (self->app, LB_NOTIFIER_NOTIFICATION_ID, n);
}

static gboolean
gather_done (gpointer data)
{
  LbNotifier *self = data;

  self->gather_id = 0;
  if (self->batch->len == 0)
    return G_SOURCE_REMOVE;

  /* The newest first, ahead of what is already on screen. */
  for (guint i = 0, n_new_senders = 0; i < self->batch->len; i++)
    {
      LbMessage *m = g_ptr_array_index (self->batch, i);
      gint64 id = lb_message_get_id (m);
      const char *sender = lb_message_get_sender (m);
      gboolean known = FALSE;

      g_array_insert_val (self->shown, i, id);
      for (guint k = 0; k < self->shown_senders->len && !known; k++)
        known = g_strcmp0 (g_ptr_array_index (self->shown_senders, k), sender) == 0;
      if (!known)
        g_ptr_array_insert (self->shown_senders, n_new_senders++, g_strdup (sender != NULL ? sender : ""));
    }
  show (self);
  g_ptr_array_set_size (self->batch, 0);
  return G_SOURCE_REMOVE;
}

static int
newest_first (gconstpointer a,
              gconstpointer b)
{
  LbMessage *ma = *(LbMessage * const *) a;
  LbMessage *mb = *(LbMessage * const *) b;
  gint64 da = lb_message_get_date_unix (ma), db = lb_message_get_date_unix (mb);

  return da != db ? (da > db ? -1 : 1) : 0;
}

static void
consider (LbNotifier *self,
          LbMessage  *m)
{
  gint64 folder_id = lb_message_get_folder_id (m);
  gpointer value;
  guint32 uid = lb_message_get_uid (m);

  /* No baseline: the account's first sync has not finished yet. */
  if (!g_hash_table_lookup_extended (self->baselines, &folder_id, NULL, &value))
    return;
  if (uid <= GPOINTER_TO_UINT (value))
    return;
  /* The baseline stays put: rows arrive newest first by date, not by UID, so
   * raising it here would hide older arrivals of the same sync.  The set of
   * messages already considered keeps a row that is re-added (its flags
   * changed) from being announced twice. */
  if (!g_hash_table_add (self->considered, id_dup (lb_message_get_id (m))))
    return;
  /* Switched off, new mail is still counted as seen: switching on again announces only
   * what arrives from then on. */
  if (!lb_message_get_unread (m) || !self->enabled)
    return;
  g_ptr_array_add (self->batch, g_object_ref (m));
  g_ptr_array_sort (self->batch, newest_first);
  g_clear_handle_id (&self->gather_id, g_source_remove);
  self->gather_id = g_timeout_add (GATHER_MS, gather_done, self);
}

static void
on_inbox_changed (GListModel *list,
                  guint       position,
                  guint       removed,
                  guint       added,
                  LbNotifier *self)
{
  /* Only added rows can be new mail; a changed row is re-added, and its UID,
   * already at or under the baseline, keeps it quiet.  Before any account's first sync
   * ended there is nothing to compare with, and no row is read: the list brings its
   * older rows in the background after the first ones (a million at start), and reading
   * each of them here took seconds before the first frame. */
  if (g_hash_table_size (self->baselines) == 0)
    return;
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (list, i);

      if (m != NULL)
        consider (self, m);
    }
}

/* ---- Actions ---------------------------------------------------------- */

static GPtrArray *
lookup_messages (LbNotifier *self,
                 GVariant   *ids)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func (g_object_unref);
  gsize n = 0;
  const gint64 *v = g_variant_get_fixed_array (ids, &n, sizeof (gint64));

  for (gsize i = 0; i < n; i++)
    {
      LbMessage *m = lb_engine_lookup_message (self->engine, v[i]);

      if (m != NULL)
        g_ptr_array_add (messages, m);
    }
  return messages;
}

static void
mark_read_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  LbNotifier *self = user_data;
  g_autoptr(GPtrArray) messages = lookup_messages (self, parameter);

  if (messages->len > 0)
    {
      lb_engine_set_flags (self->engine, (LbMessage **) messages->pdata, messages->len, LB_FLAG_SEEN, 0);
      lb_engine_flush_pending (self->engine);
    }
  lb_notifier_withdraw (self);
}

static void
delete_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LbNotifier *self = user_data;
  g_autoptr(GPtrArray) messages = lookup_messages (self, parameter);

  /* No undo toast to wait for from a notification: replay at once. */
  if (messages->len > 0)
    {
      lb_engine_delete (self->engine, (LbMessage **) messages->pdata, messages->len);
      lb_engine_flush_pending (self->engine);
    }
  lb_notifier_withdraw (self);
}

static void
open_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  LbNotifier *self = user_data;
  gint64 id = g_variant_get_int64 (parameter);

  lb_notifier_withdraw (self);
  if (self->app != NULL)
    g_application_activate (self->app);
  g_signal_emit (self, signals[OPEN_MESSAGE], 0, id);
}

static void
add_actions (LbNotifier *self)
{
  const GActionEntry entries[] = {
    { "open-message", open_activated, "x" },
    { "notification-mark-read", mark_read_activated, "ax" },
    { "notification-delete", delete_activated, "ax" },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self->app), entries, G_N_ELEMENTS (entries), self);
}

static void
remove_actions (LbNotifier *self)
{
  g_action_map_remove_action (G_ACTION_MAP (self->app), "open-message");
  g_action_map_remove_action (G_ACTION_MAP (self->app), "notification-mark-read");
  g_action_map_remove_action (G_ACTION_MAP (self->app), "notification-delete");
}

/* ---- Launcher badge --------------------------------------------------- */

static void
update_badge (LbNotifier *self)
{
  GDBusConnection *bus;
  const char *object_path;
  guint unread = lb_engine_get_unified_unread (self->engine);
  g_autofree char *uri = NULL;
  GVariantBuilder props;

  if (self->app == NULL || (self->badge_sent && unread == self->last_badge))
    return;
  bus = g_application_get_dbus_connection (self->app);
  object_path = g_application_get_dbus_object_path (self->app);
  if (bus == NULL || object_path == NULL)
    return;
  uri = g_strdup_printf ("application://%s.desktop", g_application_get_application_id (self->app));
  g_variant_builder_init (&props, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&props, "{sv}", "count", g_variant_new_int64 (unread));
  g_variant_builder_add (&props, "{sv}", "count-visible", g_variant_new_boolean (unread > 0));
  g_dbus_connection_emit_signal (bus, NULL, object_path, "com.canonical.Unity.LauncherEntry", "Update",
                                 g_variant_new ("(sa{sv})", uri, &props), NULL);
  self->last_badge = unread;
  self->badge_sent = TRUE;
}

static void
on_unread_changed (GObject    *object,
                   GParamSpec *pspec,
                   LbNotifier *self)
{
  update_badge (self);
}

/* ---- Object ----------------------------------------------------------- */

static void
lb_notifier_dispose (GObject *object)
{
  LbNotifier *self = LB_NOTIFIER (object);

  g_clear_handle_id (&self->gather_id, g_source_remove);
  if (self->app != NULL)
    {
      remove_actions (self);
      g_object_remove_weak_pointer (G_OBJECT (self->app), (gpointer *) &self->app);
      self->app = NULL;
    }
  if (self->inbox != NULL)
    g_signal_handlers_disconnect_by_data (self->inbox, self);
  if (self->accounts != NULL)
    g_signal_handlers_disconnect_by_data (self->accounts, self);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->inbox);
  g_clear_object (&self->accounts);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_pointer (&self->batch, g_ptr_array_unref);

  G_OBJECT_CLASS (lb_notifier_parent_class)->dispose (object);
}

static void
lb_notifier_finalize (GObject *object)
{
  LbNotifier *self = LB_NOTIFIER (object);

  g_hash_table_unref (self->baselines);
  g_hash_table_unref (self->considered);
  g_array_unref (self->shown);
  g_ptr_array_unref (self->shown_senders);

  G_OBJECT_CLASS (lb_notifier_parent_class)->finalize (object);
}

static void
lb_notifier_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_ENABLED:
      g_value_set_boolean (value, LB_NOTIFIER (object)->enabled);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_notifier_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_ENABLED:
      lb_notifier_set_enabled (LB_NOTIFIER (object), g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_notifier_class_init (LbNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lb_notifier_dispose;
  object_class->finalize = lb_notifier_finalize;
  object_class->get_property = lb_notifier_get_property;
  object_class->set_property = lb_notifier_set_property;

  /**
   * LbNotifier:enabled:
   *
   * Whether new mail is announced (the application binds the "notify-new-mail"
   * preference to it).  The launcher badge is shown either way.
   */
  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LbNotifier::open-message:
   * @message_id: the message to show
   *
   * The user clicked a new-mail notification.  The application has been
   * activated; it should show this message.
   */
  signals[OPEN_MESSAGE] =
    g_signal_new ("open-message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
lb_notifier_init (LbNotifier *self)
{
  self->baselines = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->considered = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->batch = g_ptr_array_new_with_free_func (g_object_unref);
  self->shown = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->shown_senders = g_ptr_array_new_with_free_func (g_free);
  self->enabled = TRUE;
}

/**
 * lb_notifier_new:
 * @app: the application; it sends the notifications and gets the actions
 *   app.open-message (x), app.notification-mark-read (ax) and
 *   app.notification-delete (ax)
 * @engine: the engine whose unified inbox is watched
 *
 * Create it at startup, before lb_engine_start(), so that the first sync of
 * every account is recognised as such.
 *
 * Returns: (transfer full): a new notifier
 */
LbNotifier *
lb_notifier_new (GApplication *app,
                 LbEngine     *engine)
{
  LbNotifier *self;

  g_return_val_if_fail (G_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (LB_IS_ENGINE (engine), NULL);

  self = g_object_new (LB_TYPE_NOTIFIER, NULL);
  self->app = app;
  g_object_add_weak_pointer (G_OBJECT (app), (gpointer *) &self->app);
  self->engine = g_object_ref (engine);
  self->inbox = g_object_ref (lb_engine_get_unified_inbox (engine));
  self->accounts = g_object_ref (lb_engine_get_accounts (engine));

  g_signal_connect (self->inbox, "items-changed", G_CALLBACK (on_inbox_changed), self);
  g_signal_connect (self->accounts, "items-changed", G_CALLBACK (on_accounts_changed), self);
  g_signal_connect (engine, "notify::unified-unread", G_CALLBACK (on_unread_changed), self);
  on_accounts_changed (self->accounts, 0, 0, g_list_model_get_n_items (self->accounts), self);
  /* The badge needs the bus, which the application has once registered. */
  g_signal_connect_object (app, "notify::is-registered", G_CALLBACK (on_unread_changed), self, 0);
  add_actions (self);
  update_badge (self);
  return self;
}

/**
 * lb_notifier_set_enabled:
 * @enabled: whether new mail is announced
 *
 * Switched off, mail that arrives is not announced, and what was waiting to be is
 * dropped; the badge keeps counting.
 */
void
lb_notifier_set_enabled (LbNotifier *self,
                         gboolean    enabled)
{
  g_return_if_fail (LB_IS_NOTIFIER (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;
  self->enabled = enabled;
  if (!enabled)
    {
      g_clear_handle_id (&self->gather_id, g_source_remove);
      g_ptr_array_set_size (self->batch, 0);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

/**
 * lb_notifier_withdraw:
 *
 * Takes the notification down and starts counting anew; call it when the
 * user looks at the inbox (the window becomes active).
 */
void
lb_notifier_withdraw (LbNotifier *self)
{
  g_return_if_fail (LB_IS_NOTIFIER (self));

  if (self->app != NULL && self->shown->len > 0)
    g_application_withdraw_notification (self->app, LB_NOTIFIER_NOTIFICATION_ID);
  g_array_set_size (self->shown, 0);
  g_ptr_array_set_size (self->shown_senders, 0);
}

/**
 * lb_notifier_get_n_shown:
 *
 * Returns: how many messages the notification on screen announces
 */
guint
lb_notifier_get_n_shown (LbNotifier *self)
{
  g_return_val_if_fail (LB_IS_NOTIFIER (self), 0);

  return self->shown->len;
}
