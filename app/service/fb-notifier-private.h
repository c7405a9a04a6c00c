/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-notifier.h"

#include "fb-quiet-hours.h"

G_BEGIN_DECLS

typedef struct
{
  FbNotifier *notifier;
  GArray     *times;              /* gint64 monotonic µs, oldest first */
  guint       summary;            /* the flood's notice, a display handle */
  guint       summary_update_id;  /* updates go out at most once per SUMMARY_EVERY_MS */
  char       *summary_title;      /* what the next update says */
  char       *summary_body;
  gboolean    summary_pending;
  guint       folded;
  guint       held;               /* while paused */
  guint       quiet_held;         /* during quiet hours */
  GHashTable *sequences;          /* ntfy sequence ids shown lately: their updates are no flood */
  GPtrArray  *backlog;            /* FbMessage replayed after a resume, not yet shown */
  gint64      backlog_first;      /* wall-clock µs */
  gint64      backlog_last;
  char       *feed_name;
  char       *feed_id;
} Burst;

struct _FbNotifier
{
  GObject                parent_instance;

  GSettings             *settings;
  FbNotificationDisplay *display;
  FbClock               *clock;
  FbHistory             *history;  /* nullable */
  FbQuietHours          *quiet;
  GPtrArray             *recent;   /* FbMessage, newest first */
  GHashTable            *bursts;   /* feed id → Burst */
  gboolean               paused;
  guint                  catch_up_id;
};

/* fb-notifier-burst.c: floods, catch-up backlogs and ntfy sequences, per feed */
void      _fb_notifier_burst_free     (Burst      *burst);
Burst    *_fb_notifier_get_burst      (FbNotifier *self,
                                       FbFeed     *feed);
gboolean  _fb_notifier_count_burst    (FbNotifier *self,
                                       Burst      *burst,
                                       gint64      now);
void      _fb_notifier_show_summary   (FbNotifier *self,
                                       FbFeed     *feed,
                                       Burst      *burst,
                                       FbMessage  *latest);
void      _fb_notifier_add_to_backlog (FbNotifier *self,
                                       FbFeed     *feed,
                                       Burst      *burst,
                                       FbMessage  *message);
gboolean  _fb_notifier_is_update      (Burst      *burst,
                                       FbMessage  *message);

G_END_DECLS
