/* lb-store-threads.c: conversations: thread ids at store time, and the queries that group by them
 *
 * Every message gets its thread id when it is stored (lb_store_thread_assign(), inside the
 * insert's transaction), so that opening a list never computes threads.  A message names
 * keys: its own Message-ID, the ids in In-Reply-To and References, Gmail's X-GM-THRID, and
 * its base subject (the subject without Re:/Fwd:/AW:/回复：/答复：/转发：, whose colon may be
 * full-width).  thread_refs maps each key ever named in an account to a thread; the message
 * joins every thread its keys are in, and when that is more than one (a parent that was
 * missing has arrived and links two threads) they are merged into the oldest id.  A key
 * named by a child before its parent exists is kept too, so the parent finds the child's
 * thread when it arrives.
 *
 * The subject is a fallback for mailers that drop In-Reply-To and References (common in
 * Chinese webmail): a reply or forward without them (its subject has a prefix) joins the
 * thread whose messages had the same base subject within LB_THREAD_SUBJECT_WINDOW; an
 * original without a prefix joins only a header-less reply that came first (its parent
 * arrived later), never another original: two mails both titled "Meeting" are not one
 * conversation.  Messages with threading headers are never grouped by subject.
 *
 * A thread id is a message row id, so ids are unique across accounts and All Inboxes
 * groups within each account.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Letterbox-Store"

#include "config.h"

#include <string.h>

#include "lb-error.h"
#include "lb-store-private.h"
#include "lb-store-threads.h"

void
lb_store_thread_summary_clear (LbStoreThreadSummary *summary)
{
  g_free (summary->participants);
  g_free (summary->subject);
  g_free (summary->preview);
  memset (summary, 0, sizeof *summary);
}

/* ---- Base subjects ------------------------------------------------------ */

static const char * const reply_words[] = {
  "re", "fwd", "fw", "aw", "wg", "sv", "vs", "回复", "答复", "转发", "回覆", "轉寄", NULL
};

/* The length of one reply or forward prefix at @s ("Re:", "RE[2]:", "回复："), or 0. */
static gsize
prefix_length (const char *s)
{
  for (guint i = 0; reply_words[i] != NULL; i++)
    {
      gsize n = strlen (reply_words[i]);
      const char *p = s + n;

      if (g_ascii_strncasecmp (s, reply_words[i], n) != 0)
        continue;
      if (*p == '[' || *p == '(')
        {
          /* A count some mailers add: "Re[2]:", "Re(3):". */
          const char *q = p + 1;

          while (g_ascii_isdigit (*q))
            q++;
          if (q == p + 1 || (*q != ']' && *q != ')'))
            continue;
          p = q + 1;
        }
      while (*p == ' ')
        p++;
      if (*p == ':')
        return (gsize) (p + 1 - s);
      if (g_str_has_prefix (p, "："))
        return (gsize) (p + strlen ("：") - s);
    }
  return 0;
}

/**
 * lb_thread_base_subject:
 * @subject: (nullable): a decoded subject
 * @out_prefixed: (out) (optional): whether reply or forward prefixes were removed
 *
 * The subject conversations are matched by: without reply and forward prefixes, with
 * runs of white space made one space, case-folded.
 *
 * Returns: (transfer full): the base subject, "" when there is none
 */
char *
lb_thread_base_subject (const char *subject,
                        gboolean   *out_prefixed)
{
  const char *s = subject != NULL ? subject : "";
  gboolean prefixed = FALSE;
  g_autoptr(GString) base = g_string_new (NULL);
  gboolean space = FALSE;

  for (;;)
    {
      gsize n;

      while (g_unichar_isspace (g_utf8_get_char (s)) && *s != '\0')
        s = g_utf8_next_char (s);
      n = prefix_length (s);
      if (n == 0)
        break;
      prefixed = TRUE;
      s += n;
    }
  for (; *s != '\0'; s = g_utf8_next_char (s))
    {
      gunichar c = g_utf8_get_char (s);

      if (g_unichar_isspace (c))
        {
          space = TRUE;
          continue;
        }
      if (space && base->len > 0)
        g_string_append_c (base, ' ');
      space = FALSE;
      g_string_append_unichar (base, c);
    }
  if (out_prefixed != NULL)
    *out_prefixed = prefixed;
  if (!g_utf8_validate (base->str, (gssize) base->len, NULL))
    return g_strdup ("");
  return g_utf8_casefold (base->str, (gssize) base->len);
}

