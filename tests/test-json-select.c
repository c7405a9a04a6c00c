/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-json-select.h"
#include "fb-mapping.h"

#include <string.h>

/*
 * Selective parsing against json-glib's full parse (behind the same check,
 * fb_mapping_parse_payload()): for every document and selection, whether
 * each reads it, the values at the selected paths, and what the templates
 * render from each, errors included.
 */

typedef enum
{
  VALID,    /* both read it */
  INVALID,  /* neither does */
  LENIENT,  /* json-glib reads what RFC 8259 refuses: selective parsing
             * leaves it to json-glib (the reader then parses it in full) */
} Expect;

typedef struct
{
  const char *json;
  gssize      len;  /* -1: strlen */
  Expect      expect;
} Document;

static const Document documents[] = {
  { "{\"a\":\"x\",\"b\":{\"c\":1,\"z\":[1,2]},\"arr\":[0,\"one\",2,{\"x\":\"three\"}],\"d\":null}", -1, VALID },
  { " \t\r\n{ \"a\" : \"x\" , \"arr\" : [ 1 , 2 ] } \n", -1, VALID },
  { "{}", -1, VALID },
  { "[]", -1, VALID },
  { "\"just a string\"", -1, VALID },
  { "42", -1, VALID },
  { "-0", -1, VALID },
  { "-0.0", -1, VALID },
  { "true", -1, VALID },
  { "null", -1, VALID },
  { "[1,2,3,{\"x\":[4]}]", -1, VALID },
  /* Escapes, surrogate pairs, and a NUL that ends the text, as json-glib
   * keeps it. */
  { "{\"a\":\"q\\\"b\\\\s\\/n\\nt\\tr\\rb\\bf\\f\",\"s\":\"\\u00e9\\u4e2d\\ud83d\\ude00\"}", -1, VALID },
  { "{\"a\":\"A\\u0000B\",\"s\":\"\\uFFFD \\ufffd\"}", -1, VALID },
  { "{\"a\\u0000x\":\"named with a NUL\",\"b\":{\"c\":\"\\u0063\"}}", -1, VALID },
  { "{\"\\u0061\":\"escaped name\",\"b\":{\"\\u0063\":true}}", -1, VALID },
  /* Raw control characters in strings: json-glib keeps them. */
  { "{\"a\":\"tab\there\",\"s\":\"line\nbreak\x01\x1f\"}", -1, VALID },
  /* Numbers: json-glib's integers wrap past 2^63 and saturate past
   * 2^64; doubles as g_strtod() reads them. */
  { "{\"n\":9223372036854775807,\"big\":9223372036854775808,\"f\":1e400}", -1, VALID },
  { "{\"n\":-9223372036854775808,\"big\":18446744073709551616,\"f\":-1e400}", -1, VALID },
  { "{\"n\":123456789012345678901234567890,\"big\":-1,\"f\":0.1}", -1, VALID },
  { "{\"n\":1.0,\"big\":1E5,\"f\":-2.5e-3,\"s\":0e1,\"a\":1e-400}", -1, VALID },
  { "{\"n\":0.30000000000000004,\"f\":123456789.123456789e-5}", -1, VALID },
  /* A member named twice: the last value, in the place of the first. */
  { "{\"a\":1,\"b\":{\"c\":2},\"a\":\"second\",\"b\":{\"z\":[3]}}", -1, VALID },
  { "{\"o\":{\"k\":1,\"j\":2,\"k\":3},\"a\":\"x\"}", -1, VALID },
  /* .data: the member when there is one, whatever its value. */
  { "{\"data\":{\"x\":\"inner\",\"id\":\"7\"},\"x\":\"outer\",\"id\":\"8\"}", -1, VALID },
  { "{\"x\":\"outer\",\"id\":\"8\"}", -1, VALID },
  { "{\"data\":null,\"x\":\"outer\"}", -1, VALID },
  { "{\"data\":\"text\",\"x\":\"outer\"}", -1, VALID },
  { "{\"data\":[1],\"x\":\"outer\"}", -1, VALID },
  { "[{\"data\":1}]", -1, VALID },
  /* Types along a path: an array where a member is asked for. */
  { "{\"a\":[1],\"b\":[{\"c\":1}],\"arr\":{\"1\":2},\"o\":[1,2]}", -1, VALID },
  { "{\"o\":{\"k\":\"v\",\"n\":1,\"x\":null,\"y\":{},\"b\":true},\"arr\":[\"a\",null,3,false]}", -1, VALID },
  { "{\"arr\":[\"a\",[1],\"c\"],\"o\":\"text\"}", -1, VALID },
  /* Refused by both. */
  { "", -1, INVALID },
  { "   ", -1, INVALID },
  { "{", -1, INVALID },
  { "{\"a\":1", -1, INVALID },
  { "{\"a\":1,}", -1, INVALID },
  { "[1,2,]", -1, INVALID },
  { "[1 2]", -1, INVALID },
  { "{\"a\" 1}", -1, INVALID },
  { "{a:1}", -1, INVALID },
  { "{\"a\":tru}", -1, INVALID },
  { "{\"a\":nul}", -1, INVALID },
  { "{\"a\":\"unterminated}", -1, INVALID },
  { "{\"a\":1} x", -1, INVALID },
  { "1 2", -1, INVALID },
  { "hello", -1, INVALID },
  { "{\"a\":1}/* comment */", -1, INVALID },
  { "// comment\n{}", -1, INVALID },
  { "{'a':1}", -1, INVALID },
  { "\xef\xbb\xbf{}", -1, INVALID },
  { "{\"a\":\"x\"}\0", 10, INVALID },
  { "{\"a\":\"x\0y\"}", 11, INVALID },
  { "[1]\0", 4, INVALID },
  { "{\"a\":-}", -1, INVALID },
  { "{\"a\":1e}", -1, INVALID },
  { "{\"a\":\"\\u12\"}", -1, INVALID },
  { "{\"a\":\"\\udc00\"}", -1, INVALID },
  { "{\"a\":1}\f", -1, INVALID },
  /* Read by json-glib, not by RFC 8259: left to json-glib. */
  { "{\"a\":01}", -1, LENIENT },
  { "{\"a\":0x1F}", -1, LENIENT },
  { "{\"a\":- 1}", -1, LENIENT },
  { "{\"a\":.5}", -1, LENIENT },
  { "{\"a\":\"\\'\"}", -1, LENIENT },
  { "{\"a\":\"\\ud800x\"}", -1, LENIENT },
  { "{\"a\":1.}", -1, LENIENT },
  { "{\"a\":\"\\x\"}", -1, LENIENT },
  { "{} {}", -1, LENIENT },
};

