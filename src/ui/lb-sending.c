/* lb-sending.c: a message from Send to "Message sent", with Undo Send
 *
 * Every message goes into the outbox held (lb_engine_hold_async()), so that it is safe
 * on disk before the composer closes and nothing leaves the machine during the Undo Send
 * delay (the undo-send-delay setting; a quit or crash then leaves it in the Outbox,
 * unsent).  When the delay is over it is released (lb_engine_outbox_retry()), and
 * the outbox model says how it went: gone or SENT is "Message sent"; anything else is a
 * toast that offers to open the Outbox, never silence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-sending.h"

typedef struct {
  GWeakRef   window;
  LbEngine  *engine;
  gint64     account_id;
  gint64     item_id;
  AdwToast  *toast;         /* "Sending…", while it is shown */
  guint      release_id;
  gulong     watch_id;      /* on the outbox model, once released */
  gboolean   undone;
} Sending;

static void
sending_free (Sending *s)
{
  g_clear_handle_id (&s->release_id, g_source_remove);
  if (s->toast != NULL)
    g_signal_handlers_disconnect_by_data (s->toast, s);
  if (s->watch_id != 0)
    g_signal_handler_disconnect (lb_engine_get_outbox (s->engine), s->watch_id);
  g_weak_ref_clear (&s->window);
  g_clear_object (&s->toast);
  g_clear_object (&s->engine);
  g_free (s);
}

