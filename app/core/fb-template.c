/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-template"

#include "config.h"

#include "fb-template.h"

#include "fb-template-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>

/*
 * The parser: a template is compiled once, when a feed's mapping is saved
 * or loaded, into a list of pieces (literal text, or an action with its
 * path and filters), so that rendering each event only walks that list.
 * Rendering is in fb-template-render.c.
 */

G_DEFINE_QUARK (fb-template-error-quark, fb_template_error)

typedef struct
{
  const char  *src;
  gsize        pos;
  gsize        open;  /* the "{{" of the action being parsed */
  GError     **error;
} Parser;

/* The 1-based character column of byte @offset; the source is valid UTF-8
 * up to there. */
static guint
column_at (const char *source,
           gsize       offset)
{
  return (guint) g_utf8_strlen (source, offset) + 1;
}

/* Every error of a template, parsed or rendered, and of a rule
 * (fb-mapping-rule.c) starts with its column: one string to translate. */
void
_fb_template_set_error_at (GError          **error,
                           FbTemplateError   code,
                           const char       *source,
                           gsize             offset,
                           const char       *message)
{
  /* TRANSLATORS: the %u is a character position in a template or a rule,
   * the %s what is wrong there */
  g_set_error (error, FB_TEMPLATE_ERROR, code, _("Column %u: %s"),
               column_at (source, offset), message);
}

G_GNUC_PRINTF (3, 4)
static gboolean
syntax_error (Parser     *parser,
              gsize       offset,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  _fb_template_set_error_at (parser->error, FB_TEMPLATE_ERROR_SYNTAX, parser->src, offset,
                             message);
  return FALSE;
}

static gboolean
unclosed_error (Parser *parser)
{
  return syntax_error (parser, parser->pos,
                       _("expected “}}” to close the “{{” at column %u"),
                       column_at (parser->src, parser->open));
}

static void
head_clear (FbTemplateHead *head)
{
  g_free (head->value);
  for (guint i = 0; i < head->n_steps; i++)
    g_free (head->steps[i].name);
  g_free (head->steps);
}

static void
piece_clear (gpointer data)
{
  FbTemplatePiece *piece = data;

  g_free (piece->text);
  head_clear (&piece->head);
  for (guint i = 0; i < piece->n_filters; i++)
    {
      g_free (piece->filters[i].arg);
      head_clear (&piece->filters[i].fallback);
    }
}

static void
skip_space (Parser *parser)
{
  while (g_ascii_isspace (parser->src[parser->pos]))
    parser->pos++;
}

static gboolean
is_name_byte (char c)
{
  /* Bytes of non-ASCII characters are name bytes, so that a member named
   * in any script can be reached. */
  return g_ascii_isalnum (c) || c == '_' || c == '-' || (guchar) c >= 0x80;
}

/* A member's name may also have "@" and "$", as JSON-LD's @type and
 * $schema do; a filter's name may not. */
static gboolean
is_member_byte (char c)
{
  return is_name_byte (c) || c == '@' || c == '$';
}

static gsize
name_end (Parser   *parser,
          gsize     from,
          gboolean  member)
{
  while (member ? is_member_byte (parser->src[from]) : is_name_byte (parser->src[from]))
    from++;
  return from;
}

/* A string in double quotes; @parser is on the opening quote. */
static char *
parse_string (Parser *parser)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gsize start = parser->pos;
  const char *p = parser->src + start + 1;

  for (; *p != '"'; p++)
    {
      if (*p == '\0')
        {
          syntax_error (parser, start, _("this string has no closing “\"”"));
          return NULL;
        }
      if (*p == '\\')
        {
          p++;
          if (*p != '"' && *p != '\\')
            {
              syntax_error (parser, p - parser->src - 1,
                            _("a string may only escape “\\\"” and “\\\\”"));
              return NULL;
            }
        }
      g_string_append_c (text, *p);
    }

  parser->pos = p + 1 - parser->src;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* A whole number from 0 to G_MAXUINT, for an index or truncate's length;
 * FALSE leaves the message to the caller, which knows what was expected. */
