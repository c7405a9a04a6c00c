/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-markdown"

#include "config.h"

#include "fb-markdown.h"

#include "fb-markdown-private.h"

#include <md4c.h>
#include <string.h>

#include "fb-url.h"

/*
 * Markdown (ntfy's "text/markdown" messages) as a notification shows it:
 * the only file that includes md4c. Its callbacks say what the document
 * is made of, and fb-markdown-writer.c writes either the body markup of
 * the Desktop Notifications specification (<b>, <i> and <a href>,
 * everything else escaped) or plain text. Blocks become lines: headings
 * in bold, list items after "• " or their number, table rows with " | "
 * between the cells (header cells in bold), quotes in italics, code as it
 * is, a rule as "———". Raw HTML is never recognised, only shown as text.
 * Links are links only to http(s) addresses; in plain text their address
 * follows their text.
 */

#define BULLET      "\u2022 "
#define RULE        "\u2014\u2014\u2014"
#define REPLACEMENT "\uFFFD"

/* A message body is at most 4000 characters; this is ample. */
#define MAX_INPUT_BYTES (256 * 1024)
/* Items in deeper lists are not indented further. */
#define MAX_INDENT      4
#define MAX_PREFIX      256

#define PARSER_FLAGS (MD_FLAG_NOHTML | MD_FLAG_STRIKETHROUGH | MD_FLAG_TABLES | \
                      MD_FLAG_PERMISSIVEAUTOLINKS)

/* The counts never go below zero, whatever md4c says. */
static void
decrement (guint *count)
{
  if (*count > 0)
    (*count)--;
}

/* A link's target as text, entities decoded; %NULL when too long. */
static char *
attribute_dup (const MD_ATTRIBUTE *attribute)
{
  g_autoptr(GString) buf = g_string_new (NULL);

  for (guint i = 0; attribute->substr_offsets[i] < attribute->size; i++)
    {
      const char *text = attribute->text + attribute->substr_offsets[i];
      gsize len = attribute->substr_offsets[i + 1] - attribute->substr_offsets[i];

      switch (attribute->substr_types[i])
        {
        case MD_TEXT_ENTITY:
          _fb_markdown_append_entity (buf, text, len);
          break;
        case MD_TEXT_NULLCHAR:
          g_string_append (buf, REPLACEMENT);
          break;
        case MD_TEXT_NORMAL:
        case MD_TEXT_BR:
        case MD_TEXT_SOFTBR:
        case MD_TEXT_CODE:
        case MD_TEXT_HTML:
        case MD_TEXT_LATEXMATH:
        default:
          g_string_append_len (buf, text, len);
          break;
        }
      if (buf->len > FB_MARKDOWN_MAX_HREF_BYTES)
        return NULL;
    }

  return g_string_free (g_steal_pointer (&buf), FALSE);
}

/* Links are shown only to http(s) addresses; inner links (inside an
 * image's description in a link) only as text. */
static void
enter_link (FbMarkdownRenderer     *r,
            const MD_SPAN_A_DETAIL *detail)
{
  g_autofree char *url = NULL;

  if (r->link_depth++ > 0)
    return;

  r->link_serial++;
  g_string_truncate (r->link_text, 0);
  g_clear_pointer (&r->href, g_free);

  url = attribute_dup (&detail->href);
  if (url != NULL && fb_url_is_http (url))
    r->href = g_steal_pointer (&url);
}

/* Whether a link's @text already says where it goes (an autolink). */
static gboolean
shows_target (const char *text,
              const char *url)
{
  if (g_str_equal (text, url))
    return TRUE;
  if (g_ascii_strncasecmp (url, "http://", 7) == 0)
    return g_str_equal (text, url + 7);
  if (g_ascii_strncasecmp (url, "https://", 8) == 0)
    return g_str_equal (text, url + 8);
  return FALSE;
}

/* A link without text shows its address; in plain text, the address
 * follows the link's text unless that says it already. */
static gboolean
leave_link (FbMarkdownRenderer *r)
{
  const char *href = r->href;

  if (r->link_depth == 1 && href != NULL && r->link_text->len == 0 &&
      !_fb_markdown_emit_text (r, href, strlen (href)))
    return FALSE;

  decrement (&r->link_depth);
  if (r->link_depth > 0 || r->markup || href == NULL || shows_target (r->link_text->str, href))
    return TRUE;
  return _fb_markdown_emit_text (r, " (", 2) &&
         _fb_markdown_emit_text (r, href, strlen (href)) &&
         _fb_markdown_emit_text (r, ")", 1);
}

