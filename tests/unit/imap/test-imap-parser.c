/* test-imap-parser.c: the IMAP response parser against transcripts and malformed input
 *
 * Every transcript is fed whole, byte by byte, in odd-sized chunks and (when
 * small) split at every offset; each way must give exactly the same responses.
 * Responses are compared through a dump that prints every parsed field.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-error.h"
#include "lb-imap-parser.h"
#include "lb-mutf7.h"

/* ------------------------------------------------------------------------ */
/* Dumping responses                                                         */
/* ------------------------------------------------------------------------ */

static void
dump_str (GString    *out,
          const char *s)
{
  if (s == NULL)
    {
      g_string_append (out, "NIL");
      return;
    }
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++)
    if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
      g_string_append_printf (out, "\\x%02x", *p);
    else
      g_string_append_c (out, (char) *p);
  g_string_append_c (out, '"');
}

static void
dump_bytes (GString *out,
            GBytes  *b)
{
  gsize n;
  const guchar *p;

  if (b == NULL)
    {
      g_string_append (out, "NIL");
      return;
    }
  p = g_bytes_get_data (b, &n);
  g_string_append_printf (out, "%" G_GSIZE_FORMAT ":", n);
  for (gsize i = 0; i < n; i++)
    g_string_append_printf (out, "%02x", p[i]);
}

static void
dump_strv (GString *out,
           char   **v)
{
  if (v == NULL)
    {
      g_string_append (out, "NIL");
      return;
    }
  g_string_append_c (out, '(');
  for (guint i = 0; v[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      dump_str (out, v[i]);
    }
  g_string_append_c (out, ')');
}

static void
dump_set (GString      *out,
          const GArray *set)
{
  g_autofree char *s = NULL;

  if (set == NULL)
    {
      g_string_append (out, "NIL");
      return;
    }
  s = lb_imap_seqset_format_ranges (set);
  g_string_append (out, s != NULL ? s : "EMPTY");
}

static void
dump_params (GString   *out,
             GPtrArray *params)
{
  if (params == NULL)
    {
      g_string_append (out, "NIL");
      return;
    }
  g_string_append_c (out, '(');
  for (guint i = 0; i < params->len; i++)
    {
      LbImapParam *p = g_ptr_array_index (params, i);

      dump_str (out, p->name);
      g_string_append_c (out, '=');
      dump_str (out, p->value);
      g_string_append_c (out, ';');
    }
  g_string_append_c (out, ')');
}

static void
dump_addresses (GString   *out,
                GPtrArray *list)
{
  if (list == NULL)
    {
      g_string_append (out, "NIL");
      return;
    }
  g_string_append_c (out, '(');
  for (guint i = 0; i < list->len; i++)
    {
      LbImapAddress *a = g_ptr_array_index (list, i);

      g_string_append_c (out, '(');
      dump_str (out, a->name);
      dump_str (out, a->adl);
      dump_str (out, a->mailbox);
      dump_str (out, a->host);
      g_string_append_c (out, ')');
    }
  g_string_append_c (out, ')');
}

static void
dump_envelope (GString        *out,
               LbImapEnvelope *e)
{
  if (e == NULL)
    {
      g_string_append (out, "NIL");
      return;
    }
  g_string_append (out, "ENV[");
  dump_str (out, e->date);
  dump_str (out, e->subject);
  dump_addresses (out, e->from);
  dump_addresses (out, e->sender);
  dump_addresses (out, e->reply_to);
  dump_addresses (out, e->to);
  dump_addresses (out, e->cc);
  dump_addresses (out, e->bcc);
  dump_str (out, e->in_reply_to);
  dump_str (out, e->message_id);
  g_string_append_c (out, ']');
}

static void
dump_body (GString    *out,
           LbImapBody *b)
{
  if (b == NULL)
    {
      g_string_append (out, "NIL");
      return;
    }
  g_string_append (out, "BODY[");
  dump_str (out, b->type);
  dump_str (out, b->subtype);
  dump_params (out, b->params);
  dump_str (out, b->id);
  dump_str (out, b->description);
  dump_str (out, b->encoding);
  g_string_append_printf (out, " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " ", b->size, b->lines);
  dump_str (out, b->md5);
  dump_str (out, b->disposition);
  dump_params (out, b->disposition_params);
  dump_envelope (out, b->envelope);
  if (b->parts != NULL)
    for (guint i = 0; i < b->parts->len; i++)
      dump_body (out, g_ptr_array_index (b->parts, i));
  g_string_append_c (out, ']');
}

static char *
dump (const LbImapResponse *r)
{
  GString *out = g_string_new (NULL);
  const LbImapFetch *f = &r->u.fetch;

  g_string_append_printf (out, "kind=%d tag=", r->kind);
  dump_str (out, r->tag);
  g_string_append_printf (out, " status=%s", lb_imap_status_to_string (r->status));
  if (r->code.kind != LB_IMAP_CODE_NONE)
    {
      g_string_append_printf (out, " code=%d:", r->code.kind);
      dump_str (out, r->code.name);
      dump_str (out, r->code.raw);
      g_string_append_printf (out, " n=%u m=%" G_GUINT64_FORMAT " ", r->code.number, r->code.modseq);
      dump_strv (out, r->code.list);
      dump_set (out, r->code.set);
      g_string_append_c (out, '/');
      dump_set (out, r->code.dest_set);
    }
  g_string_append (out, " text=");
  dump_str (out, r->text);
  g_string_append (out, " name=");
  dump_str (out, r->name);
  g_string_append_c (out, ' ');

  switch (r->kind)
    {
    case LB_IMAP_RESPONSE_CAPABILITY:
    case LB_IMAP_RESPONSE_ENABLED:
    case LB_IMAP_RESPONSE_FLAGS:
      dump_strv (out, r->u.list);
      break;
    case LB_IMAP_RESPONSE_EXISTS:
    case LB_IMAP_RESPONSE_RECENT:
    case LB_IMAP_RESPONSE_EXPUNGE:
      g_string_append_printf (out, "%u", r->u.number);
      break;
    case LB_IMAP_RESPONSE_ID:
      dump_params (out, r->u.params);
      break;
    case LB_IMAP_RESPONSE_VANISHED:
      g_string_append_printf (out, "earlier=%d ", r->u.vanished.earlier);
      dump_set (out, r->u.vanished.uids);
      break;
    case LB_IMAP_RESPONSE_LIST:
      g_string_append_printf (out, "cmd=%d attrs=%x ", r->u.list_data.command, r->u.list_data.attrs);
      dump_strv (out, r->u.list_data.attributes);
      g_string_append_printf (out, " delim=%d ", r->u.list_data.delimiter);
      dump_str (out, r->u.list_data.name);
      break;
    case LB_IMAP_RESPONSE_MAILBOX_STATUS:
      {
        const LbImapMailboxStatus *s = &r->u.mailbox_status;

        dump_str (out, s->name);
        g_string_append_printf (out, " items=%x %u %u %u %u %u %" G_GUINT64_FORMAT, s->items,
                                s->messages, s->recent, s->uidnext, s->uidvalidity, s->unseen,
                                s->highestmodseq);
      }
      break;
    case LB_IMAP_RESPONSE_SEARCH:
      for (guint i = 0; i < r->u.search.numbers->len; i++)
        g_string_append_printf (out, "%u,", g_array_index (r->u.search.numbers, guint32, i));
      g_string_append_printf (out, " modseq=%" G_GUINT64_FORMAT, r->u.search.modseq);
      break;
    case LB_IMAP_RESPONSE_ESEARCH:
      dump_str (out, r->u.esearch.tag);
      g_string_append_printf (out, " uid=%d items=%x min=%u max=%u count=%u modseq=%" G_GUINT64_FORMAT " all=",
                              r->u.esearch.uid, r->u.esearch.items, r->u.esearch.min,
                              r->u.esearch.max, r->u.esearch.count, r->u.esearch.modseq);
      dump_set (out, r->u.esearch.all);
      break;
    case LB_IMAP_RESPONSE_NAMESPACE:
      g_string_append_printf (out, "has=%d ", r->u.namespace_data.has_personal);
      dump_str (out, r->u.namespace_data.personal_prefix);
      g_string_append_printf (out, " %d", r->u.namespace_data.personal_delimiter);
      break;
    case LB_IMAP_RESPONSE_FETCH:
      g_string_append_printf (out, "seq=%u items=%x uid=%u flags=%x recent=%d kw=", f->seq,
                              f->items, f->uid, f->flags, f->recent);
      dump_strv (out, f->keywords);
      g_string_append_printf (out, " date=%" G_GINT64_FORMAT "/%d size=%" G_GUINT64_FORMAT " ",
                              f->internaldate, f->internaldate_offset, f->size);
      dump_envelope (out, f->envelope);
      dump_body (out, f->bodystructure);
      g_string_append_printf (out, " modseq=%" G_GUINT64_FORMAT " gm=%" G_GUINT64_FORMAT
                              "/%" G_GUINT64_FORMAT " labels=", f->modseq, f->gm_msgid, f->gm_thrid);
      dump_strv (out, f->gm_labels);
      if (f->sections != NULL)
        for (guint i = 0; i < f->sections->len; i++)
          {
            LbImapBodySection *s = g_ptr_array_index (f->sections, i);

            g_string_append (out, " SECTION");
            dump_str (out, s->section);
            g_string_append_printf (out, "b=%d o=%" G_GINT64_FORMAT " ", s->binary, s->origin);
            dump_bytes (out, s->data);
          }
      break;
    case LB_IMAP_RESPONSE_STATUS:
    case LB_IMAP_RESPONSE_CONTINUATION:
    case LB_IMAP_RESPONSE_UNKNOWN:
    default:
      break;
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Feeding                                                                   */
/* ------------------------------------------------------------------------ */

/* Takes every available response out of @p, as dumps or "ERROR: message".
 * Returns FALSE once the parser has failed for good. */
static gboolean
drain (LbImapParser *p,
       GPtrArray    *out)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LbImapResponse) r = lb_imap_parser_next (p, &error);

      if (r != NULL)
        {
          g_assert_no_error (error);
          g_ptr_array_add (out, dump (r));
          continue;
        }
      if (error == NULL)
        return TRUE;
      g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
      g_ptr_array_add (out, g_strdup_printf ("ERROR: %s", error->message));
      if (lb_imap_parser_has_failed (p))
        return FALSE;
    }
}

/* Feeds @data in chunks of @chunk bytes (0: whole).  Each configure
 * callback may set limits on the fresh parser. */
static GPtrArray *
run_chunked (const char *data,
             gsize       len,
             gsize       chunk,
             gsize       max_literal)
{
  g_autoptr(LbImapParser) p = lb_imap_parser_new ();
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  gsize off = 0;

  if (max_literal > 0)
    lb_imap_parser_set_max_literal_size (p, max_literal);
  if (chunk == 0)
    chunk = MAX (len, 1);
  while (off < len)
    {
      gsize n = MIN (chunk, len - off);

      lb_imap_parser_feed (p, data + off, n);
      off += n;
      if (!drain (p, out))
        return out;
    }
  drain (p, out);
  return out;
}

static GPtrArray *
run_split (const char *data,
           gsize       len,
           gsize       at)
{
  g_autoptr(LbImapParser) p = lb_imap_parser_new ();
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  lb_imap_parser_feed (p, data, at);
  if (drain (p, out))
    {
      lb_imap_parser_feed (p, data + at, len - at);
      drain (p, out);
    }
  return out;
}

static void
assert_same (GPtrArray  *expected,
             GPtrArray  *got,
             const char *how)
{
  if (expected->len != got->len)
    g_error ("%s: %u responses instead of %u", how, got->len, expected->len);
  for (guint i = 0; i < expected->len; i++)
    if (g_strcmp0 (g_ptr_array_index (expected, i), g_ptr_array_index (got, i)) != 0)
      g_error ("%s: response %u differs:\n  %s\n  %s", how, i,
               (char *) g_ptr_array_index (expected, i), (char *) g_ptr_array_index (got, i));
}

/* Feeds a transcript every way and returns the dumps (which are all equal). */
static GPtrArray *
feed_all_ways (const char *data,
               gsize       len)
{
  GPtrArray *whole = run_chunked (data, len, 0, 0);
  static const gsize chunks[] = { 1, 2, 3, 7, 64, 1000 };

  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      g_autoptr(GPtrArray) got = run_chunked (data, len, chunks[i], 0);
      g_autofree char *how = g_strdup_printf ("chunks of %" G_GSIZE_FORMAT, chunks[i]);

      assert_same (whole, got, how);
    }
  if (len <= 4096)
    for (gsize at = 0; at <= len; at++)
      {
        g_autoptr(GPtrArray) got = run_split (data, len, at);
        g_autofree char *how = g_strdup_printf ("split at %" G_GSIZE_FORMAT, at);

        assert_same (whole, got, how);
      }
  return whole;
}