static gboolean
parse_number (Parser *parser,
              guint  *number)
{
  gsize start = parser->pos;
  gsize end = start;
  g_autofree char *digits = NULL;
  guint64 value;

  while (g_ascii_isdigit (parser->src[end]))
    end++;
  digits = g_strndup (parser->src + start, end - start);
  if (end == start || !g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT, &value, NULL))
    return FALSE;

  *number = (guint) value;
  parser->pos = end;
  return TRUE;
}

static gboolean
parse_step (Parser         *parser,
            FbTemplateHead *head)
{
  FbTemplateStep *step;
  gsize start = parser->pos;

  if (head->n_steps == FB_TEMPLATE_MAX_STEPS)
    return syntax_error (parser, start, _("a path may have at most %u steps"),
                         FB_TEMPLATE_MAX_STEPS);

  step = &head->steps[head->n_steps];
  if (parser->src[start] == '[')
    {
      parser->pos++;
      if (!parse_number (parser, &step->index))
        return syntax_error (parser, parser->pos,
                             _("expected an index, a whole number from 0 to %u"), G_MAXUINT);
      if (parser->src[parser->pos] != ']')
        return syntax_error (parser, parser->pos, _("expected “]”"));
      parser->pos++;
    }
  else
    {
      gsize end = name_end (parser, start + 1, TRUE);

      if (end == start + 1)
        return syntax_error (parser, end, _("expected a member name after “.”"));
      step->name = g_strndup (parser->src + start + 1, end - start - 1);
      parser->pos = end;
    }

  step->path_len = parser->pos - head->offset;
  head->n_steps++;
  return TRUE;
}

/* .event and .id are the caller's; .data is the payload's member data or,
 * when it has none, the payload, which only rendering can tell (see the
 * header). */
static gboolean
resolve_root (Parser         *parser,
              FbTemplateHead *head)
{
  const char *first = head->n_steps > 0 ? head->steps[0].name : NULL;
  gboolean is_event = g_strcmp0 (first, "event") == 0;

  if (is_event || g_strcmp0 (first, "id") == 0)
    {
      if (head->n_steps > 1)
        return syntax_error (parser, head->offset + head->steps[0].path_len,
                             is_event
                             ? _(".event is the event type and has no members; "
                                 "the payload’s own “event” is .data.event")
                             : _(".id is the event’s id and has no members; "
                                 "the payload’s own “id” is .data.id"));
      head->kind = is_event ? FB_HEAD_EVENT : FB_HEAD_ID;
    }
  else if (g_strcmp0 (first, "data") == 0)
    {
      head->first_step = 1;
    }

  return TRUE;
}

/* A path; @parser is on its first ".". */
static gboolean
parse_path (Parser         *parser,
            FbTemplateHead *head)
{
  head->kind = FB_HEAD_PAYLOAD;
  /* At most FB_TEMPLATE_MAX_STEPS while parsing, then only what is used. */
  head->steps = g_new0 (FbTemplateStep, FB_TEMPLATE_MAX_STEPS);
  if (is_member_byte (parser->src[parser->pos + 1]))
    {
      if (!parse_step (parser, head))
        return FALSE;
    }
  else if (parser->src[parser->pos + 1] == '.')
    {
      return syntax_error (parser, parser->pos + 1, _("expected a member name after “.”"));
    }
  else
    {
      parser->pos++;
    }

  while (parser->src[parser->pos] == '[' || parser->src[parser->pos] == '.')
    {
      if (!parse_step (parser, head))
        return FALSE;
    }

  head->steps = g_renew (FbTemplateStep, head->steps, head->n_steps);
  head->value = g_strndup (parser->src + head->offset, parser->pos - head->offset);
  return resolve_root (parser, head);
}

/* A path or a string, @parser on its first character: an action's head,
 * or default's argument, which has the same rules. */
static gboolean
parse_path_or_string (Parser         *parser,
                      FbTemplateHead *head)
{
  head->offset = parser->pos;
  if (parser->src[parser->pos] == '.')
    return parse_path (parser, head);

  g_assert (parser->src[parser->pos] == '"');
  head->kind = FB_HEAD_STRING;
  head->value = parse_string (parser);
  return head->value != NULL;
}

