/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fb-sse-parser.h"

/*
 * Every vector is checked against a transcript of the parser's callbacks:
 *
 *   E|type|data|last-event-id   one dispatched event
 *   R|ms                        one retry callback
 *   L|last-event-id             fb_sse_parser_get_last_event_id() after the input
 *   D|n                         fb_sse_parser_get_n_dropped(), only when not 0
 *
 * Strings are escaped so that every byte is visible: `\0`, `\n`, `\r`, `\\`, `\|`,
 * other controls as `\x{1F}`, non-ASCII characters as `\u{FFFD}` and bytes that
 * are not valid UTF-8 (which the parser must never hand out) as `!x{C3}`.
 */
#define RC   "\\u{FFFD}"
#define BOM  "\xEF\xBB\xBF"

typedef struct
{
  const char *name;
  const char *input;
  gsize       input_len;
  const char *events;
  const char *last_id;
} SseVector;

/* sizeof keeps embedded NUL bytes in the input. */
#define V(name, input, events, last_id) { name, input, sizeof (input) - 1, events, last_id }

static const SseVector vectors[] = {
  /* Line ends */
  V ("lf", "data: x\n\n", "E|message|x|\n", ""),
  V ("crlf", "data: x\r\n\r\n", "E|message|x|\n", ""),
  V ("cr", "data: x\r\r", "E|message|x|\n", ""),
  V ("cr-cr-is-two-line-ends", "data: a\r\rdata: b\r\r",
     "E|message|a|\nE|message|b|\n", ""),
  V ("cr-then-crlf", "data: a\r\r\ndata: b\n\n",
     "E|message|a|\nE|message|b|\n", ""),
  V ("lf-then-crlf", "data: a\n\r\n", "E|message|a|\n", ""),
  V ("crlf-lf-mixed", "data: a\r\ndata: b\ndata: c\r\r\n",
     "E|message|a\\nb\\nc|\n", ""),
  V ("lf-cr-is-two-line-ends", "data: a\n\rdata: b\n\n",
     "E|message|a|\nE|message|b|\n", ""),
  V ("crlf-crlf-crlf", "data: a\r\n\r\n\r\ndata: b\r\n\r\n",
     "E|message|a|\nE|message|b|\n", ""),
  V ("blank-lines-only", "\n\r\n\r\r\n\n", "", ""),

  /* Data */
  V ("multi-line-data", "data: a\ndata: b\ndata: c\n\n", "E|message|a\\nb\\nc|\n", ""),
  V ("data-no-space", "data:x\n\n", "E|message|x|\n", ""),
  V ("data-one-space-removed", "data:  x\n\n", "E|message| x|\n", ""),
  V ("data-tab-kept", "data:\tx\n\n", "E|message|\\x{09}x|\n", ""),
  V ("data-trailing-space-kept", "data: x \n\n", "E|message|x |\n", ""),
  V ("data-without-colon", "data\n\n", "E|message||\n", ""),
  V ("data-empty-value", "data:\n\n", "E|message||\n", ""),
  V ("data-space-only-value", "data: \n\n", "E|message||\n", ""),
  V ("data-two-empty-lines", "data\ndata\n\n", "E|message|\\n|\n", ""),
  V ("data-empty-then-text", "data:\ndata: x\n\n", "E|message|\\nx|\n", ""),
  V ("data-text-then-empty", "data: x\ndata\n\n", "E|message|x\\n|\n", ""),
  V ("data-colons-in-value", "data: a:b: c\n\n", "E|message|a:b: c|\n", ""),
  V ("data-double-colon", "data::x\n\n", "E|message|:x|\n", ""),
  V ("data-backslash-pipe", "data: a\\b|c\n\n", "E|message|a\\\\b\\|c|\n", ""),
  V ("data-json", "data: {\"a\": [1, 2]}\n\n", "E|message|{\"a\": [1, 2]}|\n", ""),
  V ("two-events", "data: a\n\ndata: b\n\n", "E|message|a|\nE|message|b|\n", ""),
  V ("extra-blank-lines-between", "data: a\n\n\n\ndata: b\n\n",
     "E|message|a|\nE|message|b|\n", ""),
  V ("space-line-is-not-blank", "data: x\n \n", "", ""),
  V ("space-line-then-blank", "data: x\n \n\n", "E|message|x|\n", ""),

  /* Unterminated events are never dispatched */
  V ("unterminated-no-eol", "data: x", "", ""),
  V ("unterminated-one-eol", "data: x\n", "", ""),
  V ("unterminated-after-event", "data: a\n\ndata: b\n", "E|message|a|\n", ""),
  V ("unterminated-id-not-applied", "id: 1\ndata: a\n\nid: 2\ndata: b\n",
     "E|message|a|1\n", "1"),
  V ("unterminated-id-only", "id: 5\n", "", ""),
  V ("empty-input", "", "", ""),

  /* Comments and unknown fields */
  V ("comment", ": hello\ndata: x\n\n", "E|message|x|\n", ""),
  V ("comment-empty", ":\ndata: x\n\n", "E|message|x|\n", ""),
  V ("comment-only-event", ": ping\n\n", "", ""),
  V ("comment-between-data", "data: a\n: c\ndata: b\n\n", "E|message|a\\nb|\n", ""),
  V ("comment-looks-like-field", ":data: x\n\n", "", ""),
  V ("unknown-field", "foo: bar\ndata: x\n\n", "E|message|x|\n", ""),
  V ("unknown-field-only", "foo: bar\n\n", "", ""),
  V ("field-name-with-space", "data : x\n\n", "", ""),
  V ("field-leading-space", " data: x\n\n", "", ""),
  V ("field-case-data", "Data: x\n\n", "", ""),
  V ("field-case-DATA", "DATA: x\n\n", "", ""),
  V ("field-case-event", "Event: foo\ndata: x\n\n", "E|message|x|\n", ""),
  V ("field-case-id", "ID: 5\ndata: x\n\n", "E|message|x|\n", ""),
  V ("field-case-retry", "Retry: 5\n", "", ""),
  V ("field-name-with-nul", "da\0ta: x\n\n", "", ""),
  V ("field-name-data-nul", "data\0: x\n\n", "", ""),
  V ("field-name-id-nul", "id\0: 5\n\n", "", ""),
  V ("field-name-retry-nul", "retry\0: 5\n", "", ""),
  V ("field-name-prefix", "dat: x\n\n", "", ""),
  V ("field-name-longer", "datax: x\nidx: 1\nretryx: 1\neventx: t\n\n", "", ""),

  /* Event type */
  V ("event-type", "event: foo\ndata: x\n\n", "E|foo|x|\n", ""),
  V ("event-type-one-event-only", "event: foo\ndata: a\n\ndata: b\n\n",
     "E|foo|a|\nE|message|b|\n", ""),
  V ("event-type-empty", "event:\ndata: x\n\n", "E|message|x|\n", ""),
  V ("event-type-no-colon", "event\ndata: x\n\n", "E|message|x|\n", ""),
  V ("event-type-last-wins", "event: a\nevent: b\ndata: x\n\n", "E|b|x|\n", ""),
  V ("event-type-after-data", "data: x\nevent: late\n\n", "E|late|x|\n", ""),
  V ("event-type-reset-without-data", "event: foo\n\ndata: x\n\n", "E|message|x|\n", ""),
  V ("event-type-space-kept", "event:  foo \ndata: x\n\n", "E| foo |x|\n", ""),

  /* Last event ID */
  V ("id", "id: 1\ndata: x\n\n", "E|message|x|1\n", "1"),
  V ("id-persists", "id: 1\ndata: a\n\ndata: b\n\n", "E|message|a|1\nE|message|b|1\n", "1"),
  V ("id-after-data", "data: a\nid: 2\n\n", "E|message|a|2\n", "2"),
  V ("id-last-wins", "id: 1\nid: 2\ndata: a\n\n", "E|message|a|2\n", "2"),
  V ("id-changes", "id: 1\ndata: a\n\nid: 2\ndata: b\n\n",
     "E|message|a|1\nE|message|b|2\n", "2"),
  V ("id-empty-value", "id: 1\ndata: a\n\nid:\ndata: b\n\n",
     "E|message|a|1\nE|message|b|\n", ""),
  V ("id-no-colon", "id: 1\ndata: a\n\nid\ndata: b\n\n",
     "E|message|a|1\nE|message|b|\n", ""),
  V ("id-without-data", "id: 5\n\n", "", "5"),
  V ("id-without-data-then-event", "id: 5\n\ndata: x\n\n", "E|message|x|5\n", "5"),
  V ("id-one-space-removed", "id:  x \ndata: a\n\n", "E|message|a| x \n", " x "),
  V ("id-with-nul-ignored", "id: a\0b\ndata: x\n\n", "E|message|x|\n", ""),
  V ("id-nul-only-ignored", "id: \0\ndata: x\n\n", "E|message|x|\n", ""),
  V ("id-with-nul-keeps-previous", "id: 1\ndata: a\n\nid: a\0b\ndata: b\n\n",
     "E|message|a|1\nE|message|b|1\n", "1"),
  V ("id-with-nul-after-id", "id: 1\nid: 2\0\ndata: a\n\n", "E|message|a|1\n", "1"),
  V ("id-utf8", "id: \xC3\xA9t\xC3\xA9\ndata: x\n\n", "E|message|x|\\u{E9}t\\u{E9}\n",
     "\\u{E9}t\\u{E9}"),
  V ("id-invalid-utf8", "id: \xFF\ndata: x\n\n", "E|message|x|" RC "\n", RC),

  /* Retry */
  V ("retry", "retry: 5000\n", "R|5000\n", ""),
  V ("retry-no-space", "retry:5000\n\n", "R|5000\n", ""),
  V ("retry-zero", "retry: 0\n", "R|0\n", ""),
  V ("retry-leading-zeros", "retry: 007\n", "R|7\n", ""),
  V ("retry-many-leading-zeros", "retry: 000000000000000000000000000000042\n", "R|42\n", ""),
  V ("retry-before-dispatch", "data: x\nretry: 5\n\n", "R|5\nE|message|x|\n", ""),
  V ("retry-twice", "retry: 1\nretry: 2\n", "R|1\nR|2\n", ""),
  V ("retry-max", "retry: 18446744073709551615\n", "R|18446744073709551615\n", ""),
  V ("retry-max-plus-one", "retry: 18446744073709551616\n", "R|18446744073709551615\n", ""),
  V ("retry-overflow", "retry: 99999999999999999999999\n", "R|18446744073709551615\n", ""),
  V ("retry-overflow-wraps-small", "retry: 36893488147419103233\n", "R|18446744073709551615\n", ""),
  V ("retry-letters", "retry: 1a\n", "", ""),
  V ("retry-negative", "retry: -1\n", "", ""),
  V ("retry-plus", "retry: +1\n", "", ""),
  V ("retry-empty", "retry: \n", "", ""),
  V ("retry-empty-no-space", "retry:\n", "", ""),
  V ("retry-no-colon", "retry\n", "", ""),
  V ("retry-decimal", "retry:1.5\n", "", ""),
  V ("retry-trailing-space", "retry: 5 \n", "", ""),
  V ("retry-two-spaces", "retry:  5\n", "", ""),
  V ("retry-fullwidth-digit", "retry: \xEF\xBC\x95\n", "", ""),
  V ("retry-with-nul", "retry: 5\0\n", "", ""),
  V ("retry-unterminated", "retry: 5", "", ""),

  /* UTF-8 decoding (WHATWG Encoding: one U+FFFD per maximal subpart) */
  V ("utf8-valid-2", "data: \xC3\xA9\n\n", "E|message|\\u{E9}|\n", ""),
  V ("utf8-valid-3", "data: \xE2\x82\xAC\n\n", "E|message|\\u{20AC}|\n", ""),
  V ("utf8-valid-4", "data: \xF0\x9F\x98\x80\n\n", "E|message|\\u{1F600}|\n", ""),
  V ("utf8-valid-edges", "data: \xED\x9F\xBF\xEE\x80\x80\xF4\x8F\xBF\xBF\xEF\xBF\xBE\n\n",
     "E|message|\\u{D7FF}\\u{E000}\\u{10FFFF}\\u{FFFE}|\n", ""),
  V ("utf8-truncated-3-before-lf", "data: \xE2\x82\n\n", "E|message|" RC "|\n", ""),
  V ("utf8-truncated-3-before-cr", "data: \xE2\x82\r\r", "E|message|" RC "|\n", ""),
  V ("utf8-truncated-4-before-ascii", "data: \xF0\x9F\x98" "A\n\n", "E|message|" RC "A|\n", ""),
  V ("utf8-truncated-then-valid", "data: \xF0\x90\x80\xF0\x90\x80\x80\n\n",
     "E|message|" RC "\\u{10000}|\n", ""),
  V ("utf8-lead-then-lead", "data: \xC2\xC2\xA9\n\n", "E|message|" RC "\\u{A9}|\n", ""),
  V ("utf8-overlong-c0", "data: \xC0\xAF\n\n", "E|message|" RC RC "|\n", ""),
  V ("utf8-overlong-c1", "data: \xC1\xBF\n\n", "E|message|" RC RC "|\n", ""),
  V ("utf8-overlong-e0", "data: \xE0\x80\x80\n\n", "E|message|" RC RC RC "|\n", ""),
  V ("utf8-overlong-f0", "data: \xF0\x80\x80\x80\n\n", "E|message|" RC RC RC RC "|\n", ""),
  V ("utf8-surrogate", "data: \xED\xA0\x80\n\n", "E|message|" RC RC RC "|\n", ""),
  V ("utf8-above-max", "data: \xF4\x90\x80\x80\n\n", "E|message|" RC RC RC RC "|\n", ""),
  V ("utf8-f5", "data: \xF5\x80\n\n", "E|message|" RC RC "|\n", ""),
  V ("utf8-five-bytes", "data: \xF8\x88\x80\x80\x80\n\n", "E|message|" RC RC RC RC RC "|\n", ""),
  V ("utf8-ff-fe", "data: \xFF\xFE\n\n", "E|message|" RC RC "|\n", ""),
  V ("utf8-lone-continuation", "data: a\xBF" "b\n\n", "E|message|a" RC "b|\n", ""),
  V ("utf8-lone-continuation-at-end", "data: \x80\n\n", "E|message|" RC "|\n", ""),
  V ("utf8-encoding-standard-mix", "data: \xE1\x80\xE2\xF0\x91\x92\xF1\xBF\x41\n\n",
     "E|message|" RC RC RC RC "A|\n", ""),
  V ("utf8-invalid-in-field-name", "dat\xC3" "a: x\n\n", "", ""),
  V ("utf8-lead-before-colon", "data\xC3: x\n\n", "", ""),
  V ("utf8-lead-before-value-colon", "data: \xC3:x\n\n", "E|message|" RC ":x|\n", ""),
  V ("utf8-invalid-event-type", "event: \xC0\ndata: x\n\n", "E|" RC "|x|\n", ""),

  /* Byte order mark */
  V ("bom", BOM "data: x\n\n", "E|message|x|\n", ""),
  V ("bom-then-comment", BOM ": c\ndata: x\n\n", "E|message|x|\n", ""),
  V ("bom-then-blank", BOM "\ndata: x\n\n", "E|message|x|\n", ""),
  V ("bom-only", BOM, "", ""),
  V ("bom-twice", BOM BOM "data: x\n\ndata: y\n\n", "E|message|y|\n", ""),
  V ("bom-twice-then-event", BOM BOM "\ndata: y\n\n", "E|message|y|\n", ""),
  V ("bom-mid-stream-line-start", "data: a\n" BOM "data: b\n\n", "E|message|a|\n", ""),
  V ("bom-after-blank-line", "\n" BOM "data: x\n\n", "", ""),
  V ("bom-after-cr", "\r" BOM "data: x\r\r", "", ""),
  V ("bom-after-crlf", "\r\n" BOM "data: x\n\ndata: y\n\n", "E|message|y|\n", ""),
  V ("bom-in-value", "data: " BOM "x\n\n", "E|message|\\u{FEFF}x|\n", ""),
  V ("bom-then-bom-value", BOM "data:" BOM "\n\n", "E|message|\\u{FEFF}|\n", ""),
  V ("bom-partial-2", "\xEF\xBB" "data: x\n\n", "", ""),
  V ("bom-partial-1", "\xEF" "data: x\n\n", "", ""),
  V ("bom-partial-then-event", "\xEF\xBB\n" "data: x\n\n", "E|message|x|\n", ""),

  /* NUL bytes */
  V ("nul-in-data", "data: a\0b\n\n", "E|message|a\\0b|\n", ""),
  V ("nul-only-data", "data: \0\n\n", "E|message|\\0|\n", ""),
  V ("nul-multi-line", "data: a\0\ndata: \0b\n\n", "E|message|a\\0\\n\\0b|\n", ""),
  V ("nul-line-is-not-blank", "data: x\n\0\n\n", "E|message|x|\n", ""),
  V ("nul-in-event-value", "event: a\0\ndata: x\n\n", "E|a|x|\n", ""),

  /* A realistic stream */
  V ("stream", BOM ": welcome\r\nretry: 10000\r\n\r\n"
     "id: 1\r\nevent: push\r\ndata: {\"title\": \"Hi \xE2\x9C\x93\"}\r\n\r\n"
     ": keep-alive\r\n\r\n"
     "id: 2\r\ndata: line 1\r\ndata: line 2\r\n\r\n"
     "data: tail",
     "R|10000\nE|push|{\"title\": \"Hi \\u{2713}\"}|1\nE|message|line 1\\nline 2|2\n", "2"),
};

