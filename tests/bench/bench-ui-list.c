/* bench-ui-list.c: cold start to the first painted unified list, and memory
 *
 * Fills a temporary profile with 100,000 cached messages over three accounts (straight
 * into the store, as a sync would leave them), then starts the application on it in a
 * child process, several times.  The child reports the time from its spawn to the first
 * frame whose message list shows rows (a GdkFrameClock "after-paint" callback that checks
 * the list has mapped rows), and its resident memory with the window up.  Figures are
 * printed with their ratio to the targets; nothing fails on timings.
 *
 * Run it headless (it is registered as a benchmark in tests/ui/meson.build):
 *   meson test -C _build --benchmark ui-list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "lb-application.h"
#include "lb-message-row.h"
#include "lb-store.h"
#include "lb-ui-test-util.h"
#include "lb-window.h"

#define N_MESSAGES 100000
#define N_ACCOUNTS 3
#define N_RUNS 3
#define TARGET_START_S 0.5
#define TARGET_RSS_MB 120.0

/* ---- The child: the application --------------------------------------------- */

static gint64 spawn_time;
static gboolean reported;

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

static gboolean
quit_later (gpointer data)
{
  /* Memory with the window up, before it is torn down. */
  printf ("rss %.1f\n", rss_mb ());
  fflush (stdout);
  g_action_group_activate_action (G_ACTION_GROUP (data), "quit", NULL);
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
  seconds = (g_get_monotonic_time () - spawn_time) / (double) G_USEC_PER_SEC;
  printf ("first-rows %.3f %u\n", seconds, g_list_model_get_n_items (list));
  printf ("at row-widgets %u\n", count_rows (GTK_WIDGET (lb_window_get_message_list (window))));
  fflush (stdout);
  /* The window is up: a second's worth of settling (syncs failing, idles), then memory. */
  g_timeout_add (1000, quit_later, gtk_window_get_application (GTK_WINDOW (window)));
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
    }
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *db = NULL;
  g_autofree char *self_path = NULL;
  double starts[N_RUNS] = { 0 };
  double rss[N_RUNS] = { 0 };
  gint64 t0;

  if (argc == 3 && g_str_equal (argv[1], "--child"))
    return run_child (argv[2]);

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
        guint count = N_MESSAGES / N_ACCOUNTS + (a < N_MESSAGES % N_ACCOUNTS ? 1 : 0);

        fill (store, inbox, a, count);
      }
  }
  printf ("# filled %u messages over %u accounts in %.1f s\n", N_MESSAGES, N_ACCOUNTS,
          (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autofree char *out = NULL;
      g_autofree char *when = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_monotonic_time ());
      char *child_argv[] = { self_path, (char *) "--child", when, NULL };
      g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "LETTERBOX_DATA_DIR", profile, TRUE);
      const char *line;
      int status = 0;

      if (!g_spawn_sync (NULL, child_argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                         &status, &error))
        g_error ("%s", error->message);
      line = strstr (out, "first-rows ");
      if (line == NULL)
        g_error ("run %u: no frame with rows (output: %s)", run, out);
      starts[run] = g_ascii_strtod (line + strlen ("first-rows "), NULL);
      line = strstr (out, "rss ");
      rss[run] = line != NULL ? g_ascii_strtod (line + strlen ("rss "), NULL) : 0;
      printf ("# run %u: first rows after %.3f s, RSS %.1f MB\n", run + 1, starts[run], rss[run]);
      for (const char *at = strstr (out, "at "); at != NULL; at = strstr (at + 1, "\nat "))
        {
          g_autofree char *one = g_strndup (at + (at[0] == '\n'), strcspn (at + (at[0] == '\n'), "\n"));
          printf ("#   %s\n", one);
        }
    }

  qsort (starts, N_RUNS, sizeof (double), compare_double);
  qsort (rss, N_RUNS, sizeof (double), compare_double);
  printf ("cold start to first painted unified list (%u messages): %.3f s (median of %u), "
          "target %.1f s, ratio %.2f\n",
          N_MESSAGES, starts[N_RUNS / 2], N_RUNS, TARGET_START_S, starts[N_RUNS / 2] / TARGET_START_S);
  printf ("RSS with the window up: %.1f MB (median), target %.0f MB, ratio %.2f\n",
          rss[N_RUNS / 2], TARGET_RSS_MB, rss[N_RUNS / 2] / TARGET_RSS_MB);

  if (g_getenv ("LB_BENCH_PROFILE") == NULL)
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", profile);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", profile);
  }
  return 0;
}
