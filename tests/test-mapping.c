/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "fb-enums.h"
#include "fb-feed.h"
#include "fb-format.h"
#include "fb-mapping.h"
#include "fb-reader.h"
#include "fb-template.h"

#include <string.h>

/*
 * FbMapping (the rule language, variants, failures, fallbacks, fields),
 * fb-format (recognising a service from an address or an event, feed
 * names, nicks) and FbReader (skip-first, Automatic locking in).
 */

static const char *no_templates[FB_MAPPING_N_FIELDS] = { NULL, };

/* @prefix, @n times @c, @suffix */
static char *
repeat (const char *prefix,
        gsize       n,
        char        c,
        const char *suffix)
{
  g_autofree char *fill = g_strnfill (n, c);

  return g_strconcat (prefix, fill, suffix, NULL);
}

/* --- rules: what matches ------------------------------------------------- */

typedef struct
{
  const char *rule;
  const char *event_type;  /* NULL: none, read as "message" */
  const char *data;
  gboolean    matches;
} RuleCase;

static const RuleCase rule_cases[] = {
  /* event */
  { "event == \"ping\"", "ping", "{}", TRUE },
  { "event == \"ping\"", "pong", "{}", FALSE },
  { "event == \"ping\"", "ping2", "{}", FALSE },
  { "event == \"message\"", NULL, "{}", TRUE },
  { "event == \"message\"", "", "{}", TRUE },
  { "event != \"ping\"", "pong", "{}", TRUE },
  { "event != \"ping\"", "ping", "{}", FALSE },
  { "event==\"ping\"", "ping", "{}", TRUE },
  { "  event == \"ping\"  ", "ping", "{}", TRUE },
  /* in */
  { "event in [\"delete\", \"filters_changed\"]", "filters_changed", "x", TRUE },
  { "event in [\"delete\", \"filters_changed\"]", "update", "x", FALSE },
  { "event in []", "update", "x", FALSE },
  { "event in [\"a\"]", "a", "x", TRUE },
  { ".n in [1, 2, 3]", "m", "{\"n\":2}", TRUE },
  { ".n in [1, 2, 3]", "m", "{\"n\":4}", FALSE },
  { ".tag in [\"a\", null]", "m", "{}", TRUE },
  { ".tag in [\"a\", null]", "m", "{\"tag\":\"b\"}", FALSE },
  /* data: the whole data, trimmed, as text */
  { "data == \"ping\"", NULL, "ping", TRUE },
  { "data == \"ping\"", NULL, "  ping\n", TRUE },
  { "data == \"ping\"", NULL, "PING", FALSE },
  { "data == \"ping\"", NULL, "\"ping\"", FALSE },
  { "data == \"null\"", "keep-alive", "null", TRUE },
  { "data == null", "keep-alive", "null", TRUE },
  { "data == null", "keep-alive", "", FALSE },
  { "data == \"\"", NULL, "   ", TRUE },
  { "data == \"{}\"", NULL, "{}", TRUE },
  /* paths and null: missing and null are null, an object or array is not */
  { ".a == \"x\"", NULL, "{\"a\":\"x\"}", TRUE },
  { ".a == \"x\"", NULL, "{\"a\":\"y\"}", FALSE },
  { ".a == \"x\"", NULL, "{}", FALSE },
  { ".a == null", NULL, "{}", TRUE },
  { ".a == null", NULL, "{\"a\":null}", TRUE },
  { ".a == null", NULL, "{\"a\":\"null\"}", FALSE },
  { ".a == null", NULL, "{\"a\":\"\"}", FALSE },
  { ".a == null", NULL, "{\"a\":{\"b\":1}}", FALSE },
  { ".a == null", NULL, "{\"a\":[]}", FALSE },
  { ".a != null", NULL, "{\"a\":{\"b\":1}}", TRUE },
  { ".a != null", NULL, "{\"a\":[1]}", TRUE },
  { ".a != null", NULL, "{}", FALSE },
  { ".a != \"x\"", NULL, "{}", TRUE },
  { ".a != \"x\"", NULL, "{\"a\":{}}", TRUE },
  { ".a == \"\"", NULL, "{\"a\":\"\"}", TRUE },
  { ".a == \"\"", NULL, "{}", FALSE },
  { ".a.b.c == null", NULL, "{\"a\":\"text\"}", TRUE },
  /* numbers and booleans compare by their text */
  { ".n == 42", NULL, "{\"n\":42}", TRUE },
  { ".n == 42", NULL, "{\"n\":\"42\"}", TRUE },
  { ".n == 42", NULL, "{\"n\":43}", FALSE },
  { ".n == -1.5", NULL, "{\"n\":-1.5}", TRUE },
  { ".b == true", NULL, "{\"b\":true}", TRUE },
  { ".b == true", NULL, "{\"b\":false}", FALSE },
  { ".b == false", NULL, "{\"b\":false}", TRUE },
  { ".b != true", NULL, "{}", TRUE },
  /* paths into arrays */
  { ".items[1].name == \"second\"", NULL, "{\"items\":[{\"name\":\"first\"},{\"name\":\"second\"}]}", TRUE },
  { ".items[0].name == \"second\"", NULL, "{\"items\":[{\"name\":\"first\"},{\"name\":\"second\"}]}", FALSE },
  { ".items[5].name == null", NULL, "{\"items\":[]}", TRUE },
  { ".meta.domain == \"canary\"", NULL, "{\"meta\":{\"domain\":\"canary\"}}", TRUE },
  { ".meta.domain == \"canary\"", NULL, "{\"meta\":{\"domain\":[\"canary\"]}}", FALSE },
  /* .data: the payload's member data when it has one, else the payload */
  { ".data == null", "put", "{\"path\":\"/a\",\"data\":null}", TRUE },
  { ".data == null", "put", "{\"path\":\"/a\",\"data\":{\"x\":1}}", FALSE },
  { ".data.x == 1", NULL, "{\"data\":{\"x\":1}}", TRUE },
  { ".data.x == 1", NULL, "{\"x\":1}", TRUE },
  { ".data.new_state == null", NULL, "{\"data\":{\"new_state\":null}}", TRUE },
  { ".data.new_state == null", NULL, "{\"data\":{\"new_state\":{\"state\":\"on\"}}}", FALSE },
  /* .event is the event type, not a member */
  { ".event == \"put\"", "put", "{\"event\":\"other\"}", TRUE },
  /* and */
  { "event == \"put\" and .path == \"/\"", "put", "{\"path\":\"/\"}", TRUE },
  { "event == \"put\" and .path == \"/\"", "patch", "{\"path\":\"/\"}", FALSE },
  { "event == \"put\" and .path == \"/\"", "put", "{\"path\":\"/a\"}", FALSE },
  { "event == \"a\" and data == \"x\" and .p == null", "a", "x", TRUE },
  /* a payload that is not JSON: paths find nothing */
  { ".a == null", NULL, "not json", TRUE },
  { ". == \"not json\"", NULL, "not json", TRUE },
  /* strings with escapes and spaces */
  { ".a == \"two words\"", NULL, "{\"a\":\"two words\"}", TRUE },
  { ".a == \"q\\\"uote\"", NULL, "{\"a\":\"q\\\"uote\"}", TRUE },
  { ".a == \"caf\u00e9\"", NULL, "{\"a\":\"caf\u00e9\"}", TRUE },
  { "event in [\"a b\", \"c\"]", "a b", "x", TRUE },
};

