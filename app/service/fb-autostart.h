/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean fb_autostart_get_enabled (void);
gboolean fb_autostart_set_enabled (gboolean   enabled,
                                   GError   **error);

G_END_DECLS
