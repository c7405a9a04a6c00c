/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-feed.h"
#include "fb-message.h"
#include "fb-url.h"

#include "fb-emoji-private.h"

#include <string.h>

#define MIB (1024 * 1024)
#define REPLACEMENT "\uFFFD"
#define ELLIPSIS "\u2026"

/* A payload in tests/data/@dir, as one SSE data field (no line end). */
static char *
load_data (const char *dir,
           const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return g_strchomp (contents);
}

/* A recorded ntfy payload. */
static char *
load_payload (const char *name)
{
  return load_data ("ntfy", name);
}

static FbMessage *
message_from_file (const char      *feed_name,
                   FbMessageFormat  format,
                   const char      *event_type,
                   const char      *name)
{
  g_autofree char *data = load_payload (name);

  return fb_message_new_from_event (feed_name, format, event_type, data, strlen (data), "");
}

static FbMessage *
message_new (const char      *feed_name,
             FbMessageFormat  format,
             const char      *data)
{
  return fb_message_new_from_event (feed_name, format, "message", data, strlen (data), "");
}

static void
assert_tags (FbMessage          *message,
             const char * const *expected)
{
  const char * const *tags = fb_message_get_tags (message);

  g_assert_nonnull (tags);
  g_assert_cmpstrv (tags, expected);
}

static void
assert_no_tags (FbMessage *message)
{
  const char * const *tags = fb_message_get_tags (message);

  g_assert_nonnull (tags);
  g_assert_null (tags[0]);
}

static void
assert_action (FbMessage  *message,
               guint       index,
               const char *expected_label,
               const char *expected_url)
{
  const char *label = NULL;
  const char *url = NULL;

  g_assert_true (fb_message_get_action (message, index, &label, &url));
  g_assert_cmpstr (label, ==, expected_label);
  g_assert_cmpstr (url, ==, expected_url);
}

/* Valid UTF-8 of at most @max_chars characters, ending in "…". */
static void
assert_bounded (const char *text,
                glong       max_chars)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpint (g_utf8_strlen (text, -1), ==, max_chars);
  g_assert_true (g_str_has_suffix (text, ELLIPSIS));
}

static void
test_emoji_table (void)
{
  gsize n = 0;
  const FbEmoji *table = _fb_emoji_get_table (&n);

  g_assert_cmpuint (n, >=, 100);
  for (gsize i = 0; i < n; i++)
    {
      if (i > 0)
        g_assert_cmpint (strcmp (table[i - 1].tag, table[i].tag), <, 0);
      g_assert_true (g_utf8_validate (table[i].emoji, -1, NULL));
      g_assert_cmpstr (fb_emoji_for_tag (table[i].tag), ==, table[i].emoji);
    }
}

static void
test_emoji_lookup (void)
{
  g_assert_cmpstr (fb_emoji_for_tag ("warning"), ==, "\u26A0\uFE0F");
  g_assert_cmpstr (fb_emoji_for_tag ("+1"), ==, "\U0001F44D");
  g_assert_cmpstr (fb_emoji_for_tag ("100"), ==, "\U0001F4AF");
  g_assert_cmpstr (fb_emoji_for_tag ("rotating_light"), ==, "\U0001F6A8");
  g_assert_cmpstr (fb_emoji_for_tag ("white_check_mark"), ==, "\u2705");
  g_assert_cmpstr (fb_emoji_for_tag ("x"), ==, "\u274C");
  g_assert_cmpstr (fb_emoji_for_tag ("zap"), ==, "\u26A1");
  g_assert_cmpstr (fb_emoji_for_tag ("boom"), ==, fb_emoji_for_tag ("collision"));
  /* gemoji's "phone" is the telephone; the mobile phone is "iphone". */
  g_assert_cmpstr (fb_emoji_for_tag ("phone"), ==, "\u260E\uFE0F");
  g_assert_cmpstr (fb_emoji_for_tag ("iphone"), ==, "\U0001F4F1");

  g_assert_null (fb_emoji_for_tag ("backup"));
  g_assert_null (fb_emoji_for_tag ("Warning"));
  g_assert_null (fb_emoji_for_tag (":warning:"));
  g_assert_null (fb_emoji_for_tag (""));
  g_assert_null (fb_emoji_for_tag (NULL));
}

static void
test_url_is_safe (void)
{
  const char *safe[] = {
    "https://example.com",
    "http://example.com/path?q=1#frag",
    "HTTPS://EXAMPLE.COM/",
    "HtTp://example.com:8080/x",
    "https://user:pass@example.com/",
    "https://[::1]:8443/",
    "https://b\u00FCcher.de/",
    "https://example.com/%20encoded",
  };
  const char *unsafe[] = {
    "http://exa%0Ample.org/", "https://a%20b.example/", "http://%7f.example/",
    "",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "ftp://example.com/",
    "mailto:someone@example.com",
    "/relative/path",
    "relative",
    "//example.com/no-scheme",
    "http://",
    "https:///no-host",
    "https://exa mple.com/",
    "https://example.com/a b",
    "https://example.com/\ttab",
    "https://example.com/\nline",
    " https://example.com/",
    "https://example.com/ ",
    "https://example.com/\x01",
    "https://example.com/\x7f",
    "https://example.com/\u00A0nbsp",
    "https://example.com/\u202Egnp.exe",
    "https://example.com/\u2028",
    "https://example.com/\xff",
  };

  for (guint i = 0; i < G_N_ELEMENTS (safe); i++)
    g_assert_true (fb_url_is_http (safe[i]));
  for (guint i = 0; i < G_N_ELEMENTS (unsafe); i++)
    {
      if (fb_url_is_http (unsafe[i]))
        g_error ("%s is not a safe URL", unsafe[i]);
    }
  g_assert_false (fb_url_is_http (NULL));
}

static void
test_plain_basic (void)
{
  const char *data = "Build #42 passed\nAll 318 tests\nin 4m 2s\n";
  g_autoptr(FbMessage) m = fb_message_new_from_event ("Builds", FB_MESSAGE_FORMAT_PLAIN, "build",
                                                      data, strlen (data), "42");

  g_assert_false (fb_message_is_ntfy (m));
  g_assert_true (fb_message_is_notification (m));
  g_assert_cmpstr (fb_message_get_feed_name (m), ==, "Builds");
  g_assert_cmpstr (fb_message_get_event_type (m), ==, "build");
  g_assert_cmpstr (fb_message_get_id (m), ==, "42");
  g_assert_cmpstr (fb_message_get_title (m), ==, "Build #42 passed");
  g_assert_cmpstr (fb_message_get_body (m), ==, "All 318 tests\nin 4m 2s");
  g_assert_cmpint (fb_message_get_urgency (m), ==, FB_URGENCY_NORMAL);
  g_assert_cmpint (fb_message_get_priority (m), ==, 3);
  g_assert_cmpint (fb_message_get_time (m), ==, 0);
  assert_no_tags (m);
  g_assert_null (fb_message_get_click_url (m));
  g_assert_null (fb_message_get_icon_url (m));
  g_assert_null (fb_message_get_attachment_url (m));
  g_assert_null (fb_message_get_attachment_name (m));
  g_assert_cmpuint (fb_message_get_n_actions (m), ==, 0);
  g_assert_false (fb_message_get_action (m, 0, NULL, NULL));
}

