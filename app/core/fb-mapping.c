/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-mapping"

#include "config.h"

#include "fb-mapping.h"

#include "fb-message-private.h"
#include "fb-json-select.h"
#include "fb-template.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * Rules and templates, compiled once (see fb-mapping.h for the syntax),
 * then applied to each event: failures first, then the ignore rules, then
 * the first variant whose condition holds. Every text a template renders is
 * bounded and every link checked with the helpers of fb-message.c, as for
 * the readers written in C.
 */

/* A message key or group is an identifier, not prose. */
#define MAX_KEY_CHARS 256

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

typedef struct
{
  char   *source;
  GArray *clauses;  /* Clause */
} Rule;

typedef struct
{
  Rule       *condition;  /* NULL: always */
  FbTemplate *templates[FB_MAPPING_N_FIELDS];
} Variant;

typedef struct
{
  char *event_type;
  char *message;
} Failure;

struct _FbMapping
{
  gatomicrefcount  ref_count;
  GPtrArray       *rules;         /* Rule */
  GPtrArray       *rule_sources;  /* char*, NULL-terminated */
  GPtrArray       *variants;      /* Variant */
  GArray          *failures;      /* Failure */
  gboolean         skip_first;
  FbJsonSelect    *selection;     /* every path its templates and rules read */
};

static const char * const field_keys[FB_MAPPING_N_FIELDS] = {
  "title-template", "body-template", "link-template", "icon-template",
  "priority-template", "key-template", "group-template",
};

/* Longest text each field may render, in characters. */
static const gsize field_max_chars[FB_MAPPING_N_FIELDS] = {
  MAX_TITLE_CHARS, MAX_BODY_CHARS, 8192, 8192, 16, MAX_KEY_CHARS, MAX_KEY_CHARS,
};

/**
 * fb_mapping_field_to_key:
 *
 * Returns: the name of the feed setting that holds @field's template
 */
const char *
fb_mapping_field_to_key (FbMappingField field)
{
  g_return_val_if_fail (field < FB_MAPPING_N_FIELDS, NULL);

  return field_keys[field];
}

/* --- rules --------------------------------------------------------------- */

static void
clause_clear (gpointer data)
{
  Clause *clause = data;

  g_clear_pointer (&clause->path, fb_template_unref);
  g_clear_pointer (&clause->present, fb_template_unref);
  g_clear_pointer (&clause->values, g_ptr_array_unref);
}

