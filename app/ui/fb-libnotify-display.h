/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "fb-feed-manager.h"
#include "fb-notification-display.h"

G_BEGIN_DECLS

#define FB_TYPE_LIBNOTIFY_DISPLAY (fb_libnotify_display_get_type ())
G_DECLARE_FINAL_TYPE (FbLibnotifyDisplay, fb_libnotify_display, FB, LIBNOTIFY_DISPLAY, GObject)

FbLibnotifyDisplay *fb_libnotify_display_new           (GSettings          *settings,
                                                      FbFeedManager      *manager);
void                fb_libnotify_display_close_message (FbLibnotifyDisplay *self,
                                                      gint64              history_id);

G_END_DECLS
