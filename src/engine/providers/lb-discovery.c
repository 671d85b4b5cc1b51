/* lb-discovery.c: find IMAP and SMTP settings for an e-mail address
 *
 * The steps run one after the other, most trustworthy first, and the first
 * one that gives an answer wins:
 *
 *   1. the bundled database, by the address domain;
 *   2. the bundled database, by the domain's MX hosts (Exmail, NetEase and
 *      Aliyun enterprise mail, Google Workspace, Microsoft 365 ...);
 *   3. the domain's autoconfig file over HTTPS (certificate verified);
 *   4. RFC 6186 SRV records, offered as a suggestion only (DNS is spoofable
 *      and says nothing about user names);
 *   5. guessed host names (imap./mail., smtp./mail.) that accept a TCP
 *      connection, also only a suggestion.
 *
 * Steps 1 and 2 answer for the common providers in a few milliseconds, so
 * running the later steps in parallel would rarely save time but would always
 * send the address domain to more servers.  Each network step has its own
 * time limit, so a silent server costs seconds, not minutes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "lb-autoconfig.h"
#include "lb-curl.h"
#include "lb-discovery.h"
#include "lb-error.h"

#define DEFAULT_DNS_TIMEOUT_MS   5000
#define DEFAULT_HTTP_TIMEOUT_MS 10000
#define DEFAULT_PROBE_TIMEOUT_MS 5000

static const char * const default_autoconfig_urls[] = {
  "https://autoconfig.{domain}/mail/config-v1.1.xml",
  "https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml",
  NULL
};

typedef struct {
  char       *host;
  guint16     port;
  LbSecurity  security;
  gboolean    is_smtp;
} Candidate;

typedef struct {
  char           *address;
  char           *domain;
  LbProviderDb   *db;
  GResolver      *resolver;
  char          **autoconfig_urls;
  char           *ca_file;
  guint16         imap_port;
  guint16         smtps_port;
  guint16         submission_port;
  guint           dns_timeout_ms;
  guint           http_timeout_ms;
  guint           probe_timeout_ms;
  gboolean        skip_mx;
  gboolean        skip_autoconfig;
  gboolean        skip_srv;
  gboolean        skip_guess;

  /* The running step: its own cancellable, cancelled by the caller's or by
   * the step's timer. */
  GCancellable   *step_cancellable;
  gulong          cancel_handler;
  GSource        *timer;

  guint           url_index;
  LbServerConfig *srv_imap;
  GArray         *candidates;     /* Candidate */
  guint           candidate_index;
  LbServerConfig *guess_imap;
  GSocketClient  *socket_client;
} Discovery;

static void step_autoconfig (GTask *task);
static void step_srv        (GTask *task);
static void step_guess      (GTask *task);

static void
candidate_clear (gpointer data)
{
  Candidate *c = data;

  g_free (c->host);
}

/* Drops the running step's timer and cancellable.  The link to the caller's
 * cancellable is undone by step_clear(), which needs the task. */
static void
step_end (Discovery *d)
{
  if (d->timer != NULL)
    {
      g_source_destroy (d->timer);
      g_clear_pointer (&d->timer, g_source_unref);
    }
  g_clear_object (&d->step_cancellable);
}

static void
discovery_free (gpointer data)
{
  Discovery *d = data;

  step_end (d);
  g_free (d->address);
  g_free (d->domain);
  g_clear_object (&d->db);
  g_clear_object (&d->resolver);
  g_strfreev (d->autoconfig_urls);
  g_free (d->ca_file);
  g_clear_pointer (&d->srv_imap, lb_server_config_free);
  g_clear_pointer (&d->candidates, g_array_unref);
  g_clear_pointer (&d->guess_imap, lb_server_config_free);
  g_clear_object (&d->socket_client);
  g_free (d);
}

static void
parent_cancelled_cb (GCancellable *parent,
                     GCancellable *step)
{
  g_cancellable_cancel (step);
}

static gboolean
step_timeout_cb (gpointer user_data)
{
  GCancellable *step = user_data;

  g_debug ("discovery: step timed out");
  g_cancellable_cancel (step);
  return G_SOURCE_REMOVE;
}

static void
step_clear (GTask *task)
{
  Discovery *d = g_task_get_task_data (task);
  GCancellable *parent = g_task_get_cancellable (task);

  if (d->cancel_handler != 0)
    {
      g_cancellable_disconnect (parent, d->cancel_handler);
      d->cancel_handler = 0;
    }
  step_end (d);
}

