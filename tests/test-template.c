/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-template.h"

#include <string.h>

#define MIB (1024 * 1024)
#define REPLACEMENT "\uFFFD"
#define ELLIPSIS "\u2026"
#define EVENT_TYPE "message"
#define EVENT_ID "42"

/* The payload of most cases: every kind of value, and members named like
 * the caller's .event and .id, but none named data, so that .data is the
 * whole payload (payloads with one are in data_cases). */
static const char *payload_json =
  "{"
  "  \"title\": \"Hello\","
  "  \"event\": \"payload-event\","
  "  \"id\": \"payload-id\","
  "  \"@type\": \"Event\","
  "  \"$schema\": \"https://example.com/schema\","
  "  \"ld\": { \"@id\": \"urn:x:1\", \"a$b\": \"dollar\", \"@\": \"at\" },"
  "  \"fields\": { \"name\": \"Ann\", \"age\": 42, \"none\": null, \"ratio\": 1.5,"
  "                \"admin\": true, \"object\": { \"x\": 1 }, \"list\": [ 1 ],"
  "                \"blank\": \"\", \"off\": false },"
  "  \"no_scalars\": { \"a\": null, \"b\": {}, \"c\": [] },"
  "  \"empty_object\": {},"
  "  \"account\": { \"display_name\": \"Ann\", \"name\": null },"
  "  \"items\": [ { \"name\": \"first\" }, { \"name\": \"second\" } ],"
  "  \"tags\": [ \"a\", \"b\", \"c\" ],"
  "  \"mixed\": [ 1, true, null, \"x\", 2.5 ],"
  "  \"nested_list\": [ [ 1 ] ],"
  "  \"empty_list\": [],"
  "  \"blank_items\": [ \"\", \"b\", \"\" ],"
  "  \"empty\": \"\","
  "  \"none\": null,"
  "  \"count\": 42,"
  "  \"negative\": -7,"
  "  \"ratio\": 1.5,"
  "  \"yes\": true,"
  "  \"no\": false,"
  "  \"html\": \"<p>Hi &amp; welcome</p><p>Bye</p>\","
  "  \"accents\": \"\u00C9cole \u00E0 Stra\u00DFe\","
  "  \"emoji\": \"\U0001F600\U0001F601\U0001F602\","
  "  \"data_block\": { \"new_state\": { \"attributes\": { \"friendly_name\": \"Lamp\" } } }"
  "}";

static JsonNode *
parse_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static FbTemplate *
parse_ok (const char *source)
{
  g_autoptr(GError) error = NULL;
  FbTemplate *template = fb_template_parse (source, &error);

  g_assert_no_error (error);
  g_assert_nonnull (template);
  return template;
}

/* Renders @source against @payload with the usual event type and id. */
static char *
render_node (const char  *source,
             JsonNode    *payload,
             gsize        max_len,
             GError     **error)
{
  g_autoptr(FbTemplate) template = parse_ok (source);
  char *text = fb_template_render (template, payload, EVENT_TYPE, EVENT_ID, max_len, error);

  g_assert_true (text == NULL || g_utf8_validate (text, -1, NULL));
  g_assert_true (text == NULL || strlen (text) <= max_len);
  return text;
}

static char *
render (const char  *source,
        GError     **error)
{
  g_autoptr(JsonNode) payload = parse_json (payload_json);

  return render_node (source, payload, G_MAXSIZE, error);
}

/* ------------------------------------------------------------------------ */

typedef struct
{
  const char *name;
  const char *source;
  const char *expected;
} RenderCase;