/* Parses a transcript every way and returns the responses of the whole feed;
 * errors fail the test. */
static GPtrArray *
parse_all (const char *data,
           gsize       len)
{
  g_autoptr(GPtrArray) dumps = feed_all_ways (data, len);
  g_autoptr(LbImapParser) p = lb_imap_parser_new ();
  GPtrArray *responses = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_imap_response_unref);
  LbImapResponse *r;
  GError *error = NULL;

  lb_imap_parser_feed (p, data, len);
  while ((r = lb_imap_parser_next (p, &error)) != NULL)
    g_ptr_array_add (responses, r);
  g_assert_no_error (error);
  g_assert_cmpuint (responses->len, ==, dumps->len);
  g_assert_cmpuint (lb_imap_parser_get_buffered (p), ==, 0);
  return responses;
}

static LbImapResponse *
parse1 (const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *framed = g_strconcat (line, "\r\n", NULL);
  g_autoptr(GPtrArray) dumps = feed_all_ways (framed, strlen (framed));
  LbImapResponse *r = lb_imap_parse_response (line, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_cmpuint (dumps->len, ==, 1);
  return r;
}

static void
assert_parse_error (const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapResponse) r = lb_imap_parse_response (line, -1, &error);

  g_test_message ("input “%s”", line);
  g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
  g_assert_null (r);
}

#define RESP(list, i) ((LbImapResponse *) g_ptr_array_index ((list), (i)))

/* ------------------------------------------------------------------------ */
/* Transcripts                                                               */
/* ------------------------------------------------------------------------ */

/* What Dovecot 2.3.19 sends for a session with CONDSTORE/QRESYNC, special-use
 * folders, an ENVELOPE+BODYSTRUCTURE fetch and a QRESYNC select. */
static char *
dovecot_transcript (gsize *len)
{
  GString *s = g_string_new (NULL);
  const char *header = "From: Alice <alice@example.com>\r\nTo: bob@example.com\r\n\r\n";
  const char *body = "Hello Bob)\r\n* 9 FETCH (UID 99)\r\na1 OK not a tag\r\n";

  g_string_append (s,
    "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.\r\n"
    "a1 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE] Logged in\r\n"
    "* ID (\"name\" \"Dovecot\")\r\n"
    "a2 OK ID completed (0.001 + 0.000 secs).\r\n"
    "* ENABLED CONDSTORE QRESYNC\r\n"
    "a3 OK Enabled.\r\n"
    "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"
    "a4 OK Namespace completed (0.001 + 0.000 secs).\r\n"
    "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
    "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
    "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n"
    "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
    "* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n"
    "* LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n"
    "* LIST (\\HasNoChildren) \"/\" \"My Folder\"\r\n"
    "* LIST (\\HasNoChildren) \"/\" &XfJT0ZAB-\r\n"
    "a5 OK List completed (0.001 + 0.000 secs).\r\n"
    "* STATUS Sent (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1700000001 UNSEEN 0 HIGHESTMODSEQ 4 RECENT 0)\r\n"
    "a6 OK Status completed (0.001 + 0.000 secs).\r\n"
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n"
    "* 3 EXISTS\r\n"
    "* 0 RECENT\r\n"
    "* OK [UNSEEN 2] First unseen.\r\n"
    "* OK [UIDVALIDITY 1700000000] UIDs valid\r\n"
    "* OK [UIDNEXT 4] Predicted next UID\r\n"
    "* OK [HIGHESTMODSEQ 7] Highest\r\n"
    "a7 OK [READ-WRITE] Select completed (0.002 + 0.000 + 0.001 secs).\r\n"
    "* 1 FETCH (UID 1 RFC822.SIZE 1843 FLAGS (\\Seen $Forwarded NonJunk) INTERNALDATE \"17-Jul-2023 02:44:25 +0800\" "
    "ENVELOPE (\"Mon, 17 Jul 2023 02:44:25 +0800\" \"=?UTF-8?B?5rWL6K+V?=\" ((\"Alice\" NIL \"alice\" \"example.com\")) "
    "((\"Alice\" NIL \"alice\" \"example.com\")) ((\"Alice\" NIL \"alice\" \"example.com\")) ((NIL NIL \"bob\" \"example.com\")"
    "(\"Carol \\\"C\\\"\" NIL \"carol\" \"example.org\")) NIL NIL NIL \"<1@example.com>\") "
    "BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 120 4 NIL NIL NIL NIL)"
    "(\"application\" \"pdf\" (\"name\" \"report.pdf\") NIL NIL \"base64\" 1024 NIL (\"attachment\" (\"filename\" \"report.pdf\")) NIL NIL) "
    "\"mixed\" (\"boundary\" \"xyz\") NIL NIL NIL) MODSEQ (5))\r\n"
    "* 2 FETCH (UID 2 RFC822.SIZE 900 FLAGS () INTERNALDATE \" 1-Jan-2024 00:00:00 +0000\" "
    "ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "
    "BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL) MODSEQ (6))\r\n"
    "a8 OK Fetch completed (0.001 + 0.000 secs).\r\n");
  g_string_append_printf (s, "* 3 FETCH (UID 3 BODY[HEADER.FIELDS (FROM TO)] {%zu}\r\n%s BODY[1]<0> {%zu}\r\n%s)\r\n",
                          strlen (header), header, strlen (body), body);
  g_string_append (s,
    "a9 OK Fetch completed (0.001 + 0.000 secs).\r\n"
    "* OK [CLOSED] Previous mailbox closed.\r\n"
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n"
    "* 3 EXISTS\r\n"
    "* 0 RECENT\r\n"
    "* OK [UIDVALIDITY 1700000000] UIDs valid\r\n"
    "* OK [UIDNEXT 12] Predicted next UID\r\n"
    "* OK [HIGHESTMODSEQ 20] Highest\r\n"
    "* VANISHED (EARLIER) 4:7,9\r\n"
    "* 3 FETCH (UID 3 FLAGS (\\Seen \\Flagged) MODSEQ (19))\r\n"
    "a10 OK [READ-WRITE] Select completed (0.002 + 0.000 + 0.001 secs).\r\n"
    "+ idling\r\n"
    "* 4 EXISTS\r\n"
    "* VANISHED 3\r\n"
    "a11 OK Idle completed (0.001 + 3.001 + 3.000 secs).\r\n"
    "a12 OK [APPENDUID 1700000000 12] Append completed (0.003 + 0.000 secs).\r\n"
    "a13 OK [COPYUID 1700000001 1:2,12 3:5] Moved UIDs.\r\n"
    "* ESEARCH (TAG \"a14\") UID MIN 1 MAX 12 COUNT 3 ALL 1:2,12\r\n"
    "* SEARCH 1 2 12 (MODSEQ 20)\r\n"
    "a14 NO [TRYCREATE] Mailbox doesn't exist: Nope\r\n"
    "* BYE Logging out\r\n"
    "a15 OK Logout completed (0.001 + 0.000 secs).\r\n");
  *len = s->len;
  return g_string_free (s, FALSE);
}

