/* test-local-drafts.c: drafts kept on this computer, and pushed to Dovecot's Drafts
 *
 * A draft written offline is a file in the profile (not in $XDG_DATA_HOME whatever the
 * profile), listed for its account, also when an older version wrote it without one; once
 * the account is online it reaches the server's Drafts exactly once and the file goes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "lb-draft.h"
#include "lb-test-cli.h"
#include "lb-test-env.h"

static const char *cli_path;

static GBytes *
build (const char *message_id,
       const char *subject,
       const char *body)
{
  g_autoptr(LbDraft) d = lb_draft_new ();

  d->from = lb_mailbox_new ("Alice", LB_TEST_ENV_USER);
  g_ptr_array_add (d->to, lb_mailbox_new ("鲍勃", "bob@example.org"));
  d->subject = g_strdup (subject);
  d->body = g_strdup (body);
  d->message_id = g_strdup (message_id);
  return lb_draft_build (d, LB_DRAFT_BUILD_KEEP_BCC, NULL);
}

static int
server_copies (LbTestEnv  *env,
               const char *message_id)
{
  g_autofree char *needle = g_strdup_printf ("<%s>", message_id);

  return MAX (lb_test_servers_count_messages (env->servers, LB_TEST_ENV_USER, "Drafts", needle), 0);
}

static int
push (LbTestEnv *env)
{
  g_autoptr(GError) error = NULL;
  int n;

  lb_engine_push_local_drafts_async (env->engine, env->account, NULL, lb_test_got_result,
                                     &env->result);
  n = lb_engine_push_local_drafts_finish (env->engine, lb_test_wait_result (&env->result), &error);
  g_clear_object (&env->result);
  g_assert_no_error (error);
  return n;
}

/* Written, listed (with the legacy file of an older version), read back, pushed once. */
static void
test_write_list_push (void)
{
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = build ("local-1@example.com", "离线草稿", "在飞机上写的。\n");
  g_autoptr(GBytes) legacy = build ("legacy-1@example.com", "Old draft", "From 0.4.\n");
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *legacy_path = NULL;
  gint64 account_id = 0;
  gint64 id;

  lb_test_env_start (&env, &options);
  id = lb_account_get_id (env.account);

  g_assert_true (lb_engine_write_local_draft (env.engine, id, "local-1@example.com", raw, &error));
  g_assert_no_error (error);
  /* The profile's, not $XDG_DATA_HOME's. */
  dir = lb_engine_get_local_drafts_dir (env.engine);
  g_assert_true (g_str_has_prefix (dir, env.profile));
  legacy_path = g_build_filename (dir, "legacy-1@example.com.eml", NULL);
  g_assert_true (g_file_set_contents (legacy_path, g_bytes_get_data (legacy, NULL),
                                      g_bytes_get_size (legacy), NULL));
  /* A name that would leave the directory is refused. */
  g_assert_false (lb_engine_write_local_draft (env.engine, id, "../escape", raw, NULL));

  drafts = lb_engine_list_local_drafts (env.engine, id);
  g_assert_cmpuint (drafts->len, ==, 2);
  for (guint i = 0; i < drafts->len; i++)
    {
      LbLocalDraft *d = g_ptr_array_index (drafts, i);

      g_assert_cmpint (d->account_id, ==, id);
      if (g_str_equal (d->id, "local-1@example.com"))
        {
          g_assert_cmpstr (d->subject, ==, "离线草稿");
          g_assert_cmpstr (d->to, ==, "鲍勃");
        }
      else
        g_assert_cmpstr (d->id, ==, "legacy-1@example.com");
    }
  back = lb_engine_read_local_draft (env.engine, "local-1@example.com", &account_id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, raw));
  g_assert_cmpint (account_id, ==, id);

  /* `letterbox-cli drafts --json` lists them for the profile. */
  {
    LbTestCliRun run = { 0 };
    const char *args[] = { "drafts", "--json", NULL };
    const char *data_dir[] = { "--data-dir", env.profile, NULL };

    lb_test_cli_run (&run, cli_path, NULL, NULL, args, data_dir);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "\"subject\":\"离线草稿\""));
    g_assert_nonnull (strstr (run.out, "legacy-1@example.com"));
    g_assert_nonnull (strstr (run.out, "\"account\":\"" LB_TEST_ENV_USER "\""));
    lb_test_cli_run_clear (&run);
  }

  /* Online: both reach Drafts, and the files go. */
  g_assert_cmpint (push (&env), ==, 2);
  g_assert_cmpint (server_copies (&env, "local-1@example.com"), ==, 1);
  g_assert_cmpint (server_copies (&env, "legacy-1@example.com"), ==, 1);
  g_clear_pointer (&drafts, g_ptr_array_unref);
  drafts = lb_engine_list_local_drafts (env.engine, 0);
  g_assert_cmpuint (drafts->len, ==, 0);

  /* Edited offline again: the newer version replaces the server's, never beside it. */
  g_clear_pointer (&raw, g_bytes_unref);
  raw = build ("local-1@example.com", "离线草稿", "在飞机上写的，落地后改过。\n");
  g_assert_true (lb_engine_write_local_draft (env.engine, id, "local-1@example.com", raw, &error));
  g_assert_cmpint (push (&env), ==, 1);
  g_assert_cmpint (server_copies (&env, "local-1@example.com"), ==, 1);

  lb_test_env_stop (&env);
}

static gboolean
pushed_by_engine (gpointer data)
{
  LbTestEnv *env = data;
  g_autoptr(GPtrArray) drafts = lb_engine_list_local_drafts (env->engine, 0);

  return drafts->len == 0 && server_copies (env, "crash-1@example.com") == 1;
}

/* The engine pushes by itself once the account is online (here: started). */
static void
test_pushed_when_online (void)
{
  LbTestEnvOptions options = { 0 };
  LbTestEnv env = { 0 };
  g_autoptr(GBytes) raw = build ("crash-1@example.com", "Left by a crash", "Half a sentence");

  lb_test_env_start (&env, &options);
  g_assert_true (lb_engine_write_local_draft (env.engine, lb_account_get_id (env.account),
                                              "crash-1@example.com", raw, NULL));
  lb_engine_start (env.engine);
  g_assert_true (lb_test_wait_until (pushed_by_engine, &env, 30));
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  cli_path = argv[1];
  g_test_add_func ("/local-drafts/write-list-push", test_write_list_push);
  g_test_add_func ("/local-drafts/pushed-when-online", test_pushed_when_online);
  return g_test_run ();
}
