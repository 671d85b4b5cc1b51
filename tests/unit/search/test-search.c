/* test-search.c: local search over a store filled with a small corpus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <json-glib/json-glib.h>

#include "lb-test-cli.h"
#include "lb-test-store.h"

#include "lb-search.h"
#include "lb-store-locations.h"
#include "lb-store-private.h"

typedef struct {
  char    *dir;
  char    *path;
  LbStore *store;
  gint64   inbox_a;
  gint64   archive_a;
  gint64   inbox_b;
  gint64   words;
} Fixture;

typedef struct {
  guint32     uid;
  const char *subject;
  const char *from_name;
  const char *from_address;
  const char *to;
  const char *body;     /* NULL: not fetched yet */
  const char *date;     /* YYYY-MM-DD, local noon */
  guint       flags;
  gboolean    attachments;
} Mail;

/* Newest first within each folder is by date; every subject is unique so
 * that results can be compared as lists of subjects. */
static const Mail inbox_a_mail[] = {
  { 1, "季度会议纪要", "张三", "zhang@example.cn", "Alice <alice@example.com>",
    "请查收本周的会议纪要，附件是发票。", "2024-03-01", 0, FALSE },
  { 2, "Invoice for March", "Billing", "billing@shop.com", "alice@example.com",
    "Your invoice 发票 is attached. Total 1,200 RMB. 100% paid_in_full", "2024-03-02",
    LB_FLAG_SEEN, TRUE },
  { 3, "退订通知", "Newsletter", "news@example.org", "alice@example.com",
    NULL, "2024-03-03", LB_FLAG_SEEN, FALSE },
};
static const Mail archive_a_mail[] = {
  { 1, "午饭", "王五", "wangwu@example.cn", "alice@example.com",
    "今天中午一起吃饭吗", "2024-02-01", LB_FLAG_SEEN, FALSE },
};
static const Mail inbox_b_mail[] = {
  { 1, "Project Report 项目报告", "Li Si", "lisi@example.cn", "Alice Wang <alice@example.net>",
    "The quarterly report is ready. 项目进度正常，下周开会。", "2024-03-04", LB_FLAG_FLAGGED, FALSE },
  { 2, "Re: meeting notes", "Bob", "bob@example.com", "alice@example.net",
    "Meeting moved to 3pm. 会议改到下午三点。", "2024-03-06", 0, FALSE },
};

/* The word rules (store/lb-store-words.c), in a folder of their own that no other test
 * searches. */
static const Mail words_mail[] = {
  { 1, "Café au lait", "Zoë", "zoe@example.fr", "alice@example.com",
    "Other things about them.", "2024-04-01", 0, FALSE },
  { 2, "The plan", "Hans", "hans@example.de", "alice@example.com",
    "Die Straße ist naïve. 北京市的会议中心在这里", "2024-04-02", 0, FALSE },
  { 3, "ÉTÉ report", "Ann", "ann@example.com", "alice@example.com",
    "invoice-2024 draft", "2024-04-03", 0, FALSE },
};

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        rm_rf (child);
      }
  g_remove (path);
}

static gint64
add_account (LbStore    *store,
             const char *email)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStoreAccount) a = lb_store_account_new ();

  a->email = g_strdup (email);
  a->imap_host = g_strdup ("imap.example.com");
  a->imap_port = 993;
  a->imap_security = LB_SECURITY_TLS;
  a->username = g_strdup (email);
  g_assert_true (lb_store_add_account (store, a, &error));
  g_assert_no_error (error);
  return a->id;
}

static gint64
add_folder (LbStore      *store,
            gint64        account_id,
            const char   *name,
            LbFolderRole  role)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStoreFolder) f = lb_store_folder_new ();
  gint64 id;

  f->account_id = account_id;
  f->raw_name = g_strdup (name);
  f->display_name = g_strdup (name);
  f->delimiter = g_strdup ("/");
  f->role = role;
  id = lb_store_upsert_folder (store, f, &error);
  g_assert_no_error (error);
  return id;
}

static gint64
date_of (const char *text)
{
  int y, m, d;
  g_autoptr(GDateTime) dt = NULL;

  g_assert_cmpint (sscanf (text, "%d-%d-%d", &y, &m, &d), ==, 3);
  dt = g_date_time_new_local (y, m, d, 12, 0, 0);
  return g_date_time_to_unix (dt);
}

