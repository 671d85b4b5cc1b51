/* lb-imap-parser.c: incremental, byte-exact IMAP response parser
 *
 * Two stages keep this simple and safe:
 *
 * 1. Framing (lb_imap_parser_next): find where one response ends by looking for
 *    LF and, when a line ends in `{N}`, skipping N bytes of literal by count.
 *    This needs no grammar, resumes where it stopped when more bytes arrive
 *    (so byte-by-byte feeding stays linear), and never allocates for a literal
 *    before checking its size.
 * 2. Parsing (rd_*): a recursive-descent reader over one complete response in
 *    a contiguous buffer.  It never waits for bytes, checks every bound, and
 *    copies each string exactly once into the response.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lb-error.h"
#include "lb-imap-parser.h"

struct _LbImapParser
{
  guchar  *buf;
  gsize    len;
  gsize    alloc;
  gsize    head;          /* start of the response being framed */
  gsize    line_start;    /* start of the line being scanned */
  gsize    scan;          /* where the search for LF resumes */
  gsize    literal_end;   /* end of the literal being received, if in_literal */
  gboolean in_literal;
  guint64  literal_announced;   /* sum of every {N} framed so far */
  GError  *fatal;         /* sticky framing error */
  gsize    max_literal;
  gsize    max_line;
  guint    max_depth;
};

/* ------------------------------------------------------------------------ */
/* The reader                                                                */
/* ------------------------------------------------------------------------ */

typedef struct {
  const guchar *start;
  const guchar *p;
  const guchar *end;
  guint         depth;
  guint         max_depth;
  GError       *error;
} Rd;

typedef enum {
  STR_NIL,
  STR_ATOM,
  STR_QUOTED,
  STR_LITERAL,
} StrKind;

/* A string as it lies in the buffer; copied out only when kept. */
typedef struct {
  const guchar *p;
  gsize         len;
  StrKind       kind;
  gboolean      escaped;
} Str;

enum {
  ALLOW_NIL  = 1 << 0,
  ALLOW_ATOM = 1 << 1,
  /* astring atoms may hold ']' (RFC 3501 ASTRING-CHAR); other atoms stop there */
  ASTRING    = 1 << 2,
};

static gboolean
rd_fail (Rd         *r,
         const char *what)
{
  if (r->error == NULL)
    {
      gsize avail = r->p < r->end ? (gsize) (r->end - r->p) : 0;
      g_autofree char *raw = g_strndup ((const char *) r->p, MIN (avail, 32));
      g_autofree char *near = g_strescape (raw, NULL);

      g_set_error (&r->error, LB_ERROR, LB_ERROR_PARSE,
                   "Cannot parse IMAP response at byte %" G_GSIZE_FORMAT " (near “%s”): %s",
                   (gsize) (r->p - r->start), near, what);
    }
  return FALSE;
}

static inline int
rd_peek (const Rd *r)
{
  return r->p < r->end ? *r->p : -1;
}

static inline int
rd_peek_at (const Rd *r,
            gsize     off)
{
  return (gsize) (r->end - r->p) > off ? r->p[off] : -1;
}

static inline gboolean
is_atom_stop (guchar c)
{
  return c <= 0x20 || c == 0x7f || c == '(' || c == ')' || c == '"';
}

static inline void
rd_skip_sp (Rd *r)
{
  while (r->p < r->end && *r->p == ' ')
    r->p++;
}

/* One or more spaces: some servers double them. */
static gboolean
rd_sp (Rd *r)
{
  if (rd_peek (r) != ' ')
    return rd_fail (r, "expected a space");
  rd_skip_sp (r);
  return TRUE;
}

static gboolean
rd_enter (Rd *r)
{
  if (rd_peek (r) != '(')
    return rd_fail (r, "expected “(”");
  if (r->depth >= r->max_depth)
    return rd_fail (r, "lists nested too deeply");
  r->depth++;
  r->p++;
  return TRUE;
}

static gboolean
rd_leave (Rd *r)
{
  rd_skip_sp (r);
  if (rd_peek (r) != ')')
    return rd_fail (r, "expected “)”");
  r->depth--;
  r->p++;
  return TRUE;
}

/* Reads a run of atom characters.  @stop_close stops at ']' (atoms in response
 * codes), @stop_open at '[' (FETCH item names). */
static gboolean
rd_atom_ex (Rd            *r,
            gboolean       stop_close,
            gboolean       stop_open,
            const guchar **s,
            gsize         *n)
{
  const guchar *b = r->p;

  while (r->p < r->end && !is_atom_stop (*r->p)
         && !(stop_close && *r->p == ']') && !(stop_open && *r->p == '['))
    r->p++;
  if (r->p == b)
    return rd_fail (r, "expected an atom");
  *s = b;
  *n = (gsize) (r->p - b);
  return TRUE;
}

static gboolean
rd_atom (Rd            *r,
         const guchar **s,
         gsize         *n)
{
  return rd_atom_ex (r, TRUE, FALSE, s, n);
}

/* ASCII case-insensitive comparison with a word; @word is upper case or
 * punctuation.  Inline because it runs for every FETCH item and flag. */
static inline gboolean
tok_eq (const guchar *s,
        gsize         n,
        const char   *word)
{
  gsize i;

  for (i = 0; i < n; i++)
    {
      guchar c = s[i], w = (guchar) word[i];

      if (w == '\0')
        return FALSE;
      if (c >= 'a' && c <= 'z')
        c -= 'a' - 'A';
      if (w >= 'a' && w <= 'z')
        w -= 'a' - 'A';
      if (c != w)
        return FALSE;
    }
  return word[i] == '\0';
}

static gboolean
rd_number64 (Rd      *r,
             guint64 *out)
{
  const guchar *b = r->p;
  guint64 v = 0;

  while (r->p < r->end && g_ascii_isdigit (*r->p))
    {
      guint d = *r->p - '0';

      if (v > (G_MAXUINT64 - d) / 10)
        return rd_fail (r, "number too large");
      v = v * 10 + d;
      r->p++;
    }
  if (r->p == b)
    return rd_fail (r, "expected a number");
  *out = v;
  return TRUE;
}

static gboolean
rd_number32 (Rd      *r,
             guint32 *out)
{
  guint64 v;

  if (!rd_number64 (r, &v))
    return FALSE;
  if (v > G_MAXUINT32)
    return rd_fail (r, "number too large");
  *out = (guint32) v;
  return TRUE;
}

/* A UID or a message number (RFC 3501 nz-number): 1..4294967295.  Zero is a protocol
 * error, not a value to store. */
static gboolean
rd_nz_number32 (Rd      *r,
                guint32 *out)
{
  const guchar *b = r->p;

  if (!rd_number32 (r, out))
    return FALSE;
  if (*out == 0)
    {
      r->p = b;
      return rd_fail (r, "zero where a non-zero number is required");
    }
  return TRUE;
}

static gboolean
at_nil (const Rd *r)
{
  const guchar *p = r->p;

  return r->end - p >= 3
         && (p[0] | 0x20) == 'n' && (p[1] | 0x20) == 'i' && (p[2] | 0x20) == 'l'
         && (r->end - p == 3 || is_atom_stop (p[3]) || p[3] == ']');
}

static gboolean
rd_quoted (Rd  *r,
           Str *s)
{
  const guchar *b;
  gboolean escaped = FALSE;

  r->p++;
  b = r->p;
  for (;;)
    {
      guchar c;

      if (r->p >= r->end)
        return rd_fail (r, "unterminated quoted string");
      c = *r->p;
      if (c == '"')
        break;
      if (c == '\r' || c == '\n')
        return rd_fail (r, "line break in a quoted string");
      if (c == '\\')
        {
          escaped = TRUE;
          r->p++;
          if (r->p >= r->end)
            return rd_fail (r, "unterminated quoted string");
          if (*r->p == '\r' || *r->p == '\n')
            return rd_fail (r, "line break in a quoted string");
        }
      r->p++;
    }
  s->p = b;
  s->len = (gsize) (r->p - b);
  s->kind = STR_QUOTED;
  s->escaped = escaped;
  r->p++;
  return TRUE;
}

/* At '{': "{N}" or "{N+}", a line break, then N bytes, all of which must be
 * inside this response (framing guarantees it for fed input; the check keeps
 * lb_imap_parse_response and malformed input safe). */
static gboolean
rd_literal (Rd  *r,
            Str *s)
{
  guint64 n;

  r->p++;
  if (!rd_number64 (r, &n))
    return FALSE;
  if (rd_peek (r) == '+')
    r->p++;
  if (rd_peek (r) != '}')
    return rd_fail (r, "expected “}” after a literal length");
  r->p++;
  if (rd_peek (r) == '\r')
    r->p++;
  if (rd_peek (r) != '\n')
    return rd_fail (r, "expected a line break after a literal length");
  r->p++;
  if (n > (guint64) (r->end - r->p))
    return rd_fail (r, "literal longer than the response");
  s->p = r->p;
  s->len = (gsize) n;
  s->kind = STR_LITERAL;
  s->escaped = FALSE;
  r->p += n;
  return TRUE;
}