static const RenderCase render_cases[] = {
  { "literal", "Just text", "Just text" },
  { "empty", "", "" },
  { "member", "{{.title}}", "Hello" },
  { "spaces", "{{ \t\n .title \n}}!", "Hello!" },
  { "no-spaces", "{{.title|truncate 4|upper}}{{.tags|join\"\"}}", "HEL\u2026abc" },
  { "two-actions", "{{ .title }}, {{ .account.display_name }}", "Hello, Ann" },
  { "closing-braces-are-text", "a }} b", "a }} b" },
  { "nested", "{{ .account.display_name }}", "Ann" },
  { "index", "{{ .items[1].name }}", "second" },
  { "index-zero", "{{ .tags[0] }}", "a" },
  { "deep-path", "{{ .data_block.new_state.attributes.friendly_name }}", "Lamp" },
  { "integer", "{{ .count }}", "42" },
  { "negative", "{{ .negative }}", "-7" },
  { "double", "{{ .ratio }}", "1.5" },
  { "true", "{{ .yes }}", "true" },
  { "false", "{{ .no }}", "false" },
  { "event", "{{ .event }}", EVENT_TYPE },
  { "id", "{{ .id }}", EVENT_ID },
  { "data-event", "{{ .data.event }}", "payload-event" },
  { "data-id", "{{ .data.id }}", "payload-id" },
  { "data-member", "{{ .data.title }}", "Hello" },
  { "data-no-data", "{{ .data.data | default \"none\" }}", "none" },
  /* @ and $ in names */
  { "at-member", "{{ .@type }}", "Event" },
  { "dollar-member", "{{ .$schema }}", "https://example.com/schema" },
  { "at-nested", "{{ .ld.@id }}", "urn:x:1" },
  { "dollar-inside", "{{ .ld.a$b }}", "dollar" },
  { "at-alone", "{{ .ld.@ }}", "at" },
  { "at-data", "{{ .data.@type }}", "Event" },
  { "at-no-spaces", "{{.@type|upper}}", "EVENT" },
  { "at-default-path", "{{ .nope | default .$schema }}", "https://example.com/schema" },
  { "data-index", "{{ .data.items[0].name }}", "first" },
  { "string", "{{ \"a \\\"quoted\\\" \\\\ b\" }}", "a \"quoted\" \\ b" },
  { "string-braces", "{{ \"{{\" }} .title }}", "{{ .title }}" },
  { "string-filtered", "{{ \"abc\" | upper }}", "ABC" },
  { "non-ascii-literal", "\u00E9t\u00E9 {{ .title }}", "\u00E9t\u00E9 Hello" },
  /* striphtml */
  { "striphtml", "{{ .html | striphtml }}", "Hi & welcome\nBye" },
  /* truncate */
  { "truncate-cut", "{{ .title | truncate 3 }}", "He" ELLIPSIS },
  { "truncate-exact", "{{ .title | truncate 5 }}", "Hello" },
  { "truncate-longer", "{{ .title | truncate 6 }}", "Hello" },
  { "truncate-much-longer", "{{ .title | truncate 100000 }}", "Hello" },
  { "truncate-zero", "{{ .title | truncate 0 }}", "" },
  { "truncate-one", "{{ .title | truncate 1 }}", ELLIPSIS },
  { "truncate-multibyte", "{{ .accents | truncate 3 }}", "\u00C9c" ELLIPSIS },
  { "truncate-emoji", "{{ .emoji | truncate 2 }}", "\U0001F600" ELLIPSIS },
  { "truncate-emoji-fits", "{{ .emoji | truncate 3 }}", "\U0001F600\U0001F601\U0001F602" },
  /* default */
  { "default-missing", "{{ .nope | default \"none\" }}", "none" },
  { "default-null", "{{ .none | default \"none\" }}", "none" },
  { "default-empty", "{{ .empty | default \"none\" }}", "none" },
  { "default-present", "{{ .title | default \"none\" }}", "Hello" },
  { "default-missing-id", "{{ .account.nope.deeper | default \"\" }}", "" },
  { "default-then-upper", "{{ .nope | default \"none\" | upper }}", "NONE" },
  { "default-after-filters", "{{ .nope | upper | truncate 3 | default \"x\" }}", "x" },
  /* default with a path */
  { "default-path-missing", "{{ .nope | default .title }}", "Hello" },
  { "default-path-null", "{{ .none | default .account.display_name }}", "Ann" },
  { "default-path-empty", "{{ .empty | default .title }}", "Hello" },
  /* Not followed when not needed: .nope would be an error, .account too. */
  { "default-path-present", "{{ .title | default .nope }}", "Hello" },
  { "default-path-present-object", "{{ .title | default .account }}", "Hello" },
  { "default-path-then-string", "{{ .nope | default .none | default \"x\" }}", "x" },
  { "default-path-then-path", "{{ .nope | default .empty | default .title }}", "Hello" },
  { "default-string-then-path", "{{ .nope | default \"\" | default .title }}", "Hello" },
  { "default-path-first-found", "{{ .nope | default .title | default .count }}", "Hello" },
  { "default-path-to-empty", "{{ .nope | default .empty }}", "" },
  { "default-path-number", "{{ .nope | default .count }}", "42" },
  { "default-path-boolean", "{{ .nope | default .no }}", "false" },
  { "default-path-index", "{{ .nope | default .items[1].name }}", "second" },
  { "default-path-then-filters", "{{ .nope | default .accents | upper | truncate 3 }}",
    "\u00C9C" ELLIPSIS },
  { "default-path-then-join", "{{ .nope | default .tags | join \",\" }}", "a,b,c" },
  { "default-path-event", "{{ .nope | default .event }}", EVENT_TYPE },
  { "default-path-id", "{{ .nope | default .id }}", EVENT_ID },
  { "default-path-data-event", "{{ .nope | default .data.event }}", "payload-event" },
  { "default-path-data-id", "{{ .nope | default .data.id }}", "payload-id" },
  { "default-path-no-spaces", "{{.nope|default .title|upper}}", "HELLO" },
  /* lower, upper */
  { "lower", "{{ .accents | lower }}", "\u00E9cole \u00E0 stra\u00DFe" },
  { "upper", "{{ .accents | upper }}", "\u00C9COLE \u00C0 STRASSE" },
  { "lower-greek", "{{ \"\u0391\u0392\u0393\" | lower }}", "\u03B1\u03B2\u03B3" },
  /* join */
  { "join", "{{ .tags | join \", \" }}", "a, b, c" },
  { "join-scalars", "{{ .mixed | join \"/\" }}", "1/true/x/2.5" },
  { "join-empty-default", "{{ .empty_list | join \", \" | default \"none\" }}", "none" },
  { "join-missing-default", "{{ .nope | join \", \" | default \"none\" }}", "none" },
  { "join-blank-items", "{{ .blank_items | join \",\" }}", ",b," },
  { "join-text", "{{ .title | join \", \" }}", "Hello" },
  { "join-then-upper", "{{ .tags | join \"+\" | upper }}", "A+B+C" },
  { "chain", "{{ .html | striphtml | truncate 6 | upper }}", "HI & " ELLIPSIS },
  /* pairs */
  { "pairs", "{{ .fields | pairs }}",
    "name: Ann\nage: 42\nratio: 1.5\nadmin: true\nblank: \noff: false" },
  { "pairs-names", "{{ .ld | pairs }}", "@id: urn:x:1\na$b: dollar\n@: at" },
  { "pairs-no-scalars", "{{ .no_scalars | pairs }}", "" },
  { "pairs-no-scalars-default", "{{ .no_scalars | pairs | default \"none\" }}", "none" },
  { "pairs-empty", "{{ .empty_object | pairs }}", "" },
  { "pairs-string", "{{ .title | pairs }}", "Hello" },
  { "pairs-number", "{{ .ratio | pairs }}", "1.5" },
  { "pairs-boolean", "{{ .no | pairs }}", "false" },
  { "pairs-missing-default", "{{ .nope | pairs | default \"none\" }}", "none" },
  { "pairs-null-default", "{{ .none | pairs | default \"none\" }}", "none" },
  { "pairs-then-upper", "{{ .ld | pairs | upper }}", "@ID: URN:X:1\nA$B: DOLLAR\n@: AT" },
  { "pairs-then-truncate", "{{ .fields | pairs | truncate 12 }}", "name: Ann\na" ELLIPSIS },
  { "pairs-default-path", "{{ .nope | default .ld | pairs }}", "@id: urn:x:1\na$b: dollar\n@: at" },
  { "pairs-twice", "{{ .ld | pairs | pairs }}", "@id: urn:x:1\na$b: dollar\n@: at" },
};

