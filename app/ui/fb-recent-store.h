/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char      *fb_recent_store_default_path (void);
GPtrArray *fb_recent_store_load         (const char  *path,
                                         guint        max);
gboolean   fb_recent_store_save         (const char  *path,
                                         GPtrArray   *recent,
                                         GError     **error);

G_END_DECLS
