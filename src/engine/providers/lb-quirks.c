/* lb-quirks.c: provider and server peculiarities, as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lb-error.h"
#include "lb-quirks.h"

/**
 * lb_quirks_init:
 *
 * Sets the defaults for an unknown server: send ID if advertised (decided by
 * the capabilities), IDLE if advertised, nothing else special.
 */
void
lb_quirks_init (LbQuirks *quirks)
{
  g_return_if_fail (quirks != NULL);

  memset (quirks, 0, sizeof *quirks);
  quirks->poll_interval = LB_QUIRKS_DEFAULT_POLL_INTERVAL;
}

static gboolean
get_bool (GKeyFile    *key_file,
          const char  *group,
          const char  *key,
          gboolean    *out,
          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean value;

  if (!g_key_file_has_key (key_file, group, key, NULL))
    return TRUE;
  value = g_key_file_get_boolean (key_file, group, key, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
get_uint64 (GKeyFile    *key_file,
            const char  *group,
            const char  *key,
            guint64      max,
            guint64     *out,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 value;

  if (!g_key_file_has_key (key_file, group, key, NULL))
    return TRUE;
  value = g_key_file_get_uint64 (key_file, group, key, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (value > max)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_PARSE,
                   "Provider %s: %s is too large", group, key);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/**
 * lb_quirks_load_from_key_file:
 *
 * Fills @quirks from the quirk keys of one provider group (see providers.ini).
 * Keys that are absent keep the defaults of lb_quirks_init().
 */
gboolean
lb_quirks_load_from_key_file (LbQuirks    *quirks,
                              GKeyFile    *key_file,
                              const char  *group,
                              GError     **error)
{
  gboolean idle = TRUE;
  guint64 poll_interval = LB_QUIRKS_DEFAULT_POLL_INTERVAL;
  guint64 max_connections = 0;

  g_return_val_if_fail (quirks != NULL, FALSE);

  lb_quirks_init (quirks);
  if (!get_bool (key_file, group, "SendId", &quirks->send_id, error)
      || !get_bool (key_file, group, "IdRequired", &quirks->id_required, error)
      || !get_bool (key_file, group, "Idle", &idle, error)
      || !get_uint64 (key_file, group, "PollInterval", 24 * 3600, &poll_interval, error)
      || !get_bool (key_file, group, "ServerSavesSentCopy", &quirks->server_saves_sent_copy, error)
      || !get_bool (key_file, group, "GmailLabels", &quirks->gmail_labels, error)
      || !get_uint64 (key_file, group, "MaxConnections", 1000, &max_connections, error)
      || !get_uint64 (key_file, group, "MaxMessageSize", G_MAXUINT64, &quirks->max_message_size, error)
      || !get_bool (key_file, group, "NoCondstoreFlagPoll", &quirks->no_condstore_flag_poll, error)
      || !get_bool (key_file, group, "NoNamespace", &quirks->no_namespace, error)
      || !get_bool (key_file, group, "SenderMustMatchLogin", &quirks->sender_must_match_login, error)
      || !get_bool (key_file, group, "LoginRateLimited", &quirks->login_rate_limited, error))
    return FALSE;

  quirks->poll_instead_of_idle = !idle;
  quirks->poll_interval = poll_interval > 0 ? (guint) poll_interval : LB_QUIRKS_DEFAULT_POLL_INTERVAL;
  quirks->max_connections = (guint) max_connections;
  /* A server that must get ID must also be sent it. */
  if (quirks->id_required)
    quirks->send_id = TRUE;
  return TRUE;
}

static const char *
find_capability (const char * const *capabilities,
                 const char         *name)
{
  gsize len = strlen (name);

  for (guint i = 0; capabilities[i] != NULL; i++)
    {
      const char *cap = capabilities[i];

      if (g_ascii_strncasecmp (cap, name, len) == 0 && (cap[len] == '\0' || cap[len] == '='))
        return cap;
    }
  return NULL;
}

/**
 * lb_quirks_merge_capabilities:
 * @capabilities: (array zero-terminated=1): the CAPABILITY atoms after login,
 *   such as "IDLE" or "APPENDLIMIT=71680000"
 *
 * Corrects @quirks with what the server says about itself.  The server wins
 * where it is explicit: ID is sent whenever it is advertised, a server
 * without IDLE is polled, CONDSTORE/QRESYNC switch flag polling off,
 * X-GM-EXT-1 means Gmail semantics and APPENDLIMIT gives the size limit.
 */
void
lb_quirks_merge_capabilities (LbQuirks           *quirks,
                              const char * const *capabilities)
{
  const char *appendlimit;

  g_return_if_fail (quirks != NULL);
  g_return_if_fail (capabilities != NULL);

  quirks->send_id = find_capability (capabilities, "ID") != NULL || quirks->id_required;

  if (find_capability (capabilities, "IDLE") == NULL)
    quirks->poll_instead_of_idle = TRUE;

  quirks->no_condstore_flag_poll = find_capability (capabilities, "CONDSTORE") == NULL
                                   && find_capability (capabilities, "QRESYNC") == NULL;

  if (find_capability (capabilities, "X-GM-EXT-1") != NULL)
    {
      /* A Google Workspace domain not in the database still behaves like Gmail. */
      quirks->gmail_labels = TRUE;
      quirks->server_saves_sent_copy = TRUE;
    }

  appendlimit = find_capability (capabilities, "APPENDLIMIT");
  if (appendlimit != NULL && appendlimit[strlen ("APPENDLIMIT")] == '=')
    {
      const char *digits = appendlimit + strlen ("APPENDLIMIT=");
      guint64 limit = 0;

      if (g_ascii_string_to_unsigned (digits, 10, 1, G_MAXUINT64, &limit, NULL))
        quirks->max_message_size = limit;
    }
}
