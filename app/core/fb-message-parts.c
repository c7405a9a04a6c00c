/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-message"

#include "config.h"

#include "fb-message-private.h"

/*
 * What an ntfy message carries beyond its text: the request of an http
 * action, the details of an attachment, and the actions as JSON for a
 * store to keep and give back to fb_message_new_stored().
 */

/**
 * fb_message_get_action_http:
 * @index: from 0 to fb_message_get_n_actions() - 1
 *
 * Returns: (nullable): for an http action, ntfy's action object as JSON
 *   (method, url, headers, body, clear), to be checked and sent by the
 *   service layer; %NULL for a view action
 */
const char *
fb_message_get_action_http (FbMessage *self,
                            guint      index)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  if (index >= self->n_actions)
    return NULL;

  return self->actions[index].http;
}

/**
 * fb_message_dup_actions_json:
 *
 * Returns: (transfer full) (nullable): the actions as an ntfy actions
 *   array, %NULL when there are none
 */
char *
fb_message_dup_actions_json (FbMessage *self)
{
  g_autoptr(GString) json = NULL;

  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  if (self->n_actions == 0)
    return NULL;

  json = g_string_new ("[");
  for (guint i = 0; i < self->n_actions; i++)
    {
      if (i > 0)
        g_string_append_c (json, ',');
      if (self->actions[i].http != NULL)
        {
          g_string_append (json, self->actions[i].http);
          continue;
        }
      {
        g_autoptr(JsonBuilder) builder = json_builder_new ();
        g_autoptr(JsonNode) node = NULL;
        g_autofree char *text = NULL;

        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "action");
        json_builder_add_string_value (builder, "view");
        json_builder_set_member_name (builder, "label");
        json_builder_add_string_value (builder, self->actions[i].label);
        json_builder_set_member_name (builder, "url");
        json_builder_add_string_value (builder, self->actions[i].url);
        json_builder_end_object (builder);
        node = json_builder_get_root (builder);
        text = json_to_string (node, FALSE);
        g_string_append (json, text);
      }
    }
  g_string_append_c (json, ']');

  return g_string_free (g_steal_pointer (&json), FALSE);
}

/**
 * fb_message_get_attachment_type:
 *
 * Returns: (nullable): the attachment's MIME type as the server gave it
 *   (only for files uploaded to it)
 */
const char *
fb_message_get_attachment_type (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  return self->attachment_type;
}

/**
 * fb_message_get_attachment_size:
 *
 * Returns: its size in bytes, 0 when not given
 */
gint64
fb_message_get_attachment_size (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), 0);

  return self->attachment_size;
}

/**
 * fb_message_get_attachment_expires:
 *
 * Returns: when the server deletes it, Unix seconds; 0 when not given
 */
gint64
fb_message_get_attachment_expires (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), 0);

  return self->attachment_expires;
}
