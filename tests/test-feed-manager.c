/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "fb-feed-manager.h"
#include "fb-sse-connection.h"
#include "fb-test-utils.h"

/*
 * The feed manager's promises across reconnects, replays, restarts and
 * resume from sleep, against a real SoupServer on 127.0.0.1 that acts either
 * like a plain SSE server (ids, Last-Event-ID) or like ntfy (no SSE ids,
 * JSON ids, resumes only with since=), and a private "system bus" on which
 * the test plays logind.
 *
 * The manager runs on the system's clock, and a loaded machine can stall
 * this process for seconds: deadlines (WAIT_MS) only stop a test that
 * hangs, and no assertion depends on how fast anything happened.
 */

#define WAIT_MS  60000

typedef enum
{
  MODE_SSE,
  MODE_NTFY,
} Mode;

typedef struct
{
  FbTestSseServer *server;
  Mode             mode;
  gboolean         replay_last;   /* resend the last event the client saw, like some servers */
  gboolean         refuse;        /* answer 503, as a server that is down behind a proxy */
  GPtrArray       *requests;      /* FbTestRequest, the server's */
  GPtrArray       *streams;       /* FbTestStream, the server's */
  guint            n_events;      /* events 1..n_events exist */
  GSettings       *settings;
  GPtrArray       *received;      /* char *, message ids in arrival order */
  GArray          *catch_up;      /* gboolean per received message */
  GPtrArray       *notes;         /* FbMessage, the manager's notes for Recent */
  GArray          *notes_after;   /* guint per note: how many messages came before it */
} Fixture;

static char *
event_wire (Fixture *f,
            guint    n)
{
  if (f->mode == MODE_NTFY)
    return g_strdup_printf ("event: message\ndata: {\"id\":\"m%u\",\"time\":%u,\"event\":\"message\","
                            "\"topic\":\"t\",\"message\":\"event %u\"}\n\n", n, 1700000000 + n, n);

  return g_strdup_printf ("id: %u\ndata: event %u\n\n", n, n);
}

static guint
resume_point (Fixture       *f,
              FbTestRequest *request,
              GHashTable    *query)
{
  const char *after = NULL;
  guint64 n = 0;

  if (f->mode == MODE_NTFY)
    {
      after = query ? g_hash_table_lookup (query, "since") : NULL;
      if (after != NULL && after[0] == 'm')
        after++;
    }
  else
    after = fb_test_request_header (request, "Last-Event-ID");

  if (after == NULL || !g_ascii_string_to_unsigned (after, 10, 0, G_MAXUINT, &n, NULL))
    return 0;

  return n;
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
  FbTestRequest *request = fb_test_sse_server_get_request (server, index);
  FbTestStream *stream;
  guint from;

  if (f->refuse)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      return;
    }
  from = resume_point (f, request, query);
  if (f->replay_last && from > 0)
    from--;

  stream = fb_test_sse_server_stream (server, msg, "text/event-stream");
  if (f->mode == MODE_NTFY)
    fb_test_stream_printf (stream, "event: open\ndata: {\"id\":\"o%u\",\"event\":\"open\",\"topic\":\"t\"}\n\n",
                           f->requests->len);
  else
    fb_test_stream_printf (stream, "retry: 100\n\n");

  for (guint n = from + 1; n <= f->n_events; n++)
    {
      g_autofree char *wire = event_wire (f, n);

      fb_test_stream_write (stream, wire, -1);
    }
}

/* A new event, to every open stream. */
static void
publish (Fixture *f)
{
  g_autofree char *wire = event_wire (f, ++f->n_events);

  for (guint i = 0; i < f->streams->len; i++)
    if (!fb_test_stream_is_done (g_ptr_array_index (f->streams, i)))
      fb_test_stream_write (g_ptr_array_index (f->streams, i), wire, -1);
}

static void
close_streams (Fixture *f)
{
  fb_test_sse_server_end_streams (f->server);
}

