/* bench-ui-list.c: cold start to the first painted unified list, memory, opening a message
 *
 * Fills a temporary profile with 100,000 cached messages (or as many as the first argument
 * says: `bench-ui-list 1000000`) over three accounts (straight into the store, as a sync
 * would leave them; the newest have their bodies cached, HTML in Chinese and plain text),
 * then starts the application on it in a child process, several times.  The child reports:
 *  - the time from its spawn to the first frame whose message list shows rows (a
 *    GdkFrameClock "after-paint" callback that checks the list has mapped rows), and the CPU
 *    time it used until then (less sensitive to a busy machine than the wall clock);
 *  - its resident memory at that frame, before the window prepares the web view (which it
 *    does at the first idle moment after the list is painted), a second later, and half a
 *    second after the prepared web view appeared (when, is printed too), no message open;
 *  - the time from selecting a cached message in the list to the frame after the body view
 *    finished loading it (LbBodyView::body-loaded, i.e. WebKit's LOAD_FINISHED, then the
 *    next "after-paint"): first for one message, once the web view the window prepares by
 *    itself is there, then for a second, different one; and, in other
 *    runs, the first message after the pointer rested on the message list for a second
 *    (the window then gets the web view ready, see on_message_list_entered).
 * The same runs are repeated with GDK_DEBUG=gl-disable: under Xvfb GTK 4.8 loads Mesa's
 * llvmpipe at display open to pick a visual, even with GSK_RENDERER=cairo, and that memory
 * is the driver's, not the application's.  Figures are printed with their ratio to the
 * targets; nothing fails on timings.  LB_BENCH_RUNS sets the number of runs (default 5).
 *
 * Two messages in three are replies (In-Reply-To and References to the one before), so the
 * list with conversations on shows about a third as many rows.  The runs above have
 * conversations off (the plain list); one more set of default runs has them on, and its
 * cold start and the list model's bytes per message (the heap the LbMessageList of one
 * account's inbox takes, measured in the child with mallinfo2()) are printed next to the
 * plain list's.  Migration 015 (thread ids for the stores made before conversations) is
 * timed on a copy of the 100,000-message store.
 *
 * Run it headless (it is registered as a benchmark in tests/ui/meson.build):
 *   meson test -C _build --benchmark ui-list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lb-application.h"
#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-body-view.h"
#include "lb-message-row.h"
#include "lb-store.h"
#include "lb-store-locations.h"
#include "lb-store-private.h"
#include "lb-ui-test-util.h"
#include "lb-window.h"

#define N_MESSAGES 100000
#define N_ACCOUNTS 3
#define MAX_RUNS 15
#define N_BODIES 12
/* Issue 16's targets for a million messages; at fewer, the earlier ones. */
#define TARGET_START_S(n) ((n) >= 1000000 ? 0.3 : 0.5)
#define TARGET_RSS_MB(n) ((n) >= 1000000 ? 60.0 : 120.0)
#define TARGET_OPEN_S 0.150

/* ---- The child: the application --------------------------------------------- */

static gint64 spawn_time;
static gboolean reported;
static gboolean prepared;
static LbWindow *bench_window;
static gint64 open_started;
static guint opens_done;
static guint open_position;
static gboolean body_loaded;
static gulong after_paint_id;

static void open_next (void);
static gboolean open_next_source (gpointer data);
static gboolean connect_body_view (gpointer data);

static void
mark (const char *what)
{
  printf ("at %s %.3f\n", what, (g_get_monotonic_time () - spawn_time) / (double) G_USEC_PER_SEC);
}

static guint
count_rows (GtkWidget *widget)
{
  guint n = LB_IS_MESSAGE_ROW (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_rows (child);
  return n;
}

static gboolean
has_mapped_rows (GtkWidget *widget)
{
  if (LB_IS_MESSAGE_ROW (widget))
    return gtk_widget_get_mapped (widget) && lb_message_row_get_message (LB_MESSAGE_ROW (widget)) != NULL;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_mapped_rows (child))
      return TRUE;
  return FALSE;
}

