/* bench-mime.c: what caching a body costs the sync: parse, text, preview
 *
 * For every body it downloads, the sync parses the message, takes its text (made from
 * the HTML when there is no text part) for the search index and a preview for the list
 * (lb-imap-sync-bodies.c, store_body).  This times exactly that, on three kinds of
 * message: a small plain-text one, an HTML-only newsletter in Chinese (tables, styles,
 * entities, about 30 KB) and an HTML-only one whose <head> is never closed.  Prints
 * messages per CPU second and MB of HTML per CPU second for lb_mime_html_to_text() alone.
 * LB_BENCH_ROUNDS sets the number of rounds (default 400).  Never fails on timings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lb-mime-message.h"
#include "lb-mime-text.h"

/* CPU time of this process in seconds: less disturbed than the wall clock by the other
 * work on a shared machine. */
static double
cpu_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
newsletter_html (gboolean close_head)
{
  GString *html = g_string_new ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                                "<title>季度会议纪要</title><style>td{padding:4px} .x{color:#333}"
                                "</style>");

  if (close_head)
    g_string_append (html, "</head>");
  g_string_append (html, "<body><div style=\"display:none\">&zwnj;&nbsp;&#8203;预览文字</div>"
                         "<table width=\"600\" cellpadding=\"0\">");
  for (int i = 0; i < 150; i++)
    g_string_append_printf (html, "<tr><td class=\"x\"><a href=\"https://example.com/item/%d?utm=1&amp;b=2\">"
                            "第 %d 项：本季度销售额增长&nbsp;12%%，详情请见附件 &mdash; "
                            "Quarterly item %d &amp; notes</a></td><td><img src=\"https://"
                            "example.com/p/%d.png\" alt=\"\"></td></tr>\n", i, i, i, i);
  g_string_append (html, "</table><p>此致<br>敬礼</p><!-- footer --></body></html>");
  return g_string_free (html, FALSE);
}

static GBytes *
message (const char *type,
         const char *body)
{
  g_autofree char *raw = g_strdup_printf ("From: News <news@example.com>\r\nTo: alice@example.com\r\n"
                                          "Subject: bench\r\nDate: Mon, 2 Mar 2026 10:00:00 +0800\r\n"
                                          "MIME-Version: 1.0\r\nContent-Type: %s; charset=utf-8\r\n"
                                          "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n", type, body);

  return g_bytes_new (raw, strlen (raw));
}

/* Seconds for ROUNDS times what store_body does with RAW. */
static double
time_store_body (GBytes *raw,
                 guint   rounds,
                 gsize  *text_len)
{
  double t0 = cpu_now ();

  for (guint i = 0; i < rounds; i++)
    {
      g_autoptr(LbMimeMessage) mime = lb_mime_message_new_from_bytes (raw, NULL);
      g_autofree char *preview = lb_mime_message_dup_preview (mime, 200);

      *text_len = strlen (lb_mime_message_get_text (mime));
      g_assert_nonnull (preview);
    }
  return cpu_now () - t0;
}

int
main (void)
{
  const char *env = g_getenv ("LB_BENCH_ROUNDS");
  guint rounds = env != NULL ? (guint) atoi (env) : 400;
  g_autofree char *html = newsletter_html (TRUE);
  g_autofree char *open_head = newsletter_html (FALSE);
  g_autoptr(GBytes) plain = message ("text/plain", "Hello Alice,\r\n\r\nThe meeting moves to Thursday.\r\n"
                                                   "See you there.\r\n\r\n-- \r\nBob\r\n");
  g_autoptr(GBytes) news = message ("text/html", html);
  g_autoptr(GBytes) broken = message ("text/html", open_head);
  double t;
  gsize len = 0;
  double t0;

  g_print ("bench-mime: %u rounds; newsletter HTML %zu bytes\n", rounds, strlen (html));
  /* The length of the text shows that the time bought something (an empty text is fast). */
  t = time_store_body (plain, rounds * 10, &len);
  g_print ("plain text message:       %8.0f messages/s (text: %zu bytes)\n", rounds * 10 / t, len);
  t = time_store_body (news, rounds, &len);
  g_print ("HTML newsletter:          %8.0f messages/s (text: %zu bytes)\n", rounds / t, len);
  t = time_store_body (broken, rounds, &len);
  g_print ("HTML, <head> not closed:  %8.0f messages/s (text: %zu bytes)\n", rounds / t, len);

  t0 = cpu_now ();
  for (guint i = 0; i < rounds; i++)
    g_free (lb_mime_html_to_text (html));
  t = cpu_now () - t0;
  g_print ("lb_mime_html_to_text:     %8.1f MB/s of HTML\n", rounds * strlen (html) / t / 1e6);
  return 0;
}
