/* test-folder-role.c: folder roles from SPECIAL-USE/XLIST attributes and from names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-folder-role.h"
#include "lb-provider-db.h"

static LbProvider *
by_id (const char *id)
{
  LbProvider *p = lb_provider_db_lookup_id (lb_provider_db_get_default (), id);

  g_assert_nonnull (p);
  return p;
}

static void
test_attributes (void)
{
  static const struct {
    const char   *attrs[4];
    LbFolderRole  role;
  } cases[] = {
    { { "\\HasNoChildren", "\\Sent" }, LB_FOLDER_ROLE_SENT },
    { { "\\Drafts" }, LB_FOLDER_ROLE_DRAFTS },
    { { "\\TRASH" }, LB_FOLDER_ROLE_TRASH },
    { { "\\Junk" }, LB_FOLDER_ROLE_JUNK },
    { { "\\Spam" }, LB_FOLDER_ROLE_JUNK },
    { { "\\Archive" }, LB_FOLDER_ROLE_ARCHIVE },
    { { "\\HasChildren", "\\All" }, LB_FOLDER_ROLE_ALL },
    { { "\\AllMail" }, LB_FOLDER_ROLE_ALL },
    { { "\\Flagged" }, LB_FOLDER_ROLE_FLAGGED },
    { { "\\Starred" }, LB_FOLDER_ROLE_FLAGGED },
    { { "\\Important" }, LB_FOLDER_ROLE_IMPORTANT },
    { { "\\Inbox" }, LB_FOLDER_ROLE_INBOX },
    { { "\\HasNoChildren", "\\Marked" }, LB_FOLDER_ROLE_NONE },
    { { "\\Sentx" }, LB_FOLDER_ROLE_NONE },
    { { "Sent" }, LB_FOLDER_ROLE_NONE },
    { { NULL }, LB_FOLDER_ROLE_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (lb_folder_role_from_attributes (cases[i].attrs), ==, cases[i].role);
  g_assert_cmpint (lb_folder_role_from_attributes (NULL), ==, LB_FOLDER_ROLE_NONE);
}

typedef struct {
  const char   *provider;
  const char   *decoded;
  const char   *raw;
  LbFolderRole  role;
} NameCase;

static void
check_names (const NameCase *cases,
             gsize           n)
{
  for (gsize i = 0; i < n; i++)
    {
      LbProvider *p = cases[i].provider != NULL ? by_id (cases[i].provider) : NULL;
      LbFolderRole role = lb_folder_role_from_name (p, cases[i].decoded, cases[i].raw);

      if (role != cases[i].role)
        g_error ("%s / %s: role %d, expected %d", cases[i].provider, cases[i].decoded,
                 role, cases[i].role);
    }
}

static void
test_qq (void)
{
  static const NameCase cases[] = {
    { "qq", "INBOX", "INBOX", LB_FOLDER_ROLE_INBOX },
    { "qq", "Sent Messages", "Sent Messages", LB_FOLDER_ROLE_SENT },
    { "qq", "Deleted Messages", "Deleted Messages", LB_FOLDER_ROLE_TRASH },
    { "qq", "Drafts", "Drafts", LB_FOLDER_ROLE_DRAFTS },
    { "qq", "Junk", "Junk", LB_FOLDER_ROLE_JUNK },
    { "qq", "其他文件夹", "&UXZO1mWHTvZZOQ-", LB_FOLDER_ROLE_NONE },
    { "qq", "其他文件夹/QQ邮件订阅", "&UXZO1mWHTvZZOQ-/QQ&kK5O9ouilgU-", LB_FOLDER_ROLE_NONE },
    { "tencent-exmail", "Sent Messages", NULL, LB_FOLDER_ROLE_SENT },
  };

  check_names (cases, G_N_ELEMENTS (cases));
}

static void
test_netease (void)
{
  static const NameCase cases[] = {
    { "netease-163", "已发送", "&XfJT0ZAB-", LB_FOLDER_ROLE_SENT },
    { "netease-163", "草稿箱", "&g0l6P3ux-", LB_FOLDER_ROLE_DRAFTS },
    { "netease-163", "已删除", "&XfJSIJZk-", LB_FOLDER_ROLE_TRASH },
    { "netease-163", "垃圾邮件", "&V4NXPpCuTvY-", LB_FOLDER_ROLE_JUNK },
    { "netease-163", "病毒文件夹", "&dcVr0mWHTvZZOQ-", LB_FOLDER_ROLE_NONE },
    { "netease-163", "订阅邮件", "&i6KWBZCuTvY-", LB_FOLDER_ROLE_NONE },
    { "netease-163", "广告邮件", NULL, LB_FOLDER_ROLE_NONE },
    /* Decoding failed upstream: the raw name still identifies the folder. */
    { "netease-126", NULL, "&XfJT0ZAB-", LB_FOLDER_ROLE_SENT },
    { "netease-yeah", NULL, "&V4NXPpCuTvY-", LB_FOLDER_ROLE_JUNK },
    { "sina", "草稿夹", NULL, LB_FOLDER_ROLE_DRAFTS },
    { "sina", "已删除", NULL, LB_FOLDER_ROLE_TRASH },
    { "sina", "星标邮件", NULL, LB_FOLDER_ROLE_NONE },
  };

  check_names (cases, G_N_ELEMENTS (cases));
}

