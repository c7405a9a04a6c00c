/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-backoff.h"

/* Close enough to 1 that the jitter factor is at its top, 1.25. */
#define R_MAX 0.9999999

/* Wall-clock times are arbitrary but never 0, so "not opened" can't be confused with them. */
#define T0 ((gint64) 1000 * G_USEC_PER_SEC)

typedef struct
{
  double r;
  guint  n_calls;
} FixedRandom;

static double
fixed_random (gpointer user_data)
{
  FixedRandom *fixed = user_data;

  fixed->n_calls++;
  return fixed->r;
}

/* Allows for rounding either way. */
static void
assert_near (guint64 delay,
             double  expected)
{
  g_assert_cmpfloat ((double) delay, >=, expected - 1);
  g_assert_cmpfloat ((double) delay, <=, expected + 1);
}

/* The delay for @base after jitter @r. */
static void
assert_jittered (guint64 delay,
                 guint64 base,
                 double  r)
{
  assert_near (delay, base * (1 + FB_BACKOFF_JITTER * r));
}

static void
test_init (void)
{
  FixedRandom fixed = { 0.0, 0 };
  FbBackoff b;

  fb_backoff_init (&b, fixed_random, &fixed);
  g_assert_cmpuint (b.retry_ms, ==, FB_BACKOFF_DEFAULT_RETRY_MS);
  g_assert_cmpuint (b.failures, ==, 0);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 0), ==, 3000);
  g_assert_cmpuint (b.failures, ==, 1);
  g_assert_cmpuint (fixed.n_calls, >=, 1);
}

static void
test_jitter_bounds (void)
{
  static const double rs[] = { 0.0, 0.1, 0.25, 0.5, 0.75, 0.9, R_MAX };

  for (guint i = 0; i < G_N_ELEMENTS (rs); i++)
    {
      FixedRandom fixed = { rs[i], 0 };
      FbBackoff b;
      guint64 base = 3000;

      fb_backoff_init (&b, fixed_random, &fixed);
      for (guint n = 0; n < 6; n++)
        {
          guint64 delay = fb_backoff_next_delay (&b, T0, 0);

          assert_jittered (delay, base, rs[i]);
          /* Jitter only ever adds, and at most a quarter. */
          g_assert_cmpuint (delay, >=, base);
          g_assert_cmpuint (delay, <=, base + base / 4);
          base *= 2;
        }
    }
}

static void
test_doubling (void)
{
  static const guint64 plain[] = {
    3000, 6000, 12000, 24000, 48000, 96000, 192000, 300000, 300000, 300000,
  };
  static const guint64 half[] = {
    3375, 6750, 13500, 27000, 54000, 108000, 216000, 300000, 300000,
  };
  FixedRandom zero = { 0.0, 0 };
  FixedRandom mid = { 0.5, 0 };
  FbBackoff b;

  fb_backoff_init (&b, fixed_random, &zero);
  for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
    g_assert_cmpuint (fb_backoff_next_delay (&b, T0 + i, 0), ==, plain[i]);

  fb_backoff_init (&b, fixed_random, &mid);
  for (guint i = 0; i < G_N_ELEMENTS (half); i++)
    g_assert_cmpuint (fb_backoff_next_delay (&b, T0 + i, 0), ==, half[i]);
}

static void
test_cap (void)
{
  static const guint64 retries[] = { 0, 1, 999, 1000, 3000, 150000, 299999 };

  for (guint i = 0; i < G_N_ELEMENTS (retries); i++)
    {
      FixedRandom fixed = { R_MAX, 0 };
      guint64 previous = 0;
      FbBackoff b;

      fb_backoff_init (&b, fixed_random, &fixed);
      fb_backoff_set_retry (&b, retries[i]);
      /* Far beyond 64 failures: the doubling must saturate, not wrap. */
      for (guint n = 0; n < 200; n++)
        {
          guint64 delay = fb_backoff_next_delay (&b, T0, 0);

          g_assert_cmpuint (delay, <=, FB_BACKOFF_CAP_MS);
          g_assert_cmpuint (delay, >=, previous);
          previous = delay;
        }
      g_assert_cmpuint (previous, ==, FB_BACKOFF_CAP_MS);
    }
}