static gboolean
rd_string (Rd  *r,
           Str *s,
           int  flags)
{
  int c = rd_peek (r);

  if (c == '"')
    return rd_quoted (r, s);
  if (c == '{')
    return rd_literal (r, s);
  if (c == '~' && rd_peek_at (r, 1) == '{')
    {
      r->p++;
      return rd_literal (r, s);
    }
  if ((flags & ALLOW_NIL) && at_nil (r))
    {
      r->p += 3;
      s->p = NULL;
      s->len = 0;
      s->kind = STR_NIL;
      s->escaped = FALSE;
      return TRUE;
    }
  if (flags & ALLOW_ATOM)
    {
      if (!rd_atom_ex (r, !(flags & ASTRING), FALSE, &s->p, &s->len))
        return FALSE;
      s->kind = STR_ATOM;
      s->escaped = FALSE;
      return TRUE;
    }
  return rd_fail (r, "expected a string");
}

/* Copies the bytes of @s, unescaped, into @out; returns the length. */
static gsize
str_copy (const Str *s,
          char      *out)
{
  gsize n = 0;

  if (!s->escaped)
    {
      if (s->len > 0)
        memcpy (out, s->p, s->len);
      return s->len;
    }
  for (gsize i = 0; i < s->len; i++)
    {
      if (s->p[i] == '\\' && i + 1 < s->len)
        i++;
      out[n++] = (char) s->p[i];
    }
  return n;
}

/* The first byte of a (non-empty) string, unescaped: a hierarchy delimiter. */
static char
str_first_byte (const Str *s)
{
  if (s->kind == STR_NIL || s->len == 0)
    return '\0';
  if (s->escaped && s->p[0] == '\\' && s->len > 1)
    return (char) s->p[1];
  return (char) s->p[0];
}

static char *
str_dup (const Str *s)
{
  char *out;
  gsize n;

  if (s->kind == STR_NIL)
    return NULL;
  out = g_malloc (s->len + 1);
  n = str_copy (s, out);
  out[n] = '\0';
  return out;
}

static GBytes *
str_bytes (const Str *s)
{
  char *out;
  gsize n;

  if (s->kind == STR_NIL)
    return NULL;
  if (!s->escaped)
    return g_bytes_new (s->p, s->len);
  out = g_malloc (s->len + 1);
  n = str_copy (s, out);
  return g_bytes_new_take (out, n);
}

/* Reads an nstring (leniently also an atom) into *out, freeing what was there. */
static gboolean
rd_nstring_dup (Rd    *r,
                char **out)
{
  Str s;

  if (!rd_string (r, &s, ALLOW_NIL | ALLOW_ATOM))
    return FALSE;
  g_free (*out);
  *out = str_dup (&s);
  return TRUE;
}

static gboolean
rd_astring_dup (Rd    *r,
                char **out)
{
  Str s;

  if (!rd_string (r, &s, ALLOW_ATOM | ASTRING))
    return FALSE;
  g_free (*out);
  *out = str_dup (&s);
  return TRUE;
}

/* At '[': skips to the matching ']' (quoted strings and parentheses inside
 * are allowed, as in BODY[HEADER.FIELDS ("FROM" TO)]) and returns the inside. */
static gboolean
rd_section (Rd            *r,
            const guchar **s,
            gsize         *n)
{
  const guchar *b;
  int parens = 0;

  r->p++;
  b = r->p;
  while (r->p < r->end)
    {
      guchar c = *r->p;

      if (c == '"')
        {
          Str ignored;

          if (!rd_quoted (r, &ignored))
            return FALSE;
          continue;
        }
      if (c == '\r' || c == '\n')
        break;
      if (c == '(')
        parens++;
      else if (c == ')')
        parens--;
      else if (c == ']' && parens <= 0)
        {
          *s = b;
          *n = (gsize) (r->p - b);
          r->p++;
          return TRUE;
        }
      r->p++;
    }
  return rd_fail (r, "unterminated “[” section");
}

static gboolean rd_skip_value (Rd *r);

/* Skips an atom that may carry [sections] and a <partial>, as unknown FETCH
 * item names and values do. */
static gboolean
rd_skip_atomish (Rd *r)
{
  const guchar *b = r->p;

  while (r->p < r->end)
    {
      guchar c = *r->p;

      if (c == '[')
        {
          const guchar *s;
          gsize n;

          if (!rd_section (r, &s, &n))
            return FALSE;
          continue;
        }
      if (is_atom_stop (c) || c == ']')
        break;
      r->p++;
    }
  if (r->p == b)
    return rd_fail (r, "expected a value");
  return TRUE;
}

static gboolean
rd_skip_value (Rd *r)
{
  int c = rd_peek (r);
  Str s;

  if (c == '(')
    {
      if (!rd_enter (r))
        return FALSE;
      for (;;)
        {
          rd_skip_sp (r);
          c = rd_peek (r);
          if (c == ')' || c < 0)
            break;
          if (!rd_skip_value (r))
            return FALSE;
        }
      return rd_leave (r);
    }
  if (c == '"' || c == '{' || (c == '~' && rd_peek_at (r, 1) == '{'))
    return rd_string (r, &s, 0);
  return rd_skip_atomish (r);
}

/* Skips values up to the end of the response (extension data we ignore). */
static gboolean
rd_skip_rest (Rd *r)
{
  for (;;)
    {
      rd_skip_sp (r);
      if (r->p >= r->end)
        return TRUE;
      if (rd_peek (r) == ')')
        return rd_fail (r, "unbalanced “)”");
      if (!rd_skip_value (r))
        return FALSE;
    }
}

static char *
dup_range (const guchar *b,
           const guchar *e)
{
  return g_strndup ((const char *) b, (gsize) (e - b));
}

/* "(" [item *(SP item)] ")" of atoms or strings, as a NULL-terminated vector. */
static gboolean
rd_string_list (Rd      *r,
                char  ***out)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);

  if (!rd_enter (r))
    return FALSE;
  for (;;)
    {
      Str s;

      rd_skip_sp (r);
      if (rd_peek (r) == ')' || rd_peek (r) < 0)
        break;
      if (!rd_string (r, &s, ALLOW_ATOM | ASTRING))
        return FALSE;
      g_ptr_array_add (items, str_dup (&s));
    }
  if (!rd_leave (r))
    return FALSE;
  g_ptr_array_add (items, NULL);
  g_strfreev (*out);
  *out = (char **) g_ptr_array_free (g_steal_pointer (&items), FALSE);
  return TRUE;
}

/* Atoms separated by spaces up to the end (CAPABILITY, ENABLED). */
static gboolean
rd_atoms_to_end (Rd      *r,
                 char  ***out)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);

  for (;;)
    {
      const guchar *s;
      gsize n;

      rd_skip_sp (r);
      if (r->p >= r->end)
        break;
      if (!rd_atom_ex (r, FALSE, FALSE, &s, &n))
        return FALSE;
      g_ptr_array_add (items, g_strndup ((const char *) s, n));
    }
  g_ptr_array_add (items, NULL);
  g_strfreev (*out);
  *out = (char **) g_ptr_array_free (g_steal_pointer (&items), FALSE);
  return TRUE;
}

