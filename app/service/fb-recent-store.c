/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-recent-store"

#include "config.h"

#include "fb-recent-store.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "fb-message.h"

/*
 * The tray's Recent list, kept across restarts in
 * `$XDG_STATE_HOME/feedbell/recent.json`. Each message is saved as what it
 * showed (feed, title, body, click URL, priority, time) and read back as an
 * ntfy-shaped message, so it comes back through the same code, with the
 * same URL checks, as anything a server sends. A file that cannot be read
 * is set aside; Recent then starts empty.
 */

char *
fb_recent_store_default_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "feedbell", "recent.json", NULL);
}

/**
 * fb_recent_message_new:
 * @feed_name: the feed it is shown under
 * @id: (nullable): its id
 * @priority: ntfy's 1–5
 * @time: Unix seconds, 0 when unknown
 * @click: (nullable): an http(s) URL to open
 *
 * A message made here rather than sent by a server: read back from the
 * saved list, or Feedbell's own word about a feed. It goes through the
 * ntfy path, so it gets the same bounds and URL checks as anything else.
 */
FbMessage *
fb_recent_message_new (const char *feed_name,
                       const char *id,
                       const char *title,
                       const char *body,
                       int         priority,
                       gint64      time,
                       const char *click)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *data = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id ? id : "");
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "message");
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, title);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, body);
  json_builder_set_member_name (builder, "priority");
  json_builder_add_int_value (builder, priority);
  json_builder_set_member_name (builder, "time");
  json_builder_add_int_value (builder, time);
  if (click != NULL && click[0] != '\0')
    {
      json_builder_set_member_name (builder, "click");
      json_builder_add_string_value (builder, click);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, NULL);

  return fb_message_new_from_event (feed_name, FB_MESSAGE_FORMAT_NTFY, "message", data, strlen (data), id);
}

static FbMessage *
message_from_json (JsonObject *object)
{
  return fb_recent_message_new (json_object_get_string_member_with_default (object, "feed", ""),
                                json_object_get_string_member_with_default (object, "id", ""),
                                json_object_get_string_member_with_default (object, "title", ""),
                                json_object_get_string_member_with_default (object, "body", ""),
                                json_object_get_int_member_with_default (object, "priority", 3),
                                json_object_get_int_member_with_default (object, "time", 0),
                                json_object_get_string_member_with_default (object, "click", ""));
}

/**
 * fb_recent_store_load:
 * @max: keep at most this many
 *
 * Returns: (transfer full): the saved messages, newest first; empty when none
 */
GPtrArray *
fb_recent_store_load (const char *path,
                      guint       max)
{
  g_autoptr(GPtrArray) recent = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonArray *array;

  if (!json_parser_load_from_mapped_file (parser, path, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_autofree char *aside = g_strconcat (path, ".corrupt", NULL);

          g_message ("Could not read %s (%s); set aside, Recent starts empty", path, error->message);
          g_rename (path, aside);
        }
      return g_steal_pointer (&recent);
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "recent") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "recent")))
    {
      g_autofree char *aside = g_strconcat (path, ".corrupt", NULL);

      g_message ("%s is not a Recent list; set aside, Recent starts empty", path);
      g_rename (path, aside);
      return g_steal_pointer (&recent);
    }

  array = json_object_get_array_member (json_node_get_object (root), "recent");
  for (guint i = 0; i < json_array_get_length (array) && recent->len < max; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        g_ptr_array_add (recent, message_from_json (json_node_get_object (node)));
    }

  return g_steal_pointer (&recent);
}

/**
 * fb_recent_store_save:
 * @recent: (element-type FbMessage): newest first
 *
 * Writes atomically.
 */
gboolean
fb_recent_store_save (const char  *path,
                      GPtrArray   *recent,
                      GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "recent");
  json_builder_begin_array (builder);
  for (guint i = 0; i < recent->len; i++)
    {
      FbMessage *message = g_ptr_array_index (recent, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "feed");
      json_builder_add_string_value (builder, fb_message_get_feed_name (message));
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, fb_message_get_id (message));
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, fb_message_get_title (message));
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, fb_message_get_body (message));
      json_builder_set_member_name (builder, "priority");
      json_builder_add_int_value (builder, fb_message_get_priority (message));
      json_builder_set_member_name (builder, "time");
      json_builder_add_int_value (builder, fb_message_get_time (message));
      json_builder_set_member_name (builder, "click");
      json_builder_add_string_value (builder, fb_message_get_click_url (message)
                                                ? fb_message_get_click_url (message) : "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not create %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  return g_file_set_contents_full (path, data, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}
