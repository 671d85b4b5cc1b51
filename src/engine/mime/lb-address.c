/* lb-address.c: mail addresses, from headers and from the user
 *
 * One small scanner serves both header address lists (RFC 5322 with groups
 * and comments) and what users type into the composer (where Chinese input
 * methods produce full-width commas, semicolons and at-signs).  Display names
 * go through lb_mime_decode_header() rather than GMime's decoder so that they
 * get the same GB18030 and split-word handling as subjects.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-address.h"
#include "lb-charset.h"
#include "lb-mime.h"

G_DEFINE_BOXED_TYPE (LbAddress, lb_address, lb_address_copy, lb_address_free)

LbAddress *
lb_address_new (const char *name,
                const char *address)
{
  LbAddress *self = g_new0 (LbAddress, 1);

  self->name = (name != NULL && *name != '\0') ? g_strdup (name) : NULL;
  self->address = g_strdup (address != NULL ? address : "");
  return self;
}

LbAddress *
lb_address_copy (const LbAddress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return lb_address_new (self->name, self->address);
}

void
lb_address_free (LbAddress *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->address);
  g_free (self);
}

char *
lb_address_to_display (const LbAddress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_strdup (self->name != NULL ? self->name : self->address);
}

char *
lb_address_to_string (const LbAddress *self)
{
  GString *s;
  gboolean quote = FALSE;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->name == NULL)
    return g_strdup (self->address);

  for (const char *p = self->name; *p != '\0'; p++)
    if (strchr ("()<>[]:;@\\,.\"", *p) != NULL)
      quote = TRUE;
  /* The composer splits on full-width separators too. */
  if (strstr (self->name, "，") != NULL || strstr (self->name, "；") != NULL
      || strstr (self->name, "、") != NULL)
    quote = TRUE;

  s = g_string_new (NULL);
  if (quote)
    {
      g_string_append_c (s, '"');
      for (const char *p = self->name; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (s, '\\');
          g_string_append_c (s, *p);
        }
      g_string_append_c (s, '"');
    }
  else
    g_string_append (s, self->name);
  g_string_append_printf (s, " <%s>", self->address);
  return g_string_free (s, FALSE);
}

char *
lb_address_list_to_display (GPtrArray *list)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      g_autofree char *one = lb_address_to_display (g_ptr_array_index (list, i));

      if (*one == '\0')
        continue;
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append (s, one);
    }
  return g_string_free (s, FALSE);
}

/* Validation ------------------------------------------------------------ */

