/* lb-test-fixture.h: start the real-server fixtures (private Dovecot, aiosmtpd) from C tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lb_test_servers_start() runs tests/fixtures/lbfixture.py (through $LB_TEST_PYTHON and
 * $LB_TEST_FIXTURES_DIR, both set by tests/meson.build's test_env) in a fresh directory under
 * /tmp and returns once every listener accepts connections; lb_test_servers_stop() stops the
 * servers and removes the directory (unless LB_TEST_KEEP=1).  If the test process dies, the
 * fixture notices (its stdin pipe closes) and stops by itself.
 *
 * GLib/GIO only: no engine, no curl, so any test can use it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  /* "user@example.com:secret" entries, NULL-terminated.  NULL: one user,
   * alice@example.com with password "secret". */
  const char * const *users;
  /* Overrides Dovecot's CAPABILITY (imitating QQ/163); NULL keeps Dovecot's. */
  const char *imap_capability;
  gboolean no_imap;
  gboolean no_smtp;
  /* Corpus specs "user:folder:count[:seed]", NULL-terminated, written before start. */
  const char * const *corpus;
  /* Special-use mailbox names ("Sent", "Archive", ...) the server does not have,
   * NULL-terminated; NULL: it has Sent, Drafts, Trash, Junk and Archive. */
  const char * const *without_special;
  /* "user:folder" entries, NULL-terminated: folders the user sees in LIST but may
   * not SELECT (NO [NOPERM], as lookup-only shared folders on Cyrus). */
  const char * const *lookup_only;
  /* An RFC 7662 introspection URL (lb-test-oauth2.h): Dovecot then accepts OAuth2
   * tokens (XOAUTH2, OAUTHBEARER) and no passwords.  NULL: passwords. */
  const char *oauth2_introspect;
  /* With oauth2_introspect: the SASL mechanisms offered for tokens ("oauthbearer" alone,
   * as an RFC 7628 server); NULL: XOAUTH2 and OAUTHBEARER. */
  const char *oauth2_mechanisms;
} LbTestServersOptions;

typedef struct {
  char    *dir;         /* private root of this fixture */
  char    *ca_file;     /* the self-signed certificate the servers present */
  char    *maildir;     /* Maildir root: <maildir>/<user>/ */
  char    *smtp_spool;  /* one file per message received by the SMTP server */
  guint16  imap_port;   /* IMAP with STARTTLS */
  guint16  imaps_port;  /* IMAP over implicit TLS */
  guint16  smtp_port;   /* submission with STARTTLS */
  guint16  smtps_port;  /* submission over implicit TLS */
  /* private */
  GSubprocess *proc;
  char        *python;
  char        *script;
  char       **users;   /* "email:password" as started */
} LbTestServers;

LbTestServers *lb_test_servers_start (const LbTestServersOptions *options,
                                      GError                    **error);
void           lb_test_servers_stop  (LbTestServers              *servers);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbTestServers, lb_test_servers_stop)

/* The password the fixture was started with for USER, or NULL. */
const char    *lb_test_servers_get_password (LbTestServers *servers,
                                             const char    *user);

/* Puts MESSAGE into USER's FOLDER ("INBOX", "Sent", "A/B" ...) as another client would.
 * FLAGS are Maildir letters ("S" seen, "F" flagged, "R" answered, "" none); NULL delivers
 * to new/ (a \Recent, unseen message).  Dovecot sees it at the next sync, or within about
 * a second in IDLE. */
gboolean       lb_test_servers_deliver (LbTestServers *servers,
                                        const char    *user,
                                        const char    *folder,
                                        GBytes        *message,
                                        const char    *flags,
                                        GError       **error);

/* The messages in USER's FOLDER ("INBOX", "Sent", "A/B" ...) on the server, counted in its
 * Maildir (cur and new), as the server stores them; with NEEDLE, only those whose text
 * holds it.  Returns -1 if the server has no such folder. */
int            lb_test_servers_count_messages (LbTestServers *servers,
                                               const char    *user,
                                               const char    *folder,
                                               const char    *needle);

/* Take both SMTP listeners down (connections are refused) and bring them back up on the
 * same ports.  Both return once the change is done. */
gboolean       lb_test_servers_smtp_stop  (LbTestServers  *servers,
                                           GError        **error);
gboolean       lb_test_servers_smtp_start (LbTestServers  *servers,
                                           GError        **error);

/* One message received by the SMTP server. */
typedef struct {
  char  *path;        /* the message, exactly as received (after dot-unstuffing) */
  char  *mail_from;
  char **rcpt_tos;    /* NULL-terminated */
  char  *listener;    /* "smtp" (STARTTLS) or "smtps" */
  char  *auth_user;   /* the user who authenticated */
} LbTestSmtpMessage;

void           lb_test_smtp_message_free (LbTestSmtpMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbTestSmtpMessage, lb_test_smtp_message_free)

/* The received messages in arrival order (element type LbTestSmtpMessage). */
GPtrArray     *lb_test_servers_list_smtp (LbTestServers *servers);

/* Waits until at least COUNT messages have arrived, up to TIMEOUT_MS.  Returns what is
 * there then (check its length). */
GPtrArray     *lb_test_servers_wait_smtp (LbTestServers *servers,
                                          guint          count,
                                          guint          timeout_ms);

/* The manifest written for the corpus spec "USER:FOLDER:…" (see tests/fixtures/corpus.py). */
char          *lb_test_servers_manifest_path (LbTestServers *servers,
                                              const char    *user,
                                              const char    *folder);

/* Reads a corpus manifest: one GHashTable (string -> string) per message, in UID order.
 * Keys: uid, kind, flags (IMAP flags joined by spaces), maildir_flags, message_id,
 * in_reply_to, date (epoch), size, from, has_attachment, attachment, subject (decoded,
 * UTF-8), subject_header (the raw header if ASCII), subject_header_hex (if not), file. */
GPtrArray     *lb_test_corpus_manifest_load (const char  *path,
                                             GError     **error);

/* A small JSON reader for the fixture's flat objects: string, number, true/false values
 * become strings; arrays of scalars become their items joined by single spaces; null and
 * nested objects are left out.  Returns NULL (with ERROR set) on a syntax error. */
GHashTable    *lb_test_json_parse_object (const char  *text,
                                          gssize       length,
                                          GError     **error);

G_END_DECLS
