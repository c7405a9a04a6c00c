/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench-throughput"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fb-bench-util.h"

/*
 * The same stream — N events of S bytes, served as fast as the socket takes
 * them — read once by each reader in turn:
 *   (1) a raw socket that reads and discards (the wire limit),
 *   (2) libsoup reading the body, counting with memchr (the library limit),
 *   (3) feedbell-listen --quiet,
 *   (4) feedbell-listen printing JSON to /dev/null,
 *   (5) the npm `eventsource` package on Node.
 * Each run is timed by the emitter, from accepting the connection to the
 * reader closing it after the last event: process and runtime start-up are
 * left out for every reader alike.
 *
 *   fb-bench-throughput --size S --events N [--node-modules DIR]
 */

#define READER_TIMEOUT_MS (180 * 1000)

typedef struct
{
  const char *name;
  gboolean    ran;
  double      events_per_s;
  double      mb_per_s;
  gint64      partial_events;   /* > 0: stopped at its time limit after these */
} Result;

enum { RAW, SOUP, LISTEN_QUIET, LISTEN_JSON, NODE, N_READERS };

static const char *reader_names[N_READERS] = {
  "(1) raw socket read+discard",
  "(2) libsoup body read + memchr",
  "(3) feedbell-listen --quiet",
  "(4) feedbell-listen JSON > /dev/null",
  "(5) npm eventsource (Node)",
};

static GPtrArray *
reader_argv (int             reader,
             FbBenchEmitter *emitter,
             gint64          n_events,
             const char     *node_modules)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *listen = fb_bench_env_path ("FEEDBELL_LISTEN", FB_BENCH_LISTEN_PATH);
  char *url = fb_bench_emitter_dup_url (emitter, 0);
  char *count = g_strdup_printf ("%" G_GINT64_FORMAT, n_events);

  switch (reader)
    {
    case RAW:
      g_ptr_array_add (argv, g_strdup (fb_bench_env_path ("FB_BENCH_RAW_READER", FB_BENCH_RAW_READER_PATH)));
      g_ptr_array_add (argv, g_strdup_printf ("%u", fb_bench_emitter_get_port (emitter, 0)));
      g_ptr_array_add (argv, g_strdup (count));
      break;
    case SOUP:
      g_ptr_array_add (argv, g_strdup (fb_bench_env_path ("FB_BENCH_SOUP_READER", FB_BENCH_SOUP_READER_PATH)));
      g_ptr_array_add (argv, g_strdup (url));
      g_ptr_array_add (argv, g_strdup (count));
      break;
    case LISTEN_QUIET:
    case LISTEN_JSON:
      g_ptr_array_add (argv, g_strdup (listen));
      if (reader == LISTEN_QUIET)
        g_ptr_array_add (argv, g_strdup ("--quiet"));
      g_ptr_array_add (argv, g_strdup ("--count"));
      g_ptr_array_add (argv, g_strdup (count));
      g_ptr_array_add (argv, g_strdup (url));
      break;
    case NODE:
      g_ptr_array_add (argv, g_strdup ("node"));
      g_ptr_array_add (argv, g_strdup (fb_bench_env_path ("FB_BENCH_EVENTSOURCE_JS", FB_BENCH_EVENTSOURCE_JS_PATH)));
      g_ptr_array_add (argv, g_strdup (node_modules));
      g_ptr_array_add (argv, g_strdup (url));
      g_ptr_array_add (argv, g_strdup (count));
      g_ptr_array_add (argv, g_strdup_printf ("%u", fb_bench_env_uint ("FB_BENCH_NODE_SECONDS", 5)));
      break;
    default:
      g_assert_not_reached ();
    }
  g_ptr_array_add (argv, NULL);
  g_free (url);
  g_free (count);

  return argv;
}

