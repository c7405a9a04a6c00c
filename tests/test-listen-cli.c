/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "fb-listen-client.h"
#include "fb-test-tls.h"
#include "fb-test-utils.h"

/* Runs the built feedbell-listen ($FEEDBELL_LISTEN) against a SoupServer on
 * 127.0.0.1, reading its stdout and stderr asynchronously while the server
 * runs in this process's main loop.
 *
 * RUN_MS only stops a run that hangs: under ASan on a loaded machine a
 * short run can take seconds. No assertion bounds how long anything took. */

#define RUN_MS  60000

typedef struct _Fixture Fixture;

typedef void (*Handler) (Fixture           *f,
                         SoupServerMessage *msg,
                         const char        *path,
                         guint              index);

/* One run of feedbell-listen, with its output lines kept. */
typedef struct
{
  FbListenClient *client;
  GPtrArray      *lines;    /* char *: stdout lines, without the newline */
  gboolean        done;     /* exited, and both pipes at their end */
} Run;

struct _Fixture
{
  FbTestSseServer *server;
  GPtrArray       *requests;   /* FbTestRequest, the server's */
  Handler          handler;
  Run             *run;
  guint            status;
  const char      *content_type;
};

/* Server */

static void
server_cb (FbTestSseServer   *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           guint              index,
           gpointer           user_data)
{
  Fixture *f = user_data;

  f->handler (f, msg, path, index);
}

static FbTestStream *
fixture_stream (Fixture           *f,
                SoupServerMessage *msg)
{
  return fb_test_sse_server_stream (f->server, msg, "text/event-stream");
}

static Fixture *
fixture_new (Handler handler)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->server = fb_test_sse_server_new (server_cb, f);
  f->requests = fb_test_sse_server_get_requests (f->server);
  f->handler = handler;

  return f;
}

static FbTestRequest *
get_request (Fixture *f,
             guint    i)
{
  return fb_test_sse_server_get_request (f->server, i);
}

/* The child process */

static void
line_cb (FbListenClient *client,
         const char     *line,
         gsize           len,
         gint64          read_at,
         gpointer        user_data)
{
  Run *run = user_data;

  /* A raw NUL would make the line shorter than what was read. */
  g_assert_cmpuint (strlen (line), ==, len);
  g_ptr_array_add (run->lines, g_strndup (line, len));
}

static void
done_cb (FbListenClient *client,
         gpointer        user_data)
{
  Run *run = user_data;

  run->done = TRUE;
}

/* Starts feedbell-listen with @args (NULL-terminated), URL included by the caller. */
static Run *
run_start (const char * const *args)
{
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);

  run->lines = g_ptr_array_new_with_free_func (g_free);
  run->client = fb_listen_client_spawn (args, line_cb, done_cb, run, &error);
  g_assert_no_error (error);

  return run;
}

static gboolean
run_finished_cb (gpointer user_data)
{
  Run *run = user_data;

  return run->done;
}

static gboolean
run_wait (Run   *run,
          guint  timeout_ms)
{
  return fb_test_wait_until (run_finished_cb, run, timeout_ms);
}

static const char *
run_stderr (Run *run)
{
  return fb_listen_client_get_stderr (run->client);
}

/* The exit status of a run that exited by itself. */
static int
run_status (Run *run)
{
  int status = fb_listen_client_get_status (run->client);

  g_test_message ("stderr: %s", run_stderr (run));
  g_assert_cmpint (status, >=, 0);
  return status;
}

static void
run_free (Run *run)
{
  /* Our own child, ended by its id if it still runs. */
  g_clear_pointer (&run->client, fb_listen_client_free);
  fb_test_flush_main_context ();
  g_ptr_array_unref (run->lines);
  g_free (run);
}

static void
fixture_free (Fixture *f)
{
  g_clear_pointer (&f->run, run_free);
  g_clear_pointer (&f->server, fb_test_sse_server_free);
  g_free (f);
}

static int fixture_run (Fixture *f,
                        ...) G_GNUC_NULL_TERMINATED;

/* Runs feedbell-listen with the options given and then the URL of /events,
 * until it exits by itself; returns its exit status. */
