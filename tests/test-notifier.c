/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fb-notifier.h"

/*
 * The notifier's policy, on a manual clock and a display that records what
 * it is asked to show: coalescing (threshold and window), the summary's
 * rate limit, pause and the summary after it, snooze, mute, and the
 * backlog replayed after a resume.
 */

/* --- a display that records ---------------------------------------------- */

#define TEST_TYPE_DISPLAY (test_display_get_type ())
G_DECLARE_FINAL_TYPE (TestDisplay, test_display, TEST, DISPLAY, GObject)

struct _TestDisplay
{
  GObject    parent_instance;
  GPtrArray *calls;      /* char *: "message TITLE", "notice#H TITLE | BODY", "release#H", "withdraw GROUP" */
  guint      next_handle;
};

static void test_display_iface_init (FbNotificationDisplayInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestDisplay, test_display, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FB_TYPE_NOTIFICATION_DISPLAY, test_display_iface_init))

static void
test_display_show_message (FbNotificationDisplay *display,
                           FbFeed                *feed,
                           FbMessage             *message)
{
  g_ptr_array_add (TEST_DISPLAY (display)->calls,
                   g_strdup_printf ("message%s %s", feed ? "" : "(again)", fb_message_get_title (message)));
}

static void
test_display_show_notice (FbNotificationDisplay *display,
                          guint                 *handle,
                          const char            *title,
                          const char            *body)
{
  TestDisplay *self = TEST_DISPLAY (display);

  if (*handle == 0)
    *handle = ++self->next_handle;
  g_ptr_array_add (self->calls, g_strdup_printf ("notice#%u %s | %s", *handle, title, body));
}

static void
test_display_release (FbNotificationDisplay *display,
                      guint                  handle)
{
  g_ptr_array_add (TEST_DISPLAY (display)->calls, g_strdup_printf ("release#%u", handle));
}

static void
test_display_withdraw (FbNotificationDisplay *display,
                       FbFeed                *feed,
                       const char            *group)
{
  g_ptr_array_add (TEST_DISPLAY (display)->calls, g_strdup_printf ("withdraw %s", group));
}

static void
test_display_iface_init (FbNotificationDisplayInterface *iface)
{
  iface->withdraw = test_display_withdraw;
  iface->show_message = test_display_show_message;
  iface->show_notice = test_display_show_notice;
  iface->release = test_display_release;
}

static void
test_display_finalize (GObject *object)
{
  g_ptr_array_unref (TEST_DISPLAY (object)->calls);
  G_OBJECT_CLASS (test_display_parent_class)->finalize (object);
}

static void
test_display_class_init (TestDisplayClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_display_finalize;
}

static void
test_display_init (TestDisplay *self)
{
  self->calls = g_ptr_array_new_with_free_func (g_free);
}

/* --- the fixture ------------------------------------------------------------ */

/* Far past 2^32 µs (71 minutes), where times kept in pointers on a 32-bit
 * system would wrap around. */
#define START_MONOTONIC (G_GINT64_CONSTANT (100) * G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define START_REAL      (G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC)

typedef struct
{
  GSettings   *settings;
  FbClock     *clock;
  TestDisplay *display;
  FbNotifier  *notifier;
  FbHistory   *history;
  FbFeed      *feed;
  guint        n_posted;
} Fixture;

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  f->settings = g_settings_new (APP_ID);
  g_settings_set_uint (f->settings, "coalesce-threshold", 3);
  g_settings_set_uint (f->settings, "coalesce-window", 10);
  f->clock = fb_clock_new_manual (START_MONOTONIC, START_REAL);
  f->display = g_object_new (TEST_TYPE_DISPLAY, NULL);
  /* Isolated dirs: a history of its own for each test. */
  {
    g_autofree char *path = fb_history_default_path ();

    f->history = fb_history_open (path, f->clock);
  }
  f->notifier = fb_notifier_new (f->settings, FB_NOTIFICATION_DISPLAY (f->display), f->clock, f->history);
  f->feed = fb_feed_new ("f1");
  g_object_set (f->feed, "name", "Builds", NULL);
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  g_clear_object (&f->notifier);
  g_clear_object (&f->history);
  g_clear_object (&f->display);
  g_clear_object (&f->clock);
  g_clear_object (&f->feed);
  g_settings_reset (f->settings, "paused");
  g_settings_reset (f->settings, "quiet-hours");
  g_settings_reset (f->settings, "urgent-breaks-through");
  g_clear_object (&f->settings);
}

static void
post (Fixture  *f,
      gboolean  catch_up)
{
  g_autofree char *text = g_strdup_printf ("Build %u", ++f->n_posted);
  g_autoptr(FbMessage) message = fb_message_new_from_event ("Builds", FB_MESSAGE_FORMAT_PLAIN, "message",
                                                            text, strlen (text), NULL);

  fb_notifier_post (f->notifier, f->feed, message, catch_up);
}

