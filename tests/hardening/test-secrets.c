/* test-secrets.c: the password never lands in a file or in any output
 *
 * An account is added through the engine (so its secret goes into the private keyring of
 * run-headless) with a distinctive password, synced, and the CLI is run with
 * G_MESSAGES_DEBUG=all.  Then every file under the run-headless root (HOME, the XDG
 * directories, the keyring's own files, which are encrypted), the profile (store, WAL)
 * and everything the CLI printed is searched for the password: as is, as the base64 of
 * "\0user\0password" that AUTH PLAIN sends, as plain base64, and as UTF-16.  No hit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "hardening-env.h"

#define PASSWORD "Kx9-oolong-信箱-Qv4!"

typedef struct {
  GPtrArray *needles;   /* GBytes */
  GPtrArray *names;     /* char *, what each needle is */
  guint      files;
  GPtrArray *hits;
} Search;

static void
add_needle (Search     *s,
            const char *what,
            const void *data,
            gsize       len)
{
  g_ptr_array_add (s->needles, g_bytes_new (data, len));
  g_ptr_array_add (s->names, g_strdup (what));
}

static gboolean
contains (const guint8 *hay,
          gsize         len,
          const guint8 *needle,
          gsize         nlen)
{
  for (gsize i = 0; i + nlen <= len; i++)
    if (hay[i] == needle[0] && memcmp (hay + i, needle, nlen) == 0)
      return TRUE;
  return FALSE;
}

static void
search_bytes (Search       *s,
              const char   *where,
              const guint8 *data,
              gsize         len)
{
  for (guint i = 0; i < s->needles->len; i++)
    {
      gsize nlen;
      const guint8 *n = g_bytes_get_data (g_ptr_array_index (s->needles, i), &nlen);

      if (contains (data, len, n, nlen))
        g_ptr_array_add (s->hits, g_strdup_printf ("%s (%s)", where,
                                                   (char *) g_ptr_array_index (s->names, i)));
    }
}

static void
search_tree (Search     *s,
             const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        search_tree (s, path);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR)
               && g_file_get_contents (path, &data, &len, NULL))
        {
          s->files++;
          search_bytes (s, path, (const guint8 *) data, len);
        }
    }
}

static void
test_no_leak (void)
{
  const char * const corpus[] = { "alice@example.com:INBOX:25:61", NULL };
  const char * const commands[][5] = {
    { "account", "list", NULL }, { "sync", NULL }, { "folders", NULL },
    { "list", "--limit", "5", NULL }, { "account", "list", "--json" },
  };
  g_autofree char *plain_auth = NULL;
  g_autofree char *b64_auth = NULL;
  g_autofree char *b64 = NULL;
  g_autofree gunichar2 *utf16 = NULL;
  glong utf16_len = 0;
  Search s = { 0 };
  LbTestEnv env = { 0 };
  const char *root = g_getenv ("LB_TEST_PROFILE_ROOT");
  gsize plain_len;

  g_assert_nonnull (root);
  s.needles = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  s.names = g_ptr_array_new_with_free_func (g_free);
  s.hits = g_ptr_array_new_with_free_func (g_free);

  add_needle (&s, "plain", PASSWORD, strlen (PASSWORD));
  /* AUTH PLAIN: authzid NUL authcid NUL password (empty authzid, as curl sends it). */
  plain_auth = g_strdup_printf ("%calice@example.com%c%s", 0, 0, PASSWORD);
  plain_len = 1 + strlen ("alice@example.com") + 1 + strlen (PASSWORD);
  b64_auth = g_base64_encode ((const guchar *) plain_auth, plain_len);
  add_needle (&s, "AUTH PLAIN base64", b64_auth, strlen (b64_auth));
  b64 = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));
  add_needle (&s, "base64", b64, strlen (b64));
  utf16 = g_utf8_to_utf16 (PASSWORD, -1, NULL, &utf16_len, NULL);
  add_needle (&s, "UTF-16", utf16, (gsize) utf16_len * 2);
  /* The ASCII head alone, to catch a truncated or re-encoded copy. */
  add_needle (&s, "ASCII part", "Kx9-oolong-", 11);

  env_start (&env, corpus, FALSE, PASSWORD);
  lb_test_env_sync_ok (&env);
  lb_test_env_assert_folder_matches (&env, LB_FOLDER_ROLE_INBOX, "INBOX");
  lb_test_env_close_engine (&env);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *where = g_strdup_printf ("output of %s", commands[i][0]);

      const char * const debug[] = { "env", "G_MESSAGES_DEBUG=all", NULL };

      g_assert_cmpint (run_cli (&env, debug, commands[i], &out, &err), ==, 0);
      search_bytes (&s, where, (const guint8 *) out, strlen (out));
      search_bytes (&s, where, (const guint8 *) err, strlen (err));
    }

  /* The secret is really there (so the sync above used it from the keyring)... */
  lb_test_env_open_engine (&env);
  lb_test_env_sync_ok (&env);
  lb_test_env_close_engine (&env);

  /* ...and nowhere else. */
  search_tree (&s, root);
  search_tree (&s, env.profile);
  g_test_message ("searched %u files and the CLI output for %u encodings", s.files, s.needles->len);
  for (guint i = 0; i < s.hits->len; i++)
    g_test_message ("LEAK: %s", (char *) g_ptr_array_index (s.hits, i));
  g_assert_cmpuint (s.files, >, 3);
  g_assert_cmpuint (s.hits->len, ==, 0);

  lb_test_env_stop (&env);
  g_ptr_array_unref (s.needles);
  g_ptr_array_unref (s.names);
  g_ptr_array_unref (s.hits);
}

/* A password on the command line would be in every process listing and shell history:
 * the CLI has no option for it. */
static void
test_no_password_argument (void)
{
  const char * const attempts[][7] = {
    { "account", "add", "--email", "bob@example.com", "--password", PASSWORD },
    { "account", "add", "--email", "bob@example.com", "--password=" PASSWORD, NULL },
    { "account", "add", "--email", "bob@example.com", "-p", PASSWORD },
  };
  LbTestEnv env = { 0 };
  g_autoptr(GError) error = NULL;

  env.profile = g_dir_make_tmp ("lb-hard-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (attempts); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (run_cli (&env, NULL, attempts[i], &out, &err), !=, 0);
      g_assert_nonnull (strstr (err, "nknown option"));
      g_assert_null (strstr (out, PASSWORD));
    }
  lb_test_rm_rf (env.profile);
  g_free (env.profile);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/secrets/no-leak", test_no_leak);
  g_test_add_func ("/secrets/no-password-argument", test_no_password_argument);
  return g_test_run ();
}
