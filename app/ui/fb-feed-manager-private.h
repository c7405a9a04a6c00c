/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "fb-event-log.h"
#include "fb-feed-manager.h"

G_BEGIN_DECLS

/* One feed: see fb-feed-manager-entry.c. */
typedef struct
{
  FbFeedManager *manager;
  FbFeed        *feed;
  GSettings     *settings;
  FbEventLog    *log;
  GCancellable  *lookup;          /* the credentials being read from the keyring */
  gint64         catch_up_until;  /* monotonic µs */
  /* An outage: since when the feed has not been reachable (0 while it
   * is), and whether Recent has been told. Monotonic time stands still
   * while the machine sleeps, so a night asleep is not an outage. */
  gint64         down_since;      /* monotonic µs */
  gint64         down_since_wall; /* real µs */
  guint          down_note_id;
  gboolean       down_noted;
} Entry;

struct _FbFeedManager
{
  GObject       parent_instance;

  GSettings    *settings;
  GPtrArray    *entries;     /* Entry *, in list order */
  SoupSession  *session;     /* shared by every feed: one connection pool */
  GNetworkMonitor *monitor;
  GDBusConnection *system_bus;
  guint         sleep_id;
  gboolean      network_available;
};

/* fb-feed-manager.c: the signals */
void   _fb_feed_manager_emit_changed   (FbFeed        *feed,
                                        FbFeedManager *self);
void   _fb_feed_manager_emit_message   (FbFeedManager *self,
                                        FbFeed        *feed,
                                        FbMessage     *message,
                                        gboolean       catch_up);
void   _fb_feed_manager_emit_note      (FbFeedManager *self,
                                        FbFeed        *feed,
                                        FbMessage     *note);

/* fb-feed-manager-entry.c: one feed's connection, credentials and events */
Entry *_fb_feed_manager_entry_new      (FbFeedManager *self,
                                        const char    *id);
void   _fb_feed_manager_entry_free     (Entry         *entry);
void   _fb_feed_manager_restart_feed   (FbFeedManager *self,
                                        Entry         *entry);

/* fb-feed-manager-system.c: the network monitor and logind */
void   _fb_feed_manager_watch_system   (FbFeedManager *self);
void   _fb_feed_manager_unwatch_system (FbFeedManager *self);

G_END_DECLS
