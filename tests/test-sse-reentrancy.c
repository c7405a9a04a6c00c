/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "fb-sse-connection.h"
#include "fb-test-utils.h"

/*
 * Handlers that stop, start or reconnect an FbSseConnection from inside its
 * own callbacks: notify::state in every state that is ever notified, the
 * direct event function and the "event" signal.
 *
 * Each test runs one scenario against a real SoupServer on 127.0.0.1 and
 * checks, as it goes, that every notification finds the object consistent
 * with what it announces, and that events come once each and in order (their
 * ids go up by one across reconnections, which resume from Last-Event-ID).
 * At the end it compares the notified states and the events with what the
 * scenario expects.
 *
 * A stream's events are written by the server only once the client has
 * notified OPEN: they arrive only if OPEN really reads the stream. A stream
 * the client has left is then written to again and again until the server
 * sees the client close it: whatever the client still read from it would
 * show up as a "late" event.
 */

#define WAIT_MS       10000
#define N_EVENTS      3      /* a stream's events have ids from Last-Event-ID + 1 to this */
#define LATE_TICK_MS  20

typedef enum
{
  WHERE_NOTIFY_STATE,
  WHERE_EVENT_FUNC,
  WHERE_EVENT_SIGNAL,
} Where;

typedef enum
{
  ACTION_STOP,
  ACTION_START,
  ACTION_RECONNECT_NOW,
  ACTION_SET_IDLE_TIMEOUT,
} Action;

typedef struct
{
  const char *path;
  Where       where;
  FbSseState  state;    /* WHERE_NOTIFY_STATE: the state whose first notification acts */
  Action      action;
  const char *states;   /* every notify::state, in order */
  const char *events;   /* every event: the OPEN that fed its stream (a = the first), its id */
} Case;

/* What the scenario keeps of each of the server's streams, beside it. */
typedef struct
{
  guint    first_id;  /* from the request's Last-Event-ID */
  gboolean fed;       /* its events are written */
  gboolean left;      /* the client left it: nothing more may come from it */
} StreamInfo;

typedef struct
{
  const Case      *tc;

  FbTestSseServer *server;
  guint            first_status;   /* the answer to the first request; the others open */
  GPtrArray       *streams;        /* FbTestStream, owned by @server */
  GHashTable      *infos;          /* FbTestStream → StreamInfo */
  guint            late_id;        /* writes to the streams left */

  FbSseConnection *conn;
  gboolean         acted;
  FbSseState       last_state;
  guint            n_opens;
  GString         *states;         /* "connecting open …" */
  GPtrArray       *events;         /* data of each event, from the event function */
  GPtrArray       *signal_events;  /* the same, from the "event" signal */
  guint            last_id;
  guint            n_wanted;
} Fixture;

/* Server side */

static StreamInfo *
stream_info (Fixture      *f,
             FbTestStream *stream)
{
  StreamInfo *info = g_hash_table_lookup (f->infos, stream);

  g_assert_nonnull (info);
  return info;
}

/* The answer to the first request puts the connection in the state under test. */
static guint
first_status_for (const Case *tc)
{
  if (tc->where != WHERE_NOTIFY_STATE)
    return SOUP_STATUS_OK;

  switch (tc->state)
    {
    case FB_SSE_STATE_WAITING_RETRY:
    case FB_SSE_STATE_WAITING_NETWORK:
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    case FB_SSE_STATE_FAILED:
      return SOUP_STATUS_NOT_FOUND;
    case FB_SSE_STATE_STOPPED:
      return SOUP_STATUS_NO_CONTENT;
    case FB_SSE_STATE_DISCONNECTED:
    case FB_SSE_STATE_CONNECTING:
    case FB_SSE_STATE_OPEN:
      return SOUP_STATUS_OK;
    default:
      g_assert_not_reached ();
    }
}

static void
server_cb (FbTestSseServer   *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           guint              index,
           gpointer           user_data)
{
  Fixture *f = user_data;
  guint status = index == 0 ? f->first_status : SOUP_STATUS_OK;
  FbTestStream *stream;
  StreamInfo *info;

  if (status != SOUP_STATUS_OK)
    {
      soup_server_message_set_status (msg, status, NULL);
      if (status != SOUP_STATUS_NO_CONTENT)
        soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "no\n", 3);
      return;
    }

  stream = fb_test_sse_server_stream (server, msg, "text/event-stream");
  info = g_new0 (StreamInfo, 1);
  info->first_id = fb_test_resume_from (msg);
  g_hash_table_insert (f->infos, stream, info);
  /* A comment only: the events wait for the client's OPEN (feed_streams()). */
  fb_test_stream_write (stream, ": hello\n\n", -1);
}

