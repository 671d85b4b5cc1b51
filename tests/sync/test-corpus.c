/* test-corpus.c: every message of tests/data/corpus reads as its .expect file says,
 * the same way everywhere
 *
 * Each tests/data/corpus/NAME.eml has a NAME.expect key file (see the README there).  The
 * first test checks every message through lb_mime_message_new_from_bytes(), the reply
 * quote and the preview.  The second APPENDs them all to a private Dovecot, syncs, and
 * checks that the message list (subject, sender, date, preview, attachment mark), local
 * search (the body line finds the message) and `letterbox-cli show --json` agree with
 * the expectation and with the parsed message.  Every mismatch of every message is
 * reported before the test fails, so one run shows all that is wrong.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "lb-compose.h"
#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-mime-message.h"
#include "lb-test-env.h"
#include "lb-test-wait.h"

static const char *cli_path;

typedef struct {
  char       *name;          /* the file name without .eml */
  GBytes     *raw;
  char       *subject;
  char       *from;          /* the first From address */
  char       *from_name;     /* its display name, or NULL for none */
  GDateTime  *date;          /* NULL: the message has no usable date */
  char      **attachments;   /* the attachment names in order, possibly none */
  char       *to;            /* optional: the To addresses, bare, ";"-joined */
  char       *body;          /* one line the body text must contain */
  gboolean    is_signed;
  guint32     uid;           /* on the server, once appended */
} Sample;

static void
sample_free (Sample *s)
{
  g_free (s->name);
  g_clear_pointer (&s->raw, g_bytes_unref);
  g_free (s->subject);
  g_free (s->from);
  g_free (s->from_name);
  g_clear_pointer (&s->date, g_date_time_unref);
  g_strfreev (s->attachments);
  g_free (s->to);
  g_free (s->body);
  g_free (s);
}

static char *
corpus_dir (void)
{
  return g_build_filename (g_getenv ("LB_TEST_SRCDIR"), "tests", "data", "corpus", NULL);
}

