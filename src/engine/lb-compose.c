/* lb-compose.c: replies and forwards, as drafts (no GTK)
 *
 * The rules a reply follows:
 * - To is the original's Reply-To, else its From.
 * - Reply all adds the original's other To and Cc, leaving out every address of the
 *   user's own accounts, and lists nobody twice (addresses compare without case).
 * - The subject gets one "Re: ": a subject that already starts with a reply prefix
 *   (Re:, 回复：, 答复：, in any case and with an ASCII or full-width colon) keeps it.
 * - In-Reply-To is the original's Message-ID; References is the original's References
 *   (or its In-Reply-To) followed by its Message-ID.
 * - The body is an attribution line and the original text quoted with "> ".
 * A forward gets "Fwd: " once, the original's headers block and text, and the
 * original's attachments (decoded bytes; the builder encodes them again).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lb-account-private.h"
#include "lb-compose.h"
#include "lb-mime-simplify.h"
#include "lb-imap-session.h"
#include "lb-engine-private.h"
#include "lb-reconnect.h"
#include "lb-store-addresses.h"

/* Prefixes are compared case-insensitively up to a colon, ASCII ':' or full-width '：'. */
static const char *reply_prefixes[] = { "re", "回复", "答复", "回覆", NULL };
static const char *forward_prefixes[] = { "fwd", "fw", "转发", "轉寄", NULL };

/* Returns the text after "PREFIX:" (and spaces) if @subject starts with one of @prefixes. */
static const char *
skip_prefix (const char  *subject,
             const char **prefixes)
{
  const char *s = subject;

  while (*s == ' ' || *s == '\t')
    s++;
  for (guint i = 0; prefixes[i] != NULL; i++)
    {
      gsize n = strlen (prefixes[i]);

      if (g_ascii_strncasecmp (s, prefixes[i], n) != 0)
        continue;
      if (s[n] == ':')
        return s + n + 1;
      if (strncmp (s + n, "：", strlen ("：")) == 0)
        return s + n + strlen ("：");
    }
  return NULL;
}

/**
 * lb_compose_reply_subject:
 *
 * Returns: (transfer full): @subject with one "Re: " in front
 */
char *
lb_compose_reply_subject (const char *subject)
{
  if (subject == NULL)
    subject = "";
  if (skip_prefix (subject, reply_prefixes) != NULL)
    return g_strdup (subject);
  return g_strconcat ("Re: ", subject, NULL);
}

/**
 * lb_compose_forward_subject:
 *
 * Returns: (transfer full): @subject with one "Fwd: " in front
 */
char *
lb_compose_forward_subject (const char *subject)
{
  if (subject == NULL)
    subject = "";
  if (skip_prefix (subject, forward_prefixes) != NULL)
    return g_strdup (subject);
  return g_strconcat ("Fwd: ", subject, NULL);
}

/**
 * lb_compose_quote:
 *
 * Returns: (transfer full): every line of @text with "> " in front (">" for an
 *   already quoted line, so that quote levels stay compact)
 */
