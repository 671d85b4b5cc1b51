/* test-search-query.c: the search query language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-search-query.h"
#include "lb-types.h"

static const LbSearchTerm *
term (const LbSearchQuery *q,
      guint                i)
{
  g_assert_cmpuint (i, <, q->terms->len);
  return g_ptr_array_index (q->terms, i);
}

static void
assert_term (const LbSearchQuery *q,
             guint                i,
             LbSearchField        field,
             const char          *text,
             gboolean             negated)
{
  const LbSearchTerm *t = term (q, i);

  g_assert_cmpint (t->field, ==, field);
  g_assert_cmpstr (t->text, ==, text);
  g_assert_cmpint (t->negated, ==, negated);
}

static void
test_words (void)
{
  g_autoptr(LbSearchQuery) q = lb_search_query_parse ("  会议  report\u3000发票 ");

  g_assert_cmpuint (q->terms->len, ==, 3);
  assert_term (q, 0, LB_SEARCH_FIELD_ANY, "会议", FALSE);
  assert_term (q, 1, LB_SEARCH_FIELD_ANY, "report", FALSE);
  /* U+3000, the ideographic space a Chinese IME types, separates words too. */
  assert_term (q, 2, LB_SEARCH_FIELD_ANY, "发票", FALSE);
  g_assert_false (lb_search_query_is_empty (q));
}

static void
test_empty (void)
{
  g_autoptr(LbSearchQuery) q1 = lb_search_query_parse ("");
  g_autoptr(LbSearchQuery) q2 = lb_search_query_parse ("   ");
  g_autoptr(LbSearchQuery) q3 = lb_search_query_parse (NULL);
  g_autoptr(LbSearchQuery) q4 = lb_search_query_parse ("\xff\xfe bad");
  g_autoptr(LbSearchQuery) q5 = lb_search_query_parse ("\"\" from:");

  g_assert_true (lb_search_query_is_empty (q1));
  g_assert_true (lb_search_query_is_empty (q2));
  g_assert_true (lb_search_query_is_empty (q3));
  g_assert_true (lb_search_query_is_empty (q4));
  /* "from:" with no value is a word. */
  g_assert_cmpuint (q5->terms->len, ==, 1);
  assert_term (q5, 0, LB_SEARCH_FIELD_ANY, "from:", FALSE);
}

static void
test_phrases (void)
{
  g_autoptr(LbSearchQuery) q = lb_search_query_parse ("\"quarterly report\" “季度 报告” 「你好 世界」 \"open");

  g_assert_cmpuint (q->terms->len, ==, 4);
  assert_term (q, 0, LB_SEARCH_FIELD_ANY, "quarterly report", FALSE);
  assert_term (q, 1, LB_SEARCH_FIELD_ANY, "季度 报告", FALSE);
  assert_term (q, 2, LB_SEARCH_FIELD_ANY, "你好 世界", FALSE);
  /* An unterminated phrase runs to the end. */
  assert_term (q, 3, LB_SEARCH_FIELD_ANY, "open", FALSE);
}

static void
test_fields (void)
{
  g_autoptr(LbSearchQuery) q = lb_search_query_parse ("from:zhang 发件人:张三 TO:li 收件人：李四 "
                                                      "subject:\"Q3 plan\" 主题:发票");

  g_assert_cmpuint (q->terms->len, ==, 6);
  assert_term (q, 0, LB_SEARCH_FIELD_FROM, "zhang", FALSE);
  assert_term (q, 1, LB_SEARCH_FIELD_FROM, "张三", FALSE);
  assert_term (q, 2, LB_SEARCH_FIELD_TO, "li", FALSE);
  /* A full-width colon works as well. */
  assert_term (q, 3, LB_SEARCH_FIELD_TO, "李四", FALSE);
  assert_term (q, 4, LB_SEARCH_FIELD_SUBJECT, "Q3 plan", FALSE);
  assert_term (q, 5, LB_SEARCH_FIELD_SUBJECT, "发票", FALSE);
}