/* ---- Keys ------------------------------------------------------------------ */

/* thread_refs keeps a 64-bit hash of each key (FNV-1a), not its text: a small integer
 * b-tree makes the lookups and inserts of every stored message cheaper.  Two keys that
 * collide (odds of about one in 10^7 at a million messages) would only join two
 * conversations. */
static gint64
key_hash (const char *key)
{
  guint64 h = G_GUINT64_CONSTANT (14695981039346656037);

  for (const guchar *p = (const guchar *) key; *p != '\0'; p++)
    {
      h ^= *p;
      h *= G_GUINT64_CONSTANT (1099511628211);
    }
  return (gint64) h;
}

/* Adds "<id>" for each message id in a References or In-Reply-To text: the ids in
 * angle brackets, or, when a mailer left them out, the words with an @. */
static void
add_id_keys (GPtrArray  *keys,
             const char *text)
{
  const char *p;

  if (text == NULL)
    return;
  if (strchr (text, '<') != NULL)
    {
      for (p = strchr (text, '<'); p != NULL; p = strchr (p, '<'))
        {
          const char *end = strchr (p, '>');

          if (end == NULL)
            break;
          if (end > p + 1)
            g_ptr_array_add (keys, g_strndup (p, (gsize) (end - p + 1)));
          p = end;
        }
      return;
    }
  {
    g_auto(GStrv) words = g_strsplit_set (text, " \t\r\n,", -1);

    for (guint i = 0; words[i] != NULL; i++)
      if (strchr (words[i], '@') != NULL)
        g_ptr_array_add (keys, g_strdup_printf ("<%s>", words[i]));
  }
}

/* The keys a message names, and whether it came with threading headers. */
static GPtrArray *
message_keys (const LbStoreMessage *m,
              gboolean             *out_headers)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  guint own;

  /* The store keeps Message-IDs without their angle brackets; some callers keep them. */
  if (m->message_id != NULL && *m->message_id == '<')
    add_id_keys (keys, m->message_id);
  else if (m->message_id != NULL && *m->message_id != '\0')
    g_ptr_array_add (keys, g_strdup_printf ("<%s>", m->message_id));
  own = keys->len;
  add_id_keys (keys, m->in_reply_to);
  add_id_keys (keys, m->references);
  if (m->thread_key != NULL && g_str_has_prefix (m->thread_key, "gm:"))
    g_ptr_array_add (keys, g_strdup (m->thread_key));
  *out_headers = keys->len > own;
  return keys;
}

/* ---- Assigning at store time ----------------------------------------------- */

static void
add_thread (GArray *found,
            gint64  thread)
{
  for (guint i = 0; i < found->len; i++)
    if (g_array_index (found, gint64, i) == thread)
      return;
  g_array_append_val (found, thread);
}

/* Adds the threads @key is in to @found; with @window, only those whose newest message
 * with the key is at most LB_THREAD_SUBJECT_WINDOW from @date. */
static gboolean
lookup_key (LbStore     *self,
            gint64       account_id,
            const char  *key,
            gboolean     window,
            gint64       date,
            GArray      *found,
            GError     **error)
{
  g_autoptr(LbStmt) stmt = lb_store_prepare (self,
                                             "SELECT thread_id, date FROM thread_refs "
                                             "WHERE account_id = ?1 AND ref = ?2",
                                             error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, key_hash (key));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!window || ABS (sqlite3_column_int64 (stmt, 1) - date) <= LB_THREAD_SUBJECT_WINDOW)
      add_thread (found, sqlite3_column_int64 (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "look up thread");
      return FALSE;
    }
  return TRUE;
}

