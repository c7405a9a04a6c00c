/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define FB_TYPE_CLOCK (fb_clock_get_type ())
G_DECLARE_FINAL_TYPE (FbClock, fb_clock, FB, CLOCK, GObject)

FbClock *fb_clock_get_default     (void);
FbClock *fb_clock_new_manual      (gint64       monotonic_us,
                                   gint64       real_us);

gint64   fb_clock_get_monotonic   (FbClock     *self);
gint64   fb_clock_get_real        (FbClock     *self);

guint    fb_clock_timeout_add     (FbClock     *self,
                                   guint        interval_ms,
                                   GSourceFunc  func,
                                   gpointer     user_data);
void     fb_clock_clear_timeout   (FbClock     *self,
                                   guint       *id);

/* Manual clocks only. */
void     fb_clock_advance         (FbClock     *self,
                                   gint64       us);
void     fb_clock_advance_ms      (FbClock     *self,
                                   guint        ms);
void     fb_clock_advance_busy    (FbClock     *self,
                                   gint64       us);
void     fb_clock_set_real        (FbClock     *self,
                                   gint64       real_us);
guint    fb_clock_get_n_timeouts  (FbClock     *self);

G_END_DECLS
