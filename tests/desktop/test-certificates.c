/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-certificates"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "fb-dbusmenu.h"
#include "fb-desktop-fixture.h"
#include "fb-desktop-session.h"
#include "fb-notify-monitor.h"
#include "fb-sni-watcher.h"
#include "fb-test-tls.h"

/*
 * What a person sees of a feed whose https server has a certificate that
 * fails verification: the real app, in run-in-session.sh's desktop, against
 * a SoupServer on 127.0.0.1 with a certificate made when the test runs
 * (fb-test-tls.c). The feed fails, and both `feedbell --status` and the
 * tray's row for the feed say why in words: self-signed, for another name,
 * expired. A self-signed server trusted afterwards in the feed's CA setting
 * (with `gsettings`, as a person without the Preferences window would)
 * connects and its event becomes a notification.
 *
 * Attempts are counted at the server, over each test's whole life: libsoup
 * starts a request (SoupServer::request-started) as it accepts a
 * connection, before the TLS handshake, so a handshake the app refuses is
 * counted too. A failure a person must fix is tried again after 5 minutes;
 * no test waits for that, or for anything else but conditions.
 */

#define FEED_ID       "vault"
#define FEED_NAME     "Vault"
#define FEED_SCHEMA   "io.github.feedbell.Feedbell.Feed"
#define FEED_PATH     "/io/github/feedbell/Feedbell/feeds/" FEED_ID "/"
/* Deadlines only stop a test that hangs; none bounds how long anything took. */
#define START_MS      60000   /* app start → its first attempt judged in the tray */
#define WAIT_MS       30000   /* a notification, a menu change, a reconnection */
#define RUN_MS        30000   /* `feedbell --status` or `gsettings` to its end */
/* The one attempt, and one more should the app restart the feed as it
 * starts up: a feed retried on the schedule of a passing failure, or in a
 * loop, goes past it over a test's life. */
#define MAX_FAILED_ATTEMPTS  2

#define ICON_FAILED    "io.github.feedbell.Feedbell-failed-symbolic"
#define ICON_CONNECTED "io.github.feedbell.Feedbell-connected-symbolic"
#define ROW_FAILED     FEED_NAME " \u2014 failed: "
#define ROW_CONNECTED  FEED_NAME " \u2014 connected"

typedef struct
{
  gsize       pem_offset;   /* of the server's file in FbTestCerts */
  gboolean    trust_ca;     /* the feed's CA setting names the test's authority */
  const char *words[5];     /* what the error says, each somewhere in it */
} TestCase;

#define PEM(member) G_STRUCT_OFFSET (FbTestCerts, member)

/* The authority is trusted for the last two: the one error left is theirs. */
static const TestCase self_signed = {
  PEM (self_signed), FALSE, { "self-signed", "add its certificate authority", "settings", NULL },
};
static const TestCase wrong_host = {
  PEM (wrong_host), TRUE, { "another name", "wrong.example", "not 127.0.0.1", "check the feed address", NULL },
};
static const TestCase expired = {
  PEM (expired), TRUE, { "expired", "2000-01-02", "renew", NULL },
};

static FbTestCerts *certs;

typedef struct
{
  const TestCase   *test_case;
  FbDesktopSession *session;
  FbNotifyMonitor  *monitor;
  FbSniWatcher     *watcher;
  FbTestSseServer  *server;
  char             *url;
  guint             n_attempts;   /* connections the server accepted */
  GSubprocess      *app;
} Fixture;

/* --- diagnostics --------------------------------------------------------- */

static FbMenuItem *fixture_get_menu (Fixture *f);

static void
fixture_dump (Fixture *f)
{
  g_autofree char *calls = fb_notify_monitor_describe (f->monitor);
  g_autofree char *log = fb_desktop_session_dup_app_log (f->session);

  g_test_message ("Notify calls so far:\n%s", calls[0] ? calls : "  (none)\n");
  if (fb_sni_watcher_has_item (f->watcher))
    {
      g_autofree char *icon = fb_sni_watcher_dup_item_string (f->watcher, "IconName", NULL);
      g_autofree char *title = fb_sni_watcher_dup_item_string (f->watcher, "Title", NULL);
      g_autoptr(FbMenuItem) menu = fixture_get_menu (f);
      g_autofree char *tree = menu ? fb_menu_item_describe (menu) : g_strdup ("(none)\n");

      g_test_message ("Tray item: IconName “%s”, Title “%s”, menu:\n%s", icon, title, tree);
    }
  else
    {
      g_test_message ("No tray item registered");
    }
  g_test_message ("Server: %u connections accepted, %u requests read, %u streams",
                  f->n_attempts, fb_test_sse_server_get_requests (f->server)->len,
                  fb_test_sse_server_get_streams (f->server)->len);
  if (log[0] != '\0')
    g_test_message ("%s", log);
}

