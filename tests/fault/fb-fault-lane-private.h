/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What fb-fault-lane.c (faults, and what the proxy and server see) and
 * fb-fault-lane-client.c (the client process and its output) share. */

#include "fb-fault-lane.h"

#include "fb-listen-client.h"
#include "fb-fault-proxy.h"
#include "fb-fault-server.h"

G_BEGIN_DECLS

/* The time bounds below are for a loaded machine, where this process (the
 * proxies and servers of every lane) and the clients can each stall for a
 * second or more: they tell a watchdog, a save or a reconnect that never
 * comes from one that comes late. The lower bounds (never before the idle
 * timeout, never sooner than the backoff) are causal and stay exact.
 *
 * The client's watchdog: 2 s against the server's 250 ms keepalive, so a
 * healthy stream survives a stall of this process of well over a second. */
#define IDLE_TIMEOUT_S        2
#define KEEPALIVE_MS          250
#define REST_MS               31500
#define MAX_ERRORS            40
#define LOG_LINES             48

typedef FbFaultRun           Run;
typedef struct _FbFaultLane  Lane;
typedef FbFaultKind          Kind;

typedef struct
{
  Lane        *lane;
  guint        gen;
  FbFaultConn *conn;          /* NULL once it ended */
  gint64       accepted_at;
  gint64       opened_at;     /* when the server answered 200, else 0 */
  gint64       retry_at;      /* when `retry:` went through, else 0 */
  gboolean     failed;        /* the model has its failure */
  gboolean     stalled;
  gint64       superseded_at; /* a newer connection came while it was open */
  gint64       failed_at;
  gint64       open_us;       /* how long it had been open then, or -1 */
  guint64      retry_after_ms;
  gboolean     deferred;      /* failed before the model knew of its predecessor's failure */
} Attempt;

typedef struct
{
  guint64 id;
  gint64  read_at;
} Printed;

struct _FbFaultLane
{
  Run            *run;
  guint           index;
  GRand          *rand;
  FbFaultServer  *server;
  FbFaultProxy   *proxy;
  char           *url;
  char           *state_path;
  FbFaultModel   *model;

  FbListenClient *client;
  guint           respawn_id;
  guint           spawn_failures;
  guint           gen;
  gboolean        kill_pending;
  gint64          killed_at;
  gboolean        term_sent;
  gboolean        finished;

  GPtrArray      *attempts;      /* Attempt, all of them */
  GHashTable     *by_port;       /* upstream port → Attempt awaiting its request */
  Attempt        *current;
  Attempt        *unchecked;     /* accepted before the failure it follows was known */
  guint           fault_id;
  guint           chain_max;
  gboolean        rested;

  guint64         base;          /* the saved id this process started from */
  guint64         last_printed;
  GArray         *printed;       /* Printed, this process */
  guint64         final_id;
  guint64         n_checked;
  gint64          resume_total_us; /* SIGKILL → first line of the next process */
  gint64          resume_max_us;
  guint           n_resumes;
  gboolean        resuming;
  guint           n_kills;
  guint64         dups;
  guint           max_dups;
  /* Figures, not bounds: how long after the fact a loaded machine got to
   * it. Whether it happened at all is what the run asserts. */
  gint64          max_unsaved_us;     /* the oldest unsaved line at a SIGKILL */
  gint64          max_superseded_us;  /* an old connection outliving the next */
  gint64          max_stalled_us;     /* a stalled stream until the client's watchdog */

  GQueue          log;           /* recent events, for a failure's report */
};

void _fb_fault_lane_log         (Lane       *lane,
                                 const char *format,
                                 ...) G_GNUC_PRINTF (2, 3);
void _fb_fault_lane_count_fault (Lane       *lane,
                                 Kind        kind);
void _fb_fault_lane_spawn       (Lane       *lane);
void _fb_fault_lane_kill        (Lane       *lane);

G_END_DECLS