static int
fixture_run (Fixture *f,
             ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  const char *opt;
  va_list ap;

  va_start (ap, f);
  while ((opt = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, g_strdup (opt));
  va_end (ap);
  g_ptr_array_add (args, fb_test_sse_server_url (f->server, "/events"));
  g_ptr_array_add (args, NULL);

  f->run = run_start ((const char * const *) args->pdata);
  if (!run_wait (f->run, RUN_MS))
    g_error ("feedbell-listen did not exit in %u ms; stderr: %s", RUN_MS, run_stderr (f->run));

  return run_status (f->run);
}

static const char *
get_line (Fixture *f,
          guint    i)
{
  g_assert_cmpuint (i, <, f->run->lines->len);
  return f->run->lines->pdata[i];
}

static gboolean
contains_nocase (const char *haystack,
                 const char *needle)
{
  g_autofree char *h = g_ascii_strdown (haystack, -1);
  g_autofree char *n = g_ascii_strdown (needle, -1);

  return strstr (h, n) != NULL;
}

/* Output: exact lines */

static const char output_stream[] =
  "id: 1\ndata: hello\n\n"
  "event: update\ndata: a\ndata: b\n\n"
  "data: say \"hi\" \\ bye\n\n"
  "data: \t\b\f\x01\x1f|\n\n"
  "id: \xC3\xA9-2\ndata: caf\xC3\xA9 \xF0\x9F\x94\x94\n\n"
  "data: nul[\0]\n\n"
  "data: a\xFF" "b\xFE" "c\n\n"
  "data: d\xE2\x82" "e\n\n";

static const char * const output_lines[] = {
  "{\"type\":\"message\",\"data\":\"hello\",\"lastEventId\":\"1\"}",
  "{\"type\":\"update\",\"data\":\"a\\nb\",\"lastEventId\":\"1\"}",
  "{\"type\":\"message\",\"data\":\"say \\\"hi\\\" \\\\ bye\",\"lastEventId\":\"1\"}",
  "{\"type\":\"message\",\"data\":\"\\t\\b\\f\\u0001\\u001f|\",\"lastEventId\":\"1\"}",
  "{\"type\":\"message\",\"data\":\"caf\xC3\xA9 \xF0\x9F\x94\x94\",\"lastEventId\":\"\xC3\xA9-2\"}",
  "{\"type\":\"message\",\"data\":\"nul[\\u0000]\",\"lastEventId\":\"\xC3\xA9-2\"}",
  "{\"type\":\"message\",\"data\":\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\",\"lastEventId\":\"\xC3\xA9-2\"}",
};
#define N_OUTPUT_LINES (G_N_ELEMENTS (output_lines) + 1)

static void
output_handler (Fixture           *f,
                SoupServerMessage *msg,
                const char        *path,
                guint              index)
{
  /* sizeof - 1: the stream holds a NUL byte. */
  fb_test_stream_write (fixture_stream (f, msg), output_stream, sizeof output_stream - 1);
}

static void
test_output (void)
{
  Fixture *f = fixture_new (output_handler);
  g_autofree char *count = g_strdup_printf ("%u", (guint) N_OUTPUT_LINES);
  const char *last;
  const char *p;

  g_assert_cmpint (fixture_run (f, "--count", count, NULL), ==, 0);
  g_assert_cmpuint (f->run->lines->len, ==, N_OUTPUT_LINES);

  for (guint i = 0; i < G_N_ELEMENTS (output_lines); i++)
    g_assert_cmpstr (get_line (f, i), ==, output_lines[i]);

  /* A truncated sequence: how many U+FFFD it becomes is the decoder's choice
   * (one per maximal subpart in WHATWG); only U+FFFD may stand for it. */
  last = get_line (f, N_OUTPUT_LINES - 1);
  g_assert_true (g_str_has_prefix (last, "{\"type\":\"message\",\"data\":\"d\xEF\xBF\xBD"));
  g_assert_true (g_str_has_suffix (last, "e\",\"lastEventId\":\"\xC3\xA9-2\"}"));
  p = last + strlen ("{\"type\":\"message\",\"data\":\"d");
  while (g_str_has_prefix (p, "\xEF\xBF\xBD"))
    p += 3;
  g_assert_true (g_str_has_prefix (p, "e\""));

  for (guint i = 0; i < f->run->lines->len; i++)
    g_assert_true (g_utf8_validate (get_line (f, i), -1, NULL));

  fixture_free (f);
}

/* Output: what a JSON parser reads back */

static void
test_output_json (void)
{
  static const struct
  {
    const char *type;
    const char *data;
    const char *id;
  } expected[] = {
    { "message", "hello", "1" },
    { "update", "a\nb", "1" },
    { "message", "say \"hi\" \\ bye", "1" },
    { "message", "\t\b\f\x01\x1f|", "1" },
    { "message", "caf\xC3\xA9 \xF0\x9F\x94\x94", "\xC3\xA9-2" },
  };
  Fixture *f = fixture_new (output_handler);
  g_autofree char *count = g_strdup_printf ("%u", (guint) G_N_ELEMENTS (expected));

  g_assert_cmpint (fixture_run (f, "--count", count, NULL), ==, 0);
  g_assert_cmpuint (f->run->lines->len, ==, G_N_ELEMENTS (expected));

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GList) members = NULL;
      JsonObject *object;

      json_parser_load_from_data (parser, get_line (f, i), -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      object = json_node_get_object (json_parser_get_root (parser));

      members = json_object_get_members (object);
      g_assert_cmpuint (g_list_length (members), ==, 3);
      g_assert_cmpstr (g_list_nth_data (members, 0), ==, "type");
      g_assert_cmpstr (g_list_nth_data (members, 1), ==, "data");
      g_assert_cmpstr (g_list_nth_data (members, 2), ==, "lastEventId");

      g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, expected[i].type);
      g_assert_cmpstr (json_object_get_string_member (object, "data"), ==, expected[i].data);
      g_assert_cmpstr (json_object_get_string_member (object, "lastEventId"), ==, expected[i].id);
    }

  fixture_free (f);
}

/* --count and --quiet */

static void
five_events_handler (Fixture           *f,
                     SoupServerMessage *msg,
                     const char        *path,
                     guint              index)
{
  FbTestStream *stream = fixture_stream (f, msg);

  for (guint i = 1; i <= 5; i++)
    fb_test_stream_printf (stream, "id: %u\ndata: n%u\n\n", i, i);
}

static void
test_count (void)
{
  Fixture *f = fixture_new (five_events_handler);

  g_assert_cmpint (fixture_run (f, "--count", "3", NULL), ==, 0);
  g_assert_cmpuint (f->run->lines->len, ==, 3);
  g_assert_cmpstr (get_line (f, 0), ==, "{\"type\":\"message\",\"data\":\"n1\",\"lastEventId\":\"1\"}");
  g_assert_cmpstr (get_line (f, 2), ==, "{\"type\":\"message\",\"data\":\"n3\",\"lastEventId\":\"3\"}");
  g_assert_cmpuint (f->requests->len, ==, 1);

  fixture_free (f);
}

static void
test_quiet (void)
{
  Fixture *f = fixture_new (five_events_handler);

  g_assert_cmpint (fixture_run (f, "--quiet", "--count", "5", NULL), ==, 0);
  g_assert_cmpuint (f->run->lines->len, ==, 0);
  g_assert_cmpuint (f->requests->len, ==, 1);

  fixture_free (f);
}