static Sample *
sample_load (const char *dir,
             const char *file)
{
  g_autoptr(GKeyFile) expect = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *eml = g_build_filename (dir, file, NULL);
  g_autofree char *stem = g_strndup (file, strlen (file) - strlen (".eml"));
  g_autofree char *expect_path = g_strconcat (dir, "/", stem, ".expect", NULL);
  g_autofree char *date = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  Sample *s = g_new0 (Sample, 1);

  s->name = g_steal_pointer (&stem);
  g_file_get_contents (eml, &contents, &len, &error);
  g_assert_no_error (error);
  s->raw = g_bytes_new_take (g_steal_pointer (&contents), len);
  if (!g_key_file_load_from_file (expect, expect_path, G_KEY_FILE_NONE, &error))
    g_error ("%s: %s (every message needs its .expect)", expect_path, error->message);
  s->subject = g_key_file_get_string (expect, "expect", "subject", &error);
  g_assert_no_error (error);
  s->from = g_key_file_get_string (expect, "expect", "from", &error);
  g_assert_no_error (error);
  s->body = g_key_file_get_string (expect, "expect", "body", &error);
  g_assert_no_error (error);
  s->from_name = g_key_file_get_string (expect, "expect", "from_name", NULL);
  if (s->from_name != NULL && s->from_name[0] == '\0')
    g_clear_pointer (&s->from_name, g_free);
  date = g_key_file_get_string (expect, "expect", "date", &error);
  g_assert_no_error (error);
  if (g_strcmp0 (date, "none") != 0)
    {
      s->date = g_date_time_new_from_iso8601 (date, NULL);
      if (s->date == NULL)
        g_error ("%s: date=%s is not ISO 8601", expect_path, date);
    }
  s->attachments = g_key_file_get_string_list (expect, "expect", "attachments", NULL, NULL);
  if (s->attachments == NULL)
    s->attachments = g_new0 (char *, 1);
  s->is_signed = g_key_file_get_boolean (expect, "expect", "signed", NULL);
  if (g_key_file_has_key (expect, "expect", "to", NULL))
    {
      g_auto(GStrv) to = g_key_file_get_string_list (expect, "expect", "to", NULL, NULL);

      s->to = to != NULL ? g_strjoinv (";", to) : g_strdup ("");
    }
  return s;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* The corpus, in file name order. */
static GPtrArray *
corpus_load (void)
{
  g_autofree char *dir = corpus_dir ();
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GPtrArray *samples = g_ptr_array_new_with_free_func ((GDestroyNotify) sample_free);
  const char *file;

  d = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((file = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (file, ".eml"))
      g_ptr_array_add (names, g_strdup (file));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (samples, sample_load (dir, g_ptr_array_index (names, i)));
  g_assert_cmpuint (samples->len, >, 0);
  return samples;
}

/* Notes a difference; the test fails at the end with all of them. */
static void
mismatch (GString      *report,
          const Sample *s,
          const char   *where,
          const char   *what,
          const char   *expected,
          const char   *got)
{
  g_string_append_printf (report, "%s: %s: %s: expected [%s], got [%s]\n", s->name, where, what,
                          expected != NULL ? expected : "(none)", got != NULL ? got : "(none)");
}

static void
check_str (GString      *report,
           const Sample *s,
           const char   *where,
           const char   *what,
           const char   *expected,
           const char   *got)
{
  if (g_strcmp0 (expected, got) != 0)
    mismatch (report, s, where, what, expected, got);
}

static void
check_contains (GString      *report,
                const Sample *s,
                const char   *where,
                const char   *what,
                const char   *haystack)
{
  if (haystack == NULL || strstr (haystack, s->body) == NULL)
    mismatch (report, s, where, what, s->body, haystack);
}

static char *
date_string (GDateTime *date)
{
  return date != NULL ? g_date_time_format_iso8601 (date) : NULL;
}

static void
check_date (GString      *report,
            const Sample *s,
            const char   *where,
            gboolean      has_date,
            gint64        unix_time)
{
  g_autofree char *expected = date_string (s->date);
  g_autoptr(GDateTime) got_dt = has_date ? g_date_time_new_from_unix_utc (unix_time) : NULL;
  g_autofree char *got = date_string (got_dt);

  if ((s->date == NULL) != !has_date
      || (s->date != NULL && g_date_time_to_unix (s->date) != unix_time))
    mismatch (report, s, where, "date", expected, got);
}

static char *
attachment_names (GPtrArray *attachments)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < attachments->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ";" : "",
                            lb_mime_attachment_get_filename (g_ptr_array_index (attachments, i)));
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static char *
address_list (GPtrArray *addresses)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < addresses->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? ";" : "",
                            ((const LbAddress *) g_ptr_array_index (addresses, i))->address);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Reading, the reply quote and the preview, straight from the bytes. */
static void
check_parsed (GString       *report,
              const Sample  *s,
              LbMimeMessage *mime)
{
  g_autoptr(LbAddress) me = lb_address_new ("Alice", "alice@example.com");
  const char *const own[] = { "alice@example.com", NULL };
  g_autoptr(LbMimeDraft) reply = NULL;
  g_autofree char *names = attachment_names (lb_mime_message_get_attachments (mime));
  g_autofree char *expected_names = g_strjoinv (";", s->attachments);
  GPtrArray *from = lb_mime_message_get_from (mime);
  const LbAddress *first = from->len > 0 ? g_ptr_array_index (from, 0) : NULL;
  GDateTime *date = lb_mime_message_get_date (mime);

  check_str (report, s, "parse", "subject", s->subject, lb_mime_message_get_subject (mime));
  check_str (report, s, "parse", "from", s->from, first != NULL ? first->address : NULL);
  if (s->from_name != NULL)
    check_str (report, s, "parse", "from name", s->from_name, first != NULL ? first->name : NULL);
  check_date (report, s, "parse", date != NULL, date != NULL ? g_date_time_to_unix (date) : 0);
  check_str (report, s, "parse", "attachments", expected_names, names);
  check_contains (report, s, "parse", "body", lb_mime_message_get_text (mime));
  if (s->to != NULL)
    {
      g_autofree char *to = address_list (lb_mime_message_get_to (mime));

      check_str (report, s, "parse", "to", s->to, to);
    }
  check_str (report, s, "parse", "signed", s->is_signed ? "true" : "false",
             lb_mime_message_get_signed (mime) ? "true" : "false");

  reply = lb_compose_reply (mime, me, own, FALSE);
  check_contains (report, s, "reply", "quote", reply->body);
}

