/* bench-store.c: timings of the store's list queries over 100,000 messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-store [N_MESSAGES]
 *
 * Fills a temporary store with two accounts (an INBOX each holding 60% and
 * 40% of the messages, plus 10,000 of them again in Gmail's All Mail) and
 * prints how long each list query takes.  It asserts nothing about time:
 * the numbers are for people, and for the comment in lb-store-list.c.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include "lb-store.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* The process's CPU time: steadier than the wall clock on a busy machine. */
static double
cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      rm_rf (child);
    }
  g_remove (path);
}

static gint64
add_account (LbStore    *store,
             const char *email)
{
  g_autoptr(LbStoreAccount) a = lb_store_account_new ();
  g_autoptr(GError) error = NULL;

  a->email = g_strdup (email);
  a->imap_host = g_strdup ("imap.example.com");
  a->imap_port = 993;
  if (!lb_store_add_account (store, a, &error))
    g_error ("%s", error->message);
  return a->id;
}

static gint64
add_folder (LbStore      *store,
            gint64        account_id,
            const char   *name,
            LbFolderRole  role)
{
  g_autoptr(LbStoreFolder) f = lb_store_folder_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  f->account_id = account_id;
  f->raw_name = g_strdup (name);
  f->role = role;
  id = lb_store_upsert_folder (store, f, &error);
  if (id == 0)
    g_error ("%s", error->message);
  return id;
}

/* Inserts messages [first, first + count) into the folder, 500 per batch. */
static void
fill (LbStore *store,
      gint64   folder_id,
      guint    first,
      guint    count,
      gboolean gmail)
{
  for (guint done = 0; done < count; )
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                   lb_store_fetched_free);
      g_autoptr(GError) error = NULL;
      guint n = MIN (500, count - done);

      for (guint i = 0; i < n; i++)
        {
          guint k = first + done + i;
          LbStoreFetched *f = lb_store_fetched_new ();

          f->uid = done + i + 1;
          f->flags = k % 7 == 0 ? 0 : 1;
          f->message.message_id = g_strdup_printf ("%u.bench@example.com", k);
          f->message.gm_msgid = gmail ? 100000000 + k : 0;
          /* Spread the two accounts' dates so they interleave. */
          f->message.date = 1600000000 + (gint64) k * 37 % 100000000;
          f->message.size = 2000 + k % 5000;
          /* As the sync gives it: every message then has an arrival time to store and
           * look up (lb-store-messages.c). */
          f->internaldate = f->message.date;
          f->message.from_name = g_strdup_printf ("Sender %u", k % 500);
          f->message.from_address = g_strdup_printf ("sender%u@example.com", k % 500);
          f->message.to = g_strdup ("Me <me@example.com>");
          f->message.subject = g_strdup_printf ("关于第 %u 号项目的季度会议纪要 (meeting notes)", k);
          f->message.preview = g_strdup ("Hello, here are the notes from today's meeting; "
                                         "please review them before Friday.");
          g_ptr_array_add (batch, f);
        }
      if (!lb_store_insert_messages (store, folder_id, batch, &error))
        g_error ("%s", error->message);
      done += n;
    }
}

static void
time_page (LbStore    *store,
           gint64      folder_id,
           guint       offset,
           const char *label)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  double t0, best = G_MAXDOUBLE;

  for (guint r = 0; r < 5; r++)
    {
      g_clear_pointer (&rows, g_ptr_array_unref);
      t0 = now_ms ();
      rows = lb_store_list_page (store, folder_id, offset, 50, &error);
      best = MIN (best, now_ms () - t0);
      if (rows == NULL)
        g_error ("%s", error->message);
    }
  g_print ("%-44s %8.3f ms  (%u rows)\n", label, best, rows->len);
}

/* The keyset alternative, for comparison: the next page after a known
 * (date, id).  Not in the API; see the comment in lb-store-list.c. */
