/* bench-sync.c: first sync, resync and memory against a real Dovecot
 *
 * A 10,000-message INBOX (or as many as the first argument says: `bench-sync 100000`)
 * plus 10 folders of 500 on the Dovecot fixture.  Prints, in one run:
 *   - the raw floor: SELECT + UID FETCH 1:* of exactly the items the sync asks for, over
 *     the same transport (LbImapConnection), bytes read and discarded;
 *   - the first sync's wall time and its ratio to that floor (target <= 1.5);
 *   - the time until the newest 50 INBOX messages are in the store;
 *   - a no-change resync (QRESYNC: what changed is all that is read; target <= 0.05 s,
 *     flat in the number of messages), twice: the second is the steady state;
 *   - the same mailbox on a second server that hides CONDSTORE and QRESYNC (as QQ and
 *     163 do): a no-change resync there against the raw `UID FETCH 1:* (FLAGS)` of every
 *     folder (target <= 1.5x);
 *   - a slow link: INBOX's headers fetched through a proxy held to 2 MB/s, with and
 *     without COMPRESS=DEFLATE, bytes on the wire and time;
 *   - peak RSS;
 *   - with every body (bench_bodies()): the raw floor `UID FETCH 1:* BODY.PEEK[]` of every
 *     folder, then a first sync of a new account that keeps all mail offline, until the
 *     last body is in the store (target <= 2x the floor), the search index built behind
 *     it, peak RSS, and the store's size against the mail's (target <= 1.0x).
 * Run with `meson test -C _build --benchmark sync` (it needs the keyring: run-headless).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-imap-connection.h"
#include "lb-test-account.h"
#include "lb-test-env.h"
#include "lb-test-fixture.h"
#include "lb-test-proxy.h"
#include "lb-test-store.h"
#include "lb-account-offline.h"

#define N_FOLDERS 10
/* Dovecot's capabilities without CONDSTORE, QRESYNC, ESEARCH, NOTIFY and COMPRESS. */
#define PLAIN_CAPABILITY "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE " \
                         "UIDPLUS LIST-EXTENDED MOVE LITERAL+ SPECIAL-USE"
#define FETCH_ITEMS "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ " \
                    "BODY.PEEK[HEADER.FIELDS (REFERENCES)])"

typedef struct {
  GAsyncResult *result;
  gint64        t0;
  gint64        newest50;
} Bench;

/* Sends one command and reads until its tagged completion, without parsing. */
static guint64
raw_command (LbImapConnection *conn,
             const char       *tag,
             const char       *command)
{
  g_autofree char *line = g_strdup_printf ("%s %s\r\n", tag, command);
  g_autofree char *needle = g_strdup_printf ("\r\n%s ", tag);
  g_autoptr(GError) error = NULL;
  char buf[65536];
  char tail[256] = "\r\n";
  gsize tail_len = 2;
  guint64 total = 0;

  if (!lb_imap_connection_write_sync (conn, line, strlen (line), NULL, &error))
    g_error ("%s", error->message);
  for (;;)
    {
      gssize n = lb_imap_connection_read_sync (conn, buf, sizeof buf, 60000, NULL, &error);
      gsize keep;

      if (n < 0)
        g_error ("%s", error->message);
      total += n;
      /* Look for CRLF TAG in the last bytes (a tagged line ends the command). */
      keep = MIN ((gsize) n, sizeof tail - tail_len - 1);
      memcpy (tail + tail_len, buf + n - keep, keep);
      tail_len += keep;
      tail[tail_len] = '\0';
      if (strstr (tail, needle) != NULL && tail[tail_len - 1] == '\n')
        return total;
      if (tail_len > 128)
        {
          memmove (tail, tail + tail_len - 64, 64);
          tail_len = 64;
        }
    }
}

