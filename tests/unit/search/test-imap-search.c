/* test-imap-search.c: search keys sent to the server for a query
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-imap-search.h"

static char *
criteria (const char *query,
          gboolean    literal_plus)
{
  g_autoptr(LbSearchQuery) q = lb_search_query_parse (query);

  return lb_imap_search_build_criteria (q, literal_plus);
}

#define assert_criteria(query, literal_plus, expected) \
  G_STMT_START { \
    g_autofree char *_got = criteria ((query), (literal_plus)); \
    g_assert_cmpstr (_got, ==, (expected)); \
  } G_STMT_END

static void
test_words (void)
{
  assert_criteria ("", TRUE, "CHARSET UTF-8 ALL");
  assert_criteria ("invoice march", TRUE, "CHARSET UTF-8 TEXT \"invoice\" TEXT \"march\"");
  /* Quotes and backslashes inside a word are escaped in the quoted string. */
  assert_criteria ("a\"b c\\d", FALSE, "CHARSET UTF-8 TEXT \"a\\\"b\" TEXT \"c\\\\d\"");
  assert_criteria ("-spam", TRUE, "CHARSET UTF-8 NOT TEXT \"spam\"");
}

static void
test_chinese (void)
{
  /* Byte counts, not characters: 会议 is 6 bytes of UTF-8. */
  assert_criteria ("会议", TRUE, "CHARSET UTF-8 TEXT {6+}\r\n会议");
  assert_criteria ("发件人:张三", TRUE, "CHARSET UTF-8 FROM {6+}\r\n张三");
  /* Without LITERAL+ the UTF-8 goes quoted. */
  assert_criteria ("会议", FALSE, "CHARSET UTF-8 TEXT \"会议\"");
}

static void
test_operators (void)
{
  assert_criteria ("to:li subject:plan", TRUE, "CHARSET UTF-8 OR TO \"li\" CC \"li\" SUBJECT \"plan\"");
  assert_criteria ("is:unread is:flagged", TRUE, "CHARSET UTF-8 UNSEEN FLAGGED");
  assert_criteria ("is:read -is:flagged", TRUE, "CHARSET UTF-8 SEEN UNFLAGGED");
  assert_criteria ("after:2024-03-05 before:2024/4/1", TRUE,
                   "CHARSET UTF-8 SENTBEFORE 1-Apr-2024 SENTSINCE 5-Mar-2024");
  /* No IMAP key for attachments: everything matches, the local filter decides. */
  assert_criteria ("has:attachment", TRUE, "CHARSET UTF-8 ALL");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/search/imap/words", test_words);
  g_test_add_func ("/search/imap/chinese", test_chinese);
  g_test_add_func ("/search/imap/operators", test_operators);
  return g_test_run ();
}