static void
test_gmail (void)
{
  static const NameCase cases[] = {
    { "gmail", "[Gmail]/Sent Mail", NULL, LB_FOLDER_ROLE_SENT },
    { "gmail", "[Gmail]/已发邮件", NULL, LB_FOLDER_ROLE_SENT },
    { "gmail", "[Gmail]/All Mail", NULL, LB_FOLDER_ROLE_ALL },
    { "gmail", "[Gmail]/所有邮件", NULL, LB_FOLDER_ROLE_ALL },
    { "gmail", "[Gmail]/Bin", NULL, LB_FOLDER_ROLE_TRASH },
    { "gmail", "[Gmail]/Trash", NULL, LB_FOLDER_ROLE_TRASH },
    { "gmail", "[Gmail]/Spam", NULL, LB_FOLDER_ROLE_JUNK },
    { "gmail", "[Gmail]/Drafts", NULL, LB_FOLDER_ROLE_DRAFTS },
    { "gmail", "[Gmail]/Starred", NULL, LB_FOLDER_ROLE_FLAGGED },
    { "gmail", "[Gmail]/Important", NULL, LB_FOLDER_ROLE_IMPORTANT },
    { "gmail", "[Google Mail]/Sent Mail", NULL, LB_FOLDER_ROLE_SENT },
    { "gmail", "[Gmail]", NULL, LB_FOLDER_ROLE_NONE },
    { "gmail", "Work/Projects", NULL, LB_FOLDER_ROLE_NONE },
    /* Top-level names on Gmail are the user's labels, whatever they are called. */
    { "gmail", "Spam", NULL, LB_FOLDER_ROLE_NONE },
    { "gmail", "Drafts", NULL, LB_FOLDER_ROLE_NONE },
    { "gmail", "INBOX", "INBOX", LB_FOLDER_ROLE_INBOX },
    { "google-workspace", "[Gmail]/Bin", NULL, LB_FOLDER_ROLE_TRASH },
    { "icloud", "Sent Messages", NULL, LB_FOLDER_ROLE_SENT },
    { "icloud", "Deleted Messages", NULL, LB_FOLDER_ROLE_TRASH },
    { "icloud", "Archive", NULL, LB_FOLDER_ROLE_ARCHIVE },
    { "outlook", "Junk Email", NULL, LB_FOLDER_ROLE_JUNK },
    { "microsoft365", "Deleted Items", NULL, LB_FOLDER_ROLE_TRASH },
  };

  check_names (cases, G_N_ELEMENTS (cases));
}

static void
test_common (void)
{
  static const NameCase cases[] = {
    { NULL, "INBOX", "INBOX", LB_FOLDER_ROLE_INBOX },
    { NULL, "inbox", "inbox", LB_FOLDER_ROLE_INBOX },
    { NULL, "Sent", NULL, LB_FOLDER_ROLE_SENT },
    { NULL, "SENT ITEMS", NULL, LB_FOLDER_ROLE_SENT },
    { NULL, "Sent Mail", NULL, LB_FOLDER_ROLE_SENT },
    { NULL, "Drafts", NULL, LB_FOLDER_ROLE_DRAFTS },
    { NULL, "Trash", NULL, LB_FOLDER_ROLE_TRASH },
    { NULL, "Deleted Items", NULL, LB_FOLDER_ROLE_TRASH },
    { NULL, "Junk", NULL, LB_FOLDER_ROLE_JUNK },
    { NULL, "Spam", NULL, LB_FOLDER_ROLE_JUNK },
    { NULL, "Bulk Mail", NULL, LB_FOLDER_ROLE_JUNK },
    { NULL, "Archive", NULL, LB_FOLDER_ROLE_ARCHIVE },
    { NULL, "已发送", NULL, LB_FOLDER_ROLE_SENT },
    { NULL, "草稿", NULL, LB_FOLDER_ROLE_DRAFTS },
    { NULL, "草稿箱", NULL, LB_FOLDER_ROLE_DRAFTS },
    { NULL, "垃圾箱", NULL, LB_FOLDER_ROLE_TRASH },
    { NULL, "垃圾邮件", NULL, LB_FOLDER_ROLE_JUNK },
    { NULL, "已删除", NULL, LB_FOLDER_ROLE_TRASH },
    { NULL, "INBOX.Sent", NULL, LB_FOLDER_ROLE_SENT },
    { NULL, "INBOX/Trash", NULL, LB_FOLDER_ROLE_TRASH },
    /* Deeper levels and look-alikes are user folders. */
    { NULL, "INBOX.Projects.Sent", NULL, LB_FOLDER_ROLE_NONE },
    { NULL, "Work/Sent", NULL, LB_FOLDER_ROLE_NONE },
    { NULL, "Sent Stuff", NULL, LB_FOLDER_ROLE_NONE },
    { NULL, "收件箱", NULL, LB_FOLDER_ROLE_NONE },
    { NULL, "INBOX.INBOX", NULL, LB_FOLDER_ROLE_NONE },
    { NULL, "INBOX.", NULL, LB_FOLDER_ROLE_NONE },
    { NULL, NULL, NULL, LB_FOLDER_ROLE_NONE },
    { NULL, "", "", LB_FOLDER_ROLE_NONE },
    { NULL, "\xff\xfe", "\xff", LB_FOLDER_ROLE_NONE },
    /* A provider's table comes first; unknown names fall back to common ones. */
    { "qq", "Archive", NULL, LB_FOLDER_ROLE_ARCHIVE },
    { "netease-163", "Sent", NULL, LB_FOLDER_ROLE_SENT },
  };

  check_names (cases, G_N_ELEMENTS (cases));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/providers/folder-role/attributes", test_attributes);
  g_test_add_func ("/providers/folder-role/qq", test_qq);
  g_test_add_func ("/providers/folder-role/netease-sina", test_netease);
  g_test_add_func ("/providers/folder-role/gmail-icloud-microsoft", test_gmail);
  g_test_add_func ("/providers/folder-role/common", test_common);

  return g_test_run ();
}
