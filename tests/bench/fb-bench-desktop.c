/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench-desktop"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "fb-bench-desktop-app.h"
#include "fb-bench-desktop-bus.h"
#include "fb-bench-util.h"
#include "fb-test-utils.h"

/*
 * The desktop app's figures, run inside `xvfb-run -a dbus-run-session --`:
 * we are the desktop the app talks to (fb-bench-desktop-bus.c), launch it
 * with a profile of its own and feeds on the emitter (fb-bench-desktop-app.c).
 *
 *   startup  launch → tray item registered, launch → first Notify
 *   latency  1,000 events/s for 5 s: event sent → Notify received
 *   memory   RSS with 1, 10 and 100 feeds around a 10,000-event burst
 *   idle     10 feeds with a keep-alive every 15 s, for 120 s: CPU time
 *            and context switches of the app (one process) and of 10
 *            feedbell-listen processes, against the keep-alives sent
 *
 *   fb-bench-desktop [startup] [latency] [memory] [idle]
 */

static char *scratch_dir;

static FbBenchEmitter *
start_emitter (const char * const *args)
{
  g_autoptr(GError) error = NULL;
  FbBenchEmitter *emitter = fb_bench_emitter_start (args, &error);

  if (emitter == NULL)
    g_printerr ("fb-bench-desktop: %s\n", error->message);

  return emitter;
}

static FbBenchProfile *
new_profile (const char     *name,
             FbBenchEmitter *emitter,
             guint           first_port,
             guint           n_feeds,
             const char     *settings)
{
  return fb_bench_profile_new (scratch_dir, name, emitter, first_port, n_feeds, settings);
}

static gboolean
registered_cb (gpointer user_data)
{
  return fb_bench_bus_get_registered_ns () != 0;
}

typedef struct
{
  gint64 seq;        /* wait for this seq, or -1 for any of our events */
  gint64 found_ns;   /* its receive time */
} NoticeWait;

static gboolean
notice_seen_cb (gpointer user_data)
{
  NoticeWait *wait = user_data;

  wait->found_ns = fb_bench_bus_find_notice (wait->seq);
  return wait->found_ns != 0;
}

static guint
n_notices (void)
{
  g_autoptr(GArray) notices = fb_bench_bus_dup_notices ();

  return notices->len;
}

/* Until no Notify came for @quiet_ms, or @timeout_ms. */
static void
wait_quiet (guint quiet_ms,
            guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint seen = n_notices ();

  while (g_get_monotonic_time () < deadline)
    {
      fb_bench_serve_for (quiet_ms);
      if (n_notices () == seen)
        return;
      seen = n_notices ();
    }
}

static gboolean
start_app (FbBenchProfile  *profile,
           GSubprocess    **app)
{
  fb_bench_bus_reset ();
  *app = fb_bench_app_launch (profile);
  if (*app == NULL)
    return FALSE;
  if (!fb_bench_wait_until (registered_cb, NULL, 10000))
    {
      g_printerr ("fb-bench-desktop: the app did not register its tray item within 10 s "
                  "(see %s/feedbell.log)\n", profile->dir);
      return FALSE;
    }

  return TRUE;
}

/* --- startup -------------------------------------------------------------------- */

static void
startup_rows (GArray *to_tray,
              GArray *to_notify,
              guint   runs)
{
  g_autofree char *tray_measure = NULL;
  g_autofree char *tray_value = NULL;
  g_autofree char *notify_measure = NULL;
  g_autofree char *notify_value = NULL;
  gint64 tray_p50 = fb_bench_percentile (to_tray, 50);
  gint64 notify_p50 = fb_bench_percentile (to_notify, 50);

  tray_measure = g_strdup_printf ("launch (`feedbell --background`) → RegisterStatusNotifierItem, "
                                  "median of %u warm runs [min–max]", to_tray->len);
  tray_value = g_strdup_printf ("%.0f ms [%.0f–%.0f]", tray_p50 / 1e6,
                               fb_bench_percentile (to_tray, 0) / 1e6,
                               fb_bench_percentile (to_tray, 100) / 1e6);
  fb_bench_row ("Start-up, app", tray_measure, tray_value, "", "≤ 300 ms",
                to_tray->len == runs ? fb_bench_verdict (tray_p50 <= 300 * G_GINT64_CONSTANT (1000000))
                                     : "**incomplete**");

  notify_measure = g_strdup_printf ("launch → first Notify (1 feed, an event sent on connect), "
                                    "median of %u warm runs [min–max]", to_notify->len);
  notify_value = g_strdup_printf ("%.0f ms [%.0f–%.0f]", notify_p50 / 1e6,
                                  fb_bench_percentile (to_notify, 0) / 1e6,
                                  fb_bench_percentile (to_notify, 100) / 1e6);
  fb_bench_row ("Start-up, app", notify_measure, notify_value, "", "",
                to_notify->len == runs ? "" : "**incomplete**");
}

