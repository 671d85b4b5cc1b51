/* test-account-editor.c: Edit Account, signatures, aliases and the proxy, under Xvfb
 *
 * Against the private Dovecot and SMTP fixtures: the editor opens on a working account
 * with no error; a wrong new password is refused by the server and the old one kept; a
 * signature and an additional address saved there show up in the next reply, which is
 * sent from the alias the original came to (header and SMTP envelope); and a SOCKS5 proxy
 * set there carries sync and send (tests/fixtures/socks5_proxy.py logs what it relays).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "lb-account-editor.h"
#include "lb-account-offline.h"
#include "lb-application.h"
#include "lb-composer.h"
#include "lb-draft.h"
#include "lb-engine.h"
#include "lb-test-account.h"
#include "lb-test-env.h"
#include "lb-test-fixture.h"
#include "lb-test-socks.h"
#include "lb-test-wait.h"
#include "lb-ui-test-util.h"
#include "lb-preferences-window.h"
#include "lb-window.h"

static const char *screenshot_dir;

static GtkWidget *
find (GtkWidget  *root,
      const char *name)
{
  GtkWidget *w = lb_ui_test_find_widget (root, name);

  g_assert_nonnull (w);
  return w;
}

static GtkScrolledWindow *
find_scrolled (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget))
    return GTK_SCROLLED_WINDOW (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkScrolledWindow *found = find_scrolled (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* With LB_TEST_SCREENSHOTS: @name-light/-dark, wide and 360 px narrow, of @window at
 * the top, or scrolled to the @bottom. */
static void
shoot (GtkWidget  *window,
       const char *name,
       gboolean    bottom)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  const char *lang = g_str_has_prefix (g_get_language_names ()[0], "zh") ? "zh" : "en";

  if (screenshot_dir == NULL)
    return;
  for (guint dark = 0; dark < 2; dark++)
    for (guint narrow = 0; narrow < 2; narrow++)
      {
        g_autofree char *file = g_strdup_printf ("%s-%s-%s-%s.png", name, lang,
                                                 dark ? "dark" : "light",
                                                 narrow ? "narrow" : "wide");

        adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                        : ADW_COLOR_SCHEME_FORCE_LIGHT);
        gtk_window_set_default_size (GTK_WINDOW (window), narrow ? 360 : 600, 720);
        lb_test_iterate_for (300);
        if (bottom)
          {
            GtkAdjustment *v = gtk_scrolled_window_get_vadjustment (find_scrolled (window));

            gtk_adjustment_set_value (v, gtk_adjustment_get_upper (v));
            lb_test_iterate_for (200);
          }
        lb_ui_test_save_screenshot (window, screenshot_dir, file);
      }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 720);
}

static void
start_env (LbTestEnv *env)
{
  LbTestEnvOptions options = { .smtp = TRUE, .display_name = "爱丽丝" };

  lb_test_env_start (env, &options);
}

static LbAccountEditor *
open_editor (LbTestEnv *env)
{
  LbAccountEditor *editor = lb_account_editor_present (NULL, env->engine, env->account);

  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  lb_ui_test_wait_for_frame (GTK_WIDGET (editor));
  g_object_remove_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  return editor;
}

static gboolean
error_shown_or_gone (gpointer data)
{
  LbAccountEditor **editor = data;

  return *editor == NULL || gtk_widget_get_visible (find (GTK_WIDGET (*editor), "editor-error"));
}

/* Presses Save; returns once the window closed (TRUE) or shows an error (FALSE). */
static gboolean
save (LbAccountEditor *editor)
{
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  g_assert_true (lb_test_wait_until (error_shown_or_gone, &editor, 60));
  if (editor == NULL)
    return TRUE;
  g_object_remove_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  return FALSE;
}

static void
set_text_view (GtkWidget  *view,
               const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
}

static char *
text_view_get (GtkWidget *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter a, b;

  gtk_text_buffer_get_bounds (buffer, &a, &b);
  return gtk_text_buffer_get_text (buffer, &a, &b, FALSE);
}

/* The account after an update: a new object with the same id. */
static void
refresh_account (LbTestEnv *env)
{
  LbAccount *now = lb_engine_get_account (env->engine, lb_account_get_id (env->account));

  g_assert_nonnull (now);
  g_set_object (&env->account, now);
}

