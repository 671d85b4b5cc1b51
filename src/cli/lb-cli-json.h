/* lb-cli-json.h: a small streaming JSON writer for --json output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _LbJson LbJson;

LbJson *lb_json_new          (void);
void    lb_json_free         (LbJson     *j);
void    lb_json_begin_object (LbJson     *j);
void    lb_json_end_object   (LbJson     *j);
void    lb_json_begin_array  (LbJson     *j);
void    lb_json_end_array    (LbJson     *j);
void    lb_json_begin_member_object (LbJson     *j,
                                     const char *key);
void    lb_json_begin_member_array  (LbJson     *j,
                                     const char *key);
void    lb_json_string       (LbJson     *j,
                              const char *key,
                              const char *value);
void    lb_json_int          (LbJson     *j,
                              const char *key,
                              gint64      value);
void    lb_json_uint         (LbJson     *j,
                              const char *key,
                              guint64     value);
void    lb_json_bool         (LbJson     *j,
                              const char *key,
                              gboolean    value);
void    lb_json_print        (LbJson     *j);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbJson, lb_json_free)

G_END_DECLS
