/* lb-test-fixture.c: start the real-server fixtures (private Dovecot, aiosmtpd) from C tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>

#include "lb-test-fixture.h"

/* Starting takes about 0.3 s; the margin is for valgrind and a loaded CI machine. */
#define START_TIMEOUT_MS 60000
#define STOP_TIMEOUT_MS  15000

/* ------------------------------------------------------------------ JSON */

typedef struct {
  const char *p;
  const char *end;
} JsonReader;

static void
json_skip_ws (JsonReader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static gboolean
json_read_string (JsonReader *r,
                  GString    *out)
{
  if (r->p >= r->end || *r->p != '"')
    return FALSE;
  r->p++;
  while (r->p < r->end && *r->p != '"')
    {
      char c = *r->p++;

      if (c != '\\')
        {
          g_string_append_c (out, c);
          continue;
        }
      if (r->p >= r->end)
        return FALSE;
      c = *r->p++;
      switch (c)
        {
        case 'n': g_string_append_c (out, '\n'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'u':
          {
            gunichar ch;
            char hex[5] = { 0 };

            if (r->end - r->p < 4)
              return FALSE;
            memcpy (hex, r->p, 4);
            r->p += 4;
            ch = (gunichar) g_ascii_strtoull (hex, NULL, 16);
            /* A surrogate pair: Python's json.dumps writes non-BMP characters so. */
            if (ch >= 0xD800 && ch < 0xDC00 && r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u')
              {
                gunichar lo;

                memcpy (hex, r->p + 2, 4);
                lo = (gunichar) g_ascii_strtoull (hex, NULL, 16);
                if (lo >= 0xDC00 && lo < 0xE000)
                  {
                    ch = 0x10000 + ((ch - 0xD800) << 10) + (lo - 0xDC00);
                    r->p += 6;
                  }
              }
            g_string_append_unichar (out, ch);
          }
          break;
        default:
          g_string_append_c (out, c); /* \" \\ \/ */
          break;
        }
    }
  if (r->p >= r->end)
    return FALSE;
  r->p++;
  return TRUE;
}

/* Reads a scalar into OUT (NULL for null).  Returns FALSE on a syntax error. */
static gboolean
json_read_scalar (JsonReader  *r,
                  GString     *out,
                  gboolean    *is_null)
{
  const char *start = r->p;

  *is_null = FALSE;
  if (r->p < r->end && *r->p == '"')
    return json_read_string (r, out);
  while (r->p < r->end && strchr (",]} \t\r\n", *r->p) == NULL)
    r->p++;
  if (r->p == start)
    return FALSE;
  if (r->p - start == 4 && memcmp (start, "null", 4) == 0)
    *is_null = TRUE;
  else
    g_string_append_len (out, start, r->p - start);
  return TRUE;
}

/* Skips any value, nested or not. */
static gboolean
json_skip_value (JsonReader *r)
{
  int depth = 0;

  json_skip_ws (r);
  do
    {
      if (r->p >= r->end)
        return FALSE;
      if (*r->p == '"')
        {
          g_autoptr(GString) tmp = g_string_new (NULL);

          if (!json_read_string (r, tmp))
            return FALSE;
        }
      else if (*r->p == '{' || *r->p == '[')
        {
          depth++;
          r->p++;
        }
      else if (*r->p == '}' || *r->p == ']')
        {
          depth--;
          r->p++;
        }
      else if (depth == 0)
        {
          g_autoptr(GString) tmp = g_string_new (NULL);
          gboolean is_null;

          return json_read_scalar (r, tmp, &is_null);
        }
      else
        r->p++;
    }
  while (depth > 0);
  return TRUE;
}

/* Reads an array of scalars, joined by spaces.  Returns FALSE (leaving R where it was)
 * if the array holds anything else. */
static gboolean
json_read_scalar_array (JsonReader *r,
                        GString    *out)
{
  JsonReader save = *r;
  gboolean first = TRUE;

  r->p++; /* '[' */
  for (;;)
    {
      g_autoptr(GString) item = g_string_new (NULL);
      gboolean is_null;

      json_skip_ws (r);
      if (r->p < r->end && *r->p == ']' && first)
        {
          r->p++;
          return TRUE;
        }
      if (r->p >= r->end || *r->p == '[' || *r->p == '{' || !json_read_scalar (r, item, &is_null))
        {
          *r = save;
          return FALSE;
        }
      if (!first)
        g_string_append_c (out, ' ');
      g_string_append_len (out, item->str, item->len);
      first = FALSE;
      json_skip_ws (r);
      if (r->p < r->end && *r->p == ',')
        {
          r->p++;
          continue;
        }
      if (r->p < r->end && *r->p == ']')
        {
          r->p++;
          return TRUE;
        }
      *r = save;
      return FALSE;
    }
}

GHashTable *
lb_test_json_parse_object (const char  *text,
                           gssize       length,
                           GError     **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonReader r;

  g_return_val_if_fail (text != NULL, NULL);

  r.p = text;
  r.end = text + (length < 0 ? (gssize) strlen (text) : length);
  json_skip_ws (&r);
  if (r.p >= r.end || *r.p != '{')
    goto syntax;
  r.p++;
  json_skip_ws (&r);
  if (r.p < r.end && *r.p == '}')
    return g_steal_pointer (&table);
  for (;;)
    {
      g_autoptr(GString) key = g_string_new (NULL);
      g_autoptr(GString) value = g_string_new (NULL);
      gboolean have = FALSE;

      json_skip_ws (&r);
      if (!json_read_string (&r, key))
        goto syntax;
      json_skip_ws (&r);
      if (r.p >= r.end || *r.p != ':')
        goto syntax;
      r.p++;
      json_skip_ws (&r);
      if (r.p >= r.end)
        goto syntax;
      if (*r.p == '[' && json_read_scalar_array (&r, value))
        have = TRUE;
      else if (*r.p == '[' || *r.p == '{')
        {
          if (!json_skip_value (&r))
            goto syntax;
        }
      else
        {
          gboolean is_null;

          if (!json_read_scalar (&r, value, &is_null))
            goto syntax;
          have = !is_null;
        }
      if (have)
        g_hash_table_replace (table, g_string_free (g_steal_pointer (&key), FALSE),
                              g_string_free (g_steal_pointer (&value), FALSE));
      json_skip_ws (&r);
      if (r.p < r.end && *r.p == ',')
        {
          r.p++;
          continue;
        }
      if (r.p < r.end && *r.p == '}')
        return g_steal_pointer (&table);
      goto syntax;
    }

syntax:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "JSON syntax error at offset %d", (int) (r.p - text));
  return NULL;
}

/* ------------------------------------------------------------------ start/stop */

static gboolean
read_line_with_timeout (GInputStream  *stream,
                        guint          timeout_ms,
                        char         **line_out,
                        GError       **error)
{
  g_autoptr(GString) buf = g_string_new (NULL);
  int fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (stream));
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (strchr (buf->str, '\n') == NULL)
    {
      GPollFD pfd = { fd, G_IO_IN | G_IO_HUP | G_IO_ERR, 0 };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      char chunk[4096];
      gssize n;
      int rc;

      if (left <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "The fixture did not report ready within %u ms", timeout_ms);
          return FALSE;
        }
      rc = g_poll (&pfd, 1, (int) left);
      if (rc < 0 && errno == EINTR)
        continue;
      if (rc <= 0)
        continue;
      n = read (fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "The fixture exited before it was ready (its stderr is in the test log)");
          return FALSE;
        }
      g_string_append_len (buf, chunk, n);
    }
  *strchr (buf->str, '\n') = '\0';
  *line_out = g_string_free (g_steal_pointer (&buf), FALSE);
  return TRUE;
}