typedef struct
{
  const char *data;
  const char *title;
  const char *body;
} PlainVector;

static void
test_plain_vectors (void)
{
  const PlainVector vectors[] = {
    { "", "Feed", "" },
    { "one line", "one line", "" },
    { "  padded title  \n  padded body \n\n", "padded title", "padded body" },
    { "title\r\nbody\r\n", "title", "body" },
    { "\nbody only", "Feed", "body only" },
    { "   \t\nbody after blanks", "Feed", "body after blanks" },
    { "\n\n\n", "Feed", "" },
    { "title\n", "title", "" },
    { "{\"not\":\"ntfy\"}", "{\"not\":\"ntfy\"}", "" },
    { "caf\u00E9 \U0001F389\nna\u00EFve", "caf\u00E9 \U0001F389", "na\u00EFve" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(FbMessage) m = message_new ("Feed", FB_MESSAGE_FORMAT_PLAIN, vectors[i].data);

      g_assert_cmpstr (fb_message_get_title (m), ==, vectors[i].title);
      g_assert_cmpstr (fb_message_get_body (m), ==, vectors[i].body);
    }
}

static void
test_plain_null_arguments (void)
{
  g_autoptr(FbMessage) m = fb_message_new_from_event (NULL, FB_MESSAGE_FORMAT_AUTO, NULL, NULL, 0,
                                                      NULL);

  g_assert_cmpstr (fb_message_get_feed_name (m), ==, "");
  g_assert_cmpstr (fb_message_get_event_type (m), ==, "");
  g_assert_cmpstr (fb_message_get_id (m), ==, "");
  /* Never an empty title. */
  g_assert_cmpstr (fb_message_get_title (m), ==, "Feedbell");
  g_assert_cmpstr (fb_message_get_body (m), ==, "");
  g_assert_true (fb_message_is_notification (m));
}

static void
test_ntfy_full (void)
{
  const char * const tags[] = { "backup", "nas-01", NULL };
  g_autoptr(FbMessage) m = message_from_file ("Backups", FB_MESSAGE_FORMAT_AUTO, "message",
                                              "message-full.json");

  g_assert_true (fb_message_is_ntfy (m));
  g_assert_true (fb_message_is_notification (m));
  g_assert_cmpstr (fb_message_get_id (m), ==, "sPs7LXeZ0PZ6");
  g_assert_cmpint (fb_message_get_time (m), ==, 1700000000);
  g_assert_cmpstr (fb_message_get_title (m), ==, "\u26A0\uFE0F \U0001F6A8 Backup failed on nas-01");
  g_assert_cmpstr (fb_message_get_body (m), ==,
                   "rsync exited with status 23 after 2h 14m.\n"
                   "See the log for the files that could not be copied.\n"
                   "Tags: backup, nas-01");
  assert_tags (m, tags);
  g_assert_cmpint (fb_message_get_priority (m), ==, 4);
  g_assert_cmpint (fb_message_get_urgency (m), ==, FB_URGENCY_NORMAL);
  g_assert_cmpstr (fb_message_get_click_url (m), ==, "https://backup.example.com/jobs/4711");
  g_assert_cmpstr (fb_message_get_icon_url (m), ==, "https://backup.example.com/static/icon.png");
  g_assert_cmpstr (fb_message_get_attachment_name (m), ==, "rsync.log");
  g_assert_cmpstr (fb_message_get_attachment_url (m), ==, "https://ntfy.sh/file/sPs7LXeZ0PZ6.txt");
  g_assert_cmpstr (fb_message_get_attachment_type (m), ==, "text/plain; charset=utf-8");
  g_assert_cmpint (fb_message_get_attachment_size (m), ==, 12345);
  g_assert_cmpint (fb_message_get_attachment_expires (m), ==, 1700010800);
  /* The "http" action is offered; its request is kept as ntfy's JSON, for
   * the service layer to check and send when the button is pressed. */
  g_assert_cmpuint (fb_message_get_n_actions (m), ==, 2);
  assert_action (m, 0, "Open portal", "https://backup.example.com/");
  g_assert_null (fb_message_get_action_http (m, 0));
  assert_action (m, 1, "Retry", "https://backup.example.com/api/jobs/4711/retry");
  g_assert_nonnull (strstr (fb_message_get_action_http (m, 1), "\"method\":\"POST\""));
  g_assert_nonnull (strstr (fb_message_get_action_http (m, 1), "\"body\":\"{\\\"force\\\":true}\""));
  g_assert_false (fb_message_get_action (m, 2, NULL, NULL));

  /* Kept and read back, the actions are the same. */
  {
    g_autofree char *json = fb_message_dup_actions_json (m);
    FbMessageFields fields = { .title = "t", .actions_json = json };
    g_autoptr(FbMessage) stored = fb_message_new_stored (&fields);

    g_assert_cmpuint (fb_message_get_n_actions (stored), ==, 2);
    assert_action (stored, 1, "Retry", "https://backup.example.com/api/jobs/4711/retry");
    g_assert_cmpstr (fb_message_get_action_http (stored, 1), ==, fb_message_get_action_http (m, 1));
  }
}

static void
test_ntfy_simple (void)
{
  g_autoptr(FbMessage) m = message_from_file ("Phone", FB_MESSAGE_FORMAT_AUTO, "message",
                                              "message-simple.json");
  g_autoptr(FbMessage) no_feed = message_from_file (NULL, FB_MESSAGE_FORMAT_NTFY, "message",
                                                    "message-simple.json");
  g_autoptr(FbMessage) no_topic = message_new ("", FB_MESSAGE_FORMAT_NTFY, "{\"message\":\"hi\"}");
  /* Without ntfy's "event" and "topic", Automatic does not take it for ntfy. */
  g_autoptr(FbMessage) not_ntfy = message_new ("", FB_MESSAGE_FORMAT_AUTO, "{\"message\":\"hi\"}");

  g_assert_true (fb_message_is_ntfy (m));
  g_assert_true (fb_message_is_notification (m));
  g_assert_cmpstr (fb_message_get_id (m), ==, "p0M5y6gcCY");
  g_assert_cmpstr (fb_message_get_title (m), ==, "Phone");
  g_assert_cmpstr (fb_message_get_body (m), ==, "Hi!");
  g_assert_cmpint (fb_message_get_priority (m), ==, 3);
  g_assert_cmpint (fb_message_get_urgency (m), ==, FB_URGENCY_NORMAL);
  assert_no_tags (m);
  g_assert_null (fb_message_get_click_url (m));
  g_assert_null (fb_message_get_attachment_name (m));
  g_assert_cmpuint (fb_message_get_n_actions (m), ==, 0);

  g_assert_cmpstr (fb_message_get_title (no_feed), ==, "mytopic");
  g_assert_cmpstr (fb_message_get_title (no_topic), ==, "ntfy");
  g_assert_false (fb_message_is_ntfy (not_ntfy));
  g_assert_cmpstr (fb_message_get_title (not_ntfy), ==, "New event");
  g_assert_cmpstr (fb_message_get_body (not_ntfy), ==, "hi");
}

static void
test_ntfy_open_keepalive (void)
{
  const char *files[] = { "open.json", "keepalive.json", "poll-request.json" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      /* ntfy names them in an SSE "event:" line too, but the JSON alone decides. */
      g_autoptr(FbMessage) m = message_from_file ("ntfy", FB_MESSAGE_FORMAT_AUTO, "message",
                                                  files[i]);
      g_autoptr(FbMessage) ntfy = message_from_file ("ntfy", FB_MESSAGE_FORMAT_NTFY, "message",
                                                     files[i]);

      g_assert_true (fb_message_is_ntfy (m));
      g_assert_false (fb_message_is_notification (m));
      g_assert_true (fb_message_is_ntfy (ntfy));
      g_assert_false (fb_message_is_notification (ntfy));
    }
}

static void
test_ntfy_event_types (void)
{
  const char *quiet_json[] = { "message_delete", "message_clear", "open", "keepalive" };
  const char *quiet_sse[] = { "open", "keepalive", "poll_request" };
  g_autofree char *data = load_payload ("message-simple.json");
  g_autoptr(FbMessage) explicit = message_new ("f", FB_MESSAGE_FORMAT_NTFY,
                                               "{\"event\":\"message\",\"topic\":\"t\"}");
  g_autoptr(FbMessage) open = message_from_file ("f", FB_MESSAGE_FORMAT_AUTO, "open", "open.json");

  g_assert_true (fb_message_is_notification (explicit));
  g_assert_cmpstr (fb_message_get_event_type (open), ==, "open");

  for (guint i = 0; i < G_N_ELEMENTS (quiet_json); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\":\"x\",\"event\":\"%s\",\"topic\":\"t\","
                                               "\"message\":\"m\"}", quiet_json[i]);
      g_autoptr(FbMessage) m = message_new ("f", FB_MESSAGE_FORMAT_AUTO, json);

      g_assert_true (fb_message_is_ntfy (m));
      g_assert_false (fb_message_is_notification (m));
    }

  for (guint i = 0; i < G_N_ELEMENTS (quiet_sse); i++)
    {
      g_autoptr(FbMessage) m = fb_message_new_from_event ("f", FB_MESSAGE_FORMAT_AUTO, quiet_sse[i],
                                                          data, strlen (data), "");

      g_assert_false (fb_message_is_notification (m));
    }
}

