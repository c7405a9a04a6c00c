/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "fb-feed.h"
#include "fb-message.h"

G_BEGIN_DECLS

#define FB_TYPE_NOTIFICATION_DISPLAY (fb_notification_display_get_type ())
G_DECLARE_INTERFACE (FbNotificationDisplay, fb_notification_display, FB, NOTIFICATION_DISPLAY, GObject)

/**
 * FbNotificationDisplayInterface:
 * @show_message: shows a feed's message; @feed is %NULL when it is shown
 *   again from Recent (then it offers no snooze)
 * @show_notice: shows Feedbell's own notice; with *@handle 0 a new one,
 *   whose handle it stores there, else that one again, with new text
 * @release: the notifier is done with a notice's handle
 * @withdraw: closes the notification of @feed's messages of @group (the
 *   server deleted or cleared them), if one is on screen
 *
 * Where the notifier's decisions reach the desktop. The app's is
 * libnotify's (app/ui/fb-libnotify-display.c); tests record the calls.
 */
struct _FbNotificationDisplayInterface
{
  GTypeInterface parent_iface;

  void (*show_message) (FbNotificationDisplay *self,
                        FbFeed                *feed,
                        FbMessage             *message);
  void (*show_notice)  (FbNotificationDisplay *self,
                        guint                 *handle,
                        const char            *title,
                        const char            *body);
  void (*release)      (FbNotificationDisplay *self,
                        guint                  handle);
  void (*withdraw)     (FbNotificationDisplay *self,
                        FbFeed                *feed,
                        const char            *group);
};

void fb_notification_display_show_message (FbNotificationDisplay *self,
                                           FbFeed                *feed,
                                           FbMessage             *message);
void fb_notification_display_show_notice  (FbNotificationDisplay *self,
                                           guint                 *handle,
                                           const char            *title,
                                           const char            *body);
void fb_notification_display_release      (FbNotificationDisplay *self,
                                           guint                 *handle);
void fb_notification_display_withdraw     (FbNotificationDisplay *self,
                                           FbFeed                *feed,
                                           const char            *group);

G_END_DECLS
