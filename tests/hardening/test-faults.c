/* test-faults.c: connections cut at 20 points of a first sync and of a resync, and an
 * IDLE connection that stalls silently
 *
 * Every sync goes through tests/support/lb-test-proxy.  After each fault a plain sync
 * must bring the store to exactly the server's state (same uids, same flags, none twice),
 * and local flag changes made before the fault must have reached the server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "hardening-env.h"

#define N_CUTS 20

/* LB_TEST_FAULT_CUTS=10 (or 5, 4, 2) tries every 2nd (5th ...) of the 20 cut points, over
 * the same range of bytes: the ASan run, where each sync is many times slower, uses it. */
static guint
cut_stride (void)
{
  const char *env = g_getenv ("LB_TEST_FAULT_CUTS");
  guint64 n = env != NULL ? g_ascii_strtoull (env, NULL, 10) : N_CUTS;

  return n > 0 && n <= N_CUTS && N_CUTS % n == 0 ? (guint) (N_CUTS / n) : 1;
}

#define N_TRIED (N_CUTS / cut_stride ())

static guint faults_injected;

/* Sync with a cut armed at CUT bytes into the next connection, then once more without.
 * kill_all first, so the cut counts from the first byte of a new connection (the engine
 * notices that its kept connection died and reconnects within the same sync).  Up to
 * three attempts, until the cut has fired or a sync went through whole. */
static void
sync_through_cut (LbTestEnv *env,
                  gint64     cut)
{
  guint before = lb_test_proxy_get_faults (env->proxy);

  lb_test_proxy_cut_after (env->proxy, cut);
  lb_test_proxy_kill_all (env->proxy);
  g_usleep (100 * 1000);
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      g_autoptr(GError) error = NULL;

      if (lb_test_env_sync (env, 0, &error))
        break;
      g_test_message ("cut at %" G_GINT64_FORMAT ", attempt %u: %s", cut, attempt, error->message);
      g_assert_true (error->domain == LB_ERROR || error->domain == G_IO_ERROR);
      if (lb_test_proxy_get_faults (env->proxy) > before)
        break;
    }
  lb_test_proxy_cut_after (env->proxy, -1);
  if (lb_test_proxy_get_faults (env->proxy) > before)
    faults_injected++;
  lb_test_env_sync_ok (env);
}

static void
test_first_sync_cuts (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:300:71", "alice@example.com:Archive:60:72", NULL };
  LbTestEnv env = { 0 };
  gint64 cut = 700;
  guint injected_before = faults_injected;

  env_start (&env, corpus, TRUE, NULL);
  /* 700 bytes (inside the TLS handshake) to ~100 kB (inside the FETCH of the Archive) */
  for (guint i = 0; i < N_CUTS; i++, cut = cut * 13 / 10)
    {
      if (i % cut_stride () != 0)
        continue;
      /* A fresh profile each time: every cut lands in a first sync. */
      lb_test_env_close_engine (&env);
      lb_test_rm_rf (env.profile);
      g_assert_cmpint (g_mkdir (env.profile, 0700), ==, 0);
      lb_test_env_open_engine (&env);
      g_assert_null (env.account);
      lb_test_env_add_account (&env);

      sync_through_cut (&env, cut);
      lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
      lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_ARCHIVE, "Archive");
    }
  g_test_message ("first sync: %u cuts fired", faults_injected - injected_before);
  g_assert_cmpuint (faults_injected - injected_before, >=, N_TRIED * 3 / 4);
  lb_test_env_stop (&env);
}