static void
on_wait_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits for PROC to exit, up to TIMEOUT_MS.  A private main context keeps the test's own
 * main loop (if any) out of it. */
static gboolean
wait_with_timeout (GSubprocess *proc,
                   guint        timeout_ms)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);
  gboolean done = FALSE;
  gboolean timed_out = FALSE;

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (proc, NULL, on_wait_done, &done);
  g_source_set_callback (timeout, on_wait_timeout, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!done && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  if (!done)
    {
      /* Let the pending wait finish so the callback never runs on freed stack. */
      g_subprocess_force_exit (proc);
      while (!done)
        g_main_context_iteration (context, TRUE);
    }
  g_main_context_pop_thread_default (context);
  return !timed_out;
}

static char *
dup_env_or (const char *name,
            const char *fallback)
{
  const char *v = g_getenv (name);

  return g_strdup (v != NULL && *v != '\0' ? v : fallback);
}

static void
lb_test_servers_free (LbTestServers *servers)
{
  g_clear_object (&servers->proc);
  g_free (servers->dir);
  g_free (servers->ca_file);
  g_free (servers->maildir);
  g_free (servers->smtp_spool);
  g_free (servers->python);
  g_free (servers->script);
  g_strfreev (servers->users);
  g_free (servers);
}

static guint16
port_from (GHashTable *info,
           const char *key)
{
  const char *v = g_hash_table_lookup (info, key);
  guint64 n = v != NULL ? g_ascii_strtoull (v, NULL, 10) : 0;

  return n <= G_MAXUINT16 ? (guint16) n : 0;
}

