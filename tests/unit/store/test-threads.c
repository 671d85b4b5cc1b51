/* test-threads.c: conversations: thread ids given at store time, checked against union-find
 *
 * A generated corpus of conversations (replies with full References, with In-Reply-To
 * only, with References that lack the middle, forwards, Chinese webmail replies without
 * any threading header, the user's own replies in Sent) is stored in a shuffled order, in
 * batches, so that parents often arrive after their children.  The grouping the store made
 * is compared with one computed here by another algorithm: union-find over the whole
 * corpus at once, with the same rules written as pairs (two messages are in one
 * conversation when they share a Message-ID; a reply without headers is with any message
 * of its base subject within the window; an original without headers only with such a
 * reply).  The same corpus is then threaded again by migration 015 on a store that has
 * none of it, and must come out the same.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "lb-store.h"
#include "lb-store-locations.h"
#include "lb-store-threads.h"
#include "lb-test-cli.h"
#include "lb-test-store.h"

static const char *cli_path;

#define DAY 86400
#define BASE_DATE 1760000000

typedef struct {
  char     *message_id;   /* with angle brackets, as a header has it */
  char     *in_reply_to;
  char     *references;
  char     *subject;
  gint64    date;
  gboolean  sent;         /* stored in Sent: the user's own reply */
  guint     flags;
  gboolean  attachment;
  char     *from;
} CorpusMessage;

static void
corpus_message_free (CorpusMessage *m)
{
  g_free (m->message_id);
  g_free (m->in_reply_to);
  g_free (m->references);
  g_free (m->subject);
  g_free (m->from);
  g_free (m);
}

typedef enum {
  STYLE_FULL,           /* In-Reply-To and the whole References chain */
  STYLE_IN_REPLY_TO,    /* In-Reply-To only */
  STYLE_SHORT_REFS,     /* References with the root and the parent only */
  STYLE_NO_HEADERS,     /* webmail: no threading headers at all, prefixed subjects */
  STYLE_MIXED,          /* some replies with headers, some without */
  N_STYLES
} Style;

static const char * const prefixes[] = {
  "Re: ", "RE: ", "回复：", "答复：", "Re：", "转发：", "Fwd: ", "AW: ", "Fw: ", "回复: ",
};

/* One conversation of @n messages, each replying to an earlier one. */
static void
add_conversation (GPtrArray *corpus,
                  GRand     *rand,
                  guint      t,
                  Style      style,
                  gint64     start)
{
  g_autofree char *subject = g_strdup_printf (t % 3 == 0 ? "第 %u 号项目的周报" : "Topic number %u", t);
  guint n = (guint) g_rand_int_range (rand, 1, 8);
  GPtrArray *members = g_ptr_array_new ();

  for (guint i = 0; i < n; i++)
    {
      CorpusMessage *m = g_new0 (CorpusMessage, 1);
      gboolean headers = style != STYLE_NO_HEADERS && !(style == STYLE_MIXED && i % 2 == 1);

      m->message_id = g_strdup_printf ("<t%u.m%u@corpus.example>", t, i);
      m->date = start + i * 3600 + g_rand_int_range (rand, 0, 3000);
      m->sent = i > 0 && g_rand_int_range (rand, 0, 4) == 0;
      m->flags = g_rand_int_range (rand, 0, 3) == 0 ? 0 : LB_FLAG_SEEN;
      m->attachment = g_rand_int_range (rand, 0, 6) == 0;
      m->from = m->sent ? g_strdup ("Me") : g_strdup_printf ("Person %u", g_rand_int_range (rand, 0, 5));
      if (i == 0)
        m->subject = g_strdup (subject);
      else
        {
          CorpusMessage *parent = g_ptr_array_index (members, g_rand_int_range (rand, 0, i));
          CorpusMessage *root = g_ptr_array_index (members, 0);

          m->subject = g_strconcat (prefixes[g_rand_int_range (rand, 0, G_N_ELEMENTS (prefixes))],
                                    subject, NULL);
          if (headers && style != STYLE_SHORT_REFS)
            m->in_reply_to = g_strdup (parent->message_id);
          if (headers && (style == STYLE_FULL || style == STYLE_MIXED))
            m->references = parent->references != NULL
                              ? g_strconcat (parent->references, " ", parent->message_id, NULL)
                              : g_strdup (parent->message_id);
          else if (headers && style == STYLE_SHORT_REFS)
            m->references = parent == root ? g_strdup (root->message_id)
                                           : g_strconcat (root->message_id, " ",
                                                          parent->message_id, NULL);
        }
      g_ptr_array_add (members, m);
      g_ptr_array_add (corpus, m);
    }
  g_ptr_array_unref (members);
}