#define wait_or_fail(f, condition, data, timeout_ms, ...) \
  fb_desktop_session_wait_or_fail (fixture_dump (f), condition, data, timeout_ms, __VA_ARGS__)

/* --- the server ------------------------------------------------------------ */

static void
server_cb (FbTestSseServer   *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           guint              index,
           gpointer           user_data)
{
  fb_test_sse_server_stream (server, msg, "text/event-stream");
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    Fixture           *f)
{
  f->n_attempts++;
}

/* The streams still open: the app's connection, once it trusts the server. */
static guint
count_open_streams (Fixture *f)
{
  GPtrArray *streams = fb_test_sse_server_get_streams (f->server);
  guint n = 0;

  for (guint i = 0; i < streams->len; i++)
    if (!fb_test_stream_is_done (g_ptr_array_index (streams, i)))
      n++;

  return n;
}

static void
send_event (Fixture    *f,
            const char *text)
{
  GPtrArray *streams = fb_test_sse_server_get_streams (f->server);

  for (guint i = 0; i < streams->len; i++)
    fb_test_stream_write (g_ptr_array_index (streams, i), text, -1);
}

/* --- fixture --------------------------------------------------------------- */

static gboolean
watcher_owns_name_cb (gpointer user_data)
{
  return fb_sni_watcher_is_owner (user_data);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *why_not = NULL;
  g_autoptr(GError) error = NULL;

  f->test_case = data;
  if (certs == NULL)
    {
      g_test_skip ("no openssl command to make certificates");
      return;
    }
  f->session = fb_desktop_session_new (&why_not);
  if (f->session == NULL)
    {
      g_test_skip (why_not);
      return;
    }

  fb_desktop_session_start_dunst (f->session, &error);
  g_assert_no_error (error);
  f->monitor = fb_notify_monitor_new (fb_desktop_session_get_dunst_name (f->session), &error);
  g_assert_no_error (error);
  f->watcher = fb_sni_watcher_new (fb_desktop_session_get_bus (f->session));

  certificate = fb_test_certs_load (G_STRUCT_MEMBER (char *, certs, f->test_case->pem_offset));
  f->server = fb_test_sse_server_new_tls (server_cb, f, certificate);
  g_signal_connect (fb_test_sse_server_get_soup (f->server), "request-started",
                    G_CALLBACK (request_started_cb), f);
  f->url = fb_test_sse_server_url (f->server, "/events");
  g_assert_true (g_str_has_prefix (f->url, "https://127.0.0.1:"));

  wait_or_fail (f, watcher_owns_name_cb, f->watcher, WAIT_MS, "our StatusNotifierWatcher to own its name");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *log = NULL;

  if (f->session == NULL)
    return;

  log = fb_desktop_session_dup_app_log (f->session);
  if (log[0] != '\0')
    g_test_message ("%s", log);
  /* The session ends the app before dunst. */
  g_clear_object (&f->app);
  g_clear_pointer (&f->session, fb_desktop_session_free);
  g_clear_pointer (&f->monitor, fb_notify_monitor_free);
  g_clear_pointer (&f->watcher, fb_sni_watcher_free);
  g_signal_handlers_disconnect_by_data (fb_test_sse_server_get_soup (f->server), f);
  g_clear_pointer (&f->server, fb_test_sse_server_free);
  g_clear_pointer (&f->url, g_free);
}

/* --- the app --------------------------------------------------------------- */

/* The feed, in the settings the app reads at its start; with the test's
 * authority in its CA setting when the test case says so. */
static void
write_settings (Fixture *f)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *feed = fb_desktop_fixture_set_feed (keyfile, FEED_ID, f->url, FEED_NAME);

  if (f->test_case->trust_ca)
    fb_desktop_fixture_set_setting (keyfile, feed, "ca-file", g_variant_new_string (certs->ca_file));

  fb_desktop_fixture_save_settings (f->session, keyfile);
}

static void
start_app (Fixture *f)
{
  const char *argv[] = { "--background", NULL };
  g_autoptr(GError) error = NULL;

  write_settings (f);
  f->app = fb_desktop_session_spawn_app (f->session, argv, &error);
  g_assert_no_error (error);
}

/* --- the tray, as a host sees it --------------------------------------- */

