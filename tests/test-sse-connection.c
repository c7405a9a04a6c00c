/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "fb-backoff.h"
#include "fb-sse-connection.h"
#include "fb-test-utils.h"

/* Every test drives one FbSseConnection against a real SoupServer on
 * 127.0.0.1 and records what both sides saw: the requests at the server,
 * the states (with their error and retry-at) and the events at the client.
 * Waits are on conditions with a deadline, never blind sleeps.
 *
 * The connection runs on the system's clock, and a loaded machine (ASan,
 * other builds) can stall this process for a long time at any point. So no
 * assertion bounds how long something took: deadlines only stop a test that
 * hangs, and a delay the connection scheduled is checked against instants
 * known to come before and after it was scheduled (see
 * assert_scheduled_delay()). */

#define WAIT_MS      30000

typedef struct _Fixture Fixture;

typedef void (*Handler) (Fixture           *f,
                         SoupServerMessage *msg,
                         const char        *path,
                         guint              index);

typedef struct
{
  char  *type;
  gsize  type_len;
  char  *data;
  gsize  data_len;
  char  *last_event_id;
  gint64 received_us;
} Event;

typedef struct
{
  FbSseState  state;
  gint64      entered_us;
  gint64      retry_at_us;     /* while WAITING_RETRY / FAILED; 0 when never set */
  gint64      retry_seen_us;   /* when retry_at_us was first seen */
  GQuark      error_domain;
  int         error_code;
  char       *error_message;
} StateEntry;

struct _Fixture
{
  FbTestSseServer *server;
  FbTestSseServer *other;            /* a second origin, on demand */
  GPtrArray       *requests;         /* FbTestRequest, at server (its own) */
  GPtrArray       *other_requests;   /* FbTestRequest, at other (its own) */
  GPtrArray       *streams;          /* FbTestStream, at server (its own) */
  GPtrArray       *sources;          /* GSource: server timers */
  Handler          handler;
  Handler          other_handler;

  FbSseConnection *conn;
  GPtrArray       *events;           /* Event */
  GArray          *states;           /* StateEntry */
  double           random_value;

  /* Scenario parameters and scratch space. */
  gboolean         abort_mid_event;
  guint            status;
  const char      *location;
  const char      *content_type;
  guint            n_wanted;
  FbSseState       wanted_state;
  gsize            remaining;
  gboolean         tail_sent;
  const char      *text;             /* what text_handler() sends */
  gsize            text_len;
};

/* Server side */

static void
server_cb (FbTestSseServer   *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           guint              index,
           gpointer           user_data)
{
  Fixture *f = user_data;

  g_assert_nonnull (f->handler);
  f->handler (f, msg, path, index);
}

static void
other_server_cb (FbTestSseServer   *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 guint              index,
                 gpointer           user_data)
{
  Fixture *f = user_data;

  g_assert_nonnull (f->other_handler);
  f->other_handler (f, msg, path, index);
}

static FbTestStream *
fixture_stream (Fixture           *f,
                SoupServerMessage *msg,
                const char        *content_type)
{
  return fb_test_sse_server_stream (f->server, msg, content_type);
}

static FbTestStream *
fixture_sse_stream (Fixture           *f,
                    SoupServerMessage *msg)
{
  return fixture_stream (f, msg, "text/event-stream");
}

static void
fixture_later (Fixture     *f,
               guint        interval_ms,
               GSourceFunc  func,
               gpointer     data)
{
  GSource *source = g_timeout_source_new (interval_ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, NULL);
  g_ptr_array_add (f->sources, source);
}

static void
respond_status (SoupServerMessage *msg,
                guint              status)
{
  soup_server_message_set_status (msg, status, NULL);
  if (status != SOUP_STATUS_NO_CONTENT)
    soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "no\n", 3);
}

static void
start_other_server (Fixture *f)
{
  f->other = fb_test_sse_server_new (other_server_cb, f);
  f->other_requests = fb_test_sse_server_get_requests (f->other);
}

/* Client side */

static void
event_free (Event *event)
{
  g_free (event->type);
  g_free (event->data);
  g_free (event->last_event_id);
  g_free (event);
}

static void
state_entry_clear (StateEntry *entry)
{
  g_free (entry->error_message);
}

static StateEntry *
last_state (Fixture *f)
{
  g_assert_cmpuint (f->states->len, >, 0);
  return &g_array_index (f->states, StateEntry, f->states->len - 1);
}

/* g_utf8_validate_len() refuses U+0000, which event data may contain. */
static gboolean
is_utf8_with_nuls (const char *data,
                   gsize       len)
{
  const char *end = data + len;

  while (data < end)
    {
      gsize n = strnlen (data, end - data);

      if (!g_utf8_validate_len (data, n, NULL))
        return FALSE;
      data += n + 1;
    }

  return TRUE;
}

static void
event_cb (FbSseConnection *conn,
          FbSseEvent      *sse_event,
          gpointer         user_data)
{
  Fixture *f = user_data;
  Event *event = g_new0 (Event, 1);
  FbSseEvent *copy;

  g_assert_nonnull (sse_event->type);
  g_assert_nonnull (sse_event->data);
  g_assert_nonnull (sse_event->last_event_id);
  g_assert_cmpint (sse_event->type[sse_event->type_len], ==, '\0');
  g_assert_true (is_utf8_with_nuls (sse_event->type, sse_event->type_len));
  g_assert_cmpint (sse_event->data[sse_event->data_len], ==, '\0');
  g_assert_true (is_utf8_with_nuls (sse_event->data, sse_event->data_len));

  /* Recorded from a boxed copy, so that every test checks the copy too. */
  copy = g_boxed_copy (FB_TYPE_SSE_EVENT, sse_event);
  event->type = g_memdup2 (copy->type, copy->type_len + 1);
  event->type_len = copy->type_len;
  event->data = g_memdup2 (copy->data, copy->data_len + 1);
  event->data_len = copy->data_len;
  event->last_event_id = g_strdup (copy->last_event_id);
  event->received_us = g_get_monotonic_time ();
  g_boxed_free (FB_TYPE_SSE_EVENT, copy);
  g_ptr_array_add (f->events, event);
}

/* retry-at may be set by the entry action or just before: take it from
 * whichever notification comes while the state is WAITING_RETRY or FAILED. */
static void
note_retry_at (Fixture *f)
{
  StateEntry *entry = last_state (f);
  gint64 retry_at = fb_sse_connection_get_retry_at (f->conn);

  if (entry->state != FB_SSE_STATE_WAITING_RETRY && entry->state != FB_SSE_STATE_FAILED)
    return;
  if (retry_at != 0 && entry->retry_at_us == 0)
    {
      entry->retry_at_us = retry_at;
      entry->retry_seen_us = g_get_monotonic_time ();
    }
}

static void
notify_state_cb (FbSseConnection *conn,
                 GParamSpec      *pspec,
                 gpointer         user_data)
{
  Fixture *f = user_data;
  StateEntry entry = { 0 };
  const GError *error;

  entry.state = fb_sse_connection_get_state (conn);
  entry.entered_us = g_get_monotonic_time ();
  error = fb_sse_connection_get_last_error (conn);
  if (error != NULL)
    {
      entry.error_domain = error->domain;
      entry.error_code = error->code;
      entry.error_message = g_strdup (error->message);
    }

  /* notify::state only when the state really changed */
  if (f->states->len > 0)
    g_assert_cmpint (last_state (f)->state, !=, entry.state);

  g_array_append_val (f->states, entry);
  note_retry_at (f);
}