/* Conversations of every style; base subjects are unique except for two cases made on
 * purpose: the same subject again a hundred days later (outside the window: another
 * conversation), and two originals without headers on one day (two conversations). */
static GPtrArray *
make_corpus (guint32 seed)
{
  GPtrArray *corpus = g_ptr_array_new_with_free_func ((GDestroyNotify) corpus_message_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint first_again;

  for (guint t = 0; t < 60; t++)
    add_conversation (corpus, rand, t, (Style) (t % N_STYLES), BASE_DATE + t * 2 * DAY);
  /* Topic 3 (no headers) again, far outside the window, with Message-IDs of its own. */
  first_again = corpus->len;
  add_conversation (corpus, rand, 3, STYLE_NO_HEADERS, BASE_DATE + 3 * 2 * DAY + 100 * DAY);
  for (guint i = first_again; i < corpus->len; i++)
    {
      CorpusMessage *m = g_ptr_array_index (corpus, i);

      g_free (m->message_id);
      m->message_id = g_strdup_printf ("<again.%u@corpus.example>", i);
    }
  for (guint k = 0; k < 2; k++)
    {
      CorpusMessage *m = g_new0 (CorpusMessage, 1);

      m->message_id = g_strdup_printf ("<meeting%u@corpus.example>", k);
      m->subject = g_strdup ("Meeting");
      m->date = BASE_DATE + 200 * DAY + k * 600;
      m->from = g_strdup ("Someone");
      g_ptr_array_add (corpus, m);
    }
  return corpus;
}

/* ---- The independent grouping ------------------------------------------------ */

static guint
uf_find (guint *parent,
         guint  i)
{
  while (parent[i] != i)
    {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
  return i;
}

static void
uf_union (guint *parent,
          guint  a,
          guint  b)
{
  a = uf_find (parent, a);
  b = uf_find (parent, b);
  if (a != b)
    parent[MAX (a, b)] = MIN (a, b);
}

static gboolean
names_id (const CorpusMessage *m,
          const char          *id)
{
  return g_strcmp0 (m->message_id, id) == 0
         || (m->in_reply_to != NULL && strstr (m->in_reply_to, id) != NULL)
         || (m->references != NULL && strstr (m->references, id) != NULL);
}

static guint *
expected_groups (GPtrArray *corpus)
{
  guint n = corpus->len;
  guint *parent = g_new (guint, n);

  for (guint i = 0; i < n; i++)
    parent[i] = i;
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++)
      {
        CorpusMessage *a = g_ptr_array_index (corpus, i);
        CorpusMessage *b = g_ptr_array_index (corpus, j);
        gboolean a_prefixed;
        g_autofree char *a_base = NULL;
        g_autofree char *b_base = NULL;
        gboolean a_bare = a->in_reply_to == NULL && a->references == NULL;

        if (i == j)
          continue;
        if (names_id (b, a->message_id))
          {
            uf_union (parent, i, j);
            continue;
          }
        a_base = lb_thread_base_subject (a->subject, &a_prefixed);
        b_base = lb_thread_base_subject (b->subject, NULL);
        if (strcmp (a_base, b_base) != 0 || ABS (a->date - b->date) > LB_THREAD_SUBJECT_WINDOW)
          continue;
        /* A header-less reply goes with any message of its subject; an original without
         * headers only with such a reply. */
        if (a_bare && a_prefixed)
          uf_union (parent, i, j);
      }
  return parent;
}

/* ---- Storing and comparing ------------------------------------------------------ */

typedef struct {
  char   *dir;
  char   *path;
  gint64  account;
  gint64  inbox;
  gint64  sent;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = NULL;
  g_autoptr(LbStoreAccount) a = lb_store_account_new ();
  const char *names[] = { "INBOX", "Sent" };
  LbFolderRole roles[] = { LB_FOLDER_ROLE_INBOX, LB_FOLDER_ROLE_SENT };
  gint64 *ids[] = { &fx->inbox, &fx->sent };

  fx->dir = g_dir_make_tmp ("lb-threads-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "letterbox.db", NULL);
  store = lb_store_open (fx->path, LB_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  a->email = g_strdup ("me@example.com");
  a->imap_host = g_strdup ("imap.example.com");
  a->imap_port = 993;
  a->username = g_strdup ("me@example.com");
  g_assert_true (lb_store_add_account (store, a, &error));
  fx->account = a->id;
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(LbStoreFolder) f = lb_store_folder_new ();

      f->account_id = a->id;
      f->raw_name = g_strdup (names[i]);
      f->display_name = g_strdup (names[i]);
      f->role = roles[i];
      *ids[i] = lb_store_upsert_folder (store, f, &error);
      g_assert_no_error (error);
    }
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (fx->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (fx->path, "-shm", NULL);

  g_remove (fx->path);
  g_remove (wal);
  g_remove (shm);
  g_rmdir (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
}

static LbStoreFetched *
fetched_from (const CorpusMessage *m,
              guint32              uid)
{
  LbStoreFetched *f = lb_store_fetched_new ();

  f->uid = uid;
  f->flags = m->flags | (m->sent ? LB_FLAG_SEEN : 0);
  f->internaldate = m->date;
  /* The sync keeps Message-ID and In-Reply-To without brackets (strip_angles()). */
  f->message.message_id = g_strndup (m->message_id + 1, strlen (m->message_id) - 2);
  f->message.in_reply_to = m->in_reply_to != NULL
                             ? g_strndup (m->in_reply_to + 1, strlen (m->in_reply_to) - 2) : NULL;
  f->message.references = g_strdup (m->references);
  f->message.subject = g_strdup (m->subject);
  f->message.date = m->date;
  f->message.size = 100;
  f->message.from_name = g_strdup (m->from);
  f->message.from_address = g_strdup ("someone@example.com");
  f->message.preview = g_strdup_printf ("Text of %s", m->message_id);
  f->message.has_attachments = m->attachment;
  return f;
}

/* Stores the corpus in a shuffled order, in batches of 1 to 20, each message in its
 * folder (INBOX, or Sent for the user's own). */
static void
store_shuffled (Fixture   *fx,
                LbStore   *store,
                GPtrArray *corpus,
                guint32    seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint *order = g_new (guint, corpus->len);
  guint i = 0;

  for (guint k = 0; k < corpus->len; k++)
    order[k] = k;
  for (guint k = corpus->len - 1; k > 0; k--)
    {
      guint r = (guint) g_rand_int_range (rand, 0, (gint32) k + 1);
      guint tmp = order[k];

      order[k] = order[r];
      order[r] = tmp;
    }
  while (i < corpus->len)
    {
      guint n = (guint) g_rand_int_range (rand, 1, 21);
      g_autoptr(GPtrArray) inbox = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
      g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
      g_autoptr(GError) error = NULL;

      for (; n > 0 && i < corpus->len; n--, i++)
        {
          CorpusMessage *m = g_ptr_array_index (corpus, order[i]);

          g_ptr_array_add (m->sent ? sent : inbox, fetched_from (m, order[i] + 1));
        }
      g_assert_true (lb_store_insert_messages (store, fx->inbox, inbox, &error));
      g_assert_no_error (error);
      g_assert_true (lb_store_insert_messages (store, fx->sent, sent, &error));
      g_assert_no_error (error);
    }
}

/* The store's thread id of each corpus message, by position in @corpus. */
static gint64 *
stored_threads (const char *path,
                GPtrArray  *corpus)
{
  gint64 *threads = g_new0 (gint64, corpus->len);

  for (guint i = 0; i < corpus->len; i++)
    {
      CorpusMessage *m = g_ptr_array_index (corpus, i);
      g_autofree char *id = g_strndup (m->message_id + 1, strlen (m->message_id) - 2);
      g_autofree char *sql = g_strdup_printf ("SELECT thread_id FROM messages WHERE message_id = '%s'",
                                              id);

      threads[i] = lb_test_store_query_int (path, sql);
      g_assert_cmpint (threads[i], >, 0);
    }
  return threads;
}

/* The two groupings are the same partition: same group exactly when same thread. */
static void
assert_same_grouping (GPtrArray *corpus,
                      guint     *expected,
                      gint64    *threads)
{
  guint n_groups = 0;

  for (guint i = 0; i < corpus->len; i++)
    {
      if (uf_find (expected, i) == i)
        n_groups++;
      for (guint j = i + 1; j < corpus->len; j++)
        {
          gboolean want = uf_find (expected, i) == uf_find (expected, j);
          gboolean got = threads[i] == threads[j];

          if (want != got)
            g_error ("%s and %s: expected %s, the store has %s",
                     ((CorpusMessage *) g_ptr_array_index (corpus, i))->message_id,
                     ((CorpusMessage *) g_ptr_array_index (corpus, j))->message_id,
                     want ? "one conversation" : "two", got ? "one" : "two");
        }
    }
  /* 60 topics, the repeated one and two meetings: the corpus is not all one lump. */
  g_assert_cmpuint (n_groups, ==, 63);
}

static void
test_corpus (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = lb_store_open (fx->path, LB_STORE_OPEN_DEFAULT, &error);
  g_autoptr(GPtrArray) corpus = make_corpus (15);
  g_autofree guint *expected = expected_groups (corpus);
  g_autofree gint64 *threads = NULL;

  g_assert_no_error (error);
  for (guint32 seed = 1; seed <= 3; seed++)
    {
      if (seed > 1)
        {
          /* Start again from an empty account, in another order. */
          lb_test_store_exec (fx->path, "DELETE FROM locations; DELETE FROM message_text; "
                                      "DELETE FROM messages; DELETE FROM thread_refs;");
          g_clear_object (&store);
          store = lb_store_open (fx->path, LB_STORE_OPEN_DEFAULT, &error);
          g_assert_no_error (error);
        }
      store_shuffled (fx, store, corpus, seed);
      g_clear_pointer (&threads, g_free);
      threads = stored_threads (fx->path, corpus);
      assert_same_grouping (corpus, expected, threads);
    }
}

/* Migration 015 on a store whose messages have no thread ids yet groups them the same. */
static void
test_migration (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = lb_store_open (fx->path, LB_STORE_OPEN_DEFAULT, &error);
  g_autoptr(GPtrArray) corpus = make_corpus (16);
  g_autofree guint *expected = expected_groups (corpus);
  g_autofree gint64 *threads = NULL;

  store_shuffled (fx, store, corpus, 7);
  g_clear_object (&store);
  lb_test_store_exec (fx->path,
                      "DROP INDEX locations_folder_date; "
                      "CREATE INDEX locations_folder_date ON locations (folder_id, date); "
                      "DROP INDEX locations_unified_date; CREATE INDEX locations_unified_date "
                      "ON locations (unified, date) WHERE unified = 1; "
                      "DROP TRIGGER messages_thread_changed; DROP TRIGGER accounts_thread_refs_deleted; "
                      "DROP TABLE thread_refs; DROP INDEX messages_thread_id; "
                      "ALTER TABLE messages DROP COLUMN thread_id; "
                      "ALTER TABLE locations DROP COLUMN thread_id; "
                      /* Migration 018 comes after and runs again too. */
                      "DROP TRIGGER folders_counts_ai; DROP TRIGGER locations_counts_ai; "
                      "DROP TRIGGER locations_counts_ad; DROP TRIGGER locations_counts_au; "
                      "DROP TABLE folder_counts; PRAGMA user_version = 14;");
  store = lb_store_open (fx->path, LB_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lb_store_get_schema_version (store), ==, lb_store_get_latest_schema_version ());
  threads = stored_threads (fx->path, corpus);
  assert_same_grouping (corpus, expected, threads);
  /* The locations got the copy the conversation list reads. */
  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(*) FROM locations l "
                                            "JOIN messages m ON m.id = l.message_id "
                                            "WHERE l.thread_id <> m.thread_id"), ==, 0);
}

/* The conversation list of the inbox: one row per conversation, at its newest message
 * there; the conversation counts the user's replies in Sent and marks what any has. */
static void
test_list (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = lb_store_open (fx->path, LB_STORE_OPEN_DEFAULT, &error);
  g_autoptr(GPtrArray) corpus = make_corpus (17);
  g_autofree guint *expected = expected_groups (corpus);
  g_autofree gint64 *threads = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GHashTable) in_inbox = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint checked = 0;

  store_shuffled (fx, store, corpus, 3);
  threads = stored_threads (fx->path, corpus);
  for (guint i = 0; i < corpus->len; i++)
    if (!((CorpusMessage *) g_ptr_array_index (corpus, i))->sent)
      g_hash_table_add (in_inbox, &threads[i]);

  ids = lb_store_list_thread_location_ids (store, fx->inbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, g_hash_table_size (in_inbox));

  for (guint r = 0; r < ids->len; r++)
    {
      g_autoptr(GPtrArray) rows = lb_store_get_rows_by_location (store, &g_array_index (ids, gint64, r), 1, &error);
      LbStoreListRow *row = g_ptr_array_index (rows, 0);
      g_autoptr(GPtrArray) members = lb_store_list_thread (store, row->thread_id, fx->inbox, &error);
      LbStoreThreadSummary summary;
      guint count = 0, unread = 0;
      gboolean attachment = FALSE;
      gint64 newest = 0;

      g_assert_no_error (error);
      lb_store_thread_summarize (members, &summary);
      for (guint i = 0; i < corpus->len; i++)
        {
          CorpusMessage *m = g_ptr_array_index (corpus, i);

          if (threads[i] != row->thread_id)
            continue;
          count++;
          unread += !(m->flags & LB_FLAG_SEEN) && !m->sent;
          attachment |= m->attachment;
          if (!m->sent)
            newest = MAX (newest, m->date);
        }
      /* The row is the newest message of the conversation in the inbox. */
      g_assert_cmpint (row->date, ==, newest);
      g_assert_cmpuint (summary.count, ==, count);
      g_assert_cmpuint (summary.unread, ==, unread);
      g_assert_cmpint (summary.has_attachments, ==, attachment);
      if (count > 1)
        checked++;
      lb_store_thread_summary_clear (&summary);
    }
  g_assert_cmpuint (checked, >, 20);
}

/* Another account holding the same mail has its own conversations. */
static void
test_accounts_apart (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = lb_store_open (fx->path, LB_STORE_OPEN_DEFAULT, &error);
  g_autoptr(LbStoreAccount) a = lb_store_account_new ();
  g_autoptr(LbStoreFolder) f = lb_store_folder_new ();
  g_autoptr(GPtrArray) b1 = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
  g_autoptr(GPtrArray) b2 = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
  CorpusMessage m = { "<x@example.com>", NULL, NULL, "Hello", BASE_DATE, FALSE, 0, FALSE, "X" };
  CorpusMessage reply = { "<y@example.com>", "<x@example.com>", "<x@example.com>", "Re: Hello",
                          BASE_DATE + 60, FALSE, 0, FALSE, "Y" };
  gint64 other_inbox;
  g_autoptr(GArray) unified = NULL;

  a->email = g_strdup ("other@example.com");
  a->imap_host = g_strdup ("imap.example.com");
  a->username = g_strdup ("other@example.com");
  g_assert_true (lb_store_add_account (store, a, &error));
  f->account_id = a->id;
  f->raw_name = g_strdup ("INBOX");
  f->display_name = g_strdup ("INBOX");
  f->role = LB_FOLDER_ROLE_INBOX;
  other_inbox = lb_store_upsert_folder (store, f, &error);
  g_assert_no_error (error);

  g_ptr_array_add (b1, fetched_from (&m, 1));
  g_ptr_array_add (b1, fetched_from (&reply, 2));
  g_ptr_array_add (b2, fetched_from (&reply, 1));
  g_ptr_array_add (b2, fetched_from (&m, 2));
  g_assert_true (lb_store_insert_messages (store, fx->inbox, b1, &error));
  g_assert_true (lb_store_insert_messages (store, other_inbox, b2, &error));
  g_assert_no_error (error);

  g_assert_cmpint (lb_test_store_query_int (fx->path, "SELECT count(DISTINCT thread_id) FROM messages"), ==, 2);
  unified = lb_store_list_thread_location_ids (store, LB_STORE_UNIFIED_INBOX, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unified->len, ==, 2);
}

/* `letterbox-cli list INBOX --threads`, as JSON and as text: a conversation of an
 * original, a webmail reply without headers and the user's reply from Sent, and a
 * message on its own. */
static void
test_cli (Fixture       *fx,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = lb_store_open (fx->path, LB_STORE_OPEN_DEFAULT, &error);
  g_autoptr(GPtrArray) inbox = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
  CorpusMessage plan = { "<plan@example.com>", NULL, NULL, "项目计划", BASE_DATE, FALSE, 0, FALSE, "张伟" };
  CorpusMessage webmail = { "<web@example.com>", NULL, NULL, "回复：项目计划", BASE_DATE + 600, FALSE,
                            LB_FLAG_SEEN, FALSE, "李娜" };
  CorpusMessage mine = { "<mine@example.com>", "<web@example.com>", "<web@example.com>",
                         "Re: 回复：项目计划", BASE_DATE + 900, TRUE, LB_FLAG_SEEN, FALSE, "Me" };
  CorpusMessage lunch = { "<lunch@example.com>", NULL, NULL, "Lunch", BASE_DATE + 300, FALSE, 0, FALSE, "Bob" };
  const char *json_args[] = { "list", "INBOX", "--threads", "--json", NULL };
  const char *text_args[] = { "list", "INBOX", "--threads", NULL };
  const char *data_dir[] = { "--data-dir", fx->dir, NULL };
  LbTestCliRun run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *want_ids = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *threads;
  JsonObject *t;
  JsonArray *ids;

  g_ptr_array_add (inbox, fetched_from (&plan, 1));
  g_ptr_array_add (inbox, fetched_from (&webmail, 2));
  g_ptr_array_add (inbox, fetched_from (&lunch, 3));
  g_ptr_array_add (sent, fetched_from (&mine, 1));
  /* The reply from Sent is stored first: its thread is found when the others come. */
  g_assert_true (lb_store_insert_messages (store, fx->sent, sent, &error));
  g_assert_true (lb_store_insert_messages (store, fx->inbox, inbox, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  lb_test_cli_run (&run, cli_path, NULL, NULL, json_args, data_dir);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, &error));
  g_assert_no_error (error);
  threads = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (threads), ==, 2);
  /* Newest first: the plan's conversation, then lunch. */
  t = json_array_get_object_element (threads, 0);
  g_assert_cmpint (json_object_get_int_member (t, "count"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (t, "subject"), ==, "Re: 回复：项目计划");
  g_assert_cmpstr (json_object_get_string_member (t, "participants"), ==, "张伟, 李娜, Me");
  g_assert_cmpint (json_object_get_int_member (t, "unread"), ==, 1);
  ids = json_object_get_array_member (t, "message_ids");
  g_assert_cmpuint (json_array_get_length (ids), ==, 3);
  g_assert_cmpint (json_array_get_int_element (ids, 0), ==, ((LbStoreFetched *) g_ptr_array_index (inbox, 0))->message.id);
  g_assert_cmpint (json_array_get_int_element (ids, 1), ==, ((LbStoreFetched *) g_ptr_array_index (inbox, 1))->message.id);
  g_assert_cmpint (json_array_get_int_element (ids, 2), ==, ((LbStoreFetched *) g_ptr_array_index (sent, 0))->message.id);
  g_assert_cmpint (json_object_get_int_member (t, "id"), ==, json_array_get_int_element (ids, 0) < json_array_get_int_element (ids, 2) ? json_array_get_int_element (ids, 0) : json_array_get_int_element (ids, 2));
  t = json_array_get_object_element (threads, 1);
  g_assert_cmpint (json_object_get_int_member (t, "count"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (t, "subject"), ==, "Lunch");

  /* The text form: id, count, message ids, participants, subject; a tab between. */
  lb_test_cli_run (&run, cli_path, NULL, NULL, text_args, data_dir);
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (g_strchomp (run.out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  want_ids = g_strdup_printf ("\t3\t%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                              "\t张伟, 李娜, Me\tRe: 回复：项目计划",
                              ((LbStoreFetched *) g_ptr_array_index (inbox, 0))->message.id,
                              ((LbStoreFetched *) g_ptr_array_index (inbox, 1))->message.id,
                              ((LbStoreFetched *) g_ptr_array_index (sent, 0))->message.id);
  g_assert_true (g_str_has_suffix (lines[0], want_ids));
  g_assert_true (g_str_has_suffix (lines[1], "\tBob\tLunch"));
  lb_test_cli_run_clear (&run);
}

static void
test_base_subject (void)
{
  struct { const char *subject; const char *base; gboolean prefixed; } cases[] = {
    { "Hello", "hello", FALSE },
    { "Re: Hello", "hello", TRUE },
    { "RE: re: Fwd: Hello", "hello", TRUE },
    { "回复：答复：转发：周报", "周报", TRUE },
    { "回复:  周报", "周报", TRUE },
    { "Re：周报", "周报", TRUE },
    { "AW: Fw: Re[2]: Meeting   at  noon", "meeting at noon", TRUE },
    { "Fwd:周报", "周报", TRUE },
    { "Regarding the plan", "regarding the plan", FALSE },
    { "Re:", "", TRUE },
    { NULL, "", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean prefixed = !cases[i].prefixed;
      g_autofree char *base = lb_thread_base_subject (cases[i].subject, &prefixed);

      g_assert_cmpstr (base, ==, cases[i].base);
      g_assert_cmpint (prefixed, ==, cases[i].prefixed);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  cli_path = argc > 1 ? argv[1] : NULL;

  g_test_add_func ("/threads/base-subject", test_base_subject);
  g_test_add ("/threads/corpus", Fixture, NULL, fixture_setup, test_corpus, fixture_teardown);
  g_test_add ("/threads/migration", Fixture, NULL, fixture_setup, test_migration, fixture_teardown);
  g_test_add ("/threads/list", Fixture, NULL, fixture_setup, test_list, fixture_teardown);
  g_test_add ("/threads/accounts-apart", Fixture, NULL, fixture_setup, test_accounts_apart,
              fixture_teardown);
  if (cli_path != NULL)
    g_test_add ("/threads/cli", Fixture, NULL, fixture_setup, test_cli, fixture_teardown);
  return g_test_run ();
}
