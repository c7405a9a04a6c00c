/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed"

#include "config.h"

#include "fb-feed-private.h"

#include <glib/gi18n-lib.h>

/*
 * A feed's state: a stable word for `feedbell --status`, and words for
 * people, the same in the tray menu, the window and `--status`: connected
 * (muted, snoozed, its events ignored today, its own format not used),
 * reconnecting and when, failed and why.
 */

/**
 * fb_feed_get_state:
 *
 * Returns: the connection's state; STOPPED for a feed without one (disabled)
 */
FbSseState
fb_feed_get_state (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), FB_SSE_STATE_STOPPED);

  if (self->connection == NULL)
    return FB_SSE_STATE_STOPPED;

  return fb_sse_connection_get_state (self->connection);
}

/**
 * fb_feed_state_to_nick:
 *
 * Returns: a stable machine-readable word for the state, for `--status`
 */
const char *
fb_feed_state_to_nick (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), NULL);

  if (!self->enabled)
    return "disabled";

  return fb_sse_state_to_string (fb_feed_get_state (self));
}

static char *
describe_retry (FbSseConnection *connection)
{
  gint64 retry_at = fb_sse_connection_get_retry_at (connection);
  gint64 seconds = (retry_at - g_get_monotonic_time () + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;

  if (retry_at == 0 || seconds <= 0)
    return g_strdup (_("reconnecting"));
  if (seconds < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "reconnecting in %d second",
                                         "reconnecting in %d seconds", seconds),
                            (int) seconds);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "reconnecting in %d minute",
                                       "reconnecting in %d minutes", (seconds + 59) / 60),
                          (int) ((seconds + 59) / 60));
}

/* Connected, and what became of its events: a user who sees nothing can
 * tell why. */
static char *
describe_open (FbFeed *self)
{
  const char *state;

  if (fb_feed_is_snoozed (self))
    state = _("connected, snoozed");
  else
    state = self->muted ? _("connected, muted") : _("connected");

  if (self->content_error != NULL)
    /* TRANSLATORS: the first %s is "connected" (or "connected, muted"), the
     * second why the feed's own templates or rules cannot be used */
    return g_strdup_printf (_("%s; its format is not used: %s"), state, self->content_error);
  if (self->n_ignored_today > 0)
    /* TRANSLATORS: %s is "connected" (or "connected, muted") */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u event ignored today",
                                         "%s, %u events ignored today", self->n_ignored_today),
                            state, self->n_ignored_today);
  return g_strdup (state);
}

/**
 * fb_feed_dup_status_text:
 *
 * Returns: (transfer full): the feed's state in words, e.g. "connected",
 *   "reconnecting in 12 seconds" or "failed: …"
 */
char *
fb_feed_dup_status_text (FbFeed *self)
{
  const GError *error;

  g_return_val_if_fail (FB_IS_FEED (self), NULL);

  if (!self->enabled)
    return g_strdup (_("disabled"));

  if (self->connection == NULL)
    return g_strdup (_("stopped"));

  error = fb_sse_connection_get_last_error (self->connection);

  switch (fb_sse_connection_get_state (self->connection))
    {
    case FB_SSE_STATE_DISCONNECTED:
      return g_strdup (_("not connected"));
    case FB_SSE_STATE_CONNECTING:
      return g_strdup (_("connecting…"));
    case FB_SSE_STATE_OPEN:
      return describe_open (self);
    case FB_SSE_STATE_WAITING_RETRY:
      return describe_retry (self->connection);
    case FB_SSE_STATE_WAITING_NETWORK:
      return g_strdup (_("waiting for the network"));
    case FB_SSE_STATE_FAILED:
      return g_strdup_printf (_("failed: %s"), error ? error->message : _("unknown error"));
    case FB_SSE_STATE_STOPPED:
      if (error != NULL)
        return g_strdup_printf (_("stopped: %s"), error->message);
      return g_strdup (_("stopped"));
    default:
      g_return_val_if_reached (NULL);
    }
}
