/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "fb-feed-manager.h"
#include "fb-enums.h"
#include "fb-feed-runner.h"
#include "fb-session.h"
#include "fb-test-utils.h"

/*
 * One feed's pipeline, FbFeedRunner, against a real SoupServer on
 * 127.0.0.1 and a manual clock for its own timers (outage notes, snooze):
 * notes come after exactly the configured time, a snooze ends on time and
 * can be cancelled, and a feed removed from the manager goes quiet at once.
 */

typedef struct
{
  FbTestSseServer *server;
  gboolean         refuse;       /* answer 503, as a server that is down */
  GSettings       *settings;
  FbFeed          *watched;
  guint            n_changed;    /* feed-changed for @watched */
  /* For the runner alone: */
  GSettings       *feed_settings;
  FbClock         *clock;
  SoupSession     *session;
  FbFeedRunner    *runner;
  GPtrArray       *notes;        /* char *: each note's title */
  GPtrArray       *messages;     /* char *: each message's title */
  const char      *script;       /* what each stream sends first, if not NULL */
} Fixture;

static void
handler (FbTestSseServer   *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         guint              index,
         gpointer           user_data)
{
  Fixture *f = user_data;

  /* The feeds are at /events alone. */
  if (g_strcmp0 (path, "/events") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (f->refuse)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      return;
    }
  fb_test_stream_printf (fb_test_sse_server_stream (server, msg, "text/event-stream"),
                         "retry: 100\n\n%s", f->script != NULL ? f->script : "");
}

static void
feed_changed_cb (FbFeedManager *manager,
                 FbFeed        *feed,
                 Fixture       *f)
{
  if (feed == f->watched)
    f->n_changed++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->server = fb_test_sse_server_new (handler, f);
  f->settings = g_settings_new (APP_ID);
  g_settings_set_strv (f->settings, "feeds", NULL);
  f->notes = g_ptr_array_new_with_free_func (g_free);
  f->messages = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->runner != NULL)
    fb_feed_runner_shutdown (f->runner);
  g_clear_object (&f->runner);
  g_clear_object (&f->session);
  g_clear_object (&f->clock);
  if (f->feed_settings != NULL)
    {
      static const char * const keys[] = {
        "url", "format", "title-template", "key-template", "ignore", "skip-first",
        "max-event-size",
      };

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        g_settings_reset (f->feed_settings, keys[i]);
    }
  g_clear_object (&f->feed_settings);
  g_clear_pointer (&f->notes, g_ptr_array_unref);
  g_clear_pointer (&f->messages, g_ptr_array_unref);
  g_settings_reset (f->settings, "unreachable-note-after");
  g_settings_set_strv (f->settings, "feeds", NULL);
  g_clear_object (&f->settings);
  g_clear_pointer (&f->server, fb_test_sse_server_free);
}

static gboolean
feed_open (gpointer user_data)
{
  return fb_feed_get_state (user_data) == FB_SSE_STATE_OPEN;
}

/* Removing a feed stops its connection; that stop is not news about a feed
 * that is gone, and nobody must hear of it. */
static void
test_remove_is_silent (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *url = fb_test_sse_server_url (f->server, "/events");
  g_autoptr(FbFeedManager) manager = fb_feed_manager_new (f->settings, NULL);
  g_autoptr(FbFeed) feed = NULL;

  g_signal_connect (manager, "feed-changed", G_CALLBACK (feed_changed_cb), f);
  feed = g_object_ref (fb_feed_manager_add_feed (manager, url, "Builds"));
  f->watched = feed;
  g_assert_true (fb_test_wait_until (feed_open, feed, 10000));
  g_assert_cmpuint (f->n_changed, >, 0);

  f->n_changed = 0;
  fb_feed_manager_remove_feed (manager, fb_feed_get_id (feed));
  fb_test_flush_main_context ();

  g_assert_null (fb_feed_manager_lookup (manager, fb_feed_get_id (feed)));
  g_assert_cmpuint (f->n_changed, ==, 0);
  fb_feed_manager_shutdown (manager);
}

