/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-clock"

#include "config.h"

#include "fb-clock.h"

/*
 * Time, and timers that fire at a time, behind one object, so that code
 * whose behaviour depends on how much time passed (debounced saves,
 * coalescing windows, outage notes, rate limits) can be tested without
 * waiting and without depending on how fast a loaded machine runs.
 *
 * The default clock is the system's: g_get_monotonic_time(),
 * g_get_real_time() and GLib timeout sources on the thread-default main
 * context. A manual clock stands still until a test calls
 * fb_clock_advance(), which moves both of its times and runs the timers
 * that fall due on the way, in order of their due time, each seeing the
 * clock at its own due time.
 */

typedef struct
{
  guint       id;
  gint64      due;         /* monotonic µs */
  guint       interval_ms;
  GSourceFunc func;
  gpointer    user_data;
} Timer;

struct _FbClock
{
  GObject  parent_instance;

  gboolean manual;
  gint64   monotonic;      /* manual clocks: µs */
  gint64   real;
  GList   *timers;         /* Timer *, unordered */
  guint    next_id;
};

G_DEFINE_FINAL_TYPE (FbClock, fb_clock, G_TYPE_OBJECT)

static void
fb_clock_finalize (GObject *object)
{
  FbClock *self = FB_CLOCK (object);

  g_list_free_full (self->timers, g_free);

  G_OBJECT_CLASS (fb_clock_parent_class)->finalize (object);
}

static void
fb_clock_class_init (FbClockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fb_clock_finalize;
}

static void
fb_clock_init (FbClock *self)
{
  self->next_id = 1;
}

/**
 * fb_clock_get_default:
 *
 * Returns: (transfer none): the system's clock, shared by everyone
 */
FbClock *
fb_clock_get_default (void)
{
  static FbClock *system_clock;

  if (g_once_init_enter (&system_clock))
    g_once_init_leave (&system_clock, g_object_new (FB_TYPE_CLOCK, NULL));

  return system_clock;
}

/**
 * fb_clock_new_manual:
 * @monotonic_us: where its monotonic time starts
 * @real_us: where its wall-clock time starts (µs since the epoch)
 *
 * Returns: (transfer full): a clock that moves only by fb_clock_advance()
 */
FbClock *
fb_clock_new_manual (gint64 monotonic_us,
                     gint64 real_us)
{
  FbClock *self = g_object_new (FB_TYPE_CLOCK, NULL);

  self->manual = TRUE;
  self->monotonic = monotonic_us;
  self->real = real_us;

  return self;
}

/**
 * fb_clock_get_monotonic:
 *
 * Returns: monotonic µs, as g_get_monotonic_time(): it stands still while
 *   the machine sleeps
 */
gint64
fb_clock_get_monotonic (FbClock *self)
{
  g_return_val_if_fail (FB_IS_CLOCK (self), 0);

  return self->manual ? self->monotonic : g_get_monotonic_time ();
}

/**
 * fb_clock_get_real:
 *
 * Returns: wall-clock µs since the epoch, as g_get_real_time()
 */
gint64
fb_clock_get_real (FbClock *self)
{
  g_return_val_if_fail (FB_IS_CLOCK (self), 0);

  return self->manual ? self->real : g_get_real_time ();
}

/**
 * fb_clock_timeout_add:
 * @interval_ms: after how long, and how often while @func returns
 *   %G_SOURCE_CONTINUE
 *
 * As g_timeout_add(), on this clock.
 *
 * Returns: an id for fb_clock_clear_timeout(), never 0
 */
