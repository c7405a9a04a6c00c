/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-template"

#include "config.h"

#include "fb-template.h"

#include "fb-template-private.h"

#include <string.h>

/*
 * The filters that make text of a value: striphtml, truncate, join and
 * pairs (default, lower and upper are a line each in
 * fb-template-render.c), and the names the parser knows them by. Each
 * returns new text; join and pairs read an array or object only as far as
 * the output can show.
 */

#define ELLIPSIS "\u2026"
#define PAIRS_MAX_LINES 8

static const struct
{
  const char   *name;
  FbFilterKind  kind;
} filter_names[] = {
  { "striphtml", FB_FILTER_STRIPHTML },
  { "truncate", FB_FILTER_TRUNCATE },
  { "default", FB_FILTER_DEFAULT },
  { "lower", FB_FILTER_LOWER },
  { "upper", FB_FILTER_UPPER },
  { "join", FB_FILTER_JOIN },
  { "pairs", FB_FILTER_PAIRS },
};

/* Whether @name is a filter's, and which. */
gboolean
_fb_template_filter_from_name (const char   *name,
                               FbFilterKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (filter_names); i++)
    {
      if (strcmp (name, filter_names[i].name) == 0)
        {
          *kind = filter_names[i].kind;
          return TRUE;
        }
    }
  return FALSE;
}

/* At most @n characters of @text, the last of them an ellipsis when it
 * was cut. */
char *
_fb_template_truncate (const char *text,
                       guint       n)
{
  const char *cut = text;

  if (n == 0)
    return g_strdup ("");

  /* By hand: g_utf8_offset_to_pointer() would walk past the end of a text
   * shorter than n. */
  for (guint i = 0; i + 1 < n && *cut != '\0'; i++)
    cut = g_utf8_next_char (cut);
  if (*cut == '\0' || *g_utf8_next_char (cut) == '\0')
    return g_strdup (text);

  return g_strdup_printf ("%.*s" ELLIPSIS, (int) (cut - text), text);
}

/* The scalar items of @array, nulls left out, with @separator between
 * them, at most @max_chars characters; NULL, with *@bad_item its index,
 * for an item that is an object or an array. */
char *
_fb_template_join (JsonArray  *array,
                   const char *separator,
                   gsize       max_chars,
                   guint      *bad_item)
{
  guint n = json_array_get_length (array);
  g_autoptr(GString) joined = g_string_new (NULL);
  gsize max_bytes = max_chars < G_MAXSIZE / 4 ? 4 * max_chars : G_MAXSIZE;
  gboolean first = TRUE;

  /* A long array is read only as far as the output can show. */
  for (guint i = 0; i < n && joined->len <= max_bytes; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonNodeType type = json_node_get_node_type (item);
      g_autofree char *text = NULL;

      if (type == JSON_NODE_NULL)
        continue;
      if (type != JSON_NODE_VALUE)
        {
          *bad_item = i;
          return NULL;
        }

      text = _fb_template_scalar_text (item, max_chars);
      if (!first)
        g_string_append (joined, separator);
      g_string_append (joined, text);
      first = FALSE;
    }

  return _fb_template_bounded_text (joined->str, max_chars);
}

/* @text on one line, so that a key or value cannot make lines of its own:
 * each line break character becomes a space ("\r\n" two), which keeps a
 * text cut at max_chars the start of the whole one's. */
static void
append_one_line (GString    *out,
                 const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      GUnicodeBreakType type = g_unichar_break_type (g_utf8_get_char (p));

      if (type == G_UNICODE_BREAK_MANDATORY || type == G_UNICODE_BREAK_LINE_FEED
          || type == G_UNICODE_BREAK_CARRIAGE_RETURN || type == G_UNICODE_BREAK_NEXT_LINE)
        g_string_append_c (out, ' ');
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
}

/* Up to PAIRS_MAX_LINES "key: value" lines, one per scalar member of
 * @object, at most @max_chars characters in all. */
char *
_fb_template_pairs (JsonObject *object,
                    gsize       max_chars)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;
  g_autoptr(GString) lines = g_string_new (NULL);
  gsize max_bytes = max_chars < G_MAXSIZE / 4 ? 4 * max_chars : G_MAXSIZE;
  guint n_lines = 0;

  /* A large object is read only as far as the output can show, and never
   * past its PAIRS_MAX_LINES-th scalar member. */
  json_object_iter_init_ordered (&iter, object);
  while (n_lines < PAIRS_MAX_LINES && lines->len <= max_bytes
         && json_object_iter_next_ordered (&iter, &key, &member))
    {
      g_autofree char *name = NULL;
      g_autofree char *text = NULL;

      if (json_node_get_node_type (member) != JSON_NODE_VALUE)
        continue;

      name = _fb_template_bounded_text (key, max_chars);
      text = _fb_template_scalar_text (member, max_chars);
      if (n_lines++ > 0)
        g_string_append_c (lines, '\n');
      append_one_line (lines, name);
      g_string_append (lines, ": ");
      append_one_line (lines, text);
    }

  return _fb_template_bounded_text (lines->str, max_chars);
}

