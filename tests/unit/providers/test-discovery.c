/* test-discovery.c: the discovery chain with a fake resolver and a local HTTPS server
 *
 * DNS answers come from LbFakeResolver, a GResolver subclass with canned MX,
 * SRV and address records.  Autoconfig files come from a python3 http.server
 * with TLS, on a free port, with a self-signed certificate made by the
 * openssl CLI; the discovery trusts it only through the options' CA file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "lb-discovery.h"
#include "lb-error.h"

/* The fake resolver. */

#define LB_TYPE_FAKE_RESOLVER (lb_fake_resolver_get_type ())
G_DECLARE_FINAL_TYPE (LbFakeResolver, lb_fake_resolver, LB, FAKE_RESOLVER, GResolver)

struct _LbFakeResolver
{
  GResolver   parent_instance;
  GHashTable *mx;        /* domain -> GPtrArray of "pref host" */
  GHashTable *srv;       /* rrname -> GPtrArray of "host port" */
  GHashTable *names;     /* host name -> address text */
  GHashTable *hang;      /* names whose look-ups never answer until cancelled */
  guint       n_lookups;
};

G_DEFINE_FINAL_TYPE (LbFakeResolver, lb_fake_resolver, G_TYPE_RESOLVER)

static void
lb_fake_resolver_finalize (GObject *object)
{
  LbFakeResolver *self = LB_FAKE_RESOLVER (object);

  g_hash_table_unref (self->mx);
  g_hash_table_unref (self->srv);
  g_hash_table_unref (self->names);
  g_hash_table_unref (self->hang);
  G_OBJECT_CLASS (lb_fake_resolver_parent_class)->finalize (object);
}

static gboolean
hang_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;

  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  return G_SOURCE_REMOVE;
}

/* Answers only when the operation is cancelled, from the main loop (never
 * from inside the cancellable's signal emission). */
static gboolean
maybe_hang (LbFakeResolver *self,
            const char     *name,
            GTask          *task)
{
  GSource *source;

  if (!g_hash_table_contains (self->hang, name))
    return FALSE;
  g_assert_nonnull (g_task_get_cancellable (task));
  source = g_cancellable_source_new (g_task_get_cancellable (task));
  g_source_set_callback (source, G_SOURCE_FUNC (hang_cancelled_cb), g_object_ref (task),
                         g_object_unref);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
  return TRUE;
}

static GList *
lookup_by_name_sync (LbFakeResolver  *self,
                     const char      *hostname,
                     GError         **error)
{
  const char *text = g_hash_table_lookup (self->names, hostname);

  if (text == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no %s", hostname);
      return NULL;
    }
  return g_list_prepend (NULL, g_inet_address_new_from_string (text));
}

static GList *
fake_lookup_by_name (GResolver     *resolver,
                     const char    *hostname,
                     GCancellable  *cancellable,
                     GError       **error)
{
  LbFakeResolver *self = LB_FAKE_RESOLVER (resolver);

  self->n_lookups++;
  return lookup_by_name_sync (self, hostname, error);
}

