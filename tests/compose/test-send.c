/* test-send.c: sending through the outbox against the SMTP and Dovecot fixtures
 *
 * The account is added through the public engine API, so its secret goes through the
 * keyring of the test's private D-Bus session (run-headless).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "lb-compose.h"
#include "lb-engine.h"
#include "lb-address.h"
#include "lb-mime.h"
#include "lb-mime-builder.h"
#include "lb-store.h"
#include "lb-test-env.h"
#include "lb-test-store.h"
#include "lb-test-wait.h"

/* The fixture with SMTP; alice's account ("爱丽丝") added with SECRET, sending through a
 * proxy when SMTP_PROXY. */
static void
env_start_full (LbTestEnv  *env,
                const char *secret,
                gboolean    smtp_proxy)
{
  LbTestEnvOptions options = { 0 };

  options.smtp = TRUE;
  options.display_name = "爱丽丝";
  options.secret = secret;
  options.proxy = smtp_proxy ? LB_TEST_ENV_PROXY_SMTP : LB_TEST_ENV_PROXY_NONE;
  lb_test_env_start (env, &options);
}

static void
env_start (LbTestEnv  *env,
           const char *secret)
{
  env_start_full (env, secret, FALSE);
}

/* The engine of the next start on the same profile, with its one account. */
static void
open_engine (LbTestEnv *env)
{
  lb_test_env_open_engine (env);
  g_assert_cmpuint (g_list_model_get_n_items (lb_engine_get_accounts (env->engine)), ==, 1);
}

static LbMimeDraft *
chinese_draft (const char *message_id)
{
  LbMimeDraft *d = lb_mime_draft_new ();
  g_autoptr(GBytes) att = g_bytes_new_static ("\x89PNG\r\n\x1a\n\x00\x00 fake image", 20);

  d->from = lb_address_new ("爱丽丝", "alice@example.com");
  g_ptr_array_add (d->to, lb_address_new ("鲍勃", "bob@example.org"));
  g_ptr_array_add (d->bcc, lb_address_new (NULL, "carol@example.net"));
  d->subject = g_strdup ("测试邮件：中文主题与附件");
  d->body = g_strdup ("你好，鲍勃！\n\n这是一封测试邮件。\n.\n祝好\n");
  d->date = g_date_time_new_utc (2026, 11, 22, 5, 0, 0);
  d->message_id = g_strdup (message_id);
  g_ptr_array_add (d->attachments, lb_mime_attachment_new ("照片 一.png", "image/png", NULL, FALSE, att));
  return d;
}

static GPtrArray *
outbox (LbTestEnv *env)
{
  return lb_engine_list_outbox (env->engine);
}

static gboolean
send_draft (LbTestEnv    *env,
            LbMimeDraft  *draft,
            GBytes      **out_raw,
            gboolean     *out_queued,
            GError      **error)
{
  g_autoptr(GBytes) raw = lb_mime_build (draft, LB_MIME_BUILD_DEFAULT, NULL);
  g_auto(GStrv) rcpts = lb_mime_draft_dup_recipients (draft);

  lb_engine_send_async (env->engine, env->account, raw, (const char * const *) rcpts, NULL,
                        lb_test_got_result, &env->result);
  if (out_raw != NULL)
    *out_raw = g_bytes_ref (raw);
  return lb_engine_send_finish (env->engine, lb_test_env_wait (env), out_queued, error);
}

static void
assert_received (GPtrArray *received,
                 guint      index,
                 GBytes    *raw)
{
  LbTestSmtpMessage *m = g_ptr_array_index (received, index);
  g_autofree char *got = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (m->path, &got, &len, NULL));
  g_assert_cmpmem (got, len, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  g_assert_cmpstr (m->mail_from, ==, "alice@example.com");
  g_assert_cmpuint (g_strv_length (m->rcpt_tos), ==, 2);
}

static void
test_send_chinese (void)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeDraft) d = chinese_draft ("send.1@example.com");
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GPtrArray) received = NULL;
  g_autoptr(GPtrArray) items = NULL;

  env_start (&env, "secret");
  g_assert_true (send_draft (&env, d, &raw, NULL, &error));
  g_assert_no_error (error);
  received = lb_test_servers_wait_smtp (env.servers, 1, 10000);
  g_assert_cmpuint (received->len, ==, 1);
  assert_received (received, 0, raw);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Sent",
                                                   "send.1@example.com"), ==, 1);
  items = outbox (&env);
  g_assert_cmpuint (items->len, ==, 0);
  lb_test_env_stop (&env);
}

