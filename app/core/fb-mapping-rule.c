/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-mapping"

#include "config.h"

#include "fb-mapping.h"

#include "fb-mapping-private.h"
#include "fb-template-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * The rule language of ignore rules and variant conditions (see
 * fb-mapping.h for the syntax): a rule is parsed once, when the mapping is
 * made, into clauses that compare one side of the event (its type, its
 * data, or a path of its payload rendered as a template) with JSON values.
 */

typedef enum
{
  LHS_EVENT,
  LHS_DATA,
  LHS_PATH,
} LhsKind;

typedef enum
{
  OP_EQUAL,
  OP_NOT_EQUAL,
  OP_IN,
} Op;

typedef struct
{
  LhsKind     lhs;
  FbTemplate *path;     /* {{ PATH }}: renders a scalar's text */
  FbTemplate *present;  /* {{ PATH | default "" }}: fails only for a value that is there
                         * but is not text (an object, an array), which is not null */
  Op          op;
  GPtrArray  *values;  /* text of each value; NULL for null */
} Clause;

struct _FbMappingRule
{
  char   *source;
  GArray *clauses;  /* Clause */
};

static void
clause_clear (gpointer data)
{
  Clause *clause = data;

  g_clear_pointer (&clause->path, fb_template_unref);
  g_clear_pointer (&clause->present, fb_template_unref);
  g_clear_pointer (&clause->values, g_ptr_array_unref);
}

void
_fb_mapping_rule_free (FbMappingRule *rule)
{
  g_free (rule->source);
  g_array_unref (rule->clauses);
  g_free (rule);
}

typedef struct
{
  const char  *src;
  gsize        pos;
  GError     **error;
} Scanner;

G_GNUC_PRINTF (3, 4)
static gboolean
rule_error (Scanner    *scanner,
            gsize       offset,
            const char *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  _fb_template_set_error_at (scanner->error, FB_TEMPLATE_ERROR_SYNTAX, scanner->src, offset,
                             message);
  return FALSE;
}

static void
skip_space (Scanner *scanner)
{
  while (g_ascii_isspace (scanner->src[scanner->pos]))
    scanner->pos++;
}

/* Whether @word is next, as a whole word. */
static gboolean
take_word (Scanner    *scanner,
           const char *word)
{
  gsize len = strlen (word);
  char next;

  /* Only once the word is there is the character after it in the string. */
  if (strncmp (scanner->src + scanner->pos, word, len) != 0)
    return FALSE;
  next = scanner->src[scanner->pos + len];
  if (g_ascii_isalnum (next) || next == '_' || next == '-' || next == '.')
    return FALSE;

  scanner->pos += len;
  return TRUE;
}

static gboolean
parse_lhs (Scanner *scanner,
           Clause  *clause)
{
  gsize start = scanner->pos;
  g_autofree char *text = NULL;
  g_autofree char *source = NULL;
  g_autofree char *present = NULL;

  if (take_word (scanner, "event"))
    {
      clause->lhs = LHS_EVENT;
      return TRUE;
    }
  if (take_word (scanner, "data"))
    {
      clause->lhs = LHS_DATA;
      return TRUE;
    }
  if (scanner->src[start] != '.')
    return rule_error (scanner, start,
                       _("expected “event”, “data” or a path such as “.type”"));

  while (scanner->src[scanner->pos] != '\0' && !g_ascii_isspace (scanner->src[scanner->pos]) &&
         scanner->src[scanner->pos] != '=' && scanner->src[scanner->pos] != '!')
    scanner->pos++;

  clause->lhs = LHS_PATH;
  text = g_strndup (scanner->src + start, scanner->pos - start);
  /* Braces, filters and strings are template syntax, not part of a path:
   * ".a}}{{.b" would otherwise compare a text made of two paths. */
  if (strpbrk (text, "{}|\"") == NULL)
    {
      source = g_strdup_printf ("{{%s}}", text);
      present = g_strdup_printf ("{{%s | default \"\"}}", text);
      clause->path = fb_template_parse (source, NULL);
      clause->present = fb_template_parse (present, NULL);
    }
  if (clause->path == NULL || clause->present == NULL)
    /* TRANSLATORS: %s is what the user wrote where a path was expected */
    return rule_error (scanner, start, _("“%.*s” is not a path such as “.meta.domain”"),
                       (int) strlen (text), text);
  return TRUE;
}

