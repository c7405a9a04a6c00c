/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fb-listen-client.h"
#include "fb-fault-lane.h"
#include "fb-fault-model.h"
#include "fb-test-utils.h"

/*
 * The fault-injection run: several lanes at once (fb-fault-lane.c), each
 * the real feedbell-listen behind a fault-injecting proxy in front of its own
 * numbered-event server, injecting faults from one printed seed until the
 * profile's count is reached. Then the run stops producing events, lets
 * every client catch up, stops them with SIGTERM (exit 0, everything
 * printed and saved) and checks that the total time spent reconnecting
 * stays within what the backoff policy allows for that fault sequence.
 *
 * `--profile=net` (CI, the `net` suite): about 240 faults in about a minute.
 * `--profile=soak` (`meson test --suite soak`): about 2,400.
 * `--ntfy`: the same against ntfy (fb-fault-ntfy.h): no SSE ids, resumed by
 * since= alone, keepalive and open events with ids of their own; at least
 * 12 lanes.
 * FB_FAULT_SEED=N replays a run's fault choices (timing still varies).
 */

/* Deadlines only stop a run that hangs: a loaded machine (ASan, other
 * builds) can make every step several times slower. The net profile
 * injects its faults in about a minute; it gets five before it counts as
 * stuck, since the faults it reaches are what it asserts on. */
#define CATCH_UP_MS  90000
#define EXIT_MS      60000

static const FbFaultProfile profiles[] = {
  { "net", 10, 240, 300, 40, 0.10, 3 },
  { "soak", 12, 2400, 1080, 40, 0.25, 4 },
};

typedef struct
{
  FbFaultRun    run;
  guint32       seed;
  FbFaultLane **lanes;
} Run;

static gboolean
enough_faults_cb (gpointer user_data)
{
  Run *r = user_data;

  return r->run.n_faults >= r->run.profile->target;
}

static gboolean
caught_up_cb (gpointer user_data)
{
  Run *r = user_data;

  for (guint i = 0; i < r->run.profile->lanes; i++)
    if (!fb_fault_lane_is_caught_up (r->lanes[i]))
      return FALSE;

  return TRUE;
}

static gboolean
all_finished_cb (gpointer user_data)
{
  Run *r = user_data;

  for (guint i = 0; i < r->run.profile->lanes; i++)
    if (!fb_fault_lane_is_finished (r->lanes[i]))
      return FALSE;

  return TRUE;
}

static gboolean
progress_cb (gpointer user_data)
{
  Run *r = user_data;
  guint64 checked = 0;

  for (guint i = 0; i < r->run.profile->lanes; i++)
    {
      FbFaultLaneStats stats;

      fb_fault_lane_get_stats (r->lanes[i], &stats);
      checked += stats.n_checked;
    }
  g_test_message ("%.0f s: %u faults, %" G_GUINT64_FORMAT " lines checked, %u problems",
                  (g_get_monotonic_time () - r->run.started_at) / 1e6, r->run.n_faults, checked,
                  r->run.n_errors);

  return G_SOURCE_CONTINUE;
}

static guint32
pick_seed (void)
{
  const char *env = g_getenv ("FB_FAULT_SEED");

  if (env != NULL && *env != '\0')
    return (guint32) g_ascii_strtoull (env, NULL, 0);

  return (guint32) (g_get_real_time () ^ (getpid () << 16));
}

