/* lb-imap-session.c: IMAP commands over one authenticated connection
 *
 * The session issues one command at a time and reads responses through the incremental
 * parser until the command's tagged completion.  Untagged responses go to the caller's
 * callback as they arrive, so a 10,000-message FETCH is stored batch by batch rather
 * than held in memory.  It remembers what the protocol makes stateful: capabilities,
 * enabled extensions, the selected mailbox.
 *
 * Like the connection, a session belongs to one thread at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-error.h"
#include "lb-imap-connection.h"
#include "lb-imap-parser.h"
#include "lb-imap-session.h"
#include "lb-text-sanitize.h"

#define READ_CHUNK (64 * 1024)
#define COMMAND_TIMEOUT_MS (120 * 1000)

/* The overall deadline of one command (see lb_imap_session_expect()): a base, time per
 * message asked for, and time for every byte expected or announced as a literal at a
 * rate even a poor mobile link beats.  The read timeout alone is not enough: every
 * byte restarts it, so a server that trickles one byte a minute held a command for ever. */
#define DEADLINE_BASE_S          60.0
#define DEADLINE_PER_MESSAGE_S   0.5
#define DEADLINE_MIN_BYTES_PER_S (16.0 * 1024)

struct _LbImapSession
{
  GObject           parent_instance;
  LbImapConnection *conn;
  LbImapParser     *parser;
  char             *buffer;
  guint             next_tag;
  char            **capabilities;
  char             *capability_override;
  gboolean          condstore_enabled;
  gboolean          qresync_enabled;
  gboolean          compress;
  char              delimiter;
  char             *selected;
  gboolean          selected_keywords;
  char             *host;
  int               timeout_ms;
  LbProvider       *provider;
  char             *namespace_prefix;
  double            deadline_scale;
  gint64            deadline;        /* monotonic time the running command must end by */
  guint64           literal_mark;    /* the parser's literal count already credited */
  guint             expect_messages; /* lb_imap_session_expect(), for the next command */
  guint64           expect_bytes;
  guint             malformed;       /* responses skipped in the running command */
};

G_DEFINE_FINAL_TYPE (LbImapSession, lb_imap_session, G_TYPE_OBJECT)

static void
lb_imap_session_finalize (GObject *object)
{
  LbImapSession *self = LB_IMAP_SESSION (object);

  lb_imap_session_disconnect (self);
  g_clear_object (&self->conn);
  g_free (self->buffer);
  g_free (self->capability_override);
  g_free (self->host);
  g_clear_pointer (&self->provider, lb_provider_unref);
  g_free (self->namespace_prefix);
  G_OBJECT_CLASS (lb_imap_session_parent_class)->finalize (object);
}

static void
lb_imap_session_class_init (LbImapSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_imap_session_finalize;
}

/* LETTERBOX_IMAP_DEADLINE_SCALE multiplies every command deadline, so that tests
 * against slow or hostile servers run in seconds. */
static double
default_deadline_scale (void)
{
  static double scale = 1.0;
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("LETTERBOX_IMAP_DEADLINE_SCALE");
      double v = env != NULL ? g_ascii_strtod (env, NULL) : 1.0;

      if (v > 0)
        scale = v;
      g_once_init_leave (&once, 1);
    }
  return scale;
}

static void
lb_imap_session_init (LbImapSession *self)
{
  self->buffer = g_malloc (READ_CHUNK);
  self->delimiter = '/';
  self->timeout_ms = COMMAND_TIMEOUT_MS;
  self->deadline_scale = default_deadline_scale ();
  self->compress = TRUE;
}

LbImapSession *
lb_imap_session_new (void)
{
  return g_object_new (LB_TYPE_IMAP_SESSION, NULL);
}

gboolean
lb_imap_session_is_connected (LbImapSession *self)
{
  return self->conn != NULL && lb_imap_connection_is_open (self->conn);
}

void
lb_imap_session_disconnect (LbImapSession *self)
{
  if (self->conn != NULL)
    lb_imap_connection_close (self->conn);
  g_clear_pointer (&self->parser, lb_imap_parser_free);
  g_clear_pointer (&self->capabilities, g_strfreev);
  g_clear_pointer (&self->selected, g_free);
  g_clear_pointer (&self->namespace_prefix, g_free);
  self->condstore_enabled = FALSE;
  self->qresync_enabled = FALSE;
}

/**
 * lb_imap_session_set_capability_override:
 * @capabilities: (nullable): a space-separated list that replaces what the server
 *   advertises, as a provider quirk or to imitate a server in tests
 */
void
lb_imap_session_set_capability_override (LbImapSession *self,
                                         const char    *capabilities)
{
  g_free (self->capability_override);
  self->capability_override = g_strdup (capabilities);
}

const char * const *
lb_imap_session_get_capabilities (LbImapSession *self)
{
  static const char * const none[] = { NULL };

  return self->capabilities != NULL ? (const char * const *) self->capabilities : none;
}

gboolean
lb_imap_session_has_capability (LbImapSession *self,
                                const char    *capability)
{
  if (self->capabilities == NULL)
    return FALSE;
  for (guint i = 0; self->capabilities[i] != NULL; i++)
    if (g_ascii_strcasecmp (self->capabilities[i], capability) == 0)
      return TRUE;
  return FALSE;
}

