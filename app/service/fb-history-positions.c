/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-history"

#include "config.h"

#include "fb-history-private.h"

/*
 * Feeds' positions in the history: each feed's FbEventLog hands its saves
 * here, and each batch of writes ends with the positions of the feeds it
 * changed, so that a position is committed with the messages it covers.
 */

void
_fb_history_add_positions (FbHistory *self)
{
  GHashTableIter iter;
  gpointer feed_id;
  gpointer saved;

  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &feed_id, &saved))
    {
      GWeakRef *ref = g_hash_table_lookup (self->logs, feed_id);
      g_autoptr(FbEventLog) log = ref != NULL ? g_weak_ref_get (ref) : NULL;
      FbHistoryOp *op = _fb_history_op_new (FB_HISTORY_OP_POSITION, feed_id);

      /* A log that is gone left its last state. */
      op->data = log != NULL ? fb_event_log_dup_data (log) : g_strdup (saved);
      if (op->data == NULL)
        {
          _fb_history_op_free (op);
          continue;
        }
      g_ptr_array_add (self->pending, op);
    }
  g_hash_table_remove_all (self->dirty);
}

typedef struct
{
  GWeakRef  history;
  char     *feed_id;
} PositionSink;

static void
position_sink_free (gpointer data)
{
  PositionSink *sink = data;

  g_weak_ref_clear (&sink->history);
  g_free (sink->feed_id);
  g_free (sink);
}

/* The log's debounced save: a position that moved without a message (an
 * ignored event), or the log's last state as it goes. */
static gboolean
save_position_cb (FbEventLog  *log,
                  const char  *data,
                  gpointer     user_data,
                  GError     **error)
{
  PositionSink *sink = user_data;
  g_autoptr(FbHistory) self = g_weak_ref_get (&sink->history);

  if (self == NULL || self->writer == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the history is closed");
      return FALSE;
    }

  g_hash_table_replace (self->dirty, g_strdup (sink->feed_id), g_strdup (data));
  if (self->flush_id == 0)
    self->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, _fb_history_flush_cb, self, NULL);

  return TRUE;
}

/**
 * fb_history_attach_event_log:
 * @feed_id: the feed @log belongs to
 * @log: the feed's event log
 *
 * Keeps @log's state (where the feed resumes, what it has seen) in the
 * history, queued behind the messages it covers, so that after a crash the
 * feed never resumes past a message the history does not hold. A state
 * stored here replaces what @log read from its file; a log that has only
 * its file is brought over, and the file removed once stored. A temporary
 * history leaves @log with its file.
 */
void
fb_history_attach_event_log (FbHistory  *self,
                             const char *feed_id,
                             FbEventLog *log)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  const char *file = fb_event_log_get_path (log);
  PositionSink *sink;

  g_return_if_fail (FB_IS_HISTORY (self));
  g_return_if_fail (!self->read_only);
  g_return_if_fail (feed_id != NULL);
  g_return_if_fail (FB_IS_EVENT_LOG (log));

  if (!fb_history_is_persistent (self))
    return;

  /* A runner made again for the same feed must read what the last one
   * queued. */
  if (!fb_history_sync (self, &error))
    g_clear_error (&error);

  stored = _fb_history_db_get_position (self->reader, feed_id);
  if (stored != NULL && !fb_event_log_load_data (log, stored, &error))
    {
      g_message ("The stored position of feed %s is damaged (%s); it resumes from its file", feed_id, error->message);
      g_clear_pointer (&stored, g_free);
    }

  sink = g_new0 (PositionSink, 1);
  g_weak_ref_init (&sink->history, self);
  sink->feed_id = g_strdup (feed_id);
  fb_event_log_set_save_func (log, save_position_cb, sink, position_sink_free);
  {
    GWeakRef *ref = g_new0 (GWeakRef, 1);

    g_weak_ref_init (ref, log);
    g_hash_table_replace (self->logs, g_strdup (feed_id), ref);
  }

  if (file != NULL && g_file_test (file, G_FILE_TEST_EXISTS))
    {
      FbHistoryOp *op = _fb_history_op_new (FB_HISTORY_OP_POSITION, feed_id);

      op->data = fb_event_log_dup_data (log);
      op->remove_path = g_strdup (file);
      _fb_history_queue_op (self, op);
    }
}

/**
 * fb_history_forget_position:
 *
 * Forgets where a removed feed resumes (its entries stay).
 */
void
fb_history_forget_position (FbHistory  *self,
                            const char *feed_id)
{
  g_return_if_fail (FB_IS_HISTORY (self));
  g_return_if_fail (!self->read_only);
  g_return_if_fail (feed_id != NULL);

  g_hash_table_remove (self->logs, feed_id);
  g_hash_table_remove (self->dirty, feed_id);
  _fb_history_queue_op (self, _fb_history_op_new (FB_HISTORY_OP_FORGET_POSITION, feed_id));
}
