/* main.c: the letterbox executable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "lb-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LbApplication) app = NULL;
  const char *localedir;

  setlocale (LC_ALL, "");
  /* Run from the build tree (build-aux/dev, `meson devenv`), the catalogs are the ones
   * just built there, not those of an installation that may be missing or older. */
  localedir = g_getenv ("LETTERBOX_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = lb_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
