/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ntfy"

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "fb-desktop-fixture.h"
#include "fb-desktop-session.h"
#include "fb-feed-server.h"
#include "fb-notify-monitor.h"
#include "fb-sni-watcher.h"
#include "fb-test-keyring.h"
#include "fb-widget-driver.h"

/*
 * ntfy's messages as the desktop gets them from the real app: an ntfy feed
 * (a loopback SSE server sending ntfy's JSON) and dunst as the server,
 * judged from the bus (the Notify and CloseNotification calls, their
 * hints, dunst's ActionInvoked), from what a second loopback server
 * receives (action buttons' requests, images), and over AT-SPI for the
 * question asked before a request goes to another server. Updates of a
 * sequence replace its notification, deletes close it; priorities become
 * urgency, timeout and sound hints; Markdown becomes markup; http buttons
 * send their request, with the feed's token only to the feed's origin;
 * pictures update the notification in place.
 *
 * Runs in `run-in-session.sh --keyring --try-a11y`: the token feed needs
 * the throwaway keyring, the question an accessibility bus; the tests that
 * need what is missing skip. Every wait has a deadline; none is a sleep.
 */

#define FEED_ID     "alerts"
#define FEED_NAME   "Alerts"
/* A secret as far as the test goes: compared, never printed. */
#define FEED_TOKEN  "tk_feedbell_test_3b9d"
#define WAIT_MS     30000
#define START_MS    60000
#define BIG_IMAGE   (3 * 1024 * 1024)
#define DIALOG      "Send this request?"

#define NTFY_MESSAGE(id, rest) \
  "{\"id\":\"" id "\",\"time\":1767225600,\"event\":\"message\",\"topic\":\"alerts\"," rest "}"

typedef struct
{
  gboolean with_a11y;
  gboolean with_token;
  gboolean silent;       /* play-sounds off */
} TestCase;

static const TestCase plain = { FALSE, FALSE, FALSE };
static const TestCase silent = { FALSE, FALSE, TRUE };
static const TestCase with_token = { FALSE, TRUE, FALSE };
static const TestCase with_token_and_widgets = { TRUE, TRUE, FALSE };

/* One request a test handler answered. */
typedef struct
{
  char *server;          /* "feed" or "other" */
  char *method;
  char *path;
  char *body;
  char *authorization;   /* a secret: compared, never printed */
  char *x_test;
} Received;

typedef struct
{
  const TestCase   *test_case;
  FbDesktopSession *session;
  FbNotifyMonitor  *monitor;
  FbSniWatcher     *watcher;
  FbFeedServer     *server;      /* the feed, and the feed's origin */
  SoupServer       *other;       /* another origin */
  char             *other_url;   /* http://127.0.0.1:PORT */
  char             *feed_origin; /* http://127.0.0.1:PORT */
  GPtrArray        *received;    /* Received */
  GBytes           *png;
  GBytes           *big_png;
  GSubprocess      *app;
  gboolean          body_markup;
  FbWidgetDriver   *driver;
} Fixture;

static void
received_free (Received *received)
{
  g_free (received->server);
  g_free (received->method);
  g_free (received->path);
  g_free (received->body);
  g_free (received->authorization);
  g_free (received->x_test);
  g_free (received);
}

/* --- diagnostics --------------------------------------------------------- */

static void
fixture_dump (Fixture *f)
{
  g_autofree char *calls = fb_notify_monitor_describe (f->monitor);
  g_autofree char *log = fb_desktop_session_dup_app_log (f->session);

  g_test_message ("Notify calls so far:\n%s", calls[0] ? calls : "  (none)\n");
  g_test_message ("%u CloseNotification calls", fb_notify_monitor_get_n_closes (f->monitor));
  for (guint i = 0; i < f->received->len; i++)
    {
      Received *r = g_ptr_array_index (f->received, i);

      g_test_message ("Request %u to %s: %s %s, body “%s”, X-Test %s, %s", i, r->server, r->method,
                      r->path, r->body, r->x_test ? r->x_test : "(none)",
                      r->authorization == NULL ? "no Authorization"
                        : g_str_equal (r->authorization, "Bearer " FEED_TOKEN) ? "the feed's Authorization"
                                                                             : "another Authorization");
    }
  if (f->server != NULL)
    g_test_message ("SSE server: %u requests, %u streams open",
                    fb_feed_server_get_n_requests (f->server), fb_feed_server_get_n_open (f->server));
  if (log[0] != '\0')
    g_test_message ("%s", log);
  fb_widget_driver_print_log (f->driver);
}

