/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/**
 * FbFeedServer:
 * A real SoupServer on 127.0.0.1 that serves /events as an endless
 * text/event-stream and sends events when the test says so.
 */
typedef struct _FbFeedServer FbFeedServer;

FbFeedServer *fb_feed_server_new            (void);
/* Serving @path_and_query's path instead, at http://127.0.0.1:PORT@path_and_query. */
FbFeedServer *fb_feed_server_new_at         (const char   *path_and_query);
void          fb_feed_server_free           (FbFeedServer *self);
/* http://127.0.0.1:PORT/events */
const char   *fb_feed_server_get_url        (FbFeedServer *self);
/* Its SoupServer, for a test's own handlers of other paths at the same
 * origin (they are neither counted nor recorded here). */
SoupServer   *fb_feed_server_get_soup_server (FbFeedServer *self);
guint         fb_feed_server_get_n_requests (FbFeedServer *self);
/* The Last-Event-ID header of the latest request; NULL when it had none. */
const char   *fb_feed_server_get_last_event_id (FbFeedServer *self);
/* Streams still open towards a client. */
guint         fb_feed_server_get_n_open     (FbFeedServer *self);
/* One event to every open stream; @data may have several lines. */
void          fb_feed_server_send           (FbFeedServer *self,
                                             const char   *id,
                                             const char   *data);
/* Raw event-stream text, in one chunk, to every open stream. */
void          fb_feed_server_send_raw       (FbFeedServer *self,
                                             const char   *text);
/* Down: ends every open stream and answers 503 Service Unavailable, as a
 * proxy in front of a dead server does, until set up again. */
void          fb_feed_server_set_down       (FbFeedServer *self,
                                             gboolean      down);
/* Closes every stream and stops listening: reconnects are refused. */
void          fb_feed_server_stop           (FbFeedServer *self);

/* "id: @id\ndata: …\n\n" for @data, one data: line per line. */
void          fb_feed_server_append_event   (GString      *text,
                                             const char   *id,
                                             const char   *data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbFeedServer, fb_feed_server_free)

G_END_DECLS
