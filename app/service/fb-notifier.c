/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-notifier"

#include "config.h"

#include "fb-notifier-private.h"

#include <glib/gi18n.h>

#include "fb-quiet-hours.h"

/*
 * What reaches the desktop, and how often.
 *
 * Every message goes into the history, and into Recent (the tray's last
 * few, newest first, read from the history at start). Whether it also
 * becomes a notification is policy: a muted or snoozed feed never notifies,
 * pause holds notifications and sums them up when it ends, and a feed that
 * sends more than `coalesce-threshold` within `coalesce-window` seconds gets
 * one updating summary instead of a flood. This is policy only: what it
 * decides goes to an FbNotificationDisplay (libnotify's in the app,
 * app/ui/fb-libnotify-display.c), and every timer runs on an FbClock, so
 * that all of it can be tested without a desktop and without waiting.
 *
 * What is kept per feed (floods, catch-up backlogs, ntfy sequences) is in
 * fb-notifier-burst.c.
 */

enum {
  RECENT_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_QUIET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FbNotifier, fb_notifier, G_TYPE_OBJECT)

static void
remember (FbNotifier *self,
          FbFeed     *feed,
          FbMessage  *message,
          gboolean    note)
{
  const char *feed_id = feed != NULL ? fb_feed_get_id (feed) : NULL;

  if (self->history != NULL && note)
    fb_history_append_note (self->history, feed_id, message);
  else if (self->history != NULL)
    fb_history_append (self->history, feed_id, message);

  g_ptr_array_insert (self->recent, 0, g_object_ref (message));
  if (self->recent->len > FB_NOTIFIER_RECENT_MAX)
    g_ptr_array_set_size (self->recent, FB_NOTIFIER_RECENT_MAX);
  g_signal_emit (self, signals[RECENT_CHANGED], 0);
}

static void
close_sequence (FbNotifier *self,
                FbFeed     *feed,
                FbMessage  *message)
{
  const char *sequence = fb_message_get_group (message);
  gboolean deleted = fb_message_get_kind (message) == FB_MESSAGE_KIND_DELETE;

  if (sequence == NULL)
    return;

  if (self->history != NULL)
    fb_history_close_sequence (self->history, fb_feed_get_id (feed), sequence, deleted);
  fb_notification_display_withdraw (self->display, feed, sequence);
}

/**
 * fb_notifier_post:
 * @feed: where @message came from
 * @message: what it said
 * @catch_up: whether it is part of a backlog replayed after a resume
 *
 * Takes a message: always into Recent, and to the desktop as policy allows.
 */
void
fb_notifier_post (FbNotifier *self,
                  FbFeed     *feed,
                  FbMessage  *message,
                  gboolean    catch_up)
{
  Burst *burst;

  g_return_if_fail (FB_IS_NOTIFIER (self));
  g_return_if_fail (FB_IS_FEED (feed));
  g_return_if_fail (FB_IS_MESSAGE (message));

  /* The server deleted or cleared earlier messages: nothing to show, and
   * no new message. */
  if (fb_message_get_kind (message) != FB_MESSAGE_KIND_MESSAGE)
    {
      close_sequence (self, feed, message);
      return;
    }

  remember (self, feed, message, FALSE);

  if (fb_feed_get_muted (feed) || fb_feed_is_snoozed_at (feed, fb_clock_get_real (self->clock)))
    return;
  if ((guint) fb_message_get_priority (message) < fb_feed_get_min_priority (feed))
    return;

  burst = _fb_notifier_get_burst (self, feed);

  /* An urgent message is shown on its own, whatever else holds messages
   * back: never folded into a summary, never kept for later. */
  if (fb_message_get_priority (message) >= 5 && g_settings_get_boolean (self->settings, "urgent-breaks-through"))
    {
      fb_notification_display_show_message (self->display, feed, message);
      return;
    }

  if (self->paused)
    {
      burst->held++;
      return;
    }

  if (fb_quiet_hours_is_active (self->quiet))
    {
      burst->quiet_held++;
      return;
    }

  /* An update of a message shown lately replaces it: no new message. */
  if (_fb_notifier_is_update (burst, message))
    {
      fb_notification_display_show_message (self->display, feed, message);
      return;
    }

  if (catch_up)
    {
      _fb_notifier_add_to_backlog (self, feed, burst, message);
      return;
    }

  if (_fb_notifier_count_burst (self, burst, fb_clock_get_monotonic (self->clock)))
    {
      _fb_notifier_show_summary (self, feed, burst, message);
      return;
    }

  fb_notification_display_show_message (self->display, feed, message);
}

