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
 * The state only changes in _fb_sse_connection_set_state(): it runs the
 * old state's exit action, which ends everything that state started, then
 * the new state's entry action, which starts everything the new one needs,
 * and only then notifies. What a state has running is a field of the object
 * (see fb-sse-connection-private.h), so nothing outlives the state it
 * belongs to, and dispose ends it all with one exit action.
 *
 * Only one thing passes from a state to the next: the request whose
 * response opens the stream. CONNECTING's exit keeps the request when the
 * next state is OPEN, and the response body is handed to OPEN's entry.
 */

static gboolean connect_timeout_cb (gpointer user_data);

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

static gboolean
retry_cb (gpointer user_data)
{
  FbSseConnection *self = user_data;

  self->retry_id = 0;
  _fb_sse_connection_set_state (self, FB_SSE_STATE_CONNECTING, NULL);

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

/* Takes @error; NULL clears it. It is notified with the state it leads to. */
static void
set_error (FbSseConnection *self,
           GError          *error)
{
  if (error == NULL && self->last_error == NULL)
    return;

  g_clear_error (&self->last_error);
  self->last_error = error;
  self->pending_notify |= FB_SSE_NOTIFY_LAST_ERROR;
  if (error != NULL)
    g_debug ("%s: %s", self->url, error->message);
}

/* Cancels the request, and lets go of its message and its response. */
static void
drop_request (FbSseConnection *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->stream);
  g_clear_object (&self->message);
}

