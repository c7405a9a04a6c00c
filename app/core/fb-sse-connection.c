/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-sse-connection"

#include "config.h"

#include "fb-sse-connection-private.h"

#include "fb-session.h"

#include "fb-backoff.h"
#include "fb-enums.h"
#include "fb-sse-parser.h"
#include "fb-util-private.h"

#include <string.h>

/*
 * One feed's event stream, kept alive for as long as the user wants it.
 *
 * This file holds the GObject side of FbSseConnection: the type, its
 * properties and its signal, construction and disposal, and the accessors
 * and setters of its settings. The rest is split by responsibility:
 *
 *  - fb-sse-connection-state.c: the state machine, and the public calls
 *    that drive it (start, stop, reconnect, the network coming and going);
 *  - fb-sse-connection-http.c: the request and its response (redirects,
 *    status codes);
 *  - fb-sse-connection-read.c: the open stream: the read loop, the parser
 *    and event delivery, and the idle watchdog.
 */

/* The parser's own default is the connection's. */
G_STATIC_ASSERT (FB_SSE_DEFAULT_MAX_EVENT_SIZE == FB_SSE_PARSER_DEFAULT_MAX_SIZE);

#define DEFAULT_READ_SIZE  (16 * 1024)
#define MIN_READ_SIZE      (4 * 1024)
#define MAX_READ_SIZE      (1024 * 1024)

enum {
  PROP_0,
  PROP_URL,
  PROP_SESSION,
  PROP_STATE,
  PROP_LAST_ERROR,
  PROP_LAST_EVENT_ID,
  PROP_RETRY_AT,
  PROP_IDLE_TIMEOUT,
  PROP_READ_SIZE,
  PROP_MAX_EVENT_SIZE,
  N_PROPS
};

enum {
  EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FbSseConnection, fb_sse_connection, G_TYPE_OBJECT)

/* Signal emissions pass events without copying (G_SIGNAL_TYPE_STATIC_SCOPE);
 * a copy, for whoever keeps one, owns its strings. */
static FbSseEvent *
fb_sse_event_copy (FbSseEvent *event)
{
  FbSseEvent *copy = g_new (FbSseEvent, 1);

  copy->type = g_memdup2 (event->type, event->type_len + 1);
  copy->type_len = event->type_len;
  copy->data = g_memdup2 (event->data, event->data_len + 1);
  copy->data_len = event->data_len;
  copy->last_event_id = g_strdup (event->last_event_id);
  copy->has_id = event->has_id;

  return copy;
}

static void
fb_sse_event_free (FbSseEvent *event)
{
  g_free ((char *) event->type);
  g_free ((char *) event->data);
  g_free ((char *) event->last_event_id);
  g_free (event);
}

G_DEFINE_BOXED_TYPE (FbSseEvent, fb_sse_event, fb_sse_event_copy, fb_sse_event_free)

/* The properties and the signal are declared here; the state machine and the
 * read loop, in their own files, notify and emit them through these.
 *
 * set_state() leaves these pending, and flushes them once the new state is
 * whole. The state goes last: its handlers are the ones that stop or
 * reconnect, and they find everything else about the state already told.
 * Each is taken off before it is emitted: a handler that changes the state
 * again flushes what it changed itself, and nothing is told twice. */
void
_fb_sse_connection_flush_notify (FbSseConnection *self)
{
  static const struct {
    FbSseNotify flag;
    guint       prop_id;
  } order[] = {
    { FB_SSE_NOTIFY_RETRY_AT, PROP_RETRY_AT },
    { FB_SSE_NOTIFY_LAST_ERROR, PROP_LAST_ERROR },
    { FB_SSE_NOTIFY_STATE, PROP_STATE },
  };

  /* A handler may drop the last reference. */
  g_object_ref (self);
  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    {
      if ((self->pending_notify & order[i].flag) == 0)
        continue;
      self->pending_notify &= ~order[i].flag;
      g_object_notify_by_pspec (G_OBJECT (self), properties[order[i].prop_id]);
    }
  g_object_unref (self);
}