static void
bench_startup (void)
{
  const char *args[] = { "--hold", "--rate=1000", "--events=1", "--size=64", "--lifetime=300", NULL };
  g_autoptr(FbBenchEmitter) emitter = start_emitter (args);
  g_autoptr(GArray) to_tray = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) to_notify = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint runs = fb_bench_env_uint ("FB_BENCH_STARTUP_RUNS", 5);

  if (emitter == NULL)
    return;

  /* Run 0 warms the caches (start-up is measured warm) and is not counted. */
  for (guint run = 0; run <= runs; run++)
    {
      g_autofree char *name = g_strdup_printf ("startup-%u", run);
      g_autoptr(FbBenchProfile) profile = new_profile (name, emitter, 0, 1, NULL);
      g_autoptr(GSubprocess) app = NULL;
      NoticeWait wait = { -1, 0 };
      gint64 launched, tray_ns = -1, notify_ns = -1;

      fb_bench_bus_reset ();
      launched = fb_bench_now_ns ();
      app = fb_bench_app_launch (profile);
      if (app == NULL)
        return;
      if (fb_bench_wait_until (registered_cb, NULL, 10000))
        tray_ns = fb_bench_bus_get_registered_ns () - launched;
      if (fb_bench_wait_until (notice_seen_cb, &wait, 10000))
        notify_ns = wait.found_ns - launched;
      fb_bench_app_stop (app);

      g_printerr ("fb-bench-desktop: startup run %u%s: launch -> tray item %.1f ms, -> first Notify %.1f ms\n",
                  run, run == 0 ? " (warm-up)" : "", tray_ns / 1e6, notify_ns / 1e6);
      if (run == 0)
        continue;
      if (tray_ns > 0)
        g_array_append_val (to_tray, tray_ns);
      if (notify_ns > 0)
        g_array_append_val (to_notify, notify_ns);
    }

  startup_rows (to_tray, to_notify, runs);
}

/* --- latency -------------------------------------------------------------------- */

/* Sent → Notify received, for @n_feeds feeds that each send @rate events/s
 * for @seconds, all starting together once the app has connected them. */
static GArray *
measure_notify_latency (const char *name,
                        guint       n_feeds,
                        guint       rate,
                        guint       seconds,
                        const char *settings,
                        gboolean   *complete)
{
  g_autofree char *ports_arg = g_strdup_printf ("--ports=%u", n_feeds);
  g_autofree char *rate_arg = g_strdup_printf ("--rate=%u", rate);
  g_autofree char *events_arg = g_strdup_printf ("--events=%u", rate * seconds);
  const char *args[] = { "--hold", "--wait-start", ports_arg, rate_arg, events_arg,
                         "--size=64", "--lifetime=300", NULL };
  g_autoptr(FbBenchEmitter) emitter = start_emitter (args);
  g_autoptr(FbBenchProfile) profile = NULL;
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GArray) notices = NULL;
  GArray *latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  NoticeWait last = { (gint64) rate * seconds - 1, 0 };

  *complete = FALSE;
  if (emitter == NULL)
    return latencies;
  profile = new_profile (name, emitter, 0, n_feeds, settings);
  if (!start_app (profile, &app) || !fb_bench_wait_accepts (emitter, n_feeds, 30000))
    {
      fb_bench_app_stop (app);
      return latencies;
    }

  fb_bench_serve_for (1000);
  fb_bench_bus_reset ();
  fb_bench_emitter_command (emitter, "start");
  *complete = fb_bench_wait_until (notice_seen_cb, &last, (seconds + 20) * 1000);
  /* The tail (other feeds' last events; a summary's last update) until quiet. */
  wait_quiet (1500, 20000);
  notices = fb_bench_bus_dup_notices ();
  fb_bench_app_stop (app);

  for (guint i = 0; i < notices->len; i++)
    {
      FbBenchNotice *n = &g_array_index (notices, FbBenchNotice, i);

      if (n->sent_ns > 0)
        {
          gint64 latency = n->received_ns - n->sent_ns;

          g_array_append_val (latencies, latency);
        }
    }

  return latencies;
}