/* Starts a step: returns the cancellable its operation must use, which the
 * caller's cancellable and the step's own timer both cancel.  The step ends
 * at the next step_begin() or when the task completes. */
static GCancellable *
step_begin (GTask *task,
            guint  timeout_ms)
{
  Discovery *d = g_task_get_task_data (task);
  GCancellable *parent = g_task_get_cancellable (task);

  step_clear (task);

  d->step_cancellable = g_cancellable_new ();
  if (parent != NULL)
    d->cancel_handler = g_cancellable_connect (parent, G_CALLBACK (parent_cancelled_cb),
                                               g_object_ref (d->step_cancellable),
                                               g_object_unref);
  d->timer = g_timeout_source_new (timeout_ms);
  g_source_set_callback (d->timer, step_timeout_cb,
                         g_object_ref (d->step_cancellable), g_object_unref);
  g_source_set_static_name (d->timer, "[letterbox] discovery step timeout");
  g_source_attach (d->timer, g_task_get_context (task));
  return d->step_cancellable;
}

static void
finish_with_config (GTask            *task,
                    LbProviderConfig *config)
{
  Discovery *d = g_task_get_task_data (task);

  /* Settings found online still get the provider's help and quirks when
   * they point at a server the database knows. */
  if (config->provider == NULL && config->imap != NULL)
    {
      LbProvider *p = lb_provider_db_lookup_server_host (d->db, config->imap->host);

      if (p != NULL)
        {
          config->provider = lb_provider_ref (p);
          if (config->display_name == NULL)
            config->display_name = g_strdup (lb_provider_get_name (p, NULL));
        }
    }
  g_debug ("discovery: %s found by %s", d->domain, lb_discovery_source_to_string (config->source));
  step_clear (task);
  g_task_return_pointer (task, config, (GDestroyNotify) lb_provider_config_free);
}

/* TRUE (and the task completed) if the caller cancelled. */
static gboolean
return_if_cancelled (GTask *task)
{
  GCancellable *parent = g_task_get_cancellable (task);
  GError *error = NULL;

  if (parent != NULL && g_cancellable_set_error_if_cancelled (parent, &error))
    {
      step_clear (task);
      g_task_return_error (task, error);
      return TRUE;
    }
  return FALSE;
}

/* Step 5: guessed host names. */

static void probe_next (GTask *task);

static void
probe_connected_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  const Candidate *c = &g_array_index (d->candidates, Candidate, d->candidate_index);

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (return_if_cancelled (task))
    return;

  if (connection == NULL)
    {
      g_debug ("discovery: %s:%u: %s", c->host, c->port, error->message);
      d->candidate_index++;
      probe_next (g_steal_pointer (&task));
      return;
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  if (!c->is_smtp)
    {
      d->guess_imap = lb_server_config_new (c->host, c->port, c->security, d->address);
      /* Skip the other IMAP candidates. */
      while (d->candidate_index < d->candidates->len
             && !g_array_index (d->candidates, Candidate, d->candidate_index).is_smtp)
        d->candidate_index++;
      probe_next (g_steal_pointer (&task));
      return;
    }

  {
    LbProviderConfig *config = lb_provider_config_new ();

    config->imap = g_steal_pointer (&d->guess_imap);
    config->smtp = lb_server_config_new (c->host, c->port, c->security, d->address);
    config->source = LB_DISCOVERY_SOURCE_GUESS;
    config->is_suggestion = TRUE;
    finish_with_config (task, config);
  }
}

static void
probe_resolved_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *addresses;
  const Candidate *c = &g_array_index (d->candidates, Candidate, d->candidate_index);
  g_autoptr(GSocketAddress) address = NULL;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  if (return_if_cancelled (task))
    {
      g_resolver_free_addresses (addresses);
      return;
    }
  if (addresses == NULL)
    {
      g_debug ("discovery: %s: %s", c->host, error->message);
      d->candidate_index++;
      probe_next (g_steal_pointer (&task));
      return;
    }

  /* The first address only: this is a hint for the user, not a connection. */
  address = g_inet_socket_address_new (addresses->data, c->port);
  g_resolver_free_addresses (addresses);
  g_socket_client_connect_async (d->socket_client, G_SOCKET_CONNECTABLE (address),
                                 d->step_cancellable, probe_connected_cb,
                                 g_steal_pointer (&task));
}

