/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fb-http-action.h"
#include "fb-test-utils.h"

/*
 * ntfy's http action buttons: what a message may ask for (parsing, and
 * the same checks on the way back from JSON), and the request against real
 * SoupServers on 127.0.0.1 with a manual clock (no timeout fires unless a
 * test moves it): exactly the method, headers and body asked for, the
 * feed's credentials only at the feed's origin, no redirect followed, a
 * bounded read of the answer, the timeout, cancellation; then the policy of
 * asking first.
 */

#define WAIT_MS   10000
#define BIG_BODY  (10 * 1024 * 1024)
#define BIG_CHUNK (64 * 1024)

typedef struct
{
  FbTestNetFixture  net;
  char             *feed_url;    /* on net.server */
  GPtrArray        *bodies;      /* GBytes: the server's request bodies, in order */
  FbTestStream     *big;
  gsize             big_written;
} Fixture;

typedef struct
{
  gboolean  done;
  gboolean  ok;
  guint     status;
  GError   *error;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_error (&outcome->error);
  outcome->done = FALSE;
  outcome->ok = FALSE;
  outcome->status = 0;
}

/* --- the servers ------------------------------------------------------------ */

static void
big_wrote_chunk_cb (SoupServerMessage *msg,
                    Fixture           *f)
{
  static const char zeros[BIG_CHUNK];

  if (f->big_written >= BIG_BODY)
    {
      fb_test_stream_end (f->big);
      return;
    }
  f->big_written += sizeof zeros;
  fb_test_stream_write (f->big, zeros, sizeof zeros);
}


static void
handler (FbTestSseServer   *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         guint              index,
         gpointer           user_data)
{
  Fixture *f = user_data;

  if (server == f->net.server)
    g_ptr_array_add (f->bodies,
                     soup_message_body_flatten (soup_server_message_get_request_body (msg)));

  if (g_strcmp0 (path, "/redirect") == 0)
    {
      g_autofree char *there = fb_test_sse_server_url (f->net.other, "/target");

      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, there);
    }
  else if (g_str_has_prefix (path, "/status/"))
    {
      soup_server_message_set_status (msg, atoi (path + strlen ("/status/")), NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "no", 2);
    }
  else if (g_strcmp0 (path, "/big") == 0)
    {
      f->big = fb_test_sse_server_stream (server, msg, "application/octet-stream");
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (big_wrote_chunk_cb), f);
      big_wrote_chunk_cb (msg, f);
    }
  else if (g_strcmp0 (path, "/never") == 0)
    {
      fb_test_net_fixture_hold (&f->net, msg);
    }
  else
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
    }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  fb_test_net_fixture_set_up (&f->net, handler, f);
  f->feed_url = fb_test_sse_server_url (f->net.server, "/topic/sse");
  f->bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  fb_test_net_fixture_tear_down (&f->net);
  g_clear_pointer (&f->bodies, g_ptr_array_unref);
  g_free (f->feed_url);
}

/* --- running ---------------------------------------------------------------- */

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Outcome *outcome = user_data;

  g_assert_null (object);
  outcome->ok = fb_http_action_run_finish (result, &outcome->status, &outcome->error);
  outcome->done = TRUE;
}

static gboolean
outcome_done (gpointer user_data)
{
  return ((Outcome *) user_data)->done;
}

static void
run_start (Fixture            *f,
           const FbHttpAction *action,
           const char         *authorization,
           guint               timeout_ms,
           GCancellable       *cancellable,
           Outcome            *outcome)
{
  outcome_clear (outcome);
  fb_http_action_run_async (action, f->net.session, f->feed_url, authorization, f->net.clock,
                            timeout_ms, cancellable, run_cb, outcome);
}

/* Sends @action and waits for the outcome. */
static void
run (Fixture            *f,
     const FbHttpAction *action,
     const char         *authorization,
     Outcome            *outcome)
{
  run_start (f, action, authorization, 0, NULL, outcome);
  g_assert_true (fb_test_wait_until (outcome_done, outcome, WAIT_MS));
}

static FbHttpAction *
action_to (FbTestSseServer    *server,
           const char         *path,
           const char         *method,
           const char * const *headers,
           const char         *body)
{
  g_autofree char *url = fb_test_sse_server_url (server, path);
  FbHttpAction *action = fb_http_action_new ("Do it", url, method, headers, body, FALSE);

  g_assert_nonnull (action);
  return action;
}

static guint
n_requests (FbTestSseServer *server)
{
  return fb_test_sse_server_get_requests (server)->len;
}

