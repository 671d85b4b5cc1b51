/* lb-imap-search.h: searching a mailbox on the server (UID SEARCH)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lb-imap-session.h"
#include "lb-search-query.h"

G_BEGIN_DECLS

char   *lb_imap_search_build_criteria (const LbSearchQuery  *query,
                                       gboolean              literal_plus);
GArray *lb_imap_search_uids_sync      (LbImapSession        *session,
                                       const LbSearchQuery  *query,
                                       GCancellable         *cancellable,
                                       GError              **error);

G_END_DECLS
