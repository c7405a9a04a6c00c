/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-quiet-hours.h"

/*
 * Quiet hours on a manual clock: the window's arithmetic, and its edges at
 * the local times a person set across a DST switch and a time zone change.
 * The zones are POSIX TZ rules, so no time zone database is needed.
 */

#define CET "CET-1CEST,M3.5.0,M10.5.0/3"

static void
test_contains (void)
{
  g_assert_true (fb_quiet_hours_contains (22 * 60, 7 * 60, 23 * 60));
  g_assert_true (fb_quiet_hours_contains (22 * 60, 7 * 60, 0));
  g_assert_true (fb_quiet_hours_contains (22 * 60, 7 * 60, 6 * 60 + 59));
  g_assert_false (fb_quiet_hours_contains (22 * 60, 7 * 60, 7 * 60));
  g_assert_false (fb_quiet_hours_contains (22 * 60, 7 * 60, 12 * 60));
  g_assert_true (fb_quiet_hours_contains (13 * 60, 14 * 60, 13 * 60 + 30));
  g_assert_false (fb_quiet_hours_contains (13 * 60, 14 * 60, 14 * 60));
  g_assert_false (fb_quiet_hours_contains (5 * 60, 5 * 60, 5 * 60));
}

static gint64
local_us (const char *iso)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (iso, zone);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time) * G_USEC_PER_SEC;
}

static void
test_dst_night (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(FbClock) clock = NULL;
  g_autoptr(FbQuietHours) quiet = NULL;

  g_setenv ("TZ", CET, TRUE);
  /* The night the clocks go forward: 02:00 CET becomes 03:00 CEST. */
  clock = fb_clock_new_manual (G_USEC_PER_SEC, local_us ("2026-03-28T21:30:00"));
  g_settings_set_uint (settings, "quiet-hours-start", 22 * 60);
  g_settings_set_uint (settings, "quiet-hours-end", 7 * 60);
  g_settings_set_boolean (settings, "quiet-hours", TRUE);
  quiet = fb_quiet_hours_new (settings, clock);
  g_assert_false (fb_quiet_hours_is_active (quiet));

  fb_clock_advance (clock, 30 * 60 * G_USEC_PER_SEC);
  g_assert_true (fb_quiet_hours_is_active (quiet));

  /* 22:00 CET to 07:00 CEST is eight hours, not nine. */
  fb_clock_advance (clock, G_GINT64_CONSTANT (8 * 60 - 1) * 60 * G_USEC_PER_SEC);
  g_assert_true (fb_quiet_hours_is_active (quiet));
  fb_clock_advance (clock, 60 * G_USEC_PER_SEC);
  g_assert_false (fb_quiet_hours_is_active (quiet));
  g_assert_cmpint (fb_clock_get_real (clock), ==, local_us ("2026-03-29T07:00:00"));

  g_settings_reset (settings, "quiet-hours");
}

static void
test_zone_change (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(FbClock) clock = NULL;
  g_autoptr(FbQuietHours) quiet = NULL;

  /* 06:00 in UTC: quiet. Moved to UTC+2 (08:00 there): quiet ends within
   * a quarter of an hour, when the next check reads the new zone. */
  g_setenv ("TZ", "UTC0", TRUE);
  clock = fb_clock_new_manual (G_USEC_PER_SEC, local_us ("2026-06-10T06:00:00"));
  g_settings_set_boolean (settings, "quiet-hours", TRUE);
  quiet = fb_quiet_hours_new (settings, clock);
  g_assert_true (fb_quiet_hours_is_active (quiet));

  g_setenv ("TZ", "EET-2", TRUE);
  fb_clock_advance (clock, 15 * 60 * G_USEC_PER_SEC);
  g_assert_false (fb_quiet_hours_is_active (quiet));

  /* Turned off, it is never quiet. */
  g_setenv ("TZ", "UTC0", TRUE);
  g_settings_set_boolean (settings, "quiet-hours", FALSE);
  g_assert_false (fb_quiet_hours_is_active (quiet));
  g_assert_cmpuint (fb_clock_get_n_timeouts (clock), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/quiet-hours/contains", test_contains);
  g_test_add_func ("/quiet-hours/dst-night", test_dst_night);
  g_test_add_func ("/quiet-hours/zone-change", test_zone_change);

  return g_test_run ();
}
