/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-app-kill"

#include "config.h"

#include <sqlite3.h>

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "fb-desktop-fixture.h"
#include "fb-desktop-session.h"
#include "fb-fault-ntfy.h"
#include "fb-fault-proxy.h"
#include "fb-fault-server.h"
#include "fb-notify-monitor.h"
#include "fb-sni-watcher.h"

/*
 * The real app, killed. `feedbell` runs in a real (virtual) desktop, as the
 * desktop suite runs it (Xvfb, a private session bus, dunst, our
 * StatusNotifierWatcher), with two feeds behind fault proxies: one plain
 * SSE (numbered events, resumed with Last-Event-ID) and one ntfy (string
 * ids, no `id:` lines, resumed with since= alone). Both servers publish on
 * a clock; the proxies cut, reset and trickle the streams, the servers
 * restart, answer 503 and resend what the app has. Meanwhile the app is
 * killed with SIGKILL at random points and started again with
 * `--background`, as autostart does.
 *
 * At the end the servers stop publishing, the last app catches up, and:
 *
 * - every message each server published is in the app's history exactly
 *   once, and nothing else is;
 * - a process never notifies a message twice;
 * - a message notified again by a later process was, when the earlier one
 *   was killed, past that feed's position saved in the history: inside the
 *   persist window, the messages received but not yet committed. Those
 *   repeats are counted and reported;
 * - the saved position never runs ahead of the history (checked at every
 *   kill: the message it names is stored).
 *
 * Nothing is asserted about how long anything took. `--kills=N` (CI 20,
 * the soak 300); FB_FAULT_SEED repeats a run.
 */

#define SSE_NAME         "Numbers"
#define NTFY_NAME        "Topic"
#define PUBLISH_MS       200      /* per feed */
#define KEEPALIVE_MS     1000
#define LIFE_MAX_MS      4000     /* a process lives up to this after it registered */
#define LONG_LIFE_EVERY  5        /* … or, every fifth, until both feeds saved more
                                   * with no fault meanwhile */
#define FAULT_MIN_MS     500
#define FAULT_MAX_MS     3000
/* Deadlines only stop a test that hangs. */
#define START_MS         60000
#define CATCH_UP_MS      180000

typedef struct _Fixture Fixture;

typedef struct
{
  Fixture       *f;
  const char    *name;
  gboolean       ntfy;
  FbFaultServer *server;
  FbFaultProxy  *proxy;
  GPtrArray     *conns;          /* FbFaultConn not ended yet */
  char          *url;
  guint64        saved;          /* the position in the history at the last kill */
} Feed;

typedef struct
{
  char    *sender;               /* the process's unique bus name */
  guint64  saved[2];             /* each feed's position when it was killed */
  gboolean killed;
} Epoch;

struct _Fixture
{
  FbDesktopSession *session;
  FbNotifyMonitor  *monitor;
  FbSniWatcher     *watcher;
  GRand            *rand;
  Feed              feeds[2];
  GSubprocess      *app;
  GPtrArray        *epochs;      /* Epoch */
  GPtrArray        *errors;
  char             *history_path;
  guint             fault_id;
  guint             n_faults;
  guint             n_kills;
  guint             n_notified[2];   /* Notify calls for one message each */
};

static void
fixture_error (Fixture    *f,
               const char *format,
               ...) G_GNUC_PRINTF (2, 3);

static void
fixture_error (Fixture    *f,
               const char *format,
               ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (f->errors, g_strdup_vprintf (format, args));
  va_end (args);
}

static void
epoch_free (Epoch *epoch)
{
  g_free (epoch->sender);
  g_free (epoch);
}

/* --- the history, read as `feedbell --history` does: read-only ---------- */