static void
post_ntfy (Fixture    *f,
           const char *id,
           const char *sequence_id,
           int         priority,
           const char *title)
{
  g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"event\":\"message\",\"topic\":\"t\",%s%s%s"
                                           "\"priority\":%d,\"title\":\"%s\",\"message\":\"m\"}",
                                           id, sequence_id ? "\"sequence_id\":\"" : "",
                                           sequence_id ? sequence_id : "", sequence_id ? "\"," : "",
                                           priority, title);
  g_autoptr(FbMessage) message = fb_message_new_from_event ("Builds", FB_MESSAGE_FORMAT_NTFY, "message",
                                                            json, strlen (json), NULL);

  fb_notifier_post (f->notifier, f->feed, message, FALSE);
}

/* Every call the display has had since the last look, then forgets them. */
static char *
take_calls (Fixture *f)
{
  GPtrArray *calls = f->display->calls;
  char *joined;

  g_ptr_array_add (calls, NULL);
  joined = g_strjoinv ("\n", (char **) calls->pdata);
  g_ptr_array_set_size (calls, 0);

  return joined;
}

static void
assert_calls (Fixture    *f,
              const char *expected)
{
  g_autofree char *calls = take_calls (f);

  g_assert_cmpstr (calls, ==, expected);
}

/* --- the tests --------------------------------------------------------------- */

static void
test_threshold_and_window (Fixture       *f,
                           gconstpointer  data)
{
  for (guint i = 0; i < 3; i++)
    post (f, FALSE);
  assert_calls (f, "message Build 1\nmessage Build 2\nmessage Build 3");

  /* The fourth within the window is folded into a summary. */
  fb_clock_advance_ms (f->clock, 9000);
  post (f, FALSE);
  assert_calls (f, "notice#1 1 new message from Builds | Latest: Build 4");

  /* Folded messages count into the window too: still a flood. */
  fb_clock_advance_ms (f->clock, 500);
  post (f, FALSE);
  fb_clock_advance_ms (f->clock, 500);
  assert_calls (f, "notice#1 2 new messages from Builds | Latest: Build 5");

  /* A whole window after the last: the flood is over, one at a time again. */
  fb_clock_advance_ms (f->clock, 9500);
  post (f, FALSE);
  assert_calls (f, "release#1\nmessage Build 6");
  g_assert_cmpuint (fb_notifier_get_recent (f->notifier)->len, ==, 6);
}

static void
test_summary_rate_limit (Fixture       *f,
                         gconstpointer  data)
{
  for (guint i = 0; i < 3; i++)
    post (f, FALSE);
  g_free (take_calls (f));

  /* 100 more at one instant: the first summary at once, nothing else yet. */
  for (guint i = 0; i < 100; i++)
    post (f, FALSE);
  assert_calls (f, "notice#1 1 new message from Builds | Latest: Build 4");

  /* One update a second, with the latest count; none while nothing changed. */
  fb_clock_advance_ms (f->clock, 999);
  assert_calls (f, "");
  fb_clock_advance_ms (f->clock, 1);
  assert_calls (f, "notice#1 100 new messages from Builds | Latest: Build 103");
  fb_clock_advance_ms (f->clock, 5000);
  assert_calls (f, "");
  g_assert_cmpuint (fb_clock_get_n_timeouts (f->clock), <=, 1);  /* Recent's save at most */
}

static void
test_pause_then_resume (Fixture       *f,
                        gconstpointer  data)
{
  g_settings_set_boolean (f->settings, "paused", TRUE);
  for (guint i = 0; i < 5; i++)
    post (f, FALSE);
  assert_calls (f, "");

  g_settings_set_boolean (f->settings, "paused", FALSE);
  assert_calls (f, "notice#1 5 messages while notifications were paused | "
                   "Builds: Build 5\nBuilds: Build 4\nBuilds: Build 3\nrelease#1");

  /* Resuming twice says nothing twice. */
  g_settings_set_boolean (f->settings, "paused", TRUE);
  g_settings_set_boolean (f->settings, "paused", FALSE);
  assert_calls (f, "");
}

