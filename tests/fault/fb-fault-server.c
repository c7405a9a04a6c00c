/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-fault-server.h"

#include "fb-fault-ntfy.h"
#include "fb-test-utils.h"

#include <string.h>

/* A backlog goes out in chunks of up to this many events. */
#define BACKLOG_BATCH_MAX  16
/* How long a restart keeps trying to listen on its port again. */
#define RELISTEN_TRIES     200
/* In ntfy mode a replay resends up to this many messages the client has. */
#define NTFY_REPLAY_MAX    4

typedef struct
{
  guint          status;
  guint          retry_after_s;
} QueuedError;

struct _FbFaultServer
{
  SoupServer         *soup;
  guint16             port;
  GRand              *rand;
  guint               interval_ms;
  guint               keepalive_ms;
  guint64             n_produced;
  guint               produce_id;
  guint               keepalive_id;
  GPtrArray          *streams;       /* FbTestStream */
  GQueue              errors;        /* QueuedError */
  double              replay_chance;
  gboolean            down;
  guint               relisten_id;
  guint               relisten_tries;
  FbFaultRequestFunc  request_func;
  gpointer            request_data;
  FbFaultNtfy        *ntfy;          /* in ntfy mode */
};

static void
append_event (FbFaultServer *self,
              GString       *out,
              guint64        id)
{
  if (self->ntfy != NULL)
    fb_fault_ntfy_append_message (self->ntfy, out, id);
  else
    g_string_append_printf (out, "id: %" G_GUINT64_FORMAT "\ndata: event %" G_GUINT64_FORMAT "\n\n",
                            id, id);
}

/* Streams the client went away from are dropped here, not in a signal
 * handler: FbTestStream keeps the message alive until freed. */
static void
prune_streams (FbFaultServer *self)
{
  for (guint i = self->streams->len; i > 0; i--)
    if (fb_test_stream_is_done (self->streams->pdata[i - 1]))
      g_ptr_array_remove_index_fast (self->streams, i - 1);
}

static gboolean
produce_cb (gpointer user_data)
{
  FbFaultServer *self = user_data;
  g_autoptr(GString) event = g_string_new (NULL);

  self->n_produced++;
  append_event (self, event, self->n_produced);
  prune_streams (self);
  for (guint i = 0; i < self->streams->len; i++)
    fb_test_stream_write (self->streams->pdata[i], event->str, event->len);

  return G_SOURCE_CONTINUE;
}

static gboolean
keepalive_cb (gpointer user_data)
{
  FbFaultServer *self = user_data;
  g_autoptr(GString) keepalive = g_string_new (": keep-alive\n\n");

  /* ntfy's keepalive is an event, with an id that names no message. */
  if (self->ntfy != NULL)
    {
      g_string_truncate (keepalive, 0);
      fb_fault_ntfy_append_event (self->ntfy, keepalive, "keepalive");
    }
  prune_streams (self);
  for (guint i = 0; i < self->streams->len; i++)
    fb_test_stream_write (self->streams->pdata[i], keepalive->str, keepalive->len);

  return G_SOURCE_CONTINUE;
}

/* Everything after @after, in chunks of random sizes as a real server's
 * writes would come. */
static void
send_backlog (FbFaultServer *self,
              FbTestStream  *stream,
              guint64        from)
{
  g_autoptr(GString) chunk = g_string_new (NULL);
  guint batch = 0;
  guint in_chunk = 0;

  for (guint64 id = from; id <= self->n_produced; id++)
    {
      if (in_chunk == 0)
        batch = g_rand_int_range (self->rand, 1, BACKLOG_BATCH_MAX + 1);
      append_event (self, chunk, id);
      if (++in_chunk == batch)
        {
          fb_test_stream_write (stream, chunk->str, chunk->len);
          g_string_truncate (chunk, 0);
          in_chunk = 0;
        }
    }
  if (chunk->len > 0)
    fb_test_stream_write (stream, chunk->str, chunk->len);
}

