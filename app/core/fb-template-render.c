/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-template"

#include "config.h"

#include "fb-template.h"

#include "fb-template-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>

/*
 * Rendering: each action's path is followed step by step (never more of the
 * payload), its value goes through the filters, and the text is appended.
 * A value is read only as far as the output can still show, unless
 * striphtml, whose output may be much shorter than its input, needs all.
 * The filters that make text are in fb-template-filters.c.
 */

typedef enum
{
  VALUE_MISSING,
  VALUE_NULL,
  VALUE_TEXT,
  VALUE_OBJECT,
  VALUE_ARRAY,
} ValueKind;

typedef struct
{
  ValueKind  kind;
  char      *text;  /* VALUE_TEXT: valid UTF-8 */
  JsonNode  *node;  /* VALUE_OBJECT, VALUE_ARRAY: borrowed from the payload */
} Value;

typedef struct
{
  FbTemplate      *self;
  FbTemplatePiece *piece;
  /* Where the value comes from: the action's head, or the path of the
   * default that replaced it, which errors then name. */
  FbTemplateHead  *head;
  JsonNode        *payload;
  const char      *event_type;
  const char      *event_id;
  gsize            max_chars;  /* of this value that can still be seen */
  GError         **error;
} Action;

G_GNUC_PRINTF (2, 3)
static gboolean
render_error (Action     *action,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  _fb_template_set_error_at (action->error, FB_TEMPLATE_ERROR_RENDER, action->self->source,
                             action->head->offset, message);
  return FALSE;
}

/* Whether the @len bytes at @text are all ASCII, eight at a time. */
static gboolean
is_ascii (const char *text,
          gsize       len)
{
  gsize i = 0;

  for (; len - i >= 8; i += 8)
    {
      guint64 word;

      memcpy (&word, text + i, sizeof word);
      if (word & G_GUINT64_CONSTANT (0x8080808080808080))
        return FALSE;
    }
  for (; i < len; i++)
    {
      if ((guchar) text[i] >= 0x80)
        return FALSE;
    }
  return TRUE;
}

/* At most @max_chars characters of @text, possibly invalid UTF-8, reading
 * no more than they can take: a 10 MiB string costs what max_len allows. */
char *
_fb_template_bounded_text (const char *text,
                           gsize       max_chars)
{
  gsize len;
  char *valid;

  /* Enough bytes for max_chars characters, however they are encoded. */
  len = strnlen (text, max_chars < G_MAXSIZE / 4 ? 4 * max_chars : G_MAXSIZE);
  /* Most text is ASCII, one character a byte, and valid as it is. */
  if (is_ascii (text, len))
    return g_strndup (text, MIN (len, max_chars));
  valid = g_utf8_make_valid (text, len);
  /* Each character took one byte at least, so only then can there be more. */
  if (max_chars < len)
    *g_utf8_offset_to_pointer (valid, MIN ((gsize) g_utf8_strlen (valid, -1), max_chars)) = '\0';
  return valid;
}

/* A scalar as text: a string as it is, anything else as JSON prints it. */
char *
_fb_template_scalar_text (JsonNode *node,
                          gsize     max_chars)
{
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return json_to_string (node, FALSE);

  return _fb_template_bounded_text (json_node_get_string (node), max_chars);
}

static Value
value_from_node (JsonNode *node,
                 gsize     max_chars)
{
  Value value = { VALUE_MISSING, NULL, NULL };

  if (node == NULL)
    return value;

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT: value.kind = VALUE_OBJECT; value.node = node; break;
    case JSON_NODE_ARRAY: value.kind = VALUE_ARRAY; value.node = node; break;
    case JSON_NODE_NULL: value.kind = VALUE_NULL; break;
    case JSON_NODE_VALUE:
      value.kind = VALUE_TEXT;
      value.text = _fb_template_scalar_text (node, max_chars);
      break;
    default:
      g_assert_not_reached ();
    }
  return value;
}

/* Follows the path from @node; @found is NULL when it leads nowhere, which
 * the filters may still turn into text (default). FALSE, with the error
 * set, only when a step asks an array for a member or an object for an
 * index: a mapping written for another payload. */