/**
 * lb_imap_session_set_provider:
 * @provider: (nullable): the account's provider, so that its error texts are
 *   recognised and mapped to friendly messages
 */
void
lb_imap_session_set_provider (LbImapSession *self,
                              LbProvider    *provider)
{
  g_clear_pointer (&self->provider, lb_provider_unref);
  self->provider = provider != NULL ? lb_provider_ref (provider) : NULL;
}

/**
 * lb_imap_session_set_timeout:
 * @timeout_ms: how long a command may wait for the server's next bytes
 *
 * The default (two minutes) suits large fetches; the IDLE connection uses a short one
 * so that a dead connection is noticed when IDLE is renewed.
 */
void
lb_imap_session_set_timeout (LbImapSession *self,
                             int            timeout_ms)
{
  self->timeout_ms = timeout_ms > 0 ? timeout_ms : COMMAND_TIMEOUT_MS;
}

gboolean lb_imap_session_qresync_enabled (LbImapSession *self) { return self->qresync_enabled; }
gboolean lb_imap_session_condstore_enabled (LbImapSession *self) { return self->condstore_enabled; }
char lb_imap_session_get_delimiter (LbImapSession *self) { return self->delimiter; }
const char *lb_imap_session_get_selected (LbImapSession *self) { return self->selected; }

static void
set_capabilities (LbImapSession      *self,
                  const char * const *caps)
{
  g_clear_pointer (&self->capabilities, g_strfreev);
  if (self->capability_override != NULL)
    self->capabilities = g_strsplit_set (self->capability_override, " ", -1);
  else
    self->capabilities = g_strdupv ((char **) caps);
}

/**
 * lb_imap_session_set_deadline_scale:
 * @scale: a factor (> 0) for every command's overall deadline; anything else goes back
 *   to the default, 1 or $LETTERBOX_IMAP_DEADLINE_SCALE
 *
 * Tests against slow or hostile servers shrink the deadlines so that they run fast.
 */
void
lb_imap_session_set_deadline_scale (LbImapSession *self,
                                    double         scale)
{
  self->deadline_scale = scale > 0 ? scale : default_deadline_scale ();
}

/**
 * lb_imap_session_expect:
 * @n_messages: how many messages the next command asks for
 * @n_bytes: how many bytes its answer is expected to hold (message sizes), or 0
 *
 * Every command has an overall deadline, counted from when its answer starts being
 * read: 60 s, plus 0.5 s per message and a second per 16 KiB expected here, plus a
 * second per 16 KiB of each literal the server announces, all times the deadline scale.
 * When it passes, the connection is dropped with %LB_ERROR_TIMEOUT.  This says how much
 * the next command (the next lb_imap_session_command_sync() or
 * lb_imap_session_finish_command()) may take; it is forgotten after that one.
 */
void
lb_imap_session_expect (LbImapSession *self,
                        guint          n_messages,
                        guint64        n_bytes)
{
  self->expect_messages = n_messages;
  self->expect_bytes = n_bytes;
}

/**
 * lb_imap_session_get_malformed:
 *
 * A response that cannot be parsed is skipped and the stream goes on; a caller that
 * draws conclusions from what a command did not return (a UID missing from a search)
 * must know that something was skipped.
 *
 * Returns: how many malformed responses were skipped while the last command ran
 */
guint
lb_imap_session_get_malformed (LbImapSession *self)
{
  return self->malformed;
}

/* Starts the clock of the command whose answer is read next.  @cap_ms (> 0) bounds it
 * further: LOGOUT must not hold up shutdown. */
static void
begin_deadline (LbImapSession *self,
                int            cap_ms)
{
  double seconds = DEADLINE_BASE_S + self->expect_messages * DEADLINE_PER_MESSAGE_S +
                   (double) self->expect_bytes / DEADLINE_MIN_BYTES_PER_S;
  gint64 span = (gint64) (seconds * self->deadline_scale * G_USEC_PER_SEC);

  if (cap_ms > 0)
    span = MIN (span, (gint64) cap_ms * 1000);
  self->deadline = g_get_monotonic_time () + span;
  self->literal_mark = self->parser != NULL ? lb_imap_parser_get_literal_bytes (self->parser) : 0;
  self->expect_messages = 0;
  self->expect_bytes = 0;
  self->malformed = 0;
}

/* A literal the server announces earns the time to receive it; one whose size was a
 * lie earns no more than that, since the next one can only follow its last byte. */
static void
credit_literals (LbImapSession *self)
{
  guint64 total = lb_imap_parser_get_literal_bytes (self->parser);

  if (total > self->literal_mark)
    {
      double seconds = (double) (total - self->literal_mark) / DEADLINE_MIN_BYTES_PER_S;

      self->deadline += (gint64) (seconds * self->deadline_scale * G_USEC_PER_SEC);
      self->literal_mark = total;
    }
}

static void
fail_parse (LbImapSession  *self,
            const GError   *parse_error,
            GError        **error)
{
  g_autofree char *why = lb_text_sanitize_server (parse_error->message, -1);

  g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
               "The server %s sent a response Letterbox cannot read: %s", self->host, why);
  lb_imap_session_disconnect (self);
}