/**
 * fb_notifier_add_note:
 * @feed: (nullable): the feed it is about
 *
 * Puts @note into the history and Recent only, never on the screen:
 * Feedbell's own notes about a feed (an outage, say).
 */
void
fb_notifier_add_note (FbNotifier *self,
                      FbFeed     *feed,
                      FbMessage  *note)
{
  g_return_if_fail (FB_IS_NOTIFIER (self));
  g_return_if_fail (feed == NULL || FB_IS_FEED (feed));
  g_return_if_fail (FB_IS_MESSAGE (note));

  remember (self, feed, note, TRUE);
}

/**
 * fb_notifier_reload_recent:
 *
 * Reads Recent from the history again (after an import, say).
 */
void
fb_notifier_reload_recent (FbNotifier *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  FbHistoryQuery query = { .limit = FB_NOTIFIER_RECENT_MAX };

  g_return_if_fail (FB_IS_NOTIFIER (self));

  if (self->history == NULL)
    return;

  entries = fb_history_query (self->history, &query, &error);
  if (entries == NULL)
    {
      g_message ("Could not read Recent from the history: %s", error->message);
      return;
    }

  g_ptr_array_set_size (self->recent, 0);
  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (self->recent, g_object_ref (fb_history_entry_get_message (g_ptr_array_index (entries, i))));
  g_signal_emit (self, signals[RECENT_CHANGED], 0);
}

/**
 * fb_notifier_show_again:
 * @recent_index: position in fb_notifier_get_recent()
 *
 * Shows a message from Recent again, whatever the policy.
 */
void
fb_notifier_show_again (FbNotifier *self,
                        guint       recent_index)
{
  g_return_if_fail (FB_IS_NOTIFIER (self));

  if (recent_index >= self->recent->len)
    return;

  fb_notification_display_show_message (self->display, NULL, g_ptr_array_index (self->recent, recent_index));
}

/**
 * fb_notifier_notice:
 *
 * Tells the user something about Feedbell itself (not a feed's message).
 */
void
fb_notifier_notice (FbNotifier *self,
                    const char *title,
                    const char *body)
{
  g_return_if_fail (FB_IS_NOTIFIER (self));

  fb_notification_display_show_notice (self->display, NULL, title, body);
}

/* What was held back while paused, or during quiet hours, in one notice. */
static void
held_summary (FbNotifier *self,
              gboolean    quiet)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *title = NULL;
  GHashTableIter iter;
  Burst *burst;
  guint total = 0;

  g_hash_table_iter_init (&iter, self->bursts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &burst))
    {
      guint *held = quiet ? &burst->quiet_held : &burst->held;

      total += *held;
      *held = 0;
    }
  if (total == 0)
    return;

  if (quiet)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message during quiet hours",
                                          "%u messages during quiet hours", total),
                             total);
  else
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message while notifications were paused",
                                          "%u messages while notifications were paused", total),
                             total);
  for (guint i = 0; i < MIN (self->recent->len, 3); i++)
    g_string_append_printf (body, "%s%s: %s", i ? "\n" : "",
                            fb_message_get_feed_name (g_ptr_array_index (self->recent, i)),
                            fb_message_get_title (g_ptr_array_index (self->recent, i)));
  fb_notifier_notice (self, title, body->str);
}