static void
test_parse (void)
{
  g_autoptr(GPtrArray) samples = corpus_load ();
  g_autoptr(GString) report = g_string_new (NULL);

  for (guint i = 0; i < samples->len; i++)
    {
      const Sample *s = g_ptr_array_index (samples, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(LbMimeMessage) mime = lb_mime_message_new_from_bytes (s->raw, &error);

      if (mime == NULL)
        {
          mismatch (report, s, "parse", "message", "a message", error != NULL ? error->message : NULL);
          continue;
        }
      check_parsed (report, s, mime);
    }
  if (report->len > 0)
    {
      g_printerr ("%s", report->str);
      g_test_fail_printf ("%u messages of the corpus, mismatches above", samples->len);
    }
}

/* The bytes as a client APPENDs them: CRLF line ends. */
static GBytes *
to_crlf (GBytes *raw)
{
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  GString *out = g_string_sized_new (len + len / 20);

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
        g_string_append_c (out, '\r');
      g_string_append_c (out, data[i]);
    }
  return g_string_free_to_bytes (out);
}

static int
run_cli (LbTestEnv          *env,
         const char * const *args,
         char              **out)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "C", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_ptr_array_add (argv, (gpointer) cli_path);
  g_ptr_array_add (argv, (gpointer) args[0]);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, env->profile);
  for (guint i = 1; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (proc) != 0)
    g_test_message ("letterbox-cli %s -> %d\n%s", args[0], g_subprocess_get_exit_status (proc), err);
  return g_subprocess_get_exit_status (proc);
}

/* `letterbox-cli show --json` of the stored message agrees with the expectation and with
 * what the engine parsed. */
static void
check_cli (GString       *report,
           LbTestEnv     *env,
           const Sample  *s,
           LbMessage     *m,
           LbMimeMessage *mime)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, lb_message_get_id (m));
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *expected_names = g_strjoinv (";", s->attachments);
  JsonObject *o, *from0 = NULL;
  JsonArray *from, *attachments;

  if (run_cli (env, (const char *[]) { "show", id, "--json", NULL }, &out) != 0
      || !json_parser_load_from_data (parser, out, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      mismatch (report, s, "cli", "output", "a JSON object", out);
      return;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  check_str (report, s, "cli", "subject", s->subject, json_object_get_string_member (o, "subject"));
  from = json_object_get_array_member (o, "from");
  if (json_array_get_length (from) > 0)
    from0 = json_array_get_object_element (from, 0);
  check_str (report, s, "cli", "from", s->from,
             from0 != NULL ? json_object_get_string_member (from0, "address") : NULL);
  check_date (report, s, "cli", !json_object_get_null_member (o, "date_unix"),
              json_object_get_null_member (o, "date_unix") ? 0 : json_object_get_int_member (o, "date_unix"));
  attachments = json_object_get_array_member (o, "attachments");
  for (guint i = 0; i < json_array_get_length (attachments); i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ";" : "",
                            json_object_get_string_member (json_array_get_object_element (attachments, i), "name"));
  check_str (report, s, "cli", "attachments", expected_names, names->str);
  check_str (report, s, "cli", "text", lb_mime_message_get_text (mime),
             json_object_get_string_member (o, "text"));
  if (s->to != NULL)
    {
      JsonArray *to = json_object_get_array_member (o, "to");
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (to); i++)
        g_string_append_printf (list, "%s%s", i > 0 ? ";" : "",
                                json_object_get_string_member (json_array_get_object_element (to, i), "address"));
      check_str (report, s, "cli", "to", s->to, list->str);
    }
  check_str (report, s, "cli", "signed", s->is_signed ? "true" : "false",
             json_object_get_boolean_member (o, "signed") ? "true" : "false");
}

