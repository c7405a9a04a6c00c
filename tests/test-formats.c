/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-enums.h"
#include "fb-format.h"
#include "fb-reader.h"
#include "fb-sse-parser.h"
#include "fb-url.h"

#include <string.h>

/*
 * The built-in formats on the streams of tests/data/formats/: each .sse
 * file goes through the real FbSseParser and an FbReader in "Automatic",
 * and what the reader makes of each event is one JSON line; the lines must
 * be those of the .expected file beside it.
 *
 * After a deliberate change to a format, regenerate the .expected files:
 *
 *     FB_UPDATE_GOLDEN=1 build/tests/test-formats
 *
 * then read the diff line by line before committing: the .expected files
 * are what users see, and blessing a wrong line blesses the bug.
 *
 * Every message of every test here must also be safe to show: valid UTF-8,
 * bounded, no link but http(s), no raw JSON or template in a title.
 */

#define MAX_TITLE 200
#define MAX_BODY  4000
#define MIB       (1024 * 1024)

typedef struct
{
  const char      *name;
  const char      *url;
  FbMessageFormat  format;  /* what the stream is recognised as */
  guint            first;   /* the event that says so, without the address */
} Stream;

#define MASTODON_URL   "https://social.example/api/v1/streaming/user"
#define WIKIMEDIA_URL  "https://stream.wikimedia.org/v2/stream/recentchange"
#define HA_URL         "http://127.0.0.1:8123/api/stream"
#define FIREBASE_URL   "https://example-default-rtdb.firebaseio.com/messages.json"
#define MERCURE_URL    "https://hub.example.com/.well-known/mercure?topic=https://example.com/books/{id}"
#define WOODPECKER_URL "https://ci.example.com/api/stream/events"

static const Stream streams[] = {
  /* Every service's first event says which it is, but Home Assistant's:
   * it opens with `data: ping`, which is ignored as a keep-alive until
   * the next event says. */
  { "mastodon", MASTODON_URL, FB_MESSAGE_FORMAT_MASTODON, 0 },
  { "wikimedia", WIKIMEDIA_URL, FB_MESSAGE_FORMAT_WIKIMEDIA, 0 },
  { "homeassistant", HA_URL, FB_MESSAGE_FORMAT_HOME_ASSISTANT, 1 },
  { "firebase", FIREBASE_URL, FB_MESSAGE_FORMAT_FIREBASE, 0 },
  { "firebase-cancel", FIREBASE_URL, FB_MESSAGE_FORMAT_FIREBASE, 0 },
  { "firebase-auth-revoked", FIREBASE_URL, FB_MESSAGE_FORMAT_FIREBASE, 0 },
  { "mercure", MERCURE_URL, FB_MESSAGE_FORMAT_MERCURE, 0 },
  { "woodpecker", WOODPECKER_URL, FB_MESSAGE_FORMAT_WOODPECKER, 0 },
  /* Hostile variants: missing members, wrong types, markup, bad links,
   * invalid UTF-8 (the generated ones, huge and deep, are below). Their
   * first events are broken on purpose: the first whole one says. */
  { "mastodon-hostile", MASTODON_URL, FB_MESSAGE_FORMAT_MASTODON, 1 },
  { "wikimedia-hostile", WIKIMEDIA_URL, FB_MESSAGE_FORMAT_WIKIMEDIA, 0 },
  { "homeassistant-hostile", HA_URL, FB_MESSAGE_FORMAT_HOME_ASSISTANT, 1 },
  { "firebase-hostile", FIREBASE_URL, FB_MESSAGE_FORMAT_FIREBASE, 0 },
  { "mercure-hostile", MERCURE_URL, FB_MESSAGE_FORMAT_MERCURE, 0 },
  { "woodpecker-hostile", WOODPECKER_URL, FB_MESSAGE_FORMAT_WOODPECKER, 0 },
};

/* A URL that says nothing about the service. */
#define NO_HINT_URL "http://127.0.0.1:8787/events"

/* --- what may be shown --------------------------------------------------- */

static void
check_link (const char *url)
{
  if (url == NULL)
    return;
  g_assert_true (g_utf8_validate (url, -1, NULL));
  if (!fb_url_is_http (url))
    g_error ("a link that is not http(s): %s", url);
}

