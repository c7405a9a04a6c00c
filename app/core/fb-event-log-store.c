/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-event-log"

#include "config.h"

#include "fb-event-log-private.h"

#include "fb-clock.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

/*
 * FbEventLog's persistence: its state read from and written as JSON, to
 * its file or to the save function that replaces it, and where a feed's
 * file lives. The debounce that decides when to write is in fb-event-log.c.
 */

static gboolean
parse (FbEventLog  *self,
       const char  *contents,
       gsize        length,
       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, contents, length, error))
    return FALSE;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a JSON object");
      return FALSE;
    }

  object = json_node_get_object (root);
  if (json_object_get_int_member_with_default (object, "version", 0) != 1)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown version");
      return FALSE;
    }

  self->last_event_id = g_strdup (json_object_get_string_member_with_default (object, "lastEventId", ""));
  self->last_seen = json_object_get_int_member_with_default (object, "lastSeen", 0);
  if (json_object_get_string_member_with_default (object, "resumeParam", "")[0] != '\0')
    self->resume_param = g_strdup (json_object_get_string_member (object, "resumeParam"));

  if (json_object_has_member (object, "seen") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "seen")))
    {
      JsonArray *seen = json_object_get_array_member (object, "seen");

      for (guint i = 0; i < json_array_get_length (seen); i++)
        {
          JsonNode *node = json_array_get_element (seen, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            _fb_event_log_remember (self, json_node_get_string (node));
        }
    }

  return TRUE;
}

void
_fb_event_log_load (FbEventLog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (self->path, &contents, &length, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_message ("Could not read %s (%s); this feed starts afresh", self->path, error->message);
      return;
    }

  if (!parse (self, contents, length, &error))
    {
      g_autofree char *aside = g_strconcat (self->path, ".corrupt", NULL);

      g_message ("%s is damaged (%s); set aside as %s, this feed starts afresh",
                 self->path, error->message, aside);
      g_rename (self->path, aside);
      fb_event_log_forget (self);
      self->dirty = FALSE;
      fb_clock_clear_timeout (self->clock, &self->save_id);
    }
}

static char *
serialize (FbEventLog *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "lastEventId");
  json_builder_add_string_value (builder, self->last_event_id ? self->last_event_id : "");
  json_builder_set_member_name (builder, "resumeParam");
  json_builder_add_string_value (builder, self->resume_param ? self->resume_param : "");
  json_builder_set_member_name (builder, "lastSeen");
  json_builder_add_int_value (builder, self->last_seen);
  json_builder_set_member_name (builder, "seen");
  json_builder_begin_array (builder);
  for (GList *l = self->order.head; l != NULL; l = l->next)
    json_builder_add_string_value (builder, l->data);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

/**
 * fb_event_log_flush:
 *
 * Writes what changed now, atomically.
 *
 * Returns: whether the state is on disk
 */
gboolean
fb_event_log_flush (FbEventLog  *self,
                    GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;

  g_return_val_if_fail (FB_IS_EVENT_LOG (self), FALSE);

  fb_clock_clear_timeout (self->clock, &self->save_id);
  if (!self->dirty)
    return TRUE;

  if (self->save_func != NULL)
    {
      data = serialize (self);
      if (!self->save_func (self, data, self->save_data, error))
        return FALSE;
      self->dirty = FALSE;
      self->n_writes++;
      return TRUE;
    }

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not create %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  data = serialize (self);
  if (!g_file_set_contents_full (self->path, data, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;

  self->dirty = FALSE;
  self->n_writes++;
  return TRUE;
}

/**
 * fb_event_log_path_for_feed:
 *
 * Returns: (transfer full): `$XDG_STATE_HOME/feedbell/feeds/<id>.json`
 */
char *
fb_event_log_path_for_feed (const char *feed_id)
{
  g_autofree char *name = g_strconcat (feed_id, ".json", NULL);

  return g_build_filename (g_get_user_state_dir (), "feedbell", "feeds", name, NULL);
}

/**
 * fb_event_log_set_save_func:
 * @func: (nullable): what stores the state from now on; %NULL: the file
 * @user_data: for @func
 * @destroy: (nullable): frees @user_data when the log is disposed or
 *   another function is set
 *
 * Hands the log's saves, debounced as ever, to @func instead of its file.
 * The file is still where the state was read from, if the log was made
 * with one.
 */
void
fb_event_log_set_save_func (FbEventLog         *self,
                            FbEventLogSaveFunc  func,
                            gpointer            user_data,
                            GDestroyNotify      destroy)
{
  g_return_if_fail (FB_IS_EVENT_LOG (self));

  if (self->save_destroy != NULL)
    self->save_destroy (self->save_data);
  self->save_func = func;
  self->save_data = user_data;
  self->save_destroy = destroy;
}

/**
 * fb_event_log_load_data:
 * @data: a state as fb_event_log_set_save_func()'s function was given it
 *
 * Replaces the log's state with @data. On error the log is left as it was.
 *
 * Returns: whether @data was read
 */
gboolean
fb_event_log_load_data (FbEventLog  *self,
                        const char  *data,
                        GError     **error)
{
  g_autoptr(FbEventLog) scratch = NULL;

  g_return_val_if_fail (FB_IS_EVENT_LOG (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  /* Parsed into a scratch log first, so that a bad state changes nothing. */
  scratch = g_object_new (FB_TYPE_EVENT_LOG, "clock", self->clock, NULL);
  if (!parse (scratch, data, strlen (data), error))
    return FALSE;

  g_free (self->last_event_id);
  self->last_event_id = g_steal_pointer (&scratch->last_event_id);
  g_free (self->resume_param);
  self->resume_param = g_steal_pointer (&scratch->resume_param);
  self->last_seen = scratch->last_seen;
  g_hash_table_remove_all (self->seen);
  g_queue_clear_full (&self->order, g_free);
  for (GList *l = scratch->order.head; l != NULL; l = l->next)
    _fb_event_log_remember (self, l->data);
  self->dirty = FALSE;
  fb_clock_clear_timeout (self->clock, &self->save_id);

  return TRUE;
}

/**
 * fb_event_log_get_path:
 *
 * Returns: (nullable): the file the log was read from, if any
 */
const char *
fb_event_log_get_path (FbEventLog *self)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), NULL);

  return self->path;
}

/**
 * fb_event_log_dup_data:
 *
 * Returns: (transfer full): its state, as fb_event_log_load_data() reads it
 */
char *
fb_event_log_dup_data (FbEventLog *self)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), NULL);

  return serialize (self);
}