static void
test_resync_cuts (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:120:73", NULL };
  g_autoptr(GBytes) msg = g_bytes_new_static ("From: bob@example.com\r\nSubject: more\r\n\r\nbody\r\n", 46);
  LbTestEnv env = { 0 };
  gint64 cut = 150;
  guint injected_before = faults_injected;
  gint64 inbox;

  env_start (&env, corpus, TRUE, NULL);
  lb_test_env_sync_ok (&env);
  inbox = lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX));
  /* 150 bytes to ~5 kB: a resync of a few changes is small */
  for (guint i = 0; i < N_CUTS; i++, cut = cut * 6 / 5)
    {
      if (i % cut_stride () != 0)
        continue;

      g_autoptr(GError) error = NULL;
      g_autoptr(LbImapSession) other = lb_test_env_server_session (&env);
      g_autoptr(LbImapResponse) ok = NULL;
      g_autoptr(LbMessage) mine = lb_test_env_message_with_uid (&env, inbox, 1 + i);
      g_autoptr(GHashTable) server = NULL;
      LbImapSelectInfo info;

      /* Here: toggle \Seen and flag one message. */
      g_assert_nonnull (mine);
      if (lb_message_get_unread (mine))
        lb_engine_set_flags (env.engine, &mine, 1, LB_FLAG_SEEN | LB_FLAG_FLAGGED, 0);
      else
        lb_engine_set_flags (env.engine, &mine, 1, LB_FLAG_FLAGGED, LB_FLAG_SEEN);

      /* There: another client flags one, unflags another, expunges one, appends one. */
      lb_imap_session_select_sync (other, "INBOX", FALSE, NULL, NULL, NULL, &info, NULL, &error);
      g_assert_no_error (error);
      ok = lb_imap_session_command_sync (other, NULL, NULL, NULL, &error,
                                         "UID STORE %u +FLAGS.SILENT (\\Flagged \\Answered)", 60 + i);
      g_assert_no_error (error);
      g_clear_pointer (&ok, lb_imap_response_unref);
      ok = lb_imap_session_command_sync (other, NULL, NULL, NULL, &error,
                                         "UID STORE %u -FLAGS.SILENT (\\Seen)", 90 + i);
      g_assert_no_error (error);
      g_clear_pointer (&ok, lb_imap_response_unref);
      ok = lb_imap_session_command_sync (other, NULL, NULL, NULL, &error,
                                         "UID STORE %u +FLAGS.SILENT (\\Deleted)", 40 + i);
      g_assert_no_error (error);
      g_clear_pointer (&ok, lb_imap_response_unref);
      ok = lb_imap_session_command_sync (other, NULL, NULL, NULL, &error, "EXPUNGE");
      g_assert_no_error (error);
      lb_imap_session_append_sync (other, "INBOX", NULL, msg, NULL, NULL, &error);
      g_assert_no_error (error);
      lb_imap_session_logout (other);

      sync_through_cut (&env, cut);
      lb_engine_flush_pending (env.engine);
      lb_engine_wait_idle (env.engine);
      lb_test_env_sync_ok (&env);

      lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
      /* The local change made it to the server. */
      server = lb_test_env_server_flags (&env, "INBOX");
      g_assert_true (GPOINTER_TO_UINT (g_hash_table_lookup (server, GUINT_TO_POINTER (1 + i))) & LB_FLAG_FLAGGED);
    }
  g_test_message ("resync: %u cuts fired", faults_injected - injected_before);
  g_assert_cmpuint (faults_injected - injected_before, >=, N_TRIED * 3 / 4);
  lb_test_env_stop (&env);
}

/* IDLE over a connection that stops forwarding (a dead NAT mapping): the renewal's DONE
 * gets no answer, the engine gives the connection up, reconnects, and a message
 * delivered after the stall arrives.  LETTERBOX_IDLE_RENEW_SECONDS=2 makes the renewal
 * come soon and LETTERBOX_IDLE_ANSWER_MS=5000 gives up on its answer after 5 s instead of
 * the engine's 30 s, so this takes seconds, not ~40. */
static void
test_idle_stall (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:10:74", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) msg = NULL;
  LbTestEnv env = { 0 };
  LbMessageList *unified;
  guint connections;

  env_start (&env, corpus, TRUE, NULL);
  lb_test_env_sync_ok (&env);
  unified = lb_engine_get_unified_inbox (env.engine);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (unified)), ==, 10);

  lb_engine_start (env.engine);
  lb_test_iterate_for (1000);

  /* The IDLE connection is up: the next thing the server sends on it (the answer to the
   * renewal's DONE, after 2 s) still gets through, then nothing more: a silent death. */
  connections = lb_test_proxy_get_connections (env.proxy);
  lb_test_proxy_stall_after (env.proxy, 0);
  msg = g_bytes_new_static ("From: Bob <bob@example.com>\r\nTo: alice@example.com\r\n"
                            "Subject: after the stall\r\nMessage-ID: <stall-1@example.com>\r\n\r\nHello\r\n", 120);
  lb_test_iterate_for (3000);
  lb_test_servers_deliver (env.servers, "alice@example.com", "INBOX", msg, NULL, &error);
  g_assert_no_error (error);

  lb_test_wait_n_items (G_LIST_MODEL (unified), 11, 120);
  g_test_message ("stall faults: %u, connections: %u -> %u", lb_test_proxy_get_faults (env.proxy),
                  connections, lb_test_proxy_get_connections (env.proxy));
  g_assert_cmpuint (lb_test_proxy_get_faults (env.proxy), >=, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (unified)), ==, 11);
  faults_injected++;
  lb_test_env_stop (&env);
}

/* Every test above survives each fault it injects, or fails; this checks the run as a
 * whole injected what it should: most of the cuts of both sync tests, and the stall. */
static void
test_count (void)
{
  g_test_message ("faults injected and survived: %u", faults_injected);
  g_assert_cmpuint (faults_injected, >=, 2 * (N_TRIED * 3 / 4) + 1);
}

int
main (int   argc,
      char *argv[])
{
  /* Before any thread exists: the account's IDLE renews after 2 s. */
  g_setenv ("LETTERBOX_IDLE_RENEW_SECONDS", "2", TRUE);
  g_setenv ("LETTERBOX_IDLE_ANSWER_MS", "5000", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/faults/first-sync-cuts", test_first_sync_cuts);
  g_test_add_func ("/faults/resync-cuts", test_resync_cuts);
  g_test_add_func ("/faults/idle-stall", test_idle_stall);
  g_test_add_func ("/faults/count", test_count);
  return g_test_run ();
}
