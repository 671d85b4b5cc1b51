/* test-notify-folders.c: new mail in a folder other than INBOX arrives by itself
 *
 * Where the server has NOTIFY (RFC 5465; Dovecot does), the one IDLE connection hears
 * of every folder's changes at once.  Elsewhere IDLE watches INBOX and the other
 * folders are synced now and then (LETTERBOX_OTHER_FOLDERS_SECONDS shortens that here,
 * LETTERBOX_IDLE_RENEW_SECONDS the IDLE round that checks it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-test-env.h"
#include "lb-test-log.h"

/* Dovecot's capabilities without NOTIFY. */
#define NO_NOTIFY "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE UIDPLUS " \
                  "LIST-EXTENDED CONDSTORE QRESYNC ESEARCH MOVE LITERAL+ SPECIAL-USE"

typedef struct {
  LbTestEnv *env;
  guint      want;
} ArchiveWait;

static gboolean
archive_has (gpointer data)
{
  ArchiveWait *w = data;

  return lb_folder_get_total_count (lb_test_env_folder (w->env, LB_FOLDER_ROLE_ARCHIVE)) >= w->want;
}

/* How the new message reaches the server's Archive. */
typedef enum {
  THROUGH_SERVER,   /* APPEND, as another client or a delivery agent through Dovecot */
  BEHIND_SERVER,    /* a file written into the Maildir, which Dovecot hears nothing of */
} Delivery;

static void
deliver_to_archive (const char *capability,
                    Delivery    delivery,
                    guint       within_s)
{
  const char * const corpus[] = { "alice@example.com:INBOX:10:95", "alice@example.com:Archive:5:96",
                                  NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) msg = NULL;
  g_autoptr(LbImapSession) other = NULL;
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };
  ArchiveWait wait = { &env, 6 };

  options.corpus = corpus;
  options.imap_capability = capability;
  lb_test_env_start (&env, &options);
  lb_test_env_sync_ok (&env);
  g_assert_cmpuint (lb_folder_get_total_count (lb_test_env_folder (&env, LB_FOLDER_ROLE_ARCHIVE)), ==, 5);

  lb_test_log_clear ();
  lb_engine_start (env.engine);
  /* Let IDLE settle before the other client delivers. */
  lb_test_iterate_for (1500);
  g_assert_cmpuint (lb_test_log_count (capability == NULL ? "watching every folder (NOTIFY)"
                                                              : "watching INBOX"), >, 0);

  msg = g_bytes_new_static ("From: Bob <bob@example.com>\r\nTo: alice@example.com\r\n"
                            "Subject: filed by a rule\r\nMessage-ID: <notify-1@example.com>\r\n"
                            "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nHello\r\n", 161);
  if (delivery == THROUGH_SERVER)
    {
      /* Through Dovecot (another client, or its delivery agent filing by a rule), which
       * is what tells NOTIFY. */
      other = lb_test_env_server_session (&env);
      lb_imap_session_append_sync (other, "Archive", NULL, msg, NULL, NULL, &error);
      g_assert_no_error (error);
      lb_imap_session_logout (other);
    }
  else
    {
      /* A file dropped into the Maildir reaches Dovecot only when the folder is next
       * opened: NOTIFY says nothing. */
      g_assert_true (lb_test_servers_deliver (env.servers, LB_TEST_ENV_USER, "Archive", msg, "", &error));
      g_assert_no_error (error);
    }

  g_assert_true (lb_test_wait_until (archive_has, &wait, within_s));
  /* With NOTIFY, the news is what brought it, unless it could not (then the rare full
   * sync did). */
  if (capability == NULL && delivery == THROUGH_SERVER)
    g_assert_cmpuint (lb_test_log_count ("NOTIFY: a folder changed"), >, 0);
  if (delivery == BEHIND_SERVER)
    g_assert_cmpuint (lb_test_log_count ("NOTIFY: a folder changed"), ==, 0);
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_ARCHIVE, "Archive");
  lb_test_env_stop (&env);
}

/* NOTIFY: the new message is there within seconds, long before any periodic check. */
static void
test_notify (void)
{
  deliver_to_archive (NULL, THROUGH_SERVER, 10);
}

/* No NOTIFY: the periodic sync of the other folders finds it. */
static void
test_periodic (void)
{
  deliver_to_archive (NO_NOTIFY, THROUGH_SERVER, 30);
}

/* NOTIFY, but the message came in behind the server's back, so no news comes: the rare
 * full sync that stays on with NOTIFY (hourly, 4 s here) finds it. */
static void
test_notify_safety_net (void)
{
  deliver_to_archive (NULL, BEHIND_SERVER, 30);
}

int
main (int   argc,
      char *argv[])
{
  /* Before any thread exists.  The periodic check (3 s; 4 s with NOTIFY) is longer than
   * test_notify's wait would need, and only happens at the end of an IDLE round (2 s). */
  g_setenv ("LETTERBOX_IDLE_RENEW_SECONDS", "2", TRUE);
  g_setenv ("LETTERBOX_OTHER_FOLDERS_SECONDS", "3", TRUE);
  g_setenv ("LETTERBOX_NOTIFY_FULL_SYNC_SECONDS", "4", TRUE);
  g_setenv ("G_MESSAGES_DEBUG", "Letterbox-Worker", TRUE);
  lb_test_log_record ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/notify/other-folder", test_notify);
  g_test_add_func ("/notify/periodic-without-notify", test_periodic);
  g_test_add_func ("/notify/safety-net-with-notify", test_notify_safety_net);
  return g_test_run ();
}