static void
probe_next (GTask *task_in)
{
  g_autoptr(GTask) task = task_in;
  Discovery *d = g_task_get_task_data (task);
  GCancellable *cancellable;
  const Candidate *c;

  if (d->candidate_index >= d->candidates->len
      || (d->guess_imap == NULL
          && g_array_index (d->candidates, Candidate, d->candidate_index).is_smtp))
    {
      step_clear (task);
      g_task_return_new_error (task, LB_ERROR, LB_ERROR_NOT_FOUND,
                               _("No mail server settings were found for %s. Enter them by "
                                 "hand; your provider's help pages list them."),
                               d->domain);
      return;
    }

  c = &g_array_index (d->candidates, Candidate, d->candidate_index);
  cancellable = step_begin (task, d->probe_timeout_ms);
  g_resolver_lookup_by_name_async (d->resolver, c->host, cancellable, probe_resolved_cb,
                                   g_steal_pointer (&task));
}

static void
add_candidate (Discovery  *d,
               const char *prefix,
               guint16     port,
               LbSecurity  security,
               gboolean    is_smtp)
{
  Candidate c = { g_strconcat (prefix, d->domain, NULL), port, security, is_smtp };

  g_array_append_val (d->candidates, c);
}

static void
step_guess (GTask *task)
{
  Discovery *d = g_task_get_task_data (task);

  if (d->skip_guess)
    {
      d->candidates = g_array_new (FALSE, TRUE, sizeof (Candidate));
      probe_next (task);
      return;
    }

  d->candidates = g_array_new (FALSE, TRUE, sizeof (Candidate));
  g_array_set_clear_func (d->candidates, candidate_clear);
  add_candidate (d, "imap.", d->imap_port, LB_SECURITY_TLS, FALSE);
  add_candidate (d, "mail.", d->imap_port, LB_SECURITY_TLS, FALSE);
  add_candidate (d, "smtp.", d->smtps_port, LB_SECURITY_TLS, TRUE);
  add_candidate (d, "smtp.", d->submission_port, LB_SECURITY_STARTTLS, TRUE);
  add_candidate (d, "mail.", d->smtps_port, LB_SECURITY_TLS, TRUE);
  add_candidate (d, "mail.", d->submission_port, LB_SECURITY_STARTTLS, TRUE);

  d->socket_client = g_socket_client_new ();
  /* The probe asks whether this network can reach the host directly; a proxy
   * would answer for itself.  The account's own connections use its proxy. */
  g_socket_client_set_enable_proxy (d->socket_client, FALSE);
  g_socket_client_set_timeout (d->socket_client, (d->probe_timeout_ms + 999) / 1000);
  probe_next (task);
}

/* Step 4: SRV records. */

static LbServerConfig *
first_srv_target (GList      *targets,
                  LbSecurity  security,
                  const char *address)
{
  for (GList *l = targets; l != NULL; l = l->next)
    {
      const char *host = g_srv_target_get_hostname (l->data);
      guint16 port = g_srv_target_get_port (l->data);
      g_autofree char *normal = NULL;

      /* A target of "." means the service is not offered. */
      if (host == NULL || host[0] == '\0' || g_str_equal (host, ".") || port == 0)
        continue;
      normal = lb_normalize_domain (host);
      if (normal != NULL)
        return lb_server_config_new (normal, port, security, address);
    }
  return NULL;
}

static void
srv_submission_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *targets;
  LbServerConfig *smtp;

  targets = g_resolver_lookup_service_finish (G_RESOLVER (source), result, &error);
  if (return_if_cancelled (task))
    {
      g_resolver_free_targets (targets);
      return;
    }
  smtp = first_srv_target (targets, LB_SECURITY_STARTTLS, d->address);
  g_resolver_free_targets (targets);
  if (smtp == NULL)
    {
      step_guess (g_steal_pointer (&task));
      return;
    }

  {
    LbProviderConfig *config = lb_provider_config_new ();

    config->imap = g_steal_pointer (&d->srv_imap);
    config->smtp = smtp;
    config->source = LB_DISCOVERY_SOURCE_SRV;
    config->is_suggestion = TRUE;
    finish_with_config (task, config);
  }
}

