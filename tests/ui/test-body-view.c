/* test-body-view.c: the reader without its web view module
 *
 * The web view is a module loaded at run time (src/ui/lb-body-view.c).  An installation
 * that lacks it must not crash or show an empty pane: the reader says what is missing.
 * This process never loads the module (LETTERBOX_MODULE_DIR points at an empty directory),
 * so it needs no WebKit and no server: the message comes from a store filled directly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "lb-body-view.h"
#include "lb-engine.h"
#include "lb-reader.h"
#include "lb-store.h"
#include "lb-ui-test-util.h"

static char *profile;
static gint64 message_id;

static void
fill_profile (void)
{
  g_autofree char *db = g_build_filename (profile, "letterbox.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = lb_store_open (db, LB_STORE_OPEN_DEFAULT, &error);
  g_autoptr(LbStoreAccount) account = lb_store_account_new ();
  g_autoptr(LbStoreFolder) folder = lb_store_folder_new ();
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
  g_autoptr(GBytes) body = NULL;
  LbStoreFetched *f = lb_store_fetched_new ();
  static const char raw[] =
    "From: Zhang Wei <zhangwei@example.cn>\r\n"
    "To: alice@example.com\r\n"
    "Subject: module missing\r\n"
    "Date: Mon, 2 Mar 2026 10:00:00 +0800\r\n"
    "Message-ID: <no-module@test>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>正文</p>\r\n";
  gint64 folder_id;

  g_assert_no_error (error);
  account->email = g_strdup ("alice@example.com");
  /* Nothing listens there; the engine is never started anyway. */
  account->imap_host = g_strdup ("127.0.0.1");
  account->imap_port = 9;
  g_assert_true (lb_store_add_account (store, account, &error));
  g_assert_no_error (error);

  folder->account_id = account->id;
  folder->raw_name = g_strdup ("INBOX");
  folder->display_name = g_strdup ("INBOX");
  folder->delimiter = g_strdup ("/");
  folder->role = LB_FOLDER_ROLE_INBOX;
  folder->selectable = TRUE;
  folder->uidvalidity = 1;
  folder_id = lb_store_upsert_folder (store, folder, &error);
  g_assert_no_error (error);

  f->uid = 1;
  f->message.message_id = g_strdup ("no-module@test");
  f->message.date = 1772416800;
  f->message.from_address = g_strdup ("zhangwei@example.cn");
  f->message.subject = g_strdup ("module missing");
  g_ptr_array_add (batch, f);
  g_assert_true (lb_store_insert_messages (store, folder_id, batch, &error));
  g_assert_no_error (error);
  message_id = f->message.id;

  body = g_bytes_new_static (raw, strlen (raw));
  g_assert_true (lb_store_put_body (store, message_id, body, &error));
  g_assert_no_error (error);
}

static void
test_new_fails (void)
{
  g_autoptr(GError) error = NULL;

  g_test_expect_message ("Letterbox", G_LOG_LEVEL_WARNING, "Cannot load the message view*");
  g_assert_null (lb_body_view_new (&error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_test_assert_expected_messages ();
  g_assert_false (lb_body_view_is_loaded ());
}

static gboolean
shows_error (gpointer data)
{
  GtkStack *stack = GTK_STACK (lb_ui_test_find_widget (data, "reader-stack"));

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), "error") == 0;
}

static gboolean
on_timeout (gpointer data)
{
  g_error ("timed out waiting for the reader's error page");
  return G_SOURCE_REMOVE;
}

static void
test_reader_says_so (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbEngine) engine = lb_engine_new (profile, &error);
  g_autoptr(LbMessage) message = NULL;
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  LbReader *reader = lb_reader_new ();
  AdwStatusPage *page;
  guint timeout;

  g_assert_no_error (error);
  message = lb_engine_lookup_message (engine, message_id);
  g_assert_nonnull (message);

  lb_reader_set_engine (reader, engine);
  gtk_window_set_child (window, GTK_WIDGET (reader));
  gtk_window_present (window);
  lb_reader_set_message (reader, message);

  timeout = g_timeout_add_seconds (30, on_timeout, NULL);
  while (!shows_error (reader))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);

  /* The header is there; the body's place says what is missing. */
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lb_ui_test_find_widget (GTK_WIDGET (reader),
                                                                          "reader-subject"))),
                   ==, "module missing");
  page = ADW_STATUS_PAGE (lb_ui_test_find_widget (GTK_WIDGET (reader), "reader-error-page"));
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "letterbox-webview"));
  g_assert_null (lb_ui_test_find_widget (GTK_WIDGET (reader), "reader-web-view"));

  gtk_window_destroy (window);
  lb_engine_shutdown (engine);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *empty = NULL;
  g_autofree char *cmd = NULL;
  int status;

  lb_ui_test_setup_environment ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();

  profile = g_dir_make_tmp ("lb-body-view-XXXXXX", NULL);
  empty = g_build_filename (profile, "no-modules", NULL);
  g_mkdir (empty, 0700);
  g_setenv ("LETTERBOX_MODULE_DIR", empty, TRUE);
  fill_profile ();

  g_test_add_func ("/ui/body-view/new-fails", test_new_fails);
  g_test_add_func ("/ui/body-view/reader-says-so", test_reader_says_so);
  status = g_test_run ();

  cmd = g_strdup_printf ("rm -rf '%s'", profile);
  if (system (cmd) != 0)
    g_printerr ("could not remove %s\n", profile);
  g_free (profile);
  return status;
}
