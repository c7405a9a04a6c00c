/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench-cli"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>

#include "fb-bench-util.h"

/*
 * feedbell-listen on its own (no desktop needed):
 *  latency  events sent at a fixed rate, each with its send time; we read
 *           feedbell-listen's stdout through a pipe and take the time each
 *           line arrives: sent → printed, p50/p99/max;
 *  memory   peak RSS (VmHWM) around a burst of 10,000 events, and whether
 *           the resident size comes back afterwards.
 *
 *   fb-bench-cli [latency] [memory]
 */

#define LINE_MAX_BYTES (64 * 1024)

typedef struct
{
  GSubprocess *process;
  int          fd;
  GString     *pending;
  guint64      lines;
  GArray      *latencies;   /* gint64 ns, when collecting */
} Listener;

static gboolean
listener_start (Listener           *listener,
                const char * const *argv)
{
  g_autoptr(GError) error = NULL;

  listener->process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (listener->process == NULL)
    {
      g_printerr ("fb-bench-cli: %s\n", error->message);
      return FALSE;
    }
  listener->fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (listener->process)));
  listener->pending = g_string_new (NULL);

  return TRUE;
}

static gboolean
listen_start (Listener   *listener,
              const char *url,
              gint64      count)
{
  g_autofree char *count_arg = g_strdup_printf ("%" G_GINT64_FORMAT, count);
  const char *listen = fb_bench_env_path ("FEEDBELL_LISTEN", FB_BENCH_LISTEN_PATH);
  const char *argv[] = { listen, "--count", count_arg, url, NULL };

  return listener_start (listener, argv);
}

static void
listener_stop (Listener *listener)
{
  fb_bench_terminate (listener->process);
  g_clear_object (&listener->process);
  if (listener->pending != NULL)
    g_string_free (listener->pending, TRUE);
  listener->pending = NULL;
}

/* Only lines with an event's send time count (the relay also passes the
 * blank lines between events on). */
static void
take_line (Listener   *listener,
           const char *line,
           gint64      now)
{
  gint64 sent = fb_bench_parse_sent_ns (line);

  if (g_getenv ("FB_BENCH_DEBUG_LINES"))
    g_printerr ("LINE %s\n", line);
  if (sent <= 0)
    return;
  listener->lines++;
  if (listener->latencies != NULL)
    {
      gint64 latency = now - sent;

      g_array_append_val (listener->latencies, latency);
    }
}

/* Reads lines until @n_lines in all or @timeout_ms; each read is timed as
 * soon as it returns, before any parsing. */
static gboolean
listener_read_until (Listener *listener,
                     guint64   n_lines,
                     guint     timeout_ms)
{
  g_autofree char *buf = g_malloc (LINE_MAX_BYTES);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (listener->lines < n_lines)
    {
      struct pollfd pfd = { listener->fd, POLLIN, 0 };
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      gssize n;
      gint64 now;
      char *start, *lf;

      if (left_ms <= 0)
        return FALSE;
      if (poll (&pfd, 1, (int) left_ms) <= 0)
        continue;
      n = read (listener->fd, buf, LINE_MAX_BYTES);
      now = fb_bench_now_ns ();
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;

      g_string_append_len (listener->pending, buf, n);
      start = listener->pending->str;
      while ((lf = memchr (start, '\n', listener->pending->len - (start - listener->pending->str))) != NULL)
        {
          *lf = '\0';
          take_line (listener, start, now);
          start = lf + 1;
        }
      g_string_erase (listener->pending, 0, start - listener->pending->str);
    }

  return TRUE;
}

typedef enum
{
  RELAY_RAW,
  RELAY_SOUP_ASYNC,
  LISTEN,
} Reader;

static const char *reader_labels[] = {
  "floor: raw socket reader relaying to a pipe",
  "floor: libsoup relay, g_input_stream_read_async() per read (as FbSseConnection reads)",
  "event sent → JSON line read from feedbell-listen's stdout",
};

/* Sent → line read by us, for every event of one paced stream. */
static GArray *
measure_latency (Reader reader,
                 guint  rate,
                 guint  seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FbBenchEmitter) emitter = NULL;
  GArray *latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *url = NULL;
  g_autofree char *port = NULL;
  g_autofree char *rate_arg = g_strdup_printf ("--rate=%u", rate);
  g_autofree char *events_arg = g_strdup_printf ("--events=%u", rate * seconds);
  g_autofree char *count_arg = g_strdup_printf ("%u", rate * seconds);
  const char *args[] = { rate_arg, events_arg, "--size=64", "--connections=1", "--lifetime=120", NULL };
  Listener listener = { 0 };
  gboolean started;

  emitter = fb_bench_emitter_start (args, &error);
  if (emitter == NULL)
    {
      g_printerr ("fb-bench-cli: %s\n", error->message);
      return latencies;
    }
  url = fb_bench_emitter_dup_url (emitter, 0);
  port = g_strdup_printf ("%u", fb_bench_emitter_get_port (emitter, 0));

  if (reader == RELAY_RAW)
    {
      const char *argv[] = {
        fb_bench_env_path ("FB_BENCH_RAW_READER", FB_BENCH_RAW_READER_PATH),
        "--relay", port, count_arg, NULL
      };

      started = listener_start (&listener, argv);
    }
  else if (reader == RELAY_SOUP_ASYNC)
    {
      const char *argv[] = {
        fb_bench_env_path ("FB_BENCH_SOUP_READER", FB_BENCH_SOUP_READER_PATH),
        "--relay-async", url, count_arg, NULL
      };

      started = listener_start (&listener, argv);
    }
  else
    started = listen_start (&listener, url, rate * seconds);
  if (!started)
    return latencies;

  listener.latencies = latencies;
  if (!listener_read_until (&listener, rate * seconds, (seconds + 30) * 1000))
    g_printerr ("fb-bench-cli: latency: only %" G_GUINT64_FORMAT " of %u lines arrived\n",
                listener.lines, rate * seconds);
  listener_stop (&listener);

  return latencies;
}

