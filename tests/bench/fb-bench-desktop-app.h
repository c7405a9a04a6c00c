/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "fb-bench-util.h"

G_BEGIN_DECLS

/* Running the app in a profile of its own, and waiting without ever
 * blocking the bus services that run on our main loop. */

typedef gboolean (*FbBenchCondition) (gpointer user_data);

gboolean     fb_bench_wait_until     (FbBenchCondition  condition,
                                      gpointer          user_data,
                                      guint             timeout_ms);
void         fb_bench_serve_for      (guint             ms);

typedef struct
{
  char  *dir;
  char **environ;
} FbBenchProfile;

/* XDG directories under @parent/@name and a keyfile with @n_feeds feeds,
 * feed i on the emitter's port @first_port + i; @settings (nullable) are
 * more keys for the app's own group. */
FbBenchProfile *fb_bench_profile_new (const char     *parent,
                                      const char     *name,
                                      FbBenchEmitter *emitter,
                                      guint           first_port,
                                      guint           n_feeds,
                                      const char     *settings);
void         fb_bench_profile_free   (FbBenchProfile *profile);
GSubprocess *fb_bench_profile_spawn  (FbBenchProfile     *profile,
                                      const char * const *argv,
                                      const char         *log_name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbBenchProfile, fb_bench_profile_free)

GSubprocess *fb_bench_app_launch     (FbBenchProfile *profile);
void         fb_bench_app_stop       (GSubprocess    *app);
gboolean     fb_bench_wait_accepts   (FbBenchEmitter *emitter,
                                      guint           n,
                                      guint           timeout_ms);

G_END_DECLS
