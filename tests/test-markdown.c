/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-markdown.h"
#include "fb-message.h"
#include "fb-url.h"

#include <string.h>

#define REPLACEMENT "\uFFFD"
#define ELLIPSIS    "\u2026"
#define MAX_CHARS   4000

/* ------------------------------------------------------------------------ */
/* What any output must be                                                  */
/* ------------------------------------------------------------------------ */

typedef struct
{
  guint    depth;
  guint    max_depth;
  GString *visible;
} MarkupCheck;

static void
check_start (GMarkupParseContext  *context,
             const char           *element,
             const char          **names,
             const char          **values,
             gpointer              user_data,
             GError              **error)
{
  MarkupCheck *check = user_data;

  check->depth++;
  check->max_depth = MAX (check->max_depth, check->depth);
  if (check->depth == 1)
    {
      g_assert_cmpstr (element, ==, "root");
      return;
    }

  if (g_str_equal (element, "a"))
    {
      g_assert_cmpstr (names[0], ==, "href");
      g_assert_null (names[1]);
      g_assert_true (fb_url_is_http (values[0]));
      return;
    }
  g_assert_null (names[0]);
  if (!g_str_equal (element, "b") && !g_str_equal (element, "i") && !g_str_equal (element, "u"))
    g_error ("element <%s> in the markup", element);
}

static void
check_end (GMarkupParseContext  *context,
           const char           *element,
           gpointer              user_data,
           GError              **error)
{
  MarkupCheck *check = user_data;

  check->depth--;
}

static void
check_text (GMarkupParseContext  *context,
            const char           *text,
            gsize                 len,
            gpointer              user_data,
            GError              **error)
{
  MarkupCheck *check = user_data;

  g_string_append_len (check->visible, text, len);
}

/* The text @markup shows, after checking that it is valid UTF-8,
 * well-formed, with only <b>, <i>, <u> and <a href="http(s)…">, at most
 * three deep, and no more than @max_chars characters shown. */
