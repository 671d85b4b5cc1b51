/* lb-draft.c: the public draft over mime/'s builder and lb-compose.c's replies
 *
 * LbDraft holds public types (LbMailbox, LbAttachment); the work is done on mime/'s
 * LbMimeDraft, converted at the boundary.  The conversion copies addresses and takes a
 * reference on each attachment's part, never its contents.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-compose.h"
#include "lb-draft.h"
#include "lb-message-content-private.h"
#include "lb-mime-simplify.h"

G_DEFINE_BOXED_TYPE (LbDraft, lb_draft, lb_draft_copy, lb_draft_free)

/**
 * lb_draft_new:
 *
 * Returns: (transfer full): an empty draft
 */
LbDraft *
lb_draft_new (void)
{
  LbDraft *draft = g_new0 (LbDraft, 1);

  draft->to = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_mailbox_free);
  draft->cc = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_mailbox_free);
  draft->bcc = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_mailbox_free);
  draft->attachments = g_ptr_array_new_with_free_func (g_object_unref);
  draft->inline_images = g_ptr_array_new_with_free_func (g_object_unref);
  return draft;
}

/**
 * lb_draft_free:
 * @draft: (transfer full) (nullable): a draft
 */
void
lb_draft_free (LbDraft *draft)
{
  if (draft == NULL)
    return;
  g_clear_pointer (&draft->from, lb_mailbox_free);
  g_clear_pointer (&draft->to, g_ptr_array_unref);
  g_clear_pointer (&draft->cc, g_ptr_array_unref);
  g_clear_pointer (&draft->bcc, g_ptr_array_unref);
  g_free (draft->subject);
  g_free (draft->body);
  g_free (draft->in_reply_to);
  g_strfreev (draft->references);
  g_clear_pointer (&draft->attachments, g_ptr_array_unref);
  g_free (draft->message_id);
  g_free (draft->body_html);
  g_clear_pointer (&draft->inline_images, g_ptr_array_unref);
  g_free (draft);
}

static void
copy_mailboxes (GPtrArray *dest,
                GPtrArray *src)
{
  for (guint i = 0; src != NULL && i < src->len; i++)
    g_ptr_array_add (dest, lb_mailbox_copy (g_ptr_array_index (src, i)));
}

/**
 * lb_draft_copy:
 * @draft: a draft
 *
 * Returns: (transfer full): a copy; the attachments are shared, not duplicated
 */
LbDraft *
lb_draft_copy (const LbDraft *draft)
{
  LbDraft *copy;

  g_return_val_if_fail (draft != NULL, NULL);

  copy = lb_draft_new ();
  copy->from = draft->from != NULL ? lb_mailbox_copy (draft->from) : NULL;
  copy_mailboxes (copy->to, draft->to);
  copy_mailboxes (copy->cc, draft->cc);
  copy_mailboxes (copy->bcc, draft->bcc);
  copy->subject = g_strdup (draft->subject);
  copy->body = g_strdup (draft->body);
  copy->in_reply_to = g_strdup (draft->in_reply_to);
  copy->references = g_strdupv (draft->references);
  copy->message_id = g_strdup (draft->message_id);
  for (guint i = 0; i < draft->attachments->len; i++)
    g_ptr_array_add (copy->attachments, g_object_ref (g_ptr_array_index (draft->attachments, i)));
  copy->body_html = g_strdup (draft->body_html);
  for (guint i = 0; draft->inline_images != NULL && i < draft->inline_images->len; i++)
    g_ptr_array_add (copy->inline_images, g_object_ref (g_ptr_array_index (draft->inline_images, i)));
  return copy;
}

/* ---- Conversions ------------------------------------------------------------------ */

static void
addresses_from_mailboxes (GPtrArray *dest,
                          GPtrArray *src)
{
  for (guint i = 0; src != NULL && i < src->len; i++)
    {
      const LbMailbox *m = g_ptr_array_index (src, i);

      g_ptr_array_add (dest, lb_address_new (m->name, m->address));
    }
}

static LbAddress *
address_from_mailbox (const LbMailbox *mailbox)
{
  return mailbox != NULL ? lb_address_new (mailbox->name, mailbox->address) : NULL;
}

