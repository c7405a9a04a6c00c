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
 */

#define ELLIPSIS "\u2026"
#define PAIRS_MAX_LINES 8

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

  g_set_error (action->error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_RENDER,
               _("Column %u: %s"),
               _fb_template_column (action->self->source, action->head->offset), message);
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
static char *
bounded_text (const char *text,
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
static char *
scalar_text (JsonNode *node,
             gsize     max_chars)
{
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return json_to_string (node, FALSE);

  return bounded_text (json_node_get_string (node), max_chars);
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
      value.text = scalar_text (node, max_chars);
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
  value->text = text != NULL ? bounded_text (text, action->max_chars) : NULL;
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

static char *
truncate_text (const char *text,
               guint       n)
{
  const char *cut = text;

  if (n == 0)
    return g_strdup ("");

  /* By hand: g_utf8_offset_to_pointer() would walk past the end of a text
   * shorter than n. */
  for (guint i = 0; i + 1 < n && *cut != '\0'; i++)
    cut = g_utf8_next_char (cut);
  if (*cut == '\0' || *g_utf8_next_char (cut) == '\0')
    return g_strdup (text);

  return g_strdup_printf ("%.*s" ELLIPSIS, (int) (cut - text), text);
}

static gboolean
join_items (Action     *action,
            Value      *value,
            const char *separator)
{
  JsonArray *array = json_node_get_array (value->node);
  guint n = json_array_get_length (array);
  g_autoptr(GString) joined = g_string_new (NULL);
  gsize max_bytes = action->max_chars < G_MAXSIZE / 4 ? 4 * action->max_chars : G_MAXSIZE;
  gboolean first = TRUE;

  /* A long array is read only as far as the output can show. */
  for (guint i = 0; i < n && joined->len <= max_bytes; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonNodeType type = json_node_get_node_type (item);
      g_autofree char *text = NULL;

      if (type == JSON_NODE_NULL)
        continue;
      if (type != JSON_NODE_VALUE)
        return render_error (action, _("item %u of %s is an object or array, which join "
                                       "cannot turn into text"), i, action->head->value);

      text = scalar_text (item, action->max_chars);
      if (!first)
        g_string_append (joined, separator);
      g_string_append (joined, text);
      first = FALSE;
    }

  set_text (value, bounded_text (joined->str, action->max_chars));
  return TRUE;
}

/* @text on one line, so that a key or value cannot make lines of its own:
 * each line break character becomes a space ("\r\n" two), which keeps a
 * text cut at max_chars the start of the whole one's. */
static void
append_one_line (GString    *out,
                 const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      GUnicodeBreakType type = g_unichar_break_type (g_utf8_get_char (p));

      if (type == G_UNICODE_BREAK_MANDATORY || type == G_UNICODE_BREAK_LINE_FEED
          || type == G_UNICODE_BREAK_CARRIAGE_RETURN || type == G_UNICODE_BREAK_NEXT_LINE)
        g_string_append_c (out, ' ');
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
}

static void
pair_lines (Action *action,
            Value  *value)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;
  g_autoptr(GString) lines = g_string_new (NULL);
  gsize max_bytes = action->max_chars < G_MAXSIZE / 4 ? 4 * action->max_chars : G_MAXSIZE;
  guint n_lines = 0;

  /* A large object is read only as far as the output can show, and never
   * past its PAIRS_MAX_LINES-th scalar member. */
  json_object_iter_init_ordered (&iter, json_node_get_object (value->node));
  while (n_lines < PAIRS_MAX_LINES && lines->len <= max_bytes
         && json_object_iter_next_ordered (&iter, &key, &member))
    {
      g_autofree char *name = NULL;
      g_autofree char *text = NULL;

      if (json_node_get_node_type (member) != JSON_NODE_VALUE)
        continue;

      name = bounded_text (key, action->max_chars);
      text = scalar_text (member, action->max_chars);
      if (n_lines++ > 0)
        g_string_append_c (lines, '\n');
      append_one_line (lines, name);
      g_string_append (lines, ": ");
      append_one_line (lines, text);
    }

  set_text (value, bounded_text (lines->str, action->max_chars));
}

static const struct
{
  const char *name;
  const char *text;
} entities[] = {
  { "amp;", "&" },
  { "lt;", "<" },
  { "gt;", ">" },
  { "quot;", "\"" },
  { "apos;", "'" },
  { "nbsp;", "\u00A0" },
};

/* &#NNN; or &#xHH;, @p on its "&"; returns what follows it. */
static const char *
decode_numeric (const char *p,
                GString    *out)
{
  gboolean hex = p[2] == 'x' || p[2] == 'X';
  const char *digits = p + (hex ? 3 : 2);
  const char *q = digits;
  gunichar c = 0;

  /* Saturated, not overflowed: &#99999999999999; is one U+FFFD, and costs
   * one step per digit however many there are. */
  for (; hex ? g_ascii_isxdigit (*q) : g_ascii_isdigit (*q); q++)
    c = MIN (c * (hex ? 16 : 10) + (hex ? g_ascii_xdigit_value (*q) : g_ascii_digit_value (*q)),
             0x110000);

  if (q == digits || *q != ';')
    {
      g_string_append_c (out, '&');
      return p + 1;
    }

  g_string_append_unichar (out, c != 0 && g_unichar_validate (c) ? c : 0xFFFD);
  return q + 1;
}

/* A character reference, @p on its "&"; an unknown one stays as it is. */
static const char *
decode_entity (const char *p,
               GString    *out)
{
  if (p[1] == '#')
    return decode_numeric (p, out);

  for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
    {
      gsize len = strlen (entities[i].name);

      if (strncmp (p + 1, entities[i].name, len) == 0)
        {
          g_string_append (out, entities[i].text);
          return p + 1 + len;
        }
    }

  g_string_append_c (out, '&');
  return p + 1;
}

/* Whether the tag whose name starts at @p is @name. */
static gboolean
tag_is (const char *p,
        const char *name)
{
  gsize len = strlen (name);

  /* The first letter (names are lowercase letters) tells most tags
   * apart without a call. */
  return (*p | 0x20) == name[0] && g_ascii_strncasecmp (p, name, len) == 0 &&
         !g_ascii_isalnum (p[len]);
}

static const char *
tag_end (const char *p)
{
  const char *gt = strchr (p, '>');

  return gt != NULL ? gt + 1 : p + strlen (p);
}

/* A script's or style's content is code, not text: skipped up to the tag
 * @closing. */
static const char *
skip_raw_text (const char *p,
               const char *closing)
{
  const char *lt;

  while ((lt = strchr (p, '<')) != NULL)
    {
      if (lt[1] == '/' && tag_is (lt + 2, closing))
        return tag_end (lt);
      p = lt + 1;
    }
  return p + strlen (p);
}

/* A tag, @p on its "<"; returns what follows it. */
static const char *
skip_tag (const char *p,
          GString    *out)
{
  const char *name = p + 1;

  /* As in HTML, "a < b" is text. */
  if (!g_ascii_isalpha (*name) && *name != '/' && *name != '!' && *name != '?')
    {
      g_string_append_c (out, '<');
      return name;
    }

  if (strncmp (name, "!--", 3) == 0)
    {
      const char *close = strstr (name + 3, "-->");

      return close != NULL ? close + 3 : name + strlen (name);
    }

  if (tag_is (name, "br") || (name[0] == '/' && tag_is (name + 1, "p")))
    g_string_append_c (out, '\n');
  if (tag_is (name, "script"))
    return skip_raw_text (tag_end (p), "script");
  if (tag_is (name, "style"))
    return skip_raw_text (tag_end (p), "style");
  return tag_end (p);
}

/* Lines trimmed; no blank line first or last, nor two in a row. */
static char *
collapse_blank_lines (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean blank_before = FALSE;

  for (const char *line = text; line != NULL;)
    {
      const char *newline = strchr (line, '\n');
      const char *end = newline != NULL ? newline : line + strlen (line);

      while (line < end && g_ascii_isspace (*line))
        line++;
      while (end > line && g_ascii_isspace (end[-1]))
        end--;

      if (line == end)
        {
          blank_before = out->len > 0;
        }
      else
        {
          if (out->len > 0)
            g_string_append (out, blank_before ? "\n\n" : "\n");
          g_string_append_len (out, line, end - line);
          blank_before = FALSE;
        }
      line = newline != NULL ? newline + 1 : NULL;
    }

  return g_string_free (out, FALSE);
}

static char *
strip_html (const char *html)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *p = html;

  while (*p != '\0')
    {
      gsize run = strcspn (p, "<&");

      /* Text between tags and references goes in at once. */
      g_string_append_len (text, p, run);
      p += run;
      if (*p == '<')
        p = skip_tag (p, text);
      else if (*p == '&')
        p = decode_entity (p, text);
    }

  return collapse_blank_lines (text->str);
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
      pair_lines (action, value);
      return TRUE;
    }
  if (filter->kind == FB_FILTER_PAIRS && value->kind == VALUE_ARRAY)
    return render_error (action, _("pairs needs an object, and %s is an array"),
                         action->head->value);
  if (value->kind != VALUE_TEXT)
    return TRUE;

  switch (filter->kind)
    {
    case FB_FILTER_STRIPHTML: set_text (value, strip_html (value->text)); break;
    case FB_FILTER_TRUNCATE: set_text (value, truncate_text (value->text, filter->n)); break;
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
