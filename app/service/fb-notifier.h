/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "fb-clock.h"
#include "fb-feed.h"
#include "fb-history.h"
#include "fb-message.h"
#include "fb-notification-display.h"

G_BEGIN_DECLS

#define FB_NOTIFIER_RECENT_MAX 50

#define FB_TYPE_NOTIFIER (fb_notifier_get_type ())
G_DECLARE_FINAL_TYPE (FbNotifier, fb_notifier, FB, NOTIFIER, GObject)

FbNotifier *fb_notifier_new            (GSettings             *settings,
                                        FbNotificationDisplay *display,
                                        FbClock               *clock,
                                        FbHistory             *history);
void        fb_notifier_post           (FbNotifier *self,
                                        FbFeed     *feed,
                                        FbMessage  *message,
                                        gboolean    catch_up);
void        fb_notifier_add_note       (FbNotifier *self,
                                        FbFeed     *feed,
                                        FbMessage  *note);
void        fb_notifier_reload_recent  (FbNotifier *self);
void        fb_notifier_show_again     (FbNotifier *self,
                                        guint       recent_index);
void        fb_notifier_notice         (FbNotifier *self,
                                        const char *title,
                                        const char *body);
GPtrArray  *fb_notifier_get_recent     (FbNotifier *self);
gboolean    fb_notifier_is_quiet       (FbNotifier *self);

G_END_DECLS