/* Writes its events, in one chunk so that the client reads them in one
 * buffer, to every stream that has not had them, named after this OPEN. */
static void
feed_streams (Fixture *f)
{
  char name = 'a' + f->n_opens;

  for (guint i = 0; i < f->streams->len; i++)
    {
      FbTestStream *stream = f->streams->pdata[i];
      StreamInfo *info = stream_info (f, stream);
      g_autoptr(GString) text = g_string_new (NULL);

      if (info->fed || info->left)
        continue;
      for (guint id = info->first_id; id <= N_EVENTS; id++)
        g_string_append_printf (text, "id: %u\ndata: %c%u\n\n", id, name, id);
      if (text->len > 0)
        fb_test_stream_write (stream, text->str, text->len);
      info->fed = TRUE;
    }
}

static gboolean
late_tick_cb (gpointer user_data)
{
  Fixture *f = user_data;

  for (guint i = 0; i < f->streams->len; i++)
    {
      FbTestStream *stream = f->streams->pdata[i];

      /* A write to a socket the client closed is what finishes the message. */
      if (stream_info (f, stream)->left)
        fb_test_stream_write (stream, "data: late\n\n", -1);
    }

  return G_SOURCE_CONTINUE;
}

/* The client has just left every stream there is. */
static void
leave_streams (Fixture *f)
{
  for (guint i = 0; i < f->streams->len; i++)
    stream_info (f, f->streams->pdata[i])->left = TRUE;
  if (f->late_id == 0)
    f->late_id = g_timeout_add (LATE_TICK_MS, late_tick_cb, f);
}

static gboolean
left_streams_closed_cb (gpointer user_data)
{
  Fixture *f = user_data;

  for (guint i = 0; i < f->streams->len; i++)
    {
      FbTestStream *stream = f->streams->pdata[i];

      if (stream_info (f, stream)->left && !fb_test_stream_is_done (stream))
        return FALSE;
    }

  return TRUE;
}

/* Client side */