/* A selection: a template, and the paths whose values must be equal;
 * "deep" paths are compared as JSON text, the others by type and scalar. */
typedef struct
{
  const char *source;
  const char *paths[8];
  gboolean    deep;
} Selection;

static const Selection selections[] = {
  { "{{ .a }}|{{ .b.c | default .d }}|{{ .arr[1] }}|{{ .arr[3].x }}|{{ .n }}|{{ .big }}|{{ .f }}",
    { ".a", ".b.c", ".d", ".arr[1]", ".arr[3].x", ".n", ".big", ".f" }, FALSE },
  { "{{ .s }} {{ .b }} {{ .b.z }} {{ .arr }} {{ .o }}", { ".s", ".b", ".b.z", ".arr", ".o" }, FALSE },
  { "{{ .data.x }}/{{ .data.id | default \"none\" }}/{{ .data }}", { ".data", ".x", ".id", ".data.x" }, FALSE },
  { "{{ . }}", { "" }, FALSE },
  { "{{ .o | pairs }}|{{ .arr | join \",\" }}|{{ .b.z | join \"+\" }}", { ".o", ".arr", ".b.z" }, TRUE },
  { "{{ .a }}{{ .nothing | default .o | pairs }}", { ".o", ".nothing" }, TRUE },
  { "{{ . | pairs }}", { "" }, TRUE },
};