static void
notify_retry_at_cb (FbSseConnection *conn,
                    GParamSpec      *pspec,
                    gpointer         user_data)
{
  Fixture *f = user_data;

  if (f->states->len > 0)
    note_retry_at (f);
}

static double
fixed_random_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return f->random_value;
}

static Fixture *
fixture_new (void)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->server = fb_test_sse_server_new (server_cb, f);
  f->requests = fb_test_sse_server_get_requests (f->server);
  f->streams = fb_test_sse_server_get_streams (f->server);
  f->sources = g_ptr_array_new ();
  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  f->states = g_array_new (FALSE, TRUE, sizeof (StateEntry));
  g_array_set_clear_func (f->states, (GDestroyNotify) state_entry_clear);

  return f;
}

/* Creates the connection for http://127.0.0.1:PORT@path; not started yet. */
static FbSseConnection *
fixture_connect (Fixture    *f,
                 const char *path)
{
  g_autofree char *url = fb_test_sse_server_url (f->server, path);

  f->conn = fb_sse_connection_new (url);
  g_assert_cmpstr (fb_sse_connection_get_url (f->conn), ==, url);
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_DISCONNECTED);
  fb_sse_connection_set_random_func (f->conn, fixed_random_cb, f);
  g_signal_connect (f->conn, "event", G_CALLBACK (event_cb), f);
  g_signal_connect (f->conn, "notify::state", G_CALLBACK (notify_state_cb), f);
  g_signal_connect (f->conn, "notify::retry-at", G_CALLBACK (notify_retry_at_cb), f);

  return f->conn;
}

static void
fixture_free (Fixture *f)
{
  if (f->conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->conn, f);
      g_clear_object (&f->conn);
    }
  fb_test_flush_main_context ();

  for (guint i = 0; i < f->sources->len; i++)
    {
      g_source_destroy (f->sources->pdata[i]);
      g_source_unref (f->sources->pdata[i]);
    }
  g_ptr_array_unref (f->sources);

  g_clear_pointer (&f->server, fb_test_sse_server_free);
  g_clear_pointer (&f->other, fb_test_sse_server_free);

  g_ptr_array_unref (f->events);
  g_array_unref (f->states);
  g_free (f);
}

/* Conditions */

static gboolean
n_events_reached_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return f->events->len >= f->n_wanted;
}

static gboolean
n_requests_reached_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return f->requests->len >= f->n_wanted;
}

static gboolean
state_reached_cb (gpointer user_data)
{
  Fixture *f = user_data;
  guint seen = 0;

  for (guint i = 0; i < f->states->len; i++)
    if (g_array_index (f->states, StateEntry, i).state == f->wanted_state)
      seen++;

  return seen >= f->n_wanted;
}

static gboolean
state_left_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return fb_sse_connection_get_state (f->conn) != f->wanted_state;
}

static gboolean
wait_for_events (Fixture *f,
                 guint    n,
                 guint    timeout_ms)
{
  f->n_wanted = n;
  return fb_test_wait_until (n_events_reached_cb, f, timeout_ms);
}

static gboolean
wait_for_requests (Fixture *f,
                   guint    n,
                   guint    timeout_ms)
{
  f->n_wanted = n;
  return fb_test_wait_until (n_requests_reached_cb, f, timeout_ms);
}

/* Waits until @state has been entered @n times in all. */
static gboolean
wait_for_state (Fixture    *f,
                FbSseState  state,
                guint       n,
                guint       timeout_ms)
{
  f->wanted_state = state;
  f->n_wanted = n;
  return fb_test_wait_until (state_reached_cb, f, timeout_ms);
}

/* Returns the @n-th (from 1) entry into @state: valid until the next state
 * is recorded (the array may move). */
static StateEntry *
find_state (Fixture    *f,
            FbSseState  state,
            guint       n)
{
  for (guint i = 0; i < f->states->len; i++)
    {
      StateEntry *entry = &g_array_index (f->states, StateEntry, i);

      if (entry->state == state && --n == 0)
        return entry;
    }

  g_assert_not_reached ();
}

static guint
count_state (Fixture    *f,
             FbSseState  state)
{
  guint n = 0;

  for (guint i = 0; i < f->states->len; i++)
    if (g_array_index (f->states, StateEntry, i).state == state)
      n++;

  return n;
}

static Event *
get_event (Fixture *f,
           guint    i)
{
  g_assert_cmpuint (i, <, f->events->len);
  return f->events->pdata[i];
}

static void
assert_event (Fixture    *f,
              guint       i,
              const char *type,
              const char *data,
              const char *last_event_id)
{
  Event *event = get_event (f, i);

  g_assert_cmpstr (event->type, ==, type);
  g_assert_cmpuint (event->type_len, ==, strlen (type));
  g_assert_cmpstr (event->data, ==, data);
  g_assert_cmpuint (event->data_len, ==, strlen (data));
  g_assert_cmpstr (event->last_event_id, ==, last_event_id);
}

static FbTestRequest *
get_request (GPtrArray *requests,
             guint      i)
{
  g_assert_cmpuint (i, <, requests->len);
  return requests->pdata[i];
}

static void
assert_sse_request (FbTestRequest *request)
{
  const char *user_agent = fb_test_request_header (request, "User-Agent");

  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpstr (fb_test_request_header (request, "Accept"), ==, "text/event-stream");
  g_assert_cmpstr (fb_test_request_header (request, "Cache-Control"), ==, "no-cache");
  g_assert_nonnull (user_agent);
  g_assert_true (g_str_has_prefix (user_agent, "Feedbell/"));
}

/* That the connection scheduled exactly @delay_ms on entering @entry's
 * state, however slow the machine: it computed retry-at as "now + delay" at
 * an instant after @not_before_us (something that had to happen first: the
 * request that failed reaching the server, the last event of a stream that
 * ended) and before the test saw retry-at. A wrong delay fails unless the
 * machine stalled for longer than the error between those two instants. */
static void
assert_scheduled_delay (StateEntry *entry,
                        gint64      not_before_us,
                        gint64      delay_ms)
{
  gint64 scheduled_at = entry->retry_at_us - delay_ms * 1000;

  g_assert_cmpint (entry->retry_at_us, >, 0);
  g_test_message ("retry-at: %" G_GINT64_FORMAT " ms after the instant before scheduling, "
                  "%" G_GINT64_FORMAT " ms after the test saw it",
                  (entry->retry_at_us - not_before_us) / 1000,
                  (entry->retry_at_us - entry->retry_seen_us) / 1000);
  g_assert_cmpint (scheduled_at, >=, not_before_us);
  g_assert_cmpint (scheduled_at, <=, entry->retry_seen_us);
}

/* Tests */

/* The simplest answer: a stream that sends f->text (f->text_len bytes, all
 * of it when 0) in one chunk, and stays open. */
static void
text_handler (Fixture           *f,
              SoupServerMessage *msg,
              const char        *path,
              guint              index)
{
  gsize len = f->text_len ? f->text_len : strlen (f->text);

  fb_test_stream_write (fixture_sse_stream (f, msg), f->text, len);
}

static void
events_handler (Fixture           *f,
                SoupServerMessage *msg,
                const char        *path,
                guint              index)
{
  FbTestStream *stream = fixture_stream (f, msg, "text/event-stream; charset=utf-8");

  fb_test_stream_write (stream, "id: 1\ndata: hello\n\n", -1);
  fb_test_stream_write (stream, "event: ping\ndata: a\ndata: b\n\n", -1);
  fb_test_stream_write (stream, ": a comment\n\ndata: c\n\n", -1);
}