char *
lb_compose_quote (const char *text)
{
  g_auto(GStrv) lines = NULL;
  GString *s = g_string_new (NULL);
  guint n;

  if (text == NULL)
    text = "";
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  /* A final newline does not make one more quoted line. */
  if (n > 0 && *lines[n - 1] == '\0')
    n--;
  for (guint i = 0; i < n; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
      g_string_append (s, line[0] == '>' || line[0] == '\0' ? ">" : "> ");
      g_string_append (s, line);
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

/**
 * lb_compose_strip_signature:
 *
 * A reply quotes what the sender wrote, not their signature: everything from the last
 * signature separator ("-- " alone on a line, RFC 3676 §4.3) that is not itself quoted
 * is left out.
 *
 * Returns: (transfer full): @text without its signature
 */
char *
lb_compose_strip_signature (const char *text)
{
  const char *cut = NULL;

  if (text == NULL)
    return g_strdup ("");
  for (const char *line = text; line != NULL && *line != '\0'; )
    {
      const char *eol = strchr (line, '\n');

      gsize len = eol != NULL ? (gsize) (eol - line) : strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        len--;
      if (len == 3 && strncmp (line, "-- ", 3) == 0)
        cut = line;
      line = eol != NULL ? eol + 1 : NULL;
    }
  if (cut == NULL)
    return g_strdup (text);
  /* The blank lines before the separator go too. */
  while (cut > text && (cut[-1] == '\n' || cut[-1] == '\r'))
    cut--;
  if (cut == text)
    return g_strdup ("");
  {
    g_autofree char *head = g_strndup (text, cut - text);
    return g_strconcat (head, "\n", NULL);
  }
}

static gboolean
is_own (const char          *address,
        const char * const  *own_addresses)
{
  for (guint i = 0; own_addresses != NULL && own_addresses[i] != NULL; i++)
    if (g_ascii_strcasecmp (address, own_addresses[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Adds copies of @list's addresses to @out unless they are in @seen or own. */
static void
add_unique (GPtrArray           *out,
            GHashTable          *seen,
            GPtrArray           *list,
            const char * const  *own_addresses)
{
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      LbAddress *a = g_ptr_array_index (list, i);
      g_autofree char *key = NULL;

      if (a->address == NULL || *a->address == '\0' || is_own (a->address, own_addresses))
        continue;
      key = g_ascii_strdown (a->address, -1);
      if (g_hash_table_add (seen, g_steal_pointer (&key)))
        g_ptr_array_add (out, lb_address_copy (a));
    }
}

/* "Name <address>, ..." for the forwarded headers block: the addresses matter there. */
static char *
format_list (GPtrArray *list)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      g_autofree char *one = lb_address_to_string (g_ptr_array_index (list, i));

      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append (s, one);
    }
  return g_string_free (s, FALSE);
}

/* Weekday and month names for the attribution line, translated here rather than taken
 * from the C library's locale: the translation may be installed where the locale's
 * LC_TIME is not (LANGUAGE=zh_CN with an English or C locale), and the line must be in
 * one language. */
static const char * const weekdays[] = {
  NC_("weekday", "Mon"), NC_("weekday", "Tue"), NC_("weekday", "Wed"), NC_("weekday", "Thu"),
  NC_("weekday", "Fri"), NC_("weekday", "Sat"), NC_("weekday", "Sun"),
};
static const char * const months[] = {
  NC_("month", "Jan"), NC_("month", "Feb"), NC_("month", "Mar"), NC_("month", "Apr"),
  NC_("month", "May"), NC_("month", "Jun"), NC_("month", "Jul"), NC_("month", "Aug"),
  NC_("month", "Sep"), NC_("month", "Oct"), NC_("month", "Nov"), NC_("month", "Dec"),
};

/* @text with every % doubled, for a g_date_time_format() format. */
static char *
escape_percent (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%')
        g_string_append_c (s, '%');
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

/**
 * lb_compose_format_attribution_date:
 *
 * Returns: (transfer full): @date in local time as the attribution line says it:
 *   "Wed, 21 May 2025 at 09:28" in English, "2025年5月21日 周三 09:28" in Chinese
 */
char *
lb_compose_format_attribution_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GString) format = g_string_new (NULL);
  /* Translators: the date in the line above a quoted reply, as a g_date_time_format()
   * format; %a is the short weekday and %b the short month, both translated with the
   * contexts "weekday" and "month".  "Wed, 21 May 2025 at 09:28". */
  const char *translated = C_("attribution date", "%a, %-d %b %Y at %H:%M");

  if (date == NULL)
    return g_strdup ("?");
  local = g_date_time_to_local (date);
  for (const char *p = translated; *p != '\0'; p++)
    {
      if (p[0] == '%' && p[1] == 'a')
        {
          const char *name = weekdays[g_date_time_get_day_of_week (local) - 1];
          g_autofree char *escaped = escape_percent (g_dpgettext2 (GETTEXT_PACKAGE, "weekday",
                                                                   name));

          g_string_append (format, escaped);
          p++;
        }
      else if (p[0] == '%' && p[1] == 'b')
        {
          const char *name = months[g_date_time_get_month (local) - 1];
          g_autofree char *escaped = escape_percent (g_dpgettext2 (GETTEXT_PACKAGE, "month",
                                                                   name));

          g_string_append (format, escaped);
          p++;
        }
      else if (p[0] == '%' && p[1] != '\0')
        {
          g_string_append_len (format, p, 2);
          p++;
        }
      else
        g_string_append_c (format, *p);
    }
  return g_date_time_format (local, format->str);
}

static char *
sender_text (LbMimeMessage *original)
{
  GPtrArray *from = lb_mime_message_get_from (original);
  LbAddress *a;

  if (from == NULL || from->len == 0)
    return g_strdup ("?");
  a = g_ptr_array_index (from, 0);
  if (a->name != NULL && *a->name != '\0')
    return g_strdup (a->name);
  return g_strdup (a->address);
}

/**
 * lb_compose_reply:
 * @from: the account's address, the draft's sender
 * @own_addresses: (array zero-terminated=1): the addresses of all the user's accounts
 *
 * Returns: (transfer full): the reply, to be edited
 */
LbMimeDraft *
lb_compose_reply (LbMimeMessage       *original,
                  const LbAddress     *from,
                  const char * const  *own_addresses,
                  gboolean             reply_all)
{
  g_autoptr(LbMimeDraft) draft = lb_mime_draft_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *reply_to = lb_mime_message_get_reply_to (original);
  GPtrArray *to = reply_to != NULL && reply_to->len > 0 ? reply_to : lb_mime_message_get_from (original);
  const char *message_id = lb_mime_message_get_message_id (original);
  const char * const *refs = lb_mime_message_get_references (original);
  g_autoptr(GStrvBuilder) rb = g_strv_builder_new ();
  g_autofree char *date = lb_compose_format_attribution_date (lb_mime_message_get_date (original));
  g_autofree char *who = sender_text (original);
  g_autofree char *text = lb_compose_strip_signature (lb_mime_message_get_text (original));
  g_autofree char *quoted = lb_compose_quote (text);
  g_autofree char *attribution = NULL;

  g_return_val_if_fail (LB_IS_MIME_MESSAGE (original), NULL);
  g_return_val_if_fail (from != NULL, NULL);

  draft->from = lb_address_copy (from);
  /* Replying to one's own message goes to its recipients, not back to oneself. */
  add_unique (draft->to, seen, to, own_addresses);
  if (draft->to->len == 0 && to != NULL)
    {
      add_unique (draft->to, seen, lb_mime_message_get_to (original), own_addresses);
      if (draft->to->len == 0)
        add_unique (draft->to, seen, to, NULL);
    }
  if (reply_all)
    {
      add_unique (draft->cc, seen, lb_mime_message_get_to (original), own_addresses);
      add_unique (draft->cc, seen, lb_mime_message_get_cc (original), own_addresses);
    }

  draft->subject = lb_compose_reply_subject (lb_mime_message_get_subject (original));
  if (message_id != NULL)
    draft->in_reply_to = g_strdup (message_id);
  if (refs != NULL && refs[0] != NULL)
    g_strv_builder_addv (rb, (const char **) refs);
  else if (lb_mime_message_get_in_reply_to (original) != NULL)
    g_strv_builder_add (rb, lb_mime_message_get_in_reply_to (original));
  if (message_id != NULL)
    g_strv_builder_add (rb, message_id);
  draft->references = g_strv_builder_end (rb);
  if (draft->references[0] == NULL)
    g_clear_pointer (&draft->references, g_strfreev);

  /* TRANSLATORS: the line above a quoted message: the date (formatted as "attribution
   * date" says), then the sender's name */
  attribution = g_strdup_printf (_("On %s, %s wrote:"), date, who);
  draft->body = g_strdup_printf ("\n\n%s\n%s", attribution, quoted);
  /* Formatted mail is quoted formatted: its HTML reduced to what the editor can show,
   * which leaves out scripts and every image (a reply does not carry the original's
   * inline parts, and remote ones are never loaded). */
  if (lb_mime_message_get_html (original) != NULL)
    {
      g_autofree char *simple = lb_mime_html_simplify (lb_mime_message_get_html (original), FALSE);
      g_autofree char *escaped = g_markup_escape_text (attribution, -1);

      draft->body_html = g_strdup_printf ("<div><br/></div><div><br/></div><div>%s</div>"
                                          "<blockquote>%s</blockquote>", escaped, simple);
    }
  return g_steal_pointer (&draft);
}

/* The largest inline image a formatted forward keeps in place; a bigger one goes along as
 * an ordinary attachment, so that the forward stays a size mail servers take. */
#define FORWARD_INLINE_MAX (1024 * 1024)

/* The images @simple (simplified HTML) shows by `cid:`, from @original: each small one to
 * @draft's inline parts under its Content-ID, each large one to its attachments. */
static void
forward_inline_images (LbMimeDraft   *draft,
                       LbMimeMessage *original,
                       const char    *simple)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *p = simple;
  guint n = 0;

  while ((p = strstr (p, "cid:")) != NULL)
    {
      const char *start = p + 4;
      const char *end = start + strcspn (start, "\"'<> \t\r\n)");
      g_autofree char *cid = g_strndup (start, end - start);
      g_autofree char *id = NULL;
      g_autofree char *name = NULL;
      const char *mime_type = NULL;
      const char *slash;
      GBytes *bytes = lb_mime_message_lookup_cid (original, cid, &mime_type);
      gboolean small;

      p = end;
      if (bytes == NULL || !g_hash_table_add (seen, g_strdup (cid)))
        continue;
      id = g_uri_unescape_string (cid, NULL);
      slash = mime_type != NULL ? strchr (mime_type, '/') : NULL;
      name = g_strdup_printf ("image-%u.%s", ++n, slash != NULL ? slash + 1 : "png");
      small = g_bytes_get_size (bytes) <= FORWARD_INLINE_MAX;
      g_ptr_array_add (small ? draft->inline_parts : draft->attachments,
                       lb_mime_attachment_new (name, mime_type != NULL ? mime_type : "image/png",
                                               small ? (id != NULL ? id : cid) : NULL, small,
                                               bytes));
    }
}

/* The forwarded message's header lines, as HTML, after the same separator line. */
static void
append_forward_header_html (GString    *html,
                            const char *label,
                            const char *value)
{
  g_autofree char *escaped = g_markup_escape_text (value != NULL ? value : "", -1);

  g_string_append_printf (html, "%s %s<br/>", label, escaped);
}

/* Formatted mail is forwarded formatted: its HTML through the simplifier (no script, no
 * remote content, no style), its inline images with it. */
static void
forward_formatted (LbMimeDraft   *draft,
                   LbMimeMessage *original,
                   const char    *date,
                   const char    *sender,
                   const char    *to,
                   const char    *cc)
{
  g_autofree char *simple = lb_mime_html_simplify (lb_mime_message_get_html (original), TRUE);
  g_autofree char *separator = g_markup_escape_text (_("-------- Forwarded Message --------"), -1);
  GString *html = g_string_new ("<div><br/></div><div><br/></div><div>");

  g_string_append_printf (html, "%s<br/>", separator);
  append_forward_header_html (html, _("Subject:"), lb_mime_message_get_subject (original));
  append_forward_header_html (html, _("Date:"), date);
  append_forward_header_html (html, _("From:"), sender);
  append_forward_header_html (html, _("To:"), to);
  if (cc != NULL && *cc != '\0')
    append_forward_header_html (html, _("Cc:"), cc);
  g_string_append_printf (html, "</div><div><br/></div>%s", simple);
  draft->body_html = g_string_free (html, FALSE);
  forward_inline_images (draft, original, simple);
}

/**
 * lb_compose_forward:
 *
 * Formatted mail is forwarded with its HTML (simplified, see lb_mime_html_simplify()) and
 * its inline images as well as the text.
 *
 * Returns: (transfer full): the forward, with the original's attachments
 */
LbMimeDraft *
lb_compose_forward (LbMimeMessage   *original,
                    const LbAddress *from)
{
  g_autoptr(LbMimeDraft) draft = lb_mime_draft_new ();
  GPtrArray *attachments = lb_mime_message_get_attachments (original);
  g_autofree char *date = lb_compose_format_attribution_date (lb_mime_message_get_date (original));
  g_autofree char *sender = format_list (lb_mime_message_get_from (original));
  g_autofree char *to = format_list (lb_mime_message_get_to (original));
  g_autofree char *cc = format_list (lb_mime_message_get_cc (original));
  GString *body = g_string_new ("\n\n");

  g_return_val_if_fail (LB_IS_MIME_MESSAGE (original), NULL);
  g_return_val_if_fail (from != NULL, NULL);

  draft->from = lb_address_copy (from);
  draft->subject = lb_compose_forward_subject (lb_mime_message_get_subject (original));
  g_string_append_printf (body, "%s\n", _("-------- Forwarded Message --------"));
  g_string_append_printf (body, "%s %s\n", _("Subject:"), lb_mime_message_get_subject (original));
  g_string_append_printf (body, "%s %s\n", _("Date:"), date);
  g_string_append_printf (body, "%s %s\n", _("From:"), sender != NULL ? sender : "");
  g_string_append_printf (body, "%s %s\n", _("To:"), to != NULL ? to : "");
  if (cc != NULL && *cc != '\0')
    g_string_append_printf (body, "%s %s\n", _("Cc:"), cc);
  g_string_append_c (body, '\n');
  g_string_append (body, lb_mime_message_get_text (original));
  draft->body = g_string_free (body, FALSE);

  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    g_ptr_array_add (draft->attachments, g_object_ref (g_ptr_array_index (attachments, i)));
  if (lb_mime_message_get_html (original) != NULL)
    forward_formatted (draft, original, date, sender, to, cc);
  return g_steal_pointer (&draft);
}

/**
 * lb_compose_from_mailto:
 * @mailto_uri: a `mailto:` URI (RFC 6068)
 *
 * Returns: (transfer full): a draft with the URI's recipients, subject and body
 */
LbMimeDraft *
lb_compose_from_mailto (const char      *mailto_uri,
                        const LbAddress *from)
{
  g_autoptr(LbMimeDraft) draft = lb_mime_draft_new ();
  g_autofree char *rest = NULL;
  char *query;

  if (from != NULL)
    draft->from = lb_address_copy (from);
  if (mailto_uri == NULL || g_ascii_strncasecmp (mailto_uri, "mailto:", 7) != 0)
    return g_steal_pointer (&draft);
  rest = g_strdup (mailto_uri + 7);
  query = strchr (rest, '?');
  if (query != NULL)
    *query++ = '\0';
  if (*rest != '\0')
    {
      g_autofree char *to = g_uri_unescape_string (rest, NULL);
      g_autoptr(GPtrArray) list = to != NULL ? lb_address_parse (to) : NULL;

      for (guint i = 0; list != NULL && i < list->len; i++)
        g_ptr_array_add (draft->to, lb_address_copy (g_ptr_array_index (list, i)));
    }
  if (query != NULL)
    {
      g_auto(GStrv) pairs = g_strsplit (query, "&", -1);

      for (guint i = 0; pairs[i] != NULL; i++)
        {
          char *eq = strchr (pairs[i], '=');
          g_autofree char *value = NULL;

          if (eq == NULL)
            continue;
          *eq = '\0';
          value = g_uri_unescape_string (eq + 1, NULL);
          if (value == NULL)
            continue;
          if (g_ascii_strcasecmp (pairs[i], "subject") == 0)
            g_free (draft->subject), draft->subject = g_steal_pointer (&value);
          else if (g_ascii_strcasecmp (pairs[i], "body") == 0)
            g_free (draft->body), draft->body = g_steal_pointer (&value);
          else if (g_ascii_strcasecmp (pairs[i], "to") == 0 ||
                   g_ascii_strcasecmp (pairs[i], "cc") == 0 ||
                   g_ascii_strcasecmp (pairs[i], "bcc") == 0)
            {
              g_autoptr(GPtrArray) list = lb_address_parse (value);
              GPtrArray *dest = g_ascii_strcasecmp (pairs[i], "to") == 0 ? draft->to
                                : g_ascii_strcasecmp (pairs[i], "cc") == 0 ? draft->cc : draft->bcc;

              for (guint j = 0; list != NULL && j < list->len; j++)
                g_ptr_array_add (dest, lb_address_copy (g_ptr_array_index (list, j)));
            }
        }
    }
  return g_steal_pointer (&draft);
}

static void
list_addresses_thread (GTask        *task,
                       gpointer      source,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  const char *path = g_object_get_data (G_OBJECT (task), "store-path");
  guint limit = GPOINTER_TO_UINT (task_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbStore) store = lb_store_open (path, LB_STORE_OPEN_READ_ONLY, &error);
  GPtrArray *list;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  list = lb_store_list_frequent_addresses (store, limit, &error);
  if (list == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * lb_compose_list_addresses_async:
 * @limit: the most addresses to return
 *
 * Reads the addresses seen in the store (senders, most frequent first) on a thread with
 * its own read-only connection.
 */
void
lb_compose_list_addresses_async (LbEngine            *engine,
                                 guint                limit,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  /* No source object: the thread would hold the engine, which must be able to finalize
   * as soon as its owner lets go.  The callback's source is %NULL. */
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lb_compose_list_addresses_async);
  g_object_set_data_full (G_OBJECT (task), "store-path",
                          g_strdup (lb_engine_get_store_path (engine)), g_free);
  g_task_set_task_data (task, GUINT_TO_POINTER (limit), NULL);
  g_task_run_in_thread (task, list_addresses_thread);
}

/**
 * lb_compose_list_addresses_finish:
 *
 * Returns: (transfer full) (element-type LbAddress): the addresses
 */
GPtrArray *
lb_compose_list_addresses_finish (LbEngine      *engine,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  GBytes  *message;
  guint32  previous_uid;
} DraftJob;

static void
draft_job_free (DraftJob *job)
{
  g_clear_pointer (&job->message, g_bytes_unref);
  g_free (job);
}

/* The Message-ID of a built draft, without brackets, read from its header block. */
static char *
draft_message_id (GBytes *message)
{
  gsize len = 0;
  const char *data = message != NULL ? g_bytes_get_data (message, &len) : NULL;
  const char *end = data + len;

  for (const char *line = data; line != NULL && line < end;)
    {
      const char *eol = memchr (line, '\n', end - line);
      gsize n = (eol != NULL ? eol : end) - line;

      if (n == 0 || (n == 1 && line[0] == '\r'))
        break;   /* the end of the headers */
      if (n > 11 && g_ascii_strncasecmp (line, "Message-ID:", 11) == 0)
        {
          g_autofree char *value = g_strndup (line + 11, n - 11);
          char *lt = strchr (value, '<');
          char *gt = lt != NULL ? strchr (lt, '>') : NULL;

          if (lt != NULL && gt != NULL && gt > lt + 1)
            return g_strndup (lt + 1, gt - lt - 1);
          return NULL;
        }
      line = eol != NULL ? eol + 1 : NULL;
    }
  return NULL;
}

static gboolean
on_draft_search (LbImapResponse  *response,
                 gpointer         user_data,
                 GError         **error)
{
  GArray *uids = user_data;

  if (response->kind == LB_IMAP_RESPONSE_SEARCH && response->u.search.numbers != NULL)
    g_array_append_vals (uids, response->u.search.numbers->data, response->u.search.numbers->len);
  return TRUE;
}

/* Worker, Drafts selected: the other copies of the draft @message_id.  Each save of a
 * draft keeps its Message-ID, so these are its older versions: a copy pushed from this
 * computer after being offline, or saved by a composer that did not know its uid. */
static void
find_older_copies (LbImapSession *session,
                   const char    *message_id,
                   guint32        new_uid,
                   GArray        *uids,
                   GCancellable  *cancellable)
{
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(LbImapResponse) r = NULL;
  g_autoptr(GString) quoted = g_string_new ("\"<");
  g_autoptr(GError) error = NULL;

  for (const char *p = message_id; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\' || (guchar) *p < 0x20)
        return;   /* not a Message-ID this client wrote */
      g_string_append_c (quoted, *p);
    }
  g_string_append (quoted, ">\"");
  r = lb_imap_session_command_sync (session, on_draft_search, found, cancellable, &error,
                                    "UID SEARCH HEADER Message-ID %s", quoted->str);
  if (r == NULL)
    g_debug ("Older draft copies not looked for: %s", error->message);
  for (guint i = 0; i < found->len; i++)
    if (g_array_index (found, guint32, i) != new_uid)
      g_array_append_val (uids, g_array_index (found, guint32, i));
}

/* Worker: deletes @uids from the selected Drafts (expunged only with UIDPLUS: without it
 * they stay marked, which loses nothing). */
static void
delete_draft_copies (LbImapSession *session,
                     GArray        *uids,
                     GCancellable  *cancellable)
{
  g_autoptr(GString) set = g_string_new (NULL);
  g_autoptr(LbImapResponse) r = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < uids->len; i++)
    g_string_append_printf (set, "%s%u", i > 0 ? "," : "", g_array_index (uids, guint32, i));
  if (set->len == 0)
    return;
  r = lb_imap_session_command_sync (session, NULL, NULL, cancellable, &error,
                                    "UID STORE %s +FLAGS.SILENT (\\Deleted)", set->str);
  if (r != NULL && lb_imap_session_has_capability (session, "UIDPLUS"))
    {
      g_clear_pointer (&r, lb_imap_response_unref);
      r = lb_imap_session_command_sync (session, NULL, NULL, cancellable, &error,
                                        "UID EXPUNGE %s", set->str);
    }
  if (error != NULL)
    g_debug ("The previous draft copy stays: %s", error->message);
}

/* Worker: APPEND the new copy with \Draft, then remove the previous one and any other
 * copy with the same Message-ID (their uids are only known when the server has UIDPLUS;
 * without it the old copies stay, which loses nothing). */
static gpointer
save_draft (LbAccountWorkerData  *w,
            DraftJob             *job,
            GCancellable         *cancellable,
            GError              **error)
{
  g_autoptr(LbStoreFolder) drafts = NULL;
  g_autoptr(GArray) old = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree char *message_id = draft_message_id (job->message);
  LbImapSession *session;
  gint64 drafts_id;
  guint32 uid = 0;

  if (!lb_imap_sync_connect (w->sync, cancellable, error))
    return NULL;
  /* An account without Drafts gets one, as in other mail clients. */
  drafts_id = lb_imap_sync_ensure_folder (w->sync, LB_FOLDER_ROLE_DRAFTS, cancellable, error);
  if (drafts_id == 0)
    return NULL;
  if ((drafts = lb_store_get_folder (w->store, drafts_id, NULL)) == NULL)
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_NOT_FOUND,
                           _("This account has no Drafts folder."));
      return NULL;
    }
  session = lb_imap_sync_get_session (w->sync);
  if (job->message != NULL &&
      !lb_imap_session_append_sync (session, drafts->raw_name, "\\Draft \\Seen", job->message,
                                    &uid, cancellable, error))
    return NULL;
  if (job->previous_uid != 0 && job->previous_uid != uid)
    g_array_append_val (old, job->previous_uid);
  if ((old->len > 0 || (message_id != NULL && uid != 0))
      && lb_imap_session_select_sync (session, drafts->raw_name, FALSE, NULL, NULL, NULL, NULL,
                                      cancellable, NULL))
    {
      if (message_id != NULL && uid != 0)
        find_older_copies (session, message_id, uid, old, cancellable);
      delete_draft_copies (session, old, cancellable);
    }
  lb_imap_sync_folder (w->sync, drafts_id, cancellable, NULL);
  return g_memdup2 (&uid, sizeof uid);
}

