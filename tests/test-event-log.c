/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "fb-event-log.h"
#include "fb-test-utils.h"

/* Where the manual clock's wall-clock time starts: 2023-11-14. */
#define REAL_START (G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC)

typedef struct
{
  char    *dir;
  char    *path;
  FbClock *clock;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("fb-event-log-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "sub", "feed.json", NULL);
  f->clock = fb_clock_new_manual (G_USEC_PER_SEC, REAL_START);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  fb_test_delete_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_clear_object (&f->clock);
}

static void
test_fresh (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(FbEventLog) log = fb_event_log_new (f->path);

  g_assert_cmpstr (fb_event_log_get_last_event_id (log), ==, "");
  g_assert_null (fb_event_log_get_resume_param (log));
  g_assert_false (fb_event_log_has_seen (log, "1"));
  g_assert_false (fb_event_log_has_seen (log, ""));
  g_assert_false (fb_event_log_has_seen (log, NULL));
  g_assert_cmpint (fb_event_log_get_last_seen (log), ==, 0);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(FbEventLog) log = fb_event_log_new_with_clock (f->path, f->clock);

    fb_event_log_record (log, "a1", "since");
    fb_event_log_record (log, "a2", "since");
    fb_event_log_record (log, "", NULL);   /* no id: ignored */
    g_assert_true (fb_event_log_flush (log, &error));
    g_assert_no_error (error);
  }

  {
    g_autoptr(FbEventLog) log = fb_event_log_new (f->path);

    g_assert_cmpstr (fb_event_log_get_last_event_id (log), ==, "a2");
    g_assert_cmpstr (fb_event_log_get_resume_param (log), ==, "since");
    g_assert_true (fb_event_log_has_seen (log, "a1"));
    g_assert_true (fb_event_log_has_seen (log, "a2"));
    g_assert_false (fb_event_log_has_seen (log, "a3"));
    g_assert_cmpint (fb_event_log_get_last_seen (log), ==, REAL_START);
  }
}

static void
test_dispose_flushes (Fixture       *f,
                      gconstpointer  data)
{
  FbEventLog *log = fb_event_log_new (f->path);

  fb_event_log_record (log, "7", NULL);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_object_unref (log);
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));

  log = fb_event_log_new (f->path);
  g_assert_cmpstr (fb_event_log_get_last_event_id (log), ==, "7");
  g_assert_null (fb_event_log_get_resume_param (log));
  g_object_unref (log);
}

/* A burst of records is one write, not one per event: nothing is written
 * while the clock stands still, however many records come, and exactly one
 * write when the debounce window has passed. */
static void
test_debounced (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(FbEventLog) log = fb_event_log_new_with_clock (f->path, f->clock);
  g_autoptr(FbEventLog) reread = NULL;

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", i);

      fb_event_log_record (log, id, NULL);
    }
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 0);
  g_assert_cmpuint (fb_clock_get_n_timeouts (f->clock), ==, 1);

  fb_clock_advance_ms (f->clock, FB_EVENT_LOG_DEBOUNCE_MS - 1);
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 0);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));

  fb_clock_advance_ms (f->clock, 1);
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 1);
  g_assert_cmpuint (fb_clock_get_n_timeouts (f->clock), ==, 0);

  /* Nothing new: no more writes, however long it stays quiet. */
  fb_clock_advance_ms (f->clock, 60 * 1000);
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 1);

  reread = fb_event_log_new (f->path);
  g_assert_cmpstr (fb_event_log_get_last_event_id (reread), ==, "9999");
}

/* The window starts at the first record after a save, not at the last
 * record: a steady trickle is saved every window, not postponed forever. */
static void
test_debounce_window (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(FbEventLog) log = fb_event_log_new_with_clock (f->path, f->clock);

  fb_event_log_record (log, "1", NULL);
  fb_clock_advance_ms (f->clock, 300);
  fb_event_log_record (log, "2", NULL);
  fb_clock_advance_ms (f->clock, 199);
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 0);
  fb_clock_advance_ms (f->clock, 1);
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 1);

  /* The next record opens the next window. */
  fb_event_log_record (log, "3", NULL);
  fb_clock_advance_ms (f->clock, FB_EVENT_LOG_DEBOUNCE_MS - 1);
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 1);
  fb_clock_advance_ms (f->clock, 1);
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 2);

  /* A flush saves at once and disarms the timer. */
  fb_event_log_record (log, "4", NULL);
  g_assert_true (fb_event_log_flush (log, NULL));
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 3);
  g_assert_cmpuint (fb_clock_get_n_timeouts (f->clock), ==, 0);
  fb_clock_advance_ms (f->clock, 10 * FB_EVENT_LOG_DEBOUNCE_MS);
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 3);
}

/* A main loop too busy to run the save timer (a stream that never pauses)
 * still saves once the debounce window has passed: what a crash can replay
 * stays bounded by the window whatever the load. The clock moves 1 ms a
 * record without letting the timer run; the record that finds the window
 * over saves at once, and only that one. */
