/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-sse-connection.h"
#include "fb-types.h"

G_BEGIN_DECLS

/* Each feed's settings: this schema, relocated to FB_FEED_SETTINGS_PATH + id + "/". */
#define FB_FEED_SCHEMA_ID      "io.github.feedbell.Feedbell.Feed"
#define FB_FEED_SETTINGS_PATH  "/io/github/feedbell/Feedbell/feeds/"

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
guint               fb_feed_get_min_priority  (FbFeed          *self);
gboolean            fb_feed_get_muted         (FbFeed          *self);
gint64              fb_feed_get_snoozed_until (FbFeed          *self);
void                fb_feed_set_snoozed_until (FbFeed          *self,
                                               gint64           wall_time_us);
gboolean            fb_feed_is_snoozed        (FbFeed          *self);
gboolean            fb_feed_is_snoozed_at     (FbFeed          *self,
                                               gint64           now_real);
FbSseConnection    *fb_feed_get_connection    (FbFeed          *self);
void                fb_feed_set_connection    (FbFeed          *self,
                                               FbSseConnection *connection);
FbSseState          fb_feed_get_state         (FbFeed          *self);
char               *fb_feed_dup_status_text   (FbFeed          *self);
const char         *fb_feed_state_to_nick     (FbFeed          *self);
void                fb_feed_set_reading       (FbFeed          *self,
                                               FbMessageFormat  recognised_format,
                                               const char      *content_error,
                                               guint            n_ignored_today);
FbMessageFormat     fb_feed_get_recognised_format (FbFeed      *self);
const char         *fb_feed_get_content_error (FbFeed          *self);
guint               fb_feed_get_n_ignored_today (FbFeed        *self);
void                fb_feed_set_last_event    (FbFeed          *self,
                                               const char      *event_type,
                                               const char      *data,
                                               gsize            data_len,
                                               const char      *event_id);
GBytes             *fb_feed_get_last_event    (FbFeed          *self,
                                               const char     **event_type,
                                               const char     **event_id);

G_END_DECLS
