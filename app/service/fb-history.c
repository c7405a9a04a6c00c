/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-history"

#include "config.h"

#include "fb-history-private.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

/*
 * Every message and note, in one SQLite database in the user's data dir.
 *
 * The main thread queues writes (fb_history_append() and the rest) and hands
 * what one main-loop burst queued to the writer thread at idle time, or
 * every FLUSH_MAX writes in a flood (fb-history-writer.c). It reads through
 * a connection of its own, which WAL never makes wait.
 *
 * The writes are in fb-history-write.c; feeds' resume positions, which go
 * in the same batches as the messages they cover, in fb-history-positions.c.
 *
 * The database is never a reason to stop notifying: a damaged file is set
 * aside and a fresh one started; a place that cannot be written gets a
 * temporary database (and event logs keep their own files), with a warning.
 */

/* A flood hands its writes over in batches this large, even before it
 * lets the main loop go idle. */
#define FLUSH_MAX 2000

/* Retention runs this often (and when the settings change). */
#define PRUNE_EVERY_S (60 * 60)


enum {
  CHANGED,
  UNREAD_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FbHistory, fb_history, G_TYPE_OBJECT)

/**
 * fb_history_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/feedbell/history.db`: what a
 *   person would back up, so the data dir rather than the state dir
 */
char *
fb_history_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "feedbell", "history.db", NULL);
}


static void
flush (FbHistory *self)
{
  g_clear_handle_id (&self->flush_id, g_source_remove);
  _fb_history_add_positions (self);
  if (self->pending->len == 0)
    return;

  _fb_history_writer_push (self->writer, g_steal_pointer (&self->pending));
  self->handed_over = TRUE;
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) _fb_history_op_free);
}

gboolean
_fb_history_flush_cb (gpointer user_data)
{
  FbHistory *self = user_data;

  self->flush_id = 0;
  flush (self);

  return G_SOURCE_REMOVE;
}

void
_fb_history_queue_op (FbHistory   *self,
                      FbHistoryOp *op)
{
  g_ptr_array_add (self->pending, op);

  if (self->pending->len >= FLUSH_MAX)
    flush (self);
  else if (self->flush_id == 0)
    self->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, _fb_history_flush_cb, self, NULL);
}

FbHistoryOp *
_fb_history_op_new (FbHistoryOpKind  kind,
                    const char      *feed_id)
{
  FbHistoryOp *op = g_new0 (FbHistoryOp, 1);

  op->kind = kind;
  op->feed_id = g_strdup (feed_id);

  return op;
}

/* Called on the writer thread. */
static void
result_cb (FbHistoryResult *result,
           gpointer         user_data)
{
  FbHistory *self = user_data;

  g_mutex_lock (&self->results_lock);
  g_queue_push_tail (&self->results, result);
  g_mutex_unlock (&self->results_lock);
  g_source_set_ready_time (self->result_source, 0);
}

static gboolean
same_counts (GHashTable *a,
             GHashTable *b)
{
  GHashTableIter iter;
  gpointer key;
  gpointer count;

  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &count))
    if (g_hash_table_lookup (b, key) != count)
      return FALSE;

  return TRUE;
}

static gboolean
result_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  FbHistory *self = user_data;
  FbHistoryResult *result;
  FbHistoryResult *last = NULL;
  gboolean changed = FALSE;
  gboolean unread_changed;
  guint total = 0;
  GHashTableIter iter;
  gpointer count;

  g_source_set_ready_time (source, -1);

  g_mutex_lock (&self->results_lock);
  while ((result = g_queue_pop_head (&self->results)) != NULL)
    {
      changed |= result->changed;
      g_clear_pointer (&last, _fb_history_result_free);
      last = result;
    }
  g_mutex_unlock (&self->results_lock);

  if (last == NULL)
    return G_SOURCE_CONTINUE;

  self->n_transactions = last->n_transactions;
  g_hash_table_iter_init (&iter, last->unread);
  while (g_hash_table_iter_next (&iter, NULL, &count))
    total += GPOINTER_TO_UINT (count);

  unread_changed = !same_counts (self->unread, last->unread);

  g_clear_pointer (&self->unread, g_hash_table_unref);
  self->unread = g_steal_pointer (&last->unread);
  self->total_unread = total;
  _fb_history_result_free (last);

  if (changed)
    g_signal_emit (self, signals[CHANGED], 0);
  if (unread_changed)
    g_signal_emit (self, signals[UNREAD_CHANGED], 0);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs result_source_funcs = {
  .dispatch = result_dispatch,
};

static gboolean
prune_cb (gpointer user_data)
{
  fb_history_prune (user_data);

  return G_SOURCE_CONTINUE;
}