static void
paused_changed_cb (GSettings  *settings,
                   const char *key,
                   FbNotifier *self)
{
  gboolean paused = g_settings_get_boolean (settings, "paused");

  if (paused == self->paused)
    return;

  self->paused = paused;
  if (!paused)
    held_summary (self, FALSE);
}

static void
quiet_changed_cb (FbQuietHours *quiet,
                  GParamSpec   *pspec,
                  FbNotifier   *self)
{
  if (!fb_quiet_hours_is_active (quiet))
    held_summary (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUIET]);
}

/**
 * fb_notifier_is_quiet:
 *
 * Returns: whether it is quiet hours: only urgent messages pop up
 */
gboolean
fb_notifier_is_quiet (FbNotifier *self)
{
  g_return_val_if_fail (FB_IS_NOTIFIER (self), FALSE);

  return fb_quiet_hours_is_active (self->quiet);
}

GPtrArray *
fb_notifier_get_recent (FbNotifier *self)
{
  g_return_val_if_fail (FB_IS_NOTIFIER (self), NULL);

  return self->recent;
}

static void
fb_notifier_dispose (GObject *object)
{
  FbNotifier *self = FB_NOTIFIER (object);

  if (self->clock != NULL)
    fb_clock_clear_timeout (self->clock, &self->catch_up_id);
  g_clear_object (&self->history);
  g_clear_object (&self->quiet);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->bursts, g_hash_table_unref);
  g_clear_pointer (&self->recent, g_ptr_array_unref);
  g_clear_object (&self->display);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (fb_notifier_parent_class)->dispose (object);
}

static void
fb_notifier_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  FbNotifier *self = FB_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_QUIET:
      g_value_set_boolean (value, self->quiet != NULL && fb_quiet_hours_is_active (self->quiet));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_notifier_class_init (FbNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_notifier_dispose;
  object_class->get_property = fb_notifier_get_property;

  /**
   * FbNotifier:quiet:
   *
   * Whether it is quiet hours (see fb-quiet-hours.c).
   */
  properties[PROP_QUIET] =
    g_param_spec_boolean ("quiet", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[RECENT_CHANGED] =
    g_signal_new ("recent-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
fb_notifier_init (FbNotifier *self)
{
  self->recent = g_ptr_array_new_with_free_func (g_object_unref);
  self->bursts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) _fb_notifier_burst_free);
}

/**
 * fb_notifier_new:
 * @settings: the app's settings (`io.github.feedbell.Feedbell`)
 * @display: where notifications go
 * @clock: the clock for its windows and timers
 * @history: (nullable): where every message is kept; %NULL keeps Recent
 *   only in memory
 *
 * Returns: (transfer full): a notifier with Recent read from @history
 */
FbNotifier *
fb_notifier_new (GSettings             *settings,
                 FbNotificationDisplay *display,
                 FbClock               *clock,
                 FbHistory             *history)
{
  FbNotifier *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (FB_IS_NOTIFICATION_DISPLAY (display), NULL);
  g_return_val_if_fail (FB_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (history == NULL || FB_IS_HISTORY (history), NULL);

  self = g_object_new (FB_TYPE_NOTIFIER, NULL);
  self->settings = g_object_ref (settings);
  self->display = g_object_ref (display);
  self->clock = g_object_ref (clock);
  self->history = history != NULL ? g_object_ref (history) : NULL;
  fb_notifier_reload_recent (self);
  self->paused = g_settings_get_boolean (settings, "paused");
  g_signal_connect_object (settings, "changed::paused", G_CALLBACK (paused_changed_cb), self, 0);
  self->quiet = fb_quiet_hours_new (settings, clock);
  g_signal_connect_object (self->quiet, "notify::active", G_CALLBACK (quiet_changed_cb), self, 0);

  return self;
}