static void
test_snooze_expiry (Fixture       *f,
                    gconstpointer  data)
{
  fb_feed_set_snoozed_until (f->feed, fb_clock_get_real (f->clock) + G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  post (f, FALSE);
  fb_clock_advance (f->clock, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC - 1);
  post (f, FALSE);
  assert_calls (f, "");

  fb_clock_advance (f->clock, 1);
  post (f, FALSE);
  assert_calls (f, "message Build 3");
  g_assert_cmpuint (fb_notifier_get_recent (f->notifier)->len, ==, 3);
}

static void
test_mute (Fixture       *f,
           gconstpointer  data)
{
  g_object_set (f->feed, "muted", TRUE, NULL);
  for (guint i = 0; i < 10; i++)
    post (f, FALSE);
  fb_clock_advance_ms (f->clock, 60000);
  assert_calls (f, "");
  g_assert_cmpuint (fb_notifier_get_recent (f->notifier)->len, ==, 10);

  g_object_set (f->feed, "muted", FALSE, NULL);
  post (f, FALSE);
  assert_calls (f, "message Build 11");
}

static void
test_catch_up (Fixture       *f,
               gconstpointer  data)
{
  for (guint i = 0; i < 5; i++)
    {
      post (f, TRUE);
      fb_clock_advance_ms (f->clock, 1000);
    }
  assert_calls (f, "");

  /* Quiet for 1.5 s after the last: one summary with the last three. */
  fb_clock_advance_ms (f->clock, 499);
  assert_calls (f, "");
  fb_clock_advance_ms (f->clock, 1);
  g_assert_cmpuint (f->display->calls->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->display->calls, 0),
                                   "notice#1 5 messages from Builds while you were away, "));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (f->display->calls, 0),
                                   "Build 5\nBuild 4\nBuild 3\nAll of them are in the tray’s Recent menu."));
  g_free (take_calls (f));

  /* A backlog of one is just that message. */
  post (f, TRUE);
  fb_clock_advance_ms (f->clock, 1500);
  assert_calls (f, "message(again) Build 6");

  /* The history has every message, and the summary as a note. */
  {
    g_autoptr(GPtrArray) entries = NULL;
    g_autoptr(GError) error = NULL;
    guint notes = 0;

    g_assert_true (fb_history_sync (f->history, &error));
    entries = fb_history_query (f->history, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (entries->len, ==, 7);
    for (guint i = 0; i < entries->len; i++)
      if (fb_history_entry_is_note (g_ptr_array_index (entries, i)))
        {
          notes++;
          g_assert_cmpstr (fb_history_entry_get_feed_id (g_ptr_array_index (entries, i)), ==, "f1");
          g_assert_true (g_str_has_prefix (fb_message_get_title (fb_history_entry_get_message (g_ptr_array_index (entries, i))),
                                           "5 messages from Builds"));
        }
    g_assert_cmpuint (notes, ==, 1);
  }
}

/* Recent is the history's newest entries, read again by a new notifier. */
static void
test_recent_from_history (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(FbNotifier) again = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *recent;

  for (guint i = 0; i < 3; i++)
    post (f, FALSE);
  g_assert_true (fb_history_sync (f->history, &error));

  again = fb_notifier_new (f->settings, FB_NOTIFICATION_DISPLAY (f->display), f->clock, f->history);
  recent = fb_notifier_get_recent (again);
  g_assert_cmpuint (recent->len, ==, 3);
  g_assert_cmpstr (fb_message_get_title (g_ptr_array_index (recent, 0)), ==, "Build 3");
  g_assert_cmpstr (fb_message_get_title (g_ptr_array_index (recent, 2)), ==, "Build 1");
}

/* A priority 5 message pops up on its own: sixth in a flood, while paused,
 * during quiet hours; unless the user turned that off. */
static void
test_urgent_breaks_through (Fixture       *f,
                            gconstpointer  data)
{
  for (guint i = 0; i < 5; i++)
    post (f, FALSE);
  g_free (take_calls (f));
  post_ntfy (f, "u1", NULL, 5, "Server down");
  assert_calls (f, "message Server down");

  g_settings_set_boolean (f->settings, "paused", TRUE);
  post (f, FALSE);
  post_ntfy (f, "u2", NULL, 5, "Still down");
  assert_calls (f, "message Still down");

  g_settings_set_boolean (f->settings, "urgent-breaks-through", FALSE);
  post_ntfy (f, "u3", NULL, 5, "Held back");
  assert_calls (f, "");
  g_settings_set_boolean (f->settings, "paused", FALSE);
  {
    g_autofree char *calls = take_calls (f);

    g_assert_true (g_str_has_prefix (calls, "notice#"));
  }
}

/* Below a feed's lowest priority: kept, not shown. */
static void
test_min_priority (Fixture       *f,
                   gconstpointer  data)
{
  g_object_set (f->feed, "min-priority", 4, NULL);
  post_ntfy (f, "p3", NULL, 3, "Routine");
  post_ntfy (f, "p4", NULL, 4, "Important");
  assert_calls (f, "message Important");
  g_assert_cmpuint (fb_notifier_get_recent (f->notifier)->len, ==, 2);
}

