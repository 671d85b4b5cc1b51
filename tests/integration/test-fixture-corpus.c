/* test-fixture-corpus.c: Dovecot serves the generated corpus exactly as the manifest says
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lb-test-fixture.h"
#include "lb-test-probe.h"

#define USER "alice@example.com"
#define INBOX_COUNT 2000
#define SENT_COUNT 30

static LbTestServers *servers;

static LbTestProbe *
login (void)
{
  g_autofree char *url = g_strdup_printf ("imaps://127.0.0.1:%u/", servers->imaps_port);
  LbTestProbe *probe = NULL;

  g_assert_cmpint (lb_test_probe_connect (url, FALSE, USER, "secret", servers->ca_file, &probe),
                   ==, CURLE_OK);
  return probe;
}

static GBytes *
command (LbTestProbe *probe,
         const char  *cmd)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;
  GBytes *reply = lb_test_probe_command (probe, cmd, &ok, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  return reply;
}

static guint
status_messages (LbTestProbe *probe,
                 const char  *folder)
{
  g_autofree char *cmd = g_strdup_printf ("STATUS %s (MESSAGES)", folder);
  g_autoptr(GBytes) reply = command (probe, cmd);
  g_autofree char *text = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
  const char *p = strstr (text, "(MESSAGES ");

  g_assert_nonnull (p);
  return (guint) g_ascii_strtoull (p + strlen ("(MESSAGES "), NULL, 10);
}

/* "17-Jul-1996 02:44:25 -0700" as seconds since the epoch. */
static gint64
parse_internaldate (const char *s)
{
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  char mon[4] = { 0 };
  int d, y, hh, mm, ss, tz;
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *tzs = NULL;
  const char *m;

  g_assert_cmpint (sscanf (s, "%d-%3c-%d %d:%d:%d %d", &d, mon, &y, &hh, &mm, &ss, &tz), ==, 7);
  m = strstr (months, mon);
  g_assert_nonnull (m);
  tzs = g_strdup_printf ("%c%02d:%02d", s[strlen (s) - 5], ABS (tz) / 100, ABS (tz) % 100);
  zone = g_time_zone_new_identifier (tzs);
  g_assert_nonnull (zone);
  dt = g_date_time_new (zone, y, (int) (m - months) / 3 + 1, d, hh, mm, ss);
  return g_date_time_to_unix (dt);
}

