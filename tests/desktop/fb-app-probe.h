/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * FbProcMemory:
 * What /proc/PID/status says about a process's memory, in KiB.
 */
typedef struct
{
  guint64 rss_kib;      /* VmRSS */
  guint64 anon_kib;     /* RssAnon: the heap, without the libraries' pages */
  guint64 peak_kib;     /* VmHWM: since the last fb_proc_reset_peak() */
} FbProcMemory;

/* All zero when the process is gone. */
void     fb_proc_memory_read (const char   *pid,
                              FbProcMemory *memory);
/* Makes VmHWM start again from the current RSS; FALSE (and a log line) when
 * the kernel does not let us. */
gboolean fb_proc_reset_peak  (const char   *pid);

/**
 * FbProber:
 * Asks an app for a D-Bus property again and again, from a thread of its
 * own, one request at a time, and keeps every round trip: how long the
 * app's main loop took to answer while the test did something to it.
 */
typedef struct _FbProber FbProber;

FbProber   *fb_prober_start            (GDBusConnection *bus,
                                        const char      *name,
                                        const char      *path,
                                        const char      *interface,
                                        const char      *property,
                                        guint            every_ms);
void        fb_prober_stop             (FbProber        *self);
void        fb_prober_free             (FbProber        *self);
/* After fb_prober_stop(): the round trips in µs, sorted. */
GArray     *fb_prober_get_round_trips  (FbProber        *self);
/* After fb_prober_stop(): the first failed call's error, or NULL. */
const char *fb_prober_get_first_error  (FbProber        *self);
/* @percent of sorted round trips, in ms (100: the worst). */
double      fb_prober_percentile_ms    (FbProber        *self,
                                        guint            percent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbProber, fb_prober_free)

G_END_DECLS