/* ---- Opening ---------------------------------------------------------------------------- */

static void
test_opens_clean (void)
{
  LbTestEnv env = { 0 };
  LbAccountEditor *editor;
  GtkWidget *root;

  start_env (&env);
  editor = open_editor (&env);
  root = GTK_WIDGET (editor);

  g_assert_false (gtk_widget_get_visible (find (root, "editor-error")));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (editor)), ==,
                   g_dgettext (GETTEXT_PACKAGE, "Edit Account"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (root, "editor-name-row"))), ==, "爱丽丝");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find (root, "editor-address-row"))),
                   ==, LB_TEST_ENV_USER);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (root, "editor-imap-host-row"))), !=, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (root, "editor-smtp-host-row"))), !=, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (root, "editor-username-row"))), ==,
                   LB_TEST_ENV_USER);
  /* The password is shown as set, never filled in. */
  g_assert_true (gtk_widget_get_visible (find (root, "editor-password-row")));
  g_assert_false (gtk_widget_get_visible (find (root, "editor-new-password-row")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (root, "editor-new-password-row"))), ==, "");
  g_assert_false (gtk_widget_has_css_class (find (root, "editor-imap-host-row"), "error"));
  shoot (root, "account-editor", FALSE);

  /* Saving what is there changes nothing and needs no server. */
  g_assert_true (save (editor));
  refresh_account (&env);
  g_assert_cmpstr (lb_account_get_display_name (env.account), ==, "爱丽丝");
  lb_test_env_stop (&env);
}

/* ---- The password ----------------------------------------------------------------------- */

static void
test_wrong_password_refused (void)
{
  LbTestEnv env = { 0 };
  LbAccountEditor *editor;
  GtkWidget *root;

  start_env (&env);
  editor = open_editor (&env);
  root = GTK_WIDGET (editor);
  gtk_widget_activate_action (root, "editor.change-password", NULL);
  g_assert_true (gtk_widget_get_visible (find (root, "editor-new-password-row")));
  gtk_editable_set_text (GTK_EDITABLE (find (root, "editor-new-password-row")), "not-the-password");

  g_assert_false (save (editor));
  g_assert_true (gtk_widget_get_visible (find (root, "editor-error")));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (root, "editor-error"))), !=, "");
  g_assert_true (gtk_widget_has_css_class (find (root, "editor-new-password-row"), "error"));
  shoot (root, "account-editor-wrong-password", FALSE);
  gtk_window_destroy (GTK_WINDOW (editor));

  /* The keyring still has the password that works. */
  refresh_account (&env);
  lb_test_env_sync_ok (&env);
  lb_test_env_stop (&env);
}

/* An authorization code (QQ's) is shown in groups and pasted with the spaces: they are
 * dropped before the code is checked and stored.  The row says what the provider calls it. */
static void
test_code_spaces_stripped (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccountSettings) settings = NULL;
  g_autoptr(LbAccount) qq = NULL;
  LbTestEnv env = { 0 };
  LbAccountEditor *editor;
  GtkWidget *root;

  start_env (&env);
  settings = lb_account_dup_settings (env.account);
  settings->provider_id = g_strdup ("qq");
  lb_engine_update_account_async (env.engine, env.account, settings, NULL, NULL,
                                  lb_test_got_result, &env.result);
  qq = lb_engine_update_account_finish (env.engine, lb_test_env_wait (&env), &error);
  g_assert_no_error (error);
  g_set_object (&env.account, qq);

  editor = open_editor (&env);
  root = GTK_WIDGET (editor);
  if (screenshot_dir == NULL)
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (find (root, "editor-password-row"))),
                     ==, "Authorization code");
  gtk_widget_activate_action (root, "editor.change-password", NULL);
  /* The server's password is "secret"; a NO-BREAK SPACE as web pages use, too. */
  gtk_editable_set_text (GTK_EDITABLE (find (root, "editor-new-password-row")), "se cr\u00a0et ");
  g_assert_true (save (editor));
  lb_test_env_stop (&env);
}