static gboolean
is_atext (char c)
{
  return g_ascii_isalnum (c) || strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static gboolean
local_part_is_valid (const char *p,
                     gsize       len)
{
  if (len == 0 || len > 64)
    return FALSE;

  if (p[0] == '"')
    {
      if (len < 3 || p[len - 1] != '"')
        return FALSE;
      for (gsize i = 1; i < len - 1; i++)
        {
          if ((guchar) p[i] < 0x20 || p[i] == 0x7f)
            return FALSE;
          if (p[i] == '\\')
            {
              i++;
              if (i >= len - 1)
                return FALSE;
            }
          else if (p[i] == '"')
            return FALSE;
        }
      return TRUE;
    }

  if (p[0] == '.' || p[len - 1] == '.')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (p[i] == '.')
        {
          if (p[i + 1] == '.')
            return FALSE;
        }
      else if ((guchar) p[i] >= 0x80)
        {
          /* RFC 6531 allows UTF-8 local parts; full-width punctuation
           * ("，" "；" "＠") in one is a typing slip, not an address. */
          gunichar u = g_utf8_get_char_validated (p + i, len - i);

          if (u == (gunichar) -1 || u == (gunichar) -2
              || (!g_unichar_isalnum (u) && !g_unichar_ismark (u)))
            return FALSE;
          i += g_utf8_skip[(guchar) p[i]] - 1;
        }
      else if (!is_atext (p[i]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
domain_label_is_valid (const char *p,
                       gsize       len)
{
  const char *end = p + len;

  if (len == 0 || len > 63 || p[0] == '-' || p[len - 1] == '-')
    return FALSE;
  while (p < end)
    {
      if ((guchar) *p < 0x80)
        {
          if (!g_ascii_isalnum (*p) && *p != '-')
            return FALSE;
          p++;
        }
      else
        {
          /* IDN labels stay in UTF-8; accept letters, digits and marks, not
           * full-width punctuation such as "。" or "，". */
          gunichar u = g_utf8_get_char_validated (p, end - p);

          if (u == (gunichar) -1 || u == (gunichar) -2)
            return FALSE;
          if (!g_unichar_isalnum (u) && !g_unichar_ismark (u))
            return FALSE;
          p = g_utf8_next_char (p);
        }
    }
  return TRUE;
}

static gboolean
domain_is_valid (const char *p,
                 gsize       len)
{
  const char *label, *end = p + len;
  guint n_labels = 0;
  gboolean last_all_digits = TRUE;

  if (len == 0 || len > 253)
    return FALSE;

  if (p[0] == '[')
    {
      if (len < 3 || p[len - 1] != ']')
        return FALSE;
      for (gsize i = 1; i < len - 1; i++)
        if (!g_ascii_isxdigit (p[i]) && p[i] != '.' && p[i] != ':'
            && !(i == 1 && len > 7 && g_ascii_strncasecmp (p + 1, "IPv6:", 5) == 0))
          return FALSE;
        else if (i == 1 && g_ascii_strncasecmp (p + 1, "IPv6:", 5) == 0)
          i += 4;
      return TRUE;
    }

  label = p;
  for (const char *q = p; q <= end; q++)
    {
      if (q == end || *q == '.')
        {
          if (!domain_label_is_valid (label, q - label))
            return FALSE;
          last_all_digits = TRUE;
          for (const char *r = label; r < q; r++)
            if (!g_ascii_isdigit (*r))
              last_all_digits = FALSE;
          n_labels++;
          label = q + 1;
        }
    }
  /* "user@localhost" and "user@1.2.3.4" are almost always typos in a mail client. */
  return n_labels >= 2 && !last_all_digits;
}

gboolean
lb_address_is_valid (const char *address)
{
  const char *at;
  gsize len;

  if (address == NULL)
    return FALSE;
  len = strlen (address);
  if (len < 3 || len > 254 || !g_utf8_validate (address, len, NULL))
    return FALSE;
  at = strrchr (address, '@');
  if (at == NULL)
    return FALSE;
  return local_part_is_valid (address, at - address)
         && domain_is_valid (at + 1, address + len - (at + 1));
}

/* Scanning -------------------------------------------------------------- */

typedef enum {
  MODE_HEADER,   /* RFC 5322 address-list: ',' separates, groups, comments */
  MODE_USER,     /* composer input: , ; ， ； 、 separate */
} ParseMode;

/* Full-width separators typed by Chinese input methods. */
static gsize
user_separator_len (const char *p)
{
  if (*p == ',' || *p == ';' || *p == '\n')
    return 1;
  if (strncmp (p, "\xef\xbc\x8c", 3) == 0     /* ， U+FF0C */
      || strncmp (p, "\xef\xbc\x9b", 3) == 0  /* ； U+FF1B */
      || strncmp (p, "\xe3\x80\x81", 3) == 0) /* 、 U+3001 */
    return 3;
  return 0;
}

static void
append_replacing (GString    *s,
                  const char *p,
                  gsize       len)
{
  /* ＠ ＜ ＞ and the ideographic space, as typed with a Chinese IME. */
  for (gsize i = 0; i < len; i++)
    {
      if (i + 3 <= len && strncmp (p + i, "\xef\xbc\xa0", 3) == 0)
        g_string_append_c (s, '@'), i += 2;
      else if (i + 3 <= len && strncmp (p + i, "\xef\xbc\x9c", 3) == 0)
        g_string_append_c (s, '<'), i += 2;
      else if (i + 3 <= len && strncmp (p + i, "\xef\xbc\x9e", 3) == 0)
        g_string_append_c (s, '>'), i += 2;
      else if (i + 3 <= len && strncmp (p + i, "\xe3\x80\x80", 3) == 0)
        g_string_append_c (s, ' '), i += 2;
      else
        g_string_append_c (s, p[i]);
    }
}

/* Removes comments, whitespace and quotes-around-nothing from an addr-spec. */
static char *
clean_addr_spec (const char *p,
                 gsize       len)
{
  GString *s = g_string_sized_new (len);
  int comment = 0;
  gboolean quote = FALSE;
  const char *colon;

  for (gsize i = 0; i < len; i++)
    {
      char c = p[i];

      if (quote)
        {
          g_string_append_c (s, c);
          if (c == '\\' && i + 1 < len)
            g_string_append_c (s, p[++i]);
          else if (c == '"')
            quote = FALSE;
          continue;
        }
      if (comment > 0)
        {
          if (c == '\\')
            i++;
          else if (c == '(')
            comment++;
          else if (c == ')')
            comment--;
          continue;
        }
      if (c == '(')
        comment = 1;
      else if (c == '"')
        {
          quote = TRUE;
          g_string_append_c (s, c);
        }
      else if (c != ' ' && c != '\t' && c != '<' && c != '>')
        g_string_append_c (s, c);
    }

  /* An obsolete source route ("@relay:user@host") is dropped. */
  if (s->str[0] == '@' && (colon = strchr (s->str, ':')) != NULL)
    g_string_erase (s, 0, colon + 1 - s->str);
  return g_string_free (s, FALSE);
}

/* Turns a phrase into a display name: quotes and comments go, encoded-words
 * are decoded (even inside quotes, as many mailers put them there). */
static char *
decode_phrase (const char *p,
               gsize       len)
{
  g_autoptr(GString) s = g_string_sized_new (len);
  int comment = 0;
  gboolean quote = FALSE;
  char *name;
  gsize n;

  for (gsize i = 0; i < len; i++)
    {
      char c = p[i];

      if (quote)
        {
          if (c == '\\' && i + 1 < len)
            g_string_append_c (s, p[++i]);
          else if (c == '"')
            quote = FALSE;
          else
            g_string_append_c (s, c);
          continue;
        }
      if (comment > 0)
        {
          if (c == '\\')
            i++;
          else if (c == '(')
            comment++;
          else if (c == ')')
            comment--;
          continue;
        }
      if (c == '"')
        quote = TRUE;
      else if (c == '(')
        comment = 1;
      else
        g_string_append_c (s, c);
    }

  name = lb_mime_decode_header (s->str);
  /* Outlook writes names as 'Name'. */
  n = strlen (name);
  if (n >= 2 && name[0] == '\'' && name[n - 1] == '\'')
    {
      memmove (name, name + 1, n - 2);
      name[n - 2] = '\0';
      g_strstrip (name);
    }
  return name;
}

/* The text of the first comment in an entry: the old "user@host (Name)" form. */
static char *
first_comment (const char *p,
               gsize       len)
{
  const char *open = memchr (p, '(', len);
  const char *close;
  g_autofree char *inner = NULL;

  if (open == NULL)
    return NULL;
  close = memchr (open, ')', p + len - open);
  if (close == NULL)
    close = p + len;
  inner = g_strndup (open + 1, close - open - 1);
  return lb_mime_decode_header (inner);
}

static void parse_entry (GPtrArray  *list,
                         const char *p,
                         gsize       len,
                         ParseMode   mode);

/* "a@example.com b@example.org" in a header, without the comma between them: when every
 * word of an entry (comments aside) is an address, each is one entry, with the comment
 * that follows it as its name.  Returns FALSE (and adds nothing) for anything else. */
static gboolean
split_bare_addresses (GPtrArray  *list,
                      const char *p,
                      gsize       len)
{
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize i = 0;

  while (i < len)
    {
      gsize start;
      gboolean has_at = FALSE;

      if (p[i] == ' ')
        {
          i++;
          continue;
        }
      if (p[i] == '(')
        {
          int depth = 0;

          for (; i < len; i++)
            {
              if (p[i] == '\\')
                i++;
              else if (p[i] == '(')
                depth++;
              else if (p[i] == ')' && --depth == 0)
                break;
            }
          i++;
          continue;
        }
      if (p[i] == '"')
        return FALSE;
      start = i;
      for (; i < len && p[i] != ' ' && p[i] != '('; i++)
        if (p[i] == '@')
          has_at = TRUE;
      if (!has_at)
        return FALSE;
      g_array_append_val (starts, start);
    }
  if (starts->len < 2)
    return FALSE;
  for (guint k = 0; k < starts->len; k++)
    {
      gsize a = g_array_index (starts, gsize, k);
      gsize b = k + 1 < starts->len ? g_array_index (starts, gsize, k + 1) : len;

      parse_entry (list, p + a, b - a, MODE_HEADER);
    }
  return TRUE;
}

static void
parse_entry (GPtrArray  *list,
             const char *p,
             gsize       len,
             ParseMode   mode)
{
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  const char *lt = NULL, *gt = NULL;
  gboolean quote = FALSE;
  int comment = 0;

  /* Trim. */
  while (len > 0 && g_ascii_isspace (*p))
    p++, len--;
  while (len > 0 && g_ascii_isspace (p[len - 1]))
    len--;
  if (len == 0)
    return;

  for (gsize i = 0; i < len; i++)
    {
      char c = p[i];

      if (quote)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            quote = FALSE;
        }
      else if (comment > 0)
        {
          if (c == '\\')
            i++;
          else if (c == '(')
            comment++;
          else if (c == ')')
            comment--;
        }
      else if (c == '"')
        quote = TRUE;
      else if (c == '(' && lt == NULL)
        comment = 1;
      else if (c == '<' && lt == NULL)
        lt = p + i;
      else if (c == '>' && lt != NULL && gt == NULL)
        gt = p + i;
    }

  if (lt != NULL)
    {
      const char *addr_end = gt != NULL ? gt : p + len;

      name = decode_phrase (p, lt - p);
      address = clean_addr_spec (lt + 1, addr_end - (lt + 1));
    }
  else if (mode == MODE_HEADER && split_bare_addresses (list, p, len))
    return;
  else
    {
      const char *space = NULL;

      /* "Name user@host" as typed, without brackets: the last word is the
       * address if it has an @ and the rest does not. */
      if (mode == MODE_USER)
        {
          for (gsize i = len; i > 0; i--)
            if (p[i - 1] == ' ' || p[i - 1] == '\t')
              {
                space = p + i - 1;
                break;
              }
          if (space != NULL
              && (memchr (space, '@', p + len - space) == NULL
                  || memchr (p, '@', space - p) != NULL || memchr (p, '"', len) != NULL))
            space = NULL;
        }

      if (space != NULL)
        {
          name = decode_phrase (p, space - p);
          address = clean_addr_spec (space + 1, p + len - (space + 1));
        }
      else
        {
          address = clean_addr_spec (p, len);
          name = first_comment (p, len);
        }
    }

  if (name != NULL && (*name == '\0' || g_ascii_strcasecmp (name, address) == 0))
    g_clear_pointer (&name, g_free);
  if (*address == '\0' && name == NULL)
    return;
  g_ptr_array_add (list, lb_address_new (name, address));
}

static GPtrArray *
parse_list (const char *text,
            ParseMode   mode,
            const char *fallback_charset)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_address_free);
  g_autoptr(GString) s = NULL;
  g_autofree char *utf8 = NULL;
  const char *p, *start;
  gboolean quote = FALSE, angle = FALSE, after_angle = FALSE;
  int comment = 0;

  if (text == NULL)
    return list;

  /* Raw 8-bit names are converted as the message's declared charset or the
   * detector says, but raw bytes inside an encoded-word are left to that
   * word's charset; CR/LF/TAB become spaces. */
  utf8 = lb_mime_header_to_utf8 (text, -1, fallback_charset);
  s = g_string_sized_new (strlen (utf8));
  if (mode == MODE_USER)
    append_replacing (s, utf8, strlen (utf8));
  else
    g_string_append (s, utf8);
  for (gsize i = 0; i < s->len; i++)
    if (s->str[i] == '\r' || s->str[i] == '\t' || (mode == MODE_HEADER && s->str[i] == '\n'))
      s->str[i] = ' ';

  start = s->str;
  for (p = s->str; *p != '\0'; p++)
    {
      gsize sep = 0;

      if (quote)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            quote = FALSE;
          continue;
        }
      if (comment > 0)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '(')
            comment++;
          else if (*p == ')')
            comment--;
          continue;
        }
      /* "A <a@example.com> B <b@example.org>": whatever follows an angle address
       * other than a separator or a comment starts the next address. */
      if (after_angle && *p != ' ')
        {
          after_angle = FALSE;
          if (*p != ',' && *p != ';' && *p != '(')
            {
              parse_entry (list, start, p - start, mode);
              start = p;
            }
        }
      if (*p == '"')
        quote = TRUE;
      else if (*p == '(')
        comment = 1;
      else if (*p == '<')
        angle = TRUE;
      else if (*p == '>')
        {
          after_angle = angle && mode == MODE_HEADER;
          angle = FALSE;
        }
      else if (angle)
        continue;
      else if (mode == MODE_HEADER && *p == ':')
        {
          /* "group: a@b, c@d;": the group name is dropped, members kept. */
          start = p + 1;
          continue;
        }
      else if (mode == MODE_HEADER && (*p == ',' || *p == ';'))
        sep = 1;
      else if (mode == MODE_USER)
        sep = user_separator_len (p);

      if (sep > 0)
        {
          parse_entry (list, start, p - start, mode);
          p += sep - 1;
          start = p + 1;
        }
    }
  parse_entry (list, start, p - start, mode);
  return list;
}

GPtrArray *
lb_address_parse (const char *text)
{
  return parse_list (text, MODE_USER, NULL);
}

GPtrArray *
lb_address_list_decode (const char  *raw,
                        char       **display)
{
  return lb_address_list_decode_with_fallback (raw, NULL, display);
}

GPtrArray *
lb_address_list_decode_with_fallback (const char  *raw,
                                      const char  *fallback_charset,
                                      char       **display)
{
  GPtrArray *list = parse_list (raw, MODE_HEADER, fallback_charset);

  if (display != NULL)
    *display = lb_address_list_to_display (list);
  return list;
}