/* The window's toast overlay, if it has one (the main window does). */
static AdwToastOverlay *
find_toast_overlay (GtkWidget *widget)
{
  if (ADW_IS_TOAST_OVERLAY (widget))
    return ADW_TOAST_OVERLAY (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwToastOverlay *found = find_toast_overlay (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
add_toast (Sending  *s,
           AdwToast *toast)
{
  g_autoptr(GtkWindow) window = g_weak_ref_get (&s->window);
  AdwToastOverlay *overlay = window != NULL ? find_toast_overlay (GTK_WIDGET (window)) : NULL;

  /* Without the main window (a composer opened on its own) there is nowhere to tell. */
  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, toast);
  else
    g_object_unref (toast);
}

/* The main window's "win.open-outbox" shows the account's Outbox: sending knows windows
 * only as GtkWindow, so that it needs neither the window's nor the sidebar's header. */
static void
on_open_outbox (AdwToast *toast,
                gpointer  user_data)
{
  GtkWindow *window = g_object_get_data (G_OBJECT (toast), "lb-window");
  gint64 *account_id = g_object_get_data (G_OBJECT (toast), "lb-account-id");

  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.open-outbox", "x", *account_id);
}

/* The message did not go: say so, with the reason and the way to the Outbox. */
static void
toast_failure (Sending      *s,
               LbOutboxItem *item)
{
  g_autoptr(GtkWindow) window = g_weak_ref_get (&s->window);
  const char *reason = lb_outbox_item_get_last_error (item);
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (lb_outbox_item_get_state (item) == LB_OUTBOX_STATE_FAILED)
    title = reason != NULL && *reason != '\0'
            /* Translators: a toast; %s is the reason, such as "The server refused the password." */
            ? g_strdup_printf (_("Message not sent: %s"), reason)
            : g_strdup (_("Message not sent"));
  else
    title = g_strdup (_("Message not sent yet: it waits in the Outbox"));
  toast = adw_toast_new (title);
  {
    /* The warning sign the account's row carries when it fails, before the words. */
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
    GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
    GtkWidget *label = gtk_label_new (title);

    gtk_widget_add_css_class (icon, "warning");
    gtk_widget_set_name (icon, "send-failure-icon");
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
    gtk_widget_set_tooltip_text (label, title);
    gtk_widget_add_css_class (label, "heading");
    gtk_box_append (GTK_BOX (box), icon);
    gtk_box_append (GTK_BOX (box), label);
    adw_toast_set_custom_title (toast, box);
  }
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  if (window != NULL && find_toast_overlay (GTK_WIDGET (window)) != NULL)
    {
      adw_toast_set_button_label (toast, _("_Open Outbox"));
      g_object_set_data_full (G_OBJECT (toast), "lb-window", g_object_ref (window), g_object_unref);
      g_object_set_data_full (G_OBJECT (toast), "lb-account-id",
                              g_memdup2 (&s->account_id, sizeof s->account_id), g_free);
      g_signal_connect (toast, "button-clicked", G_CALLBACK (on_open_outbox), NULL);
    }
  add_toast (s, toast);
}

static LbOutboxItem *
find_item (Sending *s)
{
  GListModel *outbox = lb_engine_get_outbox (s->engine);

  for (guint i = 0; i < g_list_model_get_n_items (outbox); i++)
    {
      g_autoptr(LbOutboxItem) item = g_list_model_get_item (outbox, i);
      if (lb_outbox_item_get_id (item) == s->item_id)
        return g_steal_pointer (&item);
    }
  return NULL;
}

/* The outbox changed after the release: is there a result to tell? */
static void
check_result (Sending *s)
{
  g_autoptr(LbOutboxItem) item = find_item (s);
  LbOutboxState state = item != NULL ? lb_outbox_item_get_state (item) : LB_OUTBOX_STATE_SENT;

  if (item != NULL && (lb_outbox_item_get_next_attempt (item) == LB_OUTBOX_HELD ||
                       state == LB_OUTBOX_STATE_SENDING ||
                       (state == LB_OUTBOX_STATE_QUEUED && lb_outbox_item_get_attempts (item) == 0)))
    return;
  if (s->toast != NULL)
    adw_toast_dismiss (s->toast);
  if (state == LB_OUTBOX_STATE_SENT)
    add_toast (s, adw_toast_new (_("Message sent")));
  else
    toast_failure (s, item);
  sending_free (s);
}

static gboolean
release (gpointer data)
{
  Sending *s = data;
  LbAccount *account = lb_engine_get_account (s->engine, s->account_id);

  s->release_id = 0;
  if (s->toast != NULL)
    {
      /* Too late to undo. */
      adw_toast_set_button_label (s->toast, NULL);
      adw_toast_set_timeout (s->toast, 0);
    }
  if (account == NULL)
    {
      sending_free (s);
      return G_SOURCE_REMOVE;
    }
  s->watch_id = g_signal_connect_swapped (lb_engine_get_outbox (s->engine), "items-changed",
                                          G_CALLBACK (check_result), s);
  /* No completion callback: the outbox model tells the result (check_result()), and a
   * pending task would keep the engine alive past the window. */
  lb_engine_outbox_retry (s->engine, account, s->item_id);
  return G_SOURCE_REMOVE;
}

/* Undo Send: the message goes back into a composer and out of the Outbox. */
static void
on_undo (AdwToast *toast,
         Sending  *s)
{
  g_autoptr(GtkWindow) window = g_weak_ref_get (&s->window);
  g_autoptr(LbOutboxItem) item = find_item (s);
  LbAccount *account = lb_engine_get_account (s->engine, s->account_id);

  if (s->release_id == 0)
    return;
  g_clear_handle_id (&s->release_id, g_source_remove);
  /* The main window reopens the message in a composer ("win.edit-outbox-item"); only
   * then is the held copy dropped.  Where it cannot be reopened, the message stays held
   * in the Outbox, unsent, rather than lost. */
  if (item != NULL && window != NULL &&
      gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-outbox-item", "(xx)",
                                  s->account_id, s->item_id) &&
      account != NULL)
    lb_engine_outbox_discard (s->engine, account, s->item_id);
  sending_free (s);
}

static void
on_toast_dismissed (AdwToast *toast,
                    Sending  *s)
{
  g_signal_handlers_disconnect_by_data (toast, s);
  g_clear_object (&s->toast);
}

static void
held_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Sending *s = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  guint delay = (guint) MAX (g_settings_get_int (settings, "undo-send-delay"), 0);

  s->item_id = lb_engine_hold_finish (LB_ENGINE (source), result, &error);
  if (s->item_id == 0)
    {
      sending_free (s);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* From here the Sending lives on its own: the toast, the timer and the outbox. */
  /* One reference for the Sending (dropped when the toast goes), one for the overlay. */
  s->toast = adw_toast_new (_("Sending…"));
  g_object_ref (s->toast);
  g_signal_connect (s->toast, "dismissed", G_CALLBACK (on_toast_dismissed), s);
  if (delay > 0)
    {
      adw_toast_set_button_label (s->toast, _("_Undo"));
      adw_toast_set_timeout (s->toast, delay);
      g_signal_connect (s->toast, "button-clicked", G_CALLBACK (on_undo), s);
      s->release_id = g_timeout_add_seconds (delay, release, s);
    }
  else
    adw_toast_set_timeout (s->toast, 0);
  add_toast (s, s->toast);
  g_task_return_boolean (task, TRUE);
  /* No delay: released at once, so the send job is queued before anything else runs. */
  if (delay == 0)
    release (s);
}

/**
 * lb_sending_start:
 * @window: the main window, whose toasts tell how sending goes
 *
 * Puts the message into the outbox (held for the Undo Send delay) and sends it.  The
 * callback runs once the message is safe in the outbox, when the composer may close;
 * a failure then (the store could not be written) leaves the composer open.
 */
void
lb_sending_start (GtkWindow            *window,
                  LbEngine             *engine,
                  LbAccount            *account,
                  GBytes               *message,
                  const char * const   *recipients,
                  GCancellable         *cancellable,
                  GAsyncReadyCallback   callback,
                  gpointer              user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Sending *s = g_new0 (Sending, 1);

  g_weak_ref_init (&s->window, window);
  s->engine = g_object_ref (engine);
  s->account_id = lb_account_get_id (account);
  g_task_set_task_data (task, s, NULL);
  g_task_set_source_tag (task, lb_sending_start);
  lb_engine_hold_async (engine, account, message, recipients, NULL, held_cb, task);
}

gboolean
lb_sending_start_finish (GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * lb_sending_show_toast:
 * @window: (nullable): the main window
 * @toast: (transfer full): the toast
 *
 * Shows @toast in @window's toast overlay, as sending does (the composer's "Draft
 * saved" too); without a window that has one, it is dropped.
 */
void
lb_sending_show_toast (GtkWindow *window,
                       AdwToast  *toast)
{
  AdwToastOverlay *overlay = window != NULL ? find_toast_overlay (GTK_WIDGET (window)) : NULL;

  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, toast);
  else
    g_object_unref (toast);
}
