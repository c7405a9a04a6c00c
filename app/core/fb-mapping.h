/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "fb-json-select.h"
#include "fb-message.h"

G_BEGIN_DECLS

/*
 * A mapping says how one feed's events become notifications: rules that
 * ignore noise (keep-alives, canaries, deletions), and templates (see
 * fb-template.h) for each field of the notification.
 *
 * A rule is one or more comparisons joined by `and`:
 *
 *     event == "ping"                 the SSE event type
 *     event in ["delete", "filters_changed"]
 *     data == "null"                  the whole data, trimmed, as text
 *     .meta.domain == "canary"        a path into the JSON payload
 *     .bot == true
 *     event == "put" and .path == "/"
 *
 * A value is JSON: a string in double quotes, a number, true, false or
 * null; `in` takes an array of them. A path is compared by its text as a
 * template would render it: a missing path equals only null, `!=` is the
 * negation of `==`.
 *
 * A mapping has one or more variants: sets of templates, each with an
 * optional condition (a rule); the first variant whose condition holds
 * renders the event. Built-in formats use them to word each kind of event
 * of a service; a custom mapping has one variant, without a condition.
 *
 * A field that does not render (a missing member, an object where text is
 * wanted) falls back to the generic reading of the payload; the reason is
 * kept for the log and the editor's preview. A mapping is built once, then
 * only read: it may be shared.
 */

typedef enum
{
  FB_MAPPING_FIELD_TITLE,
  FB_MAPPING_FIELD_BODY,
  FB_MAPPING_FIELD_LINK,
  FB_MAPPING_FIELD_ICON,
  FB_MAPPING_FIELD_PRIORITY,
  FB_MAPPING_FIELD_KEY,
  FB_MAPPING_FIELD_GROUP,
} FbMappingField;

#define FB_MAPPING_N_FIELDS (FB_MAPPING_FIELD_GROUP + 1)

/* Rules per mapping, variants per mapping, bytes per rule. */
#define FB_MAPPING_MAX_RULES    32
#define FB_MAPPING_MAX_VARIANTS 16
#define FB_MAPPING_MAX_RULE     1024

typedef struct _FbMapping FbMapping;

/**
 * FbMappingResult:
 * @FB_MAPPING_SHOW: the event is a notification
 * @FB_MAPPING_IGNORE: a rule ignored it
 * @FB_MAPPING_FAIL: the service ended the stream for a reason a person
 *   must fix (Firebase's `cancel`, `auth_revoked`)
 */
typedef enum
{
  FB_MAPPING_SHOW,
  FB_MAPPING_IGNORE,
  FB_MAPPING_FAIL,
} FbMappingResult;

FbMapping          *fb_mapping_new               (void);
FbMapping          *fb_mapping_new_custom        (const char * const *templates,
                                                  const char * const *rules,
                                                  gboolean            skip_first,
                                                  GError            **error);
FbMapping          *fb_mapping_ref               (FbMapping          *self);
void                fb_mapping_unref             (FbMapping          *self);

gboolean            fb_mapping_add_rule          (FbMapping          *self,
                                                  const char         *rule,
                                                  GError            **error);
gboolean            fb_mapping_add_variant       (FbMapping          *self,
                                                  const char         *condition,
                                                  const char * const *templates,
                                                  GError            **error);
void                fb_mapping_add_failure       (FbMapping          *self,
                                                  const char         *event_type,
                                                  const char         *message);
void                fb_mapping_set_skip_first    (FbMapping          *self,
                                                  gboolean            skip_first);

gboolean            fb_mapping_get_skip_first    (FbMapping          *self);
const char * const *fb_mapping_get_rules         (FbMapping          *self);
const char         *fb_mapping_get_template      (FbMapping          *self,
                                                  FbMappingField      field);
const FbJsonSelect *fb_mapping_get_selection     (FbMapping          *self);

FbMappingResult     fb_mapping_apply             (FbMapping          *self,
                                                  const char         *feed_name,
                                                  const char         *event_type,
                                                  const char         *data,
                                                  gsize               data_len,
                                                  JsonNode           *payload,
                                                  const char         *event_id,
                                                  FbMessage         **message,
                                                  char              **reason);

JsonNode           *fb_mapping_parse_payload     (JsonParser         *parser,
                                                  const char         *data,
                                                  gsize               data_len);

gboolean            fb_mapping_check_rule        (const char         *rule,
                                                  GError            **error);

const char         *fb_mapping_field_to_key      (FbMappingField      field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbMapping, fb_mapping_unref)

G_END_DECLS