#define wait_or_fail(f, condition, data, timeout_ms, ...) \
  fb_desktop_session_wait_or_fail (fixture_dump (f), condition, data, timeout_ms, __VA_ARGS__)

/* --- the servers ----------------------------------------------------------- */

/* A picture of one colour, or of noise (which PNG cannot compress: a
 * picture of more bytes than pixels). */
static GBytes *
make_png (int      width,
          int      height,
          gboolean noise)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize size = 0;

  gdk_pixbuf_fill (pixbuf, 0xe66100ff);
  if (noise)
    {
      guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
      gsize n = (gsize) gdk_pixbuf_get_rowstride (pixbuf) * (gsize) height;

      for (gsize i = 0; i < n; i++)
        pixels[i] = (guint8) g_rand_int (rand);
    }
  gdk_pixbuf_save_to_buffer (pixbuf, &data, &size, "png", &error, NULL);
  g_assert_no_error (error);

  return g_bytes_new_take (data, size);
}

/* An action button's request: recorded, answered 200 (or 500). */
static void
hook_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fixture *f = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  Received *received = g_new0 (Received, 1);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);

  received->server = g_strdup (server == f->other ? "other" : "feed");
  received->method = g_strdup (soup_server_message_get_method (msg));
  received->path = g_strdup (path);
  received->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  received->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  received->x_test = g_strdup (soup_message_headers_get_one (headers, "X-Test"));
  g_ptr_array_add (f->received, received);

  /* /hook/fail: a server that cannot do it. */
  if (g_str_has_suffix (path, "/fail"))
    soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
  g_main_context_wakeup (NULL);
}

/* /img/big.png: a real picture of more than 3 MiB, over the 2 MiB the app
 * downloads; anything else under /img/: a small one. */
static void
image_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  Fixture *f = user_data;
  GBytes *png = f->png;

  if (g_str_has_suffix (path, "/big.png"))
    {
      if (f->big_png == NULL)
        f->big_png = make_png (1100, 1000, TRUE);
      g_assert_cmpuint (g_bytes_get_size (f->big_png), >, BIG_IMAGE);
      png = f->big_png;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (png, NULL), g_bytes_get_size (png));
}

static char *
origin_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri), g_uri_get_port (uri));
}

/* --- fixture --------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  SoupServer *feed_soup;

  f->test_case = data;
  if (f->test_case->with_token && g_strcmp0 (g_getenv ("FB_TEST_SECRET_SERVICE"), "keyring") != 0)
    {
      g_test_skip ("no keyring: run through `run-in-session.sh --keyring`");
      return;
    }
  f->session = fb_desktop_fixture_new_session (f->test_case->with_a11y);
  if (f->session == NULL)
    return;

  f->monitor = fb_desktop_fixture_start_dunst (f->session, &f->body_markup);
  /* The tray is ours: the app then has no notice to give about a missing one. */
  f->watcher = fb_sni_watcher_new (fb_desktop_session_get_bus (f->session));
  wait_or_fail (f, fb_desktop_fixture_watcher_owns_name, f->watcher, WAIT_MS,
                "our StatusNotifierWatcher to own its name");

  f->received = g_ptr_array_new_with_free_func ((GDestroyNotify) received_free);
  f->png = make_png (96, 64, FALSE);
  f->server = fb_feed_server_new ();
  f->feed_origin = origin_of (fb_feed_server_get_url (f->server));
  feed_soup = fb_feed_server_get_soup_server (f->server);
  soup_server_add_handler (feed_soup, "/hook", hook_cb, f, NULL);
  soup_server_add_handler (feed_soup, "/img", image_cb, f, NULL);
  f->other = fb_test_server_new ();
  f->other_url = fb_test_server_url (f->other, "");
  soup_server_add_handler (f->other, "/hook", hook_cb, f, NULL);
  soup_server_add_handler (f->other, "/img", image_cb, f, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->session == NULL)
    return;

  fb_desktop_fixture_end (&f->driver, &f->app, &f->session);
  g_clear_pointer (&f->monitor, fb_notify_monitor_free);
  g_clear_pointer (&f->watcher, fb_sni_watcher_free);
  g_clear_pointer (&f->server, fb_feed_server_free);
  if (f->other != NULL)
    soup_server_disconnect (f->other);
  g_clear_object (&f->other);
  g_clear_pointer (&f->other_url, g_free);
  g_clear_pointer (&f->feed_origin, g_free);
  g_clear_pointer (&f->received, g_ptr_array_unref);
  g_clear_pointer (&f->png, g_bytes_unref);
  g_clear_pointer (&f->big_png, g_bytes_unref);
}