static void
time_keyset (const char *path)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  double t0, best = G_MAXDOUBLE;
  guint n = 0;

  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  sqlite3_prepare_v2 (db,
                      "SELECT m.id, l.date, m.subject FROM locations l JOIN messages m "
                      "ON m.id = l.message_id WHERE l.unified = 1 AND (l.date, l.id) < (?1, ?2) "
                      "ORDER BY l.date DESC, l.id DESC LIMIT 50",
                      -1, &stmt, NULL);
  for (guint r = 0; r < 5; r++)
    {
      t0 = now_ms ();
      sqlite3_bind_int64 (stmt, 1, 1600000000 + 1000);
      sqlite3_bind_int64 (stmt, 2, G_MAXINT64);
      n = 0;
      while (sqlite3_step (stmt) == SQLITE_ROW)
        n++;
      sqlite3_reset (stmt);
      best = MIN (best, now_ms () - t0);
    }
  g_print ("%-44s %8.3f ms  (%u rows)\n", "unified keyset page near the end", best, n);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = NULL;
  g_autoptr(LbStore) reader = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  guint n1 = n * 6 / 10;
  gint64 a1, a2, in1, in2, all1;
  guint total = 0, unread = 0;
  double t0, c0;

  dir = g_dir_make_tmp ("lb-bench-store-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "letterbox.db", NULL);

  store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  a1 = add_account (store, "alice@gmail.com");
  a2 = add_account (store, "bob@example.com");
  in1 = add_folder (store, a1, "INBOX", LB_FOLDER_ROLE_INBOX);
  all1 = add_folder (store, a1, "[Gmail]/All Mail", LB_FOLDER_ROLE_ALL);
  in2 = add_folder (store, a2, "INBOX", LB_FOLDER_ROLE_INBOX);

  t0 = now_ms ();
  c0 = cpu_ms ();
  fill (store, in1, 0, n1, TRUE);
  fill (store, in2, n1, n - n1, FALSE);
  g_print ("%-44s %8.0f ms  (%u messages, batches of 500; CPU %.0f ms, %.1f us a message)\n",
           "insert", now_ms () - t0, n, cpu_ms () - c0, (cpu_ms () - c0) * 1000.0 / n);
  t0 = now_ms ();
  fill (store, all1, 0, MIN (10000, n1), TRUE);
  g_print ("%-44s %8.0f ms\n", "insert 10,000 Gmail duplicates (dedupe)", now_ms () - t0);

  reader = lb_store_open (path, LB_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);

  t0 = now_ms ();
  if (!lb_store_count_messages (reader, LB_STORE_UNIFIED_INBOX, &total, &unread, &error))
    g_error ("%s", error->message);
  g_print ("%-44s %8.3f ms  (%u, %u unread)\n", "unified count + unread (cold)", now_ms () - t0,
           total, unread);
  t0 = now_ms ();
  lb_store_count_messages (reader, LB_STORE_UNIFIED_INBOX, &total, &unread, &error);
  g_print ("%-44s %8.3f ms\n", "unified count + unread (warm)", now_ms () - t0);
  t0 = now_ms ();
  lb_store_count_messages (reader, in1, &total, &unread, &error);
  g_print ("%-44s %8.3f ms  (%u, %u unread)\n", "folder count + unread", now_ms () - t0,
           total, unread);

  time_page (reader, LB_STORE_UNIFIED_INBOX, 0, "unified first page (50)");
  time_page (reader, LB_STORE_UNIFIED_INBOX, n / 2, "unified page at the middle");
  time_page (reader, LB_STORE_UNIFIED_INBOX, n - 50, "unified last page");
  time_page (reader, in1, 0, "folder first page (50)");
  time_page (reader, in1, n1 - 50, "folder last page");
  time_keyset (path);

  {
    g_autoptr(GArray) flags = NULL;
    g_autoptr(GArray) counts = NULL;

    t0 = now_ms ();
    flags = lb_store_get_folder_flags (reader, all1, &error);
    g_print ("%-44s %8.3f ms  (%u rows)\n", "get folder flags", now_ms () - t0, flags->len);
    t0 = now_ms ();
    counts = lb_store_get_folder_counts (reader, 0, &error);
    g_print ("%-44s %8.3f ms  (%u folders)\n", "all folder counts", now_ms () - t0, counts->len);
  }

  g_clear_object (&reader);
  g_clear_object (&store);
  rm_rf (dir);
  return 0;
}
