/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-message"

#include "config.h"

#include "fb-message-private.h"

#include <json-glib/json-glib.h>

/*
 * What one event says, as a notification: a title and a body and, for
 * ntfy's JSON messages, a priority, tags, links and buttons. Pure (no I/O,
 * no GTK) so that every hostile payload can be tried in a unit test.
 *
 * Titles and bodies are plain text: escaping markup is the notifier's job.
 * They are bounded here, so a 10 MiB event cannot become a 10 MiB
 * notification, and U+0000 (which would cut a C string short) is shown as
 * U+FFFD.
 *
 * ntfy's JSON messages are read in fb-message-ntfy.c, other JSON objects
 * in fb-message-json.c, plain text and the bounds in fb-message-text.c.
 */

G_DEFINE_FINAL_TYPE (FbMessage, fb_message, G_TYPE_OBJECT)

static void
fb_message_finalize (GObject *object)
{
  FbMessage *self = FB_MESSAGE (object);

  g_clear_pointer (&self->feed_name, g_free);
  g_clear_pointer (&self->event_type, g_free);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->body, g_free);
  g_clear_pointer (&self->tags, g_strfreev);
  g_clear_pointer (&self->click_url, g_free);
  g_clear_pointer (&self->icon_url, g_free);
  g_clear_pointer (&self->attachment_url, g_free);
  g_clear_pointer (&self->attachment_name, g_free);
  g_clear_pointer (&self->attachment_type, g_free);
  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->group, g_free);
  for (guint i = 0; i < self->n_actions; i++)
    {
      g_clear_pointer (&self->actions[i].label, g_free);
      g_clear_pointer (&self->actions[i].url, g_free);
      g_clear_pointer (&self->actions[i].http, g_free);
    }

  G_OBJECT_CLASS (fb_message_parent_class)->finalize (object);
}

static void
fb_message_class_init (FbMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fb_message_finalize;
}

static void
fb_message_init (FbMessage *self)
{
  self->priority = 3;
  self->is_notification = TRUE;
}

/* A message with nothing read yet, for the readers of the other files. */
FbMessage *
_fb_message_new (const char *feed_name,
                 const char *event_type,
                 const char *event_id)
{
  FbMessage *self = g_object_new (FB_TYPE_MESSAGE, NULL);

  self->feed_name = g_strdup (feed_name != NULL ? feed_name : "");
  self->event_type = g_strdup (event_type != NULL ? event_type : "");
  self->id = g_strdup (event_id != NULL ? event_id : "");
  self->tags = g_new0 (char *, 1);
  return self;
}

/**
 * fb_message_new_stored:
 * @fields: what a store kept of a message
 *
 * Makes a message again from its stored parts. It gets the same bounds and
 * link checks as one read from a server: a store is a file, and files can
 * be edited.
 *
 * Returns: (transfer full): the message
 */
FbMessage *
fb_message_new_stored (const FbMessageFields *fields)
{
  FbMessage *self;
  guint n_tags;

  g_return_val_if_fail (fields != NULL, NULL);

  self = _fb_message_new (fields->feed_name, "message", fields->key);
  self->is_notification = TRUE;
  self->title = _fb_message_bound_string (fields->title != NULL ? fields->title : "", MAX_TITLE_CHARS);
  self->body = _fb_message_bound_string (fields->body != NULL ? fields->body : "", MAX_BODY_CHARS);
  self->is_markdown = fields->markdown && *self->body != '\0';
  self->priority = CLAMP (fields->priority != 0 ? fields->priority : 3, 1, 5);
  self->time = MAX (fields->time, 0);
  self->click_url = _fb_message_safe_url_dup (fields->click_url);
  self->icon_url = _fb_message_safe_url_dup (fields->icon_url);
  self->attachment_url = _fb_message_safe_url_dup (fields->attachment_url);
  if (self->attachment_url != NULL && fields->attachment_name != NULL)
    self->attachment_name = _fb_message_bound_string (fields->attachment_name, MAX_TITLE_CHARS);
  if (fields->key != NULL && fields->key[0] != '\0')
    self->key = g_strdup (fields->key);
  if (fields->group != NULL && fields->group[0] != '\0')
    self->group = g_strdup (fields->group);

  n_tags = fields->tags != NULL ? g_strv_length ((char **) fields->tags) : 0;
  g_free (self->tags);
  self->tags = g_new0 (char *, n_tags + 1);
  for (guint i = 0; i < n_tags; i++)
    self->tags[i] = _fb_message_bound_string (fields->tags[i], MAX_TITLE_CHARS);

  if (fields->actions_json != NULL)
    _fb_message_set_actions_json (self, fields->actions_json);
  for (guint i = 0; i < MIN (fields->n_actions, MAX_ACTIONS) && self->n_actions < MAX_ACTIONS; i++)
    {
      g_autofree char *url = _fb_message_safe_url_dup (fields->action_urls[i]);

      if (url == NULL || fields->action_labels[i] == NULL || fields->action_labels[i][0] == '\0')
        continue;
      self->actions[self->n_actions].label = _fb_message_bound_string (fields->action_labels[i], MAX_TITLE_CHARS);
      self->actions[self->n_actions].url = g_steal_pointer (&url);
      self->n_actions++;
    }

  return self;
}