static void
test_dovecot_session (void)
{
  gsize len;
  g_autofree char *t = dovecot_transcript (&len);
  g_autoptr(GPtrArray) rs = parse_all (t, len);
  LbImapResponse *r;
  const LbImapFetch *f;
  const LbImapBodySection *sec;
  LbImapBody *b;
  gsize n;
  guint i = 0;

  g_assert_cmpuint (rs->len, ==, 55);

  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_STATUS);
  g_assert_null (r->tag);
  g_assert_cmpint (r->status, ==, LB_IMAP_STATUS_OK);
  g_assert_cmpint (r->code.kind, ==, LB_IMAP_CODE_CAPABILITY);
  g_assert_true (g_strv_contains ((const char * const *) r->code.list, "AUTH=PLAIN"));
  g_assert_cmpuint (g_strv_length (r->code.list), ==, 10);
  g_assert_cmpstr (r->text, ==, "Dovecot (Debian) ready.");

  r = RESP (rs, i++);
  g_assert_true (lb_imap_response_is_tagged (r, "a1"));
  g_assert_true (g_strv_contains ((const char * const *) r->code.list, "QRESYNC"));
  g_assert_true (g_strv_contains ((const char * const *) r->code.list, "SPECIAL-USE"));
  g_assert_cmpstr (r->text, ==, "Logged in");

  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_ID);
  g_assert_cmpstr (lb_imap_params_lookup (r->u.params, "NAME"), ==, "Dovecot");
  i++;
  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_ENABLED);
  g_assert_cmpstr (r->u.list[0], ==, "CONDSTORE");
  g_assert_cmpstr (r->u.list[1], ==, "QRESYNC");
  g_assert_null (r->u.list[2]);
  i++;
  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_NAMESPACE);
  g_assert_true (r->u.namespace_data.has_personal);
  g_assert_cmpstr (r->u.namespace_data.personal_prefix, ==, "");
  g_assert_cmpint (r->u.namespace_data.personal_delimiter, ==, '/');
  i++;

  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_LIST);
  g_assert_cmpint (r->u.list_data.command, ==, LB_IMAP_LIST_COMMAND_LIST);
  g_assert_cmpstr (r->u.list_data.name, ==, "INBOX");
  g_assert_cmpint (r->u.list_data.delimiter, ==, '/');
  g_assert_cmpint (r->u.list_data.attrs, ==, LB_IMAP_LIST_HASNOCHILDREN);
  r = RESP (rs, i++);
  g_assert_cmpstr (r->u.list_data.name, ==, "Sent");
  g_assert_cmpint (r->u.list_data.attrs, ==, LB_IMAP_LIST_HASNOCHILDREN | LB_IMAP_LIST_SENT);
  g_assert_cmpint (RESP (rs, i++)->u.list_data.attrs & LB_IMAP_LIST_DRAFTS, !=, 0);
  g_assert_cmpint (RESP (rs, i++)->u.list_data.attrs & LB_IMAP_LIST_TRASH, !=, 0);
  g_assert_cmpint (RESP (rs, i++)->u.list_data.attrs & LB_IMAP_LIST_JUNK, !=, 0);
  g_assert_cmpint (RESP (rs, i++)->u.list_data.attrs & LB_IMAP_LIST_ARCHIVE, !=, 0);
  g_assert_cmpstr (RESP (rs, i++)->u.list_data.name, ==, "My Folder");
  g_assert_cmpstr (RESP (rs, i++)->u.list_data.name, ==, "&XfJT0ZAB-");
  i++;

  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_MAILBOX_STATUS);
  g_assert_cmpstr (r->u.mailbox_status.name, ==, "Sent");
  g_assert_cmpuint (r->u.mailbox_status.messages, ==, 2);
  g_assert_cmpuint (r->u.mailbox_status.uidnext, ==, 3);
  g_assert_cmpuint (r->u.mailbox_status.uidvalidity, ==, 1700000001);
  g_assert_cmpuint (r->u.mailbox_status.unseen, ==, 0);
  g_assert_cmpuint (r->u.mailbox_status.highestmodseq, ==, 4);
  g_assert_cmpuint (r->u.mailbox_status.items, ==, 0x3f);
  i++;

  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_FLAGS);
  g_assert_cmpuint (g_strv_length (r->u.list), ==, 5);
  r = RESP (rs, i++);
  g_assert_cmpint (r->code.kind, ==, LB_IMAP_CODE_PERMANENTFLAGS);
  g_assert_cmpstr (r->code.list[5], ==, "\\*");
  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_EXISTS);
  g_assert_cmpuint (r->u.number, ==, 3);
  g_assert_cmpint (RESP (rs, i++)->kind, ==, LB_IMAP_RESPONSE_RECENT);
  r = RESP (rs, i++);
  g_assert_cmpint (r->code.kind, ==, LB_IMAP_CODE_UNSEEN);
  g_assert_cmpuint (r->code.number, ==, 2);
  r = RESP (rs, i++);
  g_assert_cmpint (r->code.kind, ==, LB_IMAP_CODE_UIDVALIDITY);
  g_assert_cmpuint (r->code.number, ==, 1700000000);
  g_assert_cmpstr (r->text, ==, "UIDs valid");
  r = RESP (rs, i++);
  g_assert_cmpint (r->code.kind, ==, LB_IMAP_CODE_UIDNEXT);
  g_assert_cmpuint (r->code.number, ==, 4);
  r = RESP (rs, i++);
  g_assert_cmpint (r->code.kind, ==, LB_IMAP_CODE_HIGHESTMODSEQ);
  g_assert_cmpuint (r->code.modseq, ==, 7);
  r = RESP (rs, i++);
  g_assert_cmpint (r->code.kind, ==, LB_IMAP_CODE_READ_WRITE);
  g_assert_null (r->code.raw);

  /* FETCH with ENVELOPE and BODYSTRUCTURE */
  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_FETCH);
  f = &r->u.fetch;
  g_assert_cmpuint (f->seq, ==, 1);
  g_assert_cmpuint (f->uid, ==, 1);
  g_assert_cmpuint (f->size, ==, 1843);
  g_assert_cmpint (f->flags, ==, LB_FLAG_SEEN | LB_FLAG_FORWARDED);
  g_assert_cmpstr (f->keywords[0], ==, "NonJunk");
  g_assert_null (f->keywords[1]);
  /* 2023-07-17 02:44:25 +0800 is 2023-07-16 18:44:25 UTC */
  g_assert_cmpint (f->internaldate, ==, 1689533065);
  g_assert_cmpint (f->internaldate_offset, ==, 480);
  g_assert_cmpuint (f->modseq, ==, 5);
  g_assert_cmpstr (f->envelope->subject, ==, "=?UTF-8?B?5rWL6K+V?=");
  g_assert_cmpstr (f->envelope->date, ==, "Mon, 17 Jul 2023 02:44:25 +0800");
  g_assert_cmpuint (f->envelope->from->len, ==, 1);
  g_assert_cmpstr (((LbImapAddress *) f->envelope->from->pdata[0])->name, ==, "Alice");
  g_assert_cmpstr (((LbImapAddress *) f->envelope->from->pdata[0])->mailbox, ==, "alice");
  g_assert_cmpstr (((LbImapAddress *) f->envelope->from->pdata[0])->host, ==, "example.com");
  g_assert_cmpuint (f->envelope->to->len, ==, 2);
  g_assert_null (((LbImapAddress *) f->envelope->to->pdata[0])->name);
  g_assert_cmpstr (((LbImapAddress *) f->envelope->to->pdata[1])->name, ==, "Carol \"C\"");
  g_assert_null (f->envelope->cc);
  g_assert_null (f->envelope->in_reply_to);
  g_assert_cmpstr (f->envelope->message_id, ==, "<1@example.com>");
  b = f->bodystructure;
  g_assert_cmpstr (b->type, ==, "multipart");
  g_assert_cmpstr (b->subtype, ==, "mixed");
  g_assert_cmpstr (lb_imap_params_lookup (b->params, "boundary"), ==, "xyz");
  g_assert_cmpuint (b->parts->len, ==, 2);
  g_assert_cmpstr (((LbImapBody *) b->parts->pdata[0])->encoding, ==, "quoted-printable");
  g_assert_cmpuint (((LbImapBody *) b->parts->pdata[0])->lines, ==, 4);
  g_assert_cmpuint (((LbImapBody *) b->parts->pdata[1])->size, ==, 1024);
  g_assert_cmpstr (((LbImapBody *) b->parts->pdata[1])->disposition, ==, "attachment");
  g_assert_cmpstr (lb_imap_body_get_filename (b->parts->pdata[1]), ==, "report.pdf");
  g_assert_true (lb_imap_body_has_attachments (b));
  g_assert_false (lb_imap_body_has_attachments (b->parts->pdata[0]));

  r = RESP (rs, i++);
  f = &r->u.fetch;
  g_assert_cmpint (f->flags, ==, 0);
  g_assert_null (f->keywords);
  g_assert_cmpint (f->items & LB_IMAP_FETCH_FLAGS, !=, 0);
  g_assert_cmpint (f->internaldate, ==, 1704067200);
  g_assert_null (f->envelope->subject);
  g_assert_null (f->envelope->from);
  g_assert_cmpstr (f->bodystructure->type, ==, "text");
  g_assert_cmpuint (f->bodystructure->lines, ==, 1);
  g_assert_false (lb_imap_body_has_attachments (f->bodystructure));
  i++;

  /* Literals: the second one holds CRLF, ')' and text that looks like responses. */
  r = RESP (rs, i++);
  f = &r->u.fetch;
  g_assert_cmpuint (f->uid, ==, 3);
  g_assert_cmpuint (f->sections->len, ==, 2);
  sec = lb_imap_fetch_get_section (f, "header.fields (from to)");
  g_assert_nonnull (sec);
  g_assert_cmpint (sec->origin, ==, -1);
  g_assert_cmpmem (g_bytes_get_data (sec->data, &n), n,
                   "From: Alice <alice@example.com>\r\nTo: bob@example.com\r\n\r\n", 56);
  sec = lb_imap_fetch_get_section (f, "1");
  g_assert_cmpint (sec->origin, ==, 0);
  g_assert_false (sec->binary);
  g_assert_cmpmem (g_bytes_get_data (sec->data, &n), n,
                   "Hello Bob)\r\n* 9 FETCH (UID 99)\r\na1 OK not a tag\r\n", 49);
  i++;

  g_assert_cmpint (RESP (rs, i++)->code.kind, ==, LB_IMAP_CODE_CLOSED);
  i += 7;
  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_VANISHED);
  g_assert_true (r->u.vanished.earlier);
  g_assert_cmpuint (lb_imap_seqset_count (r->u.vanished.uids), ==, 5);
  g_assert_true (lb_imap_seqset_contains (r->u.vanished.uids, 9));
  g_assert_false (lb_imap_seqset_contains (r->u.vanished.uids, 8));
  r = RESP (rs, i++);
  g_assert_cmpint (r->u.fetch.flags, ==, LB_FLAG_SEEN | LB_FLAG_FLAGGED);
  g_assert_cmpuint (r->u.fetch.modseq, ==, 19);
  i++;
  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_CONTINUATION);
  g_assert_cmpstr (r->text, ==, "idling");
  g_assert_cmpint (RESP (rs, i++)->kind, ==, LB_IMAP_RESPONSE_EXISTS);
  r = RESP (rs, i++);
  g_assert_false (r->u.vanished.earlier);
  g_assert_cmpuint (lb_imap_seqset_count (r->u.vanished.uids), ==, 1);
  i++;
  r = RESP (rs, i++);
  g_assert_cmpint (r->code.kind, ==, LB_IMAP_CODE_APPENDUID);
  g_assert_cmpuint (r->code.number, ==, 1700000000);
  g_assert_true (lb_imap_seqset_contains (r->code.set, 12));
  r = RESP (rs, i++);
  g_assert_cmpint (r->code.kind, ==, LB_IMAP_CODE_COPYUID);
  g_assert_cmpuint (r->code.number, ==, 1700000001);
  g_assert_cmpuint (lb_imap_seqset_count (r->code.set), ==, 3);
  g_assert_cmpuint (lb_imap_seqset_count (r->code.dest_set), ==, 3);
  g_assert_cmpstr (r->code.raw, ==, "1700000001 1:2,12 3:5");
  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_ESEARCH);
  g_assert_cmpstr (r->u.esearch.tag, ==, "a14");
  g_assert_true (r->u.esearch.uid);
  g_assert_cmpuint (r->u.esearch.min, ==, 1);
  g_assert_cmpuint (r->u.esearch.max, ==, 12);
  g_assert_cmpuint (r->u.esearch.count, ==, 3);
  g_assert_cmpuint (lb_imap_seqset_count (r->u.esearch.all), ==, 3);
  r = RESP (rs, i++);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_SEARCH);
  g_assert_cmpuint (r->u.search.numbers->len, ==, 3);
  g_assert_cmpuint (g_array_index (r->u.search.numbers, guint32, 2), ==, 12);
  g_assert_cmpuint (r->u.search.modseq, ==, 20);
  r = RESP (rs, i++);
  g_assert_cmpint (r->status, ==, LB_IMAP_STATUS_NO);
  g_assert_cmpint (r->code.kind, ==, LB_IMAP_CODE_TRYCREATE);
  g_assert_cmpstr (r->text, ==, "Mailbox doesn't exist: Nope");
  g_assert_cmpint (RESP (rs, i++)->status, ==, LB_IMAP_STATUS_BYE);
  g_assert_true (lb_imap_response_is_tagged (RESP (rs, i++), "a15"));
  g_assert_cmpuint (i, ==, rs->len);
}