static void
test_send_server_files_sent (void)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeDraft) d = chinese_draft ("send.gmail@example.com");
  g_autoptr(GBytes) raw = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, NULL);

  env_start (&env, "secret");
  /* As Gmail does: the server already filed its own copy in Sent. */
  g_assert_true (lb_test_servers_deliver (env.servers, "alice@example.com", "Sent", raw, "\\Seen",
                                          &error));
  g_assert_no_error (error);
  g_assert_true (send_draft (&env, d, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Sent",
                                                   "send.gmail@example.com"), ==, 1);
  lb_test_env_stop (&env);
}

static void
test_send_smtp_down (void)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeDraft) d = chinese_draft ("send.down@example.com");
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) received = NULL;
  gboolean queued = FALSE;
  LbStoreOutboxItem *item;

  GListModel *model;
  g_autoptr(LbOutboxItem) shown = NULL;

  env_start (&env, "secret");
  model = lb_engine_get_outbox (env.engine);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_true (lb_test_servers_smtp_stop (env.servers, &error));
  g_assert_false (send_draft (&env, d, &raw, &queued, &error));
  g_assert_nonnull (error);
  g_test_message ("offline: %s", error->message);
  g_assert_true (queued);
  g_clear_error (&error);
  items = outbox (&env);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->state, ==, LB_STORE_OUTBOX_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_cmpint (item->next_attempt, >, g_get_real_time () / G_USEC_PER_SEC);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* The model for the sidebar shows it, with its subject decoded. */
  while (g_list_model_get_n_items (model) != 1)
    g_main_context_iteration (NULL, TRUE);
  shown = g_list_model_get_item (model, 0);
  g_assert_cmpstr (lb_outbox_item_get_subject (shown), ==, "测试邮件：中文主题与附件");
  g_assert_cmpint (lb_outbox_item_get_state (shown), ==, LB_OUTBOX_STATE_QUEUED);

  g_assert_true (lb_test_servers_smtp_start (env.servers, &error));
  lb_engine_flush_outbox_async (env.engine, env.account, TRUE, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_flush_outbox_finish (env.engine, lb_test_env_wait (&env), &error));
  g_assert_no_error (error);
  received = lb_test_servers_wait_smtp (env.servers, 1, 10000);
  g_assert_cmpuint (received->len, ==, 1);
  assert_received (received, 0, raw);
  items = outbox (&env);
  g_assert_cmpuint (items->len, ==, 0);
  while (g_list_model_get_n_items (model) != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (lb_test_servers_count_messages (env.servers, "alice@example.com", "Sent",
                                                   "send.down@example.com"), ==, 1);
  lb_test_env_stop (&env);
}

static void
test_send_wrong_password (void)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeDraft) d = chinese_draft ("send.auth@example.com");
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) received = NULL;
  gboolean queued = TRUE;
  LbStoreOutboxItem *item;

  env_start (&env, "wrong");
  g_assert_false (send_draft (&env, d, NULL, &queued, &error));
  g_assert_nonnull (error);
  g_test_message ("wrong password: %s", error->message);
  g_assert_false (queued);
  g_assert_true (error->code == LB_ERROR_AUTH || error->code == LB_ERROR_FAILED);
  items = outbox (&env);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->state, ==, LB_STORE_OUTBOX_FAILED);
  g_assert_nonnull (item->last_error);
  received = lb_test_servers_list_smtp (env.servers);
  g_assert_cmpuint (received->len, ==, 0);
  lb_test_env_stop (&env);
}

/* Runs letterbox-cli send with LETTERBOX_TEST_CRASH_AT=@point and checks that the
 * message is then either sent once or still in the outbox, and never sent twice: the
 * next run marks it INTERRUPTED and leaves it alone until the user sends it again. */
