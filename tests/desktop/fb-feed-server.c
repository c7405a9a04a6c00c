/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-desktop-test"

#include "config.h"

#include "fb-feed-server.h"

#include <libsoup/soup.h>
#include <string.h>

#include "fb-test-utils.h"

/* Requests, streams and their bookkeeping are FbTestSseServer's. */
struct _FbFeedServer
{
  FbTestSseServer *sse;
  char            *url;
  char            *path;     /* the one path it serves */
  gboolean         stopped;
  gboolean         down;     /* answering 503, still listening */
};

static void
events_cb (FbTestSseServer   *sse,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           guint              index,
           gpointer           user_data)
{
  FbFeedServer *self = user_data;
  FbTestStream *stream;

  /* The test may be waiting on the count of requests. */
  g_main_context_wakeup (NULL);

  if (self->stopped || self->down || g_strcmp0 (path, self->path) != 0)
    {
      soup_server_message_set_status (msg, self->stopped || self->down ? SOUP_STATUS_SERVICE_UNAVAILABLE
                                                                       : SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  stream = fb_test_sse_server_stream (sse, msg, "text/event-stream");
  /* A comment: the headers and a first byte go out at once. */
  fb_test_stream_write (stream, ": hello\n\n", -1);
}

FbFeedServer *
fb_feed_server_new (void)
{
  return fb_feed_server_new_at ("/events");
}

/* A stand-in for a service: it serves @path_and_query's path, as the
 * service's API does (the query is only in the URL it gives). */
FbFeedServer *
fb_feed_server_new_at (const char *path_and_query)
{
  FbFeedServer *self = g_new0 (FbFeedServer, 1);

  self->path = g_strndup (path_and_query, strcspn (path_and_query, "?"));
  self->sse = fb_test_sse_server_new (events_cb, self);
  self->url = fb_test_sse_server_url (self->sse, path_and_query);

  return self;
}

void
fb_feed_server_free (FbFeedServer *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->sse, fb_test_sse_server_free);
  g_free (self->url);
  g_free (self->path);
  g_free (self);
}

const char *
fb_feed_server_get_url (FbFeedServer *self)
{
  return self->url;
}

SoupServer *
fb_feed_server_get_soup_server (FbFeedServer *self)
{
  return fb_test_sse_server_get_soup (self->sse);
}

guint
fb_feed_server_get_n_requests (FbFeedServer *self)
{
  return fb_test_sse_server_get_requests (self->sse)->len;
}

const char *
fb_feed_server_get_last_event_id (FbFeedServer *self)
{
  GPtrArray *requests = fb_test_sse_server_get_requests (self->sse);

  if (requests->len == 0)
    return NULL;

  return fb_test_request_header (requests->pdata[requests->len - 1], "Last-Event-ID");
}

guint
fb_feed_server_get_n_open (FbFeedServer *self)
{
  GPtrArray *streams = fb_test_sse_server_get_streams (self->sse);
  guint n = 0;

  for (guint i = 0; i < streams->len; i++)
    if (!fb_test_stream_is_done (streams->pdata[i]))
      n++;

  return n;
}

void
fb_feed_server_append_event (GString    *text,
                             const char *id,
                             const char *data)
{
  g_auto(GStrv) lines = g_strsplit (data, "\n", -1);

  if (id != NULL)
    g_string_append_printf (text, "id: %s\n", id);
  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (text, "data: %s\n", lines[i]);
  g_string_append_c (text, '\n');
}

void
fb_feed_server_send_raw (FbFeedServer *self,
                         const char   *text)
{
  GPtrArray *streams = fb_test_sse_server_get_streams (self->sse);

  /* Stopped: there is no one to send to. */
  if (self->stopped)
    return;

  for (guint i = 0; i < streams->len; i++)
    fb_test_stream_write (streams->pdata[i], text, -1);
}

void
fb_feed_server_send (FbFeedServer *self,
                     const char   *id,
                     const char   *data)
{
  g_autoptr(GString) text = g_string_new (NULL);

  fb_feed_server_append_event (text, id, data);
  fb_feed_server_send_raw (self, text->str);
}

void
fb_feed_server_stop (FbFeedServer *self)
{
  /* Closes the listening socket and every client connection. */
  self->stopped = TRUE;
  fb_test_sse_server_disconnect (self->sse);
}

void
fb_feed_server_set_down (FbFeedServer *self,
                         gboolean      down)
{
  self->down = down;
  /* Every open stream ends cleanly; what comes next is refused. */
  if (down)
    fb_test_sse_server_end_streams (self->sse);
}
