/* test-mutf7.c: modified UTF-7 mailbox names (RFC 3501 section 5.1.3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-error.h"
#include "lb-mutf7.h"

static const struct {
  const char *mutf7;
  const char *utf8;
} pairs[] = {
  { "INBOX", "INBOX" },
  { "", "" },
  { "&-", "&" },
  { "Tom &- Jerry", "Tom & Jerry" },
  { "&-&-", "&&" },
  /* NetEase/QQ folder names (PROVIDERS.md section 7) */
  { "&XfJT0ZAB-", "已发送" },
  { "&g0l6P3ux-", "草稿箱" },
  { "&XfJSIJZk-", "已删除" },
  { "&V4NXPpCuTvY-", "垃圾邮件" },
  { "&UXZO1mWHTvZZOQ-", "其他文件夹" },
  { "&dcVr0mWHTvZZOQ-", "病毒文件夹" },
  { "&i6KWBZCuTvY-", "订阅邮件" },
  { "&UXZO1mWHTvZZOQ-/QQ&kK5O9ouilgU-", "其他文件夹/QQ邮件订阅" },
  { "[Gmail]/&XfJT0ZCuTvY-", "[Gmail]/已发邮件" },
  /* RFC 3501's own example */
  { "~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/台北/日本語" },
  { "&AMQ-", "Ä" },
  { "Entw&APw-rfe", "Entwürfe" },
  /* Surrogate pairs */
  { "&2D3eAA-", "😀" },
  { "A&-B &2D3eAA-x", "A&B 😀x" },
  { "&2D3eANg93gE-", "😀😁" },
  { "&AOk-t&AOk-", "été" },
};

static void
test_decode (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = lb_mutf7_decode (pairs[i].mutf7, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, pairs[i].utf8);
    }
}

static void
test_encode (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autofree char *out = lb_mutf7_encode (pairs[i].utf8);

      g_assert_cmpstr (out, ==, pairs[i].mutf7);
    }
}

static void
test_malformed (void)
{
  static const char *const bad[] = {
    "&",              /* unterminated */
    "&XfJT0ZAB",      /* unterminated */
    "&XfJT0ZA-",      /* truncated: leftover bits */
    "&XfL-",          /* non-zero padding bits */
    "&A-",            /* six bits: no character */
    "&Xf*T0ZAB-",     /* outside the alphabet */
    "&Xf/T0ZAB-",     /* '/' is ',' in modified base64 */
    "&XfJT0ZAB=-",    /* no padding allowed */
    "&2D0-",          /* lone high surrogate */
    "&3gA-",          /* lone low surrogate */
    "&2D3YPQ-",       /* high surrogate followed by high surrogate */
    "&AAA-",          /* encoded NUL */
    "caf\xc3\xa9",    /* raw 8-bit */
    "tab\there",      /* control character */
    "del\x7f",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = lb_mutf7_decode (bad[i], &error);

      g_test_message ("input %u", i);
      g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
      g_assert_null (out);
    }
}

static void
test_lenient_ascii (void)
{
  g_autoptr(GError) error = NULL;
  /* "AB" encoded, which RFC 3501 forbids but is unambiguous. */
  g_autofree char *out = lb_mutf7_decode ("&AEEAQg-", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "AB");
}

static void
test_encode_invalid_utf8 (void)
{
  g_assert_null (lb_mutf7_encode ("\xff\xfe"));
  g_assert_null (lb_mutf7_encode ("ok\xc3"));
}

/* Random strings of ASCII, BMP and astral characters survive a round trip,
 * and the encoding is printable ASCII. */
static void
test_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);

  for (guint n = 0; n < 2000; n++)
    {
      g_autoptr(GString) s = g_string_new (NULL);
      guint len = g_rand_int_range (rand, 0, 12);
      g_autofree char *enc = NULL;
      g_autofree char *dec = NULL;
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < len; i++)
        {
          gunichar c;

          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0:
              c = g_rand_int_range (rand, 0x20, 0x7f);
              break;
            case 1:
              c = g_rand_int_range (rand, 0x80, 0xd800);
              break;
            case 2:
              c = g_rand_int_range (rand, 0xe000, 0x10000);
              break;
            default:
              c = g_rand_int_range (rand, 0x10000, 0x110000);
              break;
            }
          g_string_append_unichar (s, c);
        }
      enc = lb_mutf7_encode (s->str);
      g_assert_nonnull (enc);
      for (const char *p = enc; p != NULL && *p; p++)
        g_assert_true (*p >= 0x20 && *p <= 0x7e);
      dec = lb_mutf7_decode (enc, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (dec, ==, s->str);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap/mutf7/decode", test_decode);
  g_test_add_func ("/imap/mutf7/encode", test_encode);
  g_test_add_func ("/imap/mutf7/malformed", test_malformed);
  g_test_add_func ("/imap/mutf7/lenient-ascii", test_lenient_ascii);
  g_test_add_func ("/imap/mutf7/encode-invalid-utf8", test_encode_invalid_utf8);
  g_test_add_func ("/imap/mutf7/round-trip", test_round_trip);

  return g_test_run ();
}