static gboolean
rd_seqset (Rd      *r,
           GArray **out)
{
  const guchar *b = r->p;
  GError *local = NULL;
  GArray *set;

  while (r->p < r->end && (g_ascii_isdigit (*r->p) || *r->p == ':' || *r->p == ','
                           || *r->p == '*'))
    r->p++;
  if (r->p == b)
    return rd_fail (r, "expected a sequence set");
  /* Sets in responses (ESEARCH ALL, VANISHED, COPYUID, APPENDUID, MODIFIED) never hold
   * `*`: a server that sends one is broken, and reading it as "no upper bound" would
   * make UID 4294967295 and `*` the same thing. */
  set = lb_imap_seqset_parse_uids ((const char *) b, r->p - b, &local);
  if (set == NULL)
    {
      r->p = b;
      rd_fail (r, local->message);
      g_error_free (local);
      return FALSE;
    }
  if (*out != NULL)
    g_array_unref (*out);
  *out = set;
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* FETCH items                                                               */
/* ------------------------------------------------------------------------ */

static gboolean
rd_fetch_flags (Rd          *r,
                LbImapFetch *f)
{
  g_autoptr(GPtrArray) keywords = NULL;

  if (!rd_enter (r))
    return FALSE;
  f->flags = 0;
  f->recent = FALSE;
  for (;;)
    {
      const guchar *s;
      gsize n;

      rd_skip_sp (r);
      if (rd_peek (r) == ')' || rd_peek (r) < 0)
        break;
      if (!rd_atom_ex (r, FALSE, FALSE, &s, &n))
        return FALSE;
      if (tok_eq (s, n, "\\Seen"))
        f->flags |= LB_FLAG_SEEN;
      else if (tok_eq (s, n, "\\Answered"))
        f->flags |= LB_FLAG_ANSWERED;
      else if (tok_eq (s, n, "\\Flagged"))
        f->flags |= LB_FLAG_FLAGGED;
      else if (tok_eq (s, n, "\\Deleted"))
        f->flags |= LB_FLAG_DELETED;
      else if (tok_eq (s, n, "\\Draft"))
        f->flags |= LB_FLAG_DRAFT;
      else if (tok_eq (s, n, "$Forwarded"))
        f->flags |= LB_FLAG_FORWARDED;
      else if (tok_eq (s, n, "$Junk"))
        f->flags |= LB_FLAG_JUNK;
      else if (tok_eq (s, n, "\\Recent"))
        f->recent = TRUE;
      else
        {
          if (keywords == NULL)
            keywords = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (keywords, g_strndup ((const char *) s, n));
        }
    }
  if (!rd_leave (r))
    return FALSE;
  g_clear_pointer (&f->keywords, g_strfreev);
  if (keywords != NULL)
    {
      g_ptr_array_add (keywords, NULL);
      f->keywords = (char **) g_ptr_array_free (g_steal_pointer (&keywords), FALSE);
    }
  f->items |= LB_IMAP_FETCH_FLAGS;
  return TRUE;
}

static gint64
days_from_civil (int y,
                 int m,
                 int d)
{
  int era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (gint64) era * 146097 + doe - 719468;
}

static gboolean
take_digits (const guchar **p,
             const guchar  *end,
             guint          count,
             int           *out)
{
  int v = 0;

  for (guint i = 0; i < count; i++)
    {
      if (*p >= end || !g_ascii_isdigit (**p))
        return FALSE;
      v = v * 10 + (**p - '0');
      (*p)++;
    }
  *out = v;
  return TRUE;
}

/* "17-Jul-1996 02:44:25 -0700" (the day may be space-padded or one digit). */
static gboolean
parse_internaldate (const guchar *p,
                    gsize         len,
                    gint64       *out,
                    int          *offset)
{
  static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
  const guchar *end = p + len;
  int day, month = 0, year, hour, min, sec, zh, zm, sign;

  while (p < end && *p == ' ')
    p++;
  if (!take_digits (&p, end, 1, &day))
    return FALSE;
  if (p < end && g_ascii_isdigit (*p))
    day = day * 10 + (*p++ - '0');
  if (end - p < 5 || *p != '-' || p[4] != '-')
    return FALSE;
  for (int i = 0; i < 12; i++)
    if (g_ascii_strncasecmp ((const char *) p + 1, months + i * 3, 3) == 0)
      month = i + 1;
  p += 5;
  if (month == 0 || !take_digits (&p, end, 4, &year) || p >= end || *p++ != ' '
      || !take_digits (&p, end, 2, &hour) || p >= end || *p++ != ':'
      || !take_digits (&p, end, 2, &min) || p >= end || *p++ != ':'
      || !take_digits (&p, end, 2, &sec) || p >= end || *p++ != ' ' || p >= end)
    return FALSE;
  if (*p != '+' && *p != '-')
    return FALSE;
  sign = *p++ == '-' ? -1 : 1;
  if (!take_digits (&p, end, 2, &zh) || !take_digits (&p, end, 2, &zm) || p != end)
    return FALSE;
  if (day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 || zm > 59)
    return FALSE;

  *offset = sign * (zh * 60 + zm);
  *out = days_from_civil (year, month, day) * 86400 + hour * 3600 + min * 60 + sec
         - (gint64) *offset * 60;
  return TRUE;
}

static gboolean
rd_address_list (Rd         *r,
                 GPtrArray **out)
{
  if (at_nil (r))
    {
      r->p += 3;
      return TRUE;
    }
  if (!rd_enter (r))
    return FALSE;
  *out = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_imap_address_free);
  for (;;)
    {
      LbImapAddress *a;

      rd_skip_sp (r);
      if (rd_peek (r) != '(')
        break;
      a = g_new0 (LbImapAddress, 1);
      g_ptr_array_add (*out, a);
      if (!rd_enter (r)
          || !rd_nstring_dup (r, &a->name) || !rd_sp (r)
          || !rd_nstring_dup (r, &a->adl) || !rd_sp (r)
          || !rd_nstring_dup (r, &a->mailbox) || !rd_sp (r)
          || !rd_nstring_dup (r, &a->host)
          || !rd_leave (r))
        return FALSE;
    }
  return rd_leave (r);
}

static gboolean
rd_envelope (Rd              *r,
             LbImapEnvelope **out)
{
  LbImapEnvelope *e;

  g_clear_pointer (out, lb_imap_envelope_free);
  if (at_nil (r))
    {
      r->p += 3;
      return TRUE;
    }
  e = *out = g_new0 (LbImapEnvelope, 1);
  return rd_enter (r)
         && rd_nstring_dup (r, &e->date) && rd_sp (r)
         && rd_nstring_dup (r, &e->subject) && rd_sp (r)
         && rd_address_list (r, &e->from) && rd_sp (r)
         && rd_address_list (r, &e->sender) && rd_sp (r)
         && rd_address_list (r, &e->reply_to) && rd_sp (r)
         && rd_address_list (r, &e->to) && rd_sp (r)
         && rd_address_list (r, &e->cc) && rd_sp (r)
         && rd_address_list (r, &e->bcc) && rd_sp (r)
         && rd_nstring_dup (r, &e->in_reply_to) && rd_sp (r)
         && rd_nstring_dup (r, &e->message_id)
         && rd_leave (r);
}

static gboolean
rd_params (Rd         *r,
           GPtrArray **out)
{
  if (at_nil (r))
    {
      r->p += 3;
      return TRUE;
    }
  if (!rd_enter (r))
    return FALSE;
  if (*out == NULL)
    *out = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_imap_param_free);
  for (;;)
    {
      LbImapParam *param;

      rd_skip_sp (r);
      if (rd_peek (r) == ')' || rd_peek (r) < 0)
        break;
      param = g_new0 (LbImapParam, 1);
      g_ptr_array_add (*out, param);
      if (!rd_nstring_dup (r, &param->name) || !rd_sp (r) || !rd_nstring_dup (r, &param->value))
        return FALSE;
    }
  return rd_leave (r);
}

static gboolean
rd_disposition (Rd         *r,
                LbImapBody *body)
{
  if (rd_peek (r) != '(')
    /* Some servers send a bare string here. */
    return rd_nstring_dup (r, &body->disposition);

  if (!rd_enter (r) || !rd_nstring_dup (r, &body->disposition))
    return FALSE;
  rd_skip_sp (r);
  if (rd_peek (r) != ')' && !rd_params (r, &body->disposition_params))
    return FALSE;
  return rd_leave (r);
}

/* Optional extension fields up to ')': for a multipart params, disposition,
 * language, location; for a single part md5, disposition, language, location;
 * then anything a later RFC adds. */
static gboolean
rd_body_ext (Rd         *r,
             LbImapBody *body,
             gboolean    multipart)
{
  for (guint field = 0;; field++)
    {
      gboolean ok;

      rd_skip_sp (r);
      if (rd_peek (r) == ')' || rd_peek (r) < 0)
        return TRUE;
      if (field == 0 && multipart)
        ok = rd_params (r, &body->params);
      else if (field == 0)
        ok = rd_nstring_dup (r, &body->md5);
      else if (field == 1)
        ok = rd_disposition (r, body);
      else
        ok = rd_skip_value (r);
      if (!ok)
        return FALSE;
    }
}

static gboolean
rd_number_or_nil (Rd      *r,
                  guint64 *out)
{
  if (at_nil (r))
    {
      r->p += 3;
      *out = 0;
      return TRUE;
    }
  return rd_number64 (r, out);
}

static gboolean
rd_body (Rd          *r,
         LbImapBody **out)
{
  LbImapBody *body;

  g_clear_pointer (out, lb_imap_body_free);
  body = *out = g_new0 (LbImapBody, 1);
  if (!rd_enter (r))
    return FALSE;

  if (rd_peek (r) == '(')
    {
      body->type = g_strdup ("multipart");
      body->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_imap_body_free);
      while (rd_peek (r) == '(')
        {
          LbImapBody *part = NULL;
          gboolean ok = rd_body (r, &part);

          g_ptr_array_add (body->parts, part);
          if (!ok)
            return FALSE;
          rd_skip_sp (r);
        }
      if (!rd_nstring_dup (r, &body->subtype) || !rd_body_ext (r, body, TRUE))
        return FALSE;
      return rd_leave (r);
    }

  if (!rd_nstring_dup (r, &body->type) || !rd_sp (r)
      || !rd_nstring_dup (r, &body->subtype) || !rd_sp (r)
      || !rd_params (r, &body->params) || !rd_sp (r)
      || !rd_nstring_dup (r, &body->id) || !rd_sp (r)
      || !rd_nstring_dup (r, &body->description) || !rd_sp (r)
      || !rd_nstring_dup (r, &body->encoding) || !rd_sp (r)
      || !rd_number_or_nil (r, &body->size))
    return FALSE;

  if (body->type != NULL && body->subtype != NULL
      && g_ascii_strcasecmp (body->type, "message") == 0
      && (g_ascii_strcasecmp (body->subtype, "rfc822") == 0
          || g_ascii_strcasecmp (body->subtype, "global") == 0)
      && rd_peek (r) == ' ' && rd_peek_at (r, 1) == '(')
    {
      LbImapBody *inner = NULL;
      gboolean ok;

      if (!rd_sp (r) || !rd_envelope (r, &body->envelope) || !rd_sp (r))
        return FALSE;
      ok = rd_body (r, &inner);
      body->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_imap_body_free);
      g_ptr_array_add (body->parts, inner);
      if (!ok)
        return FALSE;
    }
  /* Lines follow text/ and message/rfc822 parts; a digit cannot start md5. */
  if (rd_peek (r) == ' ' && g_ascii_isdigit (rd_peek_at (r, 1)))
    {
      if (!rd_sp (r) || !rd_number64 (r, &body->lines))
        return FALSE;
    }

  if (!rd_body_ext (r, body, FALSE))
    return FALSE;
  return rd_leave (r);
}