static FbMappingResult
apply (FbMapping   *mapping,
       const char  *event_type,
       const char  *data,
       FbMessage  **message,
       char       **reason)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *payload = fb_mapping_parse_payload (parser, data, strlen (data));

  return fb_mapping_apply (mapping, "Feed", event_type, data, strlen (data), payload, "7",
                           message, reason);
}

static void
test_rule_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rule_cases); i++)
    {
      const RuleCase *c = &rule_cases[i];
      const char *rules[] = { c->rule, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(FbMapping) mapping = fb_mapping_new_custom (no_templates, rules, FALSE, &error);
      g_autofree char *reason = NULL;
      g_autofree char *trimmed = g_strstrip (g_strdup (c->rule));
      FbMappingResult result;

      g_test_message ("%s on %s %s", c->rule, c->event_type, c->data);
      g_assert_no_error (error);
      g_assert_true (fb_mapping_check_rule (c->rule, NULL));
      result = apply (mapping, c->event_type, c->data, NULL, &reason);
      if (c->matches)
        {
          g_assert_cmpint (result, ==, FB_MAPPING_IGNORE);
          /* The reason is the rule, as written. */
          g_assert_cmpstr (reason, ==, trimmed);
        }
      else
        {
          g_assert_cmpint (result, ==, FB_MAPPING_SHOW);
        }
    }
}

/* The first rule that matches is the reason; rules are kept as written. */
static void
test_rules_in_order (void)
{
  const char *rules[] = { "", "  event == \"a\"  ", "data == \"x\"", NULL };
  g_autoptr(FbMapping) mapping = fb_mapping_new_custom (no_templates, rules, FALSE, NULL);
  const char * const *sources = fb_mapping_get_rules (mapping);
  g_autofree char *reason = NULL;

  /* The empty rule is no rule. */
  g_assert_cmpuint (g_strv_length ((GStrv) sources), ==, 2);
  g_assert_cmpstr (sources[0], ==, "event == \"a\"");
  g_assert_cmpstr (sources[1], ==, "data == \"x\"");

  g_assert_cmpint (apply (mapping, "a", "x", NULL, &reason), ==, FB_MAPPING_IGNORE);
  g_assert_cmpstr (reason, ==, "event == \"a\"");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpint (apply (mapping, "b", "x", NULL, &reason), ==, FB_MAPPING_IGNORE);
  g_assert_cmpstr (reason, ==, "data == \"x\"");
}

/* --- rules: syntax errors ------------------------------------------------ */

typedef struct
{
  const char *rule;
  const char *message;  /* the whole error message */
} SyntaxCase;

static const SyntaxCase syntax_cases[] = {
  { "event = \"x\"", "Column 7: expected “==”, “!=” or “in”" },
  { ".a == ", "Column 7: expected a string in quotes, a number, true, false or null" },
  { "event ==", "Column 9: expected a string in quotes, a number, true, false or null" },
  { "foo == 1", "Column 1: expected “event”, “data” or a path such as “.type”" },
  { "eventx == 1", "Column 1: expected “event”, “data” or a path such as “.type”" },
  { "", "Column 1: expected “event”, “data” or a path such as “.type”" },
  { "event in \"x\"", "Column 10: “in” needs a list such as [\"a\", \"b\"]" },
  { "event in [\"a\", {\"b\": 1}]", "Column 10: a list may hold only strings, numbers, true, false and null" },
  { "event == [1]", "Column 10: expected a string in quotes, a number, true, false or null" },
  { "event == \"x\" or data == \"y\"", "Column 14: expected “and” or the end of the rule" },
  { "event == \"x\"y", "Column 13: expected “and” or the end of the rule" },
  { "event == \"x\" and", "Column 17: expected “event”, “data” or a path such as “.type”" },
  { "event == \"x\" and ", "Column 18: expected “event”, “data” or a path such as “.type”" },
  /* Columns count characters, not bytes. */
  { "event == \"\u00e9\u00e9\" x", "Column 15: expected “and” or the end of the rule" },
  { ".a..b == 1", "Column 1: “.a..b” is not a path such as “.meta.domain”" },
  { ".a}}{{.b == 1", "Column 1: “.a}}{{.b” is not a path such as “.meta.domain”" },
  { ".a|lower == \"x\"", "Column 1: “.a|lower” is not a path such as “.meta.domain”" },
  { "event == \"x\" and .a[ == 1", "Column 18: “.a[” is not a path such as “.meta.domain”" },
  { "data == \"unterminated", "Column 9: expected a string in quotes, a number, true, false or null" },
};

static void
test_syntax_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (syntax_cases); i++)
    {
      const char *rules[] = { syntax_cases[i].rule, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) custom_error = NULL;
      g_autoptr(FbMapping) mapping = fb_mapping_new ();
      g_autoptr(FbMapping) custom = NULL;

      g_test_message ("%s", syntax_cases[i].rule);
      g_assert_false (fb_mapping_check_rule (syntax_cases[i].rule, &error));
      g_assert_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_SYNTAX);
      g_assert_cmpstr (error->message, ==, syntax_cases[i].message);
      g_clear_error (&error);

      g_assert_false (fb_mapping_add_rule (mapping, syntax_cases[i].rule, &error));
      g_assert_cmpstr (error->message, ==, syntax_cases[i].message);
      g_assert_null (fb_mapping_get_rules (mapping)[0]);

      /* An empty rule is skipped by fb_mapping_new_custom(). */
      if (*syntax_cases[i].rule == '\0')
        continue;
      custom = fb_mapping_new_custom (no_templates, rules, FALSE, &custom_error);
      g_assert_null (custom);
      g_assert_cmpstr (custom_error->message, ==, syntax_cases[i].message);
    }
}

static void
test_rule_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) long_rule = g_string_new ("event == \"");
  g_autofree char *max_rule = NULL;

  /* FB_MAPPING_MAX_RULE bytes pass, one more does not. */
  while (long_rule->len < FB_MAPPING_MAX_RULE - 1)
    g_string_append_c (long_rule, 'x');
  g_string_append_c (long_rule, '"');
  g_assert_cmpuint (long_rule->len, ==, FB_MAPPING_MAX_RULE);
  g_assert_true (fb_mapping_check_rule (long_rule->str, NULL));
  g_string_insert_c (long_rule, 10, 'x');
  g_assert_false (fb_mapping_check_rule (long_rule->str, &error));
  g_assert_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, "A rule may be at most 1024 bytes long");
  g_clear_error (&error);

  g_assert_false (fb_mapping_check_rule ("event == \"\xff\"", &error));
  g_assert_cmpstr (error->message, ==, "The rule is not valid UTF-8");
  g_clear_error (&error);
  g_assert_false (fb_mapping_check_rule ("event == \"\xc3\"", &error));
  g_assert_cmpstr (error->message, ==, "The rule is not valid UTF-8");
  g_clear_error (&error);

  /* Deeply nested lists end within the byte limit. */
  max_rule = repeat ("event in ", 500, '[', "");
  g_assert_false (fb_mapping_check_rule (max_rule, &error));
  g_assert_nonnull (error);
}