/* --- the app --------------------------------------------------------------- */

/* The feed, in the settings the app reads at its start: an ntfy feed, with
 * a token when the test case has one, and no grouping of a few messages. */
static void
write_settings (Fixture *f)
{
  const char *app = "io/github/feedbell/Feedbell";
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *feed = fb_desktop_fixture_set_feed (keyfile, FEED_ID, fb_feed_server_get_url (f->server),
                                                       FEED_NAME);

  fb_desktop_fixture_set_setting (keyfile, app, "coalesce-threshold", g_variant_new_uint32 (100));
  fb_desktop_fixture_set_setting (keyfile, app, "play-sounds", g_variant_new_boolean (!f->test_case->silent));
  fb_desktop_fixture_set_setting (keyfile, feed, "format", g_variant_new_string ("ntfy"));
  fb_desktop_fixture_set_setting (keyfile, feed, "auth", g_variant_new_string (f->test_case->with_token ? "token" : "none"));

  fb_desktop_fixture_save_settings (f->session, keyfile);
}

static void
store_token (void)
{
  g_autoptr(GError) error = NULL;

  secret_password_store_sync (&fb_test_credentials_schema, SECRET_COLLECTION_DEFAULT, "Feedbell test token",
                              FEED_TOKEN, NULL, &error, "feed-id", FEED_ID, "kind", "token", NULL);
  g_assert_no_error (error);
}

static gboolean
app_connected_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return !fb_desktop_session_is_running (f->app) || fb_feed_server_get_n_open (f->server) > 0;
}

static void
start_app (Fixture *f)
{
  const char *argv[] = { "--background", NULL };
  g_autoptr(GError) error = NULL;

  write_settings (f);
  if (f->test_case->with_token)
    store_token ();

  f->app = fb_desktop_session_spawn_app (f->session, argv, &error);
  g_assert_no_error (error);
  wait_or_fail (f, app_connected_cb, f, START_MS, "the app to open the feed's stream");
  g_assert_true (fb_desktop_session_is_running (f->app));
}

/* --- notifications ------------------------------------------------------- */

typedef struct
{
  Fixture    *f;
  const char *summary;
  gboolean    image;     /* and it has an image-path and a file:// app icon */
} NotifyWait;

static gboolean
notify_answered_cb (gpointer user_data)
{
  NotifyWait *wait = user_data;
  g_autoptr(FbNotifyCall) call = fb_notify_monitor_dup_last (wait->f->monitor, wait->summary);

  if (call == NULL || call->id == 0)
    return FALSE;

  return !wait->image || (call->image_path != NULL && g_str_has_prefix (call->app_icon, "file://"));
}

/* The newest Notify whose summary has @summary, once the server has
 * answered it with its id. */
static FbNotifyCall *
wait_for_notify (Fixture    *f,
                 const char *summary)
{
  NotifyWait wait = { f, summary, FALSE };

  wait_or_fail (f, notify_answered_cb, &wait, WAIT_MS, "dunst's answer to a Notify “%s”", summary);
  return fb_notify_monitor_dup_last (f->monitor, summary);
}

static guint32
dunst_count (Fixture    *f,
             const char *property)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  reply = g_dbus_connection_call_sync (fb_desktop_session_get_bus (f->session),
                                       fb_desktop_session_get_dunst_name (f->session),
                                       "/org/freedesktop/Notifications", "org.freedesktop.DBus.Properties",
                                       "Get", g_variant_new ("(ss)", "org.dunstproject.cmd0", property),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (reply == NULL)
    return 0;
  g_variant_get (reply, "(v)", &value);

  return g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32) ? g_variant_get_uint32 (value) : 0;
}