static char *
check_markup (const char *markup,
              gsize       max_chars)
{
  static const GMarkupParser parser = { check_start, check_end, check_text, NULL, NULL };
  MarkupCheck check = { 0, 0, g_string_new (NULL) };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autofree char *wrapped = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (markup);
  g_assert_true (g_utf8_validate (markup, -1, NULL));

  wrapped = g_strconcat ("<root>", markup, "</root>", NULL);
  context = g_markup_parse_context_new (&parser, 0, &check, NULL);
  g_markup_parse_context_parse (context, wrapped, -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (check.max_depth, <=, 4);
  g_assert_cmpuint (g_utf8_strlen (check.visible->str, -1), <=, max_chars);
  return g_string_free (check.visible, FALSE);
}

static void
check_plain (const char *text,
             gsize       max_chars)
{
  g_assert_nonnull (text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpuint (g_utf8_strlen (text, -1), <=, max_chars);
}

/* Both renderings of @markdown, checked. */
static void
render (const char  *markdown,
        gssize       length,
        gsize        max_chars,
        char       **markup,
        char       **text)
{
  g_autofree char *visible = NULL;

  *markup = fb_markdown_to_markup (markdown, length, max_chars);
  *text = fb_markdown_to_text (markdown, length, max_chars);
  visible = check_markup (*markup, max_chars);
  check_plain (*text, max_chars);
}

/* ------------------------------------------------------------------------ */
/* Renderings                                                               */
/* ------------------------------------------------------------------------ */

typedef struct
{
  const char *name;
  const char *markdown;
  const char *markup;
  const char *text;
} Case;

static const Case cases[] = {
  { "plain", "Disk full on nas-01", "Disk full on nas-01", "Disk full on nas-01" },
  { "heading", "# Backup\nDone in 3 min", "<b>Backup</b>\nDone in 3 min", "Backup\nDone in 3 min" },
  { "heading-levels", "### Three\n###### Six", "<b>Three</b>\n<b>Six</b>", "Three\nSix" },
  { "heading-setext", "Title\n=====\nbody", "<b>Title</b>\nbody", "Title\nbody" },
  { "heading-styled", "## A *b*", "<b>A <i>b</i></b>", "A b" },
  { "emphasis", "*a* and _b_", "<i>a</i> and <i>b</i>", "a and b" },
  { "strong", "**a** and __b__", "<b>a</b> and <b>b</b>", "a and b" },
  { "strong-emphasis", "***both***", "<b><i>both</i></b>", "both" },
  { "nested-italic-in-bold", "**bold *and italic* bold**",
    "<b>bold <i>and italic</i> bold</b>", "bold and italic bold" },
  { "nested-bold-in-italic", "*it **bo** it*", "<i>it <b>bo</b> it</i>", "it bo it" },
  { "nested-same", "**a **b** c**", "<b>a b c</b>", "a b c" },
  { "strikethrough", "~~gone~~ here", "gone here", "gone here" },
  { "paragraphs", "one\n\ntwo\nthree", "one\ntwo\nthree", "one\ntwo\nthree" },
  { "hard-break", "one  \ntwo\\\nthree", "one\ntwo\nthree", "one\ntwo\nthree" },
  { "link", "See [the docs](https://ntfy.sh/docs).",
    "See <a href=\"https://ntfy.sh/docs\">the docs</a>.",
    "See the docs (https://ntfy.sh/docs)." },
  { "link-styled", "[a **b**](http://x.org/)", "<a href=\"http://x.org/\">a <b>b</b></a>",
    "a b (http://x.org/)" },
  { "link-escaped", "[q](https://x.org/?a=1&b=\"2\"&c='3')",
    "<a href=\"https://x.org/?a=1&amp;b=&quot;2&quot;&amp;c=&apos;3&apos;\">q</a>",
    "q (https://x.org/?a=1&b=\"2\"&c='3')" },
  { "link-entity", "[e](https://x.org/?a=1&amp;b=2)",
    "<a href=\"https://x.org/?a=1&amp;b=2\">e</a>", "e (https://x.org/?a=1&b=2)" },
  { "link-empty-text", "[](https://x.org/)", "<a href=\"https://x.org/\">https://x.org/</a>",
    "https://x.org/" },
  { "link-javascript", "[click](javascript:alert(1))", "click", "click" },
  { "link-file", "[passwd](file:///etc/passwd)", "passwd", "passwd" },
  { "link-relative", "[up](../x) [mail](mailto:a@b.org) [d](data:text/html,x)",
    "up mail d", "up mail d" },
  { "link-space", "[s](<https://x.org/a b>)", "s", "s" },
  { "link-reference", "[ref][1]\n\n[1]: https://x.org/r",
    "<a href=\"https://x.org/r\">ref</a>", "ref (https://x.org/r)" },
  { "links-adjacent", "[a](https://x.org/1)[b](https://x.org/2)",
    "<a href=\"https://x.org/1\">a</a><a href=\"https://x.org/2\">b</a>",
    "a (https://x.org/1)b (https://x.org/2)" },
  { "autolink-angle", "<https://x.org/a>", "<a href=\"https://x.org/a\">https://x.org/a</a>",
    "https://x.org/a" },
  { "autolink-bare", "go to https://x.org/a?b=1&c=2 now",
    "go to <a href=\"https://x.org/a?b=1&amp;c=2\">https://x.org/a?b=1&amp;c=2</a> now",
    "go to https://x.org/a?b=1&c=2 now" },
  { "autolink-www", "www.x.org/a", "<a href=\"http://www.x.org/a\">www.x.org/a</a>", "www.x.org/a" },
  { "autolink-email", "a@b.org", "a@b.org", "a@b.org" },
  { "list", "- one\n- two\n* three", "\u2022 one\n\u2022 two\n\u2022 three",
    "\u2022 one\n\u2022 two\n\u2022 three" },
  { "list-ordered", "3. three\n4. **four**", "3. three\n4. <b>four</b>", "3. three\n4. four" },
  { "list-ordered-paren", "1) a\n2) b", "1) a\n2) b", "1) a\n2) b" },
  { "list-nested", "- a\n  - b\n    1. c\n- d",
    "\u2022 a\n  \u2022 b\n    1. c\n\u2022 d", "\u2022 a\n  \u2022 b\n    1. c\n\u2022 d" },
  { "list-loose", "- a\n\n- b\n\n  more", "\u2022 a\n\u2022 b\nmore", "\u2022 a\n\u2022 b\nmore" },
  { "list-after-text", "Status:\n\n- ok", "Status:\n\u2022 ok", "Status:\n\u2022 ok" },
  { "code-span", "run `rm -rf *` now", "run rm -rf * now", "run rm -rf * now" },
  { "code-span-markup", "`<b>&</b>`", "&lt;b&gt;&amp;&lt;/b&gt;", "<b>&</b>" },
  { "code-block", "```sh\nif a < b; then\n\n  echo **x**\nfi\n```\nafter",
    "if a &lt; b; then\n\n  echo **x**\nfi\nafter", "if a < b; then\n\n  echo **x**\nfi\nafter" },
  { "code-indented", "text\n\n    code  line\n\nmore", "text\ncode  line\nmore",
    "text\ncode  line\nmore" },
  { "quote", "> quoted **x**\n\nafter", "<i>quoted <b>x</b></i>\nafter", "quoted x\nafter" },
  { "rule", "a\n\n---\n\nb", "a\n\u2014\u2014\u2014\nb", "a\n\u2014\u2014\u2014\nb" },
  { "image", "![a cat](https://x.org/cat.png) here", "a cat here", "a cat here" },
  { "image-in-link", "[![logo](https://x.org/l.png)](https://x.org/)",
    "<a href=\"https://x.org/\">logo</a>", "logo (https://x.org/)" },
  { "table", "| a | b |\n|---|---|\n| 1 | **2** |\n|  | 4 |",
    "<b>a</b> | <b>b</b>\n1 | <b>2</b>\n | 4", "a | b\n1 | 2\n | 4" },
  { "html-block", "<div>\n<script>alert(1)</script>\n</div>",
    "&lt;div&gt;\n&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;/div&gt;",
    "<div>\n<script>alert(1)</script>\n</div>" },
  { "html-inline", "a <b onclick=\"x\">b</b> <!-- c --> <a href=\"javascript:x\">d</a>",
    "a &lt;b onclick=\"x\"&gt;b&lt;/b&gt; &lt;!-- c --&gt; &lt;a href=\"javascript:x\"&gt;d&lt;/a&gt;",
    "a <b onclick=\"x\">b</b> <!-- c --> <a href=\"javascript:x\">d</a>" },
  { "ampersand", "R&D & co &amp; more", "R&amp;D &amp; co &amp; more", "R&D & co & more" },
  { "entities", "&copy; &#65; &#x42; &#0; &nbsp;&bogus; &lt;i&gt;",
    "\u00a9 A B " REPLACEMENT " \u00a0&amp;bogus; &lt;i&gt;",
    "\u00a9 A B " REPLACEMENT " \u00a0&bogus; <i>" },
  { "escapes", "\\*not\\* \\# \\`", "*not* # `", "*not* # `" },
  { "unbalanced", "**open *and `tick", "**open *and `tick", "**open *and `tick" },
  { "controls", "a\x01" "b\x1b[31mc\x7f" "d\xc2\x85" "e\tf", "ab[31mcde\tf", "ab[31mcde\tf" },
  { "empty", "", "", "" },
  { "blank", " \n\n \t\n", "", "" },
};

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *markup = NULL;
  g_autofree char *text = NULL;

  render (c->markdown, -1, MAX_CHARS, &markup, &text);
  g_assert_cmpstr (markup, ==, c->markup);
  g_assert_cmpstr (text, ==, c->text);
}

/* The plain text keeps none of the characters Markdown used. */
static void
test_text_no_syntax (void)
{
  static const char *markdown =
    "# Title\n\n## Sub *title*\n\nSome **bold**, __bold__, *it*, _it_, ***both***, "
    "`code`, [a link](https://x.org/) and <https://y.org/>.\n\n"
    "- item **one**\n- item `two`\n  1. nested *three*\n\n"
    "> quote with **bold**\n\n```\ncode block\n```\n\n~~~\ntilde block\n~~~\n\n"
    "| h1 | *h2* |\n|---|---|\n| `c` | **d** |\n\n***\n\n![alt *text*](https://x.org/i.png)\n\n"
    "Setext\n------\n";
  g_autofree char *markup = NULL;
  g_autofree char *text = NULL;

  render (markdown, -1, MAX_CHARS, &markup, &text);
  g_assert_null (strpbrk (text, "*#`_~"));
  g_assert_nonnull (strstr (text, "Title\nSub title\nSome bold, bold, it, it, both, code, a link"));
}

/* ------------------------------------------------------------------------ */
/* Hostile input                                                            */
/* ------------------------------------------------------------------------ */

static char *
repeat (const char *unit,
        guint       n,
        const char *tail)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (s, unit);
  g_string_append (s, tail);
  return g_string_free (s, FALSE);
}