static void
latency_row (const char *measure,
             GArray     *latencies,
             gboolean    complete)
{
  gint64 p50 = fb_bench_percentile (latencies, 50);
  gint64 p99 = fb_bench_percentile (latencies, 99);
  gint64 max = fb_bench_percentile (latencies, 100);
  g_autofree char *value = g_strdup_printf ("%.2f / %.2f / %.2f ms", p50 / 1e6, p99 / 1e6, max / 1e6);

  g_printerr ("fb-bench-desktop: latency: %u Notify calls: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              latencies->len, p50 / 1e6, fb_bench_percentile (latencies, 90) / 1e6, p99 / 1e6, max / 1e6);
  fb_bench_row ("Latency, app", measure, value, "", "p99 ≤ 25 ms",
                complete && latencies->len > 0 ? fb_bench_verdict (p99 <= 25 * G_GINT64_CONSTANT (1000000))
                                               : "**incomplete**");
}

static void
bench_latency (void)
{
  guint rate = fb_bench_env_uint ("FB_BENCH_LATENCY_RATE", 1000);
  guint seconds = fb_bench_env_uint ("FB_BENCH_LATENCY_SECONDS", 5);
  guint n_feeds = 20;
  g_autoptr(GArray) one = NULL;
  g_autoptr(GArray) spread = NULL;
  g_autofree char *measure = NULL;
  gboolean complete;

  /* One feed at the full rate, default policy: past `coalesce-threshold` the
   * events fold into a summary updated at most once a second. */
  one = measure_notify_latency ("latency-1", 1, rate, seconds, NULL, &complete);
  measure = g_strdup_printf ("event sent → Notify received; 1 feed at %u events/s for %u s, default "
                             "policy (floods fold into a summary, updated ≤ 1/s): %u Notify calls, "
                             "p50 / p99 / max", rate, seconds, one->len);
  latency_row (measure, one, complete);
  g_clear_pointer (&measure, g_free);

  /* Every event notified: 20 feeds at rate/20 each, under a raised threshold. */
  spread = measure_notify_latency ("latency-20", n_feeds, rate / n_feeds, seconds,
                                   "coalesce-threshold=100\ncoalesce-window=1\n", &complete);
  measure = g_strdup_printf ("event sent → Notify received; %u feeds × %u events/s (%u/s in all) for %u s, "
                             "coalescing threshold 100/s so each event is a notification: %u Notify calls, "
                             "p50 / p99 / max", n_feeds, rate / n_feeds, rate, seconds, spread->len);
  latency_row (measure, spread, complete && spread->len >= rate * seconds * 99 / 100);
}

/* --- memory --------------------------------------------------------------------- */

typedef struct
{
  guint    n_feeds;
  gint64   before;        /* VmRSS KiB, settled, before the burst */
  gint64   before_anon;   /* RssAnon KiB */
  gint64   peak;          /* VmHWM */
  gint64   after_burst;
  gint64   settled;
  gint64   settled_anon;
  guint    n_notify;
  gboolean complete;
} MemoryRun;

static void
memory_run (MemoryRun *run)
{
  g_autofree char *ports_arg = g_strdup_printf ("--ports=%u", run->n_feeds);
  const char *args[] = { "--hold", ports_arg, "--size=64", "--lifetime=300", NULL };
  g_autoptr(FbBenchEmitter) emitter = start_emitter (args);
  g_autofree char *name = g_strdup_printf ("memory-%u", run->n_feeds);
  g_autoptr(FbBenchProfile) profile = NULL;
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GArray) notices = NULL;
  guint burst = fb_bench_env_uint ("FB_BENCH_BURST_EVENTS", 10000);
  guint settle_ms = fb_bench_env_uint ("FB_BENCH_SETTLE_MS", 3000);
  NoticeWait last = { burst - 1, 0 };
  GPid pid;

  if (emitter == NULL)
    return;
  profile = new_profile (name, emitter, 0, run->n_feeds, NULL);
  if (!start_app (profile, &app) || !fb_bench_wait_accepts (emitter, run->n_feeds, 30000))
    {
      fb_bench_app_stop (app);
      return;
    }
  pid = fb_bench_subprocess_pid (app);

  fb_bench_serve_for (settle_ms);
  run->before = fb_bench_proc_status_kib (pid, "VmRSS");
  run->before_anon = fb_bench_proc_status_kib (pid, "RssAnon");

  fb_bench_emitter_command (emitter, "burst 0 %u", burst);
  run->complete = fb_bench_wait_until (notice_seen_cb, &last, 120000);
  run->after_burst = fb_bench_proc_status_kib (pid, "VmRSS");
  run->peak = fb_bench_proc_status_kib (pid, "VmHWM");

  /* Let every notification expire (the server closes them) and idle work run. */
  fb_bench_serve_for (fb_bench_bus_get_expire_ms () + settle_ms);
  run->settled = fb_bench_proc_status_kib (pid, "VmRSS");
  run->settled_anon = fb_bench_proc_status_kib (pid, "RssAnon");
  notices = fb_bench_bus_dup_notices ();
  run->n_notify = notices->len;
  g_printerr ("fb-bench-desktop: memory, %u feeds: VmRSS %" G_GINT64_FORMAT " KiB before (anon %" G_GINT64_FORMAT
              ", file %" G_GINT64_FORMAT "), %" G_GINT64_FORMAT " right after %u events (%u Notify calls%s), %"
              G_GINT64_FORMAT " settled (anon %" G_GINT64_FORMAT "), VmHWM %" G_GINT64_FORMAT "\n",
              run->n_feeds, run->before, run->before_anon, fb_bench_proc_status_kib (pid, "RssFile"),
              run->after_burst, burst, run->n_notify, run->complete ? "" : ", INCOMPLETE",
              run->settled, run->settled_anon, run->peak);
  fb_bench_app_stop (app);
}