static void
crash_at (const char *point,
          guint       expect_received)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *cli = g_build_filename (g_getenv ("LB_TEST_BUILDDIR"), "src", "cli",
                                           "letterbox-cli", NULL);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) received = NULL;
  g_autoptr(LbOutboxItem) shown = NULL;
  LbStoreOutboxItem *item;
  GListModel *model;
  gint64 item_id;

  env_start (&env, "secret");
  lb_test_env_close_engine (&env);

  g_subprocess_launcher_setenv (launcher, "LETTERBOX_TEST_CRASH_AT", point, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, cli, "send", "--data-dir", env.profile,
                                      "--from", "alice@example.com", "--to", "bob@example.org",
                                      "--subject", "崩溃测试", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, "正文\n", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (proc));
  g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);

  received = lb_test_servers_wait_smtp (env.servers, expect_received, 3000);
  g_assert_cmpuint (received->len, ==, expect_received);

  open_engine (&env);
  items = outbox (&env);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->state, ==, LB_STORE_OUTBOX_SENDING);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* The next run finds it interrupted: kept for the user, not sent again. */
  lb_engine_flush_outbox_async (env.engine, env.account, TRUE, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_flush_outbox_finish (env.engine, lb_test_env_wait (&env), &error));
  g_assert_no_error (error);
  items = outbox (&env);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->state, ==, LB_STORE_OUTBOX_INTERRUPTED);
  item_id = item->id;
  g_clear_pointer (&received, g_ptr_array_unref);
  received = lb_test_servers_list_smtp (env.servers);
  g_assert_cmpuint (received->len, ==, expect_received);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* The model says so too, with the subject stored at queue time. */
  lb_engine_reload_outbox_async (env.engine, env.account, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_outbox_change_finish (env.engine, lb_test_env_wait (&env), &error));
  model = lb_engine_get_outbox (env.engine);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  shown = g_list_model_get_item (model, 0);
  g_assert_cmpint (lb_outbox_item_get_state (shown), ==, LB_OUTBOX_STATE_INTERRUPTED);
  g_assert_cmpstr (lb_outbox_item_get_subject (shown), ==, "崩溃测试");

  /* Flushing again, even ignoring the back-off, never resends it by itself. */
  lb_engine_flush_outbox_async (env.engine, env.account, TRUE, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_flush_outbox_finish (env.engine, lb_test_env_wait (&env), &error));
  g_clear_pointer (&received, g_ptr_array_unref);
  received = lb_test_servers_list_smtp (env.servers);
  g_assert_cmpuint (received->len, ==, expect_received);

  /* The user's Send Now (after the question) sends it once more. */
  lb_engine_outbox_retry_async (env.engine, env.account, item_id, NULL, lb_test_got_result,
                                &env.result);
  g_assert_true (lb_engine_outbox_change_finish (env.engine, lb_test_env_wait (&env), &error));
  g_clear_pointer (&received, g_ptr_array_unref);
  received = lb_test_servers_wait_smtp (env.servers, expect_received + 1, 30000);
  g_assert_cmpuint (received->len, ==, expect_received + 1);
  items = outbox (&env);
  g_assert_cmpuint (items->len, ==, 0);
  lb_test_env_stop (&env);
}

static void
test_crash_before_send (void)
{
  crash_at ("before-send", 0);
}

static void
test_crash_after_send (void)
{
  crash_at ("after-send", 1);
}

static void
test_cli_send (void)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *cli = g_build_filename (g_getenv ("LB_TEST_BUILDDIR"), "src", "cli",
                                           "letterbox-cli", NULL);
  g_autofree char *out = NULL;
  g_autofree char *attach = NULL;
  g_autoptr(GPtrArray) received = NULL;
  g_autofree char *got = NULL;

  env_start (&env, "secret");
  lb_test_env_close_engine (&env);
  attach = g_build_filename (env.profile, "报告.txt", NULL);
  g_assert_true (g_file_set_contents (attach, "附件内容\n", -1, NULL));

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           cli, "send", "--data-dir", env.profile, "--from", "alice@example.com",
                           "--to", "鲍勃 <bob@example.org>", "--cc", "carol@example.net",
                           "--subject", "命令行发送", "--attach", attach, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, "你好\n", NULL, &out, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_assert_cmpstr (out, ==, "sent\n");
  received = lb_test_servers_wait_smtp (env.servers, 1, 5000);
  g_assert_cmpuint (received->len, ==, 1);
  g_assert_true (g_file_get_contents (((LbTestSmtpMessage *) g_ptr_array_index (received, 0))->path,
                                      &got, NULL, NULL));
  g_assert_nonnull (strstr (got, "filename*=UTF-8''"));
  g_assert_null (strstr (got, "Bcc"));
  lb_test_env_stop (&env);

  /* SMTP down: "queued" and exit status 75. */
  env_start (&env, "secret");
  lb_test_env_close_engine (&env);
  g_assert_true (lb_test_servers_smtp_stop (env.servers, &error));
  g_clear_object (&proc);
  g_clear_pointer (&out, g_free);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           cli, "send", "--data-dir", env.profile, "--to", "bob@example.org",
                           "--subject", "later", NULL);
  g_assert_true (g_subprocess_communicate_utf8 (proc, "x\n", NULL, &out, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 75);
  g_assert_cmpstr (out, ==, "queued\n");
  lb_test_env_stop (&env);
}