void
_fb_sse_connection_notify_last_event_id (FbSseConnection *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_EVENT_ID]);
}

/* The signal is kept for whoever connects to it; unwatched, it costs nothing. */
void
_fb_sse_connection_emit_event (FbSseConnection *self,
                               FbSseEvent      *event)
{
  if (g_signal_has_handler_pending (self, signals[EVENT], 0, TRUE))
    g_signal_emit (self, signals[EVENT], 0, event);
}

static void
fb_sse_connection_constructed (GObject *object)
{
  FbSseConnection *self = FB_SSE_CONNECTION (object);

  G_OBJECT_CLASS (fb_sse_connection_parent_class)->constructed (object);

  if (self->session == NULL)
    self->session = fb_session_new (NULL, NULL);
  if (self->url != NULL)
    self->uri = g_uri_parse (self->url, SOUP_HTTP_URI_FLAGS, NULL);
  self->buffer = g_malloc (self->read_size);
}

static void
fb_sse_connection_dispose (GObject *object)
{
  FbSseConnection *self = FB_SSE_CONNECTION (object);

  _fb_sse_connection_teardown (self);
  _fb_sse_connection_watchdog_destroy (self);
  g_clear_object (&self->session);
  fb_sse_connection_set_event_func (self, NULL, NULL, NULL);
  fb_sse_connection_set_read_done_func (self, NULL, NULL, NULL);

  G_OBJECT_CLASS (fb_sse_connection_parent_class)->dispose (object);
}

static void
fb_sse_connection_finalize (GObject *object)
{
  FbSseConnection *self = FB_SSE_CONNECTION (object);

  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->uri, g_uri_unref);
  g_clear_pointer (&self->parser, fb_sse_parser_free);
  g_clear_pointer (&self->headers, g_ptr_array_unref);
  g_clear_pointer (&self->authorization, g_free);
  g_clear_pointer (&self->query_name, g_free);
  g_clear_pointer (&self->query_value, g_free);
  g_clear_pointer (&self->buffer, g_free);
  g_clear_pointer (&self->notified_id, g_free);
  g_clear_error (&self->last_error);

  G_OBJECT_CLASS (fb_sse_connection_parent_class)->finalize (object);
}