/**
 * fb_message_new_from_event:
 * @feed_name: (nullable): the feed's name, the title when the event has none
 * @format: how to read @data
 * @event_type: (nullable): the SSE event type
 * @data: the event data, valid UTF-8 (it may contain U+0000)
 * @data_len: length of @data in bytes
 * @event_id: (nullable): the SSE last event ID
 *
 * Reads one event with one of the readers written in C: plain text, ntfy's
 * JSON and generic JSON (the formats made of templates are FbMapping's).
 * %FB_MESSAGE_FORMAT_AUTO uses ntfy's reading when @data is a JSON object
 * with ntfy's members ("event" and "topic"), and reads any other JSON
 * object generically: title, body and link from commonly used members,
 * else @event_type as the title and the object's top-level values as the
 * body, never the JSON text. %FB_MESSAGE_FORMAT_NTFY uses ntfy's reading
 * for any JSON object; any other format the generic one. Anything else (an
 * array, a string, a number, invalid or too deeply nested JSON) is plain
 * text, so no event is ever lost.
 *
 * Returns: (transfer full): a new, immutable #FbMessage
 */
FbMessage *
fb_message_new_from_event (const char      *feed_name,
                           FbMessageFormat  format,
                           const char      *event_type,
                           const char      *data,
                           gsize            data_len,
                           const char      *event_id)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object = NULL;

  g_return_val_if_fail (data != NULL || data_len == 0, NULL);

  if (format != FB_MESSAGE_FORMAT_PLAIN)
    {
      parser = json_parser_new_immutable ();
      object = _fb_message_parse_object (parser, data, data_len);
    }

  return _fb_message_new_read (feed_name, format, event_type, data, data_len, object, event_id);
}

/* fb_message_new_from_event(), with @data already parsed: @object is the
 * JSON object it holds, or %NULL when it holds none. */
FbMessage *
_fb_message_new_read (const char      *feed_name,
                      FbMessageFormat  format,
                      const char      *event_type,
                      const char      *data,
                      gsize            data_len,
                      JsonObject      *object,
                      const char      *event_id)
{
  g_autoptr(FbMessage) self = NULL;

  self = g_object_new (FB_TYPE_MESSAGE, NULL);
  self->feed_name = g_strdup (feed_name != NULL ? feed_name : "");
  self->event_type = g_strdup (event_type != NULL ? event_type : "");
  if (event_id == NULL)
    event_id = "";

  if (format == FB_MESSAGE_FORMAT_PLAIN)
    object = NULL;

  if (object != NULL &&
      (format == FB_MESSAGE_FORMAT_NTFY ||
       (format == FB_MESSAGE_FORMAT_AUTO && _fb_message_looks_like_ntfy (object))))
    {
      _fb_message_set_ntfy (self, object, event_id);
    }
  else if (object != NULL)
    {
      _fb_message_set_json (self, object, event_id);
    }
  else
    {
      self->id = g_strdup (event_id);
      self->tags = g_new0 (char *, 1);
      _fb_message_set_plain (self, data, data_len);
    }

  return g_steal_pointer (&self);
}

/**
 * fb_message_is_notification:
 *
 * Returns: %FALSE for ntfy's "open", "keepalive", "poll_request" and
 *   deletion events, which only keep the subscription going
 */
gboolean
fb_message_is_notification (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), FALSE);

  return self->is_notification;
}

/**
 * fb_message_is_ntfy:
 *
 * Returns: whether the event was read as an ntfy JSON message
 */
gboolean
fb_message_is_ntfy (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), FALSE);

  return self->is_ntfy;
}

/**
 * fb_message_is_markdown:
 *
 * Whether the body is Markdown (an ntfy message with "content_type":
 * "text/markdown"): it is kept as it came, and rendered where it is shown
 * (fb_markdown_to_markup(), fb_markdown_to_text()).
 *
 * Returns: %TRUE for a Markdown body
 */
gboolean
fb_message_is_markdown (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), FALSE);

  return self->is_markdown;
}

/**
 * fb_message_get_feed_name:
 *
 * Returns: the feed name given, "" when it was %NULL
 */
const char *
fb_message_get_feed_name (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  return self->feed_name;
}

/**
 * fb_message_get_event_type:
 *
 * Returns: the SSE event type given, "" when it was %NULL
 */
const char *
fb_message_get_event_type (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  return self->event_type;
}

/**
 * fb_message_get_id:
 *
 * Returns: ntfy's message id, else the SSE event id; "" when there is none
 */
const char *
fb_message_get_id (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  return self->id;
}

