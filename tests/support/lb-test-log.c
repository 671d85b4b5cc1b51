/* lb-test-log.c: a test's log, kept for the test to look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-test-log.h"

static GMutex log_mutex;
static GString *log_text;

static GLogWriterOutput
record_writer (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  g_autofree char *line = g_log_writer_format_fields (level, fields, n_fields, FALSE);

  g_mutex_lock (&log_mutex);
  g_string_append_printf (log_text, "%s\n", line);
  g_mutex_unlock (&log_mutex);
  g_printerr ("%s\n", line);
  return G_LOG_WRITER_HANDLED;
}

/**
 * lb_test_log_record:
 *
 * Installs the writer; call it once, before g_test_init() and before any thread logs.
 */
void
lb_test_log_record (void)
{
  log_text = g_string_new (NULL);
  g_log_set_writer_func (record_writer, NULL, NULL);
}

void
lb_test_log_clear (void)
{
  g_mutex_lock (&log_mutex);
  g_string_truncate (log_text, 0);
  g_mutex_unlock (&log_mutex);
}

guint
lb_test_log_count (const char *needle)
{
  guint n = 0;

  g_mutex_lock (&log_mutex);
  for (const char *p = strstr (log_text->str, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  g_mutex_unlock (&log_mutex);
  return n;
}