static void
memory_row (MemoryRun *run)
{
  guint settle_s = (fb_bench_bus_get_expire_ms () + fb_bench_env_uint ("FB_BENCH_SETTLE_MS", 3000)) / 1000;
  g_autofree char *measure = g_strdup_printf ("RSS with %u feed%s: before a 10,000-event burst → peak "
                                              "(VmHWM) → %u s after [anonymous before → after]",
                                              run->n_feeds, run->n_feeds > 1 ? "s" : "", settle_s);
  g_autofree char *value = g_strdup_printf ("%.1f → %.1f → %.1f MiB [%.1f → %.1f]",
                                            run->before / 1024.0, run->peak / 1024.0, run->settled / 1024.0,
                                            run->before_anon / 1024.0, run->settled_anon / 1024.0);
  g_autofree char *ratio = g_strdup_printf ("after/before %+.1f %%",
                                            100.0 * (run->settled - run->before) / MAX (run->before, 1));
  gboolean back = run->settled <= run->before * 1.10;
  g_autofree char *verdict = NULL;
  const char *target = "back within 10 %";

  if (!run->complete)
    verdict = g_strdup ("**incomplete**");
  else if (run->n_feeds == 100)
    verdict = g_strdup_printf ("%s; %s", fb_bench_verdict (run->peak <= 40 * 1024), fb_bench_verdict (back));
  else
    verdict = g_strdup (fb_bench_verdict (back));
  if (run->n_feeds == 100)
    target = "≤ 40 MiB; back within 10 %";

  fb_bench_row ("Memory, app", measure, value, ratio, target, verdict);
}

static void
bench_memory (void)
{
  MemoryRun runs[] = { { .n_feeds = 1 }, { .n_feeds = 10 }, { .n_feeds = 100 } };
  double per_feed, per_feed_anon, per_feed_small;
  g_autofree char *value = NULL;
  gboolean complete = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      memory_run (&runs[i]);
      memory_row (&runs[i]);
      complete = complete && runs[i].complete;
    }

  per_feed = (runs[2].before - runs[1].before) / 90.0;
  per_feed_anon = (runs[2].before_anon - runs[1].before_anon) / 90.0;
  per_feed_small = (runs[1].before - runs[0].before) / 9.0;
  value = g_strdup_printf ("%.0f KiB (anonymous: %.0f KiB; from 1 to 10 feeds: %.0f KiB)",
                           per_feed, per_feed_anon, per_feed_small);
  fb_bench_row ("Memory, app", "cost of each extra feed, 10 → 100 feeds (settled RSS before the burst)",
                value, "", "≤ 64 KiB", complete ? fb_bench_verdict (per_feed <= 64) : "**incomplete**");
}

