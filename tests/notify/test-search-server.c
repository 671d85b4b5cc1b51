/* test-search-server.c: searching a folder on the server (UID SEARCH CHARSET UTF-8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lb-account-search.h"
#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-test-account.h"
#include "lb-test-env.h"

#define USER "alice@example.com"

typedef struct {
  LbTestEnv base;    /* the servers, the engine and alice's account */
  gint64    inbox;
} Env;

static void
env_start_servers (Env                        *env,
                   const LbTestServersOptions *options)
{
  /* Headers only: what is not downloaded is for the server to find. */
  LbTestEnvOptions env_options = { .servers = options, .offline_days = -1 };

  lb_test_env_start_servers (&env->base, &env_options);
}

/* A new profile with USER's account, synced. */
static void
env_add_account (Env *env)
{
  lb_test_env_open_profile (&env->base);
  lb_test_env_add_account (&env->base);
  lb_test_env_sync_ok (&env->base);
}

static void
deliver_to (Env        *env,
            const char *folder,
            const char *from,
            const char *subject,
            const char *body,
            const char *flags)
{
  static guint n;
  g_autoptr(GError) error = NULL;
  guint k = ++n;
  g_autofree char *b64 = g_base64_encode ((const guchar *) subject, strlen (subject));
  g_autofree char *body64 = g_base64_encode ((const guchar *) body, strlen (body));
  char *text = g_strdup_printf ("From: %s\r\nTo: alice@example.com\r\nSubject: =?UTF-8?B?%s?=\r\n"
                                "Date: Mon, 4 Mar 2024 10:%02u:00 +0800\r\nMessage-ID: <s%u@example.cn>\r\n"
                                "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n",
                                from, b64, k, k, body64);
  g_autoptr(GBytes) mail = g_bytes_new_take (text, strlen (text));

  g_assert_true (lb_test_servers_deliver (env->base.servers, USER, folder, mail, flags, &error));
  g_assert_no_error (error);
}

static void
deliver (Env        *env,
         const char *from,
         const char *subject,
         const char *body,
         const char *flags)
{
  deliver_to (env, "INBOX", from, subject, body, flags);
}

/* Runs a server search and returns the subjects found, newest first, "|"-joined. */
static char *
search (Env        *env,
        const char *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) message_ids = NULL;
  g_autoptr(GArray) locations = NULL;
  GString *out = g_string_new (NULL);

  lb_account_search_server_async (env->base.account, env->inbox, query, NULL, lb_test_got_result, &env->base.result);
  locations = lb_account_search_server_finish (env->base.account, lb_test_env_wait (&env->base), &message_ids, &error);
  g_assert_no_error (error);
  g_assert_nonnull (locations);
  g_assert_cmpuint (locations->len, ==, message_ids->len);
  for (guint i = 0; i < message_ids->len; i++)
    {
      g_autoptr(LbMessage) m = lb_engine_lookup_message (env->base.engine, g_array_index (message_ids, gint64, i));

      g_assert_nonnull (m);
      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append (out, lb_message_get_subject (m));
    }
  return g_string_free (out, FALSE);
}

#define assert_search(env, query, expected) \
  G_STMT_START { \
    g_autofree char *_got = search ((env), (query)); \
    if (g_strcmp0 (_got, (expected)) != 0) \
      g_error ("server search «%s»: expected «%s», got «%s»", (query), (expected), _got); \
  } G_STMT_END

