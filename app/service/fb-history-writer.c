/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-history"

#include "config.h"

#include "fb-history-private.h"

#include <glib/gstdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/*
 * The history's writer thread.
 *
 * The main thread hands over arrays of operations (one array per main-loop
 * burst); the thread takes every array waiting and applies them, in order,
 * in one transaction. Order is what keeps a feed's resume position from
 * running ahead of its messages: the event log's state is queued after the
 * messages it covers, so it is committed with them or after them, never
 * before. After each commit the thread counts unread entries (a partial
 * index makes that cheap) and hands the result back.
 *
 * A transaction takes at most TRANSACTION_MAX operations, so that a flood
 * becomes visible to readers as it goes; and when the thread falls
 * QUEUE_MAX batches behind (a flood no disk keeps up with), handing over
 * waits for it, so memory stays bounded.
 *
 * A failed transaction (a full disk, say) is rolled back and logged; the
 * app goes on notifying, and since the positions in it were not stored
 * either, its messages are fetched again after a restart.
 */

#define TRANSACTION_MAX 5000
#define TRIM_AFTER_OPS  1000
#define QUEUE_MAX       64

struct _FbHistorySync
{
  GMutex    mutex;
  GCond     cond;
  gboolean  done;
  GError   *error;
};

struct _FbHistoryWriter
{
  sqlite3             *db;
  GThread             *thread;
  GAsyncQueue         *queue;     /* GPtrArray of FbHistoryOp; an empty one stops */
  GMutex               lock;      /* with taken: the queue got shorter */
  GCond                taken;
  FbHistoryResultFunc  result_func;
  gpointer             result_data;
  guint                n_transactions;
  guint                ops_since_trim;
  gboolean             told_error;

  sqlite3_stmt        *insert;
};

void
_fb_history_op_free (FbHistoryOp *op)
{
  g_free (op->feed_id);
  g_free (op->feed_name);
  g_free (op->message_key);
  g_free (op->sequence_key);
  g_free (op->title);
  g_free (op->body);
  g_free (op->link);
  g_free (op->icon);
  g_free (op->tags);
  g_free (op->actions);
  g_free (op->attachment_url);
  g_free (op->attachment_name);
  g_free (op->content_type);
  g_free (op->data);
  g_free (op->remove_path);
  g_free (op);
}

