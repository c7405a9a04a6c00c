/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The reconnection time a stream gets when the server sends no `retry:` (WHATWG default). */
#define FB_BACKOFF_DEFAULT_RETRY_MS  3000
/* Consecutive failures never wait longer than this (jitter included). */
#define FB_BACKOFF_CAP_MS            (5 * 60 * 1000)
/* A stream that stayed open this long counts as healthy: the next failure starts over. */
#define FB_BACKOFF_HEALTHY_US        (30 * G_USEC_PER_SEC)
/* The most we believe a server's `retry:` or `Retry-After`: beyond it, a typo or hostility. */
#define FB_BACKOFF_MAX_SERVER_MS     (60 * 60 * 1000)
/* Jitter multiplies a delay by a factor in [1, 1 + FB_BACKOFF_JITTER]: it only ever adds. */
#define FB_BACKOFF_JITTER            0.25
/* Doubling starts from at least this, so `retry: 0` can never become a tight loop. */
#define FB_BACKOFF_MIN_DOUBLING_MS   1000

/**
 * FbRandomFunc:
 * Returns a uniformly distributed number in [0, 1).
 */
typedef double (*FbRandomFunc) (gpointer user_data);

typedef struct
{
  guint64      retry_ms;
  guint        failures;
  gint64       opened_at_us;
  FbRandomFunc random_func;
  gpointer     random_data;
} FbBackoff;

void    fb_backoff_init            (FbBackoff    *self,
                                    FbRandomFunc  random_func,
                                    gpointer      random_data);
void    fb_backoff_set_random_func (FbBackoff    *self,
                                    FbRandomFunc  random_func,
                                    gpointer      random_data);
void    fb_backoff_set_retry       (FbBackoff    *self,
                                    guint64       retry_ms);
void    fb_backoff_opened          (FbBackoff    *self,
                                    gint64        now_us);
guint64 fb_backoff_next_delay      (FbBackoff    *self,
                                    gint64        now_us,
                                    guint64       retry_after_ms);
guint64 fb_backoff_failed_delay    (FbBackoff    *self);
void    fb_backoff_reset           (FbBackoff    *self);
gboolean fb_backoff_parse_retry_after (const char *value,
                                       GDateTime  *now,
                                       guint64    *out_ms);

G_END_DECLS