static LbImapBodySection *
add_section (LbImapFetch *f)
{
  LbImapBodySection *sec = g_new0 (LbImapBodySection, 1);

  sec->origin = -1;
  if (f->sections == NULL)
    f->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_imap_body_section_free);
  g_ptr_array_add (f->sections, sec);
  f->items |= LB_IMAP_FETCH_SECTIONS;
  return sec;
}

static gboolean
rd_section_data (Rd                *r,
                 LbImapBodySection *sec)
{
  Str s;

  if (!rd_sp (r) || !rd_string (r, &s, ALLOW_NIL))
    return FALSE;
  sec->data = str_bytes (&s);
  return TRUE;
}

static gboolean
rd_fetch_item (Rd          *r,
               LbImapFetch *f)
{
  const guchar *name;
  const guchar *sect = NULL;
  gsize name_len, sect_len = 0;
  gint64 origin = -1;

  if (!rd_atom_ex (r, TRUE, TRUE, &name, &name_len))
    return FALSE;
  if (rd_peek (r) == '[')
    {
      if (!rd_section (r, &sect, &sect_len))
        return FALSE;
      if (rd_peek (r) == '<')
        {
          guint64 o;

          r->p++;
          if (!rd_number64 (r, &o) || rd_peek (r) != '>')
            return rd_fail (r, "bad <origin>");
          r->p++;
          origin = (gint64) MIN (o, (guint64) G_MAXINT64);
        }
    }

  if (sect != NULL)
    {
      gboolean binary = tok_eq (name, name_len, "BINARY");

      if (binary || tok_eq (name, name_len, "BODY"))
        {
          LbImapBodySection *sec = add_section (f);

          sec->section = g_strndup ((const char *) sect, sect_len);
          sec->binary = binary;
          sec->origin = origin;
          return rd_section_data (r, sec);
        }
      /* BINARY.SIZE[...] and anything else with a section. */
      return rd_sp (r) && rd_skip_value (r);
    }

  if (tok_eq (name, name_len, "UID"))
    {
      f->items |= LB_IMAP_FETCH_UID;
      return rd_sp (r) && rd_nz_number32 (r, &f->uid);
    }
  if (tok_eq (name, name_len, "FLAGS"))
    return rd_sp (r) && rd_fetch_flags (r, f);
  if (tok_eq (name, name_len, "RFC822.SIZE"))
    {
      f->items |= LB_IMAP_FETCH_RFC822_SIZE;
      return rd_sp (r) && rd_number64 (r, &f->size);
    }
  if (tok_eq (name, name_len, "INTERNALDATE"))
    {
      Str s;

      if (!rd_sp (r) || !rd_string (r, &s, ALLOW_NIL))
        return FALSE;
      /* A date we cannot read is left out rather than failing the message. */
      if (s.kind != STR_NIL && !s.escaped
          && parse_internaldate (s.p, s.len, &f->internaldate, &f->internaldate_offset))
        f->items |= LB_IMAP_FETCH_INTERNALDATE;
      return TRUE;
    }
  if (tok_eq (name, name_len, "ENVELOPE"))
    {
      f->items |= LB_IMAP_FETCH_ENVELOPE;
      return rd_sp (r) && rd_envelope (r, &f->envelope);
    }
  if (tok_eq (name, name_len, "BODYSTRUCTURE") || tok_eq (name, name_len, "BODY"))
    {
      f->items |= LB_IMAP_FETCH_BODYSTRUCTURE;
      return rd_sp (r) && rd_body (r, &f->bodystructure);
    }
  if (tok_eq (name, name_len, "MODSEQ"))
    {
      f->items |= LB_IMAP_FETCH_MODSEQ;
      return rd_sp (r) && rd_enter (r) && rd_number64 (r, &f->modseq) && rd_leave (r);
    }
  if (tok_eq (name, name_len, "X-GM-MSGID"))
    {
      f->items |= LB_IMAP_FETCH_GM_MSGID;
      return rd_sp (r) && rd_number64 (r, &f->gm_msgid);
    }
  if (tok_eq (name, name_len, "X-GM-THRID"))
    {
      f->items |= LB_IMAP_FETCH_GM_THRID;
      return rd_sp (r) && rd_number64 (r, &f->gm_thrid);
    }
  if (tok_eq (name, name_len, "X-GM-LABELS"))
    {
      f->items |= LB_IMAP_FETCH_GM_LABELS;
      return rd_sp (r) && rd_string_list (r, &f->gm_labels);
    }
  if (tok_eq (name, name_len, "RFC822") || tok_eq (name, name_len, "RFC822.HEADER")
      || tok_eq (name, name_len, "RFC822.TEXT"))
    {
      LbImapBodySection *sec = add_section (f);

      sec->section = g_strdup (name_len == 6 ? "" : name_len == 13 ? "HEADER" : "TEXT");
      return rd_section_data (r, sec);
    }

  /* An item we do not know: skip its value, whatever its shape. */
  return rd_sp (r) && rd_skip_value (r);
}

static gboolean
rd_fetch (Rd          *r,
          LbImapFetch *f)
{
  if (!rd_enter (r))
    return FALSE;
  for (;;)
    {
      rd_skip_sp (r);
      if (rd_peek (r) == ')')
        break;
      if (rd_peek (r) < 0)
        return rd_fail (r, "unterminated FETCH");
      if (!rd_fetch_item (r, f))
        return FALSE;
    }
  return rd_leave (r);
}

/* ------------------------------------------------------------------------ */
/* Status responses and codes                                                */
/* ------------------------------------------------------------------------ */

static const struct {
  const char     *name;
  LbImapCodeKind  kind;
} code_names[] = {
  { "ALERT", LB_IMAP_CODE_ALERT },
  { "ALREADYEXISTS", LB_IMAP_CODE_ALREADYEXISTS },
  { "APPENDUID", LB_IMAP_CODE_APPENDUID },
  { "AUTHENTICATIONFAILED", LB_IMAP_CODE_AUTHENTICATIONFAILED },
  { "AUTHORIZATIONFAILED", LB_IMAP_CODE_AUTHORIZATIONFAILED },
  { "BADCHARSET", LB_IMAP_CODE_BADCHARSET },
  { "CANNOT", LB_IMAP_CODE_CANNOT },
  { "CAPABILITY", LB_IMAP_CODE_CAPABILITY },
  { "CLIENTBUG", LB_IMAP_CODE_CLIENTBUG },
  { "CLOSED", LB_IMAP_CODE_CLOSED },
  { "CONTACTADMIN", LB_IMAP_CODE_CONTACTADMIN },
  { "COPYUID", LB_IMAP_CODE_COPYUID },
  { "EXPIRED", LB_IMAP_CODE_EXPIRED },
  { "EXPUNGEISSUED", LB_IMAP_CODE_EXPUNGEISSUED },
  { "HIGHESTMODSEQ", LB_IMAP_CODE_HIGHESTMODSEQ },
  { "INUSE", LB_IMAP_CODE_INUSE },
  { "LIMIT", LB_IMAP_CODE_LIMIT },
  { "MODIFIED", LB_IMAP_CODE_MODIFIED },
  { "NOMODSEQ", LB_IMAP_CODE_NOMODSEQ },
  { "NONEXISTENT", LB_IMAP_CODE_NONEXISTENT },
  { "NOPERM", LB_IMAP_CODE_NOPERM },
  { "OVERQUOTA", LB_IMAP_CODE_OVERQUOTA },
  { "PARSE", LB_IMAP_CODE_PARSE },
  { "PERMANENTFLAGS", LB_IMAP_CODE_PERMANENTFLAGS },
  { "PRIVACYREQUIRED", LB_IMAP_CODE_PRIVACYREQUIRED },
  { "READ-ONLY", LB_IMAP_CODE_READ_ONLY },
  { "READ-WRITE", LB_IMAP_CODE_READ_WRITE },
  { "SERVERBUG", LB_IMAP_CODE_SERVERBUG },
  { "TRYCREATE", LB_IMAP_CODE_TRYCREATE },
  { "UIDNEXT", LB_IMAP_CODE_UIDNEXT },
  { "UIDNOTSTICKY", LB_IMAP_CODE_UIDNOTSTICKY },
  { "UIDVALIDITY", LB_IMAP_CODE_UIDVALIDITY },
  { "UNAVAILABLE", LB_IMAP_CODE_UNAVAILABLE },
  { "UNSEEN", LB_IMAP_CODE_UNSEEN },
};

