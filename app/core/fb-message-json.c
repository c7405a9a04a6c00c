/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-message"

#include "config.h"

#include "fb-message-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * JSON objects that are not ntfy's (Mastodon, Wikimedia EventStreams, Home
 * Assistant, CI servers…): a title, a body and a link from the top-level
 * members such feeds commonly use, and otherwise a few lines of the
 * top-level values, so that a notification never shows the JSON text
 * itself. Each text is bounded and the link checked with the helpers of
 * fb-message-text.c.
 */

/* One "key: value" line of a body made of the object's values: enough to
 * recognise a value, and eight lines still fit a notification bubble. */
#define MAX_KEY_CHARS   40
#define MAX_VALUE_CHARS 100
#define MAX_LINES       8

typedef enum
{
  VALUE_STRING  = 1 << 0,
  VALUE_NUMBER  = 1 << 1,
  VALUE_BOOLEAN = 1 << 2,
} ValueKinds;

/* Each list in order of preference: the first member that has a usable
 * value wins. */
static const char * const title_members[] = {
  "title", "subject", "summary", "name", "headline", NULL
};
static const char * const body_members[] = {
  "message", "body", "text", "description", "content", "details", NULL
};
static const char * const link_members[] = {
  "url", "link", "href", "click", "html_url", NULL
};

/*
 * @node's value as bounded text, when it is one of @kinds; %NULL for
 * anything else (null, objects, arrays). Numbers keep 15 significant
 * digits, so 0.1 shows as "0.1", not as its binary approximation.
 */
static char *
value_text (JsonNode   *node,
            ValueKinds  kinds,
            gsize       max_chars)
{
  char scalar[G_ASCII_DTOSTR_BUF_SIZE];
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING && (kinds & VALUE_STRING) != 0)
    return _fb_message_bound_string (json_node_get_string (node), max_chars);

  if (type == G_TYPE_INT64 && (kinds & VALUE_NUMBER) != 0)
    g_snprintf (scalar, sizeof scalar, "%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE && (kinds & VALUE_NUMBER) != 0)
    g_ascii_formatd (scalar, sizeof scalar, "%.15g", json_node_get_double (node));
  else if (type == G_TYPE_BOOLEAN && (kinds & VALUE_BOOLEAN) != 0)
    g_strlcpy (scalar, json_node_get_boolean (node) ? "true" : "false", sizeof scalar);
  else
    return NULL;

  return _fb_message_bound_string (scalar, max_chars);
}

/* The text of the first of @names whose value is non-empty, and its name
 * in @found (optional). */
static char *
first_text (JsonObject         *object,
            const char * const *names,
            ValueKinds          kinds,
            gsize               max_chars,
            const char        **found)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (object, names[i]);
      g_autofree char *text = value_text (node, kinds, max_chars);

      if (text != NULL && *text != '\0')
        {
          if (found != NULL)
            *found = names[i];
          return g_steal_pointer (&text);
        }
    }

  return NULL;
}

/* A link member that is not http(s) is passed over, not followed. */
static char *
first_safe_link (JsonObject  *object,
                 const char **found)
{
  for (guint i = 0; link_members[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (object, link_members[i]);
      char *url = _fb_message_safe_url_dup (_fb_message_node_get_string (node));

      if (url != NULL)
        {
          *found = link_members[i];
          return url;
        }
    }

  return NULL;
}

/*
 * Without a title member, the SSE event type names the event ("mention",
 * "state_changed"), unless it is the default "message", which says nothing.
 */
static void
fb_message_set_json_title (FbMessage   *self,
                           JsonObject  *object,
                           const char **title_member)
{
  self->title = first_text (object, title_members, VALUE_STRING | VALUE_NUMBER,
                            MAX_TITLE_CHARS, title_member);
  if (self->title != NULL)
    return;

  if (!g_str_equal (self->event_type, "message"))
    self->title = _fb_message_bound_string (self->event_type, MAX_TITLE_CHARS);

  if (self->title == NULL || *self->title == '\0')
    {
      g_free (self->title);
      /* Translators: a notification's title for an event that names
       * nothing; the feed's name is used instead when it has one */
      self->title = _fb_message_fallback_title (self, _("New event"));
    }
}

/* A key or value on one line: its own line breaks would read as more keys. */
static char *
one_line (char *text)
{
  return g_strdelimit (text, "\r\n\t\v\f", ' ');
}

/*
 * The body of an object without a body member: one "key: value" line per
 * top-level string, number or boolean, in the server's order, without the
 * members already shown as the title or opened by a click. Stops after
 * MAX_LINES, so a huge object costs only the members it skips over.
 */
static char *
value_lines (JsonObject *object,
             const char *title_member,
             const char *link_member)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  guint n = 0;

  json_object_iter_init_ordered (&iter, object);
  while (n < MAX_LINES && json_object_iter_next_ordered (&iter, &name, &node))
    {
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (g_strcmp0 (name, title_member) == 0 || g_strcmp0 (name, link_member) == 0)
        continue;

      value = value_text (node, VALUE_STRING | VALUE_NUMBER | VALUE_BOOLEAN, MAX_VALUE_CHARS);
      if (value == NULL || *value == '\0')
        continue;

      key = _fb_message_bound_string (name, MAX_KEY_CHARS);
      g_string_append_printf (lines, "%s%s: %s", n++ > 0 ? "\n" : "",
                              one_line (key), one_line (value));
    }

  return _fb_message_bound_string (lines->str, MAX_BODY_CHARS);
}

void
_fb_message_set_json (FbMessage  *self,
                      JsonObject *object,
                      const char *event_id)
{
  const char *title_member = NULL;
  const char *link_member = NULL;

  self->id = g_strdup (event_id);
  self->tags = g_new0 (char *, 1);
  self->click_url = first_safe_link (object, &link_member);
  fb_message_set_json_title (self, object, &title_member);
  self->body = first_text (object, body_members, VALUE_STRING, MAX_BODY_CHARS, NULL);
  if (self->body == NULL)
    self->body = value_lines (object, title_member, link_member);
}
