/* test-address.c: header address lists and addresses typed by the user
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "lb-address.h"
#include "lb-mime.h"

static void
assert_address (GPtrArray  *list,
                guint       index,
                const char *name,
                const char *address)
{
  LbAddress *a;

  g_assert_cmpuint (index, <, list->len);
  a = g_ptr_array_index (list, index);
  g_assert_cmpstr (a->name, ==, name);
  g_assert_cmpstr (a->address, ==, address);
}

static void
test_header_list (void)
{
  /* 朱镕基 as a GB2312-labelled word, 张启 as a raw GBK quoted name. */
  g_autofree char *display = NULL;
  g_autoptr(GPtrArray) list = lb_address_list_decode (
    "=?gb2312?B?1uzpRrv5?= <zhu@example.cn>, \"\xd5\xc5\xc6\xf4\" <zhang@qq.com>,\r\n"
    " bob@example.com, undisclosed-recipients:;", &display);

  g_assert_cmpuint (list->len, ==, 3);
  assert_address (list, 0, "朱镕基", "zhu@example.cn");
  assert_address (list, 1, "张启", "zhang@qq.com");
  assert_address (list, 2, NULL, "bob@example.com");
  g_assert_cmpstr (display, ==, "朱镕基, 张启, bob@example.com");
}

static void
test_header_forms (void)
{
  g_autoptr(GPtrArray) list = lb_address_list_decode (
    "\"Doe, John\" <john@example.com>, team: a@example.com, \"B (x)\" <b@example.com>;, "
    "carol@example.com (Carol Smith), \"=?utf-8?B?5byg5LiJ?=\" <zhangsan@example.cn>, "
    "'李四' <lisi@example.cn>, <bare@example.com>, Name <>, <@relay.example:route@example.com>",
    NULL);

  g_assert_cmpuint (list->len, ==, 9);
  assert_address (list, 0, "Doe, John", "john@example.com");
  assert_address (list, 1, NULL, "a@example.com");
  assert_address (list, 2, "B (x)", "b@example.com");
  assert_address (list, 3, "Carol Smith", "carol@example.com");
  assert_address (list, 4, "张三", "zhangsan@example.cn");
  assert_address (list, 5, "李四", "lisi@example.cn");
  assert_address (list, 6, NULL, "bare@example.com");
  assert_address (list, 7, "Name", "");
  assert_address (list, 8, NULL, "route@example.com");
}

static void
test_header_split_name (void)
{
  /* A name split mid-character over two padded words. */
  g_autoptr(GPtrArray) list = lb_address_list_decode (
    "=?gb2312?B?1uzpRrs=?= =?gb2312?B?+brN1cWGtA==?= <x@example.cn>", NULL);

  g_assert_cmpuint (list->len, ==, 1);
  assert_address (list, 0, "朱镕基和张喆", "x@example.cn");
}

static void
test_header_empty (void)
{
  g_autofree char *display = NULL;
  g_autoptr(GPtrArray) none = lb_address_list_decode (NULL, &display);
  g_autoptr(GPtrArray) blank = lb_address_list_decode (" , ,;", NULL);

  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpstr (display, ==, "");
  g_assert_cmpuint (blank->len, ==, 0);
}

static void
test_user_input (void)
{
  g_autoptr(GPtrArray) list = lb_address_parse (
    "张三 <zhangsan@qq.com>，李四 <lisi@163.com>；wangwu@126.com、 \"Zhao, Liu\" <zl@example.com>,"
    " 赵六 zhaoliu@example.com; lisi＠163.com ,,; ");

  g_assert_cmpuint (list->len, ==, 6);
  assert_address (list, 0, "张三", "zhangsan@qq.com");
  assert_address (list, 1, "李四", "lisi@163.com");
  assert_address (list, 2, NULL, "wangwu@126.com");
  assert_address (list, 3, "Zhao, Liu", "zl@example.com");
  assert_address (list, 4, "赵六", "zhaoliu@example.com");
  assert_address (list, 5, NULL, "lisi@163.com");
  for (guint i = 0; i < list->len; i++)
    g_assert_true (lb_address_is_valid (((LbAddress *) g_ptr_array_index (list, i))->address));
}