static void
test_render_case (gconstpointer data)
{
  const RenderCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = render (c->source, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, c->expected);
}

typedef struct
{
  const char *name;
  const char *html;
  const char *expected;
} HtmlCase;

static const HtmlCase html_cases[] = {
  { "plain", "no tags", "no tags" },
  { "tags", "<b>bold</b> and <a href=\"https://x\">link</a>", "bold and link" },
  { "br", "a<br>b<br/>c<BR />d", "a\nb\nc\nd" },
  { "br-not-bra", "a<bra>b", "ab" },
  { "p", "<p>one</p><p>two</p>", "one\ntwo" },
  { "entities", "&amp; &lt;b&gt; &quot;q&quot; &#39;s&#39; &apos;", "& <b> \"q\" 's' '" },
  { "numeric", "&#65;&#x42;&#X43;&#0000068;", "ABCD" },
  { "decoded-once", "&amp;lt;", "&lt;" },
  { "unknown-entity", "&copy; &#; &#x; &amp x", "&copy; &#; &#x; &amp x" },
  { "less-than-is-text", "a < b <3", "a < b <3" },
  { "comment", "a<!-- <b>hidden</b> -->b", "ab" },
  { "unclosed-comment", "a<!-- b", "a" },
  { "unclosed-tag", "a<b c", "a" },
  { "script", "<p>Hi</p><script>alert('<b>x</b>')</script>there", "Hi\nthere" },
  { "script-case", "<SCRIPT type=x>evil()</Script >ok", "ok" },
  { "script-unclosed", "ok<script>evil()", "ok" },
  { "style", "<style>p { color: red }</style>text", "text" },
  { "scripted-is-not-script", "<scripted>kept</scripted>", "kept" },
  { "blank-lines", "\n\n a \n\n\n\n b \n \n\t\n c\n\n", "a\n\nb\n\nc" },
  { "blank-lines-tags", "<div>\n  <p>a</p>\n\n\n</div>\n<p>b</p>", "a\n\nb" },
  { "entity-bomb", "&#99999999;&#x110000;&#xFFFFFFFFFFFF;", REPLACEMENT REPLACEMENT REPLACEMENT },
  /* 2^32 + 65 and 2^32 + 0x41: an overflow would make them "A". */
  { "entity-wraps", "&#4294967361;&#x100000041;", REPLACEMENT REPLACEMENT },
  { "entity-nul", "&#0;", REPLACEMENT },
  { "entity-surrogate", "&#xD800;", REPLACEMENT },
  { "entity-newline", "a&#10;&#10;&#10;&#10;b", "a\n\nb" },
  { "nbsp", "a&nbsp;b", "a\u00A0b" },
};

static void
test_striphtml_case (gconstpointer data)
{
  const HtmlCase *c = data;
  g_autoptr(JsonNode) payload = json_node_init_object (json_node_alloc (), json_object_new ());
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_object_set_string_member (json_node_get_object (payload), "html", c->html);
  text = render_node ("{{ .html | striphtml }}", payload, G_MAXSIZE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, c->expected);
}

/* ------------------------------------------------------------------------ */

/* .data is the payload's member data when it has one, the payload
 * otherwise. */
typedef struct
{
  const char *name;
  const char *payload;
  const char *source;
  const char *expected;  /* or NULL for the error */
  const char *message;
} DataCase;

#define HOME_ASSISTANT "{ \"id\": \"top-id\", \"event\": \"top-event\", \"title\": \"top\"," \
  " \"data\": { \"new_state\": { \"attributes\": { \"friendly_name\": \"Lamp\" } }," \
  " \"id\": \"inner-id\", \"title\": \"inner\", \"name\": null } }"
#define FIREBASE "{ \"path\": \"/\", \"data\": \"hello\" }"
#define DATA_NULL "{ \"id\": \"top-id\", \"title\": \"top\", \"data\": null }"
#define DATA_NUMBER "{ \"id\": \"top-id\", \"data\": 42 }"
#define DATA_ARRAY "{ \"id\": \"top-id\", \"data\": [ \"a\", \"b\" ] }"
#define NO_DATA "{ \"id\": \"payload-id\", \"event\": \"payload-event\", \"x\": 1 }"