static guint16
remote_port (SoupServerMessage *msg)
{
  GSocketAddress *address = soup_server_message_get_remote_address (msg);

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return 0;

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

static void
answer_error (FbFaultServer     *self,
              SoupServerMessage *msg,
              FbFaultRequest    *request)
{
  g_autofree QueuedError *error = g_queue_pop_head (&self->errors);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  request->status = error->status;
  request->retry_after_s = error->retry_after_s;
  soup_server_message_set_status (msg, error->status, NULL);
  if (error->retry_after_s > 0)
    {
      g_autofree char *value = g_strdup_printf ("%u", error->retry_after_s);

      soup_message_headers_replace (headers, "Retry-After", value);
    }
  /* One attempt, one connection: the proxy counts attempts by connections. */
  soup_message_headers_replace (headers, "Connection", "close");
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "try later\n", 10);
}

/* ntfy: Last-Event-ID ignored, since= alone says where to start. */
static guint64
ntfy_resume_from (FbFaultServer  *self,
                  FbFaultRequest *request)
{
  guint64 from = fb_fault_ntfy_resume_from (self->ntfy, request->since, self->n_produced,
                                            &request->since_known);

  /* Some servers resend what a client has (ntfy's own since= went by
   * time: all of that second's messages again). */
  if (request->since_known && g_rand_double (self->rand) < self->replay_chance)
    {
      guint back = g_rand_int_range (self->rand, 1, NTFY_REPLAY_MAX + 1);

      from = from > back ? from - back : 1;
      request->replayed = TRUE;
    }

  return from;
}

static void
answer_stream (FbFaultServer     *self,
               SoupServerMessage *msg,
               FbFaultRequest    *request)
{
  FbTestStream *stream = fb_test_stream_new (msg, "text/event-stream");
  g_autoptr(GString) head = g_string_new (FB_FAULT_SERVER_RETRY_LINE "\n");
  guint64 from = 1;

  if (self->ntfy != NULL)
    {
      from = ntfy_resume_from (self, request);
      fb_fault_ntfy_append_event (self->ntfy, head, "open");
    }
  else if (request->last_event_id != NULL)
    {
      guint64 last = g_ascii_strtoull (request->last_event_id, NULL, 10);

      from = last + 1;
      /* Some servers resend the last event a client says it has. */
      if (last >= 1 && last <= self->n_produced &&
          g_rand_double (self->rand) < self->replay_chance)
        {
          from = last;
          request->replayed = TRUE;
        }
    }

  request->status = SOUP_STATUS_OK;
  request->first_id = from;
  fb_test_stream_write (stream, head->str, head->len);
  send_backlog (self, stream, from);
  g_ptr_array_add (self->streams, stream);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  FbFaultServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  FbFaultRequest request = {
    .remote_port = remote_port (msg),
    .time_us = g_get_monotonic_time (),
    .last_event_id = soup_message_headers_get_one (headers, "Last-Event-ID"),
    .since = query != NULL ? g_hash_table_lookup (query, "since") : NULL,
  };

  if (!g_queue_is_empty (&self->errors))
    answer_error (self, msg, &request);
  else
    answer_stream (self, msg, &request);

  if (self->request_func != NULL)
    self->request_func (self, &request, self->request_data);
}

static gboolean
listen_on (FbFaultServer  *self,
           guint16         port,
           GError        **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  return soup_server_listen (self->soup, address, 0, error);
}

FbFaultServer *
fb_fault_server_new (guint   interval_ms,
                     guint   keepalive_ms,
                     guint32 seed)
{
  g_autoptr(GError) error = NULL;
  FbFaultServer *self = g_new0 (FbFaultServer, 1);
  GSList *uris;

  self->soup = soup_server_new ("server-header", "feedbell-fault ", NULL);
  soup_server_add_handler (self->soup, NULL, server_cb, self, NULL);
  listen_on (self, 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (self->soup);
  self->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  self->rand = g_rand_new_with_seed (seed);
  self->interval_ms = interval_ms;
  self->keepalive_ms = keepalive_ms;
  self->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) fb_test_stream_free);
  g_queue_init (&self->errors);
  self->keepalive_id = g_timeout_add (keepalive_ms, keepalive_cb, self);

  return self;
}

void
fb_fault_server_free (FbFaultServer *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->produce_id, g_source_remove);
  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  g_clear_handle_id (&self->relisten_id, g_source_remove);
  for (guint i = 0; i < self->streams->len; i++)
    fb_test_stream_end (self->streams->pdata[i]);
  soup_server_disconnect (self->soup);
  g_ptr_array_unref (self->streams);
  g_clear_object (&self->soup);
  g_queue_clear_full (&self->errors, g_free);
  g_clear_pointer (&self->ntfy, fb_fault_ntfy_free);
  g_rand_free (self->rand);
  g_free (self);
}