/* What every shown message must be, whatever the stream. */
static void
check_message (FbMessage *message)
{
  const char *title = fb_message_get_title (message);
  const char *body = fb_message_get_body (message);

  g_assert_nonnull (title);
  g_assert_nonnull (body);
  g_assert_true (g_utf8_validate (title, -1, NULL));
  g_assert_true (g_utf8_validate (body, -1, NULL));
  g_assert_cmpuint (g_utf8_strlen (title, -1), <=, MAX_TITLE);
  g_assert_cmpuint (g_utf8_strlen (body, -1), <=, MAX_BODY);
  g_assert_cmpstr (title, !=, "");
  /* Neither a JSON object or array (whole, or cut) nor a template that
   * did not render. */
  if (title[0] == '{' || title[0] == '[')
    {
      g_autoptr(JsonNode) node = json_from_string (title, NULL);

      if (node != NULL || strchr ("[{\"", title[1]) != NULL)
        g_error ("raw JSON in a title: %s", title);
    }
  if (strstr (title, "{\"") != NULL || strstr (title, "{{") != NULL)
    g_error ("raw JSON or a template in a title: %s", title);
  check_link (fb_message_get_click_url (message));
  check_link (fb_message_get_icon_url (message));
  check_link (fb_message_get_attachment_url (message));
  for (const char *s = fb_message_get_key (message); s != NULL; s = NULL)
    g_assert_true (g_utf8_validate (s, -1, NULL));
  for (const char *s = fb_message_get_group (message); s != NULL; s = NULL)
    g_assert_true (g_utf8_validate (s, -1, NULL));
}

/* --- a stream through the parser and the reader -------------------------- */

typedef struct
{
  FbReader  *reader;
  char      *feed_name;
  GString   *out;        /* one JSON line per event */
  GPtrArray *formats;    /* the effective format after each event */
} Run;

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static const char *
result_nick (FbMappingResult result)
{
  switch (result)
    {
    case FB_MAPPING_SHOW: return "show";
    case FB_MAPPING_IGNORE: return "ignore";
    case FB_MAPPING_FAIL: return "fail";
    default:
      g_assert_not_reached ();
    }
}

static const char *
urgency_nick (FbUrgency urgency)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (FB_TYPE_URGENCY);

  return g_enum_get_value (klass, (int) urgency)->value_nick;
}

