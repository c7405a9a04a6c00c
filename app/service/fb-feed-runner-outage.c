/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-runner"

#include "config.h"

#include "fb-feed-runner-private.h"

#include "fb-outage.h"
#include "fb-sse-connection.h"

/*
 * A feed that stays unreachable says so in Recent: "Unreachable since
 * 14:02" once it has been down for `unreachable-note-after` seconds, and
 * "Unreachable from 14:02 to 14:37" when it is back. The wait runs on the
 * runner's monotonic clock, which stands still while the machine sleeps;
 * the times shown are wall-clock times.
 */

void
_fb_feed_runner_forget_outage (FbFeedRunner *self)
{
  fb_clock_clear_timeout (self->clock, &self->down_note_id);
  self->down_since = 0;
  self->down_since_wall = 0;
  self->down_noted = FALSE;
}

static gboolean
note_down_cb (gpointer user_data)
{
  FbFeedRunner *self = user_data;
  FbSseConnection *connection = fb_feed_get_connection (self->feed);
  const GError *error = connection ? fb_sse_connection_get_last_error (connection) : NULL;
  g_autoptr(FbMessage) note = NULL;

  self->down_note_id = 0;
  self->down_noted = TRUE;
  g_message ("%s: unreachable for %" G_GINT64_FORMAT " s", fb_feed_get_id (self->feed),
             (fb_clock_get_monotonic (self->clock) - self->down_since) / G_USEC_PER_SEC);
  note = fb_outage_note_down (fb_feed_get_display_name (self->feed), self->down_since_wall,
                              fb_clock_get_real (self->clock), error ? error->message : NULL);
  _fb_feed_runner_emit_note (self, note);

  return G_SOURCE_REMOVE;
}

/* The feed is not reachable: from now on, unless it already was not. */
static void
outage_begin (FbFeedRunner *self)
{
  guint after;

  if (self->down_since != 0)
    return;

  self->down_since = fb_clock_get_monotonic (self->clock);
  self->down_since_wall = fb_clock_get_real (self->clock);
  after = g_settings_get_uint (self->app_settings, "unreachable-note-after");
  self->down_note_id = fb_clock_timeout_add (self->clock, (guint) MIN (after, G_MAXUINT / 1000) * 1000,
                                             note_down_cb, self);
}

/* Reached again: Recent hears of it if it heard of the outage. */
static void
outage_end (FbFeedRunner *self)
{
  if (self->down_noted)
    {
      g_autoptr(FbMessage) note = NULL;
      gboolean resumable = fb_event_log_get_last_event_id (self->log)[0] != '\0';

      g_message ("%s: reachable again after %" G_GINT64_FORMAT " s", fb_feed_get_id (self->feed),
                 (fb_clock_get_monotonic (self->clock) - self->down_since) / G_USEC_PER_SEC);
      note = fb_outage_note_up (fb_feed_get_display_name (self->feed), self->down_since_wall,
                                fb_clock_get_real (self->clock), resumable);
      _fb_feed_runner_emit_note (self, note);
    }
  _fb_feed_runner_forget_outage (self);
}

void
_fb_feed_runner_track_outage (FbFeedRunner *self,
                              FbSseState    state)
{
  switch (state)
    {
    case FB_SSE_STATE_OPEN:
      outage_end (self);
      break;
    case FB_SSE_STATE_CONNECTING:
    case FB_SSE_STATE_DISCONNECTED:
    case FB_SSE_STATE_WAITING_RETRY:
    case FB_SSE_STATE_FAILED:
      outage_begin (self);
      break;
    case FB_SSE_STATE_WAITING_NETWORK:
      /* The machine is offline: not the feed's outage, and with every feed
       * waiting, a note each would only fill Recent. An outage already
       * told goes on, and is told when it ends. */
      if (!self->down_noted)
        _fb_feed_runner_forget_outage (self);
      break;
    case FB_SSE_STATE_STOPPED:
      /* Stopped on purpose (disabled, or the server said 204): not an outage. */
      _fb_feed_runner_forget_outage (self);
      break;
    default:
      g_assert_not_reached ();
    }
}
