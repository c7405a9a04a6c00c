/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "fb-mapping.h"
#include "fb-types.h"

G_BEGIN_DECLS

/*
 * The formats a feed can have (its `format` setting): how each is named,
 * the built-in ones as mappings (rules and templates for a service's own
 * events), and how "Automatic" recognises them from a feed's address and
 * its first events.
 */

const char      *fb_format_to_nick              (FbMessageFormat  format);
FbMessageFormat  fb_format_from_nick            (const char      *nick);
const char      *fb_format_get_label            (FbMessageFormat  format);
gboolean         fb_format_is_builtin_mapping   (FbMessageFormat  format);
FbMapping       *fb_format_dup_mapping          (FbMessageFormat  format);
FbMessageFormat  fb_format_guess_from_url       (const char      *url);
FbMessageFormat  fb_format_guess_from_event     (const char      *event_type,
                                                 JsonNode        *payload);
char            *fb_format_default_feed_name    (FbMessageFormat  format,
                                                 const char      *url);

G_END_DECLS