/* What every notification may rely on, whatever the state. */
static void
assert_consistent (FbSseConnection *conn)
{
  FbSseState state = fb_sse_connection_get_state (conn);
  gint64 retry_at = fb_sse_connection_get_retry_at (conn);
  const GError *error = fb_sse_connection_get_last_error (conn);
  FbSseState property;

  g_object_get (conn, "state", &property, NULL);
  g_assert_cmpint (property, ==, state);

  switch (state)
    {
    case FB_SSE_STATE_WAITING_RETRY:
    case FB_SSE_STATE_FAILED:
      g_assert_cmpint (retry_at, >, 0);
      g_assert_nonnull (error);
      break;
    case FB_SSE_STATE_WAITING_NETWORK:
      g_assert_cmpint (retry_at, ==, 0);
      g_assert_nonnull (error);
      break;
    case FB_SSE_STATE_OPEN:
      g_assert_cmpint (retry_at, ==, 0);
      g_assert_null (error);
      break;
    case FB_SSE_STATE_DISCONNECTED:
    case FB_SSE_STATE_CONNECTING:
    case FB_SSE_STATE_STOPPED:
      g_assert_cmpint (retry_at, ==, 0);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
act (Fixture *f)
{
  gboolean leaves_stream;

  if (f->acted)
    return;
  f->acted = TRUE;

  leaves_stream = fb_sse_connection_get_state (f->conn) == FB_SSE_STATE_OPEN &&
                  (f->tc->action == ACTION_STOP || f->tc->action == ACTION_RECONNECT_NOW);
  switch (f->tc->action)
    {
    case ACTION_STOP:
      fb_sse_connection_stop (f->conn);
      break;
    case ACTION_START:
      fb_sse_connection_start (f->conn);
      break;
    case ACTION_RECONNECT_NOW:
      fb_sse_connection_reconnect_now (f->conn);
      break;
    case ACTION_SET_IDLE_TIMEOUT:
      fb_sse_connection_set_idle_timeout (f->conn, 1);
      break;
    default:
      g_assert_not_reached ();
    }
  if (leaves_stream)
    leave_streams (f);
}

static void
notify_state_cb (FbSseConnection *conn,
                 GParamSpec      *pspec,
                 gpointer         user_data)
{
  Fixture *f = user_data;
  FbSseState state = fb_sse_connection_get_state (conn);

  assert_consistent (conn);
  /* Only a real change is notified (and DISCONNECTED never: it is only the start). */
  g_assert_cmpint (state, !=, f->last_state);
  f->last_state = state;
  g_string_append_printf (f->states, "%s%s", f->states->len > 0 ? " " : "",
                          fb_sse_state_to_string (state));

  if (state == FB_SSE_STATE_OPEN)
    {
      feed_streams (f);
      f->n_opens++;
    }
  if (f->tc->where == WHERE_NOTIFY_STATE && f->tc->state == state)
    act (f);
}

static void
notify_retry_at_cb (FbSseConnection *conn,
                    GParamSpec      *pspec,
                    gpointer         user_data)
{
  assert_consistent (conn);
}

/* An error is told once the state it led to is entered; its clearing, once
 * a stream is open. */
static void
notify_last_error_cb (FbSseConnection *conn,
                      GParamSpec      *pspec,
                      gpointer         user_data)
{
  FbSseState state = fb_sse_connection_get_state (conn);

  assert_consistent (conn);
  if (fb_sse_connection_get_last_error (conn) == NULL)
    g_assert_cmpint (state, ==, FB_SSE_STATE_OPEN);
  else
    g_assert_true (state == FB_SSE_STATE_WAITING_RETRY ||
                   state == FB_SSE_STATE_WAITING_NETWORK ||
                   state == FB_SSE_STATE_FAILED ||
                   state == FB_SSE_STATE_STOPPED);
}

static void
record_event (GPtrArray        *events,
              const FbSseEvent *event)
{
  /* A stream the client left delivered something. */
  g_assert_cmpstr (event->data, !=, "late");
  g_ptr_array_add (events, g_strdup (event->data));
}

static void
event_func_cb (FbSseConnection  *conn,
               const FbSseEvent *event,
               gpointer          user_data)
{
  Fixture *f = user_data;
  guint id = atoi (event->last_event_id);

  g_assert_cmpint (fb_sse_connection_get_state (conn), ==, FB_SSE_STATE_OPEN);
  record_event (f->events, event);
  /* Each event once and none skipped: ids go up by one across reconnections. */
  g_assert_cmpuint (id, ==, f->last_id + 1);
  f->last_id = id;

  if (f->tc->where == WHERE_EVENT_FUNC)
    act (f);
}

static void
event_signal_cb (FbSseConnection  *conn,
                 const FbSseEvent *event,
                 gpointer          user_data)
{
  Fixture *f = user_data;

  record_event (f->signal_events, event);
}

static void
event_signal_act_cb (FbSseConnection  *conn,
                     const FbSseEvent *event,
                     gpointer          user_data)
{
  Fixture *f = user_data;

  if (f->tc->where == WHERE_EVENT_SIGNAL)
    act (f);
}

static Fixture *
fixture_new (const Case *tc)
{
  Fixture *f = g_new0 (Fixture, 1);
  g_autofree char *url = NULL;

  f->tc = tc;
  f->first_status = first_status_for (tc);
  f->server = fb_test_sse_server_new (server_cb, f);
  f->streams = fb_test_sse_server_get_streams (f->server);
  f->infos = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  f->states = g_string_new (NULL);
  f->events = g_ptr_array_new_with_free_func (g_free);
  f->signal_events = g_ptr_array_new_with_free_func (g_free);

  url = fb_test_sse_server_url (f->server, "/events");
  f->conn = fb_sse_connection_new (url);
  fb_sse_connection_set_event_func (f->conn, event_func_cb, f, NULL);
  /* The recording handler first: the acting one may stop the connection. */
  g_signal_connect (f->conn, "event", G_CALLBACK (event_signal_cb), f);
  g_signal_connect (f->conn, "event", G_CALLBACK (event_signal_act_cb), f);
  g_signal_connect (f->conn, "notify::state", G_CALLBACK (notify_state_cb), f);
  g_signal_connect (f->conn, "notify::retry-at", G_CALLBACK (notify_retry_at_cb), f);
  g_signal_connect (f->conn, "notify::last-error", G_CALLBACK (notify_last_error_cb), f);

  return f;
}

static void
fixture_free (Fixture *f)
{
  fb_sse_connection_set_event_func (f->conn, NULL, NULL, NULL);
  g_signal_handlers_disconnect_by_data (f->conn, f);
  g_clear_object (&f->conn);
  g_clear_handle_id (&f->late_id, g_source_remove);
  fb_test_flush_main_context ();

  g_clear_pointer (&f->server, fb_test_sse_server_free);
  g_hash_table_unref (f->infos);

  g_string_free (f->states, TRUE);
  g_ptr_array_unref (f->events);
  g_ptr_array_unref (f->signal_events);
  g_free (f);
}

static gboolean
acted_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return f->acted;
}

static gboolean
finished_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return fb_sse_connection_get_state (f->conn) == FB_SSE_STATE_OPEN &&
         f->events->len >= f->n_wanted &&
         left_streams_closed_cb (f);
}

