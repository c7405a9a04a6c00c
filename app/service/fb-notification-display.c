/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-notifier"

#include "config.h"

#include "fb-notification-display.h"

G_DEFINE_INTERFACE (FbNotificationDisplay, fb_notification_display, G_TYPE_OBJECT)

static void
fb_notification_display_default_init (FbNotificationDisplayInterface *iface)
{
}

void
fb_notification_display_show_message (FbNotificationDisplay *self,
                                      FbFeed                *feed,
                                      FbMessage             *message)
{
  g_return_if_fail (FB_IS_NOTIFICATION_DISPLAY (self));
  g_return_if_fail (feed == NULL || FB_IS_FEED (feed));
  g_return_if_fail (FB_IS_MESSAGE (message));

  FB_NOTIFICATION_DISPLAY_GET_IFACE (self)->show_message (self, feed, message);
}

/**
 * fb_notification_display_show_notice:
 * @handle: (inout): 0 for a new notice, whose handle is stored here; or a
 *   notice shown before, shown again with this text
 */
void
fb_notification_display_show_notice (FbNotificationDisplay *self,
                                     guint                 *handle,
                                     const char            *title,
                                     const char            *body)
{
  guint unused = 0;

  g_return_if_fail (FB_IS_NOTIFICATION_DISPLAY (self));
  g_return_if_fail (title != NULL);

  FB_NOTIFICATION_DISPLAY_GET_IFACE (self)->show_notice (self, handle ? handle : &unused, title, body);
  if (handle == NULL && unused != 0)
    FB_NOTIFICATION_DISPLAY_GET_IFACE (self)->release (self, unused);
}

/**
 * fb_notification_display_release:
 * @handle: (inout): a notice's handle, or 0; set to 0
 *
 * The notice stays on screen as long as the server keeps it; the caller
 * will not update it again.
 */
void
fb_notification_display_release (FbNotificationDisplay *self,
                                 guint                 *handle)
{
  g_return_if_fail (FB_IS_NOTIFICATION_DISPLAY (self));
  g_return_if_fail (handle != NULL);

  if (*handle == 0)
    return;

  FB_NOTIFICATION_DISPLAY_GET_IFACE (self)->release (self, *handle);
  *handle = 0;
}

/**
 * fb_notification_display_withdraw:
 * @feed: the feed whose messages they are
 * @group: their group (ntfy's sequence id)
 *
 * Takes the notification of a group's messages off the screen, without
 * showing anything.
 */
void
fb_notification_display_withdraw (FbNotificationDisplay *self,
                                  FbFeed                *feed,
                                  const char            *group)
{
  g_return_if_fail (FB_IS_NOTIFICATION_DISPLAY (self));
  g_return_if_fail (FB_IS_FEED (feed));
  g_return_if_fail (group != NULL);

  if (FB_NOTIFICATION_DISPLAY_GET_IFACE (self)->withdraw != NULL)
    FB_NOTIFICATION_DISPLAY_GET_IFACE (self)->withdraw (self, feed, group);
}
