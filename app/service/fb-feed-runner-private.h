/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-event-log.h"
#include "fb-feed-runner.h"

G_BEGIN_DECLS

struct _FbFeedRunner
{
  GObject       parent_instance;

  FbFeed       *feed;
  GSettings    *settings;        /* the feed's own */
  GSettings    *app_settings;
  SoupSession  *session;         /* shared by every feed: one connection pool */
  FbClock      *clock;
  FbEventLog   *log;
  GCancellable *lookup;          /* the credentials being read from the keyring */
  gint64        catch_up_until;  /* monotonic µs */
  guint         snooze_id;
  gboolean      network_available;
  gboolean      shut_down;

  /* An outage: since when the feed has not been reachable (0 while it
   * is), and whether Recent has been told. Monotonic time stands still
   * while the machine sleeps, so a night asleep is not an outage. */
  gint64        down_since;      /* monotonic µs */
  gint64        down_since_wall; /* real µs */
  guint         down_note_id;
  gboolean      down_noted;
};

/* fb-feed-runner.c: the signals */
void _fb_feed_runner_emit_changed (FbFeedRunner *self);
void _fb_feed_runner_emit_note    (FbFeedRunner *self,
                                   FbMessage    *note);

/* fb-feed-runner-outage.c: outages that last become notes for Recent */
void _fb_feed_runner_track_outage (FbFeedRunner *self,
                                   FbSseState    state);
void _fb_feed_runner_forget_outage (FbFeedRunner *self);

G_END_DECLS