static void
report (Run *r)
{
  const FbFaultProfile *profile = r->run.profile;
  g_autoptr(GString) kinds = g_string_new (NULL);
  FbFaultLaneStats total = { 0 };
  gint64 wait = 0, allowed = 0, min = 0, max_late = G_MININT64;
  guint gaps = 0;

  for (guint k = 0; k < FB_FAULT_N_KINDS; k++)
    g_string_append_printf (kinds, "%s%s %u", k ? ", " : "", fb_fault_kind_get_name (k),
                            r->run.faults[k]);

  for (guint i = 0; i < profile->lanes; i++)
    {
      FbFaultModel *model = fb_fault_lane_get_model (r->lanes[i]);
      FbFaultLaneStats stats;

      fb_fault_lane_get_stats (r->lanes[i], &stats);
      total.n_checked += stats.n_checked;
      total.final_id += stats.final_id;
      total.dups += stats.dups;
      total.n_kills += stats.n_kills;
      total.max_dups = MAX (total.max_dups, stats.max_dups);
      total.n_resumes += stats.n_resumes;
      total.resume_total_us += stats.resume_total_us;
      total.resume_max_us = MAX (total.resume_max_us, stats.resume_max_us);
      total.max_unsaved_us = MAX (total.max_unsaved_us, stats.max_unsaved_us);
      total.max_superseded_us = MAX (total.max_superseded_us, stats.max_superseded_us);
      total.max_stalled_us = MAX (total.max_stalled_us, stats.max_stalled_us);
      wait += fb_fault_model_get_total_wait_us (model);
      allowed += fb_fault_model_get_total_allowed_us (model);
      min += fb_fault_model_get_total_min_us (model);
      gaps += fb_fault_model_get_n_gaps (model);
      max_late = MAX (max_late, fb_fault_model_get_max_late_us (model));
    }

  g_test_message ("seed %u (FB_FAULT_SEED=%u replays the fault choices), profile %s, %u lanes",
                  r->seed, r->seed, profile->name, profile->lanes);
  g_test_message ("faults injected: %u: %s", r->run.n_faults, kinds->str);
  g_test_message ("events: %" G_GUINT64_FORMAT " distinct, %" G_GUINT64_FORMAT " output lines checked",
                  total.final_id, total.n_checked);
  g_test_message ("duplicates after SIGKILL: %" G_GUINT64_FORMAT " over %u kills (at most %u after "
                  "one kill, each printed before its kill and not yet saved)",
                  total.dups, total.n_kills, total.max_dups);
  g_test_message ("reconnect waits: %u, total %.1f s; the policy asks at least %.1f s and allows "
                  "%.1f s (latest single wait %.3f s past its maximum)",
                  gaps, wait / 1e6, min / 1e6, allowed / 1e6, max_late / 1e6);
  g_test_message ("figures a loaded machine stretches: the oldest unsaved line at a SIGKILL %.3f s, "
                  "an old connection outliving the next %.3f s, a stall until the client's "
                  "watchdog %.3f s",
                  total.max_unsaved_us / 1e6, total.max_superseded_us / 1e6, total.max_stalled_us / 1e6);
  g_test_message ("SIGKILL to the next process's first event: %.3f s on average, %.3f s at most",
                  total.n_resumes ? total.resume_total_us / 1e6 / total.n_resumes : 0.0,
                  total.resume_max_us / 1e6);
  g_test_message ("total time %.1f s", (g_get_monotonic_time () - r->run.started_at) / 1e6);
  g_test_message ("%s: seed %u, %u faults, %u kills, %" G_GUINT64_FORMAT " messages, %" G_GUINT64_FORMAT
                  " repeats (all after a SIGKILL, each printed and not yet saved)",
                  profile->ntfy ? "ntfy" : "sse", r->seed, r->run.n_faults, total.n_kills,
                  total.final_id, total.dups);

  for (guint i = 0; i < r->run.errors->len; i++)
    g_test_message ("problem: %s", (char *) r->run.errors->pdata[i]);

  g_assert_cmpuint (r->run.n_errors, ==, 0);
  g_assert_cmpuint (r->run.n_faults, >=, profile->target * 5 / 6);
}

/* No more faults and no more events; every client catches up, then gets
 * SIGTERM. */