/* --- parsing ---------------------------------------------------------------------- */

static FbHttpAction *
parse (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  return fb_http_action_new_from_json (json_node_get_object (node));
}

static void
assert_refused (const char *json)
{
  g_autoptr(FbHttpAction) action = parse (json);

  if (action != NULL)
    g_error ("accepted: %s", json);
}

static void
test_parse_valid (void)
{
  g_autoptr(FbHttpAction) action = NULL;

  action = parse ("{\"id\":\"a1\",\"action\":\"http\",\"label\":\"Open door\","
                  "\"url\":\"https://api.example.org/open?door=1\",\"method\":\"PUT\","
                  "\"headers\":{\"X-Token\":\"abc\",\"Content-Type\":\"application/json\"},"
                  "\"body\":\"{\\\"open\\\":true}\",\"clear\":true}");
  g_assert_nonnull (action);
  g_assert_cmpstr (action->label, ==, "Open door");
  g_assert_cmpstr (action->url, ==, "https://api.example.org/open?door=1");
  g_assert_cmpstr (action->method, ==, "PUT");
  g_assert_cmpuint (g_strv_length (action->headers), ==, 4);
  g_assert_cmpstr (action->headers[0], ==, "X-Token");
  g_assert_cmpstr (action->headers[1], ==, "abc");
  g_assert_cmpstr (action->headers[2], ==, "Content-Type");
  g_assert_cmpstr (action->headers[3], ==, "application/json");
  g_assert_cmpstr (action->body, ==, "{\"open\":true}");
  g_assert_true (action->clear);
}

static void
test_parse_defaults (void)
{
  g_autoptr(FbHttpAction) action = NULL;
  g_autoptr(FbHttpAction) nulls = NULL;
  g_autofree char *long_label = g_strnfill (300, 'x');
  g_autofree char *json = NULL;
  g_autoptr(FbHttpAction) cut = NULL;

  action = parse ("{\"action\":\"http\",\"label\":\"Ack\",\"url\":\"http://example.org/ack\"}");
  g_assert_nonnull (action);
  g_assert_cmpstr (action->method, ==, "POST");
  g_assert_null (action->headers);
  g_assert_null (action->body);
  g_assert_false (action->clear);

  nulls = parse ("{\"action\":\"http\",\"label\":\"Ack\",\"url\":\"http://example.org/ack\","
                 "\"method\":null,\"headers\":null,\"body\":null,\"clear\":null}");
  g_assert_nonnull (nulls);
  g_assert_cmpstr (nulls->method, ==, "POST");
  g_assert_null (nulls->headers);

  json = g_strdup_printf ("{\"action\":\"http\",\"label\":\"%s\",\"url\":\"http://example.org/\"}",
                          long_label);
  cut = parse (json);
  g_assert_cmpuint (g_utf8_strlen (cut->label, -1), ==, FB_HTTP_ACTION_MAX_LABEL_CHARS);
  /* Nothing to read in what would be kept. */
  g_clear_pointer (&long_label, g_free);
  long_label = g_strconcat ("                                                  "
                            "                                                  ", "x", NULL);
  g_assert_null (fb_http_action_new (long_label, "http://example.org/", NULL, NULL, NULL, FALSE));

  /* Each ordinary method passes. */
  for (guint i = 0; i < 7; i++)
    {
      static const char * const methods[] = {
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
      };
      g_autoptr(FbHttpAction) a = fb_http_action_new ("x", "http://example.org/", methods[i],
                                                      NULL, NULL, FALSE);

      g_assert_nonnull (a);
      g_assert_cmpstr (a->method, ==, methods[i]);
    }
}

#define HTTP_ACTION(extra) \
  "{\"action\":\"http\",\"label\":\"Go\",\"url\":\"https://example.org/go\"" extra "}"

static void
test_parse_bad_method (void)
{
  assert_refused (HTTP_ACTION (",\"method\":\"get\""));
  assert_refused (HTTP_ACTION (",\"method\":\"G T\""));
  assert_refused (HTTP_ACTION (",\"method\":\"POST\\r\\nX-A: b\""));
  assert_refused (HTTP_ACTION (",\"method\":\"\""));
  assert_refused (HTTP_ACTION (",\"method\":\"ABCDEFGHIJKLMNOPQ\""));
  assert_refused (HTTP_ACTION (",\"method\":\"CONNECT\""));
  assert_refused (HTTP_ACTION (",\"method\":\"TRACE\""));
  assert_refused (HTTP_ACTION (",\"method\":42"));
  g_assert_null (fb_http_action_new ("Go", "https://example.org/", "P0ST", NULL, NULL, FALSE));
}