static LbMimeDraft *
mime_draft_from_draft (const LbDraft *draft)
{
  LbMimeDraft *d = lb_mime_draft_new ();

  d->from = address_from_mailbox (draft->from);
  addresses_from_mailboxes (d->to, draft->to);
  addresses_from_mailboxes (d->cc, draft->cc);
  addresses_from_mailboxes (d->bcc, draft->bcc);
  d->subject = g_strdup (draft->subject);
  d->body = g_strdup (draft->body);
  d->in_reply_to = g_strdup (draft->in_reply_to);
  d->references = g_strdupv (draft->references);
  d->message_id = g_strdup (draft->message_id);
  for (guint i = 0; i < draft->attachments->len; i++)
    g_ptr_array_add (d->attachments,
                     g_object_ref (lb_attachment_get_part (g_ptr_array_index (draft->attachments, i))));
  d->body_html = g_strdup (draft->body_html);
  for (guint i = 0; draft->inline_images != NULL && i < draft->inline_images->len; i++)
    g_ptr_array_add (d->inline_parts,
                     g_object_ref (lb_attachment_get_part (g_ptr_array_index (draft->inline_images, i))));
  return d;
}

static void
append_mailboxes (GPtrArray *dest,
                  GPtrArray *addresses)
{
  g_autoptr(GPtrArray) mailboxes = lb_mailboxes_from_addresses (addresses);

  for (guint i = 0; i < mailboxes->len; i++)
    g_ptr_array_add (dest, lb_mailbox_copy (g_ptr_array_index (mailboxes, i)));
}

static LbDraft *
draft_from_mime_draft (const LbMimeDraft *d)
{
  LbDraft *draft = lb_draft_new ();

  if (d->from != NULL)
    draft->from = lb_mailbox_new (d->from->name, d->from->address);
  append_mailboxes (draft->to, d->to);
  append_mailboxes (draft->cc, d->cc);
  append_mailboxes (draft->bcc, d->bcc);
  draft->subject = g_strdup (d->subject);
  draft->body = g_strdup (d->body);
  draft->in_reply_to = g_strdup (d->in_reply_to);
  draft->references = g_strdupv (d->references);
  draft->message_id = g_strdup (d->message_id);
  for (guint i = 0; i < d->attachments->len; i++)
    g_ptr_array_add (draft->attachments,
                     lb_attachment_new_for_part (g_ptr_array_index (d->attachments, i)));
  draft->body_html = g_strdup (d->body_html);
  for (guint i = 0; i < d->inline_parts->len; i++)
    g_ptr_array_add (draft->inline_images,
                     lb_attachment_new_for_part (g_ptr_array_index (d->inline_parts, i)));
  return draft;
}

/* ---- Building --------------------------------------------------------------------- */

/**
 * lb_draft_dup_recipients:
 * @draft: a draft
 *
 * Returns: (transfer full) (array zero-terminated=1): the bare addresses of To, Cc and
 *   Bcc, each once: the envelope recipients
 */
char **
lb_draft_dup_recipients (const LbDraft *draft)
{
  g_autoptr(LbMimeDraft) d = NULL;

  g_return_val_if_fail (draft != NULL, NULL);

  d = mime_draft_from_draft (draft);
  return lb_mime_draft_dup_recipients (d);
}

/**
 * lb_draft_build:
 * @draft: a draft
 * @flags: what the message is for
 * @out_message_id: (out) (optional) (transfer full): the Message-ID used, without
 *   brackets
 *
 * Builds the message (RFC 5322, MIME, UTF-8 headers encoded as RFC 2047 requires).
 * Blocking with large attachments: call it on a thread of your own.  Any thread.
 *
 * Returns: (transfer full): the message
 */
GBytes *
lb_draft_build (const LbDraft      *draft,
                LbDraftBuildFlags   flags,
                char              **out_message_id)
{
  g_autoptr(LbMimeDraft) d = NULL;

  g_return_val_if_fail (draft != NULL, NULL);

  d = mime_draft_from_draft (draft);
  return lb_mime_build (d, (flags & LB_DRAFT_BUILD_KEEP_BCC) != 0 ? LB_MIME_BUILD_KEEP_BCC
                                                                  : LB_MIME_BUILD_DEFAULT,
                        out_message_id);
}

/* ---- Replies, forwards, links ----------------------------------------------------- */

/**
 * lb_draft_new_reply:
 * @original: the message replied to
 * @from: the account's address, the draft's sender
 * @own_addresses: (array zero-terminated=1): the addresses of all the user's accounts,
 *   left out of a reply to all
 * @reply_all: whether the other recipients get the reply too
 *
 * The subject with one "Re: ", the original quoted, and In-Reply-To and References set
 * so that the reply joins the thread.  Any thread.
 *
 * Returns: (transfer full): the reply, to be edited
 */
LbDraft *
lb_draft_new_reply (LbMessageContent   *original,
                    const LbMailbox    *from,
                    const char * const *own_addresses,
                    gboolean            reply_all)
{
  g_autoptr(LbAddress) sender = NULL;
  g_autoptr(LbMimeDraft) d = NULL;

  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (original), NULL);
  g_return_val_if_fail (from != NULL, NULL);

  sender = address_from_mailbox (from);
  d = lb_compose_reply (lb_message_content_get_mime (original), sender, own_addresses, reply_all);
  return draft_from_mime_draft (d);
}

