/* lb-account-check.c: try an account's IMAP and SMTP sign-in before it is added
 *
 * The account wizard's "Sign In" and `letterbox-cli account add` run this before anything
 * is stored, so that a wrong authorization code or server name is reported while the user
 * still has the form in front of them, in words that say what to change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lb-account-check-private.h"
#include "lb-account-private.h"
#include "lb-provider-db.h"
#include "lb-error-map.h"
#include "lb-imap-session.h"
#include "lb-quirks.h"
#include "lb-secrets.h"
#include "lb-smtp-sender.h"

G_DEFINE_BOXED_TYPE (LbAccountCheckResult, lb_account_check_result,
                     lb_account_check_result_copy, lb_account_check_result_free)

/**
 * lb_account_check_result_copy:
 *
 * Returns: (transfer full): a deep copy of @result
 */
LbAccountCheckResult *
lb_account_check_result_copy (const LbAccountCheckResult *result)
{
  LbAccountCheckResult *copy;

  g_return_val_if_fail (result != NULL, NULL);

  copy = g_new0 (LbAccountCheckResult, 1);
  copy->ok = result->ok;
  copy->failed = result->failed;
  copy->field = result->field;
  copy->message = g_strdup (result->message);
  copy->imap_error = result->imap_error != NULL ? g_error_copy (result->imap_error) : NULL;
  copy->smtp_error = result->smtp_error != NULL ? g_error_copy (result->smtp_error) : NULL;
  return copy;
}

void
lb_account_check_result_free (LbAccountCheckResult *result)
{
  if (result == NULL)
    return;

  g_free (result->message);
  g_clear_error (&result->imap_error);
  g_clear_error (&result->smtp_error);
  g_free (result);
}

typedef struct {
  LbAccountSettings *settings;
  char              *secret;
  LbProvider        *provider;
} CheckData;

static LbServerConfig *
server_config_copy_or_null (const LbServerConfig *config)
{
  return config != NULL ? lb_server_config_copy (config) : NULL;
}

static void
check_data_free (CheckData *data)
{
  lb_account_settings_free (data->settings);
  lb_secrets_free (data->secret);   /* overwritten before it is freed */
  g_clear_pointer (&data->provider, lb_provider_unref);
  g_free (data);
}

/* The engine's transport errors are LB_ERROR codes with "host: curl's text" as the
 * message; the CURLcode itself is gone by then.  The error mapper wants a CURLcode, so the
 * closest one is picked for each LB_ERROR code and curl's text is passed along, which is
 * what the mapper reads to tell the certificate failures apart. */
static CURLcode
curl_code_for (const GError *error,
               const char   *lower_detail)
{
  switch (error->code)
    {
    case LB_ERROR_DNS:
      return CURLE_COULDNT_RESOLVE_HOST;
    case LB_ERROR_TIMEOUT:
      return CURLE_OPERATION_TIMEDOUT;
    case LB_ERROR_AUTH:
      return CURLE_LOGIN_DENIED;
    case LB_ERROR_TLS:
      if (strstr (lower_detail, "starttls") != NULL || strstr (lower_detail, "ssl is required") != NULL)
        return CURLE_USE_SSL_FAILED;
      return CURLE_PEER_FAILED_VERIFICATION;
    case LB_ERROR_NETWORK:
      if (strstr (lower_detail, "connect") != NULL || strstr (lower_detail, "refused") != NULL
          || strstr (lower_detail, "unreachable") != NULL || strstr (lower_detail, "no route") != NULL)
        return CURLE_COULDNT_CONNECT;
      return CURLE_RECV_ERROR;
    default:
      return CURLE_OK;
    }
}

/* Turns what the IMAP session or the SMTP sender reported into a translated message, in
 * the provider's words where the server's reply is known. */
