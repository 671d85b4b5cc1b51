/* test-hostile.c: the engine's sync against a server that lies, trickles and attacks
 *
 * tests/fixtures/hostile_imap.py serves a normal mailbox (UIDs 1..30 and 4294967295) and
 * mutates its answers round by round: lying literal sizes, trickled bytes, unsolicited
 * FETCH/EXPUNGE/VANISHED, UID 0, BYE and NO with terminal escape sequences, truncated
 * lines, garbage, impossible search results.  Whatever it does, a sync must end (the
 * command deadlines end it; the watchdog here only catches a hang), its error must be
 * safe to print, and the store must never hold a UID the server did not list.
 *
 * Command deadlines are scaled down (LETTERBOX_IMAP_DEADLINE_SCALE) so that a trickling
 * server is given up on after about three seconds.  LB_TEST_HOSTILE_SEED picks another seed
 * for the random rounds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "lb-engine.h"
#include "lb-error.h"
#include "lb-imap-session.h"
#include "lb-smtp-sender.h"
#include "lb-test-env.h"
#include "lb-test-fixture.h"
#include "lb-test-store.h"
#include "lb-test-wait.h"

#define N_MAILBOX     31              /* INBOX: 1..30 and 4294967295 */
#define WATCHDOG_S    60
#define RANDOM_ROUNDS 40

typedef struct {
  GSubprocess  *server;
  char         *dir;
  char         *store_path;
  LbEngine     *engine;
  LbAccount    *account;
  GAsyncResult *result;
} Hostile;

/* Starts tests/fixtures/SCRIPT --dir (a new temporary directory) ARGS... and returns
 * what it prints when ready: "port" and "ca_file". */
static GHashTable *
spawn_server (Hostile    *h,
              const char *script,
              ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *line = NULL;
  GHashTable *info;
  const char *arg;
  va_list args;

  h->dir = g_dir_make_tmp ("lb-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  g_ptr_array_add (argv, g_strdup (g_getenv ("LB_TEST_PYTHON")));
  g_ptr_array_add (argv, g_build_filename (g_getenv ("LB_TEST_FIXTURES_DIR"), script, NULL));
  g_ptr_array_add (argv, g_strdup ("--dir"));
  g_ptr_array_add (argv, g_strdup (h->dir));
  va_start (args, script);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);
  /* Its stdin is a pipe that closes when this process dies, which stops the server. */
  h->server = g_subprocess_newv ((const char * const *) argv->pdata,
                                 G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                 &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (h->server));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  info = lb_test_json_parse_object (line, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_ascii_strtoull (g_hash_table_lookup (info, "port"), NULL, 10), >, 0);
  return info;
}

/* Starts the IMAP server (MODE for rounds FIRST..LAST) and an engine with one account
 * on it. */
static void
hostile_start (Hostile    *h,
               const char *mode,
               guint       first,
               guint       last,
               guint       seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) info = NULL;
  g_autoptr(LbAccountSettings) s = lb_account_settings_new ();
  g_autofree char *first_s = g_strdup_printf ("%u", first);
  g_autofree char *last_s = g_strdup_printf ("%u", last);
  g_autofree char *seed_s = g_strdup_printf ("%u", seed);
  g_autofree char *profile = NULL;
  guint16 port;

  info = spawn_server (h, "hostile_imap.py", "--mode", mode, "--first", first_s,
                       "--rounds", last_s, "--seed", seed_s, NULL);
  port = (guint16) g_ascii_strtoull (g_hash_table_lookup (info, "port"), NULL, 10);

  profile = g_build_filename (h->dir, "profile", NULL);
  g_assert_cmpint (g_mkdir (profile, 0700), ==, 0);
  h->store_path = g_build_filename (profile, "letterbox.db", NULL);
  h->engine = lb_engine_new (profile, &error);
  g_assert_no_error (error);
  s->email = g_strdup ("me@example.com");
  s->imap = lb_server_config_new ("127.0.0.1", port, LB_SECURITY_TLS, "me@example.com");
  s->imap->ca_file = g_strdup (g_hash_table_lookup (info, "ca_file"));
  lb_engine_add_account_async (h->engine, s, "secret", NULL, lb_test_got_result, &h->result);
  h->account = lb_engine_add_account_finish (h->engine, lb_test_wait_result (&h->result), &error);
  g_assert_no_error (error);
}