/* --- idle ------------------------------------------------------------------------ */

typedef struct
{
  GPid    pid;
  guint64 ticks_start;
  GArray *threads_start;
  FbBenchUsage usage;      /* over the window */
} Watched;

static void
watch_start (Watched *watched,
             GPid     pid)
{
  watched->pid = pid;
  watched->ticks_start = fb_bench_proc_cpu_ns (pid);
  watched->threads_start = fb_bench_proc_threads_snapshot (pid);
}

static void
watch_end (Watched *watched,
           GString *report)
{
  g_autoptr(GArray) threads = fb_bench_proc_threads_snapshot (watched->pid);

  memset (&watched->usage, 0, sizeof watched->usage);
  watched->usage.ticks_ns = fb_bench_proc_cpu_ns (watched->pid) - watched->ticks_start;
  fb_bench_threads_diff (watched->threads_start, threads, &watched->usage, report);
  g_clear_pointer (&watched->threads_start, g_array_unref);
}

static guint
count_keepalives (GPtrArray *history,
                  guint      first_index,
                  guint      n_index,
                  gint64     from_ns,
                  gint64     to_ns)
{
  guint n = 0;

  for (guint i = 0; i < history->len; i++)
    {
      const char *line = g_ptr_array_index (history, i);
      guint index, conn;
      gint64 t;

      if (sscanf (line, "keepalive %u %u %" G_GINT64_FORMAT, &index, &conn, &t) == 3 &&
          index >= first_index && index < first_index + n_index && t >= from_ns && t < to_ns)
        n++;
    }

  return n;
}

static void
idle_row (const char *who,
          Watched    *watched,
          guint       n_watched,
          guint       keepalives,
          guint       n_feeds,
          guint       seconds,
          const char *threads)
{
  guint64 ticks = 0, run = 0, vol = 0, invol = 0;
  g_autofree char *value = NULL;
  g_autofree char *ratio = NULL;
  g_autofree char *target = NULL;
  /* One watchdog re-arm a minute per feed is allowed on top. */
  guint allowed = keepalives + n_feeds * ((seconds + 59) / 60);

  for (guint i = 0; i < n_watched; i++)
    {
      ticks += watched[i].usage.ticks_ns;
      run += watched[i].usage.run_ns;
      vol += watched[i].usage.voluntary;
      invol += watched[i].usage.involuntary;
    }

  /* A wakeup is a sleep ended: each ends in one voluntary switch when the
   * thread sleeps again. Involuntary ones are preemptions, not wakeups. */
  value = g_strdup_printf ("CPU %.0f ms (utime+stime; %.2f ms on-CPU by schedstat) · "
                           "%" G_GUINT64_FORMAT " wakeups (voluntary switches; %.1f/min) + %"
                           G_GUINT64_FORMAT " preemptions for %u keep-alives [%s]",
                           ticks / 1e6, run / 1e6, vol, vol * 60.0 / seconds, invol, keepalives, threads);
  ratio = g_strdup_printf ("%.2f wakeups per keep-alive", keepalives ? (double) vol / keepalives : 0.0);
  target = g_strdup_printf ("wakeups ≤ keep-alives + 1/min/feed (%u)", allowed);
  fb_bench_row ("Idle, 10 feeds", who, value, ratio, target, fb_bench_verdict (vol <= allowed));
}

static gboolean
spawn_listeners (FbBenchEmitter *emitter,
                 GPtrArray      *clis)
{
  g_autoptr(FbBenchProfile) profile = new_profile ("idle-cli", emitter, 0, 0, NULL);

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *url = fb_bench_emitter_dup_url (emitter, i);
      g_autofree char *log = g_strdup_printf ("feedbell-listen-%u.log", i);
      const char *argv[] = { fb_bench_env_path ("FEEDBELL_LISTEN", FB_BENCH_LISTEN_PATH), "--quiet", url, NULL };
      GSubprocess *cli = fb_bench_profile_spawn (profile, argv, log);

      if (cli == NULL)
        return FALSE;
      g_ptr_array_add (clis, cli);
    }

  return TRUE;
}