static const DataCase data_cases[] = {
  { "member", HOME_ASSISTANT, "{{ .data.new_state.attributes.friendly_name }}", "Lamp", NULL },
  { "member-id", HOME_ASSISTANT, "{{ .data.id }}", "inner-id", NULL },
  { "member-and-top", HOME_ASSISTANT, "{{ .data.title }}/{{ .title }}/{{ .id }}",
    "inner/top/" EVENT_ID, NULL },
  { "member-data-data", HOME_ASSISTANT, "{{ .data.data | default \"none\" }}", "none", NULL },
  { "member-pairs", HOME_ASSISTANT, "{{ .data | pairs }}", "id: inner-id\ntitle: inner", NULL },
  { "member-default-path", HOME_ASSISTANT, "{{ .nope | default .data.title }}", "inner", NULL },
  { "member-null-default-path", HOME_ASSISTANT, "{{ .data.name | default .title }}", "top",
    NULL },
  { "member-object", HOME_ASSISTANT, "{{ .data }}", NULL,
    "Column 4: .data is an object, not text" },
  { "member-missing", HOME_ASSISTANT, "{{ .data.event }}", NULL,
    "Column 4: .data.event is missing" },
  { "member-default-path-missing", HOME_ASSISTANT, "{{ .nope | default .data.x }}", NULL,
    "Column 20: .data.x is missing" },
  { "string", FIREBASE, "{{ .data }} at {{ .path }}", "hello at /", NULL },
  { "string-pairs", FIREBASE, "{{ .data | pairs }}", "hello", NULL },
  { "string-default-path", FIREBASE, "{{ .nope | default .data | upper }}", "HELLO", NULL },
  { "string-member", FIREBASE, "{{ .data.path | default \"none\" }}", "none", NULL },
  { "null", DATA_NULL, "{{ .data }}", NULL, "Column 4: .data is null" },
  { "null-default", DATA_NULL, "{{ .data | default \"none\" }}", "none", NULL },
  { "null-member", DATA_NULL, "{{ .data.id | default \"none\" }}", "none", NULL },
  { "null-pairs", DATA_NULL, "{{ .data | pairs | default .title }}", "top", NULL },
  { "null-default-path", DATA_NULL, "{{ .nope | default .data }}", NULL,
    "Column 20: .data is null" },
  { "number", DATA_NUMBER, "{{ .data }}", "42", NULL },
  { "number-pairs", DATA_NUMBER, "{{ .data | pairs }}", "42", NULL },
  { "number-member", DATA_NUMBER, "{{ .data.id | default \"none\" }}", "none", NULL },
  { "number-index", DATA_NUMBER, "{{ .data[0] }}", NULL, "Column 4: .data[0] is missing" },
  { "array-index", DATA_ARRAY, "{{ .data[1] }}", "b", NULL },
  { "array-join", DATA_ARRAY, "{{ .data | join \",\" }}", "a,b", NULL },
  { "array-member", DATA_ARRAY, "{{ .data.id }}", NULL,
    "Column 4: .data is an array, not an object: pick an item with an index, as in .data[0]" },
  { "array-pairs", DATA_ARRAY, "{{ .data | pairs }}", NULL,
    "Column 4: pairs needs an object, and .data is an array" },
  { "array-default-path-pairs", DATA_ARRAY, "{{ .nope | default .data | pairs }}", NULL,
    "Column 20: pairs needs an object, and .data is an array" },
  { "none-id", NO_DATA, "{{ .data.id }}/{{ .data.event }}/{{ .id }}/{{ .event }}",
    "payload-id/payload-event/" EVENT_ID "/" EVENT_TYPE, NULL },
  { "none-pairs", NO_DATA, "{{ .data | pairs }}",
    "id: payload-id\nevent: payload-event\nx: 1", NULL },
  { "none-default-path", NO_DATA, "{{ .nope | default .data.id }}", "payload-id", NULL },
  { "none-index", NO_DATA, "{{ .data[0] }}", NULL,
    "Column 4: .data is an object, not an array: pick a member by its name" },
  /* Only an object has members: in an array payload, .data is the payload. */
  { "array-payload", "[ { \"data\": 1 } ]", "{{ .data[0].data }}", "1", NULL },
  { "string-payload", "\"data\"", "{{ .data }}", "data", NULL },
};

static void
test_data_case (gconstpointer data)
{
  const DataCase *c = data;
  g_autoptr(JsonNode) payload = parse_json (c->payload);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = render_node (c->source, payload, G_MAXSIZE, &error);

  if (c->expected != NULL)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, c->expected);
    }
  else
    {
      g_assert_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_RENDER);
      g_assert_cmpstr (error->message, ==, c->message);
      g_assert_null (text);
    }
}

/* ------------------------------------------------------------------------ */

typedef struct
{
  const char *name;
  const char *source;
  const char *message;
} ErrorCase;

static const ErrorCase render_errors[] = {
  { "missing", "{{ .account.name2 }}", "Column 4: .account.name2 is missing" },
  { "missing-parent", "{{ .nope.name }}", "Column 4: .nope.name is missing" },
  { "member-of-text", "{{ .title.length }}", "Column 4: .title.length is missing" },
  { "index-out-of-range", "{{ .tags[3] }}", "Column 4: .tags[3] is missing" },
  { "null", "{{ .account.name }}", "Column 4: .account.name is null" },
  { "null-after-filters", "{{ .none | upper | truncate 3 }}", "Column 4: .none is null" },
  { "object", "{{ .account }}", "Column 4: .account is an object, not text" },
  { "whole-payload", "{{ . }}", "Column 4: . is an object, not text" },
  { "whole-data", "{{ .data }}", "Column 4: .data is an object, not text" },
  { "object-filtered", "{{ .account | upper }}", "Column 4: .account is an object, not text" },
  { "array", "{{ .tags }}",
    "Column 4: .tags is an array, not text: join its items, as in {{ .tags | join \", \" }}" },
  { "member-of-array", "{{ .items.name }}",
    "Column 4: .items is an array, not an object: pick an item with an index, as in .items[0]" },
  { "index-of-object", "{{ .account[0] }}",
    "Column 4: .account is an object, not an array: pick a member by its name" },
  { "join-object", "{{ .account | join \", \" }}",
    "Column 4: join needs an array, and .account is an object" },
  { "pairs-array", "{{ .tags | pairs }}", "Column 4: pairs needs an object, and .tags is an array" },
  { "pairs-null", "{{ .none | pairs }}", "Column 4: .none is null" },
  { "pairs-missing", "{{ .nope | pairs }}", "Column 4: .nope is missing" },
  { "default-path-pairs-array", "{{ .nope | default .tags | pairs }}",
    "Column 20: pairs needs an object, and .tags is an array" },
  { "at-missing", "{{ .ld.@type }}", "Column 4: .ld.@type is missing" },
  { "join-nested", "{{ .nested_list | join \", \" }}",
    "Column 4: item 0 of .nested_list is an object or array, which join cannot turn into text" },
  { "column-after-text", "\u00E9t\u00E9 {{ .title }} {{.nope}}", "Column 20: .nope is missing" },
  /* A value from default's path: the error is at that path, and names it. */
  { "default-path-missing", "{{ .nope | default .also_nope }}",
    "Column 20: .also_nope is missing" },
  { "default-path-null", "{{ .nope | default .none }}", "Column 20: .none is null" },
  { "default-path-object", "{{ .nope | default .account }}",
    "Column 20: .account is an object, not text" },
  { "default-path-object-filtered", "{{ .nope | default .account | upper }}",
    "Column 20: .account is an object, not text" },
  { "default-whole-payload", "{{ .nope | default . }}", "Column 20: . is an object, not text" },
  { "default-path-array", "{{ .nope | default .tags }}",
    "Column 20: .tags is an array, not text: join its items, as in {{ .tags | join \", \" }}" },
  { "default-path-member-of-array", "{{ .nope | default .items.name }}",
    "Column 20: .items is an array, not an object: pick an item with an index, as in .items[0]" },
  { "default-path-join-object", "{{ .nope | default .account | join \",\" }}",
    "Column 20: join needs an array, and .account is an object" },
  { "default-path-after-chain", "{{ .nope | default .none | default .also_nope }}",
    "Column 36: .also_nope is missing" },
  /* An object is not replaced: the error stays at the head. */
  { "default-path-head-object", "{{ .account | default .title }}",
    "Column 4: .account is an object, not text" },
};