static void
test_rule_count_limit (void)
{
  g_autoptr(FbMapping) mapping = fb_mapping_new ();
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(FbMapping) custom = NULL;

  for (guint i = 0; i < FB_MAPPING_MAX_RULES; i++)
    {
      char *rule = g_strdup_printf ("event == \"e%u\"", i);

      g_assert_true (fb_mapping_add_rule (mapping, rule, NULL));
      g_ptr_array_add (rules, rule);
    }
  g_assert_cmpuint (g_strv_length ((GStrv) fb_mapping_get_rules (mapping)), ==, 32);
  g_assert_false (fb_mapping_add_rule (mapping, "event == \"one more\"", &error));
  g_assert_cmpstr (error->message, ==, "A feed may have at most 32 rules");
  g_clear_error (&error);
  g_assert_cmpuint (g_strv_length ((GStrv) fb_mapping_get_rules (mapping)), ==, 32);
  /* The 32nd still works. */
  g_assert_cmpint (apply (mapping, "e31", "x", NULL, NULL), ==, FB_MAPPING_IGNORE);

  g_ptr_array_add (rules, NULL);
  custom = fb_mapping_new_custom (no_templates, (const char * const *) rules->pdata, FALSE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&custom, fb_mapping_unref);
  g_ptr_array_remove_index (rules, rules->len - 1);
  g_ptr_array_add (rules, g_strdup ("event == \"33\""));
  g_ptr_array_add (rules, NULL);
  custom = fb_mapping_new_custom (no_templates, (const char * const *) rules->pdata, FALSE, &error);
  g_assert_null (custom);
  g_assert_cmpstr (error->message, ==, "A feed may have at most 32 rules");
}

/* --- variants, failures, fields ------------------------------------------ */

static void
add_variant (FbMapping  *mapping,
             const char *condition,
             const char *title)
{
  const char *templates[FB_MAPPING_N_FIELDS] = { title, "body", NULL, };
  g_autoptr(GError) error = NULL;

  g_assert_true (fb_mapping_add_variant (mapping, condition, templates, &error));
  g_assert_no_error (error);
}

static void
test_variants_in_order (void)
{
  g_autoptr(FbMapping) mapping = fb_mapping_new ();
  g_autoptr(GError) error = NULL;
  const char *templates[FB_MAPPING_N_FIELDS] = { "x", };
  struct { const char *event, *data, *title; } cases[] = {
    { "a", "{\"k\":\"b\"}", "first" },  /* both conditions hold: the first wins */
    { "z", "{\"k\":\"b\"}", "second" },
    { "z", "{\"k\":\"c\"}", "last" },
    { "a", "not json", "first" },
  };

  add_variant (mapping, "event == \"a\"", "first");
  add_variant (mapping, ".k == \"b\"", "second");
  add_variant (mapping, NULL, "last");
  g_assert_cmpstr (fb_mapping_get_template (mapping, FB_MAPPING_FIELD_TITLE), ==, "last");
  g_assert_cmpstr (fb_mapping_get_template (mapping, FB_MAPPING_FIELD_LINK), ==, "");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FbMessage) message = NULL;

      g_assert_cmpint (apply (mapping, cases[i].event, cases[i].data, &message, NULL), ==,
                       FB_MAPPING_SHOW);
      g_assert_cmpstr (fb_message_get_title (message), ==, cases[i].title);
    }

  /* A condition that does not parse names the column. */
  g_assert_false (fb_mapping_add_variant (mapping, "event = 1", templates, &error));
  g_assert_cmpstr (error->message, ==, "Column 7: expected “==”, “!=” or “in”");
}

/* Without a variant that holds, the generic reading. */
static void
test_no_variant_holds (void)
{
  g_autoptr(FbMapping) mapping = fb_mapping_new ();
  g_autoptr(FbMessage) message = NULL;
  g_autofree char *reason = NULL;

  add_variant (mapping, "event == \"a\"", "A");
  g_assert_cmpint (apply (mapping, "b", "{\"title\":\"Generic\",\"message\":\"text\"}",
                          &message, &reason), ==, FB_MAPPING_SHOW);
  g_assert_cmpstr (fb_message_get_title (message), ==, "Generic");
  g_assert_cmpstr (fb_message_get_body (message), ==, "text");
  g_assert_null (reason);
}

static void
test_failures (void)
{
  const char *rules[] = { "event == \"cancel\"", NULL };
  g_autoptr(FbMapping) mapping = fb_mapping_new_custom (no_templates, rules, FALSE, NULL);
  g_autoptr(FbMessage) message = NULL;
  g_autofree char *reason = NULL;

  fb_mapping_add_failure (mapping, "cancel", "Fix the rules");
  fb_mapping_add_failure (mapping, "auth_revoked", "Enter a new token");

  /* Failures come before the rules that ignore. */
  g_assert_cmpint (apply (mapping, "cancel", "\"Permission denied\"", &message, &reason), ==,
                   FB_MAPPING_FAIL);
  g_assert_null (message);
  g_assert_cmpstr (reason, ==, "Fix the rules");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpint (apply (mapping, "auth_revoked", "credential is no longer valid", NULL, &reason),
                   ==, FB_MAPPING_FAIL);
  g_assert_cmpstr (reason, ==, "Enter a new token");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpint (apply (mapping, "cancelled", "x", NULL, &reason), ==, FB_MAPPING_SHOW);
}

static void
test_skip_first_flag (void)
{
  g_autoptr(FbMapping) on = fb_mapping_new_custom (no_templates, NULL, TRUE, NULL);
  g_autoptr(FbMapping) off = fb_mapping_new_custom (no_templates, NULL, FALSE, NULL);

  g_assert_true (fb_mapping_get_skip_first (on));
  g_assert_false (fb_mapping_get_skip_first (off));
  /* The mapping does not count: the reader does. */
  g_assert_cmpint (apply (on, "put", "{}", NULL, NULL), ==, FB_MAPPING_SHOW);
  fb_mapping_set_skip_first (off, 2);
  g_assert_true (fb_mapping_get_skip_first (off));
}

/* A field that does not render falls back to the generic reading, and the
 * reason names the field. */
static void
test_fallback (void)
{
  static const char *data =
    "{\"title\":\"Generic title\",\"message\":\"Generic body\",\"url\":\"https://generic.example/\","
    "\"name\":\"Ann\",\"obj\":{\"a\":1},\"js\":\"javascript:alert(1)\"}";
  struct
  {
    const char *templates[FB_MAPPING_N_FIELDS];
    const char *title, *body, *url, *icon, *reason;
  } cases[] = {
    { { "{{ .name }}", "{{ .name }} said", "https://a.example/{{ .name }}", "https://a.example/i.png" },
      "Ann", "Ann said", "https://a.example/Ann", "https://a.example/i.png", NULL },
    /* A field without a template stays empty: no link here. */
    { { "{{ .missing }}", "{{ .name }}" },
      "Generic title", "Ann", NULL, NULL,
      "title-template: Column 4: .missing is missing" },
    { { "{{ .name }}", "{{ .obj }}" },
      "Ann", "Generic body", NULL, NULL,
      "body-template: Column 4: .obj is an object, not text" },
    { { "{{ .name }}", "x", "{{ .nope }}", "{{ .obj }}" },
      "Ann", "x", "https://generic.example/", NULL,
      "link-template: Column 4: .nope is missing" },
    /* The first field that fails is the reason. */
    { { "{{ .a }}", "{{ .b }}" },
      "Generic title", "Generic body", NULL, NULL,
      "title-template: Column 4: .a is missing" },
    /* An empty title is no title. */
    { { "{{ .title | default \"\" }}{{ \"\" }}", "b" },
      "Generic title", "b", NULL, NULL, NULL },
    /* A link that renders but is not http(s) is dropped, not replaced. */
    { { "t", "b", "{{ .js }}", "{{ .js }}" },
      "t", "b", NULL, NULL, NULL },
    { { "t", "b", "file:///etc/passwd", "file:///etc/passwd" },
      "t", "b", NULL, NULL, NULL },
    { { "t", "b", "https://ok.example/ x", "data:image/png;base64,AA" },
      "t", "b", NULL, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FbMapping) mapping = fb_mapping_new_custom (cases[i].templates, NULL, FALSE, &error);
      g_autoptr(FbMessage) message = NULL;
      g_autofree char *reason = NULL;

      g_test_message ("case %u", i);
      g_assert_no_error (error);
      g_assert_cmpint (apply (mapping, "message", data, &message, &reason), ==, FB_MAPPING_SHOW);
      g_assert_cmpstr (fb_message_get_title (message), ==, cases[i].title);
      g_assert_cmpstr (fb_message_get_body (message), ==, cases[i].body);
      g_assert_cmpstr (fb_message_get_click_url (message), ==, cases[i].url);
      g_assert_cmpstr (fb_message_get_icon_url (message), ==, cases[i].icon);
      g_assert_cmpstr (reason, ==, cases[i].reason);
    }
}