static void
test_hostile_nesting (void)
{
  static const char * const units[] = {
    ">", "> ", "[", "](", "![", "*", "**", "_", "- ", "1. ", "> - ", "`", "<", "&", "\\", "|",
    "*a", "**a", "[a](https://x.org/", "[a](https://x.org/)", "~~", "# ", "<b>", "&amp;",
  };

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      g_autofree char *markdown = repeat (units[i], 10000, "x **y** [z](https://x.org/)");
      g_autofree char *markup = NULL;
      g_autofree char *text = NULL;

      g_test_message ("10 000 × \"%s\"", units[i]);
      render (markdown, -1, MAX_CHARS, &markup, &text);
    }
}

static void
test_hostile_script (void)
{
  g_autofree char *markup = NULL;
  g_autofree char *text = NULL;

  render ("<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>", -1, MAX_CHARS, &markup, &text);
  g_assert_null (strchr (markup, '<'));
  g_assert_cmpstr (markup, ==,
                   "&lt;script&gt;alert('x')&lt;/script&gt;\n&lt;img src=x onerror=alert(1)&gt;");
}

/* Many long links: the markup stays in proportion to the text shown. */
static void
test_hostile_many_links (void)
{
  g_autofree char *target = repeat ("a", 1900, "");
  g_autofree char *unit = g_strdup_printf ("[x](https://x.org/%s) ", target);
  g_autofree char *markdown = repeat (unit, 100, "");
  g_autofree char *markup = NULL;
  g_autofree char *text = NULL;

  render (markdown, -1, MAX_CHARS, &markup, &text);
  g_assert_cmpuint (strlen (markup), <, 40 * MAX_CHARS + 32 * 1024);
  /* The first links are links, the later ones text. */
  g_assert_true (g_str_has_prefix (markup, "<a href=\"https://x.org/aaa"));
  g_assert_true (g_str_has_suffix (markup, " x x"));
}

