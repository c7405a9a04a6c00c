/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "fb-feed-manager.h"
#include "fb-feed-runner.h"
#include "fb-history.h"

G_BEGIN_DECLS

struct _FbFeedManager
{
  GObject       parent_instance;

  GSettings    *settings;
  GPtrArray    *runners;     /* FbFeedRunner *, in list order */
  FbClock      *clock;
  FbHistory    *history;     /* nullable */
  SoupSession  *session;     /* shared by every feed: one connection pool */
  GNetworkMonitor *monitor;
  GDBusConnection *system_bus;
  guint         sleep_id;
  gboolean      network_available;
};

/* fb-feed-manager-system.c: the network monitor and logind */
void   _fb_feed_manager_watch_system   (FbFeedManager *self);
void   _fb_feed_manager_unwatch_system (FbFeedManager *self);

G_END_DECLS