static void
insert_mail (LbStore    *store,
             gint64      folder_id,
             const Mail *mail)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
  LbStoreFetched *f = lb_store_fetched_new ();

  f->uid = mail->uid;
  f->flags = mail->flags;
  f->message.message_id = g_strdup_printf ("%s@test", mail->subject);
  f->message.date = date_of (mail->date);
  f->message.subject = g_strdup (mail->subject);
  f->message.from_name = g_strdup (mail->from_name);
  f->message.from_address = g_strdup (mail->from_address);
  f->message.to = g_strdup (mail->to);
  f->message.has_attachments = mail->attachments;
  g_ptr_array_add (batch, f);
  g_assert_true (lb_store_insert_messages (store, folder_id, batch, &error));
  g_assert_no_error (error);
  if (mail->body != NULL)
    {
      g_assert_true (lb_store_set_body_text (store, f->message.id, mail->body, &error));
      g_assert_no_error (error);
    }
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 a, b;

  fx->dir = g_dir_make_tmp ("lb-search-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "letterbox.db", NULL);
  fx->store = lb_store_open (fx->path, LB_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  a = add_account (fx->store, "alice@example.com");
  b = add_account (fx->store, "alice@example.net");
  fx->inbox_a = add_folder (fx->store, a, "INBOX", LB_FOLDER_ROLE_INBOX);
  fx->archive_a = add_folder (fx->store, a, "Archive", LB_FOLDER_ROLE_ARCHIVE);
  fx->inbox_b = add_folder (fx->store, b, "INBOX", LB_FOLDER_ROLE_INBOX);
  fx->words = add_folder (fx->store, a, "Words", LB_FOLDER_ROLE_NONE);
  for (guint i = 0; i < G_N_ELEMENTS (words_mail); i++)
    insert_mail (fx->store, fx->words, &words_mail[i]);
  for (guint i = 0; i < G_N_ELEMENTS (inbox_a_mail); i++)
    insert_mail (fx->store, fx->inbox_a, &inbox_a_mail[i]);
  for (guint i = 0; i < G_N_ELEMENTS (archive_a_mail); i++)
    insert_mail (fx->store, fx->archive_a, &archive_a_mail[i]);
  for (guint i = 0; i < G_N_ELEMENTS (inbox_b_mail); i++)
    insert_mail (fx->store, fx->inbox_b, &inbox_b_mail[i]);

  /* Every test runs twice: with the text still queued for indexing, when search
   * checks the text itself, and with the index built, when it trusts the index. */
  if (GPOINTER_TO_INT (data))
    {
      guint indexed = 0;

      g_assert_true (lb_store_index_pending (fx->store, 1000, &indexed, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (indexed, ==, G_N_ELEMENTS (inbox_a_mail) + G_N_ELEMENTS (archive_a_mail) +
                                     G_N_ELEMENTS (inbox_b_mail) + G_N_ELEMENTS (words_mail));
    }
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->store);
  rm_rf (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
}

/* Runs a search and returns the subjects of the results, in order, joined
 * with "|", so that a failure shows what was found. */
static char *
search (Fixture    *fx,
        const char *query,
        gint64      folder_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = lb_search_location_ids (fx->store, query, folder_id, &error);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (ids);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(LbStmt) stmt = lb_store_prepare (fx->store,
                                                 "SELECT m.subject FROM locations l JOIN messages m "
                                                 "ON m.id = l.message_id WHERE l.id = ?1", NULL);

      sqlite3_bind_int64 (stmt, 1, g_array_index (ids, gint64, i));
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append (out, (const char *) sqlite3_column_text (stmt, 0));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define assert_search(fx, query, folder, expected) \
  G_STMT_START { \
    g_autofree char *_got = search ((fx), (query), (folder)); \
    if (g_strcmp0 (_got, (expected)) != 0) \
      g_error ("search «%s»: expected «%s», got «%s»", (query), (expected), _got); \
  } G_STMT_END

static void
test_chinese (Fixture       *fx,
              gconstpointer  data)
{
  /* One character; newest first across both accounts' inboxes. */
  assert_search (fx, "会", 0, "Re: meeting notes|Project Report 项目报告|季度会议纪要");
  /* Two characters, and 开会 is not 会议. */
  assert_search (fx, "会议", 0, "Re: meeting notes|季度会议纪要");
  assert_search (fx, "发票", 0, "Invoice for March|季度会议纪要");
  /* The end of a text, where no trigram starts: 通知 and 知 are only the end of the
   * subject 退订通知 (a message without a body). */
  assert_search (fx, "通知", 0, "退订通知");
  assert_search (fx, "知", 0, "退订通知");
  assert_search (fx, "饭", fx->archive_a, "午饭");
  /* Three and six characters go through the trigram index. */
  assert_search (fx, "会议纪", 0, "季度会议纪要");
  assert_search (fx, "季度会议纪要", 0, "季度会议纪要");
  assert_search (fx, "项目进度正常", 0, "Project Report 项目报告");
  /* Trigrams all present but not in this order: the text check refuses it. */
  assert_search (fx, "纪要会议", 0, "");
  assert_search (fx, "不存在的词", 0, "");
}

static void
test_english (Fixture       *fx,
              gconstpointer  data)
{
  assert_search (fx, "invoice", 0, "Invoice for March");
  assert_search (fx, "INVOICE", 0, "Invoice for March");
  assert_search (fx, "meeting", 0, "Re: meeting notes");
  assert_search (fx, "\"quarterly report\"", 0, "Project Report 项目报告");
  assert_search (fx, "report quarterly", 0, "Project Report 项目报告");
  assert_search (fx, "\"report quarterly\"", 0, "");
  /* Two letters, in any case. */
  assert_search (fx, "3p", 0, "Re: meeting notes");
  assert_search (fx, "3P", 0, "Re: meeting notes");
  assert_search (fx, "Bo", 0, "Re: meeting notes");
  /* LIKE wildcards in the query are literal characters. */
  assert_search (fx, "100%", 0, "Invoice for March");
  assert_search (fx, "paid_in", 0, "Invoice for March");
  assert_search (fx, "1%0", 0, "");
  assert_search (fx, "a_d", 0, "");
  /* The address and the display name are both the sender. */
  assert_search (fx, "shop.com", 0, "Invoice for March");
}

static void
test_mixed (Fixture       *fx,
            gconstpointer  data)
{
  assert_search (fx, "meeting 会议", 0, "Re: meeting notes");
  assert_search (fx, "report 项目", 0, "Project Report 项目报告");
  assert_search (fx, "invoice 会议", 0, "");
  assert_search (fx, "Meeting moved 下午", 0, "Re: meeting notes");
}

static void
test_operators (Fixture       *fx,
                gconstpointer  data)
{
  assert_search (fx, "from:张三", 0, "季度会议纪要");
  assert_search (fx, "发件人:张三", 0, "季度会议纪要");
  assert_search (fx, "from:billing@shop", 0, "Invoice for March");
  /* 张三 is not in the subject, only the sender. */
  assert_search (fx, "subject:张三", 0, "");
  assert_search (fx, "subject:invoice", 0, "Invoice for March");
  assert_search (fx, "主题：会议", 0, "季度会议纪要");
  assert_search (fx, "to:\"Alice Wang\"", 0, "Project Report 项目报告");
  assert_search (fx, "收件人:alice@example.net", 0, "Re: meeting notes|Project Report 项目报告");
  assert_search (fx, "has:attachment", 0, "Invoice for March");
  assert_search (fx, "-has:attachment 发票", 0, "季度会议纪要");
  assert_search (fx, "is:unread", 0, "Re: meeting notes|Project Report 项目报告|季度会议纪要");
  assert_search (fx, "is:read", 0, "退订通知|Invoice for March");
  assert_search (fx, "is:flagged", 0, "Project Report 项目报告");
  assert_search (fx, "is:unread 会议", 0, "Re: meeting notes|季度会议纪要");
  assert_search (fx, "after:2024-03-04", 0, "Re: meeting notes|Project Report 项目报告");
  assert_search (fx, "before:2024/3/2", 0, "季度会议纪要");
  assert_search (fx, "after:2024-03-02 before:2024-03-04", 0, "退订通知|Invoice for March");
  assert_search (fx, "-发票 会", 0, "Re: meeting notes|Project Report 项目报告");
  /* A message without a body yet is not excluded by a negated body word. */
  assert_search (fx, "-invoice is:read", 0, "退订通知");
  assert_search (fx, "", fx->inbox_a, "退订通知|Invoice for March|季度会议纪要");
}

static void
test_scope (Fixture       *fx,
            gconstpointer  data)
{
  assert_search (fx, "午饭", 0, "");
  assert_search (fx, "午饭", fx->archive_a, "午饭");
  assert_search (fx, "一起吃饭", fx->archive_a, "午饭");
  assert_search (fx, "会议", fx->inbox_b, "Re: meeting notes");
  assert_search (fx, "会议", fx->inbox_a, "季度会议纪要");
}

static void
test_delete_and_move (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint32 uid = 1;
  Mail moved = inbox_a_mail[1];

  /* Deleting 季度会议纪要 (uid 1 in inbox A) drops it from every result. */
  g_assert_true (lb_store_remove_uids (fx->store, fx->inbox_a, &uid, 1, &error));
  g_assert_no_error (error);
  assert_search (fx, "会议", 0, "Re: meeting notes");
  assert_search (fx, "季度会议纪要", 0, "");
  assert_search (fx, "from:张三", 0, "");

  /* Moving the invoice to the archive: it arrives there, then leaves the inbox. */
  moved.uid = 7;
  insert_mail (fx->store, fx->archive_a, &moved);
  uid = 2;
  g_assert_true (lb_store_remove_uids (fx->store, fx->inbox_a, &uid, 1, &error));
  g_assert_no_error (error);
  assert_search (fx, "invoice", 0, "");
  assert_search (fx, "invoice", fx->inbox_a, "");
  assert_search (fx, "invoice 发票", fx->archive_a, "Invoice for March");
}

static void
test_restart (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) ro = NULL;
  g_autoptr(GArray) ids = NULL;

  /* The index lives in the file: a read-only store opened later finds it. */
  g_clear_object (&fx->store);
  ro = lb_store_open (fx->path, LB_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  ids = lb_search_location_ids (ro, "季度会议纪要", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
}

static void
test_words (Fixture       *fx,
            gconstpointer  data)
{
  gint64 w = fx->words;

  /* Words, and words that start with the term, never text inside a word: "the" finds
   * "The" and "them", not "Other". */
  assert_search (fx, "the", w, "The plan|Café au lait");
  assert_search (fx, "her", w, "");
  assert_search (fx, "ther", w, "");
  assert_search (fx, "other", w, "Café au lait");
  /* Case and accents, either way round. */
  assert_search (fx, "cafe", w, "Café au lait");
  assert_search (fx, "CAFÉ", w, "Café au lait");
  assert_search (fx, "zoe", w, "Café au lait");
  assert_search (fx, "été", w, "ÉTÉ report");
  assert_search (fx, "ete", w, "ÉTÉ report");
  assert_search (fx, "NAIVE", w, "The plan");
  /* A prefix of a word, not its middle or its end. */
  assert_search (fx, "invo", w, "ÉTÉ report");
  assert_search (fx, "invoic", w, "ÉTÉ report");
  assert_search (fx, "repo", w, "ÉTÉ report");
  assert_search (fx, "reports", w, "");
  assert_search (fx, "nvoice", w, "");
  assert_search (fx, "invoice-2024", w, "ÉTÉ report");
  /* A prefix longer than 4 letters is read through the token of its first 4 and then
   * checked in the text: a word that only shares those 4 is not found, and a field's
   * prefix only in that field. */
  assert_search (fx, "invok", w, "");
  assert_search (fx, "invoicing", w, "");
  assert_search (fx, "straße", w, "The plan");
  assert_search (fx, "strasse", w, "");
  assert_search (fx, "subject:repor", w, "ÉTÉ report");
  assert_search (fx, "subject:invoic", w, "");
  assert_search (fx, "from:straße", w, "");
  /* Chinese of one and two characters inside a longer run, and longer words in order. */
  assert_search (fx, "京市", w, "The plan");
  assert_search (fx, "市", w, "The plan");
  assert_search (fx, "会议中心", w, "The plan");
  assert_search (fx, "中会", w, "");
  /* Phrases in order. */
  assert_search (fx, "\"au lait\"", w, "Café au lait");
  assert_search (fx, "\"lait au\"", w, "");
  assert_search (fx, "\"things about\"", w, "Café au lait");
  /* Newest first over the folder. */
  assert_search (fx, "alice", w, "ÉTÉ report|The plan|Café au lait");
}

static void
test_more_operators (Fixture       *fx,
                     gconstpointer  data)
{
  /* cc: looks in the recipients (To and Cc are one text in the store). */
  assert_search (fx, "cc:alice@example.net", 0, "Re: meeting notes|Project Report 项目报告");
  /* in: names a folder of any account, whatever the scope. */
  assert_search (fx, "in:archive", 0, "午饭");
  assert_search (fx, "in:Archive 饭", fx->inbox_a, "午饭");
  assert_search (fx, "in:INBOX from:bob", 0, "Re: meeting notes");
  assert_search (fx, "in:Words plan", 0, "The plan");
  assert_search (fx, "in:nowhere", 0, "");
  /* Combinations: fields, flags, attachments and dates with words. */
  assert_search (fx, "from:bob is:unread after:2024-03-05 meeting", 0, "Re: meeting notes");
  assert_search (fx, "from:bob is:read", 0, "");
  assert_search (fx, "has:attachment from:billing invoice 发票", 0, "Invoice for March");
  assert_search (fx, "is:flagged to:wang report", 0, "Project Report 项目报告");
  assert_search (fx, "subject:report -subject:invoice", 0, "Project Report 项目报告");
  assert_search (fx, "after:2024-03-02 before:2024-03-05 -has:attachment", 0, "Project Report 项目报告|退订通知");
  assert_search (fx, "before:2024-03-02 会议", 0, "季度会议纪要");
}

/* The first screen: the newest hits, the total when they are all there and an
 * estimate when there are more. */
static void
test_first_screen (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) all = lb_search_location_ids (fx->store, "会", 0, &error);
  g_autoptr(GArray) two = NULL;
  g_autoptr(GArray) ten = NULL;
  gint64 total = 0;
  gboolean estimated = FALSE;

  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  two = lb_search_first_screen (fx->store, "会", 0, 2, &total, &estimated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (two->len, ==, 2);
  g_assert_cmpint (g_array_index (two, gint64, 0), ==, g_array_index (all, gint64, 0));
  g_assert_cmpint (g_array_index (two, gint64, 1), ==, g_array_index (all, gint64, 1));
  g_assert_true (estimated);
  g_assert_cmpint (total, >=, 3);

  ten = lb_search_first_screen (fx->store, "会", 0, 10, &total, &estimated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ten->len, ==, 3);
  g_assert_false (estimated);
  g_assert_cmpint (total, ==, 3);
}

/* Messages indexed out of date order, two of them of the same second: a clash takes
 * the first free key after its own, so the newest message is still the first of the
 * first screen (a clash used to take the key after the highest of the next 11 days,
 * ahead of newer mail). */
static void
test_key_clash (void)
{
  static const Mail newest = { 1, "zebra newest", "A", "a@example.com", "b@example.com",
                               "zebra", "2024-05-02", 0, FALSE };
  static const Mail older[] = {
    { 2, "zebra older one", "A", "a@example.com", "b@example.com", "zebra", "2024-05-01", 0, FALSE },
    { 3, "zebra older two", "A", "a@example.com", "b@example.com", "zebra", "2024-05-01", 0, FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-search-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "letterbox.db", NULL);
  g_autoptr(LbStore) store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, &error);
  g_autoptr(GArray) first = NULL;
  g_autoptr(GArray) all = NULL;
  g_autoptr(GArray) range = NULL;
  gint64 folder, total = 0;
  gboolean estimated = FALSE;
  guint indexed = 0;

  g_assert_no_error (error);
  folder = add_folder (store, add_account (store, "alice@example.com"), "INBOX", LB_FOLDER_ROLE_INBOX);
  insert_mail (store, folder, &newest);
  g_assert_true (lb_store_index_pending (store, 10, &indexed, &error));
  for (guint i = 0; i < G_N_ELEMENTS (older); i++)
    insert_mail (store, folder, &older[i]);
  g_assert_true (lb_store_index_pending (store, 10, &indexed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (indexed, ==, 2);

  all = lb_search_location_ids (store, "zebra", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  first = lb_search_first_screen (store, "zebra", 0, 1, &total, &estimated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->len, ==, 1);
  g_assert_cmpint (g_array_index (first, gint64, 0), ==, g_array_index (all, gint64, 0));
  /* Date ranges still find both of the clashing second. */
  range = lb_search_location_ids (store, "zebra before:2024-05-02", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (range->len, ==, 2);
  g_clear_object (&store);
  rm_rf (dir);
}

/* A store whose keys are in seconds (migration 014 run before the keys were in 256 s
 * units) has its index rebuilt when opened: emptied and every text queued again. */
static void
test_old_keys (void)
{
  static const Mail mail = { 1, "zebra", "A", "a@example.com", "b@example.com", "zebra", "2024-05-02", 0, FALSE };
  static const Mail future = { 2, "zebra later", "A", "a@example.com", "b@example.com", "zebra", "9000-01-01", 0, FALSE };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-search-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "letterbox.db", NULL);
  g_autoptr(LbStore) store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, &error);
  g_autoptr(GArray) found = NULL;
  gint64 pending = 0, total = 0, folder;
  guint indexed = 0;

  g_assert_no_error (error);
  folder = add_folder (store, add_account (store, "alice@example.com"), "INBOX", LB_FOLDER_ROLE_INBOX);
  insert_mail (store, folder, &mail);
  g_assert_true (lb_store_index_pending (store, 10, &indexed, &error));
  g_assert_cmpuint (indexed, ==, 1);
  g_assert_true (lb_store_exec (store, "UPDATE search_keys SET key = key << 8", &error));
  g_clear_object (&store);

  store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (lb_store_index_progress (store, &pending, &total, &error));
  g_assert_cmpint (pending, ==, 1);
  g_assert_cmpint (total, ==, 1);
  g_assert_true (lb_store_index_pending (store, 10, &indexed, &error));
  g_assert_cmpuint (indexed, ==, 1);
  found = lb_search_location_ids (store, "zebra", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);

  /* A nonsense date far in the future is not taken for a key in seconds. */
  insert_mail (store, folder, &future);
  g_assert_true (lb_store_index_pending (store, 10, &indexed, &error));
  g_assert_cmpuint (indexed, ==, 1);
  g_clear_object (&store);
  store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (lb_store_index_progress (store, &pending, &total, &error));
  g_assert_cmpint (pending, ==, 0);
  g_assert_cmpint (total, ==, 2);
  g_clear_object (&store);
  rm_rf (dir);
}

/* What the index finds is what a scan of the text with the same word rules finds. */
static void
test_equals_scan (Fixture       *fx,
                  gconstpointer  data)
{
  static const char * const terms[] = {
    "会", "会议", "发票", "项目进度", "知", "the", "THE", "invo", "report", "alice", "example.com",
    "cafe", "été", "3p", "100", "京市", "中心在", "a", "e", "2024", "in", "zzz", NULL,
  };

  for (guint i = 0; terms[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) ids = lb_search_location_ids (fx->store, terms[i], LB_STORE_ALL_FOLDERS, &error);
      g_autoptr(LbStmt) scan = lb_store_prepare (fx->store,
                                                 "SELECT count(*) FROM message_text t WHERE "
                                                 "lb_words_match (t.subject, ?1) OR lb_words_match (t.sender, ?1) "
                                                 "OR lb_words_match (t.recipients, ?1) OR lb_words_match (t.body, ?1)",
                                                 &error);

      g_assert_no_error (error);
      sqlite3_bind_text (scan, 1, terms[i], -1, SQLITE_TRANSIENT);
      g_assert_cmpint (sqlite3_step (scan), ==, SQLITE_ROW);
      if ((gint64) ids->len != sqlite3_column_int64 (scan, 0))
        g_error ("«%s»: the index finds %u messages, the scan %" G_GINT64_FORMAT,
                 terms[i], ids->len, (gint64) sqlite3_column_int64 (scan, 0));
    }
}

/* letterbox-cli search: the newest N, and the total or "about"; --json as the issue says. */
static void
test_cli (Fixture       *fx,
          gconstpointer  data)
{
  g_autofree char *cli = g_build_filename (g_getenv ("LB_TEST_BUILDDIR") != NULL ? g_getenv ("LB_TEST_BUILDDIR") : ".",
                                           "src", "cli", "letterbox-cli", NULL);
  const char * const json_args[] = { "search", "--json", "--limit", "2", "会", NULL };
  const char * const text_args[] = { "search", "--limit", "5", "会", NULL };
  const char * const extra[] = { "--data-dir", fx->dir, NULL };
  LbTestCliRun run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  if (!g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no letterbox-cli in this build");
      return;
    }
  g_clear_object (&fx->store);
  lb_test_cli_run (&run, cli, NULL, NULL, json_args, extra);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  /* Three messages hold 会; the first screen of two estimates them. */
  g_assert_true (json_object_get_boolean_member (root, "estimated"));
  g_assert_cmpint (json_object_get_int_member (root, "total"), >=, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "items")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (root, "items"), 0), "subject"), ==, "Re: meeting notes");

  lb_test_cli_run (&run, cli, NULL, NULL, text_args, extra);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "3 messages match\n"));
  lb_test_cli_run_clear (&run);
}

/* The message ids each of a few tokens finds in the index, as one text. */
static char *
index_fingerprint (LbStore *store)
{
  static const char * const tokens[] = {
    "\"w1\"", "\"w7\"", "\"会议\"", "\"会\"", "\"议\"", "\"\001fsender3\"", "\"\001sletter\"", "\"body\"*",
  };
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LbStmt) stmt = lb_store_prepare (store,
                                                 "SELECT group_concat (k.message_id) FROM (SELECT rowid FROM "
                                                 "message_fts WHERE message_fts MATCH ?1 ORDER BY rowid) f "
                                                 "JOIN search_keys k ON k.key = f.rowid", &error);

      g_assert_no_error (error);
      sqlite3_bind_text (stmt, 1, tokens[i], -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_string_append_printf (out, "%s=%s\n", tokens[i], (const char *) sqlite3_column_text (stmt, 0));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
fill_many (LbStore *store,
           gint64   folder,
           guint    n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);

  for (guint i = 0; i < n; i++)
    {
      LbStoreFetched *f = lb_store_fetched_new ();

      f->uid = i + 1;
      f->message.message_id = g_strdup_printf ("%u@kill", i);
      /* Some messages share a second, so that keys clash too. */
      f->message.date = 1700000000 + (i / 3) * 60;
      f->message.subject = g_strdup_printf ("Letter %u 会议", i);
      f->message.from_name = g_strdup_printf ("Sender%u", i % 10);
      f->message.from_address = g_strdup ("s@example.com");
      g_ptr_array_add (batch, f);
    }
  g_assert_true (lb_store_insert_messages (store, folder, batch, &error));
  g_assert_no_error (error);
  g_assert_true (lb_store_transaction_begin (store, &error));
  for (guint i = 0; i < n; i++)
    {
      LbStoreFetched *f = g_ptr_array_index (batch, i);
      g_autofree char *body = g_strdup_printf ("body w%u 议会 text", i % 13);

      g_assert_true (lb_store_set_body_text (store, f->message.id, body, &error));
    }
  g_assert_true (lb_store_transaction_commit (store, &error));
  g_assert_no_error (error);
}

/* kill -9 while the index is being built: what was committed stays consistent, the
 * build goes on from the queue, and the index then equals one built from scratch.  While
 * it is incomplete, the store says how far it is (the search bar's "Indexing 40 %"). */
static void
test_kill_during_indexing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-search-kill-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "letterbox.db", NULL);
  g_autoptr(LbStore) store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, &error);
  g_autofree char *resumed = NULL;
  g_autofree char *fresh = NULL;
  gint64 folder, pending = 0, total = 0;
  guint indexed = 0;
  pid_t pid;

  g_assert_no_error (error);
  folder = add_folder (store, add_account (store, "kill@example.com"), "INBOX", LB_FOLDER_ROLE_INBOX);
  fill_many (store, folder, 3000);
  g_clear_object (&store);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* The indexer, in small batches, until it is killed. */
      LbStore *child = lb_store_open (path, LB_STORE_OPEN_DEFAULT, NULL);

      for (;;)
        if (child == NULL || !lb_store_index_pending (child, 25, NULL, NULL))
          _exit (1);
    }
  /* Kill it once it has done part of the work, not all. */
  while (lb_test_store_query_int (path, "SELECT count(*) FROM fts_pending") > 2000)
    g_usleep (1000);
  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, NULL, 0), ==, pid);

  store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (lb_store_index_progress (store, &pending, &total, &error));
  g_assert_no_error (error);
  g_assert_cmpint (total, ==, 3000);
  g_assert_cmpint (pending, >, 0);
  g_assert_cmpint (pending, <=, 2000);
  /* Indexed and queued are never both, and every message is one of them. */
  g_assert_cmpint (lb_test_store_query_int (path, "SELECT count(*) FROM search_keys k JOIN fts_pending p "
                                                  "USING (message_id)"), ==, 0);
  do
    g_assert_true (lb_store_index_pending (store, 500, &indexed, &error));
  while (indexed == 500);
  g_assert_true (lb_store_index_progress (store, &pending, &total, &error));
  g_assert_cmpint (pending, ==, 0);
  resumed = index_fingerprint (store);

  /* From scratch: the same index. */
  g_assert_true (lb_store_exec (store, "INSERT INTO message_fts (message_fts) VALUES ('delete-all'); "
                                       "DELETE FROM search_keys; "
                                       "INSERT INTO fts_pending SELECT message_id FROM message_text", &error));
  do
    g_assert_true (lb_store_index_pending (store, 500, &indexed, &error));
  while (indexed == 500);
  g_assert_no_error (error);
  fresh = index_fingerprint (store);
  g_assert_cmpstr (resumed, ==, fresh);
  g_assert_nonnull (strstr (fresh, "\"会\"=1,"));

  g_clear_object (&store);
  rm_rf (dir);
}