static void
srv_submissions_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *targets;
  LbServerConfig *smtp;
  GCancellable *cancellable;

  targets = g_resolver_lookup_service_finish (G_RESOLVER (source), result, &error);
  if (return_if_cancelled (task))
    {
      g_resolver_free_targets (targets);
      return;
    }
  /* RFC 8314: implicit TLS submission (465) is preferred over STARTTLS. */
  smtp = first_srv_target (targets, LB_SECURITY_TLS, d->address);
  g_resolver_free_targets (targets);
  if (smtp != NULL)
    {
      LbProviderConfig *config = lb_provider_config_new ();

      config->imap = g_steal_pointer (&d->srv_imap);
      config->smtp = smtp;
      config->source = LB_DISCOVERY_SOURCE_SRV;
      config->is_suggestion = TRUE;
      finish_with_config (task, config);
      return;
    }

  cancellable = step_begin (task, d->dns_timeout_ms);
  g_resolver_lookup_service_async (d->resolver, "submission", "tcp", d->domain, cancellable,
                                   srv_submission_cb, g_steal_pointer (&task));
}

static void
srv_imaps_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *targets;
  GCancellable *cancellable;

  targets = g_resolver_lookup_service_finish (G_RESOLVER (source), result, &error);
  if (return_if_cancelled (task))
    {
      g_resolver_free_targets (targets);
      return;
    }
  d->srv_imap = first_srv_target (targets, LB_SECURITY_TLS, d->address);
  g_resolver_free_targets (targets);
  if (d->srv_imap == NULL)
    {
      step_guess (g_steal_pointer (&task));
      return;
    }

  cancellable = step_begin (task, d->dns_timeout_ms);
  g_resolver_lookup_service_async (d->resolver, "submissions", "tcp", d->domain, cancellable,
                                   srv_submissions_cb, g_steal_pointer (&task));
}

static void
step_srv (GTask *task)
{
  Discovery *d = g_task_get_task_data (task);
  GCancellable *cancellable;

  if (d->skip_srv)
    {
      step_guess (task);
      return;
    }
  cancellable = step_begin (task, d->dns_timeout_ms);
  g_resolver_lookup_service_async (d->resolver, "imaps", "tcp", d->domain, cancellable,
                                   srv_imaps_cb, task);
}

/* Step 3: autoconfig over HTTPS, in a worker thread (libcurl blocks). */

typedef struct {
  char   *url;
  char   *ca_file;
  char   *address;
  guint   timeout_ms;
} Fetch;

static void
fetch_free (gpointer data)
{
  Fetch *f = data;

  g_free (f->url);
  g_free (f->ca_file);
  g_free (f->address);
  g_free (f);
}

static size_t
fetch_write_cb (char   *ptr,
                size_t  size,
                size_t  nmemb,
                void   *user_data)
{
  GByteArray *body = user_data;
  gsize n = size * nmemb;

  /* Returning less than given aborts the transfer (CURLE_WRITE_ERROR). */
  if (body->len + n > LB_AUTOCONFIG_MAX_SIZE)
    return 0;
  g_byte_array_append (body, (const guint8 *) ptr, n);
  return n;
}

static int
fetch_progress_cb (void       *user_data,
                   curl_off_t  dltotal,
                   curl_off_t  dlnow,
                   curl_off_t  ultotal,
                   curl_off_t  ulnow)
{
  return g_cancellable_is_cancelled (user_data) ? 1 : 0;
}