static void
message_cb (FbFeedManager *manager,
            FbFeed        *feed,
            FbMessage     *message,
            gboolean       catch_up,
            Fixture       *f)
{
  g_ptr_array_add (f->received, g_strdup (fb_message_get_id (message)));
  g_array_append_val (f->catch_up, catch_up);
}

static void
note_cb (FbFeedManager *manager,
         FbFeed        *feed,
         FbMessage     *note,
         Fixture       *f)
{
  g_ptr_array_add (f->notes, g_object_ref (note));
  g_array_append_val (f->notes_after, f->received->len);
}

static FbFeedManager *
manager_new (Fixture *f)
{
  FbFeedManager *manager = fb_feed_manager_new (f->settings, NULL);

  g_signal_connect (manager, "message", G_CALLBACK (message_cb), f);
  g_signal_connect (manager, "note", G_CALLBACK (note_cb), f);
  return manager;
}

static void
manager_free (FbFeedManager *manager)
{
  fb_feed_manager_shutdown (manager);
  g_object_unref (manager);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->mode = GPOINTER_TO_INT (data);
  f->received = g_ptr_array_new_with_free_func (g_free);
  f->catch_up = g_array_new (FALSE, FALSE, sizeof (gboolean));
  f->notes = g_ptr_array_new_with_free_func (g_object_unref);
  f->notes_after = g_array_new (FALSE, FALSE, sizeof (guint));
  f->server = fb_test_sse_server_new (handler, f);
  f->requests = fb_test_sse_server_get_requests (f->server);
  f->streams = fb_test_sse_server_get_streams (f->server);
  f->settings = g_settings_new (APP_ID);
  g_settings_set_strv (f->settings, "feeds", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_settings_set_strv (f->settings, "feeds", NULL);
  g_clear_object (&f->settings);
  g_clear_pointer (&f->server, fb_test_sse_server_free);
  g_clear_pointer (&f->received, g_ptr_array_unref);
  g_clear_pointer (&f->catch_up, g_array_unref);
  g_clear_pointer (&f->notes, g_ptr_array_unref);
  g_clear_pointer (&f->notes_after, g_array_unref);
}

typedef struct
{
  Fixture *f;
  guint    n;
} Count;

static gboolean
received_at_least (gpointer user_data)
{
  Count *c = user_data;

  return c->f->received->len >= c->n;
}

static gboolean
requests_at_least (gpointer user_data)
{
  Count *c = user_data;

  return c->f->requests->len >= c->n;
}

static void
wait_received (Fixture *f,
               guint    n)
{
  Count c = { f, n };

  g_assert_true (fb_test_wait_until (received_at_least, &c, WAIT_MS));
}

static void
wait_requests (Fixture *f,
               guint    n)
{
  Count c = { f, n };

  g_assert_true (fb_test_wait_until (requests_at_least, &c, WAIT_MS));
}

/* The messages received are exactly @prefix1..@last, once each, in order. */
static void
assert_received (Fixture    *f,
                 const char *prefix,
                 guint       last)
{
  g_assert_cmpuint (f->received->len, ==, last);
  for (guint i = 0; i < last; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%s%u", prefix, i + 1);

      g_assert_cmpstr (g_ptr_array_index (f->received, i), ==, expected);
    }
}

static FbTestRequest *
last_request (Fixture *f)
{
  return g_ptr_array_index (f->requests, f->requests->len - 1);
}

static void
test_replay_dropped (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *url = fb_test_sse_server_url (f->server, "/events");
  FbFeedManager *manager;

  f->replay_last = TRUE;
  f->n_events = 3;
  manager = manager_new (f);
  fb_feed_manager_add_feed (manager, url, "Builds");
  wait_received (f, 3);

  close_streams (f);
  wait_requests (f, 2);
  g_assert_cmpstr (fb_test_request_header (last_request (f), "Last-Event-ID"), ==, "3");
  publish (f);
  wait_received (f, 4);

  /* The server sent 3 again: it was dropped, 4 is next. */
  fb_test_flush_main_context ();
  assert_received (f, "", 4);
  manager_free (manager);
}

static void
test_resume_after_restart (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *url = fb_test_sse_server_url (f->server, "/events");
  const char *prefix = f->mode == MODE_NTFY ? "m" : "";
  FbFeedManager *manager;

  f->n_events = 3;
  manager = manager_new (f);
  fb_feed_manager_add_feed (manager, url, "Builds");
  wait_received (f, 3);
  /* Quitting saves where the feed is, whatever the debounce. */
  manager_free (manager);

  f->n_events = 5;   /* published while we were not running */
  manager = manager_new (f);
  wait_requests (f, 2);
  if (f->mode == MODE_NTFY)
    g_assert_null (fb_test_request_header (last_request (f), "Last-Event-ID"));
  else
    g_assert_cmpstr (fb_test_request_header (last_request (f), "Last-Event-ID"), ==, "3");

  wait_received (f, 5);
  fb_test_flush_main_context ();
  assert_received (f, prefix, 5);

  /* What was missed while away is a backlog, summed up by the notifier. */
  g_assert_false (g_array_index (f->catch_up, gboolean, 0));
  g_assert_true (g_array_index (f->catch_up, gboolean, 3));
  g_assert_true (g_array_index (f->catch_up, gboolean, 4));
  manager_free (manager);
}

static gboolean
notes_at_least (gpointer user_data)
{
  Count *c = user_data;

  return c->f->notes->len >= c->n;
}

static FbMessage *
wait_note (Fixture *f,
           guint    n)
{
  Count c = { f, n };

  g_assert_true (fb_test_wait_until (notes_at_least, &c, WAIT_MS));
  return g_ptr_array_index (f->notes, n - 1);
}

static gboolean
waiting_network (gpointer user_data)
{
  return fb_sse_connection_get_state (user_data) == FB_SSE_STATE_WAITING_NETWORK;
}

/* A feed unreachable for longer than unreachable-note-after says so in
 * Recent, and again when it is back; a short drop says nothing.
 *
 * The note's delay is read when an outage begins. Where an outage must not
 * be noted (a drop that heals, a reconnect after the network is back), it
 * is a minute, so that a slow reconnect on a loaded machine is not taken
 * for an outage; where one must be, a second. */
#define NOTE_NEVER_S  60
#define NOTE_SOON_S   1
static void
test_outage_note (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *url = fb_test_sse_server_url (f->server, "/events");
  FbFeedManager *manager;
  FbMessage *down, *up;
  FbFeed *feed;
  FbSseConnection *connection;
  guint requests;

  g_settings_set_uint (f->settings, "unreachable-note-after", NOTE_NEVER_S);
  f->n_events = 3;
  manager = manager_new (f);
  feed = fb_feed_manager_add_feed (manager, url, "Builds");
  wait_received (f, 3);

  /* A drop that heals (after the server's retry: of 100 ms) is no outage. */
  close_streams (f);
  publish (f);
  wait_received (f, 4);
  g_assert_cmpuint (f->notes->len, ==, 0);

  /* Down: refused with 503 from now on. */
  g_settings_set_uint (f->settings, "unreachable-note-after", NOTE_SOON_S);
  f->refuse = TRUE;
  requests = f->requests->len;
  close_streams (f);
  wait_requests (f, requests + 1);
  down = wait_note (f, 1);
  g_assert_cmpstr (fb_message_get_feed_name (down), ==, "Builds");
  g_assert_true (g_str_has_prefix (fb_message_get_title (down), "Unreachable since "));
  g_assert_nonnull (strstr (fb_message_get_body (down), "Feedbell keeps trying."));
  /* Why, in the connection's words: the close, or the 503 after it. */
  g_test_message ("down: %s — %s", fb_message_get_title (down), fb_message_get_body (down));
  g_assert_nonnull (strstr (fb_message_get_body (down), "The last attempt failed: The server "));
  g_assert_cmpint (fb_message_get_urgency (down), ==, FB_URGENCY_LOW);

  /* Back, with what was published meanwhile. */
  publish (f);
  f->refuse = FALSE;
  up = wait_note (f, 2);
  g_assert_true (g_str_has_prefix (fb_message_get_title (up), "Unreachable from "));
  g_assert_nonnull (strstr (fb_message_get_body (up), "Reachable again"));
  g_assert_nonnull (strstr (fb_message_get_body (up), "come next"));
  wait_received (f, 5);
  fb_test_flush_main_context ();
  assert_received (f, "", 5);

  /* Both notes before the message they are about, and no others. */
  g_assert_cmpuint (f->notes->len, ==, 2);
  g_assert_cmpuint (g_array_index (f->notes_after, guint, 0), ==, 4);
  g_assert_cmpuint (g_array_index (f->notes_after, guint, 1), ==, 4);

  /* Offline is the machine's doing, not the feed's: WAITING_NETWORK past
   * the note's delay says nothing. A note timer armed on the way there
   * would have been due by then, and timers run in due order. */
  connection = fb_feed_get_connection (feed);
  fb_sse_connection_set_network_available (connection, FALSE);
  requests = f->requests->len;
  close_streams (f);
  g_assert_true (fb_test_wait_until (waiting_network, connection, WAIT_MS));
  fb_test_run_until (g_get_monotonic_time () + NOTE_SOON_S * G_USEC_PER_SEC + G_USEC_PER_SEC / 2);
  g_assert_cmpuint (f->notes->len, ==, 2);
  g_assert_cmpint (fb_sse_connection_get_state (connection), ==, FB_SSE_STATE_WAITING_NETWORK);
  /* ...and back says nothing either. */
  g_settings_set_uint (f->settings, "unreachable-note-after", NOTE_NEVER_S);
  fb_sse_connection_set_network_available (connection, TRUE);
  wait_requests (f, requests + 1);
  publish (f);
  wait_received (f, 6);
  g_assert_cmpuint (f->notes->len, ==, 2);
  manager_free (manager);
  g_settings_reset (f->settings, "unreachable-note-after");
}

static gboolean
query_has_since (gpointer user_data)
{
  Fixture *f = user_data;

  return f->requests->len >= 2;
}

static void
test_ntfy_since (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *url = fb_test_sse_server_url (f->server, "/events?poll=0");
  FbFeedManager *manager;

  f->n_events = 3;
  manager = manager_new (f);
  fb_feed_manager_add_feed (manager, url, "ntfy");
  wait_received (f, 3);

  close_streams (f);
  g_assert_true (fb_test_wait_until (query_has_since, f, WAIT_MS));
  publish (f);
  wait_received (f, 4);
  fb_test_flush_main_context ();

  /* ntfy ignores Last-Event-ID: since= carries the JSON id of the last message,
   * and the feed's own query is kept. */
  assert_received (f, "m", 4);
  g_assert_true (g_str_has_suffix (url, "?poll=0"));
  manager_free (manager);
}

static void
query_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  GPtrArray *queries = user_data;

  g_ptr_array_add (queries, query ? g_strdup (g_hash_table_lookup (query, "since")) : NULL);
}

