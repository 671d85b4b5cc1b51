/* fuzz-imap-parser.c: libFuzzer target for the IMAP response parser
 *
 * The input is a server byte stream.  It is fed twice, whole and in small
 * chunks whose size depends on the input, and both runs must yield the same
 * responses (the parser is byte-exact whatever the split).  Each response is
 * then walked through the helpers the session and sync code use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lb-imap-parser.h"
#include "lb-mutf7.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint
mix (guint h,
     guint v)
{
  return h * 31 + v;
}

static guint
hash_body (const LbImapBody *b,
           guint             depth)
{
  guint h = 0;

  if (b == NULL)
    return 7;
  h = mix (h, b->type != NULL ? g_str_hash (b->type) : 1);
  h = mix (h, (guint) b->size);
  h = mix (h, lb_imap_body_has_attachments (b));
  if (b->parts != NULL && depth < 200)
    for (guint i = 0; i < b->parts->len; i++)
      h = mix (h, hash_body (g_ptr_array_index (b->parts, i), depth + 1));
  if (b->type != NULL && g_ascii_strcasecmp (b->type, "multipart") != 0)
    {
      const char *name = lb_imap_body_get_filename (b);

      h = mix (h, name != NULL ? g_str_hash (name) : 3);
    }
  return h;
}

static guint
hash_set (const GArray *set)
{
  g_autofree char *s = NULL;

  if (set == NULL)
    return 5;
  s = lb_imap_seqset_format_ranges (set);
  (void) lb_imap_seqset_count (set);
  return s != NULL ? g_str_hash (s) : 9;
}

/* A summary of a response that must not depend on how the bytes were split. */
static guint
hash_response (const LbImapResponse *r)
{
  guint h = mix (r->kind, r->status);

  h = mix (h, r->tag != NULL ? g_str_hash (r->tag) : 0);
  h = mix (h, r->text != NULL ? g_str_hash (r->text) : 0);
  h = mix (h, r->code.kind);
  h = mix (h, r->code.number);
  h = mix (h, hash_set (r->code.set));
  h = mix (h, hash_set (r->code.dest_set));

  switch (r->kind)
    {
    case LB_IMAP_RESPONSE_FETCH:
      {
        const LbImapFetch *f = &r->u.fetch;

        h = mix (h, f->uid);
        h = mix (h, f->flags);
        h = mix (h, (guint) f->modseq);
        h = mix (h, (guint) f->internaldate);
        h = mix (h, hash_body (f->bodystructure, 0));
        if (f->envelope != NULL && f->envelope->subject != NULL)
          h = mix (h, g_str_hash (f->envelope->subject));
        if (f->sections != NULL)
          for (guint i = 0; i < f->sections->len; i++)
            {
              const LbImapBodySection *s = g_ptr_array_index (f->sections, i);

              h = mix (h, g_str_hash (s->section));
              h = mix (h, s->data != NULL ? g_bytes_hash (s->data) : 11);
              g_assert (lb_imap_fetch_get_section (f, s->section) != NULL);
            }
      }
      break;
    case LB_IMAP_RESPONSE_LIST:
      {
        g_autofree char *name = lb_mutf7_decode (r->u.list_data.name, NULL);

        h = mix (h, g_str_hash (r->u.list_data.name));
        if (name != NULL)
          {
            g_autofree char *again = lb_mutf7_encode (name);

            g_assert (again != NULL);
          }
      }
      break;
    case LB_IMAP_RESPONSE_VANISHED:
      h = mix (h, hash_set (r->u.vanished.uids));
      break;
    case LB_IMAP_RESPONSE_ESEARCH:
      h = mix (h, hash_set (r->u.esearch.all));
      break;
    case LB_IMAP_RESPONSE_SEARCH:
      h = mix (h, r->u.search.numbers->len);
      break;
    default:
      break;
    }
  return h;
}

static void
run (const uint8_t *data,
     size_t         size,
     size_t         chunk,
     GArray        *hashes)
{
  g_autoptr(LbImapParser) p = lb_imap_parser_new ();
  size_t off = 0;

  lb_imap_parser_set_max_literal_size (p, 1024 * 1024);
  lb_imap_parser_set_max_line_length (p, 1024 * 1024);
  while (off < size)
    {
      size_t n = MIN (chunk, size - off);

      lb_imap_parser_feed (p, (const char *) data + off, n);
      off += n;
      for (;;)
        {
          GError *error = NULL;
          LbImapResponse *r = lb_imap_parser_next (p, &error);
          guint h;

          if (r == NULL && error == NULL)
            break;
          h = r != NULL ? hash_response (r) : 0xe7707u;
          g_array_append_val (hashes, h);
          lb_imap_response_unref (r);
          g_clear_error (&error);
          if (lb_imap_parser_has_failed (p))
            return;
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GArray) whole = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) split = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(LbImapResponse) single = NULL;
  g_autoptr(GArray) set = NULL;
  g_autoptr(GString) quoted = g_string_new ("* LIST () \"/\" ");

  if (size > 1024 * 1024)
    return 0;

  run (data, size, MAX (size, 1), whole);
  run (data, size, 1 + size % 13, split);
  if (whole->len != split->len
      || (whole->len > 0
          && memcmp (whole->data, split->data, whole->len * sizeof (guint)) != 0))
    abort ();

  single = lb_imap_parse_response ((const char *) data, (gssize) size, NULL);

  set = lb_imap_seqset_parse ((const char *) data, (gssize) size, NULL);
  if (set != NULL)
    {
      g_autofree char *text = lb_imap_seqset_format_ranges (set);
      g_autoptr(GArray) again = lb_imap_seqset_parse (text, -1, NULL);

      if (again == NULL || again->len != set->len)
        abort ();
    }

  /* Whatever we quote must read back as the same bytes. */
  if (lb_imap_append_astring (quoted, (const char *) data, (gssize) size,
                              LB_IMAP_QUOTE_ALLOW_UTF8) != LB_IMAP_QUOTED_LITERAL)
    {
      g_autoptr(LbImapResponse) r = lb_imap_parse_response (quoted->str, quoted->len, NULL);

      if (r == NULL || r->kind != LB_IMAP_RESPONSE_LIST
          || strlen (r->u.list_data.name) != size
          || (size > 0 && memcmp (r->u.list_data.name, data, size) != 0))
        abort ();
    }

  return 0;
}