/* Undo Send's hold: a held message is not sent by any flush, survives a restart (a quit
 * during the delay) unsent, is sent once released, and is gone when discarded. */
static void
test_hold (void)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeDraft) d = chinese_draft ("send.hold@example.com");
  g_autoptr(GBytes) raw = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, NULL);
  g_auto(GStrv) rcpts = lb_mime_draft_dup_recipients (d);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) received = NULL;
  LbStoreOutboxItem *item;
  gint64 id;
  gint64 undone;

  env_start (&env, "secret");
  lb_engine_hold_async (env.engine, env.account, raw, (const char * const *) rcpts, NULL,
                        lb_test_got_result, &env.result);
  id = lb_engine_hold_finish (env.engine, lb_test_env_wait (&env), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  lb_engine_flush_outbox_async (env.engine, env.account, TRUE, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_flush_outbox_finish (env.engine, lb_test_env_wait (&env), &error));
  items = outbox (&env);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->id, ==, id);
  g_assert_cmpint (item->state, ==, LB_STORE_OUTBOX_QUEUED);
  g_assert_cmpint (item->next_attempt, ==, LB_OUTBOX_HELD);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Quit during the delay: at the next start the message waits, unsent. */
  lb_test_env_close_engine (&env);
  open_engine (&env);
  lb_engine_flush_outbox_async (env.engine, env.account, TRUE, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_flush_outbox_finish (env.engine, lb_test_env_wait (&env), &error));
  items = outbox (&env);
  g_assert_cmpuint (items->len, ==, 1);
  g_clear_pointer (&items, g_ptr_array_unref);
  received = lb_test_servers_list_smtp (env.servers);
  g_assert_cmpuint (received->len, ==, 0);
  g_clear_pointer (&received, g_ptr_array_unref);

  /* Released: sent exactly once. */
  lb_engine_outbox_retry_async (env.engine, env.account, id, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_outbox_change_finish (env.engine, lb_test_env_wait (&env), &error));
  g_assert_no_error (error);
  received = lb_test_servers_wait_smtp (env.servers, 1, 10000);
  g_assert_cmpuint (received->len, ==, 1);
  g_clear_pointer (&received, g_ptr_array_unref);
  items = outbox (&env);
  g_assert_cmpuint (items->len, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Undone: discarded, never sent. */
  lb_engine_hold_async (env.engine, env.account, raw, (const char * const *) rcpts, NULL,
                        lb_test_got_result, &env.result);
  undone = lb_engine_hold_finish (env.engine, lb_test_env_wait (&env), &error);
  g_assert_cmpint (undone, >, 0);
  lb_engine_outbox_discard_async (env.engine, env.account, undone, NULL, lb_test_got_result,
                                  &env.result);
  g_assert_true (lb_engine_outbox_change_finish (env.engine, lb_test_env_wait (&env), &error));
  lb_engine_flush_outbox_async (env.engine, env.account, TRUE, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_flush_outbox_finish (env.engine, lb_test_env_wait (&env), &error));
  items = outbox (&env);
  g_assert_cmpuint (items->len, ==, 0);
  received = lb_test_servers_list_smtp (env.servers);
  g_assert_cmpuint (received->len, ==, 1);
  lb_test_env_stop (&env);
}

/* Runs letterbox-cli on @env's profile with @input on standard input; returns its exit
 * status and its standard output in @out. */
static int
run_cli (LbTestEnv   *env,
         const char  *input,
         char       **out,
         ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *cli = g_build_filename (g_getenv ("LB_TEST_BUILDDIR"), "src", "cli",
                                           "letterbox-cli", NULL);
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, cli);
  va_start (args, out);
  arg = va_arg (args, const char *);
  g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, "--data-dir");
  g_ptr_array_add (argv, env->profile);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, input, NULL, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