static void
test_parse_header_injection (void)
{
  assert_refused (HTTP_ACTION (",\"headers\":{\"X-A\":\"b\\r\\nX-Injected: 1\"}"));
  assert_refused (HTTP_ACTION (",\"headers\":{\"X-A\":\"b\\nX-Injected: 1\"}"));
  assert_refused (HTTP_ACTION (",\"headers\":{\"X-A\":\"b\\rX-Injected: 1\"}"));
  assert_refused (HTTP_ACTION (",\"headers\":{\"X-A\":\"b\\u0001\"}"));
  assert_refused (HTTP_ACTION (",\"headers\":{\"X-A\\r\\nX-B\":\"b\"}"));
  assert_refused (HTTP_ACTION (",\"headers\":{\"X A\":\"b\"}"));
  assert_refused (HTTP_ACTION (",\"headers\":{\"X-A:\":\"b\"}"));
  assert_refused (HTTP_ACTION (",\"headers\":{\"\":\"b\"}"));
  assert_refused (HTTP_ACTION (",\"headers\":{\"X-A\":1}"));
  assert_refused (HTTP_ACTION (",\"headers\":[\"X-A\",\"b\"]"));
  {
    const char * const nul_free[] = { "X-A", "b\tc", NULL };
    g_autoptr(FbHttpAction) tab = fb_http_action_new ("Go", "https://example.org/", NULL,
                                                      nul_free, NULL, FALSE);

    /* A tab is allowed in a value. */
    g_assert_nonnull (tab);
  }
}

static void
test_parse_forbidden_headers (void)
{
  static const char * const names[] = {
    "Host", "host", "Content-Length", "CONTENT-LENGTH", "Transfer-Encoding", "Connection",
    "Upgrade", "Expect",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *json = g_strdup_printf (HTTP_ACTION (",\"headers\":{\"%s\":\"x\"}"),
                                               names[i]);

      assert_refused (json);
    }
}

/* A JSON object of @n headers X-0…, each value @value_len bytes long. */
static char *
headers_json (guint n,
              gsize value_len)
{
  g_autoptr(GString) json = g_string_new (",\"headers\":{");
  g_autofree char *value = g_strnfill (value_len, 'v');

  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s\"X-%u\":\"%s\"", i > 0 ? "," : "", i, value);
  g_string_append_c (json, '}');

  return g_strdup_printf (HTTP_ACTION ("%s"), json->str);
}

static void
test_parse_limits (void)
{
  g_autofree char *sixteen = headers_json (FB_HTTP_ACTION_MAX_HEADERS, 10);
  g_autofree char *seventeen = headers_json (FB_HTTP_ACTION_MAX_HEADERS + 1, 10);
  g_autofree char *long_value = headers_json (1, FB_HTTP_ACTION_MAX_HEADER_BYTES);
  g_autofree char *too_long_value = headers_json (1, FB_HTTP_ACTION_MAX_HEADER_BYTES + 1);
  g_autofree char *body = g_strnfill (FB_HTTP_ACTION_MAX_BODY, 'b');
  g_autofree char *too_big = g_strnfill (FB_HTTP_ACTION_MAX_BODY + 1, 'b');
  g_autoptr(FbHttpAction) a = NULL;
  g_autoptr(FbHttpAction) b = NULL;
  g_autoptr(FbHttpAction) c = NULL;
  g_autofree char *json = NULL;

  a = parse (sixteen);
  g_assert_nonnull (a);
  g_assert_cmpuint (g_strv_length (a->headers), ==, 2 * FB_HTTP_ACTION_MAX_HEADERS);
  assert_refused (seventeen);
  b = parse (long_value);
  g_assert_nonnull (b);
  assert_refused (too_long_value);

  /* The same bounds for an action made in C. */
  {
    g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(FbHttpAction) d = NULL;

    for (guint i = 0; i < FB_HTTP_ACTION_MAX_HEADERS + 1; i++)
      {
        g_ptr_array_add (many, g_strdup_printf ("X-%u", i));
        g_ptr_array_add (many, g_strdup ("v"));
      }
    g_ptr_array_add (many, NULL);
    g_assert_null (fb_http_action_new ("Go", "https://example.org/", NULL,
                                       (const char * const *) many->pdata, NULL, FALSE));
    g_ptr_array_remove_range (many, 2 * FB_HTTP_ACTION_MAX_HEADERS, 2);
    d = fb_http_action_new ("Go", "https://example.org/", NULL,
                            (const char * const *) many->pdata, NULL, FALSE);
    g_assert_nonnull (d);
  }

  c = fb_http_action_new ("Go", "https://example.org/", NULL, NULL, body, FALSE);
  g_assert_nonnull (c);
  g_assert_null (fb_http_action_new ("Go", "https://example.org/", NULL, NULL, too_big, FALSE));
  json = g_strdup_printf (HTTP_ACTION (",\"body\":\"%s\""), too_big);
  assert_refused (json);
}