static void
test_render_error_case (gconstpointer data)
{
  const ErrorCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = render (c->source, &error);

  g_assert_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_RENDER);
  g_assert_cmpstr (error->message, ==, c->message);
  g_assert_null (text);
}

#define FILTERS "unknown filter “shout”; the filters are striphtml, truncate, default, lower, " \
  "upper, join and pairs"

static const ErrorCase syntax_errors[] = {
  { "unterminated", "Hi {{ .title", "Column 13: expected “}}” to close the “{{” at column 4" },
  { "unterminated-empty", "Hi {{", "Column 6: expected “}}” to close the “{{” at column 4" },
  { "single-brace", "{{ .title }", "Column 11: expected “|” or “}}”" },
  { "unknown-filter", "{{ .a | shout }}", "Column 9: " FILTERS },
  { "bad-index", "{{ .a[x] }}",
    "Column 7: expected an index, a whole number from 0 to 4294967295" },
  { "negative-index", "{{ .a[-1] }}",
    "Column 7: expected an index, a whole number from 0 to 4294967295" },
  { "huge-index", "{{ .a[99999999999] }}",
    "Column 7: expected an index, a whole number from 0 to 4294967295" },
  { "unclosed-index", "{{ .a[1 }}", "Column 8: expected “]”" },
  { "unterminated-string", "{{ \"abc }}", "Column 4: this string has no closing “\"”" },
  { "unterminated-argument", "{{ .a | default \"x }}",
    "Column 17: this string has no closing “\"”" },
  { "bad-escape", "{{ \"a\\n\" }}", "Column 6: a string may only escape “\\\"” and “\\\\”" },
  { "empty-action", "{{ }}", "Column 4: expected a path such as “.title” or a string in quotes" },
  { "empty-action-tight", "{{}}",
    "Column 3: expected a path such as “.title” or a string in quotes" },
  { "no-dot", "{{ title }}", "Column 4: expected a path such as “.title” or a string in quotes" },
  { "two-paths", "{{ .a .b }}", "Column 7: expected “|” or “}}”" },
  { "trailing-dot", "{{ .a. }}", "Column 7: expected a member name after “.”" },
  { "double-dot", "{{ ..a }}", "Column 5: expected a member name after “.”" },
  { "space-in-path", "{{ .a. b }}", "Column 7: expected a member name after “.”" },
  { "empty-filter", "{{ .a | }}", "Column 9: expected a filter’s name after “|”" },
  { "truncate-no-number", "{{ .a | truncate }}",
    "Column 18: expected a number of characters, a whole number from 0 to 4294967295" },
  { "truncate-not-number", "{{ .a | truncate \"3\" }}",
    "Column 18: expected a number of characters, a whole number from 0 to 4294967295" },
  { "join-no-string", "{{ .a | join }}", "Column 14: join needs a string in quotes" },
  { "default-number", "{{ .a | default 3 }}",
    "Column 17: default needs a string in quotes or a path" },
  { "default-nothing", "{{ .a | default }}",
    "Column 17: default needs a string in quotes or a path" },
  { "default-name", "{{ .a | default b }}",
    "Column 17: default needs a string in quotes or a path" },
  /* "." alone is a path, the whole payload, as a head; nothing closes it. */
  { "default-dot", "{{ .a | default .", "Column 18: expected “}}” to close the “{{” at column 1" },
  { "default-double-dot", "{{ .a | default .. }}", "Column 18: expected a member name after “.”" },
  { "default-trailing-dot", "{{ .a | default .b. }}",
    "Column 20: expected a member name after “.”" },
  { "default-unclosed-index", "{{ .a | default .a[ }}",
    "Column 20: expected an index, a whole number from 0 to 4294967295" },
  { "default-index-unclosed", "{{ .a | default .a[1 }}", "Column 21: expected “]”" },
  { "default-two-paths", "{{ .a | default .b .c }}", "Column 20: expected “|” or “}}”" },
  { "default-event-member", "{{ .a | default .event.x }}",
    "Column 23: .event is the event type and has no members; "
    "the payload’s own “event” is .data.event" },
  { "default-id-index", "{{ .a | default .id[0] }}",
    "Column 20: .id is the event’s id and has no members; the payload’s own “id” is .data.id" },
  { "filter-argument-extra", "{{ .a | upper 3 }}", "Column 15: expected “|” or “}}”" },
  { "event-member", "{{ .event.x }}",
    "Column 10: .event is the event type and has no members; "
    "the payload’s own “event” is .data.event" },
  { "id-index", "{{ .id[0] }}",
    "Column 7: .id is the event’s id and has no members; the payload’s own “id” is .data.id" },
  { "trim-marker", "{{- .a }}",
    "Column 3: expected a path such as “.title” or a string in quotes" },
  { "column-counts-characters", "\u00E9\u00E9\u00E9 {{ .a | nope }}",
    "Column 13: unknown filter “nope”; the filters are striphtml, truncate, default, lower, "
    "upper, join and pairs" },
  /* "@" and "$" are for members' names, not filters' or heads'. */
  { "at-filter", "{{ .a | @x }}", "Column 9: expected a filter’s name after “|”" },
  { "dollar-in-filter", "{{ .a | upper$ }}", "Column 14: expected “|” or “}}”" },
  { "at-head", "{{ @type }}", "Column 4: expected a path such as “.title” or a string in quotes" },
  { "pairs-argument", "{{ .a | pairs \", \" }}", "Column 15: expected “|” or “}}”" },
  { "invalid-utf8", "ab\xff{{ .a }}", "Column 3: the template is not valid UTF-8" },
  { "too-many-filters", "{{ .a | lower | lower | lower | lower | lower | lower | lower | lower "
    "| lower }}", "Column 73: an action may have at most 8 filters" },
};