static GBytes *
expected_subject (GHashTable *entry)
{
  const char *plain = g_hash_table_lookup (entry, "subject_header");
  const char *hex = g_hash_table_lookup (entry, "subject_header_hex");
  GByteArray *b;

  if (plain != NULL)
    return g_bytes_new (plain, strlen (plain));
  g_assert_nonnull (hex);
  b = g_byte_array_new ();
  for (gsize i = 0; hex[i] != '\0' && hex[i + 1] != '\0'; i += 2)
    {
      guint8 byte = (guint8) (g_ascii_xdigit_value (hex[i]) * 16 + g_ascii_xdigit_value (hex[i + 1]));

      g_byte_array_append (b, &byte, 1);
    }
  return g_byte_array_free_to_bytes (b);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The server's flags without \Recent, sorted, space-separated. */
static char *
flags_string (const LbTestImapValue *flags)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (flags);
  g_assert_cmpint (flags->kind, ==, LB_TEST_IMAP_LIST);
  for (guint i = 0; i < flags->items->len; i++)
    {
      char *f = lb_test_imap_value_dup_string (g_ptr_array_index (flags->items, i));

      if (g_ascii_strcasecmp (f, "\\Recent") == 0)
        g_free (f);
      else
        g_ptr_array_add (names, f);
    }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static char *
sorted_flags (const char *manifest_flags)
{
  g_auto(GStrv) parts = g_strsplit (manifest_flags != NULL ? manifest_flags : "", " ", -1);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (names, parts[i]);
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
test_counts (void)
{
  g_autoptr(LbTestProbe) probe = login ();

  g_assert_cmpuint (status_messages (probe, "INBOX"), ==, INBOX_COUNT);
  g_assert_cmpuint (status_messages (probe, "Sent"), ==, SENT_COUNT);
  g_assert_cmpuint (status_messages (probe, "Drafts"), ==, 0);
}

static void
test_inbox_matches_manifest (void)
{
  g_autoptr(LbTestProbe) probe = login ();
  g_autofree char *path = lb_test_servers_manifest_path (servers, USER, "INBOX");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) manifest = lb_test_corpus_manifest_load (path, &error);
  g_autoptr(GBytes) select = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  guint fetches = 0, chinese = 0, raw = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (manifest->len, ==, INBOX_COUNT);

  select = command (probe, "SELECT INBOX");
  reply = command (probe, "UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)");
  lines = lb_test_imap_parse_untagged (reply);

  for (guint i = 0; i < lines->len; i++)
    {
      const LbTestImapValue *line = g_ptr_array_index (lines, i);
      const LbTestImapValue *items, *envelope, *subject, *msgid;
      g_autofree char *seq = NULL;
      g_autofree char *word = NULL;
      g_autofree char *uid = NULL;
      g_autofree char *got_flags = NULL;
      g_autofree char *want_flags = NULL;
      g_autofree char *idate = NULL;
      g_autofree char *got_msgid = NULL;
      g_autoptr(GBytes) want_subject = NULL;
      GHashTable *entry;
      guint64 n;

      if (line->items->len != 3)
        continue;
      word = lb_test_imap_value_dup_string (g_ptr_array_index (line->items, 1));
      if (g_strcmp0 (word, "FETCH") != 0)
        continue;
      seq = lb_test_imap_value_dup_string (g_ptr_array_index (line->items, 0));
      n = g_ascii_strtoull (seq, NULL, 10);
      g_assert_cmpuint (n, >=, 1);
      g_assert_cmpuint (n, <=, manifest->len);
      entry = g_ptr_array_index (manifest, n - 1);
      items = g_ptr_array_index (line->items, 2);

      /* UIDs follow the generation order (file names sort that way). */
      uid = lb_test_imap_value_dup_string (lb_test_imap_fetch_item (items, "UID"));
      g_assert_cmpstr (uid, ==, g_hash_table_lookup (entry, "uid"));

      got_flags = flags_string (lb_test_imap_fetch_item (items, "FLAGS"));
      want_flags = sorted_flags (g_hash_table_lookup (entry, "flags"));
      g_assert_cmpstr (got_flags, ==, want_flags);

      idate = lb_test_imap_value_dup_string (lb_test_imap_fetch_item (items, "INTERNALDATE"));
      g_assert_cmpint (parse_internaldate (idate), ==,
                       g_ascii_strtoll (g_hash_table_lookup (entry, "date"), NULL, 10));

      envelope = lb_test_imap_fetch_item (items, "ENVELOPE");
      g_assert_nonnull (envelope);
      g_assert_cmpint (envelope->kind, ==, LB_TEST_IMAP_LIST);
      g_assert_cmpuint (envelope->items->len, ==, 10);
      subject = g_ptr_array_index (envelope->items, 1);
      g_assert_cmpint (subject->kind, ==, LB_TEST_IMAP_STRING);
      /* The subject arrives byte for byte as in the file: encoded words or raw GBK. */
      want_subject = expected_subject (entry);
      g_assert_cmpmem (g_bytes_get_data (subject->data, NULL), g_bytes_get_size (subject->data),
                       g_bytes_get_data (want_subject, NULL), g_bytes_get_size (want_subject));
      if (g_hash_table_contains (entry, "subject_header_hex"))
        raw++;
      if (!g_str_is_ascii (g_hash_table_lookup (entry, "subject")))
        chinese++;

      msgid = g_ptr_array_index (envelope->items, 9);
      got_msgid = lb_test_imap_value_dup_string (msgid);
      g_assert_cmpstr (got_msgid, ==, g_hash_table_lookup (entry, "message_id"));
      fetches++;
    }
  g_assert_cmpuint (fetches, ==, INBOX_COUNT);
  /* The mix really holds Chinese subjects, raw GBK ones included. */
  g_assert_cmpuint (chinese, >, INBOX_COUNT / 4);
  g_assert_cmpuint (raw, >, 10);
}

int
main (int    argc,
      char **argv)
{
  static const char * const corpus[] = {
    USER ":INBOX:2000:42", USER ":Sent:30:7", NULL
  };
  LbTestServersOptions options = { .corpus = corpus, .no_smtp = TRUE };
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);

  servers = lb_test_servers_start (&options, &error);
  g_assert_no_error (error);

  g_test_add_func ("/integration/fixture/corpus/counts", test_counts);
  g_test_add_func ("/integration/fixture/corpus/inbox-matches-manifest", test_inbox_matches_manifest);
  status = g_test_run ();

  lb_test_servers_stop (servers);
  curl_global_cleanup ();
  return status;
}