/* Moves every message and key of the threads in @found to @target. */
static gboolean
merge_threads (LbStore  *self,
               GArray   *found,
               gint64    target,
               GError  **error)
{
  for (guint i = 0; i < found->len; i++)
    {
      gint64 other = g_array_index (found, gint64, i);

      if (other == target)
        continue;
      if (!lb_store_run (self, "merge threads", NULL, error,
                         "UPDATE messages SET thread_id = ?1 WHERE thread_id = ?2",
                         "ll", target, other) ||
          !lb_store_run (self, "merge thread keys", NULL, error,
                         "UPDATE OR REPLACE thread_refs SET thread_id = ?1 WHERE thread_id = ?2",
                         "ll", target, other))
        return FALSE;
    }
  return TRUE;
}

void
lb_thread_plan_clear (LbThreadPlan *plan)
{
  g_clear_pointer (&plan->keys, g_ptr_array_unref);
  g_clear_pointer (&plan->found, g_array_unref);
  g_clear_pointer (&plan->subject_key, g_free);
}

/**
 * lb_store_thread_plan:
 * @account_id: the account the message is stored in
 * @m: a message about to be inserted
 * @plan: (out caller-allocates): where it goes, for lb_store_thread_apply(); cleared with
 *   lb_thread_plan_clear()
 *
 * Looks up the threads @m joins, before its row is written, so that the row is written
 * with its thread id at once (plan->thread_id): the oldest thread it joins, or, for a new
 * thread, the id SQLite gives the next row (one above the largest), which
 * lb_store_thread_apply() checks.  An UPDATE of every new row would write it twice.
 */
gboolean
lb_store_thread_plan (LbStore               *self,
                      gint64                 account_id,
                      const LbStoreMessage  *m,
                      LbThreadPlan          *plan,
                      GError               **error)
{
  gboolean headers;
  gboolean prefixed;
  g_autofree char *base = lb_thread_base_subject (m->subject, &prefixed);
  g_autoptr(LbStmt) next = NULL;

  memset (plan, 0, sizeof *plan);
  plan->keys = message_keys (m, &headers);
  plan->found = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < plan->keys->len; i++)
    if (!lookup_key (self, account_id, g_ptr_array_index (plan->keys, i), FALSE, 0, plan->found,
                     error))
      return FALSE;
  if (*base != '\0' && !headers)
    {
      /* A reply without headers looks for its thread by subject: the originals' key and
       * other such replies'; an original looks only for such replies that came first. */
      for (guint k = prefixed ? 0 : 1; k < 2; k++)
        {
          g_autofree char *key = g_strconcat (k == 0 ? "s:" : "r:", base, NULL);

          if (!lookup_key (self, account_id, key, TRUE, m->date, plan->found, error))
            return FALSE;
        }
    }
  if (*base != '\0')
    plan->subject_key = g_strconcat (prefixed && !headers ? "r:" : "s:", base, NULL);

  for (guint i = 0; i < plan->found->len; i++)
    if (plan->thread_id == 0 || g_array_index (plan->found, gint64, i) < plan->thread_id)
      plan->thread_id = g_array_index (plan->found, gint64, i);
  if (plan->thread_id != 0)
    return TRUE;
  next = lb_store_prepare (self, "SELECT ifnull(max(id), 0) + 1 FROM messages", error);
  if (next == NULL)
    return FALSE;
  if (sqlite3_step (next) != SQLITE_ROW)
    {
      lb_store_set_error (self, sqlite3_errcode (lb_store_get_db (self)), error, "next id");
      return FALSE;
    }
  plan->thread_id = sqlite3_column_int64 (next, 0);
  return TRUE;
}

/**
 * lb_store_thread_apply:
 * @plan: what lb_store_thread_plan() found for @m
 * @m: the message, inserted (its id and account set) with plan->thread_id
 *
 * Merges the threads @m links into its own and records its keys.  Runs inside the
 * caller's write transaction.
 */
