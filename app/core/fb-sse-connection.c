/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-sse-connection"

#include "config.h"

#include "fb-sse-connection-private.h"

#include "fb-backoff.h"
#include "fb-enums.h"
#include "fb-sse-parser.h"
#include "fb-util-private.h"
#include "fb-url.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * One feed's event stream, kept alive for as long as the user wants it.
 *
 * The state only changes in _fb_sse_connection_set_state(), which first
 * tears down whatever the old state had running (request, timers) and
 * then starts what the new one needs. Everything that can be in flight is
 * a field, so teardown is one function and nothing outlives the state it
 * belongs to.
 *
 * The request and its response (redirects, status codes) are in
 * fb-sse-connection-http.c.
 */

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

static void connect_now (FbSseConnection *self);

const char *
fb_sse_state_to_string (FbSseState state)
{
  switch (state)
    {
    case FB_SSE_STATE_DISCONNECTED: return "disconnected";
    case FB_SSE_STATE_CONNECTING: return "connecting";
    case FB_SSE_STATE_OPEN: return "open";
    case FB_SSE_STATE_WAITING_RETRY: return "waiting-retry";
    case FB_SSE_STATE_WAITING_NETWORK: return "waiting-network";
    case FB_SSE_STATE_FAILED: return "failed";
    case FB_SSE_STATE_STOPPED: return "stopped";
    default: return "unknown";
    }
}

static void
teardown (FbSseConnection *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->stream);
  g_clear_object (&self->message);
  g_clear_pointer (&self->current_uri, g_uri_unref);
  g_clear_handle_id (&self->connect_timeout_id, g_source_remove);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->watchdog != NULL)
    g_source_set_ready_time (self->watchdog, -1);
}

static gboolean
retry_cb (gpointer user_data)
{
  FbSseConnection *self = user_data;

  self->retry_id = 0;
  connect_now (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_retry (FbSseConnection *self,
                guint64          delay_ms)
{
  self->retry_at = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  self->retry_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                       (guint) MIN (delay_ms, G_MAXUINT),
                                       retry_cb, self, NULL);
  g_source_set_name_by_id (self->retry_id, "[feedbell] sse retry");
}

void
_fb_sse_connection_set_state (FbSseConnection *self,
                              FbSseState       state)
{
  gint64 old_retry_at = self->retry_at;
  FbSseState old_state = self->state;

  teardown (self);
  self->retry_at = 0;
  self->state = state;

  switch (state)
    {
    case FB_SSE_STATE_DISCONNECTED:
    case FB_SSE_STATE_WAITING_NETWORK:
    case FB_SSE_STATE_STOPPED:
      break;

    case FB_SSE_STATE_CONNECTING:
      self->cancellable = g_cancellable_new ();
      self->current_uri = g_uri_ref (self->uri);
      self->n_redirects = 0;
      break;

    case FB_SSE_STATE_OPEN:
      fb_sse_parser_reset (self->parser);
      fb_backoff_opened (&self->backoff, g_get_monotonic_time ());
      g_clear_error (&self->last_error);
      break;

    case FB_SSE_STATE_WAITING_RETRY:
      schedule_retry (self, self->next_delay_ms);
      break;

    case FB_SSE_STATE_FAILED:
      schedule_retry (self, fb_backoff_failed_delay (&self->backoff));
      break;

    default:
      g_assert_not_reached ();
    }

  g_debug ("%s: %s → %s", self->url,
           fb_sse_state_to_string (old_state), fb_sse_state_to_string (state));

  if (old_state != state)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (old_retry_at != self->retry_at)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_AT]);
}