/* The query each request carried, seen from a second handler on the same server. */
static void
test_ntfy_since_query (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) queries = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *url = fb_test_sse_server_url (f->server, "/events?poll=0");
  FbFeedManager *manager;

  soup_server_add_early_handler (fb_test_sse_server_get_soup (f->server), NULL, query_cb, queries, NULL);
  f->n_events = 2;
  manager = manager_new (f);
  fb_feed_manager_add_feed (manager, url, "ntfy");
  wait_received (f, 2);
  close_streams (f);
  wait_requests (f, 2);

  g_assert_cmpuint (queries->len, >=, 2);
  g_assert_null (g_ptr_array_index (queries, 0));
  g_assert_cmpstr (g_ptr_array_index (queries, queries->len - 1), ==, "m2");
  manager_free (manager);
}

/* --- resume from sleep, with the test as logind on a private system bus --- */

static GDBusConnection *logind;

static void
emit_prepare_for_sleep (gboolean sleeping)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1",
                                 "org.freedesktop.login1.Manager", "PrepareForSleep",
                                 g_variant_new ("(b)", sleeping), &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (logind, NULL, NULL);
}

typedef struct
{
  Fixture *f;
  guint    before;
  gint64   next_emit;
} Wake;

/* The manager subscribes asynchronously: signal again until it is heard. */
static gboolean
woke_up (gpointer user_data)
{
  Wake *w = user_data;

  if (w->f->requests->len > w->before)
    return TRUE;
  if (g_get_monotonic_time () >= w->next_emit)
    {
      emit_prepare_for_sleep (FALSE);
      w->next_emit = g_get_monotonic_time () + 200 * 1000;
    }
  return FALSE;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
test_resume_from_sleep (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *url = fb_test_sse_server_url (f->server, "/events");
  FbFeedManager *manager;
  Wake w = { f, 0, 0 };
  gint64 resumed_at;
  guint tick;

  if (logind == NULL)
    {
      g_test_skip ("no private system bus (dbus-daemon missing)");
      return;
    }

  f->n_events = 1;
  manager = manager_new (f);
  fb_feed_manager_add_feed (manager, url, "Builds");
  wait_received (f, 1);

  /* Asleep: the server published, but the stream looks open and says nothing. */
  emit_prepare_for_sleep (TRUE);
  f->n_events = 2;

  w.before = f->requests->len;
  resumed_at = g_get_monotonic_time ();
  tick = g_timeout_add (50, tick_cb, NULL);
  g_assert_true (fb_test_wait_until (woke_up, &w, WAIT_MS));
  wait_received (f, 2);
  g_source_remove (tick);

  g_test_message ("resume → first missed event delivered: %.1f ms",
                  (g_get_monotonic_time () - resumed_at) / 1000.0);
  fb_test_flush_main_context ();
  assert_received (f, "", 2);
  manager_free (manager);
}

/* The bus dies with the test, however the test ends: a daemon left behind
 * would hold the test's stderr open and keep meson waiting. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
start_system_bus (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *address = NULL;
  GSubprocess *daemon;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  daemon = g_subprocess_launcher_spawn (launcher, &error,
                                        "dbus-daemon", "--session", "--nofork", "--print-address=1", NULL);
  if (daemon == NULL)
    return NULL;

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon));
  address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (address == NULL)
    return daemon;

  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  logind = g_dbus_connection_new_for_address_sync (address,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_call_sync (logind, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "RequestName",
                               g_variant_new ("(su)", "org.freedesktop.login1", 0),
                               NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  return daemon;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSubprocess) system_bus = NULL;
  g_autofree char *state = NULL;
  int status;

  state = g_dir_make_tmp ("fb-feed-manager-XXXXXX", NULL);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  g_test_init (&argc, &argv, NULL);
  system_bus = start_system_bus ();

#define ADD(path, mode, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (mode), fixture_set_up, func, fixture_tear_down)
  ADD ("/feed-manager/sse/replay-dropped", MODE_SSE, test_replay_dropped);
  ADD ("/feed-manager/sse/resume-after-restart", MODE_SSE, test_resume_after_restart);
  ADD ("/feed-manager/ntfy/resume-after-restart", MODE_NTFY, test_resume_after_restart);
  ADD ("/feed-manager/ntfy/since", MODE_NTFY, test_ntfy_since);
  ADD ("/feed-manager/ntfy/since-query", MODE_NTFY, test_ntfy_since_query);
  ADD ("/feed-manager/sse/resume-from-sleep", MODE_SSE, test_resume_from_sleep);
  ADD ("/feed-manager/sse/outage-note", MODE_SSE, test_outage_note);
#undef ADD

  status = g_test_run ();

  g_clear_object (&logind);
  if (system_bus != NULL)
    g_subprocess_force_exit (system_bus);
  fb_test_delete_tree (state);

  return status;
}