/* A title that does not render, on data that is JSON but not an object
 * (or not readable), is the feed's name: never the JSON text. */
static void
test_fallback_not_an_object (void)
{
  const char *templates[FB_MAPPING_N_FIELDS] = { "{{ .name }}", };
  g_autoptr(FbMapping) mapping = fb_mapping_new_custom (templates, NULL, FALSE, NULL);
  g_autofree char *open = repeat ("", 1000, '[', "");
  g_autofree char *deep = repeat (open, 1000, ']', "");
  const char *cases[][2] = {
    { "[1,2,3]", "[1,2,3]" },
    { "{\"name\": ", "{\"name\":" },
    { "null", "null" },
    { "42", "42" },
    { deep, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FbMessage) message = NULL;

      g_assert_cmpint (apply (mapping, "message", cases[i][0], &message, NULL), ==, FB_MAPPING_SHOW);
      g_assert_cmpstr (fb_message_get_title (message), ==, "Feed");
      if (cases[i][1] != NULL)
        g_assert_cmpstr (fb_message_get_body (message), ==, cases[i][1]);
      else
        g_assert_cmpuint (g_utf8_strlen (fb_message_get_body (message), -1), <=, 4000);
    }

  /* Plain text keeps the generic reading: its first line is the title. */
  {
    g_autoptr(FbMessage) message = NULL;

    apply (mapping, "message", "Line one\nLine two", &message, NULL);
    g_assert_cmpstr (fb_message_get_title (message), ==, "Line one");
    g_assert_cmpstr (fb_message_get_body (message), ==, "Line two");
  }
}

/* A value that looks like a template is text: nothing is rendered twice. */
static void
test_no_double_rendering (void)
{
  const char *templates[FB_MAPPING_N_FIELDS] = { "{{ .name }}", "{{ .body }}", };
  g_autoptr(FbMapping) mapping = fb_mapping_new_custom (templates, NULL, FALSE, NULL);
  g_autoptr(FbMessage) message = NULL;

  apply (mapping, "message", "{\"name\":\"{{ .secret }}\",\"body\":\"{{ .id }}\",\"secret\":\"s\"}",
         &message, NULL);
  g_assert_cmpstr (fb_message_get_title (message), ==, "{{ .secret }}");
  g_assert_cmpstr (fb_message_get_body (message), ==, "{{ .id }}");
}

static void
test_priority (void)
{
  struct { const char *text; int priority; FbUrgency urgency; } cases[] = {
    { "1", 1, FB_URGENCY_LOW }, { "2", 2, FB_URGENCY_LOW }, { "3", 3, FB_URGENCY_NORMAL },
    { "4", 4, FB_URGENCY_NORMAL }, { "5", 5, FB_URGENCY_CRITICAL },
    { "min", 1, FB_URGENCY_LOW }, { "low", 2, FB_URGENCY_LOW },
    { "default", 3, FB_URGENCY_NORMAL }, { "high", 4, FB_URGENCY_NORMAL },
    { "max", 5, FB_URGENCY_CRITICAL }, { "MAX", 5, FB_URGENCY_CRITICAL },
    { "urgent", 5, FB_URGENCY_CRITICAL }, { "Urgent", 5, FB_URGENCY_CRITICAL },
    /* Garbage is the default priority. */
    { "0", 3, FB_URGENCY_NORMAL }, { "6", 3, FB_URGENCY_NORMAL }, { "55", 3, FB_URGENCY_NORMAL },
    { "-1", 3, FB_URGENCY_NORMAL }, { "4.0", 3, FB_URGENCY_NORMAL }, { "", 3, FB_URGENCY_NORMAL },
    { "maximum", 3, FB_URGENCY_NORMAL }, { " 5 ", 5, FB_URGENCY_CRITICAL },
    { "garbage", 3, FB_URGENCY_NORMAL },
  };
  const char *templates[FB_MAPPING_N_FIELDS] = { "t", "b", NULL, NULL, "{{ .p }}", };
  g_autoptr(FbMapping) mapping = fb_mapping_new_custom (templates, NULL, FALSE, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *data = g_strdup_printf ("{\"p\":\"%s\"}", cases[i].text);
      g_autoptr(FbMessage) message = NULL;

      g_test_message ("%s", cases[i].text);
      apply (mapping, "message", data, &message, NULL);
      g_assert_cmpint (fb_message_get_priority (message), ==, cases[i].priority);
      g_assert_cmpint (fb_message_get_urgency (message), ==, cases[i].urgency);
    }

  /* A number renders as its text: 5 is max. A missing one is the default. */
  {
    g_autoptr(FbMessage) message = NULL;

    apply (mapping, "message", "{\"p\":5}", &message, NULL);
    g_assert_cmpint (fb_message_get_priority (message), ==, 5);
    g_clear_object (&message);
    apply (mapping, "message", "{}", &message, NULL);
    g_assert_cmpint (fb_message_get_priority (message), ==, 3);
  }
}

static void
test_key_and_group (void)
{
  const char *templates[FB_MAPPING_N_FIELDS] = {
    "t", "b", NULL, NULL, NULL, "k-{{ .data.id | default \"\" }}", "{{ .group | default \"\" }}",
  };
  g_autoptr(FbMapping) mapping = fb_mapping_new_custom (templates, NULL, FALSE, NULL);
  g_autoptr(FbMessage) message = NULL;
  g_autofree char *long_id = g_strnfill (1000, 'k');
  g_autofree char *data = g_strdup_printf ("{\"id\":\"%s\"}", long_id);

  apply (mapping, "message", "{\"id\":\"1\",\"group\":\"g\"}", &message, NULL);
  g_assert_cmpstr (fb_message_get_key (message), ==, "k-1");
  g_assert_cmpstr (fb_message_get_group (message), ==, "g");
  g_clear_object (&message);

  /* An empty group is none. */
  apply (mapping, "message", "{\"id\":\"2\"}", &message, NULL);
  g_assert_cmpstr (fb_message_get_key (message), ==, "k-2");
  g_assert_null (fb_message_get_group (message));
  g_clear_object (&message);

  /* A key is an identifier: bounded. */
  apply (mapping, "message", data, &message, NULL);
  g_assert_cmpuint (g_utf8_strlen (fb_message_get_key (message), -1), <=, 256);
  g_assert_true (g_str_has_prefix (fb_message_get_key (message), "k-kkk"));
}

