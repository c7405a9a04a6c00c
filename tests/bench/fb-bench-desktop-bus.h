/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The desktop's side of the bus, for the app's benchmarks: a recording
 * notification server and a StatusNotifierWatcher. */

typedef struct
{
  gint64 received_ns;   /* when the Notify call came off the bus */
  gint64 sent_ns;       /* the event's send time ("t=" in its text), -1 if none */
  gint64 seq;
} FbBenchNotice;

gboolean         fb_bench_bus_start             (guint expire_ms);
GDBusConnection *fb_bench_bus_get               (void);
guint            fb_bench_bus_get_expire_ms     (void);
/* Forgets what was recorded, and the registered tray item. */
void             fb_bench_bus_reset             (void);
GArray          *fb_bench_bus_dup_notices       (void);
/* The last RegisterStatusNotifierItem since the reset, 0 if none. */
gint64           fb_bench_bus_get_registered_ns (void);
/* The receive time of the first Notify for our event @seq (any when -1), 0 if none. */
gint64           fb_bench_bus_find_notice       (gint64 seq);

G_END_DECLS