void
_fb_history_result_free (FbHistoryResult *result)
{
  g_clear_pointer (&result->unread, g_hash_table_unref);
  g_free (result);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

/* Runs one statement with up to two text parameters and an integer one. */
static int
run (FbHistoryWriter *self,
     const char      *sql,
     const char      *text1,
     const char      *text2,
     gint64           number)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    return rc;

  for (int i = 1; i <= sqlite3_bind_parameter_count (stmt); i++)
    {
      const char *name = sqlite3_bind_parameter_name (stmt, i);

      if (g_strcmp0 (name, ":text1") == 0)
        bind_text_or_null (stmt, i, text1);
      else if (g_strcmp0 (name, ":text2") == 0)
        bind_text_or_null (stmt, i, text2);
      else if (g_strcmp0 (name, ":number") == 0)
        sqlite3_bind_int64 (stmt, i, number);
    }

  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int
insert_entry (FbHistoryWriter *self,
              FbHistoryOp     *op)
{
  sqlite3_stmt *stmt;
  int rc;

  if (self->insert == NULL)
    {
      /* A message fetched again after a crash has a key already stored:
       * it stays one entry. */
      rc = sqlite3_prepare_v2 (self->db,
                               "INSERT INTO messages (id, feed_id, feed_name, message_key, sequence_key,"
                               " received, sent, title, body, link, icon, priority, tags, actions,"
                               " attachment_url, attachment_name, note, read, content_type)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                               " ON CONFLICT DO NOTHING",
                               -1, &self->insert, NULL);
      if (rc != SQLITE_OK)
        return rc;
    }

  stmt = self->insert;
  sqlite3_bind_int64 (stmt, 1, op->id);
  sqlite3_bind_text (stmt, 2, op->feed_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, op->feed_name != NULL ? op->feed_name : "", -1, SQLITE_STATIC);
  bind_text_or_null (stmt, 4, op->message_key);
  bind_text_or_null (stmt, 5, op->sequence_key);
  sqlite3_bind_int64 (stmt, 6, op->received);
  sqlite3_bind_int64 (stmt, 7, op->sent);
  sqlite3_bind_text (stmt, 8, op->title != NULL ? op->title : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, op->body != NULL ? op->body : "", -1, SQLITE_STATIC);
  bind_text_or_null (stmt, 10, op->link);
  bind_text_or_null (stmt, 11, op->icon);
  sqlite3_bind_int (stmt, 12, op->priority);
  bind_text_or_null (stmt, 13, op->tags);
  bind_text_or_null (stmt, 14, op->actions);
  bind_text_or_null (stmt, 15, op->attachment_url);
  bind_text_or_null (stmt, 16, op->attachment_name);
  sqlite3_bind_int (stmt, 17, op->note ? 1 : 0);
  sqlite3_bind_int (stmt, 18, op->read ? 1 : 0);
  bind_text_or_null (stmt, 19, op->content_type);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return rc;

  /* A revision: the entry it revises stays, superseded, and the new one
   * says which it was. */
  if (op->revises && op->sequence_key != NULL && sqlite3_changes (self->db) == 1)
    {
      rc = run (self, "UPDATE messages SET revision_of ="
                      " (SELECT max(id) FROM messages o WHERE o.feed_id = :text1 AND o.sequence_key = :text2"
                      "  AND o.id < :number AND o.superseded = 0)"
                      " WHERE id = :number",
                op->feed_id, op->sequence_key, op->id);
      if (rc == SQLITE_OK)
        rc = run (self, "UPDATE messages SET superseded = 1"
                        " WHERE feed_id = :text1 AND sequence_key = :text2 AND id < :number AND superseded = 0",
                  op->feed_id, op->sequence_key, op->id);
      return rc;
    }

  return SQLITE_OK;
}

/* Removes at most FB_HISTORY_PRUNE_BATCH entries past the retention.
 * Returns whether there may be more. */
static gboolean
prune_step (FbHistoryWriter *self,
            FbHistoryOp     *op)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *over_feed = NULL;
  gint64 over_by = 0;

  if (run (self, "DELETE FROM messages WHERE id IN"
                 " (SELECT id FROM messages WHERE received < :number ORDER BY received LIMIT "
                 G_STRINGIFY (FB_HISTORY_PRUNE_BATCH) ")",
           NULL, NULL, op->cutoff) != SQLITE_OK)
    return FALSE;
  if (sqlite3_changes (self->db) >= FB_HISTORY_PRUNE_BATCH)
    return TRUE;

  if (sqlite3_prepare_v2 (self->db, "SELECT feed_id, count(*) - ? FROM messages GROUP BY feed_id"
                                    " HAVING count(*) > ? LIMIT 1", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, op->max_per_feed);
      sqlite3_bind_int64 (stmt, 2, op->max_per_feed);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          over_feed = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          over_by = sqlite3_column_int64 (stmt, 1);
        }
    }
  sqlite3_finalize (stmt);

  if (over_feed == NULL)
    return FALSE;

  if (run (self, "DELETE FROM messages WHERE id IN"
                 " (SELECT id FROM messages WHERE feed_id = :text1 ORDER BY id LIMIT :number)",
           over_feed, NULL, MIN (over_by, FB_HISTORY_PRUNE_BATCH)) != SQLITE_OK)
    return FALSE;

  return TRUE;
}