static void
fb_sse_connection_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  FbSseConnection *self = FB_SSE_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LAST_ERROR:
      g_value_set_boxed (value, self->last_error);
      break;
    case PROP_LAST_EVENT_ID:
      g_value_set_string (value, fb_sse_connection_get_last_event_id (self));
      break;
    case PROP_RETRY_AT:
      g_value_set_int64 (value, self->retry_at);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;
    case PROP_READ_SIZE:
      g_value_set_uint (value, self->read_size);
      break;
    case PROP_MAX_EVENT_SIZE:
      g_value_set_uint (value, fb_sse_connection_get_max_event_size (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_sse_connection_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  FbSseConnection *self = FB_SSE_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URL:
      self->url = g_value_dup_string (value);
      break;
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_LAST_EVENT_ID:
      fb_sse_connection_set_last_event_id (self, g_value_get_string (value));
      break;
    case PROP_IDLE_TIMEOUT:
      fb_sse_connection_set_idle_timeout (self, g_value_get_uint (value));
      break;
    case PROP_READ_SIZE:
      self->read_size = g_value_get_uint (value);
      break;
    case PROP_MAX_EVENT_SIZE:
      fb_sse_connection_set_max_event_size (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_sse_connection_class_init (FbSseConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = fb_sse_connection_constructed;
  object_class->dispose = fb_sse_connection_dispose;
  object_class->finalize = fb_sse_connection_finalize;
  object_class->get_property = fb_sse_connection_get_property;
  object_class->set_property = fb_sse_connection_set_property;

  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, FB_TYPE_SSE_STATE, FB_SSE_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_boxed ("last-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_EVENT_ID] =
    g_param_spec_string ("last-event-id", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RETRY_AT] =
    g_param_spec_int64 ("retry-at", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL, 1, 24 * 60 * 60, FB_SSE_DEFAULT_IDLE_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Bytes asked of each read: a fast stream is parsed in fewer, bigger pieces. */
  properties[PROP_READ_SIZE] =
    g_param_spec_uint ("read-size", NULL, NULL, MIN_READ_SIZE, MAX_READ_SIZE, DEFAULT_READ_SIZE,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The largest event data kept, in bytes: a bigger event is dropped and
   * counted, so a broken or hostile server cannot make memory grow. */
  properties[PROP_MAX_EVENT_SIZE] =
    g_param_spec_uint ("max-event-size", NULL, NULL,
                       FB_SSE_MIN_EVENT_SIZE, FB_SSE_MAX_EVENT_SIZE, FB_SSE_DEFAULT_MAX_EVENT_SIZE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * FbSseConnection::event:
   * @event: (type FbSseEvent): the event, valid during the emission only
   */
  signals[EVENT] =
    g_signal_new ("event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  FB_TYPE_SSE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
fb_sse_connection_init (FbSseConnection *self)
{
  _fb_sse_connection_init_parser (self);
  fb_backoff_init (&self->backoff, NULL, NULL);
  self->headers = g_ptr_array_new_with_free_func (g_free);
  self->idle_timeout = FB_SSE_DEFAULT_IDLE_TIMEOUT;
  self->connect_timeout = FB_SSE_DEFAULT_CONNECT_TIMEOUT;
  self->network_available = TRUE;
  self->read_size = DEFAULT_READ_SIZE;
}

/**
 * fb_sse_connection_new:
 * @url: an http or https URL
 *
 * Returns: (transfer full): a connection, not yet started
 */
FbSseConnection *
fb_sse_connection_new (const char *url)
{
  g_return_val_if_fail (url != NULL, NULL);

  return g_object_new (FB_TYPE_SSE_CONNECTION, "url", url, NULL);
}

/**
 * fb_sse_connection_is_loopback:
 *
 * Returns: whether the feed is on this machine: the network monitor's
 *   "no network" does not concern it
 */
gboolean
fb_sse_connection_is_loopback (FbSseConnection *self)
{
  g_autoptr(GInetAddress) address = NULL;
  const char *host;

  g_return_val_if_fail (FB_IS_SSE_CONNECTION (self), FALSE);

  if (self->uri == NULL || (host = g_uri_get_host (self->uri)) == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

FbSseState
fb_sse_connection_get_state (FbSseConnection *self)
{
  g_return_val_if_fail (FB_IS_SSE_CONNECTION (self), FB_SSE_STATE_DISCONNECTED);

  return self->state;
}

/**
 * fb_sse_connection_get_last_error:
 *
 * Returns: (nullable): why the last attempt failed, cleared when a stream opens
 */
const GError *
fb_sse_connection_get_last_error (FbSseConnection *self)
{
  g_return_val_if_fail (FB_IS_SSE_CONNECTION (self), NULL);

  return self->last_error;
}

const char *
fb_sse_connection_get_url (FbSseConnection *self)
{
  g_return_val_if_fail (FB_IS_SSE_CONNECTION (self), NULL);

  return self->url;
}

const char *
fb_sse_connection_get_last_event_id (FbSseConnection *self)
{
  g_return_val_if_fail (FB_IS_SSE_CONNECTION (self), NULL);

  return fb_sse_parser_get_last_event_id (self->parser);
}

/**
 * fb_sse_connection_set_last_event_id:
 * @last_event_id: (nullable): the id to resume from, e.g. from disk
 */
void
fb_sse_connection_set_last_event_id (FbSseConnection *self,
                                     const char      *last_event_id)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  if (g_strcmp0 (last_event_id, fb_sse_parser_get_last_event_id (self->parser)) == 0)
    return;

  fb_sse_parser_set_last_event_id (self->parser, last_event_id);
  _fb_set_str (&self->notified_id, last_event_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_EVENT_ID]);
}

/**
 * fb_sse_connection_get_retry_at:
 *
 * Returns: the monotonic time (µs) of the next attempt, or 0 when none is scheduled
 */
gint64
fb_sse_connection_get_retry_at (FbSseConnection *self)
{
  g_return_val_if_fail (FB_IS_SSE_CONNECTION (self), 0);

  return self->retry_at;
}

void
fb_sse_connection_set_idle_timeout (FbSseConnection *self,
                                    guint            seconds)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  seconds = MAX (seconds, 1);
  if (seconds == self->idle_timeout)
    return;

  self->idle_timeout = seconds;
  _fb_sse_connection_watchdog_reschedule (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_TIMEOUT]);
}

void
fb_sse_connection_set_connect_timeout (FbSseConnection *self,
                                       guint            seconds)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  self->connect_timeout = MAX (seconds, 1);
}

/**
 * fb_sse_connection_set_query_param:
 * @name: (nullable): a query parameter to set on every request, e.g. "since"
 * @value: (nullable): its value
 *
 * For servers that resume from a query parameter rather than Last-Event-ID
 * (ntfy's `since=`). It replaces a parameter of the same name in the URL.
 */
void
fb_sse_connection_set_query_param (FbSseConnection *self,
                                   const char      *name,
                                   const char      *value)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  _fb_set_str (&self->query_name, value ? name : NULL);
  _fb_set_str (&self->query_value, name ? value : NULL);
}

/**
 * fb_sse_connection_add_header:
 *
 * Adds a request header. Like the authorization, it is only ever sent to
 * the feed's own origin.
 */
void
fb_sse_connection_add_header (FbSseConnection *self,
                              const char      *name,
                              const char      *value)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));
  g_return_if_fail (name != NULL && value != NULL);

  g_ptr_array_add (self->headers, g_strdup (name));
  g_ptr_array_add (self->headers, g_strdup (value));
}

/**
 * fb_sse_connection_set_authorization:
 * @value: (nullable): a whole `Authorization` header value, e.g. "Bearer …"
 */
void
fb_sse_connection_set_authorization (FbSseConnection *self,
                                     const char      *value)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  _fb_set_str (&self->authorization, value);
}

/**
 * fb_sse_connection_set_random_func:
 *
 * Replaces the jitter's random source, for tests.
 */
void
fb_sse_connection_set_random_func (FbSseConnection *self,
                                   double         (*random_func) (gpointer),
                                   gpointer         random_data)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  fb_backoff_set_random_func (&self->backoff, random_func, random_data);
}

