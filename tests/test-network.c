/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-sse-connection.h"
#include "fb-test-utils.h"

/*
 * The network monitor's hook: while the network is away a broken stream
 * waits in WAITING_NETWORK instead of burning retries, and it reconnects
 * at once when the network is back, without waiting out a backoff.
 */

typedef struct
{
  FbTestSseServer *server;
  FbSseConnection *connection;
} Fixture;

static void
handler (FbTestSseServer   *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         guint              index,
         gpointer           user_data)
{
  FbTestStream *stream = fb_test_sse_server_stream (server, msg, "text/event-stream");

  /* A long retry: only the network coming back can explain a quick reconnect. */
  fb_test_stream_printf (stream, "retry: 60000\nid: %u\ndata: hello\n\n", index + 1);
}

static guint
n_requests (Fixture *f)
{
  return fb_test_sse_server_get_requests (f->server)->len;
}

static gboolean
state_is (gpointer user_data)
{
  Fixture *f = ((gpointer *) user_data)[0];
  FbSseState state = GPOINTER_TO_INT (((gpointer *) user_data)[1]);

  return fb_sse_connection_get_state (f->connection) == state;
}

/* A deadline only for a test that hangs: a loaded machine may be slow. */
static void
wait_state (Fixture    *f,
            FbSseState  state)
{
  gpointer data[2] = { f, GINT_TO_POINTER (state) };

  g_assert_true (fb_test_wait_until (state_is, data, 30000));
}

static void
count_cb (guint *n)
{
  (*n)++;
}

static void
test_waits_for_network (void)
{
  Fixture f = { 0 };
  g_autofree char *url = NULL;
  gint64 back;
  guint n_states = 0;

  f.server = fb_test_sse_server_new (handler, &f);
  url = fb_test_sse_server_url (f.server, "/events");

  f.connection = fb_sse_connection_new (url);
  g_signal_connect_swapped (f.connection, "notify::state", G_CALLBACK (count_cb), &n_states);
  fb_sse_connection_start (f.connection);
  wait_state (&f, FB_SSE_STATE_OPEN);
  g_assert_cmpuint (n_requests (&f), ==, 1);

  /* The network goes: an open stream is left to its watchdog... */
  fb_sse_connection_set_network_available (f.connection, FALSE);
  g_assert_cmpint (fb_sse_connection_get_state (f.connection), ==, FB_SSE_STATE_OPEN);

  /* ...but once it breaks, it waits for the network, not for a retry. */
  fb_test_sse_server_end_streams (f.server);
  wait_state (&f, FB_SSE_STATE_WAITING_NETWORK);
  g_assert_cmpint (fb_sse_connection_get_retry_at (f.connection), ==, 0);

  /* Nothing is tried while it waits: no retry is scheduled, and whatever
   * is ready to run changes nothing. */
  fb_test_flush_main_context ();
  g_assert_cmpuint (n_requests (&f), ==, 1);
  g_assert_cmpint (fb_sse_connection_get_state (f.connection), ==, FB_SSE_STATE_WAITING_NETWORK);
  g_assert_cmpint (fb_sse_connection_get_retry_at (f.connection), ==, 0);

  /* Back: at once, despite the server's 60 s retry: CONNECTING straight
   * from WAITING_NETWORK, with no WAITING_RETRY between. */
  back = g_get_monotonic_time ();
  n_states = 0;
  fb_sse_connection_set_network_available (f.connection, TRUE);
  g_assert_cmpint (fb_sse_connection_get_state (f.connection), ==, FB_SSE_STATE_CONNECTING);
  g_assert_cmpint (fb_sse_connection_get_retry_at (f.connection), ==, 0);
  g_assert_cmpuint (n_states, ==, 1);
  wait_state (&f, FB_SSE_STATE_OPEN);
  g_assert_cmpuint (n_states, ==, 2);
  g_assert_cmpuint (n_requests (&f), ==, 2);
  g_test_message ("network back → stream open again: %.1f ms",
                  (g_get_monotonic_time () - back) / 1000.0);

  /* Going away while a retry is scheduled turns the wait into a network wait. */
  fb_test_sse_server_end_streams (f.server);
  wait_state (&f, FB_SSE_STATE_WAITING_RETRY);
  fb_sse_connection_set_network_available (f.connection, FALSE);
  g_assert_cmpint (fb_sse_connection_get_state (f.connection), ==, FB_SSE_STATE_WAITING_NETWORK);

  fb_sse_connection_stop (f.connection);
  g_clear_object (&f.connection);
  g_clear_pointer (&f.server, fb_test_sse_server_free);
}

static void
test_loopback (void)
{
  g_autoptr(FbSseConnection) local = fb_sse_connection_new ("http://127.0.0.1:1/events");
  g_autoptr(FbSseConnection) local6 = fb_sse_connection_new ("http://[::1]:1/events");
  g_autoptr(FbSseConnection) name = fb_sse_connection_new ("http://localhost/events");
  g_autoptr(FbSseConnection) remote = fb_sse_connection_new ("https://ntfy.sh/mytopic/sse");

  g_assert_true (fb_sse_connection_is_loopback (local));
  g_assert_true (fb_sse_connection_is_loopback (local6));
  g_assert_true (fb_sse_connection_is_loopback (name));
  g_assert_false (fb_sse_connection_is_loopback (remote));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/network/waits-for-network", test_waits_for_network);
  g_test_add_func ("/network/loopback", test_loopback);

  return g_test_run ();
}
