/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-icon-lookup"

#include "config.h"

#include <gtk/gtk.h>

/*
 * usage: fb-icon-lookup NAME...
 *
 * Looks each icon up by name in the default icon theme, as GTK and a tray
 * host do, and prints the file it found ("NAME FILE"), or "NAME -" for none.
 * The theme comes from XDG_DATA_DIRS: no search path is added, so an icon
 * is found only where an installed app's icons are found. Exit status 1
 * when any name was not found, 77 without a display.
 */

int
main (int   argc,
      char *argv[])
{
  GtkIconTheme *theme;
  int status = 0;

  if (!gtk_init_check (&argc, &argv))
    {
      g_printerr ("fb-icon-lookup: no display\n");
      return 77;
    }

  theme = gtk_icon_theme_get_default ();
  for (int i = 1; i < argc; i++)
    {
      /* 22 pixels, a tray's size; the icons are scalable, so any size finds them. */
      g_autoptr(GtkIconInfo) info = gtk_icon_theme_lookup_icon (theme, argv[i], 22, 0);
      const char *file = info ? gtk_icon_info_get_filename (info) : NULL;

      g_print ("%s %s\n", argv[i], file ? file : "-");
      if (file == NULL)
        status = 1;
    }

  return status;
}
