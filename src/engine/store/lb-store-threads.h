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

/* Where a message being stored goes (see lb_store_thread_plan()). */
typedef struct {
  GPtrArray *keys;         /* the Message-ID keys it names */
  GArray    *found;        /* gint64: the threads they (or its subject) are in */
  char      *subject_key;  /* or NULL */
  gint64     thread_id;    /* the thread id to insert the row with */
} LbThreadPlan;

void       lb_thread_plan_clear            (LbThreadPlan          *plan);
gboolean   lb_store_thread_plan            (LbStore               *self,
                                            gint64                 account_id,
                                            const LbStoreMessage  *m,
                                            LbThreadPlan          *plan,
                                            GError               **error);
gboolean   lb_store_thread_apply           (LbStore               *self,
                                            LbThreadPlan          *plan,
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

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LbThreadPlan, lb_thread_plan_clear)

G_END_DECLS