static void
test_syntax_error_case (gconstpointer data)
{
  const ErrorCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(FbTemplate) template = fb_template_parse (c->source, &error);

  g_assert_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, c->message);
  g_assert_null (template);
}

static void
assert_syntax_error (const char *source,
                     const char *message)
{
  ErrorCase c = { NULL, source, message };

  test_syntax_error_case (&c);
}

/* ------------------------------------------------------------------------ */

static void
test_limits_actions (void)
{
  g_autoptr(GString) source = g_string_new (NULL);
  g_autoptr(FbTemplate) template = NULL;

  for (guint i = 0; i < FB_TEMPLATE_MAX_ACTIONS; i++)
    g_string_append (source, "{{.a}}");
  template = parse_ok (source->str);

  /* The 65th "{{" is at byte 64 * 6. */
  g_string_append (source, "{{.a}}");
  assert_syntax_error (source->str, "Column 385: a template may have at most 64 actions");
}

static void
test_limits_steps (void)
{
  g_autoptr(GString) source = g_string_new ("{{ ");
  g_autoptr(FbTemplate) template = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < FB_TEMPLATE_MAX_STEPS; i++)
    g_string_append (source, ".a");
  g_string_append (source, " | default \"deep\" }}");
  template = parse_ok (source->str);
  text = fb_template_render (template, NULL, NULL, NULL, G_MAXSIZE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "deep");

  /* The 33rd step starts at byte 3 + 32 * 2. */
  g_string_insert (source, 3 + 2 * FB_TEMPLATE_MAX_STEPS, "[0]");
  assert_syntax_error (source->str, "Column 68: a path may have at most 32 steps");
}

/* default's path is bounded as a head is. */
static void
test_limits_default_steps (void)
{
  g_autoptr(GString) source = g_string_new ("{{ .nope | default ");
  g_autoptr(FbTemplate) template = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < FB_TEMPLATE_MAX_STEPS; i++)
    g_string_append (source, ".a");
  g_string_append (source, " | default \"deep\" }}");
  template = parse_ok (source->str);
  text = fb_template_render (template, NULL, NULL, NULL, G_MAXSIZE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "deep");

  /* The 33rd step starts at byte 19 + 32 * 2. */
  g_string_insert (source, 19 + 2 * FB_TEMPLATE_MAX_STEPS, "[0]");
  assert_syntax_error (source->str, "Column 84: a path may have at most 32 steps");
}

static void
test_limits_length (void)
{
  g_autofree char *longest = g_strnfill (FB_TEMPLATE_MAX_SOURCE, 'a');
  g_autofree char *too_long = g_strnfill (FB_TEMPLATE_MAX_SOURCE + 1, 'a');
  g_autoptr(GString) two_byte = g_string_new (NULL);
  g_autoptr(FbTemplate) template = parse_ok (longest);

  assert_syntax_error (too_long, "Column 4097: a template may be at most 4096 bytes long");

  /* 2,048 two-byte characters fit exactly; the 2,049th does not. */
  for (guint i = 0; i <= FB_TEMPLATE_MAX_SOURCE / 2; i++)
    g_string_append (two_byte, "\u00E9");
  assert_syntax_error (two_byte->str, "Column 2049: a template may be at most 4096 bytes long");

  /* Shifted by one byte, the limit cuts the 2,049th character (the last
   * "é") in two: still too long, not invalid UTF-8. */
  g_string_erase (two_byte, 0, 2);
  g_string_prepend_c (two_byte, 'a');
  g_string_append_c (two_byte, 'a');
  assert_syntax_error (two_byte->str, "Column 2049: a template may be at most 4096 bytes long");
}

static void
test_event_and_id_absent (void)
{
  g_autoptr(FbTemplate) template = parse_ok ("{{ .id | default \"no id\" }}/{{ .event }}");
  g_autoptr(FbTemplate) id_only = parse_ok ("{{ .id }}");
  g_autoptr(FbTemplate) fallbacks = parse_ok ("{{ .nope | default .id | default .event }}");
  g_autoptr(FbTemplate) id_fallback = parse_ok ("{{ .nope | default .id }}");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *fallen_back = NULL;
  g_autofree char *id_failed = NULL;

  text = fb_template_render (template, NULL, "update", NULL, G_MAXSIZE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "no id/update");

  failed = fb_template_render (id_only, NULL, "update", NULL, G_MAXSIZE, &error);
  g_assert_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_RENDER);
  g_assert_cmpstr (error->message, ==, "Column 4: .id is missing: this event has no id");
  g_assert_null (failed);
  g_clear_error (&error);

  /* As default's argument, .id is missing the same way, for the next
   * default to catch or for the error, at its own column. */
  fallen_back = fb_template_render (fallbacks, NULL, "update", NULL, G_MAXSIZE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fallen_back, ==, "update");

  id_failed = fb_template_render (id_fallback, NULL, "update", NULL, G_MAXSIZE, &error);
  g_assert_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_RENDER);
  g_assert_cmpstr (error->message, ==, "Column 20: .id is missing: this event has no id");
  g_assert_null (id_failed);
}

/* Without a JSON payload, paths are missing and the rest still works. */
static void
test_no_payload (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = render_node ("{{ .event }}: {{ .title | default \"untitled\" }}",
                                       NULL, G_MAXSIZE, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "message: untitled");
}

static void
test_scalar_payload (void)
{
  g_autoptr(JsonNode) payload = parse_json ("[\"zero\", 1.25e3]");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = render_node ("{{ .[0] }} {{ .data[1] }}", payload, G_MAXSIZE, &error);
  g_autoptr(JsonNode) string_payload = parse_json ("\"plain\"");
  g_autofree char *whole = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "zero 1250.0");

  /* A payload that is not an object is the default of its members. */
  whole = render_node ("{{ .title | default . | upper }}", string_payload, G_MAXSIZE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (whole, ==, "PLAIN");
}

