/* lb-goa.c: mail accounts of GNOME Online Accounts, and their access tokens
 *
 * Online Accounts keeps the grant (the refresh token) and hands out access tokens over
 * D-Bus: EnsureCredentials first (it renews the token when needed and says
 * NOT_AUTHORIZED when only the user can fix the sign-in, in Settings), then
 * OAuth2Based.GetAccessToken.  Letterbox stores only the account's GOA id.
 *
 * Only OAuth2 accounts of providers whose token IMAP accepts are offered: Google (scope
 * https://mail.google.com/) and Microsoft's windows_live where that GOA still has Mail
 * (up to 3.54; its successor ms_graph has Graph scopes only, see TESTING.md).  GOA's
 * password-based mail accounts (the generic "IMAP and SMTP" provider) are left out on
 * purpose: Letterbox's own wizard adds those with the same servers and keeps the password
 * in the keyring, and taking them from GOA would make a second password path (GOA's
 * PasswordBased.GetPassword for IMAP and SMTP separately) to keep right for no gain.
 *
 * Every call makes its own GoaClient with a private thread-default main context, so that
 * it can run on any thread (the account's worker asks for tokens on its own threads)
 * without GDBus delivering the client's signals to a context that nobody runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lb-error.h"
#include "lb-goa.h"

#if LB_HAVE_GOA
#define GOA_API_IS_SUBJECT_TO_CHANGE
#include <goa/goa.h>
#endif

void
lb_goa_account_free (LbGoaAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->id);
  g_free (account->provider_type);
  g_free (account->provider_name);
  g_free (account->email);
  g_free (account->name);
  lb_server_config_free (account->imap);
  lb_server_config_free (account->smtp);
  g_free (account);
}

/**
 * lb_goa_is_available:
 *
 * Returns: whether this build can use Online Accounts at all
 */
gboolean
lb_goa_is_available (void)
{
  return LB_HAVE_GOA;
}

/**
 * lb_goa_provider_can_do_imap:
 * @provider_type: GOA's provider type
 *
 * Returns: whether that provider's OAuth2 token is one an IMAP server accepts
 */
gboolean
lb_goa_provider_can_do_imap (const char *provider_type)
{
  return g_strcmp0 (provider_type, "google") == 0 ||
         g_strcmp0 (provider_type, "windows_live") == 0;
}

#if LB_HAVE_GOA

/* GOA's host properties may carry a port ("imap.example.com:1993", "[::1]:993"). */
static LbServerConfig *
server_from_goa (const char *host_spec,
                 gboolean    use_ssl,
                 gboolean    use_tls,
                 guint16     ssl_port,
                 guint16     tls_port,
                 const char *username)
{
  g_autofree char *host = NULL;
  guint64 port = 0;
  const char *colon;
  LbServerConfig *config;

  if (host_spec == NULL || host_spec[0] == '\0' || (!use_ssl && !use_tls))
    return NULL;   /* Letterbox never logs in over clear text. */
  colon = strrchr (host_spec, ':');
  if (host_spec[0] == '[')
    {
      const char *end = strchr (host_spec, ']');
      if (end == NULL)
        return NULL;
      host = g_strndup (host_spec + 1, end - host_spec - 1);
      if (end[1] == ':' && !g_ascii_string_to_unsigned (end + 2, 10, 1, 65535, &port, NULL))
        return NULL;
    }
  else if (colon != NULL && strchr (host_spec, ':') == colon)
    {
      host = g_strndup (host_spec, colon - host_spec);
      if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
        return NULL;
    }
  else
    host = g_strdup (host_spec);
  if (port == 0)
    port = use_ssl ? ssl_port : tls_port;
  config = lb_server_config_new (host, (guint16) port,
                                 use_ssl ? LB_SECURITY_TLS : LB_SECURITY_STARTTLS, username);
  config->auth = LB_AUTH_GOA;
  return config;
}

