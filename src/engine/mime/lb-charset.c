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

#include <uchardet.h>

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
  { "korean", "CP949" }, { "csksc56011987", "CP949" }, { "csEUCKR", "CP949" }, { "uhc", "CP949" },
  { "ks-c-5601", "CP949" }, { "x-windows-949", "CP949" },
  /* UTF-7: iconv knows it only by this name; Outlook Express and old
   * Netscape label it UNICODE-1-1-UTF-7. */
  { "utf-7", "UTF-7" }, { "utf7", "UTF-7" }, { "unicode-1-1-utf-7", "UTF-7" },
  { "x-unicode-2-0-utf-7", "UTF-7" }, { "csunicode11utf7", "UTF-7" }, { "x-utf-7", "UTF-7" },
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

  /* A byte-order mark the converter kept (UTF-16LE text, a BOM inside a
   * UTF-8 part) would reach search and quoted replies. */
  if (g_str_has_prefix (out->str, "\xef\xbb\xbf"))
    g_string_erase (out, 0, 3);

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

/* Detection ------------------------------------------------------------- */

/* The multi-byte CJK charsets a guess may pick, in the order a genuine tie
 * goes to when the locale says nothing: Letterbox is written first for
 * Chinese mail, where undeclared GBK is by far the most common case. */
static const char *const cjk_order[] = { "GB18030", "BIG5-HKSCS", "CP932", "EUC-JP", "CP949" };