static int
apply (FbHistoryWriter *self,
       FbHistoryOp     *op)
{
  switch (op->kind)
    {
    case FB_HISTORY_OP_ENTRY:
      return insert_entry (self, op);
    case FB_HISTORY_OP_POSITION:
      return run (self, "INSERT INTO positions (feed_id, data) VALUES (:text1, :text2)"
                        " ON CONFLICT (feed_id) DO UPDATE SET data = excluded.data",
                  op->feed_id, op->data, 0);
    case FB_HISTORY_OP_FORGET_POSITION:
      return run (self, "DELETE FROM positions WHERE feed_id = :text1", op->feed_id, NULL, 0);
    case FB_HISTORY_OP_MARK_READ:
      if (op->feed_id != NULL)
        return run (self, "UPDATE messages SET read = 1"
                          " WHERE read = 0 AND deleted = 0 AND feed_id = :text1 AND id <= :number",
                    op->feed_id, NULL, op->id);
      return run (self, "UPDATE messages SET read = 1 WHERE read = 0 AND deleted = 0 AND id <= :number",
                  NULL, NULL, op->id);
    case FB_HISTORY_OP_MARK_ENTRY_READ:
      return run (self, "UPDATE messages SET read = 1 WHERE id = :number", NULL, NULL, op->id);
    case FB_HISTORY_OP_DELETE:
      /* The row stays, emptied, so that its key still stops the message
       * from coming back if the server sends it again. */
      return run (self, "UPDATE messages SET deleted = 1, read = 1, title = '', body = '',"
                        " link = NULL, icon = NULL, tags = NULL, actions = NULL WHERE id = :number",
                  NULL, NULL, op->id);
    case FB_HISTORY_OP_SEQUENCE_DELETED:
      return run (self, "UPDATE messages SET deleted = 1, read = 1"
                        " WHERE feed_id = :text1 AND sequence_key = :text2",
                  op->feed_id, op->sequence_key, 0);
    case FB_HISTORY_OP_SEQUENCE_READ:
      return run (self, "UPDATE messages SET read = 1 WHERE feed_id = :text1 AND sequence_key = :text2",
                  op->feed_id, op->sequence_key, 0);
    case FB_HISTORY_OP_CLEAR_FEED:
      return run (self, "DELETE FROM messages WHERE feed_id = :text1", op->feed_id, NULL, 0);
    case FB_HISTORY_OP_MAX_PAGES:
      {
        g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, op->id);

        return sqlite3_exec (self->db, sql, NULL, NULL, NULL);
      }
    case FB_HISTORY_OP_PRUNE:
    case FB_HISTORY_OP_SYNC:
      return SQLITE_OK;
    default:
      g_assert_not_reached ();
    }
}

static void
finish_sync (FbHistorySync *sync,
             const GError  *error)
{
  g_mutex_lock (&sync->mutex);
  if (error != NULL)
    sync->error = g_error_copy (error);
  sync->done = TRUE;
  g_cond_signal (&sync->cond);
  g_mutex_unlock (&sync->mutex);
}

/* Applies @batches (arrays of ops) in one transaction. */
static void
commit (FbHistoryWriter *self,
        GPtrArray       *batches,
        gboolean        *prune,
        FbHistoryOp    **prune_op)
{
  g_autoptr(GError) error = NULL;
  FbHistoryResult *result;
  int rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

  for (guint i = 0; rc == SQLITE_OK && i < batches->len; i++)
    {
      GPtrArray *ops = g_ptr_array_index (batches, i);

      for (guint j = 0; rc == SQLITE_OK && j < ops->len; j++)
        {
          FbHistoryOp *op = g_ptr_array_index (ops, j);

          rc = apply (self, op);
          if (op->kind == FB_HISTORY_OP_PRUNE)
            {
              *prune = TRUE;
              *prune_op = op;
            }
        }
    }

  if (rc == SQLITE_OK)
    rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _fb_history_db_set_error (&error, self->db, rc, "Storing messages");
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      if (!self->told_error)
        g_warning ("%s; notifications go on, but these messages are not in the history", error->message);
      self->told_error = TRUE;
    }
  else
    {
      self->told_error = FALSE;
      self->n_transactions++;
    }

  /* Files of event logs now stored here, and syncs waiting. */
  for (guint i = 0; i < batches->len; i++)
    {
      GPtrArray *ops = g_ptr_array_index (batches, i);

      for (guint j = 0; j < ops->len; j++)
        {
          FbHistoryOp *op = g_ptr_array_index (ops, j);

          if (op->kind == FB_HISTORY_OP_POSITION && op->remove_path != NULL && error == NULL)
            g_unlink (op->remove_path);
          else if (op->kind == FB_HISTORY_OP_SYNC)
            finish_sync (op->sync, error);
        }
    }

  result = g_new0 (FbHistoryResult, 1);
  result->unread = _fb_history_db_count_unread (self->db);
  result->n_transactions = self->n_transactions;
  result->changed = error == NULL;
  self->result_func (result, self->result_data);
}

