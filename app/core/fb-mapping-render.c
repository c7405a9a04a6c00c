/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-mapping"

#include "config.h"

#include "fb-mapping.h"

#include "fb-mapping-private.h"
#include "fb-message-private.h"
#include "fb-template.h"

/*
 * One variant's templates rendered into a message. Every text a template
 * renders is bounded and every link checked with the helpers of
 * fb-message-text.c, as for the readers written in C; what does not render
 * falls back to the generic JSON reading.
 */

/* Longest text each field may render, in characters. */
static const gsize field_max_chars[FB_MAPPING_N_FIELDS] = {
  MAX_TITLE_CHARS, MAX_BODY_CHARS, 8192, 8192, 16, MAX_KEY_CHARS, MAX_KEY_CHARS,
};

static int
parse_priority (const char *text)
{
  static const char * const names[] = { "min", "low", "default", "high", "max" };

  if (text[0] >= '1' && text[0] <= '5' && text[1] == '\0')
    return text[0] - '0';
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_ascii_strcasecmp (text, names[i]) == 0)
        return (int) i + 1;
    }
  if (g_ascii_strcasecmp (text, "urgent") == 0)
    return 5;
  return 0;
}

/* The generic reading of the event: what a field that does not render
 * shows instead, and the whole message when no variant applies. */
FbMessage *
_fb_mapping_render_generic (const char           *feed_name,
                            const FbMappingEvent *event)
{
  return fb_message_new_from_event (feed_name, FB_MESSAGE_FORMAT_JSON, event->event_type,
                                    event->data, event->data_len, event->event_id);
}

/* Whether the data is JSON, or starts like it, but is not an object that
 * was read. */
static gboolean
looks_like_json (const FbMappingEvent *event)
{
  gsize i = 0;

  if (JSON_NODE_HOLDS_OBJECT (event->payload))
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (event->payload) ||
      json_node_get_value_type (event->payload) != G_TYPE_STRING)
    return TRUE;
  while (i < event->data_len && g_ascii_isspace (event->data[i]))
    i++;
  return i < event->data_len && (event->data[i] == '{' || event->data[i] == '[');
}

/* Renders each field that has a template into @texts, bounded; a field
 * that does not render stays NULL, and the first such field's error is
 * the @reason. */
static void
render_fields (FbTemplate * const    *templates,
               const FbMappingEvent  *event,
               char                 **texts,
               char                 **reason)
{
  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      if (templates[i] == NULL)
        continue;

      text = fb_template_render (templates[i], event->payload, event->event_type,
                                 event->event_id, field_max_chars[i] * 4 + 4, &error);
      if (text == NULL)
        {
          if (reason != NULL && *reason == NULL)
            *reason = g_strdup_printf ("%s: %s", fb_mapping_field_to_key (i), error->message);
          continue;
        }
      texts[i] = _fb_message_bound_string (text, field_max_chars[i]);
    }
}

/* A title is one line: a notification server may show only the first. */
static void
flatten_title (char *title)
{
  for (char *p = title; p != NULL && *p != '\0'; p++)
    {
      if (*p == '\r' || *p == '\n' || *p == '\t')
        *p = ' ';
    }
}

/* An empty title and a missing body, from what the event has instead;
 * @generic is the generic reading when either is needed. */
static void
fill_title_and_body (FbMessage            *self,
                     FbMessage            *generic,
                     const FbMappingEvent *event)
{
  if ((self->title == NULL || *self->title == '\0') && looks_like_json (event))
    {
      /* JSON that is not an object, or that could not be read (too deep):
       * the generic reading's title would be its first line, raw JSON. */
      g_free (self->title);
      self->title = _fb_message_fallback_title (self, event->event_type);
      if (self->body == NULL)
        self->body = _fb_message_bound_text (event->data, event->data_len, MAX_BODY_CHARS);
    }
  if (self->title == NULL || *self->title == '\0')
    {
      g_free (self->title);
      self->title = g_strdup (fb_message_get_title (generic));
    }
  if (self->body == NULL)
    self->body = g_strdup (fb_message_get_body (generic));
}

/* The fields after title and body; a link that does not render is the
 * generic reading's, any other field stays unset. */
static void
fill_other_fields (FbMessage          *self,
                   FbTemplate * const *templates,
                   char              **texts,
                   FbMessage          *generic)
{
  if (texts[FB_MAPPING_FIELD_LINK] != NULL)
    self->click_url = _fb_message_safe_url_dup (texts[FB_MAPPING_FIELD_LINK]);
  else if (templates[FB_MAPPING_FIELD_LINK] != NULL)
    self->click_url = g_strdup (fb_message_get_click_url (generic));
  if (texts[FB_MAPPING_FIELD_ICON] != NULL)
    self->icon_url = _fb_message_safe_url_dup (texts[FB_MAPPING_FIELD_ICON]);
  if (texts[FB_MAPPING_FIELD_PRIORITY] != NULL && parse_priority (texts[FB_MAPPING_FIELD_PRIORITY]) != 0)
    self->priority = parse_priority (texts[FB_MAPPING_FIELD_PRIORITY]);
  if (texts[FB_MAPPING_FIELD_KEY] != NULL && *texts[FB_MAPPING_FIELD_KEY] != '\0')
    self->key = g_steal_pointer (&texts[FB_MAPPING_FIELD_KEY]);
  if (texts[FB_MAPPING_FIELD_GROUP] != NULL && *texts[FB_MAPPING_FIELD_GROUP] != '\0')
    self->group = g_steal_pointer (&texts[FB_MAPPING_FIELD_GROUP]);
}

/* @templates: one per FbMappingField, NULL for a field without one;
 * @reason: where the first field that did not render says why, unless
 * already set */
FbMessage *
_fb_mapping_render_templates (FbTemplate * const    *templates,
                              const char            *feed_name,
                              const FbMappingEvent  *event,
                              char                 **reason)
{
  g_autoptr(FbMessage) self = _fb_message_new (feed_name, event->event_type, event->event_id);
  g_autoptr(FbMessage) generic = NULL;
  char *texts[FB_MAPPING_N_FIELDS] = { NULL, };

  render_fields (templates, event, texts, reason);
  self->title = g_steal_pointer (&texts[FB_MAPPING_FIELD_TITLE]);
  flatten_title (self->title);
  self->body = g_steal_pointer (&texts[FB_MAPPING_FIELD_BODY]);
  /* The generic reading (a second parse, of the whole payload) only when
   * it is needed: for a title or body that did not render or has no
   * template, and for a link whose template did not render (a variant
   * without a link template has no link). */
  if (self->title == NULL || *self->title == '\0' || self->body == NULL ||
      (texts[FB_MAPPING_FIELD_LINK] == NULL && templates[FB_MAPPING_FIELD_LINK] != NULL))
    generic = _fb_mapping_render_generic (feed_name, event);
  fill_title_and_body (self, generic, event);
  fill_other_fields (self, templates, texts, generic);

  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    g_free (texts[i]);

  return g_steal_pointer (&self);
}