/* Parses the arguments of a known code from a reader that ends at ']'. */
static gboolean
rd_code_args (Rd                 *r,
              LbImapResponseCode *code)
{
  switch (code->kind)
    {
    case LB_IMAP_CODE_UIDVALIDITY:
    case LB_IMAP_CODE_UIDNEXT:
    case LB_IMAP_CODE_UNSEEN:
      return rd_number32 (r, &code->number);
    case LB_IMAP_CODE_HIGHESTMODSEQ:
      return rd_number64 (r, &code->modseq);
    case LB_IMAP_CODE_PERMANENTFLAGS:
      return rd_string_list (r, &code->list);
    case LB_IMAP_CODE_CAPABILITY:
      return rd_atoms_to_end (r, &code->list);
    case LB_IMAP_CODE_BADCHARSET:
      return r->p >= r->end || rd_string_list (r, &code->list);
    case LB_IMAP_CODE_APPENDUID:
      return rd_number32 (r, &code->number) && rd_sp (r) && rd_seqset (r, &code->set);
    case LB_IMAP_CODE_COPYUID:
      return rd_number32 (r, &code->number) && rd_sp (r) && rd_seqset (r, &code->set)
             && rd_sp (r) && rd_seqset (r, &code->dest_set);
    case LB_IMAP_CODE_MODIFIED:
      return rd_seqset (r, &code->set);
    case LB_IMAP_CODE_NONE:
    case LB_IMAP_CODE_UNKNOWN:
    default:
      /* Codes without arguments: anything extra is only kept raw. */
      r->p = r->end;
      return TRUE;
    }
}

/* At '['.  Returns FALSE (without an error) if this is not a well-formed
 * code, in which case the caller takes everything as text. */
static gboolean
rd_code (Rd                 *r,
         LbImapResponseCode *code)
{
  const guchar *name, *args, *close;
  gsize name_len;
  Rd sub;

  r->p++;
  name = r->p;
  while (r->p < r->end && *r->p != ' ' && *r->p != ']')
    r->p++;
  name_len = (gsize) (r->p - name);
  if (name_len == 0)
    return FALSE;
  args = r->p < r->end && *r->p == ' ' ? r->p + 1 : r->p;

  /* Find the closing ']' outside quoted strings. */
  for (close = args; close < r->end && *close != ']'; close++)
    if (*close == '"')
      {
        for (close++; close < r->end && *close != '"'; close++)
          if (*close == '\\' && close + 1 < r->end)
            close++;
        if (close >= r->end)
          break;
      }
  if (close >= r->end)
    return FALSE;

  code->kind = LB_IMAP_CODE_UNKNOWN;
  code->name = g_strndup ((const char *) name, name_len);
  if (close > args)
    code->raw = dup_range (args, close);
  for (guint i = 0; i < G_N_ELEMENTS (code_names); i++)
    if (tok_eq (name, name_len, code_names[i].name))
      {
        code->kind = code_names[i].kind;
        break;
      }

  sub = (Rd) { r->start, args, close, r->depth, r->max_depth, NULL };
  if (!rd_code_args (&sub, code) || (rd_skip_sp (&sub), sub.p != sub.end))
    {
      /* Never trust half-parsed arguments: keep the code raw. */
      code->kind = LB_IMAP_CODE_UNKNOWN;
      code->number = 0;
      code->modseq = 0;
      g_clear_pointer (&code->list, g_strfreev);
      g_clear_pointer (&code->set, g_array_unref);
      g_clear_pointer (&code->dest_set, g_array_unref);
    }
  g_clear_error (&sub.error);

  r->p = close + 1;
  return TRUE;
}

/* [SP] ["[" code "]" [SP]] text, to the end of the response. */
static void
rd_resp_text (Rd             *r,
              LbImapResponse *resp)
{
  if (rd_peek (r) == ' ')
    r->p++;
  if (rd_peek (r) == '[')
    {
      const guchar *save = r->p;

      if (!rd_code (r, &resp->code))
        {
          r->p = save;
          g_clear_pointer (&resp->code.name, g_free);
          g_clear_pointer (&resp->code.raw, g_free);
          resp->code.kind = LB_IMAP_CODE_NONE;
        }
      else if (rd_peek (r) == ' ')
        r->p++;
    }
  resp->text = dup_range (r->p, r->end);
  r->p = r->end;
}

static LbImapStatus
status_from_atom (const guchar *s,
                  gsize         n)
{
  if (tok_eq (s, n, "OK"))
    return LB_IMAP_STATUS_OK;
  if (tok_eq (s, n, "NO"))
    return LB_IMAP_STATUS_NO;
  if (tok_eq (s, n, "BAD"))
    return LB_IMAP_STATUS_BAD;
  if (tok_eq (s, n, "PREAUTH"))
    return LB_IMAP_STATUS_PREAUTH;
  if (tok_eq (s, n, "BYE"))
    return LB_IMAP_STATUS_BYE;
  return LB_IMAP_STATUS_NONE;
}

/* ------------------------------------------------------------------------ */
/* Untagged data                                                             */
/* ------------------------------------------------------------------------ */

static const struct {
  const char      *name;
  LbImapListAttrs  attr;
} list_attrs[] = {
  { "\\Noinferiors", LB_IMAP_LIST_NOINFERIORS },
  { "\\Noselect", LB_IMAP_LIST_NOSELECT },
  { "\\Marked", LB_IMAP_LIST_MARKED },
  { "\\Unmarked", LB_IMAP_LIST_UNMARKED },
  { "\\HasChildren", LB_IMAP_LIST_HASCHILDREN },
  { "\\HasNoChildren", LB_IMAP_LIST_HASNOCHILDREN },
  { "\\NonExistent", LB_IMAP_LIST_NONEXISTENT },
  { "\\Subscribed", LB_IMAP_LIST_SUBSCRIBED },
  { "\\Remote", LB_IMAP_LIST_REMOTE },
  { "\\All", LB_IMAP_LIST_ALL },
  { "\\AllMail", LB_IMAP_LIST_ALL },
  { "\\Archive", LB_IMAP_LIST_ARCHIVE },
  { "\\Drafts", LB_IMAP_LIST_DRAFTS },
  { "\\Flagged", LB_IMAP_LIST_FLAGGED },
  { "\\Starred", LB_IMAP_LIST_FLAGGED },
  { "\\Junk", LB_IMAP_LIST_JUNK },
  { "\\Spam", LB_IMAP_LIST_JUNK },
  { "\\Sent", LB_IMAP_LIST_SENT },
  { "\\Trash", LB_IMAP_LIST_TRASH },
  { "\\Important", LB_IMAP_LIST_IMPORTANT },
  { "\\Inbox", LB_IMAP_LIST_INBOX },
};

static gboolean
rd_list (Rd         *r,
         LbImapList *l)
{
  Str s;

  if (!rd_sp (r) || !rd_string_list (r, &l->attributes))
    return FALSE;
  for (guint i = 0; l->attributes[i] != NULL; i++)
    for (guint j = 0; j < G_N_ELEMENTS (list_attrs); j++)
      if (g_ascii_strcasecmp (l->attributes[i], list_attrs[j].name) == 0)
        l->attrs |= list_attrs[j].attr;

  if (!rd_sp (r) || !rd_string (r, &s, ALLOW_NIL))
    return FALSE;
  l->delimiter = str_first_byte (&s);

  if (!rd_sp (r) || !rd_astring_dup (r, &l->name))
    return FALSE;
  /* LIST-EXTENDED data such as ("CHILDINFO" ("SUBSCRIBED")). */
  return rd_skip_rest (r);
}

static gboolean
rd_mailbox_status (Rd                  *r,
                   LbImapMailboxStatus *st)
{
  if (!rd_sp (r) || !rd_astring_dup (r, &st->name) || !rd_sp (r) || !rd_enter (r))
    return FALSE;
  for (;;)
    {
      const guchar *s;
      gsize n;
      guint64 v;

      rd_skip_sp (r);
      if (rd_peek (r) == ')' || rd_peek (r) < 0)
        break;
      if (!rd_atom (r, &s, &n) || !rd_sp (r))
        return FALSE;
      if (!g_ascii_isdigit (rd_peek (r)))
        {
          if (!rd_skip_value (r))
            return FALSE;
          continue;
        }
      if (!rd_number64 (r, &v))
        return FALSE;
      if (tok_eq (s, n, "HIGHESTMODSEQ"))
        {
          st->highestmodseq = v;
          st->items |= LB_IMAP_STATUS_ITEM_HIGHESTMODSEQ;
          continue;
        }
      if (v > G_MAXUINT32)
        return rd_fail (r, "number too large");
      if (tok_eq (s, n, "MESSAGES"))
        st->messages = (guint32) v, st->items |= LB_IMAP_STATUS_ITEM_MESSAGES;
      else if (tok_eq (s, n, "RECENT"))
        st->recent = (guint32) v, st->items |= LB_IMAP_STATUS_ITEM_RECENT;
      else if (tok_eq (s, n, "UIDNEXT"))
        st->uidnext = (guint32) v, st->items |= LB_IMAP_STATUS_ITEM_UIDNEXT;
      else if (tok_eq (s, n, "UIDVALIDITY"))
        st->uidvalidity = (guint32) v, st->items |= LB_IMAP_STATUS_ITEM_UIDVALIDITY;
      else if (tok_eq (s, n, "UNSEEN"))
        st->unseen = (guint32) v, st->items |= LB_IMAP_STATUS_ITEM_UNSEEN;
    }
  return rd_leave (r);
}