static void
test_filters (void)
{
  g_autoptr(LbSearchQuery) q = lb_search_query_parse ("has:attachment is:unread is:flagged 会议");
  g_autoptr(LbSearchQuery) r = lb_search_query_parse ("is:read -is:flagged -has:attachment");
  g_autoptr(LbSearchQuery) u = lb_search_query_parse ("is:nothing has:cats 10:30 http://x.cn");

  g_assert_true (q->has_attachment);
  g_assert_cmpuint (q->flags_unset, ==, LB_FLAG_SEEN);
  g_assert_cmpuint (q->flags_set, ==, LB_FLAG_FLAGGED);
  g_assert_cmpuint (q->terms->len, ==, 1);

  g_assert_cmpuint (r->flags_set, ==, LB_FLAG_SEEN);
  g_assert_cmpuint (r->flags_unset, ==, LB_FLAG_FLAGGED);
  g_assert_true (r->no_attachment);
  g_assert_false (r->has_attachment);
  g_assert_cmpuint (r->terms->len, ==, 0);

  /* Unknown values and unknown operators are searched for as typed. */
  g_assert_cmpuint (u->terms->len, ==, 4);
  assert_term (u, 0, LB_SEARCH_FIELD_ANY, "is:nothing", FALSE);
  assert_term (u, 1, LB_SEARCH_FIELD_ANY, "has:cats", FALSE);
  assert_term (u, 2, LB_SEARCH_FIELD_ANY, "10:30", FALSE);
  assert_term (u, 3, LB_SEARCH_FIELD_ANY, "http://x.cn", FALSE);
  g_assert_cmpuint (u->flags_set | u->flags_unset, ==, 0);
}

static gint64
local_midnight (int y,
                int m,
                int d)
{
  g_autoptr(GDateTime) dt = g_date_time_new_local (y, m, d, 0, 0, 0);

  return g_date_time_to_unix (dt);
}

static void
test_dates (void)
{
  g_autoptr(LbSearchQuery) q = lb_search_query_parse ("after:2024/3/5 before:2024-04-01");
  g_autoptr(LbSearchQuery) bad = lb_search_query_parse ("after:2024-02-30 before:2024-3/5 after:tomorrow");
  gint64 t;

  g_assert_cmpint (q->after, ==, local_midnight (2024, 3, 5));
  g_assert_cmpint (q->before, ==, local_midnight (2024, 4, 1));
  g_assert_cmpuint (q->terms->len, ==, 0);

  g_assert_cmpint (bad->after, ==, 0);
  g_assert_cmpint (bad->before, ==, 0);
  g_assert_cmpuint (bad->terms->len, ==, 3);

  g_assert_true (lb_search_parse_date ("2024.12.31", &t));
  g_assert_cmpint (t, ==, local_midnight (2024, 12, 31));
  g_assert_false (lb_search_parse_date ("2024-13-01", &t));
  g_assert_false (lb_search_parse_date ("24-1-1", &t));
  g_assert_false (lb_search_parse_date ("2024-1-1x", &t));
  g_assert_false (lb_search_parse_date ("", &t));
}

static void
test_negation (void)
{
  g_autoptr(LbSearchQuery) q = lb_search_query_parse ("-spam -from:ads - 会议 -\"广告 推广\"");

  g_assert_cmpuint (q->terms->len, ==, 5);
  assert_term (q, 0, LB_SEARCH_FIELD_ANY, "spam", TRUE);
  assert_term (q, 1, LB_SEARCH_FIELD_FROM, "ads", TRUE);
  /* A lone "-" is a word. */
  assert_term (q, 2, LB_SEARCH_FIELD_ANY, "-", FALSE);
  assert_term (q, 3, LB_SEARCH_FIELD_ANY, "会议", FALSE);
  assert_term (q, 4, LB_SEARCH_FIELD_ANY, "广告 推广", TRUE);
}

static void
test_get_terms (void)
{
  g_auto(GStrv) terms = lb_search_query_get_terms ("会议 from:张三 -spam 会议纪要 is:unread 会议 Report");
  g_auto(GStrv) none = lb_search_query_get_terms ("is:unread -x");

  /* Longest first, no duplicates, no negated terms, no filters. */
  g_assert_cmpuint (g_strv_length (terms), ==, 4);
  g_assert_cmpstr (terms[0], ==, "Report");
  g_assert_cmpstr (terms[1], ==, "会议纪要");
  g_assert_cmpstr (terms[2], ==, "会议");
  g_assert_cmpstr (terms[3], ==, "张三");
  g_assert_cmpuint (g_strv_length (none), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/search/query/words", test_words);
  g_test_add_func ("/search/query/empty", test_empty);
  g_test_add_func ("/search/query/phrases", test_phrases);
  g_test_add_func ("/search/query/fields", test_fields);
  g_test_add_func ("/search/query/filters", test_filters);
  g_test_add_func ("/search/query/dates", test_dates);
  g_test_add_func ("/search/query/negation", test_negation);
  g_test_add_func ("/search/query/get-terms", test_get_terms);

  return g_test_run ();
}