static void
rule_free (gpointer data)
{
  Rule *rule = data;

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

  /* TRANSLATORS: the %u is a character position in a rule, the %s what is
   * wrong there */
  g_set_error (scanner->error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_SYNTAX,
               _("Column %u: %s"), (guint) g_utf8_strlen (scanner->src, offset) + 1, message);
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

static Rule *
parse_rule (const char  *source,
            GError     **error)
{
  Scanner scanner = { source, 0, error };
  Rule *rule;

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

  rule = g_new0 (Rule, 1);
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

  rule_free (rule);
  return NULL;
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
  Rule *parsed = parse_rule (rule, error);

  if (parsed == NULL)
    return FALSE;
  rule_free (parsed);
  return TRUE;
}

typedef struct
{
  const char *event_type;
  const char *data;
  gsize       data_len;
  JsonNode   *payload;
  const char *event_id;
} Event;

static gboolean
clause_matches (const Clause *clause,
                const Event  *event)
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

static gboolean
rule_matches (const Rule  *rule,
              const Event *event)
{
  for (guint i = 0; i < rule->clauses->len; i++)
    {
      if (!clause_matches (&g_array_index (rule->clauses, Clause, i), event))
        return FALSE;
    }
  return TRUE;
}

/* --- the mapping --------------------------------------------------------- */

static void
variant_free (gpointer data)
{
  Variant *variant = data;

  g_clear_pointer (&variant->condition, rule_free);
  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    g_clear_pointer (&variant->templates[i], fb_template_unref);
  g_free (variant);
}

static void
failure_clear (gpointer data)
{
  Failure *failure = data;

  g_free (failure->event_type);
  g_free (failure->message);
}

/**
 * fb_mapping_new:
 *
 * Returns: (transfer full): a mapping with no rules and no variants, which
 *   shows every event with the generic reading
 */
FbMapping *
fb_mapping_new (void)
{
  FbMapping *self = g_new0 (FbMapping, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->rules = g_ptr_array_new_with_free_func (rule_free);
  self->rule_sources = g_ptr_array_new ();
  g_ptr_array_add (self->rule_sources, NULL);
  self->variants = g_ptr_array_new_with_free_func (variant_free);
  self->failures = g_array_new (FALSE, TRUE, sizeof (Failure));
  g_array_set_clear_func (self->failures, failure_clear);
  self->selection = fb_json_select_new ();
  return self;
}

/**
 * fb_mapping_new_custom:
 * @templates: (array fixed-size=7): a template per #FbMappingField; %NULL
 *   or "" for a field without one
 * @rules: (nullable) (array zero-terminated=1): ignore rules
 * @skip_first: whether the first event after each connect is ignored
 *
 * Returns: (transfer full) (nullable): the mapping of a feed whose format is
 *   "custom", or %NULL with @error naming the field or rule that does not
 *   parse
 */
FbMapping *
fb_mapping_new_custom (const char * const  *templates,
                       const char * const  *rules,
                       gboolean             skip_first,
                       GError             **error)
{
  g_autoptr(FbMapping) self = fb_mapping_new ();

  for (guint i = 0; rules != NULL && rules[i] != NULL; i++)
    {
      if (*rules[i] != '\0' && !fb_mapping_add_rule (self, rules[i], error))
        return NULL;
    }
  if (!fb_mapping_add_variant (self, NULL, templates, error))
    return NULL;
  fb_mapping_set_skip_first (self, skip_first);
  return g_steal_pointer (&self);
}

FbMapping *
fb_mapping_ref (FbMapping *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
fb_mapping_unref (FbMapping *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_ptr_array_unref (self->rules);
  g_ptr_array_unref (self->rule_sources);
  g_ptr_array_unref (self->variants);
  g_array_unref (self->failures);
  fb_json_select_free (self->selection);
  g_free (self);
}

/* The paths @rule compares, added to what each event's parse builds. */
static void
select_rule (FbMapping  *self,
             const Rule *rule)
{
  for (guint i = 0; i < rule->clauses->len; i++)
    {
      Clause *clause = &g_array_index (rule->clauses, Clause, i);

      if (clause->lhs != LHS_PATH)
        continue;
      fb_json_select_add_template (self->selection, clause->path);
      fb_json_select_add_template (self->selection, clause->present);
    }
}

/**
 * fb_mapping_add_rule:
 * @rule: an ignore rule, see fb-mapping.h
 *
 * Returns: %FALSE, with @error saying where, when @rule does not parse or
 *   the mapping has FB_MAPPING_MAX_RULES already
 */
gboolean
fb_mapping_add_rule (FbMapping   *self,
                     const char  *rule,
                     GError     **error)
{
  Rule *parsed;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);

  if (self->rules->len == FB_MAPPING_MAX_RULES)
    {
      g_set_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_SYNTAX,
                   _("A feed may have at most %u rules"), FB_MAPPING_MAX_RULES);
      return FALSE;
    }

  parsed = parse_rule (rule, error);
  if (parsed == NULL)
    return FALSE;

  select_rule (self, parsed);
  g_ptr_array_add (self->rules, parsed);
  self->rule_sources->pdata[self->rule_sources->len - 1] = parsed->source;
  g_ptr_array_add (self->rule_sources, NULL);
  return TRUE;
}

/**
 * fb_mapping_add_variant:
 * @condition: (nullable): a rule that selects the events this variant
 *   renders; %NULL for all of them
 * @templates: (array fixed-size=7): a template per #FbMappingField
 *
 * Returns: %FALSE, with @error naming the field, when something does not
 *   parse
 */
gboolean
fb_mapping_add_variant (FbMapping           *self,
                        const char          *condition,
                        const char * const  *templates,
                        GError             **error)
{
  Variant *variant;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (templates != NULL, FALSE);
  g_return_val_if_fail (self->variants->len < FB_MAPPING_MAX_VARIANTS, FALSE);

  variant = g_new0 (Variant, 1);
  if (condition != NULL && (variant->condition = parse_rule (condition, error)) == NULL)
    {
      variant_free (variant);
      return FALSE;
    }

  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (templates[i] == NULL || *templates[i] == '\0')
        continue;

      variant->templates[i] = fb_template_parse (templates[i], &local_error);
      if (variant->templates[i] == NULL)
        {
          /* TRANSLATORS: the first %s is a setting's name such as
           * "title-template", the second what is wrong with it */
          g_set_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_SYNTAX,
                       _("%s: %s"), field_keys[i], local_error->message);
          variant_free (variant);
          return FALSE;
        }
    }

  if (variant->condition != NULL)
    select_rule (self, variant->condition);
  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    {
      if (variant->templates[i] != NULL)
        fb_json_select_add_template (self->selection, variant->templates[i]);
    }
  g_ptr_array_add (self->variants, variant);
  return TRUE;
}