static const struct
{
  const char *name;
  const char *text;
} entities[] = {
  { "amp;", "&" },
  { "lt;", "<" },
  { "gt;", ">" },
  { "quot;", "\"" },
  { "apos;", "'" },
  { "nbsp;", "\u00A0" },
};

/* &#NNN; or &#xHH;, @p on its "&"; returns what follows it. */
static const char *
decode_numeric (const char *p,
                GString    *out)
{
  gboolean hex = p[2] == 'x' || p[2] == 'X';
  const char *digits = p + (hex ? 3 : 2);
  const char *q = digits;
  gunichar c = 0;

  /* Saturated, not overflowed: &#99999999999999; is one U+FFFD, and costs
   * one step per digit however many there are. */
  for (; hex ? g_ascii_isxdigit (*q) : g_ascii_isdigit (*q); q++)
    c = MIN (c * (hex ? 16 : 10) + (hex ? g_ascii_xdigit_value (*q) : g_ascii_digit_value (*q)),
             0x110000);

  if (q == digits || *q != ';')
    {
      g_string_append_c (out, '&');
      return p + 1;
    }

  g_string_append_unichar (out, c != 0 && g_unichar_validate (c) ? c : 0xFFFD);
  return q + 1;
}

/* A character reference, @p on its "&"; an unknown one stays as it is. */
static const char *
decode_entity (const char *p,
               GString    *out)
{
  if (p[1] == '#')
    return decode_numeric (p, out);

  for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
    {
      gsize len = strlen (entities[i].name);

      if (strncmp (p + 1, entities[i].name, len) == 0)
        {
          g_string_append (out, entities[i].text);
          return p + 1 + len;
        }
    }

  g_string_append_c (out, '&');
  return p + 1;
}

/* Whether the tag whose name starts at @p is @name. */
static gboolean
tag_is (const char *p,
        const char *name)
{
  gsize len = strlen (name);

  /* The first letter (names are lowercase letters) tells most tags
   * apart without a call. */
  return (*p | 0x20) == name[0] && g_ascii_strncasecmp (p, name, len) == 0 &&
         !g_ascii_isalnum (p[len]);
}

static const char *
tag_end (const char *p)
{
  const char *gt = strchr (p, '>');

  return gt != NULL ? gt + 1 : p + strlen (p);
}

/* A script's or style's content is code, not text: skipped up to the tag
 * @closing. */
static const char *
skip_raw_text (const char *p,
               const char *closing)
{
  const char *lt;

  while ((lt = strchr (p, '<')) != NULL)
    {
      if (lt[1] == '/' && tag_is (lt + 2, closing))
        return tag_end (lt);
      p = lt + 1;
    }
  return p + strlen (p);
}

/* A tag, @p on its "<"; returns what follows it. */
static const char *
skip_tag (const char *p,
          GString    *out)
{
  const char *name = p + 1;

  /* As in HTML, "a < b" is text. */
  if (!g_ascii_isalpha (*name) && *name != '/' && *name != '!' && *name != '?')
    {
      g_string_append_c (out, '<');
      return name;
    }

  if (strncmp (name, "!--", 3) == 0)
    {
      const char *close = strstr (name + 3, "-->");

      return close != NULL ? close + 3 : name + strlen (name);
    }

  if (tag_is (name, "br") || (name[0] == '/' && tag_is (name + 1, "p")))
    g_string_append_c (out, '\n');
  if (tag_is (name, "script"))
    return skip_raw_text (tag_end (p), "script");
  if (tag_is (name, "style"))
    return skip_raw_text (tag_end (p), "style");
  return tag_end (p);
}

/* Lines trimmed; no blank line first or last, nor two in a row. */
static char *
collapse_blank_lines (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean blank_before = FALSE;

  for (const char *line = text; line != NULL;)
    {
      const char *newline = strchr (line, '\n');
      const char *end = newline != NULL ? newline : line + strlen (line);

      while (line < end && g_ascii_isspace (*line))
        line++;
      while (end > line && g_ascii_isspace (end[-1]))
        end--;

      if (line == end)
        {
          blank_before = out->len > 0;
        }
      else
        {
          if (out->len > 0)
            g_string_append (out, blank_before ? "\n\n" : "\n");
          g_string_append_len (out, line, end - line);
          blank_before = FALSE;
        }
      line = newline != NULL ? newline + 1 : NULL;
    }

  return g_string_free (out, FALSE);
}

/* The text of @html: tags, comments, scripts and styles dropped, character
 * references decoded, a line break for <br> and </p>, blank lines
 * collapsed. */
char *
_fb_template_strip_html (const char *html)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *p = html;

  while (*p != '\0')
    {
      gsize run = strcspn (p, "<&");

      /* Text between tags and references goes in at once. */
      g_string_append_len (text, p, run);
      p += run;
      if (*p == '<')
        p = skip_tag (p, text);
      else if (*p == '&')
        p = decode_entity (p, text);
    }

  return collapse_blank_lines (text->str);
}