static gboolean
dunst_shows_cb (gpointer user_data)
{
  return dunst_count (user_data, "displayedLength") > 0;
}

typedef struct
{
  Fixture    *f;
  guint32     id;
  const char *action;
  guint       n;
} ActionWait;

static gboolean
action_invoked_cb (gpointer user_data)
{
  ActionWait *wait = user_data;

  return fb_notify_monitor_count_actions (wait->f->monitor, wait->id, wait->action) >= wait->n;
}

/* Chooses @action of the notification @call in dunst's context menu. */
static void
invoke_action (Fixture      *f,
               FbNotifyCall *call,
               const char   *action)
{
  ActionWait wait = { f, call->id, action, 0 };
  guint before = fb_notify_monitor_count_actions (f->monitor, call->id, action);
  g_autoptr(GError) error = NULL;

  wait.n = before + 1;
  wait_or_fail (f, dunst_shows_cb, f, WAIT_MS, "dunst to show the notification");
  fb_desktop_session_invoke_action (f->session, call->id, action, &error);
  g_assert_no_error (error);
  wait_or_fail (f, action_invoked_cb, &wait, WAIT_MS, "dunst's ActionInvoked (%u, %s)", call->id, action);
}

typedef struct
{
  Fixture *f;
  guint    n;
} CountWait;

static gboolean
received_cb (gpointer user_data)
{
  CountWait *wait = user_data;

  return wait->f->received->len >= wait->n;
}

static void
wait_for_requests (Fixture *f,
                   guint    n)
{
  CountWait wait = { f, n };

  wait_or_fail (f, received_cb, &wait, WAIT_MS, "%u action requests", n);
}

typedef struct
{
  Fixture *f;
  guint32  id;
} CloseWait;

static gboolean
closed_cb (gpointer user_data)
{
  CloseWait *wait = user_data;

  return fb_notify_monitor_count_closes (wait->f->monitor, wait->id) > 0;
}

static gboolean
has_action (FbNotifyCall *call,
            const char   *id,
            const char   *label)
{
  guint n = call->actions ? g_strv_length (call->actions) : 0;

  for (guint i = 0; i + 1 < n; i += 2)
    if (g_str_equal (call->actions[i], id) && (label == NULL || g_str_equal (call->actions[i + 1], label)))
      return TRUE;

  return FALSE;
}

/* --- sequences ------------------------------------------------------------- */

/* An update of a sequence replaces its notification in place: dunst is
 * asked to replace the first one's id, and shows one popup, not two. */
static void
test_sequence_update (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(FbNotifyCall) first = NULL;
  g_autoptr(FbNotifyCall) second = NULL;

  if (f->session == NULL)
    return;

  start_app (f);
  fb_feed_server_send (f->server, NULL, NTFY_MESSAGE ("u1", "\"title\":\"Deploy started\","
                                                      "\"message\":\"Step 1 of 2\",\"sequence_id\":\"deploy-7\""));
  first = wait_for_notify (f, "Deploy started");
  g_assert_cmpuint (first->replaces_id, ==, 0);

  fb_feed_server_send (f->server, NULL, NTFY_MESSAGE ("u2", "\"title\":\"Deploy finished\","
                                                      "\"message\":\"Step 2 of 2\",\"sequence_id\":\"deploy-7\""));
  second = wait_for_notify (f, "Deploy finished");
  g_assert_cmpuint (second->replaces_id, ==, first->id);
  g_assert_cmpuint (second->id, ==, first->id);
  g_assert_cmpuint (fb_notify_monitor_get_n_calls (f->monitor), ==, 2);
  g_assert_cmpuint (dunst_count (f, "displayedLength") + dunst_count (f, "waitingLength"), ==, 1);
}

/* The server deletes a sequence: its notification is closed, and nothing
 * else is shown. */
