/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Everything the benchmark programs share: a nanosecond clock that is the
 * same in every process (so a timestamp written by the emitter can be
 * compared with the time a reader saw it), percentiles, /proc readings, the
 * emitter as a child process, and the markdown rows they all print. */

#define FB_BENCH_KIB 1024.0
#define FB_BENCH_MIB (1024.0 * 1024.0)

gint64       fb_bench_now_ns               (void);
void         fb_bench_sleep_ms             (guint          ms);
guint        fb_bench_env_uint             (const char    *name,
                                            guint          fallback);
const char  *fb_bench_env_path             (const char    *name,
                                            const char    *fallback);

/* Sorts @values (gint64) in place and returns the @p-th percentile (0–100). */
gint64       fb_bench_percentile           (GArray        *values,
                                            double         p);
/* Finds "t=<ns>" in @text; -1 if there is none. */
gint64       fb_bench_parse_sent_ns        (const char    *text);
gint64       fb_bench_parse_field          (const char    *text,
                                            const char    *key);

typedef struct
{
  guint64  events;
  gboolean last_was_lf;
} FbBenchCounter;

void         fb_bench_count_events         (FbBenchCounter *counter,
                                            const char     *buf,
                                            gsize           len);

/* What a process did over a window. */
typedef struct
{
  guint64 ticks_ns;     /* utime + stime from /proc/PID/stat, in ns (10 ms resolution) */
  guint64 run_ns;       /* sum over threads of /proc/PID/task/TID/schedstat (ns) */
  guint64 voluntary;    /* sum over threads */
  guint64 involuntary;
  guint   n_threads;
} FbBenchUsage;

guint64      fb_bench_proc_cpu_ns          (GPid           pid);

/* Per-thread counters, so that a window can be measured even when threads
 * come and go (a thread's counts leave /proc with it). */
typedef struct
{
  int     tid;
  char    name[20];
  guint64 voluntary;
  guint64 involuntary;
  guint64 run_ns;
} FbBenchThread;

GArray      *fb_bench_proc_threads_snapshot (GPid           pid);
/* Sums what each thread alive at @end did since @start (all of it for a
 * thread born in between) into @usage, and describes it in @report. */
void         fb_bench_threads_diff         (GArray        *start,
                                            GArray        *end,
                                            FbBenchUsage  *usage,
                                            GString       *report);
/* A field of /proc/PID/status in KiB ("VmRSS", "VmHWM", "RssAnon"); -1 on error. */
gint64       fb_bench_proc_status_kib      (GPid           pid,
                                            const char    *field);

GPid         fb_bench_subprocess_pid       (GSubprocess   *process);
gboolean     fb_bench_wait_exit            (GSubprocess   *process,
                                            guint          timeout_ms);
void         fb_bench_terminate            (GSubprocess   *process);

/* The emitter, started with --control (it exits when our end of its stdin
 * closes, so it never outlives us). */
typedef struct _FbBenchEmitter FbBenchEmitter;

FbBenchEmitter *fb_bench_emitter_start     (const char * const *args,
                                            GError            **error);
guint        fb_bench_emitter_get_n_ports  (FbBenchEmitter *self);
guint        fb_bench_emitter_get_port     (FbBenchEmitter *self,
                                            guint           index);
char        *fb_bench_emitter_dup_url      (FbBenchEmitter *self,
                                            guint           index);
void         fb_bench_emitter_command      (FbBenchEmitter *self,
                                            const char     *format,
                                            ...) G_GNUC_PRINTF (2, 3);
/* Waits for the next output line that starts with @prefix and returns it;
 * NULL after @timeout_ms. Lines skipped meanwhile stay in the history. */
char        *fb_bench_emitter_wait_line    (FbBenchEmitter *self,
                                            const char     *prefix,
                                            guint           timeout_ms);
/* Every output line so far (char *), for counting keep-alives and the like. */
GPtrArray   *fb_bench_emitter_dup_history  (FbBenchEmitter *self);
void         fb_bench_emitter_free         (FbBenchEmitter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbBenchEmitter, fb_bench_emitter_free)

/* Markdown output: one table row per figure. */
void         fb_bench_row                  (const char    *benchmark,
                                            const char    *measure,
                                            const char    *value,
                                            const char    *ratio,
                                            const char    *target,
                                            const char    *verdict);
const char  *fb_bench_verdict              (gboolean       met);

G_END_DECLS