/* The item of `outbox --json` in @json (which lists exactly one): its id. */
static char *
only_outbox_id (const char *json)
{
  g_autoptr(GRegex) re = g_regex_new ("^\\[\\{\"id\":([0-9]+),", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_assert_nonnull (strstr (json, "}]"));
  g_assert_null (strstr (json, "},{"));
  g_assert_true (g_regex_match (re, json, 0, &match));
  return g_match_info_fetch (match, 1);
}

/* letterbox-cli outbox: lists what waits with SMTP down, retries it once SMTP is up
 * (exactly one message received), and discards. */
static void
test_cli_outbox (void)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) received = NULL;
  g_autofree char *out = NULL;
  g_autofree char *id = NULL;

  env_start (&env, "secret");
  lb_test_env_close_engine (&env);
  g_assert_cmpint (run_cli (&env, NULL, &out, "outbox", "--json", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[]\n");
  g_clear_pointer (&out, g_free);

  g_assert_true (lb_test_servers_smtp_stop (env.servers, &error));
  g_assert_cmpint (run_cli (&env, "x\n", &out, "send", "--to", "鲍勃 <bob@example.org>",
                            "--subject", "稍后发送", NULL), ==, 75);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&env, NULL, &out, "outbox", "--json", NULL), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "\"account\":\"alice@example.com\""));
  g_assert_nonnull (strstr (out, "\"subject\":\"稍后发送\""));
  g_assert_nonnull (strstr (out, "bob@example.org"));
  g_assert_nonnull (strstr (out, "\"state\":\"queued\""));
  g_assert_nonnull (strstr (out, "\"attempts\":1"));
  g_assert_null (strstr (out, "\"next_attempt\":null"));
  g_assert_null (strstr (out, "\"last_error\":null"));
  id = only_outbox_id (out);
  g_clear_pointer (&out, g_free);

  /* Retrying while SMTP is still down: still queued, exit status 75. */
  g_assert_cmpint (run_cli (&env, NULL, &out, "outbox", "retry", id, NULL), ==, 75);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&env, NULL, &out, "outbox", "retry", "999999", NULL), ==, 1);
  g_clear_pointer (&out, g_free);

  g_assert_true (lb_test_servers_smtp_start (env.servers, &error));
  g_assert_cmpint (run_cli (&env, NULL, &out, "outbox", "retry", id, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "sent\n");
  g_clear_pointer (&out, g_free);
  received = lb_test_servers_wait_smtp (env.servers, 1, 10000);
  g_assert_cmpuint (received->len, ==, 1);
  g_assert_cmpint (run_cli (&env, NULL, &out, "outbox", "--json", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[]\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&id, g_free);

  /* Discard: the message never leaves. */
  g_assert_true (lb_test_servers_smtp_stop (env.servers, &error));
  g_assert_cmpint (run_cli (&env, "y\n", &out, "send", "--to", "bob@example.org",
                            "--subject", "discard me", NULL), ==, 75);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&env, NULL, &out, "outbox", "--json", NULL), ==, 0);
  id = only_outbox_id (out);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&env, NULL, &out, "outbox", "discard", id, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "discarded\n");
  g_clear_pointer (&out, g_free);
  g_assert_true (lb_test_servers_smtp_start (env.servers, &error));
  g_assert_cmpint (run_cli (&env, NULL, &out, "outbox", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&received, g_ptr_array_unref);
  received = lb_test_servers_list_smtp (env.servers);
  g_assert_cmpuint (received->len, ==, 1);
  lb_test_env_stop (&env);
}

static void
deliver_from (LbTestEnv  *env,
              const char *from,
              guint       n)
{
  g_autofree char *text = g_strdup_printf ("From: %s\r\nTo: alice@example.com\r\nSubject: hi %u\r\n"
                                           "Message-ID: <%u.%p@example.com>\r\n\r\nbody\r\n",
                                           from, n, n, (void *) from);
  g_autoptr(GBytes) b = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;

  g_assert_true (lb_test_servers_deliver (env->servers, "alice@example.com", "INBOX", b, NULL, &error));
  g_assert_no_error (error);
}

