/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench"

#include "config.h"

#include "fb-bench-util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Clock, environment, percentiles, event counting and the table rows. */

gint64
fb_bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

void
fb_bench_sleep_ms (guint ms)
{
  g_usleep ((gulong) ms * 1000);
}

guint
fb_bench_env_uint (const char *name,
                   guint       fallback)
{
  const char *value = g_getenv (name);
  guint64 n;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &n, NULL))
    return fallback;

  return (guint) n;
}

const char *
fb_bench_env_path (const char *name,
                   const char *fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && value[0] != '\0' ? value : fallback;
}

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

gint64
fb_bench_percentile (GArray *values,
                     double  p)
{
  gsize rank;

  if (values->len == 0)
    return -1;

  g_array_sort (values, compare_gint64);
  /* Nearest rank: the smallest value with at least p % at or below it. */
  rank = (gsize) (p / 100.0 * values->len + 0.999999);
  rank = CLAMP (rank, 1, values->len);

  return g_array_index (values, gint64, rank - 1);
}

gint64
fb_bench_parse_field (const char *text,
                      const char *key)
{
  g_autofree char *needle = g_strconcat (key, "=", NULL);
  const char *p = text;

  while ((p = strstr (p, needle)) != NULL)
    {
      /* Only a whole key: "t=" must not match inside "alt=". */
      if (p == text || !g_ascii_isalnum (p[-1]))
        {
          p += strlen (needle);
          if (g_ascii_isdigit (*p))
            return g_ascii_strtoll (p, NULL, 10);
        }
      else
        p++;
    }

  return -1;
}

gint64
fb_bench_parse_sent_ns (const char *text)
{
  return fb_bench_parse_field (text, "t");
}

/* Counts "\n\n" in @buf, also across the end of the previous block: the
 * event count of a stream that uses LF line ends, at memchr() speed. */
void
fb_bench_count_events (FbBenchCounter *counter,
                       const char     *buf,
                       gsize           len)
{
  const char *p = buf;
  const char *end = buf + len;

  if (len == 0)
    return;
  if (counter->last_was_lf && buf[0] == '\n')
    {
      counter->events++;
      p++;
    }
  counter->last_was_lf = FALSE;
  while (p < end && (p = memchr (p, '\n', end - p)) != NULL)
    {
      if (p + 1 == end)
        {
          counter->last_was_lf = TRUE;
          break;
        }
      if (p[1] == '\n')
        {
          counter->events++;
          p += 2;
        }
      else
        p++;
    }
}

/* --- output ---------------------------------------------------------------- */

void
fb_bench_row (const char *benchmark,
              const char *measure,
              const char *value,
              const char *ratio,
              const char *target,
              const char *verdict)
{
  printf ("| %s | %s | %s | %s | %s | %s |\n",
          benchmark, measure, value,
          ratio ? ratio : "",
          target ? target : "",
          verdict ? verdict : "");
  fflush (stdout);
}

const char *
fb_bench_verdict (gboolean met)
{
  return met ? "met" : "**missed**";
}
