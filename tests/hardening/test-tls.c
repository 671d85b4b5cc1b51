/* test-tls.c: servers presenting bad certificates are refused, each with its own reason
 *
 * tests/fixtures/badcert.py makes a private CA and listens with three leaf certificates:
 * self-signed (not issued by the CA the client trusts), expired (issued by it) and issued
 * by it for another host name, each over implicit TLS and after STARTTLS.  The engine's IMAP connect and SMTP login check must both
 * refuse every one with LB_ERROR_TLS, and the error mapper (lb_error_map_curl) must name
 * the specific reason.  A source scan makes sure no code path turns verification off.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-error-map.h"
#include "lb-imap-session.h"
#include "lb-smtp-sender.h"
#include "lb-test-fixture.h"

typedef struct {
  GSubprocess *proc;
  char        *dir;
  char        *ca_file;
  GHashTable  *ports;   /* name -> port (as a string) */
} BadCerts;

static BadCerts *
bad_certs_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (g_getenv ("LB_TEST_FIXTURES_DIR"), "badcert.py", NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  BadCerts *b = g_new0 (BadCerts, 1);

  b->dir = g_dir_make_tmp ("lb-badcert-XXXXXX", &error);
  g_assert_no_error (error);
  b->proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                              &error, g_getenv ("LB_TEST_PYTHON"), script, b->dir, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (b->proc));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  b->ports = lb_test_json_parse_object (line, -1, &error);
  g_assert_no_error (error);
  b->ca_file = g_build_filename (b->dir, "ca.pem", NULL);
  return b;
}

static void
bad_certs_stop (BadCerts *b)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", b->dir);

  g_output_stream_close (g_subprocess_get_stdin_pipe (b->proc), NULL, NULL);
  g_subprocess_wait (b->proc, NULL, NULL);
  g_object_unref (b->proc);
  g_assert_cmpint (system (cmd), ==, 0);
  g_hash_table_unref (b->ports);
  g_free (b->ca_file);
  g_free (b->dir);
  g_free (b);
}

static guint16
port_of (BadCerts   *b,
         const char *name)
{
  const char *p = g_hash_table_lookup (b->ports, name);

  g_assert_nonnull (p);
  return (guint16) g_ascii_strtoull (p, NULL, 10);
}

typedef struct {
  const char *name;
  const char *curl_words;   /* what curl's own error text says */
  const char *mapped_words; /* what the mapped, translatable message says */
} Case;

static const Case cases[] = {
  { "untrusted", "self-signed", "not trusted" },
  { "expired", "expired", "has expired" },
  { "wrong-host", "subject name", "different server name" },
};

static guint refused;

/* The engine's error must name the reason: either it is already the mapped message (the
 * IMAP connection maps libcurl failures itself), or it carries curl's own text, which the
 * mapper then turns into words a person can act on. */
static void
assert_refused (const GError *error,
                const Case   *c,
                const char   *what)
{
  g_autoptr(GError) mapped = NULL;
  g_autofree char *lower = NULL;

  g_assert_nonnull (error);
  g_test_message ("%s %s: %s", what, c->name, error->message);
  g_assert_error (error, LB_ERROR, LB_ERROR_TLS);
  if (strstr (error->message, c->mapped_words) != NULL)
    {
      g_assert_nonnull (strstr (error->message, "127.0.0.1"));
      refused++;
      return;
    }
  lower = g_ascii_strdown (error->message, -1);
  g_assert_nonnull (strstr (lower, c->curl_words));

  mapped = lb_error_map_curl (CURLE_PEER_FAILED_VERIFICATION, error->message, "127.0.0.1",
                              NULL, LB_ERROR_PHASE_ANY, NULL, 0);
  g_test_message ("  mapped: %s", mapped->message);
  g_assert_error (mapped, LB_ERROR, LB_ERROR_TLS);
  g_assert_nonnull (strstr (mapped->message, c->mapped_words));
  g_assert_nonnull (strstr (mapped->message, "127.0.0.1"));
  refused++;
}