static void
test_sequence_delete (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(FbNotifyCall) call = NULL;
  g_autoptr(FbNotifyCall) marker = NULL;
  CloseWait closed = { f, 0 };

  if (f->session == NULL)
    return;

  start_app (f);
  fb_feed_server_send (f->server, NULL, NTFY_MESSAGE ("b1", "\"title\":\"Backup running\","
                                                      "\"message\":\"42%\",\"sequence_id\":\"backup-3\""));
  call = wait_for_notify (f, "Backup running");
  closed.id = call->id;

  fb_feed_server_send (f->server, NULL, "{\"id\":\"b2\",\"time\":1767225601,\"event\":\"message_delete\","
                                        "\"topic\":\"alerts\",\"sequence_id\":\"backup-3\"}");
  wait_or_fail (f, closed_cb, &closed, WAIT_MS, "CloseNotification (%u)", call->id);

  /* A message after the delete: everything before it has been handled. */
  fb_feed_server_send (f->server, NULL, NTFY_MESSAGE ("b3", "\"title\":\"Marker\",\"message\":\"the end\""));
  marker = wait_for_notify (f, "Marker");
  g_assert_cmpuint (fb_notify_monitor_get_n_calls (f->monitor), ==, 2);
  g_assert_cmpuint (fb_notify_monitor_count_summary (f->monitor, "Backup running"), ==, 1);
  g_assert_cmpuint (fb_notify_monitor_get_n_closes (f->monitor), ==, 1);
}

/* --- priorities and Markdown ----------------------------------------------- */

/* 5 is critical, stays until dismissed and sounds a warning; 4 sounds a
 * new message; 1 asks for silence. Without play-sounds, nothing sounds. */
static void
test_priorities (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(FbNotifyCall) urgent = NULL;
  g_autoptr(FbNotifyCall) high = NULL;
  g_autoptr(FbNotifyCall) low = NULL;

  if (f->session == NULL)
    return;

  start_app (f);
  fb_feed_server_send (f->server, NULL, NTFY_MESSAGE ("p5", "\"title\":\"Server down\",\"priority\":5"));
  fb_feed_server_send (f->server, NULL, NTFY_MESSAGE ("p4", "\"title\":\"Disk at 90%\",\"priority\":4"));
  fb_feed_server_send (f->server, NULL, NTFY_MESSAGE ("p1", "\"title\":\"Weekly digest\",\"priority\":1"));
  urgent = wait_for_notify (f, "Server down");
  high = wait_for_notify (f, "Disk at 90%");
  low = wait_for_notify (f, "Weekly digest");

  g_assert_cmpint (urgent->urgency, ==, 2);
  g_assert_cmpint (urgent->expire_timeout, ==, 0);
  g_assert_false (urgent->suppress_sound);
  g_assert_cmpint (high->urgency, ==, 1);
  g_assert_cmpint (high->expire_timeout, ==, -1);
  g_assert_false (high->suppress_sound);
  g_assert_cmpint (low->urgency, ==, 0);
  g_assert_cmpint (low->expire_timeout, ==, -1);
  g_assert_true (low->suppress_sound);
  g_assert_null (low->sound_name);

  if (f->test_case->silent)
    {
      g_assert_null (urgent->sound_name);
      g_assert_null (high->sound_name);
    }
  else
    {
      g_assert_cmpstr (urgent->sound_name, ==, "dialog-warning");
      g_assert_cmpstr (high->sound_name, ==, "message-new-instant");
    }
}

/* ntfy's text/markdown: markup for a server that reads it. */
static void
test_markdown (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(FbNotifyCall) call = NULL;

  if (f->session == NULL)
    return;

  start_app (f);
  fb_feed_server_send (f->server, NULL, NTFY_MESSAGE ("md1", "\"title\":\"Release notes\","
                                                      "\"message\":\"**Faster** start, _fewer_ <i>bugs</i>\","
                                                      "\"content_type\":\"text/markdown\""));
  call = wait_for_notify (f, "Release notes");
  g_test_message ("Body: %s", call->body);
  if (f->body_markup)
    {
      g_assert_nonnull (strstr (call->body, "<b>Faster</b>"));
      g_assert_nonnull (strstr (call->body, "<i>fewer</i>"));
      /* Raw HTML is text. */
      g_assert_nonnull (strstr (call->body, "&lt;i&gt;bugs"));
    }
  else
    {
      g_assert_nonnull (strstr (call->body, "Faster start, fewer"));
    }
}

/* --- http action buttons --------------------------------------------------- */