typedef struct
{
  FbSseParser *parser;
  GString     *out;
} Transcript;

static void
feed_str (FbSseParser *parser,
          const char  *str)
{
  fb_sse_parser_feed (parser, str, strlen (str));
}

static void
append_escaped (GString    *out,
                const char *s,
                gsize       len)
{
  const char *end = s + len;
  const char *p = s;

  while (p < end)
    {
      guchar c = (guchar) *p;
      gunichar ch;

      if (c == '\0')
        g_string_append (out, "\\0");
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\\' || c == '|')
        g_string_append_c (g_string_append_c (out, '\\'), c);
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x{%02X}", c);
      else if (c < 0x80)
        g_string_append_c (out, c);
      else if ((ch = g_utf8_get_char_validated (p, end - p)) < 0x110000)
        {
          g_string_append_printf (out, "\\u{%X}", ch);
          p = g_utf8_next_char (p);
          continue;
        }
      else
        g_string_append_printf (out, "!x{%02X}", c);
      p++;
    }
}

static char *
escape (const char *s,
        gsize       len)
{
  GString *out = g_string_new (NULL);

  append_escaped (out, s, len);
  return g_string_free (out, FALSE);
}

static void
event_cb (const char *type,
          const char *data,
          gsize       data_len,
          const char *last_event_id,
          gpointer    user_data)
{
  Transcript *t = user_data;

  g_assert_nonnull (type);
  g_assert_nonnull (data);
  g_assert_nonnull (last_event_id);
  g_assert_cmpint (data[data_len], ==, '\0');
  /* The event carries the last event ID string as set just before dispatch. */
  g_assert_cmpstr (last_event_id, ==, fb_sse_parser_get_last_event_id (t->parser));

  g_string_append (t->out, "E|");
  append_escaped (t->out, type, strlen (type));
  g_string_append_c (t->out, '|');
  append_escaped (t->out, data, data_len);
  g_string_append_c (t->out, '|');
  append_escaped (t->out, last_event_id, strlen (last_event_id));
  g_string_append_c (t->out, '\n');
}