static void
test_retry_floor (void)
{
  static const guint64 retries[] = {
    0, 1, 999, 1000, 1001, 3000, 60000, 299999, 300000, 300001, 400000, 3599999, 3600000,
  };
  static const double rs[] = { 0.0, 0.5, R_MAX };

  for (guint i = 0; i < G_N_ELEMENTS (retries); i++)
    {
      for (guint k = 0; k < G_N_ELEMENTS (rs); k++)
        {
          FixedRandom fixed = { rs[k], 0 };
          double jittered = retries[i] * (1 + FB_BACKOFF_JITTER * rs[k]);
          FbBackoff b;
          guint64 first;

          fb_backoff_init (&b, fixed_random, &fixed);
          fb_backoff_set_retry (&b, retries[i]);
          g_assert_cmpuint (b.retry_ms, ==, retries[i]);
          first = fb_backoff_next_delay (&b, T0, 0);
          g_assert_cmpuint (first, >=, retries[i]);
          /* Capped, but never below what the server asked for. */
          assert_near (first, MAX (MIN (jittered, FB_BACKOFF_CAP_MS), retries[i]));
          for (guint n = 0; n < 20; n++)
            g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 0), >=, retries[i]);
        }
    }
}

/* A server's `retry: 0` is honoured once, then doubling starts from a second. */
static void
test_retry_zero (void)
{
  FixedRandom fixed = { 0.0, 0 };
  FbBackoff b;

  fb_backoff_init (&b, fixed_random, &fixed);
  fb_backoff_set_retry (&b, 0);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 0), ==, 0);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 0), ==, 2 * FB_BACKOFF_MIN_DOUBLING_MS);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 0), ==, 4 * FB_BACKOFF_MIN_DOUBLING_MS);

  /* Even when every stream opens and dies at once. */
  fb_backoff_init (&b, fixed_random, &fixed);
  fb_backoff_set_retry (&b, 0);
  for (guint n = 0; n < 50; n++)
    {
      guint64 delay;

      fb_backoff_opened (&b, T0 + n);
      delay = fb_backoff_next_delay (&b, T0 + n, 0);
      if (n > 0)
        g_assert_cmpuint (delay, >=, FB_BACKOFF_MIN_DOUBLING_MS);
    }
}

static void
fail_n (FbBackoff *b,
        guint      n)
{
  for (guint i = 0; i < n; i++)
    fb_backoff_next_delay (b, T0, 0);
}

static void
test_healthy_reset (void)
{
  FixedRandom fixed = { 0.0, 0 };
  FbBackoff b;

  fb_backoff_init (&b, fixed_random, &fixed);
  fail_n (&b, 3);
  fb_backoff_opened (&b, T0);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0 + FB_BACKOFF_HEALTHY_US, 0), ==, 3000);
  g_assert_cmpuint (b.failures, ==, 1);

  /* The open mark is cleared: the next failure without a new stream doubles again. */
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0 + 10 * FB_BACKOFF_HEALTHY_US, 0), ==, 6000);

  /* A long healthy stream resets whatever came before. */
  fail_n (&b, 20);
  fb_backoff_opened (&b, T0);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0 + (gint64) 3600 * G_USEC_PER_SEC, 0), ==, 3000);
}

static void
test_short_lived (void)
{
  FixedRandom fixed = { 0.0, 0 };
  FbBackoff b;

  fb_backoff_init (&b, fixed_random, &fixed);
  fail_n (&b, 3);
  fb_backoff_opened (&b, T0);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0 + FB_BACKOFF_HEALTHY_US - 1, 0), ==, 24000);
  g_assert_cmpuint (b.failures, ==, 4);

  /* Opened again, failed at once. */
  fb_backoff_opened (&b, T0 + 100 * G_USEC_PER_SEC);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0 + 100 * G_USEC_PER_SEC, 0), ==, 48000);

  /* A clock going backwards is not a healthy stream either. */
  fb_backoff_opened (&b, T0 + 200 * G_USEC_PER_SEC);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 0), ==, 96000);
}

static void
test_retry_after (void)
{
  FixedRandom fixed = { 0.0, 0 };
  FbBackoff b;

  /* Larger than the backoff: it wins. */
  fb_backoff_init (&b, fixed_random, &fixed);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 60000), ==, 60000);
  g_assert_cmpuint (b.failures, ==, 1);
  /* It counts as a failure but does not feed the doubling. */
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 0), ==, 6000);

  /* Smaller than the backoff: it loses. */
  fb_backoff_init (&b, fixed_random, &fixed);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 1000), ==, 3000);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 5999), ==, 6000);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 12001), ==, 12001);

  /* It may exceed the cap, but not the most we believe from a server. */
  fb_backoff_init (&b, fixed_random, &fixed);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 600000), ==, 600000);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, FB_BACKOFF_MAX_SERVER_MS), ==,
                    FB_BACKOFF_MAX_SERVER_MS);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, FB_BACKOFF_MAX_SERVER_MS + 1), ==,
                    FB_BACKOFF_MAX_SERVER_MS);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, G_MAXUINT64), ==, FB_BACKOFF_MAX_SERVER_MS);

  /* Jitter is not added on top of Retry-After when it wins. */
  fixed.r = R_MAX;
  fb_backoff_init (&b, fixed_random, &fixed);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 10000), ==, 10000);
}

