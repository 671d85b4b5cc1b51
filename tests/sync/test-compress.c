/* test-compress.c: COMPRESS=DEFLATE (RFC 4978) against the private Dovecot
 *
 * The same messages fetched over a compressed and a plain session must be byte for
 * byte the same, and the compressed one must move fewer bytes over the wire.  (Every
 * other test that syncs from the fixture goes through compression too, since the
 * fixture's Dovecot offers it; the damaged-stream case is in test-hostile.c.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-test-env.h"

static gboolean
collect_bodies (LbImapResponse  *r,
                gpointer         user_data,
                GError         **error)
{
  if (r->kind == LB_IMAP_RESPONSE_FETCH && r->u.fetch.sections != NULL &&
      r->u.fetch.sections->len == 1)
    {
      LbImapBodySection *section = g_ptr_array_index (r->u.fetch.sections, 0);

      g_hash_table_insert (user_data, GUINT_TO_POINTER (r->u.fetch.uid), g_bytes_ref (section->data));
    }
  return TRUE;
}

/* All of INBOX's messages, whole, over a session with compression on or off; the
 * connection's byte counts go to OUT_WIRE_IN and OUT_DATA_IN. */
static GHashTable *
fetch_all (LbTestEnv *env,
           gboolean   compress,
           gboolean  *out_compressed,
           guint64   *out_wire_in,
           guint64   *out_data_in)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbServerConfig) c = lb_server_config_new ("127.0.0.1", env->servers->imaps_port,
                                                      LB_SECURITY_TLS, LB_TEST_ENV_USER);
  g_autoptr(LbImapSession) session = lb_imap_session_new ();
  g_autoptr(LbImapResponse) ok = NULL;
  GHashTable *bodies = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_bytes_unref);
  guint64 wire_before, data_before;
  LbImapSelectInfo info;

  c->ca_file = g_strdup (env->servers->ca_file);
  lb_imap_session_set_compress (session, compress);
  g_assert_true (lb_imap_session_connect_sync (session, c, env->password, FALSE, NULL, &error));
  g_assert_no_error (error);
  *out_compressed = lb_imap_connection_is_compressed (lb_imap_session_get_connection (session));
  g_assert_true (lb_imap_session_select_sync (session, "INBOX", TRUE, NULL, NULL, NULL, &info,
                                              NULL, &error));
  g_assert_no_error (error);

  lb_imap_connection_get_bytes (lb_imap_session_get_connection (session), &wire_before,
                                &data_before, NULL, NULL);
  lb_imap_session_expect (session, info.exists, 0);
  ok = lb_imap_session_command_sync (session, collect_bodies, bodies, NULL, &error,
                                     "UID FETCH 1:* (BODY.PEEK[])");
  g_assert_no_error (error);
  lb_imap_connection_get_bytes (lb_imap_session_get_connection (session), out_wire_in,
                                out_data_in, NULL, NULL);
  *out_wire_in -= wire_before;
  *out_data_in -= data_before;
  lb_imap_session_logout (session);
  return bodies;
}

static void
test_same_bytes (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:150:91", NULL };
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };
  g_autoptr(GHashTable) plain = NULL;
  g_autoptr(GHashTable) deflated = NULL;
  GHashTableIter iter;
  gpointer uid, bytes;
  gboolean compressed;
  guint64 plain_wire, plain_data, z_wire, z_data;

  options.corpus = corpus;
  options.no_account = TRUE;
  lb_test_env_start (&env, &options);

  plain = fetch_all (&env, FALSE, &compressed, &plain_wire, &plain_data);
  g_assert_false (compressed);
  deflated = fetch_all (&env, TRUE, &compressed, &z_wire, &z_data);
  g_assert_true (compressed);

  g_assert_cmpuint (g_hash_table_size (plain), ==, 150);
  g_assert_cmpuint (g_hash_table_size (deflated), ==, 150);
  g_hash_table_iter_init (&iter, plain);
  while (g_hash_table_iter_next (&iter, &uid, &bytes))
    g_assert_true (g_bytes_equal (bytes, g_hash_table_lookup (deflated, uid)));

  g_test_message ("FETCH of 150 messages: %" G_GUINT64_FORMAT " bytes of protocol, "
                  "%" G_GUINT64_FORMAT " plain and %" G_GUINT64_FORMAT " compressed on the wire",
                  z_data, plain_wire, z_wire);
  g_assert_cmpuint (plain_wire, ==, plain_data);
  g_assert_cmpuint (z_data, ==, plain_data);
  g_assert_cmpuint (z_wire, <, z_data / 2);
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/compress/same-bytes", test_same_bytes);
  return g_test_run ();
}
