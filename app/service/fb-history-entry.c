/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-history"

#include "config.h"

#include "fb-history-private.h"

#include <json-glib/json-glib.h>

/*
 * One row of the history, as the Messages view and `feedbell --history`
 * see it: the message made again through fb_message_new_stored(), so it is
 * bounded and its links checked like a message from a server, plus what
 * only the history knows (its id, feed id, read and deleted flags).
 */

struct _FbHistoryEntry
{
  GObject    parent_instance;

  gint64     id;
  char      *feed_id;
  FbMessage *message;
  gint64     received;
  gint64     revision_of;
  gboolean   read;
  gboolean   deleted;
  gboolean   note;
};

G_DEFINE_FINAL_TYPE (FbHistoryEntry, fb_history_entry, G_TYPE_OBJECT)

static void
fb_history_entry_finalize (GObject *object)
{
  FbHistoryEntry *self = FB_HISTORY_ENTRY (object);

  g_free (self->feed_id);
  g_clear_object (&self->message);

  G_OBJECT_CLASS (fb_history_entry_parent_class)->finalize (object);
}

static void
fb_history_entry_class_init (FbHistoryEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fb_history_entry_finalize;
}

static void
fb_history_entry_init (FbHistoryEntry *self)
{
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* A JSON array of strings, as the writer stored tags; anything else is none. */
static GStrv
parse_tags (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *root;

  if (json != NULL && json[0] != '\0' && json_parser_load_from_data (parser, json, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (node));
        }
    }

  return g_strv_builder_end (builder);
}

/* A row of FB_HISTORY_COLUMNS. */
FbHistoryEntry *
_fb_history_entry_new_from_row (sqlite3_stmt *stmt)
{
  FbHistoryEntry *self = g_object_new (FB_TYPE_HISTORY_ENTRY, NULL);
  g_auto(GStrv) tags = parse_tags (column_text (stmt, 12));
  FbMessageFields fields = {
    .feed_name = column_text (stmt, 2),
    .key = column_text (stmt, 3),
    .group = column_text (stmt, 4),
    .time = sqlite3_column_int64 (stmt, 6),
    .title = column_text (stmt, 7),
    .body = column_text (stmt, 8),
    .click_url = column_text (stmt, 9),
    .icon_url = column_text (stmt, 10),
    .priority = sqlite3_column_int (stmt, 11),
    .tags = (const char * const *) tags,
    .attachment_url = column_text (stmt, 14),
    .attachment_name = column_text (stmt, 15),
    .markdown = g_strcmp0 (column_text (stmt, 20), "text/markdown") == 0,
    .actions_json = column_text (stmt, 13),
  };

  self->id = sqlite3_column_int64 (stmt, 0);
  self->feed_id = g_strdup (column_text (stmt, 1) != NULL ? column_text (stmt, 1) : "");
  self->received = sqlite3_column_int64 (stmt, 5);
  self->note = sqlite3_column_int (stmt, 16) != 0;
  self->read = sqlite3_column_int (stmt, 17) != 0;
  self->deleted = sqlite3_column_int (stmt, 18) != 0;
  self->revision_of = sqlite3_column_int64 (stmt, 19);
  self->message = fb_message_new_stored (&fields);
  fb_message_set_history_id (self->message, self->id);

  return self;
}

/**
 * fb_history_entry_get_id:
 *
 * Returns: its id: larger for later entries
 */
gint64
fb_history_entry_get_id (FbHistoryEntry *self)
{
  g_return_val_if_fail (FB_IS_HISTORY_ENTRY (self), 0);

  return self->id;
}

/**
 * fb_history_entry_get_feed_id:
 *
 * Returns: the id of the feed it came from; "" when the feed was not known
 *   (an entry brought over from the old Recent file)
 */
const char *
fb_history_entry_get_feed_id (FbHistoryEntry *self)
{
  g_return_val_if_fail (FB_IS_HISTORY_ENTRY (self), NULL);

  return self->feed_id;
}

/**
 * fb_history_entry_get_message:
 *
 * Returns: (transfer none): the message, with its feed's name as it was
 */
FbMessage *
fb_history_entry_get_message (FbHistoryEntry *self)
{
  g_return_val_if_fail (FB_IS_HISTORY_ENTRY (self), NULL);

  return self->message;
}

/**
 * fb_history_entry_get_received:
 *
 * Returns: when it arrived, wall-clock µs
 */
gint64
fb_history_entry_get_received (FbHistoryEntry *self)
{
  g_return_val_if_fail (FB_IS_HISTORY_ENTRY (self), 0);

  return self->received;
}

gboolean
fb_history_entry_get_read (FbHistoryEntry *self)
{
  g_return_val_if_fail (FB_IS_HISTORY_ENTRY (self), FALSE);

  return self->read;
}

gboolean
fb_history_entry_get_deleted (FbHistoryEntry *self)
{
  g_return_val_if_fail (FB_IS_HISTORY_ENTRY (self), FALSE);

  return self->deleted;
}

/**
 * fb_history_entry_is_note:
 *
 * Returns: whether Feedbell wrote it (an outage, a summary), not a server
 */
gboolean
fb_history_entry_is_note (FbHistoryEntry *self)
{
  g_return_val_if_fail (FB_IS_HISTORY_ENTRY (self), FALSE);

  return self->note;
}

/**
 * fb_history_entry_get_revision_of:
 *
 * Returns: the id of the entry it revises, 0 when none
 */
gint64
fb_history_entry_get_revision_of (FbHistoryEntry *self)
{
  g_return_val_if_fail (FB_IS_HISTORY_ENTRY (self), 0);

  return self->revision_of;
}