static void
test_server_search (void)
{
  Env env_ = { 0 }, *env = &env_;
  g_autoptr(GError) error = NULL;
  LbTestServersOptions options = { 0 };
  LbFolder *inbox;

  options.no_smtp = TRUE;
  env_start_servers (env, &options);
  deliver (env, "张三 <zhang@example.cn>", "周报", "请查收本周的会议纪要，谢谢。", "S");
  deliver (env, "Billing <billing@shop.com>", "Invoice for March", "Your invoice is attached.", NULL);
  deliver (env, "Li Si <lisi@example.cn>", "Project 项目报告", "The quarterly report. 项目进度正常。", NULL);

  env_add_account (env);
  inbox = lb_account_find_folder (env->base.account, LB_FOLDER_ROLE_INBOX);
  g_assert_nonnull (inbox);
  env->inbox = lb_folder_get_id (inbox);

  /* Body text, Chinese (a UTF-8 literal or quoted string), headers, flags. */
  assert_search (env, "会议纪要", "周报");
  assert_search (env, "会议", "周报");
  assert_search (env, "invoice", "Invoice for March");
  assert_search (env, "from:张三", "周报");
  assert_search (env, "subject:项目", "Project 项目报告");
  assert_search (env, "项目 quarterly", "Project 项目报告");
  assert_search (env, "is:unread", "Project 项目报告|Invoice for March");
  assert_search (env, "-invoice is:unread", "Project 项目报告");
  assert_search (env, "after:2024-03-04 before:2024-03-05", "Project 项目报告|Invoice for March|周报");
  assert_search (env, "不存在", "");

  /* Mail the store has not seen yet is brought in and returned. */
  deliver (env, "王五 <wangwu@example.cn>", "新的发票", "发票已开具。", NULL);
  assert_search (env, "发票已开具", "新的发票");

  lb_test_env_stop (&env->base);
}

static void
wait_loaded (LbMessageList *list)
{
  while (lb_message_list_is_loading (list))
    g_main_context_iteration (NULL, TRUE);
}

/* The list's subjects, "|"-joined. */
static char *
list_subjects (LbMessageList *list)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_string_append_printf (out, "%s%s", i > 0 ? "|" : "", lb_message_get_subject (m));
    }
  return g_string_free (out, FALSE);
}

#define assert_list(list, expected) \
  G_STMT_START { \
    g_autofree char *_got = list_subjects (list); \
    g_assert_cmpstr (_got, ==, (expected)); \
  } G_STMT_END

