/* test-text-sanitize.c: server text is made safe before it is shown or logged
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-text-sanitize.h"

static void
check (const char *input,
       gssize      len,
       const char *expected)
{
  g_autofree char *out = lb_text_sanitize_server (input, len);

  g_assert_cmpstr (out, ==, expected);
}

static void
assert_clean (const char *text)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_false (c < 0x20 || (c >= 0x7f && c <= 0x9f));
    }
}

static void
test_plain (void)
{
  check ("Logged out", -1, "Logged out");
  check ("  many   spaces\there  ", -1, "many spaces here");
  check ("中文服务器提示", -1, "中文服务器提示");
  check (NULL, -1, "");
  check ("", -1, "");
  check ("cut here", 3, "cut");
}

static void
test_escapes (void)
{
  /* Colours, cursor movement, a cleared screen, a window title (OSC with BEL and with ST),
   * a reset, and C1 CSI: all gone, with the text around them kept. */
  check ("\x1b[31mred\x1b[0m text", -1, "red text");
  check ("a\x1b[2J\x1b[Hb", -1, "ab");
  check ("x\x1b]0;pwned\x07y", -1, "xy");
  check ("x\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\y", -1, "xlinky");
  check ("\x1b" "cReset", -1, "Reset");
  check ("a\xc2\x9b" "31mb", -1, "ab");
  check ("trailing\x1b", -1, "trailing");
  check ("trailing\x1b[", -1, "trailing");
}

static void
test_controls (void)
{
  check ("line1\r\nline2", -1, "line1 line2");
  check ("bell\x07" "del\x7f" "end", -1, "bell del end");
  check ("nul\0after", 9, "nul");
  check ("c1\xc2\x85next", -1, "c1 next");
  check ("file\xe2\x80\xaetxt.exe", -1, "file txt.exe");
  check ("zero\xe2\x80\x8bwidth", -1, "zero width");
}

static void
test_invalid_utf8 (void)
{
  g_autofree char *garbage = lb_text_sanitize_server ("ok \xff\xfe\x80 end", -1);
  /* 会议 in GBK, as QQ's and 163's servers answer. */
  g_autofree char *gbk = lb_text_sanitize_server ("\xbb\xe1\xd2\xe9", -1);

  assert_clean (garbage);
  g_assert_true (g_str_has_prefix (garbage, "ok "));
  g_assert_true (g_str_has_suffix (garbage, " end"));
  g_assert_cmpstr (gbk, ==, "会议");
}

static void
test_length (void)
{
  g_autofree char *long_text = g_strnfill (100000, 'a');
  g_autofree char *out = lb_text_sanitize_server (long_text, -1);
  g_autofree char *exact = g_strnfill (LB_TEXT_SANITIZE_MAX_CHARS, 'b');
  g_autofree char *kept = lb_text_sanitize_server (exact, -1);

  g_assert_cmpuint (g_utf8_strlen (out, -1), ==, LB_TEXT_SANITIZE_MAX_CHARS + 1);
  g_assert_true (g_str_has_suffix (out, "…"));
  g_assert_cmpstr (kept, ==, exact);
}

/* Whatever comes in, what goes out is valid UTF-8 without control characters. */
static void
test_random (void)
{
  GRand *rand = g_rand_new_with_seed (12);

  for (guint i = 0; i < 2000; i++)
    {
      guchar buf[64];
      g_autofree char *out = NULL;
      guint n = (guint) g_rand_int_range (rand, 0, sizeof buf);

      for (guint k = 0; k < n; k++)
        buf[k] = (guchar) g_rand_int_range (rand, 1, 256);
      out = lb_text_sanitize_server ((const char *) buf, n);
      assert_clean (out);
    }
  g_rand_free (rand);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/text-sanitize/plain", test_plain);
  g_test_add_func ("/text-sanitize/escapes", test_escapes);
  g_test_add_func ("/text-sanitize/controls", test_controls);
  g_test_add_func ("/text-sanitize/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/text-sanitize/length", test_length);
  g_test_add_func ("/text-sanitize/random", test_random);
  return g_test_run ();
}