static char *
qq_transcript (gsize *len)
{
  const char *t =
    "* OK [CAPABILITY IMAP4 IMAP4rev1 ID AUTH=PLAIN AUTH=LOGIN AUTH=XOAUTH2 NAMESPACE] QQMail XMIMAP4Server ready\r\n"
    "a1 NO Login fail. Account is abnormal, service is not open, password is incorrect, login frequency limited, or system is busy.\r\n"
    "a2 OK Success login ok\r\n"
    "* CAPABILITY IMAP4 IMAP4rev1 XLIST MOVE IDLE XAPPLEPUSHSERVICE NAMESPACE CHILDREN ID UIDPLUS\r\n"
    "a3 OK CAPABILITY Completed\r\n"
    "* ID NIL\r\n"
    "a4 OK ID completed\r\n"
    "* LIST (\\NoSelect \\HasChildren) \"/\" \"&UXZO1mWHTvZZOQ-\"\r\n"
    "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n"
    "* LIST (\\HasNoChildren) \"/\" \"Sent Messages\"\r\n"
    "* LIST (\\HasNoChildren) \"/\" \"Drafts\"\r\n"
    "* LIST (\\HasNoChildren) \"/\" \"Deleted Messages\"\r\n"
    "* LIST (\\HasNoChildren) \"/\" \"Junk\"\r\n"
    "* LIST (\\HasNoChildren) \"/\" \"&UXZO1mWHTvZZOQ-/QQ&kK5O9ouilgU-\"\r\n"
    "a5 OK LIST completed\r\n"
    "* 12 EXISTS\r\n"
    "* 0 RECENT\r\n"
    "* OK [UIDVALIDITY 1600000000] UID validity status\r\n"
    "* OK [UIDNEXT 1313] Predicted next UID\r\n"
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Draft \\Seen)\r\n"
    "* OK [PERMANENTFLAGS (\\* \\Answered \\Flagged \\Deleted \\Draft \\Seen)] Permanent flags\r\n"
    "a6 OK [READ-WRITE] SELECT complete\r\n";

  *len = strlen (t);
  return g_strdup (t);
}

static void
test_qq (void)
{
  gsize len;
  g_autofree char *t = qq_transcript (&len);
  g_autoptr(GPtrArray) rs = parse_all (t, len);
  LbImapResponse *r;
  g_autofree char *decoded = NULL;
  GError *error = NULL;

  g_assert_cmpuint (rs->len, ==, 22);
  r = RESP (rs, 1);
  g_assert_cmpint (r->status, ==, LB_IMAP_STATUS_NO);
  g_assert_cmpint (r->code.kind, ==, LB_IMAP_CODE_NONE);
  g_assert_true (g_str_has_prefix (r->text, "Login fail. Account is abnormal"));
  r = RESP (rs, 3);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_CAPABILITY);
  g_assert_true (g_strv_contains ((const char * const *) r->u.list, "XLIST"));
  g_assert_false (g_strv_contains ((const char * const *) r->u.list, "CONDSTORE"));
  r = RESP (rs, 5);
  g_assert_cmpint (r->kind, ==, LB_IMAP_RESPONSE_ID);
  g_assert_null (r->u.params);
  r = RESP (rs, 7);
  g_assert_cmpint (r->u.list_data.attrs, ==, LB_IMAP_LIST_NOSELECT | LB_IMAP_LIST_HASCHILDREN);
  decoded = lb_mutf7_decode (r->u.list_data.name, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded, ==, "其他文件夹");
  g_clear_pointer (&decoded, g_free);
  g_assert_cmpstr (RESP (rs, 9)->u.list_data.name, ==, "Sent Messages");
  r = RESP (rs, 13);
  decoded = lb_mutf7_decode (r->u.list_data.name, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded, ==, "其他文件夹/QQ邮件订阅");
  r = RESP (rs, 20);
  g_assert_cmpstr (r->code.list[0], ==, "\\*");
}

static char *
netease_transcript (gsize *len)
{
  GString *s = g_string_new (
    "* OK Coremail System IMap Server Ready\r\n"
    "a1 OK LOGIN completed\r\n"
    "* CAPABILITY IMAP4rev1 XLIST SPECIAL-USE ID LITERAL+ STARTTLS APPENDLIMIT=71680000 SASL-IR AUTH=XOAUTH2 UIDPLUS XAPPLEPUSHSERVICE X-CM-EXT-1\r\n"
    "a2 OK CAPABILITY completed\r\n"
    "a3 NO SELECT Unsafe Login. Please contact kefu@188.com for help\r\n"
    "* ID (\"name\" \"Coremail Imap\" \"vendor\" \"Mailtech\" \"TransID\" \"aBcD_x1\")\r\n"
    "a4 OK ID completed\r\n"
    "* LIST () \"/\" \"INBOX\"\r\n"
    "* LIST (\\Drafts) \"/\" \"&g0l6P3ux-\"\r\n"
    "* LIST (\\Sent) \"/\" \"&XfJT0ZAB-\"\r\n"
    "* LIST (\\Trash) \"/\" \"&XfJSIJZk-\"\r\n"
    "* LIST (\\Junk) \"/\" \"&V4NXPpCuTvY-\"\r\n"
    "* LIST () \"/\" \"&dcVr0mWHTvZZOQ-\"\r\n"
    "* LIST () \"/\" \"&i6KWBZCuTvY-\"\r\n"
    "a5 OK LIST Completed\r\n"
    "a6 NO LOGIN Login error or password error\r\n"
    /* QQ's older SMTP-style error text in GBK: 请使用授权码登录 */
    "a7 NO \xc7\xeb\xca\xb9\xd3\xc3\xca\xda\xc8\xa8\xc2\xeb\xb5\xc7\xc2\xbc\r\n"
    "a8 NO SEARCH State error\r\n");

  *len = s->len;
  return g_string_free (s, FALSE);
}

