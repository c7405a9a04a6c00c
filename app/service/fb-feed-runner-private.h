/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-event-log.h"
#include "fb-feed-runner.h"
#include "fb-reader.h"

G_BEGIN_DECLS

struct _FbFeedRunner
{
  GObject       parent_instance;

  FbFeed       *feed;
  GSettings    *settings;        /* the feed's own */
  GSettings    *app_settings;
  SoupSession  *session;         /* shared by every feed: one connection pool */
  SoupSession  *stream_session;  /* the current stream's: session, or one with the feed's CA file */
  char         *authorization;   /* the current stream's Authorization value: a secret */
  FbClock      *clock;
  FbEventLog   *log;
  GCancellable *lookup;          /* the credentials being read from the keyring */
  gint64        catch_up_until;  /* monotonic µs */
  guint         snooze_id;
  gboolean      network_available;
  gboolean      shut_down;

  /* How its events are read (fb-feed-runner-reading.c). */
  FbReader     *reader;
  char         *content_error;      /* its own templates do not parse */
  char         *last_render_error;  /* logged once */
  guint         n_ignored_today;
  guint         ignored_day;        /* YYYYMMDD of n_ignored_today */
  guint         midnight_id;        /* ends the day's count */

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

/* fb-feed-runner-reading.c: events read by the feed's format */
void       _fb_feed_runner_bind_reading  (FbFeedRunner     *self);
void       _fb_feed_runner_reset_reader  (FbFeedRunner     *self);
void       _fb_feed_runner_connected     (FbFeedRunner     *self);
void       _fb_feed_runner_stop_reading  (FbFeedRunner     *self);
FbMessage *_fb_feed_runner_read_event    (FbFeedRunner     *self,
                                          FbSseConnection  *connection,
                                          const FbSseEvent *event);

G_END_DECLS
