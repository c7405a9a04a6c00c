/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-markdown"

#include "config.h"

#include "fb-markdown-private.h"

#include <string.h>

/*
 * The output of a Markdown rendering (fb-markdown.c parses): text escaped
 * for markup, styles written lazily, visible characters counted.
 *
 * The spans and blocks the parser is in say which styles are wanted; tags
 * are opened just before the text that needs them and closed when text
 * that does not comes, or at the end. So every tag is closed, they nest at
 * most as <a><b><i>, and none is ever empty. Past the limit, the output
 * goes back to just before the last character allowed, which becomes "…",
 * and nothing more is written.
 */

#define ELLIPSIS   "\u2026"
/* Blank lines kept in a row (code blocks have them). */
#define MAX_BREAKS 2

/* Characters nobody should see in a notification: C0 (but tab and line
 * feed) and C1 controls, DEL, and the two noncharacters XML forbids. */
static gboolean
is_hidden (gunichar c)
{
  return (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f && c <= 0x9f) ||
         c == 0xfffe || c == 0xffff;
}

/* Closes the open tags but the @keep outermost. */
void
_fb_markdown_close_tags (FbMarkdownRenderer *r,
                         guint               keep)
{
  static const char * const closing[FB_MARKDOWN_N_TAGS] = { "</a>", "</b>", "</i>" };

  while (r->n_open > keep)
    g_string_append (r->out, closing[r->open[--r->n_open]]);
}