static gboolean
follow_path (Action    *action,
             JsonNode **found)
{
  FbTemplateHead *head = action->head;
  JsonNode *node = action->payload;
  guint first = head->first_step;

  /* .data is the payload's member data when there is one, whatever its
   * value, and the payload itself otherwise. */
  if (first == 1 && node != NULL && JSON_NODE_HOLDS_OBJECT (node)
      && json_object_has_member (json_node_get_object (node), "data"))
    first = 0;

  for (guint i = first; i < head->n_steps && node != NULL; i++)
    {
      FbTemplateStep *step = &head->steps[i];
      int len = (int) (i > 0 ? head->steps[i - 1].path_len : 1);
      JsonNodeType type = json_node_get_node_type (node);

      if (step->name != NULL && type == JSON_NODE_ARRAY)
        return render_error (action, _("%.*s is an array, not an object: pick an item "
                                       "with an index, as in %.*s[0]"),
                             len, head->value, len, head->value);
      if (step->name == NULL && type == JSON_NODE_OBJECT)
        return render_error (action, _("%.*s is an object, not an array: pick a member "
                                       "by its name"), len, head->value);

      if (step->name != NULL && type == JSON_NODE_OBJECT)
        node = json_object_get_member (json_node_get_object (node), step->name);
      else if (step->name == NULL && type == JSON_NODE_ARRAY
               && step->index < json_array_get_length (json_node_get_array (node)))
        node = json_array_get_element (json_node_get_array (node), step->index);
      else
        node = NULL;
    }

  *found = node;
  return TRUE;
}

/* The value of @head, which from now on is where the value comes from;
 * @value is empty. */
static gboolean
evaluate_head (Action         *action,
               FbTemplateHead *head,
               Value          *value)
{
  const char *text = NULL;
  JsonNode *node = NULL;

  action->head = head;
  switch (head->kind)
    {
    case FB_HEAD_STRING: text = head->value; break;
    case FB_HEAD_EVENT: text = action->event_type; break;
    case FB_HEAD_ID: text = action->event_id; break;
    case FB_HEAD_PAYLOAD:
      if (!follow_path (action, &node))
        return FALSE;
      *value = value_from_node (node, action->max_chars);
      return TRUE;
    default:
      g_assert_not_reached ();
    }

  value->kind = text != NULL ? VALUE_TEXT : VALUE_MISSING;
  value->text = text != NULL ? _fb_template_bounded_text (text, action->max_chars) : NULL;
  value->node = NULL;
  return TRUE;
}

static void
set_text (Value *value,
          char  *text)
{
  g_free (value->text);
  value->text = text;
  value->kind = VALUE_TEXT;
  value->node = NULL;
}

static gboolean
join_items (Action     *action,
            Value      *value,
            const char *separator)
{
  guint bad_item = 0;
  char *joined = _fb_template_join (json_node_get_array (value->node), separator,
                                    action->max_chars, &bad_item);

  if (joined == NULL)
    return render_error (action, _("item %u of %s is an object or array, which join "
                                   "cannot turn into text"), bad_item, action->head->value);
  set_text (value, joined);
  return TRUE;
}