/* Every cut of the output is the full output cut at a character boundary:
 * reading only what max_len can show changes nothing that is seen. */
static void
test_max_len_prefix (void)
{
  static const char *sources[] = {
    "{{ .accents }} {{ .emoji }}",
    "{{ .accents | upper }}|{{ .emoji | truncate 2 }}",
    "{{ .tags | join \"\u00E9\" | upper | truncate 4 }}{{ .title | lower }}",
    "{{ \"\u03A3\u03A3\u03A3 \u03A3\u03A3\" | lower }}",
    "{{ .html | striphtml | upper }}",
    "{{ .nope | default .accents | upper }}{{ .none | default .emoji | truncate 2 }}",
    "{{ .fields | pairs | upper }}|{{ .ld | pairs }}",
    /* Upper case is shorter here (3 bytes to 2): reading as many bytes as
     * the output can hold would not be enough. */
    "{{ \"\u2C65\u2C65\u2C65\u2C65\u2C65\u2C65\u2C65\u2C65\u2C65\" | upper }}",
  };
  g_autoptr(JsonNode) payload = parse_json (payload_json);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autofree char *full = render_node (sources[i], payload, G_MAXSIZE, NULL);
      gsize len = strlen (full);

      for (gsize max_len = 0; max_len <= len + 1; max_len++)
        {
          g_autofree char *cut = render_node (sources[i], payload, max_len, NULL);
          gsize boundary = MIN (len, max_len);

          /* The last character boundary at or before max_len. */
          while (boundary > 0 && ((guchar) full[boundary] & 0xC0) == 0x80)
            boundary--;
          g_assert_cmpuint (strlen (cut), ==, boundary);
          g_assert_true (strncmp (full, cut, boundary) == 0);
        }
    }
}

static void
test_max_len_multibyte (void)
{
  static const struct
  {
    gsize       max_len;
    const char *expected;
  } cuts[] = {
    { 0, "" }, { 1, "h" }, { 2, "h" }, { 3, "h\u00E9" }, { 5, "h\u00E9" },
    { 7, "h\u00E9\U0001F600" },
  };
  g_autoptr(JsonNode) payload = parse_json ("{\"s\": \"h\u00E9\U0001F600!\"}");

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autofree char *text = render_node ("{{ .s }}", payload, cuts[i].max_len, NULL);

      g_assert_cmpstr (text, ==, cuts[i].expected);
    }
}

/* Once the output is full, later actions are not evaluated. */
static void
test_max_len_stops (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = parse_json (payload_json);
  g_autofree char *text = render_node ("{{ .title }}{{ .nope }}", payload, 5, &error);
  g_autofree char *by_text = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "Hello");

  /* Filled by literal text this time. */
  by_text = render_node ("{{ .title }} and {{ .nope }}", payload, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_text, ==, "Hello a");
}

/* ------------------------------------------------------------------------ */

static JsonNode *
object_with_string (const char *name,
                    const char *value)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, name, value);
  return json_node_init_object (json_node_alloc (), object);
}

static void
test_hostile_huge_string (void)
{
  static const char *sources[] = {
    "{{ .big }}",
    "{{ .big | upper | truncate 100000 }}",
    "{{ .big | join \", \" | lower }}",
    "{{ .big | striphtml }}",
    "{{ .big | pairs }}",
    "{{ . | pairs }}",
    "{{ .nope | default . | pairs | upper }}",
  };
  g_autofree char *big = g_strnfill (10 * MIB, 'x');
  g_autoptr(JsonNode) payload = NULL;

  /* Tags every 1,000 bytes so that striphtml has work to do. */
  for (gsize i = 0; i + 3 < 10 * MIB; i += 1000)
    memcpy (big + i, "<b>", 3);
  payload = object_with_string ("big", big);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = render_node (sources[i], payload, 1000, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (strlen (text), ==, 1000);
    }
}

/* {"a": {"a": … {"leaf": "bottom"} …}}, 10,000 levels, built bottom up. */
static JsonNode *
deep_payload (guint levels)
{
  JsonNode *node = object_with_string ("leaf", "bottom");

  for (guint i = 0; i < levels; i++)
    {
      JsonObject *object = json_object_new ();

      json_object_set_member (object, "a", node);
      node = json_node_init_object (json_node_alloc (), object);
    }
  return node;
}

static void
test_hostile_deep (void)
{
  g_autoptr(JsonNode) payload = deep_payload (10000);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = render_node ("{{ .missing | default \"shallow\" }} {{ .a.a.a.leaf "
                                       "| default \"no leaf\" }}", payload, G_MAXSIZE, &error);
  g_autofree char *object = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "shallow no leaf");

  object = render_node ("{{ .a.a }}", payload, G_MAXSIZE, &error);
  g_assert_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_RENDER);
  g_assert_cmpstr (error->message, ==, "Column 4: .a.a is an object, not text");
  g_assert_null (object);
}

/* Keys and values far longer than the output: each is read only as far as
 * it can be seen. */
static void
test_hostile_pairs_huge (void)
{
  g_autofree char *big = g_strnfill (10 * MIB, 'x');
  g_autoptr(JsonNode) payload = json_node_init_object (json_node_alloc (), json_object_new ());
  JsonObject *object = json_node_get_object (payload);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_object_set_string_member (object, big, "key");
  big[0] = 'y';
  json_object_set_string_member (object, "value", big);
  text = render_node ("{{ . | pairs }}", payload, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (text), ==, 1000);
  g_assert_true (text[0] == 'x' && text[999] == 'x');
}

