/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "fb-event-log.h"
#include "fb-test-utils.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("fb-event-log-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "sub", "feed.json", NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
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
    g_autoptr(FbEventLog) log = fb_event_log_new (f->path);

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
    g_assert_cmpint (fb_event_log_get_last_seen (log), >, 0);
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

static gboolean
written_cb (gpointer user_data)
{
  return fb_event_log_get_n_writes (user_data) > 0;
}

/* A burst of records is one write, not one per event. */
static void
test_debounced (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(FbEventLog) log = fb_event_log_new (f->path);

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", i);

      fb_event_log_record (log, id, NULL);
    }
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 0);
  g_assert_true (fb_test_wait_until (written_cb, log, 5000));
  g_assert_cmpuint (fb_event_log_get_n_writes (log), ==, 1);
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

/* A main loop too busy to run the save timer (a stream that never pauses)
 * still saves once the debounce window has passed: what a crash can replay
 * stays bounded by the window whatever the load. */
static void
test_starved_timer (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(FbEventLog) log = fb_event_log_new (f->path);
  g_autoptr(FbEventLog) reread = NULL;
  gint64 until;
  guint n = 0;

  fb_event_log_record (log, "first", NULL);
  /* Busy, as the loop would be reading a firehose: no iteration runs. */
  until = g_get_monotonic_time () + (FB_EVENT_LOG_DEBOUNCE_MS + 100) * 1000;
  while (g_get_monotonic_time () < until)
    {
      g_autofree char *id = g_strdup_printf ("busy-%u", n++);

      fb_event_log_record (log, id, NULL);
    }

  g_assert_cmpuint (fb_event_log_get_n_writes (log), >=, 1);
  reread = fb_event_log_new (f->path);
  g_assert_cmpstr (fb_event_log_get_last_event_id (reread), !=, "");
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
  ADD ("/event-log/starved-timer", test_starved_timer);
  ADD ("/event-log/bounded", test_bounded);
  ADD ("/event-log/corrupt", test_corrupt);
  ADD ("/event-log/forget", test_forget);
  ADD ("/event-log/unwritable", test_unwritable);
#undef ADD

  return g_test_run ();
}
