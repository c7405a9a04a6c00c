/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-message"

#include "config.h"

#include "fb-message-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * ntfy's JSON messages: checking that a payload is safe to hand to
 * json-glib, then reading its members (title, message, priority, tags,
 * click, icon, attachment, actions) into an FbMessage, each text bounded
 * and each link checked with the helpers of fb-message-text.c.
 */

/* Action labels, attachment names and single tags. */
#define MAX_LABEL_CHARS 100
#define MAX_TAGS        32
/* json-glib 1.6 parses recursively: 100 000 nested '[' overflow an 8 MiB
 * stack. ntfy's messages nest three deep. */
#define MAX_JSON_DEPTH  128

/*
 * Whether @data is one JSON value (one object, when @object_only) that
 * json-glib can be trusted with.
 * Nesting is counted (and bounded) before parsing, because of json-glib's
 * recursion. Outside strings only JSON's own characters may appear:
 * json-glib also accepts comments and single quotes, which would let a
 * payload hide brackets from this count.
 */
static gboolean
is_parsable (const char *data,
             gsize       len,
             gboolean    object_only)
{
  guint depth = 0;
  gboolean in_string = FALSE;
  gsize i = 0;

  while (i < len && g_ascii_isspace (data[i]))
    i++;
  if (i == len || (object_only && data[i] != '{'))
    return FALSE;

  for (; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if (c == '}' || c == ']')
        {
          if (depth-- == 0)
            return FALSE;
        }
      else if (c == '\0' || (!g_ascii_isalnum (c) && !g_ascii_isspace (c) && !strchr (",:.+-", c)))
        return FALSE;
    }

  return TRUE;
}

static JsonNode *
parse (JsonParser *parser,
       const char *data,
       gsize       data_len,
       gboolean    object_only)
{
  g_autoptr(GError) error = NULL;

  if (data_len > G_MAXSSIZE || !is_parsable (data, data_len, object_only))
    return NULL;

  if (!json_parser_load_from_data (parser, data, (gssize) data_len, &error))
    {
      g_debug ("Not JSON: %s", error->message);
      return NULL;
    }

  return json_parser_get_root (parser);
}

/* The object in @data, owned by @parser, or %NULL. */
JsonObject *
_fb_message_parse_object (JsonParser *parser,
                          const char *data,
                          gsize       data_len)
{
  JsonNode *root = parse (parser, data, data_len, TRUE);

  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
}

/* Any JSON value in @data (an object, an array, a string, a number…),
 * owned by @parser, or %NULL when @data is not JSON that is safe to read. */
JsonNode *
_fb_message_parse_node (JsonParser *parser,
                        const char *data,
                        gsize       data_len)
{
  return parse (parser, data, data_len, FALSE);
}

/* A string value, or %NULL for any other node (or none). */
const char *
_fb_message_node_get_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  return _fb_message_node_get_string (json_object_get_member (object, name));
}

/* Integers only: 4.0 or "4" give @fallback. */
static gint64
get_int (JsonObject *object,
         const char *name,
         gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;

  return json_node_get_int (node);
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

gboolean
_fb_message_looks_like_ntfy (JsonObject *object)
{
  return get_string (object, "event") != NULL && get_string (object, "topic") != NULL;
}

/* ntfy's connection events, sent as SSE event types and as the JSON "event". */
static gboolean
is_ntfy_control_event (const char *event)
{
  return g_strcmp0 (event, "open") == 0 || g_strcmp0 (event, "keepalive") == 0 ||
         g_strcmp0 (event, "poll_request") == 0;
}

/*
 * Tags that are emoji short codes go to @emoji, space-separated, as ntfy's
 * own clients show them before the title; the others become self->tags.
 */
static void
fb_message_set_tags (FbMessage  *self,
                     JsonObject *object,
                     GString    *emoji)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array = get_array (object, "tags");
  guint n = array != NULL ? json_array_get_length (array) : 0;

  for (guint i = 0; i < MIN (n, MAX_TAGS); i++)
    {
      const char *tag = _fb_message_node_get_string (json_array_get_element (array, i));
      const char *glyph = fb_emoji_for_tag (tag);
      g_autofree char *text = NULL;

      if (glyph != NULL)
        {
          g_string_append_printf (emoji, "%s%s", emoji->len > 0 ? " " : "", glyph);
          continue;
        }
      if (tag == NULL)
        continue;

      text = _fb_message_bound_string (tag, MAX_LABEL_CHARS);
      if (*text != '\0')
        g_strv_builder_add (builder, text);
    }

  self->tags = g_strv_builder_end (builder);
}

