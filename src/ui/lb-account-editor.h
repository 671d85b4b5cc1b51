/* lb-account-editor.h: the window that changes an existing account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lb-engine.h"

G_BEGIN_DECLS

#define LB_TYPE_ACCOUNT_EDITOR (lb_account_editor_get_type ())
G_DECLARE_FINAL_TYPE (LbAccountEditor, lb_account_editor, LB, ACCOUNT_EDITOR, AdwWindow)

LbAccountEditor *lb_account_editor_present (GtkWindow *parent,
                                            LbEngine  *engine,
                                            LbAccount *account);

G_END_DECLS