/* Each line is out as soon as its event is in, not at exit: scripts read
 * the output of a long-running listener line by line. */

typedef struct
{
  Run   *run;
  guint  n_lines;
} LinesWanted;

static gboolean
lines_arrived_cb (gpointer user_data)
{
  LinesWanted *wanted = user_data;

  return wanted->run->lines->len >= wanted->n_lines || fb_listen_client_has_exited (wanted->run->client);
}

static void
test_line_flushed (void)
{
  Fixture *f = fixture_new (five_events_handler);
  g_autofree char *url = fb_test_sse_server_url (f->server, "/events");
  const char * const args[] = { url, NULL };
  LinesWanted wanted = { NULL, 5 };

  f->run = wanted.run = run_start (args);
  g_assert_true (fb_test_wait_until (lines_arrived_cb, &wanted, RUN_MS));
  g_assert_false (fb_listen_client_has_exited (f->run->client));
  g_assert_cmpuint (f->run->lines->len, ==, 5);
  g_assert_cmpstr (get_line (f, 4), ==, "{\"type\":\"message\",\"data\":\"n5\",\"lastEventId\":\"5\"}");

  fixture_free (f);
}

/* Request options */

static void
one_event_handler (Fixture           *f,
                   SoupServerMessage *msg,
                   const char        *path,
                   guint              index)
{
  fb_test_stream_write (fixture_stream (f, msg), "data: one\n\n", -1);
}

static void
test_last_event_id (void)
{
  Fixture *f = fixture_new (one_event_handler);

  g_assert_cmpint (fixture_run (f, "--last-event-id", "abc-41", "--count", "1", NULL), ==, 0);
  g_assert_cmpuint (f->requests->len, ==, 1);
  g_assert_cmpstr (fb_test_request_header (get_request (f, 0), "Last-Event-ID"), ==, "abc-41");
  /* The event had no id: the last id is still the one given. */
  g_assert_cmpstr (get_line (f, 0), ==,
                   "{\"type\":\"message\",\"data\":\"one\",\"lastEventId\":\"abc-41\"}");

  fixture_free (f);
}

static void
test_header (void)
{
  Fixture *f = fixture_new (one_event_handler);
  FbTestRequest *request;

  g_assert_cmpint (fixture_run (f,
                                "--header", "X-Token: t0k3n",
                                "--header", "X-Other: two words",
                                "--count", "1", NULL), ==, 0);
  g_assert_cmpuint (f->requests->len, ==, 1);
  request = get_request (f, 0);
  g_assert_cmpstr (fb_test_request_header (request, "X-Token"), ==, "t0k3n");
  g_assert_cmpstr (fb_test_request_header (request, "X-Other"), ==, "two words");
  g_assert_cmpstr (fb_test_request_header (request, "Accept"), ==, "text/event-stream");
  g_assert_null (fb_test_request_header (request, "Last-Event-ID"));

  fixture_free (f);
}

/* Exit status */

static void
status_handler (Fixture           *f,
                SoupServerMessage *msg,
                const char        *path,
                guint              index)
{
  soup_server_message_set_status (msg, f->status, NULL);
  if (f->content_type != NULL)
    soup_server_message_set_response (msg, f->content_type, SOUP_MEMORY_STATIC,
                                      "<p>hi</p>\n", 10);
}

static void
test_exit_no_content (void)
{
  Fixture *f = fixture_new (status_handler);

  f->status = SOUP_STATUS_NO_CONTENT;
  g_assert_cmpint (fixture_run (f, NULL), ==, 0);
  g_assert_cmpuint (f->run->lines->len, ==, 0);
  g_assert_cmpuint (f->requests->len, ==, 1);

  fixture_free (f);
}

typedef struct
{
  const char *path;
  guint       status;
  const char *content_type;
  const char *in_stderr;
  const char *or_in_stderr;
} FailureCase;

static const FailureCase failure_cases[] = {
  { "/listen/cli/exit-status/401", 401, NULL, "401", NULL },
  { "/listen/cli/exit-status/404", 404, NULL, "404", "not found" },
  { "/listen/cli/exit-status/content-type", 200, "text/html", "text/html", NULL },
};

static void
test_exit_failure (gconstpointer data)
{
  const FailureCase *c = data;
  Fixture *f = fixture_new (status_handler);
  const char *err;

  f->status = c->status;
  f->content_type = c->content_type;
  g_assert_cmpint (fixture_run (f, NULL), ==, 1);
  g_assert_cmpuint (f->run->lines->len, ==, 0);
  g_assert_cmpuint (f->requests->len, ==, 1);

  err = run_stderr (f->run);
  g_assert_true (contains_nocase (err, c->in_stderr) ||
                 (c->or_in_stderr != NULL && contains_nocase (err, c->or_in_stderr)));

  fixture_free (f);
}

typedef struct
{
  const char *path;
  const char *args[4];   /* "URL" stands for the server's URL */
} UsageCase;

static const UsageCase usage_cases[] = {
  { "/listen/cli/usage/no-url", { "--count", "1", NULL } },
  { "/listen/cli/usage/header-without-colon", { "--header", "X-Broken", "URL", NULL } },
  { "/listen/cli/usage/not-http", { "ftp://127.0.0.1/events", NULL } },
  { "/listen/cli/usage/no-host", { "http:///events", NULL } },
  { "/listen/cli/usage/space-in-url", { "http://127.0.0.1/ev ents", NULL } },
  { "/listen/cli/usage/control-in-url", { "http://127.0.0.1/ev\tents", NULL } },
  { "/listen/cli/usage/unknown-option", { "--no-such-option", "URL", NULL } },
  { "/listen/cli/usage/max-event-size-too-small", { "--max-event-size", "1023", "URL", NULL } },
  { "/listen/cli/usage/max-event-size-too-large", { "--max-event-size", "67108865", "URL", NULL } },
  { "/listen/cli/usage/ca-file-missing", { "--ca-file", "/nonexistent/ca.pem", "URL", NULL } },
};

