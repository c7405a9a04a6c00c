/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "fb-message.h"
#include "fb-outage.h"
#include "fb-recent-store.h"
#include "fb-test-utils.h"

static FbMessage *
ntfy_message (const char *feed,
              const char *json)
{
  return fb_message_new_from_event (feed, FB_MESSAGE_FORMAT_NTFY, "message", json, strlen (json), "");
}

static void
test_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fb-recent-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "state", "recent.json", NULL);
  g_autoptr(GPtrArray) recent = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  FbMessage *m;

  g_ptr_array_add (recent, ntfy_message ("Alerts", "{\"id\":\"a1\",\"title\":\"Disk low\",\"message\":\"91% full\","
                                                   "\"priority\":5,\"tags\":[\"warning\"],\"time\":1700000000,"
                                                   "\"click\":\"https://example.org/disk\"}"));
  g_ptr_array_add (recent, fb_message_new_from_event ("Builds", FB_MESSAGE_FORMAT_PLAIN, "message",
                                                      "Build #7 passed\nAll green", 25, "7"));

  g_assert_true (fb_recent_store_save (path, recent, &error));
  g_assert_no_error (error);
  loaded = fb_recent_store_load (path, 50);
  g_assert_cmpuint (loaded->len, ==, 2);

  m = g_ptr_array_index (loaded, 0);
  g_assert_cmpstr (fb_message_get_feed_name (m), ==, "Alerts");
  g_assert_cmpstr (fb_message_get_title (m), ==, fb_message_get_title (g_ptr_array_index (recent, 0)));
  g_assert_cmpstr (fb_message_get_body (m), ==, fb_message_get_body (g_ptr_array_index (recent, 0)));
  g_assert_cmpstr (fb_message_get_click_url (m), ==, "https://example.org/disk");
  g_assert_cmpint (fb_message_get_urgency (m), ==, FB_URGENCY_CRITICAL);
  g_assert_cmpint (fb_message_get_time (m), ==, 1700000000);
  g_assert_cmpstr (fb_message_get_id (m), ==, "a1");

  m = g_ptr_array_index (loaded, 1);
  g_assert_cmpstr (fb_message_get_title (m), ==, "Build #7 passed");
  g_assert_cmpstr (fb_message_get_body (m), ==, "All green");
  g_assert_null (fb_message_get_click_url (m));

  /* At most what the caller keeps. */
  g_clear_pointer (&loaded, g_ptr_array_unref);
  loaded = fb_recent_store_load (path, 1);
  g_assert_cmpuint (loaded->len, ==, 1);

  fb_test_delete_tree (dir);
}

static void
test_hostile_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fb-recent-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "recent.json", NULL);
  g_autofree char *aside = g_strconcat (path, ".corrupt", NULL);
  g_autoptr(GPtrArray) loaded = NULL;
  static const char *edited =
    "{\"version\":1,\"recent\":[{\"feed\":\"X\",\"title\":\"<b>hi</b>\",\"body\":\"b\","
    "\"click\":\"javascript:alert(1)\"}, 42, \"text\"]}";

  /* A file edited by hand cannot smuggle in a URL a server could not. */
  g_file_set_contents (path, edited, -1, NULL);
  loaded = fb_recent_store_load (path, 50);
  g_assert_cmpuint (loaded->len, ==, 1);
  g_assert_null (fb_message_get_click_url (g_ptr_array_index (loaded, 0)));
  g_assert_cmpstr (fb_message_get_title (g_ptr_array_index (loaded, 0)), ==, "<b>hi</b>");
  g_clear_pointer (&loaded, g_ptr_array_unref);

  /* A broken file is set aside, never fatal. */
  g_file_set_contents (path, "{\"recent\": [", -1, NULL);
  loaded = fb_recent_store_load (path, 50);
  g_assert_cmpuint (loaded->len, ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));
  g_clear_pointer (&loaded, g_ptr_array_unref);

  /* No file: empty. */
  loaded = fb_recent_store_load (path, 50);
  g_assert_cmpuint (loaded->len, ==, 0);

  fb_test_delete_tree (dir);
}

/* Feedbell's notes about an outage: Recent only, low, in words, and they
 * survive a restart like any message. */
static void
test_outage_notes (void)
{
  g_autoptr(GDateTime) now_time = g_date_time_new_local (2026, 11, 25, 14, 37, 0);
  g_autoptr(GDateTime) since_time = g_date_time_new_local (2026, 11, 25, 14, 2, 0);
  g_autoptr(GDateTime) yesterday = g_date_time_new_local (2026, 11, 24, 22, 15, 0);
  gint64 now = g_date_time_to_unix (now_time) * G_USEC_PER_SEC;
  gint64 since = g_date_time_to_unix (since_time) * G_USEC_PER_SEC;
  g_autoptr(FbMessage) down = fb_outage_note_down ("Builds", since, now, "The server answered 503 Service Unavailable");
  g_autoptr(FbMessage) silent = fb_outage_note_down ("Builds", since, now, NULL);
  g_autoptr(FbMessage) up = fb_outage_note_up ("Builds", since, now, TRUE);
  g_autoptr(FbMessage) lossy = fb_outage_note_up ("Builds", g_date_time_to_unix (yesterday) * G_USEC_PER_SEC, now, FALSE);
  g_autofree char *dir = g_dir_make_tmp ("fb-recent-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "recent.json", NULL);
  g_autoptr(GPtrArray) recent = g_ptr_array_new ();
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (fb_message_get_feed_name (down), ==, "Builds");
  g_assert_cmpstr (fb_message_get_title (down), ==, "Unreachable since 14:02");
  g_assert_cmpstr (fb_message_get_body (down), ==,
                   "Feedbell keeps trying. The last attempt failed: The server answered 503 Service Unavailable");
  g_assert_cmpstr (fb_message_get_body (silent), ==, "Feedbell keeps trying.");
  g_assert_cmpint (fb_message_get_urgency (down), ==, FB_URGENCY_LOW);
  g_assert_cmpint (fb_message_get_time (down), ==, now / G_USEC_PER_SEC);
  g_assert_null (fb_message_get_click_url (down));

  g_assert_cmpstr (fb_message_get_title (up), ==, "Unreachable from 14:02 to 14:37");
  g_assert_true (g_str_has_prefix (fb_message_get_body (up), "Reachable again. Messages sent in between come next"));
  /* Another day is named; a feed without ids cannot get back what it missed, and says so. */
  g_assert_cmpstr (fb_message_get_title (lossy), ==, "Unreachable from Nov 24, 22:15 to 14:37");
  g_assert_nonnull (strstr (fb_message_get_body (lossy), "cannot be fetched"));

  g_ptr_array_add (recent, up);
  g_ptr_array_add (recent, down);
  g_assert_true (fb_recent_store_save (path, recent, &error));
  g_assert_no_error (error);
  loaded = fb_recent_store_load (path, 50);
  g_assert_cmpuint (loaded->len, ==, 2);
  g_assert_cmpstr (fb_message_get_title (g_ptr_array_index (loaded, 0)), ==, fb_message_get_title (up));
  g_assert_cmpstr (fb_message_get_body (g_ptr_array_index (loaded, 1)), ==, fb_message_get_body (down));
  g_assert_cmpint (fb_message_get_urgency (g_ptr_array_index (loaded, 1)), ==, FB_URGENCY_LOW);

  fb_test_delete_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/recent-store/round-trip", test_round_trip);
  g_test_add_func ("/recent-store/hostile-file", test_hostile_file);
  g_test_add_func ("/recent-store/outage-notes", test_outage_notes);

  return g_test_run ();
}
