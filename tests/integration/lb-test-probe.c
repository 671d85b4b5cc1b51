/* lb-test-probe.c: a minimal IMAP client over libcurl CONNECT_ONLY, for fixture self-tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-test-probe.h"

#define IO_TIMEOUT_MS 60000

struct _LbTestProbe {
  CURL          *curl;
  curl_socket_t  fd;
  GByteArray    *buf;   /* received, not yet consumed */
  guint          tag;
};

CURLcode
lb_test_probe_connect (const char    *url,
                       gboolean       starttls,
                       const char    *user,
                       const char    *password,
                       const char    *ca_file,
                       LbTestProbe  **out)
{
  CURL *h = curl_easy_init ();
  curl_socket_t fd = CURL_SOCKET_BAD;
  CURLcode rc;

  *out = NULL;
  curl_easy_setopt (h, CURLOPT_URL, url);
  curl_easy_setopt (h, CURLOPT_USERNAME, user);
  curl_easy_setopt (h, CURLOPT_PASSWORD, password);
  if (ca_file != NULL)
    curl_easy_setopt (h, CURLOPT_CAINFO, ca_file);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (starttls)
    curl_easy_setopt (h, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
  curl_easy_setopt (h, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT_MS, (long) IO_TIMEOUT_MS);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  if (g_getenv ("LB_TEST_CURL_VERBOSE") != NULL)
    curl_easy_setopt (h, CURLOPT_VERBOSE, 1L);

  rc = curl_easy_perform (h);
  if (rc == CURLE_OK)
    rc = curl_easy_getinfo (h, CURLINFO_ACTIVESOCKET, &fd);
  if (rc != CURLE_OK)
    {
      curl_easy_cleanup (h);
      return rc;
    }
  *out = g_new0 (LbTestProbe, 1);
  (*out)->curl = h;
  (*out)->fd = fd;
  (*out)->buf = g_byte_array_new ();
  return CURLE_OK;
}

void
lb_test_probe_free (LbTestProbe *probe)
{
  if (probe == NULL)
    return;
  curl_easy_cleanup (probe->curl);
  g_byte_array_unref (probe->buf);
  g_free (probe);
}

static gboolean
wait_socket (LbTestProbe *probe,
             gushort      events,
             gint64       deadline,
             GError     **error)
{
  for (;;)
    {
      GPollFD pfd = { probe->fd, events, 0 };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      int rc;

      if (left <= 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "IMAP server timed out");
          return FALSE;
        }
      rc = g_poll (&pfd, 1, (int) left);
      if (rc > 0)
        return TRUE;
    }
}

gboolean
lb_test_probe_send (LbTestProbe  *probe,
                    const char   *data,
                    GError      **error)
{
  gsize len = strlen (data);
  gsize done = 0;
  gint64 deadline = g_get_monotonic_time () + (gint64) IO_TIMEOUT_MS * 1000;

  while (done < len)
    {
      size_t n = 0;
      CURLcode rc = curl_easy_send (probe->curl, data + done, len - done, &n);

      if (rc == CURLE_AGAIN)
        {
          if (!wait_socket (probe, G_IO_OUT, deadline, error))
            return FALSE;
          continue;
        }
      if (rc != CURLE_OK)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "send: %s", curl_easy_strerror (rc));
          return FALSE;
        }
      done += n;
    }
  return TRUE;
}

/* Reads more into probe->buf.  TLS may hold decrypted bytes the socket does not signal, so
 * drain curl_easy_recv until CURLE_AGAIN before polling. */
static gboolean
recv_more (LbTestProbe *probe,
           gint64       deadline,
           GError     **error)
{
  for (;;)
    {
      char chunk[16384];
      size_t n = 0;
      CURLcode rc = curl_easy_recv (probe->curl, chunk, sizeof chunk, &n);

      if (rc == CURLE_OK && n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               "IMAP server closed the connection");
          return FALSE;
        }
      if (rc == CURLE_OK)
        {
          g_byte_array_append (probe->buf, (const guint8 *) chunk, n);
          return TRUE;
        }
      if (rc != CURLE_AGAIN)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "recv: %s", curl_easy_strerror (rc));
          return FALSE;
        }
      if (!wait_socket (probe, G_IO_IN, deadline, error))
        return FALSE;
    }
}