static void
retry_cb (guint64  retry_ms,
          gpointer user_data)
{
  Transcript *t = user_data;

  g_string_append_printf (t->out, "R|%" G_GUINT64_FORMAT "\n", retry_ms);
}

static void
transcript_init (Transcript *t,
                 gsize       max_size)
{
  t->parser = fb_sse_parser_new (max_size);
  t->out = g_string_new (NULL);
  fb_sse_parser_set_handlers (t->parser, event_cb, retry_cb, t);
}

/* Frees the parser and returns the transcript with the L| and D| lines. */
static char *
transcript_finish (Transcript *t)
{
  const char *last_id = fb_sse_parser_get_last_event_id (t->parser);
  guint n_dropped = fb_sse_parser_get_n_dropped (t->parser);

  g_assert_nonnull (last_id);
  g_string_append (t->out, "L|");
  append_escaped (t->out, last_id, strlen (last_id));
  g_string_append_c (t->out, '\n');
  if (n_dropped != 0)
    g_string_append_printf (t->out, "D|%u\n", n_dropped);

  g_clear_pointer (&t->parser, fb_sse_parser_free);
  return g_string_free (g_steal_pointer (&t->out), FALSE);
}

/* Feeds @input in pieces ending at the @n_cuts positions in @cuts (ascending),
 * after @primer and a reset when @primer is not NULL. */
