/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-quiet-hours"

#include "config.h"

#include "fb-quiet-hours.h"

/*
 * Quiet hours: a daily window of local time (`quiet-hours-start` to
 * `quiet-hours-end`, minutes after midnight; the window may span midnight)
 * while `quiet-hours` is on. "active" says whether now is inside it.
 *
 * Local time is worked out again at every check, from the clock's wall
 * time and the time zone as it is then, so a change of time zone or a DST
 * switch moves the edges as a person expects: 07:00 is 07:00 on the clock
 * on the wall. The next check is armed for the next edge, but never more
 * than CHECK_MAX_MS away, so that a time zone change (which no timer sees)
 * shows within that. Everything runs on an FbClock.
 */

#define CHECK_MAX_MS (15 * 60 * 1000)

struct _FbQuietHours
{
  GObject    parent_instance;

  GSettings *settings;
  FbClock   *clock;
  guint      check_id;
  gboolean   active;
};

enum {
  PROP_0,
  PROP_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FbQuietHours, fb_quiet_hours, G_TYPE_OBJECT)

/**
 * fb_quiet_hours_contains:
 * @start_minute: the window's start, minutes after midnight
 * @end_minute: its end (excluded); before @start_minute: the next day's
 * @minute: the time to test
 *
 * Returns: whether @minute is in the window; an empty window (start ==
 *   end) contains nothing
 */
gboolean
fb_quiet_hours_contains (guint start_minute,
                         guint end_minute,
                         guint minute)
{
  if (start_minute == end_minute)
    return FALSE;
  if (start_minute < end_minute)
    return minute >= start_minute && minute < end_minute;

  return minute >= start_minute || minute < end_minute;
}

static gboolean check_cb (gpointer user_data);

/* The wall-clock time at which local time next reads @minute, after @now. */
static gint64
next_local (GDateTime *now,
            guint      minute)
{
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now),
                                                      g_date_time_get_month (now),
                                                      g_date_time_get_day_of_month (now),
                                                      minute / 60, minute % 60, 0);
  g_autoptr(GDateTime) tomorrow = NULL;

  if (today != NULL && g_date_time_compare (today, now) > 0)
    return g_date_time_to_unix (today) * G_USEC_PER_SEC;

  tomorrow = today != NULL ? g_date_time_add_days (today, 1) : g_date_time_add_days (now, 1);
  return g_date_time_to_unix (tomorrow) * G_USEC_PER_SEC;
}

static void
check (FbQuietHours *self)
{
  gint64 real = fb_clock_get_real (self->clock);
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (real / G_USEC_PER_SEC);
  guint start = g_settings_get_uint (self->settings, "quiet-hours-start");
  guint end = g_settings_get_uint (self->settings, "quiet-hours-end");
  gboolean enabled = g_settings_get_boolean (self->settings, "quiet-hours");
  guint minute = g_date_time_get_hour (now) * 60 + g_date_time_get_minute (now);
  gboolean active = enabled && fb_quiet_hours_contains (start, end, minute);
  gint64 wait_us;

  fb_clock_clear_timeout (self->clock, &self->check_id);

  if (enabled && start != end)
    {
      wait_us = next_local (now, active ? end : start) - real;
      wait_us = CLAMP (wait_us, 1000, (gint64) CHECK_MAX_MS * 1000);
      self->check_id = fb_clock_timeout_add (self->clock, (guint) ((wait_us + 999) / 1000), check_cb, self);
    }

  if (active != self->active)
    {
      self->active = active;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
    }
}

static gboolean
check_cb (gpointer user_data)
{
  FbQuietHours *self = user_data;

  self->check_id = 0;
  check (self);

  return G_SOURCE_REMOVE;
}

static void
settings_changed_cb (GSettings    *settings,
                     const char   *key,
                     FbQuietHours *self)
{
  if (g_str_has_prefix (key, "quiet-hours"))
    check (self);
}

static void
fb_quiet_hours_dispose (GObject *object)
{
  FbQuietHours *self = FB_QUIET_HOURS (object);

  if (self->clock != NULL)
    fb_clock_clear_timeout (self->clock, &self->check_id);
  g_clear_object (&self->settings);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (fb_quiet_hours_parent_class)->dispose (object);
}

static void
fb_quiet_hours_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FbQuietHours *self = FB_QUIET_HOURS (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_quiet_hours_class_init (FbQuietHoursClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_quiet_hours_dispose;
  object_class->get_property = fb_quiet_hours_get_property;

  /**
   * FbQuietHours:active:
   *
   * Whether it is quiet hours now.
   */
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fb_quiet_hours_init (FbQuietHours *self)
{
}

/**
 * fb_quiet_hours_new:
 * @settings: the app's settings (`quiet-hours`, `quiet-hours-start`,
 *   `quiet-hours-end`)
 * @clock: the clock it reads and arms its checks on
 *
 * Returns: (transfer full): the quiet hours, checked now
 */
FbQuietHours *
fb_quiet_hours_new (GSettings *settings,
                    FbClock   *clock)
{
  FbQuietHours *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (FB_IS_CLOCK (clock), NULL);

  self = g_object_new (FB_TYPE_QUIET_HOURS, NULL);
  self->settings = g_object_ref (settings);
  self->clock = g_object_ref (clock);
  g_signal_connect_object (settings, "changed", G_CALLBACK (settings_changed_cb), self, 0);
  check (self);

  return self;
}

gboolean
fb_quiet_hours_is_active (FbQuietHours *self)
{
  g_return_val_if_fail (FB_IS_QUIET_HOURS (self), FALSE);

  return self->active;
}
