/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-manager"

#include "config.h"

#include "fb-feed-manager-private.h"

#include "fb-event-log.h"
#include "fb-sse-connection.h"

/*
 * What the machine says: the network monitor (feeds wait while the
 * network is away) and logind's PrepareForSleep (logs are flushed before
 * sleeping, and feeds reconnect at once on waking).
 */

/* Feeds the server told to stop, or that need a person, are left as they are. */
static void
reconnect_waiting (FbFeedManager *self)
{
  for (guint i = 0; i < self->runners->len; i++)
    {
      FbFeedRunner *runner = g_ptr_array_index (self->runners, i);

      /* A feed without a connection (disabled) counts as STOPPED. */
      switch (fb_feed_get_state (fb_feed_runner_get_feed (runner)))
        {
        case FB_SSE_STATE_OPEN:
        case FB_SSE_STATE_CONNECTING:
        case FB_SSE_STATE_WAITING_RETRY:
        case FB_SSE_STATE_WAITING_NETWORK:
        case FB_SSE_STATE_DISCONNECTED:
          fb_feed_runner_reconnect_now (runner);
          break;
        case FB_SSE_STATE_FAILED:
        case FB_SSE_STATE_STOPPED:
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/**
 * fb_feed_manager_set_network_available:
 *
 * What the network monitor says (tests call it directly).
 */
void
fb_feed_manager_set_network_available (FbFeedManager *self,
                                       gboolean       available)
{
  g_return_if_fail (FB_IS_FEED_MANAGER (self));

  self->network_available = available;
  g_debug ("Network %s", available ? "available" : "gone");
  for (guint i = 0; i < self->runners->len; i++)
    fb_feed_runner_set_network_available (g_ptr_array_index (self->runners, i), available);
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    FbFeedManager   *self)
{
  if (available != self->network_available)
    fb_feed_manager_set_network_available (self, available);
}

/**
 * fb_feed_manager_resumed:
 *
 * The machine woke up: a stream that looks open is most likely dead (the
 * server gave up on us while we slept), and what was missed should show
 * within seconds, not after the idle timeout. Reconnect now.
 */
void
fb_feed_manager_resumed (FbFeedManager *self)
{
  g_return_if_fail (FB_IS_FEED_MANAGER (self));

  g_debug ("Resumed from sleep: reconnecting");
  reconnect_waiting (self);
}

static void
flush_logs (FbFeedManager *self)
{
  for (guint i = 0; i < self->runners->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!fb_feed_runner_flush (g_ptr_array_index (self->runners, i), &error))
        g_message ("%s", error->message);
    }

  /* The positions just flushed are queued in the history: stored now. */
  if (self->history != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!fb_history_sync (self->history, &error))
        g_message ("%s", error->message);
    }
}

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender,
                      const char      *object_path,
                      const char      *interface,
                      const char      *signal,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  FbFeedManager *self = user_data;
  gboolean going_to_sleep = FALSE;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &going_to_sleep);
  if (going_to_sleep)
    flush_logs (self);
  else
    fb_feed_manager_resumed (self);
}

static void
system_bus_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(FbFeedManager) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);

  if (bus == NULL)
    {
      g_debug ("No system bus, so no resume notices: %s", error->message);
      return;
    }
  if (self->runners == NULL)
    {
      g_object_unref (bus);
      return;
    }

  self->system_bus = bus;
  self->sleep_id = g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1",
                                                       "org.freedesktop.login1.Manager",
                                                       "PrepareForSleep",
                                                       "/org/freedesktop/login1",
                                                       NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                       prepare_for_sleep_cb, self, NULL);
}

/* Follows the network monitor and, once the system bus is there, logind. */
void
_fb_feed_manager_watch_system (FbFeedManager *self)
{
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->monitor);
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (network_changed_cb), self);
  g_bus_get (G_BUS_TYPE_SYSTEM, NULL, system_bus_cb, g_object_ref (self));
}

void
_fb_feed_manager_unwatch_system (FbFeedManager *self)
{
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  if (self->system_bus != NULL && self->sleep_id != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_id);
  self->sleep_id = 0;
  g_clear_object (&self->system_bus);
}
