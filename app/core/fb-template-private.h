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
  FB_FILTER_PAIRS,
} FbFilterKind;

typedef struct
{
  char  *name;      /* a member, or NULL for an index */
  guint  index;
  gsize  path_len;  /* bytes of the path as written, up to this step */
} FbTemplateStep;

/* An action's head, or default's argument: a path or (kind
 * FB_HEAD_STRING) a string. */
typedef struct
{
  FbHeadKind      kind;
  gsize           offset;      /* in the source, for the column of errors */
  char           *value;       /* the path as written, or the string's text */
  FbTemplateStep *steps;
  guint           n_steps;
  /* 1 when the path starts with .data, whose step is then skipped unless
   * the payload has a member data */
  guint           first_step;
} FbTemplateHead;

typedef struct
{
  FbFilterKind    kind;
  guint           n;         /* truncate's length */
  char           *arg;       /* join's string */
  FbTemplateHead  fallback;  /* default's string or path */
} FbTemplateFilter;

/* Literal text, then (if is_action) one action. */
typedef struct
{
  char             *text;
  gsize             text_len;
  gboolean          is_action;
  FbTemplateHead    head;
  FbTemplateFilter  filters[FB_TEMPLATE_MAX_FILTERS];
  guint             n_filters;
  gboolean          has_striphtml;
} FbTemplatePiece;

struct _FbTemplate
{
  char   *source;
  GArray *pieces;  /* FbTemplatePiece */
};

void _fb_template_set_error_at (GError          **error,
                                FbTemplateError   code,
                                const char       *source,
                                gsize             offset,
                                const char       *message);

/* fb-template-render.c: text bounded to what the output can show. */
char *_fb_template_bounded_text (const char *text,
                                 gsize       max_chars);
char *_fb_template_scalar_text  (JsonNode   *node,
                                 gsize       max_chars);

/* fb-template-filters.c */
gboolean  _fb_template_filter_from_name (const char   *name,
                                         FbFilterKind *kind);
char     *_fb_template_strip_html       (const char   *html);
char     *_fb_template_truncate         (const char   *text,
                                         guint         n);
char     *_fb_template_join             (JsonArray    *array,
                                         const char   *separator,
                                         gsize         max_chars,
                                         guint        *bad_item);
char     *_fb_template_pairs            (JsonObject   *object,
                                         gsize         max_chars);

/* Called for each path of the payload that a template reads, the heads'
 * and default's; @deep when the action may read the value's members or
 * items too (join, pairs), not only its type or text. */
typedef void (*FbTemplatePathFunc) (const FbTemplateHead *head,
                                    gboolean              deep,
                                    gpointer              user_data);

void  _fb_template_foreach_path (FbTemplate         *self,
                                 FbTemplatePathFunc  func,
                                 gpointer            user_data);

G_END_DECLS