static FbMenuItem *
fixture_get_menu (Fixture *f)
{
  return fb_desktop_fixture_get_menu (f->session, f->watcher);
}

typedef struct
{
  Fixture    *f;
  const char *row;    /* the start of the feed's row */
  const char *icon;
} TrayWait;

static gboolean
tray_shows_cb (gpointer user_data)
{
  TrayWait *wait = user_data;
  g_autoptr(FbMenuItem) menu = NULL;
  g_autofree char *icon = NULL;

  /* A dead app would leave us waiting for nothing. */
  if (!fb_desktop_session_is_running (wait->f->app))
    return TRUE;
  if (!fb_sni_watcher_has_item (wait->f->watcher))
    return FALSE;

  icon = fb_sni_watcher_dup_item_string (wait->f->watcher, "IconName", NULL);
  menu = fixture_get_menu (wait->f);

  return g_strcmp0 (icon, wait->icon) == 0 && menu != NULL &&
         fb_menu_item_find_prefix (menu, wait->row) != NULL;
}

/* Waits until the tray has @icon and a row starting with @row: its label. */
static char *
wait_for_tray (Fixture    *f,
               const char *row,
               const char *icon,
               guint       timeout_ms)
{
  TrayWait wait = { f, row, icon };
  g_autoptr(FbMenuItem) menu = NULL;
  FbMenuItem *item;

  wait_or_fail (f, tray_shows_cb, &wait, timeout_ms, "the tray's icon %s and a row “%s…”", icon, row);
  g_assert_true (fb_desktop_session_is_running (f->app));

  menu = fixture_get_menu (f);
  g_assert_nonnull (menu);
  item = fb_menu_item_find_prefix (menu, row);
  g_assert_nonnull (item);

  return g_strdup (item->label);
}

/* --- what the app says ------------------------------------------------------- */

/* The feed's line of `feedbell --status`. */
static JsonObject *
run_status (Fixture *f)
{
  return fb_desktop_fixture_status_of (f->session, "id", FEED_ID, RUN_MS);
}

/* Each of the test case's words is somewhere in @text. */
static void
assert_says (const char     *what,
             const char     *text,
             const TestCase *test_case)
{
  for (guint i = 0; test_case->words[i] != NULL; i++)
    if (text == NULL || strstr (text, test_case->words[i]) == NULL)
      {
        g_autofree char *message = g_strdup_printf ("%s “%s” does not say “%s”", what, text,
                                                    test_case->words[i]);

        g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
      }
}

/* The feed has failed, the tray and `--status` say why; the server saw it
 * tried, but never a request: none went over an unverified connection. */
static void
check_failed (Fixture        *f,
              const TestCase *test_case)
{
  g_autofree char *row = wait_for_tray (f, ROW_FAILED, ICON_FAILED, START_MS);
  g_autofree char *title = fb_sni_watcher_dup_item_string (f->watcher, "Title", NULL);
  g_autoptr(JsonObject) status = run_status (f);
  const char *error = json_object_get_string_member_with_default (status, "error", NULL);

  g_test_message ("Tray row: “%s”; title “%s”", row, title);
  g_test_message ("--status error: “%s”", error);
  g_test_message ("The server accepted %u connections", f->n_attempts);
  assert_says ("The tray's row", row, test_case);
  g_assert_cmpstr (title, ==, "Feedbell: 1 feed failed");

  g_assert_cmpstr (json_object_get_string_member_with_default (status, "state", ""), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member_with_default (status, "url", ""), ==, f->url);
  g_assert_true (g_str_has_prefix (json_object_get_string_member_with_default (status, "status", ""),
                                   "failed: "));
  assert_says ("--status's error", error, test_case);
  /* The row and --status say the same thing. */
  g_assert_nonnull (strstr (row, error));

  g_assert_cmpuint (f->n_attempts, >=, 1);
  g_assert_cmpuint (f->n_attempts, <=, MAX_FAILED_ATTEMPTS);
  g_assert_cmpuint (fb_test_sse_server_get_requests (f->server)->len, ==, 0);
}

/* --- tests ----------------------------------------------------------------- */

