/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What fb-fault-lane.c (faults, and what the proxy and server see) and
 * fb-fault-lane-client.c (the client process and its output) share. */

#include "fb-fault-lane.h"

#include "fb-fault-client.h"
#include "fb-fault-proxy.h"
#include "fb-fault-server.h"

G_BEGIN_DECLS

#define IDLE_TIMEOUT_S        1
#define KEEPALIVE_MS          250
#define STALL_NOTICE_US       ((IDLE_TIMEOUT_S + 2) * G_USEC_PER_SEC)
#define KILL_WINDOW_US        G_USEC_PER_SEC
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
  guint        stall_watch_id;
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
  Run           *run;
  guint          index;
  GRand         *rand;
  FbFaultServer *server;
  FbFaultProxy  *proxy;
  char          *url;
  char          *state_path;
  FbFaultModel  *model;

  FbFaultClient *client;
  guint          respawn_id;
  guint          spawn_failures;
  guint          gen;
  gboolean       kill_pending;
  gint64         killed_at;
  gboolean       term_sent;
  gboolean       finished;

  GPtrArray     *attempts;      /* Attempt, all of them */
  GHashTable    *by_port;       /* upstream port → Attempt awaiting its request */
  Attempt       *current;
  Attempt       *unchecked;     /* accepted before the failure it follows was known */
  guint          fault_id;
  guint          chain_max;
  gboolean       rested;

  guint64        base;          /* the saved id this process started from */
  guint64        last_printed;
  GArray        *printed;       /* Printed, this process */
  guint64        final_id;
  guint64        n_checked;
  gint64         resume_total_us; /* SIGKILL → first line of the next process */
  gint64         resume_max_us;
  guint          n_resumes;
  gboolean       resuming;
  guint          n_kills;
  guint64        dups;
  guint          max_dups;

  GQueue         log;           /* recent events, for a failure's report */
};

void _fb_fault_lane_log         (Lane       *lane,
                                 const char *format,
                                 ...) G_GNUC_PRINTF (2, 3);
void _fb_fault_lane_count_fault (Lane       *lane,
                                 Kind        kind);
void _fb_fault_lane_spawn       (Lane       *lane);
void _fb_fault_lane_kill        (Lane       *lane);

G_END_DECLS