static void
test_custom_errors (void)
{
  for (guint field = 0; field < FB_MAPPING_N_FIELDS; field++)
    {
      const char *templates[FB_MAPPING_N_FIELDS] = { "t", "b", NULL, };
      g_autoptr(GError) error = NULL;
      g_autoptr(FbMapping) mapping = NULL;
      g_autofree char *prefix = g_strdup_printf ("%s: Column ", fb_mapping_field_to_key (field));

      templates[field] = "ok {{ .a";
      mapping = fb_mapping_new_custom (templates, NULL, FALSE, &error);
      g_assert_null (mapping);
      g_assert_error (error, FB_TEMPLATE_ERROR, FB_TEMPLATE_ERROR_SYNTAX);
      if (!g_str_has_prefix (error->message, prefix))
        g_error ("“%s” does not start with “%s”", error->message, prefix);
    }

  g_assert_cmpstr (fb_mapping_field_to_key (FB_MAPPING_FIELD_TITLE), ==, "title-template");
  g_assert_cmpstr (fb_mapping_field_to_key (FB_MAPPING_FIELD_GROUP), ==, "group-template");

  /* Templates set, getters return them; empty and NULL are none. */
  {
    const char *templates[FB_MAPPING_N_FIELDS] = { "{{ .a }}", "", NULL, "i" };
    g_autoptr(FbMapping) mapping = fb_mapping_new_custom (templates, NULL, TRUE, NULL);

    g_assert_cmpstr (fb_mapping_get_template (mapping, FB_MAPPING_FIELD_TITLE), ==, "{{ .a }}");
    g_assert_cmpstr (fb_mapping_get_template (mapping, FB_MAPPING_FIELD_BODY), ==, "");
    g_assert_cmpstr (fb_mapping_get_template (mapping, FB_MAPPING_FIELD_LINK), ==, "");
    g_assert_cmpstr (fb_mapping_get_template (mapping, FB_MAPPING_FIELD_ICON), ==, "i");
  }
  {
    g_autoptr(FbMapping) empty = fb_mapping_new ();

    g_assert_cmpstr (fb_mapping_get_template (empty, FB_MAPPING_FIELD_TITLE), ==, "");
  }
}

/* Every built-in format parses and can be copied, as "Custom" does. */
static void
test_builtin_mappings (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (FB_TYPE_MESSAGE_FORMAT);

  for (guint i = 0; i < klass->n_values; i++)
    {
      FbMessageFormat format = klass->values[i].value;
      g_autoptr(FbMapping) mapping = fb_format_dup_mapping (format);

      g_assert_cmpint (mapping != NULL, ==, fb_format_is_builtin_mapping (format));
      if (mapping == NULL)
        continue;
      for (const char * const *rule = fb_mapping_get_rules (mapping); *rule != NULL; rule++)
        g_assert_true (fb_mapping_check_rule (*rule, NULL));
      g_assert_cmpstr (fb_mapping_get_template (mapping, FB_MAPPING_FIELD_TITLE), !=, "");
    }
  {
    g_autoptr(FbMapping) firebase = fb_format_dup_mapping (FB_MESSAGE_FORMAT_FIREBASE);
    g_autoptr(FbMapping) mastodon = fb_format_dup_mapping (FB_MESSAGE_FORMAT_MASTODON);

    g_assert_true (fb_mapping_get_skip_first (firebase));
    g_assert_false (fb_mapping_get_skip_first (mastodon));
  }
}

/* --- fb-format: recognising a service ------------------------------------ */

static void
test_guess_from_url (void)
{
  g_autofree char *long_url = repeat ("https://example.com/", 100000, 'a', "");
  struct { const char *url; FbMessageFormat format; } cases[] = {
    { "https://social.example/api/v1/streaming/user", FB_MESSAGE_FORMAT_MASTODON },
    { "https://social.example/api/v1/streaming/hashtag?tag=gnome", FB_MESSAGE_FORMAT_MASTODON },
    { "https://streaming.social.example/api/v1/streaming", FB_MESSAGE_FORMAT_MASTODON },
    { "https://stream.wikimedia.org/v2/stream/recentchange", FB_MESSAGE_FORMAT_WIKIMEDIA },
    { "https://STREAM.wikimedia.ORG/v2/stream/page-create", FB_MESSAGE_FORMAT_WIKIMEDIA },
    { "https://stream.wikimedia.org/", FB_MESSAGE_FORMAT_WIKIMEDIA },
    { "http://localhost:8092/v2/stream/recentchange", FB_MESSAGE_FORMAT_WIKIMEDIA },
    { "http://127.0.0.1:8123/api/stream", FB_MESSAGE_FORMAT_HOME_ASSISTANT },
    { "http://homeassistant.local:8123/api/stream/", FB_MESSAGE_FORMAT_HOME_ASSISTANT },
    { "http://127.0.0.1:8123/api/stream?restrict=state_changed", FB_MESSAGE_FORMAT_HOME_ASSISTANT },
    { "https://example-default-rtdb.firebaseio.com/messages.json", FB_MESSAGE_FORMAT_FIREBASE },
    { "https://db.europe-west1.firebasedatabase.app/a/b.json?auth=x", FB_MESSAGE_FORMAT_FIREBASE },
    { "https://example.FIREBASEIO.com/", FB_MESSAGE_FORMAT_FIREBASE },
    { "http://127.0.0.1:9000/messages.JSON?ns=demo", FB_MESSAGE_FORMAT_FIREBASE },
    { "https://hub.example.com/.well-known/mercure?topic=https://example.com/books/{id}",
      FB_MESSAGE_FORMAT_MERCURE },
    { "https://hub.example.com/.well-known/mercure", FB_MESSAGE_FORMAT_MERCURE },
    { "https://ci.example.com/api/stream/events", FB_MESSAGE_FORMAT_WOODPECKER },
    { "https://ci.example.com/api/stream/sse/events", FB_MESSAGE_FORMAT_WOODPECKER },
    /* Nothing to say: */
    { "https://ntfy.sh/alerts/sse", FB_MESSAGE_FORMAT_AUTO },
    { "http://127.0.0.1:8787/events", FB_MESSAGE_FORMAT_AUTO },
    { "https://example.com/api/streams", FB_MESSAGE_FORMAT_AUTO },
    { "https://example.com/.well-known/mercure/x", FB_MESSAGE_FORMAT_AUTO },
    { "https://example.com/?q=/api/v1/streaming", FB_MESSAGE_FORMAT_AUTO },
    { "", FB_MESSAGE_FORMAT_AUTO },
    { "not a url", FB_MESSAGE_FORMAT_AUTO },
    { "https://", FB_MESSAGE_FORMAT_AUTO },
    { "https://example.com/%ff%fe", FB_MESSAGE_FORMAT_AUTO },
    { "https://example.com/\xff", FB_MESSAGE_FORMAT_AUTO },
    { long_url, FB_MESSAGE_FORMAT_AUTO },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = g_strescape (cases[i].url, NULL);

      /* Escaped: TAP output must be valid UTF-8. */
      g_test_message ("%.100s", shown);
      g_assert_cmpint (fb_format_guess_from_url (cases[i].url), ==, cases[i].format);
    }
  g_assert_cmpint (fb_format_guess_from_url (NULL), ==, FB_MESSAGE_FORMAT_AUTO);
}