static gboolean
is_wanted (FbMarkdownRenderer *r,
           FbMarkdownTag       tag)
{
  switch (tag)
    {
    case FB_MARKDOWN_TAG_A:
      return r->link_depth > 0 && r->href != NULL;
    case FB_MARKDOWN_TAG_B:
      return r->strong > 0 || r->heading > 0 || r->header_cell > 0;
    case FB_MARKDOWN_TAG_I:
      return r->em > 0 || r->quote > 0;
    case FB_MARKDOWN_N_TAGS:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
is_open (FbMarkdownRenderer *r,
         FbMarkdownTag       tag)
{
  for (guint i = 0; i < r->n_open; i++)
    {
      if (r->open[i] == tag)
        return TRUE;
    }
  return FALSE;
}

/* Closes the open tags no longer wanted (and those inside them), an <a>
 * of another link among them, then opens the wanted ones: <a>, <b>, <i>. */
static void
sync_tags (FbMarkdownRenderer *r)
{
  static const char * const opening[FB_MARKDOWN_N_TAGS] = { "<a href=\"", "<b>", "<i>" };
  guint keep = 0;

  if (!r->markup)
    return;

  while (keep < r->n_open && is_wanted (r, r->open[keep]) &&
         (r->open[keep] != FB_MARKDOWN_TAG_A || r->open_serial == r->link_serial))
    keep++;
  _fb_markdown_close_tags (r, keep);

  for (FbMarkdownTag tag = FB_MARKDOWN_TAG_A; tag < FB_MARKDOWN_N_TAGS; tag++)
    {
      if (!is_wanted (r, tag) || is_open (r, tag))
        continue;

      if (tag == FB_MARKDOWN_TAG_A)
        {
          g_autofree char *href = g_markup_escape_text (r->href, -1);
          gsize len = strlen (href);

          /* Past the budget, the link's text only. */
          if (r->href_bytes + len > FB_MARKDOWN_MAX_HREF_TOTAL)
            continue;
          r->href_bytes += len;
          r->open_serial = r->link_serial;
          g_string_append (r->out, opening[tag]);
          g_string_append_len (r->out, href, len);
          g_string_append_len (r->out, "\">", 2);
        }
      else
        g_string_append (r->out, opening[tag]);
      r->open[r->n_open++] = tag;
    }
}

/* Whether there is room for one more visible character. The one that
 * reaches the limit is remembered; one more turns it into "…". */
static gboolean
begin_char (FbMarkdownRenderer *r)
{
  if (r->full)
    return FALSE;

  if (r->n_chars == r->max_chars)
    {
      r->full = TRUE;
      g_string_truncate (r->out, r->mark_len);
      memcpy (r->open, r->mark_open, sizeof r->open);
      r->n_open = r->mark_n_open;
      g_string_append (r->out, ELLIPSIS);
      return FALSE;
    }

  if (r->n_chars + 1 == r->max_chars)
    {
      r->mark_len = r->out->len;
      memcpy (r->mark_open, r->open, sizeof r->open);
      r->mark_n_open = r->n_open;
    }
  r->n_chars++;
  return TRUE;
}

/* One visible character, @len bytes at @c. */
static gboolean
put_char (FbMarkdownRenderer *r,
          const char         *c,
          gsize               len)
{
  if (!begin_char (r))
    return FALSE;

  if (r->markup && *c == '&')
    g_string_append_len (r->out, "&amp;", 5);
  else if (r->markup && *c == '<')
    g_string_append_len (r->out, "&lt;", 4);
  else if (r->markup && *c == '>')
    g_string_append_len (r->out, "&gt;", 4);
  else
    g_string_append_len (r->out, c, len);
  return TRUE;
}

/* The line breaks (none before the first text), then the prefix, both
 * outside any tag. */
static gboolean
flush_pending (FbMarkdownRenderer *r)
{
  if (r->breaks == 0 && r->prefix->len == 0)
    return TRUE;

  _fb_markdown_close_tags (r, 0);
  for (guint i = 0; r->n_chars > 0 && i < MIN (r->breaks, MAX_BREAKS); i++)
    {
      if (!put_char (r, "\n", 1))
        return FALSE;
    }
  r->breaks = 0;

  for (const char *p = r->prefix->str; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (!put_char (r, p, g_utf8_next_char (p) - p))
        return FALSE;
    }
  g_string_truncate (r->prefix, 0);
  return TRUE;
}

/* A new line before the next text, if there is any. */
void
_fb_markdown_request_break (FbMarkdownRenderer *r)
{
  r->breaks = MAX (r->breaks, 1);
}

/*
 * Text of the document, @len bytes at @text (made valid UTF-8 if it is
 * not), in the styles wanted now. A line feed becomes a line break; the
 * characters nobody should see are left out.
 *
 * Returns: %FALSE once the output is full
 */
gboolean
_fb_markdown_emit_text (FbMarkdownRenderer *r,
                        const char         *text,
                        gsize               len)
{
  g_autofree char *valid = NULL;
  const char *end;

  if (!g_utf8_validate_len (text, len, NULL))
    {
      valid = g_utf8_make_valid (text, len);
      text = valid;
      len = strlen (valid);
    }

  end = text + len;
  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gsize n = g_utf8_next_char (p) - p;

      if (c == '\n')
        {
          r->breaks = MIN (r->breaks + 1, MAX_BREAKS);
          continue;
        }
      if (is_hidden (c))
        continue;

      if (!flush_pending (r))
        return FALSE;
      sync_tags (r);
      if (!put_char (r, p, n))
        return FALSE;
      if (r->link_depth > 0 && r->link_text->len <= FB_MARKDOWN_MAX_HREF_BYTES)
        g_string_append_len (r->link_text, p, n);
    }

  return !r->full;
}

static const struct
{
  const char *name;
  const char *text;
} entities[] = {
  { "amp", "&" },         { "apos", "'" },        { "bull", "\u2022" },   { "copy", "\u00a9" },
  { "deg", "\u00b0" },    { "euro", "\u20ac" },   { "gt", ">" },          { "hellip", "\u2026" },
  { "laquo", "\u00ab" },  { "ldquo", "\u201c" },  { "lsquo", "\u2018" },  { "lt", "<" },
  { "mdash", "\u2014" },  { "middot", "\u00b7" }, { "nbsp", "\u00a0" },   { "ndash", "\u2013" },
  { "quot", "\"" },       { "raquo", "\u00bb" },  { "rdquo", "\u201d" },  { "reg", "\u00ae" },
  { "rsquo", "\u2019" },  { "times", "\u00d7" },  { "trade", "\u2122" },
};

/*
 * An entity as md4c found it ("&name;", "&#123;" or "&#x7B;"), appended to
 * @buf as text: a numeric one as CommonMark says (U+FFFD for 0, a
 * surrogate or past U+10FFFF), the common named ones; any other name as it
 * was written (md4c has no table of them).
 */
void
_fb_markdown_append_entity (GString    *buf,
                            const char *entity,
                            gsize       len)
{
  if (len >= 4 && entity[0] == '&' && entity[1] == '#' && entity[len - 1] == ';')
    {
      gboolean hex = entity[2] == 'x' || entity[2] == 'X';
      gsize first = hex ? 3 : 2;
      gsize i = first;
      gunichar value = 0;

      for (; i < len - 1; i++)
        {
          int digit = hex ? g_ascii_xdigit_value (entity[i]) : g_ascii_digit_value (entity[i]);

          if (digit < 0)
            break;
          value = MIN (value * (hex ? 16 : 10) + (gunichar) digit, 0x110000);
        }
      if (i == len - 1 && i > first)
        {
          if (value == 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
            value = 0xfffd;
          g_string_append_unichar (buf, value);
          return;
        }
    }
  else if (len >= 3 && entity[0] == '&' && entity[len - 1] == ';')
    {
      for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
        {
          if (strlen (entities[i].name) == len - 2 &&
              memcmp (entities[i].name, entity + 1, len - 2) == 0)
            {
              g_string_append (buf, entities[i].text);
              return;
            }
        }
    }

  g_string_append_len (buf, entity, len);
}