static void
fb_message_set_ntfy_title (FbMessage  *self,
                           JsonObject *object,
                           const char *emoji)
{
  const char *title = get_string (object, "title");
  g_autofree char *text = title != NULL ? _fb_message_bound_string (title, MAX_TITLE_CHARS) : NULL;
  g_autofree char *prefixed = NULL;

  if (text == NULL || *text == '\0')
    {
      const char *topic = get_string (object, "topic");

      g_free (text);
      text = _fb_message_fallback_title (self, topic != NULL && *topic != '\0' ? topic : "ntfy");
    }

  if (*emoji == '\0')
    {
      self->title = g_steal_pointer (&text);
      return;
    }

  prefixed = g_strdup_printf ("%s %s", emoji, text);
  self->title = _fb_message_bound_string (prefixed, MAX_TITLE_CHARS);
}

/* Whether the message is Markdown: ntfy (2.7 and later) says
 * "content_type": "text/markdown". Parameters after a ";" do not count. */
static gboolean
is_markdown (JsonObject *object)
{
  const char *type = get_string (object, "content_type");
  gsize len;

  if (type == NULL)
    return FALSE;

  len = strcspn (type, ";");
  while (len > 0 && g_ascii_isspace (*type))
    type++, len--;
  while (len > 0 && g_ascii_isspace (type[len - 1]))
    len--;
  return len == strlen ("text/markdown") && g_ascii_strncasecmp (type, "text/markdown", len) == 0;
}

/* @text as Markdown that shows it as it is: every ASCII punctuation
 * character escaped with a backslash. */
static char *
escape_markdown (const char *text)
{
  GString *escaped = g_string_sized_new (strlen (text) + 16);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_ispunct (*p))
        g_string_append_c (escaped, '\\');
      g_string_append_c (escaped, *p);
    }
  return g_string_free (escaped, FALSE);
}

/* The message, or what ntfy says for a bare attachment; then the tags
 * (after a blank line, escaped, when the message is Markdown). */
static void
fb_message_set_ntfy_body (FbMessage  *self,
                          JsonObject *object)
{
  const char *message = get_string (object, "message");
  g_autofree char *body = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *tags_line = NULL;
  g_autofree char *with_tags = NULL;

  if (message != NULL && *message != '\0')
    {
      body = _fb_message_bound_string (message, MAX_BODY_CHARS);
      self->is_markdown = is_markdown (object);
    }
  else if (self->attachment_name != NULL)
    /* Translators: a notification's text for an ntfy message that is only a
     * file (ntfy's own wording); %s is the file's name */
    body = g_strdup_printf (_("You received a file: %s"), self->attachment_name);
  else if (get_object (object, "attachment") != NULL)
    /* Translators: the same, for a file without a name */
    body = g_strdup (_("You received a file"));
  else
    body = g_strdup ("");

  if (self->tags[0] == NULL)
    {
      self->body = g_steal_pointer (&body);
      return;
    }

  tags = g_strjoinv (", ", self->tags);
  /* Translators: the last line of a notification; %s is a list such as "backup, nas-01" */
  tags_line = g_strdup_printf (_("Tags: %s"), tags);
  if (self->is_markdown)
    {
      g_autofree char *escaped = escape_markdown (tags_line);

      /* A paragraph of its own, and text, not Markdown. */
      with_tags = g_strconcat (body, "\n\n", escaped, NULL);
    }
  else
    with_tags = g_strconcat (body, *body != '\0' ? "\n" : "", tags_line, NULL);
  self->body = _fb_message_bound_string (with_tags, MAX_BODY_CHARS);
}

static void
fb_message_set_attachment (FbMessage  *self,
                           JsonObject *object)
{
  JsonObject *attachment = get_object (object, "attachment");
  const char *name;

  if (attachment == NULL)
    return;

  self->attachment_url = _fb_message_safe_url_dup (get_string (attachment, "url"));
  name = get_string (attachment, "name");
  if (name != NULL)
    self->attachment_name = _fb_message_bound_string (name, MAX_LABEL_CHARS);
  /* Only set for files uploaded to the server; older servers leave them out. */
  if (get_string (attachment, "type") != NULL)
    self->attachment_type = _fb_message_bound_string (get_string (attachment, "type"), MAX_LABEL_CHARS);
  self->attachment_size = MAX (get_int (attachment, "size", 0), 0);
  self->attachment_expires = MAX (get_int (attachment, "expires", 0), 0);
}