/* If the line [start, crlf) ends with a literal marker {N} or {N+}, returns N, else -1. */
static gssize
literal_length (const guint8 *start,
                const guint8 *crlf)
{
  const guint8 *p = crlf;
  guint64 n;

  if (p == start || p[-1] != '}')
    return -1;
  p--;
  if (p > start && p[-1] == '+')
    p--;
  while (p > start && g_ascii_isdigit (p[-1]))
    p--;
  if (p == start || p[-1] != '{' || p == crlf - 1)
    return -1;
  n = g_ascii_strtoull ((const char *) p, NULL, 10);
  return (gssize) n;
}

static const guint8 *
find_crlf (const guint8 *p,
           const guint8 *end)
{
  for (; p + 1 < end; p++)
    if (p[0] == '\r' && p[1] == '\n')
      return p;
  return NULL;
}

GBytes *
lb_test_probe_command (LbTestProbe  *probe,
                       const char   *command,
                       gboolean     *tagged_ok,
                       GError      **error)
{
  g_autofree char *tag = g_strdup_printf ("p%u", ++probe->tag);
  g_autofree char *line = g_strdup_printf ("%s %s\r\n", tag, command);
  gsize tag_len = strlen (tag);
  gint64 deadline = g_get_monotonic_time () + (gint64) IO_TIMEOUT_MS * 1000;
  gsize scan = 0;          /* where the next unread line starts */
  gsize logical = 0;       /* where the current logical line (with literals) starts */

  if (tagged_ok != NULL)
    *tagged_ok = FALSE;
  if (!lb_test_probe_send (probe, line, error))
    return NULL;

  for (;;)
    {
      const guint8 *base = probe->buf->data;
      const guint8 *end = base + probe->buf->len;
      const guint8 *crlf = scan < probe->buf->len ? find_crlf (base + scan, end) : NULL;
      gssize lit;

      if (crlf == NULL)
        {
          if (!recv_more (probe, deadline, error))
            return NULL;
          continue;
        }
      lit = literal_length (base + scan, crlf);
      if (lit >= 0)
        {
          gsize need = (gsize) (crlf + 2 - base) + (gsize) lit;

          while (probe->buf->len < need)
            if (!recv_more (probe, deadline, error))
              return NULL;
          /* The logical line goes on after the literal. */
          scan = need;
          continue;
        }
      scan = (gsize) (crlf + 2 - base);
      if (probe->buf->len - logical > tag_len
          && memcmp (base + logical, tag, tag_len) == 0 && base[logical + tag_len] == ' ')
        {
          GBytes *out = g_bytes_new (base, scan);

          if (tagged_ok != NULL)
            *tagged_ok = strncmp ((const char *) base + logical + tag_len + 1, "OK", 2) == 0;
          g_byte_array_remove_range (probe->buf, 0, scan);
          return out;
        }
      logical = scan;
    }
}

char *
lb_test_probe_read_line (LbTestProbe  *probe,
                         guint         timeout_ms,
                         GError      **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      const guint8 *crlf = find_crlf (probe->buf->data, probe->buf->data + probe->buf->len);

      if (crlf != NULL)
        {
          gsize n = (gsize) (crlf - probe->buf->data);
          char *out = g_strndup ((const char *) probe->buf->data, n);

          g_byte_array_remove_range (probe->buf, 0, n + 2);
          return out;
        }
      if (!recv_more (probe, deadline, error))
        return NULL;
    }
}

/* ------------------------------------------------------------------ parsing */

void
lb_test_imap_value_free (LbTestImapValue *value)
{
  if (value == NULL)
    return;
  g_clear_pointer (&value->data, g_bytes_unref);
  g_clear_pointer (&value->items, g_ptr_array_unref);
  g_free (value);
}

static LbTestImapValue *
value_new (LbTestImapKind kind)
{
  LbTestImapValue *v = g_new0 (LbTestImapValue, 1);

  v->kind = kind;
  if (kind == LB_TEST_IMAP_LIST)
    v->items = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_test_imap_value_free);
  return v;
}