static void
test_usage (gconstpointer data)
{
  const UsageCase *c = data;
  Fixture *f = fixture_new (one_event_handler);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; c->args[i] != NULL; i++)
    {
      if (g_str_equal (c->args[i], "URL"))
        g_ptr_array_add (args, fb_test_sse_server_url (f->server, "/events"));
      else
        g_ptr_array_add (args, g_strdup (c->args[i]));
    }
  g_ptr_array_add (args, NULL);

  f->run = run_start ((const char * const *) args->pdata);
  g_assert_true (run_wait (f->run, RUN_MS));
  g_assert_cmpint (run_status (f->run), ==, 2);
  g_assert_cmpuint (f->run->lines->len, ==, 0);
  fb_test_flush_main_context ();
  g_assert_cmpuint (f->requests->len, ==, 0);

  fixture_free (f);
}

/* Resume (FB_TEST_RESUME_*): ids 1..20, the first stream breaks after 7 in
 * the middle of 8. */

static void
resume_handler (Fixture           *f,
                SoupServerMessage *msg,
                const char        *path,
                guint              index)
{
  FbTestStream *stream = fixture_stream (f, msg);

  fb_test_stream_write_resume (stream, index);
  if (index == 0)
    fb_test_stream_end (stream);
}

static void
test_resume (void)
{
  Fixture *f = fixture_new (resume_handler);
  g_autofree char *count = g_strdup_printf ("%u", FB_TEST_RESUME_N_EVENTS);

  g_assert_cmpint (fixture_run (f, "--count", count, NULL), ==, 0);
  g_assert_cmpuint (f->requests->len, ==, 2);
  g_assert_null (fb_test_request_header (get_request (f, 0), "Last-Event-ID"));
  g_assert_cmpstr (fb_test_request_header (get_request (f, 1), "Last-Event-ID"), ==, "7");

  g_assert_cmpuint (f->run->lines->len, ==, FB_TEST_RESUME_N_EVENTS);
  for (guint i = 1; i <= FB_TEST_RESUME_N_EVENTS; i++)
    {
      g_autofree char *line =
        g_strdup_printf ("{\"type\":\"message\",\"data\":\"event %u\",\"lastEventId\":\"%u\"}", i, i);

      g_assert_cmpstr (get_line (f, i - 1), ==, line);
    }

  fixture_free (f);
}

/* --verbose and --idle-timeout */

static void
test_verbose (void)
{
  Fixture *f = fixture_new (one_event_handler);

  g_assert_cmpint (fixture_run (f, "--verbose", "--count", "1", NULL), ==, 0);
  g_assert_cmpuint (f->run->lines->len, ==, 1);
  g_assert_true (contains_nocase (run_stderr (f->run), "connecting"));
  g_assert_true (contains_nocase (run_stderr (f->run), "open"));

  fixture_free (f);
}

static void
stall_then_event_handler (Fixture           *f,
                          SoupServerMessage *msg,
                          const char        *path,
                          guint              index)
{
  FbTestStream *stream = fixture_stream (f, msg);

  /* The first stream goes silent with its socket open. */
  if (index == 0)
    fb_test_stream_write (stream, "retry: 200\n\n", -1);
  else
    fb_test_stream_write (stream, "data: after idle\n\n", -1);
}

static void
test_idle_timeout (void)
{
  Fixture *f = fixture_new (stall_then_event_handler);
  gint64 gap_ms;

  g_assert_cmpint (fixture_run (f, "--idle-timeout", "1", "--count", "1", NULL), ==, 0);
  g_assert_cmpuint (f->requests->len, ==, 2);
  /* Not before a second of silence; how much later depends on the load. */
  gap_ms = (get_request (f, 1)->time_us - get_request (f, 0)->time_us) / 1000;
  g_test_message ("reconnected %" G_GINT64_FORMAT " ms after the first request", gap_ms);
  g_assert_cmpint (gap_ms, >=, 1000);
  g_assert_cmpstr (get_line (f, 0), ==,
                   "{\"type\":\"message\",\"data\":\"after idle\",\"lastEventId\":\"\"}");

  fixture_free (f);
}

/* --notification: what the app would show */

/* The events of f->events, then the stream stays open. */
static const char *notification_stream;

static void
notification_handler (Fixture           *f,
                      SoupServerMessage *msg,
                      const char        *path,
                      guint              index)
{
  fb_test_stream_write (fixture_stream (f, msg), notification_stream, -1);
}

/* Runs with --notification, the options given and --count @count, on
 * @stream; parses each output line into @objects (JsonNode). */
static Fixture *
notification_run (const char  *stream,
                  guint        count,
                  const char  *opt1,
                  const char  *arg1,
                  const char  *opt2,
                  const char  *arg2,
                  const char  *opt3,
                  const char  *arg3)
{
  Fixture *f = fixture_new (notification_handler);
  g_autofree char *n = g_strdup_printf ("%u", count);

  notification_stream = stream;
  g_assert_cmpint (fixture_run (f, "--notification", "--count", n,
                                opt1 ? opt1 : "--count", opt1 ? arg1 : n,
                                opt2 ? opt2 : "--count", opt2 ? arg2 : n,
                                opt3 ? opt3 : "--count", opt3 ? arg3 : n,
                                NULL), ==, 0);
  for (guint i = 0; i < f->run->lines->len; i++)
    g_assert_true (g_utf8_validate (get_line (f, i), -1, NULL));

  return f;
}