static void
test_addresses (void)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *lower = NULL;
  LbAddress *first;

  env_start (&env, "secret");
  deliver_from (&env, "=?UTF-8?B?546L6Iqz?= <wangfang@example.com>", 1);
  deliver_from (&env, "Wang Fang <WangFang@example.com>", 2);
  deliver_from (&env, "bob@example.org", 3);
  lb_account_sync_async (env.account, 0, LB_JOB_PRIORITY_USER, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_account_sync_finish (env.account, lb_test_env_wait (&env), &error));
  g_assert_no_error (error);

  lb_compose_list_addresses_async (env.engine, 10, NULL, lb_test_got_result, &env.result);
  list = lb_compose_list_addresses_finish (env.engine, lb_test_env_wait (&env), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  first = g_ptr_array_index (list, 0);
  lower = g_ascii_strdown (first->address, -1);
  g_assert_cmpstr (lower, ==, "wangfang@example.com");
  lb_test_env_stop (&env);
}

/* ---- The outbox and the threads ---- */

static void
record_thread (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               GPtrArray  *threads)
{
  g_ptr_array_add (threads, g_thread_self ());
}

/* As in the CLI and the tests, nothing iterates the default main context while the worker
 * sends: the outbox model must still change on the main thread only (it reads the main
 * thread's store connection), later, when the main context runs. */
static void
test_outbox_refresh_on_main_thread (void)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeDraft) d = chinese_draft ("send.threads@example.com");
  g_autoptr(GBytes) raw = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, NULL);
  g_auto(GStrv) rcpts = lb_mime_draft_dup_recipients (d);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GPtrArray) received = NULL;
  GListModel *model;

  env_start (&env, "secret");
  model = lb_engine_get_outbox (env.engine);
  g_signal_connect (model, "items-changed", G_CALLBACK (record_thread), threads);

  lb_engine_send_async (env.engine, env.account, raw, (const char * const *) rcpts, NULL,
                        lb_test_got_result, &env.result);
  /* Waits without iterating the main context. */
  received = lb_test_servers_wait_smtp (env.servers, 1, 30000);
  g_assert_cmpuint (received->len, ==, 1);
  g_assert_true (lb_engine_send_finish (env.engine, lb_test_env_wait (&env), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (lb_test_wait_n_items (model, 0, 30));

  g_assert_cmpuint (threads->len, >, 0);
  for (guint i = 0; i < threads->len; i++)
    g_assert_true (g_ptr_array_index (threads, i) == g_thread_self ());
  g_signal_handlers_disconnect_by_data (model, threads);
  lb_test_env_stop (&env);
}

static void
record_finalized (gpointer  data,
                  GObject  *where)
{
  *(GThread **) data = g_thread_self ();
}

static gboolean
is_set (gpointer data)
{
  return *(GThread **) data != NULL;
}

/* The test lets go of the engine while a send job waits on a slow SMTP server: with a
 * send in flight (its task is then the engine's last holder) and with only a flush of
 * the queue in flight (nothing holds it: the unref disposes it at once, and the dispose
 * stops the job).  Either way the engine is finalized on the main thread, with no
 * deadlock and nothing touched after it is gone (run under ASan too). */
static void
drop_engine_while_sending (gboolean with_task)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeDraft) d = chinese_draft ("send.drop@example.com");
  g_autoptr(GBytes) raw = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, NULL);
  g_auto(GStrv) rcpts = lb_mime_draft_dup_recipients (d);
  GThread *finalized_on = NULL;
  gboolean queued = FALSE;

  env_start_full (&env, "secret", TRUE);
  if (!with_task)
    {
      /* A first attempt fails for want of a server: the message stays queued. */
      lb_test_proxy_refuse (env.proxy, TRUE);
      g_assert_false (send_draft (&env, d, NULL, &queued, &error));
      g_assert_true (queued);
      g_clear_error (&error);
      g_clear_object (&env.result);
      lb_test_proxy_refuse (env.proxy, FALSE);
    }

  lb_test_proxy_hold (env.proxy, TRUE);
  g_object_weak_ref (G_OBJECT (env.engine), record_finalized, &finalized_on);
  if (with_task)
    lb_engine_send_async (env.engine, env.account, raw, (const char * const *) rcpts, NULL,
                          lb_test_got_result, &env.result);
  else
    lb_engine_flush_outbox (env.engine, TRUE);
  /* The TLS handshake's first bytes: the job is inside SMTP now. */
  g_assert_true (lb_test_proxy_wait_held_request (env.proxy, 30));
  g_clear_object (&env.account);
  g_object_unref (env.engine);
  env.engine = NULL;
  lb_test_proxy_hold (env.proxy, FALSE);

  if (with_task)
    {
      GAsyncResult *result = lb_test_env_wait (&env);
      LbEngine *engine = g_task_get_source_object (G_TASK (result));

      g_assert_true (lb_engine_send_finish (engine, result, NULL, &error));
      g_assert_no_error (error);
      g_clear_object (&env.result);
    }
  g_assert_true (lb_test_wait_until (is_set, &finalized_on, 30));
  g_assert_true (finalized_on == g_thread_self ());
  /* Whatever the job still reported after that finds no engine. */
  lb_test_iterate_for (200);
  lb_test_env_stop (&env);
}