static void
push_list (FbMarkdownRenderer       *r,
           const MD_BLOCK_OL_DETAIL *ordered)
{
  if (r->list_depth < FB_MARKDOWN_MAX_LIST_DEPTH)
    {
      FbMarkdownList *list = &r->lists[r->list_depth];

      list->ordered = ordered != NULL;
      list->next = ordered != NULL ? ordered->start : 0;
      list->delimiter = ordered != NULL ? ordered->mark_delimiter : '.';
    }
  r->list_depth++;
}

static void
set_item_prefix (FbMarkdownRenderer *r)
{
  guint indent = r->list_depth > 0 ? MIN (r->list_depth - 1, MAX_INDENT) : 0;
  FbMarkdownList *list = NULL;

  if (r->list_depth > 0 && r->list_depth <= FB_MARKDOWN_MAX_LIST_DEPTH)
    list = &r->lists[r->list_depth - 1];

  g_string_truncate (r->prefix, 0);
  for (guint i = 0; i < indent; i++)
    g_string_append (r->prefix, "  ");
  if (list != NULL && list->ordered)
    g_string_append_printf (r->prefix, "%u%c ", list->next++, list->delimiter);
  else
    g_string_append (r->prefix, BULLET);
}

static int
on_enter_block (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  FbMarkdownRenderer *r = user_data;

  switch (type)
    {
    case MD_BLOCK_DOC:
      break;
    case MD_BLOCK_QUOTE:
      _fb_markdown_request_break (r);
      r->quote++;
      break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      _fb_markdown_request_break (r);
      push_list (r, type == MD_BLOCK_OL ? detail : NULL);
      break;
    case MD_BLOCK_LI:
      _fb_markdown_request_break (r);
      set_item_prefix (r);
      break;
    case MD_BLOCK_HR:
      _fb_markdown_request_break (r);
      _fb_markdown_emit_text (r, RULE, strlen (RULE));
      _fb_markdown_request_break (r);
      break;
    case MD_BLOCK_H:
      _fb_markdown_request_break (r);
      r->heading++;
      break;
    case MD_BLOCK_TR:
      g_string_truncate (r->prefix, 0);
      r->cell = 0;
      _fb_markdown_request_break (r);
      break;
    case MD_BLOCK_TH:
      r->header_cell++;
      G_GNUC_FALLTHROUGH;
    case MD_BLOCK_TD:
      if (r->cell++ > 0 && r->prefix->len < MAX_PREFIX)
        g_string_append (r->prefix, " | ");
      break;
    case MD_BLOCK_CODE:
    case MD_BLOCK_HTML:
    case MD_BLOCK_P:
    case MD_BLOCK_TABLE:
    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
    default:
      _fb_markdown_request_break (r);
      break;
    }

  return r->full;
}

static int
on_leave_block (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  FbMarkdownRenderer *r = user_data;

  switch (type)
    {
    case MD_BLOCK_DOC:
    case MD_BLOCK_HR:
    case MD_BLOCK_TD:
      break;
    case MD_BLOCK_QUOTE:
      decrement (&r->quote);
      _fb_markdown_request_break (r);
      break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      decrement (&r->list_depth);
      _fb_markdown_request_break (r);
      break;
    case MD_BLOCK_LI:
    case MD_BLOCK_TR:
      /* An item or a row without text leaves no bullet behind. */
      g_string_truncate (r->prefix, 0);
      _fb_markdown_request_break (r);
      break;
    case MD_BLOCK_H:
      decrement (&r->heading);
      _fb_markdown_request_break (r);
      break;
    case MD_BLOCK_TH:
      decrement (&r->header_cell);
      break;
    case MD_BLOCK_CODE:
    case MD_BLOCK_HTML:
    case MD_BLOCK_P:
    case MD_BLOCK_TABLE:
    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
    default:
      _fb_markdown_request_break (r);
      break;
    }

  return r->full;
}

static int
on_enter_span (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  FbMarkdownRenderer *r = user_data;

  switch (type)
    {
    case MD_SPAN_EM:
      r->em++;
      break;
    case MD_SPAN_STRONG:
      r->strong++;
      break;
    case MD_SPAN_A:
      enter_link (r, detail);
      break;
    /* An image is its description; code, deleted text and the rest
     * are plain text. */
    case MD_SPAN_IMG:
    case MD_SPAN_CODE:
    case MD_SPAN_DEL:
    case MD_SPAN_LATEXMATH:
    case MD_SPAN_LATEXMATH_DISPLAY:
    case MD_SPAN_WIKILINK:
    case MD_SPAN_U:
    default:
      break;
    }

  return r->full;
}