/* The node at @path (".a[1].b", "" for the root), or NULL. */
static JsonNode *
node_at (JsonNode   *node,
         const char *path)
{
  const char *p = path;

  while (node != NULL && *p != '\0')
    {
      if (*p == '.')
        {
          gsize len = strcspn (p + 1, ".[");
          g_autofree char *name = g_strndup (p + 1, len);

          node = JSON_NODE_HOLDS_OBJECT (node)
                 ? json_object_get_member (json_node_get_object (node), name) : NULL;
          p += 1 + len;
        }
      else
        {
          char *end;
          guint64 index = g_ascii_strtoull (p + 1, &end, 10);

          node = JSON_NODE_HOLDS_ARRAY (node)
                 && index < json_array_get_length (json_node_get_array (node))
                 ? json_array_get_element (json_node_get_array (node), index) : NULL;
          p = end + 1;
        }
    }
  return node;
}

static void
assert_same_node (JsonNode   *expected,
                  JsonNode   *got,
                  gboolean    deep,
                  const char *what)
{
  if (expected == NULL || got == NULL)
    {
      if (expected != got)
        g_error ("%s: %s here, %s in json-glib's", what, got ? "present" : "missing",
                 expected ? "present" : "missing");
      return;
    }
  g_assert_cmpint (json_node_get_node_type (got), ==, json_node_get_node_type (expected));
  if (JSON_NODE_HOLDS_VALUE (expected))
    g_assert_cmpint (json_node_get_value_type (got), ==, json_node_get_value_type (expected));
  if (deep || JSON_NODE_HOLDS_VALUE (expected))
    {
      g_autofree char *e = json_to_string (expected, FALSE);
      g_autofree char *g = json_to_string (got, FALSE);

      if (g_strcmp0 (e, g) != 0)
        g_error ("%s: %s here, %s in json-glib's", what, g, e);
      if (json_node_get_value_type (expected) == G_TYPE_DOUBLE)
        g_assert_true (memcmp (&(double) { json_node_get_double (expected) },
                               &(double) { json_node_get_double (got) }, sizeof (double)) == 0);
    }
}

static char *
render (FbTemplate *template_,
        JsonNode   *payload)
{
  g_autoptr(GError) error = NULL;
  char *text = fb_template_render (template_, payload, "message", "1", 4096, &error);

  return text != NULL ? text : g_strdup_printf ("error: %s", error->message);
}

static void
check (const Document  *doc,
       const Selection *selection,
       JsonParser      *parser)
{
  gsize len = doc->len < 0 ? strlen (doc->json) : (gsize) doc->len;
  g_autoptr(FbTemplate) template_ = fb_template_parse (selection->source, NULL);
  g_autoptr(FbJsonSelect) select = fb_json_select_new ();
  g_autoptr(JsonNode) got = NULL;
  JsonNode *expected = fb_mapping_parse_payload (parser, doc->json, len);
  g_autofree char *what = g_strdup_printf ("%s on %.*s", selection->source, (int) len, doc->json);

  g_assert_nonnull (template_);
  fb_json_select_add_template (select, template_);
  got = fb_json_select_parse (select, doc->json, len);
  if ((expected != NULL) != (doc->expect != INVALID) || (got != NULL) != (doc->expect == VALID))
    g_error ("%s: json-glib %s, selective parsing %s", what, expected ? "reads it" : "refuses",
             got ? "reads it" : "refuses");
  if (got == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (selection->paths) && selection->paths[i] != NULL; i++)
    assert_same_node (node_at (expected, selection->paths[i]), node_at (got, selection->paths[i]),
                      selection->deep, what);

  {
    g_autofree char *e = render (template_, expected);
    g_autofree char *g = render (template_, got);

    if (strcmp (e, g) != 0)
      g_error ("%s: renders “%s”, json-glib's “%s”", what, g, e);
  }
}

static void
test_differential (void)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      for (guint j = 0; j < G_N_ELEMENTS (selections); j++)
        check (&documents[i], &selections[j], parser);
    }
}