static gboolean
state_is_waiting_retry_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return fb_sse_connection_get_state (f->conn) == FB_SSE_STATE_WAITING_RETRY;
}

static char *
join_events (GPtrArray *events)
{
  g_ptr_array_add (events, NULL);
  g_ptr_array_set_size (events, events->len - 1);

  return g_strjoinv (" ", (char **) events->pdata);
}

static void
assert_events (Fixture    *f,
               const char *expected)
{
  g_autofree char *events = join_events (f->events);
  g_autofree char *signal_events = join_events (f->signal_events);

  g_assert_cmpstr (events, ==, expected);
  /* The signal saw what the event function saw. */
  g_assert_cmpstr (signal_events, ==, events);
}

static void
test_case (gconstpointer data)
{
  const Case *tc = data;
  Fixture *f = fixture_new (tc);
  g_auto(GStrv) wanted = g_strsplit (tc->events, " ", -1);

  if (tc->where == WHERE_NOTIFY_STATE && tc->state == FB_SSE_STATE_WAITING_NETWORK)
    fb_sse_connection_set_network_available (f->conn, FALSE);
  fb_sse_connection_start (f->conn);

  g_assert_true (fb_test_wait_until (acted_cb, f, WAIT_MS));
  if (tc->action == ACTION_STOP)
    {
      g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_STOPPED);
      /* Stopped means closed: no read left in flight on a stream that goes on. */
      g_assert_true (fb_test_wait_until (left_streams_closed_cb, f, WAIT_MS));
      fb_sse_connection_start (f->conn);
    }

  f->n_wanted = g_strv_length (wanted);
  g_assert_true (fb_test_wait_until (finished_cb, f, WAIT_MS));
  g_assert_cmpstr (f->states->str, ==, tc->states);
  assert_events (f, tc->events);
  g_assert_null (fb_sse_connection_get_last_error (f->conn));
  g_assert_cmpint (fb_sse_connection_get_retry_at (f->conn), ==, 0);

  fixture_free (f);
}

/* The watchdog is armed before OPEN is notified: moving it from there works. */
static void
test_idle_timeout_from_open (void)
{
  static const Case tc = {
    NULL, WHERE_NOTIFY_STATE, FB_SSE_STATE_OPEN, ACTION_SET_IDLE_TIMEOUT, NULL, NULL,
  };
  Fixture *f = fixture_new (&tc);
  const GError *error;

  fb_sse_connection_start (f->conn);

  /* The stream says nothing after its events: the watchdog gives up on it. */
  g_assert_true (fb_test_wait_until (state_is_waiting_retry_cb, f, WAIT_MS));
  g_assert_cmpstr (f->states->str, ==, "connecting open waiting-retry");
  error = fb_sse_connection_get_last_error (f->conn);
  g_assert_error ((GError *) error, FB_SSE_ERROR, FB_SSE_ERROR_IDLE);
  assert_events (f, "a1 a2 a3");

  fb_sse_connection_stop (f->conn);
  fixture_free (f);
}

