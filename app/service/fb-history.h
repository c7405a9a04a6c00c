/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "fb-clock.h"
#include "fb-event-log.h"
#include "fb-message.h"

G_BEGIN_DECLS

/* The schema this build writes; older databases are migrated on open. */
#define FB_HISTORY_SCHEMA_VERSION 3

/* Kept per feed unless the settings say otherwise. */
#define FB_HISTORY_DEFAULT_DAYS          30
#define FB_HISTORY_DEFAULT_MAX_MESSAGES  5000

/* How many entries a query returns at most. */
#define FB_HISTORY_QUERY_MAX 1000

/**
 * FbHistoryEntry:
 *
 * One stored row: a message, or a note Feedbell wrote about a feed (an
 * outage, a catch-up summary). Immutable once made.
 */
#define FB_TYPE_HISTORY_ENTRY (fb_history_entry_get_type ())
G_DECLARE_FINAL_TYPE (FbHistoryEntry, fb_history_entry, FB, HISTORY_ENTRY, GObject)

gint64      fb_history_entry_get_id        (FbHistoryEntry *self);
const char *fb_history_entry_get_feed_id   (FbHistoryEntry *self);
FbMessage  *fb_history_entry_get_message   (FbHistoryEntry *self);
gint64      fb_history_entry_get_received  (FbHistoryEntry *self);
gboolean    fb_history_entry_get_read      (FbHistoryEntry *self);
gboolean    fb_history_entry_get_deleted   (FbHistoryEntry *self);
gboolean    fb_history_entry_is_note       (FbHistoryEntry *self);
gint64      fb_history_entry_get_revision_of (FbHistoryEntry *self);

/**
 * FbHistoryQuery:
 * @feed_id: (nullable): only this feed's entries
 * @search: (nullable): words typed by a person, matched (as prefixes) in
 *   the title, the body and the feed's name through the FTS index
 * @since: wall-clock µs; only entries received at or after it (0: all)
 * @before_id: only entries older than this id (0: from the newest), for
 *   paging: pass the last id of the previous page
 * @after_id: only entries newer than this id (0: no bound), for adding what
 *   arrived since a page was read
 * @limit: at most this many (0 or more than FB_HISTORY_QUERY_MAX: the max)
 * @unread_only: only entries not read yet
 *
 * What fb_history_query() returns, newest first. Deleted entries are never
 * returned.
 */
typedef struct
{
  const char *feed_id;
  const char *search;
  gint64      since;
  gint64      before_id;
  gint64      after_id;
  guint       limit;
  gboolean    unread_only;
} FbHistoryQuery;

/*
 * FbHistory: every message and note, in SQLite.
 *
 * Writes are queued on the main thread and committed by a writer thread,
 * everything queued in one main-loop burst in one transaction. Ids are
 * given at fb_history_append() time, so a notification can name its entry
 * before it is committed. Reads (fb_history_query(), fb_history_lookup())
 * see committed entries only.
 *
 * Signals, on the main thread:
 * - "changed" (): a batch was committed (new entries, read flags, deletions);
 * - "unread-changed" (): fb_history_get_unread() changed.
 */
#define FB_TYPE_HISTORY (fb_history_get_type ())
G_DECLARE_FINAL_TYPE (FbHistory, fb_history, FB, HISTORY, GObject)

char       *fb_history_default_path      (void);

FbHistory  *fb_history_open              (const char           *path,
                                          FbClock              *clock);
FbHistory  *fb_history_open_read_only    (const char           *path,
                                          GError              **error);
const char *fb_history_get_path          (FbHistory            *self);
gboolean    fb_history_is_persistent     (FbHistory            *self);

gint64      fb_history_append            (FbHistory            *self,
                                          const char           *feed_id,
                                          FbMessage            *message);
gint64      fb_history_append_note       (FbHistory            *self,
                                          const char           *feed_id,
                                          FbMessage            *note);
void        fb_history_attach_event_log  (FbHistory            *self,
                                          const char           *feed_id,
                                          FbEventLog           *log);
void        fb_history_forget_position   (FbHistory            *self,
                                          const char           *feed_id);
void        fb_history_mark_read         (FbHistory            *self,
                                          const char           *feed_id,
                                          gint64                up_to_id);
void        fb_history_mark_entry_read   (FbHistory            *self,
                                          gint64                id);
void        fb_history_delete_entry      (FbHistory            *self,
                                          gint64                id);
void        fb_history_close_sequence    (FbHistory            *self,
                                          const char           *feed_id,
                                          const char           *sequence_key,
                                          gboolean              deleted);
void        fb_history_clear_feed        (FbHistory            *self,
                                          const char           *feed_id);
void        fb_history_set_retention     (FbHistory            *self,
                                          guint                 days,
                                          guint                 max_per_feed);
void        fb_history_prune             (FbHistory            *self);
gboolean    fb_history_sync              (FbHistory            *self,
                                          GError              **error);

GPtrArray  *fb_history_query             (FbHistory            *self,
                                          const FbHistoryQuery *query,
                                          GError              **error);
FbHistoryEntry *fb_history_lookup        (FbHistory            *self,
                                          gint64                id);
guint       fb_history_get_unread        (FbHistory            *self,
                                          const char           *feed_id);
guint       fb_history_get_n_transactions (FbHistory           *self);

gboolean    fb_history_import_recent     (FbHistory            *self,
                                          const char           *recent_path,
                                          GHashTable           *feed_ids_by_name);

G_END_DECLS