static GError *
map_error (const GError     *error,
           const char       *host,
           const LbProvider *provider,
           LbErrorPhase      phase,
           const char       *server_reply)
{
  g_autofree char *host_prefix = NULL;
  g_autofree char *lower = NULL;
  const char *detail = error->message;
  CURLcode code;

  if (error->domain != LB_ERROR)
    return g_error_copy (error);

  /* lb_curl_set_error writes "host: detail". */
  host_prefix = g_strdup_printf ("%s: ", host != NULL ? host : "");
  if (g_str_has_prefix (detail, host_prefix))
    detail += strlen (host_prefix);
  lower = g_ascii_strdown (detail, -1);

  if (server_reply != NULL && server_reply[0] != '\0'
      && (error->code == LB_ERROR_AUTH || error->code == LB_ERROR_SERVER_NO))
    {
      LbMappedErrorKind kind = LB_MAPPED_ERROR_UNKNOWN;
      g_autofree char *message = NULL;

      message = lb_error_map_server_text (provider, phase, server_reply, strlen (server_reply),
                                          &kind);
      if (message != NULL)
        return g_error_new_literal (LB_ERROR, lb_mapped_error_kind_to_code (kind), message);
    }

  if (error->code == LB_ERROR_SERVER_NO)
    {
      LbMappedErrorKind kind = LB_MAPPED_ERROR_UNKNOWN;
      g_autofree char *message = NULL;

      /* The IMAP session puts the server's NO text in the message. */
      message = lb_error_map_server_text (provider, phase, error->message,
                                          strlen (error->message), &kind);
      if (message != NULL)
        return g_error_new_literal (LB_ERROR, lb_mapped_error_kind_to_code (kind), message);
      return g_error_copy (error);
    }

  /* Only lb_curl_set_error's "host: detail" is curl's own text.  The IMAP connection maps
   * a failed connection itself (lb_error_map_curl, which knows the socket's errno):
   * mapping its message again would read translated words as curl's and lose what the
   * first mapping knew, such as a refused connection. */
  if (error->code != LB_ERROR_AUTH && !g_str_has_prefix (error->message, host_prefix))
    return g_error_copy (error);

  code = curl_code_for (error, lower);
  if (code == CURLE_OK)
    return g_error_copy (error);

  return lb_error_map_curl (code, detail, host, provider, phase,
                            server_reply, server_reply != NULL ? strlen (server_reply) : 0);
}

static LbAccountCheckField
field_for (const GError *error)
{
  if (error == NULL)
    return LB_ACCOUNT_CHECK_FIELD_NONE;
  if (g_error_matches (error, LB_ERROR, LB_ERROR_AUTH))
    return LB_ACCOUNT_CHECK_FIELD_PASSWORD;
  if (g_error_matches (error, LB_ERROR, LB_ERROR_UNSUPPORTED))
    return LB_ACCOUNT_CHECK_FIELD_NONE;
  return LB_ACCOUNT_CHECK_FIELD_SERVER;
}

typedef struct {
  const LbServerConfig *config;
  const char           *secret;
  const LbProvider     *provider;
  GCancellable         *cancellable;
  GError               *error;
} SmtpJob;

/* The provider whose words explain a failure of @config's login.  None for OAuth2: a
 * refused token means signing in again, never a password or an app password to change,
 * and Outlook.com's words for a refused login say that it wants OAuth2. */
static const LbProvider *
words_provider (const LbProvider     *provider,
                const LbServerConfig *config)
{
  return LB_AUTH_IS_TOKEN (config->auth) ? NULL : provider;
}