static sqlite3 *
open_history (Fixture *f)
{
  sqlite3 *db = NULL;

  if (!g_file_test (f->history_path, G_FILE_TEST_EXISTS) ||
      sqlite3_open_v2 (f->history_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  return db;
}

/* The message number a stored body or a notification's text names. */
static guint64
number_in (const char *text)
{
  const char *at = text != NULL ? strstr (text, "event ") : NULL;

  return at != NULL ? g_ascii_strtoull (at + strlen ("event "), NULL, 10) : 0;
}

/* What the position of @feed says: the number of the last message, 0 for
 * none. A position naming something the server never sent is an error. */
static guint64
read_position (Fixture *f,
               sqlite3 *db,
               Feed    *feed)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  sqlite3_stmt *stmt = NULL;
  guint64 n = 0;

  if (sqlite3_prepare_v2 (db,
                          "SELECT p.data FROM positions p WHERE p.feed_id IN "
                          "(SELECT feed_id FROM messages WHERE feed_name = ?1 LIMIT 1)",
                          -1, &stmt, NULL) != SQLITE_OK)
    goto out;
  sqlite3_bind_text (stmt, 1, feed->name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW &&
      json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 0), -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *object = json_node_get_object (json_parser_get_root (parser));
      const char *id = json_object_get_string_member_with_default (object, "lastEventId", "");

      if (feed->ntfy)
        n = id[0] != '\0' ? fb_fault_ntfy_lookup (fb_fault_server_get_ntfy (feed->server), id) : 0;
      else
        n = g_ascii_strtoull (id, NULL, 10);
      if (id[0] != '\0' && n == 0)
        fixture_error (f, "%s: the saved position %s names no message", feed->name, id);
    }
out:
  sqlite3_finalize (stmt);
  return n;
}

/* For each number, how many rows of @feed hold it; rows[0] counts rows
 * that hold none. */
static GArray *
count_rows (sqlite3 *db,
            Feed    *feed,
            guint64  n_max)
{
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (guint));
  sqlite3_stmt *stmt = NULL;

  g_array_set_size (rows, n_max + 1);
  if (sqlite3_prepare_v2 (db, "SELECT title || ' ' || body FROM messages WHERE feed_name = ?1 AND note = 0",
                          -1, &stmt, NULL) != SQLITE_OK)
    return rows;
  sqlite3_bind_text (stmt, 1, feed->name, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      guint64 n = number_in ((const char *) sqlite3_column_text (stmt, 0));

      g_array_index (rows, guint, n <= n_max ? n : 0)++;
    }
  sqlite3_finalize (stmt);
  return rows;
}

static guint
count_stored (sqlite3 *db,
              Feed    *feed)
{
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM messages WHERE feed_name = ?1 AND note = 0",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, feed->name, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        n = sqlite3_column_int (stmt, 0);
    }
  sqlite3_finalize (stmt);
  return n;
}

/* --- faults -------------------------------------------------------------- */

static void
accepted_cb (FbFaultConn *conn,
             gpointer     user_data)
{
  Feed *feed = user_data;

  g_ptr_array_add (feed->conns, conn);
}

static void
ended_cb (FbFaultConn *conn,
          FbFaultEnd   how,
          gpointer     user_data)
{
  Feed *feed = user_data;

  g_ptr_array_remove (feed->conns, conn);
}

static const FbFaultProxyHooks proxy_hooks = {
  .accepted = accepted_cb,
  .ended = ended_cb,
};

/* One fault on one feed: what a flaky network and a restarting server do. */
static void
inject_fault (Fixture *f)
{
  Feed *feed = &f->feeds[g_rand_int_range (f->rand, 0, 2)];
  FbFaultConn *conn = feed->conns->len > 0 ? g_ptr_array_index (feed->conns, feed->conns->len - 1) : NULL;
  guint kind = g_rand_int_range (f->rand, 0, 100);

  if (kind < 70 && (conn == NULL || fb_fault_conn_is_closed (conn)))
    return;

  if (kind < 35)
    fb_fault_conn_arm_cut (conn, FB_FAULT_CUT_RESET);
  else if (kind < 55)
    fb_fault_conn_arm_cut (conn, FB_FAULT_CUT_HALF_LINE);
  else if (kind < 70)
    fb_fault_conn_trickle (conn, g_rand_int_range (f->rand, 200, 1000));
  else if (kind < 85)
    {
      if (fb_fault_server_is_down (feed->server))
        return;
      fb_fault_server_restart (feed->server, g_rand_int_range (f->rand, 100, 800));
    }
  else
    {
      if (fb_fault_server_get_n_queued_errors (feed->server) > 0)
        return;
      fb_fault_server_queue_error (feed->server, 503, 1);
    }
  f->n_faults++;
}

static gboolean
fault_cb (gpointer user_data)
{
  Fixture *f = user_data;

  inject_fault (f);
  f->fault_id = g_timeout_add (g_rand_int_range (f->rand, FAULT_MIN_MS, FAULT_MAX_MS), fault_cb, f);
  return G_SOURCE_REMOVE;
}

/* --- the app ------------------------------------------------------------- */

static gboolean
app_owns_name (Fixture *f)
{
  g_autofree char *owner = fb_desktop_session_dup_name_owner (f->session, APP_ID);

  return owner != NULL;
}

