/* lb-storage-row.c: an account's downloaded mail in Preferences, and removing it
 *
 * One row per account: how many of its messages are downloaded and the disk space they
 * take (lb_account_get_disk_use_async(), measured on the account's worker), with "Remove
 * Downloaded Messages".  Removing asks first; it sets the account to keep headers only
 * (or its background download would fetch everything again), then deletes the bodies and
 * gives the space back (lb_account_remove_bodies_async()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-account-offline.h"
#include "lb-storage-row.h"

static void
show_disk_use (AdwActionRow    *row,
               const LbDiskUse *use)
{
  g_autofree char *size = g_format_size (use->stored_bytes + use->text_bytes);
  g_autofree char *text = NULL;
  GtkWidget *button = g_object_get_data (G_OBJECT (row), "lb-remove-button");

  if (use->n_bodies == 0)
    text = g_strdup (_("No messages downloaded"));
  else
    /* Translators: messages downloaded, of all the account's messages, and their size on
     * disk, e.g. "1,200 of 5,000 messages downloaded · 45.2 MB". */
    text = g_strdup_printf (ngettext ("%u of %u message downloaded · %s",
                                     "%u of %u messages downloaded · %s", use->n_messages),
                            use->n_bodies, use->n_messages, size);
  adw_action_row_set_subtitle (row, text);
  g_object_set_data_full (G_OBJECT (row), "lb-size", g_steal_pointer (&size), g_free);
  gtk_widget_set_sensitive (button, use->n_bodies > 0);
}

static void
on_disk_use (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GtkWidget) row = user_data;
  g_autoptr(GError) error = NULL;
  LbDiskUse use;

  if (!lb_account_get_disk_use_finish (LB_ACCOUNT (source), result, &use, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), error->message);
      return;
    }
  show_disk_use (ADW_ACTION_ROW (row), &use);
}

/**
 * lb_storage_row_refresh:
 * @row: a row made by lb_storage_row_new()
 *
 * Measures the account's disk use again.
 */
void
lb_storage_row_refresh (GtkWidget *row)
{
  LbAccount *account = g_object_get_data (G_OBJECT (row), "account");

  lb_account_get_disk_use_async (account, NULL, on_disk_use, g_object_ref (row));
}

/* ---- Removing ------------------------------------------------------------------------ */

typedef struct {
  LbEngine   *engine;
  GtkListBox *list;     /* weak: the rows to refresh when done */
} Removal;

static void
removal_free (Removal *r)
{
  g_clear_object (&r->engine);
  g_clear_weak_pointer (&r->list);
  g_free (r);
}

static void
on_bodies_removed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Removal *r = user_data;
  g_autoptr(GError) error = NULL;

  if (!lb_account_remove_bodies_finish (LB_ACCOUNT (source), result, NULL, &error))
    g_warning ("Could not remove the downloaded messages: %s", error->message);
  /* The account object was rebuilt with its new setting, and its row with it. */
  for (GtkWidget *row = r->list != NULL ? gtk_widget_get_first_child (GTK_WIDGET (r->list)) : NULL;
       row != NULL; row = gtk_widget_get_next_sibling (row))
    if (g_object_get_data (G_OBJECT (row), "account") != NULL)
      lb_storage_row_refresh (row);
  removal_free (r);
}

static void
remove_bodies (Removal   *r,
               LbAccount *account)
{
  lb_account_remove_bodies_async (account, NULL, on_bodies_removed, r);
}

static void
on_headers_only (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Removal *r = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) account = lb_engine_update_account_finish (LB_ENGINE (source), result,
                                                                  &error);

  if (account == NULL)
    {
      g_warning ("Could not change the account: %s", error->message);
      removal_free (r);
      return;
    }
  remove_bodies (r, account);
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    GtkWidget        *row)
{
  LbAccount *account = g_object_get_data (G_OBJECT (row), "account");
  LbEngine *engine = g_object_get_data (G_OBJECT (row), "engine");
  Removal *r;

  if (g_strcmp0 (response, "remove") != 0)
    return;
  r = g_new0 (Removal, 1);
  r->engine = g_object_ref (engine);
  g_set_weak_pointer (&r->list, GTK_LIST_BOX (gtk_widget_get_parent (row)));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Removing…"));
  gtk_widget_set_sensitive (g_object_get_data (G_OBJECT (row), "lb-remove-button"), FALSE);
  if (lb_account_get_offline_days (account) >= 0)
    {
      g_autoptr(LbAccountSettings) s = lb_account_dup_settings (account);

      s->offline_days = -1;
      lb_engine_update_account_async (engine, account, s, NULL, NULL, on_headers_only, r);
    }
  else
    remove_bodies (r, account);
}

static void
unref_closure_data (gpointer  data,
                    GClosure *closure)
{
  g_object_unref (data);
}

static void
on_remove_clicked (GtkButton *button,
                   GtkWidget *row)
{
  LbAccount *account = g_object_get_data (G_OBJECT (row), "account");
  const char *size = g_object_get_data (G_OBJECT (row), "lb-size");
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (row)),
                                   _("Remove Downloaded Messages?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  /* Translators: an e-mail address, then a size ("45.2 MB"). */
                                  _("The messages of %s downloaded to this computer are deleted, "
                                    "freeing %s. Their headers stay, and a message is downloaded "
                                    "again when you open it. “Keep Mail on This Computer” is set "
                                    "to “Headers Only”."),
                                  lb_account_get_email (account), size != NULL ? size : "");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_widget_set_name (dialog, "preferences-remove-downloaded-dialog");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_remove_response),
                         g_object_ref (row), unref_closure_data, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * lb_storage_row_new:
 *
 * Returns: (transfer floating): the row of @account's downloaded mail
 */
GtkWidget *
lb_storage_row_new (LbEngine  *engine,
                    LbAccount *account)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_with_mnemonic (_("Remove _Downloaded Messages"));

  /* Not owned: the accounts model holds the account while the list shows its row, and the
   * engine outlives both; a row kept alive past its window (GTK may) holds neither. */
  g_object_set_data (G_OBJECT (row), "account", account);
  g_object_set_data (G_OBJECT (row), "engine", engine);
  g_object_set_data (G_OBJECT (row), "lb-remove-button", remove);
  gtk_widget_set_name (row, "preferences-storage-row");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lb_account_get_email (account));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Measuring…"));

  gtk_widget_set_name (remove, "preferences-remove-downloaded-button");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (remove, FALSE);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_clicked), row, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  lb_storage_row_refresh (row);
  return row;
}