/* The next complete response, reading from the network as needed, until the running
 * command's deadline; with @idle_until (> 0), until then instead: waiting in IDLE for
 * news that did not come is no failure, so that end returns %LB_ERROR_TIMEOUT and keeps
 * the connection (still good for DONE).  Any other failure drops the connection. */
static LbImapResponse *
read_response_full (LbImapSession *self,
                    int            read_timeout_ms,
                    gint64         idle_until,
                    GCancellable  *cancellable,
                    GError       **error)
{
  for (;;)
    {
      g_autoptr(GError) parse_error = NULL;
      g_autoptr(GError) read_error = NULL;
      LbImapResponse *response = lb_imap_parser_next (self->parser, &parse_error);
      gint64 left_ms;
      gssize n;

      if (response != NULL)
        return response;
      if (parse_error != NULL && !lb_imap_parser_has_failed (self->parser))
        {
          g_autofree char *why = lb_text_sanitize_server (parse_error->message, -1);

          /* One malformed response is dropped and the stream goes on; callers that
           * would conclude from a missing answer ask lb_imap_session_get_malformed(). */
          self->malformed++;
          g_debug ("%s sent a malformed response, skipped: %s", self->host, why);
          continue;
        }
      if (parse_error != NULL)
        {
          fail_parse (self, parse_error, error);
          return NULL;
        }
      left_ms = ((idle_until > 0 ? idle_until : self->deadline) - g_get_monotonic_time ()) / 1000;
      if (left_ms <= 0 && idle_until > 0)
        {
          g_set_error_literal (error, LB_ERROR, LB_ERROR_TIMEOUT, "Nothing happened in IDLE");
          return NULL;
        }
      if (left_ms <= 0)
        {
          g_set_error (error, LB_ERROR, LB_ERROR_TIMEOUT,
                       _("%s took too long to answer; the connection was closed"), self->host);
          lb_imap_session_disconnect (self);
          return NULL;
        }
      n = lb_imap_connection_read_sync (self->conn, self->buffer, READ_CHUNK,
                                        (int) MIN (left_ms, (gint64) read_timeout_ms),
                                        cancellable, &read_error);
      if (n < 0)
        {
          gboolean timeout = g_error_matches (read_error, LB_ERROR, LB_ERROR_TIMEOUT);

          /* Cut short by the deadline rather than by the read timeout: said above. */
          if (timeout && left_ms <= read_timeout_ms)
            continue;
          lb_imap_session_disconnect (self);
          g_propagate_error (error, g_steal_pointer (&read_error));
          return NULL;
        }
      lb_imap_parser_feed (self->parser, self->buffer, (gsize) n);
      if (idle_until == 0)
        credit_literals (self);
    }
}

static LbImapResponse *
read_response (LbImapSession *self,
               GCancellable  *cancellable,
               GError       **error)
{
  return read_response_full (self, self->timeout_ms, 0, cancellable, error);
}

/* Keeps session state in step with what the server says, whatever command is running. */
static void
observe (LbImapSession  *self,
         LbImapResponse *r)
{
  if (r->kind == LB_IMAP_RESPONSE_CAPABILITY)
    set_capabilities (self, (const char * const *) r->u.list);
  else if (r->kind == LB_IMAP_RESPONSE_STATUS && r->code.kind == LB_IMAP_CODE_CAPABILITY &&
           r->code.list != NULL)
    set_capabilities (self, (const char * const *) r->code.list);
  else if (r->kind == LB_IMAP_RESPONSE_NAMESPACE && r->u.namespace_data.has_personal)
    {
      g_free (self->namespace_prefix);
      self->namespace_prefix = g_strdup (r->u.namespace_data.personal_prefix);
      if (r->u.namespace_data.personal_delimiter != '\0')
        self->delimiter = r->u.namespace_data.personal_delimiter;
    }
  else if (r->kind == LB_IMAP_RESPONSE_ENABLED && r->u.list != NULL)
    {
      for (guint i = 0; r->u.list[i] != NULL; i++)
        {
          if (g_ascii_strcasecmp (r->u.list[i], "QRESYNC") == 0)
            self->qresync_enabled = self->condstore_enabled = TRUE;
          else if (g_ascii_strcasecmp (r->u.list[i], "CONDSTORE") == 0)
            self->condstore_enabled = TRUE;
        }
    }
}

/* Writes within a deadline of its own, on the same scale as a command's: a server that
 * stops reading (an APPEND of a large message) is given up on too. */
static gboolean
write_all (LbImapSession *self,
           const char    *data,
           gsize          len,
           GCancellable  *cancellable,
           GError       **error)
{
  double seconds = DEADLINE_BASE_S + (double) len / DEADLINE_MIN_BYTES_PER_S;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  lb_imap_connection_set_write_deadline (self->conn, g_get_monotonic_time () +
                                         (gint64) (seconds * self->deadline_scale *
                                                   G_USEC_PER_SEC));
  ok = lb_imap_connection_write_sync (self->conn, data, len, cancellable, &local_error);
  lb_imap_connection_set_write_deadline (self->conn, 0);
  if (ok)
    return TRUE;
  if (g_error_matches (local_error, LB_ERROR, LB_ERROR_TIMEOUT))
    g_set_error (error, LB_ERROR, LB_ERROR_TIMEOUT,
                 _("%s took too long to answer; the connection was closed"), self->host);
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  lb_imap_session_disconnect (self);
  return FALSE;
}