static void
fake_lookup_by_name_async (GResolver           *resolver,
                           const char          *hostname,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  LbFakeResolver *self = LB_FAKE_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *addresses;

  self->n_lookups++;
  if (maybe_hang (self, hostname, task))
    return;
  addresses = lookup_by_name_sync (self, hostname, &error);
  if (addresses == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

static void
fake_lookup_by_name_with_flags_async (GResolver                *resolver,
                                      const char               *hostname,
                                      GResolverNameLookupFlags  flags,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data)
{
  fake_lookup_by_name_async (resolver, hostname, cancellable, callback, user_data);
}

static GList *
fake_lookup_finish (GResolver     *resolver,
                    GAsyncResult  *result,
                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
records_for (LbFakeResolver      *self,
             const char          *name,
             GResolverRecordType  type,
             GError             **error)
{
  GPtrArray *entries = NULL;
  GList *list = NULL;

  if (type == G_RESOLVER_RECORD_MX)
    entries = g_hash_table_lookup (self->mx, name);
  if (entries == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no records for %s", name);
      return NULL;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      guint pref = 0;
      char host[256] = "";

      g_assert_cmpint (sscanf (entries->pdata[i], "%u %255s", &pref, host), ==, 2);
      list = g_list_append (list, g_variant_ref_sink (g_variant_new ("(qs)", (guint16) pref, host)));
    }
  return list;
}

static void
fake_lookup_records_async (GResolver           *resolver,
                           const char          *rrname,
                           GResolverRecordType  record_type,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  LbFakeResolver *self = LB_FAKE_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *records;

  self->n_lookups++;
  if (maybe_hang (self, rrname, task))
    return;
  records = records_for (self, rrname, record_type, &error);
  if (records == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, records, NULL);
}

static GList *
fake_lookup_records (GResolver            *resolver,
                     const char           *rrname,
                     GResolverRecordType   record_type,
                     GCancellable         *cancellable,
                     GError              **error)
{
  LbFakeResolver *self = LB_FAKE_RESOLVER (resolver);

  self->n_lookups++;
  return records_for (self, rrname, record_type, error);
}

static GList *
targets_for (LbFakeResolver  *self,
             const char      *rrname,
             GError         **error)
{
  GPtrArray *entries = g_hash_table_lookup (self->srv, rrname);
  GList *list = NULL;

  if (entries == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no SRV for %s", rrname);
      return NULL;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      guint port = 0;
      char host[256] = "";

      g_assert_cmpint (sscanf (entries->pdata[i], "%255s %u", host, &port), ==, 2);
      list = g_list_append (list, g_srv_target_new (host, (guint16) port, 0, 0));
    }
  return list;
}

static GList *
fake_lookup_service (GResolver     *resolver,
                     const char    *rrname,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return targets_for (LB_FAKE_RESOLVER (resolver), rrname, error);
}

static void
fake_lookup_service_async (GResolver           *resolver,
                           const char          *rrname,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  LbFakeResolver *self = LB_FAKE_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *targets;

  self->n_lookups++;
  if (maybe_hang (self, rrname, task))
    return;
  targets = targets_for (self, rrname, &error);
  if (targets == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, targets, (GDestroyNotify) g_resolver_free_targets);
}

static void
lb_fake_resolver_class_init (LbFakeResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = lb_fake_resolver_finalize;
  resolver_class->lookup_by_name = fake_lookup_by_name;
  resolver_class->lookup_by_name_async = fake_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = fake_lookup_finish;
  resolver_class->lookup_by_name_with_flags_async = fake_lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = fake_lookup_finish;
  resolver_class->lookup_records = fake_lookup_records;
  resolver_class->lookup_records_async = fake_lookup_records_async;
  resolver_class->lookup_records_finish = fake_lookup_finish;
  resolver_class->lookup_service = fake_lookup_service;
  resolver_class->lookup_service_async = fake_lookup_service_async;
  resolver_class->lookup_service_finish = fake_lookup_finish;
}

static void
lb_fake_resolver_init (LbFakeResolver *self)
{
  self->mx = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) g_ptr_array_unref);
  self->srv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) g_ptr_array_unref);
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->hang = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
add_entry (GHashTable *table,
           const char *key,
           const char *entry)
{
  GPtrArray *entries = g_hash_table_lookup (table, key);

  if (entries == NULL)
    {
      entries = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (table, g_strdup (key), entries);
    }
  g_ptr_array_add (entries, g_strdup (entry));
}

/* The local HTTPS server. */

static const char server_py[] =
  "import functools, http.server, ssl, sys\n"
  "cert, key, root = sys.argv[1:4]\n"
  "class Handler(http.server.SimpleHTTPRequestHandler):\n"
  "    def log_message(self, *args):\n"
  "        pass\n"
  "httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=root))\n"
  "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
  "ctx.load_cert_chain(cert, key)\n"
  "httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)\n"
  "print(httpd.server_address[1], flush=True)\n"
  "httpd.serve_forever()\n";

