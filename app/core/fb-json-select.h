/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "fb-template.h"

G_BEGIN_DECLS

/*
 * A selection: the parts of a JSON payload that a mapping's templates and
 * rules can reach, so that each event is checked whole but only those
 * parts are built as JsonNodes (see fb-json-select.c).
 */

typedef struct _FbJsonSelect FbJsonSelect;

FbJsonSelect *fb_json_select_new          (void);
void          fb_json_select_free         (FbJsonSelect       *self);
void          fb_json_select_add_template (FbJsonSelect       *self,
                                           FbTemplate         *template_);
gboolean      fb_json_select_is_whole     (const FbJsonSelect *self);
JsonNode     *fb_json_select_parse        (const FbJsonSelect *self,
                                           const char         *data,
                                           gsize               data_len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbJsonSelect, fb_json_select_free)

G_END_DECLS