/**
 * fb_fault_server_use_ntfy:
 *
 * From now on the server is ntfy (fb-fault-ntfy.h): before it produces.
 */
void
fb_fault_server_use_ntfy (FbFaultServer *self)
{
  g_return_if_fail (self->n_produced == 0 && self->ntfy == NULL);

  self->ntfy = fb_fault_ntfy_new (g_rand_int (self->rand));
}

/* NULL unless fb_fault_server_use_ntfy() */
FbFaultNtfy *
fb_fault_server_get_ntfy (FbFaultServer *self)
{
  return self->ntfy;
}

guint16
fb_fault_server_get_port (FbFaultServer *self)
{
  return self->port;
}

void
fb_fault_server_set_request_func (FbFaultServer      *self,
                                  FbFaultRequestFunc  func,
                                  gpointer            user_data)
{
  self->request_func = func;
  self->request_data = user_data;
}

void
fb_fault_server_set_producing (FbFaultServer *self,
                               gboolean       producing)
{
  if (producing && self->produce_id == 0)
    self->produce_id = g_timeout_add (self->interval_ms, produce_cb, self);
  else if (!producing)
    g_clear_handle_id (&self->produce_id, g_source_remove);
}

guint64
fb_fault_server_get_n_produced (FbFaultServer *self)
{
  return self->n_produced;
}

/**
 * fb_fault_server_queue_error:
 * @status: the status the next request not yet answered gets
 * @retry_after_s: a Retry-After to send with it, or 0 for none
 */
void
fb_fault_server_queue_error (FbFaultServer *self,
                             guint          status,
                             guint          retry_after_s)
{
  QueuedError *error = g_new0 (QueuedError, 1);

  error->status = status;
  error->retry_after_s = retry_after_s;
  g_queue_push_tail (&self->errors, error);
}

guint
fb_fault_server_get_n_queued_errors (FbFaultServer *self)
{
  return g_queue_get_length (&self->errors);
}

void
fb_fault_server_set_replay_chance (FbFaultServer *self,
                                   double         chance)
{
  self->replay_chance = chance;
}

static gboolean
relisten_cb (gpointer user_data)
{
  FbFaultServer *self = user_data;
  g_autoptr(GError) error = NULL;

  if (listen_on (self, self->port, &error))
    {
      self->relisten_id = 0;
      self->down = FALSE;
      return G_SOURCE_REMOVE;
    }

  /* The port is ours until someone else takes it in between: unlikely on
   * loopback, and then the test cannot go on. */
  g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE));
  g_assert_cmpuint (++self->relisten_tries, <, RELISTEN_TRIES);
  return G_SOURCE_CONTINUE;
}

static gboolean
first_relisten_cb (gpointer user_data)
{
  FbFaultServer *self = user_data;

  self->relisten_id = 0;
  self->relisten_tries = 0;
  if (relisten_cb (self) == G_SOURCE_CONTINUE)
    self->relisten_id = g_timeout_add (10, relisten_cb, self);

  return G_SOURCE_REMOVE;
}

/**
 * fb_fault_server_restart:
 * @down_ms: how long new connections are refused
 *
 * Drops every connection at once and stops listening for @down_ms, as a
 * server process that restarts. Events go on being produced meanwhile (they
 * are in its database), so a client resuming afterwards gets a backlog.
 */
void
fb_fault_server_restart (FbFaultServer *self,
                         guint          down_ms)
{
  g_return_if_fail (!self->down);

  self->down = TRUE;
  for (guint i = 0; i < self->streams->len; i++)
    fb_test_stream_abort (self->streams->pdata[i]);
  soup_server_disconnect (self->soup);
  g_ptr_array_set_size (self->streams, 0);
  self->relisten_id = g_timeout_add (down_ms, first_relisten_cb, self);
}

gboolean
fb_fault_server_is_down (FbFaultServer *self)
{
  return self->down;
}

guint
fb_fault_server_get_n_streams (FbFaultServer *self)
{
  prune_streams (self);
  return self->streams->len;
}