static char *
describe (const char      *event_type,
          const char      *event_id,
          FbMappingResult  result,
          FbMessageFormat  format,
          FbMessage       *message,
          const char      *reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  add_string_or_null (builder, "event", event_type);
  add_string_or_null (builder, "id", event_id);
  add_string_or_null (builder, "result", result_nick (result));
  add_string_or_null (builder, "format", fb_format_to_nick (format));
  add_string_or_null (builder, "title", message != NULL ? fb_message_get_title (message) : NULL);
  add_string_or_null (builder, "body", message != NULL ? fb_message_get_body (message) : NULL);
  add_string_or_null (builder, "url", message != NULL ? fb_message_get_click_url (message) : NULL);
  add_string_or_null (builder, "icon", message != NULL ? fb_message_get_icon_url (message) : NULL);
  add_string_or_null (builder, "urgency",
                      message != NULL ? urgency_nick (fb_message_get_urgency (message)) : NULL);
  add_string_or_null (builder, "key", message != NULL ? fb_message_get_key (message) : NULL);
  add_string_or_null (builder, "group", message != NULL ? fb_message_get_group (message) : NULL);
  add_string_or_null (builder, "reason", reason);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
event_cb (const char *type,
          const char *data,
          gsize       data_len,
          const char *last_event_id,
          gpointer    user_data)
{
  Run *run = user_data;
  g_autoptr(FbMessage) message = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *line = NULL;
  FbMappingResult result;

  result = fb_reader_read (run->reader, run->feed_name, type, data, data_len, last_event_id,
                           &message, &reason);
  g_assert_true (result == FB_MAPPING_SHOW || message == NULL);
  if (message != NULL)
    check_message (message);
  if (result == FB_MAPPING_FAIL)
    g_assert_nonnull (reason);

  line = describe (type, last_event_id, result, fb_reader_get_effective_format (run->reader),
                   message, reason);
  g_assert_true (g_utf8_validate (line, -1, NULL));
  g_string_append (run->out, line);
  g_string_append_c (run->out, '\n');
  g_ptr_array_add (run->formats, GINT_TO_POINTER (fb_reader_get_effective_format (run->reader)));
}

static char *
read_fixture (const char *name,
              const char *suffix,
              gsize      *len)
{
  g_autofree char *file = g_strconcat (name, suffix, NULL);
  const char *path = g_test_get_filename (G_TEST_DIST, "data", "formats", file, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

/* Runs @bytes through a parser and a reader of "Automatic" for @url;
 * returns the lines, and the effective format after each event. */
static char *
run_stream (const char  *bytes,
            gsize        len,
            const char  *url,
            const char  *feed_name,
            gsize        chunk,
            GPtrArray  **formats)
{
  g_autoptr(FbSseParser) parser = fb_sse_parser_new (FB_SSE_PARSER_DEFAULT_MAX_SIZE);
  Run run = { NULL, };

  run.reader = fb_reader_new (FB_MESSAGE_FORMAT_AUTO, NULL, url);
  /* The name a new feed of this address gets, as in the app. */
  run.feed_name = feed_name != NULL ? g_strdup (feed_name)
                                    : fb_format_default_feed_name (FB_MESSAGE_FORMAT_AUTO, url);
  run.out = g_string_new (NULL);
  run.formats = g_ptr_array_new ();
  fb_reader_connected (run.reader);

  fb_sse_parser_set_handlers (parser, event_cb, NULL, &run);
  for (gsize i = 0; i < len; i += chunk)
    fb_sse_parser_feed (parser, bytes + i, MIN (chunk, len - i));

  g_object_unref (run.reader);
  g_free (run.feed_name);
  if (formats != NULL)
    *formats = run.formats;
  else
    g_ptr_array_unref (run.formats);
  return g_string_free (run.out, FALSE);
}

static gboolean
update_golden (void)
{
  return g_strcmp0 (g_getenv ("FB_UPDATE_GOLDEN"), "1") == 0;
}

/* The first line where @got and @expected differ, for the failure's message. */
static void
assert_same_lines (const char *name,
                   const char *got,
                   const char *expected)
{
  g_auto(GStrv) got_lines = g_strsplit (got, "\n", -1);
  g_auto(GStrv) expected_lines = g_strsplit (expected, "\n", -1);
  guint n = MAX (g_strv_length (got_lines), g_strv_length (expected_lines));

  for (guint i = 0; i < n; i++)
    {
      if (g_strcmp0 (got_lines[MIN (i, g_strv_length (got_lines))],
                     expected_lines[MIN (i, g_strv_length (expected_lines))]) != 0)
        g_error ("%s.expected, line %u:\n  expected %s\n  got      %s\n"
                 "(FB_UPDATE_GOLDEN=1 rewrites the file: read the diff first)",
                 name, i + 1, expected_lines[MIN (i, g_strv_length (expected_lines))],
                 got_lines[MIN (i, g_strv_length (got_lines))]);
    }
}

static void
test_golden (gconstpointer data)
{
  const Stream *stream = data;
  g_autofree char *bytes = NULL;
  g_autofree char *got = NULL;
  g_autoptr(GPtrArray) formats = NULL;
  gsize len;

  bytes = read_fixture (stream->name, ".sse", &len);
  got = run_stream (bytes, len, stream->url, NULL, len, &formats);

  /* The address alone says which service it is, before any event. */
  g_assert_cmpint (fb_format_guess_from_url (stream->url), ==, stream->format);
  g_assert_cmpuint (formats->len, >, 0);
  for (guint i = 0; i < formats->len; i++)
    g_assert_cmpint (GPOINTER_TO_INT (formats->pdata[i]), ==, stream->format);

  /* The stream cut anywhere reads the same: here byte by byte. */
  {
    g_autofree char *bytewise = run_stream (bytes, len, stream->url, NULL, 1, NULL);

    g_assert_cmpstr (bytewise, ==, got);
  }

  if (update_golden ())
    {
      g_autofree char *file = g_strconcat (stream->name, ".expected", NULL);
      g_autofree char *path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "data", "formats",
                                                file, NULL);
      g_autoptr(GError) error = NULL;

      g_file_set_contents (path, got, -1, &error);
      g_assert_no_error (error);
      g_test_message ("rewrote %s", path);
    }
  else
    {
      g_autofree char *expected = read_fixture (stream->name, ".expected", NULL);

      assert_same_lines (stream->name, got, expected);
    }
}

/* Without a hint in the address, the first events say which service it is
 * and from then on the reading is the one of the hinted stream. Returns the
 * number of events read before the format was recognised. */
static guint
run_without_hint (const Stream *stream)
{
  g_autofree char *bytes = NULL;
  g_autofree char *hinted = NULL;
  g_autofree char *unhinted = NULL;
  g_autoptr(GPtrArray) formats = NULL;
  g_auto(GStrv) hinted_lines = NULL;
  g_auto(GStrv) unhinted_lines = NULL;
  guint first = G_MAXUINT;
  gsize len;

  g_assert_cmpint (fb_format_guess_from_url (NO_HINT_URL), ==, FB_MESSAGE_FORMAT_AUTO);

  bytes = read_fixture (stream->name, ".sse", &len);
  hinted = run_stream (bytes, len, stream->url, "Feed", len, NULL);
  unhinted = run_stream (bytes, len, NO_HINT_URL, "Feed", len, &formats);
  hinted_lines = g_strsplit (hinted, "\n", -1);
  unhinted_lines = g_strsplit (unhinted, "\n", -1);
  g_assert_cmpuint (g_strv_length (hinted_lines), ==, g_strv_length (unhinted_lines));

  for (guint i = 0; i < formats->len; i++)
    {
      FbMessageFormat format = GPOINTER_TO_INT (formats->pdata[i]);

      if (first == G_MAXUINT && format != FB_MESSAGE_FORMAT_AUTO)
        first = i;
      /* Once recognised, locked in. */
      if (first != G_MAXUINT)
        g_assert_cmpint (format, ==, stream->format);
    }
  g_assert_cmpuint (first, <, formats->len);

  for (guint i = 0; i < first; i++)
    {
      g_test_message ("before it was recognised: %s", unhinted_lines[i]);
      /* A keep-alive is not a notification, recognised or not. */
      g_assert_null (strstr (unhinted_lines[i], "\"title\":\"ping\""));
    }
  for (guint i = first; i < formats->len; i++)
    {
      g_autoptr(JsonNode) a = json_from_string (hinted_lines[i], NULL);
      g_autoptr(JsonNode) b = json_from_string (unhinted_lines[i], NULL);

      g_assert_nonnull (a);
      g_assert_nonnull (b);
      if (!json_node_equal (a, b))
        g_error ("%s without a hint, event %u:\n  hinted   %s\n  unhinted %s",
                 stream->name, i + 1, hinted_lines[i], unhinted_lines[i]);
    }
  return first;
}

static void
test_without_hint (gconstpointer data)
{
  const Stream *stream = data;

  g_assert_cmpuint (run_without_hint (stream), ==, stream->first);
}

/* --- generated hostile payloads ------------------------------------------ */

/* One event of each service, with a hole where the hostile part goes. */
typedef struct
{
  const char      *name;
  FbMessageFormat  format;
  const char      *event_type;
  const char      *before;
  const char      *after;
} Shape;

static const Shape shapes[] = {
  { "mastodon-name", FB_MESSAGE_FORMAT_MASTODON, "notification",
    "{\"id\":\"1\",\"type\":\"mention\",\"account\":{\"display_name\":",
    ",\"avatar\":\"https://a.example/x.png\"},\"status\":{\"content\":\"<p>hi</p>\","
    "\"url\":\"https://a.example/1\"}}" },
  { "mastodon-content", FB_MESSAGE_FORMAT_MASTODON, "notification",
    "{\"id\":\"1\",\"type\":\"mention\",\"account\":{\"display_name\":\"Ann\"},"
    "\"status\":{\"content\":", ",\"url\":\"https://a.example/1\"}}" },
  { "mastodon-update", FB_MESSAGE_FORMAT_MASTODON, "update",
    "{\"id\":\"1\",\"account\":{\"display_name\":\"Ann\"},\"content\":", "}" },
  { "wikimedia-title", FB_MESSAGE_FORMAT_WIKIMEDIA, "message",
    "{\"meta\":{\"domain\":\"en.example.org\",\"stream\":\"mediawiki.recentchange\"},"
    "\"type\":\"edit\",\"title\":", ",\"comment\":\"c\",\"user\":\"u\"}" },
  { "wikimedia-comment", FB_MESSAGE_FORMAT_WIKIMEDIA, "message",
    "{\"meta\":{\"domain\":\"en.example.org\",\"stream\":\"mediawiki.recentchange\"},"
    "\"type\":\"new\",\"title\":\"T\",\"user\":\"u\",\"comment\":", "}" },
  { "homeassistant-name", FB_MESSAGE_FORMAT_HOME_ASSISTANT, "message",
    "{\"event_type\":\"state_changed\",\"time_fired\":\"t\",\"data\":{\"entity_id\":\"a.b\","
    "\"old_state\":{\"state\":\"off\"},\"new_state\":{\"state\":\"on\",\"attributes\":"
    "{\"friendly_name\":", "}}}}" },
  { "homeassistant-data", FB_MESSAGE_FORMAT_HOME_ASSISTANT, "message",
    "{\"event_type\":\"call_service\",\"time_fired\":\"t\",\"data\":", "}" },
  { "firebase-path", FB_MESSAGE_FORMAT_FIREBASE, "put",
    "{\"path\":", ",\"data\":\"x\"}" },
  { "firebase-data", FB_MESSAGE_FORMAT_FIREBASE, "patch",
    "{\"path\":\"/a\",\"data\":", "}" },
  { "mercure-name", FB_MESSAGE_FORMAT_MERCURE, "message",
    "{\"@type\":\"Book\",\"name\":", ",\"url\":\"https://a.example/b\"}" },
  { "woodpecker-message", FB_MESSAGE_FORMAT_WOODPECKER, "message",
    "{\"repo\":{\"name\":\"r\",\"full_name\":\"o/r\"},\"pipeline\":{\"number\":1,"
    "\"status\":\"failure\",\"branch\":\"main\",\"message\":", "}}" },
  { "woodpecker-repo", FB_MESSAGE_FORMAT_WOODPECKER, "message",
    "{\"pipeline\":{\"number\":1,\"status\":\"success\",\"branch\":\"main\"},"
    "\"repo\":{\"full_name\":\"o/r\",\"name\":", "}}" },
};

/* A JSON string of about @bytes bytes: markup, multi-byte characters, an
 * escaped line break, so that any cut lands somewhere awkward. */
static char *
huge_string (gsize bytes)
{
  static const char unit[] = "<b>caf\xc3\xa9</b> \xf0\x9f\xa6\x8a &amp; \\n ";
  GString *s = g_string_sized_new (bytes + 64);

  g_string_append_c (s, '"');
  while (s->len < bytes)
    g_string_append (s, unit);
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

/* @depth nested arrays, or objects, around a string. */
static char *
deep_value (guint    depth,
            gboolean objects)
{
  GString *s = g_string_sized_new (depth * 8);

  for (guint i = 0; i < depth; i++)
    g_string_append (s, objects ? "{\"a\":" : "[");
  g_string_append (s, "\"deep\"");
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, objects ? '}' : ']');
  return g_string_free (s, FALSE);
}

static void
read_one (FbMessageFormat  format,
          const char      *url,
          const char      *event_type,
          const char      *data,
          gsize            data_len,
          FbMappingResult *result_out,
          FbMessage      **message_out)
{
  g_autoptr(FbReader) reader = fb_reader_new (format, NULL, url);
  g_autoptr(FbMessage) message = NULL;
  g_autofree char *reason = NULL;
  FbMappingResult result;

  fb_reader_connected (reader);
  /* Firebase skips the first event after connecting: read a snapshot first. */
  if (fb_reader_get_effective_format (reader) == FB_MESSAGE_FORMAT_FIREBASE)
    fb_reader_read (reader, "Feed", "put", "{\"path\":\"/\",\"data\":null}", 24, NULL, NULL, NULL);

  result = fb_reader_read (reader, "Feed", event_type, data, data_len, "", &message, &reason);
  if (message != NULL)
    check_message (message);
  if (result_out != NULL)
    *result_out = result;
  if (message_out != NULL)
    *message_out = g_steal_pointer (&message);
}

static char *
fill (const Shape *shape,
      const char  *value)
{
  return g_strconcat (shape->before, value, shape->after, NULL);
}

static void
test_huge_strings (void)
{
  g_autofree char *huge = huge_string (10 * MIB);

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *data = fill (&shapes[i], huge);
      g_autoptr(FbMessage) message = NULL;
      FbMappingResult result;

      g_test_message ("%s", shapes[i].name);
      read_one (shapes[i].format, NULL, shapes[i].event_type, data, strlen (data),
                &result, &message);
      g_assert_cmpint (result, ==, FB_MAPPING_SHOW);
      g_assert_nonnull (message);
    }
}

static void
test_deep_nesting (void)
{
  for (guint objects = 0; objects < 2; objects++)
    {
      g_autofree char *deep = deep_value (10000, objects);

      for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
        {
          g_autofree char *data = fill (&shapes[i], deep);
          FbMappingResult result;

          g_test_message ("%s, %s", shapes[i].name, objects ? "objects" : "arrays");
          read_one (shapes[i].format, NULL, shapes[i].event_type, data, strlen (data),
                    &result, NULL);
          g_assert_cmpint (result, !=, FB_MAPPING_FAIL);
        }

      /* The whole payload deep. (The readers written in C show JSON they
       * cannot read as plain text, by design: not checked here.) */
      for (FbMessageFormat f = FB_MESSAGE_FORMAT_AUTO; f <= FB_MESSAGE_FORMAT_CUSTOM; f++)
        {
          if (fb_format_is_builtin_mapping (f))
            read_one (f, NULL, "message", deep, strlen (deep), NULL, NULL);
        }
    }
}

/* Each service's events, every member of the wrong type in turn. */
static void
test_wrong_types (void)
{
  static const char * const values[] = {
    "null", "true", "0", "-1.5e300", "\"\"", "\"javascript:alert(1)\"", "[]", "[1,\"a\",null]",
    "{}", "{\"a\":{\"b\":1}}", "\"\\u0000\"", "\"\\ud800\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      for (guint j = 0; j < G_N_ELEMENTS (values); j++)
        {
          g_autofree char *data = fill (&shapes[i], values[j]);
          g_autoptr(FbMessage) message = NULL;
          FbMappingResult result;

          read_one (shapes[i].format, NULL, shapes[i].event_type, data, strlen (data),
                    &result, &message);
          g_assert_cmpint (result, ==, FB_MAPPING_SHOW);
        }
    }
}

/* Invalid UTF-8 never reaches a reader (the parser replaces it), but a
 * reader given text with U+FFFD and U+0000 in it must still be safe. */
static void
test_replacement_characters (void)
{
  static const char stream[] =
    "event: notification\n"
    "data: {\"type\":\"mention\",\"account\":{\"display_name\":\"A\xff\xfe\"},"
    "\"status\":{\"content\":\"<p>\xc3\x28\xed\xa0\x80</p>\",\"url\":\"https://a.example/\xff\"}}\n"
    "\n";
  g_autofree char *out = run_stream (stream, sizeof stream - 1, MASTODON_URL, NULL, 7, NULL);

  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_assert_nonnull (strstr (out, "\"A\xef\xbf\xbd\xef\xbf\xbd mentioned you\""));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
    {
      g_autofree char *golden = g_strdup_printf ("/formats/golden/%s", streams[i].name);
      g_autofree char *no_hint = g_strdup_printf ("/formats/no-hint/%s", streams[i].name);

      g_test_add_data_func (golden, &streams[i], test_golden);
      g_test_add_data_func (no_hint, &streams[i], test_without_hint);
    }
  g_test_add_func ("/formats/hostile/huge-strings", test_huge_strings);
  g_test_add_func ("/formats/hostile/deep-nesting", test_deep_nesting);
  g_test_add_func ("/formats/hostile/wrong-types", test_wrong_types);
  g_test_add_func ("/formats/hostile/replacement-characters", test_replacement_characters);

  return g_test_run ();
}