/* The process's CPU time, steadier than the wall clock on a busy machine. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / (double) G_USEC_PER_SEC;
}

static double
raw_fetch_items (LbTestServers *servers,
                 const char    *select_options,
                 const char    *items,
                 guint64       *bytes)
{
  g_autoptr(LbImapConnection) conn = lb_imap_connection_new ();
  g_autoptr(LbServerConfig) c = lb_server_config_new ("127.0.0.1", servers->imaps_port,
                                                      LB_SECURITY_TLS, "bench@example.com");
  g_autoptr(GError) error = NULL;
  gint64 t0;
  guint tag = 0;

  c->ca_file = g_strdup (servers->ca_file);
  t0 = g_get_monotonic_time ();
  if (!lb_imap_connection_open_sync (conn, c, "secret", NULL, &error))
    g_error ("%s", error->message);
  *bytes = 0;
  for (int f = -1; f < N_FOLDERS; f++)
    {
      g_autofree char *select = f < 0 ? g_strdup_printf ("SELECT \"INBOX\"%s", select_options)
                                      : g_strdup_printf ("SELECT \"F%02d\"%s", f, select_options);
      g_autofree char *fetch = g_strdup_printf ("UID FETCH 1:* %s", items);
      g_autofree char *t1 = g_strdup_printf ("r%u", ++tag);
      g_autofree char *t2 = g_strdup_printf ("r%u", ++tag);

      *bytes += raw_command (conn, t1, select);
      *bytes += raw_command (conn, t2, fetch);
    }
  return (g_get_monotonic_time () - t0) / 1e6;
}

static double
raw_fetch (LbTestServers *servers,
           guint64       *bytes)
{
  return raw_fetch_items (servers, " (CONDSTORE)", FETCH_ITEMS, bytes);
}

/* Until the account's worker has prefetched the recent bodies and indexed every text the
 * sync queued (it indexes last). */
static void
wait_background (LbEngine   *engine,
                 const char *profile)
{
  g_autofree char *db = g_build_filename (profile, "letterbox.db", NULL);

  while (lb_test_store_query_int (db, "SELECT count(*) FROM fts_pending") > 0)
    lb_test_iterate_for (50);
  lb_engine_wait_idle (engine);
}

static void
sync_ok (LbAccount    *account,
         GAsyncResult **result)
{
  g_autoptr(GError) error = NULL;

  lb_account_sync_async (account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, result);
  if (!lb_account_sync_finish (account, lb_test_wait_result (result), &error))
    g_error ("sync: %s", error->message);
}

/* The same mailbox on a server that hides CONDSTORE and QRESYNC: a resync must compare
 * every UID and flag.  Its floor is the raw FLAGS fetch of every folder. */
