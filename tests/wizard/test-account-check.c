/* test-account-check.c: the account wizard's sign-in check against the real fixtures
 *
 * Each test starts a private Dovecot and SMTP server (tests/fixtures/lbfixture.py) and runs
 * lb_account_check_async() as the wizard does, asserting which side failed, which field
 * the user is sent to and that the message is the mapped, friendly one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-account-check.h"
#include "lb-test-fixture.h"

static LbTestServers *servers;

static LbAccountSettings *
make_settings (gboolean with_ca)
{
  LbAccountSettings *s = lb_account_settings_new ();

  s->email = g_strdup ("alice@example.com");
  s->imap = lb_server_config_new ("127.0.0.1", servers->imaps_port, LB_SECURITY_TLS,
                                  "alice@example.com");
  s->smtp = lb_server_config_new ("127.0.0.1", servers->smtps_port, LB_SECURITY_TLS,
                                  "alice@example.com");
  if (with_ca)
    {
      s->imap->ca_file = g_strdup (servers->ca_file);
      s->smtp->ca_file = g_strdup (servers->ca_file);
    }
  return s;
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static LbAccountCheckResult *
run_check (const LbAccountSettings *s,
           const char              *secret,
           GCancellable            *cancellable,
           GError                 **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lb_account_check_async (s, secret, cancellable, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return lb_account_check_finish (result, error);
}

static void
test_right_password (void)
{
  g_autoptr(LbAccountSettings) s = make_settings (TRUE);
  g_autoptr(LbAccountCheckResult) r = NULL;
  g_autoptr(GError) error = NULL;

  r = run_check (s, "secret", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  if (!r->ok)
    g_test_message ("unexpected failure: %s", r->message);
  g_assert_true (r->ok);
  g_assert_cmpint (r->failed, ==, LB_ACCOUNT_CHECK_SIDE_NONE);
  g_assert_cmpint (r->field, ==, LB_ACCOUNT_CHECK_FIELD_NONE);
  g_assert_null (r->message);
  g_assert_null (r->imap_error);
  g_assert_null (r->smtp_error);
}

static void
test_wrong_password (void)
{
  g_autoptr(LbAccountSettings) s = make_settings (TRUE);
  g_autoptr(LbAccountCheckResult) r = NULL;
  g_autoptr(GError) error = NULL;

  r = run_check (s, "not-the-secret", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (r->ok);
  g_assert_cmpint (r->failed, ==, LB_ACCOUNT_CHECK_SIDE_IMAP | LB_ACCOUNT_CHECK_SIDE_SMTP);
  g_assert_cmpint (r->field, ==, LB_ACCOUNT_CHECK_FIELD_PASSWORD);
  g_assert_error (r->imap_error, LB_ERROR, LB_ERROR_AUTH);
  g_assert_error (r->smtp_error, LB_ERROR, LB_ERROR_AUTH);
  g_test_message ("IMAP: %s", r->imap_error->message);
  g_test_message ("SMTP: %s", r->smtp_error->message);
  /* The mapped message, not curl's "Login denied". */
  g_assert_nonnull (strstr (r->message, "refused the sign-in"));
  g_assert_null (strstr (r->message, "not-the-secret"));
  g_assert_null (strstr (r->smtp_error->message, "not-the-secret"));
}

static void
test_smtp_down (void)
{
  g_autoptr(LbAccountSettings) s = make_settings (TRUE);
  g_autoptr(LbAccountCheckResult) r = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (lb_test_servers_smtp_stop (servers, &error));
  g_assert_no_error (error);

  r = run_check (s, "secret", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (r->ok);
  g_assert_cmpint (r->failed, ==, LB_ACCOUNT_CHECK_SIDE_SMTP);
  g_assert_cmpint (r->field, ==, LB_ACCOUNT_CHECK_FIELD_SERVER);
  g_assert_null (r->imap_error);
  g_assert_error (r->smtp_error, LB_ERROR, LB_ERROR_NETWORK);
  g_test_message ("%s", r->message);
  /* curl 7.88 words a refused connection like any other failure to connect; the socket's
   * errno makes it the message that sends the user to the port, not to their network. */
  g_assert_nonnull (strstr (r->smtp_error->message, "refused by the server 127.0.0.1"));
  g_assert_true (g_str_has_prefix (r->message, "Sending mail: "));

  g_assert_true (lb_test_servers_smtp_start (servers, &error));
  g_assert_no_error (error);
}

/* A port nothing listens on: bound, then closed, so that the kernel refuses it. */
static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  g_socket_close (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* The wrong IMAP port: the wizard says the connection was refused and that the port and
 * the security setting are to check (a translated message), not curl's generic text. */
static void
test_imap_refused (void)
{
  g_autoptr(LbAccountSettings) s = make_settings (TRUE);
  g_autoptr(LbAccountCheckResult) r = NULL;
  g_autoptr(GError) error = NULL;

  s->imap->port = closed_port ();
  r = run_check (s, "secret", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (r->ok);
  g_assert_true (r->failed & LB_ACCOUNT_CHECK_SIDE_IMAP);
  g_assert_cmpint (r->field, ==, LB_ACCOUNT_CHECK_FIELD_SERVER);
  g_assert_error (r->imap_error, LB_ERROR, LB_ERROR_NETWORK);
  g_test_message ("%s", r->imap_error->message);
  g_assert_nonnull (strstr (r->imap_error->message, "refused by the server 127.0.0.1"));
  g_assert_null (strstr (r->imap_error->message, "Couldn't connect"));
}

static void
test_untrusted_certificate (void)
{
  g_autoptr(LbAccountSettings) s = make_settings (FALSE);
  g_autoptr(LbAccountCheckResult) r = NULL;
  g_autoptr(GError) error = NULL;

  r = run_check (s, "secret", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (r->ok);
  g_assert_cmpint (r->failed, ==, LB_ACCOUNT_CHECK_SIDE_IMAP | LB_ACCOUNT_CHECK_SIDE_SMTP);
  g_assert_cmpint (r->field, ==, LB_ACCOUNT_CHECK_FIELD_SERVER);
  g_assert_error (r->imap_error, LB_ERROR, LB_ERROR_TLS);
  g_assert_error (r->smtp_error, LB_ERROR, LB_ERROR_TLS);
  g_test_message ("%s", r->message);
  g_assert_nonnull (strstr (r->message, "is not trusted"));
  g_assert_nonnull (strstr (r->smtp_error->message, "is not trusted"));
}

static void
test_cancelled (void)
{
  g_autoptr(LbAccountSettings) s = make_settings (TRUE);
  g_autoptr(LbAccountCheckResult) r = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  r = run_check (s, "secret", cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (r);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  servers = lb_test_servers_start (NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/wizard/check/right-password", test_right_password);
  g_test_add_func ("/wizard/check/wrong-password", test_wrong_password);
  g_test_add_func ("/wizard/check/smtp-down", test_smtp_down);
  g_test_add_func ("/wizard/check/imap-refused", test_imap_refused);
  g_test_add_func ("/wizard/check/untrusted-certificate", test_untrusted_certificate);
  g_test_add_func ("/wizard/check/cancelled", test_cancelled);
  status = g_test_run ();

  lb_test_servers_stop (servers);
  return status;
}