static void
test_open_and_events (void)
{
  Fixture *f = fixture_new ();

  f->handler = events_handler;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_CONNECTING);

  g_assert_true (wait_for_events (f, 3, WAIT_MS));
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_OPEN);
  g_assert_cmpuint (f->states->len, ==, 2);
  g_assert_cmpint (g_array_index (f->states, StateEntry, 0).state, ==, FB_SSE_STATE_CONNECTING);
  g_assert_cmpint (g_array_index (f->states, StateEntry, 1).state, ==, FB_SSE_STATE_OPEN);

  g_assert_cmpuint (f->events->len, ==, 3);
  assert_event (f, 0, "message", "hello", "1");
  assert_event (f, 1, "ping", "a\nb", "1");
  assert_event (f, 2, "message", "c", "1");
  g_assert_cmpstr (fb_sse_connection_get_last_event_id (f->conn), ==, "1");
  g_assert_cmpuint (fb_sse_connection_get_n_dropped (f->conn), ==, 0);
  g_assert_cmpuint (f->requests->len, ==, 1);
  g_assert_cmpstr (get_request (f->requests, 0)->path, ==, "/events");

  fixture_free (f);
}

/* A NUL in the event type is kept (WHATWG): only type_len says where it ends. */
static void
test_nul_in_type (void)
{
  static const char stream[] = "event: t\0y\ndata: d\n\nevent: message\0\ndata: e\n\n";
  Fixture *f = fixture_new ();
  Event *event;

  f->handler = text_handler;
  f->text = stream;
  f->text_len = sizeof stream - 1;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_events (f, 2, WAIT_MS));
  event = get_event (f, 0);
  g_assert_cmpmem (event->type, event->type_len, "t\0y", 3);
  g_assert_cmpstr (event->data, ==, "d");
  event = get_event (f, 1);
  g_assert_cmpmem (event->type, event->type_len, "message\0", 8);
  g_assert_cmpstr (event->data, ==, "e");

  fixture_free (f);
}

static void
retry_then_id_handler (Fixture           *f,
                       SoupServerMessage *msg,
                       const char        *path,
                       guint              index)
{
  FbTestStream *stream = fixture_sse_stream (f, msg);

  if (index == 0)
    {
      fb_test_stream_write (stream, "retry: 200\nid: 42\ndata: first\n\n", -1);
      fb_test_stream_end (stream);
    }
  else
    {
      fb_test_stream_write (stream, "data: second\n\n", -1);
    }
}

static void
test_request_headers (void)
{
  Fixture *f = fixture_new ();
  FbTestRequest *request;

  f->handler = retry_then_id_handler;
  fixture_connect (f, "/events");
  fb_sse_connection_add_header (f->conn, "X-Feedbell-Test", "yes");
  fb_sse_connection_set_authorization (f->conn, "Bearer s3cret");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_events (f, 2, WAIT_MS));
  g_assert_cmpuint (f->requests->len, ==, 2);

  request = get_request (f->requests, 0);
  assert_sse_request (request);
  g_assert_null (fb_test_request_header (request, "Last-Event-ID"));
  g_assert_cmpstr (fb_test_request_header (request, "X-Feedbell-Test"), ==, "yes");
  g_assert_cmpstr (fb_test_request_header (request, "Authorization"), ==, "Bearer s3cret");

  request = get_request (f->requests, 1);
  assert_sse_request (request);
  g_assert_cmpstr (fb_test_request_header (request, "Last-Event-ID"), ==, "42");
  g_assert_cmpstr (fb_test_request_header (request, "X-Feedbell-Test"), ==, "yes");
  g_assert_cmpstr (fb_test_request_header (request, "Authorization"), ==, "Bearer s3cret");

  assert_event (f, 0, "message", "first", "42");
  assert_event (f, 1, "message", "second", "42");

  fixture_free (f);
}

static void
test_initial_last_event_id (void)
{
  Fixture *f = fixture_new ();

  f->handler = events_handler;
  fixture_connect (f, "/events");
  fb_sse_connection_set_last_event_id (f->conn, "resume-7");
  g_assert_cmpstr (fb_sse_connection_get_last_event_id (f->conn), ==, "resume-7");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_requests (f, 1, WAIT_MS));
  g_assert_cmpstr (fb_test_request_header (get_request (f->requests, 0), "Last-Event-ID"),
                   ==, "resume-7");

  fixture_free (f);
}

/* FB_TEST_RESUME_*: the server keeps events 1..20 and sends from
 * Last-Event-ID + 1; the first stream breaks after event 7 in the middle of
 * event 8. */
static void
resume_handler (Fixture           *f,
                SoupServerMessage *msg,
                const char        *path,
                guint              index)
{
  FbTestStream *stream;

  if (index == 0 && f->abort_mid_event)
    {
      /* Promises more than it sends: closed short, the read fails. */
      stream = fb_test_stream_new_with_length (msg, "text/event-stream", 1024 * 1024);
      g_ptr_array_add (f->streams, stream);
    }
  else
    {
      stream = fixture_sse_stream (f, msg);
    }

  fb_test_stream_write_resume (stream, index);
  if (index > 0)
    return;

  /* The first stream stops in an unterminated event. */
  if (f->abort_mid_event)
    fb_test_stream_abort (stream);
  else
    fb_test_stream_end (stream);
}

static void
run_resume (gboolean abort_mid_event)
{
  Fixture *f = fixture_new ();
  StateEntry *waiting;

  f->handler = resume_handler;
  f->abort_mid_event = abort_mid_event;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_events (f, FB_TEST_RESUME_N_EVENTS, WAIT_MS));
  g_assert_cmpuint (f->requests->len, ==, 2);
  g_assert_null (fb_test_request_header (get_request (f->requests, 0), "Last-Event-ID"));
  g_assert_cmpstr (fb_test_request_header (get_request (f->requests, 1), "Last-Event-ID"),
                   ==, "7");

  g_assert_cmpuint (f->events->len, ==, FB_TEST_RESUME_N_EVENTS);
  for (guint i = 0; i < FB_TEST_RESUME_N_EVENTS; i++)
    {
      g_autofree char *data = g_strdup_printf ("event %u", i + 1);
      g_autofree char *id = g_strdup_printf ("%u", i + 1);

      assert_event (f, i, "message", data, id);
    }

  waiting = find_state (f, FB_SSE_STATE_WAITING_RETRY, 1);
  g_assert_true (waiting->error_domain == FB_SSE_ERROR);
  g_assert_cmpint (count_state (f, FB_SSE_STATE_OPEN), ==, 2);
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_OPEN);
  g_assert_cmpstr (fb_sse_connection_get_last_event_id (f->conn), ==, "20");

  fixture_free (f);
}

static void
test_resume_after_close (void)
{
  run_resume (FALSE);
}

static void
test_resume_after_abort (void)
{
  run_resume (TRUE);
}

static void
retry_field_handler (Fixture           *f,
                     SoupServerMessage *msg,
                     const char        *path,
                     guint              index)
{
  FbTestStream *stream = fixture_sse_stream (f, msg);

  fb_test_stream_write (stream, "retry: 200\ndata: a\n\n", -1);
  if (index == 0)
    fb_test_stream_end (stream);
}

