/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-template.h"

#include <string.h>


static FbTemplate *
parse_ok (const char *source)
{
  g_autoptr(GError) error = NULL;
  FbTemplate *template = fb_template_parse (source, &error);

  g_assert_no_error (error);
  g_assert_nonnull (template);
  return template;
}


/* ------------------------------------------------------------------------ */

typedef struct
{
  const char *name;
  const char *source;
  const char *message;
} ErrorCase;

#define FILTERS "unknown filter “shout”; the filters are striphtml, truncate, default, lower, " \
  "upper and join"

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
  { "default-number", "{{ .a | default 3 }}", "Column 17: default needs a string in quotes" },
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
    "upper and join" },
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

  for (guint i = 0; i < FB_TEMPLATE_MAX_STEPS; i++)
    g_string_append (source, ".a");
  g_string_append (source, " }}");
  template = parse_ok (source->str);

  /* The 33rd step starts at byte 3 + 32 * 2. */
  g_string_insert (source, 3 + 2 * FB_TEMPLATE_MAX_STEPS, "[0]");
  assert_syntax_error (source->str, "Column 68: a path may have at most 32 steps");
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
test_ref (void)
{
  const char *source = "{{ .title }}";
  FbTemplate *template = parse_ok (source);

  g_assert_true (fb_template_ref (template) == template);
  fb_template_unref (template);
  g_assert_cmpstr (fb_template_get_source (template), ==, source);
  g_assert_true (fb_template_get_source (template) != source);
  fb_template_unref (template);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (syntax_errors); i++)
    {
      g_autofree char *path = g_strconcat ("/template/syntax-error/", syntax_errors[i].name, NULL);

      g_test_add_data_func (path, &syntax_errors[i], test_syntax_error_case);
    }

  g_test_add_func ("/template/limits/actions", test_limits_actions);
  g_test_add_func ("/template/limits/steps", test_limits_steps);
  g_test_add_func ("/template/limits/length", test_limits_length);
  g_test_add_func ("/template/ref", test_ref);

  return g_test_run ();
}
