/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-gtk-util"

#include "config.h"

#include "fb-gtk-util.h"

/*
 * Small GTK helpers the windows share.
 */

/**
 * fb_widget_set_style_class:
 * @set: whether @widget should have the class
 *
 * Adds or removes a CSS class (“error”, “fb-failed”…) as a state changes.
 */
void
fb_widget_set_style_class (GtkWidget  *widget,
                           const char *name,
                           gboolean    set)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  if (set)
    gtk_style_context_add_class (context, name);
  else
    gtk_style_context_remove_class (context, name);
}