static void
test_parse_not_http (void)
{
  static const char * const urls[] = {
    "ftp://example.org/a", "file:///etc/passwd", "javascript:alert(1)", "/relative",
    "https://", "http://exa%0Ample.org/", "http://exa%20mple.org/", "https://example.org/a b",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(FbHttpAction) action = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "action");
      json_builder_add_string_value (builder, "http");
      json_builder_set_member_name (builder, "label");
      json_builder_add_string_value (builder, "Go");
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, urls[i]);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      action = fb_http_action_new_from_json (json_node_get_object (node));
      if (action != NULL)
        g_error ("accepted %s", urls[i]);
    }
  assert_refused ("{\"action\":\"http\",\"label\":\"Go\"}");
  assert_refused ("{\"action\":\"http\",\"label\":\"Go\",\"url\":7}");
}

static void
test_parse_other_kinds (void)
{
  assert_refused ("{\"action\":\"view\",\"label\":\"Open\",\"url\":\"https://example.org/\"}");
  assert_refused ("{\"action\":\"broadcast\",\"label\":\"Go\",\"url\":\"https://example.org/\"}");
  assert_refused ("{\"action\":\"HTTP\",\"label\":\"Go\",\"url\":\"https://example.org/\"}");
  assert_refused ("{\"label\":\"Go\",\"url\":\"https://example.org/\"}");
  /* And an http action needs a label. */
  assert_refused ("{\"action\":\"http\",\"url\":\"https://example.org/\"}");
  assert_refused ("{\"action\":\"http\",\"label\":\"\",\"url\":\"https://example.org/\"}");
  assert_refused ("{\"action\":\"http\",\"label\":\"  \",\"url\":\"https://example.org/\"}");
  assert_refused (HTTP_ACTION (",\"clear\":\"yes\""));
  assert_refused (HTTP_ACTION (",\"body\":{}"));
}

static void
assert_same_action (const FbHttpAction *a,
                    const FbHttpAction *b)
{
  g_assert_cmpstr (a->label, ==, b->label);
  g_assert_cmpstr (a->url, ==, b->url);
  g_assert_cmpstr (a->method, ==, b->method);
  g_assert_true ((a->headers == NULL) == (b->headers == NULL));
  if (a->headers != NULL)
    g_assert_true (g_strv_equal ((const char * const *) a->headers,
                                 (const char * const *) b->headers));
  g_assert_cmpstr (a->body, ==, b->body);
  g_assert_cmpint (a->clear, ==, b->clear);
}

static void
test_json_round_trip (void)
{
  static const char * const texts[] = {
    HTTP_ACTION (",\"method\":\"PATCH\",\"headers\":{\"A\":\"1\",\"b\":\"2\"},"
                 "\"body\":\"x=1\",\"clear\":true"),
    HTTP_ACTION (""),
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(FbHttpAction) action = parse (texts[i]);
      g_autoptr(FbHttpAction) copy = fb_http_action_copy (action);
      g_autoptr(JsonNode) node = fb_http_action_to_json (action);
      g_autofree char *text = json_to_string (node, FALSE);
      g_autoptr(FbHttpAction) again = parse (text);
      JsonObject *object = json_node_get_object (node);

      g_assert_cmpstr (json_object_get_string_member (object, "action"), ==, "http");
      g_assert_cmpstr (json_object_get_string_member (object, "method"), ==, action->method);
      g_assert_nonnull (again);
      assert_same_action (action, again);
      assert_same_action (action, copy);
    }

  g_assert_true (g_type_is_a (FB_TYPE_HTTP_ACTION, G_TYPE_BOXED));
}

/* --- the request ------------------------------------------------------------- */

