/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * FbFaultModel: what the reconnection policy allows, followed from the
 * outside. It sees what the client's backoff sees (a failure, whether the
 * stream had been open and for how long, a Retry-After, the `retry:` value
 * once it went through) and keeps the set of backoff states the client can
 * be in (ambiguities, such as a stream that failed right around the 30 s
 * healthy mark, keep both possibilities). For each failure it gives the
 * shortest and longest delay allowed, and checks the next attempt against
 * them.
 *
 * The policy (fb-backoff.h, docs/ARCHITECTURE.md): the first retry after a healthy
 * stream waits the server's retry × [1, 1.25]; consecutive failures double
 * from max (retry, 1 s), jittered, up to 5 min; Retry-After wins when larger;
 * the failure count starts over only when a stream stayed open ≥ 30 s.
 */
typedef struct _FbFaultModel FbFaultModel;

/* Attempts come no sooner than their delay (less FB_FAULT_MODEL_EARLY_US
 * of rounding: the proxy sees the failure after the client does not). How
 * late they come is measured (fb_fault_model_get_max_late_us()), not
 * judged: a loaded machine (ASan, two CPU hogs) can stall a client for
 * seconds. A reconnect that never comes shows as a lane that never catches
 * up. */
#define FB_FAULT_MODEL_EARLY_US      (2 * 1000)
/* Per failure, what the total may use beyond the longest delay: noticing
 * the failure, scheduling, connecting, on a loaded machine. */
#define FB_FAULT_MODEL_SLACK_US      (G_USEC_PER_SEC)
/* How close to the 30 s mark a stream's age is taken as either side of it:
 * the proxy's measure and the client's differ by however long either was
 * stalled. */
#define FB_FAULT_MODEL_HEALTHY_FUZZ_US (2 * G_USEC_PER_SEC)

FbFaultModel *fb_fault_model_new            (void);
void          fb_fault_model_free           (FbFaultModel *self);
/* A new client process: no failures, the default retry (3 s). */
void          fb_fault_model_restart        (FbFaultModel *self);
/* The stream's `retry:` reached the client (@certain), or may have. */
void          fb_fault_model_learn_retry    (FbFaultModel *self,
                                             guint64       retry_ms,
                                             gboolean      certain);
/* A failure at @failed_at_us (no later than the client saw it). @open_us is
 * how long the stream had been open, or -1 if none opened. */
void          fb_fault_model_fail           (FbFaultModel *self,
                                             gint64        failed_at_us,
                                             gint64        open_us,
                                             guint64       retry_after_ms);
/* The next attempt, at @at_us. Returns FALSE (and says why in @complaint)
 * if it came sooner than allowed or far too late. */
gboolean      fb_fault_model_attempt        (FbFaultModel *self,
                                             gint64        at_us,
                                             GString      *complaint);
/* Drops a failure no attempt will follow (the process was killed). */
void          fb_fault_model_forget_pending (FbFaultModel *self);
gboolean      fb_fault_model_has_pending    (FbFaultModel *self);
guint         fb_fault_model_get_max_failures (FbFaultModel *self);

/* Totals over every checked gap. */
gint64        fb_fault_model_get_total_wait_us    (FbFaultModel *self);
gint64        fb_fault_model_get_total_allowed_us (FbFaultModel *self);
gint64        fb_fault_model_get_total_min_us     (FbFaultModel *self);
guint         fb_fault_model_get_n_gaps           (FbFaultModel *self);
gint64        fb_fault_model_get_max_late_us      (FbFaultModel *self);

/* The policy's bounds for one delay: exposed for the model's own tests. */
void          fb_fault_model_delay_bounds   (guint         failures,
                                             guint64       retry_ms,
                                             guint64       retry_after_ms,
                                             guint64      *min_ms,
                                             guint64      *max_ms);

G_END_DECLS
