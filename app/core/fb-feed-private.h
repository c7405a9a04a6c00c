/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-feed.h"

G_BEGIN_DECLS

struct _FbFeed
{
  GObject          parent_instance;

  char            *id;
  char            *name;
  char            *url;
  gboolean         enabled;
  FbMessageFormat  format;
  GStrv            event_types;
  guint            idle_timeout;
  gboolean         muted;
  guint            min_priority;
  gint64           snoozed_until;
  FbSseConnection *connection;

  /* How its events are read, for the status and the editor's preview. */
  FbMessageFormat  recognised_format;
  char            *content_error;
  guint            n_ignored_today;
  char            *last_event_type;
  GBytes          *last_event_data;
  char            *last_event_id;
  char            *default_name;  /* from the URL and format, when name is "" */
};

G_END_DECLS