/* The account of @object, if Letterbox can use it. */
static LbGoaAccount *
account_from_object (GoaObject *object)
{
  GoaAccount *account = goa_object_peek_account (object);
  GoaMail *mail = goa_object_peek_mail (object);
  g_autoptr(LbGoaAccount) a = NULL;
  const char *email;
  const char *imap_user;
  const char *smtp_user;

  if (account == NULL || mail == NULL || goa_object_peek_oauth2_based (object) == NULL)
    return NULL;
  if (goa_account_get_mail_disabled (account) ||
      !lb_goa_provider_can_do_imap (goa_account_get_provider_type (account)))
    return NULL;
  email = goa_mail_get_email_address (mail);
  if (email == NULL || strchr (email, '@') == NULL ||
      !goa_mail_get_imap_supported (mail) || !goa_mail_get_smtp_supported (mail))
    return NULL;
  imap_user = goa_mail_get_imap_user_name (mail);
  smtp_user = goa_mail_get_smtp_user_name (mail);
  a = g_new0 (LbGoaAccount, 1);
  a->imap = server_from_goa (goa_mail_get_imap_host (mail), goa_mail_get_imap_use_ssl (mail),
                             goa_mail_get_imap_use_tls (mail), 993, 143,
                             imap_user != NULL && imap_user[0] != '\0' ? imap_user : email);
  a->smtp = server_from_goa (goa_mail_get_smtp_host (mail), goa_mail_get_smtp_use_ssl (mail),
                             goa_mail_get_smtp_use_tls (mail), 465, 587,
                             smtp_user != NULL && smtp_user[0] != '\0' ? smtp_user : email);
  if (a->imap == NULL || a->smtp == NULL)
    return NULL;
  a->id = g_strdup (goa_account_get_id (account));
  a->provider_type = g_strdup (goa_account_get_provider_type (account));
  a->provider_name = g_strdup (goa_account_get_provider_name (account));
  a->email = g_strdup (email);
  a->name = g_strdup (goa_mail_get_name (mail));
  a->attention_needed = goa_account_get_attention_needed (account);
  if (a->id == NULL)
    return NULL;
  return g_steal_pointer (&a);
}

/* A client of its own, on a private thread-default context (see the top). */
typedef struct {
  GMainContext *context;
  GoaClient    *client;
} Session;

static gboolean
session_open (Session       *s,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  /* Registers GOA's D-Bus error names, so that NotAuthorized arrives as GOA_ERROR. */
  (void) goa_error_quark ();
  s->context = g_main_context_new ();
  g_main_context_push_thread_default (s->context);
  s->client = goa_client_new_sync (cancellable, &local_error);
  if (s->client == NULL)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_UNSUPPORTED,
                   _("Online Accounts cannot be reached: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
session_close (Session *s)
{
  g_clear_object (&s->client);
  /* What the client left queued on its context goes with it. */
  while (g_main_context_iteration (s->context, FALSE))
    ;
  g_main_context_pop_thread_default (s->context);
  g_main_context_unref (s->context);
}

/**
 * lb_goa_list_accounts_sync:
 *
 * Returns: (transfer container) (element-type LbGoaAccount): the accounts Letterbox can
 *   use, perhaps none; %NULL with @error when Online Accounts cannot be reached (or this
 *   build has no Online Accounts)
 */
GPtrArray *
lb_goa_list_accounts_sync (GCancellable  *cancellable,
                           GError       **error)
{
  Session s = { 0 };
  g_autoptr(GPtrArray) result = NULL;
  GList *objects;

  if (!session_open (&s, cancellable, error))
    {
      session_close (&s);
      return NULL;
    }
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_goa_account_free);
  objects = goa_client_get_accounts (s.client);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      LbGoaAccount *a = account_from_object (l->data);
      if (a != NULL)
        g_ptr_array_add (result, a);
    }
  g_list_free_full (objects, g_object_unref);
  session_close (&s);
  return g_steal_pointer (&result);
}

/* With the session open: the object of the account @goa_id, usable by Letterbox. */
static GoaObject *
lookup (Session     *s,
        const char  *goa_id,
        GError     **error)
{
  g_autoptr(GoaObject) object = goa_client_lookup_by_id (s->client, goa_id);
  g_autoptr(LbGoaAccount) usable = object != NULL ? account_from_object (object) : NULL;

  if (usable == NULL)
    {
      /* Removed in Settings, or its Mail switched off: only the user can change that. */
      g_set_error_literal (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED,
                           _("This account is no longer in Online Accounts, or its mail is "
                             "turned off there. Check Settings, Online Accounts."));
      return NULL;
    }
  return g_steal_pointer (&object);
}

/**
 * lb_goa_find_account_sync:
 *
 * Returns: (transfer full): the usable account @goa_id, or %NULL with
 *   %LB_ERROR_SIGN_IN_REQUIRED when Online Accounts no longer offers it
 */
