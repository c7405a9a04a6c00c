/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "fb-message.h"

G_BEGIN_DECLS

char      *fb_recent_store_default_path (void);
GPtrArray *fb_recent_store_load         (const char  *path,
                                         guint        max);
gboolean   fb_recent_store_save         (const char  *path,
                                         GPtrArray   *recent,
                                         GError     **error);
FbMessage *fb_recent_message_new        (const char  *feed_name,
                                         const char  *id,
                                         const char  *title,
                                         const char  *body,
                                         int          priority,
                                         gint64       time,
                                         const char  *click);

G_END_DECLS
