/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-mapping.h"

#include "fb-json-select.h"
#include "fb-template.h"

G_BEGIN_DECLS

/* A message key or group is an identifier, not prose. */
#define MAX_KEY_CHARS 256

/* One event as the rules and templates see it: every member set, the type
 * "message" rather than empty, the payload a JSON string when the data is
 * not JSON. */
typedef struct
{
  const char *event_type;
  const char *data;
  gsize       data_len;
  JsonNode   *payload;
  const char *event_id;
} FbMappingEvent;

/* A parsed rule (fb-mapping-rule.c): comparisons joined by "and". */
typedef struct _FbMappingRule FbMappingRule;

FbMappingRule *_fb_mapping_rule_parse      (const char            *source,
                                            GError               **error);
void           _fb_mapping_rule_free       (FbMappingRule         *rule);
const char    *_fb_mapping_rule_get_source (const FbMappingRule   *rule);
gboolean       _fb_mapping_rule_matches    (const FbMappingRule   *rule,
                                            const FbMappingEvent  *event);
void           _fb_mapping_rule_select     (const FbMappingRule   *rule,
                                            FbJsonSelect          *selection);

/* A variant's templates into a message (fb-mapping-render.c). */
FbMessage     *_fb_mapping_render_templates (FbTemplate * const    *templates,
                                             const char            *feed_name,
                                             const FbMappingEvent  *event,
                                             char                 **reason);
FbMessage     *_fb_mapping_render_generic   (const char            *feed_name,
                                             const FbMappingEvent  *event);

G_END_DECLS