static void
run_retry_field (double random_value,
                 gint64 delay_ms)
{
  Fixture *f = fixture_new ();
  StateEntry *waiting;

  f->handler = retry_field_handler;
  f->random_value = random_value;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_requests (f, 2, WAIT_MS));
  g_assert_true (wait_for_events (f, 2, WAIT_MS));

  waiting = find_state (f, FB_SSE_STATE_WAITING_RETRY, 1);
  g_assert_true (waiting->error_domain == FB_SSE_ERROR);
  /* Scheduled when the stream ended, after its event "a". */
  assert_scheduled_delay (waiting, get_event (f, 0)->received_us, delay_ms);
  /* The retry timer never fires early: the second request comes after it. */
  g_assert_cmpint (get_request (f->requests, 1)->time_us, >=, waiting->retry_at_us);

  fixture_free (f);
}

static void
test_retry_field (void)
{
  run_retry_field (0.0, 200);
}

static void
test_retry_jitter (void)
{
  /* 200 × (1 + 0.25 × 0.96) = 248 ms: jitter only ever adds. */
  run_retry_field (0.96, 248);
}

static void
backoff_handler (Fixture           *f,
                 SoupServerMessage *msg,
                 const char        *path,
                 guint              index)
{
  if (index == 0)
    {
      FbTestStream *stream = fixture_sse_stream (f, msg);

      fb_test_stream_write (stream, "retry: 200\ndata: a\n\n", -1);
      fb_test_stream_end (stream);
    }
  else
    {
      respond_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR);
    }
}

static void
test_backoff_doubling (void)
{
  Fixture *f = fixture_new ();

  f->handler = backoff_handler;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);

  /* open → close (retry: 200) → 500 → 500 */
  g_assert_true (wait_for_state (f, FB_SSE_STATE_WAITING_RETRY, 3, WAIT_MS));
  g_assert_cmpuint (f->requests->len, ==, 3);
  g_assert_cmpint (count_state (f, FB_SSE_STATE_OPEN), ==, 1);

  /* No jitter (random 0). The first delay after an open stream is the
   * retry value; failures double from max (retry, 1000 ms), so never a
   * tight loop: 2 × 1000, then 4 × 1000. Each 500 is answered to a request
   * that reached the server first. */
  assert_scheduled_delay (find_state (f, FB_SSE_STATE_WAITING_RETRY, 1),
                          get_event (f, 0)->received_us, 200);
  assert_scheduled_delay (find_state (f, FB_SSE_STATE_WAITING_RETRY, 2),
                          get_request (f->requests, 1)->time_us, 2000);
  assert_scheduled_delay (find_state (f, FB_SSE_STATE_WAITING_RETRY, 3),
                          get_request (f->requests, 2)->time_us, 4000);

  fb_sse_connection_stop (f->conn);
  fixture_free (f);
}

static void
test_idle_timeout (void)
{
  Fixture *f = fixture_new ();
  StateEntry *waiting;

  /* One byte-carrying field, then silence with the socket open. */
  f->handler = text_handler;
  f->text = "retry: 200\n\n";
  fixture_connect (f, "/events");
  fb_sse_connection_set_idle_timeout (f->conn, 1);
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_state (f, FB_SSE_STATE_WAITING_RETRY, 1, WAIT_MS));
  waiting = find_state (f, FB_SSE_STATE_WAITING_RETRY, 1);
  g_assert_true (waiting->error_domain == FB_SSE_ERROR);
  g_assert_cmpint (waiting->error_code, ==, FB_SSE_ERROR_IDLE);
  /* Not before a whole second of silence: the watchdog can only have been
   * armed once the request had reached the server. How much later it fired
   * depends on the machine's load. */
  g_test_message ("idle after %" G_GINT64_FORMAT " ms",
                  (waiting->entered_us - get_request (f->requests, 0)->time_us) / 1000);
  g_assert_cmpint (waiting->entered_us, >=, get_request (f->requests, 0)->time_us + G_USEC_PER_SEC);
  g_assert_cmpint (count_state (f, FB_SSE_STATE_OPEN), ==, 1);
  g_assert_cmpuint (f->events->len, ==, 0);

  /* …and then reconnects. */
  g_assert_true (wait_for_requests (f, 2, WAIT_MS));
  g_assert_cmpstr (get_request (f->requests, 1)->path, ==, "/events");

  fixture_free (f);
}

static gboolean
ping_cb (gpointer user_data)
{
  FbTestStream *stream = user_data;

  fb_test_stream_write (stream, ": ping\n", -1);
  return G_SOURCE_CONTINUE;
}

static void
keepalive_handler (Fixture           *f,
                   SoupServerMessage *msg,
                   const char        *path,
                   guint              index)
{
  FbTestStream *stream = fixture_sse_stream (f, msg);

  fb_test_stream_write (stream, ": hello\n", -1);
  /* Twenty times a second against a 1 s watchdog: a stall of this process
   * of almost a second still leaves the stream alive. */
  fixture_later (f, 50, ping_cb, stream);
}

static void
test_keepalive_comments (void)
{
  Fixture *f = fixture_new ();

  f->handler = keepalive_handler;
  fixture_connect (f, "/events");
  fb_sse_connection_set_idle_timeout (f->conn, 1);
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_state (f, FB_SSE_STATE_OPEN, 1, WAIT_MS));
  f->wanted_state = FB_SSE_STATE_OPEN;
  /* Expected to time out: comments are bytes, and bytes keep the stream
   * alive. Without them, the 1 s watchdog would have fired well within
   * this time. */
  g_assert_false (fb_test_wait_until (state_left_cb, f, 2600));
  g_assert_cmpuint (f->requests->len, ==, 1);
  g_assert_cmpuint (f->states->len, ==, 2);
  g_assert_cmpuint (f->events->len, ==, 0);

  fixture_free (f);
}

static void
status_handler (Fixture           *f,
                SoupServerMessage *msg,
                const char        *path,
                guint              index)
{
  respond_status (msg, f->status);
}

static void
test_no_content (void)
{
  Fixture *f = fixture_new ();

  f->handler = status_handler;
  f->status = SOUP_STATUS_NO_CONTENT;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_state (f, FB_SSE_STATE_STOPPED, 1, WAIT_MS));
  g_assert_cmpint (count_state (f, FB_SSE_STATE_OPEN), ==, 0);
  g_assert_cmpint (count_state (f, FB_SSE_STATE_WAITING_RETRY), ==, 0);
  /* The server said stop: no retry is scheduled at all. */
  g_assert_cmpint (fb_sse_connection_get_retry_at (f->conn), ==, 0);
  fb_test_flush_main_context ();
  g_assert_cmpuint (f->requests->len, ==, 1);
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_STOPPED);

  fixture_free (f);
}

typedef struct
{
  const char *path;
  guint       status;
  const char *content_type;   /* for 200 */
  FbSseError  code;
  const char *in_message;     /* NULL: only non-empty */
  gboolean    was_retried;    /* retried forever before: check that no retry comes */
} PermanentCase;