gboolean
lb_store_thread_apply (LbStore               *self,
                       LbThreadPlan          *plan,
                       const LbStoreMessage  *m,
                       GError               **error)
{
  gint64 target = plan->found->len > 0 ? plan->thread_id : m->id;

  /* SQLite gave the row another id than the usual one (the largest was taken). */
  if (target != plan->thread_id
      && !lb_store_run (self, "set thread", NULL, error,
                        "UPDATE messages SET thread_id = ?1 WHERE id = ?2", "ll", target, m->id))
    return FALSE;
  if (!merge_threads (self, plan->found, target, error))
    return FALSE;
  for (guint i = 0; i < plan->keys->len; i++)
    if (!lb_store_run (self, "add thread key", NULL, error,
                       "INSERT INTO thread_refs (account_id, ref, thread_id) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT DO NOTHING",
                       "lll", m->account_id, key_hash (g_ptr_array_index (plan->keys, i)),
                       target))
      return FALSE;
  if (plan->subject_key == NULL)
    return TRUE;
  /* The subject key remembers the newest date of this thread, for the window. */
  return lb_store_run (self, "add subject key", NULL, error,
                       "INSERT INTO thread_refs (account_id, ref, thread_id, date) "
                       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET "
                       "date = max(date, excluded.date)",
                       "llll", m->account_id, key_hash (plan->subject_key), target, m->date);
}

/* ---- Threading a whole store at once (migration 015) ----------------------- */

/* The same rules as lb_store_thread_plan() and _apply(), applied in memory to every stored message
 * in row order, with union-find for the merges; only the results are written.  Doing it
 * statement by statement took 10 s for 100,000 messages (bench-ui-list); this takes a
 * fraction of that. */
typedef struct {
  gint64 *ids;      /* message row id of each message, in row order */
  guint  *parent;   /* union-find over positions; the root is the oldest (smallest) */
} Backfill;

typedef struct {
  guint  root;      /* a position in the thread (find() it) */
  gint64 date;
} SubjectEntry;

static guint
bf_find (Backfill *bf,
         guint     i)
{
  while (bf->parent[i] != i)
    {
      bf->parent[i] = bf->parent[bf->parent[i]];
      i = bf->parent[i];
    }
  return i;
}

static void
subject_entries_free (gpointer data)
{
  g_array_unref (data);
}

/* Threads message @i, whose keys are @keys, and records its keys in @by_id and
 * @by_subject (keys prefixed with the account, so accounts stay apart). */
static void
bf_assign (Backfill             *bf,
           GHashTable           *by_id,
           GHashTable           *by_subject,
           guint                 i,
           const LbStoreMessage *m)
{
  gboolean headers;
  g_autoptr(GPtrArray) keys = message_keys (m, &headers);
  gboolean prefixed;
  g_autofree char *base = lb_thread_base_subject (m->subject, &prefixed);
  guint target = i;
  guint found[64];
  guint n_found = 0;
  g_autofree char *subject_key = NULL;
  GArray *entries;

  for (guint k = 0; k < keys->len; k++)
    {
      char *key = g_strdup_printf ("%" G_GINT64_FORMAT " %s", m->account_id,
                                   (char *) g_ptr_array_index (keys, k));
      gpointer at;

      if (g_hash_table_lookup_extended (by_id, key, NULL, &at) && n_found < G_N_ELEMENTS (found))
        found[n_found++] = bf_find (bf, GPOINTER_TO_UINT (at));
      /* The prefixed key is what is recorded below. */
      g_free (g_ptr_array_index (keys, k));
      g_ptr_array_index (keys, k) = key;
    }
  for (guint k = prefixed ? 0 : 1; *base != '\0' && !headers && k < 2; k++)
    {
      g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT " %s%s", m->account_id,
                                              k == 0 ? "s:" : "r:", base);

      entries = g_hash_table_lookup (by_subject, key);
      for (guint e = 0; entries != NULL && e < entries->len; e++)
        {
          SubjectEntry *se = &g_array_index (entries, SubjectEntry, e);

          if (ABS (se->date - m->date) <= LB_THREAD_SUBJECT_WINDOW && n_found < G_N_ELEMENTS (found))
            found[n_found++] = bf_find (bf, se->root);
        }
    }
  for (guint f = 0; f < n_found; f++)
    target = MIN (target, found[f]);
  for (guint f = 0; f < n_found; f++)
    bf->parent[found[f]] = target;
  bf->parent[i] = target;

  for (guint k = 0; k < keys->len; k++)
    if (!g_hash_table_contains (by_id, g_ptr_array_index (keys, k)))
      g_hash_table_insert (by_id, g_strdup (g_ptr_array_index (keys, k)), GUINT_TO_POINTER (i));
  if (*base == '\0')
    return;
  subject_key = g_strdup_printf ("%" G_GINT64_FORMAT " %s%s", m->account_id,
                                 prefixed && !headers ? "r:" : "s:", base);
  entries = g_hash_table_lookup (by_subject, subject_key);
  if (entries == NULL)
    {
      entries = g_array_new (FALSE, FALSE, sizeof (SubjectEntry));
      g_hash_table_insert (by_subject, g_steal_pointer (&subject_key), entries);
    }
  for (guint e = 0; e < entries->len; e++)
    {
      SubjectEntry *se = &g_array_index (entries, SubjectEntry, e);

      if (bf_find (bf, se->root) == target)
        {
          se->date = MAX (se->date, m->date);
          return;
        }
    }
  g_array_append_val (entries, ((SubjectEntry) { i, m->date }));
}

