/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-desktop-test"

#include "config.h"

#include "fb-feed-server.h"

#include <libsoup/soup.h>
#include <string.h>

#include "fb-test-utils.h"

/* One client's endless response. Written chunks are dropped at once. */
typedef struct
{
  SoupServerMessage *msg;
  gulong             finished_id;
  gboolean           done;
} Stream;

struct _FbFeedServer
{
  SoupServer *server;
  char       *url;
  GPtrArray  *streams;      /* Stream */
  guint       n_requests;
  gboolean    stopped;
  gboolean    down;         /* answering 503, still listening */
  char       *last_event_id;  /* of the latest request, NULL when it had none */
};

static void
stream_finished_cb (SoupServerMessage *msg,
                    Stream            *stream)
{
  stream->done = TRUE;
  g_main_context_wakeup (NULL);
}

static Stream *
stream_new (SoupServerMessage *msg)
{
  Stream *stream = g_new0 (Stream, 1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_replace (headers, "Content-Type", "text/event-stream");
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  stream->msg = g_object_ref (msg);
  stream->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (stream_finished_cb), stream);

  return stream;
}

static void
stream_write (Stream     *stream,
              const char *text)
{
  if (stream->done)
    return;

  soup_message_body_append (soup_server_message_get_response_body (stream->msg),
                            SOUP_MEMORY_COPY, text, strlen (text));
  soup_server_message_unpause (stream->msg);
}

static void
stream_free (Stream *stream)
{
  g_clear_signal_handler (&stream->finished_id, stream->msg);
  g_clear_object (&stream->msg);
  g_free (stream);
}

static void
events_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  FbFeedServer *self = user_data;
  Stream *stream;

  self->n_requests++;
  g_free (self->last_event_id);
  self->last_event_id = g_strdup (soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                                "Last-Event-ID"));
  g_main_context_wakeup (NULL);

  if (self->stopped || self->down || g_strcmp0 (path, "/events") != 0)
    {
      soup_server_message_set_status (msg, self->stopped || self->down ? SOUP_STATUS_SERVICE_UNAVAILABLE
                                                                       : SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  stream = stream_new (msg);
  g_ptr_array_add (self->streams, stream);
  /* A comment: the headers and a first byte go out at once. */
  stream_write (stream, ": hello\n\n");
}

FbFeedServer *
fb_feed_server_new (void)
{
  FbFeedServer *self = g_new0 (FbFeedServer, 1);

  self->server = fb_test_server_new ();
  self->url = fb_test_server_url (self->server, "/events");
  self->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) stream_free);
  soup_server_add_handler (self->server, NULL, events_cb, self, NULL);

  return self;
}

void
fb_feed_server_free (FbFeedServer *self)
{
  if (self == NULL)
    return;

  soup_server_disconnect (self->server);
  g_clear_pointer (&self->streams, g_ptr_array_unref);
  g_clear_object (&self->server);
  g_free (self->last_event_id);
  g_free (self->url);
  g_free (self);
}

const char *
fb_feed_server_get_url (FbFeedServer *self)
{
  return self->url;
}

guint
fb_feed_server_get_n_requests (FbFeedServer *self)
{
  return self->n_requests;
}

const char *
fb_feed_server_get_last_event_id (FbFeedServer *self)
{
  return self->last_event_id;
}

guint
fb_feed_server_get_n_open (FbFeedServer *self)
{
  guint n = 0;

  for (guint i = 0; i < self->streams->len; i++)
    if (!((Stream *) g_ptr_array_index (self->streams, i))->done)
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
  for (guint i = 0; i < self->streams->len; i++)
    stream_write (g_ptr_array_index (self->streams, i), text);
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
  soup_server_disconnect (self->server);
}

void
fb_feed_server_set_down (FbFeedServer *self,
                         gboolean      down)
{
  self->down = down;
  if (!down)
    return;

  /* Every open stream ends cleanly; what comes next is refused. */
  for (guint i = 0; i < self->streams->len; i++)
    {
      Stream *stream = g_ptr_array_index (self->streams, i);

      if (stream->done)
        continue;
      soup_message_body_complete (soup_server_message_get_response_body (stream->msg));
      soup_server_message_unpause (stream->msg);
    }
}