/**
 * lb_draft_new_forward:
 * @original: the message forwarded
 * @from: the account's address, the draft's sender
 *
 * The subject with one "Fwd: ", the original's headers and text, and its attachments.
 * Any thread.
 *
 * Returns: (transfer full): the forward, to be edited
 */
LbDraft *
lb_draft_new_forward (LbMessageContent *original,
                      const LbMailbox  *from)
{
  g_autoptr(LbAddress) sender = NULL;
  g_autoptr(LbMimeDraft) d = NULL;

  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (original), NULL);
  g_return_val_if_fail (from != NULL, NULL);

  sender = address_from_mailbox (from);
  d = lb_compose_forward (lb_message_content_get_mime (original), sender);
  return draft_from_mime_draft (d);
}

/**
 * lb_draft_new_from_mailto:
 * @mailto_uri: a `mailto:` URI (RFC 6068)
 * @from: (nullable): the sender, if known yet
 *
 * Returns: (transfer full): a draft with the URI's recipients, subject and body
 */
LbDraft *
lb_draft_new_from_mailto (const char      *mailto_uri,
                          const LbMailbox *from)
{
  g_autoptr(LbAddress) sender = NULL;
  g_autoptr(LbMimeDraft) d = NULL;

  g_return_val_if_fail (mailto_uri != NULL, NULL);

  sender = address_from_mailbox (from);
  d = lb_compose_from_mailto (mailto_uri, sender);
  return draft_from_mime_draft (d);
}

/* A formatted message written here keeps its HTML and the images it shows, so that a
 * reopened draft is still formatted.  The images are found by the `cid:` URLs of the
 * HTML; the editor reads the HTML through lb_draft_simplify_html(). */
static void
add_formatted_body (LbDraft       *draft,
                    LbMimeMessage *m)
{
  const char *html = lb_mime_message_get_html (m);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *p = html;

  if (html == NULL)
    return;
  draft->body_html = g_strdup (html);
  while ((p = strstr (p, "cid:")) != NULL)
    {
      const char *start = p + 4;
      const char *end = start + strcspn (start, "\"'<> \t\r\n)");
      g_autofree char *cid = g_strndup (start, end - start);
      const char *mime_type = NULL;
      GBytes *bytes = lb_mime_message_lookup_cid (m, cid, &mime_type);

      p = end;
      if (bytes == NULL || !g_hash_table_add (seen, g_strdup (cid)))
        continue;
      {
        g_autofree char *id = g_uri_unescape_string (cid, NULL);
        const char *slash = mime_type != NULL ? strchr (mime_type, '/') : NULL;
        g_autofree char *name = g_strdup_printf ("image.%s", slash != NULL ? slash + 1 : "png");

        g_ptr_array_add (draft->inline_images,
                         lb_attachment_new_inline (name, mime_type != NULL ? mime_type : "image/png",
                                                   id != NULL ? id : cid, bytes));
      }
    }
}

static gboolean
listed (GPtrArray  *list,
        const char *address)
{
  for (guint i = 0; list != NULL && i < list->len; i++)
    if (g_ascii_strcasecmp (((LbMailbox *) g_ptr_array_index (list, i))->address, address) == 0)
      return TRUE;
  return FALSE;
}

/**
 * lb_draft_new_for_editing:
 * @message: a message written here before (waiting in the outbox, or a draft)
 * @envelope_recipients: (nullable) (array zero-terminated=1): whom it was to be sent to
 *
 * Opens @message for editing again.  Bcc is the message's Bcc header (a saved draft has
 * one) and the envelope recipients that are in no other field.  The draft keeps the
 * message's Message-ID.  Any thread.
 *
 * Returns: (transfer full): the draft
 */
