/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-backoff"

#include "config.h"

#include "fb-backoff.h"

#include <libsoup/soup.h>

/*
 * Reconnection delays. The rule that matters most: never sooner than the
 * server asked. Jitter spreads clients out after a server restart, but only
 * ever lengthens a delay.
 */

static double
default_random (gpointer user_data)
{
  return g_random_double ();
}

void
fb_backoff_init (FbBackoff    *self,
                 FbRandomFunc  random_func,
                 gpointer      random_data)
{
  g_return_if_fail (self != NULL);

  self->retry_ms = FB_BACKOFF_DEFAULT_RETRY_MS;
  self->failures = 0;
  self->opened_at_us = 0;
  fb_backoff_set_random_func (self, random_func, random_data);
}

/**
 * fb_backoff_set_random_func:
 * @random_func: (nullable): the jitter's random source; %NULL for g_random_double()
 */
void
fb_backoff_set_random_func (FbBackoff    *self,
                            FbRandomFunc  random_func,
                            gpointer      random_data)
{
  g_return_if_fail (self != NULL);

  self->random_func = random_func ? random_func : default_random;
  self->random_data = random_data;
}

/**
 * fb_backoff_set_retry:
 * @retry_ms: the reconnection time from the stream's `retry:` field
 */
void
fb_backoff_set_retry (FbBackoff *self,
                      guint64    retry_ms)
{
  g_return_if_fail (self != NULL);

  self->retry_ms = MIN (retry_ms, FB_BACKOFF_MAX_SERVER_MS);
}

/**
 * fb_backoff_opened:
 * @now_us: monotonic time at which a stream opened
 */
void
fb_backoff_opened (FbBackoff *self,
                   gint64     now_us)
{
  g_return_if_fail (self != NULL);

  self->opened_at_us = now_us;
}

void
fb_backoff_reset (FbBackoff *self)
{
  g_return_if_fail (self != NULL);

  self->failures = 0;
  self->opened_at_us = 0;
}

static guint64
jitter (FbBackoff *self,
        guint64    ms)
{
  double r = CLAMP (self->random_func (self->random_data), 0.0, 1.0);
  double v = (double) ms * (1.0 + FB_BACKOFF_JITTER * r);

  return v >= (double) G_MAXUINT64 ? G_MAXUINT64 : (guint64) v;
}

/**
 * fb_backoff_next_delay:
 * @now_us: monotonic time of the failure
 * @retry_after_ms: what a `Retry-After` header asked for, or 0
 *
 * Counts a failure and returns how long to wait before the next attempt.
 *
 * Returns: the delay in milliseconds
 */
guint64
fb_backoff_next_delay (FbBackoff *self,
                       gint64     now_us,
                       guint64    retry_after_ms)
{
  guint64 base;
  guint64 delay;

  g_return_val_if_fail (self != NULL, FB_BACKOFF_CAP_MS);

  if (self->opened_at_us != 0 && now_us - self->opened_at_us >= FB_BACKOFF_HEALTHY_US)
    self->failures = 0;
  self->opened_at_us = 0;

  if (self->failures == 0)
    {
      base = self->retry_ms;
    }
  else
    {
      base = MAX (self->retry_ms, FB_BACKOFF_MIN_DOUBLING_MS);
      /* Past 2^20 the cap has long won; shifting further would overflow. */
      base <<= MIN (self->failures, 20);
    }

  delay = MIN (jitter (self, base), FB_BACKOFF_CAP_MS);
  delay = MAX (delay, self->retry_ms);
  delay = MAX (delay, MIN (retry_after_ms, FB_BACKOFF_MAX_SERVER_MS));

  if (self->failures < G_MAXUINT)
    self->failures++;

  return delay;
}

/**
 * fb_backoff_failed_delay:
 *
 * The slow retry after a failure a person must fix (401, 404, …): the server
 * side may be fixed meanwhile, but hammering it would not help.
 */
guint64
fb_backoff_failed_delay (FbBackoff *self)
{
  g_return_val_if_fail (self != NULL, FB_BACKOFF_CAP_MS);

  return jitter (self, MAX ((guint64) FB_BACKOFF_CAP_MS, self->retry_ms));
}

/**
 * fb_backoff_parse_retry_after:
 * @value: a `Retry-After` header: delay-seconds or an HTTP-date
 * @now: the current time, for an HTTP-date
 * @out_ms: (out): the delay in milliseconds (0 for a date in the past)
 *
 * Returns: whether @value could be read
 */
gboolean
fb_backoff_parse_retry_after (const char *value,
                              GDateTime  *now,
                              guint64    *out_ms)
{
  g_autoptr(GDateTime) date = NULL;
  GTimeSpan span;

  g_return_val_if_fail (out_ms != NULL, FALSE);

  if (value == NULL || *value == '\0')
    return FALSE;

  if (g_ascii_isdigit (*value))
    {
      guint64 seconds;
      char *end = NULL;

      seconds = g_ascii_strtoull (value, &end, 10);
      while (*end == ' ' || *end == '\t')
        end++;
      if (*end != '\0')
        return FALSE;
      *out_ms = seconds > G_MAXUINT64 / 1000 ? G_MAXUINT64 : seconds * 1000;
      return TRUE;
    }

  date = soup_date_time_new_from_http_string (value);
  if (date == NULL || now == NULL)
    return FALSE;

  span = g_date_time_difference (date, now);
  *out_ms = span > 0 ? (guint64) (span / 1000) : 0;
  return TRUE;
}