/* --- the runner alone ----------------------------------------------------- */

static void
note_cb (FbFeedRunner *runner,
         FbMessage    *note,
         Fixture      *f)
{
  g_ptr_array_add (f->notes, g_strdup (fb_message_get_title (note)));
}

static void runner_new_with_format (Fixture    *f,
                                    const char *path,
                                    const char *format);

static void
message_cb (FbFeedRunner *runner,
            FbMessage    *message,
            gboolean      catch_up,
            Fixture      *f)
{
  g_ptr_array_add (f->messages, g_strdup (fb_message_get_title (message)));
}

/* A runner for feed "t1" at @path on the test server ("" for none). */
static void
runner_new (Fixture    *f,
            const char *path)
{
  runner_new_with_format (f, path, NULL);
}

static void
runner_new_with_format (Fixture    *f,
                        const char *path,
                        const char *format)
{
  g_autofree char *url = path[0] ? fb_test_sse_server_url (f->server, path) : g_strdup ("");

  f->feed_settings = g_settings_new_with_path (FB_FEED_SCHEMA_ID, FB_FEED_SETTINGS_PATH "t1/");
  g_settings_set_string (f->feed_settings, "url", url);
  g_settings_set_string (f->feed_settings, "name", "Builds");
  if (format != NULL)
    g_settings_set_string (f->feed_settings, "format", format);
  f->clock = fb_clock_new_manual (G_GINT64_CONSTANT (1000) * G_USEC_PER_SEC,
                                  G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC);
  f->session = fb_session_new (NULL, NULL);
  f->runner = fb_feed_runner_new ("t1", f->feed_settings, f->settings, f->session, f->clock, NULL);
  g_signal_connect (f->runner, "note", G_CALLBACK (note_cb), f);
  g_signal_connect (f->runner, "message", G_CALLBACK (message_cb), f);
  fb_feed_runner_restart (f->runner);
}

static gboolean
has_messages (gpointer user_data)
{
  Fixture *f = user_data;

  return f->messages->len > 0;
}

static gboolean
has_three_messages (gpointer user_data)
{
  Fixture *f = user_data;

  return f->messages->len >= 3;
}

static gboolean
runner_in_state (gpointer user_data)
{
  Fixture *f = user_data;
  FbSseState state = fb_feed_get_state (fb_feed_runner_get_feed (f->runner));

  return f->refuse ? state == FB_SSE_STATE_WAITING_RETRY : state == FB_SSE_STATE_OPEN;
}

/* Unreachable for exactly `unreachable-note-after` on the runner's clock:
 * one note; back: one more. Real time plays no part in when. */
static void
test_outage_notes (Fixture       *f,
                   gconstpointer  data)
{
  g_settings_set_uint (f->settings, "unreachable-note-after", 600);
  f->refuse = TRUE;
  runner_new (f, "/events");
  g_assert_true (fb_test_wait_until (runner_in_state, f, 10000));

  fb_clock_advance (f->clock, G_GINT64_CONSTANT (600) * G_USEC_PER_SEC - 1);
  g_assert_cmpuint (f->notes->len, ==, 0);
  fb_clock_advance (f->clock, 1);
  g_assert_cmpuint (f->notes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->notes, 0), ==, "Unreachable since 22:13");

  /* However long it stays down, that is said once. */
  fb_clock_advance (f->clock, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  g_assert_cmpuint (f->notes->len, ==, 1);

  f->refuse = FALSE;
  fb_feed_runner_reconnect_now (f->runner);
  g_assert_true (fb_test_wait_until (runner_in_state, f, 10000));
  g_assert_cmpuint (f->notes->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->notes, 1), ==, "Unreachable from 22:13 to 23:23");
}

