/* test-sequence-set.c: parsing and formatting IMAP sequence sets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-error.h"
#include "lb-imap-parser.h"

static GArray *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  GArray *set = lb_imap_seqset_parse (text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (set);
  return set;
}

#define RANGE(set, i) (g_array_index ((set), LbImapRange, (i)))

static void
test_parse (void)
{
  g_autoptr(GArray) a = parse_ok ("1:5,7,9:*");
  g_autoptr(GArray) b = parse_ok ("5:2");
  g_autoptr(GArray) c = parse_ok ("*");
  g_autoptr(GArray) d = parse_ok ("*:4");
  g_autoptr(GArray) e = parse_ok ("4294967295");
  g_autoptr(GArray) f = parse_ok ("007");

  g_assert_cmpuint (a->len, ==, 3);
  g_assert_cmpuint (RANGE (a, 0).first, ==, 1);
  g_assert_cmpuint (RANGE (a, 0).last, ==, 5);
  g_assert_cmpuint (RANGE (a, 1).first, ==, 7);
  g_assert_cmpuint (RANGE (a, 1).last, ==, 7);
  g_assert_cmpuint (RANGE (a, 2).first, ==, 9);
  g_assert_cmpuint (RANGE (a, 2).last, ==, LB_IMAP_SEQ_STAR);
  g_assert_true (lb_imap_seqset_contains (a, 3));
  g_assert_false (lb_imap_seqset_contains (a, 6));
  g_assert_true (lb_imap_seqset_contains (a, 100000));

  g_assert_cmpuint (RANGE (b, 0).first, ==, 2);
  g_assert_cmpuint (RANGE (b, 0).last, ==, 5);
  g_assert_cmpuint (lb_imap_seqset_count (b), ==, 4);
  g_assert_cmpuint (RANGE (c, 0).first, ==, LB_IMAP_SEQ_STAR);
  g_assert_cmpuint (RANGE (d, 0).first, ==, 4);
  g_assert_cmpuint (RANGE (d, 0).last, ==, LB_IMAP_SEQ_STAR);
  g_assert_cmpuint (RANGE (e, 0).first, ==, G_MAXUINT32);
  g_assert_cmpuint (RANGE (f, 0).first, ==, 7);

  /* Explicit length: stops where told. */
  {
    g_autoptr(GArray) g = lb_imap_seqset_parse ("3:4 trailing", 3, NULL);

    g_assert_nonnull (g);
    g_assert_cmpuint (RANGE (g, 0).last, ==, 4);
  }
}

static void
test_parse_errors (void)
{
  static const char *const bad[] = {
    "", "0", "1:0", "1,", ",1", "1::2", "a", "1-5", "1:", ":5", "4294967296",
    "99999999999999999999", "1 2", "$", "1,,2", "*:*:*",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) set = lb_imap_seqset_parse (bad[i], -1, &error);

      g_test_message ("input “%s”", bad[i]);
      g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
      g_assert_null (set);
    }
}

static void
check_format (const guint32 *uids,
              gsize          n,
              const char    *expected)
{
  g_autofree char *s = lb_imap_seqset_format (uids, n);

  g_assert_cmpstr (s, ==, expected);
}

static void
test_format (void)
{
  static const guint32 a[] = { 1, 2, 3, 5, 7, 8 };
  static const guint32 b[] = { 42 };
  static const guint32 c[] = { 8, 1, 3, 2, 7, 5 };
  static const guint32 d[] = { 1, 1, 2, 2, 2, 4, 4 };
  static const guint32 e[] = { 0, 0, 3 };
  static const guint32 f[] = { 0 };
  static const guint32 g[] = { 4294967294u, 4294967295u };
  static const guint32 h[] = { 1, 3, 5, 7 };

  check_format (a, G_N_ELEMENTS (a), "1:3,5,7:8");
  check_format (b, G_N_ELEMENTS (b), "42");
  check_format (c, G_N_ELEMENTS (c), "1:3,5,7:8");
  check_format (d, G_N_ELEMENTS (d), "1:2,4");
  check_format (e, G_N_ELEMENTS (e), "3");
  check_format (f, G_N_ELEMENTS (f), NULL);
  check_format (NULL, 0, NULL);
  check_format (g, G_N_ELEMENTS (g), "4294967294:4294967295");
  check_format (h, G_N_ELEMENTS (h), "1,3,5,7");
}

/* Formatting a large set and parsing it back gives exactly the same numbers. */
static void
test_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) set = NULL;
  g_autofree char *text = NULL;
  guint32 u = 0;
  guint64 count = 0;

  for (guint i = 0; i < 10000; i++)
    {
      u += g_rand_int_range (rand, 1, 4);
      g_array_append_val (uids, u);
    }
  text = lb_imap_seqset_format ((const guint32 *) (gpointer) uids->data, uids->len);
  set = parse_ok (text);
  count = lb_imap_seqset_count (set);
  g_assert_cmpuint (count, ==, uids->len);
  for (guint i = 0; i < uids->len; i++)
    {
      g_assert_true (lb_imap_seqset_contains (set, g_array_index (uids, guint32, i)));
      if (i > 0 && g_array_index (uids, guint32, i) > g_array_index (uids, guint32, i - 1) + 1)
        g_assert_false (lb_imap_seqset_contains (set, g_array_index (uids, guint32, i) - 1));
    }

  {
    g_autofree char *again = lb_imap_seqset_format_ranges (set);

    g_assert_cmpstr (again, ==, text);
  }
}

static void
test_format_ranges_star (void)
{
  g_autoptr(GArray) set = parse_ok ("1:5,7,9:*,*");
  g_autofree char *s = lb_imap_seqset_format_ranges (set);
  g_autoptr(GArray) empty = g_array_new (FALSE, FALSE, sizeof (LbImapRange));

  g_assert_cmpstr (s, ==, "1:5,7,9:*,*");
  g_assert_null (lb_imap_seqset_format_ranges (empty));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap/seqset/parse", test_parse);
  g_test_add_func ("/imap/seqset/parse-errors", test_parse_errors);
  g_test_add_func ("/imap/seqset/format", test_format);
  g_test_add_func ("/imap/seqset/round-trip", test_round_trip);
  g_test_add_func ("/imap/seqset/format-ranges-star", test_format_ranges_star);

  return g_test_run ();
}