static void
hostile_stop (Hostile *h)
{
  if (h->engine != NULL)
    {
      lb_engine_shutdown (h->engine);
      g_clear_object (&h->account);
      g_clear_object (&h->result);
      g_assert_finalize_object (h->engine);
    }
  g_subprocess_force_exit (h->server);
  g_subprocess_wait (h->server, NULL, NULL);
  g_clear_object (&h->server);
  lb_test_rm_rf (h->dir);
  g_free (h->dir);
  g_free (h->store_path);
}

static gboolean
has_result (gpointer data)
{
  return ((Hostile *) data)->result != NULL;
}

/* Error text reaches the CLI's output and the UI: valid UTF-8, no control characters
 * (so no escape sequences either). */
static void
assert_printable (const char *text)
{
  g_assert_nonnull (text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
        g_error ("control character U+%04X in “%s”", c, text);
    }
}

/* One sync of the whole account.  It must end: the watchdog fails a hang. */
static gboolean
hostile_sync (Hostile  *h,
              GError  **error)
{
  gboolean ok;

  g_clear_object (&h->result);
  lb_account_sync_async (h->account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result,
                         &h->result);
  if (!lb_test_wait_until (has_result, h, WATCHDOG_S))
    g_error ("the sync was still running after %d s", WATCHDOG_S);
  ok = lb_account_sync_finish (h->account, h->result, error);
  if (!ok)
    {
      assert_printable ((*error)->message);
      g_test_message ("sync failed: %s", (*error)->message);
      if (lb_account_get_last_error (h->account) != NULL)
        assert_printable (lb_account_get_last_error (h->account));
    }
  return ok;
}

static gint64
count_where (Hostile    *h,
             const char *condition)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM locations WHERE %s", condition);

  return lb_test_store_query_int (h->store_path, sql);
}

static gint64
count_folders_where (Hostile    *h,
                     const char *condition)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM folders WHERE %s", condition);

  return lb_test_store_query_int (h->store_path, sql);
}

/* A folder the server refuses keeps its error (shown in the sidebar and by the CLI) and
 * does not fail the account's sync: TRUE if INBOX synced without one. */
static gboolean
inbox_synced (Hostile  *h,
              gboolean  account_synced)
{
  return account_synced &&
         count_folders_where (h, "raw_name = 'INBOX' AND last_error IS NOT NULL") == 0;
}

/* Folder errors hold no C0 or C1 control character (so no escape sequence either). */
static void
assert_folder_errors_printable (Hostile *h)
{
  g_autoptr(GString) controls = g_string_new ("char(1");

  for (guint c = 2; c < 0xa0; c++)
    if (c < 0x20 || c >= 0x7f)
      g_string_append_printf (controls, ",%u", c);
  g_string_append (controls, ")");
  {
    g_autofree char *cond = g_strdup_printf ("last_error GLOB '*[' || %s || ']*'", controls->str);

    g_assert_cmpint (count_folders_where (h, cond), ==, 0);
  }
}

/* The UIDs the server listed in its first round (LATEST false: every UID it ever
 * listed, since its mailbox only shrinks) or in its latest one, as "1,2,...". */