static void
test_request_exact (Fixture       *f,
                    gconstpointer  data)
{
  const char * const headers[] = { "X-Door", "front", "X-Empty", "", NULL };
  const char * const typed[] = { "Content-Type", "application/json", NULL };
  g_autoptr(FbHttpAction) put = action_to (f->net.server, "/hook?x=1", "PUT", headers, "open sesame");
  g_autoptr(FbHttpAction) post = action_to (f->net.server, "/hook", NULL, typed, "{\"a\":1}");
  FbTestRequest *request;
  Outcome outcome = { 0 };

  run (f, put, NULL, &outcome);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);
  g_assert_cmpuint (outcome.status, ==, 200);
  g_assert_cmpuint (n_requests (f->net.server), ==, 1);
  request = fb_test_sse_server_get_request (f->net.server, 0);
  g_assert_cmpstr (request->method, ==, "PUT");
  g_assert_cmpstr (request->path, ==, "/hook");
  g_assert_cmpstr (fb_test_request_header (request, "X-Door"), ==, "front");
  g_assert_cmpstr (fb_test_request_header (request, "X-Empty"), ==, "");
  g_assert_null (fb_test_request_header (request, "Content-Type"));
  g_assert_null (fb_test_request_header (request, "Authorization"));
  g_assert_cmpmem (g_bytes_get_data (f->bodies->pdata[0], NULL),
                   g_bytes_get_size (f->bodies->pdata[0]), "open sesame", 11);

  run (f, post, NULL, &outcome);
  g_assert_true (outcome.ok);
  request = fb_test_sse_server_get_request (f->net.server, 1);
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (fb_test_request_header (request, "Content-Type"), ==, "application/json");
  g_assert_cmpmem (g_bytes_get_data (f->bodies->pdata[1], NULL),
                   g_bytes_get_size (f->bodies->pdata[1]), "{\"a\":1}", 7);
  outcome_clear (&outcome);
}

static void
test_request_statuses (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(FbHttpAction) created = action_to (f->net.server, "/status/204", NULL, NULL, NULL);
  g_autoptr(FbHttpAction) missing = action_to (f->net.server, "/status/404", "DELETE", NULL, NULL);
  Outcome outcome = { 0 };

  run (f, created, NULL, &outcome);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);
  g_assert_cmpuint (outcome.status, ==, 204);

  run (f, missing, NULL, &outcome);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, FB_HTTP_ACTION_ERROR, FB_HTTP_ACTION_ERROR_STATUS);
  g_assert_cmpuint (outcome.status, ==, 404);
  g_assert_nonnull (strstr (outcome.error->message, "404 Not Found"));
  outcome_clear (&outcome);
}

static void
test_request_authorization (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(FbHttpAction) here = action_to (f->net.server, "/hook", NULL, NULL, NULL);
  g_autoptr(FbHttpAction) there = action_to (f->net.other, "/hook", NULL, NULL, NULL);
  Outcome outcome = { 0 };

  run (f, here, "Bearer tk_feed", &outcome);
  g_assert_true (outcome.ok);
  g_assert_cmpstr (fb_test_request_header (fb_test_sse_server_get_request (f->net.server, 0),
                                           "Authorization"), ==, "Bearer tk_feed");

  /* Another port is another origin. */
  run (f, there, "Bearer tk_feed", &outcome);
  g_assert_true (outcome.ok);
  g_assert_cmpuint (n_requests (f->net.other), ==, 1);
  g_assert_null (fb_test_request_header (fb_test_sse_server_get_request (f->net.other, 0),
                                         "Authorization"));
  outcome_clear (&outcome);
}

static void
test_request_own_authorization (Fixture       *f,
                                gconstpointer  data)
{
  const char * const headers[] = { "authorization", "Bearer tk_action", NULL };
  g_autoptr(FbHttpAction) action = action_to (f->net.server, "/hook", NULL, headers, NULL);
  SoupMessageHeaders *seen;
  Outcome outcome = { 0 };

  run (f, action, "Bearer tk_feed", &outcome);
  g_assert_true (outcome.ok);
  seen = fb_test_sse_server_get_request (f->net.server, 0)->headers;
  /* One value, the action's: get_list() would join two with ", ". */
  g_assert_cmpstr (soup_message_headers_get_list (seen, "Authorization"), ==, "Bearer tk_action");
  outcome_clear (&outcome);
}