static void
test_certificate_failure (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(JsonObject) status = NULL;

  if (f->session == NULL)
    return;

  start_app (f);
  check_failed (f, f->test_case);

  /* Still failed, for the same reason, after everything above: no retry
   * that changed it, and still no request. */
  status = run_status (f);
  g_assert_cmpstr (json_object_get_string_member_with_default (status, "state", ""), ==, "failed");
  assert_says ("--status's error", json_object_get_string_member_with_default (status, "error", NULL),
               f->test_case);
  g_assert_cmpuint (f->n_attempts, <=, MAX_FAILED_ATTEMPTS);
  g_assert_cmpuint (fb_test_sse_server_get_requests (f->server)->len, ==, 0);
  /* For the record, not asserted: the app tells of the failure in the
   * tray and --status only, with no notification. */
  g_test_message ("%u Notify calls", fb_notify_monitor_get_n_calls (f->monitor));
}

/* `gsettings set SCHEMA:PATH KEY VALUE` in the app's desktop, then what
 * `gsettings get` reads back. */
static char *
run_gsettings (Fixture    *f,
               const char *key,
               GVariant   *value)
{
  g_autofree char *text = g_variant_print (g_variant_ref_sink (value), FALSE);
  const char *set[] = { "gsettings", "set", FEED_SCHEMA ":" FEED_PATH, key, text, NULL };
  const char *get[] = { "gsettings", "get", FEED_SCHEMA ":" FEED_PATH, key, NULL };
  g_autofree char *set_output = fb_desktop_session_run_tool (f->session, set, RUN_MS);

  g_variant_unref (value);
  if (set_output == NULL)
    {
      fixture_dump (f);
      g_assert_nonnull (set_output);   /* no gsettings, or it failed */
    }

  return fb_desktop_session_run_tool (f->session, get, RUN_MS);
}

static gboolean
stream_open_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return !fb_desktop_session_is_running (f->app) || count_open_streams (f) > 0;
}

static gboolean
notified_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return fb_notify_monitor_count_summary (f->monitor, "Vault unsealed") > 0;
}

/* A person reads "self-signed: add its certificate authority in the feed's
 * settings", and does: the feed connects, and its events are notifications. */
static void
test_trusted_in_settings (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(FbNotifyCall) call = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *read_back = NULL;
  g_autofree char *row = NULL;
  guint n_failed_attempts;

  if (f->session == NULL)
    return;

  start_app (f);
  check_failed (f, f->test_case);
  n_failed_attempts = f->n_attempts;

  read_back = run_gsettings (f, "ca-file", g_variant_new_string (certs->self_signed_cert));
  quoted = g_variant_print (g_variant_new_string (certs->self_signed_cert), FALSE);
  g_assert_nonnull (read_back);
  g_assert_cmpstr (g_strstrip (read_back), ==, quoted);

  wait_or_fail (f, stream_open_cb, f, WAIT_MS, "the app to open the stream once it trusts the server");
  g_assert_true (fb_desktop_session_is_running (f->app));
  row = wait_for_tray (f, ROW_CONNECTED, ICON_CONNECTED, WAIT_MS);
  g_test_message ("Tray row once trusted: “%s”", row);

  send_event (f, "id: v1\ndata: Vault unsealed\ndata: over a certificate you trusted\n\n");
  wait_or_fail (f, notified_cb, f, WAIT_MS, "a Notify “Vault unsealed”");
  call = fb_notify_monitor_dup_last (f->monitor, "Vault unsealed");
  g_assert_cmpstr (call->summary, ==, "Vault unsealed");
  g_assert_cmpstr (call->body, ==, "over a certificate you trusted");
  g_assert_cmpuint (fb_notify_monitor_get_n_calls (f->monitor), ==, 1);

  status = run_status (f);
  g_assert_cmpstr (json_object_get_string_member_with_default (status, "state", ""), ==, "open");
  g_assert_true (json_object_get_null_member (status, "error"));

  /* The attempts of the failure, then one that was trusted: one request. */
  g_assert_cmpuint (f->n_attempts, ==, n_failed_attempts + 1);
  g_assert_cmpuint (fb_test_sse_server_get_requests (f->server)->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  certs = fb_test_certs_new ();

  g_test_add ("/certificates/self-signed", Fixture, &self_signed,
              fixture_set_up, test_certificate_failure, fixture_tear_down);
  g_test_add ("/certificates/wrong-host", Fixture, &wrong_host,
              fixture_set_up, test_certificate_failure, fixture_tear_down);
  g_test_add ("/certificates/expired", Fixture, &expired,
              fixture_set_up, test_certificate_failure, fixture_tear_down);
  g_test_add ("/certificates/self-signed/trusted-in-settings", Fixture, &self_signed,
              fixture_set_up, test_trusted_in_settings, fixture_tear_down);

  status = g_test_run ();
  g_clear_pointer (&certs, fb_test_certs_free);

  return status;
}