/* Changed servers are tried with the stored password before they are saved. */
static void
test_wrong_server_refused (void)
{
  LbTestEnv env = { 0 };
  LbAccountEditor *editor;
  GtkWidget *root;
  g_autoptr(LbAccountSettings) before = NULL;
  g_autoptr(LbAccountSettings) after = NULL;

  start_env (&env);
  before = lb_account_dup_settings (env.account);
  editor = open_editor (&env);
  root = GTK_WIDGET (editor);
  /* Nothing listens there. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find (root, "editor-imap-port")), 1);
  g_assert_false (save (editor));
  g_assert_true (gtk_widget_get_visible (find (root, "editor-error")));
  gtk_window_destroy (GTK_WINDOW (editor));

  refresh_account (&env);
  after = lb_account_dup_settings (env.account);
  g_assert_cmpuint (after->imap->port, ==, before->imap->port);
  lb_test_env_sync_ok (&env);
  lb_test_env_stop (&env);
}

/* An OAuth2 account shows how it signs in, and the way to sign in again, instead of a
 * password it does not have. */
static void
test_oauth2_account (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbTestOAuth2) oauth2 = lb_test_oauth2_start (3600, &error);
  LbTestEnvOptions options = { .smtp = TRUE, .oauth2 = oauth2 };
  LbTestEnv env = { 0 };
  LbAccountEditor *editor;
  GtkWidget *root;
  GVariant *target;
  g_autofree char *title = NULL;

  g_assert_no_error (error);
  lb_test_env_start (&env, &options);
  editor = open_editor (&env);
  root = GTK_WIDGET (editor);
  g_assert_false (gtk_widget_get_visible (find (root, "editor-error")));
  g_assert_false (gtk_widget_is_visible (find (root, "editor-password-row")));
  g_assert_true (gtk_widget_is_visible (find (root, "editor-oauth2-row")));
  /* In the session's language when screenshots are taken. */
  title = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "Signed in with %s"), "Microsoft");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (find (root, "editor-oauth2-row"))),
                   ==, title);
  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (find (root, "editor-sign-in-again")));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (find (root, "editor-sign-in-again"))),
                   ==, "app.sign-in-again");
  g_assert_cmpint (g_variant_get_int64 (target), ==, lb_account_get_id (env.account));
  shoot (root, "account-editor-oauth2", FALSE);

  /* Names save without a server check (the servers see a token, not a password). */
  gtk_editable_set_text (GTK_EDITABLE (find (root, "editor-name-row")), "Alice O.");
  g_assert_true (save (editor));
  refresh_account (&env);
  g_assert_cmpstr (lb_account_get_display_name (env.account), ==, "Alice O.");
  g_assert_cmpint (lb_account_get_auth (env.account), ==, LB_AUTH_OAUTH2);
  lb_test_env_sync_ok (&env);
  lb_test_env_stop (&env);
}

/* ---- Signature and aliases ---------------------------------------------------------------- */

static const char to_alias[] =
  "From: Bob <bob@example.org>\r\n"
  "To: Sales <sales@example.com>\r\n"
  "Subject: Price list\r\n"
  "Date: Mon, 07 Dec 2026 09:00:00 +0800\r\n"
  "Message-ID: <price.1@example.org>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n"
  "Could you send me the price list?\r\n";

static LbComposer *
find_composer (void)
{
  return LB_COMPOSER (lb_ui_test_find_toplevel (LB_TYPE_COMPOSER));
}

static const char *
selected_from (LbComposer *composer)
{
  GtkDropDown *from = GTK_DROP_DOWN (find (GTK_WIDGET (composer), "from"));

  return gtk_string_object_get_string (gtk_drop_down_get_selected_item (from));
}

static void
select_from (LbComposer *composer,
             const char *email)
{
  GtkDropDown *from = GTK_DROP_DOWN (find (GTK_WIDGET (composer), "from"));
  GListModel *model = gtk_drop_down_get_model (from);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) s = g_list_model_get_item (model, i);

      if (strstr (gtk_string_object_get_string (s), email) != NULL)
        {
          gtk_drop_down_set_selected (from, i);
          return;
        }
    }
  g_assert_not_reached ();
}