static void
test_request_redirect (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(FbHttpAction) action = action_to (f->net.server, "/redirect", NULL, NULL, NULL);
  Outcome outcome = { 0 };

  run (f, action, "Bearer tk_feed", &outcome);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, FB_HTTP_ACTION_ERROR, FB_HTTP_ACTION_ERROR_STATUS);
  g_assert_cmpuint (outcome.status, ==, 302);
  g_assert_cmpuint (n_requests (f->net.server), ==, 1);
  g_assert_cmpuint (n_requests (f->net.other), ==, 0);
  outcome_clear (&outcome);
}

static void
test_request_error_message (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(FbHttpAction) action = action_to (f->net.server, "/status/500?token=tk_secret",
                                               NULL, NULL, NULL);
  g_autofree char *host = fb_test_sse_server_url (f->net.server, "");
  Outcome outcome = { 0 };

  run (f, action, NULL, &outcome);
  g_assert_error (outcome.error, FB_HTTP_ACTION_ERROR, FB_HTTP_ACTION_ERROR_STATUS);
  g_assert_cmpuint (outcome.status, ==, 500);
  g_test_message ("%s", outcome.error->message);
  /* "http://127.0.0.1:PORT" without its scheme: the host and port. */
  g_assert_nonnull (strstr (outcome.error->message, host + strlen ("http://")));
  g_assert_nonnull (strstr (outcome.error->message, "500 Internal Server Error"));
  g_assert_null (strstr (outcome.error->message, "/status"));
  g_assert_null (strstr (outcome.error->message, "tk_secret"));
  outcome_clear (&outcome);
}

static gboolean
big_done (gpointer user_data)
{
  Fixture *f = user_data;

  return f->big != NULL && fb_test_stream_is_done (f->big);
}

static void
test_request_large_response (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(FbHttpAction) action = action_to (f->net.server, "/big", "GET", NULL, NULL);
  Outcome outcome = { 0 };

  run (f, action, NULL, &outcome);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);

  /* The client went away: the server's body ends short of its 10 MiB,
   * having written no more than the limit plus what the sockets' buffers
   * take from a reader that stopped. */
  g_assert_true (fb_test_wait_until (big_done, f, WAIT_MS));
  g_test_message ("the server wrote %" G_GSIZE_FORMAT " bytes", f->big_written);
  g_assert_cmpuint (f->big_written, >=, FB_HTTP_ACTION_MAX_RESPONSE);
  g_assert_cmpuint (f->big_written, <, BIG_BODY);
  outcome_clear (&outcome);
}

/* Against a server that never answers: nothing until the timeout's time,
 * then a timeout that names the host, and the connection closed. */