static gboolean
run_reader (int             reader,
            FbBenchEmitter *emitter,
            gint64          n_events,
            int             size,
            const char     *node_modules,
            Result         *result)
{
  g_autoptr(GPtrArray) argv = reader_argv (reader, emitter, n_events, node_modules);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *done = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *done_prefix = NULL;
  guint conn_id = 0;
  char output[512] = "";
  gint64 spawned = fb_bench_now_ns ();
  gint64 events = -1, start_ns = -1, end_ns = -1;
  double seconds;

  result->name = reader_names[reader];
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               reader == LISTEN_JSON ? G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                     : G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                               &error);
  if (process == NULL)
    {
      g_printerr ("fb-bench-throughput: %s: %s\n", reader_names[reader], error->message);
      return FALSE;
    }
  if (!fb_bench_wait_exit (process, READER_TIMEOUT_MS))
    {
      g_printerr ("fb-bench-throughput: %s did not finish within %u s\n",
                  reader_names[reader], READER_TIMEOUT_MS / 1000);
      fb_bench_terminate (process);
    }
  else if (!g_subprocess_get_successful (process))
    g_printerr ("fb-bench-throughput: %s failed\n", reader_names[reader]);
  if (reader != LISTEN_JSON)
    {
      gsize n = 0;

      /* One short line, already in the pipe. */
      g_input_stream_read_all (g_subprocess_get_stdout_pipe (process), output, sizeof output - 1,
                               &n, NULL, NULL);
      output[n] = '\0';
    }

  /* A reader that got anything was accepted before it exited. */
  accept = fb_bench_emitter_wait_line (emitter, "accept ", 1000);
  if (accept == NULL || sscanf (accept, "accept %*u %u", &conn_id) != 1)
    return FALSE;
  done_prefix = g_strdup_printf ("done 0 %u ", conn_id);
  done = fb_bench_emitter_wait_line (emitter, done_prefix, 30000);
  if (done == NULL)
    return FALSE;
  events = fb_bench_parse_field (done, "events");
  start_ns = fb_bench_parse_field (done, "start_ns");
  end_ns = fb_bench_parse_field (done, "end_ns");
  if (strstr (output, "partial=1") != NULL && g_subprocess_get_successful (process))
    {
      /* Stopped at its time limit: its own count and clock. */
      gint64 got = fb_bench_parse_field (output, "events");
      gint64 ns = fb_bench_parse_field (output, "ns");

      if (got <= 0 || ns <= 0)
        return FALSE;
      result->ran = TRUE;
      result->partial_events = got;
      result->events_per_s = got / (ns / 1e9);
      result->mb_per_s = result->events_per_s * size / 1e6;
      g_printerr ("fb-bench-throughput: %-38s stopped at its time limit: %" G_GINT64_FORMAT " of %"
                  G_GINT64_FORMAT " events in %.3f s: %.4f M events/s\n",
                  reader_names[reader], got, n_events, ns / 1e9, result->events_per_s / 1e6);
      return TRUE;
    }
  if (events != n_events || !g_subprocess_get_successful (process) || end_ns <= start_ns)
    {
      g_printerr ("fb-bench-throughput: %s: the emitter sent %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                  " events or the reader failed: not counted\n", reader_names[reader], events, n_events);
      return FALSE;
    }

  seconds = (end_ns - start_ns) / 1e9;
  result->ran = TRUE;
  result->events_per_s = n_events / seconds;
  result->mb_per_s = (double) n_events * size / seconds / 1e6;
  g_printerr ("fb-bench-throughput: %-38s %" G_GINT64_FORMAT " x %d B in %.3f s "
              "(%.3f s from spawn to exit): %.2f M events/s, %.0f MB/s\n",
              reader_names[reader], n_events, size, seconds,
              (fb_bench_now_ns () - spawned) / 1e9, result->events_per_s / 1e6, result->mb_per_s);

  return TRUE;
}