static void
set_status_error (LbImapSession  *self,
                  LbImapResponse *r,
                  const char     *command,
                  GError        **error)
{
  g_autofree char *cmd = g_strdup (command);
  g_autofree char *text = NULL;
  char *space;

  /* Name the command, not its arguments (which may be long uid sets). */
  if ((space = strchr (cmd, ' ')) != NULL && g_str_has_prefix (cmd, "UID "))
    space = strchr (space + 1, ' ');
  if (space != NULL)
    *space = '\0';

  /* The server's words go into the message: made safe to show first. */
  text = lb_text_sanitize_server (r->text, -1);
  if (r->status == LB_IMAP_STATUS_NO)
    g_set_error (error, LB_ERROR, LB_ERROR_SERVER_NO, "%s", text);
  else
    g_set_error (error, LB_ERROR, LB_ERROR_PROTOCOL, "%s rejected by %s: %s", cmd, self->host,
                 text);
}

static void
set_bye_error (LbImapSession  *self,
               LbImapResponse *r,
               GError        **error)
{
  g_autofree char *text = lb_text_sanitize_server (r->text, -1);

  /* Translators: the first %s is a server name, the second what it said. */
  g_set_error (error, LB_ERROR, LB_ERROR_NETWORK, _("%s closed the connection: %s"),
               self->host, text);
  lb_imap_session_disconnect (self);
}

/* Reads until the tagged completion of @tag, within the command's deadline (@cap_ms,
 * if > 0, shortens it).  Returns it when OK. */
static LbImapResponse *
finish_command (LbImapSession      *self,
                const char         *tag,
                const char         *command,
                LbImapUntaggedFunc  func,
                gpointer            user_data,
                int                 cap_ms,
                GCancellable       *cancellable,
                GError            **error)
{
  begin_deadline (self, cap_ms);
  for (;;)
    {
      g_autoptr(LbImapResponse) r = read_response (self, cancellable, error);

      if (r == NULL)
        return NULL;
      if (r->tag != NULL)
        {
          if (!g_str_equal (r->tag, tag))
            {
              g_autofree char *other = lb_text_sanitize_server (r->tag, -1);

              g_set_error (error, LB_ERROR, LB_ERROR_PROTOCOL,
                           "%s answered a command that was not sent (%s)", self->host, other);
              lb_imap_session_disconnect (self);
              return NULL;
            }
          observe (self, r);
          if (r->status == LB_IMAP_STATUS_OK)
            return g_steal_pointer (&r);
          set_status_error (self, r, command, error);
          return NULL;
        }
      if (r->kind == LB_IMAP_RESPONSE_STATUS && r->status == LB_IMAP_STATUS_BYE)
        {
          set_bye_error (self, r, error);
          return NULL;
        }
      if (r->kind == LB_IMAP_RESPONSE_CONTINUATION)
        {
          g_set_error (error, LB_ERROR, LB_ERROR_PROTOCOL,
                       "%s asked for data that was not announced", self->host);
          lb_imap_session_disconnect (self);
          return NULL;
        }
      observe (self, r);
      if (func != NULL && !func (r, user_data, error))
        {
          lb_imap_session_disconnect (self);
          return NULL;
        }
    }
}

static char *
next_tag (LbImapSession *self)
{
  return g_strdup_printf ("a%04u", ++self->next_tag);
}

static LbImapResponse *
command_valist (LbImapSession      *self,
                LbImapUntaggedFunc  func,
                gpointer            user_data,
                GCancellable       *cancellable,
                GError            **error,
                const char         *format,
                va_list             args) G_GNUC_PRINTF (6, 0);

static LbImapResponse *
command_valist (LbImapSession      *self,
                LbImapUntaggedFunc  func,
                gpointer            user_data,
                GCancellable       *cancellable,
                GError            **error,
                const char         *format,
                va_list             args)
{
  g_autofree char *tag = NULL;
  g_autofree char *command = NULL;
  g_autofree char *line = NULL;

  if (!lb_imap_session_is_connected (self))
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_NETWORK, "Not connected");
      return NULL;
    }
  tag = next_tag (self);
  command = g_strdup_vprintf (format, args);
  line = g_strdup_printf ("%s %s\r\n", tag, command);
  if (!write_all (self, line, strlen (line), cancellable, error))
    return NULL;
  return finish_command (self, tag, command, func, user_data, 0, cancellable, error);
}

/**
 * lb_imap_session_command_sync:
 * @func: (nullable): called for each untagged response
 * @format: the command without tag and CRLF; arguments must already be quoted
 *
 * Runs one command.  A NO is %LB_ERROR_SERVER_NO with the server's text as message
 * (raw: it may need GB18030 decoding and provider mapping), a BAD %LB_ERROR_PROTOCOL.
 *
 * Returns: (transfer full): the tagged OK response, for its response code
 */