static char *
message_with_action (const char *id,
                     const char *title,
                     const char *action)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"time\":1767225600,\"event\":\"message\",\"topic\":\"alerts\","
                          "\"title\":\"%s\",\"message\":\"Press the button\",\"actions\":[%s]}",
                          id, title, action);
}

/* An action to the feed's own server: sent at once, as it is, with the
 * feed's token; `clear` closes the notification once it succeeded. One
 * that fails says so in a notice that names the status and the host. */
static void
test_http_action_same_origin (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *action = NULL;
  g_autofree char *event = NULL;
  g_autoptr(FbNotifyCall) call = NULL;
  g_autoptr(FbNotifyCall) failed = NULL;
  g_autoptr(FbNotifyCall) failure = NULL;
  g_autofree char *host = NULL;
  CloseWait closed = { f, 0 };
  Received *r;

  if (f->session == NULL)
    return;

  start_app (f);
  action = g_strdup_printf ("{\"action\":\"http\",\"label\":\"Restart\",\"url\":\"%s/hook/restart\","
                            "\"method\":\"PUT\",\"headers\":{\"X-Test\":\"yes\"},"
                            "\"body\":\"service=web\",\"clear\":true}", f->feed_origin);
  event = message_with_action ("h1", "Service degraded", action);
  fb_feed_server_send (f->server, NULL, event);
  call = wait_for_notify (f, "Service degraded");
  g_assert_true (has_action (call, "http-0", "Restart"));
  closed.id = call->id;

  invoke_action (f, call, "http-0");
  wait_for_requests (f, 1);
  r = g_ptr_array_index (f->received, 0);
  g_assert_cmpstr (r->server, ==, "feed");
  g_assert_cmpstr (r->method, ==, "PUT");
  g_assert_cmpstr (r->path, ==, "/hook/restart");
  g_assert_cmpstr (r->body, ==, "service=web");
  g_assert_cmpstr (r->x_test, ==, "yes");
  /* Not g_assert_cmpstr: the token is never printed. */
  g_assert_true (g_strcmp0 (r->authorization, "Bearer " FEED_TOKEN) == 0);

  wait_or_fail (f, closed_cb, &closed, WAIT_MS, "CloseNotification (%u) for clear", call->id);
  g_assert_cmpuint (f->received->len, ==, 1);

  g_free (action);
  g_free (event);
  action = g_strdup_printf ("{\"action\":\"http\",\"label\":\"Retry\",\"url\":\"%s/hook/fail\"}",
                            f->feed_origin);
  event = message_with_action ("h2", "Job stuck", action);
  fb_feed_server_send (f->server, NULL, event);
  failed = wait_for_notify (f, "Job stuck");
  invoke_action (f, failed, "http-0");
  failure = wait_for_notify (f, "Action failed");
  host = g_strdup (f->feed_origin + strlen ("http://"));
  g_test_message ("Notice: %s", failure->body);
  g_assert_nonnull (strstr (failure->body, "500 Internal Server Error"));
  g_assert_nonnull (strstr (failure->body, host));
  g_assert_cmpuint (fb_notify_monitor_count_closes (f->monitor, failed->id), ==, 0);
}

/* Runs @command; fails the test, with what the driver saw, if it fails. */
static void
drive (Fixture               *f,
       const FbWidgetCommand *command)
{
  json_object_unref (fb_widget_driver_drive (f->driver, command));
}

#define IN_DIALOG(op_, role_, name_) \
  (&(FbWidgetCommand) { .op = (op_), .window = DIALOG, .role = (role_), .name = (name_) })

static gboolean
trusts_other_cb (gpointer user_data)
{
  Fixture *f = user_data;
  g_autofree char *path = g_build_filename (fb_desktop_session_get_dir (f->session), "config",
                                            "glib-2.0", "settings", "keyfile", NULL);
  g_autofree char *host = g_strdup_printf ("'%s'", f->other_url + strlen ("http://"));
  g_autofree char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, host) != NULL;
}

/* An action to another server is asked about first: Cancel sends
 * nothing, Send sends it (without the feed's token), and "Always allow"
 * adds the host to the feed's action-hosts, after which it is sent without
 * a question. The requests are judged by their order and count. */