/* Member @name of output line @i, as text; NULL for a JSON null. */
static char *
line_member (Fixture    *f,
             guint       i,
             const char *name)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonNode *node;

  json_parser_load_from_data (parser, get_line (f, i), -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (object, name) ||
                 g_str_equal (name, "key") || g_str_equal (name, "group"));
  node = json_object_get_member (object, name);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return g_strdup (json_node_get_string (node));
}

#define assert_member(f, i, name, expected) \
  G_STMT_START { \
    g_autofree char *_value = line_member ((f), (i), (name)); \
    g_assert_cmpstr (_value, ==, (expected)); \
  } G_STMT_END

#define assert_member_not_null(f, i, name) \
  G_STMT_START { \
    g_autofree char *_value = line_member ((f), (i), (name)); \
    g_assert_nonnull (_value); \
  } G_STMT_END

static void
test_notification_plain (void)
{
  Fixture *f = notification_run ("data: Build #12 passed\ndata: All green.\n\n", 1,
                                 "--format", "plain", NULL, NULL, NULL, NULL);

  g_assert_cmpuint (f->run->lines->len, ==, 1);
  assert_member (f, 0, "title", "Build #12 passed");
  assert_member (f, 0, "body", "All green.");
  assert_member (f, 0, "url", NULL);
  assert_member (f, 0, "icon", NULL);
  assert_member (f, 0, "urgency", "normal");
  assert_member (f, 0, "ignored", NULL);
  assert_member (f, 0, "format", "plain");

  fixture_free (f);
}

static void
test_notification_ntfy (void)
{
  static const char stream[] =
    "data: {\"id\":\"k1\",\"time\":1700000000,\"event\":\"keepalive\",\"topic\":\"t\"}\n\n"
    "data: {\"id\":\"m1\",\"time\":1700000001,\"event\":\"message\",\"topic\":\"t\","
    "\"title\":\"Disk\",\"message\":\"Almost full\",\"priority\":5,"
    "\"click\":\"https://example.com/disk\"}\n\n";
  Fixture *f = notification_run (stream, 2, "--format", "ntfy", NULL, NULL, NULL, NULL);

  /* The keepalive prints nothing. */
  g_assert_cmpuint (f->run->lines->len, ==, 1);
  assert_member (f, 0, "title", "Disk");
  assert_member (f, 0, "body", "Almost full");
  assert_member (f, 0, "url", "https://example.com/disk");
  assert_member (f, 0, "urgency", "critical");
  assert_member (f, 0, "ignored", NULL);
  assert_member (f, 0, "format", "ntfy");

  fixture_free (f);
}

static void
test_notification_custom (void)
{
  static const char stream[] =
    "data: {\"a\":{\"b\":\"Deployed\"},\"env\":\"prod\",\"u\":\"https://ci.example/1\"}\n\n";
  Fixture *f = notification_run (stream, 1,
                                 "--title", "{{ .a.b }}",
                                 "--body", "to {{ .env }}",
                                 "--link", "{{ .u }}");

  g_assert_cmpuint (f->run->lines->len, ==, 1);
  assert_member (f, 0, "title", "Deployed");
  assert_member (f, 0, "body", "to prod");
  assert_member (f, 0, "url", "https://ci.example/1");
  assert_member (f, 0, "ignored", NULL);
  assert_member (f, 0, "format", "custom");

  fixture_free (f);
}

static void
test_notification_key_group (void)
{
  static const char stream[] = "data: {\"job\":\"build\",\"repo\":\"fb\"}\n\n";
  Fixture *f = notification_run (stream, 1,
                                 "--title", "{{ .job }}",
                                 "--key", "{{ .repo }}-{{ .job }}",
                                 "--group", "{{ .repo }}");

  g_assert_cmpuint (f->run->lines->len, ==, 1);
  assert_member (f, 0, "key", "fb-build");
  assert_member (f, 0, "group", "fb");

  fixture_free (f);
}

static void
test_notification_ignore (void)
{
  Fixture *f = notification_run ("data: ping\n\ndata: pong\n\n", 2,
                                 "--ignore", "data == \"ping\"", NULL, NULL, NULL, NULL);
  g_autofree char *reason = NULL;

  g_assert_cmpuint (f->run->lines->len, ==, 2);
  reason = line_member (f, 0, "ignored");
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "ping"));
  assert_member (f, 0, "title", NULL);
  assert_member (f, 0, "body", NULL);
  assert_member (f, 0, "url", NULL);
  assert_member (f, 0, "icon", NULL);
  assert_member (f, 1, "ignored", NULL);
  assert_member (f, 1, "title", "pong");

  fixture_free (f);
}

/* The first stream breaks after two events, the second has three: the
 * first event of each is skipped, and only it. */
static void
skip_first_handler (Fixture           *f,
                    SoupServerMessage *msg,
                    const char        *path,
                    guint              index)
{
  FbTestStream *stream = fixture_stream (f, msg);

  if (index == 0)
    {
      fb_test_stream_write (stream, "retry: 10\nid: 1\ndata: one\n\nid: 2\ndata: two\n\n", -1);
      fb_test_stream_end (stream);
    }
  else
    fb_test_stream_write (stream, "id: 3\ndata: three\n\nid: 4\ndata: four\n\n", -1);
}

static void
test_notification_skip_first (void)
{
  Fixture *f = fixture_new (skip_first_handler);

  g_assert_cmpint (fixture_run (f, "--notification", "--skip-first", "--count", "4", NULL), ==, 0);
  g_assert_cmpuint (f->requests->len, ==, 2);
  g_assert_cmpuint (f->run->lines->len, ==, 4);
  assert_member (f, 0, "title", NULL);
  assert_member_not_null (f, 0, "ignored");
  assert_member (f, 1, "title", "two");
  assert_member (f, 2, "title", NULL);
  assert_member_not_null (f, 2, "ignored");
  assert_member (f, 3, "title", "four");

  fixture_free (f);
}