static LbMessage *
first_inbox_message (LbTestEnv      *env,
                     LbMessageList **out_list)
{
  LbFolder *inbox = lb_account_find_folder (env->account, LB_FOLDER_ROLE_INBOX);

  g_assert_nonnull (inbox);
  *out_list = lb_engine_open_folder (env->engine, lb_folder_get_id (inbox));
  g_assert_true (lb_test_wait_n_items (G_LIST_MODEL (*out_list), 1, 30));
  return g_list_model_get_item (G_LIST_MODEL (*out_list), 0);
}

static void
edit_signature_and_alias (LbTestEnv *env)
{
  LbAccountEditor *editor = open_editor (env);
  GtkWidget *root = GTK_WIDGET (editor);
  GtkWidget *row;

  set_text_view (find (root, "editor-signature"), "Alice\nExample Ltd");
  gtk_widget_activate_action (root, "editor.add-alias", NULL);
  row = find (root, "editor-alias-row");
  gtk_editable_set_text (GTK_EDITABLE (find (row, "editor-alias-email")), "sales@example.com");
  gtk_editable_set_text (GTK_EDITABLE (find (row, "editor-alias-name")), "Example Sales");
  set_text_view (find (row, "editor-alias-signature"), "The Sales Team");
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  shoot (root, "account-editor-alias", TRUE);
  g_assert_true (save (editor));
  refresh_account (env);
  g_assert_cmpstr (lb_account_get_signature (env->account), ==, "Alice\nExample Ltd");
  g_assert_cmpuint (lb_account_get_aliases (env->account)->len, ==, 1);
}