#define NOTIFY(state_name, STATE, action_name, ACTION, states, events) \
  { "/sse/reentrancy/notify/" state_name "/" action_name, \
    WHERE_NOTIFY_STATE, FB_SSE_STATE_##STATE, ACTION_##ACTION, states, events }
#define IN_EVENT(where_name, WHERE, action_name, ACTION, states, events) \
  { "/sse/reentrancy/" where_name "/" action_name, \
    WHERE_##WHERE, FB_SSE_STATE_OPEN, ACTION_##ACTION, states, events }

static const Case cases[] = {
  /* The request is cancelled before it went out, or goes on (start), or is
   * replaced by another. */
  NOTIFY ("connecting", CONNECTING, "stop", STOP,
          "connecting stopped connecting open", "a1 a2 a3"),
  NOTIFY ("connecting", CONNECTING, "start", START,
          "connecting open", "a1 a2 a3"),
  NOTIFY ("connecting", CONNECTING, "reconnect-now", RECONNECT_NOW,
          "connecting open", "a1 a2 a3"),

  /* The first stream's events, written at its OPEN, are never read once
   * the stream is left: the next stream starts over from id 1. */
  NOTIFY ("open", OPEN, "stop", STOP,
          "connecting open stopped connecting open", "b1 b2 b3"),
  NOTIFY ("open", OPEN, "start", START,
          "connecting open", "a1 a2 a3"),
  NOTIFY ("open", OPEN, "reconnect-now", RECONNECT_NOW,
          "connecting open connecting open", "b1 b2 b3"),

  NOTIFY ("waiting-retry", WAITING_RETRY, "stop", STOP,
          "connecting waiting-retry stopped connecting open", "a1 a2 a3"),
  NOTIFY ("waiting-retry", WAITING_RETRY, "start", START,
          "connecting waiting-retry connecting open", "a1 a2 a3"),
  NOTIFY ("waiting-retry", WAITING_RETRY, "reconnect-now", RECONNECT_NOW,
          "connecting waiting-retry connecting open", "a1 a2 a3"),

  NOTIFY ("failed", FAILED, "stop", STOP,
          "connecting failed stopped connecting open", "a1 a2 a3"),
  NOTIFY ("failed", FAILED, "start", START,
          "connecting failed connecting open", "a1 a2 a3"),
  NOTIFY ("failed", FAILED, "reconnect-now", RECONNECT_NOW,
          "connecting failed connecting open", "a1 a2 a3"),

  /* STOPPED by a 204; stopping it again changes nothing. */
  NOTIFY ("stopped", STOPPED, "stop", STOP,
          "connecting stopped connecting open", "a1 a2 a3"),
  NOTIFY ("stopped", STOPPED, "start", START,
          "connecting stopped connecting open", "a1 a2 a3"),
  NOTIFY ("stopped", STOPPED, "reconnect-now", RECONNECT_NOW,
          "connecting stopped connecting open", "a1 a2 a3"),

  /* A 500 while the network is said to be away. */
  NOTIFY ("waiting-network", WAITING_NETWORK, "stop", STOP,
          "connecting waiting-network stopped connecting open", "a1 a2 a3"),
  NOTIFY ("waiting-network", WAITING_NETWORK, "start", START,
          "connecting waiting-network connecting open", "a1 a2 a3"),
  NOTIFY ("waiting-network", WAITING_NETWORK, "reconnect-now", RECONNECT_NOW,
          "connecting waiting-network connecting open", "a1 a2 a3"),

  /* At the first of three events read in one buffer: the other two come
   * from the next stream, which resumes after the first, and never from
   * what was left of the buffer. */
  IN_EVENT ("event-func", EVENT_FUNC, "stop", STOP,
            "connecting open stopped connecting open", "a1 b2 b3"),
  IN_EVENT ("event-func", EVENT_FUNC, "start", START,
            "connecting open", "a1 a2 a3"),
  IN_EVENT ("event-func", EVENT_FUNC, "reconnect-now", RECONNECT_NOW,
            "connecting open connecting open", "a1 b2 b3"),
  IN_EVENT ("event-signal", EVENT_SIGNAL, "stop", STOP,
            "connecting open stopped connecting open", "a1 b2 b3"),
  IN_EVENT ("event-signal", EVENT_SIGNAL, "start", START,
            "connecting open", "a1 a2 a3"),
  IN_EVENT ("event-signal", EVENT_SIGNAL, "reconnect-now", RECONNECT_NOW,
            "connecting open connecting open", "a1 b2 b3"),
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], test_case);
  g_test_add_func ("/sse/reentrancy/notify/open/set-idle-timeout", test_idle_timeout_from_open);

  return g_test_run ();
}
