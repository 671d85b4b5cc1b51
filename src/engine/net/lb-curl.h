/* lb-curl.h: libcurl set-up shared by IMAP, SMTP and HTTPS autoconfig
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <curl/curl.h>
#include <gio/gio.h>

#include "lb-server-config.h"

G_BEGIN_DECLS

void   lb_curl_global_init         (void);
char  *lb_curl_build_url           (const char           *scheme,
                                    const char           *host,
                                    guint16               port);
CURL  *lb_curl_easy_new_for_server (const LbServerConfig *config,
                                    const char           *password,
                                    const char           *url,
                                    GCancellable         *cancellable,
                                    char                 *errbuf);
void   lb_curl_set_proxy           (CURL                 *h,
                                    const char           *proxy,
                                    const char           *url);
const char *lb_curl_oauth2_mechanism (const LbServerConfig *config);
gboolean    lb_curl_note_server_line (const LbServerConfig *config,
                                      const char           *line,
                                      gsize                 length);
void   lb_curl_note_os_error       (CURL                 *h,
                                    CURLcode              code,
                                    char                 *errbuf);
void   lb_curl_set_error           (GError              **error,
                                    CURLcode              code,
                                    const char           *errbuf,
                                    const char           *host);

G_END_DECLS