LbTestServers *
lb_test_servers_start (const LbTestServersOptions *options,
                       GError                    **error)
{
  static const char * const default_users[] = { "alice@example.com:secret", NULL };
  LbTestServersOptions defaults = { 0 };
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GHashTable) info = NULL;
  g_autofree char *fixtures_dir = NULL;
  g_autofree char *line = NULL;
  g_autofree char *dir = NULL;
  const char * const *users;
  LbTestServers *servers;
  GError *local_error = NULL;
  guint start_timeout_ms = START_TIMEOUT_MS;

  if (options == NULL)
    options = &defaults;
  users = options->users != NULL ? options->users : default_users;

  fixtures_dir = dup_env_or ("LB_TEST_FIXTURES_DIR", NULL);
  if (fixtures_dir == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "LB_TEST_FIXTURES_DIR is not set: run the test through meson test");
      return NULL;
    }
  /* /tmp, not a deep build directory: Dovecot's unix sockets live under it. */
  dir = g_dir_make_tmp ("lbfx-XXXXXX", error);
  if (dir == NULL)
    return NULL;

  servers = g_new0 (LbTestServers, 1);
  servers->python = dup_env_or ("LB_TEST_PYTHON", "/usr/bin/python3");
  servers->script = g_build_filename (fixtures_dir, "lbfixture.py", NULL);
  servers->users = g_strdupv ((char **) users);
  servers->dir = g_steal_pointer (&dir);

  g_ptr_array_add (argv, g_strdup (servers->python));
  g_ptr_array_add (argv, g_strdup (servers->script));
  g_ptr_array_add (argv, g_strdup ("serve"));
  g_ptr_array_add (argv, g_strdup ("--dir"));
  g_ptr_array_add (argv, g_strdup (servers->dir));
  g_ptr_array_add (argv, g_strdup ("--cleanup"));
  g_ptr_array_add (argv, g_strdup ("--watch-stdin"));
  for (guint i = 0; users[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup_printf ("--user=%s", users[i]));
  if (options->imap_capability != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--imap-capability=%s", options->imap_capability));
  if (options->no_imap)
    g_ptr_array_add (argv, g_strdup ("--no-imap"));
  if (options->no_smtp)
    g_ptr_array_add (argv, g_strdup ("--no-smtp"));
  if (options->oauth2_introspect != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--oauth2-introspect=%s", options->oauth2_introspect));
  if (options->oauth2_mechanisms != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--oauth2-mechanisms=%s", options->oauth2_mechanisms));
  for (guint i = 0; options->corpus != NULL && options->corpus[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (options->corpus[i], ":", -1);

      g_ptr_array_add (argv, g_strdup_printf ("--corpus=%s", options->corpus[i]));
      /* The corpus is written before the fixture reports ready: a benchmark's 100,000
       * messages take minutes on a busy machine. */
      if (g_strv_length (parts) >= 3)
        start_timeout_ms += (guint) MIN (g_ascii_strtoull (parts[2], NULL, 10), 10000000) * 2;
    }
  for (guint i = 0; options->without_special != NULL && options->without_special[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup_printf ("--without-special=%s", options->without_special[i]));
  for (guint i = 0; options->lookup_only != NULL && options->lookup_only[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup_printf ("--lookup-only=%s", options->lookup_only[i]));
  g_ptr_array_add (argv, NULL);

  /* Stdin is a pipe we never write: when this process dies, the fixture sees EOF and stops,
   * so a crashed test leaves no servers behind.  Stderr goes to the test log. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  servers->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (servers->proc == NULL)
    {
      g_rmdir (servers->dir);
      lb_test_servers_free (servers);
      return NULL;
    }

  if (!read_line_with_timeout (g_subprocess_get_stdout_pipe (servers->proc), start_timeout_ms,
                               &line, &local_error)
      || (info = lb_test_json_parse_object (line, -1, &local_error)) == NULL)
    {
      g_propagate_prefixed_error (error, local_error, "Cannot start the test servers: ");
      lb_test_servers_stop (servers);
      return NULL;
    }

  servers->ca_file = g_strdup (g_hash_table_lookup (info, "ca_file"));
  servers->maildir = g_strdup (g_hash_table_lookup (info, "maildir"));
  servers->smtp_spool = g_strdup (g_hash_table_lookup (info, "smtp_spool"));
  servers->imap_port = port_from (info, "imap_port");
  servers->imaps_port = port_from (info, "imaps_port");
  servers->smtp_port = port_from (info, "smtp_port");
  servers->smtps_port = port_from (info, "smtps_port");
  if (servers->ca_file == NULL || servers->maildir == NULL || servers->smtp_spool == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Cannot start the test servers: incomplete answer: %s", line);
      lb_test_servers_stop (servers);
      return NULL;
    }
  return servers;
}

void
lb_test_servers_stop (LbTestServers *servers)
{
  if (servers == NULL)
    return;

  if (servers->proc != NULL)
    {
      GOutputStream *in = g_subprocess_get_stdin_pipe (servers->proc);

      if (in != NULL)
        g_output_stream_close (in, NULL, NULL);
      g_subprocess_send_signal (servers->proc, SIGTERM);
      if (!wait_with_timeout (servers->proc, STOP_TIMEOUT_MS))
        g_warning ("The test servers did not stop within %d ms; killed", STOP_TIMEOUT_MS);
      else if (!g_subprocess_get_if_exited (servers->proc)
               || g_subprocess_get_exit_status (servers->proc) != 0)
        g_message ("The fixture exited with status %d", g_subprocess_get_status (servers->proc));
    }

  /* The fixture removes its directory; after a kill, do it here. */
  if (servers->dir != NULL && g_file_test (servers->dir, G_FILE_TEST_IS_DIR)
      && g_strcmp0 (g_getenv ("LB_TEST_KEEP"), "1") != 0)
    {
      const char *rm[] = { "rm", "-rf", "--", servers->dir, NULL };

      g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    }
  else if (servers->dir != NULL && g_strcmp0 (g_getenv ("LB_TEST_KEEP"), "1") == 0)
    g_message ("LB_TEST_KEEP=1: keeping %s", servers->dir);

  lb_test_servers_free (servers);
}

const char *
lb_test_servers_get_password (LbTestServers *servers,
                              const char    *user)
{
  gsize len;

  g_return_val_if_fail (servers != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  len = strlen (user);
  for (guint i = 0; servers->users[i] != NULL; i++)
    if (strncmp (servers->users[i], user, len) == 0 && servers->users[i][len] == ':')
      return servers->users[i] + len + 1;
  return NULL;
}

/* ------------------------------------------------------------------ helpers */

static gboolean
run_fixture_command (LbTestServers       *servers,
                     const char * const  *args,
                     GBytes              *stdin_bytes,
                     GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) err_bytes = NULL;

  g_ptr_array_add (argv, servers->python);
  g_ptr_array_add (argv, servers->script);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            (stdin_bytes != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : G_SUBPROCESS_FLAGS_NONE)
                            | G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            error);
  if (proc == NULL)
    return FALSE;
  if (!g_subprocess_communicate (proc, stdin_bytes, NULL, NULL, &err_bytes, error))
    return FALSE;
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      gsize len = 0;
      const char *err = err_bytes != NULL ? g_bytes_get_data (err_bytes, &len) : NULL;

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "lbfixture.py %s failed: %.*s",
                   args[0], (int) len, err != NULL ? err : "");
      return FALSE;
    }
  return TRUE;
}

int
lb_test_servers_count_messages (LbTestServers *servers,
                                const char    *user,
                                const char    *folder,
                                const char    *needle)
{
  g_autofree char *dotted = g_strdelimit (g_strdup (folder), "/", '.');
  g_autofree char *base = g_strcmp0 (folder, "INBOX") == 0
                          ? g_build_filename (servers->maildir, user, NULL)
                          : g_strdup_printf ("%s/%s/.%s", servers->maildir, user, dotted);
  int n = 0;

  if (!g_file_test (base, G_FILE_TEST_IS_DIR))
    return -1;
  for (guint k = 0; k < 2; k++)
    {
      g_autofree char *dir = g_build_filename (base, k == 0 ? "cur" : "new", NULL);
      g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);
          g_autofree char *text = NULL;

          if (needle == NULL
              || (g_file_get_contents (path, &text, NULL, NULL) && strstr (text, needle) != NULL))
            n++;
        }
    }
  return n;
}

gboolean
lb_test_servers_deliver (LbTestServers *servers,
                         const char    *user,
                         const char    *folder,
                         GBytes        *message,
                         const char    *flags,
                         GError       **error)
{
  g_autofree char *flags_arg = NULL;
  const char *args[10];
  guint n = 0;

  g_return_val_if_fail (servers != NULL, FALSE);
  g_return_val_if_fail (user != NULL && folder != NULL && message != NULL, FALSE);

  args[n++] = "deliver";
  args[n++] = "--dir";
  args[n++] = servers->dir;
  if (flags != NULL)
    {
      flags_arg = g_strdup_printf ("--flags=%s", flags);
      args[n++] = flags_arg;
    }
  args[n++] = "--";
  args[n++] = user;
  args[n++] = folder;
  args[n++] = "-";
  args[n] = NULL;
  return run_fixture_command (servers, args, message, error);
}

gboolean
lb_test_servers_smtp_stop (LbTestServers  *servers,
                           GError        **error)
{
  const char *args[] = { "smtp-stop", "--dir", servers->dir, NULL };

  return run_fixture_command (servers, args, NULL, error);
}

gboolean
lb_test_servers_smtp_start (LbTestServers  *servers,
                            GError        **error)
{
  const char *args[] = { "smtp-start", "--dir", servers->dir, NULL };

  return run_fixture_command (servers, args, NULL, error);
}

void
lb_test_smtp_message_free (LbTestSmtpMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->path);
  g_free (message->mail_from);
  g_strfreev (message->rcpt_tos);
  g_free (message->listener);
  g_free (message->auth_user);
  g_free (message);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
lb_test_servers_list_smtp (LbTestServers *servers)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_test_smtp_message_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = NULL;
  const char *name;

  g_return_val_if_fail (servers != NULL, NULL);

  d = g_dir_open (servers->smtp_spool, 0, NULL);
  if (d == NULL)
    return g_steal_pointer (&out);
  while ((name = g_dir_read_name (d)) != NULL)
    if (name[0] != '.' && g_str_has_suffix (name, ".eml"))
      g_ptr_array_add (names, g_strdup (name));
  /* Names start with the arrival time in nanoseconds. */
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      const char *eml = g_ptr_array_index (names, i);
      g_autofree char *base = g_strndup (eml, strlen (eml) - strlen (".eml"));
      g_autofree char *json_name = g_strconcat (base, ".json", NULL);
      g_autofree char *json_path = g_build_filename (servers->smtp_spool, json_name, NULL);
      g_autofree char *text = NULL;
      g_autoptr(GHashTable) meta = NULL;
      LbTestSmtpMessage *m;
      const char *rcpts;

      if (!g_file_get_contents (json_path, &text, NULL, NULL)
          || (meta = lb_test_json_parse_object (text, -1, NULL)) == NULL)
        continue;
      m = g_new0 (LbTestSmtpMessage, 1);
      m->path = g_build_filename (servers->smtp_spool, eml, NULL);
      m->mail_from = g_strdup (g_hash_table_lookup (meta, "mail_from"));
      rcpts = g_hash_table_lookup (meta, "rcpt_tos");
      m->rcpt_tos = rcpts != NULL && *rcpts != '\0' ? g_strsplit (rcpts, " ", -1) : g_new0 (char *, 1);
      m->listener = g_strdup (g_hash_table_lookup (meta, "listener"));
      m->auth_user = g_strdup (g_hash_table_lookup (meta, "auth_user"));
      g_ptr_array_add (out, m);
    }
  return g_steal_pointer (&out);
}