static gpointer
smtp_thread (gpointer user_data)
{
  SmtpJob *job = user_data;
  g_autofree char *reply = NULL;
  g_autoptr(GError) error = NULL;

  if (!lb_smtp_check_login_sync (job->config, job->secret, &reply, job->cancellable, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        job->error = g_steal_pointer (&error);
      else
        job->error = map_error (error, job->config->host,
                                words_provider (job->provider, job->config),
                                LB_ERROR_PHASE_SMTP_AUTH, reply);
    }
  return NULL;
}

static GError *
check_imap (const LbServerConfig *config,
            const char           *secret,
            const LbProvider     *provider,
            GCancellable         *cancellable)
{
  g_autoptr(LbImapSession) session = lb_imap_session_new ();
  g_autoptr(GError) error = NULL;
  LbQuirks quirks;

  lb_quirks_init (&quirks);
  if (provider != NULL)
    lb_provider_get_quirks (provider, &quirks);

  if (!lb_imap_session_connect_sync (session, config, secret, quirks.id_required,
                                     cancellable, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return g_steal_pointer (&error);
      return map_error (error, config->host, words_provider (provider, config),
                        LB_ERROR_PHASE_IMAP_LOGIN, NULL);
    }
  /* A server may accept AUTH for an OAuth2 token issued to another user (Microsoft does,
   * issue 13): only a command on the mailbox shows whether the session is this one. */
  if (LB_AUTH_IS_TOKEN (config->auth) &&
      !lb_imap_session_select_sync (session, "INBOX", TRUE, NULL, NULL, NULL, NULL,
                                    cancellable, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return g_steal_pointer (&error);
      return map_error (error, config->host, words_provider (provider, config),
                        LB_ERROR_PHASE_IMAP_LOGIN, NULL);
    }

  lb_imap_session_logout (session);
  return NULL;
}

/**
 * lb_account_check_sync:
 * @settings: the account as it would be added; @settings->smtp may be %NULL
 * @secret: the password or authorization code; never logged or stored
 * @provider: (nullable): the provider entry, for its quirks and its words
 * @cancellable: (nullable): aborts both sign-ins
 * @error: set only when cancelled
 *
 * Signs in to the IMAP server (then logs out) and authenticates to the SMTP server at
 * the same time, on two threads.  Blocking.
 *
 * Returns: (transfer full) (nullable): what was found, or %NULL if cancelled
 */
LbAccountCheckResult *
lb_account_check_sync (const LbAccountSettings *settings,
                       const char              *secret,
                       const LbProvider        *provider,
                       GCancellable            *cancellable,
                       GError                 **error)
{
  g_autoptr(LbAccountCheckResult) result = g_new0 (LbAccountCheckResult, 1);
  SmtpJob job = { 0 };
  GThread *thread = NULL;

  g_return_val_if_fail (settings != NULL && settings->imap != NULL, NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  if (settings->smtp != NULL)
    {
      job.config = settings->smtp;
      job.secret = secret;
      job.provider = provider;
      job.cancellable = cancellable;
      thread = g_thread_new ("lb-check-smtp", smtp_thread, &job);
    }

  result->imap_error = check_imap (settings->imap, secret, provider, cancellable);

  if (thread != NULL)
    {
      g_thread_join (thread);
      result->smtp_error = job.error;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (result->imap_error != NULL)
    result->failed |= LB_ACCOUNT_CHECK_SIDE_IMAP;
  if (result->smtp_error != NULL)
    result->failed |= LB_ACCOUNT_CHECK_SIDE_SMTP;
  result->ok = result->failed == LB_ACCOUNT_CHECK_SIDE_NONE;

  /* IMAP is reported first: it is the server the user reads mail from, and a refused
   * password there is usually refused by SMTP too. */
  if (result->imap_error != NULL)
    {
      result->field = field_for (result->imap_error);
      result->message = g_strdup (result->imap_error->message);
    }
  else if (result->smtp_error != NULL)
    {
      result->field = field_for (result->smtp_error);
      /* Translators: %s explains why the outgoing mail server refused the sign-in. */
      result->message = g_strdup_printf (_("Sending mail: %s"), result->smtp_error->message);
    }

  return g_steal_pointer (&result);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckData *data = task_data;
  LbAccountCheckResult *result;
  GError *error = NULL;

  result = lb_account_check_sync (data->settings, data->secret, data->provider,
                                  cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) lb_account_check_result_free);
}

/**
 * lb_account_check_async:
 * @settings: the account as it would be added (copied); its provider id, if any, gives
 *   the provider's quirks and its words for the errors
 * @secret: the password or authorization code (copied, wiped after use; never logged)
 * @cancellable: (nullable): aborts both sign-ins
 * @callback: called on the thread-default main context of the caller
 * @user_data: for @callback
 *
 * Signs in to the IMAP server (then logs out) and authenticates to the SMTP server, on
 * threads of their own; nothing blocks the caller.
 */
void
lb_account_check_async (const LbAccountSettings *settings,
                        const char              *secret,
                        GCancellable            *cancellable,
                        GAsyncReadyCallback      callback,
                        gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  LbProvider *provider = NULL;
  CheckData *data;

  g_return_if_fail (settings != NULL && settings->imap != NULL);
  g_return_if_fail (secret != NULL);

  data = g_new0 (CheckData, 1);
  data->settings = lb_account_settings_new ();
  data->settings->email = g_strdup (settings->email);
  data->settings->display_name = g_strdup (settings->display_name);
  data->settings->provider_id = g_strdup (settings->provider_id);
  data->settings->imap = server_config_copy_or_null (settings->imap);
  data->settings->smtp = server_config_copy_or_null (settings->smtp);
  data->secret = g_strdup (secret);
  if (settings->provider_id != NULL)
    provider = lb_provider_db_lookup_id (lb_provider_db_get_default (), settings->provider_id);
  data->provider = provider != NULL ? lb_provider_ref (provider) : NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_account_check_async);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, check_thread);
}

/**
 * lb_account_check_finish:
 *
 * Returns: (transfer full) (nullable): the result (check its @ok), or %NULL with
 *   %G_IO_ERROR_CANCELLED
 */
LbAccountCheckResult *
lb_account_check_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lb_account_check_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  LbAccountSettings *settings;
  char              *profile_id;
  char              *key;
  char              *email;
} SavedCheckData;

static void
saved_check_data_free (SavedCheckData *data)
{
  lb_account_settings_free (data->settings);
  g_free (data->profile_id);
  g_free (data->key);
  g_free (data->email);
  g_free (data);
}

static void
saved_check_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  SavedCheckData *data = task_data;
  g_autoptr(LbProvider) provider = NULL;
  LbAccountCheckResult *result;
  GError *error = NULL;
  LbSecret *secret;

  secret = lb_secrets_lookup_sync (data->profile_id, data->key, data->email, cancellable, &error);
  if (secret == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->settings->provider_id != NULL)
    {
      LbProvider *p = lb_provider_db_lookup_id (lb_provider_db_get_default (),
                                                data->settings->provider_id);
      provider = p != NULL ? lb_provider_ref (p) : NULL;
    }
  result = lb_account_check_sync (data->settings, secret, provider, cancellable, &error);
  lb_secrets_free (secret);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) lb_account_check_result_free);
}

