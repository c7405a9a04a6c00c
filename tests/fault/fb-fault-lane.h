/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "fb-fault-model.h"

G_BEGIN_DECLS

typedef enum
{
  FB_FAULT_KIND_RESET,
  FB_FAULT_KIND_HALF_LINE,
  FB_FAULT_KIND_STALL,
  FB_FAULT_KIND_TRICKLE,
  FB_FAULT_KIND_RESTART,
  FB_FAULT_KIND_KILL,
  FB_FAULT_KIND_REPLAY,
  FB_FAULT_KIND_HTTP_500,
  FB_FAULT_KIND_HTTP_500_RA,
  FB_FAULT_KIND_HTTP_502,
  FB_FAULT_KIND_HTTP_502_RA,
  FB_FAULT_KIND_HTTP_503,
  FB_FAULT_KIND_HTTP_503_RA,
  FB_FAULT_KIND_HTTP_429,
  FB_FAULT_KIND_HTTP_429_RA,
  FB_FAULT_N_KINDS
} FbFaultKind;

typedef struct
{
  const char *name;
  guint       lanes;
  guint       target;        /* faults to inject */
  guint       max_seconds;   /* stop injecting after this long anyway */
  guint       interval_ms;   /* one event per lane this often */
  double      rest_chance;   /* after a chain: rest 30 s rather than kill */
  guint       max_chain;     /* the longest chain of failures (3 or 4) */
  gboolean    ntfy;          /* the servers are ntfy (fb-fault-ntfy.h) */
} FbFaultProfile;

/* What the lanes of one run share. */
typedef struct
{
  const FbFaultProfile *profile;
  GRand                *rand;
  char                 *dir;          /* for the state files */
  guint                 faults[FB_FAULT_N_KINDS];
  guint                 n_faults;
  gboolean              finishing;    /* no more faults */
  GPtrArray            *errors;       /* char *: the first problems, with context */
  guint                 n_errors;
  gint64                started_at;
} FbFaultRun;

typedef struct
{
  guint64 n_checked;        /* output lines */
  guint64 last_printed;
  guint64 final_id;
  guint64 dups;             /* shown again after a SIGKILL */
  guint   n_kills;
  guint   max_dups;
  guint   n_resumes;
  gint64  resume_total_us;  /* SIGKILL → the next process's first line */
  gint64  resume_max_us;
  gint64  max_unsaved_us;     /* the oldest line not saved at a SIGKILL */
  gint64  max_superseded_us;  /* an old connection outliving the client's next */
  gint64  max_stalled_us;     /* a stalled stream until the client gave up on it */
} FbFaultLaneStats;

typedef struct _FbFaultLane FbFaultLane;

const char   *fb_fault_kind_get_name     (FbFaultKind       kind);

FbFaultLane  *fb_fault_lane_new          (FbFaultRun       *run,
                                          guint             index);
void          fb_fault_lane_free         (FbFaultLane      *lane);
void          fb_fault_lane_start        (FbFaultLane      *lane);
void          fb_fault_lane_wind_down    (FbFaultLane      *lane);
gboolean      fb_fault_lane_is_caught_up (FbFaultLane      *lane);
void          fb_fault_lane_terminate    (FbFaultLane      *lane);
gboolean      fb_fault_lane_is_finished  (FbFaultLane      *lane);
FbFaultModel *fb_fault_lane_get_model    (FbFaultLane      *lane);
void          fb_fault_lane_get_stats    (FbFaultLane      *lane,
                                          FbFaultLaneStats *stats);
void          fb_fault_lane_error        (FbFaultLane      *lane,
                                          const char       *format,
                                          ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