static void
set_error (FbSseConnection *self,
           GError          *error)
{
  g_clear_error (&self->last_error);
  self->last_error = error;
  g_debug ("%s: %s", self->url, error->message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

/* A transient failure: back off, honouring @retry_after_ms. Takes @error. */
void
_fb_sse_connection_fail_transient (FbSseConnection *self,
                                   GError          *error,
                                   guint64          retry_after_ms)
{
  set_error (self, error);
  self->next_delay_ms = fb_backoff_next_delay (&self->backoff,
                                               g_get_monotonic_time (),
                                               retry_after_ms);
  /* Without a network, retrying only burns attempts: wait for it instead. */
  _fb_sse_connection_set_state (self, self->network_available ? FB_SSE_STATE_WAITING_RETRY
                                                              : FB_SSE_STATE_WAITING_NETWORK);
}

/* A failure a person must fix. Takes @error. */
void
_fb_sse_connection_fail_permanent (FbSseConnection *self,
                                   GError          *error)
{
  set_error (self, error);
  _fb_sse_connection_set_state (self, FB_SSE_STATE_FAILED);
}

static gboolean
watchdog_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs watchdog_funcs = {
  .dispatch = watchdog_dispatch,
};

/* The watchdog is not moved on every read: it wakes once per idle period,
 * and only then looks at when the last byte came, so a busy stream costs no
 * timer updates and a quiet one at most one wakeup per period. */
static gboolean
watchdog_cb (gpointer user_data)
{
  FbSseConnection *self = user_data;
  gint64 deadline = self->last_byte_at + (gint64) self->idle_timeout * G_USEC_PER_SEC;

  if (self->state != FB_SSE_STATE_OPEN)
    {
      g_source_set_ready_time (self->watchdog, -1);
      return G_SOURCE_CONTINUE;
    }

  if (g_get_monotonic_time () < deadline)
    {
      g_source_set_ready_time (self->watchdog, deadline);
      return G_SOURCE_CONTINUE;
    }

  _fb_sse_connection_fail_transient (self,
                                     g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_IDLE,
                                                  _("Nothing received for %u seconds: "
                                                    "the connection seems dead"),
                                                  self->idle_timeout),
                                     0);
  return G_SOURCE_CONTINUE;
}

void
_fb_sse_connection_arm_watchdog (FbSseConnection *self)
{
  if (self->watchdog == NULL)
    {
      self->watchdog = g_source_new (&watchdog_funcs, sizeof (GSource));
      g_source_set_callback (self->watchdog, watchdog_cb, self, NULL);
      g_source_set_name (self->watchdog, "[feedbell] sse watchdog");
      g_source_attach (self->watchdog, NULL);
    }

  self->last_byte_at = g_get_monotonic_time ();
  g_source_set_ready_time (self->watchdog,
                           self->last_byte_at + (gint64) self->idle_timeout * G_USEC_PER_SEC);
}

static void
event_cb (const char *type,
          const char *data,
          gsize       data_len,
          const char *last_event_id,
          gpointer    user_data)
{
  FbSseConnection *self = user_data;
  FbSseEvent event = {
    .type = type,
    .type_len = fb_sse_parser_get_event_type_len (self->parser),
    .data = data,
    .data_len = data_len,
    .last_event_id = last_event_id,
    .has_id = fb_sse_parser_event_has_id (self->parser),
  };

  if (self->event_func != NULL)
    self->event_func (self, &event, self->event_data);
  /* The signal is kept for whoever connects to it; unwatched, it costs nothing. */
  if (g_signal_has_handler_pending (self, signals[EVENT], 0, TRUE))
    g_signal_emit (self, signals[EVENT], 0, &event);

  /* A handler stopped or restarted us: what follows in this read was not
   * delivered, so it must not count as seen (nor move the last event id). */
  if (self->state != FB_SSE_STATE_OPEN)
    fb_sse_parser_interrupt (self->parser);
}

static void
retry_field_cb (guint64  retry_ms,
                gpointer user_data)
{
  FbSseConnection *self = user_data;

  fb_backoff_set_retry (&self->backoff, retry_ms);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  FbSseConnection *self;
  guint n_dropped;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = FB_SSE_CONNECTION (user_data);
  g_assert (self->state == FB_SSE_STATE_OPEN);

  if (n < 0)
    {
      _fb_sse_connection_fail_transient (self,
                                         g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_NETWORK,
                                                      _("The connection was lost: %s"), error->message),
                                         0);
      return;
    }

  if (n == 0)
    {
      _fb_sse_connection_fail_transient (self,
                                         g_error_new_literal (FB_SSE_ERROR, FB_SSE_ERROR_CLOSED,
                                                              _("The server closed the stream")),
                                         0);
      return;
    }

  self->last_byte_at = g_get_monotonic_time ();

  g_object_ref (self);
  n_dropped = fb_sse_parser_get_n_dropped (self->parser);
  fb_sse_parser_feed (self->parser, (const char *) self->buffer, n);
  /* Also when a handler stopped the stream: the events delivered before
   * that are the ones whoever buffers them has to finish with. */
  if (self->read_done_func != NULL)
    self->read_done_func (self, self->read_done_data);
  if (fb_sse_parser_get_n_dropped (self->parser) != n_dropped)
    g_message ("%s: dropped an event larger than %" G_GSIZE_FORMAT " bytes",
               self->url, fb_sse_parser_get_max_size (self->parser));
  if (_fb_set_str (&self->notified_id, fb_sse_parser_get_last_event_id (self->parser)))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_EVENT_ID]);
  if (self->state == FB_SSE_STATE_OPEN)
    _fb_sse_connection_read_next (self);
  g_object_unref (self);
}

