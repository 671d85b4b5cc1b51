/* test-proxy.c: an account's proxy setting, as the CLI and Edit Account take it, and the
 * envelope sender an alias gets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-outbox.h"
#include "lb-server-config.h"

static void
check (const char *spec,
       const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_true (lb_proxy_parse (spec, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, expected);
}

static void
refused (const char *spec)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_false (lb_proxy_parse (spec, &out, &error));
  g_assert_nonnull (error);
  g_assert_null (out);
}

static void
test_parse (void)
{
  /* The system setting is the default, stored as nothing. */
  check (NULL, NULL);
  check ("", NULL);
  check ("system", NULL);
  check ("none", LB_PROXY_NONE);
  check ("NONE", LB_PROXY_NONE);
  /* SOCKS5 always resolves names at the proxy: local DNS is what the proxy is for. */
  check ("socks5://127.0.0.1:1080", "socks5h://127.0.0.1:1080");
  check ("socks://proxy.example:1080", "socks5h://proxy.example:1080");
  check ("socks5h://[::1]:1080", "socks5h://[::1]:1080");
  check ("http://proxy.example:3128", "http://proxy.example:3128");

  refused ("socks5://127.0.0.1");         /* no port */
  refused ("ftp://proxy.example:21");
  refused ("proxy.example:1080");
  refused ("http://:3128");
}

static void
test_from_address (void)
{
  const char *text =
    "Message-ID: <a.1@example.com>\r\n"
    "From: =?UTF-8?B?6ZSA5ZSu6YOo?=\r\n"
    " <Sales@Example.com>\r\n"
    "To: bob@example.org\r\n"
    "\r\n"
    "From: not@this.one\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (text, strlen (text));
  g_autofree char *from = lb_outbox_extract_from_address (message);
  g_autofree char *id = lb_outbox_extract_message_id (message);

  /* A folded From (as a long encoded name is) still gives the address. */
  g_assert_cmpstr (from, ==, "Sales@Example.com");
  g_assert_cmpstr (id, ==, "a.1@example.com");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/proxy/parse", test_parse);
  g_test_add_func ("/proxy/from-address", test_from_address);
  return g_test_run ();
}
