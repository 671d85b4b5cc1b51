/* lb-search-query.c: the search query language
 *
 * What people type in the search box, turned into terms and filters:
 *
 *   会议 report                     both words, anywhere (sender, recipients, subject, body)
 *   "季度 报告"                      a phrase, spaces included
 *   from:zhang  发件人:张三           the sender
 *   to:li  收件人:李四                 To or Cc
 *   subject:发票  主题:"Q3 plan"      the subject
 *   has:attachment  is:unread  is:read  is:flagged
 *   before:2024-03-05  after:2024/3/5
 *   -spam                           must not contain
 *
 * The colon may be full-width (：), as Chinese input methods type it.  A word
 * whose operator is unknown, or whose value makes no sense, is searched for as
 * typed, so "10:30" or "http://x" still find what they say.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-search-query.h"
#include "lb-types.h"

static void
term_free (gpointer data)
{
  LbSearchTerm *term = data;

  g_free (term->text);
  g_free (term);
}

/**
 * lb_search_query_free:
 */
void
lb_search_query_free (LbSearchQuery *query)
{
  if (query == NULL)
    return;
  g_ptr_array_unref (query->terms);
  g_free (query->in_folder);
  g_free (query);
}

static gboolean
is_space (const char *p)
{
  return g_unichar_isspace (g_utf8_get_char (p));
}

static gboolean
is_open_quote (gunichar c)
{
  return c == '"' || c == 0x201C /* “ */ || c == 0x300C /* 「 */;
}

static gboolean
is_close_quote (gunichar c)
{
  return c == '"' || c == 0x201D /* ” */ || c == 0x300D /* 」 */;
}

/* Reads a quoted phrase starting at the opening quote; an unterminated phrase
 * runs to the end of the query.  Returns the text, *end points after it. */
static char *
read_phrase (const char  *p,
             const char **end)
{
  const char *start = g_utf8_next_char (p);
  const char *q = start;

  while (*q != '\0' && !is_close_quote (g_utf8_get_char (q)))
    q = g_utf8_next_char (q);
  *end = *q != '\0' ? g_utf8_next_char (q) : q;
  return g_strndup (start, q - start);
}

static const char *
word_end (const char *p)
{
  while (*p != '\0' && !is_space (p))
    p = g_utf8_next_char (p);
  return p;
}

/**
 * lb_search_parse_date:
 * @text: YYYY-MM-DD, YYYY/M/D or YYYY.M.D
 * @out_time: (out): local midnight at the start of that day, as unix time
 *
 * Returns: %TRUE if @text is a valid date
 */
gboolean
lb_search_parse_date (const char *text,
                      gint64     *out_time)
{
  guint64 v[3];
  const char *p = text;
  char sep = 0;
  g_autoptr(GDateTime) dt = NULL;

  for (guint i = 0; i < 3; i++)
    {
      char *end;

      if (!g_ascii_isdigit (*p))
        return FALSE;
      v[i] = g_ascii_strtoull (p, &end, 10);
      if (end - p > (i == 0 ? 4 : 2))
        return FALSE;
      p = end;
      if (i < 2)
        {
          if (*p != '-' && *p != '/' && *p != '.')
            return FALSE;
          if (sep != 0 && *p != sep)
            return FALSE;
          sep = *p++;
        }
    }
  if (*p != '\0' || !g_date_valid_dmy (v[2], v[1], v[0]) || v[0] < 1970)
    return FALSE;
  dt = g_date_time_new_local ((int) v[0], (int) v[1], (int) v[2], 0, 0, 0);
  if (dt == NULL)
    return FALSE;
  *out_time = g_date_time_to_unix (dt);
  return TRUE;
}

typedef enum {
  OP_NONE,
  OP_FROM,
  OP_TO,
  OP_SUBJECT,
  OP_HAS,
  OP_IS,
  OP_BEFORE,
  OP_AFTER,
  OP_IN,
} Op;