static double
rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line != NULL ? g_ascii_strtod (line + strlen ("VmRSS:"), NULL) / 1024.0 : 0;
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / (double) G_USEC_PER_SEC;
}

/* LB_BENCH_SMAPS=DIR keeps /proc/self/smaps at each memory measurement, to see which
 * mappings the resident memory belongs to. */
static void
keep_smaps (const char *name)
{
  const char *dir = g_getenv ("LB_BENCH_SMAPS");
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  gsize length = 0;

  if (dir == NULL || !g_file_get_contents ("/proc/self/smaps", &contents, &length, NULL))
    return;
  path = g_strdup_printf ("%s/%s-%d.smaps", dir, name, (int) getpid ());
  g_file_set_contents (path, contents, length, NULL);
}

static gboolean
quit_now (gpointer data)
{
  g_action_group_activate_action (G_ACTION_GROUP (g_application_get_default ()), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static GtkWidget *
find_body_view (GtkWidget *widget)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, LB_TYPE_BODY_VIEW))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_body_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The frame after the body view finished loading: the body is on screen. */
static void
on_open_after_paint (GdkFrameClock *clock,
                     gpointer       data)
{
  if (!body_loaded)
    return;
  body_loaded = FALSE;
  printf ("open%u %.3f\n", opens_done, (g_get_monotonic_time () - open_started) / (double) G_USEC_PER_SEC);
  fflush (stdout);
  opens_done++;
  if (opens_done == 2)
    {
      g_signal_handler_disconnect (clock, after_paint_id);
      printf ("rss-open %.1f\n", rss_mb ());
      keep_smaps ("open");
      fflush (stdout);
      g_idle_add (quit_now, NULL);
    }
  else
    /* Let WebKit settle between the two, as a user would take a moment. */
    g_timeout_add (300, open_next_source, NULL);
}

static void
on_body_shown (LbBodyView *view,
               gboolean    html)
{
  printf ("at open%u-body-shown %.3f (%s)\n", opens_done,
          (g_get_monotonic_time () - open_started) / (double) G_USEC_PER_SEC,
          html ? "html" : "plain");
}

static void
on_body_loaded (LbBodyView *view)
{
  body_loaded = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (bench_window));
}

/* Selects the next message down the list whose body is cached, as a click would. */
static void
open_next (void)
{
  LbMessageListView *view = lb_window_get_message_list (bench_window);
  GListModel *list = G_LIST_MODEL (lb_message_list_view_get_list (view));
  LbEngine *engine = lb_window_get_engine (bench_window);

  for (; open_position < MIN (g_list_model_get_n_items (list), 200); open_position++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (list, open_position);
      g_autoptr(GBytes) body = lb_engine_get_cached_body (engine, lb_message_get_id (m));

      if (body != NULL)
        break;
    }
  if (open_position >= MIN (g_list_model_get_n_items (list), 200))
    {
      printf ("# no message with a cached body near the top of the list\n");
      g_idle_add (quit_now, NULL);
      return;
    }

  open_started = g_get_monotonic_time ();
  lb_message_list_view_select_position (view, open_position++);
  if (after_paint_id == 0)
    {
      after_paint_id = g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (bench_window)),
                                         "after-paint", G_CALLBACK (on_open_after_paint), NULL);
      /* The first reader makes its body view once the module is loaded, on a thread. */
      connect_body_view (NULL);
    }
}

