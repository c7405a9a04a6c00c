/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-sse-connection.h"
#include "fb-types.h"

G_BEGIN_DECLS

#define FB_TYPE_FEED (fb_feed_get_type ())
G_DECLARE_FINAL_TYPE (FbFeed, fb_feed, FB, FEED, GObject)

FbFeed             *fb_feed_new               (const char      *id);
const char         *fb_feed_get_id            (FbFeed          *self);
const char         *fb_feed_get_display_name  (FbFeed          *self);
const char         *fb_feed_get_url           (FbFeed          *self);
gboolean            fb_feed_get_enabled       (FbFeed          *self);
FbMessageFormat     fb_feed_get_format        (FbFeed          *self);
gboolean            fb_feed_accepts_type      (FbFeed          *self,
                                               const char      *event_type,
                                               gsize            event_type_len);
guint               fb_feed_get_idle_timeout  (FbFeed          *self);
gboolean            fb_feed_get_muted         (FbFeed          *self);
void                fb_feed_set_snoozed_until (FbFeed          *self,
                                               gint64           wall_time_us);
gboolean            fb_feed_is_snoozed        (FbFeed          *self);
FbSseConnection    *fb_feed_get_connection    (FbFeed          *self);
void                fb_feed_set_connection    (FbFeed          *self,
                                               FbSseConnection *connection);
FbSseState          fb_feed_get_state         (FbFeed          *self);
char               *fb_feed_dup_status_text   (FbFeed          *self);
const char         *fb_feed_state_to_nick     (FbFeed          *self);

G_END_DECLS