static void
test_plan (void)
{
  g_autoptr(LbSearchQuery) q = lb_search_query_parse ("会议纪要 a\"b 会 from:Zhang");
  g_autoptr(GPtrArray) params = NULL;
  g_autofree char *sql = lb_search_build_sql (q, 0, 50, &params);

  /* Every term is single tokens of the index: words (the last one a prefix), CJK
   * characters and pairs, from: a tagged prefix token of its first 4 letters, which
   * the text check completes; the hits are read in key order. */
  g_assert_nonnull (strstr (sql, "MATCH"));
  g_assert_nonnull (strstr (sql, "ORDER BY f.rowid DESC LIMIT 50"));
  g_assert_cmpuint (params->len, ==, 5);
  g_assert_cmpstr (g_ptr_array_index (params, 4), ==,
                   "\"会议\" AND \"议纪\" AND \"纪要\" AND \"a\" AND \"b\"* AND \"会\"* AND \"\002\001fzhan\"");
  g_assert_nonnull (strstr (sql, "lb_words_match"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) \
  g_test_add ("/search/queued" path, Fixture, GINT_TO_POINTER (FALSE), fixture_setup, fn, fixture_teardown); \
  g_test_add ("/search/indexed" path, Fixture, GINT_TO_POINTER (TRUE), fixture_setup, fn, fixture_teardown)
  ADD ("/chinese", test_chinese);
  ADD ("/english", test_english);
  ADD ("/mixed", test_mixed);
  ADD ("/operators", test_operators);
  ADD ("/scope", test_scope);
  ADD ("/delete-and-move", test_delete_and_move);
  ADD ("/restart", test_restart);
  ADD ("/words", test_words);
  ADD ("/more-operators", test_more_operators);
  ADD ("/first-screen", test_first_screen);
  ADD ("/equals-scan", test_equals_scan);
  ADD ("/cli", test_cli);
#undef ADD
  g_test_add_func ("/search/plan", test_plan);
  g_test_add_func ("/search/key-clash", test_key_clash);
  g_test_add_func ("/search/old-keys", test_old_keys);
  g_test_add_func ("/search/kill-during-indexing", test_kill_during_indexing);

  return g_test_run ();
}