static void
fb_history_dispose (GObject *object)
{
  FbHistory *self = FB_HISTORY (object);

  if (self->clock != NULL)
    fb_clock_clear_timeout (self->clock, &self->prune_id);
  if (self->writer != NULL)
    {
      flush (self);
      g_clear_pointer (&self->writer, _fb_history_writer_free);
    }
  if (self->result_source != NULL)
    {
      g_source_destroy (self->result_source);
      g_clear_pointer (&self->result_source, g_source_unref);
    }
  g_queue_clear_full (&self->results, (GDestroyNotify) _fb_history_result_free);
  g_clear_pointer (&self->reader, sqlite3_close);
  if (self->temp_dir != NULL)
    {
      g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (self->path, "-shm", NULL);

      g_unlink (self->path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (self->temp_dir);
      g_clear_pointer (&self->temp_dir, g_free);
    }
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (fb_history_parent_class)->dispose (object);
}

static void
fb_history_finalize (GObject *object)
{
  FbHistory *self = FB_HISTORY (object);

  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->logs, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_pointer (&self->unread, g_hash_table_unref);
  g_mutex_clear (&self->results_lock);
  g_free (self->path);

  G_OBJECT_CLASS (fb_history_parent_class)->finalize (object);
}

static void
fb_history_class_init (FbHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_history_dispose;
  object_class->finalize = fb_history_finalize;

  /**
   * FbHistory::changed:
   *
   * Entries were committed, changed or removed.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * FbHistory::unread-changed:
   *
   * fb_history_get_unread() may say something else now.
   */
  signals[UNREAD_CHANGED] =
    g_signal_new ("unread-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

void
_fb_history_weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
fb_history_init (FbHistory *self)
{
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) _fb_history_op_free);
  self->logs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, _fb_history_weak_ref_free);
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->unread = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_mutex_init (&self->results_lock);
  g_queue_init (&self->results);
  self->days = FB_HISTORY_DEFAULT_DAYS;
  self->max_per_feed = FB_HISTORY_DEFAULT_MAX_MESSAGES;
}

/* Moves a damaged database, and its WAL and shared-memory files, out of the
 * way under one name with the time in it. */
static void
set_aside (const char *path,
           FbClock    *clock)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (fb_clock_get_real (clock) / G_USEC_PER_SEC);
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  static const char * const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strdup_printf ("%s.damaged-%s%s", path, stamp, suffixes[i]);

      if (g_file_test (from, G_FILE_TEST_EXISTS) && g_rename (from, to) != 0)
        g_unlink (from);
    }
}

static sqlite3 *
open_writer (FbHistory  *self,
             const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  sqlite3 *db;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_warning ("Could not create %s (%s): messages are kept only until Feedbell quits",
                 dir, g_strerror (saved_errno));
      return NULL;
    }

  db = _fb_history_db_open (path, FB_HISTORY_DB_WRITER, &error);
  if (db == NULL && _fb_history_db_is_damage (error))
    {
      g_warning ("The message history is damaged (%s); it is set aside and a new one started", error->message);
      set_aside (path, self->clock);
      g_clear_error (&error);
      db = _fb_history_db_open (path, FB_HISTORY_DB_WRITER, &error);
    }
  if (db == NULL)
    g_warning ("The message history cannot be opened (%s): messages are kept only until Feedbell quits",
               error->message);

  return db;
}

/**
 * fb_history_open:
 * @path: the database, made if missing
 * @clock: (nullable): for the time entries are received and for retention;
 *   %NULL for the system's
 *
 * Opens the history, whatever state the file is in: see the top of this
 * file. Check fb_history_is_persistent() to know whether it will last.
 *
 * Returns: (transfer full): the history
 */
FbHistory *
fb_history_open (const char *path,
                 FbClock    *clock)
{
  g_autoptr(GError) error = NULL;
  FbHistory *self;
  sqlite3 *db;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (FB_TYPE_HISTORY, NULL);
  self->clock = g_object_ref (clock != NULL ? clock : fb_clock_get_default ());

  db = open_writer (self, path);
  if (db == NULL)
    {
      self->temp_dir = g_dir_make_tmp ("feedbell-history-XXXXXX", &error);
      if (self->temp_dir == NULL)
        g_error ("Could not make a temporary directory: %s", error->message);
      self->path = g_build_filename (self->temp_dir, "history.db", NULL);
      db = _fb_history_db_open (self->path, FB_HISTORY_DB_WRITER, &error);
      if (db == NULL)
        g_error ("Could not make a temporary history: %s", error->message);
    }
  else
    self->path = g_strdup (path);

  self->reader = _fb_history_db_open (self->path, FB_HISTORY_DB_READER, &error);
  if (self->reader == NULL)
    g_error ("Could not read the history just opened: %s", error->message);

  self->next_id = _fb_history_db_max_id (db) + 1;
  g_clear_pointer (&self->unread, g_hash_table_unref);
  self->unread = _fb_history_db_count_unread (db);
  {
    GHashTableIter iter;
    gpointer count;

    g_hash_table_iter_init (&iter, self->unread);
    while (g_hash_table_iter_next (&iter, NULL, &count))
      self->total_unread += GPOINTER_TO_UINT (count);
  }

  self->result_source = g_source_new (&result_source_funcs, sizeof (GSource));
  g_source_set_name (self->result_source, "[feedbell] history results");
  g_source_set_callback (self->result_source, NULL, self, NULL);
  g_source_attach (self->result_source, g_main_context_get_thread_default ());
  self->writer = _fb_history_writer_new (db, result_cb, self);
  self->prune_id = fb_clock_timeout_add (self->clock, PRUNE_EVERY_S * 1000, prune_cb, self);

  return self;
}