static gboolean
app_registered_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return !fb_desktop_session_is_running (f->app) || app_owns_name (f);
}

static gboolean
app_gone_cb (gpointer user_data)
{
  return !app_owns_name (user_data);
}

/* Starts a process, the first with the SSE feed to add, and waits until it
 * owns its name: a new epoch. */
static Epoch *
spawn_app (Fixture *f)
{
  const char *first[] = { "--add-feed", f->feeds[0].url, "--name", SSE_NAME, NULL };
  const char *again[] = { "--background", NULL };
  g_autoptr(GError) error = NULL;
  Epoch *epoch = g_new0 (Epoch, 1);

  /* The last one's name must be gone, or this one would hand its command
   * line over and exit. */
  g_assert_true (fb_desktop_session_wait (app_gone_cb, f, START_MS));
  f->app = fb_desktop_session_spawn_app (f->session, f->epochs->len == 0 ? first : again, &error);
  g_assert_no_error (error);
  g_assert_true (fb_desktop_session_wait (app_registered_cb, f, START_MS));
  g_assert_true (fb_desktop_session_is_running (f->app));
  epoch->sender = fb_desktop_session_dup_name_owner (f->session, APP_ID);
  g_assert_nonnull (epoch->sender);
  g_ptr_array_add (f->epochs, epoch);

  return epoch;
}

static gboolean
timer_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
fired_cb (gpointer user_data)
{
  return *(gboolean *) user_data;
}

typedef struct
{
  Fixture *f;
  guint64  saved[2];
} SavedWait;

/* Both feeds' positions have moved on (or the app died). */
static gboolean
saved_more_cb (gpointer user_data)
{
  SavedWait *wait = user_data;
  sqlite3 *db;
  gboolean more = TRUE;

  if (!fb_desktop_session_is_running (wait->f->app))
    return TRUE;
  db = open_history (wait->f);
  if (db == NULL)
    return FALSE;
  for (guint i = 0; i < 2; i++)
    more = more && read_position (wait->f, db, &wait->f->feeds[i]) > wait->saved[i];
  sqlite3_close (db);
  return more;
}

/* What the app and the servers say, for a failure's report. */
static void
describe_feeds (Fixture *f)
{
  const char *status[] = { "--status", NULL };
  g_autofree char *text = NULL;
  int rc = fb_desktop_session_run_app (f->session, status, START_MS, &text);
  sqlite3 *db = open_history (f);

  fixture_error (f, "feedbell --status (exit %d): %s", rc, text != NULL ? g_strstrip (text) : "");
  for (guint i = 0; i < 2; i++)
    {
      Feed *feed = &f->feeds[i];

      fixture_error (f, "%s: %" G_GUINT64_FORMAT " published, %u stored, position %" G_GUINT64_FORMAT
                     "; server %s, %u streams, %u queued errors; %u proxy connections, %u open",
                     feed->name, fb_fault_server_get_n_produced (feed->server),
                     db != NULL ? count_stored (db, feed) : 0, db != NULL ? read_position (f, db, feed) : 0,
                     fb_fault_server_is_down (feed->server) ? "down" : "up",
                     fb_fault_server_get_n_streams (feed->server),
                     fb_fault_server_get_n_queued_errors (feed->server),
                     fb_fault_proxy_get_n_conns (feed->proxy), feed->conns->len);
    }
  sqlite3_close (db);
}

/* Lets the app live a while, then SIGKILLs it and notes where each feed's
 * position stood: what it had committed. */