typedef struct {
  LbAccountWorkerData *w;
  DraftJob            *job;
} DraftStep;

static gpointer
save_draft_step (gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  DraftStep *step = data;

  return save_draft (step->w, step->job, cancellable, error);
}

/* A kept connection that the server closed meanwhile is replaced once (lb-reconnect.c). */
static gpointer
save_draft_job (gpointer       worker_data,
                gpointer       job_data,
                GCancellable  *cancellable,
                GError       **error)
{
  LbAccountWorkerData *w = worker_data;
  DraftStep step = { w, job_data };

  return lb_reconnect_once (w->sync, "Draft", save_draft_step, &step, cancellable, error);
}

/**
 * lb_compose_save_draft_async:
 * @message: (nullable): the draft, built with %LB_MIME_BUILD_KEEP_BCC; %NULL only removes
 *   the previous copy (after sending, or when the draft is discarded)
 * @previous_uid: the uid of the copy this one replaces, or 0
 *
 * Saves a draft to the account's Drafts folder (on its worker) and removes the copy it
 * replaces.
 */
void
lb_compose_save_draft_async (LbEngine            *engine,
                             LbAccount           *account,
                             GBytes              *message,
                             guint32              previous_uid,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (engine, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;
  DraftJob *job = g_new0 (DraftJob, 1);

  g_task_set_source_tag (task, lb_compose_save_draft_async);
  inner = _lb_engine_relay_task (task, g_free);
  job->message = message != NULL ? g_bytes_ref (message) : NULL;
  job->previous_uid = previous_uid;
  /* The worker completes a relay, never @task: it holds the engine. */
  _lb_account_push (account, LB_JOB_PRIORITY_VISIBLE, NULL, save_draft_job, job,
                    (GDestroyNotify) draft_job_free, g_free,
                    inner);
}

/**
 * lb_compose_save_draft_finish:
 *
 * Returns: the new copy's uid (0 when the server did not say), or 0 with @error set
 */
guint32
lb_compose_save_draft_finish (LbEngine      *engine,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_autofree guint32 *uid = g_task_propagate_pointer (G_TASK (result), error);

  return uid != NULL ? *uid : 0;
}
