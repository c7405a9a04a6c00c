/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-libnotify-display"

#include "config.h"

#include "fb-libnotify-display-private.h"

/*
 * A notification's pictures: a message's attached picture and its icon
 * (ntfy's `icon`), fetched through the app's FbImageCache with the feed's
 * session, its credentials sent only to the feed's own origin. The
 * notification never waits for them: it is shown at once, and updated in
 * place (the same id, a second Notify) when a picture comes, however late,
 * as long as it is still the one on screen: not closed, not replaced by its
 * group's next message, not withdrawn. The picture is the `image-path`
 * hint and the icon the app icon, as the Desktop Notifications
 * specification orders them (image-data, then image-path, then app_icon):
 * a server that shows one picture shows the attachment. A picture refused
 * (too large, not an image) is said once in the journal by the cache, and
 * the notification stays as it is.
 */

/* The sides the pictures are scaled down to: a notification shows a
 * picture at a few hundred pixels at most, an icon smaller. */
#define PICTURE_SIDE 512
#define ICON_SIDE    128

#define MIB (1024 * 1024)

typedef struct
{
  FbLibnotifyDisplay *self;          /* not a reference: dispose cancels every fetch */
  NotifyNotification *notification;
  gboolean            icon;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_object_unref (fetch->notification);
  g_free (fetch);
}

/* The same notification, with its picture: no second sound. */
static void
update_with (FbLibnotifyDisplay *self,
             NotifyNotification *notification,
             const char         *uri,
             gboolean            icon)
{
  if (icon)
    g_object_set (notification, "icon-name", uri, NULL);
  else
    notify_notification_set_hint_string (notification, "image-path", uri);
  notify_notification_set_hint (notification, "sound-name", NULL);
  notify_notification_set_hint (notification, "suppress-sound", g_variant_new_boolean (TRUE));

  _fb_libnotify_display_show (self, notification);
}

static void
fetch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fb_image_cache_fetch_finish (FB_IMAGE_CACHE (object), result, &error);
  g_autofree char *uri = NULL;

  if (path == NULL)
    {
      /* The cache has said why, in the journal. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("A notification without its %s: %s", fetch->icon ? "icon" : "picture", error->message);
      fetch_free (fetch);
      return;
    }

  /* The specification takes a file:// URI, or an icon's name. */
  uri = g_filename_to_uri (path, NULL, &error);
  if (uri == NULL)
    g_debug ("%s", error->message);
  else if (_fb_libnotify_display_is_live (fetch->self, fetch->notification))
    update_with (fetch->self, fetch->notification, uri, fetch->icon);

  fetch_free (fetch);
}

static void
fetch (FbLibnotifyDisplay *self,
       FbFeedRunner       *runner,
       FbFeed             *feed,
       const char         *url,
       NotifyNotification *notification,
       gboolean            icon)
{
  Fetch *data = g_new0 (Fetch, 1);

  data->self = self;
  data->notification = g_object_ref (notification);
  data->icon = icon;
  fb_image_cache_fetch_async (self->images, fb_feed_runner_get_session (runner), url,
                              fb_feed_get_url (feed), fb_feed_runner_get_authorization (runner),
                              g_settings_get_uint (self->settings, "image-max-download"),
                              icon ? ICON_SIDE : PICTURE_SIDE, self->cancellable, fetch_cb, data);
}

/**
 * _fb_libnotify_display_fetch_images:
 * @notification: @message's notification, shown
 *
 * Fetches @message's picture (an attachment that is one, and has not
 * expired) and icon; each updates @notification when it comes.
 */
void
_fb_libnotify_display_fetch_images (FbLibnotifyDisplay *self,
                                    FbFeed             *feed,
                                    FbMessage          *message,
                                    NotifyNotification *notification)
{
  FbFeedRunner *runner = fb_feed_manager_get_runner (self->manager, fb_feed_get_id (feed));
  const char *icon = fb_message_get_icon_url (message);

  if (runner == NULL)
    return;

  if (_fb_libnotify_display_has_image (message) &&
      !fb_image_cache_is_expired (fb_message_get_attachment_expires (message), NULL))
    fetch (self, runner, feed, fb_message_get_attachment_url (message), notification, FALSE);
  if (icon != NULL)
    fetch (self, runner, feed, icon, notification, TRUE);
}

static void
cache_size_changed_cb (GSettings          *settings,
                       const char         *key,
                       FbLibnotifyDisplay *self)
{
  fb_image_cache_set_max_bytes (self->images, (guint64) g_settings_get_uint (settings, key) * MIB);
}

void
_fb_libnotify_display_init_images (FbLibnotifyDisplay *self)
{
  guint mib = g_settings_get_uint (self->settings, "image-cache-size");

  self->images = fb_image_cache_new (NULL, (guint64) mib * MIB, NULL);
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->settings, "changed::image-cache-size",
                           G_CALLBACK (cache_size_changed_cb), self, 0);
}

void
_fb_libnotify_display_dispose_images (FbLibnotifyDisplay *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->images);
}