LbImapResponse *
lb_imap_session_command_sync (LbImapSession      *self,
                              LbImapUntaggedFunc  func,
                              gpointer            user_data,
                              GCancellable       *cancellable,
                              GError            **error,
                              const char         *format,
                              ...)
{
  LbImapResponse *r;
  va_list args;

  g_return_val_if_fail (LB_IS_IMAP_SESSION (self), NULL);

  va_start (args, format);
  r = command_valist (self, func, user_data, cancellable, error, format, args);
  va_end (args);
  return r;
}

/**
 * lb_imap_session_send_command:
 * @out_tag: (out): the command's tag, for lb_imap_session_finish_command()
 *
 * Sends a command without waiting for its answer, so that the server can work on
 * it while the caller processes the previous one (pipelining, RFC 3501 §5.5).
 * Every sent command must be finished, in order.
 */
gboolean
lb_imap_session_send_command (LbImapSession  *self,
                              char          **out_tag,
                              GCancellable   *cancellable,
                              GError        **error,
                              const char     *format,
                              ...)
{
  g_autofree char *tag = NULL;
  g_autofree char *command = NULL;
  g_autofree char *line = NULL;
  va_list args;

  if (!lb_imap_session_is_connected (self))
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_NETWORK, "Not connected");
      return FALSE;
    }
  va_start (args, format);
  command = g_strdup_vprintf (format, args);
  va_end (args);
  tag = next_tag (self);
  line = g_strdup_printf ("%s %s\r\n", tag, command);
  if (!write_all (self, line, strlen (line), cancellable, error))
    return FALSE;
  *out_tag = g_steal_pointer (&tag);
  return TRUE;
}

/**
 * lb_imap_session_finish_command:
 *
 * Reads the answer of a command sent with lb_imap_session_send_command().  The
 * command's deadline (see lb_imap_session_expect()) starts now.
 *
 * Returns: (transfer full): the tagged OK response
 */
LbImapResponse *
lb_imap_session_finish_command (LbImapSession      *self,
                                const char         *tag,
                                LbImapUntaggedFunc  func,
                                gpointer            user_data,
                                GCancellable       *cancellable,
                                GError            **error)
{
  return finish_command (self, tag, "UID FETCH", func, user_data, 0, cancellable, error);
}

/**
 * lb_imap_quote_mailbox:
 *
 * Returns: @raw_name as an IMAP quoted string
 */
char *
lb_imap_quote_mailbox (const char *raw_name)
{
  GString *s = g_string_sized_new (strlen (raw_name) + 2);

  /* Mailbox names are modified UTF-7 (7-bit), so a quoted string always fits; a name
   * with CR or LF cannot be a mailbox, and is sent as an empty string that fails cleanly. */
  if (lb_imap_append_astring (s, raw_name, -1, LB_IMAP_QUOTE_FORCE | LB_IMAP_QUOTE_ALLOW_UTF8)
      == LB_IMAP_QUOTED_LITERAL)
    g_string_assign (s, "\"\"");
  return g_string_free (s, FALSE);
}

static gboolean
run_simple (LbImapSession *self,
            GCancellable  *cancellable,
            GError       **error,
            const char    *command)
{
  g_autoptr(LbImapResponse) r = lb_imap_session_command_sync (self, NULL, NULL, cancellable, error,
                                                              "%s", command);
  return r != NULL;
}

/* COMPRESS=DEFLATE (RFC 4978) where the server offers it: mail text shrinks to about a
 * third on the wire, which is what a slow or metered link needs.  A refusal (a server
 * that already compresses, say, at the TLS layer) leaves the session as it was. */
static gboolean
start_compress (LbImapSession  *self,
                GCancellable   *cancellable,
                GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LbImapResponse) r = NULL;

  if (!self->compress || !lb_imap_session_has_capability (self, "COMPRESS=DEFLATE"))
    return TRUE;
  r = lb_imap_session_command_sync (self, NULL, NULL, cancellable, &local_error,
                                    "COMPRESS DEFLATE");
  if (r == NULL)
    {
      if (!lb_imap_session_is_connected (self) ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("%s refused COMPRESS: %s", self->host, local_error->message);
      return TRUE;
    }
  /* From the server's OK on, everything it sends is compressed: anything already read
   * past the OK cannot be told apart. */
  if (lb_imap_parser_get_buffered (self->parser) > 0)
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_PROTOCOL,
                           _("The server sent data it should not have sent."));
      lb_imap_session_disconnect (self);
      return FALSE;
    }
  return lb_imap_connection_start_compress (self->conn, error);
}

/**
 * lb_imap_session_set_compress:
 * @compress: whether to use COMPRESS=DEFLATE where the server offers it (the default)
 *
 * Takes effect at the next connect.
 */
void
lb_imap_session_set_compress (LbImapSession *self,
                              gboolean       compress)
{
  g_return_if_fail (LB_IS_IMAP_SESSION (self));
  self->compress = compress;
}

/**
 * lb_imap_session_get_connection:
 *
 * Returns: (transfer none) (nullable): the connection, for its byte counts
 */
LbImapConnection *
lb_imap_session_get_connection (LbImapSession *self)
{
  g_return_val_if_fail (LB_IS_IMAP_SESSION (self), NULL);
  return self->conn;
}