static Op
lookup_op (const char *key,
           gsize       len)
{
  static const struct { const char *name; Op op; } ops[] = {
    { "from", OP_FROM }, { "发件人", OP_FROM }, { "发信人", OP_FROM },
    { "to", OP_TO }, { "收件人", OP_TO },
    /* The store keeps To and Cc as one text, the recipients. */
    { "cc", OP_TO }, { "抄送", OP_TO },
    { "in", OP_IN }, { "文件夹", OP_IN },
    { "subject", OP_SUBJECT }, { "主题", OP_SUBJECT },
    { "has", OP_HAS }, { "is", OP_IS },
    { "before", OP_BEFORE }, { "after", OP_AFTER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    if (strlen (ops[i].name) == len && g_ascii_strncasecmp (ops[i].name, key, len) == 0)
      return ops[i].op;
  return OP_NONE;
}

static void
add_term (LbSearchQuery *query,
          LbSearchField  field,
          char          *text,
          gboolean       negated)
{
  LbSearchTerm *term;

  g_strstrip (text);
  if (*text == '\0')
    {
      g_free (text);
      return;
    }
  term = g_new0 (LbSearchTerm, 1);
  term->field = field;
  term->text = text;
  term->negated = negated;
  g_ptr_array_add (query->terms, term);
}

/* Applies a filter operator (has:, is:, before:, after:); FALSE if the value
 * means nothing, so that the word is searched for as typed. */
static gboolean
apply_filter (LbSearchQuery *query,
              Op             op,
              const char    *value,
              gboolean       negated)
{
  gint64 t;

  switch (op)
    {
    case OP_HAS:
      if (g_ascii_strcasecmp (value, "attachment") != 0 &&
          g_ascii_strcasecmp (value, "attachments") != 0 && strcmp (value, "附件") != 0)
        return FALSE;
      if (negated)
        query->no_attachment = TRUE;
      else
        query->has_attachment = TRUE;
      return TRUE;
    case OP_IS:
      {
        guint flag;
        gboolean set;

        if (g_ascii_strcasecmp (value, "unread") == 0 || strcmp (value, "未读") == 0)
          flag = LB_FLAG_SEEN, set = FALSE;
        else if (g_ascii_strcasecmp (value, "read") == 0 || strcmp (value, "已读") == 0)
          flag = LB_FLAG_SEEN, set = TRUE;
        else if (g_ascii_strcasecmp (value, "flagged") == 0 ||
                 g_ascii_strcasecmp (value, "starred") == 0 || strcmp (value, "星标") == 0)
          flag = LB_FLAG_FLAGGED, set = TRUE;
        else
          return FALSE;
        if (negated)
          set = !set;
        if (set)
          query->flags_set |= flag;
        else
          query->flags_unset |= flag;
        return TRUE;
      }
    case OP_BEFORE:
    case OP_AFTER:
      if (!lb_search_parse_date (value, &t))
        return FALSE;
      if ((op == OP_BEFORE) != negated)
        query->before = query->before != 0 ? MIN (query->before, t) : t;
      else
        query->after = MAX (query->after, t);
      return TRUE;
    case OP_NONE:
    case OP_IN:
    case OP_FROM:
    case OP_TO:
    case OP_SUBJECT:
    default:
      g_assert_not_reached ();
    }
}

/* Parses one token at p (not at a space); returns the position after it. */
static const char *
parse_token (LbSearchQuery *query,
             const char    *p)
{
  gboolean negated = FALSE;
  const char *end = word_end (p);
  const char *colon = NULL;

  /* "-" alone, or at the end, is a word like any other. */
  if (*p == '-' && p[1] != '\0' && !is_space (p + 1))
    {
      negated = TRUE;
      p++;
    }

  if (is_open_quote (g_utf8_get_char (p)))
    {
      add_term (query, LB_SEARCH_FIELD_ANY, read_phrase (p, &end), negated);
      return end;
    }

  for (const char *q = p; q < end; q = g_utf8_next_char (q))
    if (*q == ':' || g_utf8_get_char (q) == 0xFF1A /* ： */)
      {
        colon = q;
        break;
      }

  if (colon != NULL && colon > p)
    {
      Op op = lookup_op (p, colon - p);
      const char *value = g_utf8_next_char (colon);

      if (op == OP_FROM || op == OP_TO || op == OP_SUBJECT)
        {
          static const LbSearchField fields[] = {
            [OP_FROM] = LB_SEARCH_FIELD_FROM,
            [OP_TO] = LB_SEARCH_FIELD_TO,
            [OP_SUBJECT] = LB_SEARCH_FIELD_SUBJECT,
          };
          char *text;

          if (is_open_quote (g_utf8_get_char (value)))
            text = read_phrase (value, &end);
          else
            text = g_strndup (value, end - value);
          if (*text != '\0')
            {
              add_term (query, fields[op], text, negated);
              return end;
            }
          g_free (text);
        }
      else if (op == OP_IN)
        {
          g_autofree char *text = is_open_quote (g_utf8_get_char (value))
                                  ? read_phrase (value, &end) : g_strndup (value, end - value);

          if (*text != '\0' && !negated)
            {
              g_free (query->in_folder);
              query->in_folder = g_steal_pointer (&text);
              return end;
            }
        }
      else if (op != OP_NONE)
        {
          g_autofree char *text = g_strndup (value, end - value);

          if (apply_filter (query, op, text, negated))
            return end;
        }
    }

  add_term (query, LB_SEARCH_FIELD_ANY, g_strndup (p, end - p), negated);
  return end;
}

/**
 * lb_search_query_parse:
 * @query: what the user typed; must be UTF-8
 *
 * Returns: (transfer full): the parsed query; never %NULL (an empty query
 *   matches everything in scope)
 */
LbSearchQuery *
lb_search_query_parse (const char *query)
{
  LbSearchQuery *self = g_new0 (LbSearchQuery, 1);
  const char *p = query != NULL ? query : "";

  self->terms = g_ptr_array_new_with_free_func (term_free);
  if (!g_utf8_validate (p, -1, NULL))
    return self;

  while (*p != '\0')
    {
      if (is_space (p))
        p = g_utf8_next_char (p);
      else
        p = parse_token (self, p);
    }
  return self;
}

/**
 * lb_search_query_is_empty:
 *
 * Returns: %TRUE if the query has no term and no filter
 */
gboolean
lb_search_query_is_empty (const LbSearchQuery *query)
{
  return query->terms->len == 0 && query->flags_set == 0 && query->flags_unset == 0 &&
         !query->has_attachment && !query->no_attachment && query->after == 0 &&
         query->before == 0 && query->in_folder == NULL;
}

static int
longest_first (gconstpointer a,
               gconstpointer b)
{
  const char *sa = *(const char * const *) a;
  const char *sb = *(const char * const *) b;
  glong la = g_utf8_strlen (sa, -1), lb = g_utf8_strlen (sb, -1);

  return la != lb ? (la > lb ? -1 : 1) : strcmp (sa, sb);
}

/**
 * lb_search_query_get_terms:
 * @query: what the user typed
 *
 * The texts to highlight in results: every term that must match, whatever its
 * field, without duplicates, longest first (so that a highlighter trying them
 * in order marks "会议纪要" before "会议").  Matching is case-insensitive for
 * ASCII letters, as the search is.
 *
 * Returns: (transfer full) (array zero-terminated=1): the terms, possibly empty
 */
char **
lb_search_query_get_terms (const char *query)
{
  g_autoptr(LbSearchQuery) parsed = lb_search_query_parse (query);
  g_autoptr(GPtrArray) out = g_ptr_array_new ();

  for (guint i = 0; i < parsed->terms->len; i++)
    {
      LbSearchTerm *term = g_ptr_array_index (parsed->terms, i);
      gboolean seen = FALSE;

      if (term->negated)
        continue;
      for (guint j = 0; j < out->len && !seen; j++)
        seen = strcmp (g_ptr_array_index (out, j), term->text) == 0;
      if (!seen)
        g_ptr_array_add (out, g_strdup (term->text));
    }
  g_ptr_array_sort (out, longest_first);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}
