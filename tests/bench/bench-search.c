/* bench-search.c: local search over 100,000 (or N) indexed messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-search [N_MESSAGES]     (bench-search 1000000 for the large run)
 *
 * Fills a temporary store with generated mixed Chinese and English mail
 * (1-2 KB bodies) through the store API, which queues the text for indexing
 * as sync does, indexes the queue in the worker's batches, then prints:
 *   - the store fill rate and the index build rate (messages/s);
 *   - the size of the index (FTS5 tables and search keys) against the text;
 *   - for each query, in All Inboxes: its hits and the time for all of them, and
 *     the time of the first screen (the newest 50) with the total or its estimate;
 *   - the median and p95 of each class, against the 30 ms target of issue 19;
 *   - a check that a scan of the text with the same word rules finds what the
 *     index finds (a mismatch fails the run);
 * and ends with the one-line summary of issue 19.  It asserts nothing about time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "lb-search.h"
#include "lb-store-locations.h"
#include "lb-store-private.h"

#define TARGET_FIRST_MS   30.0
#define RUNS              7

static const char * const zh_words[] = {
  "会议", "项目", "进度", "报告", "发票", "合同", "客户", "预算", "季度", "总结", "请", "查收",
  "附件", "下周", "周一", "安排", "讨论", "方案", "需求", "设计", "测试", "上线", "问题", "反馈",
  "谢谢", "您好", "部门", "经理", "财务", "报销", "审批", "流程", "系统", "升级", "维护", "通知",
  "培训", "时间", "地点", "北京", "上海", "深圳", "杭州", "产品", "市场", "销售", "数据", "分析",
  "今天", "明天", "已经", "完成", "确认", "修改", "版本", "文档", "邮件", "回复", "尽快", "处理",
};
static const char * const en_words[] = {
  "meeting", "project", "report", "invoice", "contract", "customer", "budget", "quarter",
  "summary", "please", "attached", "next", "week", "schedule", "discuss", "proposal",
  "design", "testing", "release", "issue", "feedback", "thanks", "team", "manager",
  "finance", "approval", "process", "system", "upgrade", "review", "deadline", "update",
};
static const char * const names[] = {
  "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞",
  "Alice Chen", "Bob Li", "Carol Wang", "David Zhang", "Eve Liu",
};

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* The CPU time this process used, in ms. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      rm_rf (child);
    }
  g_remove (path);
}

/* Common characters that make up the filler vocabulary: random pairs of them
 * stand for the many everyday words, so that a given business word shows up
 * in a realistic share of mail rather than in all of it. */
static const char filler_chars[] =
  "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成可主发年动同工也能下过子说产种面而方后多定行学法所"
  "民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
  "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想"
  "已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指";

static const char * const en_filler[] = {
  "the", "and", "for", "with", "this", "that", "from", "will", "we", "you", "is", "on", "are", "be",
  "have", "not", "our", "all", "can", "if", "please", "let", "me", "know", "about", "also", "time",
  "new", "more", "one", "into", "other", "than", "then", "now", "only", "its", "over", "after",
};

/* The filler vocabulary: 3,000 two-character words, used with a Zipf-like
 * skew, so that the text repeats itself about as much as real mail does. */
#define N_FILLER 3000
static char *zh_filler[N_FILLER];

static void
make_filler (GRand *rand)
{
  glong n = g_utf8_strlen (filler_chars, -1);

  for (guint i = 0; i < N_FILLER; i++)
    {
      GString *w = g_string_new (NULL);

      for (int k = 0; k < 2; k++)
        {
          const char *c = g_utf8_offset_to_pointer (filler_chars, g_rand_int_range (rand, 0, n));
          g_string_append_len (w, c, g_utf8_next_char (c) - c);
        }
      zh_filler[i] = g_string_free (w, FALSE);
    }
}

static void
append_zh_word (GString *s,
                GRand   *rand)
{
  /* One word in 30 is a business word, the rest filler. */
  if (g_rand_int_range (rand, 0, 30) == 0)
    g_string_append (s, zh_words[g_rand_int_range (rand, 0, G_N_ELEMENTS (zh_words))]);
  else
    {
      double u = g_rand_double (rand);

      g_string_append (s, zh_filler[(guint) (N_FILLER * u * u * u)]);
    }
}

