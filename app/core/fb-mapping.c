/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-mapping"

#include "config.h"

#include "fb-mapping.h"

#include "fb-mapping-private.h"
#include "fb-message-private.h"
#include "fb-template.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * Rules and templates, compiled once (see fb-mapping.h for the syntax),
 * then applied to each event: failures first, then the ignore rules, then
 * the first variant whose condition holds. The rules' parser and matcher
 * are in fb-mapping-rule.c, the rendering of a variant's templates into a
 * message in fb-mapping-render.c.
 */

typedef struct
{
  FbMappingRule *condition;  /* NULL: always */
  FbTemplate    *templates[FB_MAPPING_N_FIELDS];
} Variant;

typedef struct
{
  char *event_type;
  char *message;
} Failure;

struct _FbMapping
{
  gatomicrefcount  ref_count;
  GPtrArray       *rules;         /* FbMappingRule */
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

static void
rule_free (gpointer data)
{
  _fb_mapping_rule_free (data);
}

static void
variant_free (gpointer data)
{
  Variant *variant = data;

  g_clear_pointer (&variant->condition, _fb_mapping_rule_free);
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
  FbMappingRule *parsed;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);

  if (self->rules->len == FB_MAPPING_MAX_RULES)
    {
      g_set_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_SYNTAX,
                   _("A feed may have at most %u rules"), FB_MAPPING_MAX_RULES);
      return FALSE;
    }

  parsed = _fb_mapping_rule_parse (rule, error);
  if (parsed == NULL)
    return FALSE;

  _fb_mapping_rule_select (parsed, self->selection);
  g_ptr_array_add (self->rules, parsed);
  self->rule_sources->pdata[self->rule_sources->len - 1] = (char *) _fb_mapping_rule_get_source (parsed);
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
  if (condition != NULL && (variant->condition = _fb_mapping_rule_parse (condition, error)) == NULL)
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
    _fb_mapping_rule_select (variant->condition, self->selection);
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

/* The message of the failure that events of @event_type are, or NULL. */
static const char *
find_failure (FbMapping  *self,
              const char *event_type)
{
  for (guint i = 0; i < self->failures->len; i++)
    {
      Failure *failure = &g_array_index (self->failures, Failure, i);

      if (strcmp (failure->event_type, event_type) == 0)
        return failure->message;
    }
  return NULL;
}

/* The first ignore rule that @event matches, or NULL. */
static const FbMappingRule *
find_ignore_rule (FbMapping            *self,
                  const FbMappingEvent *event)
{
  for (guint i = 0; i < self->rules->len; i++)
    {
      const FbMappingRule *rule = g_ptr_array_index (self->rules, i);

      if (_fb_mapping_rule_matches (rule, event))
        return rule;
    }
  return NULL;
}

/* The first variant whose condition holds renders @event; without one,
 * the generic reading does. */
static FbMessage *
render_event (FbMapping             *self,
              const char            *feed_name,
              const FbMappingEvent  *event,
              char                 **reason)
{
  for (guint i = 0; i < self->variants->len; i++)
    {
      Variant *variant = g_ptr_array_index (self->variants, i);

      if (variant->condition == NULL || _fb_mapping_rule_matches (variant->condition, event))
        return _fb_mapping_render_templates (variant->templates, feed_name, event, reason);
    }
  return _fb_mapping_render_generic (feed_name, event);
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
  const FbMappingRule *rule;
  const char *failure;
  FbMessage *result;
  FbMappingEvent event;

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

  if ((failure = find_failure (self, event.event_type)) != NULL)
    {
      if (reason != NULL)
        *reason = g_strdup (failure);
      return FB_MAPPING_FAIL;
    }
  if ((rule = find_ignore_rule (self, &event)) != NULL)
    {
      if (reason != NULL)
        *reason = g_strdup (_fb_mapping_rule_get_source (rule));
      return FB_MAPPING_IGNORE;
    }

  result = render_event (self, feed_name, &event, &local_reason);
  if (message != NULL)
    *message = result;
  else
    g_object_unref (result);
  if (reason != NULL)
    *reason = g_steal_pointer (&local_reason);
  return FB_MAPPING_SHOW;
}