static char *
listed (Hostile  *h,
        gboolean  latest)
{
  g_autofree char *path = g_build_filename (h->dir, "listed.log", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) fields = NULL;
  guint n;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (g_strstrip (text), "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >, 0);
  fields = g_strsplit (lines[latest ? n - 1 : 0], " ", 3);
  g_assert_cmpuint (g_strv_length (fields), ==, 3);
  return g_strdup (fields[2]);
}

/* The store holds only UIDs the server listed (in its latest round, if LATEST): none
 * it made up, none of its lies. */
static void
assert_store_within_listed (Hostile  *h,
                            gboolean  latest)
{
  g_autofree char *uids = listed (h, latest);
  g_autofree char *outside = g_strdup_printf ("uid NOT IN (%s)", uids);

  g_assert_cmpint (count_where (h, outside), ==, 0);
  g_assert_cmpint (count_where (h, "uid <= 0 OR uid > 4294967295"), ==, 0);
}

static void
sync_ok (Hostile *h)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hostile_sync (h, &error));
  g_assert_no_error (error);
}

/* UID 4294967295 is a UID like any other: it syncs, and comes back unchanged. */
static void
test_max_uid (void)
{
  Hostile h = { 0 };

  hostile_start (&h, "random", 1, 0, 1);
  sync_ok (&h);
  g_assert_cmpint (count_where (&h, "1"), ==, N_MAILBOX);
  g_assert_cmpint (count_where (&h, "uid = 4294967295"), ==, 1);
  sync_ok (&h);
  g_assert_cmpint (count_where (&h, "1"), ==, N_MAILBOX);
  hostile_stop (&h);
}

/* A search result that cannot be true ("ALL 4294967295:1", "ALL 1:*", nothing while
 * EXISTS says 31) is an error of the folder, and the synced mail stays. */
static void
test_implausible_search (gconstpointer data)
{
  const char *mode = data;
  Hostile h = { 0 };
  g_autoptr(GError) error = NULL;

  hostile_start (&h, mode, 1, 100, 1);
  sync_ok (&h);
  g_assert_cmpint (count_where (&h, "1"), ==, N_MAILBOX);
  g_assert_false (inbox_synced (&h, hostile_sync (&h, &error)));
  g_assert_cmpint (count_folders_where (&h, "raw_name = 'INBOX' AND last_error IS NOT NULL"),
                   ==, 1);
  assert_folder_errors_printable (&h);
  g_assert_cmpint (count_where (&h, "1"), ==, N_MAILBOX);
  hostile_stop (&h);
}

/* A server that accepts COMPRESS and then sends what is no deflate stream: the sync
 * fails with a clear error (no crash, no hang), and it says what went wrong. */
static void
test_compress_damaged (void)
{
  Hostile h = { 0 };
  g_autoptr(GError) error = NULL;

  hostile_start (&h, "compress-damaged", 0, 100, 1);
  g_assert_false (hostile_sync (&h, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "compressed"));
  g_assert_cmpint (count_where (&h, "1"), ==, 0);
  hostile_stop (&h);
}

/* FETCH answers for UIDs never asked for (999, 4294967294) and for UID 0 never enter
 * the store. */
static void
test_unsolicited (void)
{
  Hostile h = { 0 };
  g_autoptr(GError) error = NULL;

  hostile_start (&h, "unsolicited", 0, 100, 3);
  g_assert_true (hostile_sync (&h, &error));
  g_assert_no_error (error);
  assert_store_within_listed (&h, TRUE);
  g_assert_cmpint (count_where (&h, "uid IN (0, 999, 4294967294)"), ==, 0);
  hostile_stop (&h);
}

/* A server that trickles one byte every 0.2 s is given up on at the command deadline,
 * with a clear error. */