static void
test_drop_engine_while_sending (void)
{
  drop_engine_while_sending (TRUE);
}

static void
test_drop_engine_while_flushing (void)
{
  drop_engine_while_sending (FALSE);
}

/* A worker that reports outbox news must hold no reference to the engine: if it held
 * one while the main thread dropped its own, its unref would be the last, and the
 * engine's dispose would run on the worker and join the worker's own thread.  The model's
 * handler, when it finds itself on another thread, lets the main thread drop the engine
 * right then. */
typedef struct {
  GMutex   mutex;
  GCond    cond;
  GThread *main_thread;
  gboolean drop_requested;
  gboolean dropped;
} DropHandshake;

static void
drop_on_news (GListModel    *model,
              guint          position,
              guint          removed,
              guint          added,
              DropHandshake *h)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  if (g_thread_self () == h->main_thread)
    return;
  g_mutex_lock (&h->mutex);
  h->drop_requested = TRUE;
  g_cond_broadcast (&h->cond);
  while (!h->dropped && g_cond_wait_until (&h->cond, &h->mutex, end))
    ;
  g_mutex_unlock (&h->mutex);
}

static gboolean
outbox_empty (gpointer path)
{
  return lb_test_store_query_int (path, "SELECT count(*) FROM outbox") == 0;
}

static void
test_drop_engine_during_outbox_news (void)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeDraft) d = chinese_draft ("send.news@example.com");
  g_autofree char *path = NULL;
  DropHandshake h = { 0 };
  GThread *finalized_on = NULL;
  gboolean queued = FALSE;
  gint64 end;

  g_mutex_init (&h.mutex);
  g_cond_init (&h.cond);
  h.main_thread = g_thread_self ();
  env_start_full (&env, "secret", TRUE);
  path = g_build_filename (env.profile, "letterbox.db", NULL);
  g_signal_connect (lb_engine_get_outbox (env.engine), "items-changed",
                    G_CALLBACK (drop_on_news), &h);
  lb_test_proxy_refuse (env.proxy, TRUE);
  g_assert_false (send_draft (&env, d, NULL, &queued, &error));
  g_assert_true (queued);
  g_clear_error (&error);
  g_clear_object (&env.result);
  lb_test_proxy_refuse (env.proxy, FALSE);
  g_object_weak_ref (G_OBJECT (env.engine), record_finalized, &finalized_on);

  /* Sent with nobody iterating the main context; the job's news come at its end. */
  lb_engine_flush_outbox (env.engine, TRUE);
  while (!outbox_empty (path))
    g_usleep (10 * 1000);
  end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  g_mutex_lock (&h.mutex);
  while (!h.drop_requested && g_cond_wait_until (&h.cond, &h.mutex, end))
    ;
  g_mutex_unlock (&h.mutex);

  g_clear_object (&env.account);
  g_object_unref (env.engine);
  env.engine = NULL;
  g_mutex_lock (&h.mutex);
  h.dropped = TRUE;
  g_cond_broadcast (&h.cond);
  g_mutex_unlock (&h.mutex);

  g_assert_true (lb_test_wait_until (is_set, &finalized_on, 30));
  g_assert_true (finalized_on == g_thread_self ());
  lb_test_iterate_for (200);
  lb_test_env_stop (&env);
  g_mutex_clear (&h.mutex);
  g_cond_clear (&h.cond);
}

/* A row queued before subjects were stored (migration 010 leaves it NULL) still shows
 * its subject: the worker reads it from the message; the message bytes stay out of the
 * model, and the edit path reads them on demand. */
