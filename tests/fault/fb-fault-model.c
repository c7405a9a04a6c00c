/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-fault-model.h"

#include "fb-backoff.h"

#include <string.h>

#define MAX_STATES  64

typedef struct
{
  guint   failures;
  guint64 retry_ms;
} State;

struct _FbFaultModel
{
  State    states[MAX_STATES];
  guint    n_states;

  gboolean pending;
  gint64   failed_at;
  guint64  min_ms;
  guint64  max_ms;

  gint64   total_wait;
  gint64   total_allowed;
  gint64   total_min;
  guint    n_gaps;
  gint64   max_late;
};

static void
add_state (State *states,
           guint *n,
           State  state)
{
  for (guint i = 0; i < *n; i++)
    if (states[i].failures == state.failures && states[i].retry_ms == state.retry_ms)
      return;

  g_assert_cmpuint (*n, <, MAX_STATES);
  states[(*n)++] = state;
}

FbFaultModel *
fb_fault_model_new (void)
{
  FbFaultModel *self = g_new0 (FbFaultModel, 1);

  self->max_late = G_MININT64;
  fb_fault_model_restart (self);
  return self;
}

void
fb_fault_model_free (FbFaultModel *self)
{
  g_free (self);
}

void
fb_fault_model_restart (FbFaultModel *self)
{
  self->n_states = 1;
  self->states[0] = (State) { 0, FB_BACKOFF_DEFAULT_RETRY_MS };
  self->pending = FALSE;
}

void
fb_fault_model_learn_retry (FbFaultModel *self,
                            guint64       retry_ms,
                            gboolean      certain)
{
  State states[MAX_STATES];
  guint n = 0;

  retry_ms = MIN (retry_ms, FB_BACKOFF_MAX_SERVER_MS);
  for (guint i = 0; i < self->n_states; i++)
    {
      State learnt = { self->states[i].failures, retry_ms };

      if (!certain)
        add_state (states, &n, self->states[i]);
      add_state (states, &n, learnt);
    }

  memcpy (self->states, states, n * sizeof (State));
  self->n_states = n;
}

/* The policy, written from its description rather than from fb-backoff.c. */
void
fb_fault_model_delay_bounds (guint    failures,
                             guint64  retry_ms,
                             guint64  retry_after_ms,
                             guint64 *min_ms,
                             guint64 *max_ms)
{
  guint64 base;
  guint64 lo, hi;

  if (failures == 0)
    base = retry_ms;
  else
    base = MAX (retry_ms, FB_BACKOFF_MIN_DOUBLING_MS) << MIN (failures, 20);

  lo = MIN (base, FB_BACKOFF_CAP_MS);
  hi = MIN ((guint64) (base * (1.0 + FB_BACKOFF_JITTER)), FB_BACKOFF_CAP_MS);
  /* Never sooner than the server asked, whether by retry: or Retry-After. */
  retry_after_ms = MIN (retry_after_ms, FB_BACKOFF_MAX_SERVER_MS);
  lo = MAX (lo, MAX (retry_ms, retry_after_ms));
  hi = MAX (hi, MAX (retry_ms, retry_after_ms));

  *min_ms = lo;
  *max_ms = hi;
}

void
fb_fault_model_fail (FbFaultModel *self,
                     gint64        failed_at_us,
                     gint64        open_us,
                     guint64       retry_after_ms)
{
  State states[MAX_STATES];
  guint n = 0;

  g_assert (!self->pending);

  self->pending = TRUE;
  self->failed_at = failed_at_us;
  self->min_ms = G_MAXUINT64;
  self->max_ms = 0;

  for (guint i = 0; i < self->n_states; i++)
    {
      State s = self->states[i];
      gboolean may_reset = open_us >= FB_BACKOFF_HEALTHY_US - FB_FAULT_MODEL_HEALTHY_FUZZ_US;
      gboolean must_reset = open_us >= FB_BACKOFF_HEALTHY_US + FB_FAULT_MODEL_HEALTHY_FUZZ_US;

      for (guint reset = 0; reset < 2; reset++)
        {
          State from = s;
          guint64 lo, hi;

          if ((reset && !may_reset) || (!reset && must_reset))
            continue;
          if (reset)
            from.failures = 0;

          fb_fault_model_delay_bounds (from.failures, from.retry_ms, retry_after_ms, &lo, &hi);
          self->min_ms = MIN (self->min_ms, lo);
          self->max_ms = MAX (self->max_ms, hi);
          from.failures = MIN (from.failures + 1, 30);
          add_state (states, &n, from);
        }
    }

  memcpy (self->states, states, n * sizeof (State));
  self->n_states = n;
}

gboolean
fb_fault_model_attempt (FbFaultModel *self,
                        gint64        at_us,
                        GString      *complaint)
{
  gint64 gap = at_us - self->failed_at;
  gint64 min_us = (gint64) self->min_ms * 1000;
  gint64 max_us = (gint64) self->max_ms * 1000;

  if (!self->pending)
    return TRUE;

  self->pending = FALSE;
  self->n_gaps++;
  self->total_wait += gap;
  self->total_min += min_us;
  self->total_allowed += max_us + FB_FAULT_MODEL_SLACK_US;
  self->max_late = MAX (self->max_late, gap - max_us);

  if (gap < min_us - FB_FAULT_MODEL_EARLY_US)
    {
      g_string_append_printf (complaint,
                              "reconnected %.3f s after a failure, sooner than the policy's %.3f s",
                              gap / 1e6, min_us / 1e6);
      return FALSE;
    }

  return TRUE;
}

void
fb_fault_model_forget_pending (FbFaultModel *self)
{
  self->pending = FALSE;
}

gboolean
fb_fault_model_has_pending (FbFaultModel *self)
{
  return self->pending;
}

guint
fb_fault_model_get_max_failures (FbFaultModel *self)
{
  guint max = 0;

  for (guint i = 0; i < self->n_states; i++)
    max = MAX (max, self->states[i].failures);

  return max;
}

gint64
fb_fault_model_get_total_wait_us (FbFaultModel *self)
{
  return self->total_wait;
}

gint64
fb_fault_model_get_total_allowed_us (FbFaultModel *self)
{
  return self->total_allowed;
}

gint64
fb_fault_model_get_total_min_us (FbFaultModel *self)
{
  return self->total_min;
}

guint
fb_fault_model_get_n_gaps (FbFaultModel *self)
{
  return self->n_gaps;
}

gint64
fb_fault_model_get_max_late_us (FbFaultModel *self)
{
  return self->max_late;
}