static void
bench_latency (void)
{
  guint rate = fb_bench_env_uint ("FB_BENCH_LATENCY_RATE", 1000);
  guint seconds = fb_bench_env_uint ("FB_BENCH_LATENCY_SECONDS", 5);
  guint n_events = rate * seconds;

  for (Reader reader = RELAY_RAW; reader <= LISTEN; reader++)
    {
      g_autoptr(GArray) latencies = measure_latency (reader, rate, seconds);
      g_autofree char *value = NULL;
      g_autofree char *measure = NULL;
      gint64 p50 = fb_bench_percentile (latencies, 50);
      gint64 p99 = fb_bench_percentile (latencies, 99);
      gint64 max = fb_bench_percentile (latencies, 100);

      g_printerr ("fb-bench-cli: latency (%s): %u events: p50 %.1f us, p90 %.1f us, p99 %.1f us, "
                  "p99.9 %.1f us, max %.1f us\n", reader_labels[reader],
                  latencies->len, p50 / 1e3, fb_bench_percentile (latencies, 90) / 1e3, p99 / 1e3,
                  fb_bench_percentile (latencies, 99.9) / 1e3, max / 1e3);

      value = g_strdup_printf ("%.1f / %.1f / %.1f µs", p50 / 1e3, p99 / 1e3, max / 1e3);
      measure = g_strdup_printf ("%s (%u events at %u/s), p50 / p99 / max",
                                 reader_labels[reader], latencies->len, rate);
      if (reader != LISTEN)
        fb_bench_row ("Latency, feedbell-listen", measure, value, "", "", "");
      else
        fb_bench_row ("Latency, feedbell-listen", measure, value, "",
                      "p50 ≤ 40 µs, p99 ≤ 150 µs",
                      latencies->len == n_events ? fb_bench_verdict (p50 <= 40000 && p99 <= 150000)
                                                 : "**incomplete**");
    }
}

static void
bench_memory (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FbBenchEmitter) emitter = NULL;
  g_autofree char *url = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *value = NULL;
  g_autofree char *measure = NULL;
  g_autofree char *ratio = NULL;
  guint burst = fb_bench_env_uint ("FB_BENCH_BURST_EVENTS", 10000);
  Listener listener = { 0 };
  gint64 before, hwm, after_burst, settled;
  GPid pid;
  const char *args[] = { "--hold", "--size=64", "--lifetime=120", NULL };
  gboolean complete;

  emitter = fb_bench_emitter_start (args, &error);
  if (emitter == NULL)
    {
      g_printerr ("fb-bench-cli: %s\n", error->message);
      return;
    }
  url = fb_bench_emitter_dup_url (emitter, 0);
  if (!listen_start (&listener, url, 0))
    return;
  pid = fb_bench_subprocess_pid (listener.process);

  accept = fb_bench_emitter_wait_line (emitter, "accept ", 10000);
  fb_bench_sleep_ms (500);
  before = fb_bench_proc_status_kib (pid, "VmRSS");

  fb_bench_emitter_command (emitter, "burst 0 %u", burst);
  complete = listener_read_until (&listener, burst, 60000);
  hwm = fb_bench_proc_status_kib (pid, "VmHWM");
  after_burst = fb_bench_proc_status_kib (pid, "VmRSS");
  fb_bench_sleep_ms (2000);
  settled = fb_bench_proc_status_kib (pid, "VmRSS");
  g_printerr ("fb-bench-cli: memory: RSS %" G_GINT64_FORMAT " KiB before, %" G_GINT64_FORMAT
              " KiB right after %u events (%" G_GUINT64_FORMAT " lines), %" G_GINT64_FORMAT
              " KiB 2 s later; VmHWM %" G_GINT64_FORMAT " KiB; RssAnon %" G_GINT64_FORMAT " KiB\n",
              before, after_burst, burst, listener.lines, settled, hwm,
              fb_bench_proc_status_kib (pid, "RssAnon"));
  listener_stop (&listener);

  measure = g_strdup_printf ("peak RSS (VmHWM) of feedbell-listen, burst of %u events", burst);
  value = g_strdup_printf ("%.1f MiB", hwm / 1024.0);
  fb_bench_row ("Memory, feedbell-listen", measure, value, "", "≤ 12 MiB",
                complete ? fb_bench_verdict (hwm >= 0 && hwm <= 12 * 1024) : "**incomplete**");

  ratio = g_strdup_printf ("%+.1f %%", 100.0 * (settled - before) / before);
  value = g_strdup_printf ("%.2f → %.2f → %.2f MiB", before / 1024.0, after_burst / 1024.0, settled / 1024.0);
  fb_bench_row ("Memory, feedbell-listen", "RSS before burst → right after → 2 s later", value, ratio,
                "back within 10 %", fb_bench_verdict (settled <= before * 1.10));
}

int
main (int   argc,
      char *argv[])
{
  gboolean all = argc < 2;

  for (int i = 1; i < argc; i++)
    if (!g_str_equal (argv[i], "latency") && !g_str_equal (argv[i], "memory"))
      {
        g_printerr ("usage: fb-bench-cli [latency] [memory]\n");
        return 2;
      }

  if (all || g_strv_contains ((const char * const *) argv + 1, "latency"))
    bench_latency ();
  if (all || g_strv_contains ((const char * const *) argv + 1, "memory"))
    bench_memory ();

  return 0;
}