/**
 * fb_mapping_add_failure:
 * @event_type: an SSE event type
 * @message: what the feed's status then says, for a person to act on
 *
 * Events of @event_type end the stream: the service has revoked it.
 */
void
fb_mapping_add_failure (FbMapping  *self,
                        const char *event_type,
                        const char *message)
{
  Failure failure = { g_strdup (event_type), g_strdup (message) };

  g_return_if_fail (self != NULL);

  g_array_append_val (self->failures, failure);
}

void
fb_mapping_set_skip_first (FbMapping *self,
                           gboolean   skip_first)
{
  g_return_if_fail (self != NULL);

  self->skip_first = !!skip_first;
}

/**
 * fb_mapping_get_skip_first:
 *
 * Returns: whether the first event after each connect is to be ignored
 *   (Firebase's snapshot); the caller counts the events, the mapping does not
 */
gboolean
fb_mapping_get_skip_first (FbMapping *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->skip_first;
}

/**
 * fb_mapping_get_rules:
 *
 * Returns: (transfer none): the ignore rules, as written (trimmed)
 */
const char * const *
fb_mapping_get_rules (FbMapping *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *) self->rule_sources->pdata;
}

/**
 * fb_mapping_get_template:
 *
 * Returns: the template of @field in the last variant (the one without a
 *   condition, for a built-in format), "" when it has none
 */
const char *
fb_mapping_get_template (FbMapping      *self,
                         FbMappingField  field)
{
  Variant *variant;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (field < FB_MAPPING_N_FIELDS, NULL);

  if (self->variants->len == 0)
    return "";

  variant = g_ptr_array_index (self->variants, self->variants->len - 1);
  return variant->templates[field] != NULL ? fb_template_get_source (variant->templates[field]) : "";
}

/**
 * fb_mapping_get_selection:
 *
 * Returns: (transfer none): the parts of a payload that the mapping's
 *   templates and rules read, for fb_json_select_parse()
 */
const FbJsonSelect *
fb_mapping_get_selection (FbMapping *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->selection;
}

/**
 * fb_mapping_parse_payload:
 *
 * Returns: (transfer none) (nullable): @data as JSON, owned by @parser, or
 *   %NULL when it is not JSON that is safe to read
 */
JsonNode *
fb_mapping_parse_payload (JsonParser *parser,
                          const char *data,
                          gsize       data_len)
{
  return _fb_message_parse_node (parser, data, data_len);
}

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
 * shows instead. */
static FbMessage *
generic_message (const char  *feed_name,
                 const Event *event)
{
  return fb_message_new_from_event (feed_name, FB_MESSAGE_FORMAT_JSON, event->event_type,
                                    event->data, event->data_len, event->event_id);
}

/* Whether the data is JSON, or starts like it, but is not an object that
 * was read. */
static gboolean
looks_like_json (const Event *event)
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

static FbMessage *
render_variant (const Variant  *variant,
                const char     *feed_name,
                const Event    *event,
                char          **reason)
{
  g_autoptr(FbMessage) self = _fb_message_new (feed_name, event->event_type, event->event_id);
  g_autoptr(FbMessage) generic = NULL;
  char *texts[FB_MAPPING_N_FIELDS] = { NULL, };

  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      if (variant->templates[i] == NULL)
        continue;

      text = fb_template_render (variant->templates[i], event->payload, event->event_type,
                                 event->event_id, field_max_chars[i] * 4 + 4, &error);
      if (text == NULL)
        {
          if (reason != NULL && *reason == NULL)
            *reason = g_strdup_printf ("%s: %s", field_keys[i], error->message);
          continue;
        }
      texts[i] = _fb_message_bound_string (text, field_max_chars[i]);
    }

  self->title = g_steal_pointer (&texts[FB_MAPPING_FIELD_TITLE]);
  /* A title is one line: a notification server may show only the first. */
  for (char *p = self->title; p != NULL && *p != '\0'; p++)
    {
      if (*p == '\r' || *p == '\n' || *p == '\t')
        *p = ' ';
    }
  self->body = g_steal_pointer (&texts[FB_MAPPING_FIELD_BODY]);
  /* The generic reading (a second parse, of the whole payload) only for
   * what did not render: a field without a template stays empty. */
  if (self->title == NULL || *self->title == '\0' || self->body == NULL ||
      (texts[FB_MAPPING_FIELD_LINK] == NULL && variant->templates[FB_MAPPING_FIELD_LINK] != NULL))
    generic = generic_message (feed_name, event);
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

  if (texts[FB_MAPPING_FIELD_LINK] != NULL)
    self->click_url = _fb_message_safe_url_dup (texts[FB_MAPPING_FIELD_LINK]);
  else if (variant->templates[FB_MAPPING_FIELD_LINK] != NULL)
    self->click_url = g_strdup (fb_message_get_click_url (generic));
  if (texts[FB_MAPPING_FIELD_ICON] != NULL)
    self->icon_url = _fb_message_safe_url_dup (texts[FB_MAPPING_FIELD_ICON]);
  if (texts[FB_MAPPING_FIELD_PRIORITY] != NULL && parse_priority (texts[FB_MAPPING_FIELD_PRIORITY]) != 0)
    self->priority = parse_priority (texts[FB_MAPPING_FIELD_PRIORITY]);
  if (texts[FB_MAPPING_FIELD_KEY] != NULL && *texts[FB_MAPPING_FIELD_KEY] != '\0')
    self->key = g_steal_pointer (&texts[FB_MAPPING_FIELD_KEY]);
  if (texts[FB_MAPPING_FIELD_GROUP] != NULL && *texts[FB_MAPPING_FIELD_GROUP] != '\0')
    self->group = g_steal_pointer (&texts[FB_MAPPING_FIELD_GROUP]);

  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    g_free (texts[i]);

  return g_steal_pointer (&self);
}