/**
 * fb_message_get_title:
 *
 * Returns: the title as plain text (not markup), never empty, at most 200
 *   characters; ntfy's emoji tags come first
 */
const char *
fb_message_get_title (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  return self->title;
}

/**
 * fb_message_get_body:
 *
 * Returns: the body as plain text (not markup), possibly "", at most 4000
 *   characters; for ntfy, a last line lists the tags that are not emoji
 */
const char *
fb_message_get_body (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  return self->body;
}

/**
 * fb_message_get_urgency:
 *
 * Returns: %FB_URGENCY_LOW for ntfy priorities 1–2, %FB_URGENCY_CRITICAL
 *   for 5 (it stays until dismissed), %FB_URGENCY_NORMAL for 3–4 (4 is
 *   told apart by a sound, not by staying on screen)
 */
FbUrgency
fb_message_get_urgency (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), FB_URGENCY_NORMAL);

  if (self->priority <= 2)
    return FB_URGENCY_LOW;
  if (self->priority >= 5)
    return FB_URGENCY_CRITICAL;
  return FB_URGENCY_NORMAL;
}

/**
 * fb_message_get_priority:
 *
 * Returns: ntfy's priority, 1 (min) to 5 (max); 3 for any other message
 */
int
fb_message_get_priority (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), 3);

  return self->priority;
}

/**
 * fb_message_get_tags:
 *
 * Returns: (transfer none): ntfy tags that are not emoji short codes;
 *   %NULL-terminated, never %NULL
 */
const char * const *
fb_message_get_tags (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  return (const char * const *) self->tags;
}

/**
 * fb_message_get_click_url:
 *
 * Returns: (nullable): where a click on the notification goes; only ever
 *   a URL for which fb_url_is_http() holds
 */
const char *
fb_message_get_click_url (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  return self->click_url;
}

/**
 * fb_message_get_icon_url:
 *
 * Returns: (nullable): ntfy's icon, a safe URL
 */
const char *
fb_message_get_icon_url (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  return self->icon_url;
}

/**
 * fb_message_get_attachment_url:
 *
 * Returns: (nullable): ntfy's attachment, a safe URL
 */
const char *
fb_message_get_attachment_url (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  return self->attachment_url;
}

/**
 * fb_message_get_attachment_name:
 *
 * Returns: (nullable): the attachment's file name, as plain text
 */
const char *
fb_message_get_attachment_name (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  return self->attachment_name;
}

/**
 * fb_message_get_n_actions:
 *
 * Returns: the number of "view" buttons, 0 to 3
 */
guint
fb_message_get_n_actions (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), 0);

  return self->n_actions;
}

/**
 * fb_message_get_action:
 * @index: from 0 to fb_message_get_n_actions() - 1
 * @label: (out) (optional): the button's label, plain text
 * @url: (out) (optional): the safe URL it opens
 *
 * Returns: %FALSE when there is no action @index
 */
gboolean
fb_message_get_action (FbMessage   *self,
                       guint        index,
                       const char **label,
                       const char **url)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), FALSE);

  if (index >= self->n_actions)
    return FALSE;

  if (label != NULL)
    *label = self->actions[index].label;
  if (url != NULL)
    *url = self->actions[index].url;
  return TRUE;
}

/**
 * fb_message_get_key:
 *
 * Returns: (nullable): what identifies the message itself, to drop a
 *   repeat of it: ntfy's message id, or a mapping's message key
 */
const char *
fb_message_get_key (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  if (self->key == NULL && self->is_ntfy && *self->id != '\0')
    return self->id;
  return self->key;
}

/**
 * fb_message_get_group:
 *
 * Returns: (nullable): a mapping's group key: a message replaces the
 *   notification of the last one with the same group
 */
const char *
fb_message_get_group (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), NULL);

  return self->group;
}

/**
 * fb_message_get_time:
 *
 * Returns: ntfy's message time in Unix seconds, 0 when unknown
 */
gint64
fb_message_get_time (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), 0);

  return self->time;
}

/**
 * fb_message_get_history_id:
 *
 * Returns: the id of its entry in the app's history, 0 when it has none
 */
gint64
fb_message_get_history_id (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), 0);

  return self->history_id;
}

/**
 * fb_message_set_history_id:
 * @id: the id of its entry in the app's history
 *
 * Set once, by the history, when the message is stored.
 */
void
fb_message_set_history_id (FbMessage *self,
                           gint64     id)
{
  g_return_if_fail (FB_IS_MESSAGE (self));

  self->history_id = id;
}

/**
 * fb_message_get_kind:
 *
 * Returns: whether it is a message to show, or the server's word about
 *   earlier ones of its group (deleted, cleared)
 */
FbMessageKind
fb_message_get_kind (FbMessage *self)
{
  g_return_val_if_fail (FB_IS_MESSAGE (self), FB_MESSAGE_KIND_MESSAGE);

  return self->kind;
}