static void
finish (Run *r)
{
  const FbFaultProfile *profile = r->run.profile;

  r->run.finishing = TRUE;
  for (guint i = 0; i < profile->lanes; i++)
    fb_fault_lane_wind_down (r->lanes[i]);
  if (!fb_test_wait_until (caught_up_cb, r, CATCH_UP_MS))
    for (guint i = 0; i < profile->lanes; i++)
      if (!fb_fault_lane_is_caught_up (r->lanes[i]))
        fb_fault_lane_error (r->lanes[i], "did not catch up in %d s", CATCH_UP_MS / 1000);

  for (guint i = 0; i < profile->lanes; i++)
    fb_fault_lane_terminate (r->lanes[i]);
  if (!fb_test_wait_until (all_finished_cb, r, EXIT_MS))
    for (guint i = 0; i < profile->lanes; i++)
      if (!fb_fault_lane_is_finished (r->lanes[i]))
        fb_fault_lane_error (r->lanes[i], "did not exit within %d s of SIGTERM", EXIT_MS / 1000);
}

static void
test_fault_run (gconstpointer data)
{
  const FbFaultProfile *profile = data;
  g_autoptr(GError) error = NULL;
  Run r = { { 0 } };
  guint progress_id;

  r.seed = pick_seed ();
  g_test_message ("seed %u", r.seed);
  r.run.profile = profile;
  r.run.rand = g_rand_new_with_seed (r.seed);
  r.run.dir = g_dir_make_tmp ("feedbell-fault-XXXXXX", &error);
  g_assert_no_error (error);
  r.run.errors = g_ptr_array_new_with_free_func (g_free);
  r.run.started_at = g_get_monotonic_time ();

  r.lanes = g_new0 (FbFaultLane *, profile->lanes);
  for (guint i = 0; i < profile->lanes; i++)
    {
      r.lanes[i] = fb_fault_lane_new (&r.run, i);
      fb_fault_lane_start (r.lanes[i]);
    }
  progress_id = g_timeout_add_seconds (profile->max_seconds > 300 ? 60 : 20, progress_cb, &r);

  fb_test_wait_until (enough_faults_cb, &r, profile->max_seconds * 1000);
  finish (&r);
  g_source_remove (progress_id);
  report (&r);

  for (guint i = 0; i < profile->lanes; i++)
    fb_fault_lane_free (r.lanes[i]);
  g_free (r.lanes);
  /* What the closed connections still had in flight returns now. */
  fb_test_flush_main_context ();
  fb_test_delete_tree (r.run.dir);
  g_free (r.run.dir);
  g_ptr_array_unref (r.run.errors);
  g_rand_free (r.run.rand);
}