static gboolean
rd_search (Rd           *r,
           LbImapSearch *se)
{
  se->numbers = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (;;)
    {
      guint32 n;

      rd_skip_sp (r);
      if (r->p >= r->end)
        return TRUE;
      if (rd_peek (r) == '(')
        {
          const guchar *s;
          gsize len;

          if (!rd_enter (r) || !rd_atom (r, &s, &len))
            return FALSE;
          if (!tok_eq (s, len, "MODSEQ"))
            return rd_fail (r, "expected MODSEQ");
          if (!rd_sp (r) || !rd_number64 (r, &se->modseq) || !rd_leave (r))
            return FALSE;
          continue;
        }
      if (!rd_nz_number32 (r, &n))
        return FALSE;
      g_array_append_val (se->numbers, n);
    }
}

static gboolean
rd_esearch (Rd            *r,
            LbImapEsearch *es)
{
  rd_skip_sp (r);
  if (rd_peek (r) == '(')
    {
      const guchar *s;
      gsize n;

      if (!rd_enter (r) || !rd_atom (r, &s, &n))
        return FALSE;
      if (tok_eq (s, n, "TAG"))
        {
          if (!rd_sp (r) || !rd_astring_dup (r, &es->tag))
            return FALSE;
        }
      else
        {
          /* A correlator we do not know. */
          rd_skip_sp (r);
          while (rd_peek (r) != ')' && rd_peek (r) >= 0)
            if (!rd_skip_value (r))
              return FALSE;
            else
              rd_skip_sp (r);
        }
      if (!rd_leave (r))
        return FALSE;
    }
  for (;;)
    {
      const guchar *s;
      gsize n;
      gboolean ok;

      rd_skip_sp (r);
      if (r->p >= r->end)
        return TRUE;
      if (!rd_atom (r, &s, &n))
        return FALSE;
      if (tok_eq (s, n, "UID"))
        {
          es->uid = TRUE;
          continue;
        }
      if (!rd_sp (r))
        return FALSE;
      if (tok_eq (s, n, "MIN"))
        ok = rd_nz_number32 (r, &es->min), es->items |= LB_IMAP_ESEARCH_MIN;
      else if (tok_eq (s, n, "MAX"))
        ok = rd_nz_number32 (r, &es->max), es->items |= LB_IMAP_ESEARCH_MAX;
      else if (tok_eq (s, n, "COUNT"))
        ok = rd_number32 (r, &es->count), es->items |= LB_IMAP_ESEARCH_COUNT;
      else if (tok_eq (s, n, "ALL"))
        ok = rd_seqset (r, &es->all), es->items |= LB_IMAP_ESEARCH_ALL;
      else if (tok_eq (s, n, "MODSEQ"))
        ok = rd_number64 (r, &es->modseq), es->items |= LB_IMAP_ESEARCH_MODSEQ;
      else
        ok = rd_skip_value (r);
      if (!ok)
        return FALSE;
    }
}

static gboolean
rd_namespace (Rd              *r,
              LbImapNamespace *ns)
{
  if (!rd_sp (r))
    return FALSE;
  if (at_nil (r))
    r->p += 3;
  else
    {
      Str s;

      /* Only the first personal namespace; the others are skipped below. */
      if (!rd_enter (r))
        return FALSE;
      rd_skip_sp (r);
      if (!rd_enter (r) || !rd_nstring_dup (r, &ns->personal_prefix) || !rd_sp (r)
          || !rd_string (r, &s, ALLOW_NIL))
        return FALSE;
      ns->has_personal = TRUE;
      if (ns->personal_prefix == NULL)
        ns->personal_prefix = g_strdup ("");
      ns->personal_delimiter = str_first_byte (&s);
      for (;;)
        {
          rd_skip_sp (r);
          if (rd_peek (r) == ')' || rd_peek (r) < 0)
            break;
          if (!rd_skip_value (r))
            return FALSE;
        }
      if (!rd_leave (r))
        return FALSE;
      for (;;)
        {
          rd_skip_sp (r);
          if (rd_peek (r) == ')' || rd_peek (r) < 0)
            break;
          if (!rd_skip_value (r))
            return FALSE;
        }
      if (!rd_leave (r))
        return FALSE;
    }
  return rd_skip_rest (r);
}

static gboolean
rd_id (Rd             *r,
       LbImapResponse *resp)
{
  if (!rd_sp (r))
    return FALSE;
  if (at_nil (r))
    {
      r->p += 3;
      return TRUE;
    }
  return rd_params (r, &resp->u.params);
}

static gboolean
rd_unknown (Rd             *r,
            LbImapResponse *resp,
            const guchar   *name,
            gsize           name_len)
{
  resp->kind = LB_IMAP_RESPONSE_UNKNOWN;
  resp->name = g_strndup ((const char *) name, name_len);
  if (rd_peek (r) == ' ')
    r->p++;
  resp->text = dup_range (r->p, r->end);
  r->p = r->end;
  return TRUE;
}

static gboolean
rd_untagged (Rd             *r,
             LbImapResponse *resp)
{
  const guchar *name;
  gsize n;
  LbImapStatus status;

  if (g_ascii_isdigit (rd_peek (r)))
    {
      guint32 number;

      if (!rd_number32 (r, &number) || !rd_sp (r) || !rd_atom (r, &name, &n))
        return FALSE;
      resp->u.number = number;
      if (tok_eq (name, n, "EXISTS"))
        resp->kind = LB_IMAP_RESPONSE_EXISTS;
      else if (tok_eq (name, n, "RECENT"))
        resp->kind = LB_IMAP_RESPONSE_RECENT;
      else if (tok_eq (name, n, "EXPUNGE"))
        resp->kind = LB_IMAP_RESPONSE_EXPUNGE;
      else if (tok_eq (name, n, "FETCH"))
        {
          resp->kind = LB_IMAP_RESPONSE_FETCH;
          memset (&resp->u.fetch, 0, sizeof resp->u.fetch);
          resp->u.fetch.seq = number;
          return rd_sp (r) && rd_fetch (r, &resp->u.fetch);
        }
      else
        return rd_unknown (r, resp, name, n);
      return TRUE;
    }

  if (!rd_atom (r, &name, &n))
    return FALSE;

  status = status_from_atom (name, n);
  if (status != LB_IMAP_STATUS_NONE)
    {
      resp->kind = LB_IMAP_RESPONSE_STATUS;
      resp->status = status;
      rd_resp_text (r, resp);
      return TRUE;
    }
  if (tok_eq (name, n, "CAPABILITY"))
    {
      resp->kind = LB_IMAP_RESPONSE_CAPABILITY;
      return rd_atoms_to_end (r, &resp->u.list);
    }
  if (tok_eq (name, n, "ENABLED"))
    {
      resp->kind = LB_IMAP_RESPONSE_ENABLED;
      return rd_atoms_to_end (r, &resp->u.list);
    }
  if (tok_eq (name, n, "FLAGS"))
    {
      resp->kind = LB_IMAP_RESPONSE_FLAGS;
      return rd_sp (r) && rd_string_list (r, &resp->u.list);
    }
  if (tok_eq (name, n, "LIST") || tok_eq (name, n, "LSUB") || tok_eq (name, n, "XLIST"))
    {
      resp->kind = LB_IMAP_RESPONSE_LIST;
      resp->u.list_data.command = n == 4 && (name[1] | 0x20) == 's'
                                  ? LB_IMAP_LIST_COMMAND_LSUB
                                  : n == 5 ? LB_IMAP_LIST_COMMAND_XLIST
                                  : LB_IMAP_LIST_COMMAND_LIST;
      return rd_list (r, &resp->u.list_data);
    }
  if (tok_eq (name, n, "STATUS"))
    {
      resp->kind = LB_IMAP_RESPONSE_MAILBOX_STATUS;
      return rd_mailbox_status (r, &resp->u.mailbox_status);
    }
  if (tok_eq (name, n, "SEARCH"))
    {
      resp->kind = LB_IMAP_RESPONSE_SEARCH;
      return rd_search (r, &resp->u.search);
    }
  if (tok_eq (name, n, "ESEARCH"))
    {
      resp->kind = LB_IMAP_RESPONSE_ESEARCH;
      return rd_esearch (r, &resp->u.esearch);
    }
  if (tok_eq (name, n, "ID"))
    {
      resp->kind = LB_IMAP_RESPONSE_ID;
      return rd_id (r, resp);
    }
  if (tok_eq (name, n, "NAMESPACE"))
    {
      resp->kind = LB_IMAP_RESPONSE_NAMESPACE;
      return rd_namespace (r, &resp->u.namespace_data);
    }
  if (tok_eq (name, n, "VANISHED"))
    {
      resp->kind = LB_IMAP_RESPONSE_VANISHED;
      if (!rd_sp (r))
        return FALSE;
      if (rd_peek (r) == '(')
        {
          const guchar *s;
          gsize len;

          if (!rd_enter (r) || !rd_atom (r, &s, &len) || !rd_leave (r))
            return FALSE;
          if (!tok_eq (s, len, "EARLIER"))
            return rd_fail (r, "expected (EARLIER)");
          resp->u.vanished.earlier = TRUE;
          if (!rd_sp (r))
            return FALSE;
        }
      return rd_seqset (r, &resp->u.vanished.uids);
    }

  return rd_unknown (r, resp, name, n);
}