static void
test_guess_from_event (void)
{
  struct { const char *event, *data; FbMessageFormat format; } cases[] = {
    /* ntfy, its open event too */
    { "open", "{\"id\":\"a\",\"time\":1,\"event\":\"open\",\"topic\":\"alerts\"}", FB_MESSAGE_FORMAT_NTFY },
    { "message", "{\"id\":\"a\",\"time\":1,\"event\":\"message\",\"topic\":\"alerts\",\"message\":\"m\"}",
      FB_MESSAGE_FORMAT_NTFY },
    { "message", "{\"event\":\"open\",\"topic\":1}", FB_MESSAGE_FORMAT_AUTO },
    /* Wikimedia, with a string title and topics inside meta: not ntfy */
    { "message", "{\"$schema\":\"/mediawiki/recentchange/1.0.0\",\"meta\":{\"domain\":\"en.wikipedia.org\","
      "\"stream\":\"mediawiki.recentchange\",\"topic\":\"eqiad.mediawiki.recentchange\"},"
      "\"type\":\"edit\",\"title\":\"Example\",\"message\":\"x\"}", FB_MESSAGE_FORMAT_WIKIMEDIA },
    { "message", "{\"meta\":{\"domain\":\"canary\",\"stream\":\"s\"}}", FB_MESSAGE_FORMAT_WIKIMEDIA },
    { "message", "{\"meta\":{\"domain\":\"en.wikipedia.org\"},\"title\":\"x\"}", FB_MESSAGE_FORMAT_AUTO },
    /* Firebase */
    { "keep-alive", "null", FB_MESSAGE_FORMAT_FIREBASE },
    { "keep-alive", NULL, FB_MESSAGE_FORMAT_FIREBASE },
    { "auth_revoked", "credential is no longer valid", FB_MESSAGE_FORMAT_FIREBASE },
    { "put", "{\"path\":\"/\",\"data\":null}", FB_MESSAGE_FORMAT_FIREBASE },
    { "patch", "{\"path\":\"/a\",\"data\":{\"b\":1}}", FB_MESSAGE_FORMAT_FIREBASE },
    { "put", "{\"path\":1,\"data\":null}", FB_MESSAGE_FORMAT_AUTO },
    { "put", "{\"path\":\"/\"}", FB_MESSAGE_FORMAT_AUTO },
    { "message", "{\"path\":\"/\",\"data\":null}", FB_MESSAGE_FORMAT_AUTO },
    /* cancel says nothing: any stream may name an event so */
    { "cancel", "\"Permission denied\"", FB_MESSAGE_FORMAT_AUTO },
    /* Mastodon */
    { "update", "{\"id\":\"1\",\"account\":{\"username\":\"a\"},\"content\":\"\"}", FB_MESSAGE_FORMAT_MASTODON },
    { "status.update", "{\"account\":{}}", FB_MESSAGE_FORMAT_MASTODON },
    { "notification", "{\"type\":\"mention\",\"account\":{}}", FB_MESSAGE_FORMAT_MASTODON },
    { "notification", "{\"type\":\"mention\",\"account\":\"ann\"}", FB_MESSAGE_FORMAT_AUTO },
    { "message", "{\"account\":{}}", FB_MESSAGE_FORMAT_AUTO },
    { "delete", "113500000000000002", FB_MESSAGE_FORMAT_AUTO },
    /* Home Assistant */
    { "message", "{\"event_type\":\"state_changed\",\"data\":{},\"time_fired\":\"t\"}",
      FB_MESSAGE_FORMAT_HOME_ASSISTANT },
    { "message", "{\"event_type\":\"state_changed\"}", FB_MESSAGE_FORMAT_AUTO },
    { "message", "ping", FB_MESSAGE_FORMAT_AUTO },
    /* Woodpecker */
    { "message", "{\"repo\":{},\"pipeline\":{}}", FB_MESSAGE_FORMAT_WOODPECKER },
    { "message", "{\"repo\":\"r\",\"pipeline\":{}}", FB_MESSAGE_FORMAT_AUTO },
    /* Mercure */
    { "message", "{\"@context\":\"https://schema.org\",\"@type\":\"Book\"}", FB_MESSAGE_FORMAT_MERCURE },
    { "news", "{\"@type\":\"NewsArticle\"}", FB_MESSAGE_FORMAT_MERCURE },
    /* Anything else */
    { "message", "{\"title\":\"t\",\"message\":\"m\"}", FB_MESSAGE_FORMAT_AUTO },
    { "message", "[1,2]", FB_MESSAGE_FORMAT_AUTO },
    { "message", "\"text\"", FB_MESSAGE_FORMAT_AUTO },
    { "message", NULL, FB_MESSAGE_FORMAT_AUTO },
    { NULL, NULL, FB_MESSAGE_FORMAT_AUTO },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      JsonNode *payload = NULL;

      if (cases[i].data != NULL)
        payload = fb_mapping_parse_payload (parser, cases[i].data, strlen (cases[i].data));
      g_test_message ("%s %s", cases[i].event, cases[i].data);
      g_assert_cmpint (fb_format_guess_from_event (cases[i].event, payload), ==, cases[i].format);
    }
}

