/* lb-account-wizard.h: the window that adds a mail account (or signs one in again)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-account-discovery.h"
#include "lb-engine.h"
#include "lb-ui-types.h"

G_BEGIN_DECLS

#define LB_TYPE_ACCOUNT_WIZARD (lb_account_wizard_get_type ())

G_DECLARE_FINAL_TYPE (LbAccountWizard, lb_account_wizard, LB, ACCOUNT_WIZARD, AdwWindow)

LbAccountWizard *lb_account_wizard_new          (LbEngine        *engine);
LbAccountWizard *lb_account_wizard_present      (GtkWindow       *parent,
                                                 LbEngine        *engine);
LbAccountWizard *lb_account_wizard_present_sign_in (GtkWindow    *parent,
                                                 LbEngine        *engine,
                                                 LbAccount       *account);
const char      *lb_account_wizard_get_page     (LbAccountWizard *self);
const char      *lb_account_wizard_get_sign_in_uri (LbAccountWizard *self);
void             lb_account_wizard_set_network_monitor (LbAccountWizard *self,
                                                 GNetworkMonitor *monitor);

char            *lb_account_wizard_clean_secret (LbCredentialKind kind,
                                                 const char      *typed);
void             lb_account_wizard_restore_client_ids (GSettings *settings);

G_END_DECLS