static void
bench_idle (void)
{
  const char *args[] = { "--hold", "--ports=20", "--keepalive=15", "--lifetime=1200", NULL };
  g_autoptr(FbBenchEmitter) emitter = start_emitter (args);
  g_autoptr(FbBenchProfile) profile = NULL;
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GPtrArray) clis = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GString) app_threads = g_string_new (NULL);
  g_autoptr(GString) cli_threads = g_string_new (NULL);
  g_autofree char *app_who = NULL;
  g_autofree char *cli_who = NULL;
  guint seconds = fb_bench_env_uint ("FB_BENCH_IDLE_SECONDS", 120);
  guint settle_s = fb_bench_env_uint ("FB_BENCH_IDLE_SETTLE_SECONDS", 20);
  Watched cli_watch[10] = { { 0 } };
  Watched app_watch = { 0 };
  gint64 from_ns, to_ns;

  if (emitter == NULL || !spawn_listeners (emitter, clis))
    return;
  profile = new_profile ("idle-app", emitter, 10, 10, NULL);
  if (!start_app (profile, &app) || !fb_bench_wait_accepts (emitter, 20, 30000))
    {
      fb_bench_app_stop (app);
      return;
    }
  /* Past start-up's one-off work: GLib's pool threads retire 15 s after
   * their last task (the proxy lookup of the connection). */
  fb_bench_serve_for (settle_s * 1000);

  from_ns = fb_bench_now_ns ();
  for (guint i = 0; i < 10; i++)
    watch_start (&cli_watch[i], fb_bench_subprocess_pid (g_ptr_array_index (clis, i)));
  watch_start (&app_watch, fb_bench_subprocess_pid (app));

  g_printerr ("fb-bench-desktop: idle: measuring for %u s\n", seconds);
  fb_bench_serve_for (seconds * 1000);

  for (guint i = 0; i < 10; i++)
    watch_end (&cli_watch[i], i == 0 ? cli_threads : NULL);
  watch_end (&app_watch, app_threads);
  to_ns = fb_bench_now_ns ();
  history = fb_bench_emitter_dup_history (emitter);

  cli_who = g_strdup_printf ("10 × `feedbell-listen --quiet`, one feed each (sum), %u s from %u s "
                             "after connecting", seconds, settle_s);
  g_string_prepend (cli_threads, "first process's threads, vol+invol: ");
  idle_row (cli_who, cli_watch, 10, count_keepalives (history, 0, 10, from_ns, to_ns), 10, seconds,
            cli_threads->str);
  app_who = g_strdup_printf ("the app, one process with 10 feeds, %u s from %u s after connecting",
                             seconds, settle_s);
  g_string_prepend (app_threads, "threads, vol+invol: ");
  idle_row (app_who, &app_watch, 1, count_keepalives (history, 10, 10, from_ns, to_ns), 10, seconds,
            app_threads->str);

  fb_bench_app_stop (app);
  for (guint i = 0; i < clis->len; i++)
    fb_bench_terminate (g_ptr_array_index (clis, i));
}

/* --- main --------------------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  static const char * const phases[] = { "startup", "latency", "memory", "idle", NULL };
  static void (* const run[]) (void) = { bench_startup, bench_latency, bench_memory, bench_idle };
  g_autoptr(GError) error = NULL;

  for (int i = 1; i < argc; i++)
    if (!g_strv_contains (phases, argv[i]))
      {
        g_printerr ("usage: fb-bench-desktop [startup] [latency] [memory] [idle]\n");
        return 2;
      }
  if (g_getenv ("DISPLAY") == NULL)
    {
      g_printerr ("fb-bench-desktop: no DISPLAY: run me under xvfb-run -a dbus-run-session --\n");
      return 1;
    }
  if (!fb_bench_bus_start (fb_bench_env_uint ("FB_BENCH_NOTIFICATION_EXPIRE_MS", 3000)))
    return 1;
  scratch_dir = g_dir_make_tmp ("feedbell-bench-XXXXXX", &error);
  if (scratch_dir == NULL)
    {
      g_printerr ("fb-bench-desktop: %s\n", error->message);
      return 1;
    }

  for (guint p = 0; phases[p] != NULL; p++)
    if (argc < 2 || g_strv_contains ((const char * const *) argv + 1, phases[p]))
      run[p] ();

  if (g_getenv ("FB_BENCH_KEEP_TMP") == NULL)
    fb_test_delete_tree (scratch_dir);
  else
    g_printerr ("fb-bench-desktop: kept %s\n", scratch_dir);
  g_free (scratch_dir);

  return 0;
}