static void
live_and_kill (Fixture *f,
               Epoch   *epoch)
{
  gboolean fired = FALSE;
  sqlite3 *db;

  /* In a calm spell: a stream cut every few seconds is never healthy for
   * the 30 s that forgive its failures, so its reconnections back off
   * towards the 5-minute cap, as they should. */
  if (f->n_kills % LONG_LIFE_EVERY == LONG_LIFE_EVERY - 1)
    {
      SavedWait wait = { f, { f->feeds[0].saved, f->feeds[1].saved } };

      g_clear_handle_id (&f->fault_id, g_source_remove);
      if (!fb_desktop_session_wait (saved_more_cb, &wait, CATCH_UP_MS))
        {
          fixture_error (f, "kill %u: a position never moved on", f->n_kills);
          describe_feeds (f);
        }
      f->fault_id = g_timeout_add (FAULT_MIN_MS, fault_cb, f);
    }
  g_timeout_add (g_rand_int_range (f->rand, 0, LIFE_MAX_MS), timer_cb, &fired);
  fb_desktop_session_wait (fired_cb, &fired, LIFE_MAX_MS * 20);

  if (!fb_desktop_session_is_running (f->app))
    fixture_error (f, "process %u ended by itself", f->epochs->len);
  g_subprocess_force_exit (f->app);
  g_assert_cmpint (fb_desktop_session_wait_exit (f->app, START_MS), ==, -1);
  g_clear_object (&f->app);
  epoch->killed = TRUE;
  f->n_kills++;

  db = open_history (f);
  for (guint i = 0; i < 2 && db != NULL; i++)
    {
      Feed *feed = &f->feeds[i];
      g_autoptr(GArray) rows = NULL;

      epoch->saved[i] = read_position (f, db, feed);
      if (epoch->saved[i] < feed->saved)
        fixture_error (f, "kill %u: %s's position went back from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                       f->n_kills, feed->name, feed->saved, epoch->saved[i]);
      /* The position never runs ahead of the history. */
      rows = count_rows (db, feed, epoch->saved[i]);
      for (guint64 n = 1; n <= epoch->saved[i]; n++)
        if (g_array_index (rows, guint, n) == 0)
          {
            fixture_error (f, "kill %u: %s's position says %" G_GUINT64_FORMAT " but message %" G_GUINT64_FORMAT
                           " is not in the history", f->n_kills, feed->name, epoch->saved[i], n);
            break;
          }
      feed->saved = epoch->saved[i];
    }
  g_clear_pointer (&db, sqlite3_close);
}

/* --- the end ------------------------------------------------------------- */

static gboolean
caught_up_cb (gpointer user_data)
{
  Fixture *f = user_data;
  sqlite3 *db = open_history (f);
  gboolean all = db != NULL;

  for (guint i = 0; i < 2 && all; i++)
    all = count_stored (db, &f->feeds[i]) >= fb_fault_server_get_n_produced (f->feeds[i].server);
  sqlite3_close (db);
  return all || !fb_desktop_session_is_running (f->app);
}

/* Every message published is stored exactly once, and nothing else. */
static void
check_history (Fixture *f)
{
  sqlite3 *db = open_history (f);

  g_assert_nonnull (db);
  for (guint i = 0; i < 2; i++)
    {
      Feed *feed = &f->feeds[i];
      guint64 n_produced = fb_fault_server_get_n_produced (feed->server);
      g_autoptr(GArray) rows = count_rows (db, feed, n_produced);

      if (g_array_index (rows, guint, 0) > 0)
        fixture_error (f, "%s: %u stored message(s) the server never sent", feed->name,
                       g_array_index (rows, guint, 0));
      for (guint64 n = 1; n <= n_produced; n++)
        if (g_array_index (rows, guint, n) != 1)
          fixture_error (f, "%s: message %" G_GUINT64_FORMAT " is stored %u times", feed->name, n,
                         g_array_index (rows, guint, n));
    }
  sqlite3_close (db);
}

/* Which feed's message a Notify call shows, and its number (0 for a
 * summary or a note): a plain SSE event is its own title, an ntfy message
 * without a title is shown under its feed's name. */
static Feed *
feed_of_call (Fixture      *f,
              FbNotifyCall *call,
              guint64      *n)
{
  *n = 0;
  if (call->replaces_id != 0)
    return NULL;
  if (g_str_has_prefix (call->summary, "event "))
    {
      *n = number_in (call->summary);
      return &f->feeds[0];
    }
  if (g_str_equal (call->summary, NTFY_NAME) && g_str_has_prefix (call->body, "event "))
    {
      *n = number_in (call->body);
      return &f->feeds[1];
    }
  return NULL;
}

/* Notify calls: none twice from one process; again from a later one only
 * for what was past the saved position when its earlier process died. */
static guint
check_notifications (Fixture *f)
{
  g_autoptr(GPtrArray) calls = fb_notify_monitor_dup_calls (f->monitor);
  g_autoptr(GHashTable) last_epoch = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint repeats = 0;

  for (guint c = 0; c < calls->len; c++)
    {
      FbNotifyCall *call = g_ptr_array_index (calls, c);
      guint64 n;
      Feed *feed = feed_of_call (f, call, &n);
      g_autofree char *key = NULL;
      gpointer before;
      guint e;

      if (feed == NULL || n == 0)
        continue;   /* a summary, an outage note */
      f->n_notified[feed - f->feeds]++;
      for (e = 0; e < f->epochs->len; e++)
        if (g_strcmp0 (((Epoch *) f->epochs->pdata[e])->sender, call->sender) == 0)
          break;
      g_assert_cmpuint (e, <, f->epochs->len);

      key = g_strdup_printf ("%s/%" G_GUINT64_FORMAT, feed->name, n);
      if (g_hash_table_lookup_extended (last_epoch, key, NULL, &before))
        {
          guint b = GPOINTER_TO_UINT (before);
          Epoch *earlier = f->epochs->pdata[b];

          if (b == e)
            fixture_error (f, "process %u notified %s %" G_GUINT64_FORMAT " twice", e + 1, feed->name, n);
          else if (!earlier->killed || n <= earlier->saved[feed - f->feeds])
            fixture_error (f, "%s %" G_GUINT64_FORMAT " notified by process %u and again by %u, though "
                           "its position (%" G_GUINT64_FORMAT ") was saved", feed->name, n, b + 1, e + 1,
                           earlier->saved[feed - f->feeds]);
          repeats++;
        }
      g_hash_table_insert (last_epoch, g_steal_pointer (&key), GUINT_TO_POINTER (e));
    }

  return repeats;
}

/* --- the test ------------------------------------------------------------ */

static void
feed_init (Fixture    *f,
           Feed       *feed,
           const char *name,
           gboolean    ntfy)
{
  feed->f = f;
  feed->name = name;
  feed->ntfy = ntfy;
  feed->conns = g_ptr_array_new ();
  feed->server = fb_fault_server_new (PUBLISH_MS, KEEPALIVE_MS, g_rand_int (f->rand));
  fb_fault_server_set_replay_chance (feed->server, 0.3);
  if (ntfy)
    fb_fault_server_use_ntfy (feed->server);
  feed->proxy = fb_fault_proxy_new (fb_fault_server_get_port (feed->server), g_rand_int (f->rand),
                                    &proxy_hooks, feed);
  /* ntfy: the topic from its first message; since= replaces that. */
  feed->url = g_strdup_printf (ntfy ? "http://127.0.0.1:%u/" FB_FAULT_NTFY_TOPIC "/sse?since=all"
                                    : "http://127.0.0.1:%u/events",
                               fb_fault_proxy_get_port (feed->proxy));
}

static void
feed_clear (Feed *feed)
{
  /* The proxy first: its connections report their end to the feed. */
  g_clear_pointer (&feed->proxy, fb_fault_proxy_free);
  g_clear_pointer (&feed->server, fb_fault_server_free);
  g_clear_pointer (&feed->conns, g_ptr_array_unref);
  g_clear_pointer (&feed->url, g_free);
}

/* No grouping of notifications: one message, one Notify call, so that a
 * repeat shows. */
static void
write_settings (Fixture *f)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  const char *app = "io/github/feedbell/Feedbell";

  fb_desktop_fixture_set_setting (keyfile, app, "coalesce-threshold", g_variant_new_uint32 (100));
  fb_desktop_fixture_set_setting (keyfile, app, "coalesce-window", g_variant_new_uint32 (1));
  fb_desktop_fixture_save_settings (f->session, keyfile);
}