/**
 * lb_imap_session_connect_sync:
 * @id_required: the provider refuses to work without IMAP ID (NetEase): a failed ID
 *   is then an error instead of being ignored
 *
 * Connects and logs in, then learns the capabilities, identifies the client when the
 * server supports ID, starts COMPRESS=DEFLATE and enables CONDSTORE/QRESYNC where
 * offered.
 */
gboolean
lb_imap_session_connect_sync (LbImapSession        *self,
                              const LbServerConfig *config,
                              const char           *password,
                              gboolean              id_required,
                              GCancellable         *cancellable,
                              GError              **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (LB_IS_IMAP_SESSION (self), FALSE);

  lb_imap_session_disconnect (self);
  g_clear_object (&self->conn);
  self->conn = lb_imap_connection_new ();
  lb_imap_connection_set_provider (self->conn, self->provider);
  g_free (self->host);
  self->host = g_strdup (config->host);

  if (!lb_imap_connection_open_sync (self->conn, config, password, cancellable, error))
    return FALSE;
  self->parser = lb_imap_parser_new ();

  /* curl consumed the greeting and the post-login CAPABILITY: ask again. */
  if (!run_simple (self, cancellable, error, "CAPABILITY"))
    return FALSE;

  if (lb_imap_session_has_capability (self, "ID"))
    {
      g_autoptr(LbImapResponse) r = NULL;

      r = lb_imap_session_command_sync (self, NULL, NULL, cancellable, &local_error,
                                        "ID (\"name\" \"Letterbox\" \"version\" \"%s\" "
                                        "\"vendor\" \"Letterbox\" "
                                        "\"support-url\" \"https://github.com/letterbox/letterbox\")",
                                        PACKAGE_VERSION);
      if (r == NULL)
        {
          if (id_required || !lb_imap_session_is_connected (self) ||
              g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_debug ("%s refused ID: %s", config->host, local_error->message);
          g_clear_error (&local_error);
        }
    }

  if (!start_compress (self, cancellable, error))
    return FALSE;

  if (lb_imap_session_has_capability (self, "ENABLE"))
    {
      const char *enable = NULL;

      if (lb_imap_session_has_capability (self, "QRESYNC"))
        enable = "ENABLE QRESYNC CONDSTORE";
      else if (lb_imap_session_has_capability (self, "CONDSTORE"))
        enable = "ENABLE CONDSTORE";
      if (enable != NULL && !run_simple (self, cancellable, error, enable))
        return FALSE;
    }
  else if (lb_imap_session_has_capability (self, "CONDSTORE"))
    {
      /* Without ENABLE, CONDSTORE is enabled by its first use (SELECT ... (CONDSTORE)). */
      self->condstore_enabled = TRUE;
    }

  if (lb_imap_session_has_capability (self, "NAMESPACE"))
    {
      g_autoptr(LbImapResponse) r = NULL;

      /* Informational (folders come from LIST "" "*"), so a refusal is not fatal:
       * 189.cn answers NAMESPACE with BAD. */
      r = lb_imap_session_command_sync (self, NULL, NULL, cancellable, &local_error, "NAMESPACE");
      if (r == NULL)
        {
          if (!lb_imap_session_is_connected (self) ||
              g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_debug ("%s refused NAMESPACE: %s", config->host, local_error->message);
          g_clear_error (&local_error);
        }
    }
  return TRUE;
}

/**
 * lb_imap_session_get_namespace_prefix:
 *
 * Returns: (nullable): the personal namespace's prefix ("" or "INBOX." for example), or
 *   %NULL when the server did not say
 */
const char *
lb_imap_session_get_namespace_prefix (LbImapSession *self)
{
  return self->namespace_prefix;
}

/**
 * lb_imap_session_selected_allows_keywords:
 *
 * Returns: %TRUE if the selected mailbox keeps keywords it does not know yet
 *   (`PERMANENTFLAGS` with `\*`), such as `$Junk` and `$NotJunk`
 */
gboolean
lb_imap_session_selected_allows_keywords (LbImapSession *self)
{
  g_return_val_if_fail (LB_IS_IMAP_SESSION (self), FALSE);
  return self->selected != NULL && self->selected_keywords;
}

typedef struct {
  LbImapSelectInfo   *info;
  LbImapUntaggedFunc  func;
  gpointer            user_data;
} SelectData;

static gboolean
select_untagged (LbImapResponse  *r,
                 gpointer         user_data,
                 GError         **error)
{
  SelectData *d = user_data;

  switch (r->kind)
    {
    case LB_IMAP_RESPONSE_EXISTS:
      d->info->exists = r->u.number;
      return TRUE;
    case LB_IMAP_RESPONSE_STATUS:
      switch (r->code.kind)
        {
        case LB_IMAP_CODE_UIDVALIDITY:
          d->info->uidvalidity = r->code.number;
          break;
        case LB_IMAP_CODE_UIDNEXT:
          d->info->uidnext = r->code.number;
          break;
        case LB_IMAP_CODE_HIGHESTMODSEQ:
          d->info->highestmodseq = r->code.modseq;
          break;
        case LB_IMAP_CODE_NOMODSEQ:
          d->info->nomodseq = TRUE;
          break;
        case LB_IMAP_CODE_PERMANENTFLAGS:
          d->info->keywords = r->code.list != NULL &&
                              g_strv_contains ((const char * const *) r->code.list, "\\*");
          break;
        default:
          break;
        }
      return TRUE;
    case LB_IMAP_RESPONSE_VANISHED:
    case LB_IMAP_RESPONSE_FETCH:
      return d->func == NULL || d->func (r, d->user_data, error);
    default:
      return TRUE;
    }
}

/**
 * lb_imap_session_select_sync:
 * @mailbox: the raw (modified UTF-7) name
 * @qresync: (nullable): the last known state, used when QRESYNC is enabled
 * @func: (nullable): receives VANISHED and FETCH responses (QRESYNC changes)
 *
 * Selects (or, when @read_only, examines) a mailbox.
 */
gboolean
lb_imap_session_select_sync (LbImapSession        *self,
                             const char           *mailbox,
                             gboolean              read_only,
                             const LbImapQresync  *qresync,
                             LbImapUntaggedFunc    func,
                             gpointer              user_data,
                             LbImapSelectInfo     *info,
                             GCancellable         *cancellable,
                             GError              **error)
{
  g_autofree char *quoted = lb_imap_quote_mailbox (mailbox);
  g_autofree char *params = NULL;
  g_autoptr(LbImapResponse) ok = NULL;
  LbImapSelectInfo local = { 0 };
  SelectData d = { info != NULL ? info : &local, func, user_data };

  g_return_val_if_fail (LB_IS_IMAP_SESSION (self), FALSE);

  memset (d.info, 0, sizeof *d.info);
  if (self->qresync_enabled && qresync != NULL && qresync->uidvalidity != 0 && qresync->modseq != 0)
    params = g_strdup_printf (" (QRESYNC (%u %" G_GUINT64_FORMAT "))",
                              qresync->uidvalidity, qresync->modseq);
  else if (self->condstore_enabled)
    params = g_strdup (" (CONDSTORE)");

  g_clear_pointer (&self->selected, g_free);
  ok = lb_imap_session_command_sync (self, select_untagged, &d, cancellable, error, "%s %s%s",
                                     read_only ? "EXAMINE" : "SELECT", quoted,
                                     params != NULL ? params : "");
  if (ok == NULL)
    return FALSE;
  d.info->read_only = ok->code.kind == LB_IMAP_CODE_READ_ONLY;
  self->selected = g_strdup (mailbox);
  self->selected_keywords = d.info->keywords && !d.info->read_only;
  return TRUE;
}

/**
 * lb_imap_session_append_sync:
 * @flags: (nullable): a flag list without parentheses, e.g. `\Seen`
 * @out_uid: (out) (optional): the new message's uid when the server reports it
 *   (UIDPLUS), else 0
 */
gboolean
lb_imap_session_append_sync (LbImapSession *self,
                             const char    *mailbox,
                             const char    *flags,
                             GBytes        *message,
                             guint32       *out_uid,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autofree char *tag = NULL;
  g_autofree char *quoted = lb_imap_quote_mailbox (mailbox);
  g_autofree char *line = NULL;
  g_autoptr(LbImapResponse) ok = NULL;
  gboolean literal_plus = lb_imap_session_has_capability (self, "LITERAL+");
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  g_return_val_if_fail (LB_IS_IMAP_SESSION (self), FALSE);

  if (out_uid != NULL)
    *out_uid = 0;
  if (!lb_imap_session_is_connected (self))
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_NETWORK, "Not connected");
      return FALSE;
    }
  tag = next_tag (self);
  line = g_strdup_printf ("%s APPEND %s (%s) {%" G_GSIZE_FORMAT "%s}\r\n", tag, quoted,
                          flags != NULL ? flags : "", len, literal_plus ? "+" : "");
  if (!write_all (self, line, strlen (line), cancellable, error))
    return FALSE;

  if (!literal_plus)
    {
      /* Wait for the server's go-ahead; it may refuse at once instead. */
      begin_deadline (self, 0);
      for (;;)
        {
          g_autoptr(LbImapResponse) r = read_response (self, cancellable, error);
          if (r == NULL)
            return FALSE;
          if (r->kind == LB_IMAP_RESPONSE_CONTINUATION)
            break;
          if (r->tag != NULL && g_str_equal (r->tag, tag))
            {
              set_status_error (self, r, "APPEND", error);
              return FALSE;
            }
          observe (self, r);
        }
    }
  if (!write_all (self, data, len, cancellable, error) ||
      !write_all (self, "\r\n", 2, cancellable, error))
    return FALSE;

  ok = finish_command (self, tag, "APPEND", NULL, NULL, 0, cancellable, error);
  if (ok == NULL)
    return FALSE;
  if (out_uid != NULL && ok->code.kind == LB_IMAP_CODE_APPENDUID && ok->code.set != NULL &&
      ok->code.set->len > 0)
    *out_uid = g_array_index (ok->code.set, LbImapRange, 0).first;
  return TRUE;
}