static const PermanentCase permanent_cases[] = {
  { "/sse/connection/permanent/401", 401, NULL, FB_SSE_ERROR_UNAUTHORIZED, "401" },
  { "/sse/connection/permanent/403", 403, NULL, FB_SSE_ERROR_FORBIDDEN, NULL },
  { "/sse/connection/permanent/404", 404, NULL, FB_SSE_ERROR_NOT_FOUND, NULL },
  { "/sse/connection/permanent/410", 410, NULL, FB_SSE_ERROR_GONE, NULL },
  { "/sse/connection/permanent/content-type", 200, "text/html", FB_SSE_ERROR_CONTENT_TYPE, "text/html" },
  /* Only a 200 opens a stream (HTML's EventSource "fails the connection"
   * otherwise), even when the body is an event stream. */
  { "/sse/connection/permanent/201", 201, "text/event-stream", FB_SSE_ERROR_STATUS,
    "201 Created instead of an event stream", TRUE },
  { "/sse/connection/permanent/202", 202, "text/event-stream", FB_SSE_ERROR_STATUS,
    "202 Accepted instead of an event stream", TRUE },
  { "/sse/connection/permanent/205", 205, NULL, FB_SSE_ERROR_STATUS, "205", TRUE },
  { "/sse/connection/permanent/206", 206, "text/event-stream", FB_SSE_ERROR_STATUS, "206", TRUE },
  { "/sse/connection/permanent/299", 299, "text/event-stream", FB_SSE_ERROR_STATUS, "299", TRUE },
  { "/sse/connection/permanent/300", 300, NULL, FB_SSE_ERROR_STATUS, "300", TRUE },
  { "/sse/connection/permanent/400", 400, NULL, FB_SSE_ERROR_STATUS, "400 Bad Request", TRUE },
};

static void
permanent_handler (Fixture           *f,
                   SoupServerMessage *msg,
                   const char        *path,
                   guint              index)
{
  if (g_strcmp0 (f->content_type, "text/event-stream") == 0)
    {
      soup_server_message_set_status (msg, f->status, NULL);
      soup_server_message_set_response (msg, f->content_type, SOUP_MEMORY_STATIC,
                                        "data: not an event\n\n", 20);
    }
  else if (f->content_type != NULL)
    {
      soup_server_message_set_status (msg, f->status, NULL);
      soup_server_message_set_response (msg, f->content_type, SOUP_MEMORY_STATIC,
                                        "<p>data: not an event</p>\n\n", 27);
    }
  else
    {
      respond_status (msg, f->status);
    }
}

static void
test_permanent (gconstpointer data)
{
  const PermanentCase *c = data;
  Fixture *f = fixture_new ();
  StateEntry *failed;
  const GError *error;

  f->handler = permanent_handler;
  f->status = c->status;
  f->content_type = c->content_type;
  fixture_connect (f, "/events");
  fb_sse_connection_set_authorization (f->conn, "Bearer wrong");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_state (f, FB_SSE_STATE_FAILED, 1, WAIT_MS));
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_FAILED);
  failed = find_state (f, FB_SSE_STATE_FAILED, 1);
  g_assert_true (failed->error_domain == FB_SSE_ERROR);
  g_assert_cmpint (failed->error_code, ==, c->code);

  error = fb_sse_connection_get_last_error (f->conn);
  g_assert_error ((GError *) error, FB_SSE_ERROR, (int) c->code);
  g_assert_cmpstr (error->message, !=, "");
  if (c->in_message != NULL)
    g_assert_nonnull (strstr (error->message, c->in_message));
  g_test_message ("%s", error->message);

  /* Retried only slowly, after the cap (no jitter): a person must fix it. */
  assert_scheduled_delay (failed, get_request (f->requests, 0)->time_us, FB_BACKOFF_CAP_MS);
  g_assert_cmpint (count_state (f, FB_SSE_STATE_OPEN), ==, 0);
  g_assert_cmpuint (f->events->len, ==, 0);
  g_assert_cmpuint (f->requests->len, ==, 1);

  /* Past the time a transient failure would have been retried (the
   * default 3 s, no jitter, scheduled before the test saw the state):
   * still no second attempt. */
  if (c->was_retried)
    {
      fb_test_run_until (failed->entered_us + (FB_BACKOFF_DEFAULT_RETRY_MS + 500) * 1000);
      g_assert_cmpint (count_state (f, FB_SSE_STATE_CONNECTING), ==, 1);
      g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_FAILED);
      g_assert_cmpuint (f->requests->len, ==, 1);
    }

  fixture_free (f);
}

static void
error_then_ok_handler (Fixture           *f,
                       SoupServerMessage *msg,
                       const char        *path,
                       guint              index)
{
  if (index == 0)
    {
      respond_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR);
    }
  else
    {
      FbTestStream *stream = fixture_sse_stream (f, msg);

      fb_test_stream_write (stream, "id: 1\ndata: back\n\n", -1);
    }
}

static void
test_server_error_then_open (void)
{
  Fixture *f = fixture_new ();
  StateEntry *waiting;
  gint64 retry_at;

  f->handler = error_then_ok_handler;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_state (f, FB_SSE_STATE_WAITING_RETRY, 1, WAIT_MS));
  waiting = find_state (f, FB_SSE_STATE_WAITING_RETRY, 1);
  g_assert_true (waiting->error_domain == FB_SSE_ERROR);
  g_assert_cmpint (count_state (f, FB_SSE_STATE_FAILED), ==, 0);
  /* The default retry is 3 s (no jitter). */
  assert_scheduled_delay (waiting, get_request (f->requests, 0)->time_us, 3000);
  retry_at = waiting->retry_at_us;

  g_assert_true (wait_for_events (f, 1, WAIT_MS));
  g_assert_cmpint (get_request (f->requests, 1)->time_us, >=, retry_at);
  assert_event (f, 0, "message", "back", "1");
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_OPEN);
  g_assert_cmpuint (f->requests->len, ==, 2);

  fixture_free (f);
}

typedef struct
{
  const char *path;
  guint       status;
} RetryAfterCase;

static const RetryAfterCase retry_after_cases[] = {
  { "/sse/connection/retry-after/503", 503 },
  { "/sse/connection/retry-after/429", 429 },
};

static void
retry_after_handler (Fixture           *f,
                     SoupServerMessage *msg,
                     const char        *path,
                     guint              index)
{
  FbTestStream *stream;

  if (index == 1)
    {
      respond_status (msg, f->status);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "3");
      return;
    }

  /* With retry: 200, the backoff alone would wait 2 s at most here (× 2 from
   * max (retry, 1000 ms), no jitter): Retry-After must be what makes it 3 s. */
  stream = fixture_sse_stream (f, msg);
  fb_test_stream_write (stream, "retry: 200\ndata: a\n\n", -1);
  if (index == 0)
    fb_test_stream_end (stream);
}

static void
test_retry_after (gconstpointer data)
{
  const RetryAfterCase *c = data;
  Fixture *f = fixture_new ();
  StateEntry *waiting;
  gint64 retry_at;

  f->handler = retry_after_handler;
  f->status = c->status;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_state (f, FB_SSE_STATE_WAITING_RETRY, 2, WAIT_MS));
  g_assert_cmpuint (f->requests->len, ==, 2);
  waiting = find_state (f, FB_SSE_STATE_WAITING_RETRY, 2);
  g_assert_true (waiting->error_domain == FB_SSE_ERROR);
  assert_scheduled_delay (waiting, get_request (f->requests, 1)->time_us, 3000);
  retry_at = waiting->retry_at_us;

  g_assert_true (wait_for_requests (f, 3, WAIT_MS));
  g_assert_cmpint (get_request (f->requests, 2)->time_us, >=, retry_at);

  fixture_free (f);
}

typedef struct
{
  const char *path;
  guint       status;
} RedirectCase;

static const RedirectCase redirect_cases[] = {
  { "/sse/connection/redirect/302", 302 },
  { "/sse/connection/redirect/307", 307 },
};

static void
redirect_handler (Fixture           *f,
                  SoupServerMessage *msg,
                  const char        *path,
                  guint              index)
{
  if (g_str_equal (path, "/old"))
    {
      g_autofree char *location = fb_test_sse_server_url (f->server, "/events");

      soup_server_message_set_redirect (msg, f->status, location);
    }
  else
    {
      FbTestStream *stream = fixture_sse_stream (f, msg);

      fb_test_stream_write (stream, "id: 5\ndata: moved\n\n", -1);
    }
}

