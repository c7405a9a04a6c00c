/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "fb-markdown.h"

G_BEGIN_DECLS

/* Of one link's target, and of all of them as written in one markup. */
#define FB_MARKDOWN_MAX_HREF_BYTES 2048
#define FB_MARKDOWN_MAX_HREF_TOTAL (16 * 1024)
/* Lists whose kind and numbers are kept. */
#define FB_MARKDOWN_MAX_LIST_DEPTH 8

typedef enum
{
  FB_MARKDOWN_TAG_A,
  FB_MARKDOWN_TAG_B,
  FB_MARKDOWN_TAG_I,
  FB_MARKDOWN_N_TAGS,
} FbMarkdownTag;

typedef struct
{
  gboolean ordered;
  unsigned next;
  char     delimiter;
} FbMarkdownList;

/*
 * One rendering: what fb-markdown.c's md4c callbacks ask for (the styles
 * and the link they are in, line breaks, a prefix), and what
 * fb-markdown-writer.c has written of it.
 */
typedef struct
{
  GString        *out;
  gboolean        markup;
  gsize           max_chars;
  gsize           n_chars;
  gboolean        full;  /* cut: nothing more is written */

  /* Written before the next character: line breaks, then a list item's
   * bullet or a table cell's separator. */
  guint           breaks;
  GString        *prefix;

  /* What the blocks and spans the parser is in ask for. */
  guint           strong;
  guint           em;
  guint           heading;
  guint           quote;
  guint           header_cell;
  guint           link_depth;
  guint           link_serial;
  char           *href;       /* the link's http(s) target, or NULL */
  GString        *link_text;  /* what the link shows (a prefix of it) */

  /* The tags open in @out, outermost first. */
  FbMarkdownTag   open[FB_MARKDOWN_N_TAGS];
  guint           n_open;
  guint           open_serial;  /* which link the open <a> is */
  gsize           href_bytes;

  /* @out just before the last character the limit allows. */
  gsize           mark_len;
  FbMarkdownTag   mark_open[FB_MARKDOWN_N_TAGS];
  guint           mark_n_open;

  FbMarkdownList  lists[FB_MARKDOWN_MAX_LIST_DEPTH];
  guint           list_depth;
  guint           cell;
} FbMarkdownRenderer;

/* fb-markdown-writer.c: bounded, escaped output with well-nested tags */
void     _fb_markdown_close_tags    (FbMarkdownRenderer *r,
                                     guint               keep);
void     _fb_markdown_request_break (FbMarkdownRenderer *r);
gboolean _fb_markdown_emit_text     (FbMarkdownRenderer *r,
                                     const char         *text,
                                     gsize               len);
void     _fb_markdown_append_entity (GString            *buf,
                                     const char         *entity,
                                     gsize               len);

G_END_DECLS
