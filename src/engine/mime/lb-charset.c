/* lb-charset.c: charset labels and conversion to UTF-8 with repair
 *
 * Mail in Chinese arrives with every possible charset mistake: GB2312 labels on
 * GBK or GB18030 text, no label at all on GBK bodies, `x-gbk`, `unknown-8bit`,
 * UTF-8 labelled as GB2312, and GBK server replies.  The rule here is that the
 * label is a hint which the bytes can overrule, that the output is always
 * valid UTF-8, and that one bad byte costs one U+FFFD and nothing more.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "lb-charset.h"

#define REPLACEMENT "\xef\xbf\xbd"

typedef struct
{
  const char *key;
  const char *iconv_name;   /* NULL: the label says nothing, sniff */
} LbCharsetAlias;

/* Keys are lower case with '_' and ' ' turned into '-'. */
static const LbCharsetAlias aliases[] = {
  /* GB family: decode everything as GB18030, the strict superset. */
  { "gb2312", "GB18030" }, { "gb-2312", "GB18030" }, { "gb2312-80", "GB18030" },
  { "gb-2312-80", "GB18030" }, { "gb2312-1980", "GB18030" }, { "gbk", "GB18030" },
  { "x-gbk", "GB18030" }, { "cp936", "GB18030" }, { "x-cp936", "GB18030" },
  { "ms936", "GB18030" }, { "windows-936", "GB18030" }, { "euc-cn", "GB18030" },
  { "euccn", "GB18030" }, { "x-euc-cn", "GB18030" }, { "chinese", "GB18030" },
  { "csgb2312", "GB18030" }, { "csgb231280", "GB18030" }, { "csiso58gb231280", "GB18030" },
  { "iso-ir-58", "GB18030" }, { "gb18030", "GB18030" }, { "gb-18030", "GB18030" },
  { "x-gb18030", "GB18030" }, { "csgbk", "GB18030" }, { "cn-gb", "GB18030" },
  { "gb", "GB18030" },
  /* Big5: HKSCS is the superset browsers use. */
  { "big5", "BIG5-HKSCS" }, { "big-5", "BIG5-HKSCS" }, { "big5-hkscs", "BIG5-HKSCS" },
  { "big5hkscs", "BIG5-HKSCS" }, { "x-x-big5", "BIG5-HKSCS" }, { "x-big5", "BIG5-HKSCS" },
  { "cn-big5", "BIG5-HKSCS" }, { "csbig5", "BIG5-HKSCS" }, { "cp950", "BIG5-HKSCS" },
  { "ms950", "BIG5-HKSCS" }, { "windows-950", "BIG5-HKSCS" },
  /* Japanese and Korean. */
  { "shift-jis", "CP932" }, { "sjis", "CP932" }, { "x-sjis", "CP932" }, { "ms-kanji", "CP932" },
  { "windows-31j", "CP932" }, { "cp932", "CP932" }, { "csshiftjis", "CP932" },
  { "x-ms-cp932", "CP932" }, { "euc-jp", "EUC-JP" }, { "x-euc-jp", "EUC-JP" },
  { "iso-2022-jp", "ISO-2022-JP-2" }, { "euc-kr", "CP949" }, { "ks-c-5601-1987", "CP949" },
  { "ksc5601", "CP949" }, { "cp949", "CP949" }, { "windows-949", "CP949" },
  { "korean", "CP949" }, { "csksc56011987", "CP949" }, { "csEUCKR", "CP949" },
  /* Unicode. */
  { "utf-8", "UTF-8" }, { "utf8", "UTF-8" }, { "unicode-1-1-utf-8", "UTF-8" },
  { "x-unicode20utf8", "UTF-8" },
  /* Latin-1 is Windows-1252 in practice (as in every browser). */
  { "iso-8859-1", "WINDOWS-1252" }, { "iso8859-1", "WINDOWS-1252" }, { "latin1", "WINDOWS-1252" },
  { "l1", "WINDOWS-1252" }, { "iso-ir-100", "WINDOWS-1252" }, { "cp819", "WINDOWS-1252" },
  { "ibm819", "WINDOWS-1252" }, { "windows-1252", "WINDOWS-1252" }, { "cp1252", "WINDOWS-1252" },
  { "x-cp1252", "WINDOWS-1252" },
  /* Labels that promise nothing about 8-bit bytes: sniff instead.  US-ASCII
   * is here because 8-bit bytes under an ASCII label prove the label wrong. */
  { "", NULL }, { "us-ascii", NULL }, { "ascii", NULL }, { "ansi-x3.4-1968", NULL },
  { "iso646-us", NULL }, { "unknown-8bit", NULL }, { "x-unknown", NULL }, { "unknown", NULL },
  { "default", NULL }, { "x-user-defined", NULL }, { "8bit", NULL }, { "7bit", NULL },
  { "binary", NULL }, { "none", NULL }, { "charset", NULL }, { "auto", NULL },
};