void
_fb_sse_connection_read_next (FbSseConnection *self)
{
  g_input_stream_read_async (self->stream,
                             self->buffer,
                             self->read_size,
                             G_PRIORITY_DEFAULT,
                             self->cancellable,
                             read_cb,
                             self);
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  FbSseConnection *self = user_data;

  self->connect_timeout_id = 0;
  _fb_sse_connection_fail_transient (self,
                                     g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_TIMED_OUT,
                                                  _("The server did not answer within %u seconds"),
                                                  self->connect_timeout),
                                     0);

  return G_SOURCE_REMOVE;
}

static void
connect_now (FbSseConnection *self)
{
  _fb_sse_connection_set_state (self, FB_SSE_STATE_CONNECTING);
  self->connect_timeout_id = g_timeout_add (self->connect_timeout * 1000, connect_timeout_cb, self);
  _fb_sse_connection_send_request (self);
}

static void
fb_sse_connection_constructed (GObject *object)
{
  FbSseConnection *self = FB_SSE_CONNECTION (object);

  G_OBJECT_CLASS (fb_sse_connection_parent_class)->constructed (object);

  if (self->session == NULL)
    self->session = g_object_new (SOUP_TYPE_SESSION,
                                  "timeout", 0,
                                  "user-agent", "Feedbell/" PACKAGE_VERSION " ",
                                  NULL);
  if (self->url != NULL)
    self->uri = g_uri_parse (self->url, SOUP_HTTP_URI_FLAGS, NULL);
  self->buffer = g_malloc (self->read_size);
}

static void
fb_sse_connection_dispose (GObject *object)
{
  FbSseConnection *self = FB_SSE_CONNECTION (object);

  teardown (self);
  if (self->watchdog != NULL)
    {
      g_source_destroy (self->watchdog);
      g_clear_pointer (&self->watchdog, g_source_unref);
    }
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
  self->parser = fb_sse_parser_new (0);
  fb_sse_parser_set_handlers (self->parser, event_cb, retry_field_cb, self);
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
 * fb_sse_connection_start:
 *
 * Connects, unless already connecting or open.
 */
void
fb_sse_connection_start (FbSseConnection *self)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  if (self->state == FB_SSE_STATE_CONNECTING || self->state == FB_SSE_STATE_OPEN)
    return;

  if (self->uri == NULL || !fb_uri_is_http (self->uri))
    {
      set_error (self,
                 g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_INVALID_URL,
                              _("“%s” is not an http or https address"), self->url));
      _fb_sse_connection_set_state (self, FB_SSE_STATE_STOPPED);
      return;
    }

  connect_now (self);
}

/**
 * fb_sse_connection_stop:
 *
 * Closes the stream and schedules nothing: the connection stays STOPPED
 * until started again.
 */
void
fb_sse_connection_stop (FbSseConnection *self)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  _fb_sse_connection_set_state (self, FB_SSE_STATE_STOPPED);
}

/**
 * fb_sse_connection_reconnect_now:
 *
 * Drops any stream and connects at once, forgetting earlier failures: for
 * the user's "Reconnect", and for the network coming back or a resume.
 */