/* A search list asks the server, and merges what it finds with the local results. */
static void
test_server_search_list (void)
{
  Env env_ = { 0 }, *env = &env_;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMessageList) list = NULL;
  g_autoptr(LbMessageList) inbox_list = NULL;
  g_autoptr(LbMessageList) folder_list = NULL;
  LbTestServersOptions options = { 0 };
  LbFolder *archive;
  guint n_new = 0;
  const char * const users[] = { USER ":secret", "bob@example.com:secret", NULL };

  options.no_smtp = TRUE;
  options.users = users;
  /* No IDLE: the accounts poll (every few minutes), so no sync runs behind the test's
   * back and mail delivered below stays unknown to the store until a search finds it. */
  options.imap_capability = "IMAP4rev1 SASL-IR LITERAL+ ID ENABLE UIDPLUS MOVE SPECIAL-USE "
                            "CONDSTORE QRESYNC NAMESPACE";
  env_start_servers (env, &options);
  deliver (env, "Billing <billing@shop.com>", "Invoice for March", "Your invoice is attached.", "S");
  deliver_to (env, "Archive", "Guide <guide@safari.example>", "Safari notes",
              "Our zanzibar trip starts on Monday.", "S");
  deliver_to (env, "Archive", "Zanzibar Tours <info@tours.example>", "Booking 预订确认",
              "Thank you for booking.", "S");

  env_add_account (env);
  /* The inbox's message is opened, so its body is in the store; the archive's are not. */
  {
    g_autoptr(LbMessageList) inbox = lb_engine_open_folder (env->base.engine,
                                                            lb_folder_get_id (lb_account_find_folder (env->base.account, LB_FOLDER_ROLE_INBOX)));
    g_autoptr(LbMessage) m = NULL;
    g_autoptr(GBytes) body = NULL;

    wait_loaded (inbox);
    m = g_list_model_get_item (G_LIST_MODEL (inbox), 0);
    g_assert_nonnull (m);
    lb_account_fetch_body_async (env->base.account, lb_message_get_id (m), NULL, lb_test_got_result,
                                 &env->base.result);
    body = lb_account_fetch_body_finish (env->base.account, lb_test_env_wait (&env->base), &error);
    g_assert_no_error (error);
    g_assert_nonnull (body);
  }
  archive = lb_account_find_folder (env->base.account, LB_FOLDER_ROLE_ARCHIVE);
  g_assert_nonnull (archive);

  /* A folder list is not a search. */
  folder_list = lb_engine_open_folder (env->base.engine, lb_folder_get_id (archive));
  lb_message_list_search_server_async (folder_list, NULL, lb_test_got_result, &env->base.result);
  g_assert_false (lb_message_list_search_server_finish (folder_list, lb_test_env_wait (&env->base), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* Every inbox message has its text here: the server cannot find more. */
  inbox_list = lb_engine_search (env->base.engine, "invoice", 0);
  wait_loaded (inbox_list);
  assert_list (inbox_list, "Invoice for March");
  g_assert_false (lb_message_list_get_incomplete (inbox_list));

  /* Locally, only the sender matches; the body's word is on the server only. */
  list = lb_engine_search (env->base.engine, "zanzibar", lb_folder_get_id (archive));
  wait_loaded (list);
  assert_list (list, "Booking 预订确认");
  g_assert_true (lb_message_list_get_incomplete (list));

  lb_message_list_search_server_async (list, NULL, lb_test_got_result, &env->base.result);
  g_assert_true (lb_message_list_search_server_finish (list, lb_test_env_wait (&env->base), &n_new, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, 1);
  wait_loaded (list);
  /* Merged by date, newest first; the local match is not counted twice. */
  assert_list (list, "Booking 预订确认|Safari notes");

  /* New mail the store has not seen is synced in and merged too. */
  deliver_to (env, "Archive", "Guide <guide@safari.example>", "Packing list",
              "Bring sun cream to zanzibar.", NULL);
  lb_message_list_search_server_async (list, NULL, lb_test_got_result, &env->base.result);
  g_assert_true (lb_message_list_search_server_finish (list, lb_test_env_wait (&env->base), &n_new, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, 1);
  wait_loaded (list);
  assert_list (list, "Packing list|Booking 预订确认|Safari notes");

  /* The server's results stay through reloads... */
  lb_message_list_reload (list);
  wait_loaded (list);
  assert_list (list, "Packing list|Booking 预订确认|Safari notes");
  /* ...and asking again finds nothing new. */
  lb_message_list_search_server_async (list, NULL, lb_test_got_result, &env->base.result);
  g_assert_true (lb_message_list_search_server_finish (list, lb_test_env_wait (&env->base), &n_new, &error));
  g_assert_cmpuint (n_new, ==, 0);

  /* A result deleted locally leaves the list. */
  {
    g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), 2);

    lb_engine_delete (env->base.engine, &m, 1);
    lb_engine_flush_pending (env->base.engine);
    lb_engine_wait_idle (env->base.engine);
    lb_message_list_reload (list);
    wait_loaded (list);
    assert_list (list, "Packing list|Booking 预订确认");
  }

  /* All Inboxes asks every account.  One whose server cannot be reached fails the search,
   * by name, but what the others found is merged all the same. */
  {
    g_autoptr(LbAccount) bob = NULL;
    g_autoptr(LbMessageList) unified = NULL;
    g_autoptr(LbTestProxy) proxy = lb_test_proxy_new (env->base.servers->imaps_port, &error);

    g_assert_no_error (error);
    bob = lb_test_add_account (env->base.engine, env->base.servers, lb_test_proxy_get_port (proxy),
                               "bob@example.com", NULL, TRUE);
    g_assert_nonnull (lb_account_find_folder (bob, LB_FOLDER_ROLE_INBOX));

    deliver (env, "Billing <billing@shop.com>", "Second invoice", "Another invoice.", NULL);
    unified = lb_engine_search (env->base.engine, "invoice", 0);
    wait_loaded (unified);
    assert_list (unified, "Invoice for March");

    /* Bob's server goes away. */
    lb_test_proxy_refuse (proxy, TRUE);
    lb_test_proxy_kill_all (proxy);
    lb_message_list_search_server_async (unified, NULL, lb_test_got_result, &env->base.result);
    g_assert_false (lb_message_list_search_server_finish (unified, lb_test_env_wait (&env->base), &n_new, &error));
    g_assert_nonnull (error);
    g_assert_true (g_str_has_prefix (error->message, "bob@example.com: "));
    g_clear_error (&error);
    g_assert_cmpuint (n_new, ==, 1);
    wait_loaded (unified);
    assert_list (unified, "Second invoice|Invoice for March");
  }

  g_clear_object (&list);
  g_clear_object (&inbox_list);
  g_clear_object (&folder_list);
  lb_test_env_stop (&env->base);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/search/server", test_server_search);
  g_test_add_func ("/search/server/list", test_server_search_list);
  return g_test_run ();
}