char *
lb_charset_normalize (const char *label)
{
  g_autofree char *key = NULL;
  const char *start, *end;
  gsize i;

  if (label == NULL)
    return NULL;

  /* Strip whitespace, quotes and an RFC 2231 language suffix ("utf-8*zh"). */
  start = label;
  while (*start == ' ' || *start == '\t' || *start == '"' || *start == '\'')
    start++;
  end = start;
  while (*end != '\0' && *end != '*' && *end != '"' && *end != '\'' && *end != ';')
    end++;
  while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
    end--;
  if (end - start > 40)
    return NULL;

  key = g_ascii_strdown (start, end - start);
  for (char *p = key; *p != '\0'; p++)
    {
      if (*p == '_' || *p == ' ')
        *p = '-';
      /* A label with anything else is garbage, not a charset name, and
       * handing it to iconv would only waste an open. */
      else if (!g_ascii_isalnum (*p) && strchr ("-.:()+", *p) == NULL)
        return NULL;
    }

  for (i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (g_ascii_strcasecmp (key, aliases[i].key) == 0)
      return g_strdup (aliases[i].iconv_name);

  return g_ascii_strup (key, -1);
}

/* Labels for which pure 7-bit bytes still need converting, or whose bytes are
 * not ASCII-compatible at all. */
static gboolean
charset_is_not_ascii_compatible (const char *iconv_name)
{
  return g_str_has_prefix (iconv_name, "UTF-16") || g_str_has_prefix (iconv_name, "UTF16")
         || g_str_has_prefix (iconv_name, "UTF-32") || g_str_has_prefix (iconv_name, "UTF32")
         || g_str_has_prefix (iconv_name, "UCS") || g_str_has_prefix (iconv_name, "UTF-7")
         || g_str_has_prefix (iconv_name, "UTF7") || g_str_has_prefix (iconv_name, "ISO-2022")
         || g_str_has_prefix (iconv_name, "HZ") || g_str_has_prefix (iconv_name, "UNICODE");
}

static gboolean
charset_is_single_byte (const char *iconv_name)
{
  return g_str_has_prefix (iconv_name, "WINDOWS-125") || g_str_has_prefix (iconv_name, "CP125")
         || g_str_has_prefix (iconv_name, "ISO-8859") || g_str_has_prefix (iconv_name, "ISO8859")
         || g_str_has_prefix (iconv_name, "KOI8") || g_str_has_prefix (iconv_name, "LATIN");
}

typedef struct
{
  gsize n_nonascii;   /* bytes >= 0x80 */
  gsize n_multi;      /* valid multi-byte sequences */
  gsize n_multi3;     /* valid sequences of three or four bytes (CJK and beyond) */
  gsize n_bad;        /* bytes that start no valid sequence */
} Utf8Stats;

static void
utf8_scan (const char *in,
           gsize       len,
           Utf8Stats  *stats)
{
  const char *p = in, *end = in + len;

  memset (stats, 0, sizeof *stats);
  while (p < end)
    {
      guchar c = (guchar) *p;
      gunichar u;

      if (c < 0x80)
        {
          p++;
          continue;
        }
      u = g_utf8_get_char_validated (p, end - p);
      if (u == (gunichar) -1 || u == (gunichar) -2)
        {
          stats->n_bad++;
          stats->n_nonascii++;
          p++;
          continue;
        }
      stats->n_multi++;
      stats->n_nonascii += g_utf8_skip[c];
      if (g_utf8_skip[c] >= 3)
        stats->n_multi3++;
      p += g_utf8_skip[c];
    }
}

/* Appends UTF-8 from @in, one U+FFFD per byte that starts no valid sequence. */
static void
utf8_append_lossy (GString    *out,
                   const char *in,
                   gsize       len)
{
  const char *p = in, *end = in + len;

  while (p < end)
    {
      const char *run = p;
      gunichar u = 0;

      while (p < end)
        {
          if ((guchar) *p < 0x80)
            {
              p++;
              continue;
            }
          u = g_utf8_get_char_validated (p, end - p);
          if (u == (gunichar) -1 || u == (gunichar) -2)
            break;
          p += g_utf8_skip[(guchar) *p];
        }
      g_string_append_len (out, run, p - run);
      if (p < end)
        {
          g_string_append (out, REPLACEMENT);
          p++;
        }
    }
}

/* glibc unloads a gconv module when its last descriptor closes, and loading
 * it again costs about half a millisecond: sniffing several charsets per
 * header made decoding 4000 times slower.  One idle descriptor per charset
 * keeps each module loaded for the life of the process. */
static void
pin_charset (const char *charset)
{
  static GMutex lock;
  static GHashTable *pinned;

  g_mutex_lock (&lock);
  if (pinned == NULL)
    pinned = g_hash_table_new (g_str_hash, g_str_equal);
  if (g_hash_table_size (pinned) < 64 && !g_hash_table_contains (pinned, charset))
    {
      GIConv cd = g_iconv_open ("UTF-8", charset);

      if (cd != (GIConv) -1)
        g_hash_table_insert (pinned, g_strdup (charset), cd);
    }
  g_mutex_unlock (&lock);
}

/* Converts @in from @charset, replacing every undecodable sequence with
 * U+FFFD and carrying on after it.  Returns FALSE (and leaves @out alone) if
 * iconv does not know @charset. */
static gboolean
iconv_append_lossy (GString    *out,
                    const char *charset,
                    const char *in,
                    gsize       len,
                    gsize      *n_errors)
{
  GIConv cd;
  char buf[4096];
  gchar *inp = (gchar *) in;
  gsize inleft = len;
  gchar *outp;
  gsize outleft;

  *n_errors = 0;
  cd = g_iconv_open ("UTF-8", charset);
  if (cd == (GIConv) -1)
    return FALSE;
  pin_charset (charset);

  while (inleft > 0)
    {
      gsize r;
      int saved_errno;

      outp = buf;
      outleft = sizeof buf;
      r = g_iconv (cd, &inp, &inleft, &outp, &outleft);
      saved_errno = errno;
      g_string_append_len (out, buf, outp - buf);
      if (r != (gsize) -1)
        continue;
      if (saved_errno == E2BIG)
        continue;

      (*n_errors)++;
      g_string_append (out, REPLACEMENT);
      if (saved_errno == EILSEQ)
        {
          /* Skip only the first byte: the next one may be the start of a
           * good character (an ASCII byte after a bad lead byte, typically). */
          inp++;
          inleft--;
        }
      else
        {
          /* EINVAL: a truncated sequence at the very end. */
          break;
        }
    }

  /* Flush the shift state of stateful charsets (ISO-2022-*). */
  outp = buf;
  outleft = sizeof buf;
  g_iconv (cd, NULL, NULL, &outp, &outleft);
  g_string_append_len (out, buf, outp - buf);
  g_iconv_close (cd);
  return TRUE;
}

/* The final guarantee: no NULs (they would cut C strings short) and valid UTF-8. */
static char *
finish (GString *out)
{
  gsize r = 0;

  for (gsize i = 0; i < out->len; i++)
    if (out->str[i] != '\0')
      out->str[r++] = out->str[i];
  g_string_truncate (out, r);

  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      char *valid = g_utf8_make_valid (out->str, out->len);
      g_string_free (out, TRUE);
      return valid;
    }
  return g_string_free (out, FALSE);
}