static gboolean
apply_filter (Action           *action,
              FbTemplateFilter *filter,
              Value            *value)
{
  if (filter->kind == FB_FILTER_DEFAULT)
    {
      if (value->kind == VALUE_MISSING || value->kind == VALUE_NULL
          || (value->kind == VALUE_TEXT && *value->text == '\0'))
        {
          /* A path's value goes on through the filters like the head's:
           * it may be missing too, for a later default to catch. */
          g_clear_pointer (&value->text, g_free);
          return evaluate_head (action, &filter->fallback, value);
        }
      return TRUE;
    }

  /* Left for a later default to catch, or for the error at the end. */
  if (value->kind == VALUE_MISSING || value->kind == VALUE_NULL)
    return TRUE;

  if (filter->kind == FB_FILTER_JOIN && value->kind == VALUE_ARRAY)
    return join_items (action, value, filter->arg);
  if (filter->kind == FB_FILTER_JOIN && value->kind == VALUE_OBJECT)
    return render_error (action, _("join needs an array, and %s is an object"),
                         action->head->value);
  if (filter->kind == FB_FILTER_PAIRS && value->kind == VALUE_OBJECT)
    {
      set_text (value, _fb_template_pairs (json_node_get_object (value->node), action->max_chars));
      return TRUE;
    }
  if (filter->kind == FB_FILTER_PAIRS && value->kind == VALUE_ARRAY)
    return render_error (action, _("pairs needs an object, and %s is an array"),
                         action->head->value);
  if (value->kind != VALUE_TEXT)
    return TRUE;

  switch (filter->kind)
    {
    case FB_FILTER_STRIPHTML: set_text (value, _fb_template_strip_html (value->text)); break;
    case FB_FILTER_TRUNCATE: set_text (value, _fb_template_truncate (value->text, filter->n)); break;
    case FB_FILTER_LOWER: set_text (value, g_utf8_strdown (value->text, -1)); break;
    case FB_FILTER_UPPER: set_text (value, g_utf8_strup (value->text, -1)); break;
    case FB_FILTER_JOIN: break;
    case FB_FILTER_PAIRS: break;
    case FB_FILTER_DEFAULT:
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static gboolean
check_text (Action *action,
            Value  *value)
{
  const char *path = action->head->value;

  switch (value->kind)
    {
    case VALUE_TEXT:
      return TRUE;
    case VALUE_MISSING:
      if (action->head->kind == FB_HEAD_ID)
        return render_error (action, _(".id is missing: this event has no id"));
      return render_error (action, _("%s is missing"), path);
    case VALUE_NULL:
      return render_error (action, _("%s is null"), path);
    case VALUE_OBJECT:
      return render_error (action, _("%s is an object, not text"), path);
    case VALUE_ARRAY:
      return render_error (action, _("%s is an array, not text: join its items, as in "
                                     "{{ %s | join \", \" }}"), path, path);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
render_action (Action  *action,
               GString *out)
{
  FbTemplatePiece *piece = action->piece;
  Value value = { VALUE_MISSING, NULL, NULL };
  gboolean ok;

  ok = evaluate_head (action, &piece->head, &value);
  for (guint i = 0; ok && i < piece->n_filters; i++)
    ok = apply_filter (action, &piece->filters[i], &value);
  ok = ok && check_text (action, &value);
  if (ok)
    g_string_append (out, value.text);

  g_free (value.text);
  return ok;
}

/* Cuts @out to at most @max_len bytes, at a character boundary. */
static void
cut_at_boundary (GString *out,
                 gsize    max_len)
{
  gsize len = max_len;

  if (out->len <= max_len)
    return;
  while (len > 0 && ((guchar) out->str[len] & 0xC0) == 0x80)
    len--;
  g_string_truncate (out, len);
}

/**
 * fb_template_render:
 * @self: a template
 * @payload: (nullable): the event's data as JSON; %NULL when it is not JSON,
 *   so that only .event, .id and strings can be rendered
 * @event_type: (nullable): the SSE event type, for .event
 * @event_id: (nullable): the SSE event's id, for .id; %NULL when it had none
 * @max_len: the most bytes to return, without the terminating NUL
 * @error: %FB_TEMPLATE_ERROR_RENDER, its message starting with the column
 *
 * Fills the template in. Once the text is @max_len bytes long, the actions
 * after are not evaluated: their text would not be seen, and their errors
 * are not reported either.
 *
 * Returns: (transfer full) (nullable): valid UTF-8 of at most @max_len
 *   bytes, or %NULL with @error set
 */
char *
fb_template_render (FbTemplate  *self,
                    JsonNode    *payload,
                    const char  *event_type,
                    const char  *event_id,
                    gsize        max_len,
                    GError     **error)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < self->pieces->len && out->len < max_len; i++)
    {
      FbTemplatePiece *piece = &g_array_index (self->pieces, FbTemplatePiece, i);
      Action action = { self, piece, &piece->head, payload, event_type, event_id, G_MAXSIZE,
                        error };
      gsize left;

      g_string_append_len (out, piece->text, piece->text_len);
      if (!piece->is_action || out->len >= max_len)
        continue;

      /* Every character takes a byte at least, and case mappings look one
       * character ahead: the next left + 2 characters decide what can be
       * seen. Not so after striphtml, where a megabyte of tags may be
       * followed by the text. */
      left = max_len - out->len;
      if (!piece->has_striphtml && left < G_MAXSIZE - 2)
        action.max_chars = left + 2;
      if (!render_action (&action, out))
        return NULL;
    }

  cut_at_boundary (out, max_len);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
