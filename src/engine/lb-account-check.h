/* lb-account-check.h: try an account's IMAP and SMTP sign-in before it is added
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-account-check
 * @title: lb_account_check_async
 *
 * Tries an account's IMAP and SMTP sign-in before the account is added.  Called from the
 * main thread; both sign-ins run on threads of their own and the callback runs on the
 * caller's main context.  The result is plain data owned by the caller.  No signals.
 */
#pragma once

#include <gio/gio.h>

#include "lb-engine.h"

G_BEGIN_DECLS

/**
 * LbAccountCheckSide:
 * @LB_ACCOUNT_CHECK_SIDE_NONE: nothing failed
 * @LB_ACCOUNT_CHECK_SIDE_IMAP: the incoming (IMAP) server failed
 * @LB_ACCOUNT_CHECK_SIDE_SMTP: the outgoing (SMTP) server failed
 *
 * Which server a check failed on; both bits can be set.
 */
typedef enum {
  LB_ACCOUNT_CHECK_SIDE_NONE = 0,
  LB_ACCOUNT_CHECK_SIDE_IMAP = 1 << 0,
  LB_ACCOUNT_CHECK_SIDE_SMTP = 1 << 1,
} LbAccountCheckSide;

/**
 * LbAccountCheckField:
 * @LB_ACCOUNT_CHECK_FIELD_NONE: nothing the user can fix in the form (success,
 *   or a provider that needs OAuth2)
 * @LB_ACCOUNT_CHECK_FIELD_PASSWORD: the password or authorization code was refused
 * @LB_ACCOUNT_CHECK_FIELD_SERVER: the server settings (host, port, security) or the
 *   network are the problem
 *
 * Which part of the form the user should look at after a failed check.
 */
typedef enum {
  LB_ACCOUNT_CHECK_FIELD_NONE,
  LB_ACCOUNT_CHECK_FIELD_PASSWORD,
  LB_ACCOUNT_CHECK_FIELD_SERVER,
} LbAccountCheckField;

/**
 * LbAccountCheckResult:
 * @ok: both servers accepted the sign-in
 * @failed: which servers failed
 * @field: what the user should fix
 * @message: (nullable): a friendly, translated message for the first failure
 *   (IMAP before SMTP), or %NULL on success
 * @imap_error: (nullable): the mapped IMAP failure (%LB_ERROR)
 * @smtp_error: (nullable): the mapped SMTP failure (%LB_ERROR)
 *
 * What lb_account_check_async() found.  Never holds the secret.
 */
typedef struct {
  gboolean             ok;
  LbAccountCheckSide   failed;
  LbAccountCheckField  field;
  char                *message;
  GError              *imap_error;
  GError              *smtp_error;
} LbAccountCheckResult;

#define LB_TYPE_ACCOUNT_CHECK_RESULT (lb_account_check_result_get_type ())

GType                 lb_account_check_result_get_type (void) G_GNUC_CONST;
LbAccountCheckResult *lb_account_check_result_copy     (const LbAccountCheckResult *result);
void                  lb_account_check_result_free     (LbAccountCheckResult       *result);

void                  lb_account_check_async           (const LbAccountSettings    *settings,
                                                        const char                 *secret,
                                                        GCancellable               *cancellable,
                                                        GAsyncReadyCallback         callback,
                                                        gpointer                    user_data);
void                  lb_account_check_saved_async     (LbAccount                  *account,
                                                        const LbAccountSettings    *settings,
                                                        GCancellable               *cancellable,
                                                        GAsyncReadyCallback         callback,
                                                        gpointer                    user_data);
LbAccountCheckResult *lb_account_check_finish          (GAsyncResult               *result,
                                                        GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbAccountCheckResult, lb_account_check_result_free)

G_END_DECLS