static void
test_alias_reply_and_signature (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static (to_alias, sizeof to_alias - 1);
  g_autoptr(LbMessage) message = NULL;
  g_autoptr(GPtrArray) received = NULL;
  g_autofree char *body = NULL;
  g_autofree char *got = NULL;
  LbTestEnvOptions options = { .smtp = TRUE, .display_name = "爱丽丝" };
  LbTestEnv env = { 0 };
  LbMessageList *list = NULL;
  LbComposer *composer;
  GtkWidget *subject, *text;
  LbTestSmtpMessage *sent;

  lb_test_env_start_servers (&env, &options);
  g_assert_true (lb_test_servers_deliver (env.servers, LB_TEST_ENV_USER, "INBOX", raw, NULL, &error));
  lb_test_env_open_profile (&env);
  lb_test_env_add_account (&env);
  edit_signature_and_alias (&env);
  lb_test_env_sync_ok (&env);
  message = first_inbox_message (&env, &list);

  lb_composer_open_reply (NULL, env.engine, message, FALSE);
  composer = find_composer ();
  g_assert_nonnull (composer);
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  subject = find (GTK_WIDGET (composer), "subject");
  text = find (GTK_WIDGET (composer), "body");
  LB_UI_TEST_WAIT_UNTIL (*gtk_editable_get_text (GTK_EDITABLE (subject)) != '\0');

  /* Sent to the alias: the reply is from the alias, with its signature above the quote. */
  g_assert_nonnull (strstr (selected_from (composer), "sales@example.com"));
  body = text_view_get (text);
  g_assert_nonnull (g_strstr_len (body, -1, "\n\n-- \nThe Sales Team\n\n"));
  g_assert_true (strstr (body, "-- \nThe Sales Team") < strstr (body, "> Could you"));
  g_clear_pointer (&body, g_free);

  /* Another From swaps the signature and keeps what was typed. */
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (text)),
                                    "Here it is.", -1);
  select_from (composer, LB_TEST_ENV_USER);
  body = text_view_get (text);
  g_assert_true (g_str_has_prefix (body, "Here it is.\n\n-- \nAlice\nExample Ltd\n\n"));
  g_assert_null (strstr (body, "The Sales Team"));
  g_clear_pointer (&body, g_free);
  select_from (composer, "sales@example.com");
  body = text_view_get (text);
  g_assert_true (g_str_has_prefix (body, "Here it is.\n\n-- \nThe Sales Team\n\n"));

  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  lb_ui_test_wait_until_gone ((gpointer *) &composer);
  received = lb_test_servers_wait_smtp (env.servers, 1, 20000);
  g_assert_cmpuint (received->len, ==, 1);
  sent = g_ptr_array_index (received, 0);
  g_assert_cmpstr (sent->mail_from, ==, "sales@example.com");
  g_assert_true (g_file_get_contents (sent->path, &got, NULL, NULL));
  g_assert_nonnull (strstr (got, "From: Example Sales <sales@example.com>"));
  g_assert_nonnull (strstr (got, "The Sales Team"));

  /* With the preference, the next reply has it after the quote. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_string (settings, "signature-position", "below-quote");
    lb_composer_open_reply (NULL, env.engine, message, FALSE);
    composer = find_composer ();
    g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
    subject = find (GTK_WIDGET (composer), "subject");
    text = find (GTK_WIDGET (composer), "body");
    LB_UI_TEST_WAIT_UNTIL (*gtk_editable_get_text (GTK_EDITABLE (subject)) != '\0');
    g_clear_pointer (&body, g_free);
    body = text_view_get (text);
    g_assert_true (g_str_has_suffix (body, "\n\n-- \nThe Sales Team"));
    g_assert_true (strstr (body, "> Could you") < strstr (body, "-- \nThe Sales Team"));
    gtk_widget_activate_action (GTK_WIDGET (composer), "composer.discard", NULL);
    lb_ui_test_wait_until_gone ((gpointer *) &composer);
    g_settings_reset (settings, "signature-position");
  }

  g_object_unref (list);
  lb_test_env_stop (&env);
}

/* New mail ends with the signature; a window left as it opened has nothing to keep. */
static void
test_new_message_signature (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccountSettings) settings = NULL;
  g_autoptr(LbAccount) updated = NULL;
  g_autofree char *body = NULL;
  g_autofree char *drafts = g_build_filename (g_get_user_data_dir (), "letterbox", "drafts", NULL);
  g_autoptr(GDir) dir = NULL;
  LbTestEnv env = { 0 };
  LbComposer *composer;

  start_env (&env);
  settings = lb_account_dup_settings (env.account);
  settings->signature = g_strdup ("Alice");
  lb_engine_update_account_async (env.engine, env.account, settings, NULL, NULL,
                                  lb_test_got_result, &env.result);
  updated = lb_engine_update_account_finish (env.engine, lb_test_env_wait (&env), &error);
  g_assert_no_error (error);
  g_set_object (&env.account, updated);

  lb_composer_open_new (NULL, env.engine);
  composer = find_composer ();
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  body = text_view_get (find (GTK_WIDGET (composer), "body"));
  g_assert_cmpstr (body, ==, "\n\n-- \nAlice");
  gtk_window_close (GTK_WINDOW (composer));
  lb_ui_test_wait_until_gone ((gpointer *) &composer);
  /* Saving would have started at the close: give its thread the time to write. */
  lb_test_iterate_for (500);
  dir = g_dir_open (drafts, 0, NULL);
  g_assert_true (dir == NULL || g_dir_read_name (dir) == NULL);
  /* -1: the server never even made the folder. */
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, LB_TEST_ENV_USER, "Drafts", NULL),
                   <=, 0);
  lb_test_env_stop (&env);
}

/* ---- From the sidebar: a failing account ------------------------------------------------- */

static LbTestServers *failing_servers;

static gboolean
mapped_widget (gpointer data)
{
  const char **lookup = data;
  GtkWindow *window = lb_ui_test_find_toplevel (LB_TYPE_WINDOW);
  GtkWidget *w = window != NULL ? lb_ui_test_find_widget (GTK_WIDGET (window), lookup[0]) : NULL;

  return w != NULL && gtk_widget_get_mapped (w);
}

static gboolean
editor_open (gpointer data)
{
  return lb_ui_test_find_toplevel (LB_TYPE_ACCOUNT_EDITOR) != NULL;
}

static gboolean
account_healthy (gpointer data)
{
  LbEngine *engine = data;
  g_autoptr(LbAccount) account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);

  return lb_account_get_status (account) != LB_ACCOUNT_STATUS_ERROR
         && lb_account_get_last_error (account) == NULL
         && lb_account_get_inbox_unread (account) > 0;
}