GPtrArray *
lb_test_servers_wait_smtp (LbTestServers *servers,
                           guint          count,
                           guint          timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autoptr(GPtrArray) list = lb_test_servers_list_smtp (servers);

      if (list->len >= count || g_get_monotonic_time () >= deadline)
        return g_steal_pointer (&list);
      g_usleep (10 * 1000);
    }
}

char *
lb_test_servers_manifest_path (LbTestServers *servers,
                               const char    *user,
                               const char    *folder)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (servers != NULL && user != NULL && folder != NULL, NULL);

  name = g_strdelimit (g_strconcat (folder, ".json", NULL), "/", '.');
  return g_build_filename (servers->dir, "corpus", user, name, NULL);
}

GPtrArray *
lb_test_corpus_manifest_load (const char  *path,
                              GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  /* corpus.py writes one message object per line inside the "messages" array. */
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *l = lines[i];
      gsize len = strlen (l);
      GHashTable *entry;

      if (!g_str_has_prefix (l, "{\"uid\""))
        continue;
      if (len > 0 && l[len - 1] == ',')
        l[--len] = '\0';
      entry = lb_test_json_parse_object (l, len, error);
      if (entry == NULL)
        {
          g_prefix_error (error, "%s line %u: ", path, i + 1);
          return NULL;
        }
      g_ptr_array_add (out, entry);
    }
  return g_steal_pointer (&out);
}