static void
test_hostile_invalid_utf8 (void)
{
  static const char markdown[] = "\xff**b\xc3**\xe2\x82 [l\xfe](https://x.org/\xff) \xf0\x9f\x98";
  static const char with_nul[] = "**a\0b** c";
  g_autofree char *markup = NULL;
  g_autofree char *text = NULL;
  g_autofree char *nul_markup = NULL;
  g_autofree char *nul_text = NULL;

  render (markdown, sizeof markdown - 1, MAX_CHARS, &markup, &text);
  /* One U+FFFD per invalid byte, as g_utf8_make_valid() does. */
  g_assert_cmpstr (markup, ==,
                   REPLACEMENT "<b>b" REPLACEMENT "</b>" REPLACEMENT REPLACEMENT
                   " <a href=\"https://x.org/" REPLACEMENT "\">l" REPLACEMENT "</a> "
                   REPLACEMENT REPLACEMENT REPLACEMENT);
  g_assert_cmpstr (text, ==,
                   REPLACEMENT "b" REPLACEMENT REPLACEMENT REPLACEMENT " l" REPLACEMENT
                   " (https://x.org/" REPLACEMENT ") " REPLACEMENT REPLACEMENT REPLACEMENT);

  render (with_nul, sizeof with_nul - 1, MAX_CHARS, &nul_markup, &nul_text);
  g_assert_cmpstr (nul_markup, ==, "<b>a" REPLACEMENT "b</b> c");
  g_assert_cmpstr (nul_text, ==, "a" REPLACEMENT "b c");
}