static void
test_netease (void)
{
  gsize len;
  g_autofree char *t = netease_transcript (&len);
  g_autoptr(GPtrArray) rs = parse_all (t, len);
  static const char *const names[] = { "已发送", "草稿箱", "已删除", "垃圾邮件", "病毒文件夹", "订阅邮件" };
  LbImapResponse *r;
  g_autofree char *utf8 = NULL;

  g_assert_cmpuint (rs->len, ==, 18);
  r = RESP (rs, 4);
  g_assert_true (lb_imap_response_is_tagged (r, "a3"));
  g_assert_cmpint (r->status, ==, LB_IMAP_STATUS_NO);
  g_assert_cmpstr (r->text, ==, "SELECT Unsafe Login. Please contact kefu@188.com for help");
  r = RESP (rs, 5);
  g_assert_cmpstr (lb_imap_params_lookup (r->u.params, "vendor"), ==, "Mailtech");
  g_assert_cmpuint (r->u.params->len, ==, 3);
  g_assert_cmpint (RESP (rs, 7)->u.list_data.attrs, ==, 0);
  g_assert_cmpint (RESP (rs, 8)->u.list_data.attrs, ==, LB_IMAP_LIST_DRAFTS);
  g_assert_cmpint (RESP (rs, 9)->u.list_data.attrs, ==, LB_IMAP_LIST_SENT);

  for (guint i = 8; i <= 13; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = lb_mutf7_decode (RESP (rs, i)->u.list_data.name, &error);

      g_assert_no_error (error);
      g_assert_true (g_strv_contains (names, name));
    }

  /* The human text is kept as the bytes sent. */
  r = RESP (rs, 16);
  g_assert_cmpstr (r->text, ==, "\xc7\xeb\xca\xb9\xd3\xc3\xca\xda\xc8\xa8\xc2\xeb\xb5\xc7\xc2\xbc");
  utf8 = g_convert (r->text, -1, "UTF-8", "GB18030", NULL, NULL, NULL);
  g_assert_cmpstr (utf8, ==, "请使用授权码登录");
}

static char *
gmail_transcript (gsize *len)
{
  const char *t =
    "* OK Gimap ready for requests from 203.0.113.7 h5mb123456abc\r\n"
    "a0 NO [ALERT] Too many simultaneous connections. (Failure)\r\n"
    "a1 OK [CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS LITERAL- SPECIAL-USE APPENDLIMIT=35651584] alice@gmail.com authenticated (Success)\r\n"
    "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n"
    "* LIST (\\HasChildren \\Noselect) \"/\" \"[Gmail]\"\r\n"
    "* LIST (\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"\r\n"
    "* LIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/&XfJT0ZCuTvY-\"\r\n"
    "* LIST (\\Flagged \\HasNoChildren) \"/\" \"[Gmail]/Starred\"\r\n"
    "* LIST (\\HasNoChildren \\Important) \"/\" \"[Gmail]/Important\"\r\n"
    "* XLIST (\\HasNoChildren \\Inbox) \"/\" \"Inbox\"\r\n"
    "* XLIST (\\HasNoChildren \\Spam) \"/\" \"[Gmail]/Spam\"\r\n"
    "* LSUB () \"/\" \"Work\"\r\n"
    "* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334866 X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\" \"\\\\Important\") UID 123 MODSEQ (18446744073709551615) FLAGS (\\Seen))\r\n"
    "* 2 FETCH (X-GM-LABELS () UID 4294967295 FLAGS (\\Seen \\Recent $Junk))\r\n"
    "a2 OK Success\r\n";

  *len = strlen (t);
  return g_strdup (t);
}

static void
test_gmail (void)
{
  gsize len;
  g_autofree char *t = gmail_transcript (&len);
  g_autoptr(GPtrArray) rs = parse_all (t, len);
  LbImapResponse *r;
  const LbImapFetch *f;

  g_assert_cmpuint (rs->len, ==, 15);
  r = RESP (rs, 1);
  g_assert_cmpint (r->status, ==, LB_IMAP_STATUS_NO);
  g_assert_cmpint (r->code.kind, ==, LB_IMAP_CODE_ALERT);
  g_assert_cmpstr (r->code.name, ==, "ALERT");
  g_assert_cmpstr (r->text, ==, "Too many simultaneous connections. (Failure)");
  g_assert_true (g_strv_contains ((const char * const *) RESP (rs, 2)->code.list, "X-GM-EXT-1"));
  r = RESP (rs, 4);
  g_assert_cmpstr (r->u.list_data.name, ==, "[Gmail]");
  g_assert_cmpint (r->u.list_data.attrs, ==, LB_IMAP_LIST_HASCHILDREN | LB_IMAP_LIST_NOSELECT);
  g_assert_cmpint (RESP (rs, 5)->u.list_data.attrs & LB_IMAP_LIST_ALL, !=, 0);
  g_assert_cmpint (RESP (rs, 7)->u.list_data.attrs & LB_IMAP_LIST_FLAGGED, !=, 0);
  g_assert_cmpint (RESP (rs, 8)->u.list_data.attrs & LB_IMAP_LIST_IMPORTANT, !=, 0);
  r = RESP (rs, 9);
  g_assert_cmpint (r->u.list_data.command, ==, LB_IMAP_LIST_COMMAND_XLIST);
  g_assert_cmpint (r->u.list_data.attrs & LB_IMAP_LIST_INBOX, !=, 0);
  g_assert_cmpint (RESP (rs, 10)->u.list_data.attrs & LB_IMAP_LIST_JUNK, !=, 0);
  g_assert_cmpint (RESP (rs, 11)->u.list_data.command, ==, LB_IMAP_LIST_COMMAND_LSUB);

  f = &RESP (rs, 12)->u.fetch;
  g_assert_cmpuint (f->gm_thrid, ==, G_GUINT64_CONSTANT (1278455344230334865));
  g_assert_cmpuint (f->gm_msgid, ==, G_GUINT64_CONSTANT (1278455344230334866));
  g_assert_cmpuint (f->modseq, ==, G_MAXUINT64);
  g_assert_cmpuint (f->uid, ==, 123);
  g_assert_cmpuint (g_strv_length (f->gm_labels), ==, 5);
  g_assert_cmpstr (f->gm_labels[0], ==, "\\Inbox");
  g_assert_cmpstr (f->gm_labels[3], ==, "Muy Importante");
  g_assert_cmpstr (f->gm_labels[4], ==, "\\Important");
  f = &RESP (rs, 13)->u.fetch;
  g_assert_nonnull (f->gm_labels);
  g_assert_null (f->gm_labels[0]);
  g_assert_cmpuint (f->uid, ==, G_MAXUINT32);
  g_assert_true (f->recent);
  g_assert_cmpint (f->flags, ==, LB_FLAG_SEEN | LB_FLAG_JUNK);
}

/* ------------------------------------------------------------------------ */
/* Single responses                                                          */
/* ------------------------------------------------------------------------ */

static void
test_literal8_binary (void)
{
  static const char data[] = "* 5 FETCH (UID 7 BINARY[2] ~{5}\r\n\0\r\n\xff) BINARY[3]<100> NIL)\r\n";
  g_autoptr(GPtrArray) dumps = feed_all_ways (data, sizeof data - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapResponse) r = lb_imap_parse_response (data, sizeof data - 1, &error);
  const LbImapBodySection *s;
  gsize n;

  g_assert_no_error (error);
  g_assert_cmpuint (dumps->len, ==, 1);
  s = lb_imap_fetch_get_section (&r->u.fetch, "2");
  g_assert_true (s->binary);
  g_assert_cmpmem (g_bytes_get_data (s->data, &n), n, "\0\r\n\xff)", 5);
  s = lb_imap_fetch_get_section (&r->u.fetch, "3");
  g_assert_cmpint (s->origin, ==, 100);
  g_assert_null (s->data);
}

static void
test_literal_plus_and_quoted_section (void)
{
  g_autoptr(LbImapResponse) r =
    parse1 ("* 1 FETCH (BODY[HEADER.FIELDS (\"Subject\" X-Foo)] {3+}\r\nabc RFC822.SIZE 3)");
  g_autoptr(LbImapResponse) q =
    parse1 ("* 2 FETCH (BODY[] \"a \\\"quoted\\\" \\\\ body\" RFC822.HEADER {2}\r\nhh RFC822 NIL)");
  const LbImapBodySection *s;
  gsize n;

  s = lb_imap_fetch_get_section (&r->u.fetch, "HEADER.FIELDS (\"Subject\" X-Foo)");
  g_assert_nonnull (s);
  g_assert_cmpmem (g_bytes_get_data (s->data, &n), n, "abc", 3);
  g_assert_cmpuint (r->u.fetch.size, ==, 3);

  s = lb_imap_fetch_get_section (&q->u.fetch, "");
  g_assert_cmpmem (g_bytes_get_data (s->data, &n), n, "a \"quoted\" \\ body", 17);
  s = lb_imap_fetch_get_section (&q->u.fetch, "HEADER");
  g_assert_cmpmem (g_bytes_get_data (s->data, &n), n, "hh", 2);
}

static void
test_mailbox_literal (void)
{
  g_autoptr(LbImapResponse) r = parse1 ("* LIST (\\HasNoChildren) NIL {8}\r\nA \"B\" )C");
  g_autoptr(LbImapResponse) s = parse1 ("* LIST (\\Noselect) \"\\\\\" Public\\Folders");
  g_autoptr(LbImapResponse) t =
    parse1 ("* LIST (\\Subscribed) \"/\" \"Lists\" (\"CHILDINFO\" (\"SUBSCRIBED\"))");

  g_assert_cmpint (r->u.list_data.delimiter, ==, 0);
  g_assert_cmpstr (r->u.list_data.name, ==, "A \"B\" )C");
  g_assert_cmpint (s->u.list_data.delimiter, ==, '\\');
  g_assert_cmpstr (s->u.list_data.name, ==, "Public\\Folders");
  g_assert_cmpstr (t->u.list_data.name, ==, "Lists");
  g_assert_cmpint (t->u.list_data.attrs, ==, LB_IMAP_LIST_SUBSCRIBED);

  /* A delimiter longer than one character (found by the fuzzer) keeps its first byte. */
  {
    g_autoptr(LbImapResponse) u = parse1 ("* LIST () \"a long \\\"delimiter\" x");
    g_autoptr(LbImapResponse) v = parse1 ("* NAMESPACE ((\"\" \"\\\\..\")) NIL NIL");

    g_assert_cmpint (u->u.list_data.delimiter, ==, 'a');
    g_assert_cmpint (v->u.namespace_data.personal_delimiter, ==, '\\');
  }
}

