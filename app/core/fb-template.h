/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * A mapping template turns one JSON payload into one text: a notification's
 * title, body, link, icon, priority, message key or group key.
 *
 * Syntax: literal text with actions in double braces, `{{ head | filter … }}`;
 * whitespace inside the braces is free.
 *
 * The head of an action is a path or a string in double quotes (`\"` and
 * `\\` are its only escapes; `{{ "{{" }}` writes two braces):
 *
 * - `.` is the whole payload;
 * - `.event` is the SSE event type and `.id` the SSE event's id (the last
 *   event id), both given by the caller, never read from the payload;
 * - `.data` depends on the payload, as each event is rendered: when it is
 *   an object with a member `data` (whatever that member's value, null
 *   too), `.data` is that member, so `.data.new_state` is the payload's
 *   `data.new_state`; otherwise `.data` is the whole payload, so `.data.id`
 *   and `.data.event` are the payload's own members `id` and `event`, and
 *   `.data.x` is the same as `.x`. This holds for every path that starts
 *   with `.data`, heads and default's arguments alike; the members `id` and
 *   `event` of a payload that has a member `data` cannot be reached;
 * - `.name` picks an object's member and `[N]` an array's item, N a whole
 *   number from 0: `.items[0].name`, `.data.new_state.attributes.friendly_name`.
 *   A name is made of letters, digits, `_`, `-`, `@` and `$` (any non-ASCII
 *   letter too): `.@type`, `.a.@id`, `.$schema`; members whose names have
 *   other characters cannot be reached.
 *
 * Filters, applied left to right:
 *
 * - `striphtml`: drops tags (and the content of `<script>` and `<style>`),
 *   decodes `&amp; &lt; &gt; &quot; &apos; &nbsp; &#NNN; &#xHH;`, turns
 *   `<br>` and `</p>` into line breaks, keeps at most one blank line in a row;
 * - `truncate N`: at most N characters, the last one "…" when cut;
 * - `default "text"`: the text instead of a missing, null or empty value;
 *   `default .path` (any path a head may be, `.event` and `.id` too): the
 *   value at that path instead, which then goes through the next filters
 *   like the head's would, so that it may be caught by a later default:
 *   `{{ .display_name | default .username | default "someone" }}`;
 * - `lower`, `upper`: Unicode case mapping;
 * - `join ", "`: an array's items (strings, numbers, booleans; nulls are
 *   skipped) joined with the text;
 * - `pairs`: an object as lines "key: value", one for each member whose
 *   value is a string, number or boolean (nulls, objects and arrays are
 *   skipped), in the payload's order, at most 8 lines; keys are shown as
 *   they are, values like any other (see below), and a line break in either
 *   becomes a space so that each member stays on its line. An object without
 *   such members gives empty text, a string, number or boolean is left as it
 *   is, and an array is a render error.
 *
 * There are no loops, conditions or other functions, and nothing reads a
 * file or the network. A string is used as it is, a number as JSON prints
 * it, a boolean as "true" or "false". A value that is missing or null, or
 * an object or array where text is wanted, is a render error unless a
 * filter deals with it.
 *
 * The output is plain text, always valid UTF-8 (invalid bytes in the
 * payload become U+FFFD). The renderer makes no markup decision (escaping
 * for the notification server happens where the text is shown) and does not
 * check links (the message layer does, for every link).
 *
 * Bounds, so that a hostile payload costs little: a template has at most
 * FB_TEMPLATE_MAX_SOURCE bytes, FB_TEMPLATE_MAX_ACTIONS actions,
 * FB_TEMPLATE_MAX_FILTERS filters per action and FB_TEMPLATE_MAX_STEPS steps
 * per path (more is a syntax error). Rendering follows only the steps of
 * each path, never the rest of the payload (`pairs` reads an object's
 * members up to its 8th line, not deeper), so deep nesting costs nothing,
 * and it reads no more of a long string or of `join`'s and `pairs`' input
 * than @max_len needs (all of a string only for `striphtml`).
 *
 * Errors name a "column": the 1-based position of a character (not a byte)
 * in the whole source, line breaks included, so that an editor can put the
 * cursor there (gtk_text_buffer_get_iter_at_offset() takes column - 1). A
 * render error is at the path its value came from: the head, or the last
 * default's path that was used.
 */

#define FB_TEMPLATE_MAX_SOURCE  4096
#define FB_TEMPLATE_MAX_ACTIONS 64
#define FB_TEMPLATE_MAX_FILTERS 8
#define FB_TEMPLATE_MAX_STEPS   32

#define FB_TEMPLATE_ERROR (fb_template_error_quark ())

/**
 * FbTemplateError:
 * @FB_TEMPLATE_ERROR_SYNTAX: the template cannot be parsed
 * @FB_TEMPLATE_ERROR_RENDER: the template does not fit this payload
 */
typedef enum
{
  FB_TEMPLATE_ERROR_SYNTAX,
  FB_TEMPLATE_ERROR_RENDER,
} FbTemplateError;

GQuark fb_template_error_quark (void);

typedef struct _FbTemplate FbTemplate;

FbTemplate *fb_template_parse      (const char  *source,
                                    GError     **error);
FbTemplate *fb_template_ref        (FbTemplate  *self);
void        fb_template_unref      (FbTemplate  *self);
const char *fb_template_get_source (FbTemplate  *self);
char       *fb_template_render     (FbTemplate  *self,
                                    JsonNode    *payload,
                                    const char  *event_type,
                                    const char  *event_id,
                                    gsize        max_len,
                                    GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbTemplate, fb_template_unref)

G_END_DECLS
