/* hardening-env.h: an engine with one account against a private Dovecot, for the
 * hardening tests: tests/support/lb-test-env.h with the hardening tests' own start and
 * a way to run letterbox-cli on the test's profile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdlib.h>

#include "lb-engine.h"
#include "lb-message-list.h"
#include "lb-imap-parser.h"
#include "lb-imap-session.h"
#include "lb-test-env.h"

/* CORPUS on a plain Dovecot, the engine going through a proxy when WITH_PROXY; PASSWORD:
 * NULL for the fixture's default "secret". */
static inline void
env_start (LbTestEnv          *env,
           const char * const *corpus,
           gboolean            with_proxy,
           const char         *password)
{
  LbTestEnvOptions options = { 0 };

  options.corpus = corpus;
  options.proxy = with_proxy ? LB_TEST_ENV_PROXY_IMAP : LB_TEST_ENV_PROXY_NONE;
  options.password = password;
  lb_test_env_start (env, &options);
}

/* Runs letterbox-cli with ARGS (NULL-terminated) and the profile of ENV; returns its
 * exit status and what it printed.  PREFIX (NULL-terminated, may be NULL) goes before
 * the program, for wrappers such as "sh -c 'ulimit -f N; exec \"$@\"'". */
static inline int
run_cli (LbTestEnv          *env,
         const char * const *prefix,
         const char * const *args,
         char              **out,
         char              **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;

  for (guint i = 0; prefix != NULL && prefix[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (prefix[i]));
  g_ptr_array_add (argv, g_build_filename (g_getenv ("LB_TEST_BUILDDIR"), "src", "cli",
                                           "letterbox-cli", NULL));
  g_ptr_array_add (argv, g_strdup (args[0]));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_strdup (env->profile));
  for (guint i = 1; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &o, &e, &error);
  g_assert_no_error (error);
  g_test_message ("cli %s: status %d\nstdout: %s\nstderr: %s", args[0],
                  g_subprocess_get_exit_status (proc), o, e);
  if (out != NULL)
    *out = g_steal_pointer (&o);
  if (err != NULL)
    *err = g_steal_pointer (&e);
  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : 128;
}
