/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-history"

#include "config.h"

#include "fb-history-private.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "fb-recent-store.h"

/*
 * What the main thread asks the history to write: entries, read flags,
 * deletions, retention. Each call queues an operation for the writer
 * thread (fb-history.c hands them over, fb-history-writer.c applies them).
 */

static char *
tags_json (FbMessage *message)
{
  const char * const *tags = fb_message_get_tags (message);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (tags == NULL || tags[0] == NULL)
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_array (builder);
  for (guint i = 0; tags[i] != NULL; i++)
    json_builder_add_string_value (builder, tags[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

static const char *
empty_to_null (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : NULL;
}

static FbHistoryOp *
entry_op (FbHistory  *self,
          const char *feed_id,
          FbMessage  *message,
          gboolean    note)
{
  FbHistoryOp *op = _fb_history_op_new (FB_HISTORY_OP_ENTRY, feed_id != NULL ? feed_id : "");
  const char *key = empty_to_null (fb_message_get_key (message));

  /* A message's key: ntfy's id or a mapping's key, else its SSE id. */
  if (key == NULL)
    key = empty_to_null (fb_message_get_id (message));

  op->id = self->next_id++;
  op->feed_name = g_strdup (fb_message_get_feed_name (message));
  op->message_key = note ? NULL : g_strdup (key);
  op->sequence_key = g_strdup (empty_to_null (fb_message_get_group (message)));
  op->received = fb_clock_get_real (self->clock);
  op->sent = fb_message_get_time (message);
  op->title = g_strdup (fb_message_get_title (message));
  op->body = g_strdup (fb_message_get_body (message));
  op->link = g_strdup (fb_message_get_click_url (message));
  op->icon = g_strdup (fb_message_get_icon_url (message));
  op->priority = fb_message_get_priority (message);
  op->tags = tags_json (message);
  op->actions = fb_message_dup_actions_json (message);
  op->attachment_url = g_strdup (fb_message_get_attachment_url (message));
  op->attachment_name = g_strdup (fb_message_get_attachment_name (message));
  op->note = note;
  op->content_type = fb_message_is_markdown (message) ? g_strdup ("text/markdown") : NULL;
  /* ntfy's sequence ids are revisions of one message; other groups (a Home
   * Assistant entity, say) only share a notification on screen, and the
   * history keeps each of their messages. */
  op->revises = !note && fb_message_is_ntfy (message) && op->sequence_key != NULL;
  fb_message_set_history_id (message, op->id);

  return op;
}

/**
 * fb_history_append:
 * @feed_id: the feed @message came from
 * @message: the message; its history id is set
 *
 * Stores @message: queued now, committed within this main-loop burst.
 *
 * Returns: its entry's id
 */
gint64
fb_history_append (FbHistory  *self,
                   const char *feed_id,
                   FbMessage  *message)
{
  FbHistoryOp *op;

  g_return_val_if_fail (FB_IS_HISTORY (self), 0);
  g_return_val_if_fail (!self->read_only, 0);
  g_return_val_if_fail (FB_IS_MESSAGE (message), 0);

  op = entry_op (self, feed_id, message, FALSE);
  /* Before queuing: a batch handed over now must end with this position. */
  if (feed_id != NULL && g_hash_table_contains (self->logs, feed_id) &&
      !g_hash_table_contains (self->dirty, feed_id))
    g_hash_table_insert (self->dirty, g_strdup (feed_id), NULL);
  _fb_history_queue_op (self, op);

  return op->id;
}

/**
 * fb_history_append_note:
 * @feed_id: (nullable): the feed it is about
 * @note: what Feedbell says about it (an outage, a summary)
 *
 * Stores a note: like a message, but never counted as unread and never
 * dropped as a repeat.
 *
 * Returns: its entry's id
 */
gint64
fb_history_append_note (FbHistory  *self,
                        const char *feed_id,
                        FbMessage  *note)
{
  FbHistoryOp *op;

  g_return_val_if_fail (FB_IS_HISTORY (self), 0);
  g_return_val_if_fail (!self->read_only, 0);
  g_return_val_if_fail (FB_IS_MESSAGE (note), 0);

  op = entry_op (self, feed_id, note, TRUE);
  op->read = TRUE;
  _fb_history_queue_op (self, op);

  return op->id;
}

/**
 * fb_history_mark_read:
 * @feed_id: (nullable): only this feed's entries; %NULL: all
 * @up_to_id: the newest entry to mark
 *
 * Marks every entry up to @up_to_id as read: what a view showed.
 */
void
fb_history_mark_read (FbHistory  *self,
                      const char *feed_id,
                      gint64      up_to_id)
{
  FbHistoryOp *op;

  g_return_if_fail (FB_IS_HISTORY (self));
  g_return_if_fail (!self->read_only);

  op = _fb_history_op_new (FB_HISTORY_OP_MARK_READ, feed_id);
  op->id = up_to_id;
  _fb_history_queue_op (self, op);
}

void
fb_history_mark_entry_read (FbHistory *self,
                            gint64     id)
{
  FbHistoryOp *op;

  g_return_if_fail (FB_IS_HISTORY (self));
  g_return_if_fail (!self->read_only);

  op = _fb_history_op_new (FB_HISTORY_OP_MARK_ENTRY_READ, NULL);
  op->id = id;
  _fb_history_queue_op (self, op);
}

/**
 * fb_history_delete_entry:
 *
 * Deletes an entry's content. Its key stays, so that the message does not
 * come back if the server sends it again.
 */
void
fb_history_delete_entry (FbHistory *self,
                         gint64     id)
{
  FbHistoryOp *op;

  g_return_if_fail (FB_IS_HISTORY (self));
  g_return_if_fail (!self->read_only);

  op = _fb_history_op_new (FB_HISTORY_OP_DELETE, NULL);
  op->id = id;
  _fb_history_queue_op (self, op);
}

/**
 * fb_history_close_sequence:
 * @sequence_key: the key its messages share (ntfy's sequence id)
 * @deleted: %TRUE: the server deleted it; %FALSE: it was cleared (read)
 *
 * What ntfy's `message_delete` and `message_clear` do to a feed's entries of
 * one sequence: deleted ones are no longer listed, cleared ones are read.
 */
void
fb_history_close_sequence (FbHistory  *self,
                           const char *feed_id,
                           const char *sequence_key,
                           gboolean    deleted)
{
  FbHistoryOp *op;

  g_return_if_fail (FB_IS_HISTORY (self));
  g_return_if_fail (!self->read_only);
  g_return_if_fail (feed_id != NULL);
  g_return_if_fail (sequence_key != NULL);

  op = _fb_history_op_new (deleted ? FB_HISTORY_OP_SEQUENCE_DELETED : FB_HISTORY_OP_SEQUENCE_READ, feed_id);
  op->sequence_key = g_strdup (sequence_key);
  _fb_history_queue_op (self, op);
}

/**
 * fb_history_clear_feed:
 *
 * Removes every entry of a feed (its resume position stays).
 */
void
fb_history_clear_feed (FbHistory  *self,
                       const char *feed_id)
{
  g_return_if_fail (FB_IS_HISTORY (self));
  g_return_if_fail (!self->read_only);
  g_return_if_fail (feed_id != NULL);

  _fb_history_queue_op (self, _fb_history_op_new (FB_HISTORY_OP_CLEAR_FEED, feed_id));
}

/**
 * fb_history_set_retention:
 * @days: how long entries are kept
 * @max_per_feed: how many entries each feed keeps at most
 *
 * Sets the retention and applies it, a little at a time.
 */
void
fb_history_set_retention (FbHistory *self,
                          guint      days,
                          guint      max_per_feed)
{
  g_return_if_fail (FB_IS_HISTORY (self));

  self->days = MAX (days, 1);
  self->max_per_feed = MAX (max_per_feed, 1);
  fb_history_prune (self);
}

/**
 * fb_history_prune:
 *
 * Removes what the retention no longer keeps, oldest first, in steps of
 * FB_HISTORY_PRUNE_BATCH rows that give way to other writes. Runs by
 * itself every hour.
 */
void
fb_history_prune (FbHistory *self)
{
  FbHistoryOp *op;

  g_return_if_fail (FB_IS_HISTORY (self));

  if (self->read_only)
    return;

  op = _fb_history_op_new (FB_HISTORY_OP_PRUNE, NULL);
  op->cutoff = fb_clock_get_real (self->clock) - (gint64) self->days * 24 * 60 * 60 * G_USEC_PER_SEC;
  op->max_per_feed = self->max_per_feed;
  _fb_history_queue_op (self, op);
}

/**
 * fb_history_import_recent:
 * @recent_path: the Recent file of Feedbell before the history
 * @feed_ids_by_name: feed name → feed id, for the entries' feeds
 *
 * Brings the old Recent list in, as read entries, and removes the file
 * once they are stored.
 *
 * Returns: whether anything was brought in
 */
gboolean
fb_history_import_recent (FbHistory  *self,
                          const char *recent_path,
                          GHashTable *feed_ids_by_name)
{
  g_autoptr(GPtrArray) recent = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now;

  g_return_val_if_fail (FB_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (recent_path != NULL, FALSE);

  if (!fb_history_is_persistent (self) || !g_file_test (recent_path, G_FILE_TEST_EXISTS))
    return FALSE;

  recent = fb_recent_store_load (recent_path, FB_HISTORY_QUERY_MAX);
  now = fb_clock_get_real (self->clock);

  /* The file is newest first; ids grow with time. */
  for (guint i = recent->len; i > 0; i--)
    {
      FbMessage *message = g_ptr_array_index (recent, i - 1);
      const char *feed_id = feed_ids_by_name != NULL
                            ? g_hash_table_lookup (feed_ids_by_name, fb_message_get_feed_name (message)) : NULL;
      FbHistoryOp *op = entry_op (self, feed_id, message, FALSE);

      op->read = TRUE;
      if (op->sent > 0)
        op->received = MIN (op->sent * G_USEC_PER_SEC, now);
      _fb_history_queue_op (self, op);
    }

  if (!fb_history_sync (self, &error))
    {
      g_warning ("Could not bring the Recent list into the history: %s", error->message);
      return FALSE;
    }

  g_unlink (recent_path);
  return recent->len > 0;
}

void
_fb_history_limit_pages (FbHistory *self,
                         gint64     max_pages)
{
  FbHistoryOp *op = _fb_history_op_new (FB_HISTORY_OP_MAX_PAGES, NULL);

  op->id = max_pages;
  _fb_history_queue_op (self, op);
}