/* A conversion with a few errors among many good characters is the right
 * charset with some damage (a truncated line, a bad byte from a broken
 * gateway), not the wrong charset.  One error in twenty non-ASCII bytes is
 * far below the error rate of a wrong guess (Latin-1 read as GB18030 fails
 * on most accented letters). */
static gboolean
errors_tolerable (gsize n_errors,
                  gsize n_nonascii)
{
  return n_errors * 20 <= n_nonascii;
}

char *
lb_charset_to_utf8 (const char *bytes,
                    gssize      len,
                    const char *label)
{
  static const char *const sniff_order[] = { "GB18030", "BIG5-HKSCS", "CP932", "WINDOWS-1252" };
  g_autofree char *charset = NULL;
  g_autoptr(GString) best = NULL;
  gsize best_errors = G_MAXSIZE;
  Utf8Stats stats;
  GString *out;
  gsize n_errors;

  if (bytes == NULL)
    return g_strdup ("");
  if (len < 0)
    len = strlen (bytes);

  charset = lb_charset_normalize (label);
  utf8_scan (bytes, len, &stats);

  if (charset != NULL && charset_is_not_ascii_compatible (charset))
    {
      out = g_string_sized_new (len + 16);
      if (iconv_append_lossy (out, charset, bytes, len, &n_errors) && n_errors == 0)
        return finish (out);
      g_string_free (out, TRUE);
      g_clear_pointer (&charset, g_free);
    }

  /* Pure ASCII reads the same in every charset we accept. */
  if (stats.n_nonascii == 0)
    {
      out = g_string_new_len (bytes, len);
      return finish (out);
    }

  if (charset != NULL && strcmp (charset, "UTF-8") != 0)
    {
      /* Valid UTF-8 under a legacy label is UTF-8: GBK text is very rarely
       * valid UTF-8 over two or more three-byte sequences, and Latin-1 text
       * almost never is at all. */
      if (stats.n_bad == 0
          && (stats.n_multi3 >= 2 || (charset_is_single_byte (charset) && stats.n_multi >= 1)))
        {
          out = g_string_new_len (bytes, len);
          return finish (out);
        }

      out = g_string_sized_new (len + len / 2 + 16);
      if (iconv_append_lossy (out, charset, bytes, len, &n_errors))
        {
          if (n_errors == 0 || errors_tolerable (n_errors, stats.n_nonascii))
            return finish (out);
          best = out;
          best_errors = n_errors;
        }
      else
        g_string_free (out, TRUE);
    }

  /* Sniffing, for no label, a useless label, or bytes that disagree with it. */
  if (stats.n_bad == 0)
    {
      out = g_string_new_len (bytes, len);
      return finish (out);
    }
  if (stats.n_multi > 0 && stats.n_multi >= 4 * stats.n_bad)
    {
      /* Mostly good UTF-8 with some damage. */
      out = g_string_sized_new (len + 16);
      utf8_append_lossy (out, bytes, len);
      return finish (out);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (sniff_order); i++)
    {
      out = g_string_sized_new (len + len / 2 + 16);
      if (!iconv_append_lossy (out, sniff_order[i], bytes, len, &n_errors))
        {
          g_string_free (out, TRUE);
          continue;
        }
      if (n_errors == 0 || (i == 0 && errors_tolerable (n_errors, stats.n_nonascii)))
        {
              return finish (out);
        }
      if (n_errors < best_errors)
        {
          if (best != NULL)
            g_string_free (best, TRUE);
          best = out;
          best_errors = n_errors;
        }
      else
        g_string_free (out, TRUE);
    }

  if (best != NULL && best_errors < stats.n_bad)
    return finish (g_steal_pointer (&best));

  /* Nothing fits better than UTF-8 with replacement characters. */
  out = g_string_sized_new (len + 16);
  utf8_append_lossy (out, bytes, len);
  return finish (out);
}

char *
lb_charset_decode_server_text (const char *bytes,
                               gssize      len)
{
  char *text = lb_charset_to_utf8 (bytes, len, NULL);

  for (char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return g_strstrip (text);
}
