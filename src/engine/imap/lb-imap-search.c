/* lb-imap-search.c: searching a mailbox on the server (UID SEARCH)
 *
 * The parsed query (lb-search-query.c) becomes RFC 3501 search keys:
 * words TEXT, from: FROM, to: TO or CC, subject: SUBJECT, is: SEEN/UNSEEN/
 * FLAGGED, before: SENTBEFORE, after: SENTSINCE (the Date header, like the local
 * search, not the arrival time), -x NOT.  has:attachment has no IMAP
 * key; the caller filters on the envelope it stores.
 *
 * Chinese terms are sent with CHARSET UTF-8.  RFC 3501 wants 8-bit strings as
 * literals.  With LITERAL+ (or LITERAL-, RFC 7888) a non-synchronizing literal
 * goes inline in the command line; without it a literal would need a wait for
 * the server's continuation in the middle of the command, which the session's
 * public API does not offer, so the term goes as a quoted string of UTF-8
 * bytes, which Dovecot, Gmail, QQ and NetEase accept in practice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-imap-response.h"
#include "lb-imap-search.h"
#include "lb-types.h"

static gboolean
is_plain_ascii (const char *s)
{
  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    if (*p < 0x20 || *p >= 0x7f)
      return FALSE;
  return TRUE;
}

static void
append_string (GString    *out,
               const char *s,
               gboolean    literal_plus)
{
  if (!is_plain_ascii (s) && literal_plus)
    {
      g_string_append_printf (out, "{%" G_GSIZE_FORMAT "+}\r\n%s", strlen (s), s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p++)
    {
      /* CR and LF cannot be in a quoted string; a search term never needs them. */
      if (*p == '\r' || *p == '\n')
        continue;
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_date (GString *out,
             gint64   t)
{
  static const char * const months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (t);

  g_string_append_printf (out, "%d-%s-%d", g_date_time_get_day_of_month (dt),
                          months[g_date_time_get_month (dt) - 1], g_date_time_get_year (dt));
}

/**
 * lb_imap_search_build_criteria:
 * @literal_plus: the server takes non-synchronizing literals
 *
 * Returns: (transfer full): the search keys, starting "CHARSET UTF-8"
 */
char *
lb_imap_search_build_criteria (const LbSearchQuery *query,
                               gboolean             literal_plus)
{
  GString *out = g_string_new ("CHARSET UTF-8");
  gboolean any = FALSE;

  for (guint i = 0; i < query->terms->len; i++)
    {
      const LbSearchTerm *term = g_ptr_array_index (query->terms, i);

      g_string_append (out, term->negated ? " NOT " : " ");
      switch (term->field)
        {
        case LB_SEARCH_FIELD_FROM:
          g_string_append (out, "FROM ");
          append_string (out, term->text, literal_plus);
          break;
        case LB_SEARCH_FIELD_TO:
          g_string_append (out, "OR TO ");
          append_string (out, term->text, literal_plus);
          g_string_append (out, " CC ");
          append_string (out, term->text, literal_plus);
          break;
        case LB_SEARCH_FIELD_SUBJECT:
          g_string_append (out, "SUBJECT ");
          append_string (out, term->text, literal_plus);
          break;
        case LB_SEARCH_FIELD_ANY:
        default:
          g_string_append (out, "TEXT ");
          append_string (out, term->text, literal_plus);
          break;
        }
      any = TRUE;
    }
  if (query->flags_set & LB_FLAG_SEEN)
    g_string_append (out, " SEEN"), any = TRUE;
  if (query->flags_unset & LB_FLAG_SEEN)
    g_string_append (out, " UNSEEN"), any = TRUE;
  if (query->flags_set & LB_FLAG_FLAGGED)
    g_string_append (out, " FLAGGED"), any = TRUE;
  if (query->flags_unset & LB_FLAG_FLAGGED)
    g_string_append (out, " UNFLAGGED"), any = TRUE;
  if (query->before != 0)
    {
      g_string_append (out, " SENTBEFORE ");
      append_date (out, query->before);
      any = TRUE;
    }
  if (query->after != 0)
    {
      g_string_append (out, " SENTSINCE ");
      append_date (out, query->after);
      any = TRUE;
    }
  if (!any)
    g_string_append (out, " ALL");
  return g_string_free (out, FALSE);
}

static gboolean
collect (LbImapResponse  *r,
         gpointer         user_data,
         GError         **error)
{
  GArray *uids = user_data;

  if (r->kind == LB_IMAP_RESPONSE_SEARCH)
    g_array_append_vals (uids, r->u.search.numbers->data, r->u.search.numbers->len);
  return TRUE;
}

/**
 * lb_imap_search_uids_sync:
 * @session: a session with the mailbox selected
 *
 * Blocks: runs on the account's worker.
 *
 * Returns: (transfer full) (element-type guint32): the matching UIDs
 */
GArray *
lb_imap_search_uids_sync (LbImapSession        *session,
                          const LbSearchQuery  *query,
                          GCancellable         *cancellable,
                          GError              **error)
{
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(LbImapResponse) ok = NULL;
  g_autofree char *criteria = NULL;
  gboolean literal_plus = lb_imap_session_has_capability (session, "LITERAL+") ||
                          lb_imap_session_has_capability (session, "LITERAL-");

  criteria = lb_imap_search_build_criteria (query, literal_plus);
  ok = lb_imap_session_command_sync (session, collect, uids, cancellable, error, "UID SEARCH %s", criteria);
  if (ok == NULL)
    return NULL;
  return g_steal_pointer (&uids);
}