/* The local search finds the message by its body line. */

static gboolean
list_loaded (gpointer list)
{
  return !lb_message_list_is_loading (list);
}

static gboolean
search_finds (LbEngine     *engine,
              const Sample *s,
              gint64        message_id)
{
  g_autofree char *query = strchr (s->body, '"') == NULL ? g_strdup_printf ("\"%s\"", s->body)
                                                         : g_strdup (s->body);
  g_autoptr(LbMessageList) list = lb_engine_search (engine, query, 0);

  g_assert_true (lb_test_wait_until (list_loaded, list, 60));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(LbMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (lb_message_get_id (m) == message_id)
        return TRUE;
    }
  return FALSE;
}

/* The list, search and the CLI, after a sync from the server. */
static void
check_synced (GString      *report,
              LbTestEnv    *env,
              gint64        inbox_id,
              const Sample *s)
{
  g_autoptr(LbMessage) before = lb_test_env_message_with_uid (env, inbox_id, s->uid);
  g_autoptr(LbMessage) m = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbMimeMessage) mime = NULL;
  g_autofree char *preview = NULL;
  const char *expected_sender = s->from_name != NULL ? s->from_name : s->from;

  /* Reading the message caches its body, which gives the list its preview. */
  lb_account_fetch_body_async (env->account, lb_message_get_id (before), NULL, lb_test_got_result,
                               &env->result);
  body = lb_account_fetch_body_finish (env->account, lb_test_env_wait (env), &error);
  g_assert_no_error (error);
  mime = lb_mime_message_new_from_bytes (body, NULL);
  g_assert_nonnull (mime);
  m = lb_test_env_message_with_uid (env, inbox_id, s->uid);

  check_str (report, s, "list", "subject", s->subject, lb_message_get_subject (m));
  check_str (report, s, "list", "from", s->from, lb_message_get_from_address (m));
  check_str (report, s, "list", "sender", expected_sender, lb_message_get_sender (m));
  check_date (report, s, "list", s->date != NULL, lb_message_get_date_unix (m));
  preview = lb_mime_message_dup_preview (mime, 200);
  check_str (report, s, "list", "preview", preview, lb_message_get_preview (m));
  check_str (report, s, "list", "attachment mark", s->attachments[0] != NULL ? "yes" : "no",
             lb_message_get_has_attachments (m) ? "yes" : "no");
  if (!search_finds (env->engine, s, lb_message_get_id (m)))
    mismatch (report, s, "search", "body line", s->body, "no match");
  check_cli (report, env, s, m, mime);
}

static void
test_dovecot (void)
{
  g_autoptr(GPtrArray) samples = corpus_load ();
  g_autoptr(GString) report = g_string_new (NULL);
  g_autoptr(LbImapSession) session = NULL;
  LbTestEnv env = { 0 };
  gint64 inbox_id;

  lb_test_env_start (&env, NULL);
  session = lb_test_env_server_session (&env);
  for (guint i = 0; i < samples->len; i++)
    {
      Sample *s = g_ptr_array_index (samples, i);
      g_autoptr(GBytes) crlf = to_crlf (s->raw);
      g_autoptr(GError) error = NULL;

      g_assert_true (lb_imap_session_append_sync (session, "INBOX", NULL, crlf, &s->uid, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (s->uid, >, 0);
    }
  lb_imap_session_logout (session);
  lb_test_env_sync_ok (&env);
  inbox_id = lb_folder_get_id (lb_test_env_folder (&env, LB_FOLDER_ROLE_INBOX));

  for (guint i = 0; i < samples->len; i++)
    check_synced (report, &env, inbox_id, g_ptr_array_index (samples, i));
  if (report->len > 0)
    {
      g_printerr ("%s", report->str);
      g_test_fail_printf ("%u messages of the corpus, mismatches above", samples->len);
    }
  lb_test_env_stop (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  cli_path = argv[1];
  g_test_add_func ("/corpus/parse", test_parse);
  g_test_add_func ("/corpus/dovecot", test_dovecot);
  return g_test_run ();
}