static void
test_http_action_confirm (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *action = NULL;
  g_autofree char *event = NULL;
  g_autofree char *always = NULL;
  g_autoptr(FbNotifyCall) call = NULL;

  if (f->session == NULL)
    return;

  start_app (f);
  action = g_strdup_printf ("{\"action\":\"http\",\"label\":\"Approve\",\"url\":\"%s/hook/approve\","
                            "\"body\":\"approved\"},{\"action\":\"http\",\"label\":\"Reject\","
                            "\"url\":\"%s/hook/reject\"}", f->other_url, f->other_url);
  event = message_with_action ("c1", "Approval needed", action);
  fb_feed_server_send (f->server, NULL, event);
  call = wait_for_notify (f, "Approval needed");
  g_assert_true (has_action (call, "http-0", "Approve"));
  g_assert_true (has_action (call, "http-1", "Reject"));
  f->driver = fb_widget_driver_start (f->session, (FbWidgetDumpFunc) fixture_dump, f);

  /* Reject, cancelled: were it sent, it would come before Approve's. */
  invoke_action (f, call, "http-1");
  drive (f, IN_DIALOG ("click", "push button", "Cancel"));
  drive (f, &(FbWidgetCommand) { .op = "gone", .window = DIALOG });

  /* Send, once. */
  invoke_action (f, call, "http-0");
  drive (f, IN_DIALOG ("click", "push button", "Send"));
  wait_for_requests (f, 1);
  drive (f, &(FbWidgetCommand) { .op = "gone", .window = DIALOG });

  /* Asked again: Always allow, and Send. */
  invoke_action (f, call, "http-0");
  always = g_strdup_printf ("Always allow requests to %s from this feed", f->other_url + strlen ("http://"));
  drive (f, IN_DIALOG ("toggle", "check box", always));
  drive (f, IN_DIALOG ("click", "push button", "Send"));
  wait_for_requests (f, 2);
  wait_or_fail (f, trusts_other_cb, f, WAIT_MS, "the feed's action-hosts to list %s", f->other_url);
  drive (f, &(FbWidgetCommand) { .op = "gone", .window = DIALOG });

  /* Trusted: no question. */
  invoke_action (f, call, "http-0");
  wait_for_requests (f, 3);

  g_assert_cmpuint (f->received->len, ==, 3);
  for (guint i = 0; i < f->received->len; i++)
    {
      Received *r = g_ptr_array_index (f->received, i);

      g_assert_cmpstr (r->server, ==, "other");
      g_assert_cmpstr (r->method, ==, "POST");
      g_assert_cmpstr (r->path, ==, "/hook/approve");
      g_assert_cmpstr (r->body, ==, "approved");
      g_assert_null (r->authorization);
    }
}

/* --- pictures -------------------------------------------------------------- */

static gboolean
app_log_has_cb (gpointer user_data)
{
  Fixture *f = ((gpointer *) user_data)[0];
  const char *needle = ((gpointer *) user_data)[1];
  g_autofree char *log = fb_desktop_session_dup_app_log (f->session);

  return strstr (log, needle) != NULL;
}

/* A picture attached, and an icon: the notification is shown, then
 * updated in place with the picture (image-path, a PNG of the cache) and
 * the icon (the app icon). A file that is not a picture keeps its button. */
