/* lb-outbox.c: sending queued messages, and the copy in Sent
 *
 * See lb-outbox.h for the states and for the one window in which a crash leaves the
 * outcome unknown.  Everything here that blocks runs on the account's worker thread
 * (LbAccount's job queue), which also owns the IMAP session used for the Sent copy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <signal.h>
#include <string.h>

#include "lb-error.h"
#include "lb-error-map.h"
#include "lb-imap-session.h"
#include "lb-mime.h"
#include "lb-outbox.h"
#include "lb-types.h"
#include "lb-reconnect.h"
#include "lb-provider-db.h"
#include "lb-quirks.h"
#include "lb-secrets.h"

/* Test-only: see LETTERBOX_TEST_CRASH_AT in lb-outbox.h. */
static void
maybe_crash (const char *point)
{
  const char *at = g_getenv ("LETTERBOX_TEST_CRASH_AT");

  if (at != NULL && g_strcmp0 (at, point) == 0)
    raise (SIGKILL);
}

/**
 * lb_outbox_backoff:
 * @attempts: failed attempts so far (1 after the first failure)
 *
 * Returns: seconds to wait before the next attempt
 */
gint64
lb_outbox_backoff (guint attempts)
{
  gint64 delay = LB_OUTBOX_RETRY_FIRST_SECONDS;

  for (guint i = 1; i < attempts && delay < LB_OUTBOX_RETRY_MAX_SECONDS; i++)
    delay *= 2;
  return MIN (delay, LB_OUTBOX_RETRY_MAX_SECONDS);
}

/* The unfolded value of the first @name header of a built message, or %NULL. */
static char *
extract_header (GBytes     *message,
                const char *name)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (message, &len);
  const char *end = data + len;
  const char *p = data;
  gsize name_len = strlen (name);

  /* Headers only: up to the first empty line. */
  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      gsize line_len = (eol != NULL ? eol : end) - p;

      if (line_len == 0 || (line_len == 1 && *p == '\r'))
        break;
      if (line_len > name_len && p[name_len] == ':' && g_ascii_strncasecmp (p, name, name_len) == 0)
        {
          GString *value = g_string_new_len (p + name_len + 1, line_len - name_len - 1);

          /* Continuation lines start with white space. */
          while (eol != NULL && eol + 1 < end && (eol[1] == ' ' || eol[1] == '\t'))
            {
              const char *next = eol + 1;

              eol = memchr (next, '\n', end - next);
              g_string_append_len (value, next, (eol != NULL ? eol : end) - next);
            }
          g_strdelimit (value->str, "\r\n", ' ');
          return g_strstrip (g_string_free (value, FALSE));
        }
      if (eol == NULL)
        break;
      p = eol + 1;
    }
  return NULL;
}

/**
 * lb_outbox_extract_message_id:
 *
 * Returns: (transfer full) (nullable): the Message-ID of a built message, without brackets
 */
char *
lb_outbox_extract_message_id (GBytes *message)
{
  g_autofree char *value = extract_header (message, "Message-ID");
  gsize n = value != NULL ? strlen (value) : 0;

  if (n >= 2 && value[0] == '<' && value[n - 1] == '>')
    return g_strndup (value + 1, n - 2);
  return g_steal_pointer (&value);
}

/**
 * lb_outbox_extract_from_address:
 *
 * Returns: (transfer full) (nullable): the bare address of a built message's (first)
 *   From mailbox
 */
char *
lb_outbox_extract_from_address (GBytes *message)
{
  g_autofree char *value = extract_header (message, "From");
  g_autoptr(GObject) list = NULL;
  InternetAddress *first;

  if (value == NULL)
    return NULL;
  /* GMime parses it: it must be set up, whoever built the message. */
  lb_mime_init ();
  list = (GObject *) internet_address_list_parse (NULL, value);
  first = list != NULL && internet_address_list_length (INTERNET_ADDRESS_LIST (list)) > 0
          ? internet_address_list_get_address (INTERNET_ADDRESS_LIST (list), 0) : NULL;
  if (first == NULL || !INTERNET_ADDRESS_IS_MAILBOX (first))
    return NULL;
  return g_strdup (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (first)));
}

/**
 * lb_outbox_extract_subject:
 *
 * Returns: (transfer full): the decoded Subject of a built message, "" for none
 */
char *
lb_outbox_extract_subject (GBytes *message)
{
  g_autofree char *subject = extract_header (message, "Subject");

  return subject != NULL ? lb_mime_decode_header (subject) : g_strdup ("");
}