static void
test_ntfy_attachment_only (void)
{
  g_autoptr(FbMessage) m = message_from_file ("Photos", FB_MESSAGE_FORMAT_AUTO, "message",
                                              "attachment-only.json");
  g_autoptr(FbMessage) nameless = message_new ("Photos", FB_MESSAGE_FORMAT_NTFY,
                                               "{\"attachment\":{\"url\":\"https://x.example/a\"}}");

  g_assert_true (fb_message_is_ntfy (m));
  g_assert_true (fb_message_is_notification (m));
  g_assert_cmpstr (fb_message_get_title (m), ==, "Photos");
  g_assert_cmpstr (fb_message_get_body (m), ==, "You received a file: flower.jpg");
  g_assert_cmpstr (fb_message_get_attachment_name (m), ==, "flower.jpg");
  g_assert_cmpstr (fb_message_get_attachment_url (m), ==, "https://ntfy.sh/file/q0WGw6qXAtFS.jpg");
  g_assert_cmpint (fb_message_get_urgency (m), ==, FB_URGENCY_LOW);

  g_assert_cmpstr (fb_message_get_body (nameless), ==, "You received a file");
  g_assert_null (fb_message_get_attachment_name (nameless));
  g_assert_cmpstr (fb_message_get_attachment_url (nameless), ==, "https://x.example/a");
}

static void
test_ntfy_emoji_tags (void)
{
  g_autoptr(FbMessage) m = message_from_file ("CI", FB_MESSAGE_FORMAT_AUTO, "message",
                                              "emoji-tags.json");

  g_assert_cmpstr (fb_message_get_title (m), ==,
                   "\U0001F389 \U0001F44D \U0001F973 Deployed v2.4.0");
  /* No other tags: no "Tags:" line. */
  g_assert_cmpstr (fb_message_get_body (m), ==, "All 12 checks passed.");
  assert_no_tags (m);
  g_assert_cmpint (fb_message_get_priority (m), ==, 1);
  g_assert_cmpint (fb_message_get_urgency (m), ==, FB_URGENCY_LOW);
}

static void
test_ntfy_tags_only (void)
{
  const char * const tags[] = { "backup", "server 1", NULL };
  g_autoptr(FbMessage) m = message_new ("f", FB_MESSAGE_FORMAT_NTFY,
                                        "{\"tags\":[\"backup\",42,null,\"\",\"warning\",\"server 1\"]}");

  assert_tags (m, tags);
  g_assert_cmpstr (fb_message_get_title (m), ==, "\u26A0\uFE0F f");
  g_assert_cmpstr (fb_message_get_body (m), ==, "Tags: backup, server 1");
}

typedef struct
{
  const char *json;
  int         priority;
  FbUrgency   urgency;
} PriorityVector;

