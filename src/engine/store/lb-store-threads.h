/* lb-store-threads.h: conversations: thread ids at store time, and the queries that group by them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-store.h"

G_BEGIN_DECLS

/* How far apart two messages may be and still be grouped by subject alone. */
#define LB_THREAD_SUBJECT_WINDOW (30 * 86400)

/**
 * LbStoreThreadSummary:
 *
 * What a conversation row shows: the whole conversation's marks, and the newest
 * message's subject and preview.
 */
typedef struct {
  guint     count;          /* messages */
  guint     unread;         /* of which lack \Seen */
  gboolean  flagged;        /* any is flagged */
  gboolean  has_attachments;
  char     *participants;   /* senders' names, oldest first, each once, ", " between */
  char     *subject;        /* the newest message's */
  char     *preview;
  gint64    date;
} LbStoreThreadSummary;

void       lb_store_thread_summary_clear   (LbStoreThreadSummary  *summary);

char      *lb_thread_base_subject          (const char            *subject,
                                            gboolean              *out_prefixed);

gboolean   lb_store_thread_assign          (LbStore               *self,
                                            const LbStoreMessage  *m,
                                            GError               **error);

GArray    *lb_store_list_thread_location_ids (LbStore             *self,
                                            gint64                 folder_id,
                                            GError               **error);
GPtrArray *lb_store_list_thread            (LbStore               *self,
                                            gint64                 thread_id,
                                            gint64                 folder_id,
                                            GError               **error);
void       lb_store_thread_summarize       (GPtrArray             *rows,
                                            LbStoreThreadSummary  *out);

G_END_DECLS