/**
 * lb_account_check_saved_async:
 * @account: a password account
 * @settings: the servers to try (copied), e.g. changed ones before they are saved
 * @cancellable: (nullable): aborts both sign-ins
 *
 * Like lb_account_check_async() with the secret @account has in the keyring: for
 * checking changed servers when the password stays.  Finish with
 * lb_account_check_finish().  An OAuth2 account's secret is a refresh token, not
 * something a server accepts: it fails with %G_IO_ERROR_NOT_SUPPORTED.
 */
void
lb_account_check_saved_async (LbAccount               *account,
                              const LbAccountSettings *settings,
                              GCancellable            *cancellable,
                              GAsyncReadyCallback      callback,
                              gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  SavedCheckData *data;

  g_return_if_fail (LB_IS_ACCOUNT (account));
  g_return_if_fail (settings != NULL && settings->imap != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  /* The tag of lb_account_check_async(), whose _finish() this shares. */
  g_task_set_source_tag (task, lb_account_check_async);
  if (lb_account_get_auth (account) != LB_AUTH_PASSWORD)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "An OAuth2 account is checked by signing in again");
      return;
    }
  data = g_new0 (SavedCheckData, 1);
  data->settings = lb_account_settings_new ();
  data->settings->email = g_strdup (settings->email);
  data->settings->provider_id = g_strdup (settings->provider_id);
  data->settings->imap = server_config_copy_or_null (settings->imap);
  data->settings->smtp = server_config_copy_or_null (settings->smtp);
  data->profile_id = g_strdup (_lb_account_get_profile_id (account));
  data->key = _lb_account_secret_key (lb_account_get_id (account));
  data->email = g_strdup (lb_account_get_email (account));
  g_task_set_task_data (task, data, (GDestroyNotify) saved_check_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, saved_check_thread);
}