static char *
run_cuts (gsize        max_size,
          const char  *primer,
          gsize        primer_len,
          const char  *input,
          gsize        len,
          const gsize *cuts,
          guint        n_cuts)
{
  Transcript t;
  gsize start = 0;

  transcript_init (&t, max_size);
  if (primer != NULL)
    {
      fb_sse_parser_feed (t.parser, primer, primer_len);
      fb_sse_parser_reset (t.parser);
    }
  for (guint i = 0; i < n_cuts; i++)
    {
      g_assert_cmpuint (cuts[i], >=, start);
      fb_sse_parser_feed (t.parser, input + start, cuts[i] - start);
      start = cuts[i];
    }
  fb_sse_parser_feed (t.parser, input + start, len - start);

  return transcript_finish (&t);
}

static char *
run_bytewise (gsize       max_size,
              const char *input,
              gsize       len)
{
  Transcript t;

  transcript_init (&t, max_size);
  for (gsize i = 0; i < len; i++)
    fb_sse_parser_feed (t.parser, input + i, 1);

  return transcript_finish (&t);
}

/* Takes @got. Returns whether it was @expected; the test is marked failed if not. */
static gboolean
check_transcript (char       *got,
                  const char *expected,
                  const char *input,
                  gsize       len,
                  const char *mode,
                  gsize       a,
                  gsize       b)
{
  g_autofree char *owned = got;
  g_autofree char *escaped = NULL;

  if (g_strcmp0 (got, expected) == 0)
    return TRUE;

  escaped = escape (input, len);
  g_test_message ("input \"%s\" fed %s (%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ")",
                  escaped, mode, a, b);
  g_assert_cmpstr (got, ==, expected);
  return FALSE;
}

