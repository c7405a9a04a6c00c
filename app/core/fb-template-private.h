/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-template.h"

G_BEGIN_DECLS

typedef enum
{
  FB_HEAD_PAYLOAD,
  FB_HEAD_EVENT,
  FB_HEAD_ID,
  FB_HEAD_STRING,
} FbHeadKind;

typedef enum
{
  FB_FILTER_STRIPHTML,
  FB_FILTER_TRUNCATE,
  FB_FILTER_DEFAULT,
  FB_FILTER_LOWER,
  FB_FILTER_UPPER,
  FB_FILTER_JOIN,
} FbFilterKind;

typedef struct
{
  char  *name;      /* a member, or NULL for an index */
  guint  index;
  gsize  path_len;  /* bytes of the path as written, up to this step */
} FbTemplateStep;

typedef struct
{
  FbFilterKind  kind;
  guint         n;    /* truncate's length */
  char         *arg;  /* default's or join's string */
} FbTemplateFilter;

/* Literal text, then (if is_action) one action. */
typedef struct
{
  char             *text;
  gsize             text_len;
  gboolean          is_action;
  gsize             offset;      /* of the action's head in the source */
  FbHeadKind        head;
  char             *value;       /* the path as written, or the string's text */
  FbTemplateStep   *steps;
  guint             n_steps;
  guint             first_step;  /* 1 when the path starts with .data */
  FbTemplateFilter  filters[FB_TEMPLATE_MAX_FILTERS];
  guint             n_filters;
  gboolean          has_striphtml;
} FbTemplatePiece;

struct _FbTemplate
{
  char   *source;
  GArray *pieces;  /* FbTemplatePiece */
};

guint _fb_template_column (const char *source,
                           gsize       offset);

G_END_DECLS