static void
fix_from_sidebar (GApplication *application)
{
  LbWindow *window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (application)));
  LbEngine *engine = lb_application_get_engine (LB_APPLICATION (application));
  const char *error_button[] = { "account-error-button" };
  LbAccountEditor *editor;
  GtkWidget *edit;

  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (lb_test_wait_until (mapped_widget, error_button, 60));
  gtk_menu_button_popup (GTK_MENU_BUTTON (lb_ui_test_find_widget (GTK_WIDGET (window),
                                                                  "account-error-button")));
  lb_ui_test_wait_for_frame (GTK_WIDGET (window));
  edit = lb_ui_test_find_button (GTK_WIDGET (window), "_Edit Account");
  g_assert_nonnull (edit);
  g_signal_emit_by_name (edit, "clicked");
  g_assert_true (lb_test_wait_until (editor_open, NULL, 10));
  editor = LB_ACCOUNT_EDITOR (lb_ui_test_find_toplevel (LB_TYPE_ACCOUNT_EDITOR));
  lb_ui_test_wait_for_frame (GTK_WIDGET (editor));
  /* The account fails, but the editor opens on its settings, not on an error. */
  g_assert_false (gtk_widget_get_visible (find (GTK_WIDGET (editor), "editor-error")));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find (GTK_WIDGET (editor),
                                                                      "editor-address-row"))),
                   ==, "alice@example.com");

  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.change-password", NULL);
  gtk_editable_set_text (GTK_EDITABLE (find (GTK_WIDGET (editor), "editor-new-password-row")),
                         lb_test_servers_get_password (failing_servers, "alice@example.com"));
  g_assert_true (save (editor));
  g_assert_true (lb_test_wait_until (account_healthy, engine, 60));
}

/* The sidebar's Edit Account, on an account whose password the server refuses, opens the
 * editor; the right password fixes the account. */
static void
test_edit_from_sidebar (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:2:1", NULL };
  LbTestServersOptions options = { .corpus = corpus, .no_smtp = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbEngine) engine = NULL;
  g_autoptr(LbAccount) account = NULL;
  g_autoptr(LbAccount) broken = NULL;
  g_autoptr(LbAccountSettings) settings = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-ui-editor-XXXXXX", &error);
  GAsyncResult *result = NULL;

  g_assert_no_error (error);
  failing_servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);
  g_setenv ("LETTERBOX_DATA_DIR", dir, TRUE);
  engine = lb_engine_new (dir, &error);
  g_assert_no_error (error);
  account = lb_test_add_account (engine, failing_servers, 0, "alice@example.com", NULL, FALSE);
  /* The keyring gets a password the server refuses (as after a change on the web). */
  settings = lb_account_dup_settings (account);
  lb_engine_update_account_async (engine, account, settings, "not-any-more", NULL,
                                  lb_test_got_result, &result);
  broken = lb_engine_update_account_finish (engine, lb_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  lb_engine_shutdown (engine);
  g_clear_object (&broken);
  g_clear_object (&account);
  g_clear_object (&engine);

  lb_ui_test_run_application (G_APPLICATION (lb_application_new ()), fix_from_sidebar);
  g_clear_pointer (&failing_servers, lb_test_servers_stop);
  g_unsetenv ("LETTERBOX_DATA_DIR");
}

/* ---- The proxy ---------------------------------------------------------------------------- */