/**
 * fb_history_open_read_only:
 *
 * Opens an existing history to read it, for `feedbell --history`: nothing
 * is made, migrated or written, and the app's writes go on meanwhile.
 *
 * Returns: (transfer full) (nullable): the history, or %NULL with
 *   %G_IO_ERROR_NOT_FOUND when there is none
 */
FbHistory *
fb_history_open_read_only (const char  *path,
                           GError     **error)
{
  FbHistory *self;
  sqlite3 *db;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No messages have been stored yet"));
      return NULL;
    }

  db = _fb_history_db_open (path, FB_HISTORY_DB_READ_ONLY, error);
  if (db == NULL)
    return NULL;

  self = g_object_new (FB_TYPE_HISTORY, NULL);
  self->clock = g_object_ref (fb_clock_get_default ());
  self->path = g_strdup (path);
  self->read_only = TRUE;
  self->reader = db;

  return self;
}

const char *
fb_history_get_path (FbHistory *self)
{
  g_return_val_if_fail (FB_IS_HISTORY (self), NULL);

  return self->path;
}

/**
 * fb_history_is_persistent:
 *
 * Returns: whether the history is kept after Feedbell quits (%FALSE when it
 *   fell back to a temporary database)
 */
gboolean
fb_history_is_persistent (FbHistory *self)
{
  g_return_val_if_fail (FB_IS_HISTORY (self), FALSE);

  return self->temp_dir == NULL;
}


/**
 * fb_history_sync:
 *
 * Waits until everything queued so far is committed: before the app quits
 * or the system sleeps, and in tests. Takes a few milliseconds.
 *
 * Returns: whether it was stored
 */
gboolean
fb_history_sync (FbHistory  *self,
                 GError    **error)
{
  GPtrArray *ops;

  g_return_val_if_fail (FB_IS_HISTORY (self), FALSE);

  if (self->writer == NULL)
    return TRUE;

  g_clear_handle_id (&self->flush_id, g_source_remove);
  _fb_history_add_positions (self);

  /* Nothing queued and nothing handed over since the last sync: all is
   * committed already, and an empty transaction would only wake the
   * writer, count unread again and say "changed" (once per feed at
   * start, from fb_history_attach_event_log()). */
  if (self->pending->len == 0 && !self->handed_over)
    return TRUE;

  ops = g_steal_pointer (&self->pending);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) _fb_history_op_free);
  self->handed_over = FALSE;

  return _fb_history_writer_sync (self->writer, ops, error);
}

/**
 * fb_history_query:
 *
 * Returns: (transfer container) (element-type FbHistoryEntry) (nullable):
 *   committed entries that match @query, newest first
 */
GPtrArray *
fb_history_query (FbHistory             *self,
                  const FbHistoryQuery  *query,
                  GError               **error)
{
  FbHistoryQuery all = { 0 };

  g_return_val_if_fail (FB_IS_HISTORY (self), NULL);

  return _fb_history_db_query (self->reader, query != NULL ? query : &all, error);
}

/**
 * fb_history_lookup:
 *
 * Returns: (transfer full) (nullable): the committed entry @id
 */
FbHistoryEntry *
fb_history_lookup (FbHistory *self,
                   gint64     id)
{
  g_return_val_if_fail (FB_IS_HISTORY (self), NULL);

  return _fb_history_db_lookup (self->reader, id);
}

/**
 * fb_history_get_unread:
 * @feed_id: (nullable): one feed; %NULL: all of them
 *
 * Returns: how many committed messages are not read yet
 */
guint
fb_history_get_unread (FbHistory  *self,
                       const char *feed_id)
{
  g_return_val_if_fail (FB_IS_HISTORY (self), 0);

  if (feed_id == NULL)
    return self->total_unread;

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->unread, feed_id));
}

/**
 * fb_history_get_n_transactions:
 *
 * Returns: how many transactions the writer committed (as of the last
 *   result the main loop received)
 */
guint
fb_history_get_n_transactions (FbHistory *self)
{
  g_return_val_if_fail (FB_IS_HISTORY (self), 0);

  return self->n_transactions;
}