static void
test_starved_timer (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(FbEventLog) log = fb_event_log_new_with_clock (f->path, f->clock);
  g_autoptr(FbEventLog) reread = NULL;

  fb_event_log_record (log, "busy-0", NULL);
  for (guint ms = 1; ms < FB_EVENT_LOG_DEBOUNCE_MS; ms++)
    {
      g_autofree char *id = g_strdup_printf ("busy-%u", ms);

      fb_clock_advance_busy (f->clock, 1000);
      fb_event_log_record (log, id, NULL);
    }
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 0);

  fb_clock_advance_busy (f->clock, 1000);
  fb_event_log_record (log, "due", NULL);
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 1);
  reread = fb_event_log_new (f->path);
  g_assert_cmpstr (fb_event_log_get_last_event_id (reread), ==, "due");

  /* The save disarmed the starved timer: when the loop runs again, it does
   * not write the same state a second time. */
  g_assert_cmpuint (fb_clock_get_n_timeouts (f->clock), ==, 0);
  fb_clock_advance_ms (f->clock, 0);
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 1);

  /* Still busy: the next window is counted from the next record. */
  fb_clock_advance_busy (f->clock, 1000);
  fb_event_log_record (log, "after", NULL);
  fb_clock_advance_busy (f->clock, (FB_EVENT_LOG_DEBOUNCE_MS - 1) * 1000);
  fb_event_log_record (log, "after-2", NULL);
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 1);
  fb_clock_advance_busy (f->clock, 1000);
  fb_event_log_record (log, "after-3", NULL);
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 2);
}

/* Last seen is the wall clock of the last record, saved and read back. */
static void
test_last_seen (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(FbEventLog) reread = NULL;
  gint64 recorded_at;

  {
    g_autoptr(FbEventLog) log = fb_event_log_new_with_clock (f->path, f->clock);

    fb_event_log_record (log, "a", NULL);
    g_assert_cmpint (fb_event_log_get_last_seen (log), ==, REAL_START);
    /* Asleep for a night: only the wall clock moves. */
    fb_clock_set_real (f->clock, REAL_START + G_GINT64_CONSTANT (36000) * G_USEC_PER_SEC);
    fb_event_log_record (log, "b", NULL);
    recorded_at = fb_clock_get_real (f->clock);
    g_assert_cmpint (fb_event_log_get_last_seen (log), ==, recorded_at);
    /* A record without an id changes nothing. */
    fb_clock_advance_ms (f->clock, 5000);
    fb_event_log_record (log, NULL, NULL);
    g_assert_cmpint (fb_event_log_get_last_seen (log), ==, recorded_at);
  }

  reread = fb_event_log_new (f->path);
  g_assert_cmpint (fb_event_log_get_last_seen (reread), ==, recorded_at);
}

/* Without a clock of its own, a log runs on the system's. */
static void
test_default_clock (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(FbEventLog) log = fb_event_log_new (f->path);
  g_autoptr(FbClock) clock = NULL;

  g_object_get (log, "clock", &clock, NULL);
  g_assert_true (clock == fb_clock_get_default ());
}

static void
test_bounded (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(FbEventLog) log = fb_event_log_new (f->path);

  for (guint i = 0; i < FB_EVENT_LOG_SEEN_MAX + 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("id-%u", i);

      fb_event_log_record (log, id, NULL);
    }

  /* The oldest are forgotten, the newest kept. */
  g_assert_false (fb_event_log_has_seen (log, "id-0"));
  g_assert_false (fb_event_log_has_seen (log, "id-9"));
  g_assert_true (fb_event_log_has_seen (log, "id-10"));
  g_assert_true (fb_event_log_has_seen (log, "id-265"));
}

static void
test_corrupt (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autofree char *aside = g_strconcat (f->path, ".corrupt", NULL);
  static const char *bad[] = {
    "{\"version\":1,\"lastEventId\":",       /* truncated */
    "[1,2,3]",                               /* not an object */
    "{\"version\":99,\"lastEventId\":\"5\"}",  /* from the future */
    "\xff\xfe\x00garbage",                  /* not text */
  };

  g_mkdir_with_parents (dir, 0700);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FbEventLog) log = NULL;

      g_file_set_contents (f->path, bad[i], -1, &error);
      g_assert_no_error (error);

      log = fb_event_log_new (f->path);
      g_assert_cmpstr (fb_event_log_get_last_event_id (log), ==, "");
      g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
      g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));

      /* The feed goes on from scratch and its state is saved again. */
      fb_event_log_record (log, "1", NULL);
      g_assert_true (fb_event_log_flush (log, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));
      g_unlink (aside);
    }
}

static void
test_forget (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(FbEventLog) log = fb_event_log_new (f->path);
  g_autoptr(FbEventLog) again = NULL;

  fb_event_log_record (log, "x", "since");
  fb_event_log_forget (log);
  g_assert_cmpstr (fb_event_log_get_last_event_id (log), ==, "");
  g_assert_null (fb_event_log_get_resume_param (log));
  g_assert_false (fb_event_log_has_seen (log, "x"));
  g_assert_true (fb_event_log_flush (log, NULL));

  again = fb_event_log_new (f->path);
  g_assert_cmpstr (fb_event_log_get_last_event_id (again), ==, "");
}

static void
test_unwritable (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *blocker = g_build_filename (f->dir, "sub", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FbEventLog) log = NULL;

  /* A file where the directory should be: the parent can never be created. */
  g_file_set_contents (blocker, "", 0, NULL);
  log = fb_event_log_new (f->path);
  fb_event_log_record (log, "1", NULL);
  g_assert_false (fb_event_log_flush (log, &error));
  g_assert_nonnull (error);
  g_unlink (blocker);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/event-log/fresh", test_fresh);
  ADD ("/event-log/round-trip", test_round_trip);
  ADD ("/event-log/dispose-flushes", test_dispose_flushes);
  ADD ("/event-log/debounced", test_debounced);
  ADD ("/event-log/debounce-window", test_debounce_window);
  ADD ("/event-log/starved-timer", test_starved_timer);
  ADD ("/event-log/last-seen", test_last_seen);
  ADD ("/event-log/default-clock", test_default_clock);
  ADD ("/event-log/bounded", test_bounded);
  ADD ("/event-log/corrupt", test_corrupt);
  ADD ("/event-log/forget", test_forget);
  ADD ("/event-log/unwritable", test_unwritable);
#undef ADD

  return g_test_run ();
}