static void
test_trickle (void)
{
  Hostile h = { 0 };
  g_autoptr(GError) error = NULL;

  hostile_start (&h, "trickle", 0, 100, 1);
  g_assert_false (hostile_sync (&h, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_TIMEOUT);
  hostile_stop (&h);
}

/* BYE and NO texts full of escape sequences and invalid UTF-8 come out printable. */
static void
test_escapes (gconstpointer data)
{
  Hostile h = { 0 };
  g_autoptr(GError) error = NULL;

  hostile_start (&h, data, 0, 100, 1);
  /* BYE fails the account; NO fails the folder, which keeps the server's text. */
  if (!hostile_sync (&h, &error))
    g_assert_nonnull (strstr (error->message, "go"));
  else
    g_assert_cmpint (count_folders_where (&h, "last_error LIKE '%go%'"), ==, 1);
  assert_folder_errors_printable (&h);
  g_assert_cmpint (count_where (&h, "1"), ==, 0);
  hostile_stop (&h);
}

/* A folder name full of escape sequences is shown (and printed by the CLI) without them. */
static void
test_folder_name (void)
{
  Hostile h = { 0 };
  GListModel *folders;
  gboolean evil = FALSE;

  hostile_start (&h, "random", 1, 0, 1);
  sync_ok (&h);
  folders = lb_account_get_folders (h.account);
  g_assert_cmpuint (g_list_model_get_n_items (folders), ==, 2);
  for (guint i = 0; i < g_list_model_get_n_items (folders); i++)
    {
      g_autoptr(LbFolder) f = g_list_model_get_item (folders, i);

      assert_printable (lb_folder_get_name (f));
      evil |= g_str_has_prefix (lb_folder_get_name (f), "Evil");
    }
  g_assert_true (evil);
  hostile_stop (&h);
}

typedef struct {
  LbImapSession *session;
  guint          renew_s;
  gboolean       ok;
  gboolean       changed;
  GError        *error;
  gint           done;
} Idle;

static gpointer
idle_thread (gpointer data)
{
  Idle *idle = data;

  idle->ok = lb_imap_session_idle_sync (idle->session, idle->renew_s, NULL, NULL, &idle->changed, NULL,
                                        &idle->error);
  g_atomic_int_set (&idle->done, 1);
  return NULL;
}

static gboolean
idle_done (gpointer data)
{
  return g_atomic_int_get (&((Idle *) data)->done);
}

/* IDLE on INBOX of a server started in MODE (from its first round, or honest), renewed
 * after RENEW_S seconds, on a thread so that the watchdog can tell a hang. */
static void
run_idle (const char *mode,
          gboolean    hostile,
          guint       renew_s,
          Idle       *idle)
{
  Hostile h = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) info = NULL;
  g_autoptr(LbServerConfig) config = NULL;
  g_autoptr(GThread) thread = NULL;

  info = spawn_server (&h, "hostile_imap.py", "--mode", mode, "--first", hostile ? "0" : "1",
                       NULL);
  config = lb_server_config_new ("127.0.0.1",
                                 (guint16) g_ascii_strtoull (g_hash_table_lookup (info, "port"),
                                                             NULL, 10),
                                 LB_SECURITY_TLS, "me@example.com");
  config->ca_file = g_strdup (g_hash_table_lookup (info, "ca_file"));
  idle->session = lb_imap_session_new ();
  idle->renew_s = renew_s;
  g_assert_true (lb_imap_session_connect_sync (idle->session, config, "secret", FALSE, NULL,
                                               &error));
  g_assert_no_error (error);
  g_assert_true (lb_imap_session_select_sync (idle->session, "INBOX", FALSE, NULL, NULL, NULL,
                                              NULL, NULL, &error));
  g_assert_no_error (error);
  thread = g_thread_new ("idle", idle_thread, idle);
  if (!lb_test_wait_until (idle_done, idle, WATCHDOG_S))
    g_error ("IDLE was still running after %d s", WATCHDOG_S);
  g_clear_object (&idle->session);
  hostile_stop (&h);
}

/* IDLE keeps its own end, the renewal interval (5 s), which is longer than a (scaled)
 * command deadline: a quiet IDLE is renewed, not dropped. */
static void
test_idle_quiet (void)
{
  Idle idle = { 0 };

  run_idle ("random", FALSE, 5, &idle);
  g_assert_no_error (idle.error);
  g_assert_true (idle.ok);
  g_assert_false (idle.changed);
}

/* A server that trickles a response into IDLE cannot hold it past its renewal and the
 * deadline of DONE. */