LbDraft *
lb_draft_new_for_editing (LbMessageContent   *message,
                          const char * const *envelope_recipients)
{
  LbMimeMessage *m;
  LbDraft *draft;
  const char * const *refs;
  g_autoptr(GPtrArray) bcc = NULL;

  g_return_val_if_fail (LB_IS_MESSAGE_CONTENT (message), NULL);

  m = lb_message_content_get_mime (message);
  draft = lb_draft_new ();
  copy_mailboxes (draft->to, lb_message_content_get_to (message));
  copy_mailboxes (draft->cc, lb_message_content_get_cc (message));
  /* A saved draft keeps its Bcc in the headers; a queued message only in the envelope. */
  bcc = lb_mailboxes_from_addresses (lb_mime_message_get_bcc (m));
  copy_mailboxes (draft->bcc, bcc);
  for (guint i = 0; envelope_recipients != NULL && envelope_recipients[i] != NULL; i++)
    if (*envelope_recipients[i] != '\0' && !listed (draft->to, envelope_recipients[i])
        && !listed (draft->cc, envelope_recipients[i])
        && !listed (draft->bcc, envelope_recipients[i]))
      g_ptr_array_add (draft->bcc, lb_mailbox_new (NULL, envelope_recipients[i]));
  /* Saving it again keeps its Message-ID, so that the new copy replaces this one. */
  draft->message_id = g_strdup (lb_mime_message_get_message_id (m));
  draft->subject = g_strdup (lb_mime_message_get_subject (m));
  draft->body = g_strdup (lb_mime_message_get_text (m));
  draft->in_reply_to = g_strdup (lb_mime_message_get_in_reply_to (m));
  refs = lb_mime_message_get_references (m);
  if (refs != NULL && refs[0] != NULL)
    draft->references = g_strdupv ((char **) refs);
  for (guint i = 0; i < lb_message_content_get_attachments (message)->len; i++)
    g_ptr_array_add (draft->attachments,
                     g_object_ref (g_ptr_array_index (lb_message_content_get_attachments (message), i)));
  add_formatted_body (draft, m);
  return draft;
}

/* ---- Address completion and the server's Drafts ------------------------------------- */

/**
 * lb_engine_list_addresses_async:
 * @engine: the engine
 * @limit: how many addresses at most
 * @cancellable: (nullable): drops the result
 * @callback: called on the thread-default main context of the caller; its source is
 *   %NULL
 * @user_data: for @callback
 *
 * Reads the addresses the user wrote to or heard from, for completion, on a thread.
 */
void
lb_engine_list_addresses_async (LbEngine            *engine,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (LB_IS_ENGINE (engine));

  lb_compose_list_addresses_async (engine, limit, cancellable, callback, user_data);
}

/**
 * lb_engine_list_addresses_finish:
 * @engine: (nullable): the engine (unused: the source of the result is %NULL)
 * @result: the result passed to the callback
 * @error: why the addresses could not be read
 *
 * Returns: (transfer full) (element-type LbMailbox) (nullable): the addresses, most used
 *   first, or %NULL with @error set
 */
GPtrArray *
lb_engine_list_addresses_finish (LbEngine      *engine,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_autoptr(GPtrArray) addresses = lb_compose_list_addresses_finish (engine, result, error);

  return addresses != NULL ? lb_mailboxes_from_addresses (addresses) : NULL;
}

/**
 * lb_engine_save_draft_async:
 * @engine: the engine
 * @account: the account whose Drafts folder keeps the copy
 * @message: (nullable): the draft as lb_draft_build() made it with
 *   %LB_DRAFT_BUILD_KEEP_BCC, or %NULL to only delete the previous copy
 * @previous_uid: the previous copy's uid in Drafts, deleted once the new one is there;
 *   0 for none
 * @cancellable: (nullable): drops the result
 * @callback: called on the main context
 * @user_data: for @callback
 *
 * Saves a copy of a draft on the server, on the account's worker.
 */
void
lb_engine_save_draft_async (LbEngine            *engine,
                            LbAccount           *account,
                            GBytes              *message,
                            guint32              previous_uid,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (LB_IS_ENGINE (engine));
  g_return_if_fail (LB_IS_ACCOUNT (account));

  lb_compose_save_draft_async (engine, account, message, previous_uid, cancellable, callback,
                               user_data);
}

/**
 * lb_engine_save_draft_finish:
 * @engine: the engine
 * @result: the result passed to the callback
 * @error: why the copy could not be saved
 *
 * Returns: the new copy's uid (0 when the server did not say), or 0 with @error set
 */
guint32
lb_engine_save_draft_finish (LbEngine      *engine,
                             GAsyncResult  *result,
                             GError       **error)
{
  return lb_compose_save_draft_finish (engine, result, error);
}

/**
 * lb_draft_simplify_html:
 * @html: (nullable): HTML from anywhere: a draft's own body or a message replied to
 * @keep_cid_images: whether `<img src="cid:…">` stays (a draft's own images, found in
 *   its inline_images); no other image ever does
 *
 * What the composer's editor reads: @html reduced to a well-formed XML document (root
 * element `body`) of `div`, `br`, `b`, `i`, `u`, `a href` (http, https, mailto), `ul`,
 * `ol`, `li`, `blockquote` and `img src="cid:…"`.  Scripts, styles and remote content are
 * dropped.  Any thread.
 *
 * Returns: (transfer full): the document
 */
char *
lb_draft_simplify_html (const char *html,
                        gboolean    keep_cid_images)
{
  g_autofree char *fragment = lb_mime_html_simplify (html, keep_cid_images);

  return g_strconcat ("<body>", fragment, "</body>", NULL);
}
