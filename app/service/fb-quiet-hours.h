/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "fb-clock.h"

G_BEGIN_DECLS

#define FB_TYPE_QUIET_HOURS (fb_quiet_hours_get_type ())
G_DECLARE_FINAL_TYPE (FbQuietHours, fb_quiet_hours, FB, QUIET_HOURS, GObject)

FbQuietHours *fb_quiet_hours_new          (GSettings    *settings,
                                           FbClock      *clock);
gboolean      fb_quiet_hours_is_active    (FbQuietHours *self);
gboolean      fb_quiet_hours_contains     (guint         start_minute,
                                           guint         end_minute,
                                           guint         minute);

G_END_DECLS