static gboolean
is_change (const LbImapResponse *r)
{
  return r->kind == LB_IMAP_RESPONSE_EXISTS || r->kind == LB_IMAP_RESPONSE_EXPUNGE ||
         r->kind == LB_IMAP_RESPONSE_FETCH || r->kind == LB_IMAP_RESPONSE_VANISHED ||
         r->kind == LB_IMAP_RESPONSE_RECENT;
}

/* What the answer to DONE carries is read like the rest of IDLE: passed on to the
 * caller's function, and a change of the mailbox noted. */
typedef struct {
  LbImapUntaggedFunc  func;
  gpointer            user_data;
  gboolean           *changed;
} IdleTail;

static gboolean
on_idle_tail (LbImapResponse  *r,
              gpointer         user_data,
              GError         **error)
{
  IdleTail *tail = user_data;

  *tail->changed |= is_change (r);
  return tail->func == NULL || tail->func (r, tail->user_data, error);
}

/**
 * lb_imap_session_idle_sync:
 * @timeout_seconds: when to end IDLE if nothing happens (servers drop idle
 *   clients after 30 minutes; pass less)
 * @func: (nullable): called with every untagged response while IDLE lasts (with
 *   NOTIFY, the STATUS responses of other mailboxes come this way); returning %FALSE
 *   ends IDLE with its error
 * @out_changed: (out): whether the mailbox changed
 *
 * Waits in IDLE on the selected mailbox until it changes, @timeout_seconds pass or
 * @cancellable is cancelled (which wakes the wait at once).  On a change or a timeout
 * IDLE is ended properly with DONE; on cancellation the connection is closed.
 */