/* Parses tokens from *P until ')' (for a list) or CRLF (at the top level) into LIST. */
static gboolean
parse_items (const guint8   **p,
             const guint8    *end,
             LbTestImapValue *list,
             gboolean         top)
{
  while (*p < end)
    {
      const guint8 *s = *p;

      if (*s == ' ')
        {
          (*p)++;
          continue;
        }
      if (top && *s == '\r' && s + 1 < end && s[1] == '\n')
        {
          *p = s + 2;
          return TRUE;
        }
      if (!top && *s == ')')
        {
          (*p)++;
          return TRUE;
        }
      if (*s == '(')
        {
          LbTestImapValue *sub = value_new (LB_TEST_IMAP_LIST);

          (*p)++;
          g_ptr_array_add (list->items, sub);
          if (!parse_items (p, end, sub, FALSE))
            return FALSE;
        }
      else if (*s == '"')
        {
          GByteArray *b = g_byte_array_new ();
          LbTestImapValue *v = value_new (LB_TEST_IMAP_STRING);

          s++;
          while (s < end && *s != '"')
            {
              if (*s == '\\' && s + 1 < end)
                s++;
              g_byte_array_append (b, s, 1);
              s++;
            }
          v->data = g_byte_array_free_to_bytes (b);
          g_ptr_array_add (list->items, v);
          if (s >= end)
            return FALSE;
          *p = s + 1;
        }
      else if (*s == '{')
        {
          guint64 n = g_ascii_strtoull ((const char *) s + 1, NULL, 10);
          const guint8 *crlf = find_crlf (s, end);
          LbTestImapValue *v;

          if (crlf == NULL || (guint64) (end - (crlf + 2)) < n)
            return FALSE;
          v = value_new (LB_TEST_IMAP_STRING);
          v->data = g_bytes_new (crlf + 2, n);
          g_ptr_array_add (list->items, v);
          *p = crlf + 2 + n;
        }
      else
        {
          LbTestImapValue *v;

          /* Atoms may hold brackets (BODY[HEADER], [UIDNEXT 4]); stop at space, parens, CRLF. */
          while (s < end && *s != ' ' && *s != '(' && *s != ')' && *s != '\r')
            s++;
          if (s - *p == 3 && g_ascii_strncasecmp ((const char *) *p, "NIL", 3) == 0)
            v = value_new (LB_TEST_IMAP_NIL);
          else
            {
              v = value_new (LB_TEST_IMAP_ATOM);
              v->data = g_bytes_new (*p, s - *p);
            }
          g_ptr_array_add (list->items, v);
          *p = s;
        }
    }
  return top;
}

GPtrArray *
lb_test_imap_parse_untagged (GBytes *response)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_test_imap_value_free);
  gsize len;
  const guint8 *p = g_bytes_get_data (response, &len);
  const guint8 *end = p + len;

  while (p < end)
    {
      LbTestImapValue *line = value_new (LB_TEST_IMAP_LIST);
      gboolean untagged = end - p > 2 && p[0] == '*' && p[1] == ' ';

      if (untagged)
        p += 2;
      if (!parse_items (&p, end, line, TRUE))
        {
          lb_test_imap_value_free (line);
          break;
        }
      if (untagged)
        g_ptr_array_add (out, line);
      else
        lb_test_imap_value_free (line);
    }
  return out;
}

char *
lb_test_imap_value_dup_string (const LbTestImapValue *value)
{
  gsize len;
  const char *data;

  if (value == NULL || value->data == NULL)
    return NULL;
  data = g_bytes_get_data (value->data, &len);
  return g_strndup (data, len);
}

const LbTestImapValue *
lb_test_imap_fetch_item (const LbTestImapValue *items,
                         const char            *key)
{
  if (items == NULL || items->kind != LB_TEST_IMAP_LIST)
    return NULL;
  for (guint i = 0; i + 1 < items->items->len; i += 2)
    {
      const LbTestImapValue *k = g_ptr_array_index (items->items, i);
      gsize len;
      const char *data;

      if (k->kind != LB_TEST_IMAP_ATOM)
        continue;
      data = g_bytes_get_data (k->data, &len);
      if (len == strlen (key) && g_ascii_strncasecmp (data, key, len) == 0)
        return g_ptr_array_index (items->items, i + 1);
    }
  return NULL;
}