static void
test_default_feed_name (void)
{
  g_autofree char *long_url = repeat ("https://example.com/", 100000, 'a', "");
  g_autofree char *long_topic = repeat ("https://ntfy.sh/", 5000, 't', "/sse");
  struct { FbMessageFormat format; const char *url, *name; } cases[] = {
    { FB_MESSAGE_FORMAT_AUTO, "https://ntfy.sh/alerts/sse", "ntfy · alerts" },
    { FB_MESSAGE_FORMAT_NTFY, "https://push.example.com/alerts/json", "ntfy · alerts" },
    { FB_MESSAGE_FORMAT_NTFY, "https://push.example.com/my%20topic/sse", "ntfy · my topic" },
    { FB_MESSAGE_FORMAT_AUTO, "https://ntfy.example.com/", "ntfy · ntfy.example.com" },
    { FB_MESSAGE_FORMAT_NTFY, "https://push.example.com/%ff/sse", "ntfy · push.example.com" },
    { FB_MESSAGE_FORMAT_AUTO, "https://social.example/api/v1/streaming/user", "Mastodon · social.example" },
    { FB_MESSAGE_FORMAT_MASTODON, "https://social.example/", "Mastodon · social.example" },
    { FB_MESSAGE_FORMAT_AUTO, "https://stream.wikimedia.org/v2/stream/recentchange",
      "Wikipedia recent changes" },
    { FB_MESSAGE_FORMAT_AUTO, "https://stream.wikimedia.org/v2/stream/page-create",
      "Wikimedia · page-create" },
    { FB_MESSAGE_FORMAT_AUTO, "http://127.0.0.1:8123/api/stream", "Home Assistant · 127.0.0.1" },
    { FB_MESSAGE_FORMAT_AUTO, "https://example-default-rtdb.firebaseio.com/messages.json",
      "Firebase · messages" },
    { FB_MESSAGE_FORMAT_AUTO, "https://example-default-rtdb.firebaseio.com/.json",
      "Firebase · example-default-rtdb.firebaseio.com" },
    { FB_MESSAGE_FORMAT_AUTO,
      "https://hub.example.com/.well-known/mercure?topic=https://example.com/books/{id}",
      "Mercure · books" },
    { FB_MESSAGE_FORMAT_AUTO,
      "https://hub.example.com/.well-known/mercure?topic=https%3A%2F%2Fexample.com%2Forders%2F1",
      "Mercure · 1" },
    { FB_MESSAGE_FORMAT_AUTO, "https://hub.example.com/.well-known/mercure", "Mercure · hub.example.com" },
    { FB_MESSAGE_FORMAT_AUTO, "https://ci.example.com/api/stream/events", "Woodpecker · ci.example.com" },
    /* host · segment */
    { FB_MESSAGE_FORMAT_AUTO, "https://example.com/events", "example.com · events" },
    { FB_MESSAGE_FORMAT_JSON, "https://example.com/a/b/", "example.com · b" },
    { FB_MESSAGE_FORMAT_CUSTOM, "https://example.com/", "example.com" },
    { FB_MESSAGE_FORMAT_PLAIN, "https://example.com/a%20b", "example.com · a b" },
    { FB_MESSAGE_FORMAT_AUTO, "https://example.com/a/%ff%fe", "example.com · a" },
    { FB_MESSAGE_FORMAT_AUTO, "https://example.com/%00", "example.com" },
    /* Unescaped once: */
    { FB_MESSAGE_FORMAT_AUTO, "https://example.com/a%2Fb", "example.com · a/b" },
    { FB_MESSAGE_FORMAT_AUTO, "https://example.com/a%2520b", "example.com · a%20b" },
    { FB_MESSAGE_FORMAT_AUTO,
      "https://hub.example.com/.well-known/mercure?topic=https%3A%2F%2Fexample.com%2Fa%26b&x=1",
      "Mercure · a&b" },
    /* no host */
    { FB_MESSAGE_FORMAT_AUTO, "", "Unnamed feed" },
    { FB_MESSAGE_FORMAT_AUTO, NULL, "Unnamed feed" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = fb_format_default_feed_name (cases[i].format, cases[i].url);
      /* Escaped: TAP output must be valid UTF-8. */
      g_autofree char *shown = cases[i].url != NULL ? g_strescape (cases[i].url, NULL) : NULL;

      g_test_message ("%s", shown != NULL ? shown : "(null)");
      g_assert_cmpstr (name, ==, cases[i].name);
    }

  /* Hostile addresses: a short name, valid UTF-8, whatever they hold. */
  {
    const char *hostile[] = { long_url, long_topic, "not a url", "https://", "mailto:a@b",
                              "https://example.com/\xff\xfe", "https://\xff/", "file:///etc/passwd",
                              "https://example.com/%E2%80%AE/x%ff" };

    for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
      {
        for (FbMessageFormat f = FB_MESSAGE_FORMAT_AUTO; f <= FB_MESSAGE_FORMAT_CUSTOM; f++)
          {
            g_autofree char *name = fb_format_default_feed_name (f, hostile[i]);

            g_assert_true (g_utf8_validate (name, -1, NULL));
            g_assert_cmpuint (g_utf8_strlen (name, -1), <=, 80);
            g_assert_cmpstr (name, !=, "");
          }
      }
  }
}

static void
test_nicks (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (FB_TYPE_MESSAGE_FORMAT);

  for (guint i = 0; i < klass->n_values; i++)
    {
      FbMessageFormat format = klass->values[i].value;

      g_assert_cmpstr (fb_format_to_nick (format), ==, klass->values[i].value_nick);
      g_assert_cmpint (fb_format_from_nick (fb_format_to_nick (format)), ==, format);
      g_assert_cmpstr (fb_format_get_label (format), !=, "");
    }
  g_assert_cmpint (fb_format_from_nick ("nonsense"), ==, FB_MESSAGE_FORMAT_AUTO);
  g_assert_cmpint (fb_format_from_nick ("Mastodon"), ==, FB_MESSAGE_FORMAT_AUTO);
  g_assert_cmpint (fb_format_from_nick (NULL), ==, FB_MESSAGE_FORMAT_AUTO);
  g_assert_cmpstr (fb_format_to_nick ((FbMessageFormat) 99), ==, "auto");
}

/* FbMessageFormat and the settings schema's enum are one definition, as
 * test-feed-runner checks for FbAuth. */
static void
test_format_matches_schema (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_BUILT, "..", "data", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) key = NULL;
  g_autoptr(GVariant) range = NULL;
  g_autoptr(GVariant) nicks = NULL;
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GEnumClass) klass = g_type_class_ref (FB_TYPE_MESSAGE_FORMAT);
  const char *type = NULL;

  source = g_settings_schema_source_new_from_directory (dir, NULL, TRUE, &error);
  g_assert_no_error (error);
  schema = g_settings_schema_source_lookup (source, FB_FEED_SCHEMA_ID, FALSE);
  g_assert_nonnull (schema);
  key = g_settings_schema_get_key (schema, "format");
  range = g_settings_schema_key_get_range (key);
  g_variant_get (range, "(&sv)", &type, &nicks);
  g_assert_cmpstr (type, ==, "enum");
  g_assert_cmpuint (g_variant_n_children (nicks), ==, klass->n_values);

  settings = g_settings_new_full (schema, backend, FB_FEED_SETTINGS_PATH "t/");
  for (guint i = 0; i < klass->n_values; i++)
    {
      const char *nick = klass->values[i].value_nick;

      g_assert_true (g_settings_set_string (settings, "format", nick));
      g_assert_cmpint (g_settings_get_enum (settings, "format"), ==, klass->values[i].value);
      g_assert_cmpint (fb_format_from_nick (nick), ==, klass->values[i].value);
    }
}

/* --- FbReader ------------------------------------------------------------ */

static FbMappingResult
read_event (FbReader    *reader,
            const char  *event_type,
            const char  *data,
            FbMessage  **message,
            char       **reason)
{
  return fb_reader_read (reader, "Feed", event_type, data, strlen (data), NULL, message, reason);
}

static void
test_reader_skip_first (void)
{
  g_autoptr(FbReader) reader = fb_reader_new (FB_MESSAGE_FORMAT_FIREBASE, NULL, NULL);
  const char *put = "{\"path\":\"/a\",\"data\":\"x\"}";
  g_autofree char *reason = NULL;

  g_assert_cmpint (fb_reader_get_format (reader), ==, FB_MESSAGE_FORMAT_FIREBASE);
  fb_reader_connected (reader);
  g_assert_cmpint (read_event (reader, "put", put, NULL, &reason), ==, FB_MAPPING_IGNORE);
  g_assert_cmpstr (reason, ==, "the first event after connecting");
  g_assert_cmpint (read_event (reader, "put", put, NULL, NULL), ==, FB_MAPPING_SHOW);
  g_assert_cmpint (read_event (reader, "put", put, NULL, NULL), ==, FB_MAPPING_SHOW);

  /* Each connect counts anew; a keep-alive first is the one skipped. */
  fb_reader_connected (reader);
  g_assert_cmpint (read_event (reader, "put", put, NULL, NULL), ==, FB_MAPPING_IGNORE);
  g_assert_cmpint (read_event (reader, "put", put, NULL, NULL), ==, FB_MAPPING_SHOW);
  fb_reader_connected (reader);
  fb_reader_connected (reader);
  g_assert_cmpint (read_event (reader, "keep-alive", "null", NULL, NULL), ==, FB_MAPPING_IGNORE);
  g_assert_cmpint (read_event (reader, "put", put, NULL, NULL), ==, FB_MAPPING_SHOW);
}