static void
test_notification_javascript_link (void)
{
  Fixture *f = notification_run ("data: {\"u\":\"javascript:alert(1)\"}\n\n", 1,
                                 "--title", "hi", "--link", "{{ .u }}", NULL, NULL);

  g_assert_cmpuint (f->run->lines->len, ==, 1);
  assert_member (f, 0, "title", "hi");
  assert_member (f, 0, "url", NULL);

  fixture_free (f);
}

static void
test_notification_mastodon (void)
{
  static const char stream[] =
    "event: notification\n"
    "data: {\"id\":\"1\",\"type\":\"mention\",\"account\":{\"username\":\"ana\",\"acct\":\"ana\","
    "\"display_name\":\"Ana\"},\"status\":{\"content\":\"<p>Hi <b>there</b></p>\","
    "\"url\":\"https://social.example/@ana/1\"}}\n\n";
  Fixture *f = notification_run (stream, 1, "--format", "mastodon", NULL, NULL, NULL, NULL);
  g_autofree char *title = NULL;

  g_assert_cmpuint (f->run->lines->len, ==, 1);
  title = line_member (f, 0, "title");
  g_test_message ("line: %s", get_line (f, 0));
  g_assert_nonnull (title);
  g_assert_true (g_str_has_suffix (title, "mentioned you"));
  assert_member (f, 0, "ignored", NULL);
  assert_member (f, 0, "format", "mastodon");

  fixture_free (f);
}

/* ntfy: no SSE ids, Last-Event-ID ignored; a stream resumes with since=ID,
 * the messages after that one ("all", or an id it does not know: all).
 * Request 0 (since=all): open, m1, a keepalive, m2, then the stream ends;
 * a request naming a message before the last: that message again (a
 * replay), the rest, the end; naming the last: 204, which ends the run. */

static const char * const ntfy_ids[] = { "aB3kd9xQ", "Zq81LmPo", "u7TtRe0w" };
static GPtrArray *ntfy_since;   /* char *: each request's since, "-" for none */

static void
ntfy_write_message (FbTestStream *stream,
                    guint         i)
{
  fb_test_stream_printf (stream, "data: {\"id\":\"%s\",\"time\":%u,\"event\":\"message\","
                         "\"topic\":\"t\",\"message\":\"m%u\"}\n\n", ntfy_ids[i], 1700000000 + i, i + 1);
}

static void
ntfy_handler (Fixture           *f,
              SoupServerMessage *msg,
              const char        *path,
              guint              index)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) params = g_uri_parse_params (query ? query : "", -1, "&", G_URI_PARAMS_NONE, NULL);
  const char *since = params ? g_hash_table_lookup (params, "since") : NULL;
  FbTestStream *stream;
  guint from = 0;

  g_ptr_array_add (ntfy_since, g_strdup (since ? since : "-"));
  for (guint i = 0; since != NULL && i < G_N_ELEMENTS (ntfy_ids); i++)
    if (g_str_equal (since, ntfy_ids[i]))
      from = i + 1;
  if (from == G_N_ELEMENTS (ntfy_ids))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  /* ntfy sends no retry:, but nobody wants to wait 3 s here. */
  stream = fixture_stream (f, msg);
  fb_test_stream_write (stream, "retry: 50\n\n"
                        "event: open\ndata: {\"id\":\"0pen1d00\",\"time\":1700000000,\"event\":\"open\",\"topic\":\"t\"}\n\n", -1);
  if (from == 0)
    {
      ntfy_write_message (stream, 0);
      fb_test_stream_write (stream, "event: keepalive\ndata: {\"id\":\"k33pAl1v\",\"time\":1700000001,"
                            "\"event\":\"keepalive\",\"topic\":\"t\"}\n\n", -1);
      ntfy_write_message (stream, 1);
    }
  else
    {
      for (guint i = from - 1; i < G_N_ELEMENTS (ntfy_ids); i++)
        ntfy_write_message (stream, i);
    }
  fb_test_stream_end (stream);
}

/* Runs feedbell-listen with @opt (may be NULL) and the state file @state on
 * /t/sse?since=all until it exits by itself. */
static void
ntfy_run (Fixture    *f,
          const char *opt,
          const char *state)
{
  g_autofree char *url = fb_test_sse_server_url (f->server, "/t/sse?since=all");
  const char *args[] = { "--state-file", state, url, NULL, NULL };

  if (opt != NULL)
    {
      args[2] = opt;
      args[3] = url;
    }
  f->run = run_start (args);
  if (!run_wait (f->run, RUN_MS))
    g_error ("feedbell-listen did not exit in %u ms; stderr: %s", RUN_MS, run_stderr (f->run));
  g_assert_cmpint (run_status (f->run), ==, 0);
}

