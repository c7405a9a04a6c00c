/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void fb_widget_set_style_class (GtkWidget  *widget,
                                const char *name,
                                gboolean    set);

G_END_DECLS