static void
test_image (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *event = NULL;
  g_autofree char *document = NULL;
  g_autofree char *image_file = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(FbNotifyCall) first = NULL;
  g_autoptr(FbNotifyCall) updated = NULL;
  g_autoptr(FbNotifyCall) pdf = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  NotifyWait with_image = { f, "Chart ready", TRUE };
  gsize length = 0;

  if (f->session == NULL)
    return;

  start_app (f);
  event = g_strdup_printf (NTFY_MESSAGE ("i1", "\"title\":\"Chart ready\",\"message\":\"Weekly traffic\","
                                         "\"icon\":\"%s/img/icon.png\",\"attachment\":{\"name\":\"chart.png\","
                                         "\"type\":\"image/png\",\"url\":\"%s/img/chart.png\","
                                         "\"expires\":4102444800}"), f->other_url, f->other_url);
  fb_feed_server_send (f->server, NULL, event);
  wait_or_fail (f, notify_answered_cb, &with_image, WAIT_MS, "a Notify with the picture and the icon");
  updated = fb_notify_monitor_dup_last (f->monitor, "Chart ready");

  /* Shown at once, without them: the first Notify. */
  calls = fb_notify_monitor_dup_calls (f->monitor);
  first = g_ptr_array_steal_index (calls, 0);
  g_assert_cmpstr (first->summary, ==, "Chart ready");
  g_assert_null (first->image_path);
  g_assert_cmpuint (first->replaces_id, ==, 0);
  g_assert_cmpuint (updated->id, ==, first->id);
  g_assert_cmpuint (updated->replaces_id, ==, first->id);
  g_assert_false (has_action (updated, "attachment", NULL));
  g_assert_true (g_str_has_prefix (updated->image_path, "file://"));
  image_file = g_filename_from_uri (updated->image_path, NULL, NULL);
  cache = g_build_filename (fb_desktop_session_get_dir (f->session), "cache", NULL);
  g_assert_true (g_str_has_prefix (image_file, cache));
  g_assert_true (g_str_has_suffix (image_file, ".png"));
  g_assert_true (g_file_get_contents (image_file, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 8);
  g_assert_cmpmem (contents, 8, "\x89PNG\r\n\x1a\n", 8);

  document = g_strdup_printf (NTFY_MESSAGE ("i2", "\"title\":\"Invoice\",\"attachment\":{\"name\":\"invoice.pdf\","
                                            "\"type\":\"application/pdf\",\"url\":\"%s/files/invoice.pdf\"}"),
                              f->other_url);
  fb_feed_server_send (f->server, NULL, document);
  pdf = wait_for_notify (f, "Invoice");
  g_assert_true (has_action (pdf, "attachment", "Open attachment"));
  g_assert_null (pdf->image_path);
}

/* A picture above image-max-download (2 MiB): not shown, said in the
 * journal, and the app goes on. */
static void
test_image_too_large (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *event = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  gpointer refused[] = { f, "big.png not fetched" };

  if (f->session == NULL)
    return;

  start_app (f);
  event = g_strdup_printf (NTFY_MESSAGE ("t1", "\"title\":\"Huge chart\",\"attachment\":{\"name\":\"big.png\","
                                         "\"type\":\"image/png\",\"url\":\"%s/img/big.png\"}"), f->other_url);
  fb_feed_server_send (f->server, NULL, event);
  g_free (wait_for_notify (f, "Huge chart"));
  wait_or_fail (f, app_log_has_cb, refused, WAIT_MS, "the app to say it did not fetch big.png");

  /* Everything before the marker has been handled. */
  fb_feed_server_send (f->server, NULL, NTFY_MESSAGE ("t2", "\"title\":\"Marker\""));
  g_free (wait_for_notify (f, "Marker"));
  g_assert_true (fb_desktop_session_is_running (f->app));

  calls = fb_notify_monitor_dup_calls (f->monitor);
  g_assert_cmpuint (calls->len, ==, 2);
  for (guint i = 0; i < calls->len; i++)
    g_assert_null (((FbNotifyCall *) g_ptr_array_index (calls, i))->image_path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ntfy/sequence/update", Fixture, &plain,
              fixture_set_up, test_sequence_update, fixture_tear_down);
  g_test_add ("/ntfy/sequence/delete", Fixture, &plain,
              fixture_set_up, test_sequence_delete, fixture_tear_down);
  g_test_add ("/ntfy/priorities", Fixture, &plain,
              fixture_set_up, test_priorities, fixture_tear_down);
  g_test_add ("/ntfy/priorities/no-sounds", Fixture, &silent,
              fixture_set_up, test_priorities, fixture_tear_down);
  g_test_add ("/ntfy/markdown", Fixture, &plain,
              fixture_set_up, test_markdown, fixture_tear_down);
  g_test_add ("/ntfy/http-action/same-origin", Fixture, &with_token,
              fixture_set_up, test_http_action_same_origin, fixture_tear_down);
  g_test_add ("/ntfy/http-action/confirm", Fixture, &with_token_and_widgets,
              fixture_set_up, test_http_action_confirm, fixture_tear_down);
  g_test_add ("/ntfy/image", Fixture, &plain,
              fixture_set_up, test_image, fixture_tear_down);
  g_test_add ("/ntfy/image/too-large", Fixture, &plain,
              fixture_set_up, test_image_too_large, fixture_tear_down);

  return g_test_run ();
}