/* Primers leave a partial line, a pending event, a half BOM or a pending
 * CR behind: a reset must forget all of them and set no last event ID. */
static const struct {
  const char *bytes;
  gsize       len;
} primers[] = {
#define P(s) { s, sizeof (s) - 1 }
  P (BOM "event: junk\ndata: junk\ndata: \xE2\x82"),
  P ("data: junk\r"),
  P ("\xEF\xBB"),
  P ("retry: 1"),
#undef P
};

/* Short inputs are split in three at every pair of positions, long ones at a sample. */
static gboolean
skip_three_way (gsize len,
                gsize i,
                gsize j)
{
  return len > 80 && (i % 7 != 1 || j % 5 != 2) && j != i + 1;
}

/* Feeds @input whole, byte by byte, split in two at every position, in three
 * at many positions, and after a reset: all must give @expected. Stops at the
 * first difference, so that one bug gives one failure message. */
static void
check_all_feeds (gsize       max_size,
                 const char *input,
                 gsize       len,
                 const char *expected)
{
  if (!check_transcript (run_cuts (max_size, NULL, 0, input, len, NULL, 0),
                         expected, input, len, "whole", 0, 0))
    return;

  if (!check_transcript (run_bytewise (max_size, input, len),
                         expected, input, len, "byte by byte", 0, 0))
    return;

  for (gsize i = 0; i <= len; i++)
    {
      if (!check_transcript (run_cuts (max_size, NULL, 0, input, len, &i, 1),
                             expected, input, len, "split in two at", i, 0))
        return;
    }

  for (gsize i = 0; i <= len; i++)
    {
      for (gsize j = i; j <= len; j++)
        {
          gsize cuts[2] = { i, j };

          if (skip_three_way (len, i, j))
            continue;
          if (!check_transcript (run_cuts (max_size, NULL, 0, input, len, cuts, 2),
                                 expected, input, len, "split in three at", i, j))
            return;
        }
    }

  for (guint p = 0; p < G_N_ELEMENTS (primers); p++)
    {
      gsize mid = len * p / G_N_ELEMENTS (primers);

      if (!check_transcript (run_cuts (max_size, primers[p].bytes, primers[p].len,
                                       input, len, &mid, 1),
                             expected, input, len, "after primer and reset, split at", p, mid))
        return;
    }
}

static void
test_vector (gconstpointer data)
{
  const SseVector *v = data;
  g_autofree char *expected = NULL;

  expected = g_strdup_printf ("%sL|%s\n", v->events, v->last_id);
  check_all_feeds (0, v->input, v->input_len, expected);
}

/* Reset: what was fed before belongs to a connection that is gone. */
typedef struct
{
  const char *name;
  const char *before;
  gsize       before_len;
  const char *after;
  gsize       after_len;
  const char *events;
  const char *last_id;
} SseResetVector;

#define RV(name, before, after, events, last_id) \
  { name, before, sizeof (before) - 1, after, sizeof (after) - 1, events, last_id }

static const SseResetVector reset_vectors[] = {
  RV ("partial-line", "data: a\ndata: b", "\n\n", "", ""),
  RV ("pending-data", "data: a\n", "data: b\n\n", "E|message|b|\n", ""),
  RV ("pending-type", "event: foo\n", "data: b\n\n", "E|message|b|\n", ""),
  RV ("pending-cr", "data: a\r", "\ndata: b\n\n", "E|message|b|\n", ""),
  /* The LF after the reset starts the new stream: the BOM after it is not at its start. */
  RV ("pending-cr-then-bom", "data: a\r", "\n" BOM "data: b\n\ndata: c\n\n",
      "E|message|c|\n", ""),
  RV ("pending-utf8", "data: a\n\n\xE2", "data: b\n\n", "E|message|a|\nE|message|b|\n", ""),
  RV ("bom-stripped-again", BOM "data: a\n\n", BOM "data: b\n\n",
      "E|message|a|\nE|message|b|\n", ""),
  RV ("bom-after-bom-only", BOM, BOM "data: b\n\n", "E|message|b|\n", ""),
  RV ("bom-at-new-stream", "data: a\n\n", BOM "data: b\n\n",
      "E|message|a|\nE|message|b|\n", ""),
  RV ("last-id-kept", "id: 7\ndata: a\n\n", "data: b\n\n",
      "E|message|a|7\nE|message|b|7\n", "7"),
  RV ("last-id-kept-without-events", "id: 7\ndata: a\n\n", "", "E|message|a|7\n", "7"),
  RV ("last-id-replaced", "id: 7\ndata: a\n\n", "id: 8\ndata: b\n\n",
      "E|message|a|7\nE|message|b|8\n", "8"),
  RV ("pending-id-dropped", "id: 1\ndata: a\n\nid: 2\n", "data: b\n\n",
      "E|message|a|1\nE|message|b|1\n", "1"),
  RV ("pending-id-partial-line", "id: 1\n\nid: 2", "data: b\n\n", "E|message|b|1\n", "1"),
  RV ("retry-before-reset", "retry: 5\ndata: a\n", "data: b\n\n", "R|5\nE|message|b|\n", ""),
  RV ("nothing-before", "", BOM "data: b\n\n", "E|message|b|\n", ""),
};