/* Quiet hours, 22:00 to 07:00 in the test's time zone (UTC; the clock
 * starts at 22:13): only urgent messages pop up, and a summary of the rest
 * comes when the window ends, on the clock's time. */
static void
test_quiet_hours (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *summary = NULL;

  g_settings_set_uint (f->settings, "quiet-hours-start", 22 * 60);
  g_settings_set_uint (f->settings, "quiet-hours-end", 7 * 60);
  g_settings_set_boolean (f->settings, "quiet-hours", TRUE);
  g_assert_true (fb_notifier_is_quiet (f->notifier));

  post_ntfy (f, "q1", NULL, 3, "Nightly backup");
  post_ntfy (f, "q2", NULL, 4, "Disk at 80%");
  post_ntfy (f, "q3", NULL, 5, "Disk full");
  assert_calls (f, "message Disk full");

  /* 07:00 is 8 h 47 min away: a minute before, still quiet. */
  fb_clock_advance (f->clock, G_GINT64_CONSTANT (8 * 60 + 46) * 60 * G_USEC_PER_SEC);
  g_assert_true (fb_notifier_is_quiet (f->notifier));
  assert_calls (f, "");
  fb_clock_advance (f->clock, 60 * G_USEC_PER_SEC);
  g_assert_false (fb_notifier_is_quiet (f->notifier));
  summary = take_calls (f);
  g_assert_true (g_str_has_prefix (summary, "notice#1 2 messages during quiet hours"));
}

/* ntfy updates of a message shown lately replace it, and are no flood. */
static void
test_updates_are_no_flood (Fixture       *f,
                           gconstpointer  data)
{
  post_ntfy (f, "d1", NULL, 3, "Download 0%");
  for (guint i = 1; i <= 6; i++)
    {
      g_autofree char *id = g_strdup_printf ("d1-%u", i);
      g_autofree char *title = g_strdup_printf ("Download %u0%%", i);

      post_ntfy (f, id, "d1", 3, title);
    }
  assert_calls (f, "message Download 0%\nmessage Download 10%\nmessage Download 20%\n"
                   "message Download 30%\nmessage Download 40%\nmessage Download 50%\n"
                   "message Download 60%");
}

static void
post_ntfy_event (Fixture    *f,
                 const char *event,
                 const char *id,
                 const char *sequence_id)
{
  g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"event\":\"%s\",\"topic\":\"t\","
                                           "\"sequence_id\":\"%s\"}", id, event, sequence_id);
  g_autoptr(FbMessage) message = fb_message_new_from_event ("Builds", FB_MESSAGE_FORMAT_NTFY, event,
                                                            json, strlen (json), NULL);

  fb_notifier_post (f->notifier, f->feed, message, FALSE);
}

/* ntfy's message_delete and message_clear close the sequence's
 * notification and change its history entries, with no popup. */
static void
test_delete_and_clear (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  FbHistoryQuery q = { 0 };

  post_ntfy (f, "a1", "job-1", 3, "Job 1 running");
  post_ntfy (f, "b1", "job-2", 3, "Job 2 running");
  post_ntfy_event (f, "message_delete", "x1", "job-1");
  post_ntfy_event (f, "message_clear", "x2", "job-2");
  assert_calls (f, "message Job 1 running\nmessage Job 2 running\nwithdraw job-1\nwithdraw job-2");

  g_assert_true (fb_history_sync (f->history, &error));
  entries = fb_history_query (f->history, &q, &error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (fb_message_get_title (fb_history_entry_get_message (g_ptr_array_index (entries, 0))), ==,
                   "Job 2 running");
  g_assert_true (fb_history_entry_get_read (g_ptr_array_index (entries, 0)));
  g_assert_cmpuint (fb_notifier_get_recent (f->notifier)->len, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("TZ", "UTC0", TRUE);
  /* The history lives under a fresh XDG_DATA_HOME for each test. */
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, set_up, func, tear_down)
  ADD ("/notifier/threshold-and-window", test_threshold_and_window);
  ADD ("/notifier/summary-rate-limit", test_summary_rate_limit);
  ADD ("/notifier/pause-then-resume", test_pause_then_resume);
  ADD ("/notifier/snooze-expiry", test_snooze_expiry);
  ADD ("/notifier/mute", test_mute);
  ADD ("/notifier/catch-up", test_catch_up);
  ADD ("/notifier/recent-from-history", test_recent_from_history);
  ADD ("/notifier/urgent-breaks-through", test_urgent_breaks_through);
  ADD ("/notifier/min-priority", test_min_priority);
  ADD ("/notifier/quiet-hours", test_quiet_hours);
  ADD ("/notifier/updates-are-no-flood", test_updates_are_no_flood);
  ADD ("/notifier/delete-and-clear", test_delete_and_clear);
#undef ADD

  return g_test_run ();
}
