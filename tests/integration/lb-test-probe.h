/* lb-test-probe.h: a minimal IMAP client over libcurl CONNECT_ONLY, for fixture self-tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This is deliberately independent of the engine: it checks that the fixture servers behave
 * as TESTING.md says, so that an engine test failing against them points at the engine.
 */
#pragma once

#include <curl/curl.h>
#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _LbTestProbe LbTestProbe;

/* Logs in to URL ("imaps://127.0.0.1:PORT/" or "imap://…" with STARTTLS) with certificate
 * verification on.  CA_FILE NULL uses the system store (so the fixture's certificate is
 * untrusted).  Returns curl's result; on CURLE_OK *OUT holds a logged-in connection. */
CURLcode     lb_test_probe_connect   (const char    *url,
                                      gboolean       starttls,
                                      const char    *user,
                                      const char    *password,
                                      const char    *ca_file,
                                      LbTestProbe  **out);
void         lb_test_probe_free      (LbTestProbe   *probe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbTestProbe, lb_test_probe_free)

/* Sends "TAG COMMAND\r\n" with a fresh tag and reads up to and including the tagged reply
 * (literals are read by count).  Returns all of it, or NULL on error/timeout.
 * *TAGGED_OK (if not NULL) says whether the reply was OK. */
GBytes      *lb_test_probe_command   (LbTestProbe   *probe,
                                      const char    *command,
                                      gboolean      *tagged_ok,
                                      GError       **error);

/* Sends raw bytes (e.g. "DONE\r\n"). */
gboolean     lb_test_probe_send      (LbTestProbe   *probe,
                                      const char    *data,
                                      GError       **error);

/* Reads one line (without CRLF), waiting up to TIMEOUT_MS.  For IDLE. */
char        *lb_test_probe_read_line (LbTestProbe   *probe,
                                      guint          timeout_ms,
                                      GError       **error);

/* A parsed IMAP value. */
typedef enum {
  LB_TEST_IMAP_ATOM,
  LB_TEST_IMAP_STRING,   /* quoted or literal; DATA holds the exact bytes */
  LB_TEST_IMAP_NIL,
  LB_TEST_IMAP_LIST,
} LbTestImapKind;

typedef struct _LbTestImapValue LbTestImapValue;
struct _LbTestImapValue {
  LbTestImapKind  kind;
  GBytes         *data;   /* ATOM, STRING */
  GPtrArray      *items;  /* LIST: LbTestImapValue* */
};

void         lb_test_imap_value_free (LbTestImapValue *value);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbTestImapValue, lb_test_imap_value_free)

/* Parses every untagged line "* …" of RESPONSE into a LIST value of its tokens (without
 * the "*"), e.g. ("3", "FETCH", (…)).  Returns an array of LbTestImapValue*. */
GPtrArray   *lb_test_imap_parse_untagged (GBytes *response);

/* For an ATOM or STRING: its bytes as a new NUL-terminated string. */
char        *lb_test_imap_value_dup_string (const LbTestImapValue *value);

/* In a FETCH item list (k1 v1 k2 v2 …), the value for KEY, or NULL. */
const LbTestImapValue *lb_test_imap_fetch_item (const LbTestImapValue *items,
                                                const char            *key);

G_END_DECLS
