/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "fb-history.h"

G_BEGIN_DECLS

/* How many rows one pruning transaction removes at most: the writer then
 * looks at its queue again, so pruning never holds up new messages. */
#define FB_HISTORY_PRUNE_BATCH 500

/* The columns _fb_history_entry_new_from_row() reads, in its order. */
#define FB_HISTORY_COLUMNS \
  "m.id, m.feed_id, m.feed_name, m.message_key, m.sequence_key, m.received, " \
  "m.sent, m.title, m.body, m.link, m.icon, m.priority, m.tags, m.actions, " \
  "m.attachment_url, m.attachment_name, m.note, m.read, m.deleted, m.revision_of, " \
  "m.content_type"

typedef enum
{
  FB_HISTORY_OP_ENTRY,
  FB_HISTORY_OP_POSITION,
  FB_HISTORY_OP_FORGET_POSITION,
  FB_HISTORY_OP_MARK_READ,
  FB_HISTORY_OP_MARK_ENTRY_READ,
  FB_HISTORY_OP_DELETE,
  FB_HISTORY_OP_SEQUENCE_DELETED,
  FB_HISTORY_OP_SEQUENCE_READ,
  FB_HISTORY_OP_CLEAR_FEED,
  FB_HISTORY_OP_PRUNE,
  FB_HISTORY_OP_SYNC,
  FB_HISTORY_OP_MAX_PAGES,
} FbHistoryOpKind;

typedef struct _FbHistorySync FbHistorySync;
typedef struct _FbHistoryWriter FbHistoryWriter;

/* One queued write. Strings are owned. */
typedef struct
{
  FbHistoryOpKind  kind;
  gint64           id;          /* ENTRY: its id; MARK_*, DELETE: the id */
  char            *feed_id;
  /* ENTRY */
  char            *feed_name;
  char            *message_key;
  char            *sequence_key;
  gint64           received;    /* wall-clock µs */
  gint64           sent;        /* the server's time, Unix seconds, 0 */
  char            *title;
  char            *body;
  char            *link;
  char            *icon;
  int              priority;
  char            *tags;        /* JSON array of strings */
  char            *actions;     /* JSON array of {label, url} */
  char            *attachment_url;
  char            *attachment_name;
  char            *content_type;
  gboolean         revises;     /* supersedes the feed's entry of the same sequence key */
  gboolean         note;
  gboolean         read;
  /* POSITION */
  char            *data;
  char            *remove_path; /* the event log's file, gone once stored */
  /* PRUNE */
  gint64           cutoff;      /* wall-clock µs */
  guint            max_per_feed;
  /* SYNC */
  FbHistorySync   *sync;
} FbHistoryOp;

/* What the writer tells the main thread after a commit. */
typedef struct
{
  GHashTable *unread;           /* feed id → GUINT_TO_POINTER (count) */
  guint       n_transactions;
  gboolean    changed;
} FbHistoryResult;

/* fb-history.c */
struct _FbHistory
{
  GObject          parent_instance;

  FbClock         *clock;
  char            *path;
  char            *temp_dir;        /* set when not persistent */
  gboolean         read_only;

  sqlite3         *reader;
  FbHistoryWriter *writer;
  GPtrArray       *pending;         /* FbHistoryOp, this burst's */
  GHashTable      *logs;            /* feed id → GWeakRef * to its FbEventLog */
  GHashTable      *dirty;           /* feed id → its log's last saved state, or NULL */
  guint            flush_id;
  gint64           next_id;

  GSource         *result_source;
  GMutex           results_lock;
  GQueue           results;         /* FbHistoryResult, oldest first */
  GHashTable      *unread;          /* feed id → GUINT_TO_POINTER (count) */
  guint            total_unread;
  guint            n_transactions;
  gboolean         handed_over;     /* writes given to the writer since the last sync */

  guint            days;
  guint            max_per_feed;
  guint            prune_id;
};

FbHistoryOp     *_fb_history_op_new            (FbHistoryOpKind  kind,
                                                const char      *feed_id);
void             _fb_history_queue_op          (FbHistory       *self,
                                                FbHistoryOp     *op);
gboolean         _fb_history_flush_cb          (gpointer         user_data);
void             _fb_history_weak_ref_free     (gpointer         data);

/* fb-history-positions.c */
void             _fb_history_add_positions     (FbHistory       *self);

void             _fb_history_op_free           (FbHistoryOp *op);
void             _fb_history_result_free       (FbHistoryResult *result);

/* fb-history-db.c: opening, the schema and its migrations, reading rows */
typedef enum
{
  FB_HISTORY_DB_WRITER,
  FB_HISTORY_DB_READER,
  FB_HISTORY_DB_READ_ONLY,
} FbHistoryDbMode;

sqlite3         *_fb_history_db_open           (const char      *path,
                                                FbHistoryDbMode  mode,
                                                GError         **error);
gboolean         _fb_history_db_migrate        (sqlite3      *db,
                                                int           to_version,
                                                GError      **error);
int              _fb_history_db_get_version    (sqlite3      *db);
gboolean         _fb_history_db_exec           (sqlite3      *db,
                                                const char   *sql,
                                                GError      **error);
void             _fb_history_db_set_error      (GError      **error,
                                                sqlite3      *db,
                                                int           rc,
                                                const char   *what);
gboolean         _fb_history_db_is_damage      (const GError *error);
GHashTable      *_fb_history_db_count_unread   (sqlite3      *db);
GPtrArray       *_fb_history_db_query          (sqlite3              *db,
                                                const FbHistoryQuery *query,
                                                GError              **error);
FbHistoryEntry  *_fb_history_db_lookup         (sqlite3      *db,
                                                gint64        id);
gint64           _fb_history_db_max_id         (sqlite3      *db);
char            *_fb_history_db_get_position   (sqlite3      *db,
                                                const char   *feed_id);
char            *_fb_history_fts_query         (const char   *text,
                                                const char   *feed_id);

/* fb-history.c: for tests, a database that fills up at @max_pages pages,
 * as on a full disk */
void             _fb_history_limit_pages       (FbHistory    *self,
                                                gint64        max_pages);

/* fb-history-entry.c */
FbHistoryEntry  *_fb_history_entry_new_from_row (sqlite3_stmt *stmt);

/* fb-history-writer.c: the writer thread */
typedef void (*FbHistoryResultFunc) (FbHistoryResult *result,
                                     gpointer         user_data);

FbHistoryWriter *_fb_history_writer_new        (sqlite3             *db,
                                                FbHistoryResultFunc  func,
                                                gpointer             user_data);
void             _fb_history_writer_push       (FbHistoryWriter     *writer,
                                                GPtrArray           *ops);
gboolean         _fb_history_writer_sync       (FbHistoryWriter     *writer,
                                                GPtrArray           *ops,
                                                GError             **error);
void             _fb_history_writer_free       (FbHistoryWriter     *writer);

G_END_DECLS
