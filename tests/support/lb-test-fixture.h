/* lb-test-fixture.h: start the real-server fixtures (private Dovecot, aiosmtpd) from C tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
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
} LbTestServers;

LbTestServers *lb_test_servers_start (const LbTestServersOptions *options,
                                      GError                    **error);
void           lb_test_servers_stop  (LbTestServers              *servers);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbTestServers, lb_test_servers_stop)

G_END_DECLS