static void
test_ntfy_priority (void)
{
  const PriorityVector vectors[] = {
    { "{\"message\":\"m\"}", 3, FB_URGENCY_NORMAL },
    { "{\"message\":\"m\",\"priority\":1}", 1, FB_URGENCY_LOW },
    { "{\"message\":\"m\",\"priority\":2}", 2, FB_URGENCY_LOW },
    { "{\"message\":\"m\",\"priority\":3}", 3, FB_URGENCY_NORMAL },
    { "{\"message\":\"m\",\"priority\":4}", 4, FB_URGENCY_NORMAL },
    { "{\"message\":\"m\",\"priority\":5}", 5, FB_URGENCY_CRITICAL },
    /* ntfy's own "not set". */
    { "{\"message\":\"m\",\"priority\":0}", 3, FB_URGENCY_NORMAL },
    { "{\"message\":\"m\",\"priority\":-7}", 1, FB_URGENCY_LOW },
    { "{\"message\":\"m\",\"priority\":99}", 5, FB_URGENCY_CRITICAL },
    { "{\"message\":\"m\",\"priority\":9223372036854775807}", 5, FB_URGENCY_CRITICAL },
    { "{\"message\":\"m\",\"priority\":4.5}", 3, FB_URGENCY_NORMAL },
    { "{\"message\":\"m\",\"priority\":\"5\"}", 3, FB_URGENCY_NORMAL },
    { "{\"message\":\"m\",\"priority\":true}", 3, FB_URGENCY_NORMAL },
    { "{\"message\":\"m\",\"priority\":[5]}", 3, FB_URGENCY_NORMAL },
    { "{\"message\":\"m\",\"priority\":null}", 3, FB_URGENCY_NORMAL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(FbMessage) m = message_new ("f", FB_MESSAGE_FORMAT_NTFY, vectors[i].json);

      g_assert_true (fb_message_is_ntfy (m));
      g_assert_cmpint (fb_message_get_priority (m), ==, vectors[i].priority);
      g_assert_cmpint (fb_message_get_urgency (m), ==, vectors[i].urgency);
    }
}

static void
test_ntfy_id_and_time (void)
{
  const char *json = "{\"message\":\"m\",\"time\":\"yesterday\"}";
  g_autoptr(FbMessage) fallback = fb_message_new_from_event ("f", FB_MESSAGE_FORMAT_AUTO, "message",
                                                             json, strlen (json), "sse-7");
  g_autoptr(FbMessage) numeric = message_new ("f", FB_MESSAGE_FORMAT_AUTO,
                                              "{\"message\":\"m\",\"id\":7,\"time\":1.5}");
  g_autofree char *data = load_payload ("message-simple.json");
  g_autoptr(FbMessage) json_id = fb_message_new_from_event ("f", FB_MESSAGE_FORMAT_AUTO, "message",
                                                            data, strlen (data), "sse-8");

  g_assert_cmpstr (fb_message_get_id (fallback), ==, "sse-7");
  g_assert_cmpint (fb_message_get_time (fallback), ==, 0);
  g_assert_cmpstr (fb_message_get_id (numeric), ==, "");
  g_assert_cmpint (fb_message_get_time (numeric), ==, 0);
  g_assert_cmpstr (fb_message_get_id (json_id), ==, "p0M5y6gcCY");
  g_assert_cmpint (fb_message_get_time (json_id), ==, 1635528909);
}

static void
test_ntfy_actions (void)
{
  g_autoptr(FbMessage) m = message_from_file ("Home", FB_MESSAGE_FORMAT_AUTO, "message",
                                              "actions.json");

  g_assert_cmpstr (fb_message_get_title (m), ==, "\U0001F514 \U0001F3E0 Door bell");
  g_assert_cmpint (fb_message_get_urgency (m), ==, FB_URGENCY_CRITICAL);
  /* http kept for its button, broadcast (Android's) ignored, javascript:
   * and label-less views dropped, three at most. */
  g_assert_cmpuint (fb_message_get_n_actions (m), ==, 3);
  assert_action (m, 0, "Open door", "https://home.example.com/api/door/open");
  g_assert_nonnull (fb_message_get_action_http (m, 0));
  assert_action (m, 1, "Camera", "https://home.example.com/camera/front");
  assert_action (m, 2, "History", "https://home.example.com/history");
  g_assert_null (fb_message_get_action_http (m, 2));
  g_assert_false (fb_message_get_action (m, 3, NULL, NULL));
}

static void
test_ntfy_malformed_members (void)
{
  g_autoptr(FbMessage) m = message_new ("f", FB_MESSAGE_FORMAT_NTFY,
                                        "{\"title\":5,\"message\":[\"m\"],\"tags\":\"warning\","
                                        "\"click\":7,\"icon\":{},\"attachment\":\"x\","
                                        "\"actions\":{\"action\":\"view\"},\"event\":3}");

  g_assert_true (fb_message_is_ntfy (m));
  g_assert_true (fb_message_is_notification (m));
  g_assert_cmpstr (fb_message_get_title (m), ==, "f");
  g_assert_cmpstr (fb_message_get_body (m), ==, "");
  assert_no_tags (m);
  g_assert_null (fb_message_get_click_url (m));
  g_assert_null (fb_message_get_icon_url (m));
  g_assert_null (fb_message_get_attachment_url (m));
  g_assert_cmpuint (fb_message_get_n_actions (m), ==, 0);
}

static void
test_format_auto (void)
{
  /* ntfy's shape: "event" and "topic", which every message of its has. */
  const char *ntfy[] = {
    "{\"event\":\"message\",\"topic\":\"t\",\"message\":\"m\"}",
    "  {\"event\":\"keepalive\",\"topic\":\"t\"}  ",
  };
  /* Any other object is read as generic JSON, even with ntfy's members
   * "message" or "title" (so many services have those). */
  const char *json[] = {
    "{\"message\":\"m\"}",
    "{\"foo\":1}",
    "{\"message\":42}",
    "{\"event\":\"message\"}",
    "{\"topic\":\"t\"}",
    "{}",
  };
  /* Anything but an object stays plain text, as do invalid objects. */
  const char *plain[] = {
    "[{\"message\":\"m\"}]",
    "[1, 2]",
    "null",
    "\"message\"",
    "42",
    "{\"message\":\"m\"",
    "{'message':'m'}",
    "{\"message\":\"m\"} /* comment */",
    "Disk full\n{\"message\":\"m\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (ntfy); i++)
    {
      g_autoptr(FbMessage) m = message_new ("f", FB_MESSAGE_FORMAT_AUTO, ntfy[i]);

      g_assert_true (fb_message_is_ntfy (m));
    }
  for (guint i = 0; i < G_N_ELEMENTS (json); i++)
    {
      g_autoptr(FbMessage) m = message_new ("", FB_MESSAGE_FORMAT_AUTO, json[i]);

      g_assert_false (fb_message_is_ntfy (m));
      g_assert_true (fb_message_is_notification (m));
      g_assert_cmpstr (fb_message_get_title (m), ==, "New event");
    }
  for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
    {
      g_autoptr(FbMessage) m = message_new ("f", FB_MESSAGE_FORMAT_AUTO, plain[i]);
      g_autofree char *first_line = g_strndup (plain[i], strcspn (plain[i], "\n"));

      g_assert_false (fb_message_is_ntfy (m));
      g_assert_true (fb_message_is_notification (m));
      g_assert_cmpstr (fb_message_get_title (m), ==, g_strstrip (first_line));
    }
}

static void
test_format_plain (void)
{
  g_autofree char *data = load_payload ("keepalive.json");
  g_autoptr(FbMessage) m = message_new ("f", FB_MESSAGE_FORMAT_PLAIN, data);

  /* Never JSON, so even a keepalive is a notification showing the raw text. */
  g_assert_false (fb_message_is_ntfy (m));
  g_assert_true (fb_message_is_notification (m));
  g_assert_cmpstr (fb_message_get_title (m), ==, data);
}

static void
test_format_ntfy (void)
{
  g_autoptr(FbMessage) object = message_new ("f", FB_MESSAGE_FORMAT_NTFY, "{\"foo\":1}");
  g_autoptr(FbMessage) invalid = message_new ("f", FB_MESSAGE_FORMAT_NTFY,
                                              "Disk almost full\n{\"message\": oops");
  g_autoptr(FbMessage) array = message_new ("f", FB_MESSAGE_FORMAT_NTFY, "[1, 2]");

  /* Any object is ntfy's, however little it says. */
  g_assert_true (fb_message_is_ntfy (object));
  g_assert_cmpstr (fb_message_get_title (object), ==, "f");
  g_assert_cmpstr (fb_message_get_body (object), ==, "");

  /* Anything else falls back to plain text: never lose a message. */
  g_assert_false (fb_message_is_ntfy (invalid));
  g_assert_true (fb_message_is_notification (invalid));
  g_assert_cmpstr (fb_message_get_title (invalid), ==, "Disk almost full");
  g_assert_cmpstr (fb_message_get_body (invalid), ==, "{\"message\": oops");
  g_assert_false (fb_message_is_ntfy (array));
  g_assert_cmpstr (fb_message_get_title (array), ==, "[1, 2]");
}

/* An event read as generic JSON: not ntfy, nothing but a title, a body and
 * maybe a link. */
static void
assert_generic (FbMessage  *message,
                const char *expected_title,
                const char *expected_body,
                const char *expected_link)
{
  g_assert_false (fb_message_is_ntfy (message));
  g_assert_true (fb_message_is_notification (message));
  g_assert_cmpstr (fb_message_get_title (message), ==, expected_title);
  g_assert_cmpstr (fb_message_get_body (message), ==, expected_body);
  g_assert_cmpstr (fb_message_get_click_url (message), ==, expected_link);
  g_assert_cmpint (fb_message_get_priority (message), ==, 3);
  assert_no_tags (message);
  g_assert_null (fb_message_get_icon_url (message));
  g_assert_null (fb_message_get_attachment_url (message));
  g_assert_cmpuint (fb_message_get_n_actions (message), ==, 0);
  g_assert_cmpint (fb_message_get_time (message), ==, 0);
}

static FbMessage *
json_from_file (const char *feed_name,
                const char *event_type,
                const char *name,
                const char *event_id)
{
  g_autofree char *data = load_data ("json", name);

  return fb_message_new_from_event (feed_name, FB_MESSAGE_FORMAT_AUTO, event_type, data,
                                    strlen (data), event_id);
}

static void
test_json_mastodon (void)
{
  /* No title member: the SSE event type names the event. Only top-level
   * members are read, so the status's content and link are not. */
  g_autoptr(FbMessage) m = json_from_file ("Mastodon", "notification",
                                           "mastodon-notification.json", "e-17");

  assert_generic (m, "notification",
                  "id: 9001\n"
                  "type: mention\n"
                  "created_at: 2024-05-01T10:00:00.000Z",
                  NULL);
  /* The id is the stream's, as for plain text, never the object's "id". */
  g_assert_cmpstr (fb_message_get_id (m), ==, "e-17");
}

static void
test_json_wikimedia (void)
{
  /* Without ntfy's "event" and "topic", a recentchange is generic JSON:
   * its title; its own "comment" is not one of the body members. */
  g_autoptr(FbMessage) m = json_from_file ("Wikipedia", "message",
                                           "wikimedia-recentchange.json", "[{\"offset\":1}]");

  g_assert_false (fb_message_is_ntfy (m));
  g_assert_cmpstr (fb_message_get_title (m), ==, "Feedbell");
  g_assert_cmpstr (fb_message_get_id (m), ==, "[{\"offset\":1}]");
}

static void
test_json_home_assistant (void)
{
  /* Event type "message" says nothing: the feed's name, else "New event". */
  g_autoptr(FbMessage) m = json_from_file ("Home", "message",
                                           "home-assistant-state-changed.json", "");
  g_autoptr(FbMessage) no_feed = json_from_file (NULL, "message",
                                                 "home-assistant-state-changed.json", "");
  const char *body = "event_type: state_changed\n"
                     "origin: LOCAL\n"
                     "time_fired: 2024-05-01T10:00:00.123456+00:00";

  assert_generic (m, "Home", body, NULL);
  assert_generic (no_feed, "New event", body, NULL);
  g_assert_cmpstr (fb_message_get_id (m), ==, "");
}

static void
test_json_woodpecker (void)
{
  /* Only objects at the top: nothing to show but where it came from. */
  g_autoptr(FbMessage) m = json_from_file ("CI", "message", "woodpecker-pipeline.json", "");
  g_autoptr(FbMessage) no_feed = json_from_file ("", NULL, "woodpecker-pipeline.json", "");

  assert_generic (m, "CI", "", NULL);
  assert_generic (no_feed, "New event", "", NULL);
}

static void
test_json_name_url (void)
{
  g_autoptr(FbMessage) m = json_from_file ("CI", "message", "name-url.json", "7");

  assert_generic (m, "Build 7", "", "https://ci.example/7");
  g_assert_cmpstr (fb_message_get_id (m), ==, "7");
}

static void
test_json_members (void)
{
  /* Each list in its order; empty, null and non-string values pass. */
  g_autoptr(FbMessage) order = message_new ("f", FB_MESSAGE_FORMAT_AUTO,
    "{\"headline\":\"h\",\"name\":\"n\",\"summary\":\"s\",\"subject\":\"  \",\"title\":null,"
    "\"details\":\"d\",\"content\":\"c\",\"description\":\"\",\"body\":{\"x\":1},\"message\":5,"
    "\"html_url\":\"https://e.example/h\",\"href\":\"https://e.example/l\",\"url\":\"ftp://e.example\"}");
  /* Numbers are titles too, booleans not. */
  g_autoptr(FbMessage) number = message_new ("f", FB_MESSAGE_FORMAT_AUTO,
                                             "{\"subject\":true,\"name\":-1.5,\"headline\":\"h\"}");
  g_autoptr(FbMessage) integer = message_new ("f", FB_MESSAGE_FORMAT_AUTO, "{\"name\":7}");
  /* Without a body member: at most 8 "key: value" lines of strings,
   * numbers and booleans, on one line each; the title's and the link's
   * members are not repeated, and nulls, objects, arrays and empty strings
   * say nothing. */
  g_autoptr(FbMessage) lines = message_new ("f", FB_MESSAGE_FORMAT_AUTO,
    "{\"a\":\"x\\ny\",\"name\":\"N\",\"b\":0.1,\"n\":null,\"o\":{},\"l\":[1],\"e\":\"\","
    "\"c\":true,\"link\":\"https://e.example\",\"href\":\"https://e.example/2\",\"d\":-3,"
    "\"f\":false,\"g\":\"g\",\"h\":\"h\",\"i\":\"i\",\"j\":\"j\"}");

  assert_generic (order, "s", "c", "https://e.example/l");
  assert_generic (number, "-1.5", "subject: true\nheadline: h", NULL);
  assert_generic (integer, "7", "", NULL);
  assert_generic (lines, "N",
                  "a: x y\nb: 0.1\nc: true\nhref: https://e.example/2\nd: -3\nf: false\ng: g\nh: h",
                  "https://e.example");
}

static void
test_json_event_type_title (void)
{
  g_autoptr(GString) type = g_string_new (NULL);
  g_autoptr(FbMessage) named = NULL;
  g_autoptr(FbMessage) blank = fb_message_new_from_event ("f", FB_MESSAGE_FORMAT_AUTO, "  ",
                                                          "{\"a\":1}", 7, NULL);
  g_autoptr(FbMessage) empty = fb_message_new_from_event ("", FB_MESSAGE_FORMAT_AUTO, "",
                                                          "{\"a\":1}", 7, NULL);

  for (guint i = 0; i < 1000; i++)
    g_string_append (type, "mention ");
  named = fb_message_new_from_event ("f", FB_MESSAGE_FORMAT_AUTO, type->str, "{\"a\":1}", 7, NULL);

  assert_bounded (fb_message_get_title (named), 200);
  g_assert_true (g_str_has_prefix (fb_message_get_title (named), "mention mention "));
  assert_generic (blank, "f", "a: 1", NULL);
  assert_generic (empty, "New event", "a: 1", NULL);
  g_assert_cmpstr (fb_message_get_id (empty), ==, "");
}

static void
test_hostile_urls_and_markup (void)
{
  const char * const tags[] = { "<script>", NULL };
  g_autoptr(FbMessage) m = message_from_file ("Alerts", FB_MESSAGE_FORMAT_AUTO, "message",
                                              "hostile.json");

  g_assert_true (fb_message_is_ntfy (m));
  g_assert_null (fb_message_get_click_url (m));
  g_assert_null (fb_message_get_icon_url (m));
  g_assert_null (fb_message_get_attachment_url (m));
  g_assert_cmpuint (fb_message_get_n_actions (m), ==, 0);
  /* Markup stays as it came: escaping is the notifier's job. */
  g_assert_cmpstr (fb_message_get_title (m), ==,
                   "\u26A0\uFE0F <b>Alert</b> &amp; <a href=\"https://evil.example\">click</a>");
  g_assert_cmpstr (fb_message_get_body (m), ==,
                   "<i>not markup</i> <span foreground=\"red\">red</span> & done\n"
                   "Tags: <script>");
  g_assert_cmpstr (fb_message_get_attachment_name (m), ==, "<b>x</b>.sh");
  assert_tags (m, tags);
  /* "5" is a string, not a priority. */
  g_assert_cmpint (fb_message_get_priority (m), ==, 3);
}

static void
test_hostile_long_url (void)
{
  g_autoptr(GString) json = g_string_new ("{\"message\":\"m\",\"click\":\"https://example.com/");
  g_autoptr(FbMessage) m = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_c (json, 'a');
  g_string_append (json, "\"}");
  m = message_new ("f", FB_MESSAGE_FORMAT_NTFY, json->str);

  g_assert_true (fb_message_is_ntfy (m));
  g_assert_null (fb_message_get_click_url (m));
}

static void
test_hostile_nul (void)
{
  const char plain[] = "ti\0tle\nbo\0dy";
  const char raw_json[] = "{\"message\":\"a\0b\"}";
  const char *escaped = "{\"title\":\"\\u0000t\",\"message\":\"a\\u0000b\"}";
  g_autoptr(FbMessage) m = fb_message_new_from_event ("f", FB_MESSAGE_FORMAT_NTFY, "message",
                                                      plain, sizeof plain - 1, "");
  g_autoptr(FbMessage) raw = fb_message_new_from_event ("f", FB_MESSAGE_FORMAT_NTFY, "message",
                                                        raw_json, sizeof raw_json - 1, "");
  g_autoptr(FbMessage) esc = message_new ("f", FB_MESSAGE_FORMAT_NTFY, escaped);

  /* U+0000 is shown as U+FFFD, and nothing after it is lost. */
  g_assert_cmpstr (fb_message_get_title (m), ==, "ti" REPLACEMENT "tle");
  g_assert_cmpstr (fb_message_get_body (m), ==, "bo" REPLACEMENT "dy");

  /* json-glib refuses a raw NUL: plain text, with the whole payload. */
  g_assert_false (fb_message_is_ntfy (raw));
  g_assert_cmpstr (fb_message_get_title (raw), ==, "{\"message\":\"a" REPLACEMENT "b\"}");

  /* json-glib ends a string at an escaped \u0000; nothing crashes and no
   * NUL gets through. */
  g_assert_true (fb_message_is_ntfy (esc));
  g_assert_cmpstr (fb_message_get_title (esc), ==, "f");
  g_assert_cmpstr (fb_message_get_body (esc), ==, "a");
}

static char *
repeat (const char *unit,
        gsize       size)
{
  gsize unit_len = strlen (unit);
  GString *s = g_string_sized_new (size + unit_len);

  while (s->len < size)
    g_string_append_len (s, unit, unit_len);
  return g_string_free (s, FALSE);
}

static void
test_hostile_huge_plain (void)
{
  g_autofree char *ascii = repeat ("x", 10 * MIB);
  g_autofree char *emoji = repeat ("\U0001F4A5\u00E9", 10 * MIB);
  g_autofree char *emoji_lines = g_strconcat (emoji, "\n", emoji, NULL);
  g_autoptr(FbMessage) one_line = message_new ("f", FB_MESSAGE_FORMAT_PLAIN, ascii);
  /* Multi-byte characters are never cut in half. */
  g_autoptr(FbMessage) two_lines = message_new ("f", FB_MESSAGE_FORMAT_AUTO, emoji_lines);

  assert_bounded (fb_message_get_title (one_line), 200);
  g_assert_cmpstr (fb_message_get_body (one_line), ==, "");
  assert_bounded (fb_message_get_title (two_lines), 200);
  assert_bounded (fb_message_get_body (two_lines), 4000);
}

static void
test_hostile_huge_ntfy (void)
{
  g_autofree char *text = repeat ("\u00E9t\u00E9 ", 10 * MIB);
  g_autofree char *json = g_strdup_printf ("{\"title\":\"%s\",\"message\":\"%s\","
                                           "\"tags\":[\"warning\",\"%s\"],"
                                           "\"attachment\":{\"name\":\"%s\"}}",
                                           text, text, text, text);
  g_autoptr(FbMessage) m = message_new ("f", FB_MESSAGE_FORMAT_NTFY, json);
  g_autofree char *huge_invalid = g_strconcat ("{\"message\":\"", text, NULL);
  g_autoptr(FbMessage) fallback = message_new ("f", FB_MESSAGE_FORMAT_NTFY, huge_invalid);
  const char * const *tags = fb_message_get_tags (m);

  g_assert_true (fb_message_is_ntfy (m));
  assert_bounded (fb_message_get_title (m), 200);
  g_assert_true (g_str_has_prefix (fb_message_get_title (m), "\u26A0\uFE0F \u00E9t\u00E9 "));
  assert_bounded (fb_message_get_body (m), 4000);
  assert_bounded (fb_message_get_attachment_name (m), 100);
  g_assert_cmpuint (g_strv_length ((char **) tags), ==, 1);
  assert_bounded (tags[0], 100);

  g_assert_false (fb_message_is_ntfy (fallback));
  assert_bounded (fb_message_get_title (fallback), 200);
}

static void
test_hostile_many_items (void)
{
  g_autoptr(GString) json = g_string_new ("{\"message\":\"m\",\"tags\":[");
  g_autoptr(FbMessage) m = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (json, "\"tag%u\",", i);
  g_string_append (json, "\"last\"],\"actions\":[");
  for (guint i = 0; i < 100000; i++)
    g_string_append (json, "{\"action\":\"view\",\"label\":\"L\",\"url\":\"https://e.example\"},");
  g_string_append (json, "{}]}");
  m = message_new ("f", FB_MESSAGE_FORMAT_NTFY, json->str);

  g_assert_true (fb_message_is_ntfy (m));
  g_assert_cmpuint (g_strv_length ((char **) fb_message_get_tags (m)), <=, 32);
  g_assert_cmpuint (fb_message_get_n_actions (m), ==, 3);
  g_assert_cmpint (g_utf8_strlen (fb_message_get_body (m), -1), <=, 4000);
}

static char *
nested (const char *prefix,
        guint       depth,
        const char *suffix)
{
  GString *s = g_string_new (prefix);

  for (guint i = 0; i < depth; i++)
    g_string_append (s, "{\"a\":[");
  g_string_append (s, "1");
  for (guint i = 0; i < depth; i++)
    g_string_append (s, "]}");
  g_string_append (s, suffix);
  return g_string_free (s, FALSE);
}

static void
test_hostile_deep_nesting (void)
{
  /* 50 levels is legitimate JSON: parsed, and the rest of the message read. */
  g_autofree char *fifty = nested ("{\"message\":\"deep\",\"extras\":", 25, "}");
  g_autoptr(FbMessage) m = message_new ("f", FB_MESSAGE_FORMAT_NTFY, fifty);
  /* A million levels would overflow json-glib's recursive parser's stack. */
  g_autofree char *million = nested ("{\"message\":\"deep\",\"extras\":", 500000, "}");
  g_autoptr(FbMessage) deep = message_new ("f", FB_MESSAGE_FORMAT_NTFY, million);
  /* Brackets hidden from a naive count behind a comment json-glib skips. */
  g_autofree char *hidden = nested ("{\"message\":\"deep\" /* \" */ ,\"extras\":", 500000, "}");
  g_autoptr(FbMessage) comment = message_new ("f", FB_MESSAGE_FORMAT_NTFY, hidden);
  g_autofree char *brackets = repeat ("[", 10 * MIB);
  g_autofree char *open = g_strconcat ("{\"message\":", brackets, NULL);
  g_autoptr(FbMessage) unclosed = message_new ("f", FB_MESSAGE_FORMAT_NTFY, open);

  g_assert_true (fb_message_is_ntfy (m));
  g_assert_cmpstr (fb_message_get_body (m), ==, "deep");

  g_assert_false (fb_message_is_ntfy (deep));
  g_assert_true (fb_message_is_notification (deep));
  assert_bounded (fb_message_get_title (deep), 200);
  g_assert_false (fb_message_is_ntfy (comment));
  g_assert_false (fb_message_is_ntfy (unclosed));
  assert_bounded (fb_message_get_title (unclosed), 200);
}

/*
 * The nesting check (128 levels of '{' and '[') comes before json-glib for
 * generic JSON too: one level too many, and the object is plain text.
 */
static void
test_hostile_json_deep_nesting (void)
{
  /* 1 + 2 × 63 = 127 levels, then 129 and a million. */
  g_autofree char *deepest = nested ("{\"name\":\"deep\",\"extras\":", 63, "}");
  g_autofree char *too_deep = nested ("{\"name\":\"deep\",\"extras\":", 64, "}");
  g_autofree char *million = nested ("{\"name\":\"deep\",\"extras\":", 500000, "}");
  g_autoptr(FbMessage) parsed = message_new ("f", FB_MESSAGE_FORMAT_AUTO, deepest);
  g_autoptr(FbMessage) refused = message_new ("f", FB_MESSAGE_FORMAT_AUTO, too_deep);
  g_autoptr(FbMessage) huge = message_new ("f", FB_MESSAGE_FORMAT_AUTO, million);
  /* Plain text: the first line, cut; the payload is one line. */
  g_autofree char *start = g_strndup (too_deep, 199);
  g_autofree char *title = g_strconcat (start, ELLIPSIS, NULL);

  assert_generic (parsed, "deep", "", NULL);

  g_assert_false (fb_message_is_ntfy (refused));
  g_assert_true (fb_message_is_notification (refused));
  g_assert_cmpstr (fb_message_get_title (refused), ==, title);
  g_assert_cmpstr (fb_message_get_body (refused), ==, "");
  g_assert_false (fb_message_is_ntfy (huge));
  g_assert_cmpstr (fb_message_get_title (huge), ==, title);
  g_assert_cmpstr (fb_message_get_body (huge), ==, "");
}

static void
test_hostile_invalid_json_shown_raw (void)
{
  const char *data = "{\"title\":\"Backup\",\"message\":\"done\",}";
  g_autoptr(FbMessage) m = message_new ("f", FB_MESSAGE_FORMAT_NTFY, data);

  g_assert_false (fb_message_is_ntfy (m));
  g_assert_true (fb_message_is_notification (m));
  g_assert_cmpstr (fb_message_get_title (m), ==, data);
  g_assert_cmpstr (fb_message_get_body (m), ==, "");
}

static void
test_hostile_json_links (void)
{
  /* Links that are not http(s) are passed over; they are only text. */
  g_autoptr(FbMessage) skipped = message_new ("f", FB_MESSAGE_FORMAT_AUTO,
    "{\"name\":\"x\",\"url\":\"javascript:alert(1)\",\"link\":\"file:///etc/passwd\","
    "\"href\":\"https://ok.example/\"}");
  g_autoptr(FbMessage) none = message_new ("f", FB_MESSAGE_FORMAT_AUTO,
    "{\"name\":\"x\",\"url\":\"JavaScript:alert(1)\",\"link\":\"file:///etc/passwd\","
    "\"href\":\"data:text/html,x\",\"click\":{\"url\":\"https://e.example\"},"
    "\"html_url\":\" https://e.example\"}");

  assert_generic (skipped, "x", "url: javascript:alert(1)\nlink: file:///etc/passwd",
                  "https://ok.example/");
  assert_generic (none, "x",
                  "url: JavaScript:alert(1)\nlink: file:///etc/passwd\n"
                  "href: data:text/html,x\nhtml_url: https://e.example",
                  NULL);
}

static void
test_hostile_json_invalid_utf8 (void)
{
  const char raw[] = "{\"name\":\"a\xff" "b\",\"text\":\"c\xc3\"}";
  /* What the SSE parser hands on: each invalid byte as U+FFFD. */
  g_autofree char *decoded = g_utf8_make_valid (raw, sizeof raw - 1);
  g_autoptr(FbMessage) m = message_new ("f", FB_MESSAGE_FORMAT_AUTO, decoded);
  /* Raw bytes break @data's contract; json-glib refuses them, as it
   * refuses a raw NUL, and plain text shows them as U+FFFD. */
  g_autoptr(FbMessage) bytes = fb_message_new_from_event ("f", FB_MESSAGE_FORMAT_AUTO, "message",
                                                          raw, sizeof raw - 1, "");

  assert_generic (m, "a" REPLACEMENT "b", "c" REPLACEMENT, NULL);
  g_assert_false (fb_message_is_ntfy (bytes));
  g_assert_cmpstr (fb_message_get_title (bytes), ==,
                   "{\"name\":\"a" REPLACEMENT "b\",\"text\":\"c" REPLACEMENT "\"}");
}

static void
test_hostile_json_huge_string (void)
{
  g_autofree char *text = repeat ("\u00E9t\u00E9 ", 10 * MIB);
  g_autofree char *members = g_strdup_printf ("{\"name\":\"%s\",\"description\":\"%s\"}",
                                              text, text);
  g_autoptr(FbMessage) m = message_new ("f", FB_MESSAGE_FORMAT_AUTO, members);
  /* A 10 MiB key and value in the body's lines, and a 10 MiB link. */
  g_autofree char *x = repeat ("x", 10 * MIB);
  g_autofree char *y = repeat ("y", 10 * MIB);
  g_autofree char *values = g_strdup_printf ("{\"%s\":\"%s\",\"url\":\"https://e.example/%s\","
                                             "\"n\":1}", x, y, y);
  g_autoptr(FbMessage) lines = message_new ("f", FB_MESSAGE_FORMAT_AUTO, values);
  g_autofree char *key = repeat ("x", 39);
  g_autofree char *value = repeat ("y", 99);
  g_autofree char *url = repeat ("y", 81);
  g_autofree char *body = g_strdup_printf ("%s" ELLIPSIS ": %s" ELLIPSIS "\n"
                                           "url: https://e.example/%s" ELLIPSIS "\n"
                                           "n: 1", key, value, url);

  g_assert_false (fb_message_is_ntfy (m));
  assert_bounded (fb_message_get_title (m), 200);
  g_assert_true (g_str_has_prefix (fb_message_get_title (m), "\u00E9t\u00E9 "));
  assert_bounded (fb_message_get_body (m), 4000);
  assert_generic (lines, "f", body, NULL);
}

static void
test_hostile_json_many_members (void)
{
  g_autoptr(GString) json = g_string_new ("{");
  g_autofree char *long_value = repeat ("v", 1000);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *cut = repeat ("v", 99);
  g_autoptr(FbMessage) m = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (json, "\"k%u\":\"%s\",", i, long_value);
  g_string_append (json, "\"name\":\"last\"}");
  m = message_new ("f", FB_MESSAGE_FORMAT_AUTO, json->str);

  /* The first 8 values, each cut; the title found among all 10 001. */
  for (guint i = 0; i < 8; i++)
    g_string_append_printf (body, "%sk%u: %s" ELLIPSIS, i > 0 ? "\n" : "", i, cut);
  assert_generic (m, "last", body->str, NULL);
}

/* A feed's event-type filter; a type with a NUL in it matches no filter
 * entry (a server must not get "alert\0x" past a filter for "alert"). */
static void
test_feed_accepts_type (void)
{
  g_autoptr(FbFeed) feed = fb_feed_new ("f1");
  const char *types[] = { "alert", "message", NULL };

  g_assert_true (fb_feed_accepts_type (feed, "anything", 8));
  g_assert_true (fb_feed_accepts_type (feed, "a\0b", 3));

  g_object_set (feed, "event-types", types, NULL);
  g_assert_true (fb_feed_accepts_type (feed, "alert", 5));
  g_assert_true (fb_feed_accepts_type (feed, "message", 7));
  g_assert_false (fb_feed_accepts_type (feed, "ping", 4));
  g_assert_false (fb_feed_accepts_type (feed, "alert\0x", 7));
  g_assert_false (fb_feed_accepts_type (feed, "alert\0", 6));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/message/emoji/table", test_emoji_table);
  g_test_add_func ("/message/emoji/lookup", test_emoji_lookup);
  g_test_add_func ("/message/url/is-safe", test_url_is_safe);
  g_test_add_func ("/message/plain/basic", test_plain_basic);
  g_test_add_func ("/message/plain/vectors", test_plain_vectors);
  g_test_add_func ("/message/plain/null-arguments", test_plain_null_arguments);
  g_test_add_func ("/message/ntfy/full", test_ntfy_full);
  g_test_add_func ("/message/ntfy/simple", test_ntfy_simple);
  g_test_add_func ("/message/ntfy/open-keepalive", test_ntfy_open_keepalive);
  g_test_add_func ("/message/ntfy/event-types", test_ntfy_event_types);
  g_test_add_func ("/message/ntfy/attachment-only", test_ntfy_attachment_only);
  g_test_add_func ("/message/ntfy/emoji-tags", test_ntfy_emoji_tags);
  g_test_add_func ("/message/ntfy/tags-only", test_ntfy_tags_only);
  g_test_add_func ("/message/ntfy/priority", test_ntfy_priority);
  g_test_add_func ("/message/ntfy/id-and-time", test_ntfy_id_and_time);
  g_test_add_func ("/message/ntfy/actions", test_ntfy_actions);
  g_test_add_func ("/message/ntfy/malformed-members", test_ntfy_malformed_members);
  g_test_add_func ("/message/format/auto", test_format_auto);
  g_test_add_func ("/message/format/plain", test_format_plain);
  g_test_add_func ("/message/format/ntfy", test_format_ntfy);
  g_test_add_func ("/message/format/json/mastodon", test_json_mastodon);
  g_test_add_func ("/message/format/json/wikimedia", test_json_wikimedia);
  g_test_add_func ("/message/format/json/home-assistant", test_json_home_assistant);
  g_test_add_func ("/message/format/json/woodpecker", test_json_woodpecker);
  g_test_add_func ("/message/format/json/name-url", test_json_name_url);
  g_test_add_func ("/message/format/json/members", test_json_members);
  g_test_add_func ("/message/format/json/event-type-title", test_json_event_type_title);
  g_test_add_func ("/message/hostile/urls-and-markup", test_hostile_urls_and_markup);
  g_test_add_func ("/message/hostile/long-url", test_hostile_long_url);
  g_test_add_func ("/message/hostile/nul", test_hostile_nul);
  g_test_add_func ("/message/hostile/huge-plain", test_hostile_huge_plain);
  g_test_add_func ("/message/hostile/huge-ntfy", test_hostile_huge_ntfy);
  g_test_add_func ("/message/hostile/many-items", test_hostile_many_items);
  g_test_add_func ("/message/hostile/deep-nesting", test_hostile_deep_nesting);
  g_test_add_func ("/message/hostile/invalid-json-shown-raw", test_hostile_invalid_json_shown_raw);
  g_test_add_func ("/message/hostile/json-deep-nesting", test_hostile_json_deep_nesting);
  g_test_add_func ("/message/hostile/json-links", test_hostile_json_links);
  g_test_add_func ("/message/hostile/json-invalid-utf8", test_hostile_json_invalid_utf8);
  g_test_add_func ("/message/hostile/json-huge-string", test_hostile_json_huge_string);
  g_test_add_func ("/message/hostile/json-many-members", test_hostile_json_many_members);
  g_test_add_func ("/message/feed-accepts-type", test_feed_accepts_type);

  return g_test_run ();
}
