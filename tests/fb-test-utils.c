/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE /* memmem() */
#include "config.h"

#include "fb-test-utils.h"

#include "fb-session.h"

#include <stdlib.h>
#include <string.h>

static gboolean
deadline_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
fb_test_wait_until (FbTestCondition condition,
                    gpointer        user_data,
                    guint           timeout_ms)
{
  gboolean expired = FALSE;
  guint id;

  id = g_timeout_add (timeout_ms, deadline_cb, &expired);
  while (!condition (user_data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);

  return condition (user_data);
}

void
fb_test_run_until (gint64 monotonic_us)
{
  gboolean reached = FALSE;
  gint64 now = g_get_monotonic_time ();

  if (monotonic_us < now)
    monotonic_us = now;
  /* Rounded up: a timeout never fires before its interval has passed. */
  g_timeout_add ((guint) ((monotonic_us - now + 999) / 1000), deadline_cb, &reached);
  while (!reached)
    g_main_context_iteration (NULL, TRUE);
}

SoupServer *
fb_test_server_new (void)
{
  return fb_test_server_new_tls (NULL);
}

SoupServer *
fb_test_server_new_tls (GTlsCertificate *certificate)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  SoupServer *server;

  server = soup_server_new ("server-header", "feedbell-test ",
                            "tls-certificate", certificate,
                            NULL);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  soup_server_listen (server, address, certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0, &error);
  g_assert_no_error (error);

  return server;
}

char *
fb_test_server_url (SoupServer *server,
                    const char *path)
{
  GSList *uris = soup_server_get_uris (server);
  GUri *uri = uris->data;
  char *url;

  url = g_strdup_printf ("%s://127.0.0.1:%d%s", g_uri_get_scheme (uri), g_uri_get_port (uri), path);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return url;
}

void
fb_test_flush_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

FbTestRequest *
fb_test_request_new (SoupServerMessage *msg)
{
  FbTestRequest *self = g_new0 (FbTestRequest, 1);

  self->method = g_strdup (soup_server_message_get_method (msg));
  self->path = g_strdup (g_uri_get_path (soup_server_message_get_uri (msg)));
  self->headers = soup_message_headers_ref (soup_server_message_get_request_headers (msg));
  self->time_us = g_get_monotonic_time ();

  return self;
}

void
fb_test_request_free (FbTestRequest *self)
{
  g_free (self->method);
  g_free (self->path);
  soup_message_headers_unref (self->headers);
  g_free (self);
}

const char *
fb_test_request_header (FbTestRequest *self,
                        const char    *name)
{
  return soup_message_headers_get_one (self->headers, name);
}

guint
fb_test_record_request (GPtrArray         *requests,
                        SoupServerMessage *msg)
{
  g_ptr_array_add (requests, fb_test_request_new (msg));
  return requests->len - 1;
}

guint
fb_test_resume_from (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *last_id = soup_message_headers_get_one (headers, "Last-Event-ID");

  return last_id != NULL ? (guint) atoi (last_id) + 1 : 1;
}

struct _FbTestStream
{
  SoupServerMessage *msg;
  gulong             finished_id;
  gulong             wrote_chunk_id;
  guint              n_appended;
  guint              n_written;
  gboolean           done;
  gboolean           ended;
  gboolean           abort_pending;
};

static void
stream_shutdown (FbTestStream *self)
{
  GSocket *socket = soup_server_message_get_socket (self->msg);

  self->abort_pending = FALSE;
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
}

static void
stream_wrote_chunk_cb (SoupServerMessage *msg,
                       gpointer           user_data)
{
  FbTestStream *self = user_data;

  self->n_written++;
  if (self->abort_pending && self->n_written >= self->n_appended)
    stream_shutdown (self);
}

static void
stream_finished_cb (SoupServerMessage *msg,
                    gpointer           user_data)
{
  FbTestStream *self = user_data;

  self->done = TRUE;
}