static void
test_bodystructure_edge (void)
{
  /* message/rfc822 inside, RFC 2231 filename*, extension data, language lists,
   * an unknown extension, and a disposition with no parameters. */
  g_autoptr(LbImapResponse) r = parse1 (
    "* 9 FETCH (BODYSTRUCTURE ((\"TEXT\" \"HTML\" (\"CHARSET\" \"gb2312\") NIL NIL \"BASE64\" 2048 27 NIL (\"INLINE\" NIL) (\"zh-CN\" \"en\") NIL)"
    "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 500 (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) "
    "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 100 3 NIL NIL NIL NIL) 12 NIL NIL NIL NIL)"
    "(\"APPLICATION\" \"OCTET-STREAM\" (\"NAME*\" \"utf-8''%E6%8A%A5%E5%91%8A.doc\") \"<id@x>\" \"desc\" \"BASE64\" 4096 \"md5sum\" "
    "(\"ATTACHMENT\" (\"FILENAME*\" \"utf-8''%E6%8A%A5%E5%91%8A.doc\")) NIL \"loc\" (\"x-ext\" 1 (2 3))) "
    "\"MIXED\" (\"BOUNDARY\" \"b1\") NIL (\"en\") \"http://x\" extra))");
  LbImapBody *b = r->u.fetch.bodystructure, *p;

  g_assert_cmpuint (b->parts->len, ==, 3);
  g_assert_cmpstr (b->subtype, ==, "MIXED");
  p = b->parts->pdata[0];
  g_assert_cmpstr (p->disposition, ==, "INLINE");
  g_assert_null (p->disposition_params);
  g_assert_cmpuint (p->lines, ==, 27);
  p = b->parts->pdata[1];
  g_assert_cmpstr (p->envelope->subject, ==, "inner");
  g_assert_cmpuint (p->parts->len, ==, 1);
  g_assert_cmpstr (((LbImapBody *) p->parts->pdata[0])->subtype, ==, "PLAIN");
  g_assert_cmpuint (p->lines, ==, 12);
  p = b->parts->pdata[2];
  g_assert_cmpstr (p->id, ==, "<id@x>");
  g_assert_cmpstr (p->md5, ==, "md5sum");
  g_assert_cmpstr (lb_imap_body_get_filename (p), ==, "utf-8''%E6%8A%A5%E5%91%8A.doc");
  g_assert_true (lb_imap_body_is_attachment (p));
  g_assert_true (lb_imap_body_has_attachments (b));

  /* A single non-multipart BODY (non-extensible) is read too. */
  {
    g_autoptr(LbImapResponse) s =
      parse1 ("* 1 FETCH (BODY (\"image\" \"png\" (\"name\" \"a.png\") NIL NIL \"base64\" 10))");

    g_assert_cmpstr (s->u.fetch.bodystructure->subtype, ==, "png");
    g_assert_true (lb_imap_body_has_attachments (s->u.fetch.bodystructure));
  }
}

static void
test_misc_responses (void)
{
  g_autoptr(LbImapResponse) a = parse1 ("+");
  g_autoptr(LbImapResponse) b = parse1 ("+ dXNlcm5hbWU6");
  g_autoptr(LbImapResponse) c = parse1 ("* PREAUTH [CAPABILITY IMAP4rev1] ready");
  g_autoptr(LbImapResponse) d = parse1 ("* 44 EXPUNGE");
  g_autoptr(LbImapResponse) e = parse1 ("* XYZZY foo (bar) \"baz");
  g_autoptr(LbImapResponse) f = parse1 ("* SEARCH");
  g_autoptr(LbImapResponse) g = parse1 ("a1 OK [X-UNKNOWN-CODE 1 (2 \"]\")] done");
  g_autoptr(LbImapResponse) h = parse1 ("a2 OK [UIDNEXT abc] broken code kept raw");
  g_autoptr(LbImapResponse) i = parse1 ("a3 OK [not closed");
  g_autoptr(LbImapResponse) j = parse1 ("A4 ok");
  g_autoptr(LbImapResponse) k = parse1 ("* NAMESPACE NIL NIL ((\"#shared/\" \"/\"))");
  g_autoptr(LbImapResponse) l = parse1 ("* ESEARCH UID COUNT 0");
  g_autoptr(LbImapResponse) m = parse1 ("a5 NO [AUTHENTICATIONFAILED] Authentication failed.");
  g_autoptr(LbImapResponse) n = parse1 ("* 3 FETCH (UID 8 X-UNKNOWN (1 \"two\" {3}\r\nabc) BINARY.SIZE[1] 88 FLAGS (\\Draft))");
  g_autoptr(LbImapResponse) o = parse1 ("a6 OK [MODIFIED 7,9] Conditional STORE failed");
  g_autoptr(LbImapResponse) p = parse1 ("* 1 RECENT");

  g_assert_cmpint (a->kind, ==, LB_IMAP_RESPONSE_CONTINUATION);
  g_assert_cmpstr (a->text, ==, "");
  g_assert_cmpstr (b->text, ==, "dXNlcm5hbWU6");
  g_assert_cmpint (c->status, ==, LB_IMAP_STATUS_PREAUTH);
  g_assert_cmpint (c->code.kind, ==, LB_IMAP_CODE_CAPABILITY);
  g_assert_cmpint (d->kind, ==, LB_IMAP_RESPONSE_EXPUNGE);
  g_assert_cmpuint (d->u.number, ==, 44);
  g_assert_cmpint (e->kind, ==, LB_IMAP_RESPONSE_UNKNOWN);
  g_assert_cmpstr (e->name, ==, "XYZZY");
  g_assert_cmpstr (e->text, ==, "foo (bar) \"baz");
  g_assert_cmpuint (f->u.search.numbers->len, ==, 0);
  g_assert_cmpint (g->code.kind, ==, LB_IMAP_CODE_UNKNOWN);
  g_assert_cmpstr (g->code.name, ==, "X-UNKNOWN-CODE");
  g_assert_cmpstr (g->code.raw, ==, "1 (2 \"]\")");
  g_assert_cmpstr (g->text, ==, "done");
  g_assert_cmpint (h->code.kind, ==, LB_IMAP_CODE_UNKNOWN);
  g_assert_cmpstr (h->code.name, ==, "UIDNEXT");
  g_assert_cmpstr (h->code.raw, ==, "abc");
  g_assert_cmpint (i->code.kind, ==, LB_IMAP_CODE_NONE);
  g_assert_cmpstr (i->text, ==, "[not closed");
  g_assert_cmpint (j->status, ==, LB_IMAP_STATUS_OK);
  g_assert_cmpstr (j->text, ==, "");
  g_assert_false (k->u.namespace_data.has_personal);
  g_assert_true (l->u.esearch.uid);
  g_assert_cmpint (l->u.esearch.items, ==, LB_IMAP_ESEARCH_COUNT);
  g_assert_null (l->u.esearch.all);
  g_assert_cmpint (m->code.kind, ==, LB_IMAP_CODE_AUTHENTICATIONFAILED);
  g_assert_cmpuint (n->u.fetch.uid, ==, 8);
  g_assert_cmpint (n->u.fetch.flags, ==, LB_FLAG_DRAFT);
  g_assert_null (n->u.fetch.sections);
  g_assert_cmpint (o->code.kind, ==, LB_IMAP_CODE_MODIFIED);
  g_assert_cmpuint (lb_imap_seqset_count (o->code.set), ==, 2);
  g_assert_cmpint (p->kind, ==, LB_IMAP_RESPONSE_RECENT);
}

static void
test_fetch_details (void)
{
  g_autoptr(LbImapResponse) a =
    parse1 ("* 1 FETCH (INTERNALDATE \"31-Dec-1969 23:59:59 -0100\" UID 1)");
  g_autoptr(LbImapResponse) b = parse1 ("* 2 FETCH (INTERNALDATE \"32-Foo-2024 10:00:00 +0000\" UID 2)");
  g_autoptr(LbImapResponse) c = parse1 (
    "* 3 FETCH (ENVELOPE (NIL {4}\r\n\xb2\xe2\xca\xd4 NIL NIL NIL NIL NIL NIL NIL NIL) "
    "BODY[TEXT]<1024> {0}\r\n)");
  g_autoptr(LbImapResponse) d = parse1 ("* 4 FETCH (FLAGS (\\Seen) FLAGS (\\Deleted) UID 4)");
  const LbImapBodySection *s;

  g_assert_cmpint (a->u.fetch.internaldate, ==, 3599);
  g_assert_cmpint (a->u.fetch.internaldate_offset, ==, -60);
  g_assert_cmpint (a->u.fetch.items & LB_IMAP_FETCH_INTERNALDATE, !=, 0);
  /* A date that cannot be read is left out; the rest of the message is kept. */
  g_assert_cmpint (b->u.fetch.items & LB_IMAP_FETCH_INTERNALDATE, ==, 0);
  g_assert_cmpuint (b->u.fetch.uid, ==, 2);
  /* Raw GBK bytes in a literal subject are kept as sent. */
  g_assert_cmpstr (c->u.fetch.envelope->subject, ==, "\xb2\xe2\xca\xd4");
  s = lb_imap_fetch_get_section (&c->u.fetch, "TEXT");
  g_assert_cmpint (s->origin, ==, 1024);
  g_assert_cmpuint (g_bytes_get_size (s->data), ==, 0);
  /* A repeated item replaces the earlier one. */
  g_assert_cmpint (d->u.fetch.flags, ==, LB_FLAG_DELETED);
}