static gboolean
has_streams_cb (gpointer user_data)
{
  FbFaultServer *server = user_data;

  return fb_fault_server_get_n_streams (server) > 0;
}

static void
start (Fixture *f)
{
  const char *add_ntfy[] = { "--add-feed", f->feeds[1].url, "--name", NTFY_NAME, NULL };

  spawn_app (f);
  g_assert_true (fb_desktop_session_wait (has_streams_cb, f->feeds[0].server, START_MS));
  g_assert_cmpint (fb_desktop_session_run_app (f->session, add_ntfy, START_MS, NULL), ==, 0);
  g_assert_true (fb_desktop_session_wait (has_streams_cb, f->feeds[1].server, START_MS));
  for (guint i = 0; i < 2; i++)
    fb_fault_server_set_producing (f->feeds[i].server, TRUE);
  f->fault_id = g_timeout_add (FAULT_MIN_MS, fault_cb, f);
}

static void
report (Fixture *f,
        guint32  seed,
        guint    repeats,
        gint64   started)
{
  g_autofree char *log = fb_desktop_session_dup_app_log (f->session);

  g_test_message ("seed %u, %u kills, %u faults, %" G_GUINT64_FORMAT " SSE and %" G_GUINT64_FORMAT
                  " ntfy messages (%u and %u notified one by one, the others summed up after a "
                  "resume), %u notified again after a kill (inside the persist window), %.1f s",
                  seed, f->n_kills, f->n_faults, fb_fault_server_get_n_produced (f->feeds[0].server),
                  fb_fault_server_get_n_produced (f->feeds[1].server), f->n_notified[0], f->n_notified[1], repeats,
                  (g_get_monotonic_time () - started) / 1e6);
  for (guint i = 0; i < f->errors->len && i < 20; i++)
    g_test_message ("problem: %s", (char *) f->errors->pdata[i]);
  if (f->errors->len > 0 || g_getenv ("FB_APP_KILL_DUMP_CALLS") != NULL)
    {
      g_autofree char *calls = fb_notify_monitor_describe (f->monitor);

      g_test_message ("%u problem(s) in all; the app's log:\n%s", f->errors->len, log);
      if (g_getenv ("FB_APP_KILL_DUMP_CALLS") != NULL)
        g_test_message ("Notify calls:\n%s", calls);
    }
}