FbTestStream *
fb_test_stream_new (SoupServerMessage *msg,
                    const char        *content_type)
{
  FbTestStream *self = g_new0 (FbTestStream, 1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_replace (headers, "Content-Type", content_type);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  /* Written chunks are dropped at once: a long stream costs the server nothing. */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  self->msg = g_object_ref (msg);
  self->finished_id = g_signal_connect (msg, "finished",
                                        G_CALLBACK (stream_finished_cb), self);
  self->wrote_chunk_id = g_signal_connect (msg, "wrote-chunk",
                                           G_CALLBACK (stream_wrote_chunk_cb), self);

  return self;
}

FbTestStream *
fb_test_stream_new_with_length (SoupServerMessage *msg,
                                const char        *content_type,
                                goffset            content_length)
{
  FbTestStream *self = fb_test_stream_new (msg, content_type);

  soup_message_headers_set_content_length (soup_server_message_get_response_headers (msg),
                                           content_length);
  return self;
}

FbTestStream *
fb_test_stream_new_in (GPtrArray         *streams,
                       SoupServerMessage *msg,
                       const char        *content_type)
{
  FbTestStream *self = fb_test_stream_new (msg, content_type);

  g_ptr_array_add (streams, self);
  return self;
}

void
fb_test_stream_write (FbTestStream *self,
                      const char   *data,
                      gssize        len)
{
  if (self->done || self->ended)
    return;

  if (len < 0)
    len = strlen (data);
  soup_message_body_append (soup_server_message_get_response_body (self->msg),
                            SOUP_MEMORY_COPY, data, len);
  self->n_appended++;
  soup_server_message_unpause (self->msg);
}

void
fb_test_stream_printf (FbTestStream *self,
                       const char   *format,
                       ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  fb_test_stream_write (self, text, -1);
}

void
fb_test_stream_write_resume (FbTestStream *self,
                             guint         index)
{
  guint last = index == 0 ? FB_TEST_RESUME_BREAK : FB_TEST_RESUME_N_EVENTS;

  fb_test_stream_write (self, "retry: 200\n\n", -1);
  for (guint i = fb_test_resume_from (self->msg); i <= last; i++)
    fb_test_stream_printf (self, "id: %u\ndata: event %u\n\n", i, i);
  if (index == 0)
    fb_test_stream_printf (self, "id: %u\ndata: par", last + 1);
}

void
fb_test_stream_end (FbTestStream *self)
{
  if (self->done || self->ended)
    return;

  self->ended = TRUE;
  soup_message_body_complete (soup_server_message_get_response_body (self->msg));
  soup_server_message_unpause (self->msg);
}

void
fb_test_stream_abort (FbTestStream *self)
{
  if (self->done || self->ended)
    return;

  /* The client sees the connection end before the body does, once what was
   * written before has gone out. */
  self->ended = TRUE;
  self->abort_pending = TRUE;
  if (self->n_written >= self->n_appended)
    stream_shutdown (self);
}

gboolean
fb_test_stream_is_done (FbTestStream *self)
{
  return self->done;
}

SoupServerMessage *
fb_test_stream_get_message (FbTestStream *self)
{
  return self->msg;
}

void
fb_test_stream_free (FbTestStream *self)
{
  g_clear_signal_handler (&self->finished_id, self->msg);
  g_clear_signal_handler (&self->wrote_chunk_id, self->msg);
  g_clear_object (&self->msg);
  g_free (self);
}

struct _FbTestSseServer
{
  SoupServer       *server;
  GPtrArray        *requests;   /* FbTestRequest */
  GPtrArray        *streams;    /* FbTestStream */
  FbTestSseHandler  handler;
  gpointer          user_data;
  gboolean          disconnected;
};

static void
sse_server_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  FbTestSseServer *self = user_data;
  guint index = fb_test_record_request (self->requests, msg);

  self->handler (self, msg, path, query, index, self->user_data);
}

FbTestSseServer *
fb_test_sse_server_new (FbTestSseHandler handler,
                        gpointer         user_data)
{
  return fb_test_sse_server_new_tls (handler, user_data, NULL);
}

FbTestSseServer *
fb_test_sse_server_new_tls (FbTestSseHandler  handler,
                            gpointer          user_data,
                            GTlsCertificate  *certificate)
{
  FbTestSseServer *self = g_new0 (FbTestSseServer, 1);

  g_assert_nonnull (handler);
  self->server = fb_test_server_new_tls (certificate);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) fb_test_request_free);
  self->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) fb_test_stream_free);
  self->handler = handler;
  self->user_data = user_data;
  soup_server_add_handler (self->server, NULL, sse_server_cb, self, NULL);

  return self;
}

void
fb_test_sse_server_free (FbTestSseServer *self)
{
  if (self == NULL)
    return;

  fb_test_sse_server_end_streams (self);
  fb_test_sse_server_disconnect (self);
  g_ptr_array_unref (self->streams);
  g_clear_object (&self->server);
  fb_test_flush_main_context ();
  g_ptr_array_unref (self->requests);
  g_free (self);
}

SoupServer *
fb_test_sse_server_get_soup (FbTestSseServer *self)
{
  return self->server;
}

char *
fb_test_sse_server_url (FbTestSseServer *self,
                        const char      *path)
{
  return fb_test_server_url (self->server, path);
}

GPtrArray *
fb_test_sse_server_get_requests (FbTestSseServer *self)
{
  return self->requests;
}

FbTestRequest *
fb_test_sse_server_get_request (FbTestSseServer *self,
                                guint            index)
{
  g_assert_cmpuint (index, <, self->requests->len);
  return self->requests->pdata[index];
}

GPtrArray *
fb_test_sse_server_get_streams (FbTestSseServer *self)
{
  return self->streams;
}