typedef struct {
  char           *dir;
  char           *root;
  char           *ca_file;
  GSubprocess    *server;
  guint16         port;
  char           *urls[3];
  LbFakeResolver *resolver;
} Fixture;

static const char good_xml[] =
  "<clientConfig version=\"1.1\"><emailProvider id=\"%s\">"
  "<displayName>Autoconfigured</displayName>"
  "<incomingServer type=\"imap\"><hostname>%s</hostname><port>993</port>"
  "<socketType>SSL</socketType><username>%%EMAILLOCALPART%%</username>"
  "<authentication>password-cleartext</authentication></incomingServer>"
  "<outgoingServer type=\"smtp\"><hostname>smtp.%s</hostname><port>587</port>"
  "<socketType>STARTTLS</socketType><username>%%EMAILADDRESS%%</username>"
  "<authentication>password-cleartext</authentication></outgoingServer>"
  "</emailProvider></clientConfig>";

static void
write_file (Fixture    *f,
            const char *relative,
            const char *contents)
{
  g_autofree char *path = g_build_filename (f->root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) openssl = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *key = NULL;
  g_autofree char *script = NULL;
  g_autofree char *line = NULL;
  g_autofree char *xml = NULL;
  const char *python = g_getenv ("LB_TEST_PYTHON");

  f->dir = g_dir_make_tmp ("lb-discovery-XXXXXX", &error);
  g_assert_no_error (error);
  f->root = g_build_filename (f->dir, "www", NULL);
  f->ca_file = g_build_filename (f->dir, "cert.pem", NULL);
  key = g_build_filename (f->dir, "key.pem", NULL);
  script = g_build_filename (f->dir, "server.py", NULL);
  g_file_set_contents (script, server_py, -1, &error);
  g_assert_no_error (error);

  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, "openssl", "req", "-x509", "-newkey", "ec",
                              "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                              "-subj", "/CN=127.0.0.1",
                              "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                              "-keyout", key, "-out", f->ca_file, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (openssl, NULL, &error);
  g_assert_no_error (error);

  /* auto.test: the first URL.  second.test: the first URL is broken, the
   * second one works.  exmail.test: a file pointing at a server the database
   * knows.  slow.test: found only after its MX look-up timed out. */
  xml = g_strdup_printf (good_xml, "auto.test", "imap.auto.test", "auto.test");
  write_file (f, "first/auto.test/config-v1.1.xml", xml);
  write_file (f, "first/second.test/config-v1.1.xml", "<clientConfig><emailProvider>");
  g_free (xml);
  xml = g_strdup_printf (good_xml, "second.test", "imap.second.test", "second.test");
  write_file (f, "second/second.test/config-v1.1.xml", xml);
  g_free (xml);
  xml = g_strdup_printf (good_xml, "exmail.test", "imap.exmail.qq.com", "exmail.qq.com");
  write_file (f, "first/exmail.test/config-v1.1.xml", xml);
  g_free (xml);
  xml = g_strdup_printf (good_xml, "slow.test", "imap.slow.test", "slow.test");
  write_file (f, "first/slow.test/config-v1.1.xml", xml);

  f->server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                python != NULL ? python : "/usr/bin/python3",
                                script, f->ca_file, key, f->root, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->server));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  f->port = (guint16) g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (f->port, >, 0);

  f->urls[0] = g_strdup_printf ("https://127.0.0.1:%u/first/{domain}/config-v1.1.xml", f->port);
  f->urls[1] = g_strdup_printf ("https://127.0.0.1:%u/second/{domain}/config-v1.1.xml", f->port);
  f->urls[2] = NULL;

  f->resolver = g_object_new (LB_TYPE_FAKE_RESOLVER, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GFile) dir = g_file_new_for_path (f->dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) rm = NULL;

  g_subprocess_force_exit (f->server);
  g_subprocess_wait (f->server, NULL, NULL);
  g_clear_object (&f->server);
  g_assert_finalize_object (g_steal_pointer (&f->resolver));

  rm = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "rm", "-rf", f->dir, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (rm, NULL, &error);
  g_assert_no_error (error);

  g_free (f->dir);
  g_free (f->root);
  g_free (f->ca_file);
  g_free (f->urls[0]);
  g_free (f->urls[1]);
}