static gboolean
in_list (const char        *charset,
         const char *const *list,
         gsize              n)
{
  for (gsize i = 0; i < n; i++)
    if (g_strcmp0 (charset, list[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The Latin single-byte charsets: for short text the detector can tell
 * "Latin" from "CJK" but not Latin-1 from Latin-2, so the locale decides. */
static gboolean
charset_is_latin (const char *charset)
{
  static const char *const latin[] = {
    "WINDOWS-1252", "WINDOWS-1250", "WINDOWS-1254", "WINDOWS-1257", "ISO-8859-2", "ISO-8859-3",
    "ISO-8859-4", "ISO-8859-9", "ISO-8859-10", "ISO-8859-13", "ISO-8859-14", "ISO-8859-15",
    "ISO-8859-16", "MAC-CENTRALEUROPE",
  };

  return in_list (charset, latin, G_N_ELEMENTS (latin));
}

/* The language part of a locale name ("zh_CN.UTF-8" gives "zh", "CN"). */
static void
split_locale (const char *locale,
              char        lang[4],
              char        territory[4])
{
  gsize i = 0, j = 0;

  memset (lang, 0, 4);
  memset (territory, 0, 4);
  while (locale[i] != '\0' && g_ascii_isalpha (locale[i]) && i < 3)
    {
      lang[i] = g_ascii_tolower (locale[i]);
      i++;
    }
  if (locale[i] == '_' || locale[i] == '-')
    for (i++; locale[i] != '\0' && g_ascii_isalpha (locale[i]) && j < 3; i++, j++)
      territory[j] = g_ascii_toupper (locale[i]);
}

static const char *
user_locale (void)
{
  const char *const *names = g_get_language_names ();

  for (gsize i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], "C") != 0 && strcmp (names[i], "POSIX") != 0)
      return names[i];
  return "";
}

/* The single-byte charset a locale's users write in when they write in a
 * Latin script. */
static const char *
latin_for_locale (const char *lang)
{
  static const char *const central[] = { "cs", "pl", "hu", "sk", "sl", "hr", "ro", "bs" };
  static const char *const baltic[] = { "lt", "lv", "et" };

  if (in_list (lang, central, G_N_ELEMENTS (central)))
    return "WINDOWS-1250";
  if (in_list (lang, baltic, G_N_ELEMENTS (baltic)))
    return "WINDOWS-1257";
  if (strcmp (lang, "tr") == 0)
    return "WINDOWS-1254";
  return "WINDOWS-1252";
}

/* The locale's own legacy charsets, tried first when the detector cannot
 * decide (zh_TW users get Big5, ja users Shift_JIS, and so on). */
static void
locale_preferences (const char  *locale,
                    const char **prefs,
                    gsize       *n_prefs)
{
  char lang[4], territory[4];

  split_locale (locale, lang, territory);
  *n_prefs = 0;
  if (strcmp (lang, "zh") == 0)
    {
      gboolean traditional = strcmp (territory, "TW") == 0 || strcmp (territory, "HK") == 0
                             || strcmp (territory, "MO") == 0;

      prefs[(*n_prefs)++] = traditional ? "BIG5-HKSCS" : "GB18030";
    }
  else if (strcmp (lang, "ja") == 0)
    {
      prefs[(*n_prefs)++] = "CP932";
      prefs[(*n_prefs)++] = "EUC-JP";
    }
  else if (strcmp (lang, "ko") == 0)
    prefs[(*n_prefs)++] = "CP949";
  else if (strcmp (lang, "ru") == 0 || strcmp (lang, "uk") == 0 || strcmp (lang, "bg") == 0
           || strcmp (lang, "be") == 0 || strcmp (lang, "sr") == 0 || strcmp (lang, "mk") == 0)
    {
      prefs[(*n_prefs)++] = "WINDOWS-1251";
      prefs[(*n_prefs)++] = "KOI8-R";
    }
  else if (strcmp (lang, "th") == 0)
    prefs[(*n_prefs)++] = "TIS-620";
}

/* Below this many non-ASCII bytes in a text of less than SHORT_LEN bytes
 * (a name, a subject) the detector's pick among single-byte charsets is
 * noise, and its CJK picks need the bytes to agree with them. */
#define SHORT_TEXT 24
#define SHORT_LEN 100
#define DETECT_MAX 65536

/* Counts conversion errors without keeping the text.  C1 control characters
 * count as errors too: some converters (glibc's EUC-JP) pass bytes 0x80-0x9F
 * through as U+0080-U+009F, which no real text contains. */
static gsize
count_errors (const char *charset,
              const char *bytes,
              gsize       len)
{
  g_autoptr(GString) scratch = g_string_sized_new (len * 2 + 16);
  gsize n_errors;

  if (!iconv_append_lossy (scratch, charset, bytes, len, &n_errors))
    return G_MAXSIZE;
  for (gsize i = 0; i + 1 < scratch->len; i++)
    if ((guchar) scratch->str[i] == 0xc2 && (guchar) scratch->str[i + 1] >= 0x80
        && (guchar) scratch->str[i + 1] <= 0x9f)
      n_errors++;
  return n_errors;
}

/* A single-byte reading in which most non-ASCII characters are symbols
 * ("³¯¤j¤å" for the Big5 name 陳大文) is not Latin text: letters with
 * diacritics are what Latin mail uses its high bytes for. */
static gboolean
latin_reading_plausible (const char *charset,
                         const char *bytes,
                         gsize       len)
{
  g_autoptr(GString) text = g_string_sized_new (len * 2 + 16);
  gsize n_errors, n_letters = 0, n_other = 0;

  if (!iconv_append_lossy (text, charset, bytes, len, &n_errors) || n_errors > 0)
    return FALSE;
  for (const char *p = text->str; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x80)
        continue;
      if (g_unichar_isalpha (c))
        n_letters++;
      else
        n_other++;
    }
  return n_letters >= n_other;
}

/* Whether a double-byte reading is made mostly of the common part of the
 * charset (GB2312's first level of hanzi, Big5's frequent hanzi, kana and
 * JIS level 1, KS X 1001 hangul).  Latin text read as GBK hits the rare
 * corners instead, because its high bytes are mostly followed by ASCII
 * letters ("ü" + "r" is a valid but rare GBK pair).  This is what keeps
 * "Frösche" from becoming "Fr鰏che" while "张启" stays Chinese. */
static gboolean
cjk_reading_common (const char *charset,
                    const char *bytes,
                    gsize       len)
{
  guchar lo = 0xb0, hi = 0xd7, trail_lo = 0xa1;
  gsize n_common = 0, n_chars = 0;

  if (strcmp (charset, "BIG5-HKSCS") == 0)
    lo = 0xa4, hi = 0xc6, trail_lo = 0x40;
  else if (strcmp (charset, "CP932") == 0)
    lo = 0x82, hi = 0x98, trail_lo = 0x40;
  else if (strcmp (charset, "EUC-JP") == 0)
    lo = 0xa4, hi = 0xcf;
  else if (strcmp (charset, "CP949") == 0)
    lo = 0xb0, hi = 0xc8;

  for (gsize i = 0; i < len; i++)
    {
      guchar lead = (guchar) bytes[i];

      if (lead < 0x80)
        continue;
      n_chars++;
      if (i + 1 >= len)
        break;
      if (((lead >= lo && lead <= hi) || (lead >= 0xa1 && lead <= 0xa3 && lo != 0x82))
          && (guchar) bytes[i + 1] >= trail_lo && (guchar) bytes[i + 1] != 0x7f)
        n_common++;
      i++;
    }
  return n_common * 2 > n_chars;
}

/* Whether at least a quarter of the runs of high bytes have an odd length.
 * Double-byte text is made of pairs, so this is Latin text ("Åsa Öberg"),
 * or CJK text damaged beyond what a guess should trust. */
static gboolean
has_odd_runs (const char *bytes,
              gsize       len)
{
  gsize n_runs = 0, n_odd = 0, run = 0;

  for (gsize i = 0; i <= len; i++)
    {
      if (i < len && (guchar) bytes[i] >= 0x80)
        {
          run++;
          continue;
        }
      if (run > 0)
        {
          n_runs++;
          n_odd += run % 2;
        }
      run = 0;
    }
  return n_odd > 0 && n_odd * 4 >= n_runs;
}

/* The first CJK charset, the locale's own first, that reads @bytes cleanly
 * (a few errors are damage in long text) and commonly; NULL if none does.
 * With @locale_only, only the locale's own charsets are tried. */
static const char *
cjk_fit (const char *bytes,
         gsize       len,
         gsize       n_nonascii,
         const char *locale,
         gboolean    locale_only)
{
  const char *candidates[G_N_ELEMENTS (cjk_order) + 4];
  gsize n = 0;

  locale_preferences (locale, candidates, &n);
  for (gsize i = 0; i < G_N_ELEMENTS (cjk_order) && !locale_only; i++)
    candidates[n++] = cjk_order[i];
  for (gsize i = 0; i < n; i++)
    {
      gsize n_errors;

      if (!in_list (candidates[i], cjk_order, G_N_ELEMENTS (cjk_order)))
        continue;
      n_errors = count_errors (candidates[i], bytes, len);
      if ((n_errors == 0 || (n_nonascii >= SHORT_TEXT && errors_tolerable (n_errors, n_nonascii)))
          && cjk_reading_common (candidates[i], bytes, len))
        return candidates[i];
    }
  return NULL;
}



/* The detector's answer, as an iconv name, or NULL when it has none.
 * uchardet is used rather than ICU's ucsdet: on short CJK subjects it names
 * GB18030, Big5, Shift_JIS, EUC-JP and EUC-KR correctly where ucsdet gives
 * every candidate the same low confidence, and it knows Thai and Latin-2,
 * which ucsdet does not.  Its tables are compiled in: nothing is loaded. */
static char *
detect (const char *bytes,
        gsize       len)
{
  uchardet_t detector = uchardet_new ();
  char *charset = NULL;

  if (detector == NULL)
    return NULL;
  if (uchardet_handle_data (detector, bytes, len) == 0)
    {
      uchardet_data_end (detector);
      charset = lb_charset_normalize (uchardet_get_charset (detector));
    }
  uchardet_delete (detector);
  return charset;
}

const char *
lb_charset_guess (const char *bytes,
                  gssize      len,
                  const char *locale)
{
  g_autofree char *detected = NULL;
  const char *candidates[G_N_ELEMENTS (cjk_order) + 4];
  const char *best = NULL;
  char lang[4], territory[4];
  gsize n = 0, n_nonascii = 0, best_errors = G_MAXSIZE;
  gboolean is_short;

  g_return_val_if_fail (bytes != NULL, NULL);
  if (len < 0)
    len = strlen (bytes);
  if (locale == NULL)
    locale = user_locale ();
  split_locale (locale, lang, territory);

  for (gssize i = 0; i < len; i++)
    if ((guchar) bytes[i] >= 0x80)
      n_nonascii++;
  if (n_nonascii == 0)
    return memchr (bytes, 0x1b, len) != NULL ? "ISO-2022-JP-2" : "UTF-8";
  if (g_utf8_validate (bytes, len, NULL))
    return "UTF-8";
  is_short = n_nonascii < SHORT_TEXT && len < SHORT_LEN;

  /* A long body says what it is in its first 64 KiB; cut after an ASCII
   * byte so that no character is split (a split one would count as an
   * error against the right charset). */
  if (len > DETECT_MAX)
    {
      gssize cut = DETECT_MAX;

      while (cut > DETECT_MAX / 2 && (guchar) bytes[cut - 1] >= 0x80)
        cut--;
      len = cut;
      n_nonascii = 0;
      for (gssize i = 0; i < len; i++)
        if ((guchar) bytes[i] >= 0x80)
          n_nonascii++;
    }

  detected = detect (bytes, len);
  if (detected != NULL && in_list (detected, cjk_order, G_N_ELEMENTS (cjk_order))
      && (count_errors (detected, bytes, len) == 0 || !is_short))
    return g_intern_string (detected);
  if (detected != NULL && charset_is_latin (detected))
    {
      const char *latin = is_short ? latin_for_locale (lang) : g_intern_string (detected);

      /* The locale's own CJK charset beats a Latin reading (a Big5 name
       * for a zh_TW user); other CJK charsets only beat one without
       * isolated high bytes. */
      if (latin_reading_plausible (latin, bytes, len)
          && cjk_fit (bytes, len, n_nonascii, locale, TRUE) == NULL
          && (has_odd_runs (bytes, len) || cjk_fit (bytes, len, n_nonascii, locale, FALSE) == NULL))
        return latin;
    }
  else if (detected != NULL && !is_short && count_errors (detected, bytes, len) == 0)
    return g_intern_string (detected);

  /* A tie: a common CJK reading, the locale's first; then whatever reads
   * with the fewest errors, the locale's Latin charset last. */
  best = cjk_fit (bytes, len, n_nonascii, locale, FALSE);
  if (best != NULL)
    return best;
  locale_preferences (locale, candidates, &n);
  for (gsize i = 0; i < G_N_ELEMENTS (cjk_order); i++)
    candidates[n++] = cjk_order[i];
  candidates[n++] = latin_for_locale (lang);
  for (gsize i = 0; i < n; i++)
    {
      gsize n_errors = count_errors (candidates[i], bytes, len);

      if (n_errors == 0)
        return candidates[i];
      if (n_errors < best_errors)
        {
          best = candidates[i];
          best_errors = n_errors;
        }
    }
  return best != NULL ? best : "WINDOWS-1252";
}

/* Byte-order marks: they say the charset, and they are not text. */
static const char *
bom_charset (const char *bytes,
             gsize       len,
             gsize      *bom_len)
{
  *bom_len = 0;
  if (len >= 3 && memcmp (bytes, "\xef\xbb\xbf", 3) == 0)
    {
      *bom_len = 3;
      return "UTF-8";
    }
  if (len >= 2 && memcmp (bytes, "\xff\xfe", 2) == 0)
    {
      *bom_len = 2;
      return "UTF-16LE";
    }
  if (len >= 2 && memcmp (bytes, "\xfe\xff", 2) == 0)
    {
      *bom_len = 2;
      return "UTF-16BE";
    }
  return NULL;
}

/* A UTF-16 label, or none: the only cases in which FF FE / FE FF at the
 * start are taken as a byte-order mark rather than as Latin-1 "ÿþ". */
static gboolean
label_allows_utf16_bom (const char *charset)
{
  return charset == NULL || g_str_has_prefix (charset, "UTF-16") || g_str_has_prefix (charset, "UTF16")
         || g_str_has_prefix (charset, "UCS-2") || strcmp (charset, "UNICODE") == 0;
}

/* Pure 7-bit text with ISO-2022 escapes (raw Japanese subjects and file
 * names from old mailers: "\e$B%F%9%H\e(B") is ISO-2022-JP, not ASCII. */
static gboolean
looks_like_iso2022 (const char *bytes,
                    gsize       len)
{
  static const char *const escapes[] = { "\x1b$B", "\x1b$@", "\x1b$(D", "\x1b(J", "\x1b(I", "\x1b$A" };

  for (gsize i = 0; i < G_N_ELEMENTS (escapes); i++)
    if (g_strstr_len (bytes, len, escapes[i]) != NULL)
      return TRUE;
  return FALSE;
}

static char *
convert_detected (const char *bytes,
                  gsize       len,
                  Utf8Stats  *stats,
                  GString    *best,
                  gsize       best_errors);

char *
lb_charset_to_utf8 (const char *bytes,
                    gssize      len,
                    const char *label)
{
  g_autofree char *charset = NULL;
  g_autoptr(GString) best = NULL;
  gsize best_errors = G_MAXSIZE;
  const char *from_bom;
  gsize bom_len;
  Utf8Stats stats;
  GString *out;
  gsize n_errors;

  if (bytes == NULL)
    return g_strdup ("");
  if (len < 0)
    len = strlen (bytes);

  charset = lb_charset_normalize (label);
  from_bom = bom_charset (bytes, len, &bom_len);
  if (from_bom != NULL && (bom_len == 3 || label_allows_utf16_bom (charset)))
    {
      g_free (charset);
      charset = g_strdup (from_bom);
      bytes += bom_len;
      len -= bom_len;
    }
  utf8_scan (bytes, len, &stats);

  if (charset == NULL && stats.n_nonascii == 0 && looks_like_iso2022 (bytes, len))
    charset = g_strdup ("ISO-2022-JP-2");

  if (charset != NULL && charset_is_not_ascii_compatible (charset))
    {
      /* A stateful charset cut short (a lost final byte) or with a bad
       * byte is still that charset: one error, or one in twenty bytes. */
      out = g_string_sized_new (len + 16);
      if (iconv_append_lossy (out, charset, bytes, len, &n_errors)
          && (n_errors <= 1 || errors_tolerable (n_errors, len)))
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
  return convert_detected (bytes, len, &stats, g_steal_pointer (&best), best_errors);
}

/* The last step of lb_charset_to_utf8(): the detector's charset, unless the
 * declared one (@best, with @best_errors) did better. */
static char *
convert_detected (const char *bytes,
                  gsize       len,
                  Utf8Stats  *stats,
                  GString    *best,
                  gsize       best_errors)
{
  const char *guess = lb_charset_guess (bytes, len, NULL);
  GString *out = g_string_sized_new (len + len / 2 + 16);
  gsize n_errors;

  if (!iconv_append_lossy (out, guess, bytes, len, &n_errors))
    n_errors = G_MAXSIZE;
  if (n_errors < best_errors
      && (errors_tolerable (n_errors, stats->n_nonascii) || n_errors < stats->n_bad))
    {
      if (best != NULL)
        g_string_free (best, TRUE);
      return finish (out);
    }
  g_string_free (out, TRUE);
  if (best != NULL && best_errors < stats->n_bad)
    return finish (best);
  if (best != NULL)
    g_string_free (best, TRUE);

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