static void
test_proxy_sync_and_send (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccountSettings) settings = NULL;
  g_autoptr(LbDraft) draft = lb_draft_new ();
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GPtrArray) received = NULL;
  g_auto(GStrv) rcpts = NULL;
  LbTestEnv env = { 0 };
  g_autoptr(LbTestSocks) socks = NULL;
  LbAccountEditor *editor;
  GtkWidget *root;
  guint16 imap_port, smtp_port;

  start_env (&env);
  socks = lb_test_socks_start (env.profile);
  settings = lb_account_dup_settings (env.account);
  imap_port = settings->imap->port;
  smtp_port = settings->smtp->port;

  /* Set in the editor: Save checks the servers through the proxy already. */
  editor = open_editor (&env);
  root = GTK_WIDGET (editor);
  adw_combo_row_set_selected (ADW_COMBO_ROW (find (root, "editor-proxy-mode")), 2);
  g_assert_true (gtk_widget_get_visible (find (root, "editor-proxy-host")));
  gtk_editable_set_text (GTK_EDITABLE (find (root, "editor-proxy-host")), "127.0.0.1");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find (root, "editor-proxy-port")), lb_test_socks_get_port (socks));
  g_assert_true (save (editor));
  refresh_account (&env);
  g_assert_true (g_str_has_prefix (lb_account_get_proxy (env.account), "socks5h://127.0.0.1:"));
  g_assert_cmpuint (lb_test_socks_count (socks, imap_port), >=, 1);
  g_assert_cmpuint (lb_test_socks_count (socks, smtp_port), >=, 1);

  lb_test_env_sync_ok (&env);
  g_assert_cmpuint (lb_test_socks_count (socks, imap_port), >=, 2);

  draft->from = lb_mailbox_new ("爱丽丝", LB_TEST_ENV_USER);
  g_ptr_array_add (draft->to, lb_mailbox_new (NULL, "bob@example.org"));
  draft->subject = g_strdup ("through the proxy");
  draft->body = g_strdup ("hello\n");
  raw = lb_draft_build (draft, LB_DRAFT_BUILD_DEFAULT, NULL);
  rcpts = lb_draft_dup_recipients (draft);
  lb_engine_send_async (env.engine, env.account, raw, (const char * const *) rcpts, NULL,
                        lb_test_got_result, &env.result);
  g_assert_true (lb_engine_send_finish (env.engine, lb_test_env_wait (&env), NULL, &error));
  g_assert_no_error (error);
  received = lb_test_servers_wait_smtp (env.servers, 1, 20000);
  g_assert_cmpuint (received->len, ==, 1);
  g_assert_cmpuint (lb_test_socks_count (socks, smtp_port), >=, 2);

  g_clear_pointer (&socks, lb_test_socks_stop);
  lb_test_env_stop (&env);
}

/* ---- Offline ---------------------------------------------------------------------------- */

/* "Keep mail on this computer" and the size limit: shown, changed and saved. */
static void
test_offline_setting (void)
{
  LbTestEnv env = { 0 };
  LbAccountEditor *editor;
  GtkWidget *root;

  start_env (&env);
  editor = open_editor (&env);
  root = GTK_WIDGET (editor);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (find (root, "editor-offline"))), ==, 0);
  g_assert_false (adw_expander_row_get_enable_expansion (ADW_EXPANDER_ROW (find (root, "editor-offline-limit"))));

  /* The last month, and messages over 25 MB left on the server. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (find (root, "editor-offline")), 3);
  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (find (root, "editor-offline-limit")), TRUE);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (find (root, "editor-offline-limit")), TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find (root, "editor-offline-limit-mb")), 25);
  gtk_widget_grab_focus (find (root, "editor-offline"));
  shoot (root, "account-editor-offline", TRUE);
  g_assert_true (save (editor));
  refresh_account (&env);
  g_assert_cmpint (lb_account_get_offline_days (env.account), ==, 30);
  g_assert_cmpuint (lb_account_get_offline_max_mb (env.account), ==, 25);

  /* Shown again as saved; headers only, and no limit. */
  editor = open_editor (&env);
  root = GTK_WIDGET (editor);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (find (root, "editor-offline"))), ==, 3);
  g_assert_true (adw_expander_row_get_enable_expansion (ADW_EXPANDER_ROW (find (root, "editor-offline-limit"))));
  adw_combo_row_set_selected (ADW_COMBO_ROW (find (root, "editor-offline")), 4);
  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (find (root, "editor-offline-limit")), FALSE);
  g_assert_true (save (editor));
  refresh_account (&env);
  g_assert_cmpint (lb_account_get_offline_days (env.account), ==, -1);
  g_assert_cmpuint (lb_account_get_offline_max_mb (env.account), ==, 0);
  lb_test_env_stop (&env);
}

static gboolean
subtitle_has_size (gpointer data)
{
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (data));

  return subtitle != NULL && strstr (subtitle, "·") != NULL;
}

/* Preferences show each account's downloaded mail; "Remove Downloaded Messages" asks, then
 * empties it and sets the account to headers only. */