static void
test_idle_trickle (void)
{
  Idle idle = { 0 };

  run_idle ("idle-trickle", TRUE, 1, &idle);
  g_assert_false (idle.ok);
  g_assert_error (idle.error, LB_ERROR, LB_ERROR_TIMEOUT);
  assert_printable (idle.error->message);
  g_clear_error (&idle.error);
}

/* A session on INBOX of a server started in MODE from its first round. */
static LbImapSession *
open_session (Hostile    *h,
              const char *mode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) info = NULL;
  g_autoptr(LbServerConfig) config = NULL;
  LbImapSession *session = lb_imap_session_new ();

  info = spawn_server (h, "hostile_imap.py", "--mode", mode, "--first", "0", NULL);
  config = lb_server_config_new ("127.0.0.1",
                                 (guint16) g_ascii_strtoull (g_hash_table_lookup (info, "port"),
                                                             NULL, 10),
                                 LB_SECURITY_TLS, "me@example.com");
  config->ca_file = g_strdup (g_hash_table_lookup (info, "ca_file"));
  g_assert_true (lb_imap_session_connect_sync (session, config, "secret", FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (lb_imap_session_select_sync (session, "INBOX", FALSE, NULL, NULL, NULL, NULL,
                                              NULL, &error));
  g_assert_no_error (error);
  return session;
}

typedef struct {
  LbImapSession *session;
  GBytes        *message;
  gboolean       ok;
  GError        *error;
  gint           done;
} Append;

static gpointer
append_thread (gpointer data)
{
  Append *a = data;

  a->ok = lb_imap_session_append_sync (a->session, "INBOX", NULL, a->message, NULL, NULL,
                                       &a->error);
  g_atomic_int_set (&a->done, 1);
  return NULL;
}

static gboolean
append_done (gpointer data)
{
  return g_atomic_int_get (&((Append *) data)->done);
}

/* Writes have a deadline too: a server that reads an APPEND's 24 MiB one MiB every 20 s
 * (more than the socket buffers hold) is given up on, where each write waited up to a
 * minute for the next chunk and so could take for ever. */
static void
test_slow_reader (void)
{
  Hostile h = { 0 };
  Append a = { 0 };
  g_autoptr(GThread) thread = NULL;
  gsize size = 24 * 1024 * 1024;
  char *data = g_malloc (size);

  memset (data, 'a', size);
  a.message = g_bytes_new_take (data, size);
  a.session = open_session (&h, "slow-reader");
  /* 24 MiB at 16 KiB/s is 25 minutes: a 0.002 scale makes it about 3 s. */
  lb_imap_session_set_deadline_scale (a.session, 0.002);
  thread = g_thread_new ("append", append_thread, &a);
  if (!lb_test_wait_until (append_done, &a, WATCHDOG_S))
    g_error ("APPEND was still running after %d s", WATCHDOG_S);
  g_assert_false (a.ok);
  g_assert_error (a.error, LB_ERROR, LB_ERROR_TIMEOUT);
  g_clear_error (&a.error);
  g_clear_object (&a.session);
  g_bytes_unref (a.message);
  hostile_stop (&h);
}

/* An SMTP server's refusal full of escape sequences comes out printable. */
static void
test_smtp_reply (void)
{
  Hostile h = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) info = spawn_server (&h, "hostile_smtp.py", NULL);
  g_autoptr(LbServerConfig) config = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static ("Subject: hi\r\n\r\nhi\r\n", 17);
  static const char * const to[] = { "you@example.com", NULL };
  g_autofree char *reply = NULL;
  LbSmtpResult result;

  config = lb_server_config_new ("127.0.0.1",
                                 (guint16) g_ascii_strtoull (g_hash_table_lookup (info, "port"),
                                                             NULL, 10),
                                 LB_SECURITY_TLS, "me@example.com");
  config->ca_file = g_strdup (g_hash_table_lookup (info, "ca_file"));
  result = lb_smtp_send_sync (config, "secret", "me@example.com", to, message, &reply, NULL,
                              &error);
  g_assert_cmpint (result, !=, LB_SMTP_OK);
  g_assert_error (error, LB_ERROR, LB_ERROR_SERVER_NO);
  assert_printable (error->message);
  g_test_message ("SMTP error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "rejected"));
  hostile_stop (&h);
}

/* RANDOM_ROUNDS rounds of random mutations: every sync ends, every error is printable,
 * the store never holds a UID the server did not list (after a successful sync, none it
 * did not list in that round; a failed one may leave what another client expunged
 * meanwhile); then, once the server is honest again, the store is exactly the server's
 * mailbox. */
static void
test_random_rounds (void)
{
  const char *env_seed = g_getenv ("LB_TEST_HOSTILE_SEED");
  guint seed = env_seed != NULL ? (guint) g_ascii_strtoull (env_seed, NULL, 10) : 20261207;
  Hostile h = { 0 };
  g_autofree char *last = NULL;
  g_autofree char *outside = NULL;
  g_auto(GStrv) uids = NULL;
  gboolean ok = FALSE;
  guint failed = 0;

  g_test_message ("seed %u (LB_TEST_HOSTILE_SEED)", seed);
  hostile_start (&h, "random", 1, RANDOM_ROUNDS, seed);
  sync_ok (&h);
  for (guint round = 0; round < RANDOM_ROUNDS; round++)
    {
      g_autoptr(GError) error = NULL;
      gboolean synced = inbox_synced (&h, hostile_sync (&h, &error));

      failed += !synced;
      assert_folder_errors_printable (&h);
      assert_store_within_listed (&h, synced);
    }
  g_test_message ("INBOX failed to sync in %u of %d hostile rounds", failed, RANDOM_ROUNDS);

  /* The server is honest again; a sync may still meet the end of the last attack. */
  for (guint attempt = 0; attempt < 3 && !ok; attempt++)
    {
      g_autoptr(GError) error = NULL;

      ok = inbox_synced (&h, hostile_sync (&h, &error));
    }
  g_assert_true (ok);
  last = listed (&h, TRUE);
  uids = g_strsplit (last, ",", -1);
  outside = g_strdup_printf ("uid NOT IN (%s)", last);
  g_assert_cmpint (count_where (&h, outside), ==, 0);
  g_assert_cmpint (count_where (&h, "1"), ==, g_strv_length (uids));
  g_assert_cmpint (count_where (&h, "uid = 4294967295"), ==, 1);
  hostile_stop (&h);
}

int
main (int    argc,
      char **argv)
{
  /* Three seconds per command instead of a minute: the trickling server is given up on
   * quickly, with room for a slow machine (ASan) to finish honest commands.  Set before
   * any session exists. */
  g_setenv ("LETTERBOX_IMAP_DEADLINE_SCALE", "0.05", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hostile/max-uid", test_max_uid);
  g_test_add_data_func ("/hostile/implausible/all-reversed", "all-reversed",
                        test_implausible_search);
  g_test_add_data_func ("/hostile/implausible/all-star", "all-star",
                        test_implausible_search);
  g_test_add_data_func ("/hostile/implausible/search-empty", "search-empty",
                        test_implausible_search);
  g_test_add_func ("/hostile/unsolicited", test_unsolicited);
  g_test_add_func ("/hostile/compress-damaged", test_compress_damaged);
  g_test_add_func ("/hostile/trickle", test_trickle);
  g_test_add_data_func ("/hostile/escapes/bye", "bye", test_escapes);
  g_test_add_data_func ("/hostile/escapes/no", "no", test_escapes);
  g_test_add_func ("/hostile/folder-name", test_folder_name);
  g_test_add_func ("/hostile/smtp-reply", test_smtp_reply);
  g_test_add_func ("/hostile/idle/quiet", test_idle_quiet);
  g_test_add_func ("/hostile/idle/trickle", test_idle_trickle);
  g_test_add_func ("/hostile/slow-reader", test_slow_reader);
  g_test_add_func ("/hostile/random-rounds", test_random_rounds);
  return g_test_run ();
}