gboolean
lb_imap_session_idle_sync (LbImapSession      *self,
                           guint               timeout_seconds,
                           LbImapUntaggedFunc  func,
                           gpointer            user_data,
                           gboolean           *out_changed,
                           GCancellable       *cancellable,
                           GError            **error)
{
  g_autofree char *tag = NULL;
  g_autofree char *line = NULL;
  g_autoptr(LbImapResponse) ok = NULL;
  gint64 deadline;
  gboolean changed = FALSE;
  IdleTail tail = { func, user_data, &changed };

  g_return_val_if_fail (LB_IS_IMAP_SESSION (self), FALSE);

  *out_changed = FALSE;
  if (!lb_imap_session_is_connected (self))
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_NETWORK, "Not connected");
      return FALSE;
    }
  tag = next_tag (self);
  line = g_strdup_printf ("%s IDLE\r\n", tag);
  if (!write_all (self, line, strlen (line), cancellable, error))
    return FALSE;

  /* Up to the go-ahead and after DONE, IDLE is a command like any other; the wait in
   * between has its own end, the renewal interval, and is no command deadline. */
  begin_deadline (self, 0);
  for (;;)
    {
      g_autoptr(LbImapResponse) r = read_response (self, cancellable, error);
      if (r == NULL)
        return FALSE;
      if (r->kind == LB_IMAP_RESPONSE_CONTINUATION)
        break;
      if (r->tag != NULL && g_str_equal (r->tag, tag))
        {
          set_status_error (self, r, "IDLE", error);
          return FALSE;
        }
      if (func != NULL && r->tag == NULL && !func (r, user_data, error))
        return FALSE;
      changed |= is_change (r);
    }

  deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  while (!changed)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(LbImapResponse) r = NULL;

      if (deadline <= g_get_monotonic_time ())
        break;
      r = read_response_full (self, G_MAXINT, deadline, cancellable, &local_error);
      if (r == NULL)
        {
          if (g_error_matches (local_error, LB_ERROR, LB_ERROR_TIMEOUT) &&
              lb_imap_session_is_connected (self))
            break;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (r->kind == LB_IMAP_RESPONSE_STATUS && r->status == LB_IMAP_STATUS_BYE)
        {
          set_bye_error (self, r, error);
          return FALSE;
        }
      if (func != NULL && r->tag == NULL && !func (r, user_data, error))
        return FALSE;
      changed |= is_change (r);
    }

  if (!write_all (self, "DONE\r\n", 6, cancellable, error))
    return FALSE;
  /* A live server answers DONE at once; silence here means the connection is dead
   * (a stalled NAT mapping, a suspended laptop) and the caller reconnects.  News that
   * comes with the answer (NOTIFY's STATUS of another folder, an EXISTS of new mail that
   * arrived as DONE went out) goes to @func and counts as a change too: it would
   * otherwise be lost between two IDLE rounds, and the new mail would wait for the next
   * event. */
  ok = finish_command (self, tag, "IDLE", on_idle_tail, &tail, 0, cancellable, error);
  if (ok == NULL)
    return FALSE;
  *out_changed = changed;
  return TRUE;
}

gboolean
lb_imap_session_noop_sync (LbImapSession *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  return run_simple (self, cancellable, error, "NOOP");
}

/* Says goodbye politely but briefly: a dead server must not hold up shutdown. */
void
lb_imap_session_logout (LbImapSession *self)
{
  if (lb_imap_session_is_connected (self))
    {
      g_autofree char *tag = next_tag (self);
      g_autofree char *line = g_strdup_printf ("%s LOGOUT\r\n", tag);
      g_autoptr(LbImapResponse) r = NULL;

      if (write_all (self, line, strlen (line), NULL, NULL))
        r = finish_command (self, tag, "LOGOUT", NULL, NULL, 2000, NULL, NULL);
    }
  lb_imap_session_disconnect (self);
}
