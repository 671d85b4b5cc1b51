/* test-local-drafts.c: a draft written offline is found in the account's Drafts
 *
 * The server cannot be reached (the fault proxy refuses connections); a draft left on
 * this computer is offered again at start (a toast whose Show opens Drafts), shows under
 * "On This Computer Only" above the Drafts list, and opens in the composer.  With $LB_TEST_SCREENSHOTS it saves the list and the reopened draft.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "lb-application.h"
#include "lb-composer.h"
#include "lb-draft.h"
#include "lb-local-drafts.h"
#include "lb-sidebar.h"
#include "lb-test-env.h"
#include "lb-ui-test-util.h"
#include "lb-window.h"

static const char *screenshot_dir;

static gboolean
has_one_draft (gpointer data)
{
  return gtk_widget_get_mapped (data) && lb_local_drafts_get_n_drafts (data) == 1;
}

static gboolean
find_show_button (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, i);

      /* Translated when screenshots are taken in another language. */
      *(GtkWidget **) data = lb_ui_test_find_button (w, g_dgettext (GETTEXT_PACKAGE, "_Show"));
      if (*(GtkWidget **) data != NULL && gtk_widget_get_mapped (*(GtkWidget **) data))
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_composer (gpointer data)
{
  *(GtkWindow **) data = lb_ui_test_find_toplevel (LB_TYPE_COMPOSER);
  return *(GtkWindow **) data != NULL;
}

static gboolean
editable_filled (gpointer data)
{
  return *gtk_editable_get_text (GTK_EDITABLE (data)) != '\0';
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  const char *lang = g_getenv ("LANGUAGE");
  g_autofree char *file = NULL;

  if (screenshot_dir == NULL)
    return;
  file = g_strdup_printf ("%s-%s.png", name, lang != NULL && *lang != '\0' ? lang : "en");
  lb_test_iterate_for (300);
  lb_ui_test_save_screenshot (widget, screenshot_dir, file);
}

static void
run_offline_draft (GApplication *application)
{
  LbWindow *window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  LbEngine *engine = lb_window_get_engine (window);
  g_autoptr(LbAccount) account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);
  LbFolder *drafts = lb_account_find_folder (account, LB_FOLDER_ROLE_DRAFTS);
  GtkWidget *section;
  GtkWidget *list;
  GtkWidget *row;
  GtkWindow *composer = NULL;
  GtkWidget *subject;
  GtkWidget *show = NULL;

  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_nonnull (drafts);
  section = lb_ui_test_find_widget (GTK_WIDGET (window), "local-drafts");
  g_assert_nonnull (section);
  /* Not in the Inbox. */
  g_assert_false (gtk_widget_get_visible (section));

  /* At start the draft is offered again; Show opens the account's Drafts, where it is. */
  g_assert_true (lb_test_wait_until (find_show_button, &show, 10));
  screenshot (GTK_WIDGET (window), "local-drafts-offered");
  g_signal_emit_by_name (show, "clicked");
  g_assert_true (lb_test_wait_until (has_one_draft, section, 10));
  g_assert_cmpint (lb_sidebar_get_selected_folder (lb_window_get_sidebar (window)), ==,
                   lb_folder_get_id (drafts));
  list = lb_ui_test_find_widget (section, "local-drafts-list");
  row = gtk_widget_get_first_child (list);
  g_assert_true (ADW_IS_ACTION_ROW (row));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "周五聚餐的安排");
  screenshot (GTK_WIDGET (window), "local-drafts");

  g_signal_emit_by_name (list, "row-activated", row);
  g_assert_true (lb_test_wait_until (has_composer, &composer, 10));
  subject = lb_ui_test_find_widget (GTK_WIDGET (composer), "subject");
  g_assert_true (lb_test_wait_until (editable_filled, subject, 10));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (subject)), ==, "周五聚餐的安排");
  screenshot (GTK_WIDGET (composer), "local-draft-reopened");
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  gtk_window_destroy (composer);
  lb_ui_test_wait_until_gone ((gpointer *) &composer);

  /* Leaving Drafts hides the section. */
  g_assert_true (lb_sidebar_select_folder (lb_window_get_sidebar (window),
                                           lb_folder_get_id (lb_account_find_folder (account,
                                                                                     LB_FOLDER_ROLE_INBOX))));
  lb_test_iterate_for (200);
  g_assert_false (gtk_widget_get_visible (section));
}

static void
test_offline_draft (void)
{
  LbTestEnvOptions options = { .proxy = LB_TEST_ENV_PROXY_IMAP, .display_name = "爱丽丝" };
  LbTestEnv env = { 0 };
  g_autoptr(LbDraft) d = lb_draft_new ();
  g_autoptr(GBytes) raw = NULL;

  lb_test_env_start (&env, &options);
  /* The folders are known (Drafts among them) before the network goes. */
  lb_test_env_sync_ok (&env);
  d->from = lb_mailbox_new ("爱丽丝", LB_TEST_ENV_USER);
  g_ptr_array_add (d->to, lb_mailbox_new ("鲍勃", "bob@example.org"));
  d->subject = g_strdup ("周五聚餐的安排");
  d->body = g_strdup ("鲍勃，周五七点在老地方见？\n");
  d->message_id = g_strdup ("offline-ui-1@example.com");
  raw = lb_draft_build (d, LB_DRAFT_BUILD_KEEP_BCC, NULL);
  g_assert_true (lb_engine_write_local_draft (env.engine, lb_account_get_id (env.account),
                                              d->message_id, raw, NULL));
  lb_test_env_close_engine (&env);
  /* Offline from here on: the draft cannot reach the server. */
  lb_test_proxy_refuse (env.proxy, TRUE);
  lb_test_proxy_kill_all (env.proxy);
  g_setenv ("LETTERBOX_DATA_DIR", env.profile, TRUE);
  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), run_offline_draft);
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  screenshot_dir = lb_ui_test_init_app_test (&argc, &argv);
  g_test_add_func ("/ui/local-drafts/offline-draft", test_offline_draft);
  return g_test_run ();
}
