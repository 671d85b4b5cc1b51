/* lb-provider.h: one entry of the bundled mail provider database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "lb-quirks.h"
#include "lb-types.h"

G_BEGIN_DECLS

/**
 * LbUsernameForm:
 * @LB_USERNAME_ADDRESS: the full e-mail address
 * @LB_USERNAME_LOCAL_PART: the part before the `@` (iCloud IMAP)
 *
 * Which user name a server expects.
 */
typedef enum {
  LB_USERNAME_ADDRESS,
  LB_USERNAME_LOCAL_PART,
} LbUsernameForm;

/**
 * LbProviderServer:
 * @host: host name
 * @port: TCP port
 * @security: implicit TLS or STARTTLS
 * @username_form: which user name the server expects
 *
 * One server of a provider entry, before any address is filled in.
 */
typedef struct {
  const char     *host;
  guint16         port;
  LbSecurity      security;
  LbUsernameForm  username_form;
} LbProviderServer;

/**
 * LbProvider:
 *
 * An immutable, reference-counted provider entry: names, domains, MX hosts,
 * servers, credential kind, help and quirks.  Entries come from #LbProviderDb.
 */
typedef struct _LbProvider LbProvider;

#define LB_TYPE_PROVIDER (lb_provider_get_type ())

GType                   lb_provider_get_type            (void) G_GNUC_CONST;
LbProvider             *lb_provider_ref                 (LbProvider       *provider);
void                    lb_provider_unref               (LbProvider       *provider);

LbProvider             *lb_provider_new_from_key_file   (GKeyFile         *key_file,
                                                         const char       *group,
                                                         GError          **error);

const char             *lb_provider_get_id              (const LbProvider *provider);
const char             *lb_provider_get_family          (const LbProvider *provider);
const char             *lb_provider_get_name            (const LbProvider *provider,
                                                         const char       *language);
const char * const     *lb_provider_get_domains         (const LbProvider *provider);
const char * const     *lb_provider_get_mx_hosts        (const LbProvider *provider);
const LbProviderServer *lb_provider_get_imap            (const LbProvider *provider);
const LbProviderServer *lb_provider_get_smtp            (const LbProvider *provider);
LbCredentialKind        lb_provider_get_credential_kind (const LbProvider *provider);
const char             *lb_provider_get_help_url        (const LbProvider *provider);
const char             *lb_provider_get_oauth2_id       (const LbProvider *provider);
const char             *lb_provider_get_secret_term     (const LbProvider *provider,
                                                         const char       *language);
const char * const     *lb_provider_get_help_steps      (const LbProvider *provider,
                                                         const char       *language);
char                   *lb_provider_make_username       (const LbProvider *provider,
                                                         gboolean          for_smtp,
                                                         const char       *address);

gboolean                lb_provider_matches_domain      (const LbProvider *provider,
                                                         const char       *domain);
gboolean                lb_provider_lookup_folder_role  (const LbProvider *provider,
                                                         const char       *decoded_name,
                                                         const char       *raw_name,
                                                         LbFolderRole     *role_out);
const char             *lb_provider_get_folder_name     (const LbProvider *provider,
                                                         LbFolderRole      role);

gboolean                lb_hostname_matches_pattern     (const char       *hostname,
                                                         const char       *pattern);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbProvider, lb_provider_unref)

void lb_provider_get_quirks (const LbProvider *provider,
                             LbQuirks         *out);

G_END_DECLS
