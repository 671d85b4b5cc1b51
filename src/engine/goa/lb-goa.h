/* lb-goa.h: mail accounts of GNOME Online Accounts, and their access tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lb-server-config.h"

G_BEGIN_DECLS

/**
 * LbGoaAccount:
 * @id: the Online Accounts account id (stable while the account exists there)
 * @provider_type: GOA's provider type ("google", "windows_live")
 * @provider_name: its name for people ("Google")
 * @email: the address
 * @name: (nullable): the person's name, as the provider gave it
 * @attention_needed: Online Accounts knows that the sign-in must be renewed there
 * @imap: the incoming server (auth %LB_AUTH_GOA, username set)
 * @smtp: the outgoing server (auth %LB_AUTH_GOA, username set)
 *
 * An account of Online Accounts that Letterbox can use: Mail enabled, an IMAP and an SMTP
 * server reached with TLS, and an OAuth2 token that IMAP accepts.
 */
typedef struct {
  char           *id;
  char           *provider_type;
  char           *provider_name;
  char           *email;
  char           *name;
  gboolean        attention_needed;
  LbServerConfig *imap;
  LbServerConfig *smtp;
} LbGoaAccount;

void          lb_goa_account_free            (LbGoaAccount  *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbGoaAccount, lb_goa_account_free)

gboolean      lb_goa_is_available            (void);
gboolean      lb_goa_provider_can_do_imap    (const char    *provider_type);

GPtrArray    *lb_goa_list_accounts_sync      (GCancellable  *cancellable,
                                              GError       **error);
void          lb_goa_list_accounts_async     (GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray    *lb_goa_list_accounts_finish    (GAsyncResult  *result,
                                              GError       **error);
LbGoaAccount *lb_goa_find_account_sync       (const char    *goa_id,
                                              GCancellable  *cancellable,
                                              GError       **error);
char         *lb_goa_get_access_token_sync   (const char    *goa_id,
                                              GCancellable  *cancellable,
                                              GError       **error);

G_END_DECLS