static void
test_imap_refused (void)
{
  BadCerts *b = bad_certs_start ();

  for (guint i = 0; i < 2 * G_N_ELEMENTS (cases); i++)
    {
      const Case *k = &cases[i % G_N_ELEMENTS (cases)];
      gboolean starttls = i >= G_N_ELEMENTS (cases);
      g_autofree char *port = g_strconcat (k->name, starttls ? "-imap" : "", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(LbImapSession) session = lb_imap_session_new ();
      g_autoptr(LbServerConfig) c = lb_server_config_new ("127.0.0.1", port_of (b, port),
                                                          starttls ? LB_SECURITY_STARTTLS : LB_SECURITY_TLS,
                                                          "alice@example.com");

      c->ca_file = g_strdup (b->ca_file);
      g_assert_false (lb_imap_session_connect_sync (session, c, "secret", FALSE, NULL, &error));
      g_assert_false (lb_imap_session_is_connected (session));
      assert_refused (error, k, starttls ? "IMAP STARTTLS" : "IMAP");
    }
  bad_certs_stop (b);
}

static void
test_smtp_refused (void)
{
  BadCerts *b = bad_certs_start ();

  for (guint i = 0; i < 2 * G_N_ELEMENTS (cases); i++)
    {
      const Case *k = &cases[i % G_N_ELEMENTS (cases)];
      gboolean starttls = i >= G_N_ELEMENTS (cases);
      g_autofree char *port = g_strconcat (k->name, starttls ? "-smtp" : "", NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *reply = NULL;
      g_autoptr(LbServerConfig) c = lb_server_config_new ("127.0.0.1", port_of (b, port),
                                                          starttls ? LB_SECURITY_STARTTLS : LB_SECURITY_TLS,
                                                          "alice@example.com");

      c->ca_file = g_strdup (b->ca_file);
      g_assert_false (lb_smtp_check_login_sync (c, "secret", &reply, NULL, &error));
      assert_refused (error, k, starttls ? "SMTP STARTTLS" : "SMTP");
    }
  bad_certs_stop (b);
}

/* A server that does not offer STARTTLS: refused before any password goes out. */
static void
test_no_starttls_refused (void)
{
  BadCerts *b = bad_certs_start ();
  g_autoptr(GError) imap_error = NULL;
  g_autoptr(GError) smtp_error = NULL;
  g_autoptr(LbImapSession) session = lb_imap_session_new ();
  g_autoptr(LbServerConfig) imap = lb_server_config_new ("127.0.0.1", port_of (b, "plain-imap"),
                                                         LB_SECURITY_STARTTLS, "alice@example.com");
  g_autoptr(LbServerConfig) smtp = lb_server_config_new ("127.0.0.1", port_of (b, "plain-smtp"),
                                                         LB_SECURITY_STARTTLS, "alice@example.com");

  g_assert_false (lb_imap_session_connect_sync (session, imap, "secret", FALSE, NULL, &imap_error));
  g_test_message ("IMAP without STARTTLS: %s", imap_error->message);
  g_assert_error (imap_error, LB_ERROR, LB_ERROR_TLS);
  g_assert_false (lb_smtp_check_login_sync (smtp, "secret", NULL, NULL, &smtp_error));
  g_test_message ("SMTP without STARTTLS: %s", smtp_error->message);
  g_assert_error (smtp_error, LB_ERROR, LB_ERROR_TLS);
  refused += 2;
  bad_certs_stop (b);
}

/* The control: trusting the self-signed certificate itself gets past TLS, so the refusals
 * above were about the certificates and not about the listener (which speaks no IMAP, so
 * the connect still fails, but not with a TLS error). */
static void
test_trusted_gets_past_tls (void)
{
  BadCerts *b = bad_certs_start ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapSession) session = lb_imap_session_new ();
  g_autoptr(LbServerConfig) c = lb_server_config_new ("127.0.0.1", port_of (b, "untrusted"),
                                                      LB_SECURITY_TLS, "alice@example.com");

  c->ca_file = g_build_filename (b->dir, "untrusted.pem", NULL);
  g_assert_false (lb_imap_session_connect_sync (session, c, "secret", FALSE, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("control: %s", error->message);
  g_assert_false (g_error_matches (error, LB_ERROR, LB_ERROR_TLS));
  bad_certs_stop (b);
}

/* No code path may switch certificate checks off: scan every C file of src/ for the
 * libcurl options that would. */
static void
scan_dir (const char *dir,
          GRegex     *space,
          guint      *files,
          GPtrArray  *hits)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  static const char * const bad[] = {
    "CURLOPT_SSL_VERIFYPEER, 0", "CURLOPT_SSL_VERIFYHOST, 0", "CURLOPT_SSL_VERIFYSTATUS, 0",
    "CURLOPT_PROXY_SSL_VERIFYPEER, 0", "CURLOPT_PROXY_SSL_VERIFYHOST, 0",
    "CURLSSLOPT_NO_REVOKE", "CURLSSLOPT_ALLOW_BEAST", "G_TLS_CERTIFICATE_VALIDATE_NONE",
    "accept-certificate", "CURLUSESSL_TRY", "CURLUSESSL_NONE",
  };

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;
      g_autofree char *flat = NULL;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          scan_dir (path, space, files, hits);
          continue;
        }
      if (!g_str_has_suffix (name, ".c") && !g_str_has_suffix (name, ".h"))
        continue;
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      (*files)++;
      /* "(h, CURLOPT_SSL_VERIFYPEER,   0L)" and "0L" spread over lines count too. */
      flat = g_regex_replace (space, text, -1, 0, " ", 0, NULL);
      for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
        if (strstr (flat, bad[i]) != NULL)
          g_ptr_array_add (hits, g_strdup_printf ("%s: %s", path, bad[i]));
    }
}

static void
test_no_insecure_option (void)
{
  g_autofree char *src = g_build_filename (g_getenv ("LB_TEST_SRCDIR"), "src", NULL);
  g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRegex) space = g_regex_new ("\\s+", 0, 0, NULL);
  guint files = 0;

  scan_dir (src, space, &files, hits);
  for (guint i = 0; i < hits->len; i++)
    g_test_message ("insecure: %s", (char *) g_ptr_array_index (hits, i));
  g_assert_cmpuint (files, >, 50);
  g_assert_cmpuint (hits->len, ==, 0);
}

static void
test_count (void)
{
  g_test_message ("certificate cases refused: %u", refused);
  /* three certificates, IMAP and SMTP, implicit TLS and STARTTLS; and no STARTTLS */
  g_assert_cmpuint (refused, ==, 4 * G_N_ELEMENTS (cases) + 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tls/imap-refused", test_imap_refused);
  g_test_add_func ("/tls/smtp-refused", test_smtp_refused);
  g_test_add_func ("/tls/no-starttls-refused", test_no_starttls_refused);
  g_test_add_func ("/tls/trusted-gets-past-tls", test_trusted_gets_past_tls);
  g_test_add_func ("/tls/no-insecure-option", test_no_insecure_option);
  g_test_add_func ("/tls/count", test_count);
  return g_test_run ();
}