guint
fb_clock_timeout_add (FbClock     *self,
                      guint        interval_ms,
                      GSourceFunc  func,
                      gpointer     user_data)
{
  Timer *timer;

  g_return_val_if_fail (FB_IS_CLOCK (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  if (!self->manual)
    return g_timeout_add (interval_ms, func, user_data);

  timer = g_new0 (Timer, 1);
  timer->id = self->next_id++;
  timer->due = self->monotonic + (gint64) interval_ms * 1000;
  timer->interval_ms = interval_ms;
  timer->func = func;
  timer->user_data = user_data;
  self->timers = g_list_prepend (self->timers, timer);

  return timer->id;
}

static GList *
find_timer (FbClock *self,
            guint    id)
{
  for (GList *l = self->timers; l != NULL; l = l->next)
    if (((Timer *) l->data)->id == id)
      return l;

  return NULL;
}

/**
 * fb_clock_clear_timeout:
 * @id: (inout): a timer's id, or 0
 *
 * As g_clear_handle_id (id, g_source_remove), on this clock.
 */
void
fb_clock_clear_timeout (FbClock *self,
                        guint   *id)
{
  GList *link;

  g_return_if_fail (FB_IS_CLOCK (self));
  g_return_if_fail (id != NULL);

  if (*id == 0)
    return;

  if (!self->manual)
    {
      g_source_remove (*id);
      *id = 0;
      return;
    }

  link = find_timer (self, *id);
  if (link != NULL)
    {
      g_free (link->data);
      self->timers = g_list_delete_link (self->timers, link);
    }
  *id = 0;
}

static Timer *
earliest_due (FbClock *self,
              gint64   until)
{
  Timer *earliest = NULL;

  for (GList *l = self->timers; l != NULL; l = l->next)
    {
      Timer *timer = l->data;

      if (timer->due > until)
        continue;
      /* Equal due times fire in the order they were added (lower id first). */
      if (earliest == NULL || timer->due < earliest->due ||
          (timer->due == earliest->due && timer->id < earliest->id))
        earliest = timer;
    }

  return earliest;
}

static void
fire (FbClock *self,
      Timer   *timer)
{
  guint id = timer->id;
  gboolean again;

  /* A timer that fell due while the clock moved busy runs late, at the
   * time it is now, as GLib's do. */
  if (timer->due > self->monotonic)
    {
      self->real += timer->due - self->monotonic;
      self->monotonic = timer->due;
    }

  again = timer->func (timer->user_data);

  /* The callback may have removed its own timer (and others). */
  timer = NULL;
  for (GList *l = self->timers; l != NULL; l = l->next)
    if (((Timer *) l->data)->id == id)
      timer = l->data;
  if (timer == NULL)
    return;

  if (again)
    {
      timer->due = self->monotonic + MAX ((gint64) timer->interval_ms * 1000, 1);
      return;
    }

  self->timers = g_list_remove (self->timers, timer);
  g_free (timer);
}

/**
 * fb_clock_advance:
 * @us: how far, ≥ 0
 *
 * Moves a manual clock forward, running every timer that falls due on the
 * way at its due time.
 */
void
fb_clock_advance (FbClock *self,
                  gint64   us)
{
  gint64 until;
  Timer *timer;

  g_return_if_fail (FB_IS_CLOCK (self));
  g_return_if_fail (self->manual);
  g_return_if_fail (us >= 0);

  g_object_ref (self);
  until = self->monotonic + us;
  while ((timer = earliest_due (self, until)) != NULL)
    fire (self, timer);
  self->real += until - self->monotonic;
  self->monotonic = until;
  g_object_unref (self);
}

/**
 * fb_clock_advance_busy:
 * @us: how far, ≥ 0
 *
 * Moves a manual clock forward without running any timer: the time one
 * long callback takes, during which no other source can run (a main loop
 * too busy to dispatch its timers). The timers that fell due run, late,
 * at the next fb_clock_advance().
 */
void
fb_clock_advance_busy (FbClock *self,
                       gint64   us)
{
  g_return_if_fail (FB_IS_CLOCK (self));
  g_return_if_fail (self->manual);
  g_return_if_fail (us >= 0);

  self->monotonic += us;
  self->real += us;
}

void
fb_clock_advance_ms (FbClock *self,
                     guint    ms)
{
  fb_clock_advance (self, (gint64) ms * 1000);
}

/**
 * fb_clock_set_real:
 *
 * Sets a manual clock's wall-clock time alone: the machine slept, or the
 * system clock was set.
 */
void
fb_clock_set_real (FbClock *self,
                   gint64   real_us)
{
  g_return_if_fail (FB_IS_CLOCK (self));
  g_return_if_fail (self->manual);

  self->real = real_us;
}

/**
 * fb_clock_get_n_timeouts:
 *
 * Returns: how many timers a manual clock has pending
 */
guint
fb_clock_get_n_timeouts (FbClock *self)
{
  g_return_val_if_fail (FB_IS_CLOCK (self), 0);
  g_return_val_if_fail (self->manual, 0);

  return g_list_length (self->timers);
}