/* Writes a new QUEUED item, due at @next_attempt (0: now). */
static gint64
put_item (LbStore             *store,
          gint64               account_id,
          GBytes              *message,
          const char          *envelope_from,
          const char * const  *recipients,
          const char          *message_id,
          gint64               next_attempt,
          GError             **error)
{
  g_autoptr(LbStoreOutboxItem) item = lb_store_outbox_item_new ();

  item->account_id = account_id;
  item->raw = g_bytes_ref (message);
  item->env_from = g_strdup (envelope_from);
  item->rcpts = g_strdupv ((char **) recipients);
  item->state = LB_STORE_OUTBOX_QUEUED;
  item->next_attempt = next_attempt;
  item->message_id = message_id != NULL ? g_strdup (message_id) : lb_outbox_extract_message_id (message);
  item->created = g_get_real_time () / G_USEC_PER_SEC;
  /* Stored with the row, so that the Outbox list never parses the message. */
  item->subject = lb_outbox_extract_subject (message);
  return lb_store_outbox_put (store, item, error);
}

/**
 * lb_outbox_queue_sync:
 * @recipients: envelope recipients, bare addresses
 *
 * Puts a message into the outbox, state QUEUED, due now.
 *
 * Returns: the outbox item's id, or 0 with @error set
 */
gint64
lb_outbox_queue_sync (LbStore             *store,
                      gint64               account_id,
                      GBytes              *message,
                      const char          *envelope_from,
                      const char * const  *recipients,
                      const char          *message_id,
                      GError             **error)
{
  return put_item (store, account_id, message, envelope_from, recipients, message_id, 0, error);
}

/**
 * lb_outbox_hold_sync:
 *
 * Like lb_outbox_queue_sync(), but the item is written held (next attempt
 * %LB_OUTBOX_HELD) in the same statement, so no crash can leave it due: it is sent only
 * once released (lb_engine_outbox_retry()).
 *
 * Returns: the new item's id, or 0 on error
 */
gint64
lb_outbox_hold_sync (LbStore             *store,
                     gint64               account_id,
                     GBytes              *message,
                     const char          *envelope_from,
                     const char * const  *recipients,
                     GError             **error)
{
  return put_item (store, account_id, message, envelope_from, recipients, NULL, LB_OUTBOX_HELD,
                   error);
}

/**
 * lb_outbox_recover_sync:
 *
 * After a crash: every item of @account_id still in state SENDING may or may not have
 * been accepted by the server, so it becomes INTERRUPTED (kept, never resent by itself:
 * only the user's Send Now, after checking Sent, sends it again).
 *
 * Returns: how many items were in that state
 */
guint
lb_outbox_recover_sync (LbStore *store,
                        gint64   account_id)
{
  g_autoptr(GPtrArray) items = lb_store_outbox_list (store, account_id, NULL);
  guint n = 0;

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      LbStoreOutboxItem *item = g_ptr_array_index (items, i);

      if (item->state != LB_STORE_OUTBOX_SENDING)
        continue;
      lb_store_outbox_update (store, item->id, LB_STORE_OUTBOX_INTERRUPTED, item->attempts, 0,
                              NULL, NULL);
      n++;
    }
  return n;
}

static LbServerConfig *
smtp_config (const LbStoreAccount *row)
{
  LbServerConfig *c = lb_server_config_new (row->smtp_host, row->smtp_port, row->smtp_security,
                                            row->username != NULL ? row->username : row->email);

  c->ca_file = g_strdup (row->ca_file);
  c->proxy = g_strdup (row->proxy);
  c->auth = row->auth;
  return c;
}

/**
 * lb_outbox_map_error:
 * @provider: (nullable): the account's provider
 * @server_reply: (nullable): the server's last reply line
 * @error: (inout): the failure; replaced by the provider-specific explanation (QQ's
 *   "Mail from address must be same as authorization user" and the like) when one applies
 */
void
lb_outbox_map_error (const LbProvider  *provider,
                     const char        *server_reply,
                     GError           **error)
{
  g_autofree char *mapped = NULL;
  LbMappedErrorKind kind = LB_MAPPED_ERROR_UNKNOWN;
  LbErrorPhase phase;
  GError *better;

  if (error == NULL || *error == NULL || server_reply == NULL)
    return;
  phase = g_error_matches (*error, LB_ERROR, LB_ERROR_AUTH) ? LB_ERROR_PHASE_SMTP_AUTH
                                                            : LB_ERROR_PHASE_ANY;
  mapped = lb_error_map_server_text (provider, phase, server_reply, strlen (server_reply), &kind);
  if (mapped == NULL)
    return;
  better = g_error_new_literal (LB_ERROR,
                                kind != LB_MAPPED_ERROR_UNKNOWN
                                ? (int) lb_mapped_error_kind_to_code (kind) : (*error)->code,
                                mapped);
  g_clear_error (error);
  *error = better;
}