static char *
run_reset (const SseResetVector *v,
           gsize                 before_cut,
           gsize                 after_cut)
{
  Transcript t;

  transcript_init (&t, 0);
  fb_sse_parser_feed (t.parser, v->before, before_cut);
  fb_sse_parser_feed (t.parser, v->before + before_cut, v->before_len - before_cut);
  fb_sse_parser_reset (t.parser);
  fb_sse_parser_feed (t.parser, v->after, after_cut);
  fb_sse_parser_feed (t.parser, v->after + after_cut, v->after_len - after_cut);

  return transcript_finish (&t);
}

static void
test_reset_vector (gconstpointer data)
{
  const SseResetVector *v = data;
  g_autofree char *expected = NULL;

  expected = g_strdup_printf ("%sL|%s\n", v->events, v->last_id);
  for (gsize i = 0; i <= v->before_len; i++)
    {
      for (gsize j = 0; j <= v->after_len; j++)
        {
          g_autofree char *got = run_reset (v, i, j);

          if (g_strcmp0 (got, expected) != 0)
            {
              g_test_message ("split before reset at %" G_GSIZE_FORMAT
                              ", after reset at %" G_GSIZE_FORMAT, i, j);
              g_assert_cmpstr (got, ==, expected);
              return;
            }
        }
    }
}

static void
test_reset_twice (void)
{
  Transcript t;
  g_autofree char *got = NULL;

  transcript_init (&t, 0);
  fb_sse_parser_reset (t.parser);
  fb_sse_parser_reset (t.parser);
  feed_str (t.parser, BOM "id: 3\ndata: a\n\n");
  fb_sse_parser_reset (t.parser);
  fb_sse_parser_reset (t.parser);
  feed_str (t.parser, BOM "data: b\n\n");
  got = transcript_finish (&t);

  g_assert_cmpstr (got, ==, "E|message|a|3\nE|message|b|3\nL|3\n");
}

static void
test_set_last_event_id (void)
{
  Transcript t;
  g_autofree char *got = NULL;

  transcript_init (&t, 0);
  g_assert_cmpstr (fb_sse_parser_get_last_event_id (t.parser), ==, "");
  fb_sse_parser_set_last_event_id (t.parser, "abc");
  g_assert_cmpstr (fb_sse_parser_get_last_event_id (t.parser), ==, "abc");
  feed_str (t.parser, "data: a\n\n");
  fb_sse_parser_reset (t.parser);
  g_assert_cmpstr (fb_sse_parser_get_last_event_id (t.parser), ==, "abc");
  feed_str (t.parser, "data: b\n\nid: x\n\n");
  fb_sse_parser_set_last_event_id (t.parser, "");
  feed_str (t.parser, "data: c\n\n");
  got = transcript_finish (&t);

  g_assert_cmpstr (got, ==,
                   "E|message|a|abc\n"
                   "E|message|b|abc\n"
                   "E|message|c|\n"
                   "L|\n");
}

static void
count_cb (const char *type,
          const char *data,
          gsize       data_len,
          const char *last_event_id,
          gpointer    user_data)
{
  guint *n = user_data;

  (*n)++;
}

static void
test_no_retry_handler (void)
{
  g_autoptr(FbSseParser) parser = fb_sse_parser_new (0);
  guint n = 0;

  fb_sse_parser_set_handlers (parser, count_cb, NULL, &n);
  feed_str (parser, "retry: 5\nid: 4\ndata: x\n\n");
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (fb_sse_parser_get_last_event_id (parser), ==, "4");
}

static void
test_max_size (void)
{
  g_autoptr(FbSseParser) defaulted = fb_sse_parser_new (0);
  g_autoptr(FbSseParser) small = fb_sse_parser_new (64);

  g_assert_cmpuint (fb_sse_parser_get_max_size (defaulted), ==, FB_SSE_PARSER_DEFAULT_MAX_SIZE);
  g_assert_cmpuint (fb_sse_parser_get_max_size (small), ==, 64);
  g_assert_cmpuint (fb_sse_parser_get_n_dropped (defaulted), ==, 0);
  g_assert_cmpuint (fb_sse_parser_get_n_dropped (small), ==, 0);
}

/* Size limit of 64 bytes: the transcript ends with D|n when events were dropped. */
typedef struct
{
  const char *name;
  const char *input;
  const char *expected;
} SseLimitVector;

#define A10 "aaaaaaaaaa"
#define B10 "bbbbbbbbbb"
#define A40 A10 A10 A10 A10
#define B40 B10 B10 B10 B10
#define A100 A40 A40 A10 A10
#define A64 A40 A10 A10 "aaaa"
#define B23 B10 B10 "bbb"
#define EURO10 "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC" \
               "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"