static void
test_reader_custom (void)
{
  const char *templates[FB_MAPPING_N_FIELDS] = { "{{ .t }}", "b", };
  const char *rules[] = { "data == \"ping\"", NULL };
  g_autoptr(FbMapping) mapping = fb_mapping_new_custom (templates, rules, TRUE, NULL);
  g_autoptr(FbReader) reader = fb_reader_new (FB_MESSAGE_FORMAT_CUSTOM, mapping, NULL);
  g_autoptr(FbReader) without = fb_reader_new (FB_MESSAGE_FORMAT_CUSTOM, NULL, NULL);
  g_autoptr(FbMessage) message = NULL;

  g_assert_cmpint (fb_reader_get_effective_format (reader), ==, FB_MESSAGE_FORMAT_CUSTOM);
  fb_reader_connected (reader);
  g_assert_cmpint (read_event (reader, "message", "{\"t\":\"1\"}", NULL, NULL), ==, FB_MAPPING_IGNORE);
  g_assert_cmpint (read_event (reader, "message", "ping", NULL, NULL), ==, FB_MAPPING_IGNORE);
  g_assert_cmpint (read_event (reader, "message", "{\"t\":\"2\"}", &message, NULL), ==, FB_MAPPING_SHOW);
  g_assert_cmpstr (fb_message_get_title (message), ==, "2");
  g_clear_object (&message);

  /* A custom feed without a mapping reads generically. */
  g_assert_cmpint (read_event (without, "message", "{\"title\":\"T\"}", &message, NULL), ==,
                   FB_MAPPING_SHOW);
  g_assert_cmpstr (fb_message_get_title (message), ==, "T");
}

static void
test_reader_auto_locks_in (void)
{
  g_autoptr(FbReader) reader = fb_reader_new (FB_MESSAGE_FORMAT_AUTO, NULL, "http://127.0.0.1:8787/events");
  g_autoptr(FbMessage) message = NULL;
  g_autofree char *reason = NULL;

  fb_reader_connected (reader);
  g_assert_cmpint (fb_reader_get_effective_format (reader), ==, FB_MESSAGE_FORMAT_AUTO);

  /* An event that says nothing is read generically. */
  g_assert_cmpint (read_event (reader, "message", "{\"title\":\"Hi\"}", &message, NULL), ==,
                   FB_MAPPING_SHOW);
  g_assert_cmpstr (fb_message_get_title (message), ==, "Hi");
  g_clear_object (&message);
  g_assert_cmpint (fb_reader_get_effective_format (reader), ==, FB_MESSAGE_FORMAT_AUTO);

  /* Woodpecker's event says, and is read as Woodpecker's at once. */
  g_assert_cmpint (read_event (reader, "message",
                               "{\"repo\":{\"name\":\"r\",\"full_name\":\"o/r\"},"
                               "\"pipeline\":{\"number\":4,\"status\":\"failure\",\"branch\":\"main\"}}",
                               &message, NULL), ==, FB_MAPPING_SHOW);
  g_assert_cmpstr (fb_message_get_title (message), ==, "r #4 failed on main");
  g_clear_object (&message);
  g_assert_cmpint (fb_reader_get_effective_format (reader), ==, FB_MESSAGE_FORMAT_WOODPECKER);
  g_assert_cmpint (fb_reader_get_format (reader), ==, FB_MESSAGE_FORMAT_AUTO);

  /* Locked in: an event that looks like another service's changes nothing,
   * a reconnect neither. */
  fb_reader_connected (reader);
  read_event (reader, "put", "{\"path\":\"/\",\"data\":null}", NULL, &reason);
  g_assert_cmpint (fb_reader_get_effective_format (reader), ==, FB_MESSAGE_FORMAT_WOODPECKER);
  read_event (reader, "update", "{\"account\":{}}", NULL, NULL);
  g_assert_cmpint (fb_reader_get_effective_format (reader), ==, FB_MESSAGE_FORMAT_WOODPECKER);
}

static void
test_reader_auto_from_url (void)
{
  g_autoptr(FbReader) reader = fb_reader_new (FB_MESSAGE_FORMAT_AUTO, NULL,
                                              "https://social.example/api/v1/streaming/user");
  g_autoptr(FbReader) explicit = fb_reader_new (FB_MESSAGE_FORMAT_WIKIMEDIA, NULL,
                                                "https://social.example/api/v1/streaming/user");

  g_assert_cmpint (fb_reader_get_effective_format (reader), ==, FB_MESSAGE_FORMAT_MASTODON);
  /* The address wins over what an event looks like. */
  read_event (reader, "message", "{\"repo\":{},\"pipeline\":{}}", NULL, NULL);
  g_assert_cmpint (fb_reader_get_effective_format (reader), ==, FB_MESSAGE_FORMAT_MASTODON);
  /* A format that is set wins over the address. */
  g_assert_cmpint (fb_reader_get_effective_format (explicit), ==, FB_MESSAGE_FORMAT_WIKIMEDIA);
}

static void
test_reader_ntfy (void)
{
  g_autoptr(FbReader) reader = fb_reader_new (FB_MESSAGE_FORMAT_AUTO, NULL, "https://ntfy.sh/alerts/sse");
  g_autoptr(FbMessage) message = NULL;
  g_autofree char *reason = NULL;

  fb_reader_connected (reader);
  /* ntfy's open and keepalive events are not notifications, and not worth a reason. */
  g_assert_cmpint (read_event (reader, "open", "{\"id\":\"a\",\"time\":1,\"event\":\"open\",\"topic\":\"alerts\"}",
                               &message, &reason), ==, FB_MAPPING_IGNORE);
  g_assert_null (message);
  g_assert_null (reason);
  g_assert_cmpint (fb_reader_get_effective_format (reader), ==, FB_MESSAGE_FORMAT_NTFY);
  g_assert_cmpint (read_event (reader, "message",
                               "{\"id\":\"b\",\"time\":2,\"event\":\"message\",\"topic\":\"alerts\","
                               "\"title\":\"Disk\",\"message\":\"full\",\"priority\":5}",
                               &message, NULL), ==, FB_MAPPING_SHOW);
  g_assert_cmpstr (fb_message_get_title (message), ==, "Disk");
  g_assert_cmpint (fb_message_get_priority (message), ==, 5);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mapping/rules/cases", test_rule_cases);
  g_test_add_func ("/mapping/rules/in-order", test_rules_in_order);
  g_test_add_func ("/mapping/rules/syntax-errors", test_syntax_errors);
  g_test_add_func ("/mapping/rules/limits", test_rule_limits);
  g_test_add_func ("/mapping/rules/count-limit", test_rule_count_limit);
  g_test_add_func ("/mapping/variants/in-order", test_variants_in_order);
  g_test_add_func ("/mapping/variants/none-holds", test_no_variant_holds);
  g_test_add_func ("/mapping/failures", test_failures);
  g_test_add_func ("/mapping/skip-first-flag", test_skip_first_flag);
  g_test_add_func ("/mapping/fallback/fields", test_fallback);
  g_test_add_func ("/mapping/fallback/not-an-object", test_fallback_not_an_object);
  g_test_add_func ("/mapping/no-double-rendering", test_no_double_rendering);
  g_test_add_func ("/mapping/priority", test_priority);
  g_test_add_func ("/mapping/key-and-group", test_key_and_group);
  g_test_add_func ("/mapping/custom-errors", test_custom_errors);
  g_test_add_func ("/mapping/builtin", test_builtin_mappings);
  g_test_add_func ("/format/guess-from-url", test_guess_from_url);
  g_test_add_func ("/format/guess-from-event", test_guess_from_event);
  g_test_add_func ("/format/default-feed-name", test_default_feed_name);
  g_test_add_func ("/format/nicks", test_nicks);
  g_test_add_func ("/format/matches-schema", test_format_matches_schema);
  g_test_add_func ("/reader/skip-first", test_reader_skip_first);
  g_test_add_func ("/reader/custom", test_reader_custom);
  g_test_add_func ("/reader/auto-locks-in", test_reader_auto_locks_in);
  g_test_add_func ("/reader/auto-from-url", test_reader_auto_from_url);
  g_test_add_func ("/reader/ntfy", test_reader_ntfy);

  return g_test_run ();
}