void
fb_sse_connection_reconnect_now (FbSseConnection *self)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  fb_backoff_reset (&self->backoff);
  if (self->uri == NULL || !fb_uri_is_http (self->uri))
    {
      fb_sse_connection_start (self);
      return;
    }
  connect_now (self);
}

/**
 * fb_sse_connection_wait_for_network:
 *
 * Drops any stream and waits, without retrying, for
 * fb_sse_connection_reconnect_now().
 */
void
fb_sse_connection_wait_for_network (FbSseConnection *self)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  if (self->state != FB_SSE_STATE_STOPPED)
    _fb_sse_connection_set_state (self, FB_SSE_STATE_WAITING_NETWORK);
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

/**
 * fb_sse_connection_set_network_available:
 * @available: what the network monitor says
 *
 * While the network is away, a failing stream waits in WAITING_NETWORK
 * instead of backing off; when it comes back, a waiting stream connects at
 * once. A stream that is open is left alone: the watchdog judges it.
 */
void
fb_sse_connection_set_network_available (FbSseConnection *self,
                                         gboolean         available)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  available = !!available;
  if (available == self->network_available)
    return;

  self->network_available = available;
  if (!available && self->state == FB_SSE_STATE_WAITING_RETRY)
    _fb_sse_connection_set_state (self, FB_SSE_STATE_WAITING_NETWORK);
  else if (available && self->state == FB_SSE_STATE_WAITING_NETWORK)
    fb_sse_connection_reconnect_now (self);
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

guint
fb_sse_connection_get_idle_timeout (FbSseConnection *self)
{
  g_return_val_if_fail (FB_IS_SSE_CONNECTION (self), 0);

  return self->idle_timeout;
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
  if (self->state == FB_SSE_STATE_OPEN)
    g_source_set_ready_time (self->watchdog,
                             self->last_byte_at + (gint64) seconds * G_USEC_PER_SEC);
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

/**
 * fb_sse_connection_set_event_func:
 * @func: (nullable): called for every event, before the "event" signal
 * @user_data: its closure
 * @destroy: (nullable): frees @user_data when the function is replaced or
 *   the connection disposed
 *
 * A direct handler for whoever handles every event of a busy stream: unlike
 * the signal, it costs one call per event. If it stops or restarts the
 * connection, the rest of the read is dropped, as for a signal handler.
 */
void
fb_sse_connection_set_event_func (FbSseConnection          *self,
                                  FbSseConnectionEventFunc  func,
                                  gpointer                  user_data,
                                  GDestroyNotify            destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  old_destroy = self->event_destroy;
  old_data = self->event_data;
  self->event_func = func;
  self->event_data = user_data;
  self->event_destroy = destroy;
  if (old_destroy != NULL)
    old_destroy (old_data);
}

/**
 * fb_sse_connection_set_read_done_func:
 * @func: (nullable): called once per read, after the events it completed
 * @user_data: its closure
 * @destroy: (nullable): frees @user_data when the function is replaced or
 *   the connection disposed
 *
 * For handlers that buffer what they do with events (write them out, say)
 * and finish once per read. It is called after every read that received
 * bytes, whatever the state then: also when a handler stopped or restarted
 * the connection during the read, so what it buffered is not left behind.
 * It is not called when a read fails or the stream ends.
 */
void
fb_sse_connection_set_read_done_func (FbSseConnection             *self,
                                      FbSseConnectionReadDoneFunc  func,
                                      gpointer                     user_data,
                                      GDestroyNotify               destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (FB_IS_SSE_CONNECTION (self));

  old_destroy = self->read_done_destroy;
  old_data = self->read_done_data;
  self->read_done_func = func;
  self->read_done_data = user_data;
  self->read_done_destroy = destroy;
  if (old_destroy != NULL)
    old_destroy (old_data);
}

/**
 * fb_sse_connection_get_read_size:
 *
 * Returns: the bytes asked of each read (the "read-size" property)
 */
gsize
fb_sse_connection_get_read_size (FbSseConnection *self)
{
  g_return_val_if_fail (FB_IS_SSE_CONNECTION (self), 0);

  return self->read_size;
}