static void
resync_without_qresync (const char * const *corpus,
                        double             *out_raw_s,
                        double             *out_resync_s,
                        double             *out_resync_cpu)
{
  const char *users[] = { "bench@example.com:secret", NULL };
  LbTestServersOptions options = { 0 };
  g_autoptr(LbTestServers) servers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_autoptr(LbEngine) engine = NULL;
  g_autoptr(LbAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  guint64 bytes = 0;
  gint64 t0;
  double c0;

  options.users = users;
  options.corpus = corpus;
  options.no_smtp = TRUE;
  options.imap_capability = PLAIN_CAPABILITY;
  servers = lb_test_servers_start (&options, &error);
  if (servers == NULL)
    g_error ("fixture: %s", error->message);
  raw_fetch_items (servers, "", "(FLAGS)", &bytes);
  *out_raw_s = raw_fetch_items (servers, "", "(FLAGS)", &bytes);

  profile = g_dir_make_tmp ("lb-bench-XXXXXX", &error);
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  account = lb_test_add_account (engine, servers, 0, "bench@example.com", NULL, FALSE);
  sync_ok (account, &result);
  wait_background (engine, profile);
  sync_ok (account, &result);
  lb_test_iterate_for (1000);
  t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  sync_ok (account, &result);
  *out_resync_s = (g_get_monotonic_time () - t0) / 1e6;
  *out_resync_cpu = cpu_seconds () - c0;

  lb_engine_shutdown (engine);
  g_clear_object (&account);
  g_clear_object (&result);
  g_clear_object (&engine);
  lb_test_rm_rf (profile);
}

/* INBOX's headers, as the first sync asks for them, through PROXY (a slow link), with
 * COMPRESS on or off; bytes as they crossed the wire to *WIRE. */
static double
slow_link_fetch (LbTestServers *servers,
                 LbTestProxy   *proxy,
                 gboolean       compress,
                 guint64       *wire)
{
  g_autoptr(LbServerConfig) c = lb_server_config_new ("127.0.0.1", lb_test_proxy_get_port (proxy),
                                                      LB_SECURITY_TLS, "bench@example.com");
  g_autoptr(LbImapSession) session = lb_imap_session_new ();
  g_autoptr(LbImapResponse) ok = NULL;
  g_autoptr(GError) error = NULL;
  LbImapSelectInfo info;
  guint64 before;
  gint64 t0;

  c->ca_file = g_strdup (servers->ca_file);
  lb_imap_session_set_compress (session, compress);
  if (!lb_imap_session_connect_sync (session, c, "secret", FALSE, NULL, &error) ||
      !lb_imap_session_select_sync (session, "INBOX", TRUE, NULL, NULL, NULL, &info, NULL, &error))
    g_error ("slow link: %s", error->message);
  if (lb_imap_connection_is_compressed (lb_imap_session_get_connection (session)) != compress)
    g_error ("slow link: COMPRESS was %s", compress ? "not offered" : "used anyway");
  before = lb_test_proxy_get_bytes_down (proxy);
  t0 = g_get_monotonic_time ();
  lb_imap_session_expect (session, info.exists, 0);
  ok = lb_imap_session_command_sync (session, NULL, NULL, NULL, &error, "UID FETCH 1:* " FETCH_ITEMS);
  if (ok == NULL)
    g_error ("slow link: %s", error->message);
  *wire = lb_test_proxy_get_bytes_down (proxy) - before;
  lb_imap_session_logout (session);
  return (g_get_monotonic_time () - t0) / 1e6;
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Bench      *b)
{
  if (b->newest50 == 0 && g_list_model_get_n_items (model) >= 50)
    b->newest50 = g_get_monotonic_time ();
}

static long
peak_rss_kb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* ---- With every body --------------------------------------------------------- */

/* The raw floor of the offline download: every message of every folder, whole, over the
 * same transport, bytes read and discarded. */
static double
raw_fetch_bodies (LbTestServers *servers,
                  guint64       *bytes)
{
  g_autoptr(LbImapConnection) conn = lb_imap_connection_new ();
  g_autoptr(LbServerConfig) c = lb_server_config_new ("127.0.0.1", servers->imaps_port,
                                                      LB_SECURITY_TLS, "bench@example.com");
  g_autoptr(GError) error = NULL;
  gint64 t0;
  guint tag = 0;

  c->ca_file = g_strdup (servers->ca_file);
  t0 = g_get_monotonic_time ();
  if (!lb_imap_connection_open_sync (conn, c, "secret", NULL, &error))
    g_error ("%s", error->message);
  *bytes = 0;
  for (int f = -1; f < N_FOLDERS; f++)
    {
      g_autofree char *select = f < 0 ? g_strdup ("SELECT \"INBOX\"")
                                      : g_strdup_printf ("SELECT \"F%02d\"", f);
      g_autofree char *t1 = g_strdup_printf ("b%u", ++tag);
      g_autofree char *t2 = g_strdup_printf ("b%u", ++tag);

      *bytes += raw_command (conn, t1, select);
      *bytes += raw_command (conn, t2, "UID FETCH 1:* BODY.PEEK[]");
    }
  return (g_get_monotonic_time () - t0) / 1e6;
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

/* The header figures are of the headers alone: the account keeps no body, so that no
 * background download runs behind the resyncs. */
static LbAccount *
headers_only (LbEngine  *engine,
              LbAccount *account)
{
  g_autoptr(LbAccountSettings) s = lb_account_dup_settings (account);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LbAccount *updated;

  s->offline_days = -1;
  lb_engine_update_account_async (engine, account, s, NULL, NULL, lb_test_got_result, &result);
  updated = lb_engine_update_account_finish (engine, lb_test_wait_result (&result), &error);
  if (updated == NULL)
    g_error ("headers only: %s", error->message);
  g_object_unref (account);
  return updated;
}

/* "Remove Downloaded Messages" on the profile bench_bodies() filled: its time (the
 * removal and the VACUUM that gives the space back) and the store before and after. */
static void
bench_remove_bodies (const char *profile,
                     const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbEngine) engine = lb_engine_new (profile, &error);
  g_autoptr(LbAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  gint64 before = file_size (path) + file_size (wal);
  gint64 t0;
  double seconds;
  guint removed = 0;

  g_assert_no_error (error);
  account = g_list_model_get_item (lb_engine_get_accounts (engine), 0);
  account = headers_only (engine, account);
  t0 = g_get_monotonic_time ();
  lb_account_remove_bodies_async (account, NULL, lb_test_got_result, &result);
  if (!lb_account_remove_bodies_finish (account, lb_test_wait_result (&result), &removed, &error))
    g_error ("remove bodies: %s", error->message);
  seconds = (g_get_monotonic_time () - t0) / 1e6;
  g_print ("remove downloaded messages %.3f s  (%u bodies; store %.1f MB -> %.1f MB, with VACUUM)\n",
           seconds, removed, before / 1e6, (file_size (path) + file_size (wal)) / 1e6);
  lb_engine_shutdown (engine);
  g_clear_object (&account);
  g_clear_object (&engine);
}

/* A new profile whose account keeps every body: the first sync until the last body is in
 * the store, against the raw floor measured just before it. */
static void
bench_bodies (LbTestServers *servers)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = g_dir_make_tmp ("lb-bench-bodies-XXXXXX", &error);
  g_autoptr(LbEngine) engine = NULL;
  g_autoptr(LbAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *path = NULL;
  guint64 raw_bytes = 0;
  double raw_s, headers_s, bodies_s = 0, text_s, index_s;
  gint64 t0, db, fts, text, bodies_stored, mail_bytes;
  guint remaining = 0;
  guint batches = 0;
  LbDiskUse use = { 0 };

  raw_fetch_bodies (servers, &raw_bytes);
  raw_s = raw_fetch_bodies (servers, &raw_bytes);

  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  account = lb_test_add_account (engine, servers, 0, "bench@example.com", NULL, FALSE);
  g_assert_cmpint (lb_account_get_offline_days (account), ==, 0);
  t0 = g_get_monotonic_time ();
  lb_account_sync_async (account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &result);
  if (!lb_account_sync_finish (account, lb_test_wait_result (&result), &error))
    g_error ("sync: %s", error->message);
  headers_s = (g_get_monotonic_time () - t0) / 1e6;
  /* As `letterbox-cli sync` waits: batch after batch until none is left. */
  do
    {
      gboolean bodies_in = FALSE;

      lb_account_download_async (account, NULL, lb_test_got_result, &result);
      if (!lb_account_download_finish (account, lb_test_wait_result (&result), &remaining,
                                       &bodies_in, &error))
        g_error ("download: %s", error->message);
      if (bodies_in && bodies_s == 0)
        bodies_s = (g_get_monotonic_time () - t0) / 1e6;
      batches++;
    }
  while (remaining > 0);
  text_s = (g_get_monotonic_time () - t0) / 1e6;
  lb_engine_wait_idle (engine);
  index_s = (g_get_monotonic_time () - t0) / 1e6;

  lb_account_get_disk_use_async (account, NULL, lb_test_got_result, &result);
  if (!lb_account_get_disk_use_finish (account, lb_test_wait_result (&result), &use, &error))
    g_error ("disk use: %s", error->message);
  path = g_strdup (lb_engine_get_store_path (engine));
  wal = g_strconcat (path, "-wal", NULL);
  lb_engine_shutdown (engine);
  g_clear_object (&account);
  g_clear_object (&engine);
  /* The engine is closed: its WAL is checkpointed into the file. */
  db = file_size (path) + file_size (wal);
  fts = lb_test_store_query_int (path, "SELECT total(pgsize) FROM dbstat WHERE name LIKE 'message_fts%'");
  text = lb_test_store_query_int (path, "SELECT total(pgsize) FROM dbstat WHERE name = 'message_text'");
  bodies_stored = lb_test_store_query_int (path, "SELECT total(pgsize) FROM dbstat WHERE name = 'bodies'");
  mail_bytes = (gint64) use.raw_bytes;

  g_print ("raw fetch, every body      %.3f s  (%.1f MB through LbImapConnection)\n", raw_s,
           raw_bytes / 1e6);
  g_print ("first sync with every body %.3f s  ratio to raw %.2fx  (target <= 2.00x; headers "
           "%.3f s, %u messages in %u batches)\n", bodies_s, bodies_s / raw_s, headers_s,
           use.n_bodies, batches);
  g_print ("  text derived             %.3f s  ratio to raw %.2fx\n", text_s, text_s / raw_s);
  g_print ("  search index done        %.3f s  ratio to raw %.2fx\n", index_s, index_s / raw_s);
  g_print ("store / raw mail           %.2fx  (target <= 1.00x): %.1f MB for %.1f MB of mail; "
           "bodies %.2fx (%.1f MB as stored), text %.2fx, search index %.2fx, the rest %.2fx\n",
           (double) db / mail_bytes, db / 1e6, mail_bytes / 1e6, (double) bodies_stored / mail_bytes,
           use.stored_bytes / 1e6, (double) text / mail_bytes, (double) fts / mail_bytes,
           (double) (db - bodies_stored - text - fts) / mail_bytes);
  g_print ("peak RSS, whole run        %.1f MB  (target <= 100 MB)\n", peak_rss_kb () / 1024.0);
  bench_remove_bodies (profile, path);
  lb_test_rm_rf (profile);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) corpus = g_ptr_array_new_with_free_func (g_free);
  const char *users[] = { "bench@example.com:secret", NULL };
  LbTestServersOptions options = { 0 };
  g_autoptr(LbTestServers) servers = NULL;
  g_autofree char *profile = NULL;
  g_autoptr(LbEngine) engine = NULL;
  g_autoptr(LbAccount) account = NULL;
  Bench b = { 0 };
  double raw_s, first_s, resync_s, resync2_s, newest_s, slow_plain_s, slow_z_s;
  double raw_cpu, first_cpu, background_s, plain_raw_s, plain_resync_s, c0;
  double resync_cpu, resync2_cpu, plain_resync_cpu;
  guint64 slow_plain_bytes, slow_z_bytes;
  LbTestProxy *proxy;
  guint inbox_size = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  guint64 raw_bytes = 0;
  guint total = 0;
  GListModel *folders;

  if (inbox_size == 0)
    g_error ("usage: bench-sync [INBOX-SIZE]");
  g_ptr_array_add (corpus, g_strdup_printf ("bench@example.com:INBOX:%u:1", inbox_size));
  for (int f = 0; f < N_FOLDERS; f++)
    g_ptr_array_add (corpus, g_strdup_printf ("bench@example.com:F%02d:500:%d", f, f + 2));
  g_ptr_array_add (corpus, NULL);
  options.users = users;
  options.corpus = (const char * const *) corpus->pdata;
  options.no_smtp = TRUE;
  servers = lb_test_servers_start (&options, &error);
  if (servers == NULL)
    g_error ("fixture: %s", error->message);

  /* Warm the server (Dovecot indexes a Maildir at first access) so neither side pays it. */
  raw_fetch (servers, &raw_bytes);
  c0 = cpu_seconds ();
  raw_s = raw_fetch (servers, &raw_bytes);
  raw_cpu = cpu_seconds () - c0;

  profile = g_dir_make_tmp ("lb-bench-XXXXXX", &error);
  engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  account = lb_test_add_account (engine, servers, 0, "bench@example.com", NULL, FALSE);
  account = headers_only (engine, account);

  g_signal_connect (lb_engine_get_unified_inbox (engine), "items-changed",
                    G_CALLBACK (on_items_changed), &b);
  b.t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  lb_account_sync_async (account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &b.result);
  if (!lb_account_sync_finish (account, lb_test_wait_result (&b.result), &error))
    g_error ("sync: %s", error->message);
  first_s = (g_get_monotonic_time () - b.t0) / 1e6;
  first_cpu = cpu_seconds () - c0;
  newest_s = b.newest50 > 0 ? (b.newest50 - b.t0) / 1e6 : -1;

  /* What the sync queues behind itself (recent bodies, the search index) runs first, as
   * it would long before the next resync. */
  b.t0 = g_get_monotonic_time ();
  wait_background (engine, profile);
  background_s = (g_get_monotonic_time () - b.t0) / 1e6;

  b.t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  lb_account_sync_async (account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &b.result);
  if (!lb_account_sync_finish (account, lb_test_wait_result (&b.result), &error))
    g_error ("resync: %s", error->message);
  resync_s = (g_get_monotonic_time () - b.t0) / 1e6;
  resync_cpu = cpu_seconds () - c0;

  /* Every sync queues a look for recent bodies behind itself: let it run first. */
  lb_test_iterate_for (1000);
  b.t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  lb_account_sync_async (account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &b.result);
  if (!lb_account_sync_finish (account, lb_test_wait_result (&b.result), &error))
    g_error ("resync: %s", error->message);
  resync2_s = (g_get_monotonic_time () - b.t0) / 1e6;
  resync2_cpu = cpu_seconds () - c0;

  proxy = lb_test_proxy_new (servers->imaps_port, &error);
  if (proxy == NULL)
    g_error ("proxy: %s", error->message);
  lb_test_proxy_set_rate (proxy, 2 * 1000 * 1000);
  slow_plain_s = slow_link_fetch (servers, proxy, FALSE, &slow_plain_bytes);
  slow_z_s = slow_link_fetch (servers, proxy, TRUE, &slow_z_bytes);
  lb_test_proxy_free (proxy);

  folders = lb_account_get_folders (account);
  for (guint i = 0; i < g_list_model_get_n_items (folders); i++)
    {
      g_autoptr(LbFolder) f = g_list_model_get_item (folders, i);
      total += lb_folder_get_total_count (f);
    }

  g_print ("messages synced            %u (INBOX %u + %d folders of 500)\n", total, inbox_size,
           N_FOLDERS);
  g_print ("raw fetch (same items)     %.3f s  (%.1f MB through LbImapConnection)\n", raw_s,
           raw_bytes / 1e6);
  g_print ("first sync                 %.3f s  ratio to raw %.2fx  (target <= %.2fx)\n", first_s,
           first_s / raw_s, inbox_size >= 100000 ? 1.5 : 1.2);
  g_print ("  CPU of this process        raw %.3f s, first sync %.3f s (ratio %.2fx)\n", raw_cpu,
           first_cpu, first_cpu / raw_cpu);
  g_print ("then bodies + search index %.3f s  (in the background, before the resyncs)\n",
           background_s);
  g_print ("newest 50 in the store     %.3f s\n", newest_s);
  g_print ("no-change resync           %.3f s  ratio to target %.2f  (target <= 0.050 s; CPU %.3f s)\n",
           resync_s, resync_s / 0.05, resync_cpu);
  g_print ("no-change resync, again    %.3f s  ratio to target %.2f  (CPU %.3f s)\n", resync2_s,
           resync2_s / 0.05, resync2_cpu);
  g_print ("2 MB/s link, INBOX headers %.2f s, %.1f MB plain; %.2f s, %.1f MB with COMPRESS "
           "(ratio %.2fx time, %.2fx bytes)\n", slow_plain_s, slow_plain_bytes / 1e6, slow_z_s,
           slow_z_bytes / 1e6, slow_z_s / slow_plain_s, (double) slow_z_bytes / slow_plain_bytes);
  g_print ("peak RSS                   %.1f MB  (target <= 100 MB)\n", peak_rss_kb () / 1024.0);

  lb_engine_shutdown (engine);
  g_clear_object (&account);
  g_clear_object (&b.result);
  g_clear_object (&engine);
  lb_test_rm_rf (profile);
  if (!g_str_equal (g_getenv ("BENCH_SYNC_BODIES") ?: "1", "0"))
    bench_bodies (servers);

  g_clear_pointer (&servers, lb_test_servers_stop);
  fflush (stdout);

  resync_without_qresync ((const char * const *) corpus->pdata, &plain_raw_s, &plain_resync_s,
                          &plain_resync_cpu);
  g_print ("without CONDSTORE/QRESYNC  raw UID FETCH 1:* (FLAGS) %.3f s; no-change resync %.3f s  "
           "ratio %.2fx  (target <= 1.50x; CPU %.3f s)\n", plain_raw_s, plain_resync_s,
           plain_resync_s / plain_raw_s, plain_resync_cpu);
  return total == inbox_size + N_FOLDERS * 500 ? 0 : 1;
}