static void
test_huge_retry (void)
{
  static const guint64 huge[] = {
    FB_BACKOFF_MAX_SERVER_MS + 1, 7200000, G_MAXUINT32, (guint64) G_MAXUINT32 + 1,
    G_MAXINT64, G_MAXUINT64,
  };
  static const double rs[] = { 0.0, R_MAX };

  for (guint i = 0; i < G_N_ELEMENTS (huge); i++)
    {
      for (guint k = 0; k < G_N_ELEMENTS (rs); k++)
        {
          FixedRandom fixed = { rs[k], 0 };
          FbBackoff b;

          fb_backoff_init (&b, fixed_random, &fixed);
          fb_backoff_set_retry (&b, huge[i]);
          g_assert_cmpuint (b.retry_ms, ==, FB_BACKOFF_MAX_SERVER_MS);
          for (guint n = 0; n < 70; n++)
            g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 0), ==, FB_BACKOFF_MAX_SERVER_MS);
          g_assert_cmpuint (fb_backoff_next_delay (&b, T0, G_MAXUINT64), ==,
                            FB_BACKOFF_MAX_SERVER_MS);
        }
    }
}

static void
test_set_retry_mid_sequence (void)
{
  FixedRandom fixed = { 0.0, 0 };
  FbBackoff b;

  fb_backoff_init (&b, fixed_random, &fixed);
  fail_n (&b, 2);
  fb_backoff_set_retry (&b, 10000);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 0), ==, 40000);
  fb_backoff_set_retry (&b, 10);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 0), ==, 8 * FB_BACKOFF_MIN_DOUBLING_MS);
}

static void
test_failed_delay (void)
{
  FixedRandom fixed = { 0.0, 0 };
  FbBackoff b;

  fb_backoff_init (&b, fixed_random, &fixed);
  g_assert_cmpuint (fb_backoff_failed_delay (&b), ==, FB_BACKOFF_CAP_MS);
  fixed.r = 0.5;
  g_assert_cmpuint (fb_backoff_failed_delay (&b), ==, 337500);
  fixed.r = R_MAX;
  assert_jittered (fb_backoff_failed_delay (&b), FB_BACKOFF_CAP_MS, R_MAX);
  g_assert_cmpuint (fb_backoff_failed_delay (&b), <=, 375000);

  /* A server asking for even longer is obeyed. */
  fb_backoff_set_retry (&b, G_MAXUINT64);
  fixed.r = 0.0;
  g_assert_cmpuint (fb_backoff_failed_delay (&b), ==, FB_BACKOFF_MAX_SERVER_MS);
  fixed.r = 0.5;
  g_assert_cmpuint (fb_backoff_failed_delay (&b), ==, 4050000);

  /* Whatever the failures so far. */
  fixed.r = 0.0;
  fb_backoff_init (&b, fixed_random, &fixed);
  fail_n (&b, 5);
  g_assert_cmpuint (fb_backoff_failed_delay (&b), ==, FB_BACKOFF_CAP_MS);
}

static void
test_reset (void)
{
  FixedRandom fixed = { 0.0, 0 };
  FbBackoff b;

  fb_backoff_init (&b, fixed_random, &fixed);
  fb_backoff_set_retry (&b, 5000);
  fail_n (&b, 4);
  fb_backoff_reset (&b);
  g_assert_cmpuint (b.failures, ==, 0);
  g_assert_cmpuint (b.retry_ms, ==, 5000);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 0), ==, 5000);
  g_assert_cmpuint (fb_backoff_next_delay (&b, T0, 0), ==, 10000);
}

static void
test_default_random (void)
{
  guint64 lowest = G_MAXUINT64;
  guint64 highest = 0;

  for (guint i = 0; i < 2000; i++)
    {
      FbBackoff b;
      guint64 delay;

      fb_backoff_init (&b, NULL, NULL);
      delay = fb_backoff_next_delay (&b, T0, 0);
      g_assert_cmpuint (delay, >=, 3000);
      g_assert_cmpuint (delay, <=, 3750);
      lowest = MIN (lowest, delay);
      highest = MAX (highest, delay);
    }
  /* 2000 uniform draws over 750 ms all landing in one 300 ms window would be absurd. */
  g_assert_cmpuint (highest - lowest, >, 300);
}

static GDateTime *
oct_21_2015 (void)
{
  return g_date_time_new_utc (2015, 10, 21, 7, 27, 0);
}