static gboolean
connect_body_view (gpointer data)
{
  GtkWidget *body_view = find_body_view (GTK_WIDGET (bench_window));

  if (body_view == NULL)
    {
      g_timeout_add (1, connect_body_view, NULL);
      return G_SOURCE_REMOVE;
    }
  printf ("at open0-view-made %.3f\n", (g_get_monotonic_time () - open_started) / (double) G_USEC_PER_SEC);
  g_signal_connect (body_view, "body-loaded", G_CALLBACK (on_body_loaded), NULL);
  g_signal_connect (body_view, "body-shown", G_CALLBACK (on_body_shown), NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
open_next_source (gpointer data)
{
  open_next ();
  return G_SOURCE_REMOVE;
}

/* As if the pointer came onto the message list: the window's motion controller there. */
static void
pointer_enters_list (void)
{
  g_autoptr(GListModel) controllers =
    gtk_widget_observe_controllers (GTK_WIDGET (lb_window_get_message_list (bench_window)));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        g_signal_emit_by_name (controller, "enter", 10.0, 10.0);
    }
}

static gint64 first_rows_time;

/* The window prepares the web view by itself once the list is painted and it is idle:
 * waits until the view is there, then a little longer for WebKit's processes, as a user
 * who reads the list a moment before the first click. */
static gboolean
wait_for_prepared_view (gpointer data)
{
  static gint64 made;

  if (made == 0)
    {
      if (find_body_view (GTK_WIDGET (bench_window)) == NULL)
        return G_SOURCE_CONTINUE;
      made = g_get_monotonic_time ();
      printf ("prepared-after %.3f\n", (made - first_rows_time) / (double) G_USEC_PER_SEC);
      fflush (stdout);
    }
  if (g_get_monotonic_time () - made < G_USEC_PER_SEC / 2)
    return G_SOURCE_CONTINUE;
  printf ("rss-prepared %.1f\n", rss_mb ());
  keep_smaps ("prepared");
  open_next ();
  return G_SOURCE_REMOVE;
}

/* The heap one account's inbox list takes, per message of the inbox: its id array (and
 * with conversations, the scan's bitmap while it runs). */
static void
measure_list_model (void)
{
  LbEngine *engine = lb_window_get_engine (bench_window);
  LbMessageList *unified = lb_message_list_view_get_list (lb_window_get_message_list (bench_window));
  g_autoptr(LbMessage) first = g_list_model_get_item (G_LIST_MODEL (unified), 0);
  g_autoptr(LbMessageList) list = NULL;
  struct mallinfo2 before, after;
  guint n_messages;

  before = mallinfo2 ();
  list = lb_engine_open_folder (engine, lb_message_get_folder_id (first));
  after = mallinfo2 ();
  n_messages = N_MESSAGES / N_ACCOUNTS;
  printf ("list-rows %u\n", g_list_model_get_n_items (G_LIST_MODEL (list)));
  printf ("list-bytes-per-message %.2f\n",
          (double) (after.uordblks - before.uordblks) / n_messages);
}

static gboolean
measure_then_open (gpointer data)
{
  measure_list_model ();
  /* Memory with the window up and no message open. */
  printf ("rss %.1f\n", rss_mb ());
  printf ("at sqlite-heap %.1f MB\n", sqlite3_memory_used () / 1048576.0);
  fflush (stdout);
  keep_smaps ("window");
  if (prepared)
    {
      /* The pointer rests on the list for a second before the click. */
      pointer_enters_list ();
      g_timeout_add (1000, open_next_source, NULL);
    }
  else
    g_timeout_add (10, wait_for_prepared_view, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_after_paint (GdkFrameClock *clock,
                LbWindow      *window)
{
  GListModel *list;
  double seconds;

  if (reported)
    return;
  {
    static gboolean first = TRUE;
    if (first)
      mark ("first-paint");
    first = FALSE;
  }
  list = G_LIST_MODEL (lb_message_list_view_get_list (lb_window_get_message_list (window)));
  if (list == NULL || g_list_model_get_n_items (list) == 0
      || !has_mapped_rows (GTK_WIDGET (lb_window_get_message_list (window))))
    return;

  reported = TRUE;
  first_rows_time = g_get_monotonic_time ();
  seconds = (g_get_monotonic_time () - spawn_time) / (double) G_USEC_PER_SEC;
  printf ("first-rows %.3f %u\n", seconds, g_list_model_get_n_items (list));
  printf ("cpu %.3f\n", cpu_seconds ());
  /* Before the window gets the web view ready (it waits for the first idle moment after
   * this frame). */
  printf ("rss-painted %.1f\n", rss_mb ());
  keep_smaps ("painted");
  printf ("at row-widgets %u\n", count_rows (GTK_WIDGET (lb_window_get_message_list (window))));
  fflush (stdout);
  /* The window is up: a second's worth of settling (syncs failing, idles), then memory,
   * then messages are opened. */
  bench_window = window;
  g_timeout_add (1000, measure_then_open, NULL);
}

static void
on_startup (GApplication *app)
{
  mark ("startup-done");
}

static void
on_activate (GApplication *app)
{
  mark ("activate-done");
  LbWindow *window = LB_WINDOW (lb_application_get_main_window (LB_APPLICATION (app)));

  gtk_widget_realize (GTK_WIDGET (window));
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (on_after_paint), window);
}

static int
run_child (const char *spawned_at)
{
  g_autoptr(LbApplication) app = NULL;
  g_autoptr(GSettings) settings = NULL;

  spawn_time = g_ascii_strtoll (spawned_at, NULL, 10);
  mark ("main");
  lb_ui_test_setup_environment ();
  settings = g_settings_new (APP_ID);
  g_settings_set_boolean (settings, "conversations",
                          g_strcmp0 (g_getenv ("LB_BENCH_CONVERSATIONS"), "1") == 0);
  g_settings_set_int (settings, "window-width", 1200);
  g_settings_set_int (settings, "window-height", 800);
  app = lb_application_new ();
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  g_signal_connect_after (app, "startup", G_CALLBACK (on_startup), NULL);
  return g_application_run (G_APPLICATION (app), 0, NULL);
}

/* ---- The parent: the profile and the runs --------------------------------- */

static gint64
add_account (LbStore    *store,
             const char *email,
             const char *name)
{
  g_autoptr(LbStoreAccount) a = lb_store_account_new ();
  g_autoptr(GError) error = NULL;

  a->email = g_strdup (email);
  a->display_name = g_strdup (name);
  /* Nothing listens there: the accounts go offline at once and stay out of the way. */
  a->imap_host = g_strdup ("127.0.0.1");
  a->imap_port = 9;
  if (!lb_store_add_account (store, a, &error))
    g_error ("%s", error->message);
  return a->id;
}

static gint64
add_inbox (LbStore *store,
           gint64   account_id)
{
  g_autoptr(LbStoreFolder) f = lb_store_folder_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  f->account_id = account_id;
  f->raw_name = g_strdup ("INBOX");
  f->display_name = g_strdup ("INBOX");
  f->delimiter = g_strdup ("/");
  f->role = LB_FOLDER_ROLE_INBOX;
  f->selectable = TRUE;
  f->subscribed = TRUE;
  f->uidvalidity = 1;
  id = lb_store_upsert_folder (store, f, &error);
  if (id == 0)
    g_error ("%s", error->message);
  return id;
}

/* A newsletter-like HTML message in Chinese (tables, inline styles, no colours of its own
 * but links), about 20 KB, and a plain-text one. */
static GBytes *
make_body (guint    k,
           gboolean html)
{
  GString *raw = g_string_new (NULL);
  const char *boundary = "=-lb-bench-boundary";

  g_string_append_printf (raw,
                          "From: =?UTF-8?B?5Y+R5Lu25Lq6?= <sender%u@example.com>\r\n"
                          "To: Me <me@example.com>\r\n"
                          "Subject: =?UTF-8?B?5a2j5bqm5Lya6K6u57qq6KaB?=\r\n"
                          "Date: Tue, 01 Sep 2020 10:00:00 +0800\r\n"
                          "Message-ID: <%u.ui-bench@example.com>\r\n"
                          "MIME-Version: 1.0\r\n", k % 700, k);
  if (!html)
    {
      g_string_append (raw, "Content-Type: text/plain; charset=utf-8\r\n"
                            "Content-Transfer-Encoding: 8bit\r\n\r\n");
      for (guint i = 0; i < 40; i++)
        g_string_append_printf (raw, "第 %u 段：大家好，附件是今天会议的纪要，请在周五之前审阅。"
                                     "Hello, here are the notes of today's meeting.\r\n\r\n", i);
      g_string_append (raw, "> 上一封邮件的引用\r\n> quoted text\r\n");
      return g_string_free_to_bytes (raw);
    }

  g_string_append_printf (raw, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n"
                               "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                               "Content-Transfer-Encoding: 8bit\r\n\r\n"
                               "季度会议纪要 (text version)\r\n\r\n"
                               "--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
                               "Content-Transfer-Encoding: 8bit\r\n\r\n",
                          boundary, boundary, boundary);
  g_string_append (raw, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>季度会议纪要</title>"
                        "<style>td { padding: 4px 8px; } h1 { font-size: 20px; }</style></head><body>"
                        "<h1>季度会议纪要</h1><p>大家好，以下是本季度的项目进展。</p>"
                        "<table border=\"1\" cellspacing=\"0\">");
  for (guint i = 0; i < 120; i++)
    g_string_append_printf (raw, "<tr><td>项目 %u</td><td>负责人：张伟</td><td>进度 %u%%</td>"
                                 "<td><a href=\"https://example.com/p/%u\">详情</a></td></tr>\r\n",
                            i, (i * 7) % 100, i);
  g_string_append_printf (raw, "</table><p>此致<br>敬礼</p></body></html>\r\n--%s--\r\n", boundary);
  return g_string_free_to_bytes (raw);
}

static void
fill (LbStore *store,
      gint64   folder_id,
      guint    account,
      guint    count)
{
  for (guint done = 0; done < count; )
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
      g_autoptr(GError) error = NULL;
      guint n = MIN (500, count - done);

      for (guint i = 0; i < n; i++)
        {
          guint k = account * 1000000 + done + i;
          LbStoreFetched *f = lb_store_fetched_new ();

          f->uid = done + i + 1;
          f->flags = k % 5 == 0 ? 0 : LB_FLAG_SEEN;
          f->message.message_id = g_strdup_printf ("%u.ui-bench@example.com", k);
          /* Two in three are replies to the message before: conversations of three. */
          if ((done + i) % 3 != 0)
            {
              f->message.in_reply_to = g_strdup_printf ("%u.ui-bench@example.com", k - 1);
              f->message.references = g_strdup_printf ("<%u.ui-bench@example.com>", k - 1);
            }
          /* The three accounts' dates interleave, as in a real unified inbox. */
          f->message.date = 1600000000 + (gint64) (done + i) * 613 + account * 97;
          f->message.size = 3000 + k % 7000;
          f->message.from_name = g_strdup_printf ("发件人 %u", k % 700);
          f->message.from_address = g_strdup_printf ("sender%u@example.com", k % 700);
          f->message.to = g_strdup ("Me <me@example.com>");
          f->message.subject = g_strdup_printf ("关于第 %u 号项目的季度会议纪要 (meeting notes)", k);
          f->message.preview = g_strdup ("大家好，附件是今天会议的纪要，请在周五之前审阅。Hello, here are the notes.");
          f->message.has_attachments = k % 11 == 0;
          g_ptr_array_add (batch, f);
        }
      if (!lb_store_insert_messages (store, folder_id, batch, &error))
        g_error ("%s", error->message);
      done += n;
      /* The newest messages have their bodies cached, as the prefetch after a sync does. */
      for (guint i = 0; done == count && i < N_BODIES && i < batch->len; i++)
        {
          LbStoreFetched *f = g_ptr_array_index (batch, batch->len - 1 - i);
          g_autoptr(GBytes) body = make_body (account * 1000000 + count - 1 - i, i % 3 != 2);

          if (!lb_store_put_body (store, f->message.id, body, &error))
            g_error ("%s", error->message);
        }
    }
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  double sorted[MAX_RUNS];

  memcpy (sorted, values, n * sizeof (double));
  qsort (sorted, n, sizeof (double), compare_double);
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

static double
value_of (const char *out,
          const char *key)
{
  g_autofree char *at_start = g_strconcat ("\n", key, NULL);
  const char *line = g_str_has_prefix (out, key) ? out : strstr (out, at_start);

  if (line == NULL)
    return 0;
  if (*line == '\n')
    line++;
  return g_ascii_strtod (line + strlen (key), NULL);
}

static const char *
load_average (void)
{
  static char text[128];
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL))
    return "?\n";
  g_strlcpy (text, contents, sizeof text);
  return text;
}