/* ------------------------------------------------------------------------ */
/* Truncation                                                               */
/* ------------------------------------------------------------------------ */

static void
test_truncate_exact (void)
{
  g_autofree char *markup = NULL;
  g_autofree char *text = NULL;
  g_autofree char *fits = NULL;
  g_autofree char *fits_text = NULL;

  render ("**bold** and [a link](https://x.org/) & more", -1, 11, &markup, &text);
  g_assert_cmpstr (markup, ==, "<b>bold</b> and <a href=\"https://x.org/\">a" ELLIPSIS "</a>");
  g_assert_cmpstr (text, ==, "bold and a" ELLIPSIS);

  /* Exactly as long as allowed: not cut. */
  render ("**abc** *de*", -1, 6, &fits, &fits_text);
  g_assert_cmpstr (fits, ==, "<b>abc</b> <i>de</i>");
  g_assert_cmpstr (fits_text, ==, "abc de");
}

/* Every limit, on a document with every kind of markup: each output is
 * well-formed and shows at most as many characters as allowed, and the
 * text variant is as long as the markup's visible text. */
static void
test_truncate_every_length (void)
{
  static const char *markdown =
    "# Title *x*\n\n**bold *it [link **b** c](https://x.org/?a=1&b=2) d* e** & <tag>\n\n"
    "- a\n  - **b**\n1. c\n\n> q *r*\n\n| h | i |\n|---|---|\n| **1** | [2](https://y.org/) |\n\n"
    "```\nco<de>\n```\n\n\u00e9\U0001F600 ![img](https://x.org/i.png)";
  g_autofree char *full = fb_markdown_to_markup (markdown, -1, MAX_CHARS);
  g_autofree char *full_visible = check_markup (full, MAX_CHARS);
  glong n = g_utf8_strlen (full_visible, -1);

  for (glong max = 0; max <= n + 1; max++)
    {
      g_autofree char *markup = NULL;
      g_autofree char *text = NULL;
      g_autofree char *visible = NULL;

      render (markdown, -1, max, &markup, &text);
      visible = check_markup (markup, max);
      g_assert_cmpint (g_utf8_strlen (visible, -1), ==, MIN (max, n));
      if (max < n && max > 0)
        g_assert_true (g_str_has_suffix (visible, ELLIPSIS));
      if (max >= n)
        g_assert_cmpstr (visible, ==, full_visible);
      g_assert_cmpint (g_utf8_strlen (text, -1), <=, max);
    }
}