static void
test_snooze (Fixture       *f,
             gconstpointer  data)
{
  FbFeed *feed;

  runner_new (f, "");
  feed = fb_feed_runner_get_feed (f->runner);
  g_assert_cmpuint (fb_clock_get_n_timeouts (f->clock), ==, 0);

  /* Ends on time. */
  fb_feed_runner_snooze (f->runner, 60);
  g_assert_cmpint (fb_feed_get_snoozed_until (feed), ==, fb_clock_get_real (f->clock) + 60 * G_USEC_PER_SEC);
  fb_clock_advance (f->clock, 60 * G_USEC_PER_SEC - 1);
  g_assert_cmpint (fb_feed_get_snoozed_until (feed), !=, 0);
  fb_clock_advance (f->clock, 1);
  g_assert_cmpint (fb_feed_get_snoozed_until (feed), ==, 0);
  g_assert_cmpuint (fb_clock_get_n_timeouts (f->clock), ==, 0);

  /* Snoozed again, a second snooze replaces the first's timer. */
  fb_feed_runner_snooze (f->runner, 60);
  fb_feed_runner_snooze (f->runner, 120);
  g_assert_cmpuint (fb_clock_get_n_timeouts (f->clock), ==, 1);
  fb_clock_advance (f->clock, 61 * G_USEC_PER_SEC);
  g_assert_cmpint (fb_feed_get_snoozed_until (feed), !=, 0);

  /* Ended early: its timer goes too. */
  fb_feed_runner_end_snooze (f->runner);
  g_assert_cmpint (fb_feed_get_snoozed_until (feed), ==, 0);
  g_assert_cmpuint (fb_clock_get_n_timeouts (f->clock), ==, 0);

  /* A runner shut down (its feed removed) leaves no timer behind. */
  fb_feed_runner_snooze (f->runner, 60);
  fb_feed_runner_shutdown (f->runner);
  g_assert_cmpuint (fb_clock_get_n_timeouts (f->clock), ==, 0);
}


/* --- reading ------------------------------------------------------------- */

typedef struct
{
  Fixture    *f;
  const char *needle;
} StatusWait;

static gboolean
status_contains (gpointer user_data)
{
  StatusWait *wait = user_data;
  g_autofree char *status = fb_feed_dup_status_text (fb_feed_runner_get_feed (wait->f->runner));

  return strstr (status, wait->needle) != NULL;
}

static gboolean
n_requests_is_2 (gpointer user_data)
{
  Fixture *f = user_data;

  return fb_test_sse_server_get_requests (f->server)->len >= 2;
}

#define CANARY_ID "[{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"timestamp\":1714557600001}]"

/* A canary is ignored, counted for the status, and still moves the resume
 * position: the next connection sends its id back byte for byte. */
static void
test_ignored_moves_resume (Fixture       *f,
                           gconstpointer  data)
{
  StatusWait ignored = { f, "1 event ignored today" };
  FbTestRequest *second;

  f->script = "id: " CANARY_ID "\n"
              "data: {\"meta\":{\"domain\":\"canary\",\"stream\":\"mediawiki.recentchange\"},"
              "\"title\":\"Canary\",\"type\":\"edit\"}\n\n";
  runner_new_with_format (f, "/events", "wikimedia");
  g_assert_true (fb_test_wait_until (status_contains, &ignored, 10000));
  g_assert_cmpuint (f->messages->len, ==, 0);

  /* A new connection, which knows only what the event log says. */
  f->script = NULL;
  fb_feed_runner_restart (f->runner);
  g_assert_true (fb_test_wait_until (n_requests_is_2, f, 10000));
  second = fb_test_sse_server_get_request (f->server, 1);
  g_assert_cmpstr (fb_test_request_header (second, "Last-Event-ID"), ==, CANARY_ID);

  /* The clock says 22:13 UTC: past midnight the count starts again. */
  g_assert_true (fb_test_wait_until (status_contains, &ignored, 10000));
  fb_clock_advance (f->clock, G_GINT64_CONSTANT (6400) * G_USEC_PER_SEC);
  g_assert_true (status_contains (&ignored));
  fb_clock_advance (f->clock, G_GINT64_CONSTANT (1200) * G_USEC_PER_SEC);
  g_assert_false (status_contains (&ignored));
}