static void
fetch_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Fetch *f = task_data;
  g_autoptr(GByteArray) body = g_byte_array_new ();
  char errbuf[CURL_ERROR_SIZE] = "";
  LbProviderConfig *config;
  GError *error = NULL;
  long status = 0;
  CURLcode rc;
  CURL *h;

  lb_curl_global_init ();
  h = curl_easy_init ();
  if (h == NULL)
    {
      g_task_return_new_error (task, LB_ERROR, LB_ERROR_FAILED, "curl_easy_init failed");
      return;
    }
  curl_easy_setopt (h, CURLOPT_URL, f->url);
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  /* https only, also after redirects: the file decides where mail goes. */
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt (h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (h, CURLOPT_MAXREDIRS, 3L);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (f->ca_file != NULL)
    curl_easy_setopt (h, CURLOPT_CAINFO, f->ca_file);
  curl_easy_setopt (h, CURLOPT_TIMEOUT_MS, (long) f->timeout_ms);
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT_MS, (long) f->timeout_ms);
  curl_easy_setopt (h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) LB_AUTOCONFIG_MAX_SIZE);
  curl_easy_setopt (h, CURLOPT_USERAGENT, "Letterbox/" PACKAGE_VERSION);
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, fetch_write_cb);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, body);
  curl_easy_setopt (h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (h, CURLOPT_XFERINFOFUNCTION, fetch_progress_cb);
  curl_easy_setopt (h, CURLOPT_XFERINFODATA, cancellable);

  rc = curl_easy_perform (h);
  curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (h);

  if (rc != CURLE_OK)
    {
      g_task_return_new_error (task, LB_ERROR, LB_ERROR_NETWORK, "%s: %s", f->url,
                               errbuf[0] != '\0' ? errbuf : curl_easy_strerror (rc));
      return;
    }
  if (status != 200)
    {
      g_task_return_new_error (task, LB_ERROR, LB_ERROR_NOT_FOUND, "%s: HTTP %ld", f->url, status);
      return;
    }

  config = lb_autoconfig_parse ((const char *) body->data, body->len, f->address, &error);
  if (config == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, config, (GDestroyNotify) lb_provider_config_free);
}

static char *
expand_url (const char *template,
            const char *domain)
{
  g_auto(GStrv) parts = g_strsplit (template, "{domain}", -1);

  return g_strjoinv (domain, parts);
}

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  LbProviderConfig *config;

  config = g_task_propagate_pointer (G_TASK (result), &error);
  if (return_if_cancelled (task))
    {
      g_clear_pointer (&config, lb_provider_config_free);
      return;
    }
  if (config == NULL)
    {
      g_debug ("discovery: autoconfig: %s", error->message);
      d->url_index++;
      step_autoconfig (g_steal_pointer (&task));
      return;
    }
  finish_with_config (task, config);
}

static void
step_autoconfig (GTask *task)
{
  Discovery *d = g_task_get_task_data (task);
  g_autoptr(GTask) fetch_task = NULL;
  GCancellable *cancellable;
  Fetch *f;

  if (d->skip_autoconfig || d->autoconfig_urls[d->url_index] == NULL)
    {
      step_srv (task);
      return;
    }

  cancellable = step_begin (task, d->http_timeout_ms);
  f = g_new0 (Fetch, 1);
  f->url = expand_url (d->autoconfig_urls[d->url_index], d->domain);
  f->ca_file = g_strdup (d->ca_file);
  f->address = g_strdup (d->address);
  f->timeout_ms = d->http_timeout_ms;

  fetch_task = g_task_new (NULL, cancellable, fetch_done_cb, task);
  g_task_set_source_tag (fetch_task, step_autoconfig);
  /* Only the result matters: a cancelled fetch still reports through the callback. */
  g_task_set_return_on_cancel (fetch_task, FALSE);
  g_task_set_task_data (fetch_task, f, fetch_free);
  g_task_run_in_thread (fetch_task, fetch_thread);
}

/* Step 2: the database, by MX host. */

static gint
compare_mx (gconstpointer a,
            gconstpointer b)
{
  guint16 pa, pb;

  g_variant_get ((GVariant *) a, "(q&s)", &pa, NULL);
  g_variant_get ((GVariant *) b, "(q&s)", &pb, NULL);
  return (gint) pa - (gint) pb;
}