static void
test_truncate_huge_input (void)
{
  g_autofree char *markdown = repeat ("**word** ", 200000, "");
  g_autofree char *markup = NULL;
  g_autofree char *text = NULL;

  render (markdown, -1, 100, &markup, &text);
  g_assert_true (g_str_has_suffix (text, ELLIPSIS));
  g_assert_cmpint (g_utf8_strlen (text, -1), ==, 100);
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */
/* ------------------------------------------------------------------------ */

static FbMessage *
ntfy_message (const char *json)
{
  return fb_message_new_from_event ("Feed", FB_MESSAGE_FORMAT_AUTO, "message", json,
                                    strlen (json), "");
}

static void
test_message_ntfy (void)
{
  static const struct
  {
    const char *content_type;  /* a JSON value, or NULL for none */
    gboolean    markdown;
  } types[] = {
    { "\"text/markdown\"", TRUE },
    { "\"Text/Markdown\"", TRUE },
    { "\" text/markdown ; charset=utf-8\"", TRUE },
    { NULL, FALSE },
    { "\"text/plain\"", FALSE },
    { "\"text/markdownx\"", FALSE },
    { "\"\"", FALSE },
    { "true", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *json = g_strdup_printf (
        "{\"id\":\"a1\",\"time\":1,\"event\":\"message\",\"topic\":\"t\","
        "\"message\":\"**Disk** full\"%s%s}",
        types[i].content_type != NULL ? ",\"content_type\":" : "",
        types[i].content_type != NULL ? types[i].content_type : "");
      g_autoptr(FbMessage) message = ntfy_message (json);

      g_test_message ("%s", json);
      g_assert_cmpint (fb_message_is_markdown (message), ==, types[i].markdown);
      /* The body stays as it came. */
      g_assert_cmpstr (fb_message_get_body (message), ==, "**Disk** full");
    }
}

/* Tags follow a Markdown body as text: escaped, in a paragraph of their own. */
static void
test_message_ntfy_tags (void)
{
  static const char *json =
    "{\"id\":\"a1\",\"time\":1,\"event\":\"message\",\"topic\":\"t\",\"message\":\"| a |\\n|---|\","
    "\"content_type\":\"text/markdown\",\"tags\":[\"*x*\",\"[y](https://z.org/)\"]}";
  g_autoptr(FbMessage) message = ntfy_message (json);
  g_autofree char *text = NULL;

  g_assert_true (fb_message_is_markdown (message));
  text = fb_markdown_to_text (fb_message_get_body (message), -1, MAX_CHARS);
  g_assert_cmpstr (text, ==, "a\nTags: *x*, [y](https://z.org/)");
}

/* A message that is only a file has Feedbell's text as its body, not Markdown. */
static void
test_message_ntfy_attachment (void)
{
  static const char *json =
    "{\"id\":\"a1\",\"time\":1,\"event\":\"message\",\"topic\":\"t\",\"content_type\":\"text/markdown\","
    "\"attachment\":{\"name\":\"*a*.txt\",\"url\":\"https://x.org/a.txt\"}}";
  g_autoptr(FbMessage) message = ntfy_message (json);

  g_assert_false (fb_message_is_markdown (message));
}

static void
test_message_stored (void)
{
  FbMessageFields fields = { .title = "t", .body = "# x", .markdown = TRUE };
  g_autoptr(FbMessage) markdown = fb_message_new_stored (&fields);
  g_autoptr(FbMessage) plain = NULL;

  g_assert_true (fb_message_is_markdown (markdown));
  fields.markdown = FALSE;
  plain = fb_message_new_stored (&fields);
  g_assert_false (fb_message_is_markdown (plain));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/markdown/render/", cases[i].name, NULL);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/markdown/text/no-syntax", test_text_no_syntax);
  g_test_add_func ("/markdown/hostile/nesting", test_hostile_nesting);
  g_test_add_func ("/markdown/hostile/script", test_hostile_script);
  g_test_add_func ("/markdown/hostile/many-links", test_hostile_many_links);
  g_test_add_func ("/markdown/hostile/invalid-utf8", test_hostile_invalid_utf8);
  g_test_add_func ("/markdown/truncate/exact", test_truncate_exact);
  g_test_add_func ("/markdown/truncate/every-length", test_truncate_every_length);
  g_test_add_func ("/markdown/truncate/huge-input", test_truncate_huge_input);
  g_test_add_func ("/markdown/message/ntfy", test_message_ntfy);
  g_test_add_func ("/markdown/message/ntfy-tags", test_message_ntfy_tags);
  g_test_add_func ("/markdown/message/ntfy-attachment", test_message_ntfy_attachment);
  g_test_add_func ("/markdown/message/stored", test_message_stored);

  return g_test_run ();
}
