/* lb-test-oauth2.h: the loopback OAuth2 authorization server (tests/fixtures/oauth2_server.py)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lb_test_oauth2_start() starts the server, writes a LETTERBOX_OAUTH2_PROVIDERS file whose
 * [microsoft] and [google] groups point at it (client ID "letterbox-test") and sets that
 * variable; lb_test_oauth2_stop() undoes both.  lb_test_oauth2_command() sends one of the
 * server's stdin commands ("revoke", "next-token KIND", "expire", "stats") and returns its
 * answer line.  GLib/GIO only.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  guint16      port;
  char        *base_url;         /* http://127.0.0.1:PORT */
  char        *introspect_url;   /* for Dovecot's oauth2 passdb */
  char        *providers_file;
  char        *browser;          /* a LETTERBOX_BROWSER command for the fixture's browser */
  /* private */
  char        *dir;
  GSubprocess *proc;
  GDataInputStream *out;
} LbTestOAuth2;

LbTestOAuth2 *lb_test_oauth2_start   (guint           lifetime_s,
                                      GError        **error);
void          lb_test_oauth2_stop    (LbTestOAuth2   *server);
char         *lb_test_oauth2_command (LbTestOAuth2   *server,
                                      const char     *command);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbTestOAuth2, lb_test_oauth2_stop)

G_END_DECLS
