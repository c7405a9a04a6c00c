/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-sse-connection"

#include "config.h"

#include "fb-sse-connection-private.h"

#include "fb-backoff.h"
#include "fb-sse-parser.h"
#include "fb-util-private.h"

#include <glib/gi18n-lib.h>

/*
 * The reading side of FbSseConnection, once the response has opened the
 * stream: the read loop, the parser's events and retry fields delivered to
 * the event function and the "event" signal, the read-done function, and
 * the watchdog that gives up on a stream gone quiet.
 */

/* The idle watchdog is one GSource for the object's life: created the first
 * time a stream opens, armed while OPEN, disarmed (ready time -1) when OPEN
 * is left, destroyed with the object. Only the functions below touch it. */

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

static gint64
watchdog_deadline (FbSseConnection *self)
{
  return self->last_byte_at + (gint64) self->idle_timeout * G_USEC_PER_SEC;
}

/* The watchdog is not moved on every read: it wakes once per idle period,
 * and only then looks at when the last byte came, so a busy stream costs no
 * timer updates and a quiet one at most one wakeup per period. */
static gboolean
watchdog_cb (gpointer user_data)
{
  FbSseConnection *self = user_data;
  gint64 deadline = watchdog_deadline (self);

  /* Found ready in this main loop iteration, then disarmed before its turn. */
  if (self->state != FB_SSE_STATE_OPEN)
    {
      _fb_sse_connection_watchdog_disarm (self);
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

/* Counts the idle time from now. */
void
_fb_sse_connection_watchdog_arm (FbSseConnection *self)
{
  if (self->watchdog == NULL)
    {
      self->watchdog = g_source_new (&watchdog_funcs, sizeof (GSource));
      g_source_set_callback (self->watchdog, watchdog_cb, self, NULL);
      g_source_set_name (self->watchdog, "[feedbell] sse watchdog");
      g_source_attach (self->watchdog, NULL);
    }

  self->last_byte_at = g_get_monotonic_time ();
  g_source_set_ready_time (self->watchdog, watchdog_deadline (self));
}

/* The idle timeout changed: an armed watchdog applies it from the last byte. */
void
_fb_sse_connection_watchdog_reschedule (FbSseConnection *self)
{
  if (self->watchdog != NULL && g_source_get_ready_time (self->watchdog) != -1)
    g_source_set_ready_time (self->watchdog, watchdog_deadline (self));
}

void
_fb_sse_connection_watchdog_disarm (FbSseConnection *self)
{
  if (self->watchdog != NULL)
    g_source_set_ready_time (self->watchdog, -1);
}

void
_fb_sse_connection_watchdog_destroy (FbSseConnection *self)
{
  if (self->watchdog == NULL)
    return;

  g_source_destroy (self->watchdog);
  g_clear_pointer (&self->watchdog, g_source_unref);
}

static void
event_cb (const char *type,
          const char *data,
          gsize       data_len,
          const char *last_event_id,
          gpointer    user_data)
{
  FbSseConnection *self = user_data;
  guint generation = self->generation;
  FbSseEvent event = {
    .type = type,
    .type_len = fb_sse_parser_get_event_type_len (self->parser),
    .data = data,
    .data_len = data_len,
    .last_event_id = last_event_id,
    .has_id = fb_sse_parser_event_has_id (self->parser),
  };

  /* The signal has the event even if the event function stopped us: it
   * was read before that. */
  if (self->event_func != NULL)
    self->event_func (self, &event, self->event_data);
  _fb_sse_connection_emit_event (self, &event);

  /* A handler stopped or restarted us (the state changed, whatever it is
   * now): the rest of this read belongs to a stream that is gone. It was
   * not delivered, so it must not count as seen (nor move the last event
   * id), and it must never reach the next stream's handlers. */
  if (self->generation != generation)
    fb_sse_parser_interrupt (self->parser);
}

static void
retry_field_cb (guint64  retry_ms,
                gpointer user_data)
{
  FbSseConnection *self = user_data;

  fb_backoff_set_retry (&self->backoff, retry_ms);
}

/* Called from init: the parser hands its events and retry fields here. */
void
_fb_sse_connection_init_parser (FbSseConnection *self)
{
  self->parser = fb_sse_parser_new (0);
  fb_sse_parser_set_handlers (self->parser, event_cb, retry_field_cb, self);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  FbSseConnection *self;
  guint generation;
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
  generation = self->generation;

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
    _fb_sse_connection_notify_last_event_id (self);
  /* Unless a handler left this stream: then the next read, if any, is
   * another OPEN's, started by its entry action. */
  if (self->generation == generation)
    _fb_sse_connection_read_next (self);
  g_object_unref (self);
}

/* OPEN's entry action starts the first read, each read the next one. */
void
_fb_sse_connection_read_next (FbSseConnection *self)
{
  g_assert (self->state == FB_SSE_STATE_OPEN);

  g_input_stream_read_async (self->stream,
                             self->buffer,
                             self->read_size,
                             G_PRIORITY_DEFAULT,
                             self->cancellable,
                             read_cb,
                             self);
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