static gpointer
writer_thread (gpointer user_data)
{
  FbHistoryWriter *self = user_data;
  FbHistoryOp *prune = NULL;
  gboolean stop = FALSE;

  while (!stop)
    {
      g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
      GPtrArray *ops;
      gboolean prune_asked = FALSE;
      guint n_ops = 0;
      FbHistoryOp *prune_op = NULL;

      /* Pruning goes on a step at a time while nothing else waits. */
      if (prune != NULL)
        ops = g_async_queue_try_pop (self->queue);
      else
        ops = g_async_queue_pop (self->queue);

      if (ops == NULL)
        {
          gboolean more;

          sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
          more = prune_step (self, prune);
          if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            {
              sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
              more = FALSE;
            }
          else
            self->n_transactions++;
          if (!more)
            g_clear_pointer (&prune, _fb_history_op_free);
          continue;
        }

      do
        {
          if (ops->len == 0)
            {
              stop = TRUE;
              g_ptr_array_unref (ops);
              break;
            }
          g_ptr_array_add (batches, ops);
          n_ops += ops->len;
        }
      while (n_ops < TRANSACTION_MAX && (ops = g_async_queue_try_pop (self->queue)) != NULL);

      g_mutex_lock (&self->lock);
      g_cond_broadcast (&self->taken);
      g_mutex_unlock (&self->lock);
      self->ops_since_trim += n_ops;

      if (batches->len > 0)
        commit (self, batches, &prune_asked, &prune_op);
      /* A burst is over: its pages go back, so that a flood leaves no
       * lasting cost in a process that runs for weeks. After a large one,
       * so does this thread's malloc arena, which glibc would keep. */
      if (g_async_queue_length (self->queue) <= 0)
        {
          sqlite3_db_release_memory (self->db);
#ifdef __GLIBC__
          if (self->ops_since_trim >= TRIM_AFTER_OPS)
            {
              malloc_trim (0);
              self->ops_since_trim = 0;
            }
#endif
        }
      if (prune_asked)
        {
          /* Taken out of its batch, to live on between steps. */
          FbHistoryOp *copy = g_new0 (FbHistoryOp, 1);

          copy->kind = FB_HISTORY_OP_PRUNE;
          copy->cutoff = prune_op->cutoff;
          copy->max_per_feed = prune_op->max_per_feed;
          g_clear_pointer (&prune, _fb_history_op_free);
          prune = copy;
        }
    }

  g_clear_pointer (&prune, _fb_history_op_free);

  return NULL;
}

FbHistoryWriter *
_fb_history_writer_new (sqlite3             *db,
                        FbHistoryResultFunc  func,
                        gpointer             user_data)
{
  FbHistoryWriter *self = g_new0 (FbHistoryWriter, 1);

  self->db = db;
  self->queue = g_async_queue_new ();
  g_mutex_init (&self->lock);
  g_cond_init (&self->taken);
  self->result_func = func;
  self->result_data = user_data;
  self->thread = g_thread_new ("fb-history", writer_thread, self);

  return self;
}

/* Takes @ops. */
void
_fb_history_writer_push (FbHistoryWriter *self,
                         GPtrArray       *ops)
{
  g_return_if_fail (ops->len > 0);

  g_mutex_lock (&self->lock);
  while (g_async_queue_length (self->queue) >= QUEUE_MAX)
    g_cond_wait (&self->taken, &self->lock);
  g_mutex_unlock (&self->lock);

  g_async_queue_push (self->queue, ops);
}

/**
 * _fb_history_writer_sync:
 * @ops: (transfer full) (nullable): what to commit first
 *
 * Blocks until everything pushed so far, and @ops, is committed.
 */
gboolean
_fb_history_writer_sync (FbHistoryWriter  *self,
                         GPtrArray        *ops,
                         GError          **error)
{
  FbHistorySync sync = { 0 };
  FbHistoryOp *op = g_new0 (FbHistoryOp, 1);
  gboolean ok;

  g_mutex_init (&sync.mutex);
  g_cond_init (&sync.cond);
  op->kind = FB_HISTORY_OP_SYNC;
  op->sync = &sync;
  if (ops == NULL)
    ops = g_ptr_array_new_with_free_func ((GDestroyNotify) _fb_history_op_free);
  g_ptr_array_add (ops, op);
  g_async_queue_push (self->queue, ops);

  g_mutex_lock (&sync.mutex);
  while (!sync.done)
    g_cond_wait (&sync.cond, &sync.mutex);
  g_mutex_unlock (&sync.mutex);

  ok = sync.error == NULL;
  if (!ok)
    g_propagate_error (error, sync.error);
  g_mutex_clear (&sync.mutex);
  g_cond_clear (&sync.cond);

  return ok;
}

/* Stops the thread once everything queued is committed, and closes the
 * database. */
void
_fb_history_writer_free (FbHistoryWriter *self)
{
  g_async_queue_push (self->queue, g_ptr_array_new ());
  g_thread_join (self->thread);
  g_async_queue_unref (self->queue);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->taken);
  g_clear_pointer (&self->insert, sqlite3_finalize);
  sqlite3_close (self->db);
  g_free (self);
}