static void
exit_state (FbSseConnection *self,
            FbSseState       state,
            FbSseState       next_state)
{
  switch (state)
    {
    case FB_SSE_STATE_DISCONNECTED:
    case FB_SSE_STATE_WAITING_NETWORK:
    case FB_SSE_STATE_STOPPED:
      break;

    case FB_SSE_STATE_CONNECTING:
      g_clear_handle_id (&self->connect_timeout_id, g_source_remove);
      g_clear_pointer (&self->current_uri, g_uri_unref);
      g_clear_error (&self->certificate_error);
      /* OPEN reads the response to this very request. */
      if (next_state != FB_SSE_STATE_OPEN)
        drop_request (self);
      break;

    case FB_SSE_STATE_OPEN:
      _fb_sse_connection_watchdog_disarm (self);
      drop_request (self);
      break;

    case FB_SSE_STATE_WAITING_RETRY:
    case FB_SSE_STATE_FAILED:
      g_clear_handle_id (&self->retry_id, g_source_remove);
      self->retry_at = 0;
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
enter_state (FbSseConnection *self,
             FbSseState       state,
             GInputStream    *stream)
{
  switch (state)
    {
    case FB_SSE_STATE_DISCONNECTED:
    case FB_SSE_STATE_WAITING_NETWORK:
    case FB_SSE_STATE_STOPPED:
      break;

    case FB_SSE_STATE_CONNECTING:
      g_assert (self->cancellable == NULL && self->message == NULL);
      self->cancellable = g_cancellable_new ();
      self->current_uri = g_uri_ref (self->uri);
      self->n_redirects = 0;
      self->connect_timeout_id = g_timeout_add (self->connect_timeout * 1000,
                                                connect_timeout_cb, self);
      g_source_set_name_by_id (self->connect_timeout_id, "[feedbell] sse connect timeout");
      _fb_sse_connection_send_request (self);
      break;

    case FB_SSE_STATE_OPEN:
      g_assert (self->cancellable != NULL && self->message != NULL && self->stream == NULL);
      self->stream = stream;
      fb_sse_parser_reset (self->parser);
      fb_backoff_opened (&self->backoff, g_get_monotonic_time ());
      set_error (self, NULL);
      _fb_sse_connection_watchdog_arm (self);
      _fb_sse_connection_read_next (self);
      break;

    case FB_SSE_STATE_WAITING_RETRY:
      g_assert (self->retry_id == 0);
      schedule_retry (self, self->next_delay_ms);
      break;

    case FB_SSE_STATE_FAILED:
      g_assert (self->retry_id == 0);
      schedule_retry (self, fb_backoff_failed_delay (&self->backoff));
      break;

    default:
      g_assert_not_reached ();
    }
}

/* For dispose: ends whatever the state has running, and tells nobody. */
void
_fb_sse_connection_teardown (FbSseConnection *self)
{
  exit_state (self, self->state, FB_SSE_STATE_STOPPED);
}

/**
 * _fb_sse_connection_set_state:
 * @state: the state to enter
 * @stream: (transfer full) (nullable): for OPEN, and only for it: the body
 *   of the response that opens the stream
 */
void
_fb_sse_connection_set_state (FbSseConnection *self,
                              FbSseState       state,
                              GInputStream    *stream)
{
  gint64 old_retry_at = self->retry_at;
  FbSseState old_state = self->state;

  g_assert (state != FB_SSE_STATE_DISCONNECTED);
  /* Only a response opens a stream, and only that of the request in flight. */
  g_assert ((state == FB_SSE_STATE_OPEN) == (stream != NULL));
  g_assert (state != FB_SSE_STATE_OPEN || old_state == FB_SSE_STATE_CONNECTING);

  exit_state (self, old_state, state);
  self->state = state;
  self->generation++;
  enter_state (self, state, stream);

  g_debug ("%s: %s → %s", self->url,
           fb_sse_state_to_string (old_state), fb_sse_state_to_string (state));

  if (old_state != state)
    self->pending_notify |= FB_SSE_NOTIFY_STATE;
  if (old_retry_at != self->retry_at)
    self->pending_notify |= FB_SSE_NOTIFY_RETRY_AT;
  /* Only now, with the object whole in its new state, may handlers run:
   * they may stop, start or reconnect it from there. */
  _fb_sse_connection_flush_notify (self);
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
  _fb_sse_connection_set_state (self,
                                self->network_available ? FB_SSE_STATE_WAITING_RETRY
                                                        : FB_SSE_STATE_WAITING_NETWORK,
                                NULL);
}

/* A failure a person must fix. Takes @error. */
void
_fb_sse_connection_fail_permanent (FbSseConnection *self,
                                   GError          *error)
{
  set_error (self, error);
  _fb_sse_connection_set_state (self, FB_SSE_STATE_FAILED, NULL);
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

/**
 * fb_sse_connection_start:
 *
 * Connects, unless already connecting or open.
 *
 * Like fb_sse_connection_stop() and fb_sse_connection_reconnect_now(), it
 * may be called from the connection's own handlers: notify::state, the
 * event function, the "event" signal.
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
      _fb_sse_connection_set_state (self, FB_SSE_STATE_STOPPED, NULL);
      return;
    }

  _fb_sse_connection_set_state (self, FB_SSE_STATE_CONNECTING, NULL);
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

  _fb_sse_connection_set_state (self, FB_SSE_STATE_STOPPED, NULL);
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
  _fb_sse_connection_set_state (self, FB_SSE_STATE_CONNECTING, NULL);
}

/**
 * fb_sse_connection_fail:
 * @error: (transfer full): what a person must fix
 *
 * Ends the stream as FAILED with @error, retried slowly as a refusal by the
 * server is: for a service that says in an event that the stream has ended
 * (Firebase's `cancel` and `auth_revoked`). It may be called from the
 * event function.
 */
void
fb_sse_connection_fail (FbSseConnection *self,
                        GError          *error)
{
  g_return_if_fail (FB_IS_SSE_CONNECTION (self));
  g_return_if_fail (error != NULL);

  if (self->state != FB_SSE_STATE_OPEN && self->state != FB_SSE_STATE_CONNECTING)
    {
      g_error_free (error);
      return;
    }
  _fb_sse_connection_fail_permanent (self, error);
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
    _fb_sse_connection_set_state (self, FB_SSE_STATE_WAITING_NETWORK, NULL);
  else if (available && self->state == FB_SSE_STATE_WAITING_NETWORK)
    fb_sse_connection_reconnect_now (self);
}