/**
 * fb_mapping_apply:
 * @feed_name: (nullable): the feed's name, the title of last resort
 * @event_type: (nullable): the SSE event type; "message" when %NULL or ""
 * @data: the event's data, valid UTF-8
 * @data_len: its length in bytes
 * @payload: (nullable): @data parsed with fb_mapping_parse_payload(), or
 *   %NULL when it is not JSON (it is then read as one JSON string)
 * @event_id: (nullable): the SSE last event id
 * @message: (out) (optional): for %FB_MAPPING_SHOW, the message
 * @reason: (out) (optional): for %FB_MAPPING_IGNORE, the rule that matched;
 *   for %FB_MAPPING_FAIL, what a person must do; for %FB_MAPPING_SHOW, why
 *   a template fell back to the generic reading, or %NULL
 *
 * Returns: what to do with the event
 */
FbMappingResult
fb_mapping_apply (FbMapping   *self,
                  const char  *feed_name,
                  const char  *event_type,
                  const char  *data,
                  gsize        data_len,
                  JsonNode    *payload,
                  const char  *event_id,
                  FbMessage  **message,
                  char       **reason)
{
  g_autoptr(JsonNode) text_node = NULL;
  g_autofree char *local_reason = NULL;
  FbMessage *result = NULL;
  Event event;

  g_return_val_if_fail (self != NULL, FB_MAPPING_IGNORE);
  g_return_val_if_fail (data != NULL || data_len == 0, FB_MAPPING_IGNORE);

  event.event_type = event_type != NULL && *event_type != '\0' ? event_type : "message";
  event.data = data != NULL ? data : "";
  event.data_len = data_len;
  event.event_id = event_id != NULL ? event_id : "";
  if (payload == NULL)
    {
      g_autofree char *valid = g_utf8_make_valid (event.data, (gssize) MIN (data_len, (gsize) G_MAXSSIZE));

      text_node = json_node_init_string (json_node_alloc (), valid);
      payload = text_node;
    }
  event.payload = payload;

  for (guint i = 0; i < self->failures->len; i++)
    {
      Failure *failure = &g_array_index (self->failures, Failure, i);

      if (strcmp (failure->event_type, event.event_type) == 0)
        {
          local_reason = g_strdup (failure->message);
          goto out_fail;
        }
    }

  for (guint i = 0; i < self->rules->len; i++)
    {
      Rule *rule = g_ptr_array_index (self->rules, i);

      if (rule_matches (rule, &event))
        {
          local_reason = g_strdup (rule->source);
          if (reason != NULL)
            *reason = g_steal_pointer (&local_reason);
          return FB_MAPPING_IGNORE;
        }
    }

  for (guint i = 0; i < self->variants->len && result == NULL; i++)
    {
      Variant *variant = g_ptr_array_index (self->variants, i);

      if (variant->condition == NULL || rule_matches (variant->condition, &event))
        result = render_variant (variant, feed_name, &event, &local_reason);
    }
  if (result == NULL)
    result = generic_message (feed_name, &event);

  if (message != NULL)
    *message = result;
  else
    g_object_unref (result);
  if (reason != NULL)
    *reason = g_steal_pointer (&local_reason);
  return FB_MAPPING_SHOW;

out_fail:
  if (reason != NULL)
    *reason = g_steal_pointer (&local_reason);
  return FB_MAPPING_FAIL;
}