static gboolean
parse_head (Parser          *parser,
            FbTemplatePiece *piece)
{
  char c = parser->src[parser->pos];

  if (c == '.' || c == '"')
    return parse_path_or_string (parser, &piece->head);

  if (c == '\0')
    return unclosed_error (parser);

  return syntax_error (parser, parser->pos,
                       _("expected a path such as “.title” or a string in quotes"));
}

static gboolean
parse_filter_argument (Parser           *parser,
                       FbTemplateFilter *filter)
{
  skip_space (parser);
  switch (filter->kind)
    {
    case FB_FILTER_TRUNCATE:
      if (!parse_number (parser, &filter->n))
        return syntax_error (parser, parser->pos, _("expected a number of characters, "
                                                    "a whole number from 0 to %u"), G_MAXUINT);
      return TRUE;
    case FB_FILTER_DEFAULT:
      /* A path too, so that one member can stand in for another, as in
       * .display_name | default .username. */
      if (parser->src[parser->pos] != '"' && parser->src[parser->pos] != '.')
        return syntax_error (parser, parser->pos,
                             _("default needs a string in quotes or a path"));
      return parse_path_or_string (parser, &filter->fallback);
    case FB_FILTER_JOIN:
      if (parser->src[parser->pos] != '"')
        return syntax_error (parser, parser->pos, _("join needs a string in quotes"));
      filter->arg = parse_string (parser);
      return filter->arg != NULL;
    case FB_FILTER_STRIPHTML:
    case FB_FILTER_LOWER:
    case FB_FILTER_UPPER:
    case FB_FILTER_PAIRS:
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* A filter; @parser is just after its "|". */
static gboolean
parse_filter (Parser          *parser,
              FbTemplatePiece *piece)
{
  gsize start, end;
  g_autofree char *name = NULL;
  FbFilterKind kind;

  skip_space (parser);
  start = parser->pos;
  if (piece->n_filters == FB_TEMPLATE_MAX_FILTERS)
    return syntax_error (parser, start, _("an action may have at most %u filters"),
                         FB_TEMPLATE_MAX_FILTERS);

  end = name_end (parser, start, FALSE);
  if (end == start)
    return syntax_error (parser, start, _("expected a filter’s name after “|”"));

  name = g_strndup (parser->src + start, end - start);
  parser->pos = end;
  if (_fb_template_filter_from_name (name, &kind))
    {
      FbTemplateFilter *filter = &piece->filters[piece->n_filters++];

      filter->kind = kind;
      piece->has_striphtml |= kind == FB_FILTER_STRIPHTML;
      return parse_filter_argument (parser, filter);
    }

  return syntax_error (parser, start,
                       _("unknown filter “%s”; the filters are striphtml, truncate, "
                         "default, lower, upper, join and pairs"), name);
}

/* An action; @parser is just after its "{{". */
static gboolean
parse_action (Parser          *parser,
              FbTemplatePiece *piece)
{
  skip_space (parser);
  if (!parse_head (parser, piece))
    return FALSE;

  for (;;)
    {
      skip_space (parser);
      if (strncmp (parser->src + parser->pos, "}}", 2) == 0)
        break;

      if (parser->src[parser->pos] == '|')
        {
          parser->pos++;
          if (!parse_filter (parser, piece))
            return FALSE;
        }
      else if (parser->src[parser->pos] == '\0')
        {
          return unclosed_error (parser);
        }
      else
        {
          return syntax_error (parser, parser->pos, _("expected “|” or “}}”"));
        }
    }

  parser->pos += 2;
  return TRUE;
}

static gboolean
check_source (Parser *parser)
{
  const char *end;
  gsize len = strlen (parser->src);
  gboolean valid = g_utf8_validate_len (parser->src, MIN (len, FB_TEMPLATE_MAX_SOURCE), &end);

  /* Cut at the limit, the last character may be cut in two: the error is
   * then the length, at the first character that does not fit. */
  if (len > FB_TEMPLATE_MAX_SOURCE && (valid || end - parser->src > FB_TEMPLATE_MAX_SOURCE - 4))
    return syntax_error (parser, end - parser->src,
                         _("a template may be at most %u bytes long"), FB_TEMPLATE_MAX_SOURCE);

  if (!valid)
    return syntax_error (parser, end - parser->src, _("the template is not valid UTF-8"));

  return TRUE;
}

static gboolean
parse_pieces (Parser *parser,
              GArray *pieces)
{
  guint n_actions = 0;

  while (parser->src[parser->pos] != '\0')
    {
      FbTemplatePiece *piece;
      const char *open = strstr (parser->src + parser->pos, "{{");
      gsize literal_end = open != NULL ? (gsize) (open - parser->src) : strlen (parser->src);

      g_array_set_size (pieces, pieces->len + 1);
      piece = &g_array_index (pieces, FbTemplatePiece, pieces->len - 1);
      piece->text = g_strndup (parser->src + parser->pos, literal_end - parser->pos);
      piece->text_len = literal_end - parser->pos;
      parser->pos = literal_end;
      if (open == NULL)
        break;

      if (++n_actions > FB_TEMPLATE_MAX_ACTIONS)
        return syntax_error (parser, literal_end, _("a template may have at most %u actions"),
                             FB_TEMPLATE_MAX_ACTIONS);
      parser->open = literal_end;
      parser->pos += 2;
      if (!parse_action (parser, piece))
        return FALSE;
      piece->is_action = TRUE;
    }

  return TRUE;
}

/**
 * fb_template_parse:
 * @source: the template's text
 * @error: %FB_TEMPLATE_ERROR_SYNTAX, its message starting with the column
 *
 * Compiles a template (syntax in fb-template.h).
 *
 * Returns: (transfer full) (nullable): the template, or %NULL with @error set
 */
FbTemplate *
fb_template_parse (const char  *source,
                   GError     **error)
{
  g_autoptr(GArray) pieces = NULL;
  Parser parser = { source, 0, 0, error };
  FbTemplate *self;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_source (&parser))
    return NULL;

  pieces = g_array_new (FALSE, TRUE, sizeof (FbTemplatePiece));
  g_array_set_clear_func (pieces, piece_clear);
  if (!parse_pieces (&parser, pieces))
    return NULL;

  self = g_atomic_rc_box_new0 (FbTemplate);
  self->source = g_strdup (source);
  self->pieces = g_steal_pointer (&pieces);
  return self;
}

/**
 * fb_template_ref:
 *
 * Returns: (transfer full): @self
 */
FbTemplate *
fb_template_ref (FbTemplate *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

static void
fb_template_clear (gpointer data)
{
  FbTemplate *self = data;

  g_free (self->source);
  g_array_unref (self->pieces);
}

/**
 * fb_template_unref:
 *
 * Drops a reference; the last one frees the template.
 */
void
fb_template_unref (FbTemplate *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, fb_template_clear);
}

/**
 * fb_template_get_source:
 *
 * Returns: the text @self was parsed from
 */
const char *
fb_template_get_source (FbTemplate *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->source;
}

/**
 * _fb_template_foreach_path:
 * @func: called for each path into the payload, in the order written
 *
 * The paths a template reads, for a parser that builds no more of the
 * payload than rendering can reach (fb-json-select.c).
 */
void
_fb_template_foreach_path (FbTemplate         *self,
                           FbTemplatePathFunc  func,
                           gpointer            user_data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (func != NULL);

  for (guint i = 0; i < self->pieces->len; i++)
    {
      FbTemplatePiece *piece = &g_array_index (self->pieces, FbTemplatePiece, i);
      gboolean deep = FALSE;

      if (!piece->is_action)
        continue;
      /* join and pairs read the members of whatever value reaches them,
       * the head's or a default's. */
      for (guint j = 0; j < piece->n_filters; j++)
        deep |= piece->filters[j].kind == FB_FILTER_JOIN || piece->filters[j].kind == FB_FILTER_PAIRS;

      if (piece->head.kind == FB_HEAD_PAYLOAD)
        func (&piece->head, deep, user_data);
      for (guint j = 0; j < piece->n_filters; j++)
        {
          if (piece->filters[j].kind == FB_FILTER_DEFAULT
              && piece->filters[j].fallback.kind == FB_HEAD_PAYLOAD)
            func (&piece->filters[j].fallback, deep, user_data);
        }
    }
}