static void
append_en_word (GString *s,
                GRand   *rand)
{
  if (g_rand_int_range (rand, 0, 15) == 0)
    g_string_append (s, en_words[g_rand_int_range (rand, 0, G_N_ELEMENTS (en_words))]);
  else if (g_rand_int_range (rand, 0, 3) > 0)
    g_string_append (s, en_filler[g_rand_int_range (rand, 0, G_N_ELEMENTS (en_filler))]);
  else
    {
      /* A rare word: names, products, codes. */
      int len = g_rand_int_range (rand, 4, 9);

      for (int k = 0; k < len; k++)
        g_string_append_c (s, 'a' + g_rand_int_range (rand, 0, 26));
    }
}

/* Mixed text: runs of Chinese words without spaces and English phrases, as
 * business mail between Chinese colleagues reads. */
static void
append_text (GString *s,
             GRand   *rand,
             gsize    bytes)
{
  while (s->len < bytes)
    {
      if (g_rand_int_range (rand, 0, 3) > 0)
        {
          int n = g_rand_int_range (rand, 3, 12);

          for (int i = 0; i < n; i++)
            append_zh_word (s, rand);
          g_string_append (s, g_rand_boolean (rand) ? "，" : "。");
        }
      else
        {
          int n = g_rand_int_range (rand, 3, 10);

          for (int i = 0; i < n; i++)
            {
              append_en_word (s, rand);
              g_string_append_c (s, ' ');
            }
          if (g_rand_int_range (rand, 0, 4) == 0)
            g_string_append_printf (s, "#%u ", g_rand_int_range (rand, 1000, 99999));
        }
    }
}

static void
fill (LbStore *store,
      gint64   folder_id,
      guint    n,
      double  *out_ms)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  const guint batch_size = 500;

  make_filler (rand);
  double start = now_ms ();
  g_autoptr(GError) error = NULL;

  for (guint base = 0; base < n; base += batch_size)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_fetched_free);
      guint count = MIN (batch_size, n - base);

      for (guint i = 0; i < count; i++)
        {
          LbStoreFetched *f = lb_store_fetched_new ();
          GString *subject = g_string_new (NULL);
          const char *from = names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))];

          append_text (subject, rand, g_rand_int_range (rand, 20, 60));
          f->uid = base + i + 1;
          f->flags = g_rand_int_range (rand, 0, 5) == 0 ? 0 : 1;
          /* Without a draw, so that the text stays what earlier runs measured. */
          if ((base + i) % 50 == 0)
            f->flags |= LB_FLAG_FLAGGED;
          f->message.has_attachments = (base + i) % 10 == 0;
          f->message.message_id = g_strdup_printf ("%u@bench", base + i);
          f->message.date = 1700000000 + (gint64) (base + i) * 600;
          f->message.subject = g_string_free (subject, FALSE);
          f->message.from_name = g_strdup (from);
          f->message.from_address = g_strdup_printf ("user%u@example.cn", g_rand_int_range (rand, 0, 500));
          f->message.to = g_strdup ("Alice <alice@example.com>");
          f->message.size = 2000;
          g_ptr_array_add (batch, f);
        }
      if (!lb_store_insert_messages (store, folder_id, batch, &error))
        g_error ("%s", error->message);

      /* Bodies arrive later in sync, a transaction per batch. */
      if (!lb_store_transaction_begin (store, &error))
        g_error ("%s", error->message);
      for (guint i = 0; i < count; i++)
        {
          LbStoreFetched *f = g_ptr_array_index (batch, i);
          g_autoptr(GString) body = g_string_new (NULL);

          append_text (body, rand, g_rand_int_range (rand, 1000, 2000));
          if (!lb_store_set_body_text (store, f->message.id, body->str, &error))
            g_error ("%s", error->message);
        }
      if (!lb_store_transaction_commit (store, &error))
        g_error ("%s", error->message);
    }
  *out_ms = now_ms () - start;
}