static void
assert_retry_after (const char *value,
                    GDateTime  *now,
                    guint64     expected)
{
  guint64 ms = 12345;

  g_test_message ("Retry-After: %s", value);
  g_assert_true (fb_backoff_parse_retry_after (value, now, &ms));
  g_assert_cmpuint (ms, ==, expected);
}

static void
test_parse_retry_after_seconds (void)
{
  g_autoptr(GDateTime) now = oct_21_2015 ();

  assert_retry_after ("120", now, 120000);
  assert_retry_after ("0", now, 0);
  assert_retry_after ("1", now, 1000);
  assert_retry_after ("007", now, 7000);
  assert_retry_after ("86400", now, 86400000);
}

static void
test_parse_retry_after_date (void)
{
  g_autoptr(GDateTime) now = oct_21_2015 ();
  g_autoptr(GTimeZone) plus_two = g_time_zone_new_offset (2 * 3600);
  g_autoptr(GDateTime) now_local = g_date_time_to_timezone (now, plus_two);

  assert_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT", now, 60000);
  assert_retry_after ("Wed, 21 Oct 2015 07:27:01 GMT", now, 1000);
  assert_retry_after ("Thu, 22 Oct 2015 07:27:00 GMT", now, 86400000);
  assert_retry_after ("Sun, 01 Nov 2015 00:00:00 GMT", now, 923580000);
  /* Now or in the past: go ahead at once. */
  assert_retry_after ("Wed, 21 Oct 2015 07:27:00 GMT", now, 0);
  assert_retry_after ("Wed, 21 Oct 2015 07:26:59 GMT", now, 0);
  assert_retry_after ("Tue, 20 Oct 2015 07:28:00 GMT", now, 0);
  assert_retry_after ("Thu, 01 Jan 1970 00:00:00 GMT", now, 0);
  /* The same instant in another time zone. */
  assert_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT", now_local, 60000);
}

static void
test_parse_retry_after_invalid (void)
{
  static const char *invalid[] = {
    "", "-1", "-120", "abc", "12a", "1.5", "1e3", "0x10", "tomorrow",
    "Wed, 21 Oct 2015", "GMT",
  };
  g_autoptr(GDateTime) now = oct_21_2015 ();

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      guint64 ms = 0;

      g_test_message ("Retry-After: \"%s\"", invalid[i]);
      g_assert_false (fb_backoff_parse_retry_after (invalid[i], now, &ms));
    }
}

/* Seconds too many for milliseconds in 64 bits must not wrap to a short wait. */
static void
test_parse_retry_after_overflow (void)
{
  static const char *huge[] = {
    "18446744073709551", "18446744073709552", "18446744073709551615", "99999999999999999999999",
  };
  g_autoptr(GDateTime) now = oct_21_2015 ();

  for (guint i = 0; i < G_N_ELEMENTS (huge); i++)
    {
      guint64 ms = 0;

      g_test_message ("Retry-After: %s", huge[i]);
      if (fb_backoff_parse_retry_after (huge[i], now, &ms))
        g_assert_cmpuint (ms, >=, FB_BACKOFF_MAX_SERVER_MS);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/backoff/init", test_init);
  g_test_add_func ("/backoff/jitter-bounds", test_jitter_bounds);
  g_test_add_func ("/backoff/doubling", test_doubling);
  g_test_add_func ("/backoff/cap", test_cap);
  g_test_add_func ("/backoff/retry-floor", test_retry_floor);
  g_test_add_func ("/backoff/retry-zero", test_retry_zero);
  g_test_add_func ("/backoff/healthy-reset", test_healthy_reset);
  g_test_add_func ("/backoff/short-lived", test_short_lived);
  g_test_add_func ("/backoff/retry-after", test_retry_after);
  g_test_add_func ("/backoff/huge-retry", test_huge_retry);
  g_test_add_func ("/backoff/set-retry-mid-sequence", test_set_retry_mid_sequence);
  g_test_add_func ("/backoff/failed-delay", test_failed_delay);
  g_test_add_func ("/backoff/reset", test_reset);
  g_test_add_func ("/backoff/default-random", test_default_random);
  g_test_add_func ("/backoff/parse-retry-after/seconds", test_parse_retry_after_seconds);
  g_test_add_func ("/backoff/parse-retry-after/date", test_parse_retry_after_date);
  g_test_add_func ("/backoff/parse-retry-after/invalid", test_parse_retry_after_invalid);
  g_test_add_func ("/backoff/parse-retry-after/overflow", test_parse_retry_after_overflow);

  return g_test_run ();
}