LbGoaAccount *
lb_goa_find_account_sync (const char    *goa_id,
                          GCancellable  *cancellable,
                          GError       **error)
{
  Session s = { 0 };
  g_autoptr(GoaObject) object = NULL;
  LbGoaAccount *result = NULL;

  if (session_open (&s, cancellable, error))
    {
      object = lookup (&s, goa_id, error);
      if (object != NULL)
        result = account_from_object (object);
    }
  g_clear_object (&object);
  session_close (&s);
  return result;
}

static void
set_goa_error (GError     **error,
               GError      *goa_error)
{
  if (g_error_matches (goa_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_error_copy (goa_error));
      return;
    }
  g_dbus_error_strip_remote_error (goa_error);
  if (g_error_matches (goa_error, GOA_ERROR, GOA_ERROR_NOT_AUTHORIZED))
    g_set_error_literal (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED,
                         _("Online Accounts needs you to sign in to this account again. "
                           "Open Settings, Online Accounts."));
  else
    g_set_error (error, LB_ERROR, LB_ERROR_FAILED,
                 _("Online Accounts gave no access token: %s"), goa_error->message);
}

/**
 * lb_goa_get_access_token_sync:
 *
 * Blocking; any thread.  Online Accounts renews the token when it has expired.
 *
 * Returns: (transfer full): an OAuth2 access token for the account's IMAP and SMTP, or
 *   %NULL with %LB_ERROR_SIGN_IN_REQUIRED (NOT_AUTHORIZED, or the account is gone: the
 *   fix is in Settings), or another error
 */
char *
lb_goa_get_access_token_sync (const char    *goa_id,
                              GCancellable  *cancellable,
                              GError       **error)
{
  Session s = { 0 };
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(GError) local_error = NULL;
  char *token = NULL;
  gint expires_in = 0;

  if (!session_open (&s, cancellable, error))
    goto out;
  object = lookup (&s, goa_id, error);
  if (object == NULL)
    goto out;
  if (!goa_account_call_ensure_credentials_sync (goa_object_peek_account (object), &expires_in,
                                                 cancellable, &local_error) ||
      !goa_oauth2_based_call_get_access_token_sync (goa_object_peek_oauth2_based (object),
                                                    &token, &expires_in, cancellable,
                                                    &local_error))
    {
      set_goa_error (error, local_error);
      g_clear_pointer (&token, g_free);
    }
  else if (token == NULL || token[0] == '\0')
    {
      g_clear_pointer (&token, g_free);
      g_set_error_literal (error, LB_ERROR, LB_ERROR_FAILED,
                           _("Online Accounts gave an empty access token"));
    }

out:
  g_clear_object (&object);
  session_close (&s);
  return token;
}

#else /* !LB_HAVE_GOA */

static void
set_unavailable (GError **error)
{
  g_set_error_literal (error, LB_ERROR, LB_ERROR_UNSUPPORTED,
                       _("This build of Letterbox cannot use Online Accounts"));
}

GPtrArray *
lb_goa_list_accounts_sync (GCancellable  *cancellable,
                           GError       **error)
{
  set_unavailable (error);
  return NULL;
}

LbGoaAccount *
lb_goa_find_account_sync (const char    *goa_id,
                          GCancellable  *cancellable,
                          GError       **error)
{
  set_unavailable (error);
  return NULL;
}

char *
lb_goa_get_access_token_sync (const char    *goa_id,
                              GCancellable  *cancellable,
                              GError       **error)
{
  /* An account added by a build with Online Accounts, opened by one without. */
  g_set_error_literal (error, LB_ERROR, LB_ERROR_SIGN_IN_REQUIRED,
                       _("This build of Letterbox cannot use Online Accounts"));
  return NULL;
}

#endif /* LB_HAVE_GOA */

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *accounts = lb_goa_list_accounts_sync (cancellable, &error);

  if (accounts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, accounts, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * lb_goa_list_accounts_async:
 *
 * lb_goa_list_accounts_sync() on a thread of its own.
 */
void
lb_goa_list_accounts_async (GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lb_goa_list_accounts_async);
  g_task_run_in_thread (task, list_thread);
}

/**
 * lb_goa_list_accounts_finish:
 *
 * Returns: (transfer container) (element-type LbGoaAccount): see lb_goa_list_accounts_sync()
 */
GPtrArray *
lb_goa_list_accounts_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
