/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-event-log.h"

#include "fb-clock.h"

G_BEGIN_DECLS

struct _FbEventLog
{
  GObject     parent_instance;

  FbClock    *clock;
  char       *path;
  char       *last_event_id;
  char       *resume_param;       /* NULL: Last-Event-ID; else a query parameter (ntfy's since) */
  gint64      last_seen;          /* wall-clock µs of the last record */
  GHashTable *seen;               /* id → position, as set */
  GQueue      order;              /* oldest first, owns the ids */
  guint       save_id;
  gint64      save_due;           /* monotonic µs by which the pending save must be done */
  guint       n_writes;
  gboolean    dirty;
  gboolean    told_write_error;

  FbEventLogSaveFunc save_func;   /* instead of the file, when set */
  gpointer           save_data;
  GDestroyNotify     save_destroy;
};

/* fb-event-log.c: the seen set */
void _fb_event_log_remember (FbEventLog *self,
                             const char *id);

/* fb-event-log-store.c: the state file */
void _fb_event_log_load     (FbEventLog *self);

G_END_DECLS