/* ------------------------------------------------------------------------ */
/* Malformed input                                                           */
/* ------------------------------------------------------------------------ */

static void
test_malformed_lines (void)
{
  static const char *const bad[] = {
    "",
    " ",
    "*",
    "* ",
    "*OK",
    "* 1 FETCH",
    "* 1 FETCH (",
    "* 1 FETCH (UID)",
    "* 1 FETCH (UID 1",
    "* 1 FETCH (UID x)",
    "* 1 FETCH (UID 4294967296)",
    "* 1 FETCH (MODSEQ (18446744073709551616))",
    "* 1 FETCH (ENVELOPE (\"unterminated))",
    "* 1 FETCH (ENVELOPE (NIL NIL))",
    "* 1 FETCH (BODY[1 {3}\r\nabc)",
    "* 1 FETCH (BODY[] {10}\r\nabc)",
    "* 1 FETCH (BODY[] {3}abc)",
    "* 1 FETCH (BODYSTRUCTURE (\"text\"))",
    "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)",
    "* 1 FETCH (FLAGS (\\Seen) garbage",
    "* 1 FETCH (UID 1) trailing",
    "* 1 FETCH (UID 1))",
    "* LIST",
    "* LIST (\\Noselect \"/\" foo",
    "* LIST () \"/\"",
    "* STATUS INBOX (MESSAGES)",
    "* SEARCH 1 two",
    "* VANISHED 1:",
    "* VANISHED (LATER) 1",
    "* VANISHED 0",
    "* ESEARCH MIN x",
    "* ID (\"a\")",
    "* FLAGS \\Seen",
    "* 1 FETCH (X-GM-LABELS (\"unterminated))",
    "* 1 FETCH (FLAGS (\\Seen \"quote\r\n\"))",
    "\xff\xfe\x00garbage",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *escaped = g_strescape (bad[i], NULL);

      g_test_message ("bad input %u: %s", i, escaped);
      assert_parse_error (bad[i]);
    }
}

/* A malformed response is dropped; the ones after it still arrive. */
static void
test_recovery (void)
{
  static const char t[] =
    "* 1 FETCH (UID 1 ENVELOPE (\"unterminated))\r\n"
    "\x01\x02 garbage \xff\r\n"
    "\r\n"
    "* 2 FETCH (UID 2)\r\n"
    "a1 OK done\r\n";
  g_autoptr(GPtrArray) dumps = feed_all_ways (t, sizeof t - 1);

  g_assert_cmpuint (dumps->len, ==, 5);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (dumps, 0), "ERROR: "));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (dumps, 1), "ERROR: "));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (dumps, 2), "ERROR: "));
  g_assert_nonnull (strstr (g_ptr_array_index (dumps, 3), "uid=2 "));
  g_assert_nonnull (strstr (g_ptr_array_index (dumps, 4), "tag=\"a1\""));
}