/* Nesting: the same bound as json-glib's check, 128. */
static void
test_depth (void)
{
  static const guint depths[] = { 1, 127, 128, 129, 10000 };
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(FbTemplate) template_ = fb_template_parse ("{{ .a[0][0] }}", NULL);
  g_autoptr(FbJsonSelect) select = fb_json_select_new ();

  fb_json_select_add_template (select, template_);
  for (guint i = 0; i < G_N_ELEMENTS (depths); i++)
    {
      g_autoptr(GString) json = g_string_new ("{\"a\":");
      g_autoptr(JsonNode) got = NULL;
      JsonNode *expected;

      for (guint d = 1; d < depths[i]; d++)
        g_string_append_c (json, '[');
      g_string_append (json, "\"deep\"");
      for (guint d = 1; d < depths[i]; d++)
        g_string_append_c (json, ']');
      g_string_append_c (json, '}');

      expected = fb_mapping_parse_payload (parser, json->str, json->len);
      got = fb_json_select_parse (select, json->str, json->len);
      g_assert_true ((expected != NULL) == (depths[i] <= 128));
      g_assert_true ((got != NULL) == (depths[i] <= 128));
      if (got != NULL)
        {
          g_autofree char *e = render (template_, expected);
          g_autofree char *g = render (template_, got);

          g_assert_cmpstr (g, ==, e);
        }
    }
}

static void
test_whole (void)
{
  static const struct
  {
    const char *source;
    gboolean    whole;
  } cases[] = {
    { "{{ . }}", FALSE },
    { "{{ .data }}", FALSE },
    { "{{ .a | join \",\" }}", FALSE },
    { "{{ . | pairs }}", TRUE },
    { "{{ .a | default . | pairs }}", TRUE },
    { "{{ .data | pairs }}", TRUE },
    { "{{ .event }} {{ .id }} {{ \"text\" }}", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FbTemplate) template_ = fb_template_parse (cases[i].source, NULL);
      g_autoptr(FbJsonSelect) select = fb_json_select_new ();

      fb_json_select_add_template (select, template_);
      g_assert_cmpint (fb_json_select_is_whole (select), ==, cases[i].whole);
    }
}

/* Nothing but the selected paths is built: the rest is not there. */
static void
test_builds_only_selected (void)
{
  const char *json = "{\"a\":{\"b\":1,\"c\":[1,2,3]},\"d\":\"x\",\"e\":[0,1,{\"f\":2},3]}";
  g_autoptr(FbTemplate) template_ = fb_template_parse ("{{ .a.b }}{{ .e[2].f }}", NULL);
  g_autoptr(FbJsonSelect) select = fb_json_select_new ();
  g_autoptr(JsonNode) got = NULL;
  g_autofree char *text = NULL;

  fb_json_select_add_template (select, template_);
  got = fb_json_select_parse (select, json, strlen (json));
  text = json_to_string (got, FALSE);
  g_assert_cmpstr (text, ==, "{\"a\":{\"b\":1},\"e\":[null,null,{\"f\":2}]}");
}

/* The selection of a mapping holds its rules' paths too. */
static void
test_mapping_rules (void)
{
  const char *templates[FB_MAPPING_N_FIELDS] = { "{{ .title }}", NULL, };
  const char *rules[] = { ".meta.domain == \"canary\"", NULL };
  const char *json = "{\"meta\":{\"domain\":\"canary\",\"x\":1},\"title\":\"t\",\"other\":2}";
  g_autoptr(FbMapping) mapping = fb_mapping_new_custom (templates, rules, FALSE, NULL);
  g_autoptr(JsonNode) got = NULL;
  g_autofree char *text = NULL;

  got = fb_json_select_parse (fb_mapping_get_selection (mapping), json, strlen (json));
  text = json_to_string (got, FALSE);
  g_assert_cmpstr (text, ==, "{\"meta\":{\"domain\":\"canary\"},\"title\":\"t\"}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-select/differential", test_differential);
  g_test_add_func ("/json-select/depth", test_depth);
  g_test_add_func ("/json-select/whole", test_whole);
  g_test_add_func ("/json-select/builds-only-selected", test_builds_only_selected);
  g_test_add_func ("/json-select/mapping-rules", test_mapping_rules);

  return g_test_run ();
}