static int
on_leave_span (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  FbMarkdownRenderer *r = user_data;

  switch (type)
    {
    case MD_SPAN_EM:
      decrement (&r->em);
      break;
    case MD_SPAN_STRONG:
      decrement (&r->strong);
      break;
    case MD_SPAN_A:
      leave_link (r);
      break;
    case MD_SPAN_IMG:
    case MD_SPAN_CODE:
    case MD_SPAN_DEL:
    case MD_SPAN_LATEXMATH:
    case MD_SPAN_LATEXMATH_DISPLAY:
    case MD_SPAN_WIKILINK:
    case MD_SPAN_U:
    default:
      break;
    }

  return r->full;
}

static int
on_text (MD_TEXTTYPE     type,
         const MD_CHAR  *text,
         MD_SIZE         size,
         void           *user_data)
{
  FbMarkdownRenderer *r = user_data;
  g_autoptr(GString) decoded = NULL;

  switch (type)
    {
    case MD_TEXT_NULLCHAR:
      _fb_markdown_emit_text (r, REPLACEMENT, strlen (REPLACEMENT));
      break;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
      _fb_markdown_request_break (r);
      break;
    case MD_TEXT_ENTITY:
      decoded = g_string_new (NULL);
      _fb_markdown_append_entity (decoded, text, size);
      _fb_markdown_emit_text (r, decoded->str, decoded->len);
      break;
    /* Raw HTML is not recognised (MD_FLAG_NOHTML): were it, it would
     * still be text. */
    case MD_TEXT_NORMAL:
    case MD_TEXT_CODE:
    case MD_TEXT_HTML:
    case MD_TEXT_LATEXMATH:
    default:
      _fb_markdown_emit_text (r, text, size);
      break;
    }

  return r->full;
}

static char *
render (const char *markdown,
        gssize      length,
        gsize       max_chars,
        gboolean    markup)
{
  static const MD_PARSER parser = {
    .abi_version = 0,
    .flags = PARSER_FLAGS,
    .enter_block = on_enter_block,
    .leave_block = on_leave_block,
    .enter_span = on_enter_span,
    .leave_span = on_leave_span,
    .text = on_text,
  };
  FbMarkdownRenderer r = { .markup = markup, .max_chars = max_chars };
  g_autofree char *valid = NULL;
  gsize len;

  if (max_chars == 0)
    return g_strdup ("");

  /* Cut between two characters, and made valid: md4c takes bytes. */
  len = length < 0 ? strnlen (markdown, MAX_INPUT_BYTES + 1) : (gsize) length;
  if (len > MAX_INPUT_BYTES)
    {
      len = MAX_INPUT_BYTES;
      while (len > 0 && ((guchar) markdown[len] & 0xc0) == 0x80)
        len--;
    }
  valid = g_utf8_make_valid (markdown, (gssize) len);

  r.out = g_string_sized_new (MIN (len, 4096) + 16);
  r.prefix = g_string_new (NULL);
  r.link_text = g_string_new (NULL);

  md_parse (valid, (MD_SIZE) strlen (valid), &parser, &r);
  _fb_markdown_close_tags (&r, 0);

  g_string_free (r.prefix, TRUE);
  g_string_free (r.link_text, TRUE);
  g_free (r.href);
  return g_string_free (r.out, FALSE);
}

/**
 * fb_markdown_to_markup:
 * @markdown: CommonMark text (with tables, strikethrough and bare links);
 *   invalid UTF-8 is shown as U+FFFD
 * @length: its length in bytes, or -1 when it ends with a NUL
 * @max_chars: how many characters may be seen
 *
 * Renders @markdown as the body markup of the Desktop Notifications
 * specification: only <b>, <i> and <a href>, to http(s) addresses only,
 * every tag closed and at most three nested; all other text escaped. At
 * most @max_chars characters are visible, the last one "…" when the text
 * was cut. Raw HTML is shown as text, never passed on.
 *
 * Returns: (transfer full): valid UTF-8 markup
 */
char *
fb_markdown_to_markup (const char *markdown,
                       gssize      length,
                       gsize       max_chars)
{
  g_return_val_if_fail (markdown != NULL || length == 0, NULL);

  return render (markdown != NULL ? markdown : "", length, max_chars, TRUE);
}

/**
 * fb_markdown_to_text:
 * @markdown: CommonMark text, as for fb_markdown_to_markup()
 * @length: its length in bytes, or -1 when it ends with a NUL
 * @max_chars: how many characters may be seen
 *
 * Renders @markdown as fb_markdown_to_markup() does, as plain text: no
 * markup characters left, a link's address after its text in parentheses
 * when the text is not the address.
 *
 * Returns: (transfer full): valid UTF-8 text of at most @max_chars characters
 */
char *
fb_markdown_to_text (const char *markdown,
                     gssize      length,
                     gsize       max_chars)
{
  g_return_val_if_fail (markdown != NULL || length == 0, NULL);

  return render (markdown != NULL ? markdown : "", length, max_chars, FALSE);
}