static void
test_remove_downloaded (void)
{
  const char * const corpus[] = { LB_TEST_ENV_USER ":INBOX:40:61", NULL };
  LbTestEnvOptions options = { .corpus = corpus };
  LbTestEnv env = { 0 };
  GtkWidget *preferences;
  GtkWidget *row;
  GtkWidget *dialog;
  guint remaining = 1;
  LbDiskUse use;

  lb_test_env_start (&env, &options);
  lb_test_env_sync_ok (&env);
  while (remaining > 0)
    {
      g_autoptr(GError) error = NULL;

      lb_account_download_async (env.account, NULL, lb_test_got_result, &env.result);
      g_assert_true (lb_account_download_finish (env.account, lb_test_env_wait (&env), &remaining,
                                                 NULL, &error));
    }
  preferences = lb_preferences_window_new (env.engine);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "accounts");
  gtk_window_set_default_size (GTK_WINDOW (preferences), 640, 720);
  gtk_window_present (GTK_WINDOW (preferences));
  lb_ui_test_wait_for_frame (preferences);
  row = find (preferences, "preferences-storage-row");
  g_assert_true (lb_test_wait_until (subtitle_has_size, row, 30));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "40"));
  g_assert_true (gtk_widget_get_sensitive (find (row, "preferences-remove-downloaded-button")));
  shoot (preferences, "preferences-disk-use", FALSE);

  g_signal_emit_by_name (find (row, "preferences-remove-downloaded-button"), "clicked");
  lb_test_iterate_for (100);
  dialog = GTK_WIDGET (lb_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  if (screenshot_dir != NULL)
    {
      const char *lang = g_str_has_prefix (g_get_language_names ()[0], "zh") ? "zh" : "en";
      g_autofree char *file = g_strdup_printf ("preferences-remove-downloaded-%s.png", lang);

      lb_ui_test_save_screenshot (dialog, screenshot_dir, file);
    }
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "remove");
  /* A click closes the dialog after its response; emitting the response does not. */
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* The account was rebuilt (headers only), and the list with it. */
  row = NULL;
  for (guint i = 0; i < 300 && row == NULL; i++)
    {
      GtkWidget *candidate;

      lb_test_iterate_for (50);
      refresh_account (&env);
      candidate = find (preferences, "preferences-storage-row");
      if (lb_account_get_offline_days (env.account) == -1 &&
          g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (candidate)),
                     g_dgettext (GETTEXT_PACKAGE, "No messages downloaded")) == 0)
        row = candidate;
    }
  g_assert_nonnull (row);
  g_assert_false (gtk_widget_get_sensitive (find (row, "preferences-remove-downloaded-button")));
  lb_account_get_disk_use_async (env.account, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_account_get_disk_use_finish (env.account, lb_test_env_wait (&env), &use, NULL));
  g_assert_cmpuint (use.n_bodies, ==, 0);
  g_assert_cmpuint (use.n_messages, ==, 40);
  shoot (preferences, "preferences-disk-use-removed", FALSE);
  gtk_window_destroy (GTK_WINDOW (preferences));
  /* The rows' last measurements hold them, and the engine, until they are answered. */
  lb_engine_wait_idle (env.engine);
  lb_test_iterate_for (200);
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSettings) settings = NULL;

  screenshot_dir = lb_ui_test_init_app_test (&argc, &argv);
  adw_init ();
  /* The composer sends at once: no Undo Send delay. */
  settings = g_settings_new (APP_ID);
  g_settings_set_int (settings, "undo-send-delay", 0);
  g_test_add_func ("/ui/account-editor/opens-clean", test_opens_clean);
  g_test_add_func ("/ui/account-editor/wrong-password-refused", test_wrong_password_refused);
  g_test_add_func ("/ui/account-editor/wrong-server-refused", test_wrong_server_refused);
  g_test_add_func ("/ui/account-editor/code-spaces-stripped", test_code_spaces_stripped);
  g_test_add_func ("/ui/account-editor/oauth2-account", test_oauth2_account);
  g_test_add_func ("/ui/account-editor/alias-reply-and-signature", test_alias_reply_and_signature);
  g_test_add_func ("/ui/account-editor/new-message-signature", test_new_message_signature);
  g_test_add_func ("/ui/account-editor/edit-from-sidebar", test_edit_from_sidebar);
  g_test_add_func ("/ui/account-editor/proxy-sync-and-send", test_proxy_sync_and_send);
  g_test_add_func ("/ui/account-editor/offline-setting", test_offline_setting);
  g_test_add_func ("/ui/account-editor/remove-downloaded", test_remove_downloaded);
  return g_test_run ();
}