static char *
ratio_text (Result *results,
            int     reader)
{
  g_autoptr(GString) text = g_string_new (NULL);
  Result *r = &results[reader];

  if (!r->ran)
    return g_strdup ("n/a");
  if (reader != RAW && results[RAW].ran)
    g_string_append_printf (text, "%.2f × (1)", r->events_per_s / results[RAW].events_per_s);
  if (reader != NODE && results[NODE].ran)
    g_string_append_printf (text, "%s%.2f × (5)", text->len ? " · " : "",
                            r->events_per_s / results[NODE].events_per_s);
  if ((reader == LISTEN_QUIET || reader == LISTEN_JSON) && results[SOUP].ran)
    g_string_append_printf (text, " · **%.2f × (2)**", r->events_per_s / results[SOUP].events_per_s);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
print_rows (Result *results,
            int     size)
{
  g_autofree char *benchmark = g_strdup_printf ("Throughput, %s events", size >= 1024 ? "1 KiB" : "64 B");

  for (int i = 0; i < N_READERS; i++)
    {
      g_autofree char *value = NULL;
      g_autofree char *ratio = ratio_text (results, i);
      const char *target = "";
      const char *verdict = "";
      double to_soup = results[SOUP].ran && results[i].ran
                     ? results[i].events_per_s / results[SOUP].events_per_s : 0;

      if (results[i].ran && results[i].partial_events > 0)
        value = g_strdup_printf ("%.3f M ev/s · %.1f MB/s (time limit: %" G_GINT64_FORMAT " events read)",
                                 results[i].events_per_s / 1e6, results[i].mb_per_s,
                                 results[i].partial_events);
      else if (results[i].ran)
        value = g_strdup_printf ("%.2f M ev/s · %.0f MB/s",
                                 results[i].events_per_s / 1e6, results[i].mb_per_s);
      else
        value = g_strdup ("not run");

      if (i == LISTEN_QUIET)
        {
          gboolean met = to_soup >= 0.90;

          if (size < 1024 && results[NODE].ran)
            {
              target = "≥ 0.90 × (2), ≥ 3 × (5)";
              met = met && results[i].events_per_s >= 3 * results[NODE].events_per_s;
            }
          else
            target = "≥ 0.90 × (2)";
          verdict = results[i].ran && results[SOUP].ran ? fb_bench_verdict (met) : "n/a";
        }
      else if (i == LISTEN_JSON)
        {
          target = "≥ 0.60 × (2)";
          verdict = results[i].ran && results[SOUP].ran ? fb_bench_verdict (to_soup >= 0.60) : "n/a";
        }
      fb_bench_row (benchmark, results[i].name ? results[i].name : reader_names[i],
                    value, ratio, target, verdict);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FbBenchEmitter) emitter = NULL;
  g_autofree char *node_modules = NULL;
  g_autofree char *size_arg = NULL;
  g_autofree char *events_arg = NULL;
  gint64 n_events = 1000000;
  int size = 64;
  Result results[N_READERS] = { { 0 } };
  const GOptionEntry entries[] = {
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Bytes per event", "S" },
    { "events", 'n', 0, G_OPTION_ARG_INT64, &n_events, "Events per run", "N" },
    { "node-modules", 0, 0, G_OPTION_ARG_FILENAME, &node_modules, "node_modules with eventsource (4.x)", "DIR" },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new ("— SSE read throughput, five readers side by side");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fb-bench-throughput: %s\n", error->message);
      return 2;
    }

  size_arg = g_strdup_printf ("--size=%d", size);
  events_arg = g_strdup_printf ("--events=%" G_GINT64_FORMAT, n_events);
  {
    const char *args[] = { size_arg, events_arg, "--lifetime=590", NULL };

    emitter = fb_bench_emitter_start (args, &error);
  }
  if (emitter == NULL)
    {
      g_printerr ("fb-bench-throughput: %s\n", error->message);
      return 1;
    }

  /* One untimed raw read first: page in the socket buffers, wake the CPUs. */
  {
    Result warm_up = { 0 };

    run_reader (RAW, emitter, n_events, size, node_modules, &warm_up);
  }

  for (int i = 0; i < N_READERS; i++)
    {
      if (i == NODE)
        {
          g_autofree char *module = node_modules ? g_build_filename (node_modules, "eventsource", NULL) : NULL;
          g_autofree char *node = g_find_program_in_path ("node");

          if (node == NULL || module == NULL || !g_file_test (module, G_FILE_TEST_IS_DIR))
            {
              g_printerr ("fb-bench-throughput: node or the eventsource package is missing: (5) not run\n");
              continue;
            }
        }
      run_reader (i, emitter, n_events, size, node_modules, &results[i]);
    }

  print_rows (results, size);

  return 0;
}