static void
test_ntfy_resume (gconstpointer data)
{
  const char *opt = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("feedbell-listen-XXXXXX", &error);
  g_autofree char *state = g_build_filename (dir, "state.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *saved;
  Fixture *f;

  g_assert_no_error (error);
  ntfy_since = g_ptr_array_new_with_free_func (g_free);

  /* Every message once, in order; open and the keepalive print nothing. */
  f = fixture_new (ntfy_handler);
  ntfy_run (f, opt, state);
  g_assert_cmpuint (f->run->lines->len, ==, G_N_ELEMENTS (ntfy_ids));
  for (guint i = 0; i < G_N_ELEMENTS (ntfy_ids); i++)
    {
      g_autofree char *body = g_strdup_printf ("m%u", i + 1);

      if (opt != NULL)
        {
          assert_member (f, i, "body", body);
          assert_member (f, i, "format", "ntfy");
        }
      else
        {
          g_autofree char *line =
            g_strdup_printf ("{\"type\":\"message\",\"data\":\"{\\\"id\\\":\\\"%s\\\",\\\"time\\\":%u,"
                             "\\\"event\\\":\\\"message\\\",\\\"topic\\\":\\\"t\\\",\\\"message\\\":\\\"m%u\\\"}\","
                             "\"lastEventId\":\"\"}", ntfy_ids[i], 1700000000 + i, i + 1);

          g_assert_cmpstr (get_line (f, i), ==, line);
        }
    }
  /* since= replaced the URL's own; Last-Event-ID never sent. */
  g_assert_cmpuint (ntfy_since->len, ==, 3);
  g_assert_cmpstr (ntfy_since->pdata[0], ==, "all");
  g_assert_cmpstr (ntfy_since->pdata[1], ==, ntfy_ids[1]);
  g_assert_cmpstr (ntfy_since->pdata[2], ==, ntfy_ids[2]);
  for (guint i = 0; i < f->requests->len; i++)
    g_assert_null (fb_test_request_header (get_request (f, i), "Last-Event-ID"));
  g_clear_pointer (&f, fixture_free);

  g_file_get_contents (state, &contents, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("state file: %s", contents);
  json_parser_load_from_data (parser, contents, -1, &error);
  g_assert_no_error (error);
  saved = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (saved, "lastEventId"), ==, ntfy_ids[2]);
  g_assert_cmpstr (json_object_get_string_member (saved, "resumeParam"), ==, "since");

  /* A new process resumes from the state file. */
  g_ptr_array_set_size (ntfy_since, 0);
  f = fixture_new (ntfy_handler);
  ntfy_run (f, opt, state);
  g_assert_cmpuint (f->run->lines->len, ==, 0);
  g_assert_cmpuint (ntfy_since->len, ==, 1);
  g_assert_cmpstr (ntfy_since->pdata[0], ==, ntfy_ids[2]);
  fixture_free (f);

  g_clear_pointer (&ntfy_since, g_ptr_array_unref);
  fb_test_delete_tree (dir);
}

/* --format sse: the data is not read, every event is a line. */
static void
test_ntfy_format_sse (void)
{
  Fixture *f = fixture_new (ntfy_handler);
  g_autofree char *url = fb_test_sse_server_url (f->server, "/t/sse?since=all");
  const char * const args[] = { "--format", "sse", "--count", "4", url, NULL };

  ntfy_since = g_ptr_array_new_with_free_func (g_free);
  f->run = run_start (args);
  g_assert_true (run_wait (f->run, RUN_MS));
  g_assert_cmpint (run_status (f->run), ==, 0);
  g_assert_cmpuint (f->run->lines->len, ==, 4);
  g_assert_true (g_str_has_prefix (get_line (f, 0), "{\"type\":\"open\","));
  g_assert_true (g_str_has_prefix (get_line (f, 2), "{\"type\":\"keepalive\","));
  g_assert_cmpstr (ntfy_since->pdata[0], ==, "all");

  fixture_free (f);
  g_clear_pointer (&ntfy_since, g_ptr_array_unref);
}

/* Usage errors of the mapping options: status 2, the reason on stderr, no request. */

typedef struct
{
  const char *path;
  const char *args[5];
  const char *in_stderr[3];
} MappingUsageCase;

static const MappingUsageCase mapping_usage_cases[] = {
  { "/listen/cli/notification/usage/bad-template",
    { "--notification", "--title", "{{ .a", NULL }, { "--title", "Column", NULL } },
  { "/listen/cli/notification/usage/bad-rule",
    { "--notification", "--ignore", "data === 1", NULL }, { "--ignore", "Column", NULL } },
  { "/listen/cli/notification/usage/template-with-ntfy",
    { "--notification", "--format", "ntfy", "--title", "x" }, { "ntfy", NULL } },
  { "/listen/cli/notification/usage/unknown-format",
    { "--notification", "--format", "nope", NULL }, { "nope", NULL } },
  { "/listen/cli/notification/usage/without-notification",
    { "--title", "x", NULL }, { "--notification", NULL } },
  { "/listen/cli/usage/format-without-notification",
    { "--format", "mastodon", NULL }, { "mastodon", "--notification", NULL } },
};

static void
test_mapping_usage (gconstpointer data)
{
  const MappingUsageCase *c = data;
  Fixture *f = fixture_new (one_event_handler);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (c->args) && c->args[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (c->args[i]));
  g_ptr_array_add (args, fb_test_sse_server_url (f->server, "/events"));
  g_ptr_array_add (args, NULL);

  f->run = run_start ((const char * const *) args->pdata);
  g_assert_true (run_wait (f->run, RUN_MS));
  g_assert_cmpint (run_status (f->run), ==, 2);
  g_assert_cmpuint (f->run->lines->len, ==, 0);
  for (guint i = 0; c->in_stderr[i] != NULL; i++)
    g_assert_nonnull (strstr (run_stderr (f->run), c->in_stderr[i]));
  fb_test_flush_main_context ();
  g_assert_cmpuint (f->requests->len, ==, 0);

  fixture_free (f);
}

/* Certificates and event sizes */

static FbTestCerts *certs;

/* A fixture whose server speaks https with the certificate in @pem_file. */
static Fixture *
fixture_new_tls (Handler     handler,
                 const char *pem_file)
{
  g_autoptr(GTlsCertificate) certificate = fb_test_certs_load (pem_file);
  Fixture *f = g_new0 (Fixture, 1);

  f->server = fb_test_sse_server_new_tls (server_cb, f, certificate);
  f->requests = fb_test_sse_server_get_requests (f->server);
  f->handler = handler;

  return f;
}

/* Not trusted: exit 1 with the reason, at the first attempt. */
static void
test_tls_untrusted (void)
{
  Fixture *f;

  if (certs == NULL)
    {
      g_test_skip ("no openssl command to make certificates");
      return;
    }

  f = fixture_new_tls (one_event_handler, certs->self_signed);
  g_assert_cmpint (fixture_run (f, NULL), ==, 1);
  g_assert_cmpuint (f->run->lines->len, ==, 0);
  g_assert_nonnull (strstr (run_stderr (f->run), "certificate is self-signed: add its certificate authority"));
  g_assert_cmpuint (f->requests->len, ==, 0);

  fixture_free (f);
}

/* --ca-file trusts the server's authority, as a feed's CA setting does. */
static void
test_tls_ca_file (void)
{
  Fixture *f;

  if (certs == NULL)
    {
      g_test_skip ("no openssl command to make certificates");
      return;
    }

  f = fixture_new_tls (one_event_handler, certs->trusted);
  g_assert_cmpint (fixture_run (f, "--ca-file", certs->ca_file, "--count", "1", NULL), ==, 0);
  g_assert_cmpuint (f->run->lines->len, ==, 1);
  g_assert_cmpstr (get_line (f, 0), ==, "{\"type\":\"message\",\"data\":\"one\",\"lastEventId\":\"\"}");
  g_assert_cmpuint (f->requests->len, ==, 1);

  fixture_free (f);
}

/* Data of 1024 bytes, of 1025, then "ok". */
static void
sized_events_handler (Fixture           *f,
                      SoupServerMessage *msg,
                      const char        *path,
                      guint              index)
{
  FbTestStream *stream = fixture_stream (f, msg);
  g_autofree char *exact = g_strnfill (1024, 'x');
  g_autofree char *over = g_strnfill (1025, 'y');

  fb_test_stream_printf (stream, "data: %s\n\ndata: %s\n\ndata: ok\n\n", exact, over);
}

static void
test_max_event_size (void)
{
  Fixture *f = fixture_new (sized_events_handler);
  g_autofree char *exact = g_strnfill (1024, 'x');
  g_autofree char *exact_line = NULL;

  g_assert_cmpint (fixture_run (f, "--max-event-size", "1024", "--count", "2", NULL), ==, 0);
  exact_line = g_strdup_printf ("{\"type\":\"message\",\"data\":\"%s\",\"lastEventId\":\"\"}", exact);
  g_assert_cmpuint (f->run->lines->len, ==, 2);
  g_assert_cmpstr (get_line (f, 0), ==, exact_line);
  g_assert_cmpstr (get_line (f, 1), ==, "{\"type\":\"message\",\"data\":\"ok\",\"lastEventId\":\"\"}");
  g_assert_nonnull (strstr (run_stderr (f->run), "dropped an event larger than 1024 bytes"));

  fixture_free (f);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  certs = fb_test_certs_new ();

  g_test_add_func ("/listen/cli/output", test_output);
  g_test_add_func ("/listen/cli/output-json", test_output_json);
  g_test_add_func ("/listen/cli/count", test_count);
  g_test_add_func ("/listen/cli/quiet", test_quiet);
  g_test_add_func ("/listen/cli/line-flushed", test_line_flushed);
  g_test_add_func ("/listen/cli/last-event-id", test_last_event_id);
  g_test_add_func ("/listen/cli/header", test_header);
  g_test_add_func ("/listen/cli/exit-status/204", test_exit_no_content);
  for (guint i = 0; i < G_N_ELEMENTS (failure_cases); i++)
    g_test_add_data_func (failure_cases[i].path, &failure_cases[i], test_exit_failure);
  for (guint i = 0; i < G_N_ELEMENTS (usage_cases); i++)
    g_test_add_data_func (usage_cases[i].path, &usage_cases[i], test_usage);
  g_test_add_func ("/listen/cli/resume", test_resume);
  g_test_add_func ("/listen/cli/verbose", test_verbose);
  g_test_add_func ("/listen/cli/idle-timeout", test_idle_timeout);
  g_test_add_func ("/listen/cli/notification/plain", test_notification_plain);
  g_test_add_func ("/listen/cli/notification/ntfy", test_notification_ntfy);
  g_test_add_func ("/listen/cli/notification/custom", test_notification_custom);
  g_test_add_func ("/listen/cli/notification/key-group", test_notification_key_group);
  g_test_add_func ("/listen/cli/notification/ignore", test_notification_ignore);
  g_test_add_func ("/listen/cli/notification/skip-first", test_notification_skip_first);
  g_test_add_func ("/listen/cli/notification/javascript-link", test_notification_javascript_link);
  g_test_add_func ("/listen/cli/notification/mastodon", test_notification_mastodon);
  for (guint i = 0; i < G_N_ELEMENTS (mapping_usage_cases); i++)
    g_test_add_data_func (mapping_usage_cases[i].path, &mapping_usage_cases[i], test_mapping_usage);
  g_test_add_data_func ("/listen/cli/ntfy/resume", NULL, test_ntfy_resume);
  g_test_add_data_func ("/listen/cli/ntfy/resume-notification", "--notification", test_ntfy_resume);
  g_test_add_func ("/listen/cli/ntfy/format-sse", test_ntfy_format_sse);
  g_test_add_func ("/listen/cli/tls/untrusted", test_tls_untrusted);
  g_test_add_func ("/listen/cli/tls/ca-file", test_tls_ca_file);
  g_test_add_func ("/listen/cli/max-event-size", test_max_event_size);

  status = g_test_run ();
  g_clear_pointer (&certs, fb_test_certs_free);

  return status;
}