static void
test_outbox_old_row_subject (void)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeDraft) d = chinese_draft ("send.old-row@example.com");
  g_autoptr(GBytes) raw = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, NULL);
  g_auto(GStrv) rcpts = lb_mime_draft_dup_recipients (d);
  g_autoptr(LbOutboxItem) item = NULL;
  g_autoptr(GBytes) loaded = NULL;
  g_autofree char *db = NULL;
  GListModel *model;
  gint64 id;

  env_start (&env, "secret");
  lb_engine_hold_async (env.engine, env.account, raw, (const char * const *) rcpts, NULL,
                        lb_test_got_result, &env.result);
  id = lb_engine_hold_finish (env.engine, lb_test_env_wait (&env), &error);
  g_assert_no_error (error);
  db = g_strdup (lb_engine_get_store_path (env.engine));
  lb_test_env_close_engine (&env);
  lb_test_store_exec (db, "UPDATE outbox SET subject = NULL");

  open_engine (&env);
  lb_engine_reload_outbox_async (env.engine, env.account, NULL, lb_test_got_result, &env.result);
  g_assert_true (lb_engine_outbox_change_finish (env.engine, lb_test_env_wait (&env), &error));
  model = lb_engine_get_outbox (env.engine);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  item = g_list_model_get_item (model, 0);
  g_assert_cmpint (lb_outbox_item_get_id (item), ==, id);
  g_assert_cmpstr (lb_outbox_item_get_subject (item), ==, "测试邮件：中文主题与附件");

  lb_engine_outbox_load_message_async (env.engine, env.account, id, NULL, lb_test_got_result,
                                       &env.result);
  loaded = lb_engine_outbox_load_message_finish (env.engine, lb_test_env_wait (&env), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (loaded, raw));
  lb_test_env_stop (&env);
}

static gboolean
model_shows_sending (gpointer data)
{
  GListModel *model = data;
  g_autoptr(LbOutboxItem) item = NULL;

  if (g_list_model_get_n_items (model) != 1)
    return FALSE;
  item = g_list_model_get_item (model, 0);
  return lb_outbox_item_get_state (item) == LB_OUTBOX_STATE_SENDING;
}

/* While the SMTP session runs (held by the proxy), the Outbox shows the item as being
 * sent, not as waiting. */
static void
test_outbox_shows_sending (void)
{
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeDraft) d = chinese_draft ("send.sending@example.com");
  g_autoptr(GBytes) raw = lb_mime_build (d, LB_MIME_BUILD_DEFAULT, NULL);
  g_auto(GStrv) rcpts = lb_mime_draft_dup_recipients (d);
  GListModel *model;

  env_start_full (&env, "secret", TRUE);
  model = lb_engine_get_outbox (env.engine);
  lb_test_proxy_hold (env.proxy, TRUE);
  lb_engine_send_async (env.engine, env.account, raw, (const char * const *) rcpts, NULL,
                        lb_test_got_result, &env.result);
  g_assert_true (lb_test_proxy_wait_held_request (env.proxy, 30));
  g_assert_true (lb_test_wait_until (model_shows_sending, model, 30));
  lb_test_proxy_hold (env.proxy, FALSE);
  g_assert_true (lb_engine_send_finish (env.engine, lb_test_env_wait (&env), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (lb_test_wait_n_items (model, 0, 30));
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lb_mime_init ();
  g_test_add_func ("/send/chinese-byte-for-byte", test_send_chinese);
  g_test_add_func ("/send/server-files-sent", test_send_server_files_sent);
  g_test_add_func ("/send/smtp-down", test_send_smtp_down);
  g_test_add_func ("/send/wrong-password", test_send_wrong_password);
  g_test_add_func ("/send/crash-before-send", test_crash_before_send);
  g_test_add_func ("/send/crash-after-send", test_crash_after_send);
  g_test_add_func ("/send/cli", test_cli_send);
  g_test_add_func ("/send/cli-outbox", test_cli_outbox);
  g_test_add_func ("/send/hold", test_hold);
  g_test_add_func ("/send/address-completion", test_addresses);
  g_test_add_func ("/send/outbox-refresh-on-main-thread", test_outbox_refresh_on_main_thread);
  g_test_add_func ("/send/outbox-old-row-subject", test_outbox_old_row_subject);
  g_test_add_func ("/send/outbox-shows-sending", test_outbox_shows_sending);
  g_test_add_func ("/send/drop-engine-while-sending", test_drop_engine_while_sending);
  g_test_add_func ("/send/drop-engine-while-flushing", test_drop_engine_while_flushing);
  g_test_add_func ("/send/drop-engine-during-outbox-news", test_drop_engine_during_outbox_news);
  return g_test_run ();
}