typedef struct {
  gint64      account;
  gint64      ref;       /* key_hash() of the key after the account prefix */
  gint64      thread;
  gint64      date;
} RefRow;

static int
compare_ref_rows (gconstpointer a,
                  gconstpointer b)
{
  const RefRow *x = a;
  const RefRow *y = b;

  if (x->account != y->account)
    return x->account < y->account ? -1 : 1;
  if (x->ref != y->ref)
    return x->ref < y->ref ? -1 : 1;
  return (x->thread > y->thread) - (x->thread < y->thread);
}

/* Adds the rows of thread_refs one table of keys makes (@by_id: one thread each; else a
 * GArray of SubjectEntry). */
static void
collect_ref_rows (Backfill   *bf,
                  GHashTable *keys,
                  gboolean    by_id,
                  GArray     *rows)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, keys);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      RefRow row = { g_ascii_strtoll (key, NULL, 10), key_hash (strchr (key, ' ') + 1), 0, 0 };
      guint n = by_id ? 1 : ((GArray *) value)->len;

      for (guint e = 0; e < n; e++)
        {
          SubjectEntry *se = by_id ? NULL : &g_array_index ((GArray *) value, SubjectEntry, e);

          row.thread = bf->ids[bf_find (bf, by_id ? GPOINTER_TO_UINT (value) : se->root)];
          row.date = by_id ? 0 : se->date;
          g_array_append_val (rows, row);
        }
    }
}

/* Writes the thread ids through a temporary table and two bulk updates (the indexes on
 * them are made afterwards), and the keys in their primary key's order. */
static gboolean
bf_write (LbStore     *self,
          Backfill    *bf,
          guint        n,
          GHashTable  *by_id,
          GHashTable  *by_subject,
          GError     **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (RefRow));

  if (!lb_store_exec (self, "CREATE TEMP TABLE thread_fill (id INTEGER PRIMARY KEY, "
                            "thread INTEGER NOT NULL)", error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!lb_store_run (self, "thread old messages", NULL, error,
                       "INSERT INTO thread_fill (id, thread) VALUES (?1, ?2)",
                       "ll", bf->ids[i], bf->ids[bf_find (bf, i)]))
      return FALSE;
  if (!lb_store_exec (self,
                      "UPDATE messages SET thread_id = f.thread FROM thread_fill f "
                      "WHERE f.id = messages.id; "
                      "UPDATE locations SET thread_id = f.thread FROM thread_fill f "
                      "WHERE f.id = locations.message_id; "
                      "DROP TABLE thread_fill;",
                      error))
    return FALSE;

  collect_ref_rows (bf, by_id, TRUE, rows);
  collect_ref_rows (bf, by_subject, FALSE, rows);
  g_array_sort (rows, compare_ref_rows);
  for (guint i = 0; i < rows->len; i++)
    {
      RefRow *row = &g_array_index (rows, RefRow, i);

      if (!lb_store_run (self, "thread old keys", NULL, error,
                         "INSERT INTO thread_refs (account_id, ref, thread_id, date) "
                         "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET "
                         "date = max(date, excluded.date)",
                         "llll", row->account, row->ref, row->thread, row->date))
        return FALSE;
    }
  return TRUE;
}

