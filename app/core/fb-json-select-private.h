/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-json-select.h"

G_BEGIN_DECLS

/* One node of the selection's trie (fb-json-select.c), which the scanner
 * (fb-json-scan.c) follows. */
typedef struct _FbJsonSel FbJsonSel;

struct _FbJsonSel
{
  char      *name;       /* a member; NULL for an item */
  gsize      name_len;
  guint      index;
  gboolean   deep;       /* build the whole value */
  GPtrArray *children;   /* FbJsonSel; NULL when none */
  guint      n_items;    /* 1 + the largest index among the children, or 0 */
};

JsonNode *_fb_json_select_scan (const FbJsonSel *sel,
                                const char      *data,
                                gsize            data_len);

G_END_DECLS