/* Sends with the account's secret.  An OAuth2 login the server refused is retried once
 * with a refreshed access token (the server's clock may have expired it before ours did);
 * a refused AUTH comes before MAIL FROM, so nothing was sent the first time. */
static LbSmtpResult
send_with_retry (const LbOutboxContext  *context,
                 const LbServerConfig   *config,
                 const LbStoreOutboxItem *item,
                 char                  **reply,
                 GCancellable           *cancellable,
                 GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LbSecret) fresh = NULL;
  LbSmtpResult result;

  result = lb_smtp_send_sync (config, context->password, item->env_from,
                              (const char * const *) item->rcpts, item->raw, reply,
                              cancellable, &local_error);
  if (result != LB_SMTP_OK && LB_AUTH_IS_TOKEN (config->auth) && context->sync != NULL &&
      g_error_matches (local_error, LB_ERROR, LB_ERROR_AUTH))
    fresh = lb_imap_sync_get_secret (context->sync, context->password, cancellable, NULL);
  if (fresh == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return result;
    }
  g_debug ("The SMTP server refused the access token; retrying once with a new one");
  g_clear_pointer (reply, g_free);
  return lb_smtp_send_sync (config, fresh, item->env_from, (const char * const *) item->rcpts,
                            item->raw, reply, cancellable, error);
}

/**
 * lb_outbox_send_item_sync:
 *
 * Sends one item: SENDING is committed first, then the SMTP session runs; on success
 * the item becomes SENT and the Sent copy is made (a failed copy keeps the item in
 * SENT, to be copied later); a temporary failure puts it back to QUEUED with a later
 * next_attempt; a permanent one makes it FAILED with the mapped reason.
 *
 * Returns: the SMTP outcome; @error is set unless %LB_SMTP_OK
 */
LbSmtpResult
lb_outbox_send_item_sync (const LbOutboxContext *context,
                          LbStoreOutboxItem     *item,
                          GCancellable          *cancellable,
                          GError               **error)
{
  g_autoptr(LbServerConfig) config = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(GError) local_error = NULL;
  LbSmtpResult result;

  g_return_val_if_fail (item->state == LB_STORE_OUTBOX_QUEUED ||
                        item->state == LB_STORE_OUTBOX_FAILED, LB_SMTP_PERMANENT);

  if (context->account->smtp_host == NULL || *context->account->smtp_host == '\0')
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_UNSUPPORTED,
                           _("This account has no outgoing (SMTP) server."));
      lb_store_outbox_update (context->store, item->id, LB_STORE_OUTBOX_FAILED, item->attempts,
                              0, (*error)->message, NULL);
      item->state = LB_STORE_OUTBOX_FAILED;
      return LB_SMTP_PERMANENT;
    }

  /* Committed before the first byte: see "accepted but not recorded" in lb-outbox.h. */
  if (!lb_store_outbox_update (context->store, item->id, LB_STORE_OUTBOX_SENDING, item->attempts,
                               item->next_attempt, NULL, error))
    return LB_SMTP_TEMPORARY;
  item->state = LB_STORE_OUTBOX_SENDING;
  if (context->sending != NULL)
    context->sending (context->sending_data);
  maybe_crash ("before-send");

  config = smtp_config (context->account);
  result = send_with_retry (context, config, item, &reply, cancellable, &local_error);
  switch (result)
    {
    case LB_SMTP_OK:
      maybe_crash ("after-send");
      item->state = LB_STORE_OUTBOX_SENT;
      if (!lb_store_outbox_update (context->store, item->id, LB_STORE_OUTBOX_SENT, item->attempts,
                                   0, NULL, &local_error))
        g_warning ("Outbox item %" G_GINT64_FORMAT " was sent but could not be marked: %s",
                   item->id, local_error->message);
      return LB_SMTP_OK;

    case LB_SMTP_TEMPORARY:
      /* A 4xx reply in the provider's words too, when a rule knows it. */
      lb_outbox_map_error (context->provider, reply, &local_error);
      item->attempts++;
      item->next_attempt = g_get_real_time () / G_USEC_PER_SEC + lb_outbox_backoff (item->attempts);
      item->state = LB_STORE_OUTBOX_QUEUED;
      lb_store_outbox_update (context->store, item->id, LB_STORE_OUTBOX_QUEUED, item->attempts,
                              item->next_attempt, local_error->message, NULL);
      break;

    case LB_SMTP_PERMANENT:
    default:
      lb_outbox_map_error (context->provider, reply, &local_error);
      item->attempts++;
      item->state = LB_STORE_OUTBOX_FAILED;
      lb_store_outbox_update (context->store, item->id, LB_STORE_OUTBOX_FAILED, item->attempts,
                              0, local_error->message, NULL);
      break;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return result;
}