static const SseLimitVector limit_vectors[] = {
  { "small-event-kept", "data: " A10 A10 "\n\n", "E|message|" A10 A10 "|\nL|\n" },
  { "small-events-kept", "data: " A40 "\n\ndata: " B40 "\n\n",
    "E|message|" A40 "|\nE|message|" B40 "|\nL|\n" },
  { "long-line", "data: " A100 "\n\ndata: ok\n\n", "E|message|ok|\nL|\nD|1\n" },
  { "long-line-crlf", "data: " A100 "\r\n\r\ndata: ok\r\n\r\n", "E|message|ok|\nL|\nD|1\n" },
  { "long-line-rest-of-event-dropped", "data: " A100 "\ndata: b\n\ndata: ok\n\n",
    "E|message|ok|\nL|\nD|1\n" },
  { "long-line-after-data", "data: b\ndata: " A100 "\n\ndata: ok\n\n",
    "E|message|ok|\nL|\nD|1\n" },
  { "two-long-lines-one-event", "data: " A100 "\ndata: " A100 "\n\ndata: ok\n\n",
    "E|message|ok|\nL|\nD|1\n" },
  { "accumulated-data", "data: " A40 "\ndata: " B40 "\n\ndata: ok\n\n",
    "E|message|ok|\nL|\nD|1\n" },
  { "accumulated-many-lines",
    "data: " A10 "\ndata: " A10 "\ndata: " A10 "\ndata: " A10 "\ndata: " A10
    "\ndata: " A10 "\ndata: " A10 "\n\ndata: ok\n\n",
    "E|message|ok|\nL|\nD|1\n" },
  { "two-dropped-events", "data: " A100 "\n\ndata: " A40 "\ndata: " B40 "\n\ndata: ok\n\n",
    "E|message|ok|\nL|\nD|2\n" },
  { "dropped-between", "data: a\n\ndata: " A100 "\n\ndata: b\n\n",
    "E|message|a|\nE|message|b|\nL|\nD|1\n" },
  { "next-event-id", "data: " A100 "\n\nid: 9\ndata: ok\n\n", "E|message|ok|9\nL|9\nD|1\n" },
  { "next-event-type", "data: " A100 "\n\nevent: t\ndata: ok\n\n", "E|t|ok|\nL|\nD|1\n" },
  /* Only the first line of a stream may lose a BOM, even when that line was too long. */
  { "long-first-line-then-bom", "data: " A100 "\n" BOM "\ndata: y\n\ndata: ok\n\n",
    "E|message|ok|\nL|\nD|1\n" },
  { "long-first-comment-then-bom", ":" A100 "\n" BOM "\ndata: y\n\ndata: ok\n\n",
    "E|message|ok|\nL|\nD|1\n" },
  { "bom-long-first-line-then-bom", BOM "data: " A100 "\n" BOM "\ndata: y\n\ndata: ok\n\n",
    "E|message|ok|\nL|\nD|1\n" },
  { "bytes-not-characters", "data: " EURO10 EURO10 EURO10 "\n\ndata: ok\n\n",
    "E|message|ok|\nL|\nD|1\n" },
  /* The bound is the event's data: the field name does not count. */
  { "exactly-max", "data: " A64 "\n\ndata: ok\n\n", "E|message|" A64 "|\nE|message|ok|\nL|\n" },
  { "exactly-max-no-space", "data:" A64 "\r\n\r\n", "E|message|" A64 "|\nL|\n" },
  { "max-plus-one", "data: " A64 "a\n\ndata: ok\n\n", "E|message|ok|\nL|\nD|1\n" },
  { "max-plus-one-no-space", "data:" A64 "a\n\ndata: ok\n\n", "E|message|ok|\nL|\nD|1\n" },
  /* Two lines: 40 bytes, the LF between them, 23 bytes. */
  { "lines-exactly-max", "data: " A40 "\ndata: " B23 "\n\n", "E|message|" A40 "\\n" B23 "|\nL|\n" },
  { "lines-max-plus-one", "data: " A40 "\ndata: " B23 "b\n\ndata: ok\n\n",
    "E|message|ok|\nL|\nD|1\n" },
};

static void
test_limit_vector (gconstpointer data)
{
  const SseLimitVector *v = data;

  check_all_feeds (64, v->input, strlen (v->input), v->expected);
}

/* A 10 MiB line without a newline must be dropped without buffering it all. */
static void
test_huge_line (void)
{
  Transcript t;
  g_autofree char *chunk = g_malloc (16 * 1024);
  g_autofree char *got = NULL;
  gsize total = 0;

  memset (chunk, 'x', 16 * 1024);
  transcript_init (&t, 0);
  feed_str (t.parser, "id: 1\ndata: a\n\ndata: ");
  while (total < 10 * 1024 * 1024)
    {
      fb_sse_parser_feed (t.parser, chunk, 16 * 1024);
      total += 16 * 1024;
    }
  g_assert_cmpuint (fb_sse_parser_get_n_dropped (t.parser), <=, 1);
  feed_str (t.parser, "\n\n");
  g_assert_cmpuint (fb_sse_parser_get_n_dropped (t.parser), ==, 1);
  feed_str (t.parser, "data: next\n\n");
  got = transcript_finish (&t);

  g_assert_cmpstr (got, ==, "E|message|a|1\nE|message|next|1\nL|1\nD|1\n");
}

typedef struct
{
  guint n_events;
  gsize data_len;   /* of the first event */
  gsize max_len;    /* of the others */
} SizeCount;

static void
size_count_cb (const char *type,
               const char *data,
               gsize       data_len,
               const char *last_event_id,
               gpointer    user_data)
{
  SizeCount *c = user_data;

  if (c->n_events++ == 0)
    c->data_len = data_len;
  else
    c->max_len = MAX (c->max_len, data_len);
}

/* Feeds one event of @size bytes of data (a single `data:` line), then
 * "data: ok", in reads of @read_size bytes. */