/**
 * lb_store_threads_backfill:
 *
 * Gives the messages of a store made before conversations their thread ids, oldest row
 * first as a sync stored them.  Runs inside the migration's transaction.
 */
gboolean
lb_store_threads_backfill (LbStore  *self,
                           GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) by_subject = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            subject_entries_free);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) parent = g_array_new (FALSE, FALSE, sizeof (guint));
  Backfill bf;
  gint64 t0 = g_get_monotonic_time ();
  gint64 t1;
  int rc;

  stmt = lb_store_prepare (self,
                           "SELECT id, account_id, date, message_id, in_reply_to, refs, "
                           "thread_key, subject FROM messages ORDER BY id",
                           error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LbStoreMessage m = { 0 };
      guint i = ids->len;

      m.id = sqlite3_column_int64 (stmt, 0);
      m.account_id = sqlite3_column_int64 (stmt, 1);
      m.date = sqlite3_column_int64 (stmt, 2);
      /* The strings belong to the statement, which stays on this row meanwhile. */
      m.message_id = (char *) sqlite3_column_text (stmt, 3);
      m.in_reply_to = (char *) sqlite3_column_text (stmt, 4);
      m.references = (char *) sqlite3_column_text (stmt, 5);
      m.thread_key = (char *) sqlite3_column_text (stmt, 6);
      m.subject = (char *) sqlite3_column_text (stmt, 7);
      g_array_append_val (ids, m.id);
      g_array_append_val (parent, i);
      bf.ids = (gint64 *) ids->data;
      bf.parent = (guint *) parent->data;
      bf_assign (&bf, by_id, by_subject, i, &m);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "thread old messages");
      return FALSE;
    }
  g_clear_pointer (&stmt, lb_stmt_release);
  bf.ids = (gint64 *) ids->data;
  bf.parent = (guint *) parent->data;
  t1 = g_get_monotonic_time ();
  if (!bf_write (self, &bf, ids->len, by_id, by_subject, error))
    return FALSE;
  g_debug ("Threaded %u stored messages: %.2f s to compute, %.2f s to write", ids->len,
           (t1 - t0) / (double) G_USEC_PER_SEC,
           (g_get_monotonic_time () - t1) / (double) G_USEC_PER_SEC);
  return TRUE;
}

/* ---- Reading conversations ----------------------------------------------------- */

/**
 * lb_store_list_thread_location_ids:
 * @folder_id: a folder, or %LB_STORE_UNIFIED_INBOX
 *
 * The conversation list: for each thread in the folder, the location of its newest
 * message there, newest first.  One scan of the folder's locations in list order, which
 * keeps the first location of each thread (a bit per thread id).
 *
 * Returns: (transfer full) (element-type gint64): location ids
 */
GArray *
lb_store_list_thread_location_ids (LbStore  *self,
                                   gint64    folder_id,
                                   GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree guint8 *seen = NULL;
  gint64 max_thread = 0;
  int rc;

  stmt = lb_store_prepare (self, "SELECT max(id) FROM messages", error);
  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    max_thread = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, lb_stmt_release);
  seen = g_malloc0 ((gsize) (max_thread / 8 + 1));

  if (folder_id == LB_STORE_UNIFIED_INBOX)
    stmt = lb_store_prepare (self, "SELECT id, thread_id FROM locations WHERE unified = 1 "
                                   "ORDER BY date DESC, id DESC", error);
  else
    stmt = lb_store_prepare (self, "SELECT id, thread_id FROM locations WHERE folder_id = ?1 "
                                   "ORDER BY date DESC, id DESC", error);
  if (stmt == NULL)
    return NULL;
  if (folder_id != LB_STORE_UNIFIED_INBOX)
    sqlite3_bind_int64 (stmt, 1, folder_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint64 thread = sqlite3_column_int64 (stmt, 1);

      /* A thread id is a message id, at most max(id) of the snapshot read above; a
       * message stored since then has a larger one and is shown on its own until the
       * reload its insert causes. */
      if (thread > 0 && thread <= max_thread)
        {
          if (seen[thread / 8] & (1u << (thread % 8)))
            continue;
          seen[thread / 8] |= (guint8) (1u << (thread % 8));
        }
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list conversations");
      return NULL;
    }
  return g_steal_pointer (&ids);
}