static gboolean
feed_failed (gpointer user_data)
{
  Fixture *f = user_data;

  return fb_feed_get_state (fb_feed_runner_get_feed (f->runner)) == FB_SSE_STATE_FAILED;
}

/* Firebase's cancel ends the stream: the feed fails with words a person
 * can act on, and nothing is shown. */
static void
test_firebase_cancel (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *status = NULL;

  f->script = "event: put\ndata: {\"path\":\"/\",\"data\":{\"a\":1}}\n\n"
              "event: cancel\ndata: \"Permission denied\"\n\n";
  runner_new_with_format (f, "/events", "firebase");
  g_assert_true (fb_test_wait_until (feed_failed, f, 10000));

  status = fb_feed_dup_status_text (fb_feed_runner_get_feed (f->runner));
  g_assert_nonnull (strstr (status, "security rules"));
  g_assert_cmpuint (f->messages->len, ==, 0);
}

/* A template stored by hand that does not parse: the status says why,
 * and events are read as generic JSON meanwhile, never shown raw. */
static void
test_broken_custom_template (Fixture       *f,
                             gconstpointer  data)
{
  StatusWait broken = { f, "title-template: Column 4" };

  f->script = "data: {\"title\":\"Disk full\"}\n\n";
  f->feed_settings = g_settings_new_with_path (FB_FEED_SCHEMA_ID, FB_FEED_SETTINGS_PATH "t1/");
  g_settings_set_string (f->feed_settings, "title-template", "{{ | }}");
  g_clear_object (&f->feed_settings);
  runner_new_with_format (f, "/events", "custom");
  g_assert_true (fb_test_wait_until (status_contains, &broken, 10000));
  g_assert_true (fb_test_wait_until (has_messages, f, 10000));
  g_assert_cmpstr (g_ptr_array_index (f->messages, 0), ==, "Disk full");
}

/* A message key drops a repeat that comes with another SSE id. */
static void
test_message_key (Fixture       *f,
                  gconstpointer  data)
{
  f->script = "id: 1\ndata: {\"k\":\"a\",\"t\":\"first\"}\n\n"
              "id: 2\ndata: {\"k\":\"a\",\"t\":\"again\"}\n\n"
              "id: 3\ndata: {\"k\":\"b\",\"t\":\"second\"}\n\n"
              /* An SSE id equal to an earlier key is another event. */
              "id: a\ndata: {\"k\":\"c\",\"t\":\"third\"}\n\n";
  f->feed_settings = g_settings_new_with_path (FB_FEED_SCHEMA_ID, FB_FEED_SETTINGS_PATH "t1/");
  g_settings_set_string (f->feed_settings, "title-template", "{{ .t }}");
  g_settings_set_string (f->feed_settings, "key-template", "{{ .k }}");
  g_clear_object (&f->feed_settings);
  runner_new_with_format (f, "/events", "custom");
  g_assert_true (fb_test_wait_until (has_three_messages, f, 10000));
  /* In order, and the repeat was dropped before the others arrived. */
  g_assert_cmpuint (f->messages->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (f->messages, 0), ==, "first");
  g_assert_cmpstr (g_ptr_array_index (f->messages, 1), ==, "second");
  g_assert_cmpstr (g_ptr_array_index (f->messages, 2), ==, "third");
}

static gboolean
max_event_size_is (gpointer user_data)
{
  Fixture *f = user_data;
  FbSseConnection *connection = fb_feed_get_connection (fb_feed_runner_get_feed (f->runner));

  return connection != NULL && fb_sse_connection_get_max_event_size (connection) == 4096;
}

