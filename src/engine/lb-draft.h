/* lb-draft.h: a message being written: replies, forwards, mailto: links, building it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-draft
 * @title: LbDraft
 *
 * A message being written (LbDraft), how it starts (reply, forward, mailto:, reopened
 * from the outbox) and how it is built into RFC 5322 bytes.  The draft is plain data the
 * composer owns on the main thread; the constructors and lb_draft_build() may run on any
 * thread.  Address completion and the server's Drafts copy are asynchronous calls on the
 * engine (main thread, callbacks there).  No signals.
 */
#pragma once

#include <gio/gio.h>

#include "lb-engine.h"
#include "lb-message-content.h"

G_BEGIN_DECLS

/**
 * LbDraft:
 * @from: (nullable): the sender (the account's name and address)
 * @to: (element-type LbMailbox): the To addresses
 * @cc: (element-type LbMailbox): the Cc addresses
 * @bcc: (element-type LbMailbox): the Bcc addresses, never written into the sent headers
 * @subject: (nullable): the subject
 * @body: (nullable): the plain-text body
 * @in_reply_to: (nullable): the Message-ID replied to, without brackets
 * @references: (nullable) (array zero-terminated=1): the thread's Message-IDs
 * @attachments: (element-type LbAttachment): the attached files
 * @message_id: (nullable): the Message-ID to build with, without brackets (a saved draft
 *   keeps one, so that each save replaces the same message), or %NULL for a new one
 * @body_html: (nullable): the formatted body, a whole HTML document; when set, the
 *   message has it and @body as alternatives (the text must say the same)
 * @inline_images: (element-type LbAttachment): the images @body_html shows by `cid:`,
 *   made with lb_attachment_new_inline()
 *
 * What the composer holds: plain data that it fills in on the main thread and hands to
 * lb_draft_build() (any thread).  A boxed type (copy and free).
 */
typedef struct {
  LbMailbox  *from;
  GPtrArray  *to;
  GPtrArray  *cc;
  GPtrArray  *bcc;
  char       *subject;
  char       *body;
  char       *in_reply_to;
  char      **references;
  GPtrArray  *attachments;
  char       *message_id;
  char       *body_html;
  GPtrArray  *inline_images;
} LbDraft;

/**
 * LbDraftBuildFlags:
 * @LB_DRAFT_BUILD_DEFAULT: a message to send: no Bcc header
 * @LB_DRAFT_BUILD_KEEP_BCC: a draft to keep: the Bcc header stays, so that reopening it
 *   restores the field
 */
typedef enum {
  LB_DRAFT_BUILD_DEFAULT  = 0,
  LB_DRAFT_BUILD_KEEP_BCC = 1 << 0,
} LbDraftBuildFlags;

#define LB_TYPE_DRAFT (lb_draft_get_type ())

GType     lb_draft_get_type              (void) G_GNUC_CONST;
LbDraft  *lb_draft_new                   (void);
LbDraft  *lb_draft_copy                  (const LbDraft        *draft);
void      lb_draft_free                  (LbDraft              *draft);
char    **lb_draft_dup_recipients        (const LbDraft        *draft);
GBytes   *lb_draft_build                 (const LbDraft        *draft,
                                          LbDraftBuildFlags     flags,
                                          char                **out_message_id);

LbDraft  *lb_draft_new_reply             (LbMessageContent     *original,
                                          const LbMailbox      *from,
                                          const char * const   *own_addresses,
                                          gboolean              reply_all);
LbDraft  *lb_draft_new_forward           (LbMessageContent     *original,
                                          const LbMailbox      *from);
LbDraft  *lb_draft_new_from_mailto       (const char           *mailto_uri,
                                          const LbMailbox      *from);
LbDraft  *lb_draft_new_for_editing       (LbMessageContent     *message,
                                          const char * const   *envelope_recipients);

void      lb_engine_list_addresses_async (LbEngine             *engine,
                                          guint                 limit,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
GPtrArray *lb_engine_list_addresses_finish (LbEngine           *engine,
                                          GAsyncResult         *result,
                                          GError              **error);
void      lb_engine_save_draft_async     (LbEngine             *engine,
                                          LbAccount            *account,
                                          GBytes               *message,
                                          guint32               previous_uid,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
guint32   lb_engine_save_draft_finish    (LbEngine             *engine,
                                          GAsyncResult         *result,
                                          GError              **error);

char     *lb_draft_simplify_html         (const char           *html,
                                          gboolean              keep_cid_images);

/**
 * LbLocalDraft:
 * @id: the draft's Message-ID, without brackets (also its file's name)
 * @account_id: the account whose Drafts it belongs in, 0 if none is known
 * @path: the file
 * @subject: (nullable): its subject
 * @to: its recipients, as names where they have one
 * @saved: when it was written, in seconds since the epoch
 *
 * A draft kept on this computer only (see lb-local-draft.c).  A boxed type.
 */
typedef struct {
  char   *id;
  gint64  account_id;
  char   *path;
  char   *subject;
  char   *to;
  gint64  saved;
} LbLocalDraft;

#define LB_TYPE_LOCAL_DRAFT (lb_local_draft_get_type ())

GType         lb_local_draft_get_type      (void) G_GNUC_CONST;
LbLocalDraft *lb_local_draft_copy          (const LbLocalDraft   *draft);
void          lb_local_draft_free          (LbLocalDraft         *draft);

char       *lb_engine_get_local_drafts_dir (LbEngine             *engine);
gboolean    lb_engine_write_local_draft    (LbEngine             *engine,
                                            gint64                account_id,
                                            const char           *id,
                                            GBytes               *message,
                                            GError              **error);
gboolean    lb_engine_delete_local_draft   (LbEngine             *engine,
                                            const char           *id,
                                            GBytes               *only_if);
GBytes     *lb_engine_read_local_draft     (LbEngine             *engine,
                                            const char           *id,
                                            gint64               *out_account_id,
                                            GError              **error);
GPtrArray  *lb_engine_list_local_drafts    (LbEngine             *engine,
                                            gint64                account_id);
void        lb_engine_list_local_drafts_async (LbEngine          *engine,
                                            gint64                account_id,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
GPtrArray  *lb_engine_list_local_drafts_finish (LbEngine         *engine,
                                            GAsyncResult         *result,
                                            GError              **error);
void        lb_engine_push_local_drafts_async (LbEngine          *engine,
                                            LbAccount            *account,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
int         lb_engine_push_local_drafts_finish (LbEngine         *engine,
                                            GAsyncResult         *result,
                                            GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbDraft, lb_draft_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbLocalDraft, lb_local_draft_free)

G_END_DECLS
