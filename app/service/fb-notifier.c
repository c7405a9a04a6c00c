/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-notifier"

#include "config.h"

#include "fb-notifier.h"

#include <glib/gi18n.h>

#include "fb-quiet-hours.h"
#include "fb-recent-store.h"


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
 */

/* A flood's summary is updated at most this often: one D-Bus call per event
 * would make the flood the notification server's problem. */
#define SUMMARY_EVERY_MS 1000

/* How many ntfy sequences per feed are remembered to tell an update from
 * a new message. */
#define SEQUENCES_MAX 256

/* A replayed backlog is summed up once it has been quiet this long. */
#define CATCH_UP_QUIET_MS 1500

typedef struct
{
  FbNotifier *notifier;
  GArray     *times;              /* gint64 monotonic µs, oldest first */
  guint       summary;            /* the flood's notice, a display handle */
  guint       summary_update_id;  /* updates go out at most once per SUMMARY_EVERY_MS */
  char       *summary_title;      /* what the next update says */
  char       *summary_body;
  gboolean    summary_pending;
  guint       folded;
  guint       held;               /* while paused */
  guint       quiet_held;         /* during quiet hours */
  GHashTable *sequences;          /* ntfy sequence ids shown lately: their updates are no flood */
  GPtrArray  *backlog;            /* FbMessage replayed after a resume, not yet shown */
  gint64      backlog_first;      /* wall-clock µs */
  gint64      backlog_last;
  char       *feed_name;
  char       *feed_id;
} Burst;

struct _FbNotifier
{
  GObject                parent_instance;

  GSettings             *settings;
  FbNotificationDisplay *display;
  FbClock               *clock;
  FbHistory             *history;  /* nullable */
  FbQuietHours          *quiet;
  GPtrArray             *recent;   /* FbMessage, newest first */
  GHashTable            *bursts;   /* feed id → Burst */
  gboolean               paused;
  guint                  catch_up_id;
};

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
burst_free (Burst *burst)
{
  FbNotifier *self = burst->notifier;

  g_array_unref (burst->times);
  fb_clock_clear_timeout (self->clock, &burst->summary_update_id);
  fb_notification_display_release (self->display, &burst->summary);
  g_free (burst->summary_title);
  g_free (burst->summary_body);
  g_clear_pointer (&burst->backlog, g_ptr_array_unref);
  g_free (burst->feed_name);
  g_free (burst->feed_id);
  g_clear_pointer (&burst->sequences, g_hash_table_unref);
  g_free (burst);
}

static Burst *
get_burst (FbNotifier *self,
           FbFeed     *feed)
{
  Burst *burst = g_hash_table_lookup (self->bursts, fb_feed_get_id (feed));

  if (burst == NULL)
    {
      burst = g_new0 (Burst, 1);
      burst->notifier = self;
      burst->times = g_array_new (FALSE, FALSE, sizeof (gint64));
      burst->backlog = g_ptr_array_new_with_free_func (g_object_unref);
      burst->feed_id = g_strdup (fb_feed_get_id (feed));
      burst->sequences = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (self->bursts, g_strdup (fb_feed_get_id (feed)), burst);
    }

  return burst;
}

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

static gboolean
count_burst (FbNotifier *self,
             Burst      *burst,
             gint64      now)
{
  gint64 window = (gint64) g_settings_get_uint (self->settings, "coalesce-window") * G_USEC_PER_SEC;
  guint threshold = g_settings_get_uint (self->settings, "coalesce-threshold");

  guint expired = 0;

  while (expired < burst->times->len && now - g_array_index (burst->times, gint64, expired) >= window)
    expired++;
  g_array_remove_range (burst->times, 0, expired);

  if (burst->times->len == 0)
    {
      burst->folded = 0;
      fb_notification_display_release (self->display, &burst->summary);
    }

  if (burst->times->len < threshold)
    {
      g_array_append_val (burst->times, now);
      return FALSE;
    }

  /* Folded events still extend the window: a flood stays one summary. */
  g_array_remove_index (burst->times, 0);
  g_array_append_val (burst->times, now);
  return TRUE;
}

static gboolean
summary_update_cb (gpointer user_data)
{
  Burst *burst = user_data;

  if (!burst->summary_pending || burst->summary == 0)
    {
      burst->summary_update_id = 0;
      return G_SOURCE_REMOVE;
    }

  burst->summary_pending = FALSE;
  fb_notification_display_show_notice (burst->notifier->display, &burst->summary,
                                       burst->summary_title, burst->summary_body);
  return G_SOURCE_CONTINUE;
}

