/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-clock.h"

/* FbClock's manual mode: time moves only when told, and timers fire at
 * their due time, in order, seeing the clock at that time. */

typedef struct
{
  FbClock   *clock;
  GPtrArray *log;      /* char *: "name@ms" */
  guint      repeats;  /* how often "tick" continues */
  guint      to_remove;
} Fixture;

static void
log_fire (Fixture    *f,
          const char *name)
{
  g_ptr_array_add (f->log, g_strdup_printf ("%s@%" G_GINT64_FORMAT, name,
                                            fb_clock_get_monotonic (f->clock) / 1000));
}

static gboolean
a_cb (gpointer data)
{
  log_fire (data, "a");
  return G_SOURCE_REMOVE;
}

static gboolean
b_cb (gpointer data)
{
  log_fire (data, "b");
  return G_SOURCE_REMOVE;
}

static gboolean
tick_cb (gpointer data)
{
  Fixture *f = data;

  log_fire (f, "tick");
  return f->repeats-- > 1 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
remover_cb (gpointer data)
{
  Fixture *f = data;

  log_fire (f, "remover");
  fb_clock_clear_timeout (f->clock, &f->to_remove);
  return G_SOURCE_REMOVE;
}

static char *
joined (Fixture *f)
{
  g_ptr_array_add (f->log, NULL);
  return g_strjoinv (" ", (char **) f->log->pdata);
}

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  f->clock = fb_clock_new_manual (1000000, G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC);
  f->log = g_ptr_array_new_with_free_func (g_free);
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  g_clear_object (&f->clock);
  g_ptr_array_unref (f->log);
}

static void
test_order (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *result = NULL;

  fb_clock_timeout_add (f->clock, 300, b_cb, f);
  fb_clock_timeout_add (f->clock, 100, a_cb, f);
  f->repeats = 3;
  fb_clock_timeout_add (f->clock, 150, tick_cb, f);

  fb_clock_advance_ms (f->clock, 99);
  g_assert_cmpuint (f->log->len, ==, 0);
  g_assert_cmpuint (fb_clock_get_n_timeouts (f->clock), ==, 3);

  fb_clock_advance_ms (f->clock, 1000);
  result = joined (f);
  g_assert_cmpstr (result, ==, "a@1100 tick@1150 b@1300 tick@1300 tick@1450");
  g_assert_cmpint (fb_clock_get_monotonic (f->clock), ==, 2099000);
  g_assert_cmpint (fb_clock_get_real (f->clock), ==, G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC + 1099000);
  g_assert_cmpuint (fb_clock_get_n_timeouts (f->clock), ==, 0);
}

static void
test_clear (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *result = NULL;
  guint id = fb_clock_timeout_add (f->clock, 100, a_cb, f);

  f->to_remove = fb_clock_timeout_add (f->clock, 200, b_cb, f);
  fb_clock_timeout_add (f->clock, 150, remover_cb, f);
  fb_clock_clear_timeout (f->clock, &id);
  g_assert_cmpuint (id, ==, 0);
  fb_clock_clear_timeout (f->clock, &id);

  fb_clock_advance_ms (f->clock, 500);
  result = joined (f);
  g_assert_cmpstr (result, ==, "remover@1150");
  g_assert_cmpuint (f->to_remove, ==, 0);
}

static void
test_real_alone (Fixture       *f,
                 gconstpointer  data)
{
  /* A night asleep: the wall clock jumps, monotonic time does not. */
  fb_clock_set_real (f->clock, G_GINT64_CONSTANT (1700036000) * G_USEC_PER_SEC);
  g_assert_cmpint (fb_clock_get_monotonic (f->clock), ==, 1000000);
  g_assert_cmpint (fb_clock_get_real (f->clock), ==, G_GINT64_CONSTANT (1700036000) * G_USEC_PER_SEC);
}

static void
test_busy (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *result = NULL;

  fb_clock_timeout_add (f->clock, 100, a_cb, f);
  f->repeats = 2;
  fb_clock_timeout_add (f->clock, 200, tick_cb, f);

  /* One long callback: time passes, nothing else runs. */
  fb_clock_advance_busy (f->clock, 250 * 1000);
  g_assert_cmpuint (f->log->len, ==, 0);
  g_assert_cmpint (fb_clock_get_monotonic (f->clock), ==, 1250000);
  g_assert_cmpint (fb_clock_get_real (f->clock), ==, G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC + 250000);

  /* Then the late timers run at once, in due order, and time never goes
   * back; a repeating one is next due an interval after it ran. */
  fb_clock_advance_ms (f->clock, 0);
  fb_clock_advance_ms (f->clock, 199);
  g_assert_cmpuint (f->log->len, ==, 2);
  fb_clock_advance_ms (f->clock, 1);
  result = joined (f);
  g_assert_cmpstr (result, ==, "a@1250 tick@1250 tick@1450");
  g_assert_cmpint (fb_clock_get_monotonic (f->clock), ==, 1450000);
}

static gboolean
quit_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_default (void)
{
  FbClock *clock = fb_clock_get_default ();
  gboolean fired = FALSE;
  gint64 before = g_get_monotonic_time ();
  guint id;

  g_assert_true (clock == fb_clock_get_default ());
  g_assert_cmpint (fb_clock_get_monotonic (clock), >=, before);

  /* The system clock's timers are GLib sources on the main context. */
  id = fb_clock_timeout_add (clock, 1, quit_cb, &fired);
  g_assert_nonnull (g_main_context_find_source_by_id (NULL, id));
  while (!fired)
    g_main_context_iteration (NULL, TRUE);

  id = fb_clock_timeout_add (clock, 1, quit_cb, &fired);
  fb_clock_clear_timeout (clock, &id);
  g_assert_cmpuint (id, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/clock/manual/order", Fixture, NULL, set_up, test_order, tear_down);
  g_test_add ("/clock/manual/clear", Fixture, NULL, set_up, test_clear, tear_down);
  g_test_add ("/clock/manual/busy", Fixture, NULL, set_up, test_busy, tear_down);
  g_test_add ("/clock/manual/real-alone", Fixture, NULL, set_up, test_real_alone, tear_down);
  g_test_add_func ("/clock/default", test_default);

  return g_test_run ();
}