static void
test_user_input_invalid_kept (void)
{
  g_autoptr(GPtrArray) list = lb_address_parse ("good@example.com, not an address, 用户@例子.中国");

  g_assert_cmpuint (list->len, ==, 3);
  g_assert_true (lb_address_is_valid (((LbAddress *) g_ptr_array_index (list, 0))->address));
  g_assert_false (lb_address_is_valid (((LbAddress *) g_ptr_array_index (list, 1))->address));
  /* IDN domains stay UTF-8. */
  assert_address (list, 2, NULL, "用户@例子.中国");
  g_assert_true (lb_address_is_valid ("用户@例子.中国"));
}

static void
test_is_valid (void)
{
  static const char *valid[] = {
    "a@b.cn", "user.name+tag@example.co.uk", "用户@例子.中国", "\"john doe\"@example.com",
    "a@[192.0.2.1]", "x@xn--fiqs8s.cn", "UPPER@EXAMPLE.COM", "o'brien@example.ie", "a_b-c@mail-1.example.com",
  };
  static const char *invalid[] = {
    "", "a", "a@", "@b.com", "a@b", "a..b@c.com", ".a@c.com", "a.@c.com", "a@-b.com", "a@b-.com",
    "a b@c.com", "a@b..com", "a@b.com.", "a@1.2.3.4", "张三@例子。中国", "a@b,c.com", "a@b.com>",
    "<a@b.com>", "a@@b.com", "a@b.c\xff", "\"unterminated@example.com", "zhan，n@qq.com",
  };
  g_autofree char *long_local = g_strnfill (65, 'a');
  g_autofree char *long_local_addr = g_strconcat (long_local, "@example.com", NULL);
  g_autofree char *long_label = g_strnfill (64, 'b');
  g_autofree char *long_label_addr = g_strconcat ("a@", long_label, ".com", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_test_message ("valid: %s", valid[i]);
      g_assert_true (lb_address_is_valid (valid[i]));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_test_message ("invalid: %s", invalid[i]);
      g_assert_false (lb_address_is_valid (invalid[i]));
    }
  g_assert_false (lb_address_is_valid (NULL));
  g_assert_false (lb_address_is_valid (long_local_addr));
  g_assert_false (lb_address_is_valid (long_label_addr));
}

static void
test_to_string (void)
{
  g_autoptr(LbAddress) plain = lb_address_new ("张三", "zhangsan@qq.com");
  g_autoptr(LbAddress) comma = lb_address_new ("Doe, \"J\"", "john@example.com");
  g_autoptr(LbAddress) bare = lb_address_new ("", "bob@example.com");
  g_autoptr(LbAddress) copy = lb_address_copy (plain);
  g_autofree char *s1 = lb_address_to_string (plain);
  g_autofree char *s2 = lb_address_to_string (comma);
  g_autofree char *s3 = lb_address_to_string (bare);
  g_autofree char *d3 = lb_address_to_display (bare);
  g_autoptr(GPtrArray) round = lb_address_parse (s2);

  g_assert_cmpstr (s1, ==, "张三 <zhangsan@qq.com>");
  g_assert_cmpstr (s2, ==, "\"Doe, \\\"J\\\"\" <john@example.com>");
  g_assert_cmpstr (s3, ==, "bob@example.com");
  g_assert_cmpstr (d3, ==, "bob@example.com");
  g_assert_null (bare->name);
  g_assert_cmpstr (copy->name, ==, "张三");
  g_assert_cmpuint (round->len, ==, 1);
  assert_address (round, 0, "Doe, \"J\"", "john@example.com");
}

static void
test_hostile (void)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autoptr(GPtrArray) c = NULL;

  for (int i = 0; i < 20000; i++)
    g_string_append (s, "(((\"<<,;:");
  a = lb_address_list_decode (s->str, NULL);
  b = lb_address_parse (s->str);
  c = lb_address_parse ("\"unterminated <a@b.com>, (comment <c@d.com>");
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_nonnull (c);
  g_string_free (s, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mime/address/header-list", test_header_list);
  g_test_add_func ("/mime/address/header-forms", test_header_forms);
  g_test_add_func ("/mime/address/header-split-name", test_header_split_name);
  g_test_add_func ("/mime/address/header-empty", test_header_empty);
  g_test_add_func ("/mime/address/user-input", test_user_input);
  g_test_add_func ("/mime/address/user-input-invalid-kept", test_user_input_invalid_kept);
  g_test_add_func ("/mime/address/is-valid", test_is_valid);
  g_test_add_func ("/mime/address/to-string", test_to_string);
  g_test_add_func ("/mime/address/hostile", test_hostile);

  return g_test_run ();
}