FbTestStream *
fb_test_sse_server_stream (FbTestSseServer   *self,
                           SoupServerMessage *msg,
                           const char        *content_type)
{
  return fb_test_stream_new_in (self->streams, msg, content_type);
}

void
fb_test_sse_server_end_streams (FbTestSseServer *self)
{
  /* The messages of a disconnected server can no longer be written. */
  if (self->disconnected)
    return;

  for (guint i = 0; i < self->streams->len; i++)
    fb_test_stream_end (self->streams->pdata[i]);
}

void
fb_test_sse_server_disconnect (FbTestSseServer *self)
{
  if (self->disconnected)
    return;

  self->disconnected = TRUE;
  soup_server_disconnect (self->server);
}

static void
delete_file_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFile *child;

      while (g_file_enumerator_iterate (children, NULL, &child, NULL, NULL) && child != NULL)
        delete_file_tree (child);
    }
  g_file_delete (file, NULL, NULL);
}

void
fb_test_delete_tree (const char *path)
{
  g_autoptr(GFile) file = NULL;

  if (path == NULL)
    return;

  file = g_file_new_for_path (path);
  delete_file_tree (file);
}

gboolean
fb_test_file_under_contains (const char *dir,
                             const char *needle)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && fb_test_file_under_contains (path, needle))
        return TRUE;
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR) &&
          g_file_get_contents (path, &contents, &length, NULL) &&
          memmem (contents, length, needle, strlen (needle)) != NULL)
        {
          g_printerr ("a secret is in clear in %s\n", path);
          return TRUE;
        }
    }

  return FALSE;
}

struct _FbTestPeerWatch
{
  GSource  *source;
  gboolean  closed;
};

static gboolean
peer_readable_cb (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  FbTestPeerWatch *watch = user_data;
  g_autoptr(GError) error = NULL;
  int flags = G_SOCKET_MSG_PEEK;
  char byte;
  GInputVector vector = { &byte, 1 };
  gssize n;

  n = g_socket_receive_message (socket, NULL, &vector, 1, NULL, NULL, &flags, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  /* The client sends nothing after its request: it is gone. */
  g_assert_cmpint (n, <=, 0);
  watch->closed = TRUE;

  return G_SOURCE_REMOVE;
}

FbTestPeerWatch *
fb_test_peer_watch_new (SoupServerMessage *msg)
{
  FbTestPeerWatch *watch = g_new0 (FbTestPeerWatch, 1);

  watch->source = g_socket_create_source (soup_server_message_get_socket (msg),
                                          G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (watch->source, (GSourceFunc) G_CALLBACK (peer_readable_cb), watch, NULL);
  g_source_attach (watch->source, NULL);

  return watch;
}

/* An FbTestCondition: whether the client has closed the connection. */
gboolean
fb_test_peer_watch_closed (gpointer watch)
{
  return ((FbTestPeerWatch *) watch)->closed;
}

void
fb_test_peer_watch_free (FbTestPeerWatch *watch)
{
  g_source_destroy (watch->source);
  g_source_unref (watch->source);
  g_free (watch);
}

void
fb_test_net_fixture_set_up (FbTestNetFixture *self,
                            FbTestSseHandler  handler,
                            gpointer          user_data)
{
  g_autoptr(GError) error = NULL;

  self->server = fb_test_sse_server_new (handler, user_data);
  self->other = fb_test_sse_server_new (handler, user_data);
  self->session = fb_session_new (NULL, &error);
  g_assert_no_error (error);
  self->clock = fb_clock_new_manual (0, (gint64) 1700000000 * G_USEC_PER_SEC);
}

void
fb_test_net_fixture_tear_down (FbTestNetFixture *self)
{
  g_clear_pointer (&self->peer_watch, fb_test_peer_watch_free);
  g_clear_object (&self->paused);
  g_clear_pointer (&self->server, fb_test_sse_server_free);
  g_clear_pointer (&self->other, fb_test_sse_server_free);
  g_clear_object (&self->session);
  g_clear_object (&self->clock);
}

void
fb_test_net_fixture_watch (FbTestNetFixture  *self,
                           SoupServerMessage *msg)
{
  g_assert_null (self->peer_watch);
  self->peer_watch = fb_test_peer_watch_new (msg);
}

void
fb_test_net_fixture_hold (FbTestNetFixture  *self,
                          SoupServerMessage *msg)
{
  g_assert_null (self->paused);
  self->paused = g_object_ref (msg);
  fb_test_net_fixture_watch (self, msg);
  soup_server_message_pause (msg);
}

gboolean
fb_test_net_fixture_holds (gpointer fixture)
{
  return ((FbTestNetFixture *) fixture)->paused != NULL;
}

gboolean
fb_test_clock_has_no_timeouts (gpointer clock)
{
  return fb_clock_get_n_timeouts (clock) == 0;
}