/* The model against the policy's own numbers (fb-backoff.h). */
static void
test_model (void)
{
  static const struct
  {
    guint   failures;
    guint64 retry, retry_after, min, max;
  } cases[] = {
    { 0, 100, 0, 100, 125 },          /* first retry: retry × [1, 1.25] */
    { 1, 100, 0, 2000, 2500 },        /* then doubling from max (retry, 1 s) */
    { 2, 100, 0, 4000, 5000 },
    { 1, 3000, 0, 6000, 7500 },
    { 0, 100, 1000, 1000, 1000 },     /* Retry-After wins when larger */
    { 1, 100, 1000, 2000, 2500 },
    { 9, 100, 0, 300000, 300000 },    /* the 5 min cap */
    { 0, 0, 0, 0, 0 },                /* retry: 0, once */
    { 1, 0, 0, 2000, 2500 },
    { 0, 3600000, 0, 3600000, 3600000 }, /* never sooner than asked, cap or not */
  };
  g_autoptr(GString) complaint = g_string_new (NULL);
  FbFaultModel *model = fb_fault_model_new ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint64 lo, hi;

      fb_fault_model_delay_bounds (cases[i].failures, cases[i].retry, cases[i].retry_after, &lo, &hi);
      g_assert_cmpuint (lo, ==, cases[i].min);
      g_assert_cmpuint (hi, ==, cases[i].max);
    }

  /* A new process knows no retry: 3 s; once learnt, 100 ms. */
  fb_fault_model_fail (model, 0, -1, 0);
  g_assert_false (fb_fault_model_attempt (model, 2900 * 1000, complaint));
  g_string_truncate (complaint, 0);
  fb_fault_model_learn_retry (model, 100, TRUE);
  fb_fault_model_fail (model, 10 * G_USEC_PER_SEC, 5 * G_USEC_PER_SEC, 0);
  g_assert_true (fb_fault_model_attempt (model, 10 * G_USEC_PER_SEC + 2100 * 1000, complaint));
  /* Open 40 s: healthy, the count starts over. */
  fb_fault_model_fail (model, 60 * G_USEC_PER_SEC, 40 * G_USEC_PER_SEC, 0);
  g_assert_true (fb_fault_model_attempt (model, 60 * G_USEC_PER_SEC + 110 * 1000, complaint));
  /* Open 30.1 s: either. */
  fb_fault_model_fail (model, 100 * G_USEC_PER_SEC, 30100 * 1000, 0);
  g_assert_true (fb_fault_model_attempt (model, 100 * G_USEC_PER_SEC + 110 * 1000, complaint));
  g_assert_cmpuint (fb_fault_model_get_max_failures (model), ==, 2);
  /* Late is not wrong (a loaded machine stalls the client), but it is
   * measured: 15 s past the longest delay allowed, 5 s. */
  fb_fault_model_fail (model, 200 * G_USEC_PER_SEC, -1, 0);
  g_assert_true (fb_fault_model_attempt (model, 220 * G_USEC_PER_SEC, complaint));
  g_assert_cmpint (fb_fault_model_get_max_late_us (model), ==, 15 * G_USEC_PER_SEC);

  fb_fault_model_free (model);
}

/* --profile=net (the default) or --profile=soak; FB_FAULT_PROFILE too.
 * --ntfy (or FB_FAULT_NTFY=1): against ntfy. */
static const FbFaultProfile *
chosen_profile (int    argc,
                char **argv)
{
  static FbFaultProfile custom;
  const char *name = g_getenv ("FB_FAULT_PROFILE");
  const char *value;
  gboolean ntfy = g_strcmp0 (g_getenv ("FB_FAULT_NTFY"), "1") == 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--profile="))
        name = argv[i] + strlen ("--profile=");
      else if (g_str_equal (argv[i], "--ntfy"))
        ntfy = TRUE;
    }

  custom = profiles[0];
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (profiles); i++)
    if (g_str_equal (name, profiles[i].name))
      custom = profiles[i];
  custom.ntfy = ntfy;
  /* The net suite runs both modes: two more lanes bring ntfy's faults in
   * about 40 s rather than a minute (a lane's faults wait on its backoff,
   * not on the CPU). */
  if (ntfy && custom.lanes < 12)
    custom.lanes = 12;

  /* For trying things out by hand. */
  if ((value = g_getenv ("FB_FAULT_LANES")) != NULL)
    custom.lanes = MAX (1, atoi (value));
  if ((value = g_getenv ("FB_FAULT_TARGET")) != NULL)
    custom.target = atoi (value);
  if ((value = g_getenv ("FB_FAULT_MAX_SECONDS")) != NULL)
    custom.max_seconds = atoi (value);

  return &custom;
}

int
main (int   argc,
      char *argv[])
{
  const FbFaultProfile *profile;
  g_autofree char *path = NULL;

  g_test_init (&argc, &argv, NULL);
  fb_listen_client_silence_gio_debug ();

  profile = chosen_profile (argc, argv);
  path = g_strdup_printf (profile->ntfy ? "/fault/ntfy/%s" : "/fault/%s", profile->name);
  g_test_add_func ("/fault/model", test_model);
  g_test_add_data_func (path, profile, test_fault_run);

  return g_test_run ();
}
