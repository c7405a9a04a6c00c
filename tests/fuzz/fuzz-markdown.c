/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fb-markdown.h"
#include "fb-url.h"

/*
 * Markdown (ntfy's "text/markdown" bodies) on arbitrary bytes, invalid
 * UTF-8 and NULs included. The first byte picks the limit: below 128, that
 * many characters (cuts everywhere), else FB_MARKDOWN_MAX_CHARS.
 *
 * Whatever the input, the markup must be valid UTF-8 that GMarkup parses
 * (inside a root element) with only <b>, <i>, <u> and <a href> to an
 * http(s) address, nested at most three deep, showing at most the limit's
 * characters in a length proportionate to them; the text must be valid
 * UTF-8 of at most the limit's characters.
 */

int LLVMFuzzerTestOneInput (const unsigned char *data, size_t size);

/* Bytes per visible character in the worst case (an escaped character in
 * three tags closed and opened again), and all the links' targets. */
#define MAX_BYTES(chars) ((chars) * 40 + 16 * 1024 + 64)

typedef struct
{
  guint depth;
  glong visible;
} Check;

static void
on_start (GMarkupParseContext  *context,
          const char           *element,
          const char          **names,
          const char          **values,
          gpointer              user_data,
          GError              **error)
{
  Check *check = user_data;

  if (++check->depth == 1)
    {
      if (!g_str_equal (element, "root"))
        abort ();
      return;
    }
  if (check->depth > 4)
    abort ();

  if (g_str_equal (element, "a"))
    {
      if (names[0] == NULL || !g_str_equal (names[0], "href") || names[1] != NULL ||
          !fb_url_is_http (values[0]))
        abort ();
    }
  else if (names[0] != NULL ||
           (!g_str_equal (element, "b") && !g_str_equal (element, "i") && !g_str_equal (element, "u")))
    abort ();
}

static void
on_end (GMarkupParseContext  *context,
        const char           *element,
        gpointer              user_data,
        GError              **error)
{
  Check *check = user_data;

  check->depth--;
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 len,
         gpointer              user_data,
         GError              **error)
{
  Check *check = user_data;

  check->visible += g_utf8_strlen (text, len);
}

static void
check_markup (const char *markup,
              gsize       max_chars)
{
  static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  Check check = { 0, 0 };
  GMarkupParseContext *context;
  g_autofree char *wrapped = NULL;
  gboolean ok;

  if (markup == NULL || !g_utf8_validate (markup, -1, NULL) || strlen (markup) > MAX_BYTES (max_chars))
    abort ();

  wrapped = g_strconcat ("<root>", markup, "</root>", NULL);
  context = g_markup_parse_context_new (&parser, 0, &check, NULL);
  ok = g_markup_parse_context_parse (context, wrapped, -1, NULL) &&
       g_markup_parse_context_end_parse (context, NULL);
  g_markup_parse_context_free (context);
  if (!ok || check.depth != 0 || check.visible > (glong) max_chars)
    abort ();
}

static void
check_text (const char *text,
            gsize       max_chars)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL) ||
      g_utf8_strlen (text, -1) > (glong) max_chars)
    abort ();
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *markup = NULL;
  g_autofree char *text = NULL;
  gsize max_chars;

  if (size < 1)
    return 0;
  max_chars = data[0] < 128 ? data[0] : FB_MARKDOWN_MAX_CHARS;
  data++, size--;

  markup = fb_markdown_to_markup ((const char *) data, (gssize) size, max_chars);
  check_markup (markup, max_chars);
  text = fb_markdown_to_text ((const char *) data, (gssize) size, max_chars);
  check_text (text, max_chars);

  return 0;
}