static void
test_app_kill (gconstpointer data)
{
  guint n_kills = GPOINTER_TO_UINT (data);
  g_autofree char *why_not = NULL;
  g_autoptr(GError) error = NULL;
  const char *env = g_getenv ("FB_FAULT_SEED");
  guint32 seed = env ? (guint32) g_ascii_strtoull (env, NULL, 0) : (guint32) g_get_real_time ();
  gint64 started = g_get_monotonic_time ();
  Fixture f = { 0 };
  guint repeats;

  f.session = fb_desktop_session_new (&why_not);
  if (f.session == NULL)
    {
      g_test_skip (why_not);
      return;
    }
  g_test_message ("seed %u", seed);
  f.rand = g_rand_new_with_seed (seed);
  f.epochs = g_ptr_array_new_with_free_func ((GDestroyNotify) epoch_free);
  f.errors = g_ptr_array_new_with_free_func (g_free);
  f.history_path = g_build_filename (fb_desktop_session_get_dir (f.session), "data", "feedbell",
                                     "history.db", NULL);
  fb_desktop_session_start_dunst (f.session, &error);
  g_assert_no_error (error);
  f.monitor = fb_notify_monitor_new (fb_desktop_session_get_dunst_name (f.session), &error);
  g_assert_no_error (error);
  f.watcher = fb_sni_watcher_new (fb_desktop_session_get_bus (f.session));
  feed_init (&f, &f.feeds[0], SSE_NAME, FALSE);
  feed_init (&f, &f.feeds[1], NTFY_NAME, TRUE);
  write_settings (&f);

  start (&f);
  while (f.n_kills < n_kills && f.errors->len == 0)
    live_and_kill (&f, f.epochs->len == 1 && f.n_kills == 0 ? f.epochs->pdata[0] : spawn_app (&f));

  /* The last process sees the faults end and catches up. */
  g_clear_handle_id (&f.fault_id, g_source_remove);
  for (guint i = 0; i < 2; i++)
    fb_fault_server_set_producing (f.feeds[i].server, FALSE);
  spawn_app (&f);
  if (!fb_desktop_session_wait (caught_up_cb, &f, CATCH_UP_MS))
    {
      fixture_error (&f, "the last process never stored every message");
      describe_feeds (&f);
    }
  if (!fb_desktop_session_is_running (f.app))
    fixture_error (&f, "the last process ended by itself");
  check_history (&f);
  repeats = check_notifications (&f);
  report (&f, seed, repeats, started);
  g_assert_cmpuint (f.errors->len, ==, 0);
  g_assert_cmpuint (f.n_kills, ==, n_kills);

  g_clear_object (&f.app);
  g_clear_pointer (&f.session, fb_desktop_session_free);
  g_clear_pointer (&f.monitor, fb_notify_monitor_free);
  g_clear_pointer (&f.watcher, fb_sni_watcher_free);
  for (guint i = 0; i < 2; i++)
    feed_clear (&f.feeds[i]);
  g_ptr_array_unref (f.epochs);
  g_ptr_array_unref (f.errors);
  g_free (f.history_path);
  g_rand_free (f.rand);
}

int
main (int   argc,
      char *argv[])
{
  guint kills = 20;

  g_test_init (&argc, &argv, NULL);

  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--kills="))
      kills = atoi (argv[i] + strlen ("--kills="));

  g_test_add_data_func ("/fault/app/kill", GUINT_TO_POINTER (kills), test_app_kill);

  return g_test_run ();
}