static gboolean
parse_op (Scanner *scanner,
          Clause  *clause)
{
  if (strncmp (scanner->src + scanner->pos, "==", 2) == 0)
    clause->op = OP_EQUAL;
  else if (strncmp (scanner->src + scanner->pos, "!=", 2) == 0)
    clause->op = OP_NOT_EQUAL;
  else if (strncmp (scanner->src + scanner->pos, "in", 2) == 0)
    clause->op = OP_IN;
  else
    return rule_error (scanner, scanner->pos, _("expected “==”, “!=” or “in”"));

  scanner->pos += 2;
  return TRUE;
}

/* Where the JSON value that starts at @from ends: after its closing quote
 * or bracket, or at the first space. */
static gsize
value_end (const char *src,
           gsize       from)
{
  gsize pos = from;
  guint depth = 0;
  gboolean in_string = FALSE;

  for (; src[pos] != '\0'; pos++)
    {
      char c = src[pos];

      if (in_string)
        {
          if (c == '\\' && src[pos + 1] != '\0')
            pos++;
          else if (c == '"')
            {
              in_string = FALSE;
              if (depth == 0)
                return pos + 1;
            }
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[')
        depth++;
      else if (c == ']' && depth > 0 && --depth == 0)
        return pos + 1;
      else if (depth == 0 && g_ascii_isspace (c))
        return pos;
    }

  return pos;
}

/* A scalar's text as a path renders it, or NULL for null. */
static gboolean
scalar_text (JsonNode  *node,
             char     **text)
{
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *text = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    *text = g_strdup (json_node_get_string (node));
  else
    *text = json_to_string (node, FALSE);
  return TRUE;
}

static gboolean
parse_value (Scanner *scanner,
             Clause  *clause)
{
  gsize start = scanner->pos;
  gsize end = value_end (scanner->src, start);
  g_autofree char *json = g_strndup (scanner->src + start, end - start);
  g_autoptr(JsonNode) node = NULL;
  char *text;

  clause->values = g_ptr_array_new_with_free_func (g_free);
  node = end > start ? json_from_string (json, NULL) : NULL;
  if (clause->op == OP_IN)
    {
      JsonArray *array;

      if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
        return rule_error (scanner, start, _("“in” needs a list such as [\"a\", \"b\"]"));

      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (!scalar_text (json_array_get_element (array, i), &text))
            return rule_error (scanner, start,
                               _("a list may hold only strings, numbers, true, false and null"));
          g_ptr_array_add (clause->values, text);
        }
    }
  else
    {
      if (node == NULL || !scalar_text (node, &text))
        return rule_error (scanner, start, _("expected a string in quotes, a number, "
                                             "true, false or null"));
      g_ptr_array_add (clause->values, text);
    }

  scanner->pos = end;
  return TRUE;
}

/* The one parser of rules: ignore rules, conditions and
 * fb_mapping_check_rule() go through it, so that the editor accepts
 * exactly what a mapping does. */
FbMappingRule *
_fb_mapping_rule_parse (const char  *source,
                        GError     **error)
{
  Scanner scanner = { source, 0, error };
  FbMappingRule *rule;

  if (strlen (source) > FB_MAPPING_MAX_RULE)
    {
      g_set_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_SYNTAX,
                   _("A rule may be at most %u bytes long"), FB_MAPPING_MAX_RULE);
      return NULL;
    }
  if (!g_utf8_validate (source, -1, NULL))
    {
      g_set_error_literal (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_SYNTAX,
                           _("The rule is not valid UTF-8"));
      return NULL;
    }

  rule = g_new0 (FbMappingRule, 1);
  rule->source = g_strstrip (g_strdup (source));
  rule->clauses = g_array_new (FALSE, TRUE, sizeof (Clause));
  g_array_set_clear_func (rule->clauses, clause_clear);

  for (;;)
    {
      Clause *clause;

      g_array_set_size (rule->clauses, rule->clauses->len + 1);
      clause = &g_array_index (rule->clauses, Clause, rule->clauses->len - 1);

      skip_space (&scanner);
      if (!parse_lhs (&scanner, clause))
        break;
      skip_space (&scanner);
      if (!parse_op (&scanner, clause))
        break;
      skip_space (&scanner);
      if (!parse_value (&scanner, clause))
        break;
      skip_space (&scanner);
      if (source[scanner.pos] == '\0')
        return rule;
      if (!take_word (&scanner, "and"))
        {
          rule_error (&scanner, scanner.pos, _("expected “and” or the end of the rule"));
          break;
        }
    }

  _fb_mapping_rule_free (rule);
  return NULL;
}