/**
 * lb_store_list_thread:
 * @thread_id: a thread id
 * @folder_id: the folder the conversation is seen from, or %LB_STORE_UNIFIED_INBOX
 *
 * The messages of a conversation as seen from a folder: those in the folder (or in an
 * inbox, for All Inboxes), and the user's own in a Sent folder.  One row per message,
 * at its location in @folder_id when it has one, oldest first.
 *
 * Returns: (transfer full) (element-type LbStoreListRow): the rows, or %NULL on error
 */
GPtrArray *
lb_store_list_thread (LbStore  *self,
                      gint64    thread_id,
                      gint64    folder_id,
                      GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_list_row_free);
  gint64 last = 0;
  int rc;

  stmt = lb_store_prepare (self,
                           "SELECT " LIST_ROW_COLUMNS " FROM messages m "
                           "JOIN locations l ON l.message_id = m.id "
                           "WHERE m.thread_id = ?1 AND (l.folder_id = ?2 "
                           "OR (?2 = 0 AND l.unified = 1) "
                           "OR l.folder_id IN (SELECT id FROM folders WHERE role = ?3)) "
                           "ORDER BY m.date, m.id, (l.folder_id = ?2 OR (?2 = 0 AND l.unified = 1)) DESC",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, thread_id);
  sqlite3_bind_int64 (stmt, 2, folder_id);
  sqlite3_bind_int (stmt, 3, LB_FOLDER_ROLE_SENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 message_id = sqlite3_column_int64 (stmt, 0);

      /* Rows of one message follow each other, the preferred location first. */
      if (message_id == last)
        continue;
      last = message_id;
      g_ptr_array_add (rows, lb_store_list_row_from_stmt (stmt));
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "read conversation");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/**
 * lb_store_thread_summarize:
 * @rows: (element-type LbStoreListRow): a conversation, as lb_store_list_thread() returns it
 * @out: (out caller-allocates): the summary, to be cleared with lb_store_thread_summary_clear()
 */
void
lb_store_thread_summarize (GPtrArray            *rows,
                           LbStoreThreadSummary *out)
{
  g_autoptr(GString) people = g_string_new (NULL);
  g_autoptr(GHashTable) named = g_hash_table_new (g_str_hash, g_str_equal);
  const LbStoreListRow *newest = NULL;

  memset (out, 0, sizeof *out);
  for (guint i = 0; i < rows->len; i++)
    {
      const LbStoreListRow *row = g_ptr_array_index (rows, i);
      const char *who = row->from_name != NULL && *row->from_name != '\0' ? row->from_name
                                                                           : row->from_address;

      out->count++;
      if (!(row->flags & LB_FLAG_SEEN))
        out->unread++;
      out->flagged |= (row->flags & LB_FLAG_FLAGGED) != 0;
      out->has_attachments |= row->has_attachments;
      if (who != NULL && *who != '\0' && g_hash_table_add (named, (gpointer) who))
        g_string_append_printf (people, "%s%s", people->len > 0 ? ", " : "", who);
      if (newest == NULL || row->date >= newest->date)
        newest = row;
    }
  out->participants = g_string_free (g_steal_pointer (&people), FALSE);
  if (newest != NULL)
    {
      out->subject = g_strdup (newest->subject);
      out->preview = g_strdup (newest->preview);
      out->date = newest->date;
    }
}
