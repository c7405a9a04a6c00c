/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "fb-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(FbApplication) app = NULL;

  /* Feedbell draws nothing with OpenGL, but GDK's X11 backend loads the GL
   * driver at start-up anyway: with Mesa that maps libLLVM, and the app's
   * RSS measured 93 MB instead of 39 MB. Whoever really wants GL can still
   * set GDK_GL themselves. */
  g_setenv ("GDK_GL", "disable", FALSE);

  setlocale (LC_ALL, "");
  /* FEEDBELL_LOCALEDIR: translations of an uninstalled build (build/po). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("FEEDBELL_LOCALEDIR") ? g_getenv ("FEEDBELL_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name (_("Feedbell"));

  app = fb_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
