/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench-parser"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fb-bench-util.h"
#include "fb-sse-parser.h"

/*
 * The parser alone, on hot SSE text in memory: a 1 MiB buffer of events
 * (it stays in L2) fed to FbSseParser in 16 KiB reads, as a connection
 * does, with a handler that only counts; against a memchr()-only scan of
 * the same reads counting "\n\n" — the limit for any line-based parser.
 *
 *   fb-bench-parser --size S [--seconds T] [--parser-only]
 *
 * (--parser-only runs the parser alone, for a profiler.)
 */

#define BUFFER_BYTES (1024 * 1024)
#define READ_BYTES   (16 * 1024)

typedef struct
{
  guint64 events;
  guint64 data_bytes;
} Sink;

static void
event_cb (const char *type,
          const char *data,
          gsize       data_len,
          const char *last_event_id,
          gpointer    user_data)
{
  Sink *sink = user_data;

  sink->events++;
  sink->data_bytes += data_len;
}

static char *
make_events (int    size,
             gsize *len)
{
  gsize n = BUFFER_BYTES / size;
  char *buf = g_malloc (n * size);

  for (gsize i = 0; i < n; i++)
    {
      char *e = buf + i * size;

      memcpy (e, "data: ", 6);
      for (int j = 6; j < size - 2; j++)
        e[j] = 'a' + (j % 26);
      e[size - 2] = '\n';
      e[size - 1] = '\n';
    }
  *len = n * size;

  return buf;
}

typedef struct
{
  double   seconds;
  guint64  bytes;
  guint64  events;
} Run;

static void
run_parser (const char *buf,
            gsize       len,
            double      min_seconds,
            Run        *run)
{
  g_autoptr(FbSseParser) parser = fb_sse_parser_new (0);
  Sink sink = { 0 };
  gint64 start = fb_bench_now_ns ();
  gint64 elapsed;

  fb_sse_parser_set_handlers (parser, event_cb, NULL, &sink);
  do
    {
      for (gsize off = 0; off < len; off += READ_BYTES)
        fb_sse_parser_feed (parser, buf + off, MIN (READ_BYTES, len - off));
      run->bytes += len;
      elapsed = fb_bench_now_ns () - start;
    }
  while (elapsed < min_seconds * 1e9);

  run->seconds = elapsed / 1e9;
  run->events = sink.events;
  g_printerr ("fb-bench-parser: FbSseParser: %" G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT
              " data bytes in %.3f s\n", sink.events, sink.data_bytes, run->seconds);
}

static void
run_memchr (const char *buf,
            gsize       len,
            double      min_seconds,
            Run        *run)
{
  FbBenchCounter counter = { 0 };
  gint64 start = fb_bench_now_ns ();
  gint64 elapsed;

  do
    {
      for (gsize off = 0; off < len; off += READ_BYTES)
        fb_bench_count_events (&counter, buf + off, MIN (READ_BYTES, len - off));
      run->bytes += len;
      elapsed = fb_bench_now_ns () - start;
    }
  while (elapsed < min_seconds * 1e9);

  run->seconds = elapsed / 1e9;
  run->events = counter.events;
  g_printerr ("fb-bench-parser: memchr scan: %" G_GUINT64_FORMAT " events in %.3f s\n",
              counter.events, run->seconds);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *buf = NULL;
  g_autofree char *benchmark = NULL;
  g_autofree char *parser_value = NULL;
  g_autofree char *memchr_value = NULL;
  g_autofree char *ratio = NULL;
  int size = 64;
  double seconds = 1.5;
  gboolean parser_only = FALSE;
  gsize len;
  Run parser = { 0 }, scan = { 0 };
  double parser_eps, parser_gbps, scan_eps, scan_gbps;
  gboolean met;
  const GOptionEntry entries[] = {
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Bytes per event", "S" },
    { "seconds", 't', 0, G_OPTION_ARG_DOUBLE, &seconds, "Minimum time per measurement", "T" },
    { "parser-only", 0, 0, G_OPTION_ARG_NONE, &parser_only, "Run only the parser (for profiling)", NULL },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new ("— FbSseParser against a memchr scan");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || size < 16 || size > BUFFER_BYTES)
    {
      g_printerr ("fb-bench-parser: %s\n", error ? error->message : "--size out of range");
      return 2;
    }

  buf = make_events (size, &len);
  if (parser_only)
    {
      run_parser (buf, len, seconds, &parser);
      return 0;
    }
  /* Untimed passes first, to have both code paths and the buffer hot. */
  {
    Run warm_up = { 0 };

    run_memchr (buf, len, 0.2, &warm_up);
    run_parser (buf, len, 0.2, &warm_up);
  }
  run_memchr (buf, len, seconds, &scan);
  run_parser (buf, len, seconds, &parser);

  parser_eps = parser.events / parser.seconds;
  parser_gbps = parser.bytes / parser.seconds / 1e9;
  scan_eps = scan.events / scan.seconds;
  scan_gbps = scan.bytes / scan.seconds / 1e9;
  met = size < 1024 ? parser_eps >= 20e6 : parser_gbps >= 5.0;

  benchmark = g_strdup_printf ("Parser alone, %s events, 16 KiB feeds", size >= 1024 ? "1 KiB" : "64 B");
  parser_value = g_strdup_printf ("%.1f M ev/s · %.2f GB/s", parser_eps / 1e6, parser_gbps);
  memchr_value = g_strdup_printf ("%.1f M ev/s · %.2f GB/s", scan_eps / 1e6, scan_gbps);
  ratio = g_strdup_printf ("%.2f × memchr", parser_eps / scan_eps);
  fb_bench_row (benchmark, "memchr-only scan counting \"\\n\\n\"", memchr_value, "", "", "");
  fb_bench_row (benchmark, "FbSseParser, counting handler", parser_value, ratio,
                size < 1024 ? "≥ 20 M ev/s" : "≥ 5 GB/s", fb_bench_verdict (met));

  return 0;
}
