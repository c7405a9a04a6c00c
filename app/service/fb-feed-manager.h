/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "fb-feed.h"
#include "fb-feed-runner.h"
#include "fb-history.h"
#include "fb-message.h"

G_BEGIN_DECLS

#define FB_TYPE_FEED_MANAGER (fb_feed_manager_get_type ())
G_DECLARE_FINAL_TYPE (FbFeedManager, fb_feed_manager, FB, FEED_MANAGER, GObject)

FbFeedManager *fb_feed_manager_new            (GSettings     *settings,
                                               FbHistory     *history);
FbFeed        *fb_feed_manager_lookup         (FbFeedManager *self,
                                               const char    *id);
FbFeedRunner  *fb_feed_manager_get_runner     (FbFeedManager *self,
                                               const char    *id);
FbFeed        *fb_feed_manager_add_feed       (FbFeedManager *self,
                                               const char    *url,
                                               const char    *name);
char          *fb_feed_manager_new_feed_id    (FbFeedManager *self);
FbFeed        *fb_feed_manager_insert_feed    (FbFeedManager *self,
                                               const char    *id);
void           fb_feed_manager_remove_feed    (FbFeedManager *self,
                                               const char    *id);
void           fb_feed_manager_reconnect_all  (FbFeedManager *self);
void           fb_feed_manager_reload_credentials (FbFeedManager *self,
                                                   const char    *id);
void           fb_feed_manager_snooze_feed    (FbFeedManager *self,
                                               const char    *id,
                                               guint          seconds);
void           fb_feed_manager_end_snooze     (FbFeedManager *self,
                                               const char    *id);
void           fb_feed_manager_shutdown       (FbFeedManager *self);
void           fb_feed_manager_set_network_available (FbFeedManager *self,
                                                      gboolean       available);
void           fb_feed_manager_resumed        (FbFeedManager *self);
GSettings     *fb_feed_manager_dup_feed_settings (FbFeedManager *self,
                                                  const char    *id);

G_END_DECLS