static gboolean
rd_response (Rd             *r,
             LbImapResponse *resp)
{
  int c = rd_peek (r);

  if (c == '+')
    {
      resp->kind = LB_IMAP_RESPONSE_CONTINUATION;
      r->p++;
      if (rd_peek (r) == ' ')
        r->p++;
      resp->text = dup_range (r->p, r->end);
      r->p = r->end;
      return TRUE;
    }
  if (c == '*')
    {
      r->p++;
      return rd_sp (r) && rd_untagged (r, resp);
    }
  else
    {
      const guchar *tag, *name;
      gsize tag_len, n;

      if (!rd_atom_ex (r, FALSE, FALSE, &tag, &tag_len) || !rd_sp (r)
          || !rd_atom (r, &name, &n))
        return FALSE;
      resp->tag = g_strndup ((const char *) tag, tag_len);
      resp->status = status_from_atom (name, n);
      if (resp->status == LB_IMAP_STATUS_NONE)
        return rd_unknown (r, resp, name, n);
      resp->kind = LB_IMAP_RESPONSE_STATUS;
      rd_resp_text (r, resp);
      return TRUE;
    }
}

/* Parses one framed response; @len excludes nothing: the final line break is
 * stripped here. */
static LbImapResponse *
parse_framed (const guchar  *data,
              gsize          len,
              guint          max_depth,
              GError       **error)
{
  g_autoptr(LbImapResponse) resp = lb_imap_response_new (LB_IMAP_RESPONSE_UNKNOWN);
  Rd r = { data, data, data + len, 0, max_depth, NULL };

  if (r.end > r.p && r.end[-1] == '\n')
    r.end--;
  if (r.end > r.p && r.end[-1] == '\r')
    r.end--;

  if (!rd_response (&r, resp))
    goto fail;
  rd_skip_sp (&r);
  if (r.p != r.end)
    {
      rd_fail (&r, "unexpected data at the end of the response");
      goto fail;
    }
  return g_steal_pointer (&resp);

fail:
  g_propagate_error (error, r.error);
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* The incremental parser                                                    */
/* ------------------------------------------------------------------------ */

LbImapParser *
lb_imap_parser_new (void)
{
  LbImapParser *self = g_new0 (LbImapParser, 1);

  self->max_literal = LB_IMAP_PARSER_DEFAULT_MAX_LITERAL;
  self->max_line = LB_IMAP_PARSER_DEFAULT_MAX_LINE;
  self->max_depth = LB_IMAP_PARSER_DEFAULT_MAX_DEPTH;
  return self;
}

void
lb_imap_parser_free (LbImapParser *parser)
{
  if (parser == NULL)
    return;
  g_free (parser->buf);
  g_clear_error (&parser->fatal);
  g_free (parser);
}

void
lb_imap_parser_set_max_literal_size (LbImapParser *parser,
                                     gsize         max)
{
  g_return_if_fail (parser != NULL);
  parser->max_literal = max;
}

void
lb_imap_parser_set_max_line_length (LbImapParser *parser,
                                    gsize         max)
{
  g_return_if_fail (parser != NULL);
  parser->max_line = max;
}

void
lb_imap_parser_set_max_depth (LbImapParser *parser,
                              guint         max)
{
  g_return_if_fail (parser != NULL);
  parser->max_depth = max;
}

void
lb_imap_parser_reset (LbImapParser *parser)
{
  g_return_if_fail (parser != NULL);

  g_clear_pointer (&parser->buf, g_free);
  parser->len = parser->alloc = 0;
  parser->head = parser->line_start = parser->scan = parser->literal_end = 0;
  parser->in_literal = FALSE;
  g_clear_error (&parser->fatal);
}

gboolean
lb_imap_parser_has_failed (LbImapParser *parser)
{
  g_return_val_if_fail (parser != NULL, FALSE);
  return parser->fatal != NULL;
}

gsize
lb_imap_parser_get_buffered (LbImapParser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);
  return parser->len - parser->head;
}

/* Moves the unreturned bytes to the front when that is cheap compared with the
 * bytes already consumed, so the buffer does not grow without bound. */
static void
compact (LbImapParser *self)
{
  gsize h = self->head;

  if (h == 0 || (h < self->len && h < self->alloc / 2))
    return;
  if (self->len > h)
    memmove (self->buf, self->buf + h, self->len - h);
  self->len -= h;
  self->line_start -= h;
  self->scan -= h;
  if (self->in_literal)
    self->literal_end -= h;
  self->head = 0;

  /* Give back the memory of a huge literal once it has been returned. */
  if (self->len == 0 && self->alloc > 1024 * 1024)
    {
      g_clear_pointer (&self->buf, g_free);
      self->alloc = 0;
    }
}

void
lb_imap_parser_feed (LbImapParser *parser,
                     const char   *data,
                     gsize         len)
{
  g_return_if_fail (parser != NULL);
  g_return_if_fail (data != NULL || len == 0);

  if (len == 0 || parser->fatal != NULL)
    return;

  compact (parser);
  if (parser->alloc - parser->len < len)
    {
      gsize want = parser->len + len;
      gsize n = MAX (parser->alloc, 4096);

      while (n < want)
        n *= 2;
      parser->buf = g_realloc (parser->buf, n);
      parser->alloc = n;
    }
  memcpy (parser->buf + parser->len, data, len);
  parser->len += len;
}

static void
set_fatal (LbImapParser *self,
           const char   *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
set_fatal (LbImapParser *self,
           const char   *format,
           ...)
{
  va_list args;

  va_start (args, format);
  self->fatal = g_error_new_valist (LB_ERROR, LB_ERROR_PARSE, format, args);
  va_end (args);
  /* Nothing buffered can be trusted any more. */
  g_clear_pointer (&self->buf, g_free);
  self->len = self->alloc = self->head = self->line_start = self->scan = 0;
  self->in_literal = FALSE;
}

/* If the line ending at @nl (the LF) ends in "{N}", "{N+}" or "~{N}", returns
 * TRUE with the literal's length.  A too large length is fatal. */
static gboolean
literal_at_line_end (LbImapParser *self,
                     gsize         nl,
                     guint64      *length)
{
  const guchar *b = self->buf;
  gsize e = nl, q, digits_end;
  guint64 v = 0;

  if (e > self->line_start && b[e - 1] == '\r')
    e--;
  if (e == self->line_start || b[e - 1] != '}')
    return FALSE;
  q = e - 1;
  if (q > self->line_start && b[q - 1] == '+')
    q--;
  digits_end = q;
  while (q > self->line_start && g_ascii_isdigit (b[q - 1]))
    q--;
  if (q == digits_end || q == self->line_start || b[q - 1] != '{')
    return FALSE;

  for (gsize i = q; i < digits_end; i++)
    {
      guint d = b[i] - '0';

      if (v > (G_MAXUINT64 - d) / 10)
        {
          set_fatal (self, "IMAP literal length overflows");
          return FALSE;
        }
      v = v * 10 + d;
    }
  if (v > self->max_literal)
    {
      set_fatal (self, "IMAP literal of %" G_GUINT64_FORMAT " bytes is larger than the limit "
                 "of %" G_GSIZE_FORMAT " bytes", v, self->max_literal);
      return FALSE;
    }
  *length = v;
  return TRUE;
}

LbImapResponse *
lb_imap_parser_next (LbImapParser  *parser,
                     GError       **error)
{
  g_return_val_if_fail (parser != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (;;)
    {
      const guchar *nl = NULL;
      guint64 literal;
      gsize i, start;

      if (parser->fatal != NULL)
        {
          if (error != NULL)
            *error = g_error_copy (parser->fatal);
          return NULL;
        }

      if (parser->in_literal)
        {
          if (parser->len < parser->literal_end)
            return NULL;
          parser->in_literal = FALSE;
          parser->line_start = parser->scan = parser->literal_end;
        }

      if (parser->scan < parser->len)
        nl = memchr (parser->buf + parser->scan, '\n', parser->len - parser->scan);
      if (nl == NULL)
        {
          parser->scan = parser->len;
          if (parser->len - parser->line_start > parser->max_line)
            {
              set_fatal (parser, "IMAP response line longer than %" G_GSIZE_FORMAT " bytes",
                         parser->max_line);
              continue;
            }
          return NULL;
        }

      i = (gsize) (nl - parser->buf);
      if (i - parser->line_start > parser->max_line)
        {
          set_fatal (parser, "IMAP response line longer than %" G_GSIZE_FORMAT " bytes",
                     parser->max_line);
          continue;
        }
      if (literal_at_line_end (parser, i, &literal))
        {
          parser->in_literal = TRUE;
          parser->literal_announced += literal;
          parser->literal_end = i + 1 + (gsize) literal;
          parser->scan = parser->literal_end;
          continue;
        }
      if (parser->fatal != NULL)
        continue;

      start = parser->head;
      parser->head = parser->line_start = parser->scan = i + 1;
      return parse_framed (parser->buf + start, i + 1 - start, parser->max_depth, error);
    }
}

guint64
lb_imap_parser_get_literal_bytes (LbImapParser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);

  return parser->literal_announced;
}

LbImapResponse *
lb_imap_parse_response (const char  *data,
                        gssize       len,
                        GError     **error)
{
  g_autoptr(LbImapParser) parser = lb_imap_parser_new ();
  g_autoptr(LbImapResponse) resp = NULL;
  gsize n;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  n = len < 0 ? strlen (data) : (gsize) len;
  lb_imap_parser_feed (parser, data, n);
  if (n == 0 || data[n - 1] != '\n')
    lb_imap_parser_feed (parser, "\r\n", 2);

  resp = lb_imap_parser_next (parser, error);
  if (resp == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, LB_ERROR, LB_ERROR_PARSE, "Incomplete IMAP response");
      return NULL;
    }
  if (lb_imap_parser_get_buffered (parser) != 0)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_PARSE, "Data after the IMAP response");
      return NULL;
    }
  return g_steal_pointer (&resp);
}

