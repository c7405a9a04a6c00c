/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libnotify/notify.h>

#include "fb-feed-manager.h"
#include "fb-image-cache.h"
#include "fb-libnotify-display.h"

G_BEGIN_DECLS

#ifndef NOTIFY_CHECK_VERSION
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NotifyNotification, g_object_unref)
#elif !NOTIFY_CHECK_VERSION (0, 8, 4)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NotifyNotification, g_object_unref)
#endif

struct _FbLibnotifyDisplay
{
  GObject        parent_instance;

  GSettings     *settings;
  FbFeedManager *manager;       /* a feed's session and credentials, for its images */
  GQueue         live;          /* NotifyNotification, oldest first, at most LIVE_MAX */
  GHashTable    *notices;       /* handle → NotifyNotification, kept for updates */
  GHashTable    *groups;        /* "feed id\x1fgroup" → the server's id of its last notification */
  guint          next_handle;
  GPtrArray     *caps;
  gboolean       told_no_server;

  /* fb-libnotify-display-image.c */
  FbImageCache  *images;
  GCancellable  *cancellable;   /* every image being fetched */
};

/* fb-libnotify-display.c: the server and the live set */
gboolean            _fb_libnotify_display_has_cap          (FbLibnotifyDisplay *self,
                                                            const char         *cap);
gboolean            _fb_libnotify_display_is_live          (FbLibnotifyDisplay *self,
                                                            NotifyNotification *notification);
void                _fb_libnotify_display_show             (FbLibnotifyDisplay *self,
                                                            NotifyNotification *notification);
NotifyNotification *_fb_libnotify_display_new_notification (FbLibnotifyDisplay *self,
                                                            const char         *title,
                                                            const char         *body,
                                                            FbUrgency           urgency);
void                _fb_libnotify_display_activate         (const char         *name,
                                                            GVariant           *parameter);

/* fb-libnotify-display-message.c: a message's notification */
NotifyNotification *_fb_libnotify_display_for_message      (FbLibnotifyDisplay *self,
                                                            FbFeed             *feed,
                                                            FbMessage          *message);
gboolean            _fb_libnotify_display_has_image        (FbMessage          *message);
gint64              _fb_libnotify_display_get_history_id   (NotifyNotification *notification);

/* fb-libnotify-display-image.c: its images, shown when they come */
void                _fb_libnotify_display_init_images      (FbLibnotifyDisplay *self);
void                _fb_libnotify_display_dispose_images   (FbLibnotifyDisplay *self);
void                _fb_libnotify_display_fetch_images     (FbLibnotifyDisplay *self,
                                                            FbFeed             *feed,
                                                            FbMessage          *message,
                                                            NotifyNotification *notification);

G_END_DECLS