/* Migration 015 on a copy of the store as it was before conversations: its thread ids,
 * the locations' copies and the key table taken away, the schema version set back. */
static void
time_migration (const char *db)
{
  g_autofree char *copy = g_strconcat (db, ".before-015", NULL);
  g_autofree char *cmd = g_strdup_printf ("cp '%s' '%s'", db, copy);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = NULL;
  sqlite3 *handle = NULL;
  char *message = NULL;
  gint64 t0;

  if (system (cmd) != 0 || sqlite3_open (copy, &handle) != SQLITE_OK
      || !lb_store_register_tokenizer (handle, &error)
      || sqlite3_exec (handle,
                       "DROP INDEX locations_folder_date; "
                       "CREATE INDEX locations_folder_date ON locations (folder_id, date); "
                       "DROP INDEX locations_unified_date; CREATE INDEX locations_unified_date "
                       "ON locations (unified, date) WHERE unified = 1; "
                       "DROP TRIGGER messages_thread_changed; "
                       "DROP TRIGGER accounts_thread_refs_deleted; DROP TABLE thread_refs; "
                       "DROP INDEX messages_thread_id; ALTER TABLE messages DROP COLUMN thread_id; "
                       "ALTER TABLE locations DROP COLUMN thread_id; PRAGMA user_version = 14; "
                       "VACUUM;", NULL, NULL, &message) != SQLITE_OK)
    g_error ("could not make a store before migration 015: %s",
             message != NULL ? message : error != NULL ? error->message : "cp failed");
  sqlite3_close (handle);
  t0 = g_get_monotonic_time ();
  store = lb_store_open (copy, LB_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  printf ("migration 015 (thread ids for %u stored messages): %.2f s\n", N_MESSAGES,
          (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC);
  g_clear_object (&store);
  g_remove (copy);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *db = NULL;
  g_autofree char *self_path = NULL;
  double starts[4][MAX_RUNS] = { { 0 } };
  double cpu[4][MAX_RUNS] = { { 0 } };
  double rss[4][MAX_RUNS] = { { 0 } };
  double rss_open[4][MAX_RUNS] = { { 0 } };
  double rss_painted[4][MAX_RUNS] = { { 0 } };
  double rss_prepared[4][MAX_RUNS] = { { 0 } };
  double prepared_after[4][MAX_RUNS] = { { 0 } };
  double open0[4][MAX_RUNS] = { { 0 } };
  double open1[4][MAX_RUNS] = { { 0 } };
  double bytes[4][MAX_RUNS] = { { 0 } };
  guint n_runs = 5;
  guint n_messages = N_MESSAGES;
  gint64 t0;

  if (argc == 3 && g_str_equal (argv[1], "--child"))
    return run_child (argv[2]);
  if (argc == 3 && g_str_equal (argv[1], "--child-prepared"))
    {
      prepared = TRUE;
      return run_child (argv[2]);
    }

  if (argc > 1)
    n_messages = (guint) g_ascii_strtoull (argv[1], NULL, 10);
  if (n_messages < N_ACCOUNTS)
    g_error ("usage: bench-ui-list [N-MESSAGES]");

  /* LB_BENCH_PROFILE keeps the filled profile there (and reuses it), for profiling the
   * child by hand: LETTERBOX_DATA_DIR=DIR bench-ui-list --child 0 */
  if (g_getenv ("LB_BENCH_PROFILE") != NULL)
    {
      profile = g_strdup (g_getenv ("LB_BENCH_PROFILE"));
      g_mkdir_with_parents (profile, 0700);
    }
  else
    profile = g_dir_make_tmp ("lb-bench-ui-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (profile, "letterbox.db", NULL);

  t0 = g_get_monotonic_time ();
  if (!g_file_test (db, G_FILE_TEST_EXISTS))
  {
    g_autoptr(LbStore) store = lb_store_open (db, LB_STORE_OPEN_DEFAULT, &error);
    const char *emails[N_ACCOUNTS] = { "alice@example.com", "bob@example.cn", "carol@example.org" };
    const char *names[N_ACCOUNTS] = { "Work", "家里", "Carol" };

    g_assert_no_error (error);
    for (guint a = 0; a < N_ACCOUNTS; a++)
      {
        gint64 account = add_account (store, emails[a], names[a]);
        gint64 inbox = add_inbox (store, account);
        guint count = n_messages / N_ACCOUNTS + (a < n_messages % N_ACCOUNTS ? 1 : 0);

        fill (store, inbox, a, count);
      }
    /* As the workers leave a store soon after a sync: the search index built.  (With the
     * text still queued, the child's account workers would spend its start indexing.) */
    {
      guint indexed = 0;

      do
        {
          if (!lb_store_index_pending (store, 5000, &indexed, &error))
            g_error ("%s", error->message);
        }
      while (indexed == 5000);
    }
  }
  printf ("# filled %u messages over %u accounts in %.1f s\n", n_messages, N_ACCOUNTS,
          (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (g_getenv ("LB_BENCH_RUNS") != NULL)
    n_runs = CLAMP ((guint) g_ascii_strtoull (g_getenv ("LB_BENCH_RUNS"), NULL, 10), 1, MAX_RUNS);
  time_migration (db);
  /* Pass 0: as is; 1: without Mesa; 2: the pointer rests on the list before the click;
   * 3: as 0, with conversations on. */
  for (guint pass = 0; pass < 4; pass++)
    for (guint run = 0; run < n_runs; run++)
      {
        g_autofree char *when = NULL;
        g_autofree char *out = NULL;
        char *child_argv[] = { self_path, (char *) "--child", NULL, NULL };
        g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "LETTERBOX_DATA_DIR", profile, TRUE);
        int status = 0;

        if (pass == 1)
          env = g_environ_setenv (env, "GDK_DEBUG", "gl-disable", TRUE);
        if (pass == 2)
          child_argv[1] = (char *) "--child-prepared";
        env = g_environ_setenv (env, "LB_BENCH_CONVERSATIONS", pass == 3 ? "1" : "0", TRUE);
        when = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_monotonic_time ());
        child_argv[2] = when;
        if (!g_spawn_sync (NULL, child_argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                           &status, &error))
          g_error ("%s", error->message);
        if (strstr (out, "first-rows ") == NULL)
          g_error ("run %u: no frame with rows (output: %s)", run, out);
        starts[pass][run] = value_of (out, "first-rows ");
        cpu[pass][run] = value_of (out, "cpu ");
        rss[pass][run] = value_of (out, "rss ");
        rss_painted[pass][run] = value_of (out, "rss-painted ");
        rss_prepared[pass][run] = value_of (out, "rss-prepared ");
        prepared_after[pass][run] = value_of (out, "prepared-after ");
        rss_open[pass][run] = value_of (out, "rss-open ");
        open0[pass][run] = value_of (out, "open0 ");
        open1[pass][run] = value_of (out, "open1 ");
        bytes[pass][run] = value_of (out, "list-bytes-per-message ");
        printf ("# %s run %u: first rows after %.3f s (CPU %.3f s), RSS %.1f MB painted, "
                "%.1f MB a second later, open %.0f ms then %.0f ms, RSS after %.1f MB\n",
                pass == 0 ? "default" : pass == 1 ? "gl-disable" : pass == 2 ? "pointer-first"
                : "conversations", run + 1, starts[pass][run], cpu[pass][run],
                rss_painted[pass][run], rss[pass][run], open0[pass][run] * 1000,
                open1[pass][run] * 1000, rss_open[pass][run]);
        for (const char *at = strstr (out, "at "); at != NULL; at = strstr (at + 1, "\nat "))
          {
            g_autofree char *one = g_strndup (at + (at[0] == '\n'), strcspn (at + (at[0] == '\n'), "\n"));
            printf ("#   %s\n", one);
          }
        if (strstr (out, "open1 ") == NULL)
          printf ("# (no message was opened: %s)\n", out);
      }

  printf ("# %u runs each; load average at the end: %s", n_runs, load_average ());
  printf ("first message open after the pointer rested 1 s on the list: %.0f ms (median), "
          "target %.0f ms, ratio %.2f\n",
          median (open0[2], n_runs) * 1000, TARGET_OPEN_S * 1000,
          median (open0[2], n_runs) / TARGET_OPEN_S);
  for (guint pass = 0; pass < 2; pass++)
    {
      const char *label = pass == 0 ? "" : " [GDK_DEBUG=gl-disable: without Mesa]";

      printf ("cold start to first painted unified list (%u messages): %.3f s (median), "
              "target %.1f s, ratio %.2f; CPU time %.3f s%s\n",
              n_messages, median (starts[pass], n_runs), TARGET_START_S (n_messages),
              median (starts[pass], n_runs) / TARGET_START_S (n_messages),
              median (cpu[pass], n_runs), label);
      printf ("RSS with the list painted, before the web view is prepared: %.1f MB (median), "
              "target %.0f MB, ratio %.2f%s\n",
              median (rss_painted[pass], n_runs), TARGET_RSS_MB (n_messages),
              median (rss_painted[pass], n_runs) / TARGET_RSS_MB (n_messages), label);
      printf ("RSS a second later, no message open: %.1f MB (median)%s\n",
              median (rss[pass], n_runs), label);
      printf ("the web view was made %.3f s after the list was painted (median); RSS half a "
              "second after that, no message open: %.1f MB (median; WebKit's own processes not "
              "counted)%s\n", median (prepared_after[pass], n_runs),
              median (rss_prepared[pass], n_runs), label);
      printf ("first message open after start (the web view prepared while idle): %.0f ms (median), target %.0f ms, "
              "ratio %.2f%s\n",
              median (open0[pass], n_runs) * 1000, TARGET_OPEN_S * 1000,
              median (open0[pass], n_runs) / TARGET_OPEN_S, label);
      printf ("warm message open (a second message): %.0f ms (median), target %.0f ms, "
              "ratio %.2f%s\n",
              median (open1[pass], n_runs) * 1000, TARGET_OPEN_S * 1000,
              median (open1[pass], n_runs) / TARGET_OPEN_S, label);
      printf ("RSS of the application process with a message open: %.1f MB (median; WebKit's "
              "own processes not counted)%s\n", median (rss_open[pass], n_runs), label);
    }

  printf ("cold start to first painted unified list, conversations on: %.3f s (median), "
          "target %.1f s, ratio %.2f; plain list %.3f s, ratio to it %.2f; CPU time %.3f s "
          "(plain %.3f s)\n",
          median (starts[3], n_runs), TARGET_START_S (n_messages),
          median (starts[3], n_runs) / TARGET_START_S (n_messages),
          median (starts[0], n_runs), median (starts[3], n_runs) / median (starts[0], n_runs),
          median (cpu[3], n_runs), median (cpu[0], n_runs));
  printf ("list model memory per message (one inbox of %u): conversations %.2f bytes, "
          "plain list %.2f bytes\n", n_messages / N_ACCOUNTS,
          median (bytes[3], n_runs), median (bytes[0], n_runs));
  printf ("RSS with the window up, conversations on: %.1f MB (median), plain list %.1f MB\n",
          median (rss[3], n_runs), median (rss[0], n_runs));

  if (g_getenv ("LB_BENCH_PROFILE") == NULL)
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", profile);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", profile);
  }
  return 0;
}