const char *
_fb_mapping_rule_get_source (const FbMappingRule *rule)
{
  return rule->source;
}

/**
 * fb_mapping_check_rule:
 *
 * Returns: whether @rule parses; if not, @error says where and why
 */
gboolean
fb_mapping_check_rule (const char  *rule,
                       GError     **error)
{
  FbMappingRule *parsed = _fb_mapping_rule_parse (rule, error);

  if (parsed == NULL)
    return FALSE;
  _fb_mapping_rule_free (parsed);
  return TRUE;
}

static gboolean
clause_matches (const Clause         *clause,
                const FbMappingEvent *event)
{
  g_autofree char *rendered = NULL;
  const char *text = NULL;
  gsize text_len = 0;
  gboolean is_null = FALSE;
  gboolean equal = FALSE;

  switch (clause->lhs)
    {
    case LHS_EVENT:
      text = event->event_type;
      text_len = strlen (text);
      break;
    case LHS_DATA:
      text = event->data;
      text_len = event->data_len;
      while (text_len > 0 && g_ascii_isspace (text[0]))
        text++, text_len--;
      while (text_len > 0 && g_ascii_isspace (text[text_len - 1]))
        text_len--;
      break;
    case LHS_PATH:
      rendered = fb_template_render (clause->path, event->payload, event->event_type,
                                     event->event_id, MAX_KEY_CHARS * 4, NULL);
      text = rendered;
      text_len = text != NULL ? strlen (text) : 0;
      /* Missing and null equal null; an object or an array is there,
       * so `.reblog != null` holds for a boost, but equals no text. */
      if (text == NULL)
        {
          g_autofree char *present = fb_template_render (clause->present, event->payload,
                                                         event->event_type, event->event_id,
                                                         MAX_KEY_CHARS * 4, NULL);

          is_null = present != NULL;
        }
      break;
    default:
      g_assert_not_reached ();
    }

  for (guint i = 0; i < clause->values->len && !equal; i++)
    {
      const char *value = g_ptr_array_index (clause->values, i);

      if (value == NULL)
        equal = is_null || (clause->lhs == LHS_DATA && text_len == 4 &&
                            memcmp (text, "null", 4) == 0);
      else
        equal = text != NULL && strlen (value) == text_len && memcmp (value, text, text_len) == 0;
    }

  return clause->op == OP_NOT_EQUAL ? !equal : equal;
}

gboolean
_fb_mapping_rule_matches (const FbMappingRule  *rule,
                          const FbMappingEvent *event)
{
  for (guint i = 0; i < rule->clauses->len; i++)
    {
      if (!clause_matches (&g_array_index (rule->clauses, Clause, i), event))
        return FALSE;
    }
  return TRUE;
}

/* The paths @rule compares, added to what each event's parse builds. */
void
_fb_mapping_rule_select (const FbMappingRule *rule,
                         FbJsonSelect        *selection)
{
  for (guint i = 0; i < rule->clauses->len; i++)
    {
      Clause *clause = &g_array_index (rule->clauses, Clause, i);

      if (clause->lhs != LHS_PATH)
        continue;
      fb_json_select_add_template (selection, clause->path);
      fb_json_select_add_template (selection, clause->present);
    }
}
