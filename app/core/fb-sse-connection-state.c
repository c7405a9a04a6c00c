/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-sse-connection"

#include "config.h"

#include "fb-sse-connection-private.h"

#include "fb-backoff.h"
#include "fb-sse-parser.h"
#include "fb-url.h"

#include <glib/gi18n-lib.h>

/*
 * The state machine of FbSseConnection, and the public calls that drive
 * it: start, stop, reconnect now, the network coming and going.
 *
 * The state only changes in _fb_sse_connection_set_state(), which first
 * tears down whatever the old state had running (request, timers) and
 * then starts what the new one needs. Everything that can be in flight is
 * a field, so teardown is one function and nothing outlives the state it
 * belongs to.
 */

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

void
_fb_sse_connection_teardown (FbSseConnection *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->stream);
  g_clear_object (&self->message);
  g_clear_pointer (&self->current_uri, g_uri_unref);
  g_clear_handle_id (&self->connect_timeout_id, g_source_remove);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  _fb_sse_connection_watchdog_disarm (self);
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

  _fb_sse_connection_teardown (self);
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
    _fb_sse_connection_notify_state (self);
  if (old_retry_at != self->retry_at)
    _fb_sse_connection_notify_retry_at (self);
}

static void
set_error (FbSseConnection *self,
           GError          *error)
{
  g_clear_error (&self->last_error);
  self->last_error = error;
  g_debug ("%s: %s", self->url, error->message);
  _fb_sse_connection_notify_last_error (self);
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