static void
assert_times_out (Fixture    *f,
                  guint       timeout_ms,
                  guint       after_ms,
                  const char *says)
{
  g_autoptr(FbHttpAction) action = action_to (f->net.server, "/never?token=tk_secret",
                                              NULL, NULL, NULL);
  Outcome outcome = { 0 };

  run_start (f, action, NULL, timeout_ms, NULL, &outcome);
  g_assert_true (fb_test_wait_until (fb_test_net_fixture_holds, &f->net, WAIT_MS));

  fb_clock_advance_ms (f->net.clock, after_ms - 1);
  fb_test_flush_main_context ();
  g_assert_false (outcome.done);

  fb_clock_advance_ms (f->net.clock, 1);
  g_assert_true (fb_test_wait_until (outcome_done, &outcome, WAIT_MS));
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpuint (outcome.status, ==, 0);
  g_test_message ("%s", outcome.error->message);
  g_assert_nonnull (strstr (outcome.error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (outcome.error->message, says));
  g_assert_null (strstr (outcome.error->message, "tk_secret"));
  g_assert_true (fb_test_wait_until (fb_test_peer_watch_closed, f->net.peer_watch, WAIT_MS));
  outcome_clear (&outcome);
}

static void
test_request_timeout (Fixture       *f,
                      gconstpointer  data)
{
  assert_times_out (f, 2000, 2000, "within 2 seconds");
}

static void
test_request_default_timeout (Fixture       *f,
                              gconstpointer  data)
{
  assert_times_out (f, 0, FB_HTTP_ACTION_DEFAULT_TIMEOUT_MS, "within 15 seconds");
}

static void
test_request_cancelled (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(FbHttpAction) action = action_to (f->net.server, "/never", NULL, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { 0 };

  run_start (f, action, NULL, 0, cancellable, &outcome);
  g_assert_true (fb_test_wait_until (fb_test_net_fixture_holds, &f->net, WAIT_MS));
  g_cancellable_cancel (cancellable);
  g_assert_true (fb_test_wait_until (outcome_done, &outcome, WAIT_MS));
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (fb_test_wait_until (fb_test_peer_watch_closed, f->net.peer_watch, WAIT_MS));
  /* The request ended: its timeout is gone. */
  g_assert_true (fb_test_wait_until (fb_test_clock_has_no_timeouts, f->net.clock, WAIT_MS));
  outcome_clear (&outcome);

  /* Cancelled before it starts: no request at all. */
  run_start (f, action, NULL, 0, cancellable, &outcome);
  g_assert_true (fb_test_wait_until (outcome_done, &outcome, WAIT_MS));
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (n_requests (f->net.server), ==, 1);
  outcome_clear (&outcome);
}

static void
test_request_invalid (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(FbHttpAction) action = action_to (f->net.server, "/hook", NULL, NULL, NULL);
  Outcome outcome = { 0 };

  /* Changed after it was made: checked again before it is sent. */
  g_free (action->method);
  action->method = g_strdup ("POST /x HTTP/1.1\r\n");
  run (f, action, NULL, &outcome);
  g_assert_error (outcome.error, FB_HTTP_ACTION_ERROR, FB_HTTP_ACTION_ERROR_INVALID);
  g_assert_cmpuint (n_requests (f->net.server), ==, 0);
  outcome_clear (&outcome);
}

/* --- origins and the policy ----------------------------------------------------------- */

static void
test_same_origin (void)
{
  g_assert_true (fb_http_action_same_origin ("https://ntfy.example.org/topic/sse",
                                             "https://ntfy.example.org/other?x=1"));
  g_assert_true (fb_http_action_same_origin ("https://NTFY.example.org/a",
                                             "HTTPS://ntfy.EXAMPLE.org:443/b"));
  g_assert_true (fb_http_action_same_origin ("http://example.org:80/a", "http://example.org/b"));
  g_assert_true (fb_http_action_same_origin ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/"));
  g_assert_true (fb_http_action_same_origin ("http://[::1]:8080/a", "http://[::1]:8080/b"));

  g_assert_false (fb_http_action_same_origin ("https://example.org/a", "http://example.org/a"));
  g_assert_false (fb_http_action_same_origin ("https://example.org:8443/",
                                              "http://example.org:8443/"));
  g_assert_false (fb_http_action_same_origin ("https://example.org/a",
                                              "https://example.org:8443/"));
  g_assert_false (fb_http_action_same_origin ("http://127.0.0.1:8080/", "http://127.0.0.1:8081/"));
  g_assert_false (fb_http_action_same_origin ("https://example.org/", "https://www.example.org/"));
  g_assert_false (fb_http_action_same_origin ("https://example.org/", "https://example.org.evil/"));
  g_assert_false (fb_http_action_same_origin (NULL, "https://example.org/"));
  g_assert_false (fb_http_action_same_origin ("https://example.org/", NULL));
  g_assert_false (fb_http_action_same_origin ("ftp://example.org/", "ftp://example.org/"));
}

static gboolean
needs_confirmation (const char         *feed_url,
                    const char         *action_url,
                    const char * const *trusted)
{
  g_autoptr(FbHttpAction) action = fb_http_action_new ("Go", action_url, NULL, NULL, NULL, FALSE);

  g_assert_nonnull (action);
  return fb_http_action_needs_confirmation (feed_url, action, trusted);
}

static void
test_needs_confirmation (void)
{
  const char * const trusted[] = { "Hooks.example.ORG", "Home.Example.net:8123", "[::1]", NULL };
  const char * const explicit_port[] = { "api.example.com:443", NULL };
  const char *feed = "https://ntfy.example.org/alerts/sse";

  /* The feed's own origin, or a trusted host: no question. */
  g_assert_false (needs_confirmation (feed, "https://ntfy.example.org/alerts", NULL));
  g_assert_false (needs_confirmation (feed, "https://NTFY.example.org:443/x", NULL));
  g_assert_false (needs_confirmation (feed, "https://hooks.example.org/run", trusted));
  g_assert_false (needs_confirmation (feed, "http://HOOKS.example.org/run", trusted));
  g_assert_false (needs_confirmation (feed, "http://home.example.net:8123/api", trusted));
  g_assert_false (needs_confirmation (feed, "http://[::1]/api", trusted));
  g_assert_false (needs_confirmation (feed, "https://api.example.com/v1", explicit_port));
  g_assert_false (needs_confirmation (NULL, "https://hooks.example.org/run", trusted));

  /* Anything else: asked. */
  g_assert_true (needs_confirmation (feed, "https://api.example.com/v1", NULL));
  g_assert_true (needs_confirmation (feed, "http://ntfy.example.org/alerts", NULL));
  g_assert_true (needs_confirmation (feed, "https://ntfy.example.org:8443/alerts", NULL));
  g_assert_true (needs_confirmation (feed, "https://api.example.com/v1", trusted));
  g_assert_true (needs_confirmation (feed, "http://home.example.net/api", trusted));
  g_assert_true (needs_confirmation (feed, "http://home.example.net:8124/api", trusted));
  g_assert_true (needs_confirmation (feed, "https://sub.hooks.example.org/run", trusted));
  g_assert_true (needs_confirmation (feed, "http://[::1]:8080/api", trusted));
  g_assert_true (needs_confirmation (NULL, "https://ntfy.example.org/alerts", NULL));
}

static void
test_describe (void)
{
  static const struct
  {
    const char *url;
    const char *method;
    const char *text;
  } cases[] = {
    { "https://Example.org/secret/path?token=tk_secret#frag", NULL, "POST to example.org" },
    { "http://example.org:8080/x", "PUT", "PUT to example.org:8080" },
    { "https://user:pw@example.org:443/", "GET", "GET to example.org" },
    { "http://[::1]:8080/", "DELETE", "DELETE to [::1]:8080" },
    { "https://bücher.example/", NULL, "POST to xn--bcher-kva.example" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FbHttpAction) action = fb_http_action_new ("Go", cases[i].url, cases[i].method,
                                                           NULL, NULL, FALSE);
      g_autofree char *text = fb_http_action_describe (action);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* --- other kinds -------------------------------------------------------------------------- */

static guint n_broadcast_notes;
static guint n_other_notes;

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  if ((level & G_LOG_LEVEL_MESSAGE) && g_strcmp0 (domain, "fb-http-action") == 0)
    {
      if (g_strcmp0 (message, "broadcast actions are Android-only; ignored") == 0)
        n_broadcast_notes++;
      else
        n_other_notes++;
      return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
test_note_unsupported (void)
{
  fb_http_action_note_unsupported ("broadcast");
  fb_http_action_note_unsupported ("broadcast");
  g_assert_cmpuint (n_broadcast_notes, ==, 1);

  fb_http_action_note_unsupported ("teleport");
  fb_http_action_note_unsupported ("teleport");
  g_assert_cmpuint (n_other_notes, ==, 1);

  /* A server that makes up kinds fills no memory and no journal. */
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *kind = g_strdup_printf ("kind%u", i);

      fb_http_action_note_unsupported (kind);
    }
  g_assert_cmpuint (n_other_notes, <, 20);
  fb_http_action_note_unsupported ("broadcast");
  g_assert_cmpuint (n_broadcast_notes, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/http-action/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/http-action/parse/valid", test_parse_valid);
  g_test_add_func ("/http-action/parse/defaults", test_parse_defaults);
  g_test_add_func ("/http-action/parse/bad-method", test_parse_bad_method);
  g_test_add_func ("/http-action/parse/header-injection", test_parse_header_injection);
  g_test_add_func ("/http-action/parse/forbidden-headers", test_parse_forbidden_headers);
  g_test_add_func ("/http-action/parse/limits", test_parse_limits);
  g_test_add_func ("/http-action/parse/not-http", test_parse_not_http);
  g_test_add_func ("/http-action/parse/other-kinds", test_parse_other_kinds);
  g_test_add_func ("/http-action/json/round-trip", test_json_round_trip);
  ADD ("request/exact", test_request_exact);
  ADD ("request/statuses", test_request_statuses);
  ADD ("request/authorization", test_request_authorization);
  ADD ("request/own-authorization", test_request_own_authorization);
  ADD ("request/redirect", test_request_redirect);
  ADD ("request/error-message", test_request_error_message);
  ADD ("request/large-response", test_request_large_response);
  ADD ("request/timeout", test_request_timeout);
  ADD ("request/default-timeout", test_request_default_timeout);
  ADD ("request/cancelled", test_request_cancelled);
  ADD ("request/invalid", test_request_invalid);
  g_test_add_func ("/http-action/origin/same-origin", test_same_origin);
  g_test_add_func ("/http-action/policy/needs-confirmation", test_needs_confirmation);
  g_test_add_func ("/http-action/describe", test_describe);
  g_test_add_func ("/http-action/note-unsupported", test_note_unsupported);

#undef ADD

  return g_test_run ();
}