guint
fb_sse_connection_get_max_event_size (FbSseConnection *self)
{
  g_return_val_if_fail (FB_IS_SSE_CONNECTION (self), 0);

  return (guint) fb_sse_parser_get_max_size (self->parser);
}

/**
 * fb_sse_connection_set_max_event_size:
 * @max_event_size: the largest event data kept, in bytes, between
 *   %FB_SSE_MIN_EVENT_SIZE and %FB_SSE_MAX_EVENT_SIZE
 *
 * A bigger event is dropped and counted (fb_sse_connection_get_n_dropped()).
 * On an open stream it applies to the lines that come next.
 */
void
fb_sse_connection_set_max_event_size (FbSseConnection *self,
                                      guint            max_event_size)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));
  g_return_if_fail (max_event_size >= FB_SSE_MIN_EVENT_SIZE && max_event_size <= FB_SSE_MAX_EVENT_SIZE);

  if (max_event_size == fb_sse_parser_get_max_size (self->parser))
    return;

  fb_sse_parser_set_max_size (self->parser, max_event_size);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_EVENT_SIZE]);
}

/**
 * fb_sse_connection_get_n_dropped:
 *
 * Returns: how many oversized events were dropped
 */
guint
fb_sse_connection_get_n_dropped (FbSseConnection *self)
{
  g_return_val_if_fail (FB_IS_SSE_CONNECTION (self), 0);

  return fb_sse_parser_get_n_dropped (self->parser);
}
