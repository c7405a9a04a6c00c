/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libnotify/notify.h>

#include "fb-notifier.h"

#ifndef NOTIFY_CHECK_VERSION
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NotifyNotification, g_object_unref)
#elif !NOTIFY_CHECK_VERSION (0, 8, 4)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NotifyNotification, g_object_unref)
#endif

G_BEGIN_DECLS

struct _FbNotifier
{
  GObject     parent_instance;

  GSettings  *settings;
  GPtrArray  *recent;           /* FbMessage, newest first */
  GHashTable *bursts;           /* feed id → Burst */
  GQueue      live;             /* NotifyNotification, oldest first, at most LIVE_MAX */
  GPtrArray  *caps;
  gboolean    paused;
  gboolean    told_no_server;
  guint       n_shown;
  guint       catch_up_id;
  guint       save_id;
  char       *recent_path;
};

/* fb-notifier-libnotify.c: building notifications, showing them, the live set */
void                _fb_notifier_init_libnotify           (void);
NotifyNotification *_fb_notifier_new_notification         (FbNotifier         *self,
                                                            const char         *title,
                                                            const char         *body,
                                                            FbUrgency           urgency);
NotifyNotification *_fb_notifier_notification_for_message (FbNotifier         *self,
                                                            FbFeed             *feed,
                                                            FbMessage          *message);
void                _fb_notifier_update_notification      (FbNotifier         *self,
                                                            NotifyNotification *notification,
                                                            const char         *title,
                                                            const char         *body);
void                _fb_notifier_show                     (FbNotifier         *self,
                                                            NotifyNotification *notification);
void                _fb_notifier_forget_live              (FbNotifier         *self,
                                                            GList              *link);

G_END_DECLS
