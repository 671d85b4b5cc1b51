/* test-list-model.c: a message list shows its newest rows at once and the rest soon after
 *
 * A new list reads only the newest messages on the main thread, so that a window on a
 * million messages paints at once; a background reload brings the rest.  No server: the
 * store is filled directly and the engine is never started.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-store.h"
#include "lb-test-env.h"

#define N_BIG 1500
#define N_SMALL 20

static gint64
fill_folder (LbStore    *store,
             gint64      account_id,
             const char *name,
             guint       count)
{
  g_autoptr(LbStoreFolder) folder = lb_store_folder_new ();
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
  g_autoptr(GError) error = NULL;
  gint64 folder_id;

  folder->account_id = account_id;
  folder->raw_name = g_strdup (name);
  folder->display_name = g_strdup (name);
  folder->role = g_str_equal (name, "INBOX") ? LB_FOLDER_ROLE_INBOX : LB_FOLDER_ROLE_NONE;
  folder->selectable = TRUE;
  folder_id = lb_store_upsert_folder (store, folder, &error);
  g_assert_no_error (error);
  for (guint i = 1; i <= count; i++)
    {
      LbStoreFetched *f = lb_store_fetched_new ();

      f->uid = i;
      f->message.message_id = g_strdup_printf ("%s-%u@example.com", name, i);
      f->message.date = 1700000000 + i;
      f->message.subject = g_strdup_printf ("%s %u", name, i);
      g_ptr_array_add (batch, f);
    }
  g_assert_true (lb_store_insert_messages (store, folder_id, batch, &error));
  g_assert_no_error (error);
  return folder_id;
}

static void
assert_newest_first (GListModel *list,
                     guint       n)
{
  gint64 last = G_MAXINT64;

  g_assert_cmpuint (g_list_model_get_n_items (list), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (list, i);

      g_assert_cmpint (lb_message_get_date_unix (m), <, last);
      last = lb_message_get_date_unix (m);
    }
}

static void
test_big_list_completes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-list-XXXXXX", &error);
  g_autofree char *db = g_build_filename (profile, "letterbox.db", NULL);
  g_autoptr(LbEngine) engine = NULL;
  g_autoptr(LbMessageList) small = NULL;
  LbMessageList *unified;
  gint64 small_id;

  {
    g_autoptr(LbStore) store = lb_store_open (db, LB_STORE_OPEN_DEFAULT, &error);
    g_autoptr(LbStoreAccount) account = lb_store_account_new ();

    g_assert_no_error (error);
    account->email = g_strdup ("alice@example.com");
    account->imap_host = g_strdup ("127.0.0.1");
    account->imap_port = 9;
    g_assert_true (lb_store_add_account (store, account, &error));
    g_assert_no_error (error);
    fill_folder (store, account->id, "INBOX", N_BIG);
    small_id = fill_folder (store, account->id, "Small", N_SMALL);
  }

  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  unified = lb_engine_get_unified_inbox (engine);
  /* The first rows are there at once, newest first; the rest follow. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (unified)), >, 0);
  {
    g_autoptr(LbMessage) first = g_list_model_get_item (G_LIST_MODEL (unified), 0);
    g_assert_cmpint (lb_message_get_date_unix (first), ==, 1700000000 + N_BIG);
  }
  g_assert_true (lb_test_wait_n_items (G_LIST_MODEL (unified), N_BIG, 30));
  assert_newest_first (G_LIST_MODEL (unified), N_BIG);
  g_assert_cmpuint (lb_message_list_get_unread (unified), ==, N_BIG);

  /* A small folder is complete at once. */
  small = lb_engine_open_folder (engine, small_id);
  assert_newest_first (G_LIST_MODEL (small), N_SMALL);

  g_clear_object (&small);
  lb_engine_shutdown (engine);
  g_clear_object (&engine);
  lb_test_rm_rf (profile);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/list-model/big-list-completes", test_big_list_completes);
  return g_test_run ();
}
