/* lb-provider-info.h: what the UI may know about a mail provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * SECTION:lb-provider-info
 * @title: LbProviderInfo
 *
 * What the UI may show about a mail provider (the account wizard's secret page, the
 * provider's name in the preferences, the composer's size warning), without the provider
 * database's internals.  Immutable and reference-counted: any thread.  No signals.
 * Strings returned by the getters are owned by the info.
 */
#pragma once

#include <glib-object.h>

#include "lb-types.h"

G_BEGIN_DECLS

/**
 * LbProviderInfo:
 *
 * A mail provider as the user sees it: its name, what it calls the password, how to get
 * one (numbered steps and a help page), and the limits that matter when writing mail.
 * It comes from the bundled provider database, from what autoconfig said about a domain
 * the database does not know, or both.
 *
 * An immutable, reference-counted boxed type: it may be passed to and read on any thread.
 */
typedef struct _LbProviderInfo LbProviderInfo;

#define LB_TYPE_PROVIDER_INFO (lb_provider_info_get_type ())

GType             lb_provider_info_get_type               (void) G_GNUC_CONST;
LbProviderInfo   *lb_provider_info_ref                    (LbProviderInfo       *info);
void              lb_provider_info_unref                  (LbProviderInfo       *info);

LbProviderInfo   *lb_provider_info_lookup                 (const char           *provider_id);

const char       *lb_provider_info_get_id                 (const LbProviderInfo *info);
const char       *lb_provider_info_get_name               (const LbProviderInfo *info,
                                                           const char           *language);
LbCredentialKind  lb_provider_info_get_credential_kind    (const LbProviderInfo *info);
const char       *lb_provider_info_get_oauth2_id          (const LbProviderInfo *info);
const char       *lb_provider_info_get_help_url           (const LbProviderInfo *info);
const char       *lb_provider_info_get_secret_term        (const LbProviderInfo *info,
                                                           const char           *language);
const char *const *lb_provider_info_get_help_steps        (const LbProviderInfo *info,
                                                           const char           *language);
guint64           lb_provider_info_get_max_message_size   (const LbProviderInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbProviderInfo, lb_provider_info_unref)

G_END_DECLS