static void
test_redirect_same_origin (gconstpointer data)
{
  const RedirectCase *c = data;
  Fixture *f = fixture_new ();

  f->handler = redirect_handler;
  f->status = c->status;
  fixture_connect (f, "/old");
  fb_sse_connection_add_header (f->conn, "X-Feedbell-Test", "yes");
  fb_sse_connection_set_authorization (f->conn, "Bearer s3cret");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_events (f, 1, WAIT_MS));
  assert_event (f, 0, "message", "moved", "5");
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_OPEN);
  g_assert_cmpuint (f->requests->len, ==, 2);
  g_assert_cmpstr (get_request (f->requests, 0)->path, ==, "/old");
  g_assert_cmpstr (get_request (f->requests, 1)->path, ==, "/events");
  for (guint i = 0; i < 2; i++)
    {
      FbTestRequest *request = get_request (f->requests, i);

      assert_sse_request (request);
      g_assert_cmpstr (fb_test_request_header (request, "X-Feedbell-Test"), ==, "yes");
      g_assert_cmpstr (fb_test_request_header (request, "Authorization"), ==, "Bearer s3cret");
    }

  fixture_free (f);
}

static void
cross_origin_handler (Fixture           *f,
                      SoupServerMessage *msg,
                      const char        *path,
                      guint              index)
{
  g_autofree char *location = fb_test_sse_server_url (f->other, "/events");

  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
}

static void
test_redirect_cross_origin (void)
{
  Fixture *f = fixture_new ();
  FbTestRequest *request;

  start_other_server (f);
  f->handler = cross_origin_handler;
  f->other_handler = text_handler;
  f->text = "data: elsewhere\n\n";
  fixture_connect (f, "/events");
  fb_sse_connection_add_header (f->conn, "X-Feedbell-Test", "yes");
  fb_sse_connection_set_authorization (f->conn, "Bearer s3cret");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_events (f, 1, WAIT_MS));
  assert_event (f, 0, "message", "elsewhere", "");
  g_assert_cmpuint (f->requests->len, ==, 1);
  g_assert_cmpuint (f->other_requests->len, ==, 1);

  request = get_request (f->requests, 0);
  g_assert_cmpstr (fb_test_request_header (request, "Authorization"), ==, "Bearer s3cret");
  g_assert_cmpstr (fb_test_request_header (request, "X-Feedbell-Test"), ==, "yes");

  /* Another port is another origin: no credentials, no custom headers there. */
  request = get_request (f->other_requests, 0);
  assert_sse_request (request);
  g_assert_null (fb_test_request_header (request, "Authorization"));
  g_assert_null (fb_test_request_header (request, "X-Feedbell-Test"));

  fixture_free (f);
}

typedef struct
{
  const char *path;
  const char *location;
} BadRedirectCase;

static const BadRedirectCase bad_redirect_cases[] = {
  { "/sse/connection/redirect/bad-scheme/ftp", "ftp://127.0.0.1/events" },
  { "/sse/connection/redirect/bad-scheme/file", "file:///etc/passwd" },
};

static void
bad_redirect_handler (Fixture           *f,
                      SoupServerMessage *msg,
                      const char        *path,
                      guint              index)
{
  soup_server_message_set_status (msg, SOUP_STATUS_FOUND, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Location", f->location);
}

static void
test_redirect_bad_scheme (gconstpointer data)
{
  const BadRedirectCase *c = data;
  Fixture *f = fixture_new ();
  StateEntry *failed;

  f->handler = bad_redirect_handler;
  f->location = c->location;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_state (f, FB_SSE_STATE_FAILED, 1, WAIT_MS));
  failed = find_state (f, FB_SSE_STATE_FAILED, 1);
  g_assert_true (failed->error_domain == FB_SSE_ERROR);
  g_assert_cmpint (failed->error_code, ==, FB_SSE_ERROR_REDIRECT);
  g_assert_cmpint (count_state (f, FB_SSE_STATE_OPEN), ==, 0);
  g_assert_cmpuint (f->requests->len, ==, 1);

  fixture_free (f);
}

/* A TCP listener that accepts connections and holds them without reading. */
typedef struct
{
  GSocketListener *listener;
  GCancellable    *cancellable;
  GPtrArray       *held;
  guint16          port;
} Sink;

static void
sink_accept (Sink *sink);

static void
sink_accepted_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  Sink *sink;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (object), result, NULL, &error);
  if (connection == NULL)
    return;

  sink = user_data;
  g_ptr_array_add (sink->held, connection);
  sink_accept (sink);
}

static void
sink_accept (Sink *sink)
{
  g_socket_listener_accept_async (sink->listener, sink->cancellable, sink_accepted_cb, sink);
}

static Sink *
sink_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  Sink *sink = g_new0 (Sink, 1);

  sink->listener = g_socket_listener_new ();
  sink->cancellable = g_cancellable_new ();
  sink->held = g_ptr_array_new_with_free_func (g_object_unref);
  g_socket_listener_add_address (sink->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  sink->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  sink_accept (sink);

  return sink;
}

static void
sink_free (Sink *sink)
{
  g_cancellable_cancel (sink->cancellable);
  fb_test_flush_main_context ();
  g_socket_listener_close (sink->listener);
  g_clear_object (&sink->listener);
  g_clear_object (&sink->cancellable);
  g_ptr_array_unref (sink->held);
  g_free (sink);
}

static void
test_connect_timeout (void)
{
  Fixture *f = fixture_new ();
  Sink *sink = sink_new ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/events", sink->port);
  StateEntry *connecting, *waiting;
  gint64 started_us;

  f->conn = fb_sse_connection_new (url);
  g_signal_connect (f->conn, "notify::state", G_CALLBACK (notify_state_cb), f);
  g_signal_connect (f->conn, "notify::retry-at", G_CALLBACK (notify_retry_at_cb), f);
  fb_sse_connection_set_connect_timeout (f->conn, 1);
  started_us = g_get_monotonic_time ();
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_state (f, FB_SSE_STATE_WAITING_RETRY, 1, WAIT_MS));
  g_assert_cmpuint (sink->held->len, >=, 1);
  connecting = find_state (f, FB_SSE_STATE_CONNECTING, 1);
  waiting = find_state (f, FB_SSE_STATE_WAITING_RETRY, 1);
  g_assert_true (waiting->error_domain == FB_SSE_ERROR);
  g_assert_cmpint (waiting->error_code, ==, FB_SSE_ERROR_TIMED_OUT);
  /* The timer is armed as CONNECTING is entered, after start() was called,
   * and never fires early. The test notes CONNECTING a little after the
   * timer was armed (beside CPU hogs, 4 ms after), so the bound counts from
   * before start(). How late it fired depends on the machine's load. */
  g_test_message ("timed out after %" G_GINT64_FORMAT " ms",
                  (waiting->entered_us - connecting->entered_us) / 1000);
  g_assert_cmpint (waiting->entered_us, >=, started_us + G_USEC_PER_SEC);
  g_assert_cmpint (count_state (f, FB_SSE_STATE_OPEN), ==, 0);

  fb_sse_connection_stop (f->conn);
  fixture_free (f);
  sink_free (sink);
}

typedef struct
{
  FbTestStream *stream;
  guint         n;
} Ticker;

