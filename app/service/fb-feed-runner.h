/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "fb-clock.h"
#include "fb-feed.h"
#include "fb-history.h"
#include "fb-message.h"

G_BEGIN_DECLS

#define FB_TYPE_FEED_RUNNER (fb_feed_runner_get_type ())
G_DECLARE_FINAL_TYPE (FbFeedRunner, fb_feed_runner, FB, FEED_RUNNER, GObject)

FbFeedRunner *fb_feed_runner_new                   (const char    *id,
                                                    GSettings     *feed_settings,
                                                    GSettings     *app_settings,
                                                    SoupSession   *session,
                                                    FbClock       *clock,
                                                    FbHistory     *history);
FbFeed       *fb_feed_runner_get_feed              (FbFeedRunner  *self);
SoupSession  *fb_feed_runner_get_session           (FbFeedRunner  *self);
const char   *fb_feed_runner_get_authorization     (FbFeedRunner  *self);
void          fb_feed_runner_restart               (FbFeedRunner  *self);
void          fb_feed_runner_reconnect_now         (FbFeedRunner  *self);
void          fb_feed_runner_set_network_available (FbFeedRunner  *self,
                                                    gboolean       available);
gboolean      fb_feed_runner_flush                 (FbFeedRunner  *self,
                                                    GError       **error);
void          fb_feed_runner_snooze                (FbFeedRunner  *self,
                                                    guint          seconds);
void          fb_feed_runner_end_snooze            (FbFeedRunner  *self);
void          fb_feed_runner_shutdown              (FbFeedRunner  *self);

G_END_DECLS