/* The feed's max-event-size bounds its events, and follows the setting. */
static void
test_max_event_size (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *big = g_strnfill (3000, 'x');
  g_autofree char *script = g_strdup_printf ("data: %s\n\ndata: ok\n\n", big);
  FbSseConnection *connection;

  f->script = script;
  f->feed_settings = g_settings_new_with_path (FB_FEED_SCHEMA_ID, FB_FEED_SETTINGS_PATH "t1/");
  g_assert_cmpuint (g_settings_get_uint (f->feed_settings, "max-event-size"), ==, 1024 * 1024);
  g_settings_set_uint (f->feed_settings, "max-event-size", 2048);
  g_clear_object (&f->feed_settings);
  runner_new_with_format (f, "/events", "plain");

  g_assert_true (fb_test_wait_until (has_messages, f, 10000));
  connection = fb_feed_get_connection (fb_feed_runner_get_feed (f->runner));
  g_assert_cmpuint (fb_sse_connection_get_max_event_size (connection), ==, 2048);
  g_assert_cmpuint (fb_sse_connection_get_n_dropped (connection), ==, 1);
  g_assert_cmpuint (f->messages->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->messages, 0), ==, "ok");

  g_settings_set_uint (f->feed_settings, "max-event-size", 4096);
  g_assert_true (fb_test_wait_until (max_event_size_is, f, 10000));
}

/* FbAuth and the settings schema's enum are one definition. */
static void
test_auth_matches_schema (void)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) key = NULL;
  g_autoptr(GVariant) range = NULL;
  g_autoptr(GVariant) nicks = NULL;
  g_autoptr(GEnumClass) klass = g_type_class_ref (FB_TYPE_AUTH);
  g_autoptr(GSettings) settings = g_settings_new_with_path (FB_FEED_SCHEMA_ID, FB_FEED_SETTINGS_PATH "a/");

  g_object_get (settings, "settings-schema", &schema, NULL);
  key = g_settings_schema_get_key (schema, "auth");
  range = g_settings_schema_key_get_range (key);
  g_variant_get (range, "(&sv)", NULL, &nicks);
  g_assert_cmpuint (g_variant_n_children (nicks), ==, klass->n_values);

  for (guint i = 0; i < klass->n_values; i++)
    {
      const char *nick = klass->values[i].value_nick;

      g_settings_set_string (settings, "auth", nick);
      g_assert_cmpint (g_settings_get_enum (settings, "auth"), ==, klass->values[i].value);
      g_assert_cmpint (fb_auth_from_nick (nick), ==, klass->values[i].value);
    }
  g_settings_reset (settings, "auth");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *state = g_dir_make_tmp ("fb-feed-runner-XXXXXX", NULL);
  int status;

  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* The notes' times are shown in local time: make that UTC. */
  g_setenv ("TZ", "UTC", TRUE);
  /* No logind here: the manager must not wait for one. */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/feed-manager/remove-is-silent", Fixture, NULL,
              fixture_set_up, test_remove_is_silent, fixture_tear_down);
  g_test_add ("/feed-runner/outage-notes", Fixture, NULL,
              fixture_set_up, test_outage_notes, fixture_tear_down);
  g_test_add ("/feed-runner/snooze", Fixture, NULL,
              fixture_set_up, test_snooze, fixture_tear_down);
  g_test_add ("/feed-runner/ignored-moves-resume", Fixture, NULL,
              fixture_set_up, test_ignored_moves_resume, fixture_tear_down);
  g_test_add ("/feed-runner/firebase-cancel", Fixture, NULL,
              fixture_set_up, test_firebase_cancel, fixture_tear_down);
  g_test_add ("/feed-runner/broken-custom-template", Fixture, NULL,
              fixture_set_up, test_broken_custom_template, fixture_tear_down);
  g_test_add ("/feed-runner/message-key", Fixture, NULL,
              fixture_set_up, test_message_key, fixture_tear_down);
  g_test_add ("/feed-runner/max-event-size", Fixture, NULL,
              fixture_set_up, test_max_event_size, fixture_tear_down);
  g_test_add_func ("/feed-runner/auth-matches-schema", test_auth_matches_schema);

  status = g_test_run ();

  fb_test_delete_tree (state);

  return status;
}