static gboolean
tick_cb (gpointer user_data)
{
  Ticker *ticker = user_data;

  ticker->n++;
  fb_test_stream_printf (ticker->stream, "id: %u\ndata: tick %u\n\n", ticker->n, ticker->n);
  return G_SOURCE_CONTINUE;
}

static void
ticker_handler (Fixture           *f,
                SoupServerMessage *msg,
                const char        *path,
                guint              index)
{
  Ticker *ticker = g_new0 (Ticker, 1);

  ticker->stream = fixture_sse_stream (f, msg);
  /* Freed with the fixture's sources. */
  g_object_set_data_full (G_OBJECT (msg), "ticker", ticker, g_free);
  fixture_later (f, 50, tick_cb, ticker);
}

static gboolean
stream_done_cb (gpointer user_data)
{
  return fb_test_stream_is_done (user_data);
}

static void
test_stop (void)
{
  Fixture *f = fixture_new ();
  guint n_events;

  f->handler = ticker_handler;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_events (f, 3, WAIT_MS));
  fb_sse_connection_stop (f->conn);
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_STOPPED);
  g_assert_cmpint (fb_sse_connection_get_retry_at (f->conn), ==, 0);
  n_events = f->events->len;

  /* The server goes on sending every 50 ms until it finds the connection
   * closed by the client: nothing it sent after the stop is delivered. */
  g_assert_true (fb_test_wait_until (stream_done_cb, f->streams->pdata[0], WAIT_MS));
  fb_test_flush_main_context ();
  g_assert_cmpuint (f->events->len, ==, n_events);
  g_assert_cmpuint (f->requests->len, ==, 1);
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_STOPPED);

  fixture_free (f);
}

static void
three_events_handler (Fixture           *f,
                      SoupServerMessage *msg,
                      const char        *path,
                      guint              index)
{
  g_autoptr(GString) text = g_string_new (NULL);

  /* All in one chunk, so that the client reads them in one block. */
  for (guint i = fb_test_resume_from (msg); i <= 3; i++)
    g_string_append_printf (text, "id: %u\ndata: e%u\n\n", i, i);
  fb_test_stream_write (fixture_sse_stream (f, msg), text->str, text->len);
}

static void
stop_on_event_cb (FbSseConnection *conn,
                  FbSseEvent      *event,
                  gpointer         user_data)
{
  fb_sse_connection_stop (conn);
}

/* A handler that stops the connection: the events after it in the same read
 * are not dispatched, so they must not count as received either. */
static void
test_stop_in_handler (void)
{
  Fixture *f = fixture_new ();
  gulong handler_id;

  f->handler = three_events_handler;
  fixture_connect (f, "/events");
  handler_id = g_signal_connect_after (f->conn, "event", G_CALLBACK (stop_on_event_cb), f);
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_state (f, FB_SSE_STATE_STOPPED, 1, WAIT_MS));
  fb_test_flush_main_context ();
  g_assert_cmpuint (f->events->len, ==, 1);
  assert_event (f, 0, "message", "e1", "1");
  g_assert_cmpstr (fb_sse_connection_get_last_event_id (f->conn), ==, "1");

  /* Started again, it resumes after the last event it delivered. */
  g_signal_handler_disconnect (f->conn, handler_id);
  fb_sse_connection_start (f->conn);
  g_assert_true (wait_for_events (f, 3, WAIT_MS));
  g_assert_cmpuint (f->requests->len, ==, 2);
  g_assert_cmpstr (fb_test_request_header (get_request (f->requests, 1), "Last-Event-ID"), ==, "1");
  assert_event (f, 1, "message", "e2", "2");
  assert_event (f, 2, "message", "e3", "3");

  fixture_free (f);
}

static void
test_stop_while_waiting (void)
{
  Fixture *f = fixture_new ();
  gint64 retry_at;

  f->handler = retry_field_handler;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_state (f, FB_SSE_STATE_WAITING_RETRY, 1, WAIT_MS));
  retry_at = find_state (f, FB_SSE_STATE_WAITING_RETRY, 1)->retry_at_us;
  g_assert_cmpint (retry_at, >, 0);
  fb_sse_connection_stop (f->conn);
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_STOPPED);
  g_assert_cmpint (fb_sse_connection_get_retry_at (f->conn), ==, 0);

  /* The 200 ms retry was cancelled: past its due time, nothing has
   * happened. A retry timer still pending would have fired by then (timers
   * run in the order they fall due), and its first step, CONNECTING, is
   * synchronous. */
  fb_test_run_until (retry_at + 100 * 1000);
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_STOPPED);
  g_assert_cmpuint (count_state (f, FB_SSE_STATE_CONNECTING), ==, 1);
  fb_test_flush_main_context ();
  g_assert_cmpuint (f->requests->len, ==, 1);

  fixture_free (f);
}

static void
test_reconnect_now (void)
{
  Fixture *f = fixture_new ();
  StateEntry *waiting;
  gint64 asked_us;

  f->handler = error_then_ok_handler;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);

  g_assert_true (wait_for_state (f, FB_SSE_STATE_WAITING_RETRY, 1, WAIT_MS));
  waiting = find_state (f, FB_SSE_STATE_WAITING_RETRY, 1);
  assert_scheduled_delay (waiting, get_request (f->requests, 0)->time_us, 3000);

  /* Connecting at once, not when the retry was due: CONNECTING right away,
   * and the scheduled retry gone. */
  asked_us = g_get_monotonic_time ();
  fb_sse_connection_reconnect_now (f->conn);
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_CONNECTING);
  g_assert_cmpint (fb_sse_connection_get_retry_at (f->conn), ==, 0);

  g_assert_true (wait_for_events (f, 1, WAIT_MS));
  g_assert_cmpuint (f->requests->len, ==, 2);
  g_test_message ("reconnect asked → request at the server: %.1f ms",
                  (get_request (f->requests, 1)->time_us - asked_us) / 1000.0);
  g_assert_cmpint (count_state (f, FB_SSE_STATE_WAITING_RETRY), ==, 1);
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_OPEN);

  fixture_free (f);
}

/* VmHWM (peak resident set) of this process in KiB, or -1. */
static gint64
read_vm_hwm_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  if (line == NULL)
    return -1;

  return g_ascii_strtoll (line + strlen ("VmHWM:"), NULL, 10);
}

/* Writing 5 to clear_refs resets the peak to the current RSS (Linux ≥ 4.0),
 * so that what earlier tests used does not hide what this one uses. */
static void
reset_vm_hwm (void)
{
  g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
}

#define HUGE_LINE   (10 * 1024 * 1024)
#define HUGE_BLOCK  (64 * 1024)

static char huge_block[HUGE_BLOCK];
static const char huge_tail[] = "\n\ndata: ok\n\n";

/* One block per written chunk, so the server side never holds more than 64 KiB. */
static void
huge_wrote_chunk_cb (SoupServerMessage *msg,
                     gpointer           user_data)
{
  Fixture *f = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  if (f->remaining > 0)
    {
      gsize size = MIN (f->remaining, HUGE_BLOCK);

      f->remaining -= size;
      soup_message_body_append (body, SOUP_MEMORY_STATIC, huge_block, size);
    }
  else if (!f->tail_sent)
    {
      f->tail_sent = TRUE;
      soup_message_body_append (body, SOUP_MEMORY_STATIC, huge_tail, strlen (huge_tail));
    }
}