typedef struct {
  GArray *uids;
} SearchData;

static gboolean
on_search (LbImapResponse  *response,
           gpointer         user_data,
           GError         **error)
{
  SearchData *data = user_data;

  if (response->kind == LB_IMAP_RESPONSE_SEARCH && response->u.search.numbers != NULL)
    g_array_append_vals (data->uids, response->u.search.numbers->data,
                         response->u.search.numbers->len);
  return TRUE;
}

/* UID SEARCH HEADER Message-ID in the selected folder. */
static gboolean
find_copy (LbImapSession  *session,
           const char     *message_id,
           gboolean       *out_found,
           GCancellable   *cancellable,
           GError        **error)
{
  SearchData data = { g_array_new (FALSE, FALSE, sizeof (guint32)) };
  g_autoptr(LbImapResponse) r = NULL;
  g_autoptr(GString) quoted = g_string_new ("\"<");

  for (const char *p = message_id; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  g_string_append (quoted, ">\"");
  r = lb_imap_session_command_sync (session, on_search, &data, cancellable, error,
                                    "UID SEARCH HEADER Message-ID %s", quoted->str);
  *out_found = data.uids->len > 0;
  g_array_unref (data.uids);
  return r != NULL;
}

/* Looks for the copy first, so running it again never files a second one. */
static gboolean
copy_to_sent (const LbOutboxContext  *context,
              LbStoreOutboxItem      *item,
              GCancellable           *cancellable,
              GError                **error)
{
  LbImapSession *session;
  g_autoptr(LbStoreFolder) sent = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 sent_id;
  gboolean found = FALSE;

  if (context->sync == NULL)
    return lb_store_outbox_remove (context->store, item->id, error);

  if (!lb_imap_sync_connect (context->sync, cancellable, error))
    return FALSE;
  sent_id = lb_imap_sync_ensure_folder (context->sync, LB_FOLDER_ROLE_SENT, cancellable,
                                        &local_error);
  if (sent_id == 0 && !lb_imap_sync_is_folder_error (context->sync, local_error))
    {
      /* Offline or cancelled: the item stays SENT and is copied later. */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (sent_id == 0 || (sent = lb_store_get_folder (context->store, sent_id, NULL)) == NULL)
    {
      g_message ("Account %" G_GINT64_FORMAT " has no Sent folder and the server will not "
                 "make one (%s): no copy kept", context->account->id,
                 local_error != NULL ? local_error->message : "gone");
      return lb_store_outbox_remove (context->store, item->id, error);
    }

  session = lb_imap_sync_get_session (context->sync);
  if (item->message_id != NULL)
    {
      /* A server that files its own copy may do it a moment after the 250. */
      guint tries = context->server_saves_sent_copy ? 3 : 1;

      for (guint i = 0; i < tries && !found; i++)
        {
          if (i > 0)
            g_usleep (G_USEC_PER_SEC);
          /* SELECT, not EXAMINE: the sync reuses the selected folder by name and may
           * store flags in it next. */
          if (!lb_imap_session_select_sync (session, sent->raw_name, FALSE, NULL, NULL, NULL, NULL,
                                            cancellable, error) ||
              !find_copy (session, item->message_id, &found, cancellable, error))
            return FALSE;
        }
    }
  if (!found &&
      !lb_imap_session_append_sync (session, sent->raw_name, "\\Seen", item->raw, NULL,
                                    cancellable, error))
    return FALSE;
  return lb_store_outbox_remove (context->store, item->id, error);
}

typedef struct {
  const LbOutboxContext *context;
  LbStoreOutboxItem     *item;
} CopyStep;

static gpointer
copy_to_sent_step (gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  CopyStep *step = data;

  return copy_to_sent (step->context, step->item, cancellable, error) ? GINT_TO_POINTER (1) : NULL;
}

/**
 * lb_outbox_copy_to_sent_sync:
 *
 * For an item in state SENT: looks for the copy the server may have filed itself
 * (Gmail does) by Message-ID in the Sent folder, APPENDs one with \Seen only if there
 * is none, then removes the item.  An account without a Sent folder gets one
 * (lb_imap_sync_ensure_folder()); only where the server refuses to create it is the
 * item removed without a copy.  A kept connection that the server closed meanwhile is
 * replaced once.
 */
gboolean
lb_outbox_copy_to_sent_sync (const LbOutboxContext *context,
                             LbStoreOutboxItem     *item,
                             GCancellable          *cancellable,
                             GError               **error)
{
  CopyStep step = { context, item };

  if (context->sync == NULL)
    return copy_to_sent (context, item, cancellable, error);
  return lb_reconnect_once (context->sync, "Sent copy", copy_to_sent_step, &step,
                            cancellable, error) != NULL;
}