static gint64
query_int (LbStore    *store,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  if (sqlite3_prepare_v2 (lb_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* LB_BENCH_PLAN=1 prints each query's plan: the store cannot be inspected with the
 * sqlite3 shell, which lacks the lb_trigram tokenizer. */
static void
print_plan (LbStore    *store,
            const char *query)
{
  g_autoptr(LbSearchQuery) parsed = lb_search_query_parse (query);
  g_autoptr(GPtrArray) params = NULL;
  g_autofree char *sql = lb_search_build_sql (parsed, 0, 50, &params);
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  sqlite3_stmt *stmt = NULL;

  printf ("      %s\n", sql);
  if (sqlite3_prepare_v2 (lb_store_get_db (store), explain, -1, &stmt, NULL) != SQLITE_OK)
    {
      printf ("      (%s)\n", sqlite3_errmsg (lb_store_get_db (store)));
      return;
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    printf ("      %d %d %s\n", sqlite3_column_int (stmt, 0), sqlite3_column_int (stmt, 1),
            sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
}

static double
percentile (GArray *times,
            double  q)
{
  qsort (times->data, times->len, sizeof (double), cmp_double);
  return g_array_index (times, double, MIN (times->len - 1, (guint) (times->len * q)));
}

/* Runs each query RUNS times for the newest 50 hits (what the window shows first) and
 * once for every hit; returns the p95 of the first screens, and adds their times to
 * @all_first when given. */
static double
run_class (LbStore            *store,
           const char         *label,
           const char * const *queries,
           double              target,
           GArray             *all_first)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (double));
  double median, p95, first_p95;

  for (guint i = 0; queries[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      double start = now_ms ();
      g_autoptr(GArray) ids = lb_search_location_ids (store, queries[i], 0, &error);
      double t = now_ms () - start, t_first = 0;
      gint64 total = 0;
      gboolean estimated = FALSE;

      if (ids == NULL)
        g_error ("%s: %s", queries[i], error->message);
      g_array_append_val (times, t);
      for (guint r = 0; r < RUNS; r++)
        {
          g_autoptr(GArray) page = NULL;

          start = now_ms ();
          page = lb_search_first_screen (store, queries[i], 0, 50, &total, &estimated, &error);
          t_first = now_ms () - start;
          if (page == NULL)
            g_error ("%s: %s", queries[i], error->message);
          g_array_append_val (first, t_first);
          if (all_first != NULL)
            g_array_append_val (all_first, t_first);
        }
      printf ("    %-28s %7u hits  all %8.1f ms  first screen %6.2f ms  (%s%" G_GINT64_FORMAT ")\n",
              queries[i], ids->len, t, t_first, estimated ? "about " : "", total);
      if (g_getenv ("LB_BENCH_PLAN") != NULL)
        print_plan (store, queries[i]);
    }
  median = percentile (times, 0.5);
  p95 = percentile (times, 0.95);
  first_p95 = percentile (first, 0.95);
  printf ("  %s: every hit: median %.1f ms, p95 %.1f ms; first screen: median %.2f ms, p95 %.2f ms "
          "(target %.0f ms: p95 at %.2f× the target)\n\n",
          label, median, p95, percentile (first, 0.5), first_p95, target, first_p95 / target);
  return first_p95;
}

/* The check of the results: a scan of the text with the same word rules
 * (lb_words_match()) must find what the index finds, for every single-term query.  The
 * scan reads a sample of about 20,000 messages (every message whose id is a multiple of
 * @step), and the index's hits are narrowed to the same sample.  Returns the median time
 * of the scans, per 20,000 messages: what a search costs without an index. */
static double
run_scan_check (LbStore            *store,
                const char * const *queries,
                guint               n)
{
  guint mismatches = 0, step = MAX (1, n / 20000);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM locations l WHERE l.unified = 1 "
                                          "AND l.message_id %% %u = 0 AND l.message_id IN "
                                          "(SELECT t.message_id FROM message_text t WHERE t.message_id %% %u = 0 "
                                          "AND (lb_words_match (t.subject, ?1) OR lb_words_match (t.sender, ?1) OR "
                                          "lb_words_match (t.recipients, ?1) OR lb_words_match (t.body, ?1)))",
                                          step, step);
  g_autofree char *sample_sql = g_strdup_printf ("SELECT message_id %% %u = 0 FROM locations WHERE id = ?1", step);

  for (guint i = 0; queries[i] != NULL; i++)
    {
      sqlite3_stmt *stmt = NULL;
      double start = now_ms (), t;
      g_autoptr(GArray) ids = NULL;
      gint64 hits = 0, found = 0;

      if (strchr (queries[i], ' ') != NULL || strchr (queries[i], ':') != NULL)
        continue;
      if (sqlite3_prepare_v2 (lb_store_get_db (store), sql, -1, &stmt, NULL) != SQLITE_OK)
        g_error ("%s", sqlite3_errmsg (lb_store_get_db (store)));
      sqlite3_bind_text (stmt, 1, queries[i][0] == '"' ? "next week" : queries[i], -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        hits = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      t = now_ms () - start;
      g_array_append_val (times, t);

      ids = lb_search_location_ids (store, queries[i], 0, NULL);
      if (sqlite3_prepare_v2 (lb_store_get_db (store), sample_sql, -1, &stmt, NULL) != SQLITE_OK)
        g_error ("%s", sqlite3_errmsg (lb_store_get_db (store)));
      for (guint k = 0; ids != NULL && k < ids->len; k++)
        {
          sqlite3_reset (stmt);
          sqlite3_bind_int64 (stmt, 1, g_array_index (ids, gint64, k));
          if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0))
            found++;
        }
      sqlite3_finalize (stmt);
      if (ids == NULL || found != hits)
        {
          printf ("    MISMATCH: %s: the scan finds %" G_GINT64_FORMAT ", the index %" G_GINT64_FORMAT "\n",
                  queries[i], hits, found);
          mismatches++;
        }
      else
        printf ("    %-12s the scan and the index: %" G_GINT64_FORMAT " of the sample\n", queries[i], hits);
    }
  if (mismatches == 0)
    printf ("  the scan and the index find the same messages for every single word\n");
  else
    /* Not a timing: wrong results fail the benchmark. */
    g_error ("the index and the scan disagree on %u words", mismatches);
  return percentile (times, 0.5);
}

/* The index, as the account's worker builds it after a sync: 500 rows a job.  Returns
 * the rate in messages/s. */
static double
build_index (LbStore *store,
             guint    n)
{
  g_autoptr(GError) error = NULL;
  double start = now_ms (), cpu_start = cpu_ms (), index_ms, cpu, rate;
  guint done = 0, total = 0;

  do
    {
      if (!lb_store_index_pending (store, 500, &done, &error))
        g_error ("%s", error->message);
      total += done;
      /* LB_BENCH_PROGRESS=1: the rate of each tenth, to see whether it holds. */
      if (g_getenv ("LB_BENCH_PROGRESS") != NULL && total % MAX (n / 10, 500) == 0)
        printf ("    %u indexed: %.0f messages/s so far\n", total, total / ((now_ms () - start) / 1000.0));
    }
  while (done == 500);
  index_ms = now_ms () - start;
  cpu = cpu_ms () - cpu_start;
  rate = total / (index_ms / 1000.0);
  /* The CPU time too: on a busy machine it is the fairer figure to compare. */
  printf ("  index build: %u messages in %.1f s: %.0f messages/s (%.1f s of CPU: %.0f messages per CPU second)\n",
          total, index_ms / 1000.0, rate, cpu / 1000.0, total / MAX (cpu / 1000.0, 0.001));
  return rate;
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  g_autoptr(GError) error = NULL;
  /* LB_BENCH_REUSE=PATH searches a store an earlier run kept (LB_BENCH_KEEP=1)
   * instead of building one: for trying a query change without the fill. */
  const char *reuse = g_getenv ("LB_BENCH_REUSE");
  g_autofree char *dir = reuse != NULL ? g_path_get_dirname (reuse)
                                       : g_dir_make_tmp ("lb-bench-search-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "letterbox.db", NULL);
  g_autoptr(LbStore) store = lb_store_open (path, LB_STORE_OPEN_DEFAULT, &error);
  g_autoptr(LbStoreAccount) a = lb_store_account_new ();
  g_autoptr(LbStoreFolder) f = lb_store_folder_new ();
  gint64 folder_id, text_bytes, fts_bytes, db_bytes;
  double fill_ms;
  static const char * const indexed[] = {
    "项目进度", "季度报告", "财务报销", "会议安排", "客户反馈",
    "invoice", "quarter", "upgrade", "系统升级 review", "#4242", NULL,
  };
  static const char * const short_zh[] = {
    "会议", "发票", "合同", "北京", "报销", "会", "议 项目", NULL,
  };
  static const char * const english[] = {
    "meeting", "budget review", "\"next week\"", "from:alice", "deadline is:unread",
    "the", "we", "invo", NULL,
  };
  static const char * const operators[] = {
    "from:alice", "from:张伟", "to:alice", "cc:alice", "subject:meeting", "has:attachment",
    "is:unread", "is:flagged", "in:INBOX", "after:2025-01-01", "before:2024-01-01",
    "from:alice meeting is:unread", "invoice after:2024-06-01 before:2024-07-01",
    "has:attachment 会议", "is:flagged the", "subject:report -invoice", NULL,
  };
  static const char * const scan_words[] = {
    "会议", "发票", "合同", "北京", "报销", "会", "项目进度", "invoice", "the", "we", "invo",
    "\"next week\"", NULL,
  };
  g_autoptr(GArray) all_first = g_array_new (FALSE, FALSE, sizeof (double));
  double build_rate = 0, index_share, short_p95, operators_p95;

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (store == NULL)
    g_error ("%s", error->message);
  if (reuse != NULL)
    {
      printf ("bench-search: the store of an earlier run, %s\n", path);
      goto search;
    }
  a->email = g_strdup ("alice@example.com");
  a->imap_host = g_strdup ("imap.example.com");
  a->imap_port = 993;
  if (!lb_store_add_account (store, a, &error))
    g_error ("%s", error->message);
  f->account_id = a->id;
  f->raw_name = g_strdup ("INBOX");
  f->display_name = g_strdup ("INBOX");
  f->role = LB_FOLDER_ROLE_INBOX;
  folder_id = lb_store_upsert_folder (store, f, &error);

  printf ("bench-search: %u messages\n", n);
  fill (store, folder_id, n, &fill_ms);
  printf ("  store fill: %.1f s for envelopes and bodies: %.0f messages/s\n",
           fill_ms / 1000.0, n / (fill_ms / 1000.0));

  build_rate = build_index (store, n);

search:
  text_bytes = query_int (store, "SELECT sum (length (CAST (ifnull (subject, '') || ifnull (sender, '') || "
                                 "ifnull (recipients, '') || ifnull (body, '') AS BLOB))) FROM message_text");
  /* The index is the FTS5 tables, the search keys that order them and the vocabulary
   * that expands prefixes. */
  fts_bytes = query_int (store, "SELECT sum (pgsize) FROM dbstat WHERE name LIKE 'message_fts%' "
                                "OR name LIKE '%search_keys%' OR name LIKE '%search_words%'");
  db_bytes = query_int (store, "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size");
  index_share = 100.0 * fts_bytes / MAX (text_bytes, 1);
  if (g_getenv ("LB_BENCH_OPTIMIZE") != NULL)
    {
      printf ("  index before optimize: %.1f MB\n", fts_bytes / 1e6);
      sqlite3_exec (lb_store_get_db (store), "INSERT INTO message_fts (message_fts) VALUES ('optimize')",
                    NULL, NULL, NULL);
      fts_bytes = query_int (store, "SELECT sum (pgsize) FROM dbstat WHERE name LIKE 'message_fts%' "
                                    "OR name LIKE '%search_keys%' OR name LIKE '%search_words%'");
      index_share = 100.0 * fts_bytes / MAX (text_bytes, 1);
    }
  printf ("  text %.1f MB, index %.1f MB (%.0f%% of the text), whole store %.1f MB\n\n",
           text_bytes / 1e6, fts_bytes / 1e6, index_share, db_bytes / 1e6);
  /* LB_BENCH_BUILD_ONLY=1 stops here: for profiling the index build alone. */
  if (g_getenv ("LB_BENCH_BUILD_ONLY") != NULL && reuse == NULL)
    {
      rm_rf (dir);
      return 0;
    }

  /* Warm the page cache once, as a running app would be. */
  g_clear_pointer (&error, g_error_free);
  g_array_unref (lb_search_location_ids (store, "预热", 0, NULL));

  run_class (store, "indexed (3+ characters)", indexed, TARGET_FIRST_MS, all_first);
  short_p95 = run_class (store, "short Chinese (1-2 characters)", short_zh, TARGET_FIRST_MS, all_first);
  run_class (store, "English words", english, TARGET_FIRST_MS, all_first);
  operators_p95 = run_class (store, "operators", operators, TARGET_FIRST_MS, NULL);
  /* LB_BENCH_NO_SCAN=1 skips the check, for trying a change quickly. */
  if (g_getenv ("LB_BENCH_NO_SCAN") == NULL)
  {
    double scan = run_scan_check (store, scan_words, n);

    printf ("  baseline, the same single terms by a scan of the text of 20,000 messages: median %.1f ms\n\n", scan);
  }
  printf ("search %u messages: first screen p95 %.1f ms, operators p95 %.1f ms, short Chinese p95 %.1f ms, "
          "index build %.0f messages/s, index %.0f %% of the text\n",
          n, percentile (all_first, 0.95), operators_p95, short_p95, build_rate, index_share);

  g_clear_object (&store);
  /* LB_BENCH_KEEP=1 leaves the store, for LB_BENCH_REUSE. */
  if (g_getenv ("LB_BENCH_KEEP") != NULL || reuse != NULL)
    printf ("  store kept: %s\n", path);
  else
    rm_rf (dir);
  return 0;
}