static void
init_options (Fixture            *f,
              LbDiscoveryOptions *options)
{
  memset (options, 0, sizeof *options);
  options->resolver = G_RESOLVER (f->resolver);
  options->autoconfig_urls = (const char * const *) f->urls;
  options->ca_file = f->ca_file;
  options->dns_timeout_ms = 2000;
  options->http_timeout_ms = 5000;
  options->probe_timeout_ms = 2000;
  /* Never probe real ports on this machine unless a test asks for it. */
  options->skip_guess = TRUE;
}

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static LbProviderConfig *
run (const char                *address,
     const LbDiscoveryOptions  *options,
     GCancellable              *cancellable,
     GError                   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lb_discovery_run_async (address, options, cancellable, run_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return lb_discovery_run_finish (result, error);
}

static void
test_database_domain (Fixture       *f,
                      gconstpointer  data)
{
  LbDiscoveryOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = NULL;

  init_options (f, &options);
  config = run ("Jane@QQ.com", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (config->source, ==, LB_DISCOVERY_SOURCE_DATABASE_DOMAIN);
  g_assert_cmpstr (lb_provider_get_id (config->provider), ==, "qq");
  g_assert_cmpstr (config->imap->host, ==, "imap.qq.com");
  g_assert_cmpstr (config->imap->username, ==, "Jane@QQ.com");
  g_assert_cmpint (config->credential, ==, LB_CREDENTIAL_AUTHORIZATION_CODE);
  g_assert_false (config->is_suggestion);
  /* Found without asking the network at all. */
  g_assert_cmpuint (f->resolver->n_lookups, ==, 0);

  g_clear_pointer (&config, lb_provider_config_free);
  config = run ("jane@icloud.com", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->imap->username, ==, "jane");
  g_assert_cmpstr (config->smtp->username, ==, "jane@icloud.com");
}

static void
test_database_mx (Fixture       *f,
                  gconstpointer  data)
{
  LbDiscoveryOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = NULL;

  add_entry (f->resolver->mx, "corp.test", "10 mxbiz2.qq.com");
  add_entry (f->resolver->mx, "corp.test", "5 mxbiz1.qq.com");
  /* The lowest preference is the real mail host; the backup MX is another provider. */
  add_entry (f->resolver->mx, "mixed.test", "20 mx1.qq.com");
  add_entry (f->resolver->mx, "mixed.test", "10 ASPMX.L.GOOGLE.COM");
  add_entry (f->resolver->mx, "tenant.test", "0 tenant-test.mail.protection.outlook.com");

  init_options (f, &options);
  config = run ("boss@corp.test", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (config->source, ==, LB_DISCOVERY_SOURCE_DATABASE_MX);
  g_assert_cmpstr (lb_provider_get_id (config->provider), ==, "tencent-exmail");
  g_assert_cmpstr (config->imap->host, ==, "imap.exmail.qq.com");
  g_assert_cmpstr (config->smtp->username, ==, "boss@corp.test");
  g_clear_pointer (&config, lb_provider_config_free);

  config = run ("me@mixed.test", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lb_provider_get_id (config->provider), ==, "google-workspace");
  g_clear_pointer (&config, lb_provider_config_free);

  config = run ("me@tenant.test", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lb_provider_get_id (config->provider), ==, "microsoft365");
  g_assert_cmpint (config->credential, ==, LB_CREDENTIAL_OAUTH2_ONLY);
}

static void
test_autoconfig (Fixture       *f,
                 gconstpointer  data)
{
  LbDiscoveryOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = NULL;

  /* An MX the database does not know: on to autoconfig. */
  add_entry (f->resolver->mx, "auto.test", "10 mx.auto.test");

  init_options (f, &options);
  config = run ("jane@auto.test", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (config->source, ==, LB_DISCOVERY_SOURCE_AUTOCONFIG);
  g_assert_false (config->is_suggestion);
  g_assert_null (config->provider);
  g_assert_cmpstr (config->imap->host, ==, "imap.auto.test");
  g_assert_cmpstr (config->imap->username, ==, "jane");
  g_assert_cmpstr (config->smtp->host, ==, "smtp.auto.test");
  g_assert_cmpint (config->smtp->security, ==, LB_SECURITY_STARTTLS);
  g_assert_cmpstr (config->display_name, ==, "Autoconfigured");
  g_clear_pointer (&config, lb_provider_config_free);

  /* A broken first file: the second URL is tried. */
  config = run ("jane@second.test", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (config->source, ==, LB_DISCOVERY_SOURCE_AUTOCONFIG);
  g_assert_cmpstr (config->imap->host, ==, "imap.second.test");
  g_clear_pointer (&config, lb_provider_config_free);

  /* A server the database knows brings its provider entry along. */
  config = run ("jane@exmail.test", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (config->source, ==, LB_DISCOVERY_SOURCE_AUTOCONFIG);
  g_assert_nonnull (config->provider);
  g_assert_cmpstr (lb_provider_get_id (config->provider), ==, "tencent-exmail");
}

static void
test_autoconfig_tls_verified (Fixture       *f,
                              gconstpointer  data)
{
  LbDiscoveryOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = NULL;
  g_autofree char *http_url = g_strdup_printf ("http://127.0.0.1:%u/first/{domain}/config-v1.1.xml",
                                               f->port);
  const char *http_urls[] = { http_url, NULL };

  init_options (f, &options);
  options.skip_srv = TRUE;

  /* Without the test CA the self-signed server is not trusted. */
  options.ca_file = NULL;
  config = run ("jane@auto.test", &options, NULL, &error);
  g_assert_null (config);
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Plain http is never fetched. */
  options.ca_file = f->ca_file;
  options.autoconfig_urls = http_urls;
  config = run ("jane@auto.test", &options, NULL, &error);
  g_assert_null (config);
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
}

static void
test_srv (Fixture       *f,
          gconstpointer  data)
{
  LbDiscoveryOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = NULL;

  add_entry (f->resolver->srv, "_imaps._tcp.srv.test", "imap.srv.test 993");
  /* "." means: not offered. */
  add_entry (f->resolver->srv, "_submissions._tcp.srv.test", ". 0");
  add_entry (f->resolver->srv, "_submission._tcp.srv.test", "smtp.srv.test 587");
  add_entry (f->resolver->srv, "_imaps._tcp.srv2.test", "imap.srv2.test 993");
  add_entry (f->resolver->srv, "_submissions._tcp.srv2.test", "smtp.srv2.test 465");
  add_entry (f->resolver->srv, "_imaps._tcp.half.test", "imap.half.test 993");

  init_options (f, &options);
  config = run ("jane@srv.test", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (config->source, ==, LB_DISCOVERY_SOURCE_SRV);
  g_assert_true (config->is_suggestion);
  g_assert_cmpstr (config->imap->host, ==, "imap.srv.test");
  g_assert_cmpuint (config->imap->port, ==, 993);
  g_assert_cmpint (config->imap->security, ==, LB_SECURITY_TLS);
  g_assert_cmpstr (config->smtp->host, ==, "smtp.srv.test");
  g_assert_cmpuint (config->smtp->port, ==, 587);
  g_assert_cmpint (config->smtp->security, ==, LB_SECURITY_STARTTLS);
  g_assert_cmpstr (config->smtp->username, ==, "jane@srv.test");
  g_clear_pointer (&config, lb_provider_config_free);

  config = run ("jane@srv2.test", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (config->smtp->port, ==, 465);
  g_assert_cmpint (config->smtp->security, ==, LB_SECURITY_TLS);
  g_clear_pointer (&config, lb_provider_config_free);

  /* IMAP without SMTP is not an answer. */
  config = run ("jane@half.test", &options, NULL, &error);
  g_assert_null (config);
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
}

static guint16
listen_on_free_port (GSocketListener *listener)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
}

static void
test_guess (Fixture       *f,
            gconstpointer  data)
{
  LbDiscoveryOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = NULL;
  g_autoptr(GSocketListener) open_ports = g_socket_listener_new ();
  g_autoptr(GSocketListener) closed = g_socket_listener_new ();
  guint16 imap_port, submission_port, closed_port;

  /* A port that was free a moment ago and has nobody listening now. */
  closed_port = listen_on_free_port (closed);
  g_socket_listener_close (closed);
  imap_port = listen_on_free_port (open_ports);
  submission_port = listen_on_free_port (open_ports);

  g_hash_table_insert (f->resolver->names, g_strdup ("imap.guess.test"), g_strdup ("127.0.0.1"));
  g_hash_table_insert (f->resolver->names, g_strdup ("smtp.guess.test"), g_strdup ("127.0.0.1"));

  init_options (f, &options);
  options.skip_guess = FALSE;
  options.imap_port = imap_port;
  options.smtps_port = closed_port;
  options.submission_port = submission_port;
  config = run ("jane@guess.test", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (config->source, ==, LB_DISCOVERY_SOURCE_GUESS);
  g_assert_true (config->is_suggestion);
  g_assert_cmpstr (config->imap->host, ==, "imap.guess.test");
  g_assert_cmpuint (config->imap->port, ==, imap_port);
  g_assert_cmpint (config->imap->security, ==, LB_SECURITY_TLS);
  g_assert_cmpstr (config->smtp->host, ==, "smtp.guess.test");
  g_assert_cmpuint (config->smtp->port, ==, submission_port);
  g_assert_cmpint (config->smtp->security, ==, LB_SECURITY_STARTTLS);
  g_clear_pointer (&config, lb_provider_config_free);

  /* Nothing answers anywhere. */
  config = run ("jane@nothing.test", &options, NULL, &error);
  g_assert_null (config);
  g_assert_error (error, LB_ERROR, LB_ERROR_NOT_FOUND);
  g_socket_listener_close (open_ports);
}

static void
test_step_timeout (Fixture       *f,
                   gconstpointer  data)
{
  LbDiscoveryOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = NULL;

  /* The MX look-up never answers; its time limit passes and autoconfig runs. */
  g_hash_table_add (f->resolver->hang, g_strdup ("slow.test"));
  init_options (f, &options);
  options.dns_timeout_ms = 100;
  config = run ("jane@slow.test", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (config->source, ==, LB_DISCOVERY_SOURCE_AUTOCONFIG);
  g_assert_cmpstr (config->imap->host, ==, "imap.slow.test");
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  LbDiscoveryOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbProviderConfig) config = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_hash_table_add (f->resolver->hang, g_strdup ("slow.test"));
  init_options (f, &options);
  /* Far longer than the test: only the cancellation can end the step. */
  options.dns_timeout_ms = 600000;
  g_idle_add_full (G_PRIORITY_LOW, cancel_cb, g_object_ref (cancellable), g_object_unref);
  config = run ("jane@slow.test", &options, cancellable, &error);
  g_assert_null (config);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Already cancelled: fails at once, even for a database hit. */
  config = run ("jane@qq.com", &options, cancellable, &error);
  g_assert_null (config);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_bad_address (Fixture       *f,
                  gconstpointer  data)
{
  static const char *bad[] = { "", "no-at-sign", "@qq.com", "jane@", "jane@bad domain",
                               "jane@x/y", "jane@\xff" };
  LbDiscoveryOptions options;

  init_options (f, &options);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LbProviderConfig) config = run (bad[i], &options, NULL, &error);

      g_assert_null (config);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
  g_assert_cmpuint (f->resolver->n_lookups, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/providers/discovery/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("database-domain", test_database_domain);
  ADD ("database-mx", test_database_mx);
  ADD ("autoconfig", test_autoconfig);
  ADD ("autoconfig-tls-verified", test_autoconfig_tls_verified);
  ADD ("srv", test_srv);
  ADD ("guess", test_guess);
  ADD ("step-timeout", test_step_timeout);
  ADD ("cancel", test_cancel);
  ADD ("bad-address", test_bad_address);

  return g_test_run ();
}