/* ------------------------------------------------------------------------ */
/* Sequence sets                                                             */
/* ------------------------------------------------------------------------ */

static gboolean
seq_number (const char **p,
            const char  *end,
            gboolean     allow_star,
            guint32     *out)
{
  guint64 v = 0;
  const char *b = *p;

  if (allow_star && *p < end && **p == '*')
    {
      (*p)++;
      *out = LB_IMAP_SEQ_STAR;
      return TRUE;
    }
  while (*p < end && g_ascii_isdigit (**p))
    {
      v = v * 10 + (guint) (**p - '0');
      if (v > G_MAXUINT32)
        return FALSE;
      (*p)++;
    }
  if (*p == b || v == 0)
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

static GArray *
seqset_parse (const char  *text,
              gssize       len,
              gboolean     allow_star,
              GError     **error)
{
  g_autoptr(GArray) set = g_array_new (FALSE, FALSE, sizeof (LbImapRange));
  const char *p, *end;

  p = text;
  end = text + (len < 0 ? strlen (text) : (gsize) len);
  for (;;)
    {
      LbImapRange range;
      guint32 a, b;

      if (!seq_number (&p, end, allow_star, &a))
        break;
      b = a;
      if (p < end && *p == ':')
        {
          p++;
          if (!seq_number (&p, end, allow_star, &b))
            break;
        }
      range.first = MIN (a, b);
      range.last = MAX (a, b);
      g_array_append_val (set, range);
      if (p == end)
        return g_steal_pointer (&set);
      if (*p != ',')
        break;
      p++;
    }

  {
    g_autofree char *copy = g_strndup (text, (gsize) (end - text));

    g_set_error (error, LB_ERROR, LB_ERROR_PARSE, "Invalid IMAP sequence set “%s”",
                 g_str_is_ascii (copy) ? copy : "(not ASCII)");
  }
  return NULL;
}

GArray *
lb_imap_seqset_parse (const char  *text,
                      gssize       len,
                      GError     **error)
{
  g_return_val_if_fail (text != NULL || len == 0, NULL);

  return seqset_parse (text, len, TRUE, error);
}

GArray *
lb_imap_seqset_parse_uids (const char  *text,
                           gssize       len,
                           GError     **error)
{
  g_return_val_if_fail (text != NULL || len == 0, NULL);

  return seqset_parse (text, len, FALSE, error);
}

/* @star: write LB_IMAP_SEQ_STAR as '*' (ranges) rather than as a number (uids). */
static void
append_range (GString  *out,
              guint32   first,
              guint32   last,
              gboolean  star)
{
  if (out->len > 0)
    g_string_append_c (out, ',');
  if (star && first == LB_IMAP_SEQ_STAR)
    g_string_append_c (out, '*');
  else
    g_string_append_printf (out, "%u", first);
  if (last != first)
    {
      if (star && last == LB_IMAP_SEQ_STAR)
        g_string_append (out, ":*");
      else
        g_string_append_printf (out, ":%u", last);
    }
}

static int
compare_u32 (const void *a,
             const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

char *
lb_imap_seqset_format (const guint32 *uids,
                       gsize          n_uids)
{
  g_autofree guint32 *sorted = NULL;
  GString *out;
  gsize i = 0;

  g_return_val_if_fail (uids != NULL || n_uids == 0, NULL);

  for (gsize k = 1; k < n_uids; k++)
    if (uids[k] < uids[k - 1])
      {
        sorted = g_memdup2 (uids, n_uids * sizeof (guint32));
        qsort (sorted, n_uids, sizeof (guint32), compare_u32);
        uids = sorted;
        break;
      }

  while (i < n_uids && uids[i] == 0)
    i++;
  if (i == n_uids)
    return NULL;

  out = g_string_sized_new (16);
  while (i < n_uids)
    {
      guint32 first = uids[i], last = first;

      i++;
      while (i < n_uids && (uids[i] == last || (last < G_MAXUINT32 && uids[i] == last + 1)))
        last = uids[i++];
      append_range (out, first, last, FALSE);
    }
  return g_string_free (out, FALSE);
}

char *
lb_imap_seqset_format_ranges (const GArray *ranges)
{
  GString *out;

  g_return_val_if_fail (ranges != NULL, NULL);

  if (ranges->len == 0)
    return NULL;
  out = g_string_sized_new (16);
  for (guint i = 0; i < ranges->len; i++)
    {
      const LbImapRange *r = &g_array_index ((GArray *) ranges, LbImapRange, i);

      append_range (out, r->first, r->last, TRUE);
    }
  return g_string_free (out, FALSE);
}

guint64
lb_imap_seqset_count (const GArray *ranges)
{
  guint64 n = 0;

  g_return_val_if_fail (ranges != NULL, 0);

  for (guint i = 0; i < ranges->len; i++)
    {
      const LbImapRange *r = &g_array_index ((GArray *) ranges, LbImapRange, i);

      n += (guint64) r->last - r->first + 1;
    }
  return n;
}

gboolean
lb_imap_seqset_contains (const GArray *ranges,
                         guint32       n)
{
  g_return_val_if_fail (ranges != NULL, FALSE);

  for (guint i = 0; i < ranges->len; i++)
    {
      const LbImapRange *r = &g_array_index ((GArray *) ranges, LbImapRange, i);

      if (n >= r->first && n <= r->last)
        return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Writing command arguments                                                 */
/* ------------------------------------------------------------------------ */

static inline gboolean
is_astring_char (guchar c)
{
  return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '%' && c != '*'
         && c != '"' && c != '\\';
}

LbImapQuoted
lb_imap_append_astring (GString          *out,
                        const char       *data,
                        gssize            len,
                        LbImapQuoteFlags  flags)
{
  gboolean atom = !(flags & LB_IMAP_QUOTE_FORCE);
  gsize n;

  g_return_val_if_fail (out != NULL, LB_IMAP_QUOTED_LITERAL);
  g_return_val_if_fail (data != NULL || len == 0, LB_IMAP_QUOTED_LITERAL);

  n = len < 0 ? strlen (data) : (gsize) len;
  /* Long strings go as literals: some servers limit the length of a line. */
  if (n > 1024)
    return LB_IMAP_QUOTED_LITERAL;
  if (n == 0)
    atom = FALSE;
  for (gsize i = 0; i < n; i++)
    {
      guchar c = (guchar) data[i];

      if (c == '\0' || c == '\r' || c == '\n')
        return LB_IMAP_QUOTED_LITERAL;
      if (c >= 0x80 && !(flags & LB_IMAP_QUOTE_ALLOW_UTF8))
        return LB_IMAP_QUOTED_LITERAL;
      if (!is_astring_char (c))
        atom = FALSE;
    }
  /* A bare NIL would be read as NIL where an nstring is allowed. */
  if (atom && n == 3 && g_ascii_strncasecmp (data, "NIL", 3) == 0)
    atom = FALSE;

  if (atom)
    {
      g_string_append_len (out, data, (gssize) n);
      return LB_IMAP_QUOTED_ATOM;
    }

  g_string_append_c (out, '"');
  for (gsize i = 0; i < n; i++)
    {
      if (data[i] == '"' || data[i] == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, data[i]);
    }
  g_string_append_c (out, '"');
  return LB_IMAP_QUOTED_STRING;
}