static void
show_summary (FbNotifier *self,
              FbFeed     *feed,
              Burst      *burst,
              FbMessage  *latest)
{
  burst->folded++;
  g_free (burst->summary_title);
  burst->summary_title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message from %s",
                                                       "%u new messages from %s", burst->folded),
                                          burst->folded, fb_feed_get_display_name (feed));
  g_free (burst->summary_body);
  burst->summary_body = g_strdup_printf (_("Latest: %s"), fb_message_get_title (latest));

  /* The first shows at once; later ones are folded into one update a second. */
  if (burst->summary_update_id != 0)
    {
      burst->summary_pending = TRUE;
      return;
    }

  fb_notification_display_show_notice (self->display, &burst->summary,
                                       burst->summary_title, burst->summary_body);
  burst->summary_update_id = fb_clock_timeout_add (self->clock, SUMMARY_EVERY_MS, summary_update_cb, burst);
}

static char *
format_time (gint64 wall_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (wall_us / G_USEC_PER_SEC);

  /* TRANSLATORS: a time of day in a catch-up summary, see strftime */
  return time ? g_date_time_format (time, _("%H:%M")) : g_strdup ("");
}

/* A backlog replayed after a resume: one calm summary, not a flood. */
static void
show_backlog (FbNotifier *self,
              Burst      *burst)
{
  g_autofree char *title = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  guint n = burst->backlog->len;

  if (n == 1)
    {
      fb_notification_display_show_message (self->display, NULL, g_ptr_array_index (burst->backlog, 0));
      return;
    }

  from = format_time (burst->backlog_first);
  to = format_time (burst->backlog_last);
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message from %s while you were away, %s–%s",
                                        "%u messages from %s while you were away, %s–%s", n),
                           n, burst->feed_name, from, to);
  for (guint i = n; i > 0 && n - i < 3; i--)
    g_string_append_printf (body, "%s%s", body->len ? "\n" : "",
                            fb_message_get_title (g_ptr_array_index (burst->backlog, i - 1)));
  if (n > 3)
    g_string_append_printf (body, "\n%s", _("All of them are in the tray’s Recent menu."));
  fb_notifier_notice (self, title, body->str);

  /* The history keeps the summary too, as Feedbell's note on the feed. */
  if (self->history != NULL)
    {
      g_autoptr(FbMessage) note = fb_recent_message_new (burst->feed_name, NULL, title, body->str, 3, 0, NULL);

      fb_history_append_note (self->history, burst->feed_id, note);
    }
}

static gboolean
catch_up_cb (gpointer user_data)
{
  FbNotifier *self = user_data;
  GHashTableIter iter;
  Burst *burst;

  self->catch_up_id = 0;
  g_hash_table_iter_init (&iter, self->bursts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &burst))
    {
      if (burst->backlog->len == 0)
        continue;
      if (!self->paused)
        show_backlog (self, burst);
      else
        burst->held += burst->backlog->len;
      g_ptr_array_set_size (burst->backlog, 0);
    }

  return G_SOURCE_REMOVE;
}

static void
add_to_backlog (FbNotifier *self,
                FbFeed     *feed,
                Burst      *burst,
                FbMessage  *message)
{
  gint64 when = fb_message_get_time (message) > 0
                  ? fb_message_get_time (message) * G_USEC_PER_SEC : fb_clock_get_real (self->clock);

  if (burst->backlog->len == 0 || when < burst->backlog_first)
    burst->backlog_first = when;
  if (burst->backlog->len == 0 || when > burst->backlog_last)
    burst->backlog_last = when;
  g_ptr_array_add (burst->backlog, g_object_ref (message));
  g_free (burst->feed_name);
  burst->feed_name = g_strdup (fb_feed_get_display_name (feed));

  /* The summary comes once the replay has gone quiet. */
  fb_clock_clear_timeout (self->clock, &self->catch_up_id);
  self->catch_up_id = fb_clock_timeout_add (self->clock, CATCH_UP_QUIET_MS, catch_up_cb, self);
}

/* Whether @message revises an ntfy message of its feed shown lately; it is
 * remembered as shown either way. */
static gboolean
is_update (Burst     *burst,
           FbMessage *message)
{
  const char *sequence = fb_message_get_group (message);
  gboolean seen;

  if (!fb_message_is_ntfy (message) || sequence == NULL)
    return FALSE;

  seen = g_hash_table_contains (burst->sequences, sequence) &&
         g_strcmp0 (sequence, fb_message_get_id (message)) != 0;
  if (!seen)
    {
      if (g_hash_table_size (burst->sequences) >= SEQUENCES_MAX)
        g_hash_table_remove_all (burst->sequences);
      g_hash_table_add (burst->sequences, g_strdup (sequence));
    }

  return seen;
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

  burst = get_burst (self, feed);

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
  if (is_update (burst, message))
    {
      fb_notification_display_show_message (self->display, feed, message);
      return;
    }

  if (catch_up)
    {
      add_to_backlog (self, feed, burst, message);
      return;
    }

  if (count_burst (self, burst, fb_clock_get_monotonic (self->clock)))
    {
      show_summary (self, feed, burst, message);
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
  self->bursts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) burst_free);
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
