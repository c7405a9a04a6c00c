/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "fb-feed-manager.h"
#include "fb-test-utils.h"

/*
 * The life of one feed's pipeline inside the feed manager, against a real
 * SoupServer on 127.0.0.1: a feed that is removed goes quiet at once.
 */

typedef struct
{
  SoupServer *server;
  GPtrArray  *streams;       /* FbTestStream */
  GSettings  *settings;
  FbFeed     *watched;
  guint       n_changed;     /* feed-changed for @watched */
} Fixture;

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fixture *f = user_data;

  fb_test_stream_printf (fb_test_stream_new_in (f->streams, msg, "text/event-stream"),
                         "retry: 100\n\n");
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
  f->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) fb_test_stream_free);
  f->server = fb_test_server_new ();
  soup_server_add_handler (f->server, "/events", handler, f, NULL);
  f->settings = g_settings_new (APP_ID);
  g_settings_set_strv (f->settings, "feeds", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_settings_set_strv (f->settings, "feeds", NULL);
  g_clear_object (&f->settings);
  soup_server_disconnect (f->server);
  g_clear_pointer (&f->streams, g_ptr_array_unref);
  g_clear_object (&f->server);
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
  g_autofree char *url = fb_test_server_url (f->server, "/events");
  g_autoptr(FbFeedManager) manager = fb_feed_manager_new (f->settings);
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

int
main (int   argc,
      char *argv[])
{
  g_autofree char *state = g_dir_make_tmp ("fb-feed-runner-XXXXXX", NULL);

  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* No logind here: the manager must not wait for one. */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/feed-manager/remove-is-silent", Fixture, NULL,
              fixture_set_up, test_remove_is_silent, fixture_tear_down);

  return g_test_run ();
}