/* "view" and "http" actions with a label and a safe link. An http
 * action's request is kept as ntfy's JSON: the service layer checks and
 * sends it (app/service/fb-http-action.c), only when a person presses its
 * button. "broadcast" is Android's: left out. @default_kind is the kind of
 * an action that names none (the history's first rows). */
static void
fb_message_add_action (FbMessage  *self,
                       JsonObject *action,
                       const char *default_kind)
{
  const char *kind = get_string (action, "action");
  const char *label = get_string (action, "label");
  g_autofree char *url = _fb_message_safe_url_dup (get_string (action, "url"));
  g_autofree char *text = NULL;
  g_autofree char *http = NULL;

  if (kind == NULL)
    kind = default_kind;
  if (label == NULL || url == NULL || (g_strcmp0 (kind, "view") != 0 && g_strcmp0 (kind, "http") != 0))
    return;

  if (g_str_equal (kind, "http"))
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), action);

      http = json_to_string (node, FALSE);
      if (strlen (http) > MAX_HTTP_ACTION_BYTES)
        return;
    }

  text = _fb_message_bound_string (label, MAX_LABEL_CHARS);
  if (*text == '\0')
    return;

  self->actions[self->n_actions].label = g_steal_pointer (&text);
  self->actions[self->n_actions].url = g_steal_pointer (&url);
  self->actions[self->n_actions].http = g_steal_pointer (&http);
  self->n_actions++;
}

static void
add_actions (FbMessage  *self,
             JsonArray  *array,
             const char *default_kind)
{
  guint n = array != NULL ? json_array_get_length (array) : 0;

  for (guint i = 0; i < n && self->n_actions < MAX_ACTIONS; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        fb_message_add_action (self, json_node_get_object (node), default_kind);
    }
}

/* The actions a store kept (fb_message_dup_actions_json()), through the
 * same checks as a server's. */
void
_fb_message_set_actions_json (FbMessage  *self,
                              const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    add_actions (self, json_node_get_array (root), "view");
}

static void
fb_message_set_actions (FbMessage  *self,
                        JsonObject *object)
{
  add_actions (self, get_array (object, "actions"), NULL);
}

/*
 * ntfy leaves out a default priority (and uses 0 for it internally);
 * anything else is clamped to 1–5.
 */
static int
ntfy_priority (JsonObject *object)
{
  gint64 priority = get_int (object, "priority", 0);

  return priority == 0 ? 3 : (int) CLAMP (priority, 1, 5);
}

void
_fb_message_set_ntfy (FbMessage  *self,
                      JsonObject *object,
                      const char *event_id)
{
  g_autoptr(GString) emoji = g_string_new (NULL);
  const char *event = get_string (object, "event");
  const char *id = get_string (object, "id");

  self->is_ntfy = TRUE;
  self->is_notification = (event == NULL || g_str_equal (event, "message")) &&
                          !is_ntfy_control_event (self->event_type);
  self->id = g_strdup (id != NULL ? id : event_id);
  /* ntfy 2.16's updates: messages of one sequence replace each other; a
   * sequence may start with a message that had none, under its own id.
   * Older servers send no sequence_id: each message is its own. */
  if (get_string (object, "sequence_id") != NULL)
    self->group = _fb_message_bound_string (get_string (object, "sequence_id"), MAX_TITLE_CHARS);
  else if (self->id != NULL && self->id[0] != '\0')
    self->group = g_strdup (self->id);
  self->time = get_int (object, "time", 0);
  self->priority = ntfy_priority (object);

  /* ntfy 2.16's deletes and clears name the sequence they close. */
  if (self->group != NULL && get_string (object, "sequence_id") != NULL &&
      (g_strcmp0 (event, "message_delete") == 0 || g_strcmp0 (event, "message_clear") == 0))
    self->kind = g_str_equal (event, "message_delete") ? FB_MESSAGE_KIND_DELETE : FB_MESSAGE_KIND_CLEAR;
  self->click_url = _fb_message_safe_url_dup (get_string (object, "click"));
  self->icon_url = _fb_message_safe_url_dup (get_string (object, "icon"));

  fb_message_set_attachment (self, object);
  fb_message_set_actions (self, object);
  fb_message_set_tags (self, object, emoji);
  fb_message_set_ntfy_title (self, object, emoji->str);
  fb_message_set_ntfy_body (self, object);
}