/* A 10,000-member object makes 8 lines, from its first scalar members. */
static void
test_hostile_pairs_many (void)
{
  g_autoptr(JsonNode) payload = json_node_init_object (json_node_alloc (), json_object_new ());
  JsonObject *object = json_node_get_object (payload);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *last = NULL;
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *name = g_strdup_printf ("k%u", i);

      /* Nulls and objects first: they make no line. */
      if (i < 9000 && i % 2 == 0)
        json_object_set_null_member (object, name);
      else if (i < 9000)
        json_object_set_object_member (object, name, json_object_new ());
      else
        json_object_set_int_member (object, name, i);
    }

  text = render_node ("{{ .data | pairs }}", payload, G_MAXSIZE, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 8);
  g_assert_cmpstr (lines[0], ==, "k9000: 9000");
  g_assert_cmpstr (lines[7], ==, "k9007: 9007");

  /* Cut by max_len, the lines are the start of the same ones. */
  last = render_node ("{{ .data | pairs }}", payload, 20, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (last, ==, "k9000: 9000\nk9001: 9");
}

/* A line break in a key or value cannot make a line of its own. */
static void
test_hostile_pairs_newlines (void)
{
  g_autoptr(JsonNode) payload = parse_json ("{ \"a\": \"one\\ntwo\\r\\nthree\","
                                            "  \"b\\nc: forged\": \"x\\u2028y\\u2029z\\u0085w\","
                                            "  \"d\": \"\\n\\n\\n\\n\\n\\n\\n\\n\\n\","
                                            "  \"e\": \"\\u000b\\f\\ttab\" }");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = render_node ("{{ . | pairs }}", payload, G_MAXSIZE, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==,
                   "a: one two  three\n"
                   "b c: forged: x y z w\n"
                   "d:          \n"
                   "e:   \ttab");
}

static void
test_hostile_invalid_utf8 (void)
{
  g_autoptr(JsonNode) payload = object_with_string ("s", "a\xff" "b\xe2\x82");
  JsonArray *array = json_array_new ();
  g_autoptr(FbTemplate) template = parse_ok ("{{ .s }}|{{ .list | join \",\" }}|{{ .event }}|"
                                             "{{ .id }}|{{ .s | truncate 2 }}|{{ .s | upper }}");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_array_add_string_element (array, "\xc0\xaf");
  json_object_set_array_member (json_node_get_object (payload), "list", array);
  text = fb_template_render (template, payload, "ev\xfe", "\xed\xa0\x80", G_MAXSIZE, &error);
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpstr (text, ==,
                   "a" REPLACEMENT "b" REPLACEMENT REPLACEMENT "|"
                   REPLACEMENT REPLACEMENT "|"
                   "ev" REPLACEMENT "|"
                   REPLACEMENT REPLACEMENT REPLACEMENT "|"
                   "a" ELLIPSIS "|"
                   "A" REPLACEMENT "B" REPLACEMENT REPLACEMENT);
}

static void
test_hostile_entity_run (void)
{
  g_autoptr(GString) html = g_string_new ("&#");
  g_autoptr(JsonNode) payload = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  /* A million digits: one replacement character, one pass. */
  for (guint i = 0; i < 1000000; i++)
    g_string_append_c (html, '9');
  g_string_append (html, ";&lt;script&gt;");
  payload = object_with_string ("html", html->str);
  text = render_node ("{{ .html | striphtml }}", payload, G_MAXSIZE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, REPLACEMENT "<script>");
}

/* ------------------------------------------------------------------------ */

static void
test_ref (void)
{
  const char *source = "{{ .title }}";
  FbTemplate *template = parse_ok (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (fb_template_ref (template) == template);
  fb_template_unref (template);
  g_assert_cmpstr (fb_template_get_source (template), ==, source);
  g_assert_true (fb_template_get_source (template) != source);

  text = fb_template_render (template, NULL, NULL, NULL, G_MAXSIZE, &error);
  g_assert_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_RENDER);
  g_assert_null (text);
  fb_template_unref (template);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (render_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/template/render/", render_cases[i].name, NULL);

      g_test_add_data_func (path, &render_cases[i], test_render_case);
    }
  for (guint i = 0; i < G_N_ELEMENTS (html_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/template/striphtml/", html_cases[i].name, NULL);

      g_test_add_data_func (path, &html_cases[i], test_striphtml_case);
    }
  for (guint i = 0; i < G_N_ELEMENTS (data_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/template/data/", data_cases[i].name, NULL);

      g_test_add_data_func (path, &data_cases[i], test_data_case);
    }
  for (guint i = 0; i < G_N_ELEMENTS (render_errors); i++)
    {
      g_autofree char *path = g_strconcat ("/template/render-error/", render_errors[i].name, NULL);

      g_test_add_data_func (path, &render_errors[i], test_render_error_case);
    }
  for (guint i = 0; i < G_N_ELEMENTS (syntax_errors); i++)
    {
      g_autofree char *path = g_strconcat ("/template/syntax-error/", syntax_errors[i].name, NULL);

      g_test_add_data_func (path, &syntax_errors[i], test_syntax_error_case);
    }

  g_test_add_func ("/template/limits/actions", test_limits_actions);
  g_test_add_func ("/template/limits/steps", test_limits_steps);
  g_test_add_func ("/template/limits/default-steps", test_limits_default_steps);
  g_test_add_func ("/template/limits/length", test_limits_length);
  g_test_add_func ("/template/event/absent", test_event_and_id_absent);
  g_test_add_func ("/template/payload/none", test_no_payload);
  g_test_add_func ("/template/payload/array", test_scalar_payload);
  g_test_add_func ("/template/max-len/prefix", test_max_len_prefix);
  g_test_add_func ("/template/max-len/multibyte", test_max_len_multibyte);
  g_test_add_func ("/template/max-len/stops", test_max_len_stops);
  g_test_add_func ("/template/hostile/huge-string", test_hostile_huge_string);
  g_test_add_func ("/template/hostile/deep", test_hostile_deep);
  g_test_add_func ("/template/hostile/pairs-huge", test_hostile_pairs_huge);
  g_test_add_func ("/template/hostile/pairs-many", test_hostile_pairs_many);
  g_test_add_func ("/template/hostile/pairs-newlines", test_hostile_pairs_newlines);
  g_test_add_func ("/template/hostile/invalid-utf8", test_hostile_invalid_utf8);
  g_test_add_func ("/template/hostile/entity-run", test_hostile_entity_run);
  g_test_add_func ("/template/ref", test_ref);

  return g_test_run ();
}