static void
test_oversized_event (void)
{
  Fixture *f = fixture_new ();
  FbTestStream *stream;
  gint64 before, after;

  f->handler = text_handler;
  f->text = ": ready\n";
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);
  g_assert_true (wait_for_state (f, FB_SSE_STATE_OPEN, 1, WAIT_MS));
  g_assert_cmpuint (f->streams->len, ==, 1);
  stream = f->streams->pdata[0];

  memset (huge_block, 'x', sizeof huge_block);
  reset_vm_hwm ();
  before = read_vm_hwm_kib ();
  f->remaining = HUGE_LINE;
  /* Queued first: whatever chunk is written next, the blocks come after it. */
  fb_test_stream_write (stream, "data: ", -1);
  g_signal_connect (fb_test_stream_get_message (stream), "wrote-chunk",
                    G_CALLBACK (huge_wrote_chunk_cb), f);

  g_assert_true (wait_for_events (f, 1, WAIT_MS));
  after = read_vm_hwm_kib ();
  g_assert_true (f->tail_sent);
  g_assert_cmpuint (f->events->len, ==, 1);
  assert_event (f, 0, "message", "ok", "");
  g_assert_cmpuint (fb_sse_connection_get_n_dropped (f->conn), ==, 1);
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_OPEN);
  g_assert_cmpuint (f->requests->len, ==, 1);

  if (before < 0 || after < 0)
    {
      g_test_message ("no VmHWM in /proc/self/status: memory not checked");
    }
  else
    {
      g_test_message ("VmHWM grew by %" G_GINT64_FORMAT " KiB", after - before);
      g_assert_cmpint (after - before, <, 8 * 1024);
    }

  g_signal_handlers_disconnect_by_data (fb_test_stream_get_message (stream), f);
  fixture_free (f);
}

/* A stream that exercises the parser's edges: BOM, CR, CRLF, comments,
 * multi-byte characters, fields without a colon, an id reset. */
static const char chunky_stream[] =
  "\xEF\xBB\xBF"
  "retry: 200\n"
  ": comment\r\n"
  "id: 1\r\n"
  "event: greet\r"
  "data: h\xC3\xA9llo \xF0\x9F\x90\xB1\r\n"
  "data: second line\n"
  "\n"
  "data:no space\r\r"
  "id: 2\n"
  "data\n"
  "\n"
  "event: x\n"
  "data: a\r\n"
  "\r\n"
  "id\n"
  "data: after reset\n"
  "\n"
  "data: last\n\n";
#define N_CHUNKY_EVENTS 6

typedef struct
{
  FbTestStream *stream;
  gsize         offset;
} Dripper;

static gboolean
drip_cb (gpointer user_data)
{
  Dripper *dripper = user_data;

  if (dripper->offset >= strlen (chunky_stream))
    return G_SOURCE_REMOVE;

  fb_test_stream_write (dripper->stream, chunky_stream + dripper->offset++, 1);
  return G_SOURCE_CONTINUE;
}

static void
drip_handler (Fixture           *f,
              SoupServerMessage *msg,
              const char        *path,
              guint              index)
{
  Dripper *dripper = g_new0 (Dripper, 1);

  dripper->stream = fixture_sse_stream (f, msg);
  g_object_set_data_full (G_OBJECT (msg), "dripper", dripper, g_free);
  fixture_later (f, 1, drip_cb, dripper);
}

static GPtrArray *
collect_events (Handler handler)
{
  Fixture *f = fixture_new ();
  GPtrArray *events;

  f->handler = handler;
  f->text = chunky_stream;
  fixture_connect (f, "/events");
  fb_sse_connection_start (f->conn);
  g_assert_true (wait_for_events (f, N_CHUNKY_EVENTS, WAIT_MS));
  /* The stream stays open: nothing more may come. */
  fb_test_flush_main_context ();
  g_assert_cmpuint (f->requests->len, ==, 1);
  g_assert_cmpuint (count_state (f, FB_SSE_STATE_WAITING_RETRY), ==, 0);

  events = g_ptr_array_ref (f->events);
  fixture_free (f);

  return events;
}

static void
test_byte_chunks (void)
{
  g_autoptr(GPtrArray) whole = collect_events (text_handler);
  g_autoptr(GPtrArray) drip = collect_events (drip_handler);
  Event *first;

  g_assert_cmpuint (whole->len, ==, N_CHUNKY_EVENTS);
  first = whole->pdata[0];
  g_assert_cmpstr (first->type, ==, "greet");
  g_assert_cmpstr (first->data, ==, "h\xC3\xA9llo \xF0\x9F\x90\xB1\nsecond line");
  g_assert_cmpstr (first->last_event_id, ==, "1");

  g_assert_cmpuint (drip->len, ==, whole->len);
  for (guint i = 0; i < whole->len; i++)
    {
      Event *a = whole->pdata[i];
      Event *b = drip->pdata[i];

      g_assert_cmpmem (b->type, b->type_len, a->type, a->type_len);
      g_assert_cmpmem (b->data, b->data_len, a->data, a->data_len);
      g_assert_cmpstr (b->last_event_id, ==, a->last_event_id);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sse/connection/open-and-events", test_open_and_events);
  g_test_add_func ("/sse/connection/nul-in-type", test_nul_in_type);
  g_test_add_func ("/sse/connection/request-headers", test_request_headers);
  g_test_add_func ("/sse/connection/initial-last-event-id", test_initial_last_event_id);
  g_test_add_func ("/sse/connection/resume-after-close", test_resume_after_close);
  g_test_add_func ("/sse/connection/resume-after-abort", test_resume_after_abort);
  g_test_add_func ("/sse/connection/retry-field", test_retry_field);
  g_test_add_func ("/sse/connection/retry-jitter", test_retry_jitter);
  g_test_add_func ("/sse/connection/backoff-doubling", test_backoff_doubling);
  g_test_add_func ("/sse/connection/idle-timeout", test_idle_timeout);
  g_test_add_func ("/sse/connection/keepalive-comments", test_keepalive_comments);
  g_test_add_func ("/sse/connection/no-content", test_no_content);
  for (guint i = 0; i < G_N_ELEMENTS (permanent_cases); i++)
    g_test_add_data_func (permanent_cases[i].path, &permanent_cases[i], test_permanent);
  g_test_add_func ("/sse/connection/server-error-then-open", test_server_error_then_open);
  for (guint i = 0; i < G_N_ELEMENTS (retry_after_cases); i++)
    g_test_add_data_func (retry_after_cases[i].path, &retry_after_cases[i], test_retry_after);
  for (guint i = 0; i < G_N_ELEMENTS (redirect_cases); i++)
    g_test_add_data_func (redirect_cases[i].path, &redirect_cases[i], test_redirect_same_origin);
  g_test_add_func ("/sse/connection/redirect/cross-origin", test_redirect_cross_origin);
  for (guint i = 0; i < G_N_ELEMENTS (bad_redirect_cases); i++)
    g_test_add_data_func (bad_redirect_cases[i].path, &bad_redirect_cases[i],
                          test_redirect_bad_scheme);
  g_test_add_func ("/sse/connection/connect-timeout", test_connect_timeout);
  g_test_add_func ("/sse/connection/stop", test_stop);
  g_test_add_func ("/sse/connection/stop-in-handler", test_stop_in_handler);
  g_test_add_func ("/sse/connection/stop-while-waiting", test_stop_while_waiting);
  g_test_add_func ("/sse/connection/reconnect-now", test_reconnect_now);
  g_test_add_func ("/sse/connection/oversized-event", test_oversized_event);
  g_test_add_func ("/sse/connection/byte-chunks", test_byte_chunks);

  return g_test_run ();
}