static SizeCount
feed_sized_event (FbSseParser *parser,
                  gsize        size,
                  gsize        read_size)
{
  g_autoptr(GString) stream = g_string_new ("data: ");
  SizeCount count = { 0 };

  fb_sse_parser_set_handlers (parser, size_count_cb, NULL, &count);
  for (gsize i = 0; i < size; i++)
    g_string_append_c (stream, 'x');
  g_string_append (stream, "\n\ndata: ok\n\n");
  for (gsize i = 0; i < stream->len; i += read_size)
    fb_sse_parser_feed (parser, stream->str + i, MIN (read_size, stream->len - i));
  fb_sse_parser_set_handlers (parser, NULL, NULL, NULL);

  return count;
}

/* The default bound is 1 MiB of data: a `data:` line of exactly that is
 * one event, in one read or in many. */
static void
test_mib_event (void)
{
  const gsize read_sizes[] = { 2 * 1024 * 1024, 16 * 1024, 1000 };

  for (guint i = 0; i < G_N_ELEMENTS (read_sizes); i++)
    {
      g_autoptr(FbSseParser) parser = fb_sse_parser_new (0);
      SizeCount count = feed_sized_event (parser, 1024 * 1024, read_sizes[i]);

      g_assert_cmpuint (count.n_events, ==, 2);
      g_assert_cmpuint (count.data_len, ==, 1024 * 1024);
      g_assert_cmpuint (fb_sse_parser_get_n_dropped (parser), ==, 0);
    }
}

/* One byte more is dropped, counted, and the next event comes through. */
static void
test_mib_plus_one (void)
{
  const gsize read_sizes[] = { 2 * 1024 * 1024, 16 * 1024, 1000 };

  for (guint i = 0; i < G_N_ELEMENTS (read_sizes); i++)
    {
      g_autoptr(FbSseParser) parser = fb_sse_parser_new (0);
      SizeCount count = feed_sized_event (parser, 1024 * 1024 + 1, read_sizes[i]);

      g_assert_cmpuint (count.n_events, ==, 1);
      g_assert_cmpuint (count.data_len, ==, 2);  /* "ok" */
      g_assert_cmpuint (fb_sse_parser_get_n_dropped (parser), ==, 1);
    }
}

/* A bound set after the parser was made, as a feed's setting is. */
static void
test_custom_bound (void)
{
  g_autoptr(FbSseParser) parser = fb_sse_parser_new (0);
  SizeCount count;

  fb_sse_parser_set_max_size (parser, 4096);
  g_assert_cmpuint (fb_sse_parser_get_max_size (parser), ==, 4096);

  count = feed_sized_event (parser, 4096, 1000);
  g_assert_cmpuint (count.n_events, ==, 2);
  g_assert_cmpuint (count.data_len, ==, 4096);
  g_assert_cmpuint (fb_sse_parser_get_n_dropped (parser), ==, 0);

  count = feed_sized_event (parser, 4097, 1000);
  g_assert_cmpuint (count.n_events, ==, 1);
  g_assert_cmpuint (fb_sse_parser_get_n_dropped (parser), ==, 1);

  /* Larger than the default: 2 MiB kept. */
  fb_sse_parser_set_max_size (parser, 2 * 1024 * 1024);
  count = feed_sized_event (parser, 2 * 1024 * 1024, 64 * 1024);
  g_assert_cmpuint (count.n_events, ==, 2);
  g_assert_cmpuint (count.data_len, ==, 2 * 1024 * 1024);
  g_assert_cmpuint (fb_sse_parser_get_n_dropped (parser), ==, 1);

  fb_sse_parser_set_max_size (parser, 0);
  g_assert_cmpuint (fb_sse_parser_get_max_size (parser), ==, FB_SSE_PARSER_DEFAULT_MAX_SIZE);
}

/* Sanity checks of the harness itself, so a broken transcript cannot hide bugs. */
static void
test_escape (void)
{
  static const char raw[] = "a\0\n\r\\|\x01\xC3\xA9\xEF\xBF\xBD\xC3";
  g_autofree char *escaped = escape (raw, sizeof raw - 1);

  g_assert_cmpstr (escaped, ==, "a\\0\\n\\r\\\\\\|\\x{01}\\u{E9}" RC "!x{C3}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* A failing vector must not hide the verdict on the others. */
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/sse/parser/escape", test_escape);
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sse/parser/vector/%s", vectors[i].name);

      g_test_add_data_func (path, &vectors[i], test_vector);
    }
  for (guint i = 0; i < G_N_ELEMENTS (reset_vectors); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sse/parser/reset/%s", reset_vectors[i].name);

      g_test_add_data_func (path, &reset_vectors[i], test_reset_vector);
    }
  for (guint i = 0; i < G_N_ELEMENTS (limit_vectors); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sse/parser/limit/%s", limit_vectors[i].name);

      g_test_add_data_func (path, &limit_vectors[i], test_limit_vector);
    }
  g_test_add_func ("/sse/parser/reset/twice", test_reset_twice);
  g_test_add_func ("/sse/parser/last-event-id/set", test_set_last_event_id);
  g_test_add_func ("/sse/parser/no-retry-handler", test_no_retry_handler);
  g_test_add_func ("/sse/parser/limit/max-size", test_max_size);
  g_test_add_func ("/sse/parser/limit/huge-line", test_huge_line);
  g_test_add_func ("/sse/parser/limit/mib-event", test_mib_event);
  g_test_add_func ("/sse/parser/limit/mib-plus-one", test_mib_plus_one);
  g_test_add_func ("/sse/parser/limit/custom", test_custom_bound);

  return g_test_run ();
}