static void
mx_cb (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *records;

  records = g_resolver_lookup_records_finish (G_RESOLVER (source), result, &error);
  if (return_if_cancelled (task))
    {
      g_list_free_full (records, (GDestroyNotify) g_variant_unref);
      return;
    }
  if (error != NULL)
    g_debug ("discovery: MX %s: %s", d->domain, error->message);

  /* Lowest preference first: that is where the domain's mail really goes. */
  records = g_list_sort (records, compare_mx);
  for (GList *l = records; l != NULL; l = l->next)
    {
      const char *host = NULL;
      LbProvider *p;

      if (!g_variant_is_of_type (l->data, G_VARIANT_TYPE ("(qs)")))
        continue;
      g_variant_get (l->data, "(q&s)", NULL, &host);
      p = lb_provider_db_lookup_mx (d->db, host);
      if (p != NULL)
        {
          LbProviderConfig *config = lb_provider_config_new_for_provider (p, d->address);

          config->source = LB_DISCOVERY_SOURCE_DATABASE_MX;
          g_list_free_full (records, (GDestroyNotify) g_variant_unref);
          finish_with_config (task, config);
          return;
        }
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  step_autoconfig (g_steal_pointer (&task));
}

static void
step_mx (GTask *task)
{
  Discovery *d = g_task_get_task_data (task);
  GCancellable *cancellable;

  if (d->skip_mx)
    {
      step_autoconfig (task);
      return;
    }
  cancellable = step_begin (task, d->dns_timeout_ms);
  g_resolver_lookup_records_async (d->resolver, d->domain, G_RESOLVER_RECORD_MX, cancellable,
                                   mx_cb, task);
}

/**
 * lb_discovery_run_async:
 * @address: the user's e-mail address
 * @options: (nullable): resolver, URLs, ports and time limits; %NULL for defaults
 * @cancellable: (nullable): stops the whole chain
 * @callback: called on the thread-default main context of the caller
 *
 * Looks for the settings of @address: database by domain, database by MX,
 * autoconfig over HTTPS, SRV, then guessing.  The result says which step
 * found it (#LbProviderConfig.source) and whether it is only a suggestion.
 */
void
lb_discovery_run_async (const char               *address,
                        const LbDiscoveryOptions *options,
                        GCancellable             *cancellable,
                        GAsyncReadyCallback       callback,
                        gpointer                  user_data)
{
  static const LbDiscoveryOptions defaults = { 0 };
  g_autoptr(GTask) task = NULL;
  Discovery *d;
  const char *at;
  LbProvider *provider;

  g_return_if_fail (address != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (options == NULL)
    options = &defaults;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_discovery_run_async);
  g_task_set_name (task, "[letterbox] discovery");

  d = g_new0 (Discovery, 1);
  g_task_set_task_data (task, d, discovery_free);
  d->address = g_strstrip (g_strdup (address));
  d->db = g_object_ref (options->db != NULL ? options->db : lb_provider_db_get_default ());
  d->resolver = options->resolver != NULL ? g_object_ref (options->resolver)
                                          : g_resolver_get_default ();
  d->autoconfig_urls = g_strdupv ((char **) (options->autoconfig_urls != NULL
                                             ? options->autoconfig_urls
                                             : default_autoconfig_urls));
  d->ca_file = g_strdup (options->ca_file);
  d->imap_port = options->imap_port != 0 ? options->imap_port : 993;
  d->smtps_port = options->smtps_port != 0 ? options->smtps_port : 465;
  d->submission_port = options->submission_port != 0 ? options->submission_port : 587;
  d->dns_timeout_ms = options->dns_timeout_ms != 0 ? options->dns_timeout_ms
                                                   : DEFAULT_DNS_TIMEOUT_MS;
  d->http_timeout_ms = options->http_timeout_ms != 0 ? options->http_timeout_ms
                                                     : DEFAULT_HTTP_TIMEOUT_MS;
  d->probe_timeout_ms = options->probe_timeout_ms != 0 ? options->probe_timeout_ms
                                                       : DEFAULT_PROBE_TIMEOUT_MS;
  d->skip_mx = options->skip_mx;
  d->skip_autoconfig = options->skip_autoconfig;
  d->skip_srv = options->skip_srv;
  d->skip_guess = options->skip_guess;

  at = strrchr (d->address, '@');
  if (at != NULL && at != d->address)
    d->domain = lb_normalize_domain (at + 1);
  if (d->domain == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a valid e-mail address."), address);
      return;
    }

  if (return_if_cancelled (task))
    return;

  /* Step 1: the database, by domain. */
  provider = lb_provider_db_lookup_domain (d->db, d->domain);
  if (provider != NULL)
    {
      LbProviderConfig *config = lb_provider_config_new_for_provider (provider, d->address);

      config->source = LB_DISCOVERY_SOURCE_DATABASE_DOMAIN;
      finish_with_config (task, config);
      return;
    }

  step_mx (g_steal_pointer (&task));
}

/**
 * lb_discovery_run_finish:
 *
 * Returns: (transfer full): the settings, or %NULL with @error set
 *   (%LB_ERROR_NOT_FOUND when no step found anything)
 */
LbProviderConfig *
lb_discovery_run_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lb_discovery_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