static void
test_literal_overflow (void)
{
  static const char t[] =
    "* 1 FETCH (UID 1)\r\n"
    "* 2 FETCH (BODY[] {99999999999999999999999}\r\n"
    "a1 OK never seen\r\n";
  g_autoptr(GPtrArray) dumps = feed_all_ways (t, sizeof t - 1);
  g_autoptr(LbImapParser) p = lb_imap_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapResponse) r = NULL;

  g_assert_cmpuint (dumps->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (dumps, 1), "overflow"));

  /* The error sticks until reset, and then the parser works again. */
  lb_imap_parser_feed (p, t + 19, sizeof t - 1 - 19);
  g_assert_null (lb_imap_parser_next (p, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_true (lb_imap_parser_has_failed (p));
  lb_imap_parser_feed (p, "a2 OK x\r\n", 9);
  g_assert_null (lb_imap_parser_next (p, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
  g_clear_error (&error);
  lb_imap_parser_reset (p);
  g_assert_false (lb_imap_parser_has_failed (p));
  lb_imap_parser_feed (p, "a2 OK x\r\n", 9);
  r = lb_imap_parser_next (p, &error);
  g_assert_no_error (error);
  g_assert_true (lb_imap_response_is_tagged (r, "a2"));
}

static void
test_literal_limit (void)
{
  static const char t[] = "* 1 FETCH (UID 1 BODY[] {11}\r\nhello world)\r\n* 2 FETCH (BODY[] {10}\r\n0123456789)\r\n";
  g_autoptr(GPtrArray) under = run_chunked (t, sizeof t - 1, 1, 11);
  g_autoptr(GPtrArray) over = run_chunked (t, sizeof t - 1, 1, 10);

  g_assert_cmpuint (under->len, ==, 2);
  g_assert_false (g_str_has_prefix (g_ptr_array_index (under, 0), "ERROR"));
  g_assert_cmpuint (over->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (over, 0), "larger than the limit"));
}

static void
test_line_limit (void)
{
  g_autoptr(LbImapParser) p = lb_imap_parser_new ();
  g_autoptr(GError) error = NULL;
  char chunk[100];

  lb_imap_parser_set_max_line_length (p, 1000);
  memset (chunk, 'x', sizeof chunk);
  for (guint i = 0; i < 9; i++)
    {
      lb_imap_parser_feed (p, chunk, sizeof chunk);
      g_assert_null (lb_imap_parser_next (p, &error));
      g_assert_no_error (error);
    }
  lb_imap_parser_feed (p, chunk, sizeof chunk);
  lb_imap_parser_feed (p, "y", 1);
  g_assert_null (lb_imap_parser_next (p, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
}

static void
test_deep_nesting (void)
{
  GString *s = g_string_new ("* 1 FETCH (UID 1 X-DEEP ");
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapResponse) r = NULL;
  g_autoptr(LbImapParser) p = lb_imap_parser_new ();

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (s, '(');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (s, ')');
  g_string_append (s, ")\r\n");
  r = lb_imap_parse_response (s->str, s->len, &error);
  g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "nested"));
  g_clear_error (&error);

  /* A deep BODYSTRUCTURE too. */
  g_string_assign (s, "* 1 FETCH (BODYSTRUCTURE ");
  for (guint i = 0; i < 1000; i++)
    g_string_append_c (s, '(');
  g_string_append (s, ")\r\n");
  g_assert_null (lb_imap_parse_response (s->str, s->len, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
  g_clear_error (&error);

  /* Depth within the limit is fine; one more is not. */
  lb_imap_parser_set_max_depth (p, 4);
  lb_imap_parser_feed (p, "* 1 FETCH (X (((1))))\r\n* 1 FETCH (X ((((1)))))\r\n", 48);
  r = lb_imap_parser_next (p, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_null (lb_imap_parser_next (p, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
  g_string_free (s, TRUE);
}

static void
test_many_fetches (void)
{
  GString *s = g_string_new (NULL);
  g_autoptr(LbImapParser) p = lb_imap_parser_new ();
  LbImapResponse *r;
  GError *error = NULL;
  guint n = 0;
  gsize off = 0;

  for (guint i = 1; i <= 10000; i++)
    g_string_append_printf (s,
      "* %u FETCH (UID %u FLAGS (\\Seen) RFC822.SIZE %u INTERNALDATE \"01-Feb-2024 10:00:00 +0000\" "
      "ENVELOPE (\"Thu, 01 Feb 2024 10:00:00 +0000\" \"Subject %u\" ((\"Bob\" NIL \"bob\" \"example.com\")) "
      "((\"Bob\" NIL \"bob\" \"example.com\")) ((\"Bob\" NIL \"bob\" \"example.com\")) "
      "((NIL NIL \"alice\" \"example.com\")) NIL NIL NIL \"<%u@example.com>\"))\r\n",
      i, i, 1000 + i, i, i);
  g_string_append (s, "a1 OK Fetch completed\r\n");

  /* Fed in socket-sized pieces. */
  while (off < s->len)
    {
      gsize len = MIN (16384, s->len - off);

      lb_imap_parser_feed (p, s->str + off, len);
      off += len;
      while ((r = lb_imap_parser_next (p, &error)) != NULL)
        {
          if (r->kind == LB_IMAP_RESPONSE_FETCH)
            {
              n++;
              g_assert_cmpuint (r->u.fetch.uid, ==, n);
              g_assert_cmpuint (r->u.fetch.size, ==, 1000 + n);
            }
          lb_imap_response_unref (r);
        }
      g_assert_no_error (error);
    }
  g_assert_cmpuint (n, ==, 10000);
  g_assert_cmpuint (lb_imap_parser_get_buffered (p), ==, 0);
  g_string_free (s, TRUE);
}

static void
test_incomplete (void)
{
  g_autoptr(LbImapParser) p = lb_imap_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapResponse) r = NULL;

  lb_imap_parser_feed (p, "* 1 FETCH (BODY[] {5}\r\nab", 25);
  g_assert_null (lb_imap_parser_next (p, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lb_imap_parser_get_buffered (p), ==, 25);
  lb_imap_parser_feed (p, "cde)\r", 5);
  g_assert_null (lb_imap_parser_next (p, &error));
  g_assert_no_error (error);
  lb_imap_parser_feed (p, "\n", 1);
  r = lb_imap_parser_next (p, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_null (lb_imap_parser_next (p, &error));
  g_assert_no_error (error);

  /* lb_imap_parse_response refuses incomplete and extra input. */
  g_assert_null (lb_imap_parse_response ("* 1 FETCH (BODY[] {5}\r\nab", -1, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_null (lb_imap_parse_response ("a1 OK\r\na2 OK\r\n", -1, &error));
  g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
}

static void
test_bare_lf (void)
{
  static const char t[] = "* 2 EXISTS\na1 OK x\n* 1 FETCH (BODY[] {2}\nhi)\n";
  g_autoptr(GPtrArray) d = feed_all_ways (t, sizeof t - 1);

  g_assert_cmpuint (d->len, ==, 3);
  g_assert_nonnull (strstr (g_ptr_array_index (d, 2), "SECTION\"\"b=0 o=-1 2:6869"));
}

/* ------------------------------------------------------------------------ */
/* Writing astrings                                                          */
/* ------------------------------------------------------------------------ */

static void
check_quote (const char       *in,
             gssize            len,
             LbImapQuoteFlags  flags,
             LbImapQuoted      how,
             const char       *expected)
{
  g_autoptr(GString) out = g_string_new ("x ");

  g_assert_cmpint (lb_imap_append_astring (out, in, len, flags), ==, how);
  g_assert_cmpstr (out->str + 2, ==, expected);
}

static void
test_astring (void)
{
  g_autofree char *long_one = g_strnfill (1025, 'a');
  g_autofree char *ok_one = g_strnfill (1024, 'a');

  check_quote ("INBOX", -1, 0, LB_IMAP_QUOTED_ATOM, "INBOX");
  check_quote ("[Gmail]/Sent", -1, 0, LB_IMAP_QUOTED_ATOM, "[Gmail]/Sent");
  check_quote ("&XfJT0ZAB-", -1, 0, LB_IMAP_QUOTED_ATOM, "&XfJT0ZAB-");
  check_quote ("INBOX", -1, LB_IMAP_QUOTE_FORCE, LB_IMAP_QUOTED_STRING, "\"INBOX\"");
  check_quote ("Sent Messages", -1, 0, LB_IMAP_QUOTED_STRING, "\"Sent Messages\"");
  check_quote ("a\"b\\c", -1, 0, LB_IMAP_QUOTED_STRING, "\"a\\\"b\\\\c\"");
  check_quote ("", -1, 0, LB_IMAP_QUOTED_STRING, "\"\"");
  check_quote ("nil", -1, 0, LB_IMAP_QUOTED_STRING, "\"nil\"");
  check_quote ("a%b*", -1, 0, LB_IMAP_QUOTED_STRING, "\"a%b*\"");
  check_quote ("(x)", -1, 0, LB_IMAP_QUOTED_STRING, "\"(x)\"");
  check_quote ("{5}", -1, 0, LB_IMAP_QUOTED_STRING, "\"{5}\"");
  check_quote ("pass\r\nword", -1, 0, LB_IMAP_QUOTED_LITERAL, "");
  check_quote ("a\0b", 3, 0, LB_IMAP_QUOTED_LITERAL, "");
  check_quote ("授权码", -1, 0, LB_IMAP_QUOTED_LITERAL, "");
  check_quote ("授权码", -1, LB_IMAP_QUOTE_ALLOW_UTF8, LB_IMAP_QUOTED_STRING, "\"授权码\"");
  check_quote (long_one, -1, 0, LB_IMAP_QUOTED_LITERAL, "");
  check_quote (ok_one, -1, 0, LB_IMAP_QUOTED_ATOM, ok_one);

  /* What we quote, the parser reads back. */
  {
    g_autoptr(GString) line = g_string_new ("* LIST () \"/\" ");
    g_autoptr(LbImapResponse) r = NULL;

    lb_imap_append_astring (line, "we \"said\" \\o/", -1, 0);
    r = lb_imap_parse_response (line->str, -1, NULL);
    g_assert_nonnull (r);
    g_assert_cmpstr (r->u.list_data.name, ==, "we \"said\" \\o/");
  }
}

/* ------------------------------------------------------------------------ */
/* Numbers a server must not send                                           */
/* ------------------------------------------------------------------------ */

static LbImapResponse *
parse_ok (const char *line)
{
  g_autoptr(GError) error = NULL;
  LbImapResponse *r = lb_imap_parse_response (line, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

/* UIDs and SEARCH results are nz-numbers: 0 or anything past 4294967295 is refused, so
 * it can never reach the store. */
static void
test_uid_range (void)
{
  g_autoptr(LbImapResponse) max = parse_ok ("* 1 FETCH (UID 4294967295 FLAGS ())\r\n");
  g_autoptr(LbImapResponse) search = parse_ok ("* SEARCH 1 4294967295\r\n");

  g_assert_cmpuint (max->u.fetch.uid, ==, G_MAXUINT32);
  g_assert_cmpuint (g_array_index (search->u.search.numbers, guint32, 1), ==, G_MAXUINT32);
  assert_parse_error ("* 1 FETCH (UID 0 FLAGS ())\r\n");
  assert_parse_error ("* 1 FETCH (FLAGS () UID 00)\r\n");
  assert_parse_error ("* 1 FETCH (UID 4294967296)\r\n");
  assert_parse_error ("* SEARCH 1 0 3\r\n");
  assert_parse_error ("* ESEARCH (TAG \"a1\") UID MIN 0\r\n");
}

/* In a response, 4294967295 is that UID and never `*`; a reversed range is the same
 * range; `*` itself is a protocol error. */
static void
test_response_sets (void)
{
  g_autoptr(LbImapResponse) rev = parse_ok ("* ESEARCH (TAG \"a1\") UID ALL 4294967295:1\r\n");
  g_autoptr(LbImapResponse) top = parse_ok ("* ESEARCH (TAG \"a1\") UID ALL 7,4294967295\r\n");
  g_autoptr(LbImapResponse) van = parse_ok ("* VANISHED 4294967294:4294967295\r\n");
  g_autoptr(GArray) set = lb_imap_seqset_parse_uids ("9:3,4294967295", -1, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) star = lb_imap_seqset_parse_uids ("5:*", -1, &error);
  const LbImapRange *r;

  r = &g_array_index (rev->u.esearch.all, LbImapRange, 0);
  g_assert_cmpuint (r->first, ==, 1);
  g_assert_cmpuint (r->last, ==, G_MAXUINT32);
  g_assert_cmpuint (lb_imap_seqset_count (rev->u.esearch.all), ==, G_MAXUINT32);
  g_assert_cmpuint (lb_imap_seqset_count (top->u.esearch.all), ==, 2);
  g_assert_true (lb_imap_seqset_contains (top->u.esearch.all, G_MAXUINT32));
  g_assert_false (lb_imap_seqset_contains (top->u.esearch.all, 8));
  g_assert_cmpuint (lb_imap_seqset_count (van->u.vanished.uids), ==, 2);

  g_assert_nonnull (set);
  g_assert_cmpuint (g_array_index (set, LbImapRange, 0).first, ==, 3);
  g_assert_cmpuint (g_array_index (set, LbImapRange, 0).last, ==, 9);
  g_assert_cmpuint (lb_imap_seqset_count (set), ==, 8);
  g_assert_error (error, LB_ERROR, LB_ERROR_PARSE);
  g_assert_null (star);

  assert_parse_error ("* ESEARCH (TAG \"a1\") UID ALL 5:*\r\n");
  assert_parse_error ("* ESEARCH (TAG \"a1\") UID ALL *\r\n");
  assert_parse_error ("* VANISHED (EARLIER) 1:*\r\n");
  assert_parse_error ("* ESEARCH (TAG \"a1\") UID ALL 0:5\r\n");
}

/* Announced literal sizes are counted as soon as their {N} is framed. */
static void
test_literal_bytes (void)
{
  g_autoptr(LbImapParser) p = lb_imap_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LbImapResponse) r = NULL;
  static const char head[] = "* 1 FETCH (UID 5 BODY[] {1000}\r\nabc";
  static const char more[] = "* 2 FETCH (UID 6 BODY[] {5}\r\nhello)\r\n";

  g_assert_cmpuint (lb_imap_parser_get_literal_bytes (p), ==, 0);
  lb_imap_parser_feed (p, head, strlen (head));
  g_assert_null (lb_imap_parser_next (p, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lb_imap_parser_get_literal_bytes (p), ==, 1000);
  lb_imap_parser_feed (p, more, strlen (more));
  r = lb_imap_parser_next (p, &error);
  g_assert_no_error (error);
  g_assert_null (r);
  g_assert_cmpuint (lb_imap_parser_get_literal_bytes (p), ==, 1000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap/parser/transcript/dovecot", test_dovecot_session);
  g_test_add_func ("/imap/parser/transcript/qq", test_qq);
  g_test_add_func ("/imap/parser/transcript/netease", test_netease);
  g_test_add_func ("/imap/parser/transcript/gmail", test_gmail);
  g_test_add_func ("/imap/parser/literal8-binary", test_literal8_binary);
  g_test_add_func ("/imap/parser/literal-plus-quoted-section", test_literal_plus_and_quoted_section);
  g_test_add_func ("/imap/parser/mailbox-literal", test_mailbox_literal);
  g_test_add_func ("/imap/parser/bodystructure", test_bodystructure_edge);
  g_test_add_func ("/imap/parser/misc", test_misc_responses);
  g_test_add_func ("/imap/parser/fetch-details", test_fetch_details);
  g_test_add_func ("/imap/parser/malformed", test_malformed_lines);
  g_test_add_func ("/imap/parser/recovery", test_recovery);
  g_test_add_func ("/imap/parser/literal-overflow", test_literal_overflow);
  g_test_add_func ("/imap/parser/literal-limit", test_literal_limit);
  g_test_add_func ("/imap/parser/line-limit", test_line_limit);
  g_test_add_func ("/imap/parser/deep-nesting", test_deep_nesting);
  g_test_add_func ("/imap/parser/many-fetches", test_many_fetches);
  g_test_add_func ("/imap/parser/incomplete", test_incomplete);
  g_test_add_func ("/imap/parser/bare-lf", test_bare_lf);
  g_test_add_func ("/imap/parser/astring", test_astring);
  g_test_add_func ("/imap/parser/uid-range", test_uid_range);
  g_test_add_func ("/imap/parser/response-sets", test_response_sets);
  g_test_add_func ("/imap/parser/literal-bytes", test_literal_bytes);

  return g_test_run ();
}
